//! `cargo bench`: the workloads of issue 8. bench/compare.py times the same
//! work against numpy/scipy and prints the ratios.

use std::hint::black_box;
use std::rc::Rc;
use std::time::Duration;

use convolab::engine::continuous::{prepare, value_at_planned, Op as COp, PairPlan};
use convolab::engine::conv2d::{apply2d_f64, Boundary, Conv2dOptions, Method2d};
use convolab::engine::discrete::{convolve_f64, Algorithm, Mode, Op, SeqRef};
use convolab::engine::exact::{conv_exact, PwExpPoly};
use convolab::render::doc::Format;
use convolab::value::function::Function;
use convolab::value::grid::Grid;
use convolab::value::Value;
use convolab::Session;
use criterion::{criterion_group, criterion_main, Criterion};

fn lcg(n: usize, seed: u64) -> Vec<f64> {
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

fn function(s: &mut Session, name: &str) -> Rc<Function> {
    match s.eval_str(name).expect("defined") {
        Value::Function(f) => f,
        _ => unreachable!(),
    }
}

fn discrete(c: &mut Criterion) {
    let x = lcg(1_000_000, 1);
    let y = lcg(1_000, 2);
    c.bench_function("conv1d 10^6 x 10^3 (f64, full)", |b| {
        b.iter(|| {
            convolve_f64(
                Op::Conv,
                SeqRef::new(0, black_box(&x)),
                SeqRef::new(0, &y),
                Mode::Full,
                Algorithm::Auto,
            )
            .unwrap()
        })
    });
    let a = Grid::new(512, 512, lcg(512 * 512, 3)).unwrap();
    let k = Grid::new(5, 5, lcg(25, 4)).unwrap();
    for (label, boundary) in [("zero", Boundary::Zero), ("reflect", Boundary::Reflect)] {
        let opts = Conv2dOptions {
            mode: Mode::Same,
            boundary,
            ..Conv2dOptions::default()
        };
        c.bench_function(&format!("conv2d 512^2 x 5x5 (same, {label})"), |b| {
            b.iter(|| apply2d_f64(Op::Conv, black_box(&a), &k, &opts, Method2d::Auto).unwrap())
        });
    }
}

const FG: &str = "f(t) = { 1 if 0 <= t < 1 }\ng(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }";

fn continuous(c: &mut Criterion) {
    let mut s = Session::new();
    s.run_collect(&format!(
        "{FG}\nh = conv(f, g)\nxs = 1.0*linspace(-1, 4, 1000)"
    ))
    .unwrap();
    c.bench_function("rect*triangle curve, 1000 points (session)", |b| {
        b.iter(|| s.eval_str(black_box("h(xs)")).unwrap())
    });
    let (f, g) = (function(&mut s, "f"), function(&mut s, "g"));
    let (pf, pg) = (prepare(&f).unwrap(), prepare(&g).unwrap());
    let plan = PairPlan::new(&pf, &pg, COp::Conv);
    let ts: Vec<f64> = (0..1000).map(|i| -1.0 + 5.0 * i as f64 / 999.0).collect();
    c.bench_function(
        "rect*triangle curve, 1000 points (numeric integrator)",
        |b| {
            b.iter(|| {
                for &t in &ts {
                    black_box(
                        value_at_planned(&pf, &pg, COp::Conv, t, Some(&plan), &|| false).unwrap(),
                    );
                }
            })
        },
    );
}

fn exact(c: &mut Criterion) {
    let mut s = Session::new();
    s.run_collect("tri(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }")
        .unwrap();
    // Ten polynomial pieces of rising degree on [0, 10).
    let pieces: Vec<String> = (0..10)
        .map(|i| format!("{}*t^{} - {} if {i} <= t < {}", i + 1, i % 4, i, i + 1))
        .collect();
    s.run_collect(&format!("p(t) = {{ {} }}", pieces.join("; ")))
        .unwrap();
    let to = |s: &mut Session, n: &str| -> PwExpPoly {
        let f = function(s, n);
        convolab::eval::exact::to_pw(&f, n).unwrap()
    };
    let (tri, p) = (to(&mut s, "tri"), to(&mut s, "p"));
    c.bench_function("exact triangle*triangle", |b| {
        b.iter(|| conv_exact(black_box(&tri), &tri).unwrap())
    });
    c.bench_function("exact 10 pieces * 10 pieces", |b| {
        b.iter(|| conv_exact(black_box(&p), &p).unwrap())
    });
    // Sequences of fractions whose common denominators grow to hundreds of
    // digits: the rational arithmetic, not the loop, dominates.
    let mut h = Session::new();
    h.run_collect("x[n] = { 1/(n+7) if 0 <= n < 400 }").unwrap();
    c.bench_function("exact conv of 1/(n+7), 400 x 400", |b| {
        b.iter(|| h.eval_str(black_box("conv(x, x)")).unwrap())
    });
}

fn tables(c: &mut Criterion) {
    let a: Vec<String> = (0..100).map(|i| ((i * 7) % 13).to_string()).collect();
    let b: Vec<String> = (0..100).map(|i| ((i * 5) % 11).to_string()).collect();
    let mut s = Session::new();
    s.run_collect(&format!("a = [{}]; b = [{}]", a.join(", "), b.join(", ")))
        .unwrap();
    s.settings.format = Format::Text;
    c.bench_function("steps conv of two length-100 sequences, as text", |bch| {
        bch.iter(|| s.run_collect(black_box("steps conv(a, b)")).unwrap())
    });
}

fn startup(c: &mut Criterion) {
    let bin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/convolab");
    if !bin.exists() {
        eprintln!("skipping the start-up benchmark: build target/release/convolab first (cargo build --release)");
        return;
    }
    c.bench_function("process start-up + small steps table", |b| {
        b.iter(|| {
            std::process::Command::new(&bin)
                .args([
                    "-c",
                    "a = [1, 0.5, 1, 1]; b = [1, 0.5, 0.25]; steps conv(a, b)",
                ])
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_millis(500));
    targets = discrete, continuous, exact, tables, startup
}
criterion_main!(benches);
