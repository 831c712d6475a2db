//! `ostdoctor export` and `ostdoctor gen` end to end: what the new store holds, as our reader
//! and the independent readers see it, and that the source is never touched.

mod common;
mod corrupt;
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

/// `ostdoctor export SOURCE DEST --json`: its exit status and the summary it printed.
fn export_json(source: &Path, dest: &Path) -> (Option<i32>, serde_json::Value) {
    let out = common::ostdoctor(&[
        "export",
        source.to_str().unwrap(),
        dest.to_str().unwrap(),
        "--json",
    ]);
    let summary = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "export {} printed no summary: {}",
            source.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), summary)
}

/// The items every normal folder's contents table lists, as our reader reads them.
fn item_count(path: &Path) -> usize {
    let store = Store::open(path).unwrap();
    store
        .folders()
        .unwrap()
        .iter()
        .filter(|f| !f.is_search_folder)
        .map(|f| store.message_nids(f.nid).unwrap().len())
        .sum()
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
                .filter(|a| a.is_file)
                .map(|a| m.attachment_data(a.nid).unwrap())
                .collect();
            items.push((s.subject, s.sender_name, m.best_text().unwrap(), atts));
        }
        items.sort();
        out.insert(f.path[depth..].to_vec(), items);
    }
    out
}

/// Our reader's items of each folder below the mailbox's top, by path relative to the top,
/// in the order an export writes them.
fn items_below_top(path: &Path) -> BTreeMap<Vec<String>, Vec<agree::OurItem>> {
    let store = Store::open(path).unwrap();
    let folders = store.folders().unwrap();
    let root = store.ipm_subtree(&folders).unwrap().expect("a mailbox top");
    let top = &folders.iter().find(|f| f.nid == root).unwrap().path;
    agree::our_items_as_copied(path)
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

/// The categories (the named property Keywords) of the Inbox item with `subject`.
fn categories(store: &Path, subject: &str) -> Vec<String> {
    use ostdoctor::store::ltp::PropValue;
    use ostdoctor::store::messaging::names::{self, Name, PS_PUBLIC_STRINGS};
    let store = Store::open(store).unwrap();
    let Some(keywords) = names::read(store.ndb())
        .unwrap()
        .into_iter()
        .find(|(_, n)| n.guid == PS_PUBLIC_STRINGS && n.name == Name::String("Keywords".into()))
        .map(|(id, _)| id)
    else {
        return Vec::new();
    };
    let item = store
        .message(common::item_in(&store, "Inbox", subject))
        .unwrap();
    match item.properties().get(keywords).unwrap() {
        Some(PropValue::Multi(v)) => v
            .iter()
            .filter_map(|v| v.as_text().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// A PST holding `m` alone in its Inbox, and the offsets of the blocks of the item's
/// subnodes (the values too large for its heap), in subnode order.
fn store_with_one_item(
    dir: &Path,
    m: &ostdoctor::store::write::NewMessage,
) -> (std::path::PathBuf, Vec<u64>) {
    use ostdoctor::store::ltp::Node;
    use ostdoctor::store::ndb::{CryptMethod, Ndb};
    use ostdoctor::store::write::{StoreWriter, Target, messaging};

    let src = dir.join("one.pst");
    let mut w = StoreWriter::create(&src, Target::Pst, CryptMethod::None, "One", 5).unwrap();
    let inbox = w
        .add_folder(messaging::IPM_SUBTREE, "Inbox", Some("IPF.Note"))
        .unwrap();
    w.add_message(inbox, m).unwrap();
    w.finish().unwrap();
    let store = Store::open(&src).unwrap();
    let item = common::item_in(&store, "Inbox", &m.subject);
    let ndb = Ndb::open(&src).unwrap();
    let node = Node::open(&ndb, item).unwrap();
    let blocks = node
        .subnode_entries()
        .unwrap()
        .iter()
        .map(|e| ndb.find_block(e.bid_data).unwrap().unwrap().ib)
        .collect();
    (src, blocks)
}

#[test]
fn a_damaged_body_is_named_as_the_body_and_the_rest_of_the_item_is_copied() {
    use ostdoctor::store::write::NewMessage;

    let dir = TempDir::new("export-damaged-body");
    let m = NewMessage {
        message_class: "IPM.Note".into(),
        subject: "Long letter".into(),
        // Too long for the item's heap: the body has a block of its own.
        body_text: Some("A long body. ".repeat(800)),
        body_html: Some(b"<p>The HTML body</p>".to_vec()),
        ..NewMessage::default()
    };
    let (src, blocks) = store_with_one_item(dir.path(), &m);
    let ib = blocks[0];
    let mut bytes = std::fs::read(&src).unwrap();
    bytes[ib as usize + 9] ^= 0x40;
    std::fs::write(&src, &bytes).unwrap();

    let dest = dir.path().join("copy.pst");
    let (status, summary) = export_json(&src, &dest);
    assert_eq!(status, Some(5), "{summary}");
    assert_eq!(summary["items"], 1);
    let lost = summary["parts_lost"].as_array().unwrap();
    assert_eq!(lost.len(), 1, "{summary}");
    assert_eq!(lost[0]["part"], "the plain-text body");
    assert_eq!(lost[0]["subject"], "Long letter");
    let copy = Store::open(&dest).unwrap();
    let m = copy
        .message(common::item_in(&copy, "Inbox", "Long letter"))
        .unwrap();
    assert_eq!(m.body_text().unwrap(), None);
    assert_eq!(
        m.body_html().unwrap().as_deref(),
        Some("<p>The HTML body</p>")
    );
}

/// A damaged property the copy carries as stored (here the sender's name, long enough to
/// lie in a block of its own) costs that property, not the item: the copy decodes only
/// the class, subject and flags.
#[test]
fn a_damaged_sender_name_costs_only_the_sender_name() {
    use ostdoctor::store::write::NewMessage;

    let dir = TempDir::new("export-damaged-sender");
    let m = NewMessage {
        message_class: "IPM.Note".into(),
        subject: "From a long name".into(),
        sender_name: Some("A very long name. ".repeat(200)),
        body_html: Some(b"<p>The HTML body</p>".to_vec()),
        ..NewMessage::default()
    };
    // The name is written twice, as the sender's and as the one sent for: both lie
    // outside the heap, and both are damaged.
    let (src, blocks) = store_with_one_item(dir.path(), &m);
    assert_eq!(blocks.len(), 2, "only the two names lie outside the heap");
    let mut bytes = std::fs::read(&src).unwrap();
    for ib in blocks {
        bytes[ib as usize + 9] ^= 0x40;
    }
    std::fs::write(&src, &bytes).unwrap();

    let dest = dir.path().join("copy.pst");
    let (status, summary) = export_json(&src, &dest);
    assert_eq!(status, Some(5), "{summary}");
    assert_eq!(summary["items"], 1, "{summary}");
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 0, "{summary}");
    let lost = summary["parts_lost"].as_array().unwrap();
    let parts: Vec<&str> = lost.iter().map(|l| l["part"].as_str().unwrap()).collect();
    assert_eq!(parts, ["property 0x0042", "property 0x0C1A"], "{summary}");
    assert!(lost.iter().all(|l| l["subject"] == "From a long name"));
    let copy = Store::open(&dest).unwrap();
    let m = copy
        .message(common::item_in(&copy, "Inbox", "From a long name"))
        .unwrap();
    assert_eq!(m.summary().unwrap().sender_name, None);
    assert_eq!(
        m.body_html().unwrap().as_deref(),
        Some("<p>The HTML body</p>")
    );
}

#[test]
fn an_attachment_that_cannot_be_opened_costs_only_itself() {
    // The first attachment's own properties are damaged: not even its name can be read.
    // The item is copied with its other attachment, and the lost one is named by position.
    let dir = TempDir::new("export-attachment-node");
    let src = common::store_with_damage_in_attachment(
        dir.path(),
        ostdoctor::store::write::Target::Pst,
        common::AttachmentPart::Properties,
    );
    let (status, summary) = export_json(&src, &dir.path().join("copy.pst"));
    assert_eq!(status, Some(5), "{summary}");
    assert_eq!(summary["items"], 3);
    assert_eq!(summary["items_in_part"], 1);
    let lost = summary["parts_lost"].as_array().unwrap();
    assert_eq!(lost.len(), 1, "{summary}");
    assert_eq!(lost[0]["part"], "attachment 1");
    assert_eq!(lost[0]["subject"], "Report with files");
    assert!(
        lost[0]["reason"].as_str().unwrap().contains("checksum"),
        "{}",
        lost[0]
    );
    let copy = Store::open(&dir.path().join("copy.pst")).unwrap();
    let m = copy
        .message(common::item_in(&copy, "Inbox", "Report with files"))
        .unwrap();
    let names: Vec<Option<String>> = m
        .attachments()
        .unwrap()
        .into_iter()
        .map(|a| a.file_name)
        .collect();
    assert_eq!(names, [Some("intact.txt".to_string())]);
}

#[test]
fn an_export_copies_an_item_without_its_damaged_attachment_lists_it_and_exits_5() {
    let dir = TempDir::new("export-losses");
    let src =
        common::store_with_a_damaged_attachment(dir.path(), ostdoctor::store::write::Target::Pst);
    let dest = dir.path().join("copy.pst");
    let out = common::ostdoctor(&["export", src.to_str().unwrap(), dest.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(5), "{text}");
    assert!(text.contains("Planned:      3 items"), "{text}");
    assert!(text.contains("Items:        3"), "{text}");
    assert!(text.contains("In part:      1 "), "{text}");
    assert!(text.contains("Parts lost:   1"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("attachment \"broken.bin\""))
        .unwrap_or_else(|| panic!("no line for the lost attachment: {text}"));
    assert!(line.contains("Inbox / Report with files"), "{line}");
    assert!(line.contains("checksum"), "{line}");

    // The item is in the copy with its body and the attachment that could be read.
    let copy = Store::open(&dest).unwrap();
    let m = copy
        .message(common::item_in(&copy, "Inbox", "Report with files"))
        .unwrap();
    assert_eq!(
        m.body_text().unwrap().as_deref(),
        Some("Body of Report with files")
    );
    let names: Vec<Option<String>> = m
        .attachments()
        .unwrap()
        .into_iter()
        .map(|a| a.file_name)
        .collect();
    assert_eq!(names, [Some("intact.txt".to_string())]);
    // Marked in the copy, so the person finds it in Outlook; the intact items are not.
    assert_eq!(
        categories(&dest, "Report with files"),
        ["OST Doctor: copied in part"]
    );
    assert!(categories(&dest, "First").is_empty());

    // The mark speaks the system's language.
    let dutch = dir.path().join("dutch.pst");
    let out = Command::new(env!("CARGO_BIN_EXE_ostdoctor"))
        .args(["export", src.to_str().unwrap(), dutch.to_str().unwrap()])
        .env("LANGUAGE", "nl_NL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert_eq!(
        categories(&dutch, "Report with files"),
        ["OST Doctor: deels gekopieerd"]
    );

    // The JSON form says the same, for scripts.
    let (status, summary) = export_json(&src, &dir.path().join("copy2.pst"));
    assert_eq!(status, Some(5));
    assert_eq!(summary["items"], 3);
    assert_eq!(summary["planned"], 3);
    assert_eq!(summary["items_in_part"], 1);
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 0);
    let lost = &summary["parts_lost"][0];
    assert_eq!(lost["part"], "attachment \"broken.bin\"");
    assert_eq!(lost["subject"], "Report with files");
    assert!(
        lost["folder"].as_str().unwrap().ends_with("Inbox"),
        "{lost}"
    );
}

/// A contents table whose row width says 0xFFFF lists no rows at all; the items are still
/// in the file, filed under their folder in the node index.
#[test]
fn items_a_damaged_contents_table_no_longer_lists_are_copied_into_recovered_items() {
    use ostdoctor::store::write::Target;
    use ostdoctor::synthetic::{GenOptions, generate};

    let dir = TempDir::new("export-recovered");
    let src = dir.path().join("src.pst");
    generate(
        &src,
        &GenOptions {
            target: Target::Pst,
            folders: 2,
            messages: 12,
            seed: 9,
            sync_log_lines: Vec::new(),
            attachment_kb: None,
        },
    )
    .unwrap();
    let store = Store::open(&src).unwrap();
    let inbox = store
        .folders()
        .unwrap()
        .into_iter()
        .find(|f| f.display_name == "Inbox")
        .unwrap();
    let subjects: Vec<String> = store
        .message_summaries(inbox.nid)
        .unwrap()
        .into_iter()
        .map(|m| m.subject.unwrap())
        .collect();
    assert!(subjects.len() >= 3, "{subjects:?}");
    let mut img = corrupt::Image::new(&store, std::fs::read(&src).unwrap());
    let v = img.variant();
    let table = img
        .single_data_block(
            inbox
                .nid
                .with_type(ostdoctor::store::ndb::btree::nid_type::CONTENTS_TABLE),
        )
        .unwrap();
    img.edit_block(table, |d| {
        let info = corrupt::heap_alloc(v, d, corrupt::heap_root(d));
        d[info.start + 8..info.start + 10].copy_from_slice(&0xFFFFu16.to_le_bytes());
    })
    .unwrap();
    let damaged = dir.path().join("damaged.pst");
    std::fs::write(&damaged, &img.bytes).unwrap();
    drop(store);
    assert_eq!(
        Store::open(&damaged)
            .unwrap()
            .message_nids(inbox.nid)
            .unwrap()
            .len(),
        0,
        "the damaged table lists nothing"
    );

    let dest = dir.path().join("copy.pst");
    let (status, summary) = export_json(&damaged, &dest);
    assert_eq!(status, Some(0), "{summary}");
    assert_eq!(summary["recovered"], subjects.len());
    assert_eq!(summary["unreached"], 0);

    let copy = Store::open(&dest).unwrap();
    let folders = copy.folders().unwrap();
    let into = folders
        .iter()
        .find(|f| {
            f.path
                .ends_with(&["Recovered items".to_string(), "Inbox".to_string()])
        })
        .unwrap_or_else(|| {
            panic!(
                "no Recovered items/Inbox: {:?}",
                folders.iter().map(|f| &f.path).collect::<Vec<_>>()
            )
        });
    let mut got: Vec<String> = copy
        .message_summaries(into.nid)
        .unwrap()
        .into_iter()
        .map(|m| m.subject.unwrap())
        .collect();
    let mut want = subjects;
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

/// A copy cut short by a few hundred bytes (a full disk, an interrupted download) has lost
/// only free space: it opens, says it is truncated, and gives up every item.
#[test]
fn a_store_cut_short_opens_says_so_and_gives_up_every_item() {
    let Some(src) = fixture("enron.pst") else {
        return;
    };
    let dir = TempDir::new("export-truncated");
    let cut = dir.path().join("cut.pst");
    let mut bytes = std::fs::read(&src).unwrap();
    bytes.truncate(bytes.len() - 386);
    std::fs::write(&cut, &bytes).unwrap();

    let info = common::ostdoctor(&["info", cut.to_str().unwrap(), "--json"]);
    assert_eq!(
        info.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&info.stderr)
    );
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    let damage = info["damage"][0].as_str().unwrap();
    assert!(damage.starts_with("the file is truncated"), "{damage}");

    let (status, summary) = export_json(&cut, &dir.path().join("copy.pst"));
    assert_eq!(status, Some(0), "{summary}");
    assert_eq!(summary["items"], item_count(&src));
    assert!(
        summary["source_damage"][0]
            .as_str()
            .unwrap()
            .contains("truncated"),
        "{summary}"
    );
}

/// Damage that used to stop the whole export: the root folder's properties (one block)
/// and the header's checksum. Neither holds an item, so every item still comes out.
#[test]
fn damage_outside_the_items_costs_no_item() {
    let Some(src) = fixture("enron.pst") else {
        return;
    };
    let items = item_count(&src);
    let whole = Store::open(&src).unwrap();
    let root = whole
        .ndb()
        .node(ostdoctor::store::ndb::Nid::ROOT_FOLDER)
        .unwrap();
    let root_block = whole.ndb().find_block(root.bid_data).unwrap().unwrap().ib as usize;
    let dir = TempDir::new("export-salvage");
    for (case, at) in [
        ("root folder block", root_block + 3),
        ("header checksum", 100),
    ] {
        let mut bytes = std::fs::read(&src).unwrap();
        bytes[at] ^= 0x10;
        let damaged = dir.path().join(format!("{}.pst", case.replace(' ', "-")));
        std::fs::write(&damaged, &bytes).unwrap();
        assert!(
            Store::open(&damaged).and_then(|s| s.folders()).is_err(),
            "{case}"
        );
        let dest = dir
            .path()
            .join(format!("{}-copy.pst", case.replace(' ', "-")));
        let (_, summary) = export_json(&damaged, &dest);
        assert_eq!(summary["items"], items, "{case}: {summary}");
        assert!(
            !summary["source_damage"].as_array().unwrap().is_empty(),
            "{case}"
        );
    }
}

/// A store whose Deleted Items has another name (Outlook in Portuguese writes "Itens
/// eliminados") keeps that name in the copy, still as the copy's Deleted Items.
#[test]
fn a_translated_deleted_items_keeps_its_name() {
    use ostdoctor::store::messaging::tags;
    use ostdoctor::store::ndb::CryptMethod;
    use ostdoctor::store::write::{NewMessage, StoreWriter, Target, messaging};

    let dir = TempDir::new("export-trash-name");
    let src = dir.path().join("pt.pst");
    let mut w = StoreWriter::create(&src, Target::Pst, CryptMethod::None, "Pessoal", 4).unwrap();
    w.rename_folder(messaging::DELETED_ITEMS, "Itens eliminados")
        .unwrap();
    let m = NewMessage {
        message_class: "IPM.Note".into(),
        subject: "Apagado".into(),
        ..NewMessage::default()
    };
    w.add_message(messaging::DELETED_ITEMS, &m).unwrap();
    w.finish().unwrap();

    let dest = dir.path().join("copy.pst");
    let (status, summary) = export_json(&src, &dest);
    assert_eq!(status, Some(0), "{summary}");
    let copy = Store::open(&dest).unwrap();
    let folders = copy.folders().unwrap();
    let trash = copy
        .special_folder(tags::IPM_WASTEBASKET_ENTRY_ID)
        .unwrap()
        .expect("the copy has a Deleted Items");
    let f = folders.iter().find(|f| f.nid == trash).unwrap();
    assert_eq!(f.display_name, "Itens eliminados");
    assert_eq!(f.content_count, Some(1));
    assert!(!folders.iter().any(|f| f.display_name == "Deleted Items"));
}

/// The checksum of the password (PidTagPstPassword) a store carries, 0 for none.
fn password_checksum(store: &Path) -> u32 {
    Store::open(store)
        .unwrap()
        .properties()
        .unwrap()
        .password_checksum
        .unwrap_or(0)
}

/// A password-protected store: `info` and `check` say so, and its copy asks for the same
/// password unless `--drop-password` is given.
#[test]
fn a_password_protected_store_is_named_so_and_its_copy_keeps_the_password() {
    let (Some(locked), Some(open)) = (fixture("passworded.pst"), fixture("enron.pst")) else {
        return;
    };
    let checksum = password_checksum(&locked);
    assert_ne!(checksum, 0);
    assert_eq!(password_checksum(&open), 0);

    let info = ostdoctor_ok(&["info", locked.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(text.contains("Password:    yes"), "{text}");
    let info = ostdoctor_ok(&["info", locked.to_str().unwrap(), "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(json["password_protected"], true);
    let info = ostdoctor_ok(&["info", open.to_str().unwrap(), "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(json["password_protected"], false);
    let check = common::ostdoctor(&["check", locked.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(text.contains("Password: yes"), "{text}");

    let dir = TempDir::new("export-password");
    let kept = dir.path().join("kept.pst");
    let (status, summary) = export_json(&locked, &kept);
    assert_eq!(status, Some(0), "{summary}");
    assert_eq!(summary["password"], "kept");
    assert_eq!(password_checksum(&kept), checksum);

    let dropped = dir.path().join("dropped.pst");
    let out = ostdoctor_ok(&[
        "export",
        locked.to_str().unwrap(),
        dropped.to_str().unwrap(),
        "--drop-password",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Password:     left off"), "{text}");
    assert_eq!(password_checksum(&dropped), 0);

    // A store without a password says nothing of one.
    let (_, summary) = export_json(&open, &dir.path().join("open.pst"));
    assert!(summary.get("password").is_none(), "{summary}");
}

/// An attachment that is a link to a file (attach method "by reference") has no data of
/// its own: the copy keeps it with its path, not only the attachments that hold bytes.
#[test]
fn a_linked_attachment_is_copied_with_its_path() {
    use ostdoctor::store::ltp::prop::ptype;
    use ostdoctor::store::ndb::CryptMethod;
    use ostdoctor::store::write::value::{int32, text};
    use ostdoctor::store::write::{NewAttachment, NewMessage, StoreWriter, Target, messaging};

    let dir = TempDir::new("export-link");
    let src = dir.path().join("link.pst");
    let mut w = StoreWriter::create(&src, Target::Pst, CryptMethod::None, "Links", 5).unwrap();
    let inbox = w
        .add_folder(messaging::IPM_SUBTREE, "Inbox", Some("IPF.Note"))
        .unwrap();
    let (method_t, method) = int32(2);
    let (path_t, path) = text(r"\\server\share\plan.xlsx");
    let m = NewMessage {
        message_class: "IPM.Note".into(),
        subject: "See the plan".into(),
        attachments: vec![NewAttachment {
            file_name: "plan.xlsx".into(),
            extra: vec![(0x3705, method_t, method), (0x370D, path_t, path)],
            ..NewAttachment::default()
        }],
        ..NewMessage::default()
    };
    w.add_message(inbox, &m).unwrap();
    w.finish().unwrap();

    let dest = dir.path().join("copy.pst");
    let (status, summary) = export_json(&src, &dest);
    assert_eq!(status, Some(0), "{summary}");
    assert_eq!(summary["attachments"], 1, "{summary}");
    let copy = Store::open(&dest).unwrap();
    let item = copy
        .message(common::item_in(&copy, "Inbox", "See the plan"))
        .unwrap();
    let a = &item.attachments().unwrap()[0];
    assert!(!a.is_file);
    let props = item.attachment_properties(a.nid).unwrap();
    let value = |id: u16| {
        props
            .iter()
            .find(|v| v.id == id)
            .map(|v| (v.ptype, v.bytes.as_ref().unwrap().clone()))
    };
    assert_eq!(
        value(0x3705),
        Some((ptype::INT32, 2i32.to_le_bytes().to_vec()))
    );
    assert_eq!(
        value(0x370D),
        Some((ptype::UNICODE, text(r"\\server\share\plan.xlsx").1))
    );
}
