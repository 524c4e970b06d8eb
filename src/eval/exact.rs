//! `exact(conv(f, g))`: the convolution as a piecewise closed form, the way a
//! textbook writes it, on top of [`crate::engine::exact`].
//!
//! A user's function is cut into its smooth pieces (the same cut the numeric
//! engine uses); each piece's formula is translated into a sum of terms
//! `c·t^k·exp(α·t)` — polynomials, `exp`, `sin`, `cos`, `sinh`, `cosh` of
//! arguments linear in t, products and powers of those — and `delta(t − a)`
//! terms become point masses. A piece outside that class is named in the
//! error (`piece 2 of g, on [1, 2]: sqrt(t) …`), and `conv(f, g)` still
//! computes the convolution numerically: a formula is never guessed.
//!
//! When both inputs are in the class, `conv(f, g)` itself uses the closed
//! form to evaluate `h(t)` (see [`crate::eval::continuous::ConvFn`]), so the
//! numeric and exact answers agree to rounding.

use std::any::Any;
use std::rc::Rc;

use crate::engine::continuous::{self as cont, Op};
use crate::engine::exact::{self as ex, Bound, ExactTrace, PwExpPoly};
use crate::engine::exppoly::ExpPoly;
use crate::eval::calls::Args;
use crate::eval::continuous::as_conv;
use crate::eval::{err_hint, Ctx, EvalResult};
use crate::syntax::ast::{Arg, ExprKind};
use crate::syntax::span::Span;
use crate::value::function::{Closed, ComputedFn, FExpr, FnBody, Function};
use crate::value::number::{NumFmt, Number};
use crate::value::Value;

/// Highest power `t^k` accepted from a formula.
pub(crate) const MAX_POWER: i64 = 48;

/// A closed-form convolution or correlation and the work that produced it.
#[derive(Debug)]
pub struct ClosedForm {
    /// The result's pieces with float coefficients, for fast evaluation.
    fast: Vec<FastPiece>,
    pub op: Op,
    pub f_name: String,
    pub g_name: String,
    /// The inputs as the engine saw them.
    pub f: PwExpPoly,
    pub g: PwExpPoly,
    pub result: PwExpPoly,
    pub trace: ExactTrace,
}

impl ClosedForm {
    /// `conv(f, g)` as written.
    pub fn title(&self) -> String {
        format!("{}({}, {})", self.op.name(), self.f_name, self.g_name)
    }

    /// The value at t from the formula; `None` at a delta of the result.
    pub fn eval(&self, t: f64) -> Option<f64> {
        if !self.result.deltas.is_empty() && self.result.deltas.iter().any(|d| d.at.to_f64() == t) {
            return None;
        }
        let after = self.fast.partition_point(|p| p.lo <= t);
        // A point piece [a, a] can sit just before a piece (a, b): look back two.
        let piece = self.fast[..after]
            .iter()
            .rev()
            .take(2)
            .find(|p| p.contains(t));
        Some(piece.map_or(0.0, |p| p.eval(t)))
    }

    /// The value with a bound on its rounding error: the sum of the terms'
    /// magnitudes times a few ulps (cancellation between terms shows up here).
    pub fn eval_with_error(&self, t: f64) -> Option<(f64, f64)> {
        if !self.result.deltas.is_empty() && self.result.deltas.iter().any(|d| d.at.to_f64() == t) {
            return None;
        }
        let after = self.fast.partition_point(|p| p.lo <= t);
        let piece = self.fast[..after]
            .iter()
            .rev()
            .take(2)
            .find(|p| p.contains(t));
        let (v, scale) = piece.map_or((0.0, 0.0), |p| p.eval_abs(t));
        Some((v, 8.0 * f64::EPSILON * (scale + v.abs())))
    }

    /// The value as a displayed value: exact when x is a decimal that the
    /// formula can take exactly, else a float.
    pub fn eval_exact_or_f64(&self, x: f64) -> Option<Value> {
        self.eval_exact_or_f64_at(&Number::float(x))
    }

    /// [`ClosedForm::eval_exact_or_f64`] at an exact point.
    pub fn eval_exact_or_f64_at(&self, x: &Number) -> Option<Value> {
        let t = x.to_f64();
        if self.result.deltas.iter().any(|d| d.at.to_f64() == t) {
            return None;
        }
        if x.is_exact() {
            if let Some(v) = self.result.eval_exact(x) {
                return Some(Value::number(v));
            }
        }
        self.eval(t).map(Value::float)
    }

    /// The Dirac deltas of the result as `(position, weight)`, for the
    /// numeric side (`integrate`, a numeric `conv` of the result).
    pub fn point_masses(&self) -> Vec<(Number, Number)> {
        self.result
            .deltas
            .iter()
            .map(|d| (d.at.clone(), d.weight.clone()))
            .collect()
    }

    /// The breakpoints of the result.
    pub fn breakpoints(&self) -> Vec<Number> {
        self.result.breakpoints()
    }

    /// The support of the result as floats.
    pub fn support(&self) -> (f64, f64) {
        match self.result.support() {
            Some((lo, hi)) => (lo.to_f64(), hi.to_f64()),
            None => (0.0, 0.0),
        }
    }
}

/// A result piece with its terms `c·t^k·exp(α·t + β)` in floats: converting
/// the exact coefficients at every evaluation would dominate the cost.
#[derive(Debug)]
pub(crate) struct FastPiece {
    lo: f64,
    hi: f64,
    lo_closed: bool,
    hi_closed: bool,
    /// (c, k, α, β); polynomial terms have α = β = 0 and skip the exp.
    terms: Vec<(
        num_complex::Complex64,
        i32,
        num_complex::Complex64,
        num_complex::Complex64,
    )>,
}

impl FastPiece {
    fn new(p: &ex::Piece) -> FastPiece {
        FastPiece {
            lo: p.lo.to_f64(),
            hi: p.hi.to_f64(),
            lo_closed: p.lo_closed,
            hi_closed: p.hi_closed,
            terms: p
                .f
                .terms()
                .iter()
                .map(|t| {
                    (
                        t.coef.to_c64(),
                        t.pow[0] as i32,
                        t.rate[0].to_c64(),
                        t.offset.to_c64(),
                    )
                })
                .collect(),
        }
    }

    fn contains(&self, t: f64) -> bool {
        (self.lo < t || (self.lo_closed && self.lo == t))
            && (t < self.hi || (self.hi_closed && self.hi == t))
    }

    /// The value and the sum of the terms' magnitudes (for the rounding bound).
    fn eval_abs(&self, t: f64) -> (f64, f64) {
        let mut sum = 0.0;
        let mut abs = 0.0;
        for (c, k, rate, offset) in &self.terms {
            let v = (c * t.powi(*k) * (rate * t + offset).exp()).re;
            sum += v;
            abs += v.abs();
        }
        (sum, abs)
    }

    fn eval(&self, t: f64) -> f64 {
        let mut sum = 0.0;
        for (c, k, rate, offset) in &self.terms {
            let mono = t.powi(*k);
            if rate.re == 0.0 && rate.im == 0.0 && offset.re == 0.0 && offset.im == 0.0 {
                sum += c.re * mono;
            } else {
                sum += (c * mono * (rate * t + offset).exp()).re;
            }
        }
        sum
    }
}

/// A closed form as a function value: `h = exact(conv(f, g))`.
#[derive(Debug)]
pub struct ClosedFormFn(pub Rc<ClosedForm>);

impl ComputedFn for ClosedFormFn {
    fn eval(&self, t: f64) -> f64 {
        self.0.eval(t).unwrap_or(f64::NAN)
    }

    fn eval_checked(&self, t: f64) -> Result<f64, String> {
        self.0.eval(t).ok_or_else(|| {
            format!(
                "{} has a Dirac delta at t = {t}: no value there",
                self.0.title()
            )
        })
    }

    fn breakpoints(&self) -> Vec<Number> {
        self.0.breakpoints()
    }

    fn support(&self) -> (f64, f64) {
        self.0.support()
    }

    fn describe(&self) -> String {
        format!("exact({})", self.0.title())
    }

    fn point_masses(&self) -> Vec<(Number, Number)> {
        self.0.point_masses()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The closed form behind a function value, if it has one.
pub fn closed_form_of(f: &Function) -> Option<Rc<ClosedForm>> {
    crate::eval::computed::Computed::of_function(f)?
        .closed_form()
        .cloned()
}

/// The closed form of `op(f, g)`, or why there is none (naming the piece).
/// Why a convolution of two functions has no closed form.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ClosedFormError {
    /// An input is outside the class: the text names its piece and why.
    #[error("{0}")]
    Outside(String),
    /// The exact engine refused (too many terms, …) or was interrupted.
    #[error(transparent)]
    Engine(#[from] ex::ExactError),
}

pub fn try_closed_form(
    op: Op,
    f: &Rc<Function>,
    g: &Rc<Function>,
) -> Result<ClosedForm, ClosedFormError> {
    closed_form_with(op, f, g, &|| false)
}

/// [`try_closed_form`] with an interrupt check (Ctrl-C), polled by the engine
/// once per pair of pieces and per result interval.
pub(crate) fn closed_form_with(
    op: Op,
    f: &Rc<Function>,
    g: &Rc<Function>,
    interrupted: &dyn Fn() -> bool,
) -> Result<ClosedForm, ClosedFormError> {
    let fp = to_pw(f, "f").map_err(ClosedFormError::Outside)?;
    let gp = to_pw(g, "g").map_err(ClosedFormError::Outside)?;
    let (result, trace) = ex::convolve(&fp, &gp, op, interrupted)?;
    Ok(ClosedForm {
        fast: result.pieces.iter().map(FastPiece::new).collect(),
        op,
        f_name: f.display_name(),
        g_name: g.display_name(),
        f: fp,
        g: gp,
        result,
        trace,
    })
}

/// A function as pieces of exponential polynomials, or which piece is not.
pub fn to_pw(f: &Rc<Function>, role: &str) -> Result<PwExpPoly, String> {
    if let Some(cf) = closed_form_of(f) {
        return Ok(cf.result.clone());
    }
    let name = f.name.clone().unwrap_or_else(|| role.to_string());
    if let FnBody::Computed(_) = f.body {
        return Err(format!(
            "{name} is computed numerically, so it has no formula to convolve exactly"
        ));
    }
    let p = cont::prepare(f).map_err(|e| match &f.body {
        FnBody::Expr(body) => match delta_product(body) {
            Some(product) => format!(
                "{name} multiplies two Dirac deltas ({}): a product of distributions has no meaning, \
                 so {name} is neither a function nor a sum of deltas; to combine two deltas, convolve them \
                 (conv of delta(t − a) and delta(t − b) is delta(t − (a + b)))",
                product.render(&f.var, crate::value::function::Style::Text, &NumFmt::default())
            ),
            None => format!("{name}: {e}"),
        },
        FnBody::Computed(_) => format!("{name}: {e}"),
    })?;
    if p.irregular {
        return Err(format!(
            "{name} jumps or kinks where its argument is not linear in {}, so its pieces are not all known",
            f.var
        ));
    }
    let mut pieces = Vec::new();
    for (i, piece) in p.pieces.iter().enumerate() {
        let lo = match (&piece.lo_x, piece.lo) {
            (_, x) if x == f64::NEG_INFINITY => Bound::NegInf,
            (Some(n), _) => Bound::Finite(n.clone()),
            (None, x) => Bound::Finite(Number::float(x)),
        };
        let hi = match (&piece.hi_x, piece.hi) {
            (_, x) if x == f64::INFINITY => Bound::PosInf,
            (Some(n), _) => Bound::Finite(n.clone()),
            (None, x) => Bound::Finite(Number::float(x)),
        };
        let e = exppoly(&piece.expr, &f.var).map_err(|why| {
            format!(
                "piece {} of {name} ({}) is outside the exact class: {why}",
                i + 1,
                open_interval_text(&lo, &hi, &f.var)
            )
        })?;
        // An end belongs to the piece when the function's value there is
        // the piece's formula; of two neighbours the right one takes it.
        let matches_at = |x: f64| {
            x.is_finite()
                && (f.eval(x) - e.eval_at(&[x]).re).abs() <= 1e-12 * (1.0 + f.eval(x).abs())
        };
        let lo_closed = matches_at(piece.lo);
        let hi_closed = matches_at(piece.hi)
            && !p.pieces.get(i + 1).is_some_and(|next| {
                next.lo == piece.hi && {
                    exppoly(&next.expr, &f.var).is_ok_and(|ne| {
                        (f.eval(piece.hi) - ne.eval_at(&[piece.hi]).re).abs()
                            <= 1e-12 * (1.0 + f.eval(piece.hi).abs())
                    })
                }
            });
        pieces.push(ex::Piece::new(lo, hi, lo_closed, hi_closed, e));
    }
    let deltas = p
        .deltas
        .iter()
        .map(|(at, w)| ex::Delta {
            at: at.clone(),
            weight: w.clone(),
        })
        .collect();
    PwExpPoly::new(pieces, deltas).map_err(|e| format!("{name}: {e}"))
}

/// An end of an interval: a number, or ±∞.
pub fn bound_text(b: &Bound, fmt: &NumFmt) -> String {
    match b {
        Bound::NegInf => "−∞".into(),
        Bound::PosInf => "∞".into(),
        Bound::Finite(x) => x.format(fmt).replace('-', "−"),
    }
}

/// The open interval between two breakpoints, where a smooth piece's
/// formula holds: `0 < t < 1`, `t > 0`, `t < 1`, `all t`. (Its ends may
/// belong to it or to a neighbour; the formula is what is being judged.)
pub(crate) fn open_interval_text(lo: &Bound, hi: &Bound, var: &str) -> String {
    let fmt = NumFmt::default();
    match (lo, hi) {
        (Bound::Finite(_), Bound::Finite(_)) => format!(
            "{} < {var} < {}",
            bound_text(lo, &fmt),
            bound_text(hi, &fmt)
        ),
        (Bound::Finite(_), _) => format!("{var} > {}", bound_text(lo, &fmt)),
        (_, Bound::Finite(_)) => format!("{var} < {}", bound_text(hi, &fmt)),
        _ => format!("all {var}"),
    }
}

/// The first product of two factors that both hold a Dirac delta
/// (`delta(t)*delta(t - 1)`, `delta(t)^2`), if any.
pub(crate) fn delta_product(e: &FExpr) -> Option<&FExpr> {
    match e {
        FExpr::Mul(a, b) if a.contains_delta() && b.contains_delta() => Some(e),
        FExpr::Pow(a, _) if a.contains_delta() => Some(e),
        FExpr::Const(_) | FExpr::Var | FExpr::Apply(..) => None,
        FExpr::Neg(a) => delta_product(a),
        FExpr::Add(a, b)
        | FExpr::Sub(a, b)
        | FExpr::Mul(a, b)
        | FExpr::Div(a, b)
        | FExpr::Pow(a, b) => delta_product(a).or_else(|| delta_product(b)),
        FExpr::Call(_, args) => args.iter().find_map(delta_product),
        FExpr::Piecewise(pieces, otherwise) => pieces
            .iter()
            .find_map(|(_, v)| delta_product(v))
            .or_else(|| delta_product(otherwise)),
    }
}

/// A constant ExpPoly's value.
pub(crate) fn as_constant(p: &ExpPoly) -> Option<Number> {
    let mut sum = Number::zero();
    for t in p.terms() {
        if t.pow[0] != 0 || !t.rate[0].is_zero() || !t.offset.is_zero() || !t.coef.is_real() {
            return None;
        }
        sum = sum.add(&t.coef.re);
    }
    Some(sum)
}

/// A smooth piece's formula as `Σ c·t^k·exp(α·t)`, or why it is not one.
pub(crate) fn exppoly(e: &FExpr, var: &str) -> Result<ExpPoly, String> {
    let text = |e: &FExpr| e.render(var, crate::value::function::Style::Text, &NumFmt::default());
    Ok(match e {
        FExpr::Const(c) => {
            if !c.is_finite() {
                return Err(format!("the constant {c} is not finite"));
            }
            ExpPoly::constant(c.clone())
        }
        FExpr::Var => ExpPoly::var(),
        FExpr::Neg(a) => exppoly(a, var)?.neg(),
        FExpr::Add(a, b) => exppoly(a, var)?.add(&exppoly(b, var)?),
        FExpr::Sub(a, b) => exppoly(a, var)?.sub(&exppoly(b, var)?),
        FExpr::Mul(a, b) => exppoly(a, var)?.mul(&exppoly(b, var)?),
        FExpr::Div(a, b) => {
            let num = exppoly(a, var)?;
            let den = exppoly(b, var)?;
            match as_constant(&den) {
                Some(c) if !c.is_zero() => {
                    num.scale(&Number::one().div(&c).map_err(|e| e.to_string())?)
                }
                Some(_) => return Err(format!("{} divides by zero", text(e))),
                None => {
                    // 1/exp(a·t + b) is exp(−a·t − b).
                    match b.as_ref() {
                        FExpr::Call(f, args) if f.closed() == Some(Closed::Exp) => {
                            let inner = exppoly(&args[0], var)?.neg();
                            match inner.exp_of() {
                                Some(x) => num.mul(&x),
                                None => {
                                    return Err(format!(
                                        "{} has an exponent that is not linear in {var}",
                                        text(e)
                                    ))
                                }
                            }
                        }
                        _ => return Err(format!("{} divides by a non-constant ({}); only sums of c·{var}^k·exp(α·{var}) are integrated exactly", text(e), text(b))),
                    }
                }
            }
        }
        FExpr::Pow(a, b) => {
            let base = exppoly(a, var)?;
            let exp = exppoly(b, var)?;
            match (as_constant(&exp), as_constant(&base)) {
                (Some(k), _)
                    if k.is_exact()
                        && k.to_i64().is_some_and(|n| (0..=MAX_POWER).contains(&n))
                        && k.to_f64().fract() == 0.0 =>
                {
                    base.pow(k.to_i64().unwrap_or(0) as u32)
                }
                (Some(k), _) => {
                    return Err(format!(
                    "{} has the power {}, and only whole powers 0…{MAX_POWER} stay in the class",
                    text(e),
                    k.format(&NumFmt::default())
                ))
                }
                // c^(a·t + b) = exp(ln(c)·(a·t + b)).
                (None, Some(c)) if c.to_f64() > 0.0 => {
                    let ln = Number::float(c.to_f64().ln());
                    match exp.as_affine() {
                        Some((p, q)) => ExpPoly::exp_affine(p.mul(&ln), q.mul(&ln)),
                        None => {
                            return Err(format!(
                                "{} has an exponent that is not linear in {var}",
                                text(e)
                            ))
                        }
                    }
                }
                _ => {
                    return Err(format!(
                        "{} raises to a power that depends on {var}",
                        text(e)
                    ))
                }
            }
        }
        FExpr::Call(f, args) => {
            let arg = |i: usize| exppoly(&args[i], var);
            let linear = |p: Option<ExpPoly>, what: &str| {
                p.ok_or_else(|| {
                    format!(
                        "{what}({}) has an argument that is not linear in {var}",
                        text(&args[0])
                    )
                })
            };
            // A built-in of constants is a constant (e.g. sqrt(2)).
            let constant = || {
                let a = args
                    .iter()
                    .map(|x| exppoly(x, var))
                    .collect::<Result<Vec<_>, _>>();
                if let Ok(a) = &a {
                    if let Some(cs) = a.iter().map(as_constant).collect::<Option<Vec<Number>>>() {
                        let v = f.apply(&cs.iter().map(Number::to_f64).collect::<Vec<_>>());
                        if v.is_finite() {
                            return Ok(ExpPoly::constant(Number::float(v)));
                        }
                    }
                }
                Err(format!(
                    "{} is not a sum of c·{var}^k·exp(α·{var}) (polynomials, exp, sin, cos, sinh, cosh of a linear argument)",
                    text(e)
                ))
            };
            // Piecewise built-ins of linear arguments were resolved into
            // polynomials before this; one still here has a non-linear
            // argument.
            let Some(closed) = f.closed() else {
                return constant();
            };
            match closed {
                Closed::Exp => linear(arg(0)?.exp_of(), f.name())?,
                Closed::Sin => linear(arg(0)?.sin_of(), f.name())?,
                Closed::Cos => linear(arg(0)?.cos_of(), f.name())?,
                Closed::Sinh | Closed::Cosh => {
                    let a = arg(0)?;
                    let up = linear(a.exp_of(), f.name())?;
                    let down = linear(a.neg().exp_of(), f.name())?;
                    let half = Number::ratio(1, 2);
                    if closed == Closed::Sinh {
                        up.sub(&down).scale(&half)
                    } else {
                        up.add(&down).scale(&half)
                    }
                }
                Closed::No(Some(why)) => {
                    return Err(format!(
                        "{}({}) is {}",
                        f.name(),
                        args.iter().map(text).collect::<Vec<_>>().join(", "),
                        why.replace("{var}", var)
                    ))
                }
                Closed::No(None) => return constant(),
            }
        }
        FExpr::Apply(g, inner) => match &g.body {
            FnBody::Expr(body) => {
                let arg = exppoly(inner, var)?;
                let (a, b) = arg.as_affine().ok_or_else(|| {
                    format!(
                        "{} applies {} to an argument that is not linear",
                        text(e),
                        g.display_name()
                    )
                })?;
                exppoly(body, &g.var)?.compose_affine(&a, &b)
            }
            FnBody::Computed(_) => match closed_form_of(g) {
                Some(_) => {
                    return Err(format!(
                        "{} uses a closed form inside a formula; convolve it directly instead",
                        text(e)
                    ))
                }
                None => {
                    return Err(format!(
                        "{} uses {}, which is computed numerically",
                        text(e),
                        g.display_name()
                    ))
                }
            },
        },
        FExpr::Piecewise(..) => return Err(format!("{} has pieces inside a formula", text(e))),
    })
}

// ---------------------------------------------------------------------------
// exact(…) and steps exact(…)

/// The closed form an `exact(…)` argument stands for, and the variable to
/// show it in.
///
/// `exact(conv(f, g))` and `exact(corr(f, g))` with two functions are
/// recognised from the syntax: the closed form is computed once, directly
/// (with Ctrl-C honoured), and when an input is outside the class the error
/// names its piece — even when the numeric `conv(f, g)` would fail too (a
/// product of deltas). Anything else is evaluated: a convolution value
/// (`h = conv(f, g)` then `exact(h)`) or a closed form passes through.
pub(crate) fn closed_form_arg(ctx: &mut Ctx, a: &Arg) -> EvalResult<(Rc<ClosedForm>, String)> {
    if let ExprKind::Call { func, args } = &a.value.kind {
        let builtin = ctx.env.value(&func.name).is_none();
        let plain = args.len() == 2 && args.iter().all(|x| x.name.is_none());
        if builtin && plain && matches!(func.name.as_str(), "conv" | "corr") {
            let op = if func.name == "conv" {
                Op::Conv
            } else {
                Op::Corr
            };
            let f = ctx.eval(&args[0].value)?;
            let g = ctx.eval(&args[1].value)?;
            if let (Value::Function(f), Value::Function(g)) = (&f, &g) {
                let interrupt = ctx.interrupt;
                return match closed_form_with(op, f, g, &|| interrupt.is_set()) {
                    Ok(cf) => Ok((Rc::new(cf), f.var.clone())),
                    Err(ClosedFormError::Engine(ex::ExactError::Interrupted)) => {
                        Err(Box::new(crate::eval::interrupted(a.span)))
                    }
                    Err(_) if interrupt.is_set() => Err(Box::new(crate::eval::interrupted(a.span))),
                    Err(why) => no_closed_form(a.span, why, op, f, g),
                };
            }
            // Not two functions: the general path below says what is wrong.
        }
    }
    let v = ctx.eval(&a.value)?;
    let Some(c) = as_conv(&v) else {
        if let Value::Function(f) = &v {
            if let Some(cf) = closed_form_of(f) {
                return Ok((cf, f.var.clone()));
            }
        }
        return err_hint(
            a.span,
            format!(
                "exact needs a convolution of two functions, not {}",
                v.kind_name()
            ),
            "e.g. exact(conv(f, g)) or exact(corr(f, g))",
        );
    };
    let var = c.f.var.clone();
    if let Some(cf) = &c.exact {
        return Ok((cf.clone(), var));
    }
    match try_closed_form(c.op, &c.f, &c.g) {
        Ok(cf) => Ok((Rc::new(cf), var)),
        Err(why) => no_closed_form(a.span, why, c.op, &c.f, &c.g),
    }
}

/// The error for an input outside the class: what is outside, and whether
/// the numeric convolution still works. (`exact(…)` does not fall back to
/// numbers itself: a student who asks for a formula is told there is none,
/// and `conv(f, g)` — which integrates numerically — is one word away.)
pub(crate) fn no_closed_form<T>(
    span: Span,
    why: ClosedFormError,
    op: Op,
    f: &Rc<Function>,
    g: &Rc<Function>,
) -> EvalResult<T> {
    let call = format!("{}({}, {})", op.name(), f.display_name(), g.display_name());
    // The numeric engine needs only the cut into pieces to succeed.
    let hint = match cont::prepare(f).and_then(|_| cont::prepare(g)) {
        Ok(_) => format!("{call} is still computed numerically: use it without exact(…)"),
        Err(e) => format!("{call} cannot be computed numerically either: {e}"),
    };
    let mut d = crate::diagnostic::Diagnostic::error(format!("no closed form: {why}"), Some(span))
        .with_hint(hint);
    d.kind = crate::diagnostic::Kind::NoClosedForm;
    Err(Box::new(d))
}

/// `exact(conv(f, g))`: the closed form as a function.
///
/// Outside the class (sums of `c·t^k·exp(α·t)` and deltas) it says which
/// piece is outside, as a warning, and falls back to the numeric
/// convolution: the value is still right, only the formula is missing; a
/// formula is never guessed.
pub fn exact_call(ctx: &mut Ctx, args: &[Arg], span: Span) -> EvalResult<Value> {
    let a = Args::check("exact", args, span, 1, 1, &[])?;
    let (cf, var) = match closed_form_arg(ctx, a.positional[0]) {
        Ok(x) => x,
        Err(d) if d.kind == crate::diagnostic::Kind::NoClosedForm && !ctx.interrupt.is_set() => {
            // When the numeric side cannot do it either, the closed-form
            // error is the better explanation.
            let Ok(v) = ctx.eval(&a.positional[0].value) else {
                return Err(d);
            };
            if as_conv(&v).is_none() {
                return Err(d);
            }
            let mut w = crate::diagnostic::Diagnostic::warning(
                format!("{}; computed numerically instead", d.message),
                d.span,
            );
            w.label = Some("no formula for this one".into());
            ctx.warnings.push(w);
            return Ok(v);
        }
        Err(d) => return Err(d),
    };
    Ok(Value::Function(Rc::new(Function {
        name: None,
        var,
        body: FnBody::Computed(Rc::new(ClosedFormFn(cf))),
    })))
}
