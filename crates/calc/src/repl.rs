//! The interactive prompt.
//!
//! Reads entries with `>>> `, and keeps reading continuation lines with
//! `... ` while parentheses are open. Each entry is evaluated by
//! [`Session::eval_line`]: values are printed, `let` and `fn` are echoed
//! (`x = 5`, `fn f(a, b)`), errors are reported and the session goes on.
//! Ctrl-C abandons the entry being typed; Ctrl-D (end of input) leaves.
//! History is kept in `$XDG_DATA_HOME/arenakit/calc_history` (or
//! `~/.local/share/arenakit/calc_history`); failing to load or save it is
//! silent.

use crate::session::{Failure, REPL_NAME, Session};
use std::io::Write;
use std::path::PathBuf;

/// The prompt for a new entry.
pub const PROMPT: &str = ">>> ";
/// The prompt for a continuation line.
pub const CONTINUATION_PROMPT: &str = "... ";

/// What reading a line produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadLine {
    /// A line of text, without its newline.
    Line(String),
    /// The user pressed Ctrl-C.
    Interrupted,
    /// End of input (Ctrl-D) or an unrecoverable read error.
    Eof,
}

/// A source of lines for the REPL: rustyline on a terminal, or a script in
/// tests.
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
    pub fn push_interrupt(&mut self) {
        self.lines.push_back(ReadLine::Interrupted);
    }

    /// Queues one more line.
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
/// open. `None` at end of input; an empty entry after Ctrl-C.
pub fn read_entry(reader: &mut dyn LineReader) -> Option<String> {
    let mut entry = match reader.read_line(PROMPT) {
        ReadLine::Line(l) => l,
        ReadLine::Interrupted => return Some(String::new()),
        ReadLine::Eof => return None,
    };
    while open_parens(&entry) > 0 {
        match reader.read_line(CONTINUATION_PROMPT) {
            ReadLine::Line(l) => {
                entry.push('\n');
                entry.push_str(&l);
            }
            ReadLine::Interrupted => return Some(String::new()),
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
