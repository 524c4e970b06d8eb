//! Pure numerics: no interpreter state, no printing.

pub mod continuous;
pub mod conv2d;
pub mod discrete;
pub mod exact;
pub mod exppoly;
pub mod quad;
pub mod toeplitz;
