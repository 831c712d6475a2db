//! Where the block index puts each block: inside the file, on its alignment, within the
//! size a block may have, and not on bytes that another block, an index page or an
//! allocation map page already occupies.

use super::finding::{Class, Finding};
use super::scan::Scan;
use crate::store::ndb::layout::Layout;
use crate::work::Cancelled;

/// What occupies a stretch of the file.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    Block(u64),
    Page { bid: u64, node_index: bool },
    MapPage,
    Header,
}

impl Owner {
    fn describe(self) -> String {
        match self {
            Owner::Block(bid) => format!("block 0x{bid:X}"),
            Owner::Page { bid, node_index } => format!(
                "{} page 0x{bid:X}",
                if node_index {
                    "node B-tree"
                } else {
                    "block B-tree"
                }
            ),
            Owner::MapPage => "an allocation map page".to_string(),
            Owner::Header => "the file header".to_string(),
        }
    }
}

/// A stretch of the file: 16 bytes, as a large store has millions (one per block). Its
/// owner is kept as a position in the scan's lists, not as an [`Owner`], which would
/// double its size; [`Extent::owner`] gives it back.
#[derive(Debug, Clone, Copy)]
pub struct Extent {
    pub start: u64,
    len: u32,
    /// The kind in the top two bits (`TAG_*`), a position below them.
    who: u32,
}

const TAG_SHIFT: u32 = 30;
const TAG_BLOCK: u32 = 0;
const TAG_PAGE: u32 = 1;
const TAG_MAP: u32 = 2;
const TAG_HEADER: u32 = 3;

impl Extent {
    fn new(start: u64, end: u64, tag: u32, position: usize) -> Extent {
        Extent {
            start,
            // Blocks, pages and the header are at most a few KiB long.
            len: (end - start) as u32,
            who: (tag << TAG_SHIFT) | position as u32,
        }
    }

    /// Exclusive.
    pub fn end(&self) -> u64 {
        self.start + u64::from(self.len)
    }

    pub fn owner(&self, scan: &Scan) -> Owner {
        let position = (self.who & ((1 << TAG_SHIFT) - 1)) as usize;
        match self.who >> TAG_SHIFT {
            TAG_BLOCK => Owner::Block(scan.blocks[position].bid),
            TAG_PAGE => {
                let (_, bid, node_index) = scan.pages[position];
                Owner::Page { bid, node_index }
            }
            TAG_MAP => Owner::MapPage,
            _ => Owner::Header,
        }
    }
}

/// Checks every block's entry on its own, marks blocks that cannot be read as bad, and
/// returns every occupied stretch of the file in file order.
pub fn check(scan: &mut Scan) -> Result<Vec<Extent>, Cancelled> {
    let variant = scan.ndb().variant();
    let file_len = scan.ndb().file_len();
    let header_eof = scan.ndb().header().file_eof;
    let total = scan.blocks.len() as u64;
    scan.begin(total, "Checking where blocks lie")?;
    let layout = Layout::of(variant);
    let map_pages = layout.map_page_offsets(file_len);
    // Exactly as many as there will be: a large store has millions of blocks, and a vector
    // that doubles past them holds twice their room.
    let mut extents =
        Vec::with_capacity(scan.blocks.len() + scan.pages.len() + map_pages.len() + 1);
    for i in 0..scan.blocks.len() {
        scan.tick(i as u64, total, "Checking where blocks lie")?;
        let b = scan.blocks[i];
        let at = |f: Finding| f.offset(b.ib).bid(b.bid);
        if b.cb as usize > variant.max_block_data() {
            scan.report(at(Finding::new(
                Class::BbtEntry,
                "block B-tree entry",
                format!(
                    "stored size {} bytes is more than a block can hold ({})",
                    b.cb,
                    variant.max_block_data()
                ),
            )));
            scan.block_state[i].bad = true;
            continue;
        }
        if !b.ib.is_multiple_of(variant.block_alignment()) {
            scan.report(at(Finding::new(
                Class::BbtEntry,
                "block B-tree entry",
                format!(
                    "offset 0x{:X} is not on a {}-byte boundary",
                    b.ib,
                    variant.block_alignment()
                ),
            )));
            scan.block_state[i].bad = true;
            continue;
        }
        let end = b.ib.saturating_add(variant.block_disk_size(b.cb as usize));
        if end > file_len || end > header_eof {
            let limit = file_len.min(header_eof);
            scan.report(at(Finding::new(
                Class::BbtOutOfFile,
                "block B-tree entry",
                format!(
                    "the block occupies bytes 0x{:X}..0x{end:X}, past the end of the file at 0x{limit:X}",
                    b.ib
                ),
            )));
            scan.block_state[i].bad = true;
            continue;
        }
        extents.push(Extent::new(b.ib, end, TAG_BLOCK, i));
    }
    let page = variant.page_size() as u64;
    for (n, &(ib, _, _)) in scan.pages.iter().enumerate() {
        extents.push(Extent::new(ib, ib + page, TAG_PAGE, n));
    }
    for (ib, _) in map_pages {
        extents.push(Extent::new(ib, ib + page, TAG_MAP, 0));
    }
    // The header occupies the start of the file; nothing may be allocated there.
    extents.push(Extent::new(0, variant.header_size() as u64, TAG_HEADER, 0));
    // Sorted in place (a stable sort would take half their room again).
    extents.sort_unstable_by_key(|e| (e.start, e.end()));
    overlaps(scan, &extents)?;
    Ok(extents)
}

/// Reports each stretch that begins inside an earlier one.
fn overlaps(scan: &mut Scan, extents: &[Extent]) -> Result<(), Cancelled> {
    let mut reach: Option<Extent> = None;
    let total = extents.len() as u64;
    for (n, e) in extents.iter().enumerate() {
        scan.tick(n as u64, total, "Checking where blocks lie")?;
        let (start, end) = (e.start, e.end());
        if let Some(r) = reach
            && start < r.end()
        {
            let (owner, r_owner) = (e.owner(scan), r.owner(scan));
            let (r_start, r_end) = (r.start, r.end());
            let mut f = Finding::new(
                Class::BbtOverlap,
                "block",
                format!(
                    "{} at 0x{start:X}..0x{end:X} overlaps {} at 0x{r_start:X}..0x{r_end:X}",
                    owner.describe(),
                    r_owner.describe()
                ),
            )
            .offset(start);
            if let (Owner::Block(bid), _) | (_, Owner::Block(bid)) = (owner, r_owner) {
                f = f.bid(bid);
            }
            scan.report(f);
        }
        if reach.is_none_or(|r| end > r.end()) {
            reach = Some(*e);
        }
    }
    Ok(())
}
