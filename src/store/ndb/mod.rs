//! The node database layer: the header, pages, the two B-trees and blocks. Above it, every
//! structure is "the data of node N" or "the subnodes of node N".

pub mod block;
pub mod btree;
pub mod crc;
pub mod crypt;
pub mod file;
pub mod format;
pub mod header;
pub mod layout;
pub mod page;
pub mod rescue;
pub mod seen;
pub mod sorted;

use std::path::Path;
use std::sync::{Arc, OnceLock};

pub use block::SubnodeEntry;
pub use btree::{BbtEntry, NbtEntry, Nid};
pub use crypt::CryptMethod;
pub use format::Variant;
pub use header::{BRef, ClientKind, Header};

use crate::store::error::{Error, ErrorKind, Result};
use file::StoreFile;
use sorted::{Keyed, Sorted};

/// An open store at the node-database level. Read-only; safe to share between threads.
#[derive(Debug)]
pub struct Ndb {
    file: StoreFile,
    header: Header,
    pages: btree::PageCache,
    /// Header damage the store was opened despite (see [`Ndb::damage`]).
    damage: Vec<Error>,
    /// Opened to copy out what it holds: lookups the damaged indexes cannot answer are
    /// answered from a scan of the file (see [`rescue`]).
    salvage: bool,
    /// That scan, made the first time it is needed.
    rescue: OnceLock<rescue::Rescue>,
    /// Set by the structural check: which blocks some read has taken whole.
    seen: OnceLock<seen::Seen>,
    /// Set by the structural check: the two indexes as it read them in full.
    held_nodes: OnceLock<Held<NbtEntry>>,
    held_blocks: OnceLock<Held<BbtEntry>>,
}

/// An index read in full by a walk of its B-tree (the structural check's first passes),
/// sorted by key, one entry per key, and kept for the rest of that check. When the walk
/// found every page readable and in its place, a lookup down the tree would find exactly
/// these entries, so lookups search them in memory instead: the check's item pass looks
/// up every block of every item, and going down the tree for each took a quarter of it.
/// An index found damaged is kept for the check's own use only; lookups go down the tree
/// as always, so an item meets the damage as any reader would.
#[derive(Debug)]
struct Held<T> {
    entries: Sorted<T>,
    answers_lookups: bool,
}

impl<T: Keyed> Held<T> {
    /// Keeps `entries` in `cell` unless it holds an index already; the one held.
    fn keep(cell: &OnceLock<Held<T>>, entries: Vec<T>, whole: bool) -> &Sorted<T> {
        &cell
            .get_or_init(|| Held {
                entries: Sorted::new(entries),
                answers_lookups: whole,
            })
            .entries
    }

    fn answering(&self) -> Option<&Sorted<T>> {
        self.answers_lookups.then_some(&self.entries)
    }
}

impl Ndb {
    /// Opens a store for reading. A file shorter than its header records (a copy cut
    /// off, a full disk) still opens: what lies before the cut is read as usual, a read
    /// past it fails naming the offset, and [`Ndb::damage`] says the file is truncated.
    /// Any other header damage refuses the file.
    pub fn open(path: &Path) -> Result<Ndb> {
        Self::open_accepting(path, |e| e.is_truncated_file())
    }

    /// Opens a store to copy out what it still holds: besides a truncation, a header whose
    /// checksum or sentinel byte is damaged is accepted when the rest of it parses (every
    /// block is checked against its own checksum as it is read). An unknown or rights-
    /// protected encryption still refuses the file: its blocks could not be decoded.
    pub fn open_for_salvage(path: &Path) -> Result<Ndb> {
        let mut ndb = Self::open_accepting(path, |e| {
            e.is_truncated_file()
                || matches!(
                    e.kind,
                    ErrorKind::NotOutlookFile(
                        crate::store::error::NotOutlookReason::HeaderCrc { .. }
                    )
                )
                || (e.at.structure == "file header"
                    && matches!(&e.kind, ErrorKind::Mismatch { field, .. } if *field == "sentinel byte"))
        })?;
        ndb.salvage = true;
        Ok(ndb)
    }

    fn open_accepting(path: &Path, accept: impl Fn(&Error) -> bool) -> Result<Ndb> {
        let (mut ndb, damage) = Self::open_lenient(path)?;
        let (accepted, fatal): (Vec<Error>, Vec<Error>) = damage.into_iter().partition(accept);
        match fatal.into_iter().next() {
            Some(first) => Err(first),
            None => {
                ndb.damage = accepted;
                Ok(ndb)
            }
        }
    }

    /// What is wrong with the file that did not stop it from opening: its truncation.
    pub fn damage(&self) -> &[Error] {
        &self.damage
    }

    /// The same in words, one line each: "the file is truncated: ...", and what the scan of
    /// the file had to find again, when one was made.
    pub fn damage_lines(&self) -> Vec<String> {
        let header = self.damage.iter().map(|e| match &e.kind {
            ErrorKind::NotOutlookFile(reason) if e.is_truncated_file() => {
                format!("{reason}; whatever was past the end is missing")
            }
            ErrorKind::NotOutlookFile(reason) => format!("{reason}"),
            _ => e.to_string(),
        });
        let rescued = self.rescue.get().map(|r| r.lines()).unwrap_or_default();
        header.chain(rescued).collect()
    }

    /// From now on, notes which blocks of the held block index are read whole (see
    /// [`seen`]); only the first call counts, and only once the index is held.
    pub fn watch_reads(&self) {
        if let Some(held) = self.held_blocks.get() {
            let _ = self.seen.set(seen::Seen::new(held.entries.entries().len()));
        }
    }

    /// Which blocks of the held block index were read whole since [`Ndb::watch_reads`],
    /// by position there; `None` when nothing is watched.
    pub fn seen(&self) -> Option<&seen::Seen> {
        self.seen.get()
    }

    /// Keeps the node index as a full walk read it, sorted by node id without repeats, and
    /// gives it back; `whole` when the walk found nothing wrong with it, which lets lookups
    /// use it (see [`Held`]). Only the first call counts.
    pub fn hold_nodes(&self, nodes: Vec<NbtEntry>, whole: bool) -> &Sorted<NbtEntry> {
        Held::keep(&self.held_nodes, nodes, whole)
    }

    /// The same for the block index, sorted by `btree::bid_key`.
    pub fn hold_blocks(&self, blocks: Vec<BbtEntry>, whole: bool) -> &Sorted<BbtEntry> {
        Held::keep(&self.held_blocks, blocks, whole)
    }

    /// The entry of `nid` in the node index held by the check, whether or not lookups use
    /// it (the check's own passes do, damaged or not).
    pub fn held_node(&self, nid: Nid) -> Option<&NbtEntry> {
        self.held_nodes.get()?.entries.find(u64::from(nid.0))
    }

    /// The position of block `bid` in the block index held by the check.
    pub fn held_block_position(&self, bid: u64) -> Option<usize> {
        self.held_blocks
            .get()?
            .entries
            .position(btree::bid_key(bid))
    }

    /// The scan of the file a damaged index calls for, made once, on first need.
    pub fn rescue(&self) -> &rescue::Rescue {
        self.rescue
            .get_or_init(|| rescue::Rescue::build(&self.file, &self.header))
    }

    /// Opens a store whose header is damaged but readable, returning that damage beside it
    /// (see [`Header::parse_lenient`]). Only the structural check opens stores this way.
    pub fn open_lenient(path: &Path) -> Result<(Ndb, Vec<Error>)> {
        let file = StoreFile::open(path)?;
        let want = Header::READ_SIZE.min(file.len() as usize);
        let bytes = file.read_vec("file header", 0, want)?;
        let ctx = |e: Error| e.in_file(file.path());
        let (header, damage) = Header::parse_lenient(&bytes, file.len()).map_err(ctx)?;
        let damage = damage.into_iter().map(ctx).collect();
        let ndb = Ndb {
            file,
            header,
            pages: btree::PageCache::default(),
            damage: Vec::new(),
            salvage: false,
            rescue: OnceLock::new(),
            seen: OnceLock::new(),
            held_nodes: OnceLock::new(),
            held_blocks: OnceLock::new(),
        };
        Ok((ndb, damage))
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    pub fn variant(&self) -> Variant {
        self.header.variant
    }

    pub fn path(&self) -> &Arc<Path> {
        self.file.path()
    }

    pub fn file_len(&self) -> u64 {
        self.file.len()
    }

    pub fn file(&self) -> &StoreFile {
        &self.file
    }

    /// Attaches this file's name to an error raised below it.
    pub fn ctx(&self, e: Error) -> Error {
        e.in_file(self.file.path())
    }

    /// The node index entry of `nid`. In a store opened for salvage, a node the damaged
    /// index cannot answer for is looked up in the scan of the file.
    pub fn find_node(&self, nid: Nid) -> Result<Option<NbtEntry>> {
        let found = match self.held_nodes.get().and_then(Held::answering) {
            Some(held) => Ok(held.find(u64::from(nid.0)).copied()),
            None => btree::find_node(
                &self.file,
                &self.pages,
                self.variant(),
                self.header.nbt_root,
                nid,
            ),
        };
        match found {
            Ok(found) => Ok(found),
            Err(e) if self.salvage => match self.rescue().node(nid) {
                Some(entry) => Ok(Some(entry)),
                None => Err(self.ctx(e)),
            },
            Err(e) => Err(self.ctx(e)),
        }
    }

    pub fn node(&self, nid: Nid) -> Result<NbtEntry> {
        self.find_node(nid)?.ok_or_else(|| {
            self.ctx(
                Error::new("node B-tree", ErrorKind::NotFound { what: "node" }).with_nid(nid.0),
            )
        })
    }

    /// The block index entry of `bid`; in a store opened for salvage, one the damaged
    /// index cannot answer for is looked up in the scan of the file.
    pub fn find_block(&self, bid: u64) -> Result<Option<BbtEntry>> {
        let found = match self.held_blocks.get().and_then(Held::answering) {
            Some(held) => Ok(held.find(btree::bid_key(bid)).copied()),
            None => btree::find_block(
                &self.file,
                &self.pages,
                self.variant(),
                self.header.bbt_root,
                bid,
            ),
        };
        match found {
            Ok(Some(entry)) => Ok(Some(entry)),
            Ok(None) if self.salvage => Ok(self.rescue().block_entry(bid)),
            Ok(None) => Ok(None),
            Err(e) if self.salvage => match self.rescue().block_entry(bid) {
                Some(entry) => Ok(Some(entry)),
                None => Err(self.ctx(e)),
            },
            Err(e) => Err(self.ctx(e)),
        }
    }

    /// One block, checked and decoded. In a store opened for salvage, a block that is not
    /// where the index says (moved, swapped, the entry damaged) is read where the scan of
    /// the file found it, if its checksum holds there.
    pub fn block(&self, bid: u64) -> Result<Vec<u8>> {
        let entry = self.find_block(bid)?.ok_or_else(|| {
            self.ctx(
                Error::new("block B-tree", ErrorKind::NotFound { what: "block" }).with_bid(bid),
            )
        })?;
        match block::read_block(&self.file, &self.header, &entry) {
            Ok(data) => {
                if let Some(seen) = self.seen.get()
                    && let Some(at) = self.held_block_position(bid)
                {
                    seen.note(at);
                }
                Ok(data)
            }
            Err(e) if self.salvage => {
                let rescue = self.rescue();
                let data = rescue
                    .found_block(bid, Some(&entry))
                    .and_then(|(found, signed_at)| {
                        block::read_block_signed_at(&self.file, &self.header, &found, signed_at)
                            .ok()
                    })
                    .ok_or_else(|| self.ctx(e))?;
                rescue.note_relocated();
                Ok(data)
            }
            Err(e) => Err(self.ctx(e)),
        }
    }

    /// The data of a node as its sequence of data blocks (heap code needs the boundaries).
    pub fn data_blocks(&self, bid: u64) -> Result<Vec<Vec<u8>>> {
        if bid == 0 {
            return Ok(Vec::new());
        }
        let root = self.block(bid)?;
        block::data_tree(self.variant(), bid, root, &|b| self.block(b)).map_err(|e| self.ctx(e))
    }

    /// The data blocks of a node's data one at a time, with their ids, none kept (see
    /// `block::visit_data_tree`): for data too large to hold at once.
    pub fn for_each_data_block(
        &self,
        bid: u64,
        visit: &mut dyn FnMut(u64, Vec<u8>) -> Result<()>,
    ) -> Result<()> {
        if bid == 0 {
            return Ok(());
        }
        let root = self.block(bid)?;
        block::visit_data_tree(self.variant(), bid, root, &|b| self.block(b), visit)
            .map_err(|e| self.ctx(e))
    }

    /// The size of each data block of a node's data, from the data tree and the block
    /// index alone: none of the data blocks is read. A folder's row count comes from this
    /// without reading its rows.
    pub fn data_block_sizes(&self, bid: u64) -> Result<Vec<usize>> {
        let mut out = Vec::new();
        self.block_sizes_below(bid, 0, &mut out)?;
        Ok(out)
    }

    fn block_sizes_below(&self, bid: u64, depth: u8, out: &mut Vec<usize>) -> Result<()> {
        if bid == 0 {
            return Ok(());
        }
        if !btree::bid_is_internal(bid) {
            let entry = self.find_block(bid)?.ok_or_else(|| {
                self.ctx(
                    Error::new("block B-tree", ErrorKind::NotFound { what: "block" }).with_bid(bid),
                )
            })?;
            out.push(entry.cb_inflated as usize);
            return Ok(());
        }
        // XBLOCK over data blocks, XXBLOCK over XBLOCKs: two levels at most.
        let tree = block::parse_data_tree_block(self.variant(), bid, &self.block(bid)?)
            .map_err(|e| self.ctx(e))?;
        if depth >= 2 || tree.level > 2 {
            return Err(self.ctx(
                Error::mismatch("data tree", "level", "at most 2", tree.level).with_bid(bid),
            ));
        }
        for child in tree.children {
            self.block_sizes_below(child, depth + 1, out)?;
        }
        Ok(())
    }

    /// The first data block of a node's data, without reading the others.
    pub fn first_data_block(&self, bid: u64) -> Result<Vec<u8>> {
        let mut bid = bid;
        for _ in 0..3 {
            if !btree::bid_is_internal(bid) {
                return self.block(bid);
            }
            let tree = block::parse_data_tree_block(self.variant(), bid, &self.block(bid)?)
                .map_err(|e| self.ctx(e))?;
            bid = *tree.children.first().ok_or_else(|| {
                self.ctx(Error::malformed("data tree", "an empty data tree").with_bid(bid))
            })?;
        }
        Err(self.ctx(Error::mismatch("data tree", "level", "at most 2", "more").with_bid(bid)))
    }

    /// The data of a node as one byte stream.
    pub fn data(&self, bid: u64) -> Result<Vec<u8>> {
        let blocks = self.data_blocks(bid)?;
        if blocks.len() == 1 {
            return Ok(blocks.into_iter().next().expect("one block"));
        }
        Ok(blocks.concat())
    }

    pub fn subnodes(&self, bid_sub: u64) -> Result<Vec<SubnodeEntry>> {
        if bid_sub == 0 {
            return Ok(Vec::new());
        }
        let root = self.block(bid_sub)?;
        block::subnode_tree(self.variant(), bid_sub, root, &|b| self.block(b))
            .map_err(|e| self.ctx(e))
    }

    /// Every entry of the node index in key order. In a store opened for salvage the walk
    /// goes round damaged pages, and what they held comes from the scan of the file.
    pub fn walk_nodes(&self, f: impl FnMut(NbtEntry) -> Result<()>) -> Result<()> {
        if !self.salvage {
            return btree::walk_nodes(&self.file, self.variant(), self.header.nbt_root, f)
                .map_err(|e| self.ctx(e));
        }
        let variant = self.variant();
        let mut entries = Vec::new();
        let holes = btree::walk_lenient(
            &self.file,
            variant,
            btree::Tree::Node,
            self.header.nbt_root,
            |e| entries.push(btree::parse_nbt(variant, e)),
        );
        if !holes.is_empty() {
            let seen: std::collections::HashSet<Nid> = entries.iter().map(|e| e.nid).collect();
            entries.extend(
                self.rescue()
                    .nodes()
                    .into_iter()
                    .filter(|e| !seen.contains(&e.nid)),
            );
            entries.sort_by_key(|e| e.nid.0);
        }
        entries.into_iter().try_for_each(f)
    }

    pub fn walk_blocks(&self, f: impl FnMut(BbtEntry) -> Result<()>) -> Result<()> {
        btree::walk_blocks(&self.file, self.variant(), self.header.bbt_root, f)
            .map_err(|e| self.ctx(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::write::Target;
    use crate::synthetic::{GenOptions, generate};

    /// A whole index held in memory answers every lookup as the B-tree does, for ids it
    /// holds and ids it does not; one held as damaged answers none of them.
    #[test]
    fn a_held_index_answers_lookups_as_the_tree_does() {
        let scratch = crate::temp::TempDir::new("held");
        let dir = scratch.path();
        for (name, target) in [("held.pst", Target::Pst), ("held.ost", Target::Ost4k)] {
            let path = dir.join(name);
            let options = GenOptions {
                target,
                folders: 3,
                messages: 400,
                seed: 11,
                sync_log_lines: Vec::new(),
                attachment_kb: None,
            };
            generate(&path, &options).unwrap();
            let tree = Ndb::open(&path).unwrap();
            let (mut nodes, mut blocks) = (Vec::new(), Vec::new());
            tree.walk_nodes(|n| {
                nodes.push(n);
                Ok(())
            })
            .unwrap();
            tree.walk_blocks(|b| {
                blocks.push(b);
                Ok(())
            })
            .unwrap();
            nodes.sort_by_key(|n| n.nid);
            blocks.sort_by_key(|b| btree::bid_key(b.bid));
            // Several B-tree levels, so lookups go down more than one page.
            assert!(blocks.len() > 1000, "{name}: {} blocks", blocks.len());

            let held = Ndb::open(&path).unwrap();
            held.hold_nodes(nodes.clone(), true);
            held.hold_blocks(blocks.clone(), true);
            // Each id held, its neighbours (absent, and the reserved low bit set), and ids
            // past either end.
            let bids = blocks
                .iter()
                .flat_map(|b| [b.bid, b.bid | 1, b.bid + 2, b.bid.saturating_sub(2)])
                .chain([0, 1, u64::MAX]);
            for bid in bids {
                let want = tree.find_block(bid).unwrap();
                assert_eq!(
                    held.find_block(bid).unwrap(),
                    want,
                    "{name}: block 0x{bid:X}"
                );
            }
            let nids = nodes
                .iter()
                .flat_map(|n| [n.nid.0, n.nid.0 + 1, n.nid.0.wrapping_sub(1)])
                .chain([0, u32::MAX]);
            for nid in nids.map(Nid) {
                let want = tree.find_node(nid).unwrap();
                assert_eq!(held.find_node(nid).unwrap(), want, "{name}: node {nid}");
            }

            // Held as damaged (here: entries left out), the tree still answers.
            let damaged = Ndb::open(&path).unwrap();
            damaged.hold_nodes(nodes[..1].to_vec(), false);
            damaged.hold_blocks(blocks[..1].to_vec(), false);
            let (last_node, last_block) = (nodes[nodes.len() - 1], blocks[blocks.len() - 1]);
            assert_eq!(damaged.find_node(last_node.nid).unwrap(), Some(last_node));
            assert_eq!(
                damaged.find_block(last_block.bid).unwrap(),
                Some(last_block)
            );
        }
    }
}
