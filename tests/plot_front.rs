//! `plot` and `animate` through a Session: the files they write, the data
//! behind the pictures, and the errors for bad input.

use std::path::{Path, PathBuf};

use convolab::render::doc::Format;
use convolab::render::plot::{
    EndMark, Figure, HeatmapPanel, Panel, Series, SeriesKind, XyPanel, MAX_FRAMES,
};
use convolab::session::plot::{build_statement, Built, ANIMATION_SIZE, DEFAULT_FRAMES};
use convolab::Session;

/// A fresh directory for one test's files.
#[track_caller]
fn out_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("plot_front")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create test directory");
    dir
}

/// Files in `dir`, hidden ones included, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read test directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The definitions the examples use: rect, the triangle, the c[n] example,
/// the letter matrices.
fn session() -> Session {
    let mut s = Session::new();
    s.run_collect(
        "f(t) = { 1 if 0 <= t < 1 }
         g(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }
         e1(t) = exp(-t) * u(t)
         a = [1, 0.5, 1, 1]
         b = [1, 0.5, 0.25]
         x = [3, -1, 2] from -1
         I = [a, b, c, d; e, f, g, h; i, j, k, l]
         K = [w, x; y, z]
         M = [1, 2, 0; 0, 1, 3; 2, 1, 1]
         N = [1, 0; 0, -1]",
    )
    .expect("definitions");
    s
}

/// Runs one statement and returns its displayed text.
#[track_caller]
fn run(s: &mut Session, text: &str) -> String {
    match s.run_collect(text) {
        Ok(out) => out.join("\n"),
        Err(d) => panic!("`{text}` failed: {}", d.message),
    }
}

/// Runs one statement that must fail; returns the message, hint and the
/// text under the caret.
#[track_caller]
fn fails(s: &mut Session, text: &str) -> (String, String, String) {
    match s.run_collect(text) {
        Ok(out) => panic!("`{text}` should fail but gave {out:?}"),
        Err(d) => {
            let caret = d
                .span
                .map(|sp| text[sp.start..sp.end].to_string())
                .unwrap_or_default();
            (d.message, d.hint.unwrap_or_default(), caret)
        }
    }
}

#[track_caller]
fn build(s: &mut Session, text: &str) -> Built {
    match build_statement(s, text) {
        Ok(b) => b,
        Err(d) => panic!("`{text}` failed: {}", d.message),
    }
}

#[track_caller]
fn xy(fig: &Figure, i: usize) -> &XyPanel {
    match &fig.panels[i] {
        Panel::Xy(p) => p,
        other => panic!("panel {i} is not an x–y plot: {other:?}"),
    }
}

#[track_caller]
fn heat(fig: &Figure, i: usize) -> &HeatmapPanel {
    match &fig.panels[i] {
        Panel::Heatmap(h) => h,
        other => panic!("panel {i} is not a heatmap: {other:?}"),
    }
}

#[track_caller]
fn series<'a>(p: &'a XyPanel, label: &str) -> &'a Series {
    p.series
        .iter()
        .find(|s| s.label == label)
        .unwrap_or_else(|| {
            let labels: Vec<&str> = p.series.iter().map(|s| s.label.as_str()).collect();
            panic!("no series '{label}' in {labels:?}")
        })
}

/// The pieces of a curve.
type Pieces = [Vec<(f64, f64)>];

#[track_caller]
fn curve(s: &Series) -> (&Pieces, &[EndMark]) {
    match &s.kind {
        SeriesKind::Curve { segments, ends } => (segments, ends),
        other => panic!("'{}' is not a curve: {other:?}", s.label),
    }
}

#[track_caller]
fn points(s: &Series) -> &Vec<(f64, f64)> {
    match &s.kind {
        SeriesKind::Stems { points } | SeriesKind::Points { points } => points,
        other => panic!("'{}' has no points: {other:?}", s.label),
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

/// Width and height from a PNG, decoded with the png crate.
#[track_caller]
fn png_size(path: &Path) -> (u32, u32) {
    let file = std::fs::File::open(path).expect("open png");
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let reader = decoder.read_info().expect("a valid PNG");
    let info = reader.info();
    (info.width, info.height)
}

/// Counts start and end tags (self-closing ones count as both).
fn tags_balance(svg: &str) -> bool {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let Some(end) = rest.find('>') else {
            return false;
        };
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') || tag.ends_with('/') {
            continue;
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        if tag.starts_with('/') {
            if stack.pop().as_deref() != Some(name.as_str()) {
                return false;
            }
        } else {
            stack.push(name);
        }
    }
    stack.is_empty()
}

/// Size and number of images of a GIF, walking its block structure.
#[track_caller]
fn gif_frames(path: &Path) -> (u16, u16, usize) {
    let bytes = std::fs::read(path).expect("read gif");
    assert_eq!(&bytes[..6], b"GIF89a");
    let w = u16::from_le_bytes([bytes[6], bytes[7]]);
    let h = u16::from_le_bytes([bytes[8], bytes[9]]);
    let flags = bytes[10];
    let mut i = 13;
    if flags & 0x80 != 0 {
        i += 3 << ((flags & 7) + 1);
    }
    let skip_sub_blocks = |mut i: usize| {
        while bytes[i] != 0 {
            i += bytes[i] as usize + 1;
        }
        i + 1
    };
    let mut frames = 0;
    loop {
        match bytes[i] {
            0x21 => i = skip_sub_blocks(i + 2),
            0x2C => {
                frames += 1;
                let flags = bytes[i + 9];
                i += 10;
                if flags & 0x80 != 0 {
                    i += 3 << ((flags & 7) + 1);
                }
                i = skip_sub_blocks(i + 1);
            }
            0x3B => break,
            other => panic!("unexpected block 0x{other:02x} at {i}"),
        }
    }
    assert_eq!(i, bytes.len() - 1, "trailer is the last byte");
    (w, h, frames)
}

fn quoted(p: &Path) -> String {
    format!("\"{}\"", p.display())
}

// ---------------------------------------------------------------------------
// Functions

#[test]
fn functions_to_png_and_svg() {
    let dir = out_dir("functions");
    let mut s = session();
    let png = dir.join("fg.png");
    let text = run(&mut s, &format!("plot f, g over -1..3 to {}", quoted(&png)));
    assert_eq!(text, format!("wrote {} (PNG, 720×480)", png.display()));
    assert_eq!(png_size(&png), (720, 480));

    let svg_path = dir.join("fg.svg");
    run(
        &mut s,
        &format!(
            "plot f, g over -1..3 to {} width=500 height=300",
            quoted(&svg_path)
        ),
    );
    let svg = std::fs::read_to_string(&svg_path).expect("read svg");
    assert!(svg.trim_start().starts_with("<svg"));
    assert!(tags_balance(&svg), "SVG tags balance");
    assert!(svg.contains("width=\"500\"") && svg.contains("height=\"300\""));
    assert!(svg.contains("<circle"), "end marks drawn");
    assert_eq!(
        listing(&dir),
        vec!["fg.png", "fg.svg"],
        "no temporary files"
    );
}

#[test]
fn file_result_as_json() {
    let dir = out_dir("json");
    let mut s = session();
    s.settings.format = Format::Json;
    let path = dir.join("f.png");
    let text = run(&mut s, &format!("plot f to {}", quoted(&path)));
    let v: serde_json::Value = serde_json::from_str(&text).expect("one JSON object");
    assert_eq!(v["type"], "plot");
    assert_eq!(v["path"], path.display().to_string());
    assert_eq!(v["format"], "png");
    assert_eq!(v["width"], 720);
    assert_eq!(v["height"], 480);
    assert_eq!(v["frames"], 1);
}

#[test]
fn jumps_are_drawn_as_jumps_with_open_and_closed_ends() {
    let mut s = session();
    let built = build(&mut s, "plot f over -1..2");
    let fig = &built.figures[0];
    assert_eq!(fig.title, "f");
    let p = xy(fig, 0);
    assert_eq!(p.x_range, Some((-1.0, 2.0)));
    assert_eq!(p.x_label, "t");
    assert_eq!(p.y_label, "f(t)");
    let (segments, ends) = curve(series(p, "f"));
    assert_eq!(segments.len(), 3, "three pieces: 0, 1, 0");
    // Piece ends sit on the breakpoints with the one-sided limits.
    assert_eq!(segments[0].last(), Some(&(0.0, 0.0)));
    assert_eq!(segments[1].first(), Some(&(0.0, 1.0)));
    assert_eq!(segments[1].last(), Some(&(1.0, 1.0)));
    assert_eq!(segments[2].first(), Some(&(1.0, 0.0)));
    for seg in segments {
        assert!(seg.windows(2).all(|w| w[0].0 < w[1].0), "x increases");
    }
    let want = [
        EndMark::open(0.0, 0.0),
        EndMark::closed(0.0, 1.0),
        EndMark::open(1.0, 1.0),
        EndMark::closed(1.0, 0.0),
    ];
    assert_eq!(ends, &want);

    // u(0) = 1: the step takes the upper value.
    let built = build(&mut s, "plot e1 over -1..3");
    let (segments, ends) = curve(series(xy(&built.figures[0], 0), "e1"));
    assert_eq!(segments.len(), 2);
    assert_eq!(ends, &[EndMark::open(0.0, 0.0), EndMark::closed(0.0, 1.0)]);

    // The triangle is continuous: one piece, no marks.
    let built = build(&mut s, "plot g over -1..3");
    let (segments, ends) = curve(series(xy(&built.figures[0], 0), "g"));
    assert_eq!(segments.len(), 1);
    assert!(ends.is_empty());
}

#[test]
fn plotted_convolution_matches_its_values() {
    let mut s = session();
    let built = build(&mut s, "plot conv(f, f) over -1..3");
    let p = xy(&built.figures[0], 0);
    let (segments, ends) = curve(series(p, "conv(f, f)"));
    assert!(ends.is_empty(), "rect ∗ rect is continuous");
    let tri = |t: f64| (1.0 - (t - 1.0).abs()).max(0.0);
    let mut n = 0;
    for &(t, y) in segments.iter().flatten() {
        assert!(close(y, tri(t), 1e-9), "h({t}) = {y}, want {}", tri(t));
        n += 1;
    }
    assert!(n >= 400, "{n} samples");

    // A numeric convolution (no closed form): the samples are its values.
    run(&mut s, "k(t) = exp(-t^2)\nh = conv(k, f)");
    let built = build(&mut s, "plot h over -2..3");
    let (segments, _) = curve(series(xy(&built.figures[0], 0), "h"));
    let pts: Vec<(f64, f64)> = segments.iter().flatten().copied().collect();
    for &(t, y) in pts.iter().step_by(97) {
        let v = s
            .eval_str(&format!("h({t:?})"))
            .expect("evaluate h")
            .as_number()
            .expect("a number")
            .to_f64();
        assert!(close(y, v, 1e-9), "h({t}) plotted {y}, evaluated {v}");
    }
}

#[test]
fn default_ranges() {
    let mut s = session();
    let range = |s: &mut Session, text: &str| xy(&build(s, text).figures[0], 0).x_range;
    let r = range(&mut s, "plot f").expect("a range");
    assert!(close(r.0, -0.2, 1e-12) && close(r.1, 1.2, 1e-12), "{r:?}");
    assert_eq!(range(&mut s, "plot e1"), Some((-1.0, 5.0)));
    run(&mut s, "n0(t) = gauss(t, 1)");
    assert_eq!(range(&mut s, "plot n0"), Some((-5.0, 5.0)));
    let r = range(&mut s, "plot f, g").expect("a range");
    assert!(close(r.0, -0.4, 1e-12) && close(r.1, 2.4, 1e-12), "{r:?}");
}

#[test]
fn non_finite_values_are_gaps_with_a_note() {
    let mut s = session();
    run(&mut s, "r(t) = sqrt(t)");
    let built = build(&mut s, "plot r over -1..1");
    assert!(
        built.notes.iter().any(|n| n.contains("not finite")),
        "{:?}",
        built.notes
    );
    let text = run(&mut s, "plot r over -1..1");
    assert!(text.contains("not finite"), "{text}");
}

#[test]
fn terminal_plot_without_to() {
    let mut s = session();
    let text = run(&mut s, "plot f, g over -1..3");
    assert!(
        text.contains("closed end") && text.contains("open end"),
        "{text}"
    );
    assert!(text.contains('●') && text.contains('○'));
    assert!(
        text.lines().all(|l| l.chars().count() <= 80),
        "fits 80 columns"
    );
    let wide = run(&mut s, "plot f over -1..2 width=120 height=30");
    assert!(wide.lines().any(|l| l.chars().count() > 80));

    s.settings.format = Format::Json;
    let json = run(&mut s, "plot f");
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["type"], "plot");
    assert!(v["text"].as_str().is_some_and(|t| t.contains('●')));
}

#[test]
fn overlay_off_splits_functions() {
    let mut s = session();
    let one = build(&mut s, "plot f, g");
    assert_eq!(one.figures[0].panels.len(), 1);
    assert_eq!(xy(&one.figures[0], 0).series.len(), 2);
    let two = build(&mut s, "plot f, g overlay=off");
    assert_eq!(two.figures[0].panels.len(), 2);
}

// ---------------------------------------------------------------------------
// Sequences and matrices

#[test]
fn sequences_are_stems_on_their_index_axis() {
    let mut s = session();
    let built = build(&mut s, "plot x");
    let p = xy(&built.figures[0], 0);
    assert_eq!(p.x_label, "n");
    assert_eq!(
        points(series(p, "x")),
        &vec![(-1.0, 3.0), (0.0, -1.0), (1.0, 2.0)]
    );

    // Side by side by default, overlaid on request.
    let built = build(&mut s, "plot a, b");
    let fig = &built.figures[0];
    assert_eq!(fig.panels.len(), 2);
    assert_eq!((fig.layout.rows, fig.layout.cols), (1, 2));
    let built = build(&mut s, "plot a, b overlay=on");
    assert_eq!(built.figures[0].panels.len(), 1);
    assert_eq!(xy(&built.figures[0], 0).series.len(), 2);

    // `over` picks the indices.
    let built = build(&mut s, "plot a over 1..2");
    assert_eq!(
        points(series(xy(&built.figures[0], 0), "a")),
        &vec![(1.0, 0.5), (2.0, 1.0)]
    );

    let dir = out_dir("sequences");
    let path = dir.join("x.svg");
    run(&mut s, &format!("plot [1, 2, 3] to {}", quoted(&path)));
    let svg = std::fs::read_to_string(&path).expect("read svg");
    assert!(tags_balance(&svg));
}

#[test]
fn matrices_are_heatmaps_with_values() {
    let mut s = session();
    let built = build(&mut s, "plot M");
    let h = heat(&built.figures[0], 0);
    assert_eq!(h.values[1], vec![0.0, 1.0, 3.0]);

    // Symbolic entries: grey cells with their letters.
    let built = build(&mut s, "plot I");
    let h = heat(&built.figures[0], 0);
    assert!(h.values[0][0].is_nan());
    assert_eq!(h.labels[2][3], "l");

    let dir = out_dir("matrices");
    let path = dir.join("m.png");
    run(&mut s, &format!("plot M, I to {}", quoted(&path)));
    assert_eq!(png_size(&path), (1120, 400));
}

// ---------------------------------------------------------------------------
// Steps pictures

#[test]
fn continuous_steps_four_panels() {
    let mut s = session();
    let built = build(&mut s, "plot steps conv(f, g) at 0.3");
    let fig = &built.figures[0];
    assert_eq!(fig.panels.len(), 4);
    assert_eq!((fig.layout.rows, fig.layout.cols), (2, 2));
    assert!(
        fig.title.starts_with("conv(f, g) at t = 0.3"),
        "{}",
        fig.title
    );
    // 1: both inputs.
    series(xy(fig, 0), "f(τ)");
    series(xy(fig, 0), "g(τ)");
    // 2: the flipped triangle g(−τ) peaks at τ = −1.
    let (segs, _) = curve(series(xy(fig, 1), "g(−τ)"));
    let peak = segs
        .iter()
        .flatten()
        .fold((0.0, f64::MIN), |m, p| if p.1 > m.1 { *p } else { m });
    assert!(
        close(peak.0, -1.0, 1e-2) && close(peak.1, 1.0, 1e-2),
        "{peak:?}"
    );
    // 3: shifted over f, with t marked.
    let p3 = xy(fig, 2);
    series(p3, "g(0.3 − τ)");
    assert_eq!(p3.vlines[0].0, 0.3);
    // 4: the product f(τ)·g(0.3 − τ) = 0.3 − τ on [0, 0.3], its area, the result.
    let p4 = xy(fig, 3);
    assert_eq!(p4.note.as_deref(), Some("area = 0.045"));
    let area = series(p4, "f(τ)·g(0.3 − τ)");
    let SeriesKind::Area { segments } = &area.kind else {
        panic!("not an area")
    };
    let pts: Vec<(f64, f64)> = segments.iter().flatten().copied().collect();
    assert!(close(pts[0].0, 0.0, 1e-12) && close(pts.last().unwrap().0, 0.3, 1e-12));
    for &(tau, y) in &pts {
        assert!(close(y, 0.3 - tau, 1e-6), "product at {tau}: {y}");
    }
    let marker = points(series(p4, "t = 0.3"));
    assert!(close(marker[0].1, 0.045, 1e-12));
    let (so_far, _) = curve(series(p4, "conv(f, g)(t) so far"));
    let last = so_far.last().and_then(|s| s.last()).copied().unwrap();
    assert!(close(last.0, 0.3, 1e-12) && close(last.1, 0.045, 1e-12));

    let dir = out_dir("steps_cont");
    let path = dir.join("s.png");
    let text = run(
        &mut s,
        &format!("plot steps conv(f, g) at 0.3 to {}", quoted(&path)),
    );
    assert!(text.contains("(PNG, 1120×800)"), "{text}");
    assert_eq!(png_size(&path), (1120, 800));
}

#[test]
fn correlation_steps_shift_without_flipping() {
    let mut s = session();
    let built = build(&mut s, "plot steps corr(f, g) at 0.5");
    let fig = &built.figures[0];
    assert!(fig.title.contains("shift, multiply") && !fig.title.contains("flip"));
    assert!(xy(fig, 1).title.contains("no flip"));
    let p3 = xy(fig, 2);
    series(p3, "f(0.5 + τ)");
    assert_eq!(p3.vlines[0].0, -0.5);
    // corr(f, g)(0.5) = ∫ f(0.5 + τ)·g(τ) dτ = ∫_0^0.5 τ dτ = 0.125.
    assert_eq!(xy(fig, 3).note.as_deref(), Some("area = 0.125"));
}

#[test]
fn discrete_steps_show_flip_shift_products() {
    let mut s = session();
    let built = build(&mut s, "plot steps conv(a, b) at 3");
    let fig = &built.figures[0];
    assert_eq!(fig.title, "conv(a, b) at n = 3");
    assert_eq!(
        points(series(xy(fig, 0), "a[m]")),
        &vec![(0.0, 1.0), (1.0, 0.5), (2.0, 1.0), (3.0, 1.0)]
    );
    // b[3 − m]: b[0] at m = 3, b[1] at m = 2, b[2] at m = 1.
    let mut k = points(series(xy(fig, 1), "b[3 − m]")).clone();
    k.sort_by(|p, q| p.0.total_cmp(&q.0));
    assert_eq!(k, vec![(1.0, 0.25), (2.0, 0.5), (3.0, 1.0)]);
    let p3 = xy(fig, 2);
    assert_eq!(
        points(series(p3, "a[m]·b[3 − m]")),
        &vec![(1.0, 0.125), (2.0, 0.5), (3.0, 1.0)]
    );
    assert_eq!(p3.note.as_deref(), Some("conv(a, b)[3] = 1.625"));
    // The result so far: c[0..=3] and the marker at n = 3.
    let p4 = xy(fig, 3);
    assert_eq!(
        points(series(p4, "conv(a, b)[n]")),
        &vec![(0.0, 1.0), (1.0, 1.0), (2.0, 1.5), (3.0, 1.625)]
    );
    assert_eq!(points(series(p4, "n = 3")), &vec![(3.0, 1.625)]);

    // corr does not flip: b[m − n] sits at m = n, n + 1, n + 2.
    let built = build(&mut s, "plot steps corr(a, b) at 1");
    let mut k = points(series(xy(&built.figures[0], 1), "b[m − 1]")).clone();
    k.sort_by(|p, q| p.0.total_cmp(&q.0));
    assert_eq!(k, vec![(1.0, 1.0), (2.0, 0.5), (3.0, 0.25)]);

    let dir = out_dir("steps_1d");
    let path = dir.join("c.svg");
    run(
        &mut s,
        &format!("plot steps conv(a, b) at 3 to {}", quoted(&path)),
    );
    assert!(tags_balance(&std::fs::read_to_string(&path).expect("svg")));
}

#[test]
fn two_d_steps_show_the_window_and_kernel() {
    let mut s = session();
    // The letter example: corr does not flip, conv does.
    let built = build(&mut s, "plot steps corr(I, K, mode=valid) at (0, 0)");
    let fig = &built.figures[0];
    assert!(
        fig.title.ends_with("= a·w + b·x + e·y + f·z"),
        "{}",
        fig.title
    );
    let input = heat(fig, 0);
    assert_eq!(input.origin, (0, 0));
    let hl = input.highlight.expect("window outlined");
    assert_eq!((hl.row, hl.col, hl.height, hl.width), (0, 0, 2, 2));
    assert_eq!(heat(fig, 1).labels, vec![vec!["w", "x"], vec!["y", "z"]]);
    let built = build(&mut s, "plot steps conv(I, K, mode=valid) at (0, 1)");
    let fig = &built.figures[0];
    assert!(
        fig.title.ends_with("= b·z + c·y + f·x + g·w"),
        "{}",
        fig.title
    );
    assert_eq!(heat(fig, 1).labels, vec![vec!["z", "y"], vec!["x", "w"]]);
    let hl = heat(fig, 0).highlight.expect("window");
    assert_eq!((hl.row, hl.col), (0, 1));

    // Full mode pads: the input is shown with its padding, origin (−1, −1).
    let built = build(&mut s, "plot steps conv(M, N) at (0, 0)");
    let fig = &built.figures[0];
    let input = heat(fig, 0);
    assert_eq!(input.origin, (-1, -1));
    assert_eq!((input.rows(), input.cols()), (5, 5));
    assert!(fig.title.ends_with("= 1"), "{}", fig.title);
    let out = heat(fig, 3);
    assert_eq!(out.values[0][0], 1.0);
    assert!(out.values[0][1].is_nan(), "later cells not yet computed");

    let dir = out_dir("steps_2d");
    let path = dir.join("w.png");
    run(
        &mut s,
        &format!(
            "plot steps corr(I, K, mode=valid) at (1, 2) to {}",
            quoted(&path)
        ),
    );
    assert_eq!(png_size(&path), (1120, 800));
}

// ---------------------------------------------------------------------------
// Animations

#[test]
fn continuous_animation() {
    let dir = out_dir("anim_cont");
    let mut s = session();
    let path = dir.join("slide.gif");
    let text = run(
        &mut s,
        &format!(
            "animate conv(f, g) over -1..4 to {} frames=5 delay=50 width=480 height=320",
            quoted(&path)
        ),
    );
    assert_eq!(
        text,
        format!(
            "wrote {} (GIF, 480×320, 5 frames, 50 ms apart)",
            path.display()
        )
    );
    assert_eq!(gif_frames(&path), (480, 320, 5));
    assert_eq!(listing(&dir), vec!["slide.gif"]);

    // The frames: t evenly over the range, fixed axes, the curve growing.
    let built = build(
        &mut s,
        "animate conv(f, g) over -1..4 to \"x.gif\" frames=5",
    );
    assert_eq!(built.figures.len(), 5);
    assert_eq!(built.delay_ms, 80);
    let first = &built.figures[0];
    assert_eq!((first.width, first.height), ANIMATION_SIZE);
    for (k, fig) in built.figures.iter().enumerate() {
        let t = -1.0 + 1.25 * k as f64;
        assert!(
            fig.title.contains(&format!("t = {}", t).replace('-', "−")),
            "{}",
            fig.title
        );
        for i in 0..4 {
            assert_eq!(
                xy(fig, i).x_range,
                xy(first, i).x_range,
                "x axis of panel {i}"
            );
            assert!(xy(fig, i).y_range.is_some());
            assert_eq!(
                xy(fig, i).y_range,
                xy(first, i).y_range,
                "y axis of panel {i}"
            );
        }
    }
    let default = build(&mut s, "animate conv(f, g) to \"x.gif\"");
    assert_eq!(default.figures.len(), DEFAULT_FRAMES);
}

#[test]
fn discrete_animations_have_one_frame_per_output() {
    let dir = out_dir("anim_discrete");
    let mut s = session();
    let path = dir.join("c.gif");
    run(
        &mut s,
        &format!(
            "animate conv(a, b) to {} width=400 height=300",
            quoted(&path)
        ),
    );
    assert_eq!(gif_frames(&path), (400, 300, 6), "n = 0…5");
    let built = build(&mut s, "animate conv(a, b) over 2..3 to \"x.gif\"");
    assert_eq!(built.figures.len(), 2);
    assert_eq!(built.figures[1].title, "conv(a, b) at n = 3");

    let path = dir.join("m.gif");
    run(
        &mut s,
        &format!(
            "animate corr(I, K, mode=valid) to {} width=400 height=300",
            quoted(&path)
        ),
    );
    assert_eq!(gif_frames(&path), (400, 300, 6), "2×3 output cells");
    let built = build(&mut s, "animate conv(M, N) to \"x.gif\"");
    assert_eq!(built.figures.len(), 16, "4×4 full output");
    let last = heat(&built.figures[15], 3);
    assert!(last.values.iter().flatten().all(|v| v.is_finite()));
}

// ---------------------------------------------------------------------------
// Errors

#[test]
fn unknown_extension() {
    let dir = out_dir("err_ext");
    let mut s = session();
    let path = dir.join("fg.bmp");
    let src = format!("plot f to {}", quoted(&path));
    let (msg, hint, caret) = fails(&mut s, &src);
    assert!(msg.contains("image format"), "{msg}");
    assert!(hint.contains(".png, .svg or .gif"), "{hint}");
    assert_eq!(caret, quoted(&path));
    let (msg, hint, _) = fails(
        &mut s,
        &format!("animate conv(f, g) to {}", quoted(&dir.join("x.png"))),
    );
    assert!(msg.contains("animated GIF"), "{msg}");
    assert!(hint.contains(".gif"));
    assert!(listing(&dir).is_empty(), "nothing written");
}

#[test]
fn unwritable_path() {
    let dir = out_dir("err_path");
    let mut s = session();
    let path = dir.join("missing").join("f.png");
    let src = format!("plot f to {}", quoted(&path));
    let (msg, _, caret) = fails(&mut s, &src);
    assert!(msg.contains("does not exist"), "{msg}");
    assert_eq!(caret, quoted(&path));
    assert!(listing(&dir).is_empty());
}

#[test]
fn bad_ranges() {
    let dir = out_dir("err_range");
    let mut s = session();
    let to = quoted(&dir.join("f.png"));
    let (msg, _, caret) = fails(&mut s, &format!("plot f over 1..1 to {to}"));
    assert!(msg.contains("empty"), "{msg}");
    assert_eq!(caret, "1..1");
    let (msg, hint, caret) = fails(&mut s, &format!("plot f over 3..1 to {to}"));
    assert!(msg.contains("reversed"), "{msg}");
    assert!(hint.contains("1..3"), "{hint}");
    assert_eq!(caret, "3..1");
    let (msg, _, _) = fails(&mut s, &format!("plot f over -inf..1 to {to}"));
    assert!(msg.contains("not finite"), "{msg}");
    let (msg, _, _) = fails(
        &mut s,
        &format!(
            "animate conv(f, g) over 0..inf to {}",
            quoted(&dir.join("x.gif"))
        ),
    );
    assert!(msg.contains("not finite"), "{msg}");
    assert!(listing(&dir).is_empty());
}

#[test]
fn too_many_frames() {
    let dir = out_dir("err_frames");
    let mut s = session();
    let to = quoted(&dir.join("x.gif"));
    let (msg, _, caret) = fails(&mut s, &format!("animate conv(f, g) to {to} frames=5000"));
    assert!(msg.contains(&MAX_FRAMES.to_string()), "{msg}");
    assert_eq!(caret, "5000");
    let (msg, _, _) = fails(&mut s, &format!("animate conv(f, g) to {to} frames=0"));
    assert!(msg.contains("frames"), "{msg}");
    // A discrete animation is refused before anything is drawn.
    run(&mut s, "y[n] = { 1 if 0 <= n <= 2500 }");
    let (msg, hint, _) = fails(&mut s, &format!("animate conv(y, b) to {to}"));
    assert!(msg.contains("2503 frames"), "{msg}");
    assert!(hint.contains("over"), "{hint}");
    assert!(listing(&dir).is_empty());
}

#[test]
fn unplottable_values() {
    let dir = out_dir("err_values");
    let mut s = session();
    let to = quoted(&dir.join("x.png"));
    let (msg, _, caret) = fails(&mut s, &format!("plot \"abc\" to {to}"));
    assert_eq!(msg, "a string cannot be plotted");
    assert_eq!(caret, "\"abc\"");
    let (msg, _, caret) = fails(&mut s, &format!("plot f, 1 < 2 to {to}"));
    assert_eq!(msg, "a truth value cannot be plotted");
    assert_eq!(caret, "1 < 2");
    let (msg, _, _) = fails(&mut s, &format!("plot 3 to {to}"));
    assert_eq!(msg, "a number cannot be plotted");
    let (msg, _, _) = fails(&mut s, &format!("plot [p, q] to {to}"));
    assert!(msg.contains("symbolic"), "{msg}");
    let (msg, hint, _) = fails(&mut s, &format!("plot steps conv(f, g) to {to}"));
    assert!(msg.contains("one position"), "{msg}");
    assert!(hint.contains("at"), "{hint}");
    let (msg, _, caret) = fails(&mut s, &format!("plot f to {to} colour=red"));
    assert!(msg.contains("no option 'colour'"), "{msg}");
    assert_eq!(caret, "colour");
    assert!(listing(&dir).is_empty());
}

#[test]
fn animate_needs_a_convolution() {
    let dir = out_dir("err_animate");
    let mut s = session();
    let to = quoted(&dir.join("x.gif"));
    let (msg, hint, caret) = fails(&mut s, &format!("animate f to {to}"));
    assert!(msg.contains("animate shows a convolution"), "{msg}");
    assert!(hint.contains("conv(f, g)"), "{hint}");
    assert_eq!(caret, "f");
    let (msg, _, _) = fails(&mut s, &format!("animate conv(M, N) over 0..2 to {to}"));
    assert!(msg.contains("over"), "{msg}");
    assert!(listing(&dir).is_empty());
}

#[test]
fn interrupted_animation_leaves_no_file() {
    let dir = out_dir("interrupt");
    let mut s = session();
    let src = format!(
        "animate conv(f, g) to {} frames=3",
        quoted(&dir.join("x.gif"))
    );
    let stmts = convolab::syntax::parse_program(&src).expect("parse");
    let convolab::syntax::ast::StmtKind::Command(convolab::syntax::ast::Command::Animate {
        target,
        over,
        to,
        options,
    }) = &stmts[0].kind
    else {
        panic!("not an animate statement")
    };
    s.interrupt.trigger();
    let e =
        convolab::session::plot::animate(&mut s, target, over.as_ref(), to, options, stmts[0].span)
            .expect_err("interrupted");
    assert!(e.message.contains("interrupted"), "{}", e.message);
    assert!(listing(&dir).is_empty());
}

#[test]
fn spec_examples_and_combinations() {
    let dir = out_dir("spec");
    let mut s = session();
    // `plot conv(a, b) to "c.svg"` is a stem plot of c[n].
    let path = dir.join("c.svg");
    run(&mut s, &format!("plot conv(a, b) to {}", quoted(&path)));
    assert!(tags_balance(&std::fs::read_to_string(&path).expect("svg")));
    let built = build(&mut s, "plot conv(a, b)");
    assert_eq!(
        points(series(xy(&built.figures[0], 0), "conv(a, b)")),
        &vec![
            (0.0, 1.0),
            (1.0, 1.0),
            (2.0, 1.5),
            (3.0, 1.625),
            (4.0, 0.75),
            (5.0, 0.25)
        ]
    );
    // A steps picture beside a plain item: one grid of all panels.
    let built = build(&mut s, "plot steps conv(a, b) at 3, conv(a, b) over 0..5");
    let fig = &built.figures[0];
    assert_eq!(fig.panels.len(), 5);
    assert_eq!((fig.layout.rows, fig.layout.cols), (2, 3));
    // One picture to a .gif is a one-frame GIF.
    let path = dir.join("one.gif");
    run(
        &mut s,
        &format!("plot f to {} width=300 height=200", quoted(&path)),
    );
    assert_eq!(gif_frames(&path), (300, 200, 1));
}

#[test]
fn point_masses_are_stems_of_their_weight() {
    let mut s = session();
    run(&mut s, "d(t) = 2*delta(t - 1)");
    let built = build(&mut s, "plot d, f over -1..3");
    let p = xy(&built.figures[0], 0);
    assert_eq!(points(series(p, "point masses of d")), &vec![(1.0, 2.0)]);
    // conv(f, d) is f shifted by 1 and scaled by 2.
    let built = build(&mut s, "plot conv(f, d) over -1..3");
    let (_, ends) = curve(series(xy(&built.figures[0], 0), "conv(f, d)"));
    assert!(ends.contains(&EndMark::closed(1.0, 2.0)), "{ends:?}");
    assert!(ends.contains(&EndMark::open(2.0, 2.0)), "{ends:?}");
}

/// One step trace: the steps table, its JSON and the four-panel picture
/// at the same t show the same value, and the JSON's intervals are numbers.
#[test]
fn continuous_step_table_json_and_picture_agree() {
    let mut s = session();
    // A point mass of weight 2 and a piece with a non-polynomial factor, so
    // the value has an error estimate and a mass term.
    run(
        &mut s,
        "d(t) = 2*delta(t - 1/2) + { exp(-t) if 0 <= t < 2 }
         w(t) = { 1 - t if 0 <= t < 1 }",
    );
    for (pair, t) in [("f, g", 0.3), ("f, g", 1.5), ("d, w", 0.75), ("w, d", 1.25)] {
        s.settings.format = Format::Json;
        let json = run(&mut s, &format!("steps conv({pair}) at {t}"));
        s.settings.format = Format::Text;
        let v: serde_json::Value = serde_json::from_str(&json).expect("one JSON object");
        let value = v["value"].as_f64().expect("value is a number");
        // Intervals, the shifted pieces and point masses are numbers.
        for iv in v["intervals"].as_array().expect("intervals") {
            assert!(iv["from"].is_number() && iv["to"].is_number(), "{iv}");
        }
        for sp in v["shifted"].as_array().expect("shifted pieces") {
            assert!(sp["from"]["value"].is_number(), "{sp}");
            assert!(sp["to"]["value"].is_number(), "{sp}");
        }
        let sum: f64 = v["intervals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|iv| iv["value"].as_f64().unwrap())
            .chain(
                v["masses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["value"].as_f64().unwrap()),
            )
            .sum();
        assert!(
            (sum - value).abs() <= 1e-12 * value.abs().max(1.0),
            "{pair} at {t}: {sum} vs {value}"
        );
        // The picture's fourth panel names the same area.
        let built = build(&mut s, &format!("plot steps conv({pair}) at {t}"));
        let note = xy(&built.figures[0], 3).note.clone().expect("area note");
        let shown: f64 = note
            .trim_start_matches("area = ")
            .replace('−', "-")
            .parse()
            .expect("a number after 'area = '");
        assert!(
            (shown - value).abs() <= 1e-5 * value.abs().max(1e-3),
            "{pair} at {t}: picture {shown} vs table {value}"
        );
    }
    // The mass term says it reads the weight times the other factor.
    let text = run(&mut s, "steps conv(d, w) at 0.75");
    assert!(text.contains("it picks 2·w(0.25) = 1.5"), "{text}");
}
