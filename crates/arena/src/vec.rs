//! [`Vec`]: a growable vector whose buffer lives in an [`Arena`].

use core::alloc::Layout;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::marker::PhantomData;
use core::mem::{self, size_of};
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;
use core::slice;

use crate::arena::alloc_failed;
use crate::{AllocError, AllocErrorKind, Arena};

/// A growable vector whose buffer lives in an [`Arena`]; when finished it
/// turns into a slice that lives as long as the arena borrow, with
/// [`into_slice`](Vec::into_slice).
///
/// When the vector's buffer is the arena's most recent allocation it grows
/// in place. Like [`Arena`], it refuses element types that need [`Drop`]:
///
/// ```compile_fail,E0080
/// let arena = arenakit_arena::Arena::new();
/// let names = arenakit_arena::Vec::<String>::new_in(&arena);
/// ```
///
/// ```
/// use arenakit_arena::{Arena, Vec};
///
/// let arena = Arena::new();
/// let mut args = Vec::new_in(&arena);
/// for i in 0..5u32 {
///     args.push(i * i);
/// }
/// let args: &[u32] = args.into_slice();
/// assert_eq!(args, &[0, 1, 4, 9, 16]);
/// ```
///
/// Growth goes through the arena's [allocation
/// limit](Arena::set_allocation_limit): past it, the growing methods panic
/// with a message naming the limit, and [`try_reserve`](Vec::try_reserve)
/// returns the [`AllocError`] instead.
///
/// # Invariants
///
/// 1. When `T` is zero-sized, `cap == usize::MAX` and `ptr` is dangling.
///    Otherwise, when `cap == 0`, `ptr` is dangling; when `cap > 0`, `ptr`
///    is the start of a block of `cap * size_of::<T>()` bytes aligned for
///    `T`, obtained from `arena` with `try_alloc_block` (or grown from one
///    with `grow_block`), that nothing else references.
/// 2. `len <= cap`, and the first `len` elements are initialised.
/// 3. `T` needs no `Drop` (checked when the vector is made), so elements can
///    be forgotten by lowering `len`.
pub struct Vec<'a, T> {
    ptr: NonNull<T>,
    len: usize,
    cap: usize,
    arena: &'a Arena,
    /// The vector owns its elements.
    _owns: PhantomData<T>,
}

/// How a growth request ended, for the caller to panic or return.
struct GrowError {
    err: AllocError,
    layout: Layout,
}

impl GrowError {
    /// A capacity of `T`s that overflows `usize` or `isize::MAX` bytes.
    fn overflow<T>() -> GrowError {
        GrowError {
            err: AllocError::new(AllocErrorKind::LayoutOverflow),
            layout: Layout::new::<T>(),
        }
    }
}

/// Grows the block of a vector (`ptr`, `cap` elements) to hold at least
/// `needed` elements, doubling when `amortized`, and returns the new block
/// and capacity, or `None` if the arena refused.
///
/// Takes the fields by value, not `&mut Vec`, so the vector itself does not
/// escape and its fields stay in registers in `push` loops, and returns
/// them in two registers: why a growth failed is found out by
/// [`grow_again`], out of line.
///
/// # Safety
///
/// `ptr` and `cap` are the fields of a vector in `arena` (invariant 1), `T`
/// is not zero-sized, and `needed > cap`.
#[inline(never)]
unsafe fn grow<T>(
    arena: &Arena,
    ptr: NonNull<T>,
    cap: usize,
    needed: usize,
    amortized: bool,
) -> Option<(NonNull<T>, usize)> {
    // SAFETY: the caller's guarantees are `try_grow`'s.
    unsafe { try_grow(arena, ptr, cap, needed, amortized) }.ok()
}

/// [`grow`] once more, after it failed, keeping the reason. A failed request
/// leaves the arena as it was, so this normally fails the same way; if it
/// succeeds after all, its block is as good as any.
///
/// # Safety
///
/// As [`grow`].
#[cold]
#[inline(never)]
unsafe fn grow_again<T>(
    arena: &Arena,
    ptr: NonNull<T>,
    cap: usize,
    needed: usize,
    amortized: bool,
) -> Result<(NonNull<T>, usize), GrowError> {
    // SAFETY: the caller's guarantees are `try_grow`'s.
    unsafe { try_grow(arena, ptr, cap, needed, amortized) }
}

/// The body of [`grow`] and [`grow_again`].
///
/// # Safety
///
/// As [`grow`].
#[inline(always)]
unsafe fn try_grow<T>(
    arena: &Arena,
    ptr: NonNull<T>,
    cap: usize,
    needed: usize,
    amortized: bool,
) -> Result<(NonNull<T>, usize), GrowError> {
    // Small vectors start at 4 elements (1 for elements over 1 KiB), as in `std`.
    let min_cap = if size_of::<T>() > 1024 { 1 } else { 4 };
    let new_cap = if amortized {
        needed.max(cap.saturating_mul(2)).max(min_cap)
    } else {
        needed
    };
    let Ok(layout) = Layout::array::<T>(new_cap) else {
        return Err(GrowError::overflow::<T>());
    };
    let block = if cap == 0 {
        arena.try_alloc_block(layout)
    } else {
        // SAFETY: by invariant 1 the block is live, from this arena, and
        // `cap * size_of::<T>()` bytes long, less than `layout.size()`
        // because `new_cap >= needed > cap`; the caller stores the result.
        unsafe { arena.grow_block(ptr.cast(), cap * size_of::<T>(), layout) }
    };
    match block {
        Ok(p) => Ok((p.cast(), new_cap)),
        Err(err) => Err(GrowError { err, layout }),
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn grow_failed(e: GrowError) -> ! {
    alloc_failed(e.err, e.layout)
}

impl<'a, T> Vec<'a, T> {
    /// Creates an empty vector in `arena`; nothing is allocated yet.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let v = arenakit_arena::Vec::<u8>::new_in(&arena);
    /// assert!(v.is_empty());
    /// ```
    pub fn new_in(arena: &'a Arena) -> Self {
        crate::arena::refuse_drop::<T>();
        Vec {
            ptr: NonNull::dangling(),
            len: 0,
            cap: if size_of::<T>() == 0 { usize::MAX } else { 0 },
            arena,
            _owns: PhantomData,
        }
    }

    /// Creates an empty vector in `arena` with room for `capacity` elements.
    ///
    /// # Panics
    ///
    /// Panics if the capacity overflows or the arena's limit is reached.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let v = arenakit_arena::Vec::<u64>::with_capacity_in(8, &arena);
    /// assert!(v.capacity() >= 8);
    /// ```
    #[track_caller]
    pub fn with_capacity_in(capacity: usize, arena: &'a Arena) -> Self {
        let mut v = Vec::new_in(arena);
        if capacity > v.cap
            && let Err(e) = v.grow_to(capacity, false)
        {
            grow_failed(e);
        }
        v
    }

    /// Collects `iter` into a vector in `arena`.
    ///
    /// # Panics
    ///
    /// Panics if the capacity overflows or the arena's limit is reached.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let v = arenakit_arena::Vec::from_iter_in((0..4).map(|x| x * 2), &arena);
    /// assert_eq!(&v[..], &[0, 2, 4, 6]);
    /// ```
    pub fn from_iter_in<I: IntoIterator<Item = T>>(iter: I, arena: &'a Arena) -> Self {
        let mut v = Vec::new_in(arena);
        v.extend(iter);
        v
    }

    /// Appends `value`.
    ///
    /// # Panics
    ///
    /// Panics if the capacity overflows or the arena's limit is reached.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let mut v = arenakit_arena::Vec::new_in(&arena);
    /// v.push('a');
    /// assert_eq!(v.len(), 1);
    /// ```
    #[inline]
    #[track_caller]
    pub fn push(&mut self, value: T) {
        // A full vector of a zero-sized `T` has `len == usize::MAX`, and
        // `reserve_inner` reports the overflow.
        if self.len == self.cap
            && let Err(e) = self.reserve_inner(1)
        {
            grow_failed(e);
        }
        // SAFETY: `len < cap` now, so slot `len` is allocated (invariant 1)
        // and not initialised (invariant 2).
        unsafe { self.ptr.add(self.len).write(value) };
        self.len += 1;
    }

    /// Grows the block to at least `needed > cap` elements.
    #[inline(always)]
    fn grow_to(&mut self, needed: usize, amortized: bool) -> Result<(), GrowError> {
        debug_assert!(needed > self.cap);
        // SAFETY: these are this vector's fields; `needed > cap` and, since a
        // zero-sized `T` has `cap == usize::MAX`, `T` is not zero-sized.
        let grown = match unsafe { grow(self.arena, self.ptr, self.cap, needed, amortized) } {
            Some(grown) => grown,
            // SAFETY: as for `grow`; the vector has not changed since.
            None => unsafe { grow_again(self.arena, self.ptr, self.cap, needed, amortized)? },
        };
        let (ptr, cap) = grown;
        self.ptr = ptr;
        self.cap = cap;
        Ok(())
    }

    /// Removes and returns the last element.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let mut v = arenakit_arena::Vec::from_iter_in([1, 2], &arena);
    /// assert_eq!(v.pop(), Some(2));
    /// ```
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        // SAFETY: element `len` was initialised (invariant 2) and, now past
        // the end, is read out exactly once.
        Some(unsafe { self.ptr.add(self.len).read() })
    }

    /// Number of elements.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// assert_eq!(arenakit_arena::Vec::from_iter_in(0..3, &arena).len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the vector has no elements.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// assert!(arenakit_arena::Vec::<i8>::new_in(&arena).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of elements the buffer holds without growing (`usize::MAX`
    /// for a zero-sized `T`).
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let v = arenakit_arena::Vec::<u16>::with_capacity_in(3, &arena);
    /// assert!(v.capacity() >= 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Reserves room for at least `additional` more elements.
    ///
    /// # Panics
    ///
    /// Panics if the capacity overflows or the arena's limit is reached.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let mut v = arenakit_arena::Vec::<u8>::new_in(&arena);
    /// v.reserve(100);
    /// assert!(v.capacity() >= 100);
    /// ```
    #[track_caller]
    pub fn reserve(&mut self, additional: usize) {
        if let Err(e) = self.reserve_inner(additional) {
            grow_failed(e);
        }
    }

    /// Reserves room for at least `additional` more elements, or returns why
    /// the arena could not grant it; the vector is unchanged on error.
    ///
    /// ```
    /// use arenakit_arena::{AllocErrorKind, Arena, Vec};
    ///
    /// let mut arena = Arena::new();
    /// arena.set_allocation_limit(Some(1024));
    /// let mut v = Vec::<u64>::new_in(&arena);
    /// assert!(v.try_reserve(16).is_ok());
    /// let err = v.try_reserve(1_000).unwrap_err();
    /// assert_eq!(err.kind(), AllocErrorKind::LimitExceeded { limit: 1024 });
    /// assert!(v.capacity() >= 16);
    /// ```
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), AllocError> {
        self.reserve_inner(additional).map_err(|e| e.err)
    }

    #[inline]
    fn reserve_inner(&mut self, additional: usize) -> Result<(), GrowError> {
        if additional <= self.cap - self.len {
            return Ok(());
        }
        match self.len.checked_add(additional) {
            Some(needed) => self.grow_to(needed, true),
            None => Err(GrowError::overflow::<T>()),
        }
    }
    /// Removes all elements, keeping the buffer.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let mut v = arenakit_arena::Vec::from_iter_in([1], &arena);
    /// v.clear();
    /// assert!(v.is_empty());
    /// ```
    pub fn clear(&mut self) {
        // Elements need no drop (invariant 3).
        self.len = 0;
    }

    /// Shortens the vector to `len` elements (no effect if it is shorter).
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let mut v = arenakit_arena::Vec::from_iter_in(0..5, &arena);
    /// v.truncate(2);
    /// assert_eq!(&v[..], &[0, 1]);
    /// ```
    pub fn truncate(&mut self, len: usize) {
        // Elements need no drop (invariant 3).
        self.len = self.len.min(len);
    }

    /// Appends clones of the elements of `src`.
    ///
    /// # Panics
    ///
    /// Panics if the capacity overflows or the arena's limit is reached.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let mut v = arenakit_arena::Vec::new_in(&arena);
    /// v.extend_from_slice(b"ab");
    /// v.extend_from_slice(b"c");
    /// assert_eq!(&v[..], b"abc");
    /// ```
    pub fn extend_from_slice(&mut self, src: &[T])
    where
        T: Clone,
    {
        self.reserve(src.len());
        for value in src {
            // SAFETY: `reserve` made room for `src.len()` more elements, so
            // slot `len` is allocated and not initialised. `len` counts each
            // element as it is written, so a panicking `clone` leaves the
            // vector valid.
            unsafe { self.ptr.add(self.len).write(value.clone()) };
            self.len += 1;
        }
    }

    /// The elements as a slice.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let v = arenakit_arena::Vec::from_iter_in([4, 5], &arena);
    /// assert_eq!(v.as_slice(), &[4, 5]);
    /// ```
    pub fn as_slice(&self) -> &[T] {
        // SAFETY: `ptr` is aligned and valid for `len` initialised elements
        // (invariants 1 and 2), borrowed from `self`.
        unsafe { slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The elements as a mutable slice.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let mut v = arenakit_arena::Vec::from_iter_in([4, 5], &arena);
    /// v.as_mut_slice()[0] = 9;
    /// assert_eq!(&v[..], &[9, 5]);
    /// ```
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as in `as_slice`, and the block is referenced only by this
        // vector (invariant 1), borrowed mutably.
        unsafe { slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// Turns the vector into a mutable slice that lives as long as the arena
    /// borrow, giving unused capacity back when the buffer is the arena's
    /// most recent allocation.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let mut v = arenakit_arena::Vec::with_capacity_in(100, &arena);
    /// v.push(1u64);
    /// let s = v.into_slice_mut();
    /// s[0] += 1;
    /// assert_eq!(s, &[2]);
    /// assert_eq!(arena.allocated_bytes(), 8);
    /// ```
    pub fn into_slice_mut(self) -> &'a mut [T] {
        let this = mem::ManuallyDrop::new(self);
        if size_of::<T>() != 0 && this.cap > this.len {
            // Gives the unused tail back when the block is the arena's last;
            // otherwise nothing changes. The block keeps its start, so `ptr`
            // stays valid for `len` elements either way.
            this.arena.resize_last_in_place(
                this.ptr.cast(),
                this.cap * size_of::<T>(),
                this.len * size_of::<T>(),
                align_of::<T>(),
            );
        }
        // SAFETY: the block holds `len` initialised elements (invariants 1
        // and 2) and stays valid while the arena is borrowed for `'a`; the
        // vector is consumed and not dropped, so nothing else refers to it.
        unsafe { slice::from_raw_parts_mut(this.ptr.as_ptr(), this.len) }
    }

    /// Turns the vector into a shared slice that lives as long as the arena
    /// borrow; see [`into_slice_mut`](Vec::into_slice_mut).
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let s: &[char] = arenakit_arena::Vec::from_iter_in("ab".chars(), &arena).into_slice();
    /// assert_eq!(s, &['a', 'b']);
    /// ```
    pub fn into_slice(self) -> &'a [T] {
        self.into_slice_mut()
    }
}

impl<T> Deref for Vec<'_, T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> DerefMut for Vec<'_, T> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<T> Extend<T> for Vec<'_, T> {
    #[track_caller]
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        let iter = iter.into_iter();
        self.reserve(iter.size_hint().0);
        for value in iter {
            self.push(value);
        }
    }
}

/// Extends with copies of borrowed elements, as `std::vec::Vec` does.
///
/// ```
/// let arena = arenakit_arena::Arena::new();
/// let mut v = arenakit_arena::Vec::<u32>::new_in(&arena);
/// v.extend(&[1, 2]);
/// v.extend([3, 4].iter());
/// assert_eq!(v.as_slice(), &[1, 2, 3, 4]);
/// ```
impl<'v, T: Copy + 'v> Extend<&'v T> for Vec<'_, T> {
    #[track_caller]
    fn extend<I: IntoIterator<Item = &'v T>>(&mut self, iter: I) {
        self.extend(iter.into_iter().copied());
    }
}

/// Iterates over references to the elements, so `for x in &v` works.
///
/// ```
/// let arena = arenakit_arena::Arena::new();
/// let v = arenakit_arena::Vec::from_iter_in([1, 2, 3], &arena);
/// let mut sum = 0;
/// for x in &v {
///     sum += x;
/// }
/// assert_eq!(sum, 6);
/// ```
impl<'v, T> IntoIterator for &'v Vec<'_, T> {
    type Item = &'v T;
    type IntoIter = slice::Iter<'v, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

/// Iterates over mutable references to the elements, so `for x in &mut v`
/// works.
///
/// ```
/// let arena = arenakit_arena::Arena::new();
/// let mut v = arenakit_arena::Vec::from_iter_in([1, 2, 3], &arena);
/// for x in &mut v {
///     *x *= 10;
/// }
/// assert_eq!(v.as_slice(), &[10, 20, 30]);
/// ```
impl<'v, T> IntoIterator for &'v mut Vec<'_, T> {
    type Item = &'v mut T;
    type IntoIter = slice::IterMut<'v, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_mut_slice().iter_mut()
    }
}

/// Clones the elements into a new vector in the same arena.
///
/// ```
/// let arena = arenakit_arena::Arena::new();
/// let v = arenakit_arena::Vec::from_iter_in([1, 2], &arena);
/// let mut w = v.clone();
/// w.push(3);
/// assert_eq!((v.as_slice(), w.as_slice()), (&[1, 2][..], &[1, 2, 3][..]));
/// ```
impl<'a, T: Clone> Clone for Vec<'a, T> {
    #[track_caller]
    fn clone(&self) -> Self {
        let mut copy = Vec::with_capacity_in(self.len, self.arena);
        copy.extend_from_slice(self.as_slice());
        copy
    }
}

impl<T> AsRef<[T]> for Vec<'_, T> {
    fn as_ref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> AsMut<[T]> for Vec<'_, T> {
    fn as_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

/// Hashes as the slice of its elements does, like `std::vec::Vec`.
impl<T: Hash> Hash for Vec<'_, T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl<T> Drop for Vec<'_, T> {
    /// Gives the block back to the arena when it is the arena's last
    /// allocation, as a dropped `Box` would; the elements need no drop.
    fn drop(&mut self) {
        if size_of::<T>() != 0 && self.cap > 0 {
            self.arena
                .reclaim_last(self.ptr.cast(), self.cap * size_of::<T>());
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Vec<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: PartialEq> PartialEq for Vec<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq> Eq for Vec<'_, T> {}
