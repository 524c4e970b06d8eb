//! The REPL in a pseudo-terminal: errors keep the session, multi-line input,
//! Ctrl-C interrupts a long computation, history persists.

use rexpect::session::{spawn_command, PtySession};
use std::process::Command;

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("repl");
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

fn spawn(history: &std::path::Path) -> PtySession {
    spawn_term(history, "dumb")
}

fn spawn_term(history: &std::path::Path, term: &str) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_convolab"));
    cmd.env("NO_COLOR", "1")
        .env("CONVOLAB_HISTORY", history)
        .env("TERM", term);
    let mut p = spawn_command(cmd, Some(30_000)).expect("spawn convolab");
    p.exp_string("convolab>").expect("first prompt");
    p
}

#[test]
fn an_error_keeps_earlier_definitions() {
    let h = tmp("history-errors");
    let _ = std::fs::remove_file(&h);
    let mut p = spawn(&h);
    p.send_line("a = [1, 0.5, 1, 1]").unwrap();
    p.exp_string("convolab>").unwrap();
    p.send_line("conv(a, expp(1))").unwrap();
    p.exp_string("did you mean 'exp'?").unwrap();
    p.exp_string("convolab>").unwrap();
    p.send_line("conv(a, [1, 0.5, 0.25])").unwrap();
    p.exp_string("[1, 1, 1.5, 1.625, 0.75, 0.25]").unwrap();
    p.send_line("quit").unwrap();
    p.exp_eof().unwrap();
    let saved = std::fs::read_to_string(&h).expect("history written");
    assert!(saved.contains("conv(a, expp(1))"), "{saved}");
}

#[test]
fn an_open_bracket_continues_on_the_next_line() {
    let h = tmp("history-multiline");
    let mut p = spawn(&h);
    p.send_line("M = [1, 2;").unwrap();
    p.send_line("3, 4]").unwrap();
    p.exp_string("convolab>").unwrap();
    p.send_line("M[1, 0]").unwrap();
    p.exp_string("3").unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn ctrl_c_interrupts_a_long_computation_and_keeps_the_session() {
    let h = tmp("history-interrupt");
    let mut p = spawn(&h);
    p.send_line("keep = [4, 5, 6]").unwrap();
    p.exp_string("convolab>").unwrap();
    // Each point is an adaptive integral over an oscillating product: this
    // takes minutes unless interrupted.
    p.send_line("g(t) = exp(-t^2/100)*sin(40*t)").unwrap();
    p.exp_string("convolab>").unwrap();
    p.send_line("k = conv(g, g)").unwrap();
    p.exp_string("convolab>").unwrap();
    p.send_line("k(linspace(-30, 30, 1000000))").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let start = std::time::Instant::now();
    p.send_control('c').unwrap();
    p.exp_string("interrupted").unwrap();
    p.exp_string("convolab>").unwrap();
    assert!(
        start.elapsed().as_secs_f64() < 5.0,
        "took {:?}",
        start.elapsed()
    );
    p.send_line("conv(keep, [1, 1])").unwrap();
    p.exp_string("[4, 9, 11, 6]").unwrap();
    p.send_line("quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn a_corrupt_history_file_is_survived() {
    let h = tmp("history-corrupt");
    std::fs::write(&h, b"\xff\xfe\x00garbage\n").unwrap();
    let mut p = spawn(&h);
    p.send_line("1 + 1").unwrap();
    p.exp_string("2").unwrap();
    p.send_line("quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn tab_completes_builtins_and_names() {
    let h = tmp("history-complete");
    // A real terminal type: rustyline completes only in its full mode.
    let mut p = spawn_term(&h, "xterm");
    p.send_line("my_signal = [1, 2]").unwrap();
    p.exp_string("convolab>").unwrap();
    p.send("my_sig\t").unwrap();
    p.send_line("").unwrap();
    p.exp_string("[1, 2]").unwrap();
    p.send("conv_mat\t").unwrap();
    p.send_line("([1, 1], 2)").unwrap();
    p.exp_string("nonzeros").unwrap();
    p.send_line("quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn an_unwritable_history_file_warns_and_goes_on() {
    // A directory cannot be written as a file.
    let h = tmp("history-is-a-directory");
    std::fs::create_dir_all(&h).unwrap();
    let mut p = spawn(&h);
    p.send_line("2 * 21").unwrap();
    p.exp_string("42").unwrap();
    p.send_line("3 * 3").unwrap();
    p.exp_string("9").unwrap();
    p.send_line("quit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn a_lesson_runs_interactively_in_a_terminal() {
    let lesson =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/01-discrete-by-hand.md");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_convolab"));
    cmd.env("NO_COLOR", "1")
        .env("TERM", "dumb")
        .arg("run")
        .arg("--interactive")
        .arg(&lesson);
    let mut p = spawn_command(cmd, Some(30_000)).expect("spawn");
    // Six pauses between the worked blocks.
    for _ in 0..6 {
        p.exp_string("press Enter").unwrap();
        p.send_line("").unwrap();
    }
    p.exp_string("what is c[2]?").unwrap();
    p.exp_string("your answer>").unwrap();
    p.send_line("1.5").unwrap();
    p.exp_string("correct").unwrap();
    p.exp_string("the last sample?").unwrap();
    p.exp_string("your answer>").unwrap();
    p.send_line("1").unwrap();
    p.exp_string("Hint").unwrap();
    p.exp_string("your answer>").unwrap();
    p.send_line("0.25").unwrap();
    p.exp_string("correct").unwrap();
    p.exp_string("your answer>").unwrap();
    p.send_control('d').unwrap();
    p.exp_string("input ended").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn lesson_n_starts_a_lesson_inside_the_repl() {
    let h = tmp("history-lesson");
    let mut p = spawn(&h);
    p.send_line("lesson 99").unwrap();
    p.exp_string("convolab>").unwrap();
    p.send_line("lesson 2").unwrap();
    p.exp_string("Lesson 2").unwrap();
    p.exp_string("press Enter").unwrap();
    p.send_control('d').unwrap();
    p.exp_string("convolab>").unwrap();
    // The lesson's definitions are now in the session.
    p.send_line("x").unwrap();
    p.exp_string("[1, 2, 3, 4]").unwrap();
    p.send_line("quit").unwrap();
    p.exp_eof().unwrap();
}
