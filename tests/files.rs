//! The core reads and writes through the session's `Files`: with
//! `MemoryFiles` (what a browser page uses) nothing touches the disk.

use convolab::files::MemoryFiles;
use convolab::{Format, Session};

fn memory_session() -> (Session, MemoryFiles) {
    let files = MemoryFiles::new();
    let mut s = Session::new();
    s.files = Box::new(files.clone());
    (s, files)
}

#[test]
fn save_load_and_export_go_through_the_session_files() {
    let (mut s, files) = memory_session();
    // A name that would be written in the current directory natively.
    let name = "convolab-memory-only-test.csv";
    s.run_collect(&format!("x = [1, 2, 3] from -1\nsave(x, \"{name}\")"))
        .expect("save");
    assert!(!std::path::Path::new(name).exists(), "nothing on disk");
    let saved = String::from_utf8(files.get(name).expect("saved in memory")).expect("UTF-8");
    assert!(saved.contains("from -1"), "{saved}");
    let out = s
        .run_collect(&format!("y = load(\"{name}\")\ny"))
        .expect("load");
    assert_eq!(out.last().map(String::as_str), Some("[1, 2, 3] from -1"));

    s.run_collect("export steps conv([1, 2], [1, 1]) to \"c.md\"")
        .expect("export");
    let md = String::from_utf8(files.get("c.md").expect("exported")).expect("UTF-8");
    assert!(md.contains("c[1]"), "{md}");
    assert_eq!(files.paths(), ["c.md", name]);
}

#[test]
fn a_file_the_page_provides_can_be_loaded() {
    let (mut s, files) = memory_session();
    files.insert("picked.csv", b"0.5, 0.25\n".to_vec());
    s.settings.format = Format::Text;
    let out = s.run_collect("load(\"picked.csv\")").expect("load");
    assert_eq!(out, ["[0.5, 0.25]"]);
    let e = s
        .run_collect("load(\"missing.csv\")")
        .expect_err("no such file");
    assert!(
        e.message.contains("cannot read 'missing.csv'"),
        "{}",
        e.message
    );
}
