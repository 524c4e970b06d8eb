//! Plots: a plain-data figure model and the backends that draw it.
//!
//! The rest of convolab turns functions, sequences, matrices and convolution
//! steps into a [`Figure`]; this module draws figures to
//!
//! * PNG and SVG files ([`write_png`], [`write_svg`], [`render_svg`]),
//! * animated GIFs, one figure per frame ([`write_gif`]),
//! * any of those chosen by file extension ([`write_file`]),
//! * Unicode text for a terminal ([`render_terminal`]).
//!
//! PNG and GIF need the `raster` feature (a default one; it does not build
//! on wasm32). Without it they are refused with
//! [`PlotError::RasterUnsupported`] (see [`raster_support`]); SVG and the
//! terminal work in every build.
//!
//! All text is drawn with the DejaVu Sans font embedded in the binary, so no
//! system font or library is needed (on wasm32 plotters measures text with
//! the browser's fonts instead).
//!
//! # Atomic writes
//!
//! A file is rendered into a hidden temporary file in the target's directory
//! (`.NAME.PID-N.tmp.EXT`) and renamed over the target only when everything
//! succeeded. On any error, interrupt or panic the temporary file is removed:
//! a failed write leaves no partial image, and an existing file of that name
//! is kept unchanged.
//!
//! # Limits
//!
//! Requests beyond these are errors that say what to do, found before
//! anything is drawn: [`MAX_POINTS_PER_SERIES`] points per series,
//! [`MAX_HEATMAP_CELLS`] cells per heatmap, [`MAX_FRAMES`] GIF frames,
//! [`model::MAX_PANELS`] panels, and [`model::MIN_FIGURE_SIDE`] to
//! [`model::MAX_FIGURE_SIDE`] pixels per side.
//!
//! # Example
//!
//! ```
//! use convolab::render::plot::{render_terminal, EndMark, Figure, Panel, Series, XyPanel};
//!
//! // rect on [0, 1): two jumps, each drawn as a jump with a filled and a hollow end.
//! let rect = Series::curve("f", vec![
//!     vec![(-1.0, 0.0), (0.0, 0.0)],
//!     vec![(0.0, 1.0), (1.0, 1.0)],
//!     vec![(1.0, 0.0), (2.0, 0.0)],
//! ])
//! .with_ends(vec![EndMark::open(0.0, 0.0), EndMark::closed(0.0, 1.0),
//!                 EndMark::open(1.0, 1.0), EndMark::closed(1.0, 0.0)]);
//! let fig = Figure::single("rect", Panel::Xy(XyPanel::new("f(τ)", "τ", "f").with_series(rect)));
//! let text = render_terminal(&fig, 60, 16);
//! assert!(text.contains("rect"));
//! ```
//!
//! See [`model`] for the conventions (gaps, jumps, ranges, colours).

mod draw;
mod error;
mod files;
pub mod model;
#[cfg(feature = "raster")]
mod raster;
mod scale;
mod terminal;

pub use error::PlotError;
pub use files::{
    raster_support, render_svg, write_file, write_file_with, write_gif, write_gif_interruptible,
    write_gif_with, write_png, write_png_with, write_svg, write_svg_with, AsFrames, FileFormat,
    DEFAULT_FRAME_DELAY_MS, MAX_FRAMES, MAX_FRAME_DELAY_MS,
};
pub use model::{
    CellRect, EndMark, Figure, HeatmapPanel, Layout, Panel, Series, SeriesKind, XyPanel,
    MAX_HEATMAP_CELLS, MAX_POINTS_PER_SERIES, PALETTE,
};
pub use scale::format_number;
pub use terminal::render_terminal;
