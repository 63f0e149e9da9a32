//! A calc session: the interner, a scratch arena for syntax trees, and the
//! evaluator with its global bindings and memo cache.
//!
//! [`Session::run`] parses a whole source text into the arena, compiles every
//! statement, releases the arena, then runs the statements in order. Because
//! compiled code is owned by the evaluator, what a source parses into is
//! released as soon as it is compiled, and definitions live on: the arena's
//! footprint does not grow with the number of lines a REPL evaluates.

use crate::ast::Stmt;
use crate::diag::Diagnostic;
use crate::eval::{Evaluator, Limits, Outcome, RuntimeError, SourceId};
use crate::{diag, parser, stack};
use arenakit_arena::{Arena, ArenaStats};
use arenakit_intern::{Interner, MemoryUsage};
use std::io::Write;

/// Why a run stopped.
///
/// ```
/// use arenakit_calc::eval::Limits;
/// use arenakit_calc::session::{Echo, Failure, Session};
///
/// let mut session = Session::new(Limits::default());
/// let mut out = Vec::new();
/// let syntax = session.run("<doc>", "1 +\n2 $ 3", Echo::Quiet, &mut out).unwrap_err();
/// assert!(matches!(&syntax, Failure::Syntax(errors) if errors.len() == 2));
/// let runtime = session.run("<doc>", "1\n1 / 0\n3", Echo::Quiet, &mut out).unwrap_err();
/// assert!(matches!(&runtime, Failure::Runtime(e) if e.message == "division by zero"));
/// // The statement before the error ran; the one after it did not.
/// assert_eq!(out, b"1\n");
/// ```
#[derive(Debug)]
pub enum Failure {
    /// Lexical or syntax errors, all of them; nothing was evaluated.
    Syntax(Vec<Diagnostic>),
    /// The first runtime error; the statements before it ran.
    Runtime(RuntimeError),
    /// Writing a value to the output failed.
    Output(std::io::Error),
}

/// How a run reports `let` and `fn` statements.
///
/// ```
/// use arenakit_calc::eval::Limits;
/// use arenakit_calc::session::{Echo, Session};
///
/// let mut session = Session::new(Limits::default());
/// let mut out = Vec::new();
/// session.run("<doc>", "let x = 5", Echo::Quiet, &mut out).unwrap();
/// session.run("<doc>", "fn f(a, b) = a\nlet y = x", Echo::Definitions, &mut out).unwrap();
/// assert_eq!(out, b"fn f(a, b)\ny = 5\n");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Echo {
    /// Print nothing for definitions (programs).
    #[default]
    Quiet,
    /// Print `x = 5` for `let` and `fn f(a, b)` for `fn` (the REPL).
    Definitions,
}

/// A source text that compiled code still points into.
#[derive(Debug)]
struct StoredSource {
    name: String,
    text: String,
}

/// Memory and cache statistics of a session, for `--stats`.
///
/// ```
/// use arenakit_calc::eval::Limits;
/// use arenakit_calc::session::{Echo, Session};
///
/// let mut session = Session::new(Limits::default());
/// session.run("<doc>", "fn sq(x) = x * x\nsq(3)", Echo::Quiet, &mut Vec::new()).unwrap();
/// let stats = session.stats();
/// // The tree was released once compiled, but the source of `sq` is kept for errors.
/// assert!(stats.arena_after_parse.allocated_bytes > 0);
/// assert_eq!(stats.arena_now.allocated_bytes, 0);
/// assert_eq!(stats.kept_sources, 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionStats {
    /// The scratch arena right after the most recent parse (its peak).
    pub arena_after_parse: ArenaStats,
    /// The scratch arena now (after its reset).
    pub arena_now: ArenaStats,
    /// Distinct identifiers interned.
    pub symbols: usize,
    /// The interner's memory.
    pub interner: MemoryUsage,
    /// Memo-cache counters and global slots.
    pub eval: crate::eval::EvalStats,
    /// Source texts kept because a bound function was defined in them.
    pub kept_sources: usize,
}

/// A session: parse, compile and run calc source, keeping definitions.
///
/// ```
/// use arenakit_calc::session::{Echo, Session};
/// use arenakit_calc::eval::Limits;
///
/// let mut session = Session::new(Limits::default());
/// let mut out = Vec::new();
/// session.run("<doc>", "fn sq(x) = x * x\nsq(1.5)", Echo::Quiet, &mut out).unwrap();
/// assert_eq!(out, b"2.25\n");
///
/// // Definitions live on between runs; errors are rendered with the source.
/// out.clear();
/// let failure = session.run("<doc>", "sq(4)\nsq(true)", Echo::Quiet, &mut out).unwrap_err();
/// assert_eq!(out, b"16\n");
/// let text = session.render(&failure, "<doc>", "sq(4)\nsq(true)", false);
/// assert!(text.starts_with("error: type error: cannot apply '*' to bool and bool"));
/// ```
pub struct Session {
    interner: Interner,
    arena: Arena,
    eval: Evaluator,
    /// Sources of function definitions, by [`SourceId`]; `None` once no
    /// bound function comes from it.
    sources: Vec<Option<StoredSource>>,
    arena_after_parse: ArenaStats,
    line: String,
    max_depth: usize,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("symbols", &self.interner.len())
            .field("sources", &self.sources.len())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A new session with the builtins bound.
    ///
    /// ```
    /// use arenakit_calc::eval::Limits;
    /// use arenakit_calc::session::{Echo, Session};
    ///
    /// let mut session = Session::new(Limits { memo_capacity: 0, ..Limits::default() });
    /// assert_eq!(session.stats().eval.memo_capacity, 0);
    /// let mut out = Vec::new();
    /// session.run("<doc>", "max(abs(-3), sqrt(4))", Echo::Quiet, &mut out).unwrap();
    /// assert_eq!(out, b"3\n");
    /// ```
    pub fn new(limits: Limits) -> Session {
        let mut interner = Interner::new();
        let eval = Evaluator::new(limits, &mut interner);
        Session {
            interner,
            arena: Arena::new(),
            eval,
            sources: Vec::new(),
            arena_after_parse: ArenaStats::default(),
            line: String::new(),
            max_depth: limits.max_depth,
        }
    }

    /// Parses `source` whole, then runs its statements in order, writing each
    /// expression statement's value on its own line to `out`.
    ///
    /// `name` is the file name errors will be rendered with (see
    /// [`Session::render`]).
    ///
    /// Parsing and evaluation recurse on the native stack, so this runs on
    /// the current thread only if it was started by
    /// [`run_with_stack`](crate::stack::run_with_stack) (as the command line
    /// and the REPL are); otherwise it runs on a new thread with a stack
    /// sized from the recursion limit, so deep input never overflows.
    ///
    /// # Errors
    ///
    /// Returns [`Failure::Syntax`] with every lexical and syntax error (as
    /// [`parser::parse`] reports them) if `source` does not parse; nothing
    /// runs then. Otherwise it stops at the first statement that fails: with
    /// [`Failure::Runtime`] if it raises a runtime error, or with
    /// [`Failure::Output`] if writing its line to `out` fails. The statements
    /// before it have run, and their lines were written.
    ///
    /// ```
    /// use arenakit_calc::eval::Limits;
    /// use arenakit_calc::session::{Echo, Session};
    ///
    /// let mut session = Session::new(Limits::default());
    /// let source = "fn down(n) = if n == 0 then 0 else down(n - 1)\ndown(5000)";
    /// let mut out = Vec::new();
    /// // Deep recursion is fine here: the run gets a thread with a large enough stack.
    /// session.run("deep.calc", source, Echo::Quiet, &mut out).unwrap();
    /// assert_eq!(out, b"0\n");
    /// ```
    pub fn run(
        &mut self,
        name: &str,
        source: &str,
        echo: Echo,
        out: &mut (dyn Write + Send),
    ) -> Result<(), Failure> {
        if stack::on_large_stack() {
            self.run_here(name, source, echo, out)
        } else {
            let size = stack::stack_size_for(self.max_depth);
            stack::run_with_stack(size, || self.run_here(name, source, echo, out))
        }
    }

    fn run_here(
        &mut self,
        name: &str,
        source: &str,
        echo: Echo,
        out: &mut (dyn Write + Send),
    ) -> Result<(), Failure> {
        self.drop_dead_sources();
        let globals_before = self.eval.global_count();
        let mut defines = false;
        let result = self.parse_and_run(name, source, echo, out, &mut defines);
        if !defines {
            // Nothing bound a name, so the names this program saw first are
            // bound to nothing and used by no function: forget them, so
            // that a prompt's memory does not grow with its expression
            // lines.
            self.eval.forget_globals_from(globals_before);
        }
        self.compact_interner();
        result
    }

    /// Replaces the interner with one holding only the global names once it
    /// holds twice as many strings as there are globals, so that names
    /// forgotten by [`run_here`](Self::run_here) (or seen only in a program
    /// with syntax errors) are released. Rebuilding costs time in
    /// proportion to the globals, so this doubling keeps it constant per
    /// line on average.
    fn compact_interner(&mut self) {
        let live = self.eval.global_count();
        if self.interner.len() >= 2 * live + 64 {
            let mut interner = Interner::with_capacity(live);
            self.eval.reintern_globals(&mut interner);
            self.interner = interner;
        }
    }

    /// [`run_here`](Self::run_here) itself: `defines` is set once the
    /// program is known to hold a `let` or a `fn`.
    fn parse_and_run(
        &mut self,
        name: &str,
        source: &str,
        echo: Echo,
        out: &mut (dyn Write + Send),
        defines: &mut bool,
    ) -> Result<(), Failure> {
        let compiled = {
            let program = match parser::parse(source, &self.arena, &mut self.interner) {
                Ok(p) => p,
                Err(diags) => {
                    self.arena_after_parse = self.arena.stats();
                    self.arena.reset();
                    return Err(Failure::Syntax(diags));
                }
            };
            self.arena_after_parse = self.arena.stats();
            *defines = program
                .stmts
                .iter()
                .any(|s| matches!(s, Stmt::Let { .. } | Stmt::Fn { .. }));
            let defines_functions = program.stmts.iter().any(|s| matches!(s, Stmt::Fn { .. }));
            let source_id = if defines_functions {
                let stored = Some(StoredSource {
                    name: name.to_string(),
                    text: source.to_string(),
                });
                match self.sources.iter().position(Option::is_none) {
                    Some(free) => {
                        self.sources[free] = stored;
                        SourceId(free as u32)
                    }
                    None => {
                        self.sources.push(stored);
                        SourceId((self.sources.len() - 1) as u32)
                    }
                }
            } else {
                SourceId::CURRENT
            };
            self.eval.set_source(source_id);
            self.eval.compile(program.stmts, &self.interner)
        };
        // The tree is compiled: release it before anything runs.
        self.arena.reset();
        for stmt in compiled {
            let outcome = self
                .eval
                .run_owned(stmt)
                .map_err(|e| Failure::Runtime(*e))?;
            self.line.clear();
            match outcome {
                Outcome::Value(v) => v.write_to(&mut self.line),
                Outcome::Let { name, value } if echo == Echo::Definitions => {
                    self.line.push_str(&name);
                    self.line.push_str(" = ");
                    value.write_to(&mut self.line);
                }
                Outcome::Fn { name, params } if echo == Echo::Definitions => {
                    self.line.push_str("fn ");
                    self.line.push_str(&name);
                    self.line.push('(');
                    self.line.push_str(&params.join(", "));
                    self.line.push(')');
                }
                Outcome::Let { .. } | Outcome::Fn { .. } => continue,
            }
            self.line.push('\n');
            out.write_all(self.line.as_bytes())
                .map_err(Failure::Output)?;
        }
        Ok(())
    }

    /// Forgets the source texts no bound function points into any more (the
    /// previous run's errors have been rendered by now), so a REPL's memory
    /// follows its live definitions, not every definition ever typed.
    fn drop_dead_sources(&mut self) {
        let mut live = vec![false; self.sources.len()];
        self.eval.for_each_live_source(|id| {
            if let Some(flag) = live.get_mut(id.0 as usize) {
                *flag = true;
            }
        });
        for (slot, live) in self.sources.iter_mut().zip(live) {
            if !live {
                *slot = None;
            }
        }
    }

    /// Evaluates one REPL entry: like [`Session::run`] with definitions echoed
    /// and the file name `<input>`.
    ///
    /// # Errors
    ///
    /// Fails as [`Session::run`] does.
    ///
    /// ```
    /// use arenakit_calc::eval::Limits;
    /// use arenakit_calc::session::Session;
    ///
    /// let mut session = Session::new(Limits::default());
    /// let mut out = Vec::new();
    /// session.eval_line("let x = 6", &mut out).unwrap();
    /// session.eval_line("x * 7", &mut out).unwrap();
    /// assert_eq!(out, b"x = 6\n42\n");
    /// ```
    pub fn eval_line(&mut self, line: &str, out: &mut (dyn Write + Send)) -> Result<(), Failure> {
        self.run(REPL_NAME, line, Echo::Definitions, out)
    }

    /// Parses `source` and returns its syntax tree as text (`--ast`). Nothing
    /// is evaluated.
    ///
    /// # Errors
    ///
    /// Returns [`Failure::Syntax`] with every lexical and syntax error (as
    /// [`parser::parse`] reports them) if `source` does not parse.
    ///
    /// ```
    /// use arenakit_calc::eval::Limits;
    /// use arenakit_calc::session::Session;
    ///
    /// let mut session = Session::new(Limits::default());
    /// // The division by zero is never evaluated.
    /// assert_eq!(session.dump_ast("let x = 1 + 2 / 0").unwrap(), "(let x (+ 1 (/ 2 0)))\n");
    /// assert!(session.dump_ast("1 +").is_err());
    /// ```
    pub fn dump_ast(&mut self, source: &str) -> Result<String, Failure> {
        if stack::on_large_stack() {
            self.dump_ast_here(source)
        } else {
            let size = stack::stack_size_for(self.max_depth);
            stack::run_with_stack(size, || self.dump_ast_here(source))
        }
    }

    fn dump_ast_here(&mut self, source: &str) -> Result<String, Failure> {
        let result = match parser::parse(source, &self.arena, &mut self.interner) {
            Ok(program) => Ok(crate::print::dump_program(&program, &self.interner)),
            Err(diags) => Err(Failure::Syntax(diags)),
        };
        self.arena_after_parse = self.arena.stats();
        self.arena.reset();
        self.compact_interner();
        result
    }

    /// Renders a failure: every diagnostic as `error: <message>` with the
    /// file name, line, column and the source line underlined. `name` and
    /// `source` are those of the run that failed; an error inside a function
    /// defined by an earlier run is shown in that run's source.
    ///
    /// ```
    /// use arenakit_calc::eval::Limits;
    /// use arenakit_calc::session::{Echo, Session};
    ///
    /// let mut session = Session::new(Limits::default());
    /// let mut out = Vec::new();
    /// let lib = "# Reciprocals.\nfn inv(x) = 1 / x";
    /// session.run("lib.calc", lib, Echo::Quiet, &mut out).unwrap();
    /// let failure = session.run("main.calc", "inv(0)", Echo::Quiet, &mut out).unwrap_err();
    /// let text = session.render(&failure, "main.calc", "inv(0)", false);
    /// assert!(text.starts_with("error: division by zero\n"));
    /// // The error is shown where `inv` was defined.
    /// assert!(text.contains("lib.calc:2:13"));
    /// ```
    pub fn render(&self, failure: &Failure, name: &str, source: &str, color: bool) -> String {
        match failure {
            Failure::Syntax(diags) => diags
                .iter()
                .map(|d| d.render(name, source, color))
                .collect(),
            Failure::Runtime(e) => {
                let diag =
                    Diagnostic::new(diag::DiagnosticKind::Runtime, e.message.clone(), e.span);
                match self
                    .sources
                    .get(e.source.0 as usize)
                    .and_then(Option::as_ref)
                {
                    Some(stored) => diag.render(&stored.name, &stored.text, color),
                    None => diag.render(name, source, color),
                }
            }
            Failure::Output(e) => format!("error: cannot write output: {e}\n"),
        }
    }

    /// The scratch arena syntax trees are parsed into (empty between runs).
    ///
    /// ```
    /// use arenakit_calc::eval::Limits;
    /// use arenakit_calc::session::{Echo, Session};
    ///
    /// let mut session = Session::new(Limits::default());
    /// session.run("<doc>", "let x = (1 + 2) * 3", Echo::Quiet, &mut Vec::new()).unwrap();
    /// assert_eq!(session.arena().stats().allocated_bytes, 0);
    /// ```
    pub fn arena(&self) -> &Arena {
        &self.arena
    }

    /// The interner. It holds the global names and the names seen since it
    /// was last compacted: a run that leaves it holding many more strings
    /// than there are globals replaces it with a fresh one, so a symbol
    /// from it is only meaningful until the next run.
    ///
    /// ```
    /// use arenakit_calc::eval::Limits;
    /// use arenakit_calc::session::{Echo, Session};
    ///
    /// let mut session = Session::new(Limits::default());
    /// session.run("<doc>", "let answer = 42", Echo::Quiet, &mut Vec::new()).unwrap();
    /// assert!(session.interner().contains("answer"));
    /// assert!(session.interner().contains("sqrt"));
    /// ```
    pub fn interner(&self) -> &Interner {
        &self.interner
    }

    /// Memory and cache statistics.
    ///
    /// ```
    /// use arenakit_calc::eval::Limits;
    /// use arenakit_calc::session::{Echo, Session};
    ///
    /// let mut session = Session::new(Limits::default());
    /// let source = "fn sq(x) = x * x\nsq(3)\nsq(3)";
    /// session.run("<doc>", source, Echo::Quiet, &mut Vec::new()).unwrap();
    /// // The second `sq(3)` was found in the memo cache.
    /// let stats = session.stats();
    /// assert_eq!((stats.eval.memo.misses, stats.eval.memo.hits), (1, 1));
    /// ```
    pub fn stats(&self) -> SessionStats {
        SessionStats {
            arena_after_parse: self.arena_after_parse,
            arena_now: self.arena.stats(),
            symbols: self.interner.len(),
            interner: self.interner.memory_usage(),
            eval: self.eval.stats(),
            kept_sources: self.sources.iter().filter(|s| s.is_some()).count(),
        }
    }

    /// Formats [`Session::stats`] as the lines `--stats` prints.
    ///
    /// ```
    /// use arenakit_calc::eval::Limits;
    /// use arenakit_calc::session::Session;
    ///
    /// let report = Session::new(Limits::default()).stats_report();
    /// assert_eq!(report.lines().count(), 4);
    /// assert!(report.lines().all(|line| line.starts_with("stats: ")));
    /// assert!(report.contains("memo: capacity 10000, 0 entries"));
    /// ```
    pub fn stats_report(&self) -> String {
        let s = self.stats();
        let m = s.eval.memo;
        format!(
            "stats: arena: {} bytes allocated by the last parse, {} bytes reserved in {} chunk(s)\n\
             stats: interner: {} symbols, {} string bytes, {} table bytes\n\
             stats: memo: capacity {}, {} entries, {} hits, {} misses, {} insertions, {} evictions\n\
             stats: globals: {} slots\n",
            s.arena_after_parse.allocated_bytes,
            s.arena_now.reserved_bytes,
            s.arena_now.chunk_count,
            s.symbols,
            s.interner.string_bytes,
            s.interner.table_bytes(),
            s.eval.memo_capacity,
            s.eval.memo_len,
            m.hits,
            m.misses,
            m.insertions,
            m.evictions,
            s.eval.globals,
        )
    }
}

/// The file name REPL entries are reported under.
///
/// ```
/// use arenakit_calc::eval::Limits;
/// use arenakit_calc::session::{REPL_NAME, Session};
///
/// let mut session = Session::new(Limits::default());
/// let failure = session.eval_line("1 / 0", &mut Vec::new()).unwrap_err();
/// assert!(session.render(&failure, REPL_NAME, "1 / 0", false).contains("<input>:1:1"));
/// ```
pub const REPL_NAME: &str = "<input>";
