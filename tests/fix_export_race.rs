//! Two copies of one store planned into one folder at the same moment (two windows, two
//! scripts) are planned under the same free name; applied at once, on two threads, both
//! finish, each under a name of its own, each read back whole, and the journal names the
//! file each one took. A copy stopped before it finishes leaves nothing behind.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};

use common::TempDir;
use ostdoctor::fix::export::{ExportOutcome, export_path_in};
use ostdoctor::fix::{Journal, State, apply_export, plan_export_all};
use ostdoctor::store::Store;
use ostdoctor::synthetic::{GenOptions, generate};
use ostdoctor::work::{CancelToken, Work};

const MESSAGES: usize = 120;

fn store_in(dir: &Path) -> PathBuf {
    let store = dir.join("ana.ost");
    generate(
        &store,
        &GenOptions {
            target: ostdoctor::store::write::Target::Ost4k,
            folders: 3,
            messages: MESSAGES,
            seed: 21,
            sync_log_lines: Vec::new(),
            attachment_kb: None,
        },
    )
    .unwrap();
    store
}

/// The names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn two_copies_applied_at_once_into_one_folder_both_finish_under_names_of_their_own() {
    let scratch = TempDir::new("export-race");
    let store = store_in(scratch.path());
    let folder = scratch.path().join("copies");
    let journal = Journal::at(scratch.path().join("journal")).unwrap();
    // Both planned before either is applied: the same free name for both.
    let plans: Vec<_> = (0..2)
        .map(|_| plan_export_all(&store, &export_path_in(&folder, &store, "backup")).unwrap())
        .collect();
    let wanted = folder.join("ana - backup.pst");
    assert!(plans.iter().all(|p| p.dest == wanted));

    let start = Arc::new(Barrier::new(2));
    let threads: Vec<_> = plans
        .into_iter()
        .map(|plan| {
            let (start, journal) = (Arc::clone(&start), journal.clone());
            std::thread::spawn(move || -> Result<ExportOutcome, String> {
                let mut work = Work::new(CancelToken::new(), |_| {});
                start.wait();
                apply_export(&plan, &journal, &mut work).map_err(|e| e.to_string())
            })
        })
        .collect();
    let done: Vec<ExportOutcome> = threads
        .into_iter()
        .map(|t| t.join().unwrap().expect("both copies finish"))
        .collect();

    let mut taken: Vec<PathBuf> = done.iter().map(|d| d.dest.clone()).collect();
    taken.sort();
    let mut names = [wanted.clone(), folder.join("ana - backup (2).pst")];
    names.sort();
    assert_eq!(taken, names);
    for d in &done {
        assert_eq!(d.verification.items, MESSAGES, "{}", d.dest.display());
        assert!(d.verification.problems.is_empty(), "{:?}", d.verification);
        // Each file is a whole store of its own, read again here.
        let copy = Store::open(&d.dest).unwrap();
        let items: usize = copy
            .folders()
            .unwrap()
            .iter()
            .filter(|f| !f.is_search_folder)
            .map(|f| copy.message_nids(f.nid).unwrap().len())
            .sum();
        assert_eq!(items, MESSAGES, "{}", d.dest.display());
        // The journal names the file this copy took.
        let entry = journal.get(&d.journal_id).unwrap();
        assert_eq!(entry.state, State::Done);
        assert_eq!(entry.export.as_ref().unwrap().dest, d.dest);
    }
    // Nothing else: no hidden file a copy was written under, no temporary file.
    assert_eq!(
        names_in(&folder),
        ["ana - backup (2).pst", "ana - backup.pst"]
    );
}

#[test]
fn a_copy_stopped_before_it_finishes_leaves_nothing_in_the_folder() {
    let scratch = TempDir::new("export-stopped");
    let store = store_in(scratch.path());
    let folder = scratch.path().join("copies");
    let journal = Journal::at(scratch.path().join("journal")).unwrap();
    let plan = plan_export_all(&store, &export_path_in(&folder, &store, "backup")).unwrap();
    let cancel = CancelToken::new();
    let stop = cancel.clone();
    let mut work = Work::new(cancel, move |step| {
        if step.done >= 10 {
            stop.cancel();
        }
    });
    assert!(apply_export(&plan, &journal, &mut work).is_err());
    assert_eq!(names_in(&folder), Vec::<String>::new());
    let entries = journal.entries().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].state, State::RolledBack);
}
