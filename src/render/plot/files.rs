//! Writing figures to PNG, SVG and animated GIF files: the formats, their
//! checks and SVG here; the bitmap formats in [`raster`](super::raster)
//! (only with the `raster` feature, see [`raster_support`]).
//!
//! See the module documentation of [`super`] for the atomic-write rule.

use std::path::Path;

use plotters::prelude::*;

use super::draw::{draw_figure, ensure_fonts, render_err};
use super::error::PlotError;
use super::model::Figure;
use crate::files::{Files, NativeFiles};

/// Most frames one animated GIF may hold.
pub const MAX_FRAMES: usize = 2000;
/// Longest delay between GIF frames (GIF stores hundredths of a second in 16 bits).
pub const MAX_FRAME_DELAY_MS: u32 = 655_350;
/// Delay between frames used by [`write_file`] for GIFs.
pub const DEFAULT_FRAME_DELAY_MS: u32 = 100;

/// The image formats we can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// A PNG bitmap of one figure.
    Png,
    /// An SVG vector image of one figure (text as `<text>`, in `sans-serif`).
    Svg,
    /// An animated GIF of one or more figures.
    Gif,
}

impl FileFormat {
    /// The format a file name asks for, by its extension (any case).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, PlotError> {
        let path = path.as_ref();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("png") => Ok(FileFormat::Png),
            Some("svg") => Ok(FileFormat::Svg),
            Some("gif") => Ok(FileFormat::Gif),
            _ => Err(PlotError::UnknownExtension {
                path: path.to_path_buf(),
            }),
        }
    }

    /// The usual extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Png => "png",
            FileFormat::Svg => "svg",
            FileFormat::Gif => "gif",
        }
    }
}

/// One figure or several (the frames of an animation), for [`write_file`].
pub trait AsFrames {
    /// The figures, in order.
    fn as_frames(&self) -> &[Figure];
}

impl AsFrames for Figure {
    fn as_frames(&self) -> &[Figure] {
        std::slice::from_ref(self)
    }
}

impl AsFrames for [Figure] {
    fn as_frames(&self) -> &[Figure] {
        self
    }
}

impl AsFrames for Vec<Figure> {
    fn as_frames(&self) -> &[Figure] {
        self
    }
}

impl<const N: usize> AsFrames for [Figure; N] {
    fn as_frames(&self) -> &[Figure] {
        self
    }
}

/// Writes one figure (PNG, SVG or a one-frame GIF) or an animation (GIF,
/// [`DEFAULT_FRAME_DELAY_MS`] between frames), choosing the format by the
/// file's extension. Returns the format written.
///
/// Several figures to a `.png` or `.svg` is an error, as is an unknown
/// extension; both are reported before anything is drawn.
pub fn write_file<F: AsFrames + ?Sized>(
    figures: &F,
    path: impl AsRef<Path>,
) -> Result<FileFormat, PlotError> {
    write_file_with(&NativeFiles, figures, path)
}

/// [`write_file`] through `files` (the session's files: the file system, or
/// memory in a browser).
pub fn write_file_with<F: AsFrames + ?Sized>(
    files: &dyn Files,
    figures: &F,
    path: impl AsRef<Path>,
) -> Result<FileFormat, PlotError> {
    let path = path.as_ref();
    let format = FileFormat::from_path(path)?;
    let frames = figures.as_frames();
    match (format, frames) {
        (_, []) => return Err(PlotError::NoFrames),
        (FileFormat::Png, [fig]) => write_png_with(files, fig, path)?,
        (FileFormat::Svg, [fig]) => write_svg_with(files, fig, path)?,
        (FileFormat::Gif, frames) => {
            write_gif_with(files, frames, DEFAULT_FRAME_DELAY_MS, path, || false)?
        }
        (FileFormat::Png | FileFormat::Svg, frames) => {
            return Err(PlotError::NeedsAnimation {
                path: path.to_path_buf(),
                frames: frames.len(),
            })
        }
    }
    Ok(format)
}

/// Writes a figure as a PNG of `figure.width × figure.height` pixels (needs
/// the `raster` feature; see [`raster_support`]).
pub fn write_png(figure: &Figure, path: impl AsRef<Path>) -> Result<(), PlotError> {
    write_png_with(&NativeFiles, figure, path)
}

/// [`write_png`] through `files`.
pub fn write_png_with(
    files: &dyn Files,
    figure: &Figure,
    path: impl AsRef<Path>,
) -> Result<(), PlotError> {
    let path = path.as_ref();
    raster_support(FileFormat::Png, path)?;
    figure.validate()?;
    let name = path_text(path);
    let mut out = files.create(&name)?;
    raster::encode_png(figure, &mut out).map_err(|e| e.at(path))?;
    Ok(out.commit()?)
}

/// Renders a figure as an SVG document in memory.
pub fn render_svg(figure: &Figure) -> Result<String, PlotError> {
    figure.validate()?;
    ensure_fonts()?;
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (figure.width, figure.height)).into_drawing_area();
        draw_figure(&root, figure)?;
        root.present().map_err(render_err)?;
    }
    Ok(svg)
}

/// Writes a figure as an SVG image.
pub fn write_svg(figure: &Figure, path: impl AsRef<Path>) -> Result<(), PlotError> {
    write_svg_with(&NativeFiles, figure, path)
}

/// [`write_svg`] through `files`.
pub fn write_svg_with(
    files: &dyn Files,
    figure: &Figure,
    path: impl AsRef<Path>,
) -> Result<(), PlotError> {
    let svg = render_svg(figure)?;
    Ok(files.write(&path_text(path.as_ref()), svg.as_bytes())?)
}

/// A path as the text the session's files take.
fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Writes the figures as the frames of an animated GIF that loops forever,
/// `delay_ms` milliseconds apart (GIF rounds this to hundredths of a second).
///
/// All frames must have the same pixel size; at most [`MAX_FRAMES`] frames.
pub fn write_gif(
    frames: &[Figure],
    delay_ms: u32,
    path: impl AsRef<Path>,
) -> Result<(), PlotError> {
    write_gif_interruptible(frames, delay_ms, path, || false)
}

/// [`write_gif`], checking `interrupted` before each frame: when it returns
/// true, stops with [`PlotError::Interrupted`] and leaves no file behind
/// (for Ctrl-C during a long animation).
pub fn write_gif_interruptible(
    frames: &[Figure],
    delay_ms: u32,
    path: impl AsRef<Path>,
    interrupted: impl Fn() -> bool,
) -> Result<(), PlotError> {
    write_gif_with(&NativeFiles, frames, delay_ms, path, interrupted)
}

/// [`write_gif_interruptible`] through `files`: the frames are encoded as
/// they are drawn, and nothing appears at `path` unless all of them were.
pub fn write_gif_with(
    files: &dyn Files,
    frames: &[Figure],
    delay_ms: u32,
    path: impl AsRef<Path>,
    interrupted: impl Fn() -> bool,
) -> Result<(), PlotError> {
    let path = path.as_ref();
    raster_support(FileFormat::Gif, path)?;
    check_frames(frames, delay_ms)?;
    let mut out = files.create(&path_text(path))?;
    raster::encode_gif(frames, delay_ms, &mut out, interrupted).map_err(|e| e.at(path))?;
    Ok(out.commit()?)
}

/// Whether this build can write `format` to `path`: PNG and GIF are drawn by
/// plotters' bitmap backend, which is there only with the `raster` feature
/// (a default feature; not on wasm32). SVG is always written.
///
/// This is the one place a raster-less build refuses a format: the writers
/// call it first, and `plot`/`animate` call it before computing anything.
pub fn raster_support(format: FileFormat, path: &Path) -> Result<(), PlotError> {
    support(cfg!(feature = "raster"), format, path)
}

/// [`raster_support`] for a build with (`raster` true) or without the
/// bitmap backend, so both answers are tested in either build.
fn support(raster: bool, format: FileFormat, path: &Path) -> Result<(), PlotError> {
    match format {
        FileFormat::Png | FileFormat::Gif if !raster => Err(PlotError::RasterUnsupported {
            path: path.to_path_buf(),
            format,
        }),
        _ => Ok(()),
    }
}

#[cfg(feature = "raster")]
use super::raster;

/// Without the `raster` feature there is nothing to rasterise with:
/// [`raster_support`] has already refused, and these refuse the same way.
#[cfg(not(feature = "raster"))]
mod raster {
    use super::{Figure, FileFormat, PlotError};

    /// An encoder's failure; without `raster` there is none to have.
    pub(super) struct EncodeError(PlotError);

    impl EncodeError {
        pub(super) fn at(self, _: &std::path::Path) -> PlotError {
            self.0
        }
    }

    pub(super) fn encode_png(_: &Figure, _: &mut dyn std::io::Write) -> Result<(), EncodeError> {
        Err(EncodeError(PlotError::RasterUnsupported {
            path: std::path::PathBuf::new(),
            format: FileFormat::Png,
        }))
    }

    pub(super) fn encode_gif(
        _: &[Figure],
        _: u32,
        _: &mut dyn std::io::Write,
        _: impl Fn() -> bool,
    ) -> Result<(), EncodeError> {
        Err(EncodeError(PlotError::RasterUnsupported {
            path: std::path::PathBuf::new(),
            format: FileFormat::Gif,
        }))
    }
}

/// The limits of [`write_gif`], checked before anything is drawn.
fn check_frames(frames: &[Figure], delay_ms: u32) -> Result<(), PlotError> {
    if frames.is_empty() {
        return Err(PlotError::NoFrames);
    }
    if frames.len() > MAX_FRAMES {
        return Err(PlotError::TooManyFrames {
            count: frames.len(),
            limit: MAX_FRAMES,
        });
    }
    if delay_ms > MAX_FRAME_DELAY_MS {
        return Err(PlotError::BadDelay { delay_ms });
    }
    let (w, h) = (frames[0].width, frames[0].height);
    for (index, frame) in frames.iter().enumerate() {
        if (frame.width, frame.height) != (w, h) {
            return Err(PlotError::FrameSizeMismatch {
                index,
                width: frame.width,
                height: frame.height,
                first_width: w,
                first_height: h,
            });
        }
        frame.validate()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_without_raster_refuses_png_and_gif_and_says_to_use_svg() {
        for (format, name) in [(FileFormat::Png, "PNG"), (FileFormat::Gif, "GIF")] {
            let path = Path::new("out/f.x");
            let err = support(false, format, path).unwrap_err();
            assert!(
                matches!(&err, PlotError::RasterUnsupported { path: p, format: f }
                    if p == path && *f == format),
                "{err:?}"
            );
            let text = err.to_string();
            assert!(text.contains("'out/f.x'"), "{text}");
            assert!(text.contains("writes SVG only"), "{text}");
            assert!(
                text.contains(&format!("{name} needs the `raster` feature")),
                "{text}"
            );
            assert!(text.contains(".svg"), "{text}");
        }
        assert!(support(false, FileFormat::Svg, Path::new("f.svg")).is_ok());
    }

    #[test]
    fn a_build_with_raster_writes_every_format() {
        for format in [FileFormat::Png, FileFormat::Svg, FileFormat::Gif] {
            assert!(support(true, format, Path::new("f")).is_ok());
        }
    }

    #[test]
    fn this_build_answers_by_its_raster_feature() {
        let png = raster_support(FileFormat::Png, Path::new("f.png"));
        assert_eq!(png.is_ok(), cfg!(feature = "raster"));
        assert!(raster_support(FileFormat::Svg, Path::new("f.svg")).is_ok());
    }

    /// Whatever the build, the writers never panic: they write, or refuse
    /// with [`PlotError::RasterUnsupported`] and leave no file.
    #[test]
    fn the_writers_follow_raster_support() {
        use crate::render::plot::{Panel, Series, XyPanel};
        let dir = std::env::temp_dir().join(format!("convolab-raster-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let line = Series::curve("f", vec![vec![(0.0, 0.0), (1.0, 1.0)]]);
        let fig = Figure::single(
            "t",
            Panel::Xy(XyPanel::new("p", "x", "y").with_series(line)),
        );
        let (png, gif) = (dir.join("f.png"), dir.join("f.gif"));
        let wrote_png = write_png(&fig, &png);
        let wrote_gif = write_gif(std::slice::from_ref(&fig), 100, &gif);
        for (result, path) in [(wrote_png, &png), (wrote_gif, &gif)] {
            if cfg!(feature = "raster") {
                result.unwrap();
                assert!(path.is_file());
            } else {
                assert!(matches!(result, Err(PlotError::RasterUnsupported { .. })));
                assert!(!path.exists());
            }
        }
        write_svg(&fig, dir.join("f.svg")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
