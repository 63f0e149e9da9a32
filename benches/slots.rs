//! Generational slots: `arenakit_arena::GenArena` beside slotmap's
//! `SlotMap` and `DenseSlotMap` and thunderdome's `Arena`, in the same run.
//!
//! Four workloads over 100,000 `u64` values, each written once against the
//! [`Slots`] trait so every container runs the same loop:
//! - **insert:** fill a cleared container (its slots are reused);
//! - **get:** look every live handle up, in a shuffled order;
//! - **churn:** remove a live value picked at random and insert a new one;
//! - **iterate:** sum the values of a container with every other slot
//!   vacant.
//!
//! When run with `--bench`, an interleaved comparison comes first: the
//! containers take turns, one pass each per round, for 15 rounds (see
//! `common::report_interleaved`). Then criterion groups.
//!
//! Run: `cargo bench --bench slots -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};

mod common;

/// Values per container.
const N: usize = 100_000;
/// Rounds of the interleaved comparison.
const ROUNDS: usize = 15;
/// Times a pass repeats its workload, so that a pass lasts milliseconds.
const REPS: usize = 10;

/// What each container offers the workloads.
trait Slots: Default {
    type Key: Copy;
    fn insert(&mut self, value: u64) -> Self::Key;
    fn get(&self, key: Self::Key) -> Option<&u64>;
    fn remove(&mut self, key: Self::Key) -> Option<u64>;
    fn clear(&mut self);
    fn sum(&self) -> u64;
}

/// Implements [`Slots`] for a container whose methods have the usual names.
macro_rules! slots {
    ($ty:ty, $key:ty, |$s:ident| $sum:expr) => {
        impl Slots for $ty {
            type Key = $key;
            #[inline]
            fn insert(&mut self, value: u64) -> $key {
                <$ty>::insert(self, value)
            }
            #[inline]
            fn get(&self, key: $key) -> Option<&u64> {
                <$ty>::get(self, key)
            }
            #[inline]
            fn remove(&mut self, key: $key) -> Option<u64> {
                <$ty>::remove(self, key)
            }
            #[inline]
            fn clear(&mut self) {
                <$ty>::clear(self)
            }
            #[inline]
            fn sum(&self) -> u64 {
                let $s = self;
                $sum
            }
        }
    };
}

type Ours = arenakit_arena::GenArena<u64>;
type SlotMap = slotmap::SlotMap<slotmap::DefaultKey, u64>;
type DenseSlotMap = slotmap::DenseSlotMap<slotmap::DefaultKey, u64>;
type Thunderdome = thunderdome::Arena<u64>;

slots!(Ours, arenakit_arena::Handle<u64>, |s| s.values().sum());
slots!(SlotMap, slotmap::DefaultKey, |s| s.values().sum());
slots!(DenseSlotMap, slotmap::DefaultKey, |s| s.values().sum());
slots!(Thunderdome, thunderdome::Index, |s| s
    .iter()
    .map(|(_, v)| *v)
    .sum());

/// `0..n` in a fixed shuffled order.
fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = seed;
    for i in (1..n).rev() {
        let j = (common::splitmix(&mut state) % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

/// One container's state for every workload, each pass timed on its own.
struct Bench<S: Slots> {
    /// Refilled by every insert pass.
    filled: S,
    /// Full, looked up by `get` and churned by `churn`.
    full: S,
    keys: Vec<S::Key>,
    /// Every other slot vacant.
    sparse: S,
    order: Vec<usize>,
    next_value: u64,
}

impl<S: Slots> Bench<S> {
    fn new() -> Self {
        let mut filled = S::default();
        for i in 0..N as u64 {
            filled.insert(i);
        }
        let mut full = S::default();
        let keys: Vec<S::Key> = (0..N as u64).map(|i| full.insert(i)).collect();
        let mut sparse = S::default();
        let sparse_keys: Vec<S::Key> = (0..N as u64).map(|i| sparse.insert(i)).collect();
        for k in sparse_keys.iter().step_by(2) {
            sparse.remove(*k);
        }
        Bench {
            filled,
            full,
            keys,
            sparse,
            order: shuffled(N, 0x5107),
            next_value: N as u64,
        }
    }

    /// Each pass below returns the seconds its workload took, `REPS` times
    /// over.
    fn insert(&mut self) -> f64 {
        (0..REPS)
            .map(|_| {
                self.filled.clear();
                let filled = &mut self.filled;
                common::seconds(|| {
                    for i in 0..N as u64 {
                        black_box(filled.insert(black_box(i)));
                    }
                })
            })
            .sum()
    }

    fn get(&mut self) -> f64 {
        let (full, keys, order) = (&self.full, &self.keys, &self.order);
        common::seconds(|| {
            for _ in 0..REPS {
                let mut sum = 0u64;
                for &i in order {
                    sum = sum.wrapping_add(*full.get(black_box(keys[i])).unwrap_or(&0));
                }
                black_box(sum);
            }
        })
    }

    fn churn(&mut self) -> f64 {
        let (full, keys, order) = (&mut self.full, &mut self.keys, &self.order);
        let next_value = &mut self.next_value;
        common::seconds(|| {
            for _ in 0..REPS {
                for &i in order {
                    black_box(full.remove(keys[i]));
                    keys[i] = full.insert(*next_value);
                    *next_value += 1;
                }
            }
        })
    }

    fn iterate(&mut self) -> f64 {
        let sparse = &self.sparse;
        common::seconds(|| {
            for _ in 0..REPS {
                black_box(black_box(sparse).sum());
            }
        })
    }
}

/// The containers, in the order the reports list them: arenakit first.
macro_rules! for_each_container {
    ($m:ident) => {
        $m!("arenakit GenArena", Ours);
        $m!("slotmap SlotMap", SlotMap);
        $m!("slotmap DenseSlotMap", DenseSlotMap);
        $m!("thunderdome Arena", Thunderdome);
    };
}

/// The interleaved comparison of each workload.
fn report_interleaved() {
    macro_rules! compare {
        ($workload:ident) => {{
            let mut runs: Vec<common::Run<'static>> = Vec::new();
            macro_rules! run {
                ($name:literal, $ty:ty) => {{
                    let mut bench = Bench::<$ty>::new();
                    runs.push(($name, Box::new(move || bench.$workload())));
                }};
            }
            for_each_container!(run);
            let title = concat!(stringify!($workload), ", 100,000 u64 values");
            common::report_interleaved(title, ROUNDS, &mut runs);
        }};
    }
    compare!(insert);
    compare!(get);
    compare!(churn);
    compare!(iterate);
}

/// A criterion group per workload; each sample times only the workload's
/// passes, as the interleaved comparison does.
fn bench_groups(c: &mut Criterion) {
    macro_rules! group {
        ($workload:ident) => {{
            let mut group = c.benchmark_group(concat!("slots/", stringify!($workload)));
            group.throughput(Throughput::Elements(N as u64));
            macro_rules! case {
                ($name:literal, $ty:ty) => {{
                    let mut bench = Bench::<$ty>::new();
                    group.bench_function(BenchmarkId::from_parameter($name), |b| {
                        b.iter_custom(|iters| {
                            (0..iters)
                                .map(|_| Duration::from_secs_f64(bench.$workload()))
                                .sum()
                        })
                    });
                }};
            }
            for_each_container!(case);
            group.finish();
        }};
    }
    group!(insert);
    group!(get);
    group!(churn);
    group!(iterate);
}

fn main() {
    report_interleaved();
    let mut c = Criterion::default().configure_from_args();
    bench_groups(&mut c);
    c.final_summary();
}
