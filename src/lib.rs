//! convolab: a convolution teaching engine.
//!
//! Data flow: text ──syntax──▶ AST ──eval──▶ Value ──engine──▶ (result, Trace) ──render──▶ output.

pub mod engine;
pub mod render;
pub mod syntax;
pub mod trace;
pub mod value;
