//! Continuous convolution and correlation by overlap algebra.
//!
//! # Conventions
//! * `conv(f, g)(t) = ∫ f(τ)·g(t−τ) dτ`; `corr(f, g)(t) = ∫ f(t+τ)·g(τ) dτ`.
//!   Both are written as ∫ fixed(τ)·moving(t + σ·τ) dτ: for conv the fixed
//!   factor is f and the moving one g with σ = −1 (flip, then shift); for
//!   corr the fixed factor is g and the moving one f with σ = +1 (shift only).
//! * Each input is cut at its breakpoints into smooth pieces. For a given t,
//!   every pair (fixed piece, moving piece) overlaps on at most one interval
//!   of τ; outside all overlaps the integrand is exactly 0, never estimated.
//! * On an overlap both factors are smooth. Two polynomial pieces give a
//!   polynomial, integrated exactly (in rationals for exact inputs, by a
//!   Gauss–Legendre rule of sufficient order for floats); anything else goes
//!   to the adaptive Gauss–Kronrod integrator with its error estimate.
//! * Point masses (`c·delta(t − a)`) are split off: fixed mass (a, w) adds
//!   w·moving(t + σ·a); moving mass (c, v) adds v·fixed(σ·(c − t)).

use std::rc::Rc;

use crate::engine::quad::{self, QuadOptions, QuadStatus};
use crate::value::function::{open_intervals, sample_point, FExpr, FnBody, Function};
use crate::value::number::Number;
use crate::value::unipoly::{self, UniPoly};

/// A smooth piece of a function between two consecutive breakpoints.
#[derive(Clone, Debug)]
pub struct Piece {
    pub lo: f64,
    pub hi: f64,
    /// Exact ends when the breakpoints are exact.
    pub lo_x: Option<Number>,
    pub hi_x: Option<Number>,
    /// The smooth expression valid on (lo, hi), in the function's variable.
    pub expr: FExpr,
    /// The same as a polynomial, when it is one.
    pub poly: Option<UniPoly>,
    /// Float coefficients of `poly`, for the fast path.
    pub poly_f64: Option<Vec<f64>>,
}

/// A function cut into its nonzero smooth pieces, plus its point masses.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub f: Rc<Function>,
    pub pieces: Vec<Piece>,
    /// Point masses (position, weight).
    pub deltas: Vec<(Number, Number)>,
    /// Breakpoints may be missing (a jump with a non-linear argument).
    pub irregular: bool,
}

pub use crate::value::op::Op;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ContError {
    #[error("{0}")]
    Structure(String),
    #[error("the integral diverges at t = {t}: {why}")]
    Diverges { t: f64, why: String },
    #[error("the integral at t = {t} did not reach its tolerance: {why} (estimate {value}, error up to {error})")]
    Inaccurate {
        t: f64,
        value: f64,
        error: f64,
        why: String,
    },
    #[error("interrupted")]
    Interrupted,
}

/// A value with its absolute error estimate.
#[derive(Clone, Debug, PartialEq)]
pub struct Approx {
    pub value: f64,
    pub error: f64,
    /// Exact value, when every piece was integrated in exact arithmetic.
    pub exact: Option<Number>,
}

/// Cut `f` into pieces.
pub fn prepare(f: &Rc<Function>) -> Result<Prepared, ContError> {
    let (regular, deltas) = match &f.body {
        FnBody::Expr(e) => split_deltas(e)?,
        FnBody::Computed(c) => (
            FExpr::Apply(f.clone(), Box::new(FExpr::Var)),
            c.point_masses(),
        ),
    };
    let structure = f.structure();
    let breaks: Vec<f64> = structure.breaks.iter().map(Number::to_f64).collect();
    let exact_breaks = &structure.breaks;
    let mut pieces = Vec::new();
    if !structure.integer_families.is_empty() {
        return Err(ContError::Structure(format!(
            "{} uses floor/ceil, which jump at every integer; convolution needs finitely many pieces",
            f.display_name()
        )));
    }
    for (i, (lo, hi)) in open_intervals(&breaks).into_iter().enumerate() {
        let expr = match &f.body {
            FnBody::Expr(_) => regular.resolve(sample_point(lo, hi)),
            FnBody::Computed(_) => regular.clone(),
        };
        if expr.is_identically_zero() {
            continue;
        }
        let poly = unipoly::from_fexpr(&expr);
        let poly_f64 = poly.as_ref().map(UniPoly::to_f64);
        pieces.push(Piece {
            lo,
            hi,
            lo_x: if i == 0 {
                None
            } else {
                exact_breaks.get(i - 1).cloned()
            },
            hi_x: exact_breaks.get(i).cloned(),
            expr,
            poly,
            poly_f64,
        });
    }
    Ok(Prepared {
        f: f.clone(),
        pieces,
        deltas,
        irregular: structure.irregular,
    })
}

/// Separate `c·delta(a·t + b)` terms from the rest of a body.
pub fn split_deltas(e: &FExpr) -> Result<(FExpr, Vec<(Number, Number)>), ContError> {
    let mut deltas = Vec::new();
    let regular = strip(e, &Number::one(), &mut deltas)?;
    Ok((regular.fold(), deltas))
}

fn strip(e: &FExpr, scale: &Number, out: &mut Vec<(Number, Number)>) -> Result<FExpr, ContError> {
    let misuse = || {
        ContError::Structure(
            "a delta can only appear as a term c·delta(t − a) of a sum (not inside pieces, powers or products with the variable)"
                .into(),
        )
    };
    match e {
        FExpr::Call(f, args) if f.is_delta() => {
            let lin = args[0].linear().ok_or_else(misuse)?;
            if lin.a.is_zero() {
                return Err(misuse());
            }
            // delta(a·t + b) = delta(t + b/a)/|a|
            let pos = lin.b.neg().div(&lin.a).map_err(|_| misuse())?;
            let w = scale.div(&lin.a.abs()).map_err(|_| misuse())?;
            out.push((pos, w));
            Ok(FExpr::Const(Number::zero()))
        }
        FExpr::Add(a, b) => Ok(FExpr::Add(
            Box::new(strip(a, scale, out)?),
            Box::new(strip(b, scale, out)?),
        )),
        FExpr::Sub(a, b) => Ok(FExpr::Sub(
            Box::new(strip(a, scale, out)?),
            Box::new(strip(b, &scale.neg(), out)?),
        )),
        FExpr::Neg(a) => Ok(FExpr::Neg(Box::new(strip(a, &scale.neg(), out)?))),
        FExpr::Mul(a, b) => {
            let (ca, cb) = (a.constant_value(), b.constant_value());
            match (ca, cb) {
                (Some(c), _) if b.contains_delta() => Ok(FExpr::Mul(
                    a.clone(),
                    Box::new(strip(b, &scale.mul(&c), out)?),
                )),
                (_, Some(c)) if a.contains_delta() => Ok(FExpr::Mul(
                    Box::new(strip(a, &scale.mul(&c), out)?),
                    b.clone(),
                )),
                _ if e.contains_delta() => Err(misuse()),
                _ => Ok(e.clone()),
            }
        }
        FExpr::Div(a, b) if a.contains_delta() => {
            let c = b.constant_value().ok_or_else(misuse)?;
            let inv = Number::one().div(&c).map_err(|_| misuse())?;
            Ok(FExpr::Div(
                Box::new(strip(a, &scale.mul(&inv), out)?),
                b.clone(),
            ))
        }
        FExpr::Apply(f, arg) if e.contains_delta() => {
            // A named function containing deltas, applied to an affine argument.
            let FnBody::Expr(body) = &f.body else {
                return Err(misuse());
            };
            let inner = arg.linear().ok_or_else(misuse)?;
            let mut inner_deltas = Vec::new();
            let regular = strip(body, &Number::one(), &mut inner_deltas)?;
            for (p, w) in inner_deltas {
                // delta(inner(t) − p) = delta(t − (p − b)/a)/|a|
                let pos = p.sub(&inner.b).div(&inner.a).map_err(|_| misuse())?;
                let weight = w.mul(scale).div(&inner.a.abs()).map_err(|_| misuse())?;
                out.push((pos, weight));
            }
            Ok(regular.substitute(arg))
        }
        _ if e.contains_delta() => Err(misuse()),
        _ => Ok(e.clone()),
    }
}

/// The τ interval where a moving piece [c, d] (in its own argument) sits,
/// for u = t + σ·τ.
pub fn moving_interval(c: f64, d: f64, t: f64, sigma: f64) -> (f64, f64) {
    if sigma < 0.0 {
        (t - d, t - c)
    } else {
        (c - t, d - t)
    }
}

/// Evaluate a smooth piece expression (fast path for polynomials).
fn piece_eval(p: &Piece, x: f64) -> f64 {
    match &p.poly_f64 {
        Some(c) => {
            let mut acc = 0.0;
            for k in c.iter().rev() {
                acc = acc * x + k;
            }
            acc
        }
        None => p.expr.eval(x),
    }
}

/// The value of ∫ fixed(τ)·moving(t + σ·τ) dτ at one t.
pub fn value_at(
    fixed: &Prepared,
    moving: &Prepared,
    op: Op,
    t: f64,
    interrupt: &dyn Fn() -> bool,
) -> Result<Approx, ContError> {
    value_at_planned(fixed, moving, op, t, None, interrupt)
}

/// Which pairs of pieces overlap, worked out once for a whole curve.
///
/// Fixed piece (a, b) and moving piece (c, d) overlap exactly for t in
/// (a + c, b + d) (conv) or (c − b, d − a) (corr): the ends are the result's
/// breakpoints. Between two consecutive ends the set of overlapping pairs is
/// constant, so evaluating a curve at many points only integrates the pairs
/// of the segment each t falls in, instead of testing every pair again.
#[derive(Clone, Debug, Default)]
pub struct PairPlan {
    /// Sorted, distinct segment ends.
    cuts: Vec<f64>,
    /// `segments[i]` holds the pairs overlapping on (cuts[i−1], cuts[i])
    /// (with cuts[−1] = −∞ and cuts[len] = +∞).
    segments: Vec<Vec<(usize, usize)>>,
}

impl PairPlan {
    pub fn new(fixed: &Prepared, moving: &Prepared, op: Op) -> PairPlan {
        let mut windows = Vec::new();
        for (i, fp) in fixed.pieces.iter().enumerate() {
            for (j, mp) in moving.pieces.iter().enumerate() {
                let (lo, hi) = match op {
                    Op::Conv => (fp.lo + mp.lo, fp.hi + mp.hi),
                    Op::Corr => (mp.lo - fp.hi, mp.hi - fp.lo),
                };
                if lo < hi {
                    windows.push((lo, hi, i, j));
                }
            }
        }
        let mut cuts: Vec<f64> = windows
            .iter()
            .flat_map(|w| [w.0, w.1])
            .filter(|x| x.is_finite())
            .collect();
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        let segments = (0..=cuts.len())
            .map(|k| {
                let lo = if k == 0 {
                    f64::NEG_INFINITY
                } else {
                    cuts[k - 1]
                };
                let hi = if k == cuts.len() {
                    f64::INFINITY
                } else {
                    cuts[k]
                };
                windows
                    .iter()
                    .filter(|w| w.0 <= lo && w.1 >= hi)
                    .map(|w| (w.2, w.3))
                    .collect()
            })
            .collect();
        PairPlan { cuts, segments }
    }

    /// The overlapping pairs at t, or `None` when t is a segment end (where
    /// the caller tests every pair).
    pub fn pairs_at(&self, t: f64) -> Option<&[(usize, usize)]> {
        let k = self.cuts.partition_point(|&c| c < t);
        if self.cuts.get(k) == Some(&t) || t.is_nan() {
            return None;
        }
        self.segments.get(k).map(Vec::as_slice)
    }
}

/// [`value_at`], integrating only the pairs `plan` says overlap at t.
pub fn value_at_planned(
    fixed: &Prepared,
    moving: &Prepared,
    op: Op,
    t: f64,
    plan: Option<&PairPlan>,
    interrupt: &dyn Fn() -> bool,
) -> Result<Approx, ContError> {
    let sigma = op.sigma();
    let mut total = 0.0;
    let mut error = 0.0;
    let all: Vec<(usize, usize)>;
    let pairs: &[(usize, usize)] = match plan.and_then(|p| p.pairs_at(t)) {
        Some(p) if !fixed.irregular && !moving.irregular => p,
        _ => {
            all = (0..fixed.pieces.len())
                .flat_map(|i| (0..moving.pieces.len()).map(move |j| (i, j)))
                .collect();
            &all
        }
    };
    for &(i, j) in pairs {
        let (fp, mp) = (&fixed.pieces[i], &moving.pieces[j]);
        let (mlo, mhi) = moving_interval(mp.lo, mp.hi, t, sigma);
        let lo = fp.lo.max(mlo);
        let hi = fp.hi.min(mhi);
        if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
            continue;
        }
        let (v, e) = integrate_pair(fp, mp, t, sigma, lo, hi, interrupt)?;
        total += v;
        error += e;
    }
    for (a, w) in &fixed.deltas {
        let v = w.to_f64() * moving_regular(moving, t + sigma * a.to_f64());
        total += v;
        error += v.abs() * f64::EPSILON;
    }
    for (c, v) in &moving.deltas {
        let tau = sigma * (c.to_f64() - t);
        let x = v.to_f64() * fixed_regular(fixed, tau);
        total += x;
        error += x.abs() * f64::EPSILON;
    }
    if !total.is_finite() {
        return Err(ContError::Diverges {
            t,
            why: "the integrand is not finite".into(),
        });
    }
    Ok(Approx {
        value: total,
        error: error + total.abs() * 4.0 * f64::EPSILON,
        exact: None,
    })
}

fn regular_at(p: &Prepared, x: f64) -> f64 {
    for piece in &p.pieces {
        let inside = x > piece.lo && x < piece.hi;
        if inside {
            return piece_eval(piece, x);
        }
    }
    // At a breakpoint: the function's own value, minus nothing (deltas have
    // no point value).
    for piece in &p.pieces {
        if x == piece.lo || x == piece.hi {
            let v = p.f.eval(x);
            return if v.is_finite() { v } else { 0.0 };
        }
    }
    0.0
}

fn moving_regular(p: &Prepared, x: f64) -> f64 {
    regular_at(p, x)
}

fn fixed_regular(p: &Prepared, x: f64) -> f64 {
    regular_at(p, x)
}

/// ∫_lo^hi fixed_piece(τ)·moving_piece(t + σ·τ) dτ with an error estimate.
fn integrate_pair(
    fp: &Piece,
    mp: &Piece,
    t: f64,
    sigma: f64,
    lo: f64,
    hi: f64,
    interrupt: &dyn Fn() -> bool,
) -> Result<(f64, f64), ContError> {
    if let (Some(pf), Some(pm)) = (&fp.poly_f64, &mp.poly_f64) {
        if !(lo.is_finite() && hi.is_finite()) {
            return Err(ContError::Diverges {
                t,
                why: "two polynomial pieces overlap on an unbounded interval".into(),
            });
        }
        let degree = (pf.len() + pm.len()).saturating_sub(2);
        let n = degree / 2 + 1;
        let mut abs_sum = 0.0;
        let mut f = |tau: f64| {
            let v = horner(pf, tau) * horner(pm, t + sigma * tau);
            abs_sum += v.abs();
            v
        };
        if let Some(v) = quad::gauss_legendre(&mut f, lo, hi, n) {
            let err = (abs_sum * (hi - lo) / n as f64 + v.abs()) * 8.0 * f64::EPSILON;
            return Ok((v, err));
        }
    }
    let mut f = |tau: f64| {
        let a = piece_eval(fp, tau);
        if a == 0.0 {
            return 0.0;
        }
        let b = piece_eval(mp, t + sigma * tau);
        if b == 0.0 {
            0.0
        } else {
            a * b
        }
    };
    let opts = QuadOptions::default();
    let r = quad::integrate(&mut f, lo, hi, &[], &opts, interrupt);
    match r.status {
        QuadStatus::Converged => Ok((r.value, r.error)),
        QuadStatus::Interrupted => Err(ContError::Interrupted),
        QuadStatus::Diverges => Err(ContError::Diverges {
            t,
            why: format!("the integrand does not decay on ({}, {})", fmt(lo), fmt(hi)),
        }),
        QuadStatus::Singular { near } => Err(ContError::Inaccurate {
            t,
            value: r.value,
            error: r.error,
            why: format!("the integrand is singular near τ = {}", fmt(near)),
        }),
        QuadStatus::NonFinite { at } => Err(ContError::Diverges {
            t,
            why: format!("the integrand is not finite at τ = {}", fmt(at)),
        }),
        QuadStatus::MaxEvals => Err(ContError::Inaccurate {
            t,
            value: r.value,
            error: r.error,
            why: "the evaluation budget ran out".into(),
        }),
    }
}

fn horner(c: &[f64], x: f64) -> f64 {
    let mut acc = 0.0;
    for k in c.iter().rev() {
        acc = acc * x + k;
    }
    acc
}

fn fmt(x: f64) -> String {
    crate::value::number::format_float(x, 6)
}

/// Breakpoints of the result: fixed ends ± moving ends.
pub fn result_breaks(fixed: &Prepared, moving: &Prepared, op: Op) -> Vec<Number> {
    let ends = |p: &Prepared| -> Vec<Number> {
        let mut v: Vec<Number> = Vec::new();
        for piece in &p.pieces {
            for e in [&piece.lo_x, &piece.hi_x].into_iter().flatten() {
                if !v.iter().any(|x| x.num_eq(e)) {
                    v.push(e.clone());
                }
            }
        }
        for (a, _) in &p.deltas {
            if !v.iter().any(|x| x.num_eq(a)) {
                v.push(a.clone());
            }
        }
        v
    };
    let (fe, me) = (ends(fixed), ends(moving));
    let mut out: Vec<Number> = Vec::new();
    for b in &fe {
        for c in &me {
            // conv: τ = b meets t − τ = c → t = b + c; corr: c − t = b → t = c − b.
            let t = match op {
                Op::Conv => b.add(c),
                Op::Corr => c.sub(b),
            };
            if !out.iter().any(|x| x.num_eq(&t)) {
                out.push(t);
            }
        }
    }
    out.sort_by(|a, b| a.partial_cmp_num(b).unwrap_or(std::cmp::Ordering::Equal));
    out
}

/// Support of the result.
pub fn result_support(fixed: &Prepared, moving: &Prepared, op: Op) -> (f64, f64) {
    let span = |p: &Prepared| -> (f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for piece in &p.pieces {
            lo = lo.min(piece.lo);
            hi = hi.max(piece.hi);
        }
        for (a, _) in &p.deltas {
            lo = lo.min(a.to_f64());
            hi = hi.max(a.to_f64());
        }
        (lo, hi)
    };
    let (f, m) = (span(fixed), span(moving));
    if f.0 > f.1 || m.0 > m.1 {
        return (0.0, 0.0);
    }
    match op {
        Op::Conv => (f.0 + m.0, f.1 + m.1),
        // moving(t + τ) with τ ∈ fixed: t ∈ [m.lo − f.hi, m.hi − f.lo]
        Op::Corr => (m.0 - f.1, m.1 - f.0),
    }
}

pub use crate::trace::continuous::{ContinuousStep, MassStep, OverlapStep, ShiftedPiece};

/// The overlaps at one t, each integrated (exactly for polynomials when `t`
/// and the breakpoints are exact).
pub fn overlaps_at(
    fixed: &Prepared,
    moving: &Prepared,
    op: Op,
    t: &Number,
    interrupt: &dyn Fn() -> bool,
) -> Result<Vec<OverlapStep>, ContError> {
    let sigma = op.sigma();
    let tf = t.to_f64();
    let mut out = Vec::new();
    for (i, fp) in fixed.pieces.iter().enumerate() {
        for (j, mp) in moving.pieces.iter().enumerate() {
            let (mlo, mhi) = moving_interval(mp.lo, mp.hi, tf, sigma);
            let lo = fp.lo.max(mlo);
            let hi = fp.hi.min(mhi);
            if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
                continue;
            }
            // Exact ends: the larger lower end and the smaller upper end.
            let m_lo_x = match sigma < 0.0 {
                true => mp.hi_x.as_ref().map(|d| t.sub(d)),
                false => mp.lo_x.as_ref().map(|c| c.sub(t)),
            };
            let m_hi_x = match sigma < 0.0 {
                true => mp.lo_x.as_ref().map(|c| t.sub(c)),
                false => mp.hi_x.as_ref().map(|d| d.sub(t)),
            };
            let lo_x = pick(&fp.lo_x, fp.lo, &m_lo_x, mlo, lo);
            let hi_x = pick(&fp.hi_x, fp.hi, &m_hi_x, mhi, hi);
            let poly = match (&fp.poly, &mp.poly) {
                (Some(a), Some(b)) => b
                    .compose_affine(t, &Number::int(if sigma < 0.0 { -1 } else { 1 }))
                    .and_then(|bb| a.mul(&bb)),
                _ => None,
            };
            let (value, error, exact) = match (&poly, &lo_x, &hi_x) {
                (Some(p), Some(l), Some(h)) => {
                    let v = p.integrate(l, h);
                    let ex = if v.is_exact() { Some(v.clone()) } else { None };
                    let vf = v.to_f64();
                    (
                        vf,
                        if ex.is_some() {
                            0.0
                        } else {
                            vf.abs() * 8.0 * f64::EPSILON
                        },
                        ex,
                    )
                }
                _ => {
                    let (v, e) = integrate_pair(fp, mp, tf, sigma, lo, hi, interrupt)?;
                    (v, e, None)
                }
            };
            out.push(OverlapStep {
                lo,
                hi,
                lo_x,
                hi_x,
                fixed_piece: i,
                moving_piece: j,
                poly,
                value,
                error,
                exact,
            });
        }
    }
    out.sort_by(|a, b| a.lo.total_cmp(&b.lo));
    Ok(out)
}

/// Everything `steps conv(f, g) at t` shows, computed once: the moving
/// factor's pieces shifted to `t`, the overlaps with their integrals, the
/// point masses and the total. The step table, its JSON and the step picture
/// all read this one trace, so they cannot disagree.
pub fn step_at(
    fixed: &Prepared,
    moving: &Prepared,
    op: Op,
    t: &Number,
    interrupt: &dyn Fn() -> bool,
) -> Result<ContinuousStep, ContError> {
    let sigma = op.sigma();
    let tf = t.to_f64();
    let shifted: Vec<ShiftedPiece> = moving
        .pieces
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (lo, hi) = moving_interval(p.lo, p.hi, tf, sigma);
            let (lo_x, hi_x) = match op {
                Op::Conv => (
                    p.hi_x.as_ref().map(|d| t.sub(d)),
                    p.lo_x.as_ref().map(|c| t.sub(c)),
                ),
                Op::Corr => (
                    p.lo_x.as_ref().map(|c| c.sub(t)),
                    p.hi_x.as_ref().map(|d| d.sub(t)),
                ),
            };
            ShiftedPiece {
                piece: i,
                lo,
                hi,
                lo_x,
                hi_x,
            }
        })
        .collect();
    let overlaps = overlaps_at(fixed, moving, op, t, interrupt)?;
    let mut masses = Vec::new();
    for (at, weight) in &fixed.deltas {
        // fixed has a mass at τ = at: it reads moving(t + σ·at).
        let arg = t.add(&Number::Float(sigma).mul(at)).to_f64();
        masses.push(MassStep {
            in_fixed: true,
            at: at.clone(),
            weight: weight.clone(),
            arg,
            value: weight.to_f64() * moving.f.eval(arg),
        });
    }
    for (at, weight) in &moving.deltas {
        // moving has a mass where t + σ·τ = at: it reads fixed(τ).
        let tau = match op {
            Op::Conv => t.sub(at),
            Op::Corr => at.sub(t),
        };
        let arg = tau.to_f64();
        masses.push(MassStep {
            in_fixed: false,
            at: at.clone(),
            weight: weight.clone(),
            arg,
            value: weight.to_f64() * fixed.f.eval(arg),
        });
    }
    let mut value = 0.0;
    let mut error = 0.0;
    let mut exact = Some(Number::zero());
    for o in &overlaps {
        value += o.value;
        error += o.error;
        exact = match (exact, &o.exact) {
            (Some(a), Some(b)) => Some(a.add(b)),
            _ => None,
        };
    }
    for m in &masses {
        value += m.value;
        exact = None;
    }
    if exact.is_some() {
        error = 0.0;
    }
    Ok(ContinuousStep {
        op,
        t: t.clone(),
        shifted,
        overlaps,
        masses,
        value,
        error,
        exact,
    })
}

/// The exact end that produced `chosen` (the larger lower end, or the
/// smaller upper end), when it is known exactly.
fn pick(a: &Option<Number>, af: f64, b: &Option<Number>, bf: f64, chosen: f64) -> Option<Number> {
    if chosen == af && a.is_some() {
        return a.clone();
    }
    if chosen == bf {
        return b.clone();
    }
    None
}
