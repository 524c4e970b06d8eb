//! Pure numerics: no interpreter state, no printing.

pub mod quad;
