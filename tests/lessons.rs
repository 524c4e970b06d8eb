//! Every lesson runs green, and its whole non-interactive output is a
//! golden snapshot (tests/snapshots/). One lesson is also run
//! interactively in a pseudo-terminal, answering an exercise right and wrong.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn lessons() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("lessons/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    v.sort();
    v
}

/// Runs a lesson in its own temp dir (plots land there) and returns stdout.
fn run(lesson: &Path) -> String {
    let name = lesson.file_stem().unwrap().to_string_lossy().to_string();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("lessons")
        .join(&name);
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::cargo_bin("convolab")
        .unwrap()
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .arg("run")
        .arg(lesson)
        .output()
        .expect("run");
    let stdout = String::from_utf8(out.stdout).expect("utf8");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{name} failed:\n{stderr}\n--- stdout ---\n{stdout}"
    );
    assert!(!stderr.contains("error"), "{name}: {stderr}");
    stdout
}

#[test]
fn there_are_nine_lessons_and_convolab_lists_them() {
    let all = lessons();
    assert!(all.len() >= 9, "{all:?}");
    let out = Command::cargo_bin("convolab")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("lessons")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for l in &all {
        let stem = l.file_stem().unwrap().to_string_lossy().to_string();
        assert!(text.contains(&stem), "{stem} not listed:\n{text}");
    }
}

macro_rules! lesson_snapshot {
    ($test:ident, $prefix:literal) => {
        #[test]
        fn $test() {
            let lesson = lessons()
                .into_iter()
                .find(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with($prefix)
                })
                .expect("lesson file");
            let out = run(&lesson);
            insta::assert_snapshot!(stringify!($test), out);
        }
    };
}

lesson_snapshot!(lesson_01, "01-");
lesson_snapshot!(lesson_02, "02-");
lesson_snapshot!(lesson_03, "03-");
lesson_snapshot!(lesson_04, "04-");
lesson_snapshot!(lesson_05, "05-");
lesson_snapshot!(lesson_06, "06-");
lesson_snapshot!(lesson_07, "07-");
lesson_snapshot!(lesson_08, "08-");
lesson_snapshot!(lesson_09, "09-");

#[test]
fn lesson_plots_are_written() {
    let lesson = lessons()
        .into_iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("08-"))
        .unwrap();
    run(&lesson);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("lessons")
        .join(lesson.file_stem().unwrap());
    for f in ["lesson8-image.png", "lesson8-blur.png", "lesson8-sobel.png"] {
        let bytes = std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{f}");
    }
}

#[test]
fn interactive_run_answers_right_wrong_and_ends_cleanly() {
    let lesson = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/01-discrete-by-hand.md");
    // c[2] = 1.5: a right answer; c[5] = 0.25: wrong twice (the answer is shown);
    // a malformed answer is asked again; then input ends.
    let out = Command::cargo_bin("convolab")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["run", "--interactive"])
        .arg(&lesson)
        .write_stdin("\n\n\n\n\n\n1.5\nnot a number\n0.3\n0.2\n")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(text.contains("✓ correct"), "{text}");
    assert!(text.contains("could not read"), "{text}");
    assert!(text.contains("Hint"), "{text}");
    assert!(
        text.contains("0.25"),
        "the answer after the second try:\n{text}"
    );
    assert!(text.contains("input ended"), "{text}");
}

#[test]
fn a_failing_statement_stops_with_file_and_line() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lessons-bad");
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.md");
    std::fs::write(&f, "# Bad\n\nText.\n\n```python\nnot convolab\n```\n\n```convolab\na = [1, 2]\nconv(a, b)\n```\n\nnever shown\n").unwrap();
    let out = Command::cargo_bin("convolab")
        .unwrap()
        .env("NO_COLOR", "1")
        .arg("run")
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.md:11:9"), "{err}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("not convolab"),
        "an unknown fence stays prose:\n{text}"
    );
    assert!(!text.contains("never shown"));
}
