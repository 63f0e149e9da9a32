//! The REPL's behaviour through a scripted line reader, and its memory:
//! expression lines must not grow the session, definitions must live on.

use arenakit_calc::eval::Limits;
use arenakit_calc::repl::{self, CONTINUATION_PROMPT, PROMPT, ScriptedReader};
use arenakit_calc::session::Session;
use arenakit_calc::stack::run_with_stack;

fn run_script(reader: &mut ScriptedReader) -> (String, String) {
    run_script_with(Limits::default(), false, reader)
}

/// Runs the prompt over `reader` with `limits`, printing trees with `ast`;
/// what it wrote to stdout and to stderr.
fn run_script_with(limits: Limits, ast: bool, reader: &mut ScriptedReader) -> (String, String) {
    let mut session = Session::new(limits);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    repl::run(&mut session, reader, &mut out, &mut err, ast, false);
    (
        String::from_utf8(out).expect("UTF-8"),
        String::from_utf8(err).expect("UTF-8"),
    )
}

#[test]
fn values_echoes_errors_and_continuation() {
    let mut reader = ScriptedReader::new([
        "fn add(a,",
        "       b) = a + b",
        "add(1, 2)",
        "1 / 0",
        "let x = add(2, 3)",
        "x * 2   # a comment with a ( in it",
        "",
        "(1 +",
        "",
        " 2)",
        "let y = 1; y + 1",
    ]);
    let (out, err) = run_script(&mut reader);
    assert_eq!(out, "fn add(a, b)\n3\nx = 5\n10\n3\ny = 1\n2\n");
    assert!(err.starts_with("error: division by zero\n"), "{err}");
    assert!(err.contains("<input>:1:1"), "{err}");
    assert_eq!(
        reader.prompts,
        [
            PROMPT,
            CONTINUATION_PROMPT,
            PROMPT,
            PROMPT,
            PROMPT,
            PROMPT,
            PROMPT,
            PROMPT,
            CONTINUATION_PROMPT,
            CONTINUATION_PROMPT,
            PROMPT,
            PROMPT,
        ]
    );
    assert_eq!(reader.history[0], "fn add(a,\n       b) = a + b");
    assert_eq!(reader.history.len(), 7);
}

#[test]
fn syntax_errors_are_reported_and_the_session_goes_on() {
    let mut reader = ScriptedReader::new(["1 +", "2 $ 3", "let z = 4", "z"]);
    let (out, err) = run_script(&mut reader);
    assert_eq!(out, "z = 4\n4\n");
    assert_eq!(err.matches("error: ").count(), 2, "{err}");
    assert!(err.contains("unexpected character"), "{err}");
}

/// The first runtime error stops the entry: statements before it have run,
/// the ones after it do not.
#[test]
fn a_runtime_error_stops_the_rest_of_its_entry() {
    let mut reader = ScriptedReader::new(["let a = 1; 1 / 0; let b = 2", "a", "b"]);
    let (out, err) = run_script(&mut reader);
    assert_eq!(out, "a = 1\n1\n");
    assert_eq!(err.matches("error: ").count(), 2, "{err}");
    assert!(err.starts_with("error: division by zero\n"), "{err}");
    assert!(err.contains("error: undefined variable 'b'"), "{err}");
}

/// An error is never cached: the call that failed for want of depth in one
/// entry runs in the next.
#[test]
fn a_failed_call_is_not_memoised() {
    let limits = Limits {
        max_depth: 50,
        ..Limits::default()
    };
    let mut reader = ScriptedReader::new([
        "fn d(n) = if n == 0 then 0 else 1 + d(n - 1)",
        "d(60)",
        "d(10)",
    ]);
    let (out, err) = run_script_with(limits, false, &mut reader);
    assert_eq!(out, "fn d(n)\n10\n");
    assert_eq!(err.matches("error: ").count(), 1, "{err}");
    assert!(
        err.starts_with("error: recursion limit exceeded\n"),
        "{err}"
    );
}

/// With `--ast`, each entry's tree is printed and nothing is evaluated or
/// defined.
#[test]
fn ast_prints_each_entry_tree() {
    let mut reader = ScriptedReader::new(["1+2*3", "let x = 1 / 0; f(x)", "1 +", "x"]);
    let (out, err) = run_script_with(Limits::default(), true, &mut reader);
    assert_eq!(out, "(+ 1 (* 2 3))\n(let x (/ 1 0))\n(call f x)\nx\n");
    assert_eq!(err.matches("error: ").count(), 1, "{err}");
    assert!(err.starts_with("error: expected an expression"), "{err}");
}

#[test]
fn ctrl_c_abandons_the_entry_being_typed() {
    let mut reader = ScriptedReader::new(["(1 +"]);
    reader.push_interrupt();
    reader.push_line("7");
    let (out, err) = run_script(&mut reader);
    assert_eq!(out, "7\n");
    assert_eq!(err, "");
    assert_eq!(reader.history, ["7"]);
    assert_eq!(
        reader.prompts,
        [PROMPT, CONTINUATION_PROMPT, PROMPT, PROMPT]
    );
}

/// Ctrl-D at a continuation prompt ends the entry, which is reported as it
/// stands; the session goes on, and a Ctrl-D at the main prompt leaves it.
#[test]
fn ctrl_d_ends_an_open_entry_then_the_session() {
    let mut reader = ScriptedReader::new(["let x = 2", "(x +"]);
    reader.push_eof();
    reader.push_line("x * 3");
    reader.push_eof();
    reader.push_line("x * 4");
    let (out, err) = run_script(&mut reader);
    assert_eq!(out, "x = 2\n6\n");
    assert!(err.starts_with("error: unclosed '('"), "{err}");
    assert_eq!(
        reader.prompts,
        [PROMPT, PROMPT, CONTINUATION_PROMPT, PROMPT, PROMPT]
    );
}

/// A line the terminal delivers with bytes that are not UTF-8 is an error of
/// that entry, like any unexpected character, not the end of the session.
#[test]
fn a_line_that_is_not_utf8_is_reported_and_the_session_goes_on() {
    let mut reader = ScriptedReader::new(["let x = 2"]);
    reader.push_invalid();
    reader.push_line("(x +");
    reader.push_invalid();
    reader.push_line("x * 3");
    let (out, err) = run_script(&mut reader);
    assert_eq!(out, "x = 2\n6\n");
    // One error for each bad line, and nothing else: the bad continuation
    // line ends its entry and is reported on that entry's second line.
    assert_eq!(err.matches("error: ").count(), 2, "{err}");
    assert_eq!(
        err.matches("error: unexpected character").count(),
        2,
        "{err}"
    );
    assert!(err.contains("<input>:1:1"), "{err}");
    assert!(err.contains("<input>:2:1"), "{err}");
    assert_eq!(
        reader.prompts,
        [PROMPT, PROMPT, PROMPT, CONTINUATION_PROMPT, PROMPT, PROMPT]
    );
}

#[test]
fn errors_inside_earlier_definitions_show_their_own_line() {
    let mut reader = ScriptedReader::new(["fn inv(x) = 1 / x", "let unrelated = 10", "inv(0)"]);
    let (_, err) = run_script(&mut reader);
    assert!(err.contains("division by zero"), "{err}");
    assert!(err.contains("fn inv(x) = 1 / x"), "{err}");
}

#[test]
fn redefinitions_do_not_keep_old_sources() {
    let mut session = Session::new(Limits::default());
    let mut out = Vec::new();
    for i in 0..100 {
        session
            .eval_line(&format!("fn f(x) = x + {i}"), &mut out)
            .expect("defines");
        session.eval_line("fn g() = 1", &mut out).expect("defines");
    }
    session.eval_line("let f = 0", &mut out).expect("rebinds");
    session.eval_line("1", &mut out).expect("evaluates");
    // Only the line defining the live `g` is kept.
    assert_eq!(session.stats().kept_sources, 1);
}

#[test]
fn continuation_detection_ignores_comments() {
    assert_eq!(repl::open_parens("f(1,"), 1);
    assert_eq!(repl::open_parens("f(1, # )"), 1);
    assert_eq!(repl::open_parens("f(1, # )\n2)"), 0);
    assert_eq!(repl::open_parens("((("), 3);
    assert_eq!(repl::open_parens(")"), 0);
}

/// Deep recursion works through the library too: off a calc stack thread,
/// the session moves the work onto one.
#[test]
fn deep_recursion_through_the_library_on_a_test_thread() {
    let mut session = Session::new(Limits::default());
    let mut out = Vec::new();
    session
        .eval_line(
            "fn down(n) = if n == 0 then 0 else 1 + down(n - 1)\ndown(9000)",
            &mut out,
        )
        .expect("a depth-9,000 recursion succeeds");
    assert_eq!(out, b"fn down(n)\n9000\n");
    let nested = format!("{}1{}", "(".repeat(1_000), ")".repeat(1_000));
    out.clear();
    session
        .eval_line(&nested, &mut out)
        .expect("deep nesting evaluates");
    assert_eq!(out, b"1\n");
}

/// Pushes many expression lines through the REPL's line-evaluation path and
/// checks that the arena, the interner and the global table do not grow.
/// `REPL_LINES` overrides the count (the README's measurement used
/// 1,000,000 lines with `--release`).
#[test]
fn expression_lines_do_not_grow_memory() {
    // As in the REPL, run on a calc stack thread, so no line needs a thread
    // of its own.
    run_with_stack(64 << 20, expression_lines_do_not_grow_memory_here);
}

fn expression_lines_do_not_grow_memory_here() {
    let lines: usize = std::env::var("REPL_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut session = Session::new(Limits::default());
    let mut sink = Vec::new();
    session
        .eval_line("fn sq(x) = x * x", &mut sink)
        .expect("definition");
    session
        .eval_line("let base = 1000", &mut sink)
        .expect("definition");
    let line = |i: usize| format!("sq({i}) + base * {i} // 7 - (if {i} % 2 == 0 then 1 else 2)");
    // Warm up: let the arena reach its working size and the memo cache fill.
    for i in 0..20_000 {
        sink.clear();
        session.eval_line(&line(i), &mut sink).expect("evaluates");
    }
    let before = session.stats();
    for i in 0..lines {
        sink.clear();
        session.eval_line(&line(i), &mut sink).expect("evaluates");
    }
    let after = session.stats();
    // The last line's value is right, so the loop really evaluated.
    let i = lines - 1;
    let i = i as i64;
    let expect = i * i + 1000 * i / 7 - if i % 2 == 0 { 1 } else { 2 };
    assert_eq!(String::from_utf8(sink).unwrap(), format!("{expect}\n"));
    eprintln!(
        "{lines} lines: arena reserved {} -> {} bytes ({} -> {} chunks), \
         last parse {} -> {} bytes, symbols {} -> {}, memo entries {} -> {}",
        before.arena_now.reserved_bytes,
        after.arena_now.reserved_bytes,
        before.arena_now.chunk_count,
        after.arena_now.chunk_count,
        before.arena_after_parse.allocated_bytes,
        after.arena_after_parse.allocated_bytes,
        before.symbols,
        after.symbols,
        before.eval.memo_len,
        after.eval.memo_len,
    );
    assert_eq!(
        after.arena_now.reserved_bytes,
        before.arena_now.reserved_bytes
    );
    assert_eq!(after.arena_now.chunk_count, before.arena_now.chunk_count);
    assert_eq!(after.arena_now.allocated_bytes, 0);
    assert_eq!(after.symbols, before.symbols);
    assert_eq!(after.eval.globals, before.eval.globals);
    assert!(after.eval.memo_len <= after.eval.memo_capacity);
    // The definitions lived on through all of it.
    let mut out = Vec::new();
    session.eval_line("sq(base)", &mut out).expect("evaluates");
    assert_eq!(out, b"1000000\n");
}

/// Names that a line uses without defining are forgotten with the line:
/// the globals and the interner stay as they were, however many such names
/// the lines bring, while definitions keep theirs.
#[test]
fn new_names_in_expression_lines_do_not_grow_memory() {
    run_with_stack(
        64 << 20,
        new_names_in_expression_lines_do_not_grow_memory_here,
    );
}

fn new_names_in_expression_lines_do_not_grow_memory_here() {
    let mut session = Session::new(Limits::default());
    let mut sink = Vec::new();
    session
        .eval_line("fn f(x) = x + later", &mut sink)
        .expect("definition");
    let before = session.stats();
    for i in 0..5_000 {
        sink.clear();
        // A value from a branch never taken, an undefined variable, an
        // undefined function and a syntax error, each with a new name.
        let value = format!("if true then {i} else unused_{i}");
        session.eval_line(&value, &mut sink).expect("evaluates");
        assert_eq!(sink, format!("{i}\n").as_bytes());
        for failing in [
            format!("missing_{i} + 1"),
            format!("nowhere_{i}(2)"),
            format!("broken_{i} +"),
        ] {
            assert!(session.eval_line(&failing, &mut sink).is_err());
        }
    }
    let after = session.stats();
    assert_eq!(after.eval.globals, before.eval.globals);
    assert!(
        after.symbols <= 2 * after.eval.globals + 64,
        "{} symbols for {} globals",
        after.symbols,
        after.eval.globals
    );
    // Definitions and the names their bodies use live on, and every name
    // still resolves after the interner was rebuilt.
    session
        .eval_line("let later = 10", &mut sink)
        .expect("defines");
    let mut out = Vec::new();
    session
        .eval_line("f(1) + abs(-1)", &mut out)
        .expect("evaluates");
    assert_eq!(out, b"12\n");
    assert!(session.eval_line("unused_7", &mut out).is_err());
}
