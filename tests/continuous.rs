//! The continuous engine against closed forms and values from an independent
//! high-precision integrator, and the honesty of its error estimates.
//!
//! "mpmath" values: mpmath.quad at 30 digits, split at every breakpoint of
//! both factors, computed once and pasted here.

// Reference values are pasted at the precision they were computed (1/π among them).
#![allow(clippy::excessive_precision, clippy::approx_constant)]

use convolab::value::Value;
use convolab::Session;

fn session(defs: &str) -> Session {
    let mut s = Session::new();
    s.run_collect(defs)
        .unwrap_or_else(|d| panic!("{defs}: {}", d.message));
    s
}

/// The value at t and the error convolab reports for it.
fn value(s: &mut Session, call: &str) -> (f64, f64) {
    match s
        .eval_str(call)
        .unwrap_or_else(|d| panic!("{call}: {}", d.message))
    {
        Value::Estimate(e) => {
            assert!(e.warning.is_none(), "{call}: {:?}", e.warning);
            (e.value, e.error)
        }
        other => (
            other
                .as_number()
                .unwrap_or_else(|| panic!("{call}: {}", other.kind_name()))
                .to_f64(),
            0.0,
        ),
    }
}

/// |value − want| ≤ tol, and the reported error bound covers the true error
/// (with a round-off allowance of a few ulps of the value).
fn check(s: &mut Session, call: &str, want: f64, tol: f64) {
    let (v, e) = value(s, call);
    let err = (v - want).abs();
    assert!(err <= tol, "{call} = {v}, want {want} (error {err:e})");
    assert!(
        err <= e + 8.0 * f64::EPSILON * (1.0 + want.abs()),
        "{call}: true error {err:e} exceeds the reported {e:e}"
    );
}

#[test]
fn rect_times_triangle_matches_mpmath() {
    let mut s = session("f(t) = { 1 if 0 <= t < 1 }\ng(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }\nh = conv(f, g)");
    let ts = [-0.5, 0.25, 0.7, 1.0, 1.3, 1.9, 2.2, 2.75, 3.2];
    let want = [0.0, 0.03125, 0.245, 0.5, 0.71, 0.59, 0.32, 0.03125, 0.0];
    for (t, w) in ts.iter().zip(want) {
        check(&mut s, &format!("h({t})"), w, 1e-13);
    }
}

#[test]
fn exponential_times_box_closed_form() {
    let mut s = session("e1(t) = exp(-t) * u(t)\nb(t) = { 1 if 0 <= t < 2 }\nh = conv(e1, b)");
    // 1 − e^{−t} on [0, 2), e^{−(t−2)} − e^{−t} after.
    for t in [-1.0f64, 0.1, 0.5, 1.0, 1.99, 2.5, 4.0, 10.0, 30.0] {
        let want = if t < 0.0 {
            0.0
        } else if t < 2.0 {
            1.0 - (-t).exp()
        } else {
            (-(t - 2.0)).exp() - (-t).exp()
        };
        check(&mut s, &format!("h({t})"), want, 1e-13);
    }
}

#[test]
fn gauss_times_gauss_is_gauss_with_added_variances() {
    let mut s = session("g1(t) = gauss(t, 1)\ng2(t) = gauss(t, 2)\nh = conv(g1, g2)");
    let sd = 5f64.sqrt();
    for t in [0.0f64, 0.5, 1.0, 2.0, 3.5, -4.0, 8.0] {
        let want = (-t * t / (2.0 * sd * sd)).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt());
        check(&mut s, &format!("h({t})"), want, 1e-12);
    }
}

#[test]
fn polynomial_piece_times_half_sine_matches_mpmath() {
    let mut s = session(
        "p(t) = { t if 0 <= t < 1 }\nhs(t) = { sin(pi*t) if 0 <= t <= 1 }\nh = conv(p, hs)",
    );
    let ts = [-0.5, 0.25, 0.7, 1.0, 1.3, 1.9, 2.2];
    let want = [
        0.0,
        0.0079325755146031350262,
        0.14084636087181725583,
        0.31830988618379067154,
        0.36456138206970118642,
        0.015058173744816144831,
        0.0,
    ];
    for (t, w) in ts.iter().zip(want) {
        check(&mut s, &format!("h({t})"), w, 1e-13);
    }
}

#[test]
fn sinusoid_through_a_causal_exponential_weight() {
    // cos * e^{−t}u: the steady state (cos t + sin t)/2 for every t (the input
    // has been on forever).
    let mut s = session("c(t) = cos(t)\nw(t) = exp(-t) * u(t)\nh = conv(c, w)");
    for t in [0.0f64, 0.3, 1.0, 2.5, -3.0, 7.0] {
        let want = (t.cos() + t.sin()) / 2.0;
        check(&mut s, &format!("h({t})"), want, 1e-10);
    }
}

#[test]
fn correlation_of_two_pieces_matches_mpmath() {
    let mut s = session("f(t) = { 1 if 0 <= t < 1 }\ng(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }\nr = corr(f, g)");
    let ts = [-2.2, -1.5, -0.7, 0.0, 0.4, 0.9];
    let want = [0.0, 0.125, 0.71, 0.5, 0.18, 0.005];
    for (t, w) in ts.iter().zip(want) {
        check(&mut s, &format!("r({t})"), w, 1e-13);
    }
}

#[test]
fn a_curve_over_many_points() {
    let mut s = session("f(t) = { 1 if 0 <= t < 1 }\ng(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }\nh = conv(f, g)");
    let Value::Sequence(q) = s.eval_str("h(linspace(-1, 4, 1001))").unwrap() else {
        panic!()
    };
    let v = q.elems.floats().unwrap();
    assert_eq!(v.len(), 1001);
    // Closed form of rect[0,1) * triangle[0,2]:
    let closed = |t: f64| -> f64 {
        if t <= 0.0 || t >= 3.0 {
            0.0
        } else if t < 1.0 {
            t * t / 2.0
        } else if t < 2.0 {
            // ∫_{t−1}^{1} (2 − u) … split at u = 1: 1/2 − (t−1)²/2 + (1 − (2 − t)²/2) − 1/2 …
            -t * t + 3.0 * t - 1.5
        } else {
            (3.0 - t) * (3.0 - t) / 2.0
        }
    };
    for (i, x) in v.iter().enumerate() {
        let t = -1.0 + 5.0 * i as f64 / 1000.0;
        assert!(
            (x - closed(t)).abs() <= 1e-13,
            "t = {t}: {x} vs {}",
            closed(t)
        );
    }
}

#[test]
fn conv_of_conv_and_integrals() {
    let mut s = session("f(t) = { 1 if 0 <= t < 1 }\nh = conv(f, f)\nk = conv(h, f)");
    // Three boxes: the quadratic B-spline, 3/4 at its centre.
    check(&mut s, "k(1.5)", 0.75, 1e-12);
    check(&mut s, "integrate(k)", 1.0, 1e-12);
    check(&mut s, "integrate(f, 0, 0.5)", 0.5, 1e-15);
}

#[test]
fn divergent_and_singular_integrals_say_so() {
    let mut s =
        session("s(t) = sin(t)\nq(t) = { 1/t if 0 < t < 1 }\nr(t) = { 1/sqrt(t) if 0 < t < 1 }");
    s.run_collect("ss = conv(s, s)").unwrap();
    let e = s.eval_str("ss(1)").unwrap_err();
    assert!(e.message.contains("diverge"), "{}", e.message);
    let e = s.run_collect("integrate(q)");
    match e {
        Err(d) => assert!(
            d.message.contains("singular") || d.message.contains("diverge"),
            "{}",
            d.message
        ),
        Ok(out) => assert!(
            out.join("").contains("warning") || out.join("").contains("±"),
            "{out:?}"
        ),
    }
    // 1/sqrt(t) is integrable: 2.
    check(&mut s, "integrate(r)", 2.0, 1e-8);
}

#[test]
fn sampling_and_bad_steps() {
    let mut s = session("g(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }\ne1(t) = exp(-t)*u(t)");
    let Value::Sequence(q) = s.eval_str("sample(g, 0.5)").unwrap() else {
        panic!()
    };
    assert_eq!(q.start, 0);
    assert_eq!(
        q.elems.floats().unwrap().into_owned(),
        vec![0.0, 0.5, 1.0, 0.5, 0.0]
    );
    assert!(s.eval_str("sample(g, 0)").is_err());
    assert!(s.eval_str("sample(g, -0.5)").is_err());
    let e = s.eval_str("sample(e1, 0.5)").unwrap_err();
    assert!(e.hint.as_deref().unwrap_or("").contains("to="), "{e:?}");
    assert!(s.eval_str("sample(e1, 0.5, from=0, to=2)").is_ok());
    let e = s.eval_str("sample(g, 1e-9)").unwrap_err();
    assert!(e.message.contains("limit"), "{}", e.message);
}

/// The pair plan of a curve gives the same values as testing every pair.
#[test]
fn the_pair_plan_agrees_with_testing_every_pair() {
    use convolab::engine::continuous::{prepare, value_at, value_at_planned, Op, PairPlan};
    let mut s = session(
        "f(t) = { t if -1 <= t < 0.5; 2 if 0.5 <= t < 1; exp(-t) if t >= 3 }\ng(t) = { 1 - t^2 if -1 <= t <= 1; 0.5 if 2 <= t < 2.5 }",
    );
    let get = |s: &mut Session, n: &str| match s.eval_str(n).unwrap() {
        Value::Function(f) => f,
        _ => panic!(),
    };
    let (f, g) = (get(&mut s, "f"), get(&mut s, "g"));
    let (pf, pg) = (prepare(&f).unwrap(), prepare(&g).unwrap());
    for op in [Op::Conv, Op::Corr] {
        let plan = PairPlan::new(&pf, &pg, op);
        for i in 0..=400 {
            let t = -6.0 + 12.0 * i as f64 / 400.0;
            let a = value_at(&pf, &pg, op, t, &|| false).unwrap();
            let b = value_at_planned(&pf, &pg, op, t, Some(&plan), &|| false).unwrap();
            assert_eq!(a.value, b.value, "{op:?} at t = {t}");
        }
    }
}
