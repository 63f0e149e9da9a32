//! The interner's hash index: an open-addressing table with linear probing
//! over 8-byte slots.
//!
//! A slot holds a string's [`Tag`] (24 bits of its hash and its length) and
//! its symbol. A probe compares tags first, so the caller's comparison runs
//! only when the hash bits and the length agree: a miss reads slots and
//! nothing else. Growing a table of up to 2^24 slots moves slots by their
//! stored tag without reading any string; a bigger table takes its home
//! slots from hash bits the tag does not keep, so growing it hashes the
//! strings again (see [`Key`]).
//!
//! The slots are small so that the table stays in a 1 MiB cache for tens
//! of thousands of strings: on a skewed stream of identifiers, the slot is
//! the one scattered access of a look-up. What the caller compares on a hit
//! is indexed by symbol, which is first-seen order, and in such a stream
//! the frequent strings are seen first, so that data sits together at the
//! front and stays in cache.
//!
//! There are no deletions, so there are no tombstones: a probe ends at the
//! first empty slot. A string that `get_or_intern` finds past its home slot
//! is moved home (see [`Table::move_home`]), so the strings in use tend to
//! sit at their home slots and take no probe step past them.

use crate::Symbol;

/// The longest length a [`Tag`] holds exactly; longer lengths are all
/// stored as this one.
pub(crate) const MAX_EXACT_LEN: usize = 254;

/// A string's tag as the table stores it: the low 24 bits of its folded
/// hash (see [`Key`]) and, in the top 8 bits, its length, saturated at
/// `MAX_EXACT_LEN + 1`. Two strings with equal tags of at most
/// `MAX_EXACT_LEN` bytes have the same length.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Tag(u32);

/// The most slots a table may have for a slot's home to be found from its
/// stored [`Tag`] alone: the tag keeps this many values of hash bits.
///
/// Any smaller power of two is also correct (it only makes growth hash
/// strings again sooner), so unit tests lower it to take that path with
/// small tables.
const TAG_HOMES: usize = if cfg!(test) { 1 << 6 } else { 1 << 24 };

/// What a probe needs to know of a string: its [`Tag`], and the hash bits
/// its home slot is taken from.
///
/// Both come from the hash folded to the word size (`hash ^ hash >> 32`).
/// The tag keeps its low 24 bits; the home slot is the folded hash masked
/// to the table's size, so in a table of up to [`TAG_HOMES`] slots it is the
/// stored tag's low bits, and in a bigger one it takes further hash bits.
/// (Taking it from the tag itself would put the length bits into the home
/// slot of a table past 2^24 slots, so strings of one length would all
/// have their homes among the same 2^24 slots and form probe runs millions
/// of slots long.)
#[derive(Clone, Copy, Debug)]
pub(crate) struct Key {
    tag: Tag,
    folded: usize,
}

impl Key {
    /// The key of a string of `len` bytes whose 64-bit hash is `hash`.
    #[inline(always)]
    pub(crate) fn new(hash: u64, len: usize) -> Key {
        // On 32-bit targets the cast keeps the low half, which is the part
        // the tag takes its bits from.
        let folded = (hash ^ (hash >> 32)) as usize;
        let len = len.min(MAX_EXACT_LEN + 1) as u32;
        Key {
            tag: Tag((folded as u32 & 0x00ff_ffff) | (len << 24)),
            folded,
        }
    }

    /// The slot a probe for this string starts from, in a table of
    /// `mask + 1` slots.
    #[inline(always)]
    fn home(self, mask: usize) -> usize {
        self.folded & mask
    }
}

impl Tag {
    /// The home slot of the string whose stored tag this is, in a table of
    /// `mask + 1 <= TAG_HOMES` slots: the same slot as [`Key::home`], since
    /// both are the folded hash's low bits.
    #[inline(always)]
    fn home(self, mask: usize) -> usize {
        debug_assert!(mask < TAG_HOMES);
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
    /// The string's [`Tag`] (zero in an empty slot).
    tag: Tag,
    /// The string's symbol.
    symbol: Option<Symbol>,
}

impl Slot {
    const EMPTY: Slot = Slot {
        tag: Tag(0),
        symbol: None,
    };
}

// The layout the module documentation describes.
const _: () = assert!(size_of::<Slot>() == 8);

/// Where a probe ended: at the string's slot, or at the empty slot where it
/// would go.
pub(crate) enum Probe {
    /// The string is in the table with this symbol, at slot `index`.
    Found { symbol: Symbol, index: usize },
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
/// 2. A full slot sits on the probe path of its string's [`Key`]: between
///    its home slot and its position (cyclically) there is no empty slot.
/// 3. `len` is the number of full slots.
///
/// The table does not own the strings and never reads them itself: the
/// caller keeps each full slot's tag equal to its string's, compares
/// strings in the closure it passes to [`find`](Table::find), and hashes
/// them again in the one it passes to [`grow`](Table::grow) past
/// [`TAG_HOMES`] slots.
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

    /// Looks up the string whose key is `key`: `is_string(symbol)` says
    /// whether the string of a slot's symbol is that string. It is asked
    /// only of slots whose stored tag equals the key's.
    #[inline(always)]
    pub(crate) fn find(&self, key: Key, mut is_string: impl FnMut(Symbol) -> bool) -> Probe {
        let mask = self.slots.len() - 1;
        let tag = key.tag;
        let mut index = key.home(mask);
        loop {
            // SAFETY: `index <= mask = slots.len() - 1` (the length is a
            // power of two of at least `MIN_SLOTS`, invariant 1).
            let slot = unsafe { *self.slots.get_unchecked(index) };
            let Some(symbol) = slot.symbol else {
                return Probe::Vacant { index };
            };
            if slot.tag == tag && is_string(symbol) {
                return Probe::Found { symbol, index };
            }
            index = (index + 1) & mask;
        }
    }

    /// Moves the string found at slot `index` by a probe for `key` to its
    /// home slot, if it is not there, by swapping it with the string there.
    ///
    /// A look-up that finds its string past the home slot steps over every
    /// slot in between, and each step is a branch the processor may
    /// mispredict. Strings take slots in the order they are first seen, but
    /// the strings a program uses most are not always the first it sees:
    /// moving a string home when it is found means the strings in use lie
    /// at their home slots.
    ///
    /// The swap keeps invariant 2: the probe went from the home slot to
    /// `index` over full slots only, and the string that leaves the home
    /// slot had no empty slot between its own home slot and there, so it
    /// has none on the way to `index` either. The set of full slots does not
    /// change, so no other string's probe path does.
    #[inline(always)]
    pub(crate) fn move_home(&mut self, index: usize, key: Key) {
        let home = key.home(self.slots.len() - 1);
        if index != home {
            self.swap(index, home);
        }
    }

    /// Swaps two slots: the out-of-line half of
    /// [`move_home`](Table::move_home).
    #[cold]
    #[inline(never)]
    fn swap(&mut self, a: usize, b: usize) {
        let mask = self.slots.len() - 1;
        debug_assert!(mask >= TAG_HOMES || self.slots[a].tag.home(mask) == b);
        self.slots.swap(a, b);
    }

    /// Whether inserting one more string needs the table to grow first.
    #[inline(always)]
    pub(crate) fn is_full(&self) -> bool {
        (self.len + 1) * MAX_LOAD_DEN > self.slots.len() * MAX_LOAD_NUM
    }

    /// Doubles the table. Up to [`TAG_HOMES`] slots every slot moves by its
    /// stored tag and no string is read. A bigger table asks `key_of` for
    /// the key of every symbol, which hashes its string again, in symbol
    /// order: the strings are then read in the order they were stored, not
    /// scattered as the slots are.
    ///
    /// The table must hold exactly the symbols with indices `0..len`, as an
    /// interner's does (its invariant 3).
    #[cold]
    #[inline(never)]
    pub(crate) fn grow(&mut self, mut key_of: impl FnMut(Symbol) -> Key) {
        let new_len = slots_for(self.len + 1).max(self.slots.len() * 2);
        let old = std::mem::replace(
            &mut self.slots,
            vec![Slot::EMPTY; new_len].into_boxed_slice(),
        );
        if new_len <= TAG_HOMES {
            let mask = new_len - 1;
            for slot in old.iter().filter(|slot| slot.symbol.is_some()) {
                let index = self.vacant_index_from(slot.tag.home(mask));
                self.slots[index] = *slot;
            }
        } else {
            drop(old);
            for index in 0..self.len {
                let symbol = Symbol::from_index(index as u32);
                let key = key_of(symbol);
                let slot = self.vacant_index(key);
                self.slots[slot] = Slot {
                    tag: key.tag,
                    symbol: Some(symbol),
                };
            }
        }
    }

    /// The empty slot where a string of key `key`, known to be absent, goes.
    pub(crate) fn vacant_index(&self, key: Key) -> usize {
        self.vacant_index_from(key.home(self.slots.len() - 1))
    }

    /// The first empty slot from `index` on.
    fn vacant_index_from(&self, mut index: usize) -> usize {
        let mask = self.slots.len() - 1;
        while self.slots[index].symbol.is_some() {
            index = (index + 1) & mask;
        }
        index
    }

    /// Fills the empty slot `index` with `symbol`, whose string's key is
    /// `key`. `index` came from [`find`](Table::find) or
    /// [`vacant_index`](Table::vacant_index) for `key` with no change to the
    /// table since, the string is absent, and the table is not
    /// [full](Table::is_full).
    ///
    /// # Panics
    ///
    /// Panics if the slot is full, which the preconditions rule out.
    #[inline]
    pub(crate) fn insert(&mut self, index: usize, key: Key, symbol: Symbol) {
        debug_assert!(!self.is_full());
        let slot = &mut self.slots[index];
        assert!(slot.symbol.is_none(), "interner table slot taken");
        *slot = Slot {
            tag: key.tag,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Inserts `symbol` with key `key` where a probe for it ends.
    fn insert(table: &mut Table, key: Key, symbol: Symbol) {
        let index = table.vacant_index(key);
        table.insert(index, key, symbol);
    }

    /// The slot that holds `symbol`, found by a probe for `key`.
    fn slot_of(table: &Table, key: Key, symbol: Symbol) -> usize {
        match table.find(key, |found| found == symbol) {
            Probe::Found { index, .. } => index,
            Probe::Vacant { .. } => panic!("{symbol:?} not found"),
        }
    }

    #[test]
    fn a_string_found_past_its_home_slot_moves_home() {
        let mut table = Table::with_capacity(4);
        // Three strings with one home slot: the low bits of their hashes
        // agree, the bits above differ.
        let tags = [1, 2, 3].map(|i| Key::new(5 + (i << 20), 3));
        let symbols = [0, 1, 2].map(Symbol::from_index);
        for (&tag, &symbol) in tags.iter().zip(&symbols) {
            insert(&mut table, tag, symbol);
        }
        let home = slot_of(&table, tags[0], symbols[0]);
        assert_eq!(slot_of(&table, tags[2], symbols[2]), home + 2);

        table.move_home(home + 2, tags[2]);
        assert_eq!(slot_of(&table, tags[2], symbols[2]), home);
        // The string that was home took the other one's slot, and every
        // string is still found.
        assert_eq!(slot_of(&table, tags[0], symbols[0]), home + 2);
        assert_eq!(slot_of(&table, tags[1], symbols[1]), home + 1);

        // A string already home stays.
        table.move_home(home, tags[2]);
        assert_eq!(slot_of(&table, tags[2], symbols[2]), home);
    }

    #[test]
    fn home_slots_of_big_tables_come_from_the_hash_alone() {
        let hashes = (0..1000u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        for hash in hashes {
            let (short, long) = (Key::new(hash, 8), Key::new(hash, 300));
            assert_ne!(short.tag, long.tag);
            // Past 2^24 slots, strings of different lengths with one hash
            // share a home slot: the length takes no part in it.
            for bits in [25, 28, 32] {
                let mask = (1usize << bits) - 1;
                assert_eq!(short.home(mask), long.home(mask));
            }
            // Up to 2^24 slots, the stored tag leads to the same home.
            for bits in [4, 6] {
                let mask = (1usize << bits) - 1;
                assert_eq!(short.tag.home(mask), short.home(mask));
            }
        }
        // And the high hash bits do reach the home slot.
        let mask = (1usize << 32) - 1;
        assert_ne!(Key::new(1 << 60, 8).home(mask), Key::new(0, 8).home(mask));
    }

    #[test]
    fn growth_past_the_tag_homes_asks_for_each_key() {
        let count: u64 = if cfg!(miri) { 200 } else { 1000 };
        let keys: Vec<Key> = (0..count)
            .map(|i| {
                Key::new(
                    i.wrapping_mul(0xd6e8_feb8_6659_fd93) ^ (i << 40),
                    (i % 20) as usize,
                )
            })
            .collect();
        let mut table = Table::with_capacity(0);
        let mut asked = 0;
        for (i, &key) in keys.iter().enumerate() {
            if table.is_full() {
                table.grow(|symbol| {
                    asked += 1;
                    keys[symbol.to_index()]
                });
            }
            insert(&mut table, key, Symbol::from_index(i as u32));
        }
        assert!(table.slots.len() > TAG_HOMES);
        assert!(asked > 0);
        for (i, &key) in keys.iter().enumerate() {
            let symbol = Symbol::from_index(i as u32);
            let index = slot_of(&table, key, symbol);
            // Every string is on its probe path from its home slot.
            let home = key.home(table.slots.len() - 1);
            let mask = table.slots.len() - 1;
            let mut at = home;
            while at != index {
                assert!(table.slots[at].symbol.is_some());
                at = (at + 1) & mask;
            }
        }
    }
}
