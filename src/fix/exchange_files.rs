//! Exchange's support files (Emsabp32.dll, Emsmdb32.dll, Emsui32.dll): damaged copies make
//! synchronization fail with `[8004010F-501-0-B20]` while Organization Forms sync. The
//! fix puts them aside as `.old` (same journal and undo as the store) and an Office repair
//! installs fresh ones.
//!
//! They live in Office's MAPI folders below a Windows drive: searched there on Windows,
//! and below Wine's `drive_c` elsewhere, so the paths found are real either way.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::error::Result;
use super::journal::FixKind;
use super::rename::{RenamePlan, plan_renames};

pub const SUPPORT_FILES: [&str; 3] = ["Emsabp32.dll", "Emsmdb32.dll", "Emsui32.dll"];

/// A drive root to search instead of the system's (tests, a mounted Windows disk).
pub const SEARCH_ROOT_VARIABLE: &str = "OSTDOCTOR_SEARCH_ROOT";

/// Folders below a drive root where Office installs its MAPI files: the shared MAPI
/// folder (one subfolder per language, named by its LCID such as `1033`), its Click-to-Run
/// copies, and Office's own folders.
const FOLDERS: &[&str] = &[
    "Program Files/Common Files/System/MSMAPI",
    "Program Files (x86)/Common Files/System/MSMAPI",
    "Program Files/Microsoft Office/root/vfs/ProgramFilesCommonX64/System/MSMAPI",
    "Program Files/Microsoft Office/root/vfs/ProgramFilesCommonX86/System/MSMAPI",
    "Program Files (x86)/Microsoft Office/root/vfs/ProgramFilesCommonX86/System/MSMAPI",
    "Program Files/Microsoft Office/root/Office16",
    "Program Files (x86)/Microsoft Office/root/Office16",
    "Program Files/Microsoft Office/Office16",
    "Program Files (x86)/Microsoft Office/Office16",
    "Program Files/Microsoft Office/Office15",
    "Program Files (x86)/Microsoft Office/Office15",
    "Program Files/Microsoft Office/Office14",
    "Program Files (x86)/Microsoft Office/Office14",
    "Program Files/Microsoft Office/Office12",
    "Program Files (x86)/Microsoft Office/Office12",
];

/// What the `find_exchange_support_files` check reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupportFiles {
    /// How many of the three names were found (a name found in several folders counts once).
    pub count: usize,
    /// Full paths of every copy found.
    pub found: Vec<PathBuf>,
}

/// The drive roots to search: the override, else the system drive on Windows, else the
/// Wine prefixes that exist (`$WINEPREFIX`, `~/.wine`).
pub fn search_roots() -> Vec<PathBuf> {
    if let Some(root) = std::env::var_os(SEARCH_ROOT_VARIABLE).filter(|v| !v.is_empty()) {
        return vec![PathBuf::from(root)];
    }
    let mut roots = Vec::new();
    if cfg!(windows) {
        let drive = std::env::var("SystemDrive").unwrap_or_else(|_| "C:".into());
        roots.push(PathBuf::from(format!("{drive}\\")));
    } else {
        let prefix = std::env::var_os("WINEPREFIX").map(PathBuf::from);
        let home = directories::BaseDirs::new().map(|b| b.home_dir().join(".wine"));
        for p in prefix.into_iter().chain(home) {
            let drive = p.join("drive_c");
            if drive.is_dir() && !roots.contains(&drive) {
                roots.push(drive);
            }
        }
    }
    roots
}

/// Finds every copy of the three files below `roots`.
pub fn find_exchange_support_files(roots: &[PathBuf]) -> SupportFiles {
    let mut found: Vec<PathBuf> = Vec::new();
    for root in roots {
        for folder in FOLDERS {
            let Some(dir) = resolve(root, folder) else {
                continue;
            };
            let mut dirs = vec![dir.clone()];
            if folder.ends_with("MSMAPI") {
                dirs.extend(language_folders(&dir));
            }
            for d in dirs {
                for name in SUPPORT_FILES {
                    if let Some(file) = child(&d, name).filter(|p| p.is_file())
                        && !found.contains(&file)
                    {
                        found.push(file);
                    }
                }
            }
        }
    }
    let count = SUPPORT_FILES
        .iter()
        .filter(|n| {
            found.iter().any(|p| {
                p.file_name()
                    .is_some_and(|f| f.to_string_lossy().eq_ignore_ascii_case(n))
            })
        })
        .count();
    SupportFiles { count, found }
}

/// Plans putting every copy found aside under `.old`.
pub fn plan_rename_exchange_files(roots: &[PathBuf]) -> Result<RenamePlan> {
    plan_renames(
        FixKind::RenameExchangeFiles,
        &find_exchange_support_files(roots).found,
    )
}

/// After the rename: how to let Office put fresh copies back.
pub fn office_repair_steps() -> Vec<String> {
    vec![
        "Close Outlook and every other Office program.".into(),
        "Open Settings > Apps > Installed apps (or Control Panel > Programs and Features).".into(),
        "Choose Microsoft Office (or Microsoft 365), then Modify.".into(),
        "Choose Quick Repair (Online Repair if that does not help) and let it finish.".into(),
        "Start Outlook and let it synchronize; then check the synchronization log again.".into(),
    ]
}

/// `root/a/b/c`, each part matched without regard to case (Wine keeps Windows names on a
/// case-sensitive file system).
fn resolve(root: &Path, relative: &str) -> Option<PathBuf> {
    let mut at = root.to_path_buf();
    for part in relative.split('/') {
        at = child(&at, part).filter(|p| p.is_dir())?;
    }
    Some(at)
}

fn child(dir: &Path, name: &str) -> Option<PathBuf> {
    let exact = dir.join(name);
    if exact.exists() {
        return Some(exact);
    }
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .find(|e| e.file_name().to_string_lossy().eq_ignore_ascii_case(name))
        .map(|e| e.path())
}

/// Subfolders named by a language id (`1033`, `1043`).
fn language_folders(dir: &Path) -> Vec<PathBuf> {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = listing
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            !name.is_empty() && name.chars().all(|c| c.is_ascii_digit()) && e.path().is_dir()
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_in_language_and_office_folders_whatever_the_case() {
        let scratch = crate::temp::TempDir::new("ems");
        let root = scratch.path().to_path_buf();
        let mapi = root.join("Program Files/Common Files/System/MSMAPI/1033");
        let office = root.join("program files (x86)/Microsoft Office/root/Office16");
        std::fs::create_dir_all(&mapi).unwrap();
        std::fs::create_dir_all(&office).unwrap();
        std::fs::write(mapi.join("EMSMDB32.DLL"), b"mdb").unwrap();
        std::fs::write(mapi.join("emsabp32.dll"), b"abp").unwrap();
        std::fs::write(office.join("Emsmdb32.dll"), b"mdb").unwrap();
        std::fs::write(office.join("other.dll"), b"x").unwrap();
        let found = find_exchange_support_files(std::slice::from_ref(&root));
        assert_eq!(found.count, 2, "{found:?}");
        let mut names: Vec<PathBuf> = found.found.clone();
        names.sort();
        let mut want = vec![
            mapi.join("EMSMDB32.DLL"),
            mapi.join("emsabp32.dll"),
            office.join("Emsmdb32.dll"),
        ];
        want.sort();
        assert_eq!(names, want);
        assert_eq!(
            find_exchange_support_files(&[root.join("nothing-here")]),
            SupportFiles {
                count: 0,
                found: vec![]
            }
        );
    }
}
