//! The one entry point the REPL, `-c`, stdin, lessons, tests and benchmarks
//! share.
//!
//! A [`Session`] holds the defined names and the output settings. Text goes
//! in through [`Session::run`]; everything it displays comes out as
//! [`Event`]s, which the caller renders in the session's format.

pub mod commands;
pub mod continuous;
pub mod discrete;
pub mod exact;
pub mod exercise;
pub mod plot;
pub mod show;
pub mod steps;
pub mod timeit;

use crate::diagnostic::Diagnostic;
use crate::eval::{Ctx, Env, EvalResult, Interrupt};
use crate::render::doc::{Doc, Format};
use crate::syntax::ast::Stmt;
use crate::value::number::NumFmt;

/// Output settings (`format`, `precision`, `exact on/off`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// How results are printed.
    pub format: Format,
    /// How numbers are printed (precision, exact or float).
    pub num: NumFmt,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            format: Format::Text,
            num: NumFmt::default(),
        }
    }
}

/// What a statement produced.
#[derive(Clone, Debug)]
pub enum Event {
    /// A value, table or message to display.
    Doc(Doc),
    /// A warning (shown on stderr by the binary).
    Warning(Diagnostic),
}

/// Whether to go on after a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Run the next statement.
    Continue,
    /// `quit`: stop.
    Quit,
    /// `lesson N` in the REPL: the caller runs that lesson file.
    Lesson(usize),
}

/// How a session talks to a person during interactive lessons.
pub trait Interaction {
    /// Show `prompt` and read one line; `None` at end of input.
    fn ask(&mut self, prompt: &str) -> Option<String>;
    /// Tell the student something (feedback on an answer).
    fn ask_feedback(&mut self, text: &str);
    /// Wait for Enter (`pause`); false at end of input.
    fn pause(&mut self) -> bool;
}

/// Defined names, output settings and the Ctrl-C flag: the state statements run in.
pub struct Session {
    /// The defined names.
    pub env: Env,
    /// Output settings.
    pub settings: Settings,
    /// Ctrl-C: set it to stop the running statement.
    pub interrupt: Interrupt,
    /// Set during `run --interactive`: exercises ask, `pause` waits.
    pub interaction: Option<Box<dyn Interaction>>,
    /// Where `load`, `save`, `export` and plot files read and write: the
    /// file system by default, memory in a browser or a test.
    pub files: Box<dyn crate::files::Files>,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

impl Session {
    /// A session with nothing defined and default settings.
    pub fn new() -> Session {
        Session {
            env: Env::default(),
            settings: Settings::default(),
            interrupt: Interrupt::new(),
            interaction: None,
            files: Box::new(crate::files::NativeFiles),
        }
    }

    /// Parse all of `text`, then run its statements in order, sending what
    /// they display to `out`. Stops at the first error (earlier statements'
    /// definitions are kept). Spans in the error refer to `text`.
    pub fn run(&mut self, text: &str, out: &mut dyn FnMut(Event)) -> EvalResult<Flow> {
        let stmts = crate::syntax::parse_program(text)
            .map_err(|e| Box::new(crate::diagnostic::Diagnostic::from_parse_error(&e, text)))?;
        for stmt in &stmts {
            match self.exec(stmt, text, out)? {
                Flow::Continue => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Continue)
    }

    /// Run one parsed statement; `text` is the source its spans refer to.
    pub fn exec(
        &mut self,
        stmt: &Stmt,
        text: &str,
        out: &mut dyn FnMut(Event),
    ) -> EvalResult<Flow> {
        // The engine's generic loops poll this flag (Ctrl-C).
        let _watch = crate::interrupt::watch(self.interrupt.flag());
        crate::session::commands::exec(self, stmt, text, out)
    }

    /// Run `text` and collect the rendered output (for tests and `-c`):
    /// one string per displayed item, in the session's format.
    pub fn run_collect(&mut self, text: &str) -> EvalResult<Vec<String>> {
        let format = self.settings.format;
        let mut docs = Vec::new();
        self.run(text, &mut |e| {
            if let Event::Doc(d) = e {
                docs.push(d);
            }
        })?;
        let _ = format;
        Ok(docs
            .iter()
            .map(|d| d.render(self.settings.format))
            .collect())
    }

    /// Evaluate one expression (for tests and benchmarks).
    pub fn eval_str(&mut self, text: &str) -> EvalResult<crate::value::Value> {
        let expr = crate::syntax::parse_expr(text)
            .map_err(|e| Box::new(crate::diagnostic::Diagnostic::from_parse_error(&e, text)))?;
        let mut ctx = self.ctx();
        ctx.eval(&expr)
    }

    /// An evaluation context over the session's names.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx::new(
            &self.env,
            self.settings.num,
            &self.interrupt,
            self.files.as_ref(),
        )
    }
}
