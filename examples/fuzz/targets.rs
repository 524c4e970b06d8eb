//! The two fuzz targets, shared by the fuzzer (`examples/fuzz`) and the
//! replay test (`tests/fuzz_regressions.rs`).
//!
//! * [`parse_target`]: `parse_program`, `parse_expr` and
//!   `input_is_incomplete` on any text must return, never panic and never
//!   overflow the stack of a 2 MiB thread (deep nesting is an error).
//! * [`eval_target`]: a fresh [`Session`] per output format runs the text;
//!   everything displayed is rendered in that format and every diagnostic
//!   (error or warning) is rendered with its caret. A panic is a failure, and
//!   so is a run that takes longer than the budget: the session's interrupt
//!   flag is then set, and a run that does not stop even then is reported as
//!   one that cannot be interrupted.
//!
//! Both check that every diagnostic's span lies inside the text, on
//! character boundaries, so the caret can point at the input.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Once;
use std::thread;
use std::time::{Duration, Instant};

use convolab::diagnostic::Diagnostic;
use convolab::eval::Interrupt;
use convolab::render::doc::Format;
use convolab::runner::render_diagnostic;
use convolab::session::Event;
use convolab::Session;

/// The stack the parser must fit in (a spawned thread's default).
pub const PARSER_STACK: usize = 2 << 20;
/// The stack evaluation runs on: the binary's main thread has 8 MiB.
pub const EVAL_STACK: usize = 8 << 20;

/// What went wrong with one input.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// A panic, with its message and location.
    Panic(String),
    /// A run over the time budget; `stopped` when the interrupt ended it.
    Hang {
        format: Format,
        seconds: f64,
        stopped: bool,
    },
    /// A diagnostic whose span is not inside the text.
    BadSpan(String),
}

impl Failure {
    /// A short key to tell failures apart (panic location, hang or span).
    pub fn key(&self) -> String {
        match self {
            Failure::Panic(m) => {
                let first = m.lines().next().unwrap_or("");
                match first.rsplit_once(" at ") {
                    Some((_, loc)) => format!("panic at {loc}"),
                    None => format!("panic {first}"),
                }
            }
            Failure::Hang { stopped, .. } => {
                if *stopped {
                    "hang (stopped by the interrupt)".into()
                } else {
                    "hang (NOT stopped by the interrupt)".into()
                }
            }
            Failure::BadSpan(m) => format!("bad span: {m}"),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Panic(m) => write!(f, "panic: {m}"),
            Failure::Hang {
                format,
                seconds,
                stopped,
            } => write!(
                f,
                "hang: over {seconds:.1} s in format {}{}",
                format.name(),
                if *stopped {
                    "; the interrupt stopped it"
                } else {
                    "; the interrupt did NOT stop it"
                }
            ),
            Failure::BadSpan(m) => write!(f, "bad span: {m}"),
        }
    }
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replace the panic hook by one that records the message (with its
/// location) for [`Failure::Panic`] instead of printing it.
pub fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(non-string payload)".into());
            let loc = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{msg} at {loc}")));
        }));
    });
}

fn take_panic() -> String {
    LAST_PANIC
        .with(|p| p.borrow_mut().take())
        .unwrap_or_else(|| "panic".into())
}

/// Check that `d`'s spans lie inside `text`, then render it.
fn check_diagnostic(d: &Diagnostic, text: &str) -> Result<String, Failure> {
    let spans = d.span.iter().chain(d.related.iter().map(|(s, _)| s));
    for s in spans {
        if s.start > s.end
            || s.end > text.len()
            || !text.is_char_boundary(s.start)
            || !text.is_char_boundary(s.end)
        {
            return Err(Failure::BadSpan(format!(
                "{}..{} in a text of {} bytes, for '{}'",
                s.start,
                s.end,
                text.len(),
                d.message
            )));
        }
    }
    Ok(render_diagnostic(d, "<input>", text, false))
}

/// The parser target. Runs on a thread with [`PARSER_STACK`] of stack (a
/// stack overflow aborts the process: the fuzzer's supervisor notices).
///
/// Returns the syntax error's message, if any (the fuzzer's feedback).
pub fn parse_target(text: &str) -> Result<Option<String>, Failure> {
    quiet_panics();
    let owned = text.to_string();
    let handle = thread::Builder::new()
        .name("parse".into())
        .stack_size(PARSER_STACK)
        .spawn(move || {
            let text = owned.as_str();
            catch_unwind(AssertUnwindSafe(|| -> Result<Option<String>, Failure> {
                let mut message = None;
                if let Err(e) = convolab::syntax::parse_program(text) {
                    let d = convolab::diagnostic::Diagnostic::from_parse_error(&e, text);
                    check_diagnostic(&d, text)?;
                    message = Some(d.message);
                }
                if let Err(e) = convolab::syntax::parse_expr(text) {
                    let d = convolab::diagnostic::Diagnostic::from_parse_error(&e, text);
                    check_diagnostic(&d, text)?;
                }
                let _ = convolab::syntax::input_is_incomplete(text);
                Ok(message)
            }))
            .unwrap_or_else(|_| Err(Failure::Panic(take_panic())))
        })
        .expect("spawn the parser thread");
    handle
        .join()
        .unwrap_or_else(|_| Err(Failure::Panic("the parser thread died".into())))
}

/// What one input did in the eval target, for the fuzzer's feedback.
#[derive(Clone, Debug, Default)]
pub struct EvalReport {
    /// The first error's message, if a statement failed.
    pub error: Option<String>,
    /// How many things were displayed (in the last format).
    pub outputs: usize,
}

/// Run `text` in a fresh session set to `format`; render all it shows.
fn run_one(text: &str, format: Format, interrupt: &Interrupt) -> Result<EvalReport, Failure> {
    let mut session = Session::new();
    session.interrupt = interrupt.clone();
    session.settings.format = format;
    let mut docs = Vec::new();
    let mut warnings = Vec::new();
    let result = session.run(text, &mut |e| match e {
        Event::Doc(d) => docs.push(d),
        Event::Warning(w) => warnings.push(w),
    });
    let mut report = EvalReport::default();
    for d in &docs {
        let _ = d.render(session.settings.format);
    }
    report.outputs = docs.len();
    for w in &warnings {
        check_diagnostic(w, text)?;
    }
    if let Err(d) = result {
        check_diagnostic(&d, text)?;
        report.error = Some(d.message.clone());
    }
    Ok(report)
}

/// The eval target: `text` in every format, each run given `budget`.
///
/// Run it with the current directory set to a scratch directory: inputs may
/// `save` or `export` to relative paths.
pub fn eval_target(text: &str, budget: Duration) -> Result<EvalReport, Failure> {
    quiet_panics();
    let interrupt = Interrupt::new();
    let (tx, rx) = mpsc::channel::<Result<EvalReport, Failure>>();
    let owned = text.to_string();
    let flag = interrupt.clone();
    thread::Builder::new()
        .name("eval".into())
        .stack_size(EVAL_STACK)
        .spawn(move || {
            for format in Format::ALL {
                let r = catch_unwind(AssertUnwindSafe(|| run_one(&owned, format, &flag)))
                    .unwrap_or_else(|_| Err(Failure::Panic(take_panic())));
                let stop = r.is_err() || flag.is_set();
                if tx.send(r).is_err() || stop {
                    return;
                }
            }
        })
        .expect("spawn the eval thread");
    let mut last = EvalReport::default();
    for format in Format::ALL {
        let started = Instant::now();
        match rx.recv_timeout(budget) {
            Ok(Ok(r)) => last = r,
            Ok(Err(f)) => return Err(f),
            Err(RecvTimeoutError::Disconnected) => {
                return Err(Failure::Panic("the eval thread died".into()))
            }
            Err(RecvTimeoutError::Timeout) => {
                interrupt.trigger();
                let stopped = rx.recv_timeout(Duration::from_secs(10)).is_ok();
                return Err(Failure::Hang {
                    format,
                    seconds: started.elapsed().as_secs_f64(),
                    stopped,
                });
            }
        }
    }
    Ok(last)
}
