//! Properties of the discrete front end against an independent direct sum
//! written here, on random inputs with random start indices.

use convolab::value::Value;
use convolab::Session;
use proptest::prelude::*;

fn lit(start: i64, v: &[i64]) -> String {
    let items: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    format!("[{}] from {start}", items.join(", "))
}

fn float_lit(start: i64, v: &[i64]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x}.0*1.0")).collect();
    format!("1.0*[{}] from {start}", items.join(", "))
}

/// Σ_m x[m]·y[n−m] over the full support, as (start, values).
fn naive(xs: i64, x: &[i64], ys: i64, y: &[i64]) -> (i64, Vec<i64>) {
    let mut out = vec![0; x.len() + y.len() - 1];
    for (i, a) in x.iter().enumerate() {
        for (j, b) in y.iter().enumerate() {
            out[i + j] += a * b;
        }
    }
    (xs + ys, out)
}

fn seq(s: &mut Session, e: &str) -> (i64, Vec<f64>) {
    match s
        .eval_str(e)
        .unwrap_or_else(|d| panic!("{e}: {}", d.message))
    {
        Value::Sequence(q) => (q.start, q.elems.floats().expect("numeric").into_owned()),
        other => panic!("{e}: {}", other.kind_name()),
    }
}

fn holds(s: &mut Session, e: &str) -> bool {
    s.settings.format = convolab::render::doc::Format::Json;
    let out = s
        .run_collect(&format!("check {e}"))
        .unwrap_or_else(|d| panic!("{e}: {}", d.message));
    out[0].contains("\"passed\":true")
}

fn vecs() -> impl Strategy<Value = (i64, Vec<i64>)> {
    (-5i64..5, prop::collection::vec(-9i64..10, 1..9))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn conv_equals_the_direct_sum((xs, x) in vecs(), (ys, y) in vecs()) {
        let mut s = Session::new();
        let (start, want) = naive(xs, &x, ys, &y);
        let (gs, got) = seq(&mut s, &format!("conv({}, {})", lit(xs, &x), lit(ys, &y)));
        prop_assert_eq!(gs, start);
        prop_assert_eq!(got, want.iter().map(|&v| v as f64).collect::<Vec<_>>());
        // The float path gives the same numbers.
        let (fs, fgot) = seq(&mut s, &format!("conv({}, {})", float_lit(xs, &x), float_lit(ys, &y)));
        prop_assert_eq!(fs, start);
        for (a, b) in fgot.iter().zip(&want) {
            prop_assert!((a - *b as f64).abs() < 1e-9);
        }
    }

    #[test]
    fn algebraic_laws((xs, x) in vecs(), (ys, y) in vecs(), (zs, z) in vecs()) {
        let mut s = Session::new();
        s.run_collect(&format!("x = {}; y = {}; z = {}", lit(xs, &x), lit(ys, &y), lit(zs, &z))).unwrap();
        prop_assert!(holds(&mut s, "conv(x, y) == conv(y, x)"));
        prop_assert!(holds(&mut s, "conv(conv(x, y), z) == conv(x, conv(y, z))"));
        prop_assert!(holds(&mut s, "corr(x, y) == conv(x, flip(y))"));
        prop_assert!(holds(&mut s, "conv(x, y + z) == conv(x, y) + conv(x, z)"));
        prop_assert!(holds(&mut s, "corr(x, y) == flip(corr(y, x))"));
    }

    #[test]
    fn modes_are_windows_of_full((xs, x) in vecs(), (ys, y) in vecs()) {
        let mut s = Session::new();
        let (fs, full) = seq(&mut s, &format!("conv({}, {})", lit(xs, &x), lit(ys, &y)));
        let (ss, same) = seq(&mut s, &format!("conv({}, {}, mode=same)", lit(xs, &x), lit(ys, &y)));
        prop_assert_eq!(same.len(), x.len());
        let off = (ss - fs) as usize;
        prop_assert_eq!(off, (y.len() - 1) / 2);
        prop_assert_eq!(&full[off..off + same.len()], &same[..]);
        let (vs, valid) = seq(&mut s, &format!("conv({}, {}, mode=valid)", lit(xs, &x), lit(ys, &y)));
        prop_assert_eq!(valid.len(), (x.len() + 1).saturating_sub(y.len()));
        if !valid.is_empty() {
            let off = (vs - fs) as usize;
            prop_assert_eq!(off, y.len() - 1);
            prop_assert_eq!(&full[off..off + valid.len()], &valid[..]);
        }
    }

    #[test]
    fn the_toeplitz_matrix_multiplies_to_conv((_, x) in vecs(), (_, y) in vecs()) {
        let mut s = Session::new();
        s.run_collect(&format!("x = {}; y = {}", lit(0, &x), lit(0, &y))).unwrap();
        let n = x.len();
        let e = format!("conv_matrix(y, {n}) @ x == conv(x, y)");
        prop_assert!(holds(&mut s, &e), "{}", e);
        // Matrix products index from 0; `same` keeps conv's index bookkeeping
        // (it starts (len(y) − 1)/2 into the full result).
        let e = format!("shift(conv_matrix(y, {n}, mode=same) @ x, {}) == conv(x, y, mode=same)", (y.len() - 1) / 2);
        prop_assert!(holds(&mut s, &e), "{}", e);
    }

    #[test]
    fn circular_equals_linear_when_the_period_is_long_enough((_, x) in vecs(), (_, y) in vecs()) {
        let mut s = Session::new();
        s.run_collect(&format!("x = {}; y = {}", lit(0, &x), lit(0, &y))).unwrap();
        let n = x.len() + y.len() - 1;
        let e = format!("cconv(x, y, {n}) == conv(x, y)");
        prop_assert!(holds(&mut s, &e), "{}", e);
        let e = format!("conv(x, y) == idft(dft(x, {n}) * dft(y, {n}))");
        prop_assert!(holds(&mut s, &e), "{}", e);
    }
}

/// 2D convolution against a direct double sum written here.
#[test]
fn two_d_against_the_direct_double_sum() {
    let a: Vec<Vec<i64>> = (0..5)
        .map(|r| (0..6).map(|c| (r * 7 + c * 3) % 11 - 5).collect())
        .collect();
    let k: Vec<Vec<i64>> = vec![vec![1, -2, 3], vec![0, 4, -1]];
    let mat = |m: &Vec<Vec<i64>>| {
        let rows: Vec<String> = m
            .iter()
            .map(|r| {
                r.iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect();
        format!("[{}]", rows.join("; "))
    };
    let (ar, ac, kr, kc) = (5usize, 6usize, 2usize, 3usize);
    let mut want = vec![vec![0i64; ac + kc - 1]; ar + kr - 1];
    for i in 0..ar {
        for j in 0..ac {
            for p in 0..kr {
                for q in 0..kc {
                    want[i + p][j + q] += a[i][j] * k[p][q];
                }
            }
        }
    }
    let mut s = Session::new();
    let v = s
        .eval_str(&format!("conv({}, {})", mat(&a), mat(&k)))
        .unwrap();
    let Value::Matrix(m) = v else {
        panic!("not a matrix")
    };
    assert_eq!((m.rows, m.cols), (ar + kr - 1, ac + kc - 1));
    for (r, row) in want.iter().enumerate() {
        for (c, w) in row.iter().enumerate() {
            assert_eq!(
                m.get(r, c).and_then(|x| x.to_f64()),
                Some(*w as f64),
                "({r}, {c})"
            );
        }
    }
    // Floats take the fast path and agree.
    let v = s
        .eval_str(&format!("conv(1.0*{}, {})", mat(&a), mat(&k)))
        .unwrap();
    let Value::Matrix(f) = v else {
        panic!("not a matrix")
    };
    for (r, row) in want.iter().enumerate() {
        for (c, w) in row.iter().enumerate() {
            assert!((f.get(r, c).and_then(|x| x.to_f64()).unwrap() - *w as f64).abs() < 1e-9);
        }
    }
}

/// A float input long enough for the FFT path agrees with the exact sum.
#[test]
fn the_fft_path_agrees_with_the_exact_direct_sum() {
    let mut s = Session::new();
    let x: Vec<String> = (0..3000)
        .map(|i| ((i * 37) % 101 - 50).to_string())
        .collect();
    let y: Vec<String> = (0..400).map(|i| ((i * 53) % 29 - 14).to_string()).collect();
    s.run_collect(&format!("x = [{}]; y = [{}]", x.join(", "), y.join(", ")))
        .unwrap();
    let (_, exact) = seq(&mut s, "conv(x, y)");
    let (_, fast) = seq(&mut s, "conv(1.0*x, 1.0*y)");
    let scale = exact.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (a, b) in exact.iter().zip(&fast) {
        assert!((a - b).abs() <= 1e-12 * scale, "{a} vs {b}");
    }
}
