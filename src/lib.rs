//! convolab: a convolution teaching engine.
//!
//! ```text
//! text ──syntax──▶ AST ──eval──▶ Value ──engine──▶ (result, trace) ──render──▶ table / plot / JSON
//! ```
//!
//! [`session::Session`] is the one entry point the binary, the lessons, the
//! tests and the benchmarks share.
//!
//! Features (both default): `cli`, the terminal front end (the modules `cli`
//! and `repl`, and the binary); `raster`, PNG and GIF output. Without them the
//! library builds for `wasm32-unknown-unknown`.

#[cfg(feature = "cli")]
pub mod cli;
pub mod diagnostic;
pub mod engine;
pub mod eval;
pub mod help;
pub mod interrupt;
pub mod lesson;
pub mod registry;
pub mod render;
#[cfg(feature = "cli")]
pub mod repl;
pub mod runner;
pub mod session;
pub mod syntax;
pub mod trace;
pub mod value;

pub use session::Session;
