//! `steps exact(conv(f, g))`: for each result interval the pieces that
//! overlap, the limits in t, the integrand, its antiderivative and the piece
//! it gives.

use serde_json::{json, Value as Json};

use crate::engine::continuous::Op;
use crate::engine::exact::{self as ex, Bound, Contribution, PwExpPoly};
use crate::engine::exppoly::Style;
use crate::eval::calls::Args;
use crate::eval::exact::*;
use crate::eval::{err_hint, EvalResult};
use crate::render::doc::{Block, Doc};
use crate::render::value::json_f64;
use crate::session::Session;
use crate::syntax::ast::{Arg, Expr};
use crate::syntax::span::Span;
use crate::value::number::NumFmt;

/// `steps exact(conv(f, g))`: for each result interval, which pieces
/// overlap, the limits of integration in t, the integrand, the
/// antiderivative and the piece it gives.
pub fn steps_exact(
    session: &mut Session,
    args: &[Arg],
    at: Option<&Expr>,
    span: Span,
) -> EvalResult<Doc> {
    if let Some(at) = at {
        return err_hint(
            at.span,
            "steps exact(…) shows every interval of t at once",
            "leave out `at`; for one t use `steps conv(f, g) at 0.3`",
        );
    }
    let fmt = session.settings.num;
    let mut ctx = session.ctx();
    let a = Args::check("exact", args, span, 1, 1, &[])?;
    let (cf, var) = closed_form_arg(&mut ctx, a.positional[0])?;
    Ok(steps_doc(&cf, &var, &fmt))
}

fn steps_doc(cf: &ClosedForm, var: &str, fmt: &NumFmt) -> Doc {
    let (f, g) = (&cf.f_name, &cf.g_name);
    let tr = &cf.trace;
    let mut doc = Doc::new(Json::Null);
    doc.push(Block::Heading(format!(
        "exact({}): the case analysis",
        cf.title()
    )));
    doc.push(Block::Para(match cf.op {
        Op::Conv => format!("{}({var}) = ∫ {f}(τ)·{g}({var} − τ) dτ; on each interval of {var} the same pieces overlap, between limits that move with {var}", cf.title()),
        Op::Corr => format!("{}({var}) = ∫ {f}(τ)·{g}(τ − {var}) dτ (correlation: {g} is shifted, not flipped); on each interval of {var} the same pieces overlap", cf.title()),
    }));
    doc.push(Block::Para(format!("the pieces of {f}:")));
    doc.push(Block::Math(cf.f.text_lines("τ", fmt)));
    doc.push(Block::Para(format!("the pieces of {g}:")));
    doc.push(Block::Math(cf.g.text_lines("τ", fmt)));
    let shifted = match cf.op {
        Op::Conv => format!("{var} − τ"),
        Op::Corr => format!("τ − {var}"),
    };
    let mut intervals_json = Vec::new();
    for step in &tr.intervals {
        let range = format!(
            "{} < {var} < {}",
            bound_text(&step.from, fmt),
            bound_text(&step.to, fmt)
        );
        let mut lines = Vec::new();
        let mut contribs = Vec::new();
        for c in &step.contributions {
            match c {
                Contribution::Integral {
                    pair,
                    lower,
                    upper,
                    value,
                } => {
                    let p = &tr.pairs[*pair];
                    let lo = lower.render(var, Style::Text, fmt);
                    let hi = upper.render(var, Style::Text, fmt);
                    let integrand = p.integrand().render(["τ", var], Style::Text, fmt);
                    let anti = p.antiderivative().render(["τ", var], Style::Text, fmt);
                    let val = value.text(var, fmt);
                    let fi =
                        cf.f.pieces
                            .get(p.f_piece)
                            .map_or(String::new(), |q| paren(&q.f.text("τ", fmt)));
                    let gj = cf.g.pieces.get(p.g_piece).map_or(String::new(), |q| {
                        paren(&q.f.text(&format!("({shifted})"), fmt))
                    });
                    lines.push(format!(
                        "piece {} of {f} × piece {} of {g}: ∫ from τ = {lo} to {hi} of {fi}·{gj} dτ = ∫ {integrand} dτ",
                        p.f_piece + 1,
                        p.g_piece + 1
                    ));
                    lines.push(format!(
                        "    antiderivative {anti}, evaluated from {lo} to {hi} = {val}"
                    ));
                    contribs.push(json!({
                        "kind": "integral",
                        "f_piece": p.f_piece + 1,
                        "g_piece": p.g_piece + 1,
                        "lower": lower.render(var, Style::Cas, fmt),
                        "upper": upper.render(var, Style::Cas, fmt),
                        "integrand": p.integrand().render(["tau", var], Style::Cas, fmt),
                        "antiderivative": p.antiderivative().render(["tau", var], Style::Cas, fmt),
                        "value": value.render([var], Style::Cas, fmt),
                    }));
                }
                Contribution::Shift {
                    delta_in,
                    shift,
                    weight,
                    piece,
                    value,
                    ..
                } => {
                    let (dname, other) = match delta_in {
                        ex::Side::F => (f, g),
                        ex::Side::G => (g, f),
                    };
                    lines.push(format!(
                        "a delta of {dname} (weight {}) picks piece {} of {other}, shifted by {}: {}",
                        weight.format(fmt),
                        piece + 1,
                        shift.format(fmt),
                        value.text(var, fmt)
                    ));
                    contribs.push(json!({
                        "kind": "delta",
                        "piece": piece + 1,
                        "shift": shift.to_f64(),
                        "weight": weight.to_f64(),
                        "value": value.render([var], Style::Cas, fmt),
                    }));
                }
            }
        }
        if lines.is_empty() {
            lines.push("no piece overlaps: 0".into());
        } else {
            lines.push(format!(
                "sum: {}({var}) = {}",
                cf.title(),
                step.result.text(var, fmt)
            ));
        }
        doc.push(Block::Para(format!("for {range}:")));
        doc.push(Block::Math(lines));
        intervals_json.push(json!({
            "from": bound_json(&step.from),
            "to": bound_json(&step.to),
            "contributions": contribs,
            "result": step.result.render([var], Style::Cas, fmt),
        }));
    }
    for d in &tr.delta_products {
        doc.push(Block::Para(format!(
            "delta {} of {f} with delta {} of {g}: a delta of weight {} at {var} = {}",
            d.f_delta + 1,
            d.g_delta + 1,
            d.weight.format(fmt),
            d.at.format(fmt)
        )));
    }
    doc.push(Block::Para("the result:".into()));
    let name = cf.op.name();
    let lead = format!("{name}({f}, {g})({var}) = ");
    let pad = " ".repeat(lead.chars().count());
    let lines: Vec<String> = cf
        .result
        .text_lines(var, fmt)
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{lead}{l}")
            } else {
                format!("{pad}{l}")
            }
        })
        .collect();
    doc.push(Block::Formula {
        lines,
        latex: format!(
            "\\operatorname{{{name}}}({f}, {g})({var}) = {}",
            cf.result.latex(var, fmt)
        ),
    });
    doc.push(Block::Note(cf.continuity_line(var, fmt)));
    doc.json = json!({
        "type": "steps",
        "op": "exact",
        "of": cf.title(),
        "intervals": intervals_json,
        "f": input_json(f, &cf.f, var, fmt),
        "g": input_json(g, &cf.g, var, fmt),
        "pieces": cf.result.piece_rows(var, fmt).iter().map(|r| r.to_json()).collect::<Vec<_>>(),
        "deltas": cf.result.deltas.iter().map(|d| d.to_json()).collect::<Vec<_>>(),
        "junctions": tr.junctions.iter().map(|j| json!({"at": json_f64(j.at.to_f64()), "continuous": j.is_continuous()})).collect::<Vec<_>>(),
    });
    doc
}

fn bound_json(b: &Bound) -> Json {
    match b {
        Bound::Finite(x) => json_f64(x.to_f64()),
        _ => Json::Null,
    }
}

/// An input as the steps saw it: `{"name": "f", "pieces": [...], "deltas": [...]}`,
/// so the `f_piece`/`g_piece` numbers of the contributions can be looked up.
fn input_json(name: &str, p: &PwExpPoly, var: &str, fmt: &NumFmt) -> Json {
    json!({
        "name": name,
        "pieces": p.piece_rows(var, fmt).iter().map(|r| r.to_json()).collect::<Vec<_>>(),
        "deltas": p.deltas.iter().map(|d| d.to_json()).collect::<Vec<_>>(),
    })
}

/// A factor in a product: sums in parentheses.
fn paren(s: &str) -> String {
    if wrapped(s) {
        return s.to_string();
    }
    // Only a sum at the top level needs them: `exp(-(t − τ))` does not.
    let inner = s.trim_start_matches(['−', '-']);
    let mut depth = 0i32;
    let mut top_level_sum = false;
    let chars: Vec<char> = inner.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            '+' | '−' | '-' if depth == 0 && i > 0 && chars[i - 1] == ' ' => top_level_sum = true,
            _ => {}
        }
    }
    if top_level_sum {
        format!("({s})")
    } else {
        s.to_string()
    }
}

/// `(…)` whose opening parenthesis closes at the very end.
fn wrapped(s: &str) -> bool {
    if !(s.starts_with('(') && s.ends_with(')')) {
        return false;
    }
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 && i + 1 < s.len() {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}
