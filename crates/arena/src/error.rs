//! The error type of fallible arena allocation.

use core::fmt;

/// Why an arena allocation failed.
///
/// ```
/// use arenakit_arena::{AllocErrorKind, Arena};
///
/// let mut arena = Arena::new();
/// arena.set_allocation_limit(Some(64));
/// let kind = arena.try_alloc_slice_fill_with(1_000, |i| i).unwrap_err().kind();
/// assert!(matches!(kind, AllocErrorKind::LimitExceeded { limit: 64 }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AllocErrorKind {
    /// Granting the request would take the arena past its allocation limit.
    LimitExceeded {
        /// The limit in bytes, as set with [`Arena::set_allocation_limit`](crate::Arena::set_allocation_limit).
        limit: usize,
    },
    /// The requested size overflowed or could not form a valid [`Layout`](core::alloc::Layout).
    LayoutOverflow,
    /// The global allocator returned null for a new chunk.
    OutOfMemory,
}

/// The error returned by the fallible (`try_*`) allocation methods.
///
/// ```
/// use arenakit_arena::{AllocErrorKind, Arena};
///
/// let mut arena = Arena::new();
/// arena.set_allocation_limit(Some(0));
/// let err = arena.try_alloc(1u64).unwrap_err();
/// assert_eq!(err.kind(), AllocErrorKind::LimitExceeded { limit: 0 });
/// assert!(err.to_string().contains("limit of 0 bytes"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AllocError {
    kind: AllocErrorKind,
}

impl AllocError {
    pub(crate) const fn new(kind: AllocErrorKind) -> Self {
        AllocError { kind }
    }

    /// Returns why the allocation failed.
    ///
    /// ```
    /// use arenakit_arena::{AllocErrorKind, Arena};
    ///
    /// let arena = Arena::new();
    /// let err = arena.try_alloc_slice_fill_with(usize::MAX, |_| 0u64).unwrap_err();
    /// assert_eq!(err.kind(), AllocErrorKind::LayoutOverflow);
    /// ```
    pub const fn kind(&self) -> AllocErrorKind {
        self.kind
    }
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            AllocErrorKind::LimitExceeded { limit } => {
                write!(f, "arena allocation limit of {limit} bytes exceeded")
            }
            AllocErrorKind::LayoutOverflow => {
                f.write_str("arena allocation size overflows or is not a valid layout")
            }
            AllocErrorKind::OutOfMemory => f.write_str("out of memory allocating an arena chunk"),
        }
    }
}

impl std::error::Error for AllocError {}
