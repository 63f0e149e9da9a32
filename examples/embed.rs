//! A parser of your own on arenakit, in one file: an S-expression reader.
//!
//! It shows the three moves a front end makes with the toolkit:
//!
//! 1. Names are interned once; the tree holds 4-byte [`Symbol`]s and
//!    keywords are compared as integers ([`keywords!`]).
//! 2. The tree lives in an arena: nodes are `Copy`, children are `&'a`
//!    references and lists are `&'a [_]` built with the arena [`Vec`].
//! 3. Each input is read inside a [`Scope`](arenakit::arena::Scope) region,
//!    so its tree is released when the region ends while the session's own
//!    data (here, the definitions) stays put.
//!
//! Run it with `cargo run --example embed`; it reads
//! `(define name expr)` and arithmetic like `(+ 1 (* 2 x))`.

#![forbid(unsafe_code)]

use std::collections::HashMap;

use arenakit::arena::{Arena, Vec};
use arenakit::intern::{Interner, Symbol, keywords};

keywords! {
    /// The words the reader gives a meaning to.
    mod kw {
        DEFINE = "define",
        ADD = "+",
        MUL = "*",
    }
}

/// A node: an integer, a name, or a list of nodes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Sexp<'a> {
    Int(i64),
    Atom(Symbol),
    List(&'a [Sexp<'a>]),
}

/// Reads one S-expression from `src` into `arena`.
fn read<'a>(src: &str, arena: &'a Arena, names: &mut Interner) -> Result<Sexp<'a>, String> {
    let spaced = src.replace('(', " ( ").replace(')', " ) ");
    let mut tokens = spaced.split_whitespace().peekable();
    let sexp = read_one(&mut tokens, arena, names)?;
    match tokens.next() {
        None => Ok(sexp),
        Some(extra) => Err(format!("unexpected '{extra}' after the expression")),
    }
}

fn read_one<'a, 's>(
    tokens: &mut std::iter::Peekable<impl Iterator<Item = &'s str>>,
    arena: &'a Arena,
    names: &mut Interner,
) -> Result<Sexp<'a>, String> {
    match tokens.next() {
        None => Err("unexpected end of input".to_string()),
        Some(")") => Err("unexpected ')'".to_string()),
        Some("(") => {
            let mut items = Vec::new_in(arena);
            while tokens.peek() != Some(&")") {
                items.push(read_one(tokens, arena, names)?);
            }
            tokens.next();
            Ok(Sexp::List(items.into_slice()))
        }
        Some(word) => match word.parse::<i64>() {
            Ok(n) => Ok(Sexp::Int(n)),
            Err(_) => Ok(Sexp::Atom(names.get_or_intern(word))),
        },
    }
}

/// Evaluates arithmetic; names are looked up in `env`.
fn eval(sexp: Sexp<'_>, env: &HashMap<Symbol, i64>, names: &Interner) -> Result<i64, String> {
    match sexp {
        Sexp::Int(n) => Ok(n),
        Sexp::Atom(name) => env
            .get(&name)
            .copied()
            .ok_or_else(|| format!("undefined '{}'", names.resolve(name))),
        Sexp::List([Sexp::Atom(op), args @ ..]) if *op == kw::ADD || *op == kw::MUL => {
            let add = *op == kw::ADD;
            args.iter()
                .try_fold(if add { 0 } else { 1 }, |acc: i64, &arg| {
                    let value = eval(arg, env, names)?;
                    let result = if add {
                        acc.checked_add(value)
                    } else {
                        acc.checked_mul(value)
                    };
                    result.ok_or_else(|| "overflow".to_string())
                })
        }
        Sexp::List(_) => Err("expected (+ …), (* …) or (define name expr)".to_string()),
    }
}

/// A reader session: definitions outlive each input's tree.
struct Session {
    arena: Arena,
    names: Interner,
    env: HashMap<Symbol, i64>,
}

impl Session {
    fn new() -> Session {
        Session {
            arena: Arena::new(),
            names: Interner::with_keywords(&kw::KEYWORDS),
            env: HashMap::new(),
        }
    }

    /// Reads and runs one input. Its tree lives in a region of the arena
    /// that is released when this returns, so a long session does not grow.
    fn run(&mut self, src: &str) -> Result<Option<i64>, String> {
        let Session { arena, names, env } = self;
        arena.scoped(|region| {
            let sexp = read(src, region.as_arena(), names)?;
            if let Sexp::List([Sexp::Atom(def), Sexp::Atom(name), body]) = sexp
                && *def == kw::DEFINE
            {
                let value = eval(*body, env, names)?;
                env.insert(*name, value);
                return Ok(None);
            }
            eval(sexp, env, names).map(Some)
        })
    }
}

fn main() {
    let mut session = Session::new();
    for line in [
        "(define x 20)",
        "(+ 1 (* 2 x))",
        "(* x y)",
        "(+ (* 3 3) (* 4 4))",
    ] {
        match session.run(line) {
            Ok(Some(value)) => println!("{line} => {value}"),
            Ok(None) => println!("{line}"),
            Err(message) => println!("{line} => error: {message}"),
        }
    }
    println!(
        "{} names interned; arena: {} bytes reserved",
        session.names.len(),
        session.arena.stats().reserved_bytes
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(inputs: &[&str], expect: &[Result<Option<i64>, &str>]) {
        let mut session = Session::new();
        let got: std::vec::Vec<_> = inputs.iter().map(|i| session.run(i)).collect();
        let expect: std::vec::Vec<_> = expect.iter().map(|e| e.map_err(str::to_string)).collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn arithmetic_and_definitions() {
        check(
            &[
                "(+ 1 2 3)",
                "(define x (* 6 7))",
                "(+ x (* 2 x))",
                "(*)",
                "(+)",
            ],
            &[
                Ok(Some(6)),
                Ok(None),
                Ok(Some(126)),
                Ok(Some(1)),
                Ok(Some(0)),
            ],
        );
    }

    #[test]
    fn errors_are_values() {
        check(
            &[
                "(+ 1 y)",
                "(+ 1",
                ")",
                "(1 2)",
                "(* 4611686018427387904 2)",
                "(+ 1) 2",
            ],
            &[
                Err("undefined 'y'"),
                Err("unexpected end of input"),
                Err("unexpected ')'"),
                Err("expected (+ …), (* …) or (define name expr)"),
                Err("overflow"),
                Err("unexpected '2' after the expression"),
            ],
        );
    }

    #[test]
    fn keywords_are_fixed_symbols() {
        let mut names = Interner::with_keywords(&kw::KEYWORDS);
        assert_eq!(names.get_or_intern("define"), kw::DEFINE);
        assert_eq!(names.get_or_intern("*"), kw::MUL);
        assert_ne!(names.get_or_intern("x"), kw::ADD);
    }

    #[test]
    fn regions_release_each_input() {
        let mut session = Session::new();
        session.run("(define x 1)").unwrap();
        let deep = format!("{}1{}", "(+ ".repeat(200), ")".repeat(200));
        session.run(&deep).unwrap();
        let reserved = session.arena.stats().reserved_bytes;
        for _ in 0..100 {
            assert_eq!(session.run(&deep), Ok(Some(1)));
        }
        assert_eq!(session.arena.stats().reserved_bytes, reserved);
        assert_eq!(session.arena.allocated_bytes(), 0);
    }
}
