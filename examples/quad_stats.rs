//! How honest is `integrate`'s error estimate? A statistical check.
//!
//! Integrates random members of four families of integrands whose integrals
//! are known in closed form, and reports per family the worst ratio of the
//! true error to the reported error (above 1 means the estimate
//! under-reported: a *violation*), how many integrations did not converge and
//! why, and the mean number of evaluations.
//!
//! ```text
//! cargo run --release --example quad_stats            # 20000 samples per family
//! cargo run --release --example quad_stats -- 1000    # fewer, faster
//! SEED=7 cargo run --release --example quad_stats     # another random stream
//! ```
//!
//! The families:
//!
//! * `tails`: `e^{−λs}·cos(ωs) + (1 + s)^{−q}` over `[0, ∞)`, a damped
//!   oscillation plus a slowly decaying algebraic tail.
//! * `damped`: `A·e^{−λt}·cos(ωt + φ)` over `[0, ∞)`.
//! * `lorentz`: two narrow Lorentzian peaks (widths down to 1e-4) anywhere in
//!   a finite range, with no breakpoints, plus a fast oscillation.
//! * `smooth`: `sin(kt) + c·t²` over a finite range.
//!
//! The first few violations and non-converged cases are printed with their
//! parameters. The exit status is 1 when there was any violation.

use std::collections::BTreeMap;
use std::process::ExitCode;

use convolab::engine::quad::{integrate, QuadOptions, QuadResult, QuadStatus};

/// How many violations and non-converged cases are printed in full.
const SHOW: usize = 5;

/// A 64-bit linear congruential generator: reproducible without a dependency.
struct Lcg(u64);

impl Lcg {
    /// Uniform in `[0, 1)`.
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[a, b)`.
    fn r(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.next()
    }
}

/// One sample: the result, the exact value, and the parameters for printing.
struct Case {
    result: QuadResult,
    exact: f64,
    params: String,
}

fn status_name(s: QuadStatus) -> &'static str {
    match s {
        QuadStatus::Converged => "Converged",
        QuadStatus::MaxEvals => "MaxEvals",
        QuadStatus::Diverges => "Diverges",
        QuadStatus::Singular { .. } => "Singular",
        QuadStatus::NonFinite { .. } => "NonFinite",
        QuadStatus::Interrupted => "Interrupted",
    }
}

/// Runs `n` samples of one family; returns its number of violations.
fn run(name: &str, n: usize, seed: u64, mut case: impl FnMut(&mut Lcg) -> Case) -> usize {
    let mut rng = Lcg(seed);
    let (mut worst, mut violations, mut evals) = (0.0f64, 0, 0usize);
    let mut not_converged: BTreeMap<&str, usize> = BTreeMap::new();
    for _ in 0..n {
        let Case {
            result: r,
            exact,
            params,
        } = case(&mut rng);
        evals += r.evals;
        let true_error = (r.value - exact).abs();
        if !r.converged() {
            let count = not_converged.entry(status_name(r.status)).or_insert(0);
            *count += 1;
            if *count <= SHOW {
                println!("  {name}: not converged {r:?}, exact {exact}, true error {true_error:e}; {params}");
            }
        }
        let ratio = true_error / r.error.max(1e-15);
        if ratio > 1.0 {
            violations += 1;
            if violations <= SHOW {
                println!("  {name}: VIOLATION true/err {ratio:.3} {r:?}, exact {exact}; {params}");
            }
        }
        worst = worst.max(ratio);
    }
    println!(
        "{name:8} worst true/err {worst:.3}  violations {violations}/{n}  \
         not converged {not_converged:?}  mean evals {:.0}",
        evals as f64 / n as f64
    );
    violations
}

fn main() -> ExitCode {
    let n: usize = match std::env::args().nth(1) {
        None => 20_000,
        Some(arg) => match arg.parse() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!("usage: quad_stats [samples per family]");
                return ExitCode::from(2);
            }
        },
    };
    let seed: u64 = std::env::var("SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let o = QuadOptions::default();
    let quad =
        |f: &mut dyn FnMut(f64) -> f64, a: f64, b: f64| integrate(f, a, b, &[], &o, &|| false);
    println!("{n} samples per family, SEED={seed}, {o:?}");

    let mut violations = 0;
    violations += run("tails", n, seed, |g| {
        let (lam, p, om) = (g.r(0.01, 3.0), g.r(0.0, 6.0), g.r(0.0, 20.0));
        let q = p + 1.05;
        Case {
            result: quad(
                &mut |s: f64| (-lam * s).exp() * (om * s).cos() + (1.0 + s).powf(-q),
                0.0,
                f64::INFINITY,
            ),
            exact: lam / (lam * lam + om * om) + 1.0 / (q - 1.0),
            params: format!("λ = {lam}, q = {q}, ω = {om}"),
        }
    });
    violations += run("damped", n, seed, |g| {
        let (amp, lam, om, phi) = (
            g.r(-3.0, 3.0),
            g.r(0.2, 5.0),
            g.r(0.0, 10.0),
            g.r(-3.2, 3.2),
        );
        Case {
            result: quad(
                &mut |t: f64| amp * (-lam * t).exp() * (om * t + phi).cos(),
                0.0,
                f64::INFINITY,
            ),
            exact: amp * (lam * phi.cos() - om * phi.sin()) / (lam * lam + om * om),
            params: format!("A = {amp}, λ = {lam}, ω = {om}, φ = {phi}"),
        }
    });
    violations += run("lorentz", n, seed, |g| {
        let (a, w) = (g.r(-3.0, 3.0), g.r(0.01, 5.0));
        let b = a + w;
        let (c1, c2) = (a + g.r(0.0, 1.0) * w, a + g.r(0.0, 1.0) * w);
        let (e1, e2) = (10f64.powf(g.r(-4.0, 0.0)), 10f64.powf(g.r(-4.0, 0.0)));
        let (om, amp) = (g.r(0.0, 200.0), g.r(-2.0, 2.0));
        let mut f = |t: f64| {
            1.0 / ((t - c1).powi(2) + e1 * e1)
                + 0.5 / ((t - c2).powi(2) + e2 * e2)
                + amp * (om * t).cos()
        };
        Case {
            result: quad(&mut f, a, b),
            exact: (((b - c1) / e1).atan() - ((a - c1) / e1).atan()) / e1
                + 0.5 * (((b - c2) / e2).atan() - ((a - c2) / e2).atan()) / e2
                + amp * ((om * b).sin() - (om * a).sin()) / om,
            params: format!(
                "[{a}, {b}], peaks at {c1} (width {e1}) and {c2} (width {e2}), A = {amp}, ω = {om}"
            ),
        }
    });
    violations += run("smooth", n, seed, |g| {
        let (a, w, k, c) = (
            g.r(-3.0, 3.0),
            g.r(0.1, 5.0),
            g.r(0.1, 30.0),
            g.r(-2.0, 2.0),
        );
        let b = a + w;
        Case {
            result: quad(&mut |t: f64| (k * t).sin() + c * t * t, a, b),
            exact: ((k * a).cos() - (k * b).cos()) / k + c * (b * b * b - a * a * a) / 3.0,
            params: format!("[{a}, {b}], k = {k}, c = {c}"),
        }
    });

    if violations == 0 {
        ExitCode::SUCCESS
    } else {
        println!("{violations} violations in all");
        ExitCode::FAILURE
    }
}
