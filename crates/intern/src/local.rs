//! [`LocalInterner`]: an interner that interns through a shared reference,
//! so the strings it hands out stay usable while it goes on interning.

use std::cell::RefCell;
use std::fmt;
use std::hash::BuildHasher;
use std::ops::Index;

use crate::{CapacityError, IdentHash, Interner, MemoryUsage, Symbol};

/// An [`Interner`] for one thread that interns through `&self`, so every
/// `&str` it resolves stays valid for as long as the interner lives, across
/// later interning.
///
/// With an [`Interner`], [`get_or_intern`](Interner::get_or_intern) takes
/// `&mut self` and so ends every `&str` borrowed from
/// [`resolve`](Interner::resolve). Its strings never move, though: they sit
/// in arena chunks that stay put until [`clear`](Interner::clear) or drop.
/// `LocalInterner` makes use of that. It wraps an `Interner` in a
/// [`RefCell`], interns through `&self`, and returns strings borrowed from
/// `&self`, which nothing can clear or drop while they are in use. A parser
/// can keep `&str` names in its syntax tree and intern more as it goes.
///
/// The price is a borrow flag, checked by every call: [`Interner`] stays the
/// faster choice where a `&mut` is at hand. The type is `Send` when `S` is,
/// but not `Sync`. [`get_mut`](LocalInterner::get_mut) and
/// [`into_inner`](LocalInterner::into_inner) give back the `Interner`, for
/// what needs `&mut` (`clear`) or iterates.
///
/// # Examples
///
/// ```
/// use arenakit_intern::LocalInterner;
///
/// let names = LocalInterner::new();
/// let x = names.get_or_intern("x");
/// let x_name: &str = names.resolve(x);
/// // Interning more leaves `x_name` valid: `names` is only shared.
/// let y = names.get_or_intern("y");
/// assert_eq!(x_name, "x");
/// assert_eq!(names.resolve(y), "y");
/// assert_eq!(names.get_or_intern("x"), x);
/// ```
///
/// Start from any [`Interner`], with keywords or another hasher:
///
/// ```
/// use arenakit_intern::{Interner, LocalInterner, keywords};
///
/// keywords! {
///     mod kw {
///         LET = "let",
///         IN = "in",
///     }
/// }
///
/// let names = LocalInterner::from(Interner::with_keywords(&kw::KEYWORDS));
/// assert_eq!(names.get_or_intern("in"), kw::IN);
/// ```
///
/// Clearing needs `&mut`, so it cannot pull a string out from under its
/// reader:
///
/// ```compile_fail
/// use arenakit_intern::LocalInterner;
///
/// let mut names = LocalInterner::new();
/// let held = names.resolve(names.get_or_intern("held"));
/// names.get_mut().clear();
/// println!("{held}");
/// ```
///
/// Nor can another thread share it while it interns:
///
/// ```compile_fail
/// fn shared<T: Sync>(_: &T) {}
/// shared(&arenakit_intern::LocalInterner::new());
/// ```
//
// Soundness of `try_resolve`, which returns a string for as long as `self`
// is borrowed although the `RefCell` borrow it reads the span through ends
// at once: the string lies in the inner interner's arena (the interner's
// invariant 1), which keeps it in place until `Interner::clear` or the
// interner's drop (its invariant 2). Through `&self` this type only reaches
// `Interner` methods that neither clear nor drop it. `clear` and drop need
// the interner itself or `&mut` to it, which this type gives out only
// through `&mut self` or `self`, and either of those ends every borrow of
// `self`, and with it every string returned.
pub struct LocalInterner<S = IdentHash> {
    /// The interner. It is mutably borrowed only during
    /// [`try_get_or_intern`](LocalInterner::try_get_or_intern), which runs no
    /// code of this type's user except the hasher.
    inner: RefCell<Interner<S>>,
}

impl LocalInterner {
    /// Creates an empty interner with the default hasher.
    ///
    /// ```
    /// use arenakit_intern::LocalInterner;
    ///
    /// let names = LocalInterner::new();
    /// assert!(names.is_empty());
    /// ```
    pub fn new() -> LocalInterner {
        LocalInterner::from(Interner::new())
    }
}

impl<S: Default> Default for LocalInterner<S> {
    fn default() -> Self {
        LocalInterner::from(Interner::default())
    }
}

impl<S> From<Interner<S>> for LocalInterner<S> {
    /// Wraps `interner`; its symbols stay valid in the result.
    ///
    /// ```
    /// use arenakit_intern::{Interner, LocalInterner};
    ///
    /// let mut interner = Interner::new();
    /// let a = interner.get_or_intern("a");
    /// let names = LocalInterner::from(interner);
    /// assert_eq!(names.resolve(a), "a");
    /// ```
    fn from(interner: Interner<S>) -> Self {
        LocalInterner {
            inner: RefCell::new(interner),
        }
    }
}

impl<S> LocalInterner<S> {
    /// Unwraps the [`Interner`]; every symbol stays valid in it.
    ///
    /// ```
    /// use arenakit_intern::LocalInterner;
    ///
    /// let names = LocalInterner::new();
    /// let a = names.get_or_intern("a");
    /// let interner = names.into_inner();
    /// assert_eq!(interner.resolve(a), "a");
    /// ```
    pub fn into_inner(self) -> Interner<S> {
        self.inner.into_inner()
    }

    /// The [`Interner`] itself, for what needs `&mut` (such as
    /// [`clear`](Interner::clear)) or iterates over the strings.
    ///
    /// ```
    /// use arenakit_intern::LocalInterner;
    ///
    /// let mut names = LocalInterner::new();
    /// names.get_or_intern("a");
    /// names.get_or_intern("b");
    /// assert_eq!(names.get_mut().iter().map(|(_, s)| s).collect::<String>(), "ab");
    /// names.get_mut().clear();
    /// assert!(names.is_empty());
    /// ```
    pub fn get_mut(&mut self) -> &mut Interner<S> {
        self.inner.get_mut()
    }

    /// The number of distinct strings interned.
    ///
    /// # Panics
    ///
    /// Panics if called from the interner's own hasher while it interns.
    ///
    /// ```
    /// use arenakit_intern::LocalInterner;
    ///
    /// let names = LocalInterner::new();
    /// names.get_or_intern("a");
    /// names.get_or_intern("a");
    /// assert_eq!(names.len(), 1);
    /// ```
    #[track_caller]
    pub fn len(&self) -> usize {
        self.borrow().len()
    }

    /// Whether no string has been interned.
    ///
    /// # Panics
    ///
    /// Panics if called from the interner's own hasher while it interns.
    ///
    /// ```
    /// use arenakit_intern::LocalInterner;
    ///
    /// let names = LocalInterner::new();
    /// assert!(names.is_empty());
    /// names.get_or_intern("");
    /// assert!(!names.is_empty());
    /// ```
    #[track_caller]
    pub fn is_empty(&self) -> bool {
        self.borrow().is_empty()
    }

    /// The string of `symbol`, valid for as long as the interner is
    /// borrowed, however many strings are interned meanwhile.
    ///
    /// # Panics
    ///
    /// Panics if `symbol` is out of range, as [`Interner::resolve`] does, or
    /// if called from the interner's own hasher while it interns.
    ///
    /// ```
    /// use arenakit_intern::LocalInterner;
    ///
    /// let names = LocalInterner::new();
    /// let first = names.resolve(names.get_or_intern("first"));
    /// for i in 0..100 {
    ///     names.get_or_intern(&format!("name{i}"));
    /// }
    /// assert_eq!(first, "first");
    /// ```
    #[track_caller]
    pub fn resolve(&self, symbol: Symbol) -> &str {
        match self.try_resolve(symbol) {
            Some(string) => string,
            None => crate::out_of_range(symbol, self.len()),
        }
    }

    /// The string of `symbol`, or `None` if its index is out of range (see
    /// [`Interner::resolve`]). The string stays valid for as long as the
    /// interner is borrowed.
    ///
    /// # Panics
    ///
    /// Panics if called from the interner's own hasher while it interns.
    ///
    /// ```
    /// use arenakit_intern::{LocalInterner, Symbol};
    ///
    /// let names = LocalInterner::new();
    /// let a = names.get_or_intern("a");
    /// assert_eq!(names.try_resolve(a), Some("a"));
    /// assert_eq!(names.try_resolve(Symbol::from_index(1)), None);
    /// ```
    #[allow(unsafe_code)]
    #[track_caller]
    pub fn try_resolve(&self, symbol: Symbol) -> Option<&str> {
        let string: *const str = self.borrow().try_resolve(symbol)?;
        // SAFETY: the string lies in the inner interner's arena, which keeps
        // it in place until the interner is cleared or dropped (the
        // `Interner` invariants 1 and 2). Neither can happen while `self` is
        // borrowed, which bounds the returned `&str`: see the comment on
        // `LocalInterner`.
        Some(unsafe { &*string })
    }

    /// How much memory the interner holds; see [`Interner::memory_usage`].
    ///
    /// # Panics
    ///
    /// Panics if called from the interner's own hasher while it interns.
    ///
    /// ```
    /// use arenakit_intern::LocalInterner;
    ///
    /// let names = LocalInterner::new();
    /// names.get_or_intern("abc");
    /// assert_eq!(names.memory_usage().string_bytes, 3);
    /// ```
    #[track_caller]
    pub fn memory_usage(&self) -> MemoryUsage {
        self.borrow().memory_usage()
    }

    /// The interner, shared. A hasher that calls back into the interner
    /// while it interns is the one way to find it mutably borrowed.
    #[track_caller]
    fn borrow(&self) -> std::cell::Ref<'_, Interner<S>> {
        match self.inner.try_borrow() {
            Ok(interner) => interner,
            Err(_) => reentered(),
        }
    }
}

impl<S: BuildHasher> LocalInterner<S> {
    /// The symbol of `string`, interning it first if it is new; see
    /// [`Interner::get_or_intern`].
    ///
    /// # Panics
    ///
    /// Panics if `string` is new and the interner already holds
    /// [`MAX_STRINGS`](crate::MAX_STRINGS) strings, or if called from the
    /// interner's own hasher while it interns.
    ///
    /// ```
    /// use arenakit_intern::LocalInterner;
    ///
    /// let names = LocalInterner::new();
    /// let a = names.get_or_intern("a");
    /// assert_eq!(names.get_or_intern("a"), a);
    /// assert_ne!(names.get_or_intern("b"), a);
    /// ```
    #[track_caller]
    pub fn get_or_intern(&self, string: &str) -> Symbol {
        match self.try_get_or_intern(string) {
            Ok(symbol) => symbol,
            Err(error) => crate::interner_full(error),
        }
    }

    /// The symbol of `string`, interning it first if it is new, or an error
    /// if it is new and the interner is full; see
    /// [`Interner::try_get_or_intern`].
    ///
    /// # Errors
    ///
    /// [`CapacityError`] when the interner is full; it is left unchanged.
    ///
    /// # Panics
    ///
    /// Panics if called from the interner's own hasher while it interns.
    ///
    /// ```
    /// use arenakit_intern::LocalInterner;
    ///
    /// let names = LocalInterner::new();
    /// let sym = names.try_get_or_intern("ok")?;
    /// assert_eq!(names.resolve(sym), "ok");
    /// # Ok::<(), arenakit_intern::CapacityError>(())
    /// ```
    #[track_caller]
    pub fn try_get_or_intern(&self, string: &str) -> Result<Symbol, CapacityError> {
        match self.inner.try_borrow_mut() {
            Ok(mut interner) => interner.try_get_or_intern(string),
            Err(_) => reentered(),
        }
    }

    /// The symbol of `string` if it has been interned, without interning
    /// it.
    ///
    /// # Panics
    ///
    /// Panics if called from the interner's own hasher while it interns.
    ///
    /// ```
    /// use arenakit_intern::LocalInterner;
    ///
    /// let names = LocalInterner::new();
    /// assert_eq!(names.get("x"), None);
    /// let x = names.get_or_intern("x");
    /// assert_eq!(names.get("x"), Some(x));
    /// ```
    #[track_caller]
    pub fn get(&self, string: &str) -> Option<Symbol> {
        self.borrow().get(string)
    }

    /// Whether `string` has been interned.
    ///
    /// # Panics
    ///
    /// Panics if called from the interner's own hasher while it interns.
    ///
    /// ```
    /// use arenakit_intern::LocalInterner;
    ///
    /// let names = LocalInterner::new();
    /// names.get_or_intern("yes");
    /// assert!(names.contains("yes"));
    /// assert!(!names.contains("no"));
    /// ```
    #[track_caller]
    pub fn contains(&self, string: &str) -> bool {
        self.get(string).is_some()
    }
}

impl<S> Index<Symbol> for LocalInterner<S> {
    type Output = str;

    /// The string of `symbol`; see [`LocalInterner::resolve`].
    #[track_caller]
    fn index(&self, symbol: Symbol) -> &str {
        self.resolve(symbol)
    }
}

impl<S: BuildHasher + Clone> Clone for LocalInterner<S> {
    /// Copies every string into a new interner; the symbols stay the same.
    #[track_caller]
    fn clone(&self) -> Self {
        LocalInterner::from(self.borrow().clone())
    }
}

impl<S> fmt::Debug for LocalInterner<S> {
    /// Shows the symbols and their strings, in interning order, or that the
    /// interner is busy interning.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.inner.try_borrow() {
            Ok(interner) => interner.fmt(f),
            Err(_) => f.write_str("LocalInterner { <interning> }"),
        }
    }
}

/// Reports a call into a [`LocalInterner`] from its own hasher while it
/// interns.
#[cold]
#[inline(never)]
#[track_caller]
fn reentered() -> ! {
    panic!("a LocalInterner was used by its own hasher while it was interning")
}
