//! The interactive prompt.
//!
//! Reads entries with `>>> `, and keeps reading continuation lines with
//! `... ` while parentheses are open. Each entry is evaluated by
//! [`Session::eval_line`]: values are printed, `let` and `fn` are echoed
//! (`x = 5`, `fn f(a, b)`), errors are reported and the session goes on.
//! Ctrl-C abandons the entry being typed; Ctrl-D (end of input) leaves. A
//! line that is not UTF-8 is reported as an unexpected character.
//! History is kept in `$XDG_DATA_HOME/arenakit/calc_history` (or
//! `~/.local/share/arenakit/calc_history`); failing to load or save it is
//! silent.

use crate::session::{Failure, REPL_NAME, Session};
use std::io::Write;
use std::path::PathBuf;

/// The prompt for a new entry.
///
/// ```
/// use arenakit_calc::repl::{read_entry, ScriptedReader, PROMPT};
/// let mut reader = ScriptedReader::new(["1 + 1"]);
/// read_entry(&mut reader);
/// assert_eq!(reader.prompts, [PROMPT]);
/// ```
pub const PROMPT: &str = ">>> ";
/// The prompt for a continuation line.
///
/// ```
/// use arenakit_calc::repl::{read_entry, ScriptedReader, CONTINUATION_PROMPT, PROMPT};
/// let mut reader = ScriptedReader::new(["(1 +", "2)"]);
/// read_entry(&mut reader);
/// assert_eq!(reader.prompts, [PROMPT, CONTINUATION_PROMPT]);
/// ```
pub const CONTINUATION_PROMPT: &str = "... ";

/// What reading a line produced.
///
/// ```
/// use arenakit_calc::repl::{LineReader, ReadLine, ScriptedReader, PROMPT};
/// let mut reader = ScriptedReader::new(["1 + 1"]);
/// reader.push_interrupt();
/// assert_eq!(reader.read_line(PROMPT), ReadLine::Line("1 + 1".to_string()));
/// assert_eq!(reader.read_line(PROMPT), ReadLine::Interrupted);
/// assert_eq!(reader.read_line(PROMPT), ReadLine::Eof);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadLine {
    /// A line of text, without its newline.
    Line(String),
    /// The user pressed Ctrl-C.
    Interrupted,
    /// The terminal sent bytes that are not UTF-8. The line editor drops
    /// the line they were in, so its text is lost.
    Invalid,
    /// End of input (Ctrl-D) or an unrecoverable read error.
    Eof,
}

/// A source of lines for the REPL: rustyline on a terminal, or a script in
/// tests.
///
/// ```
/// use arenakit_calc::repl::{read_entry, LineReader, ReadLine};
///
/// // A reader over the lines of a string, which keeps no history.
/// struct Lines<'a>(std::str::Lines<'a>);
///
/// impl LineReader for Lines<'_> {
///     fn read_line(&mut self, _prompt: &str) -> ReadLine {
///         self.0.next().map_or(ReadLine::Eof, |line| ReadLine::Line(line.into()))
///     }
///     fn add_history(&mut self, _entry: &str) {}
/// }
///
/// let mut reader = Lines("min(3,\n  2)".lines());
/// assert_eq!(read_entry(&mut reader).as_deref(), Some("min(3,\n  2)"));
/// assert_eq!(read_entry(&mut reader), None);
/// ```
pub trait LineReader {
    /// Shows `prompt` and reads one line.
    fn read_line(&mut self, prompt: &str) -> ReadLine;
    /// Records a complete entry in the history.
    fn add_history(&mut self, entry: &str);
}

/// A [`LineReader`] over a fixed list of lines, for tests and scripts.
///
/// ```
/// use arenakit_calc::repl::{LineReader, ReadLine, ScriptedReader};
/// let mut r = ScriptedReader::new(["1 + 1"]);
/// assert_eq!(r.read_line(">>> "), ReadLine::Line("1 + 1".to_string()));
/// assert_eq!(r.read_line(">>> "), ReadLine::Eof);
/// assert_eq!(r.prompts, [">>> ", ">>> "]);
/// ```
#[derive(Debug, Default)]
pub struct ScriptedReader {
    lines: std::collections::VecDeque<ReadLine>,
    /// The prompts shown so far, in order.
    pub prompts: Vec<String>,
    /// The entries added to the history, in order.
    pub history: Vec<String>,
}

impl ScriptedReader {
    /// A reader that returns `lines` in order, then end of input.
    ///
    /// ```
    /// use arenakit_calc::repl::{read_entry, ScriptedReader};
    /// let mut reader = ScriptedReader::new("let x = 1\nx + 1".lines());
    /// assert_eq!(read_entry(&mut reader).as_deref(), Some("let x = 1"));
    /// assert_eq!(read_entry(&mut reader).as_deref(), Some("x + 1"));
    /// assert_eq!(read_entry(&mut reader), None);
    /// ```
    pub fn new<I, S>(lines: I) -> ScriptedReader
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ScriptedReader {
            lines: lines
                .into_iter()
                .map(|l| ReadLine::Line(l.into()))
                .collect(),
            ..ScriptedReader::default()
        }
    }

    /// Queues a Ctrl-C after the lines given so far.
    ///
    /// ```
    /// use arenakit_calc::repl::{read_entry, ScriptedReader};
    /// let mut reader = ScriptedReader::new(["(1 +"]);
    /// reader.push_interrupt();
    /// reader.push_line("7");
    /// // Ctrl-C abandons the open entry, which reads as an empty one.
    /// assert_eq!(read_entry(&mut reader).as_deref(), Some(""));
    /// assert_eq!(read_entry(&mut reader).as_deref(), Some("7"));
    /// ```
    pub fn push_interrupt(&mut self) {
        self.lines.push_back(ReadLine::Interrupted);
    }

    /// Queues an end of input (Ctrl-D at a terminal) after the lines given so
    /// far; lines queued later are read after it, as a terminal goes on
    /// after a Ctrl-D that ended an open entry.
    ///
    /// ```
    /// use arenakit_calc::repl::{read_entry, ScriptedReader};
    /// let mut reader = ScriptedReader::new(["(1 +"]);
    /// reader.push_eof();
    /// reader.push_line("7");
    /// // Ctrl-D ends the open entry as it stands, to be reported.
    /// assert_eq!(read_entry(&mut reader).as_deref(), Some("(1 +"));
    /// assert_eq!(read_entry(&mut reader).as_deref(), Some("7"));
    /// ```
    pub fn push_eof(&mut self) {
        self.lines.push_back(ReadLine::Eof);
    }

    /// Queues a line that is not valid UTF-8 after the lines given so far.
    ///
    /// ```
    /// use arenakit_calc::repl::{read_entry, ScriptedReader};
    /// let mut reader = ScriptedReader::new(["1 + 1"]);
    /// reader.push_invalid();
    /// assert_eq!(read_entry(&mut reader).as_deref(), Some("1 + 1"));
    /// // The lost line reads as the replacement character, which the
    /// // lexer reports as an unexpected character.
    /// assert_eq!(read_entry(&mut reader).as_deref(), Some("\u{FFFD}"));
    /// ```
    pub fn push_invalid(&mut self) {
        self.lines.push_back(ReadLine::Invalid);
    }

    /// Queues one more line.
    ///
    /// ```
    /// use arenakit_calc::repl::{self, ScriptedReader};
    /// use arenakit_calc::{eval::Limits, session::Session};
    ///
    /// let mut reader = ScriptedReader::default();
    /// reader.push_line("let x = 3");
    /// reader.push_line("x * x");
    /// let (mut out, mut err) = (Vec::new(), Vec::new());
    /// let mut session = Session::new(Limits::default());
    /// repl::run(&mut session, &mut reader, &mut out, &mut err, false, false);
    /// assert_eq!(out, b"x = 3\n9\n");
    /// assert_eq!(reader.history, ["let x = 3", "x * x"]);
    /// ```
    pub fn push_line(&mut self, line: impl Into<String>) {
        self.lines.push_back(ReadLine::Line(line.into()));
    }
}

impl LineReader for ScriptedReader {
    fn read_line(&mut self, prompt: &str) -> ReadLine {
        self.prompts.push(prompt.to_string());
        self.lines.pop_front().unwrap_or(ReadLine::Eof)
    }

    fn add_history(&mut self, entry: &str) {
        self.history.push(entry.to_string());
    }
}

/// How many parentheses `text` leaves open (never negative), ignoring
/// comments.
///
/// ```
/// use arenakit_calc::repl::open_parens;
/// assert_eq!(open_parens("f(1, (2"), 2);
/// assert_eq!(open_parens("f(1) # (("), 0);
/// assert_eq!(open_parens(")) ("), 1);
/// ```
pub fn open_parens(text: &str) -> usize {
    let mut depth = 0usize;
    for line in text.split('\n') {
        for c in line.chars() {
            match c {
                '#' => break,
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    depth
}

/// Where the history is kept: `$XDG_DATA_HOME/arenakit/calc_history`, else
/// `$HOME/.local/share/arenakit/calc_history`.
///
/// It only reads those two environment variables; nothing is created.
///
/// ```
/// use arenakit_calc::repl::history_path;
/// // Where the directory is depends on the environment; the end does not.
/// if let Some(path) = history_path() {
///     assert!(path.ends_with("arenakit/calc_history"));
/// }
/// ```
pub fn history_path() -> Option<PathBuf> {
    let data = match std::env::var_os("XDG_DATA_HOME") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from(std::env::var_os("HOME")?)
            .join(".local")
            .join("share"),
    };
    Some(data.join("arenakit").join("calc_history"))
}

/// Reads one entry: a line, then continuation lines while parentheses are
/// open. `None` at end of input; an empty entry after Ctrl-C. A line that
/// is not UTF-8 ends the entry and reads as U+FFFD, the character lossy
/// decoding puts in place of bad bytes, so that evaluating the entry
/// reports it as an unexpected character and the prompt goes on.
///
/// ```
/// use arenakit_calc::repl::{read_entry, ScriptedReader, CONTINUATION_PROMPT, PROMPT};
/// let mut reader = ScriptedReader::new(["fn add(a,", "b) = a + b", "add(1, 2)"]);
/// assert_eq!(read_entry(&mut reader).as_deref(), Some("fn add(a,\nb) = a + b"));
/// assert_eq!(read_entry(&mut reader).as_deref(), Some("add(1, 2)"));
/// assert_eq!(read_entry(&mut reader), None);
/// assert_eq!(reader.prompts, [PROMPT, CONTINUATION_PROMPT, PROMPT, PROMPT]);
/// ```
pub fn read_entry(reader: &mut dyn LineReader) -> Option<String> {
    let mut entry = match reader.read_line(PROMPT) {
        ReadLine::Line(l) => l,
        ReadLine::Interrupted => return Some(String::new()),
        ReadLine::Invalid => return Some(char::REPLACEMENT_CHARACTER.to_string()),
        ReadLine::Eof => return None,
    };
    while open_parens(&entry) > 0 {
        match reader.read_line(CONTINUATION_PROMPT) {
            ReadLine::Line(l) => {
                entry.push('\n');
                entry.push_str(&l);
            }
            ReadLine::Interrupted => return Some(String::new()),
            ReadLine::Invalid => {
                entry.push('\n');
                entry.push(char::REPLACEMENT_CHARACTER);
                break;
            }
            // End of input inside an entry: evaluate what there is, so the
            // user sees the error.
            ReadLine::Eof => break,
        }
    }
    Some(entry)
}

/// Runs the prompt until end of input: values and echoes go to `out`,
/// rendered errors to `err`. With `ast`, entries are printed as trees
/// instead of being evaluated.
///
/// ```
/// use arenakit_calc::repl::{self, ScriptedReader};
/// use arenakit_calc::{eval::Limits, session::Session};
///
/// let mut reader = ScriptedReader::new(["1 / 0", "2 * 3"]);
/// let (mut out, mut err) = (Vec::new(), Vec::new());
/// let mut session = Session::new(Limits::default());
/// repl::run(&mut session, &mut reader, &mut out, &mut err, false, false);
/// // The error goes to `err`, and the prompt goes on.
/// assert_eq!(out, b"6\n");
/// assert!(err.starts_with(b"error: division by zero\n"));
/// ```
pub fn run(
    session: &mut Session,
    reader: &mut dyn LineReader,
    out: &mut (dyn Write + Send),
    err: &mut dyn Write,
    ast: bool,
    color: bool,
) {
    while let Some(entry) = read_entry(reader) {
        if entry.trim().is_empty() {
            continue;
        }
        reader.add_history(&entry);
        let result = if ast {
            session
                .dump_ast(&entry)
                .and_then(|tree| out.write_all(tree.as_bytes()).map_err(Failure::Output))
        } else {
            session.eval_line(&entry, out)
        };
        let _ = out.flush();
        if let Err(failure) = result {
            let _ = err.write_all(
                session
                    .render(&failure, REPL_NAME, &entry, color)
                    .as_bytes(),
            );
            let _ = err.flush();
        }
    }
}

/// A [`LineReader`] backed by rustyline, with history loaded from and saved
/// to [`history_path`].
///
/// This example is not run: it needs a real terminal, and it reads and
/// writes the user's history file.
///
/// ```no_run
/// use arenakit_calc::repl::{self, Terminal};
/// use arenakit_calc::{eval::Limits, session::Session};
///
/// let mut terminal = Terminal::open().expect("a line editor");
/// let mut session = Session::new(Limits::default());
/// let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
/// repl::run(&mut session, &mut terminal, &mut out, &mut err, false, true);
/// terminal.save_history();
/// ```
pub struct Terminal {
    editor: rustyline::DefaultEditor,
    history: Option<PathBuf>,
}

impl std::fmt::Debug for Terminal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Terminal")
            .field("history", &self.history)
            .finish_non_exhaustive()
    }
}

impl Terminal {
    /// Opens the terminal and loads the history, if there is one.
    ///
    /// # Errors
    ///
    /// Returns rustyline's error, as text, if the line editor cannot be
    /// created. A history file that is missing or cannot be read is not an
    /// error.
    ///
    /// This example is not run: it needs a real terminal, and it reads the
    /// user's history file.
    ///
    /// ```no_run
    /// use arenakit_calc::repl::Terminal;
    /// match Terminal::open() {
    ///     Ok(terminal) => println!("ready: {terminal:?}"),
    ///     Err(e) => eprintln!("error: cannot open the terminal: {e}"),
    /// }
    /// ```
    pub fn open() -> Result<Terminal, String> {
        // The prompt and the line being edited go to the terminal itself, so
        // that with stdout redirected (`calc > out.txt`) the file gets the
        // results and nothing else.
        let config = rustyline::Config::builder()
            .behavior(rustyline::Behavior::PreferTerm)
            .build();
        let mut editor =
            rustyline::DefaultEditor::with_config(config).map_err(|e| e.to_string())?;
        let history = history_path();
        if let Some(path) = &history {
            let _ = editor.load_history(path);
        }
        Ok(Terminal { editor, history })
    }

    /// Saves the history; failures are ignored.
    ///
    /// This example is not run: it needs a real terminal, and it writes the
    /// user's history file.
    ///
    /// ```no_run
    /// use arenakit_calc::repl::{LineReader, ReadLine, Terminal, PROMPT};
    /// let mut terminal = Terminal::open().expect("a line editor");
    /// if let ReadLine::Line(entry) = terminal.read_line(PROMPT) {
    ///     terminal.add_history(&entry);
    /// }
    /// terminal.save_history();
    /// ```
    pub fn save_history(&mut self) {
        if let Some(path) = &self.history {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = self.editor.save_history(path);
        }
    }
}

impl LineReader for Terminal {
    fn read_line(&mut self, prompt: &str) -> ReadLine {
        match self.editor.readline(prompt) {
            Ok(line) => ReadLine::Line(line),
            Err(rustyline::error::ReadlineError::Interrupted) => ReadLine::Interrupted,
            // Bytes that are not UTF-8 are an error of the line being typed,
            // not the end of the session.
            Err(rustyline::error::ReadlineError::Io(e))
                if e.kind() == std::io::ErrorKind::InvalidData =>
            {
                ReadLine::Invalid
            }
            Err(_) => ReadLine::Eof,
        }
    }

    fn add_history(&mut self, entry: &str) {
        let _ = self.editor.add_history_entry(entry);
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.save_history();
    }
}
