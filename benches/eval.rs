//! calc evaluation: naive recursive `fib(25)` with memoisation off, parsed
//! and compiled once and evaluated in the loop, then the same program under
//! `python3` for the ratio the README reports.
//!
//! Criterion times the calc evaluation. For the ratio, both sides are then
//! timed the same simple way — the best of 15 single `fib(25)` calls — calc
//! in this process and Python in `python3 benches/python/fib.py 25 15`, in
//! three alternating rounds so that a burst of load on a shared machine does
//! not fall on one side only; the best of each side is kept and the ratio is
//! printed as `python3 / calc`. Without `python3` on the PATH the comparison
//! is skipped with a note.

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use arenakit::arena::Arena;
use arenakit::calc::eval::{CompiledStmt, Evaluator, Limits, Outcome};
use arenakit::calc::parser::parse;
use arenakit::calc::value::Value;
use arenakit::intern::Interner;
use criterion::Criterion;

const N: u32 = 25;
const RUNS: u32 = 15;
const ROUNDS: u32 = 3;

/// The program the bench and `benches/python/fib.py` both run.
fn program() -> String {
    format!("fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\nfib({N})")
}

/// An evaluator with `fib` defined and the compiled `fib(N)` call.
fn setup() -> (Evaluator, CompiledStmt) {
    let arena = Arena::new();
    let mut interner = Interner::new();
    let mut eval = Evaluator::new(
        Limits {
            memo_capacity: 0,
            max_depth: 10_000,
        },
        &mut interner,
    );
    let source = program();
    let parsed = parse(&source, &arena, &mut interner).expect("the benchmark program parses");
    let mut compiled = eval.compile(parsed.stmts, &interner);
    let call = compiled.pop().expect("two statements");
    let define = compiled.pop().expect("two statements");
    eval.run_owned(define).expect("fib is defined");
    (eval, call)
}

fn fib_value(eval: &mut Evaluator, call: &CompiledStmt) -> Value {
    match eval.run(call) {
        Ok(Outcome::Value(v)) => v,
        other => panic!("fib({N}) failed: {other:?}"),
    }
}

fn bench_fib(c: &mut Criterion) {
    let (mut eval, call) = setup();
    assert_eq!(fib_value(&mut eval, &call), Value::Int(75_025));
    let mut group = c.benchmark_group("calc_eval");
    group.sample_size(20);
    group.bench_function("fib25_memo_off", |b| {
        b.iter(|| black_box(fib_value(&mut eval, black_box(&call))))
    });
    group.finish();
}

/// The best of `RUNS` single evaluations.
fn best_calc_time() -> Duration {
    let (mut eval, call) = setup();
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(fib_value(&mut eval, &call));
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn best_python_time() -> Option<Duration> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/python/fib.py");
    let output = Command::new("python3")
        .args([script, &N.to_string(), &RUNS.to_string()])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let seconds: f64 = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs_f64(seconds))
}

fn compare_with_python() {
    let mut calc = Duration::MAX;
    let mut python: Option<Duration> = None;
    for _ in 0..ROUNDS {
        calc = calc.min(best_calc_time());
        if let Some(p) = best_python_time() {
            python = Some(python.map_or(p, |best| best.min(p)));
        }
    }
    match python {
        Some(python) => println!(
            "fib({N}), best of {ROUNDS}x{RUNS}: calc {:.2} ms, python3 {:.2} ms, python3 / calc = {:.2}x",
            calc.as_secs_f64() * 1e3,
            python.as_secs_f64() * 1e3,
            python.as_secs_f64() / calc.as_secs_f64(),
        ),
        None => println!(
            "fib({N}), best of {ROUNDS}x{RUNS}: calc {:.2} ms; python3 not available, no ratio",
            calc.as_secs_f64() * 1e3
        ),
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench_fib(&mut criterion);
    criterion.final_summary();
    compare_with_python();
}
