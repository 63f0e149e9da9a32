//! Bump allocation against its peers, measured in the same run.
//!
//! - `hot_loop`: one arena reused — allocate 100k 24-byte values, reset,
//!   repeat — beside bumpalo, `oxc_allocator`, bump-scope and `Vec::push` into
//!   a reused `Vec` (the store-bandwidth limit).
//! - `cold`: a fresh arena (or `Vec`) for 10M values, dropped at the end.
//! - `typed`: `TypedArena` against typed-arena, 100k values per fresh arena.
//! - `arena_vec`: growable vectors in a reused arena, the shape of a parser
//!   collecting argument lists — 10k vectors of 1 to 16 `u64`s pushed one at
//!   a time and frozen into slices, against bumpalo's and `oxc_allocator`'s
//!   `Vec`.
//!
//! Every variant passes each result through `black_box` once per value, so
//! each one stores every value and keeps its bookkeeping in memory.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

type Value = [u64; 3];

const HOT: u64 = 100_000;
const COLD: u64 = 10_000_000;
const TYPED: u64 = 100_000;

#[inline(always)]
fn value(i: u64) -> Value {
    [i, i + 1, i + 2]
}

fn hot_loop(c: &mut Criterion) {
    let mut group = c.benchmark_group("hot_loop");
    group.throughput(Throughput::Elements(HOT));

    group.bench_function(BenchmarkId::new("vec_push", HOT), |b| {
        let mut v: Vec<Value> = Vec::new();
        b.iter(|| {
            v.clear();
            for i in 0..HOT {
                v.push(value(i));
                black_box(&mut v);
            }
        });
    });

    group.bench_function(BenchmarkId::new("arenakit", HOT), |b| {
        let mut arena = arenakit_arena::Arena::new();
        b.iter(|| {
            for i in 0..HOT {
                black_box(arena.alloc(value(i)));
            }
            arena.reset();
        });
    });

    group.bench_function(BenchmarkId::new("bumpalo", HOT), |b| {
        let mut bump = bumpalo::Bump::new();
        b.iter(|| {
            for i in 0..HOT {
                black_box(bump.alloc(value(i)));
            }
            bump.reset();
        });
    });

    group.bench_function(BenchmarkId::new("oxc_allocator", HOT), |b| {
        let mut alloc = oxc_allocator::Allocator::new();
        b.iter(|| {
            for i in 0..HOT {
                black_box(alloc.alloc(value(i)));
            }
            alloc.reset();
        });
    });

    group.bench_function(BenchmarkId::new("bump-scope", HOT), |b| {
        let mut bump: bump_scope::Bump = bump_scope::Bump::new();
        b.iter(|| {
            for i in 0..HOT {
                black_box(bump.alloc(value(i)).into_mut());
            }
            bump.reset();
        });
    });

    group.finish();
}

fn cold(c: &mut Criterion) {
    let mut group = c.benchmark_group("cold");
    group.sample_size(10);
    group.throughput(Throughput::Elements(COLD));

    group.bench_function(BenchmarkId::new("vec_push", COLD), |b| {
        b.iter(|| {
            let mut v: Vec<Value> = Vec::new();
            for i in 0..COLD {
                v.push(value(i));
                black_box(&mut v);
            }
            v
        });
    });

    group.bench_function(BenchmarkId::new("arenakit", COLD), |b| {
        b.iter(|| {
            let arena = arenakit_arena::Arena::new();
            for i in 0..COLD {
                black_box(arena.alloc(value(i)));
            }
            arena
        });
    });

    group.bench_function(BenchmarkId::new("bumpalo", COLD), |b| {
        b.iter(|| {
            let bump = bumpalo::Bump::new();
            for i in 0..COLD {
                black_box(bump.alloc(value(i)));
            }
            bump
        });
    });

    group.bench_function(BenchmarkId::new("oxc_allocator", COLD), |b| {
        b.iter(|| {
            let alloc = oxc_allocator::Allocator::new();
            for i in 0..COLD {
                black_box(alloc.alloc(value(i)));
            }
            alloc
        });
    });

    group.bench_function(BenchmarkId::new("bump-scope", COLD), |b| {
        b.iter(|| {
            let bump: bump_scope::Bump = bump_scope::Bump::new();
            for i in 0..COLD {
                black_box(bump.alloc(value(i)).into_mut());
            }
            bump
        });
    });

    group.finish();
}

fn typed(c: &mut Criterion) {
    let mut group = c.benchmark_group("typed");
    group.throughput(Throughput::Elements(TYPED));

    group.bench_function(BenchmarkId::new("arenakit", TYPED), |b| {
        b.iter(|| {
            let arena = arenakit_arena::TypedArena::new();
            for i in 0..TYPED {
                black_box(arena.alloc(value(i)));
            }
            arena
        });
    });

    group.bench_function(BenchmarkId::new("typed-arena", TYPED), |b| {
        b.iter(|| {
            let arena = typed_arena::Arena::new();
            for i in 0..TYPED {
                black_box(arena.alloc(value(i)));
            }
            arena
        });
    });

    group.finish();
}

/// Vectors per iteration of `arena_vec`, and the longest of them.
const VECS: u64 = 10_000;
const LONGEST: u64 = 16;

fn arena_vec(c: &mut Criterion) {
    let mut group = c.benchmark_group("arena_vec");
    // Lengths cycle through 1..=16, so pushes per iteration are VECS * 8.5.
    group.throughput(Throughput::Elements(VECS * (LONGEST + 1) / 2));

    group.bench_function(BenchmarkId::new("arenakit", VECS), |b| {
        let mut arena = arenakit_arena::Arena::new();
        b.iter(|| {
            for n in 0..VECS {
                let mut v = arenakit_arena::Vec::new_in(&arena);
                for i in 0..=n % LONGEST {
                    v.push(black_box(i));
                }
                black_box(v.into_slice());
            }
            arena.reset();
        });
    });

    group.bench_function(BenchmarkId::new("bumpalo", VECS), |b| {
        let mut bump = bumpalo::Bump::new();
        b.iter(|| {
            for n in 0..VECS {
                let mut v = bumpalo::collections::Vec::new_in(&bump);
                for i in 0..=n % LONGEST {
                    v.push(black_box(i));
                }
                black_box(v.into_bump_slice());
            }
            bump.reset();
        });
    });

    group.bench_function(BenchmarkId::new("oxc_allocator", VECS), |b| {
        let mut allocator = oxc_allocator::Allocator::new();
        b.iter(|| {
            for n in 0..VECS {
                let mut v = oxc_allocator::Vec::new_in(&&allocator);
                for i in 0..=n % LONGEST {
                    v.push(black_box(i));
                }
                black_box(v.into_boxed_slice());
            }
            allocator.reset();
        });
    });

    group.finish();
}

criterion_group!(benches, hot_loop, cold, typed, arena_vec);
criterion_main!(benches);
