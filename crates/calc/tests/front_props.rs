//! Property tests of the calc front end: any input, however malformed, parses
//! or fails with well-formed diagnostics — never a panic.

use arenakit_arena::Arena;
use arenakit_calc::builder::ArenaBuilder;
use arenakit_calc::diag::{Diagnostic, DiagnosticKind};
use arenakit_calc::lexer::Tokens;
use arenakit_calc::parser::{parse, parse_tokens_with, parse_with};
use arenakit_calc::print::dump_program;
use arenakit_intern::Interner;
use proptest::prelude::*;

/// Parses `source` and checks the invariants every outcome must satisfy.
fn check_invariants(source: &str) -> Result<String, Vec<Diagnostic>> {
    let arena = Arena::new();
    let mut interner = Interner::new();
    match parse(source, &arena, &mut interner) {
        Ok(program) => Ok(dump_program(&program, &interner)),
        Err(errors) => {
            assert!(!errors.is_empty(), "an Err carries at least one diagnostic");
            let mut previous = 0;
            for error in &errors {
                let (start, end) = (error.span.start as usize, error.span.end as usize);
                assert!(
                    start <= end && end <= source.len(),
                    "{error:?} in {source:?}"
                );
                assert!(source.is_char_boundary(start) && source.is_char_boundary(end));
                assert!(start >= previous, "errors are in source order: {errors:?}");
                previous = start;
                assert!(!error.message.is_empty());
                assert_ne!(error.kind, DiagnosticKind::Runtime);
                let text = error.render("soup.calc", source, false);
                assert!(text.starts_with(&format!("error: {}\n", error.message)));
                let (line, column) = error.line_column(source);
                assert!(
                    text.contains(&format!("soup.calc:{line}:{column}")),
                    "{text}"
                );
            }
            Err(errors)
        }
    }
}

/// Fragments that make up plausible and implausible programs.
fn token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "(",
        ")",
        "(",
        ")",
        ",",
        ";",
        "\n",
        "\n",
        " ",
        "\t",
        "\r",
        "+",
        "-",
        "*",
        "/",
        "//",
        "%",
        "**",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "=",
        "let",
        "fn",
        "if",
        "then",
        "else",
        "and",
        "or",
        "not",
        "true",
        "false",
        "x",
        "f",
        "y1",
        "_",
        "0",
        "1",
        "42",
        "1_0",
        "2.5",
        "1e3",
        "9223372036854775807",
        "9223372036854775808",
        "#c\n",
        "\0",
        "@",
        ".",
        "é",
        "😀",
        "!",
        "\"",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn token_soup_never_panics(tokens in prop::collection::vec(token(), 0..60)) {
        let source: String = tokens.concat();
        let _ = check_invariants(&source);
    }

    #[test]
    fn pre_lexed_tokens_parse_the_same(tokens in prop::collection::vec(token(), 0..60)) {
        let source: String = tokens.concat();
        let arena = Arena::new();
        let mut interner = Interner::new();
        let direct = parse_with(&source, &mut ArenaBuilder::new(&arena), &mut interner);
        let lexed = Tokens::lex(&source, &mut interner);
        let via_tokens = parse_tokens_with(&lexed, &mut ArenaBuilder::new(&arena), &mut interner);
        prop_assert_eq!(direct, via_tokens);
    }

    #[test]
    fn arbitrary_text_never_panics(source in any::<String>()) {
        let _ = check_invariants(&source);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let source = String::from_utf8_lossy(&bytes);
        let _ = check_invariants(&source);
    }

    /// Renders spans anywhere, even outside the source or inside a character.
    #[test]
    fn rendering_never_panics(source in any::<String>(), start in 0u32..300, len in 0u32..300) {
        let error = Diagnostic::new(
            DiagnosticKind::Runtime,
            "some error",
            arenakit_calc::ast::Span::new(start, start.saturating_add(len)),
        );
        let text = error.render("any.calc", &source, true);
        prop_assert!(text.contains("some error"));
    }
}

/// Random expressions printed fully parenthesised must parse back into the
/// same tree, and so must the same expressions printed with only the
/// parentheses that the precedence table requires.
mod round_trip {
    use super::*;

    #[derive(Clone, Debug)]
    enum E {
        Leaf(String),
        Neg(Box<E>),
        Not(Box<E>),
        Bin(&'static str, Box<E>, Box<E>),
        If(Box<E>, Box<E>, Box<E>),
        Call(Vec<E>),
    }

    fn expr() -> impl Strategy<Value = E> {
        let leaf = prop::sample::select(vec!["1", "2.5", "x", "true", "y"])
            .prop_map(|s| E::Leaf(s.to_string()));
        leaf.prop_recursive(6, 64, 4, |inner| {
            prop_oneof![
                inner.clone().prop_map(|e| E::Neg(Box::new(e))),
                inner.clone().prop_map(|e| E::Not(Box::new(e))),
                (
                    prop::sample::select(vec![
                        "or", "and", "==", "<", "+", "-", "*", "//", "%", "**"
                    ]),
                    inner.clone(),
                    inner.clone()
                )
                    .prop_map(|(op, l, r)| E::Bin(op, Box::new(l), Box::new(r))),
                (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, t, e)| E::If(
                    Box::new(c),
                    Box::new(t),
                    Box::new(e)
                )),
                prop::collection::vec(inner, 0..3).prop_map(E::Call),
            ]
        })
    }

    /// The expected dump.
    fn sexp(e: &E) -> String {
        match e {
            E::Leaf(s) => s.clone(),
            E::Neg(x) => format!("(- {})", sexp(x)),
            E::Not(x) => format!("(not {})", sexp(x)),
            E::Bin(op, l, r) => format!("({op} {} {})", sexp(l), sexp(r)),
            E::If(c, t, e) => format!("(if {} {} {})", sexp(c), sexp(t), sexp(e)),
            E::Call(args) => {
                let mut s = "(call f".to_string();
                for a in args {
                    s.push(' ');
                    s.push_str(&sexp(a));
                }
                s + ")"
            }
        }
    }

    /// Source text with parentheses around every compound operand.
    fn source(e: &E) -> String {
        match e {
            E::Leaf(s) => s.clone(),
            E::Neg(x) => format!("-({})", source(x)),
            E::Not(x) => format!("not ({})", source(x)),
            E::Bin(op, l, r) => format!("({}) {op} ({})", source(l), source(r)),
            E::If(c, t, e) => format!("if {} then {} else {}", source(c), source(t), source(e)),
            E::Call(args) => {
                let args: Vec<String> = args.iter().map(source).collect();
                format!("f({})", args.join(", "))
            }
        }
    }

    /// How tightly an expression binds (the levels of the precedence table;
    /// `if` counts as loosest because its `else` branch runs on).
    fn level(e: &E) -> u8 {
        match e {
            E::If(..) => 0,
            E::Bin(op, ..) => match *op {
                "or" => 1,
                "and" => 2,
                "==" | "<" => 4,
                "+" | "-" => 5,
                "**" => 8,
                _ => 6,
            },
            E::Not(_) => 3,
            E::Neg(_) => 7,
            E::Leaf(_) | E::Call(_) => 9,
        }
    }

    /// Source text with only the parentheses the precedence table needs.
    fn minimal(e: &E) -> String {
        let wrap = |x: &E, parens: bool| {
            if parens {
                format!("({})", minimal(x))
            } else {
                minimal(x)
            }
        };
        match e {
            E::Leaf(s) => s.clone(),
            E::Neg(x) => format!("-{}", wrap(x, level(x) < 7)),
            E::Not(x) => format!("not {}", wrap(x, level(x) < 3)),
            E::Bin(op, l, r) => {
                let me = level(e);
                let (left, right) = match me {
                    // The base is a primary; the exponent may be signed.
                    8 => (level(l) < 9, level(r) < 7),
                    // Comparisons do not chain.
                    4 => (level(l) <= me, level(r) <= me),
                    _ => (level(l) < me, level(r) <= me),
                };
                format!("{} {op} {}", wrap(l, left), wrap(r, right))
            }
            E::If(c, t, e) => format!("if {} then {} else {}", minimal(c), minimal(t), minimal(e)),
            E::Call(args) => {
                let args: Vec<String> = args.iter().map(minimal).collect();
                format!("f({})", args.join(", "))
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn minimally_parenthesised_source_parses_back(e in expr()) {
            let text = minimal(&e);
            let dump = check_invariants(&text).map_err(|errs| {
                TestCaseError::fail(format!("{text:?}: {errs:?}"))
            })?;
            prop_assert_eq!(dump.trim_end(), sexp(&e), "source: {}", text);
        }

        #[test]
        fn parenthesised_source_parses_back(e in expr()) {
            let text = source(&e);
            let dump = check_invariants(&text).map_err(|errs| {
                TestCaseError::fail(format!("{text:?}: {errs:?}"))
            })?;
            prop_assert_eq!(dump.trim_end(), sexp(&e), "source: {}", text);
        }
    }
}
