//! The README's session transcript is real: each `convolab>` line is run and
//! its output must be exactly what the README shows under it.

use convolab::Session;

#[test]
fn the_readme_transcript_is_what_convolab_prints() {
    let readme = include_str!("../README.md");
    let start = readme.find("## A short session").expect("section");
    let block = &readme[start..];
    let open = block.find("```text\n").expect("text block") + "```text\n".len();
    let close = block[open..].find("```").expect("end of block") + open;
    let transcript = &block[open..close];
    let mut session = Session::new();
    let mut statement: Option<String> = None;
    let mut expected = String::new();
    let mut checked = 0;
    let mut flush = |stmt: &Option<String>, expected: &str, session: &mut Session| {
        if let Some(s) = stmt {
            let got = session
                .run_collect(s)
                .unwrap_or_else(|d| panic!("{s}: {}", d.message))
                .join("\n");
            assert_eq!(
                got.trim_end(),
                expected.trim_end(),
                "README output of `{s}`"
            );
            checked += 1;
        }
    };
    for line in transcript.lines() {
        if let Some(s) = line.strip_prefix("convolab> ") {
            flush(&statement, &expected, &mut session);
            statement = Some(s.to_string());
            expected.clear();
        } else {
            expected.push_str(line);
            expected.push('\n');
        }
    }
    flush(&statement, &expected, &mut session);
    assert!(checked >= 5);
}
