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
use crate::trace::discrete::{MatvecRow, MatvecSteps, MatvecTerm, MAX_STEP_ROWS, MAX_STEP_TERMS};
use crate::value::grid::Grid;
use crate::value::ring::Ring;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::conv2d::{apply2d, Boundary, Padding};
    use crate::engine::discrete::{conv, SeqRef};
    use num_bigint::BigInt;
    use num_rational::BigRational;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    fn q(v: i64) -> BigRational {
        BigRational::from_integer(BigInt::from(v))
    }

    fn qs(v: &[i64]) -> Vec<BigRational> {
        v.iter().map(|&i| q(i)).collect()
    }

    #[track_caller]
    fn assert_dense(m: &ConvMatrix<BigRational>, want: &[&[i64]]) {
        let rows: Vec<Vec<BigRational>> = want.iter().map(|r| qs(r)).collect();
        assert_eq!(m.to_grid().to_rows(), rows);
    }

    /// `scipy.linalg.convolution_matrix(b, n, mode)` (scipy 1.17.1).
    #[test]
    fn matches_scipy_convolution_matrix() {
        let b3 = qs(&[1, 2, 3]);
        assert_dense(
            &conv_matrix_1d(&b3, 5, Mode::Full).unwrap(),
            &[
                &[1, 0, 0, 0, 0],
                &[2, 1, 0, 0, 0],
                &[3, 2, 1, 0, 0],
                &[0, 3, 2, 1, 0],
                &[0, 0, 3, 2, 1],
                &[0, 0, 0, 3, 2],
                &[0, 0, 0, 0, 3],
            ],
        );
        assert_dense(
            &conv_matrix_1d(&b3, 5, Mode::Same).unwrap(),
            &[
                &[2, 1, 0, 0, 0],
                &[3, 2, 1, 0, 0],
                &[0, 3, 2, 1, 0],
                &[0, 0, 3, 2, 1],
                &[0, 0, 0, 3, 2],
            ],
        );
        assert_dense(
            &conv_matrix_1d(&b3, 5, Mode::Valid).unwrap(),
            &[&[3, 2, 1, 0, 0], &[0, 3, 2, 1, 0], &[0, 0, 3, 2, 1]],
        );
        let b4 = qs(&[1, 2, 3, 4]);
        assert_dense(
            &conv_matrix_1d(&b4, 6, Mode::Same).unwrap(),
            &[
                &[2, 1, 0, 0, 0, 0],
                &[3, 2, 1, 0, 0, 0],
                &[4, 3, 2, 1, 0, 0],
                &[0, 4, 3, 2, 1, 0],
                &[0, 0, 4, 3, 2, 1],
                &[0, 0, 0, 4, 3, 2],
            ],
        );
        assert_dense(
            &conv_matrix_1d(&b4, 6, Mode::Valid).unwrap(),
            &[
                &[4, 3, 2, 1, 0, 0],
                &[0, 4, 3, 2, 1, 0],
                &[0, 0, 4, 3, 2, 1],
            ],
        );
        let full = conv_matrix_1d(&b4, 6, Mode::Full).unwrap();
        assert_eq!((full.rows(), full.cols(), full.stored()), (9, 6, 24));
    }

    /// When len(b) > n scipy differs: `convolution_matrix([1,2,3,4,5], 3, 'same')`
    /// has 5 rows and `'valid'` 3 (it swaps). Ours follows conv(a, b): n rows and none.
    #[test]
    fn kernel_longer_than_input_follows_our_conv() {
        let b = qs(&[1, 2, 3, 4, 5]);
        let same = conv_matrix_1d(&b, 3, Mode::Same).unwrap();
        // conv([p, q, r], b, same) keeps full[2..5].
        assert_dense(&same, &[&[3, 2, 1], &[4, 3, 2], &[5, 4, 3]]);
        let valid = conv_matrix_1d(&b, 3, Mode::Valid).unwrap();
        assert_eq!((valid.rows(), valid.cols()), (0, 3));
        assert!(conv_matrix_1d(&b, 0, Mode::Full).is_err());
        assert!(conv_matrix_1d::<BigRational>(&[], 3, Mode::Full).is_err());
    }

    #[test]
    fn counts_matvec_and_steps() {
        let b = qs(&[1, 0, 3]);
        let m = conv_matrix_1d(&b, 4, Mode::Full).unwrap();
        assert_eq!((m.stored(), m.nonzeros()), (12, 8));
        assert_eq!(m.get(2, 0), q(3));
        assert_eq!(m.get(0, 3), q(0));
        let v = qs(&[1, 2, 3, 4]);
        assert_eq!(m.matvec(&v).unwrap(), qs(&[1, 2, 6, 10, 9, 12]));
        let s = m.matvec_steps(&v, Some(2..3)).unwrap();
        assert_eq!(s.total_rows, 6);
        let r = &s.rows[0];
        let terms: Vec<(usize, BigRational, BigRational)> = r
            .terms
            .iter()
            .map(|t| (t.col, t.a.clone(), t.v.clone()))
            .collect();
        assert_eq!(terms, [(0, q(3), q(1)), (1, q(0), q(2)), (2, q(1), q(3))]);
        assert_eq!(r.value, q(6));
        assert!(m.matvec(&v[..3]).is_err());
        // Dense version: zeros=false leaves out zero entries.
        let g = m.to_grid();
        let d = matvec_steps(&g, &v, false, None).unwrap();
        assert_eq!(d.rows[2].terms.len(), 2);
        assert_eq!(
            d.rows.iter().map(|r| r.value.clone()).collect::<Vec<_>>(),
            qs(&[1, 2, 6, 10, 9, 12])
        );
        let d = matvec_steps(&g, &v, true, Some(0..1)).unwrap();
        assert_eq!(d.rows[0].terms.len(), 4);
    }

    #[test]
    fn wrap_gives_a_block_circulant_matrix() {
        let k = Grid::new(3, 3, qs(&[1, 2, 3, 4, 5, 6, 7, 8, 9])).unwrap();
        let o = Conv2dOptions {
            mode: Mode::Same,
            boundary: Boundary::Wrap,
            ..Default::default()
        };
        let (h, w) = (4usize, 5usize);
        let m = conv_matrix_2d(&k, (h as i64, w as i64), Op::Conv, &o).unwrap();
        assert_eq!((m.rows(), m.cols(), m.block()), (20, 20, Some((5, 5))));
        // Entry ((i, j), (r, c)) depends only on ((r − i) mod h, (c − j) mod w).
        for i in 0..h {
            for j in 0..w {
                for r in 0..h {
                    for c in 0..w {
                        let e = m.get(i * w + j, r * w + c);
                        let e0 = m.get(0, ((r + h - i) % h) * w + (c + w - j) % w);
                        assert_eq!(e, e0);
                    }
                }
            }
        }
        assert_eq!(m.nonzeros(), 20 * 9);
        // Zero boundary, valid: doubly block Toeplitz with the band of 9 taps.
        let v = conv_matrix_2d(
            &k,
            (4, 5),
            Op::Conv,
            &Conv2dOptions {
                mode: Mode::Valid,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!((v.rows(), v.cols(), v.stored()), (6, 20, 54));
    }

    #[test]
    fn size_limit_is_checked_first() {
        let k = Grid::new(1, 1, qs(&[1])).unwrap();
        let e = conv_matrix_2d(&k, (100, 100), Op::Conv, &Conv2dOptions::default()).unwrap_err();
        assert!(
            e.to_string().contains("10000×10000 convolution matrix"),
            "{e}"
        );
        let e = conv_matrix_2d(&k, (1 << 40, 1 << 40), Op::Conv, &Conv2dOptions::default())
            .unwrap_err();
        assert!(matches!(e, ConvError::TooLarge { .. }), "{e}");
        assert!(conv_matrix_2d(&k, (0, 3), Op::Conv, &Conv2dOptions::default()).is_err());
        assert!(conv_matrix_1d(&qs(&[1]), 1 << 40, Mode::Full).is_err());
    }

    fn config(cases: u32) -> Config {
        Config {
            cases,
            rng_seed: RngSeed::Fixed(0x7031_1172),
            failure_persistence: None,
            ..Config::default()
        }
    }

    proptest! {
        #![proptest_config(config(64))]

        #[test]
        fn toeplitz_times_a_is_conv(a in prop::collection::vec(-9i64..10, 1..10), b in prop::collection::vec(-9i64..10, 1..6)) {
            let (a, b) = (qs(&a), qs(&b));
            for mode in [Mode::Full, Mode::Same, Mode::Valid] {
                let t = conv_matrix_1d(&b, a.len() as i64, mode).unwrap();
                let c = conv(SeqRef::new(0, &a), SeqRef::new(0, &b), mode).unwrap();
                prop_assert_eq!(t.matvec(&a).unwrap(), c.seq.values);
            }
        }

        #[test]
        fn conv2d_is_matrix_times_flattened_input(
            (h, w) in (1usize..6, 1usize..6),
            (kr, kc) in (1usize..4, 1usize..4),
            seed in prop::collection::vec(-9i64..10, 40),
            mode in prop_oneof![Just(Mode::Full), Just(Mode::Same), Just(Mode::Valid)],
            boundary in prop_oneof![Just(Boundary::Zero), Just(Boundary::Wrap), Just(Boundary::Reflect), Just(Boundary::Nearest)],
            stride in (1i64..3, 1i64..3),
            pad in (0i64..2, 0i64..2),
            dilation in (1i64..3, 1i64..3),
            corr_op in any::<bool>(),
        ) {
            let op = if corr_op { Op::Corr } else { Op::Conv };
            let a = Grid::from_fn(h, w, |r, c| q(seed[(r * w + c) % 40]));
            let k = Grid::from_fn(kr, kc, |r, c| q(seed[(7 + r * kc + c) % 40] - 3));
            let o = Conv2dOptions { mode, boundary, stride, padding: Padding::Explicit(pad.0, pad.1), dilation };
            match apply2d(op, &a, &k, &o) {
                Ok(want) => {
                    let m = conv_matrix_2d(&k, (h as i64, w as i64), op, &o).unwrap();
                    prop_assert_eq!(m.rows(), want.rows() * want.cols());
                    prop_assert_eq!(m.matvec(a.data()).unwrap(), want.into_data());
                }
                Err(e) => prop_assert_eq!(conv_matrix_2d(&k, (h as i64, w as i64), op, &o).unwrap_err(), e),
            }
        }
    }
}
