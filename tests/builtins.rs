//! The built-in registry's worked example: `epan(t)`, the Epanechnikov kernel
//! ¾·(1 − t²) on [−1, 1), added as one variant and one spec arm, gets its
//! value, help, completion, breakpoints, plot, numeric and exact convolution
//! from the registry.
//!
//! Built-ins are called, not passed as values (`integrate(epan)` asks for
//! arguments, as for `tri`), so the tests name it `e(t) = epan(t)` first.

use std::rc::Rc;

use convolab::engine::continuous::{prepare, value_at, Op};
use convolab::render::doc::Format;
use convolab::value::function::{Builtin, Function};
use convolab::value::number::Number;
use convolab::value::Value;
use convolab::Session;
use serde_json::Value as Json;

fn session(defs: &str) -> Session {
    let mut s = Session::new();
    s.run_collect(defs)
        .unwrap_or_else(|d| panic!("{defs}: {}", d.message));
    s
}

fn value(s: &mut Session, e: &str) -> Value {
    s.eval_str(e)
        .unwrap_or_else(|d| panic!("{e}: {}", d.message))
}

/// The value of `e`, which must be an exact number.
fn exact(s: &mut Session, e: &str) -> Number {
    let v = value(s, e);
    let n = v
        .as_number()
        .unwrap_or_else(|| panic!("{e}: {}", v.kind_name()));
    assert!(n.is_exact(), "{e} = {n} is not exact");
    n
}

fn function(s: &mut Session, name: &str) -> Rc<Function> {
    match value(s, name) {
        Value::Function(f) => f,
        other => panic!("{name} is {}", other.kind_name()),
    }
}

fn run(s: &mut Session, text: &str) -> String {
    s.run_collect(text)
        .unwrap_or_else(|d| panic!("{text}: {}", d.message))
        .join("\n")
}

fn json(s: &mut Session, text: &str) -> Json {
    s.settings.format = Format::Json;
    let out = run(s, text);
    s.settings.format = Format::Text;
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{out}: {e}"))
}

#[test]
fn epan_values() {
    let mut s = Session::new();
    assert_eq!(exact(&mut s, "epan(0)"), Number::ratio(3, 4));
    assert_eq!(exact(&mut s, "epan(0.5)"), Number::ratio(9, 16));
    assert_eq!(exact(&mut s, "epan(1/3)"), Number::ratio(2, 3));
    assert_eq!(exact(&mut s, "epan(1)"), Number::zero());
    assert_eq!(exact(&mut s, "epan(-1)"), Number::zero());
    assert_eq!(exact(&mut s, "epan(-2)"), Number::zero());
    assert_eq!(Builtin::Epan.apply(&[0.0]), 0.75);
    assert_eq!(Builtin::Epan.apply(&[0.5]), 0.5625);
    assert_eq!(Builtin::Epan.apply(&[1.0]), 0.0);
    assert_eq!(Builtin::Epan.apply(&[-2.0]), 0.0);
    // Inside a function and elementwise on a sequence.
    s.run_collect("e(t) = epan(t)").unwrap();
    assert_eq!(function(&mut s, "e").eval(0.5), 0.5625);
    assert_eq!(run(&mut s, "epan([-1, 0, 0.5, 1])"), "[0, 0.75, 0.5625, 0]");
}

#[test]
fn epan_has_area_one() {
    let mut s = session("e(t) = epan(t)");
    match value(&mut s, "integrate(e)") {
        Value::Estimate(x) => assert!((x.value - 1.0).abs() <= x.error.max(1e-15), "{x:?}"),
        other => {
            let n = other.as_number().expect("a number");
            assert_eq!(n, Number::one());
        }
    }
}

#[test]
fn epan_breakpoints_follow_its_argument() {
    let mut s = session("f(t) = epan(t - 2)");
    let breaks = function(&mut s, "f").structure().breaks;
    assert_eq!(breaks, vec![Number::int(1), Number::int(3)]);
    assert!(breaks.iter().all(Number::is_exact));
    let j = json(&mut s, "show f");
    assert_eq!(j["breakpoints"], "breakpoints: 1, 3", "{j}");
    assert_eq!(j["support"], "support: [1, 3]", "{j}");
    let pieces = j["pieces"].as_array().expect("pieces");
    assert_eq!(pieces.len(), 1, "{j}");
    assert_eq!(pieces[0]["from"], 1, "{j}");
    assert_eq!(pieces[0]["to"], 3, "{j}");
    // ¾·(1 − (t − 2)²) expanded.
    assert_eq!(pieces[0]["expr"], "-2.25 + 3*t - 0.75*t^2", "{j}");
}

#[test]
fn epan_convolved_with_itself_in_closed_form() {
    let mut s = session("e(t) = epan(t)\nh = exact(conv(e, e))");
    let j = json(&mut s, "exact(conv(e, e))");
    assert_eq!(j["exact"], true, "{j}");
    let pieces = j["pieces"].as_array().expect("pieces");
    assert_eq!(pieces.len(), 2, "{j}");
    assert_eq!(pieces[0]["from"], -2, "{j}");
    assert_eq!(pieces[1]["to"], 2, "{j}");
    // h(0) = ∫ epan² = (9/16)·∫_{−1}^{1} (1 − τ²)² dτ = (9/16)·(16/15) = 3/5.
    assert_eq!(exact(&mut s, "h(0)"), Number::ratio(3, 5));
    // h(1) = ∫_0^1 ¾(1 − τ²)·¾(1 − (1 − τ)²) dτ
    //      = (9/16)·∫_0^1 (2τ − τ² − 2τ³ + τ⁴) dτ = (9/16)·(1 − 1/3 − 1/2 + 1/5)
    //      = (9/16)·(11/30) = 33/160 (checked with Python's fractions).
    assert_eq!(exact(&mut s, "h(1)"), Number::ratio(33, 160));
    assert_eq!(exact(&mut s, "h(2)"), Number::zero());
    assert_eq!(exact(&mut s, "h(-1)"), Number::ratio(33, 160));

    // The numeric engine, which never sees the closed form, agrees.
    let e = function(&mut s, "e");
    let pe = prepare(&e).unwrap();
    for t in [0.3, -1.7, 1.0, 0.0] {
        let numeric = value_at(&pe, &pe, Op::Conv, t, &|| false).unwrap();
        let closed = value(&mut s, &format!("h({t})")).as_number().unwrap();
        assert!(
            (numeric.value - closed.to_f64()).abs() <= 1e-10,
            "at {t}: numeric {} vs closed {closed}",
            numeric.value
        );
    }
    // And so does the value conv(e, e) gives.
    s.run_collect("k = conv(e, e)").unwrap();
    let k = value(&mut s, "k(0.3)").as_number().unwrap().to_f64();
    let h = value(&mut s, "h(0.3)").as_number().unwrap().to_f64();
    assert!((k - h).abs() <= 1e-10, "{k} vs {h}");
}

#[test]
fn epan_has_help() {
    let text = convolab::help::help(Some("epan")).expect("help epan");
    assert!(text.contains("Epanechnikov"), "{text}");
    let mut s = Session::new();
    assert!(run(&mut s, "help epan").contains("Epanechnikov"));
    assert!(run(&mut s, "help functions").contains("epan(t): the Epanechnikov kernel"));
}

#[test]
fn epan_is_completed_in_the_repl() {
    use rustyline::completion::Completer;
    let helper = convolab::repl::ReplHelper {
        names: Default::default(),
    };
    let history = rustyline::history::DefaultHistory::new();
    let ctx = rustyline::Context::new(&history);
    let (start, candidates) = helper.complete("x = ep", 6, &ctx).unwrap();
    assert_eq!(start, 4);
    let words: Vec<&str> = candidates.iter().map(|c| c.replacement.as_str()).collect();
    assert!(words.contains(&"epan"), "{words:?}");
}

#[test]
fn epan_plots() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("builtins");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("e.svg");
    let _ = std::fs::remove_file(&path);
    let mut s = session("e(t) = epan(t)");
    let out = run(
        &mut s,
        &format!("plot e over -2..2 to \"{}\"", path.display()),
    );
    assert!(out.starts_with("wrote "), "{out}");
    let svg = std::fs::read_to_string(&path).expect("svg written");
    assert!(svg.contains("<svg"), "{svg}");
}
