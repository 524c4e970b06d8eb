//! Writing figures to PNG, SVG and animated GIF files.
//!
//! See the module documentation of [`super`] for the atomic-write rule.

use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use plotters::prelude::*;

use super::draw::{draw_figure, ensure_fonts, render_err};
use super::error::PlotError;
use super::model::Figure;

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
    let path = path.as_ref();
    let format = FileFormat::from_path(path)?;
    let frames = figures.as_frames();
    match (format, frames) {
        (_, []) => return Err(PlotError::NoFrames),
        (FileFormat::Png, [fig]) => write_png(fig, path)?,
        (FileFormat::Svg, [fig]) => write_svg(fig, path)?,
        (FileFormat::Gif, frames) => write_gif(frames, DEFAULT_FRAME_DELAY_MS, path)?,
        (FileFormat::Png | FileFormat::Svg, frames) => {
            return Err(PlotError::NeedsAnimation {
                path: path.to_path_buf(),
                frames: frames.len(),
            })
        }
    }
    Ok(format)
}

/// Writes a figure as a PNG of `figure.width × figure.height` pixels.
pub fn write_png(figure: &Figure, path: impl AsRef<Path>) -> Result<(), PlotError> {
    figure.validate()?;
    ensure_fonts()?;
    let tmp = TempFile::create(path.as_ref(), "png")?;
    {
        let root = BitMapBackend::new(&tmp.path, (figure.width, figure.height)).into_drawing_area();
        draw_figure(&root, figure)?;
        root.present().map_err(|e| tmp.save_err(e))?;
    }
    tmp.persist()
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
    let svg = render_svg(figure)?;
    let tmp = TempFile::create(path.as_ref(), "svg")?;
    fs::write(&tmp.path, svg).map_err(|source| tmp.io(source))?;
    tmp.persist()
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
    check_frames(frames, delay_ms)?;
    ensure_fonts()?;
    let (w, h) = (frames[0].width, frames[0].height);
    let tmp = TempFile::create(path.as_ref(), "gif")?;
    let gif_err = |e: gif::EncodingError| {
        tmp.io(std::io::Error::other(format!(
            "writing the GIF failed ({e})"
        )))
    };
    let file = fs::File::create(&tmp.path).map_err(|e| tmp.io(e))?;
    let mut encoder = gif::Encoder::new(std::io::BufWriter::new(file), w as u16, h as u16, &[])
        .map_err(gif_err)?;
    encoder.set_repeat(gif::Repeat::Infinite).map_err(gif_err)?;
    let mut quantizer = Quantizer::default();
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    for (i, frame) in frames.iter().enumerate() {
        if interrupted() {
            return Err(PlotError::Interrupted);
        }
        render_rgb(frame, &mut rgb)?;
        let (indices, palette) = match exact_palette(&rgb) {
            Some(exact) => exact,
            None => {
                if quantizer.global.is_none() {
                    // Train one palette on this, the middle and the last
                    // frame, so colours that appear only later (a growing
                    // result) are in it.
                    let mut sample = rgb.clone();
                    let mut other = vec![0u8; rgb.len()];
                    for j in [(i + frames.len()) / 2, frames.len() - 1] {
                        if j != i {
                            render_rgb(&frames[j], &mut other)?;
                            sample.extend_from_slice(&other);
                        }
                    }
                    quantizer.train(&sample);
                }
                quantizer.mapped(&rgb)
            }
        };
        let mut f = gif::Frame::from_palette_pixels(w as u16, h as u16, &indices, &palette, None);
        f.delay = ((delay_ms + 5) / 10).min(u32::from(u16::MAX)) as u16;
        encoder.write_frame(&f).map_err(gif_err)?;
    }
    encoder.into_inner().map_err(|e| tmp.io(e))?;
    // Check that the trailer arrived (a full disk can cut the file short).
    if !ends_with_gif_trailer(&tmp.path) {
        return Err(tmp.io(std::io::Error::other(
            "the GIF could not be completed (is the disk full?)",
        )));
    }
    tmp.persist()
}

/// Draws `frame` into an RGB buffer of its size.
fn render_rgb(frame: &Figure, rgb: &mut [u8]) -> Result<(), PlotError> {
    let root = BitMapBackend::with_buffer(rgb, (frame.width, frame.height)).into_drawing_area();
    draw_figure(&root, frame)?;
    root.present().map_err(render_err)?;
    Ok(())
}

fn rgb_key(p: &[u8]) -> u32 {
    u32::from(p[0]) << 16 | u32::from(p[1]) << 8 | u32::from(p[2])
}

/// A frame with at most 256 colours as palette indices and its exact
/// palette; `None` when it has more.
fn exact_palette(rgb: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut index: std::collections::HashMap<u32, u8> = std::collections::HashMap::new();
    let mut palette = Vec::new();
    let mut indices = Vec::with_capacity(rgb.len() / 3);
    for p in rgb.chunks_exact(3) {
        let next = index.len();
        let i = match index.get(&rgb_key(p)) {
            Some(&i) => i,
            None if next < 256 => {
                palette.extend_from_slice(p);
                index.insert(rgb_key(p), next as u8);
                next as u8
            }
            None => return None,
        };
        indices.push(i);
    }
    Some((indices, palette))
}

/// A 256-colour NeuQuant palette for RGB pixels.
fn neuquant(rgb: &[u8]) -> (color_quant::NeuQuant, Vec<u8>) {
    let rgba: Vec<u8> = rgb
        .chunks_exact(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    let nq = color_quant::NeuQuant::new(10, 256, &rgba);
    let palette = nq.color_map_rgb();
    (nq, palette)
}

/// The palette of GIF frames with more than 256 colours (see
/// [`exact_palette`] for the others): one NeuQuant palette trained once per
/// animation (quantizing every frame anew was three quarters of the time of
/// a GIF).
#[derive(Default)]
struct Quantizer {
    global: Option<(color_quant::NeuQuant, Vec<u8>)>,
    /// Colour → palette index under the global palette.
    cache: std::collections::HashMap<u32, u8>,
}

impl Quantizer {
    fn train(&mut self, rgb: &[u8]) {
        self.global = Some(neuquant(rgb));
        self.cache.clear();
    }

    /// A frame's pixels as indices into the global palette (trained on
    /// this frame if it is not yet), and the palette.
    fn mapped(&mut self, rgb: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let (nq, palette) = self.global.get_or_insert_with(|| neuquant(rgb));
        let indices = rgb
            .chunks_exact(3)
            .map(|p| {
                *self
                    .cache
                    .entry(rgb_key(p))
                    .or_insert_with(|| nq.index_of(&[p[0], p[1], p[2], 255]) as u8)
            })
            .collect();
        (indices, palette.clone())
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

fn ends_with_gif_trailer(path: &Path) -> bool {
    let mut last = [0u8; 1];
    fs::File::open(path)
        .and_then(|mut f| {
            f.seek(SeekFrom::End(-1))?;
            f.read_exact(&mut last)
        })
        .is_ok()
        && last[0] == 0x3B
}

/// A hidden temporary file next to the target, removed on drop unless
/// [`TempFile::persist`]ed.
struct TempFile {
    path: PathBuf,
    target: PathBuf,
    persisted: bool,
}

impl TempFile {
    /// Creates an empty temporary file for `target`, ending in `.ext` (the
    /// bitmap encoder chooses its format by extension).
    fn create(target: &Path, ext: &str) -> Result<Self, PlotError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(PlotError::NoSuchDirectory {
                path: target.to_path_buf(),
                dir,
            });
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "plot".into());
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".{name}.{}-{n}.tmp.{ext}", std::process::id()));
        fs::File::create_new(&path).map_err(|source| PlotError::Io {
            path: target.to_path_buf(),
            source,
        })?;
        Ok(TempFile {
            path,
            target: target.to_path_buf(),
            persisted: false,
        })
    }

    /// An I/O error, reported against the target's name.
    fn io(&self, source: std::io::Error) -> PlotError {
        PlotError::Io {
            path: self.target.clone(),
            source,
        }
    }

    /// A plotters error while saving the image, reported against the target.
    /// (plotters does not expose its error's parts, so its text is kept.)
    fn save_err<E: std::error::Error + Send + Sync>(
        &self,
        e: DrawingAreaErrorKind<E>,
    ) -> PlotError {
        self.io(std::io::Error::other(format!(
            "saving the image failed ({e})"
        )))
    }

    /// Moves the finished file onto the target.
    fn persist(mut self) -> Result<(), PlotError> {
        fs::rename(&self.path, &self.target).map_err(|source| self.io(source))?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.persisted {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod quantizer_tests {
    use super::*;

    fn decode(indices: &[u8], palette: &[u8]) -> Vec<u8> {
        indices
            .iter()
            .flat_map(|&i| palette[3 * i as usize..3 * i as usize + 3].to_vec())
            .collect()
    }

    #[test]
    fn few_colours_are_kept_exactly() {
        let rgb: Vec<u8> = (0..1000)
            .flat_map(|i| match i % 3 {
                0 => [255, 255, 255],
                1 => [31, 119, 180],
                _ => [255, 127, 14],
            })
            .collect();
        let (indices, palette) = exact_palette(&rgb).expect("3 colours fit");
        assert_eq!(palette.len(), 9);
        assert_eq!(decode(&indices, &palette), rgb);
    }

    #[test]
    fn many_colours_share_one_close_palette() {
        // 4096 colours: a gradient over red and green.
        let rgb: Vec<u8> = (0..64 * 64)
            .flat_map(|i| [(i % 64 * 4) as u8, (i / 64 * 4) as u8, 90])
            .collect();
        assert!(exact_palette(&rgb).is_none());
        let mut q = Quantizer::default();
        let (indices, palette) = q.mapped(&rgb);
        assert_eq!(palette.len(), 256 * 3);
        let back = decode(&indices, &palette);
        let mean_error = back
            .iter()
            .zip(&rgb)
            .map(|(a, b)| f64::from(a.abs_diff(*b)))
            .sum::<f64>()
            / rgb.len() as f64;
        // 4096 colours in 256 cells: about 4 steps of 4 per cell side; a
        // wrong mapping would be off by tens.
        assert!(mean_error < 10.0, "mean error {mean_error}");
        // The next frame reuses the trained palette.
        let (_, again) = q.mapped(&rgb);
        assert_eq!(again, palette);
    }
}
