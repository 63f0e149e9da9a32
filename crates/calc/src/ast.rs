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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// Creates the span `start..end`.
    pub const fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    /// The smallest span that covers both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The span as a `usize` range, for slicing the source.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A prefix operator.
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
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Expr<'a> {
    /// The node itself.
    pub kind: ExprKind<'a>,
    /// The source text the node was parsed from.
    pub span: Span,
}

/// The kinds of expression.
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    /// The parameter's name.
    pub name: Symbol,
    /// Where the name is.
    pub span: Span,
}

/// A top-level statement.
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
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Program<'a> {
    /// The statements, in source order.
    pub stmts: &'a [Stmt<'a>],
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
