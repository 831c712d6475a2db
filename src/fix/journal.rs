//! The fix journal: one JSON file per fix, written durably before anything changes and
//! again after each change, so that Undo knows what to reverse and the next start knows
//! what a crash interrupted.
//!
//! A file is replaced only by writing a sibling, flushing it to disk and renaming it over
//! the old one, so a crash leaves either the old record or the new one, never half of one.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Deserialize, Serialize};

use super::data_dir::data_dir;
use super::error::{FixError, Result};
use super::fingerprint::Fingerprint;
use super::processes::Owner;
use crate::time::Timestamp;

/// Which fix an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixKind {
    RenameStore,
    RenameExchangeFiles,
    ExportLocalItems,
    ExportStore,
}

impl FixKind {
    pub fn describe(self) -> &'static str {
        match self {
            FixKind::RenameStore => "rename the store to .old",
            FixKind::RenameExchangeFiles => "rename Exchange support files to .old",
            FixKind::ExportLocalItems => "export local-only items to a .pst",
            FixKind::ExportStore => "export every item to a .pst",
        }
    }
}

/// Where a fix stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Written before the first change; still so means the fix is running or was cut off.
    Started,
    Done,
    /// An undo was written down and is running or was cut off.
    Undoing,
    Undone,
    /// Cut off and put back as it was before the fix.
    RolledBack,
    /// Cut off in a way recovery would not settle without guessing; the note says what.
    NeedsAttention,
}

/// One file rename a fix makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenameRecord {
    pub from: PathBuf,
    pub to: PathBuf,
    /// The file as it was just before the rename, to know it again under its new name.
    pub fingerprint: Fingerprint,
    /// The file is under `to` (set after the rename, cleared after an undo).
    pub done: bool,
}

/// The new .pst an export writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRecord {
    pub source: PathBuf,
    /// While the copy is written, the hidden name the writer completes it under, its own
    /// alone; once complete, the name it took: the planned one, or the next free one where
    /// another copy took that meanwhile.
    pub dest: PathBuf,
    /// The file the writer fills before renaming it to the hidden name.
    pub temp: PathBuf,
    pub items_planned: u64,
    pub items_written: Option<u64>,
    /// The export was read back and held every item written.
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Sortable by time: `20250303T100000Z-PID-N`.
    pub id: String,
    pub fix: FixKind,
    pub created: String,
    pub state: State,
    /// The process running the fix: recovery leaves alone what a live process is doing.
    pub owner: Owner,
    #[serde(default)]
    pub renames: Vec<RenameRecord>,
    #[serde(default)]
    pub export: Option<ExportRecord>,
    /// What recovery or undo found, for people to read.
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Entry {
    pub fn new(id: String, fix: FixKind, owner: Owner) -> Entry {
        Entry {
            id,
            fix,
            created: Timestamp(now_seconds()).to_string(),
            state: State::Started,
            owner,
            renames: Vec::new(),
            export: None,
            notes: Vec::new(),
        }
    }

    /// Whether `undo` can act on it: a finished rename that was not undone.
    pub fn undoable(&self) -> bool {
        self.state == State::Done && !self.renames.is_empty()
    }
}

fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The journal's folder.
#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
}

const SUFFIX: &str = ".json";
const PARTIAL_SUFFIX: &str = ".json.partial";

impl Journal {
    /// The journal under the data directory.
    pub fn open_default() -> Result<Journal> {
        Journal::at(data_dir()?.join("journal"))
    }

    pub fn at(dir: impl Into<PathBuf>) -> Result<Journal> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)
            .map_err(|e| FixError::io("create the journal folder", &dir, e))?;
        Ok(Journal { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A new id, unique among this process's ids and other processes' (the pid is in it).
    pub fn new_id(&self) -> String {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let stamp: String = Timestamp(now_seconds())
            .to_string()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let id = format!("{stamp}-{}-{n}", std::process::id());
            if !self.path_of(&id).exists() {
                return id;
            }
        }
    }

    fn path_of(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}{SUFFIX}"))
    }

    /// Writes `entry` durably: when this returns, the record survives a power cut.
    pub fn write(&self, entry: &Entry) -> Result<()> {
        let path = self.path_of(&entry.id);
        let partial = self.dir.join(format!("{}{PARTIAL_SUFFIX}", entry.id));
        let text = serde_json::to_vec_pretty(entry).map_err(|e| FixError::Journal {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        let mut file =
            File::create(&partial).map_err(|e| FixError::io("write the journal", &partial, e))?;
        file.write_all(&text)
            .and_then(|()| file.sync_all())
            .map_err(|e| FixError::io("write the journal", &partial, e))?;
        drop(file);
        std::fs::rename(&partial, &path)
            .map_err(|e| FixError::io("write the journal", &path, e))?;
        sync_dir(&self.dir);
        Ok(())
    }

    pub fn get(&self, id: &str) -> Result<Entry> {
        let path = self.path_of(id);
        if !path.exists() || id.contains(['/', '\\']) {
            return Err(FixError::NoSuchEntry(id.to_string()));
        }
        read(&path)
    }

    /// Every entry, oldest first. Leftover partial records from a crash are removed: the
    /// complete record they were replacing is still there.
    pub fn entries(&self) -> Result<Vec<Entry>> {
        let listing = std::fs::read_dir(&self.dir)
            .map_err(|e| FixError::io("read the journal folder", &self.dir, e))?;
        let mut entries = Vec::new();
        for dirent in listing {
            let dirent =
                dirent.map_err(|e| FixError::io("read the journal folder", &self.dir, e))?;
            let path = dirent.path();
            let name = dirent.file_name().to_string_lossy().into_owned();
            if name.ends_with(PARTIAL_SUFFIX) {
                let _ = std::fs::remove_file(&path);
            } else if name.ends_with(SUFFIX) {
                entries.push(read(&path)?);
            }
        }
        entries.sort_by(|a, b| id_order(&a.id).cmp(&id_order(&b.id)));
        Ok(entries)
    }

    /// The newest entry that can be undone.
    pub fn last_undoable(&self) -> Result<Option<Entry>> {
        Ok(self.entries()?.into_iter().rev().find(Entry::undoable))
    }
}

/// How ids sort, oldest first: by their time stamp, then by process id and counter as
/// numbers ("...-999-0" before "...-1000-0", "...-7-9" before "...-7-10"). An id of another
/// shape sorts by its text after the ones of this shape with the same stamp.
fn id_order(id: &str) -> (&str, Option<(u64, u64)>, &str) {
    let mut parts = id.splitn(3, '-');
    let stamp = parts.next().unwrap_or_default();
    let numbers = match (parts.next(), parts.next()) {
        (Some(pid), Some(n)) => pid.parse().ok().zip(n.parse().ok()),
        _ => None,
    };
    (stamp, numbers.or(Some((u64::MAX, u64::MAX))), id)
}

fn read(path: &Path) -> Result<Entry> {
    let bytes = std::fs::read(path).map_err(|e| FixError::io("read the journal", path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| FixError::Journal {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })
}

/// Makes a rename inside `dir` durable. Windows offers no handle on a folder for this and
/// commits renames in its own journal, so there it is a no-op.
pub(crate) fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> Owner {
        Owner { pid: 1, started: 2 }
    }

    #[test]
    fn ids_sort_by_their_numbers_not_their_text() {
        let scratch = crate::temp::TempDir::new("journal-ids");
        let dir = scratch.path().join("journal");
        let journal = Journal::at(&dir).unwrap();
        let ids = [
            "20261202T100000Z-999-0",
            "20261202T100000Z-1000-0",
            "20261202T100000Z-1000-9",
            "20261202T100000Z-1000-10",
            "20261202T100001Z-5-0",
        ];
        for id in ids.iter().rev() {
            let mut e = Entry::new(id.to_string(), FixKind::RenameStore, owner());
            e.state = State::Done;
            e.renames.push(RenameRecord {
                from: "a".into(),
                to: "b".into(),
                fingerprint: Fingerprint {
                    size: 1,
                    modified: None,
                    samples_crc: 0,
                },
                done: true,
            });
            journal.write(&e).unwrap();
        }
        let got: Vec<String> = journal
            .entries()
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(got, ids);
        assert_eq!(journal.last_undoable().unwrap().unwrap().id, ids[4]);
        std::fs::remove_file(dir.join(format!("{}{SUFFIX}", ids[4]))).unwrap();
        assert_eq!(journal.last_undoable().unwrap().unwrap().id, ids[3]);
    }

    #[test]
    fn entries_round_trip_and_sort_oldest_first() {
        let scratch = crate::temp::TempDir::new("journal");
        let dir = scratch.path().join("journal");
        let journal = Journal::at(&dir).unwrap();
        let a = Entry::new(journal.new_id(), FixKind::RenameStore, owner());
        let mut b = Entry::new(journal.new_id(), FixKind::ExportStore, owner());
        assert!(a.id < b.id, "{} {}", a.id, b.id);
        journal.write(&b).unwrap();
        journal.write(&a).unwrap();
        b.state = State::Done;
        journal.write(&b).unwrap();
        std::fs::write(dir.join("x.json.partial"), b"{half").unwrap();
        let all = journal.entries().unwrap();
        assert_eq!(all, vec![a.clone(), b.clone()]);
        assert!(!dir.join("x.json.partial").exists());
        assert_eq!(journal.get(&b.id).unwrap().state, State::Done);
        assert!(matches!(journal.get("nope"), Err(FixError::NoSuchEntry(_))));
        std::fs::write(dir.join("bad.json"), b"{not json").unwrap();
        let err = journal.entries().unwrap_err().to_string();
        assert!(err.contains("bad.json"), "{err}");
    }
}
