//! The convolab language: spans, the syntax tree and the parser.
//!
//! (The grammar in EBNF is written here, kept in step with `parser.rs`.)

pub mod ast;
pub mod span;
