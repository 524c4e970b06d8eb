//! Files, at the edge: the one interface the core reads and writes through.
//!
//! `load`, `save`, `export` and the plot files never touch the file system
//! themselves; they ask the session's [`Files`]. On a desktop that is
//! [`NativeFiles`] (the file system, with atomic writes); in a browser, or in
//! a test, [`MemoryFiles`] (a map from names to bytes that the page offers
//! as downloads). A front end that wants a policy — a sandbox for lessons
//! downloaded from the internet — wraps one of these.
//!
//! # Conventions
//! * Paths are as the user typed them; a relative path is relative to where
//!   the front end says (the directory convolab was started in, natively).
//! * A write is all or nothing: nothing appears at the path until
//!   [`Output::commit`], and an output dropped without committing leaves no
//!   trace (no half-written file, no temporary file).
//! * Reads are bounded: [`Files::read`] takes the largest size the caller
//!   accepts and refuses anything larger before reading it.
//!
//! This module is at the bottom of the layers: it imports nothing from the
//! crate.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Why a file could not be read or written, in words for the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FileError {
    /// The path as the user wrote it.
    pub path: String,
    /// What went wrong, naming the path.
    pub message: String,
    /// The directory the file should go into, when it does not exist.
    pub missing_dir: Option<String>,
}

impl FileError {
    /// An error about `path`, in words for the user.
    pub fn new(path: &str, message: impl Into<String>) -> FileError {
        FileError {
            path: path.to_string(),
            message: message.into(),
            missing_dir: None,
        }
    }
}

/// A file being written. Nothing is visible at its path until
/// [`Output::commit`]; dropping it uncommitted discards what was written.
pub trait Output: Write {
    /// Make the written bytes the file's contents, all at once.
    fn commit(self: Box<Self>) -> Result<(), FileError>;
}

/// Where the core's files come from and go to.
pub trait Files {
    /// The whole contents of `path`, refused when larger than `limit` bytes.
    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, FileError>;
    /// A new output for `path` (see [`Output`]).
    fn create(&self, path: &str) -> Result<Box<dyn Output>, FileError>;
    /// Write all of `bytes` to `path` at once.
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), FileError> {
        let mut out = self.create(path)?;
        out.write_all(bytes)
            .map_err(|e| FileError::new(path, format!("cannot write '{path}': {e}")))?;
        out.commit()
    }
}

/// Advice for a file that cannot be written on the file system.
pub const WRITE_HINT: &str =
    "write to a directory that exists and that you may write to; a relative path starts in the directory convolab was started in";

/// The file system, with atomic writes (a temporary file beside the target,
/// renamed into place on commit).
#[derive(Clone, Copy, Debug, Default)]
pub struct NativeFiles;

impl Files for NativeFiles {
    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, FileError> {
        let fail = |e: std::io::Error| FileError::new(path, format!("cannot read '{path}': {e}"));
        let file = std::fs::File::open(path).map_err(fail)?;
        let meta = file.metadata().map_err(fail)?;
        if !meta.is_file() {
            // A directory, a FIFO or a device: reading could block forever
            // or never end.
            return Err(FileError::new(
                path,
                format!("cannot read '{path}': it is not a regular file"),
            ));
        }
        if meta.len() > limit {
            return Err(FileError::new(
                path,
                format!(
                    "'{path}' has {} bytes, more than the limit of {limit}",
                    meta.len()
                ),
            ));
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        // The file may grow while it is read: take at most one byte more
        // than the limit, to tell.
        file.take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(fail)?;
        if bytes.len() as u64 > limit {
            return Err(FileError::new(
                path,
                format!("'{path}' is larger than the limit of {limit} bytes"),
            ));
        }
        Ok(bytes)
    }

    fn create(&self, path: &str) -> Result<Box<dyn Output>, FileError> {
        Ok(Box::new(NativeOutput::create(path)?))
    }
}

/// A temporary file beside the target, renamed into place on commit and
/// removed when dropped uncommitted.
struct NativeOutput {
    path: String,
    target: PathBuf,
    tmp: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl NativeOutput {
    fn create(path: &str) -> Result<NativeOutput, FileError> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let target = Path::new(path);
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(FileError {
                missing_dir: Some(dir.display().to_string()),
                ..FileError::new(
                    path,
                    format!(
                        "cannot write '{path}': the directory '{}' does not exist",
                        dir.display()
                    ),
                )
            });
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| FileError::new(path, format!("'{path}' is not a file name")))?;
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.convolab-tmp-{}-{n}", std::process::id()));
        let file = std::fs::File::create_new(&tmp)
            .map_err(|e| FileError::new(path, format!("cannot write '{path}': {e}")))?;
        Ok(NativeOutput {
            path: path.to_string(),
            target: target.to_path_buf(),
            tmp,
            file: Some(std::io::BufWriter::new(file)),
        })
    }

    fn fail(&self, e: std::io::Error) -> FileError {
        FileError::new(&self.path, format!("cannot write '{}': {e}", self.path))
    }
}

impl Write for NativeOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("the file was already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Output for NativeOutput {
    fn commit(mut self: Box<Self>) -> Result<(), FileError> {
        let Some(writer) = self.file.take() else {
            return Ok(());
        };
        let file = writer.into_inner().map_err(|e| self.fail(e.into_error()))?;
        file.sync_all().map_err(|e| self.fail(e))?;
        drop(file);
        std::fs::rename(&self.tmp, &self.target).map_err(|e| self.fail(e))?;
        // Renamed: nothing left to remove.
        self.tmp = PathBuf::new();
        Ok(())
    }
}

impl Drop for NativeOutput {
    fn drop(&mut self) {
        self.file = None;
        if !self.tmp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Files kept in memory: what a browser page offers as downloads, and what
/// tests read back. Clones share the same files.
#[derive(Clone, Debug, Default)]
pub struct MemoryFiles {
    files: Rc<RefCell<BTreeMap<String, Vec<u8>>>>,
}

impl MemoryFiles {
    /// No files.
    pub fn new() -> MemoryFiles {
        MemoryFiles::default()
    }

    /// Put a file in (a file the user picked or dropped, in a browser).
    pub fn insert(&self, path: &str, bytes: Vec<u8>) {
        self.files.borrow_mut().insert(path.to_string(), bytes);
    }

    /// The contents of a file, if there is one at `path`.
    pub fn get(&self, path: &str) -> Option<Vec<u8>> {
        self.files.borrow().get(path).cloned()
    }

    /// The paths of every file, sorted.
    pub fn paths(&self) -> Vec<String> {
        self.files.borrow().keys().cloned().collect()
    }
}

impl Files for MemoryFiles {
    fn read(&self, path: &str, limit: u64) -> Result<Vec<u8>, FileError> {
        let files = self.files.borrow();
        let bytes = files
            .get(path)
            .ok_or_else(|| FileError::new(path, format!("cannot read '{path}': no such file")))?;
        if bytes.len() as u64 > limit {
            return Err(FileError::new(
                path,
                format!(
                    "'{path}' has {} bytes, more than the limit of {limit}",
                    bytes.len()
                ),
            ));
        }
        Ok(bytes.clone())
    }

    fn create(&self, path: &str) -> Result<Box<dyn Output>, FileError> {
        Ok(Box::new(MemoryOutput {
            path: path.to_string(),
            bytes: Vec::new(),
            files: self.files.clone(),
        }))
    }
}

struct MemoryOutput {
    path: String,
    bytes: Vec<u8>,
    files: Rc<RefCell<BTreeMap<String, Vec<u8>>>>,
}

impl Write for MemoryOutput {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Output for MemoryOutput {
    fn commit(self: Box<Self>) -> Result<(), FileError> {
        let MemoryOutput { path, bytes, files } = *self;
        files.borrow_mut().insert(path, bytes);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(test: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("convolab-files-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    }

    fn listing(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .expect("listing")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn native_writes_appear_only_on_commit() {
        let d = dir("commit");
        let path = d.join("x.txt").to_string_lossy().into_owned();
        let mut out = NativeFiles.create(&path).expect("create");
        out.write_all(b"1,2,3\n").expect("write");
        assert!(!Path::new(&path).exists(), "visible before commit");
        out.commit().expect("commit");
        assert_eq!(std::fs::read(&path).expect("read"), b"1,2,3\n");
        assert_eq!(listing(&d), ["x.txt"], "no temporary file left");
        // Dropped without commit: the old contents stay, nothing else appears.
        let mut out = NativeFiles.create(&path).expect("create");
        out.write_all(b"half").expect("write");
        drop(out);
        assert_eq!(std::fs::read(&path).expect("read"), b"1,2,3\n");
        assert_eq!(listing(&d), ["x.txt"]);
        std::fs::remove_dir_all(&d).expect("clean up");
    }

    #[test]
    fn native_reads_are_bounded_and_regular_only() {
        let d = dir("read");
        let path = d.join("big.csv").to_string_lossy().into_owned();
        NativeFiles.write(&path, &[b'1'; 100]).expect("write");
        assert_eq!(NativeFiles.read(&path, 100).expect("read").len(), 100);
        let e = NativeFiles.read(&path, 99).expect_err("over the limit");
        assert!(e.message.contains("more than the limit of 99"), "{e}");
        let e = NativeFiles
            .read(&d.to_string_lossy(), 1000)
            .expect_err("a directory");
        assert!(e.message.contains("not a regular file"), "{e}");
        let e = NativeFiles
            .create(&d.join("no/such/dir/x.csv").to_string_lossy())
            .err()
            .expect("missing directory");
        assert!(e.message.contains("does not exist"), "{e}");
        std::fs::remove_dir_all(&d).expect("clean up");
    }

    #[test]
    fn memory_files_round_trip() {
        let files = MemoryFiles::new();
        let shared = files.clone();
        files.write("a.csv", b"1\n2\n").expect("write");
        assert_eq!(shared.get("a.csv").as_deref(), Some(&b"1\n2\n"[..]));
        assert_eq!(files.read("a.csv", 10).expect("read"), b"1\n2\n");
        assert!(files.read("a.csv", 3).is_err());
        assert!(files.read("b.csv", 10).is_err());
        let mut out = files.create("c.svg").expect("create");
        out.write_all(b"<svg/>").expect("write");
        drop(out);
        assert_eq!(files.paths(), ["a.csv"], "uncommitted output discarded");
    }
}
