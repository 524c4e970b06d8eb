//! A scalar entry of a sequence or matrix: a number or a symbolic polynomial.

use crate::value::number::{ArithError, NumFmt, Number};
use crate::value::poly::Poly;
use crate::value::ring::Ring;

/// A number, or a polynomial in symbols. A polynomial with no symbols is
/// always normalised to a number.
#[derive(Clone, Debug)]
pub enum Scalar {
    Num(Number),
    Sym(Poly),
}

impl Scalar {
    pub fn int(i: i64) -> Scalar {
        Scalar::Num(Number::int(i))
    }

    pub fn symbol(name: &str) -> Scalar {
        Scalar::Sym(Poly::symbol(name))
    }

    fn from_poly(p: Poly) -> Scalar {
        match p.as_constant() {
            Some(c) => Scalar::Num(c),
            None => Scalar::Sym(p),
        }
    }

    fn to_poly(&self) -> Poly {
        match self {
            Scalar::Num(n) => Poly::constant(n.clone()),
            Scalar::Sym(p) => p.clone(),
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Scalar::Num(n) => Some(n),
            Scalar::Sym(_) => None,
        }
    }

    pub fn is_symbolic(&self) -> bool {
        matches!(self, Scalar::Sym(_))
    }

    pub fn is_exact(&self) -> bool {
        match self {
            Scalar::Num(n) => n.is_exact(),
            Scalar::Sym(p) => p.terms().all(|(_, c)| c.is_exact()),
        }
    }

    /// Numeric value; symbolic scalars have none.
    pub fn to_f64(&self) -> Option<f64> {
        self.as_number().map(Number::to_f64)
    }

    pub fn div(&self, other: &Scalar) -> Result<Scalar, ArithError> {
        match (self, other) {
            (Scalar::Num(a), Scalar::Num(b)) => a.div(b).map(Scalar::Num),
            (Scalar::Sym(p), Scalar::Num(b)) => {
                let inv = Number::one().div(b)?;
                Ok(Scalar::from_poly(p.scale(&inv)))
            }
            (_, Scalar::Sym(_)) => Err(ArithError::Domain(
                "cannot divide by a symbolic expression; symbols support +, − and ·".into(),
            )),
        }
    }

    pub fn to_float(&self) -> Scalar {
        match self {
            Scalar::Num(n) => Scalar::Num(n.to_float()),
            Scalar::Sym(p) => Scalar::Sym(p.to_float()),
        }
    }

    pub fn format(&self, fmt: &NumFmt) -> String {
        match self {
            Scalar::Num(n) => n.format(fmt),
            Scalar::Sym(p) => p.render(fmt, false),
        }
    }

    /// Text for a CAS (`*`, ASCII minus).
    pub fn format_cas(&self, fmt: &NumFmt) -> String {
        match self {
            Scalar::Num(n) => n.format(fmt),
            Scalar::Sym(p) => p.render(fmt, true),
        }
    }

    /// Whether the display needs parentheses as a factor (`1·(−0.5)`, `(a + b)·c`).
    pub fn needs_parens_as_factor(&self, fmt: &NumFmt) -> bool {
        match self {
            Scalar::Num(n) => n.is_negative() || n.format(fmt).contains('/'),
            Scalar::Sym(p) => p.terms().count() > 1 || p.terms().any(|(_, c)| c.is_negative()),
        }
    }

    /// Exact equality for exact values; floats compare exactly too (callers
    /// that want a tolerance use [`Scalar::approx_eq`]).
    pub fn scalar_eq(&self, other: &Scalar) -> bool {
        match (self, other) {
            (Scalar::Num(a), Scalar::Num(b)) => a.num_eq(b),
            _ => self.to_poly().poly_eq(&other.to_poly()),
        }
    }

    /// Equality within a relative/absolute tolerance for numbers; symbolic
    /// values compare coefficient by coefficient with the same tolerance.
    pub fn approx_eq(&self, other: &Scalar, tol: f64) -> bool {
        match (self, other) {
            (Scalar::Num(a), Scalar::Num(b)) if a.is_exact() && b.is_exact() => a.num_eq(b),
            (Scalar::Num(a), Scalar::Num(b)) => close(a.to_f64(), b.to_f64(), tol),
            _ => self
                .to_poly()
                .sub(&other.to_poly())
                .terms()
                .all(|(_, c)| c.to_f64().abs() <= tol),
        }
    }
}

/// `|a − b| ≤ tol·max(1, |a|, |b|)`; equal infinities are equal.
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    if a == b {
        return true;
    }
    (a - b).abs() <= tol * 1f64.max(a.abs()).max(b.abs())
}

impl From<Number> for Scalar {
    fn from(n: Number) -> Scalar {
        Scalar::Num(n)
    }
}

impl Ring for Scalar {
    fn zero() -> Self {
        Scalar::Num(Number::zero())
    }
    fn one() -> Self {
        Scalar::Num(Number::one())
    }
    fn is_zero(&self) -> bool {
        match self {
            Scalar::Num(n) => n.is_zero(),
            Scalar::Sym(p) => p.is_zero(),
        }
    }
    fn add(&self, other: &Self) -> Self {
        match (self, other) {
            (Scalar::Num(a), Scalar::Num(b)) => Scalar::Num(a.add(b)),
            _ => Scalar::from_poly(self.to_poly().add(&other.to_poly())),
        }
    }
    fn sub(&self, other: &Self) -> Self {
        match (self, other) {
            (Scalar::Num(a), Scalar::Num(b)) => Scalar::Num(a.sub(b)),
            _ => Scalar::from_poly(self.to_poly().sub(&other.to_poly())),
        }
    }
    fn mul(&self, other: &Self) -> Self {
        match (self, other) {
            (Scalar::Num(a), Scalar::Num(b)) => Scalar::Num(a.mul(b)),
            (Scalar::Num(a), Scalar::Sym(p)) | (Scalar::Sym(p), Scalar::Num(a)) => {
                Scalar::from_poly(p.scale(a))
            }
            (Scalar::Sym(p), Scalar::Sym(q)) => Scalar::from_poly(p.mul(q)),
        }
    }
    fn neg(&self) -> Self {
        match self {
            Scalar::Num(a) => Scalar::Num(a.neg()),
            Scalar::Sym(p) => Scalar::Sym(p.neg()),
        }
    }
}
