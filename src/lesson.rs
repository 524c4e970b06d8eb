//! Lessons: Markdown files whose ```convolab blocks run in order.
//!
//! A lesson reads as ordinary Markdown on a code-hosting page. Running it
//! prints the prose, then each statement of each `convolab` block followed by
//! its output. Fences with any other tag are prose.

use std::path::{Path, PathBuf};

/// One part of a lesson file.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Markdown text between code blocks.
    Prose(String),
    /// A ```convolab block: its code and the byte offset of the code in the file.
    Code { code: String, offset: usize },
}

/// Split a lesson into prose and `convolab` code blocks. Blocks with other
/// tags (or none) stay in the prose.
pub fn split(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut prose = String::new();
    let mut pos = 0;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let start = pos;
        pos += line.len();
        let trimmed = line.trim_start();
        let fence = trimmed.starts_with("```") || trimmed.starts_with("~~~");
        if !fence {
            prose.push_str(line);
            continue;
        }
        let marker = &trimmed[..3];
        let tag = trimmed[3..].trim();
        let tag_word = tag
            .split(|c: char| c.is_whitespace() || c == '{' || c == ',')
            .next()
            .unwrap_or("");
        // Collect the block to its closing fence.
        let mut code = String::new();
        let code_start = pos;
        let mut closed = false;
        let mut block_text = String::from(line);
        for inner in lines.by_ref() {
            pos += inner.len();
            block_text.push_str(inner);
            if inner.trim_start().starts_with(marker)
                && inner
                    .trim()
                    .trim_start_matches(marker.chars().next().unwrap_or('`'))
                    .is_empty()
            {
                closed = true;
                break;
            }
            code.push_str(inner);
        }
        let _ = start;
        if tag_word == "convolab" && closed {
            if !prose.is_empty() {
                parts.push(Part::Prose(std::mem::take(&mut prose)));
            }
            parts.push(Part::Code {
                code,
                offset: code_start,
            });
        } else {
            prose.push_str(&block_text);
        }
    }
    if !prose.is_empty() {
        parts.push(Part::Prose(prose));
    }
    parts
}

/// The bundled lessons directory: `lessons/` beside the crate (for `cargo
/// run`), or `CONVOLAB_LESSONS`.
pub fn lessons_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("CONVOLAB_LESSONS") {
        return PathBuf::from(dir);
    }
    let here = PathBuf::from("lessons");
    if here.is_dir() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("lessons")
}

/// The lesson files, sorted by name, with their titles and one-line summaries.
pub fn list(dir: &Path) -> Vec<(PathBuf, String, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        let title = text
            .lines()
            .find(|l| l.starts_with("# "))
            .map(|l| l.trim_start_matches("# ").trim().to_string())
            .unwrap_or_else(|| {
                p.file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default()
            });
        // The first sentence of the first paragraph, without Markdown marks.
        let paragraph: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("# "))
            .skip(1)
            .map(str::trim)
            .skip_while(|l| l.is_empty())
            .take_while(|l| !l.is_empty())
            .collect();
        let joined = paragraph.join(" ").replace("**", "").replace('`', "");
        let sentence = match joined.find(". ") {
            Some(i) => &joined[..=i],
            None => joined.as_str(),
        };
        let summary = if sentence.chars().count() > 100 {
            format!("{}…", sentence.chars().take(99).collect::<String>())
        } else {
            sentence.to_string()
        };
        out.push((p, title, summary));
    }
    out
}

/// Lesson `n` (1-based, by the NN- prefix or position).
pub fn find(dir: &Path, n: usize) -> Option<PathBuf> {
    let all = list(dir);
    let prefix = format!("{n:02}-");
    all.iter()
        .find(|(p, ..)| {
            p.file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with(&prefix))
        })
        .or_else(|| all.get(n.wrapping_sub(1)))
        .map(|(p, ..)| p.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_prose_and_code() {
        let text = "# Title\n\nSome prose.\n\n```convolab\na = [1, 2]\nconv(a, a)\n```\n\nMore.\n\n```python\nprint(1)\n```\n";
        let parts = split(text);
        assert_eq!(parts.len(), 3);
        assert!(matches!(&parts[0], Part::Prose(p) if p.contains("Some prose")));
        match &parts[1] {
            Part::Code { code, offset } => {
                assert_eq!(code, "a = [1, 2]\nconv(a, a)\n");
                assert_eq!(&text[*offset..*offset + 10], "a = [1, 2]");
            }
            other => panic!("expected code, got {other:?}"),
        }
        assert!(matches!(&parts[2], Part::Prose(p) if p.contains("print(1)")));
    }

    #[test]
    fn unclosed_block_is_prose() {
        let parts = split("```convolab\na = 1\n");
        assert_eq!(parts, vec![Part::Prose("```convolab\na = 1\n".into())]);
    }
}
