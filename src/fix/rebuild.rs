//! Rebuilding the offline store: Outlook builds a new one from the server when its store
//! is gone. Where Outlook runs on this computer (Windows) the fix closes it politely, puts
//! the store aside and starts it again; elsewhere it says what to do on the Outlook
//! computer. Either way the new store is then compared with the server.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::error::{FixError, Result};
use super::journal::Journal;
use super::processes::{OUTLOOK_PROGRAMS, RunningProgram, running_named};
use super::rename::{RenameOutcome, RenamePlan, apply_renames, plan_rename_store};
use crate::diagnose::{ItemScope, Options, Report, ServerKind, compare, gather};
use crate::server::MailboxServer;
use crate::store::Store;
use crate::work::Work;

/// How the rebuild will go.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum RebuildMode {
    /// Close these programs, rename, start `outlook` again.
    Automatic {
        close: Vec<RunningProgram>,
        outlook: PathBuf,
    },
    /// The person follows `steps` on the computer where Outlook runs.
    Manual,
}

#[derive(Debug, Clone, Serialize)]
pub struct RebuildPlan {
    pub rename: RenamePlan,
    pub mode: RebuildMode,
    /// What happens, in order, for people to read.
    pub steps: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RebuildOutcome {
    pub rename: RenameOutcome,
    /// Outlook was started again (automatic mode only).
    pub restarted: bool,
}

/// Plans the rebuild of `store`.
pub fn plan_rebuild(store: &Path) -> Result<RebuildPlan> {
    let rename = plan_rename_store(store)?;
    let planned = &rename.renames[0];
    let outlook = running_named(&["OUTLOOK.EXE"])?;
    let exe = outlook.iter().find_map(|p| p.exe.clone());
    let (mode, steps) = match exe {
        Some(exe) if cfg!(windows) => (
            RebuildMode::Automatic {
                close: running_named(OUTLOOK_PROGRAMS)?,
                outlook: exe,
            },
            vec![
                "Outlook (and Word) are asked to close, as when you close their windows.".into(),
                format!(
                    "{} is renamed to {}.",
                    planned.from.display(),
                    file_name(&planned.to)
                ),
                "Outlook is started again; it builds a new offline store from the server.".into(),
                "When Outlook shows \"All folders are up to date\", the new store is compared \
                 with the server."
                    .into(),
            ],
        ),
        _ => (
            RebuildMode::Manual,
            manual_steps(&planned.from, &planned.to),
        ),
    };
    Ok(RebuildPlan {
        rename,
        mode,
        steps,
    })
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The steps for the computer where Outlook runs.
pub fn manual_steps(store: &Path, old: &Path) -> Vec<String> {
    let name = file_name(store);
    vec![
        "On the computer where Outlook runs, close Outlook, and Word if it is open; wait \
         until Outlook is gone from Task Manager."
            .into(),
        format!(
            "Open the folder that holds {name} (usually %LOCALAPPDATA%\\Microsoft\\Outlook; \
             Outlook shows it under File > Account Settings > Data Files)."
        ),
        format!(
            "Rename {name} to {}. Do not delete it: it still holds whatever the server lacks.",
            file_name(old)
        ),
        "Start Outlook. It builds a new offline store and downloads the mailbox; wait until \
         the status bar says \"All folders are up to date\"."
            .into(),
        "Bring the new store here (or run OST Doctor there) and compare it with the server \
         to check it."
            .into(),
    ]
}

/// Carries out an automatic rebuild: closes Outlook politely (waiting at most `patience`
/// for it to go), renames the store, starts Outlook again. A manual plan is refused: its
/// steps are for the person to follow.
pub fn apply_rebuild(
    plan: &RebuildPlan,
    journal: &Journal,
    patience: Duration,
    work: &mut Work,
) -> Result<RebuildOutcome> {
    let RebuildMode::Automatic { close, outlook } = &plan.mode else {
        return Err(FixError::Refused(
            "Outlook does not run on this computer; follow the steps on the computer where \
             it does"
                .into(),
        ));
    };
    for p in close {
        platform::ask_to_close(p.pid)
            .map_err(|e| FixError::io("ask to close", format!("{} ({})", p.name, p.pid), e))?;
    }
    let start = Instant::now();
    loop {
        let left = running_named(OUTLOOK_PROGRAMS)?;
        if left.is_empty() {
            break;
        }
        if start.elapsed() >= patience {
            return Err(FixError::Refused(format!(
                "{} did not close within {} seconds; nothing was renamed",
                left.iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                patience.as_secs()
            )));
        }
        work.step(
            start.elapsed().as_secs(),
            patience.as_secs(),
            "Waiting for Outlook to close",
        )?;
        std::thread::sleep(Duration::from_millis(500));
    }
    let rename = apply_renames(&plan.rename, journal)?;
    let restarted = std::process::Command::new(outlook).spawn().is_ok();
    Ok(RebuildOutcome { rename, restarted })
}

#[cfg(windows)]
mod platform {
    /// `taskkill` without `/F` sends the window a close request, as clicking its close
    /// button does: Outlook finishes writing its store before it exits.
    pub fn ask_to_close(pid: u32) -> std::io::Result<()> {
        std::process::Command::new("taskkill")
            .arg("/PID")
            .arg(pid.to_string())
            .status()
            .map(|_| ())
    }
}

#[cfg(not(windows))]
mod platform {
    /// Automatic mode is only planned on Windows.
    pub fn ask_to_close(_pid: u32) -> std::io::Result<()> {
        Err(std::io::Error::other(
            "Outlook is only closed for you on Windows",
        ))
    }
}

/// After the rebuild: the new store's folder statistics against the server.
pub fn verify_rebuilt(
    store: &Path,
    server: &mut dyn MailboxServer,
    kind: ServerKind,
) -> Result<Report> {
    let store = Store::open(store)?;
    let (store_side, server_side) = gather(&store, server, kind, &ItemScope::None)?;
    Ok(compare(&store_side, &server_side, &Options::default()))
}
