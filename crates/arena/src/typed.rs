//! [`TypedArena`]: an arena of one type that runs destructors.

// Handing out `&mut T` from `&self` is the point of an arena: each returned
// reference points to a slot no other reference covers.
#![allow(clippy::mut_from_ref)]

use core::cell::{Cell, UnsafeCell};
use core::iter::{Chain, Flatten};
use core::mem;
use core::ptr;
use core::slice;

/// Chunks start with room for this many bytes' worth of values.
const FIRST_CHUNK_BYTES: usize = 4096;
/// Chunk capacity doubles until a chunk holds this many bytes.
const MAX_CHUNK_BYTES: usize = 64 << 20;

/// An arena of values of one type `T`. Each value keeps its address until the
/// arena drops, when every destructor runs exactly once (in no particular
/// order). Values may refer to each other, cycles included.
///
/// ```
/// use std::cell::Cell;
/// use arenakit_arena::TypedArena;
///
/// struct Node<'a> {
///     name: String,
///     next: Cell<Option<&'a Node<'a>>>,
/// }
///
/// let arena = TypedArena::new();
/// let a = arena.alloc(Node { name: "a".into(), next: Cell::new(None) });
/// let b = arena.alloc(Node { name: "b".into(), next: Cell::new(Some(a)) });
/// a.next.set(Some(b)); // a cycle; both Strings are freed when `arena` drops
/// assert_eq!(a.next.get().unwrap().name, "b");
/// assert_eq!(arena.len(), 2);
/// ```
///
/// # Invariants
///
/// 1. `current` and every vector in `rest` are chunks: their buffers are
///    never reallocated (nothing is ever added beyond a chunk's capacity),
///    so a value keeps its address until the arena drops or is consumed.
/// 2. References handed out by `alloc`/`alloc_extend` point to initialised
///    elements of these chunks; each element is handed out once.
/// 3. A `&mut` to `current` or `rest` is only created for the length of a
///    method body that runs no user code while holding it, so it never
///    overlaps another one.
/// 4. `len_before` is the total length of the chunks in `rest`.
pub struct TypedArena<T> {
    current: UnsafeCell<Vec<T>>,
    rest: UnsafeCell<Vec<Vec<T>>>,
    len_before: Cell<usize>,
}

impl<T> Default for TypedArena<T> {
    fn default() -> Self {
        TypedArena::new()
    }
}

impl<T> core::fmt::Debug for TypedArena<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TypedArena")
            .field("len", &self.len())
            .finish()
    }
}

impl<T> TypedArena<T> {
    /// Creates an empty arena; nothing is allocated until the first value.
    ///
    /// ```
    /// let arena = arenakit_arena::TypedArena::<String>::new();
    /// assert!(arena.is_empty());
    /// ```
    pub const fn new() -> Self {
        TypedArena {
            current: UnsafeCell::new(Vec::new()),
            rest: UnsafeCell::new(Vec::new()),
            len_before: Cell::new(0),
        }
    }

    /// Creates an arena whose first chunk holds `capacity` values.
    ///
    /// # Panics
    ///
    /// Panics if the room asked for exceeds `isize::MAX` bytes; like
    /// [`Vec::with_capacity`], it aborts the process if the allocator cannot
    /// provide it.
    ///
    /// ```
    /// let arena = arenakit_arena::TypedArena::with_capacity(16);
    /// for i in 0..16 {
    ///     arena.alloc(i);
    /// }
    /// assert_eq!(arena.len(), 16);
    /// ```
    pub fn with_capacity(capacity: usize) -> Self {
        TypedArena {
            current: UnsafeCell::new(Vec::with_capacity(capacity)),
            rest: UnsafeCell::new(Vec::new()),
            len_before: Cell::new(0),
        }
    }

    /// Moves `value` into the arena and returns a reference to it.
    ///
    /// ```
    /// let arena = arenakit_arena::TypedArena::new();
    /// let s = arena.alloc(String::from("hi"));
    /// s.push('!');
    /// assert_eq!(s, "hi!");
    /// ```
    #[inline]
    pub fn alloc(&self, value: T) -> &mut T {
        // SAFETY: invariant 3 — no other `&mut` to `current` exists, and no
        // user code runs until this borrow ends.
        let current = unsafe { &mut *self.current.get() };
        if current.len() == current.capacity() {
            self.grow(current, 1);
        }
        let len = current.len();
        // SAFETY: `len < capacity`, so the slot is inside the buffer and
        // uninitialised; it becomes element `len`, handed out once
        // (invariant 2). `as_mut_ptr` creates no reference to the other
        // elements, which may be borrowed by earlier callers.
        unsafe {
            let slot = current.as_mut_ptr().add(len);
            slot.write(value);
            current.set_len(len + 1);
            &mut *slot
        }
    }

    /// Moves the current chunk to `rest` and starts one with room for at
    /// least `additional` more values.
    #[cold]
    #[inline(never)]
    fn grow(&self, current: &mut Vec<T>, additional: usize) {
        let size = mem::size_of::<T>().max(1);
        let doubled = current.capacity().saturating_mul(2);
        let capacity = doubled
            .clamp(FIRST_CHUNK_BYTES / size, MAX_CHUNK_BYTES / size)
            .max(additional)
            .max(1);
        let full = mem::replace(current, Vec::with_capacity(capacity));
        if full.capacity() > 0 {
            self.len_before.set(self.len_before.get() + full.len());
            // SAFETY: invariant 3 — `rest` is not borrowed anywhere else, and
            // `push` runs no user code. Moving `full` moves its header only;
            // its buffer, and so every handed-out value, stays put.
            unsafe { (*self.rest.get()).push(full) };
        }
    }

    /// Moves every item of `iter` into the arena as one contiguous slice.
    ///
    /// The iterator runs before the arena is touched, so it may itself
    /// allocate in this arena.
    ///
    /// ```
    /// let arena = arenakit_arena::TypedArena::new();
    /// let words = arena.alloc_extend(["a", "b", "c"].map(String::from));
    /// words[1].push('!');
    /// assert_eq!(words, &["a", "b!", "c"]);
    /// ```
    pub fn alloc_extend<I: IntoIterator<Item = T>>(&self, iter: I) -> &mut [T] {
        let mut items: Vec<T> = iter.into_iter().collect();
        let n = items.len();
        if n == 0 {
            return &mut [];
        }
        // SAFETY: invariant 3; the iterator has already run.
        let current = unsafe { &mut *self.current.get() };
        if current.capacity() - current.len() < n {
            if n > current.capacity() / 2 {
                // Large batch: `items` itself becomes a chunk, after `current`.
                let start = items.as_mut_ptr();
                let full = mem::take(current);
                self.len_before.set(self.len_before.get() + full.len() + n);
                // SAFETY: invariant 3. Moving the vectors moves their headers
                // only; their buffers stay put (invariant 1).
                let rest = unsafe { &mut *self.rest.get() };
                if full.capacity() > 0 {
                    rest.push(full);
                }
                rest.push(items);
                // SAFETY: `start` points to the `n` initialised values now
                // owned by the last chunk of `rest`, handed out once.
                return unsafe { slice::from_raw_parts_mut(start, n) };
            }
            self.grow(current, n);
        }
        let len = current.len();
        // SAFETY: the chunk has room for `n` more values; they are moved out
        // of `items`, whose length is then zeroed so they are not dropped
        // twice. The new elements are handed out once (invariant 2).
        unsafe {
            let dst = current.as_mut_ptr().add(len);
            ptr::copy_nonoverlapping(items.as_ptr(), dst, n);
            items.set_len(0);
            current.set_len(len + n);
            slice::from_raw_parts_mut(dst, n)
        }
    }

    /// Number of values in the arena.
    ///
    /// ```
    /// let arena = arenakit_arena::TypedArena::new();
    /// arena.alloc_extend(0..10);
    /// arena.alloc(10);
    /// assert_eq!(arena.len(), 11);
    /// ```
    pub fn len(&self) -> usize {
        // SAFETY: invariant 3 — no `&mut` to `current` is live outside
        // `alloc`, `grow` and `alloc_extend`, which are not running.
        self.len_before.get() + unsafe { &*self.current.get() }.len()
    }

    /// Whether the arena holds no values.
    ///
    /// ```
    /// let arena = arenakit_arena::TypedArena::new();
    /// assert!(arena.is_empty());
    /// arena.alloc(());
    /// assert!(!arena.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Iterates over the values in allocation order.
    ///
    /// ```
    /// let mut arena = arenakit_arena::TypedArena::new();
    /// for i in 0..5 {
    ///     arena.alloc(i);
    /// }
    /// arena.iter_mut().for_each(|x| *x *= 10);
    /// assert_eq!(arena.iter_mut().map(|x| *x).collect::<Vec<_>>(), [0, 10, 20, 30, 40]);
    /// ```
    pub fn iter_mut(&mut self) -> IterMut<'_, T> {
        IterMut {
            inner: self
                .rest
                .get_mut()
                .iter_mut()
                .flatten()
                .chain(self.current.get_mut().iter_mut()),
        }
    }

    /// Consumes the arena, returning its values in allocation order.
    ///
    /// ```
    /// let arena = arenakit_arena::TypedArena::new();
    /// arena.alloc("x".to_string());
    /// arena.alloc_extend(["y".to_string(), "z".to_string()]);
    /// assert_eq!(arena.into_vec(), ["x", "y", "z"]);
    /// ```
    pub fn into_vec(self) -> Vec<T> {
        let len = self.len();
        let mut out = Vec::with_capacity(len);
        for mut chunk in self.rest.into_inner() {
            out.append(&mut chunk);
        }
        out.append(&mut self.current.into_inner());
        out
    }
}

/// Iterator over the values of a [`TypedArena`], from [`TypedArena::iter_mut`].
///
/// ```
/// let mut arena = arenakit_arena::TypedArena::new();
/// arena.alloc(1);
/// let it: arenakit_arena::typed::IterMut<'_, i32> = arena.iter_mut();
/// assert_eq!(it.count(), 1);
/// ```
pub struct IterMut<'a, T> {
    #[allow(clippy::type_complexity)]
    inner: Chain<Flatten<slice::IterMut<'a, Vec<T>>>, slice::IterMut<'a, T>>,
}

impl<'a, T> Iterator for IterMut<'a, T> {
    type Item = &'a mut T;

    #[inline]
    fn next(&mut self) -> Option<&'a mut T> {
        self.inner.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> core::fmt::Debug for IterMut<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IterMut").finish_non_exhaustive()
    }
}
