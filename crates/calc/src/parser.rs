//! The calc parser: hand-written Pratt (precedence-climbing) parsing over the
//! [`Lexer`]'s tokens, building nodes through a [`TreeBuilder`].
//!
//! The grammar and every choice the specification leaves open are written
//! down in `grammar/calc.ebnf` and `grammar/NOTES.md`. In short:
//!
//! | level | operators | associativity |
//! |---|---|---|
//! | 1 | `or` | left |
//! | 2 | `and` | left |
//! | 3 | `not` (prefix) | — |
//! | 4 | `== != < <= > >=` | none: a chain is an error |
//! | 5 | `+ -` | left |
//! | 6 | `* / // %` | left |
//! | 7 | `-` `+` (prefix) | — |
//! | 8 | `**` | right; its right operand may be a prefix `-`/`+` |
//!
//! `if … then … else …` is a primary whose branches are whole expressions, so
//! its `else` branch extends as far right as it can.
//!
//! **Errors.** The parser reads the whole program. At a syntax error it
//! records one diagnostic, skips to the next statement separator (a newline
//! outside parentheses, or `;` outside parentheses) and carries on, so every
//! statement gets at most one syntax error. An invalid token never causes a
//! syntax error of its own: the parser stops at it silently, because the
//! lexer's diagnostic already says what is wrong.
//!
//! **Depth.** Three limits, all reported as `nesting too deep`, keep the
//! parser and everything that later walks the tree off the native stack's
//! edge: the number of nested constructs being parsed at once (each
//! expression, prefix operator, call, `if` and `**` exponent counts one, so
//! a parenthesis costs one level) and the height of every subtree built are
//! both at most [`MAX_NESTING`]; and the native stack the parser uses is at
//! most [`STACK_BUDGET`], so that it cannot overflow even a thread with the
//! default 2 MiB of stack. Finished operands wait on an explicit stack
//! rather than in return values, so each recursive frame holds only a few
//! scalars.
//!
//! **Chains are not nesting.** A left-associative chain such as
//! `1 + 1 + … + 1` or `a and b and …` is built by a loop, and its tree is
//! as deep as the chain is long; but every walk of the tree follows a chain
//! of left operands with a loop too. The compiler, the `--ast` printer and
//! `==` on [`Expr`](crate::ast::Expr) use no recursion at all, and the
//! evaluator runs a chain of more than 16 operators as one loop, recursing
//! only into right operands (a shorter chain keeps a node, and a native
//! frame, per operator). So the height the parser bounds is the recursion a
//! walk needs: a binary node is one level above its right operand but level
//! with its left one, and a chain of any length is accepted. A tree built
//! by another [`TreeBuilder`] has the same shape, so code that walks it
//! recursively, or drops nodes that own their children, must treat left
//! operands the same way.

use crate::ast::{BinaryOp, Param, Program, Span, UnaryOp};
use crate::builder::{ArenaBuilder, TreeBuilder};
use crate::diag::{Diagnostic, DiagnosticKind};
use crate::lexer::{Lexeme, Lexer, Token, TokenSource, Tokens};
use arenakit_arena::Arena;
use arenakit_intern::{Interner, Symbol};

/// The deepest nesting the parser accepts, and the greatest height of a tree
/// it builds.
///
/// One level of parentheses, a prefix operator, an `if` or a binary
/// operator's right operand each take about one level, so 1,000 levels of
/// any mix of them are far inside the limit. A binary operator's left
/// operand takes none, so a chain such as `1 + 1 + … + 1` is not limited
/// at all (see the module documentation). [`STACK_BUDGET`] may cut nesting
/// off earlier (at a few thousand levels, depending on the build).
/// Evaluating a tree 10,000 levels high needs a few MiB of native stack, so
/// the `calc` command line runs its pipeline on a thread with a large stack.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::parser::{parse, MAX_NESTING};
/// use arenakit_intern::Interner;
///
/// let (arena, mut interner) = (Arena::new(), Interner::new());
/// let n = MAX_NESTING as usize;
/// // A chain of operators is not nesting, however long it is.
/// let chain = "1 + ".repeat(2 * n) + "1";
/// assert!(parse(&chain, &arena, &mut interner).is_ok());
/// // Parentheses are nesting, so this many of them are refused.
/// let deep = "(".repeat(n) + "1" + &")".repeat(n);
/// let errors = parse(&deep, &arena, &mut interner).unwrap_err();
/// assert_eq!(errors[0].message, "nesting too deep");
/// ```
pub const MAX_NESTING: u32 = 10_000;

/// The most native stack the parser lets itself use, in bytes.
///
/// Deeper input is refused with `nesting too deep` even below
/// [`MAX_NESTING`], so that parsing cannot overflow the stack of a thread
/// with Rust's default 2 MiB, whatever the build. A level costs a few
/// hundred bytes in an optimised build and about twice that in a debug
/// build, so this allows several thousand levels — and always 1,000.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::parser::{parse, STACK_BUDGET};
/// use arenakit_intern::Interner;
///
/// // On a thread with the budget and 512 KiB to spare, deep input is
/// // refused with an error instead of overflowing the stack.
/// let thread = std::thread::Builder::new().stack_size(STACK_BUDGET + (512 << 10));
/// let deep = "(".repeat(100_000) + "1" + &")".repeat(100_000);
/// let parsing = thread.spawn(move || {
///     let errors = parse(&deep, &Arena::new(), &mut Interner::new()).unwrap_err();
///     errors[0].message.clone()
/// });
/// assert_eq!(parsing.unwrap().join().unwrap(), "nesting too deep");
/// ```
pub const STACK_BUDGET: usize = 3 << 19;

/// The address of a fresh local variable: where the native stack is now.
/// Only differences between two positions are used, and the direction in
/// which the stack grows does not matter.
#[inline(always)]
fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker as *const u8).addr()
}

/// The most diagnostics one parse reports. Past this many the parser stops
/// with a last error saying so: nobody reads further, and rendering each
/// diagnostic costs time proportional to its offset in the source.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::parser::{parse, MAX_ERRORS};
/// use arenakit_intern::Interner;
///
/// let source = "1 +\n".repeat(2 * MAX_ERRORS);
/// let errors = parse(&source, &Arena::new(), &mut Interner::new()).unwrap_err();
/// // One more error says that parsing stopped.
/// assert_eq!(errors.len(), MAX_ERRORS + 1);
/// assert_eq!(errors[MAX_ERRORS].message, "too many errors; stopping after 1000");
/// ```
pub const MAX_ERRORS: usize = 1_000;

/// Parses a whole program into `arena`, interning identifiers in `interner`.
///
/// # Errors
///
/// Returns every lexical and syntax error, in source order, when there is
/// any: at most [`MAX_ERRORS`], then one saying so. A source of 4 GiB or more
/// is refused with the single error [`TOO_LARGE`](crate::lexer::TOO_LARGE),
/// because spans are `u32` offsets. On error no program is returned, but
/// the nodes of the statements that did parse stay in `arena` until it is
/// reset or dropped.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::parser::parse;
/// use arenakit_calc::print::dump_program;
/// use arenakit_intern::Interner;
///
/// let arena = Arena::new();
/// let mut interner = Interner::new();
/// let program = parse("let x = 1 + 2 * 3\n-x ** 2", &arena, &mut interner).unwrap();
/// assert_eq!(
///     dump_program(&program, &interner),
///     "(let x (+ 1 (* 2 3)))\n(- (** x 2))\n"
/// );
///
/// let errors = parse("1 +\n2 < 3 < 4", &arena, &mut interner).unwrap_err();
/// assert_eq!(errors.len(), 2);
/// assert_eq!(errors[0].message, "expected an expression, found a newline");
/// assert_eq!(errors[1].message, "comparison operators cannot be chained");
/// ```
pub fn parse<'a>(
    source: &str,
    arena: &'a Arena,
    interner: &mut Interner,
) -> Result<Program<'a>, Vec<Diagnostic>> {
    let mut builder = ArenaBuilder::new(arena);
    let stmts = parse_with(source, &mut builder, interner)?;
    Ok(Program {
        stmts: arena.alloc_slice_copy(&stmts),
    })
}

/// Parses a whole program, building its nodes with `builder`.
///
/// This is [`parse`] for any tree representation; see [`TreeBuilder`].
///
/// # Errors
///
/// Returns the same errors as [`parse`], for the same reasons.
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::builder::ArenaBuilder;
/// use arenakit_calc::parser::parse_with;
/// use arenakit_intern::Interner;
///
/// let arena = Arena::new();
/// let stmts = parse_with("1; 2", &mut ArenaBuilder::new(&arena), &mut Interner::new());
/// assert_eq!(stmts.unwrap().len(), 2);
/// ```
pub fn parse_with<B: TreeBuilder>(
    source: &str,
    builder: &mut B,
    interner: &mut Interner,
) -> Result<Vec<B::Stmt>, Vec<Diagnostic>> {
    if u32::try_from(source.len()).is_err() {
        return Err(vec![crate::lexer::too_large()]);
    }
    run(Lexer::new(source), builder, interner)
}

/// Parses a program lexed in advance, building its nodes with `builder`.
///
/// This is [`parse_with`] minus the lexing, for a caller that parses the
/// same tokens more than once (the benchmarks compare tree representations
/// this way).
///
/// # Errors
///
/// Returns every lexical error recorded in `tokens` and every syntax error,
/// in source order, when there is any. Syntax errors stop once the errors
/// number [`MAX_ERRORS`], with one more saying so, but the lexical errors of
/// `tokens` are all returned, even past that many. For tokens lexed from a
/// source of 4 GiB or more, the error is just
/// [`TOO_LARGE`](crate::lexer::TOO_LARGE).
///
/// ```
/// use arenakit_arena::Arena;
/// use arenakit_calc::builder::ArenaBuilder;
/// use arenakit_calc::lexer::Tokens;
/// use arenakit_calc::parser::parse_tokens_with;
/// use arenakit_intern::Interner;
///
/// let mut interner = Interner::new();
/// let tokens = Tokens::lex("let x = 2\nx * x", &mut interner);
/// let arena = Arena::new();
/// let stmts = parse_tokens_with(&tokens, &mut ArenaBuilder::new(&arena), &mut interner);
/// assert_eq!(stmts.unwrap().len(), 2);
/// let errors = parse_tokens_with(&Tokens::lex("1 +", &mut interner), &mut ArenaBuilder::new(&arena), &mut interner);
/// assert_eq!(errors.unwrap_err()[0].message, "expected an expression, found end of input");
/// ```
pub fn parse_tokens_with<B: TreeBuilder>(
    tokens: &Tokens,
    builder: &mut B,
    interner: &mut Interner,
) -> Result<Vec<B::Stmt>, Vec<Diagnostic>> {
    run(tokens.reader(), builder, interner)
}

/// Parses the program that `tokens` yields.
fn run<S: TokenSource, B: TreeBuilder>(
    tokens: S,
    builder: &mut B,
    interner: &mut Interner,
) -> Result<Vec<B::Stmt>, Vec<Diagnostic>> {
    let mut parser = Parser::new(tokens, builder, interner);
    let stmts = parser.program();
    let mut errors = parser.lexer.take_errors();
    if errors.is_empty() && parser.errors.is_empty() {
        return Ok(stmts);
    }
    errors.append(&mut parser.errors);
    // Lexical errors come first at equal offsets (the sort is stable).
    errors.sort_by_key(|error| error.span.start);
    Err(errors)
}

/// Binding strength of the infix levels (higher binds tighter).
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
const ADD: u8 = 5;
const MUL: u8 = 6;

/// The infix operator a token stands for, with its level. `**` is not here:
/// it binds tighter than prefix operators and is parsed by `power`.
fn infix(token: Token) -> Option<(BinaryOp, u8)> {
    Some(match token {
        Token::Or => (BinaryOp::Or, OR),
        Token::And => (BinaryOp::And, AND),
        Token::EqEq => (BinaryOp::Eq, CMP),
        Token::NotEq => (BinaryOp::Ne, CMP),
        Token::Lt => (BinaryOp::Lt, CMP),
        Token::Le => (BinaryOp::Le, CMP),
        Token::Gt => (BinaryOp::Gt, CMP),
        Token::Ge => (BinaryOp::Ge, CMP),
        Token::Plus => (BinaryOp::Add, ADD),
        Token::Minus => (BinaryOp::Sub, ADD),
        Token::Star => (BinaryOp::Mul, MUL),
        Token::Slash => (BinaryOp::Div, MUL),
        Token::SlashSlash => (BinaryOp::FloorDiv, MUL),
        Token::Percent => (BinaryOp::Rem, MUL),
        _ => return None,
    })
}

/// An expression being built: the builder's node, the span it covers
/// (including any parentheses around it) and the height of its tree (see
/// [`MAX_NESTING`]), which the parser tracks without storing it in the node.
struct Node<E> {
    expr: E,
    span: Span,
    height: u32,
}

/// A syntax error has been recorded; unwind to the statement loop, which
/// skips to the next statement.
struct Recover;

type PResult<T> = Result<T, Recover>;

/// The parser's state while it reads one program.
struct Parser<'i, 'b, S: TokenSource, B: TreeBuilder> {
    /// Where the tokens come from.
    lexer: S,
    interner: &'i mut Interner,
    builder: &'b mut B,
    /// The current (not yet consumed) token.
    tok: Lexeme,
    /// The parentheses opened and not yet closed; newlines are skipped while
    /// there is any.
    open_parens: Vec<Span>,
    /// The constructs being parsed at the moment (see [`MAX_NESTING`]).
    nesting: u32,
    /// The syntax errors, one per statement at most.
    errors: Vec<Diagnostic>,
    /// The operand stack: finished nodes waiting for their parent.
    values: Vec<Node<B::Expr>>,
    /// A function's parameters being collected.
    params: Vec<Param>,
    /// Set once [`MAX_ERRORS`] is reached: parsing stops.
    stopped: bool,
    /// Where the native stack was when parsing began.
    stack_base: usize,
}

impl<'i, 'b, S: TokenSource, B: TreeBuilder> Parser<'i, 'b, S, B> {
    fn new(mut lexer: S, builder: &'b mut B, interner: &'i mut Interner) -> Self {
        let tok = lexer.next_token(interner);
        Parser {
            lexer,
            interner,
            builder,
            tok,
            open_parens: Vec::new(),
            nesting: 0,
            errors: Vec::new(),
            values: Vec::new(),
            params: Vec::new(),
            stopped: false,
            stack_base: stack_position(),
        }
    }

    // ----- tokens -----

    /// Consumes the current token; inside parentheses, newlines are skipped.
    fn bump(&mut self) {
        match self.tok.token {
            Token::LParen => self.open_parens.push(self.tok.span),
            Token::RParen => {
                self.open_parens.pop();
            }
            _ => {}
        }
        self.tok = self.lexer.next_token(self.interner);
        while self.tok.token == Token::Newline && !self.open_parens.is_empty() {
            self.tok = self.lexer.next_token(self.interner);
        }
    }

    /// Consumes `token` and returns its span, or reports `expected`.
    fn expect(&mut self, token: Token, expected: &str) -> PResult<Span> {
        if self.tok.token == token {
            let span = self.tok.span;
            self.bump();
            Ok(span)
        } else {
            Err(self.unexpected(expected))
        }
    }

    /// Consumes an identifier, or reports `expected`.
    fn expect_ident(&mut self, expected: &str) -> PResult<(Symbol, Span)> {
        if let Token::Ident(name) = self.tok.token {
            let span = self.tok.span;
            self.bump();
            Ok((name, span))
        } else {
            Err(self.unexpected(expected))
        }
    }

    // ----- errors -----

    /// Records `message` at `span`.
    #[cold]
    fn error_at(&mut self, span: Span, message: impl Into<String>) -> Recover {
        self.errors
            .push(Diagnostic::new(DiagnosticKind::Syntax, message, span));
        Recover
    }

    /// Reports that the current token is not what the grammar `expected`.
    ///
    /// An invalid token already has its lexical error, so nothing more is
    /// said about it; the end of input inside parentheses is reported as the
    /// innermost unclosed `(`, and a `)` outside any as unmatched.
    #[cold]
    fn unexpected(&mut self, expected: &str) -> Recover {
        match (self.tok.token, self.open_parens.last()) {
            (Token::Error, _) => Recover,
            (Token::Eof, Some(&open)) => self.error_at(open, "unclosed '('"),
            // With no `(` open, a `)` where something else belongs is
            // better named for what it is than for what it is not.
            (Token::RParen, None) => self.error_at(self.tok.span, "unmatched ')'"),
            (found, _) => {
                // A missing token at the end of a line is reported where the
                // line ends, not on the line break itself.
                let span = match found {
                    Token::Newline => Span::new(self.tok.span.start, self.tok.span.start),
                    _ => self.tok.span,
                };
                self.error_at(
                    span,
                    format!("expected {expected}, found {}", found.describe()),
                )
            }
        }
    }

    /// Whether the error limit is reached; the first time it is, says so.
    fn too_many_errors(&mut self) -> bool {
        if self.stopped {
            return true;
        }
        if self.errors.len() + self.lexer.errors().len() < MAX_ERRORS {
            return false;
        }
        self.stopped = true;
        let message = format!("too many errors; stopping after {MAX_ERRORS}");
        self.error_at(self.tok.span, message);
        true
    }

    #[cold]
    fn too_deep(&mut self, span: Span) -> Recover {
        self.error_at(span, "nesting too deep")
    }

    /// Counts one more construct being parsed, refusing too many — or too
    /// much native stack, whichever comes first.
    fn enter(&mut self) -> PResult<()> {
        if self.nesting >= MAX_NESTING || self.stack_base.abs_diff(stack_position()) > STACK_BUDGET
        {
            return Err(self.too_deep(self.tok.span));
        }
        self.nesting += 1;
        Ok(())
    }

    /// Counts one construct less. (After an error the count is simply reset
    /// at the next statement.)
    fn leave(&mut self) {
        self.nesting -= 1;
    }

    /// Skips to the end of the statement: a separator outside parentheses, or
    /// the end of input.
    fn synchronize(&mut self) {
        loop {
            if self.too_many_errors() {
                return;
            }
            match self.tok.token {
                Token::Eof => return,
                Token::Newline | Token::Semi if self.open_parens.is_empty() => return,
                _ => self.bump(),
            }
        }
    }

    // ----- statements -----

    /// `program = { sep } [ stmt { sep { sep } stmt } ] { sep } EOF`
    fn program(&mut self) -> Vec<B::Stmt> {
        let mut stmts = Vec::new();
        loop {
            while matches!(self.tok.token, Token::Newline | Token::Semi) {
                self.bump();
            }
            if self.tok.token == Token::Eof || self.too_many_errors() {
                return stmts;
            }
            self.nesting = 0;
            self.values.clear();
            let first = self.tok.token;
            match self.statement() {
                Ok(stmt) => match self.tok.token {
                    Token::Newline | Token::Semi | Token::Eof => stmts.push(stmt),
                    _ => {
                        self.end_of_statement_error(first);
                        self.synchronize();
                    }
                },
                Err(Recover) => self.synchronize(),
            }
        }
    }

    /// A complete statement, which began with the token `first`, is
    /// followed by something other than a separator.
    #[cold]
    fn end_of_statement_error(&mut self, first: Token) {
        match self.tok.token {
            Token::RParen => {
                self.error_at(self.tok.span, "unmatched ')'");
            }
            // `x = 1` is a definition without `let`; after a `let`, a `fn`
            // or a number the hint would not fit.
            Token::Eq if matches!(first, Token::Ident(_) | Token::True | Token::False) => {
                self.unexpected("a newline or ';' (a name is defined with 'let name = value')");
            }
            _ => {
                self.unexpected("a newline or ';' after the statement");
            }
        }
    }

    /// `stmt = "let" IDENT "=" expr | "fn" IDENT "(" params ")" "=" expr | expr`
    fn statement(&mut self) -> PResult<B::Stmt> {
        let start = self.tok.span;
        match self.tok.token {
            Token::Let => {
                self.bump();
                let (name, name_span) = self.expect_ident("a name after 'let'")?;
                self.expect(Token::Eq, "'=' after the name")?;
                self.expr(0)?;
                let value = self.pop();
                let span = start.to(value.span);
                Ok(self.builder.let_stmt(name, name_span, value.expr, span))
            }
            Token::Fn => {
                self.bump();
                let (name, name_span) = self.expect_ident("a function name after 'fn'")?;
                self.expect(Token::LParen, "'(' after the function name")?;
                self.params.clear();
                if self.tok.token != Token::RParen {
                    loop {
                        let (param, span) = self.expect_ident("a parameter name")?;
                        if self.params.iter().any(|p| p.name == param) {
                            let message =
                                format!("duplicate parameter '{}'", self.interner.resolve(param));
                            return Err(self.error_at(span, message));
                        }
                        self.params.push(Param { name: param, span });
                        if self.tok.token != Token::Comma {
                            break;
                        }
                        self.bump();
                    }
                }
                self.expect(Token::RParen, "',' or ')' after a parameter")?;
                self.expect(Token::Eq, "'=' before the function body")?;
                self.expr(0)?;
                let body = self.pop();
                let span = start.to(body.span);
                let params = std::mem::take(&mut self.params);
                let stmt = self
                    .builder
                    .fn_stmt(name, name_span, &params, body.expr, span);
                self.params = params;
                Ok(stmt)
            }
            _ => {
                self.expr(0)?;
                let expr = self.pop();
                Ok(self.builder.expr_stmt(expr.expr))
            }
        }
    }

    // ----- expressions -----
    //
    // Each expression function leaves exactly one finished node on the
    // operand stack (`self.values`) when it succeeds. Keeping operands there
    // rather than in return values keeps every recursive frame down to a few
    // scalars, which is what lets deep nesting run in a modest stack.

    /// Parses an expression whose infix operators all have level `min` or
    /// more: the Pratt loop.
    fn expr(&mut self, min: u8) -> PResult<()> {
        self.enter()?;
        if self.tok.token == Token::Not && min <= NOT {
            // not_expr = "not" not_expr | cmp_expr
            let start = self.tok.span;
            self.bump();
            self.expr(NOT)?;
            self.reduce_unary(UnaryOp::Not, start)?;
        } else {
            self.prefix()?;
        }
        while let Some((op, level)) = infix(self.tok.token) {
            if level < min {
                break;
            }
            let op_span = self.tok.span;
            self.bump();
            // Every level is left-associative (comparisons are refused when
            // chained), so the right operand only takes tighter operators.
            self.expr(level + 1)?;
            self.reduce_binary(op, op_span)?;
            if level == CMP && matches!(infix(self.tok.token), Some((_, CMP))) {
                let span = self.tok.span;
                return Err(self.error_at(span, "comparison operators cannot be chained"));
            }
        }
        self.leave();
        Ok(())
    }

    /// `unary = ("-" | "+") unary | power`
    fn prefix(&mut self) -> PResult<()> {
        let op = match self.tok.token {
            Token::Minus => UnaryOp::Neg,
            Token::Plus => UnaryOp::Pos,
            _ => return self.power(),
        };
        let start = self.tok.span;
        self.bump();
        self.enter()?;
        self.prefix()?;
        self.leave();
        self.reduce_unary(op, start)
    }

    /// `power = primary [ "**" unary ]`: right-associative, and the exponent
    /// may carry a sign (`2 ** -1`).
    fn power(&mut self) -> PResult<()> {
        self.primary()?;
        if self.tok.token != Token::StarStar {
            return Ok(());
        }
        let op_span = self.tok.span;
        self.bump();
        self.enter()?;
        self.prefix()?;
        self.leave();
        self.reduce_binary(BinaryOp::Pow, op_span)
    }

    /// `primary = INT | FLOAT | "true" | "false" | IDENT | call | "(" expr ")" | if`
    ///
    /// The cases that recurse get functions of their own, so that the frames
    /// on a deeply nested path stay small.
    fn primary(&mut self) -> PResult<()> {
        match self.tok.token {
            Token::LParen => self.parenthesized(),
            Token::If => self.if_else(),
            Token::Ident(name) => self.name_or_call(name),
            _ => self.literal(),
        }
    }

    /// `INT | FLOAT | "true" | "false"`, or the error for a token that cannot
    /// start an expression.
    fn literal(&mut self) -> PResult<()> {
        let span = self.tok.span;
        let expr = match self.tok.token {
            Token::Int(value) => self.builder.int(value, span),
            Token::Float(value) => self.builder.float(value, span),
            Token::True => self.builder.bool(true, span),
            Token::False => self.builder.bool(false, span),
            Token::Not => {
                // `not` binds looser than comparisons and arithmetic, so it
                // cannot be their operand without parentheses.
                return Err(self.error_at(
                    span,
                    "'not' cannot be an operand here; put it in parentheses: (not …)",
                ));
            }
            _ => return Err(self.unexpected("an expression")),
        };
        self.bump();
        self.push(expr, span, 1);
        Ok(())
    }

    /// `IDENT` or `IDENT "(" … ")"`: a call is a name immediately followed
    /// by `(`, with nothing between them. A `(` after a blank or a comment
    /// is an error, as nothing else may follow a name with `(`.
    fn name_or_call(&mut self, name: Symbol) -> PResult<()> {
        let span = self.tok.span;
        self.bump();
        if self.tok.token == Token::LParen {
            if self.tok.span.start != span.end {
                return Err(self.error_at(
                    self.tok.span,
                    "a call's '(' must come right after the function's name, with nothing between: name(…)",
                ));
            }
            return self.call(name, span);
        }
        let expr = self.builder.var(name, span);
        self.push(expr, span, 1);
        Ok(())
    }

    /// `"(" expr ")"`: the node's span grows to include the parentheses.
    fn parenthesized(&mut self) -> PResult<()> {
        let open = self.tok.span;
        self.bump();
        self.expr(0)?;
        let close = self.expect(Token::RParen, "')'")?;
        if let Some(inner) = self.values.last_mut() {
            inner.span = open.to(close);
        }
        Ok(())
    }

    /// `IDENT "(" [ expr { "," expr } ] ")"`, with the name already consumed.
    fn call(&mut self, callee: Symbol, callee_span: Span) -> PResult<()> {
        self.bump();
        self.enter()?;
        let first = self.values.len();
        if self.tok.token != Token::RParen {
            loop {
                self.expr(0)?;
                if self.tok.token != Token::Comma {
                    break;
                }
                self.bump();
            }
        }
        let close = self.expect(Token::RParen, "',' or ')' after an argument")?;
        self.leave();
        self.reduce_call(callee, callee_span, first, close)
    }

    /// `"if" expr "then" expr "else" expr`
    fn if_else(&mut self) -> PResult<()> {
        let start = self.tok.span;
        self.bump();
        self.enter()?;
        self.expr(0)?;
        self.expect(Token::Then, "'then' after the condition of 'if'")?;
        self.expr(0)?;
        self.expect(Token::Else, "'else' (an 'if' needs both branches)")?;
        self.expr(0)?;
        self.leave();
        self.reduce_if(start)
    }

    // ----- the operand stack -----

    fn push(&mut self, expr: B::Expr, span: Span, height: u32) {
        self.values.push(Node { expr, span, height });
    }

    /// Takes the most recent finished node.
    fn pop(&mut self) -> Node<B::Expr> {
        // Each successful expression call pushes exactly one node before its
        // caller pops it, so the stack cannot be empty here.
        self.values
            .pop()
            .expect("the parser pops only the nodes it has pushed")
    }

    /// The height of a node over children of height `children`, refused past
    /// [`MAX_NESTING`] with the error at `span`. (A binary node's left
    /// operand does not count; see [`Parser::reduce_binary`].)
    fn check_height(&mut self, children: u32, span: Span) -> PResult<u32> {
        if children >= MAX_NESTING {
            return Err(self.too_deep(span));
        }
        Ok(children + 1)
    }

    /// Replaces the arguments from `first` on by a call of `callee`.
    fn reduce_call(
        &mut self,
        callee: Symbol,
        callee_span: Span,
        first: usize,
        close: Span,
    ) -> PResult<()> {
        let args = &self.values[first..];
        let height = args.iter().map(|arg| arg.height).max().unwrap_or(0);
        let height = self.check_height(height, callee_span)?;
        let span = callee_span.to(close);
        let args = self.values.drain(first..).map(|arg| arg.expr);
        let expr = self.builder.call(callee, callee_span, args, span);
        self.push(expr, span, height);
        Ok(())
    }

    /// Replaces the top three nodes by an `if` starting at `start`.
    fn reduce_if(&mut self, start: Span) -> PResult<()> {
        let else_branch = self.pop();
        let then_branch = self.pop();
        let cond = self.pop();
        let height = cond.height.max(then_branch.height).max(else_branch.height);
        let height = self.check_height(height, start)?;
        let span = start.to(else_branch.span);
        let expr = self
            .builder
            .if_else(cond.expr, then_branch.expr, else_branch.expr, span);
        self.push(expr, span, height);
        Ok(())
    }

    /// Replaces the top node by `op` applied to it.
    fn reduce_unary(&mut self, op: UnaryOp, op_span: Span) -> PResult<()> {
        let operand = self.pop();
        let height = self.check_height(operand.height, op_span)?;
        let span = op_span.to(operand.span);
        let expr = self.builder.unary(op, operand.expr, span);
        self.push(expr, span, height);
        Ok(())
    }

    /// Replaces the top two nodes by `op` applied to them.
    ///
    /// The height counts the right operand one level down but the left
    /// operand on the same level: every walk follows a chain of left
    /// operands with a loop, so a left-associative chain such as `1 + 1 +
    /// … + 1` costs no recursion however long it is.
    fn reduce_binary(&mut self, op: BinaryOp, op_span: Span) -> PResult<()> {
        let rhs = self.pop();
        let lhs = self.pop();
        let height = self.check_height(rhs.height, op_span)?.max(lhs.height);
        let span = lhs.span.to(rhs.span);
        let expr = self.builder.binary(op, lhs.expr, rhs.expr, span);
        self.push(expr, span, height);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::{ExprKind, Stmt};
    use crate::print::dump_program;

    /// Parses `source` and compares its dump (or its errors, one
    /// `line:column: message` per line) with `expect`.
    #[track_caller]
    fn check(source: &str, expect: &str) {
        let arena = Arena::new();
        let mut interner = Interner::new();
        let got = match parse(source, &arena, &mut interner) {
            Ok(program) => dump_program(&program, &interner),
            Err(errors) => errors
                .iter()
                .map(|e| {
                    let (line, column) = e.line_column(source);
                    format!("{line}:{column}: {}\n", e.message)
                })
                .collect(),
        };
        assert_eq!(got.trim_end(), expect, "source: {source:?}");
    }

    #[test]
    fn precedence_and_associativity() {
        check("1 + 2 * 3", "(+ 1 (* 2 3))");
        check("1 - 2 - 3", "(- (- 1 2) 3)");
        check("8 / 4 // 2 % 3 * 1", "(* (% (// (/ 8 4) 2) 3) 1)");
        check("2 ** 3 ** 2", "(** 2 (** 3 2))");
        check("-2 ** 2", "(- (** 2 2))");
        check("2 ** -1", "(** 2 (- 1))");
        check("2 ** -x ** 2", "(** 2 (- (** x 2)))");
        check("- - + 1", "(- (- (+ 1)))");
        check("a or b and c", "(or a (and b c))");
        check("not a == b", "(not (== a b))");
        check("not not a and b", "(and (not (not a)) b)");
        check("a and not b or c", "(or (and a (not b)) c)");
        check("a < b + 1", "(< a (+ b 1))");
        check("(a < b) == c", "(== (< a b) c)");
    }

    #[test]
    fn if_extends_to_the_right() {
        check("1 + if c then 2 else 3 + 4", "(+ 1 (if c 2 (+ 3 4)))");
        check("if a then if b then 1 else 2 else 3", "(if a (if b 1 2) 3)");
        check("(if c then 1 else 2) * 3", "(* (if c 1 2) 3)");
    }

    #[test]
    fn calls_and_statements() {
        check("f()", "(call f)");
        check("f(1, g(2))", "(call f 1 (call g 2))");
        check("let x = (1 +\n 2)\nx", "(let x (+ 1 2))\nx");
        check("fn f(a, b) = a; f(1, 2)", "(fn f (a b) a)\n(call f 1 2)");
        check("fn k() = 1", "(fn k () 1)");
        check("\n;\n1;;2\n\n", "1\n2");
        check("", "");
        check("# only a comment", "");
    }

    #[test]
    fn errors() {
        check("1 < 2 < 3", "1:7: comparison operators cannot be chained");
        check("let = 1", "1:5: expected a name after 'let', found '='");
        check("1 +", "1:4: expected an expression, found end of input");
        check("(1 + 2", "1:1: unclosed '('");
        check(
            "f (1)",
            "1:3: a call's '(' must come right after the function's name, with nothing between: name(…)",
        );
        check(
            "1 2",
            "1:3: expected a newline or ';' after the statement, found an integer",
        );
        check("1)", "1:2: unmatched ')'");
        check(")", "1:1: unmatched ')'");
        check("1\n)", "2:1: unmatched ')'");
        check("let x = 1 + )", "1:13: unmatched ')'");
        // Inside parentheses a `)` may close them, so what is missing is
        // what gets named.
        check("()", "1:2: expected an expression, found ')'");
        check("(1 + )", "1:6: expected an expression, found ')'");
        // `=` after a name suggests a definition without `let`; after
        // anything else it is just out of place.
        check(
            "x = 1",
            "1:3: expected a newline or ';' (a name is defined with 'let name = value'), found '='",
        );
        check(
            "1 => 2",
            "1:3: expected a newline or ';' after the statement, found '='",
        );
        check(
            "let x = 1 = 2",
            "1:11: expected a newline or ';' after the statement, found '='",
        );
        check("fn f(a, a) = a", "1:9: duplicate parameter 'a'");
        check(
            "1 == not 2",
            "1:6: 'not' cannot be an operand here; put it in parentheses: (not …)",
        );
        check(
            "if c then 1",
            "1:12: expected 'else' (an 'if' needs both branches), found end of input",
        );
        check(
            "1 @ 2\n3 +\n$",
            "1:3: unexpected character\n2:4: expected an expression, found a newline\n3:1: unexpected character",
        );
        check("99999999999999999999 + ", "1:1: integer literal too large");
        check(
            "1 @@@ 2 $",
            "1:3: unexpected character\n1:9: unexpected character",
        );
    }

    #[test]
    fn error_count_is_bounded() {
        let arena = Arena::new();
        let mut interner = Interner::new();
        let source = "1 +\n".repeat(5000) + &"@ x\n".repeat(5000);
        let errors = parse(&source, &arena, &mut interner).unwrap_err();
        assert_eq!(errors.len(), MAX_ERRORS + 1);
        assert!(
            errors
                .iter()
                .any(|e| e.message == "too many errors; stopping after 1000")
        );
        let junk = "@a".repeat(100_000);
        let errors = parse(&junk, &arena, &mut interner).unwrap_err();
        assert_eq!(errors.len(), MAX_ERRORS + 1);
    }

    #[test]
    fn spans_cover_the_source_of_each_node() {
        let arena = Arena::new();
        let mut interner = Interner::new();
        let source = "let v = (1 + 2) * f(x)";
        let program = parse(source, &arena, &mut interner).unwrap();
        let Stmt::Let {
            value,
            span,
            name_span,
            ..
        } = program.stmts[0]
        else {
            panic!("not a let")
        };
        assert_eq!(&source[span.range()], source);
        assert_eq!(&source[name_span.range()], "v");
        assert_eq!(&source[value.span.range()], "(1 + 2) * f(x)");
        let ExprKind::Binary { lhs, rhs, .. } = value.kind else {
            panic!("not a binary")
        };
        assert_eq!(&source[lhs.span.range()], "1 + 2");
        assert_eq!(&source[rhs.span.range()], "f(x)");
        let ExprKind::Call {
            callee_span, args, ..
        } = rhs.kind
        else {
            panic!("not a call")
        };
        assert_eq!(&source[callee_span.range()], "f");
        assert_eq!(&source[args[0].span.range()], "x");
    }
}
