//! An installed binary carries its lessons: a copy of `convolab` run far
//! from the source tree (no `CONVOLAB_LESSONS`, an empty current directory,
//! HOME elsewhere) lists and runs all nine; a `lessons/` folder in the
//! current directory does not replace them; `CONVOLAB_LESSONS=DIR` and
//! `--lessons DIR` do.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The bundled titles, in order (the first heading of each lesson file).
const TITLES: [&str; 9] = [
    "Discrete convolution by hand",
    "Convolution versus cross-correlation",
    "Continuous convolution",
    "Smoothing a noisy thermometer",
    "From the integral to the sum",
    "2D convolution",
    "Convolution as a matrix",
    "Kernels on images",
    "Closed forms",
];

/// A fresh directory under the target's temp dir.
fn fresh(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("install")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The binary copied into its own folder, as `cargo install` would leave it.
struct Installed {
    exe: PathBuf,
    home: PathBuf,
}

impl Installed {
    fn new(name: &str) -> Installed {
        let root = fresh(name);
        let bin = root.join("bin");
        let home = root.join("home");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        let exe = bin.join("convolab");
        std::fs::copy(env!("CARGO_BIN_EXE_convolab"), &exe).expect("copy the binary");
        Installed { exe, home }
    }

    /// `convolab args…` in `cwd`, with CONVOLAB_LESSONS removed.
    fn run(&self, cwd: &Path, args: &[&str]) -> Output {
        self.command(cwd, args).output().expect("run the copy")
    }

    fn command(&self, cwd: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(&self.exe);
        c.current_dir(cwd)
            .args(args)
            .env_remove("CONVOLAB_LESSONS")
            .env_remove("XDG_DATA_HOME")
            .env_remove("CONVOLAB_HISTORY")
            .env("HOME", &self.home)
            .env("NO_COLOR", "1");
        c
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_ok(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what}: {:?}\n--- stderr ---\n{}\n--- stdout ---\n{}",
        o.status,
        stderr(o),
        stdout(o)
    );
}

/// Lesson 1's worked example, as the bundled lesson prints it.
fn assert_is_lesson_1(text: &str) {
    assert!(
        text.contains("# Lesson 1 — Discrete convolution by hand"),
        "{text}"
    );
    assert!(text.contains("c[3] = "), "{text}");
    assert!(text.contains("1.625"), "{text}");
    assert!(!text.contains("FAKE"), "{text}");
}

#[test]
fn the_lessons_are_listed_by_number_and_title_without_the_source_tree() {
    let bin = Installed::new("list");
    let empty = fresh("list-cwd");
    let o = bin.run(&empty, &["lessons"]);
    assert_ok(&o, "convolab lessons");
    let text = stdout(&o);
    let firsts: Vec<&str> = text.lines().filter(|l| !l.starts_with("    ")).collect();
    assert_eq!(
        firsts.len(),
        9,
        "one line per lesson (and a summary):\n{text}"
    );
    for (i, (line, title)) in firsts.iter().zip(TITLES).enumerate() {
        let n = i + 1;
        assert!(
            line.trim_start().starts_with(&format!("{n}  {n:02}-")),
            "{line}"
        );
        assert!(line.contains(title), "lesson {n}: {title} in {line}");
    }
    let summaries = text.lines().filter(|l| l.starts_with("    ")).count();
    assert_eq!(summaries, 9, "each lesson has a summary:\n{text}");
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn a_lesson_runs_by_number_and_by_name() {
    let bin = Installed::new("run");
    let empty = fresh("run-cwd");
    for which in ["1", "01-discrete-by-hand", "discrete-by-hand"] {
        let o = bin.run(&empty, &["lesson", which]);
        assert_ok(&o, &format!("convolab lesson {which}"));
        assert_is_lesson_1(&stdout(&o));
    }
    // The REPL's `lesson N`, here through -c.
    let o = bin.run(&empty, &["-c", "lesson 1"]);
    assert_ok(&o, "convolab -c 'lesson 1'");
    assert_is_lesson_1(&stdout(&o));
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
    // Interactively: six pauses, then the first exercise answered right.
    let mut child = bin
        .command(&empty, &["lesson", "--interactive", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"\n\n\n\n\n\n1.5\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_ok(&o, "convolab lesson --interactive 1");
    let text = stdout(&o);
    assert_eq!(text.matches("press Enter").count(), 6, "{text}");
    assert!(text.contains("✓ correct"), "{text}");
    assert!(text.contains("input ended"), "{text}");
    // By name; lesson 3's plots land in the current directory.
    let o = bin.run(&empty, &["-c", "lesson \"continuous\""]);
    assert_ok(&o, "convolab -c 'lesson \"continuous\"'");
    assert!(stdout(&o).contains("# Lesson 3 — Continuous convolution"));
    let png = std::fs::read(empty.join("lesson3-steps.png")).expect("lesson 3's plot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn an_unknown_lesson_or_a_missing_file_says_how_to_find_one() {
    let bin = Installed::new("unknown");
    let empty = fresh("unknown-cwd");
    let o = bin.run(&empty, &["lesson", "99"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("there is no lesson '99'"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("`convolab lessons`"), "{}", stderr(&o));
    // `run` still means a file; the hint names the bundled lesson.
    let o = bin.run(&empty, &["run", "lessons/03-continuous.md"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("cannot read lessons/03-continuous.md"),
        "{err}"
    );
    assert!(err.contains("`convolab lesson 3` runs it"), "{err}");
    assert!(stdout(&o).is_empty());
}

#[test]
fn a_lessons_folder_in_the_current_directory_does_not_replace_the_bundled_ones() {
    let bin = Installed::new("cwd");
    let cwd = fresh("cwd-cwd");
    std::fs::create_dir_all(cwd.join("lessons")).unwrap();
    std::fs::write(
        cwd.join("lessons/01-x.md"),
        "# FAKE lesson\n\n```convolab\n[7, 7]\n```\n",
    )
    .unwrap();
    let o = bin.run(&cwd, &["lesson", "1"]);
    assert_ok(&o, "convolab lesson 1");
    assert_is_lesson_1(&stdout(&o));
    let o = bin.run(&cwd, &["-c", "lesson 1"]);
    assert_ok(&o, "convolab -c 'lesson 1'");
    assert_is_lesson_1(&stdout(&o));
    let o = bin.run(&cwd, &["lessons"]);
    assert_ok(&o, "convolab lessons");
    let text = stdout(&o);
    assert!(!text.contains("FAKE"), "{text}");
    assert!(text.contains("Closed forms"), "{text}");
    // An empty CONVOLAB_LESSONS counts as unset.
    let o = bin
        .command(&cwd, &["lesson", "1"])
        .env("CONVOLAB_LESSONS", "")
        .output()
        .unwrap();
    assert_ok(&o, "CONVOLAB_LESSONS= convolab lesson 1");
    assert_is_lesson_1(&stdout(&o));
}

/// A folder with one custom lesson 1.
fn custom_lessons(name: &str) -> PathBuf {
    let dir = fresh(name);
    std::fs::write(
        dir.join("01-custom.md"),
        "# My custom lesson\n\nA lesson being written. It squares a short sequence.\n\n```convolab\nconv([1, 2], [1, 2])\n```\n",
    )
    .unwrap();
    dir
}

#[test]
fn convolab_lessons_dir_replaces_the_bundled_lessons() {
    let bin = Installed::new("env");
    let cwd = fresh("env-cwd");
    let dir = custom_lessons("env-lessons");
    let with_env = |args: &[&str]| {
        bin.command(&cwd, args)
            .env("CONVOLAB_LESSONS", &dir)
            .output()
            .unwrap()
    };
    let o = with_env(&["lessons"]);
    assert_ok(&o, "CONVOLAB_LESSONS=dir convolab lessons");
    let text = stdout(&o);
    assert!(text.contains("01-custom.md"), "{text}");
    assert!(text.contains("My custom lesson"), "{text}");
    assert!(text.contains("A lesson being written."), "{text}");
    assert!(!text.contains("Closed forms"), "{text}");
    for args in [
        &["lesson", "1"][..],
        &["lesson", "custom"],
        &["-c", "lesson 1"],
    ] {
        let o = with_env(args);
        assert_ok(&o, &format!("CONVOLAB_LESSONS=dir convolab {args:?}"));
        let text = stdout(&o);
        assert!(text.contains("# My custom lesson"), "{text}");
        assert!(text.contains("[1, 4, 4]"), "{text}");
        assert!(!text.contains("Discrete convolution by hand"), "{text}");
    }
    // A failing statement names the file in the folder, line and column.
    std::fs::write(
        dir.join("02-broken.md"),
        "# Broken\n\n```convolab\nconv([1], zz)\n```\n",
    )
    .unwrap();
    let o = with_env(&["lesson", "broken"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let at = format!("{}:4:11", dir.join("02-broken.md").display());
    assert!(err.contains(&at), "{at} in\n{err}");
    std::fs::remove_file(dir.join("02-broken.md")).unwrap();
    // Lesson 2 is not in the folder, though it is bundled.
    let o = with_env(&["lesson", "2"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("there is no lesson '2'"), "{err}");
    assert!(err.contains(&dir.display().to_string()), "{err}");
}

#[test]
fn the_lessons_flag_replaces_the_bundled_lessons() {
    let bin = Installed::new("flag");
    let cwd = fresh("flag-cwd");
    let dir = custom_lessons("flag-lessons");
    let d = dir.to_str().unwrap();
    for args in [
        &["--lessons", d, "lesson", "1"][..],
        &["lesson", "--lessons", d, "1"],
        &["--lessons", d, "-c", "lesson 1"],
    ] {
        let o = bin.run(&cwd, args);
        assert_ok(&o, &format!("convolab {args:?}"));
        let text = stdout(&o);
        assert!(text.contains("# My custom lesson"), "{text}");
        assert!(text.contains("[1, 4, 4]"), "{text}");
    }
    let o = bin.run(&cwd, &["lessons", "--lessons", d]);
    assert_ok(&o, "convolab lessons --lessons dir");
    assert!(stdout(&o).contains("My custom lesson"), "{}", stdout(&o));
    // The flag wins over the environment variable.
    let o = bin
        .command(&cwd, &["--lessons", d, "lesson", "1"])
        .env("CONVOLAB_LESSONS", fresh("flag-other"))
        .output()
        .unwrap();
    assert_ok(&o, "--lessons over CONVOLAB_LESSONS");
    assert!(stdout(&o).contains("# My custom lesson"));
    // A folder that is not there is an error that names it.
    let missing = cwd.join("no-such-folder");
    let o = bin.run(&cwd, &["--lessons", missing.to_str().unwrap(), "lessons"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot read the lessons folder"),
        "{}",
        stderr(&o)
    );
    // An empty flag is a usage error.
    let o = bin.run(&cwd, &["--lessons", "", "lessons"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
