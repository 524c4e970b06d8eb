//! The arithmetic the generic (direct) engines need.
//!
//! The direct convolution, correlation and matrix algorithms are written once
//! over [`Ring`] so that exact rationals, symbolic polynomials and floats all
//! use the same code. Only `f64` gets the FFT fast path.

/// A commutative ring: what a convolution sum needs.
///
/// Implementations must be exact where the type is exact: `a.mul(&b)` for
/// rationals never rounds.
pub trait Ring: Clone + std::fmt::Debug + Send + Sync {
    fn zero() -> Self;
    fn one() -> Self;
    fn is_zero(&self) -> bool;
    fn add(&self, other: &Self) -> Self;
    fn sub(&self, other: &Self) -> Self;
    fn mul(&self, other: &Self) -> Self;
    fn neg(&self) -> Self;

    /// `self += a * b`; the inner step of every convolution sum.
    fn add_mul(&mut self, a: &Self, b: &Self) {
        *self = self.add(&a.mul(b));
    }
}

impl Ring for f64 {
    fn zero() -> Self {
        0.0
    }
    fn one() -> Self {
        1.0
    }
    fn is_zero(&self) -> bool {
        *self == 0.0
    }
    fn add(&self, other: &Self) -> Self {
        self + other
    }
    fn sub(&self, other: &Self) -> Self {
        self - other
    }
    fn mul(&self, other: &Self) -> Self {
        self * other
    }
    fn neg(&self) -> Self {
        -self
    }
    fn add_mul(&mut self, a: &Self, b: &Self) {
        *self += a * b;
    }
}

impl Ring for num_rational::BigRational {
    fn zero() -> Self {
        num_traits::Zero::zero()
    }
    fn one() -> Self {
        num_traits::One::one()
    }
    fn is_zero(&self) -> bool {
        num_traits::Zero::is_zero(self)
    }
    fn add(&self, other: &Self) -> Self {
        self + other
    }
    fn sub(&self, other: &Self) -> Self {
        self - other
    }
    fn mul(&self, other: &Self) -> Self {
        self * other
    }
    fn neg(&self) -> Self {
        -self
    }
}

impl Ring for num_complex::Complex<f64> {
    fn zero() -> Self {
        num_complex::Complex::new(0.0, 0.0)
    }
    fn one() -> Self {
        num_complex::Complex::new(1.0, 0.0)
    }
    fn is_zero(&self) -> bool {
        self.re == 0.0 && self.im == 0.0
    }
    fn add(&self, other: &Self) -> Self {
        self + other
    }
    fn sub(&self, other: &Self) -> Self {
        self - other
    }
    fn mul(&self, other: &Self) -> Self {
        self * other
    }
    fn neg(&self) -> Self {
        -self
    }
}
