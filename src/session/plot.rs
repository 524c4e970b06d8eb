//! `plot` and `animate`: values and convolution steps → [`Figure`]s → a
//! file (PNG, SVG, GIF) or Unicode text for the terminal.
//!
//! # What each item draws
//!
//! * **Functions** are sampled between their breakpoints, each smooth piece
//!   on its own, so a jump is drawn as a jump: a filled dot where the
//!   function takes the value, a hollow one where it does not (`u(0) = 1`
//!   gives a hollow dot at (0, 0) and a filled one at (0, 1)). Point masses
//!   (`delta`) are drawn as stems of their weight. Where a function is NaN or
//!   infinite the curve has a gap, and the result says so in a note.
//!   All functions of one `plot` share one panel with a legend
//!   (`plot f, g over -1..3`); `overlay=off` gives each its own panel.
//! * **Sequences** are stem plots on their own index axis (`[3, -1, 2] from -1`
//!   starts at n = −1). Each gets its own panel, side by side;
//!   `overlay=on` draws them all in one panel.
//! * **Matrices** are heatmaps with the value written in each cell (symbolic
//!   entries show their expression on a grey cell), row 0 at the top.
//! * **`steps conv(f, g) at t`** is four panels: f(τ) and g(τ); g(−τ); g(t − τ)
//!   over f(τ); the product f(τ)·g(t − τ) with its area shaded and the value,
//!   together with the result curve up to t and a marker at (t, (f ∗ g)(t)).
//!   For `corr` the moving factor is f(t + τ), which is not flipped (panel 2
//!   says so).
//! * **`steps conv(a, b) at n`** is four panels on the index axis: `a[m]`; the
//!   kernel flipped and shifted, b[n − m] (for corr shifted only, b[m − n]);
//!   the products with their sum; and the result so far with a marker at n.
//! * **`steps conv(A, K) at (i, j)`** is four heatmaps: the input (padded as
//!   the mode and options pad it) with the window outlined; the kernel as
//!   applied (flipped for conv, as given for corr); the products with their
//!   sum; the output so far with cell (i, j) outlined.
//!
//! Other items may be combined in one `plot`: every panel goes into one grid.
//!
//! # Ranges
//!
//! `over a..b` sets the x range (τ and t for steps, the index range for
//! sequences and discrete animations). Without it: the union of the
//! functions' supports with 20 % margin on each side; an unbounded end gives
//! −5 or 5 (a support [c, ∞) is drawn over c − 1 … max(5, c + 5)), and an
//! unbounded support on both sides −5..5.
//!
//! # Animations
//!
//! `animate conv(f, g) over a..b to "x.gif"` draws `frames` (default
//! [`DEFAULT_FRAMES`]) frames of the four-panel picture for t evenly from a
//! to b, `delay` ms apart (default [`DEFAULT_DELAY_MS`]), with the result curve
//! drawn as t advances; all frames share their axes. Discrete animations
//! (sequences, matrices) have one frame per output index (per output cell in
//! 2D, row by row); `over n0..n1` limits a 1D one to those n. Frame counts are
//! checked against [`MAX_FRAMES`] before anything is computed.
//!
//! # Options
//!
//! `width=` and `height=` set the size: pixels for files (default by layout;
//! [`ANIMATION_SIZE`] for animations), characters for the terminal (default
//! [`TERMINAL_SIZE`]). `title="…"` replaces the figure's title.
//! `overlay=on|off` (plot) and `frames=`, `delay=` (animate) as above.
//!
//! # Output
//!
//! With `to "name.ext"` the file is written atomically (no partial file on
//! error or Ctrl-C) relative to the current directory, and the result says
//! `wrote fg.png (PNG, 720×480)`, as JSON
//! `{"type":"plot","path":…,"format":"png","width":…,"height":…,"frames":1}`.
//! Without `to`, `plot` returns the terminal drawing as preformatted text.

use std::path::Path;
use std::rc::Rc;

use serde_json::json;

use crate::diagnostic::Diagnostic;
use crate::engine::continuous::{self as cont, ContError, Op as COp};
use crate::engine::conv2d::{self, Boundary, Conv2dOptions, Padding};
use crate::engine::discrete::{self as disc, Algorithm, Mode, Op as DOp, SeqRef};
use crate::eval::continuous::{as_conv, ConvFn};
use crate::eval::CheckInterrupt;
use crate::eval::{err, err_hint, interrupted, Ctx, EvalResult, Interrupt};
use crate::render::doc::{Block, Doc};
use crate::render::plot::{
    format_number, raster_support, render_terminal, write_file_with, write_gif_with, CellRect,
    EndMark, Figure, FileFormat, HeatmapPanel, Layout, Panel, PlotError, Series, SeriesKind,
    XyPanel, MAX_FRAMES, MAX_HEATMAP_CELLS, MAX_POINTS_PER_SERIES,
};
use crate::session::Session;
use crate::syntax::ast::{Arg, Command, Expr, ExprKind, Query, StmtKind, StrLit, UnOp};
use crate::syntax::span::Span;
use crate::value::function::{FnBody, Function};
use crate::value::grid::Grid;
use crate::value::number::{format_float, NumFmt, Number};
use crate::value::ring::Ring;
use crate::value::{Elems, Matrix, Scalar, Sequence, Value};

/// Frames of a continuous animation when `frames=` is not given.
pub const DEFAULT_FRAMES: usize = 60;
/// Milliseconds between animation frames when `delay=` is not given.
pub const DEFAULT_DELAY_MS: u32 = 80;
/// Characters (columns, lines) of a terminal plot when `width=`/`height=`
/// are not given.
pub const TERMINAL_SIZE: (usize, usize) = (80, 24);
/// Pixel size of an animation's frames when `width=`/`height=` are not given.
pub const ANIMATION_SIZE: (u32, u32) = (960, 640);
/// Samples per function curve (spread over its pieces by length).
pub const CURVE_SAMPLES: usize = 800;
/// Samples per curve in each frame of an animation.
const FRAME_SAMPLES: usize = 400;
/// Most breakpoints inside the range for which jumps are drawn as jumps.
const MAX_BREAKS: usize = 10_000;
/// Largest width/height option for the terminal, in characters.
const MAX_TERMINAL_SIDE: i64 = 500;

/// Figures built for a `plot` or `animate`, before they are drawn.
#[derive(Clone, Debug)]
pub struct Built {
    /// One figure for `plot`; the frames for `animate`.
    pub figures: Vec<Figure>,
    /// Things the user should know (gaps, inaccurate values, …).
    pub notes: Vec<String>,
    /// Milliseconds between frames (animations).
    pub delay_ms: u32,
    /// Terminal size for `plot` without `to` (columns, lines).
    pub terminal: (usize, usize),
}

// ---------------------------------------------------------------------------
// Entry points

/// `plot ITEMS [over a..b] [to "file"] [options]`.
pub fn plot(
    session: &mut Session,
    items: &[Query],
    over: Option<&Expr>,
    to: Option<&StrLit>,
    options: &[Arg],
    span: Span,
) -> EvalResult<Doc> {
    // A bad file name, or a format this build cannot write, is reported
    // before anything is computed.
    let format = to.map(file_format).transpose()?;
    if let (Some(to), Some(format)) = (to, format) {
        raster_support(format, Path::new(&to.value)).map_err(|e| plot_error(e, to.span))?;
    }
    let built = build_plot(session, items, over, options, to.is_some(), span)?;
    match (to, format) {
        (Some(to), Some(format)) => {
            let fig = &built.figures[0];
            write_file_with(session.files.as_ref(), fig, &to.value)
                .map_err(|e| plot_error(e, to.span))?;
            Ok(written_doc(to, format, fig, 1, None, &built.notes))
        }
        _ => {
            let (cols, lines) = built.terminal;
            let text = render_terminal(&built.figures[0], cols, lines);
            let mut doc = Doc::new(json!({
                "type": "plot",
                "format": "text",
                "text": text,
                "notes": built.notes,
            }))
            .with(Block::Pre(text));
            for n in &built.notes {
                doc.push(Block::Note(n.clone()));
            }
            Ok(doc)
        }
    }
}

/// `animate conv(…) [over a..b] to "x.gif" [frames=60] [delay=80]`.
pub fn animate(
    session: &mut Session,
    target: &Expr,
    over: Option<&Expr>,
    to: &StrLit,
    options: &[Arg],
    span: Span,
) -> EvalResult<Doc> {
    match file_format(to)? {
        FileFormat::Gif => {}
        _ => {
            return err_hint(
                to.span,
                format!(
                    "an animation is written as an animated GIF, not '{}'",
                    to.value
                ),
                "use a file name ending in .gif; for one picture use `plot steps … at …`",
            )
        }
    }
    raster_support(FileFormat::Gif, Path::new(&to.value)).map_err(|e| {
        Box::new(
            (*plot_error(e, to.span))
                .with_hint("single steps can be drawn to SVG: `plot steps … at … to \"x.svg\"`"),
        )
    })?;
    let built = build_animation(session, target, over, options, span)?;
    let interrupt = session.interrupt.clone();
    write_gif_with(
        session.files.as_ref(),
        &built.figures,
        built.delay_ms,
        &to.value,
        || interrupt.is_set(),
    )
    .map_err(|e| plot_error(e, to.span))?;
    let fig = &built.figures[0];
    Ok(written_doc(
        to,
        FileFormat::Gif,
        fig,
        built.figures.len(),
        Some(built.delay_ms),
        &built.notes,
    ))
}

/// Builds the figures of a `plot` or `animate` statement without drawing
/// them (for tests and tools that want the data behind a plot).
pub fn build_statement(session: &mut Session, text: &str) -> EvalResult<Built> {
    let stmts = crate::syntax::parse_program(text)
        .map_err(|e| Box::new(crate::diagnostic::Diagnostic::from_parse_error(&e, text)))?;
    match stmts.as_slice() {
        [stmt] => match &stmt.kind {
            StmtKind::Command(Command::Plot {
                items,
                over,
                options,
                to,
            }) => build_plot(
                session,
                items,
                over.as_ref(),
                options,
                to.is_some(),
                stmt.span,
            ),
            StmtKind::Command(Command::Animate {
                target,
                over,
                options,
                ..
            }) => build_animation(session, target, over.as_ref(), options, stmt.span),
            _ => err(stmt.span, "expected a `plot` or `animate` statement"),
        },
        _ => err(
            Span::default(),
            "expected exactly one `plot` or `animate` statement",
        ),
    }
}

/// The figure a `plot` draws.
pub fn build_plot(
    session: &Session,
    items: &[Query],
    over: Option<&Expr>,
    options: &[Arg],
    to_file: bool,
    span: Span,
) -> EvalResult<Built> {
    let mut ctx = session.ctx();
    let opts = Opts::parse(
        &mut ctx,
        options,
        crate::registry::Command::Plot.spec().options,
        "plot",
    )?;
    let range = over.map(|o| range_of(&mut ctx, o)).transpose()?;
    let mut b = Builder::new(&mut ctx, &session.settings.num, session.interrupt.clone());
    let mut entries = Vec::new();
    for item in items {
        entries.push(b.item(item, range)?);
    }
    let fig = b.assemble(entries, range, &opts, span)?;
    let notes = b.finish();
    Ok(Built {
        figures: vec![if to_file {
            opts.sized(fig, None)?
        } else {
            match &opts.title {
                Some(t) => Figure {
                    title: t.clone(),
                    ..fig
                },
                None => fig,
            }
        }],
        notes,
        delay_ms: DEFAULT_DELAY_MS,
        terminal: if to_file {
            TERMINAL_SIZE
        } else {
            opts.terminal_size()?
        },
    })
}

/// The frames an `animate` draws.
pub fn build_animation(
    session: &Session,
    target: &Expr,
    over: Option<&Expr>,
    options: &[Arg],
    _span: Span,
) -> EvalResult<Built> {
    let mut ctx = session.ctx();
    let opts = Opts::parse(
        &mut ctx,
        options,
        crate::registry::Command::Animate.spec().options,
        "animate",
    )?;
    let range = over.map(|o| range_of(&mut ctx, o)).transpose()?;
    let delay_ms = opts.delay.unwrap_or(DEFAULT_DELAY_MS);
    let mut b = Builder::new(&mut ctx, &session.settings.num, session.interrupt.clone());
    let target_kind = b.conv_target(target, "animate")?;
    let mut frames = match target_kind {
        ConvTarget::Cont(v, names) => {
            let c = as_conv(&v).expect("checked by conv_target");
            let count = match opts.frames {
                Some((n, _)) => n,
                None => DEFAULT_FRAMES,
            };
            b.cont_animation(c, names, range, count, over.map_or(target.span, |o| o.span))?
        }
        ConvTarget::Seq1(s) => {
            if let Some((_, sp)) = opts.frames {
                return err_hint(
                    sp,
                    "a discrete animation has one frame per output index; frames= does not apply",
                    "leave frames= out, or choose the indices with `over n0..n1`",
                );
            }
            b.seq_animation(&s, range, over.map_or(target.span, |o| o.span))?
        }
        ConvTarget::Mat2(m) => {
            if let Some((_, sp)) = opts.frames {
                return err_hint(
                    sp,
                    "a 2D animation has one frame per output cell; frames= does not apply",
                    "leave frames= out",
                );
            }
            if let Some(o) = over {
                return err_hint(
                    o.span,
                    "a 2D animation visits every output cell; `over` does not apply",
                    "leave `over` out; `plot steps conv(A, K) at (i, j)` shows one cell",
                );
            }
            b.mat_animation(&m, target.span)?
        }
    };
    if let Some(t) = &opts.title {
        for f in &mut frames {
            f.title = t.clone();
        }
    }
    let mut sized = Vec::with_capacity(frames.len());
    for f in frames {
        sized.push(opts.sized(f, Some(ANIMATION_SIZE))?);
    }
    let notes = b.finish();
    Ok(Built {
        figures: sized,
        notes,
        delay_ms,
        terminal: TERMINAL_SIZE,
    })
}

// ---------------------------------------------------------------------------
// Files and messages

fn file_format(to: &StrLit) -> EvalResult<FileFormat> {
    FileFormat::from_path(&to.value).map_err(|_| {
        Box::new(
            Diagnostic::error(
                format!("cannot tell which image format to write for '{}'", to.value),
                Some(to.span),
            )
            .with_label("unknown extension")
            .with_hint("use a file name ending in .png, .svg or .gif"),
        )
    })
}

fn plot_error(e: PlotError, span: Span) -> Box<Diagnostic> {
    match e {
        PlotError::Interrupted => Box::new(interrupted(span).with_hint("no file was written")),
        other => Box::new(Diagnostic::error(other.to_string(), Some(span))),
    }
}

fn written_doc(
    to: &StrLit,
    format: FileFormat,
    fig: &Figure,
    frames: usize,
    delay: Option<u32>,
    notes: &[String],
) -> Doc {
    let name = format.extension().to_ascii_uppercase();
    let mut text = format!("wrote {} ({name}, {}×{}", to.value, fig.width, fig.height);
    if let Some(d) = delay {
        text.push_str(&format!(", {frames} frames, {d} ms apart"));
    }
    text.push(')');
    let mut obj = json!({
        "type": "plot",
        "path": to.value,
        "format": format.extension(),
        "width": fig.width,
        "height": fig.height,
        "frames": frames,
    });
    if let Some(d) = delay {
        obj["delay_ms"] = json!(d);
    }
    if !notes.is_empty() {
        obj["notes"] = json!(notes);
    }
    let mut doc = Doc::new(obj).with(Block::Para(text));
    for n in notes {
        doc.push(Block::Note(n.clone()));
    }
    doc
}

// ---------------------------------------------------------------------------
// Options and ranges

#[derive(Default)]
struct Opts {
    overlay: Option<bool>,
    width: Option<(i64, Span)>,
    height: Option<(i64, Span)>,
    title: Option<String>,
    frames: Option<(usize, Span)>,
    delay: Option<u32>,
}

impl Opts {
    fn parse(ctx: &mut Ctx, options: &[Arg], allowed: &[&str], command: &str) -> EvalResult<Opts> {
        let mut o = Opts::default();
        for a in options {
            let Some(name) = &a.name else {
                return err_hint(
                    a.span,
                    format!("{command} takes its items first, then options as name=value"),
                    format!("options here: {}", allowed.join(", ")),
                );
            };
            if !allowed.contains(&name.name.as_str()) {
                return err_hint(
                    name.span,
                    format!("{command} has no option '{}'", name.name),
                    format!("options here: {}", allowed.join(", ")),
                );
            }
            let v = &a.value;
            match name.name.as_str() {
                "overlay" => {
                    o.overlay =
                        crate::session::commands::on_off(std::slice::from_ref(a), "overlay")?
                }
                "width" => o.width = Some((ctx.integer(v, "width")?, v.span)),
                "height" => o.height = Some((ctx.integer(v, "height")?, v.span)),
                "title" => match &v.kind {
                    ExprKind::Str(s) => o.title = Some(s.clone()),
                    _ => {
                        return err_hint(
                            v.span,
                            "the title must be a string in quotes",
                            "e.g. title=\"rect ∗ rect\"",
                        )
                    }
                },
                "frames" => {
                    let n = ctx.integer(v, "the number of frames")?;
                    if n < 1 || n as usize > MAX_FRAMES {
                        return err_hint(
                            v.span,
                            format!(
                                "{n} frames is outside what an animation can hold (1 to {MAX_FRAMES})"
                            ),
                            "use fewer frames, e.g. frames=60",
                        );
                    }
                    o.frames = Some((n as usize, v.span));
                }
                "delay" => {
                    let d = ctx.integer(v, "the delay")?;
                    let max = crate::render::plot::MAX_FRAME_DELAY_MS as i64;
                    if !(0..=max).contains(&d) {
                        return err_hint(
                            v.span,
                            format!("a delay of {d} ms cannot be stored in a GIF"),
                            format!("give milliseconds from 0 to {max}, e.g. delay=80"),
                        );
                    }
                    o.delay = Some(d as u32);
                }
                _ => unreachable!("checked against `allowed`"),
            }
        }
        Ok(o)
    }

    /// The figure with the requested pixel size (and title).
    fn sized(&self, mut fig: Figure, default: Option<(u32, u32)>) -> EvalResult<Figure> {
        use crate::render::plot::model::{MAX_FIGURE_SIDE, MIN_FIGURE_SIDE};
        if let Some((w, h)) = default {
            fig.width = w;
            fig.height = h;
        }
        for (value, is_width) in [(self.width, true), (self.height, false)] {
            let Some((v, sp)) = value else { continue };
            if v < MIN_FIGURE_SIDE as i64 || v > MAX_FIGURE_SIDE as i64 {
                return err_hint(
                    sp,
                    format!("{v} pixels is outside the sizes a figure can have"),
                    format!(
                        "give {MIN_FIGURE_SIDE} to {MAX_FIGURE_SIDE} pixels (in the terminal, width and height count characters)"
                    ),
                );
            }
            if is_width {
                fig.width = v as u32;
            } else {
                fig.height = v as u32;
            }
        }
        if let Some(t) = &self.title {
            fig.title = t.clone();
        }
        Ok(fig)
    }

    /// Terminal size in characters.
    fn terminal_size(&self) -> EvalResult<(usize, usize)> {
        let mut size = TERMINAL_SIZE;
        for (value, is_width) in [(self.width, true), (self.height, false)] {
            let Some((v, sp)) = value else { continue };
            if !(1..=MAX_TERMINAL_SIDE).contains(&v) {
                let which = if is_width { "width" } else { "height" };
                return err_hint(
                    sp,
                    format!("a terminal plot {which} of {v} characters is outside 1…{MAX_TERMINAL_SIDE}"),
                    format!("the default is 80×24 characters; e.g. {which}=60 (with `to \"….png\"` the size counts pixels)"),
                );
            }
            if is_width {
                size.0 = v as usize;
            } else {
                size.1 = v as usize;
            }
        }
        Ok(size)
    }
}

/// `a..b` as a finite, non-empty range.
fn range_of(ctx: &mut Ctx, over: &Expr) -> EvalResult<(f64, f64)> {
    let ExprKind::Range { lo, hi } = &over.kind else {
        return err_hint(
            over.span,
            "`over` takes a range",
            "write the range with two dots, e.g. `over -1..3`",
        );
    };
    let a = ctx.real(lo, "the start of the range")?.to_f64();
    let b = ctx.real(hi, "the end of the range")?.to_f64();
    let text = format!("{}..{}", format_float(a, 6), format_float(b, 6));
    if !a.is_finite() || !b.is_finite() {
        return err_hint(
            over.span,
            format!("the range {text} is not finite, so it cannot be drawn"),
            "give finite ends, e.g. `over -5..5`",
        );
    }
    if a > b {
        return err_hint(
            over.span,
            format!("the range {text} is reversed"),
            format!(
                "write the smaller end first: `over {}..{}`",
                format_float(b, 6),
                format_float(a, 6)
            ),
        );
    }
    if a == b {
        return err_hint(
            over.span,
            format!("the range {text} is empty"),
            "give two different ends, e.g. `over -1..3`",
        );
    }
    Ok((a, b))
}

/// The default x range for things with these supports (see the module doc).
fn default_range(supports: &[(f64, f64)]) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for &(a, b) in supports {
        if a.is_nan() || b.is_nan() || a > b {
            continue;
        }
        lo = lo.min(a);
        hi = hi.max(b);
    }
    if lo > hi {
        return (-5.0, 5.0);
    }
    match (lo.is_finite(), hi.is_finite()) {
        (true, true) => {
            let w = hi - lo;
            let pad = if w > 0.0 { 0.2 * w } else { 1.0 };
            (lo - pad, hi + pad)
        }
        (true, false) => (lo - 1.0, (lo + 5.0).max(5.0)),
        (false, true) => ((hi - 5.0).min(-5.0), hi + 1.0),
        (false, false) => (-5.0, 5.0),
    }
}

/// A grid for `n` panels: in a row up to 3, then as square as possible.
fn grid_for(n: usize) -> Layout {
    let n = n.max(1);
    let cols = if n <= 3 {
        n
    } else {
        (n as f64).sqrt().ceil() as usize
    };
    Layout::grid(n.div_ceil(cols), cols)
}

// ---------------------------------------------------------------------------
// Labels

/// A short text for an expression, for titles and legends.
fn expr_text(e: &Expr) -> String {
    let s = expr_text_inner(e);
    if s.chars().count() > 40 {
        let cut: String = s.chars().take(39).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn expr_text_inner(e: &Expr) -> String {
    let fmt = NumFmt::default();
    match &e.kind {
        ExprKind::Number(n) => n.format(&fmt),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Ident(n) => n.clone(),
        ExprKind::Unary { op, operand } => match op {
            UnOp::Neg => format!("−{}", expr_text_inner(operand)),
            UnOp::Not => format!("not {}", expr_text_inner(operand)),
        },
        ExprKind::Binary { op, lhs, rhs } => format!(
            "{} {} {}",
            expr_text_inner(lhs),
            op.symbol(),
            expr_text_inner(rhs)
        ),
        ExprKind::Call { func, args } => {
            let parts: Vec<String> = args
                .iter()
                .map(|a| match &a.name {
                    Some(n) => format!("{}={}", n.name, expr_text_inner(&a.value)),
                    None => expr_text_inner(&a.value),
                })
                .collect();
            format!("{}({})", func.name, parts.join(", "))
        }
        ExprKind::Index { target, indices } => format!(
            "{}[{}]",
            expr_text_inner(target),
            indices
                .iter()
                .map(expr_text_inner)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Seq { items, .. } if items.len() <= 6 => format!(
            "[{}]",
            items
                .iter()
                .map(expr_text_inner)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Seq { .. } => "[…]".into(),
        ExprKind::Matrix { .. } => "matrix".into(),
        ExprKind::Range { lo, hi } => {
            format!("{}..{}", expr_text_inner(lo), expr_text_inner(hi))
        }
        ExprKind::Tuple(v) => format!(
            "({})",
            v.iter().map(expr_text_inner).collect::<Vec<_>>().join(", ")
        ),
        _ => "…".into(),
    }
}

/// The name as written when the expression is a bare name, else `fallback`
/// (a literal such as `[1, 0.5, 1]` makes a poor axis label).
fn short_name(e: &Expr, fallback: &str) -> String {
    match &e.kind {
        ExprKind::Ident(n) => n.clone(),
        _ => fallback.to_string(),
    }
}

fn is_name(s: &str) -> bool {
    s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

fn num(x: f64) -> String {
    format_float(x, 6).replace('-', "−")
}

// ---------------------------------------------------------------------------
// Sampling functions

/// A function of x sampled on a range, cut at its breakpoints.
#[derive(Clone, Debug, Default)]
struct Curve {
    segments: Vec<Vec<(f64, f64)>>,
    ends: Vec<EndMark>,
    /// Samples that were NaN or infinite, and the first x where it happened.
    nonfinite: usize,
    first_bad: Option<f64>,
}

impl Curve {
    fn series(&self, label: impl Into<String>) -> Series {
        Series::curve(label, self.segments.clone()).with_ends(self.ends.clone())
    }

    fn y_hull(&self, mut acc: (f64, f64)) -> (f64, f64) {
        for &(_, y) in self.segments.iter().flatten() {
            if y.is_finite() {
                acc = (acc.0.min(y), acc.1.max(y));
            }
        }
        for e in &self.ends {
            if e.y.is_finite() {
                acc = (acc.0.min(e.y), acc.1.max(e.y));
            }
        }
        acc
    }

    /// The part with x ≤ t, ending at (t, value) when t lies inside a piece.
    fn up_to(&self, t: f64, value: f64) -> Curve {
        let mut out = Curve::default();
        for seg in &self.segments {
            let (Some(first), Some(last)) = (seg.first(), seg.last()) else {
                continue;
            };
            if first.0 > t {
                continue;
            }
            let mut s: Vec<(f64, f64)> = seg.iter().copied().filter(|p| p.0 < t).collect();
            if last.0 >= t {
                s.push((t, value));
            } else if let Some(&p) = seg.last() {
                if !s.contains(&p) {
                    s.push(p);
                }
            }
            out.segments.push(s);
        }
        out.ends = self.ends.iter().copied().filter(|e| e.x < t).collect();
        out
    }
}

/// One evaluation of a function at x: the value, or why it stopped.
type Eval<'a> = dyn FnMut(f64) -> EvalResult<f64> + 'a;

/// Samples `eval` on [lo, hi], `n` points spread over the pieces between the
/// breakpoints; jumps at breakpoints become separate pieces with end marks.
/// With `limits_at_ends`, the values at `lo` and `hi` are the limits from
/// inside (for a product cut to its support, whose edge is not part of the
/// picture).
fn sample_curve(
    eval: &mut Eval,
    breaks: &[f64],
    (lo, hi): (f64, f64),
    n: usize,
    limits_at_ends: bool,
) -> EvalResult<Curve> {
    let mut edges = vec![lo];
    edges.extend(breaks.iter().copied().filter(|b| *b > lo && *b < hi));
    edges.push(hi);
    edges.dedup();
    let total = hi - lo;
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::with_capacity(edges.len() - 1);
    for (k, w) in edges.windows(2).enumerate() {
        let (a, b) = (w[0], w[1]);
        let m = ((n as f64 * (b - a) / total).ceil() as usize).clamp(2, n.max(2));
        let delta = ((b - a) * 1e-9)
            .max(a.abs().max(b.abs()) * 1e-13)
            .min((b - a) / 4.0);
        let mut pts = Vec::with_capacity(m + 1);
        for i in 0..=m {
            let x = if i == m {
                b
            } else {
                a + (b - a) * i as f64 / m as f64
            };
            // At a breakpoint, take the one-sided limit from inside the piece.
            let at = if i == 0 && (k > 0 || limits_at_ends) {
                a + delta
            } else if i == m && (k + 2 < edges.len() || limits_at_ends) {
                b - delta
            } else {
                x
            };
            pts.push((x, eval(at)?));
        }
        pieces.push(pts);
    }
    let scale = pieces
        .iter()
        .flatten()
        .map(|p| p.1.abs())
        .filter(|y| y.is_finite())
        .fold(0.0f64, f64::max);
    let tol = 1e-6 * scale.max(1e-300);
    let same = |a: f64, b: f64| (a - b).abs() <= tol || (a.is_nan() && b.is_nan());
    let mut curve = Curve::default();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for (k, piece) in pieces.into_iter().enumerate() {
        if k == 0 {
            current = piece;
            continue;
        }
        let b = edges[k];
        let left = current.last().map_or(f64::NAN, |p| p.1);
        let right = piece.first().map_or(f64::NAN, |p| p.1);
        let v = eval(b)?;
        if same(left, right) {
            if !same(v, left) && v.is_finite() {
                // A single point off the curve.
                curve.ends.push(EndMark::open(b, left));
                curve.ends.push(EndMark::closed(b, v));
            }
            if let Some(p) = current.last_mut() {
                // Join the pieces at the function's value when it is there.
                p.1 = if same(v, left) { v } else { left };
            }
            current.extend(piece.into_iter().skip(1));
            continue;
        }
        // A jump. The side the function takes ends exactly at its value.
        let mut piece = piece;
        if left.is_finite() {
            curve.ends.push(if same(v, left) {
                if let Some(p) = current.last_mut() {
                    p.1 = v;
                }
                EndMark::closed(b, v)
            } else {
                EndMark::open(b, left)
            });
        }
        if right.is_finite() {
            curve.ends.push(if same(v, right) {
                if let Some(p) = piece.first_mut() {
                    p.1 = v;
                }
                EndMark::closed(b, v)
            } else {
                EndMark::open(b, right)
            });
        }
        if v.is_finite() && !same(v, left) && !same(v, right) {
            curve.ends.push(EndMark::closed(b, v));
        }
        curve.segments.push(std::mem::take(&mut current));
        current = piece;
    }
    curve.segments.push(current);
    for &(x, y) in curve.segments.iter().flatten() {
        if !y.is_finite() {
            curve.nonfinite += 1;
            curve.first_bad.get_or_insert(x);
        }
    }
    Ok(curve)
}

// ---------------------------------------------------------------------------
// Convolution targets

/// A `steps`/`animate` target: what is convolved.
enum ConvTarget {
    /// A function value holding a [`ConvFn`], with the names of f and g as
    /// written (when the target is a `conv(…)` call).
    Cont(Value, Option<(String, String)>),
    Seq1(Seq1),
    Mat2(Mat2),
}

/// `conv(a, b)` / `corr(a, b)` of two sequences, as floats.
struct Seq1 {
    op: DOp,
    x: Vec<f64>,
    xs: i64,
    y: Vec<f64>,
    ys: i64,
    mode: Mode,
    names: (String, String),
    span: Span,
}

/// `conv(A, K)` / `corr(A, K)` of two matrices.
struct Mat2 {
    op: DOp,
    a: Matrix,
    k: Matrix,
    opts: Conv2dOptions,
    names: (String, String),
    span: Span,
}

// ---------------------------------------------------------------------------
// The builder

struct Builder<'c, 'e> {
    ctx: &'c mut Ctx<'e>,
    fmt: NumFmt,
    interrupt: Interrupt,
    notes: Vec<String>,
}

/// What one plot item contributes.
enum Entry {
    Func {
        label: String,
        f: Rc<Function>,
        span: Span,
    },
    Seq {
        label: String,
        s: Sequence,
        span: Span,
    },
    Mat {
        label: String,
        m: Matrix,
        span: Span,
    },
    /// A steps picture: its own panels and preferred layout.
    Panels {
        title: String,
        panels: Vec<Panel>,
        layout: Layout,
    },
}

impl<'c, 'e> Builder<'c, 'e> {
    fn new(ctx: &'c mut Ctx<'e>, fmt: &NumFmt, interrupt: Interrupt) -> Self {
        Builder {
            ctx,
            fmt: *fmt,
            interrupt,
            notes: Vec::new(),
        }
    }

    fn note(&mut self, text: String) {
        if !self.notes.contains(&text) {
            self.notes.push(text);
        }
    }

    fn finish(self) -> Vec<String> {
        let warnings = std::mem::take(&mut self.ctx.warnings);
        let mut notes = self.notes;
        notes.extend(warnings.into_iter().map(|w| w.message));
        notes
    }

    fn check_interrupt(&self, span: Span) -> EvalResult<()> {
        self.interrupt.check(span)
    }

    // --- items -----------------------------------------------------------

    fn item(&mut self, q: &Query, range: Option<(f64, f64)>) -> EvalResult<Entry> {
        match q {
            Query::Expr(e) => {
                let v = self.ctx.eval(e)?;
                let label = expr_text(e);
                match v {
                    Value::Function(f) => Ok(Entry::Func {
                        label,
                        f,
                        span: e.span,
                    }),
                    Value::Sequence(s) => Ok(Entry::Seq {
                        label,
                        s,
                        span: e.span,
                    }),
                    Value::Matrix(m) => Ok(Entry::Mat {
                        label,
                        m,
                        span: e.span,
                    }),
                    other => err_hint(
                        e.span,
                        format!("{} cannot be plotted", other.kind_name()),
                        "plot draws functions, sequences, matrices and `steps conv(…) at …`",
                    ),
                }
            }
            Query::Steps {
                target,
                at,
                options,
                span,
            } => {
                if let Some(o) = options.first() {
                    return err_hint(
                        o.span,
                        "a steps plot takes no options of its own",
                        "options such as width= go at the end of the plot command",
                    );
                }
                let Some(at) = at else {
                    return err_hint(
                        *span,
                        "a steps plot shows one position of the sliding window",
                        "add it with `at`: `plot steps conv(f, g) at 0.3`, `… conv(a, b) at 3`, `… conv(A, K) at (0, 1)`",
                    );
                };
                self.steps_entry(target, at, range)
            }
            Query::Converge { span, .. } | Query::Shape { span, .. } | Query::Check { span, .. } => {
                err_hint(
                    *span,
                    "this shows a table, which cannot be plotted",
                    "plot draws functions, sequences, matrices and `steps conv(…) at …`; `export` writes tables",
                )
            }
        }
    }

    fn assemble(
        &mut self,
        entries: Vec<Entry>,
        range: Option<(f64, f64)>,
        opts: &Opts,
        span: Span,
    ) -> EvalResult<Figure> {
        // A single steps picture keeps its own layout and title.
        if let [Entry::Panels {
            title,
            panels,
            layout,
        }] = entries.as_slice()
        {
            return Ok(Figure::new(title.clone(), *layout, panels.clone()));
        }
        let overlay_funcs = opts.overlay != Some(false);
        let overlay_seqs = opts.overlay == Some(true);
        let funcs: Vec<(String, Rc<Function>, Span)> = entries
            .iter()
            .filter_map(|e| match e {
                Entry::Func { label, f, span } => Some((label.clone(), f.clone(), *span)),
                _ => None,
            })
            .collect();
        let seqs: Vec<(String, Sequence, Span)> = entries
            .iter()
            .filter_map(|e| match e {
                Entry::Seq { label, s, span } => Some((label.clone(), s.clone(), *span)),
                _ => None,
            })
            .collect();
        let x_range = match range {
            Some(r) => r,
            None => {
                let sup: Vec<(f64, f64)> = funcs.iter().map(|(_, f, _)| f.support()).collect();
                default_range(&sup)
            }
        };
        let mut titles = Vec::new();
        let mut panels = Vec::new();
        let mut funcs_done = false;
        let mut seqs_done = false;
        for e in &entries {
            match e {
                Entry::Func { label, f, span } => {
                    titles.push(label.clone());
                    if overlay_funcs {
                        if !funcs_done {
                            funcs_done = true;
                            panels.push(self.functions_panel(&funcs, x_range)?);
                        }
                    } else {
                        panels.push(
                            self.functions_panel(&[(label.clone(), f.clone(), *span)], x_range)?,
                        );
                    }
                }
                Entry::Seq { label, s, span } => {
                    titles.push(label.clone());
                    if overlay_seqs {
                        if !seqs_done {
                            seqs_done = true;
                            panels.push(self.sequences_panel(&seqs, range)?);
                        }
                    } else {
                        panels.push(
                            self.sequences_panel(&[(label.clone(), s.clone(), *span)], range)?,
                        );
                    }
                }
                Entry::Mat { label, m, span } => {
                    titles.push(label.clone());
                    panels.push(Panel::Heatmap(self.matrix_panel(label, m, *span)?));
                }
                Entry::Panels {
                    title, panels: p, ..
                } => {
                    titles.push(title.clone());
                    panels.extend(p.iter().cloned());
                }
            }
        }
        if panels.len() > crate::render::plot::model::MAX_PANELS {
            return err_hint(
                span,
                format!(
                    "this plot would have {} panels and the limit is {}",
                    panels.len(),
                    crate::render::plot::model::MAX_PANELS
                ),
                "plot fewer items at once, or overlay=on",
            );
        }
        if let [only] = panels.as_mut_slice() {
            // The figure's title says it once.
            match only {
                Panel::Xy(p) => p.title.clear(),
                Panel::Heatmap(h) => h.title.clear(),
            }
        }
        let layout = grid_for(panels.len());
        Ok(Figure::new(titles.join(", "), layout, panels))
    }

    // --- functions -------------------------------------------------------

    /// Samples `f(a·x + b)` over [lo, hi].
    fn sample_fn(
        &mut self,
        f: &Function,
        a: f64,
        b: f64,
        (lo, hi): (f64, f64),
        n: usize,
        span: Span,
    ) -> EvalResult<Curve> {
        let (u0, u1) = {
            let (p, q) = (a * lo + b, a * hi + b);
            (p.min(q), p.max(q))
        };
        let breaks = match f.breaks_in(u0, u1, MAX_BREAKS) {
            Some(bs) => {
                let mut xs: Vec<f64> = bs.iter().map(|u| (u - b) / a).collect();
                xs.sort_by(f64::total_cmp);
                xs
            }
            None => {
                self.note(format!(
                    "{} has more than {MAX_BREAKS} breakpoints in the range: drawn without marking its jumps",
                    f.display_name()
                ));
                Vec::new()
            }
        };
        let conv = crate::eval::computed::Computed::of_function(f).and_then(|c| c.conv());
        let interrupt = self.interrupt.clone();
        let mut count = 0usize;
        let mut inaccurate: Option<String> = None;
        let mut failed: Option<String> = None;
        let mut eval = |x: f64| -> EvalResult<f64> {
            count += 1;
            if count.is_multiple_of(64) {
                interrupt.check(span)?;
            }
            let u = a * x + b;
            Ok(match conv {
                Some(c) => match c.value(u, &|| interrupt.is_set()) {
                    Ok(v) => v.value,
                    Err(ContError::Inaccurate { value, why, .. }) => {
                        inaccurate.get_or_insert(why);
                        value
                    }
                    Err(ContError::Interrupted) => {
                        return Err(Box::new(interrupted(span)));
                    }
                    Err(e) => {
                        failed.get_or_insert(e.to_string());
                        f64::NAN
                    }
                },
                None => f.eval(u),
            })
        };
        let curve = sample_curve(&mut eval, &breaks, (lo, hi), n, false)?;
        let name = f.display_name();
        if let Some(why) = inaccurate {
            self.note(format!(
                "some values of {name} did not reach their tolerance ({why}); drawn with their estimates"
            ));
        }
        if let Some(why) = failed {
            self.note(format!(
                "some values of {name} could not be computed ({why}); drawn as gaps"
            ));
        }
        if curve.nonfinite > 0 {
            self.note(format!(
                "{name} is not finite at {} of the sample points (the first at {}): drawn as gaps",
                curve.nonfinite,
                num(curve.first_bad.unwrap_or(f64::NAN) * a + b)
            ));
        }
        Ok(curve)
    }

    /// Point masses of `f(a·x + b)` as (x, weight).
    fn masses(f: &Function, a: f64, b: f64) -> Vec<(f64, f64)> {
        let FnBody::Expr(e) = &f.body else {
            return Vec::new();
        };
        if !e.contains_delta() {
            return Vec::new();
        }
        match cont::split_deltas(e) {
            Ok((_, ds)) => ds
                .iter()
                .map(|(p, w)| ((p.to_f64() - b) / a, w.to_f64() / a.abs()))
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    fn function_series(
        &mut self,
        label: &str,
        f: &Function,
        (a, b): (f64, f64),
        range: (f64, f64),
        n: usize,
        span: Span,
    ) -> EvalResult<Vec<Series>> {
        let curve = self.sample_fn(f, a, b, range, n, span)?;
        let mut out = vec![curve.series(label)];
        let ms: Vec<(f64, f64)> = Self::masses(f, a, b)
            .into_iter()
            .filter(|(x, _)| *x >= range.0 && *x <= range.1)
            .collect();
        if !ms.is_empty() {
            out.push(Series::stems(format!("point masses of {label}"), ms));
        }
        Ok(out)
    }

    fn functions_panel(
        &mut self,
        funcs: &[(String, Rc<Function>, Span)],
        range: (f64, f64),
    ) -> EvalResult<Panel> {
        let var = funcs.first().map_or("t".to_string(), |f| f.1.var.clone());
        let title = funcs
            .iter()
            .map(|f| f.0.clone())
            .collect::<Vec<_>>()
            .join(", ");
        let y_label = if funcs.len() == 1 && is_name(&funcs[0].0) {
            format!("{}({var})", funcs[0].0)
        } else {
            "value".to_string()
        };
        let mut p = XyPanel::new(title, var, y_label).with_x_range(range.0, range.1);
        for (i, (label, f, span)) in funcs.iter().enumerate() {
            for s in self.function_series(label, f, (1.0, 0.0), range, CURVE_SAMPLES, *span)? {
                p = p.with_series(s.with_color(i));
            }
        }
        Ok(Panel::Xy(p))
    }

    // --- sequences and matrices ------------------------------------------

    fn seq_floats(&self, label: &str, s: &Sequence, span: Span) -> EvalResult<Vec<f64>> {
        if s.elems.is_complex() {
            return err_hint(
                span,
                format!("{label} has complex values, which a stem plot cannot show"),
                "plot the real or imaginary part, or the magnitude",
            );
        }
        match s.elems.floats() {
            Some(v) => Ok(v.into_owned()),
            None => err_hint(
                span,
                format!("{label} has symbolic entries, which a stem plot cannot show"),
                "give the letters numbers first, or show it as a table",
            ),
        }
    }

    fn sequences_panel(
        &mut self,
        seqs: &[(String, Sequence, Span)],
        range: Option<(f64, f64)>,
    ) -> EvalResult<Panel> {
        let title = seqs
            .iter()
            .map(|s| s.0.clone())
            .collect::<Vec<_>>()
            .join(", ");
        let y_label = if seqs.len() == 1 && is_name(&seqs[0].0) {
            format!("{}[n]", seqs[0].0)
        } else {
            "value".to_string()
        };
        let mut p = XyPanel::new(title, "n", y_label);
        if let Some((lo, hi)) = range {
            p = p.with_x_range(lo, hi);
        }
        for (i, (label, s, span)) in seqs.iter().enumerate() {
            let (lo, hi) = match range {
                Some((lo, hi)) => (lo.ceil() as i64, hi.floor() as i64),
                None => (s.start, s.end() - 1),
            };
            let first = lo.max(s.start);
            let last = hi.min(s.end() - 1);
            let count = if last >= first {
                (last - first + 1) as usize
            } else {
                0
            };
            if count > MAX_POINTS_PER_SERIES {
                return err_hint(
                    *span,
                    format!(
                        "{label} has {count} samples to draw and the limit is {MAX_POINTS_PER_SERIES}"
                    ),
                    "choose part of it with `over n0..n1`",
                );
            }
            let v = self.seq_floats(label, s, *span)?;
            let pts: Vec<(f64, f64)> = (first..=last)
                .filter(|_| count > 0)
                .map(|n| (n as f64, v[(n - s.start) as usize]))
                .collect();
            if pts.is_empty() {
                self.note(format!("{label} has no samples in the range"));
            }
            p = p.with_series(Series::stems(label.clone(), pts).with_color(i));
        }
        Ok(Panel::Xy(p))
    }

    fn matrix_panel(&mut self, label: &str, m: &Matrix, span: Span) -> EvalResult<HeatmapPanel> {
        let cells = m.rows.saturating_mul(m.cols);
        if cells > MAX_HEATMAP_CELLS {
            return err_hint(
                span,
                format!(
                    "{label} has {cells} cells and a heatmap can show at most {MAX_HEATMAP_CELLS}"
                ),
                "plot a smaller part of the matrix",
            );
        }
        if m.elems.is_complex() {
            return err_hint(
                span,
                format!("{label} has complex values, which a heatmap cannot show"),
                "plot the real or imaginary part, or the magnitude",
            );
        }
        let (values, labels) = match &m.elems {
            Elems::Float(v) => (
                v.chunks(m.cols.max(1)).map(<[f64]>::to_vec).collect(),
                Vec::new(),
            ),
            _ => {
                let s = m.elems.scalars();
                let rows: Vec<&[Scalar]> = s.chunks(m.cols.max(1)).collect();
                (
                    rows.iter()
                        .map(|r| r.iter().map(|x| x.to_f64().unwrap_or(f64::NAN)).collect())
                        .collect(),
                    rows.iter()
                        .map(|r| r.iter().map(|x| x.format(&self.fmt)).collect())
                        .collect(),
                )
            }
        };
        let mut h = HeatmapPanel::new(label.to_string(), values);
        h.labels = labels;
        Ok(h)
    }

    // --- steps targets ---------------------------------------------------

    /// What a `steps`/`animate` target convolves.
    fn conv_target(&mut self, target: &Expr, command: &str) -> EvalResult<ConvTarget> {
        if let ExprKind::Call { func, args } = &target.kind {
            if func.name == "conv" || func.name == "corr" {
                let pos: Vec<&Arg> = args.iter().filter(|a| a.name.is_none()).collect();
                let named: Vec<&Arg> = args.iter().filter(|a| a.name.is_some()).collect();
                if pos.len() == 2 {
                    let op = if func.name == "conv" {
                        DOp::Conv
                    } else {
                        DOp::Corr
                    };
                    let first = self.ctx.eval(&pos[0].value)?;
                    let (fa, fb) = match first {
                        Value::Matrix(_) => ("A", "K"),
                        Value::Function(_) => ("f", "g"),
                        _ => ("a", "b"),
                    };
                    let names = (short_name(&pos[0].value, fa), short_name(&pos[1].value, fb));
                    match first {
                        Value::Function(_) => {
                            let v = self.ctx.eval(target)?;
                            if as_conv(&v).is_some() {
                                return Ok(ConvTarget::Cont(v, Some(names)));
                            }
                        }
                        Value::Sequence(x) => {
                            let y = match self.ctx.eval(&pos[1].value)? {
                                Value::Sequence(y) => y,
                                other => {
                                    return err(
                                        pos[1].span,
                                        format!(
                                        "{} of a sequence needs a sequence as the kernel, not {}",
                                        func.name,
                                        other.kind_name()
                                    ),
                                    )
                                }
                            };
                            let mut mode = Mode::Full;
                            for a in &named {
                                let n = a.name.as_ref().expect("named");
                                match n.name.as_str() {
                                    "mode" => mode = mode_of(&a.value)?,
                                    other => {
                                        return err_hint(
                                            n.span,
                                            format!("'{other}' does not apply to sequences"),
                                            "1D convolution takes mode=full|same|valid",
                                        )
                                    }
                                }
                            }
                            let xv = self.seq_floats(&names.0, &x, pos[0].span)?;
                            let yv = self.seq_floats(&names.1, &y, pos[1].span)?;
                            return Ok(ConvTarget::Seq1(Seq1 {
                                op,
                                x: xv,
                                xs: x.start,
                                y: yv,
                                ys: y.start,
                                mode,
                                names,
                                span: target.span,
                            }));
                        }
                        Value::Matrix(a) => {
                            let k = match self.ctx.eval(&pos[1].value)? {
                                Value::Matrix(k) => k,
                                other => {
                                    return err(
                                        pos[1].span,
                                        format!(
                                            "{} of a matrix needs a matrix as the kernel, not {}",
                                            func.name,
                                            other.kind_name()
                                        ),
                                    )
                                }
                            };
                            let opts = self.conv2d_options(&named)?;
                            for (m, sp) in [(&a, pos[0].span), (&k, pos[1].span)] {
                                if m.elems.is_complex() {
                                    return err(sp, "complex matrices cannot be plotted");
                                }
                            }
                            return Ok(ConvTarget::Mat2(Mat2 {
                                op,
                                a,
                                k,
                                opts,
                                names,
                                span: target.span,
                            }));
                        }
                        other => {
                            return err_hint(
                                pos[0].span,
                                format!(
                                "{command} shows {} of functions, sequences or matrices, not of {}",
                                func.name,
                                other.kind_name()
                            ),
                                "e.g. conv(f, g), conv(a, b), conv(A, K)",
                            )
                        }
                    }
                }
            }
        }
        let v = self.ctx.eval(target)?;
        if as_conv(&v).is_some() {
            return Ok(ConvTarget::Cont(v, None));
        }
        err_hint(
            target.span,
            format!(
                "{command} shows a convolution sliding; this is {}",
                v.kind_name()
            ),
            format!(
                "give it a convolution: `{command} conv(f, g) …`, `conv(a, b)` or `conv(A, K)`"
            ),
        )
    }

    fn conv2d_options(&mut self, named: &[&Arg]) -> EvalResult<Conv2dOptions> {
        let mut o = Conv2dOptions::default();
        for a in named {
            let n = a.name.as_ref().expect("named");
            let v = &a.value;
            match n.name.as_str() {
                "mode" => o.mode = mode_of(v)?,
                "stride" => o.stride = self.pair(v, "the stride")?,
                "dilation" => o.dilation = self.pair(v, "the dilation")?,
                "padding" => {
                    o.padding = match &v.kind {
                        ExprKind::Ident(w) if w == "same" => Padding::Same,
                        _ => {
                            let (r, c) = self.pair(v, "the padding")?;
                            Padding::Explicit(r, c)
                        }
                    }
                }
                "boundary" => {
                    o.boundary = match &v.kind {
                        ExprKind::Ident(w) => match w.as_str() {
                            "zero" => Boundary::Zero,
                            "wrap" => Boundary::Wrap,
                            "reflect" => Boundary::Reflect,
                            "nearest" => Boundary::Nearest,
                            _ => return bad_word(v, "boundary", "zero, wrap, reflect, nearest"),
                        },
                        _ => return bad_word(v, "boundary", "zero, wrap, reflect, nearest"),
                    }
                }
                other => {
                    return err_hint(
                        n.span,
                        format!("unknown option '{other}'"),
                        "2D convolution takes mode, stride, padding, dilation, boundary",
                    )
                }
            }
        }
        Ok(o)
    }

    /// `2` or `(2, 3)`.
    fn pair(&mut self, e: &Expr, what: &str) -> EvalResult<(i64, i64)> {
        match &e.kind {
            ExprKind::Tuple(v) if v.len() == 2 => Ok((
                self.ctx.integer(&v[0], what)?,
                self.ctx.integer(&v[1], what)?,
            )),
            _ => {
                let k = self.ctx.integer(e, what)?;
                Ok((k, k))
            }
        }
    }

    fn steps_entry(
        &mut self,
        target: &Expr,
        at: &Expr,
        range: Option<(f64, f64)>,
    ) -> EvalResult<Entry> {
        match self.conv_target(target, "plot steps")? {
            ConvTarget::Cont(v, names) => {
                let c = as_conv(&v).expect("checked by conv_target");
                let t = self.ctx.real(at, "the point t")?.to_f64();
                if !t.is_finite() {
                    return err(at.span, "the point t must be finite");
                }
                let scene =
                    self.cont_scene(c, names, range, Some((t, t)), CURVE_SAMPLES, at.span)?;
                let fig = self.cont_frame(&scene, t, false, at.span)?;
                Ok(Entry::Panels {
                    title: fig.title,
                    panels: fig.panels,
                    layout: fig.layout,
                })
            }
            ConvTarget::Seq1(s) => {
                if matches!(at.kind, ExprKind::Range { .. }) {
                    return err_hint(
                        at.span,
                        "a steps plot shows one n",
                        "give one index, e.g. `at 3`; `animate` shows them all",
                    );
                }
                let n = self.ctx.integer(at, "the index n")?;
                let scene = self.seq_scene(&s, range, &[n])?;
                let fig = self.seq_frame(&scene, n, at.span)?;
                Ok(Entry::Panels {
                    title: fig.title,
                    panels: fig.panels,
                    layout: fig.layout,
                })
            }
            ConvTarget::Mat2(m) => {
                let ExprKind::Tuple(ij) = &at.kind else {
                    return err_hint(
                        at.span,
                        "a 2D steps plot needs an output position (i, j)",
                        "e.g. `plot steps conv(A, K) at (0, 1)`",
                    );
                };
                if ij.len() != 2 {
                    return err(at.span, "the position needs two indices: (row, column)");
                }
                let i = self.ctx.integer(&ij[0], "the row")?;
                let j = self.ctx.integer(&ij[1], "the column")?;
                if i < 0 || j < 0 {
                    return err_hint(
                        at.span,
                        format!("({i}, {j}) is not an output position"),
                        "output rows and columns count from 0",
                    );
                }
                let fig = self.mat_figures(&m, Some((i as usize, j as usize)), at.span)?;
                let fig = fig.into_iter().next().expect("one figure");
                Ok(Entry::Panels {
                    title: fig.title,
                    panels: fig.panels,
                    layout: fig.layout,
                })
            }
        }
    }
}

fn mode_of(e: &Expr) -> EvalResult<Mode> {
    match &e.kind {
        ExprKind::Ident(w) if w == "full" => Ok(Mode::Full),
        ExprKind::Ident(w) if w == "same" => Ok(Mode::Same),
        ExprKind::Ident(w) if w == "valid" => Ok(Mode::Valid),
        _ => bad_word(e, "mode", "full, same, valid"),
    }
}

fn bad_word<T>(e: &Expr, what: &str, choices: &str) -> EvalResult<T> {
    err_hint(
        e.span,
        format!("unknown {what} '{}'", expr_text(e)),
        format!("choose one of: {choices}"),
    )
}

fn hull(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0.min(b.0), a.1.max(b.1))
}

/// A y range with a 5 % margin that always includes 0.
fn padded_y(r: (f64, f64)) -> (f64, f64) {
    let (lo, hi) = (r.0.min(0.0), r.1.max(0.0));
    if !(lo.is_finite() && hi.is_finite()) {
        return (-1.0, 1.0);
    }
    let span = hi - lo;
    let m = if span > 0.0 { 0.05 * span } else { 0.5 };
    (lo - m, hi + m)
}

// ---------------------------------------------------------------------------
// Continuous steps and animation

/// What every frame of a continuous steps picture shares.
struct ContScene<'a> {
    c: &'a ConvFn,
    /// The names of f and g as written, and `conv(f, g)`.
    fname: String,
    gname: String,
    title: String,
    x_range: (f64, f64),
    /// The result over the whole x range, drawn up to t in each frame.
    result: Curve,
    /// Fixed y ranges (animations), for panels 1–3 and panel 4.
    y_inputs: Option<(f64, f64)>,
    y_product: Option<(f64, f64)>,
    samples: usize,
}

impl Builder<'_, '_> {
    /// `t_range`: the t values that will be shown (one for a plot).
    fn cont_scene<'a>(
        &mut self,
        c: &'a ConvFn,
        names: Option<(String, String)>,
        range: Option<(f64, f64)>,
        t_range: Option<(f64, f64)>,
        samples: usize,
        span: Span,
    ) -> EvalResult<ContScene<'a>> {
        let (f, g) = (&c.f, &c.g);
        let (fname, gname) = names.unwrap_or_else(|| {
            let name = |h: &Function, fallback: &str| match &h.name {
                Some(n) => n.clone(),
                None => fallback.to_string(),
            };
            (name(f, "f"), name(g, "g"))
        });
        let title = format!("{}({fname}, {gname})", c.op.name());
        let x_range = match range {
            Some(r) => r,
            None => {
                let sf = f.support();
                let sg = g.support();
                let mut sup = vec![sf, sg, (-sg.1, -sg.0), c.support];
                if c.op == COp::Corr {
                    sup[2] = (-sf.1, -sf.0);
                }
                if let Some((t0, t1)) = t_range {
                    sup.push((t0, t1));
                }
                default_range(&sup)
            }
        };
        let result = self.sample_conv(c, &title, x_range, samples, span)?;
        Ok(ContScene {
            c,
            fname,
            gname,
            title,
            x_range,
            result,
            y_inputs: None,
            y_product: None,
            samples,
        })
    }

    /// The result curve of a ConvFn over a range, cut at its breakpoints.
    fn sample_conv(
        &mut self,
        c: &ConvFn,
        title: &str,
        (lo, hi): (f64, f64),
        n: usize,
        span: Span,
    ) -> EvalResult<Curve> {
        let breaks: Vec<f64> = c
            .breaks
            .iter()
            .map(|b| b.to_f64())
            .filter(|b| *b > lo && *b < hi)
            .take(MAX_BREAKS)
            .collect();
        let interrupt = self.interrupt.clone();
        let mut count = 0usize;
        let mut trouble: Option<String> = None;
        let mut eval = |x: f64| -> EvalResult<f64> {
            count += 1;
            if count.is_multiple_of(16) {
                interrupt.check(span)?;
            }
            Ok(match c.value(x, &|| interrupt.is_set()) {
                Ok(v) => v.value,
                Err(ContError::Inaccurate { value, why, .. }) => {
                    trouble.get_or_insert(why);
                    value
                }
                Err(ContError::Interrupted) => return Err(Box::new(interrupted(span))),
                Err(e) => {
                    trouble.get_or_insert(e.to_string());
                    f64::NAN
                }
            })
        };
        let curve = sample_curve(&mut eval, &breaks, (lo, hi), n, false)?;
        if let Some(why) = trouble {
            self.note(format!("some values of {title} are uncertain: {why}"));
        }
        if curve.nonfinite > 0 {
            self.note(format!(
                "{title} is not finite at {} of the sample points: drawn as gaps",
                curve.nonfinite
            ));
        }
        Ok(curve)
    }

    fn conv_value(&mut self, c: &ConvFn, t: f64, span: Span) -> EvalResult<f64> {
        let interrupt = self.interrupt.clone();
        match c.value(t, &|| interrupt.is_set()) {
            Ok(v) => Ok(v.value),
            Err(ContError::Inaccurate { value, why, .. }) => {
                self.note(format!(
                    "the value at t = {} did not reach its tolerance: {why}",
                    num(t)
                ));
                Ok(value)
            }
            Err(ContError::Interrupted) => Err(Box::new(interrupted(span))),
            Err(e) => err(span, e.to_string()),
        }
    }

    /// The value at t that the step table shows: the sum over the overlaps
    /// and point masses of the one step trace (`engine::continuous::step_at`).
    /// When one overlap misses its tolerance the numeric value is used, with
    /// a note.
    fn step_value(&mut self, c: &ConvFn, t: f64, span: Span) -> EvalResult<f64> {
        let interrupt = self.interrupt.clone();
        match cont::step_at(&c.fixed, &c.moving, c.op, &Number::Float(t), &|| {
            interrupt.is_set()
        }) {
            Ok(step) => Ok(step.value),
            Err(ContError::Interrupted) => Err(Box::new(interrupted(span))),
            Err(ContError::Inaccurate { .. }) => self.conv_value(c, t, span),
            Err(e) => err(span, e.to_string()),
        }
    }

    /// The four panels at t.
    fn cont_frame(
        &mut self,
        s: &ContScene,
        t: f64,
        animated: bool,
        span: Span,
    ) -> EvalResult<Figure> {
        let c = s.c;
        let (fname, gname) = (&s.fname, &s.gname);
        let tt = num(t);
        let n = s.samples;
        let xr = s.x_range;
        let value = self.step_value(c, t, span)?;
        // The moving factor as a function of τ: moving(t + σ·τ).
        let sigma = c.op.sigma();
        let (fixed_name, moving_name, moving_arg, fixed_color, moving_color) = match c.op {
            COp::Conv => (&fname, &gname, format!("{tt} − τ"), 0, 1),
            COp::Corr => (&gname, &fname, format!("{tt} + τ"), 1, 0),
        };
        let fixed = c.fixed.f.clone();
        let moving = c.moving.f.clone();

        // 1. Both inputs.
        // The same function twice (conv(w, w)) is drawn and named once.
        let same = fname == gname && Rc::ptr_eq(&c.f, &c.g);
        let title = if same {
            format!("{fname}(τ), both inputs")
        } else {
            format!("{fname}(τ) and {gname}(τ)")
        };
        let mut p1 = XyPanel::new(title, "τ", "value").with_x_range(xr.0, xr.1);
        for s in self.function_series(&format!("{fname}(τ)"), &c.f, (1.0, 0.0), xr, n, span)? {
            p1 = p1.with_series(s.with_color(0));
        }
        if !same {
            for s in self.function_series(&format!("{gname}(τ)"), &c.g, (1.0, 0.0), xr, n, span)? {
                p1 = p1.with_series(s.with_color(1));
            }
        }
        // 2. The flip (conv) or the unflipped factor (corr).
        let p2 = match c.op {
            COp::Conv => {
                let mut p = XyPanel::new(format!("flip: {gname}(−τ)"), "τ", "value")
                    .with_x_range(xr.0, xr.1);
                for s in
                    self.function_series(&format!("{gname}(−τ)"), &c.g, (-1.0, 0.0), xr, n, span)?
                {
                    p = p.with_series(s.with_color(1).dashed());
                }
                p
            }
            COp::Corr => {
                let mut p =
                    XyPanel::new(format!("no flip in correlation: {fname}(τ)"), "τ", "value")
                        .with_x_range(xr.0, xr.1)
                        .with_note("corr shifts without flipping");
                for s in
                    self.function_series(&format!("{fname}(τ)"), &c.f, (1.0, 0.0), xr, n, span)?
                {
                    p = p.with_series(s.with_color(0).dashed());
                }
                p
            }
        };
        // 3. The shifted factor over the fixed one.
        let shift_label = format!("{moving_name}({moving_arg})");
        let (vline_x, vline_label) = match c.op {
            COp::Conv => (t, format!("τ = t = {tt}")),
            COp::Corr => (-t, format!("τ = −t = {}", num(-t))),
        };
        let mut p3 = XyPanel::new(
            format!("shift: {shift_label} over {fixed_name}(τ)"),
            "τ",
            "value",
        )
        .with_x_range(xr.0, xr.1)
        .with_vline(vline_x, vline_label);
        for s in
            self.function_series(&format!("{fixed_name}(τ)"), &fixed, (1.0, 0.0), xr, n, span)?
        {
            p3 = p3.with_series(s.with_color(fixed_color));
        }
        for s in self.function_series(&shift_label, &moving, (sigma, t), xr, n, span)? {
            p3 = p3.with_series(s.with_color(moving_color).dashed());
        }
        // 4. The product and the result so far.
        let product_label = match c.op {
            COp::Conv => format!("{fname}(τ)·{gname}({tt} − τ)"),
            COp::Corr => format!("{fname}({tt} + τ)·{gname}(τ)"),
        };
        let product = self.product_curve(c, t, xr, n, span)?;
        let title = format!("{}({tt})", s.title);
        let mut p4 = XyPanel::new(
            format!("multiply and integrate: {}", title),
            "τ (product), t (result)",
            "value",
        )
        .with_x_range(xr.0, xr.1)
        .with_note(format!("area = {}", num(value)));
        if let Some(pc) = &product {
            p4 = p4.with_series(Series::area(product_label, pc.segments.clone()).with_color(2));
        } else {
            p4 = p4.with_series(Series::area(product_label, Vec::new()).with_color(2));
        }
        let so_far = s.result.up_to(t, value);
        p4 = p4
            .with_series(
                so_far
                    .series(format!("{}(t) so far", s.title))
                    .with_color(3),
            )
            .with_series(Series::points(format!("t = {tt}"), vec![(t, value)]).with_color(3));
        if !c.fixed.deltas.is_empty() || !c.moving.deltas.is_empty() {
            self.note(
                "point masses (delta) add to the value but have no area to shade".to_string(),
            );
        }
        if let Some(y) = s.y_inputs {
            p1 = p1.with_y_range(y.0, y.1);
            p3 = p3.with_y_range(y.0, y.1);
        }
        let p2 = match s.y_inputs {
            Some(y) => p2.with_y_range(y.0, y.1),
            None => p2,
        };
        if let Some(y) = s.y_product {
            p4 = p4.with_y_range(y.0, y.1);
        }
        let fig_title = if animated {
            format!("{} at t = {tt}", s.title)
        } else {
            let how = match c.op {
                COp::Conv => "flip, shift, multiply, integrate",
                COp::Corr => "shift, multiply, integrate",
            };
            format!("{} at t = {tt}: {how}", s.title)
        };
        Ok(Figure::new(
            fig_title,
            Layout::grid(2, 2),
            vec![Panel::Xy(p1), Panel::Xy(p2), Panel::Xy(p3), Panel::Xy(p4)],
        ))
    }

    /// fixed(τ)·moving(t + σ·τ) where both are nonzero (None: no overlap).
    fn product_curve(
        &mut self,
        c: &ConvFn,
        t: f64,
        xr: (f64, f64),
        n: usize,
        span: Span,
    ) -> EvalResult<Option<Curve>> {
        let sigma = c.op.sigma();
        let sf = c.fixed.f.support();
        let sm = c.moving.f.support();
        // moving(t + σ·τ) ≠ 0 for t + σ·τ ∈ sm.
        let (m0, m1) = cont::moving_interval(sm.0, sm.1, t, sigma);
        let lo = xr.0.max(sf.0).max(m0);
        let hi = xr.1.min(sf.1).min(m1);
        if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
            return Ok(None);
        }
        let fixed = c.fixed.f.clone();
        let moving = c.moving.f.clone();
        let mut breaks: Vec<f64> = fixed.breaks_in(lo, hi, MAX_BREAKS).unwrap_or_default();
        let (u0, u1) = {
            let (p, q) = (t + sigma * lo, t + sigma * hi);
            (p.min(q), p.max(q))
        };
        if let Some(bs) = moving.breaks_in(u0, u1, MAX_BREAKS) {
            breaks.extend(bs.iter().map(|u| (u - t) / sigma));
        }
        breaks.sort_by(f64::total_cmp);
        breaks.dedup();
        let interrupt = self.interrupt.clone();
        let mut count = 0usize;
        let mut eval = |x: f64| -> EvalResult<f64> {
            count += 1;
            if count.is_multiple_of(64) {
                interrupt.check(span)?;
            }
            let a = fixed.eval(x);
            if a == 0.0 {
                return Ok(0.0);
            }
            Ok(a * moving.eval(t + sigma * x))
        };
        let n = ((n as f64 * (hi - lo) / (xr.1 - xr.0)).ceil() as usize).clamp(50, n);
        Ok(Some(sample_curve(&mut eval, &breaks, (lo, hi), n, true)?))
    }

    fn cont_animation(
        &mut self,
        c: &ConvFn,
        names: Option<(String, String)>,
        range: Option<(f64, f64)>,
        frames: usize,
        span: Span,
    ) -> EvalResult<Vec<Figure>> {
        let t_range = match range {
            Some(r) => r,
            None => default_range(&[c.support]),
        };
        let ts: Vec<f64> = (0..frames)
            .map(|k| {
                if frames == 1 {
                    t_range.0
                } else {
                    t_range.0 + (t_range.1 - t_range.0) * k as f64 / (frames - 1) as f64
                }
            })
            .collect();
        // The τ axis must hold the inputs and every shifted copy: the hull of
        // the supports and the t range (a fixed axis for every frame).
        let x_range = {
            let sf = c.f.support();
            let sg = c.g.support();
            let mut sup = vec![sf, sg, c.support, t_range];
            match c.op {
                COp::Conv => sup.push((-sg.1, -sg.0)),
                COp::Corr => sup.push((-sf.1, -sf.0)),
            }
            let finite: Vec<(f64, f64)> = sup
                .into_iter()
                .map(|(a, b)| {
                    (
                        if a.is_finite() { a } else { t_range.0 },
                        if b.is_finite() { b } else { t_range.1 },
                    )
                })
                .collect();
            let r = default_range(&finite);
            hull(r, t_range)
        };
        let mut scene = self.cont_scene(c, names, Some(x_range), None, FRAME_SAMPLES, span)?;
        // Fixed y ranges: the inputs' values, and the products and the result
        // over all frames.
        let mut yi = (0.0f64, 0.0f64);
        for f in [&c.f, &c.g] {
            let cv = self.sample_fn(f, 1.0, 0.0, x_range, FRAME_SAMPLES, span)?;
            yi = cv.y_hull(yi);
        }
        let mut yp = scene.result.y_hull((0.0, 0.0));
        for &t in &ts {
            self.check_interrupt(span)?;
            if let Some(p) = self.product_curve(c, t, x_range, FRAME_SAMPLES, span)? {
                yp = p.y_hull(yp);
            }
        }
        scene.y_inputs = Some(padded_y(yi));
        scene.y_product = Some(padded_y(yp));
        let mut out = Vec::with_capacity(ts.len());
        for &t in &ts {
            self.check_interrupt(span)?;
            out.push(self.cont_frame(&scene, t, true, span)?);
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// Discrete 1D steps and animation

/// What every frame of a 1D discrete steps picture shares.
struct SeqScene<'a> {
    s: &'a Seq1,
    /// The result in the requested mode.
    result: Vec<f64>,
    result_start: i64,
    m_range: (f64, f64),
    n_range: (f64, f64),
}

fn conv_err(e: disc::ConvError, span: Span) -> Box<Diagnostic> {
    if e == disc::ConvError::Interrupted {
        return Box::new(crate::eval::interrupted(span));
    }
    Box::new(Diagnostic::error(e.to_string(), Some(span)))
}

impl Builder<'_, '_> {
    /// `ns`: the output indices that will be shown; `range` fixes the m axis.
    fn seq_scene<'a>(
        &mut self,
        s: &'a Seq1,
        range: Option<(f64, f64)>,
        ns: &[i64],
    ) -> EvalResult<SeqScene<'a>> {
        for (label, v, sp) in [(&s.names.0, &s.x, s.span), (&s.names.1, &s.y, s.span)] {
            if v.len() > MAX_POINTS_PER_SERIES {
                return err_hint(
                    sp,
                    format!(
                        "{label} has {} samples and a stem plot can show at most {MAX_POINTS_PER_SERIES}",
                        v.len()
                    ),
                    "plot a shorter part of it",
                );
            }
        }
        let out = disc::convolve_f64(
            s.op,
            SeqRef::new(s.xs, &s.x),
            SeqRef::new(s.ys, &s.y),
            s.mode,
            Algorithm::Auto,
        )
        .map_err(|e| conv_err(e, s.span))?;
        if let Some(why) = out.empty {
            self.note(format!("the result has no samples: {why}"));
        }
        let (n_lo, n_hi) = (
            ns.iter().copied().min().unwrap_or(0),
            ns.iter().copied().max().unwrap_or(0),
        );
        let m_range = match range {
            Some(r) => r,
            None => {
                let ylen = s.y.len() as i64;
                // The kernel's footprint in input indices at n.
                let foot = |n: i64| match s.op {
                    DOp::Conv => (n - (s.ys + ylen - 1), n - s.ys),
                    DOp::Corr => (n + s.ys, n + s.ys + ylen - 1),
                };
                let (a, b) = (foot(n_lo), foot(n_hi));
                let lo = s.xs.min(a.0).min(b.0);
                let hi = (s.xs + s.x.len() as i64 - 1).max(a.1).max(b.1);
                (lo as f64 - 1.0, hi as f64 + 1.0)
            }
        };
        let rs = out.seq.start;
        let re = rs + out.seq.values.len() as i64 - 1;
        let n_range = (rs.min(n_lo) as f64 - 1.0, re.max(n_hi).max(rs) as f64 + 1.0);
        Ok(SeqScene {
            s,
            result: out.seq.values,
            result_start: rs,
            m_range,
            n_range,
        })
    }

    fn seq_frame(&mut self, sc: &SeqScene, n: i64, span: Span) -> EvalResult<Figure> {
        let s = sc.s;
        let (a, b) = (&s.names.0, &s.names.1);
        let sl = disc::sliding_1d(s.op, SeqRef::new(s.xs, &s.x), SeqRef::new(s.ys, &s.y), n)
            .map_err(|e| conv_err(e, span))?;
        let (mr, nr) = (sc.m_range, sc.n_range);
        let in_m = |m: i64| (m as f64) >= mr.0 && (m as f64) <= mr.1;
        let x_pts: Vec<(f64, f64)> =
            s.x.iter()
                .enumerate()
                .map(|(i, v)| (s.xs + i as i64, *v))
                .filter(|(m, _)| in_m(*m))
                .map(|(m, v)| (m as f64, v))
                .collect();
        let p1 = XyPanel::new(format!("{a}[m]"), "m", format!("{a}[m]"))
            .with_x_range(mr.0, mr.1)
            .with_series(Series::stems(format!("{a}[m]"), x_pts).with_color(0));
        let (k_arg, k_title) = match s.op {
            DOp::Conv => (
                format!("{n} − m"),
                format!("flip and shift: {b}[n − m], n = {n}"),
            ),
            DOp::Corr => (
                format!("m − {n}"),
                format!("shift (no flip): {b}[m − n], n = {n}"),
            ),
        };
        let k_pts: Vec<(f64, f64)> =
            s.y.iter()
                .enumerate()
                .map(|(j, v)| {
                    let idx = s.ys + j as i64;
                    let m = match s.op {
                        DOp::Conv => n - idx,
                        DOp::Corr => n + idx,
                    };
                    (m, *v)
                })
                .filter(|(m, _)| in_m(*m))
                .map(|(m, v)| (m as f64, v))
                .collect();
        let p2 = XyPanel::new(k_title, "m", format!("{b}[{k_arg}]"))
            .with_x_range(mr.0, mr.1)
            .with_series(Series::stems(format!("{b}[{k_arg}]"), k_pts).with_color(1));
        let prod: Vec<(f64, f64)> = sl
            .products
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|v| (sl.m_first + i as i64, v)))
            .filter(|(m, _)| in_m(*m))
            .map(|(m, v)| (m as f64, v))
            .collect();
        let prod_label = format!("{a}[m]·{b}[{k_arg}]");
        let op = s.op.name();
        let p3 = XyPanel::new(
            format!("multiply: {prod_label}, sum = {}", format_number(sl.value)),
            "m",
            "product",
        )
        .with_x_range(mr.0, mr.1)
        .with_series(Series::stems(prod_label, prod).with_color(2))
        .with_note(format!("{op}({a}, {b})[{n}] = {}", format_number(sl.value)));
        let so_far: Vec<(f64, f64)> = sc
            .result
            .iter()
            .enumerate()
            .map(|(i, v)| (sc.result_start + i as i64, *v))
            .filter(|(k, _)| *k <= n)
            .map(|(k, v)| (k as f64, v))
            .collect();
        let p4 = XyPanel::new(format!("{op}({a}, {b})[n] so far"), "n", "value")
            .with_x_range(nr.0, nr.1)
            .with_series(Series::stems(format!("{op}({a}, {b})[n]"), so_far).with_color(3))
            .with_series(
                Series::points(format!("n = {n}"), vec![(n as f64, sl.value)]).with_color(3),
            );
        Ok(Figure::new(
            format!("{op}({a}, {b}) at n = {n}"),
            Layout::grid(2, 2),
            vec![Panel::Xy(p1), Panel::Xy(p2), Panel::Xy(p3), Panel::Xy(p4)],
        ))
    }

    fn seq_animation(
        &mut self,
        s: &Seq1,
        range: Option<(f64, f64)>,
        span: Span,
    ) -> EvalResult<Vec<Figure>> {
        let (lo, hi) = match range {
            Some((a, b)) => (a.ceil() as i64, b.floor() as i64),
            None => {
                let out = disc::convolve_f64(
                    s.op,
                    SeqRef::new(s.xs, &s.x),
                    SeqRef::new(s.ys, &s.y),
                    s.mode,
                    Algorithm::Auto,
                )
                .map_err(|e| conv_err(e, s.span))?;
                if out.seq.values.is_empty() {
                    let why = out
                        .empty
                        .map_or_else(|| "it is empty".to_string(), |w| w.to_string());
                    return err(s.span, format!("there is nothing to animate: {why}"));
                }
                (
                    out.seq.start,
                    out.seq.start + out.seq.values.len() as i64 - 1,
                )
            }
        };
        if hi < lo {
            return err_hint(
                span,
                "the range holds no whole index n",
                "give a range with at least one integer, e.g. `over 0..5`",
            );
        }
        let count = (hi as i128 - lo as i128 + 1) as u128;
        if count > MAX_FRAMES as u128 {
            return err_hint(
                span,
                format!(
                    "the animation would have {count} frames (one per output index) and the limit is {MAX_FRAMES}"
                ),
                "choose fewer indices with `over n0..n1`",
            );
        }
        let ns: Vec<i64> = (lo..=hi).collect();
        let scene = self.seq_scene(s, None, &ns)?;
        let mut frames = Vec::with_capacity(ns.len());
        for &n in &ns {
            self.check_interrupt(span)?;
            frames.push(self.seq_frame(&scene, n, span)?);
        }
        fix_y_ranges(&mut frames);
        Ok(frames)
    }
}

/// Gives every x–y panel the same y range in all frames (the hull of its
/// data over the frames, with 0), so that the axes stay still.
fn fix_y_ranges(frames: &mut [Figure]) {
    let Some(first) = frames.first() else { return };
    let panels = first.panels.len();
    for p in 0..panels {
        let mut acc = (0.0f64, 0.0f64);
        for f in frames.iter() {
            if let Some(Panel::Xy(xy)) = f.panels.get(p) {
                for s in &xy.series {
                    let pts: Vec<f64> = match &s.kind {
                        SeriesKind::Curve { segments, ends } => segments
                            .iter()
                            .flatten()
                            .map(|q| q.1)
                            .chain(ends.iter().map(|e| e.y))
                            .collect(),
                        SeriesKind::Area { segments } => {
                            segments.iter().flatten().map(|q| q.1).collect()
                        }
                        SeriesKind::Stems { points } | SeriesKind::Points { points } => {
                            points.iter().map(|q| q.1).collect()
                        }
                    };
                    for y in pts.into_iter().filter(|y| y.is_finite()) {
                        acc = (acc.0.min(y), acc.1.max(y));
                    }
                }
            }
        }
        let r = padded_y(acc);
        for f in frames.iter_mut() {
            if let Some(Panel::Xy(xy)) = f.panels.get_mut(p) {
                if xy.y_range.is_none() {
                    xy.y_range = Some(r);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// 2D steps and animation

/// A matrix entry as a heatmap cell.
trait Cell: Ring {
    fn value(&self) -> f64;
    /// The text written in the cell; `None` lets the backend format the value.
    fn text(&self, fmt: &NumFmt) -> Option<String>;
}

impl Cell for f64 {
    fn value(&self) -> f64 {
        *self
    }
    fn text(&self, _fmt: &NumFmt) -> Option<String> {
        None
    }
}

impl Cell for Scalar {
    fn value(&self) -> f64 {
        self.to_f64().unwrap_or(f64::NAN)
    }
    fn text(&self, fmt: &NumFmt) -> Option<String> {
        Some(self.format(fmt))
    }
}

fn cell_text<T: Cell>(v: &T, fmt: &NumFmt) -> String {
    v.text(fmt).unwrap_or_else(|| format_number(v.value()))
}

/// A heatmap of a grid, labelled with the cells' texts when they have any.
fn grid_panel<T: Cell>(title: String, g: &Grid<T>, fmt: &NumFmt) -> HeatmapPanel {
    let values = (0..g.rows())
        .map(|r| g.row(r).iter().map(Cell::value).collect())
        .collect();
    let labels = if g.data().iter().any(|v| v.text(fmt).is_some()) {
        (0..g.rows())
            .map(|r| g.row(r).iter().map(|v| cell_text(v, fmt)).collect())
            .collect()
    } else {
        Vec::new()
    };
    let mut h = HeatmapPanel::new(title, values);
    h.labels = labels;
    h
}

fn finite_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((a, b)) => Some((a.min(v), b.max(v))),
        })
}

fn matrix_grid<T>(m: &Matrix, conv: impl Fn(&Scalar) -> T) -> Grid<T> {
    let s = m.elems.scalars();
    Grid::from_fn(m.rows, m.cols, |r, c| conv(&s[r * m.cols + c]))
}

impl Builder<'_, '_> {
    /// One figure at `at`, or one per output cell (row by row) when `at` is None.
    fn mat_figures(
        &mut self,
        m: &Mat2,
        at: Option<(usize, usize)>,
        span: Span,
    ) -> EvalResult<Vec<Figure>> {
        let float = matches!(m.a.elems, Elems::Float(_)) && matches!(m.k.elems, Elems::Float(_));
        if float {
            let a = matrix_grid(&m.a, |s| s.to_f64().unwrap_or(f64::NAN));
            let k = matrix_grid(&m.k, |s| s.to_f64().unwrap_or(f64::NAN));
            self.mat_frames(m, &a, &k, at, span)
        } else {
            let a = matrix_grid(&m.a, Scalar::clone);
            let k = matrix_grid(&m.k, Scalar::clone);
            self.mat_frames(m, &a, &k, at, span)
        }
    }

    fn mat_animation(&mut self, m: &Mat2, span: Span) -> EvalResult<Vec<Figure>> {
        self.mat_figures(m, None, span)
    }

    fn mat_frames<T: Cell>(
        &mut self,
        m: &Mat2,
        a: &Grid<T>,
        k: &Grid<T>,
        at: Option<(usize, usize)>,
        span: Span,
    ) -> EvalResult<Vec<Figure>> {
        let fmt = self.fmt;
        let op = m.op;
        let shape =
            conv2d::shape2d(a.shape(), k.shape(), op, &m.opts).map_err(|e| conv_err(e, m.span))?;
        let (or, oc) = shape.out();
        let cells: Vec<(usize, usize)> = match at {
            Some(p) => vec![p],
            None => {
                let count = or as u128 * oc as u128;
                if count > MAX_FRAMES as u128 {
                    return err_hint(
                        m.span,
                        format!(
                            "the animation would have {count} frames (one per output cell of the {or}×{oc} result) and the limit is {MAX_FRAMES}"
                        ),
                        "animate a smaller matrix, or show single cells with `plot steps conv(A, K) at (i, j)`",
                    );
                }
                (0..or).flat_map(|i| (0..oc).map(move |j| (i, j))).collect()
            }
        };
        let out = conv2d::apply2d(op, a, k, &m.opts).map_err(|e| conv_err(e, m.span))?;
        if let Some(&(i, j)) = cells.first() {
            if i >= or || j >= oc {
                return err_hint(
                    span,
                    format!("({i}, {j}) is outside the {or}×{oc} result"),
                    format!(
                        "output rows count from 0 to {}, columns from 0 to {}",
                        or.saturating_sub(1),
                        oc.saturating_sub(1)
                    ),
                );
            }
        }
        // The input as the kernel sees it: padded by the mode and options,
        // filled by the boundary rule.
        let (pbr, pbc) = (shape.rows.pad_before(), shape.cols.pad_before());
        let (prs, pcs) = (
            a.rows() + pbr + shape.rows.pad_after(),
            a.cols() + pbc + shape.cols.pad_after(),
        );
        if prs.saturating_mul(pcs) > MAX_HEATMAP_CELLS {
            return err(
                m.span,
                format!(
                    "the padded input has {} cells and a heatmap can show at most {MAX_HEATMAP_CELLS}",
                    prs.saturating_mul(pcs)
                ),
            );
        }
        let padded: Grid<T> = Grid::from_fn(prs, pcs, |q, p| {
            let r = conv2d::boundary_source(q as i64 - pbr as i64, a.rows(), m.opts.boundary);
            let c = conv2d::boundary_source(p as i64 - pbc as i64, a.cols(), m.opts.boundary);
            match (r, c) {
                (Some(r), Some(c)) => a[(r, c)].clone(),
                _ => T::zero(),
            }
        });
        let (an, kn) = (&m.names.0, &m.names.1);
        let name = op.name();
        let mut input = grid_panel(String::new(), &padded, &fmt);
        input.origin = (-(pbr as i64), -(pbc as i64));
        input.color_range = finite_range(padded.data().iter().map(Cell::value));
        let out_range = finite_range(out.data().iter().map(Cell::value));
        let kernel_title = match op {
            DOp::Conv => format!("{kn} flipped (as conv applies it)"),
            DOp::Corr => format!("{kn} as given (corr does not flip)"),
        };
        let mut frames = Vec::with_capacity(cells.len());
        for (i, j) in cells {
            self.check_interrupt(span)?;
            let w = conv2d::window_2d(op, a, k, &m.opts, (i, j)).map_err(|e| conv_err(e, span))?;
            let pos: Vec<(i64, i64)> = w.cells.data().iter().map(|c| c.pos).collect();
            let (r0, r1) = (
                pos.iter().map(|p| p.0).min().unwrap_or(0),
                pos.iter().map(|p| p.0).max().unwrap_or(0),
            );
            let (c0, c1) = (
                pos.iter().map(|p| p.1).min().unwrap_or(0),
                pos.iter().map(|p| p.1).max().unwrap_or(0),
            );
            let mut p1 = input.clone();
            p1.title = format!("{an} with the window for output ({i}, {j})");
            p1.highlight = Some(CellRect {
                row: (r0 + pbr as i64).max(0) as usize,
                col: (c0 + pbc as i64).max(0) as usize,
                height: (r1 - r0 + 1) as usize,
                width: (c1 - c0 + 1) as usize,
            });
            let p2 = grid_panel(kernel_title.clone(), &w.kernel, &fmt);
            let sum = cell_text(&w.value, &fmt);
            let p3 = grid_panel(format!("products, sum = {sum}"), &w.products, &fmt);
            let done = i * oc + j;
            let mut p4 = HeatmapPanel::new(
                format!("{name}({an}, {kn}) so far"),
                (0..or)
                    .map(|r| {
                        (0..oc)
                            .map(|c| {
                                if r * oc + c <= done {
                                    out[(r, c)].value()
                                } else {
                                    f64::NAN
                                }
                            })
                            .collect()
                    })
                    .collect(),
            );
            p4.labels = (0..or)
                .map(|r| {
                    (0..oc)
                        .map(|c| {
                            if r * oc + c <= done {
                                cell_text(&out[(r, c)], &fmt)
                            } else {
                                String::new()
                            }
                        })
                        .collect()
                })
                .collect();
            p4.highlight = Some(CellRect {
                row: i,
                col: j,
                height: 1,
                width: 1,
            });
            p4.color_range = out_range;
            frames.push(Figure::new(
                format!("{name}({an}, {kn}) at ({i}, {j}) = {sum}"),
                Layout::grid(2, 2),
                vec![
                    Panel::Heatmap(p1),
                    Panel::Heatmap(p2),
                    Panel::Heatmap(p3),
                    Panel::Heatmap(p4),
                ],
            ));
        }
        Ok(frames)
    }
}

/// A build without the `raster` feature (CI builds with it; these run under
/// `cargo test --lib --no-default-features`).
#[cfg(all(test, not(feature = "raster")))]
mod raster_less_tests {
    use crate::session::Session;

    #[test]
    fn png_and_gif_are_refused_with_a_diagnostic_and_svg_still_works() {
        let mut s = Session::new();
        s.run_collect("f(t) = { 1 if 0 <= t < 1 }").unwrap();
        let png = s.run_collect("plot f to \"x.png\"").unwrap_err();
        assert!(png.message.contains("writes SVG only"), "{}", png.message);
        assert!(png.message.contains("PNG needs the `raster` feature"));
        let gif = s
            .run_collect("animate conv(f, f) to \"x.gif\"")
            .unwrap_err();
        assert!(gif.message.contains("GIF needs the `raster` feature"));
        assert!(gif.hint.as_deref().unwrap_or("").contains(".svg"));
        assert!(!std::path::Path::new("x.png").exists());
        assert!(!std::path::Path::new("x.gif").exists());
        let text = s.run_collect("plot f over -1..2").unwrap();
        assert!(text[0].contains('f'));
        let dir = std::env::temp_dir().join(format!("convolab-svg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let svg = dir.join("f.svg");
        let wrote = s
            .run_collect(&format!("plot f to \"{}\"", svg.display()))
            .unwrap();
        assert!(wrote[0].starts_with("wrote"), "{wrote:?}");
        assert!(svg.is_file());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
