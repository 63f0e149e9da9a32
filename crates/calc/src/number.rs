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
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
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
    }
}
