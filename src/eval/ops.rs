//! The convolution operations: argument handling and dispatch to the engines.

use std::rc::Rc;

use crate::eval::calls::Args;
use crate::eval::{arith, err, err_hint, Ctx, EvalResult};
use crate::syntax::ast::{Arg, Ident};
use crate::syntax::span::Span;
use crate::value::function::{FExpr, FnBody, Function};
use crate::value::number::Number;
use crate::value::poly::Poly;
use crate::value::{Elems, Matrix, Scalar, Sequence, Value};

/// f(x) in floating point.
pub fn eval_function_f64(f: &Function, x: f64) -> f64 {
    f.eval(x)
}

/// f(x) for a number x: exact for formula functions where the arithmetic
/// allows; computed functions give an estimate with its error.
pub fn eval_function_at(
    ctx: &mut Ctx,
    f: &Rc<Function>,
    x: &Number,
    span: Span,
) -> EvalResult<Value> {
    let _ = &ctx;
    match &f.body {
        FnBody::Expr(e) => {
            if e.contains_delta() {
                return err_hint(
                    span,
                    format!(
                        "{} contains a delta, which has no value at a point",
                        f.display_name()
                    ),
                    "a delta is meaningful inside conv(…)",
                );
            }
            match e.eval_exact(x) {
                Ok(v) => Ok(Value::number(ctx.exactness(v))),
                Err(_) => {
                    let v = e.eval(x.to_f64());
                    if v.is_nan() {
                        err_hint(
                            span,
                            format!("{}({}) is not a real number", f.display_name(), x),
                            "the definition leaves a built-in's domain here (sqrt or ln of a \
                             negative number, 0/0, …); `show` it and check the piece for this t",
                        )
                    } else {
                        Ok(Value::float(v))
                    }
                }
            }
        }
        // A closed form is evaluated at the exact point: h(1/3) stays exact.
        FnBody::Computed(_) if crate::eval::exact::closed_form_of(f).is_some() => {
            let cf = crate::eval::exact::closed_form_of(f).expect("checked");
            match cf.eval_exact_or_f64_at(x) {
                Some(v) => Ok(v),
                None => err(
                    span,
                    format!(
                        "{} has a Dirac delta at t = {x}: no value there",
                        cf.title()
                    ),
                ),
            }
        }
        FnBody::Computed(c) => match crate::eval::continuous::value_at(c.as_ref(), x.to_f64()) {
            Ok(v) => Ok(v),
            Err(msg) => err(span, msg),
        },
    }
}

/// flip(x): x[−n], g(−t), both axes of a matrix.
pub fn flip(v: Value, span: Span) -> EvalResult<Value> {
    Ok(match v {
        Value::Sequence(s) => {
            let start = -(s.start + s.len() as i64 - 1);
            Value::Sequence(Sequence::new(start, reversed(&s.elems)))
        }
        Value::Matrix(m) => Value::Matrix(Matrix::new(m.rows, m.cols, reversed(&m.elems))),
        Value::Function(f) => Value::Function(Rc::new(Function::expr(
            None,
            &f.var,
            FExpr::Apply(f.clone(), Box::new(FExpr::Neg(Box::new(FExpr::Var)))),
        ))),
        other => {
            return err(
                span,
                format!(
                    "flip needs a sequence, matrix or function, not {}",
                    other.kind_name()
                ),
            )
        }
    })
}

fn reversed(e: &Elems) -> Elems {
    match e {
        Elems::Float(v) => Elems::Float(v.iter().rev().copied().collect()),
        Elems::Complex(v) => Elems::Complex(v.iter().rev().copied().collect()),
        Elems::General(v) => Elems::General(v.iter().rev().cloned().collect()),
    }
}

/// shift(x, k): x[n − k]; shift(g, a): g(t − a).
pub fn shift(v: Value, k: &Value, span: Span, kspan: Span) -> EvalResult<Value> {
    match v {
        Value::Sequence(s) => {
            let k = crate::eval::value_integer(k, kspan, "a sequence shift").map_err(|d| {
                crate::eval::whole_number_hint(
                    d,
                    "a sequence moves by whole samples; to shift by a fraction, shift a function and sample it: sample(shift(g, 0.5), 0.25)",
                )
            })?;
            let start = i128::from(s.start) + i128::from(k);
            let start = crate::eval::limits::check_indices(start, s.len(), kspan)?;
            Ok(Value::Sequence(Sequence::new(start, s.elems)))
        }
        Value::Function(f) => {
            let Some(a) = k.as_number() else {
                return err(kspan, "the shift must be a number");
            };
            Ok(Value::Function(Rc::new(Function::expr(
                None,
                &f.var,
                FExpr::Apply(
                    f.clone(),
                    Box::new(FExpr::Sub(Box::new(FExpr::Var), Box::new(FExpr::Const(a)))),
                ),
            ))))
        }
        other => err(
            span,
            format!(
                "shift needs a sequence or a function, not {}",
                other.kind_name()
            ),
        ),
    }
}

/// as_poly(x): `Σ x[n]·x^n` as a symbolic polynomial in the letter x.
pub fn as_poly(v: Value, span: Span) -> EvalResult<Value> {
    let Value::Sequence(s) = v else {
        return err(
            span,
            format!("as_poly needs a sequence, not {}", v.kind_name()),
        );
    };
    if s.start < 0 {
        return err_hint(
            span,
            format!(
                "the sequence starts at n = {}; a polynomial has no negative powers",
                s.start
            ),
            format!("shift it first: as_poly(shift(x, {}))", -s.start),
        );
    }
    if s.elems.is_complex() {
        return err(span, "as_poly needs real or symbolic entries");
    }
    if s.end() > 64 {
        return err_hint(
            span,
            "as_poly supports degrees up to 63",
            "use conv for long sequences",
        );
    }
    let mut p = Poly::zero();
    let x = Poly::symbol("x");
    let mut power = Poly::constant(Number::one());
    for _ in 0..s.start {
        power = power.mul(&x);
    }
    for c in s.elems.scalars().iter() {
        let coeff = match c {
            Scalar::Num(n) => Poly::constant(n.clone()),
            Scalar::Sym(q) => q.clone(),
        };
        p = p.add(&coeff.mul(&power));
        power = power.mul(&x);
    }
    Ok(Value::Scalar(match p.as_constant() {
        Some(c) => Scalar::Num(c),
        None => Scalar::Sym(p),
    }))
}

/// conv, corr and the other discrete/matrix operations.
pub fn call_discrete(ctx: &mut Ctx, func: &Ident, args: &[Arg], span: Span) -> EvalResult<Value> {
    match func.name.as_str() {
        "flip" => {
            let a = Args::check("flip", args, span, 1, 1, &[])?;
            let v = ctx.eval(&a.positional[0].value)?;
            flip(v, a.positional[0].span)
        }
        "shift" => {
            let a = Args::check("shift", args, span, 2, 2, &[])?;
            let v = ctx.eval(&a.positional[0].value)?;
            let k = ctx.eval(&a.positional[1].value)?;
            shift(v, &k, a.positional[0].span, a.positional[1].span)
        }
        "as_poly" => {
            let a = Args::check("as_poly", args, span, 1, 1, &[])?;
            let v = ctx.eval(&a.positional[0].value)?;
            as_poly(v, a.positional[0].span)
        }
        _ => crate::eval::discrete::call(ctx, func, args, span),
    }
}

/// integrate, sample, riemann, exact, is_pdf, is_causal.
pub fn call_continuous(ctx: &mut Ctx, func: &Ident, args: &[Arg], span: Span) -> EvalResult<Value> {
    crate::eval::continuous::call(ctx, func, args, span)
}

/// load and save.
pub fn call_io(ctx: &mut Ctx, func: &Ident, args: &[Arg], span: Span) -> EvalResult<Value> {
    match func.name.as_str() {
        "load" => {
            let a = Args::check("load", args, span, 1, 1, &[])?;
            let path = match ctx.eval(&a.positional[0].value)? {
                Value::Str(s) => s,
                other => {
                    return err_hint(
                        a.positional[0].span,
                        format!(
                            "load needs a file name in quotes, not {}",
                            other.kind_name()
                        ),
                        "e.g. load(\"x.csv\")",
                    )
                }
            };
            load(&path, a.positional[0].span, ctx)
        }
        _ => {
            let a = Args::check("save", args, span, 2, 2, &[])?;
            let v = ctx.eval(&a.positional[0].value)?;
            let path = match ctx.eval(&a.positional[1].value)? {
                Value::Str(s) => s,
                other => {
                    return err_hint(
                        a.positional[1].span,
                        format!(
                            "save needs a file name in quotes, not {}",
                            other.kind_name()
                        ),
                        "e.g. save(v, \"y.csv\")",
                    )
                }
            };
            let text = match &v {
                Value::Sequence(s) => {
                    let mut out = String::new();
                    for (i, x) in s.elems.scalars().iter().enumerate() {
                        if s.start != 0 && i == 0 {
                            out.push_str(&format!("# from {}\n", s.start));
                        }
                        out.push_str(&x.format_cas(&ctx.fmt));
                        out.push('\n');
                    }
                    out
                }
                Value::Matrix(m) => {
                    let mut out = String::new();
                    for r in 0..m.rows {
                        let row: Vec<String> = m
                            .row_scalars(r)
                            .iter()
                            .map(|x| x.format_cas(&ctx.fmt))
                            .collect();
                        out.push_str(&row.join(","));
                        out.push('\n');
                    }
                    out
                }
                other => {
                    return err(
                        a.positional[0].span,
                        format!(
                            "save writes sequences and matrices, not {}",
                            other.kind_name()
                        ),
                    )
                }
            };
            ctx.files.write(&path, text.as_bytes()).map_err(|e| {
                Box::new(
                    crate::diagnostic::Diagnostic::error(e.message, Some(a.positional[1].span))
                        .with_hint(crate::files::WRITE_HINT),
                )
            })?;
            Ok(Value::Str(format!("wrote {path}")))
        }
    }
}

/// The largest file `load` reads (1 GiB): a bound, so that a path such as
/// `/dev/zero` or a mistaken huge file is refused before it is read.
pub const MAX_LOAD_BYTES: u64 = 1 << 30;

fn load(path: &str, span: Span, ctx: &Ctx) -> EvalResult<Value> {
    let bytes = ctx.files.read(path, MAX_LOAD_BYTES).map_err(|e| {
        Box::new(
            crate::diagnostic::Diagnostic::error(e.message, Some(span))
                .with_hint("the path is relative to the directory convolab was started in"),
        )
    })?;
    let text = String::from_utf8_lossy(&bytes);
    let mut start = 0i64;
    let mut rows: Vec<Vec<Scalar>> = Vec::new();
    for (lineno, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix('#') {
            if let Some(n) = rest.trim().strip_prefix("from ") {
                start = n.trim().parse().unwrap_or(0);
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        let mut row = Vec::new();
        for field in line
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|f| !f.is_empty())
        {
            let field = field.trim();
            let (neg, body) = match field.strip_prefix('-') {
                Some(b) => (true, b),
                None => (false, field.strip_prefix('+').unwrap_or(field)),
            };
            let n = Number::parse_literal(body)
                .or_else(|| body.parse::<f64>().ok().map(Number::Float))
                .ok_or_else(|| {
                    Box::new(crate::diagnostic::Diagnostic::error(
                        format!("'{path}' line {}: '{field}' is not a number", lineno + 1),
                        Some(span),
                    ))
                })?;
            row.push(Scalar::Num(ctx.exactness(if neg { n.neg() } else { n })));
        }
        rows.push(row);
        crate::eval::limits::check_len(rows.len().saturating_mul(rows[0].len()), span)?;
    }
    if rows.is_empty() {
        return err(span, format!("'{path}' has no numbers"));
    }
    let cols = rows[0].len();
    if rows.len() == 1 || cols == 1 {
        let values: Vec<Scalar> = rows.into_iter().flatten().collect();
        return Ok(Value::Sequence(Sequence::from_scalars(start, values)));
    }
    if let Some((i, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != cols) {
        return err(
            span,
            format!(
                "'{path}': row {} has {} values but row 1 has {cols}",
                i + 1,
                r.len()
            ),
        );
    }
    let n = rows.len();
    Ok(Value::Matrix(Matrix::new(
        n,
        cols,
        Elems::from_scalars(rows.into_iter().flatten().collect()),
    )))
}

/// Turn an arithmetic error into a diagnostic (re-exported for engines' adapters).
pub fn arith_at(
    span: Span,
    e: crate::value::number::ArithError,
) -> Box<crate::diagnostic::Diagnostic> {
    arith(span, e)
}
