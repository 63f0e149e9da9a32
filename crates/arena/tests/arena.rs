//! Tests of `Arena`, `Scope`, the arena `Vec` and the `allocator_api2` support.

use std::alloc::Layout;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use arenakit_arena::{AllocErrorKind, Arena, Vec as ArenaVec};

/// Loop counts, kept small under Miri.
const fn scaled(n: u64) -> u64 {
    if cfg!(miri) { n / 10 } else { n }
}

#[test]
fn values_read_back_and_are_aligned() {
    let arena = Arena::new();
    let a = arena.alloc(1u8);
    let b = arena.alloc(0x1122_3344_5566_7788u64);
    let c = arena.alloc([3u16; 5]);
    let d = arena.alloc(0.5f32);
    assert_eq!((*a, *b, *c, *d), (1, 0x1122_3344_5566_7788, [3; 5], 0.5));
    assert_eq!((b as *mut u64).addr() % 8, 0);
    assert_eq!((d as *mut f32).addr() % 4, 0);
}

#[repr(align(4096))]
#[derive(Clone, Copy)]
struct Page([u8; 4096]);

#[repr(align(64))]
struct Empty64;

#[test]
fn large_alignments_and_zero_sized_types() {
    let arena = Arena::new();
    arena.alloc(1u8);
    let page = arena.alloc(Page([9; 4096]));
    assert_eq!((page as *mut Page).addr() % 4096, 0);
    assert!(page.0.iter().all(|&b| b == 9));
    let z = arena.alloc(Empty64);
    assert_eq!((z as *mut Empty64).addr() % 64, 0);
    let units = arena.alloc_slice_fill_iter((0..1000).map(|_| ()));
    assert_eq!(units.len(), 1000);
    for align in [1usize, 2, 8, 256, 4096, 8192, 1 << 16] {
        let p = arena.alloc_layout(Layout::from_size_align(3, align).unwrap());
        assert_eq!(p.as_ptr().addr() % align, 0, "align {align}");
        let z = arena.alloc_layout(Layout::from_size_align(0, align).unwrap());
        assert_eq!(z.as_ptr().addr() % align, 0, "zero-sized, align {align}");
    }
}

#[test]
fn zero_sized_allocations_reserve_nothing() {
    let arena = Arena::new();
    arena.alloc(());
    arena.alloc_slice_copy::<u32>(&[]);
    arena.alloc_layout(Layout::from_size_align(0, 4096).unwrap());
    assert_eq!(arena.stats().reserved_bytes, 0);
}

#[test]
fn memory_never_moves_while_the_arena_grows() {
    let arena = Arena::new();
    let first = arena.alloc_str("first");
    let first_addr = first.as_ptr().addr();
    let mut all = std::vec::Vec::new();
    for i in 0..scaled(20_000) {
        all.push(arena.alloc(i));
    }
    assert!(arena.stats().chunk_count > 1);
    assert_eq!(first.as_ptr().addr(), first_addr);
    assert_eq!(first, "first");
    for (i, x) in all.iter().enumerate() {
        assert_eq!(**x, i as u64);
    }
}

#[test]
fn statistics_track_allocation() {
    let arena = Arena::new();
    assert_eq!(arena.stats(), Default::default());
    // Sized values take multiples of 8 bytes; strings are packed exactly.
    arena.alloc(1u8);
    arena.alloc(2u32);
    arena.alloc_str("ab");
    arena.alloc_str("cde");
    assert_eq!(arena.allocated_bytes(), 8 + 8 + 5);
    let stats = arena.stats();
    assert_eq!(stats.allocated_bytes, 21);
    assert_eq!(stats.chunk_count, 1);
    assert!(stats.reserved_bytes >= 21);
    assert!(stats.overhead_bytes > 0);
    // Filling several chunks keeps the count of allocated bytes exact.
    for _ in 0..scaled(10_000) {
        arena.alloc([0u8; 16]);
    }
    // `[u8; 16]` needs no padding, and a chunk's unused tail is not counted.
    assert!(arena.stats().chunk_count > 1);
    assert_eq!(arena.allocated_bytes() as u64, 21 + 16 * scaled(10_000));
}

#[test]
fn reset_keeps_only_the_largest_chunk() {
    let mut arena = Arena::new();
    for i in 0..scaled(50_000) {
        arena.alloc(i);
    }
    let before = arena.stats();
    assert!(before.chunk_count > 2);
    arena.reset();
    let after = arena.stats();
    assert_eq!(after.chunk_count, 1);
    assert_eq!(after.allocated_bytes, 0);
    assert!(after.reserved_bytes < before.reserved_bytes);
    // A second round of the same size fits in the kept chunk plus at most one more.
    for i in 0..scaled(50_000) {
        arena.alloc(i);
    }
    arena.reset();
    let reserved = arena.stats().reserved_bytes;
    for _ in 0..3 {
        for i in 0..scaled(50_000) {
            arena.alloc(i);
        }
        assert_eq!(arena.stats().chunk_count, 1);
        arena.reset();
        assert_eq!(arena.stats().reserved_bytes, reserved);
    }
}

#[test]
fn allocation_limit_turns_into_errors() {
    let mut arena = Arena::new();
    arena.set_allocation_limit(Some(1000));
    assert!(arena.try_alloc([1u8; 600]).is_ok());
    let err = arena.try_alloc([1u8; 600]).unwrap_err();
    assert_eq!(err.kind(), AllocErrorKind::LimitExceeded { limit: 1000 });
    assert!(arena.try_alloc_str(&"x".repeat(600)).is_err());
    assert!(arena.try_alloc_with(|| [0u64; 100]).is_err());
    assert!(arena.try_alloc_slice_copy(&[0u8; 900]).is_err());
    assert!(
        arena
            .try_alloc_layout(Layout::from_size_align(900, 1).unwrap())
            .is_err()
    );
    // Small requests still fit in what is left.
    assert!(arena.try_alloc(5u8).is_ok());
    assert!(arena.stats().reserved_bytes <= 1000);
}

#[test]
#[should_panic(expected = "arena allocation limit of 64 bytes exceeded")]
fn alloc_past_the_limit_panics_naming_the_limit() {
    let mut arena = Arena::new();
    arena.set_allocation_limit(Some(64));
    arena.alloc([0u8; 65]);
}

#[test]
fn oversized_layouts_are_errors() {
    let mut arena = Arena::new();
    let huge = Layout::from_size_align(isize::MAX as usize - 4095, 4096).unwrap();
    arena.set_allocation_limit(Some(1 << 20));
    assert_eq!(
        arena.try_alloc_layout(huge).unwrap_err().kind(),
        AllocErrorKind::LimitExceeded { limit: 1 << 20 }
    );
    assert_eq!(
        arena
            .try_alloc_slice_fill_with(usize::MAX / 4, |_| 0u32)
            .unwrap_err()
            .kind(),
        AllocErrorKind::LayoutOverflow
    );
    arena.set_allocation_limit(None);
    assert_eq!(
        arena
            .try_alloc_slice_fill_with(usize::MAX, |_| 0u16)
            .unwrap_err()
            .kind(),
        AllocErrorKind::LayoutOverflow
    );
}

#[test]
fn alloc_with_and_slices() {
    let arena = Arena::new();
    let v = arena.alloc_with(|| [1u32, 2, 3]);
    assert_eq!(*v, [1, 2, 3]);
    let s = arena.alloc_slice_clone(&["a", "b"]);
    assert_eq!(s, &["a", "b"]);
    let t = arena.alloc_str("");
    assert_eq!(t, "");
    let xs = arena.alloc_slice_fill_with(4, |i| i as u8);
    assert_eq!(xs, &[0, 1, 2, 3]);
}

/// An iterator that reports more items than it yields.
struct Liar(u32);

impl Iterator for Liar {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.0 < 3 {
            self.0 += 1;
            Some(self.0)
        } else {
            None
        }
    }
}

impl ExactSizeIterator for Liar {
    fn len(&self) -> usize {
        10
    }
}

#[test]
fn fill_iter_trusts_no_iterator() {
    let arena = Arena::new();
    let xs = arena.alloc_slice_fill_iter(Liar(0));
    assert_eq!(xs, &[1, 2, 3]);
}

#[test]
fn fill_iter_may_allocate_in_the_same_arena() {
    let arena = Arena::new();
    let refs = arena.alloc_slice_fill_iter((0..100u32).map(|i| &*arena.alloc(u64::from(i) * 3)));
    for (i, r) in refs.iter().enumerate() {
        assert_eq!(**r, i as u64 * 3);
    }
}

#[test]
fn scopes_release_and_keep_older_allocations() {
    let mut arena = Arena::new();
    let mut scope = arena.scope();
    let outer = scope.alloc_slice_copy(&[7u64; 32]);
    let before = scope.allocated_bytes();
    let mut reserved = None;
    for round in 0..scaled(40) {
        let sum = scope.scoped(|inner| {
            let xs = inner.alloc_slice_fill_with(scaled(2000) as usize, |i| i as u64 + round);
            let nested = inner.scoped(|deeper| *deeper.alloc(round) + 1);
            xs.iter().sum::<u64>() + nested
        });
        let n = scaled(2000);
        assert_eq!(sum, n * round + n * (n - 1) / 2 + round + 1);
        assert_eq!(scope.allocated_bytes(), before);
        assert_eq!(outer, &[7; 32]);
        let now = scope.as_arena().stats().reserved_bytes;
        match reserved {
            None => reserved = Some(now),
            Some(r) => assert_eq!(r, now, "a loop of regions must not grow memory"),
        }
    }
}

#[test]
fn scope_rewinds_on_unwind() {
    let mut arena = Arena::new();
    let mut scope = arena.scope();
    let keep = scope.alloc(11u32);
    let before = scope.allocated_bytes();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        scope.scoped(|inner| {
            inner.alloc_slice_copy(&[0u8; 10_000]);
            panic!("inside the region");
        })
    }));
    assert!(caught.is_err());
    assert_eq!(scope.allocated_bytes(), before);
    assert_eq!(*keep, 11);
    assert_eq!(*scope.alloc(12u32), 12);
}

#[test]
fn as_arena_serves_code_written_against_arena() {
    fn build(arena: &Arena, n: u32) -> &[u32] {
        let mut v = ArenaVec::new_in(arena);
        v.extend(0..n);
        v.into_slice()
    }
    let mut arena = Arena::new();
    let total = arena.scoped(|s| build(s.as_arena(), 10).iter().sum::<u32>());
    assert_eq!(total, 45);
    assert_eq!(arena.allocated_bytes(), 0);
}

#[test]
fn arena_vec_grows_in_place_and_becomes_a_slice() {
    let arena = Arena::new();
    let mut v = ArenaVec::new_in(&arena);
    v.push(0u64);
    let start = v.as_ptr().addr();
    for i in 1..200 {
        v.push(i);
    }
    // The buffer was the last allocation every time, so it grew in place.
    assert_eq!(v.as_ptr().addr(), start);
    assert_eq!(v.pop(), Some(199));
    v.truncate(100);
    let s = v.into_slice();
    assert_eq!(s.len(), 100);
    assert!(s.iter().enumerate().all(|(i, &x)| x == i as u64));
    assert_eq!(arena.allocated_bytes(), 800);
}

/// A way to grow an arena vector (the arena is passed for constructors).
type Grow = fn(&mut ArenaVec<'_, u64>, &Arena);

/// Runs `grow` on a vector in an arena limited to 64 bytes and returns the
/// panic message, or `None` if it did not panic.
fn arena_vec_panic_past_limit(grow: Grow) -> Option<String> {
    let mut arena = Arena::new();
    arena.set_allocation_limit(Some(64));
    let caught = catch_unwind(AssertUnwindSafe(|| {
        let mut v = ArenaVec::new_in(&arena);
        grow(&mut v, &arena);
    }));
    let payload = caught.err()?;
    Some(match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast::<&str>()
            .map_or_else(|_| String::new(), |m| (*m).to_owned()),
    })
}

#[test]
fn arena_vec_growth_past_the_limit_panics_naming_the_limit() {
    let cases: [(&str, Grow); 6] = [
        ("push", |v, _| (0..100).for_each(|i| v.push(i))),
        ("reserve", |v, _| v.reserve(100)),
        ("extend", |v, _| v.extend(0..100)),
        ("extend without a size hint", |v, _| {
            v.extend((0..100).filter(|_| true))
        }),
        ("extend_from_slice", |v, _| v.extend_from_slice(&[7; 100])),
        ("with_capacity_in", |_, arena| {
            ArenaVec::<u64>::with_capacity_in(100, arena);
        }),
    ];
    for (name, grow) in cases {
        let message = arena_vec_panic_past_limit(grow);
        assert_eq!(
            message.as_deref(),
            Some("arena allocation limit of 64 bytes exceeded"),
            "{name}"
        );
    }
    // Within the limit the same calls succeed.
    let mut arena = Arena::new();
    arena.set_allocation_limit(Some(64));
    let v = ArenaVec::from_iter_in(0..8u64, &arena);
    assert_eq!(v.as_slice(), &[0, 1, 2, 3, 4, 5, 6, 7]);
}

#[test]
fn arena_vec_try_reserve_reports_why_and_leaves_the_vector_usable() {
    let mut arena = Arena::new();
    arena.set_allocation_limit(Some(256));
    let mut v = ArenaVec::new_in(&arena);
    v.extend_from_slice(&[1u32, 2, 3]);
    let err = v.try_reserve(1_000).unwrap_err();
    assert_eq!(err.kind(), AllocErrorKind::LimitExceeded { limit: 256 });
    assert_eq!(v.as_slice(), &[1, 2, 3]);
    let err = v.try_reserve(usize::MAX).unwrap_err();
    assert_eq!(err.kind(), AllocErrorKind::LayoutOverflow);
    assert!(v.try_reserve(10).is_ok());
    assert!(v.capacity() >= 13);
    v.push(4);
    assert_eq!(v.into_slice(), &[1, 2, 3, 4]);
}

#[test]
#[should_panic(expected = "arena allocation size overflows")]
fn arena_vec_capacity_overflow_panics() {
    let arena = Arena::new();
    ArenaVec::<u64>::with_capacity_in(usize::MAX / 4, &arena);
}

#[test]
fn arena_vec_of_zero_sized_values_never_allocates() {
    let arena = Arena::new();
    let mut v = ArenaVec::new_in(&arena);
    assert_eq!(v.capacity(), usize::MAX);
    for _ in 0..1000 {
        v.push(());
    }
    v.extend_from_slice(&[(); 24]);
    assert_eq!(v.pop(), Some(()));
    assert_eq!(v.len(), 1023);
    assert_eq!(v.into_slice().len(), 1023);
    assert_eq!(arena.stats().reserved_bytes, 0);
}

#[test]
fn dropped_arena_vec_gives_its_block_back_when_last() {
    let arena = Arena::new();
    let kept = arena.alloc(1u64);
    let mut v = ArenaVec::with_capacity_in(10, &arena);
    v.push(2u64);
    assert_eq!(arena.allocated_bytes(), 8 + 80);
    drop(v);
    assert_eq!(arena.allocated_bytes(), 8);
    // Not the last block: dropping changes nothing.
    let v = ArenaVec::from_iter_in([3u64, 4], &arena);
    let after = arena.alloc(5u64);
    let used = arena.allocated_bytes();
    drop(v);
    assert_eq!(arena.allocated_bytes(), used);
    assert_eq!((*kept, *after), (1, 5));
}

#[test]
fn arena_vec_survives_a_panicking_clone() {
    #[derive(Debug, PartialEq)]
    struct Fragile(u32);
    impl Clone for Fragile {
        fn clone(&self) -> Self {
            assert!(self.0 != 3, "cannot clone 3");
            Fragile(self.0)
        }
    }
    let arena = Arena::new();
    let mut v = ArenaVec::new_in(&arena);
    let caught = catch_unwind(AssertUnwindSafe(|| {
        v.extend_from_slice(&[Fragile(1), Fragile(2), Fragile(3), Fragile(4)]);
    }));
    assert!(caught.is_err());
    // The elements cloned before the panic are kept; nothing half-written is.
    assert_eq!(v.as_slice(), &[Fragile(1), Fragile(2)]);
    v.push(Fragile(5));
    assert_eq!(v.into_slice(), &[Fragile(1), Fragile(2), Fragile(5)]);
}

#[test]
fn arena_vec_moves_when_another_allocation_follows_it() {
    let arena = Arena::new();
    let mut v = ArenaVec::new_in(&arena);
    v.extend_from_slice(&[1u32, 2, 3, 4]);
    let before = v.as_ptr();
    let other = arena.alloc(9u32);
    v.push(5);
    assert_ne!(v.as_ptr(), before);
    assert_eq!(v.as_slice(), &[1, 2, 3, 4, 5]);
    assert_eq!(*other, 9);
}

#[test]
fn allocator_api2_vec_in_the_arena() {
    let arena = Arena::new();
    let mut v: allocator_api2::vec::Vec<String, &Arena> = allocator_api2::vec::Vec::new_in(&arena);
    for i in 0..100 {
        v.push(i.to_string());
    }
    let other = arena.alloc(5u8); // the vector's buffer is no longer last
    for i in 100..300 {
        v.push(i.to_string());
    }
    assert_eq!(*other, 5);
    assert!(v.iter().enumerate().all(|(i, s)| *s == i.to_string()));
    v.shrink_to_fit();
    assert_eq!(v.len(), 300);
    drop(v);
}

#[test]
fn hashbrown_map_in_the_arena() {
    let arena = Arena::new();
    let mut map = hashbrown::HashMap::with_capacity_and_hasher_in(
        0,
        hashbrown::DefaultHashBuilder::default(),
        &arena,
    );
    let n = scaled(1000) as u32;
    for i in 0..n {
        map.insert(i, i * 2);
    }
    for i in 0..n {
        assert_eq!(map.get(&i), Some(&(i * 2)));
    }
    map.retain(|k, _| k % 2 == 0);
    assert_eq!(map.len() as u32, n / 2);
    assert!(arena.allocated_bytes() > n as usize * 8);
}

#[test]
fn deallocating_the_last_block_gives_memory_back() {
    use allocator_api2::alloc::Allocator;
    let arena = Arena::new();
    arena.alloc(1u8);
    let before = arena.allocated_bytes();
    let layout = Layout::from_size_align(100, 8).unwrap();
    let block = (&arena).allocate(layout).unwrap();
    assert!(arena.allocated_bytes() >= before + 100);
    // SAFETY: `block` was allocated by this allocator with `layout`.
    unsafe { (&arena).deallocate(block.cast(), layout) };
    assert_eq!(arena.allocated_bytes(), before);
}

#[test]
fn arena_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let arena = Arena::new();
    arena.alloc(Cell::new(1));
    assert_send(&arena);
    let handle = std::thread::spawn(move || *arena.alloc(2u8) + 1);
    assert_eq!(handle.join().unwrap(), 3);
}

#[test]
fn strings_and_values_share_a_chunk_without_overlap() {
    let arena = Arena::with_capacity(64);
    let a = arena.alloc([1u64; 2]);
    let s = arena.alloc_str("0123456789");
    let b = arena.alloc([2u64; 2]);
    let t = arena.alloc_slice_copy(&[7u32; 3]);
    assert_eq!((*a, *b), ([1; 2], [2; 2]));
    assert_eq!((&*s, &*t), ("0123456789", &[7u32; 3][..]));
    assert_eq!(t.as_ptr().addr() % 4, 0);
    assert_eq!(arena.allocated_bytes(), 16 + 10 + 16 + 12 + 2);
    assert_eq!(arena.stats().chunk_count, 1);
    // Eight bytes are left between the two ends: one more `u64` fits, then
    // the next value spills into a new chunk.
    arena.alloc(3u64);
    assert_eq!(arena.stats().chunk_count, 1);
    arena.alloc(4u64);
    assert_eq!(arena.stats().chunk_count, 2);
}

#[test]
fn impossible_sizes_panic_instead_of_aborting() {
    let message = |payload: Box<dyn std::any::Any + Send>| payload.downcast::<String>().map(|m| *m);
    let caught = catch_unwind(|| Arena::with_capacity(isize::MAX as usize - 14));
    assert_eq!(
        caught.err().map(message).and_then(Result::ok).as_deref(),
        Some("arena allocation size overflows or is not a valid layout")
    );
    let arena = Arena::new();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        arena.alloc_slice_fill_iter(std::iter::repeat_n(0u64, usize::MAX / 4));
    }));
    assert_eq!(
        caught.err().map(message).and_then(Result::ok).as_deref(),
        Some("arena allocation size overflows or is not a valid layout")
    );
    assert_eq!(arena.allocated_bytes(), 0);
}

#[test]
fn with_capacity_reserves_upfront() {
    let arena = Arena::with_capacity(10_000);
    assert_eq!(arena.stats().reserved_bytes, 10_000);
    arena.alloc_slice_copy(&[1u8; 10_000]);
    assert_eq!(arena.stats().chunk_count, 1);
    assert_eq!(Arena::with_capacity(0).stats().chunk_count, 0);
}

#[test]
fn allocator_blocks_grow_and_shrink_in_place_when_last() {
    use allocator_api2::alloc::Allocator;
    let arena = Arena::with_capacity(256);
    let a = &arena;
    let empty = Layout::from_size_align(0, 8).unwrap();
    let big = Layout::from_size_align(32, 8).unwrap();
    let small = Layout::from_size_align(8, 8).unwrap();
    let z = a.allocate(empty).unwrap().cast::<u8>();
    // SAFETY: `z` came from this allocator with `empty`, and `big` is larger.
    let g = unsafe { a.grow(z, empty, big) }.unwrap().cast::<u8>();
    assert_eq!(g.as_ptr().addr(), z.as_ptr().addr(), "grew in place");
    for i in 0..32 {
        // SAFETY: the block is 32 bytes long.
        unsafe { g.add(i).write(i as u8) };
    }
    assert_eq!(arena.allocated_bytes(), 32);
    // SAFETY: `g` is a live block of layout `big`.
    let s = unsafe { a.shrink(g, big, small) }.unwrap().cast::<u8>();
    assert_eq!(s.as_ptr().addr(), g.as_ptr().addr());
    assert_eq!(arena.allocated_bytes(), 8);
    // SAFETY: the first 8 bytes were kept by the shrink.
    assert_eq!(unsafe { s.add(7).read() }, 7);
    // A string in between does not stop the block from growing in place:
    // strings come from the other end of the chunk.
    arena.alloc_str("other end");
    // SAFETY: `s` is a live block of layout `small`.
    let g2 = unsafe { a.grow(s, small, big) }.unwrap().cast::<u8>();
    assert_eq!(g2.as_ptr().addr(), s.as_ptr().addr());
    // SAFETY: growing keeps the contents.
    assert_eq!(unsafe { g2.add(3).read() }, 3);
}

#[test]
fn arena_vec_clones_hashes_and_iterates_as_std_vec_does() {
    use std::hash::BuildHasher;
    let arena = Arena::new();
    let mut v = ArenaVec::new_in(&arena);
    v.extend(&[1u32, 2, 3]);
    let w = v.clone();
    // The clone is a separate block: growing the original leaves it alone.
    v.push(4);
    assert_eq!(w.as_slice(), &[1, 2, 3]);
    assert_eq!(v.as_slice(), &[1, 2, 3, 4]);
    for x in &mut v {
        *x += 1;
    }
    let doubled: std::vec::Vec<u32> = (&v).into_iter().map(|x| x * 2).collect();
    assert_eq!(doubled, [4, 6, 8, 10]);
    let state = std::hash::RandomState::new();
    let std_vec = std::vec::Vec::from([1u32, 2, 3]);
    assert_eq!(state.hash_one(&w), state.hash_one(&std_vec));
    assert_eq!(w.as_ref(), std_vec.as_slice());
}
