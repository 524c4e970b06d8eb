//! Limits checked before memory is spent. Each error names the limit and
//! says what to do instead.

use crate::eval::{err_hint, EvalResult};
use crate::syntax::span::Span;

/// Entries in one sequence or matrix.
pub const MAX_ELEMENTS: usize = 100_000_000;
/// Entries in a sequence defined by formula (each is evaluated exactly).
pub const MAX_FORMULA_LEN: usize = 10_000_000;
/// Rows of a step table.
pub const MAX_STEP_ROWS: usize = 1_000_000;
/// Rows of a step table shown before it is shortened.
pub const SHOW_STEP_ROWS: usize = 40;
/// Entries of a sequence shown in text before it is shortened.
pub const SHOW_VALUES: usize = 60;
/// Exact (rational or symbolic) multiply-adds in one convolution.
pub const MAX_EXACT_WORK: u128 = 50_000_000;
/// Frames of an animation.
pub const MAX_FRAMES: usize = 2_000;
/// Points a function is evaluated at for one call on a sequence.
pub const MAX_POINTS: usize = 100_000_000;

pub fn check_len(n: usize, span: Span) -> EvalResult<()> {
    if n > MAX_ELEMENTS {
        return err_hint(
            span,
            format!("{n} entries is more than the limit of {MAX_ELEMENTS}"),
            "work with a shorter sequence, or a coarser step",
        );
    }
    Ok(())
}
