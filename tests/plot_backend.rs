//! The plot backends on real files: PNG, SVG and GIF structure, atomic
//! writes and error messages.

use std::path::{Path, PathBuf};

use convolab::render::plot::{
    render_svg, write_file, write_gif, write_gif_interruptible, write_png, write_svg, EndMark,
    Figure, FileFormat, HeatmapPanel, Layout, Panel, PlotError, Series, XyPanel, MAX_FRAMES,
};

/// A fresh directory for one test's files.
#[track_caller]
fn out_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("plot_backend")
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

fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| a + (b - a) * i as f64 / (n - 1) as f64)
        .collect()
}

/// rect on [0, 1), shifted by `s`, with its jumps and end marks.
fn rect(label: &str, lo: f64, hi: f64) -> Series {
    Series::curve(
        label,
        vec![
            vec![(lo, 0.0), (0.0, 0.0)],
            vec![(0.0, 1.0), (1.0, 1.0)],
            vec![(1.0, 0.0), (hi, 0.0)],
        ],
    )
    .with_ends(vec![
        EndMark::open(0.0, 0.0),
        EndMark::closed(0.0, 1.0),
        EndMark::open(1.0, 1.0),
        EndMark::closed(1.0, 0.0),
    ])
}

/// The triangle g (peak 1 at 1, support [0, 2]) evaluated at `a·τ + b`.
fn triangle(label: &str, a: f64, b: f64, lo: f64, hi: f64) -> Series {
    let g = |t: f64| {
        if (0.0..1.0).contains(&t) {
            t
        } else if (1.0..=2.0).contains(&t) {
            2.0 - t
        } else {
            0.0
        }
    };
    let pts = linspace(lo, hi, 401)
        .into_iter()
        .map(|tau| (tau, g(a * tau + b)))
        .collect();
    Series::curve(label, vec![pts])
}

/// The four-panel picture of `steps conv(f, g) at 0.3`.
fn four_panels() -> Figure {
    let t = 0.3;
    let p1 = XyPanel::new("f(τ) and g(τ)", "τ", "value")
        .with_series(rect("f(τ)", -1.0, 3.0))
        .with_series(triangle("g(τ)", 1.0, 0.0, -1.0, 3.0));
    let p2 = XyPanel::new("g flipped: g(−τ)", "τ", "value").with_series(
        triangle("g(−τ)", -1.0, 0.0, -3.0, 1.0)
            .dashed()
            .with_color(1),
    );
    let p3 = XyPanel::new("g shifted: g(t − τ), t = 0.3", "τ", "value")
        .with_series(rect("f(τ)", -2.0, 2.0))
        .with_series(triangle("g(0.3 − τ)", -1.0, t, -2.0, 2.0).dashed())
        .with_vline(t, "t = 0.3");
    let product: Vec<(f64, f64)> = linspace(0.0, t, 50)
        .into_iter()
        .map(|tau| (tau, t - tau))
        .collect();
    let result: Vec<(f64, f64)> = linspace(-0.5, t, 100)
        .into_iter()
        .map(|x| (x, if x < 0.0 { 0.0 } else { x * x / 2.0 }))
        .collect();
    let p4 = XyPanel::new("f(τ)·g(t − τ) and (f ∗ g)(t)", "τ, t", "value")
        .with_series(Series::area("f(τ)·g(0.3 − τ)", vec![product]).with_color(2))
        .with_series(Series::curve("(f ∗ g)(t) so far", vec![result]).with_color(3))
        .with_series(Series::points("t = 0.3", vec![(t, 0.045)]).with_color(3))
        .with_x_range(-0.5, 2.0)
        .with_note("area = 0.045");
    Figure::new(
        "conv(f, g) at t = 0.3",
        Layout::grid(2, 2),
        vec![Panel::Xy(p1), Panel::Xy(p2), Panel::Xy(p3), Panel::Xy(p4)],
    )
}

/// The 2D example: a 4×5 input with the 2×2 window at (1, 2).
fn heatmap_figure() -> Figure {
    let values: Vec<Vec<f64>> = (0..4)
        .map(|r| (0..5).map(|c| (r * 5 + c) as f64 - 6.0).collect())
        .collect();
    let input = HeatmapPanel::new("input I", values).with_highlight(1, 2, 2, 2);
    let letters = vec![
        vec!["a·w + b·x + e·y + f·z".to_string(), "b·w + c·x".to_string()],
        vec!["e·w + f·x".to_string(), "f·w + g·x".to_string()],
    ];
    let symbolic = HeatmapPanel::new("corr(I, K)", vec![vec![f64::NAN; 2]; 2]).with_labels(letters);
    Figure::new(
        "2D correlation",
        Layout::grid(1, 2),
        vec![Panel::Heatmap(input), Panel::Heatmap(symbolic)],
    )
}

fn stems_figure() -> Figure {
    let a = [1.0, 0.5, 1.0, 1.0];
    let b = [1.0, 0.5, 0.25];
    let c = [1.0, 1.0, 1.5, 1.625, 0.75, 0.25];
    let stems = |label: &str, v: &[f64]| {
        Series::stems(
            label,
            v.iter().enumerate().map(|(n, &y)| (n as f64, y)).collect(),
        )
    };
    Figure::single(
        "conv(a, b)",
        Panel::Xy(
            XyPanel::new("c[n] = Σ a[m]·b[n−m]", "n", "value")
                .with_series(stems("a", &a))
                .with_series(stems("b", &b))
                .with_series(stems("c = a ∗ b", &c)),
        ),
    )
}

/// Width and height from a PNG's IHDR chunk.
#[track_caller]
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

#[test]
fn png_has_the_requested_size_and_content() {
    let dir = out_dir("png");
    let fig = four_panels();
    let path = dir.join("steps.png");
    write_png(&fig, &path).expect("write png");
    let bytes = std::fs::read(&path).expect("read png");
    assert_eq!(png_size(&bytes), (fig.width, fig.height));

    let pixels = png_pixels(&bytes);
    let first = &pixels[..3];
    let distinct = pixels.chunks(3).filter(|p| *p != first).count();
    assert!(
        distinct > 1000,
        "only {distinct} pixels differ from the first"
    );
    assert_eq!(listing(&dir), vec!["steps.png"], "no temporary file left");
}

#[test]
fn png_of_other_sizes_and_kinds() {
    let dir = out_dir("png_kinds");
    for (name, fig) in [
        ("heatmap.png", heatmap_figure()),
        ("stems.png", stems_figure().with_size(500, 320)),
    ] {
        let path = dir.join(name);
        write_png(&fig, &path).expect("write png");
        let bytes = std::fs::read(&path).expect("read png");
        assert_eq!(png_size(&bytes), (fig.width, fig.height), "{name}");
    }
}

/// Counts start tags and end tags (self-closing ones count as both).
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

#[test]
fn svg_is_well_formed_and_holds_every_series() {
    let fig = four_panels();
    let svg = render_svg(&fig).expect("render svg");
    assert!(svg.trim_start().starts_with("<svg"), "{}", &svg[..80]);
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(tags_balance(&svg), "tags do not balance");
    assert!(svg.contains("conv(f, g) at t = 0.3"));
    assert!(svg.contains("g(0.3 − τ)"), "Greek and minus signs kept");
    assert!(svg.contains("(f ∗ g)(t) so far"));
    assert!(svg.contains("area = 0.045"));
    // Curves and stems are polylines, areas polygons, markers circles.
    let lines = svg.matches("<polyline").count();
    let curves: usize = fig
        .panels
        .iter()
        .map(|p| match p {
            Panel::Xy(p) => p.series.len(),
            Panel::Heatmap(_) => 0,
        })
        .sum();
    assert!(lines >= curves, "{lines} polylines for {curves} series");
    assert!(svg.contains("<polygon"), "shaded area");
    assert!(svg.contains("<circle"), "end marks and markers");

    let dir = out_dir("svg");
    let path = dir.join("steps.svg");
    write_svg(&fig, &path).expect("write svg");
    assert_eq!(std::fs::read_to_string(&path).expect("read svg"), svg);
    assert_eq!(listing(&dir), vec!["steps.svg"]);
}

#[test]
fn svg_heatmap_shows_cell_texts() {
    let svg = render_svg(&heatmap_figure()).expect("render svg");
    assert!(tags_balance(&svg));
    assert!(svg.contains("a·w + b·x + e·y + f·z") || svg.contains("b·w + c·x"));
    assert!(
        svg.contains(">\n13\n</text>"),
        "value 13 printed in its cell"
    );
    assert!(svg.matches("<rect").count() >= 20, "one rectangle per cell");
}

/// Minimal GIF reader: the header, the logical screen size and the number of
/// image descriptors, walking the block structure (not scanning bytes).
#[track_caller]
fn gif_frames(bytes: &[u8]) -> (u16, u16, usize) {
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
                i = skip_sub_blocks(i + 1); // LZW minimum code size, then data
            }
            0x3B => break,
            other => panic!("unexpected block 0x{other:02x} at {i}"),
        }
    }
    assert_eq!(i, bytes.len() - 1, "trailer is the last byte");
    (w, h, frames)
}

fn sliding_frames(n: usize) -> Vec<Figure> {
    (0..n)
        .map(|k| {
            let t = -1.0 + 4.0 * k as f64 / (n - 1) as f64;
            let panel = XyPanel::new(format!("t = {t:.2}"), "τ", "value")
                .with_series(rect("f(τ)", -2.0, 4.0))
                .with_series(triangle("g(t − τ)", -1.0, t, -2.0, 4.0).dashed())
                .with_vline(t, format!("t = {t:.2}"))
                .with_x_range(-2.0, 4.0)
                .with_y_range(-0.1, 1.2);
            Figure::single("sliding g over f", Panel::Xy(panel)).with_size(480, 300)
        })
        .collect()
}

#[test]
fn gif_has_one_image_per_figure() {
    let dir = out_dir("gif");
    let frames = sliding_frames(6);
    let path = dir.join("slide.gif");
    write_gif(&frames, 200, &path).expect("write gif");
    let bytes = std::fs::read(&path).expect("read gif");
    assert_eq!(gif_frames(&bytes), (480, 300, 6));
    assert_eq!(listing(&dir), vec!["slide.gif"]);

    let one = dir.join("one.gif");
    assert_eq!(
        write_file(&frames[0], &one).expect("write"),
        FileFormat::Gif
    );
    assert_eq!(gif_frames(&std::fs::read(&one).expect("read")).2, 1);
}

#[test]
fn write_file_chooses_the_format_by_extension() {
    let dir = out_dir("by_extension");
    let fig = stems_figure().with_size(400, 300);
    assert_eq!(
        write_file(&fig, dir.join("a.PNG")).expect("png"),
        FileFormat::Png
    );
    assert_eq!(
        write_file(&fig, dir.join("a.svg")).expect("svg"),
        FileFormat::Svg
    );
    let frames = vec![fig.clone(), fig.clone()];
    assert_eq!(
        write_file(&frames, dir.join("a.gif")).expect("gif"),
        FileFormat::Gif
    );
    assert!(std::fs::read(dir.join("a.PNG"))
        .expect("png")
        .starts_with(b"\x89PNG"));
    assert!(std::fs::read_to_string(dir.join("a.svg"))
        .expect("svg")
        .starts_with("<svg"));

    let err = write_file(&frames, dir.join("b.png")).unwrap_err();
    assert!(
        matches!(err, PlotError::NeedsAnimation { frames: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains(".gif"), "{err}");
    assert_eq!(listing(&dir), vec!["a.PNG", "a.gif", "a.svg"]);
}

#[test]
fn unknown_extension_names_the_supported_ones() {
    let dir = out_dir("unknown_ext");
    for name in ["plot.jpg", "plot", "plot.png.bak"] {
        let err = write_file(&stems_figure(), dir.join(name)).unwrap_err();
        assert!(matches!(err, PlotError::UnknownExtension { .. }), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains(".png") && msg.contains(".svg") && msg.contains(".gif"),
            "{msg}"
        );
        assert!(msg.contains(name), "{msg}");
    }
    assert!(listing(&dir).is_empty());
}

#[test]
fn missing_directory_is_a_clear_error() {
    for path in [
        "/nonexistent/dir/x.png",
        "/nonexistent/dir/x.svg",
        "/nonexistent/dir/x.gif",
    ] {
        let err = write_file(&stems_figure(), path).unwrap_err();
        assert!(matches!(err, PlotError::NoSuchDirectory { .. }), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains("/nonexistent/dir") && msg.contains("does not exist"),
            "{msg}"
        );
    }
}

#[cfg(unix)]
#[test]
fn unwritable_directory_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = out_dir("read_only");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let probe = dir.join("probe");
    if std::fs::write(&probe, b"x").is_ok() {
        // Running as root: permissions are not enforced, nothing to test.
        let _ = std::fs::remove_file(&probe);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        return;
    }
    let err = write_png(&stems_figure(), dir.join("x.png")).unwrap_err();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    // The session's files (convolab::files) report the failure, naming the file.
    assert!(
        matches!(err, PlotError::Io { .. } | PlotError::File(_)),
        "{err}"
    );
    assert!(
        err.to_string().contains("taken.png") || err.to_string().contains("x.png"),
        "{err}"
    );
    assert!(err.to_string().contains("x.png"), "{err}");
}

#[test]
fn target_that_is_a_directory_leaves_nothing_behind() {
    let dir = out_dir("target_is_dir");
    std::fs::create_dir(dir.join("taken.png")).expect("mkdir");
    let err = write_png(&stems_figure(), dir.join("taken.png")).unwrap_err();
    // The session's files (convolab::files) report the failure, naming the file.
    assert!(
        matches!(err, PlotError::Io { .. } | PlotError::File(_)),
        "{err}"
    );
    assert!(
        err.to_string().contains("taken.png") || err.to_string().contains("x.png"),
        "{err}"
    );
    assert_eq!(listing(&dir), vec!["taken.png"], "temporary file removed");
}

#[test]
fn failed_write_keeps_the_old_file_and_leaves_no_partial_one() {
    let dir = out_dir("no_partial");
    let path = dir.join("slide.gif");
    std::fs::write(&path, b"old").expect("write old file");
    // Interrupted half way: no new file, no temporary file, the old one intact.
    let frames = sliding_frames(4);
    let calls = std::cell::Cell::new(0);
    let err = write_gif_interruptible(&frames, 100, &path, || {
        calls.set(calls.get() + 1);
        calls.get() > 2
    })
    .unwrap_err();
    assert!(matches!(err, PlotError::Interrupted), "{err}");
    assert_eq!(std::fs::read(&path).expect("read"), b"old");
    assert_eq!(listing(&dir), vec!["slide.gif"]);

    // A frame of another size is found before anything is written.
    let mut bad = sliding_frames(3);
    bad[2] = bad[2].clone().with_size(300, 300);
    let err = write_gif(&bad, 100, &path).unwrap_err();
    assert!(
        matches!(err, PlotError::FrameSizeMismatch { index: 2, .. }),
        "{err}"
    );
    assert_eq!(listing(&dir), vec!["slide.gif"]);
}

#[test]
fn limits_are_errors_that_say_what_to_do() {
    let dir = out_dir("limits");
    let many = vec![stems_figure().with_size(100, 100); MAX_FRAMES + 1];
    let err = write_gif(&many, 100, dir.join("many.gif")).unwrap_err();
    assert!(matches!(err, PlotError::TooManyFrames { .. }), "{err}");
    assert!(err.to_string().contains("larger step"), "{err}");
    assert!(matches!(
        write_gif(&[], 100, dir.join("none.gif")),
        Err(PlotError::NoFrames)
    ));

    let huge: Vec<(f64, f64)> = (0..1_000_001).map(|i| (i as f64, 0.0)).collect();
    let fig = Figure::single(
        "huge",
        Panel::Xy(XyPanel::new("", "x", "y").with_series(Series::curve("h", vec![huge]))),
    );
    let err = write_png(&fig, dir.join("huge.png")).unwrap_err();
    assert!(matches!(err, PlotError::TooManyPoints { .. }), "{err}");

    let err = write_png(&stems_figure().with_size(10, 10), dir.join("tiny.png")).unwrap_err();
    assert!(matches!(err, PlotError::BadSize { .. }), "{err}");

    let mut crowded = stems_figure();
    crowded.panels.push(crowded.panels[0].clone());
    let err = write_png(&crowded, dir.join("crowded.png")).unwrap_err();
    assert!(matches!(err, PlotError::TooManyPanels { .. }), "{err}");

    let ragged = HeatmapPanel::new("ragged", vec![vec![1.0, 2.0], vec![3.0]]);
    let err = write_svg(
        &Figure::single("r", Panel::Heatmap(ragged)),
        dir.join("r.svg"),
    )
    .unwrap_err();
    assert!(matches!(err, PlotError::BadHeatmap { .. }), "{err}");

    let reversed = XyPanel::new("p", "x", "y").with_x_range(2.0, 1.0);
    let err = render_svg(&Figure::single("p", Panel::Xy(reversed))).unwrap_err();
    assert!(
        matches!(err, PlotError::BadRange { axis: "x", .. }),
        "{err}"
    );
    assert!(listing(&dir).is_empty());
}

#[test]
fn awkward_data_draws_without_panicking() {
    let dir = out_dir("awkward");
    let nan_gap = Series::curve(
        "gappy",
        vec![vec![
            (0.0, 1.0),
            (1.0, f64::NAN),
            (2.0, 1.0),
            (3.0, f64::INFINITY),
            (4.0, 0.0),
        ]],
    );
    let flat = Series::curve("flat", vec![vec![(0.0, 2.0), (1.0, 2.0)]]);
    let extreme = Series::curve(
        "extreme",
        vec![vec![(0.0, -1e300), (1.0, 1e300), (2.0, 0.0)]],
    );
    let single = Series::curve("single", vec![vec![(0.5, 0.5)], vec![]]);
    let empty_stems = Series::stems("none", vec![]);
    let panels = vec![
        Panel::Xy(XyPanel::new("NaN gaps", "x", "y").with_series(nan_gap)),
        Panel::Xy(XyPanel::new("flat", "x", "y").with_series(flat)),
        Panel::Xy(XyPanel::new("extreme", "x", "y").with_series(extreme.clone())),
        Panel::Xy(
            XyPanel::new("extreme in a fixed view", "x", "y")
                .with_series(extreme)
                .with_series(Series::area("a", vec![vec![(0.0, 1e200), (1.0, -1e200)]]))
                .with_x_range(0.0, 2.0)
                .with_y_range(-1.0, 1.0),
        ),
        Panel::Xy(XyPanel::new("single point", "x", "y").with_series(single)),
        Panel::Xy(XyPanel::new("empty", "x", "y")),
        Panel::Xy(XyPanel::new("empty stems", "n", "x[n]").with_series(empty_stems)),
        Panel::Heatmap(HeatmapPanel::new("empty heatmap", vec![])),
        Panel::Heatmap(HeatmapPanel::new("constant", vec![vec![3.0; 3]; 2])),
    ];
    let fig = Figure::new("awkward", Layout::grid(3, 3), panels);
    write_png(&fig, dir.join("awkward.png")).expect("png");
    write_svg(&fig, dir.join("awkward.svg")).expect("svg");
}

#[test]
fn writes_the_pictures_to_look_at() {
    // Not a check: leaves the pictures where a person can open them.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("plot_gallery");
    std::fs::create_dir_all(&dir).expect("mkdir");
    write_png(&four_panels(), dir.join("four_panels.png")).expect("four panels");
    write_png(&heatmap_figure(), dir.join("heatmap.png")).expect("heatmap");
    write_png(&stems_figure(), dir.join("stems.png")).expect("stems");
    write_svg(&four_panels(), dir.join("four_panels.svg")).expect("svg");
    write_gif(&sliding_frames(12), 150, dir.join("slide.gif")).expect("gif");
}

/// The decoded pixels of a PNG (the `png` crate, a dev-dependency, is the
/// decoder plotters' encoder is built on).
fn png_pixels(bytes: &[u8]) -> Vec<u8> {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    buf.truncate(info.buffer_size());
    buf
}
