//! Pre-interned keywords: fixed symbols a lexer can compare as integers.

use crate::{MAX_STRINGS, Symbol};

/// A list of distinct strings that an interner interns first, in order, so
/// that the `i`-th word always gets the symbol
/// [`Symbol::from_index(i)`](Symbol::from_index).
///
/// [`Keywords::new`] checks that the words are distinct; in a `const` item
/// that check runs at compile time. The [`keywords!`](crate::keywords!) macro
/// declares a `Keywords` constant together with one [`Symbol`] constant per
/// word, so a lexer can write `if sym == kw::LET` instead of comparing
/// strings.
///
/// # Examples
///
/// ```
/// use arenakit_intern::{Interner, Keywords, Symbol};
///
/// const WORDS: Keywords = Keywords::new(&["let", "fn", "if"]);
/// const FN: Symbol = WORDS.symbol(1);
///
/// let mut interner = Interner::with_keywords(&WORDS);
/// assert_eq!(interner.get_or_intern("fn"), FN);
/// assert!(WORDS.contains(FN));
/// assert!(!WORDS.contains(interner.get_or_intern("x")));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keywords {
    words: &'static [&'static str],
}

/// Whether two strings are equal, usable in `const` code.
const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl Keywords {
    /// Wraps a list of distinct words.
    ///
    /// # Panics
    ///
    /// Panics if two words are equal or if there are more words than an
    /// interner can hold. In a `const` item this is a compile-time error.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Keywords;
    ///
    /// const WORDS: Keywords = Keywords::new(&["true", "false"]);
    /// assert_eq!(WORDS.len(), 2);
    /// ```
    ///
    /// A duplicate does not compile:
    ///
    /// ```compile_fail
    /// use arenakit_intern::Keywords;
    ///
    /// const WORDS: Keywords = Keywords::new(&["if", "else", "if"]);
    /// let _ = WORDS;
    /// ```
    pub const fn new(words: &'static [&'static str]) -> Keywords {
        assert!(
            words.len() <= MAX_STRINGS,
            "too many keywords for an interner"
        );
        let mut i = 0;
        while i < words.len() {
            let mut j = i + 1;
            while j < words.len() {
                assert!(
                    !const_str_eq(words[i], words[j]),
                    "keyword list contains a duplicate"
                );
                j += 1;
            }
            i += 1;
        }
        Keywords { words }
    }

    /// The words, in symbol order.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Keywords;
    ///
    /// assert_eq!(Keywords::new(&["a", "b"]).words(), &["a", "b"]);
    /// ```
    pub const fn words(&self) -> &'static [&'static str] {
        self.words
    }

    /// The number of words.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Keywords;
    ///
    /// assert_eq!(Keywords::new(&["a", "b"]).len(), 2);
    /// ```
    pub const fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the list is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::Keywords;
    ///
    /// assert!(Keywords::new(&[]).is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The symbol of the `index`-th word in an interner built with
    /// [`Interner::with_keywords`](crate::Interner::with_keywords).
    ///
    /// # Panics
    ///
    /// Panics if `index >= self.len()` (at compile time in a `const`).
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::{Keywords, Symbol};
    ///
    /// const WORDS: Keywords = Keywords::new(&["a", "b"]);
    /// assert_eq!(WORDS.symbol(1), Symbol::from_index(1));
    /// ```
    pub const fn symbol(&self, index: usize) -> Symbol {
        assert!(index < self.words.len(), "keyword index out of range");
        // `new` checked `len <= MAX_STRINGS`, so this cannot panic.
        Symbol::from_index(index)
    }

    /// Whether `symbol` is one of these keywords' symbols, that is, whether
    /// its index is below [`len`](Keywords::len). This is meaningful for
    /// symbols of an interner built with
    /// [`Interner::with_keywords`](crate::Interner::with_keywords).
    ///
    /// # Examples
    ///
    /// ```
    /// use arenakit_intern::{Interner, Keywords};
    ///
    /// const WORDS: Keywords = Keywords::new(&["let"]);
    /// let mut interner = Interner::with_keywords(&WORDS);
    /// assert!(WORDS.contains(interner.get_or_intern("let")));
    /// assert!(!WORDS.contains(interner.get_or_intern("lettuce")));
    /// ```
    #[inline]
    pub const fn contains(&self, symbol: Symbol) -> bool {
        symbol.to_index() < self.words.len()
    }
}

/// Declares a module of pre-interned keyword symbols.
///
/// `keywords! { pub mod kw { LET = "let", FN = "fn" } }` expands to a module
/// `kw` holding:
///
/// 1. `pub const KEYWORDS: Keywords`, the words in the order written (a
///    duplicate word is a compile-time error);
/// 2. one `pub const NAME: Symbol` per word, equal to `KEYWORDS.symbol(i)`
///    for the word's position `i`, so the `i`-th constant is the symbol with
///    index `i`.
///
/// Build the interner with `Interner::with_keywords(&kw::KEYWORDS)` (see
/// [`Interner::with_keywords`](crate::Interner::with_keywords)) and the
/// constants are exactly the symbols it returns for those words. Attributes and doc comments written before a
/// constant's name are kept; the module needs a doc comment of its own. A
/// constant may not be named `KEYWORDS`.
///
/// # Examples
///
/// ```
/// use arenakit_intern::{Interner, keywords};
///
/// keywords! {
///     /// The reserved words of a small language.
///     pub mod kw {
///         /// Introduces a binding.
///         LET = "let",
///         FN = "fn",
///         IF = "if",
///     }
/// }
///
/// let mut interner = Interner::with_keywords(&kw::KEYWORDS);
/// let sym = interner.get_or_intern("fn");
/// assert_eq!(sym, kw::FN);
/// assert_eq!(interner.resolve(kw::IF), "if");
/// assert!(kw::KEYWORDS.contains(sym));
/// ```
///
/// A repeated word is a compile-time error:
///
/// ```compile_fail
/// arenakit_intern::keywords! {
///     /// Oops.
///     mod kw {
///         LET = "let",
///         ALSO_LET = "let",
///     }
/// }
/// ```
#[macro_export]
macro_rules! keywords {
    (
        $(#[$module_attr:meta])*
        $vis:vis mod $module:ident {
            $( $(#[$attr:meta])* $name:ident = $text:literal ),* $(,)?
        }
    ) => {
        $(#[$module_attr])*
        $vis mod $module {
            /// The position of each word in the list; its discriminant is the
            /// word's symbol index.
            // No `repr`: an empty list makes an enum without variants,
            // which takes none.
            #[allow(non_camel_case_types, clippy::upper_case_acronyms, dead_code)]
            enum Position {
                $($name),*
            }

            /// The keyword list, in symbol order: build the interner with
            /// `Interner::with_keywords(&KEYWORDS)`.
            pub const KEYWORDS: $crate::Keywords = $crate::Keywords::new(&[$($text),*]);

            // Evaluates the list (and so its duplicate check) even if no one
            // names `KEYWORDS`.
            const _: $crate::Keywords = KEYWORDS;

            $(
                $(#[$attr])*
                #[doc = concat!("\n\nThe pre-interned symbol of `", $text, "`.")]
                pub const $name: $crate::Symbol = KEYWORDS.symbol(Position::$name as usize);
            )*
        }
    };
}
