//! `ostdoctor export` and `ostdoctor gen` end to end: what the new store holds, as our reader
//! and the independent readers see it, and that the source is never touched.

mod common;
mod oracle;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{TempDir, fixture};
use oracle::agree::{self, Tool};
use ostdoctor::store::Store;

/// Runs the CLI and insists it succeeded.
fn ostdoctor_ok(args: &[&str]) -> std::process::Output {
    let out = common::ostdoctor(args);
    assert!(
        out.status.success(),
        "ostdoctor {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Per folder below the mailbox's top (relative path), the sorted (subject, sender, body, attachment bytes).
type Content =
    BTreeMap<Vec<String>, Vec<(Option<String>, Option<String>, Option<String>, Vec<Vec<u8>>)>>;

fn content(path: &Path) -> Content {
    let store = Store::open(path).unwrap();
    let folders = store.folders().unwrap();
    let root = store.ipm_subtree(&folders).unwrap().expect("a mailbox top");
    let depth = folders.iter().find(|f| f.nid == root).unwrap().path.len();
    let mut out = Content::new();
    for f in folders.iter().filter(|f| {
        !f.is_search_folder
            && f.path.len() > depth
            && f.path[..depth] == folders.iter().find(|x| x.nid == root).unwrap().path[..]
    }) {
        let mut items = Vec::new();
        for nid in store.message_nids(f.nid).unwrap() {
            let m = store.message(nid).unwrap();
            let s = m.summary().unwrap();
            let atts = m
                .attachments()
                .unwrap()
                .iter()
                .filter(|a| a.data_size.is_some())
                .map(|a| m.attachment_data(a.nid).unwrap())
                .collect();
            items.push((s.subject, s.sender_name, m.best_text().unwrap(), atts));
        }
        items.sort();
        out.insert(f.path[depth..].to_vec(), items);
    }
    out
}

/// Our reader's items of each folder below the mailbox's top, by path relative to the top.
fn items_below_top(path: &Path) -> BTreeMap<Vec<String>, Vec<agree::OurItem>> {
    let store = Store::open(path).unwrap();
    let folders = store.folders().unwrap();
    let root = store.ipm_subtree(&folders).unwrap().expect("a mailbox top");
    let top = &folders.iter().find(|f| f.nid == root).unwrap().path;
    agree::our_items(path)
        .into_iter()
        .filter(|(p, _)| p.len() > top.len() && p[..top.len()] == top[..])
        .map(|(p, items)| (p[top.len()..].to_vec(), items))
        .collect()
}

fn sha(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn exports_of_every_real_fixture_hold_the_same_items_and_leave_the_source_untouched() {
    for name in ["ansi-32bit.pst", "enron.pst", "outlook-com-2013.ost"] {
        let Some(src) = fixture(name) else { continue };
        let before = sha(&src);
        let dir = TempDir::new("export");
        let dest = dir.path().join("export.pst");
        let out = ostdoctor_ok(&[
            "export",
            src.to_str().unwrap(),
            dest.to_str().unwrap(),
            "--json",
        ]);
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(sha(&src), before, "{name}: the source changed");

        let source = content(&src);
        let copy = content(&dest);
        // Deleted Items always exists in the copy; everything else matches folder by folder.
        let mut expected = source.clone();
        expected
            .entry(vec!["Deleted Items".to_string()])
            .or_default();
        assert_eq!(
            copy.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{name}: folders"
        );
        for (path, items) in &expected {
            assert_eq!(&copy[path], items, "{name} {path:?}");
        }
        let items: usize = source.values().map(|v| v.len()).sum();
        assert_eq!(summary["items"], items, "{name}");
        assert_eq!(summary["skipped"].as_array().unwrap().len(), 0, "{name}");

        // libpff and libpst see the same folders, subjects, bodies and attached files in the
        // copy as our reader sees in the source.
        let source_items = items_below_top(&src);
        let top = ["Top of Personal Folders".to_string()];
        let source_files: usize = source_items.values().flatten().map(|i| i.files.len()).sum();
        let source_mail = source_items
            .values()
            .flatten()
            .filter(|i| i.message_class.as_deref() == Some("IPM.Note"))
            .count();
        for (oracle_name, folders) in [
            ("pffexport", oracle::pffexport(&dest)),
            (
                "readpst",
                oracle::readpst(&dest).map(|f| oracle::prefixed(&f, &["Top of Personal Folders"])),
            ),
        ] {
            let folders = folders.unwrap_or_else(|e| panic!("{oracle_name}: {e}"));
            let mut compared = agree::Compared::default();
            for (path, items) in &expected {
                let full: Vec<String> = top
                    .iter()
                    .chain(path)
                    .map(|s| {
                        if oracle_name == "pffexport" {
                            s.replace(['/', '\\', ':', '*', '?', '<', '>', '|', '~'], "_")
                        } else {
                            s.clone()
                        }
                    })
                    .collect();
                let Some(f) = folders.iter().find(|f| f.path == full) else {
                    // readpst leaves out empty folders.
                    assert!(
                        oracle_name == "readpst" && items.is_empty(),
                        "{oracle_name}: {name} {full:?} missing"
                    );
                    continue;
                };
                let mut got: Vec<Option<String>> =
                    f.items.iter().map(|i| i.subject.clone()).collect();
                let mut want: Vec<Option<String>> = items.iter().map(|i| i.0.clone()).collect();
                got.sort();
                want.sort();
                assert_eq!(got, want, "{oracle_name}: {name} {path:?}");
                let tool = if oracle_name == "pffexport" {
                    Tool::Pffexport
                } else {
                    Tool::Readpst
                };
                let ours = source_items.get(path).map_or(&[][..], |v| v.as_slice());
                compared +=
                    agree::assert_items_agree(tool, &format!("{name} {path:?}"), ours, &f.items);
            }
            eprintln!(
                "{oracle_name} on the export of {name}: {compared:?} of {items} items, {source_files} files"
            );
            // Both tools show the bodies of mail (the ANSI fixture holds one appointment).
            if source_mail > 0 {
                assert!(
                    compared.bodies > 0,
                    "{oracle_name} {name}: no body compared"
                );
            }
            if source_files > 0 {
                assert!(
                    compared.files > 0,
                    "{oracle_name} {name}: no attached file compared"
                );
            }
        }
    }
}

#[test]
fn export_of_one_folder_copies_only_that_subtree() {
    let Some(src) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let dir = TempDir::new("export-one");
    let dest = dir.path().join("calendar.pst");
    ostdoctor_ok(&[
        "export",
        src.to_str().unwrap(),
        dest.to_str().unwrap(),
        "--folder",
        "Calendar",
    ]);
    let copy = content(&dest);
    let with_items: Vec<(&Vec<String>, usize)> = copy
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.len()))
        .collect();
    assert_eq!(
        with_items,
        vec![
            (&vec!["Calendar".to_string()], 9),
            (
                &vec!["Calendar".to_string(), "United States holidays".to_string()],
                160
            )
        ]
    );
}

#[test]
fn gen_is_deterministic_and_its_sync_log_reads_back() {
    let dir = TempDir::new("gen");
    let a = dir.path().join("a.ost");
    let b = dir.path().join("b.ost");
    let c = dir.path().join("c.ost");
    let line = "\t\t [8004010F-501-0-B20] The client operation failed.";
    for (p, seed) in [(&a, "5"), (&b, "5"), (&c, "6")] {
        ostdoctor_ok(&[
            "gen",
            p.to_str().unwrap(),
            "--format",
            "ost",
            "--folders",
            "15",
            "--messages",
            "400",
            "--seed",
            seed,
            "--sync-log",
            "Synchronizer Version 16.0.4266",
            "--sync-log",
            line,
        ]);
    }
    assert_eq!(sha(&a), sha(&b), "same seed, same bytes");
    assert_ne!(sha(&a), sha(&c));

    let store = Store::open(&a).unwrap();
    let folders = store.folders().unwrap();
    let total: usize = folders.iter().filter_map(|f| f.contents_rows).sum();
    assert_eq!(total, 401, "400 messages and one log");
    let sync = folders
        .iter()
        .find(|f| f.display_name == "Sync Issues")
        .unwrap();
    let log = store
        .message(store.message_nids(sync.nid).unwrap()[0])
        .unwrap();
    assert!(
        log.body_text().unwrap().is_none(),
        "stored only as compressed RTF, like Outlook's"
    );
    let text = log.best_text().unwrap().unwrap();
    assert!(text.contains("Synchronizer Version 16.0.4266"), "{text}");
    assert!(
        text.contains("[8004010F-501-0-B20] The client operation failed."),
        "{text}"
    );

    let theirs = oracle::pffexport(&a).unwrap();
    let their_total: usize = theirs.iter().map(|f| f.items.len()).sum();
    assert_eq!(their_total, 401);
    assert_eq!(theirs.len(), folders.len());
}
