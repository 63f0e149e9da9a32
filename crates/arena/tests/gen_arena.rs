//! `GenArena` against a model, and drop accounting.
//!
//! The model is every handle ever issued with the value it should find now
//! (`None` once removed). Random operation sequences check that a live
//! handle finds its value, a stale one finds nothing, no handle is ever
//! issued twice, and iteration yields exactly the live values in slot order.
//! A drain, taken from either end and then dropped or forgotten, yields the
//! live values it reaches and leaves the others in the arena; once finished,
//! it leaves the arena as `clear` would.

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
    /// Adds this to every value, through `values_mut`.
    AddToAll(u32),
    Clear,
    /// Drains, taking a value from the front for each `true` and from the
    /// back for each `false`, then drops the drain, or forgets it.
    Drain {
        steps: Vec<bool>,
        forget: bool,
    },
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
        1 => any::<u32>().prop_map(Op::AddToAll),
        1 => Just(Op::Clear),
        1 => (prop::collection::vec(any::<bool>(), 0..6), any::<bool>())
            .prop_map(|(steps, forget)| Op::Drain { steps, forget }),
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
            Op::AddToAll(n) => {
                prop_assert_eq!(self.arena.values_mut().len(), self.arena.len());
                for v in self.arena.values_mut() {
                    *v = v.wrapping_add(n);
                }
                for (_, expected) in &mut self.issued {
                    if let Some(v) = expected {
                        *v = v.wrapping_add(n);
                    }
                }
            }
            Op::Drain { ref steps, forget } => self.drain(steps, forget)?,
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

    fn drain(&mut self, steps: &[bool], forget: bool) -> Result<(), TestCaseError> {
        let live = self.live();
        let mut cleared = self.arena.clone();
        cleared.clear();
        // `live[front..back]` are the values the drain has not yielded.
        let (mut front, mut back) = (0, live.len());
        let mut drain = self.arena.drain();
        prop_assert_eq!(drain.len(), live.len());
        for &from_front in steps {
            let (item, expected) = if from_front {
                (drain.next(), live.get(front).filter(|_| front < back))
            } else {
                (
                    drain.next_back(),
                    back.checked_sub(1)
                        .and_then(|b| live.get(b))
                        .filter(|_| front < back),
                )
            };
            prop_assert_eq!(item.as_ref(), expected);
            if expected.is_some() {
                if from_front {
                    front += 1;
                } else {
                    back -= 1;
                }
            }
            prop_assert_eq!(drain.size_hint(), (back - front, Some(back - front)));
        }
        if forget {
            std::mem::forget(drain);
            // The values not yielded stay in the arena.
            let yielded: HashSet<_> = live[..front]
                .iter()
                .chain(&live[back..])
                .map(|&(h, _)| h)
                .collect();
            for (h, expected) in &mut self.issued {
                if yielded.contains(h) {
                    *expected = None;
                }
            }
        } else {
            drop(drain);
            prop_assert!(self.arena.is_empty());
            for (_, expected) in &mut self.issued {
                *expected = None;
            }
            // The slots are reused in the order `clear` leaves them.
            let mut drained = self.arena.clone();
            for _ in 0..=self.issued.len() {
                prop_assert_eq!(drained.insert(0), cleared.insert(0));
            }
        }
        Ok(())
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
    // Owning iteration yields the live values in slot order.
    let live = checked.live();
    let owned: Vec<_> = checked.arena.into_iter().collect();
    prop_assert_eq!(owned, live);
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

#[test]
fn drain_yields_every_value_in_slot_order_and_empties_the_arena() {
    let mut arena = GenArena::new();
    let handles: Vec<_> = (0..6).map(|i| arena.insert(i * 10)).collect();
    arena.remove(handles[1]);
    arena.remove(handles[4]);
    let mut drain = arena.drain();
    assert_eq!(format!("{drain:?}"), "Drain { remaining: 4 }");
    let mut drained = Vec::new();
    while let Some(item) = drain.next() {
        drained.push(item);
        assert_eq!(drain.len(), 4 - drained.len());
    }
    assert_eq!(drain.next(), None, "the drain is fused");
    drop(drain);
    let expected: Vec<_> = [0, 2, 3, 5].map(|i| (handles[i], i as u32 * 10)).into();
    assert_eq!(drained, expected);

    assert_eq!(arena.len(), 0);
    assert_eq!(arena.iter().count(), 0);
    for &h in &handles {
        assert_eq!(arena.get(h), None, "{h:?} is stale");
    }
    // The drained slots come first, lowest first, each at a new generation;
    // then the slots vacated before the drain.
    let again: Vec<_> = (0..7).map(|i| arena.insert(i)).collect();
    let slots: Vec<_> = again.iter().map(|h| h.index()).collect();
    assert_eq!(slots, [0, 2, 3, 5, 4, 1, 6]);
    for h in &again[..6] {
        assert_eq!(h.generation(), 2);
    }
    assert_eq!(again[6].generation(), 1);
}

#[test]
fn drain_from_the_back_yields_in_reverse_slot_order() {
    let mut arena = GenArena::new();
    let handles: Vec<_> = (0..4).map(|i| arena.insert(i)).collect();
    let reversed: Vec<_> = arena.drain().rev().collect();
    let expected: Vec<_> = handles.iter().copied().zip(0..4).rev().collect();
    assert_eq!(reversed, expected);
    assert!(arena.is_empty());
    let again: Vec<_> = (0..4).map(|i| arena.insert(i).index()).collect();
    assert_eq!(again, [0, 1, 2, 3]);
}

#[test]
fn a_drain_dropped_early_drops_the_rest_exactly_once() {
    let drops = Rc::new(Cell::new(0));
    let mut arena = GenArena::new();
    let handles: Vec<_> = (0..6)
        .map(|_| arena.insert(Counted(drops.clone())))
        .collect();
    let mut drain = arena.drain();
    let (first, _) = drain.next().unwrap();
    let (last, _) = drain.next_back().unwrap();
    assert_eq!((first, last), (handles[0], handles[5]));
    assert_eq!(drops.get(), 2, "the two values yielded are dropped");
    drop(drain);
    assert_eq!(drops.get(), 6, "the four left are dropped once each");
    assert!(arena.is_empty());
    assert!(handles.iter().all(|&h| !arena.contains(h)));
    arena.insert(Counted(drops.clone()));
    drop(arena);
    assert_eq!(drops.get(), 7);
}

#[test]
fn a_forgotten_drain_leaves_a_usable_arena() {
    let drops = Rc::new(Cell::new(0));
    let mut arena = GenArena::new();
    let handles: Vec<_> = (0..5)
        .map(|_| arena.insert(Counted(drops.clone())))
        .collect();
    let mut drain = arena.drain();
    drop(drain.next());
    drop(drain.next_back());
    std::mem::forget(drain);
    assert_eq!(drops.get(), 2);

    // The values not yielded stay, found by their handles.
    assert_eq!(arena.len(), 3);
    let live: Vec<_> = arena.handles().collect();
    assert_eq!(live, handles[1..4]);
    assert!(!arena.contains(handles[0]) && !arena.contains(handles[4]));
    // The slots vacated by the drain are reused, at new generations.
    let new = arena.insert(Counted(drops.clone()));
    assert_eq!((new.index(), new.generation()), (0, 2));
    assert!(arena.get(new).is_some());
    assert_eq!(arena.iter().count(), 4);
    drop(arena.remove(handles[2]));
    assert_eq!(drops.get(), 3);
    drop(arena);
    assert_eq!(drops.get(), 2 + 1 + 3, "every value is dropped once");
}

#[test]
fn a_panicking_destructor_in_a_drain_leaves_the_rest_in_the_arena() {
    let mut arena: GenArena<Option<Bomb>> = GenArena::new();
    let bomb = arena.insert(Some(Bomb));
    let quiet = arena.insert(None);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(arena.drain())));
    assert!(result.is_err());
    assert!(!arena.contains(bomb));
    assert!(arena.contains(quiet));
    assert_eq!(arena.len(), 1);
    assert_eq!(arena.insert(None).index(), bomb.index());
}

#[test]
fn values_mut_reaches_every_value() {
    let mut arena = GenArena::new();
    let handles: Vec<_> = (0..4).map(|i| arena.insert(i)).collect();
    arena.remove(handles[2]);
    let values = arena.values_mut();
    assert_eq!(values.len(), 3);
    for v in values {
        *v += 10;
    }
    assert_eq!(arena.values().copied().collect::<Vec<_>>(), [10, 11, 13]);
}

#[test]
fn into_iter_yields_everything_in_slot_order() {
    let mut arena = GenArena::new();
    let handles: Vec<_> = (0..5).map(|i| arena.insert(i.to_string())).collect();
    arena.remove(handles[3]);
    let mut owned = arena.into_iter();
    assert_eq!(format!("{owned:?}"), "IntoIter { remaining: 4 }");
    assert_eq!(owned.next(), Some((handles[0], "0".to_string())));
    assert_eq!(owned.next_back(), Some((handles[4], "4".to_string())));
    assert_eq!(owned.len(), 2);
    assert_eq!(owned.next_back(), Some((handles[2], "2".to_string())));
    assert_eq!(owned.next(), Some((handles[1], "1".to_string())));
    assert_eq!(owned.size_hint(), (0, Some(0)));
    assert_eq!(owned.next(), None);
    assert_eq!(owned.next_back(), None);
}

#[test]
fn into_iter_dropped_early_drops_the_rest_exactly_once() {
    let drops = Rc::new(Cell::new(0));
    let mut arena = GenArena::new();
    let handles: Vec<_> = (0..6)
        .map(|_| arena.insert(Counted(drops.clone())))
        .collect();
    drop(arena.remove(handles[1]));
    assert_eq!(drops.get(), 1);
    let mut owned = arena.into_iter();
    let (h, value) = owned.next().unwrap();
    assert_eq!(h, handles[0]);
    assert_eq!(drops.get(), 1, "a yielded value belongs to the caller");
    drop(value);
    drop(owned.next_back());
    assert_eq!(drops.get(), 3);
    drop(owned);
    assert_eq!(drops.get(), 6, "the three left are dropped once each");

    // An arena that is iterated to the end drops nothing twice either.
    let mut arena = GenArena::new();
    for _ in 0..3 {
        arena.insert(Counted(drops.clone()));
    }
    assert_eq!(arena.into_iter().count(), 3);
    assert_eq!(drops.get(), 9);
}
