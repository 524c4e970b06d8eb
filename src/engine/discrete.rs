//! One-dimensional discrete convolution and correlation, circular
//! convolution and the DFT.
//!
//! Everything here is written once over [`Ring`], so exact rationals and
//! symbolic [`Scalar`](crate::value::scalar::Scalar)s stay exact. Only `f64`
//! gets a fast path ([`conv_f64`]), which is tested against the direct sum
//! [`conv_direct`].
//!
//! # Conventions
//!
//! * **Index origin.** A sequence is `(start, values)`: `values[i]` is the
//!   sample at index `start + i`, and every other sample is zero. Indices stay
//!   within ±[`MAX_INDEX`].
//! * **Convolution** `conv(x, y)[n] = Σ_m x[m]·y[n−m]`. The full result starts
//!   at `start(x) + start(y)` and has `len(x) + len(y) − 1` samples.
//! * **Correlation** `corr(x, y)[n] = Σ_m x[n+m]·y[m]`: the kernel `y` slides
//!   over `x`, as in a CNN layer. `corr(x, y) == conv(x, flip(y))` in every
//!   mode. Nothing is conjugated (`numpy.correlate` conjugates a complex `y`).
//!   For sequences that start at 0 the full result starts at −(len(y)−1) and
//!   equals `numpy.correlate(x, y, 'full')`.
//! * **Modes.** The second argument is the kernel.
//!   - `full`: every index where the supports overlap.
//!   - `same`: len(x) samples, the window of the full result that starts
//!     ⌊(len(y)−1)/2⌋ samples in, as `scipy.signal.convolve(x, y, mode='same')`
//!     and `scipy.signal.correlate(x, y, mode='same')`. `numpy.convolve`
//!     agrees when len(x) ≥ len(y) but takes the longer length otherwise;
//!     PyTorch's `padding='same'` puts an even kernel's output one sample
//!     later. The returned start is the true index of the first kept sample.
//!   - `valid`: only where the kernel lies wholly inside x, len(x)−len(y)+1
//!     samples starting len(y)−1 samples into the full result. When the
//!     kernel is longer than x the result is empty and says why
//!     ([`EmptyReason::KernelLongerThanInput`]); unlike scipy, the arguments
//!     are never swapped.
//! * An empty input gives an empty result ([`EmptyReason::EmptyInput`]).
//! * **Circular convolution** of period N: `cconv(x, y, N)[k] = Σ x[m]·y[p]`
//!   over the pairs with `m + p ≡ k (mod N)`, k = 0…N−1. Inputs longer than N
//!   (or outside 0…N−1) wrap around; [`Cconv`] and [`cconv_steps`] say which
//!   samples of the linear convolution wrapped.
//! * **DFT** (numpy's convention): `X[k] = Σ_{n=0}^{N−1} x[n]·e^{−2πikn/N}`;
//!   the inverse carries the 1/N: `x[n] = (1/N)·Σ_k X[k]·e^{+2πikn/N}`. The
//!   input's first value is n = 0 and it is zero-padded to N.
//!
//! # Limits
//!
//! Checked before anything is allocated, each with an error that says what
//! to do instead: results of at most [`MAX_SEQ_LEN`] samples
//! ([`MAX_EXACT_OUTPUT`] on the generic path), at most [`MAX_DIRECT_WORK`]
//! multiply-adds on the generic path (floats use [`conv_f64`], which has an
//! FFT), indices within ±[`MAX_INDEX`], and step tables of at most
//! [`MAX_STEP_ROWS`] rows and [`MAX_STEP_TERMS`] terms (builders take a
//! range of rows to build part of a long table).

use std::ops::Range;
use std::sync::Arc;

use num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};

use crate::interrupt as cancel;
use crate::trace::discrete::{
    CconvRow, CconvSteps, CconvTerm, Row1d, Sliding1d, Steps1d, Term1d, MAX_STEP_ROWS,
    MAX_STEP_TERMS,
};
use crate::value::ring::Ring;

/// Most samples a result (or an FFT buffer) may have.
pub const MAX_SEQ_LEN: usize = 100_000_000;

/// Most multiply-adds the generic (exact, symbolic) direct sum may take.
///
/// An exact rational multiply-add costs about 1.3 µs (measured on
/// `Scalar`s in release) while the fractions stay small, so this is roughly
/// 13 s of work; fractions whose denominators grow make it slower, which is
/// why the loops also poll for Ctrl-C (see [`cancel`]).
pub const MAX_DIRECT_WORK: u128 = 10_000_000;

/// Most samples (or cells) a result of the generic path may have: exact and
/// symbolic values are large, so their results are capped well below
/// [`MAX_SEQ_LEN`].
pub const MAX_EXACT_OUTPUT: usize = 10_000_000;

/// Most multiply-adds the f64 direct sum may take when no FFT can replace
/// it (non-finite inputs, or an FFT beyond its size limit): a few seconds.
pub const MAX_F64_DIRECT_WORK: u128 = 20_000_000_000;

/// Why an f64 computation cannot use the FFT.
pub(crate) const NON_FINITE: &str =
    "an input holds NaN or ∞, which an FFT would spread to every sample";

/// Sequence indices stay within ±2^61, so that index arithmetic never overflows.
pub const MAX_INDEX: i64 = 1 << 61;

pub use crate::value::op::{Mode, Op};

/// Errors of the discrete engines, with messages meant for the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConvError {
    #[error("{what} would have {size} entries, more than the limit of {limit}; {advice}")]
    TooLarge {
        what: String,
        size: u128,
        limit: u128,
        advice: &'static str,
    },
    #[error(
        "this needs {work} multiply-adds, more than the limit of {limit} for exact and symbolic \
         values; convert to floating point (which has a fast FFT path) or use shorter inputs"
    )]
    TooMuchWork { work: u128, limit: u128 },
    #[error(
        "the direct sum needs {work} multiply-adds, more than the limit of {limit} \
         (the FFT cannot be used: {reason}); use smaller inputs"
    )]
    TooSlow {
        work: u128,
        limit: u128,
        reason: &'static str,
    },
    #[error(
        "the step table would have {rows} rows, more than the limit of {limit}; \
         ask for one index (`at n`) or a range of rows"
    )]
    TooManyRows { rows: u128, limit: usize },
    #[error(
        "the view at n = {n} would span {columns} columns (m = {lo}…{hi}), more than the limit of {limit}: \
         the kernel there lies far from the input"
    )]
    TooWideView {
        n: i64,
        columns: u128,
        lo: i64,
        hi: i64,
        limit: usize,
    },
    #[error(
        "the step table would have {terms} terms, more than the limit of {limit}; \
         ask for one index (`at n`) or fewer rows"
    )]
    TooManyTerms { terms: u128, limit: usize },
    #[error("{name} must be {expected}, got {value}")]
    BadOption {
        name: &'static str,
        value: i64,
        expected: &'static str,
    },
    #[error(
        "the kernel spans {kernel} {axis} (with dilation) but the padded input has only {padded}: \
         there is no position where it fits wholly; use mode=same or mode=full, add padding, \
         or lower the dilation"
    )]
    KernelTooLarge {
        axis: &'static str,
        kernel: u128,
        padded: u128,
    },
    #[error("sequence indices must stay within ±2^61, but this one reaches {index}")]
    IndexOutOfRange { index: i128 },
    #[error("{0}")]
    ShapeMismatch(String),
    #[error("{0} has no entries")]
    Empty(&'static str),
    #[error("interrupted (Ctrl-C)")]
    Interrupted,
}

/// [`ConvError::Interrupted`] when Ctrl-C was pressed (see [`cancel`]).
pub(crate) fn poll_cancel() -> Result<(), ConvError> {
    if cancel::requested() {
        Err(ConvError::Interrupted)
    } else {
        Ok(())
    }
}

pub use crate::trace::discrete::EmptyReason;

impl From<crate::value::grid::ShapeError> for ConvError {
    fn from(e: crate::value::grid::ShapeError) -> ConvError {
        ConvError::ShapeMismatch(e.0)
    }
}

/// A borrowed sequence: `values[i]` is the sample at index `start + i`.
#[derive(Debug)]
pub struct SeqRef<'a, T> {
    pub start: i64,
    pub values: &'a [T],
}

impl<T> Clone for SeqRef<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for SeqRef<'_, T> {}

impl<'a, T> SeqRef<'a, T> {
    pub fn new(start: i64, values: &'a [T]) -> Self {
        SeqRef { start, values }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The sample at index `n`, if inside the support.
    pub fn get(&self, n: i64) -> Option<&'a T> {
        let i = n.checked_sub(self.start)?;
        usize::try_from(i).ok().and_then(|i| self.values.get(i))
    }
}

impl<'a, T> From<(i64, &'a [T])> for SeqRef<'a, T> {
    fn from((start, values): (i64, &'a [T])) -> Self {
        SeqRef { start, values }
    }
}

/// An owned sequence.
#[derive(Clone, Debug, PartialEq)]
pub struct Seq<T> {
    pub start: i64,
    pub values: Vec<T>,
}

impl<T> Seq<T> {
    pub fn new(start: i64, values: Vec<T>) -> Self {
        Seq { start, values }
    }

    pub fn as_ref(&self) -> SeqRef<'_, T> {
        SeqRef::new(self.start, &self.values)
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn get(&self, n: i64) -> Option<&T> {
        self.as_ref().get(n)
    }
}

/// A convolution or correlation result.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvOutput<T> {
    pub seq: Seq<T>,
    /// Set when the result has no samples, saying why.
    pub empty: Option<EmptyReason>,
}

// ---------------------------------------------------------------------------
// Index bookkeeping

fn check_index(i: i128) -> Result<i64, ConvError> {
    if i.abs() > MAX_INDEX as i128 {
        Err(ConvError::IndexOutOfRange { index: i })
    } else {
        Ok(i as i64)
    }
}

/// Checks that every index of `x` stays within ±MAX_INDEX, so that sums of
/// two such indices and a length fit an i64.
fn check_seq<T>(x: SeqRef<'_, T>) -> Result<(), ConvError> {
    check_len("a sequence", x.len() as u128)?;
    check_index(x.start as i128)?;
    check_index(x.start as i128 + x.len() as i128)?;
    Ok(())
}

fn check_len(what: &str, len: u128) -> Result<(), ConvError> {
    check_len_advice(
        what,
        len,
        "use shorter sequences, or mode=valid to keep fewer samples",
    )
}

fn check_len_advice(what: &str, len: u128, advice: &'static str) -> Result<(), ConvError> {
    if len > MAX_SEQ_LEN as u128 {
        return Err(ConvError::TooLarge {
            what: what.to_string(),
            size: len,
            limit: MAX_SEQ_LEN as u128,
            advice,
        });
    }
    Ok(())
}

/// The size check of a generic (exact or symbolic) result.
pub(crate) fn check_exact_output(what: String, size: u128) -> Result<(), ConvError> {
    if size > MAX_EXACT_OUTPUT as u128 {
        return Err(ConvError::TooLarge {
            what,
            size,
            limit: MAX_EXACT_OUTPUT as u128,
            advice: "convert to floating point for large results, or use smaller inputs",
        });
    }
    Ok(())
}

fn check_work(work: u128) -> Result<(), ConvError> {
    if work > MAX_DIRECT_WORK {
        return Err(ConvError::TooMuchWork {
            work,
            limit: MAX_DIRECT_WORK,
        });
    }
    Ok(())
}

/// The part of the full result a mode keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    /// Index of the full result's first sample.
    pub full_start: i64,
    /// Index of the first kept sample.
    pub start: i64,
    /// Kept samples start this far into the full result.
    pub offset: usize,
    pub len: usize,
    pub empty: Option<EmptyReason>,
}

impl Window {
    /// The window of `conv(x, k)` for an input of `lx` samples from `x_start`
    /// and a kernel of `lk` samples from `k_start` (indices already checked).
    pub(crate) fn new(x_start: i64, lx: usize, k_start: i64, lk: usize, mode: Mode) -> Window {
        let full_start = x_start + k_start;
        let empty = |offset: usize, reason| Window {
            full_start,
            start: full_start + offset as i64,
            offset,
            len: 0,
            empty: Some(reason),
        };
        if lx == 0 || lk == 0 {
            // Where the first sample would be, had there been one.
            let offset = match mode {
                Mode::Full => 0,
                Mode::Same => lk.saturating_sub(1) / 2,
                Mode::Valid => lk.saturating_sub(1),
            };
            return empty(offset, EmptyReason::EmptyInput);
        }
        let (offset, len) = match mode {
            Mode::Full => (0, lx + lk - 1),
            Mode::Same => ((lk - 1) / 2, lx),
            Mode::Valid if lk > lx => {
                return empty(
                    lk - 1,
                    EmptyReason::KernelLongerThanInput {
                        input: lx,
                        kernel: lk,
                    },
                )
            }
            Mode::Valid => (lk - 1, lx - lk + 1),
        };
        Window {
            full_start,
            start: full_start + offset as i64,
            offset,
            len,
            empty: None,
        }
    }

    /// Multiply-adds the direct sum over this window takes (an upper bound
    /// for `same`).
    fn work(&self, lx: usize, lk: usize) -> u128 {
        let (lx, lk, len) = (lx as u128, lk as u128, self.len as u128);
        (len * lx.min(lk)).min(lx * lk)
    }

    fn range(&self) -> Range<i64> {
        self.start..self.start + self.len as i64
    }
}

/// The start of `flip(x)`: −(start + len − 1), or −start when x is empty.
fn flip_start(start: i64, len: usize) -> i64 {
    if len == 0 {
        -start
    } else {
        -(start + len as i64 - 1)
    }
}

/// `flip(x)[n] = x[−n]`: the start becomes −(start + len − 1).
pub fn flip<T: Clone>(x: SeqRef<'_, T>) -> Result<Seq<T>, ConvError> {
    check_seq(x)?;
    Ok(Seq::new(
        flip_start(x.start, x.len()),
        x.values.iter().rev().cloned().collect(),
    ))
}

/// `shift(x, k)[n] = x[n − k]`: the start moves by k.
pub fn shift<T: Clone>(x: SeqRef<'_, T>, k: i64) -> Result<Seq<T>, ConvError> {
    let start = check_index(x.start as i128 + k as i128)?;
    check_index(start as i128 + x.len() as i128)?;
    Ok(Seq::new(start, x.values.to_vec()))
}

/// The direct full convolution `Σ_m x[m]·y[n−m]`, zero-based: the
/// reference every other path is tested against. Empty if either input is.
pub fn conv_direct<T: Ring>(x: &[T], y: &[T]) -> Vec<T> {
    if x.is_empty() || y.is_empty() {
        return Vec::new();
    }
    let mut out = vec![T::zero(); x.len() + y.len() - 1];
    for (i, xi) in x.iter().enumerate() {
        for (j, yj) in y.iter().enumerate() {
            out[i + j].add_mul(xi, yj);
        }
    }
    out
}

/// Samples `offset..offset + len` of the zero-based full convolution, each
/// summed in ascending m.
/// Polls for Ctrl-C once per sample.
fn direct_window<T: Ring>(
    x: &[T],
    y: &[T],
    offset: usize,
    len: usize,
) -> Result<Vec<T>, ConvError> {
    (offset..offset + len)
        .map(|k| {
            poll_cancel()?;
            let lo = (k + 1).saturating_sub(y.len());
            let hi = k.min(x.len() - 1);
            let mut acc = T::zero();
            for m in lo..=hi {
                acc.add_mul(&x[m], &y[k - m]);
            }
            Ok(acc)
        })
        .collect()
}

/// The kernel a correlation convolves with: `flip(y)`.
fn corr_kernel<T: Clone>(op: Op, y: SeqRef<'_, T>) -> Result<Option<Seq<T>>, ConvError> {
    match op {
        Op::Conv => Ok(None),
        Op::Corr => flip(y).map(Some),
    }
}

/// `conv(x, y)` or `corr(x, y)` in a mode, by the direct sum (exact for exact
/// types). See the module's Conventions for the modes and start indices.
///
/// Fails when the result exceeds [`MAX_SEQ_LEN`] samples or the sum
/// [`MAX_DIRECT_WORK`] multiply-adds (use [`conv_f64`] for floats).
pub fn convolve<T: Ring>(
    op: Op,
    x: SeqRef<'_, T>,
    y: SeqRef<'_, T>,
    mode: Mode,
) -> Result<ConvOutput<T>, ConvError> {
    check_seq(x)?;
    check_seq(y)?;
    let flipped = corr_kernel(op, y)?;
    let k = flipped.as_ref().map_or(y, Seq::as_ref);
    let w = Window::new(x.start, x.len(), k.start, k.len(), mode);
    if let Some(reason) = w.empty {
        return Ok(ConvOutput {
            seq: Seq::new(w.start, Vec::new()),
            empty: Some(reason),
        });
    }
    check_exact_output("the result".into(), w.len as u128)?;
    check_work(w.work(x.len(), k.len()))?;
    Ok(ConvOutput {
        seq: Seq::new(w.start, direct_window(x.values, k.values, w.offset, w.len)?),
        empty: None,
    })
}

/// `conv(x, y)[n] = Σ_m x[m]·y[n−m]` in a mode; see [`convolve`].
pub fn conv<T: Ring>(
    x: SeqRef<'_, T>,
    y: SeqRef<'_, T>,
    mode: Mode,
) -> Result<ConvOutput<T>, ConvError> {
    convolve(Op::Conv, x, y, mode)
}

/// `corr(x, y)[n] = Σ_m x[n+m]·y[m]` in a mode; equals `conv(x, flip(y))`.
pub fn corr<T: Ring>(
    x: SeqRef<'_, T>,
    y: SeqRef<'_, T>,
    mode: Mode,
) -> Result<ConvOutput<T>, ConvError> {
    convolve(Op::Corr, x, y, mode)
}

// ---------------------------------------------------------------------------
// f64 fast path

/// How [`convolve_f64`] computes the sum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// Pick by the cost model ([`choose_algorithm`]).
    Auto,
    /// The direct sum over the kept window, vectorised.
    Direct,
    /// One real FFT of the whole (zero-padded) result.
    Fft,
    /// Overlap-add: the long input in blocks, each convolved with the short
    /// one by FFTs of `fft_len` (chosen by the cost model when `None`).
    OverlapAdd { fft_len: Option<usize> },
}

/// Relative cost of one multiply-add of the vectorised direct loop.
const COST_MAC: f64 = 1.0;
/// Relative cost per `n·log2 n` of one real FFT of length n.
const COST_FFT: f64 = 1.2;
/// Largest single FFT (longer results use overlap-add).
const MAX_SINGLE_FFT: usize = 1 << 24;
/// Longest kernel piece overlap-add transforms at once; longer kernels are
/// split into pieces of this length.
const MAX_OLA_PIECE: usize = 1 << 18;
/// Largest FFT overlap-add uses.
const MAX_OLA_FFT: usize = 1 << 20;

fn fft_cost(n: usize) -> f64 {
    let n = n as f64;
    COST_FFT * n * n.log2().max(1.0)
}

/// Smallest even `2^a·3^b·5^c ≥ n`: a length the FFT handles fast.
fn next_fast_len(n: usize) -> usize {
    let n = n.max(2);
    let mut best = n.next_power_of_two();
    let mut p5 = 1usize;
    while p5 < best {
        let mut p35 = p5;
        while p35 < best {
            let mut m = p35 * 2;
            while m < n {
                m *= 2;
            }
            best = best.min(m);
            p35 *= 3;
        }
        p5 *= 5;
    }
    best
}

/// The overlap-add FFT length for a kernel piece of `m` samples and an input
/// of `l`: the power of two with the least cost per output sample.
fn ola_fft_len(l: usize, m: usize) -> usize {
    let lo = (2 * m).next_power_of_two().max(64);
    let hi = (l + m).next_power_of_two().clamp(lo, MAX_OLA_FFT.max(lo));
    let mut best = (f64::INFINITY, lo);
    let mut n = lo;
    while n <= hi {
        let blocks = l.div_ceil(n - m + 1) as f64;
        let cost = blocks * 2.0 * fft_cost(n);
        if cost < best.0 {
            best = (cost, n);
        }
        n *= 2;
    }
    best.1
}

fn ola_cost(l: usize, m: usize) -> f64 {
    let pieces = m.div_ceil(MAX_OLA_PIECE);
    let piece = m.min(MAX_OLA_PIECE);
    let n = ola_fft_len(l, piece);
    pieces as f64 * (l.div_ceil(n - piece + 1) as f64 * 2.0 + 1.0) * fft_cost(n)
}

/// The algorithm [`Algorithm::Auto`] picks for `conv` of `lx` and `ly`
/// samples in `mode`: the cheapest of the direct sum over the kept window,
/// one FFT, and overlap-add, by a simple operation-count model.
pub fn choose_algorithm(lx: usize, ly: usize, mode: Mode) -> Algorithm {
    if lx == 0 || ly == 0 {
        return Algorithm::Direct;
    }
    let w = Window::new(0, lx, 0, ly, mode);
    let direct = w.work(lx, ly) as f64 * COST_MAC;
    let full = lx + ly - 1;
    let n = next_fast_len(full);
    let fft = if n <= MAX_SINGLE_FFT {
        3.0 * fft_cost(n)
    } else {
        f64::INFINITY
    };
    let ola = ola_cost(lx.max(ly), lx.min(ly));
    if direct <= fft && direct <= ola {
        Algorithm::Direct
    } else if fft <= ola {
        Algorithm::Fft
    } else {
        Algorithm::OverlapAdd { fft_len: None }
    }
}

/// Samples `offset..offset + len` of the zero-based full convolution of
/// floats. The inner loop is an axpy over contiguous slices (no bounds
/// checks, vectorised), done for chunks of the output that stay in cache.
pub fn direct_window_f64(x: &[f64], y: &[f64], offset: usize, len: usize) -> Vec<f64> {
    const CHUNK: usize = 2048;
    let mut out = vec![0.0; len];
    if x.is_empty() || y.is_empty() {
        return out;
    }
    // The axpy runs along the longer input.
    let (x, y) = if x.len() >= y.len() { (x, y) } else { (y, x) };
    for (ci, chunk) in out.chunks_mut(CHUNK).enumerate() {
        let k0 = offset + ci * CHUNK;
        let k1 = k0 + chunk.len();
        // y[j] reaches outputs j..j + x.len().
        let j_lo = (k0 + 1).saturating_sub(x.len());
        let j_hi = k1.min(y.len());
        for (j, &yj) in y.iter().enumerate().take(j_hi).skip(j_lo) {
            let a = k0.max(j);
            let b = k1.min(j + x.len());
            let dst = &mut chunk[a - k0..b - k0];
            let src = &x[a - j..b - j];
            for (d, s) in dst.iter_mut().zip(src) {
                *d += yj * s;
            }
        }
    }
    out
}

/// A real FFT pair of one length with its buffers.
struct RealConvolver {
    n: usize,
    r2c: Arc<dyn RealToComplex<f64>>,
    c2r: Arc<dyn ComplexToReal<f64>>,
    time: Vec<f64>,
    freq: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
}

impl RealConvolver {
    fn new(planner: &mut RealFftPlanner<f64>, n: usize) -> Self {
        let r2c = planner.plan_fft_forward(n);
        let c2r = planner.plan_fft_inverse(n);
        let scratch_len = r2c.get_scratch_len().max(c2r.get_scratch_len());
        RealConvolver {
            n,
            time: vec![0.0; n],
            freq: vec![Complex::new(0.0, 0.0); n / 2 + 1],
            scratch: vec![Complex::new(0.0, 0.0); scratch_len],
            r2c,
            c2r,
        }
    }

    /// The spectrum of `x` zero-padded to n.
    fn spectrum(&mut self, x: &[f64]) -> Vec<Complex<f64>> {
        self.load(x);
        self.freq.clone()
    }

    fn load(&mut self, x: &[f64]) {
        self.time[..x.len()].copy_from_slice(x);
        self.time[x.len()..].iter_mut().for_each(|v| *v = 0.0);
        self.r2c
            .process_with_scratch(&mut self.time, &mut self.freq, &mut self.scratch)
            .expect("buffers sized by the plan");
    }

    /// `x ⊛ h` (circular, length n; `h_spec` the spectrum of h), whose
    /// samples `skip..skip + out.len()` are added to `out`.
    fn convolve_add(&mut self, x: &[f64], h_spec: &[Complex<f64>], skip: usize, out: &mut [f64]) {
        self.load(x);
        for (f, h) in self.freq.iter_mut().zip(h_spec) {
            *f *= h;
        }
        // The product of two real spectra is real at 0 and n/2 up to rounding.
        self.freq[0].im = 0.0;
        if self.n.is_multiple_of(2) {
            self.freq[self.n / 2].im = 0.0;
        }
        self.c2r
            .process_with_scratch(&mut self.freq, &mut self.time, &mut self.scratch)
            .expect("buffers sized by the plan");
        let scale = 1.0 / self.n as f64;
        for (o, t) in out.iter_mut().zip(&self.time[skip..]) {
            *o += t * scale;
        }
    }
}

/// Samples `offset..offset + len` of the full convolution by one FFT.
fn fft_window(x: &[f64], y: &[f64], offset: usize, len: usize) -> Vec<f64> {
    let n = next_fast_len(x.len() + y.len() - 1);
    let mut planner = RealFftPlanner::new();
    let mut rc = RealConvolver::new(&mut planner, n);
    let ys = rc.spectrum(y);
    let mut out = vec![0.0; len];
    rc.convolve_add(x, &ys, offset, &mut out);
    out
}

/// Samples `offset..offset + len` of the full convolution by overlap-add:
/// `x` in blocks, each convolved with a piece of `h` by FFTs of length
/// `fft_len`; only the kept window is stored.
fn ola_window(x: &[f64], h: &[f64], offset: usize, len: usize, fft_len: Option<usize>) -> Vec<f64> {
    let (x, h) = if x.len() >= h.len() { (x, h) } else { (h, x) };
    let mut out = vec![0.0; len];
    let mut planner = RealFftPlanner::new();
    let window = offset..offset + len;
    for (pi, piece) in h.chunks(MAX_OLA_PIECE).enumerate() {
        let base = pi * MAX_OLA_PIECE;
        let m = piece.len();
        let n = match fft_len {
            Some(n) => n.max(m + 1).next_multiple_of(2),
            None => ola_fft_len(x.len(), m),
        };
        let block = n - m + 1;
        let mut rc = RealConvolver::new(&mut planner, n);
        let hs = rc.spectrum(piece);
        for (bi, blk) in x.chunks(block).enumerate() {
            // This block's result covers full indices lo..hi.
            let lo = base + bi * block;
            let hi = lo + blk.len() + m - 1;
            let a = lo.max(window.start);
            let b = hi.min(window.end);
            if a < b {
                rc.convolve_add(blk, &hs, a - lo, &mut out[a - offset..b - offset]);
            }
        }
    }
    out
}

/// [`convolve`] for floats with a choice of [`Algorithm`]. All paths agree
/// with the direct sum to rounding (about 1e-12 of the largest |value|).
/// Inputs with a NaN or an infinity always take the direct sum, so that the
/// non-finite value stays where it belongs.
pub fn convolve_f64(
    op: Op,
    x: SeqRef<'_, f64>,
    y: SeqRef<'_, f64>,
    mode: Mode,
    algorithm: Algorithm,
) -> Result<ConvOutput<f64>, ConvError> {
    check_seq(x)?;
    check_seq(y)?;
    let flipped = corr_kernel(op, y)?;
    let k = flipped.as_ref().map_or(y, Seq::as_ref);
    let w = Window::new(x.start, x.len(), k.start, k.len(), mode);
    if let Some(reason) = w.empty {
        return Ok(ConvOutput {
            seq: Seq::new(w.start, Vec::new()),
            empty: Some(reason),
        });
    }
    check_len("the result", w.len as u128)?;
    let finite = x.values.iter().chain(k.values).all(|v| v.is_finite());
    let algorithm = match algorithm {
        // A NaN or ∞ would spread to every sample of an FFT result.
        _ if !finite => Algorithm::Direct,
        Algorithm::Auto => choose_algorithm(x.len(), k.len(), mode),
        Algorithm::Fft if next_fast_len(x.len() + k.len() - 1) > MAX_SINGLE_FFT => {
            Algorithm::OverlapAdd { fft_len: None }
        }
        a => a,
    };
    if !finite {
        let work = w.work(x.len(), k.len());
        if work > MAX_F64_DIRECT_WORK {
            return Err(ConvError::TooSlow {
                work,
                limit: MAX_F64_DIRECT_WORK,
                reason: NON_FINITE,
            });
        }
    }
    let values = match algorithm {
        Algorithm::Direct | Algorithm::Auto => {
            direct_window_f64(x.values, k.values, w.offset, w.len)
        }
        Algorithm::Fft => fft_window(x.values, k.values, w.offset, w.len),
        Algorithm::OverlapAdd { fft_len } => {
            ola_window(x.values, k.values, w.offset, w.len, fft_len)
        }
    };
    Ok(ConvOutput {
        seq: Seq::new(w.start, values),
        empty: None,
    })
}

/// `conv(x, y)` of floats, direct or by FFT as the cost model picks.
pub fn conv_f64(
    x: SeqRef<'_, f64>,
    y: SeqRef<'_, f64>,
    mode: Mode,
) -> Result<ConvOutput<f64>, ConvError> {
    convolve_f64(Op::Conv, x, y, mode, Algorithm::Auto)
}

/// `corr(x, y)` of floats, direct or by FFT as the cost model picks.
pub fn corr_f64(
    x: SeqRef<'_, f64>,
    y: SeqRef<'_, f64>,
    mode: Mode,
) -> Result<ConvOutput<f64>, ConvError> {
    convolve_f64(Op::Corr, x, y, mode, Algorithm::Auto)
}

// ---------------------------------------------------------------------------
// Circular convolution

/// A circular convolution of period `period`, indices 0…period−1.
#[derive(Clone, Debug, PartialEq)]
pub struct Cconv<T> {
    pub period: usize,
    pub values: Vec<T>,
    /// The linear convolution `x * y` occupies indices
    /// `linear_start..linear_start + linear_len`; its samples outside
    /// `0..period` wrapped ([`Cconv::wrapped`]).
    pub linear_start: i64,
    pub linear_len: usize,
}

/// A sample of the linear convolution at `from` that landed on `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub from: i64,
    pub to: usize,
}

impl<T> Cconv<T> {
    /// The samples of the linear convolution that wrapped around, in order.
    pub fn wrapped(&self) -> impl Iterator<Item = Fold> + '_ {
        let p = self.period as i64;
        (self.linear_start..self.linear_start + self.linear_len as i64)
            .filter(move |&j| !(0..p).contains(&j))
            .map(move |j| Fold {
                from: j,
                to: j.rem_euclid(p) as usize,
            })
    }

    /// Whether any sample wrapped (circular ≠ linear convolution).
    pub fn wraps(&self) -> bool {
        self.wrapped().next().is_some()
    }
}

fn check_period(n: i64) -> Result<usize, ConvError> {
    if n < 1 {
        return Err(ConvError::BadOption {
            name: "the period",
            value: n,
            expected: "at least 1",
        });
    }
    check_len_advice(
        "the circular convolution",
        n as u128,
        "the period is the result's length: a period of len(a) + len(b) − 1 already gives the linear convolution",
    )?;
    Ok(n as usize)
}

/// `x` folded onto one period: sample m adds to index m mod n.
fn fold<T: Ring>(x: SeqRef<'_, T>, n: usize) -> Vec<T> {
    let mut out = vec![T::zero(); n];
    for (i, v) in x.values.iter().enumerate() {
        let k = (x.start + i as i64).rem_euclid(n as i64) as usize;
        out[k] = out[k].add(v);
    }
    out
}

fn cconv_frame<T>(x: SeqRef<'_, T>, y: SeqRef<'_, T>, n: usize, values: Vec<T>) -> Cconv<T> {
    let linear_len = if x.is_empty() || y.is_empty() {
        0
    } else {
        x.len() + y.len() - 1
    };
    Cconv {
        period: n,
        values,
        linear_start: x.start + y.start,
        linear_len,
    }
}

/// Circular convolution of period `n` by the direct sum (exact for exact
/// types): the inputs are folded onto one period (inputs longer than `n`
/// wrap around), then `out[k] = Σ_m x̃[m]·ỹ[(k−m) mod n]`.
pub fn cconv<T: Ring>(x: SeqRef<'_, T>, y: SeqRef<'_, T>, n: i64) -> Result<Cconv<T>, ConvError> {
    check_seq(x)?;
    check_seq(y)?;
    let n = check_period(n)?;
    check_exact_output("the circular convolution".into(), n as u128)?;
    check_work((n as u128).pow(2).min(x.len() as u128 * y.len() as u128))?;
    let values = if (x.len() as u128) * (y.len() as u128) < (n as u128).pow(2) {
        // Linear convolution, then wrap it.
        let mut out = vec![T::zero(); n];
        let start = x.start + y.start;
        let lin = if x.is_empty() || y.is_empty() {
            Vec::new()
        } else {
            direct_window(x.values, y.values, 0, x.len() + y.len() - 1)?
        };
        for (i, v) in lin.into_iter().enumerate() {
            let k = (start + i as i64).rem_euclid(n as i64) as usize;
            out[k] = out[k].add(&v);
        }
        out
    } else {
        let (xf, yf) = (fold(x, n), fold(y, n));
        (0..n)
            .map(|k| {
                poll_cancel()?;
                let mut acc = T::zero();
                for (m, xm) in xf.iter().enumerate() {
                    acc.add_mul(xm, &yf[(k + n - m) % n]);
                }
                Ok::<_, ConvError>(acc)
            })
            .collect::<Result<_, _>>()?
    };
    Ok(cconv_frame(x, y, n, values))
}

/// [`cconv`] for floats, by FFT when that is cheaper.
pub fn cconv_f64(x: SeqRef<'_, f64>, y: SeqRef<'_, f64>, n: i64) -> Result<Cconv<f64>, ConvError> {
    check_seq(x)?;
    check_seq(y)?;
    let n = check_period(n)?;
    let (xf, yf) = (fold(x, n), fold(y, n));
    let lin = convolve_f64(
        Op::Conv,
        SeqRef::new(0, &xf),
        SeqRef::new(0, &yf),
        Mode::Full,
        Algorithm::Auto,
    )?;
    let mut values = vec![0.0; n];
    for (i, v) in lin.seq.values.iter().enumerate() {
        values[i % n] += v;
    }
    Ok(cconv_frame(x, y, n, values))
}

/// `steps cconv(x, y, n)`: for each k, the terms `x[m]·y[p]` with
/// `m + p ≡ k (mod n)`, marking those that wrapped. `rows` limits the k
/// built.
pub fn cconv_steps<T: Ring>(
    x: SeqRef<'_, T>,
    y: SeqRef<'_, T>,
    n: i64,
    rows: Option<Range<usize>>,
) -> Result<CconvSteps<T>, ConvError> {
    check_seq(x)?;
    check_seq(y)?;
    let n = check_period(n)?;
    let ks = clip_usize(rows, n);
    check_rows(ks.len() as u128)?;
    // Sample s of the linear convolution has min(s + 1, lx, ly, lx + ly − 1 − s) terms.
    let full_start = x.start + y.start;
    let linear_len = if x.is_empty() || y.is_empty() {
        0
    } else {
        x.len() + y.len() - 1
    };
    let terms: u128 = (0..linear_len)
        .filter(|&s| ks.contains(&((full_start + s as i64).rem_euclid(n as i64) as usize)))
        .map(|s| (s + 1).min(x.len()).min(y.len()).min(linear_len - s) as u128)
        .sum();
    check_terms(terms)?;
    let mut rows: Vec<CconvRow<T>> = ks
        .clone()
        .map(|k| CconvRow {
            k,
            terms: Vec::new(),
            value: T::zero(),
        })
        .collect();
    // In ascending m + p, then m.
    for s in 0..linear_len {
        let lin = full_start + s as i64;
        let k = lin.rem_euclid(n as i64) as usize;
        if !ks.contains(&k) {
            continue;
        }
        poll_cancel()?;
        let row = &mut rows[k - ks.start];
        let lo = (s + 1).saturating_sub(y.len());
        for i in lo..=s.min(x.len() - 1) {
            let (xv, yv) = (&x.values[i], &y.values[s - i]);
            let product = xv.mul(yv);
            row.value = row.value.add(&product);
            row.terms.push(CconvTerm {
                m: x.start + i as i64,
                p: y.start + (s - i) as i64,
                x: xv.clone(),
                y: yv.clone(),
                product,
                wrapped: !(0..n as i64).contains(&lin),
            });
        }
    }
    Ok(CconvSteps { period: n, rows })
}

// ---------------------------------------------------------------------------
// DFT

/// Largest length the O(N²) direct DFT is used for.
const DFT_DIRECT_MAX: usize = 64;

fn check_dft_len(len: usize, n: i64) -> Result<usize, ConvError> {
    if n < 1 {
        return Err(ConvError::BadOption {
            name: "the DFT length",
            value: n,
            expected: "at least 1",
        });
    }
    check_len_advice(
        "the DFT",
        n as u128,
        "the DFT has as many bins as its length: ask for fewer, e.g. dft(a, 64)",
    )?;
    if (n as usize) < len {
        return Err(ConvError::ShapeMismatch(format!(
            "a DFT of length {n} cannot hold the {len} samples of its input (they would be dropped); \
             use a length of at least {len}, or cconv for a period shorter than the input"
        )));
    }
    Ok(n as usize)
}

/// The direct O(N²) DFT of `x` zero-padded to `n` (`inverse`: the +i sign
/// and the 1/N), with exact twiddle indices `(k·j) mod n`: the reference.
pub fn dft_direct(x: &[Complex<f64>], n: usize, inverse: bool) -> Vec<Complex<f64>> {
    let sign = if inverse { 1.0 } else { -1.0 };
    let twiddles: Vec<Complex<f64>> = (0..n)
        .map(|t| Complex::from_polar(1.0, sign * 2.0 * std::f64::consts::PI * t as f64 / n as f64))
        .collect();
    let scale = if inverse { 1.0 / n as f64 } else { 1.0 };
    (0..n)
        .map(|k| {
            let mut acc = Complex::new(0.0, 0.0);
            for (j, v) in x.iter().enumerate().take(n) {
                acc += v * twiddles[(k * j) % n];
            }
            acc * scale
        })
        .collect()
}

fn dft_impl(x: &[Complex<f64>], n: i64, inverse: bool) -> Result<Vec<Complex<f64>>, ConvError> {
    let n = check_dft_len(x.len(), n)?;
    if n <= DFT_DIRECT_MAX {
        return Ok(dft_direct(x, n, inverse));
    }
    let mut buf = x.to_vec();
    buf.resize(n, Complex::new(0.0, 0.0));
    let mut planner = rustfft::FftPlanner::new();
    let fft = if inverse {
        planner.plan_fft_inverse(n)
    } else {
        planner.plan_fft_forward(n)
    };
    fft.process(&mut buf);
    if inverse {
        let scale = 1.0 / n as f64;
        buf.iter_mut().for_each(|v| *v *= scale);
    }
    Ok(buf)
}

/// `X[k] = Σ_{n=0}^{N−1} x[n]·e^{−2πikn/N}` of `x` zero-padded to `n`
/// (numpy.fft.fft's convention). `n` must hold the whole input.
pub fn dft(x: &[Complex<f64>], n: i64) -> Result<Vec<Complex<f64>>, ConvError> {
    dft_impl(x, n, false)
}

/// `x[n] = (1/N)·Σ_k X[k]·e^{+2πikn/N}` (numpy.fft.ifft), the inverse of [`dft`].
pub fn idft(x: &[Complex<f64>], n: i64) -> Result<Vec<Complex<f64>>, ConvError> {
    dft_impl(x, n, true)
}

// ---------------------------------------------------------------------------
// Step tables

fn check_rows(rows: u128) -> Result<(), ConvError> {
    if rows > MAX_STEP_ROWS as u128 {
        return Err(ConvError::TooManyRows {
            rows,
            limit: MAX_STEP_ROWS,
        });
    }
    Ok(())
}

fn check_terms(terms: u128) -> Result<(), ConvError> {
    if terms > MAX_STEP_TERMS as u128 {
        return Err(ConvError::TooManyTerms {
            terms,
            limit: MAX_STEP_TERMS,
        });
    }
    Ok(())
}

/// `range` (or everything) clipped to `0..n`.
pub(crate) fn clip_usize(range: Option<Range<usize>>, n: usize) -> Range<usize> {
    match range {
        Some(r) => r.start.min(n)..r.end.min(n).max(r.start.min(n)),
        None => 0..n,
    }
}

/// The m range of row n's terms: the kernel's footprint, clipped to the
/// input's support unless `zeros`. For conv m indexes x (y index n−m); for
/// corr m indexes y (x index n+m).
fn term_range<T>(op: Op, x: SeqRef<'_, T>, y: SeqRef<'_, T>, n: i64, zeros: bool) -> Range<i64> {
    let (xs, xe) = (x.start, x.start + x.len() as i64);
    let (ys, ye) = (y.start, y.start + y.len() as i64);
    let (lo, hi) = match op {
        // y[n − m] present ⇔ n − ye < m ≤ n − ys
        Op::Conv if zeros => (n - ye + 1, n - ys + 1),
        Op::Conv => ((n - ye + 1).max(xs), (n - ys + 1).min(xe)),
        Op::Corr if zeros => (ys, ye),
        // x[n + m] present ⇔ xs − n ≤ m < xe − n
        Op::Corr => (ys.max(xs - n), ye.min(xe - n)),
    };
    lo..hi.max(lo)
}

/// `steps conv(x, y)` / `steps corr(x, y)`: one row per output index n of
/// the mode's window (or of `rows ∩ window`), with its terms in ascending m.
///
/// For conv the term is `x[m]·y[n−m]`, for corr `x[n+m]·y[m]`. Without
/// `zeros` a row lists the terms whose factors both lie inside their
/// supports; with `zeros` every position the kernel covers, the input
/// zero-padded (`padded` marks those), as a hand computation does.
/// Checks [`MAX_STEP_ROWS`] and [`MAX_STEP_TERMS`] before building.
pub fn steps_1d<T: Ring>(
    op: Op,
    x: SeqRef<'_, T>,
    y: SeqRef<'_, T>,
    mode: Mode,
    zeros: bool,
    rows: Option<Range<i64>>,
) -> Result<Steps1d<T>, ConvError> {
    check_seq(x)?;
    check_seq(y)?;
    let k_start = match op {
        Op::Conv => y.start,
        Op::Corr => flip_start(y.start, y.len()),
    };
    let w = Window::new(x.start, x.len(), k_start, y.len(), mode);
    let all = w.range();
    let ns = match rows {
        Some(r) => r.start.clamp(all.start, all.end)..r.end.clamp(all.start, all.end),
        None => all,
    };
    let ns = ns.start..ns.end.max(ns.start);
    check_rows((ns.end - ns.start) as u128)?;
    let terms: u128 = ns
        .clone()
        .map(|n| {
            let r = term_range(op, x, y, n, zeros);
            (r.end - r.start) as u128
        })
        .sum();
    check_terms(terms)?;
    let rows = ns
        .map(|n| {
            poll_cancel()?;
            let mut value = T::zero();
            let terms = term_range(op, x, y, n, zeros)
                .map(|m| {
                    let (xi, yi) = match op {
                        Op::Conv => (m, n - m),
                        Op::Corr => (n + m, m),
                    };
                    let yv = y.get(yi).cloned().unwrap_or_else(T::zero);
                    let (xv, padded) = match x.get(xi) {
                        Some(v) => (v.clone(), false),
                        None => (T::zero(), true),
                    };
                    let product = xv.mul(&yv);
                    value = value.add(&product);
                    Term1d {
                        m,
                        x: xv,
                        y: yv,
                        product,
                        padded,
                    }
                })
                .collect();
            Ok::<_, ConvError>(Row1d { n, terms, value })
        })
        .collect::<Result<_, _>>()?;
    Ok(Steps1d {
        op,
        mode,
        zeros,
        start: w.start,
        len: w.len,
        rows,
        empty: w.empty,
    })
}

/// `steps conv(x, y) at n`: the input row `x[m]`, the kernel flipped and
/// shifted to n under it (for corr: shifted, not flipped), their products
/// and the sum, over the input's support joined with the kernel's footprint.
pub fn sliding_1d<T: Ring>(
    op: Op,
    x: SeqRef<'_, T>,
    y: SeqRef<'_, T>,
    n: i64,
) -> Result<Sliding1d<T>, ConvError> {
    check_seq(x)?;
    check_seq(y)?;
    check_index(n as i128)?;
    // The kernel's footprint in input indices.
    let (fs, fe) = match op {
        Op::Conv => (n - (y.start + y.len() as i64 - 1), n - y.start + 1),
        Op::Corr => (n + y.start, n + y.start + y.len() as i64),
    };
    let (xs, xe) = (x.start, x.start + x.len() as i64);
    let (lo, hi) = match (x.is_empty(), y.is_empty()) {
        (true, true) => (n, n),
        (true, false) => (fs, fe),
        (false, true) => (xs, xe),
        (false, false) => (xs.min(fs), xe.max(fe)),
    };
    if (hi - lo) as u128 > MAX_STEP_ROWS as u128 {
        return Err(ConvError::TooWideView {
            n,
            columns: (hi - lo) as u128,
            lo,
            hi: hi - 1,
            limit: MAX_STEP_ROWS,
        });
    }
    let mut value = T::zero();
    let (mut xr, mut kr, mut pr) = (Vec::new(), Vec::new(), Vec::new());
    for m in lo..hi {
        let xv = x.get(m).cloned();
        let kv = match op {
            Op::Conv => y.get(n - m),
            Op::Corr => y.get(m - n),
        }
        .cloned();
        let p = match (&xv, &kv) {
            (Some(a), Some(b)) => {
                let p = a.mul(b);
                value = value.add(&p);
                Some(p)
            }
            _ => None,
        };
        xr.push(xv);
        kr.push(kv);
        pr.push(p);
    }
    Ok(Sliding1d {
        op,
        n,
        m_first: lo,
        x: xr,
        kernel: kr,
        products: pr,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::number::{NumFmt, Number};
    use crate::value::scalar::Scalar;
    use num_bigint::BigInt;
    use num_rational::BigRational;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    fn q(v: i64) -> BigRational {
        BigRational::from_integer(BigInt::from(v))
    }

    fn qs(v: &[i64]) -> Vec<BigRational> {
        v.iter().map(|&i| q(i)).collect()
    }

    fn dec(text: &str) -> Scalar {
        Scalar::Num(Number::parse_literal(text).expect("a literal"))
    }

    fn decs(v: &[&str]) -> Vec<Scalar> {
        v.iter().map(|t| dec(t)).collect()
    }

    fn fmt(s: &Scalar) -> String {
        s.format(&NumFmt::default())
    }

    #[track_caller]
    fn assert_scalars(got: &[Scalar], want: &[&str]) {
        let got: Vec<String> = got.iter().map(fmt).collect();
        assert_eq!(got, want);
    }

    #[track_caller]
    fn assert_seq(out: &ConvOutput<BigRational>, start: i64, values: &[i64]) {
        assert_eq!(out.seq.start, start, "start index");
        assert_eq!(out.seq.values, qs(values));
        assert_eq!(out.empty, None);
    }

    #[track_caller]
    fn assert_close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len(), "lengths");
        let scale = want
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()))
            .max(f64::MIN_POSITIVE);
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                (g - w).abs() <= 1e-12 * scale,
                "sample {i}: {g} vs {w} (scale {scale})"
            );
        }
    }

    fn config(cases: u32) -> Config {
        Config {
            cases,
            rng_seed: RngSeed::Fixed(0x00c0_4f01),
            failure_persistence: None,
            ..Config::default()
        }
    }

    // --- the worked c[n] example: a = [1, 0.5, 1, 1], b = [1, 0.5, 0.25] -----

    #[test]
    fn spec_example_values_are_exact() {
        let a = decs(&["1", "0.5", "1", "1"]);
        let b = decs(&["1", "0.5", "0.25"]);
        let c = conv(SeqRef::new(0, &a), SeqRef::new(0, &b), Mode::Full).unwrap();
        assert_eq!(c.seq.start, 0);
        assert_scalars(&c.seq.values, &["1", "1", "1.5", "1.625", "0.75", "0.25"]);
        assert!(c.seq.values[3].scalar_eq(&Scalar::Num(Number::ratio(13, 8))));
    }

    #[test]
    fn symbols_stay_symbolic() {
        let x: Vec<Scalar> = ["a", "b"].iter().map(|s| Scalar::symbol(s)).collect();
        let y: Vec<Scalar> = ["c", "d"].iter().map(|s| Scalar::symbol(s)).collect();
        let c = conv(SeqRef::new(0, &x), SeqRef::new(0, &y), Mode::Full).unwrap();
        assert_scalars(&c.seq.values, &["a·c", "a·d + b·c", "b·d"]);
        let r = corr(SeqRef::new(0, &x), SeqRef::new(0, &y), Mode::Full).unwrap();
        assert_eq!(r.seq.start, -1);
        assert_scalars(&r.seq.values, &["a·d", "a·c + b·d", "b·c"]);
    }

    #[test]
    fn spec_example_steps() {
        let a = decs(&["1", "0.5", "1", "1"]);
        let b = decs(&["1", "0.5", "0.25"]);
        let (a, b) = (SeqRef::new(0, &a[..]), SeqRef::new(0, &b[..]));
        let s = steps_1d(Op::Conv, a, b, Mode::Full, false, None).unwrap();
        assert_eq!((s.start, s.len, s.rows.len()), (0, 6, 6));
        // c[3] = 0.5·0.25 + 1·0.5 + 1·1 = 1.625
        let row = &s.rows[3];
        assert_eq!(row.n, 3);
        let terms: Vec<(i64, String, String)> = row
            .terms
            .iter()
            .map(|t| (t.m, fmt(&t.x), fmt(&t.y)))
            .collect();
        assert_eq!(
            terms,
            [
                (1, "0.5".into(), "0.25".into()),
                (2, "1".into(), "0.5".into()),
                (3, "1".into(), "1".into())
            ]
        );
        assert_eq!(fmt(&row.value), "1.625");
        assert_eq!(row.terms[0].indices(Op::Conv, 3), (1, 2));
        let values: Vec<Scalar> = s.rows.iter().map(|r| r.value.clone()).collect();
        assert_scalars(&values, &["1", "1", "1.5", "1.625", "0.75", "0.25"]);

        // zeros=on, row 0: 0·0.25 + 0·0.5 + 1·1
        let z = steps_1d(Op::Conv, a, b, Mode::Full, true, Some(0..1)).unwrap();
        assert_eq!(z.rows.len(), 1);
        let t = &z.rows[0].terms;
        let shown: Vec<(i64, String, String, bool)> = t
            .iter()
            .map(|t| (t.m, fmt(&t.x), fmt(&t.y), t.padded))
            .collect();
        assert_eq!(
            shown,
            [
                (-2, "0".into(), "0.25".into(), true),
                (-1, "0".into(), "0.5".into(), true),
                (0, "1".into(), "1".into(), false)
            ]
        );
        assert_eq!(fmt(&z.rows[0].value), "1");
    }

    #[test]
    fn spec_example_sliding_view() {
        let a = decs(&["1", "0.5", "1", "1"]);
        let b = decs(&["1", "0.5", "0.25"]);
        let s = sliding_1d(Op::Conv, SeqRef::new(0, &a), SeqRef::new(0, &b), 3).unwrap();
        assert_eq!(s.m_first, 0);
        let opt = |v: &[Option<Scalar>]| -> Vec<String> {
            v.iter()
                .map(|o| o.as_ref().map_or("-".into(), fmt))
                .collect()
        };
        assert_eq!(opt(&s.x), ["1", "0.5", "1", "1"]);
        assert_eq!(opt(&s.kernel), ["-", "0.25", "0.5", "1"]);
        assert_eq!(opt(&s.products), ["-", "0.125", "0.5", "1"]);
        assert_eq!(s.kernel_index(1), 2);
        assert_eq!(fmt(&s.value), "1.625");
        // Far to the left: the kernel hangs off the input.
        let s = sliding_1d(Op::Conv, SeqRef::new(0, &a), SeqRef::new(0, &b), -1).unwrap();
        assert_eq!((s.m_first, s.x.len()), (-3, 7));
        assert_eq!(opt(&s.products), ["-", "-", "-", "-", "-", "-", "-"]);
        assert_eq!(fmt(&s.value), "0");
    }

    #[test]
    fn sliding_corr_does_not_flip() {
        let x = qs(&[1, 2, 3]);
        let y = qs(&[10, 20]);
        let s = sliding_1d(Op::Corr, SeqRef::new(0, &x), SeqRef::new(0, &y), 1).unwrap();
        // corr[1] = x[1]·y[0] + x[2]·y[1]
        assert_eq!(s.m_first, 0);
        assert_eq!(s.kernel, vec![None, Some(q(10)), Some(q(20))]);
        assert_eq!(s.value, q(2 * 10 + 3 * 20));
        assert_eq!(s.kernel_index(2), 1);
    }

    // --- reference values --------------------------------------------------

    /// x = [3, -1, 2, 5, -4, 1, 0, 2] from -1; `y` from `y_start`.
    /// Values: `scipy.signal.convolve(x, y, mode)` and
    /// `scipy.signal.correlate(x, y, mode)` (scipy 1.17.1). scipy has no
    /// start index: the starts follow the index origin of the module doc.
    #[test]
    fn reference_1d_modes_odd_and_even_kernels() {
        let x = qs(&[3, -1, 2, 5, -4, 1, 0, 2]);
        let x = SeqRef::new(-1, &x);
        type Case = (Op, Mode, i64, &'static [i64]);
        // y = [1, -2, 3] from 2; flip(y) starts at -4.
        let odd: [Case; 6] = [
            (
                Op::Conv,
                Mode::Full,
                1,
                &[3, -7, 13, -2, -8, 24, -14, 5, -4, 6],
            ),
            (Op::Conv, Mode::Same, 2, &[-7, 13, -2, -8, 24, -14, 5, -4]),
            (Op::Conv, Mode::Valid, 3, &[13, -2, -8, 24, -14, 5]),
            (
                Op::Corr,
                Mode::Full,
                -5,
                &[9, -9, 11, 10, -20, 16, -6, 7, -4, 2],
            ),
            (Op::Corr, Mode::Same, -4, &[-9, 11, 10, -20, 16, -6, 7, -4]),
            (Op::Corr, Mode::Valid, -3, &[11, 10, -20, 16, -6, 7]),
        ];
        // y = [2, 1, -1, 4] from 0; flip(y) starts at -3.
        let even: [Case; 6] = [
            (
                Op::Conv,
                Mode::Full,
                -1,
                &[6, 1, 0, 25, -9, 1, 25, -13, 6, -2, 8],
            ),
            (Op::Conv, Mode::Same, 0, &[1, 0, 25, -9, 1, 25, -13, 6]),
            (Op::Conv, Mode::Valid, 2, &[25, -9, 1, 25, -13]),
            (
                Op::Corr,
                Mode::Full,
                -4,
                &[12, -7, 12, 23, -21, 17, 5, 1, 0, 2, 4],
            ),
            (Op::Corr, Mode::Same, -3, &[-7, 12, 23, -21, 17, 5, 1, 0]),
            (Op::Corr, Mode::Valid, -1, &[23, -21, 17, 5, 1]),
        ];
        let y_odd = qs(&[1, -2, 3]);
        let y_even = qs(&[2, 1, -1, 4]);
        for (y, cases) in [
            (SeqRef::new(2, &y_odd[..]), odd),
            (SeqRef::new(0, &y_even[..]), even),
        ] {
            for (op, mode, start, want) in cases {
                let got = convolve(op, x, y, mode).unwrap();
                assert_seq(&got, start, want);
                let xf: Vec<f64> = x
                    .values
                    .iter()
                    .map(crate::value::number::rational_to_f64)
                    .collect();
                let yf: Vec<f64> = y
                    .values
                    .iter()
                    .map(crate::value::number::rational_to_f64)
                    .collect();
                for alg in [
                    Algorithm::Direct,
                    Algorithm::Fft,
                    Algorithm::OverlapAdd { fft_len: Some(8) },
                ] {
                    let f = convolve_f64(
                        op,
                        SeqRef::new(x.start, &xf),
                        SeqRef::new(y.start, &yf),
                        mode,
                        alg,
                    )
                    .unwrap();
                    assert_eq!(f.seq.start, start);
                    let want: Vec<f64> = want.iter().map(|&v| v as f64).collect();
                    assert_close(&f.seq.values, &want);
                }
            }
        }
    }

    /// `numpy.correlate(x, y, 'full')` for zero-origin x, y; starts at −(len(y)−1).
    #[test]
    fn corr_full_matches_numpy_correlate() {
        let x = qs(&[3, -1, 2, 5, -4, 1, 0, 2]);
        let y = qs(&[2, 1, -1, 4]);
        let c = corr(SeqRef::new(0, &x), SeqRef::new(0, &y), Mode::Full).unwrap();
        assert_seq(&c, -3, &[12, -7, 12, 23, -21, 17, 5, 1, 0, 2, 4]);
    }

    /// Kernel longer than the input. `scipy.signal.convolve([1, 2], [1, 10, 100, 1000, 10000], 'same')`
    /// = [120, 1200]; `scipy.signal.correlate(…, 'same')` = [2100, 210].
    #[test]
    fn kernel_longer_than_input() {
        let x = qs(&[1, 2]);
        let y = qs(&[1, 10, 100, 1000, 10000]);
        let (x, y) = (SeqRef::new(0, &x[..]), SeqRef::new(0, &y[..]));
        assert_seq(&conv(x, y, Mode::Same).unwrap(), 2, &[120, 1200]);
        assert_seq(&corr(x, y, Mode::Same).unwrap(), -2, &[2100, 210]);
        let v = conv(x, y, Mode::Valid).unwrap();
        assert!(v.seq.is_empty());
        assert_eq!(
            v.empty,
            Some(EmptyReason::KernelLongerThanInput {
                input: 2,
                kernel: 5
            })
        );
        assert!(v
            .empty
            .unwrap()
            .to_string()
            .contains("no position where it fits wholly"));
        // Not swapped: valid of the other order has 4 samples.
        assert_eq!(conv(y, x, Mode::Valid).unwrap().seq.len(), 4);
        let s = steps_1d(Op::Conv, x, y, Mode::Valid, true, None).unwrap();
        assert!(s.rows.is_empty());
        assert!(s.empty.is_some());
    }

    #[test]
    fn empty_inputs_give_empty_results() {
        let x = qs(&[1, 2]);
        let e: Vec<BigRational> = Vec::new();
        for mode in [Mode::Full, Mode::Same, Mode::Valid] {
            let c = conv(SeqRef::new(0, &x), SeqRef::new(3, &e), mode).unwrap();
            assert_eq!(c.empty, Some(EmptyReason::EmptyInput));
            assert!(c.seq.is_empty());
            let f = conv_f64(SeqRef::new(0, &[1.0][..]), SeqRef::new(0, &[][..]), mode).unwrap();
            assert!(f.seq.is_empty());
        }
        assert!(conv_direct::<f64>(&[], &[1.0]).is_empty());
    }

    #[test]
    fn flip_and_shift_move_the_start() {
        let x = qs(&[1, 2, 3]);
        let f = flip(SeqRef::new(2, &x)).unwrap();
        assert_eq!((f.start, f.values), (-4, qs(&[3, 2, 1])));
        let s = shift(SeqRef::new(2, &x), -5).unwrap();
        assert_eq!((s.start, s.values), (-3, qs(&[1, 2, 3])));
        assert!(matches!(
            shift(SeqRef::new(0, &x), i64::MAX),
            Err(ConvError::IndexOutOfRange { .. })
        ));
        assert!(matches!(
            flip(SeqRef::new(i64::MIN, &x)),
            Err(ConvError::IndexOutOfRange { .. })
        ));
    }

    #[test]
    fn huge_start_is_an_error_not_an_overflow() {
        let x = qs(&[1, 2]);
        let r = conv(
            SeqRef::new(i64::MAX - 1, &x),
            SeqRef::new(i64::MAX - 1, &x),
            Mode::Full,
        );
        assert!(matches!(r, Err(ConvError::IndexOutOfRange { .. })));
    }

    #[test]
    fn exact_work_limit_is_checked_before_computing() {
        let x = vec![q(0); 20_000];
        let y = vec![q(0); 19_990];
        let err = conv(SeqRef::new(0, &x), SeqRef::new(0, &y), Mode::Full).unwrap_err();
        assert_eq!(
            err,
            ConvError::TooMuchWork {
                work: 20_000 * 19_990,
                limit: MAX_DIRECT_WORK
            }
        );
        assert!(err.to_string().contains("floating point"));
        // Valid mode of the same inputs keeps 11 samples: within the limit.
        let v = conv(SeqRef::new(0, &x), SeqRef::new(0, &y), Mode::Valid).unwrap();
        assert_eq!(v.seq.len(), 11);
    }

    #[test]
    fn non_finite_values_stay_local() {
        let mut x = vec![1.0; 5000];
        x[10] = f64::NAN;
        x[20] = f64::INFINITY;
        let y = vec![1.0; 500];
        let c = conv_f64(SeqRef::new(0, &x), SeqRef::new(0, &y), Mode::Full).unwrap();
        assert!(c.seq.values[9].is_finite() && c.seq.values[10].is_nan());
        assert_eq!(c.seq.values[600], 500.0);
        // Too long for the direct sum, and no FFT: an error, not a hang.
        let long = vec![f64::NAN; 200_000];
        let err = conv_f64(SeqRef::new(0, &long), SeqRef::new(0, &long), Mode::Full).unwrap_err();
        assert!(err.to_string().contains("NaN"), "{err}");
    }

    #[test]
    fn exact_output_limit() {
        let x = [q(1)];
        let err = cconv(SeqRef::new(0, &x), SeqRef::new(0, &x), 50_000_000).unwrap_err();
        assert!(
            matches!(err, ConvError::TooLarge { limit, .. } if limit == MAX_EXACT_OUTPUT as u128)
        );
        assert!(err.to_string().contains("floating point"), "{err}");
        let c = cconv_f64(SeqRef::new(0, &[1.0]), SeqRef::new(0, &[2.0]), 1_000_000).unwrap();
        assert_eq!((c.values.len(), c.values[0]), (1_000_000, 2.0));
    }

    #[test]
    fn cost_model_choices() {
        assert_eq!(choose_algorithm(10, 3, Mode::Full), Algorithm::Direct);
        assert_eq!(
            choose_algorithm(1_000_000, 5, Mode::Same),
            Algorithm::Direct
        );
        assert_eq!(
            choose_algorithm(1_000_000, 1000, Mode::Full),
            Algorithm::OverlapAdd { fft_len: None }
        );
        assert_eq!(
            choose_algorithm(100_000, 100_000, Mode::Full),
            Algorithm::Fft
        );
        // Valid of nearly equal lengths keeps few samples: direct.
        assert_eq!(
            choose_algorithm(100_000, 99_990, Mode::Valid),
            Algorithm::Direct
        );
    }

    #[test]
    fn next_fast_len_is_even_and_smooth() {
        for n in 1..2000 {
            let m = next_fast_len(n);
            assert!(m >= n && m.is_multiple_of(2), "{n} → {m}");
            let mut r = m;
            for p in [2, 3, 5] {
                while r.is_multiple_of(p) {
                    r /= p;
                }
            }
            assert_eq!(r, 1, "{n} → {m}");
        }
        assert_eq!(next_fast_len(1000), 1000);
        assert_eq!(next_fast_len(1025), 1080);
    }

    #[test]
    fn long_times_short_uses_overlap_add_and_matches_direct() {
        // Deterministic values (a linear congruential sequence).
        let mut s = 12345u64;
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        };
        let x: Vec<f64> = (0..60_000).map(|_| next()).collect();
        let y: Vec<f64> = (0..300).map(|_| next()).collect();
        assert_eq!(
            choose_algorithm(x.len(), y.len(), Mode::Full),
            Algorithm::OverlapAdd { fft_len: None }
        );
        let reference = conv_direct(&x, &y);
        for mode in [Mode::Full, Mode::Same, Mode::Valid] {
            let w = Window::new(0, x.len(), 0, y.len(), mode);
            let fast = conv_f64(SeqRef::new(0, &x), SeqRef::new(0, &y), mode).unwrap();
            assert_close(&fast.seq.values, &reference[w.offset..w.offset + w.len]);
            let d = convolve_f64(
                Op::Conv,
                SeqRef::new(0, &x),
                SeqRef::new(0, &y),
                mode,
                Algorithm::Direct,
            )
            .unwrap();
            assert_close(&d.seq.values, &reference[w.offset..w.offset + w.len]);
        }
    }

    // --- circular convolution and the DFT -----------------------------------

    /// x = [1..6], y = [1, -1, 2]: `np.real(np.fft.ifft(np.fft.fft(x, 8)*np.fft.fft(y, 8)))`
    /// = [1, 1, 3, 5, 7, 9, 4, 12] (no wrap); period 4 folds `np.convolve(x, y)[k::4].sum()`
    /// = [8, 10, 7, 17].
    #[test]
    fn cconv_reference_and_wrapped_terms() {
        let x = qs(&[1, 2, 3, 4, 5, 6]);
        let y = qs(&[1, -1, 2]);
        let (xs, ys) = (SeqRef::new(0, &x[..]), SeqRef::new(0, &y[..]));
        let c8 = cconv(xs, ys, 8).unwrap();
        assert_eq!(c8.values, qs(&[1, 1, 3, 5, 7, 9, 4, 12]));
        assert!(!c8.wraps());
        let c4 = cconv(xs, ys, 4).unwrap();
        assert_eq!(c4.values, qs(&[8, 10, 7, 17]));
        let folds: Vec<(i64, usize)> = c4.wrapped().map(|f| (f.from, f.to)).collect();
        assert_eq!(folds, [(4, 0), (5, 1), (6, 2), (7, 3)]);
        let xf = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let yf = [1.0, -1.0, 2.0];
        let f4 = cconv_f64(SeqRef::new(0, &xf), SeqRef::new(0, &yf), 4).unwrap();
        assert_close(&f4.values, &[8.0, 10.0, 7.0, 17.0]);
        // Steps: row 0 gathers linear samples 0 and 4; the latter wrapped.
        let st = cconv_steps(xs, ys, 4, Some(0..1)).unwrap();
        let r0 = &st.rows[0];
        let terms: Vec<(i64, i64, bool)> = r0.terms.iter().map(|t| (t.m, t.p, t.wrapped)).collect();
        assert_eq!(
            terms,
            [(0, 0, false), (2, 2, true), (3, 1, true), (4, 0, true)]
        );
        assert_eq!(r0.value, q(8));
        // Inputs from another origin wrap by their true indices.
        let c = cconv(SeqRef::new(-1, &x[..2]), ys, 3).unwrap();
        // x = [1 at -1, 2 at 0]: linear = [1, 1, 0, 4] from -1 → k: 2,0,1,2
        assert_eq!(c.values, qs(&[1, 0, 5]));
        assert!(matches!(cconv(xs, ys, 0), Err(ConvError::BadOption { .. })));
    }

    fn cx(re: f64, im: f64) -> Complex<f64> {
        Complex::new(re, im)
    }

    #[track_caller]
    fn assert_complex(got: &[Complex<f64>], want: &[Complex<f64>]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).norm() <= 1e-12, "{g} vs {w}");
        }
    }

    /// `np.fft.fft([1, 2, 0, -1], 4)` = [2, 1−3j, 0, 1+3j];
    /// `np.fft.fft([1, 2, 0, -1], 6)` = [2, 3−√3j, −1−√3j, 0, −1+√3j, 3+√3j];
    /// `np.fft.ifft([1, 2j, 3, -1], 4)` = [0.75+0.5j, −1+0.25j, 1.25−0.5j, −0.25j].
    #[test]
    fn dft_reference_values() {
        let x = [cx(1.0, 0.0), cx(2.0, 0.0), cx(0.0, 0.0), cx(-1.0, 0.0)];
        assert_complex(
            &dft(&x, 4).unwrap(),
            &[cx(2.0, 0.0), cx(1.0, -3.0), cx(0.0, 0.0), cx(1.0, 3.0)],
        );
        let r3 = 3f64.sqrt();
        assert_complex(
            &dft(&x, 6).unwrap(),
            &[
                cx(2.0, 0.0),
                cx(3.0, -r3),
                cx(-1.0, -r3),
                cx(0.0, 0.0),
                cx(-1.0, r3),
                cx(3.0, r3),
            ],
        );
        let big_x = [cx(1.0, 0.0), cx(0.0, 2.0), cx(3.0, 0.0), cx(-1.0, 0.0)];
        assert_complex(
            &idft(&big_x, 4).unwrap(),
            &[
                cx(0.75, 0.5),
                cx(-1.0, 0.25),
                cx(1.25, -0.5),
                cx(0.0, -0.25),
            ],
        );
        assert!(matches!(dft(&x, 3), Err(ConvError::ShapeMismatch(_))));
        assert!(matches!(dft(&x, 0), Err(ConvError::BadOption { .. })));
    }

    #[test]
    fn fft_dft_matches_direct_dft() {
        let x: Vec<Complex<f64>> = (0..150)
            .map(|i| cx((i as f64 * 0.37).sin(), (i as f64 * 0.11).cos()))
            .collect();
        for n in [150, 200, 243] {
            assert_complex(&dft(&x, n).unwrap(), &dft_direct(&x, n as usize, false));
            let back = idft(&dft(&x, n).unwrap(), n).unwrap();
            assert_complex(&back[..150], &x);
        }
    }

    // --- table limits ----------------------------------------------------------

    #[test]
    fn step_table_limits_are_checked_before_building() {
        let x = vec![1.0; MAX_STEP_ROWS + 5];
        let y = [1.0];
        let err = steps_1d(
            Op::Conv,
            SeqRef::new(0, &x),
            SeqRef::new(0, &y),
            Mode::Full,
            false,
            None,
        )
        .unwrap_err();
        assert!(matches!(err, ConvError::TooManyRows { .. }));
        assert!(err.to_string().contains("range of rows"));
        let part = steps_1d(
            Op::Conv,
            SeqRef::new(0, &x),
            SeqRef::new(0, &y),
            Mode::Full,
            false,
            Some(10..13),
        )
        .unwrap();
        assert_eq!(
            part.rows.iter().map(|r| r.n).collect::<Vec<_>>(),
            [10, 11, 12]
        );
        assert_eq!(part.len, MAX_STEP_ROWS + 5);
        // Rows out of the result are clipped away.
        let none = steps_1d(
            Op::Conv,
            SeqRef::new(0, &x[..3]),
            SeqRef::new(0, &y),
            Mode::Full,
            false,
            Some(50..60),
        )
        .unwrap();
        assert!(none.rows.is_empty());
        let wide = vec![1.0; 5_000];
        let err = steps_1d(
            Op::Conv,
            SeqRef::new(0, &wide),
            SeqRef::new(0, &wide),
            Mode::Full,
            false,
            None,
        )
        .unwrap_err();
        assert!(matches!(err, ConvError::TooManyTerms { .. }));
        let err =
            sliding_1d(Op::Conv, SeqRef::new(0, &y), SeqRef::new(0, &y), 5_000_000).unwrap_err();
        assert!(matches!(err, ConvError::TooWideView { .. }));
    }

    // --- properties ------------------------------------------------------------

    fn small_ints(max_len: usize) -> impl Strategy<Value = (i64, Vec<i64>)> {
        (-5i64..5, prop::collection::vec(-9i64..10, 0..max_len))
    }

    fn rat_seq((start, v): &(i64, Vec<i64>)) -> Seq<BigRational> {
        Seq::new(*start, qs(v))
    }

    fn modes() -> impl Strategy<Value = Mode> {
        prop_oneof![Just(Mode::Full), Just(Mode::Same), Just(Mode::Valid)]
    }

    /// Zeros outside the support: compare sequences as functions of the index.
    fn same_signal(a: &Seq<BigRational>, b: &Seq<BigRational>) -> bool {
        let lo = a.start.min(b.start);
        let hi = (a.start + a.len() as i64).max(b.start + b.len() as i64);
        let zero = q(0);
        (lo..hi).all(|n| a.get(n).unwrap_or(&zero) == b.get(n).unwrap_or(&zero))
    }

    proptest! {
        #![proptest_config(config(96))]

        #[test]
        fn conv_is_commutative(x in small_ints(12), y in small_ints(12)) {
            let (x, y) = (rat_seq(&x), rat_seq(&y));
            let a = conv(x.as_ref(), y.as_ref(), Mode::Full).unwrap();
            let b = conv(y.as_ref(), x.as_ref(), Mode::Full).unwrap();
            prop_assert_eq!(a, b);
        }

        #[test]
        fn conv_is_associative(x in small_ints(8), y in small_ints(8), z in small_ints(8)) {
            let (x, y, z) = (rat_seq(&x), rat_seq(&y), rat_seq(&z));
            let xy = conv(x.as_ref(), y.as_ref(), Mode::Full).unwrap().seq;
            let yz = conv(y.as_ref(), z.as_ref(), Mode::Full).unwrap().seq;
            let l = conv(xy.as_ref(), z.as_ref(), Mode::Full).unwrap().seq;
            let r = conv(x.as_ref(), yz.as_ref(), Mode::Full).unwrap().seq;
            prop_assert!(same_signal(&l, &r));
        }

        #[test]
        fn conv_is_linear(
            start in -3i64..3,
            xz in prop::collection::vec((-9i64..10, -9i64..10), 1..10),
            y in small_ints(8),
            alpha in -4i64..5,
            beta in -4i64..5,
            mode in modes(),
        ) {
            let x: Vec<i64> = xz.iter().map(|p| p.0).collect();
            let z: Vec<i64> = xz.iter().map(|p| p.1).collect();
            let mix: Vec<i64> = xz.iter().map(|p| alpha * p.0 + beta * p.1).collect();
            let y = rat_seq(&y);
            let c = |v: &[i64]| conv(SeqRef::new(start, &qs(v)), y.as_ref(), mode).unwrap().seq;
            let (cx, cz, cm) = (c(&x), c(&z), c(&mix));
            prop_assert_eq!(cm.start, cx.start);
            let combined: Vec<BigRational> = cx.values.iter().zip(&cz.values)
                .map(|(a, b)| a * q(alpha) + b * q(beta)).collect();
            prop_assert_eq!(cm.values, combined);
        }

        #[test]
        fn delta_shifts(x in small_ints(12), k in -6i64..6) {
            let x = rat_seq(&x);
            let delta = [q(1)];
            let c = conv(x.as_ref(), SeqRef::new(k, &delta), Mode::Full).unwrap().seq;
            prop_assert_eq!(c, shift(x.as_ref(), k).unwrap());
            // Centred delta kernel keeps x in `same` mode.
            let d3 = qs(&[0, 1, 0]);
            let s = conv(x.as_ref(), SeqRef::new(-1, &d3), Mode::Same).unwrap().seq;
            prop_assert_eq!(s, x);
        }

        #[test]
        fn output_lengths(lx in 0usize..30, ly in 0usize..30, sx in -9i64..9, sy in -9i64..9) {
            let x = vec![1.0; lx];
            let y = vec![1.0; ly];
            for op in [Op::Conv, Op::Corr] {
                for mode in [Mode::Full, Mode::Same, Mode::Valid] {
                    let c = convolve_f64(op, SeqRef::new(sx, &x), SeqRef::new(sy, &y), mode, Algorithm::Auto).unwrap();
                    let want = match mode {
                        _ if lx == 0 || ly == 0 => 0,
                        Mode::Full => lx + ly - 1,
                        Mode::Same => lx,
                        Mode::Valid => (lx + 1).saturating_sub(ly),
                    };
                    prop_assert_eq!(c.seq.len(), want);
                    prop_assert_eq!(c.empty.is_some(), want == 0);
                    if want > 0 {
                        let k_start = if op == Op::Conv { sy } else { -(sy + ly as i64 - 1) };
                        let offset = match mode { Mode::Full => 0, Mode::Same => (ly as i64 - 1) / 2, Mode::Valid => ly as i64 - 1 };
                        prop_assert_eq!(c.seq.start, sx + k_start + offset);
                    }
                }
            }
        }

        #[test]
        fn sum_of_conv_is_product_of_sums(x in small_ints(12), y in small_ints(12)) {
            let (x, y) = (rat_seq(&x), rat_seq(&y));
            let c = conv(x.as_ref(), y.as_ref(), Mode::Full).unwrap().seq;
            let sum = |v: &[BigRational]| v.iter().fold(q(0), |a, b| a + b);
            prop_assert_eq!(sum(&c.values), sum(&x.values) * sum(&y.values));
        }

        #[test]
        fn corr_is_conv_with_flipped_kernel(x in small_ints(12), y in small_ints(12), mode in modes()) {
            let (x, y) = (rat_seq(&x), rat_seq(&y));
            let a = corr(x.as_ref(), y.as_ref(), mode).unwrap();
            let b = conv(x.as_ref(), flip(y.as_ref()).unwrap().as_ref(), mode).unwrap();
            prop_assert_eq!(a, b);
        }

        #[test]
        fn steps_rows_sum_to_the_result(x in small_ints(10), y in small_ints(10), mode in modes(), zeros in any::<bool>(), corr_op in any::<bool>()) {
            let op = if corr_op { Op::Corr } else { Op::Conv };
            let (x, y) = (rat_seq(&x), rat_seq(&y));
            let c = convolve(op, x.as_ref(), y.as_ref(), mode).unwrap().seq;
            let s = steps_1d(op, x.as_ref(), y.as_ref(), mode, zeros, None).unwrap();
            prop_assert_eq!(s.start, c.start);
            prop_assert_eq!(s.rows.len(), c.len());
            for (row, v) in s.rows.iter().zip(&c.values) {
                prop_assert_eq!(&row.value, v);
                prop_assert!(row.terms.windows(2).all(|w| w[0].m < w[1].m));
                if zeros {
                    prop_assert_eq!(row.terms.len(), y.len());
                } else {
                    prop_assert!(row.terms.iter().all(|t| !t.padded));
                }
                let sl = sliding_1d(op, x.as_ref(), y.as_ref(), row.n).unwrap();
                prop_assert_eq!(&sl.value, v);
            }
        }
    }

    fn floats(max_len: usize) -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(-1.0f64..1.0, 1..max_len)
    }

    proptest! {
        #![proptest_config(config(48))]

        #[test]
        fn fast_paths_match_direct_sum(
            x in floats(400),
            y in floats(400),
            mode in modes(),
            corr_op in any::<bool>(),
            fft_len in 2usize..200,
        ) {
            let op = if corr_op { Op::Corr } else { Op::Conv };
            let k: Vec<f64> = if corr_op { y.iter().rev().copied().collect() } else { y.clone() };
            let reference = conv_direct(&x, &k);
            let w = Window::new(0, x.len(), 0, y.len(), mode);
            let want = &reference[w.offset..w.offset + w.len];
            for alg in [Algorithm::Auto, Algorithm::Direct, Algorithm::Fft, Algorithm::OverlapAdd { fft_len: Some(fft_len) }, Algorithm::OverlapAdd { fft_len: None }] {
                let got = convolve_f64(op, SeqRef::new(0, &x), SeqRef::new(0, &y), mode, alg).unwrap();
                assert_close(&got.seq.values, want);
            }
        }

        #[test]
        fn long_by_short_overlap_add(x in prop::collection::vec(-1.0f64..1.0, 3000..6000), y in floats(40), mode in modes()) {
            let reference = conv_direct(&x, &y);
            let w = Window::new(0, x.len(), 0, y.len(), mode);
            for alg in [Algorithm::OverlapAdd { fft_len: None }, Algorithm::Auto] {
                let got = convolve_f64(Op::Conv, SeqRef::new(0, &x), SeqRef::new(0, &y), mode, alg).unwrap();
                assert_close(&got.seq.values, &reference[w.offset..w.offset + w.len]);
            }
        }

        #[test]
        fn cconv_is_idft_of_dft_product(x in floats(20), y in floats(20), extra in 0usize..10) {
            let n = x.len().max(y.len()) + extra;
            let c = cconv_f64(SeqRef::new(0, &x), SeqRef::new(0, &y), n as i64).unwrap();
            let to_c = |v: &[f64]| -> Vec<Complex<f64>> { v.iter().map(|&r| Complex::new(r, 0.0)).collect() };
            let (fx, fy) = (dft(&to_c(&x), n as i64).unwrap(), dft(&to_c(&y), n as i64).unwrap());
            let prod: Vec<Complex<f64>> = fx.iter().zip(&fy).map(|(a, b)| a * b).collect();
            let back = idft(&prod, n as i64).unwrap();
            let re: Vec<f64> = back.iter().map(|v| v.re).collect();
            for (g, w) in c.values.iter().zip(&re) {
                prop_assert!((g - w).abs() <= 1e-12 * n as f64);
            }
            // The exact generic version agrees.
            let g = cconv(SeqRef::new(0, &x), SeqRef::new(0, &y), n as i64).unwrap();
            for (a, b) in g.values.iter().zip(&c.values) {
                prop_assert!((a - b).abs() <= 1e-12 * n as f64);
            }
        }

        #[test]
        fn cconv_folds_the_linear_convolution(x in small_ints(12), y in small_ints(12), n in 1i64..9) {
            let (x, y) = (rat_seq(&x), rat_seq(&y));
            let c = cconv(x.as_ref(), y.as_ref(), n).unwrap();
            let lin = conv(x.as_ref(), y.as_ref(), Mode::Full).unwrap().seq;
            let mut want = vec![q(0); n as usize];
            for (i, v) in lin.values.iter().enumerate() {
                want[(lin.start + i as i64).rem_euclid(n) as usize] += v;
            }
            prop_assert_eq!(&c.values, &want);
            let steps = cconv_steps(x.as_ref(), y.as_ref(), n, None).unwrap();
            let values: Vec<BigRational> = steps.rows.iter().map(|r| r.value.clone()).collect();
            prop_assert_eq!(values, want);
        }
    }
}
