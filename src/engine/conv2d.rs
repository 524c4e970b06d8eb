//! Two-dimensional convolution and correlation with modes, stride, padding,
//! dilation and boundary rules; transposed convolution; output-size
//! arithmetic as data.
//!
//! # Conventions
//!
//! Matrices are row-major [`Grid`]s with 0-based (row, column) indices. Each
//! axis is handled alike and independently:
//!
//! 1. **Pad** the input by the mode's padding plus the explicit `padding` on
//!    each side:
//!    - `full`: d·(k−1) on each side (d the dilation, k the kernel size);
//!    - `same`: d·(k−1) in all, split as scipy does — for conv ⌈d(k−1)/2⌉
//!      before and ⌊d(k−1)/2⌋ after (`scipy.signal.convolve2d(mode='same')`),
//!      for corr ⌊d(k−1)/2⌋ before and ⌈d(k−1)/2⌉ after
//!      (`scipy.signal.correlate2d(mode='same')`, which equals PyTorch's
//!      `padding='same'`). With an even kernel, therefore,
//!      `corr2d(A, K, same) ≠ conv2d(A, flip(K), same)` (it holds for full and
//!      valid), and the 2D `same` of a correlation is one sample later than
//!      the 1D one (`scipy.signal.correlate` centres like `convolve`).
//!    - `valid`: nothing.
//!
//!    `padding = Same` is the explicit padding that keeps the size at stride
//!    1: the `same` split above, allowed with `mode = valid` only (the other
//!    modes already pad).
//! 2. **Fill** the padding by the boundary rule:
//!    - `Zero`: 0 (scipy `fill`, PyTorch `zeros`);
//!    - `Wrap`: circular, `… c d | a b c d | a b …` (scipy `wrap`, PyTorch
//!      `circular`);
//!    - `Reflect`: half-sample symmetric, `d c b a | a b c d | d c b a` — the
//!      edge sample repeats. This is scipy.signal's `symm` and scipy.ndimage's
//!      `reflect`. numpy.pad's `reflect` and PyTorch's `reflect` are
//!      whole-sample (`d c b | a b c d | c b a`, no repeat): they differ.
//!    - `Nearest`: the edge sample repeated (PyTorch `replicate`, numpy.pad `edge`).
//!
//!    Padding wider than the input keeps applying the rule (wrap and reflect
//!    are periodic), as scipy does.
//! 3. **Slide** the kernel — flipped in both axes for conv, as given for corr
//!    — with its taps `dilation` apart, moving `stride` cells at a time.
//!    Output cell (i, j) covers padded cells `(i·sr + a·dr, j·sc + b·dc)`.
//!
//! So each axis has `⌊(n + p_before + p_after − d·(k−1) − 1)/s⌋ + 1` outputs
//! ([`AxisShape`]). At stride 1 and dilation 1 the values equal
//! `scipy.signal.convolve2d` / `correlate2d` in every mode and boundary
//! (`fill`, `wrap`, `symm`); `corr2d` with `mode = valid` is PyTorch's
//! `conv2d` (a correlation) with its stride, padding and dilation.
//!
//! [`conv_transpose2d`] is PyTorch's `conv_transpose2d`: the adjoint of
//! `corr2d` with the same stride, padding and dilation (mode valid, zero
//! boundary); each axis has `(n−1)·s − 2p + d·(k−1) + output_padding + 1`
//! outputs.
//!
//! # Limits
//!
//! Options are checked (stride and dilation ≥ 1, padding ≥ 0, each at most
//! [`MAX_OPTION`]); outputs and padded inputs have at most [`MAX_CELLS`]
//! cells ([`MAX_EXACT_OUTPUT`](crate::engine::discrete::MAX_EXACT_OUTPUT) on
//! the generic path, which also takes at most
//! [`MAX_DIRECT_WORK`] multiply-adds). A kernel that does not fit the padded input is an error
//! ([`ConvError::KernelTooLarge`]) rather than an empty matrix; [`shape2d`]
//! still derives its (zero) size.

use std::ops::Range;
use std::sync::Arc;

use num_complex::Complex;
use realfft::RealFftPlanner;

use crate::engine::discrete::{
    check_exact_output, clip_usize, poll_cancel, ConvError, Mode, Op, MAX_DIRECT_WORK,
    MAX_F64_DIRECT_WORK, NON_FINITE,
};
use crate::trace::discrete::{
    Row2d, Steps2d, Term2d, Window2d, WindowCell, MAX_STEP_ROWS, MAX_STEP_TERMS,
};
use crate::value::grid::Grid;
use crate::value::ring::Ring;

/// Most cells an output (or a padded input) may have.
pub const MAX_CELLS: usize = 25_000_000;

/// Largest stride, dilation or padding accepted.
pub const MAX_OPTION: i64 = 1_000_000;

/// Largest 2D FFT (in cells) the f64 path uses.
const MAX_FFT_CELLS: usize = 1 << 24;

/// How the padding is filled (see the module's Conventions).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Boundary {
    #[default]
    Zero,
    Wrap,
    /// Half-sample symmetric (scipy.signal `symm`).
    Reflect,
    Nearest,
}

/// Explicit padding on each side of each axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Padding {
    /// (rows, cols) cells on each side.
    Explicit(i64, i64),
    /// The padding that keeps the size at stride 1 (with `mode = valid`).
    Same,
}

impl Default for Padding {
    fn default() -> Self {
        Padding::Explicit(0, 0)
    }
}

/// Options of [`conv2d`] / [`corr2d`]; pairs are (rows, cols).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Conv2dOptions {
    pub mode: Mode,
    pub stride: (i64, i64),
    pub padding: Padding,
    pub dilation: (i64, i64),
    pub boundary: Boundary,
}

impl Conv2dOptions {
    /// PyTorch's `conv2d` options: `mode = valid` (PyTorch pads only by its
    /// `padding`), zero boundary. `shape conv(A, K, stride=2, padding=1,
    /// dilation=2)` on a 5×5 input, ⌊(5 + 2·1 − 2·(3−1) − 1)/2⌋ + 1 = 2,
    /// uses these (`help shape`).
    pub fn pytorch(stride: (i64, i64), padding: (i64, i64), dilation: (i64, i64)) -> Self {
        Conv2dOptions {
            mode: Mode::Valid,
            stride,
            padding: Padding::Explicit(padding.0, padding.1),
            dilation,
            boundary: Boundary::Zero,
        }
    }
}

impl Default for Conv2dOptions {
    fn default() -> Self {
        Conv2dOptions {
            mode: Mode::Full,
            stride: (1, 1),
            padding: Padding::default(),
            dilation: (1, 1),
            boundary: Boundary::Zero,
        }
    }
}

/// The output-size derivation along one axis, as data:
/// `out = ⌊(n + pad_before + pad_after − dilation·(k−1) − 1)/stride⌋ + 1`
/// (0 when the numerator is negative: the kernel does not fit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AxisShape {
    pub n: usize,
    pub k: usize,
    pub dilation: usize,
    pub stride: usize,
    /// Padding the mode adds (before, after).
    pub mode_pad: (usize, usize),
    /// Explicit padding (before, after).
    pub extra_pad: (usize, usize),
    pub out: usize,
}

impl AxisShape {
    pub fn pad_before(&self) -> usize {
        self.mode_pad.0 + self.extra_pad.0
    }

    pub fn pad_after(&self) -> usize {
        self.mode_pad.1 + self.extra_pad.1
    }

    /// Length of the padded input.
    pub fn padded(&self) -> usize {
        self.n + self.pad_before() + self.pad_after()
    }

    /// Extent of the dilated kernel, d·(k−1) + 1.
    pub fn dilated_kernel(&self) -> usize {
        self.dilation * (self.k - 1) + 1
    }

    /// `n + p_before + p_after − d·(k−1) − 1`, negative when the kernel does not fit.
    pub fn numerator(&self) -> i64 {
        self.padded() as i64 - self.dilated_kernel() as i64
    }

    pub fn fits(&self) -> bool {
        self.numerator() >= 0
    }
}

/// Output-size derivation of both axes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shape2d {
    pub rows: AxisShape,
    pub cols: AxisShape,
}

impl Shape2d {
    /// (rows, cols) of the output.
    pub fn out(&self) -> (usize, usize) {
        (self.rows.out, self.cols.out)
    }
}

fn check_option(name: &'static str, value: i64, min: i64) -> Result<usize, ConvError> {
    if value < min {
        return Err(ConvError::BadOption {
            name,
            value,
            expected: if min == 0 { "0 or more" } else { "at least 1" },
        });
    }
    if value > MAX_OPTION {
        return Err(ConvError::BadOption {
            name,
            value,
            expected: "at most 1000000",
        });
    }
    Ok(value as usize)
}

/// The padding `same` puts before and after for a dilated kernel extent
/// `total + 1`.
fn same_split(total: usize, op: Op) -> (usize, usize) {
    match op {
        Op::Conv => (total - total / 2, total / 2),
        Op::Corr => (total / 2, total - total / 2),
    }
}

#[allow(clippy::too_many_arguments)]
fn axis_shape(
    n: usize,
    k: usize,
    op: Op,
    mode: Mode,
    stride: (&'static str, i64),
    dilation: (&'static str, i64),
    padding: Option<(&'static str, i64)>,
) -> Result<AxisShape, ConvError> {
    let s = check_option(stride.0, stride.1, 1)?;
    let d = check_option(dilation.0, dilation.1, 1)?;
    let total = d * (k.max(1) - 1);
    let mode_pad = match mode {
        Mode::Full => (total, total),
        Mode::Same => same_split(total, op),
        Mode::Valid => (0, 0),
    };
    let extra_pad = match padding {
        Some((name, p)) => {
            let p = check_option(name, p, 0)?;
            (p, p)
        }
        None => same_split(total, op),
    };
    let mut shape = AxisShape {
        n,
        k,
        dilation: d,
        stride: s,
        mode_pad,
        extra_pad,
        out: 0,
    };
    let num = shape.numerator();
    shape.out = if num < 0 || k == 0 || n == 0 {
        0
    } else {
        num as usize / s + 1
    };
    Ok(shape)
}

/// The output size of `conv2d`/`corr2d` of an `input`-shaped matrix with a
/// `kernel`-shaped one, derived per axis. Fails only on bad options; a
/// kernel that does not fit gives `out = 0` (and `fits() == false`).
pub fn shape2d(
    input: (usize, usize),
    kernel: (usize, usize),
    op: Op,
    opts: &Conv2dOptions,
) -> Result<Shape2d, ConvError> {
    let pads = match opts.padding {
        Padding::Explicit(r, c) => Some(((ROWS.padding, r), (COLS.padding, c))),
        Padding::Same => {
            if opts.mode != Mode::Valid {
                return Err(ConvError::ShapeMismatch(
                    "padding=same already keeps the input's size: use it with mode=valid, or use \
                     mode=same without padding"
                        .into(),
                ));
            }
            None
        }
    };
    let rows = axis_shape(
        input.0,
        kernel.0,
        op,
        opts.mode,
        (ROWS.stride, opts.stride.0),
        (ROWS.dilation, opts.dilation.0),
        pads.map(|p| p.0),
    )?;
    let cols = axis_shape(
        input.1,
        kernel.1,
        op,
        opts.mode,
        (COLS.stride, opts.stride.1),
        (COLS.dilation, opts.dilation.1),
        pads.map(|p| p.1),
    )?;
    Ok(Shape2d { rows, cols })
}

/// The input index whose value padded position `q` (in input coordinates,
/// so `q < 0` is in the padding before) takes under `boundary`; `None` for
/// zero fill. `n` must be at least 1.
pub fn boundary_source(q: i64, n: usize, boundary: Boundary) -> Option<usize> {
    let n = n as i64;
    if (0..n).contains(&q) {
        return Some(q as usize);
    }
    let i = match boundary {
        Boundary::Zero => return None,
        Boundary::Wrap => q.rem_euclid(n),
        Boundary::Nearest => q.clamp(0, n - 1),
        Boundary::Reflect => {
            let r = q.rem_euclid(2 * n);
            if r < n {
                r
            } else {
                2 * n - 1 - r
            }
        }
    };
    Some(i as usize)
}

fn too_large(what: String, size: u128, advice: &'static str) -> ConvError {
    ConvError::TooLarge {
        what,
        size,
        limit: MAX_CELLS as u128,
        advice,
    }
}

/// Everything the 2D loops need: the shape and, per axis, the source of each
/// padded position.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub shape: Shape2d,
    pub op: Op,
    pub row_src: Vec<Option<usize>>,
    pub col_src: Vec<Option<usize>>,
}

impl Plan {
    pub(crate) fn new(
        input: (usize, usize),
        kernel: (usize, usize),
        op: Op,
        opts: &Conv2dOptions,
    ) -> Result<Plan, ConvError> {
        if input.0 == 0 || input.1 == 0 {
            return Err(ConvError::Empty("the input matrix"));
        }
        if kernel.0 == 0 || kernel.1 == 0 {
            return Err(ConvError::Empty("the kernel"));
        }
        let shape = shape2d(input, kernel, op, opts)?;
        for (ax, name) in [(&shape.rows, "rows"), (&shape.cols, "columns")] {
            if !ax.fits() {
                return Err(ConvError::KernelTooLarge {
                    axis: name,
                    kernel: ax.dilated_kernel() as u128,
                    padded: ax.padded() as u128,
                });
            }
            if ax.padded() > MAX_CELLS {
                return Err(too_large(
                    format!("the padded input ({name})"),
                    ax.padded() as u128,
                    "use less padding",
                ));
            }
        }
        let cells = shape.rows.out as u128 * shape.cols.out as u128;
        if cells > MAX_CELLS as u128 {
            return Err(too_large(
                format!("the {}×{} output", shape.rows.out, shape.cols.out),
                cells,
                "use a smaller input, a larger stride, or less padding",
            ));
        }
        let map = |ax: &AxisShape| -> Vec<Option<usize>> {
            (0..ax.padded())
                .map(|q| boundary_source(q as i64 - ax.pad_before() as i64, ax.n, opts.boundary))
                .collect()
        };
        Ok(Plan {
            row_src: map(&shape.rows),
            col_src: map(&shape.cols),
            shape,
            op,
        })
    }

    /// Padded row of kernel tap row `a` at output row `i`.
    pub(crate) fn row_at(&self, i: usize, a: usize) -> usize {
        i * self.shape.rows.stride + a * self.shape.rows.dilation
    }

    pub(crate) fn col_at(&self, j: usize, b: usize) -> usize {
        j * self.shape.cols.stride + b * self.shape.cols.dilation
    }

    /// Multiply-adds of the direct sum.
    fn work(&self) -> u128 {
        let s = &self.shape;
        s.rows.out as u128 * s.cols.out as u128 * s.rows.k as u128 * s.cols.k as u128
    }

    /// The kernel as applied: flipped for conv.
    pub(crate) fn applied<T: Clone>(&self, k: &Grid<T>) -> Grid<T> {
        match self.op {
            Op::Conv => k.flipped(),
            Op::Corr => k.clone(),
        }
    }

    /// The (unflipped) kernel index of applied tap (a, b).
    pub(crate) fn kernel_index(&self, a: usize, b: usize) -> (usize, usize) {
        match self.op {
            Op::Conv => (self.shape.rows.k - 1 - a, self.shape.cols.k - 1 - b),
            Op::Corr => (a, b),
        }
    }
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

/// `conv2d` (kernel flipped) or `corr2d` (kernel as given) by the direct sum,
/// generic over the ring (exact for exact types); see the module's Conventions.
pub fn apply2d<T: Ring>(
    op: Op,
    a: &Grid<T>,
    k: &Grid<T>,
    opts: &Conv2dOptions,
) -> Result<Grid<T>, ConvError> {
    let plan = Plan::new(a.shape(), k.shape(), op, opts)?;
    let (or, oc) = plan.shape.out();
    check_exact_output(format!("the {or}×{oc} result"), or as u128 * oc as u128)?;
    check_work(plan.work())?;
    let ku = plan.applied(k);
    let (kr, kc) = k.shape();
    let mut cancelled = false;
    let out = Grid::from_fn(plan.shape.rows.out, plan.shape.cols.out, |i, j| {
        // Poll for Ctrl-C once per output cell; once set, skip the rest.
        cancelled = cancelled || poll_cancel().is_err();
        let mut acc = T::zero();
        if cancelled {
            return acc;
        }
        for ta in 0..kr {
            let Some(r) = plan.row_src[plan.row_at(i, ta)] else {
                continue;
            };
            for tb in 0..kc {
                if let Some(c) = plan.col_src[plan.col_at(j, tb)] {
                    acc.add_mul(&a[(r, c)], &ku[(ta, tb)]);
                }
            }
        }
        acc
    });
    if cancelled {
        return Err(ConvError::Interrupted);
    }
    Ok(out)
}

/// 2D convolution `Σ A[i−a][j−b]·K[a][b]` with the options' mode, stride,
/// padding, dilation and boundary.
pub fn conv2d<T: Ring>(
    a: &Grid<T>,
    k: &Grid<T>,
    opts: &Conv2dOptions,
) -> Result<Grid<T>, ConvError> {
    apply2d(Op::Conv, a, k, opts)
}

/// 2D cross-correlation `Σ A[i+a][j+b]·K[a][b]` (the CNN "convolution").
pub fn corr2d<T: Ring>(
    a: &Grid<T>,
    k: &Grid<T>,
    opts: &Conv2dOptions,
) -> Result<Grid<T>, ConvError> {
    apply2d(Op::Corr, a, k, opts)
}

// ---------------------------------------------------------------------------
// f64 fast path

/// How [`apply2d_f64`] computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method2d {
    /// By the cost model.
    Auto,
    /// Direct sum, vectorised along rows.
    Direct,
    /// One 2D real FFT of the padded input (then subsampled by the stride).
    Fft,
}

const COST_MAC_2D: f64 = 1.0;
const COST_FFT_2D: f64 = 1.5;

fn fft_len_2d(plan: &Plan) -> (usize, usize) {
    (
        next_fast_len(plan.shape.rows.padded()),
        next_fast_len(plan.shape.cols.padded()),
    )
}

fn next_fast_len(n: usize) -> usize {
    // Even 2^a·3^b: fast for rustfft and realfft.
    let n = n.max(2);
    let mut best = n.next_power_of_two();
    let mut p3 = 1usize;
    while p3 < best {
        let mut m = p3 * 2;
        while m < n {
            m *= 2;
        }
        best = best.min(m);
        p3 *= 3;
    }
    best
}

/// The method [`Method2d::Auto`] picks for a plan.
fn choose_2d(plan: &Plan) -> Method2d {
    let (nr, nc) = fft_len_2d(plan);
    let cells = nr * nc;
    let strided = if plan.shape.cols.stride > 1 { 2.0 } else { 1.0 };
    let direct = plan.work() as f64 * COST_MAC_2D * strided;
    let fft = COST_FFT_2D * 3.0 * cells as f64 * (cells as f64).log2();
    if direct <= fft {
        Method2d::Direct
    } else {
        Method2d::Fft
    }
}

/// [`apply2d`] for floats: direct (vectorised) or by a 2D FFT, as the cost
/// model or `method` says. Agrees with [`apply2d`] to rounding.
pub fn apply2d_f64(
    op: Op,
    a: &Grid<f64>,
    k: &Grid<f64>,
    opts: &Conv2dOptions,
    method: Method2d,
) -> Result<Grid<f64>, ConvError> {
    let plan = Plan::new(a.shape(), k.shape(), op, opts)?;
    let finite = a.data().iter().chain(k.data()).all(|v| v.is_finite());
    let (nr, nc) = fft_len_2d(&plan);
    let fft_fits = nr as u128 * nc as u128 <= MAX_FFT_CELLS as u128;
    let method = match method {
        // A NaN or ∞ would spread to every cell of an FFT result.
        _ if !finite || !fft_fits => Method2d::Direct,
        Method2d::Auto => choose_2d(&plan),
        m => m,
    };
    if method == Method2d::Fft {
        return Ok(fft_2d(&plan, a, k));
    }
    if plan.work() > MAX_F64_DIRECT_WORK {
        return Err(ConvError::TooSlow {
            work: plan.work(),
            limit: MAX_F64_DIRECT_WORK,
            reason: if finite {
                "the padded input is too large for it"
            } else {
                NON_FINITE
            },
        });
    }
    direct_2d_f64(&plan, a, k)
}

/// `conv2d` of floats, direct or by FFT as the cost model picks.
pub fn conv2d_f64(
    a: &Grid<f64>,
    k: &Grid<f64>,
    opts: &Conv2dOptions,
) -> Result<Grid<f64>, ConvError> {
    apply2d_f64(Op::Conv, a, k, opts, Method2d::Auto)
}

/// `corr2d` of floats, direct or by FFT as the cost model picks.
pub fn corr2d_f64(
    a: &Grid<f64>,
    k: &Grid<f64>,
    opts: &Conv2dOptions,
) -> Result<Grid<f64>, ConvError> {
    apply2d_f64(Op::Corr, a, k, opts, Method2d::Auto)
}

/// Direct sum: each input row padded along the columns once, then for each
/// (output row, kernel tap) one axpy along the output row.
fn direct_2d_f64(plan: &Plan, a: &Grid<f64>, k: &Grid<f64>) -> Result<Grid<f64>, ConvError> {
    let (rs, cs) = (&plan.shape.rows, &plan.shape.cols);
    let pc = cs.padded();
    let padded_cells = a.rows() as u128 * pc as u128;
    if padded_cells > MAX_CELLS as u128 {
        return Err(too_large(
            "the input padded along its columns".into(),
            padded_cells,
            "use less padding",
        ));
    }
    let mut cp = Vec::with_capacity(a.rows() * pc);
    for r in 0..a.rows() {
        let row = a.row(r);
        cp.extend(plan.col_src.iter().map(|s| s.map_or(0.0, |c| row[c])));
    }
    let ku = plan.applied(k);
    let (oc, sc) = (cs.out, cs.stride);
    let mut out = vec![0.0; rs.out * oc];
    for (i, orow) in out.chunks_mut(oc.max(1)).enumerate().take(rs.out) {
        for ta in 0..rs.k {
            let Some(r) = plan.row_src[plan.row_at(i, ta)] else {
                continue;
            };
            let prow = &cp[r * pc..(r + 1) * pc];
            for (tb, &w) in ku.row(ta).iter().enumerate() {
                let src = &prow[tb * cs.dilation..];
                if sc == 1 {
                    for (o, s) in orow.iter_mut().zip(&src[..oc]) {
                        *o += w * s;
                    }
                } else {
                    for (o, s) in orow.iter_mut().zip(src.iter().step_by(sc)) {
                        *o += w * s;
                    }
                }
            }
        }
    }
    Ok(Grid::new(rs.out, oc, out)?)
}

/// A 2D real FFT of size nr × nc; spectra are stored transposed
/// (`hc = nc/2 + 1` columns, each `nr` long, contiguous).
struct Fft2 {
    nr: usize,
    nc: usize,
    r2c: Arc<dyn realfft::RealToComplex<f64>>,
    c2r: Arc<dyn realfft::ComplexToReal<f64>>,
    col_fwd: Arc<dyn rustfft::Fft<f64>>,
    col_inv: Arc<dyn rustfft::Fft<f64>>,
}

impl Fft2 {
    fn new(nr: usize, nc: usize) -> Fft2 {
        let mut rp = RealFftPlanner::new();
        let mut cp = rustfft::FftPlanner::new();
        Fft2 {
            nr,
            nc,
            r2c: rp.plan_fft_forward(nc),
            c2r: rp.plan_fft_inverse(nc),
            col_fwd: cp.plan_fft_forward(nr),
            col_inv: cp.plan_fft_inverse(nr),
        }
    }

    /// Spectrum of the `rows × cols` row-major `src`, zero-padded.
    fn forward(&self, src: &[f64], rows: usize, cols: usize) -> Vec<Complex<f64>> {
        let hc = self.nc / 2 + 1;
        let mut t = vec![Complex::new(0.0, 0.0); hc * self.nr];
        let mut time = vec![0.0; self.nc];
        let mut spec = vec![Complex::new(0.0, 0.0); hc];
        for r in 0..rows {
            time[..cols].copy_from_slice(&src[r * cols..(r + 1) * cols]);
            time[cols..].iter_mut().for_each(|v| *v = 0.0);
            self.r2c
                .process(&mut time, &mut spec)
                .expect("buffers sized by the plan");
            for (c, v) in spec.iter().enumerate() {
                t[c * self.nr + r] = *v;
            }
        }
        self.col_fwd.process(&mut t);
        t
    }

    /// The real grid (nr × nc) of a transposed spectrum, scaled by 1/(nr·nc).
    fn inverse(&self, mut t: Vec<Complex<f64>>) -> Vec<f64> {
        let hc = self.nc / 2 + 1;
        self.col_inv.process(&mut t);
        let mut out = vec![0.0; self.nr * self.nc];
        let mut spec = vec![Complex::new(0.0, 0.0); hc];
        let scale = 1.0 / (self.nr * self.nc) as f64;
        for r in 0..self.nr {
            for (c, v) in spec.iter_mut().enumerate() {
                *v = t[c * self.nr + r];
            }
            spec[0].im = 0.0;
            if self.nc.is_multiple_of(2) {
                spec[hc - 1].im = 0.0;
            }
            let row = &mut out[r * self.nc..(r + 1) * self.nc];
            self.c2r
                .process(&mut spec, row)
                .expect("buffers sized by the plan");
            row.iter_mut().for_each(|v| *v *= scale);
        }
        out
    }
}

/// All positions by a circular convolution of the padded input with the
/// dilated, flipped applied kernel, then subsampled by the stride.
fn fft_2d(plan: &Plan, a: &Grid<f64>, k: &Grid<f64>) -> Grid<f64> {
    let (rs, cs) = (&plan.shape.rows, &plan.shape.cols);
    let (pr, pc) = (rs.padded(), cs.padded());
    let mut padded = Vec::with_capacity(pr * pc);
    for rsrc in &plan.row_src {
        match rsrc {
            Some(r) => {
                let row = a.row(*r);
                padded.extend(plan.col_src.iter().map(|s| s.map_or(0.0, |c| row[c])));
            }
            None => padded.extend(std::iter::repeat_n(0.0, pc)),
        }
    }
    // G = dilate(flip(applied kernel)).
    let ku = plan.applied(k).flipped();
    let (dr, dc) = (rs.dilated_kernel(), cs.dilated_kernel());
    let mut g = vec![0.0; dr * dc];
    for ta in 0..rs.k {
        for tb in 0..cs.k {
            g[ta * rs.dilation * dc + tb * cs.dilation] = ku[(ta, tb)];
        }
    }
    let (nr, nc) = fft_len_2d(plan);
    let fft = Fft2::new(nr, nc);
    let mut sp = fft.forward(&padded, pr, pc);
    let sg = fft.forward(&g, dr, dc);
    for (p, q) in sp.iter_mut().zip(&sg) {
        *p *= q;
    }
    let c = fft.inverse(sp);
    Grid::from_fn(rs.out, cs.out, |i, j| {
        c[(i * rs.stride + dr - 1) * nc + j * cs.stride + dc - 1]
    })
}

// ---------------------------------------------------------------------------
// Transposed convolution

/// Options of [`conv_transpose2d`]; pairs are (rows, cols).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TransposeOptions {
    pub stride: (i64, i64),
    pub padding: (i64, i64),
    pub dilation: (i64, i64),
    pub output_padding: (i64, i64),
}

impl Default for TransposeOptions {
    fn default() -> Self {
        TransposeOptions {
            stride: (1, 1),
            padding: (0, 0),
            dilation: (1, 1),
            output_padding: (0, 0),
        }
    }
}

/// Options of [`conv_transpose1d`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Transpose1dOptions {
    pub stride: i64,
    pub padding: i64,
    pub dilation: i64,
    pub output_padding: i64,
}

impl Default for Transpose1dOptions {
    fn default() -> Self {
        Transpose1dOptions {
            stride: 1,
            padding: 0,
            dilation: 1,
            output_padding: 0,
        }
    }
}

/// The output-size derivation of a transposed convolution along one axis:
/// `out = (n−1)·stride − 2·padding + dilation·(k−1) + output_padding + 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TransposeAxis {
    pub n: usize,
    pub k: usize,
    pub stride: usize,
    pub padding: usize,
    pub dilation: usize,
    pub output_padding: usize,
    pub out: usize,
}

/// The option names of one axis, for error messages.
struct AxisNames {
    axis: &'static str,
    stride: &'static str,
    padding: &'static str,
    dilation: &'static str,
    output_padding: &'static str,
}

const ROWS: AxisNames = AxisNames {
    axis: "rows",
    stride: "stride (rows)",
    padding: "padding (rows)",
    dilation: "dilation (rows)",
    output_padding: "output_padding (rows)",
};

const COLS: AxisNames = AxisNames {
    axis: "columns",
    stride: "stride (columns)",
    padding: "padding (columns)",
    dilation: "dilation (columns)",
    output_padding: "output_padding (columns)",
};

const SAMPLES: AxisNames = AxisNames {
    axis: "samples",
    stride: "stride",
    padding: "padding",
    dilation: "dilation",
    output_padding: "output_padding",
};

/// One axis of a transposed convolution: options checked, size derived.
fn transpose_axis(
    n: usize,
    k: usize,
    names: &AxisNames,
    (s, p, d, op): (i64, i64, i64, i64),
) -> Result<TransposeAxis, ConvError> {
    let s = check_option(names.stride, s, 1)?;
    let p = check_option(names.padding, p, 0)?;
    let d = check_option(names.dilation, d, 1)?;
    let op = check_option(names.output_padding, op, 0)?;
    if op >= s.max(d) {
        return Err(ConvError::ShapeMismatch(format!(
            "{} must be smaller than the stride or the dilation ({}), got {op}",
            names.output_padding,
            s.max(d)
        )));
    }
    let out =
        (n as i128 - 1) * s as i128 - 2 * p as i128 + d as i128 * (k as i128 - 1) + op as i128 + 1;
    let axis = names.axis;
    if out < 1 {
        return Err(ConvError::ShapeMismatch(format!(
            "the transposed convolution would have {out} {axis}: (n−1)·stride − 2·padding + \
             dilation·(k−1) + output_padding + 1 = ({n}−1)·{s} − 2·{p} + {d}·({k}−1) + {op} + 1; \
             use less padding"
        )));
    }
    if out > MAX_CELLS as i128 {
        return Err(too_large(
            format!("the output ({axis})"),
            out as u128,
            "use a smaller stride",
        ));
    }
    Ok(TransposeAxis {
        n,
        k,
        stride: s,
        padding: p,
        dilation: d,
        output_padding: op,
        out: out as usize,
    })
}

/// The output size of [`conv_transpose2d`], per axis.
pub fn transpose_shape2d(
    input: (usize, usize),
    kernel: (usize, usize),
    opts: &TransposeOptions,
) -> Result<(TransposeAxis, TransposeAxis), ConvError> {
    if input.0 == 0 || input.1 == 0 {
        return Err(ConvError::Empty("the input matrix"));
    }
    if kernel.0 == 0 || kernel.1 == 0 {
        return Err(ConvError::Empty("the kernel"));
    }
    let o = opts;
    let rows = transpose_axis(
        input.0,
        kernel.0,
        &ROWS,
        (o.stride.0, o.padding.0, o.dilation.0, o.output_padding.0),
    )?;
    let cols = transpose_axis(
        input.1,
        kernel.1,
        &COLS,
        (o.stride.1, o.padding.1, o.dilation.1, o.output_padding.1),
    )?;
    Ok((rows, cols))
}

/// The output size of [`conv_transpose1d`].
pub fn transpose_shape1d(
    input: usize,
    kernel: usize,
    opts: &Transpose1dOptions,
) -> Result<TransposeAxis, ConvError> {
    if input == 0 {
        return Err(ConvError::Empty("the input"));
    }
    if kernel == 0 {
        return Err(ConvError::Empty("the kernel"));
    }
    let o = opts;
    transpose_axis(
        input,
        kernel,
        &SAMPLES,
        (o.stride, o.padding, o.dilation, o.output_padding),
    )
}

/// Where input `i`, kernel tap `a` lands in a transposed convolution's output.
fn transpose_place(i: usize, a: usize, ax: &TransposeAxis) -> Option<usize> {
    let q = (i * ax.stride + a * ax.dilation) as i64 - ax.padding as i64;
    (0..ax.out as i64).contains(&q).then_some(q as usize)
}

/// The transposed convolution of `y` with `k` along axes already derived.
fn transpose_core<T: Ring>(
    y: &Grid<T>,
    k: &Grid<T>,
    rs: &TransposeAxis,
    cs: &TransposeAxis,
) -> Result<Grid<T>, ConvError> {
    let cells = rs.out as u128 * cs.out as u128;
    check_exact_output(format!("the {}×{} result", rs.out, cs.out), cells)?;
    check_work(y.data().len() as u128 * k.data().len() as u128)?;
    let mut out = Grid::from_fn(rs.out, cs.out, |_, _| T::zero());
    for i in 0..y.rows() {
        poll_cancel()?;
        for ta in 0..k.rows() {
            let Some(r) = transpose_place(i, ta, rs) else {
                continue;
            };
            for j in 0..y.cols() {
                for tb in 0..k.cols() {
                    if let Some(c) = transpose_place(j, tb, cs) {
                        out[(r, c)].add_mul(&y[(i, j)], &k[(ta, tb)]);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Transposed convolution, PyTorch's `conv_transpose2d`:
/// `out[i·s − p + a·d] += y[i]·K[a]` per axis — the adjoint of [`corr2d`]
/// with the same stride, padding and dilation (`mode = valid`, zero boundary):
/// `⟨corr2d(x, K), y⟩ = ⟨x, conv_transpose2d(y, K)⟩`. `output_padding`
/// (smaller than the stride or the dilation) picks among the input sizes
/// that a strided correlation maps to the same output size.
pub fn conv_transpose2d<T: Ring>(
    y: &Grid<T>,
    k: &Grid<T>,
    opts: &TransposeOptions,
) -> Result<Grid<T>, ConvError> {
    let (rs, cs) = transpose_shape2d(y.shape(), k.shape(), opts)?;
    transpose_core(y, k, &rs, &cs)
}

/// 1D transposed convolution (PyTorch's `conv_transpose1d`), the adjoint of
/// the strided, padded, dilated correlation. Indices start at 0.
pub fn conv_transpose1d<T: Ring>(
    y: &[T],
    k: &[T],
    opts: &Transpose1dOptions,
) -> Result<Vec<T>, ConvError> {
    let cs = transpose_shape1d(y.len(), k.len(), opts)?;
    let rs = TransposeAxis {
        n: 1,
        k: 1,
        stride: 1,
        padding: 0,
        dilation: 1,
        output_padding: 0,
        out: 1,
    };
    let yg = Grid::new(1, y.len(), y.to_vec())?;
    let kg = Grid::new(1, k.len(), k.to_vec())?;
    Ok(transpose_core(&yg, &kg, &rs, &cs)?.into_data())
}

// ---------------------------------------------------------------------------
// Step tables

/// `steps conv(A, K) at (i, j)`: the window under the kernel at output
/// (i, j), each cell with where its value came from, the kernel as applied
/// (flipped for conv), the products and the sum.
pub fn window_2d<T: Ring>(
    op: Op,
    a: &Grid<T>,
    k: &Grid<T>,
    opts: &Conv2dOptions,
    at: (usize, usize),
) -> Result<Window2d<T>, ConvError> {
    let plan = Plan::new(a.shape(), k.shape(), op, opts)?;
    let (or, oc) = plan.shape.out();
    if at.0 >= or || at.1 >= oc {
        return Err(ConvError::ShapeMismatch(format!(
            "output position ({}, {}) is outside the {or}×{oc} result (indices start at 0)",
            at.0, at.1
        )));
    }
    let ku = plan.applied(k);
    let cells = Grid::from_fn(k.rows(), k.cols(), |ta, tb| {
        cell(&plan, a, plan.row_at(at.0, ta), plan.col_at(at.1, tb))
    });
    let products = Grid::from_fn(k.rows(), k.cols(), |ta, tb| {
        cells[(ta, tb)].value.mul(&ku[(ta, tb)])
    });
    let value = products.data().iter().fold(T::zero(), |acc, p| acc.add(p));
    Ok(Window2d {
        op,
        out: at,
        cells,
        kernel: ku,
        products,
        value,
    })
}

/// The window cell at padded position (q, p).
fn cell<T: Ring>(plan: &Plan, a: &Grid<T>, q: usize, p: usize) -> WindowCell<T> {
    let pos = (
        q as i64 - plan.shape.rows.pad_before() as i64,
        p as i64 - plan.shape.cols.pad_before() as i64,
    );
    let padding = !(0..a.rows() as i64).contains(&pos.0) || !(0..a.cols() as i64).contains(&pos.1);
    let source = match (plan.row_src[q], plan.col_src[p]) {
        (Some(r), Some(c)) => Some((r, c)),
        _ => None,
    };
    WindowCell {
        pos,
        source,
        padding,
        value: source.map_or_else(T::zero, |s| a[s].clone()),
    }
}

/// `steps conv(A, K)`: every output cell (row-major; `cells` limits which
/// by their row-major index) with its terms. Without `zeros`, terms whose
/// input cell is zero fill are left out; padding that took a value by the
/// boundary rule is always shown.
pub fn steps_2d<T: Ring>(
    op: Op,
    a: &Grid<T>,
    k: &Grid<T>,
    opts: &Conv2dOptions,
    zeros: bool,
    cells: Option<Range<usize>>,
) -> Result<Steps2d<T>, ConvError> {
    let plan = Plan::new(a.shape(), k.shape(), op, opts)?;
    let (or, oc) = plan.shape.out();
    let range = clip_usize(cells, or * oc);
    if range.len() > MAX_STEP_ROWS {
        return Err(ConvError::TooManyRows {
            rows: range.len() as u128,
            limit: MAX_STEP_ROWS,
        });
    }
    let terms = range.len() as u128 * k.data().len() as u128;
    if terms > MAX_STEP_TERMS as u128 {
        return Err(ConvError::TooManyTerms {
            terms,
            limit: MAX_STEP_TERMS,
        });
    }
    let ku = plan.applied(k);
    let rows = range
        .map(|o| {
            poll_cancel()?;
            let (i, j) = (o / oc, o % oc);
            let mut value = T::zero();
            let mut terms = Vec::new();
            for ta in 0..k.rows() {
                for tb in 0..k.cols() {
                    let c = cell(&plan, a, plan.row_at(i, ta), plan.col_at(j, tb));
                    if c.source.is_none() && !zeros {
                        continue;
                    }
                    let product = c.value.mul(&ku[(ta, tb)]);
                    value = value.add(&product);
                    terms.push(Term2d {
                        pos: c.pos,
                        source: c.source,
                        padding: c.padding,
                        x: c.value,
                        kernel_index: plan.kernel_index(ta, tb),
                        k: ku[(ta, tb)].clone(),
                        product,
                    });
                }
            }
            Ok::<_, ConvError>(Row2d {
                out: (i, j),
                terms,
                value,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Steps2d {
        op,
        shape: (or, oc),
        zeros,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::discrete::{conv, SeqRef};
    use crate::value::number::NumFmt;
    use crate::value::scalar::Scalar;
    use num_bigint::BigInt;
    use num_rational::BigRational;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngSeed};

    fn q(v: i64) -> BigRational {
        BigRational::from_integer(BigInt::from(v))
    }

    #[track_caller]
    fn grid(rows: usize, cols: usize, v: &[i64]) -> Grid<BigRational> {
        Grid::new(rows, cols, v.iter().map(|&i| q(i)).collect()).unwrap()
    }

    fn to_f64(g: &Grid<BigRational>) -> Grid<f64> {
        g.map(crate::value::number::rational_to_f64)
    }

    #[track_caller]
    fn assert_close(got: &Grid<f64>, want: &Grid<f64>) {
        assert_eq!(got.shape(), want.shape());
        let scale = want.data().iter().fold(1.0f64, |m, v| m.max(v.abs()));
        for (i, (g, w)) in got.data().iter().zip(want.data()).enumerate() {
            assert!((g - w).abs() <= 1e-11 * scale, "cell {i}: {g} vs {w}");
        }
    }

    fn opts(mode: Mode, boundary: Boundary) -> Conv2dOptions {
        Conv2dOptions {
            mode,
            boundary,
            ..Conv2dOptions::default()
        }
    }

    fn config(cases: u32) -> Config {
        Config {
            cases,
            rng_seed: RngSeed::Fixed(0x2d2d_2d2d),
            failure_persistence: None,
            ..Config::default()
        }
    }

    fn sym(names: &str, rows: usize, cols: usize) -> Grid<Scalar> {
        let v: Vec<Scalar> = names.split_whitespace().map(Scalar::symbol).collect();
        Grid::new(rows, cols, v).unwrap()
    }

    fn fmt(s: &Scalar) -> String {
        s.format(&NumFmt::default())
    }

    /// The textbook letter example (lesson 6): I = [a, b, c, d; e, f, g, h;
    /// i, j, k, l], K = [w, x; y, z]; corr does not flip K, conv does.
    #[test]
    fn letter_example() {
        let i = sym("a b c d e f g h i j k l", 3, 4);
        let k = sym("w x y z", 2, 2);
        let valid = opts(Mode::Valid, Boundary::Zero);
        let c = corr2d(&i, &k, &valid).unwrap();
        assert_eq!(c.shape(), (2, 3));
        assert_eq!(fmt(&c[(0, 0)]), "a·w + b·x + e·y + f·z");
        assert_eq!(fmt(&c[(1, 2)]), "g·w + h·x + k·y + l·z");
        let v = conv2d(&i, &k, &valid).unwrap();
        assert_eq!(fmt(&v[(0, 0)]), "a·z + b·y + e·x + f·w");

        let w = window_2d(Op::Conv, &i, &k, &valid, (0, 1)).unwrap();
        let cells: Vec<String> = w.cells.data().iter().map(|c| fmt(&c.value)).collect();
        assert_eq!(cells, ["b", "c", "f", "g"]);
        let kernel: Vec<String> = w.kernel.data().iter().map(fmt).collect();
        assert_eq!(kernel, ["z", "y", "x", "w"], "flipped for conv");
        assert_eq!(fmt(&w.value), "b·z + c·y + f·x + g·w");
        assert!(w.cells.data().iter().all(|c| !c.padding));

        let s = steps_2d(Op::Corr, &i, &k, &valid, false, None).unwrap();
        assert_eq!((s.shape, s.rows.len()), ((2, 3), 6));
        let first: Vec<(String, (usize, usize))> = s.rows[0]
            .terms
            .iter()
            .map(|t| (fmt(&t.x), t.kernel_index))
            .collect();
        assert_eq!(
            first,
            [
                ("a".into(), (0, 0)),
                ("b".into(), (0, 1)),
                ("e".into(), (1, 0)),
                ("f".into(), (1, 1))
            ]
        );
        assert_eq!(fmt(&s.rows[0].value), "a·w + b·x + e·y + f·z");
        let sc = steps_2d(Op::Conv, &i, &k, &valid, false, Some(0..1)).unwrap();
        assert_eq!(sc.rows[0].terms[0].kernel_index, (1, 1), "a meets z");
    }

    type Case = (
        &'static str,
        Op,
        Mode,
        Boundary,
        usize,
        usize,
        &'static [i64],
    );

    /// Reference values, computed once in Python (numpy 2.4.6, scipy 1.17.1) with
    /// A = [[3,-1,2,0,4],[1,5,-2,3,-3],[0,2,4,-1,1],[-2,1,3,2,5]] and the kernels
    /// of `kernels()`:
    /// * Zero / Wrap / Reflect: `scipy.signal.convolve2d(A, K, mode, boundary=b)`
    ///   (Corr: `correlate2d`) with b = 'fill' / 'wrap' / 'symm';
    /// * Nearest (scipy.signal has none): `np.pad(A, pads, mode='edge')` then
    ///   `convolve2d`/`correlate2d(…, 'valid')`, pads = the mode's padding;
    ///   for Reflect the same with `np.pad(mode='symmetric')` agreed with `symm`.
    const SCIPY_2D: &[Case] = include!("testdata/scipy2d.rs");

    fn kernels(name: &str) -> Grid<BigRational> {
        match name {
            "K3" => grid(3, 3, &[1, 2, 0, -1, 3, 1, 2, 0, -2]),
            "K2" => grid(2, 2, &[1, -2, 3, 4]),
            "K23" => grid(2, 3, &[2, -1, 3, 1, 0, -4]),
            "K51" => grid(5, 1, &[1, 2, 3, 4, 5]),
            _ => unreachable!(),
        }
    }

    #[test]
    fn matches_scipy_in_every_mode_and_boundary() {
        let a = grid(
            4,
            5,
            &[
                3, -1, 2, 0, 4, 1, 5, -2, 3, -3, 0, 2, 4, -1, 1, -2, 1, 3, 2, 5,
            ],
        );
        let af = to_f64(&a);
        assert_eq!(SCIPY_2D.len(), 88);
        for &(kn, op, mode, boundary, rows, cols, values) in SCIPY_2D {
            let k = kernels(kn);
            let o = opts(mode, boundary);
            let got = apply2d(op, &a, &k, &o).unwrap();
            assert_eq!(
                got,
                grid(rows, cols, values),
                "{kn} {op:?} {mode:?} {boundary:?}"
            );
            let want = to_f64(&got);
            for method in [Method2d::Direct, Method2d::Fft] {
                let f = apply2d_f64(op, &af, &to_f64(&k), &o, method).unwrap();
                assert_close(&f, &want);
            }
        }
    }

    /// PyTorch `conv2d` (a correlation) with stride, padding and dilation. The
    /// references come from a naive numpy version of PyTorch's formula
    /// (torch itself was not installed):
    /// `out[i,j] = Σ_{a,b} xp[i·s0 + a·d0, j·s1 + b·d1]·w[a,b]`, `xp = np.pad(x, p)`,
    /// out size `(n + 2p − d(k−1) − 1)//s + 1`; the same function with s = d = 1,
    /// p = 0 equals `scipy.signal.correlate2d(x, w, 'valid')`.
    #[test]
    fn matches_pytorch_stride_padding_dilation() {
        let x = grid(
            5,
            6,
            &[
                1, 2, -1, 0, 3, 2, 0, -2, 4, 1, 1, -1, 3, 1, 0, 2, -3, 4, 2, -1, 1, 5, 0, 1, -4, 2,
                3, 1, 2, 0,
            ],
        );
        let w = grid(3, 3, &[1, 0, -1, 2, 1, 0, -1, 3, 1]);
        type TorchCase = (
            (i64, i64),
            (i64, i64),
            (i64, i64),
            usize,
            usize,
            &'static [i64],
        );
        let cases: [TorchCase; 4] = [
            ((2, 2), (1, 1), (2, 2), 2, 2, &[0, 14, -2, 2]),
            (
                (1, 2),
                (0, 1),
                (1, 1),
                3,
                3,
                &[8, 3, -6, 10, 8, -1, -9, 6, 13],
            ),
            ((2, 1), (2, 0), (1, 2), 4, 2, &[-1, 0, -4, 6, 26, 1, -6, 2]),
            ((3, 3), (1, 2), (1, 1), 2, 3, &[0, 18, 4, -7, 6, -4]),
        ];
        for (s, p, d, rows, cols, values) in cases {
            let o = Conv2dOptions::pytorch(s, p, d);
            assert_eq!(
                corr2d(&x, &w, &o).unwrap(),
                grid(rows, cols, values),
                "{s:?} {p:?} {d:?}"
            );
            for method in [Method2d::Direct, Method2d::Fft] {
                let f = apply2d_f64(Op::Corr, &to_f64(&x), &to_f64(&w), &o, method).unwrap();
                assert_close(&f, &to_f64(&grid(rows, cols, values)));
            }
        }
    }

    /// `shape conv(A, K, stride=2, padding=1, dilation=2)` on 5×5:
    /// ⌊(5 + 2·1 − 2·(3−1) − 1)/2⌋ + 1 = 2.
    #[test]
    fn shape_derivation_is_data() {
        let s = shape2d(
            (5, 5),
            (3, 3),
            Op::Conv,
            &Conv2dOptions::pytorch((2, 2), (1, 1), (2, 2)),
        )
        .unwrap();
        let r = s.rows;
        assert_eq!(
            (
                r.n,
                r.pad_before(),
                r.pad_after(),
                r.dilation,
                r.k,
                r.stride
            ),
            (5, 1, 1, 2, 3, 2)
        );
        assert_eq!((r.numerator(), r.out), (2, 2));
        assert_eq!(s.out(), (2, 2));
        // Full mode adds d·(k−1) on each side.
        let f = shape2d(
            (5, 5),
            (3, 3),
            Op::Conv,
            &Conv2dOptions {
                dilation: (2, 1),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            (f.rows.mode_pad, f.rows.out, f.cols.mode_pad, f.cols.out),
            ((4, 4), 9, (2, 2), 7)
        );
        // Same mode: the split differs between conv and corr for even kernels.
        let same = opts(Mode::Same, Boundary::Zero);
        assert_eq!(
            shape2d((4, 4), (2, 4), Op::Conv, &same)
                .unwrap()
                .rows
                .mode_pad,
            (1, 0)
        );
        assert_eq!(
            shape2d((4, 4), (2, 4), Op::Corr, &same)
                .unwrap()
                .rows
                .mode_pad,
            (0, 1)
        );
        assert_eq!(
            shape2d((4, 4), (2, 4), Op::Corr, &same)
                .unwrap()
                .cols
                .mode_pad,
            (1, 2)
        );
        // A kernel that does not fit: out 0, and conv2d says why.
        let v = shape2d((2, 5), (3, 3), Op::Conv, &opts(Mode::Valid, Boundary::Zero)).unwrap();
        assert!(!v.rows.fits());
        assert_eq!(v.out(), (0, 3));
    }

    #[test]
    fn padding_same_keeps_the_size() {
        let a = grid(
            4,
            5,
            &[
                3, -1, 2, 0, 4, 1, 5, -2, 3, -3, 0, 2, 4, -1, 1, -2, 1, 3, 2, 5,
            ],
        );
        for kn in ["K3", "K2", "K23"] {
            let k = kernels(kn);
            for op in [Op::Conv, Op::Corr] {
                for boundary in [Boundary::Zero, Boundary::Reflect] {
                    let by_padding = Conv2dOptions {
                        mode: Mode::Valid,
                        padding: Padding::Same,
                        boundary,
                        ..Default::default()
                    };
                    let got = apply2d(op, &a, &k, &by_padding).unwrap();
                    assert_eq!(got.shape(), (4, 5));
                    assert_eq!(
                        got,
                        apply2d(op, &a, &k, &opts(Mode::Same, boundary)).unwrap()
                    );
                }
            }
        }
        let err = conv2d(
            &a,
            &kernels("K3"),
            &Conv2dOptions {
                padding: Padding::Same,
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("mode=valid"), "{err}");
    }

    #[test]
    fn boundary_sources() {
        let b = |q, rule| boundary_source(q, 4, rule);
        // Half-sample reflect: d c b a | a b c d | d c b a, period 8.
        let reflect: Vec<Option<usize>> = (-6..10).map(|q| b(q, Boundary::Reflect)).collect();
        let want = [2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 1];
        assert_eq!(reflect, want.map(Some));
        assert_eq!(b(-1, Boundary::Wrap), Some(3));
        assert_eq!(b(9, Boundary::Wrap), Some(1));
        assert_eq!(b(-3, Boundary::Nearest), Some(0));
        assert_eq!(b(9, Boundary::Nearest), Some(3));
        assert_eq!(b(-1, Boundary::Zero), None);
        assert_eq!(b(2, Boundary::Zero), Some(2));
        assert_eq!(boundary_source(-3, 1, Boundary::Reflect), Some(0));
    }

    #[test]
    fn bad_options_and_limits() {
        let a = grid(3, 3, &[1; 9]);
        let k = grid(2, 2, &[1; 4]);
        let with = |o: Conv2dOptions| conv2d(&a, &k, &o).unwrap_err().to_string();
        let e = with(Conv2dOptions {
            stride: (0, 1),
            ..Default::default()
        });
        assert_eq!(e, "stride (rows) must be at least 1, got 0");
        let e = with(Conv2dOptions {
            padding: Padding::Explicit(1, -2),
            ..Default::default()
        });
        assert_eq!(e, "padding (columns) must be 0 or more, got -2");
        let e = with(Conv2dOptions {
            dilation: (1, -1),
            ..Default::default()
        });
        assert_eq!(e, "dilation (columns) must be at least 1, got -1");
        let e = with(Conv2dOptions {
            stride: (1, 1 << 40),
            ..Default::default()
        });
        assert!(e.contains("at most 1000000"), "{e}");
        let e = with(Conv2dOptions {
            mode: Mode::Valid,
            dilation: (3, 1),
            ..Default::default()
        });
        assert!(
            e.contains("the kernel spans 4 rows (with dilation) but the padded input has only 3"),
            "{e}"
        );
        assert!(e.contains("use mode=same or mode=full"), "{e}");
        // Rejected before allocating: a 2000001² output.
        let e = with(Conv2dOptions {
            padding: Padding::Explicit(1_000_000, 1_000_000),
            ..Default::default()
        });
        assert!(e.contains("more than the limit of 25000000"), "{e}");
        // The exact path's work limit.
        let big = Grid::from_fn(1000, 1000, |_, _| 0.0f64);
        let k11 = Grid::from_fn(11, 11, |_, _| 1.0f64);
        assert!(matches!(
            conv2d(&big, &k11, &Conv2dOptions::default()),
            Err(ConvError::TooMuchWork { .. })
        ));
        // Floats with NaN take the direct sum (which stays local).
        let mut nan = Grid::from_fn(40, 40, |_, _| 1.0f64);
        nan[(0, 0)] = f64::NAN;
        let k21 = Grid::from_fn(21, 21, |_, _| 1.0f64);
        let c = conv2d_f64(&nan, &k21, &Conv2dOptions::default()).unwrap();
        assert!(c[(0, 0)].is_nan() && c[(30, 30)] == 21.0 * 21.0);
        // Empty matrices.
        let empty: Grid<BigRational> = Grid::new(0, 3, vec![]).unwrap();
        assert_eq!(
            conv2d(&empty, &k, &Conv2dOptions::default()).unwrap_err(),
            ConvError::Empty("the input matrix")
        );
        assert_eq!(
            conv2d(&a, &empty, &Conv2dOptions::default()).unwrap_err(),
            ConvError::Empty("the kernel")
        );
        assert!(window_2d(Op::Conv, &a, &k, &Conv2dOptions::default(), (4, 0)).is_err());
    }

    #[test]
    fn window_shows_padding_and_boundary_values() {
        let a = grid(2, 3, &[1, 2, 3, 4, 5, 6]);
        let k = grid(2, 2, &[1, 10, 100, 1000]);
        // Corr, full, reflect, at (0, 0): taps at input (−1, −1), (−1, 0), (0, −1), (0, 0).
        let w = window_2d(
            Op::Corr,
            &a,
            &k,
            &opts(Mode::Full, Boundary::Reflect),
            (0, 0),
        )
        .unwrap();
        let pos: Vec<(i64, i64)> = w.cells.data().iter().map(|c| c.pos).collect();
        assert_eq!(pos, [(-1, -1), (-1, 0), (0, -1), (0, 0)]);
        let src: Vec<Option<(usize, usize)>> = w.cells.data().iter().map(|c| c.source).collect();
        assert_eq!(
            src,
            [Some((0, 0)), Some((0, 0)), Some((0, 0)), Some((0, 0))]
        );
        let pad: Vec<bool> = w.cells.data().iter().map(|c| c.padding).collect();
        assert_eq!(pad, [true, true, true, false]);
        assert_eq!(w.value, q(1111));
        // Zero fill: the padding holds 0 and no source; zeros=false leaves those terms out.
        let z = opts(Mode::Full, Boundary::Zero);
        let w = window_2d(Op::Corr, &a, &k, &z, (0, 0)).unwrap();
        assert_eq!(w.cells[(0, 0)].source, None);
        assert_eq!(w.value, q(1000));
        let s = steps_2d(Op::Corr, &a, &k, &z, false, Some(0..1)).unwrap();
        assert_eq!(s.rows[0].terms.len(), 1);
        let s = steps_2d(Op::Corr, &a, &k, &z, true, Some(0..1)).unwrap();
        assert_eq!(s.rows[0].terms.len(), 4);
        assert_eq!(s.rows[0].value, q(1000));
    }

    /// PyTorch `conv_transpose2d`, references from a naive numpy version of its
    /// formula (torch not installed): `out[i·s − p + a·d, …] += y[i, j]·w[a, b]`,
    /// size `(n−1)s − 2p + d(k−1) + output_padding + 1`; with s = d = 1, p = 0 it
    /// equals `scipy.signal.convolve2d(y, w, 'full')`.
    #[test]
    fn conv_transpose_matches_pytorch() {
        let y = grid(2, 3, &[1, -2, 3, 2, 0, -1]);
        let w = grid(3, 3, &[1, 0, -1, 2, 1, 0, -1, 3, 1]);
        type TCase = (
            (i64, i64),
            (i64, i64),
            (i64, i64),
            (i64, i64),
            usize,
            usize,
            &'static [i64],
        );
        let cases: [TCase; 3] = [
            (
                (2, 2),
                (1, 1),
                (1, 1),
                (1, 1),
                4,
                6,
                &[
                    1, -4, -2, 6, 3, 0, 3, 1, -6, -6, 9, 4, 2, 0, 0, -2, -1, 0, 6, 2, 0, 1, -3, -1,
                ],
            ),
            (
                (2, 3),
                (0, 1),
                (2, 1),
                (1, 2),
                8,
                9,
                &[
                    0, -1, -2, 0, 2, 3, 0, -3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, -2, -4, -2, 0, 5,
                    3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, -6, -2, -5, 8, 3, 0, 0, 0, 0, 0,
                    0, 0, 0, 0, 0, 6, 2, 0, 0, 0, 1, -3, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                ],
            ),
            (
                (1, 1),
                (0, 0),
                (1, 1),
                (0, 0),
                4,
                5,
                &[
                    1, -2, 2, 2, -3, 4, -3, 1, 3, 1, 3, 7, -10, 6, 3, -2, 6, 3, -3, -1,
                ],
            ),
        ];
        for (stride, padding, dilation, output_padding, rows, cols, values) in cases {
            let o = TransposeOptions {
                stride,
                padding,
                dilation,
                output_padding,
            };
            assert_eq!(
                conv_transpose2d(&y, &w, &o).unwrap(),
                grid(rows, cols, values),
                "{o:?}"
            );
            let (rs, cs) = transpose_shape2d(y.shape(), w.shape(), &o).unwrap();
            assert_eq!((rs.out, cs.out), (rows, cols));
        }
        // 1D: y = [1, 2, 3], k = [1, -1, 2], stride 2, padding 1, output_padding 1.
        let o = Transpose1dOptions {
            stride: 2,
            padding: 1,
            dilation: 1,
            output_padding: 1,
        };
        let got = conv_transpose1d(&[q(1), q(2), q(3)], &[q(1), q(-1), q(2)], &o).unwrap();
        assert_eq!(got, [-1, 4, -2, 7, -3, 6].map(q));
        // Errors.
        let bad = TransposeOptions {
            output_padding: (2, 0),
            stride: (2, 1),
            ..Default::default()
        };
        assert!(conv_transpose2d(&y, &w, &bad)
            .unwrap_err()
            .to_string()
            .contains("smaller than the stride"));
        let bad = Transpose1dOptions {
            output_padding: 1,
            ..Default::default()
        };
        let e = conv_transpose1d(&[q(1)], &[q(1)], &bad)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "output_padding must be smaller than the stride or the dilation (1), got 1"
        );
        let bad = TransposeOptions {
            padding: (3, 0),
            ..Default::default()
        };
        assert!(conv_transpose2d(&y, &w, &bad)
            .unwrap_err()
            .to_string()
            .contains("use less padding"));
    }

    // --- properties ----------------------------------------------------------

    fn int_grid(max: usize) -> impl Strategy<Value = Grid<BigRational>> {
        (1..=max, 1..=max).prop_flat_map(|(r, c)| {
            prop::collection::vec(-9i64..10, r * c).prop_map(move |v| grid(r, c, &v))
        })
    }

    fn float_grid(max: usize) -> impl Strategy<Value = Grid<f64>> {
        (1..=max, 1..=max).prop_flat_map(|(r, c)| {
            prop::collection::vec(-1.0f64..1.0, r * c)
                .prop_map(move |v| Grid::new(r, c, v).unwrap())
        })
    }

    fn any_options() -> impl Strategy<Value = Conv2dOptions> {
        let mode = prop_oneof![Just(Mode::Full), Just(Mode::Same), Just(Mode::Valid)];
        let boundary = prop_oneof![
            Just(Boundary::Zero),
            Just(Boundary::Wrap),
            Just(Boundary::Reflect),
            Just(Boundary::Nearest)
        ];
        (
            mode,
            boundary,
            (1i64..4, 1i64..4),
            (0i64..3, 0i64..3),
            (1i64..3, 1i64..3),
            any::<bool>(),
        )
            .prop_map(
                |(mode, boundary, stride, pad, dilation, same)| Conv2dOptions {
                    mode,
                    boundary,
                    stride,
                    padding: if same && mode == Mode::Valid {
                        Padding::Same
                    } else {
                        Padding::Explicit(pad.0, pad.1)
                    },
                    dilation,
                },
            )
    }

    fn dot(a: &Grid<BigRational>, b: &Grid<BigRational>) -> BigRational {
        a.data()
            .iter()
            .zip(b.data())
            .fold(q(0), |acc, (x, y)| acc + x * y)
    }

    proptest! {
        #![proptest_config(config(64))]

        #[test]
        fn f64_paths_match_the_direct_sum(a in float_grid(9), k in float_grid(4), o in any_options(), corr_op in any::<bool>()) {
            let op = if corr_op { Op::Corr } else { Op::Conv };
            match apply2d(op, &a, &k, &o) {
                Ok(want) => {
                    for method in [Method2d::Auto, Method2d::Direct, Method2d::Fft] {
                        assert_close(&apply2d_f64(op, &a, &k, &o, method).unwrap(), &want);
                    }
                }
                Err(e) => {
                    prop_assert!(matches!(e, ConvError::KernelTooLarge { .. }), "{}", e);
                    prop_assert_eq!(apply2d_f64(op, &a, &k, &o, Method2d::Auto).unwrap_err(), e);
                }
            }
        }

        #[test]
        fn conv_transpose_is_the_adjoint_of_corr(
            x in int_grid(8),
            k in int_grid(3),
            stride in (1i64..4, 1i64..4),
            pad in (0i64..3, 0i64..3),
            dilation in (1i64..3, 1i64..3),
            seed in prop::collection::vec(-9i64..10, 64),
        ) {
            let o = Conv2dOptions::pytorch(stride, pad, dilation);
            let Ok(y) = corr2d(&x, &k, &o) else { return Ok(()) };
            let r = Grid::from_fn(y.rows(), y.cols(), |i, j| q(seed[(i * y.cols() + j) % seed.len()]));
            let s = shape2d(x.shape(), k.shape(), Op::Corr, &o).unwrap();
            let op = |ax: &AxisShape| ax.numerator() % ax.stride as i64;
            let t = TransposeOptions { stride, padding: pad, dilation, output_padding: (op(&s.rows), op(&s.cols)) };
            let xt = conv_transpose2d(&r, &k, &t).unwrap();
            prop_assert_eq!(xt.shape(), x.shape());
            prop_assert_eq!(dot(&y, &r), dot(&x, &xt));
        }

        #[test]
        fn full_conv2d_is_commutative(a in int_grid(5), b in int_grid(5)) {
            let o = Conv2dOptions::default();
            prop_assert_eq!(conv2d(&a, &b, &o).unwrap(), conv2d(&b, &a, &o).unwrap());
        }

        #[test]
        fn corr2d_is_conv2d_with_flipped_kernel_in_full_and_valid(a in int_grid(6), k in int_grid(4), valid in any::<bool>()) {
            let o = Conv2dOptions { mode: if valid { Mode::Valid } else { Mode::Full }, ..Default::default() };
            prop_assert_eq!(corr2d(&a, &k, &o).ok(), conv2d(&a, &k.flipped(), &o).ok());
        }

        #[test]
        fn one_row_conv2d_is_1d_conv(x in prop::collection::vec(-9i64..10, 1..12), y in prop::collection::vec(-9i64..10, 1..6)) {
            for mode in [Mode::Full, Mode::Same, Mode::Valid] {
                let one = conv(SeqRef::new(0, &x.iter().map(|&v| q(v)).collect::<Vec<_>>()), SeqRef::new(0, &y.iter().map(|&v| q(v)).collect::<Vec<_>>()), mode).unwrap();
                let two = conv2d(&grid(1, x.len(), &x), &grid(1, y.len(), &y), &opts(mode, Boundary::Zero));
                match two {
                    Ok(g) => prop_assert_eq!(g.into_data(), one.seq.values),
                    Err(_) => prop_assert!(one.seq.is_empty()),
                }
            }
        }
    }
}
