//! Unit tests that need the interner's private parts.

use super::*;

#[test]
fn full_interner_reports_an_error_and_stays_unchanged() {
    let mut interner = Interner::new();
    interner.set_limit(2);
    let a = interner.try_get_or_intern("a").unwrap();
    let b = interner.try_get_or_intern("b").unwrap();
    assert_eq!(interner.try_get_or_intern("c"), Err(CapacityError));
    assert_eq!(interner.len(), 2);
    assert_eq!(interner.get("c"), None);
    // Strings already present are still found.
    assert_eq!(interner.try_get_or_intern("a"), Ok(a));
    assert_eq!(interner.try_get_or_intern("b"), Ok(b));
    assert_eq!(interner.memory_usage().string_bytes, 2);
}

#[test]
#[should_panic(expected = "interner is full")]
fn get_or_intern_panics_when_full() {
    let mut interner = Interner::new();
    interner.set_limit(1);
    interner.get_or_intern("a");
    interner.get_or_intern("b");
}

#[test]
fn clone_keeps_the_limit() {
    let mut interner = Interner::new();
    interner.set_limit(1);
    interner.get_or_intern("a");
    let mut copy = interner.clone();
    assert_eq!(copy.try_get_or_intern("b"), Err(CapacityError));
}

#[test]
fn symbol_space_ends_at_max_strings() {
    let last = Symbol::try_from_index(MAX_STRINGS - 1).unwrap();
    assert_eq!(last.to_index(), MAX_STRINGS - 1);
    assert_eq!(last.0.get(), u32::MAX - 1);
    assert_eq!(Symbol::try_from_index(MAX_STRINGS), None);
    assert_eq!(Symbol::try_from_index(usize::MAX), None);
}

#[test]
fn comparison_agrees_with_slice_equality() {
    let words = [
        "",
        "a",
        "ab",
        "abcdefg",
        "abcdefgh",
        "abcdefgi",
        "bbcdefgh",
        "abcdefghijklmnop",
        "abcdefghijklmnoq",
        "abcdefghXjklmnop",
        "abcdefghijklmnopq",
        "abcdefghijklmnopr",
        "Xbcdefghijklmnopq",
        "abcdefghijklmnopqrstuvwx",
        "abcdefghijklmnopXrstuvwx",
        "abcdefghijkXmnopqrstuvwx",
        "abcdefgXijklmnopqrstuvwx",
        "abcdefghijklmnopqrstuvwxyz012345",
        "abcdefghijklmnopqrstuvwxyz01234X",
        "abcdefghijklmnopqrstuvwXyz012345",
        "abcdefghijklXnopqrstuvwxyz012345",
        "abcdefghijklmnopqrstuvwxyz0123456",
    ];
    for a in words {
        for b in words {
            // The comparison a look-up of `b` makes against a stored `a`.
            let (stored, query) = (a.as_bytes(), b.as_bytes());
            // A look-up compares the lengths, then the words; past 24 bytes
            // it compares the bytes themselves.
            let same = stored.len() == query.len()
                && if query.len() <= 24 {
                    compared_words(stored) == compared_words(query)
                } else {
                    stored == query
                };
            assert_eq!(same, a == b, "{a:?} vs {b:?}");
        }
    }
}

#[test]
fn symbols_are_four_bytes() {
    assert_eq!(size_of::<Symbol>(), 4);
    assert_eq!(size_of::<Option<Symbol>>(), 4);
}

#[test]
fn with_capacity_holds_that_many_strings_without_growing() {
    // Miri runs the small capacities only: the large ones take minutes there.
    let capacities: &[usize] = if cfg!(miri) {
        &[1, 7, 100]
    } else {
        &[1, 7, 100, 1000, 4096]
    };
    for &capacity in capacities {
        let mut interner = Interner::with_capacity(capacity);
        let before = interner.memory_usage();
        for i in 0..capacity {
            interner.get_or_intern(&format!("s{i}"));
        }
        let after = interner.memory_usage();
        assert_eq!(after.index_bytes, before.index_bytes, "capacity {capacity}");
        assert_eq!(after.span_bytes, before.span_bytes, "capacity {capacity}");
        // One more string may grow the index, and everything is still found.
        interner.get_or_intern("one more");
        for i in 0..capacity {
            assert_eq!(
                interner.get(&format!("s{i}")).map(Symbol::to_index),
                Some(i)
            );
        }
    }
}

#[test]
fn index_bytes_count_the_slots_and_the_comparison_words() {
    let usage = Interner::with_capacity(1000).memory_usage();
    // At least 1000 / (4/5) slots of 4 bytes, and per string 24 bytes of
    // words and 4 bytes of stored key.
    assert!(usage.index_bytes >= 1250 * 4 + 1000 * 28, "{usage:?}");
    assert!(usage.span_bytes >= 1000 * 16, "{usage:?}");
}

#[test]
fn clear_keeps_the_index_and_starts_over() {
    let mut interner = Interner::new();
    for i in 0..100 {
        interner.get_or_intern(&format!("w{i}"));
    }
    let index_bytes = interner.memory_usage().index_bytes;
    interner.clear();
    assert_eq!(interner.memory_usage().index_bytes, index_bytes);
    assert_eq!(interner.get("w1"), None);
    assert_eq!(interner.get_or_intern("w1").to_index(), 0);
    assert_eq!(interner.get("w1").map(Symbol::to_index), Some(0));
}

#[test]
fn long_strings_differing_at_the_end_are_told_apart() {
    let mut interner = Interner::new();
    let a = "p".repeat(200);
    let b = format!("{}q", "p".repeat(199));
    let sa = interner.get_or_intern(&a);
    let sb = interner.get_or_intern(&b);
    assert_ne!(sa, sb);
    assert_eq!(interner.get(&b), Some(sb));
    assert_eq!(interner.resolve(sa), a);
}

#[test]
fn growth_that_hashes_strings_again_keeps_every_string_found() {
    // Unit tests lower the table size past which growth hashes every string
    // again, instead of rebuilding the keys from the 32 bits kept per
    // string (to 64 slots), so a few hundred strings of many lengths take
    // that path.
    let count = if cfg!(miri) { 300 } else { 3000 };
    let strings: Vec<String> = (0..count)
        .map(|i| format!("{}{i}", "x".repeat(i % 40)))
        .collect();
    let mut interner = Interner::new();
    let symbols: Vec<Symbol> = strings.iter().map(|s| interner.get_or_intern(s)).collect();
    // 512 slots of 4 bytes or more: grown past 64 slots three times at least.
    assert!(interner.table.allocation_size() >= 512 * 4);
    for (string, &symbol) in strings.iter().zip(&symbols) {
        assert_eq!(interner.get(string), Some(symbol));
        assert_eq!(interner.resolve(symbol), string);
    }
    assert_eq!(interner.get("absent"), None);
}

/// A hash that is the same for every string.
#[derive(Clone, Copy, Default)]
struct Constant;

impl BuildHasher for Constant {
    type Hasher = Fixed;
    fn build_hasher(&self) -> Fixed {
        Fixed
    }
}

/// The hasher of [`Constant`].
struct Fixed;

impl Hasher for Fixed {
    fn finish(&self) -> u64 {
        0x0123_4567_89ab_cdef
    }
    fn write(&mut self, _bytes: &[u8]) {}
}

#[test]
fn tables_too_big_for_length_tags_compare_lengths_by_span() {
    // Unit tests lower the table size up to which tags hold lengths (to 64
    // slots). With a constant hash every string shares its tag with all the
    // others, so past that size only the spans' lengths tell apart strings
    // whose comparison words are the same.
    let mut interner = Interner::with_hasher(Constant);
    let filler = if cfg!(miri) { 60 } else { 200 };
    for i in 0..filler {
        interner.get_or_intern(&format!("filler{i}"));
    }
    assert!(!interner.table.tags_hold_lengths());
    let strings = [
        "a",
        "aaa",
        "abab",
        "ababab",
        "abababab",
        "abababababababab",
        "abababababababababab",
        "abababababababababababab",
        "",
        "\0\0\0\0",
        "\0\0\0\0\0\0\0\0",
    ];
    let symbols: Vec<Symbol> = strings.iter().map(|s| interner.get_or_intern(s)).collect();
    assert_eq!(interner.len(), filler + strings.len());
    for (string, &symbol) in strings.iter().zip(&symbols) {
        assert_eq!(interner.get(string), Some(symbol), "{string:?}");
        assert_eq!(interner.resolve(symbol), *string);
    }
}
