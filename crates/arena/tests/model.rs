//! Model-based property tests: random sequences of allocations, scoped
//! regions and resets, checking that every live allocation still reads back
//! what was written, is aligned, and overlaps no other.

use std::alloc::Layout;
use std::ptr::NonNull;

use arenakit_arena::{Arena, Scope};
use proptest::prelude::*;

mod common;

#[derive(Clone, Debug)]
enum Op {
    /// Raw allocation of `size` bytes aligned to `1 << align_log2`.
    Layout { size: usize, align_log2: u32 },
    /// A typed allocation of a `[u64; 3]`.
    Value,
    /// A string copy of `len` bytes.
    Str { len: usize },
    /// Opens a child region.
    Enter,
    /// Closes the innermost child region (ignored at the root).
    Leave,
    /// Resets the arena (closing every region).
    Reset,
}

/// Largest small and large request; kept small under Miri.
const SMALL: usize = if cfg!(miri) { 48 } else { 300 };
const LARGE: usize = if cfg!(miri) { 1200 } else { 5000 };

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..SMALL, 0u32..13).prop_map(|(size, align_log2)| Op::Layout { size, align_log2 }),
        1 => (0..LARGE).prop_map(|size| Op::Layout { size, align_log2: 3 }),
        3 => Just(Op::Value),
        2 => (0usize..40).prop_map(|len| Op::Str { len }),
        2 => Just(Op::Enter),
        2 => Just(Op::Leave),
        1 => Just(Op::Reset),
    ]
}

/// One live allocation: where it is, how it must be aligned, and the byte
/// pattern written into it.
struct Live {
    ptr: NonNull<u8>,
    len: usize,
    align: usize,
    seed: u8,
    /// Bits of the pattern that were written (strings keep to ASCII).
    mask: u8,
}

fn byte(seed: u8, i: usize) -> u8 {
    seed.wrapping_add(i as u8).wrapping_mul(31)
}

fn check(live: &[Live]) -> Result<(), TestCaseError> {
    let mut ranges = Vec::new();
    for a in live {
        prop_assert_eq!(a.ptr.as_ptr().addr() % a.align, 0, "misaligned");
        for i in 0..a.len {
            // SAFETY: the allocation is live (its region is open) and `i < len`.
            let b = unsafe { a.ptr.add(i).read() };
            prop_assert_eq!(b, byte(a.seed, i) & a.mask, "allocation was overwritten");
        }
        if a.len > 0 {
            ranges.push((a.ptr.as_ptr().addr(), a.ptr.as_ptr().addr() + a.len));
        }
    }
    ranges.sort_unstable();
    for w in ranges.windows(2) {
        prop_assert!(w[0].1 <= w[1].0, "allocations overlap");
    }
    Ok(())
}

enum Exit {
    Leave,
    Reset,
    End,
}

struct Run<'o> {
    ops: &'o [Op],
    next: usize,
    seed: u8,
}

impl Run<'_> {
    /// Interprets ops in `scope` until a `Leave` (in a child), a `Reset` or the end.
    fn region(
        &mut self,
        scope: &mut Scope<'_>,
        depth: usize,
        live: &mut Vec<Live>,
    ) -> Result<Exit, TestCaseError> {
        while let Some(op) = self.ops.get(self.next).cloned() {
            self.next += 1;
            self.seed = self.seed.wrapping_add(1);
            let seed = self.seed;
            match op {
                Op::Layout { size, align_log2 } => {
                    let layout = Layout::from_size_align(size, 1 << align_log2).unwrap();
                    let ptr = scope.alloc_layout(layout);
                    for i in 0..size {
                        // SAFETY: `ptr` is valid for `size` bytes.
                        unsafe { ptr.add(i).write(byte(seed, i)) };
                    }
                    live.push(Live {
                        ptr,
                        len: size,
                        align: layout.align(),
                        seed,
                        mask: 0xff,
                    });
                }
                Op::Value => {
                    let v = [u64::from(seed); 3];
                    let r = scope.alloc(v);
                    prop_assert_eq!(*r, v);
                    let ptr = NonNull::from(&mut *r).cast::<u8>();
                    for i in 0..24 {
                        // SAFETY: `r` is 24 bytes long and exclusively ours.
                        unsafe { ptr.add(i).write(byte(seed, i)) };
                    }
                    live.push(Live {
                        ptr,
                        len: 24,
                        align: 8,
                        seed,
                        mask: 0xff,
                    });
                }
                Op::Str { len } => {
                    let text: String = (0..len)
                        .map(|i| char::from(b'a' + (i % 26) as u8))
                        .collect();
                    let s = scope.alloc_str(&text);
                    prop_assert_eq!(&*s, text.as_str());
                    // SAFETY: the bytes written are ASCII, so `s` stays UTF-8.
                    let bytes = unsafe { s.as_bytes_mut() };
                    for (i, b) in bytes.iter_mut().enumerate() {
                        *b = byte(seed, i) & 0x7f;
                    }
                    live.push(Live {
                        ptr: NonNull::from(bytes).cast(),
                        len,
                        align: 1,
                        seed,
                        mask: 0x7f,
                    });
                }
                Op::Enter => {
                    let mark = live.len();
                    let before = scope.allocated_bytes();
                    let exit = scope.scoped(|inner| self.region(inner, depth + 1, live))?;
                    live.truncate(mark);
                    prop_assert_eq!(scope.allocated_bytes(), before, "region not released");
                    match exit {
                        Exit::Leave => {}
                        Exit::Reset | Exit::End => return Ok(exit),
                    }
                }
                Op::Leave => {
                    if depth > 0 {
                        return Ok(Exit::Leave);
                    }
                }
                Op::Reset => return Ok(Exit::Reset),
            }
            check(live)?;
        }
        Ok(Exit::End)
    }
}

fn run_model(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut arena = Arena::new();
    let mut run = Run {
        ops,
        next: 0,
        seed: 0,
    };
    loop {
        let mut live = Vec::new();
        let exit = {
            let mut scope = arena.scope();
            run.region(&mut scope, 0, &mut live)?
        };
        drop(live);
        match exit {
            Exit::Reset => {
                arena.reset();
                prop_assert_eq!(arena.allocated_bytes(), 0);
                prop_assert!(arena.stats().chunk_count <= 1);
            }
            Exit::Leave | Exit::End => return Ok(()),
        }
    }
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn allocations_survive_regions_and_resets(
        ops in prop::collection::vec(op(), 0..if cfg!(miri) { 30 } else { 200 })
    ) {
        run_model(&ops)?;
    }
}

/// One step on two arena vectors (of different element sizes), mirrored on
/// `std` vectors.
#[derive(Clone, Debug)]
enum VecOp {
    Push(u16),
    Pop,
    Truncate(usize),
    Clear,
    Reserve(usize),
    ExtendFromSlice(Vec<u16>),
    /// `Extend` from an iterator that hides its length.
    ExtendFiltered(usize),
    /// Another allocation in the arena, so the next growth cannot be in place.
    Interleave,
    /// Pushes onto the second vector (growth alternates between the two).
    PushOther(u64),
    /// Freezes the first vector into a slice, checks it, and starts a new one.
    Freeze,
}

fn vec_op() -> impl Strategy<Value = VecOp> {
    prop_oneof![
        8 => any::<u16>().prop_map(VecOp::Push),
        2 => Just(VecOp::Pop),
        1 => (0usize..20).prop_map(VecOp::Truncate),
        1 => Just(VecOp::Clear),
        1 => (0usize..50).prop_map(VecOp::Reserve),
        2 => prop::collection::vec(any::<u16>(), 0..20).prop_map(VecOp::ExtendFromSlice),
        1 => (0usize..20).prop_map(VecOp::ExtendFiltered),
        2 => Just(VecOp::Interleave),
        3 => any::<u64>().prop_map(VecOp::PushOther),
        1 => Just(VecOp::Freeze),
    ]
}

fn run_vec_model(ops: &[VecOp]) -> Result<(), TestCaseError> {
    let arena = Arena::new();
    let mut frozen: Vec<(&[u16], Vec<u16>)> = Vec::new();
    let mut interleaved: Vec<(&u64, u64)> = Vec::new();
    let mut a = arenakit_arena::Vec::new_in(&arena);
    let mut model_a: Vec<u16> = Vec::new();
    let mut b = arenakit_arena::Vec::new_in(&arena);
    let mut model_b: Vec<u64> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        match op.clone() {
            VecOp::Push(x) => {
                a.push(x);
                model_a.push(x);
            }
            VecOp::Pop => prop_assert_eq!(a.pop(), model_a.pop()),
            VecOp::Truncate(n) => {
                a.truncate(n);
                model_a.truncate(n);
            }
            VecOp::Clear => {
                a.clear();
                model_a.clear();
            }
            VecOp::Reserve(n) => {
                a.reserve(n);
                prop_assert!(a.capacity() >= a.len() + n);
            }
            VecOp::ExtendFromSlice(xs) => {
                a.extend_from_slice(&xs);
                model_a.extend_from_slice(&xs);
            }
            VecOp::ExtendFiltered(n) => {
                let xs = (0..n as u16).filter(|x| x % 3 != 0);
                a.extend(xs.clone());
                model_a.extend(xs);
            }
            VecOp::Interleave => interleaved.push((arena.alloc(i as u64), i as u64)),
            VecOp::PushOther(x) => {
                b.push(x);
                model_b.push(x);
            }
            VecOp::Freeze => {
                let done = std::mem::replace(&mut a, arenakit_arena::Vec::new_in(&arena));
                frozen.push((done.into_slice(), std::mem::take(&mut model_a)));
            }
        }
        prop_assert!(a.len() <= a.capacity());
        prop_assert_eq!(a.as_slice(), &model_a[..]);
        prop_assert_eq!(b.as_slice(), &model_b[..]);
    }
    // Nothing written through one vector or allocation reached another.
    for (slice, model) in &frozen {
        prop_assert_eq!(*slice, &model[..]);
    }
    for (value, expected) in &interleaved {
        prop_assert_eq!(**value, *expected);
    }
    prop_assert_eq!(a.into_slice(), &model_a[..]);
    Ok(())
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn arena_vec_behaves_like_std_vec(
        ops in prop::collection::vec(vec_op(), 0..if cfg!(miri) { 40 } else { 300 })
    ) {
        run_vec_model(&ops)?;
    }
}
