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

/// Every occupied stretch of the file, in file order. A large store has millions (one per
/// block), so each is 8 bytes: a sort key whose high half is the stretch's start (in units
/// of 64 bytes, every block's and page's alignment, or wider in a file past 256 GiB) and
/// whose low half names its owner by kind (top two bits, `TAG_*`) and position in the
/// scan's lists. Where it ends is looked up from the owner, which knows its size.
pub struct Extents {
    keys: Vec<u64>,
    /// The allocation map pages' offsets, which no list of the scan holds.
    map_pages: Vec<u64>,
    header_size: u64,
}

/// One stretch: bytes `start..end` (exclusive), and what occupies them.
#[derive(Debug, Clone, Copy)]
pub struct Extent {
    pub start: u64,
    pub end: u64,
    pub owner: Owner,
}

const TAG_SHIFT: u32 = 30;
const TAG_BLOCK: u32 = 0;
const TAG_PAGE: u32 = 1;
const TAG_MAP: u32 = 2;
const TAG_HEADER: u32 = 3;
/// 64 bytes: blocks are aligned to 64 or 512, pages to 512 or 4096, the header is at 0.
const UNIT_SHIFT: u32 = 6;

impl Extents {
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// The `n`th stretch in file order.
    pub fn get(&self, scan: &Scan, n: usize) -> Extent {
        self.get_key(scan, self.keys[n])
    }

    fn get_key(&self, scan: &Scan, key: u64) -> Extent {
        let who = key as u32;
        let position = (who & ((1 << TAG_SHIFT) - 1)) as usize;
        let variant = scan.ndb().variant();
        let page = variant.page_size() as u64;
        match who >> TAG_SHIFT {
            TAG_BLOCK => {
                let b = scan.blocks[position];
                Extent {
                    start: b.ib,
                    end: b.ib + variant.block_disk_size(b.cb as usize),
                    owner: Owner::Block(b.bid),
                }
            }
            TAG_PAGE => {
                let (ib, bid, node_index) = scan.pages[position];
                Extent {
                    start: ib,
                    end: ib + page,
                    owner: Owner::Page { bid, node_index },
                }
            }
            TAG_MAP => {
                let ib = self.map_pages[position];
                Extent {
                    start: ib,
                    end: ib + page,
                    owner: Owner::MapPage,
                }
            }
            _ => Extent {
                start: 0,
                end: self.header_size,
                owner: Owner::Header,
            },
        }
    }
}

/// How far a start is shifted to fit the key's high 32 bits: 64-byte units up to 256 GiB,
/// wider past it (stretches that then share a key are put in order by their exact bounds).
fn start_shift(file_len: u64) -> u32 {
    let bits = 64 - file_len.leading_zeros();
    bits.saturating_sub(32).max(UNIT_SHIFT)
}

fn key(start: u64, shift: u32, tag: u32, position: usize) -> u64 {
    ((start >> shift) << 32) | u64::from((tag << TAG_SHIFT) | position as u32)
}

/// Checks every block's entry on its own, marks blocks that cannot be read as bad, and
/// returns every occupied stretch of the file in file order.
pub fn check(scan: &mut Scan) -> Result<Extents, Cancelled> {
    let extents = collect(scan, None)?;
    overlaps(scan, &extents)?;
    Ok(extents)
}

/// The stretches in file order, keyed with `shift` when given (a test's, to make stretches
/// share keys as they do in a file past 256 GiB).
fn collect(scan: &mut Scan, shift: Option<u32>) -> Result<Extents, Cancelled> {
    let variant = scan.ndb().variant();
    let file_len = scan.ndb().file_len();
    let header_eof = scan.ndb().header().file_eof;
    let total = scan.blocks.len() as u64;
    scan.begin(total, "Checking where blocks lie")?;
    let layout = Layout::of(variant);
    let map_pages: Vec<u64> = layout
        .map_page_offsets(file_len)
        .into_iter()
        .map(|(ib, _)| ib)
        .collect();
    let shift = shift.unwrap_or_else(|| start_shift(file_len));
    // Exactly as many as there will be: a large store has millions of blocks, and a vector
    // that doubles past them holds twice their room.
    let mut keys = Vec::with_capacity(scan.blocks.len() + scan.pages.len() + map_pages.len() + 1);
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
        keys.push(key(b.ib, shift, TAG_BLOCK, i));
    }
    for (n, &(ib, _, _)) in scan.pages.iter().enumerate() {
        keys.push(key(ib, shift, TAG_PAGE, n));
    }
    for (n, &ib) in map_pages.iter().enumerate() {
        keys.push(key(ib, shift, TAG_MAP, n));
    }
    // The header occupies the start of the file; nothing may be allocated there.
    keys.push(key(0, shift, TAG_HEADER, 0));
    // Sorted in place (a stable sort would take half their room again).
    keys.sort_unstable();
    let mut extents = Extents {
        keys,
        map_pages,
        header_size: variant.header_size() as u64,
    };
    order_ties(scan, &mut extents);
    Ok(extents)
}

/// Stretches whose keys share a start are put in order by their exact start, then end, so
/// that which one is said to overlap which does not depend on their kinds or positions.
fn order_ties(scan: &Scan, extents: &mut Extents) {
    let mut keys = std::mem::take(&mut extents.keys);
    let mut from = 0;
    while from < keys.len() {
        let high = keys[from] >> 32;
        let mut to = from + 1;
        while to < keys.len() && keys[to] >> 32 == high {
            to += 1;
        }
        if to - from > 1 {
            let bounds = |k: &u64| {
                let e = extents.get_key(scan, *k);
                (e.start, e.end, *k)
            };
            keys[from..to].sort_unstable_by_key(bounds);
        }
        from = to;
    }
    extents.keys = keys;
}

/// Reports each stretch that begins inside an earlier one.
fn overlaps(scan: &mut Scan, extents: &Extents) -> Result<(), Cancelled> {
    let mut reach: Option<Extent> = None;
    let total = extents.len() as u64;
    for n in 0..extents.len() {
        scan.tick(n as u64, total, "Checking where blocks lie")?;
        let e = extents.get(scan, n);
        let (start, end) = (e.start, e.end);
        if let Some(r) = reach
            && start < r.end
        {
            let (owner, r_owner) = (e.owner, r.owner);
            let (r_start, r_end) = (r.start, r.end);
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
        if reach.is_none_or(|r| end > r.end) {
            reach = Some(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::index;
    use super::*;
    use crate::store::Store;
    use crate::store::write::Target;
    use crate::synthetic::{GenOptions, generate};
    use crate::work::Work;

    #[test]
    fn a_start_fits_the_keys_high_half_in_any_file() {
        assert_eq!(start_shift(0), UNIT_SHIFT);
        assert_eq!(start_shift(5 << 30), UNIT_SHIFT);
        assert_eq!(start_shift((256 << 30) - 1), UNIT_SHIFT);
        assert_eq!(start_shift(256 << 30), 7);
        for len in [1u64, 4096, 50 << 30, 300 << 30, 1 << 50, u64::MAX] {
            assert!(
                (len - 1) >> start_shift(len) <= u64::from(u32::MAX),
                "{len}"
            );
        }
    }

    /// In a file past 256 GiB a key holds a start only to the nearest 128 bytes or more;
    /// the stretches that then share a key come out in the order exact starts give.
    #[test]
    fn stretches_sharing_a_key_come_in_file_order() {
        let scratch = crate::temp::TempDir::new("extents");
        for (target, name) in [(Target::Pst, "a.pst"), (Target::Ost4k, "a.ost")] {
            let path = scratch.path().join(name);
            let options = GenOptions {
                target,
                folders: 2,
                messages: 300,
                seed: 3,
                sync_log_lines: Vec::new(),
                attachment_kb: None,
            };
            generate(&path, &options).unwrap();
            let store = Store::open(&path).unwrap();
            let mut work = Work::quiet();
            let mut scan = Scan::new(&store, &mut work);
            index::read_nodes(&mut scan).unwrap();
            index::read_blocks(&mut scan).unwrap();
            let listed = |scan: &mut Scan, shift| {
                let extents = collect(scan, shift).unwrap();
                (0..extents.len())
                    .map(|n| {
                        let e = extents.get(scan, n);
                        (e.start, e.end, format!("{:?}", e.owner))
                    })
                    .collect::<Vec<_>>()
            };
            let exact = listed(&mut scan, None);
            assert!(exact.len() > 300, "{name}: {}", exact.len());
            assert!(
                exact
                    .windows(2)
                    .all(|w| (w[0].0, w[0].1) <= (w[1].0, w[1].1))
            );
            assert_eq!(exact[0].2, "Header");
            // 16 KiB units: every key is shared by several stretches.
            assert_eq!(listed(&mut scan, Some(14)), exact, "{name}");
        }
    }
}
