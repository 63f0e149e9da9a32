//! Arenas for compiler front ends.
//!
//! - [`Arena`]: a bump arena. Allocation is a pointer bump; everything is
//!   released at once by [`Arena::reset`], at the end of a [`Scope`], or when
//!   the arena drops. Types that need [`Drop`] are refused at compile time.
//! - [`Scope`]: safe scoped allocation. Allocations made inside
//!   [`Scope::scoped`] are released when it returns, and the compiler rejects
//!   any that would escape.
//! - [`Vec`]: a growable vector in an arena that turns into a `&'a mut [T]`.
//! - [`TypedArena`]: an arena of one type that runs destructors.
//! - [`Pool`]: reusable memory for one type. [`PoolBox`] (unique) and
//!   [`PoolRef`] (shared, with the count inside the pooled block) return
//!   their block to the pool on drop; an unbounded pool falls back to the
//!   heap when empty, a [bounded](Pool::bounded) one reports exhaustion.
//! - [`GenArena`]: generational slots, found through 8-byte [`Handle`]s
//!   that go stale when their value is removed.
//! - `&Arena` implements [`allocator_api2::alloc::Allocator`], so
//!   `allocator_api2::vec::Vec<T, &Arena>` and `hashbrown` maps can live in
//!   an arena. Those collections treat any allocation failure as fatal: past
//!   an arena's [allocation limit](Arena::set_allocation_limit) their
//!   infallible methods (`push`, `insert`) abort the process through
//!   [`handle_alloc_error`](std::alloc::handle_alloc_error). Under a limit,
//!   grow them with their `try_reserve` methods, or use this crate's [`Vec`],
//!   which panics with a message naming the limit.
//! - Allocator adaptors over the same trait: [`Counting`] counts what goes
//!   through any allocator (allocations, grows, live and peak bytes) and
//!   [`Logging`] reports each call to a hook, which is how to find out what a
//!   parser allocates; [`Fallback`] tries one allocator and then another,
//!   giving each block back to its owner ([`Owns`]), so that
//!   `Fallback<&Arena, Global>` spills to the heap past the arena's limit;
//!   [`Null`] fails every request for memory, for tests of code that must not
//!   allocate.
//!
//! ```
//! use arenakit_arena::Arena;
//!
//! let mut arena = Arena::new();
//! let kept = arena.alloc_str("kept");
//! assert_eq!(kept, "kept");
//! arena.scoped(|scope| {
//!     let tmp = scope.alloc_slice_copy(&[1u8, 2, 3]);
//!     assert_eq!(tmp, &[1, 2, 3]);
//! });
//! arena.reset();
//! assert_eq!(arena.allocated_bytes(), 0);
//! ```

mod adaptors;
mod alloc_api;
mod arena;
mod error;
pub mod gen_arena;
mod pool;
mod scope;
pub mod typed;
mod vec;

pub use crate::adaptors::{
    AllocEvent, AllocStats, Counting, Fallback, Independent, Logging, Null, Owns,
};
pub use crate::arena::{Arena, ArenaStats};
pub use crate::error::{AllocError, AllocErrorKind};
pub use crate::gen_arena::{GenArena, Handle};
pub use crate::pool::{Pool, PoolBox, PoolExhausted, PoolRef};
pub use crate::scope::Scope;
pub use crate::typed::TypedArena;
pub use crate::vec::Vec;
