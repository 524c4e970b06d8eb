//! The figure model: plain data that every backend draws.
//!
//! A [`Figure`] is a grid of [`Panel`]s. A panel is either an x–y plot
//! ([`XyPanel`]) holding [`Series`], or a [`HeatmapPanel`] for matrices.
//! Nothing here knows about convolab values: the caller turns functions,
//! sequences, matrices and convolution steps into these types.
//!
//! # Conventions
//!
//! * **Gaps.** A point whose x or y is NaN or infinite splits a curve or an
//!   area into two pieces (drawn as a gap); a stem or marker with such a
//!   coordinate is skipped. Nothing panics on non-finite input.
//! * **Jumps.** The pieces of [`SeriesKind::Curve`] are drawn separately and
//!   never joined, so a discontinuity appears as a jump, not a slope. Mark the
//!   ends of a piece with [`EndMark`]s (filled = the function takes that value,
//!   hollow = it does not).
//! * **Ranges.** An axis range of `None` is chosen from the data with a 5 %
//!   margin; stems and areas always include y = 0. A range whose ends are equal
//!   is widened so that it still draws. Give fixed ranges to every frame of an
//!   animation so that the axes do not move.
//! * **Colours.** A series' colour is an index into [`PALETTE`] (wrapping
//!   around); `None` uses the series' position in its panel.
//! * **Heatmap orientation.** Row 0 is at the top, column 0 at the left, as a
//!   matrix is written on paper.

use super::error::PlotError;

/// Most points one series may hold (summed over its pieces).
pub const MAX_POINTS_PER_SERIES: usize = 1_000_000;
/// Most cells one heatmap may hold.
pub const MAX_HEATMAP_CELLS: usize = 1_000_000;
/// Most panels one figure may hold.
pub const MAX_PANELS: usize = 64;
/// Smallest figure width or height in pixels.
pub const MIN_FIGURE_SIDE: u32 = 64;
/// Largest figure width or height in pixels.
/// (4096 × 4096 RGB is 48 MiB of frame buffer.)
pub const MAX_FIGURE_SIDE: u32 = 4096;

/// The colours series are drawn in, as RGB (the "tab10" set, which stays
/// distinguishable for the common forms of colour blindness).
pub const PALETTE: [(u8, u8, u8); 10] = [
    (31, 119, 180),  // blue
    (255, 127, 14),  // orange
    (44, 160, 44),   // green
    (214, 39, 40),   // red
    (148, 103, 189), // purple
    (140, 86, 75),   // brown
    (227, 119, 194), // pink
    (127, 127, 127), // grey
    (188, 189, 34),  // olive
    (23, 190, 207),  // cyan
];

/// A whole picture: a title over a grid of panels.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// Drawn centred above all panels; empty for none.
    pub title: String,
    /// The panels, filling the grid row by row. There may be fewer panels
    /// than grid cells (the rest stay blank), never more.
    pub panels: Vec<Panel>,
    /// How the panels are arranged.
    pub layout: Layout,
    /// Image width in pixels (PNG, SVG and GIF).
    pub width: u32,
    /// Image height in pixels (PNG, SVG and GIF).
    pub height: u32,
}

/// A grid of `rows × cols` panels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Number of panel rows (at least 1).
    pub rows: usize,
    /// Number of panel columns (at least 1).
    pub cols: usize,
}

/// One cell of a figure's grid.
#[derive(Clone, Debug, PartialEq)]
pub enum Panel {
    /// Curves, stems, shaded areas and markers on x–y axes.
    Xy(XyPanel),
    /// A matrix drawn as coloured cells with their values.
    Heatmap(HeatmapPanel),
}

/// A plot on x–y axes.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct XyPanel {
    /// Drawn above the plot.
    pub title: String,
    /// Name of the horizontal axis, e.g. `τ`.
    pub x_label: String,
    /// Name of the vertical axis, e.g. `f(τ)·g(t−τ)`.
    pub y_label: String,
    /// Fixed x range `(low, high)`; `None` chooses it from the data.
    pub x_range: Option<(f64, f64)>,
    /// Fixed y range `(low, high)`; `None` chooses it from the data.
    pub y_range: Option<(f64, f64)>,
    /// What is drawn, in order (areas are always drawn beneath the rest).
    pub series: Vec<Series>,
    /// Vertical marker lines at an x, with a label such as `t = 0.3`.
    pub vlines: Vec<(f64, String)>,
    /// A short text shown in a corner of the plot, e.g. `area = 0.045`.
    pub note: Option<String>,
}

/// One named thing drawn in an [`XyPanel`]; it gets a legend entry when the
/// panel has more than one series.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend text; an empty label gets no legend entry.
    pub label: String,
    /// The data and how it is drawn.
    pub kind: SeriesKind,
    /// Index into [`PALETTE`]; `None` uses the series' position in its panel.
    pub color: Option<usize>,
    /// Draw lines dashed (e.g. for the flipped or shifted copy of a function).
    pub dashed: bool,
}

/// The data of a [`Series`] and how it is drawn.
#[derive(Clone, Debug, PartialEq)]
pub enum SeriesKind {
    /// A function drawn as lines. Each piece is drawn on its own, so jumps are
    /// not joined; `ends` marks the ends of pieces as filled or hollow dots.
    Curve {
        /// The pieces, each a list of `(x, y)` in increasing x.
        segments: Vec<Vec<(f64, f64)>>,
        /// Dots at the ends of pieces.
        ends: Vec<EndMark>,
    },
    /// A sequence drawn as stems from y = 0 with a dot on top (x is the index).
    Stems {
        /// The samples `(n, x[n])`.
        points: Vec<(f64, f64)>,
    },
    /// A region shaded between the curve and y = 0, e.g. the product whose
    /// integral is the convolution's value.
    Area {
        /// The pieces of the boundary curve, each a list of `(x, y)`.
        segments: Vec<Vec<(f64, f64)>>,
    },
    /// Isolated markers, e.g. the current t on the result curve.
    Points {
        /// The marker positions.
        points: Vec<(f64, f64)>,
    },
}

/// A dot at the end of a piece of a curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EndMark {
    /// Position of the dot.
    pub x: f64,
    /// Position of the dot.
    pub y: f64,
    /// Filled when the function takes this value (a closed end), hollow when
    /// it does not (an open end).
    pub closed: bool,
}

/// A matrix drawn as a grid of coloured cells, each showing its value.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct HeatmapPanel {
    /// Drawn above the grid.
    pub title: String,
    /// The cell values, row by row; all rows have the same length. A NaN
    /// value (e.g. a symbolic entry) is drawn as a neutral grey cell.
    pub values: Vec<Vec<f64>>,
    /// Text in each cell, same shape as `values`; empty to print the values.
    /// Useful for symbolic entries such as `a·w + b·x`.
    pub labels: Vec<Vec<String>>,
    /// A window of cells to outline, e.g. where the kernel currently lies.
    /// The parts outside the grid are not drawn.
    pub highlight: Option<CellRect>,
    /// Name of the horizontal axis (the column index), e.g. `column`.
    pub x_label: String,
    /// Name of the vertical axis (the row index), e.g. `row`.
    pub y_label: String,
    /// The index printed for the first row and column, `(row, col)`, e.g.
    /// `(-1, -1)` for an input shown with one cell of padding.
    pub origin: (i64, i64),
    /// Values mapped to the ends of the colour scale; `None` uses the data's
    /// range. Fix it for every frame of an animation.
    pub color_range: Option<(f64, f64)>,
}

/// A rectangle of heatmap cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellRect {
    /// First row (0 = top), counted in the grid, not from `origin`.
    pub row: usize,
    /// First column (0 = left), counted in the grid, not from `origin`.
    pub col: usize,
    /// Number of rows.
    pub height: usize,
    /// Number of columns.
    pub width: usize,
}

impl Layout {
    /// A grid of `rows × cols` panels.
    pub fn grid(rows: usize, cols: usize) -> Self {
        Layout { rows, cols }
    }

    /// One panel.
    pub fn single() -> Self {
        Layout { rows: 1, cols: 1 }
    }

    /// Number of panels the grid holds.
    pub fn capacity(&self) -> usize {
        self.rows.saturating_mul(self.cols)
    }

    /// A figure size that gives each panel room: 720 × 480 pixels for one
    /// panel, 560 × 400 per panel for a grid, at most 1920 × 1600.
    pub fn default_size(&self) -> (u32, u32) {
        if self.rows <= 1 && self.cols <= 1 {
            return (720, 480);
        }
        let w = (self.cols.clamp(1, 4) as u32) * 560;
        let h = (self.rows.clamp(1, 4) as u32) * 400;
        (w.min(1920), h.min(1600))
    }
}

impl Figure {
    /// A figure of the given layout and panels, with the default size for
    /// that layout ([`Layout::default_size`]).
    pub fn new(title: impl Into<String>, layout: Layout, panels: Vec<Panel>) -> Self {
        let (width, height) = layout.default_size();
        Figure {
            title: title.into(),
            panels,
            layout,
            width,
            height,
        }
    }

    /// A figure holding one panel.
    pub fn single(title: impl Into<String>, panel: Panel) -> Self {
        Figure::new(title, Layout::single(), vec![panel])
    }

    /// The same figure with another size in pixels.
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }

    /// Checks the limits every backend relies on: a sensible pixel size, no
    /// more panels than the layout holds, at most [`MAX_POINTS_PER_SERIES`]
    /// points per series, rectangular heatmaps, ranges with low < high.
    pub fn validate(&self) -> Result<(), PlotError> {
        if !(MIN_FIGURE_SIDE..=MAX_FIGURE_SIDE).contains(&self.width)
            || !(MIN_FIGURE_SIDE..=MAX_FIGURE_SIDE).contains(&self.height)
        {
            return Err(PlotError::BadSize {
                width: self.width,
                height: self.height,
            });
        }
        self.validate_layout()?;
        for panel in &self.panels {
            panel.validate()?;
        }
        Ok(())
    }

    /// The layout checks of [`Figure::validate`], which the terminal renderer
    /// (which has no pixel size) also needs.
    pub(crate) fn validate_layout(&self) -> Result<(), PlotError> {
        if self.layout.rows == 0 || self.layout.cols == 0 {
            return Err(PlotError::BadLayout {
                rows: self.layout.rows,
                cols: self.layout.cols,
            });
        }
        if self.panels.len() > MAX_PANELS || self.panels.len() > self.layout.capacity() {
            return Err(PlotError::TooManyPanels {
                panels: self.panels.len(),
                rows: self.layout.rows,
                cols: self.layout.cols,
            });
        }
        Ok(())
    }
}

impl Panel {
    /// The panel's title.
    pub fn title(&self) -> &str {
        match self {
            Panel::Xy(p) => &p.title,
            Panel::Heatmap(h) => &h.title,
        }
    }

    /// Checks this panel's limits (see [`Figure::validate`]).
    pub fn validate(&self) -> Result<(), PlotError> {
        match self {
            Panel::Xy(p) => p.validate(),
            Panel::Heatmap(h) => h.validate(),
        }
    }
}

impl XyPanel {
    /// An empty plot with a title and axis names.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        XyPanel {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            ..XyPanel::default()
        }
    }

    /// Adds a series.
    pub fn with_series(mut self, series: Series) -> Self {
        self.series.push(series);
        self
    }

    /// Fixes the x range.
    pub fn with_x_range(mut self, low: f64, high: f64) -> Self {
        self.x_range = Some((low, high));
        self
    }

    /// Fixes the y range.
    pub fn with_y_range(mut self, low: f64, high: f64) -> Self {
        self.y_range = Some((low, high));
        self
    }

    /// Adds a labelled vertical line.
    pub fn with_vline(mut self, x: f64, label: impl Into<String>) -> Self {
        self.vlines.push((x, label.into()));
        self
    }

    /// Sets the note shown in a corner.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    fn validate(&self) -> Result<(), PlotError> {
        for (axis, range) in [("x", self.x_range), ("y", self.y_range)] {
            if let Some((low, high)) = range {
                if !low.is_finite() || !high.is_finite() || low > high {
                    return Err(PlotError::BadRange {
                        panel: self.title.clone(),
                        axis,
                        low,
                        high,
                    });
                }
            }
        }
        for series in &self.series {
            let count = series.kind.point_count();
            if count > MAX_POINTS_PER_SERIES {
                return Err(PlotError::TooManyPoints {
                    panel: self.title.clone(),
                    series: series.label.clone(),
                    count,
                    limit: MAX_POINTS_PER_SERIES,
                });
            }
        }
        Ok(())
    }
}

impl Series {
    fn with_kind(label: impl Into<String>, kind: SeriesKind) -> Self {
        Series {
            label: label.into(),
            kind,
            color: None,
            dashed: false,
        }
    }

    /// A curve made of one or more pieces, without end marks.
    pub fn curve(label: impl Into<String>, segments: Vec<Vec<(f64, f64)>>) -> Self {
        Series::with_kind(
            label,
            SeriesKind::Curve {
                segments,
                ends: Vec::new(),
            },
        )
    }

    /// A stem plot of a sequence.
    pub fn stems(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series::with_kind(label, SeriesKind::Stems { points })
    }

    /// An area shaded between the curve and y = 0.
    pub fn area(label: impl Into<String>, segments: Vec<Vec<(f64, f64)>>) -> Self {
        Series::with_kind(label, SeriesKind::Area { segments })
    }

    /// Isolated markers.
    pub fn points(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series::with_kind(label, SeriesKind::Points { points })
    }

    /// Adds end marks (only meaningful for a curve; ignored otherwise).
    pub fn with_ends(mut self, marks: Vec<EndMark>) -> Self {
        if let SeriesKind::Curve { ends, .. } = &mut self.kind {
            ends.extend(marks);
        }
        self
    }

    /// Sets the palette index.
    pub fn with_color(mut self, index: usize) -> Self {
        self.color = Some(index);
        self
    }

    /// Draws the lines dashed.
    pub fn dashed(mut self) -> Self {
        self.dashed = true;
        self
    }
}

impl SeriesKind {
    /// Number of points, summed over pieces (end marks included).
    pub fn point_count(&self) -> usize {
        match self {
            SeriesKind::Curve { segments, ends } => {
                segments.iter().map(Vec::len).sum::<usize>() + ends.len()
            }
            SeriesKind::Area { segments } => segments.iter().map(Vec::len).sum(),
            SeriesKind::Stems { points } | SeriesKind::Points { points } => points.len(),
        }
    }
}

impl EndMark {
    /// A filled dot: the function takes this value.
    pub fn closed(x: f64, y: f64) -> Self {
        EndMark { x, y, closed: true }
    }

    /// A hollow dot: the function approaches but does not take this value.
    pub fn open(x: f64, y: f64) -> Self {
        EndMark {
            x,
            y,
            closed: false,
        }
    }
}

impl HeatmapPanel {
    /// A heatmap of the values, labelled with the values themselves.
    pub fn new(title: impl Into<String>, values: Vec<Vec<f64>>) -> Self {
        HeatmapPanel {
            title: title.into(),
            values,
            x_label: "column".into(),
            y_label: "row".into(),
            ..HeatmapPanel::default()
        }
    }

    /// Sets the text of each cell.
    pub fn with_labels(mut self, labels: Vec<Vec<String>>) -> Self {
        self.labels = labels;
        self
    }

    /// Outlines a window of cells.
    pub fn with_highlight(mut self, row: usize, col: usize, height: usize, width: usize) -> Self {
        self.highlight = Some(CellRect {
            row,
            col,
            height,
            width,
        });
        self
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.values.len()
    }

    /// Number of columns (of the first row; all rows have the same length).
    pub fn cols(&self) -> usize {
        self.values.first().map_or(0, Vec::len)
    }

    /// The text shown in cell `(r, c)`: its label, or its value formatted.
    pub fn cell_text(&self, r: usize, c: usize) -> String {
        match self.labels.get(r).and_then(|row| row.get(c)) {
            Some(label) => label.clone(),
            None => super::scale::format_number(self.values[r][c]),
        }
    }

    fn validate(&self) -> Result<(), PlotError> {
        let bad = |reason: String| PlotError::BadHeatmap {
            panel: self.title.clone(),
            reason,
        };
        let cols = self.cols();
        if let Some((r, row)) = self
            .values
            .iter()
            .enumerate()
            .find(|(_, row)| row.len() != cols)
        {
            return Err(bad(format!(
                "row {r} has {} values but row 0 has {cols}",
                row.len()
            )));
        }
        let cells = self.rows().saturating_mul(cols);
        if cells > MAX_HEATMAP_CELLS {
            return Err(bad(format!(
                "it has {cells} cells and the limit is {MAX_HEATMAP_CELLS}: show a smaller part of the matrix"
            )));
        }
        if !self.labels.is_empty()
            && (self.labels.len() != self.rows() || self.labels.iter().any(|row| row.len() != cols))
        {
            return Err(bad(format!(
                "the labels do not have the shape of the values ({} × {cols})",
                self.rows()
            )));
        }
        if let Some((low, high)) = self.color_range {
            if !low.is_finite() || !high.is_finite() || low > high {
                return Err(bad(format!(
                    "the colour range {low}..{high} needs finite ends with low ≤ high"
                )));
            }
        }
        Ok(())
    }
}
