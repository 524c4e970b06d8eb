//! The discrete operations as the user calls them: `conv`/`corr` of
//! sequences and matrices (and the hand-off to the continuous engine for
//! functions), `cconv`, `dft`/`idft`, `conv_transpose`, `conv_matrix`,
//! `shape`, and the step tables of discrete and 2D convolutions.
//!
//! Storage decides the engine: float sequences take the float engine (direct
//! or overlap-add FFT, whichever is cheaper); exact and symbolic sequences
//! take the generic direct sum on [`Scalar`]s, so `1/3` stays `1/3` and
//! `[a, b]` stays symbolic; complex sequences take the direct sum on
//! complex numbers.

use num_complex::Complex64;

use crate::diagnostic::Diagnostic;
use crate::engine::conv2d::{self, Boundary, Conv2dOptions, Method2d, Padding};
use crate::engine::discrete::{self as engine, ConvError, Mode, Op, SeqRef};
use crate::engine::toeplitz;
use crate::eval::calls::Args;
use crate::eval::CheckInterrupt;
use crate::eval::{err, err_hint, Ctx, EvalResult};
use crate::registry::Operation;
use crate::syntax::ast::{Arg, ExprKind, Ident};
use crate::syntax::span::Span;
use crate::value::array::{Elems, Matrix, Sequence};
use crate::value::grid::Grid;
use crate::value::number::Number;
use crate::value::scalar::Scalar;
use crate::value::Value;

/// Rows of a step table shown before it is shortened (the rest is reachable
/// with `at n` or a range).
pub const MAX_SHOWN_ROWS: usize = 200;

pub(crate) const MODES: &[&str] = &["full", "same", "valid"];
pub(crate) const BOUNDARIES: &[&str] = &["zero", "wrap", "reflect", "nearest"];

pub(crate) fn conv_err(span: Span, e: ConvError) -> Box<Diagnostic> {
    if e == ConvError::Interrupted {
        return Box::new(crate::eval::interrupted(span));
    }
    let hint = match &e {
        ConvError::TooManyRows { .. } | ConvError::TooManyTerms { .. } => {
            Some("e.g. `steps conv(a, b) at 3` or `steps conv(a, b) at 10..20`")
        }
        ConvError::TooMuchWork { .. } => Some("multiply by 1.0 to convert: `conv(1.0*a, b)`"),
        ConvError::BadOption { name, .. } => Some(match *name {
            "the period" => "N is the length of one period; at least the length of conv(a, b) avoids wrapping, e.g. `cconv(a, b, 8)`",
            "the DFT length" => "N is the number of frequency bins, e.g. `dft(x, 8)`",
            "the input length" => "n is the length of the sequence the matrix multiplies, e.g. `conv_matrix(b, 4)`",
            _ => "stride and dilation are whole numbers from 1 and padding from 0, small compared with the input (see `help conv`)",
        }),
        ConvError::TooWideView { .. } => Some(
            "the output is 0 there (no overlap); pick an n inside the output's range, which `shape` shows",
        ),
        _ => None,
    };
    let d = Diagnostic::error(e.to_string(), Some(span));
    Box::new(match hint {
        Some(h) => d.with_hint(h),
        None => d,
    })
}

pub(crate) fn op_of(name: &str) -> Op {
    if name == "corr" {
        Op::Corr
    } else {
        Op::Conv
    }
}

/// `conv`, `corr`, `cconv`, `dft`, `idft`, `conv_transpose`, `conv_matrix`.
pub fn call(ctx: &mut Ctx, func: &Ident, args: &[Arg], span: Span) -> EvalResult<Value> {
    match func.name.as_str() {
        "conv" | "corr" => conv_call(ctx, op_of(&func.name), &func.name, args, span),
        "cconv" => cconv_call(ctx, args, span),
        "dft" | "idft" => dft_call(ctx, func.name == "idft", args, span),
        "conv_transpose" => transpose_call(ctx, args, span),
        "conv_matrix" => conv_matrix_call(ctx, args, span),
        other => err(func.span, format!("unknown function '{other}'")),
    }
}

// ---------------------------------------------------------------------------
// Options

pub(crate) fn mode_option(a: &Args) -> EvalResult<Option<Mode>> {
    Ok(a.word("mode", MODES)?.map(|(w, _)| match w.as_str() {
        "same" => Mode::Same,
        "valid" => Mode::Valid,
        _ => Mode::Full,
    }))
}

/// A per-axis option: a number for both axes, or `[rows, cols]`.
pub(crate) fn pair_option(
    ctx: &mut Ctx,
    a: &Args,
    name: &str,
    default: i64,
) -> EvalResult<(i64, i64)> {
    let Some(arg) = a.get(name) else {
        return Ok((default, default));
    };
    let v = ctx.eval(&arg.value)?;
    let int = |s: Option<Scalar>| -> Option<i64> {
        let n = s?.as_number()?.clone();
        let f = n.to_f64();
        (f.fract() == 0.0 && f.abs() < 1e15).then_some(f as i64)
    };
    let bad = || {
        err_hint(
            arg.value.span,
            format!("{name} must be a whole number or a pair [rows, cols]"),
            format!("e.g. `{name}=2` or `{name}=[2, 1]`"),
        )
    };
    let pair = match &v {
        Value::Scalar(s) => match int(Some(s.clone())) {
            Some(n) => (n, n),
            None => return bad(),
        },
        Value::Sequence(s) if s.len() == 2 => match (int(s.elems.get(0)), int(s.elems.get(1))) {
            (Some(r), Some(c)) => (r, c),
            _ => return bad(),
        },
        _ => return bad(),
    };
    // Checked here, so the caret lands on the option's value.
    let (min, advice) = match name {
        "padding" | "output_padding" => (
            0,
            "padding adds that many zeros on each side; `padding=same` keeps the input's size",
        ),
        "stride" => (
            1,
            "stride=1 visits every position, stride=2 every other one",
        ),
        _ => (
            1,
            "dilation=1 is the kernel as written; dilation=2 spreads its taps one sample apart",
        ),
    };
    let worst = pair.0.min(pair.1);
    if worst < min {
        let bound = if min == 0 { "0 or more" } else { "at least 1" };
        return err_hint(
            arg.value.span,
            format!("{name} must be {bound}, not {worst}"),
            advice,
        );
    }
    Ok(pair)
}

/// The 2D options; `None` for mode means "not given".
pub(crate) fn options_2d(ctx: &mut Ctx, a: &Args) -> EvalResult<Conv2dOptions> {
    let explicit_mode = mode_option(a)?;
    let stride = pair_option(ctx, a, "stride", 1)?;
    let dilation = pair_option(ctx, a, "dilation", 1)?;
    let padding = match a.get("padding") {
        Some(p) if matches!(&p.value.kind, ExprKind::Ident(w) | ExprKind::Str(w) if w == "same") => {
            Padding::Same
        }
        Some(_) => {
            let (r, c) = pair_option(ctx, a, "padding", 0)?;
            Padding::Explicit(r, c)
        }
        None => Padding::Explicit(0, 0),
    };
    let boundary = match a.word("boundary", BOUNDARIES)? {
        Some((w, _)) => match w.as_str() {
            "wrap" => Boundary::Wrap,
            "reflect" => Boundary::Reflect,
            "nearest" => Boundary::Nearest,
            _ => Boundary::Zero,
        },
        None => Boundary::Zero,
    };
    // PyTorch semantics: with stride, padding or dilation and no mode, the
    // kernel only visits positions inside the (explicitly) padded input.
    let pytorch =
        a.get("stride").is_some() || a.get("padding").is_some() || a.get("dilation").is_some();
    let mode = explicit_mode.unwrap_or(if pytorch { Mode::Valid } else { Mode::Full });
    Ok(Conv2dOptions {
        mode,
        stride,
        padding,
        dilation,
        boundary,
    })
}

// ---------------------------------------------------------------------------
// conv / corr

pub(crate) fn conv_call(
    ctx: &mut Ctx,
    op: Op,
    name: &str,
    args: &[Arg],
    span: Span,
) -> EvalResult<Value> {
    let a = Args::of(Operation::of_op(op), args, span, 2, 2)?;
    let (xa, ya) = (a.positional[0], a.positional[1]);
    let x = ctx.eval(&xa.value)?;
    let y = ctx.eval(&ya.value)?;
    match (x, y) {
        (Value::Sequence(x), Value::Sequence(y)) => {
            if let Some(o) = a
                .named
                .iter()
                .find(|o| o.name.as_ref().is_some_and(|n| n.name != "mode"))
            {
                let n = &o.name.as_ref().expect("named").name;
                return err_hint(
                    o.span,
                    format!("{n} applies to 2D convolution of matrices"),
                    "for sequences only mode=full|same|valid is available",
                );
            }
            let mode = mode_option(&a)?.unwrap_or_default();
            let s = conv_sequences(ctx, &x, &y, op, mode, span)?;
            Ok(Value::Sequence(s))
        }
        (Value::Matrix(x), Value::Matrix(k)) => {
            let opts = options_2d(ctx, &a)?;
            conv_matrices(op, &x, &k, &opts, span).map(Value::Matrix)
        }
        (Value::Function(f), Value::Function(g)) => {
            if let Some(o) = a.named.first() {
                return err_hint(
                    o.span,
                    format!("{name} of two functions takes no options"),
                    "modes, stride and padding are for sequences and matrices",
                );
            }
            crate::eval::continuous::make_conv(op, f, g, span)
        }
        (Value::Sequence(_), Value::Matrix(_)) | (Value::Matrix(_), Value::Sequence(_)) => {
            err_hint(
                span,
                format!("{name} of a sequence and a matrix"),
                "a 1D kernel on a matrix is a 1-row matrix: write it as [1, 2, 3;] or [[1, 2, 3]]",
            )
        }
        (x, y) => {
            let (bad, s) = if matches!(
                x,
                Value::Sequence(_) | Value::Matrix(_) | Value::Function(_)
            ) {
                (y, ya.span)
            } else {
                (x, xa.span)
            };
            err_hint(
                s,
                format!(
                    "{name} needs two sequences, two matrices or two functions, not {}",
                    bad.kind_name()
                ),
                match bad {
                    Value::Scalar(_) => "a single number is the sequence [c]; to scale, write c*a",
                    _ => "e.g. conv([1, 2, 3], [1, 1]) or conv(f, g)",
                },
            )
        }
    }
}

/// The storage both sequences share for the engine.
pub(crate) enum Pair<'a> {
    Float(std::borrow::Cow<'a, [f64]>, std::borrow::Cow<'a, [f64]>),
    Complex(Vec<Complex64>, Vec<Complex64>),
    General(
        std::borrow::Cow<'a, [Scalar]>,
        std::borrow::Cow<'a, [Scalar]>,
    ),
}

pub(crate) fn pair<'a>(x: &'a Elems, y: &'a Elems) -> Pair<'a> {
    if x.is_complex() || y.is_complex() {
        return Pair::Complex(x.complexes().into_owned(), y.complexes().into_owned());
    }
    let floaty = |e: &Elems| matches!(e, Elems::Float(_)) || e.is_empty();
    if floaty(x) && floaty(y) || (floaty(x) || floaty(y)) && !x.is_symbolic() && !y.is_symbolic() {
        if let (Some(a), Some(b)) = (x.floats(), y.floats()) {
            return Pair::Float(a, b);
        }
    }
    Pair::General(x.scalars(), y.scalars())
}

/// `conv(x, y)` / `corr(x, y)` of two sequences in a mode.
pub fn conv_sequences(
    ctx: &mut Ctx,
    x: &Sequence,
    y: &Sequence,
    op: Op,
    mode: Mode,
    span: Span,
) -> EvalResult<Sequence> {
    ctx.interrupt.check(span)?;
    let (start, elems, empty) = match pair(&x.elems, &y.elems) {
        Pair::Float(a, b) => {
            let out = engine::convolve_f64(
                op,
                SeqRef::new(x.start, &a),
                SeqRef::new(y.start, &b),
                mode,
                engine::Algorithm::Auto,
            )
            .map_err(|e| conv_err(span, e))?;
            (out.seq.start, Elems::Float(out.seq.values), out.empty)
        }
        Pair::Complex(a, b) => {
            let out =
                engine::convolve(op, SeqRef::new(x.start, &a), SeqRef::new(y.start, &b), mode)
                    .map_err(|e| conv_err(span, e))?;
            (
                out.seq.start,
                Elems::from_complex(out.seq.values),
                out.empty,
            )
        }
        Pair::General(a, b) => {
            let out =
                engine::convolve(op, SeqRef::new(x.start, &a), SeqRef::new(y.start, &b), mode)
                    .map_err(|e| conv_err(span, e))?;
            (
                out.seq.start,
                Elems::from_scalars(out.seq.values),
                out.empty,
            )
        }
    };
    if let Some(reason) = empty {
        ctx.warnings.push(Diagnostic::warning(
            format!("empty result: {reason}"),
            Some(span),
        ));
    }
    // An empty float result has no storage kind of its own.
    let elems = if elems.is_empty() {
        Elems::General(Vec::new())
    } else {
        elems
    };
    Ok(Sequence::new(start, elems))
}

pub(crate) fn grid_of<T: Clone>(m: &Matrix, values: Vec<T>, span: Span) -> EvalResult<Grid<T>> {
    Grid::new(m.rows, m.cols, values).map_err(|e| conv_err(span, e.into()))
}

pub(crate) fn conv_matrices(
    op: Op,
    x: &Matrix,
    k: &Matrix,
    opts: &Conv2dOptions,
    span: Span,
) -> EvalResult<Matrix> {
    if x.rows == 0 || x.cols == 0 || k.rows == 0 || k.cols == 0 {
        return err(span, "2D convolution needs non-empty matrices");
    }
    match pair(&x.elems, &k.elems) {
        Pair::Float(a, b) => {
            let (ga, gk) = (
                grid_of(x, a.into_owned(), span)?,
                grid_of(k, b.into_owned(), span)?,
            );
            let out = conv2d::apply2d_f64(op, &ga, &gk, opts, Method2d::Auto)
                .map_err(|e| conv_err(span, e))?;
            let (r, c) = out.shape();
            Ok(Matrix::new(r, c, Elems::Float(out.into_data())))
        }
        Pair::Complex(a, b) => {
            let (ga, gk) = (grid_of(x, a, span)?, grid_of(k, b, span)?);
            let out = conv2d::apply2d(op, &ga, &gk, opts).map_err(|e| conv_err(span, e))?;
            let (r, c) = out.shape();
            Ok(Matrix::new(r, c, Elems::from_complex(out.into_data())))
        }
        Pair::General(a, b) => {
            let (ga, gk) = (
                grid_of(x, a.into_owned(), span)?,
                grid_of(k, b.into_owned(), span)?,
            );
            let out = conv2d::apply2d(op, &ga, &gk, opts).map_err(|e| conv_err(span, e))?;
            let (r, c) = out.shape();
            Ok(Matrix::new(r, c, Elems::from_scalars(out.into_data())))
        }
    }
}

// ---------------------------------------------------------------------------
// cconv, dft, conv_transpose, conv_matrix

pub(crate) fn sequence_arg(
    ctx: &mut Ctx,
    arg: &Arg,
    fname: &str,
    what: &str,
) -> EvalResult<Sequence> {
    match ctx.eval(&arg.value)? {
        Value::Sequence(s) => Ok(s),
        Value::Scalar(s) => Ok(Sequence::from_scalars(0, vec![s])),
        other => err(
            arg.span,
            format!(
                "{fname} needs a sequence as {what}, not {}",
                other.kind_name()
            ),
        ),
    }
}

pub(crate) fn cconv_call(ctx: &mut Ctx, args: &[Arg], span: Span) -> EvalResult<Value> {
    let a = Args::check("cconv", args, span, 3, 3, &[])?;
    let x = sequence_arg(ctx, a.positional[0], "cconv", "its first argument")?;
    let y = sequence_arg(ctx, a.positional[1], "cconv", "its second argument")?;
    let n = ctx.integer(&a.positional[2].value, "the period N")?;
    let nspan = a.positional[2].span;
    // Errors of the period point at N; an interrupt at the whole call.
    let err_at = |e: ConvError| {
        conv_err(
            if e == ConvError::Interrupted {
                span
            } else {
                nspan
            },
            e,
        )
    };
    if !x.is_empty() && !y.is_empty() && n >= 1 {
        let lin_lo = x.start + y.start;
        let lin_hi = lin_lo + (x.len() + y.len()) as i64 - 2;
        if lin_lo < 0 || lin_hi >= n {
            ctx.warnings.push(
                Diagnostic::warning(
                    format!(
                        "the linear convolution covers n = {lin_lo}…{lin_hi}, outside 0…{}: samples wrap around, so cconv differs from conv",
                        n - 1
                    ),
                    Some(nspan),
                )
                .with_hint(format!(
                    "`steps cconv(…)` marks the wrapped terms; a period of at least {} avoids wrapping for sequences from 0",
                    x.len() + y.len() - 1
                )),
            );
        }
    }
    let elems = match pair(&x.elems, &y.elems) {
        Pair::Float(p, q) => {
            let c = engine::cconv_f64(SeqRef::new(x.start, &p), SeqRef::new(y.start, &q), n)
                .map_err(err_at)?;
            Elems::Float(c.values)
        }
        Pair::Complex(p, q) => {
            let c = engine::cconv(SeqRef::new(x.start, &p), SeqRef::new(y.start, &q), n)
                .map_err(err_at)?;
            Elems::from_complex(c.values)
        }
        Pair::General(p, q) => {
            let c = engine::cconv(SeqRef::new(x.start, &p), SeqRef::new(y.start, &q), n)
                .map_err(err_at)?;
            Elems::from_scalars(c.values)
        }
    };
    Ok(Value::Sequence(Sequence::new(0, elems)))
}

pub(crate) fn dft_call(
    ctx: &mut Ctx,
    inverse: bool,
    args: &[Arg],
    span: Span,
) -> EvalResult<Value> {
    let name = if inverse { "idft" } else { "dft" };
    let a = Args::check(name, args, span, 1, 2, &[])?;
    let x = sequence_arg(ctx, a.positional[0], name, "its argument")?;
    if x.elems.is_symbolic() {
        return err_hint(
            a.positional[0].span,
            format!("{name} needs numbers; this sequence has symbols"),
            "the DFT is computed in floating point",
        );
    }
    if x.start != 0 {
        ctx.warnings.push(Diagnostic::warning(
            format!(
                "{name} treats the samples as x[0], x[1], …; this sequence starts at {}",
                x.start
            ),
            Some(a.positional[0].span),
        ));
    }
    let n = match a.positional.get(1) {
        Some(arg) => ctx.integer(&arg.value, "the length N")?,
        None => x.len() as i64,
    };
    let nspan = a.positional.get(1).map_or(span, |p| p.span);
    let values = x.elems.complexes();
    let out = if inverse {
        engine::idft(&values, n)
    } else {
        engine::dft(&values, n)
    }
    .map_err(|e| conv_err(nspan, e))?;
    Ok(Value::Sequence(Sequence::new(0, Elems::from_complex(out))))
}

pub(crate) fn transpose_call(ctx: &mut Ctx, args: &[Arg], span: Span) -> EvalResult<Value> {
    let a = Args::of(Operation::ConvTranspose, args, span, 2, 2)?;
    let x = ctx.eval(&a.positional[0].value)?;
    let k = ctx.eval(&a.positional[1].value)?;
    let stride = pair_option(ctx, &a, "stride", 1)?;
    let padding = pair_option(ctx, &a, "padding", 0)?;
    let dilation = pair_option(ctx, &a, "dilation", 1)?;
    let output_padding = pair_option(ctx, &a, "output_padding", 0)?;
    match (x, k) {
        (Value::Sequence(x), Value::Sequence(k)) => {
            let opts = conv2d::Transpose1dOptions {
                stride: stride.0,
                padding: padding.0,
                dilation: dilation.0,
                output_padding: output_padding.0,
            };
            let elems = match pair(&x.elems, &k.elems) {
                Pair::Float(p, q) => Elems::Float(
                    conv2d::conv_transpose1d(&p, &q, &opts).map_err(|e| conv_err(span, e))?,
                ),
                Pair::Complex(p, q) => Elems::from_complex(
                    conv2d::conv_transpose1d(&p, &q, &opts).map_err(|e| conv_err(span, e))?,
                ),
                Pair::General(p, q) => Elems::from_scalars(
                    conv2d::conv_transpose1d(&p, &q, &opts).map_err(|e| conv_err(span, e))?,
                ),
            };
            Ok(Value::Sequence(Sequence::new(0, elems)))
        }
        (Value::Matrix(x), Value::Matrix(k)) => {
            let opts = conv2d::TransposeOptions {
                stride,
                padding,
                dilation,
                output_padding,
            };
            let (r, c, elems) = match pair(&x.elems, &k.elems) {
                Pair::Float(p, q) => {
                    let g = conv2d::conv_transpose2d(
                        &grid_of(&x, p.into_owned(), span)?,
                        &grid_of(&k, q.into_owned(), span)?,
                        &opts,
                    )
                    .map_err(|e| conv_err(span, e))?;
                    let (r, c) = g.shape();
                    (r, c, Elems::Float(g.into_data()))
                }
                Pair::Complex(p, q) => {
                    let g = conv2d::conv_transpose2d(
                        &grid_of(&x, p, span)?,
                        &grid_of(&k, q, span)?,
                        &opts,
                    )
                    .map_err(|e| conv_err(span, e))?;
                    let (r, c) = g.shape();
                    (r, c, Elems::from_complex(g.into_data()))
                }
                Pair::General(p, q) => {
                    let g = conv2d::conv_transpose2d(
                        &grid_of(&x, p.into_owned(), span)?,
                        &grid_of(&k, q.into_owned(), span)?,
                        &opts,
                    )
                    .map_err(|e| conv_err(span, e))?;
                    let (r, c) = g.shape();
                    (r, c, Elems::from_scalars(g.into_data()))
                }
            };
            Ok(Value::Matrix(Matrix::new(r, c, elems)))
        }
        (x, k) => err_hint(
            span,
            format!(
                "conv_transpose needs two sequences or two matrices, not {} and {}",
                x.kind_name(),
                k.kind_name()
            ),
            "e.g. conv_transpose([1, 2], [1, 1, 1], stride=2)",
        ),
    }
}

pub(crate) fn conv_matrix_call(ctx: &mut Ctx, args: &[Arg], span: Span) -> EvalResult<Value> {
    let a = Args::of(Operation::ConvMatrix, args, span, 2, 2)?;
    let kernel = ctx.eval(&a.positional[0].value)?;
    let size = ctx.eval(&a.positional[1].value)?;
    let sspan = a.positional[1].span;
    match kernel {
        Value::Sequence(b) => {
            if let Some(o) = a
                .named
                .iter()
                .find(|o| o.name.as_ref().is_some_and(|n| n.name != "mode"))
            {
                return err(
                    o.span,
                    "for a 1D conv_matrix only mode=full|same|valid is available",
                );
            }
            let n = match size {
                Value::Scalar(s) => s.as_number().and_then(Number::to_i64),
                _ => None,
            };
            let Some(n) = n else {
                return err_hint(
                    sspan,
                    "the input length must be a whole number",
                    "e.g. conv_matrix(b, 4)",
                );
            };
            if n < 1 {
                return err_hint(
                    sspan,
                    format!("the input length must be at least 1, not {n}"),
                    "conv_matrix(b, n) is the matrix that convolves sequences of length n with b, e.g. conv_matrix(b, 4)",
                );
            }
            let mode = mode_option(&a)?.unwrap_or_default();
            let m = match b.elems.floats() {
                Some(f) if matches!(b.elems, Elems::Float(_)) => {
                    let t = toeplitz::conv_matrix_1d(&f, n, mode).map_err(|e| conv_err(span, e))?;
                    let g = t.to_grid();
                    Matrix::new(g.rows(), g.cols(), Elems::Float(g.into_data()))
                }
                _ => {
                    let t = toeplitz::conv_matrix_1d(&b.elems.scalars(), n, mode)
                        .map_err(|e| conv_err(span, e))?;
                    let g = t.to_grid();
                    Matrix::new(g.rows(), g.cols(), Elems::from_scalars(g.into_data()))
                }
            };
            Ok(Value::Matrix(m))
        }
        Value::Matrix(k) => {
            let hw = match &size {
                Value::Sequence(s) if s.len() == 2 => {
                    let r = s
                        .elems
                        .get(0)
                        .and_then(|v| v.as_number().and_then(Number::to_i64));
                    let c = s
                        .elems
                        .get(1)
                        .and_then(|v| v.as_number().and_then(Number::to_i64));
                    r.zip(c)
                }
                _ => None,
            };
            let Some(hw) = hw else {
                return err_hint(
                    sspan,
                    "the input size of a 2D conv_matrix is [rows, cols]",
                    "e.g. conv_matrix(K, [3, 4], mode=valid)",
                );
            };
            if hw.0 < 1 || hw.1 < 1 {
                return err_hint(
                    sspan,
                    format!("the input size must be at least 1×1, not {}×{}", hw.0, hw.1),
                    "e.g. conv_matrix(K, [3, 4], mode=valid)",
                );
            }
            let op = match a.word("op", &["conv", "corr"])? {
                Some((w, _)) if w == "corr" => Op::Corr,
                _ => Op::Conv,
            };
            let opts = options_2d(ctx, &a)?;
            let m = match k.elems.floats() {
                Some(f) if matches!(k.elems, Elems::Float(_)) => {
                    let g = grid_of(&k, f.into_owned(), span)?;
                    let t = toeplitz::conv_matrix_2d(&g, hw, op, &opts)
                        .map_err(|e| conv_err(span, e))?;
                    let g = t.to_grid();
                    Matrix::new(g.rows(), g.cols(), Elems::Float(g.into_data()))
                }
                _ => {
                    let g = grid_of(&k, k.elems.scalars().into_owned(), span)?;
                    let t = toeplitz::conv_matrix_2d(&g, hw, op, &opts)
                        .map_err(|e| conv_err(span, e))?;
                    let g = t.to_grid();
                    Matrix::new(g.rows(), g.cols(), Elems::from_scalars(g.into_data()))
                }
            };
            Ok(Value::Matrix(m))
        }
        other => err_hint(
            a.positional[0].span,
            format!(
                "conv_matrix needs a kernel sequence or matrix, not {}",
                other.kind_name()
            ),
            "e.g. conv_matrix([1, 0.5, 0.25], 4)",
        ),
    }
}
