//! Where the fixes keep their journal: the app's data directory, or the one named by
//! `OSTDOCTOR_DATA_DIR` (tests, portable installs, a helpdesk's shared folder).

use std::path::PathBuf;

use super::error::{FixError, Result};

pub const DATA_DIR_VARIABLE: &str = "OSTDOCTOR_DATA_DIR";

/// The data directory, created if needed.
pub fn data_dir() -> Result<PathBuf> {
    let dir = match std::env::var_os(DATA_DIR_VARIABLE).filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => directories::ProjectDirs::from("", "", "OST Doctor")
            .map(|d| d.data_dir().to_path_buf())
            .ok_or_else(|| {
                FixError::Refused(format!(
                    "no home directory to keep the fix journal in; set {DATA_DIR_VARIABLE} \
                     to a folder"
                ))
            })?,
    };
    std::fs::create_dir_all(&dir).map_err(|e| FixError::io("create the data folder", &dir, e))?;
    Ok(dir)
}
