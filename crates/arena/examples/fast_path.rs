//! The allocation fast path in isolation, for reading its machine code:
//!
//! ```text
//! cargo rustc --release -p arenakit-arena --example fast_path -- --emit asm
//! ```
//!
//! then look for `arenakit_alloc_24` in `target/release/examples/fast_path-*.s`.

use std::hint::black_box;

use arenakit_arena::Arena;

/// Allocates one 24-byte, 8-aligned value: the arena's fast path plus the
/// value's stores, with growth as an out-of-line call.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn arenakit_alloc_24(arena: &Arena, v: [u64; 3]) -> &mut [u64; 3] {
    arena.alloc(v)
}

/// Copies a string: the fast path for a dynamically sized, 1-aligned request.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn arenakit_alloc_str<'a>(arena: &'a Arena, s: &str) -> &'a mut str {
    arena.alloc_str(s)
}

fn main() {
    let arena = Arena::new();
    let v = arenakit_alloc_24(&arena, black_box([1, 2, 3]));
    let s = arenakit_alloc_str(&arena, black_box("probe"));
    assert_eq!((*v, &*s), ([1, 2, 3], "probe"));
}
