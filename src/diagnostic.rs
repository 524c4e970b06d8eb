//! Errors and warnings as data, and their rendering with a caret.
//!
//! The library produces [`Diagnostic`]s (message, span, label under the
//! caret, hint); [`Diagnostic::render`] turns one into the text a user sees:
//!
//! ```text
//! error: unknown function 'expp'
//!  --> lesson.md:12:5
//!    |
//! 12 | y = expp(1)
//!    |     ^^^^ did you mean 'exp'?
//!    = hint: `help functions` lists the built-ins
//! ```
//!
//! The caret is placed by display columns (`unicode-width`), so it stays
//! under its span after wide characters (CJK, emoji), which take two
//! columns, and combining marks, which take none. Tabs in the echoed line
//! are expanded to stops of 4 columns, and the caret counts them the same
//! way. The `file:line:column` location counts characters.

use unicode_width::UnicodeWidthStr;

use crate::syntax::span::{line_col, Span};
use crate::syntax::ParseError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// How serious a diagnostic is.
pub enum Severity {
    /// Stops the statement.
    Error,
    /// Worth knowing; the statement goes on.
    Warning,
}

/// What kind of problem a diagnostic reports, for callers that act on it
/// (an interrupted run exits with status 130).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    /// The text does not parse.
    Syntax,
    /// Evaluation failed (or, for a warning, something worth knowing).
    #[default]
    Eval,
    /// Ctrl-C stopped the statement.
    Interrupted,
    /// `exact(…)` found no closed form (an input is outside the class); the
    /// numeric convolution may still work.
    NoClosedForm,
}

#[derive(Clone, Debug, PartialEq)]
/// An error or warning: a message, where it is, and advice.
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What kind of problem (an interrupted run exits with status 130).
    pub kind: Kind,
    /// What went wrong, in one sentence.
    pub message: String,
    /// Where the problem is; `None` for errors about the whole input.
    pub span: Option<Span>,
    /// Text printed after the carets.
    pub label: Option<String>,
    /// Advice printed on its own line.
    pub hint: Option<String>,
    /// Other places worth pointing at (e.g. "opened here").
    pub related: Vec<(Span, String)>,
}

impl Diagnostic {
    /// Ctrl-C stopped the statement at `span`.
    pub fn interrupted(span: Span) -> Diagnostic {
        Diagnostic {
            kind: Kind::Interrupted,
            ..Diagnostic::error("interrupted (Ctrl-C)", Some(span))
                .with_label("stopped here; earlier definitions are kept")
        }
    }

    /// A syntax error as a diagnostic: the
    /// caret at the error, its advice as the hint, and the related span (such as
    /// an unclosed bracket) as a second pointer.
    ///
    /// `text` is the source the spans refer to: an error at the very end of the
    /// input is moved back to just after its last visible character, so the
    /// caret sits on the line where something is missing.
    pub fn from_parse_error(e: &ParseError, text: &str) -> Diagnostic {
        let mut span = e.span;
        let end = text.trim_end().len();
        if span.start == span.end && span.start >= end && span.start <= text.len() {
            span = Span::new(end, end);
        }
        let mut d = Diagnostic::error(format!("syntax error: {}", e.message), Some(span));
        d.kind = Kind::Syntax;
        if let Some(hint) = &e.hint {
            d = d.with_hint(hint.clone());
        }
        if let Some((span, label)) = &e.related {
            d = d.with_related(*span, label.clone());
        }
        d
    }

    /// An error at `span` (or about the whole input).
    pub fn error(message: impl Into<String>, span: Option<Span>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            kind: Kind::Eval,
            message: message.into(),
            span,
            label: None,
            hint: None,
            related: Vec::new(),
        }
    }

    /// A warning at `span` (or about the whole input).
    pub fn warning(message: impl Into<String>, span: Option<Span>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            kind: Kind::Eval,
            ..Diagnostic::error(message, span)
        }
    }

    /// The text printed after the carets.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Advice, printed on its own line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Another place worth pointing at, with its label.
    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.related.push((span, label.into()));
        self
    }

    /// `file:line:column` of the primary span in `text`.
    pub fn location(&self, origin: &str, text: &str) -> String {
        match self.span {
            Some(span) => {
                let (line, col) = line_col(text, span.start);
                format!("{origin}:{line}:{col}")
            }
            None => origin.to_string(),
        }
    }

    /// The full diagnostic with the source line and carets. `origin` names
    /// the source (`<repl>`, `-c`, a file path); `text` is the whole source
    /// the span refers to.
    pub fn render(&self, origin: &str, text: &str) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!("{kind}: {}\n", self.message);
        let Some(span) = self.span else {
            out.push_str(&format!(" --> {origin}\n"));
            if let Some(h) = &self.hint {
                out.push_str(&format!("  = hint: {h}\n"));
            }
            return out;
        };
        let mut marks: Vec<(Span, Option<&str>, char)> = vec![(span, self.label.as_deref(), '^')];
        for (s, l) in &self.related {
            marks.push((*s, Some(l.as_str()), '-'));
        }
        let (line, _) = line_col(text, span.start);
        let max_line = marks
            .iter()
            .map(|(s, ..)| line_col(text, s.start).0)
            .max()
            .unwrap_or(line);
        let width = max_line.to_string().len();
        out.push_str(&format!(
            "{:width$}--> {}\n",
            "",
            self.location(origin, text),
            width = width
        ));
        out.push_str(&format!("{:width$} |\n", "", width = width));
        marks.sort_by_key(|(s, ..)| s.start);
        let mut last_line = 0;
        for (s, label, ch) in marks {
            let (l, _) = line_col(text, s.start);
            let (line_start, line_text) = line_at(text, s.start);
            if l != last_line {
                let echo = truncate_line(&expand_tabs(line_text));
                out.push_str(&format!("{l:>width$} | {echo}\n"));
                last_line = l;
            }
            // Byte offsets within the line; a span that runs past the line
            // is marked to its end.
            let from = floor_char_boundary(line_text, s.start - line_start);
            let to = floor_char_boundary(line_text, s.end.max(s.start) - line_start);
            let col = columns(&line_text[..from]);
            let len = columns(&line_text[..to]).saturating_sub(col).max(1);
            let carets: String = std::iter::repeat_n(ch, len.min(200)).collect();
            let pad = " ".repeat(col.min(1000));
            match label {
                Some(label) => out.push_str(&format!(
                    "{:width$} | {pad}{carets} {label}\n",
                    "",
                    width = width
                )),
                None => out.push_str(&format!("{:width$} | {pad}{carets}\n", "", width = width)),
            }
        }
        if let Some(h) = &self.hint {
            out.push_str(&format!("{:width$} = hint: {h}\n", "", width = width));
        }
        out
    }
}

/// Columns between two tab stops in the echoed source line.
const TAB_STOP: usize = 4;

/// The line containing byte `pos` of `text`, without its line ending, and
/// the byte offset where it starts.
fn line_at(text: &str, pos: usize) -> (usize, &str) {
    let pos = floor_char_boundary(text, pos.min(text.len()));
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
    let line = &text[start..end];
    (start, line.strip_suffix('\r').unwrap_or(line))
}

/// The largest char boundary of `s` at or below `pos` (clamped to `s`).
fn floor_char_boundary(s: &str, pos: usize) -> usize {
    let mut pos = pos.min(s.len());
    while !s.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

/// `line` as the terminal shows it in a diagnostic: each tab becomes the
/// spaces up to the next stop of [`TAB_STOP`] columns.
fn expand_tabs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for (i, part) in line.split('\t').enumerate() {
        if i > 0 {
            let col = out.width();
            out.extend(std::iter::repeat_n(' ', TAB_STOP - col % TAB_STOP));
        }
        out.push_str(part);
    }
    out
}

/// Display columns of the start of a line up to its byte `prefix`: wide
/// characters (CJK, most emoji) take two, combining marks none, tabs run
/// to the next stop (as [`expand_tabs`] echoes them).
fn columns(prefix: &str) -> usize {
    let mut col = 0;
    for (i, part) in prefix.split('\t').enumerate() {
        if i > 0 {
            col += TAB_STOP - col % TAB_STOP;
        }
        col += part.width();
    }
    col
}

fn truncate_line(line: &str) -> String {
    const MAX: usize = 400;
    if line.chars().count() > MAX {
        let s: String = line.chars().take(MAX).collect();
        format!("{s}…")
    } else {
        line.to_string()
    }
}

/// The closest of `candidates` to `name`, if it is close enough to be a
/// plausible typo (edit distance ≤ 2, or ≤ 1 for short names).
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let len = name.chars().count();
    let limit = if len <= 3 { 1 } else { 2 };
    candidates
        .into_iter()
        .filter(|c| *c != name)
        // Every one-letter name is one edit from every other: suggest one
        // only when it differs in case (`k` for `K`).
        .filter(|c| len > 1 || c.to_lowercase() == name.to_lowercase())
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c.to_string())
}

/// Optimal-string-alignment distance (transpositions count as one edit).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_under_span() {
        let text = "a = 1\ny = expp(1)";
        let start = text.find("expp").unwrap();
        let d = Diagnostic::error("unknown function 'expp'", Some(Span::new(start, start + 4)))
            .with_label("did you mean 'exp'?");
        let r = d.render("lesson.md", text);
        assert_eq!(
            r,
            "error: unknown function 'expp'\n --> lesson.md:2:5\n  |\n2 | y = expp(1)\n  |     ^^^^ did you mean 'exp'?\n"
        );
    }

    /// The echoed source line and the caret line of an error at
    /// `needle` (the first occurrence) in the one-line `text`.
    #[track_caller]
    fn caret_at(text: &str, needle: &str) -> (String, String) {
        let start = text.find(needle).expect("needle in text");
        let d = Diagnostic::error("e", Some(Span::new(start, start + needle.len())));
        let r = d.render("<input>", text);
        let lines: Vec<&str> = r.lines().collect();
        (lines[3].to_string(), lines[4].to_string())
    }

    #[test]
    fn caret_after_a_tab() {
        // Tabs are expanded to stops of 4 columns, in the echo and under it.
        assert_eq!(
            caret_at("\tx = expp(1)", "expp"),
            ("1 |     x = expp(1)".into(), "  |         ^^^^".into())
        );
        assert_eq!(
            caret_at("x =\texpp(1)", "expp"),
            ("1 | x = expp(1)".into(), "  |     ^^^^".into())
        );
        assert_eq!(
            caret_at("ab\t\texpp", "expp"),
            ("1 | ab      expp".into(), "  |         ^^^^".into())
        );
    }

    #[test]
    fn caret_after_wide_characters() {
        // 日 and 本 take two columns each: seven columns precede `expp`.
        assert_eq!(
            caret_at("日本 = expp(1)", "expp"),
            ("1 | 日本 = expp(1)".into(), "  |        ^^^^".into())
        );
    }

    #[test]
    fn caret_after_an_emoji() {
        // 🙂 takes two columns: five columns precede `expp`.
        assert_eq!(
            caret_at("🙂 = expp(1)", "expp"),
            ("1 | 🙂 = expp(1)".into(), "  |      ^^^^".into())
        );
    }

    #[test]
    fn caret_under_a_wide_character() {
        assert_eq!(
            caret_at("x = 日本 + 1", "日本"),
            ("1 | x = 日本 + 1".into(), "  |     ^^^^".into())
        );
        assert_eq!(
            caret_at("x = 🙂", "🙂"),
            ("1 | x = 🙂".into(), "  |     ^^".into())
        );
    }

    #[test]
    fn combining_marks_take_no_column() {
        // `é` written as e + U+0301 is one column wide.
        let text = "caf\u{65}\u{301} = expp(1)";
        assert_eq!(
            caret_at(text, "expp"),
            (format!("1 | {text}"), "  |        ^^^^".into())
        );
        assert_eq!(
            caret_at(text, "\u{65}\u{301}"),
            (format!("1 | {text}"), "  |    ^".into())
        );
    }

    #[test]
    fn caret_to_the_end_of_the_line_counts_columns() {
        // A span that runs onto the next line is marked to the end of its
        // first line, in columns.
        let text = "y = f(日本\n1)";
        let start = text.find('f').unwrap();
        let d = Diagnostic::error("e", Some(Span::new(start, text.len())));
        let r = d.render("<input>", text);
        assert!(r.contains("1 | y = f(日本\n  |     ^^^^^^\n"), "{r}");
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("expp", ["exp", "sin", "cos"]),
            Some("exp".into())
        );
        assert_eq!(did_you_mean("cnov", ["conv", "corr"]), Some("conv".into()));
        assert_eq!(did_you_mean("zzzzz", ["exp"]), None);
    }
}
