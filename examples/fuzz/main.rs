//! A fuzzer that runs on stable Rust (cargo-fuzz needs nightly).
//!
//! ```text
//! cargo run --release --example fuzz -- parser SECONDS [--seed N]
//! cargo run --release --example fuzz -- eval SECONDS [--seed N]
//! cargo run --release --example fuzz -- replay parser|eval FILE...
//! ```
//!
//! `--profile fuzz` instead of `--release` adds overflow checks and debug
//! assertions (as in `cargo test`), so an integer overflow is a panic too.
//!
//! Inputs come from `fuzz/corpus/` (statements from the tests, including
//! the acceptance examples of `tests/spec.rs`, and from the lessons), from a
//! generator that knows the language, and from byte and token mutations of
//! both. An input whose outcome (the first error message,
//! numbers removed) has not been seen before joins the in-memory corpus: a
//! cheap stand-in for coverage feedback.
//!
//! The targets are in `targets.rs` (shared with `tests/fuzz_regressions.rs`).
//! A failing input is written to `fuzz/out/TARGET/` with its failure; once
//! fixed, copy it to `fuzz/regressions/` so `cargo test` replays it.
//!
//! A stack overflow aborts the process, so the fuzzing runs in a child
//! process that writes each input to `fuzz/out/TARGET/current.cl` before
//! running it; when the child dies, the parent saves that input as a crash
//! and starts a new child for the time that is left. The eval target runs
//! with the current directory set to a scratch directory, and file names in
//! string literals lose their `/` and `\`, so nothing is written elsewhere.

mod gen;
mod targets;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use gen::Rng;
use targets::Failure;

/// Per-input time budget for the eval target (per output format).
const BUDGET: Duration = Duration::from_secs(2);
/// The most inputs kept in the in-memory corpus.
const MAX_POOL: usize = 20_000;
/// Longest generated or mutated input (deep-nesting inputs aside).
const MAX_LEN: usize = 4_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: fuzz parser|eval SECONDS [--seed N] | fuzz replay parser|eval FILE...";
    match args.first().map(String::as_str) {
        Some("replay") => replay(&args[1..]),
        Some("--worker") => worker(&args[1..]),
        Some(target @ ("parser" | "eval")) => {
            let seconds: u64 = args
                .get(1)
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| die(usage));
            let seed = flag(&args, "--seed").unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(1)
            });
            supervise(target, seconds, seed);
        }
        _ => die(usage),
    }
}

fn die(msg: &str) -> ! {
    eprintln!("{msg}");
    std::process::exit(2)
}

fn flag(args: &[String], name: &str) -> Option<u64> {
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1)?.parse().ok()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn out_dir(target: &str) -> PathBuf {
    let d = root().join("fuzz/out").join(target);
    std::fs::create_dir_all(&d).expect("create fuzz/out");
    d
}

/// Run workers until `seconds` have passed, restarting after a crash.
fn supervise(target: &str, seconds: u64, seed: u64) {
    let exe = std::env::current_exe().expect("current exe");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let out = out_dir(target);
    let mut round = 0u64;
    let mut crashes = 0;
    println!(
        "fuzzing {target} for {seconds} s, seed {seed}; failures go to {}",
        out.display()
    );
    while Instant::now() < deadline {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .as_secs()
            .max(1);
        let status = Command::new(&exe)
            .args([
                "--worker",
                target,
                &left.to_string(),
                &(seed + round).to_string(),
            ])
            .status()
            .expect("start a worker");
        round += 1;
        if status.success() {
            continue;
        }
        let current = out.join("current.cl");
        let text = std::fs::read_to_string(&current).unwrap_or_default();
        let name = format!("crash-{:016x}.cl", fxhash(&text));
        let _ = std::fs::write(out.join(&name), &text);
        crashes += 1;
        println!(
            "worker died ({status}); input saved as {name} ({} bytes): {}",
            text.len(),
            preview(&text)
        );
    }
    println!("done: {round} worker run(s), {crashes} crash(es)");
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

fn preview(s: &str) -> String {
    let p: String = s.chars().take(120).collect();
    p.replace('\n', "⏎")
}

/// File names in string literals lose `/` and `\`, so the eval target can
/// write only into its scratch directory.
fn sanitize(text: &str) -> String {
    let mut inside = false;
    text.chars()
        .map(|c| match c {
            '"' => {
                inside = !inside;
                c
            }
            '/' | '\\' | '~' if inside => '_',
            _ => c,
        })
        .collect()
}

fn load_corpus() -> Vec<String> {
    let mut pool = Vec::new();
    for dir in ["fuzz/corpus", "fuzz/regressions"] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if let Ok(t) = std::fs::read_to_string(&p) {
                pool.push(t);
            }
        }
    }
    pool
}

/// The outcome of an input with digits removed: new ones grow the pool.
fn signature(target: &str, text: &str, r: &Option<String>) -> String {
    let msg = r.clone().unwrap_or_else(|| "ok".into());
    let msg: String = msg.chars().filter(|c| !c.is_ascii_digit()).collect();
    if target == "parser" {
        msg
    } else {
        // Which command or operation ran matters as much as the message.
        let head: String = text
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .find(|w| !w.is_empty())
            .unwrap_or("")
            .chars()
            .take(12)
            .collect();
        format!("{head}|{msg}")
    }
}

fn worker(args: &[String]) {
    let target = args[0].clone();
    let seconds: u64 = args[1].parse().expect("seconds");
    let seed: u64 = args[2].parse().expect("seed");
    let out = out_dir(&target);
    let current = out.join("current.cl");
    let scratch = std::env::temp_dir().join(format!("convolab-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    if target == "eval" {
        std::env::set_current_dir(&scratch).expect("enter the scratch dir");
    }
    let mut rng = Rng::new(seed);
    let mut pool = load_corpus();
    let corpus_len = pool.len();
    let mut seen: HashSet<String> = HashSet::new();
    let mut failures: HashMap<String, usize> = HashMap::new();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut execs: u64 = 0;
    let mut last_report = Instant::now();
    let mut stuck = 0;
    while Instant::now() < deadline {
        let text = next_input(&mut rng, &pool, &target);
        let text = if target == "eval" {
            sanitize(&text)
        } else {
            text
        };
        let _ = std::fs::write(&current, &text);
        let result = if target == "parser" {
            targets::parse_target(&text)
        } else {
            targets::eval_target(&text, BUDGET).map(|r| r.error)
        };
        execs += 1;
        match result {
            Ok(outcome) => {
                let sig = signature(&target, &text, &outcome);
                if seen.insert(sig) && text.len() <= MAX_LEN {
                    if pool.len() >= MAX_POOL {
                        let i = corpus_len + rng.below(pool.len() - corpus_len);
                        pool[i] = text;
                    } else {
                        pool.push(text);
                    }
                }
            }
            Err(f) => {
                let key = f.key();
                let n = failures.entry(key.clone()).or_insert(0);
                *n += 1;
                if *n <= 3 {
                    let kind = match &f {
                        Failure::Panic(_) => "panic",
                        Failure::Hang { .. } => "hang",
                        Failure::BadSpan(_) => "span",
                    };
                    let name = format!("{kind}-{:016x}.cl", fxhash(&text));
                    let _ = std::fs::write(out.join(&name), &text);
                    let _ = std::fs::write(out.join(format!("{name}.txt")), f.to_string());
                    println!("FAIL {name}: {f}\n    input: {}", preview(&text));
                }
                if let Failure::Hang { stopped: false, .. } = f {
                    // A thread that ignores the interrupt keeps a core busy:
                    // let the supervisor start a fresh process.
                    stuck += 1;
                    if stuck >= 2 {
                        println!("two runs ignored the interrupt; restarting the worker");
                        report(&target, execs, started, pool.len(), &failures);
                        std::process::exit(3);
                    }
                }
            }
        }
        if last_report.elapsed() > Duration::from_secs(30) {
            report(&target, execs, started, pool.len(), &failures);
            last_report = Instant::now();
        }
    }
    report(&target, execs, started, pool.len(), &failures);
    let _ = std::fs::remove_file(&current);
    let _ = std::fs::remove_dir_all(&scratch);
}

fn report(
    target: &str,
    execs: u64,
    started: Instant,
    pool: usize,
    failures: &HashMap<String, usize>,
) {
    let secs = started.elapsed().as_secs_f64();
    println!(
        "[{target}] {execs} execs in {secs:.0} s ({:.0}/s), pool {pool}, {} distinct failure(s)",
        execs as f64 / secs.max(1e-9),
        failures.len()
    );
    let mut keys: Vec<_> = failures.iter().collect();
    keys.sort();
    for (k, n) in keys {
        println!("    {n:>6} × {k}");
    }
}

fn next_input(rng: &mut Rng, pool: &[String], target: &str) -> String {
    let choice = rng.below(100);
    let deep_share = if target == "parser" { 3 } else { 0 };
    if choice < deep_share {
        return gen::deep(rng);
    }
    let fresh = if pool.is_empty() { 100 } else { 30 };
    let text = if choice < deep_share + fresh {
        gen::program(rng)
    } else {
        let a = &pool[rng.below(pool.len())];
        let b = &pool[rng.below(pool.len())];
        gen::mutate(rng, a, b)
    };
    let text = if target == "eval" && text.contains("timeit") && !rng.chance(0.02) {
        text.replace("timeit", "")
    } else {
        text
    };
    if text.len() > MAX_LEN {
        text.chars().take(MAX_LEN).collect()
    } else {
        text
    }
}

/// Replay files through a target and print what happened to each.
fn replay(args: &[String]) {
    let Some(target) = args.first() else {
        die("usage: fuzz replay parser|eval FILE...")
    };
    let scratch = std::env::temp_dir().join(format!("convolab-replay-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let files: Vec<PathBuf> = args[1..].iter().map(PathBuf::from).collect();
    let files: Vec<PathBuf> = files
        .into_iter()
        .map(|f| {
            if f.is_absolute() {
                f
            } else {
                std::env::current_dir().unwrap().join(f)
            }
        })
        .collect();
    std::env::set_current_dir(&scratch).expect("enter the scratch dir");
    let mut failed = 0;
    for f in &files {
        let text =
            std::fs::read_to_string(f).unwrap_or_else(|e| die(&format!("{}: {e}", f.display())));
        let t0 = Instant::now();
        let r = if target == "parser" {
            targets::parse_target(&text)
        } else {
            targets::eval_target(&text, BUDGET).map(|r| r.error)
        };
        let ms = t0.elapsed().as_secs_f64() * 1e3;
        match r {
            Ok(e) => println!("ok   {ms:8.1} ms  {}  {}", show(f), e.unwrap_or_default()),
            Err(e) => {
                failed += 1;
                println!("FAIL {ms:8.1} ms  {}  {e}", show(f));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    if failed > 0 {
        std::process::exit(1);
    }
}

fn show(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
