//! The short fuzz run of `cargo test`: every file in `fuzz/regressions/`
//! (inputs that once crashed or hung convolab) and `fuzz/corpus/` (the
//! fuzzer's seeds) goes through both fuzz targets of `examples/fuzz`: the
//! parser must return, and evaluation in every output format must neither
//! panic nor take longer than its budget.

#[allow(dead_code)] // the fuzzer uses all of it, this test a part
#[path = "../examples/fuzz/targets.rs"]
mod targets;

use std::path::{Path, PathBuf};
use std::time::Duration;

/// Generous for an unoptimised build on a busy machine; the fuzzer's
/// optimised runs use 2 s.
const BUDGET: Duration = Duration::from_secs(10);

fn files(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "cl"))
        .collect();
    out.sort();
    out
}

fn replay(dir: &str) {
    let paths = files(dir);
    assert!(!paths.is_empty(), "{dir} is empty");
    // Inputs may `save` or `export` to relative paths: run them in a
    // scratch directory. This binary has this one test per directory, and
    // both set the same directory.
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-replay");
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    std::env::set_current_dir(&scratch).expect("enter the scratch dir");
    let mut failures = Vec::new();
    for p in &paths {
        let text = std::fs::read_to_string(p).expect("read input");
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if let Err(f) = targets::parse_target(&text) {
            failures.push(format!("{name} (parser): {f}"));
        }
        if let Err(f) = targets::eval_target(&text, BUDGET) {
            failures.push(format!("{name} (eval): {f}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} inputs failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}

#[test]
fn regressions() {
    replay("fuzz/regressions");
}

#[test]
fn corpus() {
    replay("fuzz/corpus");
}
