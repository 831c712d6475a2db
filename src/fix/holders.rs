//! Which programs hold a file open, so that a rename can be refused with their names.
//!
//! - Linux: every `/proc/PID/fd` link that points at the file, named by `/proc/PID/comm`
//!   (Outlook under Wine shows up as `OUTLOOK.EXE`). Advisory locks mean nothing to
//!   Outlook, so open descriptors are the real test. Processes of other users whose
//!   descriptors cannot be read are not seen.
//! - Windows: an open that shares nothing fails while any program has the file open; the
//!   running Outlook-related programs are then named, or "another program" when none runs.
//! - Elsewhere: the running Outlook-related programs.

use std::path::Path;

use serde::Serialize;

use super::error::Result;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holder {
    /// 0 when the program could not be told.
    pub pid: u32,
    pub name: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.pid == 0 {
            write!(f, "{}", self.name)
        } else {
            write!(f, "{} (process {})", self.name, self.pid)
        }
    }
}

impl Holder {
    pub fn list(holders: &[Holder]) -> String {
        holders
            .iter()
            .map(Holder::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The programs that have `path` open now; empty when none does.
pub fn holders(path: &Path) -> Result<Vec<Holder>> {
    platform::holders(path)
}

#[cfg(target_os = "linux")]
mod platform {
    use std::path::Path;

    use super::Holder;
    use crate::fix::error::{FixError, Result};

    pub fn holders(path: &Path) -> Result<Vec<Holder>> {
        let target = path
            .canonicalize()
            .map_err(|e| FixError::io("find", path, e))?;
        let proc_dir = Path::new("/proc");
        let listing = std::fs::read_dir(proc_dir)
            .map_err(|e| FixError::io("list processes in", proc_dir, e))?;
        let mut found = Vec::new();
        for dirent in listing.flatten() {
            let Some(pid) = dirent
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            // A process may end, or belong to someone else, while it is looked at.
            let Ok(fds) = std::fs::read_dir(dirent.path().join("fd")) else {
                continue;
            };
            let holds = fds
                .flatten()
                .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|l| l == target));
            if holds {
                let name = std::fs::read_to_string(dirent.path().join("comm"))
                    .map(|s| s.trim_end().to_string())
                    .unwrap_or_else(|_| "a program".into());
                found.push(Holder { pid, name });
            }
        }
        found.sort_by_key(|h| h.pid);
        Ok(found)
    }
}

#[cfg(windows)]
mod platform {
    use std::os::windows::fs::OpenOptionsExt;
    use std::path::Path;

    use super::Holder;
    use crate::fix::error::{FixError, Result};
    use crate::fix::processes::{MAPI_CLIENTS, OUTLOOK_PROGRAMS, running_named};

    /// ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION.
    const IN_USE: [i32; 2] = [32, 33];

    pub fn holders(path: &Path) -> Result<Vec<Holder>> {
        // Share mode 0: fails while any other handle to the file is open.
        match std::fs::OpenOptions::new()
            .read(true)
            .share_mode(0)
            .open(path)
        {
            Ok(_) => Ok(Vec::new()),
            Err(e) if e.raw_os_error().is_some_and(|c| IN_USE.contains(&c)) => {
                let names: Vec<&str> = OUTLOOK_PROGRAMS
                    .iter()
                    .chain(MAPI_CLIENTS)
                    .copied()
                    .collect();
                let running: Vec<Holder> = running_named(&names)?
                    .into_iter()
                    .map(|p| Holder {
                        pid: p.pid,
                        name: p.name,
                    })
                    .collect();
                if running.is_empty() {
                    Ok(vec![Holder {
                        pid: 0,
                        name: "another program".into(),
                    }])
                } else {
                    Ok(running)
                }
            }
            Err(e) => Err(FixError::io("open", path, e)),
        }
    }
}

#[cfg(not(any(target_os = "linux", windows)))]
mod platform {
    use std::path::Path;

    use super::Holder;
    use crate::fix::error::Result;
    use crate::fix::processes::{MAPI_CLIENTS, OUTLOOK_PROGRAMS, running_named};

    pub fn holders(_path: &Path) -> Result<Vec<Holder>> {
        let names: Vec<&str> = OUTLOOK_PROGRAMS
            .iter()
            .chain(MAPI_CLIENTS)
            .copied()
            .collect();
        Ok(running_named(&names)?
            .into_iter()
            .map(|p| Holder {
                pid: p.pid,
                name: p.name,
            })
            .collect())
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_named_while_it_holds_a_file() {
        let scratch = crate::temp::TempDir::new("holders");
        let dir = scratch.path();
        let path = dir.join("held.bin");
        std::fs::write(&path, b"x").unwrap();
        assert_eq!(holders(&path).unwrap(), vec![]);
        let file = std::fs::File::open(&path).unwrap();
        let found = holders(&path).unwrap();
        assert!(
            found.iter().any(|h| h.pid == std::process::id()),
            "{found:?}"
        );
        drop(file);
        assert_eq!(holders(&path).unwrap(), vec![]);
    }
}
