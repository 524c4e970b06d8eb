//! The workloads of bench/compare.py, timed in this process with the
//! library: prints one JSON object of medians (seconds) and checks.
//!
//! `cargo run --release --example bench_ops [-- REPEATS]`

use std::time::Instant;

use convolab::engine::continuous::{prepare, value_at_planned, Op as COp, PairPlan};
use convolab::engine::conv2d::{apply2d_f64, Boundary, Conv2dOptions, Method2d};
use convolab::engine::discrete::{conv_direct, convolve_f64, Algorithm, Mode, Op, SeqRef};
use convolab::value::grid::Grid;
use convolab::value::Value;
use convolab::Session;

/// Median wall time of `f` over `n` runs (after one warm-up).
fn median(n: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut t: Vec<f64> = (0..n)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

/// Deterministic pseudo-random floats in [-1, 1) (the same generator as compare.py).
pub fn lcg(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

fn main() {
    let reps: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(15);
    let mut out = serde_json::Map::new();

    // 1D: 10^6 × 10^3, full.
    let x = lcg(1_000_000, 1);
    let y = lcg(1_000, 2);
    let t1 = median(reps, || {
        let r = convolve_f64(
            Op::Conv,
            SeqRef::new(0, &x),
            SeqRef::new(0, &y),
            Mode::Full,
            Algorithm::Auto,
        )
        .unwrap();
        std::hint::black_box(r);
    });
    out.insert("conv1d".into(), t1.into());
    // Accuracy against the direct sum on a window (the full direct sum is 10^9 multiply-adds).
    let fast = convolve_f64(
        Op::Conv,
        SeqRef::new(0, &x),
        SeqRef::new(0, &y),
        Mode::Full,
        Algorithm::Auto,
    )
    .unwrap();
    let direct = conv_direct(&x[..20_000], &y);
    let scale = direct.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let err = direct[..19_000]
        .iter()
        .zip(&fast.seq.values)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
        / scale;
    out.insert("conv1d_rel_err".into(), err.into());

    // 2D: 512×512 × 5×5, same size, half-sample reflect (= scipy.ndimage.convolve's default).
    let a = Grid::new(512, 512, lcg(512 * 512, 3)).unwrap();
    let k = Grid::new(5, 5, lcg(25, 4)).unwrap();
    let opts = Conv2dOptions {
        mode: Mode::Same,
        boundary: Boundary::Reflect,
        ..Conv2dOptions::default()
    };
    let t2 = median(reps, || {
        std::hint::black_box(apply2d_f64(Op::Conv, &a, &k, &opts, Method2d::Auto).unwrap());
    });
    out.insert("conv2d".into(), t2.into());

    // The continuous curve of rect * triangle at 1000 points.
    let mut s = Session::new();
    s.run_collect("f(t) = { 1 if 0 <= t < 1 }\ng(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }\nh = conv(f, g)\nxs = 1.0*linspace(-1, 4, 1000)")
        .unwrap();
    let t3 = median(reps * 20, || {
        std::hint::black_box(s.eval_str("h(xs)").unwrap());
    });
    out.insert("curve".into(), t3.into());

    // Exact rationals whose denominators grow: conv of x[n] = 1/(n+7),
    // n = 0…399, with itself (160 000 multiply-adds of fractions).
    let mut e = Session::new();
    e.run_collect("x[n] = { 1/(n+7) if 0 <= n < 400 }").unwrap();
    let t5 = median(reps.div_ceil(3), || {
        std::hint::black_box(e.eval_str("conv(x, x)").unwrap());
    });
    out.insert("exact_harmonic".into(), t5.into());
    // The same with the numeric integrator only (no closed form).
    let (f, g) = match (s.eval_str("f").unwrap(), s.eval_str("g").unwrap()) {
        (Value::Function(f), Value::Function(g)) => (f, g),
        _ => unreachable!(),
    };
    let (pf, pg) = (prepare(&f).unwrap(), prepare(&g).unwrap());
    let plan = PairPlan::new(&pf, &pg, COp::Conv);
    let ts: Vec<f64> = (0..1000).map(|i| -1.0 + 5.0 * i as f64 / 999.0).collect();
    let t4 = median(reps * 20, || {
        for &t in &ts {
            std::hint::black_box(
                value_at_planned(&pf, &pg, COp::Conv, t, Some(&plan), &|| false).unwrap(),
            );
        }
    });
    out.insert("curve_numeric".into(), t4.into());
    let closed = |t: f64| -> f64 {
        if t <= 0.0 || t >= 3.0 {
            0.0
        } else if t < 1.0 {
            t * t / 2.0
        } else if t < 2.0 {
            -t * t + 3.0 * t - 1.5
        } else {
            (3.0 - t) * (3.0 - t) / 2.0
        }
    };
    let max_err = ts
        .iter()
        .map(|&t| {
            (value_at_planned(&pf, &pg, COp::Conv, t, Some(&plan), &|| false)
                .unwrap()
                .value
                - closed(t))
            .abs()
        })
        .fold(0.0, f64::max);
    out.insert("curve_max_err".into(), max_err.into());

    println!("{}", serde_json::Value::Object(out));
}
