//! Tree builders: the parser recognises the grammar, a [`TreeBuilder`]
//! decides what a node is.
//!
//! [`crate::parser::parse`] uses [`ArenaBuilder`], which allocates
//! [`Expr`] nodes in an [`Arena`]. Because the parser only ever talks to the
//! trait, the same parsing code can build any other representation — the
//! benchmarks use it to build `Box`ed, `Rc`ed, bumpalo and typed-arena trees
//! and compare them with the arena tree on equal terms.
//!
//! The parser hands each finished child to its parent by value, so a builder
//! allocates a node exactly once, when it becomes somebody's child (or a
//! statement's root): nothing is copied and nothing is wasted in the arena.

use crate::ast::{BinaryOp, Expr, ExprKind, Param, Span, Stmt, UnaryOp};
use arenakit_arena::Arena;
use arenakit_intern::Symbol;
use std::marker::PhantomData;

/// Builds expression and statement nodes on behalf of the parser.
///
/// Every method receives the node's span: a parent's span covers its
/// children, and a parenthesised operand's span includes its parentheses.
///
/// ```
/// use arenakit_calc::ast::{BinaryOp, Param, Span, UnaryOp};
/// use arenakit_calc::builder::TreeBuilder;
/// use arenakit_calc::parser::parse_with;
/// use arenakit_intern::{Interner, Symbol};
///
/// /// Builds no tree at all: it only counts the nodes.
/// struct Counter(usize);
///
/// impl TreeBuilder for Counter {
///     type Expr = ();
///     type Stmt = ();
///     fn int(&mut self, _: i64, _: Span) { self.0 += 1 }
///     fn float(&mut self, _: f64, _: Span) { self.0 += 1 }
///     fn bool(&mut self, _: bool, _: Span) { self.0 += 1 }
///     fn var(&mut self, _: Symbol, _: Span) { self.0 += 1 }
///     fn call(&mut self, _: Symbol, _: Span, _: impl ExactSizeIterator, _: Span) {
///         self.0 += 1
///     }
///     fn unary(&mut self, _: UnaryOp, _: (), _: Span) { self.0 += 1 }
///     fn binary(&mut self, _: BinaryOp, _: (), _: (), _: Span) { self.0 += 1 }
///     fn if_else(&mut self, _: (), _: (), _: (), _: Span) { self.0 += 1 }
///     fn let_stmt(&mut self, _: Symbol, _: Span, _: (), _: Span) {}
///     fn fn_stmt(&mut self, _: Symbol, _: Span, _: &[Param], _: (), _: Span) {}
///     fn expr_stmt(&mut self, _: ()) {}
/// }
///
/// let mut counter = Counter(0);
/// let stmts = parse_with("1 + f(2, -3)", &mut counter, &mut Interner::new()).unwrap();
/// assert_eq!((stmts.len(), counter.0), (1, 6));
/// ```
pub trait TreeBuilder {
    /// An expression node as the parser passes it around.
    type Expr;
    /// A statement.
    type Stmt;

    /// An integer literal.
    fn int(&mut self, value: i64, span: Span) -> Self::Expr;
    /// A float literal.
    fn float(&mut self, value: f64, span: Span) -> Self::Expr;
    /// `true` or `false`.
    fn bool(&mut self, value: bool, span: Span) -> Self::Expr;
    /// A name used as a value.
    fn var(&mut self, name: Symbol, span: Span) -> Self::Expr;
    /// A call; `args` yields the arguments left to right.
    fn call(
        &mut self,
        callee: Symbol,
        callee_span: Span,
        args: impl ExactSizeIterator<Item = Self::Expr>,
        span: Span,
    ) -> Self::Expr;
    /// A prefix operator applied to `operand`.
    fn unary(&mut self, op: UnaryOp, operand: Self::Expr, span: Span) -> Self::Expr;
    /// An infix operator applied to `lhs` and `rhs`.
    fn binary(&mut self, op: BinaryOp, lhs: Self::Expr, rhs: Self::Expr, span: Span) -> Self::Expr;
    /// `if cond then then_branch else else_branch`.
    fn if_else(
        &mut self,
        cond: Self::Expr,
        then_branch: Self::Expr,
        else_branch: Self::Expr,
        span: Span,
    ) -> Self::Expr;
    /// `let name = value`.
    fn let_stmt(
        &mut self,
        name: Symbol,
        name_span: Span,
        value: Self::Expr,
        span: Span,
    ) -> Self::Stmt;
    /// `fn name(params…) = body`; the parameter names are distinct.
    fn fn_stmt(
        &mut self,
        name: Symbol,
        name_span: Span,
        params: &[Param],
        body: Self::Expr,
        span: Span,
    ) -> Self::Stmt;
    /// An expression statement.
    fn expr_stmt(&mut self, expr: Self::Expr) -> Self::Stmt;
}

/// Builds the crate's own tree, [`Expr`] and [`Stmt`], in an [`Arena`].
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::ast::{ExprKind, Stmt};
/// use arenakit_calc::builder::ArenaBuilder;
/// use arenakit_calc::parser::parse_with;
/// use arenakit_intern::Interner;
///
/// let arena = Arena::new();
/// let mut builder = ArenaBuilder::new(&arena);
/// let stmts = parse_with("-x", &mut builder, &mut Interner::new()).unwrap();
/// let Stmt::Expr(expr) = stmts[0] else { unreachable!() };
/// assert!(matches!(expr.kind, ExprKind::Unary { .. }));
/// assert_eq!((expr.span.start, expr.span.end), (0, 2));
/// ```
///
/// The allocator is a parameter: any [`NodeAlloc`] works, so the benchmarks
/// build the very same tree in a bumpalo or typed-arena arena to compare
/// allocators on equal terms.
#[derive(Clone, Copy)]
pub struct ArenaBuilder<'a, A: NodeAlloc<'a> = &'a Arena> {
    alloc: A,
    _tree: PhantomData<&'a ()>,
}

impl<'a> ArenaBuilder<'a> {
    /// A builder that allocates in `arena`.
    ///
    /// ```
    /// use arenakit_arena::Arena;
    /// use arenakit_calc::{ast::Expr, builder::ArenaBuilder, parser::parse_with};
    /// use arenakit_intern::Interner;
    ///
    /// let arena = Arena::new();
    /// let mut builder = ArenaBuilder::new(&arena);
    /// parse_with("-x", &mut builder, &mut Interner::new()).unwrap();
    /// // Two nodes are allocated: `x`, as the operand of `-`, and `-x`, as
    /// // the statement's root.
    /// assert_eq!(arena.allocated_bytes(), 2 * std::mem::size_of::<Expr>());
    /// ```
    pub fn new(arena: &'a Arena) -> ArenaBuilder<'a> {
        ArenaBuilder::with_allocator(arena)
    }
}

impl<'a, A: NodeAlloc<'a>> ArenaBuilder<'a, A> {
    /// A builder that allocates with `alloc`.
    ///
    /// ```
    /// use arenakit_arena::Arena;
    /// use arenakit_calc::builder::ArenaBuilder;
    /// use arenakit_calc::parser::parse_with;
    /// use arenakit_intern::Interner;
    ///
    /// let arena = Arena::new();
    /// let mut builder = ArenaBuilder::with_allocator(&arena);
    /// let stmts = parse_with("f(1, 2)", &mut builder, &mut Interner::new()).unwrap();
    /// assert_eq!(stmts.len(), 1);
    /// ```
    pub fn with_allocator(alloc: A) -> ArenaBuilder<'a, A> {
        ArenaBuilder {
            alloc,
            _tree: PhantomData,
        }
    }
}

/// Where an [`ArenaBuilder`] puts the nodes of an `Expr<'a>` tree: anything
/// that can hand out `'a` references to nodes, node slices and parameter
/// lists.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::ast::{Expr, ExprKind, Span};
/// use arenakit_calc::builder::NodeAlloc;
///
/// let arena = Arena::new();
/// let leaf = Expr { kind: ExprKind::Int(1), span: Span::new(0, 1) };
/// let node: &Expr = (&arena).node(leaf);
/// assert_eq!(node.kind, ExprKind::Int(1));
/// ```
pub trait NodeAlloc<'a> {
    /// Moves one node into the allocator.
    fn node(&self, expr: Expr<'a>) -> &'a Expr<'a>;
    /// Moves a list of nodes into the allocator, contiguously.
    fn nodes(&self, exprs: impl ExactSizeIterator<Item = Expr<'a>>) -> &'a [Expr<'a>];
    /// Copies a parameter list into the allocator.
    fn params(&self, params: &[Param]) -> &'a [Param];
}

impl<'a> NodeAlloc<'a> for &'a Arena {
    #[inline]
    fn node(&self, expr: Expr<'a>) -> &'a Expr<'a> {
        self.alloc(expr)
    }

    #[inline]
    fn nodes(&self, exprs: impl ExactSizeIterator<Item = Expr<'a>>) -> &'a [Expr<'a>] {
        self.alloc_slice_fill_iter(exprs)
    }

    #[inline]
    fn params(&self, params: &[Param]) -> &'a [Param] {
        self.alloc_slice_copy(params)
    }
}

impl<'a, A: NodeAlloc<'a>> TreeBuilder for ArenaBuilder<'a, A> {
    type Expr = Expr<'a>;
    type Stmt = Stmt<'a>;

    fn int(&mut self, value: i64, span: Span) -> Expr<'a> {
        Expr {
            kind: ExprKind::Int(value),
            span,
        }
    }

    fn float(&mut self, value: f64, span: Span) -> Expr<'a> {
        Expr {
            kind: ExprKind::Float(value),
            span,
        }
    }

    fn bool(&mut self, value: bool, span: Span) -> Expr<'a> {
        Expr {
            kind: ExprKind::Bool(value),
            span,
        }
    }

    fn var(&mut self, name: Symbol, span: Span) -> Expr<'a> {
        Expr {
            kind: ExprKind::Var(name),
            span,
        }
    }

    fn call(
        &mut self,
        callee: Symbol,
        callee_span: Span,
        args: impl ExactSizeIterator<Item = Expr<'a>>,
        span: Span,
    ) -> Expr<'a> {
        let args = self.alloc.nodes(args);
        Expr {
            kind: ExprKind::Call {
                callee,
                callee_span,
                args,
            },
            span,
        }
    }

    fn unary(&mut self, op: UnaryOp, operand: Expr<'a>, span: Span) -> Expr<'a> {
        let operand = self.alloc.node(operand);
        Expr {
            kind: ExprKind::Unary { op, operand },
            span,
        }
    }

    fn binary(&mut self, op: BinaryOp, lhs: Expr<'a>, rhs: Expr<'a>, span: Span) -> Expr<'a> {
        let lhs = self.alloc.node(lhs);
        let rhs = self.alloc.node(rhs);
        Expr {
            kind: ExprKind::Binary { op, lhs, rhs },
            span,
        }
    }

    fn if_else(
        &mut self,
        cond: Expr<'a>,
        then_branch: Expr<'a>,
        else_branch: Expr<'a>,
        span: Span,
    ) -> Expr<'a> {
        let cond = self.alloc.node(cond);
        let then_branch = self.alloc.node(then_branch);
        let else_branch = self.alloc.node(else_branch);
        Expr {
            kind: ExprKind::If {
                cond,
                then_branch,
                else_branch,
            },
            span,
        }
    }

    fn let_stmt(&mut self, name: Symbol, name_span: Span, value: Expr<'a>, span: Span) -> Stmt<'a> {
        Stmt::Let {
            name,
            name_span,
            value: self.alloc.node(value),
            span,
        }
    }

    fn fn_stmt(
        &mut self,
        name: Symbol,
        name_span: Span,
        params: &[Param],
        body: Expr<'a>,
        span: Span,
    ) -> Stmt<'a> {
        Stmt::Fn {
            name,
            name_span,
            params: self.alloc.params(params),
            body: self.alloc.node(body),
            span,
        }
    }

    fn expr_stmt(&mut self, expr: Expr<'a>) -> Stmt<'a> {
        Stmt::Expr(self.alloc.node(expr))
    }
}
