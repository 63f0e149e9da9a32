//! Diagnostics: every error has a kind, a message and a span, and renders as
//! `error: <message>` with the file name, line and column, and the source
//! line with the span underlined (through annotate-snippets, in the format
//! rustc and cargo use).
//!
//! Lines and columns are 1-based; a column counts characters (Unicode scalar
//! values), not bytes, from the start of the line.

use crate::ast::Span;
use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

/// Which stage of the pipeline found the error.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::{diag::DiagnosticKind, parser::parse};
/// use arenakit_intern::Interner;
///
/// let arena = Arena::new();
/// let mut interner = Interner::new();
/// let errors = parse("1 + @", &arena, &mut interner).unwrap_err();
/// assert_eq!(errors[0].kind, DiagnosticKind::Lex);
/// let errors = parse("1 +", &arena, &mut interner).unwrap_err();
/// assert_eq!(errors[0].kind, DiagnosticKind::Syntax);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagnosticKind {
    /// The lexer: `unexpected character`, `integer literal too large`.
    Lex,
    /// The parser: a syntax error, `nesting too deep`, a duplicate parameter.
    Syntax,
    /// The evaluator: type errors, `division by zero`, and so on.
    Runtime,
}

/// One error: what kind, what went wrong, and where.
///
/// ```
/// use arenakit_calc::ast::Span;
/// use arenakit_calc::diag::{Diagnostic, DiagnosticKind};
///
/// let source = "let x = 1\nx // 0\n";
/// let error = Diagnostic::new(DiagnosticKind::Runtime, "division by zero", Span::new(10, 16));
/// let text = error.render("prog.calc", source, false);
/// assert!(text.starts_with("error: division by zero\n"));
/// assert!(text.contains("prog.calc:2:1"));
/// assert!(text.contains("x // 0"));
/// assert!(text.contains("^^^^^^"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stage that found the error.
    pub kind: DiagnosticKind,
    /// What went wrong, e.g. `comparison operators cannot be chained`.
    pub message: String,
    /// The offending source text.
    pub span: Span,
}

impl Diagnostic {
    /// A diagnostic of `kind` saying `message` about the text at `span`.
    ///
    /// ```
    /// use arenakit_calc::ast::Span;
    /// use arenakit_calc::diag::{Diagnostic, DiagnosticKind};
    ///
    /// let name = "a";
    /// let message = format!("duplicate parameter '{name}'");
    /// let error = Diagnostic::new(DiagnosticKind::Syntax, message, Span::new(8, 9));
    /// assert_eq!(error.message, "duplicate parameter 'a'");
    /// assert_eq!(error.line_column("fn f(a, a) = a"), (1, 9));
    /// ```
    pub fn new(kind: DiagnosticKind, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            kind,
            message: message.into(),
            span,
        }
    }

    /// The 1-based line and character column where the span starts in
    /// `source`.
    ///
    /// ```
    /// use arenakit_calc::ast::Span;
    /// use arenakit_calc::diag::{Diagnostic, DiagnosticKind};
    ///
    /// let error = Diagnostic::new(DiagnosticKind::Lex, "unexpected character", Span::new(8, 9));
    /// assert_eq!(error.line_column("x\né = 1 @"), (2, 6));
    /// ```
    pub fn line_column(&self, source: &str) -> (usize, usize) {
        let (start, _) = self.span_in(source);
        let before = &source[..start];
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// Renders `error: <message>`, then `--> file:line:column`, then the
    /// source line(s) with the span underlined. With `color`, the text carries
    /// ANSI colours (see [`use_color`]). A line wider than 4,096 columns is
    /// cut around the span.
    ///
    /// A span outside `source` (or inside a character) is clamped, so any
    /// diagnostic renders.
    ///
    /// ```
    /// use arenakit_calc::ast::Span;
    /// use arenakit_calc::diag::{Diagnostic, DiagnosticKind};
    ///
    /// let source = "let a = 1\nlet b = a @ 2\nlet c = 3\n";
    /// let error = Diagnostic::new(DiagnosticKind::Lex, "unexpected character", Span::new(20, 21));
    /// let text = error.render("p.calc", source, false);
    /// assert!(text.starts_with("error: unexpected character\n --> p.calc:2:11\n"));
    /// assert!(text.ends_with("2 | let b = a @ 2\n  |           ^\n"));
    /// // Only the line of the span is shown.
    /// assert!(!text.contains("let a") && !text.contains("let c"));
    /// ```
    pub fn render(&self, file_name: &str, source: &str, color: bool) -> String {
        // Show only the lines the span touches: rendering stays cheap however
        // large the source is.
        let (start, end) = self.span_in(source);
        let first = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let mut last = source[end..].find('\n').map_or(source.len(), |i| end + i);
        // A CRLF line ending is not part of the line.
        if last > end && source.as_bytes()[last - 1] == b'\r' {
            last -= 1;
        }
        let excerpt = &source[first..last];
        let (line, _) = self.line_column(source);
        let snippet = Snippet::source(excerpt)
            .line_start(line)
            .path(file_name)
            .fold(false)
            .annotation(AnnotationKind::Primary.span(start - first..end - first));
        let report = [Level::ERROR.primary_title(&self.message).element(snippet)];
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let renderer = renderer.term_width(MAX_SHOWN_LINE);
        let mut text = renderer.render(&report);
        text.push('\n');
        text
    }
}

impl Diagnostic {
    /// The span as byte offsets into `source`: clamped to it and to
    /// character boundaries, and with an empty span at a CRLF line ending
    /// moved before the `\r`, so that a token missing at the end of a line
    /// is shown just after the line's last character, as with LF.
    fn span_in(&self, source: &str) -> (usize, usize) {
        let mut start = floor_char_boundary(source, self.span.start as usize);
        let mut end = floor_char_boundary(source, (self.span.end as usize).max(start));
        if start == end && source[start..].starts_with('\n') {
            start = source[..start].trim_end_matches('\r').len();
            end = start;
        }
        (start, end)
    }
}

/// The widest source line a diagnostic shows whole, in columns. A longer
/// line is cut around the span, with `...` where text is left out, so that
/// one huge line with many errors does not flood the terminal.
const MAX_SHOWN_LINE: usize = 4096;

/// The largest character boundary of `text` at or below `index`.
fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Whether diagnostics on stderr should be coloured: stderr is a terminal,
/// the `NO_COLOR` environment variable is unset (or empty, as
/// <https://no-color.org> has it), and `TERM` is not `dumb` (a terminal
/// that shows escape codes as text).
///
/// ```
/// // Tests capture stderr, so it is not a terminal here.
/// # use std::io::IsTerminal;
/// if !std::io::stderr().is_terminal() {
///     assert!(!arenakit_calc::diag::use_color());
/// }
/// ```
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    color_wanted(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    )
}

/// [`use_color`]'s rule, given whether stderr is a terminal and the values
/// of `NO_COLOR` and `TERM`.
fn color_wanted(
    terminal: bool,
    no_color: Option<&std::ffi::OsStr>,
    term: Option<&std::ffi::OsStr>,
) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty()) && term.is_none_or(|t| t != "dumb")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_that_shows_it_and_was_not_told_otherwise() {
        use std::ffi::OsStr;
        let (xterm, dumb) = (Some(OsStr::new("xterm-256color")), Some(OsStr::new("dumb")));
        assert!(color_wanted(true, None, xterm));
        assert!(color_wanted(true, None, None));
        assert!(color_wanted(true, Some(OsStr::new("")), xterm));
        assert!(!color_wanted(false, None, xterm));
        assert!(!color_wanted(true, Some(OsStr::new("1")), xterm));
        assert!(!color_wanted(true, None, dumb));
    }

    fn error(start: u32, end: u32) -> Diagnostic {
        Diagnostic::new(DiagnosticKind::Syntax, "bad", Span::new(start, end))
    }

    #[test]
    fn columns_count_characters() {
        let source = "ab\n\tcé d\r\nx";
        assert_eq!(error(0, 1).line_column(source), (1, 1));
        assert_eq!(error(2, 3).line_column(source), (1, 3));
        assert_eq!(error(3, 4).line_column(source), (2, 1));
        // `\t`, `c` and the two-byte `é` are three characters.
        assert_eq!(error(8, 9).line_column(source), (2, 5));
        assert_eq!(error(11, 12).line_column(source), (3, 1));
        // Past the end, or inside a character, clamps.
        assert_eq!(error(99, 99).line_column(source), (3, 2));
        assert_eq!(error(6, 6).line_column(source), (2, 3));
    }

    #[test]
    fn rendering_shows_only_the_lines_of_the_span() {
        let source = "let a = 1\nlet b = a @ 2\r\nlet c = 3\n";
        let text = error(20, 21).render("p.calc", source, false);
        assert_eq!(
            text,
            "error: bad\n --> p.calc:2:11\n  |\n2 | let b = a @ 2\n  |           ^\n"
        );
    }

    #[test]
    fn an_empty_span_at_the_end_points_after_the_last_character() {
        let text = error(3, 3).render("p.calc", "1 +", false);
        assert!(text.contains("p.calc:1:4"), "{text}");
        assert!(text.ends_with("1 | 1 +\n  |    ^\n"), "{text}");
    }

    #[test]
    fn an_empty_span_at_a_crlf_line_end_points_before_the_cr() {
        let source = "1 +\r\n2";
        let text = error(4, 4).render("p.calc", source, false);
        assert_eq!(error(4, 4).line_column(source), (1, 4));
        assert!(text.ends_with("1 | 1 +\n  |    ^\n"), "{text}");
        // A span over the `\r` itself is left alone.
        assert_eq!(error(3, 4).line_column(source), (1, 4));
    }

    #[test]
    fn a_long_line_is_shown_whole() {
        let source = format!("{} @ 1", "x".repeat(300));
        let text = error(301, 302).render("p.calc", &source, false);
        assert!(text.contains(&format!("1 | {source}\n")), "{text}");
        // The caret sits under column 302, after the gutter `  | `.
        assert!(
            text.ends_with(&format!("\n  | {}^\n", " ".repeat(301))),
            "{text}"
        );
    }

    #[test]
    fn a_huge_line_is_cut_around_the_span() {
        let source = format!(
            "{} @ {}",
            "x".repeat(3 * MAX_SHOWN_LINE),
            "y".repeat(MAX_SHOWN_LINE)
        );
        let text = error(3 * MAX_SHOWN_LINE as u32 + 1, 3 * MAX_SHOWN_LINE as u32 + 2)
            .render("p.calc", &source, false);
        assert!(text.contains("..."), "{text}");
        assert!(text.contains(" @ "), "{text}");
        assert!(
            text.len() < 2 * MAX_SHOWN_LINE + 100,
            "{} bytes",
            text.len()
        );
    }

    #[test]
    fn colour_is_a_parameter() {
        let plain = error(0, 1).render("p.calc", "@", false);
        let coloured = error(0, 1).render("p.calc", "@", true);
        assert!(!plain.contains('\x1b'));
        assert!(coloured.contains('\x1b'));
        assert!(coloured.contains("bad"));
    }
}
