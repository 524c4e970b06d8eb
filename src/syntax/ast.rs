//! The syntax tree. Every node carries the [`Span`] of the text it came from,
//! so any later error can point at it.

use crate::syntax::span::Span;
use crate::value::number::Number;

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A string literal (file names, exercise prompts), without its quotes.
#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `h = 0.25`, `a = [1, 0.5]`, `c = conv(a, b)`.
    Assign { name: Ident, value: Expr },
    /// `f(t) = { 1 if 0 <= t < 1 }`, `k(t) = exp(-t^2)`; a body that is not a
    /// brace block is one piece valid everywhere.
    DefFn {
        name: Ident,
        params: Vec<Ident>,
        body: Expr,
    },
    /// `y[n] = { 0.5^n if 0 <= n <= 7 }`: a sequence by formula, zero outside
    /// the pieces; its support must be finite.
    DefSeq {
        name: Ident,
        index: Ident,
        body: Expr,
    },
    /// Something whose value or table is displayed: an expression, `steps …`,
    /// `converge …`, `shape …`, `check …`.
    Query(Query),
    /// Everything else (`plot`, `export`, `help`, settings, …).
    Command(Command),
}

/// A displayable request. `plot`, `export` and `timeit` take one of these.
#[derive(Clone, Debug, PartialEq)]
pub enum Query {
    /// An expression: its value is displayed.
    Expr(Expr),
    /// `steps EXPR [at POINT] [name=value …]`. `at` takes a number, a tuple
    /// `(i, j)` for 2D, or a range `2..5` to see part of a long table.
    Steps {
        target: Expr,
        at: Option<Expr>,
        options: Vec<Arg>,
        span: Span,
    },
    /// `converge EXPR at T [name=value …]`.
    Converge {
        target: Expr,
        at: Expr,
        options: Vec<Arg>,
        span: Span,
    },
    /// `shape EXPR`: the output size of a convolution, derived as arithmetic.
    Shape { target: Expr, span: Span },
    /// `check EXPR`: ✓ or ✗ with the two sides shown.
    Check { expr: Expr, span: Span },
}

impl Query {
    pub fn span(&self) -> Span {
        match self {
            Query::Expr(e) => e.span,
            Query::Steps { span, .. }
            | Query::Converge { span, .. }
            | Query::Shape { span, .. }
            | Query::Check { span, .. } => *span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `plot f, g over -1..3 to "fg.png" [name=value …]`; without `to`, draws
    /// in the terminal.
    Plot {
        items: Vec<Query>,
        over: Option<Expr>,
        to: Option<StrLit>,
        options: Vec<Arg>,
    },
    /// `animate conv(f, g) over -1..4 to "slide.gif" [frames=60] [delay=80]`.
    Animate {
        target: Expr,
        over: Option<Expr>,
        to: StrLit,
        options: Vec<Arg>,
    },
    /// `export steps conv(a, b) to "c.md"`.
    Export { query: Query, to: StrLit },
    /// `show f` (several names allowed: `show f, g`).
    Show { names: Vec<Ident> },
    /// `vars`.
    Vars,
    /// `clear` (everything) or `clear a, b`.
    Clear { names: Vec<Ident> },
    /// `help`, `help conventions`, `help conv`.
    Help { topic: Option<Ident> },
    /// `format markdown`.
    Format { name: Ident },
    /// `precision 6`.
    Precision { digits: Expr },
    /// `exact on` / `exact off`.
    ExactMode { on: bool },
    /// `timeit EXPR`.
    Timeit { query: Query },
    /// `exercise "Compute c[3]" = conv(a, b)[3] [tol=1e-3]`.
    Exercise {
        prompt: StrLit,
        answer: Expr,
        options: Vec<Arg>,
    },
    /// `pause`.
    Pause,
    /// `lesson 3` (or `lesson "convolution"`).
    Lesson { which: Expr },
    /// `quit` / `exit`.
    Quit,
}

/// A call argument or command option: positional (`a`) or named (`mode=valid`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A numeric literal, already exact (`0.25` is 1/4).
    Number(Number),
    Str(String),
    Ident(String),
    Unary {
        op: UnOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// A comparison chain `a <= t < b` (one or more operators).
    Compare {
        first: Box<Expr>,
        rest: Vec<(CmpOp, Expr)>,
    },
    Logic {
        op: LogicOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `f(x)`, `conv(a, b, mode=valid)`.
    Call {
        func: Ident,
        args: Vec<Arg>,
    },
    /// `c[3]`, `A[1, 2]`, `conv(a, b)[3]`.
    Index {
        target: Box<Expr>,
        indices: Vec<Expr>,
    },
    /// `[1, 0.5, 1] from -1`. Items may be bare letters (symbols).
    Seq {
        items: Vec<Expr>,
        from: Option<Box<Expr>>,
    },
    /// `[a, b; c, d]` or `[[a, b], [c, d]]`.
    Matrix {
        rows: Vec<Vec<Expr>>,
    },
    /// `{ t if 0 <= t < 1; 2 - t if 1 <= t <= 2; 0 otherwise }`.
    Piecewise {
        pieces: Vec<Piece>,
    },
    /// `-1..4`.
    Range {
        lo: Box<Expr>,
        hi: Box<Expr>,
    },
    /// `(0, 1)`: a 2D position.
    Tuple(Vec<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Piece {
    pub value: Expr,
    /// `None` for `otherwise`.
    pub cond: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    /// `@`: matrix product.
    MatMul,
}

/// Comparison operators live with the functions whose piece conditions use them.
pub use crate::value::function::CmpOp;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogicOp {
    And,
    Or,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
            BinOp::MatMul => "@",
        }
    }
}
