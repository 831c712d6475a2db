//! Every block, read once (see `ndb::seen`): its trailer, size and checksum verified by
//! the reader's own block code, a compressed one inflated. The internal blocks are read
//! here, in file order (a disk reads forward fastest), and decoded so their references can
//! be counted; a data block is read by whichever pass reads it first, the item pass as it
//! opens items, or `read_rest`, in file order, for the blocks no item reads.

use super::parallel;
use super::refs::{Expect, From, Refs};
use super::scan::Scan;
use crate::store::error::Result;
use crate::store::ndb::block::read_block;
use crate::store::ndb::btree::bid_is_internal;
use crate::store::ndb::file::StoreFile;
use crate::store::ndb::{BbtEntry, Header};
use crate::work::Cancelled;

const DOING: &str = "Checking blocks";
const REST: &str = "Checking the remaining blocks";

/// `read_block` over `entries` on up to `threads` threads; the results in the entries'
/// order.
fn read_all(
    file: &StoreFile,
    header: &Header,
    entries: &[BbtEntry],
    threads: usize,
) -> Vec<Result<Vec<u8>>> {
    parallel::map(entries, threads, |e| read_block(file, header, e))
}

/// Reads every internal block, counts the references it holds, then every node's; and
/// from then on notes which data blocks are read (see `read_rest`).
pub fn check(scan: &mut Scan) -> Result<(), Cancelled> {
    let mut refs = Refs::default();

    let mut order: Vec<u32> = (0..scan.blocks.len() as u32)
        .filter(|&i| {
            !scan.block_state[i as usize].bad && bid_is_internal(scan.blocks[i as usize].bid)
        })
        .collect();
    order.sort_by_key(|&i| scan.blocks[i as usize].ib);
    let file_len = scan.ndb().file_len();
    scan.begin(file_len, DOING)?;
    let threads = parallel::workers();
    for batch in order.chunks(parallel::BATCH) {
        let entries: Vec<BbtEntry> = batch.iter().map(|&i| scan.blocks[i as usize]).collect();
        let read = read_all(scan.ndb().file(), scan.ndb().header(), &entries, threads);
        for ((&i, entry), result) in batch.iter().zip(&entries).zip(read) {
            let i = i as usize;
            scan.tick(entry.ib, file_len, DOING)?;
            match result {
                Ok(data) => {
                    scan.examined.blocks += 1;
                    refs.internal_block(scan, i, entry.bid, entry.ib, &data);
                }
                Err(e) => {
                    scan.block_state[i].bad = true;
                    scan.report_error(&e, None);
                }
            }
        }
    }
    drop(order);
    scan.ndb().watch_reads();
    // Nodes' references are counted once every internal block has been read, so the kind
    // of block each leads to is known at once and need not be held until the end.
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
    refs.finish(scan)
}

/// Reads the data blocks no earlier pass has read whole (an item's attached files and
/// long bodies, and what no item holds), in file order on every core: a block that fails
/// its checks, or does not inflate to the size the index gives, is damaged.
pub fn read_rest(scan: &mut Scan) -> Result<(), Cancelled> {
    let ndb = scan.ndb();
    let mut left: Vec<BbtEntry> = Vec::new();
    // `scan.blocks` is the held index itself, so a block's place in it is its position.
    for (i, (e, s)) in scan.blocks.iter().zip(&scan.block_state).enumerate() {
        if s.bad || bid_is_internal(e.bid) {
            continue;
        }
        if ndb.seen().is_some_and(|seen| seen.seen(i)) {
            scan.examined.blocks += 1;
        } else {
            left.push(*e);
        }
    }
    left.sort_by_key(|e| e.ib);
    let file_len = ndb.file_len();
    scan.begin(file_len, REST)?;
    let threads = parallel::workers();
    let (file, header) = (ndb.file(), ndb.header());
    for batch in left.chunks(parallel::BATCH) {
        let read = parallel::map(batch, threads, |e| read_block(file, header, e).map(|_| ()));
        for (entry, result) in batch.iter().zip(read) {
            scan.tick(entry.ib, file_len, REST)?;
            match result {
                Ok(()) => scan.examined.blocks += 1,
                Err(e) => {
                    if let Some(i) = scan.block_index(entry.bid) {
                        scan.block_state[i].bad = true;
                    }
                    scan.report_error(&e, None);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ndb::Ndb;
    use crate::store::write::Target;
    use crate::synthetic::{GenOptions, generate};

    /// The parallel reading must say of every block what one thread says, in the same
    /// order: damage included, and the bytes of blocks alike.
    #[test]
    fn blocks_verified_on_several_threads_read_as_on_one() {
        let scratch = crate::temp::TempDir::new("blocks");
        let dir = scratch.path();
        let path = dir.join("parallel.ost");
        let options = GenOptions {
            target: Target::Ost4k,
            folders: 3,
            messages: 600,
            seed: 7,
            sync_log_lines: Vec::new(),
            attachment_kb: None,
        };
        generate(&path, &options).unwrap();
        let ndb = Ndb::open(&path).unwrap();
        let mut entries = Vec::new();
        ndb.walk_blocks(|b| {
            entries.push(b);
            Ok(())
        })
        .unwrap();
        entries.sort_by_key(|b| b.ib);
        // Damage every 50th block's first byte, so some results are errors.
        let mut bytes = std::fs::read(&path).unwrap();
        for b in entries.iter().step_by(50) {
            bytes[b.ib as usize] ^= 0x5A;
        }
        std::fs::write(&path, &bytes).unwrap();
        let ndb = Ndb::open(&path).unwrap();

        let summary = |threads| -> Vec<std::result::Result<Vec<u8>, String>> {
            read_all(ndb.file(), ndb.header(), &entries, threads)
                .into_iter()
                .map(|r| r.map_err(|e| e.to_string()))
                .collect()
        };
        let one = summary(1);
        assert!(one.iter().filter(|r| r.is_err()).count() >= entries.len() / 50);
        assert!(
            entries
                .iter()
                .zip(&one)
                .any(|(e, r)| bid_is_internal(e.bid) && r.is_ok()),
            "no internal block"
        );
        assert_eq!(summary(2), one);
        assert_eq!(summary(3), one);
        drop(ndb);
    }
}
