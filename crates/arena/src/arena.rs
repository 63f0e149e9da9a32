//! The bump arena: [`Arena`] and its statistics.

// Handing out `&mut T` from `&self` is the point of an arena: each returned
// reference points to memory no other reference covers.
#![allow(clippy::mut_from_ref)]

use core::alloc::Layout;
use core::cell::Cell;
use core::mem;
use core::ptr::{self, NonNull};
use core::slice;
use core::str;
use std::alloc;

use crate::error::{AllocError, AllocErrorKind};

/// Alignment of every chunk obtained from the global allocator.
const CHUNK_ALIGN: usize = 16;
/// Size of the first chunk when none was requested with [`Arena::with_capacity`].
const FIRST_CHUNK: usize = 4096;
/// Chunk sizes double up to this size; bigger requests get a chunk of their own size.
const MAX_GROWN_CHUNK: usize = 64 << 20;
/// Requests whose size and alignment are at most this take the short fast path.
const FAST_MAX: usize = 1 << 20;
/// The usable end of a chunk is capped here so that `addr + (align - 1) + size`
/// cannot overflow on the fast path while `size` and `align` are at most
/// [`FAST_MAX`] and `addr` is at most the usable end.
const END_CAP: usize = usize::MAX - 2 * FAST_MAX;
/// The address of every cursor of an arena that owns no current chunk.
const EMPTY_ADDR: usize = UP_ALIGN;
/// The upward cursor is always a multiple of this, and values allocated
/// upward take a multiple of this many bytes.
const UP_ALIGN: usize = 8;

/// Rounds `size` up to a multiple of [`UP_ALIGN`]; cannot overflow for the
/// size of a `Layout` (at most `isize::MAX`).
#[inline(always)]
const fn round_up(size: usize) -> usize {
    (size + (UP_ALIGN - 1)) & !(UP_ALIGN - 1)
}

/// Which end of the free space a request is served from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Upward from the cursor: sized values and `allocator_api2` blocks.
    Up,
    /// Downward from `end`: strings and slices, packed without rounding.
    Down,
}

/// One block of memory obtained from the global allocator.
///
/// Invariants:
/// 1. `ptr` was returned by `std::alloc::alloc(layout)` and is freed exactly
///    once, by the arena that owns this `Chunk`, with the same `layout`.
/// 2. `layout.size() > 0`.
struct Chunk {
    ptr: NonNull<u8>,
    layout: Layout,
}

impl Chunk {
    fn start(&self) -> usize {
        self.ptr.as_ptr().addr()
    }

    fn usable_end(&self) -> usize {
        // The allocation does not wrap the address space, so the addition cannot overflow.
        (self.start() + self.layout.size()).clamp(self.start(), END_CAP.max(self.start()))
    }

    /// Whether a request for `layout` fits in this chunk when it is empty.
    fn fits(&self, layout: Layout, side: Side) -> bool {
        let (start, top) = (self.start(), self.usable_end());
        let mask = layout.align() - 1;
        // No overflow: `size <= isize::MAX - mask`, and pads are at most `mask`.
        let need = match side {
            Side::Up => (start.wrapping_neg() & mask) + round_up(layout.size()),
            Side::Down => (top.wrapping_sub(layout.size()) & mask) + layout.size(),
        };
        need <= top - start
    }

    fn free(self) {
        // SAFETY: invariant 1 of `Chunk`: `ptr` came from `alloc(layout)` and
        // this is the single place a chunk is freed (it is consumed here).
        unsafe { alloc::dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

/// A saved arena position that a scope rewinds to.
#[derive(Clone, Copy)]
pub(crate) struct Checkpoint {
    in_use: usize,
    cursor: *mut u8,
    start: usize,
    end: usize,
    top: usize,
    used_before: usize,
}

/// Memory statistics of an [`Arena`], returned by [`Arena::stats`].
///
/// ```
/// use arenakit_arena::Arena;
///
/// let arena = Arena::new();
/// arena.alloc(7u64);
/// arena.alloc_str("abc");
/// let stats = arena.stats();
/// assert_eq!(stats.allocated_bytes, 11);
/// assert!(stats.reserved_bytes >= 11);
/// assert_eq!(stats.chunk_count, 1);
/// assert_eq!(stats.unused_bytes(), stats.reserved_bytes - 11);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ArenaStats {
    /// Bytes handed out by the live part of the arena, including alignment padding.
    pub allocated_bytes: usize,
    /// Bytes held in chunks obtained from the global allocator (used, free and spare).
    pub reserved_bytes: usize,
    /// Number of chunks held, including spare chunks kept for reuse.
    pub chunk_count: usize,
    /// Bookkeeping bytes on the heap outside the chunks (the chunk table).
    pub overhead_bytes: usize,
}

impl ArenaStats {
    /// Reserved bytes not currently handed out: free space at the end of
    /// chunks, spare chunks and the tails left behind when a chunk filled up.
    ///
    /// ```
    /// use arenakit_arena::Arena;
    ///
    /// let arena = Arena::with_capacity(1024);
    /// arena.alloc([0u8; 24]);
    /// assert_eq!(arena.stats().unused_bytes(), 1024 - 24);
    /// ```
    pub const fn unused_bytes(&self) -> usize {
        self.reserved_bytes.saturating_sub(self.allocated_bytes)
    }
}

/// A bump arena: allocation is a pointer bump in the current chunk, and all
/// memory is released at once by [`reset`](Arena::reset), by the end of a
/// [scope](Arena::scoped), or when the arena drops.
///
/// Values are never dropped, so the arena refuses types that need [`Drop`]
/// at compile time (use [`TypedArena`](crate::TypedArena) for those).
/// Memory handed out never moves until the arena is reset or dropped.
///
/// Each chunk is filled from both ends: sized values ([`alloc`](Arena::alloc)
/// and friends, and `allocator_api2` blocks) bump upward from a cursor that is
/// always 8-aligned, taking a multiple of 8 bytes each; strings and slices
/// bump downward, packed without rounding. The chunk is full when the two
/// meet.
///
/// The fast path keeps both cursors in the arena itself (no chunk header to
/// chase) and has one predictable branch; growth is a `#[cold]` call out of
/// line. For a 24-byte, 8-aligned value, x86-64 (release build) runs 5
/// instructions to allocate:
///
/// ```text
/// mov  rax, [arena.cursor]
/// lea  rcx, [rax + 24]      ; new cursor (already 8-aligned)
/// cmp  rcx, [arena.end]     ; the downward cursor
/// ja   grow                 ; #[cold], out of line
/// mov  [arena.cursor], rcx
/// ```
///
/// followed by the stores of the value itself; values aligned to more than 8
/// add an `add`/`and` pair. A string copy ([`alloc_str`](Arena::alloc_str))
/// runs 7: load `end`, `sub` the cursor, `cmp`/`ja` against the length, `sub`
/// the length and store the new `end`. The probe functions in
/// `examples/fast_path.rs` show this with
/// `cargo rustc --release -p arenakit-arena --example fast_path -- --emit asm`.
///
/// `Arena` is [`Send`] but not [`Sync`]:
///
/// ```compile_fail,E0277
/// fn assert_sync<T: Sync>() {}
/// assert_sync::<arenakit_arena::Arena>();
/// ```
///
/// ```
/// use arenakit_arena::Arena;
///
/// let arena = Arena::new();
/// let x = arena.alloc(40u64);
/// *x += 2;
/// let s = arena.alloc_str("hello");
/// let xs = arena.alloc_slice_copy(&[1, 2, 3]);
/// assert_eq!((*x, &*s, &*xs), (42, "hello", &[1, 2, 3][..]));
/// ```
///
/// Types with destructors are rejected when the program is compiled:
///
/// ```compile_fail,E0080
/// let arena = arenakit_arena::Arena::new();
/// arena.alloc(String::from("leaks")); // error: String needs Drop
/// ```
///
/// # Invariants
///
/// 1. `start <= cursor.addr() <= end <= top <= END_CAP`, and `cursor.addr()`
///    is a multiple of `UP_ALIGN`; when the arena has no current chunk, all
///    four are `EMPTY_ADDR`.
/// 2. When `in_use > 0`, the current chunk is `chunks[in_use - 1]`; `cursor`
///    carries its provenance, `start` is its start and `top` its usable end.
///    Sized values are bumped upward from `cursor`, strings and slices
///    downward from `end`.
/// 3. Bytes of the current chunk in `[cursor, end)` are not referenced by any
///    allocation handed out; chunks at indices `>= in_use` are spare (nothing
///    handed out from them is live).
/// 4. Chunks are never moved or freed except by `reset` (which takes
///    `&mut self`) and `Drop`, so every handed-out allocation stays valid for
///    the borrow of the arena it came from.
/// 5. `used_before` is the sum of bytes used in `chunks[..in_use - 1]`, and
///    `reserved` the sum of the sizes of all chunks.
/// 6. `chunks` holds its `Vec` except during a slow-path call that runs no
///    user code.
pub struct Arena {
    cursor: Cell<*mut u8>,
    end: Cell<usize>,
    start: Cell<usize>,
    top: Cell<usize>,
    in_use: Cell<usize>,
    used_before: Cell<usize>,
    reserved: Cell<usize>,
    chunks: Cell<Vec<Chunk>>,
    limit: Option<usize>,
}

// SAFETY: the arena owns its chunks exclusively (invariant 4), and every
// reference into them borrows the arena, so no reference can be live while
// the arena moves to another thread. Values stored in the arena are never
// dropped or read by the arena itself, so non-`Send` values left in it cannot
// be observed from the new thread. The `Cell`s keep `Arena` `!Sync`.
unsafe impl Send for Arena {}

impl Default for Arena {
    fn default() -> Self {
        Arena::new()
    }
}

impl core::fmt::Debug for Arena {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Arena")
            .field("stats", &self.stats())
            .field("limit", &self.limit)
            .finish()
    }
}

#[inline(always)]
fn dangling(align: usize) -> NonNull<u8> {
    // SAFETY: a `Layout`'s alignment is a nonzero power of two.
    unsafe { NonNull::new_unchecked(ptr::without_provenance_mut(align)) }
}

/// Reports a failed allocation the way every infallible method does: out of
/// memory goes to [`alloc::handle_alloc_error`], as in `std`; a reached limit
/// or an impossible size panics with the error's message.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn alloc_failed(err: AllocError, layout: Layout) -> ! {
    match err.kind() {
        AllocErrorKind::OutOfMemory => alloc::handle_alloc_error(layout),
        _ => panic!("{err}"),
    }
}

/// Refuses, at compile time, a `T` that needs `Drop`: the arena never runs
/// destructors (invariant 7), so such a value would leak silently. The check
/// is a post-monomorphisation error, reported where the caller names `T`.
#[inline(always)]
pub(crate) fn refuse_drop<T>() {
    const {
        assert!(
            !mem::needs_drop::<T>(),
            "arenas cannot hold a type that needs Drop; use TypedArena"
        )
    };
}

impl Arena {
    /// Creates an empty arena. No memory is allocated until the first allocation.
    ///
    /// ```
    /// use arenakit_arena::Arena;
    ///
    /// const EMPTY: Arena = Arena::new();
    /// let arena = EMPTY;
    /// assert_eq!(arena.stats().reserved_bytes, 0);
    /// ```
    pub const fn new() -> Arena {
        Arena {
            cursor: Cell::new(ptr::without_provenance_mut(EMPTY_ADDR)),
            end: Cell::new(EMPTY_ADDR),
            start: Cell::new(EMPTY_ADDR),
            top: Cell::new(EMPTY_ADDR),
            in_use: Cell::new(0),
            used_before: Cell::new(0),
            reserved: Cell::new(0),
            chunks: Cell::new(Vec::new()),
            limit: None,
        }
    }

    /// Creates an arena whose first chunk holds at least `bytes` bytes,
    /// allocated now (nothing is allocated when `bytes` is 0).
    ///
    /// # Panics
    ///
    /// Panics if `bytes`, rounded up to a multiple of 16 (the alignment of
    /// every chunk), exceeds `isize::MAX`; calls
    /// [`handle_alloc_error`](std::alloc::handle_alloc_error) if the global
    /// allocator fails.
    ///
    /// ```
    /// use arenakit_arena::Arena;
    ///
    /// let arena = Arena::with_capacity(1 << 16);
    /// assert_eq!(arena.stats().reserved_bytes, 1 << 16);
    /// for i in 0..1000u64 {
    ///     arena.alloc(i);
    /// }
    /// assert_eq!(arena.stats().chunk_count, 1);
    /// ```
    pub fn with_capacity(bytes: usize) -> Arena {
        let arena = Arena::new();
        if bytes > 0 {
            let layout = Layout::from_size_align(bytes, CHUNK_ALIGN).unwrap_or_else(|_| {
                alloc_failed(
                    AllocError::new(AllocErrorKind::LayoutOverflow),
                    Layout::new::<u8>(),
                )
            });
            let mut chunks = Vec::with_capacity(4);
            match arena.new_chunk_exact(layout) {
                Ok(chunk) => {
                    arena.enter(&chunk);
                    arena.in_use.set(1);
                    chunks.push(chunk);
                }
                Err(err) => alloc_failed(err, layout),
            }
            arena.chunks.set(chunks);
        }
        arena
    }

    /// Sets the most bytes this arena may reserve from the global allocator
    /// (`None`: unlimited). Chunks already held count against the limit.
    /// Past it, the `try_*` methods return [`AllocError`] and the other
    /// allocation methods panic with a message naming the limit.
    ///
    /// ```
    /// use arenakit_arena::Arena;
    ///
    /// let mut arena = Arena::new();
    /// arena.set_allocation_limit(Some(256));
    /// assert!(arena.try_alloc([0u8; 200]).is_ok());
    /// assert!(arena.try_alloc([0u8; 200]).is_err());
    /// assert_eq!(arena.allocation_limit(), Some(256));
    /// ```
    pub fn set_allocation_limit(&mut self, limit: Option<usize>) {
        self.limit = limit;
    }

    /// Returns the allocation limit set with [`set_allocation_limit`](Arena::set_allocation_limit).
    ///
    /// ```
    /// assert_eq!(arenakit_arena::Arena::new().allocation_limit(), None);
    /// ```
    pub fn allocation_limit(&self) -> Option<usize> {
        self.limit
    }

    // ----- the fast path -----

    /// Makes `chunk` the current chunk, with all of it free.
    fn enter(&self, chunk: &Chunk) {
        self.start.set(chunk.start());
        self.top.set(chunk.usable_end());
        self.end.set(chunk.usable_end());
        self.cursor.set(chunk.ptr.as_ptr());
    }

    /// Bumps upward for a sized value's layout: size and alignment at most
    /// `FAST_MAX`, size a multiple of the alignment.
    #[inline(always)]
    fn bump_up_small(&self, layout: Layout) -> Option<NonNull<u8>> {
        let cursor = self.cursor.get();
        let addr = cursor.addr();
        let start = if layout.align() <= UP_ALIGN {
            // The cursor is already aligned (invariant 1).
            addr
        } else {
            let mask = layout.align() - 1;
            // No overflow: `addr <= END_CAP` (invariant 1) and `mask <= FAST_MAX`.
            (addr + mask) & !mask
        };
        // No overflow: as above, with `size <= FAST_MAX`. The new cursor stays
        // a multiple of `UP_ALIGN` because `start` is one and so is the size.
        let new_cursor = start + round_up(layout.size());
        if new_cursor <= self.end.get() {
            self.cursor.set(cursor.with_addr(new_cursor));
            // SAFETY: `start >= addr >= EMPTY_ADDR > 0` (invariant 1).
            Some(unsafe { NonNull::new_unchecked(cursor.with_addr(start)) })
        } else {
            None
        }
    }

    /// Bumps upward for any valid layout, with exact overflow-free arithmetic.
    #[inline(always)]
    fn bump_up(&self, layout: Layout) -> Option<NonNull<u8>> {
        let cursor = self.cursor.get();
        let addr = cursor.addr();
        let pad = addr.wrapping_neg() & (layout.align() - 1);
        // No overflow: a `Layout` has `size <= isize::MAX - (align - 1)` and `pad < align`.
        let need = pad + round_up(layout.size());
        // No underflow: `addr <= end` (invariant 1).
        if need <= self.end.get() - addr {
            let start = addr + pad;
            self.cursor.set(cursor.with_addr(addr + need));
            // SAFETY: `start >= addr >= EMPTY_ADDR > 0` (invariant 1).
            Some(unsafe { NonNull::new_unchecked(cursor.with_addr(start)) })
        } else {
            None
        }
    }

    /// Bumps downward from `end` for any valid layout, with exact
    /// overflow-free arithmetic and no rounding of the size.
    #[inline(always)]
    fn bump_down(&self, layout: Layout) -> Option<NonNull<u8>> {
        let cursor = self.cursor.get();
        let end = self.end.get();
        let size = layout.size();
        let pad = end.wrapping_sub(size) & (layout.align() - 1);
        // No overflow: a `Layout` has `size <= isize::MAX - (align - 1)` and `pad < align`.
        let need = size + pad;
        // No underflow: `cursor <= end` (invariant 1).
        if need <= end - cursor.addr() {
            let new_end = end - need;
            self.end.set(new_end);
            // SAFETY: `new_end >= cursor.addr() >= EMPTY_ADDR > 0` (invariant 1).
            Some(unsafe { NonNull::new_unchecked(cursor.with_addr(new_end)) })
        } else {
            None
        }
    }

    /// Allocates memory for one `T` (not initialised), panicking on failure.
    #[inline(always)]
    fn alloc_raw<T>(&self) -> NonNull<T> {
        let layout = Layout::new::<T>();
        if layout.size() == 0 {
            return NonNull::dangling();
        }
        let fast = if layout.size() <= FAST_MAX && layout.align() <= FAST_MAX {
            self.bump_up_small(layout)
        } else {
            self.bump_up(layout)
        };
        match fast {
            Some(p) => p.cast(),
            None => self.alloc_slow_or_panic(layout, Side::Up).cast(),
        }
    }

    /// Allocates memory for one `T` (not initialised).
    #[inline(always)]
    fn try_alloc_raw<T>(&self) -> Result<NonNull<T>, AllocError> {
        let layout = Layout::new::<T>();
        if layout.size() == 0 {
            return Ok(NonNull::dangling());
        }
        let fast = if layout.size() <= FAST_MAX && layout.align() <= FAST_MAX {
            self.bump_up_small(layout)
        } else {
            self.bump_up(layout)
        };
        match fast {
            Some(p) => Ok(p.cast()),
            None => self.alloc_slow(layout, Side::Up).map(NonNull::cast),
        }
    }

    /// Allocates a block for `allocator_api2` users, on the upward side so that
    /// the last block can grow in place.
    #[inline]
    pub(crate) fn try_alloc_block(&self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        match self.bump_up(layout) {
            Some(p) => Ok(p),
            None => self.alloc_slow(layout, Side::Up),
        }
    }

    #[inline(always)]
    fn try_alloc_layout_inner(&self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        match self.bump_down(layout) {
            Some(p) => Ok(p),
            None => self.alloc_slow(layout, Side::Down),
        }
    }

    #[inline(always)]
    fn alloc_layout_inner(&self, layout: Layout) -> NonNull<u8> {
        match self.bump_down(layout) {
            Some(p) => p,
            None => self.alloc_slow_or_panic(layout, Side::Down),
        }
    }

    // ----- the slow path -----

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn alloc_slow_or_panic(&self, layout: Layout, side: Side) -> NonNull<u8> {
        match self.alloc_slow(layout, side) {
            Ok(p) => p,
            Err(err) => alloc_failed(err, layout),
        }
    }

    #[cold]
    #[inline(never)]
    fn alloc_slow(&self, layout: Layout, side: Side) -> Result<NonNull<u8>, AllocError> {
        if layout.size() == 0 {
            return Ok(dangling(layout.align()));
        }
        if let Some(p) = self.bump(layout, side) {
            return Ok(p);
        }
        let mut chunks = self.chunks.take();
        let result = self.switch_chunk(&mut chunks, layout, side);
        self.chunks.set(chunks);
        result
    }

    /// Makes a chunk that fits `layout` current (a spare one if possible) and
    /// allocates `layout` from it.
    fn bump(&self, layout: Layout, side: Side) -> Option<NonNull<u8>> {
        match side {
            Side::Up => self.bump_up(layout),
            Side::Down => self.bump_down(layout),
        }
    }

    fn switch_chunk(
        &self,
        chunks: &mut Vec<Chunk>,
        layout: Layout,
        side: Side,
    ) -> Result<NonNull<u8>, AllocError> {
        let in_use = self.in_use.get();
        let spare = chunks
            .get(in_use..)
            .unwrap_or(&[])
            .iter()
            .position(|c| c.fits(layout, side));
        match spare {
            Some(i) => chunks.swap(in_use, in_use + i),
            None => {
                let chunk = self.new_chunk(chunks, layout)?;
                chunks.insert(in_use.min(chunks.len()), chunk);
            }
        }
        let Some(next) = chunks.get(in_use) else {
            return Err(AllocError::new(AllocErrorKind::OutOfMemory));
        };
        if in_use > 0 {
            let used = self.used_in_current();
            self.used_before.set(self.used_before.get() + used);
        }
        self.in_use.set(in_use + 1);
        self.enter(next);
        self.bump(layout, side)
            .ok_or(AllocError::new(AllocErrorKind::LayoutOverflow))
    }

    /// Obtains a new chunk big enough for `layout`, growing geometrically.
    fn new_chunk(&self, chunks: &[Chunk], layout: Layout) -> Result<Chunk, AllocError> {
        let align = layout.align().max(CHUNK_ALIGN);
        // The chunk's start, and its end if its size is a multiple of the
        // alignment, are aligned, so the request needs no padding at either end.
        let needed = round_up(layout.size())
            .checked_next_multiple_of(layout.align())
            .ok_or(AllocError::new(AllocErrorKind::LayoutOverflow))?;
        let largest = chunks.iter().map(|c| c.layout.size()).max().unwrap_or(0);
        let grown = if largest == 0 {
            FIRST_CHUNK
        } else {
            largest.saturating_mul(2).min(MAX_GROWN_CHUNK).max(largest)
        };
        let mut size = grown.max(needed);
        if let Some(limit) = self.limit {
            let room = limit.saturating_sub(self.reserved.get());
            if size > room {
                if needed <= room {
                    size = needed;
                } else {
                    return Err(AllocError::new(AllocErrorKind::LimitExceeded { limit }));
                }
            }
        }
        let chunk_layout = Layout::from_size_align(size, align)
            .map_err(|_| AllocError::new(AllocErrorKind::LayoutOverflow))?;
        self.new_chunk_exact(chunk_layout)
    }

    fn new_chunk_exact(&self, layout: Layout) -> Result<Chunk, AllocError> {
        if let Some(limit) = self.limit
            && layout.size() > limit.saturating_sub(self.reserved.get())
        {
            return Err(AllocError::new(AllocErrorKind::LimitExceeded { limit }));
        }
        // SAFETY: every caller passes a layout with a nonzero size (zero-sized
        // requests are answered before any chunk is made).
        let raw = unsafe { alloc::alloc(layout) };
        let ptr = NonNull::new(raw).ok_or(AllocError::new(AllocErrorKind::OutOfMemory))?;
        self.reserved.set(self.reserved.get() + layout.size());
        Ok(Chunk { ptr, layout })
    }

    // ----- scopes -----

    pub(crate) fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            in_use: self.in_use.get(),
            cursor: self.cursor.get(),
            start: self.start.get(),
            end: self.end.get(),
            top: self.top.get(),
            used_before: self.used_before.get(),
        }
    }

    /// Rewinds the arena to `cp`; chunks made current since then become spare.
    ///
    /// # Safety
    ///
    /// `cp` was taken from this arena, no allocation made after it is used
    /// again, and since then the arena was not reset (chunks at indices below
    /// `cp.in_use` are the ones that were there when `cp` was taken).
    pub(crate) unsafe fn restore(&self, cp: Checkpoint) {
        self.in_use.set(cp.in_use);
        self.cursor.set(cp.cursor);
        self.start.set(cp.start);
        self.end.set(cp.end);
        self.top.set(cp.top);
        self.used_before.set(cp.used_before);
    }

    // ----- allocator_api2 support -----

    /// Whether the bytes `addr..addr + size` lie inside one of this arena's
    /// chunks (the current one, a full one or a spare one); for `size == 0`,
    /// whether `addr` lies inside a chunk or at its end. Backs the `Owns`
    /// impl of `&Arena`.
    pub(crate) fn contains(&self, addr: usize, size: usize) -> bool {
        let within = |start: usize, end: usize| {
            addr >= start
                && addr
                    .checked_add(size)
                    .is_some_and(|block_end| block_end <= end)
        };
        // The current chunk first, where recent blocks are (invariant 2:
        // `start..top` is its usable part when `in_use > 0`).
        if self.in_use.get() > 0 && within(self.start.get(), self.top.get()) {
            return true;
        }
        let chunks = self.chunks.take();
        // A chunk does not wrap the address space, so its end does not overflow.
        let found = chunks
            .iter()
            .any(|chunk| within(chunk.start(), chunk.start() + chunk.layout.size()));
        self.chunks.set(chunks);
        found
    }

    /// Whether the block `addr..addr + size` from `try_alloc_block` is the
    /// last upward allocation of the current chunk.
    fn is_last_block(&self, addr: usize, size: usize) -> bool {
        addr >= self.start.get()
            && size <= isize::MAX as usize
            && addr.checked_add(round_up(size)) == Some(self.cursor.get().addr())
    }

    /// If the block `ptr..ptr + size` from `try_alloc_block` is the last
    /// upward allocation of the current chunk, gives its memory back.
    pub(crate) fn reclaim_last(&self, ptr: NonNull<u8>, size: usize) {
        let addr = ptr.as_ptr().addr();
        if self.is_last_block(addr, size) {
            // `addr` was the cursor when the block was made, so it is a
            // multiple of `UP_ALIGN` (invariant 1 holds).
            self.cursor.set(self.cursor.get().with_addr(addr));
        }
    }

    /// Resizes the last upward block of the current chunk in place when it is
    /// `ptr..ptr + old_size`, `ptr` is aligned to `align` and the chunk has
    /// room. Returns the block's pointer, carrying the chunk's provenance
    /// (so it is valid for `new_size` bytes even if `ptr` was a dangling
    /// zero-sized block that happened to sit at the cursor).
    pub(crate) fn resize_last_in_place(
        &self,
        ptr: NonNull<u8>,
        old_size: usize,
        new_size: usize,
        align: usize,
    ) -> Option<NonNull<u8>> {
        let addr = ptr.as_ptr().addr();
        let fits = new_size <= isize::MAX as usize
            && round_up(new_size) <= self.end.get().saturating_sub(addr);
        if self.is_last_block(addr, old_size) && addr & (align - 1) == 0 && fits {
            let cursor = self.cursor.get();
            self.cursor.set(cursor.with_addr(addr + round_up(new_size)));
            // SAFETY: `addr >= start >= EMPTY_ADDR > 0` (`is_last_block`, invariant 1).
            Some(unsafe { NonNull::new_unchecked(cursor.with_addr(addr)) })
        } else {
            None
        }
    }

    /// Grows the upward block `ptr..ptr + old_size` to `new_layout`: in place
    /// when it is the current chunk's last block and the chunk has room,
    /// otherwise by copying it into a fresh block (the old one stays where it
    /// is until the arena is reset, like every other allocation).
    ///
    /// # Safety
    ///
    /// `ptr..ptr + old_size` is a live block from
    /// [`try_alloc_block`](Arena::try_alloc_block) of this arena (or a grown
    /// copy of one), valid for reads of `old_size` bytes, with
    /// `old_size <= new_layout.size()`; after a successful call the caller
    /// uses only the returned block.
    #[inline]
    pub(crate) unsafe fn grow_block(
        &self,
        ptr: NonNull<u8>,
        old_size: usize,
        new_layout: Layout,
    ) -> Result<NonNull<u8>, AllocError> {
        if let Some(same) =
            self.resize_last_in_place(ptr, old_size, new_layout.size(), new_layout.align())
        {
            return Ok(same);
        }
        let new = self.try_alloc_block(new_layout)?;
        // SAFETY: the caller guarantees `ptr` is valid for `old_size` bytes,
        // which is at most `new_layout.size()`; `new` is a fresh block that
        // cannot overlap it (invariant 3).
        unsafe { ptr::copy_nonoverlapping(ptr.as_ptr(), new.as_ptr(), old_size) };
        Ok(new)
    }

    // ----- public allocation API -----

    /// Moves `value` into the arena and returns a mutable reference to it.
    ///
    /// # Panics
    ///
    /// Panics if the [allocation limit](Arena::set_allocation_limit) would be
    /// exceeded, with a message naming the limit.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let point = arena.alloc((1.5f64, -2.0f64));
    /// point.0 = 3.0;
    /// assert_eq!(*point, (3.0, -2.0));
    /// ```
    #[inline(always)]
    pub fn alloc<T>(&self, value: T) -> &mut T {
        refuse_drop::<T>();
        let p = self.alloc_raw::<T>();
        // SAFETY: `p` is fresh, aligned memory for a `T` (or dangling for a
        // zero-sized `T`) that nothing else references (invariant 3) and that
        // stays valid for the borrow of `self` (invariant 4).
        unsafe {
            p.write(value);
            &mut *p.as_ptr()
        }
    }

    /// Allocates space for a `T`, then constructs it in place with `f`.
    ///
    /// `f` may itself allocate in this arena.
    ///
    /// # Panics
    ///
    /// As [`alloc`](Arena::alloc).
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let big = arena.alloc_with(|| [7u8; 4096]);
    /// assert!(big.iter().all(|&b| b == 7));
    /// ```
    #[inline(always)]
    pub fn alloc_with<T, F: FnOnce() -> T>(&self, f: F) -> &mut T {
        refuse_drop::<T>();
        let p = self.alloc_raw::<T>();
        // SAFETY: as in `alloc`; if `f` panics, nothing was written and the
        // slot is simply unused.
        unsafe {
            p.write(f());
            &mut *p.as_ptr()
        }
    }

    /// Moves `value` into the arena and returns a mutable reference to it, or
    /// returns an error.
    ///
    /// # Errors
    ///
    /// Returns an [`AllocError`] when the request fits neither the current
    /// chunk nor a spare one and no new chunk can be made for it. Its
    /// [`kind`](AllocError::kind) is
    /// [`LimitExceeded`](AllocErrorKind::LimitExceeded) if even a chunk just
    /// big enough for the request would take the arena past its
    /// [allocation limit](Arena::set_allocation_limit);
    /// [`LayoutOverflow`](AllocErrorKind::LayoutOverflow) if, within the
    /// limit, the request's size rounded up to a multiple of 16 and of its
    /// alignment exceeds `isize::MAX`; and
    /// [`OutOfMemory`](AllocErrorKind::OutOfMemory) if the global allocator
    /// fails. A zero-sized `T` never fails.
    ///
    /// ```
    /// use arenakit_arena::Arena;
    ///
    /// let mut arena = Arena::new();
    /// assert_eq!(*arena.try_alloc(5i32).unwrap(), 5);
    ///
    /// let mut small = Arena::new();
    /// small.set_allocation_limit(Some(8));
    /// assert!(small.try_alloc([0u64; 2]).is_err());
    /// ```
    #[inline(always)]
    pub fn try_alloc<T>(&self, value: T) -> Result<&mut T, AllocError> {
        refuse_drop::<T>();
        let p = self.try_alloc_raw::<T>()?;
        // SAFETY: as in `alloc`.
        unsafe {
            p.write(value);
            Ok(&mut *p.as_ptr())
        }
    }

    /// Allocates space for a `T` and constructs it in place with `f`, or
    /// returns an error.
    ///
    /// # Errors
    ///
    /// Fails as [`try_alloc`](Arena::try_alloc) does, and then `f` is not
    /// called.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let v = arena.try_alloc_with(|| [1u16; 3]).unwrap();
    /// assert_eq!(*v, [1, 1, 1]);
    /// ```
    #[inline(always)]
    pub fn try_alloc_with<T, F: FnOnce() -> T>(&self, f: F) -> Result<&mut T, AllocError> {
        refuse_drop::<T>();
        let p = self.try_alloc_raw::<T>()?;
        // SAFETY: as in `alloc_with`.
        unsafe {
            p.write(f());
            Ok(&mut *p.as_ptr())
        }
    }

    /// Copies `s` into the arena.
    ///
    /// # Panics
    ///
    /// As [`alloc`](Arena::alloc).
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let s = arena.alloc_str("héllo");
    /// s.make_ascii_uppercase();
    /// assert_eq!(s, "HéLLO");
    /// ```
    #[inline]
    pub fn alloc_str(&self, s: &str) -> &mut str {
        let bytes = self.alloc_slice_copy(s.as_bytes());
        // SAFETY: the bytes were copied from a `str`, so they are valid UTF-8.
        unsafe { str::from_utf8_unchecked_mut(bytes) }
    }

    /// Copies `s` into the arena, or returns an error.
    ///
    /// # Errors
    ///
    /// Fails as [`try_alloc`](Arena::try_alloc) does; an empty `s` never
    /// fails.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// assert_eq!(arena.try_alloc_str("abc").unwrap(), "abc");
    /// ```
    #[inline]
    pub fn try_alloc_str(&self, s: &str) -> Result<&mut str, AllocError> {
        let bytes = self.try_alloc_slice_copy(s.as_bytes())?;
        // SAFETY: the bytes were copied from a `str`, so they are valid UTF-8.
        Ok(unsafe { str::from_utf8_unchecked_mut(bytes) })
    }

    /// Copies the slice `src` into the arena.
    ///
    /// # Panics
    ///
    /// As [`alloc`](Arena::alloc).
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let xs = arena.alloc_slice_copy(&[3u32, 1, 2]);
    /// xs.sort();
    /// assert_eq!(xs, &[1, 2, 3]);
    /// ```
    #[inline]
    pub fn alloc_slice_copy<T: Copy>(&self, src: &[T]) -> &mut [T] {
        let layout = Layout::for_value(src);
        let p = self.alloc_layout_inner(layout).cast::<T>();
        // SAFETY: `p` is fresh memory for `src.len()` values of `T` that
        // cannot overlap `src` (invariant 3), and `T: Copy`.
        unsafe {
            ptr::copy_nonoverlapping(src.as_ptr(), p.as_ptr(), src.len());
            slice::from_raw_parts_mut(p.as_ptr(), src.len())
        }
    }

    /// Copies the slice `src` into the arena, or returns an error.
    ///
    /// # Errors
    ///
    /// Fails as [`try_alloc`](Arena::try_alloc) does; an empty `src` never
    /// fails.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// assert_eq!(arena.try_alloc_slice_copy(b"xyz").unwrap(), b"xyz");
    /// ```
    #[inline]
    pub fn try_alloc_slice_copy<T: Copy>(&self, src: &[T]) -> Result<&mut [T], AllocError> {
        let layout = Layout::for_value(src);
        let p = self.try_alloc_layout_inner(layout)?.cast::<T>();
        // SAFETY: as in `alloc_slice_copy`.
        unsafe {
            ptr::copy_nonoverlapping(src.as_ptr(), p.as_ptr(), src.len());
            Ok(slice::from_raw_parts_mut(p.as_ptr(), src.len()))
        }
    }

    /// Clones each element of `src` into a new slice in the arena.
    ///
    /// # Panics
    ///
    /// As [`alloc`](Arena::alloc), and if `T::clone` panics.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let names = ["a", "b"];
    /// let copy = arena.alloc_slice_clone(&names);
    /// assert_eq!(copy, &["a", "b"]);
    /// ```
    pub fn alloc_slice_clone<T: Clone>(&self, src: &[T]) -> &mut [T] {
        self.alloc_slice_fill_with(src.len(), |i| src[i].clone())
    }

    /// Collects an exact-size iterator into a new slice, writing each item in
    /// place. If the iterator yields fewer items than it reported, the slice
    /// is shortened to the items it did yield; extra items are not consumed.
    ///
    /// `next` may itself allocate in this arena.
    ///
    /// # Panics
    ///
    /// As [`alloc`](Arena::alloc); if the iterator's length of `T` takes more
    /// than `isize::MAX` bytes; and if the iterator panics.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let squares = arena.alloc_slice_fill_iter((1..5u32).map(|x| x * x));
    /// assert_eq!(squares, &[1, 4, 9, 16]);
    /// ```
    pub fn alloc_slice_fill_iter<T, I>(&self, iter: I) -> &mut [T]
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: ExactSizeIterator,
    {
        refuse_drop::<T>();
        let mut iter = iter.into_iter();
        let len = iter.len();
        let layout = match Layout::array::<T>(len) {
            Ok(layout) => layout,
            Err(_) => alloc_failed(
                AllocError::new(AllocErrorKind::LayoutOverflow),
                Layout::new::<T>(),
            ),
        };
        let p = self.alloc_layout_inner(layout).cast::<T>();
        let mut written = 0;
        while written < len {
            let Some(value) = iter.next() else { break };
            // SAFETY: `p` is fresh memory for `len` values of `T` (invariant
            // 3) and `written < len`. Allocations made by `next` come after it.
            unsafe { p.add(written).write(value) };
            written += 1;
        }
        // SAFETY: the first `written` elements were initialised by the loop.
        unsafe { slice::from_raw_parts_mut(p.as_ptr(), written) }
    }

    /// Allocates a slice of `len` elements, initialising element `i` with `f(i)`.
    ///
    /// # Panics
    ///
    /// As [`alloc`](Arena::alloc), if the size overflows, and if `f` panics.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let evens = arena.alloc_slice_fill_with(3, |i| 2 * i);
    /// assert_eq!(evens, &[0, 2, 4]);
    /// ```
    pub fn alloc_slice_fill_with<T, F: FnMut(usize) -> T>(&self, len: usize, f: F) -> &mut [T] {
        match self.try_alloc_slice_fill_with(len, f) {
            Ok(s) => s,
            Err(err) => alloc_failed(err, Layout::new::<T>()),
        }
    }

    /// Allocates a slice of `len` elements initialised with `f(i)`, or
    /// returns an error.
    ///
    /// # Errors
    ///
    /// Returns an [`AllocError`] of kind
    /// [`LayoutOverflow`](AllocErrorKind::LayoutOverflow) if `len` elements
    /// of `T` take more than `isize::MAX` bytes, and otherwise fails as
    /// [`try_alloc`](Arena::try_alloc) does. Either way `f` is not called.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// assert_eq!(arena.try_alloc_slice_fill_with(2, |i| i as u8).unwrap(), &[0, 1]);
    /// assert!(arena.try_alloc_slice_fill_with(usize::MAX / 2, |_| 0u64).is_err());
    /// ```
    pub fn try_alloc_slice_fill_with<T, F: FnMut(usize) -> T>(
        &self,
        len: usize,
        mut f: F,
    ) -> Result<&mut [T], AllocError> {
        refuse_drop::<T>();
        let layout =
            Layout::array::<T>(len).map_err(|_| AllocError::new(AllocErrorKind::LayoutOverflow))?;
        let p = self.try_alloc_layout_inner(layout)?.cast::<T>();
        for i in 0..len {
            let value = f(i);
            // SAFETY: `p` is fresh memory for `len` values of `T` (invariant
            // 3) and `i < len`. Other allocations made by `f` come after it.
            unsafe { p.add(i).write(value) };
        }
        // SAFETY: all `len` elements were initialised by the loop.
        Ok(unsafe { slice::from_raw_parts_mut(p.as_ptr(), len) })
    }

    /// Allocates memory for `layout`, returning a pointer to it (not initialised).
    /// A zero-sized layout yields a dangling, aligned pointer. Like strings and
    /// slices, raw blocks come from the downward end of the chunk and are not
    /// rounded up.
    ///
    /// # Panics
    ///
    /// As [`alloc`](Arena::alloc).
    ///
    /// ```
    /// use std::alloc::Layout;
    ///
    /// let arena = arenakit_arena::Arena::new();
    /// let p = arena.alloc_layout(Layout::from_size_align(64, 4096).unwrap());
    /// assert_eq!(p.as_ptr().addr() % 4096, 0);
    /// ```
    #[inline]
    pub fn alloc_layout(&self, layout: Layout) -> NonNull<u8> {
        self.alloc_layout_inner(layout)
    }

    /// Allocates memory for `layout`, or returns an error.
    ///
    /// # Errors
    ///
    /// Fails as [`try_alloc`](Arena::try_alloc) does; a zero-sized `layout`
    /// never fails.
    ///
    /// ```
    /// use std::alloc::Layout;
    ///
    /// let mut arena = arenakit_arena::Arena::new();
    /// arena.set_allocation_limit(Some(1024));
    /// assert!(arena.try_alloc_layout(Layout::from_size_align(100, 8).unwrap()).is_ok());
    /// assert!(arena.try_alloc_layout(Layout::from_size_align(1 << 20, 8).unwrap()).is_err());
    /// ```
    #[inline]
    pub fn try_alloc_layout(&self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        self.try_alloc_layout_inner(layout)
    }

    // ----- reset and statistics -----

    /// Releases every allocation at once, keeping the largest chunk for reuse
    /// and freeing the others.
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// for i in 0..10_000u64 {
    ///     arena.alloc(i);
    /// }
    /// assert!(arena.stats().chunk_count > 1);
    /// arena.reset();
    /// assert_eq!(arena.allocated_bytes(), 0);
    /// assert_eq!(arena.stats().chunk_count, 1);
    /// ```
    pub fn reset(&mut self) {
        let mut chunks = mem::take(self.chunks.get_mut());
        if let Some(largest) = (0..chunks.len()).max_by_key(|&i| chunks[i].layout.size()) {
            chunks.swap(0, largest);
            for chunk in chunks.drain(1..) {
                *self.reserved.get_mut() -= chunk.layout.size();
                chunk.free();
            }
            self.enter(&chunks[0]);
            *self.in_use.get_mut() = 1;
            *self.used_before.get_mut() = 0;
        }
        *self.chunks.get_mut() = chunks;
    }

    /// Bytes handed out since the last reset, including alignment padding
    /// (sized values take a multiple of 8 bytes; strings and slices are
    /// packed exactly).
    ///
    /// This is what the program asked for, not what the arena holds: the
    /// bytes obtained from the global allocator, used or not, are
    /// [`stats().reserved_bytes`](ArenaStats::reserved_bytes). (bumpalo's
    /// `Bump::allocated_bytes` counts the latter; code that budgets memory
    /// with it wants `reserved_bytes` here.)
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// arena.alloc_str("four");
    /// assert_eq!(arena.allocated_bytes(), 4);
    /// ```
    #[inline]
    pub fn allocated_bytes(&self) -> usize {
        self.used_before.get() + self.used_in_current()
    }

    /// Bytes used at both ends of the current chunk.
    #[inline]
    fn used_in_current(&self) -> usize {
        (self.cursor.get().addr() - self.start.get()) + (self.top.get() - self.end.get())
    }

    /// Returns the arena's memory statistics.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// assert_eq!(arena.stats().chunk_count, 0);
    /// arena.alloc(1u8);
    /// assert_eq!(arena.stats().chunk_count, 1);
    /// ```
    pub fn stats(&self) -> ArenaStats {
        let chunks = self.chunks.take();
        let stats = ArenaStats {
            allocated_bytes: self.allocated_bytes(),
            reserved_bytes: self.reserved.get(),
            chunk_count: chunks.len(),
            overhead_bytes: chunks.capacity() * mem::size_of::<Chunk>(),
        };
        self.chunks.set(chunks);
        stats
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        for chunk in self.chunks.get_mut().drain(..) {
            chunk.free();
        }
    }
}
