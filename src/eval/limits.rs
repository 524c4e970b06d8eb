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

/// Entrywise arithmetic aligns two sequences by index, filling the gap
/// between them with zeros: check the length of the union before it is
/// allocated. Exact entries are larger, so they have the formula limit.
pub fn check_aligned(
    x: &crate::value::Sequence,
    y: &crate::value::Sequence,
    span: Span,
) -> EvalResult<()> {
    if x.is_empty() || y.is_empty() {
        return Ok(());
    }
    let lo = i128::from(x.start.min(y.start));
    let hi = i128::from(x.end().max(y.end()));
    let n = hi - lo;
    let exact = |s: &crate::value::Sequence| matches!(s.elems, crate::value::Elems::General(_));
    let limit = if exact(x) || exact(y) {
        MAX_FORMULA_LEN
    } else {
        MAX_ELEMENTS
    };
    if n > limit as i128 {
        return err_hint(
            span,
            format!(
                "aligning n = {}…{} with n = {}…{} needs {n} entries, more than the limit of {limit}",
                x.start,
                x.end() - 1,
                y.start,
                y.end() - 1
            ),
            "entrywise arithmetic fills the gap between the sequences with zeros: check where each starts (`from`), or move one with shift(x, k)",
        );
    }
    Ok(())
}

/// Sequence indices stay within ±2^61 (the engine's bound), so that index
/// arithmetic (a start plus a length, the sum of two starts) never
/// overflows. Returns `start` as an i64.
pub fn check_indices(start: i128, len: usize, span: Span) -> EvalResult<i64> {
    let max = i128::from(crate::engine::discrete::MAX_INDEX);
    let last = start + len.max(1) as i128 - 1;
    if start.abs() > max || last.abs() > max {
        let at = if start.abs() > max { start } else { last };
        return err_hint(
            span,
            format!("sequence indices must stay within ±2^61, but this one reaches n = {at}"),
            "start the sequence nearer n = 0 (`from`), or shift it by less",
        );
    }
    Ok(start as i64)
}
