//! The interactive REPL: rustyline with completion, multi-line input while a
//! bracket is open, and persistent history.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper, Highlighter, Hinter};

use crate::runner::{self, Io, Outcome};
use crate::session::{Flow, Session};

#[derive(Helper, Highlighter, Hinter)]
pub struct ReplHelper {
    /// Defined names, refreshed after every statement.
    pub names: Rc<RefCell<Vec<String>>>,
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0);
        let word = &before[start..];
        if word.is_empty() {
            return Ok((pos, Vec::new()));
        }
        let mut all: Vec<String> = self.names.borrow().clone();
        all.extend(crate::registry::completion_words().map(str::to_string));
        all.sort();
        all.dedup();
        let candidates = all
            .into_iter()
            .filter(|n| n.starts_with(word))
            .map(|n| Pair {
                display: n.clone(),
                replacement: n,
            })
            .collect();
        Ok((start, candidates))
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        if crate::syntax::input_is_incomplete(ctx.input()) {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

/// Where history is kept: `CONVOLAB_HISTORY`, else the user's data directory.
pub fn history_path() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("CONVOLAB_HISTORY") {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join("convolab").join("history"))
}

/// Run the REPL until `quit` or Ctrl-D.
pub fn run(session: &mut Session, color: bool) -> i32 {
    let names = Rc::new(RefCell::new(Vec::new()));
    let mut rl = match Editor::<ReplHelper, DefaultHistory>::new() {
        Ok(rl) => rl,
        Err(e) => {
            eprintln!("warning: the line editor is not available ({e}); reading plain lines");
            return crate::runner::run_stdin(session, color);
        }
    };
    rl.set_helper(Some(ReplHelper {
        names: names.clone(),
    }));
    let history = history_path();
    if let Some(h) = &history {
        if h.exists() {
            if let Err(e) = rl.load_history(h) {
                eprintln!(
                    "warning: could not read the history file {} ({e}); starting a new one",
                    h.display()
                );
            }
        }
    }
    println!(
        "convolab {} — convolution, step by step. `help` for help, `help conventions` for the rules, Ctrl-D to leave.",
        env!("CARGO_PKG_VERSION")
    );
    let mut entry = 0usize;
    let mut history_warned = false;
    loop {
        match rl.readline("convolab> ") {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = rl.add_history_entry(line.as_str());
                // Saved line by line, so a killed session keeps its history.
                if let Some(h) = &history {
                    if let Some(dir) = h.parent() {
                        let _ = std::fs::create_dir_all(dir);
                    }
                    if let Err(e) = rl.append_history(h) {
                        if !history_warned {
                            eprintln!("warning: could not save the history to {} ({e}); going on without it", h.display());
                            history_warned = true;
                        }
                    }
                }
                entry += 1;
                session.interrupt.reset();
                let stdout = std::io::stdout();
                let stderr = std::io::stderr();
                let mut out = stdout.lock();
                let mut err = stderr.lock();
                let mut io = Io {
                    out: &mut out,
                    err: &mut err,
                    color,
                    echo: false,
                };
                let origin = format!("<input {entry}>");
                let (outcome, flow) = runner::run_text(session, &origin, &line, &line, 0, &mut io);
                if outcome == Outcome::Interrupted {
                    let _ = std::io::Write::flush(&mut out);
                }
                *names.borrow_mut() = session.env.names().map(str::to_string).collect();
                match flow {
                    Flow::Quit => break,
                    Flow::Lesson(n) => {
                        drop(out);
                        drop(err);
                        crate::runner::run_numbered_lesson(session, n, color, true);
                    }
                    Flow::Continue => {}
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: reading input failed: {e}");
                break;
            }
        }
    }
    0
}
