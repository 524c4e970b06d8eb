//! Files written by convolab: never left half-written.

use std::io::Write;
use std::path::Path;

/// Advice for a file that cannot be written.
pub const WRITE_HINT: &str =
    "write to a directory that exists and that you may write to; a relative path starts in the directory convolab was started in";

/// Write `bytes` to `path` through a temporary file in the same directory,
/// renamed into place on success and removed on failure.
pub fn write_atomically(path: &str, bytes: &[u8]) -> Result<(), String> {
    let target = Path::new(path);
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(format!(
            "cannot write '{path}': the directory '{}' does not exist",
            dir.display()
        ));
    }
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .ok_or_else(|| format!("'{path}' is not a file name"))?;
    let tmp = dir.join(format!(".{file_name}.convolab-tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, target)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("cannot write '{path}': {e}"));
    }
    Ok(())
}
