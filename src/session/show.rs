//! `show NAME` and the one-line summaries of `vars`.

use serde_json::json;

use crate::eval::Binding;
use crate::render::doc::{Block, Doc, Format};
use crate::render::value::value_doc;
use crate::value::function::{FnBody, Function};
use crate::value::number::NumFmt;
use crate::value::{Scalar, Value};

/// One line describing a value (for `vars`).
pub fn summary(v: &Value, fmt: &NumFmt) -> String {
    match v {
        Value::Sequence(s) => {
            let (text, _) = crate::render::value::sequence_text(s, fmt);
            if text.chars().count() > 60 {
                format!("{} samples, n = {}…{}", s.len(), s.start, s.end() - 1)
            } else {
                text
            }
        }
        Value::Matrix(m) => format!("{}×{} matrix", m.rows, m.cols),
        Value::Function(f) => match &f.body {
            FnBody::Expr(e) => {
                let s = e.render(&f.var, crate::value::function::Style::Text, fmt);
                let s = if s.chars().count() > 60 {
                    format!("{}…", s.chars().take(60).collect::<String>())
                } else {
                    s
                };
                format!("{}({}) = {s}", f.display_name(), f.var)
            }
            FnBody::Computed(c) => c.describe(),
        },
        other => value_doc(other, fmt).render(Format::Text),
    }
}

/// `show NAME`: the definition, the value, and for functions their
/// breakpoints and support.
pub fn show(name: &str, b: &Binding, fmt: &NumFmt) -> Doc {
    let mut doc = value_doc(&b.value, fmt);
    let mut extra = serde_json::Map::new();
    if let Some(src) = &b.source {
        doc.blocks
            .insert(0, Block::Para(format!("defined as: {}", src.trim())));
        extra.insert("definition".into(), json!(src.trim()));
    }
    match &b.value {
        Value::Function(f) => {
            let (bp, support) = structure_lines(f, fmt);
            doc.push(Block::Para(bp.clone()));
            doc.push(Block::Para(support.clone()));
            extra.insert("breakpoints".into(), json!(bp));
            extra.insert("support".into(), json!(support));
        }
        Value::Sequence(s) => {
            let line = format!("{} samples, n = {}…{}", s.len(), s.start, s.end() - 1);
            doc.push(Block::Para(line));
        }
        Value::Matrix(m) => doc.push(Block::Para(format!("{}×{} matrix", m.rows, m.cols))),
        Value::Scalar(Scalar::Num(n)) => {
            let kind = if n.is_exact() {
                "exact rational"
            } else {
                "floating point"
            };
            doc.push(Block::Para(format!("{name} is {kind}")));
        }
        _ => {}
    }
    if let serde_json::Value::Object(obj) = &mut doc.json {
        obj.insert("name".into(), json!(name));
        for (k, v) in extra {
            obj.insert(k, v);
        }
    }
    doc
}

/// "breakpoints: 0, 1, 2" and "support: [0, 2]".
pub fn structure_lines(f: &Function, fmt: &NumFmt) -> (String, String) {
    if matches!(&f.body, crate::value::function::FnBody::Expr(e) if e.contains_delta()) {
        if let Some(lines) = delta_structure_lines(f, fmt) {
            return lines;
        }
    }
    let s = f.structure();
    let mut bp: Vec<String> = s.breaks.iter().map(|b| b.format(fmt)).collect();
    if !s.integer_families.is_empty() {
        bp.push("every integer crossing of floor/ceil".into());
    }
    let bp_line = if bp.is_empty() {
        "breakpoints: none (smooth everywhere)".to_string()
    } else {
        format!("breakpoints: {}", bp.join(", "))
    };
    let bp_line = if s.irregular {
        format!("{bp_line} (incomplete: a jump or kink has a non-linear argument)")
    } else {
        bp_line
    };
    let (lo, hi) = f.support();
    let end = |x: f64| -> String {
        if x == f64::INFINITY {
            "∞".into()
        } else if x == f64::NEG_INFINITY {
            "−∞".into()
        } else {
            s.breaks
                .iter()
                .find(|b| b.to_f64() == x)
                .map(|b| b.format(fmt))
                .unwrap_or_else(|| crate::value::number::format_float(x, fmt.precision))
        }
    };
    let support = if lo == 0.0 && hi == 0.0 && f.eval(0.0) == 0.0 {
        "support: empty (the function is zero)".to_string()
    } else {
        let open_lo = if lo.is_finite() { "[" } else { "(" };
        let close_hi = if hi.is_finite() { "]" } else { ")" };
        format!("support: {open_lo}{}, {}{close_hi}", end(lo), end(hi))
    };
    (bp_line, support)
}

/// Breakpoints and support of a function with Dirac deltas: the deltas'
/// positions count as breakpoints and belong to the support.
fn delta_structure_lines(f: &Function, fmt: &NumFmt) -> Option<(String, String)> {
    let rc = std::rc::Rc::new(f.clone());
    let p = crate::engine::continuous::prepare(&rc).ok()?;
    let mut points: Vec<(f64, String)> = Vec::new();
    let mut push = |x: f64, text: String| {
        if x.is_finite() && !points.iter().any(|(y, _)| *y == x) {
            points.push((x, text));
        }
    };
    for piece in &p.pieces {
        push(
            piece.lo,
            piece.lo_x.as_ref().map_or_else(
                || crate::value::number::format_float(piece.lo, fmt.precision),
                |n| n.format(fmt),
            ),
        );
        push(
            piece.hi,
            piece.hi_x.as_ref().map_or_else(
                || crate::value::number::format_float(piece.hi, fmt.precision),
                |n| n.format(fmt),
            ),
        );
    }
    let deltas: Vec<String> = p
        .deltas
        .iter()
        .map(|(a, w)| format!("{}·δ at {}", w.format(fmt), a.format(fmt)))
        .collect();
    for (a, _) in &p.deltas {
        push(a.to_f64(), a.format(fmt));
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let bp = format!(
        "breakpoints: {}; point masses: {}",
        points
            .iter()
            .map(|(_, t)| t.clone())
            .collect::<Vec<_>>()
            .join(", "),
        deltas.join(", ")
    );
    let lo = p
        .pieces
        .iter()
        .map(|q| q.lo)
        .chain(p.deltas.iter().map(|(a, _)| a.to_f64()))
        .fold(f64::INFINITY, f64::min);
    let hi = p
        .pieces
        .iter()
        .map(|q| q.hi)
        .chain(p.deltas.iter().map(|(a, _)| a.to_f64()))
        .fold(f64::NEG_INFINITY, f64::max);
    let text = |x: f64| {
        if x == f64::INFINITY {
            "∞".to_string()
        } else if x == f64::NEG_INFINITY {
            "−∞".to_string()
        } else {
            points.iter().find(|(y, _)| *y == x).map_or_else(
                || crate::value::number::format_float(x, fmt.precision),
                |(_, t)| t.clone(),
            )
        }
    };
    let support = if lo > hi {
        "support: empty (the function is zero)".to_string()
    } else {
        format!(
            "support: {}{}, {}{}",
            if lo.is_finite() { "[" } else { "(" },
            text(lo),
            text(hi),
            if hi.is_finite() { "]" } else { ")" }
        )
    };
    Some((bp, support))
}
