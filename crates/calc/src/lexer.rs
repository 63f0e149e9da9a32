//! The calc lexer: a [logos] state machine wrapped in a [`Lexer`] that
//! interns identifiers and records lexical errors.
//!
//! The raw token rules follow section 1 of the language specification:
//! numbers carry no sign, integers and floats have separate rules,
//! underscores in numbers are ignored, keywords are tokens of their own (so an
//! identifier is never a keyword), `#` comments and blanks are skipped, and
//! `\n` is a token because it separates statements. The parser, not the lexer,
//! decides that a newline inside parentheses is skipped.
//!
//! Errors do not stop lexing: [`Lexer::next_token`] returns a
//! [`Token::Error`] in place of the bad input, records a [`Diagnostic`]
//! and carries on, so that every error in a file is reported.

use crate::ast::Span;
use crate::diag::{Diagnostic, DiagnosticKind};
use arenakit_intern::{Interner, Symbol};
use logos::Logos;

/// What went wrong while lexing one token.
///
/// ```
/// use arenakit_calc::lexer::{LexError, Tokens};
/// use arenakit_intern::Interner;
///
/// // One more than `i64::MAX`.
/// let tokens = Tokens::lex("9223372036854775808", &mut Interner::new());
/// assert_eq!(tokens.errors()[0].message, LexError::IntegerTooLarge.message());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LexError {
    /// A character that starts no token (`unexpected character`).
    #[default]
    UnexpectedCharacter,
    /// An integer literal above `i64::MAX` (`integer literal too large`).
    IntegerTooLarge,
}

impl LexError {
    /// The diagnostic message, exactly as the specification names it.
    ///
    /// ```
    /// use arenakit_calc::lexer::LexError;
    ///
    /// assert_eq!(LexError::UnexpectedCharacter.message(), "unexpected character");
    /// assert_eq!(LexError::IntegerTooLarge.message(), "integer literal too large");
    /// ```
    pub fn message(self) -> &'static str {
        match self {
            LexError::UnexpectedCharacter => "unexpected character",
            LexError::IntegerTooLarge => "integer literal too large",
        }
    }
}

/// The raw tokens, as logos recognises them. Identifiers are not interned
/// yet; [`Lexer`] turns this into a [`Token`].
#[derive(Logos, Clone, Copy, Debug, PartialEq)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\r]+")]
// A comment runs to the end of the line, so the greedy repetition is meant.
#[logos(skip(r"#[^\n]*", allow_greedy = true))]
enum Raw {
    #[regex(r"[0-9][0-9_]*", int_value)]
    Int(i64),
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9]+)?", float_value)]
    #[regex(r"[0-9][0-9_]*[eE][+-]?[0-9]+", float_value)]
    Float(f64),
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Ident,
    #[token("let")]
    Let,
    #[token("fn")]
    Fn,
    #[token("if")]
    If,
    #[token("then")]
    Then,
    #[token("else")]
    Else,
    #[token("and")]
    And,
    #[token("or")]
    Or,
    #[token("not")]
    Not,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("//")]
    SlashSlash,
    #[token("%")]
    Percent,
    #[token("**")]
    StarStar,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("=")]
    Eq,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token("\n")]
    Newline,
}

/// Reads an integer literal, ignoring underscores; more than `i64::MAX` is an
/// error (there is no sign in the token, so `-9223372036854775808` is too
/// large as well).
fn int_value(lex: &mut logos::Lexer<'_, Raw>) -> Result<i64, LexError> {
    let mut value: i64 = 0;
    for byte in lex.slice().bytes() {
        if byte == b'_' {
            continue;
        }
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(byte - b'0')))
            .ok_or(LexError::IntegerTooLarge)?;
    }
    Ok(value)
}

/// Reads a float literal, ignoring underscores. A literal beyond the range of
/// `f64` becomes infinity, as in Python.
fn float_value(lex: &mut logos::Lexer<'_, Raw>) -> Option<f64> {
    let text = lex.slice();
    let exponent_digits = text
        .rfind(['e', 'E'])
        .map_or(0, |e| text[e + 1..].trim_start_matches(['+', '-']).len());
    if exponent_digits > MAX_EXACT_EXPONENT_DIGITS {
        float_with_long_exponent(text)
    } else if text.contains('_') {
        text.replace('_', "").parse().ok()
    } else {
        text.parse().ok()
    }
}

/// The most exponent digits the standard library's float parser always reads
/// in full: it stops adding digits to an exponent once it reaches 65,536.
const MAX_EXACT_EXPONENT_DIGITS: usize = 5;

/// Reads a float literal whose exponent is too long for the standard
/// library's parser, which would misread a literal whose many digits balance
/// a large exponent (`1`, a million zeros, then `e-1000000`, is 1.0).
///
/// The literal is rewritten as `0.DIGITS e POINT`, its significant digits
/// and where the decimal point falls among them. A point far outside the
/// range of `f64` gives infinity or zero at once; any other point is small,
/// so the standard library then reads the literal exactly, with correct
/// rounding however many digits there are.
fn float_with_long_exponent(text: &str) -> Option<f64> {
    let (mantissa, exponent) = text.split_once(['e', 'E'])?;
    let (negative, exponent) = match exponent.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, exponent.trim_start_matches('+')),
    };
    // Saturating: an exponent beyond `i64` is far outside the range anyway.
    let magnitude = exponent.bytes().fold(0i64, |e, d| {
        e.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    });
    let exponent = if negative { -magnitude } else { magnitude };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = whole
        .chars()
        .chain(fraction.chars())
        .filter(|c| *c != '_')
        .collect();
    let whole_digits = whole.bytes().filter(|b| *b != b'_').count();
    let leading_zeros = digits.bytes().take_while(|b| *b == b'0').count();
    let significant = digits[leading_zeros..].trim_end_matches('0');
    if significant.is_empty() {
        return Some(0.0);
    }
    // The value is 0.SIGNIFICANT times ten to the power `point`, at least
    // 10^(point - 1) and less than 10^point.
    let point = (whole_digits as i64 - leading_zeros as i64).saturating_add(exponent);
    if point > 400 {
        Some(f64::INFINITY)
    } else if point < -400 {
        Some(0.0)
    } else {
        format!("0.{significant}e{point}").parse().ok()
    }
}

/// A token, with identifiers already interned.
///
/// ```
/// use arenakit_calc::lexer::{Token, Tokens};
/// use arenakit_intern::Interner;
///
/// let mut interner = Interner::new();
/// let tokens = Tokens::lex("if x then 2.5", &mut interner);
/// let found: Vec<Token> = tokens.lexemes().iter().map(|l| l.token).collect();
/// let x = Token::Ident(interner.get("x").unwrap());
/// assert_eq!(found, [Token::If, x, Token::Then, Token::Float(2.5), Token::Eof]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Token {
    /// An integer literal (no sign), e.g. `1_000`.
    Int(i64),
    /// A float literal (no sign), e.g. `2.5e-3`.
    Float(f64),
    /// An identifier that is not a keyword.
    Ident(Symbol),
    /// `let`
    Let,
    /// `fn`
    Fn,
    /// `if`
    If,
    /// `then`
    Then,
    /// `else`
    Else,
    /// `and`
    And,
    /// `or`
    Or,
    /// `not`
    Not,
    /// `true`
    True,
    /// `false`
    False,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `//`
    SlashSlash,
    /// `%`
    Percent,
    /// `**`
    StarStar,
    /// `==`
    EqEq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=`
    Eq,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `;`
    Semi,
    /// `\n`, a statement separator outside parentheses.
    Newline,
    /// Input that is not a token; its diagnostic is already recorded.
    Error,
    /// The end of the input (returned forever once reached).
    Eof,
}

impl Token {
    /// How the token is named in a syntax error ("found …").
    ///
    /// ```
    /// use arenakit_calc::lexer::Token;
    ///
    /// assert_eq!(Token::StarStar.describe(), "'**'");
    /// assert_eq!(Token::Newline.describe(), "a newline");
    /// ```
    pub fn describe(self) -> &'static str {
        match self {
            Token::Int(_) => "an integer",
            Token::Float(_) => "a float",
            Token::Ident(_) => "an identifier",
            Token::Let => "keyword 'let'",
            Token::Fn => "keyword 'fn'",
            Token::If => "keyword 'if'",
            Token::Then => "keyword 'then'",
            Token::Else => "keyword 'else'",
            Token::And => "keyword 'and'",
            Token::Or => "keyword 'or'",
            Token::Not => "keyword 'not'",
            Token::True => "keyword 'true'",
            Token::False => "keyword 'false'",
            Token::Plus => "'+'",
            Token::Minus => "'-'",
            Token::Star => "'*'",
            Token::Slash => "'/'",
            Token::SlashSlash => "'//'",
            Token::Percent => "'%'",
            Token::StarStar => "'**'",
            Token::EqEq => "'=='",
            Token::NotEq => "'!='",
            Token::Lt => "'<'",
            Token::Le => "'<='",
            Token::Gt => "'>'",
            Token::Ge => "'>='",
            Token::Eq => "'='",
            Token::LParen => "'('",
            Token::RParen => "')'",
            Token::Comma => "','",
            Token::Semi => "';'",
            Token::Newline => "a newline",
            Token::Error => "an invalid token",
            Token::Eof => "end of input",
        }
    }
}

/// A token and the bytes it was read from.
///
/// ```
/// use arenakit_calc::ast::Span;
/// use arenakit_calc::lexer::{Lexeme, Token, Tokens};
/// use arenakit_intern::Interner;
///
/// let tokens = Tokens::lex("a <= b", &mut Interner::new());
/// let expected = Lexeme { token: Token::Le, span: Span::new(2, 4) };
/// assert_eq!(tokens.lexemes()[1], expected);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lexeme {
    /// The token.
    pub token: Token,
    /// Where it is in the source.
    pub span: Span,
}

/// The lexer: produces [`Lexeme`]s one at a time, interning identifiers and
/// collecting lexical errors.
///
/// ```
/// use arenakit_calc::lexer::{Lexer, Token};
/// use arenakit_intern::Interner;
///
/// let mut interner = Interner::new();
/// let mut lexer = Lexer::new("x + 1_000 # comment");
/// let x = lexer.next_token(&mut interner);
/// assert_eq!(x.token, Token::Ident(interner.get("x").unwrap()));
/// assert_eq!(lexer.next_token(&mut interner).token, Token::Plus);
/// let n = lexer.next_token(&mut interner);
/// assert_eq!((n.token, n.span.start, n.span.end), (Token::Int(1000), 4, 9));
/// assert_eq!(lexer.next_token(&mut interner).token, Token::Eof);
/// assert!(lexer.errors().is_empty());
/// ```
pub struct Lexer<'src> {
    inner: logos::Lexer<'src, Raw>,
    errors: Vec<Diagnostic>,
}

impl<'src> Lexer<'src> {
    /// Starts lexing `source`.
    ///
    /// Spans are `u32` byte offsets, so the source must be shorter than
    /// 4 GiB; [`crate::parser::parse`] checks that before it lexes.
    ///
    /// ```
    /// use arenakit_calc::lexer::{Lexer, Token};
    /// use arenakit_intern::Interner;
    ///
    /// let mut lexer = Lexer::new("let");
    /// assert_eq!(lexer.next_token(&mut Interner::new()).token, Token::Let);
    /// ```
    pub fn new(source: &'src str) -> Lexer<'src> {
        Lexer {
            inner: Raw::lexer(source),
            errors: Vec::new(),
        }
    }

    /// Reads the next token. Identifiers are interned in `interner`; bad input
    /// yields [`Token::Error`] and records a diagnostic.
    ///
    /// ```
    /// use arenakit_calc::ast::Span;
    /// use arenakit_calc::lexer::{Lexer, Token};
    /// use arenakit_intern::Interner;
    ///
    /// let mut interner = Interner::new();
    /// let mut lexer = Lexer::new("1 $");
    /// assert_eq!(lexer.next_token(&mut interner).token, Token::Int(1));
    /// let bad = lexer.next_token(&mut interner);
    /// assert_eq!((bad.token, bad.span), (Token::Error, Span::new(2, 3)));
    /// // Lexing carries on after the error, up to the end of input.
    /// assert_eq!(lexer.next_token(&mut interner).token, Token::Eof);
    /// assert_eq!(lexer.next_token(&mut interner).token, Token::Eof);
    /// ```
    #[inline]
    pub fn next_token(&mut self, interner: &mut Interner) -> Lexeme {
        let raw = self.inner.next();
        let range = self.inner.span();
        let span = Span::new(range.start as u32, range.end as u32);
        let token = match raw {
            None => return self.eof(),
            Some(Ok(raw)) => convert(raw, self.inner.slice(), interner),
            Some(Err(error)) => self.error(error, span),
        };
        Lexeme { token, span }
    }

    /// The end-of-input lexeme: an empty span at the end of the source.
    fn eof(&self) -> Lexeme {
        let end = self.inner.source().len() as u32;
        Lexeme {
            token: Token::Eof,
            span: Span::new(end, end),
        }
    }

    /// Records a lexical error. A run of adjacent unexpected characters is
    /// one error whose span covers the run, so that a stretch of binary junk
    /// is reported once rather than byte by byte.
    #[cold]
    fn error(&mut self, error: LexError, span: Span) -> Token {
        if let Some(last) = self.errors.last_mut()
            && error == LexError::UnexpectedCharacter
            && last.message == error.message()
            && last.span.end == span.start
        {
            last.span.end = span.end;
        } else {
            self.errors
                .push(Diagnostic::new(DiagnosticKind::Lex, error.message(), span));
        }
        Token::Error
    }

    /// The lexical errors found so far, in source order.
    ///
    /// ```
    /// use arenakit_calc::ast::Span;
    /// use arenakit_calc::lexer::{Lexer, Token};
    /// use arenakit_intern::Interner;
    ///
    /// let mut lexer = Lexer::new("a ?? b $");
    /// while lexer.next_token(&mut Interner::new()).token != Token::Eof {}
    /// // A run of adjacent bad characters is one error.
    /// let spans: Vec<Span> = lexer.errors().iter().map(|e| e.span).collect();
    /// assert_eq!(spans, [Span::new(2, 4), Span::new(7, 8)]);
    /// ```
    pub fn errors(&self) -> &[Diagnostic] {
        &self.errors
    }

    /// Takes the lexical errors found so far, leaving none behind.
    ///
    /// ```
    /// use arenakit_calc::lexer::Lexer;
    /// use arenakit_intern::Interner;
    ///
    /// let mut lexer = Lexer::new("$");
    /// lexer.next_token(&mut Interner::new());
    /// assert_eq!(lexer.take_errors()[0].message, "unexpected character");
    /// assert!(lexer.errors().is_empty());
    /// ```
    pub fn take_errors(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.errors)
    }
}

/// The error for a source too large for `u32` spans.
///
/// ```
/// use arenakit_calc::lexer::TOO_LARGE;
///
/// // The message names the limit.
/// assert!(TOO_LARGE.ends_with("smaller than 4 GiB"));
/// ```
pub const TOO_LARGE: &str = "source too large: calc reads programs smaller than 4 GiB";

/// The diagnostic for a source of 4 GiB or more.
pub(crate) fn too_large() -> Diagnostic {
    Diagnostic::new(DiagnosticKind::Lex, TOO_LARGE, Span::new(0, 0))
}

/// Where the parser reads its tokens: a [`Lexer`] lexing as it goes, or a
/// [`TokenReader`] over a [`Tokens`] buffer lexed in advance.
///
/// ```
/// use arenakit_calc::lexer::{Lexer, Token, TokenSource, Tokens};
/// use arenakit_intern::Interner;
///
/// /// Counts the tokens before the end of input, from either source.
/// fn count(mut source: impl TokenSource, interner: &mut Interner) -> usize {
///     std::iter::from_fn(|| Some(source.next_token(interner).token))
///         .take_while(|&token| token != Token::Eof)
///         .count()
/// }
///
/// let mut interner = Interner::new();
/// assert_eq!(count(Lexer::new("f(x, 1)"), &mut interner), 6);
/// let tokens = Tokens::lex("f(x, 1)", &mut interner);
/// assert_eq!(count(tokens.reader(), &mut interner), 6);
/// ```
pub trait TokenSource {
    /// The next token; [`Token::Eof`] forever once the input is exhausted.
    fn next_token(&mut self, interner: &mut Interner) -> Lexeme;
    /// The lexical errors found so far, in source order.
    fn errors(&self) -> &[Diagnostic];
    /// Takes the lexical errors found so far.
    fn take_errors(&mut self) -> Vec<Diagnostic>;
}

impl TokenSource for Lexer<'_> {
    #[inline]
    fn next_token(&mut self, interner: &mut Interner) -> Lexeme {
        Lexer::next_token(self, interner)
    }

    fn errors(&self) -> &[Diagnostic] {
        Lexer::errors(self)
    }

    fn take_errors(&mut self) -> Vec<Diagnostic> {
        Lexer::take_errors(self)
    }
}

/// A whole source lexed in advance: its tokens (ending with [`Token::Eof`])
/// and its lexical errors. Parse it with
/// [`parse_tokens_with`](crate::parser::parse_tokens_with), as often as you
/// like.
///
/// ```
/// use arenakit_calc::lexer::{Token, Tokens};
/// use arenakit_intern::Interner;
///
/// let tokens = Tokens::lex("1 + @", &mut Interner::new());
/// assert_eq!(tokens.lexemes().len(), 4);
/// assert_eq!(tokens.lexemes()[3].token, Token::Eof);
/// assert_eq!(tokens.errors()[0].message, "unexpected character");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    lexemes: Vec<Lexeme>,
    errors: Vec<Diagnostic>,
}

impl Tokens {
    /// Lexes all of `source`, interning identifiers in `interner`.
    ///
    /// A source of 4 GiB or more is not lexed: its buffer holds just
    /// [`Token::Eof`] and the error [`TOO_LARGE`].
    ///
    /// ```
    /// use arenakit_calc::lexer::Tokens;
    /// use arenakit_intern::Interner;
    ///
    /// let mut interner = Interner::new();
    /// let tokens = Tokens::lex("x * x", &mut interner);
    /// // Both `x`s are the same interned symbol.
    /// assert_eq!(tokens.lexemes()[0].token, tokens.lexemes()[2].token);
    /// assert_eq!(interner.len(), 1);
    /// ```
    pub fn lex(source: &str, interner: &mut Interner) -> Tokens {
        if u32::try_from(source.len()).is_err() {
            return Tokens {
                lexemes: vec![Lexeme {
                    token: Token::Eof,
                    span: Span::default(),
                }],
                errors: vec![too_large()],
            };
        }
        let mut lexer = Lexer::new(source);
        let mut lexemes = Vec::new();
        loop {
            let lexeme = lexer.next_token(interner);
            lexemes.push(lexeme);
            if lexeme.token == Token::Eof {
                break;
            }
        }
        Tokens {
            lexemes,
            errors: lexer.take_errors(),
        }
    }

    /// The tokens, the last one [`Token::Eof`].
    ///
    /// ```
    /// use arenakit_calc::ast::Span;
    /// use arenakit_calc::lexer::{Lexeme, Token, Tokens};
    /// use arenakit_intern::Interner;
    ///
    /// // Even an empty source has its end of input.
    /// let tokens = Tokens::lex("", &mut Interner::new());
    /// let eof = Lexeme { token: Token::Eof, span: Span::new(0, 0) };
    /// assert_eq!(tokens.lexemes(), [eof]);
    /// ```
    pub fn lexemes(&self) -> &[Lexeme] {
        &self.lexemes
    }

    /// The lexical errors, in source order.
    ///
    /// ```
    /// use arenakit_calc::{ast::Span, lexer::Tokens};
    /// use arenakit_intern::Interner;
    ///
    /// let tokens = Tokens::lex("1 + 2\n3 $", &mut Interner::new());
    /// assert_eq!(tokens.errors().len(), 1);
    /// assert_eq!(tokens.errors()[0].span, Span::new(8, 9));
    /// ```
    pub fn errors(&self) -> &[Diagnostic] {
        &self.errors
    }

    /// A reader that hands out the tokens one by one.
    ///
    /// ```
    /// use arenakit_calc::lexer::{TokenSource, Tokens};
    /// use arenakit_intern::Interner;
    ///
    /// let tokens = Tokens::lex("1 + @", &mut Interner::new());
    /// let mut reader = tokens.reader();
    /// assert_eq!(reader.take_errors().len(), 1);
    /// // Each reader has its own copy of the errors, so the buffer keeps them.
    /// assert_eq!(tokens.errors().len(), 1);
    /// assert_eq!(tokens.reader().errors().len(), 1);
    /// ```
    pub fn reader(&self) -> TokenReader<'_> {
        TokenReader {
            tokens: self,
            next: 0,
            errors: self.errors.clone(),
        }
    }
}

/// Reads a [`Tokens`] buffer as a [`TokenSource`].
///
/// ```
/// use arenakit_calc::lexer::{Token, TokenSource, Tokens};
/// use arenakit_intern::Interner;
///
/// let mut interner = Interner::new();
/// let tokens = Tokens::lex("7", &mut interner);
/// let mut reader = tokens.reader();
/// assert_eq!(reader.next_token(&mut interner).token, Token::Int(7));
/// // Like a lexer, it returns the end of input forever once there.
/// assert_eq!(reader.next_token(&mut interner).token, Token::Eof);
/// assert_eq!(reader.next_token(&mut interner).token, Token::Eof);
/// ```
#[derive(Clone, Debug)]
pub struct TokenReader<'t> {
    tokens: &'t Tokens,
    next: usize,
    errors: Vec<Diagnostic>,
}

impl TokenSource for TokenReader<'_> {
    #[inline]
    fn next_token(&mut self, _: &mut Interner) -> Lexeme {
        let eof = Lexeme {
            token: Token::Eof,
            span: Span::default(),
        };
        match self.tokens.lexemes.get(self.next) {
            Some(&lexeme) => {
                self.next += 1;
                lexeme
            }
            // An empty buffer (`Tokens::default()`) is an empty source.
            None => self.tokens.lexemes.last().copied().unwrap_or(eof),
        }
    }

    fn errors(&self) -> &[Diagnostic] {
        &self.errors
    }

    fn take_errors(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.errors)
    }
}

/// Turns a raw token into a [`Token`], interning an identifier's text.
#[inline]
fn convert(raw: Raw, text: &str, interner: &mut Interner) -> Token {
    match raw {
        Raw::Int(value) => Token::Int(value),
        Raw::Float(value) => Token::Float(value),
        Raw::Ident => Token::Ident(interner.get_or_intern(text)),
        Raw::Let => Token::Let,
        Raw::Fn => Token::Fn,
        Raw::If => Token::If,
        Raw::Then => Token::Then,
        Raw::Else => Token::Else,
        Raw::And => Token::And,
        Raw::Or => Token::Or,
        Raw::Not => Token::Not,
        Raw::True => Token::True,
        Raw::False => Token::False,
        Raw::Plus => Token::Plus,
        Raw::Minus => Token::Minus,
        Raw::Star => Token::Star,
        Raw::Slash => Token::Slash,
        Raw::SlashSlash => Token::SlashSlash,
        Raw::Percent => Token::Percent,
        Raw::StarStar => Token::StarStar,
        Raw::EqEq => Token::EqEq,
        Raw::NotEq => Token::NotEq,
        Raw::Lt => Token::Lt,
        Raw::Le => Token::Le,
        Raw::Gt => Token::Gt,
        Raw::Ge => Token::Ge,
        Raw::Eq => Token::Eq,
        Raw::LParen => Token::LParen,
        Raw::RParen => Token::RParen,
        Raw::Comma => Token::Comma,
        Raw::Semi => Token::Semi,
        Raw::Newline => Token::Newline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lexes `source` and renders each token as `kind@start..end`.
    fn lex(source: &str) -> String {
        let mut interner = Interner::new();
        let mut lexer = Lexer::new(source);
        let mut out = Vec::new();
        loop {
            let lexeme = lexer.next_token(&mut interner);
            let text = match lexeme.token {
                Token::Eof => break,
                Token::Ident(sym) => format!("id:{}", interner.resolve(sym)),
                Token::Int(v) => format!("int:{v}"),
                Token::Float(v) => format!("float:{v:?}"),
                Token::Error => {
                    format!("error:{}", lexer.errors()[lexer.errors().len() - 1].message)
                }
                other => other.describe().replace('\'', ""),
            };
            out.push(format!("{text}@{}..{}", lexeme.span.start, lexeme.span.end));
        }
        out.join(" ")
    }

    #[test]
    fn numbers() {
        assert_eq!(lex("1_000"), "int:1000@0..5");
        assert_eq!(lex("1.5"), "float:1.5@0..3");
        assert_eq!(lex("1_0.2_5e-1"), "float:1.025@0..10");
        assert_eq!(lex("2E3"), "float:2000.0@0..3");
        assert_eq!(lex("1e400"), "float:inf@0..5");
        // `.5` and `5.` are not numbers.
        assert_eq!(lex(".5"), "error:unexpected character@0..1 int:5@1..2");
        assert_eq!(lex("5."), "int:5@0..1 error:unexpected character@1..2");
        // An exponent needs digits: `1e` is an integer and a name.
        assert_eq!(lex("1e"), "int:1@0..1 id:e@1..2");
        assert_eq!(lex("1e+"), "int:1@0..1 id:e@1..2 +@2..3");
        assert_eq!(lex("9223372036854775807"), "int:9223372036854775807@0..19");
        assert_eq!(
            lex("9223372036854775808"),
            "error:integer literal too large@0..19"
        );
    }

    #[test]
    fn keywords_are_not_identifiers() {
        assert_eq!(
            lex("let letter fn_ not"),
            "keyword let@0..3 id:letter@4..10 id:fn_@11..14 keyword not@15..18"
        );
    }

    #[test]
    fn operators_take_the_longest_match() {
        assert_eq!(
            lex("**//<=>=!==*"),
            "**@0..2 //@2..4 <=@4..6 >=@6..8 !=@8..10 =@10..11 *@11..12"
        );
    }

    #[test]
    fn comments_blanks_and_newlines() {
        assert_eq!(
            lex("a # note\r\n\tb"),
            "id:a@0..1 a newline@9..10 id:b@11..12"
        );
    }

    #[test]
    fn bad_characters_cover_whole_characters() {
        assert_eq!(lex("\0"), "error:unexpected character@0..1");
        assert_eq!(lex("!"), "error:unexpected character@0..1");
        assert_eq!(lex("é"), "error:unexpected character@0..2");
        assert_eq!(
            lex("1 😀 2"),
            "int:1@0..1 error:unexpected character@2..6 int:2@7..8"
        );
    }
}
