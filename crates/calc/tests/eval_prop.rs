//! Property test: random well-typed integer expressions, printed as calc
//! source and run by the interpreter, agree with a small reference evaluator
//! over `i128` written here — values, and which expressions overflow or
//! divide by zero (the first error from the left wins, as in calc).

use arenakit_calc::eval::Limits;
use arenakit_calc::session::{Echo, Failure, Session};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum E {
    Lit(i64),
    Neg(Box<E>),
    Bin(Op, Box<E>, Box<E>),
    /// `base ** exponent` with a literal, non-negative exponent, so the
    /// result stays an Int.
    Pow(Box<E>, u32),
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Add,
    Sub,
    Mul,
    FloorDiv,
    Mod,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Err {
    Overflow,
    DivZero,
}

const MIN: i128 = i64::MIN as i128;
const MAX: i128 = i64::MAX as i128;

fn fits(v: i128) -> Result<i128, Err> {
    if (MIN..=MAX).contains(&v) {
        Ok(v)
    } else {
        Err(Err::Overflow)
    }
}

/// The reference: exact `i128` arithmetic, then a range check.
fn reference(e: &E) -> Result<i128, Err> {
    match e {
        E::Lit(v) => Ok(*v as i128),
        E::Neg(a) => fits(-reference(a)?),
        E::Pow(a, n) => {
            let base = reference(a)?;
            let mut acc: i128 = 1;
            for _ in 0..*n {
                acc *= base;
                // |acc| only grows when |base| >= 2; stop before i128 overflows.
                if acc.abs() > (1i128 << 64) {
                    return Err(Err::Overflow);
                }
            }
            fits(acc)
        }
        E::Bin(op, a, b) => {
            let a = reference(a)?;
            let b = reference(b)?;
            match op {
                Op::Add => fits(a + b),
                Op::Sub => fits(a - b),
                Op::Mul => fits(a * b),
                Op::FloorDiv | Op::Mod => {
                    if b == 0 {
                        return Err(Err::DivZero);
                    }
                    // Python's modulo takes the sign of the divisor; the floor
                    // quotient is then exact.
                    let m = ((a % b) + b) % b;
                    let q = (a - m) / b;
                    fits(if let Op::Mod = op { m } else { q })
                }
            }
        }
    }
}

fn literal(v: i64) -> String {
    if v == i64::MIN {
        "(-9223372036854775807 - 1)".to_string()
    } else if v < 0 {
        format!("(-{})", -(v as i128))
    } else {
        v.to_string()
    }
}

fn source(e: &E) -> String {
    match e {
        E::Lit(v) => literal(*v),
        E::Neg(a) => format!("(-{})", source(a)),
        E::Pow(a, n) => format!("({} ** {n})", source(a)),
        E::Bin(op, a, b) => {
            let op = match op {
                Op::Add => "+",
                Op::Sub => "-",
                Op::Mul => "*",
                Op::FloorDiv => "//",
                Op::Mod => "%",
            };
            format!("({} {op} {})", source(a), source(b))
        }
    }
}

fn int_literal() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => -10i64..=10,
        2 => any::<i64>(),
        1 => (i64::MAX - 3)..=i64::MAX,
        1 => i64::MIN..=(i64::MIN + 3),
        1 => 3_037_000_498i64..=3_037_000_500,
        1 => -3_037_000_500i64..=-3_037_000_498,
        1 => Just(0i64),
    ]
}

fn expr() -> impl Strategy<Value = E> {
    int_literal()
        .prop_map(E::Lit)
        .prop_recursive(6, 48, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|a| E::Neg(Box::new(a))),
                (inner.clone(), 0u32..=65).prop_map(|(a, n)| E::Pow(Box::new(a), n)),
                (
                    prop_oneof![
                        Just(Op::Add),
                        Just(Op::Sub),
                        Just(Op::Mul),
                        Just(Op::FloorDiv),
                        Just(Op::Mod),
                    ],
                    inner.clone(),
                    inner
                )
                    .prop_map(|(op, a, b)| E::Bin(op, Box::new(a), Box::new(b))),
            ]
        })
}

fn interpret(session: &mut Session, src: &str) -> Result<i128, String> {
    let mut out = Vec::new();
    match session.run("<prop>", src, Echo::Quiet, &mut out) {
        Ok(()) => {
            let text = String::from_utf8(out).expect("UTF-8 output");
            text.trim_end()
                .parse::<i128>()
                .map_err(|_| format!("not an Int: {text:?}"))
        }
        Err(Failure::Runtime(e)) => Err(e.message),
        Err(other) => Err(format!("unexpected failure: {other:?}")),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn integer_expressions_match_an_i128_reference(e in expr()) {
        let src = source(&e);
        let mut session = Session::new(Limits::default());
        let got = interpret(&mut session, &src);
        let expected = match reference(&e) {
            Ok(v) => Ok(v),
            Err(Err::Overflow) => Err("integer overflow".to_string()),
            Err(Err::DivZero) => Err("division by zero".to_string()),
        };
        prop_assert_eq!(got, expected, "{}", src);
    }
}

#[test]
fn the_generator_reaches_every_outcome() {
    // Guard against a generator that never overflows or never divides by
    // zero, which would make the property above vacuous for errors.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut ok, mut overflow, mut div_zero) = (0, 0, 0);
    for _ in 0..2_000 {
        let e = expr().new_tree(&mut runner).expect("a tree").current();
        match reference(&e) {
            Ok(_) => ok += 1,
            Err(Err::Overflow) => overflow += 1,
            Err(Err::DivZero) => div_zero += 1,
        }
    }
    assert!(
        ok > 100 && overflow > 100 && div_zero > 20,
        "{ok} {overflow} {div_zero}"
    );
}
