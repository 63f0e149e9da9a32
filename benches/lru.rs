//! LRU get-else-put on a skewed key stream: `arenakit_memo::LruCache` beside
//! the `lru` and `schnellru` crates, in the same run.
//!
//! Every cache replays the same pre-generated stream of keys drawn from a
//! Zipf-like distribution over a key space four times the capacity: on a hit
//! the value is read, on a miss the key is inserted. Before the timings, the
//! memory each cache holds per entry is measured with a counting global
//! allocator and printed, then an interleaved comparison: the caches take
//! turns replaying the stream for 15 rounds, which a shared machine whose
//! speed drifts over minutes measures more steadily than back-to-back
//! benchmarks.
//!
//! Each peer runs with its default hasher (`lru`: foldhash, `schnellru`:
//! ahash); two more cases separate the hasher from the structure:
//! `arenakit-memo+foldhash` and `schnellru+fx` swap the hashers.
//!
//! Run: `cargo bench --bench lru -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::num::NonZeroUsize;

use criterion::{BenchmarkId, Criterion, Throughput};
use rustc_hash::FxBuildHasher;
use schnellru::{ByLength, LruMap};

mod common;

#[global_allocator]
static GLOBAL: common::Counting = common::Counting;

/// Keys in each stream.
const STREAM_LEN: usize = 1 << 20;
/// The capacities measured.
const CAPACITIES: [usize; 2] = [1_000, 100_000];
/// Distinct keys per unit of capacity.
const KEY_SPACE_FACTOR: usize = 4;
/// The Zipf exponent of the key stream.
const ZIPF_S: f64 = 1.0;

/// The u64 key of popularity rank `rank`: ranks are scattered over the
/// whole u64 range so hot keys are not small neighbouring integers.
fn key_of_rank(rank: usize) -> u64 {
    let mut s = rank as u64;
    common::splitmix(&mut s)
}

/// `len` popularity ranks in `0..n`, rank `r` drawn with probability
/// proportional to `1 / (r + 1)^s`.
fn zipf_ranks(n: usize, len: usize, seed: u64) -> Vec<u32> {
    let mut cdf = Vec::with_capacity(n);
    let mut total = 0.0;
    for r in 0..n {
        total += 1.0 / ((r + 1) as f64).powf(ZIPF_S);
        cdf.push(total);
    }
    let mut state = seed;
    (0..len)
        .map(|_| {
            let u = (common::splitmix(&mut state) >> 11) as f64 / (1u64 << 53) as f64 * total;
            cdf.partition_point(|&c| c < u).min(n - 1) as u32
        })
        .collect()
}

/// One workload: the stream as u64 keys and as string keys.
struct Workload {
    cap: usize,
    u64_keys: Vec<u64>,
    ranks: Vec<u32>,
    strings: Vec<String>,
}

impl Workload {
    fn new(cap: usize) -> Self {
        let n = cap * KEY_SPACE_FACTOR;
        let ranks = zipf_ranks(n, STREAM_LEN, 0x5eed ^ cap as u64);
        let u64_keys = ranks.iter().map(|&r| key_of_rank(r as usize)).collect();
        // Identifier-like names of 10 to 17 bytes.
        let strings = (0..n)
            .map(|r| format!("id_{:x}", key_of_rank(r) >> (r % 29)))
            .collect();
        Workload {
            cap,
            u64_keys,
            ranks,
            strings,
        }
    }

    fn string_keys(&self) -> impl Iterator<Item = &str> {
        self.ranks
            .iter()
            .map(|&r| self.strings[r as usize].as_str())
    }
}

/// Get-else-put over u64 keys; `$get` and `$put` name the cache's methods.
macro_rules! replay_u64 {
    ($cache:expr, $keys:expr, $get:ident, $put:ident) => {{
        let cache = &mut $cache;
        let mut sum = 0u64;
        for &k in $keys {
            let k = black_box(k);
            match cache.$get(&k) {
                Some(v) => sum = sum.wrapping_add(*v),
                None => {
                    let _ = cache.$put(k, k >> 3);
                }
            }
        }
        black_box(sum)
    }};
}

/// Get-else-put over string keys; a miss inserts an owned copy of the key.
macro_rules! replay_str {
    ($cache:expr, $keys:expr, $get:ident, $put:ident) => {{
        let cache = &mut $cache;
        let mut sum = 0u64;
        for k in $keys {
            let k = black_box(k);
            match cache.$get(k) {
                Some(v) => sum = sum.wrapping_add(*v),
                None => {
                    let _ = cache.$put(k.to_owned(), k.len() as u64);
                }
            }
        }
        black_box(sum)
    }};
}

type Ours<K> = arenakit_memo::LruCache<K, u64>;
type OursFold<K> = arenakit_memo::LruCache<K, u64, hashbrown::DefaultHashBuilder>;
type Lru<K> = lru::LruCache<K, u64>;
type Schnell<K> = LruMap<K, u64, ByLength>;
type SchnellFx<K> = LruMap<K, u64, ByLength, FxBuildHasher>;

fn ours<K: std::hash::Hash + Eq>(cap: usize) -> Ours<K> {
    Ours::new(cap)
}
fn ours_fold<K: std::hash::Hash + Eq>(cap: usize) -> OursFold<K> {
    OursFold::with_hasher(cap, hashbrown::DefaultHashBuilder::default())
}
fn lru_crate<K: std::hash::Hash + Eq>(cap: usize) -> Lru<K> {
    Lru::new(NonZeroUsize::new(cap).expect("capacity is not 0"))
}
fn schnell<K: std::hash::Hash + PartialEq>(cap: usize) -> Schnell<K> {
    LruMap::with_seed(ByLength::new(cap as u32), [1, 2, 3, 4])
}
fn schnell_fx<K: std::hash::Hash + PartialEq>(cap: usize) -> SchnellFx<K> {
    LruMap::with_hasher(ByLength::new(cap as u32), FxBuildHasher)
}

/// Bytes, live blocks and allocator calls held by what `build` returns,
/// per entry of capacity `cap`, after filling it and after a stream.
fn measure<C>(name: &str, w: &Workload, build: impl FnOnce() -> C, mut run: impl FnMut(&mut C)) {
    common::set_counting(true);
    let start = common::counts();
    let mut cache = build();
    run(&mut cache);
    let filled = common::counts();
    run(&mut cache);
    let steady = common::counts();
    let per_entry = |now: common::Counts| (now.bytes - start.bytes) as f64 / w.cap as f64;
    println!(
        "memory {name:<22} cap {:>6}: {:>6.1} B/entry after the first stream, {:>6.1} after the second; \
         {:>6} live blocks; {} allocator calls in the second stream",
        w.cap,
        per_entry(filled),
        per_entry(steady),
        filled.blocks - start.blocks,
        steady.calls - filled.calls,
    );
    drop(black_box(cache));
    common::set_counting(false);
}

/// Prints memory per entry with u64 keys and values for every cache.
fn report_memory(w: &Workload) {
    let keys = &w.u64_keys;
    measure(
        "arenakit-memo",
        w,
        || ours::<u64>(w.cap),
        |c| {
            replay_u64!(*c, keys, get, put);
        },
    );
    measure(
        "lru",
        w,
        || lru_crate::<u64>(w.cap),
        |c| {
            replay_u64!(*c, keys, get, put);
        },
    );
    measure(
        "schnellru",
        w,
        || schnell::<u64>(w.cap),
        |c| {
            replay_u64!(*c, keys, get, insert);
        },
    );
}

/// Rounds of the interleaved comparison.
const ROUNDS: usize = 15;

/// Prints how get-else-put compares when the caches take turns, one pass
/// over the stream each per round (see [`common::report_interleaved`]).
/// Every cache is filled by one pass before the first round.
fn report_interleaved(w: &Workload) {
    // Every cache of `$key` keys, each filled by one replay, with a pass
    // that times another.
    macro_rules! runs {
        ($replay:ident, $keys:expr, $key:ty) => {{
            macro_rules! run {
                ($name:literal, $make:expr, $get:ident, $put:ident) => {{
                    let mut cache = $make;
                    $replay!(cache, $keys, $get, $put);
                    let pass = move || {
                        common::seconds(|| {
                            $replay!(cache, $keys, $get, $put);
                        })
                    };
                    ($name, Box::new(pass) as Box<dyn FnMut() -> f64 + '_>)
                }};
            }
            let runs: Vec<common::Run<'_>> = vec![
                run!("arenakit-memo", ours::<$key>(w.cap), get, put),
                run!("arenakit-memo+foldhash", ours_fold::<$key>(w.cap), get, put),
                run!("schnellru", schnell::<$key>(w.cap), get, insert),
                run!("schnellru+fx", schnell_fx::<$key>(w.cap), get, insert),
                run!("lru", lru_crate::<$key>(w.cap), get, put),
            ];
            runs
        }};
    }
    let mut runs = runs!(replay_u64, &w.u64_keys, u64);
    let title = format!("get-else-put, u64 keys, cap {}", w.cap);
    common::report_interleaved(&title, ROUNDS, &mut runs);

    let mut runs = runs!(replay_str, w.string_keys(), String);
    let title = format!("get-else-put, String keys, cap {}", w.cap);
    common::report_interleaved(&title, ROUNDS, &mut runs);
}

fn bench_u64(c: &mut Criterion, w: &Workload) {
    let mut group = c.benchmark_group(format!("lru_get_else_put/u64/cap={}", w.cap));
    group.throughput(Throughput::Elements(STREAM_LEN as u64));
    let keys = &w.u64_keys;
    macro_rules! case {
        ($name:literal, $make:expr, $get:ident, $put:ident) => {
            group.bench_function(BenchmarkId::from_parameter($name), |b| {
                let mut cache = $make;
                replay_u64!(cache, keys, $get, $put);
                b.iter(|| replay_u64!(cache, keys, $get, $put));
            });
        };
    }
    case!("arenakit-memo", ours::<u64>(w.cap), get, put);
    case!("arenakit-memo+foldhash", ours_fold::<u64>(w.cap), get, put);
    case!("schnellru", schnell::<u64>(w.cap), get, insert);
    case!("schnellru+fx", schnell_fx::<u64>(w.cap), get, insert);
    case!("lru", lru_crate::<u64>(w.cap), get, put);
    group.finish();
}

fn bench_string(c: &mut Criterion, w: &Workload) {
    let mut group = c.benchmark_group(format!("lru_get_else_put/string/cap={}", w.cap));
    group.throughput(Throughput::Elements(STREAM_LEN as u64));
    macro_rules! case {
        ($name:literal, $make:expr, $get:ident, $put:ident) => {
            group.bench_function(BenchmarkId::from_parameter($name), |b| {
                let mut cache = $make;
                replay_str!(cache, w.string_keys(), $get, $put);
                b.iter(|| replay_str!(cache, w.string_keys(), $get, $put));
            });
        };
    }
    case!("arenakit-memo", ours::<String>(w.cap), get, put);
    case!(
        "arenakit-memo+foldhash",
        ours_fold::<String>(w.cap),
        get,
        put
    );
    case!("schnellru", schnell::<String>(w.cap), get, insert);
    case!("schnellru+fx", schnell_fx::<String>(w.cap), get, insert);
    case!("lru", lru_crate::<String>(w.cap), get, put);
    group.finish();
}

fn main() {
    let workloads: Vec<Workload> = CAPACITIES.iter().map(|&cap| Workload::new(cap)).collect();
    for w in &workloads {
        let mut hits = ours::<u64>(w.cap);
        replay_u64!(hits, &w.u64_keys, get, put);
        hits.reset_stats();
        replay_u64!(hits, &w.u64_keys, get, put);
        println!(
            "stream cap {:>6}: {} keys over {} distinct, steady hit rate {:.1}%",
            w.cap,
            STREAM_LEN,
            w.cap * KEY_SPACE_FACTOR,
            100.0 * hits.stats().hit_rate()
        );
        report_memory(w);
    }
    for w in &workloads {
        report_interleaved(w);
    }
    let mut c = Criterion::default().configure_from_args();
    for w in &workloads {
        bench_u64(&mut c, w);
        bench_string(&mut c, w);
    }
    c.final_summary();
}
