//! Property and table contexts written by the builders read back through the reader,
//! including values too large for the heap and tables too large for one allocation.

mod common;

use common::TempDir;
use ostdoctor::store::ltp::{Node, PropValue, PropertyContext, TableContext, ptype};
use ostdoctor::store::ndb::{CryptMethod, Ndb, Nid};
use ostdoctor::store::write::ltp::{PcBuilder, Subnodes, TcBuilder};
use ostdoctor::store::write::{NdbWriter, Target};

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

#[test]
fn property_and_table_contexts_round_trip() {
    for target in [Target::Pst, Target::Ost4k] {
        let dir = TempDir::new("wltp");
        let path = dir.path().join("ltp.pst");
        let mut w = NdbWriter::create(&path, target, CryptMethod::None).unwrap();
        let big_text = "Synchronization Log: ".repeat(500);
        let big_binary: Vec<u8> = (0..20_000u32).map(|i| (i * 7) as u8).collect();
        let mut pc = PcBuilder::default();
        pc.set(0x3001, ptype::UNICODE, utf16("Inbox"))
            .set(0x3602, ptype::INT32, 42i32.to_le_bytes().to_vec())
            .set(0x360A, ptype::BOOLEAN, vec![1])
            .set(
                0x0E06,
                ptype::SYSTIME,
                132_733_738_820_000_000i64.to_le_bytes().to_vec(),
            )
            .set(0x1000, ptype::UNICODE, utf16(&big_text))
            .set(0x3701, ptype::BINARY, big_binary.clone())
            .set(0x0037, ptype::UNICODE, Vec::new());
        // Many properties push the BTH past one allocation.
        for id in 0x8000..0x8300u16 {
            pc.set(id, ptype::INT64, (id as i64 * 3).to_le_bytes().to_vec());
        }
        let out = pc.write(&mut w, Subnodes::default()).unwrap();
        let pc_nid = Nid(0x21);
        w.add_node(pc_nid, out.bid_data, out.bid_sub, Nid(0));

        let tags = [
            0x3001_001Fu32,
            0x3602_0003,
            0x0E06_0040,
            0x360A_000B,
            0x1000_001F,
        ];
        let mut tc = TcBuilder::new(&tags);
        for r in 0..600u32 {
            let name = format!("Folder {r}");
            tc.row(
                (r << 5) | 2,
                vec![
                    Some(utf16(&name)),
                    Some((r as i32).to_le_bytes().to_vec()),
                    Some((r as i64 * 1000).to_le_bytes().to_vec()),
                    if r % 2 == 0 { Some(vec![1]) } else { None },
                    if r == 7 { Some(utf16(&big_text)) } else { None },
                ],
            );
        }
        let out = tc.write(&mut w, Subnodes::default()).unwrap();
        let tc_nid = Nid(0x12D);
        w.add_node(tc_nid, out.bid_data, out.bid_sub, Nid(0));
        w.finish().unwrap();

        let ndb = Ndb::open(&path).unwrap();
        let pc = PropertyContext::open(Node::open(&ndb, pc_nid).unwrap()).unwrap();
        assert_eq!(pc.text(0x3001).unwrap().as_deref(), Some("Inbox"));
        assert_eq!(pc.int(0x3602).unwrap(), Some(42));
        assert_eq!(pc.bool(0x360A).unwrap(), Some(true));
        assert_eq!(pc.time(0x0E06).unwrap(), Some(132_733_738_820_000_000));
        assert_eq!(pc.text(0x1000).unwrap().as_deref(), Some(big_text.as_str()));
        assert_eq!(pc.binary(0x3701).unwrap(), Some(big_binary.clone()));
        assert_eq!(pc.text(0x0037).unwrap().as_deref(), Some(""));
        assert_eq!(pc.get(0x8123).unwrap(), Some(PropValue::I64(0x8123 * 3)));
        assert_eq!(pc.tags().count(), 7 + 0x300);

        let tc = TableContext::open(Node::open(&ndb, tc_nid).unwrap()).unwrap();
        assert_eq!(tc.len(), 600);
        assert_eq!(tc.index_rows(), 600);
        for r in 0..600usize {
            let id = tc.row_id(r);
            let n = id >> 5;
            assert_eq!(tc.text(r, 0x3001).unwrap(), Some(format!("Folder {n}")));
            assert_eq!(tc.int(r, 0x3602).unwrap(), Some(n as i64));
            assert_eq!(
                tc.cell(r, 0x0E06).unwrap(),
                Some(PropValue::Time(n as i64 * 1000))
            );
            assert_eq!(
                tc.cell(r, 0x360A).unwrap(),
                if n.is_multiple_of(2) {
                    Some(PropValue::Bool(true))
                } else {
                    None
                }
            );
            assert_eq!(tc.text(r, 0x1000).unwrap().is_some(), n == 7);
        }
    }
}
