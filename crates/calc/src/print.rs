//! The `--ast` dump: one S-expression per statement.
//!
//! | source | dump |
//! |---|---|
//! | `1`, `2.5`, `true` | `1`, `2.5`, `true` |
//! | `x` | `x` |
//! | `f(1, x)` | `(call f 1 x)` |
//! | `-x`, `+x`, `not x` | `(- x)`, `(+ x)`, `(not x)` |
//! | `a + b`, `a and b` | `(+ a b)`, `(and a b)` (the operator as written) |
//! | `if c then a else b` | `(if c a b)` |
//! | `let x = e` | `(let x e)` |
//! | `fn f(a, b) = e` | `(fn f (a b) e)` |
//!
//! Floats print as values do, like Python's `repr` (`1.0`, `1e-07`, `1e+16`,
//! `inf`), so the dump always shows that a literal is a float and spells it
//! as the program's output would.
//!
//! The printer walks the tree with an explicit stack rather than recursion,
//! so it prints a tree of any height without using native stack.

use crate::ast::{BinaryOp, Expr, ExprKind, Program, Stmt, UnaryOp};
use crate::number::write_float_repr;
use arenakit_intern::Interner;
use std::fmt::Write;

/// Dumps `program`, one statement per line, each line ending in `\n`.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::{parser::parse, print::dump_program};
/// use arenakit_intern::Interner;
///
/// let arena = Arena::new();
/// let mut interner = Interner::new();
/// let program = parse("fn f(a, b) = a * b\nf(2, -3)", &arena, &mut interner).unwrap();
/// assert_eq!(
///     dump_program(&program, &interner),
///     "(fn f (a b) (* a b))\n(call f 2 (- 3))\n"
/// );
/// ```
pub fn dump_program(program: &Program<'_>, interner: &Interner) -> String {
    let mut out = String::new();
    for stmt in program.stmts {
        dump_stmt(&mut out, stmt, interner);
        out.push('\n');
    }
    out
}

/// Dumps one expression as an S-expression.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::ast::Stmt;
/// use arenakit_calc::{parser::parse, print::dump_expr};
/// use arenakit_intern::Interner;
///
/// let arena = Arena::new();
/// let mut interner = Interner::new();
/// let program = parse("2 ** 3 ** 2", &arena, &mut interner).unwrap();
/// let Stmt::Expr(expr) = program.stmts[0] else { unreachable!() };
/// assert_eq!(dump_expr(expr, &interner), "(** 2 (** 3 2))");
/// ```
pub fn dump_expr(expr: &Expr<'_>, interner: &Interner) -> String {
    let mut out = String::new();
    write_expr(&mut out, expr, interner);
    out
}

fn dump_stmt(out: &mut String, stmt: &Stmt<'_>, interner: &Interner) {
    match *stmt {
        Stmt::Let { name, value, .. } => {
            out.push_str("(let ");
            out.push_str(interner.resolve(name));
            out.push(' ');
            write_expr(out, value, interner);
            out.push(')');
        }
        Stmt::Fn {
            name, params, body, ..
        } => {
            out.push_str("(fn ");
            out.push_str(interner.resolve(name));
            out.push_str(" (");
            for (i, param) in params.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(interner.resolve(param.name));
            }
            out.push_str(") ");
            write_expr(out, body, interner);
            out.push(')');
        }
        Stmt::Expr(expr) => write_expr(out, expr, interner),
    }
}

/// What is left to print: a subtree, or text that closes or separates.
enum Work<'e, 'a> {
    Expr(&'e Expr<'a>),
    Text(&'static str),
}

/// Writes `expr` using an explicit stack of pending work.
fn write_expr(out: &mut String, expr: &Expr<'_>, interner: &Interner) {
    let mut stack = vec![Work::Expr(expr)];
    while let Some(work) = stack.pop() {
        let expr = match work {
            Work::Text(text) => {
                out.push_str(text);
                continue;
            }
            Work::Expr(expr) => expr,
        };
        // Children are pushed in reverse, so they pop left to right.
        match expr.kind {
            ExprKind::Int(value) => {
                let _ = write!(out, "{value}");
            }
            ExprKind::Float(value) => write_float_repr(out, value),
            ExprKind::Bool(value) => out.push_str(if value { "true" } else { "false" }),
            ExprKind::Var(name) => out.push_str(interner.resolve(name)),
            ExprKind::Call { callee, args, .. } => {
                out.push_str("(call ");
                out.push_str(interner.resolve(callee));
                stack.push(Work::Text(")"));
                for arg in args.iter().rev() {
                    stack.push(Work::Expr(arg));
                    stack.push(Work::Text(" "));
                }
            }
            ExprKind::Unary { op, operand } => {
                out.push('(');
                out.push_str(unary_symbol(op));
                out.push(' ');
                stack.push(Work::Text(")"));
                stack.push(Work::Expr(operand));
            }
            ExprKind::Binary { op, lhs, rhs } => {
                out.push('(');
                out.push_str(binary_symbol(op));
                out.push(' ');
                stack.push(Work::Text(")"));
                stack.push(Work::Expr(rhs));
                stack.push(Work::Text(" "));
                stack.push(Work::Expr(lhs));
            }
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                out.push_str("(if ");
                stack.push(Work::Text(")"));
                stack.push(Work::Expr(else_branch));
                stack.push(Work::Text(" "));
                stack.push(Work::Expr(then_branch));
                stack.push(Work::Text(" "));
                stack.push(Work::Expr(cond));
            }
        }
    }
}

/// A prefix operator as written in the source.
///
/// ```
/// use arenakit_calc::{ast::UnaryOp, print::unary_symbol};
///
/// assert_eq!(unary_symbol(UnaryOp::Neg), "-");
/// assert_eq!(unary_symbol(UnaryOp::Not), "not");
/// ```
pub fn unary_symbol(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Neg => "-",
        UnaryOp::Pos => "+",
        UnaryOp::Not => "not",
    }
}

/// An infix operator as written in the source.
///
/// ```
/// use arenakit_calc::{ast::BinaryOp, print::binary_symbol};
///
/// assert_eq!(binary_symbol(BinaryOp::FloorDiv), "//");
/// assert_eq!(binary_symbol(BinaryOp::And), "and");
/// ```
pub fn binary_symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Or => "or",
        BinaryOp::And => "and",
        BinaryOp::Eq => "==",
        BinaryOp::Ne => "!=",
        BinaryOp::Lt => "<",
        BinaryOp::Le => "<=",
        BinaryOp::Gt => ">",
        BinaryOp::Ge => ">=",
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        BinaryOp::FloorDiv => "//",
        BinaryOp::Rem => "%",
        BinaryOp::Pow => "**",
    }
}
