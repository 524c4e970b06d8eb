//! Closed forms (`exact(conv(f, g))`): each example is checked three ways —
//! the returned pieces evaluated, the printed CAS `expr` strings parsed back
//! as convolab functions, and the numeric engine (which never sees the
//! closed form) — and they must agree to 1e-12.

use std::rc::Rc;

use convolab::engine::continuous::{prepare, value_at, Op};
use convolab::render::doc::Format;
use convolab::value::function::Function;
use convolab::value::Value;
use convolab::Session;
use serde_json::Value as Json;

fn session(defs: &str) -> Session {
    let mut s = Session::new();
    s.run_collect(defs)
        .unwrap_or_else(|d| panic!("{defs}: {}", d.message));
    s
}

fn function(s: &mut Session, name: &str) -> Rc<Function> {
    match s
        .eval_str(name)
        .unwrap_or_else(|d| panic!("{name}: {}", d.message))
    {
        Value::Function(f) => f,
        other => panic!("{name} is {}", other.kind_name()),
    }
}

fn number(s: &mut Session, e: &str) -> f64 {
    match s
        .eval_str(e)
        .unwrap_or_else(|d| panic!("{e}: {}", d.message))
    {
        Value::Estimate(x) => x.value,
        v => v
            .as_number()
            .unwrap_or_else(|| panic!("{e}: {}", v.kind_name()))
            .to_f64(),
    }
}

/// The JSON of `exact(op(f, g))`.
fn closed_json(s: &mut Session, call: &str) -> Json {
    s.settings.format = Format::Json;
    let out = s
        .run_collect(call)
        .unwrap_or_else(|d| panic!("{call}: {}", d.message));
    s.settings.format = Format::Text;
    serde_json::from_str(&out[0]).expect("json")
}

/// Checks `exact(op(f, g))` against `want` at `ts`, by the closed form, by
/// its re-parsed expr strings, and by the numeric engine.
fn check(defs: &str, op: &str, want: &dyn Fn(f64) -> f64, ts: &[f64]) {
    let mut s = session(defs);
    let call = format!("exact({op}(f, g))");
    s.run_collect(&format!("h = {call}"))
        .unwrap_or_else(|d| panic!("{call}: {}", d.message));
    let j = closed_json(&mut s, &call);
    assert_eq!(j["exact"], true, "{j}");
    // Re-parse every piece's CAS string as a convolab function.
    let pieces = j["pieces"].as_array().expect("pieces").clone();
    for (i, p) in pieces.iter().enumerate() {
        let expr = p["expr"].as_str().expect("expr");
        s.run_collect(&format!("p{i}(t) = {expr}"))
            .unwrap_or_else(|d| panic!("re-parse `{expr}`: {}", d.message));
    }
    let (f, g) = (function(&mut s, "f"), function(&mut s, "g"));
    let (pf, pg) = (prepare(&f).unwrap(), prepare(&g).unwrap());
    let (fixed, moving, cop) = if op == "conv" {
        (&pf, &pg, Op::Conv)
    } else {
        (&pg, &pf, Op::Corr)
    };
    for &t in ts {
        let w = want(t);
        let tol = 1e-12 * (1.0 + w.abs());
        let closed = number(&mut s, &format!("h({t})"));
        assert!(
            (closed - w).abs() <= tol,
            "{call} at {t}: closed form {closed}, want {w}"
        );
        // The piece that holds t, by its printed formula.
        let holder = pieces.iter().position(|p| {
            let from = p["from"].as_f64().unwrap_or(f64::NEG_INFINITY);
            let to = p["to"].as_f64().unwrap_or(f64::INFINITY);
            (from < t || (from == t && p["closed_from"] == true))
                && (t < to || (t == to && p["closed_to"] == true))
        });
        let reparsed = match holder {
            Some(i) => number(&mut s, &format!("p{i}({t})")),
            None => 0.0,
        };
        assert!(
            (reparsed - w).abs() <= tol,
            "{call} at {t}: re-parsed expr gives {reparsed}, want {w}"
        );
        let numeric = value_at(fixed, moving, cop, t, &|| false).unwrap();
        assert!(
            (numeric.value - closed).abs() <= 1e-12 * (1.0 + w.abs()),
            "{call} at {t}: numeric {} vs closed {closed}",
            numeric.value
        );
    }
}

const TS: [f64; 12] = [
    -1.5, -0.25, 0.0, 0.3, 0.5, 1.0, 1.25, 1.999, 2.0, 2.5, 3.7, 6.0,
];

#[test]
fn rect_times_rect_is_the_triangle() {
    check(
        "f(t) = { 1 if 0 <= t < 1 }\ng(t) = { 1 if 0 <= t < 1 }",
        "conv",
        &|t| {
            if (0.0..1.0).contains(&t) {
                t
            } else if (1.0..2.0).contains(&t) {
                2.0 - t
            } else {
                0.0
            }
        },
        &TS,
    );
    let mut s = session("f(t) = { 1 if 0 <= t < 1 }");
    let t = s
        .run_collect("show exact(conv(f, f))")
        .map(|o| o.join("\n"));
    // `show` takes names; display the value instead.
    assert!(t.is_err());
    let out = s.run_collect("exact(conv(f, f))").unwrap().join("\n");
    assert!(
        out.contains("t      for 0 ≤ t < 1") && out.contains("2 − t  for 1 ≤ t < 2"),
        "{out}"
    );
}

#[test]
fn ramp_times_box() {
    // ramp t on [0, 1) * box on [0, 2): ∫ τ over the overlap.
    let want = |t: f64| -> f64 {
        let lo = (t - 2.0).max(0.0);
        let hi = t.min(1.0);
        if hi <= lo {
            0.0
        } else {
            (hi * hi - lo * lo) / 2.0
        }
    };
    check(
        "f(t) = { t if 0 <= t < 1 }\ng(t) = { 1 if 0 <= t < 2 }",
        "conv",
        &want,
        &TS,
    );
}

#[test]
fn two_decaying_exponentials() {
    check(
        "f(t) = exp(-t)*u(t)\ng(t) = exp(-2*t)*u(t)",
        "conv",
        &|t| {
            if t < 0.0 {
                0.0
            } else {
                (-t).exp() - (-2.0 * t).exp()
            }
        },
        &TS,
    );
    let mut s = session("f(t) = exp(-t)*u(t)\ng(t) = exp(-2*t)*u(t)");
    let j = closed_json(&mut s, "exact(conv(f, g))");
    assert_eq!(j["pieces"][0]["expr"], "exp(-t) - exp(-2*t)", "{j}");
}

#[test]
fn cosine_through_a_decaying_exponential() {
    check(
        "f(t) = cos(t)*u(t)\ng(t) = exp(-t)*u(t)",
        "conv",
        &|t| {
            if t < 0.0 {
                0.0
            } else {
                (t.cos() + t.sin() - (-t).exp()) / 2.0
            }
        },
        &TS,
    );
    let mut s = session("f(t) = cos(t)*u(t)\ng(t) = exp(-t)*u(t)");
    let out = s.run_collect("exact(conv(f, g))").unwrap().join("\n");
    assert!(
        out.contains("cos(t)")
            && out.contains("sin(t)")
            && !out.contains("exp(i")
            && !out.contains("·i"),
        "real form expected:\n{out}"
    );
}

#[test]
fn triangle_times_triangle_is_a_piecewise_cubic() {
    // The cubic B-spline scaled: pieces t³/6, …, computed by hand.
    let want = |t: f64| -> f64 {
        if t <= 0.0 || t >= 4.0 {
            0.0
        } else if t < 1.0 {
            t.powi(3) / 6.0
        } else if t < 2.0 {
            2.0 / 3.0 - 2.0 * t + 2.0 * t * t - t.powi(3) / 2.0
        } else if t < 3.0 {
            -22.0 / 3.0 + 10.0 * t - 4.0 * t * t + t.powi(3) / 2.0
        } else {
            32.0 / 3.0 - 8.0 * t + 2.0 * t * t - t.powi(3) / 6.0
        }
    };
    check("f(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }\ng(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }", "conv", &want, &TS);
    let mut s = session("f(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }");
    let j = closed_json(&mut s, "exact(conv(f, f))");
    assert_eq!(j["pieces"].as_array().unwrap().len(), 4);
}

#[test]
fn a_delta_shifts() {
    check(
        "f(t) = { t if 0 <= t < 1 }\ng(t) = 3*delta(t - 2)",
        "conv",
        &|t| {
            if (2.0..3.0).contains(&t) {
                3.0 * (t - 2.0)
            } else {
                0.0
            }
        },
        &[1.5, 2.0, 2.25, 2.9, 3.5],
    );
}

#[test]
fn correlation_of_two_pieces() {
    // corr(f, g)(t) = ∫ f(t + τ)·g(τ) dτ with f the box, g the triangle.
    let want = |t: f64| -> f64 {
        // closed form printed by convolab, checked against mpmath at −0.7 (0.71):
        if (-2.0..-1.0).contains(&t) {
            2.0 + 2.0 * t + t * t / 2.0
        } else if (-1.0..0.0).contains(&t) {
            0.5 - t - t * t
        } else if (0.0..1.0).contains(&t) {
            0.5 - t + t * t / 2.0
        } else {
            0.0
        }
    };
    assert!((want(-0.7) - 0.71).abs() < 1e-12);
    check(
        "f(t) = { 1 if 0 <= t < 1 }\ng(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }",
        "corr",
        &want,
        &[-2.5, -2.0, -1.5, -0.7, -0.2, 0.0, 0.4, 0.9, 1.2],
    );
}

#[test]
fn outside_the_class_names_the_piece() {
    let mut s = session("f(t) = { t^0.5 if 0 <= t < 1 }\nq(t) = gauss(t, 1)\nb(t) = { 1 if 0 <= t < 1 }\nr(t) = 1/(1 + t^2)");
    for (call, needle) in [
        ("exact(conv(f, b))", "piece 1 of f"),
        ("exact(conv(q, q))", "quadratic"),
        ("exact(conv(b, r))", "piece 1 of r"),
    ] {
        // A warning that names the piece, and the numeric value instead of a formula.
        let mut warnings = Vec::new();
        s.run(&format!("fallback = {call}"), &mut |e| {
            if let convolab::session::Event::Warning(d) = e {
                warnings.push(d.message);
            }
        })
        .unwrap_or_else(|d| panic!("{call}: {}", d.message));
        assert_eq!(warnings.len(), 1, "{call}: {warnings:?}");
        assert!(
            warnings[0].contains(needle) && warnings[0].contains("numerically"),
            "{call}: {}",
            warnings[0]
        );
        assert!(s.eval_str("fallback(0.5)").is_ok());
        // `steps exact` has no case analysis to show: an error with the reason.
        let e = s.run_collect(&format!("steps {call}")).unwrap_err();
        assert!(e.message.contains(needle), "{call}: {}", e.message);
        assert!(
            e.hint.as_deref().unwrap_or("").contains("numerically"),
            "{call}: {:?}",
            e.hint
        );
    }
    // The numeric engine still answers.
    assert!(number(&mut s, "integrate(b)") > 0.0);
    s.run_collect("h = conv(q, q)").unwrap();
    let v = number(&mut s, "h(0)");
    assert!(
        (v - 1.0 / (2.0 * std::f64::consts::PI.sqrt())).abs() < 1e-12,
        "{v}"
    );
    // A product of deltas has no meaning; an undefined parameter is caught at definition.
    assert!(s
        .run_collect("d(t) = delta(t)*delta(t - 1)\nexact(conv(d, b))")
        .is_err());
    let e = s.run_collect("w(t) = exp(-alpha*t)*u(t)").unwrap_err();
    assert!(e.message.contains("alpha"), "{}", e.message);
}

#[test]
fn every_format_and_steps() {
    let mut s =
        session("f(t) = { 1 if 0 <= t < 1 }\ng(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }");
    for q in [
        "exact(conv(f, g))",
        "steps exact(conv(f, g))",
        "steps exact(corr(f, g))",
    ] {
        for f in Format::ALL {
            s.settings.format = f;
            let out = s
                .run_collect(q)
                .unwrap_or_else(|d| panic!("{q}: {}", d.message))
                .join("\n");
            assert!(!out.trim().is_empty(), "{q} {f:?}");
            if f == Format::Latex && !q.starts_with("steps") {
                assert!(out.contains("\\begin{cases}"), "{out}");
            }
            if f == Format::Json {
                serde_json::from_str::<Json>(&out).expect("json");
            }
        }
    }
    s.settings.format = Format::Text;
    let st = s.run_collect("steps exact(conv(f, g))").unwrap().join("\n");
    assert!(st.contains("for 1 < t < 2:"), "{st}");
    assert!(st.contains("from τ = t − 1 to 1"), "{st}");
    assert!(st.contains("antiderivative"), "{st}");
    assert!(st.contains("the pieces meet at t = 0, 1, 2, 3"), "{st}");
}

#[test]
fn closed_forms_are_functions() {
    let mut s = session("f(t) = { 1 if 0 <= t < 1 }\nh = exact(conv(f, f))\nk = conv(h, f)");
    // Three boxes: the quadratic B-spline, 3/4 at 1.5, and still exact.
    assert_eq!(s.run_collect("k(3/2)").unwrap().join(""), "0.75");
    assert_eq!(s.run_collect("h(1/3)").unwrap().join(""), "1/3");
    assert!((number(&mut s, "integrate(k)") - 1.0).abs() < 1e-12);
    let out = s.run_collect("show k").unwrap().join("\n");
    assert!(out.contains("t^2/2"), "{out}");
}
