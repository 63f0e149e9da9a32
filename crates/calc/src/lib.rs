//! The calc language: a logos lexer, a Pratt parser that builds its tree in an
//! [`arenakit_arena::Arena`] with identifiers interned by
//! [`arenakit_intern::Interner`], and an evaluator that memoises calls in an
//! [`arenakit_memo::LruCache`].
#![forbid(unsafe_code)]

pub mod ast;
pub mod builder;
pub mod diag;
pub mod lexer;
pub mod parser;
pub mod print;
