//! Model-based property tests: random sequences of allocations, scoped
//! regions and resets, checking that every live allocation still reads back
//! what was written, is aligned, and overlaps no other.

use std::alloc::Layout;
use std::ptr::NonNull;

use arenakit_arena::{Arena, Scope};
use proptest::prelude::*;

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

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 8 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn allocations_survive_regions_and_resets(
        ops in prop::collection::vec(op(), 0..if cfg!(miri) { 30 } else { 200 })
    ) {
        run_model(&ops)?;
    }
}
