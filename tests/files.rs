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

#[test]
fn plots_and_animations_are_written_to_the_session_files() {
    let (mut s, files) = memory_session();
    s.run_collect(
        "f(t) = { 1 if 0 <= t < 1 }\n\
         plot f over -1..2 to \"f.svg\"\n\
         plot f over -1..2 to \"f.png\"\n\
         animate conv([1, 2, 1], [1, 1]) to \"slide.gif\"",
    )
    .expect("plots");
    assert_eq!(files.paths(), ["f.png", "f.svg", "slide.gif"]);
    let svg = String::from_utf8(files.get("f.svg").expect("svg")).expect("UTF-8");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    let png = files.get("f.png").expect("png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let decoded = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .expect("a PNG that decodes");
    assert!(decoded.info().width > 0 && decoded.info().height > 0);
    let gif = files.get("slide.gif").expect("gif");
    assert!(
        gif.starts_with(b"GIF89a") && gif.ends_with(&[0x3B]),
        "a complete GIF"
    );
    for name in ["f.svg", "f.png", "slide.gif"] {
        assert!(!std::path::Path::new(name).exists(), "{name} not on disk");
    }
}
