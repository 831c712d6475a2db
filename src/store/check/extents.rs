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

/// A stretch of the file: start, end (exclusive), owner.
pub type Extent = (u64, u64, Owner);

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
        extents.push((b.ib, end, Owner::Block(b.bid)));
    }
    let page = variant.page_size() as u64;
    for &(ib, bid, node_index) in &scan.pages {
        extents.push((ib, ib + page, Owner::Page { bid, node_index }));
    }
    for (ib, _) in map_pages {
        extents.push((ib, ib + page, Owner::MapPage));
    }
    // The header occupies the start of the file; nothing may be allocated there.
    extents.push((0, variant.header_size() as u64, Owner::Header));
    // Sorted in place (a stable sort would take half their room again).
    extents.sort_unstable_by_key(|&(start, end, _)| (start, end));
    overlaps(scan, &extents)?;
    Ok(extents)
}

/// Reports each stretch that begins inside an earlier one.
fn overlaps(scan: &mut Scan, extents: &[Extent]) -> Result<(), Cancelled> {
    let mut reach: Option<(u64, u64, Owner)> = None;
    let total = extents.len() as u64;
    for (n, &(start, end, owner)) in extents.iter().enumerate() {
        scan.tick(n as u64, total, "Checking where blocks lie")?;
        if let Some((r_start, r_end, r_owner)) = reach
            && start < r_end
        {
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
        if reach.is_none_or(|(_, r_end, _)| end > r_end) {
            reach = Some((start, end, owner));
        }
    }
    Ok(())
}
