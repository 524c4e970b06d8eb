//! The command line: entry points, formats, exit codes, where output goes.

use assert_cmd::Command;
use predicates::prelude::*;

fn convolab() -> Command {
    let mut c = Command::cargo_bin("convolab").expect("binary");
    c.env("NO_COLOR", "1")
        .env("CONVOLAB_HISTORY", tmp("history"));
    c
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

#[test]
fn dash_c_runs_statements_and_exits_zero() {
    convolab()
        .args(["-c", "a = [1, 0.5, 1, 1]; b = [1, 0.5, 0.25]; conv(a, b)"])
        .assert()
        .success()
        .stdout("[1, 1, 1.5, 1.625, 0.75, 0.25]\n")
        .stderr("");
}

#[test]
fn a_failing_statement_exits_one_with_file_line_column_on_stderr() {
    convolab()
        .args(["-c", "x = 1\ny = expp(2)"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            predicate::str::contains("-c:2:5")
                .and(predicate::str::contains("did you mean 'exp'?"))
                .and(predicate::str::contains("^^^^")),
        );
}

#[test]
fn statements_before_the_error_still_print() {
    convolab()
        .args(["-c", "1 + 1; nope"])
        .assert()
        .code(1)
        .stdout("2\n");
}

#[test]
fn a_failed_check_exits_one() {
    convolab()
        .args(["-c", "check corr([1, 2], [3, 4]) == corr([3, 4], [1, 2])"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("✗"));
}

#[test]
fn bad_usage_exits_two() {
    convolab()
        .args(["--format", "xml", "-c", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown format 'xml'"));
    convolab().args(["--no-such-flag"]).assert().code(2);
}

#[test]
fn global_options_go_before_or_after_the_subcommand() {
    let script = tmp("global-options.txt");
    std::fs::write(&script, "conv([1, 2], [1, 1])\n").unwrap();
    for args in [["--format", "json", "run"], ["run", "--format", "json"]] {
        convolab()
            .args(args)
            .arg(&script)
            .assert()
            .success()
            .stdout(predicate::str::contains("\"type\""));
    }
    // -c and a subcommand exclude each other.
    convolab()
        .args(["-c", "1", "lessons"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "-c cannot be used with a subcommand",
        ));
}

#[test]
fn stdin_is_read_when_not_a_terminal() {
    convolab()
        .write_stdin("a = [1, 2]\na + a\n")
        .assert()
        .success()
        .stdout("[2, 4]\n");
}

#[test]
fn invalid_utf8_on_stdin_warns_and_goes_on() {
    convolab()
        .write_stdin(b"x = 2 # \xff\nx + 1\n".to_vec())
        .assert()
        .success()
        .stdout("3\n")
        .stderr(predicate::str::contains("not valid UTF-8"));
}

#[test]
fn every_format_flag_works() {
    for (fmt, needle) in [
        ("text", "1.625"),
        ("markdown", "`1.625`"),
        ("latex", "1.625"),
        ("csv", "1.625"),
        ("json", "\"exact\":\"13/8\""),
    ] {
        convolab()
            .args(["--format", fmt, "-c", "13/8"])
            .assert()
            .success()
            .stdout(predicate::str::contains(needle));
    }
}

#[test]
fn json_lines_one_object_per_value() {
    let out = convolab()
        .args([
            "--format",
            "json",
            "-c",
            "1/3; [1, 2] from -1; check 1 == 1",
        ])
        .output()
        .expect("run");
    let text = String::from_utf8(out.stdout).expect("utf8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).expect("json");
        assert!(v.get("type").is_some());
    }
}

#[test]
fn run_runs_scripts_in_order() {
    let a = tmp("a.cl");
    let b = tmp("b.cl");
    std::fs::write(&a, "x = [1, 2, 3]\n").unwrap();
    std::fs::write(&b, "# uses x from the first file\nconv(x, [1, 1])\n").unwrap();
    convolab()
        .arg("run")
        .arg(&a)
        .arg(&b)
        .assert()
        .success()
        .stdout(predicate::str::contains("[1, 3, 5, 3]"));
}

#[test]
fn run_reports_the_file_line_of_an_error() {
    let a = tmp("bad.cl");
    std::fs::write(&a, "x = 1\n\ny = [1, 2\n").unwrap();
    convolab()
        .arg("run")
        .arg(&a)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bad.cl:3:").and(predicate::str::contains("opened here")));
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    convolab()
        .args(["run", "/no/such/file.md"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read"));
}

#[test]
fn warnings_go_to_stderr() {
    convolab()
        .args(["-c", "conv([1, 2], [1, 2, 3], mode=valid)"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning"));
}

#[test]
fn no_colour_when_not_a_terminal() {
    let out = Command::cargo_bin("convolab")
        .unwrap()
        .args(["-c", "nope"])
        .output()
        .expect("run");
    assert!(!String::from_utf8_lossy(&out.stderr).contains('\x1b'));
}

#[test]
fn help_and_version() {
    convolab()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("convolab"));
    convolab()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn export_writes_the_format_the_extension_names() {
    let md = tmp("steps.md");
    let json = tmp("steps.json");
    let _ = std::fs::remove_file(&md);
    convolab()
        .current_dir(md.parent().unwrap())
        .args(["-c", "a = [1, 0.5, 1, 1]; b = [1, 0.5, 0.25]; export steps conv(a, b) to \"steps.md\"; export conv(a, b) to \"steps.json\""])
        .assert()
        .success()
        .stdout(predicate::str::contains("steps.md"));
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.contains("c[3] = 0.5·0.25 + 1·0.5 + 1·1 = 1.625"),
        "{text}"
    );
    let j: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&json).unwrap().trim()).unwrap();
    assert_eq!(j["type"], "sequence");
}

/// Start `convolab -c statements`, send SIGINT after 0.8 s, and check that it
/// stops within 5 s with status 130 and says it was interrupted.
fn interrupt_exits_130(statements: &str) {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_convolab"))
        .args(["-c", statements])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(std::time::Duration::from_millis(800));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let start = std::time::Instant::now();
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        start.elapsed().as_secs_f64() < 5.0,
        "{statements}: took {:?}",
        start.elapsed()
    );
    assert_eq!(out.status.code(), Some(130), "{statements}: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
}

#[test]
fn ctrl_c_in_a_non_interactive_run_exits_130() {
    // Each point an adaptive integral over an oscillating product.
    interrupt_exits_130(
        "g(t) = exp(-t^2/100)*sin(40*t); k = conv(g, g); k(linspace(-30, 30, 1000000))",
    );
    // Convolutions of convolutions: the inner integrals give up with NaN,
    // which must be reported as the interrupt, not as a divergent integral.
    interrupt_exits_130(
        "f(t) = exp(-t^2)*sin(3*t); h1 = conv(f, f); h2 = conv(h1, h1); h3 = conv(h2, h2); \
         h4 = conv(h3, h3); h4(0.3)",
    );
}

#[test]
fn ctrl_c_stops_exact_sums_whose_fractions_grow() {
    // Millions of exact multiply-adds whose denominators grow to thousands
    // of bits: seconds to minutes of work, within the multiply-add limit.
    let x = "x[n] = { 1/(n+7) if 0 <= n < 3000 }; ";
    interrupt_exits_130(&format!("{x}y = conv(x, x)"));
    interrupt_exits_130(&format!("{x}y = cconv(x, x, 3000)"));
    interrupt_exits_130(&format!("{x}steps conv(x, x) at 2900..3099"));
    interrupt_exits_130("x[n] = { 1/(n+7) if 0 <= n < 1000 }; y = conv_matrix(x, 1000) @ x");
    interrupt_exits_130(
        "a[n] = { 1/(n+3) if 0 <= n < 50 }; b[n] = { 1/(n+5) if 0 <= n < 20 }; \
         M = conv_matrix(a, 50) + 1/7; N = conv_matrix(b, 20) + 1/11; C = conv(M, N)",
    );
}

#[test]
fn ctrl_c_stops_functions_built_from_functions() {
    // g15 applies other functions 65 534 times per value (under the limit):
    // 10^5 values take minutes.
    let mut text = String::from("g0(t) = { t if 0 <= t < 1 }; ");
    for k in 1..=15 {
        text.push_str(&format!("g{k}(t) = g{0}(t) + g{0}(t - 1); ", k - 1));
    }
    text.push_str("v = g15(linspace(0, 1, 100000))");
    interrupt_exits_130(&text);
}

#[test]
fn plot_paths_are_relative_to_the_current_directory() {
    let dir = tmp("plots-relative");
    std::fs::create_dir_all(&dir).unwrap();
    let _ = std::fs::remove_file(dir.join("seq.svg"));
    convolab()
        .current_dir(&dir)
        .args(["-c", "plot [1, 2, 3] from -1 to \"seq.svg\""])
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote seq.svg"));
    let svg = std::fs::read_to_string(dir.join("seq.svg")).expect("written next to the run");
    assert!(
        svg.trim_start().starts_with("<svg") || svg.contains("<svg"),
        "{}",
        &svg[..100.min(svg.len())]
    );
}
