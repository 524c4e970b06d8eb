//! Values as [`Doc`]s: the text a student reads and the JSON a program reads.
//!
//! # JSON
//! `--format json` prints one object per displayed value, one per line,
//! tagged by `"type"`. A float that is not finite is the string `"inf"`,
//! `"-inf"` or `"NaN"`.
//! * `number`: `value`, plus `exact` (`"13/8"`) when rational, or `error`
//!   for an estimate (an integral).
//! * `sequence`: `start`, `values` (symbolic entries as strings), plus
//!   `exact` texts when a value such as `1/3` has no exact decimal.
//! * `matrix`: `shape`, `rows`.
//! * `function`: `name`, `var`, `exact`, `pieces` of `{from, to,
//!   closed_from, closed_to, expr}`: an unbounded end is `null`, the
//!   function is zero outside its pieces, and `expr` uses `^`, `*`, `exp()`,
//!   `sin()`, `cos()` and the function's own variable, so a CAS reads it back.
//!
//! Commands build their own objects (`steps`, `check`, `table`, `shape`, …).

use serde_json::{json, Value as Json};

use crate::render::doc::{Block, Doc, Table};
use crate::value::function::{open_intervals, sample_point, FnBody, Function, Style};
use crate::value::number::{NumFmt, Number};
use crate::value::{Elems, Estimate, Matrix, Scalar, Sequence, Value};

/// Entries of a sequence shown in text before shortening.
const SHOW_VALUES: usize = 60;

/// A number for JSON: a JSON number when finite, else a string.
pub fn json_f64(x: f64) -> Json {
    if x.is_finite() {
        // Integers print without a fraction.
        if x.fract() == 0.0 && x.abs() < 1e15 {
            json!(x as i64)
        } else {
            json!(x)
        }
    } else if x.is_nan() {
        json!("NaN")
    } else if x > 0.0 {
        json!("inf")
    } else {
        json!("-inf")
    }
}

/// A scalar as JSON: a number, or the expression as text.
pub fn json_scalar(s: &Scalar, fmt: &NumFmt) -> Json {
    match s {
        Scalar::Num(n) => json_f64(n.to_f64()),
        Scalar::Sym(_) => json!(s.format(fmt)),
    }
}

/// A number as its JSON object (`value`, and `exact` for rationals).
pub fn number_json(n: &Number) -> Json {
    let mut obj = json!({"type": "number", "value": json_f64(n.to_f64())});
    if let Some(e) = n.exact_text() {
        obj["exact"] = json!(e);
    }
    obj
}

fn estimate_text(e: &Estimate, fmt: &NumFmt) -> String {
    let v = crate::value::number::format_float(e.value, fmt.precision);
    if e.error > 0.0 {
        format!(
            "{v}  (± {})",
            crate::value::number::format_float(e.error, 2)
        )
    } else {
        v
    }
}

/// A sequence in literal form: `[3, -1, 2] from -1`, shortened when long.
pub fn sequence_text(s: &Sequence, fmt: &NumFmt) -> (String, Option<String>) {
    let n = s.len();
    let item = |i: usize| -> String {
        match &s.elems {
            Elems::Complex(v) => complex_text(v[i], fmt),
            other => other.get(i).map(|x| x.format(fmt)).unwrap_or_default(),
        }
    };
    let (body, note) = if n > SHOW_VALUES {
        let head: Vec<String> = (0..SHOW_VALUES / 2).map(item).collect();
        let tail: Vec<String> = (n - SHOW_VALUES / 2..n).map(item).collect();
        (
            format!("{}, …, {}", head.join(", "), tail.join(", ")),
            Some(format!(
                "{n} samples, n = {}…{}; showing the first and last {}. Index it (x[n]) or export it to see all",
                s.start,
                s.end() - 1,
                SHOW_VALUES / 2
            )),
        )
    } else {
        ((0..n).map(item).collect::<Vec<_>>().join(", "), None)
    };
    let text = if s.start == 0 {
        format!("[{body}]")
    } else {
        format!("[{body}] from {}", s.start)
    };
    (text, note)
}

/// A complex number as text: `a + bi`.
pub fn complex_text(z: num_complex::Complex64, fmt: &NumFmt) -> String {
    let re = crate::value::number::format_float(clean(z.re, z.norm()), fmt.precision);
    let im = clean(z.im, z.norm());
    if im == 0.0 {
        return re;
    }
    let ims = crate::value::number::format_float(im.abs(), fmt.precision);
    let sign = if im < 0.0 { "−" } else { "+" };
    if re == "0" {
        return format!("{}{ims}i", if im < 0.0 { "−" } else { "" });
    }
    format!("{re} {sign} {ims}i")
}

/// Round-off below 1e-14 of the magnitude shows as 0.
fn clean(x: f64, scale: f64) -> f64 {
    if x.abs() <= 1e-14 * scale.max(1.0) {
        0.0
    } else {
        x
    }
}

/// The Doc for a displayed value. `name` labels it when it was a plain name.
pub fn value_doc(v: &Value, fmt: &NumFmt) -> Doc {
    match v {
        Value::Scalar(Scalar::Num(n)) => {
            Doc::new(number_json(n)).with(Block::Math(vec![n.format(fmt)]))
        }
        Value::Scalar(s @ Scalar::Sym(_)) => {
            let text = s.format(fmt);
            Doc::new(json!({"type": "expression", "value": text, "expr": s.format_cas(fmt)}))
                .with(Block::Math(vec![text]))
        }
        Value::Estimate(e) => {
            let mut obj =
                json!({"type": "number", "value": json_f64(e.value), "error": json_f64(e.error)});
            let mut doc = Doc::new(Json::Null).with(Block::Math(vec![estimate_text(e, fmt)]));
            if let Some(w) = &e.warning {
                obj["warning"] = json!(w);
                doc.push(Block::Note(format!("warning: {w}")));
            }
            doc.json = obj;
            doc
        }
        Value::Complex(z) => {
            Doc::new(json!({"type": "complex", "re": json_f64(z.re), "im": json_f64(z.im)}))
                .with(Block::Math(vec![complex_text(*z, fmt)]))
        }
        Value::Bool(b) => {
            Doc::new(json!({"type": "bool", "value": b})).with(Block::Para(b.to_string()))
        }
        Value::Str(s) => {
            Doc::new(json!({"type": "string", "value": s})).with(Block::Para(s.clone()))
        }
        Value::Sequence(s) => sequence_doc(s, fmt),
        Value::Matrix(m) => matrix_doc(m, fmt),
        Value::Function(f) => function_doc(f, fmt),
    }
}

/// A sequence as its JSON object (`start`, `values`, `exact`).
pub fn sequence_json(s: &Sequence, fmt: &NumFmt) -> Json {
    let values: Vec<Json> = match &s.elems {
        Elems::Float(v) => v.iter().map(|x| json_f64(*x)).collect(),
        Elems::Complex(v) => v
            .iter()
            .map(|z| json!({"re": json_f64(z.re), "im": json_f64(z.im)}))
            .collect(),
        Elems::General(v) => v.iter().map(|x| json_scalar(x, fmt)).collect(),
    };
    let mut obj = json!({"type": "sequence", "start": s.start, "values": values});
    // Exact values that a float cannot carry (1/3) are given as text too.
    if let Elems::General(v) = &s.elems {
        if v.iter()
            .any(|x| matches!(x, Scalar::Num(n) if n.is_exact() && n.format(fmt).contains('/')))
        {
            obj["exact"] = json!(v.iter().map(|x| x.format_cas(fmt)).collect::<Vec<_>>());
        }
    }
    obj
}

/// Samples of a displayed sequence listed in its CSV rendering.
const MAX_CSV_ROWS: usize = 100_000;

fn sequence_doc(s: &Sequence, fmt: &NumFmt) -> Doc {
    let (text, note) = sequence_text(s, fmt);
    let mut doc = Doc::new(sequence_json(s, fmt)).with(Block::Math(vec![text]));
    if let Some(n) = note {
        doc.push(Block::Note(n));
    }
    // CSV readers get every sample as `n,value` rows (up to a size where
    // building the rows would slow down every display; `save` writes any size).
    if s.len() > MAX_CSV_ROWS {
        doc.push(Block::Data(Table {
            header: vec!["note".into()],
            rows: vec![vec![format!(
                "{} samples: use save(x, \"x.csv\") to write them all",
                s.len()
            )]],
            math: vec![false],
            right: vec![false],
        }));
        return doc;
    }
    let mut t = Table::new(&["n", "value"]).right_align(&[0, 1]);
    for i in 0..s.len() {
        let v = match &s.elems {
            Elems::Complex(z) => complex_text(z[i], fmt),
            e => e.get(i).map(|x| x.format_cas(fmt)).unwrap_or_default(),
        };
        t.push(vec![(s.start + i as i64).to_string(), v]);
    }
    doc.push(Block::Data(t));
    doc
}

/// A matrix as rows of cell texts.
pub fn matrix_cells(m: &Matrix, fmt: &NumFmt) -> Vec<Vec<String>> {
    (0..m.rows)
        .map(|r| {
            (0..m.cols)
                .map(|c| match &m.elems {
                    Elems::Complex(z) => complex_text(z[r * m.cols + c], fmt),
                    e => e
                        .get(r * m.cols + c)
                        .map(|x| x.format(fmt))
                        .unwrap_or_default(),
                })
                .collect()
        })
        .collect()
}

/// A matrix as its JSON object (`rows`).
pub fn matrix_json(m: &Matrix, fmt: &NumFmt) -> Json {
    let rows: Vec<Json> = (0..m.rows)
        .map(|r| {
            Json::Array(
                (0..m.cols)
                    .map(|c| match &m.elems {
                        Elems::Float(v) => json_f64(v[r * m.cols + c]),
                        Elems::Complex(v) => {
                            let z = v[r * m.cols + c];
                            json!({"re": json_f64(z.re), "im": json_f64(z.im)})
                        }
                        Elems::General(v) => json_scalar(&v[r * m.cols + c], fmt),
                    })
                    .collect(),
            )
        })
        .collect();
    json!({"type": "matrix", "shape": [m.rows, m.cols], "rows": rows})
}

fn matrix_doc(m: &Matrix, fmt: &NumFmt) -> Doc {
    let cells = matrix_cells(m, fmt);
    let mut header = vec![String::new()];
    header.extend((0..m.cols).map(|c| c.to_string()));
    let mut t = Table {
        header,
        rows: Vec::new(),
        math: vec![true; m.cols + 1],
        right: vec![true; m.cols + 1],
    };
    const SHOW: usize = 40;
    for (r, row) in cells.iter().enumerate().take(SHOW) {
        let mut line = vec![r.to_string()];
        line.extend(row.iter().take(SHOW).cloned());
        t.rows.push(line);
    }
    if m.cols > SHOW {
        t.header.truncate(SHOW + 1);
    }
    let mut doc = Doc::new(matrix_json(m, fmt)).with(Block::Table(t));
    if m.rows > SHOW || m.cols > SHOW {
        doc.push(Block::Note(format!(
            "{}×{} matrix; showing the first {} rows and columns. Index it (A[i, j]) or export it to see all",
            m.rows,
            m.cols,
            SHOW.min(m.rows).min(SHOW)
        )));
    }
    doc
}

/// A function's pieces: (lo, hi, closed_lo, closed_hi, text, cas) between
/// its breakpoints, merging neighbours with the same formula, zero pieces
/// left out.
pub struct PieceView {
    /// Lower end (may be −∞).
    pub lo: f64,
    /// Upper end (may be ∞).
    pub hi: f64,
    /// The lower end as shown (exact when known).
    pub lo_text: String,
    /// The upper end as shown.
    pub hi_text: String,
    /// The lower end belongs to the piece.
    pub closed_lo: bool,
    /// The upper end belongs to the piece.
    pub closed_hi: bool,
    /// The expression as shown.
    pub text: String,
    /// The expression as a CAS reads it (`t^2/2`).
    pub cas: String,
}

/// The pieces of a piecewise function as shown, when it is one.
pub fn function_pieces(f: &Function, fmt: &NumFmt) -> Option<Vec<PieceView>> {
    let FnBody::Expr(e) = &f.body else {
        return None;
    };
    let s = f.structure();
    if s.irregular || !s.integer_families.is_empty() {
        return None;
    }
    let breaks: Vec<f64> = s.breaks.iter().map(Number::to_f64).collect();
    let texts: Vec<String> = s.breaks.iter().map(|b| b.format(fmt)).collect();
    let mut out: Vec<PieceView> = Vec::new();
    for (i, (lo, hi)) in open_intervals(&breaks).into_iter().enumerate() {
        let smooth = e.resolve(sample_point(lo, hi));
        if smooth.is_identically_zero() {
            continue;
        }
        // Polynomial pieces are shown simplified (`tri(t − 2)` on [1, 2] is `t − 1`).
        let (text, cas) = match crate::value::unipoly::from_fexpr(&smooth) {
            Some(p) => (p.render(&f.var, fmt, false), p.render(&f.var, fmt, true)),
            None => (
                smooth.render(&f.var, Style::Text, fmt),
                smooth.render(&f.var, Style::Cas, fmt),
            ),
        };
        // An end belongs to the piece when the function's value there is the
        // piece's formula: at a jump exactly one side is closed; where the
        // function is continuous both are, as textbooks write it.
        let closed_at = |x: f64| {
            x.is_finite() && (f.eval(x) - smooth.eval(x)).abs() <= 1e-12 * (1.0 + f.eval(x).abs())
        };
        let closed_lo = closed_at(lo);
        let closed_hi = closed_at(hi);
        let lo_text = if i == 0 {
            "−∞".into()
        } else {
            texts[i - 1].clone()
        };
        let hi_text = if i == breaks.len() {
            "∞".into()
        } else {
            texts[i].clone()
        };
        if let Some(last) = out.last_mut() {
            if last.hi == lo && last.cas == cas && last.closed_hi {
                last.hi = hi;
                last.hi_text = hi_text;
                last.closed_hi = closed_hi;
                continue;
            }
        }
        out.push(PieceView {
            lo,
            hi,
            lo_text,
            hi_text,
            closed_lo,
            closed_hi,
            text,
            cas,
        });
    }
    Some(out)
}

/// A piece's interval as text: `0 ≤ t < 1`.
pub fn interval_text(p: &PieceView, var: &str) -> String {
    match (p.lo.is_finite(), p.hi.is_finite()) {
        (false, false) => "all t".replace('t', var),
        (true, false) => format!(
            "{var} {} {}",
            if p.closed_lo { "≥" } else { ">" },
            p.lo_text
        ),
        (false, true) => format!(
            "{var} {} {}",
            if p.closed_hi { "≤" } else { "<" },
            p.hi_text
        ),
        (true, true) => format!(
            "{} {} {var} {} {}",
            p.lo_text,
            if p.closed_lo { "≤" } else { "<" },
            if p.closed_hi { "≤" } else { "<" },
            p.hi_text
        ),
    }
}

/// The pieces as JSON (`from`, `to`, `expr` readable by a CAS).
pub fn pieces_json(pieces: &[PieceView]) -> Json {
    Json::Array(
        pieces
            .iter()
            .map(|p| {
                json!({
                    "from": if p.lo.is_finite() { json_f64(p.lo) } else { Json::Null },
                    "to": if p.hi.is_finite() { json_f64(p.hi) } else { Json::Null },
                    "closed_from": p.closed_lo,
                    "closed_to": p.closed_hi,
                    "expr": p.cas,
                })
            })
            .collect(),
    )
}

/// A function as shown by `show` and by typing its name.
pub fn function_doc(f: &Function, fmt: &NumFmt) -> Doc {
    let name = f
        .name
        .clone()
        .unwrap_or_else(|| match crate::eval::exact::closed_form_of(f) {
            Some(cf) => cf.title(),
            None => "f".into(),
        });
    match &f.body {
        FnBody::Computed(c) => {
            if let Some(doc) = computed_doc(c.as_ref(), &name, &f.var, fmt) {
                return doc;
            }
            Doc::new(json!({"type": "function", "name": name, "var": f.var, "exact": false, "pieces": []}))
                .with(Block::Para(format!("{name}({}) = {}", f.var, c.describe())))
        }
        FnBody::Expr(e)
            if e.contains_delta() && crate::engine::continuous::split_deltas(e).is_ok() =>
        {
            let (regular, deltas) = crate::engine::continuous::split_deltas(e).expect("checked");
            delta_function_doc(f, regular, &deltas, fmt)
        }
        FnBody::Expr(e) => {
            let pieces = function_pieces(f, fmt);
            let mut doc = Doc::new(json!({
                "type": "function",
                "name": name,
                "var": f.var,
                "exact": false,
                "pieces": pieces.as_ref().map(|p| pieces_json(p)).unwrap_or(Json::Array(vec![])),
            }));
            match pieces {
                Some(ps) if !ps.is_empty() => {
                    let width = ps.iter().map(|p| p.text.chars().count()).max().unwrap_or(0);
                    let mut lines = Vec::new();
                    for (i, p) in ps.iter().enumerate() {
                        let lead = if i == 0 {
                            format!("{name}({}) = ", f.var)
                        } else {
                            " ".repeat(name.chars().count() + f.var.chars().count() + 5)
                        };
                        lines.push(format!(
                            "{lead}{:<width$}   for {}",
                            p.text,
                            interval_text(p, &f.var),
                            width = width
                        ));
                    }
                    if ps.iter().any(|p| p.lo.is_finite())
                        || ps.iter().any(|p| p.hi.is_finite())
                        || ps.len() > 1
                    {
                        lines.push(format!(
                            "{}0{}   otherwise",
                            " ".repeat(name.chars().count() + f.var.chars().count() + 5),
                            " ".repeat(width.saturating_sub(1))
                        ));
                    }
                    doc.push(Block::Math(lines));
                }
                Some(_) => doc.push(Block::Math(vec![format!("{name}({}) = 0", f.var)])),
                None => doc.push(Block::Math(vec![format!(
                    "{name}({}) = {}",
                    f.var,
                    e.render(&f.var, Style::Text, fmt)
                )])),
            }
            doc
        }
    }
}

/// A function with Dirac deltas: its regular part piece by piece, then the
/// point masses.
fn delta_function_doc(
    f: &Function,
    regular: crate::value::function::FExpr,
    deltas: &[(Number, Number)],
    fmt: &NumFmt,
) -> Doc {
    let name = f.name.clone().unwrap_or_else(|| "f".into());
    let masses: Vec<String> = deltas
        .iter()
        .map(|(at, w)| {
            let shift = if at.is_zero() {
                f.var.clone()
            } else if at.is_negative() {
                format!("{} + {}", f.var, at.neg().format(fmt))
            } else {
                format!("{} − {}", f.var, at.format(fmt))
            };
            if w.is_one() {
                format!("δ({shift})")
            } else {
                format!("{}·δ({shift})", w.format(fmt))
            }
        })
        .collect();
    let reg = Function {
        name: f.name.clone(),
        var: f.var.clone(),
        body: FnBody::Expr(regular.clone()),
    };
    let mut doc = if regular.is_identically_zero() {
        Doc::new(
            json!({"type": "function", "name": name, "var": f.var, "exact": false, "pieces": []}),
        )
        .with(Block::Math(vec![format!(
            "{name}({}) = {}",
            f.var,
            masses.join(" + ")
        )]))
    } else {
        let mut d = function_doc(&reg, fmt);
        d.push(Block::Math(vec![format!(
            "plus the point masses {}",
            masses.join(" + ")
        )]));
        d
    };
    doc.json["deltas"] = Json::Array(
        deltas
            .iter()
            .map(|(at, w)| json!({"at": number_json(at)["value"], "weight": number_json(w)["value"]}))
            .collect(),
    );
    doc
}

/// `show`/display of a computed function.
pub fn computed_doc(
    c: &dyn crate::value::function::ComputedFn,
    name: &str,
    var: &str,
    fmt: &NumFmt,
) -> Option<Doc> {
    use crate::eval::computed::Computed;
    let kind = Computed::of(c)?;
    if let Some(closed) = kind.closed_form() {
        return Some(closed.doc(name, var, fmt));
    }
    match kind {
        Computed::ClosedForm(_) => None,
        Computed::Conv(cf) => {
            let mut doc = Doc::new(json!({
                "type": "function",
                "name": name,
                "var": var,
                "exact": false,
                "definition": format!("{}({var}) = {}", name, cf.definition(var)),
                "breakpoints": cf.breaks.iter().map(|b| json_f64(b.to_f64())).collect::<Vec<_>>(),
                "support": [json_f64(cf.support.0), json_f64(cf.support.1)],
                "pieces": [],
            }));
            doc.push(Block::Math(vec![format!(
                "{name}({var}) = {}({var}) = {}",
                cf.title(),
                cf.definition(var)
            )]));
            // `show` adds the breakpoints and the support, as for any function.
            doc.push(Block::Para(format!("computed numerically at each {var}")));
            Some(doc)
        }
    }
}
