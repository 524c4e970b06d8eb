//! The acceptance tests of convolab's contract: the examples of the
//! project's specification, run through the library's `Session` (the same
//! entry point the binary uses). They must keep working; each test's name
//! or comment says what it checks.
//!
//! Reference values marked "numpy/scipy" were computed once with numpy 2 /
//! scipy 1.16 and pasted here; "PyTorch semantics" values were computed with
//! an explicit numpy loop implementing torch.nn.functional.conv2d (a
//! correlation over the zero-padded input with stride and dilation).

use convolab::render::doc::Format;
use convolab::Session;
use serde_json::Value as Json;

fn session() -> Session {
    Session::new()
}

/// Run `text` and return everything displayed, as text.
fn text(s: &mut Session, text: &str) -> String {
    match s.run_collect(text) {
        Ok(out) => out.join("\n"),
        Err(d) => panic!("{text}: {}", d.message),
    }
}

/// Run `text` with `--format json` and return the JSON objects displayed.
fn json(s: &mut Session, text: &str) -> Vec<Json> {
    s.settings.format = Format::Json;
    let out = s
        .run_collect(text)
        .unwrap_or_else(|d| panic!("{text}: {}", d.message));
    s.settings.format = Format::Text;
    out.iter()
        .flat_map(|o| {
            o.lines()
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
                .collect::<Vec<Json>>()
        })
        .collect()
}

fn one_json(s: &mut Session, t: &str) -> Json {
    let mut v = json(s, t);
    assert_eq!(v.len(), 1, "{t}: {v:?}");
    v.remove(0)
}

fn values(j: &Json) -> Vec<f64> {
    j["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| v.as_f64().expect("number"))
        .collect()
}

fn matrix(j: &Json) -> Vec<Vec<f64>> {
    j["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("row")
                .iter()
                .map(|v| v.as_f64().expect("number"))
                .collect()
        })
        .collect()
}

fn assert_close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-12 * (1.0 + y.abs()), "{a:?} vs {b:?}");
    }
}

const AB: &str = "a = [1, 0.5, 1, 1]; b = [1, 0.5, 0.25]";

#[test]
fn literals_are_exact_rationals() {
    let mut s = session();
    assert_eq!(text(&mut s, "13/8"), "1.625");
    assert_eq!(text(&mut s, "1/3"), "1/3");
    let j = one_json(&mut s, "13/8");
    assert_eq!(j["type"], "number");
    assert_eq!(j["value"], 1.625);
    assert_eq!(j["exact"], "13/8");
}

/// The worked example a = [1, 0.5, 1, 1], b = [1, 0.5, 0.25]: the values
/// c = [1, 1, 1.5, 1.625, 0.75, 0.25], one step row per n = 0…5 with every
/// term (`zeros=on` adds the zero-padded ones), and the same rows in JSON.
#[test]
fn the_worked_c_n_example() {
    let mut s = session();
    text(&mut s, AB);
    assert_eq!(text(&mut s, "conv(a, b)"), "[1, 1, 1.5, 1.625, 0.75, 0.25]");
    let steps = text(&mut s, "steps conv(a, b)");
    assert!(
        steps.contains("c[3] = 0.5·0.25 + 1·0.5 + 1·1 = 1.625"),
        "{steps}"
    );
    for n in 0..=5 {
        assert!(
            steps.contains(&format!("c[{n}] =")),
            "row {n} missing:\n{steps}"
        );
    }
    assert!(!steps.contains("c[6]"));
    let zeros = text(&mut s, "steps conv(a, b) zeros=on");
    assert!(zeros.contains("c[0] = 0·0.25 + 0·0.5 + 1·1 = 1"), "{zeros}");
    let j = one_json(&mut s, "steps conv(a, b)");
    assert_eq!(j["type"], "steps");
    assert_eq!(j["op"], "conv");
    let row3 = &j["rows"][3];
    assert_eq!(row3["n"], 3);
    assert_eq!(row3["value"], 1.625);
    let first = &row3["terms"][0];
    assert_eq!(
        (
            first["m"].as_i64(),
            first["x"].as_f64(),
            first["y"].as_f64(),
            first["product"].as_f64()
        ),
        (Some(1), Some(0.5), Some(0.25), Some(0.125))
    );
    let sv = one_json(&mut s, "conv(a, b)");
    assert_eq!(sv["type"], "sequence");
    assert_eq!(sv["start"], 0);
    assert_close(&values(&sv), &[1.0, 1.0, 1.5, 1.625, 0.75, 0.25]);
}

#[test]
fn sliding_view_at_n() {
    let mut s = session();
    text(&mut s, AB);
    let t = text(&mut s, "steps conv(a, b) at 3");
    assert!(t.contains("b[3−m]"), "{t}");
    assert!(t.contains("c[3] = 0.5·0.25 + 1·0.5 + 1·1 = 1.625"), "{t}");
    let t = text(&mut s, "steps corr(a, b) at 1");
    assert!(t.contains("not flipped"), "{t}");
    assert!(t.contains("b[m−1]"), "{t}");
}

#[test]
fn correlation_matches_numpy_and_starts_before_zero() {
    let mut s = session();
    // numpy: np.correlate([1,2,3], [0,1,0.5], 'full') = [0.5, 2, 3.5, 3, 0]
    let j = one_json(&mut s, "corr([1, 2, 3], [0, 1, 0.5])");
    assert_eq!(j["start"], -2);
    assert_close(&values(&j), &[0.5, 2.0, 3.5, 3.0, 0.0]);
    let c = one_json(
        &mut s,
        "check corr([1, 2, 3], [0, 1, 0.5]) == conv([1, 2, 3], flip([0, 1, 0.5]))",
    );
    assert_eq!(c["passed"], true);
}

#[test]
fn same_mode_is_centred_like_scipy() {
    let mut s = session();
    // scipy.signal.convolve([1,2,3,4],[1,1,1,1],'same') = [3, 6, 10, 9]
    assert_close(
        &values(&one_json(
            &mut s,
            "conv([1, 2, 3, 4], [1, 1, 1, 1], mode=same)",
        )),
        &[3.0, 6.0, 10.0, 9.0],
    );
    // scipy.signal.convolve([1,2,3,4,5],[1,2,3],'same') = [4, 10, 16, 22, 22]
    assert_close(
        &values(&one_json(
            &mut s,
            "conv([1, 2, 3, 4, 5], [1, 2, 3], mode=same)",
        )),
        &[4.0, 10.0, 16.0, 22.0, 22.0],
    );
    assert_close(
        &values(&one_json(
            &mut s,
            "conv([1, 2, 3, 4, 5], [1, 2, 3], mode=valid)",
        )),
        &[10.0, 16.0, 22.0],
    );
}

#[test]
fn start_indices_add() {
    let mut s = session();
    let j = one_json(&mut s, "conv([1, 2, 3] from -1, [1, 1] from 2)");
    assert_eq!(j["start"], 1);
    assert_close(&values(&j), &[1.0, 3.0, 5.0, 3.0]);
}

#[test]
fn exact_and_symbolic_entries_stay_exact() {
    let mut s = session();
    assert_eq!(text(&mut s, "conv([1/3, 2], [1, 1])"), "[1/3, 7/3, 2]");
    let t = text(&mut s, "conv([a, b], [c, d])");
    assert!(
        t.contains("a·c") && t.contains("a·d + b·c") && t.contains("b·d"),
        "{t}"
    );
}

/// The textbook letter matrices: `corr` does not flip the kernel
/// (a·w + b·x + e·y + f·z), `conv` does (a·z + b·y + e·x + f·w), and `steps`
/// shows each output's window.
#[test]
fn the_letter_example() {
    let mut s = session();
    text(
        &mut s,
        "I = [a, b, c, d; e, f, g, h; i, j, k, l]; K = [w, x; y, z]",
    );
    let corr = one_json(&mut s, "corr(I, K, mode=valid)");
    assert_eq!(corr["shape"], serde_json::json!([2, 3]));
    assert_eq!(corr["rows"][0][0], "a·w + b·x + e·y + f·z");
    let conv = one_json(&mut s, "conv(I, K, mode=valid)");
    assert_eq!(conv["rows"][0][0], "a·z + b·y + e·x + f·w");
    let t = text(&mut s, "steps conv(I, K, mode=valid) at (0, 1)");
    assert!(t.contains("flipped"), "{t}");
    assert!(t.contains("out[0, 1] = b·z + c·y + f·x + g·w"), "{t}");
    let all = text(&mut s, "steps corr(I, K, mode=valid)");
    assert!(all.contains("out[1, 2] = g·w + h·x + k·y + l·z"), "{all}");
}

#[test]
fn two_d_matches_scipy_boundaries() {
    let mut s = session();
    text(&mut s, "A = [1, 2, 3, 4, 5; 6, 7, 8, 9, 10; 11, 12, 13, 14, 15; 16, 17, 18, 19, 20]; K = [1, 2; 3, 4]");
    // scipy.signal.convolve2d(A, K, 'same', boundary='fill' | 'wrap' | 'symm')
    let fill = [
        [1.0, 4.0, 7.0, 10.0, 13.0],
        [9.0, 29.0, 39.0, 49.0, 59.0],
        [29.0, 79.0, 89.0, 99.0, 109.0],
        [49.0, 129.0, 139.0, 149.0, 159.0],
    ];
    let wrap = [
        [139.0, 119.0, 129.0, 139.0, 149.0],
        [49.0, 29.0, 39.0, 49.0, 59.0],
        [99.0, 79.0, 89.0, 99.0, 109.0],
        [149.0, 129.0, 139.0, 149.0, 159.0],
    ];
    let symm = [
        [10.0, 14.0, 24.0, 34.0, 44.0],
        [25.0, 29.0, 39.0, 49.0, 59.0],
        [75.0, 79.0, 89.0, 99.0, 109.0],
        [125.0, 129.0, 139.0, 149.0, 159.0],
    ];
    for (b, want) in [("zero", fill), ("wrap", wrap), ("reflect", symm)] {
        let got = matrix(&one_json(
            &mut s,
            &format!("conv(A, K, mode=same, boundary={b})"),
        ));
        for (g, w) in got.iter().zip(want.iter()) {
            assert_close(g, w);
        }
    }
    // scipy.signal.correlate2d(A, K, 'valid')
    let got = matrix(&one_json(&mut s, "corr(A, K, mode=valid)"));
    assert_close(&got[0], &[51.0, 61.0, 71.0, 81.0]);
    assert_close(&got[2], &[151.0, 161.0, 171.0, 181.0]);
    // scipy.signal.convolve2d(A, K, 'full'), last row
    let got = matrix(&one_json(&mut s, "conv(A, K)"));
    assert_eq!(got.len(), 5);
    assert_close(&got[4], &[48.0, 115.0, 122.0, 129.0, 136.0, 80.0]);
}

#[test]
fn stride_padding_dilation_follow_pytorch() {
    let mut s = session();
    text(&mut s, "A = [1,2,3,4,5; 6,7,8,9,10; 11,12,13,14,15; 16,17,18,19,20; 21,22,23,24,25]; K = [1,0,2; 0,1,0; 3,0,1]");
    // PyTorch semantics (see module doc): stride 2, padding 1, dilation 2.
    let got = matrix(&one_json(
        &mut s,
        "corr(A, K, stride=2, padding=1, dilation=2)",
    ));
    assert_eq!(got, vec![vec![26.0, 60.0], vec![35.0, 26.0]]);
    let got = matrix(&one_json(&mut s, "corr(A, K, padding=1)"));
    assert_close(&got[0], &[8.0, 28.0, 33.0, 38.0, 32.0]);
    assert_close(&got[4], &[55.0, 74.0, 78.0, 82.0, 44.0]);
    let shape = text(&mut s, "shape conv(A, K, stride=2, padding=1, dilation=2)");
    assert!(
        shape.contains("⌊(5 + 2·1 − 2·(3−1) − 1)/2⌋ + 1 = 2"),
        "{shape}"
    );
    let j = one_json(&mut s, "shape conv(A, K, stride=2, padding=1, dilation=2)");
    assert_eq!(j["shape"], serde_json::json!([2, 2]));
}

#[test]
fn conv_matrix_matches_scipy_and_multiplies() {
    let mut s = session();
    // scipy.linalg.convolution_matrix([1,2,3], 5, 'valid')
    let got = matrix(&one_json(&mut s, "conv_matrix([1, 2, 3], 5, mode=valid)"));
    assert_eq!(
        got,
        vec![
            vec![3.0, 2.0, 1.0, 0.0, 0.0],
            vec![0.0, 3.0, 2.0, 1.0, 0.0],
            vec![0.0, 0.0, 3.0, 2.0, 1.0]
        ]
    );
    // scipy.linalg.convolution_matrix([1,2,3], 5, 'same')
    let got = matrix(&one_json(&mut s, "conv_matrix([1, 2, 3], 5, mode=same)"));
    assert_eq!(got[0], vec![2.0, 1.0, 0.0, 0.0, 0.0]);
    assert_eq!(got[4], vec![0.0, 0.0, 0.0, 3.0, 2.0]);
    text(&mut s, AB);
    let c = one_json(&mut s, "check conv_matrix(b, 4) @ a == conv(a, b)");
    assert_eq!(c["passed"], true);
    let t = text(&mut s, "conv_matrix(b, 4)");
    assert!(t.contains("12 nonzeros of 24 entries"), "{t}");
    let st = text(&mut s, "steps conv_matrix(b, 4) @ a");
    assert!(st.contains("y[3] = 0.25·0.5 + 0.5·1 + 1·1 = 1.625"), "{st}");
    let c = one_json(&mut s, "check conv_matrix([1, 2; 3, 4], [3, 4], mode=valid) @ [1,2,3,4,5,6,7,8,9,10,11,12] == [26, 36, 46, 66, 76, 86]");
    // scipy.signal.convolve2d([[1,2,3,4],[5,6,7,8],[9,10,11,12]], [[1,2],[3,4]], "valid") = [[26,36,46],[66,76,86]]
    assert_eq!(c["passed"], true, "{c}");
}

#[test]
fn checks_show_both_sides() {
    let mut s = session();
    text(&mut s, AB);
    let ok = one_json(&mut s, "check conv(a, b) == conv(b, a)");
    assert_eq!(ok["type"], "check");
    assert_eq!(ok["passed"], true);
    let t = text(&mut s, "check conv(a, b) == conv(b, a)");
    assert!(t.contains('✓'), "{t}");
    let bad = one_json(&mut s, "check corr(a, b) == corr(b, a)");
    assert_eq!(bad["passed"], false);
    assert!(
        bad.get("left").is_some() && bad.get("right").is_some(),
        "{bad}"
    );
    let t = text(&mut s, "check corr(a, b) == corr(b, a)");
    assert!(
        t.contains('✗') && t.contains("left") && t.contains("right"),
        "{t}"
    );
    let assoc = one_json(
        &mut s,
        "check conv(conv(a, b), [1, -1]) == conv(a, conv(b, [1, -1]))",
    );
    assert_eq!(assoc["passed"], true);
    let thm = one_json(&mut s, "check conv(a, b) == idft(dft(a, 6) * dft(b, 6))");
    assert_eq!(thm["passed"], true);
}

#[test]
fn circular_and_transposed() {
    let mut s = session();
    text(&mut s, AB);
    // The linear result [1, 1, 1.5, 1.625, 0.75, 0.25] folded onto period 4.
    assert_close(
        &values(&one_json(&mut s, "cconv(a, b, 4)")),
        &[1.75, 1.25, 1.5, 1.625],
    );
    // PyTorch conv_transpose1d([1, 2], [1, 1, 1], stride=2)
    assert_close(
        &values(&one_json(
            &mut s,
            "conv_transpose([1, 2], [1, 1, 1], stride=2)",
        )),
        &[1.0, 1.0, 3.0, 2.0, 2.0],
    );
    let p = text(&mut s, "steps as_poly(a) * as_poly(b)");
    assert!(p.contains("x^3: 0.5·0.25 + 1·0.5 + 1·1 = 1.625"), "{p}");
}

const FG: &str = "f(t) = { 1 if 0 <= t < 1 }\ng(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }";

/// rect on [0, 1) and the triangle g at t = 0.3: one overlap interval
/// [0, 0.3], the integrand 1·(0.3 − τ), the total 0.045, in text and JSON.
#[test]
fn continuous_steps_at_one_t() {
    let mut s = session();
    text(&mut s, FG);
    let t = text(&mut s, "steps conv(f, g) at 0.3");
    assert!(t.contains("1·(0.3 − τ)"), "{t}");
    assert!(t.contains("0.045"), "{t}");
    let j = one_json(&mut s, "steps conv(f, g) at 0.3");
    assert_eq!(j["type"], "steps");
    let iv = j["intervals"].as_array().expect("intervals");
    assert_eq!(iv.len(), 1);
    assert_eq!(iv[0]["from"], 0.0);
    assert!((iv[0]["to"].as_f64().unwrap() - 0.3).abs() < 1e-15);
    assert_eq!(iv[0]["integrand"], "1·(0.3 − τ)");
    assert!((j["value"].as_f64().unwrap() - 0.045).abs() < 1e-12);
}

#[test]
fn continuous_curve_values_and_errors() {
    let mut s = session();
    text(&mut s, FG);
    text(&mut s, "h = conv(f, g)");
    // Closed form of rect * triangle: t²/2 on [0,1), then 1 − (t−1)²/2 … see below.
    let at = |s: &mut Session, t: f64| one_json(s, &format!("h({t})"))["value"].as_f64().unwrap();
    assert!((at(&mut s, 0.3) - 0.045).abs() < 1e-12);
    assert!((at(&mut s, 1.5) - 0.75).abs() < 1e-12);
    assert!((at(&mut s, 2.5) - 0.125).abs() < 1e-12);
    assert_eq!(at(&mut s, 3.5), 0.0);
    let j = one_json(&mut s, "integrate(h)");
    assert!((j["value"].as_f64().unwrap() - 1.0).abs() < 1e-12, "{j}");
}

#[test]
fn converge_table_shows_first_order() {
    let mut s = session();
    text(&mut s, FG);
    let j = one_json(&mut s, "converge conv(f, g) at 1");
    assert_eq!(j["type"], "table");
    let rows = j["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 8, "h = 1/2 … 1/256");
    let t = text(&mut s, "converge conv(f, g) at 1");
    assert!(t.contains("1/256"), "{t}");
}

#[test]
fn riemann_is_h_times_the_discrete_sum() {
    let mut s = session();
    text(&mut s, FG);
    let c = one_json(
        &mut s,
        "check riemann(conv(f, g), 0.25) == 0.25 * conv(sample(f, 0.25), sample(g, 0.25))",
    );
    assert_eq!(c["passed"], true, "{c}");
    let st = text(&mut s, "steps riemann(conv(f, g), 0.25) at 4");
    assert!(st.contains("0.625"), "{st}");
}

#[test]
fn kernel_checks() {
    let mut s = session();
    text(&mut s, "w(t) = 2*exp(-2*t)*u(t)");
    assert_eq!(one_json(&mut s, "check is_pdf(w)")["passed"], true);
    assert_eq!(one_json(&mut s, "check is_causal(w)")["passed"], true);
    text(&mut s, "v(t) = { 1 if -1 <= t < 1 }");
    let c = one_json(&mut s, "check is_pdf(v)");
    assert_eq!(c["passed"], false);
    let t = text(&mut s, "check is_causal(v)");
    assert!(t.contains('✗'), "{t}");
}

#[test]
fn every_format_renders_the_tables() {
    let mut s = session();
    text(&mut s, AB);
    text(&mut s, FG);
    text(&mut s, "I = [a, b, c, d; e, f, g, h; i, j, k, l]; K = [w, x; y, z]; M = [1, 2, 3; 4, 5, 6; 7, 8, 9]");
    let queries = [
        "steps conv(a, b)",
        "steps conv(a, b) at 2",
        "steps corr(a, b) zeros=on",
        "steps conv(a, b) at 1..3",
        "steps conv(f, g) at 0.3",
        "steps corr(f, g) at -0.5",
        "converge conv(f, g) at 1",
        "steps riemann(conv(f, g), 0.25) at 4",
        "conv_matrix(b, 3)",
        "conv_matrix(K, [3, 4], mode=valid)",
        "steps conv_matrix(b, 4) @ a",
        "steps as_poly(a) * as_poly(b)",
        "steps cconv(a, b, 4)",
        "steps corr(I, K, mode=valid)",
        "steps conv(I, K, mode=valid) at (1, 2)",
        "steps conv(M, K, mode=same, boundary=reflect) at (0, 0)",
        "shape conv(M, K, stride=2, padding=1)",
        "shape conv(a, b, mode=valid)",
        "conv(I, K, mode=valid)",
        "dft(a)",
        "integrate(g)",
        "show g",
        "check conv(a, b) == conv(b, a)",
        "check corr(a, b) == corr(b, a)",
    ];
    for q in queries {
        for f in Format::ALL {
            s.settings.format = f;
            let out = s
                .run_collect(q)
                .unwrap_or_else(|d| panic!("{q}: {}", d.message))
                .join("\n");
            assert!(!out.trim().is_empty(), "{q} in {f:?} rendered nothing");
            if f == Format::Json {
                for l in out.lines() {
                    serde_json::from_str::<Json>(l).unwrap_or_else(|e| panic!("{q}: {l}: {e}"));
                }
            }
            if f == Format::Latex {
                assert!(
                    !out.contains('·') && !out.contains('−'),
                    "{q}: unicode left in LaTeX:\n{out}"
                );
            }
        }
        s.settings.format = Format::Text;
    }
}
