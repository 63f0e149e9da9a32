//! The interner's hash index: an open-addressing table with linear probing
//! over 8-byte slots.
//!
//! A slot holds a string's 32-bit hash and its symbol. A probe compares
//! hashes first, so a string's span and bytes are read only when all 32 bits
//! of its hash agree: a miss reads slots and nothing else, and growing the
//! table moves slots by their stored hash without reading any string.
//!
//! On a hit the symbol leads to the span vector and then to the bytes. Both
//! are in symbol order, which is first-seen order: in a skewed stream of
//! identifiers the frequent ones are seen first, so their spans and bytes
//! sit together at the front and stay in cache, and the slot is the only
//! scattered access. Small slots keep that access cheap.
//!
//! There are no deletions, so there are no tombstones: a probe ends at the
//! first empty slot.

use crate::Symbol;

/// A string's hash as the table uses it: 32 bits, folded from the 64 the
/// string's hasher gives. The home slot comes from the low bits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct TableHash(u32);

impl TableHash {
    /// Folds a 64-bit string hash into a table hash.
    #[inline(always)]
    pub(crate) fn new(hash: u64) -> TableHash {
        TableHash((hash ^ (hash >> 32)) as u32)
    }

    /// The slot a probe for this hash starts from, in a table of
    /// `mask + 1` slots.
    #[inline(always)]
    fn home(self, mask: usize) -> usize {
        self.0 as usize & mask
    }
}

/// The table grows when it would be fuller than `MAX_LOAD_NUM / MAX_LOAD_DEN`.
const MAX_LOAD_NUM: usize = 4;
const MAX_LOAD_DEN: usize = 5;

/// The smallest number of slots a table allocates.
const MIN_SLOTS: usize = 16;

/// One slot of the table: empty when `symbol` is `None`.
#[derive(Clone, Copy)]
struct Slot {
    /// The string's [`TableHash`] (zero in an empty slot).
    hash: u32,
    /// The string's symbol.
    symbol: Option<Symbol>,
}

impl Slot {
    const EMPTY: Slot = Slot {
        hash: 0,
        symbol: None,
    };
}

// The layout the module documentation describes.
const _: () = assert!(size_of::<Slot>() == 8);

/// Where a probe ended: at the string's slot, or at the empty slot where it
/// would go.
pub(crate) enum Probe {
    /// The string is in the table with this symbol.
    Found(Symbol),
    /// The string is absent; `index` is the empty slot that ends its probe.
    Vacant { index: usize },
}

/// The hash index of an interner.
///
/// Invariants:
///
/// 1. `slots.len()` is a power of two of at least `MIN_SLOTS`, and
///    at most `slots.len() * MAX_LOAD_NUM / MAX_LOAD_DEN < slots.len()`
///    slots are full, so every probe meets an empty slot.
/// 2. A full slot sits on the probe path of its hash: between its home slot
///    and its position (cyclically) there is no empty slot.
/// 3. `len` is the number of full slots.
///
/// The table does not own the strings: [`find`](Table::find) reads them
/// through the span vector its caller passes, and the caller keeps the
/// slots' symbols in range of it and their hashes equal to their strings'.
pub(crate) struct Table {
    slots: Box<[Slot]>,
    len: usize,
}

impl Table {
    /// A table with room for `capacity` strings before it grows. Even an
    /// empty table has `MIN_SLOTS` slots, so a probe never checks for a
    /// table without any.
    pub(crate) fn with_capacity(capacity: usize) -> Table {
        let slots = vec![Slot::EMPTY; slots_for(capacity)].into_boxed_slice();
        Table { slots, len: 0 }
    }

    /// The bytes the slots take.
    pub(crate) fn allocation_size(&self) -> usize {
        size_of_val(&*self.slots)
    }

    /// Empties the table, keeping its slots allocated.
    pub(crate) fn clear(&mut self) {
        self.slots.fill(Slot::EMPTY);
        self.len = 0;
    }

    /// Looks up the string whose hash is `hash`: `is_string(symbol)` says
    /// whether a symbol in the table is that string, and is asked only of
    /// slots whose stored hash equals `hash`.
    #[inline(always)]
    pub(crate) fn find(&self, hash: TableHash, mut is_string: impl FnMut(Symbol) -> bool) -> Probe {
        let mask = self.slots.len() - 1;
        let mut index = hash.home(mask);
        loop {
            // SAFETY: `index <= mask = slots.len() - 1` (the length is a
            // power of two of at least `MIN_SLOTS`, invariant 1).
            let slot = unsafe { *self.slots.get_unchecked(index) };
            let Some(symbol) = slot.symbol else {
                return Probe::Vacant { index };
            };
            if slot.hash == hash.0 && is_string(symbol) {
                return Probe::Found(symbol);
            }
            index = (index + 1) & mask;
        }
    }

    /// Whether inserting one more string needs the table to grow first.
    #[inline(always)]
    pub(crate) fn is_full(&self) -> bool {
        (self.len + 1) * MAX_LOAD_DEN > self.slots.len() * MAX_LOAD_NUM
    }

    /// Doubles the table (or allocates its first slots), moving every slot by
    /// its stored hash. Strings are not read.
    #[cold]
    #[inline(never)]
    pub(crate) fn grow(&mut self) {
        let new_len = slots_for(self.len + 1).max(self.slots.len() * 2);
        let old = std::mem::replace(
            &mut self.slots,
            vec![Slot::EMPTY; new_len].into_boxed_slice(),
        );
        for slot in old.iter().filter(|slot| slot.symbol.is_some()) {
            let index = self.vacant_index(TableHash(slot.hash));
            self.slots[index] = *slot;
        }
    }

    /// The empty slot where a string of hash `hash`, known to be absent,
    /// goes.
    pub(crate) fn vacant_index(&self, hash: TableHash) -> usize {
        let mask = self.slots.len() - 1;
        let mut index = hash.home(mask);
        while self.slots[index].symbol.is_some() {
            index = (index + 1) & mask;
        }
        index
    }

    /// Fills the empty slot `index` with `symbol`, whose string's hash is
    /// `hash`. `index` came from [`find`](Table::find) or
    /// [`vacant_index`](Table::vacant_index) for `hash` with no change to
    /// the table since, the string is absent, and the table is not
    /// [full](Table::is_full).
    ///
    /// # Panics
    ///
    /// Panics if the slot is full, which the preconditions rule out.
    #[inline]
    pub(crate) fn insert(&mut self, index: usize, hash: TableHash, symbol: Symbol) {
        debug_assert!(!self.is_full());
        let slot = &mut self.slots[index];
        assert!(slot.symbol.is_none(), "interner table slot taken");
        *slot = Slot {
            hash: hash.0,
            symbol: Some(symbol),
        };
        self.len += 1;
    }
}

/// The number of slots for `capacity` strings: a power of two that keeps
/// the load under the maximum.
fn slots_for(capacity: usize) -> usize {
    let needed = capacity
        .saturating_mul(MAX_LOAD_DEN)
        .div_ceil(MAX_LOAD_NUM)
        .saturating_add(1);
    needed
        .checked_next_power_of_two()
        .expect("interner table size overflows usize")
        .max(MIN_SLOTS)
}
