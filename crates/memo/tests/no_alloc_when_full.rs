//! Once a cache is full and has settled, inserting new keys allocates
//! nothing: evicted slots are reused in place.
//!
//! This file holds a single test because it counts every allocation made by
//! the process through a global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use arenakit_memo::{LruCache, Put};

/// Counts calls that obtain memory.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments, so
// `System`'s guarantees carry over; the counter has no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn inserting_into_a_settled_full_cache_allocates_nothing() {
    let cap: u64 = if cfg!(miri) { 64 } else { 4096 };
    let mut cache = LruCache::new(cap as usize);
    let mut key = 0u64;
    // Fill, then evict long enough for the table to reach its final size.
    while key < 40 * cap {
        cache.put(key, key);
        key += 1;
    }
    let before = ALLOCATIONS.load(Relaxed);
    let mut evictions = 0;
    while key < 60 * cap {
        if matches!(cache.put(key, key), Put::Evicted(..)) {
            evictions += 1;
        }
        assert!(cache.get(&key).is_some());
        key += 1;
    }
    let after = ALLOCATIONS.load(Relaxed);
    assert_eq!(evictions, 20 * cap);
    assert_eq!(after - before, 0, "allocations while full");
    assert_eq!(cache.len() as u64, cap);
}
