//! The Pratt parser (being written). `parse` is the interface.
#![allow(missing_docs)]
use crate::ast::Program;
use crate::diag::Diagnostic;
use arenakit_arena::Arena;
use arenakit_intern::Interner;

/// Parses a whole program into `arena`, interning identifiers in `interner`.
/// Returns every lexical and syntax error when there is any.
pub fn parse<'a>(
    source: &str,
    arena: &'a Arena,
    interner: &mut Interner,
) -> Result<Program<'a>, Vec<Diagnostic>> {
    let _ = (source, interner);
    Ok(Program {
        stmts: arena.alloc_slice_copy(&[]),
    })
}
