//! [`Pool`]: reusable memory for values of one type, handed out as
//! [`PoolBox`] (unique) and [`PoolRef`] (shared, reference counted).
//!
//! The design is described in the docs of [`Pool`].

use core::alloc::Layout;
use core::borrow::{Borrow, BorrowMut};
use core::cell::Cell;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::ops::{Deref, DerefMut};
use core::ptr::{self, NonNull};
use std::alloc::{alloc, dealloc, handle_alloc_error};

/// The first word of every block: the strong count while the block is live,
/// the link to the next free block while it is free.
#[derive(Clone, Copy)]
#[repr(C)]
union Header {
    count: usize,
    next: Option<NonNull<u8>>,
}

/// A block: the header, then room for one `T`.
#[repr(C)]
struct Block<T> {
    header: Header,
    value: MaybeUninit<T>,
}

/// The part of a pool that does not depend on `T`: the free list and the
/// counts. It frees the memory it owns when it drops.
///
/// # Invariants
///
/// 1. Every pointer on the free list (`head`, then the `next` links) points
///    to a *free block*: memory of `block` layout, allocated with the global
///    allocator (unbounded pools) or lying inside `slab` (bounded pools),
///    whose header holds a valid `next` link and whose value is
///    uninitialised. The list has `free` blocks and no cycle; no block is on
///    it twice, and no handle points to a block on it.
/// 2. A *live block* is one a handle points to. Its header holds the strong
///    count `n >= 1`, the number of handles pointing to it (1 for a
///    [`PoolBox`]), and its value is initialised. It is on no free list, and
///    belongs to this pool: it was allocated the same way as free blocks.
/// 3. `total` counts the blocks that exist (free, live or leaked by
///    `mem::forget` of a handle); `total - free` of them are live.
/// 4. A bounded pool has `slab = Some(..)` (or `None` when its capacity is
///    0), `capacity = Some(total)`, and `max_free == usize::MAX`; its blocks
///    are never deallocated one by one, and the slab is freed when the pool
///    drops. An unbounded pool has `slab = None`, `capacity = None`, and
///    `free <= max_free`.
/// 5. No reference to a whole block is ever created: the header is accessed
///    through raw pointers, and references only cover the value, so the
///    header may change while the value is borrowed.
struct FreeList {
    head: Cell<Option<NonNull<u8>>>,
    free: Cell<usize>,
    total: Cell<usize>,
    max_free: Cell<usize>,
    capacity: Option<usize>,
    slab: Option<(NonNull<u8>, Layout)>,
    block: Layout,
}

impl FreeList {
    /// Pops a free block, or returns `None` if the list is empty.
    #[inline]
    fn pop(&self) -> Option<NonNull<u8>> {
        let block = self.head.get()?;
        // SAFETY: invariant 1 — `block` is a free block whose header holds a
        // valid `next` link; the header is the block's first word (`repr(C)`).
        let next = unsafe { (*block.cast::<Header>().as_ptr()).next };
        self.head.set(next);
        self.free.set(self.free.get() - 1);
        Some(block)
    }

    /// Pushes `block` on the free list.
    ///
    /// # Safety
    ///
    /// `block` belongs to this pool, its value is uninitialised or dropped,
    /// and no handle points to it any more.
    #[inline]
    unsafe fn push(&self, block: NonNull<u8>) {
        // SAFETY: the caller guarantees the block is ours and unused; its
        // first word is the header (invariant 5: written through a raw
        // pointer). It becomes a free block (invariant 1).
        unsafe { (*block.cast::<Header>().as_ptr()).next = self.head.get() };
        self.head.set(Some(block));
        self.free.set(self.free.get() + 1);
    }

    /// Deallocates `block` of an unbounded pool.
    ///
    /// # Safety
    ///
    /// `block` belongs to this unbounded pool, is on no list, and no handle
    /// points to it any more.
    unsafe fn dealloc_block(&self, block: NonNull<u8>) {
        // SAFETY: invariant 4 — blocks of unbounded pools come one by one
        // from the global allocator with layout `self.block`.
        unsafe { dealloc(block.as_ptr(), self.block) };
        self.total.set(self.total.get() - 1);
    }

    /// Deallocates free blocks until at most `keep` remain (unbounded pools).
    fn trim(&self, keep: usize) {
        debug_assert!(self.capacity.is_none());
        while self.free.get() > keep {
            let block = self.pop().expect("the list holds `free` blocks");
            // SAFETY: the block was free, so it is ours and unused
            // (invariant 1), and `pop` took it off the list.
            unsafe { self.dealloc_block(block) };
        }
    }
}

impl Drop for FreeList {
    fn drop(&mut self) {
        if let Some((slab, layout)) = self.slab {
            // SAFETY: invariant 4 — the slab was allocated with `layout`, and
            // no handle exists any more: handles borrow the pool.
            unsafe { dealloc(slab.as_ptr(), layout) };
        } else if self.capacity.is_none() {
            self.trim(0);
        }
    }
}

/// A pool of reusable memory for values of type `T`.
///
/// [`alloc_box`](Pool::alloc_box) and [`alloc_ref`](Pool::alloc_ref) move a
/// value into a block taken from the pool's free list; dropping the last
/// handle drops the value and puts the block back. An unbounded pool
/// ([`Pool::new`]) falls back to the global allocator when the list is empty;
/// a bounded pool ([`Pool::bounded`]) never allocates after its creation.
/// See [Design](#design) below.
///
/// ```
/// use arenakit_arena::{Pool, PoolRef};
///
/// let pool = Pool::new();
/// let a = pool.alloc_ref(String::from("shared"));
/// let b = PoolRef::clone(&a);
/// assert_eq!(PoolRef::strong_count(&a), 2);
/// assert_eq!(pool.len(), 1);
/// drop((a, b));
/// // The block is back on the free list, ready for the next value.
/// assert_eq!((pool.len(), pool.free_count()), (0, 1));
/// let mut c = pool.alloc_box(String::from("unique"));
/// c.push('!');
/// assert_eq!(*c, "unique!");
/// assert_eq!(pool.free_count(), 0);
/// ```
///
/// Values may hold handles into their own pool:
///
/// ```
/// use arenakit_arena::{Pool, PoolRef};
///
/// struct Node<'p> {
///     value: i32,
///     children: Vec<PoolRef<'p, Node<'p>>>,
/// }
///
/// fn sum(node: &Node<'_>) -> i32 {
///     node.value + node.children.iter().map(|c| sum(c)).sum::<i32>()
/// }
///
/// let pool = Pool::new();
/// let leaf = pool.alloc_ref(Node { value: 1, children: vec![] });
/// let root = pool.alloc_ref(Node {
///     value: 10,
///     children: vec![leaf.clone(), leaf],
/// });
/// assert_eq!(sum(&root), 12);
/// assert_eq!(pool.len(), 2);
/// drop(root);
/// assert_eq!(pool.len(), 0);
/// ```
///
/// # Design
///
/// A pool hands out *blocks*. A block holds a one-word header and the value.
/// While a block is live the header is the strong count of its value (a
/// [`PoolBox`] keeps it at 1, which makes [`PoolBox::into_ref`] free); while
/// the block is free the header is the link to the next free block. The free
/// list is thus threaded through the free blocks themselves and costs no side
/// allocation, and a shared value costs one allocation, as an intrusive `Rc`
/// does (one word less than `Rc`, which also keeps a weak count).
///
/// Handles borrow the pool (`PoolBox<'p, T>`, `PoolRef<'p, T>`), so the
/// borrow checker proves that the pool outlives every handle: the pool needs
/// no reference count of its own, and a handle is two words, the block and
/// the pool. The pool keeps its state in [`Cell`]s, so it is `!Sync`, and
/// handles are neither `Send` nor `Sync`.
///
/// The free list lives in a part of the pool that does not mention `T` and
/// the pool has no destructor of its own beyond it, so a value may hold
/// handles into the pool it lives in: trees and graphs of `PoolRef`s work,
/// like the values of a [`TypedArena`](crate::TypedArena).
///
/// Two modes share the type:
///
/// - [`Pool::new`] and [`Pool::with_max_free`] are *unbounded*: when the
///   free list is empty a block comes from the global allocator, and a
///   returned block is kept for reuse, up to the `max_free` cap, past which
///   it goes back to the global allocator.
/// - [`Pool::bounded`] allocates all its blocks at once, in one slab, and
///   never allocates again: when they are all live, the `try_*` methods
///   return [`PoolExhausted`] (with the value) and the others panic.
///
/// A bounded pool's slab is one allocation instead of `capacity` ones:
/// creating it is one call, its blocks are adjacent (the first values come
/// out in address order), and it is freed in one call when the pool drops.
///
/// Dropping a value returns its block even if the value's destructor
/// panics, so a panic never loses a block of a bounded pool. A value's
/// destructor may itself allocate from or return blocks to the pool: the
/// pool runs no user code while its free list is half updated. Cloning a
/// `PoolRef` whose count is `usize::MAX` panics, and the count never wraps.
pub struct Pool<T> {
    list: FreeList,
    // The pool stores no `T` (values are owned by handles), so it is
    // covariant in `T` and does not own one for the drop check.
    _marker: PhantomData<fn() -> T>,
}

// SAFETY: a pool holds no value of `T` that could be reached from another
// thread: values belong to handles, which borrow the pool, so no handle
// exists while the pool is being moved. Its free blocks are plain memory.
unsafe impl<T: Send> Send for Pool<T> {}

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool::new()
    }
}

impl<T> fmt::Debug for Pool<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Pool");
        s.field("len", &self.len())
            .field("free", &self.free_count());
        match self.capacity() {
            Some(capacity) => s.field("capacity", &capacity),
            None => s.field("max_free", &self.max_free()),
        };
        s.finish()
    }
}

impl<T> Pool<T> {
    const BLOCK: Layout = Layout::new::<Block<T>>();

    /// Creates an unbounded pool that keeps every returned block for reuse.
    /// Nothing is allocated until the first value.
    ///
    /// ```
    /// let pool = arenakit_arena::Pool::<u64>::new();
    /// assert_eq!((pool.len(), pool.free_count(), pool.capacity()), (0, 0, None));
    /// ```
    pub const fn new() -> Self {
        Pool::with_max_free(usize::MAX)
    }

    /// Creates an unbounded pool that keeps at most `max_free` returned
    /// blocks; a block returned past that goes back to the global allocator.
    ///
    /// ```
    /// let pool = arenakit_arena::Pool::with_max_free(1);
    /// let (a, b) = (pool.alloc_box(1), pool.alloc_box(2));
    /// drop((a, b));
    /// assert_eq!(pool.free_count(), 1);
    /// ```
    pub const fn with_max_free(max_free: usize) -> Self {
        Pool {
            list: FreeList {
                head: Cell::new(None),
                free: Cell::new(0),
                total: Cell::new(0),
                max_free: Cell::new(max_free),
                capacity: None,
                slab: None,
                block: Self::BLOCK,
            },
            _marker: PhantomData,
        }
    }

    /// Creates a bounded pool: all `capacity` blocks are allocated now, in
    /// one slab, and the pool never allocates again. When every block is
    /// live, [`try_alloc_box`](Pool::try_alloc_box) and
    /// [`try_alloc_ref`](Pool::try_alloc_ref) fail and
    /// [`alloc_box`](Pool::alloc_box) and [`alloc_ref`](Pool::alloc_ref)
    /// panic.
    ///
    /// # Panics
    ///
    /// Panics if `capacity` blocks take more than `isize::MAX` bytes, and
    /// aborts through [`handle_alloc_error`] if the allocation fails, as
    /// `Vec::with_capacity` does.
    ///
    /// ```
    /// let pool = arenakit_arena::Pool::bounded(2);
    /// assert_eq!((pool.capacity(), pool.free_count()), (Some(2), 2));
    /// let a = pool.alloc_ref('a');
    /// let b = pool.alloc_ref('b');
    /// let err = pool.try_alloc_ref('c').unwrap_err();
    /// assert_eq!(err.into_value(), 'c');
    /// drop(a);
    /// assert_eq!(*pool.alloc_ref('d'), 'd');
    /// # drop(b);
    /// ```
    pub fn bounded(capacity: usize) -> Self {
        let slab_layout = Layout::array::<Block<T>>(capacity)
            .expect("bounded pool capacity overflows the address space");
        let slab = if capacity == 0 {
            None
        } else {
            // SAFETY: the layout is not zero-sized: `capacity > 0` and a
            // block holds at least its header.
            let ptr = unsafe { alloc(slab_layout) };
            let Some(ptr) = NonNull::new(ptr) else {
                handle_alloc_error(slab_layout)
            };
            Some((ptr, slab_layout))
        };
        let list = FreeList {
            head: Cell::new(None),
            free: Cell::new(0),
            total: Cell::new(capacity),
            max_free: Cell::new(usize::MAX),
            capacity: Some(capacity),
            slab,
            block: Self::BLOCK,
        };
        if let Some((slab, _)) = slab {
            // Push the last block first so that the first block is popped
            // first and consecutive allocations are adjacent.
            for i in (0..capacity).rev() {
                // SAFETY: `i < capacity`, so the offset stays inside the slab
                // (an array of `capacity` blocks) and the pointer keeps the
                // slab's provenance.
                let block = unsafe { slab.cast::<Block<T>>().add(i) };
                // SAFETY: the block lies in this pool's slab, is unused and
                // uninitialised, and is pushed once (invariant 1).
                unsafe { list.push(block.cast()) };
            }
        }
        Pool {
            list,
            _marker: PhantomData,
        }
    }

    /// The number of live values: blocks held by handles (including blocks
    /// of handles leaked with [`mem::forget`](core::mem::forget)).
    ///
    /// ```
    /// let pool = arenakit_arena::Pool::new();
    /// let a = pool.alloc_ref(1);
    /// let _b = a.clone();
    /// assert_eq!(pool.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.list.total.get() - self.list.free.get()
    }

    /// Whether no value is live.
    ///
    /// ```
    /// let pool = arenakit_arena::Pool::new();
    /// assert!(pool.is_empty());
    /// let a = pool.alloc_box(1);
    /// assert!(!pool.is_empty());
    /// # drop(a);
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of free blocks, ready for the next values.
    ///
    /// ```
    /// let pool = arenakit_arena::Pool::bounded(3);
    /// let a = pool.alloc_box(1);
    /// assert_eq!(pool.free_count(), 2);
    /// # drop(a);
    /// ```
    pub fn free_count(&self) -> usize {
        self.list.free.get()
    }

    /// The number of blocks of a bounded pool, or `None` if it is unbounded.
    ///
    /// ```
    /// use arenakit_arena::Pool;
    ///
    /// assert_eq!(Pool::<u8>::bounded(8).capacity(), Some(8));
    /// assert_eq!(Pool::<u8>::new().capacity(), None);
    /// ```
    pub fn capacity(&self) -> Option<usize> {
        self.list.capacity
    }

    /// The most free blocks an unbounded pool keeps; `usize::MAX` for a
    /// bounded pool or one made by [`Pool::new`].
    ///
    /// ```
    /// use arenakit_arena::Pool;
    ///
    /// assert_eq!(Pool::<u8>::with_max_free(4).max_free(), 4);
    /// assert_eq!(Pool::<u8>::new().max_free(), usize::MAX);
    /// ```
    pub fn max_free(&self) -> usize {
        self.list.max_free.get()
    }

    /// Caps the free blocks an unbounded pool keeps at `max_free`, freeing
    /// the extra ones now. `set_max_free(0)` releases all free memory. A
    /// bounded pool ignores the call: its blocks live as long as it does.
    ///
    /// ```
    /// let pool = arenakit_arena::Pool::new();
    /// drop([pool.alloc_box(1), pool.alloc_box(2), pool.alloc_box(3)]);
    /// assert_eq!(pool.free_count(), 3);
    /// pool.set_max_free(1);
    /// assert_eq!((pool.free_count(), pool.max_free()), (1, 1));
    /// ```
    pub fn set_max_free(&self, max_free: usize) {
        if self.list.capacity.is_none() {
            self.list.max_free.set(max_free);
            self.list.trim(max_free);
        }
    }

    /// Allocates free blocks until at least `count` are free (but no more
    /// than [`max_free`](Pool::max_free)), so that the next `count` values
    /// need no allocation. A bounded pool ignores the call: all its blocks
    /// exist from the start.
    ///
    /// # Panics
    ///
    /// Aborts through [`handle_alloc_error`] if an allocation fails.
    ///
    /// ```
    /// let pool = arenakit_arena::Pool::<[u8; 32]>::new();
    /// pool.reserve(100);
    /// assert_eq!(pool.free_count(), 100);
    /// ```
    pub fn reserve(&self, count: usize) {
        if self.list.capacity.is_some() {
            return;
        }
        while self.list.free.get() < count.min(self.list.max_free.get()) {
            let block = self.alloc_block();
            // SAFETY: the block is fresh from the global allocator with this
            // pool's block layout and unused (invariants 1 and 4).
            unsafe { self.list.push(block.cast()) };
        }
    }

    /// Allocates one block from the global allocator (unbounded pools).
    #[cold]
    #[inline(never)]
    fn alloc_block(&self) -> NonNull<Block<T>> {
        // SAFETY: a block is never zero-sized: it holds its header.
        let ptr = unsafe { alloc(Self::BLOCK) };
        let Some(ptr) = NonNull::new(ptr) else {
            handle_alloc_error(Self::BLOCK)
        };
        self.list.total.set(self.list.total.get() + 1);
        ptr.cast()
    }

    /// Takes a block for a new value with strong count 1 and moves `value`
    /// into it, or hands `value` back if the bounded pool is exhausted.
    #[inline]
    fn acquire(&self, value: T) -> Result<NonNull<Block<T>>, T> {
        let block = match self.list.pop() {
            Some(block) => block.cast::<Block<T>>(),
            None if self.list.capacity.is_none() => self.alloc_block(),
            None => return Err(value),
        };
        // SAFETY: the block is ours and unused (it was free, or is fresh);
        // writing the count and the value makes it live (invariant 2). The
        // writes go through raw pointers (invariant 5).
        unsafe {
            (*block.as_ptr()).header.count = 1;
            (&raw mut (*block.as_ptr()).value).cast::<T>().write(value);
        }
        Ok(block)
    }

    /// Returns `block`, whose value was dropped or moved out, to the pool.
    ///
    /// # Safety
    ///
    /// `block` is a block of this pool whose last handle is gone, and its
    /// value has been dropped or moved out.
    #[inline]
    unsafe fn release(&self, block: NonNull<Block<T>>) {
        if self.list.free.get() < self.list.max_free.get() {
            // SAFETY: the caller's guarantee is `push`'s.
            unsafe { self.list.push(block.cast()) };
        } else {
            // SAFETY: bounded pools never get here (invariant 4: their
            // `max_free` exceeds any free count), and the caller guarantees
            // the block is ours and unused.
            unsafe { self.list.dealloc_block(block.cast()) };
        }
    }

    /// Moves `value` into the pool as a unique [`PoolBox`].
    ///
    /// # Panics
    ///
    /// Panics if the pool is bounded and every block is live; see
    /// [`try_alloc_box`](Pool::try_alloc_box).
    ///
    /// ```
    /// let pool = arenakit_arena::Pool::new();
    /// let mut b = pool.alloc_box(vec![1, 2]);
    /// b.push(3);
    /// assert_eq!(*b, [1, 2, 3]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_box(&self, value: T) -> PoolBox<'_, T> {
        match self.try_alloc_box(value) {
            Ok(b) => b,
            Err(err) => exhausted(err.capacity),
        }
    }

    /// Moves `value` into the pool as a shared [`PoolRef`] with strong
    /// count 1.
    ///
    /// # Panics
    ///
    /// Panics if the pool is bounded and every block is live; see
    /// [`try_alloc_ref`](Pool::try_alloc_ref).
    ///
    /// ```
    /// use arenakit_arena::{Pool, PoolRef};
    ///
    /// let pool = Pool::new();
    /// let r = pool.alloc_ref("hello");
    /// assert_eq!((*r, PoolRef::strong_count(&r)), ("hello", 1));
    /// ```
    #[inline]
    #[track_caller]
    pub fn alloc_ref(&self, value: T) -> PoolRef<'_, T> {
        match self.try_alloc_ref(value) {
            Ok(r) => r,
            Err(err) => exhausted(err.capacity),
        }
    }

    /// Moves `value` into the pool as a [`PoolBox`], or returns it inside
    /// [`PoolExhausted`] if the pool is bounded and every block is live. An
    /// unbounded pool never fails.
    ///
    /// ```
    /// let pool = arenakit_arena::Pool::bounded(1);
    /// let a = pool.try_alloc_box(1).unwrap();
    /// let err = pool.try_alloc_box(2).unwrap_err();
    /// assert_eq!((err.capacity(), err.into_value()), (1, 2));
    /// drop(a);
    /// assert_eq!(*pool.try_alloc_box(3).unwrap(), 3);
    /// ```
    #[inline]
    pub fn try_alloc_box(&self, value: T) -> Result<PoolBox<'_, T>, PoolExhausted<T>> {
        match self.acquire(value) {
            Ok(block) => Ok(PoolBox { block, pool: self }),
            Err(value) => Err(self.exhausted_error(value)),
        }
    }

    /// Moves `value` into the pool as a [`PoolRef`], or returns it inside
    /// [`PoolExhausted`] if the pool is bounded and every block is live. An
    /// unbounded pool never fails.
    ///
    /// ```
    /// let pool = arenakit_arena::Pool::bounded(1);
    /// let a = pool.try_alloc_ref(1).unwrap();
    /// let b = a.clone(); // a clone takes no block
    /// assert!(pool.try_alloc_ref(2).is_err());
    /// drop((a, b));
    /// assert!(pool.try_alloc_ref(3).is_ok());
    /// ```
    #[inline]
    pub fn try_alloc_ref(&self, value: T) -> Result<PoolRef<'_, T>, PoolExhausted<T>> {
        self.try_alloc_box(value).map(PoolBox::into_ref)
    }

    #[cold]
    fn exhausted_error(&self, value: T) -> PoolExhausted<T> {
        PoolExhausted {
            value,
            capacity: self.list.capacity.unwrap_or(0),
        }
    }
}

/// The panic of the infallible allocation methods on an exhausted pool.
#[cold]
#[inline(never)]
#[track_caller]
fn exhausted(capacity: usize) -> ! {
    panic!(
        "{}",
        PoolExhausted {
            value: (),
            capacity
        }
    )
}

/// The error of [`Pool::try_alloc_box`] and [`Pool::try_alloc_ref`] on a
/// bounded pool whose blocks are all live. It gives the value back.
///
/// ```
/// let pool = arenakit_arena::Pool::bounded(0);
/// let err = pool.try_alloc_box(String::from("kept")).unwrap_err();
/// assert_eq!(err.to_string(), "bounded pool exhausted: all 0 blocks are live");
/// assert_eq!(err.into_value(), "kept");
/// ```
pub struct PoolExhausted<T> {
    value: T,
    capacity: usize,
}

impl<T> PoolExhausted<T> {
    /// The capacity of the exhausted pool.
    ///
    /// ```
    /// let pool = arenakit_arena::Pool::bounded(0);
    /// assert_eq!(pool.try_alloc_ref(1).unwrap_err().capacity(), 0);
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Gives back the value that was not allocated.
    ///
    /// ```
    /// let pool = arenakit_arena::Pool::bounded(0);
    /// assert_eq!(pool.try_alloc_ref(7).unwrap_err().into_value(), 7);
    /// ```
    pub fn into_value(self) -> T {
        self.value
    }
}

impl<T> fmt::Debug for PoolExhausted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolExhausted")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Display for PoolExhausted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bounded pool exhausted: all {} blocks are live",
            self.capacity
        )
    }
}

impl<T> std::error::Error for PoolExhausted<T> {}

/// Returns a block to its pool when dropped, after the value has been
/// dropped, even if the value's destructor panics.
struct Release<'p, T> {
    block: NonNull<Block<T>>,
    pool: &'p Pool<T>,
}

impl<T> Drop for Release<'_, T> {
    fn drop(&mut self) {
        // SAFETY: a `Release` is only made for a block whose last handle is
        // gone, and it drops after the value was dropped (or while its
        // destructor unwinds, when the value counts as dropped).
        unsafe { self.pool.release(self.block) };
    }
}

/// A pointer to the value of `block`, made without a reference to the
/// block (invariant 5).
///
/// # Safety
///
/// `block` points to a block of memory that is still allocated: a live
/// block (invariant 2), or one being released.
unsafe fn value_ptr<T>(block: NonNull<Block<T>>) -> *mut T {
    // SAFETY: the caller's promise: the field's offset stays inside the
    // allocated block. `&raw mut` makes no reference to it (invariant 5).
    unsafe { (&raw mut (*block.as_ptr()).value).cast::<T>() }
}

/// Drops the value of `block` and returns the block to `pool`.
///
/// # Safety
///
/// `block` is a live block of `pool` with no handle left.
unsafe fn drop_value<T>(block: NonNull<Block<T>>, pool: &Pool<T>) {
    let release = Release { block, pool };
    // SAFETY: the block is live, so the value is initialised (invariant 2),
    // and no handle is left to see it. If the destructor panics, `release`
    // still returns the block.
    unsafe { ptr::drop_in_place(value_ptr(block)) };
    drop(release);
}

/// A unique, owning pointer to a value in a [`Pool`], like a `Box`. Dropping
/// it drops the value and returns the block to the pool.
///
/// ```
/// use arenakit_arena::{Pool, PoolBox};
///
/// let pool = Pool::new();
/// let mut b = pool.alloc_box(String::from("a"));
/// b.push('b'); // `DerefMut`
/// assert_eq!(b.len(), 2); // `Deref`
/// assert_eq!(b.to_string(), "ab"); // `Display`
/// assert_eq!(b, pool.alloc_box(String::from("ab"))); // `PartialEq`
/// assert_eq!(PoolBox::into_inner(b), "ab");
/// assert_eq!(pool.len(), 0);
/// ```
///
/// A handle cannot outlive its pool:
///
/// ```compile_fail,E0597
/// let b;
/// {
///     let pool = arenakit_arena::Pool::new();
///     b = pool.alloc_box(1);
/// }
/// assert_eq!(*b, 1);
/// ```
///
/// Nor can it move to another thread:
///
/// ```compile_fail,E0277
/// let pool = arenakit_arena::Pool::new();
/// let b = pool.alloc_box(1);
/// std::thread::scope(|s| {
///     s.spawn(move || assert_eq!(*b, 1));
/// });
/// ```
pub struct PoolBox<'p, T> {
    // Invariant 2: a live block of `pool` with count 1, owned by this box.
    block: NonNull<Block<T>>,
    pool: &'p Pool<T>,
}

impl<'p, T> PoolBox<'p, T> {
    /// Moves the value out and returns the block to the pool.
    ///
    /// ```
    /// let pool = arenakit_arena::Pool::new();
    /// let b = pool.alloc_box(vec![1]);
    /// assert_eq!(arenakit_arena::PoolBox::into_inner(b), [1]);
    /// assert_eq!(pool.free_count(), 1);
    /// ```
    pub fn into_inner(this: Self) -> T {
        let this = ManuallyDrop::new(this);
        // SAFETY: the box owns its live block (invariant 2), so the value is
        // initialised; it is read once, and the block is released without
        // dropping it, since `this` will not drop.
        unsafe {
            let value = value_ptr(this.block).read();
            this.pool.release(this.block);
            value
        }
    }

    /// Turns the box into a [`PoolRef`] with strong count 1, in place.
    ///
    /// ```
    /// use arenakit_arena::{PoolBox, PoolRef};
    ///
    /// let pool = arenakit_arena::Pool::new();
    /// let b = pool.alloc_box(5);
    /// let addr = &*b as *const i32;
    /// let r = PoolBox::into_ref(b);
    /// assert_eq!((PoolRef::as_ptr(&r), PoolRef::strong_count(&r)), (addr, 1));
    /// ```
    pub fn into_ref(this: Self) -> PoolRef<'p, T> {
        let this = ManuallyDrop::new(this);
        // The header of a box's block already holds the count 1.
        PoolRef {
            block: this.block,
            pool: this.pool,
        }
    }

    /// The pool the value lives in.
    ///
    /// ```
    /// use arenakit_arena::{Pool, PoolBox};
    ///
    /// let pool = Pool::new();
    /// let b = pool.alloc_box(1);
    /// assert!(std::ptr::eq(PoolBox::pool(&b), &pool));
    /// ```
    pub fn pool(this: &Self) -> &'p Pool<T> {
        this.pool
    }
}

impl<T> Drop for PoolBox<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the box owns its live block and is going away.
        unsafe { drop_value(self.block, self.pool) };
    }
}

impl<T> Deref for PoolBox<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: invariant 2 — the value is initialised and owned by this
        // box, so a shared borrow of the box may lend it out.
        unsafe { &*value_ptr(self.block) }
    }
}

impl<T> DerefMut for PoolBox<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: invariant 2 — the value is initialised and owned by this
        // box alone, and `&mut self` excludes every other borrow of it.
        unsafe { &mut *value_ptr(self.block) }
    }
}

impl<T: Clone> Clone for PoolBox<'_, T> {
    /// Clones the value into a new block of the same pool.
    ///
    /// # Panics
    ///
    /// Panics if the pool is bounded and every block is live.
    #[track_caller]
    fn clone(&self) -> Self {
        self.pool.alloc_box((**self).clone())
    }
}

impl<'p, T> From<PoolBox<'p, T>> for PoolRef<'p, T> {
    fn from(b: PoolBox<'p, T>) -> Self {
        PoolBox::into_ref(b)
    }
}

/// A shared, reference-counted pointer to a value in a [`Pool`], like an
/// `Rc`. The count lives in the value's block. Dropping the last handle drops
/// the value and returns the block to the pool.
///
/// As with `Rc`, the methods are associated functions (`PoolRef::get_mut(&mut
/// r)`), so they do not shadow the value's methods.
///
/// ```
/// use arenakit_arena::{Pool, PoolRef};
///
/// let pool = Pool::new();
/// let a = pool.alloc_ref(vec![1, 2]);
/// let mut b = a.clone();
/// assert!(PoolRef::ptr_eq(&a, &b));
/// assert_eq!(PoolRef::strong_count(&a), 2);
/// // `make_mut` clones the shared value into a new block of the pool.
/// PoolRef::make_mut(&mut b).push(3);
/// assert!(!PoolRef::ptr_eq(&a, &b));
/// assert_eq!((a.as_slice(), b.as_slice()), (&[1, 2][..], &[1, 2, 3][..]));
/// assert!(a < b); // comparisons and hashing forward to the value
/// assert_eq!(PoolRef::try_unwrap(a), Ok(vec![1, 2]));
/// ```
///
/// A handle cannot outlive its pool:
///
/// ```compile_fail,E0597
/// let r;
/// {
///     let pool = arenakit_arena::Pool::new();
///     r = pool.alloc_ref(1);
/// }
/// assert_eq!(*r, 1);
/// ```
///
/// Nor can it move to another thread:
///
/// ```compile_fail,E0277
/// let pool = arenakit_arena::Pool::new();
/// let r = pool.alloc_ref(1);
/// std::thread::scope(|s| {
///     s.spawn(move || assert_eq!(*r, 1));
/// });
/// ```
pub struct PoolRef<'p, T> {
    // Invariant 2: a live block of `pool`; this handle is one of the
    // `count` handles that point to it.
    block: NonNull<Block<T>>,
    pool: &'p Pool<T>,
}

impl<'p, T> PoolRef<'p, T> {
    /// The strong count of the block: how many handles point to it.
    #[inline]
    fn count(&self) -> usize {
        // SAFETY: invariant 2 — the block is live, so its header holds the
        // count; it is read through a raw pointer (invariant 5).
        unsafe { (*self.block.as_ptr()).header.count }
    }

    /// Sets the strong count of the block.
    ///
    /// # Safety
    ///
    /// Before a handle to the block drops or gives up its value, the count
    /// must again equal the number of handles (invariant 2): a count too
    /// high leaks the value, one too low frees it under a live handle.
    #[inline]
    unsafe fn set_count(&self, count: usize) {
        // SAFETY: invariant 2 — the block is live; the header is written
        // through a raw pointer and is never covered by a reference
        // (invariant 5), so borrows of the value are unaffected.
        unsafe { (*self.block.as_ptr()).header.count = count };
    }

    /// How many `PoolRef`s point to this value.
    ///
    /// ```
    /// use arenakit_arena::PoolRef;
    ///
    /// let pool = arenakit_arena::Pool::new();
    /// let a = pool.alloc_ref(1);
    /// let b = a.clone();
    /// assert_eq!(PoolRef::strong_count(&b), 2);
    /// drop(a);
    /// assert_eq!(PoolRef::strong_count(&b), 1);
    /// ```
    #[inline]
    pub fn strong_count(this: &Self) -> usize {
        this.count()
    }

    /// Whether two handles point to the same value (the same block).
    ///
    /// ```
    /// use arenakit_arena::PoolRef;
    ///
    /// let pool = arenakit_arena::Pool::new();
    /// let a = pool.alloc_ref(1);
    /// let b = pool.alloc_ref(1);
    /// assert!(PoolRef::ptr_eq(&a, &a.clone()));
    /// assert!(!PoolRef::ptr_eq(&a, &b));
    /// assert_eq!(a, b);
    /// ```
    #[inline]
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        this.block == other.block
    }

    /// A pointer to the value, valid while any handle to it lives.
    ///
    /// ```
    /// use arenakit_arena::PoolRef;
    ///
    /// let pool = arenakit_arena::Pool::new();
    /// let a = pool.alloc_ref(7);
    /// assert_eq!(PoolRef::as_ptr(&a), &*a as *const i32);
    /// ```
    #[inline]
    pub fn as_ptr(this: &Self) -> *const T {
        // SAFETY: invariant 2 — the handle's block is live.
        unsafe { value_ptr(this.block) }
    }

    /// A mutable reference to the value if this is its only handle, else
    /// `None`.
    ///
    /// ```
    /// use arenakit_arena::PoolRef;
    ///
    /// let pool = arenakit_arena::Pool::new();
    /// let mut a = pool.alloc_ref(1);
    /// *PoolRef::get_mut(&mut a).unwrap() += 1;
    /// let b = a.clone();
    /// assert!(PoolRef::get_mut(&mut a).is_none());
    /// drop(b);
    /// assert_eq!(*PoolRef::get_mut(&mut a).unwrap(), 2);
    /// ```
    #[inline]
    pub fn get_mut(this: &mut Self) -> Option<&mut T> {
        if this.count() == 1 {
            // SAFETY: invariant 2 — this is the only handle to the live
            // block, and `&mut this` excludes other borrows through it.
            Some(unsafe { &mut *value_ptr(this.block) })
        } else {
            None
        }
    }

    /// A mutable reference to the value, cloning it first into a new block
    /// of the same pool if other handles share it (clone-on-write, like
    /// `Rc::make_mut`). The other handles keep the old value.
    ///
    /// # Panics
    ///
    /// Panics if the value is shared and the pool is bounded with every
    /// block live.
    ///
    /// ```
    /// use arenakit_arena::PoolRef;
    ///
    /// let pool = arenakit_arena::Pool::new();
    /// let mut a = pool.alloc_ref(String::from("x"));
    /// let b = a.clone();
    /// PoolRef::make_mut(&mut a).push('y');
    /// assert_eq!((a.as_str(), b.as_str()), ("xy", "x"));
    /// assert_eq!(pool.len(), 2);
    /// ```
    #[track_caller]
    pub fn make_mut(this: &mut Self) -> &mut T
    where
        T: Clone,
    {
        if this.count() != 1 {
            let copy = this.pool.alloc_ref((**this).clone());
            // Dropping the old handle decrements the shared count; other
            // handles keep the value alive.
            *this = copy;
        }
        // SAFETY: invariant 2 — the count is now 1, so this is the only
        // handle to the live block, and `&mut this` excludes other borrows.
        unsafe { &mut *value_ptr(this.block) }
    }

    /// Moves the value out if this is its only handle, returning the block
    /// to the pool; otherwise gives the handle back.
    ///
    /// ```
    /// use arenakit_arena::PoolRef;
    ///
    /// let pool = arenakit_arena::Pool::new();
    /// let a = pool.alloc_ref(3);
    /// let b = a.clone();
    /// let a = PoolRef::try_unwrap(a).unwrap_err();
    /// drop(b);
    /// assert_eq!(PoolRef::try_unwrap(a), Ok(3));
    /// ```
    pub fn try_unwrap(this: Self) -> Result<T, Self> {
        PoolRef::try_into_box(this).map(PoolBox::into_inner)
    }

    /// Moves the value out if this is its last handle; otherwise drops the
    /// handle and returns `None`. Like `Rc::into_inner`, calling it on every
    /// handle yields the value exactly once.
    ///
    /// ```
    /// use arenakit_arena::PoolRef;
    ///
    /// let pool = arenakit_arena::Pool::new();
    /// let a = pool.alloc_ref(String::from("v"));
    /// let b = a.clone();
    /// assert_eq!(PoolRef::into_inner(a), None);
    /// assert_eq!(PoolRef::into_inner(b).as_deref(), Some("v"));
    /// ```
    pub fn into_inner(this: Self) -> Option<T> {
        PoolRef::try_unwrap(this).ok()
    }

    /// Moves the value out if this is its only handle, as
    /// [`try_unwrap`](PoolRef::try_unwrap) does; otherwise clones it and
    /// drops the handle. Like `Rc::unwrap_or_clone`.
    ///
    /// ```
    /// use arenakit_arena::PoolRef;
    ///
    /// let pool = arenakit_arena::Pool::new();
    /// let a = pool.alloc_ref(String::from("v"));
    /// let b = a.clone();
    /// assert_eq!(PoolRef::unwrap_or_clone(a), "v"); // Cloned: `b` remains.
    /// assert_eq!(PoolRef::strong_count(&b), 1);
    /// assert_eq!(PoolRef::unwrap_or_clone(b), "v"); // Moved out.
    /// assert_eq!(pool.len(), 0);
    /// ```
    pub fn unwrap_or_clone(this: Self) -> T
    where
        T: Clone,
    {
        PoolRef::try_unwrap(this).unwrap_or_else(|shared| (*shared).clone())
    }

    /// Turns the handle into a [`PoolBox`] if it is the value's only handle,
    /// in place; otherwise gives it back.
    ///
    /// ```
    /// use arenakit_arena::PoolRef;
    ///
    /// let pool = arenakit_arena::Pool::new();
    /// let a = pool.alloc_ref(vec![1]);
    /// let mut b = PoolRef::try_into_box(a).unwrap();
    /// b.push(2);
    /// assert_eq!(*b, [1, 2]);
    /// ```
    pub fn try_into_box(this: Self) -> Result<PoolBox<'p, T>, Self> {
        if this.count() != 1 {
            return Err(this);
        }
        let this = ManuallyDrop::new(this);
        // The count is 1, the one a box keeps.
        Ok(PoolBox {
            block: this.block,
            pool: this.pool,
        })
    }

    /// The pool the value lives in.
    ///
    /// ```
    /// use arenakit_arena::{Pool, PoolRef};
    ///
    /// let pool = Pool::new();
    /// let r = pool.alloc_ref(1);
    /// assert!(std::ptr::eq(PoolRef::pool(&r), &pool));
    /// ```
    pub fn pool(this: &Self) -> &'p Pool<T> {
        this.pool
    }
}

impl<T> Clone for PoolRef<'_, T> {
    /// Makes another handle to the same value, incrementing the count.
    ///
    /// # Panics
    ///
    /// Panics if the count would overflow `usize` (it never wraps).
    #[inline]
    fn clone(&self) -> Self {
        let count = self.count();
        if count == usize::MAX {
            count_overflow();
        }
        // SAFETY: the handle made next is the one the count gains.
        unsafe { self.set_count(count + 1) };
        PoolRef {
            block: self.block,
            pool: self.pool,
        }
    }
}

#[cold]
#[inline(never)]
fn count_overflow() -> ! {
    panic!("PoolRef strong count overflow")
}

impl<T> Drop for PoolRef<'_, T> {
    #[inline]
    fn drop(&mut self) {
        let count = self.count();
        if count > 1 {
            // SAFETY: this handle, which the count loses, is going.
            unsafe { self.set_count(count - 1) };
        } else {
            // SAFETY: the count is 1, so this is the last handle to the
            // live block (invariant 2). The count is left as it is: the
            // release writes the free-list link over it.
            unsafe { drop_value(self.block, self.pool) };
        }
    }
}

impl<T> Deref for PoolRef<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: invariant 2 — the block is live while this handle is, so
        // the value is initialised; `&mut` to it is only made when this is
        // the only handle and through `&mut self`, so it cannot overlap.
        unsafe { &*value_ptr(self.block) }
    }
}

/// Trait impls that forward to the value, for both handles.
macro_rules! forward_traits {
    ($handle:ident) => {
        impl<T: fmt::Debug> fmt::Debug for $handle<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }

        impl<T: fmt::Display> fmt::Display for $handle<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&**self, f)
            }
        }

        impl<T> fmt::Pointer for $handle<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Pointer::fmt(&ptr::from_ref::<T>(self), f)
            }
        }

        impl<T: PartialEq> PartialEq for $handle<'_, T> {
            fn eq(&self, other: &Self) -> bool {
                **self == **other
            }
        }

        impl<T: Eq> Eq for $handle<'_, T> {}

        impl<T: PartialOrd> PartialOrd for $handle<'_, T> {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                (**self).partial_cmp(&**other)
            }
        }

        impl<T: Ord> Ord for $handle<'_, T> {
            fn cmp(&self, other: &Self) -> Ordering {
                (**self).cmp(&**other)
            }
        }

        impl<T: Hash> Hash for $handle<'_, T> {
            fn hash<H: Hasher>(&self, state: &mut H) {
                (**self).hash(state)
            }
        }

        impl<T> AsRef<T> for $handle<'_, T> {
            fn as_ref(&self) -> &T {
                self
            }
        }

        impl<T> Borrow<T> for $handle<'_, T> {
            fn borrow(&self) -> &T {
                self
            }
        }
    };
}

forward_traits!(PoolBox);
forward_traits!(PoolRef);

impl<T> AsMut<T> for PoolBox<'_, T> {
    fn as_mut(&mut self) -> &mut T {
        self
    }
}

impl<T> BorrowMut<T> for PoolBox<'_, T> {
    fn borrow_mut(&mut self) -> &mut T {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cloning at the maximal count panics and leaves the count unchanged.
    #[test]
    fn clone_at_max_count_panics() {
        let pool = Pool::new();
        let a = pool.alloc_ref(5u8);
        // SAFETY: the count is set back to the one true handle below,
        // before `a` drops.
        unsafe { a.set_count(usize::MAX) };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| a.clone()));
        assert!(result.is_err());
        assert_eq!(PoolRef::strong_count(&a), usize::MAX);
        // Restore the true count so the value is dropped once.
        // SAFETY: `a` is the only handle.
        unsafe { a.set_count(1) };
        drop(a);
        assert_eq!((pool.len(), pool.free_count()), (0, 1));
    }

    /// The header is one word, so a block is one word bigger than its value
    /// (for values of at most word alignment).
    #[test]
    fn block_is_one_word_over_the_value() {
        assert_eq!(
            Layout::new::<Block<[u64; 4]>>().size(),
            32 + size_of::<usize>()
        );
        assert_eq!(Layout::new::<Block<()>>().size(), size_of::<usize>());
    }
}
