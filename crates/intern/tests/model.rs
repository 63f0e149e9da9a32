//! The interner against a `HashMap<String, u32>` model, over random
//! sequences of operations.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use arenakit_intern::{Interner, Keywords, Symbol, keywords};
use proptest::prelude::*;

/// Small case counts under Miri, which is slow; normal counts otherwise.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 8 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Strings from a fixed set of characters, with a length in `len`.
fn from_chars(
    chars: &'static [char],
    len: std::ops::RangeInclusive<usize>,
) -> BoxedStrategy<String> {
    proptest::collection::vec(proptest::sample::select(chars), len)
        .prop_map(String::from_iter)
        .boxed()
}

/// Strings that collide often (a tiny alphabet, including the empty string,
/// a NUL and multi-byte characters) and sometimes run long, across the
/// lengths where a look-up changes how it compares (16, 24). Built from
/// characters rather than regular expressions, which are slow under Miri.
fn word() -> impl Strategy<Value = String> {
    const TINY: &[char] = &['a', 'b', '\0', 'é'];
    const IDENT: &[char] = &['a', 'e', 'i', 'n', 'r', 's', 't', 'x', '_', '0', '1', 'Q'];
    const LONG: &[char] = &['x', 'y'];
    prop_oneof![
        4 => from_chars(TINY, 0..=3),
        2 => from_chars(IDENT, 1..=19),
        1 => proptest::collection::vec(any::<char>(), 0..=40).prop_map(String::from_iter),
        1 => from_chars(LONG, 15..=18),
        1 => from_chars(LONG, 22..=26),
    ]
}

/// How many operations a sequence has at most.
const MAX_OPS: usize = if cfg!(miri) { 24 } else { 80 };

#[derive(Clone, Debug)]
enum Op {
    Intern(String),
    Get(String),
    Resolve(usize),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => word().prop_map(Op::Intern),
        3 => word().prop_map(Op::Get),
        2 => (0..64_usize).prop_map(Op::Resolve),
        1 => Just(Op::Clear),
    ]
}

/// The model: strings to indices, and indices to strings.
#[derive(Default)]
struct Model {
    by_string: HashMap<String, u32>,
    by_index: Vec<String>,
}

impl Model {
    fn intern(&mut self, word: &str) -> u32 {
        if let Some(&index) = self.by_string.get(word) {
            return index;
        }
        let index = u32::try_from(self.by_index.len()).unwrap();
        self.by_string.insert(word.to_owned(), index);
        self.by_index.push(word.to_owned());
        index
    }
}

/// Checks everything the interner says about itself against the model.
fn check_whole<S: BuildHasher>(interner: &Interner<S>, model: &Model) {
    assert_eq!(interner.len(), model.by_index.len());
    assert_eq!(interner.is_empty(), model.by_index.is_empty());
    let listed: Vec<(usize, &str)> = interner
        .iter()
        .map(|(sym, s)| (sym.to_index(), s))
        .collect();
    let expected: Vec<(usize, &str)> = model
        .by_index
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.as_str()))
        .collect();
    assert_eq!(listed, expected);
    let bytes: usize = model.by_index.iter().map(String::len).sum();
    assert_eq!(interner.memory_usage().string_bytes, bytes);
    for (index, word) in model.by_index.iter().enumerate() {
        assert_eq!(interner.get(word).map(Symbol::to_index), Some(index));
    }
}

#[test]
fn lengths_past_the_saturation_are_told_apart() {
    // Index tags keep lengths below 31 exactly; longer strings share one
    // length in their tags and are compared by their bytes. With a constant
    // hash every one of them meets all the others in a probe.
    let mut interner = Interner::with_hasher(Constant);
    let lengths = (23..34).chain(252..258).chain([400, 401]);
    let strings: Vec<String> = lengths.map(|len| "a".repeat(len)).collect();
    let symbols: Vec<Symbol> = strings.iter().map(|s| interner.get_or_intern(s)).collect();
    assert_eq!(interner.len(), strings.len());
    for (string, &symbol) in strings.iter().zip(&symbols) {
        assert_eq!(interner.get(string), Some(symbol));
        assert_eq!(interner.resolve(symbol), string);
    }
    assert_eq!(interner.get(&"a".repeat(402)), None);
    assert_eq!(interner.get(&format!("{}b", "a".repeat(400))), None);
}

#[test]
fn strings_with_the_same_comparison_words_are_told_apart_by_length() {
    // Up to 24 bytes a look-up compares three words that hold every byte of
    // the string, loaded at offsets that depend on its length, so strings
    // of different lengths can have the same words: "a", "aa" and "aaa";
    // "abab" and "ababab"; "ab" repeated 4, 6 and 8 times, or 10 and 12
    // times; the empty string and zero bytes. With a constant hash they
    // also share their tag, and only their lengths tell them apart.
    let mut interner = Interner::with_hasher(Constant);
    let strings = [
        "",
        "\0",
        "\0\0\0\0",
        "\0\0\0\0\0\0\0\0",
        "a",
        "aa",
        "aaa",
        "abab",
        "ababab",
        "abababab",
        "abababababab",
        "abababababababab",
        "abababababababababab",
        "abababababababababababab",
    ];
    let symbols: Vec<Symbol> = strings.iter().map(|s| interner.get_or_intern(s)).collect();
    assert_eq!(interner.len(), strings.len());
    for (string, &symbol) in strings.iter().zip(&symbols) {
        assert_eq!(interner.get(string), Some(symbol), "{string:?}");
        assert_eq!(interner.resolve(symbol), *string);
    }
    assert_eq!(interner.get("ababababab"), None);
}

#[test]
fn strings_differing_in_one_byte_are_told_apart() {
    // A look-up compares strings by words up to 24 bytes and by bytes
    // beyond. With a constant hash every string of a length meets all the
    // others of that length in a probe, so a byte the comparison skipped
    // would merge two of them.
    let mut interner = Interner::with_hasher(Constant);
    let lengths = if cfg!(miri) {
        vec![1, 8, 16, 17, 20, 24, 25]
    } else {
        (1..=40).collect()
    };
    for len in lengths {
        let base = "a".repeat(len);
        let symbol = interner.get_or_intern(&base);
        for at in 0..len {
            let mut bytes = base.clone().into_bytes();
            bytes[at] = b'b';
            let changed = String::from_utf8(bytes).unwrap();
            assert_eq!(interner.get(&changed), None, "{changed:?}");
            let other = interner.get_or_intern(&changed);
            assert_ne!(other, symbol, "{changed:?}");
            assert_eq!(interner.get(&changed), Some(other));
            assert_eq!(interner.get(&base), Some(symbol));
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn matches_the_model(ops in proptest::collection::vec(op(), 0..MAX_OPS)) {
        run_model(Interner::new(), ops)?;
    }

    #[test]
    fn matches_the_model_when_every_hash_collides(
        ops in proptest::collection::vec(op(), 0..MAX_OPS)
    ) {
        run_model(Interner::with_hasher(Constant), ops)?;
    }

    #[test]
    fn matches_the_model_when_strings_share_a_home_slot(
        ops in proptest::collection::vec(op(), 0..MAX_OPS)
    ) {
        run_model(Interner::with_hasher(SameHome), ops)?;
    }

    #[test]
    fn clone_and_collect_agree(words in proptest::collection::vec(word(), 0..MAX_OPS)) {
        let interner: Interner = words.iter().map(String::as_str).collect();
        let copy = interner.clone();
        let mut model = Model::default();
        for word in &words {
            model.intern(word);
        }
        check_whole(&interner, &model);
        check_whole(&copy, &model);
    }

    #[test]
    fn distinct_strings_get_distinct_symbols(
        words in proptest::collection::hash_set(word(), 0..MAX_OPS)
    ) {
        let mut interner = Interner::new();
        let mut symbols = std::collections::HashSet::new();
        for word in &words {
            prop_assert!(symbols.insert(interner.get_or_intern(word)));
        }
        prop_assert_eq!(interner.len(), words.len());
    }
}

/// Runs `ops` on `interner` and the model side by side.
fn run_model<S: BuildHasher>(mut interner: Interner<S>, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut model = Model::default();
    // Strings resolved earlier stay valid and unchanged while the
    // interner grows (checked at the end, before any clear).
    let mut resolved: Vec<(&str, String)> = Vec::new();
    let mut held: Vec<(Symbol, String)> = Vec::new();
    for op in ops {
        match op {
            Op::Intern(word) => {
                let symbol = interner.get_or_intern(&word);
                let index = model.intern(&word);
                prop_assert_eq!(symbol.to_index(), index as usize);
                prop_assert_eq!(interner.resolve(symbol), word.as_str());
                held.push((symbol, word));
            }
            Op::Get(word) => {
                let expected = model.by_string.get(&word).map(|&i| i as usize);
                prop_assert_eq!(interner.get(&word).map(Symbol::to_index), expected);
                prop_assert_eq!(interner.contains(&word), expected.is_some());
            }
            Op::Resolve(index) => {
                let symbol = Symbol::try_from_index(index).unwrap();
                let expected = model.by_index.get(index).map(String::as_str);
                prop_assert_eq!(interner.try_resolve(symbol), expected);
            }
            Op::Clear => {
                interner.clear();
                model = Model::default();
                held.clear();
            }
        }
    }
    check_whole(&interner, &model);
    for (symbol, word) in &held {
        prop_assert_eq!(interner.resolve(*symbol), word.as_str());
    }
    // Borrowed strings survive further interning without moving.
    for (symbol, word) in &held {
        resolved.push((interner.resolve(*symbol), word.clone()));
    }
    let snapshot: Vec<(usize, String)> = resolved
        .iter()
        .map(|(s, w)| (s.as_ptr() as usize, w.clone()))
        .collect();
    drop(resolved);
    for i in 0..MAX_OPS {
        interner.get_or_intern(&format!("later_{i}"));
    }
    for ((address, word), (symbol, _)) in snapshot.iter().zip(&held) {
        let now = interner.resolve(*symbol);
        prop_assert_eq!(now.as_ptr() as usize, *address);
        prop_assert_eq!(now, word.as_str());
    }
    Ok(())
}

/// A hash that is the same for every string: every string shares one
/// probe sequence, so each look-up must step over all the others.
#[derive(Clone, Copy, Default)]
struct Constant;

impl BuildHasher for Constant {
    type Hasher = Fixed;
    fn build_hasher(&self) -> Fixed {
        Fixed(0x0123_4567_89ab_cdef)
    }
}

/// A hash that differs between strings only in bits the table does not
/// index by: strings share a home slot but not a stored hash, so probes
/// must skip slots by their hash.
#[derive(Clone, Copy, Default)]
struct SameHome;

impl BuildHasher for SameHome {
    type Hasher = SameHomeHasher;
    fn build_hasher(&self) -> SameHomeHasher {
        SameHomeHasher(0)
    }
}

/// A hasher that finishes with a fixed value.
struct Fixed(u64);

impl Hasher for Fixed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _bytes: &[u8]) {}
}

/// The hasher of [`SameHome`]: the string's bytes, summed, in bits 16 to
/// 23, which the index keeps in its tags but uses for the home slot only in
/// tables of more than 2^16 slots.
struct SameHomeHasher(u64);

impl Hasher for SameHomeHasher {
    fn finish(&self) -> u64 {
        (self.0 & 0xff) << 16
    }
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.wrapping_add(u64::from(byte)).wrapping_add(1);
        }
    }
}

keywords! {
    /// Keywords for the tests.
    mod kw {
        /// An empty keyword, to be sure it works.
        EMPTY = "",
        LET = "let",
        FN = "fn",
        ACCENTED = "café",
    }
}

arenakit_intern::keywords! {
    /// A list with no words, which a generated language may well have.
    mod no_keywords {}
}

#[test]
fn an_empty_keyword_list_interns_nothing_first() {
    assert!(no_keywords::KEYWORDS.is_empty());
    let mut interner = Interner::with_keywords(&no_keywords::KEYWORDS);
    assert!(interner.is_empty());
    assert_eq!(interner.get_or_intern("x").to_index(), 0);
}

#[test]
fn keyword_constants_are_the_interned_symbols() {
    let mut interner = Interner::with_keywords(&kw::KEYWORDS);
    let constants = [kw::EMPTY, kw::LET, kw::FN, kw::ACCENTED];
    for (index, (constant, word)) in constants.iter().zip(kw::KEYWORDS.words()).enumerate() {
        assert_eq!(constant.to_index(), index);
        assert_eq!(interner.get_or_intern(word), *constant);
        assert_eq!(interner.resolve(*constant), *word);
    }
    assert_eq!(interner.len(), 4);
    let other = interner.get_or_intern("other");
    assert_eq!(other.to_index(), 4);
    assert!(!kw::KEYWORDS.contains(other));
    assert!(kw::KEYWORDS.contains(kw::ACCENTED));
}

#[test]
fn runtime_keyword_list_with_a_duplicate_panics() {
    static WORDS: [&str; 3] = ["a", "b", "a"];
    // Called at run time (not in a `const`), the check panics.
    let result = std::panic::catch_unwind(|| Keywords::new(&WORDS));
    assert!(result.is_err());
}

#[test]
#[should_panic(expected = "out of range for an interner of 1 strings")]
fn resolving_a_symbol_past_the_end_panics() {
    let mut big = Interner::new();
    big.get_or_intern("a");
    let b = big.get_or_intern("b");
    let mut small = Interner::new();
    small.get_or_intern("a");
    let _ = small.resolve(b);
}

#[test]
fn resolving_after_clear_is_detected_when_out_of_range() {
    let mut interner = Interner::new();
    let a = interner.get_or_intern("a");
    interner.clear();
    assert_eq!(interner.try_resolve(a), None);
    assert_eq!(interner.get("a"), None);
}

#[test]
fn interner_moves_across_threads_and_shares_reads() {
    let mut interner = Interner::new();
    let symbols: Vec<Symbol> = (0..100)
        .map(|i| interner.get_or_intern(&format!("name{i}")))
        .collect();
    let interner = std::thread::spawn(move || {
        assert_eq!(interner.resolve(symbols[7]), "name7");
        interner
    })
    .join()
    .unwrap();
    std::thread::scope(|scope| {
        for t in 0..2 {
            let interner = &interner;
            scope.spawn(move || {
                for i in (t..100).step_by(2) {
                    assert_eq!(interner.get(&format!("name{i}")).unwrap().to_index(), i);
                }
            });
        }
        // An iterator, too, can go to another thread.
        let mut iter = interner.iter();
        assert_eq!(iter.next().map(|(_, s)| s), Some("name0"));
        let rest = scope.spawn(move || iter.map(|(_, s)| s.len()).sum::<usize>());
        // The rest: "name1" to "name9", then "name10" to "name99".
        assert_eq!(rest.join().unwrap(), 9 * 5 + 90 * 6);
    });
}

#[test]
fn strings_stay_put_across_growth() {
    let mut interner = Interner::new();
    let first = interner.get_or_intern("first");
    let address = interner.resolve(first).as_ptr();
    let count = if cfg!(miri) { 300 } else { 20_000 };
    for i in 0..count {
        interner.get_or_intern(&format!("{i:0>12}"));
    }
    assert_eq!(interner.resolve(first).as_ptr(), address);
    assert_eq!(interner.len(), count + 1);
    for i in (0..count).step_by(97) {
        let word = format!("{i:0>12}");
        assert_eq!(interner.resolve(interner.get(&word).unwrap()), word);
    }
}

#[test]
fn memory_usage_grows_with_content() {
    let mut interner = Interner::new();
    let empty = interner.memory_usage();
    for i in 0..100 {
        interner.get_or_intern(&format!("w{i}"));
    }
    let full = interner.memory_usage();
    assert_eq!(full.string_bytes, 10 * 2 + 90 * 3);
    assert!(full.index_bytes > empty.index_bytes);
    assert!(full.span_bytes >= 100 * 16);
    assert_eq!(
        full.total_bytes(),
        full.string_bytes + full.index_bytes + full.span_bytes
    );
}

#[test]
fn debug_forms_are_readable() {
    let mut interner = Interner::new();
    let x = interner.get_or_intern("x");
    assert_eq!(format!("{x:?}"), "Symbol(0)");
    assert_eq!(format!("{interner:?}"), "{Symbol(0): \"x\"}");
    assert_eq!(format!("{:?}", interner.iter()), "Iter { remaining: 1 }");
}

#[test]
fn index_operator_resolves() {
    let mut interner = Interner::new();
    let s = interner.get_or_intern("🦀");
    assert_eq!(&interner[s], "🦀");
}
