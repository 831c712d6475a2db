//! Before a rebuild: copying the items only the store holds (or, without a server, every
//! item) into a new .pst in a folder the person can see (see [`default_export_folder`]),
//! then reading that .pst back to be sure it holds them. The store is only read; the new
//! file appears under its name only once complete, and takes the next free name when
//! another copy took the planned one meanwhile.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use serde::Serialize;

use super::crash;
use super::error::{FixError, Result};
use super::journal::{Entry, ExportRecord, FixKind, Journal, State};
use super::move_file::rename_no_replace;
use super::processes::Owner;
use crate::copy::{CopyOptions, ExportSummary, Labels, Selection, WrittenFolder, export_items};
use crate::diagnose::{Report, StoreSide};
use crate::store::JobError;
use crate::store::Store;
use crate::store::ndb::Nid;
use crate::store::write::Target;
use crate::store::write::out::temp_path_for;
use crate::work::Work;

/// One folder of the plan: its path below the top of the mailbox and the items to copy.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedFolder {
    pub path: Vec<String>,
    #[serde(serialize_with = "ser_nid")]
    pub folder: Nid,
    #[serde(serialize_with = "ser_nids")]
    pub items: Vec<Nid>,
}

fn ser_nid<S: serde::Serializer>(n: &Nid, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(n)
}

fn ser_nids<S: serde::Serializer>(n: &[Nid], s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_seq(n.iter().map(Nid::to_string))
}

/// What an export will write, for the person to read before confirming.
#[derive(Debug, Clone, Serialize)]
pub struct ExportPlan {
    pub fix: FixKind,
    pub source: PathBuf,
    pub dest: PathBuf,
    pub folders: Vec<PlannedFolder>,
    pub items: u64,
    /// Folders the server comparison found ahead by count whose items were not compared,
    /// so which of their items are local is not known: the plan leaves them out.
    pub not_compared: Vec<String>,
}

/// What reading the new .pst back found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verification {
    pub folders: usize,
    pub items: usize,
    /// Empty when every item written was found where it was written, and nothing else.
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportOutcome {
    pub journal_id: String,
    pub dest: PathBuf,
    pub summary: ExportSummary,
    pub verification: Verification,
}

/// Plans exporting the items the comparison found only in the store: `report` and
/// `store_side` must come from the same comparison (see `diagnose::gather` with
/// `ItemScope::All` and `diagnose::compare`).
pub fn plan_export_local(
    source: &Path,
    dest: &Path,
    store_side: &StoreSide,
    report: &Report,
) -> Result<ExportPlan> {
    let (source, dest) = check_paths(source, dest)?;
    let mut folders = Vec::new();
    let mut not_compared = Vec::new();
    for row in &report.folders {
        let Some(path) = &row.offline_path else {
            continue;
        };
        let Some(items) = &row.items else {
            if row.verdict.is_difference() && row.offline_count > row.server_count {
                not_compared.push(path.join("/"));
            }
            continue;
        };
        if items.only_offline.is_empty() {
            continue;
        }
        let folder = store_side
            .folders
            .iter()
            .find(|f| f.path == *path)
            .ok_or_else(|| {
                FixError::Refused(format!(
                    "the comparison names folder {:?}, which the store side does not have",
                    path.join("/")
                ))
            })?;
        let items = items
            .only_offline
            .iter()
            .map(|i| parse_nid(&i.id))
            .collect::<Result<Vec<_>>>()?;
        folders.push(PlannedFolder {
            path: path.clone(),
            folder: folder.nid,
            items,
        });
    }
    let items = folders.iter().map(|f| f.items.len() as u64).sum();
    Ok(ExportPlan {
        fix: FixKind::ExportLocalItems,
        source,
        dest,
        folders,
        items,
        not_compared,
    })
}

/// Plans exporting every item of every folder below the top of the mailbox: the choice
/// when no server can be asked which items are only local.
pub fn plan_export_all(source: &Path, dest: &Path) -> Result<ExportPlan> {
    let (source_path, dest) = check_paths(source, dest)?;
    let store = Store::open_for_salvage(&source_path)?;
    // A damaged folder costs only itself (see `salvage`).
    let crate::store::messaging::salvage::Found {
        folders: all,
        items_by_folder: filed,
        ..
    } = crate::store::messaging::salvage::folders(&store);
    let top = store.ipm_subtree(&all)?;
    let by_nid: HashMap<Nid, usize> = all.iter().enumerate().map(|(i, f)| (f.nid, i)).collect();
    let top_depth = top
        .and_then(|t| by_nid.get(&t))
        .map_or(0, |&i| all[i].path.len());
    // Parents come before children in the walk, so one pass finds the whole subtree.
    let mut inside: Vec<Nid> = top.into_iter().collect();
    let mut folders = Vec::new();
    for f in &all {
        let below = match top {
            Some(_) => f.parent.is_some_and(|p| inside.contains(&p)),
            None => f.parent.is_some(),
        };
        if !below || f.is_search_folder {
            continue;
        }
        inside.push(f.nid);
        // Its items: those its contents table lists and those the node index files under
        // it, so that a damaged table does not hide any.
        let mut items = store.message_nids(f.nid).unwrap_or_default();
        let listed: std::collections::HashSet<Nid> = items.iter().copied().collect();
        items.extend(
            filed
                .get(&f.nid)
                .into_iter()
                .flatten()
                .filter(|nid| !listed.contains(nid)),
        );
        if !items.is_empty() {
            folders.push(PlannedFolder {
                path: f.path[top_depth..].to_vec(),
                folder: f.nid,
                items,
            });
        }
    }
    let items = folders.iter().map(|f| f.items.len() as u64).sum();
    Ok(ExportPlan {
        fix: FixKind::ExportStore,
        source: source_path,
        dest,
        folders,
        items,
        not_compared: Vec::new(),
    })
}

fn parse_nid(id: &str) -> Result<Nid> {
    id.strip_prefix("0x")
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .map(Nid)
        .ok_or_else(|| FixError::Refused(format!("{id:?} is not a store item id (0x...)")))
}

/// What a plan checks: a store to read, a name not taken yet, a folder that is there or
/// can be made.
fn check_paths(source: &Path, dest: &Path) -> Result<(PathBuf, PathBuf)> {
    let (source, dest) = check_source_and_folder(source, dest)?;
    if std::fs::symlink_metadata(&dest).is_ok() {
        return Err(FixError::Refused(format!(
            "{} exists already; choose a new name (nothing is overwritten)",
            dest.display()
        )));
    }
    Ok((source, dest))
}

/// What applying a plan checks again; the name may have been taken since the plan (by
/// another copy, in another window), and the copy then takes the next free one (see
/// [`take_name`]).
fn check_source_and_folder(source: &Path, dest: &Path) -> Result<(PathBuf, PathBuf)> {
    let abs = |p: &Path| std::path::absolute(p).map_err(|e| FixError::io("find", p, e));
    let (source, dest) = (abs(source)?, abs(dest)?);
    if !source.is_file() {
        return Err(FixError::Refused(format!(
            "{} is not a store file",
            source.display()
        )));
    }
    // The folder may be made when the export is applied (the default one, the first time).
    match dest.parent() {
        Some(dir) if dir.is_dir() || check_export_folder(dir).is_ok() => Ok((source, dest)),
        _ => Err(FixError::Refused(format!(
            "the folder for {} does not exist and cannot be made",
            dest.display()
        ))),
    }
}

/// The variable that names another default folder for exports (tests, a helpdesk's share).
pub const EXPORT_DIR_VARIABLE: &str = "OSTDOCTOR_EXPORT_DIR";

/// Where exports go unless the person chooses otherwise: a folder they can see and find
/// again, `Documents/OST Doctor` (the XDG documents folder on Linux), else `OST Doctor`
/// in the home folder; never beside the store, which Outlook keeps in a hidden folder.
/// `OSTDOCTOR_EXPORT_DIR` names another.
pub fn default_export_folder() -> PathBuf {
    if let Some(dir) = std::env::var_os(EXPORT_DIR_VARIABLE).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let user = directories::UserDirs::new();
    let base = user
        .as_ref()
        .and_then(|u| u.document_dir().map(Path::to_path_buf))
        .or_else(|| user.as_ref().map(|u| u.home_dir().to_path_buf()))
        .unwrap_or_else(std::env::temp_dir);
    base.join("OST Doctor")
}

/// Why a folder cannot take an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderProblem {
    /// Nothing was given, or a relative path, which would depend on where the program runs.
    NotAbsolute(PathBuf),
    /// Something other than a folder is there, or on the way to it.
    NotAFolder(PathBuf),
    /// It (or the folder it would be made in) cannot be written to.
    NotWritable(PathBuf, String),
    /// Fewer bytes are free on its disk than the export is expected to take.
    NoSpace {
        folder: PathBuf,
        free: u64,
        need: u64,
    },
}

impl std::fmt::Display for FolderProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FolderProblem::NotAbsolute(p) => {
                write!(f, "{:?} is not a full path to a folder", p.display())
            }
            FolderProblem::NotAFolder(p) => write!(f, "{} is not a folder", p.display()),
            FolderProblem::NotWritable(p, why) => {
                write!(f, "{} cannot be written to: {why}", p.display())
            }
            FolderProblem::NoSpace { folder, free, need } => write!(
                f,
                "{} has {} MB free; the copy needs about {} MB",
                folder.display(),
                free.div_ceil(1_000_000),
                need.div_ceil(1_000_000)
            ),
        }
    }
}

/// Whether `dir` can take an export: a full path to a folder that exists or can be made,
/// and that this user can write in. Nothing is made: a file is written and removed in
/// the folder, or in the nearest folder above it that exists.
pub fn check_export_folder(dir: &Path) -> std::result::Result<(), FolderProblem> {
    if dir.as_os_str().is_empty() || !dir.is_absolute() {
        return Err(FolderProblem::NotAbsolute(dir.to_path_buf()));
    }
    let mut existing = dir;
    while std::fs::symlink_metadata(existing).is_err() {
        existing = match existing.parent() {
            Some(parent) => parent,
            None => return Err(FolderProblem::NotAFolder(dir.to_path_buf())),
        };
    }
    if !existing.is_dir() {
        return Err(FolderProblem::NotAFolder(existing.to_path_buf()));
    }
    let probe = existing.join(format!(".ostdoctor-write-test-{}", unique()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(FolderProblem::NotWritable(
            existing.to_path_buf(),
            e.to_string(),
        )),
    }
}

/// As [`check_export_folder`], and the disk it is on has room for `need` bytes (where
/// the system says how much is free).
pub fn check_export_room(dir: &Path, need: u64) -> std::result::Result<(), FolderProblem> {
    check_export_folder(dir)?;
    let mut existing = dir;
    while !existing.is_dir() {
        existing = existing.parent().unwrap_or(existing);
    }
    match free_bytes(existing) {
        Some(free) if free < need => Err(FolderProblem::NoSpace {
            folder: dir.to_path_buf(),
            free,
            need,
        }),
        _ => Ok(()),
    }
}

/// Bytes free to this user on the disk that holds `dir` (a quota counted in); `None`
/// where the system does not say, and then an export that runs out of room stops with the
/// disk's own error (the partial file is removed). statvfs on Linux and macOS,
/// GetDiskFreeSpaceEx on Windows, through fs4.
pub fn free_bytes(dir: &Path) -> Option<u64> {
    fs4::available_space(dir).ok()
}

/// A free name for an export of `store` in `dir`: `NAME - local items.pst`, else with
/// ` (2)`, ` (3)`, ... before the extension.
pub fn export_path_in(dir: &Path, store: &Path, label: &str) -> PathBuf {
    let stem = store
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Outlook".into());
    let first = dir.join(format!("{stem} - {label}.pst"));
    (1..)
        .map(|n| numbered(&first, n))
        .find(|candidate| std::fs::symlink_metadata(candidate).is_err())
        .expect("a free number")
}

/// `first` itself for 1, else with ` (n)` before its extension: `NAME (2).pst`.
fn numbered(first: &Path, n: u32) -> PathBuf {
    if n == 1 {
        return first.to_path_buf();
    }
    let stem = first.file_stem().unwrap_or_default().to_string_lossy();
    let name = match first.extension() {
        Some(ext) => format!("{stem} ({n}).{}", ext.to_string_lossy()),
        None => format!("{stem} ({n})"),
    };
    first.with_file_name(name)
}

/// The name numbered from and the number of `path`: `NAME (3).pst` is the third of
/// `NAME.pst`, `NAME.pst` the first.
fn number_of(path: &Path) -> (PathBuf, u32) {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let counted = stem.strip_suffix(')').and_then(|s| s.rsplit_once(" ("));
    // Only the numbers `numbered` writes: " (2)", not " (1)", " (02)" or " (x)".
    let number = counted.and_then(|(base, digits)| {
        let n = digits.parse::<u32>().ok()?;
        (n >= 2 && n.to_string() == digits).then_some((base, n))
    });
    match number {
        Some((base, n)) => {
            let name = match path.extension() {
                Some(ext) => format!("{base}.{}", ext.to_string_lossy()),
                None => base.to_owned(),
            };
            (path.with_file_name(name), n)
        }
        _ => (path.to_path_buf(), 1),
    }
}

/// Gives the finished copy at `written` the name `wanted`, or, where another copy took it
/// since the plan (two windows, two scripts, two exports at once), the next free one:
/// ` (2)`, ` (3)`, ... The rename itself refuses a name that is taken, so of two copies
/// finishing at once only one can have it, and no file is ever replaced. The name taken.
fn take_name(written: &Path, wanted: &Path) -> std::io::Result<PathBuf> {
    let (first, from) = number_of(wanted);
    for n in from..from.saturating_add(1000) {
        let name = numbered(&first, n);
        match rename_no_replace(written, &name) {
            Ok(()) => return Ok(name),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "a thousand numbered names beside it are taken",
    ))
}

/// The name the writer completes a copy under before it takes its own (see
/// [`take_name`]): beside it, hidden, and this export's alone (the process and a count
/// in it), so two copies planned under one name never write into one file.
fn writing_path_for(dest: &Path) -> PathBuf {
    let name = dest.file_name().unwrap_or_default().to_string_lossy();
    dest.with_file_name(format!(".{name}.writing-{}", unique()))
}

/// `PID-N`, never the same twice: for a file name no other export, in this process (two
/// at once on two threads) or another, makes too.
fn unique() -> String {
    static COUNT: AtomicU32 = AtomicU32::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    format!("{}-{n}", std::process::id())
}

/// A free name for an export beside the store (see [`export_path_in`]).
pub fn export_path_beside(store: &Path, label: &str) -> PathBuf {
    let dir = store.parent().unwrap_or(Path::new(""));
    export_path_in(dir, store, label)
}

/// Writes the plan's items into the new .pst and reads it back. The journal records the
/// export before the first byte is written, so a crash midway is cleaned up at the next
/// start; the source store is never written.
pub fn apply_export(
    plan: &ExportPlan,
    journal: &Journal,
    work: &mut Work,
) -> Result<ExportOutcome> {
    check_source_and_folder(&plan.source, &plan.dest)?;
    if let Some(dir) = plan.dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| FixError::io("make the folder", dir, e))?;
    }
    let source = Store::open_for_salvage(&plan.source)?;
    let writing = writing_path_for(&plan.dest);
    let mut entry = Entry::new(journal.new_id(), plan.fix, Owner::current());
    // Until the copy is complete and named, the journal names the file being written:
    // recovery after a crash then removes its temporary file, or keeps it once complete,
    // and never takes a copy another export finished under the planned name for this one.
    entry.export = Some(ExportRecord {
        source: plan.source.clone(),
        dest: writing.clone(),
        temp: temp_path_for(&writing, std::process::id()),
        items_planned: plan.items,
        items_written: None,
        verified: false,
    });
    journal.write(&entry)?;
    crash::point("after_journal");

    let chosen: Vec<Selection> = plan
        .folders
        .iter()
        .map(|f| Selection {
            folder: f.folder,
            items: f.items.clone(),
        })
        .collect();
    let copied = {
        let outer = &mut *work;
        let mut inner = Work::new(outer.cancel_token().clone(), |s| {
            if s.done == 1 {
                crash::point("mid_export");
            }
            let _ = outer.step(s.done, s.total, s.doing);
        });
        // The names written into the new store follow the system's language, as Outlook's
        // own folder names do.
        let options = CopyOptions {
            labels: Labels::for_code(crate::wizard::Language::from_system().code()),
            keep_password: true,
        };
        export_items(&source, &writing, Target::Pst, &chosen, options, &mut inner)
    };
    let (summary, written) = match copied {
        Ok(done) => done,
        Err(e) => {
            entry.state = State::RolledBack;
            entry.notes.push(match &e {
                JobError::Cancelled(_) => "cancelled; the partial file was removed".into(),
                JobError::Store(err) => format!("stopped: {err}; the partial file was removed"),
            });
            journal.write(&entry)?;
            return Err(e.into());
        }
    };
    let dest = match take_name(&writing, &plan.dest) {
        Ok(dest) => dest,
        Err(e) => {
            // Not left behind under its hidden name, a full copy nobody would find.
            let _ = std::fs::remove_file(&writing);
            entry.state = State::RolledBack;
            entry.notes.push(format!(
                "the copy could not be named {}: {e}; it was removed",
                plan.dest.display()
            ));
            journal.write(&entry)?;
            return Err(FixError::io("name the copy", &plan.dest, e));
        }
    };
    let record = entry.export.as_mut().expect("set above");
    record.dest = dest.clone();
    journal.write(&entry)?;
    crash::point("after_export");

    let verification = verify_export(&dest, &written)?;
    let record = entry.export.as_mut().expect("set above");
    record.items_written = Some(summary.items as u64);
    record.verified = verification.problems.is_empty();
    if verification.problems.is_empty() {
        entry.state = State::Done;
        journal.write(&entry)?;
    } else {
        entry.state = State::NeedsAttention;
        entry.notes.extend(verification.problems.iter().cloned());
        journal.write(&entry)?;
        return Err(FixError::Refused(format!(
            "{} was written, but reading it back found: {}",
            dest.display(),
            verification.problems.join("; ")
        )));
    }
    Ok(ExportOutcome {
        journal_id: entry.id.clone(),
        dest,
        summary,
        verification,
    })
}

/// Reads the new store back: every folder written must be there with exactly the items
/// written into it (by subject), and no other folder may hold items.
pub fn verify_export(dest: &Path, written: &[WrittenFolder]) -> Result<Verification> {
    let store = Store::open(dest)?;
    let all = store.folders()?;
    let top = store.ipm_subtree(&all)?;
    let depth = top
        .and_then(|t| all.iter().find(|f| f.nid == t))
        .map_or(0, |f| f.path.len());
    let mut v = Verification::default();
    let mut found: HashMap<Vec<String>, Vec<String>> = HashMap::new();
    for f in &all {
        if f.is_search_folder || f.path.len() <= depth {
            continue;
        }
        let subjects: Vec<String> = store
            .message_summaries(f.nid)?
            .into_iter()
            .map(|s| s.subject.unwrap_or_default())
            .collect();
        v.folders += 1;
        v.items += subjects.len();
        found.insert(f.path[depth..].to_vec(), subjects);
    }
    for w in written {
        let shown = w.path.join("/");
        match found.remove(&w.path) {
            None => v
                .problems
                .push(format!("folder {shown:?} is missing from the new file")),
            Some(mut got) => {
                let mut want = w.subjects.clone();
                got.sort();
                want.sort();
                if got != want {
                    v.problems.push(format!(
                        "folder {shown:?} holds {} items where {} were written",
                        got.len(),
                        want.len()
                    ));
                }
            }
        }
    }
    for (path, subjects) in found {
        if !subjects.is_empty() {
            v.problems.push(format!(
                "folder {:?} holds {} items nobody wrote",
                path.join("/"),
                subjects.len()
            ));
        }
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> crate::temp::TempDir {
        crate::temp::TempDir::new(&format!("export-{name}"))
    }

    #[test]
    fn a_folder_for_copies_is_checked_without_being_made() {
        let scratch = scratch("folder");
        let dir = scratch.path();
        let new = dir.join("a").join("b");
        assert_eq!(check_export_folder(&new), Ok(()));
        assert!(!dir.join("a").exists(), "nothing is made");
        assert_eq!(
            std::fs::read_dir(dir).unwrap().count(),
            0,
            "the probe is gone"
        );
        let file = dir.join("file");
        std::fs::write(&file, b"").unwrap();
        assert_eq!(
            check_export_folder(&file.join("below")),
            Err(FolderProblem::NotAFolder(file.clone()))
        );
        assert!(matches!(
            check_export_folder(Path::new("relative")),
            Err(FolderProblem::NotAbsolute(_))
        ));
        assert!(matches!(
            check_export_folder(Path::new("")),
            Err(FolderProblem::NotAbsolute(_))
        ));
    }

    #[test]
    fn a_copy_bigger_than_the_free_space_is_refused() {
        let scratch = scratch("room");
        let dir = scratch.path();
        let free = free_bytes(dir).expect("the system says how much is free");
        assert!(free > 0);
        assert_eq!(check_export_room(&dir.join("new"), 1), Ok(()));
        match check_export_room(&dir.join("new"), free.saturating_mul(4).max(u64::MAX / 2)) {
            Err(FolderProblem::NoSpace { need, .. }) => assert!(need > free),
            other => panic!("{other:?}"),
        }
    }

    /// The figure is the one the system gives this user, as `df` (an independent reader)
    /// gives it, within what other programs may write meanwhile.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_free_space_is_the_systems_own_figure() {
        let scratch = scratch("df");
        let dir = scratch.path();
        let ours = free_bytes(dir).expect("statvfs answers on Linux") as i128;
        let df = std::process::Command::new("df")
            .args(["-B1", "--output=avail"])
            .arg(dir)
            .output()
            .expect("df runs");
        let text = String::from_utf8_lossy(&df.stdout);
        let theirs: i128 = text.lines().last().unwrap().trim().parse().unwrap();
        assert!(
            (ours - theirs).abs() < 256 << 20,
            "{ours} against df's {theirs}"
        );
    }

    /// A copy finished under its hidden name takes the one planned, or the next free
    /// one when that was taken meanwhile; no file is replaced.
    #[test]
    fn a_finished_copy_takes_the_next_free_name_and_replaces_none() {
        let scratch = scratch("take");
        let dir = scratch.path();
        let theirs = [
            dir.join("ana - backup (2).pst"),
            dir.join("ana - backup (3).pst"),
        ];
        for (i, taken) in theirs.iter().enumerate() {
            std::fs::write(taken, format!("theirs {i}")).unwrap();
        }
        let written = dir.join(".ana - backup (2).pst.writing-1-0");
        std::fs::write(&written, b"ours").unwrap();
        let taken = take_name(&written, &theirs[0]).unwrap();
        assert_eq!(taken, dir.join("ana - backup (4).pst"));
        assert_eq!(std::fs::read(&taken).unwrap(), b"ours");
        assert!(!written.exists());
        for (i, taken) in theirs.iter().enumerate() {
            assert_eq!(
                std::fs::read_to_string(taken).unwrap(),
                format!("theirs {i}")
            );
        }
        // A name without a number goes on at (2); one that is free is taken as it is.
        std::fs::write(&written, b"second").unwrap();
        let plain = dir.join("ana - backup.pst");
        std::fs::write(&plain, b"theirs").unwrap();
        assert_eq!(
            take_name(&written, &plain).unwrap(),
            dir.join("ana - backup (5).pst")
        );
        std::fs::write(&written, b"third").unwrap();
        let free = dir.join("other.pst");
        assert_eq!(take_name(&written, &free).unwrap(), free);
    }

    #[test]
    fn numbered_names_are_read_back_as_written() {
        let first = Path::new("/d/ana - backup.pst");
        for n in [1, 2, 10] {
            assert_eq!(number_of(&numbered(first, n)), (first.to_path_buf(), n));
        }
        // What only looks numbered is a first name.
        for name in [
            "x (1).pst",
            "x (02).pst",
            "x (two).pst",
            "x(2).pst",
            "(2).pst",
        ] {
            let path = Path::new("/d").join(name);
            assert_eq!(number_of(&path), (path.clone(), 1), "{name}");
        }
        assert_eq!(
            number_of(Path::new("/d/no extension (3)")),
            (PathBuf::from("/d/no extension"), 3)
        );
    }

    #[test]
    fn export_names_are_free_names_in_the_folder() {
        let scratch = scratch("names");
        let dir = scratch.path();
        let store = Path::new("/hidden/AppData/ana@contoso.com.ost");
        let first = export_path_in(dir, store, "backup");
        assert_eq!(first, dir.join("ana@contoso.com - backup.pst"));
        std::fs::write(&first, b"").unwrap();
        assert_eq!(
            export_path_in(dir, store, "backup"),
            dir.join("ana@contoso.com - backup (2).pst")
        );
    }
}
