//! What a damaged store's two indexes no longer say, found again in the file itself, the
//! way a repair tool rebuilds them: only for stores opened to copy out what they hold.
//!
//! Outlook never rewrites a B-tree page in place: a changed page is written anew and the
//! old one left in free space, so a file often holds older copies of the very page that
//! is damaged. And every block names itself in its trailer, guarded by a checksum. One
//! sequential pass over the file therefore finds:
//! - B-tree pages whose trailer and checksum hold, wherever they are. Their entries answer
//!   for the keys a damaged part of the live tree covered (and only those: an older page
//!   elsewhere also names items deleted since, which must not come back).
//! - Pages that claim to be B-tree pages but fail their checksum or type byte: their entries
//!   are the last resort, used only where nothing intact answers. What they point at is
//!   still checked block by block, so no damaged byte of an item passes as intact.
//! - Every block whose checksum holds, by the id its trailer names: what a damaged or wrong
//!   block-index entry no longer finds (a block moved, two blocks swapped, an entry pointing
//!   past the end of the file).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::block::BlockTrailer;
use super::btree::{
    BbtEntry, Hole, KeyRange, NbtEntry, Nid, Tree, bid_key, parse_bbt, parse_nbt, walk_lenient,
};
use super::crc::{crc32, signature};
use super::file::StoreFile;
use super::format::Variant;
use super::header::Header;
use super::page::{Footer, PageType, parse_trailer};

/// Bytes read per step of the scan: large enough for sequential speed, small enough that
/// the scan's memory does not grow with the file.
const CHUNK: usize = 4 << 20;

/// Where a node entry found by the scan came from, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Trust {
    /// A page whose trailer and checksum hold.
    Intact,
    /// A page that fails its checksum or type byte: its entries may hold a damaged bit.
    Damaged,
}

/// A block found by its own trailer.
#[derive(Debug, Clone, Copy)]
struct FoundBlock {
    bid: u64,
    ib: u64,
    cb: u16,
    cb_inflated: u16,
    signature: u16,
}

/// The answers the scan found, and the damage that called for them.
#[derive(Debug)]
pub struct Rescue {
    node_holes: Vec<Hole>,
    block_holes: Vec<Hole>,
    /// Node entries for keys in `node_holes`, with the page they came from: (trust, page
    /// id), the newest intact page winning.
    nodes: HashMap<u32, (NbtEntry, Trust, u64)>,
    /// Block index entries for keys in `block_holes`, from intact pages (newest wins).
    block_entries: HashMap<u64, (BbtEntry, u64)>,
    /// Every block of the file whose checksum holds, by id.
    blocks: Vec<FoundBlock>,
    /// The part of the file the scan could not read, if any (an I/O error).
    unread: Option<String>,
    /// Blocks read where the scan found them rather than where the index says.
    relocated: AtomicUsize,
}

impl Rescue {
    /// Walks both indexes going round what is damaged, and when anything is, scans the
    /// file once for what the damaged parts held.
    pub fn build(file: &StoreFile, header: &Header) -> Rescue {
        let variant = header.variant;
        let node_holes = walk_lenient(file, variant, Tree::Node, header.nbt_root, |_| {});
        let block_holes = walk_lenient(file, variant, Tree::Block, header.bbt_root, |_| {});
        let mut rescue = Rescue {
            node_holes,
            block_holes,
            nodes: HashMap::new(),
            block_entries: HashMap::new(),
            blocks: Vec::new(),
            unread: None,
            relocated: AtomicUsize::new(0),
        };
        rescue.scan(file, variant);
        rescue
    }

    fn in_node_hole(&self, nid: u32) -> bool {
        self.node_holes.iter().any(|h| h.keys.contains(nid as u64))
    }

    fn in_block_hole(&self, bid: u64) -> bool {
        self.block_holes
            .iter()
            .any(|h| h.keys.contains(bid_key(bid)))
    }

    /// How many blocks the scan found by their trailers.
    pub fn blocks_found(&self) -> usize {
        self.blocks.len()
    }

    /// The node index's damaged parts: the keys each covered.
    pub fn node_holes(&self) -> impl Iterator<Item = KeyRange> + '_ {
        self.node_holes.iter().map(|h| h.keys)
    }

    /// What the scan found for a node the live index cannot answer for.
    pub fn node(&self, nid: Nid) -> Option<NbtEntry> {
        self.nodes.get(&nid.0).map(|(e, _, _)| *e)
    }

    /// Every node entry the scan found for the damaged parts of the node index, in id order.
    pub fn nodes(&self) -> Vec<NbtEntry> {
        let mut out: Vec<NbtEntry> = self.nodes.values().map(|(e, _, _)| *e).collect();
        out.sort_by_key(|e| e.nid);
        out
    }

    /// What the scan found for a block the live index cannot answer for: an entry of an
    /// intact older page, else the block itself found by its trailer.
    pub fn block_entry(&self, bid: u64) -> Option<BbtEntry> {
        if let Some((e, _)) = self.block_entries.get(&bid_key(bid)) {
            return Some(*e);
        }
        self.found_block(bid, None).map(|(e, _)| e)
    }

    /// The block with id `bid` found by its trailer somewhere other than `listed` says,
    /// with the offset its signature was made for. A block's signature mixes its id with
    /// its offset, so a block that was moved still proves its id by the signature of the
    /// place the index gives it.
    pub fn found_block(&self, bid: u64, listed: Option<&BbtEntry>) -> Option<(BbtEntry, u64)> {
        let key = bid_key(bid);
        let start = self.blocks.partition_point(|b| bid_key(b.bid) < key);
        self.blocks[start..]
            .iter()
            .take_while(|b| bid_key(b.bid) == key)
            .filter(|b| listed.is_none_or(|l| l.ib != b.ib))
            .find_map(|b| {
                let signed_at = if b.signature == signature(b.ib, b.bid) {
                    b.ib
                } else {
                    listed.filter(|l| b.signature == signature(l.ib, b.bid))?.ib
                };
                let entry = BbtEntry {
                    bid: b.bid,
                    ib: b.ib,
                    cb: b.cb,
                    cb_inflated: b.cb_inflated,
                    refs: 0,
                };
                Some((entry, signed_at))
            })
    }

    /// Counts a block read where the scan found it (see [`Rescue::lines`]).
    pub fn note_relocated(&self) {
        self.relocated.fetch_add(1, Ordering::Relaxed);
    }

    /// What was damaged and what the scan found, one line each, for people.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let describe = |holes: &[Hole], what: &str| -> Option<String> {
            let first = holes.first()?;
            Some(format!(
                "the {what} is damaged in {} place(s) (first: {})",
                holes.len(),
                first.error
            ))
        };
        if let Some(line) = describe(&self.node_holes, "node index") {
            let damaged = self
                .nodes
                .values()
                .filter(|(_, t, _)| *t == Trust::Damaged)
                .count();
            out.push(format!(
                "{line}; a scan of the file found {} of its entries again ({damaged} of them only on a damaged page, each checked against its data's own checksum)",
                self.nodes.len()
            ));
        }
        if let Some(line) = describe(&self.block_holes, "block index") {
            out.push(format!(
                "{line}; a scan of the file found {} of its entries again on older pages, and {} blocks by their own trailers",
                self.block_entries.len(),
                self.blocks.len()
            ));
        }
        let relocated = self.relocated.load(Ordering::Relaxed);
        if relocated > 0 {
            out.push(format!(
                "{relocated} block(s) were not where the block index says (moved, swapped or the entry damaged); each was read where the scan of the file found it, its checksum holding"
            ));
        }
        if let Some(why) = &self.unread {
            out.push(format!("the scan of the file stopped early: {why}"));
        }
        out
    }

    /// One pass over the file: pages at every page boundary, block trailers at every block
    /// boundary. A window keeps the end of the previous chunk, so a block that straddles
    /// two chunks is seen whole.
    fn scan(&mut self, file: &StoreFile, variant: Variant) {
        let page_size = variant.page_size();
        let align = variant.block_alignment() as usize;
        let tsize = variant.block_trailer_size();
        let max_disk = variant.block_disk_size(variant.max_block_data()) as usize;
        let len = file.len();
        let mut window: Vec<u8> = Vec::new();
        let mut at = 0u64;
        while at < len {
            let n = CHUNK.min((len - at) as usize);
            let mut chunk = vec![0u8; n];
            if let Err(e) = file.read_exact_at("file scan", at, &mut chunk) {
                self.unread = Some(e.to_string());
                break;
            }
            // Keep what a block ending in this chunk may reach back into.
            let keep = window.len().min(max_disk);
            window.drain(..window.len() - keep);
            let window_at = at - keep as u64;
            window.extend_from_slice(&chunk);
            drop(chunk);

            let local = (at - window_at) as usize;
            let mut p = local;
            while p + page_size <= window.len() {
                self.page(variant, window_at + p as u64, &window[p..p + page_size]);
                p += page_size;
            }
            let mut end = local + align;
            while end <= window.len() {
                if end >= tsize {
                    self.block(variant, &window, window_at, end);
                }
                end += align;
            }
            at += n as u64;
        }
        self.blocks.sort_by_key(|b| (bid_key(b.bid), b.ib));
    }

    fn page(&mut self, variant: Variant, ib: u64, page: &[u8]) {
        let t = parse_trailer(variant, page);
        let claims = |ptype: PageType| t.ptype == ptype as u8 || t.ptype_repeat == ptype as u8;
        let tree = if claims(PageType::Nbt) {
            Tree::Node
        } else if claims(PageType::Bbt) {
            Tree::Block
        } else {
            return;
        };
        if tree == Tree::Node && self.node_holes.is_empty()
            || tree == Tree::Block && self.block_holes.is_empty()
        {
            return;
        }
        // The signature mixes the page's offset and id: a page-sized run of other bytes
        // passes it by chance once in 65,536, and then its checksum too only by chance.
        if t.signature != signature(ib, t.bid) {
            return;
        }
        let intact =
            t.ptype == t.ptype_repeat && crc32(&page[..variant.page_trailer_offset()]) == t.crc;
        let footer = Footer::parse(variant, page);
        let capacity = variant.btree_entries_size() / footer.entry_size.max(1);
        if footer.count > capacity {
            return;
        }
        let entry = |i: usize| &page[i * footer.entry_size..(i + 1) * footer.entry_size];
        match tree {
            // A leaf's entries are wider than a branch's, which tells them apart even
            // when the level byte is what is damaged.
            Tree::Node if footer.entry_size == variant.nbt_entry_size() => {
                let trust = if intact {
                    Trust::Intact
                } else {
                    Trust::Damaged
                };
                for i in 0..footer.count {
                    let e = parse_nbt(variant, entry(i));
                    if e.nid.0 == 0 || !self.in_node_hole(e.nid.0) {
                        continue;
                    }
                    let better = match self.nodes.get(&e.nid.0) {
                        None => true,
                        Some(&(_, had, bid)) => {
                            (trust, std::cmp::Reverse(t.bid)) < (had, std::cmp::Reverse(bid))
                        }
                    };
                    if better {
                        self.nodes.insert(e.nid.0, (e, trust, t.bid));
                    }
                }
            }
            // Block leaves and branches have entries of one width: only an intact page's
            // level byte can tell them apart, and a damaged page is not needed, for the
            // blocks name themselves.
            Tree::Block
                if intact && footer.level == 0 && footer.entry_size == variant.bbt_entry_size() =>
            {
                for i in 0..footer.count {
                    let e = parse_bbt(variant, entry(i));
                    let key = bid_key(e.bid);
                    if key == 0 || !self.in_block_hole(key) {
                        continue;
                    }
                    if self
                        .block_entries
                        .get(&key)
                        .is_none_or(|&(_, bid)| bid < t.bid)
                    {
                        self.block_entries.insert(key, (e, t.bid));
                    }
                }
            }
            _ => {}
        }
    }

    /// Looks at the bytes before `end` (a block boundary in `window`) as a block trailer.
    fn block(&mut self, variant: Variant, window: &[u8], window_at: u64, end: usize) {
        let tsize = variant.block_trailer_size();
        let t = BlockTrailer::parse(variant, &window[end - tsize..end]);
        let cb = t.cb as usize;
        // Cheap tests first: most boundaries are not the end of a block.
        if t.bid == 0 || t.bid >> 48 != 0 || cb == 0 || cb > variant.max_block_data() {
            return;
        }
        let disk = variant.block_disk_size(cb) as usize;
        if disk > end {
            return;
        }
        let start = end - disk;
        if crc32(&window[start..start + cb]) != t.crc {
            return;
        }
        let cb_inflated = if variant == Variant::Unicode4k && t.cb_inflated != 0 {
            t.cb_inflated
        } else {
            t.cb
        };
        self.blocks.push(FoundBlock {
            bid: t.bid,
            ib: window_at + start as u64,
            cb: t.cb,
            cb_inflated,
            signature: t.signature,
        });
    }
}
