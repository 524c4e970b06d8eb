//! `steps …`: the worked computation as tables.

use serde_json::json;

use crate::engine::continuous::{self as cont, Op, Piece};
use crate::eval::continuous::as_conv;
use crate::eval::{err, err_hint, EvalResult};
use crate::render::doc::{Block, Doc, Table};
use crate::render::value::json_f64;
use crate::session::Session;
use crate::syntax::ast::{Arg, BinOp, Expr, ExprKind};
use crate::syntax::span::Span;
use crate::value::function::Style;
use crate::value::number::{format_float, NumFmt, Number};
use crate::value::Value;

/// Dispatch on what the target is.
pub fn steps(
    session: &mut Session,
    target: &Expr,
    at: Option<&Expr>,
    options: &[Arg],
    span: Span,
) -> EvalResult<Doc> {
    // Forms recognised from the syntax first.
    if let ExprKind::Binary {
        op: BinOp::MatMul,
        lhs,
        rhs,
    } = &target.kind
    {
        return crate::session::discrete::steps_matvec(session, lhs, rhs, span);
    }
    if let ExprKind::Binary {
        op: BinOp::Mul,
        lhs,
        rhs,
    } = &target.kind
    {
        if is_call(lhs, "as_poly") && is_call(rhs, "as_poly") {
            return crate::session::discrete::steps_poly(session, lhs, rhs, span);
        }
    }
    if let ExprKind::Call { func, args } = &target.kind {
        match func.name.as_str() {
            "exact" => return crate::session::exact::steps_exact(session, args, at, span),
            "cconv" => return crate::session::discrete::steps_cconv(session, args, span),
            "riemann" => {
                return crate::session::discrete::steps_riemann(session, args, at, options, span)
            }
            "conv" | "corr" => {
                let mut ctx = session.ctx();
                let first = args
                    .iter()
                    .find(|a| a.name.is_none())
                    .map(|a| ctx.eval(&a.value))
                    .transpose()?;
                match first {
                    Some(Value::Function(_)) => {}
                    Some(Value::Sequence(_)) | Some(Value::Matrix(_)) => {
                        return crate::session::discrete::steps_conv(
                            session, func, args, at, options, span,
                        )
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let mut ctx = session.ctx();
    let v = ctx.eval(target)?;
    if as_conv(&v).is_some() {
        let Some(at) = at else {
            return err_hint(
                span,
                "steps of a continuous convolution are shown at one point",
                "add the point: `steps conv(f, g) at 0.3`",
            );
        };
        if let Some(o) = options.first() {
            return err(o.span, "this steps table takes no options");
        }
        let t = ctx.real(at, "the point t")?;
        let c = as_conv(&v).expect("checked above");
        return continuous_steps(
            c,
            &t,
            &session.settings.num,
            &|| session.interrupt.is_set(),
            at.span,
        );
    }
    err_hint(
        target.span,
        format!("steps shows convolutions; this is {}", v.kind_name()),
        "e.g. `steps conv(a, b)`, `steps conv(f, g) at 0.3`, `steps conv_matrix(b, 4) @ a`",
    )
}

fn is_call(e: &Expr, name: &str) -> bool {
    matches!(&e.kind, ExprKind::Call { func, .. } if func.name == name)
}

fn num_text(n: &Number, fmt: &NumFmt) -> String {
    n.format(fmt).replace('-', "−")
}

fn end_text(x: f64, exact: &Option<Number>, fmt: &NumFmt) -> String {
    if x == f64::INFINITY {
        "∞".into()
    } else if x == f64::NEG_INFINITY {
        "−∞".into()
    } else {
        match exact {
            Some(n) => num_text(n, fmt),
            None => format_float(x, fmt.precision).replace('-', "−"),
        }
    }
}

/// The text of a piece's expression with its variable replaced by `arg`.
fn piece_text(p: &Piece, arg: &str, fmt: &NumFmt) -> String {
    p.expr.render(arg, Style::Text, fmt)
}

/// Put parentheses around a factor that is a sum.
fn factor(s: &str) -> String {
    let top_level_sum = {
        let mut depth = 0i32;
        let mut found = false;
        for (i, ch) in s.char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                '+' | '−' | '-' if depth == 0 && i > 0 => found = true,
                _ => {}
            }
        }
        found
    };
    if top_level_sum {
        format!("({s})")
    } else {
        s.to_string()
    }
}

/// `steps conv(f, g) at t`: flip, shift, overlap intervals, each piece's
/// integral and error, the total.
pub fn continuous_steps(
    c: &crate::eval::continuous::ConvFn,
    t: &Number,
    fmt: &NumFmt,
    interrupt: &dyn Fn() -> bool,
    at_span: Span,
) -> EvalResult<Doc> {
    let tt = num_text(t, fmt);
    let (f, g) = (c.f.display_name(), c.g.display_name());
    let sigma_text = |x: &str| match c.op {
        Op::Conv => format!("{x} − τ"),
        Op::Corr => format!("{x} + τ"),
    };
    let shifted_arg = sigma_text(&tt);
    let (fixed_name, moving_name) = match c.op {
        Op::Conv => (f.clone(), g.clone()),
        Op::Corr => (g.clone(), f.clone()),
    };
    let integral_text = match c.op {
        Op::Conv => format!("{}({tt}) = ∫ {f}(τ)·{g}({shifted_arg}) dτ", c.title()),
        Op::Corr => format!("{}({tt}) = ∫ {f}({shifted_arg})·{g}(τ) dτ", c.title()),
    };
    let mut doc = Doc::new(serde_json::Value::Null);
    doc.push(Block::Math(vec![integral_text.clone()]));
    if c.op == Op::Corr {
        let tv = t.to_f64();
        let direction = if tv > 0.0 {
            format!("{tt} to the left")
        } else if tv < 0.0 {
            format!("{} to the right", tt.trim_start_matches(['−', '-']))
        } else {
            "zero (t = 0)".to_string()
        };
        doc.push(Block::Note(format!(
            "correlation does not flip: {moving_name} is only shifted, by {direction}"
        )));
    }

    let step = cont::step_at(&c.fixed, &c.moving, c.op, t, interrupt).map_err(|e| {
        Box::new(crate::diagnostic::Diagnostic::error(
            e.to_string(),
            Some(at_span),
        ))
    })?;
    let pieces_table = |rows: Vec<(String, String, String)>| -> Table {
        let mut table = Table::new(&["τ from", "τ to", "expression"]).right_align(&[0, 1]);
        for (lo, hi, e) in rows {
            table.push(vec![lo, hi, e]);
        }
        table
    };
    let end_json =
        |x: f64, exact: &Option<Number>| match exact.as_ref().and_then(Number::exact_text) {
            Some(e) => json!({"value": json_f64(x), "exact": e}),
            None => json!({"value": json_f64(x)}),
        };

    // 1. The flipped kernel (conv only).
    let mut flipped_json = Vec::new();
    if c.op == Op::Conv {
        doc.push(Block::Heading(format!("1. flip: {moving_name}(−τ)")));
        let mut rows = Vec::new();
        for p in &c.moving.pieces {
            let (lo_x, hi_x) = (
                p.hi_x.as_ref().map(Number::neg),
                p.lo_x.as_ref().map(Number::neg),
            );
            let expr = simplified(p, &Number::zero(), -1, "−τ", fmt);
            flipped_json.push(json!({
                "from": end_json(-p.hi, &lo_x),
                "to": end_json(-p.lo, &hi_x),
                "expression": expr,
            }));
            rows.push((
                end_text(-p.hi, &lo_x, fmt),
                end_text(-p.lo, &hi_x, fmt),
                expr,
            ));
        }
        doc.push(Block::Table(pieces_table(rows)));
    }
    // 2. The shifted kernel with its breakpoints.
    let step_no = if c.op == Op::Conv { 2 } else { 1 };
    doc.push(Block::Heading(format!(
        "{step_no}. shift: {moving_name}({shifted_arg})"
    )));
    let sigma = c.op.sigma();
    let mut shifted_json = Vec::new();
    let mut rows = Vec::new();
    for sp in &step.shifted {
        let p = &c.moving.pieces[sp.piece];
        let expr = simplified(p, t, sigma as i64, &shifted_arg, fmt);
        shifted_json.push(json!({
            "from": end_json(sp.lo, &sp.lo_x),
            "to": end_json(sp.hi, &sp.hi_x),
            "expression": expr,
        }));
        rows.push((
            end_text(sp.lo, &sp.lo_x, fmt),
            end_text(sp.hi, &sp.hi_x, fmt),
            expr,
        ));
    }
    doc.push(Block::Table(pieces_table(rows)));
    let bps: Vec<String> = step
        .breakpoints()
        .iter()
        .map(|(x, xx)| end_text(*x, xx, fmt))
        .collect();
    doc.push(Block::Para(format!(
        "breakpoints of {moving_name}({shifted_arg}): τ = {}",
        if bps.is_empty() {
            "none".into()
        } else {
            bps.join(", ")
        }
    )));
    // 3. The fixed factor.
    doc.push(Block::Heading(format!(
        "{}. the other factor: {fixed_name}(τ)",
        step_no + 1
    )));
    let rows = c
        .fixed
        .pieces
        .iter()
        .map(|p| {
            (
                end_text(p.lo, &p.lo_x, fmt),
                end_text(p.hi, &p.hi_x, fmt),
                piece_text(p, "τ", fmt),
            )
        })
        .collect();
    doc.push(Block::Table(pieces_table(rows)));

    // 4. Overlaps, integrands and integrals.
    doc.push(Block::Heading(format!(
        "{}. multiply and integrate where {fixed_name}(τ)·{moving_name}({shifted_arg}) ≠ 0",
        step_no + 2
    )));
    let mut t4 = Table::new(&[
        "τ from",
        "τ to",
        "integrand",
        "simplified",
        "integral",
        "error",
    ])
    .right_align(&[0, 1, 4, 5]);
    let mut intervals = Vec::new();
    for o in &step.overlaps {
        let fp = &c.fixed.pieces[o.fixed_piece];
        let mp = &c.moving.pieces[o.moving_piece];
        let integrand = format!(
            "{}·{}",
            factor(&piece_text(fp, "τ", fmt)),
            factor(&piece_text(mp, &shifted_arg, fmt))
        );
        let simple = o
            .poly
            .as_ref()
            .map(|p| p.render("τ", fmt, false))
            .unwrap_or_else(|| "–".into());
        let value_text = match &o.exact {
            Some(x) => num_text(x, fmt),
            None => format_float(o.value, fmt.precision),
        };
        let (from, to) = (end_text(o.lo, &o.lo_x, fmt), end_text(o.hi, &o.hi_x, fmt));
        t4.push(vec![
            from,
            to,
            integrand.clone(),
            simple.clone(),
            value_text,
            error_text(o.error),
        ]);
        let mut interval = json!({
            "from": json_f64(o.lo),
            "to": json_f64(o.hi),
            "integrand": integrand,
            "simplified": if o.poly.is_some() { json!(simple) } else { serde_json::Value::Null },
            "value": json_f64(o.value),
            "error": json_f64(o.error),
        });
        if let Some(e) = o.exact.as_ref().and_then(Number::exact_text) {
            interval["exact"] = json!(e);
        }
        intervals.push(interval);
    }
    // Point masses.
    let mut mass_lines = Vec::new();
    let mut masses_json = Vec::new();
    for m in &step.masses {
        // A mass of the fixed factor sits at a τ; one of the moving factor
        // at a value of its own argument.
        let (owner, other, at) = if m.in_fixed {
            (
                &fixed_name,
                &moving_name,
                format!("τ = {}", num_text(&m.at, fmt)),
            )
        } else {
            (&moving_name, &fixed_name, num_text(&m.at, fmt))
        };
        let line = format!(
            "{owner} has a point mass {} at {at}: it picks {}{other}({}) = {}",
            num_text(&m.weight, fmt),
            weight_factor(&m.weight, fmt),
            format_float(m.arg, fmt.precision),
            format_float(m.value, fmt.precision)
        );
        masses_json.push(json!({
            "in": owner,
            "at": json_f64(m.at.to_f64()),
            "weight": json_f64(m.weight.to_f64()),
            "reads": json_f64(m.arg),
            "value": json_f64(m.value),
            "text": line,
        }));
        mass_lines.push(line);
    }
    if step.overlaps.is_empty() && mass_lines.is_empty() {
        doc.push(Block::Para(format!(
            "the factors do not overlap at t = {tt}: the integrand is 0 everywhere, so the value is exactly 0"
        )));
    } else if !step.overlaps.is_empty() {
        doc.push(Block::Table(t4));
    }
    for l in &mass_lines {
        doc.push(Block::Para(l.clone()));
    }
    let total_text = match &step.exact {
        Some(x) => num_text(x, fmt),
        None => format_float(step.value, fmt.precision),
    };
    let sum_text = if step.overlaps.len() > 1 {
        let parts: Vec<String> = step
            .overlaps
            .iter()
            .map(|o| {
                o.exact
                    .as_ref()
                    .map(|x| num_text(x, fmt))
                    .unwrap_or_else(|| format_float(o.value, fmt.precision))
            })
            .collect();
        format!(" = {}", parts.join(" + "))
    } else {
        String::new()
    };
    doc.push(Block::Math(vec![format!(
        "{}({tt}){sum_text} = {total_text}",
        c.title()
    )]));
    if step.exact.is_none() {
        doc.push(Block::Note(format!(
            "error estimate of the total: {}",
            error_text(step.error)
        )));
    }
    let mut obj = json!({
        "type": "steps",
        "op": c.op.name(),
        "t": json_f64(t.to_f64()),
        "intervals": intervals,
        "value": json_f64(step.value),
        "error": json_f64(step.error),
        "shifted": shifted_json,
        "masses": masses_json,
    });
    if c.op == Op::Conv {
        obj["flipped"] = json!(flipped_json);
    }
    if let Some(e) = step.exact.as_ref().and_then(Number::exact_text) {
        obj["exact"] = json!(e);
    }
    doc.json = obj;
    Ok(doc)
}

/// A piece of the moving factor at argument `shift + sign·τ`, simplified to a
/// polynomial in τ when it is one.
fn simplified(p: &Piece, shift: &Number, sign: i64, arg_text: &str, fmt: &NumFmt) -> String {
    let raw = piece_text(p, arg_text, fmt);
    if let Some(poly) = &p.poly {
        if let Some(q) = poly.compose_affine(shift, &Number::int(sign)) {
            let s = q.render("τ", fmt, false);
            if s != raw {
                return format!("{raw} = {s}");
            }
        }
    }
    raw
}

/// `2·` before the factor a point mass of weight 2 reads (nothing for 1).
fn weight_factor(w: &Number, fmt: &NumFmt) -> String {
    if w.is_one() {
        String::new()
    } else {
        format!("{}·", factor(&num_text(w, fmt)))
    }
}

fn error_text(e: f64) -> String {
    if e == 0.0 {
        "0 (exact)".into()
    } else {
        format!("≤ {}", format_float(e, 2))
    }
}
