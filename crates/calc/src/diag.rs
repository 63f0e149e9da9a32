//! Diagnostics: every error has a kind, a message and a span.
//! (Interface fixed; rendering being written.)
#![allow(missing_docs)]
use crate::ast::Span;

/// Which stage of the pipeline found the error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagnosticKind {
    Lex,
    Syntax,
    Runtime,
}

/// One error: what kind, what went wrong, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    pub message: String,
    pub span: Span,
}

impl Diagnostic {
    pub fn new(kind: DiagnosticKind, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            kind,
            message: message.into(),
            span,
        }
    }
    /// Renders `error: <message>` with file name, line, column and the source line underlined.
    pub fn render(&self, file_name: &str, source: &str, color: bool) -> String {
        let _ = (source, color);
        format!(
            "error: {}\n --> {}:{}\n",
            self.message, file_name, self.span.start
        )
    }
}
