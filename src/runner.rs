//! Running scripts, `-c` text, stdin and lessons: statements in order, each
//! output rendered in the session's format, diagnostics with file:line:col.

use std::io::{Read, Write};

use crate::lesson::{Lesson, LessonSource};
use crate::session::Interaction;

use crate::diagnostic::{Diagnostic, Kind, Severity};
use crate::lesson::{self, Part};
use crate::render::doc::{Doc, Format};
use crate::session::{Event, Flow, Session};
use crate::syntax::span::Span;

/// How a run went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything ran (or `quit` was reached).
    Ok,
    /// A statement failed or a check did not hold: exit status 1.
    Failed,
    /// Interrupted by Ctrl-C: exit status 130.
    Interrupted,
}

/// Where output goes and how it looks.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// ANSI colour on diagnostics.
    pub color: bool,
    /// Echo each statement before its output (lessons).
    pub echo: bool,
}

/// Render a diagnostic for `origin` whose spans refer to `text`.
pub fn render_diagnostic(d: &Diagnostic, origin: &str, text: &str, color: bool) -> String {
    let s = d.render(origin, text);
    if !color {
        return s;
    }
    let (word, code) = match d.severity {
        Severity::Error => ("error", "\x1b[1;31m"),
        Severity::Warning => ("warning", "\x1b[1;33m"),
    };
    s.replacen(
        &format!("{word}:"),
        &format!("{code}{word}\x1b[0m\x1b[1m:"),
        1,
    )
    .replacen('\n', "\x1b[0m\n", 1)
}

fn write_doc(io: &mut Io, doc: &Doc, format: Format) {
    let text = doc.render(format);
    if !text.is_empty() {
        let _ = writeln!(io.out, "{text}");
    }
}

/// Run the statements of `text` (a script, `-c` text or stdin). Spans in
/// diagnostics are shifted by `offset` into `full` (the whole file).
pub fn run_text(
    session: &mut Session,
    origin: &str,
    full: &str,
    text: &str,
    offset: usize,
    io: &mut Io,
) -> (Outcome, Flow) {
    let stmts = match crate::syntax::parse_program(text) {
        Ok(s) => s,
        Err(e) => {
            let d = shift(
                crate::diagnostic::Diagnostic::from_parse_error(&e, text),
                offset,
            );
            let _ = write!(io.err, "{}", render_diagnostic(&d, origin, full, io.color));
            return (Outcome::Failed, Flow::Continue);
        }
    };
    let mut outcome = Outcome::Ok;
    for stmt in &stmts {
        // Ctrl-C during a statement that finished without noticing it:
        // stop before the next one.
        if session.interrupt.is_set() {
            let d = crate::eval::interrupted(stmt.span);
            let _ = write!(
                io.err,
                "{}",
                render_diagnostic(&shift(d, offset), origin, full, io.color)
            );
            return (Outcome::Interrupted, Flow::Continue);
        }
        if io.echo && session.settings.format != Format::Json {
            let mut src = &text[stmt.span.start..stmt.span.end];
            // When the student is asked, the echo must not give the answer
            // away: show `exercise "question"` without its `= answer`.
            if session.interaction.is_some() && src.trim_start().starts_with("exercise") {
                if let Some(open) = src.find('"') {
                    if let Some(close) = src[open + 1..].find('"') {
                        src = &src[..open + 1 + close + 1];
                    }
                }
            }
            let mut lines = src.lines();
            if let Some(first) = lines.next() {
                let _ = writeln!(io.out, "» {first}");
                for l in lines {
                    let _ = writeln!(io.out, "  {l}");
                }
            }
        }
        let format = session.settings.format;
        let mut docs: Vec<Doc> = Vec::new();
        let mut warnings: Vec<Diagnostic> = Vec::new();
        let result = session.exec(stmt, text, &mut |e| match e {
            Event::Doc(d) => docs.push(d),
            Event::Warning(w) => warnings.push(w),
        });
        let format = if matches!(
            stmt.kind,
            crate::syntax::ast::StmtKind::Command(crate::syntax::ast::Command::Format { .. })
        ) {
            session.settings.format
        } else {
            format
        };
        for w in warnings {
            let _ = write!(
                io.err,
                "{}",
                render_diagnostic(&shift(w, offset), origin, full, io.color)
            );
        }
        for d in &docs {
            write_doc(io, d, format);
            if d.verdict == Some(false) {
                let loc = shift(Diagnostic::error("check failed", Some(stmt.span)), offset);
                let _ = writeln!(io.err, "{}: check failed", loc.location(origin, full));
                outcome = Outcome::Failed;
            }
        }
        match result {
            Ok(Flow::Continue) => {}
            Ok(flow) => return (outcome, flow),
            Err(d) => {
                let interrupted = d.kind == Kind::Interrupted;
                let _ = write!(
                    io.err,
                    "{}",
                    render_diagnostic(&shift(*d, offset), origin, full, io.color)
                );
                return (
                    if interrupted {
                        Outcome::Interrupted
                    } else {
                        Outcome::Failed
                    },
                    Flow::Continue,
                );
            }
        }
        if outcome == Outcome::Failed {
            return (outcome, Flow::Continue);
        }
    }
    if session.interrupt.is_set() && outcome == Outcome::Ok {
        // Ctrl-C during the last statement, after its last check: its output
        // is complete, but the run still ends as interrupted.
        let _ = writeln!(io.err, "interrupted (Ctrl-C)");
        outcome = Outcome::Interrupted;
    }
    (outcome, Flow::Continue)
}

fn shift(mut d: Diagnostic, offset: usize) -> Diagnostic {
    d.span = d.span.map(|s: Span| s.offset(offset));
    for r in &mut d.related {
        r.0 = r.0.offset(offset);
    }
    d
}

/// Run a lesson file: prose printed as is, each code block's statements
/// echoed with their output. With `interactive`, pause after each block.
pub fn run_lesson(
    session: &mut Session,
    origin: &str,
    text: &str,
    io: &mut Io,
    interactive: bool,
) -> Outcome {
    let parts = lesson::split(text);
    let count = parts
        .iter()
        .filter(|p| matches!(p, Part::Code { .. }))
        .count();
    let mut seen = 0;
    for part in parts {
        match part {
            Part::Prose(p) => {
                if session.settings.format != Format::Json {
                    let _ = write!(io.out, "{p}");
                }
            }
            Part::Code { code, offset } => {
                seen += 1;
                let echo = io.echo;
                io.echo = true;
                let (outcome, flow) = run_text(session, origin, text, &code, offset, io);
                io.echo = echo;
                if outcome != Outcome::Ok {
                    return outcome;
                }
                if flow == Flow::Quit {
                    return Outcome::Ok;
                }
                // A block that ends with its own `pause`, or that asked
                // exercises, has already waited for the student.
                let last = code
                    .lines()
                    .map(str::trim)
                    .rfind(|l| !l.is_empty() && !l.starts_with('#'))
                    .unwrap_or("");
                let waited =
                    last == "pause" || code.lines().any(|l| l.trim_start().starts_with("exercise"));
                if interactive && seen < count && !waited {
                    if let Some(i) = session.interaction.as_mut() {
                        if !i.pause() {
                            return Outcome::Ok;
                        }
                    }
                }
            }
        }
    }
    Outcome::Ok
}

/// Exit status for an outcome.
pub fn status(o: Outcome) -> i32 {
    match o {
        Outcome::Ok => 0,
        Outcome::Failed => 1,
        Outcome::Interrupted => 130,
    }
}

/// Statements from stdin (not a terminal).
pub fn run_stdin(session: &mut Session, color: bool) -> i32 {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        eprintln!("error: cannot read stdin: {e}");
        return 1;
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "warning: stdin is not valid UTF-8 (byte {}); invalid bytes are replaced by �",
                e.utf8_error().valid_up_to()
            );
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        color,
        echo: false,
    };
    let (o, flow) = run_text(session, "<stdin>", &text, &text, 0, &mut io);
    if let crate::session::Flow::Lesson(n) = flow {
        drop((out, err));
        return status(run_numbered_lesson(session, n, color, false));
    }
    status(o)
}

/// Run one file: a lesson if it ends in .md, else a plain script.
pub fn run_file(
    session: &mut Session,
    path: &std::path::Path,
    color: bool,
    interactive: bool,
) -> Outcome {
    let text = match std::fs::read(path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            if e.kind() == std::io::ErrorKind::NotFound {
                if let Some(hint) = lesson_hint(path) {
                    eprintln!("  = hint: {hint}");
                }
            }
            return Outcome::Failed;
        }
    };
    let is_lesson = path.extension().is_some_and(|e| e == "md");
    run_source(
        session,
        &path.display().to_string(),
        &text,
        is_lesson,
        color,
        interactive,
    )
}

/// For `run FILE` of a file that is not there but names a lesson (`run 3`,
/// `run lessons/03-continuous.md` away from the source tree): how to run it.
fn lesson_hint(path: &std::path::Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let source = LessonSource::current();
    let l = source.lookup(name).ok()??;
    let whose = match source {
        LessonSource::Bundled => "bundled lesson",
        LessonSource::Dir(_) => "lesson",
    };
    Some(format!(
        "{whose} {} is {}: `convolab lesson {}` runs it",
        l.number, l.file, l.number
    ))
}

/// Run `text` under the name `origin`: as a lesson (prose and code blocks)
/// or as a plain script.
fn run_source(
    session: &mut Session,
    origin: &str,
    text: &str,
    is_lesson: bool,
    color: bool,
    interactive: bool,
) -> Outcome {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        color,
        echo: false,
    };
    if is_lesson {
        run_lesson(session, origin, text, &mut io, interactive)
    } else {
        run_text(session, origin, text, text, 0, &mut io).0
    }
}

/// `lesson N` from the REPL, `-c` or stdin.
pub fn run_numbered_lesson(
    session: &mut Session,
    n: usize,
    color: bool,
    interactive: bool,
) -> Outcome {
    let source = LessonSource::current();
    match source.find(n) {
        Ok(Some(l)) => run_lesson_terminal(session, &l, color, interactive),
        Ok(None) => {
            eprintln!("error: there is no lesson {n}; {}", source.hint());
            Outcome::Failed
        }
        Err(e) => {
            eprintln!("error: {e}");
            Outcome::Failed
        }
    }
}

/// Run a lesson from the current source. With `interactive` it talks to the
/// terminal (inside the REPL, the same one).
pub fn run_lesson_terminal(
    session: &mut Session,
    l: &Lesson,
    color: bool,
    interactive: bool,
) -> Outcome {
    let lend = interactive && session.interaction.is_none();
    if lend {
        session.interaction = Some(Box::new(Terminal));
    }
    let o = run_source(session, &l.origin, &l.text, true, color, interactive);
    if lend {
        session.interaction = None;
    }
    o
}

/// Interaction on the terminal for `run --interactive`.
pub struct Terminal;

impl Interaction for Terminal {
    fn ask(&mut self, prompt: &str) -> Option<String> {
        use std::io::Write;
        print!("{prompt}");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        match std::io::stdin().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line),
        }
    }

    fn ask_feedback(&mut self, text: &str) {
        println!("{text}");
    }

    fn pause(&mut self) -> bool {
        self.ask("(press Enter to continue) ").is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Ctrl-C that arrived while a statement ran without polling stops
    /// the run before the next statement, with status 130.
    #[test]
    fn a_pending_interrupt_stops_before_the_next_statement() {
        let mut session = Session::new();
        session.interrupt.trigger();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut io = Io {
            out: &mut out,
            err: &mut err,
            color: false,
            echo: false,
        };
        let text = "x = 1\nx + 1";
        let (outcome, _) = run_text(&mut session, "-c", text, text, 0, &mut io);
        assert_eq!(outcome, Outcome::Interrupted);
        assert!(out.is_empty());
        let err = String::from_utf8(err).unwrap();
        assert!(err.contains("interrupted (Ctrl-C)"), "{err}");
        assert!(session.env.get("x").is_none());
    }
}
