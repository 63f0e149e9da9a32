//! Drop-accounting and behaviour tests of `TypedArena`.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use arenakit_arena::TypedArena;

/// Records the id of every value dropped, so a test can check each one is
/// dropped exactly once.
#[derive(Debug)]
struct Tracked {
    id: usize,
    log: Rc<RefCell<Vec<usize>>>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.log.borrow_mut().push(self.id);
    }
}

fn tracked(log: &Rc<RefCell<Vec<usize>>>, id: usize) -> Tracked {
    Tracked {
        id,
        log: Rc::clone(log),
    }
}

fn sorted(log: &Rc<RefCell<Vec<usize>>>) -> Vec<usize> {
    let mut ids = log.borrow().clone();
    ids.sort_unstable();
    ids
}

const N: usize = if cfg!(miri) { 300 } else { 5000 };

#[test]
fn every_value_is_dropped_exactly_once() {
    let log = Rc::new(RefCell::new(Vec::new()));
    {
        let arena = TypedArena::new();
        for id in 0..N {
            let t = arena.alloc(tracked(&log, id));
            assert_eq!(t.id, id);
        }
        let batch = arena.alloc_extend((N..N + 50).map(|id| tracked(&log, id)));
        assert_eq!(batch.len(), 50);
        assert_eq!(batch[49].id, N + 49);
        let big = arena.alloc_extend((N + 50..3 * N).map(|id| tracked(&log, id)));
        assert_eq!(big.first().map(|t| t.id), Some(N + 50));
        assert_eq!(arena.len(), 3 * N);
        assert!(
            log.borrow().is_empty(),
            "nothing is dropped while the arena lives"
        );
    }
    assert_eq!(sorted(&log), (0..3 * N).collect::<Vec<_>>());
}

#[test]
fn into_vec_moves_without_dropping() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let arena = TypedArena::new();
    for id in 0..N {
        arena.alloc(tracked(&log, id));
    }
    arena.alloc_extend((N..N + 10).map(|id| tracked(&log, id)));
    let values = arena.into_vec();
    assert!(log.borrow().is_empty());
    assert_eq!(
        values.iter().map(|t| t.id).collect::<Vec<_>>(),
        (0..N + 10).collect::<Vec<_>>()
    );
    drop(values);
    assert_eq!(sorted(&log), (0..N + 10).collect::<Vec<_>>());
}

#[test]
fn iter_mut_visits_in_allocation_order() {
    let mut arena = TypedArena::new();
    for i in 0..N as u64 {
        arena.alloc(i);
    }
    arena.alloc_extend([u64::MAX; 3]);
    let seen: Vec<u64> = arena.iter_mut().map(|x| *x).collect();
    assert_eq!(seen.len(), N + 3);
    assert!(seen[..N].iter().enumerate().all(|(i, &x)| x == i as u64));
    for x in arena.iter_mut() {
        *x = x.wrapping_add(1);
    }
    assert_eq!(arena.iter_mut().next().map(|x| *x), Some(1));
}

#[test]
fn references_stay_valid_across_growth() {
    let arena = TypedArena::new();
    let first = arena.alloc(String::from("first"));
    let addr = (first as *mut String).addr();
    for i in 0..N {
        arena.alloc(i.to_string());
    }
    assert_eq!((first as *mut String).addr(), addr);
    first.push('!');
    assert_eq!(first, "first!");
}

#[test]
fn alloc_extend_may_allocate_in_the_same_arena() {
    let arena = TypedArena::new();
    let outer = arena.alloc_extend((0..10u32).inspect(|&i| {
        arena.alloc(1000 + i);
    }));
    assert_eq!(outer, &(0..10).collect::<Vec<_>>()[..]);
    assert_eq!(arena.len(), 20);
}

#[test]
fn panicking_iterator_drops_collected_items_once() {
    let log = Rc::new(RefCell::new(Vec::new()));
    {
        let arena = TypedArena::new();
        arena.alloc(tracked(&log, 100));
        let result = catch_unwind(AssertUnwindSafe(|| {
            arena.alloc_extend((0..10).map(|id| {
                if id == 5 {
                    panic!("iterator fails");
                }
                tracked(&log, id)
            }));
        }));
        assert!(result.is_err());
        assert_eq!(sorted(&log), vec![0, 1, 2, 3, 4]);
        assert_eq!(arena.len(), 1);
    }
    assert_eq!(sorted(&log), vec![0, 1, 2, 3, 4, 100]);
}

#[test]
fn zero_sized_values_are_counted_and_dropped() {
    struct Unit<'a>(&'a Cell<usize>);
    impl Drop for Unit<'_> {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }
    let drops = Cell::new(0);
    {
        let mut arena = TypedArena::new();
        for _ in 0..10 {
            arena.alloc(());
        }
        arena.alloc_extend([(), ()]);
        assert_eq!(arena.len(), 12);
        assert_eq!(arena.iter_mut().count(), 12);
        let units = TypedArena::new();
        units.alloc(Unit(&drops));
        units.alloc_extend([Unit(&drops), Unit(&drops)]);
        assert_eq!(units.len(), 3);
        assert_eq!(drops.get(), 0);
    }
    assert_eq!(drops.get(), 3);
}

#[test]
fn self_referential_values_compile_and_drop() {
    struct Node<'a> {
        value: u32,
        edges: RefCell<Vec<&'a Node<'a>>>,
    }
    let arena = TypedArena::new();
    let a = arena.alloc(Node {
        value: 1,
        edges: RefCell::new(Vec::new()),
    });
    let b = arena.alloc(Node {
        value: 2,
        edges: RefCell::new(vec![&*a]),
    });
    a.edges.borrow_mut().push(b);
    let total: u32 = a.edges.borrow().iter().map(|n| n.value).sum();
    assert_eq!(total, 2);
    assert_eq!(b.edges.borrow()[0].value, 1);
}

#[test]
fn with_capacity_and_default() {
    let arena: TypedArena<u8> = TypedArena::default();
    assert!(arena.is_empty());
    let arena = TypedArena::with_capacity(4);
    let addrs: Vec<usize> = (1..=4u8)
        .map(|i| (arena.alloc(i) as *mut u8).addr())
        .collect();
    // The four values share the first chunk, so they are contiguous.
    assert!(addrs.windows(2).all(|w| w[1] == w[0] + 1));
    assert!(arena.alloc_extend(std::iter::empty::<u8>()).is_empty());
    assert_eq!(arena.into_vec(), vec![1, 2, 3, 4]);
}
