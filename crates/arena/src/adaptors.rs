//! Allocator adaptors over the `allocator_api2` trait: [`Counting`] and
//! [`Logging`] proxies, the [`Fallback`] pair with its [`Owns`] trait, and
//! the [`Null`] allocator.
//!
//! Each adaptor implements [`allocator_api2::alloc::Allocator`] and wraps
//! anything that does (`&Arena`, `Global`, or another adaptor), so they
//! compose: `Fallback<Counting<&Arena>, Counting<Global>>` is an arena that
//! spills to the heap, with a count of what went where.
//!
//! # Zero-size layouts
//!
//! A zero-size block owns no memory. [`Null`] and [`Fallback`] answer
//! zero-size requests themselves, as `allocator_api2::alloc::Global` does:
//! they return a dangling pointer whose address is the layout's alignment,
//! and giving such a block back does nothing. [`Counting`] and [`Logging`] forward
//! zero-size requests like any other and count or report them.

use core::alloc::Layout;
use core::cell::Cell;
use core::fmt;
use core::ptr::{self, NonNull};

use allocator_api2::alloc::{AllocError, Allocator, Global};

use crate::Arena;

/// The block an allocator that answers zero-size requests itself returns
/// for a zero-size `layout`: a pointer with no provenance whose address is
/// `layout.align()` (the same as `allocator_api2::alloc::Global`).
#[inline]
fn dangling(layout: Layout) -> NonNull<[u8]> {
    // SAFETY: a `Layout`'s alignment is a nonzero power of two, so the
    // pointer is not null.
    let p = unsafe { NonNull::new_unchecked(ptr::without_provenance_mut::<u8>(layout.align())) };
    NonNull::slice_from_raw_parts(p, 0)
}

/// Whether `ptr` is the block [`dangling`] returns for the zero-size `layout`.
#[inline]
fn is_dangling(ptr: NonNull<u8>, layout: Layout) -> bool {
    layout.size() == 0 && ptr.as_ptr().addr() == layout.align()
}

// ----- Owns -----

/// An allocator that can tell its own blocks from other allocators' blocks.
///
/// [`Fallback`] asks its primary allocator whether it owns a block to decide
/// which of its two allocators must deallocate, grow or shrink it.
///
/// Implemented for `&Arena` (the block lies in one of the arena's chunks),
/// [`Null`], [`Fallback`] (either of its allocators owns the block),
/// [`Counting`] and [`Logging`] (the wrapped allocator owns it), and for
/// references to any of these.
///
/// ```
/// use std::alloc::Layout;
///
/// use allocator_api2::alloc::{Allocator, Global};
/// use arenakit_arena::{Arena, Owns};
///
/// let arena = Arena::new();
/// let layout = Layout::new::<u64>();
/// let mine = (&arena).allocate(layout).unwrap().cast::<u8>();
/// let theirs = Global.allocate(layout).unwrap().cast::<u8>();
/// assert!((&arena).owns(mine, layout));
/// assert!(!(&arena).owns(theirs, layout));
/// // SAFETY: `theirs` was allocated by `Global` with `layout`.
/// unsafe { Global.deallocate(theirs, layout) };
/// ```
///
/// # Safety
///
/// For a block of nonzero size, `owns(ptr, layout)` must return `true` if
/// the block is currently allocated by this allocator (or by a copy or clone
/// of it, which behaves as the same allocator), and `false` if it is
/// currently allocated by another allocator from memory that this allocator
/// did not hand out. [`Fallback`] relies on this to give each block back to
/// the allocator that allocated it.
///
/// For a zero-size layout the answer is the implementation's to choose (no
/// memory is involved, and [`Fallback`] never asks); the implementations in
/// this crate document theirs.
pub unsafe trait Owns: Allocator {
    /// Whether the block `ptr` of `layout` was allocated by this allocator.
    ///
    /// ```
    /// use std::alloc::Layout;
    ///
    /// use allocator_api2::alloc::Allocator;
    /// use arenakit_arena::{Arena, Owns};
    ///
    /// let arena = Arena::new();
    /// let layout = Layout::array::<u32>(4).unwrap();
    /// let block = (&arena).allocate(layout).unwrap().cast::<u8>();
    /// assert!((&arena).owns(block, layout));
    /// ```
    fn owns(&self, ptr: NonNull<u8>, layout: Layout) -> bool;
}

// SAFETY: every block of nonzero size that `&Arena` allocates lies inside
// one of the arena's chunks, and chunks are neither moved nor freed while a
// `&Arena` is live (invariant 4 of `Arena`), so `contains` answers `true`
// for it. A chunk is memory the arena obtained from the global allocator and
// holds exclusively, so a block of nonzero size that another allocator
// allocated from memory this arena did not hand out cannot overlap a chunk,
// and `contains` answers `false` for it.
/// The block lies within one of the arena's chunks (the current one, a full
/// one or a spare one).
///
/// For a zero-size layout the answer is whether the address lies inside a
/// chunk or at its end: `&Arena` returns such blocks at its cursor when it
/// has a chunk, and a dangling pointer (owned by no chunk) otherwise.
///
/// ```
/// use std::alloc::Layout;
///
/// use allocator_api2::alloc::Allocator;
/// use arenakit_arena::{Arena, Owns};
///
/// let arena = Arena::new();
/// let layout = Layout::new::<[u8; 24]>();
/// let block = (&arena).allocate(layout).unwrap().cast::<u8>();
/// assert!((&arena).owns(block, layout));
/// let other = Arena::new();
/// assert!(!(&other).owns(block, layout));
/// ```
unsafe impl Owns for &Arena {
    #[inline]
    fn owns(&self, ptr: NonNull<u8>, layout: Layout) -> bool {
        (**self).contains(ptr.as_ptr().addr(), layout.size())
    }
}

// SAFETY: a shared reference allocates, and answers `owns`, exactly as the
// allocator it points to (`allocator_api2`'s `Allocator for &A` forwards
// every call), so the contract of `A: Owns` carries over.
/// A reference owns what the allocator it points to owns.
///
/// ```
/// use std::alloc::Layout;
///
/// use allocator_api2::alloc::Allocator;
/// use arenakit_arena::{Null, Owns};
///
/// let null = Null;
/// let layout = Layout::new::<()>();
/// let block = (&null).allocate(layout).unwrap().cast::<u8>();
/// assert!((&&null).owns(block, layout));
/// ```
unsafe impl<A: Owns + ?Sized> Owns for &A {
    #[inline]
    fn owns(&self, ptr: NonNull<u8>, layout: Layout) -> bool {
        (**self).owns(ptr, layout)
    }
}

// ----- Independent -----

/// An allocator whose blocks never lie inside a block that another
/// allocator handed out: it takes its memory from the global allocator or
/// the system, never from a slice some other allocator gave it.
///
/// [`Fallback::new`] requires it of the secondary allocator, because the
/// primary tells its blocks apart by address ([`Owns`]): a secondary that
/// carved its blocks out of memory the primary had handed out would see
/// them claimed, and freed, by the primary. A secondary without this
/// guarantee can still be used, through the `unsafe`
/// [`Fallback::new_unchecked`].
///
/// Implemented for `Global`, `&Arena` (its chunks come from the global
/// allocator), [`Null`] (it hands out no memory), and for [`Counting`],
/// [`Logging`], [`Fallback`] and references over allocators that have it.
///
/// ```
/// use allocator_api2::alloc::Global;
/// use arenakit_arena::{Counting, Independent};
///
/// fn independent<A: Independent>(_: &A) {}
/// independent(&Counting::new(Global));
/// ```
///
/// # Safety
///
/// No block the allocator returns may overlap memory that another
/// allocator handed out, to anyone but this allocator, and still holds
/// allocated. (An arena's blocks lie in chunks the global allocator handed
/// out to the arena itself.)
pub unsafe trait Independent: Allocator {}

// SAFETY: the global allocator's blocks are its own memory; no other
// allocator's live block overlaps them.
unsafe impl Independent for Global {}

// SAFETY: the arena's chunks are blocks of the global allocator that the
// arena owns until it drops, and it hands out memory only from them.
unsafe impl Independent for &Arena {}

// SAFETY: `Null` hands out no memory: zero-size blocks are dangling
// pointers that cover no byte.
unsafe impl Independent for Null {}

// SAFETY: the references hand out what the allocator they point to does.
unsafe impl<A: Independent + ?Sized> Independent for &A {}

// SAFETY: `Counting` hands out exactly the blocks of the allocator it wraps.
unsafe impl<A: Independent> Independent for Counting<A> {}

// SAFETY: `Logging` hands out exactly the blocks of the allocator it wraps.
unsafe impl<A: Independent, F: Fn(&AllocEvent)> Independent for Logging<A, F> {}

// SAFETY: a `Fallback` hands out blocks of its two allocators, and
// dangling pointers for zero-size requests, which cover no byte.
unsafe impl<P: Owns + Independent, S: Independent> Independent for Fallback<P, S> {}

// ----- Counting -----

/// What a [`Counting`] allocator has seen, returned by [`Counting::stats`].
///
/// Sizes are those of the layouts passed in, which is what the caller asked
/// for; the wrapped allocator may round them up.
///
/// ```
/// use allocator_api2::alloc::Global;
/// use allocator_api2::vec::Vec;
/// use arenakit_arena::Counting;
///
/// let counting = Counting::new(Global);
/// let mut v: Vec<u64, _> = Vec::with_capacity_in(4, &counting);
/// v.extend([1, 2, 3, 4, 5]);
/// let stats = counting.stats();
/// assert_eq!((stats.allocations, stats.grows), (1, 1));
/// assert_eq!(stats.live_bytes, 8 * 8);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AllocStats {
    /// Successful `allocate` and `allocate_zeroed` calls, zero-size ones included.
    pub allocations: usize,
    /// `deallocate` calls.
    pub deallocations: usize,
    /// Successful `grow` and `grow_zeroed` calls.
    pub grows: usize,
    /// Successful `shrink` calls.
    pub shrinks: usize,
    /// Failed `allocate`, `allocate_zeroed`, `grow`, `grow_zeroed` and
    /// `shrink` calls.
    pub failures: usize,
    /// Bytes in blocks currently allocated.
    pub live_bytes: usize,
    /// The most `live_bytes` has been since the allocator was made or its
    /// statistics were last reset.
    pub peak_live_bytes: usize,
    /// Every byte that became live: the sizes of the successful allocations
    /// plus what successful grows added. A block that grows from 16 to 32
    /// bytes adds 16. Bytes given back are this minus `live_bytes` (as long
    /// as the statistics were not reset while blocks were live).
    pub total_bytes: usize,
}

impl AllocStats {
    /// No calls seen, no bytes live.
    const ZERO: AllocStats = AllocStats {
        allocations: 0,
        deallocations: 0,
        grows: 0,
        shrinks: 0,
        failures: 0,
        live_bytes: 0,
        peak_live_bytes: 0,
        total_bytes: 0,
    };

    fn add_live(&mut self, bytes: usize) {
        self.live_bytes = self.live_bytes.saturating_add(bytes);
        self.total_bytes = self.total_bytes.saturating_add(bytes);
        self.peak_live_bytes = self.peak_live_bytes.max(self.live_bytes);
    }

    fn remove_live(&mut self, bytes: usize) {
        self.live_bytes = self.live_bytes.saturating_sub(bytes);
    }
}

/// A proxy that forwards every call to the allocator it wraps and counts
/// them: allocations, deallocations, grows, shrinks, failures, and the bytes
/// live, at their peak and in total ([`AllocStats`]).
///
/// The counters are [`Cell`]s, so a `&Counting<A>` is itself an allocator
/// (through `allocator_api2`'s `Allocator for &A`): give collections the
/// reference and read [`stats`](Counting::stats) while they live. This is
/// how to find out what a parser allocates. `Counting` is not [`Sync`].
///
/// To see each call rather than totals, wrap the allocator in [`Logging`];
/// the two compose (`Counting<Logging<A, F>>`).
///
/// ```
/// use allocator_api2::alloc::Global;
/// use arenakit_arena::Counting;
///
/// let counting = Counting::new(Global);
/// let mut names = hashbrown::HashMap::new_in(&counting);
/// names.insert("x", 1);
/// names.insert("y", 2);
/// assert!(counting.stats().live_bytes > 0);
/// drop(names);
/// let stats = counting.stats();
/// assert_eq!(stats.live_bytes, 0);
/// assert_eq!(stats.allocations, stats.deallocations);
/// ```
#[derive(Debug, Default)]
pub struct Counting<A> {
    inner: A,
    stats: Cell<AllocStats>,
}

impl<A> Counting<A> {
    /// Wraps `inner`, with every counter at zero.
    ///
    /// ```
    /// use allocator_api2::alloc::Global;
    /// use arenakit_arena::{AllocStats, Counting};
    ///
    /// assert_eq!(Counting::new(Global).stats(), AllocStats::default());
    /// ```
    pub const fn new(inner: A) -> Counting<A> {
        Counting {
            inner,
            stats: Cell::new(AllocStats::ZERO),
        }
    }

    /// Returns the counters.
    ///
    /// ```
    /// use std::alloc::Layout;
    ///
    /// use allocator_api2::alloc::{Allocator, Global};
    /// use arenakit_arena::Counting;
    ///
    /// let counting = Counting::new(Global);
    /// let layout = Layout::new::<[u8; 10]>();
    /// let block = counting.allocate(layout).unwrap();
    /// assert_eq!(counting.stats().live_bytes, 10);
    /// // SAFETY: `block` was allocated by `counting` with `layout`.
    /// unsafe { counting.deallocate(block.cast(), layout) };
    /// assert_eq!(counting.stats().live_bytes, 0);
    /// assert_eq!(counting.stats().peak_live_bytes, 10);
    /// ```
    pub fn stats(&self) -> AllocStats {
        self.stats.get()
    }

    /// Starts counting again: every count and `total_bytes` go back to 0,
    /// while `live_bytes` keeps describing the blocks still allocated and
    /// `peak_live_bytes` becomes equal to it.
    ///
    /// ```
    /// use allocator_api2::alloc::Global;
    /// use allocator_api2::vec::Vec;
    /// use arenakit_arena::Counting;
    ///
    /// let counting = Counting::new(Global);
    /// let mut v: Vec<u32, _> = Vec::with_capacity_in(8, &counting);
    /// v.push(1);
    /// counting.reset_stats();
    /// let stats = counting.stats();
    /// assert_eq!((stats.allocations, stats.total_bytes), (0, 0));
    /// assert_eq!((stats.live_bytes, stats.peak_live_bytes), (32, 32));
    /// drop(v);
    /// assert_eq!(counting.stats().deallocations, 1);
    /// assert_eq!(counting.stats().live_bytes, 0);
    /// ```
    pub fn reset_stats(&self) {
        let live = self.stats.get().live_bytes;
        self.stats.set(AllocStats {
            live_bytes: live,
            peak_live_bytes: live,
            ..AllocStats::ZERO
        });
    }

    /// Returns the wrapped allocator.
    ///
    /// ```
    /// use arenakit_arena::{Arena, Counting};
    ///
    /// let arena = Arena::new();
    /// let counting = Counting::new(&arena);
    /// assert!(std::ptr::eq(*counting.inner(), &arena));
    /// ```
    pub fn inner(&self) -> &A {
        &self.inner
    }

    /// Unwraps the allocator, dropping the counters.
    ///
    /// ```
    /// use arenakit_arena::{Counting, Null};
    ///
    /// let null: Null = Counting::new(Null).into_inner();
    /// assert_eq!(null, Null);
    /// ```
    pub fn into_inner(self) -> A {
        self.inner
    }

    /// Applies `f` to the counters.
    #[inline]
    fn update(&self, f: impl FnOnce(&mut AllocStats)) {
        let mut stats = self.stats.get();
        f(&mut stats);
        self.stats.set(stats);
    }

    /// Counts the outcome of an allocation of `layout`.
    #[inline]
    fn counted_allocation(
        &self,
        layout: Layout,
        result: Result<NonNull<[u8]>, AllocError>,
    ) -> Result<NonNull<[u8]>, AllocError> {
        self.update(|s| match result {
            Ok(_) => {
                s.allocations += 1;
                s.add_live(layout.size());
            }
            Err(_) => s.failures += 1,
        });
        result
    }

    /// Counts the outcome of a grow from `old` to `new`.
    #[inline]
    fn counted_grow(
        &self,
        old: Layout,
        new: Layout,
        result: Result<NonNull<[u8]>, AllocError>,
    ) -> Result<NonNull<[u8]>, AllocError> {
        self.update(|s| match result {
            Ok(_) => {
                s.grows += 1;
                s.add_live(new.size().saturating_sub(old.size()));
            }
            Err(_) => s.failures += 1,
        });
        result
    }
}

// SAFETY: every call is forwarded unchanged to `inner`, with the caller's
// guarantees passed on, and its result is returned unchanged; the counters
// are only observed, never used to decide anything. So each block is one of
// `inner`'s and keeps the validity `inner` gives it; moving the `Counting`
// moves `inner`, which must not invalidate its blocks (its own contract).
unsafe impl<A: Allocator> Allocator for Counting<A> {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.counted_allocation(layout, self.inner.allocate(layout))
    }

    #[inline]
    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        self.counted_allocation(layout, self.inner.allocate_zeroed(layout))
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        self.update(|s| {
            s.deallocations += 1;
            s.remove_live(layout.size());
        });
        // SAFETY: the caller guarantees that `ptr` is a block of this
        // allocator, so of `inner`, that `layout` fits it, and that it is not
        // used afterwards.
        unsafe { self.inner.deallocate(ptr, layout) }
    }

    #[inline]
    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the caller's guarantees for this call are those `inner`
        // needs: `ptr` is one of its blocks, `old_layout` fits it and
        // `new_layout` is at least as big.
        let result = unsafe { self.inner.grow(ptr, old_layout, new_layout) };
        self.counted_grow(old_layout, new_layout, result)
    }

    #[inline]
    unsafe fn grow_zeroed(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: as in `grow`.
        let result = unsafe { self.inner.grow_zeroed(ptr, old_layout, new_layout) };
        self.counted_grow(old_layout, new_layout, result)
    }

    #[inline]
    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: as in `grow`, with `new_layout` at most as big.
        let result = unsafe { self.inner.shrink(ptr, old_layout, new_layout) };
        self.update(|s| match result {
            Ok(_) => {
                s.shrinks += 1;
                s.remove_live(old_layout.size().saturating_sub(new_layout.size()));
            }
            Err(_) => s.failures += 1,
        });
        result
    }
}

// SAFETY: `Counting<A>` allocates exactly the blocks `A` allocates (see its
// `Allocator` impl), so `A`'s answers satisfy the contract for it too.
/// A `Counting` owns what the allocator it wraps owns.
///
/// ```
/// use std::alloc::Layout;
///
/// use allocator_api2::alloc::Allocator;
/// use arenakit_arena::{Arena, Counting, Owns};
///
/// let arena = Arena::new();
/// let counting = Counting::new(&arena);
/// let layout = Layout::new::<u32>();
/// let block = counting.allocate(layout).unwrap().cast::<u8>();
/// assert!(counting.owns(block, layout));
/// ```
unsafe impl<A: Owns> Owns for Counting<A> {
    #[inline]
    fn owns(&self, ptr: NonNull<u8>, layout: Layout) -> bool {
        self.inner.owns(ptr, layout)
    }
}

// ----- Logging -----

/// One call to a [`Logging`] allocator, passed to its hook after the call
/// returns.
///
/// Its [`Display`](fmt::Display) form is one short line, such as
/// `grow 16 -> 32 bytes (align 8): ok`.
///
/// ```
/// use std::alloc::Layout;
///
/// use allocator_api2::alloc::AllocError;
/// use arenakit_arena::AllocEvent;
///
/// let layout = Layout::new::<u64>();
/// let event = AllocEvent::Allocate { layout, zeroed: false, result: Err(AllocError) };
/// assert!(event.is_failure());
/// assert_eq!(event.to_string(), "allocate 8 bytes (align 8): failed");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocEvent {
    /// A call to `allocate` or `allocate_zeroed`.
    Allocate {
        /// The layout asked for.
        layout: Layout,
        /// Whether it was `allocate_zeroed`.
        zeroed: bool,
        /// The block returned, or the failure.
        result: Result<NonNull<[u8]>, AllocError>,
    },
    /// A call to `deallocate`.
    Deallocate {
        /// The block given back.
        ptr: NonNull<u8>,
        /// Its layout.
        layout: Layout,
    },
    /// A call to `grow` or `grow_zeroed`.
    Grow {
        /// The block to grow.
        ptr: NonNull<u8>,
        /// Its layout before the call.
        old_layout: Layout,
        /// The layout asked for.
        new_layout: Layout,
        /// Whether it was `grow_zeroed`.
        zeroed: bool,
        /// The grown block, or the failure (which leaves the old block as it was).
        result: Result<NonNull<[u8]>, AllocError>,
    },
    /// A call to `shrink`.
    Shrink {
        /// The block to shrink.
        ptr: NonNull<u8>,
        /// Its layout before the call.
        old_layout: Layout,
        /// The layout asked for.
        new_layout: Layout,
        /// The shrunk block, or the failure (which leaves the old block as it was).
        result: Result<NonNull<[u8]>, AllocError>,
    },
}

impl AllocEvent {
    /// Whether the call failed (a deallocation never does).
    ///
    /// ```
    /// use std::alloc::Layout;
    /// use std::ptr::NonNull;
    ///
    /// use arenakit_arena::AllocEvent;
    ///
    /// let layout = Layout::new::<u8>();
    /// let event = AllocEvent::Deallocate { ptr: NonNull::dangling(), layout };
    /// assert!(!event.is_failure());
    /// ```
    pub fn is_failure(&self) -> bool {
        match self {
            AllocEvent::Allocate { result, .. }
            | AllocEvent::Grow { result, .. }
            | AllocEvent::Shrink { result, .. } => result.is_err(),
            AllocEvent::Deallocate { .. } => false,
        }
    }
}

impl fmt::Display for AllocEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn outcome(result: &Result<NonNull<[u8]>, AllocError>) -> &'static str {
            if result.is_ok() { "ok" } else { "failed" }
        }
        match self {
            AllocEvent::Allocate {
                layout,
                zeroed,
                result,
            } => write!(
                f,
                "allocate{} {} bytes (align {}): {}",
                if *zeroed { "_zeroed" } else { "" },
                layout.size(),
                layout.align(),
                outcome(result)
            ),
            AllocEvent::Deallocate { layout, .. } => write!(
                f,
                "deallocate {} bytes (align {})",
                layout.size(),
                layout.align()
            ),
            AllocEvent::Grow {
                old_layout,
                new_layout,
                zeroed,
                result,
                ..
            } => write!(
                f,
                "grow{} {} -> {} bytes (align {}): {}",
                if *zeroed { "_zeroed" } else { "" },
                old_layout.size(),
                new_layout.size(),
                new_layout.align(),
                outcome(result)
            ),
            AllocEvent::Shrink {
                old_layout,
                new_layout,
                result,
                ..
            } => write!(
                f,
                "shrink {} -> {} bytes (align {}): {}",
                old_layout.size(),
                new_layout.size(),
                new_layout.align(),
                outcome(result)
            ),
        }
    }
}

/// A proxy that forwards every call to the allocator it wraps and then
/// reports it to a hook, as an [`AllocEvent`].
///
/// Logging is a proxy of its own rather than an option of [`Counting`], so
/// that counting costs no hook call and either can be used alone; they
/// compose, as `Counting<Logging<A, F>>`. Like `Counting`, a `&Logging` is
/// an allocator too.
///
/// The hook runs after the call returns, once per call. It may allocate
/// with other allocators (pushing to a `std` vector is fine) but must not
/// allocate through this `Logging`, which would call it again without end.
/// A hook that panics aborts the process: the call it was told of has
/// already taken effect, so unwinding through the allocator's caller could
/// leave that caller holding a block that was freed or moved.
///
/// ```
/// use std::cell::RefCell;
///
/// use allocator_api2::alloc::Global;
/// use allocator_api2::vec::Vec;
/// use arenakit_arena::Logging;
///
/// let lines = RefCell::new(std::vec::Vec::new());
/// let logging = Logging::new(Global, |event| lines.borrow_mut().push(event.to_string()));
/// let mut v: Vec<u16, _> = Vec::new_in(&logging);
/// for x in 1..=5 {
///     v.push(x);
/// }
/// drop(v);
/// assert_eq!(
///     *lines.borrow(),
///     [
///         "allocate 8 bytes (align 2): ok",
///         "grow 8 -> 16 bytes (align 2): ok",
///         "deallocate 16 bytes (align 2)",
///     ]
/// );
/// ```
pub struct Logging<A, F> {
    inner: A,
    hook: F,
}

impl<A, F: Fn(&AllocEvent)> Logging<A, F> {
    /// Wraps `inner`, reporting each call to `hook`.
    ///
    /// ```
    /// use allocator_api2::alloc::Global;
    /// use allocator_api2::boxed::Box;
    /// use arenakit_arena::Logging;
    ///
    /// let logging = Logging::new(Global, |event| eprintln!("{event}"));
    /// let b = Box::new_in(5u8, &logging);
    /// assert_eq!(*b, 5);
    /// ```
    pub const fn new(inner: A, hook: F) -> Logging<A, F> {
        Logging { inner, hook }
    }
}

impl<A, F> Logging<A, F> {
    /// Returns the wrapped allocator.
    ///
    /// ```
    /// use arenakit_arena::{Logging, Null};
    ///
    /// let logging = Logging::new(Null, |_| {});
    /// assert_eq!(*logging.inner(), Null);
    /// ```
    pub fn inner(&self) -> &A {
        &self.inner
    }

    /// Unwraps the allocator, dropping the hook.
    ///
    /// ```
    /// use arenakit_arena::{Logging, Null};
    ///
    /// assert_eq!(Logging::new(Null, |_| {}).into_inner(), Null);
    /// ```
    pub fn into_inner(self) -> A {
        self.inner
    }
}

impl<A, F: Fn(&AllocEvent)> Logging<A, F> {
    /// Passes `event` to the hook, and aborts the process if the hook
    /// panics.
    ///
    /// The call the event reports has already happened: a block may have
    /// been freed, or moved by a grow or shrink. Unwinding from here would
    /// hand the caller an error in place of the new block, and the caller
    /// would go on using, or free again, the old one.
    #[inline]
    fn report(&self, event: &AllocEvent) {
        /// Aborts when dropped, which happens only if the hook unwinds.
        struct AbortOnUnwind;
        impl Drop for AbortOnUnwind {
            fn drop(&mut self) {
                std::process::abort()
            }
        }
        let guard = AbortOnUnwind;
        (self.hook)(event);
        std::mem::forget(guard);
    }
}

impl<A: fmt::Debug, F> fmt::Debug for Logging<A, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logging")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

// SAFETY: every call is forwarded unchanged to `inner`, with the caller's
// guarantees passed on, and its result is returned unchanged; the hook only
// sees copies of the arguments and results, and cannot unwind in place of
// a result (`report` aborts if it panics). So each block is one of
// `inner`'s and keeps the validity `inner` gives it; moving the `Logging`
// moves `inner`, which must not invalidate its blocks (its own contract).
unsafe impl<A: Allocator, F: Fn(&AllocEvent)> Allocator for Logging<A, F> {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let result = self.inner.allocate(layout);
        self.report(&AllocEvent::Allocate {
            layout,
            zeroed: false,
            result,
        });
        result
    }

    #[inline]
    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let result = self.inner.allocate_zeroed(layout);
        self.report(&AllocEvent::Allocate {
            layout,
            zeroed: true,
            result,
        });
        result
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller guarantees that `ptr` is a block of this
        // allocator, so of `inner`, that `layout` fits it, and that it is not
        // used afterwards.
        unsafe { self.inner.deallocate(ptr, layout) };
        self.report(&AllocEvent::Deallocate { ptr, layout });
    }

    #[inline]
    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the caller's guarantees for this call are those `inner`
        // needs: `ptr` is one of its blocks, `old_layout` fits it and
        // `new_layout` is at least as big.
        let result = unsafe { self.inner.grow(ptr, old_layout, new_layout) };
        self.report(&AllocEvent::Grow {
            ptr,
            old_layout,
            new_layout,
            zeroed: false,
            result,
        });
        result
    }

    #[inline]
    unsafe fn grow_zeroed(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: as in `grow`.
        let result = unsafe { self.inner.grow_zeroed(ptr, old_layout, new_layout) };
        self.report(&AllocEvent::Grow {
            ptr,
            old_layout,
            new_layout,
            zeroed: true,
            result,
        });
        result
    }

    #[inline]
    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: as in `grow`, with `new_layout` at most as big.
        let result = unsafe { self.inner.shrink(ptr, old_layout, new_layout) };
        self.report(&AllocEvent::Shrink {
            ptr,
            old_layout,
            new_layout,
            result,
        });
        result
    }
}

// SAFETY: `Logging<A, F>` allocates exactly the blocks `A` allocates (see
// its `Allocator` impl), so `A`'s answers satisfy the contract for it too.
/// A `Logging` owns what the allocator it wraps owns; asking is not logged.
///
/// ```
/// use std::alloc::Layout;
///
/// use allocator_api2::alloc::Allocator;
/// use arenakit_arena::{Arena, Logging, Owns};
///
/// let arena = Arena::new();
/// let logging = Logging::new(&arena, |_| {});
/// let layout = Layout::new::<u32>();
/// let block = logging.allocate(layout).unwrap().cast::<u8>();
/// assert!(logging.owns(block, layout));
/// ```
unsafe impl<A: Owns, F: Fn(&AllocEvent)> Owns for Logging<A, F> {
    #[inline]
    fn owns(&self, ptr: NonNull<u8>, layout: Layout) -> bool {
        self.inner.owns(ptr, layout)
    }
}

// ----- Null -----

/// An allocator that fails every request for memory: for tests of "this
/// code path must not allocate".
///
/// A zero-size layout needs no memory, so `allocate` succeeds for it and
/// returns a dangling pointer whose address is the layout's alignment (as
/// `allocator_api2::alloc::Global` does). `deallocate`, `grow` and `shrink`
/// accept only such blocks, and panic when given anything else.
///
/// ```
/// use allocator_api2::vec::Vec;
/// use arenakit_arena::Null;
///
/// let mut v: Vec<u32, Null> = Vec::new_in(Null);
/// assert!(v.try_reserve(1).is_err());
/// let mut units: Vec<(), Null> = Vec::new_in(Null);
/// units.push(()); // Zero-sized elements need no memory.
/// assert_eq!(units.len(), 1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Null;

impl Null {
    /// Panics unless `ptr` is a block `Null` could have returned for `layout`.
    #[track_caller]
    fn check(ptr: NonNull<u8>, layout: Layout) {
        assert!(
            is_dangling(ptr, layout),
            "Null was given a block it never allocated ({} bytes, align {})",
            layout.size(),
            layout.align()
        );
    }
}

// SAFETY: the only blocks returned are zero-size ones, which need no memory:
// a dangling, non-null pointer aligned to the layout is valid for zero-size
// accesses and stays so forever, whatever happens to `Null`.
/// Fails every request of nonzero size.
///
/// # Panics
///
/// `deallocate`, `grow` and `shrink` panic when given a block that `Null`
/// did not return (any block of nonzero size, for one), which is a broken
/// promise of their caller.
///
/// ```
/// use std::alloc::Layout;
///
/// use allocator_api2::alloc::Allocator;
/// use arenakit_arena::Null;
///
/// assert!(Null.allocate(Layout::new::<u8>()).is_err());
/// let zst = Null.allocate(Layout::from_size_align(0, 64).unwrap()).unwrap();
/// assert_eq!((zst.len(), zst.cast::<u8>().as_ptr().addr()), (0, 64));
/// ```
unsafe impl Allocator for Null {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if layout.size() == 0 {
            Ok(dangling(layout))
        } else {
            Err(AllocError)
        }
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        Null::check(ptr, layout);
    }

    #[inline]
    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        Null::check(ptr, old_layout);
        self.allocate(new_layout)
    }

    #[inline]
    unsafe fn grow_zeroed(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        Null::check(ptr, old_layout);
        self.allocate(new_layout)
    }

    #[inline]
    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        Null::check(ptr, old_layout);
        // The old block has size 0, so the new one does too.
        self.allocate(new_layout)
    }
}

// SAFETY: `Null` allocates no block of nonzero size, so the contract only
// asks `false` for those, which `is_dangling` answers (it requires size 0).
/// `Null` owns exactly the zero-size blocks it returns: a pointer whose
/// address is the layout's alignment.
///
/// ```
/// use std::alloc::Layout;
/// use std::ptr::NonNull;
///
/// use allocator_api2::alloc::Allocator;
/// use arenakit_arena::{Null, Owns};
///
/// let layout = Layout::new::<[u64; 0]>();
/// let block = Null.allocate(layout).unwrap().cast::<u8>();
/// assert!(Null.owns(block, layout));
/// assert!(!Null.owns(NonNull::from(&0u64).cast(), Layout::new::<u64>()));
/// ```
unsafe impl Owns for Null {
    #[inline]
    fn owns(&self, ptr: NonNull<u8>, layout: Layout) -> bool {
        is_dangling(ptr, layout)
    }
}

// ----- Fallback -----

/// A pair of allocators: requests go to the primary, and to the secondary
/// when the primary fails.
///
/// Each block is given back to, grown or shrunk by the allocator that
/// allocated it, which the primary tells apart through [`Owns`]. Growing
/// (or shrinking to a new alignment) a primary block that the primary
/// cannot resize moves it to the secondary: a block is allocated there, the
/// contents copied, and the old block deallocated in the primary. Blocks of
/// the secondary stay there.
///
/// Zero-size requests are answered by `Fallback` itself, so neither
/// allocator sees them: it returns a dangling pointer whose address is the
/// layout's alignment (as `allocator_api2::alloc::Global` does), giving such
/// a block back does nothing, and shrinking a block to size 0 deallocates it
/// and returns such a pointer.
///
/// The secondary must not hand out memory that it obtained from the
/// primary (say, an allocator carving blocks out of a slice allocated in
/// the same arena): the primary would take such blocks for its own. So
/// [`Fallback::new`] takes only an [`Independent`] secondary, and any other
/// goes through the `unsafe` [`Fallback::new_unchecked`].
///
/// The typical use is an arena with a budget that spills to the heap: a
/// parser's collections live in the arena until its
/// [allocation limit](Arena::set_allocation_limit) is reached, and in
/// `Global` after that.
///
/// ```
/// use allocator_api2::alloc::Global;
/// use allocator_api2::vec::Vec;
/// use arenakit_arena::{Arena, Counting, Fallback, Owns};
///
/// let mut arena = Arena::new();
/// arena.set_allocation_limit(Some(1024));
/// let heap = Counting::new(Global);
/// let alloc = Fallback::new(&arena, &heap);
///
/// let mut tokens: Vec<u32, _> = Vec::new_in(&alloc);
/// tokens.extend(0..100); // 400 bytes: fits in the arena.
/// assert_eq!(heap.stats().live_bytes, 0);
/// tokens.extend(100..1000); // Past the budget: moved to the heap.
/// assert_eq!(heap.stats().live_bytes, tokens.capacity() * 4);
/// assert!(tokens.iter().copied().eq(0..1000));
/// drop(tokens);
/// assert_eq!(heap.stats().live_bytes, 0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Fallback<P, S> {
    primary: P,
    secondary: S,
}

/// Pairs the default primary with the default secondary, which must be
/// [`Independent`], as for [`Fallback::new`].
///
/// ```
/// use allocator_api2::alloc::Global;
/// use allocator_api2::boxed::Box;
/// use arenakit_arena::{Fallback, Null};
///
/// let alloc: Fallback<Null, Global> = Fallback::default();
/// assert_eq!(*Box::new_in(1u8, alloc), 1);
/// ```
impl<P: Default, S: Default + Independent> Default for Fallback<P, S> {
    fn default() -> Self {
        Fallback::new(P::default(), S::default())
    }
}

impl<P, S: Independent> Fallback<P, S> {
    /// Pairs `primary` with `secondary`, which serves what `primary` cannot.
    ///
    /// ```
    /// use allocator_api2::alloc::Global;
    /// use allocator_api2::boxed::Box;
    /// use arenakit_arena::{Fallback, Null};
    ///
    /// let alloc = Fallback::new(Null, Global);
    /// let b = Box::new_in(7u32, alloc);
    /// assert_eq!(*b, 7);
    /// ```
    pub const fn new(primary: P, secondary: S) -> Fallback<P, S> {
        Fallback { primary, secondary }
    }
}

impl<P, S> Fallback<P, S> {
    /// Pairs `primary` with a `secondary` that may not be [`Independent`].
    ///
    /// # Safety
    ///
    /// No block `secondary` hands out may lie in memory that `primary`
    /// handed out: the pair gives every block that `primary` claims through
    /// [`Owns`] back to `primary`.
    ///
    /// ```
    /// use allocator_api2::alloc::Global;
    /// use arenakit_arena::{Fallback, Null};
    ///
    /// // SAFETY: `Global` takes its memory from the system, not from `Null`.
    /// let alloc = unsafe { Fallback::new_unchecked(Null, Global) };
    /// assert_eq!(*alloc.primary(), Null);
    /// ```
    pub const unsafe fn new_unchecked(primary: P, secondary: S) -> Fallback<P, S> {
        Fallback { primary, secondary }
    }

    /// Returns the primary allocator.
    ///
    /// ```
    /// use allocator_api2::alloc::Global;
    /// use arenakit_arena::{Fallback, Null};
    ///
    /// assert_eq!(*Fallback::new(Null, Global).primary(), Null);
    /// ```
    pub fn primary(&self) -> &P {
        &self.primary
    }

    /// Returns the secondary allocator.
    ///
    /// ```
    /// use arenakit_arena::{Counting, Fallback, Null};
    ///
    /// let alloc = Fallback::new(Null, Counting::new(Null));
    /// assert_eq!(alloc.secondary().stats().allocations, 0);
    /// ```
    pub fn secondary(&self) -> &S {
        &self.secondary
    }

    /// Splits the pair into the primary and the secondary allocator.
    ///
    /// ```
    /// use allocator_api2::alloc::Global;
    /// use arenakit_arena::{Fallback, Null};
    ///
    /// let (primary, _global) = Fallback::new(Null, Global).into_parts();
    /// assert_eq!(primary, Null);
    /// ```
    pub fn into_parts(self) -> (P, S) {
        (self.primary, self.secondary)
    }
}

impl<P: Owns, S: Allocator> Fallback<P, S> {
    /// Moves the primary block `ptr` of `old_layout` to a block of
    /// `new_layout` in the secondary, copying `copy` bytes.
    ///
    /// # Safety
    ///
    /// `ptr` is a block currently allocated by the primary, `old_layout`
    /// fits it, `copy` is at most the size of both layouts, and `ptr` is
    /// not used again if this returns `Ok`.
    unsafe fn move_to_secondary(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
        copy: usize,
        zeroed: bool,
    ) -> Result<NonNull<[u8]>, AllocError> {
        let new = if zeroed {
            self.secondary.allocate_zeroed(new_layout)?
        } else {
            self.secondary.allocate(new_layout)?
        };
        // SAFETY: `ptr` is valid for reads of `old_layout.size() >= copy`
        // bytes and `new` for writes of `new_layout.size() >= copy` bytes
        // (the caller's guarantees); `new` is a fresh block of the
        // secondary, which hands out no memory the primary handed out (the
        // precondition of `new` and `new_unchecked`), so they do not
        // overlap. Then the primary's block is given back to the primary,
        // which allocated it with `old_layout`.
        unsafe {
            ptr::copy_nonoverlapping(ptr.as_ptr(), new.cast::<u8>().as_ptr(), copy);
            self.primary.deallocate(ptr, old_layout);
        }
        Ok(new)
    }

    /// Grows `ptr` (the shared body of `grow` and `grow_zeroed`).
    ///
    /// # Safety
    ///
    /// As `Allocator::grow`.
    unsafe fn grow_impl(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
        zeroed: bool,
    ) -> Result<NonNull<[u8]>, AllocError> {
        if old_layout.size() == 0 {
            // A zero-size block is one of ours and needs no giving back.
            return if zeroed {
                self.allocate_zeroed(new_layout)
            } else {
                self.allocate(new_layout)
            };
        }
        if self.primary.owns(ptr, old_layout) {
            // SAFETY: the caller's guarantees, and `ptr` is the primary's
            // (the `Owns` contract, for a block of nonzero size).
            let grown = unsafe {
                if zeroed {
                    self.primary.grow_zeroed(ptr, old_layout, new_layout)
                } else {
                    self.primary.grow(ptr, old_layout, new_layout)
                }
            };
            match grown {
                Ok(block) => Ok(block),
                // SAFETY: a failed grow leaves `ptr` allocated by the
                // primary; `old_layout.size()` is at most the new size.
                Err(_) => unsafe {
                    self.move_to_secondary(ptr, old_layout, new_layout, old_layout.size(), zeroed)
                },
            }
        } else {
            // SAFETY: the caller's guarantees; the block is not the
            // primary's (the `Owns` contract), so it is the secondary's.
            unsafe {
                if zeroed {
                    self.secondary.grow_zeroed(ptr, old_layout, new_layout)
                } else {
                    self.secondary.grow(ptr, old_layout, new_layout)
                }
            }
        }
    }
}

// SAFETY: zero-size blocks are dangling pointers aligned to their layout,
// valid for zero-size accesses forever. Every other block is allocated by
// the primary or the secondary, which keep it valid as long as they live
// (they live in the `Fallback`, and moving or copying it moves or copies
// them, which their own contracts allow). Each such block is deallocated,
// grown or shrunk by the allocator that allocated it: `primary.owns` is
// `true` for the primary's blocks and `false` for the secondary's (the
// `Owns` contract; the secondary's memory is not the primary's). A move to
// the secondary copies the bytes the caller may rely on and returns the
// primary's block to the primary only once the new block exists.
/// Tries the primary, then the secondary.
///
/// ```
/// use std::alloc::Layout;
///
/// use allocator_api2::alloc::{Allocator, Global};
/// use arenakit_arena::{Counting, Fallback, Null};
///
/// let alloc = Fallback::new(Counting::new(Null), Counting::new(Global));
/// let layout = Layout::new::<u64>();
/// let block = alloc.allocate(layout).unwrap();
/// assert_eq!(alloc.primary().stats().failures, 1);
/// assert_eq!(alloc.secondary().stats().allocations, 1);
/// // SAFETY: `block` was allocated by `alloc` with `layout`.
/// unsafe { alloc.deallocate(block.cast(), layout) };
/// assert_eq!(alloc.secondary().stats().live_bytes, 0);
/// ```
unsafe impl<P: Owns, S: Allocator> Allocator for Fallback<P, S> {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if layout.size() == 0 {
            return Ok(dangling(layout));
        }
        self.primary
            .allocate(layout)
            .or_else(|_| self.secondary.allocate(layout))
    }

    #[inline]
    fn allocate_zeroed(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        if layout.size() == 0 {
            return Ok(dangling(layout));
        }
        self.primary
            .allocate_zeroed(layout)
            .or_else(|_| self.secondary.allocate_zeroed(layout))
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        if layout.size() == 0 {
            return;
        }
        if self.primary.owns(ptr, layout) {
            // SAFETY: the caller's guarantees, and the block is the
            // primary's (the `Owns` contract).
            unsafe { self.primary.deallocate(ptr, layout) }
        } else {
            // SAFETY: the caller's guarantees, and the block is not the
            // primary's, so it is the secondary's.
            unsafe { self.secondary.deallocate(ptr, layout) }
        }
    }

    #[inline]
    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the caller's guarantees for `grow`.
        unsafe { self.grow_impl(ptr, old_layout, new_layout, false) }
    }

    #[inline]
    unsafe fn grow_zeroed(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the caller's guarantees for `grow_zeroed`.
        unsafe { self.grow_impl(ptr, old_layout, new_layout, true) }
    }

    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        if new_layout.size() == 0 {
            // SAFETY: the caller's guarantees; the block is not used again.
            unsafe { self.deallocate(ptr, old_layout) };
            return Ok(dangling(new_layout));
        }
        // `old_layout.size() >= new_layout.size() > 0` from here on.
        if self.primary.owns(ptr, old_layout) {
            // SAFETY: the caller's guarantees, and the block is the
            // primary's (the `Owns` contract).
            match unsafe { self.primary.shrink(ptr, old_layout, new_layout) } {
                Ok(block) => Ok(block),
                // SAFETY: a failed shrink leaves `ptr` allocated by the
                // primary; `new_layout.size()` is at most the old size.
                Err(_) => unsafe {
                    self.move_to_secondary(ptr, old_layout, new_layout, new_layout.size(), false)
                },
            }
        } else {
            // SAFETY: the caller's guarantees; the block is the secondary's.
            unsafe { self.secondary.shrink(ptr, old_layout, new_layout) }
        }
    }
}

// SAFETY: a block of nonzero size that the `Fallback` allocated was
// allocated by the primary or the secondary, whose `owns` answers `true`
// for it; a block of another allocator, from memory neither of them handed
// out, gets `false` from both.
/// A `Fallback` owns what either of its allocators owns, and the zero-size
/// blocks it returns itself (a pointer whose address is the alignment).
///
/// ```
/// use std::alloc::Layout;
///
/// use allocator_api2::alloc::Allocator;
/// use arenakit_arena::{Arena, Fallback, Owns};
///
/// let (first, second) = (Arena::new(), Arena::new());
/// let alloc = Fallback::new(&first, &second);
/// let layout = Layout::new::<u64>();
/// let block = alloc.allocate(layout).unwrap().cast::<u8>();
/// assert!(alloc.owns(block, layout));
/// assert!((&first).owns(block, layout));
/// ```
unsafe impl<P: Owns, S: Owns> Owns for Fallback<P, S> {
    #[inline]
    fn owns(&self, ptr: NonNull<u8>, layout: Layout) -> bool {
        if layout.size() == 0 {
            return is_dangling(ptr, layout);
        }
        self.primary.owns(ptr, layout) || self.secondary.owns(ptr, layout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangling_blocks_are_recognised_for_their_layout_only() {
        for align in [1, 8, 4096] {
            let layout = Layout::from_size_align(0, align).unwrap();
            let block = dangling(layout);
            assert_eq!(
                (block.len(), block.cast::<u8>().as_ptr().addr()),
                (0, align)
            );
            assert!(is_dangling(block.cast(), layout));
            let sized = Layout::from_size_align(align, align).unwrap();
            assert!(!is_dangling(block.cast(), sized));
        }
        let two = Layout::from_size_align(0, 2).unwrap();
        assert!(!is_dangling(dangling(two).cast(), Layout::new::<()>()));
    }

    #[test]
    fn arena_contains_whole_blocks_of_its_chunks_only() {
        let arena = Arena::with_capacity(64);
        // The first block of a fresh chunk starts the chunk.
        let first = (&arena).allocate(Layout::new::<u64>()).unwrap();
        let start = first.cast::<u8>().as_ptr().addr();
        assert!(arena.contains(start, 64));
        assert!(arena.contains(start + 56, 8));
        assert!(
            arena.contains(start + 64, 0),
            "a zero-size block at the end"
        );
        assert!(!arena.contains(start, 65));
        assert!(!arena.contains(start + 60, 8), "straddles the end");
        assert!(!arena.contains(start + 65, 0));
        assert!(
            !arena.contains(usize::MAX - 3, 8),
            "wraps the address space"
        );
        // A full chunk is searched as well as the current one.
        (&arena).allocate(Layout::new::<[u8; 128]>()).unwrap();
        assert_eq!(arena.stats().chunk_count, 2);
        assert!(arena.contains(start + 8, 8));
        // An arena without chunks contains nothing, not even its empty cursor.
        let empty = Arena::new();
        let zst = (&empty).allocate(Layout::new::<()>()).unwrap();
        assert!(!empty.contains(zst.cast::<u8>().as_ptr().addr(), 0));
    }
}
