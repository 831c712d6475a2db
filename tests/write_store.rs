//! Whole stores written by the writer, read by our reader and by independent readers
//! (libpff's pffexport and pypff, libpst's readpst): folders, counts, subjects, senders,
//! bodies and attachment bytes must agree with what was written, in small stores and in one
//! large enough for multi-level B-trees and attachments in XBLOCK data trees.

mod common;
mod oracle;

use std::path::Path;

use common::TempDir;
use oracle::agree::Tool;
use ostdoctor::store::Store;
use ostdoctor::store::filetime::from_unix_seconds;
use ostdoctor::store::ndb::btree::bid_is_internal;
use ostdoctor::store::ndb::page::{BTreePage, PageType};
use ostdoctor::store::ndb::{CryptMethod, Ndb};
use ostdoctor::store::write::{
    NewAttachment, NewMessage, NewRecipient, StoreWriter, Target, messaging,
};
use ostdoctor::synthetic::{self, GenOptions};

fn message(i: usize) -> NewMessage {
    let t = from_unix_seconds(1_700_000_000 + i as i64 * 3600);
    NewMessage {
        message_class: "IPM.Note".into(),
        subject: format!("Quarterly report {i} – revisão"),
        sender_name: Some(format!("Sender {}", i % 7)),
        sender_email: Some(format!("sender{}@example.com", i % 7)),
        delivery_time: Some(t),
        submit_time: Some(t - 600_000_000),
        creation_time: Some(t),
        modification_time: Some(t),
        flags: if i.is_multiple_of(3) { 0 } else { 1 },
        internet_message_id: Some(format!("<msg{i}@example.com>")),
        // Text, text + HTML, text + RTF, HTML alone and RTF alone, in turn.
        body_text: (i % 5 < 3).then(|| {
            format!(
                "Hello,\r\nthis is message {i}.\r\n{}",
                "Lorem ipsum dolor sit amet. ".repeat(i % 400)
            )
        }),
        body_html: (i % 5 == 1 || i % 5 == 3).then(|| {
            format!(
                "<html><body>\r\n<p>Message {i} – revisão</p>\r\n{}</body></html>",
                "<p>Lorem ipsum dolor sit amet.</p>\r\n".repeat(i * 7 % 300)
            )
            .into_bytes()
        }),
        body_rtf_compressed: (i % 5 == 2 || i % 5 == 4).then(|| {
            let rtf = format!(
                "{{\\rtf1\\ansi\\ansicpg1252\\deff0{{\\fonttbl{{\\f0 Arial;}}}}\\f0 Message {i} \\'e9t\\'e9\\par\r\n{}}}",
                "Lorem ipsum dolor sit amet.\\par\r\n".repeat(i * 5 % 200)
            );
            compressed_rtf::compress_rtf(&rtf).unwrap()
        }),
        recipients: vec![
            NewRecipient {
                extra: Vec::new(),
                display_name: "Ana Souza".into(),
                email_address: "ana@example.com".into(),
                address_type: "SMTP".into(),
                kind: 1,
            },
            NewRecipient {
                extra: Vec::new(),
                display_name: "Jan de Vries".into(),
                email_address: "jan@example.nl".into(),
                address_type: "SMTP".into(),
                kind: 2,
            },
        ],
        attachments: if i.is_multiple_of(4) {
            let report = NewAttachment {
                extra: Vec::new(),
                embedded: None,
                file_name: format!("report-{i}.bin"),
                mime_type: Some("application/octet-stream".into()),
                data: (0..(i * 1013 % 30_000))
                    .map(|k| (k * 31 + i) as u8)
                    .collect(),
            };
            let mut files = vec![report.clone()];
            if i.is_multiple_of(8) {
                // A name twice, a name the tools spell differently, an empty file.
                files.push(NewAttachment {
                    extra: Vec::new(),
                    embedded: None,
                    data: report.data.iter().rev().copied().collect(),
                    ..report
                });
                files.push(NewAttachment {
                    extra: Vec::new(),
                    embedded: None,
                    file_name: format!("notes: {i} (résumé) & ~draft.txt"),
                    mime_type: Some("text/plain".into()),
                    data: format!("Notes for {i}\r\nsecond line\n").into_bytes(),
                });
                files.push(NewAttachment {
                    extra: Vec::new(),
                    embedded: None,
                    file_name: "empty.dat".into(),
                    mime_type: None,
                    data: Vec::new(),
                });
            }
            files
        } else {
            Vec::new()
        },
        ..NewMessage::default()
    }
}

/// A small mail tree: Inbox with a subfolder, Sent Items, and Deleted Items; returns the
/// expected (path, subjects) per folder.
fn write_sample(
    path: &Path,
    target: Target,
    crypt: CryptMethod,
) -> Vec<(Vec<String>, Vec<String>)> {
    let mut w = StoreWriter::create(path, target, crypt, "Exported items", 7).unwrap();
    let inbox = w
        .add_folder(messaging::IPM_SUBTREE, "Inbox", Some("IPF.Note"))
        .unwrap();
    let projects = w
        .add_folder(inbox, "Projects/2024", Some("IPF.Note"))
        .unwrap();
    let sent = w
        .add_folder(messaging::IPM_SUBTREE, "Sent Items", Some("IPF.Note"))
        .unwrap();
    let mut expected = vec![
        (
            vec!["Top of Personal Folders".to_string(), "Inbox".to_string()],
            Vec::new(),
        ),
        (
            vec![
                "Top of Personal Folders".into(),
                "Inbox".into(),
                "Projects/2024".into(),
            ],
            Vec::new(),
        ),
        (
            vec!["Top of Personal Folders".into(), "Sent Items".into()],
            Vec::new(),
        ),
        (
            vec!["Top of Personal Folders".into(), "Deleted Items".into()],
            Vec::new(),
        ),
    ];
    for i in 0..60 {
        let (folder, slot) = match i % 6 {
            0..=2 => (inbox, 0),
            3 => (projects, 1),
            4 => (sent, 2),
            _ => (messaging::DELETED_ITEMS, 3),
        };
        let m = message(i);
        expected[slot].1.push(m.subject.clone());
        w.add_message(folder, &m).unwrap();
    }
    w.finish().unwrap();
    expected
}

#[test]
fn our_reader_reads_back_everything_written() {
    for (target, crypt) in [
        (Target::Pst, CryptMethod::None),
        (Target::Pst, CryptMethod::Permute),
        (Target::Ost4k, CryptMethod::None),
    ] {
        let dir = TempDir::new("wstore");
        let path = dir.path().join("out.pst");
        let expected = write_sample(&path, target, crypt);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.properties().unwrap().display_name, "Exported items");
        let folders = store.folders().unwrap();
        for (p, subjects) in &expected {
            let f = folders
                .iter()
                .find(|f| &f.path == p)
                .unwrap_or_else(|| panic!("{p:?} missing"));
            assert_eq!(f.content_count, Some(subjects.len() as i64));
            assert_eq!(f.contents_rows, Some(subjects.len()));
            let mut got: Vec<String> = store
                .message_summaries(f.nid)
                .unwrap()
                .into_iter()
                .map(|m| m.subject.unwrap())
                .collect();
            let mut want = subjects.clone();
            got.sort();
            want.sort();
            assert_eq!(got, want, "{p:?}");
            for nid in store.message_nids(f.nid).unwrap() {
                let m = store.message(nid).unwrap();
                let s = m.summary().unwrap();
                let i: usize = s
                    .internet_message_id
                    .as_deref()
                    .unwrap()
                    .trim_start_matches("<msg")
                    .split('@')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                let original = message(i);
                assert_eq!(s.sender_name, original.sender_name);
                assert_eq!(s.delivery_time, original.delivery_time);
                assert_eq!(m.body_text().unwrap(), original.body_text);
                assert_eq!(m.recipients().unwrap().len(), 2);
                let atts = m.attachments().unwrap();
                assert_eq!(atts.len(), original.attachments.len());
                for (a, o) in atts.iter().zip(&original.attachments) {
                    assert_eq!(a.file_name.as_deref(), Some(o.file_name.as_str()));
                    assert_eq!(m.attachment_data(a.nid).unwrap(), o.data);
                }
            }
        }
    }
}

#[test]
fn libpff_and_libpst_read_what_we_wrote() {
    for (target, crypt) in [
        (Target::Pst, CryptMethod::None),
        (Target::Pst, CryptMethod::Permute),
        (Target::Ost4k, CryptMethod::None),
    ] {
        let dir = TempDir::new("wstore-oracle");
        let path = dir.path().join(if target == Target::Pst {
            "out.pst"
        } else {
            "out.ost"
        });
        let expected = write_sample(&path, target, crypt);
        let ours = oracle::agree::our_items(&path);
        let mut oracles = vec![
            (
                "pffexport",
                oracle::pffexport(&path).unwrap_or_else(|e| panic!("{e}")),
            ),
            (
                "pypff",
                oracle::pypff(&path).unwrap_or_else(|e| panic!("{e}")),
            ),
        ];
        if target == Target::Pst {
            let readpst = oracle::readpst(&path).unwrap_or_else(|e| panic!("{e}"));
            oracles.push((
                "readpst",
                oracle::prefixed(&readpst, &["Top of Personal Folders"]),
            ));
        }
        for (name, folders) in oracles {
            for (p, subjects) in &expected {
                let dir_path: Vec<String> = if name == "pffexport" {
                    p.iter().map(|s| s.replace('/', "_")).collect()
                } else {
                    p.clone()
                };
                let f = folders
                    .iter()
                    .find(|f| f.path == dir_path)
                    .unwrap_or_else(|| {
                        panic!(
                            "{name} ({target:?}, {crypt:?}): {p:?} missing; has {:?}",
                            folders.iter().map(|f| &f.path).collect::<Vec<_>>()
                        )
                    });
                let mut got: Vec<String> = f
                    .items
                    .iter()
                    .map(|i| i.subject.clone().unwrap_or_default())
                    .collect();
                let mut want = subjects.clone();
                got.sort();
                want.sort();
                assert_eq!(got, want, "{name} {target:?} {crypt:?} {p:?}");
                let tool = match name {
                    "pffexport" => Some(Tool::Pffexport),
                    "readpst" => Some(Tool::Readpst),
                    _ => None,
                };
                if let Some(tool) = tool {
                    let (_, our_items) = ours.iter().find(|(q, _)| q == p).unwrap();
                    let at = format!("{target:?} {crypt:?} {p:?}");
                    oracle::agree::assert_items_agree(tool, &at, our_items, &f.items);
                }
                if name != "readpst" {
                    for item in &f.items {
                        assert!(
                            item.sender_name
                                .as_deref()
                                .is_some_and(|s| s.starts_with("Sender ")),
                            "{name}: {item:?}"
                        );
                    }
                }
            }
        }
    }
}

/// Several hundred messages with attachments of up to 20 KB: the node and block B-trees
/// get more than one level and the larger attachments are XBLOCK data trees.
#[test]
fn libpff_and_libpst_read_a_large_generated_store() {
    let dir = TempDir::new("wstore-large");
    let path = dir.path().join("large.pst");
    let options = GenOptions {
        target: Target::Pst,
        folders: 15,
        messages: 700,
        seed: 2024,
        sync_log_lines: vec!["Synchronizer Version 16.0.4266".into()],
        attachment_kb: None,
    };
    let summary = synthetic::generate(&path, &options).unwrap();
    assert!(summary.attachments > 100, "{summary:?}");

    // The shape this test is about, so that it cannot quietly shrink.
    let ndb = Ndb::open(&path).unwrap();
    let (mut nodes, mut blocks, mut trees) = (0, 0, 0);
    ndb.walk_nodes(|_| {
        nodes += 1;
        Ok(())
    })
    .unwrap();
    let mut internal = Vec::new();
    ndb.walk_blocks(|b| {
        blocks += 1;
        if bid_is_internal(b.bid) {
            internal.push(b.bid);
        }
        Ok(())
    })
    .unwrap();
    for bid in internal {
        // [MS-PST] 2.2.2.8.3.2: an XBLOCK starts with btype 0x01, cLevel 0x01.
        trees += usize::from(ndb.block(bid).unwrap().starts_with(&[0x01, 0x01]));
    }
    let level = |root, ptype| {
        BTreePage::read(ndb.file(), ndb.variant(), root, ptype)
            .unwrap()
            .level
    };
    let nbt_levels = 1 + level(ndb.header().nbt_root, PageType::Nbt);
    let bbt_levels = 1 + level(ndb.header().bbt_root, PageType::Bbt);
    assert!(
        nbt_levels >= 2 && bbt_levels >= 2,
        "{nodes} nodes in {nbt_levels} levels, {blocks} blocks in {bbt_levels} levels"
    );
    assert!(trees > 50, "only {trees} XBLOCKs");
    eprintln!(
        "{nodes} nodes in {nbt_levels} levels, {blocks} blocks in {bbt_levels} levels, {trees} XBLOCKs"
    );

    let ours = oracle::agree::our_items(&path);
    let total: usize = ours.iter().map(|(_, items)| items.len()).sum();
    assert_eq!(total, 701, "700 messages and the synchronization log");
    let big = ours
        .iter()
        .flat_map(|(_, items)| items)
        .flat_map(|i| &i.files)
        .filter(|(_, data)| data.len() > 8176)
        .count();
    assert!(big > 50, "only {big} attachments need a data tree");

    let pff = oracle::pffexport(&path).unwrap_or_else(|e| panic!("pffexport: {e}"));
    let dirs = oracle::pffexport_paths(&ours.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>());
    assert_eq!(pff.len(), ours.len(), "pffexport: folders");
    for (dir, (p, items)) in dirs.iter().zip(&ours) {
        let f = pff
            .iter()
            .find(|f| &f.path == dir)
            .unwrap_or_else(|| panic!("pffexport: {p:?} missing"));
        oracle::agree::assert_items_agree(Tool::Pffexport, &format!("{p:?}"), items, &f.items);
    }

    let top = "Top of Personal Folders";
    let pst = oracle::readpst(&path).unwrap_or_else(|e| panic!("readpst: {e}"));
    let pst = oracle::prefixed(&pst, &[top]);
    let mut seen = 0;
    for (p, items) in ours
        .iter()
        .filter(|(p, _)| p.first().is_some_and(|t| t == top))
    {
        match pst.iter().find(|f| &f.path == p) {
            Some(f) => {
                oracle::agree::assert_items_agree(
                    Tool::Readpst,
                    &format!("{p:?}"),
                    items,
                    &f.items,
                );
                seen += f.items.len();
            }
            // readpst leaves out folders with nothing in them.
            None => assert!(items.is_empty(), "readpst: {p:?} missing"),
        }
    }
    assert_eq!(seen, total, "readpst: items");
}
