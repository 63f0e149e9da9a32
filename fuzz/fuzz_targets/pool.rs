//! Arbitrary sequences of operations on a `Pool`'s handles, against `Rc`
//! and `Box` doing the same: values, strong counts and sharing agree after
//! every step, and the pool's live count is the model's.
#![no_main]

use std::rc::Rc;

use arbitrary::Arbitrary;
use arenakit::arena::{Pool, PoolBox, PoolRef};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    AllocBox(u32),
    AllocRef(u32),
    /// The next ones act on the handle at this position, modulo the number
    /// of handles held.
    Clone(u16),
    Drop(u16),
    MakeMut(u16, u32),
    TryUnwrap(u16),
    IntoRef(u16),
}

/// A handle and the model of it.
enum Held<'p> {
    Box(PoolBox<'p, u32>, Box<u32>),
    Ref(PoolRef<'p, u32>, Rc<u32>),
}

fn check(held: &[Held<'_>], pool: &Pool<u32>) {
    let mut live = 0;
    for (i, h) in held.iter().enumerate() {
        match h {
            Held::Box(b, m) => {
                assert_eq!(**b, **m);
                live += 1;
            }
            Held::Ref(r, m) => {
                assert_eq!(**r, **m);
                assert_eq!(PoolRef::strong_count(r), Rc::strong_count(m));
                // Count each shared value once: at its first handle.
                let first = held[..i]
                    .iter()
                    .all(|o| !matches!(o, Held::Ref(_, n) if Rc::ptr_eq(n, m)));
                if first {
                    live += 1;
                }
                for o in &held[..i] {
                    if let Held::Ref(r2, m2) = o {
                        assert_eq!(PoolRef::ptr_eq(r, r2), Rc::ptr_eq(m, m2));
                    }
                }
            }
        }
    }
    assert_eq!(pool.len(), live);
}

fuzz_target!(|input: (u8, Vec<Op>)| {
    let (bound, ops) = input;
    // A bounded pool of up to 15 blocks, or an unbounded one.
    let pool = match bound % 17 {
        16 => Pool::new(),
        n => Pool::bounded(usize::from(n)),
    };
    let mut held: Vec<Held<'_>> = Vec::new();
    for op in ops {
        let pick = |i: u16, n: usize| (n > 0).then(|| usize::from(i) % n);
        match op {
            Op::AllocBox(v) => {
                if let Ok(b) = pool.try_alloc_box(v) {
                    held.push(Held::Box(b, Box::new(v)));
                }
            }
            Op::AllocRef(v) => {
                if let Ok(r) = pool.try_alloc_ref(v) {
                    held.push(Held::Ref(r, Rc::new(v)));
                }
            }
            Op::Clone(i) => {
                if let Some(i) = pick(i, held.len())
                    && let Held::Ref(r, m) = &held[i]
                {
                    let copy = Held::Ref(PoolRef::clone(r), Rc::clone(m));
                    held.push(copy);
                }
            }
            Op::Drop(i) => {
                if let Some(i) = pick(i, held.len()) {
                    held.swap_remove(i);
                }
            }
            Op::MakeMut(i, v) => {
                if let Some(i) = pick(i, held.len())
                    && let Held::Ref(r, m) = &mut held[i]
                {
                    // A shared value needs a new block; a full bounded pool
                    // has none, so only unique values are changed there.
                    if PoolRef::strong_count(r) == 1 || pool.capacity().is_none() {
                        *PoolRef::make_mut(r) = v;
                        *Rc::make_mut(m) = v;
                    }
                }
            }
            Op::TryUnwrap(i) => {
                if let Some(i) = pick(i, held.len())
                    && matches!(held[i], Held::Ref(..))
                {
                    let Held::Ref(r, m) = held.swap_remove(i) else {
                        unreachable!()
                    };
                    match (PoolRef::try_unwrap(r), Rc::try_unwrap(m)) {
                        (Ok(a), Ok(b)) => assert_eq!(a, b),
                        (Err(r), Err(m)) => held.push(Held::Ref(r, m)),
                        _ => panic!("try_unwrap disagrees with Rc"),
                    }
                }
            }
            Op::IntoRef(i) => {
                if let Some(i) = pick(i, held.len())
                    && matches!(held[i], Held::Box(..))
                {
                    let Held::Box(b, m) = held.swap_remove(i) else {
                        unreachable!()
                    };
                    held.push(Held::Ref(PoolBox::into_ref(b), Rc::new(*m)));
                }
            }
        }
        check(&held, &pool);
    }
    drop(held);
    assert_eq!(pool.len(), 0);
});
