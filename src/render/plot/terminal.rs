//! Figures as Unicode text, for a REPL user who wants the shape without
//! opening a file.
//!
//! # What the text looks like
//!
//! ```text
//!                  f(τ) and g(τ)
//! value
//!  1.05 ┤           ●⠤⠤⠤⠤⠤⠤⠤⠤○
//!       │                  •• ••
//!       │                 ••   ••
//!       │                ••     ••
//!       │               ••       ••
//!       │              ••         ••
//!       │             ••           ••
//!       │           ••               ••
//! -0.05 ┤──•••••••••○────────●⠒⠒⠒⠒⠒⠒⠒⠒••••••••••──
//!       └─────────────────────────────────────────
//!        -1.2       0        τ                 3.2
//! ⠤⠤ f(τ)   •• g(τ)   ● closed end   ○ open end
//! ```
//!
//! * The first series that is not a set of markers is drawn in braille dots
//!   (U+2800…, 2 × 4 dots per character); every other series in its own glyph
//!   (`•`, `+`, `x`, …) at character resolution, so that series stay apart
//!   without colour (a further area is shading only). Several stem series
//!   are set one dot apart. Markers are `◆ ■ ▲ ★`; end marks `●` (closed) and `○`
//!   (open); shaded areas `░`; vertical marker lines `┊`; y = 0 `─`.
//! * The y range is printed at the top and bottom of the axis (and 0 where it
//!   falls), the x range under its ends, the axis names above and below.
//! * A legend line names the series when there are several, and explains
//!   marker lines and end marks.
//! * Heatmaps print their cell texts when they fit, with the highlighted
//!   window framed; otherwise shades `░▒▓█` (blank is the low end), averaged
//!   over blocks of cells when the matrix is larger than the space.
//! * Panels follow the figure's grid when each gets at least
//!   [`MIN_PANEL_COLS`] columns, and are stacked otherwise.
//!
//! The output is deterministic and has no colour codes and no trailing
//! spaces; lines are separated by `\n`, with no newline after the last.

use super::draw::ColorScale;
use super::model::{Figure, HeatmapPanel, Panel, SeriesKind, XyPanel};
use super::scale::{
    clip_polygon, clip_polyline, finite_runs, format_number, resolve_view, thin, View,
};

/// Narrowest panel placed beside another; narrower grids are stacked.
pub const MIN_PANEL_COLS: usize = 32;
/// Fewest lines a panel gets.
const MIN_PANEL_ROWS: usize = 8;
/// The size the output is clamped to, whatever is asked.
const MAX_COLS: usize = 500;
const MAX_ROWS: usize = 300;
const MIN_COLS: usize = 20;
const MIN_ROWS: usize = 6;
/// Spaces between panels side by side.
const GAP: usize = 3;

/// Glyphs of the series after the first, in order.
const GLYPHS: [char; 8] = ['•', '+', 'x', '*', '#', '%', '=', '@'];
/// Glyphs of marker series, in order.
const MARKERS: [char; 4] = ['◆', '■', '▲', '★'];
/// Heatmap shades, low to high.
const SHADES: [char; 5] = [' ', '░', '▒', '▓', '█'];

/// Renders a figure as Unicode text at most `cols` characters wide and
/// about `rows` lines high (clamped to 20…500 × 6…300; a panel never gets
/// fewer than 8 lines, so many stacked panels can exceed `rows`).
///
/// Never fails: what cannot be shown is left out (non-finite points), and a
/// figure that does not fit its layout is stacked.
pub fn render_terminal(figure: &Figure, cols: usize, rows: usize) -> String {
    let cols = cols.clamp(MIN_COLS, MAX_COLS);
    let rows = rows.clamp(MIN_ROWS, MAX_ROWS);
    let mut out: Vec<String> = Vec::new();
    if !figure.title.is_empty() {
        out.push(center(&figure.title, cols));
    }
    let n = figure.panels.len();
    let mut grid_cols = figure.layout.cols.max(1).min(n.max(1));
    if figure.validate_layout().is_err() || (cols + GAP) / grid_cols < MIN_PANEL_COLS + GAP {
        grid_cols = 1;
    }
    let grid_rows = n.div_ceil(grid_cols).max(1);
    let panel_w = (cols + GAP) / grid_cols - GAP;
    let panel_h = (rows.saturating_sub(out.len()) / grid_rows).max(MIN_PANEL_ROWS);
    for row in figure.panels.chunks(grid_cols) {
        let blocks: Vec<Vec<String>> = row
            .iter()
            .map(|p| match p {
                Panel::Xy(xy) => render_xy(xy, panel_w, panel_h),
                Panel::Heatmap(hm) => render_heatmap(hm, panel_w, panel_h),
            })
            .collect();
        let height = blocks.iter().map(Vec::len).max().unwrap_or(0);
        for i in 0..height {
            let mut line = String::new();
            for (k, block) in blocks.iter().enumerate() {
                if k > 0 {
                    line.push_str(&" ".repeat(GAP));
                }
                line.push_str(&pad(block.get(i).map_or("", String::as_str), panel_w));
            }
            out.push(line);
        }
    }
    out.iter()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Number of characters (terminal columns, for the text we produce).
fn width(s: &str) -> usize {
    s.chars().count()
}

/// `s` cut to `w` characters, with `…` when cut.
fn truncate(s: &str, w: usize) -> String {
    if width(s) <= w {
        s.to_string()
    } else if w == 0 {
        String::new()
    } else {
        let mut t: String = s.chars().take(w - 1).collect();
        t.push('…');
        t
    }
}

/// `s` padded with spaces (or cut) to exactly `w` characters.
fn pad(s: &str, w: usize) -> String {
    let t = truncate(s, w);
    let n = width(&t);
    t + &" ".repeat(w - n)
}

/// `s` centred in `w` characters (left part only; the caller pads).
fn center(s: &str, w: usize) -> String {
    let t = truncate(s, w);
    format!("{}{t}", " ".repeat((w - width(&t)) / 2))
}

/// Words joined by `sep`, wrapped into lines of at most `w` characters.
fn wrap(items: &[String], sep: &str, w: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for item in items {
        let item = truncate(item, w);
        if !line.is_empty() && width(&line) + width(sep) + width(&item) > w {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push_str(sep);
        }
        line.push_str(&item);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// How a series is drawn on the text canvas.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Pen {
    /// Braille dots at 2 × 4 per character.
    Braille,
    /// One glyph per character cell.
    Glyph(char),
}

/// A character grid with braille, glyph and marker layers over a base layer.
struct Canvas {
    w: usize,
    h: usize,
    view: View,
    base: Vec<char>,
    area: Vec<u8>,
    braille: Vec<u8>,
    glyph: Vec<Option<char>>,
    top: Vec<Option<char>>,
}

impl Canvas {
    fn new(w: usize, h: usize, view: View) -> Self {
        let n = w * h;
        Canvas {
            w,
            h,
            view,
            base: vec![' '; n],
            area: vec![0; n],
            braille: vec![0; n],
            glyph: vec![None; n],
            top: vec![None; n],
        }
    }

    /// Dot coordinates (column, row; row 0 at the top) of a data point, as floats.
    fn dot(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let v = &self.view;
        let dx = (x - v.x0) / (v.x1 - v.x0) * (2 * self.w - 1) as f64;
        let dy = (v.y1 - y) / (v.y1 - v.y0) * (4 * self.h - 1) as f64;
        (dx, dy)
    }

    /// The dot of a data point, if it is on the canvas.
    fn dot_at(&self, p: (f64, f64)) -> Option<(usize, usize)> {
        let (dx, dy) = self.dot(p);
        let (dx, dy) = (dx.round(), dy.round());
        if dx >= 0.0 && dy >= 0.0 && (dx as usize) < 2 * self.w && (dy as usize) < 4 * self.h {
            Some((dx as usize, dy as usize))
        } else {
            None
        }
    }

    fn cell(&self, (dx, dy): (usize, usize)) -> usize {
        (dy / 4) * self.w + dx / 2
    }

    fn set_dot(&mut self, (dx, dy): (usize, usize)) {
        const BITS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
        if dx < 2 * self.w && dy < 4 * self.h {
            let c = self.cell((dx, dy));
            self.braille[c] |= BITS[dx % 2][dy % 4];
        }
    }

    fn plot(&mut self, pen: Pen, d: (usize, usize)) {
        match pen {
            Pen::Braille => self.set_dot(d),
            Pen::Glyph(g) => {
                if d.0 < 2 * self.w && d.1 < 4 * self.h {
                    let c = self.cell(d);
                    self.glyph[c] = Some(g);
                }
            }
        }
    }

    /// Draws the visible parts of a polyline; dashed lines skip every other
    /// stretch of dots (braille) or cells (glyphs).
    fn polyline(&mut self, pen: Pen, points: &[(f64, f64)], dashed: bool) {
        for run in clip_polyline(&self.view, points) {
            let mut step = 0usize;
            let mut last_cell = usize::MAX;
            let mut dots = Vec::new();
            if let [p] = run.as_slice() {
                if let Some(d) = self.dot_at(*p) {
                    dots.push(d);
                }
            }
            for w in run.windows(2) {
                let (a, b) = (self.dot(w[0]), self.dot(w[1]));
                let n = (b.0 - a.0).abs().max((b.1 - a.1).abs()).ceil().max(1.0) as usize;
                for k in 0..=n {
                    let t = k as f64 / n as f64;
                    let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
                    let (x, y) = (x.round().max(0.0) as usize, y.round().max(0.0) as usize);
                    dots.push((x.min(2 * self.w - 1), y.min(4 * self.h - 1)));
                }
            }
            for d in dots {
                let visible = match (dashed, pen) {
                    (false, _) => true,
                    (true, Pen::Braille) => {
                        step += 1;
                        (step / 3).is_multiple_of(2)
                    }
                    (true, Pen::Glyph(_)) => {
                        let c = self.cell(d);
                        if c != last_cell {
                            step += 1;
                            last_cell = c;
                        }
                        step % 2 == 1
                    }
                };
                if visible {
                    self.plot(pen, d);
                }
            }
        }
    }

    /// Shades the region between the run and y = 0 (dots counted per cell).
    fn fill_area(&mut self, run: &[(f64, f64)]) {
        let mut polygon = vec![(run[0].0, 0.0)];
        polygon.extend_from_slice(run);
        polygon.push((run[run.len() - 1].0, 0.0));
        let clipped = clip_polygon(&self.view, &polygon);
        if clipped.len() < 3 {
            return;
        }
        // Scan each dot column against the polygon's edges (even–odd rule).
        let pts: Vec<(f64, f64)> = clipped.iter().map(|&p| self.dot(p)).collect();
        for col in 0..2 * self.w {
            let x = col as f64;
            let mut ys = Vec::new();
            for i in 0..pts.len() {
                let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                if (a.0 <= x && x < b.0) || (b.0 <= x && x < a.0) {
                    ys.push(a.1 + (x - a.0) / (b.0 - a.0) * (b.1 - a.1));
                }
            }
            ys.sort_by(f64::total_cmp);
            for pair in ys.chunks(2) {
                if let [lo, hi] = pair {
                    let (r0, r1) = (lo.round().max(0.0) as usize, hi.round().max(0.0) as usize);
                    for row in r0..=r1.min(4 * self.h - 1) {
                        let c = self.cell((col, row));
                        self.area[c] = self.area[c].saturating_add(1);
                    }
                }
            }
        }
    }

    /// Puts a marker glyph on the top layer.
    fn mark(&mut self, p: (f64, f64), g: char) {
        if let Some(d) = self.dot_at(p) {
            let c = self.cell(d);
            self.top[c] = Some(g);
        }
    }

    /// The character row holding y, if it is on the canvas.
    fn row_of(&self, y: f64) -> Option<usize> {
        self.dot_at((self.view.x0, y)).map(|(_, dy)| dy / 4)
    }

    /// The character column holding x, if it is on the canvas.
    fn col_of(&self, x: f64) -> Option<usize> {
        self.dot_at((x, self.view.y0)).map(|(dx, _)| dx / 2)
    }

    /// The finished rows of characters.
    fn lines(&self) -> Vec<String> {
        (0..self.h)
            .map(|r| {
                (0..self.w)
                    .map(|c| {
                        let i = r * self.w + c;
                        if let Some(g) = self.top[i].or(self.glyph[i]) {
                            g
                        } else if self.braille[i] != 0 {
                            char::from_u32(0x2800 + u32::from(self.braille[i])).unwrap_or('?')
                        } else if self.area[i] >= 3 {
                            '░'
                        } else {
                            self.base[i]
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

/// Renders one x–y panel into about `w × h` characters.
fn render_xy(p: &XyPanel, w: usize, h: usize) -> Vec<String> {
    let v = resolve_view(p);

    // Who draws how: the first non-marker series in braille, the rest in glyphs.
    let owner = p
        .series
        .iter()
        .position(|s| !matches!(s.kind, SeriesKind::Points { .. }));
    let mut pens = Vec::with_capacity(p.series.len());
    let (mut glyphs, mut markers) = (GLYPHS.iter().cycle(), MARKERS.iter().cycle());
    for (i, s) in p.series.iter().enumerate() {
        pens.push(match s.kind {
            SeriesKind::Points { .. } => Pen::Glyph(*markers.next().unwrap_or(&'◆')),
            _ if Some(i) == owner => Pen::Braille,
            // Other areas are shading only: no outline, no glyph used up.
            SeriesKind::Area { .. } => Pen::Glyph('░'),
            _ => Pen::Glyph(*glyphs.next().unwrap_or(&'•')),
        });
    }

    // The legend, first: its length decides the plot's height.
    let mut items = Vec::new();
    if p.series.len() > 1 {
        for (s, pen) in p.series.iter().zip(&pens) {
            if s.label.is_empty() {
                continue;
            }
            let symbol = match (&s.kind, pen, s.dashed) {
                (SeriesKind::Area { .. }, _, _) => "░".to_string(),
                (SeriesKind::Points { .. }, Pen::Glyph(g), _) => g.to_string(),
                (SeriesKind::Stems { .. }, Pen::Braille, _) => "⡇".to_string(),
                (SeriesKind::Stems { .. }, Pen::Glyph(g), _) => g.to_string(),
                (_, Pen::Braille, false) => "⠤⠤".to_string(),
                (_, Pen::Braille, true) => "⠤ ⠤".to_string(),
                (_, Pen::Glyph(g), false) => format!("{g}{g}"),
                (_, Pen::Glyph(g), true) => format!("{g} {g}"),
            };
            items.push(format!("{symbol} {}", s.label));
        }
    }
    for (x, label) in &p.vlines {
        if x.is_finite() && *x >= v.x0 && *x <= v.x1 {
            let text = if label.is_empty() {
                format!("x = {}", format_number(*x))
            } else {
                label.clone()
            };
            items.push(format!("┊ {text}"));
        }
    }
    let ends = p.series.iter().filter_map(|s| match &s.kind {
        SeriesKind::Curve { ends, .. } => Some(ends),
        _ => None,
    });
    let (mut closed, mut open) = (false, false);
    for m in ends.flatten() {
        closed |= m.closed;
        open |= !m.closed;
    }
    if closed {
        items.push("● closed end".into());
    }
    if open {
        items.push("○ open end".into());
    }
    let legend = wrap(&items, "   ", w);

    // Lines around the plot: title, y name, axis, x ticks, legend, note.
    let mut head = Vec::new();
    if !p.title.is_empty() {
        head.push(center(&p.title, w));
    }
    if !p.y_label.is_empty() {
        head.push(truncate(&p.y_label, w));
    }
    let note = p.note.as_deref().filter(|n| !n.is_empty());
    let overhead = head.len() + 2 + legend.len() + usize::from(note.is_some());
    let ph = h.saturating_sub(overhead).max(3);

    // The y gutter: labels for the top, the bottom and the row of y = 0.
    let span_y = v.y1 - v.y0;
    let top_label = format_edge(v.y1, span_y);
    let bottom_label = format_edge(v.y0, span_y);
    let gw = width(&top_label).max(width(&bottom_label)).max(1);
    let pw = w.saturating_sub(gw + 2).max(4);
    let mut canvas = Canvas::new(pw, ph, v);
    let zero_row = if v.y0 < 0.0 && v.y1 > 0.0 {
        canvas.row_of(0.0)
    } else {
        None
    };
    let mut labels = vec![String::new(); ph];
    labels[0] = top_label;
    labels[ph - 1] = bottom_label;
    if let Some(r) = zero_row {
        if labels[r].is_empty() && span_y > 0.0 {
            labels[r] = "0".into();
        }
        for c in 0..pw {
            canvas.base[r * pw + c] = '─';
        }
    }
    for (x, _) in &p.vlines {
        if x.is_finite() {
            if let Some(c) = canvas.col_of(*x) {
                for r in 0..ph {
                    canvas.base[r * pw + c] = '┊';
                }
            }
        }
    }

    // Points closer than a dot add nothing; long series are thinned to a
    // few points per dot column first.
    let dot_width = (v.x1 - v.x0) / (2 * pw - 1) as f64;
    let runs = |segments: &[Vec<(f64, f64)>]| -> Vec<Vec<(f64, f64)>> {
        segments
            .iter()
            .flat_map(|seg| finite_runs(seg))
            .map(|run| thin(run, dot_width))
            .collect()
    };

    // Areas first (they only shade), then lines, stems and marks.
    for s in &p.series {
        if let SeriesKind::Area { segments } = &s.kind {
            for run in runs(segments) {
                canvas.fill_area(&run);
            }
        }
    }
    // Several stem series: one dot column apart each, so that stems at the
    // same index stay visible side by side.
    let stem_count = p
        .series
        .iter()
        .filter(|s| matches!(s.kind, SeriesKind::Stems { .. }))
        .count();
    let mut stem_index = 0;
    for (s, &pen) in p.series.iter().zip(&pens) {
        match &s.kind {
            SeriesKind::Area { .. } if pen != Pen::Braille => {}
            SeriesKind::Curve { segments, .. } | SeriesKind::Area { segments } => {
                for run in runs(segments) {
                    canvas.polyline(pen, &run, s.dashed);
                }
            }
            SeriesKind::Stems { points } => {
                let shift = if stem_count > 1 {
                    (2.0 * stem_index as f64 - (stem_count - 1) as f64) * dot_width
                } else {
                    0.0
                };
                stem_index += 1;
                for &(x, y) in points {
                    if !(x.is_finite() && y.is_finite()) {
                        continue;
                    }
                    canvas.polyline(pen, &[(x + shift, 0.0), (x + shift, y)], s.dashed);
                }
            }
            SeriesKind::Points { .. } => {}
        }
    }
    for s in &p.series {
        if let SeriesKind::Curve { ends, .. } = &s.kind {
            for m in ends {
                if m.x.is_finite() && m.y.is_finite() {
                    canvas.mark((m.x, m.y), if m.closed { '●' } else { '○' });
                }
            }
        }
    }
    for (s, &pen) in p.series.iter().zip(&pens) {
        if let (SeriesKind::Points { points }, Pen::Glyph(g)) = (&s.kind, pen) {
            for &pt in points {
                if pt.0.is_finite() && pt.1.is_finite() {
                    canvas.mark(pt, g);
                }
            }
        }
    }

    let mut out = head;
    for (r, row) in canvas.lines().into_iter().enumerate() {
        let axis = if labels[r].is_empty() { '│' } else { '┤' };
        out.push(format!("{:>gw$} {axis}{row}", labels[r]));
    }
    out.push(format!("{} └{}", " ".repeat(gw), "─".repeat(pw)));
    out.push(x_ticks(&v, &p.x_label, gw + 2, pw));
    out.extend(legend);
    if let Some(note) = note {
        out.push(truncate(note, w));
    }
    out
}

/// The end of an axis, rounded to a thousandth of the axis span (the plot
/// cannot show more), e.g. `-0.08` rather than `-0.08125`.
fn format_edge(v: f64, span: f64) -> String {
    if !(span.is_finite() && span > 0.0) {
        return format_number(v);
    }
    let step = 10f64.powf(span.log10().floor() - 2.0);
    let rounded = (v / step).round() * step;
    if rounded.is_finite() {
        format_number(rounded)
    } else {
        format_number(v)
    }
}

/// The line under the x axis: the range's ends under the plot's ends, the
/// axis name in the middle, and 0 where it falls if there is room.
fn x_ticks(v: &View, name: &str, indent: usize, pw: usize) -> String {
    let mut line: Vec<char> = vec![' '; indent + pw];
    let put = |text: &str, at: usize, line: &mut Vec<char>| -> bool {
        let chars: Vec<char> = text.chars().collect();
        let end = at + chars.len();
        if end > line.len()
            || line[at.saturating_sub(1)..(end + 1).min(line.len())]
                .iter()
                .any(|c| *c != ' ')
        {
            return false;
        }
        line[at..end].copy_from_slice(&chars);
        true
    };
    let lo = format_edge(v.x0, v.x1 - v.x0);
    let hi = format_edge(v.x1, v.x1 - v.x0);
    put(&lo, indent, &mut line);
    put(&hi, (indent + pw).saturating_sub(width(&hi)), &mut line);
    let name = truncate(name, pw.saturating_sub(width(&lo) + width(&hi) + 4));
    let mid = indent + pw / 2;
    let placed = name.is_empty() || put(&name, mid.saturating_sub(width(&name) / 2), &mut line);
    if v.x0 < 0.0 && v.x1 > 0.0 {
        let col = ((0.0 - v.x0) / (v.x1 - v.x0) * pw as f64).floor() as usize;
        put("0", indent + col.min(pw - 1), &mut line);
    }
    let mut s: String = line.into_iter().collect();
    if !placed {
        s = format!("{}  {name}", s.trim_end());
    }
    s
}

/// Renders one heatmap into about `w × h` characters.
fn render_heatmap(hm: &HeatmapPanel, w: usize, h: usize) -> Vec<String> {
    let mut body = heatmap_body(hm, w, h.saturating_sub(usize::from(!hm.title.is_empty())));
    if !hm.title.is_empty() {
        // Centred over the grid (its first line), not over the notes.
        let body_w = body.first().map_or(0, |l| width(l.trim_end()));
        body.insert(0, center(&hm.title, body_w.max(width(&hm.title)).min(w)));
    }
    body
}

/// The lines of a heatmap below its title.
fn heatmap_body(hm: &HeatmapPanel, w: usize, h: usize) -> Vec<String> {
    let (rows, cols) = (hm.rows(), hm.cols());
    let mut out = Vec::new();
    let names = format!(
        "↓ {}   → {}",
        if hm.y_label.is_empty() {
            "row"
        } else {
            &hm.y_label
        },
        if hm.x_label.is_empty() {
            "column"
        } else {
            &hm.x_label
        }
    );
    if rows == 0 || cols == 0 {
        out.push("(empty matrix)".into());
        out.push(truncate(&names, w));
        return out;
    }
    let window = hm.highlight.and_then(|win| {
        let r1 = win.row.saturating_add(win.height).min(rows);
        let c1 = win.col.saturating_add(win.width).min(cols);
        (win.row < r1 && win.col < c1).then_some((win.row, r1, win.col, c1))
    });
    let (origin_r, origin_c) = hm.origin;
    let window_note = window.map(|(r0, r1, c0, c1)| {
        let span = |a: usize, b: usize, o: i64| {
            if b - a == 1 {
                format!("{}", a as i64 + o)
            } else {
                format!("{}–{}", a as i64 + o, (b - 1) as i64 + o)
            }
        };
        format!(
            "window: rows {}, columns {}",
            span(r0, r1, origin_r),
            span(c0, c1, origin_c)
        )
    });
    let gw = [origin_r, origin_r + rows as i64 - 1]
        .iter()
        .map(|r| r.to_string().len())
        .max()
        .unwrap_or(1);
    // Lines besides the cell rows: header, two frame lines, names, notes.
    let fixed = 1 + 2 + 1 + 1 + usize::from(window_note.is_some());
    let fits_rows = rows + fixed <= h.max(rows.min(40) + fixed);

    // Cell texts at full width; symbolic labels (never numbers) may be cut
    // with … to fit.
    let index_w = (0..cols)
        .map(|c| (c as i64 + origin_c).to_string().len())
        .max()
        .unwrap_or(1);
    // Width of a grid of cells `cw` wide: row index, space, separator and
    // cell per column, closing separator.
    let grid_width = |cw: usize| {
        cols.saturating_mul(cw.saturating_add(1))
            .saturating_add(gw + 2)
    };
    // Texts are only made when a grid of them could fit (a large matrix
    // goes straight to shades).
    let (texts, cw) = if fits_rows && grid_width(index_w) <= w {
        let mut texts: Vec<Vec<String>> = (0..rows)
            .map(|r| (0..cols).map(|c| hm.cell_text(r, c)).collect())
            .collect();
        let natural = texts.iter().flatten().map(|t| width(t)).max().unwrap_or(1);
        let room = (w.saturating_sub(gw + 2) / cols).saturating_sub(1);
        let mut cw = natural.max(index_w);
        if !hm.labels.is_empty() && cw > room && room >= 4 {
            cw = room.max(index_w);
            for t in texts.iter_mut().flatten() {
                *t = truncate(t, cw);
            }
        }
        (texts, cw)
    } else {
        (Vec::new(), usize::MAX)
    };
    let scale = ColorScale::of(hm);
    let shade = |v: f64| match scale.position(v) {
        Some(t) => SHADES[(t * (SHADES.len() - 1) as f64).round() as usize],
        None => '?',
    };

    if fits_rows && grid_width(cw) <= w {
        out.extend(cell_grid(&texts, cw, gw, hm.origin, window));
    } else if fits_rows && grid_width(2) <= w {
        let blocks: Vec<Vec<String>> = hm
            .values
            .iter()
            .map(|row| {
                row.iter()
                    .map(|&v| shade(v).to_string().repeat(2))
                    .collect()
            })
            .collect();
        let cw = (0..cols)
            .map(|c| (c as i64 + origin_c).to_string().len())
            .max()
            .unwrap_or(1)
            .max(2);
        if grid_width(cw) <= w {
            out.extend(cell_grid(&blocks, cw, gw, hm.origin, window));
        } else {
            out.extend(
                cell_grid(&blocks, 2, gw, hm.origin, window)
                    .into_iter()
                    .skip(1),
            );
        }
        out.push(shade_note(&scale));
    } else {
        // Averages over blocks of fr × fc cells, one character each.
        let avail_w = w.saturating_sub(gw + 1).max(1);
        let avail_h = h.saturating_sub(fixed).max(4);
        let fc = cols.div_ceil(avail_w).max(1);
        let fr = rows.div_ceil(avail_h).max(1);
        for br in 0..rows.div_ceil(fr) {
            let mut line = format!("{:>gw$} ", (br * fr) as i64 + origin_r);
            for bc in 0..cols.div_ceil(fc) {
                let vals: Vec<f64> = (br * fr..((br + 1) * fr).min(rows))
                    .flat_map(|r| (bc * fc..((bc + 1) * fc).min(cols)).map(move |c| (r, c)))
                    .map(|(r, c)| hm.values[r][c])
                    .filter(|v| !v.is_nan())
                    .collect();
                let mean = if vals.is_empty() {
                    f64::NAN
                } else {
                    vals.iter().sum::<f64>() / vals.len() as f64
                };
                line.push(shade(mean));
            }
            out.push(line);
        }
        out.push(shade_note(&scale));
        if fr > 1 || fc > 1 {
            out.push(format!("each character is the mean of {fr} × {fc} cells"));
        }
    }
    out.push(truncate(&names, w));
    if let Some(note) = window_note {
        out.push(note);
    }
    out
}

/// The legend of the shades.
fn shade_note(scale: &ColorScale) -> String {
    let (lo, hi) = scale.range();
    format!(
        "shades: blank = {} … █ = {}",
        format_number(lo),
        format_number(hi)
    )
}

/// A grid of cell texts right-aligned in `cw` columns with a header of
/// column indices, the window framed with box-drawing characters.
fn cell_grid(
    texts: &[Vec<String>],
    cw: usize,
    gw: usize,
    (origin_r, origin_c): (i64, i64),
    window: Option<(usize, usize, usize, usize)>,
) -> Vec<String> {
    let cols = texts.first().map_or(0, Vec::len);
    let mut out = Vec::new();
    let mut header = " ".repeat(gw + 1);
    for c in 0..cols {
        header.push_str(&format!(" {:>cw$}", c as i64 + origin_c));
    }
    out.push(header);
    // A frame line above or below the window.
    let frame = |left: char, right: char, (c0, c1): (usize, usize)| {
        let mut line = " ".repeat(gw + 1);
        for c in 0..=cols {
            let sep = if c == c0 {
                left
            } else if c == c1 {
                right
            } else if c > c0 && c < c1 {
                '─'
            } else {
                ' '
            };
            line.push(sep);
            if c < cols {
                let fill = if c >= c0 && c < c1 { '─' } else { ' ' };
                line.push_str(&fill.to_string().repeat(cw));
            }
        }
        line
    };
    for (r, row) in texts.iter().enumerate() {
        let in_window = window.filter(|&(r0, r1, _, _)| r >= r0 && r < r1);
        if let Some((r0, _, c0, c1)) = in_window {
            if r == r0 {
                out.push(frame('┌', '┐', (c0, c1)));
            }
        }
        let mut line = format!("{:>gw$} ", r as i64 + origin_r);
        for (c, text) in row.iter().enumerate() {
            let sep = match in_window {
                Some((_, _, c0, c1)) if c == c0 || c == c1 => '│',
                _ => ' ',
            };
            line.push(sep);
            line.push_str(&format!("{:>cw$}", text));
        }
        if let Some((_, _, _, c1)) = in_window {
            if c1 == cols {
                line.push('│');
            }
        }
        out.push(line);
        if let Some((_, r1, c0, c1)) = in_window {
            if r + 1 == r1 {
                out.push(frame('└', '┘', (c0, c1)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::plot::model::{EndMark, HeatmapPanel, Layout, Series};

    fn sine(n: usize) -> Vec<(f64, f64)> {
        (0..n)
            .map(|i| {
                let x = std::f64::consts::TAU * i as f64 / (n - 1) as f64;
                (x, x.sin())
            })
            .collect()
    }

    fn single(panel: XyPanel) -> Figure {
        Figure::single("", Panel::Xy(panel))
    }

    fn is_braille(c: char) -> bool {
        ('\u{2801}'..='\u{28FF}').contains(&c)
    }

    /// The plot rows (between the y axis and the end) of a one-panel render.
    fn plot_rows(text: &str) -> Vec<Vec<char>> {
        text.lines()
            .filter_map(|l| {
                let i = l.find(['┤', '│'])?;
                Some(l[i..].chars().skip(1).collect())
            })
            .collect()
    }

    #[test]
    fn sine_peaks_near_half_pi_and_dips_near_three_halves_pi() {
        let fig = single(
            XyPanel::new("sin", "x", "sin x").with_series(Series::curve("sin", vec![sine(400)])),
        );
        let text = render_terminal(&fig, 70, 20);
        let rows = plot_rows(&text);
        assert!(rows.len() >= 10, "{text}");
        let pw = text
            .lines()
            .find(|l| l.contains('└'))
            .map(|l| l.chars().filter(|&c| c == '─').count())
            .expect("axis line");
        let x_of = |col: usize| {
            (col as f64 + 0.5) / pw as f64 * 1.1 * std::f64::consts::TAU
                - 0.05 * std::f64::consts::TAU
        };
        let mean_x = |row: &Vec<char>| {
            let cols: Vec<usize> = (0..row.len()).filter(|&c| is_braille(row[c])).collect();
            assert!(!cols.is_empty(), "row has dots:\n{text}");
            cols.iter().map(|&c| x_of(c)).sum::<f64>() / cols.len() as f64
        };
        let first = rows
            .iter()
            .position(|r| r.iter().any(|&c| is_braille(c)))
            .expect("dots");
        let last = rows
            .iter()
            .rposition(|r| r.iter().any(|&c| is_braille(c)))
            .expect("dots");
        assert!(
            first <= 1 && last >= rows.len() - 2,
            "curve spans the height:\n{text}"
        );
        let top = mean_x(&rows[first]);
        let bottom = mean_x(&rows[last]);
        assert!(
            (top - std::f64::consts::FRAC_PI_2).abs() < 0.35,
            "top at {top}\n{text}"
        );
        assert!(
            (bottom - 3.0 * std::f64::consts::FRAC_PI_2).abs() < 0.35,
            "bottom at {bottom}\n{text}"
        );
        // The range is printed: y ends beside the axis, x ends under it.
        assert!(text.contains("1.1 ┤") && text.contains("-1.1 ┤"), "{text}");
        assert!(text.contains("-0.31") && text.contains("6.6"), "{text}");
        assert!(text.lines().next().expect("title").trim() == "sin");
    }

    #[test]
    fn output_is_deterministic_and_fits_the_width() {
        let fig = single(
            XyPanel::new("two", "x", "y")
                .with_series(Series::curve("sin", vec![sine(300)]))
                .with_series(
                    Series::curve(
                        "cos",
                        vec![sine(300).iter().map(|&(x, _)| (x, x.cos())).collect()],
                    )
                    .dashed(),
                ),
        );
        let a = render_terminal(&fig, 60, 18);
        assert_eq!(a, render_terminal(&fig, 60, 18));
        assert!(
            a.lines().all(|l| width(l) <= 60 && l == l.trim_end()),
            "{a}"
        );
        assert!(!a.contains('\x1b'), "no escape codes");
        // Second series in its own glyph, both named in the legend.
        assert!(a.contains('•'), "{a}");
        let legend = a.lines().last().expect("legend");
        assert!(
            legend.contains("⠤⠤ sin") && legend.contains("• • cos"),
            "{legend}"
        );
    }

    #[test]
    fn stems_are_vertical_braille_lines() {
        let fig = single(XyPanel::new("x[n]", "n", "x[n]").with_series(Series::stems(
            "x",
            vec![(0.0, 1.0), (1.0, 0.5), (2.0, 1.0), (3.0, 1.0)],
        )));
        let text = render_terminal(&fig, 40, 14);
        let rows = plot_rows(&text);
        // Every stem is a column of braille dots in one dot column of its
        // cells (⡇ left, ⢸ right), reaching down to y = 0.
        let columns: Vec<usize> = (0..rows[0].len())
            .filter(|&c| {
                let full = rows.iter().filter(|r| matches!(r.get(c), Some('⡇' | '⢸')));
                full.count() >= 2
            })
            .collect();
        assert_eq!(columns.len(), 4, "{text}");
        let zero = rows
            .iter()
            .position(|r| r.contains(&'─'))
            .expect("zero line");
        for &c in &columns {
            assert!(
                is_braille(rows[zero - 1][c]),
                "stem at column {c} reaches y = 0:\n{text}"
            );
        }
        // The stem of 0.5 is about half as tall as the stem of 1.
        let height = |c: usize| rows.iter().filter(|r| is_braille(r[c])).count();
        assert!(height(columns[1]) * 3 < height(columns[0]) * 2, "{text}");
    }

    #[test]
    fn jumps_show_end_marks_and_legend() {
        let rect = Series::curve(
            "f",
            vec![
                vec![(-1.0, 0.0), (0.0, 0.0)],
                vec![(0.0, 1.0), (1.0, 1.0)],
                vec![(1.0, 0.0), (2.0, 0.0)],
            ],
        )
        .with_ends(vec![EndMark::open(0.0, 0.0), EndMark::closed(0.0, 1.0)]);
        let fig = single(
            XyPanel::new("rect", "τ", "f(τ)")
                .with_series(rect)
                .with_vline(0.3, "t = 0.3"),
        );
        let text = render_terminal(&fig, 50, 14);
        assert!(text.contains('●') && text.contains('○'), "{text}");
        assert!(text.contains('┊'), "marker line drawn:\n{text}");
        assert!(
            text.contains("┊ t = 0.3") && text.contains("● closed end"),
            "{text}"
        );
        assert!(
            text.lines().nth(1) == Some("f(τ)"),
            "y axis name above the plot:\n{text}"
        );
        assert!(text.contains('τ'), "x axis name under the plot:\n{text}");
    }

    #[test]
    fn nan_gaps_and_awkward_data_do_not_panic() {
        let gappy = Series::curve(
            "g",
            vec![vec![
                (0.0, 1.0),
                (1.0, f64::NAN),
                (2.0, 1.0),
                (3.0, 2.0),
                (f64::INFINITY, 1.0),
                (4.0, 0.0),
            ]],
        );
        let cases = vec![
            XyPanel::new("gap", "x", "y").with_series(gappy),
            XyPanel::new("empty", "x", "y"),
            XyPanel::new("flat", "x", "y")
                .with_series(Series::curve("c", vec![vec![(0.0, 3.0), (1.0, 3.0)]])),
            XyPanel::new("huge", "x", "y")
                .with_series(Series::curve("c", vec![vec![(0.0, -1e300), (1.0, 1e300)]])),
            XyPanel::new("all nan", "x", "y")
                .with_series(Series::stems("s", vec![(f64::NAN, 1.0), (1.0, f64::NAN)])),
            XyPanel::new("area", "x", "y").with_series(Series::area(
                "a",
                vec![vec![(0.0, 1.0), (1.0, -1.0), (2.0, f64::NAN)]],
            )),
        ];
        for p in cases {
            let title = p.title.clone();
            for (w, h) in [(0, 0), (20, 6), (80, 24), (10_000, 10_000)] {
                let text = render_terminal(&single(p.clone()), w, h);
                assert!(text.contains(&title), "{text}");
                assert!(text
                    .lines()
                    .all(|l| width(l) <= w.clamp(MIN_COLS, MAX_COLS)));
            }
        }
    }

    #[test]
    fn area_is_shaded() {
        let tri: Vec<(f64, f64)> = (0..=30)
            .map(|i| (i as f64 / 10.0, 1.0 - (i as f64 / 10.0 - 1.5).abs() / 1.5))
            .collect();
        let fig = single(
            XyPanel::new("product", "τ", "f·g")
                .with_series(Series::area("product", vec![tri]))
                .with_series(Series::points("t", vec![(1.5, 1.0)]))
                .with_note("area = 1.5"),
        );
        let text = render_terminal(&fig, 50, 16);
        assert!(text.matches('░').count() > 20, "{text}");
        assert!(
            text.contains('◆') && text.contains("◆ t") && text.contains("░ product"),
            "{text}"
        );
        assert_eq!(text.lines().last(), Some("area = 1.5"));
    }

    #[test]
    fn figures_without_panels_or_with_a_bad_layout_still_render() {
        let empty = Figure::new("nothing", Layout::grid(2, 2), vec![]);
        assert_eq!(
            render_terminal(&empty, 40, 10),
            format!("{}nothing", " ".repeat(16))
        );
        let p = Panel::Xy(XyPanel::new("p", "x", "y"));
        let broken = Figure::new("broken", Layout::grid(0, 0), vec![p.clone(), p]);
        let text = render_terminal(&broken, 40, 30);
        assert_eq!(text.matches(" p\n").count(), 2, "stacked:\n{text}");
    }

    #[test]
    fn a_second_area_only_shades() {
        let fig = single(
            XyPanel::new("", "t", "y")
                .with_series(Series::curve("result", vec![sine(200)]))
                .with_series(Series::area("product", vec![sine(200)]))
                .with_series(Series::curve("other", vec![vec![(0.0, 0.5), (6.0, 0.5)]])),
        );
        let text = render_terminal(&fig, 60, 16);
        let legend = text.lines().last().expect("legend");
        assert_eq!(legend, "⠤⠤ result   ░ product   •• other", "{text}");
        assert!(text.contains('░') && text.chars().any(is_braille), "{text}");
    }

    #[test]
    fn heatmap_prints_numbers_and_frames_the_window() {
        let values: Vec<Vec<f64>> = (0..3)
            .map(|r| (0..4).map(|c| (r * 4 + c) as f64).collect())
            .collect();
        let hm = HeatmapPanel::new("I", values).with_highlight(1, 1, 2, 2);
        let text = render_terminal(&Figure::single("", Panel::Heatmap(hm)), 40, 12);
        let expected = [
            "      I",
            "    0  1  2  3",
            "0   0  1  2  3",
            "     ┌─────┐",
            "1   4│ 5  6│ 7",
            "2   8│ 9 10│11",
            "     └─────┘",
            "↓ row   → column",
            "window: rows 1–2, columns 1–2",
        ];
        assert_eq!(text.lines().collect::<Vec<_>>(), expected, "\n{text}");
    }

    #[test]
    fn large_heatmap_uses_shades() {
        let values: Vec<Vec<f64>> = (0..60)
            .map(|r| (0..100).map(|c| (r + c) as f64).collect())
            .collect();
        let text = render_terminal(
            &Figure::single("", Panel::Heatmap(HeatmapPanel::new("big", values))),
            60,
            30,
        );
        assert!(text.contains('█') && text.contains('▒'), "{text}");
        assert!(text.contains("mean of"), "{text}");
        assert!(text.lines().all(|l| width(l) <= 60), "{text}");
        assert!(text.lines().count() <= 32, "{text}");

        let medium: Vec<Vec<f64>> = (0..6)
            .map(|r| (0..12).map(|c| (r * c) as f64 * 1000.5).collect())
            .collect();
        let text = render_terminal(
            &Figure::single("", Panel::Heatmap(HeatmapPanel::new("m", medium))),
            50,
            20,
        );
        assert!(text.contains('█') && text.contains("shades:"), "{text}");
        assert!(!text.contains("mean of"), "{text}");
    }

    #[test]
    fn four_panels_sit_in_a_grid_or_stack() {
        let p = |t: &str| {
            Panel::Xy(XyPanel::new(t, "τ", "v").with_series(Series::curve("s", vec![sine(50)])))
        };
        let fig = Figure::new(
            "steps",
            Layout::grid(2, 2),
            vec![p("A1"), p("B1"), p("C1"), p("D1")],
        );
        let wide = render_terminal(&fig, 100, 40);
        let line_with = |s: &str, t: &str| t.lines().position(|l| l.contains(s));
        assert_eq!(
            line_with("A1", &wide),
            line_with("B1", &wide),
            "side by side:\n{wide}"
        );
        assert!(line_with("C1", &wide) > line_with("A1", &wide));
        assert!(wide.lines().count() <= 41, "{wide}");
        let narrow = render_terminal(&fig, 50, 40);
        assert!(
            line_with("B1", &narrow) > line_with("A1", &narrow),
            "stacked:\n{narrow}"
        );
        assert_eq!(wide.lines().next().map(str::trim), Some("steps"));
    }
}
