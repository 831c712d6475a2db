//! Whole stores written by the writer, read by our reader and by independent readers
//! (libpff's pffexport and pypff, libpst's readpst): folders, counts, subjects, senders,
//! bodies and attachment bytes must agree with what was written.

mod common;
mod oracle;

use std::path::Path;

use common::TempDir;
use ostdoctor::store::Store;
use ostdoctor::store::filetime::from_unix_seconds;
use ostdoctor::store::ndb::CryptMethod;
use ostdoctor::store::write::{
    NewAttachment, NewMessage, NewRecipient, StoreWriter, Target, messaging,
};

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
        body_text: Some(format!(
            "Hello,\r\nthis is message {i}.\r\n{}",
            "Lorem ipsum dolor sit amet. ".repeat(i % 400)
        )),
        recipients: vec![
            NewRecipient {
                display_name: "Ana Souza".into(),
                email_address: "ana@example.com".into(),
                address_type: "SMTP".into(),
                kind: 1,
            },
            NewRecipient {
                display_name: "Jan de Vries".into(),
                email_address: "jan@example.nl".into(),
                address_type: "SMTP".into(),
                kind: 2,
            },
        ],
        attachments: if i.is_multiple_of(4) {
            vec![NewAttachment {
                file_name: format!("report-{i}.bin"),
                mime_type: Some("application/octet-stream".into()),
                data: (0..(i * 1013 % 30_000))
                    .map(|k| (k * 31 + i) as u8)
                    .collect(),
            }]
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
