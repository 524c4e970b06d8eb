//! Statements about discrete convolutions: `shape`, the sparsity line of a
//! displayed `conv_matrix`, and the step tables (1D sums, the sliding view,
//! the 2D window, `T @ v`, polynomial products, Riemann sums, circular
//! convolution).

use std::ops::Range;

use serde_json::{json, Value as Json};

use crate::engine::conv2d::{self, Conv2dOptions, Shape2d};
use crate::engine::discrete::{self as engine, Mode, Op, SeqRef};
use crate::engine::toeplitz;
use crate::eval::calls::Args;
use crate::eval::discrete::*;
use crate::eval::{err, err_hint, Ctx, EvalResult};
use crate::render::doc::{Block, Doc, Table};
use crate::render::value::json_scalar;
use crate::session::Session;
use crate::syntax::ast::{Arg, Expr, ExprKind, Ident};
use crate::syntax::span::Span;
use crate::trace::discrete::{Row1d, Term1d};
use crate::value::array::Sequence;
use crate::value::grid::Grid;
use crate::value::number::NumFmt;
use crate::value::ring::Ring;
use crate::value::scalar::Scalar;
use crate::value::Value;

/// The sparsity line shown under a displayed `conv_matrix(…)`.
/// The nonzero count comes with the text, for the JSON.
pub fn sparsity_note(target: &Expr, v: &Value) -> Option<(usize, String)> {
    let ExprKind::Call { func, .. } = &target.kind else {
        return None;
    };
    let Value::Matrix(m) = v else {
        return None;
    };
    if func.name != "conv_matrix" {
        return None;
    }
    let total = m.rows * m.cols;
    let nz = m.elems.count_nonzero();
    let pct = if total == 0 {
        0.0
    } else {
        100.0 * nz as f64 / total as f64
    };
    Some((nz, format!(
        "{nz} nonzeros of {total} entries ({pct:.1}%): a dense T @ a costs {total} multiply-adds, the direct sum only the {nz} nonzero ones"
    )))
}

// ---------------------------------------------------------------------------
// shape

/// `shape conv(A, K, …)`: the output size, derived as arithmetic per axis.
pub fn shape(session: &mut Session, target: &Expr, span: Span) -> EvalResult<Doc> {
    let ExprKind::Call { func, args } = &target.kind else {
        return err_hint(
            target.span,
            "shape derives the size of a convolution",
            "e.g. `shape conv(A, K, stride=2, padding=1)`",
        );
    };
    let name = func.name.as_str();
    if !matches!(name, "conv" | "corr") {
        return err_hint(
            func.span,
            format!("shape works on conv and corr, not {name}"),
            "e.g. `shape conv(A, K, stride=2)`",
        );
    }
    let op = op_of(name);
    let mut ctx = session.ctx();
    let a = Args::check(name, args, span, 2, 2, crate::registry::OPTIONS_2D)?;
    let x = ctx.eval(&a.positional[0].value)?;
    let k = ctx.eval(&a.positional[1].value)?;
    match (&x, &k) {
        (Value::Sequence(x), Value::Sequence(k)) => {
            let mode = mode_option(&a)?.unwrap_or_default();
            Ok(shape_1d(op, x, k, mode))
        }
        (Value::Matrix(x), Value::Matrix(k)) => {
            let opts = options_2d(&mut ctx, &a)?;
            let s = conv2d::shape2d((x.rows, x.cols), (k.rows, k.cols), op, &opts)
                .map_err(|e| conv_err(span, e))?;
            Ok(shape_2d_doc(name, &s, &opts))
        }
        _ => err_hint(
            span,
            format!(
                "shape needs two sequences or two matrices, not {} and {}",
                x.kind_name(),
                k.kind_name()
            ),
            "the shape of conv(f, g) for functions is its support: `show conv(f, g)`",
        ),
    }
}

fn shape_1d(op: Op, x: &Sequence, k: &Sequence, mode: Mode) -> Doc {
    let (n, m) = (x.len() as i64, k.len() as i64);
    let (out, line) = match mode {
        Mode::Full => (
            n + m - 1,
            format!("full: {n} + {m} − 1 = {}", (n + m - 1).max(0)),
        ),
        Mode::Same => (n, format!("same: the length of the first argument = {n}")),
        Mode::Valid => {
            let v = (n - m + 1).max(0);
            (v, format!("valid: max({n} − {m} + 1, 0) = {v}"))
        }
    };
    let out = out.max(0);
    let kstart = match op {
        Op::Conv => k.start,
        Op::Corr => -(k.start + m - 1),
    };
    let full_start = x.start + kstart;
    let start = match mode {
        Mode::Full => full_start,
        Mode::Same => full_start + (m - 1) / 2,
        Mode::Valid => full_start + m - 1,
    };
    let lines = vec![
        format!("length {line}"),
        format!("indices n = {start}…{}", start + out - 1),
    ];
    Doc::new(json!({"type": "shape", "op": op.name(), "length": out, "start": start, "derivation": line}))
        .with(Block::Math(lines))
}

fn axis_line(label: &str, s: &conv2d::AxisShape) -> String {
    let mut inner = format!("{}", s.n);
    let (pb, pa) = (s.pad_before(), s.pad_after());
    // Padding before + after: `2·p` when equal, the one side when the other
    // is 0 (mode same with an even kernel pads one side only).
    if pb == pa && pb > 0 {
        inner.push_str(&format!(" + 2·{pb}"));
    } else if pb == 0 || pa == 0 {
        if pb + pa > 0 {
            inner.push_str(&format!(" + {}", pb + pa));
        }
    } else {
        inner.push_str(&format!(" + {pb} + {pa}"));
    }
    if s.dilation == 1 {
        inner.push_str(&format!(" − ({}−1)", s.k));
    } else {
        inner.push_str(&format!(" − {}·({}−1)", s.dilation, s.k));
    }
    inner.push_str(" − 1");
    let formula = if s.stride > 1 {
        format!("⌊({inner})/{}⌋ + 1", s.stride)
    } else {
        format!("({inner}) + 1")
    };
    if s.fits() {
        format!("{label}: {formula} = {}", s.out)
    } else {
        format!(
            "{label}: {inner} = {} < 0: the kernel does not fit, so there are 0 {label}",
            s.numerator()
        )
    }
}

fn shape_2d_doc(name: &str, s: &Shape2d, opts: &Conv2dOptions) -> Doc {
    let mode = match opts.mode {
        Mode::Full => "full",
        Mode::Same => "same",
        Mode::Valid => "valid",
    };
    let rows = axis_line("rows", &s.rows);
    let cols = axis_line("cols", &s.cols);
    let (r, c) = s.out();
    let axis_json = |a: &conv2d::AxisShape, text: &str| {
        json!({"n": a.n, "k": a.k, "stride": a.stride, "dilation": a.dilation,
               "pad_before": a.pad_before(), "pad_after": a.pad_after(), "out": a.out, "derivation": text})
    };
    Doc::new(json!({"type": "shape", "op": name, "mode": mode, "shape": [r, c],
                    "rows": axis_json(&s.rows, &rows), "cols": axis_json(&s.cols, &cols)}))
        .with(Block::Para(format!(
            "out = ⌊(n + padding before and after − dilation·(k−1) − 1)/stride⌋ + 1 per axis (padding=p puts p on each side, 2·p; mode {mode} pads {}·(k−1) in total)",
            match opts.mode {
                Mode::Full => "2",
                Mode::Same => "1",
                Mode::Valid => "0",
            }
        )))
        .with(Block::Math(vec![rows, cols, format!("shape: {r}×{c}")]))
}

// ---------------------------------------------------------------------------
// Step tables

/// A factor as written in a product: negative numbers and sums in parentheses.
fn factor(s: &Scalar, fmt: &NumFmt) -> String {
    let t = s.format(fmt);
    if s.needs_parens_as_factor(fmt) || t.starts_with('-') || t.starts_with('−') {
        format!("({t})")
    } else {
        t
    }
}

fn shown(s: &Scalar, fmt: &NumFmt) -> String {
    s.format(fmt)
}

/// `lhs = sum = value`, leaving out `= value` when it repeats the sum
/// (symbolic sums, single terms).
fn equation(lhs: &str, sum: &str, value: &str) -> String {
    if sum == value {
        format!("{lhs} = {sum}")
    } else {
        format!("{lhs} = {sum} = {value}")
    }
}

/// The names a step table gives its two arguments: the names written, and
/// for a literal the first of its candidate letters that is neither the
/// other argument's name nor defined in the session (so that
/// `steps conv(x, [1, 1])` with a `y` defined does not call the literal `y`).
fn arg_names(ctx: &Ctx, x: &Expr, y: &Expr, xs: &[&str], ys: &[&str]) -> (String, String) {
    let written = |e: &Expr| match &e.kind {
        ExprKind::Ident(n) => Some(n.clone()),
        _ => None,
    };
    let (wx, wy) = (written(x), written(y));
    let pick = |candidates: &[&str], other: &Option<String>| {
        candidates
            .iter()
            .find(|c| other.as_deref() != Some(**c) && ctx.env.get(c).is_none())
            .or(candidates.iter().find(|c| other.as_deref() != Some(**c)))
            .map_or_else(|| candidates[0].to_string(), |c| c.to_string())
    };
    let xn = wx.clone().unwrap_or_else(|| pick(xs, &wy));
    let yn = wy.unwrap_or_else(|| pick(ys, &Some(xn.clone())));
    (xn, yn)
}

/// What `at` asks for.
enum At {
    All,
    Index(i64),
    Range(i64, i64),
    Cell(usize, usize),
}

fn parse_at(session: &Session, at: Option<&Expr>) -> EvalResult<At> {
    let Some(at) = at else {
        return Ok(At::All);
    };
    let mut ctx = session.ctx();
    match &at.kind {
        ExprKind::Range { lo, hi } => {
            let a = ctx.integer(lo, "the first index")?;
            let b = ctx.integer(hi, "the last index")?;
            if b < a {
                return err_hint(
                    at.span,
                    format!("the range {a}..{b} is empty"),
                    "write the smaller index first",
                );
            }
            Ok(At::Range(a, b))
        }
        ExprKind::Tuple(items) if items.len() == 2 => {
            let i = ctx.integer(&items[0], "the row")?;
            let j = ctx.integer(&items[1], "the column")?;
            if i < 0 || j < 0 {
                return err(at.span, "matrix positions count from 0");
            }
            Ok(At::Cell(i as usize, j as usize))
        }
        ExprKind::Tuple(_) => err_hint(
            at.span,
            "a 2D position has two coordinates",
            "e.g. `at (0, 1)`",
        ),
        _ => Ok(At::Index(ctx.integer(at, "the index n")?)),
    }
}

fn zeros_option(options: &[Arg]) -> EvalResult<bool> {
    let mut zeros = false;
    for o in options {
        let name = o.name.as_ref().map(|n| n.name.as_str()).unwrap_or("");
        if name != "zeros" {
            return err_hint(
                o.span,
                format!("steps has no option '{name}' here"),
                "the option is zeros=on|off",
            );
        }
        zeros = match &o.value.kind {
            ExprKind::Ident(w) if w == "on" || w == "true" => true,
            ExprKind::Ident(w) if w == "off" || w == "false" => false,
            _ => {
                return err_hint(
                    o.value.span,
                    "zeros takes on or off",
                    "zeros=on also shows the zero-padded terms",
                )
            }
        };
    }
    Ok(zeros)
}

/// `steps conv(a, b)`, `… at n`, `… at a..b`, `… zeros=on`, and the 2D forms.
pub fn steps_conv(
    session: &mut Session,
    func: &Ident,
    args: &[Arg],
    at: Option<&Expr>,
    options: &[Arg],
    span: Span,
) -> EvalResult<Doc> {
    let op = op_of(&func.name);
    let zeros = zeros_option(options)?;
    let at = parse_at(session, at)?;
    let fmt = session.settings.num;
    let mut ctx = session.ctx();
    let a = Args::check(&func.name, args, span, 2, 2, crate::registry::OPTIONS_2D)?;
    let x = ctx.eval(&a.positional[0].value)?;
    let y = ctx.eval(&a.positional[1].value)?;
    let (xn, yn) = arg_names(
        &ctx,
        &a.positional[0].value,
        &a.positional[1].value,
        if matches!(x, Value::Matrix(_)) {
            &["A", "X", "M"]
        } else {
            &["x", "u", "p"]
        },
        if matches!(x, Value::Matrix(_)) {
            &["K", "W", "G"]
        } else {
            &["y", "h", "v", "q"]
        },
    );
    match (x, y) {
        (Value::Sequence(x), Value::Sequence(y)) => {
            let mode = mode_option(&a)?.unwrap_or_default();
            if x.elems.is_complex() || y.elems.is_complex() {
                return err(
                    span,
                    "step tables show real or symbolic values; these sequences are complex",
                );
            }
            let names = Names {
                x: xn,
                y: yn,
                out: "c".into(),
            };
            match at {
                At::Index(n) => sliding_doc(op, &x, &y, n, &names, &fmt, span),
                At::Cell(..) => err_hint(span, "a sequence has one index", "e.g. `at 3`"),
                At::All => steps_1d_doc(op, &x, &y, mode, zeros, None, &names, &fmt, None, span),
                At::Range(lo, hi) => steps_1d_doc(
                    op,
                    &x,
                    &y,
                    mode,
                    zeros,
                    Some(lo..hi + 1),
                    &names,
                    &fmt,
                    None,
                    span,
                ),
            }
        }
        (Value::Matrix(x), Value::Matrix(k)) => {
            let opts = options_2d(&mut ctx, &a)?;
            if x.elems.is_complex() || k.elems.is_complex() {
                return err(
                    span,
                    "step tables show real or symbolic values; these matrices are complex",
                );
            }
            let gx = grid_of(&x, x.elems.scalars().into_owned(), span)?;
            let gk = grid_of(&k, k.elems.scalars().into_owned(), span)?;
            match at {
                At::Cell(i, j) => window_doc(op, &gx, &gk, &opts, (i, j), &xn, &yn, &fmt, span),
                At::All => steps_2d_doc(op, &gx, &gk, &opts, zeros, None, &fmt, span),
                At::Range(lo, hi) => {
                    if lo < 0 {
                        return err(span, "output cells count from 0");
                    }
                    steps_2d_doc(
                        op,
                        &gx,
                        &gk,
                        &opts,
                        zeros,
                        Some(lo as usize..hi as usize + 1),
                        &fmt,
                        span,
                    )
                }
                At::Index(_) => err_hint(
                    span,
                    "a matrix position has a row and a column",
                    "e.g. `at (0, 1)`",
                ),
            }
        }
        (x, y) => err_hint(
            span,
            format!(
                "steps {} needs two sequences or two matrices here, not {} and {}",
                func.name,
                x.kind_name(),
                y.kind_name()
            ),
            "e.g. `steps conv(a, b)`",
        ),
    }
}

struct Names {
    x: String,
    y: String,
    out: String,
}

/// The kernel's index under column m of the sliding view at n, written as
/// a student would: `2−m`, `−m`, `−1−m` (conv); `m−2`, `m`, `m+1` (corr).
fn kernel_index(op: Op, n: i64) -> String {
    let minus = |k: i64| {
        if k < 0 {
            format!("−{}", k.unsigned_abs())
        } else {
            k.to_string()
        }
    };
    match (op, n) {
        (Op::Conv, 0) => "−m".into(),
        (Op::Conv, _) => format!("{}−m", minus(n)),
        (Op::Corr, 0) => "m".into(),
        (Op::Corr, _) if n < 0 => format!("m+{}", n.unsigned_abs()),
        (Op::Corr, _) => format!("m−{n}"),
    }
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Full => "full",
        Mode::Same => "same",
        Mode::Valid => "valid",
    }
}

fn term_text(t: &Term1d<Scalar>, fmt: &NumFmt) -> String {
    format!("{}·{}", factor(&t.x, fmt), factor(&t.y, fmt))
}

fn row_line(row: &Row1d<Scalar>, names: &Names, fmt: &NumFmt, scale: Option<&Scalar>) -> String {
    let terms: Vec<String> = row.terms.iter().map(|t| term_text(t, fmt)).collect();
    let sum = if terms.is_empty() {
        "0".to_string()
    } else {
        terms.join(" + ")
    };
    match scale {
        None => equation(
            &format!("{}[{}]", names.out, row.n),
            &sum,
            &shown(&row.value, fmt),
        ),
        Some(h) => {
            let v = row.value.mul(h);
            format!(
                "{}[{}] = {}·({}) = {}",
                names.out,
                row.n,
                factor(h, fmt),
                sum,
                shown(&v, fmt)
            )
        }
    }
}

fn term_json(t: &Term1d<Scalar>, op: Op, n: i64, fmt: &NumFmt) -> Json {
    let (ix, iy) = t.indices(op, n);
    let mut o = json!({"m": t.m, "x_index": ix, "y_index": iy, "x": json_scalar(&t.x, fmt), "y": json_scalar(&t.y, fmt), "product": json_scalar(&t.product, fmt)});
    if t.padded {
        o["padded"] = json!(true);
    }
    o
}

fn formula(op: Op, names: &Names) -> String {
    match op {
        Op::Conv => format!("{}[n] = Σₘ {}[m]·{}[n−m]", names.out, names.x, names.y),
        Op::Corr => format!("{}[n] = Σₘ {}[n+m]·{}[m]", names.out, names.x, names.y),
    }
}

#[allow(clippy::too_many_arguments)]
fn steps_1d_doc(
    op: Op,
    x: &Sequence,
    y: &Sequence,
    mode: Mode,
    zeros: bool,
    rows: Option<Range<i64>>,
    names: &Names,
    fmt: &NumFmt,
    scale: Option<&Scalar>,
    span: Span,
) -> EvalResult<Doc> {
    let xs = x.elems.scalars();
    let ys = y.elems.scalars();
    let xr = SeqRef::new(x.start, &xs);
    let yr = SeqRef::new(y.start, &ys);
    // Find the extent first, then build only the rows that are shown.
    let whole =
        engine::steps_1d(op, xr, yr, mode, zeros, Some(0..0)).map_err(|e| conv_err(span, e))?;
    let (start, len) = (whole.start, whole.len as i64);
    let end = start + len;
    let (wanted, shortened) = match &rows {
        Some(r) => {
            let lo = r.start.max(start);
            let hi = r.end.min(end);
            if lo >= hi {
                return err_hint(
                    span,
                    format!(
                        "the result has indices {start}…{}; none in {}..{}",
                        end - 1,
                        r.start,
                        r.end - 1
                    ),
                    format!("ask for indices between {start} and {}", end - 1),
                );
            }
            if (hi - lo) as usize > MAX_SHOWN_ROWS {
                (lo..lo + MAX_SHOWN_ROWS as i64, true)
            } else {
                (lo..hi, false)
            }
        }
        None if len as usize > MAX_SHOWN_ROWS => (start..start + MAX_SHOWN_ROWS as i64, true),
        None => (start..end, false),
    };
    let steps = engine::steps_1d(op, xr, yr, mode, zeros, Some(wanted.clone()))
        .map_err(|e| conv_err(span, e))?;
    let mut heading = format!("{}({}, {})", op.name(), names.x, names.y);
    if mode != Mode::Full {
        heading.push_str(&format!(", mode {}", mode_name(mode)));
    }
    let mut doc = Doc::new(Json::Null);
    doc.push(Block::Heading(heading));
    let mut intro = formula(op, names);
    match op {
        Op::Conv => intro.push_str(&format!(" — {} is flipped and shifted", names.y)),
        Op::Corr => intro.push_str(&format!(
            " — {} slides over {} without being flipped",
            names.y, names.x
        )),
    }
    if let Some(h) = scale {
        intro = format!("{} times the step h = {}", intro, shown(h, fmt));
    }
    if zeros {
        intro.push_str("; zero-padded terms included");
    }
    doc.push(Block::Para(intro));
    // Writing out a long table of long fractions takes a while: poll Ctrl-C.
    let lines: Vec<String> = steps
        .rows
        .iter()
        .map(|r| {
            crate::eval::check_cancel(span)?;
            Ok(row_line(r, names, fmt, scale))
        })
        .collect::<EvalResult<_>>()?;
    if lines.is_empty() {
        doc.push(Block::Para(match steps.empty {
            Some(reason) => format!("no rows: {reason}"),
            None => "no rows".into(),
        }));
    } else {
        doc.push(Block::Math(lines));
    }
    let mut data = Table::new(&["n", "terms", "value"]);
    for r in &steps.rows {
        crate::eval::check_cancel(span)?;
        let terms: Vec<String> = r.terms.iter().map(|t| term_text(t, fmt)).collect();
        let v = match scale {
            Some(h) => r.value.mul(h),
            None => r.value.clone(),
        };
        data.push(vec![r.n.to_string(), terms.join(" + "), v.format_cas(fmt)]);
    }
    doc.push(Block::Data(data));
    if shortened {
        doc.push(Block::Note(format!(
            "showing rows n = {}…{} of {}…{}; see the others with `at n` or a range `at {}..{}`",
            wanted.start,
            wanted.end - 1,
            start,
            end - 1,
            wanted.end,
            (wanted.end + MAX_SHOWN_ROWS as i64 - 1).min(end - 1)
        )));
    }
    let values: Vec<Scalar> = steps.rows.iter().map(|r| r.value.clone()).collect();
    if !values.is_empty() && rows.is_none() && !shortened {
        let shown_values: Vec<String> = values
            .iter()
            .map(|v| shown(&scale.map_or(v.clone(), |h| v.mul(h)), fmt))
            .collect();
        let seq = if start == 0 {
            format!("[{}]", shown_values.join(", "))
        } else {
            format!("[{}] from {start}", shown_values.join(", "))
        };
        doc.push(Block::Para(format!("{} = {seq}", names.out)));
    }
    doc.json = json!({
        "type": "steps",
        "op": op.name(),
        "mode": mode_name(mode),
        "zeros": zeros,
        "start": start,
        "len": len,
        "rows": steps.rows.iter().map(|r| {
            crate::eval::check_cancel(span)?;
            Ok(json!({
                "n": r.n,
                "terms": r.terms.iter().map(|t| term_json(t, op, r.n, fmt)).collect::<Vec<_>>(),
                "value": json_scalar(&scale.map_or(r.value.clone(), |h| r.value.mul(h)), fmt),
            }))
        }).collect::<EvalResult<Vec<_>>>()?,
    });
    if let Some(h) = scale {
        doc.json["h"] = json_scalar(h, fmt);
    }
    if shortened {
        doc.json["shortened"] = json!(true);
    }
    Ok(doc)
}

fn sliding_doc(
    op: Op,
    x: &Sequence,
    y: &Sequence,
    n: i64,
    names: &Names,
    fmt: &NumFmt,
    span: Span,
) -> EvalResult<Doc> {
    let xs = x.elems.scalars();
    let ys = y.elems.scalars();
    let s = engine::sliding_1d(op, SeqRef::new(x.start, &xs), SeqRef::new(y.start, &ys), n)
        .map_err(|e| conv_err(span, e))?;
    if s.x.len() > MAX_SHOWN_ROWS {
        return err_hint(
            span,
            format!(
                "the sliding view at n = {n} has {} columns, too wide to show",
                s.x.len()
            ),
            "use `steps conv(a, b) at n..n` for the term sum",
        );
    }
    let kernel_index = kernel_index(op, n);
    let kernel_row = format!("{}[{kernel_index}]", names.y);
    let mut header = vec!["m".to_string()];
    header.extend((0..s.x.len()).map(|i| s.m(i).to_string()));
    let cols = header.len();
    let cell = |v: &Option<Scalar>| v.as_ref().map_or("·".to_string(), |s| shown(s, fmt));
    let mut t = Table {
        header,
        rows: Vec::new(),
        math: vec![true; cols],
        right: vec![true; cols],
    };
    let mut r1 = vec![format!("{}[m]", names.x)];
    r1.extend(s.x.iter().map(cell));
    let mut r2 = vec![kernel_row.clone()];
    r2.extend(s.kernel.iter().map(cell));
    let mut r3 = vec![format!("{}[m]·{kernel_row}", names.x)];
    r3.extend(s.products.iter().map(cell));
    t.rows = vec![r1, r2, r3];
    let terms: Vec<String> = (0..s.x.len())
        .filter_map(|i| match (&s.x[i], &s.kernel[i]) {
            (Some(a), Some(b)) => Some(format!("{}·{}", factor(a, fmt), factor(b, fmt))),
            _ => None,
        })
        .collect();
    let sum = if terms.is_empty() {
        "0 (no overlap)".into()
    } else {
        terms.join(" + ")
    };
    let line = equation(&format!("{}[{n}]", names.out), &sum, &shown(&s.value, fmt));
    let expl = match op {
        Op::Conv => format!(
            "{y} flipped and shifted by n = {n}: under column m sits {y}[{kernel_index}], so {y}[0] is under m = {n}",
            y = names.y
        ),
        Op::Corr => format!(
            "{y} shifted by n = {n}, not flipped: under column m sits {y}[{kernel_index}], so {y}[0] is under m = {n}",
            y = names.y
        ),
    };
    let doc = Doc::new(json!({
        "type": "steps",
        "op": op.name(),
        "n": n,
        "m": (0..s.x.len()).map(|i| s.m(i)).collect::<Vec<_>>(),
        "x": s.x.iter().map(|v| v.as_ref().map_or(Json::Null, |v| json_scalar(v, fmt))).collect::<Vec<_>>(),
        "kernel": s.kernel.iter().map(|v| v.as_ref().map_or(Json::Null, |v| json_scalar(v, fmt))).collect::<Vec<_>>(),
        "products": s.products.iter().map(|v| v.as_ref().map_or(Json::Null, |v| json_scalar(v, fmt))).collect::<Vec<_>>(),
        "value": json_scalar(&s.value, fmt),
    }))
    .with(Block::Heading(format!("{}({}, {}) at n = {n}", op.name(), names.x, names.y)))
    .with(Block::Para(expl))
    .with(Block::Table(t))
    .with(Block::Math(vec![line]));
    Ok(doc)
}

fn cell_name(p: (i64, i64)) -> String {
    format!("[{}, {}]", p.0, p.1)
}

#[allow(clippy::too_many_arguments)]
fn window_doc(
    op: Op,
    a: &Grid<Scalar>,
    k: &Grid<Scalar>,
    opts: &Conv2dOptions,
    at: (usize, usize),
    an: &str,
    kn: &str,
    fmt: &NumFmt,
    span: Span,
) -> EvalResult<Doc> {
    let w = conv2d::window_2d(op, a, k, opts, at).map_err(|e| conv_err(span, e))?;
    let grid_table = |g: &Grid<String>| {
        let cols = g.cols();
        let mut t = Table {
            header: (0..cols).map(|c| c.to_string()).collect(),
            rows: Vec::new(),
            math: vec![true; cols],
            right: vec![true; cols],
        };
        t.header.insert(0, String::new());
        t.math.push(true);
        t.right.push(true);
        for r in 0..g.rows() {
            let mut row = vec![r.to_string()];
            row.extend(g.row(r).iter().cloned());
            t.rows.push(row);
        }
        t
    };
    let window = w.cells.map(|c| {
        let v = shown(&c.value, fmt);
        if c.padding {
            format!("{v} (pad)")
        } else {
            v
        }
    });
    let kernel = w.kernel.map(|v| shown(v, fmt));
    let products = w.products.map(|v| shown(v, fmt));
    let terms: Vec<String> = w
        .cells
        .data()
        .iter()
        .zip(w.kernel.data())
        .map(|(c, kv)| format!("{}·{}", factor(&c.value, fmt), factor(kv, fmt)))
        .collect();
    let first = w.cells.data().first().map(|c| c.pos).unwrap_or((0, 0));
    let kernel_note = match op {
        Op::Conv => format!("{kn} flipped in both axes (conv)"),
        Op::Corr => format!("{kn} as given (corr: no flip)"),
    };
    let line = equation(
        &format!("out[{}, {}]", at.0, at.1),
        &terms.join(" + "),
        &shown(&w.value, fmt),
    );
    let doc = Doc::new(json!({
        "type": "steps",
        "op": op.name(),
        "at": [at.0, at.1],
        "window_origin": [first.0, first.1],
        "window": w.cells.to_rows().iter().map(|r| r.iter().map(|c| json_scalar(&c.value, fmt)).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "kernel": w.kernel.to_rows().iter().map(|r| r.iter().map(|v| json_scalar(v, fmt)).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "products": w.products.to_rows().iter().map(|r| r.iter().map(|v| json_scalar(v, fmt)).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "value": json_scalar(&w.value, fmt),
    }))
    .with(Block::Heading(format!("{}({an}, {kn}) at ({}, {})", op.name(), at.0, at.1)))
    .with(Block::Para(format!("the window of {an} starting at {}", cell_name(first))))
    .with(Block::Table(grid_table(&window)))
    .with(Block::Para(format!("the kernel as applied: {kernel_note}")))
    .with(Block::Table(grid_table(&kernel)))
    .with(Block::Para("the products, cell by cell".into()))
    .with(Block::Table(grid_table(&products)))
    .with(Block::Math(vec![line]));
    Ok(doc)
}

#[allow(clippy::too_many_arguments)]
fn steps_2d_doc(
    op: Op,
    a: &Grid<Scalar>,
    k: &Grid<Scalar>,
    opts: &Conv2dOptions,
    zeros: bool,
    cells: Option<Range<usize>>,
    fmt: &NumFmt,
    span: Span,
) -> EvalResult<Doc> {
    let shape = conv2d::shape2d(a.shape(), k.shape(), op, opts).map_err(|e| conv_err(span, e))?;
    let (or, oc) = shape.out();
    let total = or * oc;
    let requested = cells.unwrap_or(0..total);
    let shortened = requested.len() > MAX_SHOWN_ROWS;
    let range = requested.start
        ..requested
            .end
            .min(requested.start + MAX_SHOWN_ROWS)
            .min(total);
    let steps = conv2d::steps_2d(op, a, k, opts, zeros, Some(range.clone()))
        .map_err(|e| conv_err(span, e))?;
    let mut lines = Vec::new();
    let mut data = Table::new(&["i", "j", "terms", "value"]);
    for r in &steps.rows {
        let terms: Vec<String> = r
            .terms
            .iter()
            .map(|t| format!("{}·{}", factor(&t.x, fmt), factor(&t.k, fmt)))
            .collect();
        let sum = if terms.is_empty() {
            "0".into()
        } else {
            terms.join(" + ")
        };
        lines.push(equation(
            &format!("out[{}, {}]", r.out.0, r.out.1),
            &sum,
            &shown(&r.value, fmt),
        ));
        data.push(vec![
            r.out.0.to_string(),
            r.out.1.to_string(),
            sum,
            r.value.format_cas(fmt),
        ]);
    }
    let mut doc = Doc::new(json!({
        "type": "steps",
        "op": op.name(),
        "shape": [or, oc],
        "rows": steps.rows.iter().map(|r| json!({
            "at": [r.out.0, r.out.1],
            "terms": r.terms.iter().map(|t| json!({
                "pos": [t.pos.0, t.pos.1],
                "padding": t.padding,
                "x": json_scalar(&t.x, fmt),
                "kernel_index": [t.kernel_index.0, t.kernel_index.1],
                "k": json_scalar(&t.k, fmt),
                "product": json_scalar(&t.product, fmt),
            })).collect::<Vec<_>>(),
            "value": json_scalar(&r.value, fmt),
        })).collect::<Vec<_>>(),
    }))
    .with(Block::Heading(format!(
        "{} in 2D: {or}×{oc} outputs",
        op.name()
    )))
    .with(Block::Para(match op {
        Op::Conv => "each output is the window times the kernel flipped in both axes".to_string(),
        Op::Corr => {
            "each output is the window times the kernel as given (no flip, as CNN layers do)"
                .to_string()
        }
    }));
    if lines.is_empty() {
        doc.push(Block::Para("no outputs: the kernel fits nowhere".into()));
    } else {
        doc.push(Block::Math(lines));
    }
    doc.push(Block::Data(data));
    if shortened {
        doc.push(Block::Note(format!(
            "showing cells {}…{} of {total} (row-major); see one with `at (i, j)` or others with a range `at {}..{}`",
            range.start,
            range.end - 1,
            range.end,
            (range.end + MAX_SHOWN_ROWS - 1).min(total - 1)
        )));
    }
    Ok(doc)
}

/// `steps T @ v`: each row of the product as its term sum.
pub fn steps_matvec(session: &mut Session, lhs: &Expr, rhs: &Expr, span: Span) -> EvalResult<Doc> {
    let fmt = session.settings.num;
    let mut ctx = session.ctx();
    let m = match ctx.eval(lhs)? {
        Value::Matrix(m) => m,
        other => {
            return err(
                lhs.span,
                format!(
                    "the left side of @ must be a matrix, not {}",
                    other.kind_name()
                ),
            )
        }
    };
    let v: Vec<Scalar> = match ctx.eval(rhs)? {
        Value::Sequence(s) => s.elems.scalars().into_owned(),
        Value::Matrix(c) if c.cols == 1 => c.elems.scalars().into_owned(),
        other => {
            return err(
                rhs.span,
                format!(
                    "the right side of @ must be a sequence (a column vector), not {}",
                    other.kind_name()
                ),
            )
        }
    };
    if m.elems.is_complex() {
        return err(
            lhs.span,
            "step tables show real or symbolic values; this matrix is complex",
        );
    }
    if v.len() != m.cols {
        return err_hint(
            span,
            format!(
                "the matrix has {} columns but the vector has {} entries",
                m.cols,
                v.len()
            ),
            "conv_matrix(b, n) acts on sequences of length n",
        );
    }
    let g = grid_of(&m, m.elems.scalars().into_owned(), span)?;
    let rows = 0..m.rows.min(MAX_SHOWN_ROWS);
    let steps =
        toeplitz::matvec_steps(&g, &v, false, Some(rows.clone())).map_err(|e| conv_err(span, e))?;
    let mut lines = Vec::new();
    let mut data = Table::new(&["row", "terms", "value"]);
    for r in &steps.rows {
        let terms: Vec<String> = r
            .terms
            .iter()
            .map(|t| format!("{}·{}", factor(&t.a, &fmt), factor(&t.v, &fmt)))
            .collect();
        let sum = if terms.is_empty() {
            "0".into()
        } else {
            terms.join(" + ")
        };
        lines.push(equation(
            &format!("y[{}]", r.row),
            &sum,
            &shown(&r.value, &fmt),
        ));
        data.push(vec![r.row.to_string(), sum, r.value.format_cas(&fmt)]);
    }
    let nz = g.data().iter().filter(|x| !x.is_zero()).count();
    let mut doc = Doc::new(json!({
        "type": "steps",
        "op": "matvec",
        "rows": steps.rows.iter().map(|r| json!({
            "row": r.row,
            "terms": r.terms.iter().map(|t| json!({"col": t.col, "a": json_scalar(&t.a, &fmt), "v": json_scalar(&t.v, &fmt), "product": json_scalar(&t.product, &fmt)})).collect::<Vec<_>>(),
            "value": json_scalar(&r.value, &fmt),
        })).collect::<Vec<_>>(),
    }))
    .with(Block::Heading(format!("{}×{} matrix times a vector of {}", m.rows, m.cols, v.len())))
    .with(Block::Para("row i of the product is Σⱼ T[i, j]·v[j]; zero entries of T are left out".into()))
    .with(Block::Math(lines))
    .with(Block::Data(data));
    doc.push(Block::Note(format!(
        "{nz} nonzeros of {} entries: the product costs {nz} multiply-adds",
        m.rows * m.cols
    )));
    if m.rows > MAX_SHOWN_ROWS {
        doc.push(Block::Note(format!(
            "showing the first {MAX_SHOWN_ROWS} of {} rows",
            m.rows
        )));
    }
    Ok(doc)
}

fn poly_text(s: &Sequence, fmt: &NumFmt) -> String {
    let mut terms = Vec::new();
    for (i, c) in s.elems.scalars().iter().enumerate() {
        if c.is_zero() {
            continue;
        }
        let p = s.start + i as i64;
        let mono = match p {
            0 => String::new(),
            1 => "x".into(),
            _ => format!("x^{p}"),
        };
        let coef = factor(c, fmt);
        terms.push(if mono.is_empty() {
            coef
        } else if coef == "1" {
            mono
        } else {
            format!("{coef}·{mono}")
        });
    }
    if terms.is_empty() {
        "0".into()
    } else {
        terms.join(" + ")
    }
}

fn sequence_of(ctx: &mut Ctx, e: &Expr) -> EvalResult<Sequence> {
    // `as_poly(a)`: the argument itself.
    let inner = match &e.kind {
        ExprKind::Call { func, args } if func.name == "as_poly" && args.len() == 1 => {
            &args[0].value
        }
        _ => e,
    };
    match ctx.eval(inner)? {
        Value::Sequence(s) => Ok(s),
        other => err(
            inner.span,
            format!("as_poly needs a sequence, not {}", other.kind_name()),
        ),
    }
}

/// `steps as_poly(a) * as_poly(b)`: the coefficient of each power as the
/// convolution sum it is.
pub fn steps_poly(session: &mut Session, lhs: &Expr, rhs: &Expr, span: Span) -> EvalResult<Doc> {
    let fmt = session.settings.num;
    let mut ctx = session.ctx();
    let a = sequence_of(&mut ctx, lhs)?;
    let b = sequence_of(&mut ctx, rhs)?;
    if a.elems.is_complex() || b.elems.is_complex() {
        return err(span, "step tables show real or symbolic values");
    }
    let (x, y) = arg_names(
        &ctx,
        call_arg(lhs),
        call_arg(rhs),
        &["a", "p", "u"],
        &["b", "q", "v"],
    );
    let names = Names {
        x,
        y,
        out: "c".into(),
    };
    let xs = a.elems.scalars();
    let ys = b.elems.scalars();
    let st = engine::steps_1d(
        Op::Conv,
        SeqRef::new(a.start, &xs),
        SeqRef::new(b.start, &ys),
        Mode::Full,
        false,
        None,
    )
    .map_err(|e| conv_err(span, e))?;
    if st.rows.len() > MAX_SHOWN_ROWS {
        return err_hint(
            span,
            format!(
                "the product has {} coefficients, too many to show",
                st.rows.len()
            ),
            "use `steps conv(a, b) at n..m` for a part",
        );
    }
    let mut lines = vec![format!(
        "({})·({})",
        poly_text(&a, &fmt),
        poly_text(&b, &fmt)
    )];
    for r in &st.rows {
        let mono = match r.n {
            0 => "x^0".to_string(),
            1 => "x^1".into(),
            n => format!("x^{n}"),
        };
        let terms: Vec<String> = r.terms.iter().map(|t| term_text(t, &fmt)).collect();
        lines.push(format!(
            "{mono}: {} = {}",
            if terms.is_empty() {
                "0".into()
            } else {
                terms.join(" + ")
            },
            shown(&r.value, &fmt)
        ));
    }
    let product =
        Sequence::from_scalars(st.start, st.rows.iter().map(|r| r.value.clone()).collect());
    lines.push(format!("= {}", poly_text(&product, &fmt)));
    Ok(Doc::new(json!({
        "type": "steps",
        "op": "poly",
        "rows": st.rows.iter().map(|r| json!({
            "power": r.n,
            "terms": r.terms.iter().map(|t| term_json(t, Op::Conv, r.n, &fmt)).collect::<Vec<_>>(),
            "value": json_scalar(&r.value, &fmt),
        })).collect::<Vec<_>>(),
    }))
    .with(Block::Heading(format!(
        "as_poly({}) · as_poly({})",
        names.x, names.y
    )))
    .with(Block::Para(format!(
        "the coefficient of x^n collects every {}[m]·{}[n−m]: the same sum as conv({}, {})[n]",
        names.x, names.y, names.x, names.y
    )))
    .with(Block::Math(lines)))
}

fn call_arg(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Call { func, args } if func.name == "as_poly" && args.len() == 1 => {
            &args[0].value
        }
        _ => e,
    }
}

/// `steps riemann(conv(f, g), h) [at n]`: the discretized sum's terms with
/// the factor h, and at one n the integral it approximates.
pub fn steps_riemann(
    session: &mut Session,
    args: &[Arg],
    at: Option<&Expr>,
    options: &[Arg],
    span: Span,
) -> EvalResult<Doc> {
    let zeros = zeros_option(options)?;
    let at = parse_at(session, at)?;
    let fmt = session.settings.num;
    let mut ctx = session.ctx();
    let a = Args::of(crate::registry::Operation::Riemann, args, span, 2, 2)?;
    let v = ctx.eval(&a.positional[0].value)?;
    let Some(c) = crate::eval::continuous::as_conv(&v) else {
        return err_hint(
            a.positional[0].span,
            format!(
                "riemann needs a convolution of two functions, not {}",
                v.kind_name()
            ),
            "e.g. steps riemann(conv(f, g), 0.25) at 4",
        );
    };
    let h = ctx.real(&a.positional[1].value, "the step h")?;
    let (x, y) = crate::eval::continuous::riemann_inputs(&mut ctx, c, &h, &a, span)?;
    let op = c.op;
    let names = Names {
        x: format!("{}(mh)", c.f.display_name()),
        y: format!("{}(…)", c.g.display_name()),
        out: "r".into(),
    };
    let hs = Scalar::Num(h.clone());
    let hf = h.to_f64();
    let mut doc = match at {
        At::All => steps_1d_doc(
            op,
            &x,
            &y,
            Mode::Full,
            zeros,
            None,
            &names,
            &fmt,
            Some(&hs),
            span,
        )?,
        At::Range(lo, hi) => steps_1d_doc(
            op,
            &x,
            &y,
            Mode::Full,
            zeros,
            Some(lo..hi + 1),
            &names,
            &fmt,
            Some(&hs),
            span,
        )?,
        At::Cell(..) => return err_hint(span, "riemann sums have one index", "e.g. `at 4`"),
        At::Index(n) => {
            let mut d = steps_1d_doc(
                op,
                &x,
                &y,
                Mode::Full,
                zeros,
                Some(n..n + 1),
                &names,
                &fmt,
                Some(&hs),
                span,
            )?;
            let t = n as f64 * hf;
            if let (Ok(exact), Some(approx)) = (
                c.value(t, &|| false),
                crate::eval::continuous::riemann_at(c, hf, t),
            ) {
                d.push(Block::Para(format!(
                    "t = n·h = {}: the integral {}(t) = {} (± {}); the sum misses it by {}",
                    crate::value::number::format_float(t, fmt.precision),
                    c.title(),
                    crate::value::number::format_float(exact.value, fmt.precision),
                    crate::value::number::format_float(exact.error, 2),
                    crate::value::number::format_float((approx - exact.value).abs(), 3),
                )));
            }
            d
        }
    };
    if let Some(Block::Heading(hd)) = doc.blocks.first_mut() {
        *hd = format!("riemann({}, h = {})", c.title(), shown(&hs, &fmt));
    }
    if let Some(Block::Para(p)) = doc.blocks.get_mut(1) {
        *p = match op {
            Op::Conv => format!(
                "r[n] = h·Σₘ {f}(m·h)·{g}((n−m)·h), which approximates {t}(n·h); each term is {f}(m·h)·{g}((n−m)·h)",
                f = c.f.display_name(),
                g = c.g.display_name(),
                t = c.title()
            ),
            Op::Corr => format!(
                "r[n] = h·Σₘ {f}((n+m)·h)·{g}(m·h), which approximates {t}(n·h)",
                f = c.f.display_name(),
                g = c.g.display_name(),
                t = c.title()
            ),
        };
    }
    Ok(doc)
}

/// `steps cconv(x, y, N)`: each output k as its terms, the wrapped ones marked.
pub fn steps_cconv(session: &mut Session, args: &[Arg], span: Span) -> EvalResult<Doc> {
    let fmt = session.settings.num;
    let mut ctx = session.ctx();
    let a = Args::check("cconv", args, span, 3, 3, &[])?;
    let x = sequence_arg(&mut ctx, a.positional[0], "cconv", "its first argument")?;
    let y = sequence_arg(&mut ctx, a.positional[1], "cconv", "its second argument")?;
    let n = ctx.integer(&a.positional[2].value, "the period N")?;
    if x.elems.is_complex() || y.elems.is_complex() {
        return err(span, "step tables show real or symbolic values");
    }
    let (xn, yn) = arg_names(
        &ctx,
        &a.positional[0].value,
        &a.positional[1].value,
        &["x", "u", "p"],
        &["y", "h", "v", "q"],
    );
    let xs = x.elems.scalars();
    let ys = y.elems.scalars();
    let rows = 0..(n.max(0) as usize).min(MAX_SHOWN_ROWS);
    let st = engine::cconv_steps(
        SeqRef::new(x.start, &xs),
        SeqRef::new(y.start, &ys),
        n,
        Some(rows),
    )
    .map_err(|e| conv_err(a.positional[2].span, e))?;
    let mut lines = Vec::new();
    let mut any_wrapped = false;
    for r in &st.rows {
        let terms: Vec<String> = r
            .terms
            .iter()
            .map(|t| {
                let s = format!("{}[{}]·{}[{}]", xn, t.m, yn, t.p);
                any_wrapped |= t.wrapped;
                if t.wrapped {
                    format!("{s}↺")
                } else {
                    s
                }
            })
            .collect();
        let values: Vec<String> = r
            .terms
            .iter()
            .map(|t| format!("{}·{}", factor(&t.x, &fmt), factor(&t.y, &fmt)))
            .collect();
        let sum = if terms.is_empty() {
            "0".to_string()
        } else {
            terms.join(" + ")
        };
        let vsum = if values.is_empty() {
            "0".to_string()
        } else {
            values.join(" + ")
        };
        lines.push(format!(
            "c[{}] = {sum} = {vsum} = {}",
            r.k,
            shown(&r.value, &fmt)
        ));
    }
    let mut doc = Doc::new(json!({
        "type": "steps",
        "op": "cconv",
        "period": st.period,
        "rows": st.rows.iter().map(|r| json!({
            "k": r.k,
            "terms": r.terms.iter().map(|t| json!({"m": t.m, "p": t.p, "x": json_scalar(&t.x, &fmt), "y": json_scalar(&t.y, &fmt), "product": json_scalar(&t.product, &fmt), "wrapped": t.wrapped})).collect::<Vec<_>>(),
            "value": json_scalar(&r.value, &fmt),
        })).collect::<Vec<_>>(),
    }))
    .with(Block::Heading(format!("cconv({xn}, {yn}, {n})")))
    .with(Block::Para(format!(
        "c[k] = Σ {xn}[m]·{yn}[p] over m + p ≡ k (mod {n}): the linear convolution folded onto one period"
    )))
    .with(Block::Math(lines));
    if any_wrapped {
        doc.push(Block::Note(format!(
            "↺ marks a term whose index m + p lies outside 0…{}: it wrapped around, which is where cconv and conv differ",
            n - 1
        )));
    }
    if st.period > MAX_SHOWN_ROWS {
        doc.push(Block::Note(format!(
            "showing the first {MAX_SHOWN_ROWS} of {} outputs",
            st.period
        )));
    }
    Ok(doc)
}
