//! Memoisation never changes a result, also where the native stack guard
//! stops a deep computation: a function whose body nests many levels around
//! its recursive call runs out of native stack before the recursion limit,
//! and it must do so at the same call, with the same error, whether the
//! memo cache is on or off, and whatever the cache already holds.
//!
//! The guard's budget depends on the build (a debug build's frames are
//! larger), so each test first finds, with memoisation off, the smallest
//! argument at which the guard stops the function, then checks the memoised
//! runs against the unmemoised ones around it.

use arenakit_arena::Arena;
use arenakit_calc::ast::Span;
use arenakit_calc::eval::{Evaluator, Limits, Outcome};
use arenakit_calc::parser::parse;
use arenakit_calc::stack::run_with_stack;
use arenakit_calc::value::Value;
use arenakit_intern::Interner;

/// The stack of the thread the programs run on: small, so that the guard
/// trips after a few hundred calls.
const STACK: usize = 16 << 20;

/// A recursion limit the guard always reaches first.
const NO_LIMIT: usize = 1 << 30;

/// How many levels the function's body nests around its recursive call.
const NESTING: usize = 40;

/// `f(n)` is `n`, computed by recursing to `f(0)` through `NESTING` levels
/// of `0 + (…)` at each call.
fn definition() -> String {
    format!(
        "fn f(n) = if n == 0 then 0 else {}1 + f(n - 1){}",
        "0 + (".repeat(NESTING),
        ")".repeat(NESTING)
    )
}

/// What a run printed, and the error it stopped with.
#[derive(Debug, PartialEq)]
struct Run {
    values: Vec<Value>,
    error: Option<(String, Span)>,
}

/// Runs the definition of `f`, then `f(n)` for each `n` of `calls`, on a
/// thread with `STACK` bytes of stack, with the memo cache on or off.
fn run(calls: &[i64], memo: bool) -> Run {
    let source = std::iter::once(definition())
        .chain(calls.iter().map(|n| format!("f({n})")))
        .collect::<Vec<_>>()
        .join("\n");
    run_with_stack(STACK, move || {
        let arena = Arena::new();
        let mut interner = Interner::new();
        let limits = Limits {
            memo_capacity: if memo { 10_000 } else { 0 },
            max_depth: NO_LIMIT,
        };
        let mut eval = Evaluator::new(limits, &mut interner);
        let program = parse(&source, &arena, &mut interner).expect("the source parses");
        let mut run = Run {
            values: Vec::new(),
            error: None,
        };
        for stmt in eval.compile(program.stmts, &interner) {
            match eval.run_owned(stmt) {
                Ok(Outcome::Value(v)) => run.values.push(v),
                Ok(_) => {}
                Err(e) => {
                    run.error = Some((e.message, e.span));
                    break;
                }
            }
        }
        run
    })
}

/// The smallest `n` for which `f(n)` alone, unmemoised, is stopped by the
/// guard.
fn first_stopped() -> i64 {
    let stops = |n: i64| run(&[n], false).error.is_some();
    let mut high = 16;
    while !stops(high) {
        high *= 2;
        assert!(high < 1 << 20, "the guard never stopped f");
    }
    let mut low = high / 2;
    // `low` runs (or is below 16, which runs), `high` is stopped.
    while high - low > 1 {
        let mid = (low + high) / 2;
        if stops(mid) { high = mid } else { low = mid }
    }
    high
}

#[test]
fn the_guard_stops_at_the_same_call_with_memoisation_on_or_off() {
    let stop = first_stopped();
    let last_fit = run(&[stop - 1], false);
    assert_eq!(
        last_fit.values,
        [Value::Int(stop - 1)],
        "f({}) runs",
        stop - 1
    );
    let stopped = run(&[stop], false);
    let (message, _) = stopped.error.as_ref().expect("f(stop) is stopped");
    assert_eq!(message, "recursion limit exceeded");
    for n in stop - 3..=stop + 3 {
        assert_eq!(run(&[n], true), run(&[n], false), "f({n})");
    }
}

#[test]
fn a_cached_result_is_used_only_where_computing_it_would_fit() {
    let stop = first_stopped();
    // Each program first fills the cache with a result, then makes a call
    // that reaches it: deeper than where it was computed, which must fail
    // as it does without the cache when the cached computation would not
    // fit below, and use it when it would.
    let programs: [&[i64]; 5] = [
        &[stop - 1, stop],
        &[stop - 1, stop + 2],
        &[stop - 2, stop - 1],
        &[stop / 2, stop - 1, stop],
        &[stop / 2, stop + stop / 2],
    ];
    for calls in programs {
        let unmemoised = run(calls, false);
        assert_eq!(run(calls, true), unmemoised, "f of {calls:?}");
    }
    // The first program's second call is stopped, the third's is not.
    assert!(run(&[stop - 1, stop], true).error.is_some());
    assert_eq!(
        run(&[stop - 2, stop - 1], true).values,
        [Value::Int(stop - 2), Value::Int(stop - 1)]
    );
}
