//! Safe scoped allocation: [`Scope`].

use core::alloc::Layout;
use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::arena::Checkpoint;
use crate::{AllocError, Arena};

/// A region of an [`Arena`] whose allocations live for `'a`.
///
/// The root scope comes from [`Arena::scope`], which borrows the arena
/// mutably for `'a`; its allocations stay until the arena is
/// [reset](Arena::reset) or dropped. [`Scope::scoped`] opens a child region:
/// everything allocated inside it is released when it returns (or unwinds),
/// while allocations made before it stay valid. Chunks obtained inside a
/// child are kept for the next one, so a loop of child regions does not grow
/// memory.
///
/// Allocations cannot outlive their region — the compiler rejects it:
///
/// ```compile_fail
/// let mut arena = arenakit_arena::Arena::new();
/// let mut scope = arena.scope();
/// let escaped = scope.scoped(|inner| inner.alloc(1u32)); // error: borrowed data escapes
/// assert_eq!(*escaped, 1);
/// ```
///
/// ```compile_fail,E0521
/// let mut arena = arenakit_arena::Arena::new();
/// let mut scope = arena.scope();
/// let mut stash: Vec<&u32> = Vec::new();
/// scope.scoped(|inner| stash.push(inner.alloc(1u32))); // error: borrowed data escapes
/// ```
///
/// The parent cannot allocate while a child is open, and the arena cannot be
/// reset while any scope allocation is live:
///
/// ```compile_fail,E0502
/// let mut arena = arenakit_arena::Arena::new();
/// let mut scope = arena.scope();
/// scope.scoped(|_inner| {
///     scope.alloc(1u8); // error: `scope` is already mutably borrowed
/// });
/// ```
///
/// ```compile_fail,E0499
/// let mut arena = arenakit_arena::Arena::new();
/// let scope = arena.scope();
/// let kept = scope.alloc(1u8);
/// arena.reset(); // error: `arena` is still borrowed by `kept`
/// assert_eq!(*kept, 1);
/// ```
///
/// Correct use:
///
/// ```
/// use arenakit_arena::Arena;
///
/// let mut arena = Arena::new();
/// let mut scope = arena.scope();
/// let name = scope.alloc_str("outer");
/// for i in 0..100u64 {
///     let sum = scope.scoped(|tmp| {
///         let xs = tmp.alloc_slice_fill_with(1000, |j| i + j as u64);
///         xs.iter().sum::<u64>()
///     });
///     assert_eq!(sum, 1000 * i + 999 * 1000 / 2);
/// }
/// assert_eq!(name, "outer");
/// drop(scope);
/// // One chunk was enough for every iteration.
/// assert!(arena.stats().chunk_count <= 2);
/// ```
pub struct Scope<'a> {
    arena: &'a Arena,
    /// Makes `Scope` invariant in `'a`.
    _invariant: PhantomData<fn(&'a ()) -> &'a ()>,
}

impl core::fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Scope").field("arena", self.arena).finish()
    }
}

impl Arena {
    /// Returns the root [`Scope`] of this arena: allocations live as long as
    /// the mutable borrow of the arena, and child regions can be opened with
    /// [`Scope::scoped`].
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// let scope = arena.scope();
    /// let x = scope.alloc(5u8);
    /// drop(scope);
    /// assert_eq!(*x, 5); // root-scope allocations outlive the handle
    /// ```
    pub fn scope(&mut self) -> Scope<'_> {
        Scope {
            arena: self,
            _invariant: PhantomData,
        }
    }

    /// Runs `f` in a region of this arena that is released when `f` returns;
    /// shorthand for `arena.scope().scoped(f)`.
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// arena.alloc(1u64);
    /// let len = arena.scoped(|s| s.alloc_str("temporary").len());
    /// assert_eq!(len, 9);
    /// assert_eq!(arena.allocated_bytes(), 8);
    /// ```
    pub fn scoped<R, F>(&mut self, f: F) -> R
    where
        F: for<'s> FnOnce(&mut Scope<'s>) -> R,
    {
        self.scope().scoped(f)
    }
}

/// Rewinds the arena to its checkpoint when a child region ends, also on unwind.
struct Rewind<'g> {
    arena: &'g Arena,
    checkpoint: Checkpoint,
}

impl Drop for Rewind<'_> {
    fn drop(&mut self) {
        // SAFETY: the checkpoint was taken from this arena when the child
        // region opened. Every allocation made since then has the region's
        // higher-ranked lifetime, so none survives the closure, which has
        // returned or unwound by now; the parent scope was mutably borrowed
        // for the whole region, and the arena could not be reset because it
        // is mutably borrowed by the root scope.
        unsafe { self.arena.restore(self.checkpoint) }
    }
}

impl<'a> Scope<'a> {
    /// Opens a child region, runs `f` in it and releases everything `f`
    /// allocated through the child. Allocations of `self` made before stay
    /// valid; chunks obtained inside are kept for reuse.
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// let mut scope = arena.scope();
    /// let a = scope.alloc(1u32);
    /// let before = scope.allocated_bytes();
    /// let doubled = scope.scoped(|inner| {
    ///     let b = inner.alloc(2u32);
    ///     *b * 2
    /// });
    /// assert_eq!((doubled, *a), (4, 1));
    /// assert_eq!(scope.allocated_bytes(), before);
    /// ```
    pub fn scoped<R, F>(&mut self, f: F) -> R
    where
        F: for<'s> FnOnce(&mut Scope<'s>) -> R,
    {
        let rewind = Rewind {
            arena: self.arena,
            checkpoint: self.arena.checkpoint(),
        };
        let mut child = Scope {
            arena: self.arena,
            _invariant: PhantomData,
        };
        let result = f(&mut child);
        drop(rewind);
        result
    }

    /// Returns the arena as `&Arena`, for code written against `&Arena`;
    /// its allocations live only as long as this borrow of the scope.
    ///
    /// ```
    /// use arenakit_arena::Arena;
    ///
    /// fn parse<'a>(arena: &'a Arena, src: &str) -> &'a [u8] {
    ///     arena.alloc_slice_copy(src.as_bytes())
    /// }
    ///
    /// let mut arena = Arena::new();
    /// arena.scoped(|s| assert_eq!(parse(s.as_arena(), "ab"), b"ab"));
    /// ```
    pub fn as_arena(&self) -> &Arena {
        self.arena
    }

    /// Bytes allocated in the arena, including those of enclosing regions.
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// let scope = arena.scope();
    /// scope.alloc_str("xy");
    /// assert_eq!(scope.allocated_bytes(), 2);
    /// ```
    pub fn allocated_bytes(&self) -> usize {
        self.arena.allocated_bytes()
    }

    /// Moves `value` into the region; see [`Arena::alloc`].
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// assert_eq!(*arena.scope().alloc('x'), 'x');
    /// ```
    #[inline(always)]
    pub fn alloc<T>(&self, value: T) -> &'a mut T {
        self.arena.alloc(value)
    }

    /// Constructs a value in place in the region; see [`Arena::alloc_with`].
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// assert_eq!(*arena.scope().alloc_with(|| 3 + 4), 7);
    /// ```
    #[inline(always)]
    pub fn alloc_with<T, F: FnOnce() -> T>(&self, f: F) -> &'a mut T {
        self.arena.alloc_with(f)
    }

    /// Moves `value` into the region or returns an error; see [`Arena::try_alloc`].
    ///
    /// # Errors
    ///
    /// Fails as [`Arena::try_alloc`] does.
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// assert_eq!(*arena.scope().try_alloc(1i8).unwrap(), 1);
    /// ```
    #[inline(always)]
    pub fn try_alloc<T>(&self, value: T) -> Result<&'a mut T, AllocError> {
        self.arena.try_alloc(value)
    }

    /// Constructs a value in place or returns an error; see [`Arena::try_alloc_with`].
    ///
    /// # Errors
    ///
    /// Fails as [`Arena::try_alloc_with`] does.
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// assert_eq!(*arena.scope().try_alloc_with(|| 9u8).unwrap(), 9);
    /// ```
    #[inline(always)]
    pub fn try_alloc_with<T, F: FnOnce() -> T>(&self, f: F) -> Result<&'a mut T, AllocError> {
        self.arena.try_alloc_with(f)
    }

    /// Copies a string into the region; see [`Arena::alloc_str`].
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// assert_eq!(arena.scope().alloc_str("s"), "s");
    /// ```
    #[inline]
    pub fn alloc_str(&self, s: &str) -> &'a mut str {
        self.arena.alloc_str(s)
    }

    /// Copies a string into the region or returns an error; see [`Arena::try_alloc_str`].
    ///
    /// # Errors
    ///
    /// Fails as [`Arena::try_alloc_str`] does.
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// assert_eq!(arena.scope().try_alloc_str("t").unwrap(), "t");
    /// ```
    #[inline]
    pub fn try_alloc_str(&self, s: &str) -> Result<&'a mut str, AllocError> {
        self.arena.try_alloc_str(s)
    }

    /// Copies a slice into the region; see [`Arena::alloc_slice_copy`].
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// assert_eq!(arena.scope().alloc_slice_copy(&[1, 2]), &[1, 2]);
    /// ```
    #[inline]
    pub fn alloc_slice_copy<T: Copy>(&self, src: &[T]) -> &'a mut [T] {
        self.arena.alloc_slice_copy(src)
    }

    /// Copies a slice into the region or returns an error; see [`Arena::try_alloc_slice_copy`].
    ///
    /// # Errors
    ///
    /// Fails as [`Arena::try_alloc_slice_copy`] does.
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// assert_eq!(arena.scope().try_alloc_slice_copy(&[3]).unwrap(), &[3]);
    /// ```
    #[inline]
    pub fn try_alloc_slice_copy<T: Copy>(&self, src: &[T]) -> Result<&'a mut [T], AllocError> {
        self.arena.try_alloc_slice_copy(src)
    }

    /// Clones a slice into the region; see [`Arena::alloc_slice_clone`].
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// assert_eq!(arena.scope().alloc_slice_clone(&["a"]), &["a"]);
    /// ```
    pub fn alloc_slice_clone<T: Clone>(&self, src: &[T]) -> &'a mut [T] {
        self.arena.alloc_slice_clone(src)
    }

    /// Collects an exact-size iterator into the region; see [`Arena::alloc_slice_fill_iter`].
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// assert_eq!(arena.scope().alloc_slice_fill_iter(0..3), &[0, 1, 2]);
    /// ```
    pub fn alloc_slice_fill_iter<T, I>(&self, iter: I) -> &'a mut [T]
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: ExactSizeIterator,
    {
        self.arena.alloc_slice_fill_iter(iter)
    }

    /// Allocates a slice initialised by `f(i)`; see [`Arena::alloc_slice_fill_with`].
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// assert_eq!(arena.scope().alloc_slice_fill_with(2, |i| i * 10), &[0, 10]);
    /// ```
    pub fn alloc_slice_fill_with<T, F: FnMut(usize) -> T>(&self, len: usize, f: F) -> &'a mut [T] {
        self.arena.alloc_slice_fill_with(len, f)
    }

    /// Allocates a slice initialised by `f(i)` or returns an error; see
    /// [`Arena::try_alloc_slice_fill_with`].
    ///
    /// # Errors
    ///
    /// Fails as [`Arena::try_alloc_slice_fill_with`] does.
    ///
    /// ```
    /// let mut arena = arenakit_arena::Arena::new();
    /// assert!(arena.scope().try_alloc_slice_fill_with(usize::MAX, |_| 0u32).is_err());
    /// ```
    pub fn try_alloc_slice_fill_with<T, F: FnMut(usize) -> T>(
        &self,
        len: usize,
        f: F,
    ) -> Result<&'a mut [T], AllocError> {
        self.arena.try_alloc_slice_fill_with(len, f)
    }

    /// Allocates raw memory for `layout` in the region; see [`Arena::alloc_layout`].
    ///
    /// ```
    /// use std::alloc::Layout;
    ///
    /// let mut arena = arenakit_arena::Arena::new();
    /// let p = arena.scope().alloc_layout(Layout::new::<u64>());
    /// assert_eq!(p.as_ptr().addr() % 8, 0);
    /// ```
    #[inline]
    pub fn alloc_layout(&self, layout: Layout) -> NonNull<u8> {
        self.arena.alloc_layout(layout)
    }

    /// Allocates raw memory for `layout` or returns an error; see [`Arena::try_alloc_layout`].
    ///
    /// # Errors
    ///
    /// Fails as [`Arena::try_alloc_layout`] does.
    ///
    /// ```
    /// use std::alloc::Layout;
    ///
    /// let mut arena = arenakit_arena::Arena::new();
    /// assert!(arena.scope().try_alloc_layout(Layout::new::<[u8; 3]>()).is_ok());
    /// ```
    #[inline]
    pub fn try_alloc_layout(&self, layout: Layout) -> Result<NonNull<u8>, AllocError> {
        self.arena.try_alloc_layout(layout)
    }
}
