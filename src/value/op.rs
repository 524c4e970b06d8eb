//! The two operations and the three output modes, shared by every layer.
//!
//! # Conventions
//! * `conv(x, y)[n] = Σ_m x[m]·y[n−m]` flips the kernel `y`;
//!   `corr(x, y)[n] = Σ_m x[n+m]·y[m]` slides it as given (what neural-network
//!   libraries call "convolution"). The continuous forms are
//!   `(f ∗ g)(t) = ∫ f(τ)·g(t−τ) dτ` and `(f ⋆ g)(t) = ∫ f(t+τ)·g(τ) dτ`.
//! * `full` keeps every output where the inputs overlap; `same` keeps as many
//!   outputs as the first input has, centred (the kernel's centre is its
//!   index ⌊(len−1)/2⌋); `valid` keeps the outputs where the kernel lies
//!   wholly inside the input.

use std::fmt;

/// Convolution (the kernel flipped) or correlation (the kernel as given).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `conv`: the kernel is flipped.
    Conv,
    /// `corr`: the kernel slides as given.
    Corr,
}

impl Op {
    /// Both operations, in the order the language lists them.
    pub const ALL: [Op; 2] = [Op::Conv, Op::Corr];

    /// The name the language uses: `conv` or `corr`.
    pub fn name(self) -> &'static str {
        match self {
            Op::Conv => "conv",
            Op::Corr => "corr",
        }
    }

    /// The operation a name stands for (`conv`, `corr`).
    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.name() == name)
    }

    /// σ in the moving argument `t + σ·τ`: conv evaluates the kernel at
    /// `t − τ` (σ = −1), corr the moving input at `t + τ` (σ = +1).
    pub fn sigma(self) -> f64 {
        match self {
            Op::Conv => -1.0,
            Op::Corr => 1.0,
        }
    }

    /// The operator sign a textbook writes: `∗` for conv, `⋆` for corr.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Conv => "∗",
            Op::Corr => "⋆",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which part of the full result to keep (see the module's Conventions).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Every output where the inputs overlap.
    #[default]
    Full,
    /// As many outputs as the first input, centred.
    Same,
    /// Only outputs where the kernel lies wholly inside the input.
    Valid,
}

impl Mode {
    /// All modes, in the order the language lists them.
    pub const ALL: [Mode; 3] = [Mode::Full, Mode::Same, Mode::Valid];

    /// The name the language uses: `full`, `same` or `valid`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::Same => "same",
            Mode::Valid => "valid",
        }
    }

    /// The mode a name stands for.
    pub fn from_name(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == name)
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
