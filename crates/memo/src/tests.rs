//! Tests of the cache against a reference model and against the `lru` crate,
//! with the internal invariants checked after every operation.

use super::*;
use proptest::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::rc::Rc;

/// Few cases under Miri, where every case is slow.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 8 } else { 512 },
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> LruCache<K, V, S> {
    /// Panics unless the slab, the links and the table agree.
    fn assert_invariants(&self) {
        let n = self.slab.len();
        assert!(n <= self.cap, "length {n} over capacity {}", self.cap);
        assert_eq!(self.table.len(), n, "table and slab lengths differ");
        // Walk the list from the head: every entry once, back links right.
        let mut seen = vec![false; n];
        let mut prev = NIL;
        let mut i = self.head;
        let mut count = 0;
        while i != NIL {
            assert!((i as usize) < n, "link {i} out of the slab");
            assert!(!seen[i as usize], "entry {i} linked twice");
            seen[i as usize] = true;
            assert_eq!(self.slab[i as usize].prev, prev, "bad back link");
            prev = i;
            i = self.slab[i as usize].next;
            count += 1;
        }
        assert_eq!(count, n, "list does not reach every entry");
        assert_eq!(self.tail, prev, "tail is not the last entry");
        // Every entry is found by its key at its own index, and its bucket
        // hint is right.
        for (i, e) in self.slab.iter().enumerate() {
            let hash = self.hash(&e.key);
            assert_eq!(self.find(hash, &e.key), Some(i as u32));
            let hint = e.bucket as usize;
            assert_eq!(self.table.get_bucket(hint), Some(&(i as u32)), "stale hint");
        }
        // The prefetch address of every slot is its real address.
        for bucket in self.table.iter_buckets() {
            if let Some(slot) = self.table.get_bucket(bucket) {
                let address = slot as *const u32 as usize;
                assert_eq!(self.slot_address(bucket), address, "stale slot_end");
            }
        }
        if self.cap > 0 {
            assert!(self.scratch.is_none(), "scratch used with a capacity");
        }
    }
}

#[test]
fn prefetched_group_holds_most_entries() {
    // In a table with room to spare (5,000 entries fill 61% of 8,192
    // buckets), hashbrown puts nearly every entry in the first group it
    // probes for the entry's hash, which is the one `prefetch_home_slots`
    // names. If hashbrown chose its first group differently, few would be.
    let n = if cfg!(miri) { 200 } else { 5_000 };
    let mut cache = LruCache::new(n);
    for k in 0..n as u64 {
        cache.put(k.wrapping_mul(0x9e37_79b9_7f4a_7c15), k);
    }
    let buckets = cache.table.num_buckets();
    let in_group = cache
        .table
        .iter_buckets()
        .filter(|&bucket| {
            let i = *cache.table.get_bucket(bucket).unwrap();
            let home = cache.home_bucket(cache.hash(&cache.slab[i as usize].key));
            bucket.wrapping_sub(home) & (buckets - 1) < GROUP_WIDTH
        })
        .count();
    assert!(
        in_group * 100 >= n * 95,
        "{in_group} of {n} in their first group"
    );
    cache.assert_invariants();
}

/// One operation of a random sequence.
#[derive(Clone, Debug)]
enum Op {
    Get(u8),
    GetMut(u8, u32),
    Peek(u8),
    PeekMut(u8, u32),
    Contains(u8),
    Put(u8, u32),
    Remove(u8),
    RemoveEntry(u8),
    PopLru,
    PeekLru,
    PeekMru,
    Promote(u8),
    Resize(usize),
    Clear,
    GetOrInsert(u8, u32),
    TryGetOrInsert(u8, Result<u32, u8>),
    ResetStats,
    /// Replaces the cache with a clone of itself.
    Clone,
    /// Adds to every value through `iter_mut`, from the front or the back.
    AddToAll(u32, bool),
    /// Keeps the keys whose bit is set in the mask, and adds to the value of
    /// every entry visited.
    Retain(u16, u32),
    /// Moves every entry out with `into_iter`, from the front where the bit
    /// of the step is clear and from the back where it is set, then builds
    /// the cache again from them with `extend`.
    Rebuild(u32),
}

fn op() -> impl Strategy<Value = Op> {
    let key = 0u8..16;
    prop_oneof![
        4 => key.clone().prop_map(Op::Get),
        1 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::GetMut(k, v)),
        1 => key.clone().prop_map(Op::Peek),
        1 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::PeekMut(k, v)),
        1 => key.clone().prop_map(Op::Contains),
        4 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::Put(k, v)),
        1 => key.clone().prop_map(Op::Remove),
        1 => key.clone().prop_map(Op::RemoveEntry),
        1 => Just(Op::PopLru),
        1 => Just(Op::PeekLru),
        1 => Just(Op::PeekMru),
        1 => key.clone().prop_map(Op::Promote),
        1 => (0usize..10).prop_map(Op::Resize),
        1 => Just(Op::Clear),
        2 => (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::GetOrInsert(k, v)),
        2 => (key, prop_oneof![any::<u32>().prop_map(Ok), any::<u8>().prop_map(Err)])
            .prop_map(|(k, r)| Op::TryGetOrInsert(k, r)),
        1 => Just(Op::ResetStats),
        1 => Just(Op::Clone),
        1 => (any::<u32>(), any::<bool>()).prop_map(|(n, rev)| Op::AddToAll(n, rev)),
        1 => (any::<u16>(), any::<u32>()).prop_map(|(mask, n)| Op::Retain(mask, n)),
        1 => any::<u32>().prop_map(Op::Rebuild),
    ]
}

/// The reference: entries in a `Vec`, most recently used first.
struct Model {
    entries: Vec<(u8, u32)>,
    cap: usize,
    stats: CacheStats,
}

impl Model {
    fn position(&self, k: u8) -> Option<usize> {
        self.entries.iter().position(|e| e.0 == k)
    }

    /// Moves entry `i` to the front and returns its new position, 0.
    fn touch(&mut self, i: usize) -> usize {
        let e = self.entries.remove(i);
        self.entries.insert(0, e);
        0
    }

    fn lookup(&mut self, k: u8) -> Option<usize> {
        match self.position(k) {
            Some(i) => {
                self.stats.hits += 1;
                Some(self.touch(i))
            }
            None => {
                self.stats.misses += 1;
                None
            }
        }
    }

    /// Inserts an absent key; returns the evicted entry.
    fn insert_new(&mut self, k: u8, v: u32) -> Option<(u8, u32)> {
        self.stats.insertions += 1;
        let evicted = if self.entries.len() == self.cap {
            self.stats.evictions += 1;
            self.entries.pop()
        } else {
            None
        };
        self.entries.insert(0, (k, v));
        evicted
    }

    fn put(&mut self, k: u8, v: u32) -> Put<u8, u32> {
        if self.cap == 0 {
            return Put::Rejected(k, v);
        }
        match self.position(k) {
            Some(i) => {
                let i = self.touch(i);
                Put::Replaced(std::mem::replace(&mut self.entries[i].1, v))
            }
            None => match self.insert_new(k, v) {
                Some((ek, ev)) => Put::Evicted(ek, ev),
                None => Put::Inserted,
            },
        }
    }

    fn try_get_or_insert(&mut self, k: u8, r: Result<u32, u8>) -> Result<u32, u8> {
        if let Some(i) = self.lookup(k) {
            return Ok(self.entries[i].1);
        }
        let v = r?;
        if self.cap > 0 {
            self.insert_new(k, v);
        }
        Ok(v)
    }
}

/// Runs `ops` on the cache, the model and, while the capacity is not 0, the
/// `lru` crate, and checks that they agree after every step.
fn run(cap: usize, ops: &[Op]) {
    let mut cache: LruCache<u8, u32> = LruCache::new(cap);
    let mut model = Model {
        entries: Vec::new(),
        cap,
        stats: CacheStats::default(),
    };
    let mut peer = NonZeroUsize::new(cap).map(lru::LruCache::new);
    for op in ops {
        match *op {
            Op::Get(k) => {
                let got = cache.get(&k).copied();
                let want = model.lookup(k).map(|i| model.entries[i].1);
                assert_eq!(got, want, "{op:?}");
                if let Some(p) = &mut peer {
                    assert_eq!(p.get(&k).copied(), want, "lru: {op:?}");
                }
            }
            Op::GetMut(k, v) => {
                let got = cache.get_mut(&k).map(|x| std::mem::replace(x, v));
                let want = model
                    .lookup(k)
                    .map(|i| std::mem::replace(&mut model.entries[i].1, v));
                assert_eq!(got, want, "{op:?}");
                if let Some(p) = &mut peer {
                    let got = p.get_mut(&k).map(|x| std::mem::replace(x, v));
                    assert_eq!(got, want, "lru: {op:?}");
                }
            }
            Op::Peek(k) => {
                let want = model.position(k).map(|i| model.entries[i].1);
                assert_eq!(cache.peek(&k).copied(), want, "{op:?}");
                if let Some(p) = &peer {
                    assert_eq!(p.peek(&k).copied(), want, "lru: {op:?}");
                }
            }
            Op::PeekMut(k, v) => {
                let got = cache.peek_mut(&k).map(|x| std::mem::replace(x, v));
                let want = model
                    .position(k)
                    .map(|i| std::mem::replace(&mut model.entries[i].1, v));
                assert_eq!(got, want, "{op:?}");
                if let Some(p) = &mut peer {
                    let got = p.peek_mut(&k).map(|x| std::mem::replace(x, v));
                    assert_eq!(got, want, "lru: {op:?}");
                }
            }
            Op::Contains(k) => {
                let want = model.position(k).is_some();
                assert_eq!(cache.contains(&k), want, "{op:?}");
                if let Some(p) = &peer {
                    assert_eq!(p.contains(&k), want, "lru: {op:?}");
                }
            }
            Op::Put(k, v) => {
                let want = model.put(k, v);
                assert_eq!(cache.put(k, v), want, "{op:?}");
                if let Some(p) = &mut peer {
                    let want = match want {
                        Put::Inserted | Put::Rejected(..) => None,
                        Put::Replaced(old) => Some((k, old)),
                        Put::Evicted(ek, ev) => Some((ek, ev)),
                    };
                    assert_eq!(p.push(k, v), want, "lru: {op:?}");
                }
            }
            Op::Remove(k) | Op::RemoveEntry(k) => {
                let want = model.position(k).map(|i| model.entries.remove(i));
                if matches!(op, Op::Remove(_)) {
                    assert_eq!(cache.remove(&k), want.map(|e| e.1), "{op:?}");
                } else {
                    assert_eq!(cache.remove_entry(&k), want, "{op:?}");
                }
                if let Some(p) = &mut peer {
                    assert_eq!(p.pop_entry(&k), want, "lru: {op:?}");
                }
            }
            Op::PopLru => {
                let want = model.entries.pop();
                assert_eq!(cache.pop_lru(), want, "{op:?}");
                if let Some(p) = &mut peer {
                    assert_eq!(p.pop_lru(), want, "lru: {op:?}");
                }
            }
            Op::PeekLru => {
                let want = model.entries.last().map(|(k, v)| (k, v));
                assert_eq!(cache.peek_lru(), want, "{op:?}");
                if let Some(p) = &peer {
                    assert_eq!(p.peek_lru(), want, "lru: {op:?}");
                }
            }
            Op::PeekMru => {
                let want = model.entries.first().map(|(k, v)| (k, v));
                assert_eq!(cache.peek_mru(), want, "{op:?}");
                if let Some(p) = &peer {
                    assert_eq!(p.peek_mru(), want, "lru: {op:?}");
                }
            }
            Op::Promote(k) => {
                let want = match model.position(k) {
                    Some(i) => {
                        model.touch(i);
                        true
                    }
                    None => false,
                };
                assert_eq!(cache.promote(&k), want, "{op:?}");
                if let Some(p) = &mut peer {
                    assert_eq!(p.promote(&k), want, "lru: {op:?}");
                }
            }
            Op::Resize(n) => {
                while model.entries.len() > n {
                    model.entries.pop();
                    model.stats.evictions += 1;
                }
                model.cap = n;
                cache.resize(n);
                match (&mut peer, NonZeroUsize::new(n)) {
                    (Some(p), Some(n)) => p.resize(n),
                    // `lru` has no capacity 0: it leaves the comparison.
                    _ => peer = None,
                }
            }
            Op::Clear => {
                model.entries.clear();
                cache.clear();
                if let Some(p) = &mut peer {
                    p.clear();
                }
            }
            Op::GetOrInsert(k, v) => {
                let want = model.try_get_or_insert(k, Ok(v));
                assert_eq!(Ok(*cache.get_or_insert_with(k, || v)), want, "{op:?}");
                if let Some(p) = &mut peer {
                    assert_eq!(Ok(*p.get_or_insert(k, || v)), want, "lru: {op:?}");
                }
            }
            Op::TryGetOrInsert(k, r) => {
                let want = model.try_get_or_insert(k, r);
                let got = cache.try_get_or_insert_with(k, || r).copied();
                assert_eq!(got, want, "{op:?}");
                if let Some(p) = &mut peer {
                    let got = p.try_get_or_insert(k, || r).copied();
                    assert_eq!(got, want, "lru: {op:?}");
                }
            }
            Op::ResetStats => {
                model.stats = CacheStats::default();
                cache.reset_stats();
            }
            Op::Clone => {
                // A clone's slab and table need not have the original's spare
                // room, which the cache must not rely on.
                cache = cache.clone();
            }
            Op::AddToAll(n, rev) => {
                let add = |(_, v): (&u8, &mut u32)| *v = v.wrapping_add(n);
                if rev {
                    cache.iter_mut().rev().for_each(add);
                } else {
                    cache.iter_mut().for_each(add);
                }
                for (_, v) in &mut model.entries {
                    *v = v.wrapping_add(n);
                }
                if let Some(p) = &mut peer {
                    p.iter_mut().for_each(|(_, v)| *v = v.wrapping_add(n));
                }
            }
            Op::Retain(mask, n) => {
                let keep = |k: u8| mask & (1 << k) != 0;
                let want_visits: Vec<u8> = model.entries.iter().map(|e| e.0).collect();
                for (_, v) in &mut model.entries {
                    *v = v.wrapping_add(n);
                }
                model.entries.retain(|e| keep(e.0));
                let mut visits = Vec::new();
                cache.retain(|&k, v| {
                    visits.push(k);
                    *v = v.wrapping_add(n);
                    keep(k)
                });
                assert_eq!(visits, want_visits, "{op:?}");
                if let Some(p) = &mut peer {
                    let mut visits = Vec::new();
                    p.retain(|&k, v| {
                        visits.push(k);
                        *v = v.wrapping_add(n);
                        keep(k)
                    });
                    assert_eq!(visits, want_visits, "lru: {op:?}");
                }
                // The table finds every key kept and none of those removed.
                for k in 0..16 {
                    assert_eq!(cache.contains(&k), model.position(k).is_some());
                }
            }
            Op::Rebuild(bits) => {
                let mut iter = std::mem::replace(&mut cache, LruCache::new(0)).into_iter();
                let (mut front, mut back) = (Vec::new(), Vec::new());
                for step in 0.. {
                    assert_eq!(iter.len(), model.entries.len() - step, "{op:?}");
                    let from_back = bits.checked_shr(step as u32).unwrap_or(0) & 1 != 0;
                    let entry = if from_back {
                        iter.next_back()
                    } else {
                        iter.next()
                    };
                    match entry {
                        Some(e) if from_back => back.push(e),
                        Some(e) => front.push(e),
                        None => break,
                    }
                }
                assert_eq!((iter.next(), iter.next_back()), (None, None), "fused");
                front.extend(back.into_iter().rev());
                assert_eq!(front, model.entries, "{op:?}");
                // The new cache has the old capacity, and counts the
                // insertions of `extend`.
                cache = LruCache::new(model.cap);
                cache.extend(front.iter().rev().copied());
                model.stats = CacheStats {
                    insertions: model.entries.len() as u64,
                    ..CacheStats::default()
                };
                if let Some(p) = peer.take() {
                    // `lru`'s iterator yields the least recently used first.
                    let theirs: Vec<(u8, u32)> = p.into_iter().collect();
                    assert!(theirs.iter().eq(model.entries.iter().rev()), "lru: {op:?}");
                    let mut p = lru::LruCache::new(NonZeroUsize::new(model.cap).unwrap());
                    for &(k, v) in &theirs {
                        p.push(k, v);
                    }
                    peer = Some(p);
                }
            }
        }
        cache.assert_invariants();
        assert_eq!(cache.stats(), model.stats, "stats after {op:?}");
        assert_eq!(cache.len(), model.entries.len());
        assert_eq!(cache.capacity(), model.cap);
        let order: Vec<(u8, u32)> = cache.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(order, model.entries, "order after {op:?}");
        let reversed: Vec<(u8, u32)> = cache.iter().rev().map(|(k, v)| (*k, *v)).collect();
        assert!(reversed.iter().eq(model.entries.iter().rev()));
        if let Some(p) = &peer {
            let theirs: Vec<(u8, u32)> = p.iter().map(|(k, v)| (*k, *v)).collect();
            assert_eq!(theirs, model.entries, "lru order after {op:?}");
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn agrees_with_model_and_lru(
        cap in 0usize..8,
        ops in proptest::collection::vec(op(), 0..if cfg!(miri) { 24 } else { 160 }),
    ) {
        run(cap, &ops);
    }
}

#[test]
fn capacity_zero_stores_nothing() {
    let mut cache = LruCache::new(0);
    assert_eq!(cache.put(1, 1), Put::Rejected(1, 1));
    assert_eq!(cache.get(&1), None);
    assert_eq!(*cache.get_or_insert_with(2, || 20), 20);
    assert_eq!(
        cache.try_get_or_insert_with(3, || Err::<i32, _>("no")),
        Err("no")
    );
    assert!(cache.is_empty());
    assert!(cache.iter().next().is_none());
    assert_eq!(cache.pop_lru(), None);
    let s = cache.stats();
    assert_eq!((s.hits, s.misses, s.insertions, s.evictions), (0, 3, 0, 0));
    cache.assert_invariants();
}

/// A clone keeps its table's buckets but allocates only its slab's
/// entries; shrinking it releases the table's too.
#[test]
fn shrinking_a_clone_releases_its_table() {
    let mut cache = LruCache::new(1000);
    for k in 0..1000 {
        cache.put(k, k);
    }
    cache.clear();
    let mut clone = cache.clone();
    assert!(clone.table.capacity() >= 1000);
    clone.resize(10);
    assert!(clone.table.capacity() < 100);
    clone.resize(0);
    assert_eq!(clone.table.capacity(), 0);
    clone.assert_invariants();
}

/// A cache of capacity 0 whose table has room (which `resize` no longer
/// leaves behind, so the test makes it by hand) stores nothing, and
/// `get_or_insert_with` does not take the path of a full cache with room.
#[test]
fn capacity_zero_with_table_room_stores_nothing() {
    let mut clone: LruCache<i32, i32> = LruCache::new(0);
    clone.table = hashbrown::HashTable::with_capacity(4);
    assert!(clone.table.capacity() > 0, "the table has room");
    assert_eq!(*clone.get_or_insert_with(7, || 70), 70);
    assert_eq!(clone.put(8, 80), Put::Rejected(8, 80));
    assert!(clone.is_empty());
    clone.assert_invariants();
}

#[test]
fn huge_capacity_is_clamped_and_allocates_lazily() {
    let mut cache = LruCache::new(usize::MAX);
    assert_eq!(cache.capacity(), MAX_CAPACITY);
    cache.put(1u64, 1u64);
    assert_eq!(cache.get(&1), Some(&1));
    assert!(cache.slab.capacity() < 1024);
}

#[test]
fn full_cache_reuses_its_slab() {
    let mut cache = LruCache::new(100);
    for k in 0..1000u32 {
        cache.put(k, k);
    }
    assert_eq!(cache.slab.capacity(), 100);
    let before = cache.slab.as_ptr();
    let more = if cfg!(miri) { 300 } else { 3000 };
    for k in 1000..1000 + more {
        cache.put(k, k);
    }
    assert_eq!(cache.slab.as_ptr(), before);
    assert_eq!(u64::from(more) + 900, cache.stats().evictions);
    cache.assert_invariants();
}

#[test]
fn iter_is_exact_size_and_meets_in_the_middle() {
    let mut cache = LruCache::new(5);
    for k in 0..5 {
        cache.put(k, ());
    }
    let mut it = cache.iter();
    assert_eq!(it.len(), 5);
    assert_eq!(it.next().map(|e| *e.0), Some(4));
    assert_eq!(it.next_back().map(|e| *e.0), Some(0));
    assert_eq!(it.len(), 3);
    let rest: Vec<i32> = it.map(|e| *e.0).collect();
    assert_eq!(rest, [3, 2, 1]);
}

#[test]
fn borrowed_lookups_find_string_keys() {
    let mut cache: LruCache<String, u32> = LruCache::new(2);
    cache.put("one".to_string(), 1);
    assert_eq!(cache.get("one"), Some(&1));
    assert_eq!(cache.peek("two"), None);
    assert_eq!(cache.remove("one"), Some(1));
}

#[test]
fn clone_is_independent() {
    let mut a = LruCache::new(3);
    a.put(1, "a");
    a.put(2, "b");
    let mut b = a.clone();
    b.put(3, "c");
    b.get(&1);
    assert_eq!(a.iter().map(|e| *e.0).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(b.iter().map(|e| *e.0).collect::<Vec<_>>(), [1, 3, 2]);
    b.assert_invariants();
}

thread_local! {
    /// How many more hashes [`Fuse`] allows before it panics; `None` for no
    /// limit.
    static HASH_BUDGET: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

/// A hasher builder whose hashers panic once [`HASH_BUDGET`] runs out.
#[derive(Clone, Default)]
struct Fuse;

impl BuildHasher for Fuse {
    type Hasher = FuseHasher;

    fn build_hasher(&self) -> FuseHasher {
        FuseHasher(DefaultHashBuilder::default().build_hasher())
    }
}

struct FuseHasher(<DefaultHashBuilder as BuildHasher>::Hasher);

impl std::hash::Hasher for FuseHasher {
    fn finish(&self) -> u64 {
        HASH_BUDGET.with(|budget| match budget.get() {
            Some(0) => panic!("hash budget spent"),
            Some(n) => budget.set(Some(n - 1)),
            None => {}
        });
        self.0.finish()
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }
}

impl<K: Hash + Eq, V, S: BuildHasher> LruCache<K, V, S> {
    /// Panics unless the index invariant and the exact bucket hints hold,
    /// allowing entries that lost their table slot to a panic.
    fn assert_indices(&self) {
        let n = self.slab.len();
        let mut held = vec![false; n];
        for bucket in self.table.iter_buckets() {
            let Some(&i) = self.table.get_bucket(bucket) else {
                continue;
            };
            assert!((i as usize) < n, "table index {i} out of the slab");
            assert!(!held[i as usize], "index {i} in two buckets");
            held[i as usize] = true;
            assert_eq!(self.slab[i as usize].bucket as usize, bucket, "stale hint");
        }
        for (i, e) in self.slab.iter().enumerate() {
            if !held[i] {
                assert_eq!(e.bucket, NIL, "hint of an entry without a slot");
            }
        }
        let (mut count, mut prev, mut i) = (0, NIL, self.head);
        while i != NIL {
            assert!((i as usize) < n && count < n, "bad link {i}");
            assert_eq!(self.slab[i as usize].prev, prev, "bad back link");
            (prev, i) = (i, self.slab[i as usize].next);
            count += 1;
        }
        assert_eq!(
            (count, self.tail),
            (n, prev),
            "list does not cover the slab"
        );
    }
}

#[test]
fn a_hasher_panicking_while_the_table_moves_breaks_no_invariant() {
    let cap = if cfg!(miri) { 24 } else { 100 };
    let mut cache = LruCache::with_hasher(cap, Fuse);
    let (mut panics, mut lost) = (0, 0);
    for k in 0..if cfg!(miri) { 200u32 } else { 5000 } {
        // When the table is out of room, the insertion moves its slots: let
        // the hasher fail part of the way through.
        if cache.table.len() == cache.table.capacity() && !cache.is_empty() {
            HASH_BUDGET.with(|b| b.set(Some(1 + k % cap as u32)));
        }
        let put = panic::catch_unwind(AssertUnwindSafe(|| cache.put(k, k)));
        HASH_BUDGET.with(|b| b.set(None));
        panics += usize::from(put.is_err());
        lost += cache.slab.len() - cache.table.len();
        cache.assert_indices();
        if k % 3 == 0 {
            cache.get(&(k / 2));
            cache.remove(&(k / 3));
            cache.assert_indices();
        }
    }
    assert!(panics > 0 && lost > 0, "{panics} panics, {lost} lost slots");
    // Entries without a slot still leave through eviction and `pop_lru`.
    for k in 10_000..10_000 + 2 * cap as u32 {
        cache.put(k, k);
        cache.assert_indices();
    }
    while cache.pop_lru().is_some() {
        cache.assert_indices();
    }
    assert!(cache.table.is_empty());
}

/// A key or value that records its drop in a shared ledger.
#[derive(Debug)]
struct Tracked {
    id: u32,
    ledger: Rc<RefCell<HashMap<u32, u32>>>,
}

impl Tracked {
    fn new(id: u32, ledger: &Rc<RefCell<HashMap<u32, u32>>>) -> Self {
        assert!(ledger.borrow_mut().insert(id, 0).is_none());
        Tracked {
            id,
            ledger: Rc::clone(ledger),
        }
    }
}

thread_local! {
    /// The id of the [`Tracked`] object whose drop panics, once its drop is
    /// recorded; `None` for none.
    static BOMB: std::cell::Cell<Option<u32>> = const { std::cell::Cell::new(None) };
}

impl Drop for Tracked {
    fn drop(&mut self) {
        *self.ledger.borrow_mut().get_mut(&self.id).unwrap() += 1;
        if BOMB.with(|b| b.get()) == Some(self.id) {
            BOMB.with(|b| b.set(None));
            panic!("dropping {} panics", self.id);
        }
    }
}

/// Panics unless every tracked object was dropped exactly once.
fn assert_all_dropped_once(ledger: &Rc<RefCell<HashMap<u32, u32>>>) {
    for (id, n) in RefCell::borrow(ledger).iter() {
        assert_eq!(*n, 1, "object {id} dropped {n} times");
    }
}

impl PartialEq for Tracked {
    fn eq(&self, other: &Self) -> bool {
        self.id % 64 == other.id % 64
    }
}

impl Eq for Tracked {}

impl Hash for Tracked {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.id % 64).hash(state);
    }
}

/// Drop-accounting operations; keys compare equal modulo 64.
#[derive(Clone, Debug)]
enum DropOp {
    Put(u32),
    GetOrInsert(u32),
    TryGetOrInsertFails(u32),
    Remove(u32),
    PopLru,
    Resize(usize),
    Clear,
    /// Keeps the keys whose bit is set in the mask.
    Retain(u16),
    /// Moves the cache into `into_iter`, takes this many entries from the
    /// front, or the back if the flag is set, drops the iterator and puts
    /// them back.
    IntoIter(usize, bool),
}

fn drop_op() -> impl Strategy<Value = DropOp> {
    prop_oneof![
        4 => (0u32..12).prop_map(DropOp::Put),
        2 => (0u32..12).prop_map(DropOp::GetOrInsert),
        1 => (0u32..12).prop_map(DropOp::TryGetOrInsertFails),
        1 => (0u32..12).prop_map(DropOp::Remove),
        1 => Just(DropOp::PopLru),
        1 => (0usize..6).prop_map(DropOp::Resize),
        1 => Just(DropOp::Clear),
        1 => any::<u16>().prop_map(DropOp::Retain),
        1 => (0usize..7, any::<bool>()).prop_map(|(n, back)| DropOp::IntoIter(n, back)),
    ]
}

/// The number of tracked objects not yet dropped.
fn live(ledger: &Rc<RefCell<HashMap<u32, u32>>>) -> usize {
    RefCell::borrow(ledger)
        .values()
        .filter(|&&n| n == 0)
        .count()
}

fn run_drops(cap: usize, ops: &[DropOp]) {
    let ledger = Rc::new(RefCell::new(HashMap::new()));
    let mut next_id = 0u32;
    // Ids of keys are `64 * n + k` so that equal keys have distinct ids.
    let mut fresh = |k: u32| {
        next_id += 1;
        64 * next_id + k
    };
    let mut cache: LruCache<Tracked, Tracked> = LruCache::new(cap);
    for op in ops {
        match *op {
            DropOp::Put(k) => {
                let key = Tracked::new(fresh(k), &ledger);
                let value = Tracked::new(fresh(k), &ledger);
                drop(cache.put(key, value));
            }
            DropOp::GetOrInsert(k) => {
                let key = Tracked::new(fresh(k), &ledger);
                let value_id = fresh(k);
                let l = Rc::clone(&ledger);
                cache.get_or_insert_with(key, move || Tracked::new(value_id, &l));
            }
            DropOp::TryGetOrInsertFails(k) => {
                let key = Tracked::new(fresh(k), &ledger);
                let l = Rc::clone(&ledger);
                let err_id = fresh(k);
                let r = cache.try_get_or_insert_with(key, move || Err(Tracked::new(err_id, &l)));
                drop(r.map(|_| ()));
            }
            DropOp::Remove(k) => {
                let probe = Tracked::new(fresh(k), &ledger);
                drop(cache.remove_entry(&probe));
            }
            DropOp::PopLru => drop(cache.pop_lru()),
            DropOp::Resize(n) => {
                cache.resize(n);
                assert_eq!(
                    live(&ledger),
                    2 * cache.len() + usize::from(cache.scratch.is_some())
                );
            }
            DropOp::Clear => {
                cache.clear();
                assert_eq!(live(&ledger), 0, "clear left objects alive");
            }
            DropOp::Retain(mask) => {
                cache.retain(|k, v| {
                    assert_eq!(k.id % 64, v.id % 64, "key and value mixed up");
                    mask & (1 << (k.id % 64)) != 0
                });
                assert!(cache.iter().all(|(k, _)| mask & (1 << (k.id % 64)) != 0));
            }
            DropOp::IntoIter(n, back) => {
                let len = cache.len();
                let iter = std::mem::replace(&mut cache, LruCache::new(cap)).into_iter();
                let taken: Vec<(Tracked, Tracked)> = if back {
                    iter.rev().take(n).collect()
                } else {
                    iter.take(n).collect()
                };
                // The iterator is gone, with the entries it did not yield.
                assert_eq!(live(&ledger), 2 * taken.len(), "after {op:?}");
                assert_eq!(taken.len(), n.min(len));
                // Put them back in their old recency order.
                if back {
                    cache.extend(taken);
                } else {
                    cache.extend(taken.into_iter().rev());
                }
            }
        }
        assert_eq!(
            live(&ledger),
            2 * cache.len() + usize::from(cache.scratch.is_some()),
            "after {op:?}"
        );
        cache.assert_invariants();
    }
    drop(cache);
    assert_all_dropped_once(&ledger);
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_key_and_value_is_dropped_once(
        cap in 0usize..6,
        ops in proptest::collection::vec(drop_op(), 0..if cfg!(miri) { 24 } else { 120 }),
    ) {
        run_drops(cap, &ops);
    }
}

#[test]
fn dropping_a_full_cache_drops_every_entry_once() {
    let ledger = Rc::new(RefCell::new(HashMap::new()));
    let mut cache = LruCache::new(8);
    for id in 0..20 {
        cache.put(Tracked::new(id, &ledger), Tracked::new(1000 + id, &ledger));
    }
    assert_eq!(live(&ledger), 16);
    drop(cache);
    assert!(RefCell::borrow(&ledger).values().all(|&n| n == 1));
}

#[test]
fn iter_mut_visits_each_entry_once_from_both_ends() {
    let mut cache = LruCache::new(6);
    for k in 0..8u32 {
        cache.put(k, vec![k]);
    }
    cache.get(&3);
    // Recency, most recent first: 3, 7, 6, 5, 4, 2.
    let mut it = cache.iter_mut();
    assert_eq!(it.len(), 6);
    let (k, first) = it.next().expect("six entries");
    let (j, last) = it.next_back().expect("five left");
    // Both items are alive at once, with the rest of the iteration.
    first.push(100);
    last.push(200);
    let middle: Vec<u32> = it
        .map(|(k, v)| {
            v.push(*k * 10);
            *k
        })
        .collect();
    assert_eq!((*k, *j), (3, 2));
    assert_eq!(middle, [7, 6, 5, 4]);
    let all: Vec<(u32, Vec<u32>)> = cache.iter().map(|(k, v)| (*k, v.clone())).collect();
    assert_eq!(
        all,
        [
            (3, vec![3, 100]),
            (7, vec![7, 70]),
            (6, vec![6, 60]),
            (5, vec![5, 50]),
            (4, vec![4, 40]),
            (2, vec![2, 200]),
        ]
    );
    // Iterating changed no recency and counted nothing.
    assert_eq!(cache.stats().hits, 1);
    cache.assert_invariants();
    let mut empty: LruCache<u32, u32> = LruCache::new(0);
    assert_eq!(empty.iter_mut().next(), None);
}

#[test]
fn retain_keeps_the_right_entries_in_recency_order() {
    let mut cache = LruCache::new(8);
    for k in 0..8u32 {
        cache.put(k, k * 10);
    }
    cache.get(&2);
    cache.get(&5);
    let stats = cache.stats();
    // Recency, most recent first: 5, 2, 7, 6, 4, 3, 1, 0.
    let mut visits = Vec::new();
    cache.retain(|&k, v| {
        visits.push(k);
        *v += 1;
        k % 2 == 0
    });
    assert_eq!(visits, [5, 2, 7, 6, 4, 3, 1, 0]);
    let kept: Vec<(u32, u32)> = cache.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(kept, [(2, 21), (6, 61), (4, 41), (0, 1)]);
    let oldest_first: Vec<u32> = cache.iter().rev().map(|(k, _)| *k).collect();
    assert_eq!(oldest_first, [0, 4, 6, 2]);
    assert_eq!(cache.len(), 4);
    for k in 0..8 {
        let want = (k % 2 == 0).then_some(k * 10 + 1);
        assert_eq!(cache.peek(&k).copied(), want, "key {k}");
        assert_eq!(cache.contains(&k), k % 2 == 0, "key {k}");
    }
    assert_eq!(cache.stats(), stats, "retain counted something");
    cache.assert_invariants();
    // The freed room fills up again, then the least recently used kept
    // entry is the first evicted.
    for k in 8..12 {
        assert_eq!(cache.put(k, k * 10), Put::Inserted);
    }
    assert_eq!(cache.put(12, 120), Put::Evicted(0, 1));
    assert_eq!(cache.put(13, 130), Put::Evicted(4, 41));
    cache.assert_invariants();
    // Removing everything, then nothing from an empty cache.
    cache.retain(|_, _| false);
    assert!(cache.is_empty());
    assert_eq!((cache.peek_lru(), cache.peek_mru()), (None, None));
    cache.retain(|_, _| unreachable!("no entry to visit"));
    cache.assert_invariants();
    cache.put(1, 1);
    assert_eq!(cache.iter().collect::<Vec<_>>(), [(&1, &1)]);
}

/// A cache of `n` tracked entries with keys `0..n`, most recent last, and
/// values with ids 1000 more than their keys'.
fn tracked_cache(n: u32, ledger: &Rc<RefCell<HashMap<u32, u32>>>) -> LruCache<Tracked, Tracked> {
    let mut cache = LruCache::new(n as usize);
    for k in 0..n {
        cache.put(Tracked::new(k, ledger), Tracked::new(1000 + k, ledger));
    }
    cache
}

/// The key ids of a tracked cache, most recent first.
fn tracked_keys(cache: &LruCache<Tracked, Tracked>) -> Vec<u32> {
    cache.iter().map(|(k, _)| k.id).collect()
}

/// Whether the tracked object `id` is dropped.
fn dropped(ledger: &Rc<RefCell<HashMap<u32, u32>>>, id: u32) -> bool {
    RefCell::borrow(ledger)[&id] > 0
}

#[test]
fn retain_drops_each_removed_entry_once() {
    let ledger = Rc::new(RefCell::new(HashMap::new()));
    let mut cache = tracked_cache(10, &ledger);
    cache.retain(|k, _| k.id % 3 == 0);
    assert_eq!(tracked_keys(&cache), [9, 6, 3, 0]);
    for k in 0..10 {
        let gone = k % 3 != 0;
        assert_eq!(dropped(&ledger, k), gone, "key {k}");
        assert_eq!(dropped(&ledger, 1000 + k), gone, "value {k}");
    }
    assert_eq!(live(&ledger), 8);
    cache.assert_invariants();
    drop(cache);
    assert_all_dropped_once(&ledger);
}

#[test]
fn retain_leaves_a_consistent_cache_when_the_predicate_panics() {
    let ledger = Rc::new(RefCell::new(HashMap::new()));
    let mut cache = tracked_cache(10, &ledger);
    let mut calls = 0;
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        cache.retain(|k, _| {
            calls += 1;
            assert!(calls < 5, "the predicate panics");
            k.id % 2 == 0
        })
    }));
    assert!(result.is_err());
    // Keys 9, 7 were removed; 8, 6 kept; 5 was being asked about when the
    // predicate panicked, and 4 down to 0 were not visited: all are kept.
    assert_eq!(tracked_keys(&cache), [8, 6, 5, 4, 3, 2, 1, 0]);
    assert!(dropped(&ledger, 9) && dropped(&ledger, 1007));
    assert_eq!(live(&ledger), 16);
    cache.assert_invariants();
    for k in 0..10 {
        let probe = Tracked::new(64 * 200 + k, &ledger);
        assert_eq!(cache.contains(&probe), k != 9 && k != 7, "key {k}");
    }
    // The cache still works: it fills up and evicts the least recent.
    cache.put(Tracked::new(64 + 20, &ledger), Tracked::new(2020, &ledger));
    cache.put(Tracked::new(64 + 21, &ledger), Tracked::new(2021, &ledger));
    cache.put(Tracked::new(64 + 22, &ledger), Tracked::new(2022, &ledger));
    assert!(dropped(&ledger, 0) && !dropped(&ledger, 1));
    cache.assert_invariants();
    drop(cache);
    assert_all_dropped_once(&ledger);
}

#[test]
fn retain_leaves_a_consistent_cache_when_a_destructor_panics() {
    // First a value's destructor, then a key's.
    for bomb in [1005, 5] {
        let ledger = Rc::new(RefCell::new(HashMap::new()));
        let mut cache = tracked_cache(10, &ledger);
        BOMB.with(|b| b.set(Some(bomb)));
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            cache.retain(|k, _| k.id % 2 == 0);
        }));
        assert!(result.is_err(), "bomb {bomb}");
        assert_eq!(BOMB.with(|b| b.get()), None, "the bomb went off");
        // 9, 7 and 5 were removed, 5 with both its key and its value
        // dropped; 4 down to 0 were not visited.
        assert_eq!(tracked_keys(&cache), [8, 6, 4, 3, 2, 1, 0], "bomb {bomb}");
        assert!(dropped(&ledger, 5) && dropped(&ledger, 1005));
        assert_eq!(live(&ledger), 14);
        cache.assert_invariants();
        // A second retain finishes the job.
        cache.retain(|k, _| k.id % 2 == 0);
        assert_eq!(tracked_keys(&cache), [8, 6, 4, 2, 0]);
        cache.assert_invariants();
        drop(cache);
        assert_all_dropped_once(&ledger);
    }
}

#[test]
fn into_iter_yields_and_drops_each_entry_once() {
    let ledger = Rc::new(RefCell::new(HashMap::new()));
    let mut cache = tracked_cache(6, &ledger);
    cache.get(&Tracked::new(64 * 200 + 2, &ledger));
    // Recency, most recent first: 2, 5, 4, 3, 1, 0.
    let all: Vec<(u32, u32)> = cache.into_iter().map(|(k, v)| (k.id, v.id)).collect();
    assert_eq!(
        all,
        [
            (2, 1002),
            (5, 1005),
            (4, 1004),
            (3, 1003),
            (1, 1001),
            (0, 1000)
        ]
    );
    assert_all_dropped_once(&ledger);

    // Dropped after a few entries from both ends.
    let ledger = Rc::new(RefCell::new(HashMap::new()));
    let mut iter = tracked_cache(6, &ledger).into_iter();
    assert_eq!(iter.len(), 6);
    let (first, last) = (iter.next().unwrap(), iter.next_back().unwrap());
    assert_eq!((first.0.id, last.0.id), (5, 0));
    assert_eq!(iter.len(), 4);
    assert_eq!(live(&ledger), 12, "nothing dropped yet");
    drop(iter);
    assert_eq!(live(&ledger), 4, "only the yielded entries are alive");
    drop((first, last));
    assert_all_dropped_once(&ledger);

    // Dropped at once, and empty caches.
    let ledger = Rc::new(RefCell::new(HashMap::new()));
    drop(tracked_cache(6, &ledger).into_iter());
    assert_all_dropped_once(&ledger);
    let mut empty = LruCache::<u8, u8>::new(0).into_iter();
    assert_eq!(
        (empty.len(), empty.next(), empty.next_back()),
        (0, None, None)
    );
}

#[test]
fn into_iter_dropped_with_a_panicking_destructor_drops_the_rest_once() {
    let ledger = Rc::new(RefCell::new(HashMap::new()));
    let mut iter = tracked_cache(6, &ledger).into_iter();
    let first = iter.next().unwrap();
    BOMB.with(|b| b.set(Some(1003)));
    assert!(panic::catch_unwind(AssertUnwindSafe(|| drop(iter))).is_err());
    assert_eq!(BOMB.with(|b| b.get()), None, "the bomb went off");
    assert_eq!(live(&ledger), 2);
    drop(first);
    assert_all_dropped_once(&ledger);
}

#[test]
fn retain_and_into_iter_handle_entries_without_a_slot() {
    // Make entries lose their table slot to a hasher panicking while the
    // table moves its slots, as in the test above.
    let cap = if cfg!(miri) { 24 } else { 100 };
    let mut cache = LruCache::with_hasher(cap, Fuse);
    let mut k = 0u32;
    while cache.slab.len() == cache.table.len() || cache.len() < cap {
        if cache.table.len() == cache.table.capacity() && !cache.is_empty() {
            HASH_BUDGET.with(|b| b.set(Some(1 + k % cap as u32)));
        }
        let _ = panic::catch_unwind(AssertUnwindSafe(|| cache.put(k, k)));
        HASH_BUDGET.with(|b| b.set(None));
        k += 1;
        assert!(k < 100_000, "no slot was lost");
    }
    cache.assert_indices();
    let before: Vec<u32> = cache.iter().map(|(k, _)| *k).collect();
    cache.retain(|k, _| k % 2 == 0);
    cache.assert_indices();
    let kept: Vec<u32> = cache.iter().map(|(k, _)| *k).collect();
    let want: Vec<u32> = before.iter().copied().filter(|k| k % 2 == 0).collect();
    assert_eq!(kept, want);
    assert!(before.iter().all(|k| k % 2 == 0 || !cache.contains(k)));
    let moved: Vec<u32> = cache.into_iter().map(|(k, _)| k).collect();
    assert_eq!(moved, want);
}
