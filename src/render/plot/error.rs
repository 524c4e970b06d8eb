//! What can go wrong when drawing or writing a figure.

use std::path::PathBuf;

/// An error from the plot backends. Every message says what to do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// The file name does not end in an extension we can write.
    #[error("cannot tell which image format to write for '{}': use a file name ending in .png, .svg or .gif", path.display())]
    UnknownExtension {
        /// The file asked for.
        path: PathBuf,
    },
    /// Several frames were asked for, but the format holds one picture.
    #[error("{frames} frames can only be written to an animated .gif, not to '{}': choose a .gif file name, or plot one frame", path.display())]
    NeedsAnimation {
        /// The file asked for.
        path: PathBuf,
        /// How many frames were given.
        frames: usize,
    },
    /// A PNG or GIF asked of a build without the `raster` feature.
    #[error("cannot write '{}': this build of convolab writes SVG only ({} needs the `raster` feature); use a file name ending in .svg", path.display(), format.extension().to_ascii_uppercase())]
    RasterUnsupported {
        /// The file asked for.
        path: PathBuf,
        /// PNG or GIF.
        format: super::files::FileFormat,
    },
    /// The directory the file should go into does not exist.
    #[error("cannot write '{}': the directory '{}' does not exist; create it first or choose another path", path.display(), dir.display())]
    NoSuchDirectory {
        /// The file asked for.
        path: PathBuf,
        /// Its missing directory.
        dir: PathBuf,
    },
    /// The session's files refused the file or failed to write it (the
    /// message names the path).
    #[error("{0}")]
    File(crate::files::FileError),
    /// Creating, writing or renaming the file failed.
    #[error("cannot write '{}': {source}", path.display())]
    Io {
        /// The file asked for.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The pixel size is too small to draw in or too large to hold.
    #[error("a figure of {width} × {height} pixels cannot be drawn: use between {min} and {max} pixels per side", min = super::model::MIN_FIGURE_SIDE, max = super::model::MAX_FIGURE_SIDE)]
    BadSize {
        /// Requested width.
        width: u32,
        /// Requested height.
        height: u32,
    },
    /// A layout with no rows or no columns.
    #[error("a layout of {rows} × {cols} panels holds nothing: use at least 1 × 1")]
    BadLayout {
        /// Requested rows.
        rows: usize,
        /// Requested columns.
        cols: usize,
    },
    /// More panels than the layout holds (or than any figure should).
    #[error("the figure has {panels} panels but its {rows} × {cols} layout holds {}: use a larger layout or split the figure (at most {max} panels)", rows.saturating_mul(*cols), max = super::model::MAX_PANELS)]
    TooManyPanels {
        /// Number of panels given.
        panels: usize,
        /// Layout rows.
        rows: usize,
        /// Layout columns.
        cols: usize,
    },
    /// A series beyond the point limit.
    #[error("series '{series}' in panel '{panel}' has {count} points and the limit is {limit}: plot a shorter range or sample with a larger step")]
    TooManyPoints {
        /// The panel's title.
        panel: String,
        /// The series' label.
        series: String,
        /// Points given.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A fixed axis range that cannot be drawn.
    #[error("the {axis} range {low}..{high} of panel '{panel}' cannot be drawn: give finite ends with the lower one first")]
    BadRange {
        /// The panel's title.
        panel: String,
        /// `"x"` or `"y"`.
        axis: &'static str,
        /// Lower end given.
        low: f64,
        /// Upper end given.
        high: f64,
    },
    /// A heatmap that is not a proper matrix.
    #[error("heatmap '{panel}' cannot be drawn: {reason}")]
    BadHeatmap {
        /// The panel's title.
        panel: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An animation without frames.
    #[error("an animation needs at least one frame")]
    NoFrames,
    /// An animation beyond the frame limit.
    #[error("the animation has {count} frames and the limit is {limit}: use a larger step or a shorter range")]
    TooManyFrames {
        /// Frames given.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Frames of one animation with different pixel sizes.
    #[error("frame {index} is {width} × {height} pixels but frame 0 is {first_width} × {first_height}: all frames of an animation need the same size")]
    FrameSizeMismatch {
        /// The first frame that differs.
        index: usize,
        /// Its width.
        width: u32,
        /// Its height.
        height: u32,
        /// Width of frame 0.
        first_width: u32,
        /// Height of frame 0.
        first_height: u32,
    },
    /// A frame delay a GIF cannot store.
    #[error("a frame delay of {delay_ms} ms is too long for a GIF: use at most {max} ms", max = super::files::MAX_FRAME_DELAY_MS)]
    BadDelay {
        /// Requested delay.
        delay_ms: u32,
    },
    /// The caller's interrupt check asked to stop (e.g. Ctrl-C).
    #[error("interrupted; no file was written")]
    Interrupted,
    /// The embedded font could not be loaded (a build problem, not a user one).
    #[error("the embedded DejaVu font could not be loaded, so no text can be drawn")]
    Font,
    /// The drawing library failed.
    #[error("drawing the figure failed: {0}")]
    Render(String),
}

impl From<crate::files::FileError> for PlotError {
    fn from(e: crate::files::FileError) -> PlotError {
        match e.missing_dir.clone() {
            Some(dir) => PlotError::NoSuchDirectory {
                path: e.path.into(),
                dir: dir.into(),
            },
            None => PlotError::File(e),
        }
    }
}
