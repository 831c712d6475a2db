//! read(write(x)) == x over random folder trees and messages, in both written formats.

mod common;

use proptest::prelude::*;

use common::TempDir;
use ostdoctor::store::Store;
use ostdoctor::store::ndb::{CryptMethod, Nid};
use ostdoctor::store::write::{
    NewAttachment, NewMessage, NewRecipient, StoreWriter, Target, messaging,
};

#[derive(Debug, Clone)]
struct Folder {
    /// Index of the parent among earlier folders, or None for the top.
    parent: Option<usize>,
    name: String,
    messages: Vec<NewMessage>,
}

fn text(max: usize) -> impl Strategy<Value = String> {
    // Any Unicode scalar but NUL (stored strings end at NUL) and SOH (which opens Outlook's
    // subject-prefix marker).
    proptest::collection::vec(
        any::<char>().prop_filter("no NUL or SOH", |c| *c != '\0' && *c != '\u{1}'),
        0..max,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn message() -> impl Strategy<Value = NewMessage> {
    (
        text(60),
        proptest::option::of(text(30)),
        proptest::option::of(0i64..0x01E0_0000_0000_0000),
        any::<bool>(),
        proptest::option::of(text(3000)),
        proptest::collection::vec((text(20), text(30), 1i32..4), 0..3),
        proptest::collection::vec(
            (text(20), proptest::collection::vec(any::<u8>(), 0..9000)),
            0..3,
        ),
    )
        .prop_map(
            |(subject, sender, time, read, body, recipients, attachments)| NewMessage {
                message_class: "IPM.Note".into(),
                subject,
                sender_name: sender,
                delivery_time: time,
                flags: read as i32,
                body_text: body,
                recipients: recipients
                    .into_iter()
                    .map(|(n, e, k)| NewRecipient {
                        extra: Vec::new(),
                        display_name: n,
                        email_address: e,
                        address_type: "SMTP".into(),
                        kind: k,
                    })
                    .collect(),
                attachments: attachments
                    .into_iter()
                    .map(|(n, d)| NewAttachment {
                        extra: Vec::new(),
                        embedded: None,
                        file_name: n,
                        mime_type: None,
                        data: d,
                    })
                    .collect(),
                ..NewMessage::default()
            },
        )
}

fn tree() -> impl Strategy<Value = Vec<Folder>> {
    proptest::collection::vec(
        (
            any::<prop::sample::Index>(),
            any::<bool>(),
            text(40),
            proptest::collection::vec(message(), 0..6),
        ),
        1..7,
    )
    .prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(i, (pick, nested, name, messages))| Folder {
                parent: if nested && i > 0 {
                    Some(pick.index(i))
                } else {
                    None
                },
                name,
                messages,
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn what_is_written_reads_back(folders in tree(), ost in any::<bool>(), permute in any::<bool>()) {
        let (target, crypt) = match (ost, permute) {
            (true, _) => (Target::Ost4k, CryptMethod::None),
            (false, true) => (Target::Pst, CryptMethod::Permute),
            (false, false) => (Target::Pst, CryptMethod::None),
        };
        let dir = TempDir::new("roundtrip");
        let path = dir.path().join("rt.pst");
        let mut w = StoreWriter::create(&path, target, crypt, "Round trip", 1).unwrap();
        let mut nids: Vec<Nid> = Vec::new();
        for f in &folders {
            let parent = f.parent.map_or(messaging::IPM_SUBTREE, |p| nids[p]);
            let nid = w.add_folder(parent, &f.name, Some("IPF.Note")).unwrap();
            for m in &f.messages {
                w.add_message(nid, m).unwrap();
            }
            nids.push(nid);
        }
        w.finish().unwrap();

        let store = Store::open(&path).unwrap();
        let read = store.folders().unwrap();
        for (i, f) in folders.iter().enumerate() {
            // The folder's path as written: names up from the folder to the top.
            let mut path = vec![f.name.clone()];
            let mut p = f.parent;
            while let Some(k) = p {
                path.insert(0, folders[k].name.clone());
                p = folders[k].parent;
            }
            path.insert(0, "Top of Personal Folders".into());
            let candidates: Vec<_> = read.iter().filter(|r| r.path == path).collect();
            prop_assert!(!candidates.is_empty(), "folder {i} {path:?} missing");
            let mut want: Vec<String> = f.messages.iter().map(|m| format!("{:?}", (&m.subject, &m.sender_name, m.delivery_time, m.flags, &m.body_text))).collect();
            let mut got = Vec::new();
            let mut want_parts = Vec::new();
            let mut got_parts = Vec::new();
            for m in &f.messages {
                let r: Vec<_> = m.recipients.iter().map(|r| (r.display_name.clone(), r.email_address.clone(), r.kind as i64)).collect();
                let a: Vec<_> = m.attachments.iter().map(|a| (a.file_name.clone(), a.data.clone())).collect();
                want_parts.push(format!("{:?}", (r, a)));
            }
            // Sibling folders may share a name; collect the messages of all with this path.
            let mut expected_here = 0;
            for c in &candidates {
                for nid in store.message_nids(c.nid).unwrap() {
                    let m = store.message(nid).unwrap();
                    let s = m.summary().unwrap();
                    got.push(format!("{:?}", (&s.subject.unwrap_or_default(), &s.sender_name, s.delivery_time, s.flags.unwrap_or(0) as i32, &m.body_text().unwrap())));
                    let r: Vec<_> = m.recipients().unwrap().into_iter().map(|r| (r.display_name.unwrap_or_default(), r.email_address.unwrap_or_default(), r.recipient_type.unwrap_or(0))).collect();
                    let a: Vec<_> = m.attachments().unwrap().into_iter().map(|a| (a.file_name.clone().unwrap_or_default(), m.attachment_data(a.nid).unwrap())).collect();
                    got_parts.push(format!("{:?}", (r, a)));
                    expected_here += 1;
                }
            }
            let same_named: usize = folders.iter().enumerate().filter(|(k, g)| {
                let mut gp = vec![g.name.clone()];
                let mut p = g.parent;
                while let Some(j) = p { gp.insert(0, folders[j].name.clone()); p = folders[j].parent; }
                gp.insert(0, "Top of Personal Folders".into());
                gp == path && *k != i
            }).map(|(_, g)| g.messages.len()).sum();
            prop_assert_eq!(expected_here, f.messages.len() + same_named);
            if same_named == 0 {
                want.sort();
                got.sort();
                prop_assert_eq!(got, want);
                want_parts.sort();
                got_parts.sort();
                prop_assert_eq!(got_parts, want_parts);
            }
        }
    }
}
