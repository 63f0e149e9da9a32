//! The interner's hash index: an open-addressing table with linear probing
//! over 4-byte slots.
//!
//! A slot holds a string's symbol in its low bits and, above them, its tag:
//! hash bits of the string and, in a table of up to 2^19 slots, its length.
//! A probe compares tags first, so the caller's comparison runs only when
//! the hash bits and the length agree: a miss reads slots and nothing
//! else.
//!
//! The slots are small so that the table stays in a 512 KiB cache beside
//! the data a hit compares, for tens of thousands of strings: on a skewed
//! stream of identifiers, the slot is the one scattered access of a look-up.
//! (At 8 bytes, with a wider tag, the slots of a 50k-identifier vocabulary
//! filled such a cache on their own.) What the caller compares on a hit is
//! indexed by symbol, which is first-seen order, and in such a stream the
//! frequent strings are seen first, so that data sits together at the front
//! and stays in cache.
//!
//! A table of `2^k` slots holds at most `4/5 * 2^k` strings, so a symbol
//! fits in `k` bits and the tag takes the other `32 - k`: at 64Ki slots, 5
//! bits of length and 11 of hash; at 512Ki, 5 and 8; past that, hash bits
//! only, and the caller compares lengths. Growing the table shifts
//! that split, and the homes move, so growth asks the caller for each
//! string's [`Key`] again.
//!
//! There are no deletions, so there are no tombstones: a probe ends at the
//! first empty slot. A string that `get_or_intern` finds past its home slot
//! is moved home (see [`Table::move_home`]), so the strings in use tend to
//! sit at their home slots and take no probe step past them.

use crate::Symbol;

/// What a probe needs to know of a string: its 64-bit hash folded to the
/// word size (`hash ^ hash >> 32`), and its length.
///
/// The home slot is the folded hash masked to the table's size. The tag is
/// taken from a 32-bit value: in a table of up to [`LENGTH_TAG_SLOTS`]
/// slots, the folded hash's low 27 bits and, above them, the length
/// saturated at [`TAG_LENGTH_MAX`]; in a bigger one, the folded hash's low
/// 32 bits. In a table of `2^k` slots a slot keeps bits `k..32` of that
/// value above the symbol, and the home slot took bits `0..k` of the folded
/// hash, so the tag filters strings that share a home, and in a table of up
/// to [`LENGTH_TAG_SLOTS`] slots equal tags mean equal lengths, for lengths
/// below [`TAG_LENGTH_MAX`]. (The interner compares longer strings by
/// their bytes, lengths included, so five bits are enough.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    folded: usize,
    length: u32,
}

/// The length a tag holds for every string at least this long.
pub(crate) const TAG_LENGTH_MAX: usize = 31;

/// The bits of the 32-bit tag value below the length.
const TAG_HASH_BITS: u32 = 27;

/// The most slots a table may have for its tags to hold the strings'
/// lengths (see [`Key`]): the length takes the top 5 of the 32 bits a slot
/// shares between symbol and tag, and up to 2^19 slots that leaves at least
/// 8 bits of hash to tell apart the strings of one length.
///
/// Any smaller power of two is also correct (bigger tables only compare
/// lengths elsewhere), so unit tests lower it to take that path with small
/// tables.
const LENGTH_TAG_SLOTS: usize = if cfg!(test) { 1 << 6 } else { 1 << 19 };

/// The most slots a table may have for a string's home to follow from
/// [`Key::stored`] alone: the stored form keeps 32 bits of the folded hash.
///
/// Any smaller power of two is also correct (it only makes the caller hash
/// strings again sooner when the table grows), so unit tests lower it to
/// take that path with small tables.
pub(crate) const STORED_KEY_SLOTS: u64 = if cfg!(test) { 1 << 7 } else { 1 << 32 };

impl Key {
    /// The key of a string of `length` bytes whose 64-bit hash is `hash`.
    #[inline(always)]
    pub(crate) fn new(hash: u64, length: usize) -> Key {
        // On 32-bit targets the cast keeps the low half, which is the part
        // the home slot and the tag take their bits from.
        Key {
            folded: (hash ^ (hash >> 32)) as usize,
            length: length.min(TAG_LENGTH_MAX) as u32,
        }
    }

    /// The 32 bits of the key's hash an interner keeps per string, from
    /// which [`from_stored`](Key::from_stored) rebuilds the key when the
    /// table grows.
    #[inline(always)]
    pub(crate) fn stored(self) -> u32 {
        self.folded as u32
    }

    /// The key of a string of `length` bytes whose key's
    /// [`stored`](Key::stored) form is `stored`. It leads to the same home
    /// slot and tag as the full key in a table of at most
    /// [`STORED_KEY_SLOTS`] slots, and only there.
    #[inline(always)]
    pub(crate) fn from_stored(stored: u32, length: usize) -> Key {
        Key::new(u64::from(stored), length)
    }

    /// The 32-bit value the tag is taken from, in a table whose tags hold
    /// lengths or not.
    #[inline(always)]
    fn bits(self, lengths_in_tags: bool) -> u32 {
        let low = self.folded as u32;
        if lengths_in_tags {
            (low & ((1 << TAG_HASH_BITS) - 1)) | (self.length << TAG_HASH_BITS)
        } else {
            low
        }
    }

    /// The slot a probe for this string starts from, in a table of
    /// `mask + 1` slots.
    #[inline(always)]
    fn home(self, mask: usize) -> usize {
        self.folded & mask
    }
}

/// The table grows when it would be fuller than `MAX_LOAD_NUM / MAX_LOAD_DEN`.
const MAX_LOAD_NUM: usize = 4;
const MAX_LOAD_DEN: usize = 5;

/// The smallest number of slots a table allocates.
const MIN_SLOTS: usize = 16;

/// One slot of the table: 0 when empty, else a symbol's raw value (its
/// index plus one) in the bits of [`Table::symbol_mask`] and the string's
/// tag in the others.
type Slot = u32;

/// The slot value of an empty slot.
const EMPTY: Slot = 0;

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
/// 2. `symbol_mask` is `slots.len() - 1`, or `u32::MAX` if that does not
///    fit in 32 bits. Every full slot holds a symbol whose raw value (not 0)
///    is at most the number of full slots, so it fits in `symbol_mask`, and
///    the tag bits (`!symbol_mask`) of its string key's
///    [`bits`](Key::bits) above it. `lengths_in_tags` is whether
///    `slots.len() <= LENGTH_TAG_SLOTS`.
/// 3. A full slot sits on the probe path of its string's [`Key`]: between
///    its home slot and its position (cyclically) there is no empty slot.
/// 4. `len` is the number of full slots.
///
/// The table does not own the strings and never reads them itself: the
/// caller compares strings in the closure it passes to
/// [`find`](Table::find), and gives their keys again in the one it passes
/// to [`grow`](Table::grow).
pub(crate) struct Table {
    slots: Box<[Slot]>,
    symbol_mask: u32,
    lengths_in_tags: bool,
    len: usize,
}

impl Table {
    /// A table with room for `capacity` strings before it grows. Even an
    /// empty table has `MIN_SLOTS` slots, so a probe never checks for a
    /// table without any.
    pub(crate) fn with_capacity(capacity: usize) -> Table {
        Table::with_slots(slots_for(capacity))
    }

    /// An empty table of `count` slots, a power of two.
    fn with_slots(count: usize) -> Table {
        debug_assert!(count.is_power_of_two() && count >= MIN_SLOTS);
        Table {
            slots: vec![EMPTY; count].into_boxed_slice(),
            symbol_mask: u32::try_from(count - 1).unwrap_or(u32::MAX),
            lengths_in_tags: count <= LENGTH_TAG_SLOTS,
            len: 0,
        }
    }

    /// Whether a slot's tag equal to a key's means that their strings have
    /// the same length, if it is below [`TAG_LENGTH_MAX`] (see [`Key`]). If not,
    /// the closure passed to [`find`](Table::find) compares lengths.
    #[inline(always)]
    pub(crate) fn tags_hold_lengths(&self) -> bool {
        self.lengths_in_tags
    }

    /// The bytes the slots take.
    pub(crate) fn allocation_size(&self) -> usize {
        size_of_val(&*self.slots)
    }

    /// Empties the table, keeping its slots allocated.
    pub(crate) fn clear(&mut self) {
        self.slots.fill(EMPTY);
        self.len = 0;
    }

    /// The slot that holds `symbol` for a string of key `key`.
    #[inline(always)]
    fn slot(&self, key: Key, symbol: Symbol) -> Slot {
        let raw = symbol.to_raw();
        debug_assert!(
            raw <= self.symbol_mask,
            "symbol {symbol:?} too big for its slot"
        );
        (key.bits(self.lengths_in_tags) & !self.symbol_mask) | raw
    }

    /// Looks up the string whose key is `key`: `is_string(symbol)` says
    /// whether the string of a slot's symbol is that string. It is asked
    /// only of slots whose tag equals the key's.
    #[inline(always)]
    pub(crate) fn find(&self, key: Key, is_string: impl FnMut(Symbol) -> bool) -> Probe {
        self.find_by_tag(key, key.bits(self.lengths_in_tags), is_string)
    }

    /// [`find`](Table::find) in a table whose tags hold lengths: the inline
    /// path of a look-up, which leaves bigger tables to an out-of-line one.
    #[inline(always)]
    pub(crate) fn find_by_length_tag(
        &self,
        key: Key,
        is_string: impl FnMut(Symbol) -> bool,
    ) -> Probe {
        debug_assert!(self.lengths_in_tags);
        self.find_by_tag(key, key.bits(true), is_string)
    }

    /// The probe of [`find`](Table::find), given the key's tag value.
    #[allow(unsafe_code)]
    #[inline(always)]
    fn find_by_tag(&self, key: Key, tag: u32, mut is_string: impl FnMut(Symbol) -> bool) -> Probe {
        let mask = self.slots.len() - 1;
        let symbol_mask = self.symbol_mask;
        let mut index = key.home(mask);
        loop {
            // SAFETY: `index <= mask = slots.len() - 1` (the length is a
            // power of two of at least `MIN_SLOTS`, invariant 1).
            let slot = unsafe { *self.slots.get_unchecked(index) };
            if slot == EMPTY {
                return Probe::Vacant { index };
            }
            if (slot ^ tag) & !symbol_mask == 0 {
                // SAFETY: a full slot's symbol bits hold a symbol's raw
                // value, which is not 0 (invariant 2).
                let symbol = unsafe { Symbol::from_raw(slot & symbol_mask) };
                if is_string(symbol) {
                    return Probe::Found { symbol, index };
                }
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
    /// The swap keeps invariant 3: the probe went from the home slot to
    /// `index` over full slots only, and the string that leaves the home
    /// slot had no empty slot between its own home slot and there, so it
    /// has none on the way to `index` either. The set of full slots does not
    /// change, so no other string's probe path does.
    ///
    /// The swap is made in line. Made by an out-of-line call, the 2M-look-up
    /// Zipf stream of the interning bench took 35 ms where it takes 28.
    #[inline(always)]
    pub(crate) fn move_home(&mut self, index: usize, key: Key) {
        let home = key.home(self.slots.len() - 1);
        if index != home {
            self.slots.swap(index, home);
        }
    }

    /// Whether inserting one more string needs the table to grow first.
    #[inline(always)]
    pub(crate) fn is_full(&self) -> bool {
        (self.len + 1) * MAX_LOAD_DEN > self.slots.len() * MAX_LOAD_NUM
    }

    /// The number of slots the table has after [`grow`](Table::grow).
    pub(crate) fn grown_slot_count(&self) -> usize {
        slots_for(self.len + 1).max(self.slots.len() * 2)
    }

    /// Grows the table to [`grown_slot_count`](Table::grown_slot_count)
    /// slots. `key_of` gives the key of every symbol, in symbol order: the
    /// caller reads what it keeps per symbol in the order it was stored.
    ///
    /// The table must hold exactly the symbols with indices `0..len`, as an
    /// interner's does (its invariant 3).
    #[cold]
    #[inline(never)]
    pub(crate) fn grow(&mut self, mut key_of: impl FnMut(Symbol) -> Key) {
        let mut grown = Table::with_slots(self.grown_slot_count());
        for index in 0..self.len {
            let symbol = Symbol::from_index(index);
            let key = key_of(symbol);
            let slot = grown.vacant_index(key);
            grown.slots[slot] = grown.slot(key, symbol);
        }
        grown.len = self.len;
        *self = grown;
    }

    /// The empty slot where a string of key `key`, known to be absent, goes.
    pub(crate) fn vacant_index(&self, key: Key) -> usize {
        let mask = self.slots.len() - 1;
        let mut index = key.home(mask);
        while self.slots[index] != EMPTY {
            index = (index + 1) & mask;
        }
        index
    }

    /// Fills the empty slot `index` with `symbol`, whose string's key is
    /// `key`. `index` came from [`find`](Table::find) or
    /// [`vacant_index`](Table::vacant_index) for `key` with no change to the
    /// table since, the string is absent, the table is not
    /// [full](Table::is_full), and `symbol` is the next one, with index
    /// `len`.
    ///
    /// # Panics
    ///
    /// Panics if the slot is full or the symbol is not the next one, which
    /// the preconditions rule out.
    #[inline]
    pub(crate) fn insert(&mut self, index: usize, key: Key, symbol: Symbol) {
        debug_assert!(!self.is_full());
        // Invariant 2: the raw value is `len + 1`, at most the number of
        // full slots once this one is filled.
        assert_eq!(symbol.to_index(), self.len, "interner symbols out of order");
        let slot = self.slot(key, symbol);
        let place = &mut self.slots[index];
        assert!(*place == EMPTY, "interner table slot taken");
        *place = slot;
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

    /// Inserts the next symbol with key `key` where a probe for it ends,
    /// growing the table first if it is full, and returns the symbol.
    fn push(table: &mut Table, keys: &[Key], key: Key) -> Symbol {
        if table.is_full() {
            table.grow(|symbol| keys[symbol.to_index()]);
        }
        let symbol = Symbol::from_index(table.len);
        let index = table.vacant_index(key);
        table.insert(index, key, symbol);
        symbol
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
        let keys = [1, 2, 3].map(|i| Key::new(5 + (i << 20), 3));
        let symbols = keys.map(|key| push(&mut table, &keys, key));
        let home = slot_of(&table, keys[0], symbols[0]);
        assert_eq!(slot_of(&table, keys[2], symbols[2]), home + 2);

        table.move_home(home + 2, keys[2]);
        assert_eq!(slot_of(&table, keys[2], symbols[2]), home);
        // The string that was home took the other one's slot, and every
        // string is still found.
        assert_eq!(slot_of(&table, keys[0], symbols[0]), home + 2);
        assert_eq!(slot_of(&table, keys[1], symbols[1]), home + 1);

        // A string already home stays.
        table.move_home(home, keys[2]);
        assert_eq!(slot_of(&table, keys[2], symbols[2]), home);
    }

    #[test]
    fn tags_keep_the_strings_that_share_a_home_apart() {
        let mut table = Table::with_capacity(4);
        let mask = table.slots.len() - 1;
        let keys = [Key::new(5 + (1 << 20), 3)];
        let symbol = push(&mut table, &keys, keys[0]);
        // Same home slot, another hash bit above the symbol's bits: the
        // probe steps over the slot without asking about its string.
        let other = Key::new(5 + (1 << 21), 3);
        assert_eq!(other.home(mask), keys[0].home(mask));
        let mut asked = 0;
        let probe = table.find(other, |_| {
            asked += 1;
            true
        });
        assert!(matches!(probe, Probe::Vacant { .. }));
        assert_eq!(asked, 0);
        // The string's own key is asked about, and found.
        let probe = table.find(keys[0], |found| {
            asked += 1;
            found == symbol
        });
        assert!(matches!(probe, Probe::Found { .. }));
        assert_eq!(asked, 1);
    }

    #[test]
    fn small_tables_tell_lengths_apart_by_tag_and_big_ones_ask() {
        // Two strings of one hash and different lengths.
        let (short, long) = (Key::new(0xabc_1234, 5), Key::new(0xabc_1234, 6));
        for (capacity, asked_for) in [(4, 0), (LENGTH_TAG_SLOTS, 1)] {
            let mut table = Table::with_capacity(capacity);
            assert_eq!(table.tags_hold_lengths(), asked_for == 0);
            push(&mut table, &[short], short);
            let mut asked = 0;
            let probe = table.find(long, |_| {
                asked += 1;
                false
            });
            assert!(matches!(probe, Probe::Vacant { .. }));
            assert_eq!(asked, asked_for, "capacity {capacity}");
        }
    }

    #[test]
    fn stored_keys_lead_home_in_tables_up_to_their_limit() {
        let hashes = (0..1000u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        for hash in hashes {
            let key = Key::new(hash, 12);
            let rebuilt = Key::from_stored(key.stored(), 12);
            for bits in [4, 16, 24, 31] {
                let mask = (1usize << bits) - 1;
                assert_eq!(rebuilt.home(mask), key.home(mask));
            }
            for lengths_in_tags in [false, true] {
                assert_eq!(rebuilt.bits(lengths_in_tags), key.bits(lengths_in_tags));
            }
        }
        // Past 2^32 slots the home takes hash bits the stored form lacks.
        #[cfg(target_pointer_width = "64")]
        {
            let mask = (1usize << 40) - 1;
            let key = Key::new(1 << 38, 12);
            assert_ne!(
                Key::from_stored(key.stored(), 12).home(mask),
                key.home(mask)
            );
        }
    }

    #[test]
    fn growth_keeps_every_string_on_its_probe_path() {
        let count: u64 = if cfg!(miri) { 300 } else { 5000 };
        let keys: Vec<Key> = (0..count)
            .map(|i| {
                Key::new(
                    i.wrapping_mul(0xd6e8_feb8_6659_fd93) ^ (i << 40),
                    i as usize % 30,
                )
            })
            .collect();
        let mut table = Table::with_capacity(0);
        let mut symbols = Vec::new();
        for &key in &keys {
            symbols.push(push(&mut table, &keys, key));
        }
        // The tag narrows as the symbol takes more bits.
        assert_eq!(table.symbol_mask as usize, table.slots.len() - 1);
        let mask = table.slots.len() - 1;
        for (&key, &symbol) in keys.iter().zip(&symbols) {
            let index = slot_of(&table, key, symbol);
            let mut at = key.home(mask);
            while at != index {
                assert_ne!(table.slots[at], EMPTY);
                at = (at + 1) & mask;
            }
        }
    }

    #[test]
    #[should_panic(expected = "interner symbols out of order")]
    fn symbols_go_in_in_order() {
        let mut table = Table::with_capacity(4);
        let key = Key::new(7, 1);
        let index = table.vacant_index(key);
        table.insert(index, key, Symbol::from_index(1));
    }
}
