//! Arbitrary sequences of allocations, nested scopes and resets on an
//! `Arena`: every allocation still reads back what was written and is
//! aligned, including the parent's allocations after a child scope ends.
#![no_main]

use std::alloc::Layout;

use arbitrary::Arbitrary;
use arenakit::arena::{Arena, Scope};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    /// Allocate `len` bytes aligned to `2^(align % 13)` and fill them.
    Alloc { len: u16, align: u8, fill: u8 },
    /// Copy a string into the arena.
    Str(String),
    /// Open a child scope; it runs until the matching `Leave`.
    Enter,
    /// Close the innermost scope.
    Leave,
}

fn check(live: &[(&[u8], u8)]) {
    for (bytes, fill) in live {
        assert!(bytes.iter().all(|b| b == fill));
    }
}

/// Runs operations in `scope` until a `Leave` or the end of the input.
fn run<'a>(scope: &mut Scope<'a>, ops: &mut std::slice::Iter<'_, Op>, depth: usize) {
    let mut live: Vec<(&'a [u8], u8)> = Vec::new();
    while let Some(op) = ops.next() {
        match op {
            Op::Alloc { len, align, fill } => {
                let align = 1usize << (align % 13);
                let layout = Layout::from_size_align(usize::from(*len), align).expect("valid");
                let ptr = scope.alloc_layout(layout);
                assert_eq!(ptr.as_ptr().addr() % align, 0);
                let bytes = scope.alloc_slice_fill_with(usize::from(*len), |_| *fill);
                live.push((bytes, *fill));
            }
            Op::Str(s) => {
                let copy = scope.alloc_str(s);
                assert_eq!(copy, s.as_str());
            }
            Op::Enter if depth < 64 => scope.scoped(|child| run(child, ops, depth + 1)),
            Op::Enter => {}
            Op::Leave if depth > 0 => break,
            Op::Leave => {}
        }
        check(&live);
    }
    check(&live);
}

fuzz_target!(|rounds: Vec<Vec<Op>>| {
    let mut arena = Arena::new();
    for ops in &rounds {
        {
            let mut root = arena.scope();
            run(&mut root, &mut ops.iter(), 0);
        }
        arena.reset();
        assert_eq!(arena.allocated_bytes(), 0);
    }
});
