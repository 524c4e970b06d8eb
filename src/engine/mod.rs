//! Pure numerics: no interpreter state, no printing.

pub mod cancel;
pub mod continuous;
pub mod conv2d;
pub mod discrete;
pub mod exact;
pub mod exppoly;
pub mod grid;
pub mod quad;
pub mod ring;
pub mod toeplitz;
pub mod unipoly;
