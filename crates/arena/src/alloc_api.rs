//! `allocator_api2::alloc::Allocator` for `&Arena`.

use core::alloc::Layout;
use core::ptr::{self, NonNull};

use allocator_api2::alloc::{AllocError, Allocator};

use crate::Arena;

// SAFETY: memory returned by `allocate` comes from the arena's chunks, which
// stay valid and never move while the `&Arena` (and so every copy of it) is
// live (invariant 4 of `Arena`); distinct allocations never overlap
// (invariant 3). `deallocate`, `grow` and `shrink` only give memory back when
// it is exactly the last allocation of the current chunk, so no other live
// block is affected. Copies of `&Arena` share the same arena, so a block may
// be freed through any of them.
/// Lets `allocator_api2` and `hashbrown` collections live in an arena.
///
/// A failed request (the arena's limit, or the global allocator out of
/// memory) is an [`AllocError`] with no reason attached; the collections turn
/// it into [`handle_alloc_error`](std::alloc::handle_alloc_error), which
/// aborts, unless it came through one of their `try_reserve` methods.
///
/// ```
/// use arenakit_arena::Arena;
///
/// let mut arena = Arena::new();
/// arena.set_allocation_limit(Some(256));
/// let mut names = hashbrown::HashMap::new_in(&arena);
/// names.insert("x", 1);
/// assert!(names.try_reserve(1_000).is_err());
/// assert_eq!(names["x"], 1);
/// ```
unsafe impl Allocator for &Arena {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        let p = (**self).try_alloc_block(layout).map_err(|_| AllocError)?;
        Ok(NonNull::slice_from_raw_parts(p, layout.size()))
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, layout: Layout) {
        (**self).reclaim_last(ptr, layout.size());
    }

    unsafe fn grow(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        // SAFETY: the caller guarantees `ptr` is a live block of this
        // allocator (so of this arena) of `old_layout.size()` bytes, at most
        // `new_layout.size()`, and uses only the returned block afterwards.
        let p = unsafe { (**self).grow_block(ptr, old_layout.size(), new_layout) }
            .map_err(|_| AllocError)?;
        Ok(NonNull::slice_from_raw_parts(p, new_layout.size()))
    }

    unsafe fn shrink(
        &self,
        ptr: NonNull<u8>,
        old_layout: Layout,
        new_layout: Layout,
    ) -> Result<NonNull<[u8]>, AllocError> {
        if ptr.as_ptr().addr() & (new_layout.align() - 1) == 0 {
            // Either the tail is given back, or the block keeps its size; both are valid.
            (**self).resize_last_in_place(
                ptr,
                old_layout.size(),
                new_layout.size(),
                new_layout.align(),
            );
            return Ok(NonNull::slice_from_raw_parts(ptr, new_layout.size()));
        }
        let new = self.allocate(new_layout)?;
        // SAFETY: the caller guarantees `ptr` is valid for `old_layout.size()`
        // bytes, which is at least `new_layout.size()`; `new` is fresh.
        unsafe {
            ptr::copy_nonoverlapping(ptr.as_ptr(), new.cast::<u8>().as_ptr(), new_layout.size());
        }
        Ok(new)
    }
}
