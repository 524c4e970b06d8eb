//! Functions of a real variable: `conv(f, g)` as a function, `integrate`,
//! `sample`, `riemann`, `converge`, `is_pdf`, `is_causal`.
//!
//! # Conventions
//! * `sample(f, h)[n] = f(n·h)`, with the function's own value at a jump
//!   (`u(0) = 1`).
//! * `riemann(conv(f, g), h)[n] = h·Σ_m f(m·h)·g((n−m)·h)`: the factor h
//!   makes it approximate the integral, and index n stands for t = n·h.

use std::any::Any;
use std::rc::Rc;

use crate::engine::continuous::{self as cont, ContError, Op, Prepared};
use crate::engine::quad::{self, QuadOptions, QuadStatus};
use crate::eval::calls::Args;
use crate::eval::CheckInterrupt;
use crate::eval::{err, err_hint, limits, Ctx, EvalResult};
use crate::registry::Operation;
use crate::syntax::ast::{Arg, Expr, Ident};
use crate::syntax::span::Span;
use crate::value::function::{ComputedFn, FnBody, Function};
use crate::value::number::{format_float, Number};
use crate::value::{Estimate, Scalar, Sequence, Value};

/// `conv(f, g)` or `corr(f, g)` as a function of t.
#[derive(Debug)]
pub struct ConvFn {
    pub op: Op,
    pub f: Rc<Function>,
    pub g: Rc<Function>,
    /// The factor integrated in place (f for conv, g for corr).
    pub fixed: Prepared,
    /// The factor that is flipped and/or shifted (g for conv, f for corr).
    pub moving: Prepared,
    pub breaks: Vec<Number>,
    pub support: (f64, f64),
    /// The closed form, when both inputs are piecewise exponential polynomials.
    pub exact: Option<Rc<crate::eval::exact::ClosedForm>>,
    /// Which pieces overlap between consecutive breakpoints (for curves).
    pub plan: cont::PairPlan,
}

impl ConvFn {
    pub fn new(op: Op, f: Rc<Function>, g: Rc<Function>) -> Result<ConvFn, ContError> {
        let pf = cont::prepare(&f)?;
        let pg = cont::prepare(&g)?;
        let (fixed, moving) = match op {
            Op::Conv => (pf, pg),
            Op::Corr => (pg, pf),
        };
        let breaks = cont::result_breaks(&fixed, &moving, op);
        let support = cont::result_support(&fixed, &moving, op);
        let exact = crate::eval::exact::try_closed_form(op, &f, &g)
            .ok()
            .map(Rc::new);
        let plan = cont::PairPlan::new(&fixed, &moving, op);
        Ok(ConvFn {
            plan,
            op,
            f,
            g,
            fixed,
            moving,
            breaks,
            support,
            exact,
        })
    }

    pub fn title(&self) -> String {
        format!(
            "{}({}, {})",
            self.op.name(),
            self.f.display_name(),
            self.g.display_name()
        )
    }

    /// The value at t with its error estimate.
    pub fn value(&self, t: f64, interrupt: &dyn Fn() -> bool) -> Result<cont::Approx, ContError> {
        if let Some(c) = &self.exact {
            if let Some((value, error)) = c.eval_with_error(t) {
                return Ok(cont::Approx {
                    value,
                    error,
                    exact: None,
                });
            }
        }
        if t < self.support.0 || t > self.support.1 {
            return Ok(cont::Approx {
                value: 0.0,
                error: 0.0,
                exact: Some(Number::zero()),
            });
        }
        cont::value_at_planned(
            &self.fixed,
            &self.moving,
            self.op,
            t,
            Some(&self.plan),
            interrupt,
        )
    }

    /// The formula shown for this function.
    pub fn definition(&self, var: &str) -> String {
        let (f, g) = (self.f.display_name(), self.g.display_name());
        match self.op {
            Op::Conv => format!("∫ {f}(τ)·{g}({var} − τ) dτ"),
            Op::Corr => format!("∫ {f}({var} + τ)·{g}(τ) dτ"),
        }
    }
}

impl ComputedFn for ConvFn {
    fn eval(&self, t: f64) -> f64 {
        self.value(t, &|| false)
            .map(|a| a.value)
            .unwrap_or(f64::NAN)
    }

    fn eval_checked(&self, t: f64) -> Result<f64, String> {
        self.value(t, &|| false)
            .map(|a| a.value)
            .map_err(|e| e.to_string())
    }

    fn breakpoints(&self) -> Vec<Number> {
        self.breaks.clone()
    }

    fn support(&self) -> (f64, f64) {
        self.support
    }

    fn describe(&self) -> String {
        format!("{} = {}", self.title(), self.definition("t"))
    }

    fn point_masses(&self) -> Vec<(Number, Number)> {
        self.exact
            .as_ref()
            .map_or_else(Vec::new, |c| c.point_masses())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The value of a computed function at x as a displayed value.
pub fn value_at(c: &dyn ComputedFn, x: f64) -> Result<Value, String> {
    let kind = crate::eval::computed::Computed::of(c);
    if let Some(crate::eval::computed::Computed::ClosedForm(cf)) = kind {
        return cf.eval_exact_or_f64(x).ok_or_else(|| {
            format!(
                "{} has a Dirac delta at t = {x}: no value there",
                cf.title()
            )
        });
    }
    if let Some(cf) = kind.and_then(|k| k.conv()) {
        if let Some(closed) = &cf.exact {
            if let Some(v) = closed.eval_exact_or_f64(x) {
                return Ok(v);
            }
        }
        return match cf.value(x, &|| false) {
            Ok(a) => Ok(match a.exact {
                Some(e) => Value::number(e),
                None => Value::Estimate(Estimate {
                    value: a.value,
                    error: a.error,
                    warning: None,
                }),
            }),
            Err(ContError::Inaccurate {
                value, error, why, ..
            }) => Ok(Value::Estimate(Estimate {
                value,
                error,
                warning: Some(why),
            })),
            Err(e) => Err(e.to_string()),
        };
    }
    c.eval_checked(x).map(Value::float)
}

/// Build `conv(f, g)` / `corr(f, g)` for two functions.
pub fn make_conv(op: Op, f: Rc<Function>, g: Rc<Function>, span: Span) -> EvalResult<Value> {
    let c = ConvFn::new(op, f, g).map_err(|e| {
        Box::new(crate::diagnostic::Diagnostic::error(
            e.to_string(),
            Some(span),
        ))
    })?;
    Ok(Value::Function(Rc::new(Function {
        name: None,
        var: c.f.var.clone(),
        body: FnBody::Computed(Rc::new(c)),
    })))
}

/// A function argument.
pub fn function_arg(ctx: &mut Ctx, e: &Expr, what: &str) -> EvalResult<Rc<Function>> {
    match ctx.eval(e)? {
        Value::Function(f) => Ok(f),
        other => err_hint(
            e.span,
            format!("{what} must be a function, not {}", other.kind_name()),
            "define one first, e.g. `f(t) = { 1 if 0 <= t < 1 }`",
        ),
    }
}

/// integrate, sample, riemann, exact, is_pdf, is_causal.
pub fn call(ctx: &mut Ctx, func: &Ident, args: &[Arg], span: Span) -> EvalResult<Value> {
    match func.name.as_str() {
        "integrate" => integrate_call(ctx, args, span),
        "sample" => sample_call(ctx, args, span),
        "riemann" => riemann_call(ctx, args, span),
        "exact" => crate::eval::exact::exact_call(ctx, args, span),
        "is_pdf" | "is_causal" => {
            let (passed, _) = predicate(ctx, func, args, span)?;
            Ok(Value::Bool(passed))
        }
        other => err(func.span, format!("unknown function '{other}'")),
    }
}

pub(crate) fn interrupt_fn<'a>(ctx: &'a Ctx<'a>) -> impl Fn() -> bool + 'a {
    move || ctx.interrupt.is_set()
}

/// ∫ f over [a, b] (default: its support), split at its breakpoints.
/// Why `∫ f` over a range has no value.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum IntegralError {
    /// The function could not be cut into smooth pieces.
    #[error("{0}")]
    Structure(#[from] ContError),
    /// Ctrl-C.
    #[error("interrupted (Ctrl-C)")]
    Interrupted,
    /// A nonzero polynomial piece on an unbounded interval.
    #[error("∫ {name} diverges: it is a nonzero polynomial on an unbounded interval")]
    PolynomialTail { name: String },
    /// The integrator saw the integral diverge.
    #[error("∫ {name} diverges on ({lo}, {hi})")]
    Diverges {
        name: String,
        lo: String,
        hi: String,
    },
    /// The integrand overflows far out on an unbounded range.
    #[error("∫ {name} diverges on ({lo}, {hi}): it grows without bound (it overflows at {at})")]
    Unbounded {
        name: String,
        lo: String,
        hi: String,
        at: String,
    },
    /// The integrand is not finite at a point inside the range.
    #[error("{name} is not finite at {at} (inside the integration range)")]
    NotFinite { name: String, at: String },
}

impl IntegralError {
    /// Advice for the user, where there is one.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            IntegralError::PolynomialTail { .. }
            | IntegralError::Diverges { .. }
            | IntegralError::Unbounded { .. } => Some(
                "the area has no finite value there: integrate over a finite range, e.g. integrate(f, 0, 10)",
            ),
            IntegralError::NotFinite { .. } => Some(
                "the integral does not exist across that point: integrate over a range that avoids it, or up to it from one side",
            ),
            IntegralError::Structure(_) | IntegralError::Interrupted => None,
        }
    }

    /// The error as a diagnostic at `span`.
    pub fn at(self, span: Span) -> Box<crate::diagnostic::Diagnostic> {
        if self == IntegralError::Interrupted {
            return Box::new(crate::eval::interrupted(span));
        }
        let hint = self.hint();
        let d = crate::diagnostic::Diagnostic::error(self.to_string(), Some(span));
        Box::new(match hint {
            Some(h) => d.with_hint(h),
            None => d,
        })
    }
}

pub fn integrate_fn(
    ctx: &Ctx,
    f: &Rc<Function>,
    a: f64,
    b: f64,
) -> Result<Estimate, IntegralError> {
    let p = cont::prepare(f)?;
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let sign = if a <= b { 1.0 } else { -1.0 };
    let mut total = 0.0;
    let mut error = 0.0;
    let mut warning = None;
    let interrupt = interrupt_fn(ctx);
    for piece in &p.pieces {
        let l = piece.lo.max(lo);
        let h = piece.hi.min(hi);
        if h.partial_cmp(&l) != Some(std::cmp::Ordering::Greater) {
            continue;
        }
        if let Some(poly) = &piece.poly {
            if !(l.is_finite() && h.is_finite()) {
                return Err(IntegralError::PolynomialTail {
                    name: f.display_name(),
                });
            }
            let v = poly
                .integrate(&Number::Float(l), &Number::Float(h))
                .to_f64();
            total += v;
            error += v.abs() * 8.0 * f64::EPSILON;
            continue;
        }
        let mut g = |x: f64| piece_value(piece, x);
        let r = quad::integrate(&mut g, l, h, &[], &QuadOptions::default(), &interrupt);
        match r.status {
            QuadStatus::Converged => {}
            QuadStatus::Interrupted => return Err(IntegralError::Interrupted),
            QuadStatus::Diverges => {
                return Err(IntegralError::Diverges {
                    name: f.display_name(),
                    lo: fmt(l),
                    hi: fmt(h),
                })
            }
            QuadStatus::NonFinite { at }
                if (l.is_infinite() || h.is_infinite()) && at.abs() > 100.0 =>
            {
                return Err(IntegralError::Unbounded {
                    name: f.display_name(),
                    lo: fmt(l),
                    hi: fmt(h),
                    at: fmt(at),
                })
            }
            QuadStatus::NonFinite { at } => {
                return Err(IntegralError::NotFinite {
                    name: f.display_name(),
                    at: fmt(at),
                })
            }
            QuadStatus::Singular { near } => {
                warning = Some(format!(
                    "the integrand is singular near {}; the estimate may be off by the error shown",
                    fmt(near)
                ))
            }
            QuadStatus::MaxEvals => {
                warning =
                    Some("the evaluation budget ran out before the tolerance was reached".into())
            }
        }
        total += r.value;
        error += r.error;
    }
    for (pos, w) in &p.deltas {
        let x = pos.to_f64();
        if x >= lo && x <= hi {
            total += w.to_f64();
        }
    }
    Ok(Estimate {
        value: sign * total,
        error: error + total.abs() * 4.0 * f64::EPSILON,
        warning,
    })
}

pub(crate) fn piece_value(p: &cont::Piece, x: f64) -> f64 {
    match &p.poly {
        Some(poly) => poly.eval_f64(x),
        None => p.expr.eval(x),
    }
}

pub(crate) fn fmt(x: f64) -> String {
    format_float(x, 6)
}

pub(crate) fn integrate_call(ctx: &mut Ctx, args: &[Arg], span: Span) -> EvalResult<Value> {
    let a = Args::check("integrate", args, span, 1, 3, &[])?;
    if a.positional.len() == 2 {
        return err_hint(
            span,
            "integrate takes a function, or a function and both limits",
            "integrate(f) or integrate(f, 0, 2)",
        );
    }
    let f = function_arg(ctx, &a.positional[0].value, "the integrand")?;
    let (lo, hi) = if a.positional.len() == 3 {
        (
            ctx.real(&a.positional[1].value, "the lower limit")?
                .to_f64(),
            ctx.real(&a.positional[2].value, "the upper limit")?
                .to_f64(),
        )
    } else {
        (f64::NEG_INFINITY, f64::INFINITY)
    };
    // Exact integral for piecewise polynomials with exact limits.
    if let Some(v) = exact_integral(ctx, &f, &a, lo, hi)? {
        return Ok(Value::number(v));
    }
    match integrate_fn(ctx, &f, lo, hi) {
        Ok(e) => Ok(Value::Estimate(e)),
        Err(e) => Err(e.at(span)),
    }
}

/// ∫ of a piecewise polynomial between exact limits, in exact arithmetic.
pub(crate) fn exact_integral(
    ctx: &mut Ctx,
    f: &Rc<Function>,
    a: &Args,
    lo: f64,
    hi: f64,
) -> EvalResult<Option<Number>> {
    let p = match cont::prepare(f) {
        Ok(p) => p,
        Err(_) => return Ok(None),
    };
    if !p.deltas.is_empty() || p.irregular || p.pieces.iter().any(|x| x.poly.is_none()) {
        return Ok(None);
    }
    let (lo_x, hi_x) = if a.positional.len() == 3 {
        let l = ctx.real(&a.positional[1].value, "the lower limit")?;
        let h = ctx.real(&a.positional[2].value, "the upper limit")?;
        if !l.is_exact() || !h.is_exact() {
            return Ok(None);
        }
        (Some(l), Some(h))
    } else {
        (None, None)
    };
    let (swap, lo, hi) = if lo <= hi {
        (false, lo, hi)
    } else {
        (true, hi, lo)
    };
    let (lo_x, hi_x) = if swap { (hi_x, lo_x) } else { (lo_x, hi_x) };
    let mut total = Number::zero();
    for piece in &p.pieces {
        let l = piece.lo.max(lo);
        let h = piece.hi.min(hi);
        if h.partial_cmp(&l) != Some(std::cmp::Ordering::Greater) {
            continue;
        }
        if !l.is_finite() || !h.is_finite() {
            return Ok(None);
        }
        let lx = if l == piece.lo {
            piece.lo_x.clone()
        } else {
            lo_x.clone()
        };
        let hx = if h == piece.hi {
            piece.hi_x.clone()
        } else {
            hi_x.clone()
        };
        let (Some(lx), Some(hx), Some(poly)) = (lx, hx, &piece.poly) else {
            return Ok(None);
        };
        total = total.add(&poly.integrate(&lx, &hx));
    }
    if !total.is_exact() {
        return Ok(None);
    }
    Ok(Some(if swap { total.neg() } else { total }))
}

/// The step and range options of sample/riemann.
pub(crate) struct Grid {
    h: Number,
    first: i64,
    last: i64,
}

/// `example` is the call to suggest when the range must be given.
#[allow(clippy::too_many_arguments)]
pub(crate) fn grid(
    ctx: &mut Ctx,
    f: &Function,
    h: Number,
    from: Option<Number>,
    to: Option<Number>,
    span: Span,
    hspan: Span,
    example: &str,
) -> EvalResult<Grid> {
    let hf = h.to_f64();
    if hf.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !hf.is_finite() {
        return err_hint(
            hspan,
            format!("the step h must be positive, not {}", h),
            "e.g. sample(f, 0.25)",
        );
    }
    let (slo, shi) = f.support();
    let lo = from.as_ref().map(Number::to_f64).unwrap_or(slo);
    let hi = to.as_ref().map(Number::to_f64).unwrap_or(shi);
    if !lo.is_finite() || !hi.is_finite() {
        return err_hint(
            span,
            format!(
                "{} is nonzero on an unbounded range, so the samples never end",
                f.display_name()
            ),
            format!("give the range: {example}"),
        );
    }
    // n·h within [lo, hi]; exact when h and the ends are.
    let idx = |x: f64, up: bool| -> f64 {
        let q = x / hf;
        let r = q.round();
        if (q - r).abs() <= 1e-9 * (1.0 + q.abs()) {
            r
        } else if up {
            q.ceil()
        } else {
            q.floor()
        }
    };
    let (first, last) = (idx(lo, true), idx(hi, false));
    let count = last - first + 1.0;
    if count > limits::MAX_ELEMENTS as f64 {
        return err_hint(
            hspan,
            format!(
                "this needs {} samples, more than the limit of {}",
                format_float(count, 3),
                limits::MAX_ELEMENTS
            ),
            "use a larger step h or a narrower range (from=, to=)",
        );
    }
    if count < 1.0 {
        if lo > hi {
            return err_hint(
                span,
                format!(
                    "the range from={} to={} is reversed",
                    format_float(lo, 6),
                    format_float(hi, 6)
                ),
                "`from` is where the samples start and `to` where they end: write the smaller value first",
            );
        }
        return err_hint(
            span,
            format!(
                "no sample point n·h falls in [{}, {}]",
                format_float(lo, 6),
                format_float(hi, 6)
            ),
            "use a smaller step h, or a wider range (from=, to=)",
        );
    }
    let _ = ctx;
    if !first.is_finite() || first.abs() > 1e19 {
        return err_hint(
            span,
            "the sample indices n = from/h are too large",
            "use a larger step h, or a range nearer 0",
        );
    }
    let first = limits::check_indices(first as i128, count as usize, span)?;
    Ok(Grid {
        h,
        first,
        last: first + count as i64 - 1,
    })
}

/// The values f(n·h) for n in the grid: exact for formula functions where possible.
pub(crate) fn sample_values(
    ctx: &Ctx,
    f: &Function,
    g: &Grid,
    span: Span,
) -> EvalResult<Vec<Scalar>> {
    let mut out = Vec::with_capacity((g.last - g.first + 1) as usize);
    let exact_ok =
        g.h.is_exact() && matches!(f.body, FnBody::Expr(_)) && (g.last - g.first) < 1_000_000;
    for n in g.first..=g.last {
        if n % 4096 == 0 {
            ctx.interrupt.check(span)?;
        }
        let x = g.h.mul(&Number::int(n));
        let v = if exact_ok {
            match crate::eval::calls::eval_formula_exact(f, &x) {
                Some(v) => v,
                None => Number::Float(f.eval(x.to_f64())),
            }
        } else {
            Number::Float(f.eval(x.to_f64()))
        };
        out.push(Scalar::Num(ctx.exactness(v)));
    }
    Ok(out)
}

pub(crate) fn named_number(ctx: &mut Ctx, a: &Args, name: &str) -> EvalResult<Option<Number>> {
    match a.get(name) {
        Some(arg) => Ok(Some(ctx.real(&arg.value, name)?)),
        None => Ok(None),
    }
}

pub(crate) fn sample_call(ctx: &mut Ctx, args: &[Arg], span: Span) -> EvalResult<Value> {
    let a = Args::of(Operation::Sample, args, span, 2, 2)?;
    let f = function_arg(ctx, &a.positional[0].value, "the first argument of sample")?;
    if matches!(&f.body, FnBody::Expr(e) if e.contains_delta()) {
        return err(
            a.positional[0].span,
            "a function with a delta has no values to sample",
        );
    }
    let h = ctx.real(&a.positional[1].value, "the step h")?;
    let from = named_number(ctx, &a, "from")?;
    let to = named_number(ctx, &a, "to")?;
    let g = grid(
        ctx,
        &f,
        h,
        from,
        to,
        span,
        a.positional[1].span,
        "sample(f, 0.25, from=0, to=10)",
    )?;
    let values = sample_values(ctx, &f, &g, span)?;
    Ok(Value::Sequence(Sequence::from_scalars(g.first, values)))
}

/// The ConvFn behind a value, if it is a (numeric or exact) convolution.
pub fn as_conv(v: &Value) -> Option<&ConvFn> {
    crate::eval::computed::Computed::of_value(v).and_then(|c| c.conv())
}

/// riemann(conv(f, g), h): h·Σ_m f(mh)·g((n−m)h).
pub(crate) fn riemann_call(ctx: &mut Ctx, args: &[Arg], span: Span) -> EvalResult<Value> {
    let a = Args::of(Operation::Riemann, args, span, 2, 2)?;
    let v = ctx.eval(&a.positional[0].value)?;
    let Some(c) = as_conv(&v) else {
        return err_hint(
            a.positional[0].span,
            format!(
                "riemann needs a convolution of two functions, not {}",
                v.kind_name()
            ),
            "e.g. riemann(conv(f, g), 0.25)",
        );
    };
    let h = ctx.real(&a.positional[1].value, "the step h")?;
    let (x, y) = riemann_inputs(ctx, c, &h, &a, span)?;
    let sum = crate::eval::discrete::conv_sequences(
        ctx,
        &x,
        &y,
        c.op,
        crate::engine::discrete::Mode::Full,
        span,
    )?;
    let scaled = crate::eval::map_elems_seq(sum, |s| {
        Ok(crate::value::ring::Ring::mul(s, &Scalar::Num(h.clone())))
    })
    .map_err(|e| crate::eval::arith(span, e))?;
    Ok(scaled)
}

/// The sampled inputs of a Riemann sum.
pub fn riemann_inputs(
    ctx: &mut Ctx,
    c: &ConvFn,
    h: &Number,
    a: &Args,
    span: Span,
) -> EvalResult<(Sequence, Sequence)> {
    let from = named_number(ctx, a, "from")?;
    let to = named_number(ctx, a, "to")?;
    let hspan = a.positional.get(1).map(|x| x.span).unwrap_or(span);
    let example = "riemann(conv(f, g), 0.25, from=-6, to=6) samples both inputs there";
    let gf = grid(
        ctx,
        &c.f,
        h.clone(),
        from.clone(),
        to.clone(),
        span,
        hspan,
        example,
    )?;
    let gg = grid(ctx, &c.g, h.clone(), from, to, span, hspan, example)?;
    let xf = sample_values(ctx, &c.f, &gf, span)?;
    let xg = sample_values(ctx, &c.g, &gg, span)?;
    Ok((
        Sequence::from_scalars(gf.first, xf),
        Sequence::from_scalars(gg.first, xg),
    ))
}

/// h·Σ_m f(mh)·g(t − mh) for any t (equal to `riemann(…)[n]` at t = n·h).
/// `None` when the terms never end: the overlap of the supports is unbounded.
pub fn riemann_at(c: &ConvFn, h: f64, t: f64) -> Option<f64> {
    let (flo, fhi) = c.f.support();
    let (glo, ghi) = c.g.support();
    let sigma = c.op.sigma();
    // conv: m·h ∈ supp f and t − m·h ∈ supp g; corr: t + m·h ∈ supp f, m·h ∈ supp g.
    let (lo, hi) = match c.op {
        Op::Conv => (flo.max(t - ghi), fhi.min(t - glo)),
        Op::Corr => (glo.max(flo - t), ghi.min(fhi - t)),
    };
    if hi < lo {
        return Some(0.0);
    }
    if !(lo.is_finite() && hi.is_finite()) {
        return None;
    }
    let (m0, m1) = (
        (lo / h - 1e-9).ceil() as i64,
        (hi / h + 1e-9).floor() as i64,
    );
    let mut s = 0.0;
    for m in m0..=m1 {
        let tau = m as f64 * h;
        s += match c.op {
            Op::Conv => c.f.eval(tau) * c.g.eval(t + sigma * tau),
            Op::Corr => c.f.eval(t + sigma * tau) * c.g.eval(tau),
        };
    }
    Some(h * s)
}

/// is_pdf / is_causal with the reason.
pub fn predicate(
    ctx: &mut Ctx,
    func: &Ident,
    args: &[Arg],
    span: Span,
) -> EvalResult<(bool, String)> {
    let a = Args::check(&func.name, args, span, 1, 1, &[])?;
    let f = function_arg(ctx, &a.positional[0].value, "the argument")?;
    let name = f.display_name();
    if func.name == "is_causal" {
        let (lo, _) = f.support();
        let s = f.structure();
        if s.irregular {
            // Fall back to sampling.
            let bad = (1..=2000)
                .map(|i| -(i as f64) * 0.01)
                .find(|x| f.eval(*x) != 0.0);
            return Ok(match bad {
                Some(x) => (
                    false,
                    format!("{name}({}) ≠ 0, so it responds before t = 0", fmt(x)),
                ),
                None => (
                    true,
                    format!(
                        "{name} is 0 at every sampled t < 0 (its breakpoints are not fully known)"
                    ),
                ),
            });
        }
        return Ok(if lo >= 0.0 {
            (
                true,
                format!(
                    "{name}(t) = 0 for every t < 0 (its support starts at {})",
                    fmt(lo)
                ),
            )
        } else {
            (
                false,
                format!(
                    "{name} is nonzero for some t < 0 (its support starts at {})",
                    fmt(lo)
                ),
            )
        });
    }
    // is_pdf: nonnegative and integral 1.
    let p = cont::prepare(&f).map_err(|e| {
        Box::new(crate::diagnostic::Diagnostic::error(
            e.to_string(),
            Some(span),
        ))
    })?;
    for piece in &p.pieces {
        let (lo, hi) = (piece.lo, piece.hi);
        let (l, h) = (
            if lo.is_finite() {
                lo
            } else {
                hi.min(0.0) - 1e3
            },
            if hi.is_finite() {
                hi
            } else {
                lo.max(0.0) + 1e3
            },
        );
        for i in 0..=256 {
            let x = l + (h - l) * (i as f64 + 0.5) / 257.0;
            let v = piece_value(piece, x);
            if v < -1e-12 {
                return Ok((
                    false,
                    format!(
                        "{name}({}) = {} < 0: a density cannot be negative",
                        fmt(x),
                        fmt(v)
                    ),
                ));
            }
        }
    }
    if p.deltas.iter().any(|(_, w)| w.is_negative()) {
        return Ok((false, format!("{name} has a negative point mass")));
    }
    let total = integrate_fn(ctx, &f, f64::NEG_INFINITY, f64::INFINITY).map_err(|e| e.at(span))?;
    let ok = (total.value - 1.0).abs() <= 1e-9f64.max(10.0 * total.error);
    Ok(if ok {
        (
            true,
            format!(
                "{name} ≥ 0 and ∫ {name} = {} (± {})",
                format_float(total.value, 12),
                format_float(total.error, 2)
            ),
        )
    } else {
        (
            false,
            format!("∫ {name} = {}, not 1", format_float(total.value, 10)),
        )
    })
}

#[cfg(test)]
mod integral_error_tests {
    use super::IntegralError;
    use crate::session::Session;

    #[test]
    fn each_failure_is_typed_and_advises() {
        let mut s = Session::new();
        s.run_collect("p(t) = t + 1\nr(t) = 1/t\ng(t) = exp(t^2)")
            .expect("definitions");
        let f = |s: &mut Session, text: &str| s.run_collect(text).expect_err(text);
        let e = f(&mut s, "integrate(p)");
        assert!(
            e.message
                .contains("nonzero polynomial on an unbounded interval"),
            "{e:?}"
        );
        assert!(
            e.hint
                .as_deref()
                .is_some_and(|h| h.contains("finite range")),
            "{e:?}"
        );
        let e = f(&mut s, "integrate(g)");
        assert!(e.message.contains("diverges"), "{e:?}");
        assert!(
            e.hint
                .as_deref()
                .is_some_and(|h| h.contains("finite range")),
            "{e:?}"
        );
        // The kinds carry their advice without parsing the message.
        let tail = IntegralError::PolynomialTail { name: "p".into() };
        assert_eq!(
            tail.hint(),
            IntegralError::Diverges {
                name: "p".into(),
                lo: "0".into(),
                hi: "∞".into()
            }
            .hint()
        );
        assert!(IntegralError::Interrupted.hint().is_none());
        let d = IntegralError::Interrupted.at(crate::syntax::span::Span::new(0, 1));
        assert_eq!(d.kind, crate::diagnostic::Kind::Interrupted);
    }
}
