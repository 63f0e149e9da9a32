//! The calc syntax tree.
//!
//! Every node lives in one [`Arena`](arenakit_arena::Arena): children are
//! `&'a Expr<'a>`, lists are `&'a [_]`, names are interned [`Symbol`]s and
//! every node carries a compact byte [`Span`]. Nodes are `Copy` and small
//! (see the layout test at the bottom), so the whole tree is released at once
//! when its arena (or arena scope) ends.

use arenakit_intern::Symbol;

/// A half-open byte range `start..end` into the source text.
///
/// Offsets are `u32`: the lexer refuses sources of 4 GiB or more.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::{ast::Stmt, parser::parse};
/// use arenakit_intern::Interner;
///
/// let source = "let total = 1 + 23";
/// let arena = Arena::new();
/// let program = parse(source, &arena, &mut Interner::new()).unwrap();
/// let Stmt::Let { value, .. } = program.stmts[0] else { unreachable!() };
/// assert_eq!((value.span.start, value.span.end), (12, 18));
/// assert_eq!(&source[value.span.range()], "1 + 23");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// Creates the span `start..end`.
    ///
    /// ```
    /// use arenakit_calc::ast::Span;
    ///
    /// // Being `const`, it can define spans in constants.
    /// const FIRST_BYTE: Span = Span::new(0, 1);
    /// assert_eq!(&"xyz"[FIRST_BYTE.range()], "x");
    /// ```
    pub const fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    /// The smallest span that covers both `self` and `other`.
    ///
    /// ```
    /// use arenakit_calc::ast::Span;
    ///
    /// let (lhs, rhs) = (Span::new(0, 1), Span::new(4, 5));
    /// assert_eq!(lhs.to(rhs), Span::new(0, 5));
    /// // The order of the two spans does not matter.
    /// assert_eq!(rhs.to(lhs), Span::new(0, 5));
    /// ```
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The span as a `usize` range, for slicing the source.
    ///
    /// ```
    /// use arenakit_calc::ast::Span;
    ///
    /// let source = "1 + 23";
    /// assert_eq!(Span::new(4, 6).range(), 4..6);
    /// assert_eq!(&source[Span::new(4, 6).range()], "23");
    /// ```
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A prefix operator.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::ast::{ExprKind, Stmt, UnaryOp};
/// use arenakit_calc::parser::parse;
/// use arenakit_intern::Interner;
///
/// let arena = Arena::new();
/// let program = parse("not done", &arena, &mut Interner::new()).unwrap();
/// let Stmt::Expr(expr) = program.stmts[0] else { unreachable!() };
/// assert!(matches!(expr.kind, ExprKind::Unary { op: UnaryOp::Not, .. }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Pos,
    /// `not x`
    Not,
}

/// An infix operator.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::ast::{BinaryOp, ExprKind, Stmt};
/// use arenakit_calc::parser::parse;
/// use arenakit_intern::Interner;
///
/// let arena = Arena::new();
/// let program = parse("7 // 2", &arena, &mut Interner::new()).unwrap();
/// let Stmt::Expr(expr) = program.stmts[0] else { unreachable!() };
/// let ExprKind::Binary { op, .. } = expr.kind else { unreachable!() };
/// assert_eq!(op, BinaryOp::FloorDiv);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `or` (short-circuit)
    Or,
    /// `and` (short-circuit)
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (true division)
    Div,
    /// `//` (floor division)
    FloorDiv,
    /// `%` (modulo with the sign of the divisor)
    Rem,
    /// `**` (right-associative)
    Pow,
}

/// An expression node: what it is and where it is.
///
/// Two trees are equal (`==`) when they have the same shape, operators,
/// literals, names and spans; the comparison walks them with an explicit
/// stack, so it compares trees of any depth (a chain `1 + 1 + … + 1` is as
/// deep as it is long) without native stack. The derived `Debug`, on the
/// other hand, recurses: print a large tree with
/// [`dump_expr`](crate::print::dump_expr), which does not.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::{ast::Stmt, parser::parse};
/// use arenakit_intern::Interner;
///
/// let arena = Arena::new();
/// let mut interner = Interner::new();
/// let mut tree = |source: &str| match parse(source, &arena, &mut interner).unwrap().stmts[0] {
///     Stmt::Expr(expr) => expr,
///     _ => unreachable!(),
/// };
/// assert_eq!(tree("f(1) * 2"), tree("f(1) * 2"));
/// // The same shape with other spans is another tree.
/// assert_ne!(tree("f(1) * 2"), tree("f(1)  * 2"));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Expr<'a> {
    /// The node itself.
    pub kind: ExprKind<'a>,
    /// The source text the node was parsed from.
    pub span: Span,
}

impl PartialEq for Expr<'_> {
    fn eq(&self, other: &Self) -> bool {
        let mut pending = vec![(self, other)];
        while let Some((a, b)) = pending.pop() {
            if a.span != b.span {
                return false;
            }
            // Children are compared later, from `pending`, never through
            // `ExprKind`'s own `==`, which would come back here recursively.
            let same = match (a.kind, b.kind) {
                (ExprKind::Int(x), ExprKind::Int(y)) => x == y,
                (ExprKind::Float(x), ExprKind::Float(y)) => x == y,
                (ExprKind::Bool(x), ExprKind::Bool(y)) => x == y,
                (ExprKind::Var(x), ExprKind::Var(y)) => x == y,
                (
                    ExprKind::Call {
                        callee,
                        callee_span,
                        args,
                    },
                    ExprKind::Call {
                        callee: callee_b,
                        callee_span: callee_span_b,
                        args: args_b,
                    },
                ) => {
                    let same = callee == callee_b
                        && callee_span == callee_span_b
                        && args.len() == args_b.len();
                    pending.extend(args.iter().zip(args_b));
                    same
                }
                (
                    ExprKind::Unary { op, operand },
                    ExprKind::Unary {
                        op: op_b,
                        operand: operand_b,
                    },
                ) => {
                    pending.push((operand, operand_b));
                    op == op_b
                }
                (
                    ExprKind::Binary { op, lhs, rhs },
                    ExprKind::Binary {
                        op: op_b,
                        lhs: lhs_b,
                        rhs: rhs_b,
                    },
                ) => {
                    pending.push((rhs, rhs_b));
                    pending.push((lhs, lhs_b));
                    op == op_b
                }
                (
                    ExprKind::If {
                        cond,
                        then_branch,
                        else_branch,
                    },
                    ExprKind::If {
                        cond: cond_b,
                        then_branch: then_b,
                        else_branch: else_b,
                    },
                ) => {
                    pending.push((else_branch, else_b));
                    pending.push((then_branch, then_b));
                    pending.push((cond, cond_b));
                    true
                }
                _ => false,
            };
            if !same {
                return false;
            }
        }
        true
    }
}

/// The kinds of expression.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::ast::{ExprKind, Stmt};
/// use arenakit_calc::parser::parse;
/// use arenakit_intern::Interner;
///
/// let arena = Arena::new();
/// let mut interner = Interner::new();
/// let program = parse("max(1, x)", &arena, &mut interner).unwrap();
/// let Stmt::Expr(expr) = program.stmts[0] else { unreachable!() };
/// let ExprKind::Call { callee, args, .. } = expr.kind else { unreachable!() };
/// assert_eq!(interner.resolve(callee), "max");
/// assert_eq!(args[0].kind, ExprKind::Int(1));
/// assert_eq!(args[1].kind, ExprKind::Var(interner.get("x").unwrap()));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ExprKind<'a> {
    /// An integer literal.
    Int(i64),
    /// A float literal.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// A name used as a value.
    Var(Symbol),
    /// `callee(args…)`: a call is an identifier immediately followed by `(`.
    Call {
        /// The function's name.
        callee: Symbol,
        /// Where the name is, for "undefined function" errors.
        callee_span: Span,
        /// The arguments, left to right.
        args: &'a [Expr<'a>],
    },
    /// A prefix operator applied to an operand.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: &'a Expr<'a>,
    },
    /// An infix operator applied to two operands.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// The left operand.
        lhs: &'a Expr<'a>,
        /// The right operand.
        rhs: &'a Expr<'a>,
    },
    /// `if cond then then_branch else else_branch`.
    If {
        /// The condition, which must be a Bool.
        cond: &'a Expr<'a>,
        /// Evaluated when the condition is true.
        then_branch: &'a Expr<'a>,
        /// Evaluated when the condition is false.
        else_branch: &'a Expr<'a>,
    },
}

/// A function parameter.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::ast::{Span, Stmt};
/// use arenakit_calc::parser::parse;
/// use arenakit_intern::Interner;
///
/// let arena = Arena::new();
/// let mut interner = Interner::new();
/// let program = parse("fn area(w, h) = w * h", &arena, &mut interner).unwrap();
/// let Stmt::Fn { params, .. } = program.stmts[0] else { unreachable!() };
/// let names: Vec<&str> = params.iter().map(|p| interner.resolve(p.name)).collect();
/// assert_eq!(names, ["w", "h"]);
/// assert_eq!(params[1].span, Span::new(11, 12));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    /// The parameter's name.
    pub name: Symbol,
    /// Where the name is.
    pub span: Span,
}

/// A top-level statement.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::{ast::Stmt, parser::parse};
/// use arenakit_intern::Interner;
///
/// let arena = Arena::new();
/// let source = "let x = 2; fn twice(n) = 2 * n; twice(x)";
/// let program = parse(source, &arena, &mut Interner::new()).unwrap();
/// assert!(matches!(
///     program.stmts,
///     [Stmt::Let { .. }, Stmt::Fn { .. }, Stmt::Expr(_)]
/// ));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stmt<'a> {
    /// `let name = value`
    Let {
        /// The bound name.
        name: Symbol,
        /// Where the name is.
        name_span: Span,
        /// The expression whose value is bound.
        value: &'a Expr<'a>,
        /// The whole statement.
        span: Span,
    },
    /// `fn name(params…) = body`
    Fn {
        /// The function's name.
        name: Symbol,
        /// Where the name is.
        name_span: Span,
        /// The parameters, in order; their names are distinct.
        params: &'a [Param],
        /// The function body.
        body: &'a Expr<'a>,
        /// The whole statement.
        span: Span,
    },
    /// An expression whose value is printed.
    Expr(&'a Expr<'a>),
}

/// A parsed program: its statements in source order.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::parser::parse;
/// use arenakit_intern::Interner;
///
/// let arena = Arena::new();
/// let program = parse("let x = 1\n\n# a comment\nx + 1", &arena, &mut Interner::new()).unwrap();
/// // Blank lines and comments are not statements.
/// assert_eq!(program.stmts.len(), 2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Program<'a> {
    /// The statements, in source order.
    pub stmts: &'a [Stmt<'a>],
}

#[cfg(test)]
mod equality {
    use super::*;
    use crate::parser::parse;
    use arenakit_arena::Arena;
    use arenakit_intern::Interner;

    /// The first statement of `source`'s tree, parsed into `arena`.
    fn tree<'a>(source: &str, arena: &'a Arena, interner: &mut Interner) -> &'a Expr<'a> {
        match parse(source, arena, interner)
            .expect("the source parses")
            .stmts[0]
        {
            Stmt::Expr(expr) => expr,
            other => panic!("not an expression: {other:?}"),
        }
    }

    #[test]
    fn equal_trees_compare_equal_and_any_difference_shows() {
        let arena = Arena::new();
        let mut interner = Interner::new();
        let base = "f(1, -x) + (if a then 2.5 else true) * 3";
        let a = tree(base, &arena, &mut interner);
        assert_eq!(a, tree(base, &arena, &mut interner));
        for other in [
            "f(1, -x) + (if a then 2.5 else true) * 4",
            "f(1, -y) + (if a then 2.5 else true) * 3",
            "f(1, +x) + (if a then 2.5 else true) * 3",
            "g(1, -x) + (if a then 2.5 else true) * 3",
            "f(1, -x) - (if a then 2.5 else true) * 3",
            "f(1, -x) + (if a then 2.5 else 1234) * 3",
            "f(1, -x) + (if a then 2.6 else true) * 3",
            "f(1, -x) + (if b then 2.5 else true) * 3",
            "f(1, -x) + (if a then 2.5 else tru) *  3",
        ] {
            // The same length, so that the trees differ in one node only.
            assert_eq!(other.len(), base.len());
            assert_ne!(a, tree(other, &arena, &mut interner), "{other}");
        }
        // Spans count too.
        assert_ne!(
            tree("1 + 2", &arena, &mut interner),
            tree("1  + 2", &arena, &mut interner)
        );
        assert_ne!(
            tree("f(1, 2)", &arena, &mut interner),
            tree("f(1)", &arena, &mut interner)
        );
    }

    /// A chain as tall as it is long compares on a thread with little stack.
    #[test]
    fn tall_trees_compare_without_recursion() {
        let source = format!("1{}", " + 1".repeat(200_000));
        let different = format!("{} + 2", &source[..source.len() - 4]);
        let equal = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || {
                let arena = Arena::new();
                let mut interner = Interner::new();
                let a = tree(&source, &arena, &mut interner);
                let b = tree(&source, &arena, &mut interner);
                let c = tree(&different, &arena, &mut interner);
                (a == b, a == c)
            })
            .expect("spawn a thread")
            .join()
            .expect("comparing does not overflow");
        assert_eq!(equal, (true, false));
    }
}

#[cfg(test)]
mod layout {
    use super::*;

    /// Node size is a performance contract (the README reports it): a larger
    /// `Expr` means fewer nodes per cache line and more arena bytes.
    #[test]
    fn node_sizes() {
        assert_eq!(std::mem::size_of::<Span>(), 8);
        assert_eq!(std::mem::size_of::<ExprKind<'_>>(), 32);
        assert_eq!(std::mem::size_of::<Expr<'_>>(), 40);
        assert_eq!(std::mem::size_of::<Stmt<'_>>(), 48);
    }
}
