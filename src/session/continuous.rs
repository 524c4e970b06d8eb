//! `converge conv(f, g) at t`: Riemann sums with shrinking h against the
//! integral, with the error ratio and the observed order.

use serde_json::json;

use crate::eval::continuous::*;
use crate::eval::CheckInterrupt;
use crate::eval::{err, err_hint, EvalResult};
use crate::render::doc::{Block, Doc, Table};
use crate::session::Session;
use crate::syntax::ast::{Arg, Expr};
use crate::syntax::span::Span;
use crate::value::number::format_float;

/// `converge conv(f, g) at t`.
pub fn converge(
    session: &mut Session,
    target: &Expr,
    at: &Expr,
    options: &[Arg],
    span: Span,
) -> EvalResult<Doc> {
    if let Some(o) = options.first() {
        return err(o.span, "converge takes no options");
    }
    let fmt = session.settings.num;
    let mut ctx = session.ctx();
    let v = ctx.eval(target)?;
    let Some(c) = as_conv(&v) else {
        return err_hint(
            target.span,
            format!(
                "converge needs a convolution of two functions, not {}",
                v.kind_name()
            ),
            "e.g. converge conv(f, g) at 1",
        );
    };
    let t = ctx.real(at, "the point t")?.to_f64();
    let reference = c.value(t, &|| ctx.interrupt.is_set()).map_err(|e| {
        Box::new(crate::diagnostic::Diagnostic::error(
            e.to_string(),
            Some(span),
        ))
    })?;
    let ref_kind = if c.exact.is_some() || reference.exact.is_some() {
        "exact"
    } else {
        "integral"
    };
    let mut t_rows = Table::new(&["h", "Riemann sum", ref_kind, "error", "ratio", "order"])
        .right_align(&[0, 1, 2, 3, 4, 5]);
    let mut rows = Vec::new();
    let mut prev_err: Option<f64> = None;
    for k in 1..=8 {
        ctx.interrupt.check(span)?;
        let h = 0.5f64.powi(k);
        let Some(r) = riemann_at(c, h, t) else {
            return err_hint(
                span,
                format!(
                    "the Riemann sum at t = {} has infinitely many terms: {} and {} overlap on an unbounded range",
                    format_float(t, fmt.precision),
                    c.f.display_name(),
                    c.g.display_name()
                ),
                format!(
                    "cut one of them off with a piece condition, e.g. `fb(t) = {{ {}(t) if -6 <= t <= 6 }}`, then converge conv(fb, …) at t",
                    c.f.display_name()
                ),
            );
        };
        let e = r - reference.value;
        let (ratio, order) = match prev_err {
            Some(p) if e.abs() > 1e-14 && p.abs() > 1e-14 => {
                let ratio = p.abs() / e.abs();
                (Some(ratio), Some(ratio.log2()))
            }
            _ => (None, None),
        };
        prev_err = Some(e);
        let opt =
            |x: Option<f64>, d: usize| x.map(|v| format_float(v, d)).unwrap_or_else(|| "–".into());
        t_rows.push(vec![
            format!("1/{}", 1u32 << k),
            format_float(r, fmt.precision),
            format_float(reference.value, fmt.precision),
            format_float(e, 3),
            opt(ratio, 3),
            opt(order, 3),
        ]);
        rows.push(json!([h, r, reference.value, e, ratio, order]));
    }
    let title = format!(
        "Riemann sums h·Σ f(mh)·g(t − mh) → {} at t = {}",
        c.title(),
        format_float(t, fmt.precision)
    );
    let mut doc = Doc::new(json!({
        "type": "table",
        "title": title,
        "columns": ["h", "riemann", ref_kind, "error", "ratio", "order"],
        "rows": rows,
    }));
    doc.push(Block::Heading(title));
    doc.push(Block::Table(t_rows));
    doc.push(Block::Note(
        "ratio = previous error / this error; order = log2(ratio): 1 means the error halves with h, 2 that it quarters"
            .into(),
    ));
    Ok(doc)
}
