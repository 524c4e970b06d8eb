//! `steps …`: the worked computation as tables.

use serde_json::json;

use crate::engine::continuous::{self as cont, Op, Piece, Prepared};
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

    let pieces_table = |p: &Prepared, arg: &dyn Fn(&Piece) -> (String, String, String)| -> Table {
        let mut table = Table::new(&["τ from", "τ to", "expression"]).right_align(&[0, 1]);
        for piece in &p.pieces {
            let (lo, hi, e) = arg(piece);
            table.push(vec![lo, hi, e]);
        }
        table
    };
    let mut json_sections = serde_json::Map::new();

    // 1. The flipped kernel (conv only).
    if c.op == Op::Conv {
        doc.push(Block::Heading(format!("1. flip: {moving_name}(−τ)")));
        let t1 = pieces_table(&c.moving, &|p: &Piece| {
            (
                end_text(-p.hi, &p.hi_x.as_ref().map(Number::neg), fmt),
                end_text(-p.lo, &p.lo_x.as_ref().map(Number::neg), fmt),
                simplified(p, &Number::zero(), -1, "−τ", fmt),
            )
        });
        json_sections.insert("flipped".into(), table_json(&t1));
        doc.push(Block::Table(t1));
    }
    // 2. The shifted kernel with its breakpoints.
    let step = if c.op == Op::Conv { 2 } else { 1 };
    doc.push(Block::Heading(format!(
        "{step}. shift: {moving_name}({shifted_arg})"
    )));
    let sigma = c.op.sigma();
    let t2 = pieces_table(&c.moving, &|p: &Piece| {
        let (lo, hi) = cont::moving_interval(p.lo, p.hi, t.to_f64(), sigma);
        let (lo_x, hi_x) = match c.op {
            Op::Conv => (
                p.hi_x.as_ref().map(|d| t.sub(d)),
                p.lo_x.as_ref().map(|cc| t.sub(cc)),
            ),
            Op::Corr => (
                p.lo_x.as_ref().map(|cc| cc.sub(t)),
                p.hi_x.as_ref().map(|d| d.sub(t)),
            ),
        };
        (
            end_text(lo, &lo_x, fmt),
            end_text(hi, &hi_x, fmt),
            simplified(p, t, sigma as i64, &shifted_arg, fmt),
        )
    });
    let mut bps: Vec<String> = Vec::new();
    for row in &t2.rows {
        for cell in &row[..2] {
            if !cell.contains('∞') && !bps.contains(cell) {
                bps.push(cell.clone());
            }
        }
    }
    bps.sort_by(|a, b| num_of(a).total_cmp(&num_of(b)));
    json_sections.insert("shifted".into(), table_json(&t2));
    doc.push(Block::Table(t2));
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
        step + 1
    )));
    let t3 = pieces_table(&c.fixed, &|p: &Piece| {
        (
            end_text(p.lo, &p.lo_x, fmt),
            end_text(p.hi, &p.hi_x, fmt),
            piece_text(p, "τ", fmt),
        )
    });
    doc.push(Block::Table(t3));

    // 4. Overlaps, integrands and integrals.
    let overlaps = cont::overlaps_at(&c.fixed, &c.moving, c.op, t, interrupt).map_err(|e| {
        Box::new(crate::diagnostic::Diagnostic::error(
            e.to_string(),
            Some(at_span),
        ))
    })?;
    doc.push(Block::Heading(format!(
        "{}. multiply and integrate where {fixed_name}(τ)·{moving_name}({shifted_arg}) ≠ 0",
        step + 2
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
    let mut total = 0.0;
    let mut total_err = 0.0;
    let mut exact_total = Some(Number::zero());
    for o in &overlaps {
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
        intervals.push(json!({
            "from": json_f64(o.lo),
            "to": json_f64(o.hi),
            "integrand": integrand,
            "simplified": if o.poly.is_some() { json!(simple) } else { serde_json::Value::Null },
            "value": json_f64(o.value),
            "error": json_f64(o.error),
        }));
        total += o.value;
        total_err += o.error;
        exact_total = match (exact_total, &o.exact) {
            (Some(a), Some(b)) => Some(a.add(b)),
            _ => None,
        };
    }
    // Point masses.
    let mut mass_lines = Vec::new();
    for (a, w) in &c.fixed.deltas {
        let u = t.add(&Number::Float(sigma).mul(a));
        let v = w.to_f64() * c.moving.f.eval(u.to_f64());
        mass_lines.push(format!(
            "{fixed_name} has a point mass {} at τ = {}: it picks {moving_name}({}) = {}",
            num_text(w, fmt),
            num_text(a, fmt),
            format_float(u.to_f64(), fmt.precision),
            format_float(v, fmt.precision)
        ));
        total += v;
        exact_total = None;
    }
    for (cpos, w) in &c.moving.deltas {
        let tau = match c.op {
            Op::Conv => t.sub(cpos),
            Op::Corr => cpos.sub(t),
        };
        let v = w.to_f64() * c.fixed.f.eval(tau.to_f64());
        mass_lines.push(format!(
            "{moving_name} has a point mass {} at {}: it picks {fixed_name}({}) = {}",
            num_text(w, fmt),
            num_text(cpos, fmt),
            format_float(tau.to_f64(), fmt.precision),
            format_float(v, fmt.precision)
        ));
        total += v;
        exact_total = None;
    }
    if overlaps.is_empty() && mass_lines.is_empty() {
        doc.push(Block::Para(format!(
            "the factors do not overlap at t = {tt}: the integrand is 0 everywhere, so the value is exactly 0"
        )));
    } else if !overlaps.is_empty() {
        doc.push(Block::Table(t4));
    }
    for l in &mass_lines {
        doc.push(Block::Para(l.clone()));
    }
    let total_text = match &exact_total {
        Some(x) => num_text(x, fmt),
        None => format_float(total, fmt.precision),
    };
    let sum_text = if overlaps.len() > 1 {
        let parts: Vec<String> = overlaps
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
    if exact_total.is_none() {
        doc.push(Block::Note(format!(
            "error estimate of the total: {}",
            error_text(total_err)
        )));
    }
    let mut obj = json!({
        "type": "steps",
        "op": c.op.name(),
        "t": json_f64(t.to_f64()),
        "intervals": intervals,
        "value": json_f64(total),
        "error": json_f64(if exact_total.is_some() { 0.0 } else { total_err }),
    });
    if let Some(x) = &exact_total {
        if let Some(e) = x.exact_text() {
            obj["exact"] = json!(e);
        }
    }
    if let serde_json::Value::Object(m) = &mut obj {
        for (k, v) in json_sections {
            m.insert(k, v);
        }
        m.insert("masses".into(), json!(mass_lines));
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

fn error_text(e: f64) -> String {
    if e == 0.0 {
        "0 (exact)".into()
    } else {
        format!("≤ {}", format_float(e, 2))
    }
}

fn table_json(t: &Table) -> serde_json::Value {
    json!({"columns": t.header, "rows": t.rows})
}

/// The value of a displayed number (`−0.7`, `1/3`), for sorting.
fn num_of(text: &str) -> f64 {
    let t = text.replace('−', "-");
    match t.split_once('/') {
        Some((n, d)) => {
            n.trim().parse::<f64>().unwrap_or(f64::NAN)
                / d.trim().parse::<f64>().unwrap_or(f64::NAN)
        }
        None => t.trim().parse().unwrap_or(f64::NAN),
    }
}
