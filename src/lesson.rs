//! Lessons: Markdown files whose ```convolab blocks run in order.
//!
//! A lesson reads as ordinary Markdown on a code-hosting page. Running it
//! prints the prose, then each statement of each `convolab` block followed by
//! its output. Fences with any other tag are prose.
//!
//! The lessons in `lessons/` are built into the binary ([`BUNDLED`]), so an
//! installed `convolab` runs them without its source tree. [`LessonSource`]
//! is where `lessons`, `lesson N` and the REPL's `lesson N` look: the bundled
//! set, or a folder given with `--lessons DIR` or `CONVOLAB_LESSONS=DIR`
//! while lessons are being written.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

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

/// One lesson built into the binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bundled {
    /// The number before the first `-` of the file name (`lesson 3`).
    pub number: usize,
    /// The file name under `lessons/`, e.g. `03-continuous.md`.
    pub file: &'static str,
    /// The whole Markdown text.
    pub text: &'static str,
}

impl Bundled {
    /// The text of the first `# ` heading.
    pub fn title(&self) -> String {
        heading(self.text, self.file).0
    }
}

/// The number at the front of a lesson file name (`03-continuous.md` → 3);
/// a file in the table without one does not compile.
const fn number_prefix(file: &str) -> usize {
    let b = file.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        n = n * 10 + (b[i] - b'0') as usize;
        i += 1;
    }
    assert!(
        i > 0 && i < b.len() && b[i] == b'-',
        "a bundled lesson's file name starts with its number and '-'"
    );
    n
}

macro_rules! bundled {
    ($($file:literal),* $(,)?) => {
        &[$(Bundled {
            number: number_prefix($file),
            file: $file,
            text: include_str!(concat!("../lessons/", $file)),
        }),*]
    };
}

/// The lessons built into the binary, in order: every `lessons/NN-name.md`
/// (a unit test fails when a file there is missing from this list).
pub static BUNDLED: &[Bundled] = bundled![
    "01-discrete-by-hand.md",
    "02-conv-vs-corr.md",
    "03-continuous.md",
    "04-smoothing-thermometer.md",
    "05-integral-to-sum.md",
    "06-2d-convolution.md",
    "07-convolution-as-matrix.md",
    "08-kernels-on-images.md",
    "09-closed-forms.md",
];

/// A lesson ready to list or run, from either source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lesson {
    /// `lesson N` runs it.
    pub number: usize,
    /// The file name, e.g. `03-continuous.md`.
    pub file: String,
    /// The first `# ` heading (the file name without `.md` if there is none).
    pub title: String,
    /// The first sentence of the first paragraph, without Markdown marks.
    pub summary: String,
    /// The name diagnostics give: `lesson 3 (03-continuous.md)` for a
    /// bundled lesson, the file's path for one from a folder.
    pub origin: String,
    /// The whole Markdown text.
    pub text: Cow<'static, str>,
}

/// Where lessons come from: the set built into the binary, or a folder of
/// Markdown files (for lesson authors: `--lessons DIR` or
/// `CONVOLAB_LESSONS=DIR`). A bundled lesson never touches the filesystem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LessonSource {
    Bundled,
    Dir(PathBuf),
}

/// The source the command line chose with `--lessons DIR`.
static CHOSEN: OnceLock<LessonSource> = OnceLock::new();

impl LessonSource {
    /// `CONVOLAB_LESSONS=DIR` if set and not empty, else the bundled lessons.
    /// A `lessons/` folder in the current directory is not looked at.
    pub fn from_env() -> Self {
        match std::env::var_os("CONVOLAB_LESSONS") {
            Some(dir) if !dir.is_empty() => LessonSource::Dir(PathBuf::from(dir)),
            _ => LessonSource::Bundled,
        }
    }

    /// The source `lessons`, `lesson N` and the REPL use: the one given to
    /// [`LessonSource::choose`] (the `--lessons` flag), else
    /// [`LessonSource::from_env`].
    pub fn current() -> Self {
        CHOSEN.get().cloned().unwrap_or_else(Self::from_env)
    }

    /// Use `self` for the rest of the process (the first call wins).
    pub fn choose(self) {
        let _ = CHOSEN.set(self);
    }

    /// Every lesson, in order. A folder's `.md` files are sorted by name;
    /// each is numbered by its `NN-` prefix, or else by its place in the list.
    pub fn list(&self) -> Result<Vec<Lesson>, String> {
        match self {
            LessonSource::Bundled => Ok(BUNDLED.iter().map(bundled_lesson).collect()),
            LessonSource::Dir(dir) => dir_entries(dir)?
                .into_iter()
                .map(|(n, p)| dir_lesson(n, &p))
                .collect(),
        }
    }

    /// Lesson `n`, if there is one.
    pub fn find(&self, n: usize) -> Result<Option<Lesson>, String> {
        match self {
            LessonSource::Bundled => Ok(BUNDLED.iter().find(|b| b.number == n).map(bundled_lesson)),
            LessonSource::Dir(dir) => match dir_entries(dir)?.into_iter().find(|(m, _)| *m == n) {
                Some((n, p)) => dir_lesson(n, &p).map(Some),
                None => Ok(None),
            },
        }
    }

    /// A lesson by number (`3`, `03`) or by name: the file name
    /// (`03-continuous.md`), without `.md`, or without the number
    /// (`continuous`); letter case does not matter.
    pub fn lookup(&self, name: &str) -> Result<Option<Lesson>, String> {
        let name = name.trim();
        if let Ok(n) = name.parse::<usize>() {
            return self.find(n);
        }
        let want = name.to_lowercase();
        let want = want.strip_suffix(".md").unwrap_or(&want);
        let files: Vec<(usize, String)> = match self {
            LessonSource::Bundled => BUNDLED
                .iter()
                .map(|b| (b.number, b.file.to_string()))
                .collect(),
            LessonSource::Dir(dir) => dir_entries(dir)?
                .into_iter()
                .map(|(n, p)| (n, file_name(&p)))
                .collect(),
        };
        let hit = files.iter().find(|(_, f)| {
            let stem = f.to_lowercase();
            let stem = stem.strip_suffix(".md").unwrap_or(&stem);
            let bare = match stem.split_once('-') {
                Some((_, rest)) if leading_number(stem).is_some() => rest,
                _ => stem,
            };
            want == stem || want == bare
        });
        match hit {
            Some((n, _)) => self.find(*n),
            None => Ok(None),
        }
    }

    /// What `convolab lessons` lists, for hints.
    pub fn hint(&self) -> String {
        match self {
            LessonSource::Bundled => "`convolab lessons` lists the bundled lessons".to_string(),
            LessonSource::Dir(dir) => {
                format!("`convolab lessons` lists the lessons in {}", dir.display())
            }
        }
    }
}

fn bundled_lesson(b: &Bundled) -> Lesson {
    let (title, summary) = heading(b.text, b.file);
    Lesson {
        number: b.number,
        file: b.file.to_string(),
        title,
        summary,
        origin: format!("lesson {} ({})", b.number, b.file),
        text: Cow::Borrowed(b.text),
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The number at the front of a file name: digits then `-`.
fn leading_number(file: &str) -> Option<usize> {
    let (digits, _) = file.split_once('-')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A folder's `.md` files, sorted by name, with their lesson numbers.
fn dir_entries(dir: &Path) -> Result<Vec<(usize, PathBuf)>, String> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the lessons folder {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md") && p.is_file())
        .collect();
    paths.sort();
    Ok(paths
        .into_iter()
        .enumerate()
        .map(|(i, p)| (leading_number(&file_name(&p)).unwrap_or(i + 1), p))
        .collect())
}

fn dir_lesson(number: usize, path: &Path) -> Result<Lesson, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let file = file_name(path);
    let (title, summary) = heading(&text, &file);
    Ok(Lesson {
        number,
        file,
        title,
        summary,
        origin: path.display().to_string(),
        text: Cow::Owned(text),
    })
}

/// A lesson's title (its first `# ` heading, else the file name without
/// `.md`) and one-line summary (the first sentence of the paragraph after
/// the title, without Markdown marks, at most 100 characters).
fn heading(text: &str, file: &str) -> (String, String) {
    let title = text
        .lines()
        .find(|l| l.starts_with("# "))
        .map(|l| l.trim_start_matches("# ").trim().to_string())
        .unwrap_or_else(|| file.strip_suffix(".md").unwrap_or(file).to_string());
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
    (title, summary)
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

    /// Every `lessons/NN-*.md` in the source tree is in [`BUNDLED`] (a file
    /// in the table that is not there does not compile), numbered by its
    /// prefix, in order, each number once.
    #[test]
    fn every_lesson_file_is_bundled() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .expect("lessons/")
            .map(|e| file_name(&e.expect("entry").path()))
            .filter(|f| f.ends_with(".md") && leading_number(f).is_some())
            .collect();
        on_disk.sort();
        let table: Vec<String> = BUNDLED.iter().map(|b| b.file.to_string()).collect();
        for f in &on_disk {
            assert!(
                table.contains(f),
                "lessons/{f} is not in lesson::BUNDLED; add it there"
            );
        }
        assert_eq!(table, on_disk, "BUNDLED lists the files in name order");
        for (i, b) in BUNDLED.iter().enumerate() {
            assert_eq!(b.number, i + 1, "{}", b.file);
            assert_eq!(Some(b.number), leading_number(b.file));
            assert!(!b.title().is_empty() && b.title() != b.file, "{}", b.file);
        }
    }

    #[test]
    fn bundled_lessons_are_found_by_number_and_name() {
        let src = LessonSource::Bundled;
        let all = src.list().unwrap();
        assert_eq!(all.len(), BUNDLED.len());
        assert_eq!(all[0].title, "Lesson 1 — Discrete convolution by hand");
        for name in [
            "3",
            "03",
            " 3 ",
            "03-continuous",
            "03-continuous.md",
            "continuous",
            "Continuous",
        ] {
            let l = src
                .lookup(name)
                .unwrap()
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(l.number, 3, "{name}");
            assert_eq!(l.origin, "lesson 3 (03-continuous.md)");
            assert_eq!(l.text, BUNDLED[2].text);
        }
        assert_eq!(src.find(3).unwrap(), src.lookup("continuous").unwrap());
        for name in ["0", "10", "nope", "conv", "", "-continuous"] {
            assert_eq!(src.lookup(name).unwrap(), None, "{name}");
        }
    }

    #[test]
    fn a_folder_of_lessons_is_listed_and_numbered() {
        let dir = std::env::temp_dir().join(format!("convolab-lessons-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub.md")).unwrap();
        std::fs::write(dir.join("02-two.md"), "# Two\n\nThe second. More.\n").unwrap();
        std::fs::write(dir.join("01-one.md"), "no heading\n").unwrap();
        std::fs::write(dir.join("notes.txt"), "# not a lesson\n").unwrap();
        std::fs::write(dir.join("extra.md"), "# Extra\n").unwrap();
        let src = LessonSource::Dir(dir.clone());
        let all = src.list().unwrap();
        let seen: Vec<(usize, &str, &str, &str)> = all
            .iter()
            .map(|l| {
                (
                    l.number,
                    l.file.as_str(),
                    l.title.as_str(),
                    l.summary.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (1, "01-one.md", "01-one", ""),
                (2, "02-two.md", "Two", "The second."),
                (3, "extra.md", "Extra", ""),
            ]
        );
        let two = src.lookup("two").unwrap().unwrap();
        assert_eq!(two.origin, dir.join("02-two.md").display().to_string());
        assert_eq!(two.text, "# Two\n\nThe second. More.\n");
        assert_eq!(src.lookup("extra").unwrap().unwrap().number, 3);
        assert_eq!(src.find(4).unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
        let gone = LessonSource::Dir(dir);
        let e = gone.list().unwrap_err();
        assert!(e.starts_with("cannot read the lessons folder"), "{e}");
        assert!(gone.find(1).is_err());
    }

    #[test]
    fn unclosed_block_is_prose() {
        let parts = split("```convolab\na = 1\n");
        assert_eq!(parts, vec![Part::Prose("```convolab\na = 1\n".into())]);
    }
}
