//! A string interner whose strings live in arena memory.
//!
//! [`Interner::get_or_intern`] maps each distinct string to a [`Symbol`], a
//! 4-byte handle (`Option<Symbol>` is 4 bytes too) that is cheap to copy,
//! compare and hash. Each string is copied once into an
//! [`arenakit_arena::Arena`] owned by the interner and never moves, so
//! [`Interner::resolve`] is an O(1) array index and the `&str` it returns is
//! valid for as long as the interner is borrowed. [`LocalInterner`] interns
//! through `&self`, so its strings stay valid across later interning, for
//! the interner's whole life.
//!
//! Symbols are assigned densely in interning order: the first string gets
//! [`Symbol::from_index(0)`](Symbol::from_index), the next one index 1, and so
//! on. A [`Keywords`] list (usually declared with [`keywords!`]) fixes the
//! first symbols in advance so a lexer can compare keywords as integers.
//!
//! # Examples
//!
//! ```
//! use arenakit_intern::Interner;
//!
//! let mut interner = Interner::new();
//! let x = interner.get_or_intern("x");
//! let y = interner.get_or_intern("y");
//! assert_eq!(interner.get_or_intern("x"), x);
//! assert_ne!(x, y);
//! assert_eq!(interner.resolve(y), "y");
//! assert_eq!(interner.get("z"), None);
//! ```
//!
//! # How it works
//!
//! The interner keeps four things: the arena with the string bytes, a
//! vector of spans (pointer and length) indexed by symbol for `resolve`, a
//! hash index of 4-byte slots, each holding a symbol and, in the bits the
//! symbol does not need, a tag of its string's length and hash, and,
//! indexed by symbol, three words that hold every byte of a string of up to
//! 24 bytes. A lookup computes the words of its string once, without a
//! branch on the length, hashes them with [`IdentHash`] and probes the
//! index linearly from the slot the hash picks; only a slot whose tag
//! agrees leads to a comparison, which for strings of up to 24 bytes
//! (nearly every identifier) is of the words, without reading the string
//! or calling `memcmp`. So a miss reads no string memory, a hit on an
//! identifier reads a slot and 24 bytes at a fixed place, and growing the
//! index reads 32 bits of hash kept per string, in order, without reading
//! or hashing any string.
//!
//! That matters on a large vocabulary, where the rarer strings are not in
//! the cache: the slot and the words are two loads, one after the other,
//! where reaching the bytes through the span would be a third. And in a
//! stream of identifiers the lengths follow no pattern, so every branch on
//! a length is mispredicted often; the look-up of a string of up to 24
//! bytes has none.
//!
//! Spans, words and bytes are laid out in symbol order, which is first-seen
//! order. In a skewed stream of identifiers the frequent ones are seen first,
//! so their words share a few cache lines at the front.

mod hash;
mod keywords;
mod local;
mod table;

use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::iter::FusedIterator;
use std::num::NonZeroU32;
use std::ops::Index;
use std::ptr::NonNull;

use arenakit_arena::Arena;
use hash::{WORDS_MAX, Words};
use table::{Key, Probe, STORED_KEY_SLOTS, Table};

pub use hash::{IdentHash, IdentHasher, hash_bytes};
pub use keywords::Keywords;
pub use local::LocalInterner;

/// The most strings an interner holds: `u32::MAX - 1`. One more is a
/// [`CapacityError`] from [`Interner::try_get_or_intern`], not a symbol that
/// wraps around.
///
/// ```
/// use arenakit_intern::{MAX_STRINGS, Symbol};
///
/// // The last string's index has a symbol; the next one has none.
/// let last = Symbol::try_from_index(MAX_STRINGS - 1);
/// assert_eq!(last.map(Symbol::to_index), Some(MAX_STRINGS - 1));
/// assert_eq!(Symbol::try_from_index(MAX_STRINGS), None);
/// ```
pub const MAX_STRINGS: usize = u32::MAX as usize - 1;

/// A handle to a string interned in an [`Interner`].
///
/// A symbol is a non-zero `u32` (the string's index plus one), so it and
/// `Option<Symbol>` are both 4 bytes. Symbols order by interning order. The
/// `Debug` form shows the index: `Symbol(0)` is the first string interned.
///
/// A symbol does not know which interner made it. Resolving it in another
/// interner returns that interner's string at the same index if there is one;
/// only an index past the end is detected (see [`Interner::resolve`]).
///
/// # Examples
///
/// ```
/// use arenakit_intern::{Interner, Symbol};
///
/// assert_eq!(size_of::<Option<Symbol>>(), 4);
/// let mut interner = Interner::new();
/// let a = interner.get_or_intern("a");
/// assert_eq!(a.to_index(), 0);
/// assert_eq!(format!("{a:?}"), "Symbol(0)");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Symbol(NonZeroU32);

impl Symbol {
    /// The symbol with the given index (the `index`-th string interned,
    /// counting from 0).
    ///
    /// # Panics
    ///
    /// Panics if `index >= MAX_STRINGS` (at compile time in a `const`).
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Symbol;
    ///
    /// const THIRD: Symbol = Symbol::from_index(2);
    /// assert_eq!(THIRD.to_index(), 2);
    /// ```
    #[inline]
    pub const fn from_index(index: usize) -> Symbol {
        match Symbol::try_from_index(index) {
            Some(symbol) => symbol,
            None => panic!("symbol index out of range"),
        }
    }

    /// The symbol with the given index, or `None` if `index >= MAX_STRINGS`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::{MAX_STRINGS, Symbol};
    ///
    /// assert_eq!(Symbol::try_from_index(7).map(Symbol::to_index), Some(7));
    /// assert_eq!(Symbol::try_from_index(MAX_STRINGS), None);
    /// ```
    #[inline]
    pub const fn try_from_index(index: usize) -> Option<Symbol> {
        if index >= MAX_STRINGS {
            return None;
        }
        // `index + 1` is at most `MAX_STRINGS = u32::MAX - 1`: no overflow.
        match NonZeroU32::new(index as u32 + 1) {
            Some(value) => Some(Symbol(value)),
            None => None,
        }
    }

    /// The symbol whose raw value (its index plus one) is `raw`.
    ///
    /// # Safety
    ///
    /// `raw` must not be 0.
    #[allow(unsafe_code)]
    #[inline(always)]
    pub(crate) const unsafe fn from_raw(raw: u32) -> Symbol {
        // SAFETY: the caller guarantees that `raw` is not 0.
        Symbol(unsafe { NonZeroU32::new_unchecked(raw) })
    }

    /// The symbol's raw value: its index plus one, never 0.
    #[inline(always)]
    pub(crate) const fn to_raw(self) -> u32 {
        self.0.get()
    }

    /// The symbol's index: the number of strings interned before it.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let mut interner = Interner::new();
    /// interner.get_or_intern("a");
    /// assert_eq!(interner.get_or_intern("b").to_index(), 1);
    /// ```
    #[inline]
    pub const fn to_index(self) -> usize {
        // Widening first lets the `- 1` fold into an address computation.
        self.0.get() as usize - 1
    }
}

impl fmt::Debug for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Symbol({})", self.to_index())
    }
}

/// The error returned when an interner already holds [`MAX_STRINGS`] strings
/// and is asked to intern a new one.
///
/// # Examples
///
/// ```
/// use arenakit_intern::CapacityError;
///
/// assert!(CapacityError.to_string().contains("4294967294"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapacityError;

impl fmt::Display for CapacityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "interner is full: it holds at most {MAX_STRINGS} strings"
        )
    }
}

impl std::error::Error for CapacityError {}

/// How much memory an interner holds, from [`Interner::memory_usage`].
///
/// # Examples
///
/// ```
/// use arenakit_intern::Interner;
///
/// let mut interner = Interner::new();
/// interner.get_or_intern("hello");
/// let usage = interner.memory_usage();
/// assert_eq!(usage.string_bytes, 5);
/// assert_eq!(
///     usage.total_bytes(),
///     usage.string_bytes + usage.index_bytes + usage.span_bytes
/// );
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryUsage {
    /// The bytes of the interned strings themselves (the sum of their
    /// lengths), which live in the interner's arena. Arena chunks also hold
    /// some unused space at their ends, which is not counted.
    pub string_bytes: usize,
    /// The bytes allocated by the hash index: 4 bytes per slot (the index
    /// keeps at least a fifth of its slots free), and per string 24 bytes
    /// for the words a look-up compares instead of the string's bytes and 4
    /// bytes of hash kept for growing the index.
    pub index_bytes: usize,
    /// The bytes allocated by the symbol-to-string span vector.
    pub span_bytes: usize,
}

impl MemoryUsage {
    /// The bookkeeping bytes: [`index_bytes`](MemoryUsage::index_bytes) plus
    /// [`span_bytes`](MemoryUsage::span_bytes).
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::MemoryUsage;
    ///
    /// let usage = MemoryUsage { string_bytes: 1, index_bytes: 2, span_bytes: 3 };
    /// assert_eq!(usage.table_bytes(), 5);
    /// ```
    pub const fn table_bytes(&self) -> usize {
        self.index_bytes + self.span_bytes
    }

    /// Everything: string bytes plus table bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::MemoryUsage;
    ///
    /// let usage = MemoryUsage { string_bytes: 1, index_bytes: 2, span_bytes: 3 };
    /// assert_eq!(usage.total_bytes(), 6);
    /// ```
    pub const fn total_bytes(&self) -> usize {
        self.string_bytes + self.table_bytes()
    }
}

/// The index key of a string: its hash under `hasher` and its length.
#[inline(always)]
fn key_of<S: BuildHasher>(hasher: &S, string: &[u8]) -> Key {
    let mut state = hasher.build_hasher();
    state.write(string);
    Key::new(state.finish(), string.len())
}

/// The words a look-up compares for a string (invariant 6). For a string
/// of more than [`WORDS_MAX`] bytes all are zero, and its look-up compares
/// bytes.
#[inline(always)]
fn compared_words(bytes: &[u8]) -> Words {
    if bytes.len() <= WORDS_MAX {
        Words::of(bytes)
    } else {
        Words {
            first: 0,
            last: 0,
            middle: 0,
        }
    }
}

// A look-up compares a string of up to `WORDS_MAX` bytes by its words,
// which do not tell lengths apart, so a table whose tags hold lengths must
// hold those lengths exactly (invariant 6).
const _: () = assert!(WORDS_MAX < table::TAG_LENGTH_MAX);

/// A string interner: maps each distinct string to a [`Symbol`] and back.
///
/// Strings are copied into an arena owned by the interner and never move
/// until [`clear`](Interner::clear) or drop, both of which need the interner
/// exclusively, so a `&str` from [`resolve`](Interner::resolve) stays valid
/// for as long as the interner is borrowed (to keep strings while interning
/// more, use a [`LocalInterner`]). `S` is the string hash
/// ([`IdentHash`] by default; any [`BuildHasher`] works, and the interner
/// hashes a string with a single `Hasher::write` of its bytes).
///
/// The interner is `Send` and `Sync` when `S` is: shared references only
/// read the spans and the index, never the arena.
///
/// # Examples
///
/// ```
/// use arenakit_intern::Interner;
///
/// let mut interner = Interner::with_capacity(16);
/// let words = ["let", "x", "=", "x", "+", "1"];
/// let symbols: Vec<_> = words.iter().map(|w| interner.get_or_intern(w)).collect();
/// assert_eq!(symbols[1], symbols[3]);
/// assert_eq!(interner.len(), 5);
/// let back: Vec<&str> = symbols.iter().map(|&s| interner.resolve(s)).collect();
/// assert_eq!(back, words);
/// ```
//
// Invariants (they make `resolve` and the `Send`/`Sync` impls sound):
//
// 1. For every `i < spans.len()`, `spans[i]` was obtained from the
//    `&mut str` returned by `arena.alloc_str` and points to a valid UTF-8
//    string of the span's length. Nothing writes to that memory afterwards
//    and no `&mut` to it is created again.
// 2. The arena keeps each allocation at the same address until
//    `arena.reset()` or the arena is dropped. The interner calls `reset` only
//    in `clear(&mut self)`, which empties `spans` and `table` at the same
//    time, so every span is live: a `&str` built from a span and bounded by a
//    borrow of `self` cannot outlive its memory.
// 3. `table` holds one slot per span: the slot of symbol `s` holds
//    the tag of `key_of(&self.hasher, string of s)` and sits where that key
//    leads (the table's invariant 3), and `s.to_index() < spans.len() ==
//    words.len() == stored_keys.len()`. So every symbol a slot holds
//    indexes all three vectors.
// 4. `spans.len() <= MAX_STRINGS`, so every index converts to a `Symbol`.
// 5. Methods taking `&self` never touch `arena` (it is not `Sync`); the
//    string memory is only read through shared `&str`s.
// 6. `words[i]` is `compared_words(string of i)`. Two strings of the same
//    length up to `WORDS_MAX` (24) bytes are equal exactly when their
//    `Words` are, so a look-up of such a string compares its length and its
//    words with those, instead of bytes. (Words alone do not tell lengths
//    apart: "abab" and "ababab" have the same ones.) The length is
//    compared by the table's tag while its tags hold lengths, else with the
//    span's.
// 7. `stored_keys[i]` is `key_of(&self.hasher, string of i).stored()`.
pub struct Interner<S = IdentHash> {
    /// The hash index (see the `table` module): 4-byte slots that hold a
    /// symbol and a tag of its string's length and hash bits, so a miss
    /// reads no string memory.
    table: Table,
    /// `spans[i]` is the string of `Symbol::from_index(i)`.
    spans: Vec<NonNull<str>>,
    /// `words[i]` is what a look-up compares against for the string of
    /// `Symbol::from_index(i)` (invariant 6): 24 bytes in one place, where
    /// the string's own bytes would take a length-dependent read at a
    /// pointer.
    words: Vec<Words>,
    /// `stored_keys[i]` is the stored form of the index key of the string
    /// of `Symbol::from_index(i)` (invariant 7), from which the table is
    /// rebuilt when it grows without reading a string.
    stored_keys: Vec<u32>,
    /// The sum of the lengths of the interned strings.
    string_bytes: usize,
    /// The string hash.
    hasher: S,
    /// The most strings this interner accepts (lowered by tests).
    limit: usize,
    /// Owns the string bytes. The arena mutates itself through `&self`, so
    /// it sits behind a box: that keeps the interner's own fields free of
    /// interior mutability, which lets the compiler keep them in registers
    /// across calls while a `&Interner` is held (visible in the resolve
    /// benchmark, where the span vector was otherwise reloaded per call).
    arena: Box<Arena>,
}

// SAFETY: the spans point into `arena`, which the interner owns and which is
// `Send`; moving the interner to another thread moves the arena with them
// (invariants 1 and 2). The table and hasher are plain data (`S: Send`).
unsafe impl<S: Send> Send for Interner<S> {}

// SAFETY: through `&Interner` only the spans' strings are read, as `&str`,
// and the arena is never touched (invariant 5), so sharing the interner
// between threads shares immutable string memory only.
unsafe impl<S: Sync> Sync for Interner<S> {}

impl Interner {
    /// Creates an empty interner with the default hash, [`IdentHash`].
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let interner = Interner::new();
    /// assert!(interner.is_empty());
    /// ```
    pub fn new() -> Interner {
        Interner::with_hasher(IdentHash)
    }

    /// Creates an empty interner with room for `capacity` strings before its
    /// tables grow.
    ///
    /// # Panics
    ///
    /// Panics if the tables' room for `capacity` strings exceeds `isize::MAX`
    /// bytes; like [`Vec::with_capacity`], it aborts the process if the
    /// allocator cannot provide it. The same holds for
    /// [`with_capacity_and_hasher`](Self::with_capacity_and_hasher).
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let interner = Interner::with_capacity(1000);
    /// assert!(interner.memory_usage().index_bytes >= 1000 * 8);
    /// ```
    pub fn with_capacity(capacity: usize) -> Interner {
        Interner::with_capacity_and_hasher(capacity, IdentHash)
    }

    /// Creates an interner whose first symbols are `keywords`, in order: the
    /// `i`-th word gets [`Symbol::from_index(i)`](Symbol::from_index), which
    /// is [`keywords.symbol(i)`](Keywords::symbol) and the `i`-th constant
    /// declared by [`keywords!`].
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::{Interner, Keywords};
    ///
    /// const WORDS: Keywords = Keywords::new(&["if", "else"]);
    /// let mut interner = Interner::with_keywords(&WORDS);
    /// assert_eq!(interner.len(), 2);
    /// assert_eq!(interner.get("else"), Some(WORDS.symbol(1)));
    /// assert_eq!(interner.get_or_intern("x").to_index(), 2);
    /// ```
    pub fn with_keywords(keywords: &Keywords) -> Interner {
        Interner::with_keywords_and_hasher(keywords, IdentHash)
    }
}

impl<S: Default> Default for Interner<S> {
    fn default() -> Self {
        Interner::with_hasher(S::default())
    }
}

impl<S> Interner<S> {
    /// Creates an empty interner that hashes strings with `hasher`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    /// use std::hash::RandomState;
    ///
    /// let mut interner = Interner::with_hasher(RandomState::new());
    /// let a = interner.get_or_intern("a");
    /// assert_eq!(interner.resolve(a), "a");
    /// ```
    pub fn with_hasher(hasher: S) -> Interner<S> {
        Interner::with_capacity_and_hasher(0, hasher)
    }

    /// Creates an empty interner with room for `capacity` strings that hashes
    /// strings with `hasher`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::{IdentHash, Interner};
    ///
    /// let interner = Interner::with_capacity_and_hasher(10, IdentHash);
    /// assert_eq!(interner.len(), 0);
    /// ```
    pub fn with_capacity_and_hasher(capacity: usize, hasher: S) -> Interner<S> {
        Interner {
            table: Table::with_capacity(capacity),
            spans: Vec::with_capacity(capacity),
            words: Vec::with_capacity(capacity),
            stored_keys: Vec::with_capacity(capacity),
            string_bytes: 0,
            hasher,
            limit: MAX_STRINGS,
            arena: Box::new(Arena::new()),
        }
    }

    /// The number of distinct strings interned.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let mut interner = Interner::new();
    /// interner.get_or_intern("a");
    /// interner.get_or_intern("a");
    /// assert_eq!(interner.len(), 1);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether no string has been interned.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// assert!(Interner::new().is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The string of `symbol`, in O(1).
    ///
    /// # Panics
    ///
    /// Panics if `symbol`'s index is not below [`len`](Interner::len), which
    /// happens when it was made by a larger interner, before a
    /// [`clear`](Interner::clear), or with [`Symbol::from_index`]. A symbol of
    /// another interner whose index is in range cannot be told apart and
    /// resolves to this interner's string at that index.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let mut interner = Interner::new();
    /// let sym = interner.get_or_intern("héllo");
    /// assert_eq!(interner.resolve(sym), "héllo");
    /// ```
    #[inline]
    #[track_caller]
    pub fn resolve(&self, symbol: Symbol) -> &str {
        match self.try_resolve(symbol) {
            Some(string) => string,
            None => out_of_range(symbol, self.len()),
        }
    }

    /// The string of `symbol`, or `None` if its index is not below
    /// [`len`](Interner::len) (see [`resolve`](Interner::resolve) for what
    /// is and is not detected).
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let mut big = Interner::new();
    /// big.get_or_intern("a");
    /// let b = big.get_or_intern("b");
    /// let mut small = Interner::new();
    /// small.get_or_intern("a");
    /// assert_eq!(small.try_resolve(b), None);
    /// assert_eq!(big.try_resolve(b), Some("b"));
    /// ```
    #[inline]
    pub fn try_resolve(&self, symbol: Symbol) -> Option<&str> {
        let span = self.spans.get(symbol.to_index())?;
        // SAFETY: invariants 1 and 2: the span points to a live, immutable
        // UTF-8 string in the arena, which stays put for as long as `self`
        // is borrowed, and the returned `&str` is bounded by that borrow.
        Some(unsafe { span.as_ref() })
    }

    /// The symbols with their strings, in interning order.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let mut interner = Interner::new();
    /// let a = interner.get_or_intern("a");
    /// let b = interner.get_or_intern("b");
    /// let all: Vec<_> = interner.iter().collect();
    /// assert_eq!(all, [(a, "a"), (b, "b")]);
    /// ```
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            spans: self.spans.iter().enumerate(),
        }
    }

    /// How much memory the interner holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let mut interner = Interner::new();
    /// for word in ["alpha", "beta", "alpha"] {
    ///     interner.get_or_intern(word);
    /// }
    /// let usage = interner.memory_usage();
    /// assert_eq!(usage.string_bytes, 9);
    /// assert!(usage.span_bytes >= 2 * 16);
    /// ```
    pub fn memory_usage(&self) -> MemoryUsage {
        MemoryUsage {
            string_bytes: self.string_bytes,
            index_bytes: self.table.allocation_size()
                + self.words.capacity() * size_of::<Words>()
                + self.stored_keys.capacity() * size_of::<u32>(),
            span_bytes: self.spans.capacity() * size_of::<NonNull<str>>(),
        }
    }

    /// Removes every string and releases the arena's memory (keeping one
    /// chunk for reuse). Symbols made before the call must not be used
    /// afterwards: they resolve to whatever string now has their index, or
    /// panic.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let mut interner = Interner::new();
    /// let old = interner.get_or_intern("old");
    /// interner.clear();
    /// assert!(interner.is_empty());
    /// assert_eq!(interner.try_resolve(old), None);
    /// assert_eq!(interner.get_or_intern("new").to_index(), 0);
    /// ```
    pub fn clear(&mut self) {
        // Invariant 2: the spans and slots go together with the memory.
        self.table.clear();
        self.spans.clear();
        self.words.clear();
        self.stored_keys.clear();
        self.string_bytes = 0;
        self.arena.reset();
    }

    /// Lowers the number of strings this interner accepts, so the capacity
    /// error can be tested without interning four billion strings.
    #[cfg(test)]
    fn set_limit(&mut self, limit: usize) {
        self.limit = limit.min(MAX_STRINGS);
    }
}

impl<S: BuildHasher> Interner<S> {
    /// Like [`with_keywords`](Interner::with_keywords), hashing strings with
    /// `hasher`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::{Interner, Keywords};
    /// use std::hash::RandomState;
    ///
    /// const WORDS: Keywords = Keywords::new(&["if", "else"]);
    /// let mut interner = Interner::with_keywords_and_hasher(&WORDS, RandomState::new());
    /// assert_eq!(interner.get_or_intern("if"), WORDS.symbol(0));
    /// ```
    pub fn with_keywords_and_hasher(keywords: &Keywords, hasher: S) -> Interner<S> {
        let mut interner = Interner::with_capacity_and_hasher(keywords.len(), hasher);
        for (index, word) in keywords.words().iter().enumerate() {
            let symbol = interner.get_or_intern(word);
            // `Keywords::new` rejects duplicates, so each word is new.
            debug_assert_eq!(symbol, keywords.symbol(index));
        }
        interner
    }

    /// The symbol of `string`, interning it first if it is new.
    ///
    /// # Panics
    ///
    /// Panics if `string` is new and the interner already holds
    /// [`MAX_STRINGS`] strings; [`try_get_or_intern`](Interner::try_get_or_intern)
    /// returns an error instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let mut interner = Interner::new();
    /// let empty = interner.get_or_intern("");
    /// assert_eq!(interner.get_or_intern(""), empty);
    /// assert_eq!(interner.resolve(empty), "");
    /// ```
    #[inline(always)]
    pub fn get_or_intern(&mut self, string: &str) -> Symbol {
        match self.try_get_or_intern(string) {
            Ok(symbol) => symbol,
            Err(error) => interner_full(error),
        }
    }

    /// The symbol of `string`, interning it first if it is new, or an error if
    /// it is new and the interner already holds [`MAX_STRINGS`] strings.
    ///
    /// # Errors
    ///
    /// [`CapacityError`] when the interner is full; it is left unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let mut interner = Interner::new();
    /// let sym = interner.try_get_or_intern("ok")?;
    /// assert_eq!(interner.resolve(sym), "ok");
    /// # Ok::<(), arenakit_intern::CapacityError>(())
    /// ```
    #[inline(always)]
    pub fn try_get_or_intern(&mut self, string: &str) -> Result<Symbol, CapacityError> {
        let (key, probe) = self.lookup(string);
        match probe {
            Probe::Found { symbol, index } => {
                self.table.move_home(index, key);
                Ok(symbol)
            }
            Probe::Vacant { index } => self.insert_absent(string, key, index),
        }
    }

    /// Interns `string`, which is absent, whose key is `key` and whose probe
    /// ended at the empty slot `index`.
    ///
    /// Kept out of line: in a stream of identifiers most look-ups find their
    /// string, and the look-up loop stays small without this path.
    #[inline(never)]
    fn insert_absent(
        &mut self,
        string: &str,
        key: Key,
        index: usize,
    ) -> Result<Symbol, CapacityError> {
        if self.spans.len() >= self.limit {
            return Err(CapacityError);
        }
        // Invariant 4: `len < limit <= MAX_STRINGS`.
        let Some(symbol) = Symbol::try_from_index(self.spans.len()) else {
            return Err(CapacityError);
        };
        let index = if self.table.is_full() {
            self.grow_table();
            self.table.vacant_index(key)
        } else {
            index
        };
        // Invariant 1: the span is taken from the arena's `&mut str`, which
        // is not used again.
        let span = NonNull::from(self.arena.alloc_str(string));
        self.spans.push(span);
        // Invariant 6.
        self.words.push(compared_words(string.as_bytes()));
        // Invariant 7.
        self.stored_keys.push(key.stored());
        self.string_bytes += string.len();
        // Invariant 3: the slot goes where the string's key leads, and its
        // symbol's span and words were pushed just before.
        self.table.insert(index, key, symbol);
        Ok(symbol)
    }

    /// Doubles the index. The keys of the strings are rebuilt from
    /// `stored_keys`, read in order, unless the table outgrows what they
    /// hold; then every string is hashed again.
    #[cold]
    #[inline(never)]
    fn grow_table(&mut self) {
        if self.table.grown_slot_count() as u64 <= STORED_KEY_SLOTS {
            let (stored_keys, spans) = (&*self.stored_keys, &*self.spans);
            self.table.grow(|symbol| {
                let length = stored_bytes(spans, symbol).len();
                Key::from_stored(stored_keys[symbol.to_index()], length)
            });
        } else {
            let (hasher, spans) = (&self.hasher, &*self.spans);
            self.table
                .grow(|symbol| key_of(hasher, stored_bytes(spans, symbol)));
        }
    }

    /// Looks `string` up in the index: its key, and where the probe ended.
    ///
    /// Strings of at most [`WORDS_MAX`] bytes (nearly every identifier) are
    /// looked up inline and compared by the three words that hold all their
    /// bytes (see [`Words`]), computed once per look-up without a branch on
    /// the length and compared with the stored string's words (invariant 6);
    /// equal tags mean equal lengths. Longer strings, and every string in a
    /// table too big for its tags to hold lengths, take
    /// [`lookup_out_of_line`](Self::lookup_out_of_line).
    #[inline(always)]
    fn lookup(&self, string: &str) -> (Key, Probe) {
        let query = string.as_bytes();
        if query.len() > WORDS_MAX || !self.table.tags_hold_lengths() {
            return self.lookup_out_of_line(string);
        }
        // With `IdentHash` the compiler sees that the hash reads the same
        // words, and loads them once.
        let words = Words::of(query);
        let key = key_of(&self.hasher, query);
        let stored_words = &*self.words;
        let probe = self.table.find_by_length_tag(key, |symbol| {
            // Invariant 6: equal tags mean equal lengths here, and equal
            // lengths and words mean equal strings.
            words_of(stored_words, symbol).equals(&words)
        });
        (key, probe)
    }

    /// [`lookup`](Self::lookup) for a string longer than [`WORDS_MAX`]
    /// bytes, or for any string in a table too big for its tags to hold
    /// lengths.
    ///
    /// A string longer than [`WORDS_MAX`] bytes is compared byte by byte. A
    /// shorter one is compared by its [`Words`] with the stored ones and,
    /// as the tags here do not hold lengths, by the span's length.
    #[inline(never)]
    fn lookup_out_of_line(&self, string: &str) -> (Key, Probe) {
        let query = string.as_bytes();
        let key = key_of(&self.hasher, query);
        let spans = &*self.spans;
        if query.len() <= WORDS_MAX {
            let words = Words::of(query);
            let stored_words = &*self.words;
            let probe = self.table.find(key, |symbol| {
                // By invariant 6, equal lengths and words mean equal
                // strings.
                words_of(stored_words, symbol).equals(&words)
                    && has_length(spans, symbol, query.len())
            });
            return (key, probe);
        }
        // The slice comparison checks the lengths first.
        let probe = self
            .table
            .find(key, |symbol| stored_bytes(spans, symbol) == query);
        (key, probe)
    }

    /// The symbol of `string` if it has been interned, without interning it.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let mut interner = Interner::new();
    /// assert_eq!(interner.get("x"), None);
    /// let x = interner.get_or_intern("x");
    /// assert_eq!(interner.get("x"), Some(x));
    /// ```
    #[inline(always)]
    pub fn get(&self, string: &str) -> Option<Symbol> {
        match self.lookup(string).1 {
            Probe::Found { symbol, .. } => Some(symbol),
            Probe::Vacant { .. } => None,
        }
    }

    /// Whether `string` has been interned.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let mut interner = Interner::new();
    /// interner.get_or_intern("yes");
    /// assert!(interner.contains("yes"));
    /// assert!(!interner.contains("no"));
    /// ```
    #[inline]
    pub fn contains(&self, string: &str) -> bool {
        self.get(string).is_some()
    }
}

/// The words of `symbol`'s string, for a symbol found in the index.
#[inline(always)]
fn words_of(words: &[Words], symbol: Symbol) -> &Words {
    // SAFETY: invariant 3: a symbol in the index is in range of `words`.
    unsafe { words.get_unchecked(symbol.to_index()) }
}

/// Whether `symbol`'s string, for a symbol found in the index, is `length`
/// bytes long: read from its span, without touching the string.
#[inline(always)]
fn has_length(spans: &[NonNull<str>], symbol: Symbol, length: usize) -> bool {
    stored_bytes(spans, symbol).len() == length
}

/// The bytes of `symbol`'s string, for a symbol found in the index.
#[inline(always)]
fn stored_bytes(spans: &[NonNull<str>], symbol: Symbol) -> &[u8] {
    // SAFETY: invariant 3: a symbol in the index is in range of `spans`.
    let span = unsafe { spans.get_unchecked(symbol.to_index()) };
    // SAFETY: invariants 1 and 2: the span points to a live, immutable UTF-8
    // string that outlives the borrow of `spans` (a borrow of the interner).
    unsafe { span.as_ref() }.as_bytes()
}

/// Reports that an interner is full.
#[cold]
#[inline(never)]
#[track_caller]
fn interner_full(error: CapacityError) -> ! {
    panic!("{error}")
}

/// Reports a symbol that does not belong to an interner of `len` strings.
#[cold]
#[inline(never)]
#[track_caller]
fn out_of_range(symbol: Symbol, len: usize) -> ! {
    panic!(
        "{symbol:?} is out of range for an interner of {len} strings: it was made \
         by another interner, before a `clear`, or by `Symbol::from_index`"
    )
}

impl<S> Index<Symbol> for Interner<S> {
    type Output = str;

    /// The string of `symbol`; see [`Interner::resolve`].
    #[inline]
    #[track_caller]
    fn index(&self, symbol: Symbol) -> &str {
        self.resolve(symbol)
    }
}

impl<S: BuildHasher + Clone> Clone for Interner<S> {
    /// Copies every string into a new arena; the symbols stay the same.
    fn clone(&self) -> Self {
        let mut copy = Interner::with_capacity_and_hasher(self.len(), self.hasher.clone());
        copy.limit = self.limit;
        for (symbol, string) in self {
            let copied = copy.get_or_intern(string);
            debug_assert_eq!(copied, symbol);
        }
        copy
    }
}

impl<S> fmt::Debug for Interner<S> {
    /// Shows the symbols and their strings, in interning order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<T: AsRef<str>, S: BuildHasher> Extend<T> for Interner<S> {
    /// Interns every string: `&str`, `String`, `&String`, `Box<str>` and
    /// anything else that is [`AsRef<str>`].
    ///
    /// # Panics
    ///
    /// Panics if the interner would hold more than [`MAX_STRINGS`] strings.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let names: Vec<String> = vec!["x".into(), "y".into(), "x".into()];
    /// let mut interner = Interner::new();
    /// interner.extend(&names);
    /// interner.extend(["z"]);
    /// assert_eq!(interner.len(), 3);
    /// ```
    fn extend<I: IntoIterator<Item = T>>(&mut self, strings: I) {
        for string in strings {
            self.get_or_intern(string.as_ref());
        }
    }
}

impl<T: AsRef<str>, S: BuildHasher + Default> FromIterator<T> for Interner<S> {
    /// Interns every string into a new interner; see
    /// [`extend`](Interner::extend) for the string types it takes.
    ///
    /// # Panics
    ///
    /// Panics if there are more than [`MAX_STRINGS`] distinct strings.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Interner;
    ///
    /// let interner: Interner = "a b a".split(' ').map(String::from).collect();
    /// assert_eq!(interner.len(), 2);
    /// ```
    fn from_iter<I: IntoIterator<Item = T>>(strings: I) -> Self {
        let mut interner = Interner::default();
        interner.extend(strings);
        interner
    }
}

impl<'a, S> IntoIterator for &'a Interner<S> {
    type Item = (Symbol, &'a str);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// An iterator over an interner's symbols and strings in interning order,
/// from [`Interner::iter`]. It is `Send` and `Sync`, like the `&str`s it
/// yields.
///
/// # Examples
///
/// ```
/// use arenakit_intern::Interner;
///
/// let interner: Interner = ["a", "b", "a", "c"].into_iter().collect();
/// let strings: Vec<&str> = interner.iter().rev().map(|(_, s)| s).collect();
/// assert_eq!(strings, ["c", "b", "a"]);
/// ```
#[derive(Clone)]
pub struct Iter<'a> {
    spans: std::iter::Enumerate<std::slice::Iter<'a, NonNull<str>>>,
}

// SAFETY: an `Iter` only reads the strings of spans as `&'a str`, and they
// are immutable while the interner is borrowed for `'a` (invariants 1, 2
// and 5); it never touches the arena or the hasher. So it may move to, or be
// shared with, another thread, like the `&'a str`s it yields.
unsafe impl Send for Iter<'_> {}

// SAFETY: as for `Send`; through `&Iter` nothing is even read.
unsafe impl Sync for Iter<'_> {}

impl<'a> Iter<'a> {
    /// Turns an enumerated span into a symbol and its string.
    #[inline]
    fn item((index, span): (usize, &'a NonNull<str>)) -> (Symbol, &'a str) {
        // Invariant 4: every index of `spans` is a valid symbol index.
        let symbol = Symbol::from_index(index);
        // SAFETY: invariants 1 and 2: the span points to a live, immutable
        // UTF-8 string, and `'a` is a borrow of the interner, during which the
        // arena cannot be reset or dropped.
        (symbol, unsafe { span.as_ref() })
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = (Symbol, &'a str);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.spans.next().map(Iter::item)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        self.spans.next_back().map(Iter::item)
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl FusedIterator for Iter<'_> {}

impl fmt::Debug for Iter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("remaining", &self.spans.len())
            .finish()
    }
}

#[cfg(test)]
mod tests;
