//! Large contents tables written row by row (`TableWriter`) and through the store writer's
//! row spill file read back whole: by our reader, row by row, and by libpff.

mod common;
mod oracle;

use common::TempDir;
use ostdoctor::store::Store;
use ostdoctor::store::ltp::{Node, TableContext};
use ostdoctor::store::ndb::{CryptMethod, Ndb, Nid};
use ostdoctor::store::write::ltp::Subnodes;
use ostdoctor::store::write::table::TableWriter;
use ostdoctor::store::write::{NdbWriter, NewMessage, StoreWriter, Target};

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

const TAGS: [u32; 4] = [0x0037_001F, 0x0E08_0003, 0x0E06_0040, 0x1000_001F];

fn subject(i: u32) -> String {
    format!("Row {i} of the big table")
}

#[test]
fn a_hundred_thousand_row_table_reads_back_row_by_row() {
    const ROWS: u32 = 100_000;
    for target in [Target::Pst, Target::Ost4k] {
        let dir = TempDir::new("wtable");
        let path = dir.path().join("table.pst");
        let mut w = NdbWriter::create(&path, target, CryptMethod::None).unwrap();
        let mut table = TableWriter::new(&w, &TAGS, Subnodes::default()).unwrap();
        let big = "x".repeat(2500);
        for i in 0..ROWS {
            let subject = utf16(&subject(i));
            let size = (i as i32 * 3).to_le_bytes();
            let time = (i as i64 * 1_000_000).to_le_bytes();
            // Every 1000th row has a value too large for the heap: it goes to a subnode.
            let body = (i.is_multiple_of(1000)).then(|| utf16(&big));
            let cells = [
                Some(&subject[..]),
                (!i.is_multiple_of(7)).then_some(&size[..]),
                Some(&time[..]),
                body.as_deref(),
            ];
            table.row(&mut w, (i + 0x400) << 5 | 4, &cells).unwrap();
        }
        assert_eq!(table.len(), ROWS as usize);
        let out = table.finish(&mut w).unwrap();
        let nid = Nid(0x800E);
        w.add_node(nid, out.bid_data, out.bid_sub, Nid(0));
        w.finish().unwrap();

        let ndb = Ndb::open(&path).unwrap();
        let tc = TableContext::open(Node::open(&ndb, nid).unwrap()).unwrap();
        assert_eq!(tc.len(), ROWS as usize, "{target:?}");
        assert_eq!(tc.index_rows(), ROWS as usize);
        // The row index maps every row id to the row that holds it.
        assert!(tc.verify(10).is_empty(), "{:?}", tc.verify(10));
        for r in 0..ROWS as usize {
            let i = r as u32;
            assert_eq!(tc.row_id(r), (i + 0x400) << 5 | 4);
            assert_eq!(tc.text(r, 0x0037).unwrap(), Some(subject(i)));
            let size = tc.int(r, 0x0E08).unwrap();
            assert_eq!(size, (!i.is_multiple_of(7)).then_some(i as i64 * 3));
            let body = tc.text(r, 0x1000).unwrap();
            assert_eq!(
                body.as_deref(),
                (i.is_multiple_of(1000)).then_some(big.as_str())
            );
        }
    }
}

#[test]
fn rows_out_of_id_order_are_refused_by_the_streamed_table() {
    let dir = TempDir::new("wtable-order");
    let path = dir.path().join("table.pst");
    let mut w = NdbWriter::create(&path, Target::Pst, CryptMethod::None).unwrap();
    let mut table = TableWriter::new(&w, &TAGS, Subnodes::default()).unwrap();
    table.row(&mut w, 0x8044, &[]).unwrap();
    let err = table.row(&mut w, 0x8024, &[]).unwrap_err().to_string();
    assert!(err.contains("0x8024 arrives after row 0x8044"), "{err}");
    let err = table.row(&mut w, 0x8044, &[]).unwrap_err().to_string();
    assert!(err.contains("increasing id order"), "{err}");
}

fn message(i: usize) -> NewMessage {
    NewMessage {
        message_class: "IPM.Note".into(),
        subject: format!("Message {i}"),
        sender_name: Some(format!("Sender {}", i % 13)),
        delivery_time: Some(132_733_738_820_000_000 + i as i64),
        flags: (i % 2) as i32,
        ..NewMessage::default()
    }
}

#[test]
fn a_folder_of_many_messages_lists_them_all_to_us_and_to_libpff() {
    const MESSAGES: usize = 20_000;
    let dir = TempDir::new("wtable-store");
    let path = dir.path().join("big.pst");
    let mut w = StoreWriter::create(&path, Target::Pst, CryptMethod::None, "Big", 7).unwrap();
    let inbox = w
        .add_folder(
            ostdoctor::store::write::messaging::IPM_SUBTREE,
            "Inbox",
            Some("IPF.Note"),
        )
        .unwrap();
    let small = w
        .add_folder(
            ostdoctor::store::write::messaging::IPM_SUBTREE,
            "Small",
            Some("IPF.Note"),
        )
        .unwrap();
    // Messages of both folders interleave, so their spilled rows share the file's chunks.
    for i in 0..MESSAGES {
        let folder = if i.is_multiple_of(100) { small } else { inbox };
        w.add_message(folder, &message(i)).unwrap();
    }
    let spills: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rows"))
        .collect();
    assert_eq!(spills.len(), 1, "one spill file while writing: {spills:?}");
    w.finish().unwrap();
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["big.pst"], "the spill file is gone");

    let store = Store::open(&path).unwrap();
    let folders = store.folders().unwrap();
    let count = |name: &str| {
        let f = folders.iter().find(|f| f.display_name == name).unwrap();
        assert_eq!(f.content_count, Some(f.contents_rows.unwrap() as i64));
        store.message_nids(f.nid).unwrap().len()
    };
    assert_eq!(count("Inbox"), MESSAGES - MESSAGES / 100);
    assert_eq!(count("Small"), MESSAGES / 100);
    let ndb = Ndb::open(&path).unwrap();
    let inbox_table = Node::open(&ndb, inbox.with_type(0x0E)).unwrap();
    let tc = TableContext::open(inbox_table).unwrap();
    assert!(tc.verify(10).is_empty(), "{:?}", tc.verify(10));
    let mut n = 0usize;
    for r in 0..tc.len() {
        while n.is_multiple_of(100) {
            n += 1;
        }
        assert_eq!(tc.text(r, 0x0037).unwrap(), Some(format!("Message {n}")));
        assert_eq!(
            tc.text(r, 0x0042).unwrap(),
            Some(format!("Sender {}", n % 13))
        );
        n += 1;
    }

    let theirs = oracle::pffexport(&path).unwrap_or_else(|e| panic!("{e}"));
    let items = |name: &str| {
        theirs
            .iter()
            .find(|f| f.path.last().map(String::as_str) == Some(name))
            .map(|f| f.items.len())
    };
    assert_eq!(items("Inbox"), Some(MESSAGES - MESSAGES / 100));
    assert_eq!(items("Small"), Some(MESSAGES / 100));
}
