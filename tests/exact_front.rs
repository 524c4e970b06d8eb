//! The exact front end (issue 5), checked independently of `tests/exact.rs`:
//! every printed `expr` string is read back by a small evaluator written
//! here (not by convolab's own parser), and every value is compared with the
//! numeric engine run with the closed form switched off (`ConvFn.exact =
//! None`), to 1e-12.

use std::rc::Rc;

use convolab::engine::continuous::Op;
use convolab::eval::continuous::ConvFn;
use convolab::render::doc::Format;
use convolab::value::function::Function;
use convolab::value::Value;
use convolab::Session;
use serde_json::Value as Json;

// ---------------------------------------------------------------------------
// A reader for the CAS strings of a function's JSON `expr`: numbers, the
// variable, + - * / ^, unary minus, parentheses, exp/sin/cos.

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
    var: &'a str,
    x: f64,
}

impl Reader<'_> {
    fn eval(expr: &str, var: &str, x: f64) -> f64 {
        let mut r = Reader {
            s: expr.as_bytes(),
            i: 0,
            var,
            x,
        };
        let v = r.sum();
        r.skip();
        assert_eq!(r.i, r.s.len(), "unread text in `{expr}` at {}", r.i);
        v
    }

    fn skip(&mut self) {
        while self.i < self.s.len() && self.s[self.i] == b' ' {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip();
        self.s.get(self.i).copied()
    }

    fn sum(&mut self) -> f64 {
        let mut v = self.product();
        while let Some(c @ (b'+' | b'-')) = self.peek() {
            self.i += 1;
            let w = self.product();
            v = if c == b'+' { v + w } else { v - w };
        }
        v
    }

    fn product(&mut self) -> f64 {
        let mut v = self.unary();
        while let Some(c @ (b'*' | b'/')) = self.peek() {
            self.i += 1;
            let w = self.unary();
            v = if c == b'*' { v * w } else { v / w };
        }
        v
    }

    fn unary(&mut self) -> f64 {
        if self.peek() == Some(b'-') {
            self.i += 1;
            return -self.unary();
        }
        self.power()
    }

    fn power(&mut self) -> f64 {
        let base = self.atom();
        if self.peek() == Some(b'^') {
            self.i += 1;
            let e = self.unary();
            return base.powf(e);
        }
        base
    }

    fn atom(&mut self) -> f64 {
        match self.peek() {
            Some(b'(') => {
                self.i += 1;
                let v = self.sum();
                assert_eq!(self.peek(), Some(b')'), "missing )");
                self.i += 1;
                v
            }
            Some(c) if c.is_ascii_digit() || c == b'.' => {
                let start = self.i;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_digit() || self.s[self.i] == b'.')
                {
                    self.i += 1;
                }
                std::str::from_utf8(&self.s[start..self.i])
                    .unwrap()
                    .parse()
                    .unwrap()
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.i;
                while self.i < self.s.len() && self.s[self.i].is_ascii_alphanumeric() {
                    self.i += 1;
                }
                let name = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                if name == self.var {
                    return self.x;
                }
                let f: fn(f64) -> f64 = match name {
                    "exp" => f64::exp,
                    "sin" => f64::sin,
                    "cos" => f64::cos,
                    other => panic!("unknown name `{other}` in a CAS string"),
                };
                assert_eq!(self.peek(), Some(b'('), "{name} without (");
                self.i += 1;
                let v = self.sum();
                assert_eq!(self.peek(), Some(b')'), "missing ) after {name}");
                self.i += 1;
                f(v)
            }
            other => panic!("unexpected {:?}", other.map(char::from)),
        }
    }
}

#[test]
fn the_reader_reads() {
    assert_eq!(
        Reader::eval("-3/2 + 3*t - t^2", "t", 2.0),
        -3.0 / 2.0 + 6.0 - 4.0
    );
    assert_eq!(Reader::eval("t^3/6", "t", 3.0), 4.5);
    let v = Reader::eval("cos(t)/2 + sin(t)/2 - exp(-t)/2", "t", 1.0);
    assert!((v - (1f64.cos() + 1f64.sin() - (-1f64).exp()) / 2.0).abs() < 1e-15);
    assert_eq!(Reader::eval("4*a*exp(-2*a)", "a", 0.0), 0.0);
    assert_eq!(Reader::eval("2 - (t - 1)", "t", 1.0), 2.0);
}

// ---------------------------------------------------------------------------

fn session(defs: &str) -> Session {
    let mut s = Session::new();
    s.run_collect(defs)
        .unwrap_or_else(|d| panic!("{defs}: {}", d.message));
    s
}

fn function(s: &mut Session, name: &str) -> Rc<Function> {
    match s.eval_str(name) {
        Ok(Value::Function(f)) => f,
        _ => panic!("{name} is not a function"),
    }
}

fn value(s: &mut Session, e: &str) -> f64 {
    match s
        .eval_str(e)
        .unwrap_or_else(|d| panic!("{e}: {}", d.message))
    {
        Value::Estimate(x) => x.value,
        v => v.as_number().expect("a number").to_f64(),
    }
}

fn json_of(s: &mut Session, q: &str) -> Json {
    s.settings.format = Format::Json;
    let out = s
        .run_collect(q)
        .unwrap_or_else(|d| panic!("{q}: {}", d.message));
    s.settings.format = Format::Text;
    assert_eq!(out.len(), 1, "{q}: {out:?}");
    serde_json::from_str(&out[0]).unwrap_or_else(|e| panic!("{q}: {e}: {}", out[0]))
}

/// The value of the JSON pieces at x: the piece that holds x (closed ends
/// decide), read back from its `expr`; 0 outside.
fn pieces_at(pieces: &[Json], var: &str, x: f64) -> f64 {
    let holds = |p: &Json| {
        let from = p["from"].as_f64().unwrap_or(f64::NEG_INFINITY);
        let to = p["to"].as_f64().unwrap_or(f64::INFINITY);
        (from < x || (from == x && p["closed_from"] == true))
            && (x < to || (x == to && p["closed_to"] == true))
    };
    let mut holding = pieces.iter().filter(|p| holds(p));
    let v = holding
        .next()
        .map_or(0.0, |p| Reader::eval(p["expr"].as_str().unwrap(), var, x));
    assert!(holding.next().is_none(), "two pieces hold {x}");
    v
}

/// `exact(op(f, g))` against `want`: the closed form h(t), the re-read
/// `expr` strings, and the numeric engine without the closed form.
fn check(defs: &str, op: &str, want: &dyn Fn(f64) -> f64, ts: &[f64]) -> Json {
    let mut s = session(defs);
    let call = format!("exact({op}(f, g))");
    s.run_collect(&format!("h = {call}"))
        .unwrap_or_else(|d| panic!("{call}: {}", d.message));
    let j = json_of(&mut s, &call);
    assert_eq!(j["type"], "function", "{j}");
    assert_eq!(j["exact"], true, "{j}");
    let var = j["var"].as_str().unwrap().to_string();
    let pieces = j["pieces"].as_array().unwrap().clone();
    let mut numeric = ConvFn::new(
        if op == "conv" { Op::Conv } else { Op::Corr },
        function(&mut s, "f"),
        function(&mut s, "g"),
    )
    .unwrap();
    numeric.exact = None;
    for &t in ts {
        let w = want(t);
        let tol = 1e-12 * (1.0 + w.abs());
        let closed = value(&mut s, &format!("h({t})"));
        assert!(
            (closed - w).abs() <= tol,
            "{call}({t}): h = {closed}, want {w}"
        );
        let read = pieces_at(&pieces, &var, t);
        assert!(
            (read - w).abs() <= tol,
            "{call}({t}): expr gives {read}, want {w}"
        );
        let n = numeric.value(t, &|| false).unwrap().value;
        assert!(
            (n - closed).abs() <= tol,
            "{call}({t}): numeric {n}, closed {closed}"
        );
    }
    j
}

const TS: [f64; 14] = [
    -3.0, -1.0, -0.5, 0.0, 0.2, 0.5, 1.0, 1.5, 2.0, 2.25, 3.0, 3.5, 4.0, 5.5,
];

#[test]
fn rect_times_rect_is_the_triangle() {
    // rect shifted onto [0, 1), written with the built-in.
    let j = check(
        "f(t) = rect(t - 1/2)\ng(t) = rect(t - 1/2)",
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
    let exprs: Vec<&str> = j["pieces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["expr"].as_str().unwrap())
        .collect();
    assert_eq!(exprs, ["t", "2 - t"]);
    assert_eq!(j["pieces"][0]["from"], 0);
    assert_eq!(j["pieces"][1]["to"], 2);
}

#[test]
fn ramp_times_box() {
    check(
        "f(t) = { t if 0 <= t < 1 }\ng(t) = { 1 if 0 <= t < 3 }",
        "conv",
        &|t| {
            let (lo, hi) = ((t - 3.0).max(0.0), t.min(1.0));
            if hi <= lo {
                0.0
            } else {
                (hi * hi - lo * lo) / 2.0
            }
        },
        &TS,
    );
}

#[test]
fn two_exponentials_in_textbook_notation() {
    // `e^(-t)` as a student writes it, and the variable named by the user.
    let j = check(
        "f(t) = e^(-t)*u(t)\ng(t) = exp(-2*t)*u(t)",
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
    assert_eq!(j["pieces"][0]["expr"], "exp(-t) - exp(-2*t)");
    let mut s = session("w(a) = { 2*exp(-2*a) if a >= 0 }");
    let j = json_of(&mut s, "exact(conv(w, w))");
    assert_eq!(j["var"], "a");
    assert_eq!(j["pieces"][0]["expr"], "4*a*exp(-2*a)");
    let text = s.run_collect("exact(conv(w, w))").unwrap().join("\n");
    assert!(text.contains("meet at a = 0"), "{text}");
}

#[test]
fn cosine_through_an_exponential_in_real_form() {
    let j = check(
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
    let e = j["pieces"][0]["expr"].as_str().unwrap();
    assert!(
        e.contains("cos(t)") && e.contains("sin(t)") && !e.contains('I'),
        "{e}"
    );
}

#[test]
fn tri_times_tri_is_a_piecewise_cubic() {
    // The built-in tri on [−1, 1]: the cubic B-spline of width 4, centred.
    let bspline = |t: f64| -> f64 {
        let x = t + 2.0;
        if x <= 0.0 || x >= 4.0 {
            0.0
        } else if x < 1.0 {
            x.powi(3) / 6.0
        } else if x < 2.0 {
            2.0 / 3.0 - 2.0 * x + 2.0 * x * x - x.powi(3) / 2.0
        } else if x < 3.0 {
            -22.0 / 3.0 + 10.0 * x - 4.0 * x * x + x.powi(3) / 2.0
        } else {
            32.0 / 3.0 - 8.0 * x + 2.0 * x * x - x.powi(3) / 6.0
        }
    };
    let j = check("f(t) = tri(t)\ng(t) = tri(t)", "conv", &bspline, &TS);
    assert_eq!(j["pieces"].as_array().unwrap().len(), 4);
    let mut s = session("f(t) = tri(t)\nh = exact(conv(f, f))");
    assert_eq!(s.run_collect("h(0)").unwrap(), ["2/3"]);
}

#[test]
fn a_delta_shifts_and_scales() {
    check(
        "f(t) = { t if 0 <= t < 1 }\ng(t) = 2*delta(t + 1)",
        "conv",
        &|t| {
            if (-1.0..0.0).contains(&t) {
                2.0 * (t + 1.0)
            } else {
                0.0
            }
        },
        &[-2.0, -1.0, -0.5, -0.01, 0.0, 0.5],
    );
}

#[test]
fn correlation_of_two_pieces() {
    // corr(f, g)(t) = ∫ f(t + τ)·g(τ) dτ: ramp on [0, 1) against box on [0, 2).
    check(
        "f(t) = { t if 0 <= t < 1 }\ng(t) = { 1 if 0 <= t < 2 }",
        "corr",
        &|t| {
            // τ with 0 ≤ t + τ < 1 and 0 ≤ τ < 2: u = t + τ in [max(0, t), min(1, t + 2)).
            let (lo, hi) = (t.max(0.0), (t + 2.0).min(1.0));
            if hi <= lo {
                0.0
            } else {
                (hi * hi - lo * lo) / 2.0
            }
        },
        &[-2.5, -2.0, -1.5, -1.0, -0.3, 0.0, 0.5, 1.0, 1.2],
    );
}

#[test]
fn deltas_in_both_inputs_give_point_masses() {
    let mut s = session(
        "g(t) = delta(t) + delta(t - 1)\nf(t) = { 1 if 0 <= t < 1 }\nh = exact(conv(g, g))",
    );
    let j = json_of(&mut s, "h");
    let w: Vec<f64> = j["deltas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["weight"].as_f64().unwrap())
        .collect();
    assert_eq!(w, [1.0, 2.0, 1.0]);
    // Numeric consumers see the masses too.
    assert!((value(&mut s, "integrate(h)") - 4.0).abs() < 1e-12);
    assert!((value(&mut s, "integrate(h, 0.5, 1.5)") - 2.0).abs() < 1e-12);
    assert!((value(&mut s, "integrate(conv(g, g))") - 4.0).abs() < 1e-12);
    s.run_collect("k = conv(h, f)").unwrap();
    assert!((value(&mut s, "k(1.5)") - 2.0).abs() < 1e-12);
    let e = s.run_collect("h(1)").unwrap_err();
    assert!(e.message.contains("delta"), "{}", e.message);
    assert_eq!(value(&mut s, "h(0.5)"), 0.0);
}

#[test]
fn outside_the_class_names_the_piece() {
    let mut s = session(
        "f(t) = { 1 if -1 <= t < 0; t^0.5 if 0 <= t < 1 }\nq(t) = gauss(t, 1)\nb(t) = { 1 if 0 <= t < 1 }\nr(t) = 1/(1 + t^2)\nx(t) = exp(t^2)*b(t)\nd(t) = delta(t)*delta(t - 1)",
    );
    for (call, needles) in [
        (
            "exact(conv(f, b))",
            &["piece 2 of f", "0 < t < 1", "t^0.5"][..],
        ),
        (
            "exact(conv(b, q))",
            &["piece 1 of q", "all t", "quadratic"][..],
        ),
        ("exact(conv(r, b))", &["piece 1 of r", "1/(1 + t^2)"][..]),
        (
            "exact(corr(b, x))",
            &["piece 1 of x", "0 < t < 1", "not linear"][..],
        ),
    ] {
        // `exact(…)` itself falls back to the numeric result with a warning
        // (never a guessed formula); `steps exact(…)` has no case analysis
        // and says why.
        let mut warnings = Vec::new();
        s.run(call, &mut |ev| {
            if let convolab::session::Event::Warning(d) = ev {
                warnings.push(d.message);
            }
        })
        .unwrap_or_else(|d| panic!("{call}: {}", d.message));
        assert_eq!(warnings.len(), 1, "{call}: {warnings:?}");
        for n in needles {
            assert!(
                warnings[0].contains(n),
                "{call}: `{n}` not in: {}",
                warnings[0]
            );
        }
        let e = s.run_collect(&format!("steps {call}")).unwrap_err();
        for n in needles {
            assert!(e.message.contains(n), "{call}: `{n}` not in: {}", e.message);
        }
        let hint = e.hint.clone().unwrap_or_default();
        assert!(
            hint.contains("still computed numerically"),
            "{call}: {hint}"
        );
    }
    // The numeric convolution is still there.
    s.run_collect("n = conv(f, b)").unwrap();
    assert!(value(&mut s, "n(0.5)") > 0.0);
    // A product of deltas: named, and the numeric side cannot do it either.
    let e = s.run_collect("exact(conv(d, b))").unwrap_err();
    assert!(
        e.message.contains("d multiplies two Dirac deltas")
            && e.message.contains("product of distributions"),
        "{}",
        e.message
    );
    assert!(e
        .hint
        .unwrap_or_default()
        .contains("cannot be computed numerically"));
    // An undefined parameter is caught where the function is defined.
    let e = s.run_collect("w(t) = exp(-alpha*t)*u(t)").unwrap_err();
    assert!(e.message.contains("alpha"), "{}", e.message);
    // Not a convolution of functions.
    let e = s.run_collect("exact(b)").unwrap_err();
    assert!(
        e.message.contains("convolution of two functions"),
        "{}",
        e.message
    );
    let e = s.run_collect("steps exact(conv(b, b)) at 1").unwrap_err();
    assert!(e.message.contains("every interval"), "{}", e.message);
}

#[test]
fn continuity_is_reported() {
    let mut s = session("b(t) = { 1 if 0 <= t < 1 }\nd(t) = delta(t - 2)");
    let text = s.run_collect("exact(conv(b, b))").unwrap().join("\n");
    assert!(text.contains("t      for 0 ≤ t < 1"), "{text}");
    assert!(text.contains("the pieces meet at t = 0, 1, 2"), "{text}");
    let text = s.run_collect("exact(conv(b, d))").unwrap().join("\n");
    assert!(text.contains("1  for 2 ≤ t < 3"), "{text}");
    assert!(
        text.contains("it jumps at t = 2 (from 0 to 1), t = 3 (from 1 to 0)"),
        "{text}"
    );
}

#[test]
fn every_format_renders() {
    let mut s = session("f(t) = { 1 if 0 <= t < 1 }\ng(t) = exp(-t)*u(t)");
    for q in [
        "exact(conv(f, g))",
        "exact(corr(f, g))",
        "steps exact(conv(f, g))",
        "steps exact(corr(g, f))",
    ] {
        for fmt in Format::ALL {
            s.settings.format = fmt;
            let out = s
                .run_collect(q)
                .unwrap_or_else(|d| panic!("{q}: {}", d.message))
                .join("\n");
            assert!(!out.trim().is_empty(), "{q} in {fmt:?}");
            match fmt {
                Format::Json => {
                    let j: Json = serde_json::from_str(&out).expect("json");
                    if q.starts_with("steps") {
                        assert_eq!(j["type"], "steps");
                        assert_eq!(j["op"], "exact");
                        assert!(j["f"]["pieces"].is_array() && j["g"]["pieces"].is_array());
                        assert!(!j["intervals"].as_array().unwrap().is_empty());
                    } else {
                        assert_eq!(j["exact"], true);
                    }
                }
                Format::Latex if !q.starts_with("steps") => {
                    assert!(out.contains("\\begin{cases}"), "{out}")
                }
                Format::Markdown => assert!(out.contains('`'), "{out}"),
                _ => {}
            }
        }
    }
    s.settings.format = Format::Json;
    let out = s.run_collect("steps exact(conv(f, g))").unwrap().join("");
    let j: Json = serde_json::from_str(&out).unwrap();
    // Bounds of whole numbers are JSON integers, like the pieces'.
    assert_eq!(j["intervals"][1]["from"], 0, "{j}");
    let text = {
        s.settings.format = Format::Text;
        s.run_collect("steps exact(conv(f, g))").unwrap().join("\n")
    };
    assert!(text.contains("antiderivative"), "{text}");
    assert!(
        text.contains("from τ = 0 to 1 of 1·exp(-(t − τ)) dτ"),
        "{text}"
    );
}

#[test]
fn closed_forms_compose() {
    let mut s = session("b(t) = { 1 if 0 <= t < 1 }\nh = exact(conv(b, b))\nk = exact(conv(h, b))");
    assert_eq!(s.run_collect("k(0.5)").unwrap(), ["0.125"]);
    assert_eq!(s.run_collect("h(1/3)").unwrap(), ["1/3"]);
    let j = json_of(&mut s, "k");
    assert_eq!(j["pieces"].as_array().unwrap().len(), 3);
    assert!((pieces_at(j["pieces"].as_array().unwrap(), "t", 1.5) - 0.75).abs() < 1e-15);
}
