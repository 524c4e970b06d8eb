//! The parser: nom 8 over `&str`, producing the AST of [`super::ast`].
//!
//! The grammar is written out in EBNF in the module doc of [`crate::syntax`];
//! each function here names the production it parses.
//!
//! How it is built:
//!
//! * Recursive descent with precedence climbing for the binary operators,
//!   threaded through nom's `IResult` and error types; the tokens (words,
//!   numbers) are nom combinators. Every parse function takes the remaining input and returns the rest and a
//!   node; a position is `src.len() - rest.len()`, so spans are byte offsets
//!   into the text passed to [`parse_program`] or [`parse_expr`].
//! * Whitespace is skipped *before* a token, never after, so a node's span ends
//!   at its last token. Which whitespace counts depends on the `Mode`: at
//!   statement level a newline ends the statement, inside `( )` and `[ ]` it is
//!   a space, and inside `{ }` it separates pieces (but an operand may still
//!   start on the next line, e.g. after `if` or `+`).
//! * Soft errors (`nom::Err::Error`) mean "not this alternative"; once a
//!   keyword or operator commits to a construct, `Parser::required` turns a
//!   soft error into a hard one (`cut`) with a message saying what was expected
//!   there, so the caret lands on the real problem.
//! * Recursion is bounded ([`MAX_NESTING`], and a stack budget of 1 MiB for
//!   unoptimised builds) and so is the height of the tree built
//!   ([`MAX_HEIGHT`]), so neither parsing nor later walking the tree can
//!   overflow the stack. There is no unbounded backtracking: the only
//!   look-ahead is over a definition head (`f(t, u) =`) or a `name =` option.

use std::cell::{Cell, RefCell};

use nom::branch::alt;
use nom::bytes::complete::take_while;
use nom::character::complete::{char, digit1, one_of, satisfy};
use nom::combinator::{opt, recognize};
use nom::{IResult, Parser as _};

use crate::syntax::ast::{
    Arg, BinOp, CmpOp, Command, Expr, ExprKind, Ident, LogicOp, Piece, Query, Stmt, StmtKind,
    StrLit, UnOp,
};
use crate::syntax::error::{ParseError, ParseErrorKind as K};
use crate::syntax::span::Span;
use crate::value::number::Number;

/// How deep brackets and prefix operators (`-`, `not`, `^`) may nest.
pub const MAX_NESTING: usize = 256;
/// The most stack the parser lets itself use, measured from its entry point.
/// With optimisations [`MAX_NESTING`] is reached long before this; in an
/// unoptimised build, whose frames are several times larger, this is what
/// stops deep nesting (at fewer levels), so that the parser cannot overflow
/// a 2 MiB thread stack in any build.
const STACK_BUDGET: usize = 1 << 20;
/// The greatest height of an expression tree (a chain `a + b + …` adds one
/// level per operator).
pub const MAX_HEIGHT: usize = 512;
/// The longest number literal, in characters.
const MAX_NUMBER_LEN: usize = 10_000;

use crate::registry::{is_reserved, Command as CommandWord, Format, KEYWORDS};

/// The commands that are queries (they show something, and may follow
/// `export` and `timeit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum QueryWord {
    Steps,
    Converge,
    Shape,
    Check,
}

impl QueryWord {
    /// The query a command word starts, if it is one (every command listed,
    /// so a new one must be placed here).
    fn of(c: CommandWord) -> Option<QueryWord> {
        use CommandWord as C;
        match c {
            C::Steps => Some(QueryWord::Steps),
            C::Converge => Some(QueryWord::Converge),
            C::Shape => Some(QueryWord::Shape),
            C::Check => Some(QueryWord::Check),
            C::Plot
            | C::Animate
            | C::Show
            | C::Vars
            | C::Clear
            | C::Format
            | C::Precision
            | C::Exact
            | C::Export
            | C::Timeit
            | C::Exercise
            | C::Pause
            | C::Lesson
            | C::Quit
            | C::Help => None,
        }
    }

    fn command(self) -> CommandWord {
        match self {
            QueryWord::Steps => CommandWord::Steps,
            QueryWord::Converge => CommandWord::Converge,
            QueryWord::Shape => CommandWord::Shape,
            QueryWord::Check => CommandWord::Check,
        }
    }
}

// ---------------------------------------------------------------------------
// Public entry points

/// All statements of a source text (a REPL entry, `-c` text, a file, a lesson
/// block). Spans are byte offsets into `src`.
pub fn parse_program(src: &str) -> Result<Vec<Stmt>, ParseError> {
    let p = Parser::new(src, Mode::Top);
    p.stack_base.set(stack_address(&p));
    p.program(src).map_err(|e| p.final_error(e))
}

/// One expression (an exercise answer typed by a student). Newlines are
/// whitespace here.
pub fn parse_expr(src: &str) -> Result<Expr, ParseError> {
    let p = Parser::new(src, Mode::Nested);
    p.stack_base.set(stack_address(&p));
    p.whole_expr(src).map_err(|e| p.final_error(e))
}

/// For the REPL's multi-line input: true when a `(`, `[` or `{` is still open
/// or a string is unterminated at the end of `src`, i.e. the user should be
/// asked for another line. A closing bracket that matches nothing makes the
/// input complete (it is an error, and the parser will say so).
pub fn input_is_incomplete(src: &str) -> bool {
    let mut open = Vec::new();
    let mut chars = src.chars();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '"' => loop {
                match chars.next() {
                    None => return true,
                    Some('\\') => {
                        if chars.next().is_none() {
                            return true;
                        }
                    }
                    Some('"') => break,
                    Some(_) => {}
                }
            },
            '(' | '[' | '{' => open.push(c),
            ')' | ']' | '}' => {
                let opener = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if open.pop() != Some(opener) {
                    return false;
                }
            }
            _ => {}
        }
    }
    !open.is_empty()
}

// ---------------------------------------------------------------------------
// Errors inside the parser

/// The error type threaded through nom. `Soft` only says where an alternative
/// failed (the length of the input left there); `Hard` is the final error.
#[derive(Debug)]
enum PErr {
    Soft(usize),
    Hard(Box<ParseError>),
}

impl<'s> nom::error::ParseError<&'s str> for PErr {
    fn from_error_kind(input: &'s str, _kind: nom::error::ErrorKind) -> Self {
        PErr::Soft(input.len())
    }

    fn append(_input: &'s str, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

type PResult<'s, T> = IResult<&'s str, T, PErr>;
type Fail = nom::Err<PErr>;

fn hard(e: ParseError) -> Fail {
    nom::Err::Failure(PErr::Hard(Box::new(e)))
}

fn soft<T>(i: &str) -> PResult<'_, T> {
    Err(nom::Err::Error(PErr::Soft(i.len())))
}

fn error(kind: K, span: Span, message: impl Into<String>) -> ParseError {
    ParseError {
        kind,
        span,
        message: message.into(),
        hint: None,
        related: None,
    }
}

impl ParseError {
    fn with_hint(mut self, hint: impl Into<String>) -> ParseError {
        self.hint = Some(hint.into());
        self
    }

    fn maybe_hint(mut self, hint: Option<String>) -> ParseError {
        if self.hint.is_none() {
            self.hint = hint;
        }
        self
    }

    fn with_related(mut self, span: Span, label: impl Into<String>) -> ParseError {
        self.related = Some((span, label.into()));
        self
    }
}

/// Advice for a character that looks like an operator but is not one of ours.
fn char_hint(c: char) -> Option<&'static str> {
    Some(match c {
        '×' | '·' | '∗' | '⋅' | '•' => "write `*` to multiply",
        '−' | '–' | '—' => "write `-` (the plain ASCII minus)",
        '÷' => "write `/` to divide",
        '≤' => "write `<=`",
        '≥' => "write `>=`",
        '≠' => "write `!=`",
        '²' => "write `^2` for a square",
        '³' => "write `^3` for a cube",
        '√' => "write `sqrt(…)`",
        '∞' => "write `inf`",
        '\'' => "strings are written in double quotes: \"…\"",
        '“' | '”' | '„' => "write strings with straight double quotes: \"…\"",
        '!' => "write `not` to negate a condition, `!=` for “not equal”",
        ':' => "write `=` to define",
        '&' => "write `and`",
        '|' => "write `or`",
        '%' => "there is no `%` operator",
        _ => return None,
    })
}

/// Characters that start some token (anything else is an unexpected character).
fn starts_token(c: char) -> bool {
    is_word_start(c)
        || c.is_ascii_digit()
        || "()[]{},;.+-*/^@<>=!\"#".contains(c)
        || c.is_whitespace()
}

/// What a keyword is for, shown when it is used as a name or value.
fn keyword_hint(kw: &str) -> &'static str {
    match kw {
        "if" | "otherwise" => {
            "pieces are written `VALUE if CONDITION` or `VALUE otherwise` inside `{ }`"
        }
        "and" | "or" | "not" => "`and`, `or` and `not` combine conditions: `0 <= t and t < 1`",
        "from" => "`from` gives the index of a sequence's first sample: `[3, -1, 2] from -1`",
        "at" => "`at` follows `steps …` or `converge …`: `steps conv(a, b) at 3`",
        _ => "`over` and `to` follow `plot`, `animate` and `export`: `plot f over -1..3 to \"f.png\"`",
    }
}

const RESERVED_HINT: &str =
    "choose another name; the reserved words are if, otherwise, and, or, not, from, at, over, to";

const MULTIPLY_HINT: &str = "to multiply, write `*` between the two values";

// ---------------------------------------------------------------------------
// Lexical helpers

fn is_word_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_word_char(c: char) -> bool {
    c.is_alphabetic() || c.is_ascii_digit() || c == '_'
}

/// WORD = ( LETTER | "_" ) { LETTER | DIGIT | "_" }
fn word(i: &str) -> PResult<'_, &str> {
    recognize((satisfy(is_word_start), take_while(is_word_char))).parse(i)
}

/// The word at the very start of `i` and the input after it.
fn word_at(i: &str) -> Option<(&str, &str)> {
    word(i).ok().map(|(rest, w)| (w, rest))
}

fn is_keyword(w: &str) -> bool {
    KEYWORDS.contains(&w)
}

/// Does `i` start with a single `=` (not `==`)? Returns what follows it.
fn single_eq(i: &str) -> Option<&str> {
    i.strip_prefix('=').filter(|rest| !rest.starts_with('='))
}

/// Could `c` start an operand (a value written next to another one)?
fn starts_operand(i: &str) -> bool {
    match i.chars().next() {
        Some(c) if is_word_start(c) => word_at(i).is_some_and(|(w, _)| !is_keyword(w)),
        Some(c) => c.is_ascii_digit() || "([{\"".contains(c),
        None => false,
    }
}

/// How newlines are treated where the parser currently is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Statement level: a newline ends the statement.
    Top,
    /// Directly inside `{ }`: a newline ends a piece, but a required operand
    /// (after `if`, after an operator) may start on the next line.
    Block,
    /// Inside `( )` or `[ ]`: newlines are whitespace.
    Nested,
}

/// An open bracket, for "expected `)` to close the call opened here".
#[derive(Clone, Copy, Debug)]
struct Opener {
    open: char,
    close: char,
    span: Span,
    what: &'static str,
}

/// An expression with the height of its tree.
struct N {
    e: Expr,
    h: usize,
}

impl N {
    fn leaf(kind: ExprKind, span: Span) -> N {
        N {
            e: Expr { kind, span },
            h: 1,
        }
    }
}

/// Binary operators of the precedence climber, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Infix {
    Range,
    Logic(LogicOp),
    Cmp(CmpOp),
    Arith(BinOp),
}

const PREC_RANGE: u8 = 0;
const PREC_OR: u8 = 1;
const PREC_AND: u8 = 2;
const PREC_NOT: u8 = 3;
const PREC_CMP: u8 = 4;
const PREC_SUM: u8 = 5;
const PREC_PRODUCT: u8 = 6;

impl Infix {
    fn prec(self) -> u8 {
        match self {
            Infix::Range => PREC_RANGE,
            Infix::Logic(LogicOp::Or) => PREC_OR,
            Infix::Logic(LogicOp::And) => PREC_AND,
            Infix::Cmp(_) => PREC_CMP,
            Infix::Arith(BinOp::Add | BinOp::Sub) => PREC_SUM,
            Infix::Arith(_) => PREC_PRODUCT,
        }
    }
}

/// The tail clauses of a command: `at X`, `over X`, `to "file"`, `name=value`.
#[derive(Default)]
struct Tail {
    at: Option<Expr>,
    over: Option<Expr>,
    to: Option<StrLit>,
    options: Vec<Arg>,
}

/// What a statement turned out to be, for advice about what follows it.
enum After<'a> {
    /// A whole input given to [`parse_expr`].
    Answer,
    Expr(&'a Expr),
    Definition,
    Query(&'a Query),
    Command(&'a Command),
}

/// Restores a counter when a nested parse returns, error or not.
struct NestGuard<'a>(&'a Cell<usize>);

impl Drop for NestGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

// ---------------------------------------------------------------------------
// The parser

struct Parser<'s> {
    src: &'s str,
    mode: Cell<Mode>,
    nest: Cell<usize>,
    /// The address of a local of the entry point, for [`STACK_BUDGET`].
    stack_base: Cell<usize>,
    open: RefCell<Vec<Opener>>,
}

/// Where `x` lives: for a local, the current depth of the stack.
fn stack_address<T>(x: &T) -> usize {
    x as *const T as usize
}

impl<'s> Parser<'s> {
    fn new(src: &'s str, mode: Mode) -> Parser<'s> {
        Parser {
            src,
            mode: Cell::new(mode),
            nest: Cell::new(0),
            stack_base: Cell::new(0),
            open: RefCell::new(Vec::new()),
        }
    }

    // --- positions and whitespace ----------------------------------------

    fn pos(&self, i: &str) -> usize {
        self.src.len() - i.len()
    }

    fn span_from(&self, start: usize, rest: &str) -> Span {
        Span::new(start, self.pos(rest))
    }

    fn at(&self, i: &str, len: usize) -> Span {
        let start = self.pos(i);
        Span::new(start, start + len)
    }

    /// Skip spaces and `#` comments, and newlines when `newlines`.
    fn skip(&self, i: &'s str, newlines: bool) -> &'s str {
        let mut i = i;
        loop {
            i = i.trim_start_matches(|c: char| {
                if c == '\n' {
                    newlines
                } else {
                    c.is_whitespace()
                }
            });
            match i.strip_prefix('#') {
                Some(rest) => i = rest.find('\n').map_or("", |n| &rest[n..]),
                None => return i,
            }
        }
    }

    /// Whitespace before an operator or separator.
    fn ws(&self, i: &'s str) -> &'s str {
        self.skip(i, self.mode.get() == Mode::Nested)
    }

    /// Whitespace before a required operand.
    fn ws_operand(&self, i: &'s str) -> &'s str {
        self.skip(i, self.mode.get() != Mode::Top)
    }

    /// Is `i` (after whitespace) at the end of the statement?
    fn at_end(&self, i: &'s str) -> bool {
        let j = self.ws(i);
        j.is_empty() || j.starts_with('\n') || j.starts_with(';')
    }

    /// Parse `f` inside a bracket pair opened at `open`.
    fn within<T>(&self, opener: Opener, mode: Mode, f: impl FnOnce() -> T) -> T {
        self.open.borrow_mut().push(opener);
        let old = self.mode.replace(mode);
        let result = f();
        self.mode.set(old);
        self.open.borrow_mut().pop();
        result
    }

    fn opener(&self, i: &str, open: char, close: char, what: &'static str) -> Opener {
        Opener {
            open,
            close,
            span: self.at(i, 1),
            what,
        }
    }

    /// One level deeper into recursion; fails past [`MAX_NESTING`].
    fn enter(&self, i: &'s str) -> Result<NestGuard<'_>, Fail> {
        let depth = self.nest.get() + 1;
        let used = self.stack_base.get().abs_diff(stack_address(&depth));
        if depth > MAX_NESTING || used > STACK_BUDGET {
            let (span, _) = self.token_at(i);
            return Err(hard(
                error(
                    K::TooDeep,
                    span,
                    format!(
                        "brackets or prefix operators nested too deeply (the limit is {MAX_NESTING} levels)"
                    ),
                )
                .with_hint("split the expression into smaller definitions"),
            ));
        }
        self.nest.set(depth);
        Ok(NestGuard(&self.nest))
    }

    /// Build a node over children of height `child_h`; fails past [`MAX_HEIGHT`].
    fn mk(&self, kind: ExprKind, span: Span, child_h: usize) -> Result<N, Fail> {
        let h = child_h + 1;
        if h > MAX_HEIGHT {
            return Err(self.too_high(span));
        }
        Ok(N {
            e: Expr { kind, span },
            h,
        })
    }

    #[cold]
    fn too_high(&self, span: Span) -> Fail {
        hard(
            error(
                K::TooDeep,
                Span::new(span.end, span.end),
                format!("expression too large: more than {MAX_HEIGHT} operators deep"),
            )
            .with_hint("split the expression into smaller definitions"),
        )
    }

    // --- error construction -----------------------------------------------

    fn final_error(&self, e: Fail) -> ParseError {
        match e {
            nom::Err::Error(PErr::Hard(e)) | nom::Err::Failure(PErr::Hard(e)) => *e,
            nom::Err::Error(PErr::Soft(len)) | nom::Err::Failure(PErr::Soft(len)) => {
                let rest = &self.src[self.src.len() - len.min(self.src.len())..];
                let (span, tok) = self.token_at(rest);
                error(K::Expected, span, format!("unexpected {tok}"))
            }
            nom::Err::Incomplete(_) => error(
                K::UnexpectedEnd,
                Span::new(self.src.len(), self.src.len()),
                "unexpected end of input",
            ),
        }
    }

    /// The token at `j` (no whitespace skipped): its span and a description.
    fn token_at(&self, j: &str) -> (Span, String) {
        let Some(c) = j.chars().next() else {
            return (self.at(j, 0), "the end of the input".into());
        };
        if c == '\n' {
            return (self.at(j, 0), "the end of the line".into());
        }
        if let Some((w, _)) = word_at(j) {
            return (self.at(j, w.len()), format!("`{w}`"));
        }
        if c.is_ascii_digit() {
            let n = j
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
                .unwrap_or(j.len());
            let n = n.min(40);
            let n = (0..=n).rev().find(|&k| j.is_char_boundary(k)).unwrap_or(0);
            return (self.at(j, n), format!("`{}`", &j[..n]));
        }
        for op in ["==", "<=", ">=", "!=", "..", "**"] {
            if j.starts_with(op) {
                return (self.at(j, 2), format!("`{op}`"));
            }
        }
        (self.at(j, c.len_utf8()), format!("`{c}`"))
    }

    /// "expected {what}", at the next token after `i`, with the right kind:
    /// the end of the input inside a bracket is `Unclosed`, a keyword is
    /// `ReservedWord`, a stray character `UnexpectedChar`.
    fn expected(&self, i: &'s str, what: &str) -> Fail {
        let j = self.ws_operand(i);
        let (span, tok) = self.token_at(j);
        let innermost = self.open.borrow().last().copied();
        let e = match j.chars().next() {
            None => match innermost {
                Some(op) => self.unclosed(op),
                None => error(K::UnexpectedEnd, span, format!("expected {what}")),
            },
            Some('\n') => error(K::UnexpectedEnd, span, format!("expected {what}")).with_hint(
                "a statement ends at the end of its line, unless a bracket is still open",
            ),
            Some(c) if is_word_start(c) && is_keyword(&tok[1..tok.len() - 1]) => {
                let kw = &tok[1..tok.len() - 1];
                error(
                    K::ReservedWord,
                    span,
                    format!("expected {what}, found the keyword {tok}"),
                )
                .with_hint(keyword_hint(kw))
            }
            Some(c) if !starts_token(c) => self.unexpected_char(j, c),
            Some(c @ (')' | ']' | '}')) if innermost.is_none() => {
                let open = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                error(
                    K::Unmatched,
                    span,
                    format!("expected {what}, found `{c}` with no open `{open}` for it to close"),
                )
            }
            Some(c) => {
                let e = error(K::Expected, span, format!("expected {what}, found {tok}"));
                match c {
                    '=' if single_eq(j).is_some() => {
                        e.with_hint("`=` defines; to compare two values, write `==`")
                    }
                    _ => e,
                }
            }
        };
        hard(e)
    }

    fn unexpected_char(&self, j: &str, c: char) -> ParseError {
        let e = error(
            K::UnexpectedChar,
            self.at(j, c.len_utf8()),
            format!("unexpected character `{c}`"),
        );
        match char_hint(c) {
            Some(h) => e.with_hint(h),
            None => e,
        }
    }

    fn unclosed(&self, op: Opener) -> ParseError {
        let end = self.src.len();
        error(
            K::Unclosed,
            Span::new(end, end),
            format!(
                "expected `{}` to close the {} opened here",
                op.close, op.what
            ),
        )
        .with_related(op.span, format!("`{}` opened here", op.open))
    }

    /// Inside a bracket, something other than `what` (a separator or the
    /// closing bracket) came next.
    fn close_expected(&self, j: &'s str, what: &str) -> Fail {
        let j = self.ws(j);
        let Some(op) = self.open.borrow().last().copied() else {
            return self.expected(j, what);
        };
        if j.is_empty() {
            return hard(self.unclosed(op));
        }
        let c = j.chars().next().unwrap_or(' ');
        if !starts_token(c) {
            return hard(self.unexpected_char(j, c));
        }
        let (span, tok) = self.token_at(j);
        let new_line = self.src[op.span.end..self.pos(j)].contains('\n');
        let hint = if starts_operand(j) && new_line && op.close != '}' {
            Some(format!(
                "is a `{}` missing before this line? The `{}` is still open here",
                op.close, op.open
            ))
        } else if starts_operand(j) {
            Some(match op.close {
                ')' if op.what == "call" => format!("separate arguments with `,`; {MULTIPLY_HINT}"),
                ']' if op.what == "sequence" => {
                    format!("separate items with `,` and rows with `;`; {MULTIPLY_HINT}")
                }
                '}' => "separate pieces with `;` or a new line".to_string(),
                _ => MULTIPLY_HINT.to_string(),
            })
        } else if single_eq(j).is_some() {
            Some("`=` defines; to compare two values, write `==`".to_string())
        } else {
            None
        };
        hard(
            error(
                K::Expected,
                span,
                if what.len() == 3 {
                    format!(
                        "expected {what} to close the {} opened here, found {tok}",
                        op.what
                    )
                } else {
                    format!("expected {what} in the {}, found {tok}", op.what)
                },
            )
            .with_related(op.span, format!("`{}` opened here", op.open))
            .maybe_hint(hint),
        )
    }

    /// `cut` with a message: run `f`; if it does not match (a soft error),
    /// fail hard with "expected {what}" at the next token. (Written out rather
    /// than with `nom::combinator::cut`, whose layers of generic calls would
    /// sit on every level of the recursion.)
    fn required<T>(
        &self,
        i: &'s str,
        what: &str,
        f: impl FnOnce(&'s str) -> PResult<'s, T>,
    ) -> PResult<'s, T> {
        match f(i) {
            Err(nom::Err::Error(PErr::Soft(_))) => Err(self.expected(i, what)),
            r => r,
        }
    }

    /// Something was left after a complete statement or expression.
    fn trailing(&self, j: &'s str, after: After<'_>) -> Fail {
        let (span, tok) = self.token_at(j);
        let Some(c) = j.chars().next() else {
            return hard(error(K::UnexpectedEnd, span, "unexpected end of input"));
        };
        let e = match c {
            ')' | ']' | '}' => {
                let open = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                error(
                    K::Unmatched,
                    span,
                    format!("unexpected `{c}`: there is no open `{open}` for it to close"),
                )
            }
            '=' if single_eq(j).is_some() => match after {
                After::Expr(lhs) => self.invalid_definition(lhs, span),
                After::Answer => error(K::Expected, span, "unexpected `=`")
                    .with_hint("give just the value; to compare two values, write `==`"),
                _ => error(K::Expected, span, "unexpected `=`")
                    .with_hint("a definition has one `=`; to compare two values, write `==`"),
            },
            ',' => {
                let e = error(K::TrailingInput, span, "unexpected `,`");
                match after {
                    After::Expr(_) | After::Definition | After::Answer => e.with_hint(
                        "to write a pair, use parentheses: `(0, 1)`; statements are separated by `;` or a new line",
                    ),
                    _ => e,
                }
            }
            c if is_word_start(c) && is_keyword(&tok[1..tok.len() - 1]) => {
                let kw = &tok[1..tok.len() - 1];
                error(K::Misplaced, span, format!("`{kw}` cannot be used here"))
                    .with_hint(keyword_hint(kw))
            }
            c if !starts_token(c) => self.unexpected_char(j, c),
            '.' => error(K::UnexpectedChar, span, "unexpected `.`")
                .with_hint("a range is written with two dots: `-1..3`"),
            _ if starts_operand(j) => {
                let takes_options = match after {
                    After::Query(Query::Steps { .. } | Query::Converge { .. }) => true,
                    After::Command(cmd) => matches!(
                        cmd,
                        Command::Plot { .. } | Command::Animate { .. } | Command::Exercise { .. }
                    ),
                    _ => false,
                };
                let e = error(
                    K::TrailingInput,
                    span,
                    format!("unexpected {tok} after the end of the statement"),
                );
                if takes_options && c.is_alphabetic() {
                    e.with_hint("options are written `name=value`, e.g. `zeros=on`")
                } else if let After::Command(cmd) = after {
                    match cmd {
                        Command::Help { .. } => {
                            e.with_hint("`help` takes one topic, e.g. `help conventions`")
                        }
                        Command::Show { .. } | Command::Clear { .. } => {
                            e.with_hint("this command takes names separated by `,`: `show f, g`")
                        }
                        Command::Vars | Command::Pause | Command::Quit => {
                            e.with_hint("this command takes nothing after it")
                        }
                        Command::Format { .. } | Command::ExactMode { .. } => e.with_hint(
                            "this command takes one word: `format markdown`, `exact on`",
                        ),
                        _ => e.with_hint(format!(
                            "{MULTIPLY_HINT}; separate statements with `;` or a new line"
                        )),
                    }
                } else {
                    e.with_hint(format!(
                        "{MULTIPLY_HINT} (implicit multiplication is not supported); separate statements with `;` or a new line"
                    ))
                }
            }
            _ => error(K::TrailingInput, span, format!("unexpected {tok}")),
        };
        hard(e)
    }

    /// `EXPR = …` where EXPR cannot be defined.
    fn invalid_definition(&self, lhs: &Expr, eq: Span) -> ParseError {
        let e = error(
            K::InvalidDefinition,
            lhs.span,
            "only a name, `f(t)` or `y[n]` can be defined",
        )
        .with_related(eq, "`=` defines");
        match &lhs.kind {
            ExprKind::Call { args, .. } if args.is_empty() => {
                e.with_hint("a function needs a parameter: `f(t) = …`")
            }
            ExprKind::Call { .. } => e.with_hint(
                "the parameters of a function definition are plain names: `f(t) = …`, `g(t, s) = …`",
            ),
            ExprKind::Index { .. } => {
                e.with_hint("a sequence is defined with one plain index name: `y[n] = …`")
            }
            _ => e.with_hint("to compare two values, write `==`"),
        }
    }

    /// A statement must be followed by `;`, a newline or the end.
    fn end_of_statement(&self, rest: &'s str, stmt: &Stmt) -> Result<&'s str, Fail> {
        let j = self.ws(rest);
        match j.chars().next() {
            None | Some('\n') | Some(';') => Ok(j),
            Some(_) => {
                let after = match &stmt.kind {
                    StmtKind::Query(Query::Expr(e)) => After::Expr(e),
                    StmtKind::Query(q) => After::Query(q),
                    StmtKind::Command(c) => After::Command(c),
                    _ => After::Definition,
                };
                Err(self.trailing(j, after))
            }
        }
    }

    // --- program and statements --------------------------------------------

    /// program = { separator } [ statement { separator { separator } statement } { separator } ]
    fn program(&self, src: &'s str) -> Result<Vec<Stmt>, Fail> {
        let mut out = Vec::new();
        let mut i = src;
        loop {
            loop {
                i = self.skip(i, true);
                match i.strip_prefix(';') {
                    Some(rest) => i = rest,
                    None => break,
                }
            }
            if i.is_empty() {
                return Ok(out);
            }
            let (rest, stmt) = self.statement(i)?;
            i = self.end_of_statement(rest, &stmt)?;
            out.push(stmt);
        }
    }

    fn whole_expr(&self, src: &'s str) -> Result<Expr, Fail> {
        let (rest, n) = self.required(src, "an expression", |i| self.expr(i))?;
        let j = self.skip(rest, true);
        if !j.is_empty() {
            return Err(self.trailing(j, After::Answer));
        }
        Ok(n.e)
    }

    /// statement = command | definition | query
    fn statement(&self, i: &'s str) -> PResult<'s, Stmt> {
        let start = self.pos(i);
        if let Some((w, after)) = self.command_word(i) {
            return self.command(start, w, after);
        }
        if let Some(done) = self.definition(i)? {
            return Ok(done);
        }
        let (rest, n) = self.required(i, "a statement", |i| self.expr(i))?;
        self.reject_double_equals_definition(&n.e)?;
        let span = self.span_from(start, rest);
        Ok((
            rest,
            Stmt {
                kind: StmtKind::Query(Query::Expr(n.e)),
                span,
            },
        ))
    }

    /// A command word at `i`, unless it is followed by `=` (then it is a
    /// name being defined) or directly by `(` or `[` (a call or an index).
    fn command_word(&self, i: &'s str) -> Option<(CommandWord, &'s str)> {
        let (w, after) = word_at(i)?;
        let w = CommandWord::from_word(w)?;
        if after.starts_with('(') || after.starts_with('[') || self.ws(after).starts_with('=') {
            return None;
        }
        Some((w, after))
    }

    /// `f(t) == { … }`: a definition written with `==`.
    fn reject_double_equals_definition(&self, e: &Expr) -> Result<(), Fail> {
        let ExprKind::Compare { first, rest } = &e.kind else {
            return Ok(());
        };
        let [(CmpOp::Eq, rhs)] = rest.as_slice() else {
            return Ok(());
        };
        let plain = |e: &Expr| matches!(e.kind, ExprKind::Ident(_));
        let definable = match &first.kind {
            ExprKind::Ident(_) => true,
            ExprKind::Call { args, .. } => {
                !args.is_empty() && args.iter().all(|a| a.name.is_none() && plain(&a.value))
            }
            ExprKind::Index { target, indices } => {
                plain(target) && indices.len() == 1 && plain(&indices[0])
            }
            _ => false,
        };
        if !definable || !matches!(rhs.kind, ExprKind::Piecewise { .. }) {
            return Ok(());
        }
        let between = &self.src[first.span.end..rhs.span.start];
        let span = match between.find("==") {
            Some(k) => Span::new(first.span.end + k, first.span.end + k + 2),
            None => e.span,
        };
        Err(hard(
            error(
                K::InvalidDefinition,
                span,
                "`==` compares two values; it cannot define",
            )
            .with_hint("to define, write a single `=`: `f(t) = { … }`"),
        ))
    }

    /// definition = NAME "=" expr | NAME "(" NAME { "," NAME } ")" "=" expr | NAME "[" NAME "]" "=" expr
    ///
    /// Returns `None` (having consumed nothing) when `i` does not start with
    /// a definition head followed by a single `=`.
    fn definition(&self, i: &'s str) -> Result<Option<(&'s str, Stmt)>, Fail> {
        enum Head<'a> {
            Plain,
            Fn(Vec<(&'a str, Span)>),
            Seq(&'a str, Span),
        }
        let start = self.pos(i);
        let Some((name, after)) = word_at(i) else {
            return Ok(None);
        };
        let name_span = self.at(i, name.len());
        let (head, j) = if let Some(k) = self.skip(after, false).strip_prefix('(') {
            match self.param_list(k) {
                Some((params, rest)) => (Head::Fn(params), rest),
                None => return Ok(None),
            }
        } else if let Some(k) = after.strip_prefix('[') {
            let k = self.skip(k, true);
            let Some((index, r)) = word_at(k) else {
                return Ok(None);
            };
            let index_span = self.at(k, index.len());
            let Some(r) = self.skip(r, true).strip_prefix(']') else {
                return Ok(None);
            };
            (Head::Seq(index, index_span), r)
        } else {
            (Head::Plain, after)
        };
        let Some(body) = single_eq(self.ws(j)) else {
            return Ok(None);
        };
        let name = self.name_ident(name, name_span)?;
        if matches!(head, Head::Fn(_)) && is_reserved(&name.name) {
            let eq = self.ws(j);
            return Err(hard(
                error(
                    K::InvalidDefinition,
                    Span::new(start, self.pos(j)),
                    "only a name, `f(t)` or `y[n]` can be defined",
                )
                .with_related(self.at(eq, 1), "`=` defines")
                .with_hint(format!(
                    "`{}` is a built-in operation: to keep its result, write `c = {}`; to compare, write `==`",
                    name.name,
                    &self.src[start..self.pos(j)]
                )),
            ));
        }
        let (rest, n) = self.required(body, "an expression after `=`", |i| self.expr(i))?;
        let kind = match head {
            Head::Plain => StmtKind::Assign { name, value: n.e },
            Head::Fn(params) => {
                let mut idents: Vec<Ident> = Vec::with_capacity(params.len());
                for (p, span) in params {
                    let id = self.name_ident(p, span)?;
                    if let Some(first) = idents.iter().find(|q| q.name == id.name) {
                        return Err(hard(
                            error(
                                K::Duplicate,
                                span,
                                format!("the parameter `{p}` appears twice"),
                            )
                            .with_related(first.span, "first here")
                            .with_hint("give each parameter its own name: `g(t, s) = …`"),
                        ));
                    }
                    idents.push(id);
                }
                StmtKind::DefFn {
                    name,
                    params: idents,
                    body: n.e,
                }
            }
            Head::Seq(index, span) => StmtKind::DefSeq {
                name,
                index: self.name_ident(index, span)?,
                body: n.e,
            },
        };
        let span = self.span_from(start, rest);
        Ok(Some((rest, Stmt { kind, span })))
    }

    /// NAME { "," NAME } ")" — the parameters of a definition head.
    fn param_list(&self, k: &'s str) -> Option<(Vec<(&'s str, Span)>, &'s str)> {
        let mut params = Vec::new();
        let mut k = k;
        loop {
            k = self.skip(k, true);
            let (w, r) = word_at(k)?;
            params.push((w, self.at(k, w.len())));
            k = self.skip(r, true);
            match k.strip_prefix(',') {
                Some(r) => k = r,
                None => return k.strip_prefix(')').map(|r| (params, r)),
            }
        }
    }

    /// A word used as a name: keywords are refused.
    fn name_ident(&self, w: &str, span: Span) -> Result<Ident, Fail> {
        if is_keyword(w) {
            return Err(hard(
                error(
                    K::ReservedWord,
                    span,
                    format!("`{w}` is a reserved word and cannot be a name"),
                )
                .with_hint(RESERVED_HINT),
            ));
        }
        Ok(Ident {
            name: w.to_string(),
            span,
        })
    }

    /// NAME, after whitespace.
    fn name(&self, i: &'s str) -> PResult<'s, Ident> {
        let j = self.ws_operand(i);
        let Some((w, rest)) = word_at(j) else {
            return soft(j);
        };
        let id = self.name_ident(w, self.at(j, w.len()))?;
        Ok((rest, id))
    }

    /// NAME { "," NAME }
    fn name_list(&self, i: &'s str, first: &str) -> PResult<'s, Vec<Ident>> {
        let (mut i, id) = self.required(i, first, |i| self.name(i))?;
        let mut names = vec![id];
        while let Some(after) = self.ws(i).strip_prefix(',') {
            let (rest, id) = self.required(after, "a name after `,`", |i| self.name(i))?;
            names.push(id);
            i = rest;
        }
        Ok((i, names))
    }

    // --- commands ------------------------------------------------------------

    fn command(&self, start: usize, w: CommandWord, after: &'s str) -> PResult<'s, Stmt> {
        let stmt = |rest: &'s str, kind: StmtKind| -> PResult<'s, Stmt> {
            Ok((
                rest,
                Stmt {
                    kind,
                    span: self.span_from(start, rest),
                },
            ))
        };
        let cmd = |rest: &'s str, c: Command| stmt(rest, StmtKind::Command(c));
        let query = |q: QueryWord| -> PResult<'s, Stmt> {
            let (rest, q) = self.query_command(start, q, after, true)?;
            stmt(rest, StmtKind::Query(q))
        };
        match w {
            CommandWord::Steps => query(QueryWord::Steps),
            CommandWord::Converge => query(QueryWord::Converge),
            CommandWord::Shape => query(QueryWord::Shape),
            CommandWord::Check => query(QueryWord::Check),
            CommandWord::Plot => {
                let mut items = Vec::new();
                let mut i = after;
                loop {
                    let what = if items.is_empty() {
                        "something to plot after `plot`"
                    } else {
                        "something to plot after `,`"
                    };
                    let (rest, item) = self.required(i, what, |i| self.plot_item(i))?;
                    items.push(item);
                    i = rest;
                    match self.ws(i).strip_prefix(',') {
                        Some(rest) => i = rest,
                        None => break,
                    }
                }
                let (rest, t) = self.tail(i, &["over", "to"], true)?;
                cmd(
                    rest,
                    Command::Plot {
                        items,
                        over: t.over,
                        to: t.to,
                        options: t.options,
                    },
                )
            }
            CommandWord::Animate => {
                let (i, target) =
                    self.required(after, "an expression after `animate`", |i| self.expr(i))?;
                let (rest, t) = self.tail(i, &["over", "to"], true)?;
                let Some(to) = t.to else {
                    return Err(
                        self.expected(rest, "`to \"FILE.gif\"`: an animation is written to a file")
                    );
                };
                cmd(
                    rest,
                    Command::Animate {
                        target: target.e,
                        over: t.over,
                        to,
                        options: t.options,
                    },
                )
            }
            CommandWord::Export => {
                let (i, query) = self.required(
                    after,
                    "a table to export after `export`, e.g. `export steps conv(a, b) to \"c.md\"`",
                    |i| self.query(i),
                )?;
                let j = self.ws(i);
                let Some(("to", k)) = word_at(j) else {
                    return Err(self.expected(i, "`to \"FILE\"` after the table to export"));
                };
                let (rest, to) = self.required(
                    k,
                    "a file name in quotes after `to`, e.g. `to \"c.md\"`",
                    |i| self.string_lit(i),
                )?;
                cmd(rest, Command::Export { query, to })
            }
            CommandWord::Show => {
                let (rest, names) = self.name_list(after, "a name after `show`")?;
                cmd(rest, Command::Show { names })
            }
            CommandWord::Clear => {
                if self.at_end(after) {
                    return cmd(after, Command::Clear { names: Vec::new() });
                }
                let (rest, names) = self.name_list(after, "a name after `clear`")?;
                cmd(rest, Command::Clear { names })
            }
            CommandWord::Help => {
                let j = self.ws(after);
                match word_at(j) {
                    Some((topic, rest)) => cmd(
                        rest,
                        Command::Help {
                            topic: Some(Ident {
                                name: topic.to_string(),
                                span: self.at(j, topic.len()),
                            }),
                        },
                    ),
                    None => cmd(after, Command::Help { topic: None }),
                }
            }
            CommandWord::Format => {
                let (rest, name) = self.required(
                    after,
                    &format!("a format after `format`: {}", Format::choices()),
                    |i| self.name(i),
                )?;
                cmd(rest, Command::Format { name })
            }
            CommandWord::Precision => {
                let (rest, n) =
                    self.required(after, "a number of digits after `precision`", |i| {
                        self.expr(i)
                    })?;
                cmd(rest, Command::Precision { digits: n.e })
            }
            CommandWord::Exact => {
                let j = self.ws(after);
                match word_at(j) {
                    Some(("on", rest)) => cmd(rest, Command::ExactMode { on: true }),
                    Some(("off", rest)) => cmd(rest, Command::ExactMode { on: false }),
                    _ => {
                        let e = self.expected(after, "`on` or `off` after `exact`");
                        let looks_like_call = j.starts_with('(') || word_at(j).is_some();
                        Err(match (e, looks_like_call) {
                            (nom::Err::Failure(PErr::Hard(e)), true) => hard((*e).with_hint(
                                "for the closed form of a convolution, write `exact(conv(f, g))`, with no space before `(`",
                            )),
                            (e, _) => e,
                        })
                    }
                }
            }
            CommandWord::Timeit => {
                let (rest, query) =
                    self.required(after, "an expression to time after `timeit`", |i| {
                        self.query(i)
                    })?;
                cmd(rest, Command::Timeit { query })
            }
            CommandWord::Exercise => {
                let (i, prompt) = self.required(
                    after,
                    "the question in quotes after `exercise`, e.g. `exercise \"Compute c[3]\" = conv(a, b)[3]`",
                    |i| self.string_lit(i),
                )?;
                let Some(k) = single_eq(self.ws(i)) else {
                    return Err(self.expected(i, "`=` and the answer after the question"));
                };
                let (i, answer) = self.required(k, "the answer after `=`", |i| self.expr(i))?;
                let (rest, t) = self.tail(i, &[], true)?;
                cmd(
                    rest,
                    Command::Exercise {
                        prompt,
                        answer: answer.e,
                        options: t.options,
                    },
                )
            }
            CommandWord::Lesson => {
                let (rest, n) =
                    self.required(after, "a lesson number or name after `lesson`", |i| {
                        self.expr(i)
                    })?;
                cmd(rest, Command::Lesson { which: n.e })
            }
            CommandWord::Vars => cmd(after, Command::Vars),
            CommandWord::Pause => cmd(after, Command::Pause),
            CommandWord::Quit => cmd(after, Command::Quit),
        }
    }

    /// query = steps | converge | shape | check | expr
    fn query(&self, i: &'s str) -> PResult<'s, Query> {
        let i = self.ws_operand(i);
        let start = self.pos(i);
        if let Some((w, after)) = self.command_word(i) {
            if let Some(q) = QueryWord::of(w) {
                return self.query_command(start, q, after, true);
            }
        }
        let (rest, n) = self.expr(i)?;
        Ok((rest, Query::Expr(n.e)))
    }

    /// plot_item = "steps" expr [ "at" expr ] | "converge" expr "at" expr | expr
    fn plot_item(&self, i: &'s str) -> PResult<'s, Query> {
        let i = self.ws_operand(i);
        let start = self.pos(i);
        if let Some((w @ (CommandWord::Steps | CommandWord::Converge), after)) =
            self.command_word(i)
        {
            if let Some(q) = QueryWord::of(w) {
                return self.query_command(start, q, after, false);
            }
        }
        let (rest, n) = self.expr(i)?;
        Ok((rest, Query::Expr(n.e)))
    }

    /// steps, converge, shape, check. `options`: whether `name=value` options
    /// belong to this query (inside `plot` they belong to the plot).
    fn query_command(
        &self,
        start: usize,
        w: QueryWord,
        after: &'s str,
        options: bool,
    ) -> PResult<'s, Query> {
        let name = w.command().spec().name;
        let (i, target) = self.required(after, &format!("an expression after `{name}`"), |i| {
            self.expr(i)
        })?;
        let target = target.e;
        match w {
            QueryWord::Steps => {
                let (rest, t) = self.tail(i, &["at"], options)?;
                Ok((
                    rest,
                    Query::Steps {
                        target,
                        at: t.at,
                        options: t.options,
                        span: self.span_from(start, rest),
                    },
                ))
            }
            QueryWord::Converge => {
                let (rest, t) = self.tail(i, &["at"], options)?;
                let Some(at) = t.at else {
                    return Err(self.expected(
                        rest,
                        "`at` and a point after the expression, e.g. `converge conv(f, g) at 1`",
                    ));
                };
                Ok((
                    rest,
                    Query::Converge {
                        target,
                        at,
                        options: t.options,
                        span: self.span_from(start, rest),
                    },
                ))
            }
            QueryWord::Shape => Ok((
                i,
                Query::Shape {
                    target,
                    span: self.span_from(start, i),
                },
            )),
            QueryWord::Check => Ok((
                i,
                Query::Check {
                    expr: target,
                    span: self.span_from(start, i),
                },
            )),
        }
    }

    /// { "at" expr | "over" expr | "to" STRING | option }, with the keyword
    /// clauses limited to `allowed` and each given at most once.
    fn tail(&self, i: &'s str, allowed: &[&str], options: bool) -> PResult<'s, Tail> {
        let mut t = Tail::default();
        let mut i = i;
        loop {
            let j = self.ws(i);
            let Some((w, after)) = word_at(j) else { break };
            if matches!(w, "at" | "over" | "to") {
                if !allowed.contains(&w) {
                    break;
                }
                let given = match w {
                    "at" => t.at.is_some(),
                    "over" => t.over.is_some(),
                    _ => t.to.is_some(),
                };
                if given {
                    return Err(hard(error(
                        K::Duplicate,
                        self.at(j, w.len()),
                        format!("`{w}` is given twice"),
                    )));
                }
                match w {
                    "at" => {
                        let (rest, n) =
                            self.required(after, "a point after `at`", |i| self.expr(i))?;
                        t.at = Some(n.e);
                        i = rest;
                    }
                    "over" => {
                        let (rest, n) =
                            self.required(after, "a range after `over`, e.g. `over -1..3`", |i| {
                                self.expr(i)
                            })?;
                        t.over = Some(n.e);
                        i = rest;
                    }
                    _ => {
                        let (rest, s) = self.required(
                            after,
                            "a file name in quotes after `to`, e.g. `to \"plot.png\"`",
                            |i| self.string_lit(i),
                        )?;
                        t.to = Some(s);
                        i = rest;
                    }
                }
                continue;
            }
            if !options {
                break;
            }
            let Some(value) = single_eq(self.ws(after)) else {
                break;
            };
            let name = Ident {
                name: w.to_string(),
                span: self.at(j, w.len()),
            };
            let (rest, n) = self.required(value, &format!("a value for `{w}` after `=`"), |i| {
                self.expr(i)
            })?;
            t.options.push(Arg {
                name: Some(name),
                value: n.e,
                span: self.span_from(self.pos(j), rest),
            });
            i = rest;
        }
        Ok((i, t))
    }

    // --- expressions ---------------------------------------------------------
    //
    // The functions on the recursive path (climb → prefix → unary → power →
    // postfix → primary → paren/bracket/block/call → climb) keep their frames
    // small: nodes are built and errors written in separate functions, so that
    // MAX_NESTING levels fit in a small stack even in unoptimised builds.

    /// expr = or_expr [ ".." or_expr ]
    fn expr(&self, i: &'s str) -> PResult<'s, N> {
        self.climb(i, PREC_RANGE)
    }

    fn operand(&self, i: &'s str, min: u8, what: &str) -> PResult<'s, N> {
        self.required(i, what, |i| self.climb(i, min))
    }

    /// Precedence climbing over the binary levels (range, or, and,
    /// comparison chains, sums, products); `min` is the lowest level this
    /// call may take.
    fn climb(&self, i: &'s str, min: u8) -> PResult<'s, N> {
        let i = self.ws_operand(i);
        let start = self.pos(i);
        let (mut i, mut lhs) = self.prefix(i, min)?;
        while let Some((op, after)) = self.peek_infix(i)? {
            if op.prec() < min {
                break;
            }
            (i, lhs) = match op {
                Infix::Range => self.range_rest(start, lhs, after)?,
                Infix::Cmp(first) => self.chain_rest(start, lhs, first, after)?,
                _ => self.binary_rest(start, lhs, op, after)?,
            };
        }
        Ok((i, lhs))
    }

    /// `lo ..` seen: the upper end, and no second `..`.
    fn range_rest(&self, start: usize, lo: N, after: &'s str) -> PResult<'s, N> {
        let (rest, hi) = self.operand(after, PREC_OR, "the end of the range after `..`")?;
        let n = self.join(self.span_from(start, rest), lo, hi, |lo, hi| {
            ExprKind::Range { lo, hi }
        })?;
        if let Some((Infix::Range, _)) = self.peek_infix(rest)? {
            return Err(self.second_range(rest));
        }
        Ok((rest, n))
    }

    /// `first op` seen: the rest of the comparison chain.
    fn chain_rest(&self, start: usize, first: N, op: CmpOp, after: &'s str) -> PResult<'s, N> {
        let mut rest = Vec::new();
        let mut h = first.h;
        let (mut op, mut after) = (op, after);
        loop {
            let (r, rhs) = self.operand(after, PREC_SUM, after_operator(Infix::Cmp(op)))?;
            h = h.max(rhs.h);
            rest.push((op, rhs.e));
            match self.peek_infix(r)? {
                Some((Infix::Cmp(next), a)) => (op, after) = (next, a),
                _ => {
                    let n = self.compare(self.span_from(start, r), first, rest, h)?;
                    return Ok((r, n));
                }
            }
        }
    }

    /// `lhs op` seen, for a left-associative `and`, `or`, `+ - * / @`.
    fn binary_rest(&self, start: usize, lhs: N, op: Infix, after: &'s str) -> PResult<'s, N> {
        let (rest, rhs) = self.operand(after, op.prec() + 1, after_operator(op))?;
        let span = self.span_from(start, rest);
        let n = match op {
            Infix::Logic(op) => {
                self.join(span, lhs, rhs, |lhs, rhs| ExprKind::Logic { op, lhs, rhs })?
            }
            Infix::Arith(op) => {
                self.join(span, lhs, rhs, |lhs, rhs| ExprKind::Binary { op, lhs, rhs })?
            }
            _ => unreachable!("ranges and comparisons have their own rules"),
        };
        Ok((rest, n))
    }

    /// A node over two children.
    fn join(
        &self,
        span: Span,
        a: N,
        b: N,
        kind: impl FnOnce(Box<Expr>, Box<Expr>) -> ExprKind,
    ) -> Result<N, Fail> {
        let h = a.h.max(b.h);
        self.mk(kind(Box::new(a.e), Box::new(b.e)), span, h)
    }

    fn compare(&self, span: Span, first: N, rest: Vec<(CmpOp, Expr)>, h: usize) -> Result<N, Fail> {
        let first = Box::new(first.e);
        self.mk(ExprKind::Compare { first, rest }, span, h)
    }

    /// A node over one child.
    fn wrap(&self, op: UnOp, span: Span, operand: N) -> Result<N, Fail> {
        let h = operand.h;
        let operand = Box::new(operand.e);
        self.mk(ExprKind::Unary { op, operand }, span, h)
    }

    #[cold]
    fn second_range(&self, i: &'s str) -> Fail {
        let j = self.ws(i);
        hard(
            error(K::Misplaced, self.at(j, 2), "a range has only one `..`")
                .with_hint("write `lo..hi`, e.g. `-1..3`"),
        )
    }

    /// The binary operator after `i`, if any, and the input after it.
    /// Look-alikes (`**`, `=<`, `×`, `≤` …) are errors with advice.
    fn peek_infix(&self, i: &'s str) -> Result<Option<(Infix, &'s str)>, Fail> {
        let j = self.ws(i);
        let two = |op: &str| j.starts_with(op);
        let bad = |len: usize, msg: &str, hint: &str| -> Fail {
            hard(error(K::Expected, self.at(j, len), msg).with_hint(hint))
        };
        let Some(c) = j.chars().next() else {
            return Ok(None);
        };
        let (op, len) = match c {
            '.' if two("..") => (Infix::Range, 2),
            '<' if two("<=") => (Infix::Cmp(CmpOp::Le), 2),
            '<' if two("<>") => return Err(bad(2, "`<>` is not an operator", "write `!=`")),
            '<' => (Infix::Cmp(CmpOp::Lt), 1),
            '>' if two(">=") => (Infix::Cmp(CmpOp::Ge), 2),
            '>' => (Infix::Cmp(CmpOp::Gt), 1),
            '=' if two("==") => (Infix::Cmp(CmpOp::Eq), 2),
            '=' if two("=<") => return Err(bad(2, "`=<` is not an operator", "write `<=`")),
            '=' if two("=>") => return Err(bad(2, "`=>` is not an operator", "write `>=`")),
            '!' if two("!=") => (Infix::Cmp(CmpOp::Ne), 2),
            '+' => (Infix::Arith(BinOp::Add), 1),
            '-' => (Infix::Arith(BinOp::Sub), 1),
            '*' if two("**") => {
                return Err(bad(
                    2,
                    "`**` is not an operator",
                    "write `^` for powers: `t^2`",
                ))
            }
            '*' => (Infix::Arith(BinOp::Mul), 1),
            '/' => (Infix::Arith(BinOp::Div), 1),
            '@' => (Infix::Arith(BinOp::MatMul), 1),
            'a' | 'o' => match word_at(j) {
                Some(("and", rest)) => return Ok(Some((Infix::Logic(LogicOp::And), rest))),
                Some(("or", rest)) => return Ok(Some((Infix::Logic(LogicOp::Or), rest))),
                _ => return Ok(None),
            },
            c if !c.is_ascii() && !is_word_start(c) && char_hint(c).is_some() => {
                return Err(hard(self.unexpected_char(j, c)))
            }
            _ => return Ok(None),
        };
        Ok(Some((op, &j[len..])))
    }

    /// not_expr = "not" not_expr | comparison — or else a unary operand.
    fn prefix(&self, i: &'s str, min: u8) -> PResult<'s, N> {
        match word_at(i) {
            Some(("not", after)) => self.not_expr(i, after, min),
            _ => self.unary(i),
        }
    }

    fn not_expr(&self, i: &'s str, after: &'s str, min: u8) -> PResult<'s, N> {
        if min > PREC_NOT {
            return Err(self.misplaced_not(i));
        }
        let _guard = self.enter(i)?;
        let (rest, operand) = self.operand(after, PREC_NOT, "a condition after `not`")?;
        let n = self.wrap(UnOp::Not, self.span_from(self.pos(i), rest), operand)?;
        Ok((rest, n))
    }

    #[cold]
    fn misplaced_not(&self, i: &'s str) -> Fail {
        hard(
            error(
                K::Misplaced,
                self.at(i, 3),
                "`not` cannot stand inside arithmetic or a comparison",
            )
            .with_hint("put it in parentheses: `(not …)`"),
        )
    }

    /// unary = ( "-" | "+" ) unary | power
    fn unary(&self, i: &'s str) -> PResult<'s, N> {
        let i = self.ws_operand(i);
        let _guard = self.enter(i)?;
        if let Some(after) = i.strip_prefix('-') {
            let (rest, operand) = self.required(after, "a value after `-`", |i| self.unary(i))?;
            let n = self.wrap(UnOp::Neg, self.span_from(self.pos(i), rest), operand)?;
            return Ok((rest, n));
        }
        if let Some(after) = i.strip_prefix('+') {
            return self.required(after, "a value after `+`", |i| self.unary(i));
        }
        self.power(i)
    }

    /// power = postfix [ "^" unary ]
    fn power(&self, i: &'s str) -> PResult<'s, N> {
        let (rest, base) = self.postfix(i)?;
        let Some(after) = self.ws(rest).strip_prefix('^') else {
            return Ok((rest, base));
        };
        let (rest, exponent) = self.required(after, "an exponent after `^`", |i| self.unary(i))?;
        let span = self.span_from(self.pos(i), rest);
        let n = self.join(span, base, exponent, |lhs, rhs| ExprKind::Binary {
            op: BinOp::Pow,
            lhs,
            rhs,
        })?;
        Ok((rest, n))
    }

    /// postfix = primary { index }, index = "[" expr { "," expr } [ "," ] "]" (no space before "[")
    fn postfix(&self, i: &'s str) -> PResult<'s, N> {
        let (mut rest, mut node) = self.primary(i)?;
        while rest.starts_with('[') {
            (rest, node) = self.index_rest(self.pos(i), node, rest)?;
        }
        Ok((rest, node))
    }

    fn index_rest(&self, start: usize, target: N, i: &'s str) -> PResult<'s, N> {
        let opener = self.opener(i, '[', ']', "index");
        let (rest, (indices, h)) = self.within(opener, Mode::Nested, || {
            self.expr_list(&i[1..], ']', "an index after `[`")
        })?;
        let h = h.max(target.h);
        let target = Box::new(target.e);
        let n = self.mk(
            ExprKind::Index { target, indices },
            self.span_from(start, rest),
            h,
        )?;
        Ok((rest, n))
    }

    /// expr { "," expr } [ "," ] CLOSE — with at least one item.
    fn expr_list(&self, i: &'s str, close: char, first: &str) -> PResult<'s, (Vec<Expr>, usize)> {
        let mut items = Vec::new();
        let mut h = 0;
        let mut i = i;
        loop {
            let what = if items.is_empty() {
                first
            } else {
                "an item after `,`"
            };
            let (rest, n) = self.required(i, what, |i| self.expr(i))?;
            h = h.max(n.h);
            items.push(n.e);
            let j = self.ws(rest);
            if let Some(after) = j.strip_prefix(',') {
                if let Some(done) = self.ws(after).strip_prefix(close) {
                    return Ok((done, (items, h)));
                }
                i = after;
            } else if let Some(done) = j.strip_prefix(close) {
                return Ok((done, (items, h)));
            } else {
                let what = if close == ')' {
                    "`,` or `)`"
                } else {
                    "`,` or `]`"
                };
                return Err(self.close_expected(j, what));
            }
        }
    }

    /// primary = NUMBER | STRING | call | NAME | paren | bracket | block
    fn primary(&self, i: &'s str) -> PResult<'s, N> {
        let i = self.ws_operand(i);
        match i.chars().next() {
            Some('0'..='9') => self.number(i),
            Some('.') if i[1..].starts_with(|c: char| c.is_ascii_digit()) => self.number(i),
            Some('"') => self.string_expr(i),
            Some('(') => self.paren(i),
            Some('[') => self.bracket(i),
            Some('{') => self.block(i),
            Some(c) if is_word_start(c) => self.name_or_call(i),
            _ => soft(i),
        }
    }

    fn string_expr(&self, i: &'s str) -> PResult<'s, N> {
        let (rest, s) = self.string_lit(i)?;
        Ok((rest, N::leaf(ExprKind::Str(s.value), s.span)))
    }

    /// NAME or call; a keyword is no value (the caller says what it expected).
    fn name_or_call(&self, i: &'s str) -> PResult<'s, N> {
        let Some((w, rest)) = word_at(i).filter(|(w, _)| !is_keyword(w)) else {
            return soft(i);
        };
        let span = self.at(i, w.len());
        let j = self.ws(rest);
        if j.starts_with('(') {
            let func = Ident {
                name: w.to_string(),
                span,
            };
            return self.call(span.start, func, j);
        }
        Ok((rest, N::leaf(ExprKind::Ident(w.to_string()), span)))
    }

    /// NUMBER = DIGITS [ "." DIGITS ] [ EXP ] | "." DIGITS [ EXP ]
    fn number(&self, i: &'s str) -> PResult<'s, N> {
        let start = self.pos(i);
        let (rest, text) = recognize((
            alt((
                recognize((digit1, opt((char('.'), digit1)))),
                recognize((char('.'), digit1)),
            )),
            opt((one_of("eE"), opt(one_of("+-")), digit1)),
        ))
        .parse(i)?;
        let span = self.span_from(start, rest);
        let bad = |span: Span, msg: String| hard(error(K::BadNumber, span, msg));
        let mut next = rest.chars();
        match next.next() {
            Some('.') => match next.next() {
                Some('.') => {}
                Some(d) if d.is_ascii_digit() => {
                    let (more, _) = digit1::<_, PErr>(&rest[1..]).unwrap_or((&rest[1..], ""));
                    return Err(bad(
                        self.span_from(start, more),
                        "a number has at most one decimal point".into(),
                    ));
                }
                _ => {
                    return Err(hard(
                        error(
                            K::BadNumber,
                            Span::new(start, span.end + 1),
                            "a decimal point must be followed by digits",
                        )
                        .with_hint(format!("write `{text}.0` or `{text}`")),
                    ))
                }
            },
            Some(c) if is_word_start(c) => {
                let (w, _) = word_at(rest).unwrap_or(("", rest));
                return Err(hard(
                    error(
                        K::ImplicitMultiplication,
                        Span::new(start, span.end + w.len()),
                        "implicit multiplication is not supported",
                    )
                    .with_hint(format!("write `{text}*{w}`")),
                ));
            }
            Some('(') => {
                return Err(hard(
                    error(
                        K::ImplicitMultiplication,
                        Span::new(start, span.end + 1),
                        "implicit multiplication is not supported",
                    )
                    .with_hint(format!("write `{text}*(…)`")),
                ))
            }
            _ => {}
        }
        if text.len() > MAX_NUMBER_LEN {
            return Err(bad(
                span,
                format!("a number may have at most {MAX_NUMBER_LEN} digits"),
            ));
        }
        if let Some(k) = text.find(['e', 'E']) {
            let digits = text[k + 1..]
                .trim_start_matches(['+', '-'])
                .trim_start_matches('0');
            if digits.len() > 5 {
                return Err(hard(
                    error(
                        K::BadNumber,
                        span,
                        format!("the exponent of `{text}` is out of range"),
                    )
                    .with_hint("exponents go from -99999 to 99999"),
                ));
            }
        }
        match Number::parse_literal(text) {
            Some(n) => Ok((rest, N::leaf(ExprKind::Number(n), span))),
            None => Err(bad(span, format!("`{text}` is not a valid number"))),
        }
    }

    /// STRING = '"' { CHAR | ESCAPE } '"', ESCAPE = '\"' | '\\' | '\n' | '\t'
    fn string_lit(&self, i: &'s str) -> PResult<'s, StrLit> {
        let i = self.ws_operand(i);
        let start = self.pos(i);
        let Some(body) = i.strip_prefix('"') else {
            return soft(i);
        };
        let mut value = String::new();
        let mut chars = body.char_indices();
        while let Some((k, c)) = chars.next() {
            match c {
                '"' => {
                    let rest = &body[k + 1..];
                    let span = self.span_from(start, rest);
                    return Ok((rest, StrLit { value, span }));
                }
                '\\' => match chars.next() {
                    Some((_, '"')) => value.push('"'),
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, 't')) => value.push('\t'),
                    Some((m, other)) => {
                        let from = start + 1 + k;
                        let to = start + 1 + m + other.len_utf8();
                        return Err(hard(
                            error(
                                K::BadString,
                                Span::new(from, to),
                                format!("unknown escape `\\{other}` in a string"),
                            )
                            .with_hint(
                                "the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`; in a file name, `/` works as a separator",
                            ),
                        ));
                    }
                    None => break,
                },
                c => value.push(c),
            }
        }
        Err(hard(
            error(
                K::BadString,
                Span::new(start, start + 1),
                "this string is never closed",
            )
            .with_hint("add a closing `\"`"),
        ))
    }

    /// call = NAME "(" [ arg { "," arg } [ "," ] ] ")", arg = WORD "=" expr | expr
    fn call(&self, start: usize, func: Ident, paren: &'s str) -> PResult<'s, N> {
        let opener = self.opener(paren, '(', ')', "call");
        let (rest, (args, h)) = self.within(opener, Mode::Nested, || self.args(&paren[1..]))?;
        let n = self.mk(
            ExprKind::Call { func, args },
            self.span_from(start, rest),
            h,
        )?;
        Ok((rest, n))
    }

    fn args(&self, i: &'s str) -> PResult<'s, (Vec<Arg>, usize)> {
        let mut args: Vec<Arg> = Vec::new();
        let mut h = 0;
        if let Some(rest) = self.ws(i).strip_prefix(')') {
            return Ok((rest, (args, h)));
        }
        let mut i = i;
        loop {
            let (rest, (arg, ah)) = self.arg(i, args.is_empty())?;
            if arg.name.is_none() {
                if let Some(named) = args.iter().find(|a| a.name.is_some()) {
                    return Err(self.positional_after_named(&arg, named));
                }
            }
            h = h.max(ah);
            args.push(arg);
            let j = self.ws(rest);
            if let Some(after) = j.strip_prefix(',') {
                if let Some(done) = self.ws(after).strip_prefix(')') {
                    return Ok((done, (args, h)));
                }
                i = after;
            } else if let Some(done) = j.strip_prefix(')') {
                return Ok((done, (args, h)));
            } else {
                return Err(self.close_expected(j, "`,` or `)`"));
            }
        }
    }

    /// arg = WORD "=" expr | expr
    fn arg(&self, i: &'s str, first: bool) -> PResult<'s, (Arg, usize)> {
        let j = self.ws(i);
        let named = word_at(j).and_then(|(w, after)| single_eq(self.ws(after)).map(|v| (w, v)));
        let Some((w, value)) = named else {
            let what = if first {
                "an argument after `(`"
            } else {
                "an argument after `,`"
            };
            let (rest, n) = self.required(j, what, |i| self.expr(i))?;
            return Ok((rest, self.positional(n)));
        };
        let (rest, n) = self.required(value, "a value after `=`", |i| self.expr(i))?;
        let name = Ident {
            name: w.to_string(),
            span: self.at(j, w.len()),
        };
        Ok((rest, self.named(name, n, self.span_from(self.pos(j), rest))))
    }

    fn positional(&self, n: N) -> (Arg, usize) {
        let span = n.e.span;
        let arg = Arg {
            name: None,
            value: n.e,
            span,
        };
        (arg, n.h)
    }

    fn named(&self, name: Ident, n: N, span: Span) -> (Arg, usize) {
        let arg = Arg {
            name: Some(name),
            value: n.e,
            span,
        };
        (arg, n.h)
    }

    #[cold]
    fn positional_after_named(&self, arg: &Arg, named: &Arg) -> Fail {
        hard(
            error(
                K::ArgumentOrder,
                arg.span,
                "a positional argument cannot follow a named one",
            )
            .with_hint("put positional arguments first: `conv(a, b, mode=valid)`")
            .with_related(named.span, "named argument here"),
        )
    }

    /// paren = "(" expr ")" | "(" expr "," expr { "," expr } [ "," ] ")"
    fn paren(&self, i: &'s str) -> PResult<'s, N> {
        let opener = self.opener(i, '(', ')', "parentheses");
        self.within(opener, Mode::Nested, || self.paren_body(i))
    }

    fn paren_body(&self, i: &'s str) -> PResult<'s, N> {
        let inner = &i[1..];
        if self.ws(inner).starts_with(')') {
            return Err(self.empty_parens(i));
        }
        let (rest, first) = self.required(inner, "an expression after `(`", |i| self.expr(i))?;
        let j = self.ws(rest);
        if let Some(done) = j.strip_prefix(')') {
            return Ok((done, first));
        }
        let Some(after) = j.strip_prefix(',') else {
            return Err(self.close_expected(j, "`)`"));
        };
        let (done, (items, h)) = self.expr_list(after, ')', "an item after `,`")?;
        let n = self.tuple(self.span_from(self.pos(i), done), first, items, h)?;
        Ok((done, n))
    }

    fn tuple(&self, span: Span, first: N, mut items: Vec<Expr>, h: usize) -> Result<N, Fail> {
        let h = h.max(first.h);
        items.insert(0, first.e);
        self.mk(ExprKind::Tuple(items), span, h)
    }

    #[cold]
    fn empty_parens(&self, i: &'s str) -> Fail {
        let close = self.ws(&i[1..]);
        hard(
            error(
                K::Expected,
                Span::new(self.pos(i), self.pos(close) + 1),
                "empty parentheses: expected an expression inside `( )`",
            )
            .with_hint("to call a function, write its name right before `(`: `f(t)`"),
        )
    }

    /// bracket = "[" [ row { ";" row } [ ";" ] ] "]" [ "from" unary ], row = expr { "," expr } [ "," ]
    fn bracket(&self, i: &'s str) -> PResult<'s, N> {
        let opener = self.opener(i, '[', ']', "sequence");
        let (rest, body) = self.within(opener, Mode::Nested, || self.bracket_body(&i[1..]))?;
        let start = self.pos(i);
        let j = self.ws(rest);
        match word_at(j) {
            Some(("from", after)) => self.seq_from(start, body, j, after),
            _ => {
                let n = self.bracket_node(self.span_from(start, rest), body)?;
                Ok((rest, n))
            }
        }
    }

    /// `[…] from` seen: the index of the first sample.
    fn seq_from(&self, start: usize, body: Rows, j: &'s str, after: &'s str) -> PResult<'s, N> {
        let (kind, h) = bracket_kind(body);
        let ExprKind::Seq { items, .. } = kind else {
            return Err(self.matrix_from(j));
        };
        let (rest, from) = self.required(
            after,
            "the index of the first sample after `from`, e.g. `from -1`",
            |i| self.unary(i),
        )?;
        let h = h.max(from.h);
        let from = Some(Box::new(from.e));
        let n = self.mk(
            ExprKind::Seq { items, from },
            self.span_from(start, rest),
            h,
        )?;
        Ok((rest, n))
    }

    fn bracket_node(&self, span: Span, body: Rows) -> Result<N, Fail> {
        let (kind, h) = bracket_kind(body);
        self.mk(kind, span, h)
    }

    #[cold]
    fn matrix_from(&self, j: &'s str) -> Fail {
        hard(
            error(K::Misplaced, self.at(j, 4), "a matrix has no `from`").with_hint(
                "`from` gives the index of a sequence's first sample: `[3, -1, 2] from -1`",
            ),
        )
    }

    /// The rows of a bracket literal up to and including `]`.
    fn bracket_body(&self, i: &'s str) -> PResult<'s, Rows> {
        let mut body = Rows {
            rows: vec![Vec::new()],
            semicolons: false,
            h: 0,
        };
        let mut what = "an item or `]` after `[`";
        let mut i = i;
        loop {
            let j = self.ws(i);
            if let Some(done) = j.strip_prefix(']') {
                return Ok((done, body));
            }
            let (rest, n) = self.required(j, what, |i| self.expr(i))?;
            body.h = body.h.max(n.h);
            if let Some(row) = body.rows.last_mut() {
                row.push(n.e);
            }
            let j = self.ws(rest);
            if let Some(after) = j.strip_prefix(',') {
                what = "an item after `,`";
                i = after;
            } else if let Some(after) = j.strip_prefix(';') {
                body.semicolons = true;
                body.rows.push(Vec::new());
                what = "an item after `;`";
                i = after;
            } else if let Some(done) = j.strip_prefix(']') {
                return Ok((done, body));
            } else {
                return Err(self.close_expected(j, "`,`, `;` or `]`"));
            }
        }
    }

    /// block = "{" { piece_sep } piece { piece_sep { piece_sep } piece } { piece_sep } "}"
    fn block(&self, i: &'s str) -> PResult<'s, N> {
        let opener = self.opener(i, '{', '}', "block");
        let (rest, (pieces, h)) = self.within(opener, Mode::Block, || self.pieces(&i[1..]))?;
        let n = self.mk(
            ExprKind::Piecewise { pieces },
            self.span_from(self.pos(i), rest),
            h,
        )?;
        Ok((rest, n))
    }

    fn pieces(&self, i: &'s str) -> PResult<'s, (Vec<Piece>, usize)> {
        let mut pieces: Vec<Piece> = Vec::new();
        let mut h = 0;
        // The `otherwise` keyword of the last piece, if it had one.
        let mut otherwise: Option<Span> = None;
        let mut i = i;
        loop {
            i = self.piece_separators(i);
            if let Some(done) = i.strip_prefix('}') {
                if pieces.is_empty() {
                    return Err(self.empty_block(i));
                }
                return Ok((done, (pieces, h)));
            }
            if let Some(last) = pieces.last() {
                if last.cond.is_none() {
                    return Err(self.piece_after_last(i, last, otherwise));
                }
            }
            let (rest, (piece, ph, kw)) = self.piece(i)?;
            h = h.max(ph);
            otherwise = kw;
            let bare = piece.cond.is_none() && otherwise.is_none();
            pieces.push(piece);
            i = self.after_piece(rest, bare)?;
        }
    }

    fn piece_separators(&self, i: &'s str) -> &'s str {
        let mut i = i;
        loop {
            i = self.skip(i, true);
            match i.strip_prefix([';', ',']) {
                Some(rest) => i = rest,
                None => return i,
            }
        }
    }

    /// piece = expr "if" expr | expr "otherwise" | expr; returns the piece,
    /// its height and the span of `otherwise`.
    fn piece(&self, i: &'s str) -> PResult<'s, (Piece, usize, Option<Span>)> {
        let (rest, value) = self.required(
            i,
            "a piece: `VALUE if CONDITION` or `VALUE otherwise`",
            |i| self.expr(i),
        )?;
        let k = self.skip(rest, true);
        let start = self.pos(i);
        match word_at(k) {
            Some(("if", after)) => {
                let (rest, cond) = self.operand(after, PREC_RANGE, "a condition after `if`")?;
                let h = value.h.max(cond.h);
                Ok((
                    rest,
                    (self.make_piece(start, rest, value, Some(cond)), h, None),
                ))
            }
            Some(("otherwise", after)) => {
                let kw = self.at(k, "otherwise".len());
                let h = value.h;
                Ok((
                    after,
                    (self.make_piece(start, after, value, None), h, Some(kw)),
                ))
            }
            _ => {
                let h = value.h;
                Ok((rest, (self.make_piece(start, rest, value, None), h, None)))
            }
        }
    }

    fn make_piece(&self, start: usize, rest: &'s str, value: N, cond: Option<N>) -> Piece {
        Piece {
            value: value.e,
            cond: cond.map(|c| c.e),
            span: self.span_from(start, rest),
        }
    }

    /// `name =` (or `f(t) =`, `y[n] =`) at the start of a line inside a
    /// block that opened on an earlier line: the block's `}` is missing, the
    /// `=` is not a comparison gone wrong.
    fn definition_in_block(&self, j: &'s str) -> Option<Fail> {
        let op = self.open.borrow().last().copied()?;
        let p = self.pos(j);
        let line_start = self.src[..p].rfind('\n').map_or(0, |k| k + 1);
        if op.close != '}' || line_start <= op.span.end {
            return None;
        }
        let line = &self.src[line_start..p];
        let head = line.trim();
        let indent = line.len() - line.trim_start().len();
        let name_end = head
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(head.len());
        let args = &head[name_end..];
        let starts_name = head
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_');
        let head_ok = args.is_empty()
            || (args.starts_with('(') && args.ends_with(')'))
            || (args.starts_with('[') && args.ends_with(']'));
        if !starts_name || !head_ok {
            return None;
        }
        let start = line_start + indent;
        Some(hard(
            error(
                K::Expected,
                Span::new(start, start + head.len()),
                format!(
                    "expected `}}` to close the block opened here, found a definition of `{}`",
                    &head[..name_end]
                ),
            )
            .with_related(op.span, "`{` opened here")
            .with_hint("is a `}` missing before this line? The `{` is still open here"),
        ))
    }

    /// After a piece: a separator or `}`.
    fn after_piece(&self, rest: &'s str, bare: bool) -> Result<&'s str, Fail> {
        let j = self.ws(rest);
        match j.chars().next() {
            Some(';' | ',' | '\n' | '}') => Ok(j),
            None => Err(self.expected(j, "`}`")),
            Some(_) if single_eq(j).is_some() && self.definition_in_block(j).is_some() => Err(self
                .definition_in_block(j)
                .unwrap_or_else(|| self.expected(j, "`}`"))),
            Some(_) if single_eq(j).is_some() => Err(hard(
                error(
                    K::Expected,
                    self.at(j, 1),
                    "`=` cannot be used in a condition",
                )
                .with_hint("to compare two values, write `==`"),
            )),
            Some(_) if bare => {
                let (span, tok) = self.token_at(j);
                Err(hard(
                    error(
                        K::Expected,
                        span,
                        format!(
                            "expected `if`, `otherwise`, `;` or `}}` after the piece's value, found {tok}"
                        ),
                    )
                    .with_hint("write `VALUE if CONDITION` or `VALUE otherwise`"),
                ))
            }
            Some(_) => Err(self.close_expected(j, "`;`, a new line or `}`")),
        }
    }

    #[cold]
    fn empty_block(&self, i: &'s str) -> Fail {
        hard(
            error(
                K::Expected,
                self.at(i, 1),
                "expected a piece: a `{ }` block needs at least one",
            )
            .with_hint("e.g. `{ 1 if 0 <= t < 1 }`"),
        )
    }

    /// Another piece after one with no condition.
    #[cold]
    fn piece_after_last(&self, i: &'s str, last: &Piece, otherwise: Option<Span>) -> Fail {
        match otherwise {
            Some(kw) => hard(
                error(
                    K::Misplaced,
                    self.token_at(i).0,
                    "no piece can follow the `otherwise` piece",
                )
                .with_related(kw, "`otherwise` here")
                .with_hint(
                    "pieces are tried in order, so nothing after `otherwise` is ever used: move `otherwise` last",
                ),
            ),
            None => {
                let between = &self.src[last.span.end..self.pos(i)];
                let hint = if between.contains(['\n']) && !between.contains([';', ',']) {
                    "write `VALUE if CONDITION` or `VALUE otherwise` (inside `{ }` a new line starts a new piece; to continue a piece, put it in parentheses)"
                } else {
                    "write `VALUE if CONDITION` or `VALUE otherwise`"
                };
                hard(
                    error(K::Expected, last.value.span, "this piece has no condition")
                        .with_hint(hint),
                )
            }
        }
    }
}

/// The items of a bracket literal, as parsed.
struct Rows {
    rows: Vec<Vec<Expr>>,
    semicolons: bool,
    h: usize,
}

/// `[a, b; c, d]` and `[[a, b], [c, d]]` are matrices, anything else a sequence.
fn bracket_kind(body: Rows) -> (ExprKind, usize) {
    let Rows {
        mut rows,
        semicolons,
        h,
    } = body;
    if semicolons {
        if rows.last().is_some_and(|r| r.is_empty()) {
            rows.pop();
        }
        return (ExprKind::Matrix { rows }, h);
    }
    let items = rows.pop().unwrap_or_default();
    let is_row = |e: &Expr| matches!(&e.kind, ExprKind::Seq { from: None, .. });
    if items.is_empty() || !items.iter().all(is_row) {
        return (ExprKind::Seq { items, from: None }, h);
    }
    let rows = items
        .into_iter()
        .map(|e| match e.kind {
            ExprKind::Seq { items, .. } => items,
            _ => Vec::new(),
        })
        .collect();
    (ExprKind::Matrix { rows }, h)
}

/// The message for a missing right operand.
fn after_operator(op: Infix) -> &'static str {
    match op {
        Infix::Range => "the end of the range after `..`",
        Infix::Logic(LogicOp::And) => "a condition after `and`",
        Infix::Logic(LogicOp::Or) => "a condition after `or`",
        Infix::Cmp(CmpOp::Lt) => "a value after `<`",
        Infix::Cmp(CmpOp::Le) => "a value after `<=`",
        Infix::Cmp(CmpOp::Gt) => "a value after `>`",
        Infix::Cmp(CmpOp::Ge) => "a value after `>=`",
        Infix::Cmp(CmpOp::Eq) => "a value after `==`",
        Infix::Cmp(CmpOp::Ne) => "a value after `!=`",
        Infix::Arith(BinOp::Add) => "a value after `+`",
        Infix::Arith(BinOp::Sub) => "a value after `-`",
        Infix::Arith(BinOp::Mul) => "a value after `*`",
        Infix::Arith(BinOp::Div) => "a value after `/`",
        Infix::Arith(BinOp::Pow) => "an exponent after `^`",
        Infix::Arith(BinOp::MatMul) => "a value after `@`",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;
    use std::time::{Duration, Instant};

    // --- helpers -----------------------------------------------------------

    #[track_caller]
    fn program(src: &str) -> Vec<Stmt> {
        parse_program(src).unwrap_or_else(|e| panic!("{src:?} did not parse: {e:#?}"))
    }

    #[track_caller]
    fn one(src: &str) -> Stmt {
        let mut v = program(src);
        assert_eq!(v.len(), 1, "{src:?} gave {} statements: {v:#?}", v.len());
        v.remove(0)
    }

    /// The statement's shape as an S-expression.
    #[track_caller]
    fn parse_as(src: &str, expected: &str) {
        let s = one(src);
        assert_eq!(stmt_sx(&s), expected, "for {src:?}");
    }

    #[track_caller]
    fn expr_as(src: &str, expected: &str) {
        let e = parse_expr(src).unwrap_or_else(|e| panic!("{src:?} did not parse: {e:#?}"));
        assert_eq!(sx(&e), expected, "for {src:?}");
    }

    #[track_caller]
    fn fails_with(src: &str, kind: K) -> ParseError {
        match parse_program(src) {
            Ok(v) => panic!("{src:?} parsed, expected a {kind:?} error: {v:#?}"),
            Err(e) => {
                assert_eq!(e.kind, kind, "for {src:?}: {e:#?}");
                e
            }
        }
    }

    /// The text under an error's caret.
    fn caret<'a>(src: &'a str, e: &ParseError) -> &'a str {
        &src[e.span.start..e.span.end]
    }

    fn text(src: &str, span: Span) -> &str {
        &src[span.start..span.end]
    }

    fn sx(e: &Expr) -> String {
        let list = |v: &[Expr]| v.iter().map(sx).collect::<Vec<_>>().join(" ");
        match &e.kind {
            ExprKind::Number(n) => n.to_string(),
            ExprKind::Str(s) => format!("{s:?}"),
            ExprKind::Ident(n) => n.clone(),
            ExprKind::Unary { op, operand } => {
                let op = if *op == UnOp::Neg { "neg" } else { "not" };
                format!("({op} {})", sx(operand))
            }
            ExprKind::Binary { op, lhs, rhs } => {
                format!("({} {} {})", op.symbol(), sx(lhs), sx(rhs))
            }
            ExprKind::Compare { first, rest } => {
                let mut s = format!("(cmp {}", sx(first));
                for (op, e) in rest {
                    let _ = write!(s, " {} {}", op.symbol(), sx(e));
                }
                s + ")"
            }
            ExprKind::Logic { op, lhs, rhs } => {
                let op = if *op == LogicOp::And { "and" } else { "or" };
                format!("({op} {} {})", sx(lhs), sx(rhs))
            }
            ExprKind::Call { func, args } => {
                let mut s = format!("(call {}", func.name);
                for a in args {
                    s.push(' ');
                    s += &arg_sx(a);
                }
                s + ")"
            }
            ExprKind::Index { target, indices } => {
                format!("(idx {} {})", sx(target), list(indices))
            }
            ExprKind::Seq { items, from } => match from {
                Some(f) => format!("[{} from {}]", list(items), sx(f)),
                None => format!("[{}]", list(items)),
            },
            ExprKind::Matrix { rows } => {
                let rows: Vec<String> = rows.iter().map(|r| format!("[{}]", list(r))).collect();
                format!("(mat {})", rows.join(" "))
            }
            ExprKind::Piecewise { pieces } => {
                let p: Vec<String> = pieces
                    .iter()
                    .map(|p| match &p.cond {
                        Some(c) => format!("{} if {}", sx(&p.value), sx(c)),
                        None => format!("{} otherwise", sx(&p.value)),
                    })
                    .collect();
                format!("{{{}}}", p.join("; "))
            }
            ExprKind::Range { lo, hi } => format!("(.. {} {})", sx(lo), sx(hi)),
            ExprKind::Tuple(items) => format!("(tuple {})", list(items)),
        }
    }

    fn arg_sx(a: &Arg) -> String {
        match &a.name {
            Some(n) => format!("{}={}", n.name, sx(&a.value)),
            None => sx(&a.value),
        }
    }

    fn opts_sx(options: &[Arg]) -> String {
        options.iter().map(|a| format!(" {}", arg_sx(a))).collect()
    }

    fn query_sx(q: &Query) -> String {
        match q {
            Query::Expr(e) => sx(e),
            Query::Steps {
                target,
                at,
                options,
                ..
            } => {
                let at = at
                    .as_ref()
                    .map(|a| format!(" at {}", sx(a)))
                    .unwrap_or_default();
                format!("(steps {}{at}{})", sx(target), opts_sx(options))
            }
            Query::Converge {
                target,
                at,
                options,
                ..
            } => format!(
                "(converge {} at {}{})",
                sx(target),
                sx(at),
                opts_sx(options)
            ),
            Query::Shape { target, .. } => format!("(shape {})", sx(target)),
            Query::Check { expr, .. } => format!("(check {})", sx(expr)),
        }
    }

    fn stmt_sx(s: &Stmt) -> String {
        let names = |v: &[Ident]| {
            v.iter()
                .map(|n| n.name.clone())
                .collect::<Vec<_>>()
                .join(" ")
        };
        match &s.kind {
            StmtKind::Assign { name, value } => format!("(= {} {})", name.name, sx(value)),
            StmtKind::DefFn { name, params, body } => {
                format!("(deffn {}({}) {})", name.name, names(params), sx(body))
            }
            StmtKind::DefSeq { name, index, body } => {
                format!("(defseq {}[{}] {})", name.name, index.name, sx(body))
            }
            StmtKind::Query(q) => query_sx(q),
            StmtKind::Command(c) => match c {
                Command::Plot {
                    items,
                    over,
                    to,
                    options,
                } => {
                    let items: Vec<String> = items.iter().map(query_sx).collect();
                    let over = over
                        .as_ref()
                        .map(|o| format!(" over {}", sx(o)))
                        .unwrap_or_default();
                    let to = to
                        .as_ref()
                        .map(|t| format!(" to {:?}", t.value))
                        .unwrap_or_default();
                    format!("(plot {}{over}{to}{})", items.join(", "), opts_sx(options))
                }
                Command::Animate {
                    target,
                    over,
                    to,
                    options,
                } => {
                    let over = over
                        .as_ref()
                        .map(|o| format!(" over {}", sx(o)))
                        .unwrap_or_default();
                    format!(
                        "(animate {}{over} to {:?}{})",
                        sx(target),
                        to.value,
                        opts_sx(options)
                    )
                }
                Command::Export { query, to } => {
                    format!("(export {} to {:?})", query_sx(query), to.value)
                }
                Command::Show { names: n } => format!("(show {})", names(n)),
                Command::Vars => "(vars)".into(),
                Command::Clear { names: n } => format!("(clear {})", names(n)),
                Command::Help { topic } => match topic {
                    Some(t) => format!("(help {})", t.name),
                    None => "(help)".into(),
                },
                Command::Format { name } => format!("(format {})", name.name),
                Command::Precision { digits } => format!("(precision {})", sx(digits)),
                Command::ExactMode { on } => format!("(exact {})", if *on { "on" } else { "off" }),
                Command::Timeit { query } => format!("(timeit {})", query_sx(query)),
                Command::Exercise {
                    prompt,
                    answer,
                    options,
                } => format!(
                    "(exercise {:?} = {}{})",
                    prompt.value,
                    sx(answer),
                    opts_sx(options)
                ),
                Command::Pause => "(pause)".into(),
                Command::Lesson { which } => format!("(lesson {})", sx(which)),
                Command::Quit => "(quit)".into(),
            },
        }
    }

    /// Every span in an expression covers exactly the node's text: no
    /// surrounding whitespace, inside the source.
    fn check_spans(src: &str, e: &Expr) {
        let t = text(src, e.span);
        assert!(!t.is_empty(), "empty span for {e:?}");
        assert_eq!(t.trim(), t, "span of {} has whitespace at an end", sx(e));
        let kids: Vec<&Expr> = match &e.kind {
            ExprKind::Unary { operand, .. } => vec![operand],
            ExprKind::Binary { lhs, rhs, .. } | ExprKind::Logic { lhs, rhs, .. } => vec![lhs, rhs],
            ExprKind::Compare { first, rest } => std::iter::once(&**first)
                .chain(rest.iter().map(|(_, e)| e))
                .collect(),
            ExprKind::Call { args, .. } => args.iter().map(|a| &a.value).collect(),
            ExprKind::Index { target, indices } => {
                std::iter::once(&**target).chain(indices.iter()).collect()
            }
            ExprKind::Seq { items, from } => items.iter().chain(from.as_deref()).collect(),
            ExprKind::Matrix { rows } => rows.iter().flatten().collect(),
            ExprKind::Piecewise { pieces } => pieces
                .iter()
                .flat_map(|p| std::iter::once(&p.value).chain(p.cond.as_ref()))
                .collect(),
            ExprKind::Range { lo, hi } => vec![lo, hi],
            ExprKind::Tuple(items) => items.iter().collect(),
            _ => vec![],
        };
        for k in kids {
            assert!(
                e.span.start <= k.span.start && k.span.end <= e.span.end,
                "child {} outside its parent {}",
                sx(k),
                sx(e)
            );
            check_spans(src, k);
        }
    }

    fn stmt_exprs(s: &Stmt) -> Vec<&Expr> {
        fn q(q: &Query) -> Vec<&Expr> {
            match q {
                Query::Expr(e) => vec![e],
                Query::Steps {
                    target,
                    at,
                    options,
                    ..
                } => std::iter::once(target)
                    .chain(at.as_ref())
                    .chain(options.iter().map(|a| &a.value))
                    .collect(),
                Query::Converge {
                    target,
                    at,
                    options,
                    ..
                } => [target, at]
                    .into_iter()
                    .chain(options.iter().map(|a| &a.value))
                    .collect(),
                Query::Shape { target, .. } => vec![target],
                Query::Check { expr, .. } => vec![expr],
            }
        }
        match &s.kind {
            StmtKind::Assign { value, .. } => vec![value],
            StmtKind::DefFn { body, .. } | StmtKind::DefSeq { body, .. } => vec![body],
            StmtKind::Query(query) => q(query),
            StmtKind::Command(c) => match c {
                Command::Plot {
                    items,
                    over,
                    options,
                    ..
                } => items
                    .iter()
                    .flat_map(q)
                    .chain(over.as_ref())
                    .chain(options.iter().map(|a| &a.value))
                    .collect(),
                Command::Animate {
                    target,
                    over,
                    options,
                    ..
                } => std::iter::once(target)
                    .chain(over.as_ref())
                    .chain(options.iter().map(|a| &a.value))
                    .collect(),
                Command::Export { query, .. } | Command::Timeit { query } => q(query),
                Command::Exercise {
                    answer, options, ..
                } => std::iter::once(answer)
                    .chain(options.iter().map(|a| &a.value))
                    .collect(),
                Command::Precision { digits } => vec![digits],
                Command::Lesson { which } => vec![which],
                _ => vec![],
            },
        }
    }

    /// Parse, check every span, and return the statements' shapes.
    #[track_caller]
    fn shapes(src: &str) -> Vec<String> {
        let stmts = program(src);
        for s in &stmts {
            let t = text(src, s.span);
            assert_eq!(t.trim(), t, "statement span with whitespace: {t:?}");
            assert!(!t.contains('\n') || t.contains(['(', '[', '{']), "{t:?}");
            for e in stmt_exprs(s) {
                check_spans(src, e);
            }
        }
        stmts.iter().map(stmt_sx).collect()
    }

    // --- definitions: numbers, sequences, origins, matrices, literals ----------

    #[test]
    fn numbers_sequences_matrices() {
        let src = r#"
h = 0.25                          # scalar
a = [1, 0.5, 1, 1]                # sequence; first sample at n = 0
x = [3, -1, 2] from -1            # first sample at n = -1
y[n] = { 0.5^n if 0 <= n <= 7 }   # sequence by formula; zero elsewhere
I = [[a, b, c, d], [e, f, g, h],  # matrix; rows may also be separated by ';'
     [i, j, k, l]]                # a literal may span lines while a bracket is open
K = [w, x; y, z]
"#;
        assert_eq!(
            shapes(src),
            [
                "(= h 0.25)",
                "(= a [1 0.5 1 1])",
                "(= x [3 (neg 1) 2 from (neg 1)])",
                "(defseq y[n] {(^ 0.5 n) if (cmp 0 <= n <= 7)})",
                "(= I (mat [a b c d] [e f g h] [i j k l]))",
                "(= K (mat [w x] [y z]))",
            ]
        );
        let stmts = program(src);
        assert_eq!(text(src, stmts[0].span), "h = 0.25");
        assert_eq!(
            text(src, stmts[4].span),
            "I = [[a, b, c, d], [e, f, g, h],  # matrix; rows may also be separated by ';'\n     [i, j, k, l]]"
        );
        let StmtKind::Assign { value, .. } = &stmts[2].kind else {
            panic!()
        };
        assert_eq!(text(src, value.span), "[3, -1, 2] from -1");
        let ExprKind::Seq {
            from: Some(from), ..
        } = &value.kind
        else {
            panic!()
        };
        assert_eq!(text(src, from.span), "-1");
    }

    #[test]
    fn exact_literals() {
        let e = parse_expr("0.1").unwrap();
        assert_eq!(e.kind, ExprKind::Number(Number::ratio(1, 10)));
        let cases = [
            ("12", Number::int(12)),
            ("0.25", Number::ratio(1, 4)),
            (".5", Number::ratio(1, 2)),
            ("1e-3", Number::ratio(1, 1000)),
            ("2.5E+2", Number::int(250)),
            ("007", Number::int(7)),
        ];
        for (src, n) in cases {
            assert_eq!(parse_expr(src).unwrap().kind, ExprKind::Number(n), "{src}");
        }
        expr_as("0.1 + 0.2", "(+ 0.1 0.2)");
        expr_as("1..4", "(.. 1 4)");
        expr_as("1.5..2.5", "(.. 1.5 2.5)");
        expr_as(".5...75", "(.. 0.5 0.75)");
        expr_as("-1..3", "(.. (neg 1) 3)");
    }

    // --- definitions: functions, pieces, conditions ---------------------------

    #[test]
    fn function_definitions() {
        let src = r#"
f(t) = { 1 if 0 <= t < 1 }                       # zero elsewhere
g(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }  # triangle, peak 1 at t = 1
p(t) = { t^2 if 0 <= t < 1; 1 if 1 <= t < 3; 0 otherwise }
e1(t) = exp(-t) * u(t)
w(a) = { 2*exp(-2*a) if a >= 0 }                 # any variable name
s = 0.5
k(t) = exp(-t^2 / (2*s^2)) / (s*sqrt(2*pi))      # may use defined scalars and functions
"#;
        assert_eq!(
            shapes(src),
            [
                "(deffn f(t) {1 if (cmp 0 <= t < 1)})",
                "(deffn g(t) {t if (cmp 0 <= t < 1); (- 2 t) if (cmp 1 <= t <= 2)})",
                "(deffn p(t) {(^ t 2) if (cmp 0 <= t < 1); 1 if (cmp 1 <= t < 3); 0 otherwise})",
                "(deffn e1(t) (* (call exp (neg t)) (call u t)))",
                "(deffn w(a) {(* 2 (call exp (* (neg 2) a))) if (cmp a >= 0)})",
                "(= s 0.5)",
                "(deffn k(t) (/ (call exp (/ (neg (^ t 2)) (* 2 (^ s 2)))) (* s (call sqrt (* 2 pi)))))",
            ]
        );
        // The triangle: two pieces, each condition a chain of two comparisons.
        let g = &program(src)[1];
        let StmtKind::DefFn { body, params, .. } = &g.kind else {
            panic!()
        };
        assert_eq!(params.len(), 1);
        let ExprKind::Piecewise { pieces } = &body.kind else {
            panic!()
        };
        assert_eq!(pieces.len(), 2);
        for p in pieces {
            let Some(Expr {
                kind: ExprKind::Compare { rest, .. },
                ..
            }) = &p.cond
            else {
                panic!("{p:?}")
            };
            assert_eq!(rest.len(), 2);
        }
        assert_eq!(text(src, pieces[1].span), "2 - t if 1 <= t <= 2");
    }

    #[test]
    fn piece_blocks_over_several_lines() {
        let src = "f(t) = {\n    t + 1 if -1 <= t < 0   # rising\n    -t + 1 if 0 <= t < 1\n\n    0 otherwise\n}";
        assert_eq!(
            shapes(src),
            ["(deffn f(t) {(+ t 1) if (cmp (neg 1) <= t < 0); (+ (neg t) 1) if (cmp 0 <= t < 1); 0 otherwise})"]
        );
        // An operand may continue on the next line; `if` may too.
        parse_as(
            "f(t) = { t if 0 <= t and\n t < 1\n 2 -\n t\n if t >= 1, }",
            "(deffn f(t) {t if (and (cmp 0 <= t) (cmp t < 1)); (- 2 t) if (cmp t >= 1)})",
        );
        // Trailing separators, and commas between pieces.
        parse_as(
            "f(t) = { 1 if t < 0, 2 otherwise; }",
            "(deffn f(t) {1 if (cmp t < 0); 2 otherwise})",
        );
        // One bare piece is a value everywhere; a last bare piece is `otherwise`.
        parse_as("f(t) = { t^2 }", "(deffn f(t) {(^ t 2) otherwise})");
        parse_as(
            "f(t) = { t if t > 0; 0 }",
            "(deffn f(t) {t if (cmp t > 0); 0 otherwise})",
        );
        // Inside brackets in a piece, newlines are whitespace again.
        parse_as(
            "f(t) = { max(t,\n 0) if t < 1 }",
            "(deffn f(t) {(call max t 0) if (cmp t < 1)})",
        );
    }

    // --- operations: calls, named options, indexing, arithmetic ---------------

    #[test]
    fn operation_forms() {
        let cases = [
            ("conv(a, b)", "(call conv a b)"),
            ("corr(a, b)", "(call corr a b)"),
            ("conv(a, b, mode=valid)", "(call conv a b mode=valid)"),
            (
                "conv(A, K, mode=valid, stride=2, padding=1, dilation=2, boundary=zero)",
                "(call conv A K mode=valid stride=2 padding=1 dilation=2 boundary=zero)",
            ),
            ("c[3]", "(idx c 3)"),
            ("A[1, 2]", "(idx A 1 2)"),
            ("h(0.3)", "(call h 0.3)"),
            ("flip(g)", "(call flip g)"),
            ("shift(g, 0.3)", "(call shift g 0.3)"),
            ("a + b", "(+ a b)"),
            ("a - b", "(- a b)"),
            ("2*a", "(* 2 a)"),
            ("a * b", "(* a b)"),
            ("integrate(f)", "(call integrate f)"),
            ("integrate(f, 0, 2)", "(call integrate f 0 2)"),
            ("sample(f, 0.25)", "(call sample f 0.25)"),
            (
                "sample(f, 0.25, from=-1, to=3)",
                "(call sample f 0.25 from=(neg 1) to=3)",
            ),
            (
                "riemann(conv(f, g), 0.25)",
                "(call riemann (call conv f g) 0.25)",
            ),
            ("conv_matrix(b, 4)", "(call conv_matrix b 4)"),
            (
                "conv_matrix(b, 4, mode=valid)",
                "(call conv_matrix b 4 mode=valid)",
            ),
            (
                "conv_matrix(K, [3, 4], mode=valid)",
                "(call conv_matrix K [3 4] mode=valid)",
            ),
            ("T @ v", "(@ T v)"),
            ("T @ a == conv(a, b)", "(cmp (@ T a) == (call conv a b))"),
            ("exact(conv(f, g))", "(call exact (call conv f g))"),
            ("cconv(a, b, 8)", "(call cconv a b 8)"),
            ("dft(a)", "(call dft a)"),
            ("idft(X)", "(call idft X)"),
            ("dft(a, 8)", "(call dft a 8)"),
            (
                "check conv(a, b) == idft(dft(a, 6) * dft(b, 6))",
                "(check (cmp (call conv a b) == (call idft (* (call dft a 6) (call dft b 6)))))",
            ),
            (
                "conv_transpose(A, K, stride=2)",
                "(call conv_transpose A K stride=2)",
            ),
            ("as_poly(a)", "(call as_poly a)"),
            ("load(\"x.csv\")", "(call load \"x.csv\")"),
            ("save(v, \"y.csv\")", "(call save v \"y.csv\")"),
            ("linspace(a, b, n)", "(call linspace a b n)"),
            ("conv(a, b)[3]", "(idx (call conv a b) 3)"),
            ("conv(f, delta_shift)", "(call conv f delta_shift)"),
        ];
        for (src, want) in cases {
            assert_eq!(shapes(src), [want], "for {src:?}");
        }
        let s = one("conv(A, K, mode=valid, stride=2, padding=1, dilation=2, boundary=zero)");
        let StmtKind::Query(Query::Expr(Expr {
            kind: ExprKind::Call { args, .. },
            ..
        })) = s.kind
        else {
            panic!()
        };
        assert_eq!(args.iter().filter(|a| a.name.is_none()).count(), 2);
        // mode, stride, padding, dilation, boundary
        assert_eq!(args.iter().filter(|a| a.name.is_some()).count(), 5);
    }

    // --- commands: steps, shape, check, plot, export, settings ----------------

    #[test]
    fn command_forms() {
        let cases = [
            ("steps conv(a, b)", "(steps (call conv a b))"),
            ("steps conv(a, b) at 3", "(steps (call conv a b) at 3)"),
            ("steps corr(a, b) at 3", "(steps (call corr a b) at 3)"),
            (
                "steps conv(A, K) at (0, 1)",
                "(steps (call conv A K) at (tuple 0 1))",
            ),
            ("steps conv(f, g) at 0.3", "(steps (call conv f g) at 0.3)"),
            (
                "steps conv(a, b) at 2..5",
                "(steps (call conv a b) at (.. 2 5))",
            ),
            (
                "steps conv_matrix(b, 4) @ a",
                "(steps (@ (call conv_matrix b 4) a))",
            ),
            (
                "steps as_poly(a) * as_poly(b)",
                "(steps (* (call as_poly a) (call as_poly b)))",
            ),
            (
                "shape conv(A, K, stride=2, padding=1, dilation=2)",
                "(shape (call conv A K stride=2 padding=1 dilation=2))",
            ),
            (
                "converge conv(f, g) at 1",
                "(converge (call conv f g) at 1)",
            ),
            (
                "check conv(a, b) == conv(b, a)",
                "(check (cmp (call conv a b) == (call conv b a)))",
            ),
            ("check is_pdf(w)", "(check (call is_pdf w))"),
            ("check is_causal(w)", "(check (call is_causal w))"),
            ("plot f, g over -1..3", "(plot f, g over (.. (neg 1) 3))"),
            ("plot f to \"fg.png\"", "(plot f to \"fg.png\")"),
            (
                "plot steps conv(f, g) at 0.3 to \"s.png\"",
                "(plot (steps (call conv f g) at 0.3) to \"s.png\")",
            ),
            (
                "plot conv(a, b) to \"c.svg\"",
                "(plot (call conv a b) to \"c.svg\")",
            ),
            (
                "animate conv(f, g) over -1..4 to \"slide.gif\"",
                "(animate (call conv f g) over (.. (neg 1) 4) to \"slide.gif\")",
            ),
            (
                "animate conv(f, g) over -1..4 to \"x.gif\" frames=40 delay=60",
                "(animate (call conv f g) over (.. (neg 1) 4) to \"x.gif\" frames=40 delay=60)",
            ),
            ("show f", "(show f)"),
            ("show f, g", "(show f g)"),
            ("vars", "(vars)"),
            ("clear", "(clear )"),
            ("clear a, b", "(clear a b)"),
            ("help", "(help)"),
            ("help conventions", "(help conventions)"),
            ("help conv", "(help conv)"),
            ("help steps", "(help steps)"),
            ("format markdown", "(format markdown)"),
            ("precision 6", "(precision 6)"),
            ("exact on", "(exact on)"),
            ("exact off", "(exact off)"),
            (
                "export steps conv(a, b) to \"c.md\"",
                "(export (steps (call conv a b)) to \"c.md\")",
            ),
            (
                "export steps conv(a, b) zeros=on to \"c.md\"",
                "(export (steps (call conv a b) zeros=on) to \"c.md\")",
            ),
            (
                "export conv(a, b) to \"c.csv\"",
                "(export (call conv a b) to \"c.csv\")",
            ),
            ("timeit conv(a, b)", "(timeit (call conv a b))"),
            (
                "timeit steps conv(a, b)",
                "(timeit (steps (call conv a b)))",
            ),
            (
                "exercise \"Compute c[3]\" = conv(a, b)[3]",
                "(exercise \"Compute c[3]\" = (idx (call conv a b) 3))",
            ),
            (
                "exercise \"c[3]?\" = conv(a, b)[3] tol=1e-3",
                "(exercise \"c[3]?\" = (idx (call conv a b) 3) tol=0.001)",
            ),
            ("pause", "(pause)"),
            ("lesson 3", "(lesson 3)"),
            ("lesson \"convolution\"", "(lesson \"convolution\")"),
            ("quit", "(quit)"),
            ("exit", "(quit)"),
        ];
        for (src, want) in cases {
            assert_eq!(shapes(src), [want], "for {src:?}");
        }
        // Spans of queries and of the whole statement.
        let src = "plot steps conv(f, g) at 0.3 to \"s.png\"  # four panels";
        let s = one(src);
        assert_eq!(
            text(src, s.span),
            "plot steps conv(f, g) at 0.3 to \"s.png\""
        );
        let StmtKind::Command(Command::Plot { items, to, .. }) = &s.kind else {
            panic!()
        };
        assert_eq!(text(src, items[0].span()), "steps conv(f, g) at 0.3");
        assert_eq!(to.as_ref().map(|t| text(src, t.span)), Some("\"s.png\""));
        let src = "export steps conv(a, b) to \"c.md\"";
        let StmtKind::Command(Command::Export { query, .. }) = one(src).kind else {
            panic!()
        };
        assert_eq!(text(src, query.span()), "steps conv(a, b)");
    }

    #[test]
    fn command_words_are_names_when_defined_or_called() {
        parse_as("shape = 3", "(= shape 3)");
        parse_as("steps=2", "(= steps 2)");
        parse_as("plot(t) = t^2", "(deffn plot(t) (^ t 2))");
        parse_as("show[n] = n", "(defseq show[n] n)");
        parse_as("steps == 3", "(cmp steps == 3)");
        parse_as("exact(h)", "(call exact h)");
        parse_as("check(x)", "(call check x)");
        parse_as("x = shape + steps", "(= x (+ shape steps))");
        parse_as("on + off", "(+ on off)");
        // Anything else is an expression; unknown names are the evaluator's business.
        parse_as("frobnicate", "frobnicate");
        parse_as("foo(1, 2)", "(call foo 1 2)");
    }

    #[test]
    fn options_and_clauses_in_any_order() {
        parse_as(
            "steps conv(a, b) zeros=on",
            "(steps (call conv a b) zeros=on)",
        );
        parse_as(
            "steps conv(a, b) zeros = on at 3",
            "(steps (call conv a b) at 3 zeros=on)",
        );
        parse_as(
            "plot f to \"f.png\" over 0..1 width=800",
            "(plot f over (.. 0 1) to \"f.png\" width=800)",
        );
        parse_as(
            "converge conv(f, g) at 1 levels=8",
            "(converge (call conv f g) at 1 levels=8)",
        );
        parse_as(
            "plot steps conv(a, b) at 3, conv(a, b) over 0..5",
            "(plot (steps (call conv a b) at 3), (call conv a b) over (.. 0 5))",
        );
    }

    // --- the worked examples: c[n], the letter matrices, steps at t -----------

    #[test]
    fn worked_examples() {
        let src =
            "a = [1, 0.5, 1, 1]; b = [1, 0.5, 0.25]\nsteps conv(a, b)\nsteps conv(a, b) zeros=on\n\
                   steps conv(f, g) at 0.3\n\
                   I = [a, b, c, d; e, f, g, h; i, j, k, l]\nK = [w, x; y, z]\n\
                   corr(I, K, mode=valid)\nconv(I, K, mode=valid)";
        assert_eq!(
            shapes(src),
            [
                "(= a [1 0.5 1 1])",
                "(= b [1 0.5 0.25])",
                "(steps (call conv a b))",
                "(steps (call conv a b) zeros=on)",
                "(steps (call conv f g) at 0.3)",
                "(= I (mat [a b c d] [e f g h] [i j k l]))",
                "(= K (mat [w x] [y z]))",
                "(call corr I K mode=valid)",
                "(call conv I K mode=valid)",
            ]
        );
    }

    // --- precedence and forms ----------------------------------------------

    #[test]
    fn precedence() {
        expr_as("-t^2", "(neg (^ t 2))");
        expr_as("a - b - c", "(- (- a b) c)");
        expr_as("a / b * c", "(* (/ a b) c)");
        expr_as("2^3^2", "(^ 2 (^ 3 2))");
        expr_as("2^-1", "(^ 2 (neg 1))");
        expr_as("-2^-t^2", "(neg (^ 2 (neg (^ t 2))))");
        expr_as("a + b * c ^ d", "(+ a (* b (^ c d)))");
        expr_as("-a * b", "(* (neg a) b)");
        expr_as("a * -b", "(* a (neg b))");
        expr_as("+a - +b", "(- a b)");
        expr_as("--a", "(neg (neg a))");
        expr_as("T @ a + b", "(+ (@ T a) b)");
        expr_as("a < b + 1", "(cmp a < (+ b 1))");
        expr_as(
            "0 <= t < 1 and t != 0.5 or t == 2",
            "(or (and (cmp 0 <= t < 1) (cmp t != 0.5)) (cmp t == 2))",
        );
        expr_as("a or b and c", "(or a (and b c))");
        expr_as("not a < b and c", "(and (not (cmp a < b)) c)");
        expr_as("not not a", "(not (not a))");
        expr_as("a and not b", "(and a (not b))");
        expr_as(
            "a < b < c <= d > e >= f == g != h",
            "(cmp a < b < c <= d > e >= f == g != h)",
        );
        expr_as("a + 1 .. b * 2", "(.. (+ a 1) (* b 2))");
        expr_as("c[1][2]", "(idx (idx c 1) 2)");
        expr_as("-c[1]^2", "(neg (^ (idx c 1) 2))");
        expr_as("(a + b) * c", "(* (+ a b) c)");
        expr_as("(0, 1, 2,)", "(tuple 0 1 2)");
        expr_as("[1, 2][0]", "(idx [1 2] 0)");
        expr_as("[1, 2,]", "[1 2]");
        expr_as("[]", "[]");
        expr_as("[[1, 2]]", "(mat [1 2])");
        expr_as("[1, 2; 3, 4;]", "(mat [1 2] [3 4])");
        expr_as("[[1, 2], [3]]", "(mat [1 2] [3])");
        expr_as("[[1, 2] from 1, [3]]", "[[1 2 from 1] [3]]");
        expr_as("[1, 2] from -k", "[1 2 from (neg k)]");
        expr_as("[1, 2] from n0 + 1", "(+ [1 2 from n0] 1)");
        expr_as("f (t)", "(call f t)");
        expr_as("f()", "(call f)");
        expr_as("f(x, y,)", "(call f x y)");
        expr_as("f(x == 1)", "(call f (cmp x == 1))");
        expr_as("f(a,\n  b)", "(call f a b)");
    }

    #[test]
    fn names() {
        expr_as("τ + σ_2 + _x + e1", "(+ (+ (+ τ σ_2) _x) e1)");
        expr_as("\"a \\\"b\\\" \\\\ c\"", "\"a \\\"b\\\" \\\\ c\"");
        let e = parse_expr("\"line\\nnext\"").unwrap();
        assert_eq!(e.kind, ExprKind::Str("line\nnext".into()));
        parse_as(
            "conv(f, g)  # comment with \"quote\" and (",
            "(call conv f g)",
        );
        parse_as("x = \"# not a comment\"", "(= x \"# not a comment\")");
    }

    #[test]
    fn statements_and_separators() {
        assert_eq!(shapes(""), Vec::<String>::new());
        assert_eq!(shapes(" ;; \n\n # only a comment\n;"), Vec::<String>::new());
        assert_eq!(
            shapes("x = 1; y = 2\n\nz = 3;"),
            ["(= x 1)", "(= y 2)", "(= z 3)"]
        );
        assert_eq!(shapes("x = 1\r\ny = 2\r\n"), ["(= x 1)", "(= y 2)"]);
        assert_eq!(
            shapes("f(t,\n  s) = t\nc = conv(a,\n b)"),
            ["(deffn f(t s) t)", "(= c (call conv a b))"]
        );
        let src = "  x = 1   ;  y = [1,\n 2]  # c\n";
        let stmts = program(src);
        assert_eq!(text(src, stmts[0].span), "x = 1");
        assert_eq!(text(src, stmts[1].span), "y = [1,\n 2]");
        parse_as("f (t) = t", "(deffn f(t) t)");
        parse_as("h(t, s) = t * s", "(deffn h(t s) (* t s))");
    }

    #[test]
    fn spans_cover_node_text() {
        let src = "y = -(a + b) * c[1, 2] + f(x, mode=valid)";
        let StmtKind::Assign { name, value } = one(src).kind else {
            panic!()
        };
        assert_eq!(text(src, name.span), "y");
        assert_eq!(
            text(src, value.span),
            "-(a + b) * c[1, 2] + f(x, mode=valid)"
        );
        check_spans(src, &value);
        let ExprKind::Binary { lhs, rhs, .. } = &value.kind else {
            panic!()
        };
        assert_eq!(text(src, lhs.span), "-(a + b) * c[1, 2]");
        assert_eq!(text(src, rhs.span), "f(x, mode=valid)");
        let ExprKind::Call { func, args } = &rhs.kind else {
            panic!()
        };
        assert_eq!(text(src, func.span), "f");
        assert_eq!(text(src, args[1].span), "mode=valid");
        assert_eq!(
            args[1].name.as_ref().map(|n| text(src, n.span)),
            Some("mode")
        );
        let ExprKind::Binary {
            lhs: neg, rhs: idx, ..
        } = &lhs.kind
        else {
            panic!()
        };
        assert_eq!(text(src, neg.span), "-(a + b)");
        assert_eq!(text(src, idx.span), "c[1, 2]");
        let ExprKind::Unary { operand, .. } = &neg.kind else {
            panic!()
        };
        assert_eq!(text(src, operand.span), "a + b");

        let src = "g(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }";
        let StmtKind::DefFn { params, body, .. } = one(src).kind else {
            panic!()
        };
        assert_eq!(text(src, params[0].span), "t");
        assert_eq!(
            text(src, body.span),
            "{ t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }"
        );
        let ExprKind::Piecewise { pieces } = &body.kind else {
            panic!()
        };
        assert_eq!(text(src, pieces[0].span), "t if 0 <= t < 1");
        assert_eq!(
            pieces[0].cond.as_ref().map(|c| text(src, c.span)),
            Some("0 <= t < 1")
        );
        let src = "p = { 0 otherwise }";
        let StmtKind::Assign { value, .. } = one(src).kind else {
            panic!()
        };
        let ExprKind::Piecewise { pieces } = &value.kind else {
            panic!()
        };
        assert_eq!(text(src, pieces[0].span), "0 otherwise");

        let src = "steps conv(A, K) at (0, 1) zeros=on";
        let s = one(src);
        let StmtKind::Query(Query::Steps {
            at: Some(at),
            options,
            span,
            ..
        }) = &s.kind
        else {
            panic!()
        };
        assert_eq!(text(src, *span), src);
        assert_eq!(text(src, at.span), "(0, 1)");
        assert_eq!(text(src, options[0].span), "zeros=on");

        // Spans are bytes into the source, also after non-ASCII text.
        let src = "# τ σ\nτ2 = σ + 1";
        let StmtKind::Assign { name, value } = one(src).kind else {
            panic!()
        };
        assert_eq!(text(src, name.span), "τ2");
        assert_eq!(text(src, value.span), "σ + 1");
    }

    // --- errors --------------------------------------------------------------

    #[test]
    fn unclosed_brackets_point_at_the_opener() {
        for (src, opener_at, close) in [
            ("f(1, 2", 1, ')'),
            ("x = [1, 2,", 4, ']'),
            ("f(t) = {", 7, '}'),
            ("f(t) = { 1 if t < 0", 7, '}'),
            ("y = (1 + 2", 4, ')'),
            ("y = [[1, 2], [3", 13, ']'),
            ("c[1", 1, ']'),
        ] {
            let e = fails_with(src, K::Unclosed);
            assert_eq!(e.span, Span::new(src.len(), src.len()), "{src:?}");
            let (related, label) = e.related.clone().unwrap();
            assert_eq!(related, Span::new(opener_at, opener_at + 1), "{src:?}");
            assert!(label.contains("opened here"));
            assert!(e.message.contains(&format!("`{close}`")), "{e:?}");
        }
        let e = fails_with("f(1, 2", K::Unclosed);
        assert_eq!(e.message, "expected `)` to close the call opened here");
    }

    #[test]
    fn missing_closer_before_other_text() {
        let src = "x = (1 + 2]";
        let e = fails_with(src, K::Expected);
        assert_eq!(caret(src, &e), "]");
        assert_eq!(e.related.as_ref().map(|r| r.0), Some(Span::new(4, 5)));
        let src = "a = [1, 2\nb = 3";
        let e = fails_with(src, K::Expected);
        assert_eq!(caret(src, &e), "b");
        assert_eq!(
            e.message,
            "expected `,`, `;` or `]` in the sequence, found `b`"
        );
        assert!(e.hint.unwrap().contains("is a `]` missing"));
        let src = "conv(a b)";
        let e = fails_with(src, K::Expected);
        assert_eq!(caret(src, &e), "b");
        assert!(e.hint.as_deref().unwrap().contains("`,`"));
    }

    #[test]
    fn condition_missing_after_if() {
        let src = "f(t) = { 1 if }";
        let e = fails_with(src, K::Expected);
        assert_eq!(e.message, "expected a condition after `if`, found `}`");
        assert_eq!(caret(src, &e), "}");
    }

    #[test]
    fn piece_without_condition_followed_by_more() {
        let src = "f(t) = { t; 0 otherwise }";
        let e = fails_with(src, K::Expected);
        assert_eq!(caret(src, &e), "t");
        assert_eq!(e.message, "this piece has no condition");
        assert_eq!(
            e.hint.as_deref(),
            Some("write `VALUE if CONDITION` or `VALUE otherwise`")
        );
        let src = "f(t) = { t t > 0 }";
        let e = fails_with(src, K::Expected);
        assert_eq!(caret(src, &e), "t");
        assert_eq!(e.span.start, 11);
        assert_eq!(
            e.hint.as_deref(),
            Some("write `VALUE if CONDITION` or `VALUE otherwise`")
        );
        let src = "f(t) = { 0 otherwise; 1 if t > 0 }";
        let e = fails_with(src, K::Misplaced);
        assert_eq!(caret(src, &e), "1");
        let src = "f(t) = { 1 if t = 0 }";
        let e = fails_with(src, K::Expected);
        assert_eq!(caret(src, &e), "=");
        assert!(e.hint.unwrap().contains("=="));
        fails_with("f(t) = { }", K::Expected);
    }

    #[test]
    fn missing_expressions() {
        let src = "x = ";
        let e = fails_with(src, K::UnexpectedEnd);
        assert_eq!(e.message, "expected an expression after `=`");
        assert_eq!(e.span, Span::new(4, 4));
        let src = "x = \ny = 2";
        let e = fails_with(src, K::UnexpectedEnd);
        assert_eq!(e.span, Span::new(4, 4));
        let src = "x = 1 +";
        let e = fails_with(src, K::UnexpectedEnd);
        assert_eq!(e.message, "expected a value after `+`");
        let src = "x = )";
        let e = fails_with(src, K::Unmatched);
        assert_eq!(caret(src, &e), ")");
        let e = fails_with("steps", K::UnexpectedEnd);
        assert_eq!(e.message, "expected an expression after `steps`");
        let e = fails_with("converge conv(f, g)", K::UnexpectedEnd);
        assert!(e.message.starts_with("expected `at`"), "{e:?}");
        let src = "animate conv(f, g) over -1..4";
        let e = fails_with(src, K::UnexpectedEnd);
        assert!(e.message.contains("to \"FILE.gif\""), "{e:?}");
        fails_with("export conv(a, b)", K::UnexpectedEnd);
        let src = "plot f to out.png";
        let e = fails_with(src, K::Expected);
        assert_eq!(caret(src, &e), "out");
        assert!(e.message.contains("a file name in quotes"), "{e:?}");
        let src = "exact conv(f, g)";
        let e = fails_with(src, K::Expected);
        assert!(e.hint.unwrap().contains("exact(conv(f, g))"));
        let e = fails_with("x = ()", K::Expected);
        assert!(e.message.contains("empty parentheses"), "{e:?}");
        let e = fails_with("show", K::UnexpectedEnd);
        assert_eq!(e.message, "expected a name after `show`");
        fails_with("exercise \"q\" conv(a, b)", K::Expected);
        let e = fails_with("c[]", K::Expected);
        assert_eq!(e.message, "expected an index after `[`, found `]`");
        let e = fails_with("x = [1,, 2]", K::Expected);
        assert_eq!(e.message, "expected an item after `,`, found `,`");
        fails_with("steps c at 1 at 2", K::Duplicate);
    }

    #[test]
    fn definitions_and_equals() {
        let src = "conv(a, b) = 3";
        let e = fails_with(src, K::InvalidDefinition);
        assert_eq!(e.message, "only a name, `f(t)` or `y[n]` can be defined");
        assert_eq!(caret(src, &e), "conv(a, b)");
        assert_eq!(e.related.as_ref().map(|r| text(src, r.0)), Some("="));
        assert!(e.hint.unwrap().contains("c = conv(a, b)"));
        let src = "conv(a, b)[0] = 3";
        let e = fails_with(src, K::InvalidDefinition);
        assert_eq!(caret(src, &e), "conv(a, b)[0]");
        parse_as(
            "rect(t) = { 1 if -0.5 <= t < 0.5 }",
            "(deffn rect(t) {1 if (cmp (neg 0.5) <= t < 0.5)})",
        );
        parse_as("conv = 3", "(= conv 3)");
        let e = fails_with("f(t + 1) = 3", K::InvalidDefinition);
        assert!(e.hint.unwrap().contains("plain names"));
        let e = fails_with("y[n + 1] = 3", K::InvalidDefinition);
        assert!(e.hint.unwrap().contains("y[n]"));
        let e = fails_with("f() = 3", K::InvalidDefinition);
        assert!(e.hint.unwrap().contains("parameter"));
        fails_with("2 = x", K::InvalidDefinition);
        // `==` where a definition was meant
        let src = "f(t) == { 1 if t > 0 }";
        let e = fails_with(src, K::InvalidDefinition);
        assert_eq!(caret(src, &e), "==");
        assert!(e.hint.unwrap().contains("single `=`"));
        // ... but a comparison is still a fine query
        parse_as("x == 3", "(cmp x == 3)");
        parse_as("f(t) == 1", "(cmp (call f t) == 1)");
        // a second `=`
        let src = "x = y = 3";
        let e = fails_with(src, K::Expected);
        assert_eq!(e.span, Span::new(6, 7));
        assert!(e.hint.unwrap().contains("=="));
        let src = "check a = b";
        let e = fails_with(src, K::Expected);
        assert_eq!(caret(src, &e), "=");
        let e = fails_with("f(t, t) = t", K::Duplicate);
        assert_eq!(e.span, Span::new(5, 6));
    }

    #[test]
    fn implicit_multiplication() {
        let src = "y = 2t";
        let e = fails_with(src, K::ImplicitMultiplication);
        assert_eq!(caret(src, &e), "2t");
        assert_eq!(e.message, "implicit multiplication is not supported");
        assert_eq!(e.hint.as_deref(), Some("write `2*t`"));
        let e = fails_with("y = 3(t + 1)", K::ImplicitMultiplication);
        assert_eq!(e.hint.as_deref(), Some("write `3*(…)`"));
        let e = fails_with("y = 2e", K::ImplicitMultiplication);
        assert_eq!(e.hint.as_deref(), Some("write `2*e`"));
        let src = "y = 2 t";
        let e = fails_with(src, K::TrailingInput);
        assert_eq!(caret(src, &e), "t");
        assert!(e.hint.unwrap().contains("write `*`"));
        let src = "y = (a)(b)";
        let e = fails_with(src, K::TrailingInput);
        assert_eq!(caret(src, &e), "(");
    }

    #[test]
    fn reserved_words() {
        let src = "to = 3";
        let e = fails_with(src, K::ReservedWord);
        assert_eq!(caret(src, &e), "to");
        assert!(e.hint.unwrap().contains("reserved words"));
        let src = "f(if) = 1";
        let e = fails_with(src, K::ReservedWord);
        assert_eq!(caret(src, &e), "if");
        let src = "x = at + 1";
        let e = fails_with(src, K::ReservedWord);
        assert_eq!(caret(src, &e), "at");
        fails_with("show from", K::ReservedWord);
        let src = "x = 1 if t > 0";
        let e = fails_with(src, K::Misplaced);
        assert_eq!(caret(src, &e), "if");
        assert!(e.hint.unwrap().contains("{ }"));
        let src = "conv(a, b) at 3";
        let e = fails_with(src, K::Misplaced);
        assert_eq!(caret(src, &e), "at");
        let e = fails_with("x = a + not b", K::Misplaced);
        assert!(e.hint.unwrap().contains("(not"));
        let e = fails_with("x = [[1, 2]; [3, 4]] from 1", K::Misplaced);
        assert_eq!(e.message, "a matrix has no `from`");
        parse_as("help if", "(help if)");
    }

    #[test]
    fn bad_tokens() {
        let src = "x = 3 × 4";
        let e = fails_with(src, K::UnexpectedChar);
        assert_eq!(caret(src, &e), "×");
        assert_eq!(e.hint.as_deref(), Some("write `*` to multiply"));
        let src = "x = −1";
        let e = fails_with(src, K::UnexpectedChar);
        assert_eq!(caret(src, &e), "−");
        let e = fails_with("f(t) = { 1 if t ≤ 1 }", K::UnexpectedChar);
        assert_eq!(e.hint.as_deref(), Some("write `<=`"));
        fails_with("x = $", K::UnexpectedChar);
        fails_with("x = 1 $", K::UnexpectedChar);
        let e = fails_with("x = t ** 2", K::Expected);
        assert!(e.hint.unwrap().contains('^'));
        let e = fails_with("x = 1.5.2", K::BadNumber);
        assert_eq!(e.span, Span::new(4, 9));
        let e = fails_with("x = 1. + 2", K::BadNumber);
        assert_eq!(e.hint.as_deref(), Some("write `1.0` or `1`"));
        fails_with("x = 1e999999999999999999999", K::BadNumber);
        fails_with("x = 1.5e-9223372036854775808", K::BadNumber);
        let e = fails_with("x = 1..2..3", K::Misplaced);
        assert_eq!(e.message, "a range has only one `..`");
        let src = "plot f to \"abc";
        let e = fails_with(src, K::BadString);
        assert_eq!(e.span, Span::new(10, 11));
        let e = fails_with("load(\"C:\\data\")", K::BadString);
        assert!(e.message.contains("\\d"));
        let src = "x = 1)";
        let e = fails_with(src, K::Unmatched);
        assert_eq!(caret(src, &e), ")");
        fails_with(")", K::Unmatched);
        fails_with("x = ]", K::Unmatched);
        let e = fails_with("conv(a, mode=valid, b)", K::ArgumentOrder);
        assert_eq!(e.span, Span::new(20, 21));
        assert!(e.hint.unwrap().contains("positional arguments first"));
        let e = fails_with("steps conv(a, b) zeros", K::TrailingInput);
        assert!(e.hint.unwrap().contains("name=value"));
        let e = fails_with("x = 1, 2", K::TrailingInput);
        assert!(e.hint.unwrap().contains("(0, 1)"));
    }

    #[test]
    fn parse_expr_answers() {
        expr_as("  1.625 \n", "1.625");
        expr_as("[1, 1, 1.5,\n 1.625]", "[1 1 1.5 1.625]");
        let e = parse_expr("").unwrap_err();
        assert_eq!(e.kind, K::UnexpectedEnd);
        let e = parse_expr("c = 3").unwrap_err();
        assert_eq!(e.kind, K::Expected);
        let e = parse_expr("1 2").unwrap_err();
        assert_eq!(e.kind, K::TrailingInput);
        assert_eq!(e.span, Span::new(2, 3));
    }

    // --- REPL continuation ---------------------------------------------------

    #[test]
    fn incomplete_input() {
        for src in [
            "[1, 2,",
            "f(t) = {",
            "\"abc",
            "conv(a, [1,\n 2]",
            "x = \"a\\",
            "f(t) = { t if t > 0  # }",
        ] {
            assert!(input_is_incomplete(src), "{src:?}");
        }
        for src in [
            "",
            "x = 1",
            "[1, 2]",
            "f(t) = { 1 if 0 <= t < 1 }",
            "\"a(b\"",
            "x = 1 # (",
            "x = (1]",
            "x = 1)",
            "x = 1 +",
        ] {
            assert!(!input_is_incomplete(src), "{src:?}");
        }
    }

    // --- limits and robustness -----------------------------------------------

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let n = 100_000;
        for (open, close) in [
            ("(", ")"),
            ("[", "]"),
            ("{", "}"),
            ("f(", ")"),
            ("-", ""),
            ("not ", ""),
            ("2^", ""),
        ] {
            let src = format!("x = {}1{}", open.repeat(n), close.repeat(n));
            let t = Instant::now();
            let e = fails_with(&src, K::TooDeep);
            assert!(e.message.contains("256"), "{e:?}");
            assert!(t.elapsed() < Duration::from_secs(2));
        }
        // Long left-associative chains are bounded too.
        let src = format!("x = 1{}", " + 1".repeat(n));
        let e = fails_with(&src, K::TooDeep);
        assert!(e.message.contains("512"), "{e:?}");
        // Within the limits, deep nesting parses.
        let src = format!("x = {}1{}", "(".repeat(200), ")".repeat(200));
        parse_as(&src, "(= x 1)");
        let src = format!("x = 1{}", " + 1".repeat(400));
        program(&src);
        // Only the unclosed prefix: also an error, quickly.
        fails_with(&"(".repeat(n), K::TooDeep);
        assert!(input_is_incomplete(&"(".repeat(n)));
    }

    #[test]
    fn nesting_at_the_limit_fits_in_a_small_stack() {
        // The REPL and the tests run the parser on threads with 2 MiB of stack
        // or more; at the nesting limit it needs well under half of that.
        let worst = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| {
                let n = MAX_NESTING - 6;
                for (open, close) in [
                    ("(", ")"),
                    ("[", "]"),
                    ("{", "}"),
                    ("f(", ")"),
                    ("g(k=", ")"),
                    ("c[", "]"),
                    ("-", ""),
                    ("not ", ""),
                    ("2^", ""),
                    ("{ 1 if ", " }"),
                ] {
                    let src = format!("x = {}1{}", open.repeat(n), close.repeat(n));
                    assert!(parse_program(&src).is_ok(), "{open}");
                    let src = format!("x = {}1", open.repeat(n + 10));
                    assert!(parse_program(&src).is_err(), "{open}");
                }
            })
            .unwrap()
            .join();
        assert!(worst.is_ok());
    }

    #[test]
    fn long_literal_is_fast() {
        let mut src = String::from("x = [");
        while src.len() < 1_000_000 {
            src.push_str("1, ");
        }
        src.push_str("1]");
        // Linear time is checked by the benchmarks, not by a timed test.
        let s = one(&src);
        let StmtKind::Assign {
            value:
                Expr {
                    kind: ExprKind::Seq { items, .. },
                    ..
                },
            ..
        } = s.kind
        else {
            panic!()
        };
        assert_eq!(items.len(), 333_333);
        // Many statements too.
        let src = "x = 1\n".repeat(100_000);
        assert_eq!(program(&src).len(), 100_000);
        // A long number literal is refused before any big-number arithmetic.
        let src = format!("x = {}", "9".repeat(1_000_000));
        fails_with(&src, K::BadNumber);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        const ALPHABET: &[&str] = &[
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            ",",
            ";",
            "\n",
            " ",
            "=",
            "==",
            "<",
            "<=",
            "+",
            "-",
            "*",
            "^",
            "..",
            ".",
            "1",
            "0.5",
            "2e",
            "t",
            "f",
            "\"",
            "\\",
            "#",
            "if",
            "otherwise",
            "from",
            "at",
            "to",
            "steps",
            "plot",
            "exact",
            "not",
            "and",
            "τ",
            "×",
        ];

        proptest! {
            #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

            #[test]
            fn never_panics(tokens in proptest::collection::vec(proptest::sample::select(ALPHABET), 0..60)) {
                let src: String = tokens.concat();
                let t = Instant::now();
                let result = parse_program(&src);
                let _ = parse_expr(&src);
                let _ = input_is_incomplete(&src);
                prop_assert!(t.elapsed() < Duration::from_secs(2));
                if let Err(e) = result {
                    prop_assert!(e.span.start <= e.span.end && e.span.end <= src.len());
                    prop_assert!(src.is_char_boundary(e.span.start) && src.is_char_boundary(e.span.end));
                    prop_assert!(!e.message.is_empty());
                }
            }

            #[test]
            fn arbitrary_text_never_panics(src in "\\PC{0,80}") {
                let _ = parse_program(&src);
                let _ = parse_expr(&src);
                let _ = input_is_incomplete(&src);
            }
        }
    }
}
