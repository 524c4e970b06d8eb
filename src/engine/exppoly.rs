//! Exponential polynomials: finite sums of terms `c·t^k·exp(α·t + β)`.
//!
//! This is the class the exact convolution engine works in: polynomials,
//! exponentials, sines, cosines and damped sinusoids are all sums of such
//! terms, and the class is closed under products, shifts, reflections and
//! antiderivatives.
//!
//! [`ExpPolyN<N>`] is the same sum over `N` variables (each term has a power
//! and a rate per variable). Users see [`ExpPoly`] (one variable, `t`);
//! the convolution engine also uses [`ExpPoly2`] for integrands
//! `f(τ)·g(t − τ)` in the two variables `(τ, t)`.
//!
//! # Conventions
//! * **Complex numbers.** Coefficients `c`, rates `α` and offsets `β` are
//!   [`CNum`]s: a real and an imaginary part, each a [`Number`]. `cos(ω·t)`
//!   is stored as `½·exp(iω·t) + ½·exp(−iω·t)`. Rendering turns every
//!   conjugate pair back into `exp(a·t)·(A·cos(ω·t) + B·sin(ω·t))`, so no `i`
//!   is shown unless the function really is complex.
//! * **Exactness.** Arithmetic on exact parts is exact rational arithmetic.
//!   Shifting a term by an exact `b` multiplies it by `exp(α·b)`, which is
//!   transcendental: it is kept *symbolically* as the exact offset `β`, so
//!   `exp(-(t - 1))` shows as `exp(1 - t)` and evaluating at `t = 1` gives
//!   exactly `1`. As soon as a coefficient or an offset is a float, the
//!   offset is folded into the coefficient (`c ← c·exp(β)`) and the term is
//!   honest floating point from then on.
//! * **Canonical form.** Terms with the same powers, rates and offset are
//!   merged; a term whose coefficient is zero is dropped. Terms with different
//!   exact offsets are never merged (`exp(1 - t) − exp(-t)` stays as it is:
//!   combining it would need the float `e`). By the Lindemann–Weierstrass
//!   theorem, `exp` of distinct algebraic numbers are linearly independent,
//!   so two *exact* constants (see [`ExpPoly::value_at`]) are equal exactly
//!   when their canonical forms are.
//! * **Speed.** [`Number`] arithmetic allocates. The convolution engine's
//!   inner loops (integrand, antiderivative, evaluation at the limits) run in
//!   [`ConvKernel`] on a private small-rational scalar that holds values up to
//!   `i64/i64` without allocation and falls back to [`Number`] beyond that,
//!   with the same results.
//! * **Display order.** Polynomial terms first in ascending degree (`2 − t`),
//!   then by decreasing growth rate (`exp(-t) − exp(-2·t)`), larger offsets
//!   first (`exp(1 - t) − exp(-t)`).

use std::cmp::Ordering;

use num_complex::Complex64;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::ToPrimitive;

use crate::value::number::{format_float, ArithError, NumFmt, Number};

// ---------------------------------------------------------------------------
// Number helpers that keep exact zeros exact and skip needless allocation.

fn exact_zero(n: &Number) -> bool {
    matches!(n, Number::Exact(r) if num_traits::Zero::is_zero(r))
}

fn exact_one(n: &Number) -> bool {
    matches!(n, Number::Exact(r) if num_traits::One::is_one(r))
}

/// Numerator and denominator of an exact number when both fit in an `i64`.
fn small(n: &Number) -> Option<(i128, i128)> {
    match n {
        Number::Exact(r) => Some((
            i128::from(r.numer().to_i64()?),
            i128::from(r.denom().to_i64()?),
        )),
        Number::Float(_) => None,
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `n/d` reduced, built without big-integer arithmetic (`d > 0`).
fn from_small(n: i128, d: i128) -> Number {
    let g = gcd(n.unsigned_abs(), d.unsigned_abs()).max(1) as i128;
    Number::Exact(BigRational::new_raw(
        BigInt::from(n / g),
        BigInt::from(d / g),
    ))
}

// Small rationals (the common case: literals, breakpoints, binomials) take a
// fast path in i128 — products of two i64 cannot overflow it; anything larger
// goes through `Number`'s big-integer arithmetic, with the same result.

fn nadd(a: &Number, b: &Number) -> Number {
    if exact_zero(b) {
        a.clone()
    } else if exact_zero(a) {
        b.clone()
    } else if let (Some((p, q)), Some((r, s))) = (small(a), small(b)) {
        from_small(p * s + r * q, q * s)
    } else {
        a.add(b)
    }
}

fn nsub(a: &Number, b: &Number) -> Number {
    if exact_zero(b) {
        a.clone()
    } else if exact_zero(a) {
        b.neg()
    } else if let (Some((p, q)), Some((r, s))) = (small(a), small(b)) {
        from_small(p * s - r * q, q * s)
    } else {
        a.sub(b)
    }
}

/// Product; an exact zero annihilates even a float (0·x is exactly 0).
fn nmul(a: &Number, b: &Number) -> Number {
    if exact_zero(a) || exact_zero(b) {
        Number::zero()
    } else if exact_one(a) {
        b.clone()
    } else if exact_one(b) {
        a.clone()
    } else if let (Some((p, q)), Some((r, s))) = (small(a), small(b)) {
        from_small(p * r, q * s)
    } else {
        a.mul(b)
    }
}

/// `a += b` without a copy when `b` is an exact zero.
fn nadd_assign(a: &mut Number, b: &Number) {
    if exact_zero(b) {
        return;
    }
    *a = nadd(a, b);
}

/// Equality of values; exact numbers are kept reduced, so compare parts.
fn neq(a: &Number, b: &Number) -> bool {
    match (a, b) {
        (Number::Exact(x), Number::Exact(y)) => x.numer() == y.numer() && x.denom() == y.denom(),
        _ => a.num_eq(b),
    }
}

fn cmp_num(a: &Number, b: &Number) -> Ordering {
    a.partial_cmp_num(b).unwrap_or(Ordering::Equal)
}

/// `x^0 … x^max` (exact when `x` is).
fn powers(x: &Number, max: u32) -> Vec<Number> {
    let mut out = Vec::with_capacity(max as usize + 1);
    out.push(Number::one());
    for k in 1..=max as usize {
        out.push(nmul(&out[k - 1], x));
    }
    out
}

/// Row `k` holds the coefficients of `(a·x + b)^k` in powers of `x`,
/// for `k = 0 … max`, built by Pascal's rule (no binomials recomputed).
fn affine_table(a: &Number, b: &Number, max: u32) -> Vec<Vec<Number>> {
    let mut rows: Vec<Vec<Number>> = Vec::with_capacity(max as usize + 1);
    rows.push(vec![Number::one()]);
    for k in 1..=max as usize {
        let prev = &rows[k - 1];
        let row = (0..=k)
            .map(|q| {
                let from_b = prev.get(q).map(|c| nmul(c, b));
                let from_a = q.checked_sub(1).map(|q1| nmul(&prev[q1], a));
                match (from_a, from_b) {
                    (Some(x), Some(y)) => nadd(&x, &y),
                    (Some(x), None) | (None, Some(x)) => x,
                    (None, None) => Number::zero(),
                }
            })
            .collect();
        rows.push(row);
    }
    rows
}

// ---------------------------------------------------------------------------

/// A complex number whose parts are [`Number`]s: exact when both parts are.
#[derive(Clone, Debug)]
pub struct CNum {
    pub re: Number,
    pub im: Number,
}

impl CNum {
    pub fn new(re: Number, im: Number) -> CNum {
        CNum { re, im }
    }

    /// A real number (imaginary part exactly zero).
    pub fn real(re: Number) -> CNum {
        CNum {
            re,
            im: Number::zero(),
        }
    }

    /// `im·i`.
    pub fn imag(im: Number) -> CNum {
        CNum {
            re: Number::zero(),
            im,
        }
    }

    pub fn zero() -> CNum {
        CNum::real(Number::zero())
    }

    pub fn one() -> CNum {
        CNum::real(Number::one())
    }

    /// The imaginary unit.
    pub fn i() -> CNum {
        CNum::imag(Number::one())
    }

    /// Floats from a [`Complex64`].
    pub fn from_c64(z: Complex64) -> CNum {
        CNum::new(Number::Float(z.re), Number::Float(z.im))
    }

    pub fn is_zero(&self) -> bool {
        self.re.is_zero() && self.im.is_zero()
    }

    pub fn is_real(&self) -> bool {
        self.im.is_zero()
    }

    pub fn is_exact(&self) -> bool {
        self.re.is_exact() && self.im.is_exact()
    }

    pub fn add(&self, o: &CNum) -> CNum {
        CNum::new(nadd(&self.re, &o.re), nadd(&self.im, &o.im))
    }

    pub fn sub(&self, o: &CNum) -> CNum {
        CNum::new(nsub(&self.re, &o.re), nsub(&self.im, &o.im))
    }

    /// `self += o`.
    pub fn add_assign(&mut self, o: &CNum) {
        nadd_assign(&mut self.re, &o.re);
        nadd_assign(&mut self.im, &o.im);
    }

    pub fn neg(&self) -> CNum {
        CNum::new(self.re.neg(), self.im.neg())
    }

    pub fn conj(&self) -> CNum {
        CNum::new(self.re.clone(), self.im.neg())
    }

    pub fn mul(&self, o: &CNum) -> CNum {
        if exact_zero(&o.im) {
            return self.scale(&o.re);
        }
        if exact_zero(&self.im) {
            return o.scale(&self.re);
        }
        CNum::new(
            nsub(&nmul(&self.re, &o.re), &nmul(&self.im, &o.im)),
            nadd(&nmul(&self.re, &o.im), &nmul(&self.im, &o.re)),
        )
    }

    /// Multiply by a real number.
    pub fn scale(&self, k: &Number) -> CNum {
        CNum::new(nmul(&self.re, k), nmul(&self.im, k))
    }

    pub fn div(&self, o: &CNum) -> Result<CNum, ArithError> {
        if o.is_zero() {
            return Err(ArithError::DivisionByZero);
        }
        if exact_zero(&o.im) {
            return Ok(CNum::new(self.re.div(&o.re)?, self.im.div(&o.re)?));
        }
        let denom = nadd(&nmul(&o.re, &o.re), &nmul(&o.im, &o.im));
        let re = nadd(&nmul(&self.re, &o.re), &nmul(&self.im, &o.im));
        let im = nsub(&nmul(&self.im, &o.re), &nmul(&self.re, &o.im));
        Ok(CNum::new(re.div(&denom)?, im.div(&denom)?))
    }

    /// Equality of values (exact when both are exact).
    pub fn num_eq(&self, o: &CNum) -> bool {
        neq(&self.re, &o.re) && neq(&self.im, &o.im)
    }

    pub fn to_c64(&self) -> Complex64 {
        Complex64::new(self.re.to_f64(), self.im.to_f64())
    }

    /// `exp(self)` in floating point.
    pub fn exp_c64(&self) -> Complex64 {
        self.to_c64().exp()
    }

    /// Either part a float.
    fn to_float(&self) -> CNum {
        CNum::new(self.re.to_float(), self.im.to_float())
    }

    /// Render as a coefficient of nothing (a plain number).
    pub fn render(&self, style: Style, fmt: &NumFmt) -> String {
        let (neg, body) = scaled_c(self, "", style, fmt);
        if neg {
            format!("-{body}")
        } else {
            body
        }
    }
}

impl From<Number> for CNum {
    fn from(re: Number) -> CNum {
        CNum::real(re)
    }
}

impl PartialEq for CNum {
    fn eq(&self, other: &CNum) -> bool {
        self.num_eq(other)
    }
}

// ---------------------------------------------------------------------------

/// One term `coef · Π x_v^pow[v] · exp(Σ rate[v]·x_v + offset)`.
///
/// Build terms through [`ExpPolyN::push`], which keeps the canonical form
/// (offsets folded into the coefficient once anything is a float).
#[derive(Clone, Debug)]
pub struct Term<const N: usize> {
    pub coef: CNum,
    pub pow: [u32; N],
    pub rate: [CNum; N],
    pub offset: CNum,
}

impl<const N: usize> Term<N> {
    /// `coef · x^pow · exp(rate·x + offset)`.
    pub fn new(coef: CNum, pow: [u32; N], rate: [CNum; N], offset: CNum) -> Term<N> {
        Term {
            coef,
            pow,
            rate,
            offset,
        }
    }

    fn same_key(&self, o: &Term<N>) -> bool {
        self.pow == o.pow
            && self.rate.iter().zip(&o.rate).all(|(a, b)| a.num_eq(b))
            && self.offset.num_eq(&o.offset)
    }

    fn normalized(mut self) -> Term<N> {
        if self.offset.is_zero() {
            if !(exact_zero(&self.offset.re) && exact_zero(&self.offset.im)) {
                self.offset = CNum::zero();
            }
        } else if !(self.offset.is_exact() && self.coef.is_exact()) {
            self.coef = if self.offset.is_real() {
                self.coef
                    .scale(&Number::Float(self.offset.re.to_f64().exp()))
            } else {
                CNum::from_c64(self.coef.to_c64() * self.offset.exp_c64())
            };
            self.offset = CNum::zero();
        }
        self
    }

    /// Value at a point, in floating point.
    pub fn eval(&self, x: &[f64; N]) -> Complex64 {
        let mut exponent = self.offset.to_c64();
        let mut monomial = 1.0;
        for ((xv, rate), pow) in x.iter().zip(&self.rate).zip(self.pow) {
            exponent += rate.to_c64() * xv;
            monomial *= xv.powi(pow as i32);
        }
        self.coef.to_c64() * monomial * exponent.exp()
    }

    fn is_exact(&self) -> bool {
        self.coef.is_exact() && self.offset.is_exact() && self.rate.iter().all(CNum::is_exact)
    }

    fn total_degree(&self) -> u32 {
        self.pow.iter().sum()
    }

    fn has_imag_key(&self) -> bool {
        !self.offset.im.is_zero() || self.rate.iter().any(|r| !r.im.is_zero())
    }

    /// The first nonzero imaginary part among the rates, then the offset, is positive.
    fn positive_orientation(&self) -> bool {
        self.rate
            .iter()
            .map(|r| &r.im)
            .chain(std::iter::once(&self.offset.im))
            .find(|x| !x.is_zero())
            .is_some_and(|x| !x.is_negative())
    }

    fn is_conj_partner(&self, o: &Term<N>) -> bool {
        self.pow == o.pow
            && self
                .rate
                .iter()
                .zip(&o.rate)
                .all(|(a, b)| a.conj().num_eq(b))
            && self.offset.conj().num_eq(&o.offset)
            && coef_close(&self.coef.conj(), &o.coef, 1e-9)
    }
}

/// Coefficients equal: exactly when both are exact, to a relative tolerance otherwise.
fn coef_close(a: &CNum, b: &CNum, tol: f64) -> bool {
    if a.is_exact() && b.is_exact() {
        return a.num_eq(b);
    }
    let (x, y) = (a.to_c64(), b.to_c64());
    (x - y).norm() <= tol * x.norm().max(y.norm())
}

// ---------------------------------------------------------------------------

/// A finite sum of [`Term`]s in `N` variables. See the module docs for the
/// conventions.
#[derive(Clone, Debug, Default)]
pub struct ExpPolyN<const N: usize> {
    terms: Vec<Term<N>>,
}

/// An exponential polynomial in one variable.
pub type ExpPoly = ExpPolyN<1>;

/// An exponential polynomial in two variables `(τ, t)`: a convolution integrand.
pub type ExpPoly2 = ExpPolyN<2>;

/// How to render an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// For people: `·`, `−` between terms, `exp(-2·t)`, `t^2/2`.
    Text,
    /// For a CAS (sympy's `sympify`): `*`, `^`, ASCII `-`, `exp()`, `I`.
    Cas,
    /// LaTeX math: `\frac{t^{2}}{2}`, `e^{-t}`, `\cos(t)`.
    Latex,
}

impl Style {
    fn times(self) -> &'static str {
        match self {
            Style::Text => "·",
            Style::Cas => "*",
            Style::Latex => " ",
        }
    }

    fn minus(self) -> &'static str {
        match self {
            Style::Text => "−",
            Style::Cas | Style::Latex => "-",
        }
    }

    fn imag_unit(self) -> &'static str {
        match self {
            Style::Cas => "I",
            Style::Text | Style::Latex => "i",
        }
    }
}

impl<const N: usize> ExpPolyN<N> {
    pub const fn zero() -> Self {
        ExpPolyN { terms: Vec::new() }
    }

    /// No terms (the zero function).
    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn terms(&self) -> &[Term<N>] {
        &self.terms
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Add a term, merging it with a term of the same powers, rates and offset.
    pub fn push(&mut self, term: Term<N>) {
        if term.coef.is_zero() {
            return;
        }
        let term = term.normalized();
        if let Some(pos) = self.terms.iter().position(|t| t.same_key(&term)) {
            let c = self.terms[pos].coef.add(&term.coef);
            if c.is_zero() {
                self.terms.swap_remove(pos);
            } else {
                self.terms[pos].coef = c;
            }
        } else if !term.coef.is_zero() {
            self.terms.push(term);
        }
    }

    /// A sum of terms in canonical form.
    pub fn from_terms(terms: impl IntoIterator<Item = Term<N>>) -> Self {
        let mut out = Self::zero();
        for t in terms {
            out.push(t);
        }
        out
    }

    /// `self += other`.
    pub fn add_assign(&mut self, other: &Self) {
        for t in &other.terms {
            self.push(t.clone());
        }
    }

    pub fn add(&self, other: &Self) -> Self {
        let mut out = self.clone();
        out.add_assign(other);
        out
    }

    pub fn sub(&self, other: &Self) -> Self {
        let mut out = self.clone();
        for t in &other.terms {
            let mut t = t.clone();
            t.coef = t.coef.neg();
            out.push(t);
        }
        out
    }

    pub fn neg(&self) -> Self {
        ExpPolyN {
            terms: self
                .terms
                .iter()
                .map(|t| Term {
                    coef: t.coef.neg(),
                    ..t.clone()
                })
                .collect(),
        }
    }

    /// Multiply by a real number.
    pub fn scale(&self, k: &Number) -> Self {
        self.scale_c(&CNum::real(k.clone()))
    }

    /// Multiply by a complex number.
    pub fn scale_c(&self, k: &CNum) -> Self {
        Self::from_terms(self.terms.iter().map(|t| Term {
            coef: t.coef.mul(k),
            ..t.clone()
        }))
    }

    pub fn mul(&self, other: &Self) -> Self {
        let mut out = Self::zero();
        for a in &self.terms {
            for b in &other.terms {
                out.push(Term {
                    coef: a.coef.mul(&b.coef),
                    pow: std::array::from_fn(|v| a.pow[v].saturating_add(b.pow[v])),
                    rate: std::array::from_fn(|v| a.rate[v].add(&b.rate[v])),
                    offset: a.offset.add(&b.offset),
                });
            }
        }
        out
    }

    /// Every coefficient, rate and offset is exact.
    pub fn is_exact(&self) -> bool {
        self.terms.iter().all(Term::is_exact)
    }

    /// Largest total power of any term (0 for the zero function).
    pub fn degree(&self) -> u32 {
        self.terms.iter().map(Term::total_degree).max().unwrap_or(0)
    }

    /// Every rate is zero: a polynomial (possibly with constant factors `exp(β)`).
    pub fn is_polynomial(&self) -> bool {
        self.terms.iter().all(|t| t.rate.iter().all(CNum::is_zero))
    }

    /// Real-valued for real arguments: every term with a complex coefficient,
    /// rate or offset has its conjugate partner.
    pub fn is_real(&self) -> bool {
        self.display_terms().iter().all(|d| match &d.shape {
            Shape::Plain(c) => c.is_real(),
            Shape::Trig { .. } => true,
            Shape::Raw { .. } => false,
        })
    }

    /// Value at a point, in floating point.
    pub fn eval_at(&self, x: &[f64; N]) -> Complex64 {
        self.terms.iter().map(|t| t.eval(x)).sum()
    }

    /// The same function term by term: equal keys, and equal coefficients
    /// (exactly when exact, to 1e-12 relative when a float is involved).
    pub fn same_formula(&self, other: &Self) -> bool {
        self.terms.len() == other.terms.len()
            && self.terms.iter().all(|t| {
                other
                    .terms
                    .iter()
                    .any(|u| u.same_key(t) && coef_close(&t.coef, &u.coef, 1e-12))
            })
    }

    /// The antiderivative in variable `v` (constant of integration zero):
    /// `∫ x^m·exp(a·x) dx = exp(a·x)·Σ_j (−1)^j·m!/(m−j)!·x^(m−j)/a^(j+1)`
    /// for `a ≠ 0`, `x^(m+1)/(m+1)` for `a = 0`. Exact when the term is.
    pub fn antiderivative_in(&self, v: usize) -> Self {
        let mut out = Self::zero();
        for term in &self.terms {
            let m = term.pow[v];
            let rate = &term.rate[v];
            if rate.is_zero() {
                let mut t = term.clone();
                t.pow[v] = m + 1;
                t.coef = t.coef.scale(&Number::ratio(1, i64::from(m) + 1));
                out.push(t);
                continue;
            }
            let Ok(inv) = CNum::one().div(rate) else {
                continue;
            };
            let mut factor = term.coef.mul(&inv);
            for j in 0..=m {
                let mut t = term.clone();
                t.pow[v] = m - j;
                t.coef = factor.clone();
                out.push(t);
                factor = factor.mul(&inv).scale(&Number::int(-i64::from(m - j)));
            }
        }
        out
    }

    /// Render with the given variable names (e.g. `["τ", "t"]`).
    pub fn render(&self, vars: [&str; N], style: Style, fmt: &NumFmt) -> String {
        let mut items = Vec::new();
        for d in self.display_terms() {
            d.render_into(&vars, style, fmt, &mut items);
        }
        join_items(&items, style)
    }

    /// Group conjugate pairs for display, then sort.
    fn display_terms(&self) -> Vec<Disp<N>> {
        let n = self.terms.len();
        let mut used = vec![false; n];
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let t = &self.terms[i];
            if !t.has_imag_key() || !t.positive_orientation() {
                continue;
            }
            let partner = (0..n).find(|&j| j != i && !used[j] && t.is_conj_partner(&self.terms[j]));
            if let Some(j) = partner {
                used[i] = true;
                used[j] = true;
                let u = &self.terms[j];
                out.push(Disp {
                    pow: t.pow,
                    rate_re: std::array::from_fn(|v| t.rate[v].re.clone()),
                    offset_re: t.offset.re.clone(),
                    shape: Shape::Trig {
                        freq: std::array::from_fn(|v| t.rate[v].im.clone()),
                        phase: t.offset.im.clone(),
                        cos: nadd(&t.coef.re, &u.coef.re),
                        sin: nsub(&u.coef.im, &t.coef.im),
                    },
                });
            }
        }
        for (t, _) in self.terms.iter().zip(&used).filter(|(_, u)| !**u) {
            let shape = if t.has_imag_key() {
                Shape::Raw {
                    coef: t.coef.clone(),
                    rate: t.rate.clone(),
                    offset: t.offset.clone(),
                }
            } else {
                Shape::Plain(t.coef.clone())
            };
            out.push(Disp {
                pow: t.pow,
                rate_re: std::array::from_fn(|v| t.rate[v].re.clone()),
                offset_re: t.offset.re.clone(),
                shape,
            });
        }
        out.sort_by(Disp::display_order);
        out
    }
}

// ---------------------------------------------------------------------------
// One variable.

impl ExpPolyN<1> {
    /// The general term `c·t^k·exp(α·t + β)`.
    pub fn term(c: CNum, k: u32, alpha: CNum, beta: CNum) -> ExpPoly {
        ExpPoly::from_terms([Term::new(c, [k], [alpha], beta)])
    }

    /// The constant `c`.
    pub fn constant(c: Number) -> ExpPoly {
        ExpPoly::constant_c(CNum::real(c))
    }

    /// The complex constant `c`.
    pub fn constant_c(c: CNum) -> ExpPoly {
        ExpPoly::term(c, 0, CNum::zero(), CNum::zero())
    }

    /// The variable `t`.
    pub fn var() -> ExpPoly {
        ExpPoly::monomial(Number::one(), 1)
    }

    /// `c·t^k`.
    pub fn monomial(c: Number, k: u32) -> ExpPoly {
        ExpPoly::term(CNum::real(c), k, CNum::zero(), CNum::zero())
    }

    /// `exp(α·t)`.
    pub fn exp(alpha: Number) -> ExpPoly {
        ExpPoly::exp_c(CNum::real(alpha))
    }

    /// `exp(α·t)` for complex α.
    pub fn exp_c(alpha: CNum) -> ExpPoly {
        ExpPoly::term(CNum::one(), 0, alpha, CNum::zero())
    }

    /// `exp(α·t + β)`, with `β` kept exact when it is.
    pub fn exp_affine(alpha: Number, beta: Number) -> ExpPoly {
        ExpPoly::term(CNum::one(), 0, CNum::real(alpha), CNum::real(beta))
    }

    /// `cos(ω·t + φ) = ½·exp(i(ω·t + φ)) + ½·exp(−i(ω·t + φ))`.
    pub fn cos_affine(omega: Number, phi: Number) -> ExpPoly {
        let half = CNum::real(Number::ratio(1, 2));
        let w = CNum::imag(omega);
        let p = CNum::imag(phi);
        ExpPoly::from_terms([
            Term::new(half.clone(), [0], [w.clone()], p.clone()),
            Term::new(half, [0], [w.neg()], p.neg()),
        ])
    }

    /// `sin(ω·t + φ) = −½i·exp(i(ω·t + φ)) + ½i·exp(−i(ω·t + φ))`.
    pub fn sin_affine(omega: Number, phi: Number) -> ExpPoly {
        let half_i = CNum::imag(Number::ratio(1, 2));
        let w = CNum::imag(omega);
        let p = CNum::imag(phi);
        ExpPoly::from_terms([
            Term::new(half_i.neg(), [0], [w.clone()], p.clone()),
            Term::new(half_i, [0], [w.neg()], p.neg()),
        ])
    }

    /// `cos(ω·t)`.
    pub fn cos(omega: Number) -> ExpPoly {
        ExpPoly::cos_affine(omega, Number::zero())
    }

    /// `sin(ω·t)`.
    pub fn sin(omega: Number) -> ExpPoly {
        ExpPoly::sin_affine(omega, Number::zero())
    }

    /// `self^n` by repeated multiplication.
    pub fn pow(&self, n: u32) -> ExpPoly {
        let mut out = ExpPoly::constant(Number::one());
        for _ in 0..n {
            out = out.mul(self);
        }
        out
    }

    /// `Some((a, b))` when the function is exactly the real affine `a·t + b`.
    pub fn as_affine(&self) -> Option<(Number, Number)> {
        let (mut a, mut b) = (Number::zero(), Number::zero());
        for t in &self.terms {
            if !t.coef.is_real() || !t.rate[0].is_zero() || !t.offset.is_zero() {
                return None;
            }
            match t.pow[0] {
                0 => b = t.coef.re.clone(),
                1 => a = t.coef.re.clone(),
                _ => return None,
            }
        }
        Some((a, b))
    }

    /// `exp(self)` when `self` is affine (`exp(-(t - 1))` is `exp(1 - t)`).
    pub fn exp_of(&self) -> Option<ExpPoly> {
        self.as_affine().map(|(a, b)| ExpPoly::exp_affine(a, b))
    }

    /// `sin(self)` when `self` is affine.
    pub fn sin_of(&self) -> Option<ExpPoly> {
        self.as_affine().map(|(a, b)| ExpPoly::sin_affine(a, b))
    }

    /// `cos(self)` when `self` is affine.
    pub fn cos_of(&self) -> Option<ExpPoly> {
        self.as_affine().map(|(a, b)| ExpPoly::cos_affine(a, b))
    }

    /// The substitution `t → a·t + b`: `f(a·t + b)`. A factor `exp(α·b)`
    /// stays an exact offset when `α` and `b` are exact.
    pub fn compose_affine(&self, a: &Number, b: &Number) -> ExpPoly {
        let table = affine_table(a, b, self.degree());
        let mut out = ExpPoly::zero();
        for t in &self.terms {
            let rate = t.rate[0].scale(a);
            let offset = t.offset.add(&t.rate[0].scale(b));
            for (q, c) in table[t.pow[0] as usize].iter().enumerate() {
                if !c.is_zero() {
                    out.push(Term::new(
                        t.coef.scale(c),
                        [q as u32],
                        [rate.clone()],
                        offset.clone(),
                    ));
                }
            }
        }
        out
    }

    /// An antiderivative (constant of integration zero).
    pub fn antiderivative(&self) -> ExpPoly {
        self.antiderivative_in(0)
    }

    /// `∫_lo^hi self(t) dt` as a constant (exact, with symbolic `exp(β)`
    /// factors, when the function and the limits are exact).
    pub fn integrate(&self, lo: &Number, hi: &Number) -> ExpPoly {
        let anti = self.antiderivative();
        anti.value_at(hi).sub(&anti.value_at(lo))
    }

    /// The value at `x` as a constant expression: `exp(1 - t)` at `t = 2`
    /// is `exp(-1)`. Exact when the function and `x` are.
    pub fn value_at(&self, x: &Number) -> ExpPoly {
        let xs = powers(x, self.degree());
        let mut out = ExpPoly::zero();
        for t in &self.terms {
            out.push(Term::new(
                t.coef.scale(&xs[t.pow[0] as usize]),
                [0],
                [CNum::zero()],
                t.offset.add(&t.rate[0].scale(x)),
            ));
        }
        out
    }

    /// The exact value at `x` when it is a plain number (every exponent
    /// vanishes there, as for a polynomial at a rational point).
    pub fn eval_exact(&self, x: &Number) -> Option<CNum> {
        let v = self.value_at(x);
        match v.terms.as_slice() {
            [] => Some(CNum::zero()),
            [t] if t.offset.is_zero() && t.coef.is_exact() => Some(t.coef.clone()),
            _ => None,
        }
    }

    /// The value of a constant expression (no `t`), in floating point.
    pub fn constant_value(&self) -> Complex64 {
        self.eval_at(&[0.0])
    }

    /// Real part of the value at `t`.
    pub fn eval(&self, t: f64) -> f64 {
        self.eval_at(&[t]).re
    }

    /// Complex value at `t`.
    pub fn eval_c(&self, t: f64) -> Complex64 {
        self.eval_at(&[t])
    }

    /// Coefficients, rates and offsets as floats (offsets folded).
    pub fn to_float(&self) -> ExpPoly {
        ExpPoly::from_terms(self.terms.iter().map(|t| {
            Term::new(
                CNum::from_c64(t.coef.to_c64() * t.offset.exp_c64()),
                t.pow,
                [t.rate[0].to_float()],
                CNum::zero(),
            )
        }))
    }

    /// `f(τ)` as a function of `(τ, t)`.
    pub fn in_tau(&self) -> ExpPoly2 {
        ExpPoly2::from_terms(self.terms.iter().map(|t| {
            Term::new(
                t.coef.clone(),
                [t.pow[0], 0],
                [t.rate[0].clone(), CNum::zero()],
                t.offset.clone(),
            )
        }))
    }

    /// `g(t − τ)` as a function of `(τ, t)`, expanded binomially.
    pub fn in_t_minus_tau(&self) -> ExpPoly2 {
        // (t − τ)^k = Σ_l C(k, l)·(−τ)^l·t^(k−l): row k of (−1·τ + 1)^k.
        let table = affine_table(&Number::int(-1), &Number::one(), self.degree());
        let mut out = ExpPoly2::zero();
        for t in &self.terms {
            let k = t.pow[0];
            for (l, c) in table[k as usize].iter().enumerate() {
                let l = l as u32;
                out.push(Term::new(
                    t.coef.scale(c),
                    [l, k - l],
                    [t.rate[0].neg(), t.rate[0].clone()],
                    t.offset.clone(),
                ));
            }
        }
        out
    }

    /// Text: `t^2/2`, `2 − t`, `exp(-t) − exp(-2·t)`, `cos(t)/2 + sin(t)/2`.
    pub fn text(&self, var: &str, fmt: &NumFmt) -> String {
        self.render([var], Style::Text, fmt)
    }

    /// CAS string, the `expr` of a function's JSON pieces (`^`, `*`,
    /// `exp()`, the variable's own name): `t^2/2`, `2 - t`, `exp(-t) - exp(-2*t)`.
    pub fn cas(&self, var: &str, fmt: &NumFmt) -> String {
        self.render([var], Style::Cas, fmt)
    }

    /// LaTeX: `\frac{t^{2}}{2}`, `e^{-t}`, `\cos(t)`.
    pub fn latex(&self, var: &str, fmt: &NumFmt) -> String {
        self.render([var], Style::Latex, fmt)
    }
}

// ---------------------------------------------------------------------------
// The convolution kernel: dense per exponential factor, on small rationals.

/// A coefficient in the kernel's inner loops: a small exact rational held
/// without allocation (reduced, denominator > 0), or any [`Number`]. Same
/// values, same exactness rules as [`Number`]; only faster.
#[derive(Clone, Debug)]
enum Q {
    Small(i64, i64),
    Num(Number),
}

fn gcd_u64(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Q {
    const ZERO: Q = Q::Small(0, 1);

    fn from_number(n: &Number) -> Q {
        match n {
            Number::Exact(r) => match (r.numer().to_i64(), r.denom().to_i64()) {
                (Some(p), Some(q)) => Q::Small(p, q),
                _ => Q::Num(n.clone()),
            },
            Number::Float(_) => Q::Num(n.clone()),
        }
    }

    fn to_number(&self) -> Number {
        match self {
            Q::Small(p, q) => from_small(i128::from(*p), i128::from(*q)),
            Q::Num(n) => n.clone(),
        }
    }

    /// `n/d` reduced; `Num` when it does not fit.
    fn reduced(n: i128, d: i128) -> Q {
        let g = match (
            u64::try_from(n.unsigned_abs()),
            u64::try_from(d.unsigned_abs()),
        ) {
            (Ok(a), Ok(b)) => u128::from(gcd_u64(a, b)),
            _ => gcd(n.unsigned_abs(), d.unsigned_abs()),
        }
        .max(1) as i128;
        let (n, d) = (n / g, d / g);
        match (i64::try_from(n), i64::try_from(d)) {
            (Ok(p), Ok(q)) => Q::Small(p, q),
            _ => Q::Num(from_small(n, d)),
        }
    }

    fn is_zero(&self) -> bool {
        match self {
            Q::Small(p, _) => *p == 0,
            Q::Num(n) => n.is_zero(),
        }
    }

    fn add(&self, o: &Q) -> Q {
        match (self, o) {
            (Q::Small(0, _), x) | (x, Q::Small(0, _)) => x.clone(),
            (Q::Small(p, q), Q::Small(r, s)) => {
                let (p, q, r, s) = (
                    i128::from(*p),
                    i128::from(*q),
                    i128::from(*r),
                    i128::from(*s),
                );
                if q == s {
                    Q::reduced(p + r, q)
                } else {
                    Q::reduced(p * s + r * q, q * s)
                }
            }
            _ => Q::Num(nadd(&self.to_number(), &o.to_number())),
        }
    }

    fn mul(&self, o: &Q) -> Q {
        match (self, o) {
            (Q::Small(0, _), _) | (_, Q::Small(0, _)) => Q::ZERO,
            (Q::Small(1, 1), x) | (x, Q::Small(1, 1)) => x.clone(),
            (Q::Small(p, q), Q::Small(r, s)) => Q::reduced(
                i128::from(*p) * i128::from(*r),
                i128::from(*q) * i128::from(*s),
            ),
            _ => Q::Num(nmul(&self.to_number(), &o.to_number())),
        }
    }

    fn neg(&self) -> Q {
        match self {
            Q::Small(p, q) => match p.checked_neg() {
                Some(p) => Q::Small(p, *q),
                None => Q::Num(self.to_number().neg()),
            },
            Q::Num(n) => Q::Num(n.neg()),
        }
    }
}

/// A complex [`Q`].
#[derive(Clone, Debug)]
struct CQ {
    re: Q,
    im: Q,
}

impl CQ {
    const ZERO: CQ = CQ {
        re: Q::ZERO,
        im: Q::ZERO,
    };

    fn from_cnum(c: &CNum) -> CQ {
        CQ {
            re: Q::from_number(&c.re),
            im: Q::from_number(&c.im),
        }
    }

    fn to_cnum(&self) -> CNum {
        CNum::new(self.re.to_number(), self.im.to_number())
    }

    fn is_zero(&self) -> bool {
        self.re.is_zero() && self.im.is_zero()
    }

    fn add_assign(&mut self, o: &CQ) {
        if !o.re.is_zero() {
            self.re = self.re.add(&o.re);
        }
        if !o.im.is_zero() {
            self.im = self.im.add(&o.im);
        }
    }

    fn mul(&self, o: &CQ) -> CQ {
        if o.im.is_zero() {
            return self.scale(&o.re);
        }
        if self.im.is_zero() {
            return o.scale(&self.re);
        }
        CQ {
            re: self.re.mul(&o.re).add(&self.im.mul(&o.im).neg()),
            im: self.re.mul(&o.im).add(&self.im.mul(&o.re)),
        }
    }

    fn scale(&self, k: &Q) -> CQ {
        CQ {
            re: self.re.mul(k),
            im: self.im.mul(k),
        }
    }
}

/// `Σ A[m][n]·τ^m·t^n·exp(rate_tau·τ + rate_t·t + offset)`.
#[derive(Clone, Debug)]
struct Group2 {
    rate_tau: CNum,
    rate_t: CNum,
    offset: CNum,
    /// `a[m][n]`, the coefficient of `τ^m·t^n`; rows may differ in length.
    a: Vec<Vec<CQ>>,
}

impl Group2 {
    fn same_factor(&self, rate_tau: &CNum, rate_t: &CNum, offset: &CNum) -> bool {
        self.rate_tau.num_eq(rate_tau) && self.rate_t.num_eq(rate_t) && self.offset.num_eq(offset)
    }

    fn add_at(&mut self, m: usize, n: usize, c: &CQ) {
        if c.is_zero() {
            return;
        }
        if self.a.len() <= m {
            self.a.resize_with(m + 1, Vec::new);
        }
        if self.a[m].len() <= n {
            self.a[m].resize(n + 1, CQ::ZERO);
        }
        self.a[m][n].add_assign(c);
    }

    fn is_zero(&self) -> bool {
        self.a.iter().flatten().all(CQ::is_zero)
    }

    fn terms(&self) -> impl Iterator<Item = Term<2>> + '_ {
        self.a.iter().enumerate().flat_map(move |(m, row)| {
            row.iter()
                .enumerate()
                .filter(|(_, c)| !c.is_zero())
                .map(move |(n, c)| {
                    Term::new(
                        c.to_cnum(),
                        [m as u32, n as u32],
                        [self.rate_tau.clone(), self.rate_t.clone()],
                        self.offset.clone(),
                    )
                })
        })
    }

    /// The antiderivative in τ: for rate `a ≠ 0`, `∫ R(τ)·exp(a·τ) dτ =
    /// S(τ)·exp(a·τ)` with `S' + a·S = R`, solved from the top power down
    /// (`S_m = (R_m − (m+1)·S_{m+1}) / a`); for `a = 0`, `τ^m → τ^(m+1)/(m+1)`.
    fn antiderivative(&self) -> Group2 {
        let mut out = Group2 {
            a: Vec::new(),
            ..self.clone()
        };
        if self.rate_tau.is_zero() {
            for (m, row) in self.a.iter().enumerate() {
                let k = Q::Small(1, m as i64 + 1);
                for (n, c) in row.iter().enumerate() {
                    out.add_at(m + 1, n, &c.scale(&k));
                }
            }
            return out;
        }
        let Ok(inv) = CNum::one().div(&self.rate_tau) else {
            return out;
        };
        let inv = CQ::from_cnum(&inv);
        let width = self.a.iter().map(Vec::len).max().unwrap_or(0);
        for n in 0..width {
            let mut next = CQ::ZERO; // S_{m+1}
            for m in (0..self.a.len()).rev() {
                let mut r = self.a[m].get(n).cloned().unwrap_or(CQ::ZERO);
                r.add_assign(&next.scale(&Q::Small(-(m as i64) - 1, 1)));
                let s = r.mul(&inv);
                out.add_at(m, n, &s);
                next = s;
            }
        }
        out
    }

    /// Substitute `τ = slope·t + shift` by Horner's rule on the rows, in place.
    fn substitute_into(&self, slope: &Number, shift: &Number, out: &mut ExpPoly) {
        let rate = self.rate_tau.scale(slope).add(&self.rate_t);
        let off = self.offset.add(&self.rate_tau.scale(shift));
        let (qs, qo) = (Q::from_number(slope), Q::from_number(shift));
        let mut acc: Vec<CQ> = Vec::with_capacity(self.a.len() + 8);
        for row in self.a.iter().rev() {
            // acc ← acc·(slope·t + shift) + row
            if !acc.is_empty() && !qs.is_zero() {
                acc.push(CQ::ZERO);
                for q in (0..acc.len() - 1).rev() {
                    let up = acc[q].scale(&qs);
                    acc[q + 1].add_assign(&up);
                    acc[q] = acc[q].scale(&qo);
                }
            } else {
                for c in &mut acc {
                    *c = c.scale(&qo);
                }
            }
            if acc.len() < row.len() {
                acc.resize(row.len(), CQ::ZERO);
            }
            for (a, c) in acc.iter_mut().zip(row) {
                a.add_assign(c);
            }
        }
        for (q, c) in acc.iter().enumerate() {
            if !c.is_zero() {
                out.push(Term::new(
                    c.to_cnum(),
                    [q as u32],
                    [rate.clone()],
                    off.clone(),
                ));
            }
        }
    }
}

/// Split a one-variable sum by exponential factor: `(rate, offset, dense coefficients)`.
fn groups1(p: &ExpPoly) -> Vec<(CNum, CNum, Vec<CQ>)> {
    let mut out: Vec<(CNum, CNum, Vec<CQ>)> = Vec::new();
    for t in &p.terms {
        let g = match out
            .iter()
            .position(|(r, o, _)| r.num_eq(&t.rate[0]) && o.num_eq(&t.offset))
        {
            Some(g) => g,
            None => {
                out.push((t.rate[0].clone(), t.offset.clone(), Vec::new()));
                out.len() - 1
            }
        };
        let k = t.pow[0] as usize;
        let coefs = &mut out[g].2;
        if coefs.len() <= k {
            coefs.resize(k + 1, CQ::ZERO);
        }
        coefs[k].add_assign(&CQ::from_cnum(&t.coef));
    }
    out
}

/// The integrand `f(τ)·g(t − τ)` of a convolution and its antiderivative in
/// τ, kept dense per exponential factor: the engine evaluates the
/// antiderivative at the limits of integration many times.
#[derive(Clone, Debug)]
pub struct ConvKernel {
    integrand: Vec<Group2>,
    anti: Vec<Group2>,
}

impl ConvKernel {
    pub fn new(f: &ExpPoly, g: &ExpPoly) -> ConvKernel {
        let gf = groups1(f);
        let gg = groups1(g);
        let max_g = gg
            .iter()
            .map(|(_, _, q)| q.len())
            .max()
            .unwrap_or(1)
            .saturating_sub(1);
        // Row k: the coefficients of (t − τ)^k in powers of τ, i.e. C(k, l)·(−1)^l.
        let pascal: Vec<Vec<Q>> = affine_table(&Number::int(-1), &Number::one(), max_g as u32)
            .iter()
            .map(|row| row.iter().map(Q::from_number).collect())
            .collect();
        let mut integrand: Vec<Group2> = Vec::new();
        for (a1, b1, p) in &gf {
            for (a2, b2, q) in &gg {
                let rate_tau = a1.sub(a2);
                let offset = b1.add(b2);
                let gi = match integrand
                    .iter()
                    .position(|g| g.same_factor(&rate_tau, a2, &offset))
                {
                    Some(gi) => gi,
                    None => {
                        integrand.push(Group2 {
                            rate_tau,
                            rate_t: a2.clone(),
                            offset,
                            a: Vec::new(),
                        });
                        integrand.len() - 1
                    }
                };
                let group = &mut integrand[gi];
                for (k, qk) in q.iter().enumerate().filter(|(_, c)| !c.is_zero()) {
                    for (l, binom) in pascal[k].iter().enumerate() {
                        let b = qk.scale(binom);
                        for (i, pi) in p.iter().enumerate().filter(|(_, c)| !c.is_zero()) {
                            group.add_at(i + l, k - l, &pi.mul(&b));
                        }
                    }
                }
            }
        }
        integrand.retain(|g| !g.is_zero());
        let anti = integrand.iter().map(Group2::antiderivative).collect();
        ConvKernel { integrand, anti }
    }

    /// The integrand in `(τ, t)`, for the trace.
    pub fn integrand(&self) -> ExpPoly2 {
        ExpPoly2::from_terms(self.integrand.iter().flat_map(Group2::terms))
    }

    /// The antiderivative in `(τ, t)`, for the trace.
    pub fn antiderivative(&self) -> ExpPoly2 {
        ExpPoly2::from_terms(self.anti.iter().flat_map(Group2::terms))
    }

    /// Number of nonzero coefficients in the antiderivative.
    pub fn size(&self) -> usize {
        self.anti
            .iter()
            .flat_map(|g| g.a.iter().flatten())
            .filter(|c| !c.is_zero())
            .count()
    }

    /// The antiderivative at `τ = slope·t + offset`, a function of `t`.
    pub fn antiderivative_at(&self, slope: &Number, offset: &Number) -> ExpPoly {
        let mut out = ExpPoly::zero();
        for g in &self.anti {
            g.substitute_into(slope, offset, &mut out);
        }
        out
    }

    /// A term of the integrand that keeps `∫ … dτ` from converging as
    /// τ → +∞ (`toward_pos`) or τ → −∞.
    pub fn tail_blocker(&self, toward_pos: bool) -> Option<Term<2>> {
        self.integrand
            .iter()
            .find(|g| {
                let re = &g.rate_tau.re;
                re.is_zero() || re.is_negative() != toward_pos
            })
            .and_then(|g| g.terms().next())
    }
}

// ---------------------------------------------------------------------------
// Display.

struct Disp<const N: usize> {
    pow: [u32; N],
    rate_re: [Number; N],
    offset_re: Number,
    shape: Shape<N>,
}

enum Shape<const N: usize> {
    /// Real exponent; the coefficient is complex only for a complex function.
    Plain(CNum),
    /// A conjugate pair: `cos·cos(θ) + sin·sin(θ)`, `θ = Σ freq[v]·x_v + phase`.
    Trig {
        freq: [Number; N],
        phase: Number,
        cos: Number,
        sin: Number,
    },
    /// A complex exponent without its partner: a complex function.
    Raw {
        coef: CNum,
        rate: [CNum; N],
        offset: CNum,
    },
}

impl<const N: usize> Disp<N> {
    fn rank(&self) -> u8 {
        match self.shape {
            Shape::Plain(_) => 0,
            Shape::Trig { .. } => 1,
            Shape::Raw { .. } => 2,
        }
    }

    fn is_poly(&self) -> bool {
        matches!(self.shape, Shape::Plain(_)) && self.rate_re.iter().all(Number::is_zero)
    }

    fn display_order(a: &Disp<N>, b: &Disp<N>) -> Ordering {
        let lex = |x: &[Number], y: &[Number]| {
            x.iter()
                .zip(y)
                .map(|(p, q)| cmp_num(p, q))
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        };
        let freq = |d: &Disp<N>| -> Vec<Number> {
            match &d.shape {
                Shape::Plain(_) => Vec::new(),
                Shape::Trig { freq, phase, .. } => freq
                    .iter()
                    .chain(std::iter::once(phase))
                    .map(Number::abs)
                    .collect(),
                Shape::Raw { rate, offset, .. } => rate
                    .iter()
                    .chain(std::iter::once(offset))
                    .map(|r| r.im.clone())
                    .collect(),
            }
        };
        b.is_poly()
            .cmp(&a.is_poly())
            .then_with(|| lex(&b.rate_re, &a.rate_re))
            .then_with(|| a.rank().cmp(&b.rank()))
            .then_with(|| lex(&freq(a), &freq(b)))
            .then_with(|| cmp_num(&b.offset_re, &a.offset_re))
            .then_with(|| {
                let (da, db): (u32, u32) = (a.pow.iter().sum(), b.pow.iter().sum());
                da.cmp(&db)
            })
            .then_with(|| b.pow.cmp(&a.pow))
    }

    /// Powers and the real exponential factor.
    fn base_factors(&self, vars: &[&str; N], style: Style, fmt: &NumFmt) -> Vec<String> {
        let mut out = Vec::new();
        for (var, pow) in vars.iter().zip(self.pow) {
            match pow {
                0 => {}
                1 => out.push(var.to_string()),
                k if style == Style::Latex => out.push(format!("{var}^{{{k}}}")),
                k => out.push(format!("{var}^{k}")),
            }
        }
        let items: Vec<(Number, &str)> = (0..N)
            .map(|v| (self.rate_re[v].clone(), vars[v]))
            .chain(std::iter::once((self.offset_re.clone(), "")))
            .collect();
        if let Shape::Raw { rate, offset, .. } = &self.shape {
            let items: Vec<(CNum, &str)> = (0..N)
                .map(|v| (rate[v].clone(), vars[v]))
                .chain(std::iter::once((offset.clone(), "")))
                .collect();
            out.push(exp_factor(&linear_form_c(&items, style, fmt), style));
        } else if items.iter().any(|(c, _)| !c.is_zero()) {
            out.push(exp_factor(&linear_form(&items, style, fmt), style));
        }
        out
    }

    fn render_into(
        &self,
        vars: &[&str; N],
        style: Style,
        fmt: &NumFmt,
        items: &mut Vec<(bool, String)>,
    ) {
        let base = self.base_factors(vars, style, fmt);
        let times = style.times();
        match &self.shape {
            Shape::Plain(c) | Shape::Raw { coef: c, .. } => {
                items.push(scaled_c(c, &base.join(times), style, fmt));
            }
            Shape::Trig {
                freq,
                phase,
                cos,
                sin,
            } => {
                let arg: Vec<(Number, &str)> = (0..N)
                    .map(|v| (freq[v].clone(), vars[v]))
                    .chain(std::iter::once((phase.clone(), "")))
                    .collect();
                let theta = linear_form(&arg, style, fmt);
                let cos_f = trig_factor("cos", &theta, style);
                let sin_f = trig_factor("sin", &theta, style);
                let with_base = |f: &str| {
                    let mut parts = base.clone();
                    parts.push(f.to_string());
                    parts.join(times)
                };
                if base.is_empty() || cos.is_zero() || sin.is_zero() {
                    if !cos.is_zero() {
                        items.push(scaled(cos, &with_base(&cos_f), style, fmt));
                    }
                    if !sin.is_zero() {
                        items.push(scaled(sin, &with_base(&sin_f), style, fmt));
                    }
                } else {
                    let negate = cos.is_negative();
                    let (c, s) = if negate {
                        (cos.neg(), sin.neg())
                    } else {
                        (cos.clone(), sin.clone())
                    };
                    let inner = join_items(
                        &[
                            scaled(&c, &cos_f, style, fmt),
                            scaled(&s, &sin_f, style, fmt),
                        ],
                        style,
                    );
                    let group = match style {
                        Style::Latex => format!("\\left({inner}\\right)"),
                        _ => format!("({inner})"),
                    };
                    items.push((negate, with_base(&group)));
                }
            }
        }
    }
}

fn exp_factor(arg: &str, style: Style) -> String {
    match style {
        Style::Latex => format!("e^{{{arg}}}"),
        _ => format!("exp({arg})"),
    }
}

fn trig_factor(name: &str, arg: &str, style: Style) -> String {
    // A variable that is already parenthesised, like "(t − τ)", is not wrapped twice.
    let wrapped = arg.starts_with('(') && arg.ends_with(')') && arg.matches('(').count() == 1;
    match (style, wrapped) {
        (Style::Latex, true) => format!("\\{name}{arg}"),
        (Style::Latex, false) => format!("\\{name}({arg})"),
        (_, true) => format!("{name}{arg}"),
        (_, false) => format!("{name}({arg})"),
    }
}

/// Join signed items: `a − b + c` (text), `a - b + c` (CAS, LaTeX).
fn join_items(items: &[(bool, String)], style: Style) -> String {
    join_with(items, style.minus())
}

fn join_with(items: &[(bool, String)], minus: &str) -> String {
    if items.is_empty() {
        return "0".into();
    }
    let mut out = String::new();
    for (i, (neg, s)) in items.iter().enumerate() {
        match (i, neg) {
            (0, true) => {
                out.push_str(minus);
                out.push_str(s);
            }
            (0, false) => out.push_str(s),
            (_, true) => {
                out.push(' ');
                out.push_str(minus);
                out.push(' ');
                out.push_str(s);
            }
            (_, false) => {
                out.push_str(" + ");
                out.push_str(s);
            }
        }
    }
    out
}

/// `Σ c·x + c0` inside `exp()`, `cos()`: ASCII minus, a positive item first
/// when there is one (`1 - t`, `τ - t`).
fn linear_form(items: &[(Number, &str)], style: Style, fmt: &NumFmt) -> String {
    let mut parts: Vec<(bool, String)> = items
        .iter()
        .filter(|(c, _)| !c.is_zero())
        .map(|(c, x)| scaled(c, x, style, fmt))
        .collect();
    if let Some(p) = parts.iter().position(|(neg, _)| !neg) {
        let first = parts.remove(p);
        parts.insert(0, first);
    }
    join_with(&parts, "-")
}

fn linear_form_c(items: &[(CNum, &str)], style: Style, fmt: &NumFmt) -> String {
    let parts: Vec<(bool, String)> = items
        .iter()
        .filter(|(c, _)| !c.is_zero())
        .map(|(c, x)| scaled_c(c, x, style, fmt))
        .collect();
    join_with(&parts, "-")
}

/// `c·body` as (negative?, magnitude text): `t^2/2`, `3·t/2`, `\frac{t^{2}}{2}`,
/// `0.5·t`, `1/3`.
fn scaled(c: &Number, body: &str, style: Style, fmt: &NumFmt) -> (bool, String) {
    let neg = c.is_negative();
    let times = style.times();
    let text = match c.abs() {
        Number::Exact(r) if fmt.exact => {
            let p = r.numer().to_string();
            let q = r.denom();
            let p_one = num_traits::One::is_one(r.numer());
            if num_traits::One::is_one(q) {
                if body.is_empty() {
                    p
                } else if p_one {
                    body.to_string()
                } else {
                    format!("{p}{times}{body}")
                }
            } else {
                let num = if body.is_empty() {
                    p
                } else if p_one {
                    body.to_string()
                } else {
                    format!("{p}{times}{body}")
                };
                match style {
                    Style::Latex => format!("\\frac{{{num}}}{{{q}}}"),
                    _ => format!("{num}/{q}"),
                }
            }
        }
        m => {
            let f = m.to_f64();
            let mut s = format_float(f, fmt.precision);
            if style == Style::Latex {
                if let Some((mant, exp)) = s.split_once('e') {
                    s = format!("{mant} \\cdot 10^{{{exp}}}");
                }
            }
            if body.is_empty() {
                s
            } else if f == 1.0 {
                body.to_string()
            } else {
                format!("{s}{times}{body}")
            }
        }
    };
    (neg, text)
}

/// A signed number as it appears in expressions: `1/3`, `-2`, `\frac{1}{3}`.
pub fn render_number(n: &Number, style: Style, fmt: &NumFmt) -> String {
    let (neg, body) = scaled(n, "", style, fmt);
    if neg {
        format!("-{body}")
    } else {
        body
    }
}

/// A complex coefficient: real → [`scaled`]; imaginary → `2·i·body`;
/// general → `(1 + 2·i)·body`.
fn scaled_c(c: &CNum, body: &str, style: Style, fmt: &NumFmt) -> (bool, String) {
    let unit = style.imag_unit();
    let times = style.times();
    if c.im.is_zero() {
        return scaled(&c.re, body, style, fmt);
    }
    let with_unit = if body.is_empty() {
        unit.to_string()
    } else {
        format!("{unit}{times}{body}")
    };
    if c.re.is_zero() {
        return scaled(&c.im, &with_unit, style, fmt);
    }
    let inner = join_with(
        &[
            scaled(&c.re, "", style, fmt),
            scaled(&c.im, unit, style, fmt),
        ],
        "-",
    );
    let group = match style {
        Style::Latex => format!("\\left({inner}\\right)"),
        _ => format!("({inner})"),
    };
    if body.is_empty() {
        (false, group)
    } else {
        (false, format!("{group}{times}{body}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt() -> NumFmt {
        NumFmt::default()
    }

    fn n(i: i64) -> Number {
        Number::int(i)
    }

    fn q(a: i64, b: i64) -> Number {
        Number::ratio(a, b)
    }

    #[track_caller]
    fn renders(p: &ExpPoly, text: &str, cas: &str, latex: &str) {
        assert_eq!(p.text("t", &fmt()), text, "text");
        assert_eq!(p.cas("t", &fmt()), cas, "cas");
        assert_eq!(p.latex("t", &fmt()), latex, "latex");
    }

    #[track_caller]
    fn close(a: f64, b: f64) {
        assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "{a} vs {b}");
    }

    #[test]
    fn polynomials_render_in_ascending_degree() {
        let t = ExpPoly::var();
        renders(&ExpPoly::constant(n(2)).sub(&t), "2 − t", "2 - t", "2 - t");
        renders(
            &ExpPoly::monomial(q(1, 2), 2),
            "t^2/2",
            "t^2/2",
            "\\frac{t^{2}}{2}",
        );
        renders(
            &ExpPoly::monomial(q(-3, 2), 3),
            "−3·t^3/2",
            "-3*t^3/2",
            "-\\frac{3 t^{3}}{2}",
        );
        renders(&ExpPoly::zero(), "0", "0", "0");
        renders(&ExpPoly::constant(q(2, 3)), "2/3", "2/3", "\\frac{2}{3}");
        let floats = NumFmt {
            precision: 4,
            exact: false,
        };
        let p = ExpPoly::monomial(q(1, 3), 2).sub(&ExpPoly::var());
        assert_eq!(p.text("t", &floats), "−t + 0.3333·t^2");
    }

    #[test]
    fn exponentials_and_offsets() {
        let p = ExpPoly::exp(n(-1)).sub(&ExpPoly::exp(n(-2)));
        renders(
            &p,
            "exp(-t) − exp(-2·t)",
            "exp(-t) - exp(-2*t)",
            "e^{-t} - e^{-2 t}",
        );
        // exp(-(t - 1)) keeps its exact offset.
        let shifted = ExpPoly::exp(n(-1)).compose_affine(&n(1), &n(-1));
        renders(&shifted, "exp(1 - t)", "exp(1 - t)", "e^{1 - t}");
        assert_eq!(shifted.eval_exact(&n(1)), Some(CNum::one()));
        assert!(shifted.eval_exact(&n(2)).is_none());
        assert_eq!(shifted.value_at(&n(2)).text("t", &fmt()), "exp(-1)");
        renders(
            &ExpPoly::exp(q(-1, 2)).scale(&q(3, 2)),
            "3·exp(-t/2)/2",
            "3*exp(-t/2)/2",
            "\\frac{3 e^{-\\frac{t}{2}}}{2}",
        );
    }

    #[test]
    fn trig_renders_in_real_form() {
        renders(&ExpPoly::cos(n(1)), "cos(t)", "cos(t)", "\\cos(t)");
        renders(&ExpPoly::sin(n(2)), "sin(2·t)", "sin(2*t)", "\\sin(2 t)");
        renders(&ExpPoly::sin(n(-1)), "−sin(t)", "-sin(t)", "-\\sin(t)");
        let damped =
            ExpPoly::exp(n(-1)).mul(&ExpPoly::cos(n(2)).add(&ExpPoly::sin(n(2)).scale(&q(1, 2))));
        assert_eq!(damped.text("t", &fmt()), "exp(-t)·(cos(2·t) + sin(2·t)/2)");
        assert_eq!(damped.cas("t", &fmt()), "exp(-t)*(cos(2*t) + sin(2*t)/2)");
        let sum = ExpPoly::cos(n(1))
            .add(&ExpPoly::sin(n(1)))
            .sub(&ExpPoly::exp(n(-1)))
            .scale(&q(1, 2));
        assert_eq!(sum.text("t", &fmt()), "cos(t)/2 + sin(t)/2 − exp(-t)/2");
        assert!(sum.is_real());
        assert!(!ExpPoly::exp_c(CNum::i()).is_real());
        assert_eq!(ExpPoly::exp_c(CNum::i()).cas("t", &fmt()), "exp(I*t)");
        // Shifted sine keeps an exact phase.
        let s = ExpPoly::sin(n(1)).compose_affine(&n(1), &n(-1));
        assert_eq!(s.text("t", &fmt()), "sin(t - 1)");
        close(s.eval(0.3), (0.3f64 - 1.0).sin());
        assert_eq!(
            ExpPoly::var()
                .scale(&n(2))
                .cos_of()
                .unwrap()
                .text("x", &fmt()),
            "cos(2·x)"
        );
    }

    #[test]
    fn products_and_exactness() {
        let t = ExpPoly::var();
        let p = t.add(&ExpPoly::constant(n(1))).pow(3);
        assert_eq!(p.text("t", &fmt()), "1 + 3·t + 3·t^2 + t^3");
        assert!(p.is_exact() && p.is_polynomial());
        assert_eq!(p.degree(), 3);
        let sq = ExpPoly::sin(n(1)).pow(2).add(&ExpPoly::cos(n(1)).pow(2));
        assert_eq!(sq.text("t", &fmt()), "1");
        let float = ExpPoly::exp(Number::float(-0.5)).compose_affine(&n(1), &n(-2));
        assert!(
            float.terms()[0].offset.is_zero(),
            "float rate folds the offset"
        );
        close(float.eval(3.0), (-0.5f64).exp());
    }

    #[test]
    fn antiderivatives() {
        // ∫ t·exp(-t) = -(t + 1)·exp(-t)
        let f = ExpPoly::var().mul(&ExpPoly::exp(n(-1)));
        let a = f.antiderivative();
        assert_eq!(a.text("t", &fmt()), "−exp(-t) − t·exp(-t)");
        // ∫_0^1 exp(-t) dt = 1 - exp(-1), exactly.
        let i = ExpPoly::exp(n(-1)).integrate(&n(0), &n(1));
        assert_eq!(i.text("t", &fmt()), "1 − exp(-1)");
        close(i.constant_value().re, 1.0 - (-1f64).exp());
        // ∫_0^π sin = 2 (π is a float).
        let pi = Number::float(std::f64::consts::PI);
        let s = ExpPoly::sin(n(1)).integrate(&n(0), &pi);
        close(s.constant_value().re, 2.0);
        // Numerical derivative of the antiderivative of a damped sinusoid.
        let g = ExpPoly::exp(n(-1))
            .mul(&ExpPoly::sin(n(2)))
            .mul(&ExpPoly::var());
        let ga = g.antiderivative();
        for x in [0.0, 0.7, 2.5] {
            let h = 1e-5;
            let d = (ga.eval(x + h) - ga.eval(x - h)) / (2.0 * h);
            assert!((d - g.eval(x)).abs() < 1e-8);
        }
    }

    #[test]
    fn two_variables_and_the_kernel() {
        // g(t − τ) for g = 2 − s.
        let g = ExpPoly::constant(n(2)).sub(&ExpPoly::var());
        let gt = g.in_t_minus_tau();
        assert_eq!(gt.render(["τ", "t"], Style::Text, &fmt()), "2 + τ − t");
        assert_eq!(
            ExpPoly::var()
                .in_tau()
                .render(["τ", "t"], Style::Text, &fmt()),
            "τ"
        );
        // ∫ τ·(2 − (t − τ)) dτ, then τ = t − 1.
        let k = ConvKernel::new(&ExpPoly::var(), &g);
        assert_eq!(
            k.integrand().render(["τ", "t"], Style::Text, &fmt()),
            "2·τ + τ^2 − τ·t"
        );
        assert_eq!(
            k.antiderivative().render(["τ", "t"], Style::Text, &fmt()),
            "τ^2 + τ^3/3 − τ^2·t/2"
        );
        let at = k.antiderivative_at(&n(1), &n(-1));
        assert_eq!(at.text("t", &fmt()), "2/3 − 3·t/2 + t^2 − t^3/6");
        // exp(-2·(t − τ)) grows as τ → ∞: that tail would diverge.
        let e = ConvKernel::new(&ExpPoly::constant(n(1)), &ExpPoly::exp(n(-2)));
        assert_eq!(
            e.integrand().render(["τ", "t"], Style::Text, &fmt()),
            "exp(2·τ - 2·t)"
        );
        assert!(e.tail_blocker(true).is_some());
        assert!(e.tail_blocker(false).is_none());
        // The antiderivative of a damped sinusoid, against a difference quotient.
        let d = ConvKernel::new(
            &ExpPoly::exp(n(-1)).mul(&ExpPoly::sin(n(2))),
            &ExpPoly::var(),
        );
        let (anti, integrand) = (d.antiderivative(), d.integrand());
        for (tau, t) in [(0.3, 1.0), (1.7, -0.4)] {
            let h = 1e-6;
            let dq = (anti.eval_at(&[tau + h, t]) - anti.eval_at(&[tau - h, t])) / (2.0 * h);
            assert!((dq - integrand.eval_at(&[tau, t])).norm() < 1e-7);
        }
    }

    #[test]
    fn complex_coefficients_show_i() {
        let p = ExpPoly::constant_c(CNum::new(n(1), n(2)));
        assert_eq!(p.text("t", &fmt()), "(1 + 2·i)");
        assert_eq!(p.cas("t", &fmt()), "(1 + 2*I)");
        let d = CNum::new(n(1), n(1)).div(&CNum::new(n(1), n(-1))).unwrap();
        assert!(d.num_eq(&CNum::i()));
    }
}
