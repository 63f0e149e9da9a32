//! Golden tests of the calc front end.
//!
//! Every `tests/front/NAME.calc` is parsed; a program that parses must match
//! `NAME.ast` (the `--ast` dump), one that does not must match `NAME.err`
//! (every diagnostic, rendered without colour). Run with `BLESS=1` to write
//! the expected files from the current output — and then read them against
//! the language specification before committing them.
//!
//! The deep-nesting cases are generated here rather than stored, and the
//! examples in `grammar/NOTES.md` are checked too, so the grammar notes
//! cannot drift from the parser.

use arenakit_arena::Arena;
use arenakit_calc::diag::Diagnostic;
use arenakit_calc::parser::{MAX_NESTING, parse};
use arenakit_calc::print::dump_program;
use arenakit_intern::Interner;
use std::path::{Path, PathBuf};

/// Stack for the parser threads: deep inputs need more than a test thread's
/// default, exactly as the command line gives its pipeline a large stack.
const STACK: usize = 256 << 20;

/// What parsing `source` gives: the dump, or the rendered diagnostics.
enum Outcome {
    Ast(String),
    Errors(String, Vec<Diagnostic>),
}

fn run(file_name: &str, source: &str) -> Outcome {
    let arena = Arena::new();
    let mut interner = Interner::new();
    match parse(source, &arena, &mut interner) {
        Ok(program) => Outcome::Ast(dump_program(&program, &interner)),
        Err(errors) => {
            let text = errors
                .iter()
                .map(|error| error.render(file_name, source, false))
                .collect();
            Outcome::Errors(text, errors)
        }
    }
}

/// Runs `run` on a thread with a large stack.
fn run_big_stack(file_name: &str, source: String) -> Outcome {
    run_with_stack(STACK, file_name, source)
}

/// Runs `run` on a thread with `stack` bytes of stack.
fn run_with_stack(stack: usize, file_name: &str, source: String) -> Outcome {
    let file_name = file_name.to_string();
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || run(&file_name, &source))
        .expect("spawn a parser thread")
        .join()
        .expect("the parser does not panic")
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/front")
}

#[test]
fn golden_files() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .expect("tests/front exists")
        .map(|entry| entry.expect("readable directory").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "calc"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 10, "the golden inputs are missing");

    let mut failures = Vec::new();
    for input in &inputs {
        let source = std::fs::read_to_string(input).expect("readable input");
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let (got, ext, other) = match run_big_stack(&name, source) {
            Outcome::Ast(dump) => (dump, "ast", "err"),
            Outcome::Errors(text, _) => (text, "err", "ast"),
        };
        let expected_path = input.with_extension(ext);
        let stale_path = input.with_extension(other);
        if bless {
            std::fs::write(&expected_path, &got).expect("write the expected output");
            let _ = std::fs::remove_file(&stale_path);
            continue;
        }
        if stale_path.exists() {
            failures.push(format!(
                "{name}: expected {} but got .{ext}:\n{got}",
                stale_path.display()
            ));
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == got => {}
            Ok(expected) => failures.push(format!(
                "{name}: output differs from {}\n--- expected\n{expected}--- got\n{got}",
                expected_path.display()
            )),
            Err(_) => failures.push(format!(
                "{name}: {} is missing; got:\n{got}",
                expected_path.display()
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden file(s) differ (run with BLESS=1 to update, then review):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The messages of the diagnostics for `source`, or the dump when it parses.
fn messages(source: String) -> Result<String, Vec<String>> {
    match run_big_stack("deep.calc", source) {
        Outcome::Ast(dump) => Ok(dump),
        Outcome::Errors(_, errors) => Err(errors.into_iter().map(|e| e.message).collect()),
    }
}

fn nested(open: &str, leaf: &str, close: &str, levels: usize) -> String {
    format!("{}{leaf}{}", open.repeat(levels), close.repeat(levels))
}

#[test]
fn a_thousand_levels_parse() {
    let cases = [
        ("(", "1", ")"),
        ("-", "1", ""),
        ("-(", "1", ")"),
        ("not ", "true", ""),
        ("if true then 1 else ", "2", ""),
        ("if (", "true", ") then 1 else 2"),
        ("f(", "1", ")"),
        ("2 ** ", "2", ""),
        ("1 + (", "1", ")"),
        ("x == -f(", "1", ")"),
    ];
    for (open, leaf, close) in cases {
        let source = nested(open, leaf, close, 1000);
        let dump = messages(source).unwrap_or_else(|e| panic!("{open:?}: {e:?}"));
        // Parentheses leave no trace in the tree; every other level adds a
        // node to the dump.
        if open == "(" {
            assert_eq!(dump, "1\n");
        } else {
            assert!(dump.len() > 2000, "{open:?}: {dump:.80}");
        }
    }
    // The exact tree for a few levels.
    assert_eq!(
        messages(nested("-(", "1", ")", 3)).unwrap(),
        "(- (- (- 1)))\n"
    );
    assert_eq!(
        messages(nested("if c then 1 else ", "2", "", 2)).unwrap(),
        "(if c 1 (if c 1 2))\n"
    );
}

#[test]
fn far_deeper_nesting_is_refused() {
    let cases = [
        ("(", "1", ")"),
        ("-", "1", ""),
        ("-(", "1", ")"),
        ("not ", "true", ""),
        ("if true then 1 else ", "2", ""),
        ("f(", "1", ")"),
        ("2 ** ", "2", ""),
        ("[", "1", ""),
    ];
    for levels in [MAX_NESTING as usize + 1, 100_000] {
        for (open, leaf, close) in cases {
            let open = open.replace('[', "(");
            let source = nested(&open, leaf, close, levels);
            let errors = messages(source).expect_err("too deep to parse");
            assert_eq!(errors, ["nesting too deep"], "{open:?} x {levels}");
        }
    }
    for open in ["(", "-", "f("] {
        let source = open.repeat(1_000_000);
        assert_eq!(messages(source).unwrap_err(), ["nesting too deep"]);
    }
}

/// The parser keeps within its stack budget, so even a thread with Rust's
/// default 2 MiB of stack parses 1,000 levels and refuses far more.
#[test]
fn a_default_thread_stack_is_enough() {
    let stack = 2 << 20;
    for (open, leaf, close) in [
        ("(", "1", ")"),
        ("-(", "1", ")"),
        ("if (", "true", ") then 1 else 2"),
        ("f(", "1", ")"),
        ("if true then 1 else ", "2", ""),
    ] {
        let ok = run_with_stack(stack, "ok.calc", nested(open, leaf, close, 1000));
        assert!(matches!(ok, Outcome::Ast(_)), "{open:?} x 1000");
        let deep = run_with_stack(stack, "deep.calc", nested(open, leaf, close, 100_000));
        let Outcome::Errors(_, errors) = deep else {
            panic!("{open:?} x 100000 parsed")
        };
        let messages: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, ["nesting too deep"], "{open:?}");
    }
}

/// The `--ast` dump of `first op term op term …` with `n` operators, all of
/// one precedence level, built the slow obvious way.
fn chain_dump(first: &str, op: &str, term: &str, n: usize) -> String {
    format!(
        "{}{first}{}\n",
        format!("({op} ").repeat(n),
        format!(" {term})").repeat(n)
    )
}

/// A left-associative chain is built by a loop, and every walk follows its
/// left operands with a loop too, so a chain of any length is not nesting:
/// it parses, on a big stack or a small one, and its tree is exact.
#[test]
fn long_left_chains_parse() {
    let cases = [
        ("1", "+", "1"),
        ("x", "*", "y"),
        ("true", "and", "b"),
        ("false", "or", "true"),
        ("10", "//", "3"),
    ];
    for n in [MAX_NESTING as usize - 1, MAX_NESTING as usize, 200_000] {
        for (first, op, term) in cases {
            let source = format!("{first}{}", format!(" {op} {term}").repeat(n));
            let expected = chain_dump(first, op, term, n);
            assert_eq!(
                messages(source.clone()).as_ref(),
                Ok(&expected),
                "{op} x {n}"
            );
            let small = run_with_stack(2 << 20, "chain.calc", source);
            assert!(
                matches!(&small, Outcome::Ast(dump) if *dump == expected),
                "{op} x {n} on a 2 MiB thread"
            );
        }
    }
    // Operators of different levels mix in one chain: the tighter ones make
    // chains of their own as right operands, and a comparison or `and` may
    // close it.
    let mixed = format!("0{} < 2 and true", " + 1 + 2 * 3 - 4 // 2".repeat(50_000));
    let dump = messages(mixed).expect("a long mixed chain parses");
    assert!(dump.starts_with("(and (< (- (+ (+ (- (+ (+ "), "{dump:.80}");
    assert!(dump.contains("(+ (+ 0 1) (* 2 3)) (// 4 2)) 1) (* 2 3)) (// 4 2))"));
    assert!(dump.ends_with(" 1) (* 2 3)) (// 4 2)) 2) true)\n"));
    assert_eq!(dump.matches("(+ ").count(), 100_000);
    // Nesting inside a chain's operands still counts.
    let deep_operand = format!("1 + 1 + {}1{}", "(".repeat(100_000), ")".repeat(100_000));
    assert_eq!(messages(deep_operand).unwrap_err(), ["nesting too deep"]);
}

/// A float literal is its exact value, correctly rounded, however many
/// digits it has and however long its exponent is, also when the digits
/// balance an exponent of a million (too long for the standard library's
/// parser to read on its own). The literals are generated, as they are
/// megabytes long.
#[test]
fn float_literals_with_long_exponents_read_exactly() {
    let n = 1_000_000;
    let zeros = "0".repeat(n);
    let cases = [
        (format!("1{zeros}e-{n}"), "1.0"),
        (format!("1{zeros}.0e-{n}"), "1.0"),
        (format!("0.{zeros}1e{n}"), "0.1"),
        (format!("0.{zeros}1e+{}", n - 5), "1e-06"),
        (format!("12_5{zeros}e-{}", n + 2), "1.25"),
        (format!("1{zeros}e-{}", n + 320), "1e-320"),
        (format!("1{zeros}e-{}", n + 330), "0.0"),
        (format!("1{zeros}e-{}", n - 308), "1e+308"),
        (format!("2{zeros}e-{}", n - 308), "inf"),
        (format!("0.{zeros}e{n}"), "0.0"),
        ("1e0000000000000000000000007".to_string(), "10000000.0"),
        ("1e-0000000000000000000000007".to_string(), "1e-07"),
        (format!("1e{}", "9".repeat(30)), "inf"),
        (format!("1e-{}", "9".repeat(30)), "0.0"),
        ("0e999999".to_string(), "0.0"),
        ("1e-323999".to_string(), "0.0"),
        ("2.5e-000003".to_string(), "0.0025"),
        ("1_0.0_5e-0000001".to_string(), "1.005"),
        ("4.9406564584124654e-324".to_string(), "5e-324"),
    ];
    for (source, expected) in cases {
        let got = messages(source.clone()).unwrap_or_else(|e| panic!("{source:.40}: {e:?}"));
        assert_eq!(got.trim_end(), expected, "{source:.40}…");
    }
}

#[test]
fn a_deep_statement_does_not_hide_the_next_errors() {
    let source = format!("{}\n1 +\n", "-".repeat(100_000) + "1");
    assert_eq!(
        messages(source).unwrap_err(),
        [
            "nesting too deep",
            "expected an expression, found a newline"
        ]
    );
}

/// `grammar/NOTES.md` lists examples as `source ⇒ result` lines inside
/// ```` ```examples ```` blocks; `result` is the dump of the one statement,
/// or `error: message` for the first diagnostic. `\n` in a source stands
/// for a newline.
#[test]
fn grammar_examples_agree_with_the_parser() {
    let notes = include_str!("../../../grammar/NOTES.md");
    let mut in_block = false;
    let mut checked = 0;
    for line in notes.lines() {
        if line.trim() == "```examples" {
            in_block = true;
            continue;
        }
        if line.trim() == "```" {
            in_block = false;
            continue;
        }
        if !in_block || line.trim().is_empty() {
            continue;
        }
        let (source, expected) = line
            .split_once('⇒')
            .unwrap_or_else(|| panic!("an example needs '⇒': {line}"));
        let source = source.trim().replace("\\n", "\n");
        let expected = expected.trim();
        let got = match messages(source.clone()) {
            Ok(dump) => dump.trim_end().replace('\n', " | "),
            Err(errors) => format!("error: {}", errors[0]),
        };
        assert_eq!(got, expected, "grammar/NOTES.md example {source:?}");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} grammar examples found");
}
