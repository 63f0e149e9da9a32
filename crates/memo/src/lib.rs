//! PLACEHOLDER (replaced by the real intrusive LRU). Signatures are the contract.
#![allow(missing_docs)]
use std::borrow::Borrow;
use std::hash::Hash;
pub struct LruCache<K, V> {
    cap: usize,
    entries: Vec<(K, V)>,
    pub hits: u64,
    pub misses: u64,
    pub evictions: u64,
}
impl<K: Hash + Eq, V> LruCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        LruCache {
            cap: capacity,
            entries: Vec::new(),
            hits: 0,
            misses: 0,
            evictions: 0,
        }
    }
    pub fn get<Q: ?Sized + Hash + Eq>(&mut self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        match self.entries.iter().position(|(k, _)| k.borrow() == key) {
            Some(i) => {
                self.hits += 1;
                let e = self.entries.remove(i);
                self.entries.push(e);
                self.entries.last().map(|(_, v)| v)
            }
            None => {
                self.misses += 1;
                None
            }
        }
    }
    pub fn put(&mut self, key: K, value: V) -> Option<(K, V)> {
        if self.cap == 0 {
            return Some((key, value));
        }
        let old = match self.entries.iter().position(|(k, _)| *k == key) {
            Some(i) => Some(self.entries.remove(i)),
            None if self.entries.len() == self.cap => {
                self.evictions += 1;
                Some(self.entries.remove(0))
            }
            None => None,
        };
        self.entries.push((key, value));
        old
    }
    pub fn clear(&mut self) {
        self.entries.clear();
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn capacity(&self) -> usize {
        self.cap
    }
}
