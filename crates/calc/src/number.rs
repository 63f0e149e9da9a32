//! Float formatting exactly like Python's `repr`.
//!
//! Rust's `{:e}` formatting already produces the shortest digit string that
//! reads back to the same `f64`; [`float_repr`] re-arranges those digits into
//! Python's notation: fixed when the decimal exponent is in `[-4, 16)`,
//! scientific (`1e+16`, `1.5e-05`) otherwise, always with a `.0` on integral
//! fixed values, and `inf`, `-inf`, `nan` for the special values.

use std::fmt::Write;

/// Formats `x` exactly as Python's `repr(float)` does.
///
/// ```
/// use arenakit_calc::number::float_repr;
/// assert_eq!(float_repr(1.0), "1.0");
/// assert_eq!(float_repr(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(float_repr(1e16), "1e+16");
/// assert_eq!(float_repr(0.00001), "1e-05");
/// assert_eq!(float_repr(-0.0), "-0.0");
/// assert_eq!(float_repr(f64::NAN), "nan");
/// ```
pub fn float_repr(x: f64) -> String {
    let mut out = String::new();
    write_float_repr(&mut out, x);
    out
}

/// Appends Python's `repr` of `x` to `out` (see [`float_repr`]).
///
/// ```
/// use arenakit_calc::number::write_float_repr;
/// let mut s = String::from("x = ");
/// write_float_repr(&mut s, 2.5);
/// assert_eq!(s, "x = 2.5");
/// ```
pub fn write_float_repr(out: &mut String, x: f64) {
    if x.is_nan() {
        out.push_str("nan");
        return;
    }
    if x.is_infinite() {
        out.push_str(if x < 0.0 { "-inf" } else { "inf" });
        return;
    }
    if x.is_sign_negative() {
        out.push('-');
    }
    let x = x.abs();
    if x == 0.0 {
        out.push_str("0.0");
        return;
    }
    // `{:e}` gives the shortest round-trip digits as `d.ddddde<exp>`.
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    break_tie_to_even(x, &mut digits, exp);
    let n = digits.len() as i32;
    if (-4..16).contains(&exp) {
        if exp < 0 {
            // 0.000ddd
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        } else if exp + 1 >= n {
            // All digits are in the integer part: pad with zeros, add ".0".
            out.push_str(&digits);
            for _ in 0..(exp + 1 - n) {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            let split = (exp + 1) as usize;
            out.push_str(&digits[..split]);
            out.push('.');
            out.push_str(&digits[split..]);
        }
    } else {
        out.push_str(&digits[..1]);
        if n > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let sign = if exp < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exp.abs());
    }
}

/// Python's choice between two equally near shortest digit strings.
///
/// `digits` (with the decimal exponent `exp` of its first digit) is the
/// shortest string that reads back as `x`, as Rust finds it. When `x` lies
/// exactly halfway between two such strings of the same length, Rust takes
/// the upper one and Python's `repr` the one whose last digit is even:
/// `0.1 * 2.0 ** 53` is `900719925474099.25`, which Python prints as
/// `900719925474099.2` and Rust as `900719925474099.3`. This replaces an odd
/// upper choice with the even lower one when `x` is exactly the midpoint and
/// the lower string reads back as `x` too.
fn break_tie_to_even(x: f64, digits: &mut String, exp: i32) {
    // An upper choice ending in 1 has a lower neighbour ending in 0, which
    // would have been a shorter string: Python keeps the upper one too.
    if !matches!(digits.as_bytes().last(), Some(b'3' | b'5' | b'7' | b'9')) {
        return;
    }
    let Ok(upper) = digits.parse::<u128>() else {
        return;
    };
    let Some((significand, exp10)) = exact_decimal(x) else {
        return;
    };
    let n = digits.len() as i32;
    let lower = upper - 1;
    // The midpoint of `lower` and `upper` has one digit more, a final 5.
    if significand != lower * 10 + 5 || exp10 != exp - n {
        return;
    }
    let lower = lower.to_string();
    if format!("{lower}e{}", exp - n + 1).parse::<f64>() == Ok(x) {
        *digits = lower;
    }
}

/// The exact value of a positive finite `x` as `significand * 10^exp10`
/// with no trailing zero in `significand`, or `None` when that significand
/// would certainly have more than 18 digits: then `x` cannot be the midpoint
/// of two shortest strings of at most 17 digits, whose significand has one
/// digit more than theirs.
fn exact_decimal(x: f64) -> Option<(u128, i32)> {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (mut m, mut e2) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    if m == 0 {
        return None;
    }
    let zeros = m.trailing_zeros();
    m >>= zeros;
    e2 += zeros as i32;
    if e2 < 0 {
        // x = m / 2^k = m * 5^k / 10^k, and m * 5^k is odd: no trailing zero.
        // With k > 26 it has more than 18 digits.
        let k = -e2;
        if k > 26 {
            return None;
        }
        Some((u128::from(m) * 5u128.pow(k as u32), e2))
    } else {
        // An integer. A midpoint `(10 L + 5) * 10^q` has odd part
        // `(10 L + 5) * 5^q`, below 2^53 only when q <= 21, and then
        // `e2 == q`.
        if e2 > 22 {
            return None;
        }
        let (mut significand, mut exp10) = (u128::from(m) << e2, 0);
        while significand % 10 == 0 {
            significand /= 10;
            exp10 += 1;
        }
        Some((significand, exp10))
    }
}

#[cfg(test)]
mod tests {
    use super::float_repr;

    /// Every expected string below was produced by `python3 -c 'print(repr(x))'`.
    #[test]
    fn matches_python_repr() {
        let check = |x: f64, expect: &str| assert_eq!(float_repr(x), expect, "repr of {x:?}");
        check(1.0, "1.0");
        check(0.1, "0.1");
        check(0.0001, "0.0001");
        check(0.00001, "1e-05");
        check(1e16, "1e+16");
        check(1234567890123456.0, "1234567890123456.0");
        check(12345678901234567.0, "1.2345678901234568e+16");
        check(-0.0, "-0.0");
        check(0.0, "0.0");
        check(f64::INFINITY, "inf");
        check(f64::NEG_INFINITY, "-inf");
        check(f64::NAN, "nan");
        check(0.1 + 0.2, "0.30000000000000004");
        check(1.0 / 3.0, "0.3333333333333333");
        check(2.0 / 3.0, "0.6666666666666666");
        check(1e15, "1000000000000000.0");
        check(9999999999999998.0, "9999999999999998.0");
        check(1.5e-5, "1.5e-05");
        check(0.00012345, "0.00012345");
        check(123.456, "123.456");
        check(-2.5, "-2.5");
        check(1e100, "1e+100");
        check(1.7976931348623157e308, "1.7976931348623157e+308");
        check(5e-324, "5e-324");
        check(2.2250738585072014e-308, "2.2250738585072014e-308");
        check(100.0, "100.0");
        check(1e22, "1e+22");
        check(3.14e-10, "3.14e-10");
        check(0.5, "0.5");
        check(9007199254740993.0, "9007199254740992.0");
        check(-1e-7, "-1e-07");
        // Exact midpoints between two shortest strings: Python takes the
        // even last digit.
        check(0.1 * 9007199254740992.0, "900719925474099.2");
        check(1059253209562419.0 + 0.25, "1059253209562419.2");
        check(941297596112.0 + 0.15625, "941297596112.1562");
        check(869169937882.0 + 0.03125, "869169937882.0312");
        check(-845418547955755.0 - 0.25, "-845418547955755.2");
    }
}
