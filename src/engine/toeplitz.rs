//! Convolution as a matrix: Toeplitz (1D), doubly block Toeplitz and block
//! circulant (2D).
//!
//! # Conventions
//!
//! * [`conv_matrix_1d`]`(b, n, mode)` is the T with `T @ a == conv(a, b, mode)`
//!   for every length-n `a` (values only: the result's start index is
//!   `start(a) + start(b)` plus the mode's offset, as in
//!   [`crate::engine::discrete`]). Row i, column j holds `b[i + offset − j]`.
//!   It equals `scipy.linalg.convolution_matrix(b, n, mode)` whenever
//!   `n ≥ len(b)`. When `len(b) > n` scipy's `same` has max(n, len(b)) rows and
//!   its `valid` swaps the roles; ours follows our `conv`: `same` has n rows
//!   (the length of the first argument, `a`) and `valid` has none.
//! * [`conv_matrix_2d`]`(K, (h, w), op, opts)` acts on the row-major
//!   flattening of an h×w input: column `r·w + c` is input cell (r, c), row
//!   `i·out_cols + j` is output cell (i, j), for every option of
//!   [`crate::engine::conv2d`]. With `boundary = Zero` it is doubly block
//!   Toeplitz (blocks of `out_cols × w`); with `Wrap` and no stride or
//!   dilation, block circulant. Several taps that the boundary rule sends to
//!   the same input cell add up in one entry.
//! * Matrices are stored by rows, only the entries some kernel tap reaches
//!   ("stored" entries; a tap whose kernel value is 0 is stored as 0).

use std::ops::Range;

use crate::engine::conv2d::{Conv2dOptions, Plan};
use crate::engine::discrete::{clip_usize, ConvError, Mode, Op};
use crate::engine::grid::Grid;
use crate::engine::ring::Ring;
use crate::trace::discrete::{MatvecRow, MatvecSteps, MatvecTerm, MAX_STEP_ROWS, MAX_STEP_TERMS};

/// Most entries (rows × cols) a convolution matrix may have.
pub const MAX_MATRIX_ENTRIES: u128 = 4_000_000;

/// A convolution matrix, stored by rows: `row(r)` lists `(column, value)` in
/// ascending column; every other entry is zero.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvMatrix<T> {
    rows: usize,
    cols: usize,
    entries: Vec<Vec<(usize, T)>>,
    block: Option<(usize, usize)>,
}

impl<T: Ring> ConvMatrix<T> {
    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The stored entries of row `r`, `(column, value)` in ascending column.
    pub fn row(&self, r: usize) -> &[(usize, T)] {
        &self.entries[r]
    }

    /// For a 2D matrix, the size of its blocks (out_cols × w): where a
    /// renderer draws the block lines.
    pub fn block(&self) -> Option<(usize, usize)> {
        self.block
    }

    /// Entry (r, c), zero when not stored.
    pub fn get(&self, r: usize, c: usize) -> T {
        self.entries
            .get(r)
            .and_then(|row| {
                row.binary_search_by_key(&c, |e| e.0)
                    .ok()
                    .map(|i| row[i].1.clone())
            })
            .unwrap_or_else(T::zero)
    }

    /// Number of stored entries (the band a kernel reaches).
    pub fn stored(&self) -> usize {
        self.entries.iter().map(Vec::len).sum()
    }

    /// Number of entries that are not zero: the sparsity line's count.
    pub fn nonzeros(&self) -> usize {
        self.entries
            .iter()
            .flatten()
            .filter(|e| !e.1.is_zero())
            .count()
    }

    /// The dense matrix.
    pub fn to_grid(&self) -> Grid<T> {
        let mut g = Grid::from_fn(self.rows, self.cols, |_, _| T::zero());
        for (r, row) in self.entries.iter().enumerate() {
            for (c, v) in row {
                g[(r, *c)] = v.clone();
            }
        }
        g
    }

    fn check_vector(&self, v: &[T]) -> Result<(), ConvError> {
        if v.len() != self.cols {
            return Err(ConvError::ShapeMismatch(format!(
                "the matrix has {} columns but the vector has {} entries",
                self.cols,
                v.len()
            )));
        }
        Ok(())
    }

    /// `T @ v`.
    pub fn matvec(&self, v: &[T]) -> Result<Vec<T>, ConvError> {
        self.check_vector(v)?;
        Ok(self
            .entries
            .iter()
            .map(|row| {
                let mut acc = T::zero();
                for (c, a) in row {
                    acc.add_mul(a, &v[*c]);
                }
                acc
            })
            .collect())
    }

    /// `steps T @ v`: each row (of `rows`, or all) as the sum of its stored
    /// entries times the vector.
    pub fn matvec_steps(
        &self,
        v: &[T],
        rows: Option<Range<usize>>,
    ) -> Result<MatvecSteps<T>, ConvError> {
        self.check_vector(v)?;
        let range = clip_usize(rows, self.rows);
        check_table(
            range.len(),
            self.entries[range.clone()].iter().map(Vec::len).sum(),
        )?;
        let rows = range
            .map(|r| build_row(r, self.entries[r].iter().map(|(c, a)| (*c, a)), v))
            .collect();
        Ok(MatvecSteps {
            total_rows: self.rows,
            rows,
        })
    }
}

fn check_table(rows: usize, terms: usize) -> Result<(), ConvError> {
    if rows > MAX_STEP_ROWS {
        return Err(ConvError::TooManyRows {
            rows: rows as u128,
            limit: MAX_STEP_ROWS,
        });
    }
    if terms > MAX_STEP_TERMS {
        return Err(ConvError::TooManyTerms {
            terms: terms as u128,
            limit: MAX_STEP_TERMS,
        });
    }
    Ok(())
}

fn build_row<'a, T: Ring + 'a>(
    row: usize,
    entries: impl Iterator<Item = (usize, &'a T)>,
    v: &[T],
) -> MatvecRow<T> {
    let mut value = T::zero();
    let terms = entries
        .map(|(col, a)| {
            let product = a.mul(&v[col]);
            value = value.add(&product);
            MatvecTerm {
                col,
                a: a.clone(),
                v: v[col].clone(),
                product,
            }
        })
        .collect();
    MatvecRow { row, terms, value }
}

/// `steps M @ v` for a dense matrix: each row as its term sum; without
/// `zeros` the terms whose matrix entry is zero are left out.
pub fn matvec_steps<T: Ring>(
    m: &Grid<T>,
    v: &[T],
    zeros: bool,
    rows: Option<Range<usize>>,
) -> Result<MatvecSteps<T>, ConvError> {
    if v.len() != m.cols() {
        return Err(ConvError::ShapeMismatch(format!(
            "the matrix has {} columns but the vector has {} entries",
            m.cols(),
            v.len()
        )));
    }
    let range = clip_usize(rows, m.rows());
    let terms = range
        .clone()
        .map(|r| m.row(r).iter().filter(|a| zeros || !a.is_zero()).count())
        .sum();
    check_table(range.len(), terms)?;
    let rows = range
        .map(|r| {
            let entries = m
                .row(r)
                .iter()
                .enumerate()
                .filter(|(_, a)| zeros || !a.is_zero());
            build_row(r, entries, v)
        })
        .collect();
    Ok(MatvecSteps {
        total_rows: m.rows(),
        rows,
    })
}

fn check_entries(rows: usize, cols: usize) -> Result<(), ConvError> {
    let entries = rows as u128 * cols as u128;
    if entries > MAX_MATRIX_ENTRIES {
        return Err(ConvError::TooLarge {
            what: format!("the {rows}×{cols} convolution matrix"),
            size: entries,
            limit: MAX_MATRIX_ENTRIES,
            advice: "use a smaller input size (the matrix is for seeing the structure; conv computes the same values)",
        });
    }
    Ok(())
}

/// The Toeplitz T with `T @ a == conv(a, b, mode)` for length-`n` `a`.
pub fn conv_matrix_1d<T: Ring>(b: &[T], n: i64, mode: Mode) -> Result<ConvMatrix<T>, ConvError> {
    if n < 1 {
        return Err(ConvError::BadOption {
            name: "the input length",
            value: n,
            expected: "at least 1",
        });
    }
    if b.is_empty() {
        return Err(ConvError::Empty("the kernel"));
    }
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    let lb = b.len();
    let (offset, rows) = match mode {
        Mode::Full => (0, n.saturating_add(lb - 1)),
        Mode::Same => ((lb - 1) / 2, n),
        Mode::Valid => (lb - 1, (n + 1).saturating_sub(lb)),
    };
    check_entries(rows, n)?;
    let entries = (0..rows)
        .map(|i| {
            // b[i + offset − j] with 0 ≤ i + offset − j < lb
            let k = i + offset;
            let lo = (k + 1).saturating_sub(lb);
            (lo..=k.min(n - 1)).map(|j| (j, b[k - j].clone())).collect()
        })
        .collect();
    Ok(ConvMatrix {
        rows,
        cols: n,
        entries,
        block: None,
    })
}

/// The matrix of `conv2d`/`corr2d(·, K, opts)` on h×w inputs, acting on the
/// row-major flattening (doubly block Toeplitz; block circulant with
/// `boundary = Wrap`).
pub fn conv_matrix_2d<T: Ring>(
    k: &Grid<T>,
    input: (i64, i64),
    op: Op,
    opts: &Conv2dOptions,
) -> Result<ConvMatrix<T>, ConvError> {
    let dim = |v: i64, name| {
        if v < 1 {
            Err(ConvError::BadOption {
                name,
                value: v,
                expected: "at least 1",
            })
        } else {
            Ok(usize::try_from(v).unwrap_or(usize::MAX))
        }
    };
    let (h, w) = (
        dim(input.0, "the input rows")?,
        dim(input.1, "the input columns")?,
    );
    check_entries(h.saturating_mul(w), 1)?;
    let plan = Plan::new((h, w), k.shape(), op, opts)?;
    let (or, oc) = plan.shape.out();
    check_entries(or * oc, h * w)?;
    let ku = plan.applied(k);
    let mut entries = Vec::with_capacity(or * oc);
    for i in 0..or {
        for j in 0..oc {
            let mut row: Vec<(usize, T)> = Vec::with_capacity(k.data().len());
            for ta in 0..k.rows() {
                let Some(r) = plan.row_src[plan.row_at(i, ta)] else {
                    continue;
                };
                for tb in 0..k.cols() {
                    if let Some(c) = plan.col_src[plan.col_at(j, tb)] {
                        row.push((r * w + c, ku[(ta, tb)].clone()));
                    }
                }
            }
            row.sort_by_key(|e| e.0);
            let mut merged: Vec<(usize, T)> = Vec::with_capacity(row.len());
            for (c, v) in row {
                match merged.last_mut() {
                    Some(last) if last.0 == c => last.1 = last.1.add(&v),
                    _ => merged.push((c, v)),
                }
            }
            entries.push(merged);
        }
    }
    Ok(ConvMatrix {
        rows: or * oc,
        cols: h * w,
        entries,
        block: Some((oc, w)),
    })
}
