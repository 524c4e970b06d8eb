//! The layers of `src/` stay in one direction.
//!
//! Every top-level module of `src/` has a place in the pipeline (see
//! ARCHITECTURE.md); a module may use only modules below it. This test reads
//! the sources the way `../shared/tools/layers.py` does — `crate::name` paths
//! and `use crate::{a, b}` groups, outside the items under `#[cfg(test)]` —
//! and fails on any import that points up, naming the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bottom first. A module may import only modules listed before it.
const LAYERS: &[&str] = &[
    "interrupt",  // the Ctrl-C flag: imports nothing
    "files",      // the interface the core reads and writes files through
    "value",      // numbers, sequences, matrices, functions, Op and Mode
    "registry",   // every name the language knows
    "syntax",     // text → AST
    "diagnostic", // errors with spans → caret text
    "trace",      // what a step table or picture shows, as data
    "engine",     // pure numerics
    "eval",       // expressions → values
    "render",     // values and traces → Doc, Figure, text, JSON, pictures
    "help",       // help texts
    "lesson",     // the bundled lessons and the Markdown splitter
    "session",    // statements → events (the core's entry point)
    "runner",     // scripts and lessons through a session
    "repl",       // the terminal front end
    "cli",        // the command line
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `text` without the items under `#[cfg(test)]` (a test module, with its
/// braces matched, or a single item up to its end).
fn without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        // Skip to the item's first `{` or `;`, then to its matching `}`.
        let open = after.find(['{', ';']).unwrap_or(after.len());
        if after[open..].starts_with(';') {
            rest = &after[open + 1..];
            continue;
        }
        let mut depth = 0usize;
        let mut end = after.len();
        for (j, ch) in after[open..].char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Module names that `text` refers to as `crate::NAME`.
fn imports(text: &str) -> Vec<String> {
    let code = without_tests(text);
    let code = code.as_str();
    let mut names = Vec::new();
    let bytes = code.as_bytes();
    let mut at = 0;
    while let Some(i) = code[at..].find("crate::") {
        let start = at + i + "crate::".len();
        at = start;
        if code[start..].starts_with('{') {
            // `use crate::{a, b::c, …}`: every first path segment in the group.
            let end = code[start..].find('}').map_or(code.len(), |e| start + e);
            for item in code[start + 1..end].split(',') {
                let first = item.trim().split("::").next().unwrap_or("");
                if !first.is_empty() {
                    names.push(first.to_string());
                }
            }
            continue;
        }
        let len = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_lowercase() || **b == b'_')
            .count();
        names.push(code[start..start + len].to_string());
    }
    names
}

#[test]
fn every_import_points_down_the_pipeline() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let rank: BTreeMap<&str, usize> = LAYERS.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(&src).expect("under src/");
        let first = rel.iter().next().and_then(|s| s.to_str()).unwrap_or("");
        let module = first.trim_end_matches(".rs");
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(&mine) = rank.get(module) else {
            panic!("src/{first} is a top-level module with no place in LAYERS (tests/layers.rs): add it where it belongs");
        };
        let text = std::fs::read_to_string(path).expect("a readable source file");
        for other in imports(&text) {
            if other == module {
                continue;
            }
            if let Some(&theirs) = rank.get(other.as_str()) {
                if theirs > mine {
                    upward.push(format!("{} uses {other}", rel.display()));
                }
            }
        }
    }
    upward.sort();
    upward.dedup();
    assert!(
        upward.is_empty(),
        "imports that point up the layers (ARCHITECTURE.md):\n  {}",
        upward.join("\n  ")
    );
}

#[test]
fn the_reader_sees_paths_and_groups() {
    let text = "use crate::value::Value;\nuse crate::{engine, syntax::ast::Expr};\nfn f() { crate::eval::go() }\n#[cfg(test)]\nuse crate::cli;";
    assert_eq!(imports(text), ["value", "engine", "syntax", "eval"]);
    // Code after a test module is read; the test module is not.
    let text = "#[cfg(test)]\nmod tests {\n    fn t() { if true { crate::cli::x() } }\n}\nfn after() { crate::session::y() }";
    assert_eq!(imports(text), ["session"]);
}

#[test]
fn an_upward_import_is_caught() {
    // The checker itself: an engine file naming eval must be reported.
    let rank: BTreeMap<&str, usize> = LAYERS.iter().enumerate().map(|(i, m)| (*m, i)).collect();
    let found = imports("use crate::eval::Ctx;");
    assert!(found.iter().any(|m| rank[m.as_str()] > rank["engine"]));
}
