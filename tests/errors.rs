//! The error catalogue: bad input of every kind, each rendered exactly as
//! the binary prints it (`runner::render_diagnostic`, no colour), compared
//! with a golden snapshot in `tests/snapshots/`. Every diagnostic names the
//! problem, points at the input with a caret and says what to do.
//!
//! Each case runs in a fresh session after [`PRELUDE`] (the sequences,
//! functions and matrices of the README's session and the lessons); the snapshot shows the case's own text. Update the
//! snapshots with `INSTA_UPDATE=always cargo test --test errors`, then read
//! every changed one.

use convolab::runner::render_diagnostic;
use convolab::session::Event;
use convolab::Session;

const PRELUDE: &str = "a = [1, 0.5, 1, 1]; b = [1, 0.5, 0.25]
f(t) = { 1 if 0 <= t < 1 }
g(t) = { t if 0 <= t < 1; 2 - t if 1 <= t <= 2 }
I = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]; K = [1, 0; 0, -1]";

/// Warnings and the error of `text`, rendered; panics if nothing is reported.
fn diagnostics(text: &str) -> String {
    let mut s = Session::new();
    s.run_collect(PRELUDE).expect("the prelude runs");
    let mut warnings = Vec::new();
    let result = s.run(text, &mut |e| {
        if let Event::Warning(w) = e {
            warnings.push(w);
        }
    });
    let mut out: Vec<String> = warnings
        .iter()
        .map(|w| render_diagnostic(w, "<input>", text, false))
        .collect();
    if let Err(d) = result {
        out.push(render_diagnostic(&d, "<input>", text, false));
    }
    assert!(!out.is_empty(), "no diagnostic for {text:?}");
    out.join("")
}

macro_rules! case {
    ($($name:ident: $text:expr;)*) => {$(
        #[test]
        fn $name() {
            let owned = String::from($text);
            let text = owned.as_str();
            insta::with_settings!({ description => text, omit_expression => true }, {
                insta::assert_snapshot!(diagnostics(text));
            });
        }
    )*};
}

// Syntax: brackets, stray characters, implicit multiplication, keywords,
// numbers, incomplete statements.
case! {
    syntax_unclosed_call: "conv(a, b";
    syntax_unclosed_sequence: "x = [1, 2, 3";
    syntax_unclosed_block: "h(t) = { 1 if 0 <= t < 1";
    syntax_unclosed_block_multiline: "h(t) = { t if 0 <= t < 1\n  2 - t if 1 <= t < 2\ny = 3";
    syntax_unmatched_close: "y = (1 + 2))";
    syntax_times_sign: "y = 2 × 3";
    syntax_unicode_minus: "y = 5 − 2";
    syntax_convolution_star: "conv_ab = a ∗ b";
    syntax_implicit_multiplication: "h(t) = 2t";
    syntax_implicit_multiplication_paren: "h(t) = 2(t + 1)";
    syntax_two_values: "x = 1 2";
    syntax_keyword_as_name: "if = 3";
    syntax_keyword_as_function: "from(t) = t";
    syntax_two_decimal_points: "x = 1.2.3";
    syntax_bad_exponent: "x = 1e";
    syntax_missing_operand: "y = 3 +";
    syntax_double_operator: "h(t) = t +* 2";
    syntax_double_comma: "x = [1,, 2]";
    syntax_empty_condition: "h(t) = { t if }";
    syntax_unterminated_string: "load(\"abc";
    syntax_define_operation: "conv(a, b) = 3";
    syntax_number_parameter: "h(1) = t";
    syntax_double_equals_definition: "x = = 3";
    syntax_unclosed_index: "y = a[";
    syntax_deep_nesting: &format!("y = {}1{}", "(".repeat(1000), ")".repeat(1000));
}

// Names: unknown functions and names, with a suggestion when one is close.
case! {
    name_unknown_function: "expp(1)";
    name_misspelt_operation: "cnov(a, b)";
    name_unknown: "y = undefined_thing + 1";
    name_close_to_defined: "conv(aa, b)";
    name_bare_variable: "t + 1";
    name_show_unknown: "show zz";
    name_clear_unknown: "clear q";
    name_help_unknown: "help convolutoin";
    name_redefine_constant: "pi = 3";
}

// Kinds: an operation given the wrong kind of value.
case! {
    kind_conv_number_function: "conv(2, f)";
    kind_conv_sequence_function: "conv(a, f)";
    kind_index_function: "f[3]";
    kind_call_sequence: "a(2)";
    kind_matmul_sequence: "a @ f";
    kind_matrix_plus_sequence: "I + [1, 2, 3]";
    kind_wrong_argument_count: "conv(a)";
    kind_not_number: "not 3";
    kind_function_two_arguments: "f(1, 2)";
    kind_two_variable_function: "w(t, s) = t + s\nconv(w, w)";
    kind_fractional_shift: "shift(a, 0.5)";
    kind_fractional_start: "x = [1, 2] from 0.5";
    kind_integrate_number: "integrate(3)";
    kind_steps_number: "steps 3";
    kind_converge_sequences: "converge conv(a, b) at 1";
    kind_check_number: "check 3";
    kind_riemann_sequence: "riemann(a, 0.25)";
}

// Ranges: empty or reversed ranges, positions outside the data.
case! {
    range_sample_reversed: "sample(f, 0.25, from=3, to=1)";
    range_valid_longer_kernel: "conv([1, 2], [1, 2, 3], mode=valid)";
    range_index_outside: "a[10]";
    range_matrix_row_outside: "I[3, 0]";
    range_linspace_no_points: "linspace(0, 1, 0)";
    range_empty_sequence: "conv([], b)";
    range_steps_rows_too_many: "steps conv(a, b) at 1e9";
    range_overlapping_pieces: "h(t) = { 1 if 0 <= t < 1; 2 if 0 <= t < 2 }";
    range_sequence_formula_unbounded: "y[n] = 3";
    range_polynomial_negative_start: "as_poly([1, 2] from -1)";
}

// Numerics: division by zero, divergent and singular integrals, domains,
// huge numbers.
case! {
    numeric_division_by_zero: "1/0";
    numeric_sequence_division_by_zero: "a / [0, 1]";
    numeric_divergent_integral: "s(t) = sin(t)\nintegrate(s)";
    numeric_divergent_step: "h(t) = u(t)\nintegrate(h)";
    numeric_divergent_exponential: "h(t) = exp(t)\nintegrate(h, 0, inf)";
    numeric_singularity: "r(t) = 1/t\nintegrate(r, -1, 1)";
    numeric_ln_zero: "ln(0)";
    numeric_sqrt_negative: "sqrt(-1)";
    numeric_gauss_zero_width: "gauss(0, 0)";
    numeric_huge_exact_power: "2^(10^9)";
    numeric_converge_unbounded: "s(t) = exp(-t^2)\nconverge conv(s, s) at 0";
    numeric_riemann_unbounded: "s(t) = exp(-t^2)\nriemann(conv(s, f), 0.25)";
    numeric_exact_underflow: "x = (1/3)^100000";
    numeric_exact_overflow: "x = 3^100000";
    numeric_exact_fallback: "x = 1.0001^1000\nx";
    numeric_float_overflow: "exp(1000)";
    numeric_far_apart_sequences: "a + [1, 2] from 1e9";
    numeric_index_beyond_limit: "[1, 2] from 2^62";
}

// Limits: requests that would spend too much memory or time get an error
// before any is spent, saying what to do instead.
case! {
    limit_sample_points: "sample(f, 1e-9)";
    limit_conv_matrix_2d: "conv_matrix(K, [100000, 100000])";
    limit_formula_length: "y[n] = { 1 if 0 <= n <= 1e9 }";
    limit_circular_period: "cconv(a, b, 1e12)";
    limit_precision: "precision 40";
    limit_linspace_points: "linspace(0, 1, 1e9)";
    limit_exact_conv_work: "z[n] = { 1 if 0 <= n < 1e4 }\nconv(z, z)";
    limit_exact_matrix_product: "z[n] = { 1/(n+1) if 0 <= n < 300 }\nconv_matrix(z, 300) @ conv_matrix([1], 300)";
    limit_float_matrix_product: "z = 1.0*[1, 2]\nconv_matrix(z, 1998) @ conv_matrix(1.0*[1], 1998)";
    limit_2d_padding: "conv(K, K, padding=1e9)";
    limit_function_nesting: &(1..=9)
        .map(|k| format!("n{k}(t) = {}n{}(t){}\n", "-(".repeat(120), k - 1, ")".repeat(120)))
        .fold(String::from("n0(t) = t\n"), |a, l| a + &l);
    limit_function_applications: &(1..=16)
        .map(|k| format!("d{k}(t) = d{0}(t) + d{0}(t - 1)\n", k - 1))
        .fold(String::from("d0(t) = t\n"), |a, l| a + &l);
}

// Files: reading, writing, formats.
case! {
    file_load_missing: "load(\"no-such-file.csv\")";
    file_save_unwritable: "save(a, \"/nonexistent/dir/x.csv\")";
    file_export_unknown_extension: "export steps conv(a, b) to \"c.docx\"";
    file_load_not_a_string: "load(a)";
}

// Lessons.
case! {
    lesson_missing: "lesson 99";
    lesson_zero: "lesson 0";
}

// Options: unknown names and values, out-of-range numbers.
case! {
    option_unknown: "conv(a, b, mdoe=valid)";
    option_mode_misspelt: "conv(a, b, mode=vaild)";
    option_stride_zero: "conv(I, K, stride=0)";
    option_padding_negative: "conv(I, K, padding=-1)";
    option_dilation_zero: "conv(I, K, dilation=0)";
    option_boundary_unknown: "conv(I, K, boundary=mirror)";
    option_given_twice: "conv(a, b, mode=valid, mode=full)";
    option_zeros_not_on_off: "steps conv(a, b) zeros=maybe";
    option_format_unknown: "format yaml";
    option_conv_matrix_zero: "conv_matrix(b, 0)";
    option_stride_fraction: "conv(I, K, stride=1.5)";
    option_circular_period_zero: "cconv(a, b, 0)";
    option_dft_length_zero: "dft(a, 0)";
}

// Exercises.
case! {
    exercise_missing_answer: "exercise \"q\" =";
    exercise_prompt_not_string: "exercise 3 = 4";
    exercise_negative_tolerance: "exercise \"q\" = 3 tol=-1";
    exercise_unknown_name_in_answer: "exercise \"c[3]\" = conv(a, bb)[3]";
}
// Plots and animations: ranges, files, sizes, what can be drawn.
case! {
    plot_reversed_range: "plot f over 2..1";
    plot_infinite_range: "plot f over 0..inf";
    plot_range_not_number: "plot f over a..b";
    plot_unknown_extension: "plot f to \"x.bmp\"";
    plot_missing_directory: "plot f to \"/nonexistent/dir/x.png\"";
    plot_number: "plot 3";
    plot_terminal_width_zero: "plot f over 0..1 width=0";
    plot_file_too_large: "plot f to \"x.png\" width=100000";
    plot_unknown_option: "plot f over 0..1 colour=red";
    plot_too_many_samples: "plot sample(f, 1e-9)";
    animate_not_a_convolution: "animate f to \"a.gif\"";
    animate_png: "animate conv(f, g) over -1..4 to \"s.png\"";
    animate_too_many_frames: "animate conv(f, g) over -1..4 frames=1000000 to \"s.gif\"";
}
// Closed forms: what exact(…) accepts, and what it says outside its class.
case! {
    exact_not_a_convolution: "exact(3)";
    exact_of_sequences: "exact(conv(a, b))";
    exact_two_arguments: "exact(conv(f, g), 2)";
    exact_outside_class_warns: "q(t) = { sqrt(t) if 0 <= t < 1 }\nexact(conv(f, q))";
    exact_steps_outside_class: "q(t) = gauss(t, 1)\nsteps exact(conv(f, q))";
    exact_builtin_without_arguments: "exact(conv(f, gauss))";
}
// A function leaving a built-in's domain at a point.
case! {
    numeric_function_not_real: "q(t) = sqrt(t)\nq(-1)";
    numeric_negative_fractional_power: "(-8)^(1/3)";
}
