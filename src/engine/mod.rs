//! Pure numerics: no interpreter state, no printing.

pub mod exppoly;
pub mod ring;
