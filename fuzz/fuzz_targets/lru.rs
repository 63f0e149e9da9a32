//! Arbitrary operation sequences on `LruCache`, `retain`, `iter_mut` and an
//! owning `into_iter` among them, against a model: a `Vec` of
//! entries kept in recency order, most recent first.
#![no_main]

use arbitrary::Arbitrary;
use arenakit::memo::{LruCache, Put};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    Get(u8),
    Peek(u8),
    Put(u8, u16),
    Remove(u8),
    PopLru,
    Promote(u8),
    Resize(u8),
    Clear,
    /// Keeps the keys whose bit (key mod 32) is set.
    Retain(u32),
    /// Adds to every value through `iter_mut`.
    AddToAll(u16),
    /// Moves the entries out with `into_iter`, then puts them back.
    Rebuild,
}

#[derive(Arbitrary, Debug)]
struct Input {
    capacity: u8,
    ops: Vec<Op>,
}

/// The model: entries in recency order, most recent first.
struct Model {
    capacity: usize,
    entries: Vec<(u8, u16)>,
}

impl Model {
    fn position(&self, key: u8) -> Option<usize> {
        self.entries.iter().position(|&(k, _)| k == key)
    }

    fn touch(&mut self, at: usize) -> u16 {
        let entry = self.entries.remove(at);
        self.entries.insert(0, entry);
        entry.1
    }
}

fuzz_target!(|input: Input| {
    let capacity = usize::from(input.capacity % 32);
    let mut cache = LruCache::new(capacity);
    let mut model = Model {
        capacity,
        entries: Vec::new(),
    };
    for op in input.ops {
        match op {
            Op::Get(k) => {
                let expected = model.position(k).map(|at| model.touch(at));
                assert_eq!(cache.get(&k).copied(), expected);
            }
            Op::Peek(k) => {
                let expected = model.position(k).map(|at| model.entries[at].1);
                assert_eq!(cache.peek(&k).copied(), expected);
            }
            Op::Put(k, v) => {
                let expected = if model.capacity == 0 {
                    Put::Rejected(k, v)
                } else if let Some(at) = model.position(k) {
                    let old = model.touch(at);
                    model.entries[0].1 = v;
                    Put::Replaced(old)
                } else if model.entries.len() == model.capacity {
                    let (ek, ev) = model.entries.pop().expect("full and non-empty");
                    model.entries.insert(0, (k, v));
                    Put::Evicted(ek, ev)
                } else {
                    model.entries.insert(0, (k, v));
                    Put::Inserted
                };
                assert_eq!(cache.put(k, v), expected);
            }
            Op::Remove(k) => {
                let expected = model.position(k).map(|at| model.entries.remove(at).1);
                assert_eq!(cache.remove(&k), expected);
            }
            Op::PopLru => assert_eq!(cache.pop_lru(), model.entries.pop()),
            Op::Promote(k) => {
                let expected = model.position(k).map(|at| model.touch(at)).is_some();
                assert_eq!(cache.promote(&k), expected);
            }
            Op::Resize(c) => {
                let c = usize::from(c % 32);
                model.capacity = c;
                model.entries.truncate(c);
                cache.resize(c);
            }
            Op::Clear => {
                model.entries.clear();
                cache.clear();
            }
            Op::Retain(mask) => {
                let keep = |k: u8| mask & (1 << (k % 32)) != 0;
                let expected: Vec<u8> = model.entries.iter().map(|&(k, _)| k).collect();
                model.entries.retain(|&(k, _)| keep(k));
                let mut visited = Vec::new();
                cache.retain(|&k, _| {
                    visited.push(k);
                    keep(k)
                });
                assert_eq!(visited, expected);
            }
            Op::AddToAll(n) => {
                for (_, v) in &mut model.entries {
                    *v = v.wrapping_add(n);
                }
                for (_, v) in &mut cache {
                    *v = v.wrapping_add(n);
                }
            }
            Op::Rebuild => {
                let entries: Vec<(u8, u16)> = std::mem::replace(&mut cache, LruCache::new(0))
                    .into_iter()
                    .collect();
                assert_eq!(entries, model.entries);
                cache = LruCache::new(model.capacity);
                cache.extend(entries.into_iter().rev());
            }
        }
        assert_eq!(cache.len(), model.entries.len());
        let order: Vec<(u8, u16)> = cache.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(order, model.entries);
    }
});
