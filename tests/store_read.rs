//! What the reader gets from the real stores, checked against facts about them.

mod common;

use common::fixture;
use ostdoctor::store::Store;

#[test]
fn the_real_sync_log_decodes_from_compressed_rtf() {
    let Some(path) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let store = Store::open(&path).unwrap();
    let folders = store.folders().unwrap();
    let sync = folders
        .iter()
        .find(|f| f.path == ["Root - Mailbox", "IPM_SUBTREE", "Sync Issues"])
        .expect("Sync Issues folder");
    let nids = store.message_nids(sync.nid).unwrap();
    assert_eq!(nids.len(), 1);
    let msg = store.message(nids[0]).unwrap();
    let summary = msg.summary().unwrap();
    assert!(
        summary
            .subject
            .as_deref()
            .unwrap()
            .starts_with("Synchronization Log:"),
        "{summary:?}"
    );
    assert_eq!(
        msg.body_text().unwrap(),
        None,
        "the log is stored only as compressed RTF"
    );
    let rtf = msg.body_rtf().unwrap().expect("compressed RTF body");
    assert!(rtf.starts_with("{\\rtf1"), "{rtf}");
    let text = msg.best_text().unwrap().unwrap();
    assert!(
        text.contains("Could not connect to public folder server."),
        "{text}"
    );
    assert!(text.contains("Synchronizer Version 16.0.4266"), "{text}");
    assert!(
        text.lines().any(|l| l.trim_end().ends_with("[0-0]")),
        "{text}"
    );
}

#[test]
fn reads_attachment_bytes_on_demand() {
    let Some(path) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let store = Store::open(&path).unwrap();
    let inbox = store
        .folders()
        .unwrap()
        .into_iter()
        .find(|f| f.path == ["Root - Mailbox", "IPM_SUBTREE", "Inbox"])
        .unwrap();
    let mut seen = 0;
    for nid in store.message_nids(inbox.nid).unwrap() {
        let msg = store.message(nid).unwrap();
        if msg.summary().unwrap().subject.as_deref() != Some("text, jpg, pdf attachments") {
            continue;
        }
        for a in msg.attachments().unwrap() {
            let data = msg.attachment_data(a.nid).unwrap();
            assert_eq!(Some(data.len()), a.data_size);
            let name = a.file_name.clone().unwrap();
            if name.ends_with(".pdf") {
                assert!(data.starts_with(b"%PDF"), "{name}");
            } else if name.ends_with(".jpg") {
                assert!(data.starts_with(&[0xFF, 0xD8]), "{name}");
            }
            seen += 1;
        }
    }
    assert_eq!(seen, 3);
}

#[test]
fn every_message_of_every_fixture_reads_with_its_parts() {
    for path in common::all_fixtures() {
        let store = Store::open(&path).unwrap();
        let mut messages = 0;
        for f in store.folders().unwrap() {
            if f.is_search_folder {
                continue;
            }
            let nids = store.message_nids(f.nid).unwrap();
            assert_eq!(Some(nids.len()), f.contents_rows, "{:?}", f.path);
            for nid in nids {
                let m = store.message(nid).unwrap();
                m.summary().unwrap();
                m.recipients().unwrap();
                m.attachments().unwrap();
                m.best_text().unwrap();
                assert!(!m.all_properties().is_empty());
                messages += 1;
            }
        }
        let expected = match path.file_name().unwrap().to_str().unwrap() {
            "ansi-32bit.pst" => 1,
            "enron.pst" => 71,
            _ => 183,
        };
        assert_eq!(messages, expected, "{}", path.display());
    }
}

#[test]
fn store_is_usable_from_worker_threads() {
    let Some(path) = fixture("enron.pst") else {
        return;
    };
    let store = std::sync::Arc::new(Store::open(&path).unwrap());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let s = store.clone();
            std::thread::spawn(move || s.folders().unwrap().len())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 11);
    }
}

#[test]
fn an_offline_store_names_the_mailbox_it_belongs_to() {
    let Some(path) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let props = Store::open(&path).unwrap().properties().unwrap();
    assert_eq!(
        props.mailbox_dn.as_deref(),
        Some(
            "/o=First Organization/ou=Exchange Administrative Group(FYDIBOHF23SPDLT)/cn=Recipients/cn=0003000040B2FAE2"
        )
    );
    let Some(pst) = fixture("enron.pst") else {
        return;
    };
    assert_eq!(
        Store::open(&pst).unwrap().properties().unwrap().mailbox_dn,
        None
    );
}

#[test]
fn unread_counts_agree_with_the_read_flags_of_the_items() {
    const MSGFLAG_READ: i64 = 0x1;
    for path in common::all_fixtures() {
        let store = Store::open(&path).unwrap();
        for f in store
            .folders()
            .unwrap()
            .into_iter()
            .filter(|f| !f.is_search_folder)
        {
            let unread = store
                .message_summaries(f.nid)
                .unwrap()
                .iter()
                .filter(|m| m.flags.unwrap_or(0) & MSGFLAG_READ == 0)
                .count() as i64;
            assert_eq!(
                f.unread_count,
                Some(unread),
                "{} {:?}",
                path.display(),
                f.path
            );
        }
    }
}

/// No real fixture uses the cyclic encoding, so make one: re-encode every external block of
/// the permute-encoded enron.pst as cyclic, re-seal each block's CRC and the header, and the
/// store must read exactly as before.
#[test]
fn a_cyclic_encoded_store_reads_the_same_as_its_permuted_original() {
    use ostdoctor::store::ndb::block::BlockTrailer;
    use ostdoctor::store::ndb::btree::bid_is_internal;
    use ostdoctor::store::ndb::crc::crc32;
    use ostdoctor::store::ndb::header::HeaderLayout;
    use ostdoctor::store::ndb::{CryptMethod, Ndb};

    let Some(src) = fixture("enron.pst") else {
        return;
    };
    let ndb = Ndb::open(&src).unwrap();
    assert_eq!(ndb.header().crypt, CryptMethod::Permute);
    let mut blocks = Vec::new();
    ndb.walk_blocks(|b| {
        blocks.push(b);
        Ok(())
    })
    .unwrap();
    let mut bytes = std::fs::read(&src).unwrap();
    for b in blocks.iter().filter(|b| !bid_is_internal(b.bid)) {
        let (ib, cb) = (b.ib as usize, b.cb as usize);
        let data = &mut bytes[ib..ib + cb];
        CryptMethod::Permute.decode(data, b.bid);
        CryptMethod::Cyclic.encode(data, b.bid);
        let crc = crc32(data);
        let variant = ndb.variant();
        let at = ib + variant.block_disk_size(cb) as usize - variant.block_trailer_size();
        let mut trailer = BlockTrailer::parse(variant, &bytes[at..]);
        trailer.crc = crc;
        trailer.write(variant, &mut bytes[at..]);
    }
    let layout = HeaderLayout::of(ndb.variant());
    bytes[layout.crypt] = CryptMethod::Cyclic.code();
    layout.seal(&mut bytes);
    let dir = common::TempDir::new("cyclic");
    let copy = dir.path().join("cyclic.pst");
    std::fs::write(&copy, &bytes).unwrap();

    let read = |p: &std::path::Path| {
        let store = Store::open(p).unwrap();
        let mut out = Vec::new();
        for f in store.folders().unwrap() {
            for m in store.message_summaries(f.nid).unwrap() {
                out.push((f.path.clone(), m.subject, m.sender_name, m.delivery_time));
            }
            out.push((
                f.path.clone(),
                Some(f.display_name),
                f.container_class,
                f.content_count,
            ));
        }
        out
    };
    let cyclic = Store::open(&copy).unwrap();
    assert_eq!(cyclic.ndb().header().crypt, CryptMethod::Cyclic);
    let original = read(&src);
    assert_eq!(original.len(), 71 + 11);
    assert_eq!(read(&copy), original);
}
