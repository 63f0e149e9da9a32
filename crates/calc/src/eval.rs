//! The evaluator: resolves the arena AST into compact code, then walks it.
//!
//! Before anything runs, every statement is *compiled*: parameters become
//! frame slot indices and every other name becomes an index into the global
//! table, so a call looks nothing up by name. Code is an owned, flat
//! `Vec` of nodes, which lets a definition outlive the arena its source was
//! parsed into (the REPL releases every line's arena). Compiling walks the
//! tree with an explicit stack, and a long left-associative chain such as
//! `1 + 1 + … + 1` compiles to one node that evaluation folds with a loop,
//! so neither takes native stack in proportion to a chain's length.
//!
//! Globals are looked up when they are used, so functions see the bindings
//! as they are at call time. Arguments live on one reusable value stack, so
//! a call allocates nothing unless it is memoised. User-function calls go
//! through an [`LruCache`] keyed by the function's definition and the
//! argument bits; the cache is cleared on every top-level `let` or `fn`.
//!
//! The recursion limit counts active user-function calls. A native stack
//! guard (see [`crate::stack`]) stops evaluation with the same error before
//! the thread's stack runs out. Memoisation changes neither: a call takes
//! the same native stack with the cache on or off, and a memoised result
//! remembers how deep its computation went, in calls and in native stack,
//! and is only used when computing it again would have fitted under both
//! limits.

use crate::ast::{BinaryOp, Expr, ExprKind, Span, Stmt, UnaryOp};
use crate::stack::StackGuard;
use crate::value::{self, Arity, Builtin, OpError, Value};
use arenakit_intern::{Interner, Symbol};
use arenakit_memo::{CacheStats, LruCache};
use std::collections::HashMap;

/// Identifies the source text a span belongs to.
///
/// ```
/// use arenakit_calc::eval::SourceId;
///
/// // A caller that keeps source texts numbers them; `CURRENT` names none of them.
/// let kept = ["fn half(x) = x / 2"];
/// assert_eq!(kept.get(SourceId(0).0 as usize), Some(&"fn half(x) = x / 2"));
/// assert_eq!(kept.get(SourceId::CURRENT.0 as usize), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourceId(pub u32);

impl SourceId {
    /// The text currently being run (the file, or the REPL line).
    ///
    /// ```
    /// use arenakit_calc::eval::SourceId;
    /// assert_eq!(SourceId::default(), SourceId::CURRENT);
    /// ```
    pub const CURRENT: SourceId = SourceId(u32::MAX);
}

/// A runtime error: its message, where it happened and in which source.
///
/// ```
/// # use arenakit_arena::Arena;
/// # use arenakit_intern::Interner;
/// # use arenakit_calc::parser::parse;
/// use arenakit_calc::eval::{Evaluator, Limits, SourceId};
/// # let (arena, mut interner) = (Arena::new(), Interner::new());
/// let mut eval = Evaluator::new(Limits::default(), &mut interner);
/// let source = "1 + 10 // 0";
/// let program = parse(source, &arena, &mut interner).unwrap();
/// let compiled = eval.compile(program.stmts, &interner);
/// let error = eval.run(&compiled[0]).unwrap_err();
/// assert_eq!(error.message, "division by zero");
/// assert_eq!(&source[error.span.range()], "10 // 0");
/// assert_eq!(error.source, SourceId::CURRENT);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeError {
    /// The message, e.g. `division by zero`.
    pub message: String,
    /// The offending expression.
    pub span: Span,
    /// The source text `span` points into.
    pub source: SourceId,
}

type EvalResult = Result<Value, Box<RuntimeError>>;

/// Default recursion limit: nested user-function calls.
///
/// ```
/// use arenakit_calc::eval::{Limits, DEFAULT_MAX_DEPTH};
/// assert_eq!(Limits::default().max_depth, DEFAULT_MAX_DEPTH);
/// ```
pub const DEFAULT_MAX_DEPTH: usize = 10_000;
/// Default memo-cache capacity in entries.
///
/// ```
/// use arenakit_calc::eval::{Limits, DEFAULT_MEMO_CAPACITY};
/// assert_eq!(Limits::default().memo_capacity, DEFAULT_MEMO_CAPACITY);
/// ```
pub const DEFAULT_MEMO_CAPACITY: usize = 10_000;

/// One node of compiled code; children are indices into the same `Code`.
#[derive(Clone, Copy, Debug)]
enum Node {
    Const(Value),
    Param(u32),
    Global {
        slot: u32,
        span: Span,
    },
    Unary {
        op: UnaryOp,
        operand: u32,
        span: Span,
    },
    Binary {
        op: BinaryOp,
        lhs: u32,
        rhs: u32,
        span: Span,
    },
    And {
        lhs: u32,
        rhs: u32,
    },
    Or {
        lhs: u32,
        rhs: u32,
    },
    If {
        cond: u32,
        then_branch: u32,
        else_branch: u32,
    },
    /// `param op k` for an Int literal `k`: the commonest shape in
    /// recursive functions (`n - 1`, `n < 2`), evaluated without recursing.
    ParamOpInt {
        op: BinaryOp,
        param: u32,
        k: i64,
        span: Span,
    },
    /// `if param cmp k then … else …`: an `If` whose condition is a
    /// [`Node::ParamOpInt`] comparison (`cond`), tested without a dispatch.
    IfParamCmp {
        op: BinaryOp,
        param: u32,
        k: i64,
        cond: u32,
        then_branch: u32,
        else_branch: u32,
    },
    Call(CallSite),
    /// A call of a parameter. Parameters hold values, never functions, so
    /// it fails with `'name' is not a function` before its arguments are
    /// evaluated. `slot` is the global slot of the same name, used only for
    /// the name.
    CallParam {
        slot: u32,
        span: Span,
    },
    /// A long left-associative chain such as `a + b - c + …` (see
    /// [`CHAIN_MIN`]): the value of `first`, then each of the `len` steps
    /// from `steps` on in [`Code::steps`] applied to the value so far with
    /// its right operand. It evaluates exactly as the nested `Binary`,
    /// `And` and `Or` nodes it replaces would, but with a loop instead of
    /// one native frame per operator.
    Chain {
        first: u32,
        steps: u32,
        len: u32,
    },
}

/// Left-associative chains of more binary operators than this compile to a
/// [`Node::Chain`]; shorter ones keep one node per operator, with the fused
/// shapes (such as [`Node::ParamOpInt`]) that the evaluator's hot paths are
/// tuned for. Either way a chain evaluates the same. Nested nodes cost one
/// evaluator frame per operator, which the parser's height limit does not
/// count, so this also bounds that extra recursion.
const CHAIN_MIN: usize = 16;

/// One operator of a [`Node::Chain`]: the value so far, `op`, then the
/// value of node `rhs`.
#[derive(Clone, Copy, Debug)]
struct Step {
    op: BinaryOp,
    rhs: u32,
    /// The span of the operator's node in the tree, which runs from the
    /// start of the chain to the end of `rhs`: where an error is reported.
    span: Span,
}

/// Compiled code for one expression: nodes in post-order, the root last.
#[derive(Clone, Debug, Default)]
struct Code {
    nodes: Vec<Node>,
    /// Argument lists of calls: node indices, each call's a contiguous run.
    args: Vec<u32>,
    /// The steps of chains, each chain's a contiguous run.
    steps: Vec<Step>,
    /// Spans of the nodes (parallel to `nodes`), for type errors.
    spans: Vec<Span>,
    source: SourceId,
}

impl Default for SourceId {
    fn default() -> Self {
        SourceId::CURRENT
    }
}

impl Code {
    fn root(&self) -> u32 {
        (self.nodes.len() - 1) as u32
    }
}

/// A user-defined function.
#[derive(Debug)]
struct Function {
    /// Unique per definition, so a redefinition never matches old memo keys.
    id: u64,
    arity: u32,
    code: Code,
}

#[derive(Debug, Default)]
enum Binding {
    #[default]
    Unbound,
    Value(Value),
    Function(Box<Function>),
    Builtin(Builtin),
}

/// The global bindings, indexed by slot.
#[derive(Debug, Default)]
struct Globals {
    slots: HashMap<Symbol, u32>,
    /// The symbol of each slot's name.
    symbols: Vec<Symbol>,
    names: Vec<Box<str>>,
    bindings: Vec<Binding>,
}

impl Globals {
    fn slot(&mut self, sym: Symbol, interner: &Interner) -> u32 {
        if let Some(&s) = self.slots.get(&sym) {
            return s;
        }
        let s = self.bindings.len() as u32;
        self.slots.insert(sym, s);
        self.symbols.push(sym);
        self.names.push(interner.resolve(sym).into());
        self.bindings.push(Binding::Unbound);
        s
    }
}

/// A compiled top-level statement, ready to run.
///
/// It owns its code, so it outlives the arena its source was parsed into.
///
/// ```
/// # use arenakit_arena::Arena;
/// # use arenakit_intern::Interner;
/// # use arenakit_calc::parser::parse;
/// use arenakit_calc::eval::{Evaluator, Limits, Outcome};
/// use arenakit_calc::value::Value;
/// # let mut interner = Interner::new();
/// let mut eval = Evaluator::new(Limits::default(), &mut interner);
/// let compiled = {
///     let arena = Arena::new();
///     let program = parse("21 * 2", &arena, &mut interner).unwrap();
///     eval.compile(program.stmts, &interner)
/// };
/// // The arena is gone, and the statement still runs, as often as wanted.
/// assert_eq!(eval.run(&compiled[0]), Ok(Outcome::Value(Value::Int(42))));
/// assert_eq!(eval.run(&compiled[0]), Ok(Outcome::Value(Value::Int(42))));
/// ```
#[derive(Debug)]
pub struct CompiledStmt {
    kind: CompiledKind,
}

#[derive(Debug)]
enum CompiledKind {
    Let {
        slot: u32,
        value: Code,
    },
    Fn {
        slot: u32,
        arity: u32,
        params: Vec<String>,
        body: Code,
    },
    Expr(Code),
}

/// What running one statement produced.
///
/// ```
/// # use arenakit_arena::Arena;
/// # use arenakit_intern::Interner;
/// # use arenakit_calc::parser::parse;
/// use arenakit_calc::eval::{Evaluator, Limits, Outcome};
/// use arenakit_calc::value::Value;
/// # let (arena, mut interner) = (Arena::new(), Interner::new());
/// let mut eval = Evaluator::new(Limits::default(), &mut interner);
/// let source = "let x = 5\nfn add(a, b) = a + b\nadd(x, 1)";
/// let program = parse(source, &arena, &mut interner).unwrap();
/// let compiled = eval.compile(program.stmts, &interner);
/// let outcomes: Vec<Outcome> = compiled.iter().map(|s| eval.run(s).unwrap()).collect();
/// assert_eq!(outcomes, [
///     Outcome::Let { name: "x".into(), value: Value::Int(5) },
///     Outcome::Fn { name: "add".into(), params: vec!["a".into(), "b".into()] },
///     Outcome::Value(Value::Int(6)),
/// ]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// An expression statement's value, to be printed.
    Value(Value),
    /// `let name = value` bound `name`.
    Let {
        /// The bound name.
        name: String,
        /// Its new value.
        value: Value,
    },
    /// `fn name(params) = …` bound `name`.
    Fn {
        /// The function's name.
        name: String,
        /// Its parameter names, in order.
        params: Vec<String>,
    },
}

/// Evaluator limits.
///
/// ```
/// use arenakit_calc::eval::Limits;
/// use arenakit_calc::session::{Echo, Failure, Session};
///
/// let mut session = Session::new(Limits { max_depth: 100, ..Limits::default() });
/// let source = "fn down(n) = if n == 0 then 0 else down(n - 1)\ndown(99)\ndown(100)";
/// let mut out = Vec::new();
/// let failure = session.run("<doc>", source, Echo::Quiet, &mut out).unwrap_err();
/// // A hundred active calls are allowed; a hundred and one are not.
/// assert_eq!(out, b"0\n");
/// let Failure::Runtime(error) = failure else { panic!("not a runtime error") };
/// assert_eq!(error.message, "recursion limit exceeded");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Memo-cache capacity in entries; 0 turns memoisation off.
    pub memo_capacity: usize,
    /// The most user-function calls that may be active at once.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memo_capacity: DEFAULT_MEMO_CAPACITY,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// A memo key's view of one argument: its type and its bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct ArgBits {
    tag: u8,
    bits: u64,
}

impl ArgBits {
    fn of(v: Value) -> ArgBits {
        match v {
            Value::Int(i) => ArgBits {
                tag: 0,
                bits: i as u64,
            },
            Value::Float(x) => ArgBits {
                tag: 1,
                bits: x.to_bits(),
            },
            Value::Bool(b) => ArgBits {
                tag: 2,
                bits: b as u64,
            },
        }
    }
}

const INLINE_ARGS: usize = 3;

/// Arguments of a memoised call: up to three inline, more on the heap.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ArgKeys {
    Inline(u8, [ArgBits; INLINE_ARGS]),
    Heap(Box<[ArgBits]>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct MemoKey {
    function: u64,
    args: ArgKeys,
}

impl MemoKey {
    fn new(function: u64, args: &[Raw]) -> MemoKey {
        let args = if args.len() <= INLINE_ARGS {
            let mut inline = [ArgBits::default(); INLINE_ARGS];
            for (slot, v) in inline.iter_mut().zip(args) {
                *slot = ArgBits::of(v.value());
            }
            ArgKeys::Inline(args.len() as u8, inline)
        } else {
            ArgKeys::Heap(args.iter().map(|v| ArgBits::of(v.value())).collect())
        };
        MemoKey { function, args }
    }
}

/// A memoised result, with how far below the call itself its computation
/// went: in call levels, and in bytes of native stack at the guard's checks.
#[derive(Clone, Copy, Debug)]
struct Memoised {
    value: Value,
    height: usize,
    native_height: usize,
}

/// The mutable state of a running evaluation.
struct Machine {
    stack: Vec<Raw>,
    /// The error an evaluation that returned [`Raw::ERR`] stopped with.
    error: Option<Box<RuntimeError>>,
    /// Argument values for a builtin call.
    scratch: Vec<Value>,
    depth: usize,
    max_depth: usize,
    /// The deepest call level reached by the computation under way (only
    /// kept up to date while memoisation is on).
    deepest: usize,
    memo: Option<LruCache<MemoKey, Memoised>>,
    memo_stats: CacheStats,
    guard: StackGuard,
    /// The most native stack in use at any guard check of the computation
    /// under way, in bytes below the guard's base (see
    /// [`Machine::stack_exhausted`]). Like `deepest`, it starts again at
    /// each call computed with memoisation on. It is never above the
    /// guard's budget unless the guard has tripped.
    native_deepest: usize,
}

/// The calc evaluator: global bindings, the memo cache and the limits.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::eval::{Evaluator, Limits, Outcome};
/// use arenakit_calc::value::Value;
/// use arenakit_intern::Interner;
///
/// let arena = Arena::new();
/// let mut interner = Interner::new();
/// let mut eval = Evaluator::new(Limits::default(), &mut interner);
/// let program = arenakit_calc::parser::parse("fn sq(x) = x * x\nsq(7)", &arena, &mut interner)
///     .expect("no syntax errors");
/// let compiled = eval.compile(program.stmts, &interner);
/// let mut values = Vec::new();
/// for stmt in &compiled {
///     if let Outcome::Value(v) = eval.run(stmt).expect("no runtime errors") {
///         values.push(v);
///     }
/// }
/// assert_eq!(values, [Value::Int(49)]);
/// ```
pub struct Evaluator {
    globals: Globals,
    machine: Machine,
    next_function_id: u64,
    /// Where compiled code's spans point; set by [`Evaluator::set_source`].
    source: SourceId,
    /// Chains of more operators than this compile to a [`Node::Chain`]:
    /// [`CHAIN_MIN`], except in the tests that compare both shapes.
    chain_min: usize,
}

impl std::fmt::Debug for Evaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evaluator")
            .field("globals", &self.globals.names.len())
            .field("depth", &self.machine.depth)
            .finish_non_exhaustive()
    }
}

/// Counters about one evaluator, for `--stats`.
///
/// ```
/// # use arenakit_arena::Arena;
/// # use arenakit_intern::Interner;
/// # use arenakit_calc::parser::parse;
/// use arenakit_calc::eval::{Evaluator, Limits};
/// # let (arena, mut interner) = (Arena::new(), Interner::new());
/// let mut eval = Evaluator::new(Limits::default(), &mut interner);
/// let source = "fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\nfib(30)";
/// let program = parse(source, &arena, &mut interner).unwrap();
/// for stmt in eval.compile(program.stmts, &interner) {
///     eval.run_owned(stmt).unwrap();
/// }
/// // Each `fib(n)` was computed once and then found in the memo cache.
/// let stats = eval.stats();
/// assert_eq!((stats.memo.insertions, stats.memo_len), (31, 31));
/// assert_eq!(stats.memo.hits, 28);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EvalStats {
    /// Memo-cache hits, misses, insertions and evictions.
    pub memo: CacheStats,
    /// Entries currently in the memo cache.
    pub memo_len: usize,
    /// The memo cache's capacity (0 when off).
    pub memo_capacity: usize,
    /// Global binding slots (every distinct global name seen).
    pub globals: usize,
}

impl Evaluator {
    /// Creates an evaluator whose globals are the builtins.
    ///
    /// ```
    /// use arenakit_calc::eval::{Evaluator, Limits};
    /// let mut interner = arenakit_intern::Interner::new();
    /// let eval = Evaluator::new(Limits::default(), &mut interner);
    /// assert_eq!(eval.stats().memo_capacity, 10_000);
    /// ```
    pub fn new(limits: Limits, interner: &mut Interner) -> Evaluator {
        let mut globals = Globals::default();
        for b in Builtin::ALL {
            let sym = interner.get_or_intern(b.name());
            let slot = globals.slot(sym, interner);
            globals.bindings[slot as usize] = Binding::Builtin(b);
        }
        let memo = (limits.memo_capacity > 0).then(|| LruCache::new(limits.memo_capacity));
        Evaluator {
            globals,
            machine: Machine {
                stack: Vec::with_capacity(256),
                error: None,
                scratch: Vec::new(),
                depth: 0,
                max_depth: limits.max_depth,
                deepest: 0,
                memo,
                memo_stats: CacheStats::default(),
                guard: StackGuard::here(),
                native_deepest: 0,
            },
            next_function_id: 0,
            source: SourceId::CURRENT,
            chain_min: CHAIN_MIN,
        }
    }

    /// Sets the source that code compiled from now on points into.
    ///
    /// ```
    /// # use arenakit_arena::Arena;
    /// # use arenakit_intern::Interner;
    /// # use arenakit_calc::parser::parse;
    /// use arenakit_calc::eval::{Evaluator, Limits, SourceId};
    /// # let (arena, mut interner) = (Arena::new(), Interner::new());
    /// let mut eval = Evaluator::new(Limits::default(), &mut interner);
    /// eval.set_source(SourceId(7));
    /// let program = parse("fn inv(x) = 1 / x\ninv(0)", &arena, &mut interner).unwrap();
    /// let compiled = eval.compile(program.stmts, &interner);
    /// eval.run(&compiled[0]).unwrap();
    /// // The error is in the function's body, so it points into source 7.
    /// assert_eq!(eval.run(&compiled[1]).unwrap_err().source, SourceId(7));
    /// ```
    pub fn set_source(&mut self, source: SourceId) {
        self.source = source;
    }

    /// The number of global slots: one per name ever compiled outside a
    /// parameter list, builtins included, bound or not.
    pub(crate) fn global_count(&self) -> usize {
        self.globals.bindings.len()
    }

    /// Forgets the global slots from `count` on, which must all be unbound
    /// and unused by any bound function: those of names first seen in a
    /// program that defined nothing.
    pub(crate) fn forget_globals_from(&mut self, count: usize) {
        let globals = &mut self.globals;
        if count >= globals.bindings.len() {
            return;
        }
        debug_assert!(
            globals.bindings[count..]
                .iter()
                .all(|b| matches!(b, Binding::Unbound))
        );
        for sym in &globals.symbols[count..] {
            globals.slots.remove(sym);
        }
        globals.symbols.truncate(count);
        globals.names.truncate(count);
        globals.bindings.truncate(count);
    }

    /// Moves the global names into `interner`, a fresh one, keeping their
    /// slots: compiled code refers to slots, so it stays valid.
    pub(crate) fn reintern_globals(&mut self, interner: &mut Interner) {
        let globals = &mut self.globals;
        globals.slots.clear();
        for (slot, (name, sym)) in globals.names.iter().zip(&mut globals.symbols).enumerate() {
            *sym = interner.get_or_intern(name);
            globals.slots.insert(*sym, slot as u32);
        }
    }

    /// Compiles statements: resolves every name to a parameter slot or a
    /// global slot. Nothing is evaluated.
    ///
    /// ```
    /// # use arenakit_arena::Arena;
    /// # use arenakit_intern::Interner;
    /// # use arenakit_calc::parser::parse;
    /// use arenakit_calc::eval::{Evaluator, Limits, Outcome};
    /// use arenakit_calc::value::Value;
    /// # let (arena, mut interner) = (Arena::new(), Interner::new());
    /// let mut eval = Evaluator::new(Limits::default(), &mut interner);
    /// let program = parse("y * 2\nlet y = 21\ny * 2", &arena, &mut interner).unwrap();
    /// let compiled = eval.compile(program.stmts, &interner);
    /// // `y` compiled although it is unbound: globals are looked up when they are used.
    /// assert_eq!(eval.run(&compiled[0]).unwrap_err().message, "undefined variable 'y'");
    /// eval.run(&compiled[1]).unwrap();
    /// assert_eq!(eval.run(&compiled[2]), Ok(Outcome::Value(Value::Int(42))));
    /// ```
    pub fn compile(&mut self, stmts: &[Stmt<'_>], interner: &Interner) -> Vec<CompiledStmt> {
        stmts
            .iter()
            .map(|stmt| {
                let kind = match *stmt {
                    Stmt::Let { name, value, .. } => {
                        let value = self.compile_code(value, &[], interner);
                        let slot = self.globals.slot(name, interner);
                        CompiledKind::Let { slot, value }
                    }
                    Stmt::Fn {
                        name, params, body, ..
                    } => {
                        let names: Vec<Symbol> = params.iter().map(|p| p.name).collect();
                        let slot = self.globals.slot(name, interner);
                        let body = self.compile_code(body, &names, interner);
                        CompiledKind::Fn {
                            slot,
                            arity: names.len() as u32,
                            params: names
                                .iter()
                                .map(|p| interner.resolve(*p).to_string())
                                .collect(),
                            body,
                        }
                    }
                    Stmt::Expr(e) => CompiledKind::Expr(self.compile_code(e, &[], interner)),
                };
                CompiledStmt { kind }
            })
            .collect()
    }

    fn compile_code(&mut self, expr: &Expr<'_>, params: &[Symbol], interner: &Interner) -> Code {
        let mut code = Code {
            source: self.source,
            ..Code::default()
        };
        compile_expr(
            expr,
            params,
            &mut self.globals,
            interner,
            &mut code,
            self.chain_min,
        );
        code
    }

    /// Runs one compiled statement. A `let` or `fn` clears the memo cache.
    ///
    /// The native stack guard is measured from where this is called; call it
    /// on a thread set up by [`crate::stack::run_with_stack`] for deep
    /// recursion.
    ///
    /// # Errors
    ///
    /// Returns the [`RuntimeError`] at which evaluating an expression or a
    /// `let` statement stopped: an operation that failed (an [`OpError`],
    /// such as `division by zero`), an undefined variable or function, a
    /// function used as a value, a call of something that is not a function,
    /// a call with the wrong number of arguments, or `recursion limit
    /// exceeded` when a call would exceed [`Limits::max_depth`] active
    /// user-function calls or the native stack guard trips. A `fn` statement
    /// never fails. A `let` that fails binds nothing and does not clear the
    /// memo cache.
    ///
    /// ```
    /// # use arenakit_arena::Arena;
    /// # use arenakit_intern::Interner;
    /// # use arenakit_calc::parser::parse;
    /// use arenakit_calc::eval::{Evaluator, Limits};
    /// # let (arena, mut interner) = (Arena::new(), Interner::new());
    /// let mut eval = Evaluator::new(Limits::default(), &mut interner);
    /// let program = parse("let x = 1 / 0\nx", &arena, &mut interner).unwrap();
    /// let compiled = eval.compile(program.stmts, &interner);
    /// assert_eq!(eval.run(&compiled[0]).unwrap_err().message, "division by zero");
    /// // The `let` that failed bound nothing.
    /// assert_eq!(eval.run(&compiled[1]).unwrap_err().message, "undefined variable 'x'");
    /// ```
    pub fn run(&mut self, stmt: &CompiledStmt) -> Result<Outcome, Box<RuntimeError>> {
        self.machine.guard = StackGuard::here();
        self.machine.native_deepest = 0;
        self.machine.depth = 0;
        self.machine.deepest = 0;
        self.machine.stack.clear();
        match &stmt.kind {
            CompiledKind::Expr(code) => {
                let v = self.machine.eval_top(&self.globals, code);
                self.machine.stack.clear();
                v.map(Outcome::Value)
            }
            CompiledKind::Let { slot, value } => {
                let v = self.machine.eval_top(&self.globals, value);
                self.machine.stack.clear();
                let v = v?;
                self.globals.bindings[*slot as usize] = Binding::Value(v);
                self.clear_memo();
                Ok(Outcome::Let {
                    name: self.globals.names[*slot as usize].to_string(),
                    value: v,
                })
            }
            CompiledKind::Fn {
                slot,
                arity,
                params,
                body,
            } => Ok(self.define(*slot, *arity, params.clone(), body.clone())),
        }
    }

    /// Runs one compiled statement, taking ownership so a function body is
    /// moved rather than copied.
    ///
    /// # Errors
    ///
    /// Fails as [`Evaluator::run`] does.
    ///
    /// ```
    /// # use arenakit_arena::Arena;
    /// # use arenakit_intern::Interner;
    /// # use arenakit_calc::parser::parse;
    /// use arenakit_calc::eval::{Evaluator, Limits, Outcome};
    /// use arenakit_calc::value::Value;
    /// # let (arena, mut interner) = (Arena::new(), Interner::new());
    /// let mut eval = Evaluator::new(Limits::default(), &mut interner);
    /// let program = parse("fn twice(x) = 2 * x\ntwice(21)", &arena, &mut interner).unwrap();
    /// let mut outcomes = Vec::new();
    /// // Each statement is moved into the evaluator: the body of `twice` is not copied.
    /// for stmt in eval.compile(program.stmts, &interner) {
    ///     outcomes.push(eval.run_owned(stmt).unwrap());
    /// }
    /// assert_eq!(outcomes[1], Outcome::Value(Value::Int(42)));
    /// ```
    pub fn run_owned(&mut self, stmt: CompiledStmt) -> Result<Outcome, Box<RuntimeError>> {
        match stmt.kind {
            CompiledKind::Fn {
                slot,
                arity,
                params,
                body,
            } => Ok(self.define(slot, arity, params, body)),
            kind => self.run(&CompiledStmt { kind }),
        }
    }

    fn define(&mut self, slot: u32, arity: u32, params: Vec<String>, code: Code) -> Outcome {
        self.next_function_id += 1;
        self.globals.bindings[slot as usize] = Binding::Function(Box::new(Function {
            id: self.next_function_id,
            arity,
            code,
        }));
        self.clear_memo();
        Outcome::Fn {
            name: self.globals.names[slot as usize].to_string(),
            params,
        }
    }

    fn clear_memo(&mut self) {
        if let Some(memo) = &mut self.machine.memo {
            memo.clear();
        }
    }

    /// Memo and binding counters.
    ///
    /// ```
    /// # use arenakit_arena::Arena;
    /// # use arenakit_intern::Interner;
    /// # use arenakit_calc::parser::parse;
    /// use arenakit_calc::eval::{Evaluator, Limits};
    /// use arenakit_calc::value::Builtin;
    /// # let (arena, mut interner) = (Arena::new(), Interner::new());
    /// let mut eval = Evaluator::new(Limits::default(), &mut interner);
    /// // The builtins take the first global slots.
    /// assert_eq!(eval.stats().globals, Builtin::ALL.len());
    /// let program = parse("let answer = 42", &arena, &mut interner).unwrap();
    /// let compiled = eval.compile(program.stmts, &interner);
    /// eval.run(&compiled[0]).unwrap();
    /// assert_eq!(eval.stats().globals, Builtin::ALL.len() + 1);
    /// ```
    pub fn stats(&self) -> EvalStats {
        let (memo, memo_len, memo_capacity) = match &self.machine.memo {
            Some(m) => (m.stats(), m.len(), m.capacity()),
            None => (self.machine.memo_stats, 0, 0),
        };
        EvalStats {
            memo,
            memo_len,
            memo_capacity,
            globals: self.globals.bindings.len(),
        }
    }

    /// Calls `f` with the source of every bound function's code, so that a
    /// caller keeping source texts for error messages can drop the rest.
    ///
    /// ```
    /// # use arenakit_arena::Arena;
    /// # use arenakit_intern::Interner;
    /// # use arenakit_calc::parser::parse;
    /// use arenakit_calc::eval::{Evaluator, Limits, SourceId};
    /// # fn define(eval: &mut Evaluator, interner: &mut Interner, id: SourceId, text: &str) {
    /// #     let arena = Arena::new();
    /// #     let program = parse(text, &arena, interner).unwrap();
    /// #     eval.set_source(id);
    /// #     for stmt in eval.compile(program.stmts, interner) {
    /// #         eval.run_owned(stmt).unwrap();
    /// #     }
    /// # }
    /// # let mut interner = Interner::new();
    /// // `define` parses `text`, then compiles it after `set_source(id)` and runs it.
    /// let mut eval = Evaluator::new(Limits::default(), &mut interner);
    /// define(&mut eval, &mut interner, SourceId(0), "fn f(x) = x");
    /// define(&mut eval, &mut interner, SourceId(1), "fn g(x) = x\nfn f(x) = -x");
    /// // `f` was redefined, so no bound function comes from source 0 any more.
    /// let mut live = Vec::new();
    /// eval.for_each_live_source(|id| live.push(id));
    /// assert_eq!(live, [SourceId(1), SourceId(1)]);
    /// ```
    pub fn for_each_live_source(&self, mut f: impl FnMut(SourceId)) {
        for b in &self.globals.bindings {
            if let Binding::Function(func) = b {
                f(func.code.source);
            }
        }
    }
}

fn is_comparison(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
    )
}

/// What is left to compile: a subtree to start on, or a node whose operands
/// are compiled, their indices on top of the operand stack.
enum Task<'e, 'a> {
    /// Compile this subtree.
    Visit(&'e Expr<'a>),
    /// A prefix operator over the top operand.
    Unary { op: UnaryOp, span: Span },
    /// A binary operator over the top two operands.
    Binary { op: BinaryOp, span: Span },
    /// An `if` over the top three operands.
    If { span: Span },
    /// A call of global `slot` with the top `argc` operands as arguments.
    Call {
        slot: u32,
        argc: usize,
        span: Span,
        callee_span: Span,
    },
    /// A [`Node::Chain`] over the top `levels.len() + 1` operands: the first
    /// operand, then each level's right operand. `levels` holds each
    /// level's operator and span, innermost first.
    Chain {
        levels: Vec<(BinaryOp, Span)>,
        span: Span,
    },
}

/// Whether `expr` starts a chain of more than `chain_min` binary operators
/// along its left operands.
fn is_long_chain(expr: &Expr<'_>, chain_min: usize) -> bool {
    let mut node = expr;
    for _ in 0..=chain_min {
        match node.kind {
            ExprKind::Binary { lhs, .. } => node = lhs,
            _ => return false,
        }
    }
    true
}

/// Takes the top `N` operand indices, in the order they were compiled.
fn take_operands<const N: usize>(operands: &mut Vec<u32>) -> [u32; N] {
    let at = operands.len().saturating_sub(N);
    let mut taken = [0; N];
    taken.copy_from_slice(&operands[at..]);
    operands.truncate(at);
    taken
}

/// Compiles `expr` into `code`, its root last. Chains of more than
/// `chain_min` operators become [`Node::Chain`]s.
///
/// The tree is walked with an explicit stack of tasks, not recursion, so
/// compiling uses no native stack however deep the tree is. Nodes come out
/// in the order a recursive post-order walk would give them, and names get
/// their global slots in source order.
fn compile_expr(
    expr: &Expr<'_>,
    params: &[Symbol],
    globals: &mut Globals,
    interner: &Interner,
    code: &mut Code,
    chain_min: usize,
) {
    let mut tasks = vec![Task::Visit(expr)];
    // The compiled nodes waiting for their parent.
    let mut operands: Vec<u32> = Vec::new();
    while let Some(task) = tasks.pop() {
        let (node, span) = match task {
            Task::Visit(expr) => {
                let span = expr.span;
                let node = match expr.kind {
                    ExprKind::Int(i) => Node::Const(Value::Int(i)),
                    ExprKind::Float(x) => Node::Const(Value::Float(x)),
                    ExprKind::Bool(b) => Node::Const(Value::Bool(b)),
                    ExprKind::Var(sym) => match params.iter().rposition(|p| *p == sym) {
                        Some(i) => Node::Param(i as u32),
                        None => Node::Global {
                            slot: globals.slot(sym, interner),
                            span,
                        },
                    },
                    ExprKind::Unary { op, operand } => {
                        tasks.push(Task::Unary { op, span });
                        tasks.push(Task::Visit(operand));
                        continue;
                    }
                    ExprKind::Binary { .. } if is_long_chain(expr, chain_min) => {
                        // The chain's task goes under the visits of its
                        // right operands, which are pushed outermost first,
                        // so they are compiled innermost first, after the
                        // chain's first operand (pushed last).
                        let mut levels = Vec::new();
                        let at = tasks.len();
                        let mut node = expr;
                        while let ExprKind::Binary { op, lhs, rhs } = node.kind {
                            levels.push((op, node.span));
                            tasks.push(Task::Visit(rhs));
                            node = lhs;
                        }
                        levels.reverse();
                        tasks.insert(at, Task::Chain { levels, span });
                        tasks.push(Task::Visit(node));
                        continue;
                    }
                    ExprKind::Binary { op, lhs, rhs } => {
                        tasks.push(Task::Binary { op, span });
                        tasks.push(Task::Visit(rhs));
                        tasks.push(Task::Visit(lhs));
                        continue;
                    }
                    ExprKind::If {
                        cond,
                        then_branch,
                        else_branch,
                    } => {
                        tasks.push(Task::If { span });
                        tasks.push(Task::Visit(else_branch));
                        tasks.push(Task::Visit(then_branch));
                        tasks.push(Task::Visit(cond));
                        continue;
                    }
                    ExprKind::Call {
                        callee,
                        callee_span,
                        ..
                    } if params.contains(&callee) => Node::CallParam {
                        slot: globals.slot(callee, interner),
                        span: callee_span,
                    },
                    ExprKind::Call {
                        callee,
                        callee_span,
                        args,
                    } => {
                        // The callee gets its slot before the arguments do.
                        let slot = globals.slot(callee, interner);
                        tasks.push(Task::Call {
                            slot,
                            argc: args.len(),
                            span,
                            callee_span,
                        });
                        tasks.extend(args.iter().rev().map(Task::Visit));
                        continue;
                    }
                };
                (node, span)
            }
            Task::Unary { op, span } => {
                let [operand] = take_operands(&mut operands);
                (Node::Unary { op, operand, span }, span)
            }
            Task::Binary { op, span } => {
                let [lhs, rhs] = take_operands(&mut operands);
                (binary_node(op, lhs, rhs, span, code), span)
            }
            Task::If { span } => {
                let [cond, then_branch, else_branch] = take_operands(&mut operands);
                let node = match code.nodes[cond as usize] {
                    Node::ParamOpInt { op, param, k, .. } if is_comparison(op) => {
                        Node::IfParamCmp {
                            op,
                            param,
                            k,
                            cond,
                            then_branch,
                            else_branch,
                        }
                    }
                    _ => Node::If {
                        cond,
                        then_branch,
                        else_branch,
                    },
                };
                (node, span)
            }
            Task::Call {
                slot,
                argc,
                span,
                callee_span,
            } => {
                let at = operands.len().saturating_sub(argc);
                let first_arg = code.args.len() as u32;
                code.args.extend(operands.drain(at..));
                let site = CallSite {
                    slot,
                    first_arg,
                    argc: argc as u32,
                    span,
                    callee_span,
                };
                (Node::Call(site), span)
            }
            Task::Chain { levels, span } => {
                let at = operands.len().saturating_sub(levels.len() + 1);
                let first = operands[at];
                let steps = code.steps.len() as u32;
                let rhs = &operands[at + 1..];
                code.steps
                    .extend(levels.iter().zip(rhs).map(|(&(op, span), &rhs)| Step {
                        op,
                        rhs,
                        span,
                    }));
                operands.truncate(at);
                let len = levels.len() as u32;
                (Node::Chain { first, steps, len }, span)
            }
        };
        code.nodes.push(node);
        code.spans.push(span);
        operands.push((code.nodes.len() - 1) as u32);
    }
}

/// The node for `lhs op rhs`, whose operands are compiled already.
fn binary_node(op: BinaryOp, lhs: u32, rhs: u32, span: Span, code: &mut Code) -> Node {
    match op {
        BinaryOp::And => Node::And { lhs, rhs },
        BinaryOp::Or => Node::Or { lhs, rhs },
        _ => match (code.nodes[lhs as usize], code.nodes[rhs as usize]) {
            (Node::Param(param), Node::Const(Value::Int(k)))
                if rhs == lhs + 1 && rhs as usize + 1 == code.nodes.len() =>
            {
                // The operands are the last two nodes pushed: replace them
                // with the fused node.
                code.nodes.truncate(lhs as usize);
                code.spans.truncate(lhs as usize);
                Node::ParamOpInt { op, param, k, span }
            }
            _ => Node::Binary { op, lhs, rhs, span },
        },
    }
}

/// A value as the evaluator passes it around: two words, so that it is
/// returned in registers. `tag` is 0 for Int, 1 for Float, 2 for Bool and
/// [`Raw::ERR`] when evaluation failed (the error is in `Machine::error`).
#[derive(Clone, Copy, Debug)]
struct Raw {
    tag: u64,
    bits: u64,
}

impl Raw {
    const INT: u64 = 0;
    const FLOAT: u64 = 1;
    const BOOL: u64 = 2;
    const ERR_TAG: u64 = 3;
    const ERR: Raw = Raw {
        tag: Raw::ERR_TAG,
        bits: 0,
    };

    #[inline(always)]
    fn int(i: i64) -> Raw {
        Raw {
            tag: Raw::INT,
            bits: i as u64,
        }
    }

    #[inline(always)]
    fn bool(b: bool) -> Raw {
        Raw {
            tag: Raw::BOOL,
            bits: b as u64,
        }
    }

    #[inline(always)]
    fn from_value(v: Value) -> Raw {
        match v {
            Value::Int(i) => Raw::int(i),
            Value::Float(x) => Raw {
                tag: Raw::FLOAT,
                bits: x.to_bits(),
            },
            Value::Bool(b) => Raw::bool(b),
        }
    }

    /// The value; only called on a raw value that is not [`Raw::ERR`].
    #[inline(always)]
    fn value(self) -> Value {
        match self.tag {
            Raw::INT => Value::Int(self.bits as i64),
            Raw::FLOAT => Value::Float(f64::from_bits(self.bits)),
            _ => Value::Bool(self.bits != 0),
        }
    }

    #[inline(always)]
    fn is_err(self) -> bool {
        self.tag == Raw::ERR_TAG
    }
}

/// Evaluates to the raw value of `$e`, returning early if it failed.
macro_rules! tri {
    ($e:expr) => {{
        let r: Raw = $e;
        if r.is_err() {
            return Raw::ERR;
        }
        r
    }};
}

/// A runtime failure, formatted only when it happens.
enum Fail<'a> {
    Op(OpError),
    UndefinedVariable(&'a str),
    FunctionNotValue(&'a str),
    UndefinedFunction(&'a str),
    NotAFunction(&'a str),
    Arity(&'a str, Arity, usize),
    Recursion,
}

/// Builds the error for `what` at `span` of `code`; kept out of line so the
/// evaluator's frames stay small.
#[cold]
#[inline(never)]
fn fail(code: &Code, span: Span, what: Fail<'_>) -> Box<RuntimeError> {
    let message = match what {
        Fail::Op(e) => e.to_string(),
        Fail::UndefinedVariable(name) => format!("undefined variable '{name}'"),
        Fail::FunctionNotValue(name) => format!("'{name}' is a function, not a value"),
        Fail::UndefinedFunction(name) => format!("undefined function '{name}'"),
        Fail::NotAFunction(name) => format!("'{name}' is not a function"),
        Fail::Arity(name, arity, found) => value::arity_message(name, arity, found),
        Fail::Recursion => "recursion limit exceeded".to_string(),
    };
    Box::new(RuntimeError {
        message,
        span,
        source: code.source,
    })
}

impl Machine {
    /// Records `e` and returns [`Raw::ERR`].
    #[cold]
    #[inline(never)]
    fn throw(&mut self, code: &Code, span: Span, what: Fail<'_>) -> Raw {
        self.error = Some(fail(code, span, what));
        Raw::ERR
    }

    #[cold]
    #[inline(never)]
    fn binary_slow(&mut self, code: &Code, op: BinaryOp, a: Raw, b: Raw, span: Span) -> Raw {
        match value::binary(op, a.value(), b.value()) {
            Ok(v) => Raw::from_value(v),
            Err(e) => self.throw(code, span, Fail::Op(e)),
        }
    }

    #[cold]
    #[inline(never)]
    fn unary_slow(&mut self, code: &Code, op: UnaryOp, v: Raw, span: Span) -> Raw {
        match value::unary(op, v.value()) {
            Ok(v) => Raw::from_value(v),
            Err(e) => self.throw(code, span, Fail::Op(e)),
        }
    }

    /// `a op b` on two Ints for the common operators, without a call.
    #[inline(always)]
    fn int_fast(op: BinaryOp, x: i64, y: i64) -> Option<Raw> {
        let r = match op {
            BinaryOp::Add => x.checked_add(y),
            BinaryOp::Sub => x.checked_sub(y),
            BinaryOp::Mul => x.checked_mul(y),
            BinaryOp::Lt => return Some(Raw::bool(x < y)),
            BinaryOp::Le => return Some(Raw::bool(x <= y)),
            BinaryOp::Gt => return Some(Raw::bool(x > y)),
            BinaryOp::Ge => return Some(Raw::bool(x >= y)),
            BinaryOp::Eq => return Some(Raw::bool(x == y)),
            BinaryOp::Ne => return Some(Raw::bool(x != y)),
            _ => None,
        };
        r.map(Raw::int)
    }

    /// Evaluates node `idx`, handling the leaf shapes inline so that only
    /// nodes with children cost a recursive call.
    #[inline(always)]
    fn operand(&mut self, globals: &Globals, code: &Code, idx: u32, base: usize) -> Raw {
        match code.nodes[idx as usize] {
            Node::Const(v) => Raw::from_value(v),
            Node::Param(i) => self.stack[base + i as usize],
            Node::ParamOpInt { op, param, k, span } => {
                let a = self.stack[base + param as usize];
                if a.tag == Raw::INT
                    && let Some(r) = Machine::int_fast(op, a.bits as i64, k)
                {
                    return r;
                }
                self.binary_slow(code, op, a, Raw::int(k), span)
            }
            Node::Call(site) => self.call(globals, code, base, site),
            _ => self.eval(globals, code, idx, base),
        }
    }

    /// Evaluates a top-level expression.
    fn eval_top(&mut self, globals: &Globals, code: &Code) -> EvalResult {
        self.error = None;
        let r = self.eval(globals, code, code.root(), 0);
        if r.is_err() {
            // Every path that returns `Raw::ERR` records its error first.
            Err(self.error.take().unwrap_or_else(|| {
                Box::new(RuntimeError {
                    message: "internal error: evaluation failed without a message".to_string(),
                    span: Span::default(),
                    source: code.source,
                })
            }))
        } else {
            Ok(r.value())
        }
    }

    fn eval(&mut self, globals: &Globals, code: &Code, idx: u32, base: usize) -> Raw {
        match code.nodes[idx as usize] {
            Node::Const(v) => Raw::from_value(v),
            Node::Param(i) => self.stack[base + i as usize],
            Node::Global { slot, span } => match &globals.bindings[slot as usize] {
                Binding::Value(v) => Raw::from_value(*v),
                Binding::Unbound => self.throw(
                    code,
                    span,
                    Fail::UndefinedVariable(&globals.names[slot as usize]),
                ),
                Binding::Function(_) | Binding::Builtin(_) => self.throw(
                    code,
                    span,
                    Fail::FunctionNotValue(&globals.names[slot as usize]),
                ),
            },
            Node::Unary { op, operand, span } => {
                if self.stack_exhausted() {
                    return self.throw(code, span, Fail::Recursion);
                }
                let v = tri!(self.eval(globals, code, operand, base));
                if let (UnaryOp::Neg, Raw::INT) = (op, v.tag)
                    && let Some(n) = (v.bits as i64).checked_neg()
                {
                    return Raw::int(n);
                }
                self.unary_slow(code, op, v, span)
            }
            Node::Binary { op, lhs, rhs, span } => {
                if self.stack_exhausted() {
                    return self.throw(code, span, Fail::Recursion);
                }
                let a = tri!(self.operand(globals, code, lhs, base));
                let b = tri!(self.operand(globals, code, rhs, base));
                self.binary(code, op, a, b, span)
            }
            Node::ParamOpInt { .. } => self.operand(globals, code, idx, base),
            Node::And { lhs, rhs } => {
                let span = code.spans[idx as usize];
                if self.stack_exhausted() {
                    return self.throw(code, span, Fail::Recursion);
                }
                let a = tri!(self.eval_bool(globals, code, lhs, base, "and"));
                if a.bits == 0 {
                    return a;
                }
                self.eval_bool(globals, code, rhs, base, "and")
            }
            Node::Or { lhs, rhs } => {
                let span = code.spans[idx as usize];
                if self.stack_exhausted() {
                    return self.throw(code, span, Fail::Recursion);
                }
                let a = tri!(self.eval_bool(globals, code, lhs, base, "or"));
                if a.bits != 0 {
                    return a;
                }
                self.eval_bool(globals, code, rhs, base, "or")
            }
            Node::If {
                cond,
                then_branch,
                else_branch,
            } => {
                if self.stack_exhausted() {
                    return self.throw(code, code.spans[idx as usize], Fail::Recursion);
                }
                let c = tri!(self.operand(globals, code, cond, base));
                if c.tag != Raw::BOOL {
                    let t = c.value().type_of();
                    return self.throw(
                        code,
                        code.spans[cond as usize],
                        Fail::Op(OpError::Condition(t)),
                    );
                }
                let branch = if c.bits != 0 {
                    then_branch
                } else {
                    else_branch
                };
                self.operand(globals, code, branch, base)
            }
            Node::IfParamCmp {
                op,
                param,
                k,
                cond,
                then_branch,
                else_branch,
            } => {
                if self.stack_exhausted() {
                    return self.throw(code, code.spans[idx as usize], Fail::Recursion);
                }
                let a = self.stack[base + param as usize];
                let taken = if a.tag == Raw::INT {
                    let x = a.bits as i64;
                    match op {
                        BinaryOp::Lt => x < k,
                        BinaryOp::Le => x <= k,
                        BinaryOp::Gt => x > k,
                        BinaryOp::Ge => x >= k,
                        BinaryOp::Eq => x == k,
                        _ => x != k,
                    }
                } else {
                    // Not an Int: the generic path compares (or reports the
                    // type error) exactly as an unfused `if` would.
                    let c = tri!(self.operand(globals, code, cond, base));
                    c.bits != 0
                };
                let branch = if taken { then_branch } else { else_branch };
                self.operand(globals, code, branch, base)
            }
            Node::Chain { first, steps, len } => {
                self.chain(globals, code, idx, first, steps..steps + len, base)
            }
            Node::Call(site) => self.call(globals, code, base, site),
            Node::CallParam { slot, span } => self.throw(
                code,
                span,
                Fail::NotAFunction(&globals.names[slot as usize]),
            ),
        }
    }

    /// `a op b` for an operator other than `and` and `or`, both operands
    /// evaluated.
    #[inline(always)]
    fn binary(&mut self, code: &Code, op: BinaryOp, a: Raw, b: Raw, span: Span) -> Raw {
        if a.tag == Raw::INT
            && b.tag == Raw::INT
            && let Some(r) = Machine::int_fast(op, a.bits as i64, b.bits as i64)
        {
            return r;
        }
        self.binary_slow(code, op, a, b, span)
    }

    /// Evaluates an operand of `and`/`or`, which must be a Bool.
    #[inline]
    fn eval_bool(
        &mut self,
        globals: &Globals,
        code: &Code,
        idx: u32,
        base: usize,
        op: &'static str,
    ) -> Raw {
        let v = tri!(self.eval(globals, code, idx, base));
        self.expect_bool(code, v, code.spans[idx as usize], op)
    }

    /// `v`, the value of an operand of `op` (`and` or `or`) at `span`, if
    /// it is a Bool; the type error otherwise.
    #[inline(always)]
    fn expect_bool(&mut self, code: &Code, v: Raw, span: Span, op: &'static str) -> Raw {
        if v.tag == Raw::BOOL {
            return v;
        }
        let t = v.value().type_of();
        self.throw(
            code,
            span,
            Fail::Op(OpError::Type {
                op,
                operands: (t, None),
            }),
        )
    }

    /// Evaluates a [`Node::Chain`]: its first operand, then each step in
    /// turn, just as the nested nodes of a short chain evaluate. An `and`
    /// or `or` step checks the value so far as its left operand (reported
    /// at the span of the chain up to the previous step) and skips its
    /// right operand when the value so far decides it.
    #[inline(never)]
    fn chain(
        &mut self,
        globals: &Globals,
        code: &Code,
        idx: u32,
        first: u32,
        steps: std::ops::Range<u32>,
        base: usize,
    ) -> Raw {
        if self.stack_exhausted() {
            return self.throw(code, code.spans[idx as usize], Fail::Recursion);
        }
        let steps = &code.steps[steps.start as usize..steps.end as usize];
        let mut acc = tri!(self.operand(globals, code, first, base));
        let mut lhs_span = code.spans[first as usize];
        for step in steps {
            acc = match step.op {
                BinaryOp::And | BinaryOp::Or => {
                    let (name, decided_by) = match step.op {
                        BinaryOp::And => ("and", 0),
                        _ => ("or", 1),
                    };
                    let a = tri!(self.expect_bool(code, acc, lhs_span, name));
                    if a.bits == decided_by {
                        a
                    } else {
                        tri!(self.eval_bool(globals, code, step.rhs, base, name))
                    }
                }
                op => {
                    let b = tri!(self.operand(globals, code, step.rhs, base));
                    tri!(self.binary(code, op, acc, b, step.span))
                }
            };
            lhs_span = step.span;
        }
        acc
    }

    #[inline(never)]
    fn call(&mut self, globals: &Globals, code: &Code, base: usize, site: CallSite) -> Raw {
        if self.stack_exhausted() {
            return self.throw(code, site.span, Fail::Recursion);
        }
        let slot = site.slot as usize;
        // The callee is resolved before the arguments are evaluated.
        let binding = &globals.bindings[slot];
        match binding {
            Binding::Function(_) | Binding::Builtin(_) => {}
            Binding::Unbound => {
                return self.throw(
                    code,
                    site.callee_span,
                    Fail::UndefinedFunction(&globals.names[slot]),
                );
            }
            Binding::Value(_) => {
                return self.throw(
                    code,
                    site.callee_span,
                    Fail::NotAFunction(&globals.names[slot]),
                );
            }
        }
        let frame = self.stack.len();
        let args = &code.args[site.first_arg as usize..(site.first_arg + site.argc) as usize];
        for &arg in args {
            let v = self.operand(globals, code, arg, base);
            if v.is_err() {
                self.stack.truncate(frame);
                return v;
            }
            self.stack.push(v);
        }
        let result = match binding {
            Binding::Function(f) => {
                if site.argc != f.arity {
                    self.throw(
                        code,
                        site.span,
                        Fail::Arity(
                            &globals.names[slot],
                            Arity::Exactly(f.arity as usize),
                            site.argc as usize,
                        ),
                    )
                } else if self.depth >= self.max_depth {
                    self.throw(code, site.span, Fail::Recursion)
                } else {
                    // The body is evaluated from this frame whether the memo
                    // cache is on or off (see `memo_enter`).
                    self.depth += 1;
                    let r = match self.memo_enter(f, frame) {
                        Enter::Hit(v) => v,
                        Enter::Compute(entered) => {
                            let r = self.eval(globals, &f.code, f.code.root(), frame);
                            if let Some(entered) = entered {
                                self.memo_leave(f, frame, entered, r);
                            }
                            r
                        }
                    };
                    self.depth -= 1;
                    r
                }
            }
            Binding::Builtin(b) => self.call_builtin(code, *b, frame, site.span),
            Binding::Unbound | Binding::Value(_) => self.throw(
                code,
                site.callee_span,
                Fail::NotAFunction(&globals.names[slot]),
            ),
        };
        self.stack.truncate(frame);
        result
    }

    #[inline(never)]
    fn call_builtin(&mut self, code: &Code, b: Builtin, frame: usize, span: Span) -> Raw {
        self.scratch.clear();
        self.scratch
            .extend(self.stack[frame..].iter().map(|r| r.value()));
        match b.call(&self.scratch) {
            Ok(v) => Raw::from_value(v),
            Err(e) => self.throw(code, span, Fail::Op(e)),
        }
    }

    /// Whether the native stack in use here exceeds the guard's budget, and
    /// so evaluation must stop with `recursion limit exceeded`. Records the
    /// deepest point reached, for [`memo_enter`](Self::memo_enter).
    #[inline(always)]
    fn stack_exhausted(&mut self) -> bool {
        let used = self.guard.used();
        if used <= self.native_deepest {
            return false;
        }
        self.native_deepest = used;
        used > self.guard.budget()
    }

    /// Looks a call of `f` with the arguments at `frame` up in the memo
    /// cache, if it is on: its cached result, or what
    /// [`memo_leave`](Self::memo_leave) needs to cache the result once the
    /// caller has computed it.
    ///
    /// Memoisation never changes a result, and that includes where the
    /// native stack guard stops a deep computation:
    ///
    /// 1. [`call`](Self::call) evaluates the body itself whether the cache is
    ///    on or off, and the cache's work happens in calls that return before
    ///    the body runs or after it is done, so every guard check in the body
    ///    sees the same stack in use either way.
    /// 2. A cached result is used only if computing it here would have stayed
    ///    under both the recursion limit and the guard's budget: a result
    ///    remembers how many call levels and how many bytes of native stack
    ///    its computation went below its call (counting, for results it used
    ///    from the cache, what computing those would have taken).
    #[inline(always)]
    fn memo_enter(&mut self, f: &Function, frame: usize) -> Enter {
        if self.memo.is_none() {
            return Enter::Compute(None);
        }
        self.memo_lookup(f, frame)
    }

    /// [`memo_enter`](Self::memo_enter) with the cache on.
    #[inline(never)]
    fn memo_lookup(&mut self, f: &Function, frame: usize) -> Enter {
        let depth = self.depth;
        let here = self.guard.used();
        if let Some(memo) = &mut self.memo
            && let Some(hit) = memo.get(&MemoKey::new(f.id, &self.stack[frame..]))
            && depth + hit.height <= self.max_depth
            && here + hit.native_height <= self.guard.budget()
        {
            let hit = *hit;
            self.deepest = self.deepest.max(depth + hit.height);
            self.native_deepest = self.native_deepest.max(here + hit.native_height);
            return Enter::Hit(Raw::from_value(hit.value));
        }
        let entered = Entered {
            outer_deepest: self.deepest,
            outer_native: self.native_deepest,
            here,
        };
        self.deepest = depth;
        self.native_deepest = here;
        Enter::Compute(Some(entered))
    }

    /// Caches `result`, the value of a call of `f` with the arguments at
    /// `frame` that [`memo_enter`](Self::memo_enter) did not find, unless it
    /// is an error; and adds how deep its computation went to the
    /// computation around it.
    #[inline(never)]
    fn memo_leave(&mut self, f: &Function, frame: usize, entered: Entered, result: Raw) {
        let height = self.deepest - self.depth;
        let native_height = self.native_deepest - entered.here;
        self.deepest = entered.outer_deepest.max(self.deepest);
        self.native_deepest = entered.outer_native.max(self.native_deepest);
        if !result.is_err()
            && let Some(memo) = &mut self.memo
        {
            let args = &self.stack[frame..frame + f.arity as usize];
            let _ = memo.put(
                MemoKey::new(f.id, args),
                Memoised {
                    value: result.value(),
                    height,
                    native_height,
                },
            );
        }
    }
}

/// What [`Machine::memo_enter`] found.
enum Enter {
    /// The cached result of the call.
    Hit(Raw),
    /// The call must be computed; with the cache on, what
    /// [`Machine::memo_leave`] needs afterwards.
    Compute(Option<Entered>),
}

/// The state of the computation around a call being computed with the memo
/// cache on, saved by [`Machine::memo_enter`].
#[derive(Clone, Copy)]
struct Entered {
    outer_deepest: usize,
    outer_native: usize,
    /// The native stack in use at the call, as [`StackGuard::used`] measures
    /// it.
    here: usize,
}

/// The operands of a call node.
#[derive(Clone, Copy, Debug)]
struct CallSite {
    slot: u32,
    first_arg: u32,
    argc: u32,
    span: Span,
    callee_span: Span,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser;
    use arenakit_arena::Arena;
    use proptest::prelude::*;

    /// Runs every statement of `source`, going on after an error, with
    /// chains of more than `chain_min` operators compiled to chain nodes.
    /// Returns one line per statement: its outcome or its error, span
    /// included.
    fn run(source: &str, chain_min: usize) -> String {
        let arena = Arena::new();
        let mut interner = Interner::new();
        let limits = Limits {
            memo_capacity: 0,
            max_depth: 100,
        };
        let mut eval = Evaluator::new(limits, &mut interner);
        eval.chain_min = chain_min;
        let program = match parser::parse(source, &arena, &mut interner) {
            Ok(program) => program,
            Err(errors) => return format!("syntax error: {}", errors[0].message),
        };
        let compiled = eval.compile(program.stmts, &interner);
        compiled
            .into_iter()
            .map(|stmt| format!("{:?}\n", eval.run_owned(stmt)))
            .collect()
    }

    /// The compiled code of the one expression statement of `source`.
    fn code_of(source: &str) -> Code {
        let arena = Arena::new();
        let mut interner = Interner::new();
        let mut eval = Evaluator::new(Limits::default(), &mut interner);
        let program = parser::parse(source, &arena, &mut interner).expect("the source parses");
        let mut compiled = eval.compile(program.stmts, &interner);
        match compiled.pop().map(|stmt| stmt.kind) {
            Some(CompiledKind::Expr(code)) => code,
            other => panic!("not an expression statement: {other:?}"),
        }
    }

    #[test]
    fn only_chains_longer_than_the_threshold_become_chain_nodes() {
        let chain = |ops: usize| format!("1{}", " + 1".repeat(ops));
        let short = code_of(&chain(CHAIN_MIN));
        assert!(matches!(short.nodes.last(), Some(Node::Binary { .. })));
        assert!(short.steps.is_empty());
        let long = code_of(&chain(CHAIN_MIN + 1));
        assert!(matches!(
            long.nodes.last(),
            Some(Node::Chain { len, .. }) if *len as usize == CHAIN_MIN + 1
        ));
        assert_eq!(long.steps.len(), CHAIN_MIN + 1);
        // A chain's right operands may hold chains of their own, compiled
        // first; each chain's steps stay contiguous. Parentheses do not end
        // a chain: `(1 + … + 1) * 2` is one chain, its last step `* 2`.
        let nested = format!("{} + ({}) * 2", chain(CHAIN_MIN + 1), chain(CHAIN_MIN + 3));
        let code = code_of(&nested);
        assert_eq!(code.steps.len(), 2 * CHAIN_MIN + 6);
        assert!(matches!(
            code.nodes.last(),
            Some(Node::Chain { steps, len, .. })
                if *steps as usize == CHAIN_MIN + 4 && *len as usize == CHAIN_MIN + 2
        ));
        assert!(matches!(
            code.steps.last(),
            Some(Step {
                op: BinaryOp::Add,
                ..
            })
        ));
        assert!(matches!(
            code.steps[CHAIN_MIN + 3],
            Step {
                op: BinaryOp::Mul,
                ..
            }
        ));
    }

    /// Chains evaluate to the same values and fail with the same errors,
    /// at the same spans, whether compiled to nested nodes or to a chain.
    #[test]
    fn chain_nodes_evaluate_as_nested_nodes_do() {
        let long = |first: &str, op: &str, term: &str, n: usize| {
            format!("{first}{}", format!(" {op} {term}").repeat(n))
        };
        let cases = [
            long("0", "+", "1", 40),
            long("1", "*", "2", 40),
            long("1", "*", "2", 70),
            long("100", "-", "3", 40) + " // 7 % 5",
            long("1", "/", "2", 30),
            long("1", "+", "2 * 3", 30) + " - 4 // 0",
            long("false", "and", "(1 // 0 == 1)", 30),
            long("true", "or", "(1 // 0 == 1)", 30),
            long("true", "and", "true", 30) + " and 1" + &long("", "and", "true", 30),
            long("false", "or", "false", 30) + " or 1" + &long("", "or", "true", 30),
            long("1", "+", "1", 30) + " and true",
            long("1", "+", "1", 30) + " or true",
            long("1", "+", "1", 30) + " + true" + &long("", "+", "1", 30),
            long("1", "+", "1", 30) + " < 100 and true or false",
            long("x", "-", "1", 30),
            long("0.5", "+", "x", 30) + " == 15.5",
            long("true", "and", "(x > 0)", 30) + " or 1",
            long("(x < 1)", "or", "false", 30) + " and 1",
            long("y", "+", "1", 30),
            long("1", "+", "h(1)", 30),
        ];
        for source in cases {
            let program =
                format!("let x = 0.5\nfn h(y) = y * 2\nfn k(x) = {source}\nk(3)\n{source}");
            let nested = run(&program, usize::MAX);
            assert!(!nested.starts_with("syntax error"), "{program}\n{nested}");
            assert_eq!(run(&program, CHAIN_MIN), nested, "{program}");
            assert_eq!(run(&program, 0), nested, "{program}");
        }
    }

    /// A calc expression built from chains of random operators and
    /// operands, in source form.
    fn expr() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            (-2i64..10).prop_map(|n| n.to_string()),
            Just("0".to_string()),
            Just("2.5".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            Just("x".to_string()),
        ];
        let op = prop::sample::select(vec![
            "+", "-", "*", "/", "//", "%", "and", "or", "+", "-", "and", "or",
        ]);
        let cmp = prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]);
        leaf.prop_recursive(3, 96, 40, move |inner| {
            prop_oneof![
                4 => (inner.clone(), prop::collection::vec((op.clone(), inner.clone()), 0..40))
                    .prop_map(|(first, rest)| {
                        let rest: String =
                            rest.iter().map(|(op, e)| format!(" {op} {e}")).collect();
                        format!("({first}{rest})")
                    }),
                1 => (inner.clone(), cmp.clone(), inner.clone())
                    .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
                1 => (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(c, a, b)| format!("(if {c} then {a} else {b})")),
                1 => inner.clone().prop_map(|a| format!("(not {a})")),
                1 => inner.clone().prop_map(|a| format!("(- {a})")),
                1 => inner.prop_map(|a| format!("h({a})")),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn random_chains_evaluate_as_nested_nodes_do(e in expr()) {
            let program = format!("let x = 4\nfn h(y) = y * 2\nfn k(x) = {e}\nk(3)\nk(0.5)\nk(false)\n{e}");
            let nested = run(&program, usize::MAX);
            prop_assert!(!nested.starts_with("syntax error"), "{}\n{}", program, nested);
            prop_assert_eq!(run(&program, CHAIN_MIN), nested.clone(), "{}", program);
            prop_assert_eq!(run(&program, 0), nested, "{}", program);
        }
    }
}
