//! Pure numerics: no interpreter state, no printing.

pub mod continuous;
pub mod ring;
pub mod unipoly;
