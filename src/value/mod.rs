//! Values: exact numbers, symbolic polynomials, sequences, matrices, functions.

pub mod array;
pub mod function;
pub mod grid;
pub mod number;
pub mod op;
pub mod poly;
pub mod ring;
pub mod scalar;
pub mod unipoly;

use std::rc::Rc;

use num_complex::Complex64;

pub use array::{Elems, Matrix, Sequence};
pub use function::Function;
pub use number::{NumFmt, Number};
pub use scalar::Scalar;

/// Everything an expression can evaluate to.
#[derive(Clone, Debug)]
pub enum Value {
    /// An exact or float number, or a symbolic polynomial.
    Scalar(Scalar),
    /// A number computed numerically, with an error estimate (integrals,
    /// values of a numeric convolution).
    Estimate(Estimate),
    Complex(Complex64),
    Bool(bool),
    Str(String),
    Sequence(Sequence),
    Matrix(Matrix),
    Function(Rc<Function>),
}

/// A numerically computed number and how far from the truth it may be.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub value: f64,
    /// Absolute error estimate (an upper bound as far as the method can tell).
    pub error: f64,
    /// Why the requested tolerance was not reached, if it was not.
    pub warning: Option<String>,
}

impl Value {
    pub fn number(n: Number) -> Value {
        Value::Scalar(Scalar::Num(n))
    }

    pub fn float(f: f64) -> Value {
        Value::Scalar(Scalar::Num(Number::Float(f)))
    }

    /// A short name of the kind, for messages: "a number", "a sequence", …
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Scalar(Scalar::Num(_)) | Value::Estimate(_) => "a number",
            Value::Scalar(Scalar::Sym(_)) => "a symbolic expression",
            Value::Complex(_) => "a complex number",
            Value::Bool(_) => "a truth value",
            Value::Str(_) => "a string",
            Value::Sequence(_) => "a sequence",
            Value::Matrix(_) => "a matrix",
            Value::Function(_) => "a function",
        }
    }

    /// The value as a number, if it is one.
    pub fn as_number(&self) -> Option<Number> {
        match self {
            Value::Scalar(Scalar::Num(n)) => Some(n.clone()),
            Value::Estimate(e) => Some(Number::Float(e.value)),
            _ => None,
        }
    }
}
