//! `LocalInterner`: strings resolved through `&self` stay valid while it
//! goes on interning, it agrees with `Interner`, and a hasher that calls
//! back into it is stopped with a panic.

use std::cell::RefCell;
use std::hash::{BuildHasher, Hasher};

use arenakit_intern::{Interner, LocalInterner, Symbol};

/// Strings per test: enough to fill several arena chunks and grow the
/// index and the span vector a few times, fewer under Miri.
const STRINGS: usize = if cfg!(miri) { 120 } else { 5_000 };

/// The `i`-th test string: lengths vary from 1 to about 90 bytes, so the
/// strings fill arena chunks quickly.
fn string(i: usize) -> String {
    let mut s = format!("s{i}_");
    s.push_str(&"ab".repeat(i % 43));
    s
}

#[test]
fn resolved_strings_outlive_later_interning() {
    let names = LocalInterner::new();
    let mut held: Vec<(&str, Symbol)> = Vec::new();
    for i in 0..STRINGS {
        let symbol = names.get_or_intern(&string(i));
        // Keep the string itself, borrowed from `names`, across all the
        // interning that follows.
        held.push((names.resolve(symbol), symbol));
    }
    // More than the arena's first chunk (4 KiB) holds: the strings span
    // chunks, and the index and the span vector have grown.
    let usage = names.memory_usage();
    assert!(usage.string_bytes > 4096, "{usage:?}");
    for (i, &(text, symbol)) in held.iter().enumerate() {
        assert_eq!(text, string(i));
        assert_eq!(symbol.to_index(), i);
        assert_eq!(names.get(text), Some(symbol));
        assert!(
            std::ptr::eq(text, names.resolve(symbol)),
            "string {i} moved"
        );
    }
}

#[test]
fn agrees_with_interner() {
    let mut interner = Interner::new();
    let names = LocalInterner::new();
    for i in 0..STRINGS {
        // Every third string is seen before, so hits and misses mix.
        let text = string(if i % 3 == 0 { i / 3 } else { i });
        assert_eq!(names.get(&text), interner.get(&text), "{text}");
        assert_eq!(names.contains(&text), interner.contains(&text));
        assert_eq!(names.get_or_intern(&text), interner.get_or_intern(&text));
    }
    assert_eq!(names.len(), interner.len());
    assert_eq!(
        names.memory_usage().string_bytes,
        interner.memory_usage().string_bytes
    );
    let out_of_range = Symbol::try_from_index(interner.len()).unwrap();
    assert_eq!(names.try_resolve(out_of_range), None);
    let unwrapped = names.into_inner();
    assert!(unwrapped.iter().eq(interner.iter()));
}

#[test]
fn clone_get_mut_and_into_inner_keep_or_clear_symbols() {
    let mut names = LocalInterner::new();
    let a = names.get_or_intern("a");
    let b = names.get_or_intern("b");
    let copy = names.clone();
    assert_eq!((copy.resolve(a), &copy[b]), ("a", "b"));
    assert_eq!(format!("{copy:?}"), r#"{Symbol(0): "a", Symbol(1): "b"}"#);

    names.get_mut().clear();
    assert!(names.is_empty());
    assert_eq!(names.try_resolve(a), None);
    // The copy has strings of its own.
    assert_eq!(copy.resolve(b), "b");
    assert_eq!(copy.into_inner().get("a"), Some(a));
}

#[test]
#[should_panic(expected = "Symbol(3) is out of range for an interner of 1 strings")]
fn resolve_panics_on_a_symbol_out_of_range() {
    let names = LocalInterner::new();
    names.get_or_intern("only");
    names.resolve(Symbol::from_index(3));
}

#[test]
fn the_interner_can_move_to_another_thread() {
    let names = LocalInterner::new();
    let x = names.get_or_intern("x");
    let names = std::thread::spawn(move || {
        assert_eq!(names.resolve(x), "x");
        names.get_or_intern("y");
        names
    })
    .join()
    .unwrap();
    assert_eq!(names.len(), 2);
}

/// A hash that looks at the thread's [`REENTERED`] interner while it hashes,
/// as a badly written hasher might.
#[derive(Clone, Default)]
struct Reentering;

/// The hasher of [`Reentering`].
struct ReenteringHasher(u64);

impl BuildHasher for Reentering {
    type Hasher = ReenteringHasher;
    fn build_hasher(&self) -> ReenteringHasher {
        ReenteringHasher(0)
    }
}

impl Hasher for ReenteringHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        REENTERED.with(|names| {
            // `Debug` reports the busy interner instead of panicking.
            SEEN.with_borrow_mut(|seen| *seen = format!("{names:?}"));
            if bytes == b"reenter" {
                // Reading the interner while it interns must not happen.
                let _ = names.len();
            }
        });
        self.0 = bytes
            .iter()
            .fold(self.0, |h, &b| h.rotate_left(5) ^ u64::from(b));
    }
}

thread_local! {
    static REENTERED: LocalInterner<Reentering> = LocalInterner::default();
    static SEEN: RefCell<String> = const { RefCell::new(String::new()) };
}

#[test]
fn a_hasher_that_reenters_is_stopped_and_leaves_the_interner_usable() {
    REENTERED.with(|names| {
        let a = names.get_or_intern("a");
        assert_eq!(
            SEEN.with_borrow(Clone::clone),
            "LocalInterner { <interning> }"
        );
        let reenter = std::panic::AssertUnwindSafe(|| names.get_or_intern("reenter"));
        let caught = std::panic::catch_unwind(reenter);
        let message = caught.unwrap_err();
        let message = message.downcast_ref::<&str>().copied().unwrap_or_default();
        assert!(message.contains("used by its own hasher"), "{message}");
        // The failed call interned nothing; the interner still works.
        assert_eq!(names.len(), 1);
        assert_eq!(names.get_or_intern("a"), a);
        assert_eq!(names.resolve(names.get_or_intern("b")), "b");
    });
}
