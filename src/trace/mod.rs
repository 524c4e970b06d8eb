//! What a table shows, as plain data: no strings, no colours.
//!
//! The engines build these values; the session lays them out as `Doc`s and
//! `Figure`s, which `render` turns into text, Markdown, LaTeX, CSV, JSON or
//! pictures.

pub mod continuous;
pub mod discrete;
