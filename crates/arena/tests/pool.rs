//! Tests of `Pool`, `PoolBox` and `PoolRef`: every method, drop counts in
//! every order, block reuse, bounded pools, panicking destructors, and a
//! model test of random operation sequences against `Box` and `Rc`.

// Everything sits in a module named `pool` so that every test's path holds
// `pool` and the filter of `cargo miri test -p arenakit-arena pool` picks all
// of them.
mod pool {
    use std::cell::{Cell, RefCell};
    use std::collections::HashSet;
    use std::hash::{BuildHasher, RandomState};
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::rc::Rc;

    use arenakit_arena::{Pool, PoolBox, PoolExhausted, PoolRef};
    use proptest::prelude::*;

    /// A value that records its drop in a shared log, by id.
    #[derive(Debug)]
    struct Logged<'a> {
        id: u32,
        log: &'a RefCell<Vec<u32>>,
    }

    impl Drop for Logged<'_> {
        fn drop(&mut self) {
            self.log.borrow_mut().push(self.id);
        }
    }

    impl Clone for Logged<'_> {
        /// A clone gets the id plus 1000, so the log tells clones apart.
        fn clone(&self) -> Self {
            Logged {
                id: self.id + 1000,
                log: self.log,
            }
        }
    }

    fn sorted(log: &RefCell<Vec<u32>>) -> Vec<u32> {
        let mut v = log.borrow().clone();
        v.sort_unstable();
        v
    }

    fn addr<T>(value: &T) -> *const T {
        value
    }

    #[test]
    fn alloc_box_reads_writes_and_counts() {
        let pool = Pool::new();
        assert!(pool.is_empty());
        let mut a = pool.alloc_box(String::from("a"));
        let b = pool.alloc_box(String::from("b"));
        a.push('!');
        assert_eq!((a.as_str(), b.as_str()), ("a!", "b"));
        assert_eq!((pool.len(), pool.free_count()), (2, 0));
        assert!(!pool.is_empty());
        drop(a);
        assert_eq!((pool.len(), pool.free_count()), (1, 1));
        drop(b);
        assert_eq!((pool.len(), pool.free_count()), (0, 2));
    }

    #[test]
    fn alloc_ref_counts_clones() {
        let pool = Pool::new();
        let a = pool.alloc_ref(10);
        assert_eq!(PoolRef::strong_count(&a), 1);
        let b = a.clone();
        let c = b.clone();
        assert_eq!(PoolRef::strong_count(&a), 3);
        assert!(PoolRef::ptr_eq(&a, &c));
        assert_eq!(pool.len(), 1);
        drop(b);
        assert_eq!(PoolRef::strong_count(&c), 2);
        drop(a);
        assert_eq!(PoolRef::strong_count(&c), 1);
        assert_eq!((*c, pool.len()), (10, 1));
        drop(c);
        assert_eq!((pool.len(), pool.free_count()), (0, 1));
    }

    #[test]
    fn freed_blocks_are_reused_last_in_first_out() {
        let pool = Pool::new();
        let a = pool.alloc_box([1u64; 4]);
        let b = pool.alloc_ref([2u64; 4]);
        let (pa, pb) = (addr(&*a), PoolRef::as_ptr(&b));
        assert_ne!(pa, pb);
        drop(a);
        drop(b);
        // `b`'s block was returned last, so it is reused first, by either kind.
        let c = pool.alloc_box([3u64; 4]);
        let d = pool.alloc_ref([4u64; 4]);
        assert_eq!((addr(&*c), PoolRef::as_ptr(&d)), (pb, pa));
        assert_eq!((*c, *d), ([3; 4], [4; 4]));
        assert_eq!(pool.free_count(), 0);
    }

    #[test]
    fn many_values_reuse_the_same_blocks() {
        let pool = Pool::new();
        let first: Vec<_> = (0..50).map(|i| pool.alloc_ref(i)).collect();
        let addrs: HashSet<_> = first.iter().map(PoolRef::as_ptr).collect();
        assert_eq!(addrs.len(), 50);
        drop(first);
        let second: Vec<_> = (0..50).map(|i| pool.alloc_box(i + 100)).collect();
        let again: HashSet<_> = second.iter().map(|b| addr(&**b)).collect();
        assert_eq!(again, addrs);
        assert!(second.iter().enumerate().all(|(i, b)| **b == i + 100));
        assert_eq!((pool.len(), pool.free_count()), (50, 0));
    }

    #[test]
    fn max_free_caps_kept_blocks() {
        let pool = Pool::with_max_free(2);
        assert_eq!(pool.max_free(), 2);
        let v: Vec<_> = (0..5).map(|i| pool.alloc_box(i)).collect();
        drop(v);
        assert_eq!((pool.len(), pool.free_count()), (0, 2));
        pool.set_max_free(0);
        assert_eq!((pool.free_count(), pool.max_free()), (0, 0));
        // With nothing kept, values still allocate from the heap.
        let a = pool.alloc_ref(7);
        assert_eq!(*a, 7);
        drop(a);
        assert_eq!(pool.free_count(), 0);
    }

    #[test]
    fn set_max_free_trims_and_reserve_fills() {
        let pool = Pool::<[u8; 16]>::new();
        assert_eq!(pool.max_free(), usize::MAX);
        pool.reserve(10);
        assert_eq!((pool.len(), pool.free_count()), (0, 10));
        pool.reserve(4);
        assert_eq!(pool.free_count(), 10);
        pool.set_max_free(3);
        assert_eq!(pool.free_count(), 3);
        pool.reserve(10);
        assert_eq!(pool.free_count(), 3, "reserve stops at max_free");
        let held: Vec<_> = (0..3).map(|_| pool.alloc_box([0; 16])).collect();
        assert_eq!((pool.len(), pool.free_count()), (3, 0));
        drop(held);
    }

    #[test]
    fn bounded_pool_exhausts_and_recovers() {
        let pool = Pool::bounded(3);
        assert_eq!(pool.capacity(), Some(3));
        assert_eq!((pool.len(), pool.free_count()), (0, 3));
        let a = pool.alloc_box(1);
        let b = pool.alloc_ref(2);
        let b2 = b.clone();
        let c = pool.try_alloc_ref(3).unwrap();
        assert_eq!((pool.len(), pool.free_count()), (3, 0));
        let err: PoolExhausted<i32> = pool.try_alloc_box(4).unwrap_err();
        assert_eq!((err.capacity(), err.into_value()), (3, 4));
        assert_eq!(pool.try_alloc_ref(5).unwrap_err().into_value(), 5);
        let freed = PoolRef::as_ptr(&c);
        drop(c);
        let d = pool.try_alloc_box(6).unwrap();
        assert_eq!(addr(&*d), freed);
        drop(b);
        assert!(pool.try_alloc_box(7).is_err(), "b2 still holds the block");
        drop(b2);
        let e = pool.alloc_ref(8);
        assert_eq!((*a, *d, *e), (1, 6, 8));
        // The blocks of a bounded pool are never given back early.
        drop((a, d, e));
        pool.set_max_free(0);
        pool.reserve(100);
        assert_eq!(
            (pool.len(), pool.free_count(), pool.max_free()),
            (0, 3, usize::MAX)
        );
    }

    #[test]
    fn bounded_pool_hands_out_adjacent_blocks_in_order() {
        let pool = Pool::bounded(4);
        let v: Vec<_> = (0..4u64).map(|i| pool.alloc_box(i)).collect();
        let stride = size_of::<u64>() + size_of::<usize>();
        for pair in v.windows(2) {
            // SAFETY: both values lie in the pool's one slab.
            let gap = unsafe { addr(&*pair[1]).byte_offset_from(addr(&*pair[0])) };
            assert_eq!(gap, stride as isize);
        }
    }

    #[test]
    #[should_panic(expected = "bounded pool exhausted: all 1 blocks are live")]
    fn alloc_box_on_exhausted_pool_panics() {
        let pool = Pool::bounded(1);
        let _a = pool.alloc_box(1);
        let _b = pool.alloc_box(2);
    }

    #[test]
    #[should_panic(expected = "bounded pool exhausted: all 0 blocks are live")]
    fn alloc_ref_on_exhausted_pool_panics() {
        let pool = Pool::bounded(0);
        let _a = pool.alloc_ref(1);
    }

    #[test]
    fn empty_bounded_pool_refuses_everything() {
        let pool = Pool::bounded(0);
        assert_eq!(
            (pool.capacity(), pool.len(), pool.free_count()),
            (Some(0), 0, 0)
        );
        let err = pool.try_alloc_box(String::from("x")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bounded pool exhausted: all 0 blocks are live"
        );
        assert_eq!(format!("{err:?}"), "PoolExhausted { capacity: 0, .. }");
        let boxed: Box<dyn std::error::Error> = Box::new(err);
        assert!(boxed.to_string().contains("exhausted"));
    }

    #[test]
    fn exhausted_value_is_returned_not_dropped() {
        let log = RefCell::new(Vec::new());
        let pool = Pool::bounded(0);
        let err = pool.try_alloc_ref(Logged { id: 1, log: &log }).unwrap_err();
        assert!(log.borrow().is_empty());
        let value = err.into_value();
        assert_eq!(value.id, 1);
        drop(value);
        assert_eq!(*log.borrow(), [1]);
    }

    #[test]
    fn pool_debug_shows_counts() {
        let pool = Pool::new();
        let a = pool.alloc_box(1);
        assert_eq!(
            format!("{pool:?}"),
            format!("Pool {{ len: 1, free: 0, max_free: {} }}", usize::MAX)
        );
        drop(a);
        let bounded = Pool::<u8>::bounded(2);
        assert_eq!(
            format!("{bounded:?}"),
            "Pool { len: 0, free: 2, capacity: 2 }"
        );
        let default: Pool<u8> = Pool::default();
        assert_eq!((default.capacity(), default.len()), (None, 0));
    }

    #[test]
    fn every_value_drops_once_whatever_the_order() {
        let log = RefCell::new(Vec::new());
        {
            let pool = Pool::new();
            let a = pool.alloc_ref(Logged { id: 1, log: &log });
            let b = pool.alloc_box(Logged { id: 2, log: &log });
            let a2 = a.clone();
            let c = pool.alloc_ref(Logged { id: 3, log: &log });
            drop(a);
            assert!(log.borrow().is_empty());
            drop(c);
            assert_eq!(*log.borrow(), [3]);
            let d = pool.alloc_box(Logged { id: 4, log: &log });
            drop(a2);
            assert_eq!(*log.borrow(), [3, 1]);
            // `b` and `d` drop at the end of the scope, before the pool.
            let _keep = (b, d);
        }
        assert_eq!(sorted(&log), [1, 2, 3, 4]);
    }

    #[test]
    fn values_drop_once_in_a_bounded_pool() {
        let log = RefCell::new(Vec::new());
        {
            let pool = Pool::bounded(2);
            for round in 0..3 {
                let a = pool.alloc_ref(Logged {
                    id: round * 10,
                    log: &log,
                });
                let b = pool.alloc_box(Logged {
                    id: round * 10 + 1,
                    log: &log,
                });
                let a2 = a.clone();
                drop((b, a, a2));
            }
        }
        assert_eq!(sorted(&log), [0, 1, 10, 11, 20, 21]);
    }

    #[test]
    fn try_unwrap_moves_the_value_out_once() {
        let log = RefCell::new(Vec::new());
        let pool = Pool::new();
        let a = pool.alloc_ref(Logged { id: 1, log: &log });
        let b = a.clone();
        let a = PoolRef::try_unwrap(a).unwrap_err();
        assert_eq!(PoolRef::strong_count(&a), 2);
        drop(b);
        let value = PoolRef::try_unwrap(a).unwrap();
        assert!(log.borrow().is_empty());
        assert_eq!((pool.len(), pool.free_count()), (0, 1));
        drop(value);
        assert_eq!(*log.borrow(), [1]);
    }

    #[test]
    fn into_inner_yields_the_value_on_the_last_handle() {
        let log = RefCell::new(Vec::new());
        let pool = Pool::new();
        let a = pool.alloc_ref(Logged { id: 1, log: &log });
        let b = a.clone();
        assert!(PoolRef::into_inner(b).is_none());
        assert_eq!(PoolRef::strong_count(&a), 1);
        let value = PoolRef::into_inner(a).unwrap();
        assert_eq!((value.id, pool.len()), (1, 0));
        drop(value);
        let boxed = pool.alloc_box(Logged { id: 2, log: &log });
        let value = PoolBox::into_inner(boxed);
        assert_eq!((value.id, pool.len(), pool.free_count()), (2, 0, 1));
        drop(value);
        assert_eq!(*log.borrow(), [1, 2]);
    }

    #[test]
    fn unwrap_or_clone_clones_only_when_shared() {
        let log = RefCell::new(Vec::new());
        let pool = Pool::new();
        let a = pool.alloc_ref(Logged { id: 1, log: &log });
        let b = a.clone();
        // Shared: a clone comes out (id + 1000) and `a`'s handle is dropped.
        let cloned = PoolRef::unwrap_or_clone(a);
        assert_eq!((cloned.id, PoolRef::strong_count(&b)), (1001, 1));
        // The last handle: the value itself moves out and the block is free.
        let moved = PoolRef::unwrap_or_clone(b);
        assert_eq!((moved.id, pool.len(), pool.free_count()), (1, 0, 1));
        assert!(log.borrow().is_empty());
        drop((cloned, moved));
        assert_eq!(sorted(&log), [1, 1001]);
    }

    #[test]
    fn make_mut_clones_only_when_shared() {
        let log = RefCell::new(Vec::new());
        {
            let pool = Pool::new();
            let mut a = pool.alloc_ref(Logged { id: 1, log: &log });
            let before = PoolRef::as_ptr(&a);
            PoolRef::make_mut(&mut a).id = 2;
            assert_eq!((PoolRef::as_ptr(&a), a.id, pool.len()), (before, 2, 1));
            let b = a.clone();
            PoolRef::make_mut(&mut a).id += 5; // clones id 2 into 1002, then 1007
            assert_eq!((a.id, b.id), (1007, 2));
            assert!(!PoolRef::ptr_eq(&a, &b));
            assert_eq!(PoolRef::strong_count(&a), 1);
            assert_eq!(PoolRef::strong_count(&b), 1);
            assert_eq!(pool.len(), 2);
            assert!(
                log.borrow().is_empty(),
                "the shared value is kept, not dropped"
            );
            drop(b);
            assert_eq!(*log.borrow(), [2]);
        }
        assert_eq!(*log.borrow(), [2, 1007]);
    }

    #[test]
    fn get_mut_only_when_unique() {
        let pool = Pool::new();
        let mut a = pool.alloc_ref(vec![1]);
        PoolRef::get_mut(&mut a).unwrap().push(2);
        let b = a.clone();
        assert!(PoolRef::get_mut(&mut a).is_none());
        drop(b);
        assert_eq!(PoolRef::get_mut(&mut a).unwrap(), &[1, 2]);
    }

    #[test]
    fn box_and_ref_convert_in_place() {
        let pool = Pool::new();
        let b = pool.alloc_box(String::from("x"));
        let at = addr(&*b);
        let r: PoolRef<'_, String> = b.into();
        assert_eq!((PoolRef::as_ptr(&r), PoolRef::strong_count(&r)), (at, 1));
        let r2 = r.clone();
        let r = PoolRef::try_into_box(r).unwrap_err();
        drop(r2);
        let mut b = PoolRef::try_into_box(r).unwrap();
        b.push('y');
        assert_eq!((addr(&*b), b.as_str(), pool.len()), (at, "xy", 1));
        let r = PoolBox::into_ref(b);
        assert_eq!(*r, "xy");
    }

    #[test]
    fn box_clone_takes_a_new_block() {
        let pool = Pool::new();
        let a = pool.alloc_box(vec![1, 2]);
        let mut b = a.clone();
        b.push(3);
        assert_ne!(addr(&*a), addr(&*b));
        assert_eq!((a.len(), b.len(), pool.len()), (2, 3, 2));
    }

    #[test]
    fn handles_know_their_pool() {
        let pool = Pool::new();
        let b = pool.alloc_box(1);
        let r = pool.alloc_ref(2);
        assert!(std::ptr::eq(PoolBox::pool(&b), &pool));
        assert!(std::ptr::eq(PoolRef::pool(&r), &pool));
    }

    /// A value whose destructor panics when asked to.
    struct PanicOnDrop<'a> {
        panic: bool,
        drops: &'a Cell<u32>,
    }

    impl Drop for PanicOnDrop<'_> {
        fn drop(&mut self) {
            self.drops.set(self.drops.get() + 1);
            if self.panic {
                panic!("drop panics");
            }
        }
    }

    #[test]
    fn panicking_destructor_still_returns_the_block() {
        let drops = Cell::new(0);
        for pool in [Pool::new(), Pool::bounded(2)] {
            let drops = &drops;
            let b = pool.alloc_box(PanicOnDrop { panic: true, drops });
            let r = pool.alloc_ref(PanicOnDrop { panic: true, drops });
            let r2 = r.clone();
            let (pb, pr) = (addr(&*b), PoolRef::as_ptr(&r));
            assert!(catch_unwind(AssertUnwindSafe(|| drop(b))).is_err());
            assert_eq!((pool.len(), pool.free_count()), (1, 1));
            drop(r2);
            assert!(catch_unwind(AssertUnwindSafe(|| drop(r))).is_err());
            assert_eq!((pool.len(), pool.free_count()), (0, 2));
            // Both blocks are usable again, newest first.
            let c = pool.alloc_ref(PanicOnDrop {
                panic: false,
                drops,
            });
            let d = pool.alloc_box(PanicOnDrop {
                panic: false,
                drops,
            });
            assert_eq!((PoolRef::as_ptr(&c), addr(&*d)), (pr, pb));
        }
        assert_eq!(drops.get(), 8);
    }

    /// A tree node whose children live in the same pool.
    struct Node<'p, 'a> {
        id: u32,
        children: Vec<PoolRef<'p, Node<'p, 'a>>>,
        log: &'a RefCell<Vec<u32>>,
    }

    impl Drop for Node<'_, '_> {
        fn drop(&mut self) {
            self.log.borrow_mut().push(self.id);
        }
    }

    #[test]
    fn trees_of_refs_drop_recursively_into_their_own_pool() {
        let log = RefCell::new(Vec::new());
        let pool = Pool::new();
        let leaf = |id| {
            pool.alloc_ref(Node {
                id,
                children: vec![],
                log: &log,
            })
        };
        let shared = leaf(1);
        let mid = pool.alloc_ref(Node {
            id: 2,
            children: vec![shared.clone(), leaf(3)],
            log: &log,
        });
        let root = pool.alloc_ref(Node {
            id: 4,
            children: vec![mid, shared, leaf(5)],
            log: &log,
        });
        assert_eq!(pool.len(), 5);
        let ids: Vec<u32> = root.children.iter().map(|c| c.id).collect();
        assert_eq!(ids, [2, 1, 5]);
        assert_eq!(PoolRef::strong_count(&root.children[1]), 2);
        drop(root);
        assert_eq!(sorted(&log), [1, 2, 3, 4, 5]);
        assert_eq!((pool.len(), pool.free_count()), (0, 5));
        // Reused blocks hold new trees.
        let again = leaf(6);
        assert_eq!(again.id, 6);
    }

    #[test]
    fn zero_sized_values_work() {
        let pool = Pool::new();
        let boxes: Vec<_> = (0..10).map(|_| pool.alloc_box(())).collect();
        let r = pool.alloc_ref(());
        let r2 = r.clone();
        assert_eq!((pool.len(), PoolRef::strong_count(&r2)), (11, 2));
        drop(boxes);
        assert_eq!(PoolRef::try_unwrap(r).unwrap_err(), r2);
        assert_eq!(pool.free_count(), 10);
        drop(r2);
        assert_eq!(pool.free_count(), 11);

        let drops = Cell::new(0);
        struct Zst<'a>(&'a Cell<u32>);
        impl Drop for Zst<'_> {
            fn drop(&mut self) {
                self.0.set(self.0.get() + 1);
            }
        }
        let bounded = Pool::bounded(2);
        let a = bounded.alloc_ref(Zst(&drops));
        let b = bounded.alloc_box(Zst(&drops));
        assert!(bounded.try_alloc_box(Zst(&drops)).is_err());
        assert_eq!(
            drops.get(),
            1,
            "the refused value was dropped with the error"
        );
        drop((a, b));
        assert_eq!(drops.get(), 3);
    }

    #[test]
    fn over_aligned_values_are_aligned() {
        #[derive(Clone, Copy, PartialEq, Debug)]
        #[repr(align(64))]
        struct Aligned(u8);
        for pool in [Pool::new(), Pool::bounded(3)] {
            let v: Vec<_> = (0..3).map(|i| pool.alloc_ref(Aligned(i))).collect();
            for (i, r) in v.iter().enumerate() {
                assert!(PoolRef::as_ptr(r).is_aligned());
                assert_eq!(r.0, i as u8);
            }
        }
    }

    // Clippy sees the pool's `Cell`s behind a handle's `&Pool` and calls the
    // handles mutable keys; their hash and equality only read the value.
    #[allow(clippy::mutable_key_type)]
    #[test]
    fn traits_forward_to_the_value() {
        let pool = Pool::new();
        let a = pool.alloc_ref(String::from("a"));
        let b = pool.alloc_ref(String::from("b"));
        let a2 = pool.alloc_ref(String::from("a"));
        assert_eq!(a, a2);
        assert_ne!(a, b);
        assert!(a < b);
        assert_eq!(a.cmp(&b), std::cmp::Ordering::Less);
        assert_eq!(a.partial_cmp(&a2), Some(std::cmp::Ordering::Equal));
        assert_eq!(format!("{a} {b:?}"), "a \"b\"");
        let hasher = RandomState::new();
        assert_eq!(hasher.hash_one(&a), hasher.hash_one("a"));
        assert_eq!(format!("{a:p}"), format!("{:p}", PoolRef::as_ptr(&a)));
        let r: &String = a.as_ref();
        assert_eq!(r, "a");
        let set: HashSet<PoolRef<'_, String>> = [a.clone(), b.clone()].into_iter().collect();
        assert!(
            set.contains(&String::from("b")),
            "`Borrow<T>` allows lookups by value"
        );

        let boxes = Pool::new();
        let mut x = boxes.alloc_box(3);
        let y = boxes.alloc_box(4);
        assert!(x < y && x != y);
        assert_eq!(std::cmp::max(&x, &y), &y);
        assert_eq!(x.cmp(&y), std::cmp::Ordering::Less);
        let mut x2 = boxes.alloc_box(3);
        assert_eq!(x, x2);
        assert_eq!(hasher.hash_one(&x), hasher.hash_one(3));
        *x.as_mut() += 1;
        *std::borrow::BorrowMut::<i32>::borrow_mut(&mut x2) += 2;
        assert_eq!((*x, *x2, format!("{x} {x2:?}")), (4, 5, "4 5".to_string()));
        assert_eq!(format!("{x:p}"), format!("{:p}", addr(&*x)));
        let set: HashSet<PoolBox<'_, i32>> = [x].into_iter().collect();
        assert!(set.contains(&4));
    }

    #[test]
    fn pools_move_to_other_threads() {
        let pool = Pool::new();
        drop(pool.alloc_box(String::from("warm")));
        let pool = std::thread::spawn(move || {
            assert_eq!(pool.free_count(), 1);
            let b = pool.alloc_box(String::from("there"));
            assert_eq!(*b, "there");
            drop(b);
            pool
        })
        .join()
        .unwrap();
        assert_eq!((pool.len(), pool.free_count()), (0, 1));
    }

    #[test]
    fn forgotten_handles_of_a_bounded_pool_are_freed_with_it() {
        let drops = Cell::new(0);
        let pool = Pool::bounded(2);
        let a = pool.alloc_ref(PanicOnDrop {
            panic: false,
            drops: &drops,
        });
        std::mem::forget(a.clone());
        drop(a);
        // The forgotten count keeps the value alive; its block stays taken.
        assert_eq!((pool.len(), drops.get()), (1, 0));
        drop(pool);
        assert_eq!(drops.get(), 0);
    }

    // ---------------------------------------------------------------------------
    // Model test: random operations on our handles and on `Box`/`Rc` in step.

    /// A value that keeps a count of the live copies of its world.
    struct Val<'a> {
        n: u32,
        live: &'a Cell<i64>,
    }

    impl<'a> Val<'a> {
        fn new(n: u32, live: &'a Cell<i64>) -> Self {
            live.set(live.get() + 1);
            Val { n, live }
        }
    }

    impl Clone for Val<'_> {
        fn clone(&self) -> Self {
            Val::new(self.n, self.live)
        }
    }

    impl Drop for Val<'_> {
        fn drop(&mut self) {
            self.live.set(self.live.get() - 1);
        }
    }

    #[derive(Clone, Debug)]
    enum Op {
        AllocBox(u32),
        AllocRef(u32),
        /// Clones handle `i` (a box clones its value into a new block).
        Clone(usize),
        Drop(usize),
        /// Sets handle `i`'s value through `make_mut` (or `DerefMut`).
        MakeMut(usize, u32),
        /// `get_mut` on handle `i`, setting the value if it is unique.
        GetMut(usize, u32),
        /// `try_unwrap` (or `into_inner` for a box).
        TryUnwrap(usize),
        /// `into_ref` for a box, `try_into_box` for a ref.
        Convert(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => any::<u32>().prop_map(Op::AllocBox),
            3 => any::<u32>().prop_map(Op::AllocRef),
            4 => any::<usize>().prop_map(Op::Clone),
            4 => any::<usize>().prop_map(Op::Drop),
            2 => (any::<usize>(), any::<u32>()).prop_map(|(i, v)| Op::MakeMut(i, v)),
            1 => (any::<usize>(), any::<u32>()).prop_map(|(i, v)| Op::GetMut(i, v)),
            2 => any::<usize>().prop_map(Op::TryUnwrap),
            1 => any::<usize>().prop_map(Op::Convert),
        ]
    }

    enum Ours<'p, 'a> {
        Box(PoolBox<'p, Val<'a>>),
        Ref(PoolRef<'p, Val<'a>>),
    }

    enum Model<'a> {
        Box(Box<Val<'a>>),
        Ref(Rc<Val<'a>>),
    }

    impl Ours<'_, '_> {
        fn n(&self) -> u32 {
            match self {
                Ours::Box(b) => b.n,
                Ours::Ref(r) => r.n,
            }
        }
    }

    impl Model<'_> {
        fn n(&self) -> u32 {
            match self {
                Model::Box(b) => b.n,
                Model::Ref(r) => r.n,
            }
        }
    }

    /// Distinct live values of the model: what the pool's `len` must be.
    fn model_len(model: &[Model<'_>]) -> usize {
        let mut refs: Vec<*const Val<'_>> = Vec::new();
        let mut boxes = 0;
        for m in model {
            match m {
                Model::Box(_) => boxes += 1,
                Model::Ref(r) => refs.push(Rc::as_ptr(r)),
            }
        }
        refs.sort_unstable();
        refs.dedup();
        boxes + refs.len()
    }

    fn check(ours: &[Ours<'_, '_>], model: &[Model<'_>]) -> Result<(), TestCaseError> {
        prop_assert_eq!(ours.len(), model.len());
        for (i, (o, m)) in ours.iter().zip(model).enumerate() {
            prop_assert_eq!(o.n(), m.n());
            match (o, m) {
                (Ours::Box(_), Model::Box(_)) => {}
                (Ours::Ref(o), Model::Ref(m)) => {
                    prop_assert_eq!(PoolRef::strong_count(o), Rc::strong_count(m));
                    for (o2, m2) in ours[i + 1..].iter().zip(&model[i + 1..]) {
                        if let (Ours::Ref(o2), Model::Ref(m2)) = (o2, m2) {
                            prop_assert_eq!(PoolRef::ptr_eq(o, o2), Rc::ptr_eq(m, m2));
                        }
                    }
                }
                _ => prop_assert!(false, "handle {} changed kind", i),
            }
        }
        Ok(())
    }

    /// Runs `ops` on a pool (bounded to `capacity` if given) and on the model.
    fn run(ops: &[Op], capacity: Option<usize>) -> Result<(), TestCaseError> {
        let (live_ours, live_model) = (Cell::new(0), Cell::new(0));
        {
            let pool = match capacity {
                Some(c) => Pool::bounded(c),
                None => Pool::with_max_free(4),
            };
            let mut ours: Vec<Ours<'_, '_>> = Vec::new();
            let mut model: Vec<Model<'_>> = Vec::new();
            // Whether one more block can be taken.
            let room = |model: &[Model<'_>]| capacity.is_none_or(|c| model_len(model) < c);
            for op in ops {
                let len = ours.len();
                match *op {
                    Op::AllocBox(n) => {
                        let fits = room(&model);
                        match pool.try_alloc_box(Val::new(n, &live_ours)) {
                            Ok(b) => {
                                prop_assert!(fits);
                                ours.push(Ours::Box(b));
                                model.push(Model::Box(Box::new(Val::new(n, &live_model))));
                            }
                            Err(e) => {
                                prop_assert!(!fits);
                                prop_assert_eq!(e.into_value().n, n);
                            }
                        }
                    }
                    Op::AllocRef(n) => {
                        let fits = room(&model);
                        match pool.try_alloc_ref(Val::new(n, &live_ours)) {
                            Ok(r) => {
                                prop_assert!(fits);
                                ours.push(Ours::Ref(r));
                                model.push(Model::Ref(Rc::new(Val::new(n, &live_model))));
                            }
                            Err(_) => prop_assert!(!fits),
                        }
                    }
                    _ if len == 0 => {}
                    Op::Clone(i) => match (&ours[i % len], &model[i % len]) {
                        (Ours::Ref(o), Model::Ref(m)) => {
                            let (o, m) = (o.clone(), m.clone());
                            ours.push(Ours::Ref(o));
                            model.push(Model::Ref(m));
                        }
                        (Ours::Box(o), Model::Box(m)) if room(&model) => {
                            let (o, m) = (o.clone(), m.clone());
                            ours.push(Ours::Box(o));
                            model.push(Model::Box(m));
                        }
                        _ => {}
                    },
                    Op::Drop(i) => {
                        ours.swap_remove(i % len);
                        model.swap_remove(i % len);
                    }
                    Op::MakeMut(i, n) => match (&mut ours[i % len], &mut model[i % len]) {
                        (Ours::Box(o), Model::Box(m)) => {
                            o.n = n;
                            m.n = n;
                        }
                        (Ours::Ref(o), Model::Ref(m)) => {
                            let shared = Rc::strong_count(m) > 1;
                            if !shared || capacity.is_none_or(|c| pool.len() < c) {
                                PoolRef::make_mut(o).n = n;
                                Rc::make_mut(m).n = n;
                            }
                        }
                        _ => prop_assert!(false, "kinds differ"),
                    },
                    Op::GetMut(i, n) => {
                        if let (Ours::Ref(o), Model::Ref(m)) =
                            (&mut ours[i % len], &mut model[i % len])
                        {
                            let (o, m) = (PoolRef::get_mut(o), Rc::get_mut(m));
                            prop_assert_eq!(o.is_some(), m.is_some());
                            if let (Some(o), Some(m)) = (o, m) {
                                o.n = n;
                                m.n = n;
                            }
                        }
                    }
                    Op::TryUnwrap(i) => {
                        let (o, m) = (ours.swap_remove(i % len), model.swap_remove(i % len));
                        match (o, m) {
                            (Ours::Box(o), Model::Box(m)) => {
                                prop_assert_eq!(PoolBox::into_inner(o).n, m.n);
                            }
                            (Ours::Ref(o), Model::Ref(m)) => {
                                match (PoolRef::try_unwrap(o), Rc::try_unwrap(m)) {
                                    (Ok(o), Ok(m)) => prop_assert_eq!(o.n, m.n),
                                    (Err(o), Err(m)) => {
                                        ours.push(Ours::Ref(o));
                                        model.push(Model::Ref(m));
                                    }
                                    _ => prop_assert!(false, "try_unwrap disagrees with Rc"),
                                }
                            }
                            _ => prop_assert!(false, "kinds differ"),
                        }
                    }
                    Op::Convert(i) => {
                        let (o, m) = (ours.swap_remove(i % len), model.swap_remove(i % len));
                        match (o, m) {
                            (Ours::Box(o), Model::Box(m)) => {
                                ours.push(Ours::Ref(PoolBox::into_ref(o)));
                                model.push(Model::Ref(Rc::from(m)));
                            }
                            (Ours::Ref(o), Model::Ref(m)) => {
                                let unique = Rc::strong_count(&m) == 1;
                                match PoolRef::try_into_box(o) {
                                    Ok(o) => {
                                        prop_assert!(unique);
                                        ours.push(Ours::Box(o));
                                        let m = Rc::try_unwrap(m).ok().expect("unique");
                                        model.push(Model::Box(Box::new(m)));
                                    }
                                    Err(o) => {
                                        prop_assert!(!unique);
                                        ours.push(Ours::Ref(o));
                                        model.push(Model::Ref(m));
                                    }
                                }
                            }
                            _ => prop_assert!(false, "kinds differ"),
                        }
                    }
                }
                check(&ours, &model)?;
                prop_assert_eq!(pool.len(), model_len(&model));
                prop_assert_eq!(live_ours.get(), live_model.get());
                if let Some(c) = capacity {
                    prop_assert_eq!(pool.len() + pool.free_count(), c);
                } else {
                    prop_assert!(pool.free_count() <= 4);
                }
            }
            // Drop the handles in a scrambled order, then the pool.
            while !ours.is_empty() {
                let i = ours.len() / 2;
                ours.swap_remove(i);
                model.swap_remove(i);
                prop_assert_eq!(pool.len(), model_len(&model));
                prop_assert_eq!(live_ours.get(), live_model.get());
            }
        }
        prop_assert_eq!((live_ours.get(), live_model.get()), (0, 0));
        Ok(())
    }

    #[cfg(not(miri))]
    const CASES: u32 = 256;
    #[cfg(miri)]
    const CASES: u32 = 6;
    const MAX_OPS: usize = if cfg!(miri) { 40 } else { 200 };

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: CASES,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn model_unbounded(ops in prop::collection::vec(op(), 0..MAX_OPS)) {
            run(&ops, None)?;
        }

        #[test]
        fn model_bounded(ops in prop::collection::vec(op(), 0..MAX_OPS), capacity in 0usize..8) {
            run(&ops, Some(capacity))?;
        }
    }
}
