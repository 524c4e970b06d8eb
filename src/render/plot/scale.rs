//! Geometry shared by the backends: axis ranges from data, number labels,
//! splitting at non-finite points, clipping to the visible box and thinning
//! long curves.
//!
//! Everything a backend draws goes through [`clip_polyline`] or
//! [`clip_polygon`] first, so no coordinate far outside the view ever reaches
//! the rasterizers (plotters would otherwise draw over the axes, and its
//! polygon filler walks every pixel row between a polygon's ends).

use super::model::{SeriesKind, XyPanel};

/// An axis-aligned box `[x0, x1] × [y0, y1]` in data coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct View {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
}

impl View {
    /// Whether `(x, y)` lies inside the box (edges included).
    pub fn contains(&self, (x, y): (f64, f64)) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }
}

/// Relative margin added on each side of an automatic range.
const MARGIN: f64 = 0.05;
/// Data beyond this magnitude is left out of automatic ranges, so that the
/// span of a range stays finite.
const HUGE: f64 = 1e150;

/// A compact label for a number: at most 4 significant digits, no trailing
/// zeros, scientific notation outside `[0.001, 10^6)`.
pub fn format_number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "∞".into() } else { "-∞".into() };
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e6).contains(&a) {
        let s = format!("{v:.3e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        return format!("{}e{exponent}", trim_zeros(mantissa));
    }
    let digits = (3 - a.log10().floor() as i32).max(0) as usize;
    let s = trim_zeros(&format!("{v:.digits$}")).to_string();
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// A tick label: like [`format_number`], but a value within rounding noise of
/// zero (relative to the axis span) shows as `0`.
pub(crate) fn format_tick(v: f64, span: f64) -> String {
    if v.abs() <= span.abs() * 1e-9 {
        "0".into()
    } else {
        format_number(v)
    }
}

/// Widens a range whose ends are equal so that it can be drawn.
fn widen(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        return (lo, hi);
    }
    let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.5 };
    (lo - d, hi + d)
}

/// Adds the margin to a range found in the data.
fn pad((lo, hi): (f64, f64)) -> (f64, f64) {
    if hi > lo {
        let m = (hi - lo) * MARGIN;
        (lo - m, hi + m)
    } else {
        widen(lo, hi)
    }
}

/// Running minimum and maximum.
#[derive(Default)]
struct Extent(Option<(f64, f64)>);

impl Extent {
    fn add(&mut self, v: f64) {
        if !v.is_finite() || v.abs() > HUGE {
            return;
        }
        self.0 = Some(match self.0 {
            None => (v, v),
            Some((lo, hi)) => (lo.min(v), hi.max(v)),
        });
    }
}

/// The ranges an [`XyPanel`] is drawn with: the fixed ones, or ranges found in
/// its data with a margin. Stems and areas bring y = 0 into the range. With a
/// fixed x range, the y range is found from the points inside it. Empty data
/// gives `[0, 1]`.
pub(crate) fn resolve_view(panel: &XyPanel) -> View {
    let (x0, x1) = match panel.x_range {
        Some((lo, hi)) => widen(lo, hi),
        None => {
            let mut ext = Extent::default();
            for s in &panel.series {
                for_each_point(&s.kind, |x, y| {
                    if y.is_finite() {
                        ext.add(x);
                    }
                });
            }
            for (x, _) in &panel.vlines {
                ext.add(*x);
            }
            ext.0.map_or((0.0, 1.0), pad)
        }
    };
    let (y0, y1) = match panel.y_range {
        Some((lo, hi)) => widen(lo, hi),
        None => {
            let mut ext = Extent::default();
            for s in &panel.series {
                if matches!(s.kind, SeriesKind::Stems { .. } | SeriesKind::Area { .. }) {
                    ext.add(0.0);
                }
                for_each_point(&s.kind, |x, y| {
                    if x.is_finite() && x >= x0 && x <= x1 {
                        ext.add(y);
                    }
                });
            }
            ext.0.map_or((0.0, 1.0), pad)
        }
    };
    View { x0, x1, y0, y1 }
}

/// Calls `f` on every point of a series, end marks included.
fn for_each_point(kind: &SeriesKind, mut f: impl FnMut(f64, f64)) {
    match kind {
        SeriesKind::Curve { segments, ends } => {
            segments.iter().flatten().for_each(|&(x, y)| f(x, y));
            ends.iter().for_each(|m| f(m.x, m.y));
        }
        SeriesKind::Area { segments } => segments.iter().flatten().for_each(|&(x, y)| f(x, y)),
        SeriesKind::Stems { points } | SeriesKind::Points { points } => {
            points.iter().for_each(|&(x, y)| f(x, y))
        }
    }
}

/// Splits a piece at every point with a non-finite coordinate; the result
/// holds only finite points, in runs of at least one. Coordinates beyond
/// ±10^300 are clamped there, so that differences of coordinates stay finite.
pub(crate) fn finite_runs(points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    const LIMIT: f64 = 1e300;
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for &(x, y) in points {
        if x.is_finite() && y.is_finite() {
            current.push((x.clamp(-LIMIT, LIMIT), y.clamp(-LIMIT, LIMIT)));
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// Clips the line from `a` to `b` to the view (Liang–Barsky); `None` when it
/// misses the view entirely. An end cut at an edge gets that edge's exact
/// coordinate, so that even a line with an enormous slope keeps its visible
/// extent.
fn clip_line(v: &View, a: (f64, f64), b: (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    // (t, the edge that set it: 0 = x0, 1 = x1, 2 = y0, 3 = y1)
    let mut enter: (f64, Option<usize>) = (0.0, None);
    let mut leave: (f64, Option<usize>) = (1.0, None);
    for (edge, (p, q)) in [
        (-dx, a.0 - v.x0),
        (dx, v.x1 - a.0),
        (-dy, a.1 - v.y0),
        (dy, v.y1 - a.1),
    ]
    .into_iter()
    .enumerate()
    {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 && r > enter.0 {
                enter = (r, Some(edge));
            } else if p > 0.0 && r < leave.0 {
                leave = (r, Some(edge));
            }
        }
    }
    if enter.0 > leave.0 || !enter.0.is_finite() || !leave.0.is_finite() {
        return None;
    }
    let at = |(t, edge): (f64, Option<usize>), end: (f64, f64)| {
        let (x, y) = (a.0 + t * dx, a.1 + t * dy);
        match edge {
            None => end,
            Some(0) => (v.x0, y.clamp(v.y0, v.y1)),
            Some(1) => (v.x1, y.clamp(v.y0, v.y1)),
            Some(2) => (x.clamp(v.x0, v.x1), v.y0),
            Some(_) => (x.clamp(v.x0, v.x1), v.y1),
        }
    };
    Some((at(enter, a), at(leave, b)))
}

/// Clips a polyline of finite points to the view, giving the visible runs.
/// A one-point polyline gives that point when it is visible.
pub(crate) fn clip_polyline(v: &View, points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    if let [p] = points {
        return if v.contains(*p) {
            vec![vec![*p]]
        } else {
            vec![]
        };
    }
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for w in points.windows(2) {
        match clip_line(v, w[0], w[1]) {
            Some((a, b)) => {
                if current.last() != Some(&a) {
                    if !current.is_empty() {
                        runs.push(std::mem::take(&mut current));
                    }
                    current.push(a);
                }
                current.push(b);
                if b != w[1] {
                    runs.push(std::mem::take(&mut current));
                }
            }
            None => {
                if !current.is_empty() {
                    runs.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// Clips a polygon to the view (Sutherland–Hodgman); fewer than three points
/// left means nothing is visible.
pub(crate) fn clip_polygon(v: &View, polygon: &[(f64, f64)]) -> Vec<(f64, f64)> {
    // Each edge: is the point inside, and where does a line cross the edge.
    type Inside = fn(&View, (f64, f64)) -> bool;
    type Cross = fn(&View, (f64, f64), (f64, f64)) -> (f64, f64);
    fn lerp_x(x: f64, a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
        let t = (x - a.0) / (b.0 - a.0);
        (x, a.1 + t * (b.1 - a.1))
    }
    fn lerp_y(y: f64, a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
        let t = (y - a.1) / (b.1 - a.1);
        (a.0 + t * (b.0 - a.0), y)
    }
    let edges: [(Inside, Cross); 4] = [
        (|v, p| p.0 >= v.x0, |v, a, b| lerp_x(v.x0, a, b)),
        (|v, p| p.0 <= v.x1, |v, a, b| lerp_x(v.x1, a, b)),
        (|v, p| p.1 >= v.y0, |v, a, b| lerp_y(v.y0, a, b)),
        (|v, p| p.1 <= v.y1, |v, a, b| lerp_y(v.y1, a, b)),
    ];
    let mut out = polygon.to_vec();
    for (inside, cross) in edges {
        if out.is_empty() {
            break;
        }
        let input = std::mem::take(&mut out);
        let mut prev = input[input.len() - 1];
        for &p in &input {
            match (inside(v, p), inside(v, prev)) {
                (true, true) => out.push(p),
                (true, false) => {
                    out.push(cross(v, prev, p));
                    out.push(p);
                }
                (false, true) => out.push(cross(v, prev, p)),
                (false, false) => {}
            }
            prev = p;
        }
    }
    out
}

/// Thins a run whose x never decreases to at most about four points per
/// bucket of `x_step` (first, lowest, highest, last: the shape drawn at that
/// resolution does not change). Other runs are returned unchanged.
pub(crate) fn thin(points: Vec<(f64, f64)>, x_step: f64) -> Vec<(f64, f64)> {
    if x_step.is_nan()
        || x_step <= 0.0
        || points.len() < 64
        || points.windows(2).any(|w| w[1].0 < w[0].0)
        || ((points[points.len() - 1].0 - points[0].0) / x_step) * 4.0 >= points.len() as f64
    {
        return points;
    }
    let mut out = Vec::new();
    let start = points[0].0;
    let mut i = 0;
    while i < points.len() {
        let bucket = ((points[i].0 - start) / x_step).floor();
        let mut j = i;
        let (mut lo, mut hi) = (i, i);
        while j < points.len() && ((points[j].0 - start) / x_step).floor() == bucket {
            if points[j].1 < points[lo].1 {
                lo = j;
            }
            if points[j].1 > points[hi].1 {
                hi = j;
            }
            j += 1;
        }
        let mut keep = [i, lo, hi, j - 1];
        keep.sort_unstable();
        let mut last = usize::MAX;
        for k in keep {
            if k != last {
                out.push(points[k]);
                last = k;
            }
        }
        i = j;
    }
    out
}

/// Stems denser than the pixels that show them, merged: one vertical
/// segment `(x, lo, hi)` per bucket of `x_step`, covering every stem of the
/// bucket (each stem runs from 0 to its value), at the bucket's first x.
/// `None` when the stems are sparse enough to draw one by one (fewer than
/// two per bucket on average); non-finite points are skipped.
pub(crate) fn merge_stems(points: &[(f64, f64)], x_step: f64) -> Option<Vec<(f64, f64, f64)>> {
    let finite: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    let (first, last) = finite
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.0), b.max(p.0))
        });
    if x_step.is_nan()
        || x_step <= 0.0
        || finite.len() < 64
        || ((last - first) / x_step) * 2.0 >= finite.len() as f64
    {
        return None;
    }
    let mut buckets: std::collections::BTreeMap<i64, (f64, f64, f64)> = Default::default();
    for (x, y) in finite {
        let b = ((x - first) / x_step).floor() as i64;
        let e = buckets.entry(b).or_insert((x, 0.0, 0.0));
        e.0 = e.0.min(x);
        e.1 = e.1.min(y);
        e.2 = e.2.max(y);
    }
    Some(buckets.into_values().collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn dense_stems_merge_into_one_segment_per_pixel() {
        // 1000 stems of alternating sign over 10 pixels: each pixel's
        // segment covers −1…1; sparse stems are left alone.
        let pts: Vec<(f64, f64)> = (0..1000)
            .map(|n| (n as f64, if n % 2 == 0 { 1.0 } else { -1.0 }))
            .collect();
        let merged = super::merge_stems(&pts, 100.0).expect("dense");
        assert_eq!(merged.len(), 10);
        assert!(merged.iter().all(|&(_, lo, hi)| lo == -1.0 && hi == 1.0));
        assert_eq!(merged[3].0, 300.0);
        // All positive: segments start at 0, end at the bucket's largest.
        let up: Vec<(f64, f64)> = (0..1000).map(|n| (n as f64, n as f64)).collect();
        let merged = super::merge_stems(&up, 100.0).unwrap();
        assert_eq!(merged[0], (0.0, 0.0, 99.0));
        assert!(super::merge_stems(&pts[..100], 1.0).is_none());
        assert!(super::merge_stems(&pts, f64::NAN).is_none());
    }

    use super::*;
    use crate::render::plot::model::{Series, XyPanel};

    const UNIT: View = View {
        x0: 0.0,
        x1: 1.0,
        y0: 0.0,
        y1: 1.0,
    };

    #[test]
    fn numbers_are_compact() {
        assert_eq!(format_number(0.045), "0.045");
        assert_eq!(format_number(1.625), "1.625");
        assert_eq!(format_number(-0.5), "-0.5");
        assert_eq!(format_number(2.0), "2");
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(1234.5678), "1235");
        assert_eq!(format_number(1e-5), "1e-5");
        assert_eq!(format_number(-2.5e7), "-2.5e7");
        assert_eq!(format_number(f64::NAN), "NaN");
        assert_eq!(format_number(-1e-4 * 0.0), "0");
        assert_eq!(format_tick(5.5e-17, 2.0), "0");
    }

    #[test]
    fn automatic_range_has_margin_and_includes_zero_for_stems() {
        let p = XyPanel::new("", "n", "x[n]")
            .with_series(Series::stems("x", vec![(0.0, 1.0), (1.0, 2.0), (2.0, 3.0)]));
        let v = resolve_view(&p);
        assert!(v.y0 < 0.0 && v.y1 > 3.0);
        assert!((v.x0 + 0.1).abs() < 1e-12 && (v.x1 - 2.1).abs() < 1e-12);
    }

    #[test]
    fn degenerate_and_empty_ranges_still_draw() {
        let flat = XyPanel::new("", "t", "y")
            .with_series(Series::curve("c", vec![vec![(0.0, 2.0), (1.0, 2.0)]]));
        let v = resolve_view(&flat);
        assert!(v.y0 < 2.0 && v.y1 > 2.0);
        let point = XyPanel::new("", "t", "y").with_series(Series::points("p", vec![(0.0, 0.0)]));
        let v = resolve_view(&point);
        assert!(v.x0 < v.x1 && v.y0 < v.y1);
        let empty = XyPanel::new("", "t", "y");
        assert_eq!(
            resolve_view(&empty),
            View {
                x0: 0.0,
                x1: 1.0,
                y0: 0.0,
                y1: 1.0
            }
        );
    }

    #[test]
    fn non_finite_points_split_runs() {
        let runs = finite_runs(&[
            (0.0, 1.0),
            (1.0, f64::NAN),
            (2.0, 1.0),
            (3.0, 2.0),
            (f64::INFINITY, 0.0),
        ]);
        assert_eq!(runs, vec![vec![(0.0, 1.0)], vec![(2.0, 1.0), (3.0, 2.0)]]);
    }

    #[test]
    fn polyline_leaving_and_entering_the_view_is_split() {
        let runs = clip_polyline(&UNIT, &[(0.0, 0.5), (0.5, 5.0), (1.0, 0.5)]);
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0][0], (0.0, 0.5));
        assert!((runs[0][1].1 - 1.0).abs() < 1e-12);
        assert!((runs[1][0].1 - 1.0).abs() < 1e-12);
        assert_eq!(runs[1][1], (1.0, 0.5));
        assert!(clip_polyline(&UNIT, &[(2.0, 2.0), (3.0, 3.0)]).is_empty());
        let huge = clip_polyline(&UNIT, &[(0.5, -1e300), (0.5, 1e300)]);
        assert_eq!(huge, vec![vec![(0.5, 0.0), (0.5, 1.0)]]);
    }

    #[test]
    fn polygon_is_clipped_to_the_view() {
        let clipped = clip_polygon(&UNIT, &[(-1.0, 0.0), (2.0, 0.0), (2.0, 2.0), (-1.0, 2.0)]);
        assert!(clipped.iter().all(|p| UNIT.contains(*p)));
        assert_eq!(clipped.len(), 4);
        assert!(clip_polygon(&UNIT, &[(2.0, 2.0), (3.0, 2.0), (3.0, 3.0)]).len() < 3);
    }

    #[test]
    fn thinning_keeps_extremes() {
        let pts: Vec<_> = (0..10_000)
            .map(|i| {
                let x = i as f64 / 10_000.0;
                (x, (x * 50.0).sin())
            })
            .collect();
        let thinned = thin(pts.clone(), 0.01);
        assert!(thinned.len() <= 400);
        let max = |p: &[(f64, f64)]| p.iter().map(|q| q.1).fold(f64::MIN, f64::max);
        assert_eq!(max(&thinned), max(&pts));
        assert_eq!(thinned.last(), pts.last());
    }
}
