//! Timing and memory accounting shared by the benches that compare arenakit
//! with its peers.

// Each bench includes this module and uses only part of it.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

/// SplitMix64: advances `state` and returns the next value of a fixed-seed
/// generator. As a function of the first state, also a bijective mixer (of
/// ranks into keys, say).
pub fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A global allocator that forwards to [`System`] and, while counting is on
/// (see [`set_counting`]), keeps count of the bytes and blocks allocated and
/// of the calls made. A bench declares it with `#[global_allocator]`.
///
/// Counting is off while benchmarks are timed: its three atomic
/// read-modify-write instructions would add to every allocation of every
/// cache or interner alike, a cost none of them has in use, which narrows
/// every ratio.
pub struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static BYTES: AtomicIsize = AtomicIsize::new(0);
static BLOCKS: AtomicIsize = AtomicIsize::new(0);
static CALLS: AtomicUsize = AtomicUsize::new(0);

/// What [`Counting`] has counted so far.
#[derive(Clone, Copy, Debug)]
pub struct Counts {
    /// Bytes allocated and not freed.
    pub bytes: isize,
    /// Blocks allocated and not freed.
    pub blocks: isize,
    /// Calls to `alloc`, `alloc_zeroed` and `realloc`.
    pub calls: usize,
}

/// Turns [`Counting`]'s counters on or off. A block allocated while counting
/// and freed after it stopped stays counted, so turn it off only once the
/// measured values are dropped.
pub fn set_counting(on: bool) {
    COUNTING.store(on, Relaxed);
}

/// The counters' current values.
pub fn counts() -> Counts {
    Counts {
        bytes: BYTES.load(Relaxed),
        blocks: BLOCKS.load(Relaxed),
        calls: CALLS.load(Relaxed),
    }
}

/// Adds a change of `bytes` and `blocks` and `calls` calls, if counting is on.
#[inline]
fn count(bytes: isize, blocks: isize, calls: usize) {
    if COUNTING.load(Relaxed) {
        BYTES.fetch_add(bytes, Relaxed);
        BLOCKS.fetch_add(blocks, Relaxed);
        CALLS.fetch_add(calls, Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments, so
// `System`'s guarantees hold; the counters are only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            count(layout.size() as isize, 1, 1);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc_zeroed`'s contract.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            count(layout.size() as isize, 1, 1);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize), -1, 0);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            count(new_size as isize - layout.size() as isize, 0, 1);
        }
        new
    }
}

/// One contestant of [`report_interleaved`]: its name in the report and a
/// pass of its workload, which returns the seconds the timed part took.
pub type Run<'a> = (&'a str, Box<dyn FnMut() -> f64 + 'a>);

/// The seconds `pass` takes.
pub fn seconds(pass: impl FnOnce()) -> f64 {
    let start = Instant::now();
    pass();
    start.elapsed().as_secs_f64()
}

/// Runs `runs` in turn, one pass each per round, for `rounds` rounds, and
/// prints under `title` the first run's fastest pass, then, for every run
/// after the first, the median and the range of the per-round ratios of its
/// time to the first run's, and the ratio of the two runs' fastest passes.
///
/// A shared machine's speed drifts over minutes, longer than a criterion
/// benchmark lasts, so two benchmarks run one after the other can land
/// 20% or more apart with no change in the code. Taking turns puts a slow
/// phase on every contestant alike, and the per-round ratio cancels it.
pub fn report_interleaved(title: &str, rounds: usize, runs: &mut [Run<'_>]) {
    assert!(rounds > 0 && runs.len() > 1, "nothing to compare");
    let mut times = vec![Vec::with_capacity(rounds); runs.len()];
    for _ in 0..rounds {
        for (seconds, (_, pass)) in times.iter_mut().zip(runs.iter_mut()) {
            seconds.push(pass());
        }
    }
    let fastest = |seconds: &[f64]| seconds.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "{title}, {rounds} interleaved rounds: peer time / arenakit time, \
         median [range] of the rounds, then of the fastest passes"
    );
    println!(
        "  {:<24} fastest pass {:.1} ms",
        runs[0].0,
        fastest(&times[0]) * 1e3
    );
    for ((name, _), peer) in runs.iter().zip(&times).skip(1) {
        let mut ratios: Vec<f64> = peer.iter().zip(&times[0]).map(|(p, o)| p / o).collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "  {name:<24} {:.2} [{:.2}..{:.2}]  fastest {:.2}",
            ratios[rounds / 2],
            ratios[0],
            ratios[rounds - 1],
            fastest(peer) / fastest(&times[0])
        );
    }
}
