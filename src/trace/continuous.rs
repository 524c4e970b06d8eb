//! The steps of a continuous convolution at one t, as data.
//!
//! `engine::continuous::step_at` fills a [`ContinuousStep`]; the step table,
//! its JSON and the four-panel step picture are all drawn from it.
//!
//! # Conventions
//! * `conv`: `(f ∗ g)(t) = ∫ f(τ)·g(t − τ) dτ`; the *fixed* factor is f and
//!   the *moving* one g, read at `t − τ` (flipped and shifted).
//! * `corr`: `(f ⋆ g)(t) = ∫ f(t + τ)·g(τ) dτ`; the fixed factor is g and the
//!   moving one f, read at `t + τ` (shifted, not flipped).
//! * Intervals are in τ; exact ends (`lo_x`, `hi_x`) are given when the
//!   breakpoints and t are exact.

use crate::value::number::Number;
use crate::value::op::Op;
use crate::value::unipoly::UniPoly;

/// A piece of the moving factor, shifted to t: where it lies in τ.
#[derive(Clone, Debug)]
pub struct ShiftedPiece {
    /// Index into the moving factor's pieces.
    pub piece: usize,
    pub lo: f64,
    pub hi: f64,
    pub lo_x: Option<Number>,
    pub hi_x: Option<Number>,
}

/// One overlap interval of the step table.
#[derive(Clone, Debug)]
pub struct OverlapStep {
    pub lo: f64,
    pub hi: f64,
    pub lo_x: Option<Number>,
    pub hi_x: Option<Number>,
    pub fixed_piece: usize,
    pub moving_piece: usize,
    /// The integrand as a polynomial in τ, when it is one (exact when the
    /// inputs are).
    pub poly: Option<UniPoly>,
    pub value: f64,
    pub error: f64,
    pub exact: Option<Number>,
}

/// A point mass (a delta) of one factor: it picks the other factor's value.
#[derive(Clone, Debug)]
pub struct MassStep {
    /// The mass belongs to the fixed factor (else to the moving one).
    pub in_fixed: bool,
    /// Where the mass sits in its own factor's variable.
    pub at: Number,
    pub weight: Number,
    /// Where the other factor is read.
    pub arg: f64,
    /// weight · (the other factor at `arg`).
    pub value: f64,
}

/// Everything `steps conv(f, g) at t` shows.
#[derive(Clone, Debug)]
pub struct ContinuousStep {
    pub op: Op,
    pub t: Number,
    /// The moving factor's pieces at t, in the order of its pieces.
    pub shifted: Vec<ShiftedPiece>,
    /// Where both factors are nonzero, by increasing τ.
    pub overlaps: Vec<OverlapStep>,
    pub masses: Vec<MassStep>,
    /// The sum of the overlap integrals and the point-mass terms.
    pub value: f64,
    /// Bound on the error of `value` (0 when `exact` is known).
    pub error: f64,
    /// The exact value, when every term is exact.
    pub exact: Option<Number>,
}

impl ContinuousStep {
    /// The moving factor's finite breakpoints at t, sorted and distinct,
    /// with their exact values when known.
    pub fn breakpoints(&self) -> Vec<(f64, Option<Number>)> {
        let mut out: Vec<(f64, Option<Number>)> = Vec::new();
        for p in &self.shifted {
            for (x, xx) in [(p.lo, &p.lo_x), (p.hi, &p.hi_x)] {
                if x.is_finite() && !out.iter().any(|(y, _)| *y == x) {
                    out.push((x, xx.clone()));
                }
            }
        }
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        out
    }
}
