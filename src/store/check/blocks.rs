//! Every block, read once in file order (a disk reads forward fastest): its trailer, size
//! and checksum are verified by the reader's own block code, and internal blocks are
//! decoded so their references can be counted. Compressed data blocks are inflated by
//! whichever pass reads them first (see `ndb::inflated`): the item pass, or `inflate_rest`
//! for the blocks no item reads.

use super::parallel;
use super::refs::{Expect, From, Refs};
use super::scan::{BlockState, Scan};
use crate::store::error::Result;
use crate::store::ndb::block::{is_compressed, read_block, verify_stored};
use crate::store::ndb::btree::bid_is_internal;
use crate::store::ndb::file::StoreFile;
use crate::store::ndb::{BbtEntry, Header};
use crate::work::Cancelled;

const DOING: &str = "Checking blocks";
const INFLATING: &str = "Inflating compressed blocks";

/// Verifies each block as the reader would read it: `Ok(Some(bytes))` for an internal
/// block, whose references are counted next; `Ok(None)` for a data block that holds as
/// stored (a compressed one is yet to be inflated).
fn verify(file: &StoreFile, header: &Header, entry: &BbtEntry) -> Result<Option<Vec<u8>>> {
    if bid_is_internal(entry.bid) {
        return read_block(file, header, entry).map(Some);
    }
    verify_stored(file, header, entry).map(|_| None)
}

/// `verify` over `entries` on up to `threads` threads; the results in the entries' order.
fn verify_all(
    file: &StoreFile,
    header: &Header,
    entries: &[BbtEntry],
    threads: usize,
) -> Vec<Result<Option<Vec<u8>>>> {
    parallel::map(entries, threads, |e| verify(file, header, e))
}

pub fn check(scan: &mut Scan) -> Result<(), Cancelled> {
    let mut refs = Refs::default();

    let mut order: Vec<u32> = (0..scan.blocks.len() as u32)
        .filter(|&i| !scan.block_state[i as usize].bad)
        .collect();
    order.sort_by_key(|&i| scan.blocks[i as usize].ib);
    let file_len = scan.ndb().file_len();
    scan.begin(file_len, DOING)?;
    let threads = parallel::workers();
    for batch in order.chunks(parallel::BATCH) {
        let entries: Vec<BbtEntry> = batch.iter().map(|&i| scan.blocks[i as usize]).collect();
        let verified = verify_all(scan.ndb().file(), scan.ndb().header(), &entries, threads);
        for ((&i, entry), result) in batch.iter().zip(&entries).zip(verified) {
            let i = i as usize;
            scan.tick(entry.ib, file_len, DOING)?;
            match result {
                Ok(internal) => {
                    scan.examined.blocks += 1;
                    if let Some(data) = internal {
                        refs.internal_block(scan, i, entry.bid, entry.ib, &data);
                    }
                }
                Err(e) => {
                    scan.block_state[i].bad = true;
                    scan.report_error(&e, None);
                }
            }
        }
    }
    drop(order);
    // Listed at their exact number once the pass is over: a million on a 5 GB store,
    // where a list grown block by block would reserve up to twice that.
    let compressed =
        |(e, s): &(&BbtEntry, &BlockState)| !s.bad && !bid_is_internal(e.bid) && is_compressed(e);
    let all = || scan.blocks.iter().zip(&scan.block_state);
    let mut watched = Vec::with_capacity(all().filter(compressed).count());
    watched.extend(all().filter(compressed).map(|(e, _)| e.bid));
    scan.ndb().watch_inflation(watched);
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

/// Inflates the compressed data blocks no earlier pass has read (an item's attached files
/// and long bodies), in file order on every core: a block that does not inflate to the
/// size the index gives is damaged like one whose checksum fails.
pub fn inflate_rest(scan: &mut Scan) -> Result<(), Cancelled> {
    let Some(watch) = scan.ndb().inflated() else {
        return Ok(());
    };
    let mut left: Vec<BbtEntry> = scan
        .blocks
        .iter()
        .zip(&scan.block_state)
        .filter(|(e, s)| !s.bad && !bid_is_internal(e.bid) && is_compressed(e))
        .filter(|(e, _)| !watch.seen(e.bid))
        .map(|(e, _)| *e)
        .collect();
    left.sort_by_key(|e| e.ib);
    let total = left.len() as u64;
    scan.begin(total, INFLATING)?;
    let threads = parallel::workers();
    let (file, header) = (scan.ndb().file(), scan.ndb().header());
    for (n, batch) in left.chunks(parallel::BATCH).enumerate() {
        let inflated = parallel::map(batch, threads, |e| read_block(file, header, e).map(|_| ()));
        for (k, (entry, result)) in batch.iter().zip(inflated).enumerate() {
            scan.tick((n * parallel::BATCH + k) as u64, total, INFLATING)?;
            if let Err(e) = result {
                if let Some(i) = scan.block_index(entry.bid) {
                    scan.block_state[i].bad = true;
                }
                scan.examined.blocks -= 1;
                scan.report_error(&e, None);
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

    /// The parallel verification must say of every block what one thread says, in the same
    /// order: damage included, and the bytes of internal blocks alike.
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

        let summary = |threads| -> Vec<std::result::Result<Option<Vec<u8>>, String>> {
            verify_all(ndb.file(), ndb.header(), &entries, threads)
                .into_iter()
                .map(|r| r.map_err(|e| e.to_string()))
                .collect()
        };
        let one = summary(1);
        assert!(one.iter().filter(|r| r.is_err()).count() >= entries.len() / 50);
        assert!(
            one.iter().any(|r| matches!(r, Ok(Some(_)))),
            "no internal block"
        );
        assert_eq!(summary(2), one);
        assert_eq!(summary(3), one);
        drop(ndb);
    }
}
