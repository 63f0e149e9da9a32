//! [`GenArena`]: generational slots, found again through copyable
//! [`Handle`]s that go stale when their value is removed.
//!
//! The arena is a `Vec` of slots. Each slot has a `u32` version that counts
//! the times it was filled and emptied: odd while it holds a value, even
//! while it is vacant. A handle carries the (odd) version its value was
//! stored with, so one comparison tells whether the slot still holds that
//! value: a vacant slot's even version matches no handle. A vacant slot
//! holds the index of the next vacant one instead of a value, so the vacant
//! slots form a free list threaded through the vector, and an insertion
//! reuses the most recently vacated slot.
//!
//! A slot emptied at version `u32::MAX` wraps to version 0 and retires: it
//! never joins the free list again, so no version is ever issued twice for
//! one slot and a stale handle can never find a newer value. A retired slot
//! costs its size in memory until the arena is dropped; it takes two
//! billion insertions and removals in that one slot to retire it.
//!
//! The value and the free-list link share the slot's memory (a `union`),
//! which is what makes a slot of `u64` 16 bytes and a look-up one compare;
//! the version says which of the two is there. The unsafe code reads the
//! union under the invariants listed on [`GenArena`].
//!
//! ```
//! use arenakit_arena::GenArena;
//!
//! let mut arena = GenArena::new();
//! let a = arena.insert("a");
//! assert_eq!(arena.remove(a), Some("a"));
//! // The slot is reused at a new version, so the old handle stays stale.
//! let b = arena.insert("b");
//! assert_eq!(arena.get(a), None);
//! assert_eq!(arena.get(b), Some(&"b"));
//! ```

use core::fmt;
use core::hash::{Hash, Hasher};
use core::iter::{Enumerate, FusedIterator};
use core::marker::PhantomData;
use core::mem::{self, ManuallyDrop};
use core::num::NonZeroU32;
use core::ops::{Index, IndexMut};
use core::slice;
use std::vec;

/// The index that ends the free list. No slot has it: an arena holds at most
/// [`GenArena::MAX_SLOTS`] slots, indices `0` to `u32::MAX - 1`.
const NIL: u32 = u32::MAX;

/// The way back to a value in a [`GenArena`]: a slot index and the
/// generation of the value the slot held when the handle was issued.
///
/// A handle is 8 bytes, and so is `Option<Handle<T>>`. It is `Copy`, `Eq`,
/// `Ord` and `Hash` whatever `T` is, and `Send` and `Sync` too: it is two
/// integers, not a reference.
///
/// ```
/// use arenakit_arena::{GenArena, Handle};
///
/// assert_eq!(size_of::<Handle<String>>(), 8);
/// assert_eq!(size_of::<Option<Handle<String>>>(), 8);
///
/// let mut names = GenArena::new();
/// let h = names.insert("x".to_string());
/// let copy = h;
/// names.remove(h);
/// assert_eq!(names.get(copy), None); // Every copy goes stale at once.
/// ```
pub struct Handle<T> {
    index: u32,
    /// The slot's version while it holds the handle's value. Always odd:
    /// every way to make a handle checks it, so a handle's version never
    /// matches a vacant slot's.
    version: NonZeroU32,
    /// `fn() -> T` makes the handle covariant in `T` and `Send` and `Sync`
    /// whatever `T` is, as it holds no `T`.
    _marker: PhantomData<fn() -> T>,
}

impl<T> Handle<T> {
    /// The handle of slot `index` at version `version`, which must be odd.
    #[inline]
    const fn new(index: u32, version: NonZeroU32) -> Self {
        Handle {
            index,
            version,
            _marker: PhantomData,
        }
    }

    /// The index of the handle's slot in its arena.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let a = arena.insert('a');
    /// let b = arena.insert('b');
    /// assert_eq!((a.index(), b.index()), (0, 1));
    /// ```
    #[inline]
    pub const fn index(self) -> u32 {
        self.index
    }

    /// The generation of the value the handle was issued for: 1 for a slot's
    /// first value, one more for each value after it.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let first = arena.insert(1);
    /// arena.remove(first);
    /// let second = arena.insert(2); // The same slot, reused.
    /// assert_eq!(second.index(), first.index());
    /// assert_eq!((first.generation(), second.generation()), (1, 2));
    /// ```
    #[inline]
    pub const fn generation(self) -> u32 {
        // Versions 1, 3, 5, ... are the generations 1, 2, 3, ...
        (self.version.get() >> 1) + 1
    }

    /// The handle as one `u64`, to store outside Rust or serialise: the
    /// slot's version in the high half, the index in the low half. Never 0.
    ///
    /// ```
    /// use arenakit_arena::{GenArena, Handle};
    ///
    /// let mut arena = GenArena::new();
    /// let h = arena.insert("v");
    /// assert_eq!(Handle::from_bits(h.to_bits()), Some(h));
    /// ```
    #[inline]
    pub const fn to_bits(self) -> u64 {
        ((self.version.get() as u64) << 32) | self.index as u64
    }

    /// The handle that [`to_bits`](Self::to_bits) made `bits` from, or
    /// `None` if no handle has them (an even version, 0 included).
    ///
    /// Any handle built this way is safe to use: if its arena has no value
    /// of that version in that slot, look-ups return `None`.
    ///
    /// ```
    /// use arenakit_arena::Handle;
    ///
    /// assert!(Handle::<u8>::from_bits(7).is_none()); // Version 0.
    /// assert!(Handle::<u8>::from_bits((2 << 32) | 7).is_none()); // Even.
    /// let h = Handle::<u8>::from_bits((3 << 32) | 7).unwrap();
    /// assert_eq!((h.index(), h.generation()), (7, 2));
    /// ```
    #[inline]
    pub const fn from_bits(bits: u64) -> Option<Self> {
        let version = (bits >> 32) as u32;
        match NonZeroU32::new(version) {
            Some(version) if version.get() & 1 == 1 => Some(Handle::new(bits as u32, version)),
            _ => None,
        }
    }
}

// Written by hand: derives would require `T` to implement each trait.
impl<T> Clone for Handle<T> {
    #[inline]
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Handle<T> {}

impl<T> PartialEq for Handle<T> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.index == other.index && self.version == other.version
    }
}

impl<T> Eq for Handle<T> {}

impl<T> PartialOrd for Handle<T> {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Handles order by slot index, then by generation.
impl<T> Ord for Handle<T> {
    #[inline]
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        (self.index, self.version).cmp(&(other.index, other.version))
    }
}

impl<T> Hash for Handle<T> {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.to_bits());
    }
}

/// Shows the slot index and the generation, as in `Handle(3v2)`.
impl<T> fmt::Debug for Handle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Handle({}v{})", self.index, self.generation())
    }
}

/// One slot of a [`GenArena`]: a value while `version` is odd, a free-list
/// link while it is even.
struct Slot<T> {
    content: Content<T>,
    /// Odd while the slot holds a value, even while it is vacant; 0 if it
    /// is retired.
    version: u32,
}

/// What a slot holds; its [`Slot::version`] says which.
union Content<T> {
    /// The value, while the version is odd. Dropped by the arena, never by
    /// the union.
    value: ManuallyDrop<T>,
    /// The next slot of the free list, or [`NIL`], while the version is even.
    next_free: u32,
}

impl<T> Slot<T> {
    /// Whether the slot holds a value.
    #[inline]
    fn is_occupied(&self) -> bool {
        self.version & 1 == 1
    }
}

const _: () = assert!(size_of::<Slot<u64>>() == 16);
const _: () = assert!(size_of::<Slot<u32>>() == 8);
const _: () = assert!(size_of::<Handle<u64>>() == 8);
const _: () = assert!(size_of::<Option<Handle<u64>>>() == 8);

/// An arena of values found again through [`Handle`]s: a generational slot
/// map, for graphs of nodes that point at each other (scopes, symbols,
/// control-flow blocks) and may be removed.
///
/// A handle goes stale when its value is removed, and from then on every
/// look-up through it, or any copy of it, returns `None`, even after the slot
/// holds a new value: a stale handle is rejected, never aliased. Insertion
/// reuses vacated slots, so memory grows with the most values held at once,
/// not with the insertions made.
///
/// Insertion, look-up and removal are O(1). Iteration visits the slots in
/// index order and costs O(slots), vacant ones included.
///
/// ```
/// use arenakit_arena::{GenArena, Handle};
///
/// struct Scope {
///     name: &'static str,
///     parent: Option<Handle<Scope>>,
/// }
///
/// let mut scopes = GenArena::new();
/// let global = scopes.insert(Scope { name: "global", parent: None });
/// let body = scopes.insert(Scope { name: "body", parent: Some(global) });
/// assert_eq!(scopes[scopes[body].parent.unwrap()].name, "global");
///
/// assert!(scopes.remove(body).is_some());
/// let block = scopes.insert(Scope { name: "block", parent: Some(global) });
/// assert_eq!(block.index(), body.index()); // The slot is reused...
/// assert!(scopes.get(body).is_none()); // ...and the old handle is stale.
/// ```
///
/// A handle carries no mark of its arena: one from another arena of the
/// same type finds whatever that slot and generation hold here, if anything.
/// Keep one arena per kind of value, as the types already encourage.
///
/// # Invariants
///
/// The unsafe code relies on these; every method keeps them before it runs
/// code it does not control (a closure, a destructor, a `Clone`).
///
/// 1. `slots.len() <= MAX_SLOTS`, so every slot index fits in a `u32` and
///    none is `NIL` (`u32::MAX`).
/// 2. A slot whose version is odd holds an initialised value in
///    `content.value`, which the arena owns and drops exactly once. A slot
///    whose version is even holds `content.next_free`.
/// 3. The free list, from `free_head` along `next_free`, visits every
///    vacant slot whose version is not 0, each once, and ends at `NIL`:
///    every index on it is below `slots.len()`. Slots of version 0 are
///    retired and on no list.
/// 4. `len` is the number of slots of odd version.
pub struct GenArena<T> {
    /// The slots; at most [`GenArena::MAX_SLOTS`].
    slots: Vec<Slot<T>>,
    /// The most recently vacated slot that is not retired, or [`NIL`].
    free_head: u32,
    /// The occupied slots.
    len: u32,
}

impl<T> GenArena<T> {
    /// The most slots an arena has, and so the most values it holds:
    /// `u32::MAX`, as slot indices are `u32` and one value is reserved.
    ///
    /// ```
    /// assert_eq!(arenakit_arena::GenArena::<u8>::MAX_SLOTS, u32::MAX as usize);
    /// ```
    pub const MAX_SLOTS: usize = NIL as usize;

    /// Creates an empty arena; nothing is allocated until the first value.
    ///
    /// ```
    /// let arena = arenakit_arena::GenArena::<String>::new();
    /// assert!(arena.is_empty());
    /// assert_eq!(arena.capacity(), 0);
    /// ```
    pub const fn new() -> Self {
        GenArena {
            slots: Vec::new(),
            free_head: NIL,
            len: 0,
        }
    }

    /// Creates an empty arena with room for `capacity` values before it
    /// allocates again. A capacity above [`MAX_SLOTS`](Self::MAX_SLOTS) is
    /// taken as that.
    ///
    /// # Panics
    ///
    /// Panics if the room asked for exceeds `isize::MAX` bytes; like
    /// [`Vec::with_capacity`], it aborts the process if the allocator cannot
    /// provide it.
    ///
    /// ```
    /// let arena = arenakit_arena::GenArena::<u64>::with_capacity(100);
    /// assert!(arena.capacity() >= 100);
    /// ```
    pub fn with_capacity(capacity: usize) -> Self {
        GenArena {
            slots: Vec::with_capacity(capacity.min(Self::MAX_SLOTS)),
            free_head: NIL,
            len: 0,
        }
    }

    /// How many values the arena holds.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let h = arena.insert(1);
    /// arena.insert(2);
    /// arena.remove(h);
    /// assert_eq!(arena.len(), 1);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the arena holds no value.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// assert!(arena.is_empty());
    /// arena.insert(());
    /// assert!(!arena.is_empty());
    /// ```
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many slots the arena's vector has room for: its slots, vacant
    /// and retired ones included, and its spare room. Without allocating it
    /// can hold that many values, less one for each retired slot, which is
    /// never reused.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let h = arena.insert(1);
    /// arena.remove(h);
    /// assert!(arena.capacity() >= 1);
    /// ```
    #[inline]
    pub fn capacity(&self) -> usize {
        self.slots.capacity()
    }

    /// Makes room for at least `additional` more slots beyond the ones the
    /// arena has, vacant or not, so that many insertions allocate nothing.
    ///
    /// # Panics
    ///
    /// If the new capacity exceeds `isize::MAX` bytes, as `Vec::reserve`.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::<u64>::new();
    /// arena.reserve(10);
    /// assert!(arena.capacity() >= 10);
    /// ```
    pub fn reserve(&mut self, additional: usize) {
        self.slots.reserve(additional);
    }

    /// Moves `value` into the arena and returns its handle.
    ///
    /// # Panics
    ///
    /// If the arena already has [`MAX_SLOTS`](Self::MAX_SLOTS) slots and
    /// none is free; [`try_insert`](Self::try_insert) returns the value
    /// instead.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let h = arena.insert("value");
    /// assert_eq!(arena[h], "value");
    /// ```
    #[inline]
    pub fn insert(&mut self, value: T) -> Handle<T> {
        match self.try_insert(value) {
            Ok(handle) => handle,
            Err(_) => full(),
        }
    }

    /// Moves `value` into the arena and returns its handle, or gives the
    /// value back if the arena has [`MAX_SLOTS`](Self::MAX_SLOTS) slots and
    /// none is free.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let h = arena.try_insert(5).unwrap();
    /// assert_eq!(arena.get(h), Some(&5));
    /// ```
    #[inline]
    pub fn try_insert(&mut self, value: T) -> Result<Handle<T>, T> {
        match self.next_handle() {
            Some(handle) => {
                self.occupy(handle, value);
                Ok(handle)
            }
            None => Err(value),
        }
    }

    /// Inserts the value `make` builds from the handle it will have, for
    /// values that store their own handle.
    ///
    /// # Panics
    ///
    /// As [`insert`](Self::insert), before `make` is called.
    ///
    /// ```
    /// use arenakit_arena::{GenArena, Handle};
    ///
    /// struct Node {
    ///     this: Handle<Node>,
    /// }
    ///
    /// let mut nodes = GenArena::new();
    /// let h = nodes.insert_with(|this| Node { this });
    /// assert_eq!(nodes[h].this, h);
    /// ```
    #[inline]
    pub fn insert_with(&mut self, make: impl FnOnce(Handle<T>) -> T) -> Handle<T> {
        let Some(handle) = self.next_handle() else {
            full()
        };
        // `make` may panic: nothing has changed yet.
        let value = make(handle);
        self.occupy(handle, value);
        handle
    }

    /// The handle the next insertion gets, or `None` if the arena is full:
    /// the free list's first slot at its next version, else a new slot at
    /// version 1.
    #[inline]
    fn next_handle(&self) -> Option<Handle<T>> {
        let index = self.free_head;
        if index != NIL {
            // SAFETY: invariant 3 — the free list's first index is below
            // `slots.len()`.
            let slot = unsafe { self.slots.get_unchecked(index as usize) };
            // Invariant 3: a slot on the free list has an even version that
            // is not 0, so one more is odd and below `u32::MAX`, never 0.
            let version = NonZeroU32::MIN.saturating_add(slot.version);
            Some(Handle::new(index, version))
        } else if self.slots.len() < Self::MAX_SLOTS {
            Some(Handle::new(self.slots.len() as u32, NonZeroU32::MIN))
        } else {
            None
        }
    }

    /// Puts `value` in the slot of `handle`, which
    /// [`next_handle`](Self::next_handle) just returned with no change to
    /// the arena since.
    #[inline]
    fn occupy(&mut self, handle: Handle<T>, value: T) {
        let content = Content {
            value: ManuallyDrop::new(value),
        };
        if handle.index == self.free_head {
            // SAFETY: invariant 3 — the free list's first index is below
            // `slots.len()`.
            let slot = unsafe { self.slots.get_unchecked_mut(handle.index as usize) };
            // SAFETY: invariant 2 — the version is even (the slot is on the
            // free list), so the link is what the slot holds.
            self.free_head = unsafe { slot.content.next_free };
            // The old content is a `u32`: overwriting it drops nothing.
            slot.content = content;
            slot.version = handle.version.get();
        } else {
            // A handle of a new slot: `next_handle` checked there is room
            // for one more (invariant 1).
            self.slots.push(Slot {
                content,
                version: handle.version.get(),
            });
        }
        self.len += 1;
    }

    /// The slot of `handle`, if it holds the handle's value. A handle's
    /// version is odd, so a slot of that version is occupied.
    #[inline]
    fn slot(&self, handle: Handle<T>) -> Option<&Slot<T>> {
        // Written as a comparison and an index, not `get(..).filter(..)`:
        // with that form, in a loop, LLVM once kept the slot's address as a
        // pointer that might be null and tested the vector's pointer for
        // null on every look-up, which made `get` a fifth slower.
        let index = handle.index as usize;
        if index < self.slots.len() {
            let slot = &self.slots[index];
            if slot.version == handle.version.get() {
                return Some(slot);
            }
        }
        None
    }

    /// The slot of `handle` mutably, if it holds the handle's value.
    #[inline]
    fn slot_mut(&mut self, handle: Handle<T>) -> Option<&mut Slot<T>> {
        // The same form as `slot`, for the same reason.
        let index = handle.index as usize;
        if index < self.slots.len() {
            let slot = &mut self.slots[index];
            if slot.version == handle.version.get() {
                return Some(slot);
            }
        }
        None
    }

    /// The value of `handle`, or `None` if it was removed (or `handle` is
    /// from another arena and finds nothing here).
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let h = arena.insert(10);
    /// assert_eq!(arena.get(h), Some(&10));
    /// arena.remove(h);
    /// assert_eq!(arena.get(h), None);
    /// ```
    #[inline]
    pub fn get(&self, handle: Handle<T>) -> Option<&T> {
        // SAFETY: invariant 2 — `slot` found the handle's version, which
        // is odd.
        self.slot(handle)
            .map(|slot| unsafe { &*slot.content.value })
    }

    /// The value of `handle` mutably, or `None` if it was removed.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let h = arena.insert(10);
    /// *arena.get_mut(h).unwrap() += 1;
    /// assert_eq!(arena[h], 11);
    /// ```
    #[inline]
    pub fn get_mut(&mut self, handle: Handle<T>) -> Option<&mut T> {
        let slot = self.slot_mut(handle)?;
        // SAFETY: invariant 2 — `slot_mut` found the handle's version,
        // which is odd.
        Some(unsafe { &mut slot.content.value })
    }

    /// The values of `N` handles mutably at once, or `None` if any of them
    /// is stale or two of them are the same.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let a = arena.insert(1);
    /// let b = arena.insert(2);
    /// let [x, y] = arena.get_disjoint_mut([a, b]).unwrap();
    /// std::mem::swap(x, y);
    /// assert_eq!((arena[a], arena[b]), (2, 1));
    /// assert!(arena.get_disjoint_mut([a, a]).is_none());
    /// ```
    pub fn get_disjoint_mut<const N: usize>(
        &mut self,
        handles: [Handle<T>; N],
    ) -> Option<[&mut T; N]> {
        let slots = self
            .slots
            .get_disjoint_mut(handles.map(|h| h.index as usize))
            .ok()?;
        if slots
            .iter()
            .zip(handles)
            .any(|(s, h)| s.version != h.version.get())
        {
            return None;
        }
        // SAFETY: invariant 2 — every slot was checked to hold its handle's
        // odd version.
        Some(slots.map(|slot| unsafe { &mut *slot.content.value }))
    }

    /// Whether `handle` finds a value.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let h = arena.insert(());
    /// assert!(arena.contains(h));
    /// arena.remove(h);
    /// assert!(!arena.contains(h));
    /// ```
    #[inline]
    pub fn contains(&self, handle: Handle<T>) -> bool {
        self.slot(handle).is_some()
    }

    /// Removes the value of `handle` and returns it, or `None` if it was
    /// removed already. From then on `handle` and its copies are stale.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let h = arena.insert(String::from("gone"));
    /// assert_eq!(arena.remove(h).as_deref(), Some("gone"));
    /// assert_eq!(arena.remove(h), None);
    /// ```
    #[inline]
    pub fn remove(&mut self, handle: Handle<T>) -> Option<T> {
        let free_head = self.free_head;
        let slot = self.slot_mut(handle)?;
        // SAFETY: invariant 2 — `slot_mut` found the handle's version,
        // which is odd, so the value is initialised; the slot is made vacant
        // below, so it is read out once.
        let value = unsafe { ManuallyDrop::take(&mut slot.content.value) };
        // Odd to even. A slot emptied at `u32::MAX` wraps to 0 and retires
        // (invariant 3): it stays off the free list, so its versions are
        // never issued again.
        slot.version = slot.version.wrapping_add(1);
        let retired = slot.version == 0;
        slot.content.next_free = if retired { NIL } else { free_head };
        if !retired {
            self.free_head = handle.index;
        }
        self.len -= 1;
        Some(value)
    }

    /// Keeps only the values for which `keep` returns `true`, visiting them
    /// in slot order; the others are removed as by [`remove`](Self::remove).
    ///
    /// If `keep` or a value's destructor panics, the values visited so far
    /// are kept or removed as decided and the rest are kept.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let handles: Vec<_> = (0..6).map(|i| arena.insert(i)).collect();
    /// arena.retain(|_, v| *v % 2 == 0);
    /// assert_eq!(arena.len(), 3);
    /// assert!(arena.contains(handles[2]) && !arena.contains(handles[3]));
    /// ```
    pub fn retain(&mut self, mut keep: impl FnMut(Handle<T>, &mut T) -> bool) {
        for index in 0..self.slots.len() {
            let slot = &mut self.slots[index];
            let Some(handle) = occupied_handle(index, slot) else {
                continue;
            };
            // SAFETY: invariant 2 — the version is odd.
            if !keep(handle, unsafe { &mut slot.content.value }) {
                drop(self.remove(handle));
            }
        }
    }

    /// Removes every value. Every handle goes stale; the slots are kept for
    /// the values to come.
    ///
    /// If a destructor panics, the values not yet dropped stay in the arena.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let h = arena.insert(1);
    /// arena.clear();
    /// assert!(arena.is_empty() && arena.get(h).is_none());
    /// let again = arena.insert(2);
    /// assert_eq!(again.index(), h.index()); // The slot is reused.
    /// ```
    pub fn clear(&mut self) {
        // In reverse, so the free list starts at the lowest slot.
        for index in (0..self.slots.len()).rev() {
            if let Some(handle) = occupied_handle(index, &self.slots[index]) {
                drop(self.remove(handle));
            }
        }
    }

    /// The handles and values, in slot order.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let a = arena.insert('a');
    /// let b = arena.insert('b');
    /// let pairs: Vec<_> = arena.iter().collect();
    /// assert_eq!(pairs, [(a, &'a'), (b, &'b')]);
    /// ```
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            slots: self.slots.iter().enumerate(),
            remaining: self.len(),
        }
    }

    /// The handles and mutable values, in slot order.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// arena.insert(1);
    /// arena.insert(2);
    /// for (_, v) in arena.iter_mut() {
    ///     *v *= 10;
    /// }
    /// assert_eq!(arena.values().sum::<i32>(), 30);
    /// ```
    pub fn iter_mut(&mut self) -> IterMut<'_, T> {
        IterMut {
            remaining: self.len(),
            slots: self.slots.iter_mut().enumerate(),
        }
    }

    /// The handles, in slot order.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let a = arena.insert(1);
    /// assert_eq!(arena.handles().collect::<Vec<_>>(), [a]);
    /// ```
    pub fn handles(&self) -> impl ExactSizeIterator<Item = Handle<T>> + '_ {
        self.iter().map(|(h, _)| h)
    }

    /// The values, in slot order.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// arena.insert("a");
    /// arena.insert("b");
    /// assert_eq!(arena.values().copied().collect::<String>(), "ab");
    /// ```
    pub fn values(&self) -> impl ExactSizeIterator<Item = &T> + '_ {
        self.iter().map(|(_, v)| v)
    }

    /// The values mutably, in slot order.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let a = arena.insert(1);
    /// let b = arena.insert(2);
    /// for v in arena.values_mut() {
    ///     *v += 100;
    /// }
    /// assert_eq!((arena[a], arena[b]), (101, 102));
    /// ```
    pub fn values_mut(&mut self) -> impl ExactSizeIterator<Item = &mut T> + '_ {
        self.iter_mut().map(|(_, v)| v)
    }

    /// Removes every value and yields it with its handle, in slot order.
    ///
    /// Each value is removed as it is yielded, as by
    /// [`remove`](Self::remove), so the arena is consistent at every step.
    /// Once the drain is done, the arena is as [`clear`](Self::clear) leaves
    /// it: empty, every old handle stale, the slots kept for reuse from the
    /// lowest one up. If the [`Drain`] is dropped early, it removes and
    /// drops the values not yet yielded; if a destructor panics there, the
    /// values after it stay in the arena. If the `Drain` is leaked (with
    /// [`mem::forget`]), the values not yet yielded stay in the arena, found
    /// by their handles as before.
    ///
    /// ```
    /// let mut arena = arenakit_arena::GenArena::new();
    /// let a = arena.insert("a");
    /// let b = arena.insert("b");
    /// let drained: Vec<_> = arena.drain().collect();
    /// assert_eq!(drained, [(a, "a"), (b, "b")]);
    /// assert!(arena.is_empty() && arena.get(a).is_none());
    /// assert_eq!(arena.insert("c").index(), a.index()); // The slot is reused.
    /// ```
    pub fn drain(&mut self) -> Drain<'_, T> {
        Drain {
            front: 0,
            back: self.slots.len(),
            front_tail: NIL,
            rest: self.free_head,
            arena: self,
        }
    }
}

/// Panics because the arena has [`GenArena::MAX_SLOTS`] slots and none is
/// free.
#[cold]
#[inline(never)]
#[track_caller]
fn full() -> ! {
    panic!(
        "GenArena is full: it holds {} slots, the most it can index",
        GenArena::<()>::MAX_SLOTS
    )
}

/// Drops every value. If a destructor panics, the values after it leak.
impl<T> Drop for GenArena<T> {
    fn drop(&mut self) {
        if !mem::needs_drop::<T>() {
            return;
        }
        for slot in &mut self.slots {
            if slot.is_occupied() {
                // Nothing reads the slot after this: the arena is going.
                slot.version = 0;
                // SAFETY: invariant 2 — the version was odd, so the value is
                // initialised, and it is dropped once: the version is now
                // even.
                unsafe { ManuallyDrop::drop(&mut slot.content.value) };
            }
        }
    }
}

impl<T> Default for GenArena<T> {
    fn default() -> Self {
        GenArena::new()
    }
}

/// The copy has the same handles: each finds the copy of its value.
impl<T: Clone> Clone for GenArena<T> {
    fn clone(&self) -> Self {
        // Built slot by slot inside an arena, so that if a `clone` panics
        // the copies made so far are dropped with it. Until then `len` and
        // the free list are not needed (only `Drop` runs on a partial copy).
        let mut copy = GenArena {
            slots: Vec::with_capacity(self.slots.len()),
            free_head: NIL,
            len: 0,
        };
        for slot in &self.slots {
            let content = if slot.is_occupied() {
                // SAFETY: invariant 2 — the version is odd.
                let value: &T = unsafe { &slot.content.value };
                Content {
                    value: ManuallyDrop::new(value.clone()),
                }
            } else {
                Content {
                    // SAFETY: invariant 2 — the version is even.
                    next_free: unsafe { slot.content.next_free },
                }
            };
            copy.slots.push(Slot {
                content,
                version: slot.version,
            });
        }
        copy.free_head = self.free_head;
        copy.len = self.len;
        copy
    }
}

/// Shows the handles and values as a map.
impl<T: fmt::Debug> fmt::Debug for GenArena<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// The value of a handle.
///
/// # Panics
///
/// If the handle is stale; [`GenArena::get`] returns `None` instead.
///
/// ```should_panic
/// let mut arena = arenakit_arena::GenArena::new();
/// let h = arena.insert(1);
/// arena.remove(h);
/// let _ = arena[h]; // Panics: the handle is stale.
/// ```
impl<T> Index<Handle<T>> for GenArena<T> {
    type Output = T;

    #[inline]
    #[track_caller]
    fn index(&self, handle: Handle<T>) -> &T {
        match self.get(handle) {
            Some(value) => value,
            None => stale(handle),
        }
    }
}

/// The value of a handle, mutably.
///
/// # Panics
///
/// If the handle is stale; [`GenArena::get_mut`] returns `None` instead.
///
/// ```
/// let mut arena = arenakit_arena::GenArena::new();
/// let h = arena.insert(1);
/// arena[h] += 1;
/// assert_eq!(arena[h], 2);
/// ```
impl<T> IndexMut<Handle<T>> for GenArena<T> {
    #[inline]
    #[track_caller]
    fn index_mut(&mut self, handle: Handle<T>) -> &mut T {
        match self.get_mut(handle) {
            Some(value) => value,
            None => stale(handle),
        }
    }
}

/// Panics because `handle` finds no value.
#[cold]
#[inline(never)]
#[track_caller]
fn stale<T>(handle: Handle<T>) -> ! {
    panic!(
        "stale handle: slot {} holds no value of generation {}",
        handle.index,
        handle.generation()
    )
}

impl<'a, T> IntoIterator for &'a GenArena<T> {
    type Item = (Handle<T>, &'a T);
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<'a, T> IntoIterator for &'a mut GenArena<T> {
    type Item = (Handle<T>, &'a mut T);
    type IntoIter = IterMut<'a, T>;

    fn into_iter(self) -> IterMut<'a, T> {
        self.iter_mut()
    }
}

/// The handle of slot `index`, if the slot holds a value.
#[inline]
fn occupied_handle<T>(index: usize, slot: &Slot<T>) -> Option<Handle<T>> {
    let version = NonZeroU32::new(slot.version).filter(|_| slot.is_occupied())?;
    Some(Handle::new(index as u32, version))
}

/// The handles and values of a [`GenArena`], in slot order; see
/// [`GenArena::iter`].
///
/// ```
/// use arenakit_arena::GenArena;
///
/// let mut arena = GenArena::new();
/// let a = arena.insert(1);
/// let b = arena.insert(2);
/// arena.remove(a);
/// assert_eq!(arena.iter().collect::<Vec<_>>(), [(b, &2)]);
/// ```
pub struct Iter<'a, T> {
    slots: Enumerate<slice::Iter<'a, Slot<T>>>,
    /// The values not yet yielded.
    remaining: usize,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = (Handle<T>, &'a T);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        for (index, slot) in self.slots.by_ref() {
            if let Some(handle) = occupied_handle(index, slot) {
                self.remaining -= 1;
                // SAFETY: invariant 2 — `occupied_handle` checked the
                // version is odd.
                return Some((handle, unsafe { &slot.content.value }));
            }
        }
        None
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}
impl<T> FusedIterator for Iter<'_, T> {}

impl<T> Clone for Iter<'_, T> {
    fn clone(&self) -> Self {
        Iter {
            slots: self.slots.clone(),
            remaining: self.remaining,
        }
    }
}

impl<T> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("remaining", &self.remaining)
            .finish()
    }
}

/// The handles and mutable values of a [`GenArena`], in slot order; see
/// [`GenArena::iter_mut`].
///
/// ```
/// use arenakit_arena::GenArena;
///
/// let mut arena = GenArena::new();
/// let a = arena.insert(1);
/// let b = arena.insert(2);
/// for (_, value) in arena.iter_mut() {
///     *value *= 10;
/// }
/// assert_eq!((arena[a], arena[b]), (10, 20));
/// ```
pub struct IterMut<'a, T> {
    slots: Enumerate<slice::IterMut<'a, Slot<T>>>,
    /// The values not yet yielded.
    remaining: usize,
}

impl<'a, T> Iterator for IterMut<'a, T> {
    type Item = (Handle<T>, &'a mut T);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        for (index, slot) in self.slots.by_ref() {
            if let Some(handle) = occupied_handle(index, slot) {
                self.remaining -= 1;
                // SAFETY: invariant 2 — `occupied_handle` checked the
                // version is odd.
                return Some((handle, unsafe { &mut *slot.content.value }));
            }
        }
        None
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<T> ExactSizeIterator for IterMut<'_, T> {}
impl<T> FusedIterator for IterMut<'_, T> {}

impl<T> fmt::Debug for IterMut<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IterMut")
            .field("remaining", &self.remaining)
            .finish()
    }
}

/// The handles and values of a [`GenArena`], removed as they are yielded,
/// in slot order; see [`GenArena::drain`].
///
/// Dropping it removes and drops the values not yet yielded. Values can be
/// taken from both ends; whatever the order, a finished drain leaves the
/// slots to be reused from the lowest one up, as [`GenArena::clear`] does.
///
/// ```
/// use arenakit_arena::GenArena;
///
/// let mut arena = GenArena::new();
/// let handles: Vec<_> = (0..4).map(|i| arena.insert(i)).collect();
/// let mut drain = arena.drain();
/// assert_eq!(drain.len(), 4);
/// assert_eq!(drain.next(), Some((handles[0], 0)));
/// assert_eq!(drain.next_back(), Some((handles[3], 3)));
/// drop(drain); // Removes and drops the values 1 and 2.
/// assert!(arena.is_empty());
/// ```
pub struct Drain<'a, T> {
    arena: &'a mut GenArena<T>,
    /// The next slot to visit from the front.
    front: usize,
    /// One past the next slot to visit from the back. The slots from
    /// `front` up to `back` are the ones not visited; every slot outside
    /// them is vacant, so the arena's `len` is the values left to yield.
    back: usize,
    /// The last slot the drain has put on the free list from the front, or
    /// [`NIL`] if none. The free list runs from the arena's `free_head`
    /// along the slots vacated from the front, in slot order, to `rest`.
    front_tail: u32,
    /// The rest of the free list after the slots vacated from the front:
    /// the slots vacated from the back, in slot order, and then the list the
    /// arena had before the drain.
    rest: u32,
}

impl<T> Drain<'_, T> {
    /// Removes the value of slot `index`, if the slot holds one, and puts
    /// the slot on the free list between `front_tail` and `rest`: as the
    /// last slot vacated from the front if `from_front`, else as the first
    /// slot vacated from the back. Either way the vacated slots stay in slot
    /// order on the list.
    fn take(&mut self, index: usize, from_front: bool) -> Option<(Handle<T>, T)> {
        let arena = &mut *self.arena;
        let slot = &mut arena.slots[index];
        let handle = occupied_handle(index, slot)?;
        // SAFETY: invariant 2 — `occupied_handle` checked the version is
        // odd, so the value is initialised; the slot is made vacant below,
        // so it is read out once.
        let value = unsafe { ManuallyDrop::take(&mut slot.content.value) };
        // Odd to even, as in `remove`. A slot emptied at `u32::MAX` wraps to
        // 0 and retires (invariant 3): it stays off the free list.
        slot.version = slot.version.wrapping_add(1);
        if slot.version == 0 {
            slot.content.next_free = NIL;
        } else {
            slot.content.next_free = self.rest;
            // Invariant 1: the index fits in a `u32` and is not `NIL`.
            let index = index as u32;
            match self.front_tail {
                NIL => arena.free_head = index,
                // The tail is a vacant slot below `index` or, when the slot
                // is vacated from the back, below `back`: writing its link
                // overwrites no value (invariant 2).
                tail => arena.slots[tail as usize].content.next_free = index,
            }
            if from_front {
                self.front_tail = index;
            } else {
                self.rest = index;
            }
        }
        arena.len -= 1;
        Some((handle, value))
    }
}

impl<T> Iterator for Drain<'_, T> {
    type Item = (Handle<T>, T);

    fn next(&mut self) -> Option<Self::Item> {
        // Once `len` is 0 the slots left to visit are all vacant.
        while self.front < self.back && self.arena.len != 0 {
            let index = self.front;
            self.front += 1;
            if let Some(item) = self.take(index, true) {
                return Some(item);
            }
        }
        None
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = self.arena.len();
        (remaining, Some(remaining))
    }
}

impl<T> DoubleEndedIterator for Drain<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        while self.front < self.back && self.arena.len != 0 {
            self.back -= 1;
            if let Some(item) = self.take(self.back, false) {
                return Some(item);
            }
        }
        None
    }
}

impl<T> ExactSizeIterator for Drain<'_, T> {}
impl<T> FusedIterator for Drain<'_, T> {}

/// Removes and drops the values not yet yielded, in slot order. If a
/// destructor panics, the values after it stay in the arena.
impl<T> Drop for Drain<'_, T> {
    fn drop(&mut self) {
        self.for_each(drop);
    }
}

impl<T> fmt::Debug for Drain<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drain")
            .field("remaining", &self.len())
            .finish()
    }
}

/// Moves the handles and values out of the arena, in slot order.
///
/// ```
/// use arenakit_arena::GenArena;
///
/// let mut arena = GenArena::new();
/// let a = arena.insert(String::from("a"));
/// let b = arena.insert(String::from("b"));
/// let owned: Vec<(_, String)> = arena.into_iter().collect();
/// assert_eq!(owned, [(a, "a".to_string()), (b, "b".to_string())]);
/// ```
impl<T> IntoIterator for GenArena<T> {
    type Item = (Handle<T>, T);
    type IntoIter = IntoIter<T>;

    fn into_iter(mut self) -> IntoIter<T> {
        // The slots move to the iterator, which drops the values it does
        // not yield. The arena is left empty and consistent (no slots, no
        // free list, no values), so its `Drop` then drops nothing: every
        // value is dropped once, by the iterator or whoever it yields to.
        let slots = mem::take(&mut self.slots);
        let remaining = self.len();
        self.free_head = NIL;
        self.len = 0;
        IntoIter {
            slots: slots.into_iter().enumerate(),
            remaining,
        }
    }
}

/// The handles and values of a [`GenArena`], moved out of it in slot order;
/// see its [`IntoIterator`] implementation.
///
/// Dropping it drops the values not yet yielded.
///
/// ```
/// use arenakit_arena::GenArena;
///
/// let mut arena = GenArena::new();
/// let a = arena.insert('a');
/// let b = arena.insert('b');
/// let c = arena.insert('c');
/// arena.remove(b);
/// let mut values = arena.into_iter();
/// assert_eq!(values.len(), 2);
/// assert_eq!(values.next_back(), Some((c, 'c')));
/// assert_eq!(values.next(), Some((a, 'a')));
/// assert_eq!(values.next(), None);
/// ```
pub struct IntoIter<T> {
    /// The slots not yet visited, with their indices. A slot of odd
    /// version still holds its value (invariant 2), which the iterator owns.
    slots: Enumerate<vec::IntoIter<Slot<T>>>,
    /// The values not yet yielded.
    remaining: usize,
}

impl<T> Iterator for IntoIter<T> {
    type Item = (Handle<T>, T);

    fn next(&mut self) -> Option<Self::Item> {
        // Once `remaining` is 0 the slots left are all vacant.
        if self.remaining == 0 {
            return None;
        }
        for (index, slot) in self.slots.by_ref() {
            if let Some(handle) = occupied_handle(index, &slot) {
                self.remaining -= 1;
                // SAFETY: invariant 2 — `occupied_handle` checked the
                // version is odd, so the value is initialised; the slot has
                // left the vector and is dropped here without its value, so
                // the value is read out once.
                let value = unsafe { slot.content.value };
                return Some((handle, ManuallyDrop::into_inner(value)));
            }
        }
        None
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<T> DoubleEndedIterator for IntoIter<T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        while let Some((index, slot)) = self.slots.next_back() {
            if let Some(handle) = occupied_handle(index, &slot) {
                self.remaining -= 1;
                // SAFETY: invariant 2 — as in `next`.
                let value = unsafe { slot.content.value };
                return Some((handle, ManuallyDrop::into_inner(value)));
            }
        }
        None
    }
}

impl<T> ExactSizeIterator for IntoIter<T> {}
impl<T> FusedIterator for IntoIter<T> {}

/// Drops the values not yet yielded. If a destructor panics, the values
/// after it leak.
impl<T> Drop for IntoIter<T> {
    fn drop(&mut self) {
        if mem::needs_drop::<T>() {
            self.for_each(drop);
        }
    }
}

impl<T> fmt::Debug for IntoIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoIter")
            .field("remaining", &self.remaining)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sets the version of the vacant slot `index`, as if it had been filled
    /// and emptied that many times over.
    fn age_vacant_slot<T>(arena: &mut GenArena<T>, index: u32, version: u32) {
        assert!(
            version.is_multiple_of(2) && version != 0,
            "a vacant slot's version"
        );
        let slot = &mut arena.slots[index as usize];
        assert!(!slot.is_occupied(), "slot {index} is occupied");
        slot.version = version;
    }

    #[test]
    fn a_slot_retires_when_its_versions_are_spent() {
        let mut arena = GenArena::new();
        let first = arena.insert("first");
        arena.remove(first);
        age_vacant_slot(&mut arena, first.index, u32::MAX - 3);

        let second_to_last = arena.insert("second to last");
        assert_eq!(second_to_last.version.get(), u32::MAX - 2);
        arena.remove(second_to_last);
        let last = arena.insert("last");
        assert_eq!((last.index(), last.version.get()), (0, u32::MAX));
        assert_eq!(last.generation(), 1 << 31);
        assert_eq!(arena.remove(last), Some("last"));

        // Slot 0 is retired: the next value goes to a new slot, and no
        // handle of slot 0 finds anything again.
        let next = arena.insert("next");
        assert_eq!(next.index(), 1);
        for stale in [first, second_to_last, last] {
            assert_eq!(arena.get(stale), None);
        }
        assert_eq!(arena.slots[0].version, 0);
        assert_eq!(arena.free_head, NIL);

        // Clearing does not bring a retired slot back either.
        arena.clear();
        assert_eq!(arena.insert("after clear").index(), 1);
        assert_eq!(arena.insert("new slot").index(), 2);
        assert_eq!(arena.len(), 2);
    }

    /// An arena holding 0, 10 and 2 in slots 0 to 2, where 10 holds slot 1
    /// at version `u32::MAX`, so removing it retires the slot. Returns the
    /// arena, the handles first given to 0, 1 and 2 (that of 1 is stale),
    /// and the handle of 10.
    fn slot_1_at_its_last_version() -> (GenArena<i32>, Vec<Handle<i32>>, Handle<i32>) {
        let mut arena = GenArena::new();
        let handles: Vec<_> = (0..3).map(|i| arena.insert(i)).collect();
        arena.remove(handles[1]);
        age_vacant_slot(&mut arena, 1, u32::MAX - 1);
        let last = arena.insert(10);
        assert_eq!((last.index(), last.version.get()), (1, u32::MAX));
        (arena, handles, last)
    }

    #[test]
    fn a_retired_slot_between_free_ones_is_skipped() {
        let (mut arena, handles, last) = slot_1_at_its_last_version();
        arena.remove(handles[0]);
        arena.remove(last); // Retires slot 1.
        arena.remove(handles[2]);
        let reused: Vec<u32> = (0..3).map(|i| arena.insert(i).index()).collect();
        assert_eq!(reused, [2, 0, 3]);
    }

    /// Checks invariants 2 to 4 as far as they can be seen: `len` counts
    /// the odd versions, and the free list visits every vacant slot that is
    /// not retired, once each, then ends. Returns the free list.
    fn free_list<T>(arena: &GenArena<T>) -> Vec<u32> {
        let occupied = arena.slots.iter().filter(|s| s.is_occupied()).count();
        assert_eq!(arena.len(), occupied, "invariant 4");
        let mut list = Vec::new();
        let mut next = arena.free_head;
        while next != NIL {
            let slot = &arena.slots[next as usize];
            assert!(
                !slot.is_occupied() && slot.version != 0,
                "slot {next} cannot be free"
            );
            assert!(!list.contains(&next), "slot {next} is listed twice");
            list.push(next);
            // SAFETY: invariant 2 — the version was just checked to be even.
            next = unsafe { slot.content.next_free };
        }
        let vacant = arena
            .slots
            .iter()
            .filter(|s| !s.is_occupied() && s.version != 0)
            .count();
        assert_eq!(list.len(), vacant, "invariant 3");
        list
    }

    #[test]
    fn a_retired_slot_stays_retired_after_a_drain() {
        for from_front in [true, false] {
            let (mut arena, handles, last) = slot_1_at_its_last_version();

            let mut drained: Vec<_> = if from_front {
                arena.drain().collect()
            } else {
                arena.drain().rev().collect()
            };
            if !from_front {
                drained.reverse();
            }
            assert_eq!(drained, [(handles[0], 0), (last, 10), (handles[2], 2)]);
            assert_eq!(arena.slots[1].version, 0);
            assert_eq!(free_list(&arena), [0, 2]);
            let reused: Vec<u32> = (0..3).map(|i| arena.insert(i).index()).collect();
            assert_eq!(reused, [0, 2, 3]);
            assert_eq!(arena.get(last), None);
        }
    }

    #[test]
    fn a_drain_leaves_the_free_list_that_clear_leaves() {
        // Every order of taking from the two ends, then dropping the drain.
        for pattern in 0u32..1 << 6 {
            let mut arena = GenArena::new();
            let handles: Vec<_> = (0..8).map(|i| arena.insert(i)).collect();
            for i in [6, 1, 3] {
                arena.remove(handles[i]);
            }
            let mut cleared = arena.clone();
            cleared.clear();

            let mut drain = arena.drain();
            for step in 0..6 {
                let item = if pattern >> step & 1 == 1 {
                    drain.next()
                } else {
                    drain.next_back()
                };
                assert!(item.is_some() || step == 5);
                free_list(drain.arena);
            }
            drop(drain);
            assert_eq!(free_list(&arena), free_list(&cleared));
            // The drained slots in order, then the list from before the drain.
            assert_eq!(free_list(&arena), [0, 2, 4, 5, 7, 3, 1, 6]);
        }
    }

    #[test]
    fn a_forgotten_drain_leaves_the_invariants_whole() {
        let mut arena = GenArena::new();
        let handles: Vec<_> = (0..6).map(|i| arena.insert(i.to_string())).collect();
        arena.remove(handles[2]);
        let mut drain = arena.drain();
        assert_eq!(drain.next().map(|(h, _)| h), Some(handles[0]));
        assert_eq!(drain.next_back().map(|(h, _)| h), Some(handles[5]));
        mem::forget(drain);
        assert_eq!(free_list(&arena), [0, 5, 2]);
        assert_eq!(arena.len(), 3);
        assert_eq!(arena.insert("new".to_string()).index(), 0);
        free_list(&arena);
    }

    #[test]
    fn no_handle_has_a_vacant_slots_version() {
        let mut arena = GenArena::new();
        let h = arena.insert(7u8);
        arena.remove(h);
        // Slot 0 is vacant at version 2: a handle of version 2 would match
        // it and read the free-list link as a value, so none can be made.
        assert_eq!(arena.slots[0].version, 2);
        assert_eq!(
            Handle::<u8>::from_bits((2 << 32) | u64::from(h.index)),
            None
        );
        let next = arena.insert(8);
        assert_eq!(next.version.get(), 3);
        assert_eq!(Handle::from_bits(next.to_bits()), Some(next));
    }
}
