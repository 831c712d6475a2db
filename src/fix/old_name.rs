//! The name a file is put aside under: `NAME.old`, else `NAME.1.old`, `NAME.2.old`, ...
//! in the same folder (so the rename stays on one volume and is atomic). An existing
//! file is never chosen, so nothing is overwritten.

use std::path::{Path, PathBuf};

use super::error::{FixError, Result};

/// Tried before giving up: far more than anyone keeps, yet a bound.
const MAX_TRIES: u32 = 10_000;

pub fn free_old_name(path: &Path) -> Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| FixError::Refused(format!("{} names no file", path.display())))?
        .to_string_lossy()
        .into_owned();
    for n in 0..MAX_TRIES {
        let candidate = if n == 0 {
            path.with_file_name(format!("{name}.old"))
        } else {
            path.with_file_name(format!("{name}.{n}.old"))
        };
        if std::fs::symlink_metadata(&candidate).is_err() {
            return Ok(candidate);
        }
    }
    Err(FixError::Refused(format!(
        "{MAX_TRIES} names from {name}.old on are all taken beside {}; move some away",
        path.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_free_name_is_chosen() {
        let scratch = crate::temp::TempDir::new("old");
        let dir = scratch.path();
        let store = dir.join("Outlook.ost");
        assert_eq!(free_old_name(&store).unwrap(), dir.join("Outlook.ost.old"));
        std::fs::write(dir.join("Outlook.ost.old"), b"").unwrap();
        std::fs::create_dir(dir.join("Outlook.ost.1.old")).unwrap();
        assert_eq!(
            free_old_name(&store).unwrap(),
            dir.join("Outlook.ost.2.old")
        );
    }
}
