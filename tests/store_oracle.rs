//! Differential tests: our reader against independent ones on every real fixture. The folder
//! tree, each folder's item count, and every item's subject and sender must equal what
//! libpff (pffexport, pypff) reads, and what libpst (readpst) reads, up to the caveats each
//! oracle documents in tests/oracle/mod.rs.

mod common;
mod oracle;

use std::collections::BTreeMap;
use std::path::Path;

use oracle::{
    OracleFolder, fixture, pffexport, pffexport_kind, pffexport_paths, prefixed, pypff, readpst,
};
use ostdoctor::store::Store;

const FIXTURES: [&str; 3] = ["ansi-32bit.pst", "enron.pst", "outlook-com-2013.ost"];

struct OurItem {
    subject: Option<String>,
    sender_name: Option<String>,
    class: String,
}

struct OurFolder {
    path: Vec<String>,
    items: Vec<OurItem>,
}

/// Our reading, folders in tree order (siblings in store order, as pffexport_paths needs).
fn ours(path: &Path) -> Vec<OurFolder> {
    let store = Store::open(path).unwrap();
    store
        .folders()
        .unwrap()
        .into_iter()
        .map(|f| {
            // Search folders hold links to items stored elsewhere, not items.
            let nids = if f.is_search_folder {
                Vec::new()
            } else {
                store.message_nids(f.nid).unwrap()
            };
            let items = nids
                .into_iter()
                .map(|nid| {
                    let s = store.message(nid).unwrap().summary().unwrap();
                    OurItem {
                        subject: s.subject,
                        sender_name: s.sender_name,
                        class: s.message_class.unwrap_or_default(),
                    }
                })
                .collect();
            OurFolder {
                path: f.path,
                items,
            }
        })
        .collect()
}

fn oracle_or_panic(name: &str, r: Result<Vec<OracleFolder>, String>) -> Vec<OracleFolder> {
    r.unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn folder_tree_counts_subjects_and_senders_equal_pffexport() {
    for name in FIXTURES {
        let Some(path) = fixture(name) else { continue };
        let ours = ours(&path);
        let theirs = oracle_or_panic("pffexport", pffexport(&path));
        let dirs = pffexport_paths(&ours.iter().map(|f| f.path.clone()).collect::<Vec<_>>());
        let mut ours_by_dir: BTreeMap<&Vec<String>, &OurFolder> = BTreeMap::new();
        for (dir, f) in dirs.iter().zip(&ours) {
            assert!(
                ours_by_dir.insert(dir, f).is_none(),
                "{name}: two folders map to {dir:?}"
            );
        }
        let their_dirs: Vec<&Vec<String>> = theirs.iter().map(|f| &f.path).collect();
        assert_eq!(
            ours_by_dir.keys().copied().collect::<Vec<_>>(),
            their_dirs,
            "{name}: folder trees differ"
        );
        for t in &theirs {
            let o = ours_by_dir[&t.path];
            assert_eq!(
                o.items.len(),
                t.items.len(),
                "{name} {:?}: item counts differ",
                o.path
            );
            for (i, (a, b)) in o.items.iter().zip(&t.items).enumerate() {
                assert_eq!(
                    a.subject, b.subject,
                    "{name} {:?} item {i}: subject",
                    o.path
                );
                assert_eq!(
                    a.sender_name, b.sender_name,
                    "{name} {:?} item {i}: sender",
                    o.path
                );
                assert_eq!(
                    pffexport_kind(&a.class),
                    b.kind,
                    "{name} {:?} item {i}: kind",
                    o.path
                );
            }
        }
        let total: usize = ours.iter().map(|f| f.items.len()).sum();
        eprintln!(
            "{name}: {} folders, {total} items agree with pffexport",
            ours.len()
        );
    }
}

#[test]
fn folder_tree_and_items_equal_pypff_with_exact_names() {
    for name in FIXTURES {
        let Some(path) = fixture(name) else { continue };
        let ours = ours(&path);
        let mut theirs = oracle_or_panic("pypff", pypff(&path));
        let mut ours_sorted: Vec<&OurFolder> = ours.iter().collect();
        ours_sorted.sort_by(|a, b| a.path.cmp(&b.path));
        theirs.sort_by(|a, b| a.path.cmp(&b.path));
        let op: Vec<&Vec<String>> = ours_sorted.iter().map(|f| &f.path).collect();
        let tp: Vec<&Vec<String>> = theirs.iter().map(|f| &f.path).collect();
        assert_eq!(op, tp, "{name}: folder trees differ");
        for (o, t) in ours_sorted.iter().zip(&theirs) {
            let ours_items: Vec<(&Option<String>, &Option<String>, &str)> = o
                .items
                .iter()
                .map(|i| (&i.subject, &i.sender_name, i.class.as_str()))
                .collect();
            let their_items: Vec<(&Option<String>, &Option<String>, &str)> = t
                .items
                .iter()
                .map(|i| (&i.subject, &i.sender_name, i.kind.as_str()))
                .collect();
            assert_eq!(ours_items, their_items, "{name} {:?}", o.path);
        }
    }
}

#[test]
fn mail_folders_and_subjects_equal_readpst() {
    for (name, root) in [
        ("ansi-32bit.pst", &["Top of Personal Folders"][..]),
        ("enron.pst", &["Top of Personal Folders"][..]),
        (
            "outlook-com-2013.ost",
            &["Root - Mailbox", "IPM_SUBTREE"][..],
        ),
    ] {
        let Some(path) = fixture(name) else { continue };
        let ours = ours(&path);
        let theirs = prefixed(&oracle_or_panic("readpst", readpst(&path)), root);
        assert!(!theirs.is_empty(), "{name}: readpst listed nothing");
        let mut compared = 0;
        for t in &theirs {
            let o = ours
                .iter()
                .find(|f| f.path == t.path)
                .unwrap_or_else(|| panic!("{name}: readpst has {:?}, we do not", t.path));
            // readpst takes Subject from the original internet headers when a mail kept them;
            // order within a folder is its own, so compare as multisets.
            let mut a: Vec<Option<String>> = o.items.iter().map(|i| i.subject.clone()).collect();
            let mut b: Vec<Option<String>> = t.items.iter().map(|i| i.subject.clone()).collect();
            a.sort();
            b.sort();
            assert_eq!(a, b, "{name} {:?}", t.path);
            compared += t.items.len();
        }
        // Every folder of ours inside the mail tree is one readpst knows.
        let in_tree = ours
            .iter()
            .filter(|f| f.path.len() >= root.len() && f.path[..root.len()] == *root)
            .count();
        assert_eq!(in_tree, theirs.len(), "{name}: folders in the mail tree");
        eprintln!(
            "{name}: {} folders, {compared} items agree with readpst",
            theirs.len()
        );
    }
}
