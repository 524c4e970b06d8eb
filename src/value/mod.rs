//! Values: exact numbers, symbolic polynomials, sequences, matrices, functions.

pub mod number;
pub mod poly;
pub mod scalar;
pub mod array;
pub mod function;
