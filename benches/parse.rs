//! The calc front end: parse throughput, and what the tree's memory costs.
//!
//! - `front`: a generated program of about 32 MB (definitions, calls,
//!   comparisons, `if`, comments) — `lex` reads every token (interning
//!   identifiers), `lex+parse` builds the whole tree in a fresh [`Arena`].
//!   Throughput is in decimal MB/s of source.
//! - `build_eval_drop`: a generated integer-arithmetic program of about 4 MB
//!   is lexed once; then its tokens are parsed by the *same* parser code
//!   through five [`TreeBuilder`]s — the arenakit arena, `Box`, `Rc`,
//!   bumpalo and typed-arena — every statement is evaluated by an evaluator
//!   of identical shape, and the tree is dropped (`arenakit_reset` reuses
//!   one arena, reset after each iteration, instead of dropping it). The arena and bumpalo build the crate's own `Expr`;
//!   typed-arena builds it too; `Box` and `Rc` build mirror types whose
//!   nodes carry the same fields.
//!
//! Run with `cargo bench --bench parse -- --warm-up-time 1 --measurement-time 3`.

use std::hint::black_box;
use std::rc::Rc;

use arenakit_arena::Arena;
use arenakit_calc::ast::{BinaryOp, Expr, ExprKind, Param, Span, Stmt, UnaryOp};
use arenakit_calc::builder::{ArenaBuilder, NodeAlloc, TreeBuilder};
use arenakit_calc::lexer::{Lexer, Token, Tokens};
use arenakit_calc::parser::{parse, parse_tokens_with};
use arenakit_intern::{Interner, Symbol};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

// ----- program generation -----

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A realistic program of at least `bytes` bytes.
fn mixed_program(bytes: usize) -> String {
    const BINARY: [&str; 14] = [
        "+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", "<=", ">", "and", "or",
    ];
    fn expr(rng: &mut Rng, out: &mut String, depth: u32) {
        let pick = if depth == 0 {
            rng.below(4)
        } else {
            rng.below(10)
        };
        match pick {
            0 => out.push_str(&rng.below(100_000).to_string()),
            1 => {
                out.push('v');
                out.push_str(&rng.below(1000).to_string());
            }
            2 => out.push_str(["1.5", "0.25", "2.5e-3", "1_000"][rng.below(4) as usize]),
            3 => out.push_str(["x", "y", "count", "total_sum", "true"][rng.below(5) as usize]),
            4..=6 => {
                // Comparisons do not chain, so they get parentheses.
                let op = BINARY[rng.below(14) as usize];
                let compare = matches!(op, "==" | "!=" | "<" | "<=" | ">");
                if compare {
                    out.push('(');
                }
                expr(rng, out, depth - 1);
                out.push(' ');
                out.push_str(op);
                out.push(' ');
                expr(rng, out, depth - 1);
                if compare {
                    out.push(')');
                }
            }
            7 => {
                out.push('(');
                expr(rng, out, depth - 1);
                out.push(')');
            }
            8 => {
                out.push_str(["f", "g", "max", "abs"][rng.below(4) as usize]);
                out.push('(');
                expr(rng, out, depth - 1);
                out.push_str(", ");
                expr(rng, out, depth - 1);
                out.push(')');
            }
            _ => {
                out.push_str("if ");
                expr(rng, out, depth - 1);
                out.push_str(" then ");
                expr(rng, out, depth - 1);
                out.push_str(" else -");
                expr(rng, out, depth - 1);
            }
        }
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = String::with_capacity(bytes + 1024);
    let mut n = 0;
    while out.len() < bytes {
        match n % 8 {
            0 => out.push_str("# a comment line\n"),
            1 => {
                out.push_str(&format!("fn f{n}(a, b) = "));
                expr(&mut rng, &mut out, 4);
                out.push('\n');
            }
            2 | 3 => {
                out.push_str(&format!("let v{} = ", n % 1000));
                expr(&mut rng, &mut out, 5);
                out.push('\n');
            }
            _ => {
                expr(&mut rng, &mut out, 5);
                out.push('\n');
            }
        }
        n += 1;
    }
    out
}

/// An integer-arithmetic program of at least `bytes` bytes: `+ - *`, signs
/// and parentheses over small literals.
fn arithmetic_program(bytes: usize) -> String {
    fn expr(rng: &mut Rng, out: &mut String, depth: u32) {
        let pick = if depth == 0 { 0 } else { rng.below(8) };
        match pick {
            0 | 1 => out.push_str(&rng.below(1000).to_string()),
            2 => {
                out.push('-');
                expr(rng, out, depth - 1);
            }
            3 => {
                out.push('(');
                expr(rng, out, depth - 1);
                out.push(')');
            }
            _ => {
                expr(rng, out, depth - 1);
                out.push_str([" + ", " - ", " * "][rng.below(3) as usize]);
                expr(rng, out, depth - 1);
            }
        }
    }
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    let mut out = String::with_capacity(bytes + 1024);
    while out.len() < bytes {
        expr(&mut rng, &mut out, 8);
        out.push('\n');
    }
    out
}

// ----- throughput -----

fn front(c: &mut Criterion) {
    let source = mixed_program(32 << 20);
    let mut group = c.benchmark_group("front");
    group.sample_size(10);
    group.throughput(Throughput::BytesDecimal(source.len() as u64));

    group.bench_function(BenchmarkId::new("lex", source.len()), |b| {
        b.iter(|| {
            let mut interner = Interner::new();
            let mut lexer = Lexer::new(&source);
            let mut tokens = 0usize;
            while lexer.next_token(&mut interner).token != Token::Eof {
                tokens += 1;
            }
            black_box((tokens, lexer.errors().len()))
        });
    });

    group.bench_function(BenchmarkId::new("lex+parse", source.len()), |b| {
        b.iter(|| {
            let arena = Arena::new();
            let mut interner = Interner::new();
            let program = parse(&source, &arena, &mut interner).unwrap_or_else(|errors| {
                panic!("the generated program is invalid: {:?}", errors[0])
            });
            black_box(program.stmts.len())
        });
    });
    group.finish();
}

// ----- the same tree through five builders -----

/// Evaluates the crate's `Expr` (built in the arenakit arena, bumpalo or
/// typed-arena) with wrapping integer arithmetic.
fn eval_ref(expr: &Expr<'_>) -> i64 {
    match expr.kind {
        ExprKind::Int(v) => v,
        ExprKind::Unary { op, operand } => unary(op, eval_ref(operand)),
        ExprKind::Binary { op, lhs, rhs } => binary(op, eval_ref(lhs), eval_ref(rhs)),
        _ => 0,
    }
}

fn unary(op: UnaryOp, v: i64) -> i64 {
    match op {
        UnaryOp::Neg => v.wrapping_neg(),
        _ => v,
    }
}

fn binary(op: BinaryOp, a: i64, b: i64) -> i64 {
    match op {
        BinaryOp::Add => a.wrapping_add(b),
        BinaryOp::Sub => a.wrapping_sub(b),
        BinaryOp::Mul => a.wrapping_mul(b),
        _ => a ^ b,
    }
}

fn sum_ref(stmts: &[Stmt<'_>]) -> i64 {
    stmts
        .iter()
        .map(|stmt| match stmt {
            Stmt::Expr(e) => eval_ref(e),
            _ => 0,
        })
        .fold(0, i64::wrapping_add)
}

/// bumpalo as a place for the crate's `Expr` nodes.
struct Bump<'a>(&'a bumpalo::Bump);

impl<'a> NodeAlloc<'a> for Bump<'a> {
    fn node(&self, expr: Expr<'a>) -> &'a Expr<'a> {
        self.0.alloc(expr)
    }
    fn nodes(&self, exprs: impl ExactSizeIterator<Item = Expr<'a>>) -> &'a [Expr<'a>] {
        self.0.alloc_slice_fill_iter(exprs)
    }
    fn params(&self, params: &[Param]) -> &'a [Param] {
        self.0.alloc_slice_copy(params)
    }
}

/// typed-arena needs one arena per type.
struct Typed<'a> {
    nodes: &'a typed_arena::Arena<Expr<'a>>,
    params: &'a typed_arena::Arena<Param>,
}

impl<'a> NodeAlloc<'a> for Typed<'a> {
    fn node(&self, expr: Expr<'a>) -> &'a Expr<'a> {
        self.nodes.alloc(expr)
    }
    fn nodes(&self, exprs: impl ExactSizeIterator<Item = Expr<'a>>) -> &'a [Expr<'a>] {
        self.nodes.alloc_extend(exprs)
    }
    fn params(&self, params: &[Param]) -> &'a [Param] {
        self.params.alloc_extend(params.iter().copied())
    }
}

/// A `Box` tree with the same fields as the crate's `Expr`. (The bench's
/// evaluator reads only the arithmetic ones.)
#[allow(dead_code)]
enum BoxKind {
    Int(i64),
    Float(f64),
    Bool(bool),
    Var(Symbol),
    Call(Symbol, Span, Vec<BoxExpr>),
    Unary(UnaryOp, Box<BoxExpr>),
    Binary(BinaryOp, Box<BoxExpr>, Box<BoxExpr>),
    If(Box<BoxExpr>, Box<BoxExpr>, Box<BoxExpr>),
}

struct BoxExpr {
    kind: BoxKind,
    #[allow(dead_code)]
    span: Span,
}

/// An `Rc` tree with the same fields as the crate's `Expr`.
#[allow(dead_code)]
enum RcKind {
    Int(i64),
    Float(f64),
    Bool(bool),
    Var(Symbol),
    Call(Symbol, Span, Rc<[RcExpr]>),
    Unary(UnaryOp, Rc<RcExpr>),
    Binary(BinaryOp, Rc<RcExpr>, Rc<RcExpr>),
    If(Rc<RcExpr>, Rc<RcExpr>, Rc<RcExpr>),
}

struct RcExpr {
    kind: RcKind,
    #[allow(dead_code)]
    span: Span,
}

/// Statements over either owned tree.
#[allow(dead_code)]
enum OwnedStmt<E, P> {
    Let(Symbol, Span, E, Span),
    Fn(Symbol, Span, P, E, Span),
    Expr(E),
}

/// Implements `TreeBuilder` for an owned tree, given its node, kind and
/// pointer types.
macro_rules! owned_builder {
    ($builder:ident, $node:ident, $kind:ident, $ptr:ident, $list:ty, $params:ty) => {
        struct $builder;

        impl TreeBuilder for $builder {
            type Expr = $node;
            type Stmt = OwnedStmt<$ptr<$node>, $params>;
            fn int(&mut self, value: i64, span: Span) -> $node {
                $node {
                    kind: $kind::Int(value),
                    span,
                }
            }
            fn float(&mut self, value: f64, span: Span) -> $node {
                $node {
                    kind: $kind::Float(value),
                    span,
                }
            }
            fn bool(&mut self, value: bool, span: Span) -> $node {
                $node {
                    kind: $kind::Bool(value),
                    span,
                }
            }
            fn var(&mut self, name: Symbol, span: Span) -> $node {
                $node {
                    kind: $kind::Var(name),
                    span,
                }
            }
            fn call(
                &mut self,
                callee: Symbol,
                callee_span: Span,
                args: impl ExactSizeIterator<Item = $node>,
                span: Span,
            ) -> $node {
                let args: $list = args.collect();
                $node {
                    kind: $kind::Call(callee, callee_span, args),
                    span,
                }
            }
            fn unary(&mut self, op: UnaryOp, operand: $node, span: Span) -> $node {
                $node {
                    kind: $kind::Unary(op, $ptr::new(operand)),
                    span,
                }
            }
            fn binary(&mut self, op: BinaryOp, lhs: $node, rhs: $node, span: Span) -> $node {
                $node {
                    kind: $kind::Binary(op, $ptr::new(lhs), $ptr::new(rhs)),
                    span,
                }
            }
            fn if_else(&mut self, c: $node, t: $node, e: $node, span: Span) -> $node {
                $node {
                    kind: $kind::If($ptr::new(c), $ptr::new(t), $ptr::new(e)),
                    span,
                }
            }
            fn let_stmt(
                &mut self,
                name: Symbol,
                name_span: Span,
                value: $node,
                span: Span,
            ) -> Self::Stmt {
                OwnedStmt::Let(name, name_span, $ptr::new(value), span)
            }
            fn fn_stmt(
                &mut self,
                name: Symbol,
                name_span: Span,
                params: &[Param],
                body: $node,
                span: Span,
            ) -> Self::Stmt {
                OwnedStmt::Fn(name, name_span, params.into(), $ptr::new(body), span)
            }
            fn expr_stmt(&mut self, expr: $node) -> Self::Stmt {
                OwnedStmt::Expr($ptr::new(expr))
            }
        }
    };
}

owned_builder!(BoxBuilder, BoxExpr, BoxKind, Box, Vec<BoxExpr>, Vec<Param>);
owned_builder!(RcBuilder, RcExpr, RcKind, Rc, Rc<[RcExpr]>, Rc<[Param]>);

fn eval_box(expr: &BoxExpr) -> i64 {
    match &expr.kind {
        BoxKind::Int(v) => *v,
        BoxKind::Unary(op, operand) => unary(*op, eval_box(operand)),
        BoxKind::Binary(op, lhs, rhs) => binary(*op, eval_box(lhs), eval_box(rhs)),
        BoxKind::Float(_) | BoxKind::Bool(_) | BoxKind::Var(_) => 0,
        BoxKind::Call(..) | BoxKind::If(..) => 0,
    }
}

fn eval_rc(expr: &RcExpr) -> i64 {
    match &expr.kind {
        RcKind::Int(v) => *v,
        RcKind::Unary(op, operand) => unary(*op, eval_rc(operand)),
        RcKind::Binary(op, lhs, rhs) => binary(*op, eval_rc(lhs), eval_rc(rhs)),
        RcKind::Float(_) | RcKind::Bool(_) | RcKind::Var(_) => 0,
        RcKind::Call(..) | RcKind::If(..) => 0,
    }
}

fn sum_owned<E, P>(stmts: &[OwnedStmt<E, P>], eval: impl Fn(&E) -> i64) -> i64 {
    stmts
        .iter()
        .map(|stmt| match stmt {
            OwnedStmt::Expr(e) => eval(e),
            _ => 0,
        })
        .fold(0, i64::wrapping_add)
}

fn build_eval_drop(c: &mut Criterion) {
    let source = arithmetic_program(4 << 20);
    // Lexing is the same work for every tree, so it is done once, outside
    // the measurement: each iteration parses the same tokens.
    let mut interner = Interner::new();
    let tokens = Tokens::lex(&source, &mut interner);
    let expected = {
        let arena = Arena::new();
        let program = parse(&source, &arena, &mut Interner::new()).expect("valid");
        sum_ref(program.stmts)
    };
    let mut group = c.benchmark_group("build_eval_drop");
    group.sample_size(10);
    group.throughput(Throughput::BytesDecimal(source.len() as u64));

    group.bench_function("arenakit", |b| {
        b.iter(|| {
            let arena = Arena::new();
            let mut builder = ArenaBuilder::new(&arena);
            let stmts = parse_tokens_with(&tokens, &mut builder, &mut interner).expect("valid");
            let sum = sum_ref(&stmts);
            assert_eq!(sum, expected);
            sum
        });
    });
    group.bench_function("arenakit_reset", |b| {
        // One arena for every iteration, reset in between (as a REPL or a
        // compiler's per-file loop does): its chunk stays mapped.
        let mut arena = Arena::new();
        b.iter(|| {
            let sum = {
                let mut builder = ArenaBuilder::new(&arena);
                let stmts = parse_tokens_with(&tokens, &mut builder, &mut interner).expect("valid");
                sum_ref(&stmts)
            };
            arena.reset();
            assert_eq!(sum, expected);
            sum
        });
    });
    group.bench_function("bumpalo", |b| {
        b.iter(|| {
            let bump = bumpalo::Bump::new();
            let mut builder = ArenaBuilder::with_allocator(Bump(&bump));
            let stmts = parse_tokens_with(&tokens, &mut builder, &mut interner).expect("valid");
            let sum = sum_ref(&stmts);
            assert_eq!(sum, expected);
            sum
        });
    });
    group.bench_function("typed-arena", |b| {
        b.iter(|| {
            let nodes = typed_arena::Arena::new();
            let params = typed_arena::Arena::new();
            let typed = Typed {
                nodes: &nodes,
                params: &params,
            };
            let mut builder = ArenaBuilder::with_allocator(typed);
            let stmts = parse_tokens_with(&tokens, &mut builder, &mut interner).expect("valid");
            let sum = sum_ref(&stmts);
            assert_eq!(sum, expected);
            sum
        });
    });
    group.bench_function("Box", |b| {
        b.iter(|| {
            let stmts = parse_tokens_with(&tokens, &mut BoxBuilder, &mut interner).expect("valid");
            let sum = sum_owned(&stmts, |e| eval_box(e));
            assert_eq!(sum, expected);
            sum
        });
    });
    group.bench_function("Rc", |b| {
        b.iter(|| {
            let stmts = parse_tokens_with(&tokens, &mut RcBuilder, &mut interner).expect("valid");
            let sum = sum_owned(&stmts, |e| eval_rc(e));
            assert_eq!(sum, expected);
            sum
        });
    });
    group.finish();
}

criterion_group!(benches, front, build_eval_drop);
criterion_main!(benches);
