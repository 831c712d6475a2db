//! Where Outlook keeps its stores on this machine, and the stores found there, for the
//! start page's list. Outlook's own folders on Windows; on other systems Outlook runs
//! only under Wine, so the same folders inside the Wine prefix are searched.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use directories::{BaseDirs, UserDirs};

/// A store file found in one of Outlook's folders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundStore {
    pub path: PathBuf,
    pub size: u64,
    pub modified: Option<SystemTime>,
}

/// Outlook's folders for this user, those that exist. See the design notes: the
/// Vista-and-later folder, the XP one, and "Outlook Files" in Documents for .pst files.
pub fn outlook_folders() -> Vec<PathBuf> {
    let mut folders = Vec::new();
    for home in user_roots() {
        folders.extend(relative_outlook_folders(&home));
    }
    if let Some(base) = BaseDirs::new()
        && cfg!(windows)
    {
        folders.push(base.data_local_dir().join("Microsoft").join("Outlook"));
    }
    if let Some(user) = UserDirs::new()
        && cfg!(windows)
        && let Some(documents) = user.document_dir()
    {
        folders.push(documents.join("Outlook Files"));
    }
    folders.sort();
    folders.dedup();
    folders.retain(|f| f.is_dir());
    folders
}

/// The Outlook folders below one Windows user folder.
fn relative_outlook_folders(user: &Path) -> Vec<PathBuf> {
    vec![
        user.join("AppData/Local/Microsoft/Outlook"),
        user.join("Local Settings/Application Data/Microsoft/Outlook"),
        user.join("Documents/Outlook Files"),
        user.join("My Documents/Outlook Files"),
    ]
}

/// Windows user folders: the home folder on Windows; elsewhere, every user folder inside
/// the Wine prefix (`$WINEPREFIX`, else `~/.wine`).
fn user_roots() -> Vec<PathBuf> {
    let Some(base) = BaseDirs::new() else {
        return Vec::new();
    };
    if cfg!(windows) {
        return vec![base.home_dir().to_path_buf()];
    }
    let prefix = std::env::var_os("WINEPREFIX")
        .map(PathBuf::from)
        .unwrap_or_else(|| base.home_dir().join(".wine"));
    match std::fs::read_dir(prefix.join("drive_c/users")) {
        Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
        Err(_) => Vec::new(),
    }
}

/// The .ost and .pst files directly in `folders`, newest first.
pub fn stores_in(folders: &[PathBuf]) -> Vec<FoundStore> {
    let mut found = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_store = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("ost") || e.eq_ignore_ascii_case("pst"));
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if is_store && meta.is_file() {
                found.push(FoundStore {
                    path,
                    size: meta.len(),
                    modified: meta.modified().ok(),
                });
            }
        }
    }
    found.sort_by(|a, b| b.modified.cmp(&a.modified).then(a.path.cmp(&b.path)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_only_store_files_newest_first() {
        let scratch = crate::temp::TempDir::new("discover");
        let dir = scratch.path();
        let outlook = dir.join("AppData/Local/Microsoft/Outlook");
        std::fs::create_dir_all(&outlook).unwrap();
        std::fs::write(outlook.join("old.pst"), b"x").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(outlook.join("alice@example.com.OST"), b"xy").unwrap();
        std::fs::write(outlook.join("notes.txt"), b"z").unwrap();
        std::fs::create_dir_all(outlook.join("dir.ost")).unwrap();

        let folders: Vec<_> = relative_outlook_folders(dir)
            .into_iter()
            .filter(|f| f.is_dir())
            .collect();
        let found = stores_in(&folders);
        let names: Vec<_> = found
            .iter()
            .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["alice@example.com.OST", "old.pst"]);
        assert_eq!(found[0].size, 2);
    }
}
