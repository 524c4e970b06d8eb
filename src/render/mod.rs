//! Presentation: `Doc` (what a statement shows, as blocks and a JSON object)
//! and `Figure` (panels of series and heatmaps), the layout of plain values
//! (`value`) and closed forms (`exact`), and the renderers: a `Doc` as text,
//! Markdown, LaTeX, CSV or JSON; a `Figure` as PNG, SVG, GIF or a terminal
//! plot.

pub mod doc;
pub mod exact;
pub mod plot;
pub mod value;
