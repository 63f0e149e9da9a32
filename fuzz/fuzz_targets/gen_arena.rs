//! Arbitrary sequences of operations on a `GenArena`, against a model of
//! every handle issued and the value it should find: live handles find their
//! values, stale ones find nothing, no handle is issued twice, and iteration
//! yields exactly the live values in slot order.
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
        }
        let mut live: Vec<(Handle<u16>, u16)> =
            issued.iter().filter_map(|&(h, v)| Some((h, v?))).collect();
        live.sort_by_key(|&(h, _)| h.index());
        assert_eq!(arena.len(), live.len());
        let iterated: Vec<_> = arena.iter().map(|(h, &v)| (h, v)).collect();
        assert_eq!(iterated, live);
    }
});
