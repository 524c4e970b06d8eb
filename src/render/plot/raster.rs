//! PNG and animated GIF: figures drawn into pixels with plotters' bitmap
//! backend. Only in a build with the `raster` feature (see
//! [`raster_support`](super::raster_support)); the public writers in
//! [`files`](super::files) check the format and the frames first.

use std::io::Write;
use std::path::Path;

use plotters::prelude::*;

use super::draw::{draw_figure, ensure_fonts, render_err};
use super::error::PlotError;
use super::model::Figure;

/// Why an encoder stopped: a drawing error (or Ctrl-C), or the output
/// refused a write.
pub(super) enum EncodeError {
    Plot(PlotError),
    Io(std::io::Error),
}

impl From<PlotError> for EncodeError {
    fn from(e: PlotError) -> EncodeError {
        EncodeError::Plot(e)
    }
}

impl EncodeError {
    /// The error, reported against the file being written.
    pub(super) fn at(self, path: &Path) -> PlotError {
        match self {
            EncodeError::Plot(e) => e,
            EncodeError::Io(source) => PlotError::Io {
                path: path.to_path_buf(),
                source,
            },
        }
    }
}

/// Draws a validated figure and encodes it as a PNG into `out`.
pub(super) fn encode_png(figure: &Figure, out: &mut dyn Write) -> Result<(), EncodeError> {
    ensure_fonts()?;
    let (w, h) = (figure.width, figure.height);
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    render_rgb(figure, &mut rgb)?;
    let png_err = |e: png::EncodingError| match e {
        png::EncodingError::IoError(e) => EncodeError::Io(e),
        other => EncodeError::Io(std::io::Error::other(format!(
            "encoding the PNG failed ({other})"
        ))),
    };
    let mut encoder = png::Encoder::new(out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(png_err)?;
    writer.write_image_data(&rgb).map_err(png_err)?;
    writer.finish().map_err(png_err)
}

/// Encodes checked frames (same size, within the limits) as a looping GIF
/// into `out`, checking `interrupted` before each frame.
pub(super) fn encode_gif(
    frames: &[Figure],
    delay_ms: u32,
    out: &mut dyn Write,
    interrupted: impl Fn() -> bool,
) -> Result<(), EncodeError> {
    ensure_fonts()?;
    let (w, h) = (frames[0].width, frames[0].height);
    let gif_err = |e: gif::EncodingError| match e {
        gif::EncodingError::Io(e) => EncodeError::Io(e),
        other => EncodeError::Io(std::io::Error::other(format!(
            "writing the GIF failed ({other})"
        ))),
    };
    let mut encoder = gif::Encoder::new(out, w as u16, h as u16, &[]).map_err(gif_err)?;
    encoder.set_repeat(gif::Repeat::Infinite).map_err(gif_err)?;
    let mut quantizer = Quantizer::default();
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    for (i, frame) in frames.iter().enumerate() {
        if interrupted() {
            return Err(PlotError::Interrupted.into());
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
    // Writes the trailer; a full disk shows up here or when the file is
    // committed (which syncs it).
    encoder.into_inner().map_err(EncodeError::Io)?;
    Ok(())
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
