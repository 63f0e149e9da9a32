//! An LRU memo cache whose entries live in one slab.
//!
//! [`LruCache`] keeps every entry in a single `Vec`. Each entry carries the
//! `u32` slab indices of its neighbours in recency order, so the recency list
//! is an intrusive doubly linked list without a heap node per entry. A
//! [`hashbrown::HashTable`] of `u32` slab indices finds an entry by key, so
//! each key is stored exactly once. Once the cache is full, inserting a new
//! key reuses the slot of the least recently used entry: no allocation per
//! insert.
//!
//! The unsafe code reads slab entries without a bounds check, at indices
//! that the cache's own invariants keep in bounds (the *index invariant*,
//! stated in the source beside the cache's fields), and, in large tables,
//! asks the processor to prefetch the table slots a look-up is about to
//! read, a hint that reads nothing itself.
//!
//! ```
//! use arenakit_memo::LruCache;
//!
//! let mut cache = LruCache::new(2);
//! cache.put("a", 1);
//! cache.put("b", 2);
//! assert_eq!(cache.get("a"), Some(&1)); // "a" is now the most recent.
//! cache.put("c", 3); // Evicts "b", the least recently used.
//! assert!(!cache.contains("b"));
//! assert_eq!(cache.stats().evictions, 1);
//! ```
#![deny(unsafe_code)]

use std::borrow::Borrow;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::iter::FusedIterator;
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};

use hashbrown::HashTable;
use hashbrown::hash_table::Entry as Slot;

/// The default hasher of [`LruCache`]: FxHash, fast on integers and short
/// strings.
///
/// FxHash is not resistant to collision attacks. A cache that stores keys
/// chosen by an adversary should be built with [`LruCache::with_hasher`] and a
/// randomly seeded hasher such as [`std::hash::RandomState`].
///
/// ```
/// use arenakit_memo::{DefaultHashBuilder, LruCache};
///
/// let cache: LruCache<u64, u64, DefaultHashBuilder> = LruCache::new(8);
/// assert!(cache.is_empty());
/// ```
pub type DefaultHashBuilder = rustc_hash::FxBuildHasher;

/// The link value that means "no entry".
const NIL: u32 = u32::MAX;

/// The largest capacity a cache can have: slab indices are `u32`, and
/// `u32::MAX` is reserved to mean "no entry".
///
/// ```
/// use arenakit_memo::{LruCache, MAX_CAPACITY};
///
/// let cache: LruCache<u8, u8> = LruCache::new(usize::MAX);
/// assert_eq!(cache.capacity(), MAX_CAPACITY);
/// ```
pub const MAX_CAPACITY: usize = u32::MAX as usize;

/// The fewest table buckets for which a look-up prefetches its slots: 16Ki
/// buckets, 64 KiB of `u32` slots. In smaller tables the slots are likely
/// cached already, and the hint would only cost instructions.
#[cfg_attr(not(all(target_arch = "x86_64", not(miri))), allow(dead_code))]
const PREFETCH_MIN_BUCKETS: usize = 1 << 14;

/// The buckets in a group of hashbrown's probe: a look-up compares 16 control
/// bytes at once, and only then reads the slots of the buckets that match.
#[cfg_attr(not(all(target_arch = "x86_64", not(miri))), allow(dead_code))]
const GROUP_WIDTH: usize = 16;

/// How far below `LruCache::slot_end` the slot of bucket `bucket` starts:
/// hashbrown keeps bucket `b`'s slot `b + 1` slots below its control bytes.
#[inline(always)]
fn slot_offset(bucket: usize) -> usize {
    (bucket + 1) * std::mem::size_of::<u32>()
}

/// The value of `LruCache::slot_end` given the slot of bucket `bucket`.
#[inline]
fn slot_end_from(bucket: usize, slot: &u32) -> usize {
    (slot as *const u32 as usize).wrapping_add(slot_offset(bucket))
}

/// A table bucket index as stored in `Entry::bucket`: [`NIL`] if it does
/// not fit.
#[inline]
fn bucket_hint(bucket: usize) -> u32 {
    u32::try_from(bucket).unwrap_or(NIL)
}

/// The entry at slab index `i`, without a bounds check.
///
/// # Safety
///
/// `i` must be below `slab.len()`.
#[allow(unsafe_code)]
#[inline(always)]
unsafe fn at<K, V>(slab: &[Entry<K, V>], i: u32) -> &Entry<K, V> {
    debug_assert!((i as usize) < slab.len(), "slab index {i} out of bounds");
    // SAFETY: the caller guarantees `i < slab.len()`.
    unsafe { slab.get_unchecked(i as usize) }
}

/// The entry at slab index `i` mutably, without a bounds check.
///
/// # Safety
///
/// `i` must be below `slab.len()`.
#[allow(unsafe_code)]
#[inline(always)]
unsafe fn at_mut<K, V>(slab: &mut [Entry<K, V>], i: u32) -> &mut Entry<K, V> {
    debug_assert!((i as usize) < slab.len(), "slab index {i} out of bounds");
    // SAFETY: the caller guarantees `i < slab.len()`.
    unsafe { slab.get_unchecked_mut(i as usize) }
}

/// One slab slot: a key, its value and the links of the recency list.
#[derive(Clone)]
struct Entry<K, V> {
    key: K,
    value: V,
    /// The next more recently used entry, or [`NIL`] for the head.
    prev: u32,
    /// The next less recently used entry, or [`NIL`] for the tail.
    next: u32,
    /// The table bucket that holds this entry's index, or [`NIL`] if that
    /// does not fit in a `u32`. It is exact: every time the table moves its
    /// slots, even when a hasher panics, the buckets are recorded again. It
    /// saves rehashing the key on eviction and removal.
    bucket: u32,
}

/// Hit, miss, insertion and eviction counters of an [`LruCache`].
///
/// ```
/// use arenakit_memo::{CacheStats, LruCache};
///
/// let mut cache = LruCache::new(1);
/// assert_eq!(cache.get(&1), None);
/// cache.put(1, "one");
/// assert_eq!(cache.get(&1), Some(&"one"));
/// cache.put(2, "two");
/// assert_eq!(
///     cache.stats(),
///     CacheStats { hits: 1, misses: 1, insertions: 2, evictions: 1 }
/// );
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CacheStats {
    /// Look-ups that found their key: [`LruCache::get`], [`LruCache::get_mut`]
    /// and the `get_or_insert` family when the key was present.
    pub hits: u64,
    /// Look-ups that did not find their key, counted by the same methods.
    pub misses: u64,
    /// Keys added to the cache. Replacing the value of a present key is not
    /// an insertion.
    pub insertions: u64,
    /// Entries removed to make room: by an insertion into a full cache or by
    /// [`LruCache::resize`]. Explicit removals are not evictions.
    pub evictions: u64,
}

impl CacheStats {
    /// The share of look-ups that hit, between 0 and 1; 0 when there were
    /// none.
    ///
    /// ```
    /// use arenakit_memo::CacheStats;
    ///
    /// let stats = CacheStats { hits: 3, misses: 1, ..CacheStats::default() };
    /// assert_eq!(stats.hit_rate(), 0.75);
    /// ```
    pub fn hit_rate(&self) -> f64 {
        let total = self.hits + self.misses;
        if total == 0 {
            0.0
        } else {
            self.hits as f64 / total as f64
        }
    }
}

/// What [`LruCache::put`] did with the entry it was given.
///
/// ```
/// use arenakit_memo::{LruCache, Put};
///
/// let mut cache = LruCache::new(1);
/// assert_eq!(cache.put(1, "a"), Put::Inserted);
/// assert_eq!(cache.put(1, "b"), Put::Replaced("a"));
/// assert_eq!(cache.put(2, "c"), Put::Evicted(1, "b"));
///
/// let mut off = LruCache::new(0);
/// assert_eq!(off.put(1, "a"), Put::Rejected(1, "a"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Put<K, V> {
    /// The key was new and there was room: nothing left the cache.
    Inserted,
    /// The key was present: its value was replaced and the old value is
    /// returned. The stored key is kept and the given key is dropped, as
    /// [`std::collections::HashMap::insert`] does.
    Replaced(V),
    /// The key was new and the cache was full: the least recently used entry
    /// was evicted to make room and is returned.
    Evicted(K, V),
    /// The cache has capacity 0 and stores nothing: the given entry is
    /// returned untouched.
    Rejected(K, V),
}

/// A least-recently-used cache with a fixed capacity.
///
/// Entries live in one slab with the recency list's `u32` links embedded in
/// them, and a hash table of slab indices finds them by key. Every operation
/// except [`resize`](Self::resize) and [`clear`](Self::clear) is O(1).
///
/// A capacity of 0 turns the cache off: it stores nothing and every look-up
/// misses. Capacities above [`MAX_CAPACITY`] are clamped to it.
///
/// `S` builds the hasher; the default is [`DefaultHashBuilder`] (FxHash).
/// Look-ups take any borrowed form of the key, as with
/// [`std::collections::HashMap`].
///
/// Memory grows with the entries, never past what the capacity needs. Each
/// entry costs its key and value plus three `u32` (two links and a bucket
/// hint), padded to their alignment, in the slab, and five bytes per bucket
/// (a `u32` slab index and a control byte) in the table. Once the cache is
/// full, inserting reuses the evicted entry's slot. The table may grow once
/// more after many evictions (deleted buckets use up its spare room), to
/// twice the buckets; from then on inserting allocates nothing.
///
/// ```
/// use arenakit_memo::LruCache;
///
/// let mut cache: LruCache<String, usize> = LruCache::new(100);
/// let len = *cache.get_or_insert_with("hello".to_string(), || "hello".len());
/// assert_eq!(len, 5);
/// assert_eq!(cache.get("hello"), Some(&5)); // A `&str` finds a `String` key.
/// ```
//
// The unchecked slab reads rest on the *index invariant*: every index held by
// `table`, `head`, `tail` or an entry's links is below `slab.len()`, except
// `NIL` in a link, `head` or `tail`. Only this module's code changes those
// fields, and no code supplied by the user (a hasher, `Eq`, `Drop`, a
// computation) runs while the invariant is broken.
//
// `IterMut` also rests on the *list invariant*: following `next` from
// `head` visits every slab entry exactly once and ends at `tail`, and
// following `prev` from `tail` visits them in the reverse order, whenever a
// method of the cache returns.
pub struct LruCache<K, V, S = DefaultHashBuilder> {
    /// The entries, in no particular order; `slab.len()` is the cache's length.
    slab: Vec<Entry<K, V>>,
    /// The slab index of every entry, hashed by the entry's key. Each slab
    /// index is held by at most one bucket.
    table: HashTable<u32>,
    /// The most recently used entry, or [`NIL`] when empty.
    head: u32,
    /// The least recently used entry, or [`NIL`] when empty.
    tail: u32,
    /// The most entries the cache holds, at most [`MAX_CAPACITY`].
    cap: usize,
    /// Builds the hasher of keys.
    hash_builder: S,
    /// The counters.
    stats: CacheStats,
    /// With capacity 0, the value last computed by the `get_or_insert`
    /// family, kept only so that a reference to it can be returned.
    scratch: Option<V>,
    /// The address just past bucket 0's slot in `table`'s allocation, or 0
    /// while unknown. hashbrown keeps bucket `b`'s slot `b + 1` slots below
    /// it, so this gives the address of any bucket's slot, to prefetch.
    /// Nothing is ever read through it; if the layout changed, the hints
    /// would only miss.
    slot_end: usize,
}

impl<K: Hash + Eq, V> LruCache<K, V> {
    /// Creates an empty cache that holds at most `capacity` entries, with the
    /// default hasher.
    ///
    /// Memory is allocated as entries arrive, never beyond what `capacity`
    /// entries need. A capacity of 0 makes a cache that stores nothing.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(0);
    /// cache.put(1, 1);
    /// assert_eq!(cache.get(&1), None);
    /// assert_eq!(cache.len(), 0);
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self::with_hasher(capacity, DefaultHashBuilder::default())
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> LruCache<K, V, S> {
    /// Creates an empty cache that holds at most `capacity` entries and
    /// hashes keys with `hash_builder`.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    /// use std::hash::RandomState;
    ///
    /// let mut cache = LruCache::with_hasher(8, RandomState::new());
    /// cache.put("key", "value");
    /// assert_eq!(cache.peek("key"), Some(&"value"));
    /// ```
    pub fn with_hasher(capacity: usize, hash_builder: S) -> Self {
        LruCache {
            slab: Vec::new(),
            table: HashTable::new(),
            head: NIL,
            tail: NIL,
            cap: capacity.min(MAX_CAPACITY),
            hash_builder,
            stats: CacheStats::default(),
            scratch: None,
            slot_end: 0,
        }
    }

    /// Hashes a key, or a borrowed form of one.
    #[inline]
    fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        self.hash_builder.hash_one(key)
    }

    /// Finds the slab index of `key`, whose hash is `hash`.
    #[allow(unsafe_code)]
    #[inline]
    fn find<Q>(&self, hash: u64, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.prefetch_home_slots(hash);
        let slab = &self.slab;
        self.table
            // SAFETY: `i` comes from the table, so it is below `slab.len()`
            // by the index invariant.
            .find(hash, |&i| unsafe { at(slab, i) }.key.borrow() == key)
            .copied()
    }

    /// The address of the table slot of bucket `bucket`, if `slot_end` is
    /// known. Not checked: it is only a hint for the processor.
    #[cfg_attr(not(all(target_arch = "x86_64", not(miri))), allow(dead_code))]
    #[inline(always)]
    fn slot_address(&self, bucket: usize) -> usize {
        self.slot_end.wrapping_sub(slot_offset(bucket))
    }

    /// The first bucket hashbrown probes for `hash`: a look-up compares the
    /// control bytes of this bucket and the next [`GROUP_WIDTH`] - 1.
    #[cfg_attr(not(all(target_arch = "x86_64", not(miri))), allow(dead_code))]
    #[inline(always)]
    fn home_bucket(&self, hash: u64) -> usize {
        hash as usize & (self.table.num_buckets() - 1)
    }

    /// In a large table, asks the processor to start loading the slots of
    /// the first group the look-up of `hash` probes, while the look-up loads
    /// that group's control bytes. A hit then finds its slab index in cache
    /// instead of waiting for a second miss after the first.
    #[allow(unsafe_code)]
    #[inline(always)]
    fn prefetch_home_slots(&self, hash: u64) {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        if self.table.num_buckets() >= PREFETCH_MIN_BUCKETS {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let home = self.home_bucket(hash);
            // The group's 16 slots span at most two cache lines: prefetch
            // its first and its last.
            let first = self.slot_address(home);
            let last = self.slot_address(home + GROUP_WIDTH - 1);
            // SAFETY: a prefetch reads nothing the program can observe and
            // never faults, whatever the address; `_mm_prefetch` needs SSE,
            // which every x86_64 processor has.
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(std::ptr::without_provenance(first));
                _mm_prefetch::<_MM_HINT_T0>(std::ptr::without_provenance(last));
            }
        }
        #[cfg(not(all(target_arch = "x86_64", not(miri))))]
        let _ = hash;
    }

    /// Finds the slab index of `key`.
    #[inline]
    fn index_of<Q>(&self, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.slab.is_empty() {
            return None;
        }
        self.find(self.hash(key), key)
    }

    /// Looks up `key`, counts a hit or a miss, and makes a found entry the
    /// most recently used.
    #[inline]
    fn lookup<Q>(&mut self, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        // An empty table finds nothing, so there is no need to check for one.
        match self.find(self.hash(key), key) {
            Some(i) => {
                self.stats.hits += 1;
                self.touch(i);
                Some(i)
            }
            None => {
                self.stats.misses += 1;
                None
            }
        }
    }

    /// Returns the value of `key` and makes it the most recently used entry,
    /// or `None` if the key is absent. Counts a hit or a miss.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(2);
    /// cache.put(1, "a");
    /// cache.put(2, "b");
    /// assert_eq!(cache.get(&1), Some(&"a"));
    /// cache.put(3, "c"); // 2 is now the least recently used.
    /// assert_eq!(cache.get(&2), None);
    /// ```
    #[allow(unsafe_code)]
    #[inline]
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.lookup(key)?;
        // SAFETY: `i` comes from the table, so it is below `slab.len()` by the
        // index invariant.
        Some(&unsafe { at(&self.slab, i) }.value)
    }

    /// Returns the value of `key` mutably and makes it the most recently used
    /// entry, or `None` if the key is absent. Counts a hit or a miss.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(2);
    /// cache.put("n", 1);
    /// *cache.get_mut("n").unwrap() += 1;
    /// assert_eq!(cache.peek("n"), Some(&2));
    /// ```
    #[allow(unsafe_code)]
    #[inline]
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.lookup(key)?;
        // SAFETY: `i` comes from the table, so it is below `slab.len()` by the
        // index invariant.
        Some(&mut unsafe { at_mut(&mut self.slab, i) }.value)
    }

    /// Returns the value of `key` without changing its recency or the
    /// counters.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(2);
    /// cache.put(1, "a");
    /// cache.put(2, "b");
    /// assert_eq!(cache.peek(&1), Some(&"a"));
    /// cache.put(3, "c"); // 1 is still the least recently used.
    /// assert_eq!(cache.peek(&1), None);
    /// ```
    pub fn peek<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.index_of(key)?;
        Some(&self.slab[i as usize].value)
    }

    /// Returns the value of `key` mutably without changing its recency or the
    /// counters.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(2);
    /// cache.put(1, 10);
    /// if let Some(v) = cache.peek_mut(&1) {
    ///     *v = 11;
    /// }
    /// assert_eq!(cache.peek(&1), Some(&11));
    /// ```
    pub fn peek_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.index_of(key)?;
        Some(&mut self.slab[i as usize].value)
    }

    /// Whether `key` is in the cache, without changing its recency or the
    /// counters.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(2);
    /// cache.put('x', ());
    /// assert!(cache.contains(&'x'));
    /// assert!(!cache.contains(&'y'));
    /// ```
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.index_of(key).is_some()
    }

    /// Inserts `value` under `key` as the most recently used entry.
    ///
    /// Returns what left the cache: the old value if the key was present, the
    /// least recently used entry if the cache was full, or the given entry if
    /// the capacity is 0. See [`Put`].
    ///
    /// ```
    /// use arenakit_memo::{LruCache, Put};
    ///
    /// let mut cache = LruCache::new(2);
    /// assert_eq!(cache.put(1, "a"), Put::Inserted);
    /// assert_eq!(cache.put(2, "b"), Put::Inserted);
    /// assert_eq!(cache.put(1, "A"), Put::Replaced("a"));
    /// assert_eq!(cache.put(3, "c"), Put::Evicted(2, "b"));
    /// ```
    // Always inlined: left to itself the compiler keeps `put` out of line,
    // and with small keys the call and the `Put` returned through memory
    // cost 7% of a get-else-put stream. The slow path stays out of line.
    #[allow(unsafe_code)]
    #[inline(always)]
    pub fn put(&mut self, key: K, value: V) -> Put<K, V> {
        if self.cap == 0 {
            return Put::Rejected(key, value);
        }
        let hash = self.hash(&key);
        if !self.full_with_room() {
            return self.put_slow(hash, key, value);
        }
        // One probe finds the key or the bucket for it, and never calls the
        // hasher, as the table has room.
        let slab = &self.slab;
        let slot = self.table.entry(
            hash,
            // SAFETY: `i` comes from the table, so it is below `slab.len()`
            // by the index invariant.
            |&i| unsafe { at(slab, i) }.key == key,
            |_| unreachable!("the table has room"),
        );
        match slot {
            Slot::Occupied(slot) => {
                let i = *slot.get();
                self.touch(i);
                // SAFETY: `i` comes from the table, so it is below
                // `slab.len()` by the index invariant.
                let old = std::mem::replace(&mut unsafe { at_mut(&mut self.slab, i) }.value, value);
                Put::Replaced(old)
            }
            Slot::Vacant(slot) => {
                // The tail's index goes into the new bucket first, then
                // `reuse_tail` takes it out of its old one.
                let bucket = slot.insert(self.tail).bucket_index();
                let (_, old_key, old_value) = self.reuse_tail(bucket, key, value);
                Put::Evicted(old_key, old_value)
            }
        }
    }

    /// Whether the cache is full, not empty, and its table has room for one
    /// more slot: then a new key is inserted by looking it up with
    /// [`HashTable::entry`], inserting the tail's index in the bucket found,
    /// and [`reuse_tail`](Self::reuse_tail), which needs a tail. The table
    /// cannot move its slots on the way, so the hasher is never called.
    ///
    /// A cache of capacity 0 is "full" while empty, and its table may still
    /// have room (a clone of a cleared cache keeps its table's buckets but
    /// not its slab's, and `resize(0)` then has nothing to shrink), hence
    /// the check for a tail.
    #[inline]
    fn full_with_room(&self) -> bool {
        self.slab.len() >= self.cap && self.tail != NIL && self.table.len() < self.table.capacity()
    }

    /// Reuses the least recently used entry's slot in place for a new key,
    /// after its index was inserted in the table at `bucket`, the new key's
    /// bucket: removes the index from its old bucket, stores the new key and
    /// value, and makes the entry the most recently used. Counts an
    /// insertion and an eviction. Returns the entry's slab index and the
    /// evicted key and value. The caller has checked
    /// [`full_with_room`](Self::full_with_room).
    ///
    /// From the insertion at `bucket` until the old bucket is removed, the
    /// tail's index is held by two buckets; no user code runs in between.
    #[allow(unsafe_code)]
    #[inline]
    fn reuse_tail(&mut self, bucket: usize, key: K, value: V) -> (u32, K, V) {
        let i = self.tail;
        self.unindex_evicted(i);
        // SAFETY: callers check `full_with_room`, so `tail` is not NIL, and
        // it is below `slab.len()` by the index invariant.
        let entry = unsafe { at_mut(&mut self.slab, i) };
        entry.bucket = bucket_hint(bucket);
        let old_key = std::mem::replace(&mut entry.key, key);
        let old_value = std::mem::replace(&mut entry.value, value);
        self.stats.insertions += 1;
        self.stats.evictions += 1;
        self.tail_to_front();
        (i, old_key, old_value)
    }

    /// [`put`](Self::put) while the cache fills up, or when the table has no
    /// room left for a slot: look the key up, then insert it with
    /// [`insert_new`](Self::insert_new), which makes room.
    #[allow(unsafe_code)]
    #[cold]
    #[inline(never)]
    fn put_slow(&mut self, hash: u64, key: K, value: V) -> Put<K, V> {
        if let Some(i) = self.find(hash, &key) {
            self.touch(i);
            // SAFETY: `i` comes from the table, so it is below `slab.len()` by
            // the index invariant.
            let old = std::mem::replace(&mut unsafe { at_mut(&mut self.slab, i) }.value, value);
            return Put::Replaced(old);
        }
        match self.insert_new(hash, key, value) {
            (_, Some((k, v))) => Put::Evicted(k, v),
            (_, None) => Put::Inserted,
        }
    }

    /// Returns the value of `key`, first computing it with `f` and inserting
    /// it if the key is absent, with one hash of the key.
    ///
    /// Counts a hit, or a miss and an insertion (and an eviction if the cache
    /// was full). With capacity 0 the computed value is not cached; it is
    /// held aside only until the next call of this family or
    /// [`clear`](Self::clear), so that a reference can be returned.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(4);
    /// let mut calls = 0;
    /// for _ in 0..3 {
    ///     let v = *cache.get_or_insert_with(10, || {
    ///         calls += 1;
    ///         10 * 10
    ///     });
    ///     assert_eq!(v, 100);
    /// }
    /// assert_eq!(calls, 1);
    /// ```
    pub fn get_or_insert_with<F>(&mut self, key: K, f: F) -> &V
    where
        F: FnOnce() -> V,
    {
        match self.try_get_or_insert_with(key, || Ok::<V, std::convert::Infallible>(f())) {
            Ok(v) => v,
            Err(never) => match never {},
        }
    }

    /// Returns the value of `key`, first computing it with `f` and inserting
    /// it if the key is absent, with one hash of the key.
    ///
    /// Counts like [`get_or_insert_with`](Self::get_or_insert_with).
    ///
    /// # Errors
    ///
    /// If the key is absent and `f` fails, returns `f`'s error: nothing is
    /// cached, and the failed computation counts a miss only.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(4);
    /// let parsed = cache.try_get_or_insert_with("x", || "x".parse::<i32>());
    /// assert!(parsed.is_err());
    /// assert!(!cache.contains("x"));
    /// let parsed = cache.try_get_or_insert_with("7", || "7".parse::<i32>());
    /// assert_eq!(parsed, Ok(&7));
    /// ```
    #[allow(unsafe_code)]
    pub fn try_get_or_insert_with<F, E>(&mut self, key: K, f: F) -> Result<&V, E>
    where
        F: FnOnce() -> Result<V, E>,
    {
        self.scratch = None;
        let hash = self.hash(&key);
        if self.full_with_room() {
            // As in `put`: one probe for the look-up and the insertion.
            let slab = &self.slab;
            let slot = self.table.entry(
                hash,
                // SAFETY: `i` comes from the table, so it is below
                // `slab.len()` by the index invariant.
                |&i| unsafe { at(slab, i) }.key == key,
                |_| unreachable!("the table has room"),
            );
            let i = match slot {
                Slot::Occupied(slot) => {
                    let i = *slot.get();
                    self.stats.hits += 1;
                    self.touch(i);
                    i
                }
                Slot::Vacant(slot) => {
                    self.stats.misses += 1;
                    // Nothing has changed yet if `f` fails or panics.
                    let value = f()?;
                    let bucket = slot.insert(self.tail).bucket_index();
                    self.reuse_tail(bucket, key, value).0
                }
            };
            // SAFETY: `i` comes from the table or is the reused tail, so it is
            // below `slab.len()` by the index invariant.
            return Ok(&unsafe { at(&self.slab, i) }.value);
        }
        if !self.slab.is_empty()
            && let Some(i) = self.find(hash, &key)
        {
            self.stats.hits += 1;
            self.touch(i);
            // SAFETY: `i` comes from the table, so it is below `slab.len()` by
            // the index invariant.
            return Ok(&unsafe { at(&self.slab, i) }.value);
        }
        self.stats.misses += 1;
        let value = f()?;
        if self.cap == 0 {
            return Ok(self.scratch.insert(value));
        }
        let (i, _evicted) = self.insert_new(hash, key, value);
        Ok(&self.slab[i as usize].value)
    }

    /// Inserts an absent key with hash `hash` as the most recently used entry,
    /// evicting the least recently used one if the cache is full. Returns the
    /// new entry's slab index and the evicted entry.
    ///
    /// The capacity must not be 0.
    #[allow(unsafe_code)]
    #[inline]
    fn insert_new(&mut self, hash: u64, key: K, value: V) -> (u32, Option<(K, V)>) {
        debug_assert!(self.cap > 0);
        self.stats.insertions += 1;
        let (i, evicted) = if self.slab.len() >= self.cap {
            // Reuse the least recently used entry's slot in place. The cache
            // is full and its capacity is not 0, so the tail is an entry.
            let i = self.tail;
            self.unindex_evicted(i);
            // SAFETY: the cache is not empty, so `tail` is below `slab.len()`
            // by the index invariant.
            let entry = unsafe { at_mut(&mut self.slab, i) };
            let old_key = std::mem::replace(&mut entry.key, key);
            let old_value = std::mem::replace(&mut entry.value, value);
            self.stats.evictions += 1;
            // The slot stays linked: moving it from the tail to the head is
            // all the list needs.
            self.tail_to_front();
            (i, Some((old_key, old_value)))
        } else {
            (self.push_new(key, value), None)
        };
        if self.table.len() == self.table.capacity() {
            // Grow the table or rehash it in place.
            self.move_slots(|table, hasher| table.reserve(1, hasher));
        }
        // With room in the table, inserting moves no slot and never calls the
        // hasher.
        let slot = self
            .table
            .insert_unique(hash, i, |_| unreachable!("the table has room"));
        let bucket = slot.bucket_index();
        // The table may have been allocated or moved since `slot_end` was
        // last recorded.
        self.slot_end = slot_end_from(bucket, slot.get());
        // SAFETY: `i` is the reused tail or the entry just pushed, so it is
        // below `slab.len()`.
        unsafe { at_mut(&mut self.slab, i) }.bucket = bucket_hint(bucket);
        (i, evicted)
    }

    /// Pushes a new entry at the front of the recency list, with no table
    /// slot yet, and returns its slab index: the cold path of
    /// [`insert_new`](Self::insert_new) while the cache fills up.
    #[cold]
    #[inline(never)]
    fn push_new(&mut self, key: K, value: V) -> u32 {
        let len = self.slab.len();
        if len == self.slab.capacity() {
            // Grow by doubling, but never past the capacity.
            let more = len.max(4).min(self.cap - len);
            self.slab.reserve_exact(more);
        }
        self.slab.push(Entry {
            key,
            value,
            prev: NIL,
            next: NIL,
            bucket: NIL,
        });
        // `len < cap <= MAX_CAPACITY`, so the index fits below `NIL`.
        let i = len as u32;
        self.push_front(i);
        i
    }

    /// Runs `op`, which may move the table's slots, with a hasher of the
    /// indices it holds, then records every entry's bucket again, also if the
    /// hasher panics.
    #[cold]
    #[inline(never)]
    fn move_slots(&mut self, op: impl FnOnce(&mut HashTable<u32>, &dyn Fn(&u32) -> u64)) {
        let (table, slab, hash_builder) = (&mut self.table, &self.slab, &self.hash_builder);
        let hasher = |&j: &u32| hash_builder.hash_one(&slab[j as usize].key);
        let result = panic::catch_unwind(AssertUnwindSafe(|| op(table, &hasher)));
        self.rebuild_buckets();
        if let Err(payload) = result {
            panic::resume_unwind(payload);
        }
    }

    /// Removes the table slot of the least recently used entry, at slab index
    /// `i`, which is about to be reused for a new key.
    ///
    /// The slot is removed at the entry's bucket hint without reading it
    /// back: the hint is exact whenever the entry has a slot. If it has none
    /// (a hasher panicked while the table was moving its slots), the hint is
    /// [`NIL`] or names a bucket of another entry, and removing that one only
    /// makes that entry unfindable: no index ever ends up in two slots.
    #[allow(unsafe_code)]
    #[inline]
    fn unindex_evicted(&mut self, i: u32) {
        // SAFETY: `i` is the tail of a non-empty cache, below `slab.len()` by
        // the index invariant.
        let hint = unsafe { at(&self.slab, i) }.bucket;
        if let Ok(slot) = self.table.get_bucket_entry(hint as usize) {
            debug_assert_eq!(*slot.get(), i, "stale bucket hint");
            slot.remove();
        }
    }

    /// Removes the table slot that holds slab index `i`, if there is one.
    fn unindex(&mut self, i: u32) {
        if let Some(bucket) = self.bucket_of(i)
            && let Ok(slot) = self.table.get_bucket_entry(bucket)
        {
            slot.remove();
        }
    }

    /// Makes the table slot that holds slab index `from` hold `to`, if there
    /// is one.
    fn reindex(&mut self, from: u32, to: u32) {
        if let Some(bucket) = self.bucket_of(from)
            && let Some(slot) = self.table.get_bucket_mut(bucket)
        {
            *slot = to;
        }
    }

    /// The table bucket that holds slab index `i`, or `None` if no bucket
    /// does.
    ///
    /// The answer is certain, whatever the hasher does: removing an entry
    /// relies on it to leave no bucket holding an index past the slab's end.
    #[inline]
    fn bucket_of(&self, i: u32) -> Option<usize> {
        let hint = self.slab[i as usize].bucket as usize;
        if self.table.get_bucket(hint) == Some(&i) {
            Some(hint)
        } else {
            self.bucket_of_slow(i)
        }
    }

    /// The slow path of [`bucket_of`](Self::bucket_of), for an entry whose
    /// bucket does not fit a hint or that has no bucket (after a hasher
    /// panicked): a hash look-up, then a scan of the table.
    #[cold]
    #[inline(never)]
    fn bucket_of_slow(&self, i: u32) -> Option<usize> {
        let hash = self.hash(&self.slab[i as usize].key);
        self.table.find_bucket_index(hash, |&j| j == i).or_else(|| {
            self.table
                .iter_buckets()
                .find(|&b| self.table.get_bucket(b) == Some(&i))
        })
    }

    /// Removes `key` and returns its value, or `None` if it is absent.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(2);
    /// cache.put(1, "a");
    /// assert_eq!(cache.remove(&1), Some("a"));
    /// assert_eq!(cache.remove(&1), None);
    /// ```
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.remove_entry(key).map(|(_, v)| v)
    }

    /// Removes `key` and returns the stored key and its value, or `None` if
    /// it is absent.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(2);
    /// cache.put(String::from("k"), 1);
    /// assert_eq!(cache.remove_entry("k"), Some((String::from("k"), 1)));
    /// ```
    pub fn remove_entry<Q>(&mut self, key: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.slab.is_empty() {
            return None;
        }
        let hash = self.hash(key);
        let slab = &self.slab;
        let slot = self
            .table
            .find_entry(hash, |&i| slab[i as usize].key.borrow() == key)
            .ok()?;
        let (i, _) = slot.remove();
        Some(self.take(i))
    }

    /// Removes the least recently used entry and returns it, or `None` if the
    /// cache is empty.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(3);
    /// cache.put(1, "a");
    /// cache.put(2, "b");
    /// assert_eq!(cache.pop_lru(), Some((1, "a")));
    /// assert_eq!(cache.pop_lru(), Some((2, "b")));
    /// assert_eq!(cache.pop_lru(), None);
    /// ```
    pub fn pop_lru(&mut self) -> Option<(K, V)> {
        if self.tail == NIL {
            return None;
        }
        let i = self.tail;
        self.unindex(i);
        Some(self.take(i))
    }

    /// Keeps only the entries for which `f` returns `true`, and removes the
    /// others as [`remove`](Self::remove) would.
    ///
    /// `f` is called once per entry, from the most to the least recently
    /// used, and may change the value. The entries kept stay in the same
    /// recency order. Nothing is counted: calling `f` is not a look-up, and
    /// removed entries are not evictions, as with `remove`. The memory of
    /// removed entries is kept for later insertions. It takes O(`len`) time.
    ///
    /// If `f` or the destructor of a removed key or value panics, the panic
    /// propagates and the cache stays usable: the entries removed so far are
    /// gone, and every other entry is kept.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(4);
    /// for k in 1..=4 {
    ///     cache.put(k, k * 10);
    /// }
    /// cache.get(&1);
    /// let mut visited = Vec::new();
    /// cache.retain(|&k, v| {
    ///     visited.push(k);
    ///     *v += 1;
    ///     k % 2 == 1
    /// });
    /// assert_eq!(visited, [1, 4, 3, 2]); // Most recently used first.
    /// let kept: Vec<_> = cache.iter().map(|(k, v)| (*k, *v)).collect();
    /// assert_eq!(kept, [(1, 11), (3, 31)]);
    /// assert!(!cache.contains(&4));
    /// assert_eq!(cache.stats().evictions, 0);
    /// ```
    pub fn retain<F>(&mut self, mut f: F)
    where
        F: FnMut(&K, &mut V) -> bool,
    {
        // The walk follows the recency list from the head, one entry at a
        // time, and removes an entry completely before anything else
        // happens. So whenever user code runs (`f`, the hasher that a
        // removal may call when a bucket hint is missing, and the
        // destructors of the removed key and value), the index and list
        // invariants hold: a panic there leaves a consistent cache. Only the
        // link to the next entry is held across a removal, and it is
        // corrected below when the removal moves that entry in the slab.
        let mut i = self.head;
        while i != NIL {
            let e = &mut self.slab[i as usize];
            let next = e.next;
            if f(&e.key, &mut e.value) {
                i = next;
                continue;
            }
            let last = (self.slab.len() - 1) as u32;
            // As in `pop_lru`: the table slot goes first, then `take`
            // relinks the list and moves the last slab entry into slot `i`.
            self.unindex(i);
            let removed = self.take(i);
            // The next entry keeps its place in the list, but if it was the
            // last slab entry, it now lives in slot `i`. If `i` itself was
            // the last, `next` is another entry, which did not move.
            i = if next == last { i } else { next };
            // The entry is out of the table, the list and the slab: its
            // destructors may panic without breaking anything.
            drop(removed);
        }
    }

    /// Moves the entry at slab index `i`, which no table slot holds, out of
    /// the cache, keeping the slab dense.
    ///
    /// The last slab entry moves into slot `i`: its table slot and its
    /// neighbours' links are redirected to `i`.
    fn take(&mut self, i: u32) -> (K, V) {
        // No bucket holds `i` any more, so its hint names none.
        self.slab[i as usize].bucket = NIL;
        let last = (self.slab.len() - 1) as u32;
        if i != last {
            // First, as it may run the hasher: the list is still whole.
            self.reindex(last, i);
        }
        self.unlink(i);
        if i != last {
            let Entry { prev, next, .. } = self.slab[last as usize];
            match prev {
                NIL => self.head = i,
                p => self.slab[p as usize].next = i,
            }
            match next {
                NIL => self.tail = i,
                n => self.slab[n as usize].prev = i,
            }
        }
        let entry = self.slab.swap_remove(i as usize);
        (entry.key, entry.value)
    }

    /// Makes `key` the most recently used entry without counting a look-up.
    /// Returns whether the key was present.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(2);
    /// cache.put(1, "a");
    /// cache.put(2, "b");
    /// assert!(cache.promote(&1));
    /// assert_eq!(cache.peek_lru(), Some((&2, &"b")));
    /// ```
    pub fn promote<Q>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.index_of(key) {
            Some(i) => {
                self.touch(i);
                true
            }
            None => false,
        }
    }

    /// Changes the capacity, evicting least recently used entries until the
    /// cache fits, and releases memory the new capacity no longer needs.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(3);
    /// for k in 0..3 {
    ///     cache.put(k, k);
    /// }
    /// cache.resize(1);
    /// assert_eq!(cache.len(), 1);
    /// assert!(cache.contains(&2));
    /// assert_eq!(cache.stats().evictions, 2);
    /// ```
    pub fn resize(&mut self, capacity: usize) {
        let capacity = capacity.min(MAX_CAPACITY);
        while self.slab.len() > capacity {
            self.pop_lru();
            self.stats.evictions += 1;
        }
        // A lower capacity always shrinks the table too: a clone keeps the
        // table's buckets but allocates only the slab's entries, so the
        // slab's capacity alone does not tell whether the table is too big.
        let shrinking = capacity < self.cap;
        self.cap = capacity;
        self.scratch = None;
        if shrinking || self.slab.capacity() > capacity {
            self.slab.shrink_to(capacity);
            self.move_slots(|table, hasher| table.shrink_to(capacity, hasher));
        }
    }
}

impl<K, V, S> LruCache<K, V, S> {
    /// The number of entries.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(2);
    /// cache.put(1, ());
    /// assert_eq!(cache.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.slab.len()
    }

    /// Whether the cache has no entries.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let cache: LruCache<u8, u8> = LruCache::new(2);
    /// assert!(cache.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.slab.is_empty()
    }

    /// The most entries the cache holds.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let cache: LruCache<u8, u8> = LruCache::new(16);
    /// assert_eq!(cache.capacity(), 16);
    /// ```
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// The counters since the cache was made or the counters were last
    /// [reset](Self::reset_stats).
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache: LruCache<u8, u8> = LruCache::new(2);
    /// cache.get(&0);
    /// assert_eq!(cache.stats().misses, 1);
    /// ```
    pub fn stats(&self) -> CacheStats {
        self.stats
    }

    /// Sets every counter back to 0.
    ///
    /// ```
    /// use arenakit_memo::{CacheStats, LruCache};
    ///
    /// let mut cache: LruCache<u8, u8> = LruCache::new(2);
    /// cache.get(&0);
    /// cache.reset_stats();
    /// assert_eq!(cache.stats(), CacheStats::default());
    /// ```
    pub fn reset_stats(&mut self) {
        self.stats = CacheStats::default();
    }

    /// The hasher builder.
    ///
    /// ```
    /// use arenakit_memo::{DefaultHashBuilder, LruCache};
    ///
    /// let cache: LruCache<u8, u8> = LruCache::new(2);
    /// let _: &DefaultHashBuilder = cache.hasher();
    /// ```
    pub fn hasher(&self) -> &S {
        &self.hash_builder
    }

    /// Removes every entry, keeping the allocated memory and the counters.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(2);
    /// cache.put(1, "a");
    /// cache.clear();
    /// assert!(cache.is_empty());
    /// assert_eq!(cache.get(&1), None);
    /// ```
    pub fn clear(&mut self) {
        // Every index goes before the entries do, as dropping one may panic.
        self.table.clear();
        self.head = NIL;
        self.tail = NIL;
        self.scratch = None;
        self.slab.clear();
    }

    /// The least recently used entry, the next to be evicted, without
    /// changing anything.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(2);
    /// cache.put(1, "a");
    /// cache.put(2, "b");
    /// assert_eq!(cache.peek_lru(), Some((&1, &"a")));
    /// ```
    pub fn peek_lru(&self) -> Option<(&K, &V)> {
        let e = self.slab.get(self.tail as usize)?;
        Some((&e.key, &e.value))
    }

    /// The most recently used entry, without changing anything.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(2);
    /// cache.put(1, "a");
    /// cache.put(2, "b");
    /// assert_eq!(cache.peek_mru(), Some((&2, &"b")));
    /// ```
    pub fn peek_mru(&self) -> Option<(&K, &V)> {
        let e = self.slab.get(self.head as usize)?;
        Some((&e.key, &e.value))
    }

    /// Iterates over the entries from the most to the least recently used,
    /// without changing their recency.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(3);
    /// cache.put(1, 'a');
    /// cache.put(2, 'b');
    /// cache.put(3, 'c');
    /// cache.get(&1);
    /// let keys: Vec<i32> = cache.iter().map(|(k, _)| *k).collect();
    /// assert_eq!(keys, [1, 3, 2]);
    /// ```
    pub fn iter(&self) -> Iter<'_, K, V> {
        Iter {
            slab: &self.slab,
            front: self.head,
            back: self.tail,
            remaining: self.slab.len(),
        }
    }

    /// Iterates over the entries from the most to the least recently used,
    /// with mutable access to the values, without changing their recency.
    ///
    /// ```
    /// use arenakit_memo::LruCache;
    ///
    /// let mut cache = LruCache::new(3);
    /// cache.put("a", 1);
    /// cache.put("b", 2);
    /// for (_, value) in cache.iter_mut() {
    ///     *value *= 10;
    /// }
    /// assert_eq!(cache.peek("a"), Some(&10));
    /// let recency: Vec<_> = cache.iter().map(|(k, v)| (*k, *v)).collect();
    /// assert_eq!(recency, [("b", 20), ("a", 10)]);
    /// ```
    pub fn iter_mut(&mut self) -> IterMut<'_, K, V> {
        IterMut {
            slab: self.slab.as_mut_ptr(),
            len: self.slab.len(),
            front: self.head,
            back: self.tail,
            remaining: self.slab.len(),
            _cache: PhantomData,
        }
    }

    /// Records the table bucket of every slab index, and `slot_end`, after
    /// the table moved its slots. An entry that no bucket holds gets [`NIL`].
    fn rebuild_buckets(&mut self) {
        for e in &mut self.slab {
            e.bucket = NIL;
        }
        self.slot_end = 0;
        for bucket in self.table.iter_buckets() {
            if let Some(slot) = self.table.get_bucket(bucket) {
                self.slot_end = slot_end_from(bucket, slot);
                self.slab[*slot as usize].bucket = bucket_hint(bucket);
            }
        }
    }

    /// Makes the entry at slab index `i` the most recently used.
    #[allow(unsafe_code)]
    #[inline]
    fn touch(&mut self, i: u32) {
        let head = self.head;
        if head == i {
            return;
        }
        // `i` is linked and is not the head, so it has a more recent
        // neighbour and the head is another entry: only `next` can be NIL.
        // SAFETY: `i` is an entry's index, given by the caller from the table
        // or `tail`, so it is below `slab.len()`; so are `prev`, `head` and a
        // `next` other than NIL, by the index invariant, and `prev` and `head`
        // are not NIL because `i` is linked and is not the head.
        unsafe {
            let e = at_mut(&mut self.slab, i);
            let (prev, next) = (e.prev, e.next);
            e.prev = NIL;
            e.next = head;
            at_mut(&mut self.slab, prev).next = next;
            match next {
                NIL => self.tail = prev,
                n => at_mut(&mut self.slab, n).prev = prev,
            }
            at_mut(&mut self.slab, head).prev = i;
        }
        self.head = i;
    }

    /// Makes the least recently used entry the most recently used: the
    /// relinking of [`touch`](Self::touch), knowing that the entry is the
    /// tail. The cache must not be empty.
    #[allow(unsafe_code)]
    #[inline]
    fn tail_to_front(&mut self) {
        let (head, i) = (self.head, self.tail);
        if head == i {
            // The only entry.
            return;
        }
        // SAFETY: the cache is not empty, so `head` and `tail` are entries'
        // indices, below `slab.len()` by the index invariant. The tail is not
        // the head, so it has a more recent neighbour: its `prev` is not NIL
        // and is below `slab.len()` too.
        unsafe {
            let e = at_mut(&mut self.slab, i);
            let prev = e.prev;
            e.prev = NIL;
            e.next = head;
            at_mut(&mut self.slab, prev).next = NIL;
            at_mut(&mut self.slab, head).prev = i;
            self.tail = prev;
        }
        self.head = i;
    }

    /// Takes the entry at slab index `i` out of the recency list.
    #[inline]
    fn unlink(&mut self, i: u32) {
        let Entry { prev, next, .. } = self.slab[i as usize];
        match prev {
            NIL => self.head = next,
            p => self.slab[p as usize].next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => self.slab[n as usize].prev = prev,
        }
    }

    /// Puts the unlinked entry at slab index `i` at the front of the recency
    /// list.
    #[allow(unsafe_code)]
    #[inline]
    fn push_front(&mut self, i: u32) {
        let old_head = self.head;
        // SAFETY: the caller gives the index of an entry, below
        // `slab.len()`; a head other than NIL is below it too, by the index
        // invariant.
        unsafe {
            let e = at_mut(&mut self.slab, i);
            e.prev = NIL;
            e.next = old_head;
            match old_head {
                NIL => self.tail = i,
                h => at_mut(&mut self.slab, h).prev = i,
            }
        }
        self.head = i;
    }
}

impl<K: Clone, V: Clone, S: Clone> Clone for LruCache<K, V, S> {
    fn clone(&self) -> Self {
        let mut clone = LruCache {
            slab: self.slab.clone(),
            table: self.table.clone(),
            head: self.head,
            tail: self.tail,
            cap: self.cap,
            hash_builder: self.hash_builder.clone(),
            stats: self.stats,
            scratch: None,
            slot_end: 0,
        };
        clone.rebuild_buckets();
        clone
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for LruCache<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'a, K, V, S> IntoIterator for &'a LruCache<K, V, S> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Iter<'a, K, V> {
        self.iter()
    }
}

/// Iterates as [`LruCache::iter_mut`] does: from the most to the least
/// recently used, with mutable values.
///
/// ```
/// use arenakit_memo::LruCache;
///
/// let mut cache = LruCache::new(2);
/// cache.put("a", 1);
/// cache.put("b", 2);
/// for (_, value) in &mut cache {
///     *value *= 10;
/// }
/// assert_eq!(cache.peek("a"), Some(&10));
/// assert_eq!(cache.peek("b"), Some(&20));
/// ```
impl<'a, K, V, S> IntoIterator for &'a mut LruCache<K, V, S> {
    type Item = (&'a K, &'a mut V);
    type IntoIter = IterMut<'a, K, V>;

    fn into_iter(self) -> IterMut<'a, K, V> {
        self.iter_mut()
    }
}

/// Moves the entries out of the cache, from the most to the least recently
/// used; `rev()` goes from the least to the most recently used.
///
/// The entries not yielded are dropped with the iterator. The hasher and the
/// counters are dropped when the iterator is made.
///
/// ```
/// use arenakit_memo::LruCache;
///
/// let mut cache = LruCache::new(3);
/// cache.put("a", 1);
/// cache.put("b", 2);
/// cache.put("c", 3);
/// cache.get("a");
/// let entries: Vec<_> = cache.clone().into_iter().collect();
/// assert_eq!(entries, [("a", 1), ("c", 3), ("b", 2)]);
/// let oldest_first: Vec<_> = cache.into_iter().rev().map(|(k, _)| k).collect();
/// assert_eq!(oldest_first, ["b", "c", "a"]);
/// ```
impl<K, V, S> IntoIterator for LruCache<K, V, S> {
    type Item = (K, V);
    type IntoIter = IntoIter<K, V>;

    fn into_iter(self) -> IntoIter<K, V> {
        // The cache has no destructor of its own, so its slab can be moved
        // out; the other fields are dropped when this function returns.
        let LruCache { mut slab, head, .. } = self;
        // Sort the slab into recency order in O(len), in place. The table
        // is gone, so each entry's `bucket` is free to hold its rank: the
        // list invariant makes the ranks a permutation of `0..len`, which
        // fits `u32` as `len <= MAX_CAPACITY`.
        let len = slab.len();
        let (mut i, mut rank) = (head, 0u32);
        while i != NIL && (rank as usize) < len {
            let e = &mut slab[i as usize];
            e.bucket = rank;
            rank += 1;
            i = e.next;
        }
        debug_assert_eq!(rank as usize, len, "the list misses entries");
        // Every swap puts one entry at its rank for good, so there are fewer
        // than `len` swaps in all. No user code runs, and a slot's entry is
        // only ever swapped, never copied: each is dropped once, by the
        // `Vec`, whatever happens.
        for p in 0..len {
            loop {
                let r = slab[p].bucket as usize;
                if r == p {
                    break;
                }
                slab.swap(p, r);
            }
        }
        IntoIter {
            entries: slab.into_iter(),
        }
    }
}

/// Inserts the entries in order, each as [`LruCache::put`] does: the last one
/// ends up the most recently used, a key given twice keeps its last value,
/// and a full cache evicts its least recently used entries to make room.
/// Insertions and evictions are counted as by `put`.
///
/// ```
/// use arenakit_memo::LruCache;
///
/// let mut cache = LruCache::new(3);
/// cache.put(0, 'z');
/// cache.extend([(1, 'a'), (2, 'b'), (1, 'A'), (3, 'c')]);
/// let entries: Vec<_> = cache.iter().map(|(k, v)| (*k, *v)).collect();
/// assert_eq!(entries, [(3, 'c'), (1, 'A'), (2, 'b')]); // 0 was evicted.
/// assert_eq!(cache.stats().evictions, 1);
/// ```
impl<K: Hash + Eq, V, S: BuildHasher> Extend<(K, V)> for LruCache<K, V, S> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.put(key, value);
        }
    }
}

/// An iterator over the entries of an [`LruCache`], from the most to the
/// least recently used; made by [`LruCache::iter`].
///
/// It is double-ended: `rev()` goes from the least to the most recently used.
///
/// ```
/// use arenakit_memo::LruCache;
///
/// let mut cache = LruCache::new(3);
/// cache.put(1, ());
/// cache.put(2, ());
/// let oldest_first: Vec<_> = cache.iter().rev().map(|(k, _)| *k).collect();
/// assert_eq!(oldest_first, [1, 2]);
/// ```
pub struct Iter<'a, K, V> {
    slab: &'a [Entry<K, V>],
    front: u32,
    back: u32,
    remaining: usize,
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        let e = self.slab.get(self.front as usize)?;
        self.remaining -= 1;
        self.front = e.next;
        Some((&e.key, &e.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<K, V> DoubleEndedIterator for Iter<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        let e = self.slab.get(self.back as usize)?;
        self.remaining -= 1;
        self.back = e.prev;
        Some((&e.key, &e.value))
    }
}

impl<K, V> ExactSizeIterator for Iter<'_, K, V> {}

impl<K, V> FusedIterator for Iter<'_, K, V> {}

impl<K, V> Clone for Iter<'_, K, V> {
    fn clone(&self) -> Self {
        Iter { ..*self }
    }
}

/// The entries of an [`LruCache`] from the most to the least recently used,
/// with mutable values; see [`LruCache::iter_mut`].
///
/// ```
/// use arenakit_memo::LruCache;
///
/// let mut cache = LruCache::new(3);
/// for k in 1..=3 {
///     cache.put(k, 0);
/// }
/// let mut iter = cache.iter_mut();
/// *iter.next().unwrap().1 = 3;
/// *iter.next_back().unwrap().1 = 1;
/// assert_eq!(iter.len(), 1);
/// let values: Vec<_> = cache.iter().map(|(_, v)| *v).collect();
/// assert_eq!(values, [3, 0, 1]);
/// ```
//
// Invariants, while the iterator lives:
// 1. `slab` points to the cache's `len` entries, which the iterator borrows
//    mutably for `'a`, so the cache cannot change them.
// 2. The entries not yet yielded are the `remaining` ones of the recency
//    list from `front` to `back`; by the list invariant they are distinct
//    from every entry already yielded, from either end.
pub struct IterMut<'a, K, V> {
    slab: *mut Entry<K, V>,
    len: usize,
    front: u32,
    back: u32,
    remaining: usize,
    _cache: PhantomData<&'a mut Entry<K, V>>,
}

// SAFETY: an `IterMut` is the `&'a mut [Entry<K, V>]` of invariant 1 handed
// out in pieces, so it crosses threads (or is shared) when that `&mut`
// could, with the same bounds.
#[allow(unsafe_code)]
unsafe impl<K: Send, V: Send> Send for IterMut<'_, K, V> {}
// SAFETY: as for `Send`, the bounds of `&mut [Entry<K, V>]`.
#[allow(unsafe_code)]
unsafe impl<K: Sync, V: Sync> Sync for IterMut<'_, K, V> {}

impl<'a, K, V> IterMut<'a, K, V> {
    /// Yields the entry at slab index `i`, the next one at the front
    /// (`forward`) or the back, and moves that end on along its link.
    /// Returns `None` if `i` is out of bounds, which the index invariant
    /// rules out.
    #[allow(unsafe_code)]
    fn take(&mut self, i: u32, forward: bool) -> Option<(&'a K, &'a mut V)> {
        if i as usize >= self.len {
            return None;
        }
        // SAFETY: `i < len`, so the pointer is in the slab (invariant 1), and
        // the entry was not yielded before and is not again, as `remaining`
        // counts it off (invariant 2): the `&mut` is unique for `'a`.
        let e = unsafe { &mut *self.slab.add(i as usize) };
        self.remaining -= 1;
        if forward {
            self.front = e.next;
        } else {
            self.back = e.prev;
        }
        Some((&e.key, &mut e.value))
    }
}

impl<'a, K, V> Iterator for IterMut<'a, K, V> {
    type Item = (&'a K, &'a mut V);

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.take(self.front, true)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<K, V> DoubleEndedIterator for IterMut<'_, K, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.take(self.back, false)
    }
}

impl<K, V> ExactSizeIterator for IterMut<'_, K, V> {}

impl<K, V> FusedIterator for IterMut<'_, K, V> {}

/// Shows how many entries are still to come; the entries themselves may be
/// borrowed mutably by the items already yielded.
impl<K, V> fmt::Debug for IterMut<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IterMut")
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

/// The entries of an [`LruCache`], moved out from the most to the least
/// recently used; made by its [`IntoIterator`] implementation.
///
/// It is double-ended: `next_back` yields the least recently used entry
/// still to come. Dropping the iterator drops the entries not yielded.
///
/// ```
/// use arenakit_memo::LruCache;
///
/// let mut cache = LruCache::new(4);
/// for k in 1..=4 {
///     cache.put(k, k.to_string());
/// }
/// let mut iter = cache.into_iter();
/// assert_eq!(iter.next(), Some((4, "4".to_string())));
/// assert_eq!(iter.next_back(), Some((1, "1".to_string())));
/// assert_eq!(iter.len(), 2);
/// assert_eq!(format!("{iter:?}"), r#"IntoIter([(3, "3"), (2, "2")])"#);
/// ```
//
// The slab was sorted into recency order when the iterator was made, so
// `std`'s iterator over it does the rest, and its drop drops each entry not
// yielded once.
pub struct IntoIter<K, V> {
    entries: std::vec::IntoIter<Entry<K, V>>,
}

impl<K, V> Iterator for IntoIter<K, V> {
    type Item = (K, V);

    fn next(&mut self) -> Option<(K, V)> {
        self.entries.next().map(|e| (e.key, e.value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl<K, V> DoubleEndedIterator for IntoIter<K, V> {
    fn next_back(&mut self) -> Option<(K, V)> {
        self.entries.next_back().map(|e| (e.key, e.value))
    }
}

impl<K, V> ExactSizeIterator for IntoIter<K, V> {}

impl<K, V> FusedIterator for IntoIter<K, V> {}

/// Lists the entries still to come, most recently used first.
///
/// ```
/// use arenakit_memo::LruCache;
///
/// let mut cache = LruCache::new(2);
/// cache.put('a', 1);
/// cache.put('b', 2);
/// assert_eq!(format!("{:?}", cache.into_iter()), "IntoIter([('b', 2), ('a', 1)])");
/// ```
impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for IntoIter<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = self.entries.as_slice().iter();
        f.debug_tuple("IntoIter")
            .field(&DebugList(entries.map(|e| (&e.key, &e.value))))
            .finish()
    }
}

/// Lists the entries still to come, most recently used first.
///
/// ```
/// use arenakit_memo::LruCache;
///
/// let mut cache = LruCache::new(2);
/// cache.put("a", 1);
/// cache.put("b", 2);
/// let mut iter = cache.iter();
/// iter.next();
/// assert_eq!(format!("{iter:?}"), r#"Iter([("a", 1)])"#);
/// ```
impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Iter<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Iter")
            .field(&DebugList(self.clone()))
            .finish()
    }
}

/// Formats an iterator's items as a list.
struct DebugList<I>(I);

impl<I: Iterator<Item = T> + Clone, T: fmt::Debug> fmt::Debug for DebugList<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.clone()).finish()
    }
}

#[cfg(test)]
mod tests;
