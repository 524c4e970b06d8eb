//! Renderers: turn values and traces into text, markdown, latex, csv, json and plots.

pub mod doc;
pub mod exact;
pub mod plot;
pub mod value;
