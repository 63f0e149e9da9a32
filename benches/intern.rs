//! Interning benchmarks: arenakit's `Interner` beside lasso's `Rodeo` (with
//! FxHash) and string-interner's `StringBackend` and `BucketBackend`, all in
//! the same run, on two workloads. arenakit's `LocalInterner`, which interns
//! through `&self`, runs beside them too, to show what its borrow flag
//! costs.
//!
//! * `zipf`: 2M look-ups over a generated 50k-identifier vocabulary, drawn
//!   with Zipf-like (1/rank) frequencies from a fixed-seed generator and
//!   laid out as slices of one text, the way a lexer sees them;
//! * `corpus`: the first 2M identifier tokens of the Rust standard library
//!   sources (the `rust-src` component of an installed toolchain), falling
//!   back to the cargo registry sources and then to the `zipf` stream.
//!
//! Operations: `get_or_intern` over the whole stream starting from an empty
//! interner, `get` over the stream on a full interner, and `resolve` of the
//! stream's symbols. A `hash` group runs arenakit's interner with its own
//! hash, FxHash and foldhash, to compare the default against the
//! alternatives. Before the benchmarks the binary prints the memory each
//! interner holds per unique string, measured with a counting global
//! allocator, and an interleaved comparison of `get_or_intern`: the five
//! interners take turns for 15 rounds, which shared machines whose speed
//! drifts over minutes measure more steadily than back-to-back benchmarks.
//!
//! Run: `cargo bench --bench intern -- --warm-up-time 1 --measurement-time 3`.

use std::collections::HashSet;
use std::hash::BuildHasher;
use std::hint::black_box;
use std::path::{Path, PathBuf};

use arenakit_intern::{IdentHash, Interner, LocalInterner};
use criterion::{BatchSize, Bencher, Criterion, Throughput, criterion_group, criterion_main};
use string_interner::backend::{BucketBackend, StringBackend};
use string_interner::{DefaultSymbol, StringInterner};

mod common;

#[global_allocator]
static GLOBAL: common::Counting = common::Counting;

/// The common face of the interners under test, so every one runs exactly
/// the same loops. The methods are always inlined, so each loop calls the
/// interner's own method as user code would, and the compiler makes the
/// same inlining choice for it as in a direct call.
trait Subject {
    type Sym: Copy;
    fn empty() -> Self;
    fn intern(&mut self, s: &str) -> Self::Sym;
    fn lookup(&self, s: &str) -> Option<Self::Sym>;
    fn string(&self, sym: Self::Sym) -> &str;
}

impl<S: BuildHasher + Default> Subject for Interner<S> {
    type Sym = arenakit_intern::Symbol;
    fn empty() -> Self {
        Interner::default()
    }
    #[inline(always)]
    fn intern(&mut self, s: &str) -> Self::Sym {
        self.get_or_intern(s)
    }
    #[inline(always)]
    fn lookup(&self, s: &str) -> Option<Self::Sym> {
        self.get(s)
    }
    #[inline(always)]
    fn string(&self, sym: Self::Sym) -> &str {
        self.resolve(sym)
    }
}

impl Subject for LocalInterner {
    type Sym = arenakit_intern::Symbol;
    fn empty() -> Self {
        LocalInterner::new()
    }
    #[inline(always)]
    fn intern(&mut self, s: &str) -> Self::Sym {
        self.get_or_intern(s)
    }
    #[inline(always)]
    fn lookup(&self, s: &str) -> Option<Self::Sym> {
        self.get(s)
    }
    #[inline(always)]
    fn string(&self, sym: Self::Sym) -> &str {
        self.resolve(sym)
    }
}

type LassoFx = lasso::Rodeo<lasso::Spur, rustc_hash::FxBuildHasher>;

impl Subject for LassoFx {
    type Sym = lasso::Spur;
    fn empty() -> Self {
        lasso::Rodeo::with_hasher(rustc_hash::FxBuildHasher)
    }
    #[inline(always)]
    fn intern(&mut self, s: &str) -> Self::Sym {
        self.get_or_intern(s)
    }
    #[inline(always)]
    fn lookup(&self, s: &str) -> Option<Self::Sym> {
        self.get(s)
    }
    #[inline(always)]
    fn string(&self, sym: Self::Sym) -> &str {
        self.resolve(&sym)
    }
}

type SiString = StringInterner<StringBackend<DefaultSymbol>>;
type SiBucket = StringInterner<BucketBackend<DefaultSymbol>>;

macro_rules! string_interner_subject {
    ($ty:ty) => {
        impl Subject for $ty {
            type Sym = DefaultSymbol;
            fn empty() -> Self {
                <$ty>::new()
            }
            #[inline(always)]
            fn intern(&mut self, s: &str) -> Self::Sym {
                self.get_or_intern(s)
            }
            #[inline(always)]
            fn lookup(&self, s: &str) -> Option<Self::Sym> {
                self.get(s)
            }
            #[inline(always)]
            fn string(&self, sym: Self::Sym) -> &str {
                self.resolve(sym).expect("symbol of this interner")
            }
        }
    };
}

string_interner_subject!(SiString);
string_interner_subject!(SiBucket);

/// A stream of look-ups and its distinct strings in first-seen order.
struct Workload {
    name: &'static str,
    stream: Vec<&'static str>,
    vocabulary: Vec<&'static str>,
}

impl Workload {
    fn new(name: &'static str, stream: Vec<&'static str>) -> Workload {
        let mut seen = HashSet::new();
        let vocabulary = stream.iter().copied().filter(|s| seen.insert(*s)).collect();
        Workload {
            name,
            stream,
            vocabulary,
        }
    }
}

/// SplitMix64: a small, fixed-seed generator so every run sees the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        common::splitmix(&mut self.0)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const STREAM_LEN: usize = 2_000_000;
const VOCABULARY: usize = 50_000;

/// An identifier in one of the styles source code uses: `snake_case`,
/// `CamelCase`, `SCREAMING_CASE` or a short name, 2 to 20 bytes long.
fn identifier(rng: &mut Rng) -> String {
    const SYLLABLES: [&str; 24] = [
        "ex", "pr", "tok", "en", "par", "se", "node", "id", "ty", "val", "buf", "len", "st", "ack",
        "spa", "n", "sym", "ctx", "it", "em", "lo", "ad", "ret", "arg",
    ];
    let words = 1 + rng.below(3);
    let mut parts = Vec::new();
    for _ in 0..words {
        let mut word = String::new();
        for _ in 0..1 + rng.below(3) {
            word.push_str(SYLLABLES[rng.below(SYLLABLES.len())]);
        }
        parts.push(word);
    }
    let mut out = match rng.below(10) {
        0..=5 => parts.join("_"),
        6..=7 => parts
            .iter()
            .map(|p| p[..1].to_uppercase() + &p[1..])
            .collect(),
        8 => parts.join("_").to_uppercase(),
        _ => {
            let mut short = parts[0][..1].to_owned();
            short.push_str(&rng.below(100).to_string());
            short
        }
    };
    out.truncate(20);
    if out.len() < 2 {
        out.push('x');
    }
    out
}

/// The `zipf` workload.
fn zipf_workload() -> Workload {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut seen = HashSet::new();
    let mut vocabulary: Vec<&'static str> = Vec::with_capacity(VOCABULARY);
    while vocabulary.len() < VOCABULARY {
        let mut word = identifier(&mut rng);
        if !seen.insert(word.clone()) {
            // Disambiguate a repeat the way code does: with a number.
            word.truncate(16);
            word.push_str(&rng.below(1000).to_string());
            if !seen.insert(word.clone()) {
                continue;
            }
        }
        vocabulary.push(Box::leak(word.into_boxed_str()));
    }
    // Rank r is drawn with probability proportional to 1 / (r + 1).
    let mut cumulative = Vec::with_capacity(VOCABULARY);
    let mut total = 0.0_f64;
    for rank in 0..VOCABULARY {
        total += 1.0 / (rank as f64 + 1.0);
        cumulative.push(total);
    }
    let words: Vec<&str> = (0..STREAM_LEN)
        .map(|_| {
            let u = (rng.next() >> 11) as f64 / (1_u64 << 53) as f64 * total;
            let rank = cumulative.partition_point(|&c| c < u).min(VOCABULARY - 1);
            vocabulary[rank]
        })
        .collect();
    // The stream is slices of one text, as a lexer's identifiers are slices
    // of the source it reads front to back: each word is read from memory
    // next to the previous one, not from a scattered heap block.
    let text: &'static str = Box::leak(words.join(" ").into_boxed_str());
    let mut at = 0;
    let stream = words
        .iter()
        .map(|word| {
            let slice = &text[at..at + word.len()];
            at += word.len() + 1;
            slice
        })
        .collect();
    Workload::new("zipf", stream)
}

/// Where to find real Rust sources: the standard library of an installed
/// toolchain's `rust-src`, else the cargo registry's unpacked crates.
fn corpus_roots() -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let rustup = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".rustup")));
    let cargo = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".cargo")));
    let mut roots = Vec::new();
    if let Some(rustup) = rustup
        && let Ok(entries) = std::fs::read_dir(rustup.join("toolchains"))
    {
        let mut toolchains: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        toolchains.sort();
        for toolchain in toolchains {
            let library = toolchain.join("lib/rustlib/src/rust/library");
            if library.is_dir() {
                roots.push(library);
                break;
            }
        }
    }
    if let Some(cargo) = cargo {
        roots.push(cargo.join("registry/src"));
    }
    roots
}

/// Every `.rs` file under `dir`, in sorted order.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Appends the identifier tokens of Rust source `text` (comments and string
/// literals skipped) to `out`.
fn identifiers(text: &'static str, out: &mut Vec<&'static str>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if b == b'/' && bytes.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if b == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
        } else if b == b'\'' && bytes.get(i + 1) == Some(&b'\\') {
            i += 2;
            while i < bytes.len() && bytes[i] != b'\'' {
                i += 1;
            }
            i += 1;
        } else if b == b'\'' && bytes.get(i + 2) == Some(&b'\'') {
            i += 3;
        } else if b.is_ascii_alphabetic() || b == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push(&text[start..i]);
        } else if b.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
}

/// The `corpus` workload, and where it came from.
fn corpus_workload(fallback: &Workload) -> (Workload, String) {
    for root in corpus_roots() {
        let mut files = Vec::new();
        rust_files(&root, &mut files);
        let mut stream = Vec::with_capacity(STREAM_LEN);
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            identifiers(Box::leak(text.into_boxed_str()), &mut stream);
            if stream.len() >= STREAM_LEN {
                break;
            }
        }
        stream.truncate(STREAM_LEN);
        if stream.len() >= STREAM_LEN / 4 {
            let source = format!("identifiers of the Rust sources under {}", root.display());
            return (Workload::new("corpus", stream), source);
        }
    }
    let source = "no Rust sources found: the zipf stream again".to_owned();
    (Workload::new("corpus", fallback.stream.clone()), source)
}

/// Bytes held by an interner of `workload`'s vocabulary, per unique string.
fn bytes_per_string<T: Subject>(workload: &Workload) -> f64 {
    common::set_counting(true);
    let before = common::counts().bytes;
    let mut interner = T::empty();
    for s in &workload.vocabulary {
        interner.intern(s);
    }
    let after = common::counts().bytes;
    drop(black_box(interner));
    common::set_counting(false);
    (after - before) as f64 / workload.vocabulary.len() as f64
}

fn report_memory(workload: &Workload) {
    let string_bytes: usize = workload.vocabulary.iter().map(|s| s.len()).sum();
    println!(
        "memory per unique string, {} ({} unique, {} look-ups, {:.1} bytes of text per string):",
        workload.name,
        workload.vocabulary.len(),
        workload.stream.len(),
        string_bytes as f64 / workload.vocabulary.len() as f64
    );
    let ours = {
        let mut interner = Interner::new();
        for s in &workload.vocabulary {
            interner.get_or_intern(s);
        }
        interner.memory_usage()
    };
    println!(
        "  arenakit                {:6.1} B (own count: {:.1} B = strings {:.1} + index {:.1} + spans {:.1}; arena slack not counted)",
        bytes_per_string::<Interner>(workload),
        ours.total_bytes() as f64 / workload.vocabulary.len() as f64,
        ours.string_bytes as f64 / workload.vocabulary.len() as f64,
        ours.index_bytes as f64 / workload.vocabulary.len() as f64,
        ours.span_bytes as f64 / workload.vocabulary.len() as f64,
    );
    println!(
        "  lasso (FxHash)          {:6.1} B",
        bytes_per_string::<LassoFx>(workload)
    );
    println!(
        "  string-interner string  {:6.1} B",
        bytes_per_string::<SiString>(workload)
    );
    println!(
        "  string-interner bucket  {:6.1} B",
        bytes_per_string::<SiBucket>(workload)
    );
}

/// Interns the whole stream into a new interner.
fn build<T: Subject>(workload: &Workload) -> (T, Vec<T::Sym>) {
    let mut interner = T::empty();
    let symbols = workload.stream.iter().map(|s| interner.intern(s)).collect();
    (interner, symbols)
}

/// `get_or_intern` over the stream, starting from an empty interner.
fn get_or_intern<T: Subject>(b: &mut Bencher<'_>, workload: &Workload) {
    b.iter_batched(
        T::empty,
        |mut interner| {
            for s in &workload.stream {
                black_box(interner.intern(black_box(s)));
            }
            interner
        },
        BatchSize::LargeInput,
    )
}

/// `get` over the stream on an interner that holds every string.
fn get<T: Subject>(b: &mut Bencher<'_>, workload: &Workload) {
    let (interner, _) = build::<T>(workload);
    b.iter(|| {
        for s in &workload.stream {
            black_box(interner.lookup(black_box(s)));
        }
    })
}

/// `resolve` of the stream's symbols.
fn resolve<T: Subject>(b: &mut Bencher<'_>, workload: &Workload) {
    let (interner, symbols) = build::<T>(workload);
    b.iter(|| {
        for &sym in &symbols {
            black_box(interner.string(black_box(sym)));
        }
    })
}

/// The interners' names in the reports, in the order of every list of runs.
const NAMES: [&str; 5] = [
    "arenakit",
    "arenakit_local",
    "lasso_fx",
    "string_interner_string",
    "string_interner_bucket",
];

/// Rounds of the interleaved `get_or_intern` comparison.
const ROUNDS: usize = 15;

/// The seconds one `get_or_intern` pass over the stream takes, from an empty
/// interner.
fn time_get_or_intern<T: Subject>(workload: &Workload) -> f64 {
    let mut interner = T::empty();
    let seconds = common::seconds(|| {
        for s in &workload.stream {
            black_box(interner.intern(black_box(s)));
        }
    });
    drop(black_box(interner));
    seconds
}

/// Prints how `get_or_intern` from empty compares when the five interners
/// take turns, one pass each per round (see [`common::report_interleaved`]).
fn report_interleaved(workload: &Workload) {
    let passes: [fn(&Workload) -> f64; 5] = [
        time_get_or_intern::<Interner>,
        time_get_or_intern::<LocalInterner>,
        time_get_or_intern::<LassoFx>,
        time_get_or_intern::<SiString>,
        time_get_or_intern::<SiBucket>,
    ];
    let mut runs: Vec<common::Run<'_>> = NAMES
        .iter()
        .zip(passes)
        .map(|(&name, pass)| {
            (
                name,
                Box::new(move || pass(workload)) as Box<dyn FnMut() -> f64>,
            )
        })
        .collect();
    common::report_interleaved(
        &format!("get_or_intern from empty, {}", workload.name),
        ROUNDS,
        &mut runs,
    );
}

/// One group per workload and operation, with every interner in it, so the
/// peers run back to back.
fn compare(c: &mut Criterion, workload: &Workload) {
    type Run = fn(&mut Bencher<'_>, &Workload);
    let operations: [(&str, [Run; 5]); 3] = [
        (
            "get_or_intern",
            [
                get_or_intern::<Interner>,
                get_or_intern::<LocalInterner>,
                get_or_intern::<LassoFx>,
                get_or_intern::<SiString>,
                get_or_intern::<SiBucket>,
            ],
        ),
        (
            "get",
            [
                get::<Interner>,
                get::<LocalInterner>,
                get::<LassoFx>,
                get::<SiString>,
                get::<SiBucket>,
            ],
        ),
        (
            "resolve",
            [
                resolve::<Interner>,
                resolve::<LocalInterner>,
                resolve::<LassoFx>,
                resolve::<SiString>,
                resolve::<SiBucket>,
            ],
        ),
    ];
    for (operation, runs) in operations {
        let mut group = c.benchmark_group(format!("intern/{}/{operation}", workload.name));
        group.throughput(Throughput::Elements(workload.stream.len() as u64));
        group.sample_size(20);
        for (name, run) in NAMES.iter().zip(runs) {
            group.bench_function(*name, |b| run(b, workload));
        }
        group.finish();
    }
}

fn interning(c: &mut Criterion) {
    let zipf = zipf_workload();
    let (corpus, source) = corpus_workload(&zipf);
    println!("corpus: {source}");
    report_memory(&zipf);
    report_memory(&corpus);
    let workloads = [zipf, corpus];
    for workload in &workloads {
        report_interleaved(workload);
    }

    // The choice of hash: the same interner with three string hashes.
    for workload in &workloads {
        let mut group = c.benchmark_group(format!("intern/{}/hash", workload.name));
        group.throughput(Throughput::Elements(workload.stream.len() as u64));
        group.sample_size(20);
        fn run<S: BuildHasher + Default>(b: &mut Bencher<'_>, stream: &[&str]) {
            b.iter_batched(
                Interner::<S>::default,
                |mut interner| {
                    for s in stream {
                        black_box(interner.get_or_intern(black_box(s)));
                    }
                    interner
                },
                BatchSize::LargeInput,
            )
        }
        group.bench_function("IdentHash", |b| run::<IdentHash>(b, &workload.stream));
        group.bench_function("FxHash", |b| {
            run::<rustc_hash::FxBuildHasher>(b, &workload.stream)
        });
        group.bench_function("foldhash", |b| {
            run::<hashbrown::DefaultHashBuilder>(b, &workload.stream)
        });
        group.finish();
    }

    for workload in &workloads {
        compare(c, workload);
    }
}

criterion_group!(benches, interning);
criterion_main!(benches);
