//! At start: finishing or rolling back fixes a crash cut off. A fix whose process still
//! runs (another window, a script) is left alone.
//!
//! - A rename cut off before any file moved is marked rolled back; one whose files all
//!   moved is marked done (the person had confirmed it); one cut off between two files
//!   of several is put back as it was.
//! - An undo cut off is finished: the person asked for the files back.
//! - An export cut off before its file was complete leaves only a temporary file (and the
//!   writer's row spill file beside it), which is removed; one cut off after is adopted
//!   once it reads back. The source store was only ever read.
//! - Anything else (both names present, a file changed) is marked for attention and left.

use serde::Serialize;

use super::error::Result;
use super::fingerprint::Fingerprint;
use super::journal::{Entry, FixKind, Journal, State};
use super::move_file::rename_no_replace;
use super::rename::roll_back;
use crate::store::Store;
use crate::store::write::out::spill_paths_for;

/// What recovery did with one entry.
#[derive(Debug, Clone, Serialize)]
pub struct Recovered {
    pub journal_id: String,
    pub fix: FixKind,
    pub state: State,
    pub notes: Vec<String>,
}

/// Recovers the default journal. Called by the CLI and the app at start.
pub fn recover() -> Result<Vec<Recovered>> {
    recover_in(&Journal::open_default()?)
}

pub fn recover_in(journal: &Journal) -> Result<Vec<Recovered>> {
    let mut done = Vec::new();
    for mut entry in journal.entries()? {
        if !matches!(entry.state, State::Started | State::Undoing)
            || entry.owner.is_current()
            || entry.owner.is_alive()
        {
            continue;
        }
        let before = entry.notes.len();
        match entry.state {
            State::Undoing => finish_undo(&mut entry),
            _ if entry.export.is_some() => settle_export(&mut entry),
            _ => settle_renames(&mut entry),
        }
        journal.write(&entry)?;
        done.push(Recovered {
            journal_id: entry.id.clone(),
            fix: entry.fix,
            state: entry.state,
            notes: entry.notes[before..].to_vec(),
        });
    }
    Ok(done)
}

/// Where a file of a rename is now.
enum Place {
    Original,
    Renamed,
    /// Under neither name, under both, or changed: not settled without guessing.
    Unclear(String),
}

fn place(r: &super::journal::RenameRecord) -> Place {
    let at_from = std::fs::symlink_metadata(&r.from).is_ok();
    let at_to = std::fs::symlink_metadata(&r.to).is_ok();
    match (at_from, at_to) {
        (true, false) => Place::Original,
        (false, true) => match Fingerprint::of(&r.to) {
            Ok(f) => match r.fingerprint.differs_from(&f) {
                None => Place::Renamed,
                Some(why) => Place::Unclear(format!("{} changed: {why}", r.to.display())),
            },
            Err(e) => Place::Unclear(e.to_string()),
        },
        (true, true) => Place::Unclear(format!(
            "both {} and {} exist",
            r.from.display(),
            r.to.display()
        )),
        (false, false) => Place::Unclear(format!(
            "neither {} nor {} exists",
            r.from.display(),
            r.to.display()
        )),
    }
}

fn settle_renames(entry: &mut Entry) {
    let mut unclear = Vec::new();
    for r in &mut entry.renames {
        match place(r) {
            Place::Original => r.done = false,
            Place::Renamed => r.done = true,
            Place::Unclear(why) => unclear.push(why),
        }
    }
    if !unclear.is_empty() {
        entry.state = State::NeedsAttention;
        entry.notes.push(format!(
            "cut off by a crash; left as found: {}",
            unclear.join("; ")
        ));
        return;
    }
    let moved = entry.renames.iter().filter(|r| r.done).count();
    if moved == entry.renames.len() {
        entry.state = State::Done;
        entry
            .notes
            .push("cut off by a crash after the rename; the fix is complete".into());
    } else if moved == 0 {
        entry.state = State::RolledBack;
        entry
            .notes
            .push("cut off by a crash before any file was renamed; nothing changed".into());
    } else {
        roll_back(entry);
        entry.notes.push(format!(
            "cut off by a crash after {moved} of {} renames; the renamed files were put back",
            entry.renames.len()
        ));
    }
}

fn finish_undo(entry: &mut Entry) {
    let mut unclear = Vec::new();
    for r in entry.renames.iter_mut().rev() {
        if !r.done {
            continue;
        }
        match place(r) {
            Place::Original => r.done = false,
            Place::Renamed => match rename_no_replace(&r.to, &r.from) {
                Ok(()) => r.done = false,
                Err(e) => unclear.push(format!("{}: {e}", r.to.display())),
            },
            Place::Unclear(why) => unclear.push(why),
        }
    }
    if unclear.is_empty() {
        entry.state = State::Undone;
        entry
            .notes
            .push("an undo was cut off by a crash; it was finished".into());
    } else {
        entry.state = State::NeedsAttention;
        entry.notes.push(format!(
            "an undo was cut off by a crash; left as found: {}",
            unclear.join("; ")
        ));
    }
}

fn settle_export(entry: &mut Entry) {
    settle_export_file(entry);
    // The writer's spill files sit beside its temporary file; a crash can leave them
    // whether or not the finished file was already moved into place.
    let Some(record) = entry.export.as_ref() else {
        return;
    };
    for spill in spill_paths_for(&record.temp) {
        match std::fs::remove_file(&spill) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                entry.state = State::NeedsAttention;
                entry.notes.push(format!(
                    "the writer's working file {} could not be removed: {e}",
                    spill.display()
                ));
            }
        }
    }
}

fn settle_export_file(entry: &mut Entry) {
    let Some(record) = entry.export.as_mut() else {
        return;
    };
    if std::fs::symlink_metadata(&record.dest).is_ok() {
        // The writer renames only a complete, flushed file into place.
        match Store::open(&record.dest).and_then(|s| count_items(&s)) {
            Ok(items) => {
                record.items_written = Some(items);
                record.verified = true;
                entry.state = State::Done;
                entry.notes.push(format!(
                    "cut off by a crash after {} was complete; it reads back with {items} items",
                    record.dest.display()
                ));
            }
            Err(e) => {
                entry.state = State::NeedsAttention;
                entry.notes.push(format!(
                    "cut off by a crash; {} exists but cannot be read back: {e}",
                    record.dest.display()
                ));
            }
        }
        return;
    }
    let note = match std::fs::remove_file(&record.temp) {
        Ok(()) => format!(
            "cut off by a crash midway; the partial file {} was removed",
            record.temp.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "cut off by a crash before writing began".into()
        }
        Err(e) => {
            entry.state = State::NeedsAttention;
            entry.notes.push(format!(
                "cut off by a crash; the partial file {} could not be removed: {e}",
                record.temp.display()
            ));
            return;
        }
    };
    entry.state = State::RolledBack;
    entry.notes.push(format!(
        "{note}; {} was not changed",
        record.source.display()
    ));
}

fn count_items(store: &Store) -> crate::store::Result<u64> {
    let mut n = 0;
    for f in store.folders()? {
        if !f.is_search_folder {
            n += store.message_nids(f.nid)?.len() as u64;
        }
    }
    Ok(n)
}
