//! Undo: putting renamed files back under their own names. Only when each name is free
//! (Outlook may have built a new store there meanwhile: it is never overwritten) and each
//! file is the one this program renamed.

use std::path::PathBuf;

use serde::Serialize;

use super::crash;
use super::error::{FixError, Result};
use super::fingerprint::Fingerprint;
use super::holders::holders;
use super::journal::{Entry, FixKind, Journal, State, sync_dir};
use super::move_file::rename_no_replace;
use super::rename::PlannedRename;

/// What Undo will do: each `from` (an `.old` name) goes back to `to`.
#[derive(Debug, Clone, Serialize)]
pub struct UndoPlan {
    pub journal_id: String,
    pub fix: FixKind,
    pub restores: Vec<PlannedRename>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UndoOutcome {
    pub journal_id: String,
    /// The original names the files are back under.
    pub restored: Vec<PathBuf>,
}

/// Plans undoing entry `id`, or the newest fix that can be undone. Refuses, changing
/// nothing, when any file cannot go back.
pub fn plan_undo(journal: &Journal, id: Option<&str>) -> Result<UndoPlan> {
    let entry = match id {
        Some(id) => journal.get(id)?,
        None => journal.last_undoable()?.ok_or_else(|| {
            FixError::Refused("there is no rename in the journal left to undo".into())
        })?,
    };
    check_undoable(&entry)?;
    Ok(UndoPlan {
        journal_id: entry.id.clone(),
        fix: entry.fix,
        restores: entry
            .renames
            .iter()
            .filter(|r| r.done)
            .map(|r| PlannedRename {
                from: r.to.clone(),
                to: r.from.clone(),
            })
            .collect(),
    })
}

fn check_undoable(entry: &Entry) -> Result<()> {
    if !entry.undoable() {
        return Err(FixError::Refused(
            match (entry.state, entry.renames.is_empty()) {
                (_, true) => format!(
                    "fix {} ({}) renamed nothing, so there is nothing to undo",
                    entry.id,
                    entry.fix.describe()
                ),
                (State::Undone, _) => format!("fix {} was undone already", entry.id),
                (state, _) => format!(
                    "fix {} is {state:?}, not done; only a finished rename is undone",
                    entry.id
                ),
            },
        ));
    }
    for r in entry.renames.iter().filter(|r| r.done) {
        let now = Fingerprint::of(&r.to).map_err(|_| {
            FixError::Refused(format!(
                "{} is no longer there, so it cannot be put back as {}",
                r.to.display(),
                r.from.display()
            ))
        })?;
        if let Some(why) = r.fingerprint.differs_from(&now) {
            return Err(FixError::Refused(format!(
                "{} is not the file this program renamed ({why}); it is left as it is",
                r.to.display()
            )));
        }
        if std::fs::symlink_metadata(&r.from).is_ok() {
            return Err(FixError::Refused(format!(
                "{} exists again (Outlook may have made a new one); move it aside first, \
                 it is never overwritten",
                r.from.display()
            )));
        }
        let found = holders(&r.to)?;
        if !found.is_empty() {
            return Err(FixError::InUse {
                path: r.to.clone(),
                holders: found,
            });
        }
    }
    Ok(())
}

/// Carries out `plan` after checking again; the journal records the undo first.
pub fn apply_undo(journal: &Journal, plan: &UndoPlan) -> Result<UndoOutcome> {
    let mut entry = journal.get(&plan.journal_id)?;
    check_undoable(&entry)?;
    entry.state = State::Undoing;
    journal.write(&entry)?;
    crash::point("undo_after_journal");
    let mut restored = Vec::new();
    for i in (0..entry.renames.len()).rev() {
        if !entry.renames[i].done {
            continue;
        }
        let (from, to) = (entry.renames[i].to.clone(), entry.renames[i].from.clone());
        if let Err(e) = rename_no_replace(&from, &to) {
            entry.state = State::NeedsAttention;
            entry.notes.push(format!(
                "undo stopped: {} could not be put back as {}: {e}",
                from.display(),
                to.display()
            ));
            journal.write(&entry)?;
            return Err(FixError::io("put back", &from, e));
        }
        if let Some(dir) = to.parent() {
            sync_dir(dir);
        }
        entry.renames[i].done = false;
        journal.write(&entry)?;
        restored.push(to);
    }
    entry.state = State::Undone;
    journal.write(&entry)?;
    Ok(UndoOutcome {
        journal_id: entry.id,
        restored,
    })
}
