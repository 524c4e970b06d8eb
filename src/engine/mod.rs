//! Pure numerics: no interpreter state, no printing.
