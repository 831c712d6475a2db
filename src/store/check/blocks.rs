//! Every block, read once in file order (a disk reads forward fastest): its trailer, size,
//! checksum and compression are verified by the reader's own block code, and internal
//! blocks are decoded so their references can be counted.

use super::refs::{Expect, From, Refs};
use super::scan::Scan;
use crate::store::ndb::block::read_block;
use crate::store::ndb::btree::bid_is_internal;
use crate::work::Cancelled;

const DOING: &str = "Checking blocks";

pub fn check(scan: &mut Scan) -> Result<(), Cancelled> {
    let mut refs = Refs::default();
    let total_nodes = scan.nodes.len();
    scan.begin(total_nodes as u64, "Counting references")?;
    for i in 0..total_nodes {
        scan.tick(i as u64, total_nodes as u64, "Counting references")?;
        let n = scan.nodes[i];
        let from = From::Node(n.nid);
        if n.bid_data != 0 {
            refs.reference(scan, n.bid_data, Expect::Data, from);
        }
        if n.bid_sub != 0 {
            refs.reference(scan, n.bid_sub, Expect::Subnodes, from);
        }
    }

    let mut order: Vec<u32> = (0..scan.blocks.len() as u32)
        .filter(|&i| !scan.block_state[i as usize].bad)
        .collect();
    order.sort_by_key(|&i| scan.blocks[i as usize].ib);
    let file_len = scan.ndb().file_len();
    scan.begin(file_len, DOING)?;
    for i in order {
        let i = i as usize;
        let entry = scan.blocks[i];
        scan.tick(entry.ib, file_len, DOING)?;
        let data = match read_block(scan.ndb().file(), scan.ndb().header(), &entry) {
            Ok(data) => data,
            Err(e) => {
                scan.block_state[i].bad = true;
                scan.report_error(&e, None);
                continue;
            }
        };
        scan.examined.blocks += 1;
        if bid_is_internal(entry.bid) {
            refs.internal_block(scan, entry.bid, entry.ib, &data);
        }
    }
    refs.finish(scan)
}
