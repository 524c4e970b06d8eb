//! Definitions (numbers, sequences with their origins, matrices, letters,
//! piecewise functions): every example parses, evaluates and `show`s;
//! values come out right in all five formats.

use convolab::render::doc::Format;
use convolab::Session;

const DEFINITIONS: &str = r#"
h = 0.25
a = [1, 0.5, 1, 1]
x = [3, -1, 2] from -1
y[n] = { 0.5^n if 0 <= n <= 7 }
I = [[a, b, c, d], [e, f, g, hh],
     [i, j, k, l]]
K = [w, x; y, z]
f(t) = { 1 if 0 <= t < 1 }
g(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }
p(t) = { t^2 if 0 <= t < 1; 1 if 1 <= t < 3; 0 otherwise }
e1(t) = exp(-t) * u(t)
w(a) = { 2*exp(-2*a) if a >= 0 }
s = 0.5
k(t) = exp(-t^2 / (2*s^2)) / (s*sqrt(2*pi))
"#;

fn defined() -> Session {
    let mut s = Session::new();
    s.run_collect(DEFINITIONS)
        .unwrap_or_else(|d| panic!("{}", d.message));
    s
}

fn out(s: &mut Session, f: Format, text: &str) -> String {
    s.settings.format = f;
    let r = s
        .run_collect(text)
        .unwrap_or_else(|d| panic!("{text}: {}", d.message))
        .join("\n");
    s.settings.format = Format::Text;
    r
}

/// Runs `text` (which must succeed) and returns its warnings' messages.
fn warnings_of(s: &mut Session, text: &str) -> Vec<String> {
    let mut warnings = Vec::new();
    s.run(text, &mut |e| {
        if let convolab::session::Event::Warning(w) = e {
            warnings.push(w.message);
        }
    })
    .unwrap_or_else(|d| panic!("{text}: {}", d.message));
    warnings
}

#[test]
fn values_in_all_five_formats() {
    let mut s = defined();
    // (query, text, markdown, latex, csv, json fragment)
    let cases = [
        ("f(0.5)", "1", "`1`", "1", "1", "\"value\":1"),
        (
            "y[3]",
            "0.125",
            "`0.125`",
            "0.125",
            "0.125",
            "\"exact\":\"1/8\"",
        ),
        ("K[1, 0]", "y", "`y`", "y", "y", "\"value\":\"y\""),
        ("x[-1]", "3", "`3`", "3", "3", "\"value\":3"),
        ("g(1.5)", "0.5", "`0.5`", "0.5", "0.5", "\"value\":0.5"),
        (
            "0.1 + 0.2",
            "0.3",
            "`0.3`",
            "0.3",
            "0.3",
            "\"exact\":\"3/10\"",
        ),
    ];
    for (q, text, md, latex, csv, json) in cases {
        assert_eq!(out(&mut s, Format::Text, q), text, "{q}");
        assert_eq!(out(&mut s, Format::Markdown, q), md, "{q}");
        assert!(out(&mut s, Format::Latex, q).contains(latex), "{q}");
        assert_eq!(out(&mut s, Format::Csv, q), csv, "{q}");
        let j = out(&mut s, Format::Json, q);
        assert!(j.contains(json), "{q}: {j}");
        serde_json::from_str::<serde_json::Value>(&j).expect("json");
    }
}

#[test]
fn k_uses_the_defined_scalar_and_pi() {
    let mut s = defined();
    let v: f64 = out(&mut s, Format::Text, "k(0)").parse().unwrap();
    // 1/(0.5·sqrt(2π))
    assert!((v - 0.7978845608).abs() < 1e-9, "{v}");
}

#[test]
fn sequences_and_formula_sequences() {
    let mut s = defined();
    assert_eq!(out(&mut s, Format::Text, "x"), "[3, -1, 2] from -1");
    assert_eq!(
        out(&mut s, Format::Text, "y"),
        "[1, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125]"
    );
    assert_eq!(
        out(&mut s, Format::Text, "x + a"),
        "[3, 0, 2.5, 1, 1]  from -1".replace("  ", " ")
    );
    assert_eq!(out(&mut s, Format::Text, "2*a"), "[2, 1, 2, 2]");
}

#[test]
fn literals_spanning_lines_and_letters() {
    let mut s = defined();
    let t = out(&mut s, Format::Text, "I");
    for letter in ["a", "b", "e", "hh", "l"] {
        assert!(t.contains(letter), "{t}");
    }
    // `e` inside a literal is the letter, not 2.718…
    assert!(!t.contains("2.718"), "{t}");
    let j = out(&mut s, Format::Json, "I");
    assert!(j.contains("\"shape\":[3,4]"), "{j}");
}

#[test]
fn show_prints_breakpoints_and_support() {
    let mut s = defined();
    let t = out(&mut s, Format::Text, "show g");
    assert!(t.contains("breakpoints: 0, 1, 2"), "{t}");
    assert!(t.contains("support: [0, 2]"), "{t}");
    assert!(t.contains("2 − t"), "{t}");
    let t = out(&mut s, Format::Text, "show e1");
    assert!(t.contains("support: [0, ∞)"), "{t}");
    let t = out(&mut s, Format::Text, "show w");
    assert!(t.contains("w(a)"), "{t}");
    let t = out(&mut s, Format::Text, "show p");
    assert!(t.contains("breakpoints: 0, 1, 3"), "{t}");
    // Built-ins contribute their jumps and kinks.
    s.run_collect("r(t) = rect(t) + tri(t - 2)").unwrap();
    let t = out(&mut s, Format::Text, "show r");
    assert!(t.contains("breakpoints: -0.5, 0.5, 1, 2, 3"), "{t}");
    let j = out(&mut s, Format::Json, "show g");
    assert!(j.contains("\"pieces\""), "{j}");
}

#[test]
fn overlapping_pieces_warn_but_define() {
    let mut s = Session::new();
    let warnings = warnings_of(&mut s, "q(t) = { 1 if 0 <= t < 2; 2 if 1 <= t < 3 }");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("overlap"), "{warnings:?}");
    assert_eq!(out(&mut s, Format::Text, "q(1.5)"), "1");
}

#[test]
fn composition_and_parameters() {
    let mut s = defined();
    s.run_collect("m(t) = f(t) * g(0.3 - t)").unwrap();
    assert_eq!(out(&mut s, Format::Text, "m(-0.5)"), "0");
    assert_eq!(out(&mut s, Format::Text, "m(0.2)"), "0.1");
    s.run_collect("c = 3; sc(t) = c * f(t)").unwrap();
    assert_eq!(out(&mut s, Format::Text, "sc(0.5)"), "3");
}

#[test]
fn exact_off_shows_floats() {
    let mut s = Session::new();
    assert_eq!(out(&mut s, Format::Text, "1/3"), "1/3");
    s.run_collect("exact off").unwrap();
    assert_eq!(out(&mut s, Format::Text, "1/3"), "0.3333333333");
    s.run_collect("precision 4").unwrap();
    assert_eq!(out(&mut s, Format::Text, "1/3"), "0.3333");
}

#[test]
fn same_results_from_dash_c_stdin_and_run() {
    use assert_cmd::Command;
    let text = "a = [1, 0.5, 1, 1]\nb = [1, 0.5, 0.25]\nsteps conv(a, b)\nconv(a, b)[3]\n";
    let c = Command::cargo_bin("convolab")
        .unwrap()
        .args(["-c", text])
        .output()
        .unwrap();
    let i = Command::cargo_bin("convolab")
        .unwrap()
        .write_stdin(text)
        .output()
        .unwrap();
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("same.cl");
    std::fs::write(&file, text).unwrap();
    let r = Command::cargo_bin("convolab")
        .unwrap()
        .arg("run")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(c.stdout, i.stdout);
    assert_eq!(c.stdout, r.stdout);
    assert!(String::from_utf8_lossy(&c.stdout).contains("1.625"));
}

/// Numerical honesty: an inf or NaN in a table comes with a note
/// saying where it came from, in text and in JSON, and the overflow itself
/// is reported as a warning on the statement that caused it.
#[test]
fn infinities_in_tables_carry_a_note() {
    let mut s = Session::new();
    let warnings = warnings_of(&mut s, "x = [exp(1000), 1]");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("exp(1000)"), "{}", warnings[0]);

    let text = out(&mut s, Format::Text, "x");
    assert!(text.contains("[inf, 1]"), "{text}");
    assert!(text.contains("inf is a float overflow"), "{text}");

    let json = out(&mut s, Format::Json, "x");
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v["values"][0], "inf");
    assert!(v["notes"][0].as_str().unwrap().contains("float overflow"));

    let steps = out(&mut s, Format::Text, "steps conv(x, [1, 1])");
    assert!(steps.contains("c[1] = inf·1 + 1·1 = inf"), "{steps}");
    assert!(steps.contains("inf is a float overflow"), "{steps}");

    // An exported JSON file carries the note too.
    let path = std::env::temp_dir().join(format!("convolab-inf-{}.json", std::process::id()));
    out(
        &mut s,
        Format::Text,
        &format!("export x to \"{}\"", path.display()),
    );
    let file = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    assert!(
        file.contains(r#""notes":["inf is a float overflow"#),
        "{file}"
    );

    // A finite table has no note.
    let plain = out(&mut s, Format::Json, "[1, 2]");
    assert!(!plain.contains("notes"), "{plain}");
}

/// Functions defined through each other: a chain just inside the nesting
/// limit evaluates, shows and integrates on a test thread's small stack;
/// one level more is an error that keeps the session, and so are uses that
/// double at every level (2^16 evaluations for one value).
#[test]
fn function_chains_are_bounded() {
    let mut text = String::from("f0(t) = { t if 0 <= t < 1 }\n");
    for k in 1..=498 {
        text.push_str(&format!("f{k}(t) = f{}(t) + 1\n", k - 1));
    }
    let mut s = Session::new();
    s.run_collect(&text).unwrap();
    assert_eq!(out(&mut s, Format::Text, "f498(0.5)"), "498.5");
    assert!(out(&mut s, Format::Text, "show f498").contains("f498"));
    let area = out(&mut s, Format::Text, "integrate(f498, 0, 1)");
    assert!(area.starts_with("498.5"), "{area}");
    let h = out(&mut s, Format::Text, "h = conv(f498, f0); h(1)");
    // ∫₀¹ τ·((1 − τ) + 498) dτ = 1/6 + 249, exactly.
    assert_eq!(h, "1495/6");
    s.run_collect("plot f498 over -1..2").unwrap();
    let err = s.run_collect("f499(t) = f498(t) + 1").unwrap_err();
    assert!(err.message.contains("limit of 1000"), "{}", err.message);
    assert_eq!(out(&mut s, Format::Text, "f1(0.5)"), "1.5");

    let mut dag = String::from("g0(t) = { t if 0 <= t < 1 }\n");
    for k in 1..=15 {
        dag.push_str(&format!("g{k}(t) = g{0}(t) + g{0}(t - 1)\n", k - 1));
    }
    s.run_collect(&dag).unwrap();
    assert_eq!(out(&mut s, Format::Text, "g15(0.5)"), "0.5");
    let err = s.run_collect("g16(t) = g15(t) + g15(t - 1)").unwrap_err();
    assert!(err.message.contains("131070 times"), "{}", err.message);
    assert!(s.run_collect("h = flip(g15)").is_ok());
}

/// A step table names a literal argument with a letter that is not defined
/// in the session and is not the other argument's name.
#[test]
fn step_tables_name_literals_without_clashes() {
    let mut s = Session::new();
    s.run_collect("y = 3; x = [1, 2]").unwrap();
    let t = out(&mut s, Format::Text, "steps conv(x, [1, 1])");
    assert!(t.contains("c[n] = Σₘ x[m]·h[n−m]"), "{t}");
    let t = out(&mut s, Format::Text, "steps conv([1, 2], x)");
    assert!(t.contains("c[n] = Σₘ u[m]·x[n−m]"), "{t}");
    let fresh = out(
        &mut Session::new(),
        Format::Text,
        "steps conv([1, 2], [3, 4])",
    );
    assert!(fresh.contains("c[n] = Σₘ x[m]·y[n−m]"), "{fresh}");
}

/// `converge` sums only finitely many terms: with both inputs nonzero on
/// unbounded ranges it is an error (it used to print sums of 0), and with
/// one cut off it converges to √(π/2), the integral of exp(−τ²)·exp(−τ²).
#[test]
fn converge_needs_a_bounded_overlap() {
    let mut s = Session::new();
    s.run_collect("f(t) = exp(-t^2); fb(t) = { f(t) if -6 <= t <= 6 }")
        .unwrap();
    let e = s.run_collect("converge conv(f, f) at 0").unwrap_err();
    assert!(e.message.contains("infinitely many terms"), "{}", e.message);
    s.settings.format = Format::Json;
    let t = s.run_collect("converge conv(fb, f) at 0").unwrap().join("");
    let v: serde_json::Value = serde_json::from_str(&t).unwrap();
    let last = &v["rows"][7];
    let exact = (std::f64::consts::PI / 2.0).sqrt();
    assert!((last[1].as_f64().unwrap() - exact).abs() < 1e-12, "{last}");
}

/// `show` of a numeric convolution states its breakpoints and support once.
#[test]
fn show_of_a_numeric_convolution_does_not_repeat_itself() {
    let mut s = Session::new();
    s.run_collect("f(t) = exp(-t^2); g(t) = { 1 if 0 <= t < 1 }; h = conv(f, g)")
        .unwrap();
    let t = out(&mut s, Format::Text, "show h");
    assert_eq!(t.matches("breakpoints").count(), 1, "{t}");
    assert_eq!(t.matches("support").count(), 1, "{t}");
    assert!(t.contains("computed numerically at each t"), "{t}");
}

/// The sliding view writes the kernel's index as a student would.
#[test]
fn sliding_views_write_kernel_indices_plainly() {
    let mut s = Session::new();
    s.run_collect("a = [1, 2, 3]; b = [1, 1]").unwrap();
    for (query, index) in [
        ("steps corr(a, b) at 0", "b[m]"),
        ("steps corr(a, b) at -1", "b[m+1]"),
        ("steps corr(a, b) at 2", "b[m−2]"),
        ("steps conv(a, b) at 0", "b[−m]"),
        ("steps conv(a, b) at 2", "b[2−m]"),
    ] {
        let t = out(&mut s, Format::Text, query);
        assert!(t.contains(&format!("sits {index}")), "{query}: {t}");
    }
}
