//! Running programs: which Outlook-related programs run now (the `outlook_running` check),
//! and whether the process that wrote a journal entry is still alive.
//!
//! Names are matched without regard to case against the process name, the executable's
//! file name and the first word of its command line, so Outlook running under Wine on
//! Linux (process `OUTLOOK.EXE`, command `C:\...\OUTLOOK.EXE`) is found too.

use std::ffi::OsStr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sysinfo::{Pid, Process, ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};

use super::error::{FixError, Result};

/// Outlook itself, and Word, which older Outlook versions use as their mail editor and
/// which then keeps Outlook's store open.
pub const OUTLOOK_PROGRAMS: &[&str] = &["OUTLOOK.EXE", "WINWORD.EXE"];

/// Programs that open Outlook's store through MAPI while they run (Lync and Skype for
/// Business, their MAPI host): they too make a rename fail.
pub const MAPI_CLIENTS: &[&str] = &["LYNC.EXE", "UCMAPI.EXE", "COMMUNICATOR.EXE"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunningProgram {
    pub pid: u32,
    /// The name matched, spelled as the list spells it ("OUTLOOK.EXE").
    pub name: String,
    /// The executable, where the system tells (used to start Outlook again).
    pub exe: Option<PathBuf>,
}

/// What the `outlook_running` check reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutlookCheck {
    /// Outlook, or Word as its editor, is running.
    pub running: bool,
    /// Names found, each once, in `OUTLOOK_PROGRAMS` order then `MAPI_CLIENTS` order.
    pub processes: Vec<String>,
    pub programs: Vec<RunningProgram>,
}

/// Which Outlook-related programs run now.
pub fn outlook_running() -> Result<OutlookCheck> {
    let wanted: Vec<&str> = OUTLOOK_PROGRAMS
        .iter()
        .chain(MAPI_CLIENTS)
        .copied()
        .collect();
    let programs = running_named(&wanted)?;
    let mut processes: Vec<String> = Vec::new();
    for name in &wanted {
        if programs.iter().any(|p| p.name == *name) {
            processes.push(name.to_string());
        }
    }
    let running = programs
        .iter()
        .any(|p| OUTLOOK_PROGRAMS.contains(&p.name.as_str()));
    Ok(OutlookCheck {
        running,
        processes,
        programs,
    })
}

fn system() -> Result<System> {
    System::new().map_err(|e| FixError::Processes(e.to_string()))
}

fn refresh_kind() -> ProcessRefreshKind {
    ProcessRefreshKind::nothing()
        .without_tasks()
        .with_exe(UpdateKind::OnlyIfNotSet)
        .with_cmd(UpdateKind::OnlyIfNotSet)
}

/// Running processes whose name is one of `names` (any case), sorted by pid.
pub fn running_named(names: &[&str]) -> Result<Vec<RunningProgram>> {
    let mut sys = system()?;
    sys.refresh_processes_specifics(ProcessesToUpdate::All, true, refresh_kind());
    let mut found: Vec<RunningProgram> = sys
        .processes()
        .values()
        .filter_map(|p| {
            let name = names.iter().find(|n| process_is(p, n))?;
            Some(RunningProgram {
                pid: p.pid().as_u32(),
                name: name.to_string(),
                exe: p.exe().map(PathBuf::from),
            })
        })
        .collect();
    found.sort_by_key(|p| p.pid);
    Ok(found)
}

fn process_is(p: &Process, name: &str) -> bool {
    let same = |s: &OsStr| last_component(&s.to_string_lossy()).eq_ignore_ascii_case(name);
    same(p.name())
        || p.exe().and_then(|e| e.file_name()).is_some_and(same)
        || p.cmd().first().is_some_and(|c| same(c))
}

/// The file name at the end of a Windows or Unix path.
fn last_component(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A process, told apart from a later one that reuses its id by when it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub pid: u32,
    /// Seconds since 1970 at which it started (0 where unknown).
    pub started: u64,
}

impl Owner {
    /// This process.
    pub fn current() -> Owner {
        let pid = std::process::id();
        Owner {
            pid,
            started: start_time(pid).unwrap_or(0),
        }
    }

    pub fn is_current(&self) -> bool {
        *self == Owner::current()
    }

    /// Whether this process still runs. When the list cannot be read, it counts as alive:
    /// recovery then leaves its entry for a later start instead of undoing live work.
    pub fn is_alive(&self) -> bool {
        let Ok(mut sys) = system() else {
            return true;
        };
        let pid = Pid::from_u32(self.pid);
        sys.refresh_processes_specifics(
            ProcessesToUpdate::Some(&[pid]),
            true,
            ProcessRefreshKind::nothing().without_tasks(),
        );
        sys.process(pid)
            .is_some_and(|p| self.started == 0 || p.start_time() == self.started)
    }
}

fn start_time(pid: u32) -> Option<u64> {
    let mut sys = system().ok()?;
    let pid = Pid::from_u32(pid);
    sys.refresh_processes_specifics(
        ProcessesToUpdate::Some(&[pid]),
        true,
        ProcessRefreshKind::nothing().without_tasks(),
    );
    sys.process(pid).map(Process::start_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_unix_paths_end_in_the_program_name() {
        assert_eq!(
            last_component(r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE"),
            "OUTLOOK.EXE"
        );
        assert_eq!(last_component("/usr/bin/wine"), "wine");
        assert_eq!(last_component("outlook.exe"), "outlook.exe");
    }

    #[test]
    fn this_process_is_alive_and_a_made_up_start_time_is_not() {
        let me = Owner::current();
        assert!(me.started > 0);
        assert!(me.is_alive());
        assert!(me.is_current());
        let other = Owner {
            started: me.started - 1,
            ..me
        };
        assert!(!other.is_alive(), "same pid, another start: a reused id");
    }
}
