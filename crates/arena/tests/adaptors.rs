//! Tests of the allocator adaptors: `Counting`, `Logging`, `Fallback`,
//! `Null` and the `Owns` impls.

use std::alloc::Layout;
use std::cell::RefCell;
use std::ptr::NonNull;

use allocator_api2::alloc::{Allocator, Global};
use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;
use arenakit_arena::{AllocEvent, AllocStats, Arena, Counting, Fallback, Logging, Null, Owns};
use proptest::prelude::*;

mod common;

/// An arena that refuses to reserve more than `limit` bytes.
fn limited(limit: usize) -> Arena {
    let mut arena = Arena::new();
    arena.set_allocation_limit(Some(limit));
    arena
}

/// The first byte of a block.
fn start(block: NonNull<[u8]>) -> NonNull<u8> {
    block.cast()
}

// ----- Counting -----

#[test]
fn counting_follows_a_vec_through_pushes_shrink_and_drop() {
    let counting = Counting::new(Global);
    let mut v: Vec<u64, _> = Vec::new_in(&counting);
    assert_eq!(counting.stats(), AllocStats::default());
    for i in 0..9 {
        v.push(i);
    }
    // Capacity 4 (allocated), then 8 and 16 (grown).
    assert_eq!(v.capacity(), 16);
    let stats = counting.stats();
    assert_eq!(
        (
            stats.allocations,
            stats.grows,
            stats.shrinks,
            stats.deallocations
        ),
        (1, 2, 0, 0)
    );
    assert_eq!(stats.live_bytes, 16 * 8);
    assert_eq!(stats.peak_live_bytes, 16 * 8);
    assert_eq!(stats.total_bytes, 16 * 8);

    v.shrink_to_fit();
    let stats = counting.stats();
    assert_eq!(stats.shrinks, 1);
    assert_eq!(stats.live_bytes, 9 * 8);
    assert_eq!(stats.peak_live_bytes, 16 * 8);

    drop(v);
    let stats = counting.stats();
    assert_eq!(stats.deallocations, 1);
    assert_eq!(stats.live_bytes, 0);
    assert_eq!(stats.peak_live_bytes, 16 * 8);
    assert_eq!(stats.total_bytes, 16 * 8);
    assert_eq!(stats.failures, 0);
}

#[test]
fn counting_sees_a_hashbrown_map_resize_and_free_its_tables() {
    let counting = Counting::new(Global);
    let mut map = hashbrown::HashMap::new_in(&counting);
    assert_eq!(counting.stats().allocations, 0);
    map.insert(0u32, 0u64);
    assert_eq!(counting.stats().allocations, 1);
    let n = if cfg!(miri) { 50 } else { 1000 };
    for i in 1..n {
        map.insert(i, u64::from(i) * 3);
    }
    let stats = counting.stats();
    assert!(stats.allocations > 1, "{stats:?}");
    // Each resize allocates a new table and frees the old one.
    assert_eq!(stats.deallocations, stats.allocations - 1);
    assert!(stats.live_bytes >= n as usize * 12);
    assert!(stats.peak_live_bytes > stats.live_bytes);
    assert!((0..n).all(|i| map[&i] == u64::from(i) * 3));
    drop(map);
    let stats = counting.stats();
    assert_eq!(stats.deallocations, stats.allocations);
    assert_eq!(stats.live_bytes, 0);
}

#[test]
fn counting_counts_failures_and_reset_keeps_live_bytes() {
    let arena = limited(64);
    let counting = Counting::new(&arena);
    let mut v: Vec<u8, _> = Vec::new_in(&counting);
    v.extend_from_slice(&[1; 40]);
    assert!(v.try_reserve(1000).is_err());
    let stats = counting.stats();
    assert_eq!(stats.failures, 1);
    assert_eq!(stats.live_bytes, v.capacity());
    counting.reset_stats();
    let stats = counting.stats();
    assert_eq!(
        (
            stats.allocations,
            stats.grows,
            stats.failures,
            stats.total_bytes
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(stats.live_bytes, v.capacity());
    assert_eq!(stats.peak_live_bytes, v.capacity());
    drop(v);
    assert_eq!(counting.stats().live_bytes, 0);
    assert!(std::ptr::eq(*counting.inner(), &arena));
    assert!(std::ptr::eq(counting.into_inner(), &arena));
}

// ----- Logging -----

#[test]
fn logging_reports_each_call_in_order() {
    let events = RefCell::new(std::vec::Vec::new());
    let logging = Logging::new(Global, |event: &AllocEvent| {
        events.borrow_mut().push(*event)
    });
    let mut v: Vec<u16, _> = Vec::new_in(&logging);
    for x in 1..=5 {
        v.push(x);
    }
    v.shrink_to_fit();
    drop(v);

    let events = events.into_inner();
    let lines: std::vec::Vec<String> = events.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "allocate 8 bytes (align 2): ok",
            "grow 8 -> 16 bytes (align 2): ok",
            "shrink 16 -> 10 bytes (align 2): ok",
            "deallocate 10 bytes (align 2)",
        ]
    );
    // Each call is given the block the one before returned.
    let [
        AllocEvent::Allocate {
            result: Ok(first), ..
        },
        AllocEvent::Grow {
            ptr: grown_from,
            result: Ok(grown),
            zeroed: false,
            ..
        },
        AllocEvent::Shrink {
            ptr: shrunk_from,
            result: Ok(shrunk),
            ..
        },
        AllocEvent::Deallocate { ptr: freed, .. },
    ] = events[..]
    else {
        panic!("unexpected events: {events:?}");
    };
    assert_eq!(grown_from, start(first));
    assert_eq!(shrunk_from, start(grown));
    assert_eq!(freed, start(shrunk));
    assert!(events.iter().all(|e| !e.is_failure()));
}

#[test]
fn logging_reports_failures_and_zeroed_calls() {
    let lines = RefCell::new(std::vec::Vec::new());
    let log = |event: &AllocEvent| lines.borrow_mut().push(event.to_string());

    let null = Logging::new(Null, log);
    let mut v: Vec<u8, _> = Vec::new_in(&null);
    assert!(v.try_reserve(1).is_err());
    drop(v);
    assert_eq!(null.into_inner(), Null);

    let global = Logging::new(Global, log);
    let small = Layout::from_size_align(16, 8).unwrap();
    let big = Layout::from_size_align(32, 8).unwrap();
    let block = global.allocate_zeroed(small).unwrap();
    // SAFETY: `block` was allocated by `global` with `small`, and is not
    // used after it is grown; `grown` is given back with its layout.
    unsafe {
        let grown = global.grow_zeroed(start(block), small, big).unwrap();
        assert_eq!(grown.as_ref(), &[0; 32][..]);
        global.deallocate(start(grown), big);
    }
    assert_eq!(
        *lines.borrow(),
        [
            "allocate 8 bytes (align 1): failed",
            "allocate_zeroed 16 bytes (align 8): ok",
            "grow_zeroed 16 -> 32 bytes (align 8): ok",
            "deallocate 32 bytes (align 8)",
        ]
    );
}

#[test]
fn counting_and_logging_compose() {
    let count = std::cell::Cell::new(0);
    let alloc = Counting::new(Logging::new(Global, |_: &AllocEvent| {
        count.set(count.get() + 1)
    }));
    let mut v: Vec<u32, _> = Vec::new_in(&alloc);
    v.extend(0..10);
    drop(v);
    let stats = alloc.stats();
    assert_eq!(
        count.get(),
        stats.allocations + stats.grows + stats.shrinks + stats.deallocations
    );
    assert_eq!(stats.live_bytes, 0);
}

/// The environment variable that makes
/// `a_panicking_hook_aborts_instead_of_unwinding` run its child's part.
const PANICKING_HOOK_CHILD: &str = "ARENAKIT_TEST_PANICKING_HOOK_CHILD";

/// A hook that panics must not unwind out of the allocator: the call it
/// reports has already happened (a grow may have freed the old block), so
/// the process aborts. The test runs itself again as a child process, where
/// the hook panics, and looks at how the child ended. Miri cannot start a
/// process, and the child's part involves no unsafe code of its own.
#[cfg(not(miri))]
#[test]
fn a_panicking_hook_aborts_instead_of_unwinding() {
    if std::env::var_os(PANICKING_HOOK_CHILD).is_some() {
        let logging = Logging::new(Global, |_: &AllocEvent| panic!("the hook panics"));
        let unwound = std::panic::catch_unwind(|| {
            let b = Box::new_in(1u64, &logging);
            drop(b);
        })
        .is_err();
        // Reached only if the panic unwound out of the allocator.
        println!("unwound: {unwound}");
        std::process::exit(0);
    }
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_panicking_hook_aborts_instead_of_unwinding",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(PANICKING_HOOK_CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !output.status.success(),
        "the child exited normally: {stdout}"
    );
    assert!(!stdout.contains("unwound"), "{stdout}");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(output.status.signal(), Some(6), "SIGABRT");
    }
}

// ----- Owns -----

#[test]
fn the_arena_owns_its_blocks_in_every_chunk_and_nothing_else() {
    let arena = Arena::new();
    let other = Arena::new();
    let layout = Layout::new::<[u64; 16]>();
    let n = if cfg!(miri) { 80 } else { 400 };
    let blocks: std::vec::Vec<_> = (0..n)
        .map(|_| start((&arena).allocate(layout).unwrap()))
        .collect();
    assert!(arena.stats().chunk_count > 1);
    assert!(blocks.iter().all(|&b| (&arena).owns(b, layout)));
    assert!(blocks.iter().all(|&b| !(&other).owns(b, layout)));
    // Bytes reaching past a chunk's end are not a block of the arena.
    let last = *blocks.last().unwrap();
    assert!(!(&arena).owns(last, Layout::from_size_align(1 << 30, 8).unwrap()));

    let heap = Global.allocate(layout).unwrap();
    assert!(!(&arena).owns(start(heap), layout));
    let local = 0u64;
    assert!(!(&arena).owns(NonNull::from(&local).cast(), Layout::new::<u64>()));
    // SAFETY: `heap` was allocated by `Global` with `layout`.
    unsafe { Global.deallocate(start(heap), layout) };

    // An empty arena owns nothing, not even a zero-size block.
    let empty = Arena::new();
    let zst = Layout::new::<()>();
    let block = start((&empty).allocate(zst).unwrap());
    assert!(!(&empty).owns(block, zst));
}

#[test]
fn wrappers_and_references_own_what_they_wrap() {
    let arena = Arena::new();
    let counting = Counting::new(&arena);
    let layout = Layout::new::<u32>();
    let block = start(counting.allocate(layout).unwrap());
    assert!(counting.owns(block, layout));
    assert!(<&Counting<&Arena> as Owns>::owns(&&counting, block, layout));
    let logging = Logging::new(&counting, |_: &AllocEvent| {});
    assert!(logging.owns(block, layout));
    let pair = Fallback::new(Null, &arena);
    assert!(pair.owns(block, layout));
    assert!(!Fallback::new(Null, Null).owns(block, layout));
    // A `Fallback` owns the zero-size blocks it returns itself.
    let zst = Layout::from_size_align(0, 16).unwrap();
    let empty = start(pair.allocate(zst).unwrap());
    assert!(Fallback::new(&arena, Null).owns(empty, zst));
    assert!(!Fallback::new(&arena, Null).owns(NonNull::dangling(), zst));
}

// ----- Fallback -----

type Spilling<'a> = Fallback<Counting<&'a Arena>, Counting<Global>>;

fn spilling(arena: &Arena) -> Spilling<'_> {
    Fallback::new(Counting::new(arena), Counting::new(Global))
}

#[test]
fn fallback_spills_to_the_heap_and_frees_each_block_with_its_owner() {
    let arena = limited(256);
    let alloc = spilling(&arena);
    let mut boxes: std::vec::Vec<_> = (0..8u64).map(|i| Box::new_in([i; 8], &alloc)).collect();
    let in_arena: std::vec::Vec<bool> = boxes
        .iter()
        .map(|b| (&arena).owns(NonNull::from(&**b).cast(), Layout::new::<[u64; 8]>()))
        .collect();
    let spilled = in_arena.iter().filter(|&&a| !a).count();
    // The arena serves a prefix, the heap the rest.
    assert!(spilled > 0 && spilled < 8, "{in_arena:?}");
    assert!(in_arena.windows(2).all(|w| w[0] || !w[1]), "{in_arena:?}");
    let (primary, secondary) = (alloc.primary().stats(), alloc.secondary().stats());
    assert_eq!(primary.allocations, 8 - spilled);
    assert_eq!(primary.failures, spilled);
    assert_eq!(secondary.allocations, spilled);
    assert_eq!(secondary.live_bytes, spilled * 64);
    for (i, b) in boxes.iter().enumerate() {
        assert_eq!(**b, [i as u64; 8]);
    }

    // Drop from both ends, checking which side each deallocation reached.
    let mut expected = (0, 0);
    while !boxes.is_empty() {
        let b = if boxes.len() % 2 == 0 {
            boxes.remove(0)
        } else {
            boxes.pop().unwrap()
        };
        let owned = (&arena).owns(NonNull::from(&*b).cast(), Layout::new::<[u64; 8]>());
        drop(b);
        if owned {
            expected.0 += 1;
        } else {
            expected.1 += 1;
        }
        assert_eq!(alloc.primary().stats().deallocations, expected.0);
        assert_eq!(alloc.secondary().stats().deallocations, expected.1);
    }
    assert_eq!(expected, (8 - spilled, spilled));
    assert_eq!(alloc.primary().stats().live_bytes, 0);
    assert_eq!(alloc.secondary().stats().live_bytes, 0);
}

#[test]
fn a_vec_grows_across_the_boundary_with_its_contents() {
    let arena = limited(1024);
    let alloc = spilling(&arena);
    let mut v: Vec<u32, _> = Vec::new_in(&alloc);
    let owned_by_arena =
        |v: &Vec<u32, _>| (&arena).owns(NonNull::from(&v[0]).cast(), Layout::new::<u32>());
    let mut moved_at = None;
    for i in 0..1000u32 {
        let before = v.capacity();
        let was_in_arena = v.is_empty() || owned_by_arena(&v);
        v.push(i);
        if was_in_arena && !owned_by_arena(&v) {
            assert_eq!(moved_at, None, "moved twice");
            moved_at = Some(i);
            // The whole buffer moved: the arena holds nothing live, the heap
            // holds the new buffer, and every element came along.
            assert!(before > 0);
            assert_eq!(alloc.primary().stats().live_bytes, 0);
            assert_eq!(alloc.secondary().stats().allocations, 1);
            assert_eq!(alloc.secondary().stats().live_bytes, v.capacity() * 4);
        }
        assert!(v.iter().copied().eq(0..=i));
    }
    assert!(moved_at.is_some());
    assert!(alloc.primary().stats().grows > 0);
    assert!(alloc.secondary().stats().grows > 0);
    drop(v);
    assert_eq!(alloc.secondary().stats().live_bytes, 0);
    assert_eq!(alloc.secondary().stats().deallocations, 1);
}

#[test]
fn grow_zeroed_and_shrink_move_blocks_the_arena_cannot_keep() {
    let arena = limited(64);
    let alloc = spilling(&arena);
    let small = Layout::from_size_align(16, 8).unwrap();
    let block = start(alloc.allocate(small).unwrap());
    assert!((&arena).owns(block, small));
    // SAFETY: `block` is valid for 16 bytes.
    unsafe {
        block
            .as_ptr()
            .copy_from_nonoverlapping([7u8; 16].as_ptr(), 16)
    };
    // Fill the arena so that nothing more fits.
    while alloc.primary().allocate(small).is_ok() {}

    let big = Layout::from_size_align(256, 8).unwrap();
    // SAFETY: `block` is a live block of `alloc` of layout `small`.
    let grown = unsafe { alloc.grow_zeroed(block, small, big) }.unwrap();
    assert!(!(&arena).owns(start(grown), big));
    // SAFETY: `grown` is valid for 256 bytes.
    let bytes = unsafe { grown.as_ref() };
    assert_eq!(&bytes[..16], &[7; 16]);
    assert!(bytes[16..].iter().all(|&b| b == 0));
    assert_eq!(alloc.secondary().stats().live_bytes, 256);

    // SAFETY: `grown` is a live block of `alloc` of layout `big`.
    unsafe { alloc.deallocate(start(grown), big) };
    assert_eq!(alloc.secondary().stats().live_bytes, 0);
    assert_eq!(alloc.secondary().stats().deallocations, 1);
}

/// Allocates through `arena` until it refuses even 8 bytes.
fn fill(arena: &Arena) {
    for layout in [Layout::new::<[u64; 2]>(), Layout::new::<u64>()] {
        while arena.allocate(layout).is_ok() {}
    }
}

#[test]
fn shrinking_to_an_alignment_the_block_lacks_moves_it_out_of_a_full_arena() {
    let arena = limited(64);
    let alloc = spilling(&arena);
    let old = Layout::from_size_align(48, 8).unwrap();
    let block = start(alloc.allocate(old).unwrap());
    assert!((&arena).owns(block, old));
    // SAFETY: `block` is valid for 48 bytes.
    unsafe {
        block
            .as_ptr()
            .copy_from_nonoverlapping([1, 2, 3, 4, 5, 6, 7, 8].as_ptr(), 8)
    };
    fill(&arena);
    // The smallest alignment the block's address does not have.
    let align = 1usize << (block.as_ptr().addr().trailing_zeros() + 1);
    let new = Layout::from_size_align(8, align).unwrap();
    // SAFETY: `block` is a live block of `alloc` of layout `old`, and
    // `new` is not bigger.
    let shrunk = unsafe { alloc.shrink(block, old, new) }.unwrap();
    assert_eq!(start(shrunk).as_ptr().addr() % align, 0);
    assert!(!(&arena).owns(start(shrunk), new));
    // SAFETY: `shrunk` is valid for 8 bytes.
    assert_eq!(unsafe { &shrunk.as_ref()[..8] }, &[1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(alloc.primary().stats().deallocations, 1);
    assert_eq!(alloc.primary().stats().live_bytes, 0);
    assert_eq!(alloc.secondary().stats().live_bytes, 8);
    // SAFETY: `shrunk` is a live block of `alloc` of layout `new`.
    unsafe { alloc.deallocate(start(shrunk), new) };
    assert_eq!(alloc.secondary().stats().deallocations, 1);
}

#[test]
fn fallback_is_the_doc_example_a_limited_arena_spilling_to_global() {
    let arena = limited(1024);
    let heap = Counting::new(Global);
    let alloc = Fallback::new(&arena, &heap);
    let mut tokens: Vec<u32, _> = Vec::new_in(&alloc);
    tokens.extend(0..100);
    assert_eq!(heap.stats().allocations, 0);
    assert!(arena.stats().reserved_bytes <= 1024);
    tokens.extend(100..1000);
    assert_eq!(heap.stats().live_bytes, tokens.capacity() * 4);
    let mut names = hashbrown::HashMap::new_in(&alloc);
    let n = if cfg!(miri) { 40 } else { 500 };
    for i in 0..n {
        names.insert(i, i + 1);
    }
    assert!((0..n).all(|i| names[&i] == i + 1));
    assert!(tokens.iter().copied().eq(0..1000));
    drop(names);
    drop(tokens);
    assert_eq!(heap.stats().live_bytes, 0);
    assert_eq!(heap.stats().allocations, heap.stats().deallocations);
}

#[test]
fn zero_size_requests_reach_neither_side_of_a_fallback() {
    let arena = Arena::new();
    let alloc = spilling(&arena);
    for align in [1, 8, 64, 4096] {
        let layout = Layout::from_size_align(0, align).unwrap();
        let block = alloc.allocate(layout).unwrap();
        assert_eq!((block.len(), start(block).as_ptr().addr()), (0, align));
        let zeroed = alloc.allocate_zeroed(layout).unwrap();
        assert_eq!(zeroed, block);
        // SAFETY: `block` is a zero-size block of `alloc`.
        unsafe { alloc.deallocate(start(block), layout) };
    }
    assert_eq!(alloc.primary().stats(), AllocStats::default());
    assert_eq!(alloc.secondary().stats(), AllocStats::default());

    // Growing a zero-size block allocates; shrinking to size 0 gives back.
    let zst = Layout::from_size_align(0, 8).unwrap();
    let word = Layout::new::<u64>();
    let block = alloc.allocate(zst).unwrap();
    // SAFETY: `block` is a block of `alloc` of layout `zst`, not used again.
    let grown = unsafe { alloc.grow(start(block), zst, word) }.unwrap();
    assert!((&arena).owns(start(grown), word));
    assert_eq!(alloc.primary().stats().allocations, 1);
    // SAFETY: `grown` is a block of `alloc` of layout `word`, not used again.
    let gone = unsafe { alloc.shrink(start(grown), word, zst) }.unwrap();
    assert_eq!((gone.len(), start(gone).as_ptr().addr()), (0, 8));
    assert_eq!(alloc.primary().stats().deallocations, 1);
    assert_eq!(alloc.primary().stats().live_bytes, 0);
}

#[test]
fn a_vec_shrunk_to_nothing_gives_its_buffer_back_to_the_heap() {
    let alloc = Fallback::new(Null, Counting::new(Global));
    let mut v: Vec<u8, _> = Vec::new_in(&alloc);
    v.extend_from_slice(b"spilled");
    assert_eq!(alloc.secondary().stats().live_bytes, v.capacity());
    v.clear();
    v.shrink_to_fit();
    assert_eq!(v.capacity(), 0);
    assert_eq!(alloc.secondary().stats().live_bytes, 0);
    assert_eq!(alloc.secondary().stats().deallocations, 1);
    drop(v);
    assert_eq!(alloc.secondary().stats().deallocations, 1);
}

#[test]
fn a_fallback_of_two_nulls_fails() {
    let alloc = Fallback::new(Counting::new(Null), Counting::new(Null));
    let mut v: Vec<u32, _> = Vec::new_in(&alloc);
    assert!(v.try_reserve(1).is_err());
    assert_eq!(alloc.primary().stats().failures, 1);
    assert_eq!(alloc.secondary().stats().failures, 1);
    drop(v);
    let (primary, secondary) = alloc.into_parts();
    assert_eq!(primary.into_inner(), secondary.into_inner());
}

// ----- Null -----

#[test]
fn null_fails_every_request_for_memory() {
    for (size, align) in [(1, 1), (8, 8), (100, 4), (1 << 20, 4096)] {
        let layout = Layout::from_size_align(size, align).unwrap();
        assert!(Null.allocate(layout).is_err());
        assert!(Null.allocate_zeroed(layout).is_err());
    }
    let mut v: Vec<u64, Null> = Vec::new_in(Null);
    let err = v.try_reserve(1).unwrap_err();
    assert!(
        err.to_string().contains("memory allocation failed"),
        "{err}"
    );
    assert_eq!(v.capacity(), 0);
    let mut map: hashbrown::HashMap<u8, u8, _, Null> = hashbrown::HashMap::new_in(Null);
    assert!(map.try_reserve(1).is_err());
    assert!(Box::try_new_in(1u8, Null).is_err());
}

#[test]
fn null_serves_zero_size_requests_with_dangling_pointers() {
    for align in [1, 2, 8, 4096] {
        let layout = Layout::from_size_align(0, align).unwrap();
        let block = Null.allocate(layout).unwrap();
        assert_eq!((block.len(), start(block).as_ptr().addr()), (0, align));
        assert!(Null.owns(start(block), layout));
        // SAFETY: `block` is a zero-size block of `Null`.
        unsafe {
            let same = Null.grow(start(block), layout, layout).unwrap();
            assert_eq!(same, block);
            let smaller = Layout::from_size_align(0, 1).unwrap();
            let shrunk = Null.shrink(start(same), layout, smaller).unwrap();
            assert_eq!(start(shrunk).as_ptr().addr(), 1);
            assert!(
                Null.grow(start(shrunk), smaller, Layout::new::<u8>())
                    .is_err()
            );
            Null.deallocate(start(shrunk), smaller);
        }
    }
    assert!(!Null.owns(NonNull::dangling(), Layout::new::<u8>()));
    let mut units: Vec<(), Null> = Vec::new_in(Null);
    units.extend(std::iter::repeat_n((), 100));
    assert_eq!(units.len(), 100);
    let unit = Box::new_in((), Null);
    assert_eq!(*unit, ());
}

#[test]
#[should_panic(expected = "never allocated")]
fn null_refuses_to_deallocate_a_block_of_memory() {
    let local = 0u64;
    // SAFETY: not safe: the promise is broken on purpose, and `Null` panics
    // before touching the pointer.
    unsafe { Null.deallocate(NonNull::from(&local).cast(), Layout::new::<u64>()) };
}

// ----- the model -----

/// One step on a vector, mirrored on a `std` vector.
#[derive(Clone, Debug)]
enum Op {
    Push(u32),
    PushMany(u8),
    Pop,
    ShrinkToFit,
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => any::<u32>().prop_map(Op::Push),
        2 => any::<u8>().prop_map(Op::PushMany),
        3 => Just(Op::Pop),
        1 => Just(Op::ShrinkToFit),
        1 => Just(Op::Clear),
    ]
}

fn run_model(limit: usize, ops: &[Op]) -> Result<(), TestCaseError> {
    let arena = limited(limit);
    let alloc = Fallback::new(&arena, Counting::new(Global));
    let mut v: Vec<u32, _> = Vec::new_in(&alloc);
    let mut model = std::vec::Vec::new();
    for op in ops {
        match *op {
            Op::Push(x) => {
                v.push(x);
                model.push(x);
            }
            Op::PushMany(n) => {
                let xs: std::vec::Vec<u32> = (0..u32::from(n)).collect();
                v.extend_from_slice(&xs);
                model.extend_from_slice(&xs);
            }
            Op::Pop => prop_assert_eq!(v.pop(), model.pop()),
            Op::ShrinkToFit => {
                v.shrink_to_fit();
                prop_assert_eq!(v.capacity(), v.len());
            }
            Op::Clear => {
                v.clear();
                model.clear();
            }
        }
        prop_assert_eq!(&v[..], &model[..]);
        // The vector's buffer is the only block on the heap, if it is there.
        let bytes = v.capacity() * 4;
        let layout = Layout::array::<u32>(v.capacity()).unwrap();
        let on_heap = bytes > 0 && !(&arena).owns(NonNull::from(&*v).cast(), layout);
        let heap = alloc.secondary().stats();
        prop_assert_eq!(heap.live_bytes, if on_heap { bytes } else { 0 });
        prop_assert!(arena.stats().reserved_bytes <= limit);
    }
    drop(v);
    let heap = alloc.secondary().stats();
    prop_assert_eq!(heap.live_bytes, 0);
    prop_assert_eq!(heap.allocations, heap.deallocations);
    Ok(())
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn a_vec_over_a_spilling_fallback_behaves_like_std_vec(
        limit in 0usize..2048,
        ops in prop::collection::vec(op(), 0..if cfg!(miri) { 40 } else { 300 })
    ) {
        run_model(limit, &ops)?;
    }
}
