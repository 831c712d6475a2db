//! Large contents tables written row by row (`TableWriter`) read back whole by our reader.

mod common;

use common::TempDir;
use ostdoctor::store::ltp::{Node, TableContext};
use ostdoctor::store::ndb::{CryptMethod, Ndb, Nid};
use ostdoctor::store::write::ltp::Subnodes;
use ostdoctor::store::write::table::TableWriter;
use ostdoctor::store::write::{NdbWriter, Target};

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
