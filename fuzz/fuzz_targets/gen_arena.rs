//! Arbitrary sequences of operations on a `GenArena`, against a model of
//! every handle issued and the value it should find: live handles find their
//! values, stale ones find nothing, no handle is issued twice, and iteration
//! yields exactly the live values in slot order, as do `drain` (from either
//! end) and the owning `into_iter`.
#![no_main]

use std::collections::HashSet;

use arbitrary::Arbitrary;
use arenakit::arena::{GenArena, Handle};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    Insert(u16),
    /// The next three act on the handle at this position of those issued so
    /// far, modulo their number.
    Remove(u16),
    Get(u16),
    Set(u16, u16),
    /// Keeps the values not divisible by `2 + this % 3`.
    Retain(u8),
    Clear,
    /// Clones the arena and carries on with the clone.
    Clone,
    /// Drains this many values from the front, or the back if the flag is
    /// set, then drops the drain, which removes the rest.
    Drain(u8, bool),
}

/// The handles issued that should find a value, with it, in slot order.
fn live(issued: &[(Handle<u16>, Option<u16>)]) -> Vec<(Handle<u16>, u16)> {
    let mut live: Vec<_> = issued.iter().filter_map(|&(h, v)| Some((h, v?))).collect();
    live.sort_by_key(|&(h, _)| h.index());
    live
}

fuzz_target!(|ops: Vec<Op>| {
    let mut arena = GenArena::new();
    let mut issued: Vec<(Handle<u16>, Option<u16>)> = Vec::new();
    let mut seen = HashSet::new();
    for op in &ops {
        let pick = |i: &u16| (!issued.is_empty()).then(|| usize::from(*i) % issued.len());
        match op {
            Op::Insert(v) => {
                let h = arena.insert(*v);
                assert!(seen.insert(h), "{h:?} issued twice");
                issued.push((h, Some(*v)));
            }
            Op::Remove(i) => {
                if let Some(i) = pick(i) {
                    let (h, expected) = &mut issued[i];
                    assert_eq!(arena.remove(*h), expected.take());
                }
            }
            Op::Get(i) => {
                if let Some(i) = pick(i) {
                    let (h, expected) = issued[i];
                    assert_eq!(arena.get(h).copied(), expected);
                }
            }
            Op::Set(i, v) => {
                if let Some(i) = pick(i) {
                    let (h, expected) = &mut issued[i];
                    match arena.get_mut(*h) {
                        Some(value) => {
                            *value = *v;
                            *expected = Some(*v);
                        }
                        None => assert!(expected.is_none()),
                    }
                }
            }
            Op::Retain(m) => {
                let m = 2 + u16::from(*m) % 3;
                arena.retain(|_, v| *v % m != 0);
                for (_, expected) in &mut issued {
                    if expected.is_some_and(|v| v % m == 0) {
                        *expected = None;
                    }
                }
            }
            Op::Clear => {
                arena.clear();
                issued.iter_mut().for_each(|(_, expected)| *expected = None);
            }
            Op::Clone => arena = arena.clone(),
            Op::Drain(n, from_back) => {
                let mut live = live(&issued);
                if *from_back {
                    live.reverse();
                }
                let mut drain = arena.drain();
                for expected in live.iter().take(usize::from(*n)) {
                    let got = if *from_back {
                        drain.next_back()
                    } else {
                        drain.next()
                    };
                    assert_eq!(got.as_ref(), Some(expected));
                }
                drop(drain);
                issued.iter_mut().for_each(|(_, expected)| *expected = None);
            }
        }
        let live = live(&issued);
        assert_eq!(arena.len(), live.len());
        let iterated: Vec<_> = arena.iter().map(|(h, &v)| (h, v)).collect();
        assert_eq!(iterated, live);
    }
    // The owning iterator yields the same as `iter`.
    assert_eq!(arena.into_iter().collect::<Vec<_>>(), live(&issued));
});
