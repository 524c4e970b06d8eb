//! Parse errors: what went wrong, where, and what to write instead.

use crate::syntax::span::Span;

/// A syntax error. `span` is where the caret goes (a zero-length span means
/// "at this position", e.g. at the end of the input); `related` points at a
/// second place worth showing, such as the bracket that was never closed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub span: Span,
    /// One line, lower case, no final period: "expected `)` to close the call opened here".
    pub message: String,
    /// Advice: "write `2*t` (implicit multiplication is not supported)".
    pub hint: Option<String>,
    /// A second span with its label, e.g. the opening bracket: "`(` opened here".
    pub related: Option<(Span, String)>,
}

/// The kinds of syntax error, for tests and for tools that react to some of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParseErrorKind {
    /// A character that starts no token: `$`, or a look-alike such as `×`, `−`, `≤`.
    UnexpectedChar,
    /// The statement or input ended where something was still needed (`x = `).
    UnexpectedEnd,
    /// The input ended inside `( )`, `[ ]` or `{ }`; `related` points at the opener.
    Unclosed,
    /// A closing bracket with no opener: `x = 1)`.
    Unmatched,
    /// A token other than the one the grammar needs here.
    Expected,
    /// A malformed number literal: `1.5.2`, `1.`, an exponent out of range.
    BadNumber,
    /// An unterminated string or an unknown escape.
    BadString,
    /// A keyword (`if otherwise and or not from at over to`) used as a name or a value.
    ReservedWord,
    /// Something left over after a complete statement or expression.
    TrailingInput,
    /// Nesting or operator chains beyond the parser's limits.
    TooDeep,
    /// A number written against a name or a bracket: `2t`, `3(t + 1)`.
    ImplicitMultiplication,
    /// `=` after something that cannot be defined: `conv(a, b) = 3`, `f(t + 1) = 2`,
    /// or `==` where a definition was meant.
    InvalidDefinition,
    /// A positional argument after a named one: `conv(a, mode=valid, b)`.
    ArgumentOrder,
    /// A clause or parameter given twice: `steps c at 1 at 2`, `f(t, t) = …`.
    Duplicate,
    /// A construct in a place where it cannot mean anything: a piece after
    /// `otherwise`, `from` after a matrix, `not` inside arithmetic.
    Misplaced,
}

impl ParseError {
    /// The same error with its spans moved by `offset` bytes (for a text that
    /// was parsed out of a larger one, such as a lesson's code block).
    pub fn offset(mut self, offset: usize) -> ParseError {
        self.span = self.span.offset(offset);
        if let Some((span, _)) = &mut self.related {
            *span = span.offset(offset);
        }
        self
    }
}
