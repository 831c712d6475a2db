//! Putting files aside under `.old` names: the store before a rebuild, or Exchange's
//! support files before an Office repair. Refused while any program holds one of them;
//! written to the journal before the first rename so Undo and recovery can reverse it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::crash;
use super::error::{FixError, Result};
use super::fingerprint::Fingerprint;
use super::holders::{Holder, holders};
use super::journal::{Entry, FixKind, Journal, RenameRecord, State, sync_dir};
use super::move_file::rename_no_replace;
use super::old_name::free_old_name;
use super::processes::{OutlookCheck, Owner, outlook_running};
use crate::work::Work;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedRename {
    pub from: PathBuf,
    pub to: PathBuf,
}

/// What a rename fix will do, for the person to read before confirming.
#[derive(Debug, Clone, Serialize)]
pub struct RenamePlan {
    pub fix: FixKind,
    pub renames: Vec<PlannedRename>,
    /// Programs holding one of the files now, by file: the fix is refused until they let go.
    pub held: Vec<(PathBuf, Vec<Holder>)>,
    /// Outlook-related programs running, whether or not they hold these files.
    pub outlook: OutlookCheck,
}

impl RenamePlan {
    pub fn blocked(&self) -> bool {
        !self.held.is_empty()
    }
}

/// What a rename fix did.
#[derive(Debug, Clone, Serialize)]
pub struct RenameOutcome {
    pub journal_id: String,
    pub renames: Vec<PlannedRename>,
}

/// Plans putting the store aside as `NAME.old` (or the next free `NAME.N.old`).
pub fn plan_rename_store(store: &Path) -> Result<RenamePlan> {
    plan_renames(FixKind::RenameStore, &[store.to_path_buf()])
}

/// Plans putting each of `files` aside under its own free `.old` name.
pub fn plan_renames(fix: FixKind, files: &[PathBuf]) -> Result<RenamePlan> {
    if files.is_empty() {
        return Err(FixError::Refused("there is no file to rename".into()));
    }
    let mut renames = Vec::new();
    let mut held = Vec::new();
    for file in files {
        let from = absolute(file)?;
        let meta = std::fs::symlink_metadata(&from).map_err(|e| FixError::io("find", &from, e))?;
        if !meta.is_file() {
            return Err(FixError::Refused(format!(
                "{} is not a regular file; only files are renamed",
                from.display()
            )));
        }
        let to = free_old_name(&from)?;
        let found = holders(&from)?;
        if !found.is_empty() {
            held.push((from.clone(), found));
        }
        renames.push(PlannedRename { from, to });
    }
    Ok(RenamePlan {
        fix,
        renames,
        held,
        outlook: outlook_running()?,
    })
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|e| FixError::io("find", path, e))
}

/// Waits until no program holds any of the plan's files, checking every `every`, for at
/// most `limit`. Returns the holders still there when time ran out (empty: free).
pub fn wait_until_free(
    plan: &RenamePlan,
    limit: Duration,
    every: Duration,
    work: &mut Work,
) -> Result<Vec<(PathBuf, Vec<Holder>)>> {
    let start = Instant::now();
    loop {
        let mut held = Vec::new();
        for r in &plan.renames {
            let found = holders(&r.from)?;
            if !found.is_empty() {
                held.push((r.from.clone(), found));
            }
        }
        let waited = start.elapsed();
        if held.is_empty() || waited >= limit {
            return Ok(held);
        }
        let doing = format!(
            "Waiting for {} to close",
            Holder::list(&held.iter().flat_map(|(_, h)| h.clone()).collect::<Vec<_>>())
        );
        work.step(waited.as_secs(), limit.as_secs(), &doing)?;
        std::thread::sleep(every.min(limit - waited));
    }
}

/// Carries out `plan` as confirmed. Checks again that the files are free and that each
/// `.old` name is still unused, writes the journal, then renames.
pub fn apply_renames(plan: &RenamePlan, journal: &Journal) -> Result<RenameOutcome> {
    let mut entry = Entry::new(journal.new_id(), plan.fix, Owner::current());
    for r in &plan.renames {
        let found = holders(&r.from)?;
        if !found.is_empty() {
            return Err(FixError::InUse {
                path: r.from.clone(),
                holders: found,
            });
        }
        if std::fs::symlink_metadata(&r.to).is_ok() {
            return Err(FixError::Refused(format!(
                "{} appeared since the plan was made; nothing was changed, plan again",
                r.to.display()
            )));
        }
        entry.renames.push(RenameRecord {
            from: r.from.clone(),
            to: r.to.clone(),
            fingerprint: Fingerprint::of(&r.from)?,
            done: false,
        });
    }
    journal.write(&entry)?;
    crash::point("after_journal");

    for i in 0..entry.renames.len() {
        let (from, to) = (entry.renames[i].from.clone(), entry.renames[i].to.clone());
        if let Err(e) = rename_no_replace(&from, &to) {
            let error = FixError::io("rename", &from, e);
            entry.notes.push(format!(
                "stopped: {error}; the files renamed before were put back"
            ));
            roll_back(&mut entry);
            journal.write(&entry)?;
            return Err(error);
        }
        if let Some(dir) = to.parent() {
            sync_dir(dir);
        }
        crash::point("after_rename");
        entry.renames[i].done = true;
        journal.write(&entry)?;
    }
    entry.state = State::Done;
    journal.write(&entry)?;
    Ok(RenameOutcome {
        journal_id: entry.id.clone(),
        renames: plan.renames.clone(),
    })
}

/// Puts back the renames of `entry` marked done, newest first, and records the result.
/// A file whose original name is taken again stays where it is, with a note.
pub(crate) fn roll_back(entry: &mut Entry) {
    let mut notes = Vec::new();
    for r in entry.renames.iter_mut().rev().filter(|r| r.done) {
        match rename_no_replace(&r.to, &r.from) {
            Ok(()) => r.done = false,
            Err(e) => notes.push(format!(
                "{} could not be put back as {}: {e}",
                r.to.display(),
                r.from.display()
            )),
        }
    }
    entry.state = if notes.is_empty() {
        State::RolledBack
    } else {
        State::NeedsAttention
    };
    entry.notes.extend(notes);
}
