//! Step tables of the discrete engines, as plain data.
//!
//! This layer is data only: the discrete engines fill these types (the 1D
//! and 2D step builders, the sliding view, circular steps and the
//! matrix-vector steps of a convolution matrix), and the presentation layer
//! turns them into tables, JSON and pictures. `trace` imports only `value`.
//!
//! # Conventions
//! * Indices are the true indices of the sequences (a sequence that starts at
//!   −1 has its first term at m = −1), and 0-based (row, column) pairs for
//!   matrices.
//! * Every builder checks the size of the table **before** building it
//!   ([`MAX_STEP_ROWS`], [`MAX_STEP_TERMS`]) and takes an optional range of
//!   rows, so that a caller can build part of a long table.
//! * A row's `value` is the sum of its products, in the order listed.

use crate::value::grid::Grid;
use crate::value::op::{Mode, Op};

/// Why a result has no samples; a note for the user, not an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmptyReason {
    /// One of the inputs has no samples.
    EmptyInput,
    /// `mode=valid` with a kernel longer than the input.
    KernelLongerThanInput { input: usize, kernel: usize },
}

impl std::fmt::Display for EmptyReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EmptyReason::EmptyInput => write!(f, "an input has no samples, so the result has none"),
            EmptyReason::KernelLongerThanInput { input, kernel } => write!(
                f,
                "kernel longer than input ({kernel} > {input} samples): no position where it fits \
                 wholly, so mode=valid gives no samples"
            ),
        }
    }
}

/// Most rows a step table may have; ask for a range beyond this.
pub const MAX_STEP_ROWS: usize = 1_000_000;

/// Most terms (over all rows) a step table may have.
pub const MAX_STEP_TERMS: usize = 10_000_000;

/// One term of a 1D convolution or correlation sum.
///
/// For `conv` the term is `x[m]·y[n−m]`; for `corr` it is `x[n+m]·y[m]`
/// (`m` runs over the kernel). [`Term1d::indices`] gives both indices.
#[derive(Clone, Debug, PartialEq)]
pub struct Term1d<T> {
    pub m: i64,
    /// The input's factor (zero when `padded`).
    pub x: T,
    /// The kernel's factor.
    pub y: T,
    pub product: T,
    /// The input's factor lies outside its support: a zero of the
    /// zero-padded input, shown only in a `zeros` table.
    pub padded: bool,
}

impl<T> Term1d<T> {
    /// `(index into x, index into y)` of this term in row `n`.
    pub fn indices(&self, op: Op, n: i64) -> (i64, i64) {
        match op {
            Op::Conv => (self.m, n - self.m),
            Op::Corr => (n + self.m, self.m),
        }
    }
}

/// One output sample with the terms of its sum.
#[derive(Clone, Debug, PartialEq)]
pub struct Row1d<T> {
    pub n: i64,
    /// In ascending `m`.
    pub terms: Vec<Term1d<T>>,
    pub value: T,
}

/// `steps conv(x, y)`: one row per output index.
#[derive(Clone, Debug, PartialEq)]
pub struct Steps1d<T> {
    pub op: Op,
    pub mode: Mode,
    /// Whether the zero-padded input's terms are listed too.
    pub zeros: bool,
    /// Index of the result's first sample and its number of samples (the
    /// whole result, also when `rows` holds only part of it).
    pub start: i64,
    pub len: usize,
    /// The rows built (all of them, or the requested range).
    pub rows: Vec<Row1d<T>>,
    /// Why the result has no samples, when it has none.
    pub empty: Option<EmptyReason>,
}

/// `steps conv(x, y) at n`: the kernel flipped (for conv) and shifted under
/// the input, column by column.
///
/// Column `i` is the input index `m = m_first + i`. Under it sits
/// `y[n−m]` for conv, `y[m−n]` for corr ([`Sliding1d::kernel_index`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Sliding1d<T> {
    pub op: Op,
    pub n: i64,
    pub m_first: i64,
    /// `x[m]`, `None` outside the input's support.
    pub x: Vec<Option<T>>,
    /// The kernel as placed: `None` where the kernel is absent.
    pub kernel: Vec<Option<T>>,
    /// `x[m]·kernel[m]` where both are present.
    pub products: Vec<Option<T>>,
    pub value: T,
}

impl<T> Sliding1d<T> {
    /// Index into the kernel `y` shown in column `m`.
    pub fn kernel_index(&self, m: i64) -> i64 {
        match self.op {
            Op::Conv => self.n - m,
            Op::Corr => m - self.n,
        }
    }

    /// The input index of column `i`.
    pub fn m(&self, i: usize) -> i64 {
        self.m_first + i as i64
    }
}

/// One term of a circular convolution: `x[m]·y[p]` lands on output
/// `(m + p) mod period`.
#[derive(Clone, Debug, PartialEq)]
pub struct CconvTerm<T> {
    pub m: i64,
    pub p: i64,
    pub x: T,
    pub y: T,
    pub product: T,
    /// `m + p` lies outside `0..period`: the term wrapped around.
    pub wrapped: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CconvRow<T> {
    pub k: usize,
    /// In ascending `m + p`, then `m`.
    pub terms: Vec<CconvTerm<T>>,
    pub value: T,
}

/// `steps cconv(x, y, N)`.
#[derive(Clone, Debug, PartialEq)]
pub struct CconvSteps<T> {
    pub period: usize,
    pub rows: Vec<CconvRow<T>>,
}

/// One cell of a 2D window: the input value a kernel tap multiplies.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowCell<T> {
    /// Position in input coordinates; outside `0..rows`/`0..cols` when the
    /// cell lies in the padding.
    pub pos: (i64, i64),
    /// The input cell whose value the boundary rule gave it (`None` for
    /// zero fill).
    pub source: Option<(usize, usize)>,
    /// The cell lies in the padding.
    pub padding: bool,
    pub value: T,
}

/// `steps conv(A, K) at (i, j)`: the window under the kernel.
#[derive(Clone, Debug, PartialEq)]
pub struct Window2d<T> {
    pub op: Op,
    /// The output position.
    pub out: (usize, usize),
    /// The window, one cell per kernel tap (taps are `dilation` apart).
    pub cells: Grid<WindowCell<T>>,
    /// The kernel as applied: flipped in both axes for conv, as given for corr.
    pub kernel: Grid<T>,
    pub products: Grid<T>,
    pub value: T,
}

/// One term of a 2D sum.
#[derive(Clone, Debug, PartialEq)]
pub struct Term2d<T> {
    /// Input position (may lie in the padding) and the cell it took its value from.
    pub pos: (i64, i64),
    pub source: Option<(usize, usize)>,
    pub padding: bool,
    pub x: T,
    /// Index into the kernel as given (not flipped).
    pub kernel_index: (usize, usize),
    pub k: T,
    pub product: T,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row2d<T> {
    pub out: (usize, usize),
    /// In window order: kernel-tap rows top to bottom, then columns.
    pub terms: Vec<Term2d<T>>,
    pub value: T,
}

/// `steps conv(A, K)`: one row per output cell, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Steps2d<T> {
    pub op: Op,
    /// Output shape (rows, cols).
    pub shape: (usize, usize),
    pub zeros: bool,
    pub rows: Vec<Row2d<T>>,
}

/// One term of a row of `T @ v`.
#[derive(Clone, Debug, PartialEq)]
pub struct MatvecTerm<T> {
    pub col: usize,
    pub a: T,
    pub v: T,
    pub product: T,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatvecRow<T> {
    pub row: usize,
    pub terms: Vec<MatvecTerm<T>>,
    pub value: T,
}

/// `steps T @ v`: each row of the product as its term sum.
#[derive(Clone, Debug, PartialEq)]
pub struct MatvecSteps<T> {
    /// Rows of the whole product (also when `rows` holds part of it).
    pub total_rows: usize,
    pub rows: Vec<MatvecRow<T>>,
}
