//! `GenArena` against a model, and drop accounting.
//!
//! The model is every handle ever issued with the value it should find now
//! (`None` once removed). Random operation sequences check that a live
//! handle finds its value, a stale one finds nothing, no handle is ever
//! issued twice, and iteration yields exactly the live values in slot order.

use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;

use arenakit_arena::{GenArena, Handle};
use proptest::prelude::*;

mod common;

#[derive(Clone, Debug)]
enum Op {
    Insert(u32),
    InsertWith,
    /// Acts on the handle at this position of the handles issued so far,
    /// modulo their number.
    Remove(usize),
    Get(usize),
    Set(usize, u32),
    Swap(usize, usize),
    /// Keeps the values not divisible by this.
    Retain(u32),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => any::<u32>().prop_map(Op::Insert),
        1 => Just(Op::InsertWith),
        4 => any::<usize>().prop_map(Op::Remove),
        3 => any::<usize>().prop_map(Op::Get),
        2 => (any::<usize>(), any::<u32>()).prop_map(|(i, v)| Op::Set(i, v)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Op::Swap(i, j)),
        1 => (2u32..5).prop_map(Op::Retain),
        1 => Just(Op::Clear),
    ]
}

/// The arena under test beside the model.
struct Checked {
    arena: GenArena<u32>,
    /// Every handle issued, with the value it should find.
    issued: Vec<(Handle<u32>, Option<u32>)>,
    /// The same handles, to prove none is issued twice.
    seen: HashSet<Handle<u32>>,
}

impl Checked {
    fn issue(&mut self, handle: Handle<u32>, value: u32) -> Result<(), TestCaseError> {
        prop_assert!(self.seen.insert(handle), "{handle:?} issued twice");
        self.issued.push((handle, Some(value)));
        Ok(())
    }

    /// The position in `issued` that `i` picks, if any handle was issued.
    fn pick(&self, i: usize) -> Option<usize> {
        (!self.issued.is_empty()).then(|| i % self.issued.len())
    }

    fn apply(&mut self, op: &Op) -> Result<(), TestCaseError> {
        match *op {
            Op::Insert(v) => {
                let h = self.arena.insert(v);
                self.issue(h, v)?;
            }
            Op::InsertWith => {
                let mut given = None;
                let h = self.arena.insert_with(|h| {
                    given = Some(h);
                    h.index()
                });
                prop_assert_eq!(given, Some(h));
                self.issue(h, h.index())?;
            }
            Op::Remove(i) => {
                if let Some(i) = self.pick(i) {
                    let (h, expected) = &mut self.issued[i];
                    prop_assert_eq!(self.arena.remove(*h), expected.take());
                }
            }
            Op::Get(i) => {
                if let Some(i) = self.pick(i) {
                    let (h, expected) = self.issued[i];
                    prop_assert_eq!(self.arena.get(h).copied(), expected);
                    prop_assert_eq!(self.arena.contains(h), expected.is_some());
                }
            }
            Op::Set(i, v) => {
                if let Some(i) = self.pick(i) {
                    let (h, expected) = &mut self.issued[i];
                    match self.arena.get_mut(*h) {
                        Some(value) => {
                            prop_assert!(expected.is_some());
                            *value = v;
                            *expected = Some(v);
                        }
                        None => prop_assert!(expected.is_none()),
                    }
                }
            }
            Op::Swap(i, j) => {
                if let (Some(i), Some(j)) = (self.pick(i), self.pick(j)) {
                    let ((a, va), (b, vb)) = (self.issued[i], self.issued[j]);
                    match self.arena.get_disjoint_mut([a, b]) {
                        Some([x, y]) => {
                            prop_assert!(i != j && va.is_some() && vb.is_some());
                            std::mem::swap(x, y);
                            self.issued[i].1 = vb;
                            self.issued[j].1 = va;
                        }
                        None => prop_assert!(i == j || va.is_none() || vb.is_none()),
                    }
                }
            }
            Op::Retain(m) => {
                let mut visited = Vec::new();
                self.arena.retain(|h, v| {
                    visited.push(h);
                    *v % m != 0
                });
                let live = self.live();
                prop_assert_eq!(visited, live.iter().map(|&(h, _)| h).collect::<Vec<_>>());
                for (_, expected) in &mut self.issued {
                    if expected.is_some_and(|v| v % m == 0) {
                        *expected = None;
                    }
                }
            }
            Op::Clear => {
                self.arena.clear();
                for (_, expected) in &mut self.issued {
                    *expected = None;
                }
            }
        }
        self.check()
    }

    /// The live handles and values of the model, in slot order.
    fn live(&self) -> Vec<(Handle<u32>, u32)> {
        let mut live: Vec<_> = self
            .issued
            .iter()
            .filter_map(|&(h, v)| Some((h, v?)))
            .collect();
        live.sort_by_key(|&(h, _)| h.index());
        live
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let live = self.live();
        prop_assert_eq!(self.arena.len(), live.len());
        prop_assert_eq!(self.arena.iter().len(), live.len());
        let iterated: Vec<_> = self.arena.iter().map(|(h, &v)| (h, v)).collect();
        prop_assert_eq!(iterated, live);
        Ok(())
    }
}

fn run_model(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut checked = Checked {
        arena: GenArena::new(),
        issued: Vec::new(),
        seen: HashSet::new(),
    };
    for op in ops {
        checked.apply(op)?;
    }
    // Every handle, live or stale, answers as the model says, in the arena
    // and in a clone of it.
    for &(h, expected) in &checked.issued {
        prop_assert_eq!(checked.arena.get(h).copied(), expected);
    }
    let mut copy = checked.arena.clone();
    for &(h, expected) in &checked.issued {
        prop_assert_eq!(copy.remove(h), expected);
    }
    prop_assert!(copy.is_empty());
    Ok(())
}

const OPS: usize = if cfg!(miri) { 60 } else { 400 };

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn gen_arena_behaves_like_the_model(ops in prop::collection::vec(op(), 0..OPS)) {
        run_model(&ops)?;
    }
}

/// A value that counts its drops in a shared counter.
struct Counted(Rc<Cell<usize>>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn every_value_is_dropped_exactly_once() {
    let drops = Rc::new(Cell::new(0));
    let mut arena = GenArena::new();
    let handles: Vec<_> = (0..10)
        .map(|_| arena.insert(Counted(drops.clone())))
        .collect();

    drop(arena.remove(handles[0]));
    assert_eq!(drops.get(), 1);
    assert!(arena.remove(handles[0]).is_none());
    assert_eq!(drops.get(), 1, "a second remove drops nothing");

    let mut seen = 0;
    arena.retain(|_, _| {
        seen += 1;
        seen % 3 != 0
    });
    assert_eq!((seen, drops.get()), (9, 4));

    arena.insert(Counted(drops.clone()));
    arena.clear();
    assert_eq!(drops.get(), 11);

    for _ in 0..5 {
        arena.insert(Counted(drops.clone()));
    }
    drop(arena);
    assert_eq!(drops.get(), 16);
}

/// A value whose destructor panics.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("boom");
    }
}

#[test]
fn a_panicking_destructor_leaves_the_arena_consistent() {
    let mut arena: GenArena<Option<Bomb>> = GenArena::new();
    let quiet = arena.insert(None);
    let bomb = arena.insert(Some(Bomb));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| arena.clear()));
    assert!(result.is_err());
    // The bomb was taken out before it went off; the quiet value, in the
    // lower slot, was not reached yet.
    assert!(!arena.contains(bomb));
    assert!(arena.contains(quiet));
    assert_eq!(arena.len(), 1);
    let next = arena.insert(None);
    assert_eq!(next.index(), bomb.index());
    assert!(arena.get(bomb).is_none());
}

#[test]
fn a_panicking_keep_leaves_the_decisions_made() {
    let mut arena = GenArena::new();
    let handles: Vec<_> = (0..4).map(|i| arena.insert(i)).collect();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        arena.retain(|_, v| {
            assert!(*v != 2, "keep panics on 2");
            *v != 1
        })
    }));
    assert!(result.is_err());
    let live: Vec<_> = arena.handles().collect();
    assert_eq!(live, [handles[0], handles[2], handles[3]]);
}

#[test]
fn a_handle_built_from_bits_is_checked_like_any_other() {
    let mut arena = GenArena::new();
    let h = arena.insert(1u8);
    let forged = Handle::<u8>::from_bits(h.to_bits() + (2 << 32)).unwrap();
    assert_eq!(arena.get(forged), None);
    let out_of_range = Handle::<u8>::from_bits((1 << 32) | 999).unwrap();
    assert_eq!(arena.get(out_of_range), None);
    assert_eq!(arena.remove(out_of_range), None);
    assert_eq!(arena.len(), 1);
}

#[test]
fn index_panics_name_the_stale_handle() {
    let mut arena = GenArena::new();
    let h = arena.insert(1);
    arena.remove(h);
    let message = std::panic::catch_unwind(|| arena[h])
        .unwrap_err()
        .downcast::<String>()
        .unwrap();
    assert_eq!(
        *message,
        "stale handle: slot 0 holds no value of generation 1"
    );
}

#[test]
fn handles_and_debug_read_well() {
    let mut arena = GenArena::new();
    let a = arena.insert("a");
    let b = arena.insert("b");
    arena.remove(a);
    let c = arena.insert("c");
    assert_eq!(format!("{c:?}"), "Handle(0v2)");
    assert_eq!(
        format!("{arena:?}"),
        r#"{Handle(0v2): "c", Handle(1v1): "b"}"#
    );
    assert!(a < c && c < b, "handles order by slot, then generation");
}
