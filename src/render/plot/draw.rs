//! Drawing a [`Figure`] with plotters, on any plotters backend (bitmap, GIF
//! frame or SVG).
//!
//! Layers of an x–y panel, bottom to top: grid and axes, the y = 0 line,
//! shaded areas, vertical marker lines, curves and stems in the order given,
//! end marks, point markers, then the legend and the note, each placed in
//! the corner of the plot that hides the fewest data.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::error::PlotError;
use super::model::{Figure, HeatmapPanel, Panel, Series, SeriesKind, XyPanel, PALETTE};
use super::scale::{
    clip_polygon, clip_polyline, finite_runs, format_number, format_tick, merge_stems,
    resolve_view, thin, View,
};

/// The family every text is drawn in; it is registered with the embedded
/// DejaVu Sans font, which covers τ, ∗, ⊛, ∫, ≤ and ∞.
const FONT: &str = "sans-serif";

type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Registers the embedded DejaVu Sans (regular and bold) as plotters'
/// `sans-serif`, once per process; later calls return the first result.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn ensure_fonts() -> Result<(), PlotError> {
    static REGISTERED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        // `InvalidFont` has no Debug: only success matters here.
        let regular =
            plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular())
                .is_ok();
        let bold =
            plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold()).is_ok();
        regular && bold
    });
    if ok {
        Ok(())
    } else {
        Err(PlotError::Font)
    }
}

/// On wasm32 plotters has no `register_font`: it measures text with the
/// browser's fonts, and SVG text is drawn by the page's `sans-serif`.
#[cfg(target_arch = "wasm32")]
pub(crate) fn ensure_fonts() -> Result<(), PlotError> {
    Ok(())
}

/// Turns a plotters drawing error into ours.
pub(crate) fn render_err<E: std::error::Error + Send + Sync>(
    e: DrawingAreaErrorKind<E>,
) -> PlotError {
    PlotError::Render(e.to_string())
}

/// Draws a whole figure onto `root`, which must be empty or is cleared.
///
/// The figure must have passed [`Figure::validate`]. A panic inside the
/// drawing library is caught and reported as [`PlotError::Render`], so that no
/// input can bring the program down.
pub(crate) fn draw_figure<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
) -> Result<(), PlotError> {
    ensure_fonts()?;
    let caught =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| draw_unguarded(root, fig)));
    caught.unwrap_or_else(|_| {
        Err(PlotError::Render(
            "the drawing library stopped unexpectedly on this figure".into(),
        ))
    })
}

fn draw_unguarded<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fig: &Figure,
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(render_err)?;
    let (w, h) = root.dim_in_pixel();
    let body = if fig.title.is_empty() {
        root.clone()
    } else {
        let panel = (
            w / fig.layout.cols.max(1) as u32,
            h / fig.layout.rows.max(1) as u32,
        );
        let size = (Metrics::of(panel).font * 1.5).clamp(13.0, 30.0);
        root.titled(&fig.title, (FONT, size).into_font().style(FontStyle::Bold))
            .map_err(render_err)?
    };
    let cells = body.split_evenly((fig.layout.rows, fig.layout.cols));
    for (panel, cell) in fig.panels.iter().zip(&cells) {
        match panel {
            Panel::Xy(p) => draw_xy(cell, p)?,
            Panel::Heatmap(hm) => draw_heatmap(cell, hm)?,
        }
    }
    Ok(())
}

/// Sizes that scale with the panel.
#[derive(Clone, Copy)]
struct Metrics {
    /// Base font size in pixels.
    font: f64,
    /// Line width of curves.
    line: u32,
    /// Radius of end marks and stem heads.
    dot: u32,
}

impl Metrics {
    fn of(area: (u32, u32)) -> Self {
        let (w, h) = (f64::from(area.0), f64::from(area.1));
        let font = (w.min(h * 1.4) / 34.0).clamp(9.0, 18.0);
        let big = w.min(h) > 260.0;
        Metrics {
            font,
            line: if big { 2 } else { 1 },
            dot: if big { 4 } else { 3 },
        }
    }

    fn text(&self) -> TextStyle<'static> {
        (FONT, self.font).into_font().into()
    }

    fn small(&self) -> TextStyle<'static> {
        (FONT, self.font * 0.85).into_font().into()
    }

    fn title(&self) -> TextStyle<'static> {
        (FONT, self.font * 1.15)
            .into_font()
            .style(FontStyle::Bold)
            .into()
    }
}

/// The colour of palette entry `i` (wrapping around).
fn palette(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

/// A "nice" tick step (1, 2 or 5 times a power of ten) near `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    let f = raw / p;
    p * if f < 1.5 {
        1.0
    } else if f < 3.5 {
        2.0
    } else if f < 7.5 {
        5.0
    } else {
        10.0
    }
}

/// Width in pixels reserved for the y tick labels and the y axis name: the
/// widest label at the ends of the range, at the precision its ticks need.
fn y_label_area(m: &Metrics, lo: f64, hi: f64, ticks: usize, has_desc: bool) -> u32 {
    let span = hi - lo;
    let step = nice_step(span / ticks.max(1) as f64);
    let first = (lo / step).ceil();
    let count = ((hi / step).floor() - first).clamp(0.0, 20.0) as usize;
    let chars = (0..=count)
        .map(|k| format_tick((first + k as f64) * step, span).chars().count())
        .max()
        .unwrap_or(1);
    let desc = if has_desc { m.font * 1.5 } else { 0.0 };
    (chars as f64 * m.font * 0.52 + desc + 16.0) as u32
}

/// Builds the chart (caption, axes, grid) for the view.
fn build_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    m: &Metrics,
    title: &str,
    v: &View,
    y_label: &str,
    right_margin: u32,
) -> Result<Chart<'a, DB>, PlotError> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin((m.font * 0.6) as u32 + 4)
        .margin_right((m.font * 0.6) as u32 + 4 + right_margin)
        .x_label_area_size((m.font * 3.2) as u32)
        .y_label_area_size(y_label_area(
            m,
            v.y0,
            v.y1,
            y_ticks(area.dim_in_pixel().1, m),
            !y_label.is_empty(),
        ));
    if !title.is_empty() {
        builder.caption(title, m.title());
    }
    builder
        .build_cartesian_2d(v.x0..v.x1, v.y0..v.y1)
        .map_err(render_err)
}

/// The number of ticks that fit on an axis of `pixels` length.
fn tick_count(pixels: u32, per_tick: f64) -> usize {
    ((f64::from(pixels) / per_tick) as usize).clamp(2, 10)
}

/// The number of y ticks for a plot of `height` pixels.
fn y_ticks(height: u32, m: &Metrics) -> usize {
    tick_count(height, m.font * 2.8)
}

/// A thing drawn in the legend before a series' label.
#[derive(Clone, Copy)]
enum Swatch {
    Line { color: RGBColor, dashed: bool },
    Stem { color: RGBColor },
    Area { color: RGBColor },
    Marker { color: RGBColor },
}

/// Pixel positions (relative to the plot) covered by data, sampled every few
/// pixels; used to place the legend where it hides least.
#[derive(Default)]
struct Occupancy(Vec<(i32, i32)>);

impl Occupancy {
    const LIMIT: usize = 200_000;

    fn line(&mut self, a: (i32, i32), b: (i32, i32)) {
        let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
        let steps = (dx.abs().max(dy.abs()) / 6.0).ceil().clamp(1.0, 2000.0) as i32;
        for k in 0..=steps {
            if self.0.len() >= Self::LIMIT {
                return;
            }
            let t = f64::from(k) / f64::from(steps);
            self.0
                .push((a.0 + (dx * t).round() as i32, a.1 + (dy * t).round() as i32));
        }
    }

    fn count_in(&self, (x0, y0): (i32, i32), (x1, y1): (i32, i32)) -> usize {
        self.0
            .iter()
            .filter(|p| p.0 >= x0 - 4 && p.0 <= x1 + 4 && p.1 >= y0 - 4 && p.1 <= y1 + 4)
            .count()
    }
}

/// Draws one x–y panel into `area`.
fn draw_xy<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &XyPanel,
) -> Result<(), PlotError> {
    let m = Metrics::of(area.dim_in_pixel());
    let v = resolve_view(p);
    let mut chart = build_chart(area, &m, &p.title, &v, &p.y_label, 0)?;
    let pa = chart.plotting_area().clone();
    let (pw, ph) = pa.dim_in_pixel();
    let (span_x, span_y) = (v.x1 - v.x0, v.y1 - v.y0);
    let fx = move |x: &f64| format_tick(*x, span_x);
    let fy = move |y: &f64| format_tick(*y, span_y);
    chart
        .configure_mesh()
        .x_desc(p.x_label.as_str())
        .y_desc(p.y_label.as_str())
        .x_labels(tick_count(pw, m.font * 6.0))
        .y_labels(y_ticks(ph, &m))
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .label_style(m.small())
        .axis_desc_style(m.text())
        .max_light_lines(4)
        .light_line_style(RGBColor(244, 244, 244))
        .bold_line_style(RGBColor(222, 222, 222))
        .draw()
        .map_err(render_err)?;

    let base = pa.get_base_pixel();
    let to_px = |pt: (f64, f64)| {
        let (x, y) = chart.backend_coord(&pt);
        (x - base.0, y - base.1)
    };
    let mut occ = Occupancy::default();
    // Points closer than a pixel in x add nothing to the picture.
    let x_step = span_x / f64::from(pw.max(1));

    if v.y0 < 0.0 && v.y1 > 0.0 {
        pa.draw(&PathElement::new(
            vec![(v.x0, 0.0), (v.x1, 0.0)],
            BLACK.mix(0.55).stroke_width(1),
        ))
        .map_err(render_err)?;
    }

    let color_of = |i: usize, s: &Series| palette(s.color.unwrap_or(i));
    for (i, s) in p.series.iter().enumerate() {
        if let SeriesKind::Area { segments } = &s.kind {
            let color = color_of(i, s);
            for run in segments.iter().flat_map(|seg| finite_runs(seg)) {
                let run = thin(run, x_step);
                let mut polygon = Vec::with_capacity(run.len() + 2);
                polygon.push((run[0].0, 0.0));
                polygon.extend_from_slice(&run);
                polygon.push((run[run.len() - 1].0, 0.0));
                let clipped = clip_polygon(&v, &polygon);
                if clipped.len() >= 3 {
                    for w in clipped.windows(2).step_by(4) {
                        let (a, b) = (to_px(w[0]), to_px(w[1]));
                        occ.line(a, (a.0, to_px((w[0].0, 0.0)).1));
                        occ.line(a, b);
                    }
                    pa.draw(&Polygon::new(clipped, color.mix(0.3).filled()))
                        .map_err(render_err)?;
                }
                draw_runs(&pa, &v, &run, color, m.line.max(1), false, &mut occ, &to_px)?;
            }
        }
    }

    for (x, label) in &p.vlines {
        if !(x.is_finite() && *x >= v.x0 && *x <= v.x1) {
            continue;
        }
        pa.draw(&DashedPathElement::new(
            vec![(*x, v.y0), (*x, v.y1)],
            6,
            4,
            RGBColor(90, 90, 90).stroke_width(1),
        ))
        .map_err(render_err)?;
        if !label.is_empty() {
            let (lx, _) = to_px((*x, v.y1));
            let style = m.small().color(&RGBColor(60, 60, 60));
            let (tw, _) = pa.estimate_text_size(label, &style).map_err(render_err)?;
            // Right of the line, or left of it when that would leave the plot.
            let tx = if lx + 4 + tw as i32 > pw as i32 {
                lx - 4 - tw as i32
            } else {
                lx + 4
            };
            let pix = pa.strip_coord_spec();
            pix.draw(&Text::new(label.clone(), (tx, 4), style))
                .map_err(render_err)?;
            occ.line((tx, 4), (tx + tw as i32, 4 + m.font as i32));
        }
    }

    // Several stem series side by side: shift each a little so that stems at
    // the same index do not hide each other.
    let stem_series: Vec<usize> = (0..p.series.len())
        .filter(|&i| matches!(p.series[i].kind, SeriesKind::Stems { .. }))
        .collect();
    let mut dodge = std::collections::HashMap::new();
    if stem_series.len() > 1 {
        let px_per_unit = f64::from(pw) / span_x;
        let k = stem_series.len() as f64;
        let gap_px = (0.5 * px_per_unit / k).min(f64::from(2 * m.dot + 3));
        for (j, &i) in stem_series.iter().enumerate() {
            dodge.insert(i, (j as f64 - (k - 1.0) / 2.0) * gap_px / px_per_unit);
        }
    }

    for (i, s) in p.series.iter().enumerate() {
        let color = color_of(i, s);
        match &s.kind {
            SeriesKind::Area { .. } | SeriesKind::Points { .. } => {}
            SeriesKind::Curve { segments, ends } => {
                for run in segments.iter().flat_map(|seg| finite_runs(seg)) {
                    let run = thin(run, x_step);
                    draw_runs(&pa, &v, &run, color, m.line, s.dashed, &mut occ, &to_px)?;
                }
                for mark in ends {
                    let pt = (mark.x, mark.y);
                    if !(pt.0.is_finite() && pt.1.is_finite() && v.contains(pt)) {
                        continue;
                    }
                    // A hollow dot is a ring: a coloured disc with a white
                    // centre (plotters' wide circle outlines leave specks).
                    pa.draw(&Circle::new(pt, m.dot + 1, color.filled()))
                        .map_err(render_err)?;
                    if !mark.closed {
                        pa.draw(&Circle::new(pt, m.dot.saturating_sub(1), WHITE.filled()))
                            .map_err(render_err)?;
                    }
                }
            }
            SeriesKind::Stems { points } => {
                let dx = dodge.get(&i).copied().unwrap_or(0.0);
                // More stems than pixels: one segment per pixel column, no
                // dots (they would merge into a band anyway).
                if let Some(columns) = merge_stems(points, x_step) {
                    for (x, lo, hi) in columns {
                        let x = x + dx;
                        for run in clip_polyline(&v, &[(x, lo), (x, hi)]) {
                            draw_path(&pa, run, color, m.line, s.dashed)?;
                        }
                        occ.line(to_px((x, lo)), to_px((x, hi)));
                    }
                    continue;
                }
                for &(x, y) in points {
                    if !(x.is_finite() && y.is_finite()) {
                        continue;
                    }
                    let x = x + dx;
                    let stem = [(x, 0.0), (x, y)];
                    for run in clip_polyline(&v, &stem) {
                        draw_path(&pa, run, color, m.line, s.dashed)?;
                    }
                    let (a, b) = (to_px((x, 0.0)), to_px((x, y)));
                    occ.line(a, b);
                    if v.contains((x, y)) {
                        pa.draw(&Circle::new((x, y), m.dot, color.filled()))
                            .map_err(render_err)?;
                    }
                }
            }
        }
    }

    for (i, s) in p.series.iter().enumerate() {
        if let SeriesKind::Points { points } = &s.kind {
            let color = color_of(i, s);
            for &pt in points {
                if pt.0.is_finite() && pt.1.is_finite() && v.contains(pt) {
                    pa.draw(&Circle::new(pt, m.dot + 2, color.filled()))
                        .map_err(render_err)?;
                    pa.draw(&Circle::new(pt, m.dot + 2, BLACK.stroke_width(1)))
                        .map_err(render_err)?;
                    let c = to_px(pt);
                    occ.line((c.0 - 4, c.1), (c.0 + 4, c.1));
                }
            }
        }
    }

    let mut entries: Vec<(Swatch, String)> = Vec::new();
    if p.series.len() > 1 {
        for (i, s) in p.series.iter().enumerate() {
            if s.label.is_empty() {
                continue;
            }
            let color = color_of(i, s);
            let swatch = match s.kind {
                SeriesKind::Curve { .. } => Swatch::Line {
                    color,
                    dashed: s.dashed,
                },
                SeriesKind::Stems { .. } => Swatch::Stem { color },
                SeriesKind::Area { .. } => Swatch::Area { color },
                SeriesKind::Points { .. } => Swatch::Marker { color },
            };
            entries.push((swatch, s.label.clone()));
        }
    }
    let pix = pa.strip_coord_spec();
    let mut taken = None;
    if !entries.is_empty() {
        taken = Some(draw_legend(&pix, &m, &entries, &occ)?);
    }
    if let Some(note) = p.note.as_deref().filter(|n| !n.is_empty()) {
        draw_note(&pix, &m, note, &occ, taken)?;
    }
    Ok(())
}

/// Draws a finite run as lines clipped to the view, recording what it covers.
#[allow(clippy::too_many_arguments)]
fn draw_runs<DB: DrawingBackend>(
    pa: &DrawingArea<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    v: &View,
    run: &[(f64, f64)],
    color: RGBColor,
    width: u32,
    dashed: bool,
    occ: &mut Occupancy,
    to_px: &impl Fn((f64, f64)) -> (i32, i32),
) -> Result<(), PlotError> {
    for visible in clip_polyline(v, run) {
        if visible.iter().all(|p| *p == visible[0]) {
            // An isolated point between gaps: a line through it would be
            // invisible, so show it as a dot.
            let c = to_px(visible[0]);
            occ.line(c, c);
            pa.draw(&Circle::new(visible[0], width + 1, color.filled()))
                .map_err(render_err)?;
            continue;
        }
        for w in visible.windows(2) {
            occ.line(to_px(w[0]), to_px(w[1]));
        }
        draw_path(pa, visible, color, width, dashed)?;
    }
    Ok(())
}

/// Draws a polyline, solid or dashed.
fn draw_path<DB: DrawingBackend>(
    pa: &DrawingArea<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    points: Vec<(f64, f64)>,
    color: RGBColor,
    width: u32,
    dashed: bool,
) -> Result<(), PlotError> {
    let style = color.stroke_width(width);
    if dashed {
        return pa
            .draw(&DashedPathElement::new(points, 8, 5, style))
            .map_err(render_err);
    }
    if width <= 1 || points.len() <= 2 {
        return pa
            .draw(&PathElement::new(points, style))
            .map_err(render_err);
    }
    // A thick polyline is stroked with mitred joins, which at a sharp corner
    // (a kink of a steep curve) shoot a spike far off the curve. Segments
    // drawn one by one have no joins; a dot at each inner vertex rounds them.
    for w in points.windows(2) {
        pa.draw(&PathElement::new(vec![w[0], w[1]], style))
            .map_err(render_err)?;
    }
    let r = (width / 2).max(1) as i32;
    for p in &points[1..points.len() - 1] {
        pa.draw(&Circle::new(*p, r, color.filled()))
            .map_err(render_err)?;
    }
    Ok(())
}

/// The four corners a box of `size` can take inside a plot of `dim`, in
/// order of preference: upper right, upper left, lower right, lower left.
fn corners(dim: (u32, u32), size: (i32, i32)) -> [(i32, i32); 4] {
    let pad = 8;
    let (w, h) = (dim.0 as i32, dim.1 as i32);
    let right = (w - size.0 - pad).max(0);
    let bottom = (h - size.1 - pad).max(0);
    [(right, pad), (pad, pad), (right, bottom), (pad, bottom)]
}

/// A box in pixels: top-left corner and size.
type PixelBox = ((i32, i32), (i32, i32));

fn overlaps(((ax, ay), (aw, ah)): PixelBox, ((bx, by), (bw, bh)): PixelBox) -> bool {
    ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah
}

/// Picks the corner hiding the fewest data points, never one overlapping
/// `avoid` (unless every corner does).
fn best_corner(
    dim: (u32, u32),
    size: (i32, i32),
    occ: &Occupancy,
    avoid: Option<PixelBox>,
    prefer_left: bool,
) -> (i32, i32) {
    let mut cands = corners(dim, size).to_vec();
    if prefer_left {
        cands.swap(0, 1);
        cands.swap(2, 3);
    }
    let hides = |&(x, y): &(i32, i32)| occ.count_in((x, y), (x + size.0, y + size.1));
    let free = cands
        .iter()
        .copied()
        .filter(|c| avoid.is_none_or(|a| !overlaps((*c, size), a)))
        .min_by_key(hides);
    free.or_else(|| cands.iter().copied().min_by_key(hides))
        .unwrap_or((8, 8))
}

/// Draws the legend box; returns the box it took.
fn draw_legend<DB: DrawingBackend>(
    pix: &DrawingArea<DB, Shift>,
    m: &Metrics,
    entries: &[(Swatch, String)],
    occ: &Occupancy,
) -> Result<PixelBox, PlotError> {
    let style = m.small();
    let line_h = (m.font * 1.35) as i32;
    let swatch_w = 26;
    let pad = 6;
    let mut text_w = 0;
    for (_, label) in entries {
        let (w, _) = pix.estimate_text_size(label, &style).map_err(render_err)?;
        text_w = text_w.max(w as i32);
    }
    let size = (
        pad * 3 + swatch_w + text_w,
        pad * 2 + line_h * entries.len() as i32,
    );
    let (x, y) = best_corner(pix.dim_in_pixel(), size, occ, None, false);
    pix.draw(&Rectangle::new(
        [(x, y), (x + size.0, y + size.1)],
        WHITE.mix(0.88).filled(),
    ))
    .map_err(render_err)?;
    pix.draw(&Rectangle::new(
        [(x, y), (x + size.0, y + size.1)],
        RGBColor(160, 160, 160).stroke_width(1),
    ))
    .map_err(render_err)?;
    for (k, (swatch, label)) in entries.iter().enumerate() {
        let top = y + pad + line_h * k as i32;
        let cy = top + line_h / 2;
        let sx = x + pad;
        draw_swatch(pix, *swatch, sx, cy, swatch_w, m)?;
        pix.draw(&Text::new(
            label.clone(),
            (sx + swatch_w + pad, cy),
            style.pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(render_err)?;
    }
    Ok(((x, y), size))
}

fn draw_swatch<DB: DrawingBackend>(
    pix: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    x: i32,
    cy: i32,
    w: i32,
    m: &Metrics,
) -> Result<(), PlotError> {
    let r = match swatch {
        Swatch::Line {
            color,
            dashed: false,
        } => pix.draw(&PathElement::new(
            vec![(x, cy), (x + w, cy)],
            color.stroke_width(m.line),
        )),
        Swatch::Line {
            color,
            dashed: true,
        } => pix.draw(&DashedPathElement::new(
            vec![(x, cy), (x + w, cy)],
            6,
            4,
            color.stroke_width(m.line),
        )),
        Swatch::Stem { color } => pix
            .draw(&PathElement::new(
                vec![(x + w / 2, cy + 6), (x + w / 2, cy - 4)],
                color.stroke_width(m.line),
            ))
            .and_then(|_| pix.draw(&Circle::new((x + w / 2, cy - 4), 3, color.filled()))),
        Swatch::Area { color } => pix
            .draw(&Rectangle::new(
                [(x, cy - 6), (x + w, cy + 6)],
                color.mix(0.3).filled(),
            ))
            .and_then(|_| {
                pix.draw(&Rectangle::new(
                    [(x, cy - 6), (x + w, cy + 6)],
                    color.stroke_width(1),
                ))
            }),
        Swatch::Marker { color } => pix
            .draw(&Circle::new((x + w / 2, cy), 5, color.filled()))
            .and_then(|_| pix.draw(&Circle::new((x + w / 2, cy), 5, BLACK.stroke_width(1)))),
    };
    r.map_err(render_err)
}

/// Draws the note in a box, in the best corner the legend did not take.
fn draw_note<DB: DrawingBackend>(
    pix: &DrawingArea<DB, Shift>,
    m: &Metrics,
    note: &str,
    occ: &Occupancy,
    avoid: Option<PixelBox>,
) -> Result<(), PlotError> {
    let style = m.text();
    let (tw, _) = pix.estimate_text_size(note, &style).map_err(render_err)?;
    let pad = 6;
    let size = (tw as i32 + 2 * pad, (m.font * 1.3) as i32 + 2 * pad);
    let (x, y) = best_corner(pix.dim_in_pixel(), size, occ, avoid, true);
    pix.draw(&Rectangle::new(
        [(x, y), (x + size.0, y + size.1)],
        RGBColor(255, 250, 225).mix(0.92).filled(),
    ))
    .map_err(render_err)?;
    pix.draw(&Rectangle::new(
        [(x, y), (x + size.0, y + size.1)],
        RGBColor(150, 140, 100).stroke_width(1),
    ))
    .map_err(render_err)?;
    pix.draw(&Text::new(
        note.to_string(),
        (x + pad, y + size.1 / 2),
        style.pos(Pos::new(HPos::Left, VPos::Center)),
    ))
    .map_err(render_err)
}

/// How heatmap values map to colours.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ColorScale {
    lo: f64,
    hi: f64,
    /// Signed data: blue below zero, white at zero, red above.
    diverging: bool,
}

impl ColorScale {
    /// The scale for a heatmap: its fixed colour range, or its finite data.
    pub(crate) fn of(hm: &HeatmapPanel) -> Self {
        let (lo, hi) = hm.color_range.unwrap_or_else(|| {
            let finite = hm.values.iter().flatten().filter(|v| v.is_finite());
            let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
            if lo > hi {
                (0.0, 1.0)
            } else {
                (lo, hi)
            }
        });
        if lo < 0.0 && hi > 0.0 {
            let m = lo.abs().max(hi);
            ColorScale {
                lo: -m,
                hi: m,
                diverging: true,
            }
        } else {
            ColorScale {
                lo,
                hi,
                diverging: false,
            }
        }
    }

    /// The ends of the scale.
    pub(crate) fn range(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }

    /// Position of `v` on the scale, 0 (low end) to 1 (high end); `None` for NaN.
    pub(crate) fn position(&self, v: f64) -> Option<f64> {
        if v.is_nan() {
            return None;
        }
        if self.hi > self.lo {
            Some(((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0))
        } else {
            Some(0.5)
        }
    }

    fn color_at(&self, t: f64) -> RGBColor {
        // ColorBrewer "Blues" (sequential) and "RdBu" reversed (diverging).
        const BLUES: [(u8, u8, u8); 5] = [
            (247, 251, 255),
            (198, 219, 239),
            (107, 174, 214),
            (33, 113, 181),
            (8, 48, 107),
        ];
        const RDBU: [(u8, u8, u8); 7] = [
            (33, 102, 172),
            (103, 169, 207),
            (209, 229, 240),
            (247, 247, 247),
            (253, 219, 199),
            (239, 138, 98),
            (178, 24, 43),
        ];
        let stops: &[(u8, u8, u8)] = if self.diverging { &RDBU } else { &BLUES };
        let x = t.clamp(0.0, 1.0) * (stops.len() - 1) as f64;
        let i = (x.floor() as usize).min(stops.len() - 2);
        let f = x - i as f64;
        let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
        let (a, b) = (stops[i], stops[i + 1]);
        RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    fn color(&self, v: f64) -> RGBColor {
        match self.position(v) {
            Some(t) => self.color_at(t),
            None => RGBColor(215, 215, 215),
        }
    }
}

/// Black or white, whichever reads better on `bg`.
fn text_on(bg: RGBColor) -> RGBColor {
    let lum = 0.299 * f64::from(bg.0) + 0.587 * f64::from(bg.1) + 0.114 * f64::from(bg.2);
    if lum < 140.0 {
        WHITE
    } else {
        BLACK
    }
}

/// Draws one heatmap panel into `area`: cells, their texts, the highlighted
/// window and a colour bar.
fn draw_heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    hm: &HeatmapPanel,
) -> Result<(), PlotError> {
    let m = Metrics::of(area.dim_in_pixel());
    let (rows, cols) = (hm.rows(), hm.cols());
    let empty = rows == 0 || cols == 0;
    let v = View {
        x0: -0.5,
        x1: cols.max(1) as f64 - 0.5,
        y0: 0.5 - rows.max(1) as f64,
        y1: 0.5,
    };
    let scale = ColorScale::of(hm);
    let (lo, hi) = scale.range();
    let bar_labels = [format_number(lo), format_number(hi)];
    let bar_text = bar_labels
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(1);
    // No colour bar when there is no number to show (e.g. symbolic entries).
    let colorbar =
        !empty && (hm.color_range.is_some() || hm.values.iter().flatten().any(|v| v.is_finite()));
    let bar_w = if !colorbar {
        0
    } else {
        (30.0 + bar_text as f64 * m.font * 0.5) as u32
    };
    let mut chart = build_chart(area, &m, &hm.title, &v, &hm.y_label, bar_w)?;
    let pa = chart.plotting_area().clone();
    let (pw, ph) = pa.dim_in_pixel();
    let (origin_r, origin_c) = hm.origin;
    let fx = move |x: &f64| {
        let k = x.round();
        if (x - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < cols {
            (k as i64 + origin_c).to_string()
        } else {
            String::new()
        }
    };
    let fy = move |y: &f64| {
        let k = -y.round();
        if (y + k).abs() < 1e-6 && k >= 0.0 && (k as usize) < rows {
            (origin_r + k as i64).to_string()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(hm.x_label.as_str())
        .y_desc(hm.y_label.as_str())
        .x_labels(cols.clamp(1, tick_count(pw, m.font * 3.0)))
        .y_labels(rows.clamp(1, tick_count(ph, m.font * 2.0)))
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .label_style(m.small())
        .axis_desc_style(m.text())
        .draw()
        .map_err(render_err)?;
    if empty {
        return Ok(());
    }

    // Row r is drawn at y = −r, so that row 0 is at the top (and round tick
    // values are round row numbers).
    let y_of = |r: usize| -(r as f64);
    let cell_w = f64::from(pw) / cols as f64;
    let cell_h = f64::from(ph) / rows as f64;
    let gridlines = cell_w >= 6.0 && cell_h >= 6.0;
    // Cells smaller than 2 pixels are drawn in blocks of fr × fc, coloured by
    // their mean (NaN cells left out), which keeps large matrices (and their
    // SVG) small without changing what can be seen.
    let fr = (2.0 / cell_h).ceil().max(1.0) as usize;
    let fc = (2.0 / cell_w).ceil().max(1.0) as usize;
    for r0 in (0..rows).step_by(fr) {
        let r1 = (r0 + fr).min(rows);
        for c0 in (0..cols).step_by(fc) {
            let c1 = (c0 + fc).min(cols);
            let value = if fr == 1 && fc == 1 {
                hm.values[r0][c0]
            } else {
                let (sum, n) = hm.values[r0..r1]
                    .iter()
                    .flat_map(|row| &row[c0..c1])
                    .filter(|v| !v.is_nan())
                    .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
                if n == 0 {
                    f64::NAN
                } else {
                    sum / n as f64
                }
            };
            let corners = [
                (c0 as f64 - 0.5, y_of(r0) + 0.5),
                (c1 as f64 - 0.5, y_of(r1 - 1) - 0.5),
            ];
            pa.draw(&Rectangle::new(corners, scale.color(value).filled()))
                .map_err(render_err)?;
            if gridlines {
                pa.draw(&Rectangle::new(corners, WHITE.stroke_width(1)))
                    .map_err(render_err)?;
            }
        }
    }

    if cell_w >= 10.0 && cell_h >= 10.0 {
        let texts: Vec<Vec<String>> = (0..rows)
            .map(|r| (0..cols).map(|c| hm.cell_text(r, c)).collect())
            .collect();
        let mut size = m.font.min(cell_h * 0.42);
        let probe: TextStyle = (FONT, size).into_font().into();
        let mut widest = 0u32;
        for t in texts.iter().flatten() {
            widest = widest.max(pa.estimate_text_size(t, &probe).map_err(render_err)?.0);
        }
        if f64::from(widest) > cell_w * 0.9 {
            size *= cell_w * 0.9 / f64::from(widest);
        }
        if size >= 7.0 {
            for (r, row) in texts.iter().enumerate() {
                for (c, text) in row.iter().enumerate() {
                    let ink = text_on(scale.color(hm.values[r][c]));
                    let style: TextStyle = (FONT, size).into_font().into();
                    let style = style.color(&ink).pos(Pos::new(HPos::Center, VPos::Center));
                    pa.draw(&Text::new(text.clone(), (c as f64, y_of(r)), style))
                        .map_err(render_err)?;
                }
            }
        }
    }

    if let Some(win) = hm.highlight {
        let r0 = win.row.min(rows);
        let c0 = win.col.min(cols);
        let r1 = win.row.saturating_add(win.height).min(rows);
        let c1 = win.col.saturating_add(win.width).min(cols);
        if r1 > r0 && c1 > c0 {
            let corners = [
                (c0 as f64 - 0.5, y_of(r0) + 0.5),
                (c1 as f64 - 0.5, y_of(r1 - 1) - 0.5),
            ];
            pa.draw(&Rectangle::new(corners, BLACK.stroke_width(5)))
                .map_err(render_err)?;
            pa.draw(&Rectangle::new(
                corners,
                RGBColor(255, 205, 0).stroke_width(2),
            ))
            .map_err(render_err)?;
        }
    }

    if colorbar {
        draw_colorbar(area, &pa, &m, &scale, bar_labels)?;
    }
    Ok(())
}

/// Draws the colour bar to the right of the plot, with its ends (and 0 for a
/// diverging scale) labelled.
fn draw_colorbar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pa: &DrawingArea<DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    m: &Metrics,
    scale: &ColorScale,
    [lo_label, hi_label]: [String; 2],
) -> Result<(), PlotError> {
    let base = area.get_base_pixel();
    let (xr, yr) = pa.get_pixel_range();
    let x = xr.end - base.0 + 12;
    let (top, bottom) = (yr.start - base.1, yr.end - base.1);
    let height = (bottom - top).max(1);
    let steps = 64;
    for k in 0..steps {
        let t = 1.0 - (f64::from(k) + 0.5) / f64::from(steps);
        let y0 = top + height * k / steps;
        let y1 = top + height * (k + 1) / steps;
        area.draw(&Rectangle::new(
            [(x, y0), (x + 14, y1)],
            scale.color_at(t).filled(),
        ))
        .map_err(render_err)?;
    }
    area.draw(&Rectangle::new(
        [(x, top), (x + 14, bottom)],
        RGBColor(120, 120, 120).stroke_width(1),
    ))
    .map_err(render_err)?;
    let style = m.small().pos(Pos::new(HPos::Left, VPos::Center));
    let mut labels = vec![(hi_label, top), (lo_label, bottom)];
    if scale.diverging {
        labels.push(("0".into(), (top + bottom) / 2));
    }
    for (text, y) in labels {
        area.draw(&Text::new(text, (x + 18, y), style.clone()))
            .map_err(render_err)?;
    }
    Ok(())
}
