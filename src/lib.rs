//! arenakit: the memory side of compiler front ends.
//!
//! This facade re-exports the toolkit's crates under one name:
//!
//! - [`arena`]: the bump [`Arena`](arena::Arena), its safe scoped regions,
//!   the arena [`Vec`](arena::Vec) and [`TypedArena`](arena::TypedArena).
//! - [`intern`]: the string [`Interner`](intern::Interner) and its
//!   4-byte [`Symbol`](intern::Symbol).
//! - [`memo`]: the intrusive [`LruCache`](memo::LruCache).
//! - [`calc`]: the calc language, built from the three above.
#![forbid(unsafe_code)]

pub use arenakit_arena as arena;
pub use arenakit_calc as calc;
pub use arenakit_intern as intern;
pub use arenakit_memo as memo;

// The README's examples run as doctests, so it cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
