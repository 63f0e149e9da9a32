//! The calc language: a logos lexer, a Pratt parser that builds its tree in an
//! [`arenakit_arena::Arena`] with identifiers interned by
//! [`arenakit_intern::Interner`], and an evaluator that memoises calls in an
//! [`arenakit_memo::LruCache`].
#![forbid(unsafe_code)]

pub mod ast;
pub mod builder;
pub mod cli;
pub mod diag;
pub mod eval;
pub mod lexer;
pub mod number;
pub mod parser;
pub mod print;
pub mod repl;
pub mod session;
pub mod stack;
pub mod value;
