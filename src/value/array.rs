//! Sequences (with an origin) and matrices.
//!
//! # Storage
//! Entries are stored as plain `f64` when every entry is a float (the fast
//! path the FFT and the 2D kernels use), as complex floats after a DFT, and
//! as [`Scalar`]s otherwise (exact rationals and symbolic letters). Exact
//! input therefore stays exact through every operation.
//!
//! # Index origin
//! `Sequence::start` is the index of the first stored sample: `[3, -1, 2]
//! from -1` has `start = -1`, so `x[-1] = 3`. Outside the stored range a
//! sequence is zero.

use std::borrow::Cow;

use num_complex::Complex64;

use crate::value::number::Number;
use crate::value::ring::Ring;
use crate::value::scalar::Scalar;

#[derive(Clone, Debug)]
pub enum Elems {
    Float(Vec<f64>),
    Complex(Vec<Complex64>),
    General(Vec<Scalar>),
}

impl Elems {
    /// Build from scalars, choosing the float storage when every entry is a float.
    pub fn from_scalars(values: Vec<Scalar>) -> Elems {
        let all_float = !values.is_empty()
            && values
                .iter()
                .all(|s| matches!(s, Scalar::Num(Number::Float(_))));
        if all_float {
            Elems::Float(
                values
                    .iter()
                    .map(|s| s.to_f64().unwrap_or(f64::NAN))
                    .collect(),
            )
        } else {
            Elems::General(values)
        }
    }

    /// Complex values whose imaginary parts are all zero become real floats.
    pub fn from_complex(values: Vec<Complex64>) -> Elems {
        if values.iter().all(|z| z.im == 0.0) {
            Elems::Float(values.iter().map(|z| z.re).collect())
        } else {
            Elems::Complex(values)
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Elems::Float(v) => v.len(),
            Elems::Complex(v) => v.len(),
            Elems::General(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entry `i` as a scalar; complex entries are not scalars (see [`Elems::get_complex`]).
    pub fn get(&self, i: usize) -> Option<Scalar> {
        match self {
            Elems::Float(v) => v.get(i).map(|f| Scalar::Num(Number::Float(*f))),
            Elems::Complex(_) => None,
            Elems::General(v) => v.get(i).cloned(),
        }
    }

    pub fn get_complex(&self, i: usize) -> Option<Complex64> {
        match self {
            Elems::Float(v) => v.get(i).map(|f| Complex64::new(*f, 0.0)),
            Elems::Complex(v) => v.get(i).copied(),
            Elems::General(v) => v
                .get(i)
                .and_then(|s| s.to_f64())
                .map(|f| Complex64::new(f, 0.0)),
        }
    }

    pub fn is_complex(&self) -> bool {
        matches!(self, Elems::Complex(_))
    }

    pub fn is_symbolic(&self) -> bool {
        matches!(self, Elems::General(v) if v.iter().any(Scalar::is_symbolic))
    }

    /// True when every entry is an exact rational or an exact polynomial.
    pub fn is_exact(&self) -> bool {
        match self {
            Elems::General(v) => v.iter().all(Scalar::is_exact),
            _ => false,
        }
    }

    /// The entries as scalars (complex entries are not representable: callers
    /// check [`Elems::is_complex`] first).
    pub fn scalars(&self) -> Cow<'_, [Scalar]> {
        match self {
            Elems::General(v) => Cow::Borrowed(v),
            Elems::Float(v) => {
                Cow::Owned(v.iter().map(|f| Scalar::Num(Number::Float(*f))).collect())
            }
            Elems::Complex(v) => {
                Cow::Owned(v.iter().map(|z| Scalar::Num(Number::Float(z.re))).collect())
            }
        }
    }

    /// The entries as floats when every entry is numeric.
    pub fn floats(&self) -> Option<Cow<'_, [f64]>> {
        match self {
            Elems::Float(v) => Some(Cow::Borrowed(v)),
            Elems::Complex(_) => None,
            Elems::General(v) => v
                .iter()
                .map(Scalar::to_f64)
                .collect::<Option<Vec<f64>>>()
                .map(Cow::Owned),
        }
    }

    pub fn complexes(&self) -> Cow<'_, [Complex64]> {
        match self {
            Elems::Complex(v) => Cow::Borrowed(v),
            _ => Cow::Owned(
                (0..self.len())
                    .map(|i| self.get_complex(i).unwrap_or_default())
                    .collect(),
            ),
        }
    }

    /// All entries converted to floats (`exact off`); symbolic entries keep
    /// their letters with float coefficients.
    pub fn to_float(&self) -> Elems {
        match self {
            Elems::General(v) => Elems::from_scalars(v.iter().map(Scalar::to_float).collect()),
            other => other.clone(),
        }
    }

    pub fn count_nonzero(&self) -> usize {
        match self {
            Elems::Float(v) => v.iter().filter(|f| **f != 0.0).count(),
            Elems::Complex(v) => v.iter().filter(|z| z.norm() != 0.0).count(),
            Elems::General(v) => v.iter().filter(|s| !s.is_zero()).count(),
        }
    }

    /// Apply a binary scalar operation entrywise (lengths must match).
    pub fn zip_with(
        &self,
        other: &Elems,
        op: BinaryOp,
    ) -> Result<Elems, crate::value::number::ArithError> {
        debug_assert_eq!(self.len(), other.len());
        if let (Elems::Float(a), Elems::Float(b)) = (self, other) {
            return Ok(Elems::Float(
                a.iter().zip(b).map(|(x, y)| op.apply_f64(*x, *y)).collect(),
            ));
        }
        if self.is_complex() || other.is_complex() {
            let (a, b) = (self.complexes(), other.complexes());
            return Ok(Elems::from_complex(
                a.iter()
                    .zip(b.iter())
                    .map(|(x, y)| op.apply_complex(*x, *y))
                    .collect(),
            ));
        }
        let (a, b) = (self.scalars(), other.scalars());
        let mut out = Vec::with_capacity(a.len());
        for (x, y) in a.iter().zip(b.iter()) {
            out.push(op.apply_scalar(x, y)?);
        }
        Ok(Elems::from_scalars(out))
    }
}

/// Entrywise arithmetic on arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    fn apply_f64(self, a: f64, b: f64) -> f64 {
        match self {
            BinaryOp::Add => a + b,
            BinaryOp::Sub => a - b,
            BinaryOp::Mul => a * b,
            BinaryOp::Div => a / b,
        }
    }

    fn apply_complex(self, a: Complex64, b: Complex64) -> Complex64 {
        match self {
            BinaryOp::Add => a + b,
            BinaryOp::Sub => a - b,
            BinaryOp::Mul => a * b,
            BinaryOp::Div => a / b,
        }
    }

    pub fn apply_scalar(
        self,
        a: &Scalar,
        b: &Scalar,
    ) -> Result<Scalar, crate::value::number::ArithError> {
        Ok(match self {
            BinaryOp::Add => a.add(b),
            BinaryOp::Sub => a.sub(b),
            BinaryOp::Mul => a.mul(b),
            BinaryOp::Div => a.div(b)?,
        })
    }
}

/// A sequence `x[n]`, zero outside `start .. start + len`.
#[derive(Clone, Debug)]
pub struct Sequence {
    pub start: i64,
    pub elems: Elems,
}

impl Sequence {
    pub fn new(start: i64, elems: Elems) -> Sequence {
        Sequence { start, elems }
    }

    pub fn from_scalars(start: i64, values: Vec<Scalar>) -> Sequence {
        Sequence::new(start, Elems::from_scalars(values))
    }

    pub fn from_f64(start: i64, values: Vec<f64>) -> Sequence {
        Sequence::new(start, Elems::Float(values))
    }

    pub fn len(&self) -> usize {
        self.elems.len()
    }

    pub fn is_empty(&self) -> bool {
        self.elems.is_empty()
    }

    /// One past the last stored index.
    pub fn end(&self) -> i64 {
        self.start + self.len() as i64
    }

    /// x[n], zero outside the stored range.
    pub fn at(&self, n: i64) -> Scalar {
        if n < self.start || n >= self.end() {
            return Scalar::zero();
        }
        self.elems
            .get((n - self.start) as usize)
            .unwrap_or_else(Scalar::zero)
    }

    /// Entrywise operation aligned by index: the result covers the union of
    /// both index ranges, with zeros filled in.
    pub fn aligned(
        &self,
        other: &Sequence,
        op: BinaryOp,
    ) -> Result<Sequence, crate::value::number::ArithError> {
        if self.is_empty() && other.is_empty() {
            return Ok(self.clone());
        }
        let start = if self.is_empty() {
            other.start
        } else if other.is_empty() {
            self.start
        } else {
            self.start.min(other.start)
        };
        let end = self.end().max(other.end());
        let a = self.widened(start, end);
        let b = other.widened(start, end);
        Ok(Sequence::new(start, a.zip_with(&b, op)?))
    }

    /// The entries over `start..end`, zero-padded.
    pub fn widened(&self, start: i64, end: i64) -> Elems {
        let len = (end - start).max(0) as usize;
        let offset = self.start - start;
        match &self.elems {
            Elems::Float(v) => {
                let mut out = vec![0.0; len];
                for (i, x) in v.iter().enumerate() {
                    out[(offset + i as i64) as usize] = *x;
                }
                Elems::Float(out)
            }
            Elems::Complex(v) => {
                let mut out = vec![Complex64::new(0.0, 0.0); len];
                for (i, x) in v.iter().enumerate() {
                    out[(offset + i as i64) as usize] = *x;
                }
                Elems::Complex(out)
            }
            Elems::General(v) => {
                let mut out = vec![Scalar::zero(); len];
                for (i, x) in v.iter().enumerate() {
                    out[(offset + i as i64) as usize] = x.clone();
                }
                Elems::General(out)
            }
        }
    }
}

/// A dense row-major matrix.
#[derive(Clone, Debug)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub elems: Elems,
}

impl Matrix {
    pub fn new(rows: usize, cols: usize, elems: Elems) -> Matrix {
        debug_assert_eq!(rows * cols, elems.len());
        Matrix { rows, cols, elems }
    }

    pub fn get(&self, r: usize, c: usize) -> Option<Scalar> {
        if r < self.rows && c < self.cols {
            self.elems.get(r * self.cols + c)
        } else {
            None
        }
    }

    pub fn row_scalars(&self, r: usize) -> Vec<Scalar> {
        (0..self.cols)
            .map(|c| self.get(r, c).unwrap_or_else(Scalar::zero))
            .collect()
    }
}
