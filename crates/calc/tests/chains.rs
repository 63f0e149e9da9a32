//! Long left-associative chains (`1 + 1 + … + 1`, `a and b and …`) through
//! the library API, on threads with Rust's default 2 MiB of stack: a chain
//! of any length is not nesting, so parsing, compiling, evaluating and
//! dumping it take no native stack in proportion to its length. Deep
//! nesting on such a thread is refused or evaluated, never a crash.
//!
//! Every expected value is computed here with plain Rust arithmetic, not
//! with calc.

use arenakit_arena::Arena;
use arenakit_calc::ast::Span;
use arenakit_calc::eval::{Evaluator, Limits, Outcome};
use arenakit_calc::parser::parse;
use arenakit_calc::print::dump_program;
use arenakit_calc::value::Value;
use arenakit_intern::Interner;

/// The operators of a long chain.
const TERMS: usize = 200_000;

/// The stack of a thread spawned with the standard library's defaults.
const DEFAULT_STACK: usize = 2 << 20;

/// Runs `f` on a new thread with the default 2 MiB of stack.
fn on_default_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(DEFAULT_STACK)
        .spawn(f)
        .expect("spawn a thread")
        .join()
        .expect("the pipeline neither panics nor overflows")
}

/// What running a statement gave: its value, or its error's message and
/// span.
#[derive(Debug, PartialEq)]
enum Got {
    Value(Value),
    Error(String, Span),
}

/// Parses, compiles and runs `source` on the current thread and returns
/// what its last statement gave, with the memo cache on or off. Every
/// statement before the last must succeed.
fn run(source: &str, memo: bool) -> Got {
    let arena = Arena::new();
    let mut interner = Interner::new();
    let limits = Limits {
        memo_capacity: if memo { 1_000 } else { 0 },
        ..Limits::default()
    };
    let mut eval = Evaluator::new(limits, &mut interner);
    let program = parse(source, &arena, &mut interner).expect("the source parses");
    let mut compiled = eval.compile(program.stmts, &interner);
    let last = compiled.pop().expect("a statement");
    for stmt in compiled {
        eval.run_owned(stmt)
            .expect("the statements before the last succeed");
    }
    match eval.run_owned(last) {
        Ok(Outcome::Value(v)) => Got::Value(v),
        Ok(other) => panic!("not an expression statement: {other:?}"),
        Err(e) => Got::Error(e.message, e.span),
    }
}

/// `first op term op term …` with `n` operators.
fn chain(first: &str, op: &str, term: &str, n: usize) -> String {
    format!("{first}{}", format!(" {op} {term}").repeat(n))
}

/// A small deterministic pseudo-random sequence (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A chain of `terms` operators mixing `+ - * // %` over the literals 1 to
/// 9, and its value: the products (`*`, `//` and `%` bind tighter) are
/// folded left to right, and so are the sums of the products. The
/// literals are positive, so Rust's `/` and `%` agree with calc's floored
/// ones.
fn mixed_chain(terms: usize, seed: u64) -> (String, i64) {
    let mut rng = Rng(seed);
    let mut source = String::from("7");
    let (mut sum, mut sign, mut product) = (0i64, 1i64, 7i64);
    for _ in 0..terms {
        let term = rng.below(9) as i64 + 1;
        let op = ["+", "+", "+", "-", "-", "-", "*", "*", "//", "%"][rng.below(10) as usize];
        source.push_str(&format!(" {op} {term}"));
        match op {
            "*" => product = product.checked_mul(term).expect("the test keeps to i64"),
            "//" => product /= term,
            "%" => product %= term,
            _ => {
                sum += sign * product;
                sign = if op == "+" { 1 } else { -1 };
                product = term;
            }
        }
    }
    (source, sum + sign * product)
}

#[test]
fn long_chains_evaluate_to_the_values_rust_computes() {
    let (mixed, mixed_value) = mixed_chain(TERMS, 0x9e37_79b9_7f4a_7c15);
    let tenths = (0..TERMS).fold(0.0f64, |sum, _| sum + 0.1);
    let cases = [
        (chain("0", "+", "1", TERMS), Value::Int(TERMS as i64)),
        (chain("0", "-", "3", TERMS), Value::Int(-3 * TERMS as i64)),
        (mixed, Value::Int(mixed_value)),
        (
            format!(
                "let x = -1\nlet y = 1\n{}",
                chain("x", "*", "y * x", TERMS / 2)
            ),
            Value::Int(if (TERMS / 2).is_multiple_of(2) { -1 } else { 1 }),
        ),
        (chain("0.0", "+", "0.1", TERMS), Value::Float(tenths)),
        (chain("true", "and", "true", TERMS), Value::Bool(true)),
        (chain("false", "or", "false", TERMS), Value::Bool(false)),
        (
            chain("false", "or", "false", TERMS) + " or true",
            Value::Bool(true),
        ),
        // Short-circuiting skips every right operand that would fail.
        (
            chain("false", "and", "(1 // 0 == 1)", TERMS),
            Value::Bool(false),
        ),
        (
            chain("true", "or", "(1 // 0 == 1)", TERMS),
            Value::Bool(true),
        ),
        (
            chain("true", "and", "true", TERMS) + " and false" + &chain("", "and", "1 // 0", TERMS),
            Value::Bool(false),
        ),
        // Comparisons and `and` close a chain of arithmetic.
        (
            chain("1", "+", "1", TERMS) + &format!(" == {} and 2 > 1", TERMS + 1),
            Value::Bool(true),
        ),
    ];
    for (source, expected) in cases {
        let head: String = source.chars().take(60).collect();
        let got = on_default_stack(move || run(&source, false));
        assert_eq!(got, Got::Value(expected), "{head}…");
    }
}

/// An error in the middle of a long chain is the one a short chain reports,
/// at the corresponding span.
#[test]
fn errors_inside_long_chains_are_those_of_short_chains() {
    // (source, the error's message, its span's start and end as byte
    // offsets in the source). `and` reports its offending operand; `+`
    // the whole chain up to its right operand.
    let and_prefix = chain("true", "and", "true", TERMS);
    let sum_prefix = chain("1", "+", "1", TERMS);
    let cases = [
        (
            format!("{and_prefix} and 1{}", chain("", "and", "true", TERMS)),
            "type error: cannot apply 'and' to int",
            and_prefix.len() + 5,
            and_prefix.len() + 6,
        ),
        (
            format!("{sum_prefix} and true{}", chain("", "and", "true", 10)),
            "type error: cannot apply 'and' to int",
            0,
            sum_prefix.len(),
        ),
        (
            format!("{sum_prefix} + true{}", chain("", "+", "1", TERMS)),
            "type error: cannot apply '+' to int and bool",
            0,
            sum_prefix.len() + 7,
        ),
        (
            format!("({sum_prefix}) // 0{}", chain("", "-", "1", TERMS)),
            "division by zero",
            0,
            sum_prefix.len() + 7,
        ),
        (
            format!("{sum_prefix} - 1 // 0{}", chain("", "-", "1", TERMS)),
            "division by zero",
            sum_prefix.len() + 3,
            sum_prefix.len() + 9,
        ),
        (
            format!("{and_prefix} and false or 2.5"),
            "type error: cannot apply 'or' to float",
            and_prefix.len() + 14,
            and_prefix.len() + 17,
        ),
    ];
    for (source, message, start, end) in cases {
        let expected = Got::Error(message.to_string(), Span::new(start as u32, end as u32));
        let head: String = source.chars().take(60).collect();
        let got = on_default_stack(move || run(&source, false));
        assert_eq!(got, expected, "{head}…");
    }
}

/// A function whose body is a long chain runs many times, with the memo
/// cache on and off; the calls are themselves a long chain.
#[test]
fn a_long_chain_in_a_function_body_runs_many_times() {
    let body = chain("n", "+", "1 - 2 * 1 + n // n", 1_000);
    let calls = (1..=2_000)
        .map(|k| format!("f({k})"))
        .collect::<Vec<_>>()
        .join(" + ");
    let source = format!("fn f(n) = {body}\n{calls} + f(1)");
    // f(n) = n + 1,000 * (1 - 2 + 1) = n.
    let expected = Value::Int((1..=2_000).sum::<i64>() + 1);
    for memo in [false, true] {
        let source = source.clone();
        let got = on_default_stack(move || run(&source, memo));
        assert_eq!(got, Got::Value(expected), "memo {memo}");
    }
}

#[test]
fn long_chains_dump_on_a_default_thread() {
    for (first, op, term) in [("1", "+", "x"), ("a", "or", "b"), ("2", "%", "3")] {
        let source = chain(first, op, term, TERMS);
        let expected = format!(
            "{}{first}{}\n",
            format!("({op} ").repeat(TERMS),
            format!(" {term})").repeat(TERMS)
        );
        let dump = on_default_stack(move || {
            let arena = Arena::new();
            let mut interner = Interner::new();
            let program = parse(&source, &arena, &mut interner).expect("the chain parses");
            dump_program(&program, &interner)
        });
        assert!(dump == expected, "{op}: {:.80}", dump);
    }
}

/// The deepest nesting that parses on a default thread compiles there too
/// (compiling does not recurse), and evaluating it gives a value or the
/// evaluator's stack guard stops it with `recursion limit exceeded`: never
/// a stack overflow.
#[test]
fn deep_nesting_compiles_and_runs_on_a_default_thread() {
    for (open, leaf, close) in [
        ("- ", "1", ""),
        ("not ", "true", ""),
        ("(", "1", ")"),
        ("-(", "1", ")"),
        ("abs(", "1", ")"),
        ("if true then 1 else ", "2", ""),
        ("1 + (", "1", ")"),
    ] {
        let outcomes = on_default_stack(move || {
            let mut outcomes = Vec::new();
            for levels in [1_000, 2_500, 5_000, 9_999] {
                let source = format!("{}{leaf}{}", open.repeat(levels), close.repeat(levels));
                let arena = Arena::new();
                let mut interner = Interner::new();
                let mut eval = Evaluator::new(Limits::default(), &mut interner);
                let outcome = match parse(&source, &arena, &mut interner) {
                    Err(errors) => errors[0].message.clone(),
                    Ok(program) => {
                        let compiled = eval.compile(program.stmts, &interner);
                        match eval.run(&compiled[0]) {
                            Ok(_) => "a value".to_string(),
                            Err(e) => e.message,
                        }
                    }
                };
                outcomes.push(outcome);
            }
            outcomes
        });
        for outcome in &outcomes {
            assert!(
                ["a value", "recursion limit exceeded", "nesting too deep"]
                    .contains(&outcome.as_str()),
                "{open:?}: {outcomes:?}"
            );
        }
        // 1,000 levels always parse. (Whether they evaluate depends on the
        // build: off a large-stack thread the evaluator allows itself only
        // 1 MiB of stack.)
        assert_ne!(outcomes[0], "nesting too deep", "{open:?}");
    }
}
