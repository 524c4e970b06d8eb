//! What a table shows, as plain data: no strings, no colours.
//!
//! The engines build these values; the renderers turn them into text,
//! Markdown, LaTeX, CSV or JSON.

pub mod continuous;
pub mod discrete;
