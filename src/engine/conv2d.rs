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

use std::ops::Range;
use std::sync::Arc;

use num_complex::Complex;
use realfft::RealFftPlanner;

use crate::engine::discrete::{clip_usize, ConvError, Mode, Op, MAX_DIRECT_WORK};
use crate::engine::grid::Grid;
use crate::engine::ring::Ring;
use crate::trace::discrete::{
    Row2d, Steps2d, Term2d, Window2d, WindowCell, MAX_STEP_ROWS, MAX_STEP_TERMS,
};

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
        Padding::Explicit(r, c) => Some(((("padding (rows)"), r), ("padding (columns)", c))),
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
        ("stride (rows)", opts.stride.0),
        ("dilation (rows)", opts.dilation.0),
        pads.map(|p| p.0),
    )?;
    let cols = axis_shape(
        input.1,
        kernel.1,
        op,
        opts.mode,
        ("stride (columns)", opts.stride.1),
        ("dilation (columns)", opts.dilation.1),
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
    check_work(plan.work())?;
    let ku = plan.applied(k);
    let (kr, kc) = k.shape();
    Ok(Grid::from_fn(
        plan.shape.rows.out,
        plan.shape.cols.out,
        |i, j| {
            let mut acc = T::zero();
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
        },
    ))
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
    if cells > MAX_FFT_CELLS {
        return Method2d::Direct;
    }
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
    let method = match method {
        Method2d::Auto => choose_2d(&plan),
        Method2d::Fft if fft_len_2d(&plan).0 * fft_len_2d(&plan).1 > MAX_FFT_CELLS => {
            Method2d::Direct
        }
        m => m,
    };
    match method {
        Method2d::Fft => Ok(fft_2d(&plan, a, k)),
        _ => direct_2d_f64(&plan, a, k),
    }
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
    Grid::new(rs.out, oc, out)
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

fn transpose_axis(
    n: usize,
    k: usize,
    axis: &'static str,
    s: i64,
    p: i64,
    d: i64,
    op: i64,
) -> Result<TransposeAxis, ConvError> {
    let name = |o: &'static str| -> &'static str {
        match (o, axis) {
            ("stride", "rows") => "stride (rows)",
            ("stride", _) => "stride (columns)",
            ("padding", "rows") => "padding (rows)",
            ("padding", _) => "padding (columns)",
            ("dilation", "rows") => "dilation (rows)",
            ("dilation", _) => "dilation (columns)",
            ("output_padding", "rows") => "output_padding (rows)",
            _ => "output_padding (columns)",
        }
    };
    let s = check_option(name("stride"), s, 1)?;
    let p = check_option(name("padding"), p, 0)?;
    let d = check_option(name("dilation"), d, 1)?;
    let op = check_option(name("output_padding"), op, 0)?;
    if op >= s.max(d) {
        return Err(ConvError::ShapeMismatch(format!(
            "output_padding ({axis}) must be smaller than the stride or the dilation ({}), got {op}",
            s.max(d)
        )));
    }
    let out =
        (n as i128 - 1) * s as i128 - 2 * p as i128 + d as i128 * (k as i128 - 1) + op as i128 + 1;
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
        "rows",
        o.stride.0,
        o.padding.0,
        o.dilation.0,
        o.output_padding.0,
    )?;
    let cols = transpose_axis(
        input.1,
        kernel.1,
        "columns",
        o.stride.1,
        o.padding.1,
        o.dilation.1,
        o.output_padding.1,
    )?;
    Ok((rows, cols))
}

/// Transposed convolution, PyTorch's `conv_transpose2d`:
/// `out[i·s − p + a·d] += y[i]·K[a]` per axis — the adjoint of [`corr2d`]
/// with the same stride, padding and dilation (`mode = valid`, zero boundary):
/// `⟨corr2d(x, K), y⟩ = ⟨x, conv_transpose2d(y, K)⟩`.
pub fn conv_transpose2d<T: Ring>(
    y: &Grid<T>,
    k: &Grid<T>,
    opts: &TransposeOptions,
) -> Result<Grid<T>, ConvError> {
    let (rs, cs) = transpose_shape2d(y.shape(), k.shape(), opts)?;
    let cells = rs.out as u128 * cs.out as u128;
    if cells > MAX_CELLS as u128 {
        return Err(too_large(
            format!("the {}×{} output", rs.out, cs.out),
            cells,
            "use a smaller input or stride",
        ));
    }
    check_work(y.data().len() as u128 * k.data().len() as u128)?;
    let mut out = Grid::from_fn(rs.out, cs.out, |_, _| T::zero());
    let place = |i: usize, a: usize, ax: &TransposeAxis| -> Option<usize> {
        let q = (i * ax.stride + a * ax.dilation) as i64 - ax.padding as i64;
        (0..ax.out as i64).contains(&q).then_some(q as usize)
    };
    for i in 0..y.rows() {
        for ta in 0..k.rows() {
            let Some(r) = place(i, ta, &rs) else { continue };
            for j in 0..y.cols() {
                for tb in 0..k.cols() {
                    if let Some(c) = place(j, tb, &cs) {
                        out[(r, c)].add_mul(&y[(i, j)], &k[(ta, tb)]);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// 1D transposed convolution (PyTorch's `conv_transpose1d`), the adjoint of
/// the strided, padded, dilated correlation. Indices start at 0.
pub fn conv_transpose1d<T: Ring>(
    y: &[T],
    k: &[T],
    opts: &Transpose1dOptions,
) -> Result<Vec<T>, ConvError> {
    let yg = Grid::new(1, y.len(), y.to_vec())?;
    let kg = Grid::new(1, k.len(), k.to_vec())?;
    let o = TransposeOptions {
        stride: (1, opts.stride),
        padding: (0, opts.padding),
        dilation: (1, opts.dilation),
        output_padding: (0, opts.output_padding),
    };
    Ok(conv_transpose2d(&yg, &kg, &o)?.into_data())
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
            Row2d {
                out: (i, j),
                terms,
                value,
            }
        })
        .collect();
    Ok(Steps2d {
        op,
        shape: (or, oc),
        zeros,
        rows,
    })
}
