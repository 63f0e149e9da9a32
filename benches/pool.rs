//! Pool allocation of a small value: `arenakit_arena::Pool` beside `Rc`,
//! `Box` and the `refpool` crate, in the same run.
//!
//! Two workloads over a 32-byte value, `N` values at a time:
//!
//! - *alloc + clone + free*: allocate `N` shared values, clone each once,
//!   drop the clones, then the originals. Contestants: arenakit's `PoolRef`,
//!   `Rc::new`, and `refpool::PoolRef`.
//! - *alloc + free*: allocate `N` unique values, then drop them.
//!   Contestants: arenakit's `PoolBox`, `Box::new`, and `refpool::PoolBox`.
//!
//! The handles are kept in vectors reused across passes, so a pass
//! allocates nothing but the values. Every pool is warmed by one pass before
//! the timings, so its free list already holds `N` blocks; the `Rc` and
//! `Box` cases go to the global allocator (glibc malloc in our runs) every
//! time, which keeps recently freed chunks in its per-thread cache, their
//! own kind of pool.
//!
//! First the memory each contestant holds per live value is printed, then,
//! when the binary runs with `--bench`, an interleaved comparison (see
//! `common::report_interleaved`), then the criterion benchmarks.
//!
//! Run: `cargo bench --bench pool -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::rc::Rc;

use arenakit_arena::{Pool, PoolBox, PoolRef};
use criterion::{BenchmarkId, Criterion, Throughput};

mod common;

#[global_allocator]
static GLOBAL: common::Counting = common::Counting;

/// Values live at a time.
const N: usize = 1000;
/// Rounds of the interleaved comparison.
const ROUNDS: usize = 15;
/// Passes over `N` values per timed pass of the interleaved comparison, so
/// that one pass takes long enough to time.
const PASSES: usize = 200;

/// The pooled value: 32 bytes.
#[derive(Clone)]
struct Small {
    _a: u64,
    _b: u64,
    _c: u64,
    _d: u64,
}

fn small(i: usize) -> Small {
    let i = black_box(i as u64);
    Small {
        _a: i,
        _b: i ^ 1,
        _c: i ^ 2,
        _d: i ^ 3,
    }
}

/// Allocates `N` values with `$alloc(i)` into `$live`, clones each into
/// `$clones`, then drops the clones and the originals.
macro_rules! alloc_clone_free {
    ($live:expr, $clones:expr, $alloc:expr, $clone:expr) => {{
        let (live, clones) = (&mut $live, &mut $clones);
        for i in 0..N {
            live.push($alloc(i));
        }
        for v in live.iter() {
            clones.push($clone(v));
        }
        black_box(&*clones);
        clones.clear();
        live.clear();
    }};
}

/// Allocates `N` values with `$alloc(i)` into `$live`, then drops them.
macro_rules! alloc_free {
    ($live:expr, $alloc:expr) => {{
        let live = &mut $live;
        for i in 0..N {
            live.push($alloc(i));
        }
        black_box(&*live);
        live.clear();
    }};
}

/// Prints the bytes of the blocks held per live value once `fill` has put
/// `N` values in a vector (allocated beforehand, so not counted), the size of
/// a handle, and the allocator calls of refilling it after a clear.
fn measure<H>(name: &str, mut fill: impl FnMut(&mut Vec<H>)) {
    let mut live = Vec::with_capacity(N);
    common::set_counting(true);
    let start = common::counts();
    fill(&mut live);
    let filled = common::counts();
    live.clear();
    fill(&mut live);
    let after = common::counts();
    println!(
        "memory {name:<18}: {:>5.1} B of blocks per live value, {:>2} B per handle, \
         {:>4} allocator calls to refill {N} values",
        (filled.bytes - start.bytes) as f64 / N as f64,
        size_of::<H>(),
        after.calls - filled.calls,
    );
    drop(live);
    common::set_counting(false);
}

fn report_memory() {
    let ours = Pool::new();
    measure("arenakit PoolRef", |v| {
        v.extend((0..N).map(|i| ours.alloc_ref(small(i))))
    });
    let ours = Pool::new();
    measure("arenakit PoolBox", |v| {
        v.extend((0..N).map(|i| ours.alloc_box(small(i))))
    });
    let peer = refpool::Pool::new(N);
    measure("refpool PoolRef", |v| {
        v.extend((0..N).map(|i| refpool::PoolRef::new(&peer, small(i))))
    });
    measure("Rc", |v| v.extend((0..N).map(|i| Rc::new(small(i)))));
    measure("Box", |v| v.extend((0..N).map(|i| Box::new(small(i)))));
}

/// Prints how the contestants compare when they take turns (see
/// [`common::report_interleaved`]); each timed pass runs `PASSES` rounds of
/// the workload over warm pools.
fn report_interleaved() {
    macro_rules! run {
        ($name:literal, $body:expr) => {{
            let mut body = $body;
            body();
            let pass = move || {
                common::seconds(|| {
                    for _ in 0..PASSES {
                        body();
                    }
                })
            };
            ($name, Box::new(pass) as Box<dyn FnMut() -> f64 + '_>)
        }};
    }

    let (pool, peer_pool) = (Pool::new(), refpool::Pool::new(N));
    let (ours, peer) = (&pool, &peer_pool);
    let mut runs: Vec<common::Run<'_>> = vec![
        run!("arenakit PoolRef", {
            let (mut live, mut clones) = (Vec::with_capacity(N), Vec::with_capacity(N));
            move || alloc_clone_free!(live, clones, |i| ours.alloc_ref(small(i)), PoolRef::clone)
        }),
        run!("Rc", {
            let (mut live, mut clones) = (Vec::with_capacity(N), Vec::with_capacity(N));
            move || alloc_clone_free!(live, clones, |i| Rc::new(small(i)), Rc::clone)
        }),
        run!("refpool PoolRef", {
            let (mut live, mut clones) = (Vec::with_capacity(N), Vec::with_capacity(N));
            move || {
                alloc_clone_free!(
                    live,
                    clones,
                    |i| refpool::PoolRef::new(peer, small(i)),
                    refpool::PoolRef::clone
                )
            }
        }),
    ];
    let title = format!("alloc + clone + free, {N} values of 32 bytes at a time");
    common::report_interleaved(&title, ROUNDS, &mut runs);
    drop(runs);

    let (pool, peer_pool) = (Pool::new(), refpool::Pool::new(N));
    let (ours, peer) = (&pool, &peer_pool);
    let mut runs: Vec<common::Run<'_>> = vec![
        run!("arenakit PoolBox", {
            let mut live = Vec::with_capacity(N);
            move || alloc_free!(live, |i| ours.alloc_box(small(i)))
        }),
        run!("Box", {
            let mut live = Vec::with_capacity(N);
            move || alloc_free!(live, |i| Box::new(small(i)))
        }),
        run!("refpool PoolBox", {
            let mut live = Vec::with_capacity(N);
            move || alloc_free!(live, |i| refpool::PoolBox::new(peer, small(i)))
        }),
        run!("arenakit PoolRef", {
            let mut live = Vec::with_capacity(N);
            move || alloc_free!(live, |i| ours.alloc_ref(small(i)))
        }),
    ];
    let title = format!("alloc + free, {N} values of 32 bytes at a time");
    common::report_interleaved(&title, ROUNDS, &mut runs);
}

fn bench_alloc_clone_free(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("pool_alloc_clone_free/n={N}"));
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function(BenchmarkId::from_parameter("arenakit-PoolRef"), |b| {
        let pool = Pool::new();
        let (mut live, mut clones) = (Vec::with_capacity(N), Vec::with_capacity(N));
        alloc_clone_free!(live, clones, |i| pool.alloc_ref(small(i)), PoolRef::clone);
        b.iter(|| alloc_clone_free!(live, clones, |i| pool.alloc_ref(small(i)), PoolRef::clone));
    });
    group.bench_function(BenchmarkId::from_parameter("Rc"), |b| {
        let (mut live, mut clones) = (Vec::with_capacity(N), Vec::with_capacity(N));
        b.iter(|| alloc_clone_free!(live, clones, |i| Rc::new(small(i)), Rc::clone));
    });
    group.bench_function(BenchmarkId::from_parameter("refpool-PoolRef"), |b| {
        let pool = refpool::Pool::new(N);
        pool.fill();
        let (mut live, mut clones) = (Vec::with_capacity(N), Vec::with_capacity(N));
        b.iter(|| {
            alloc_clone_free!(
                live,
                clones,
                |i| refpool::PoolRef::new(&pool, small(i)),
                refpool::PoolRef::clone
            )
        });
    });
    group.finish();
}

fn bench_alloc_free(c: &mut Criterion) {
    let mut group = c.benchmark_group(format!("pool_alloc_free/n={N}"));
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function(BenchmarkId::from_parameter("arenakit-PoolBox"), |b| {
        let pool = Pool::new();
        pool.reserve(N);
        let mut live: Vec<PoolBox<'_, Small>> = Vec::with_capacity(N);
        b.iter(|| alloc_free!(live, |i| pool.alloc_box(small(i))));
    });
    group.bench_function(BenchmarkId::from_parameter("Box"), |b| {
        let mut live = Vec::with_capacity(N);
        b.iter(|| alloc_free!(live, |i| Box::new(small(i))));
    });
    group.bench_function(BenchmarkId::from_parameter("refpool-PoolBox"), |b| {
        let pool = refpool::Pool::new(N);
        pool.fill();
        let mut live = Vec::with_capacity(N);
        b.iter(|| alloc_free!(live, |i| refpool::PoolBox::new(&pool, small(i))));
    });
    group.finish();
}

fn main() {
    report_memory();
    if std::env::args().any(|arg| arg == "--bench") {
        report_interleaved();
    }
    let mut c = Criterion::default().configure_from_args();
    bench_alloc_clone_free(&mut c);
    bench_alloc_free(&mut c);
    c.final_summary();
}
