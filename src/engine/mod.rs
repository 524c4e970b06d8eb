//! Pure numerics: no interpreter state, no printing.

pub mod exact;
pub mod exppoly;
pub mod ring;
