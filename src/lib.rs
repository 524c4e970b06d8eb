//! convolab: a convolution teaching engine.
//!
//! It takes what a textbook writes — sequences with an origin, matrices,
//! piecewise functions, symbolic letters — computes their convolutions and
//! correlations, and shows every step: each term of each `c[n]`, each overlap
//! interval and its integral, the 2D window, the Toeplitz matrix.
//!
//! ```text
//! text ─syntax→ AST ─eval→ Value ─engine→ result + Trace ─session→ Doc / Figure ─render→ text | JSON | PNG | SVG … ─front end→ terminal | files | browser
//! ```
//!
//! [`Session`] is the one entry point the binary, the lessons, the tests and
//! the benchmarks share: text goes in through [`Session::run`], and what it
//! shows comes out as [`Event`]s — a [`Doc`] to render in any [`Format`], or
//! a warning as a [`Diagnostic`]. ARCHITECTURE.md describes the layers.
//!
//! Features (both default): `cli`, the terminal front end (the modules `cli`
//! and `repl`, and the binary); `raster`, PNG and GIF output. Without them the
//! library builds for `wasm32-unknown-unknown`.
//!
//! ```
//! use convolab::{Event, Format, Session};
//!
//! let mut session = Session::new();
//! let mut shown = Vec::new();
//! session
//!     .run(
//!         "a = [1, 0.5, 1, 1]\nb = [1, 0.5, 0.25]\nsteps conv(a, b) at 3",
//!         &mut |event| {
//!             if let Event::Doc(doc) = event {
//!                 shown.push(doc.render(Format::Text));
//!             }
//!         },
//!     )
//!     .expect("the statements run");
//! // The sliding view at n = 3 ends with the sum of its products.
//! assert!(shown[0].contains("c[3] = 0.5·0.25 + 1·0.5 + 1·1 = 1.625"));
//!
//! // The same step table as data, for another front end.
//! session.settings.format = Format::Json;
//! let json = session.run_collect("steps conv(a, b) at 3").expect("runs");
//! let table: serde_json::Value = serde_json::from_str(&json[0]).expect("JSON");
//! assert_eq!(table["type"], "steps");
//! ```

#![warn(missing_docs)]

// The public API is the session and what it hands out: `session`, `render`
// (Doc, Format, Figure), `diagnostic`, `files` and `registry`, documented
// in full. The other modules are the engine's insides: public only so the
// project's own integration tests, benchmarks and fuzzer can reach them,
// hidden from the documentation, and not a stable API.

#[doc(hidden)]
#[cfg(feature = "cli")]
pub mod cli;
pub mod diagnostic;
#[doc(hidden)]
pub mod engine;
#[doc(hidden)]
pub mod eval;
pub mod files;
#[doc(hidden)]
pub mod help;
#[doc(hidden)]
pub mod interrupt;
#[doc(hidden)]
pub mod lesson;
pub mod registry;
pub mod render;
#[doc(hidden)]
#[cfg(feature = "cli")]
pub mod repl;
#[doc(hidden)]
pub mod runner;
pub mod session;
#[doc(hidden)]
pub mod syntax;
#[doc(hidden)]
pub mod trace;
#[doc(hidden)]
pub mod value;

pub use diagnostic::Diagnostic;
pub use render::doc::{Doc, Format};
pub use render::plot::Figure;
pub use session::{Event, Flow, Session};
