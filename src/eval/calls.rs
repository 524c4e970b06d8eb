//! Calls: built-in functions on numbers, sequences, matrices and functions,
//! the convolution operations, and user functions.

use std::rc::Rc;

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::eval::CheckInterrupt;
use crate::eval::{
    arith, compile, err, err_hint, limits, map_elems_mat, map_elems_seq, Ctx, EvalResult,
};
use crate::registry::Operation;
use crate::syntax::ast::{Arg, Expr, ExprKind, Ident};
use crate::syntax::span::Span;
use crate::value::function::{exact_builtin, Builtin, FExpr, FnBody, Function};
use crate::value::number::Number;
use crate::value::ring::Ring;
use crate::value::{Elems, Matrix, Scalar, Sequence, Value};

/// Arguments split into positional and named, checked against what a
/// function accepts.
pub struct Args<'a> {
    pub positional: Vec<&'a Arg>,
    pub named: Vec<&'a Arg>,
    pub span: Span,
}

impl<'a> Args<'a> {
    /// [`Args::check`] for an operation: its name and its named options
    /// from the registry.
    pub fn of(
        op: Operation,
        args: &'a [Arg],
        span: Span,
        min: usize,
        max: usize,
    ) -> EvalResult<Args<'a>> {
        Args::check(op.name(), args, span, min, max, op.spec().options)
    }

    pub fn check(
        fname: &str,
        args: &'a [Arg],
        span: Span,
        min: usize,
        max: usize,
        names: &[&str],
    ) -> EvalResult<Args<'a>> {
        let positional: Vec<&Arg> = args.iter().filter(|a| a.name.is_none()).collect();
        let named: Vec<&Arg> = args.iter().filter(|a| a.name.is_some()).collect();
        if positional.len() < min || positional.len() > max {
            let want = match (min, max) {
                (1, 1) => "1 argument".to_string(),
                (a, b) if a == b => format!("{a} arguments"),
                (a, b) => format!("{a} to {b} arguments"),
            };
            let usage = Operation::from_name(fname)
                .map(|o| format!("usage: {}", o.spec().usage))
                .unwrap_or_else(|| format!("`help {fname}` shows how to call it"));
            return err_hint(
                span,
                format!(
                    "{fname} takes {want}, but {} {} given",
                    positional.len(),
                    if positional.len() == 1 { "was" } else { "were" }
                ),
                usage,
            );
        }
        for a in &named {
            let n = a.name.as_ref().map(|n| n.name.as_str()).unwrap_or("");
            if !names.contains(&n) {
                let span = a.name.as_ref().map(|i| i.span).unwrap_or(a.span);
                let mut d = Diagnostic::error(format!("{fname} has no option '{n}'"), Some(span));
                d = match did_you_mean(n, names.iter().copied()) {
                    Some(s) => d.with_label(format!("did you mean '{s}'?")),
                    None if names.is_empty() => {
                        d.with_label(format!("{fname} takes no named options"))
                    }
                    None => d.with_label(format!("options: {}", names.join(", "))),
                };
                return Err(Box::new(d));
            }
        }
        for (i, a) in named.iter().enumerate() {
            let n = a.name.as_ref().map(|n| n.name.as_str());
            if named[..i]
                .iter()
                .any(|b| b.name.as_ref().map(|x| x.name.as_str()) == n)
            {
                return err_hint(
                    a.span,
                    format!("option '{}' is given twice", n.unwrap_or("")),
                    "keep the one you mean and delete the other",
                );
            }
        }
        Ok(Args {
            positional,
            named,
            span,
        })
    }

    pub fn get(&self, name: &str) -> Option<&'a Arg> {
        self.named
            .iter()
            .copied()
            .find(|a| a.name.as_ref().is_some_and(|n| n.name == name))
    }

    /// A named option whose value is a bare word (`mode=valid`): the word.
    pub fn word(&self, name: &str, allowed: &[&str]) -> EvalResult<Option<(String, Span)>> {
        let Some(a) = self.get(name) else {
            return Ok(None);
        };
        let word = match &a.value.kind {
            ExprKind::Ident(w) => w.clone(),
            ExprKind::Str(w) => w.clone(),
            _ => {
                return err_hint(
                    a.value.span,
                    format!("{name} must be one of: {}", allowed.join(", ")),
                    format!("e.g. `{name}={}`", allowed.first().unwrap_or(&"")),
                )
            }
        };
        if !allowed.contains(&word.as_str()) {
            let mut d = Diagnostic::error(format!("'{word}' is not a {name}"), Some(a.value.span));
            d = match did_you_mean(&word, allowed.iter().copied()) {
                Some(s) => d.with_label(format!("did you mean '{s}'?")),
                None => d.with_label(format!("choose one of: {}", allowed.join(", "))),
            };
            return Err(Box::new(d));
        }
        Ok(Some((word, a.value.span)))
    }
}

/// Evaluate a call expression.
pub fn call(ctx: &mut Ctx, func: &Ident, args: &[Arg], span: Span) -> EvalResult<Value> {
    // A user definition shadows a built-in of the same name.
    if let Some(v) = ctx.env.value(&func.name).cloned() {
        return match v {
            Value::Function(f) => call_user(ctx, &f, args, span),
            other => err_hint(
                func.span,
                format!("'{}' is {}, not a function", func.name, other.kind_name()),
                match other {
                    Value::Sequence(_) => {
                        format!("index a sequence with brackets: `{}[3]`", func.name)
                    }
                    Value::Matrix(_) => {
                        format!("index a matrix with brackets: `{}[1, 2]`", func.name)
                    }
                    _ => "only functions can be called".to_string(),
                },
            ),
        };
    }
    if let Some((b, lo, hi)) = Builtin::lookup(&func.name) {
        return call_builtin(ctx, b, lo, hi, func, args, span);
    }
    let Some(operation) = Operation::from_name(&func.name) else {
        let names = ctx.known_names();
        let mut d = Diagnostic::error(format!("unknown function '{}'", func.name), Some(func.span));
        d = match did_you_mean(&func.name, names.iter().map(String::as_str)) {
            Some(s) => d.with_label(format!("did you mean '{s}'?")),
            None => d
                .with_label("not defined")
                .with_hint("`help functions` lists the built-ins"),
        };
        return Err(Box::new(d));
    };
    use Operation as O;
    match operation {
        O::Conv
        | O::Corr
        | O::Cconv
        | O::ConvTranspose
        | O::ConvMatrix
        | O::Dft
        | O::Idft
        | O::AsPoly
        | O::Flip
        | O::Shift => crate::eval::ops::call_discrete(ctx, func, args, span),
        O::Integrate | O::Sample | O::Riemann | O::Exact | O::IsPdf | O::IsCausal => {
            crate::eval::ops::call_continuous(ctx, func, args, span)
        }
        O::Linspace => linspace(ctx, args, span),
        O::Len => {
            let a = Args::check("len", args, span, 1, 1, &[])?;
            match ctx.eval(&a.positional[0].value)? {
                Value::Sequence(s) => Ok(Value::number(Number::int(s.len() as i64))),
                Value::Matrix(m) => Ok(Value::number(Number::int((m.rows * m.cols) as i64))),
                other => err(
                    a.positional[0].span,
                    format!("len needs a sequence, not {}", other.kind_name()),
                ),
            }
        }
        O::Sum => {
            let a = Args::check("sum", args, span, 1, 1, &[])?;
            let v = ctx.eval(&a.positional[0].value)?;
            let elems = match &v {
                Value::Sequence(s) => &s.elems,
                Value::Matrix(m) => &m.elems,
                other => {
                    return err_hint(
                        a.positional[0].span,
                        format!("sum needs a sequence or matrix, not {}", other.kind_name()),
                        "for a function use integrate(f)",
                    )
                }
            };
            Ok(sum_elems(elems))
        }
        O::Load | O::Save => crate::eval::ops::call_io(ctx, func, args, span),
    }
}

pub fn sum_elems(elems: &Elems) -> Value {
    match elems {
        Elems::Float(v) => Value::float(v.iter().sum()),
        Elems::Complex(v) => Value::Complex(v.iter().sum()),
        Elems::General(v) => {
            let mut acc = Scalar::zero();
            for x in v {
                acc = acc.add(x);
            }
            Value::Scalar(acc)
        }
    }
}

fn linspace(ctx: &mut Ctx, args: &[Arg], span: Span) -> EvalResult<Value> {
    let a = Args::check("linspace", args, span, 3, 3, &[])?;
    let lo = ctx.real(&a.positional[0].value, "the start")?;
    let hi = ctx.real(&a.positional[1].value, "the end")?;
    let n = ctx.integer(&a.positional[2].value, "the number of points")?;
    if n < 1 {
        return err_hint(
            a.positional[2].span,
            format!("linspace needs at least 1 point, not {n}"),
            "linspace(start, end, n) gives n evenly spaced points, e.g. linspace(0, 1, 5)",
        );
    }
    if n as usize > limits::MAX_POINTS {
        return err_hint(
            a.positional[2].span,
            format!(
                "{n} points is more than the limit of {}",
                limits::MAX_POINTS
            ),
            "use fewer points",
        );
    }
    if !lo.is_finite() || !hi.is_finite() {
        return err(span, "linspace needs finite ends");
    }
    let n = n as usize;
    // Exact when the ends are exact: the points are rationals.
    if lo.is_exact() && hi.is_exact() && n <= 100_000 {
        let step = if n == 1 {
            Number::zero()
        } else {
            hi.sub(&lo)
                .div(&Number::int(n as i64 - 1))
                .map_err(|e| arith(span, e))?
        };
        let values = (0..n)
            .map(|i| Scalar::Num(lo.add(&step.mul(&Number::int(i as i64)))))
            .collect();
        return Ok(Value::Sequence(Sequence::from_scalars(0, values)));
    }
    let (l, h) = (lo.to_f64(), hi.to_f64());
    let values = (0..n)
        .map(|i| {
            if n == 1 {
                l
            } else {
                l + (h - l) * i as f64 / (n - 1) as f64
            }
        })
        .collect();
    Ok(Value::Sequence(Sequence::from_f64(0, values)))
}

fn call_builtin(
    ctx: &mut Ctx,
    b: Builtin,
    lo: usize,
    hi: usize,
    func: &Ident,
    args: &[Arg],
    span: Span,
) -> EvalResult<Value> {
    let a = Args::check(&func.name, args, span, lo, hi, &[])?;
    if b.is_delta() {
        return err_hint(
            span,
            "delta has no value on its own",
            "use it in a function definition and convolve: `d(t) = delta(t - 1)` then `conv(f, d)` shifts f by 1",
        );
    }
    let vals = a
        .positional
        .iter()
        .map(|x| ctx.eval(&x.value))
        .collect::<EvalResult<Vec<Value>>>()?;
    // All numbers: the value.
    if let Some(nums) = vals
        .iter()
        .map(Value::as_number)
        .collect::<Option<Vec<Number>>>()
    {
        return exact_builtin(b, &nums)
            .map(Value::number)
            .map_err(|e| arith(span, e));
    }
    // One function among the arguments: compose.
    if vals.iter().any(|v| matches!(v, Value::Function(_))) {
        let mut var = "t".to_string();
        let mut fargs = Vec::new();
        for (v, x) in vals.iter().zip(&a.positional) {
            match v {
                Value::Function(f) => {
                    var = f.var.clone();
                    fargs.push(compile::apply_var(f));
                }
                other => match other.as_number() {
                    Some(n) => fargs.push(FExpr::Const(n)),
                    None => {
                        return err(
                            x.span,
                            format!("cannot mix {} with a function here", other.kind_name()),
                        )
                    }
                },
            }
        }
        return Ok(Value::Function(Rc::new(Function::expr(
            None,
            &var,
            FExpr::Call(b, fargs),
        ))));
    }
    // A sequence or matrix (first argument), the rest numbers: elementwise.
    let rest: Vec<Number> = vals[1..]
        .iter()
        .zip(&a.positional[1..])
        .map(|(v, x)| {
            v.as_number()
                .ok_or_else(|| Box::new(Diagnostic::error("expected a number", Some(x.span))))
        })
        .collect::<EvalResult<Vec<Number>>>()?;
    let apply = |s: &Scalar| -> Result<Scalar, crate::value::number::ArithError> {
        match s {
            Scalar::Num(n) => {
                let mut all = vec![n.clone()];
                all.extend(rest.iter().cloned());
                exact_builtin(b, &all).map(Scalar::Num)
            }
            Scalar::Sym(_) => Err(crate::value::number::ArithError::Domain(format!(
                "{} of a symbolic expression is not supported",
                b.name()
            ))),
        }
    };
    match vals.into_iter().next() {
        Some(Value::Sequence(s)) => map_elems_seq(s, apply).map_err(|e| arith(span, e)),
        Some(Value::Matrix(m)) => map_elems_mat(m, apply).map_err(|e| arith(span, e)),
        Some(other) => err(
            a.positional[0].span,
            format!(
                "{} needs a number, sequence or function, not {}",
                func.name,
                other.kind_name()
            ),
        ),
        None => err(span, "missing argument"),
    }
}

/// `f(x)` for a user function: a number, every point of a sequence, or a
/// composition with another function.
pub fn call_user(ctx: &mut Ctx, f: &Rc<Function>, args: &[Arg], span: Span) -> EvalResult<Value> {
    let name = f.display_name();
    let a = Args::check(&name, args, span, 1, 1, &[])?;
    let arg = &a.positional[0].value;
    let v = ctx.eval(arg)?;
    match v {
        Value::Function(g) => Ok(Value::Function(Rc::new(Function::expr(
            None,
            &g.var,
            FExpr::Apply(f.clone(), Box::new(compile::apply_var(&g))),
        )))),
        Value::Sequence(s) => {
            let xs = match s.elems.floats() {
                Some(x) => x.into_owned(),
                None => {
                    return err(
                        arg.span,
                        "a function can only be evaluated at numeric points",
                    )
                }
            };
            if xs.len() > limits::MAX_POINTS {
                return err_hint(
                    arg.span,
                    format!(
                        "{} points are more than the limit of {} for evaluating a function",
                        xs.len(),
                        limits::MAX_POINTS
                    ),
                    "evaluate fewer points, e.g. linspace(a, b, 1000)",
                );
            }
            let mut out = Vec::with_capacity(xs.len());
            for x in xs.iter() {
                ctx.interrupt.check(span)?;
                out.push(crate::eval::ops::eval_function_f64(f, *x));
            }
            Ok(Value::Sequence(Sequence::from_f64(s.start, out)))
        }
        other => match other.as_number() {
            Some(x) => crate::eval::ops::eval_function_at(ctx, f, &x, span),
            None => err(
                arg.span,
                format!(
                    "{name} takes a number, a sequence of points or a function, not {}",
                    other.kind_name()
                ),
            ),
        },
    }
}

/// Exact evaluation of a formula function where possible.
pub fn eval_formula_exact(f: &Function, x: &Number) -> Option<Number> {
    match &f.body {
        FnBody::Expr(e) => e.eval_exact(x).ok(),
        FnBody::Computed(_) => None,
    }
}

/// Most multiply-adds one floating-point matrix product may take (a few
/// seconds; the loop polls for Ctrl-C once per row).
pub const MAX_MATMUL_WORK: u128 = 4_000_000_000;

/// `A @ B` and `A @ x`: exact when both sides are, else in floating point.
pub fn matmul(
    ctx: &mut Ctx,
    a: Value,
    b: Value,
    sa: Span,
    sb: Span,
    span: Span,
) -> EvalResult<Value> {
    let (m, rhs_seq) = match (&a, &b) {
        (Value::Matrix(m), Value::Matrix(_)) => (m, None),
        (Value::Matrix(m), Value::Sequence(s)) => (m, Some(s)),
        (Value::Matrix(_), other) => {
            return err(
                sb,
                format!(
                    "the right side of @ must be a matrix or a sequence, not {}",
                    other.kind_name()
                ),
            )
        }
        (other, _) => {
            return err_hint(
                sa,
                format!(
                    "the left side of @ must be a matrix, not {}",
                    other.kind_name()
                ),
                "`@` is the matrix product; for a pointwise product of sequences use *",
            )
        }
    };
    let (k, n, rhs): (usize, usize, Vec<Scalar>) = match (rhs_seq, &b) {
        (Some(s), _) => (s.len(), 1, s.elems.scalars().into_owned()),
        (None, Value::Matrix(r)) => (r.rows, r.cols, r.elems.scalars().into_owned()),
        _ => unreachable!("checked above"),
    };
    if m.cols != k {
        return err_hint(
            span,
            format!(
                "sizes do not match: a {}×{} matrix times {} {}",
                m.rows,
                m.cols,
                if n == 1 && rhs_seq.is_some() {
                    "a sequence of length"
                } else {
                    "a matrix with rows ="
                },
                k
            ),
            "the left matrix needs as many columns as the right side has rows",
        );
    }
    let work = (m.rows as u128) * (m.cols as u128) * (n as u128);
    if work > MAX_MATMUL_WORK {
        return err_hint(
            span,
            format!("this matrix product needs {work} multiply-adds, more than the limit of {MAX_MATMUL_WORK}"),
            "use smaller matrices; for conv_matrix(b, n) @ a, conv(a, b) gives the same result with an FFT",
        );
    }
    let floats = match (m.elems.is_exact(), m.elems.floats()) {
        (false, Some(l)) => Elems::from_scalars(rhs.clone())
            .floats()
            .map(|r| (l, r.into_owned())),
        _ => None,
    };
    let elems = match floats {
        Some((l, r)) => {
            let mut out = vec![0.0; m.rows * n];
            for i in 0..m.rows {
                ctx.interrupt.check(span)?;
                for p in 0..k {
                    let lv = l[i * k + p];
                    if lv == 0.0 {
                        continue;
                    }
                    for j in 0..n {
                        out[i * n + j] += lv * r[p * n + j];
                    }
                }
            }
            Elems::Float(out)
        }
        None => {
            if work > crate::engine::discrete::MAX_DIRECT_WORK {
                return err_hint(
                    span,
                    format!(
                        "this product of exact matrices needs {work} multiply-adds, more than the limit of {} for exact and symbolic values",
                        crate::engine::discrete::MAX_DIRECT_WORK
                    ),
                    "multiply by 1.0 to compute in floating point: `(1.0*A) @ x`",
                );
            }
            let l = m.elems.scalars();
            let mut out = vec![Scalar::zero(); m.rows * n];
            for i in 0..m.rows {
                ctx.interrupt.check(span)?;
                for p in 0..k {
                    let lv = &l[i * k + p];
                    if lv.is_zero() {
                        continue;
                    }
                    for j in 0..n {
                        out[i * n + j].add_mul(lv, &rhs[p * n + j]);
                    }
                }
            }
            Elems::from_scalars(out)
        }
    };
    Ok(match rhs_seq {
        Some(_) => Value::Sequence(Sequence::new(0, elems)),
        None => Value::Matrix(Matrix::new(m.rows, n, elems)),
    })
}

/// Equality for `check` and `==`: exact values exactly, floats within `tol`
/// (relative to the magnitude; 0 means a default of 1e-9).
pub fn values_equal(a: &Value, b: &Value, tol: f64) -> Option<bool> {
    let tol = if tol > 0.0 { tol } else { 1e-9 };
    Some(match (a, b) {
        (Value::Sequence(x), Value::Sequence(y)) => {
            let start = x.start.min(y.start);
            let end = x.end().max(y.end());
            (start..end).all(|n| elem_eq(&x.elems, x.start, n, &y.elems, y.start, tol))
        }
        (Value::Matrix(x), Value::Matrix(y)) => {
            x.rows == y.rows
                && x.cols == y.cols
                && (0..x.rows * x.cols).all(|i| elem_eq(&x.elems, 0, i as i64, &y.elems, 0, tol))
        }
        (Value::Scalar(x), Value::Scalar(y)) => x.approx_eq(y, tol),
        (Value::Complex(_), _) | (_, Value::Complex(_)) => {
            let (x, y) = (as_c(a)?, as_c(b)?);
            (x - y).norm() <= tol * 1f64.max(x.norm()).max(y.norm())
        }
        (x, y) if x.as_number().is_some() && y.as_number().is_some() => {
            let (p, q) = (x.as_number()?, y.as_number()?);
            let slack = match (x, y) {
                (Value::Estimate(e), _) | (_, Value::Estimate(e)) => e.error,
                _ => 0.0,
            };
            (p.to_f64() - q.to_f64()).abs()
                <= slack + tol * 1f64.max(p.to_f64().abs()).max(q.to_f64().abs())
        }
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        _ => return None,
    })
}

fn as_c(v: &Value) -> Option<num_complex::Complex64> {
    match v {
        Value::Complex(z) => Some(*z),
        other => other
            .as_number()
            .map(|n| num_complex::Complex64::new(n.to_f64(), 0.0)),
    }
}

fn elem_eq(a: &Elems, sa: i64, n: i64, b: &Elems, sb: i64, tol: f64) -> bool {
    let get = |e: &Elems, s: i64| -> Option<num_complex::Complex64> {
        let i = n - s;
        if i < 0 || i as usize >= e.len() {
            Some(num_complex::Complex64::new(0.0, 0.0))
        } else {
            e.get_complex(i as usize)
        }
    };
    let sym = |e: &Elems, s: i64| -> Scalar {
        let i = n - s;
        if i < 0 || i as usize >= e.len() {
            Scalar::zero()
        } else {
            e.get(i as usize).unwrap_or_else(Scalar::zero)
        }
    };
    if a.is_symbolic() || b.is_symbolic() || (a.is_exact() && b.is_exact()) {
        return sym(a, sa).approx_eq(&sym(b, sb), tol);
    }
    match (get(a, sa), get(b, sb)) {
        (Some(x), Some(y)) => (x - y).norm() <= tol * 1f64.max(x.norm()).max(y.norm()),
        _ => false,
    }
}

/// The expression inside `exact(…)`, `steps …` etc. when it is a call of `name`.
pub fn as_call<'e>(e: &'e Expr, names: &[&str]) -> Option<(&'e Ident, &'e [Arg])> {
    match &e.kind {
        ExprKind::Call { func, args } if names.contains(&func.name.as_str()) => Some((func, args)),
        _ => None,
    }
}
