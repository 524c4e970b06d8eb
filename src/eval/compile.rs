//! Function and sequence definitions: AST bodies → [`FExpr`].
//!
//! Inside a body, the parameter is the variable; a defined scalar is
//! captured as a constant (its value at definition time); a defined
//! function is referenced, so definitions compose; `pi`, `e`, `inf` are the
//! constants.

use std::rc::Rc;

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::eval::CheckInterrupt;
use crate::eval::{err, err_hint, limits, Ctx, EvalResult};
use crate::syntax::ast::{BinOp, Expr, ExprKind, Ident, LogicOp, UnOp};
use crate::syntax::span::Span;
use crate::value::array::BinaryOp;
use crate::value::function::{Builtin, Cond, FExpr, FnBody, Function};
use crate::value::number::Number;
use crate::value::{Scalar, Sequence, Value};

/// `f` applied to the variable, for building new functions out of old ones.
/// Anonymous formula functions are inlined.
pub fn apply_var(f: &Rc<Function>) -> FExpr {
    match (&f.name, &f.body) {
        (None, FnBody::Expr(e)) => e.clone(),
        _ => FExpr::Apply(f.clone(), Box::new(FExpr::Var)),
    }
}

/// The function `a ∘ b` for entrywise arithmetic.
pub fn combine(op: BinaryOp, a: FExpr, b: FExpr, var: &str) -> Function {
    let (a, b) = (Box::new(a), Box::new(b));
    let body = match op {
        BinaryOp::Add => FExpr::Add(a, b),
        BinaryOp::Sub => FExpr::Sub(a, b),
        BinaryOp::Mul => FExpr::Mul(a, b),
        BinaryOp::Div => FExpr::Div(a, b),
    };
    Function::expr(None, var, body)
}

/// Compile `name(param) = body`.
pub fn define_function(
    ctx: &mut Ctx,
    name: &Ident,
    params: &[Ident],
    body: &Expr,
) -> EvalResult<Function> {
    if params.len() != 1 {
        let span = params
            .first()
            .zip(params.last())
            .map(|(a, b)| a.span.to(b.span))
            .unwrap_or(name.span);
        return err_hint(
            span,
            format!("a function takes one variable; `{}` has {}", name.name, params.len()),
            "write `f(t) = …`; use defined scalars for parameters (`s = 0.5` then `k(t) = exp(-t/s)`)",
        );
    }
    let var = &params[0];
    if calls_itself(body, &name.name) {
        return err_hint(
            name.span,
            format!("'{}' refers to itself", name.name),
            "recursive definitions are not supported; define a new name",
        );
    }
    let compiled = compile(ctx, body, &var.name, Some(&name.name))?;
    let f = Function::expr(Some(name.name.clone()), &var.name, compiled);
    for (i, j, lo, hi) in f.overlapping_pieces() {
        let mut d = Diagnostic::warning(
            format!(
                "pieces {} and {} overlap on ({}, {}); the first one wins there",
                i + 1,
                j + 1,
                fmt_f(lo),
                fmt_f(hi)
            ),
            Some(body.span),
        );
        d = d.with_hint("pieces are tried in order; make the conditions disjoint to silence this");
        ctx.warnings.push(d);
    }
    Ok(f)
}

fn fmt_f(x: f64) -> String {
    crate::value::number::format_float(x, 10)
}

fn calls_itself(e: &Expr, name: &str) -> bool {
    let mut found = false;
    visit(e, &mut |x| {
        if let ExprKind::Call { func, .. } = &x.kind {
            if func.name == name {
                found = true;
            }
        }
    });
    found
}

fn visit(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Unary { operand, .. } => visit(operand, f),
        ExprKind::Binary { lhs, rhs, .. } | ExprKind::Logic { lhs, rhs, .. } => {
            visit(lhs, f);
            visit(rhs, f);
        }
        ExprKind::Compare { first, rest } => {
            visit(first, f);
            for (_, r) in rest {
                visit(r, f);
            }
        }
        ExprKind::Call { args, .. } => {
            for a in args {
                visit(&a.value, f);
            }
        }
        ExprKind::Index { target, indices } => {
            visit(target, f);
            for i in indices {
                visit(i, f);
            }
        }
        ExprKind::Seq { items, from } => {
            for i in items {
                visit(i, f);
            }
            if let Some(x) = from {
                visit(x, f);
            }
        }
        ExprKind::Matrix { rows } => {
            for r in rows {
                for i in r {
                    visit(i, f);
                }
            }
        }
        ExprKind::Piecewise { pieces } => {
            for p in pieces {
                visit(&p.value, f);
                if let Some(c) = &p.cond {
                    visit(c, f);
                }
            }
        }
        ExprKind::Range { lo, hi } => {
            visit(lo, f);
            visit(hi, f);
        }
        ExprKind::Tuple(items) => {
            for i in items {
                visit(i, f);
            }
        }
        ExprKind::Number(_) | ExprKind::Str(_) | ExprKind::Ident(_) => {}
    }
}

/// Compile a body expression in the variable `var`.
pub fn compile(ctx: &mut Ctx, e: &Expr, var: &str, defining: Option<&str>) -> EvalResult<FExpr> {
    ctx.interrupt.check(e.span)?;
    Ok(match &e.kind {
        ExprKind::Number(n) => FExpr::Const(ctx.exactness(n.clone())),
        ExprKind::Ident(name) if name == var => FExpr::Var,
        ExprKind::Ident(name) => match ctx.env.value(name) {
            Some(Value::Scalar(Scalar::Num(n))) => FExpr::Const(n.clone()),
            Some(Value::Estimate(est)) => FExpr::Const(Number::Float(est.value)),
            Some(Value::Scalar(Scalar::Sym(_))) => {
                return err_hint(
                    e.span,
                    format!("'{name}' is a symbolic expression; a function needs numbers"),
                    "symbols live in [ ] literals; give it a numeric value first",
                )
            }
            Some(Value::Function(_)) => {
                return err_hint(
                    e.span,
                    format!("'{name}' is a function; call it with an argument"),
                    format!("e.g. `{name}({var})` or `{name}({var} - 1)`"),
                )
            }
            Some(other) => {
                return err_hint(
                    e.span,
                    format!(
                        "'{name}' is {}, which cannot appear in a function of {var}",
                        other.kind_name()
                    ),
                    "a function body may use numbers, defined scalars and other functions",
                )
            }
            None => match crate::eval::constant_value(name) {
                Some(c) => FExpr::Const(c),
                None => {
                    let mut names = ctx.known_names();
                    names.push(var.to_string());
                    let mut d = Diagnostic::error(format!("unknown name '{name}'"), Some(e.span));
                    d = match did_you_mean(name, names.iter().map(String::as_str)) {
                        Some(s) => d.with_label(format!("did you mean '{s}'?")),
                        None => d.with_label(format!("not the variable '{var}' and not defined")).with_hint(
                            format!("the function's variable is '{var}'; other names must be defined before the function"),
                        ),
                    };
                    return Err(Box::new(d));
                }
            },
        },
        ExprKind::Unary {
            op: UnOp::Neg,
            operand,
        } => FExpr::Neg(Box::new(compile(ctx, operand, var, defining)?)),
        ExprKind::Binary { op, lhs, rhs } => {
            let a = Box::new(compile(ctx, lhs, var, defining)?);
            let b = Box::new(compile(ctx, rhs, var, defining)?);
            match op {
                BinOp::Add => FExpr::Add(a, b),
                BinOp::Sub => FExpr::Sub(a, b),
                BinOp::Mul => FExpr::Mul(a, b),
                BinOp::Div => FExpr::Div(a, b),
                BinOp::Pow => FExpr::Pow(a, b),
                BinOp::MatMul => {
                    return err_hint(
                        e.span,
                        "@ is the matrix product; a function uses *",
                        "write `f(t) * g(t)`",
                    )
                }
            }
        }
        ExprKind::Call { func, args } => compile_call(ctx, func, args, var, defining, e.span)?,
        ExprKind::Piecewise { pieces } => {
            if pieces.is_empty() {
                return err_hint(
                    e.span,
                    "an empty { } block has no pieces",
                    "write `{ VALUE if CONDITION }`",
                );
            }
            let mut compiled = Vec::new();
            let mut otherwise = None;
            for piece in pieces {
                let value = compile(ctx, &piece.value, var, defining)?;
                match &piece.cond {
                    Some(c) => {
                        if otherwise.is_some() {
                            return err_hint(
                                piece.span,
                                "this piece comes after `otherwise` and can never be used",
                                "put the `otherwise` piece last",
                            );
                        }
                        compiled.push((compile_cond(ctx, c, var, defining)?, value));
                    }
                    None => {
                        if otherwise.is_some() {
                            return err(piece.span, "only one piece can be `otherwise`");
                        }
                        otherwise = Some(value);
                    }
                }
            }
            FExpr::Piecewise(
                compiled,
                Box::new(otherwise.unwrap_or(FExpr::Const(Number::zero()))),
            )
        }
        ExprKind::Compare { .. }
        | ExprKind::Logic { .. }
        | ExprKind::Unary { op: UnOp::Not, .. } => {
            return err_hint(
                e.span,
                "a condition is not a value",
                "use it in a piece: `{ 1 if 0 <= t < 1 }`",
            )
        }
        ExprKind::Seq { .. } | ExprKind::Matrix { .. } => {
            return err_hint(
                e.span,
                "a function of a real variable cannot contain a sequence or matrix",
                "define the sequence separately, e.g. `x = [1, 2, 3]`",
            )
        }
        ExprKind::Index { .. } => {
            return err_hint(
                e.span,
                "indexing a sequence inside a function body is not supported",
                "define a sequence by formula with `y[n] = …` instead",
            )
        }
        ExprKind::Str(_) | ExprKind::Range { .. } | ExprKind::Tuple(_) => {
            return err(e.span, "this cannot appear in a function body")
        }
    })
}

fn compile_cond(ctx: &mut Ctx, e: &Expr, var: &str, defining: Option<&str>) -> EvalResult<Cond> {
    Ok(match &e.kind {
        ExprKind::Compare { first, rest } => {
            let first = Box::new(compile(ctx, first, var, defining)?);
            let mut r = Vec::new();
            for (op, x) in rest {
                r.push((*op, compile(ctx, x, var, defining)?));
            }
            Cond::Cmp(first, r)
        }
        ExprKind::Logic { op, lhs, rhs } => {
            let a = Box::new(compile_cond(ctx, lhs, var, defining)?);
            let b = Box::new(compile_cond(ctx, rhs, var, defining)?);
            match op {
                LogicOp::And => Cond::And(a, b),
                LogicOp::Or => Cond::Or(a, b),
            }
        }
        ExprKind::Unary {
            op: UnOp::Not,
            operand,
        } => Cond::Not(Box::new(compile_cond(ctx, operand, var, defining)?)),
        _ => {
            return err_hint(
                e.span,
                "a piece condition must be a comparison",
                format!("e.g. `0 <= {var} < 1`, `{var} >= 0 and {var} < 2`"),
            )
        }
    })
}

fn compile_call(
    ctx: &mut Ctx,
    func: &Ident,
    args: &[crate::syntax::ast::Arg],
    var: &str,
    defining: Option<&str>,
    span: Span,
) -> EvalResult<FExpr> {
    if let Some(a) = args.iter().find(|a| a.name.is_some()) {
        return err(
            a.span,
            format!("'{}' takes no named arguments here", func.name),
        );
    }
    let mut compiled = Vec::with_capacity(args.len());
    for a in args {
        compiled.push(compile(ctx, &a.value, var, defining)?);
    }
    if let Some(Value::Function(f)) = ctx.env.value(&func.name) {
        if compiled.len() != 1 {
            return err(
                span,
                format!("{} takes one argument, not {}", func.name, compiled.len()),
            );
        }
        let arg = compiled.pop().unwrap_or(FExpr::Var);
        return Ok(FExpr::Apply(f.clone(), Box::new(arg)));
    }
    if ctx.env.value(&func.name).is_some() {
        return err(func.span, format!("'{}' is not a function", func.name));
    }
    match Builtin::lookup(&func.name) {
        Some((b, lo, hi)) => {
            if compiled.len() < lo || compiled.len() > hi {
                let want = match (lo, hi) {
                    (1, 1) => "1 argument".to_string(),
                    (lo, hi) if lo == hi => format!("{lo} arguments"),
                    (lo, hi) => format!("{lo} to {hi} arguments"),
                };
                return err_hint(
                    span,
                    format!("{} takes {want}, not {}", func.name, compiled.len()),
                    format!("`help {}` shows how to call it", func.name),
                );
            }
            if let Some(p) = b.parameter() {
                if compiled[1].mentions_var() {
                    return err(
                        args[1].span,
                        format!("{}(t, {p}): {p} must be a constant", b.name()),
                    );
                }
            }
            Ok(FExpr::Call(b, compiled))
        }
        None => {
            if crate::registry::is_function_name(&func.name) {
                return err_hint(
                    func.span,
                    format!(
                        "'{}' works on whole values and cannot be used inside a function body",
                        func.name
                    ),
                    format!(
                        "compute it outside, e.g. `h = {}(…)`, then use h({var})",
                        func.name
                    ),
                );
            }
            let names: Vec<&str> = crate::value::function::BUILTINS
                .iter()
                .map(|b| b.0)
                .chain(ctx.env.names())
                .collect();
            let mut d =
                Diagnostic::error(format!("unknown function '{}'", func.name), Some(func.span));
            d = match did_you_mean(&func.name, names) {
                Some(s) => d.with_label(format!("did you mean '{s}'?")),
                None => d
                    .with_label("not defined")
                    .with_hint("`help functions` lists the built-ins"),
            };
            Err(Box::new(d))
        }
    }
}

/// `y[n] = { … }`: evaluate the formula exactly at every integer of its
/// (finite) support.
pub fn define_sequence(
    ctx: &mut Ctx,
    name: &Ident,
    index: &Ident,
    body: &Expr,
) -> EvalResult<Sequence> {
    let compiled = compile(ctx, body, &index.name, Some(&name.name))?;
    let f = Function::expr(Some(name.name.clone()), &index.name, compiled.clone());
    let (lo, hi) = f.support();
    if !lo.is_finite() || !hi.is_finite() {
        return err_hint(
            body.span,
            format!("{}[{}] is not zero outside a finite range", name.name, index.name),
            format!(
                "a sequence must have finitely many samples: add a condition, e.g. `{}[{}] = {{ … if 0 <= {} <= 20 }}`",
                name.name, index.name, index.name
            ),
        );
    }
    let (first, last) = (lo.ceil() as i64, hi.floor() as i64);
    let count = (i128::from(last) - i128::from(first) + 1).clamp(0, i128::from(u64::MAX)) as u64;
    if count as usize > limits::MAX_FORMULA_LEN || count > limits::MAX_FORMULA_LEN as u64 {
        return err_hint(
            body.span,
            format!(
                "{} samples (n = {first}…{last}) is more than the limit of {} for a sequence by formula",
                count,
                limits::MAX_FORMULA_LEN
            ),
            "narrow the condition's range",
        );
    }
    if count > 0 {
        limits::check_indices(i128::from(first), count as usize, body.span)?;
    }
    let mut values = Vec::with_capacity(count as usize);
    for n in first..=last {
        if n % 4096 == 0 {
            ctx.interrupt.check(body.span)?;
        }
        let v = compiled
            .eval_exact(&Number::int(n))
            .map_err(|e| crate::eval::arith(body.span, e))?;
        let v = ctx.exactness(v);
        values.push(Scalar::Num(v));
    }
    // Trim zeros at the ends (a strict inequality leaves one there).
    let leading = values
        .iter()
        .take(values.len().saturating_sub(1))
        .take_while(|v| crate::value::ring::Ring::is_zero(*v))
        .count();
    values.drain(..leading);
    let max = crate::engine::discrete::MAX_INDEX;
    let start = (first + leading as i64).clamp(-max, max);
    while values.len() > 1 && values.last().is_some_and(crate::value::ring::Ring::is_zero) {
        values.pop();
    }
    if values.is_empty() {
        values.push(<Scalar as crate::value::ring::Ring>::zero());
    }
    Ok(Sequence::from_scalars(start, values))
}
