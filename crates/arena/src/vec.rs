//! [`Vec`]: a growable vector whose buffer lives in an [`Arena`].

use core::fmt;
use core::ops::{Deref, DerefMut};

use crate::Arena;

type Inner<'a, T> = allocator_api2::vec::Vec<T, &'a Arena>;

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
pub struct Vec<'a, T> {
    inner: Inner<'a, T>,
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
            inner: Inner::new_in(arena),
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
    pub fn with_capacity_in(capacity: usize, arena: &'a Arena) -> Self {
        crate::arena::refuse_drop::<T>();
        Vec {
            inner: Inner::with_capacity_in(capacity, arena),
        }
    }

    /// Collects `iter` into a vector in `arena`.
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
    pub fn push(&mut self, value: T) {
        self.inner.push(value);
    }

    /// Removes and returns the last element.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let mut v = arenakit_arena::Vec::from_iter_in([1, 2], &arena);
    /// assert_eq!(v.pop(), Some(2));
    /// ```
    pub fn pop(&mut self) -> Option<T> {
        self.inner.pop()
    }

    /// Number of elements.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// assert_eq!(arenakit_arena::Vec::from_iter_in(0..3, &arena).len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether the vector has no elements.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// assert!(arenakit_arena::Vec::<i8>::new_in(&arena).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Number of elements the buffer holds without growing.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let v = arenakit_arena::Vec::<u16>::with_capacity_in(3, &arena);
    /// assert!(v.capacity() >= 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.inner.capacity()
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
    pub fn reserve(&mut self, additional: usize) {
        self.inner.reserve(additional);
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
        self.inner.clear();
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
        self.inner.truncate(len);
    }

    /// Appends clones of the elements of `src`.
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
        self.inner.extend_from_slice(src);
    }

    /// The elements as a slice.
    ///
    /// ```
    /// let arena = arenakit_arena::Arena::new();
    /// let v = arenakit_arena::Vec::from_iter_in([4, 5], &arena);
    /// assert_eq!(v.as_slice(), &[4, 5]);
    /// ```
    pub fn as_slice(&self) -> &[T] {
        &self.inner
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
        &mut self.inner
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
    pub fn into_slice_mut(mut self) -> &'a mut [T] {
        self.inner.shrink_to_fit();
        self.inner.leak()
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
        &self.inner
    }
}

impl<T> DerefMut for Vec<'_, T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.inner
    }
}

impl<T> Extend<T> for Vec<'_, T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.inner.extend(iter);
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
