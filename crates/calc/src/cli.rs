//! The `calc` command line: arguments, input selection and exit status.
//!
//! ```text
//! calc                     interactive prompt on a terminal; reads a program from stdin otherwise
//! calc FILE                run a program file (`-` reads stdin)
//! calc -e 'PROGRAM'        run a program given inline
//!   --ast                  print the parsed tree instead of running it
//!   --stats                after running, print arena, interner and memo-cache statistics to stderr
//!   --memo-cap N           memo cache capacity (0 turns memoisation off)
//!   --max-depth N          recursion limit
//! ```
//!
//! The exit status is 0 when the program ran without errors and 1 otherwise,
//! including for bad arguments and unreadable files (`--help` and
//! `--version` exit with 0). Everything runs on a thread whose stack is sized
//! from `--max-depth` (see [`crate::stack`]).

use crate::diag::use_color;
use crate::eval::{DEFAULT_MAX_DEPTH, DEFAULT_MEMO_CAPACITY, Limits};
use crate::repl;
use crate::session::{Echo, Session};
use crate::stack::{run_with_stack, stack_size_for};
use clap::Parser;
use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// The file name errors in a `-e` program are reported under.
///
/// ```
/// use arenakit_calc::cli::COMMAND_LINE_NAME;
/// use arenakit_calc::{eval::Limits, session::{Echo, Session}};
///
/// let mut session = Session::new(Limits::default());
/// let (program, mut out) = ("1 +", Vec::new());
/// let failure = session.run(COMMAND_LINE_NAME, program, Echo::Quiet, &mut out).unwrap_err();
/// let text = session.render(&failure, COMMAND_LINE_NAME, program, false);
/// assert!(text.contains("<command line>:1:"));
/// ```
pub const COMMAND_LINE_NAME: &str = "<command line>";
/// The file name errors in a program read from stdin are reported under.
///
/// ```
/// use arenakit_calc::cli::STDIN_NAME;
/// use arenakit_calc::{eval::Limits, session::{Echo, Session}};
///
/// let mut session = Session::new(Limits::default());
/// let program = "let x = 0\n1 / x";
/// let failure = session.run(STDIN_NAME, program, Echo::Quiet, &mut Vec::new()).unwrap_err();
/// let text = session.render(&failure, STDIN_NAME, program, false);
/// assert!(text.contains("<stdin>:2:1"));
/// ```
pub const STDIN_NAME: &str = "<stdin>";

/// The command-line arguments.
///
/// ```
/// use arenakit_calc::cli::Args;
/// use clap::Parser;
/// let args = Args::try_parse_from(["calc", "-e", "1 + 2", "--memo-cap", "0"]).unwrap();
/// assert_eq!(args.program.as_deref(), Some("1 + 2".as_ref()));
/// assert_eq!(args.memo_cap, 0);
/// assert_eq!(args.max_depth, 10_000);
/// ```
#[derive(Clone, Debug, Parser)]
#[command(
    name = "calc",
    version,
    about = "The calc expression language: run a program, or an interactive prompt on a terminal.",
    long_about = None,
    // One line per way of giving the program: an error about a wrong
    // combination then shows both, not the one clap derives from the
    // offending argument.
    override_usage = "calc [OPTIONS] [FILE]\n       calc [OPTIONS] -e <PROGRAM>"
)]
pub struct Args {
    /// The program file to run (`-` reads standard input).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Run PROGRAM given on the command line instead of a file.
    // An `OsString`, so that invalid UTF-8 reaches the lexer, which reports
    // it, as it does in a file.
    #[arg(
        short = 'e',
        long = "eval",
        value_name = "PROGRAM",
        conflicts_with = "file",
        allow_hyphen_values = true
    )]
    pub program: Option<OsString>,
    /// Print the parsed tree instead of running the program.
    #[arg(long)]
    pub ast: bool,
    /// After running, print arena, interner and memo-cache statistics to stderr.
    #[arg(long)]
    pub stats: bool,
    /// Memo cache capacity in entries (0 turns memoisation off).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MEMO_CAPACITY, value_parser = parse_count)]
    pub memo_cap: usize,
    /// Recursion limit: the most user-function calls active at once.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_DEPTH, value_parser = parse_count)]
    pub max_depth: usize,
}

/// Parses the value of a count flag (`--memo-cap`, `--max-depth`): decimal
/// digits, optionally after one `+`. A number too large for `usize` is taken as
/// `usize::MAX`, which each flag then reads as "as many as there can be",
/// as it does any other value past its largest.
///
/// ```
/// use arenakit_calc::cli::Args;
/// use clap::Parser;
///
/// let args = Args::try_parse_from(["calc", "--memo-cap", "99999999999999999999999"]).unwrap();
/// assert_eq!(args.memo_cap, usize::MAX);
/// assert!(Args::try_parse_from(["calc", "--max-depth", "-1"]).is_err());
/// ```
fn parse_count(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) => Ok(n),
        // Only a well-formed number can overflow.
        Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => Ok(usize::MAX),
        Err(e) => Err(e.to_string()),
    }
}

/// Parses the process's arguments and runs `calc`; the process exit code.
///
/// A binary's `main` is all it takes. The example is not run: it would read
/// the test's own arguments, and without a program it would read standard
/// input or open the prompt.
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     arenakit_calc::cli::main()
/// }
/// ```
pub fn main() -> ExitCode {
    ExitCode::from(main_with(std::env::args_os()) as u8)
}

/// Parses `args` (the first is the program name) and runs `calc`, returning
/// the exit status: 0 on success, 1 on any error (2 is never used).
///
/// ```
/// assert_eq!(arenakit_calc::cli::main_with(["calc", "--no-such-flag"]), 1);
/// ```
pub fn main_with<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match Args::try_parse_from(args) {
        Ok(args) => run(args),
        Err(e) => {
            let _ = e.print();
            if e.use_stderr() { 1 } else { 0 }
        }
    }
}

/// Runs `calc` with parsed arguments on a thread with a large stack; returns
/// the exit status.
///
/// ```
/// use arenakit_calc::cli::{run, Args};
/// use clap::Parser;
///
/// let quiet = Args::try_parse_from(["calc", "-e", "let x = 6 * 7"]).unwrap();
/// assert_eq!(run(quiet), 0);
/// // The error is reported on stderr, and the status says so.
/// let failing = Args::try_parse_from(["calc", "-e", "let y = 1 / 0"]).unwrap();
/// assert_eq!(run(failing), 1);
/// ```
pub fn run(args: Args) -> i32 {
    run_with_stack(stack_size_for(args.max_depth), move || run_here(&args))
}

/// Where the program comes from.
enum Input {
    Text { name: String, text: String },
    Repl,
}

fn select_input(args: &Args) -> Result<Input, String> {
    if let Some(program) = &args.program {
        return Ok(Input::Text {
            name: COMMAND_LINE_NAME.to_string(),
            text: program.to_string_lossy().into_owned(),
        });
    }
    match &args.file {
        Some(path) if path.as_os_str() != "-" => {
            let name = path.display().to_string();
            match read_file(path) {
                Ok(bytes) => Ok(text_input(name, bytes)),
                Err(e) => Err(format!("error: cannot read '{name}': {e}\n")),
            }
        }
        Some(_) => read_stdin(),
        None if std::io::stdin().is_terminal() => Ok(Input::Repl),
        None => read_stdin(),
    }
}

/// The most bytes of input read: one more than the largest source calc
/// lexes (its spans are `u32` offsets), enough to tell that an input is too
/// large without holding all of it.
const READ_LIMIT: u64 = u32::MAX as u64 + 1;

/// Reads a program file. A regular file too large to lex is refused
/// without being read; anything else is read up to [`READ_LIMIT`].
fn read_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let metadata = file.metadata()?;
    if metadata.is_file() && metadata.len() >= READ_LIMIT {
        return Err(too_large());
    }
    read_at_most(file, READ_LIMIT)
}

fn read_stdin() -> Result<Input, String> {
    match read_at_most(std::io::stdin().lock(), READ_LIMIT) {
        Ok(bytes) => Ok(text_input(STDIN_NAME.to_string(), bytes)),
        Err(e) => Err(format!("error: cannot read standard input: {e}\n")),
    }
}

/// Reads `reader` to its end, unless it holds `limit` bytes or more: then
/// the error is [`too_large`], after reading `limit` bytes and no more.
fn read_at_most(reader: impl Read, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(limit).read_to_end(&mut bytes)?;
    if bytes.len() as u64 >= limit {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The error of an input too large to lex, with the lexer's message.
fn too_large() -> std::io::Error {
    std::io::Error::other(crate::lexer::TOO_LARGE)
}

/// A program read as bytes; invalid UTF-8 is decoded lossily, for the
/// lexer to report. A byte order mark at the start, which some editors
/// write, is dropped: it is not part of the program.
fn text_input(name: String, bytes: Vec<u8>) -> Input {
    let mut text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Input::Text { name, text }
}

/// Writes to stderr, ignoring failure (a closed stderr must not panic).
fn to_stderr(text: &str) {
    let mut stderr = std::io::stderr();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

fn run_here(args: &Args) -> i32 {
    let color = use_color();
    let mut session = Session::new(Limits {
        memo_capacity: args.memo_cap,
        max_depth: args.max_depth,
    });
    let status = match select_input(args) {
        Err(message) => {
            to_stderr(&message);
            1
        }
        Ok(Input::Repl) => run_repl(&mut session, args.ast, color),
        Ok(Input::Text { name, text }) => run_text(&mut session, &name, &text, args.ast, color),
    };
    if args.stats {
        to_stderr(&session.stats_report());
    }
    status
}

fn run_text(session: &mut Session, name: &str, text: &str, ast: bool, color: bool) -> i32 {
    let stdout = std::io::stdout();
    // On a terminal each value shows as soon as it is computed; into a pipe
    // or file the output is buffered, and flushed before any error is shown.
    let mut direct;
    let mut buffered;
    let out: &mut (dyn Write + Send) = if stdout.is_terminal() {
        direct = stdout;
        &mut direct
    } else {
        buffered = std::io::BufWriter::new(stdout);
        &mut buffered
    };
    let result = if ast {
        session.dump_ast(text).and_then(|tree| {
            out.write_all(tree.as_bytes())
                .map_err(crate::session::Failure::Output)
        })
    } else {
        session.run(name, text, Echo::Quiet, out)
    };
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(()), Ok(())) => 0,
        (Ok(()), Err(e)) => {
            to_stderr(&format!("error: cannot write output: {e}\n"));
            1
        }
        (Err(failure), _) => {
            to_stderr(&session.render(&failure, name, text, color));
            1
        }
    }
}

fn run_repl(session: &mut Session, ast: bool, color: bool) -> i32 {
    let mut terminal = match repl::Terminal::open() {
        Ok(t) => t,
        Err(e) => {
            to_stderr(&format!("error: cannot open the terminal: {e}\n"));
            return 1;
        }
    };
    repl::run(
        session,
        &mut terminal,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
        ast,
        color,
    );
    terminal.save_history();
    0
}

#[cfg(test)]
mod tests {
    use super::read_at_most;

    #[test]
    fn reading_stops_at_the_limit() {
        let read = |input: &[u8]| read_at_most(input, 4).map_err(|e| e.to_string());
        assert_eq!(read(b"abc"), Ok(b"abc".to_vec()));
        assert_eq!(read(b""), Ok(Vec::new()));
        // At the limit the input is already too large: sources are shorter.
        for input in [&b"abcd"[..], b"abcdefgh"] {
            assert_eq!(read(input), Err(crate::lexer::TOO_LARGE.to_string()));
        }
    }
}
