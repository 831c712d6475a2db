//! Where a file's fixed pages sit: the density list, the allocation maps (AMaps) and,
//! in 512-byte-page files, the page maps and free maps, at the offsets the format fixes.
//! Read by the structural check and followed by the writer, so both agree by
//! construction.

use super::Variant;
use super::page::PageType;

/// AMaps the header's `rgbFM` stands for; the first FMap page describes the next ones.
pub const HEADER_FMAP_AMAPS: u64 = 128;
/// PMaps the header's `rgbFP` stands for (one bit each): 8,192 AMaps' worth.
pub const HEADER_FPMAP_PMAPS: u64 = 128 * 8;

/// The fixed places of a variant. Unicode PST: the first allocation map (AMap) at 0x4400,
/// one every 253,952 bytes, each mapping its span in 64-byte slots; the deprecated page
/// map (PMap) at 0x4600 and then with every 8th AMap; the density list at 0x4200.
/// 4 KiB stores (as Outlook 2013 writes them): the density list at 0x21000, the first AMap
/// at 0x22000, each mapping 4,072 x 8 slots of 512 bytes, and no PMap.
///
/// 512-byte-page files also carry the deprecated free maps: an FMap page (one byte per
/// AMap) for every 496 AMaps after the 128 the header covers, and an FPMap page (one bit
/// per PMap) for every 496 x 8 PMaps after the 1,024 the header covers. Each sits in the
/// span of the first AMap it describes, in a fixed slot after that span's AMap: AMap
/// +0x000, PMap +0x200, FMap +0x400, FPMap +0x600. Published writers disagree on whether
/// an FPMap without an FMap beside it moves up to +0x400; the fixed slot is used here, and
/// the check expects the same. [MS-PST] documents neither PMaps nor free maps for 4 KiB
/// files and libpff notes PMaps were never seen in them, so those files have none.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub page: u64,
    pub dlist: u64,
    pub first_amap: u64,
    pub slot: u64,
    pub bitmap_bytes: u64,
    pub pmap: Option<(u64, u64)>,
    /// Whether the file has FMap and FPMap pages.
    pub free_maps: bool,
}

impl Layout {
    pub fn of(variant: Variant) -> Layout {
        match variant {
            Variant::Unicode4k => Layout {
                page: 4096,
                dlist: 0x21000,
                first_amap: 0x22000,
                slot: 512,
                bitmap_bytes: 4072,
                pmap: None,
                free_maps: false,
            },
            _ => Layout {
                page: 512,
                dlist: 0x4200,
                first_amap: 0x4400,
                slot: 64,
                bitmap_bytes: 496,
                pmap: Some((0x4600, 496 * 8 * 512)),
                free_maps: true,
            },
        }
    }

    pub fn amap_span(&self) -> u64 {
        self.bitmap_bytes * 8 * self.slot
    }

    /// The AMap page of span `index`.
    pub fn amap_at(&self, index: u64) -> u64 {
        self.first_amap + index * self.amap_span()
    }

    /// The span holding `offset`, which is at or past the first AMap.
    pub fn span_of(&self, offset: u64) -> u64 {
        (offset - self.first_amap) / self.amap_span()
    }

    /// The AMaps one FMap page describes, and the PMaps one FPMap page describes.
    fn entries_per_free_map(&self) -> (u64, u64) {
        (self.bitmap_bytes, self.bitmap_bytes * 8)
    }

    fn has_pmap(&self, span: u64) -> bool {
        self.pmap.is_some() && span.is_multiple_of(8)
    }

    fn has_fmap(&self, span: u64) -> bool {
        let (per, _) = self.entries_per_free_map();
        self.free_maps
            && span >= HEADER_FMAP_AMAPS
            && (span - HEADER_FMAP_AMAPS).is_multiple_of(per)
    }

    fn has_fpmap(&self, span: u64) -> bool {
        let (_, per) = self.entries_per_free_map();
        let first = HEADER_FPMAP_PMAPS * 8;
        self.free_maps && span >= first && (span - first).is_multiple_of(per * 8)
    }

    /// The map pages at the start of span `index`, in file order.
    pub fn map_pages(&self, index: u64) -> Vec<(u64, PageType)> {
        let amap = self.amap_at(index);
        let mut pages = vec![(amap, PageType::AMap)];
        if self.has_pmap(index) {
            pages.push((amap + self.page, PageType::PMap));
        }
        if self.has_fmap(index) {
            pages.push((amap + 2 * self.page, PageType::FMap));
        }
        if self.has_fpmap(index) {
            pages.push((amap + 3 * self.page, PageType::FpMap));
        }
        pages
    }

    /// Every map page that starts before `end`, in file order.
    pub fn map_page_offsets(&self, end: u64) -> Vec<(u64, PageType)> {
        (0..)
            .take_while(|&i| self.amap_at(i) < end)
            .flat_map(|i| self.map_pages(i))
            .filter(|&(ib, _)| ib < end)
            .collect()
    }

    /// The FMap page describing the AMap of span `index`, and the byte that does.
    pub fn fmap_entry(&self, index: u64) -> Option<(u64, usize)> {
        let (per, _) = self.entries_per_free_map();
        if !self.free_maps || index < HEADER_FMAP_AMAPS {
            return None;
        }
        let n = index - HEADER_FMAP_AMAPS;
        let host = HEADER_FMAP_AMAPS + n / per * per;
        Some((self.amap_at(host) + 2 * self.page, (n % per) as usize))
    }

    /// The FPMap page describing the PMap of span `index` (a multiple of 8), and the bit.
    pub fn fpmap_entry(&self, index: u64) -> Option<(u64, usize)> {
        let (_, per) = self.entries_per_free_map();
        let pmap = index / 8;
        if !self.free_maps || !self.has_pmap(index) || pmap < HEADER_FPMAP_PMAPS {
            return None;
        }
        let n = pmap - HEADER_FPMAP_PMAPS;
        let host = (HEADER_FPMAP_PMAPS + n / per * per) * 8;
        Some((self.amap_at(host) + 3 * self.page, (n % per) as usize))
    }

    pub fn is_map_page(&self, page_start: u64) -> bool {
        if page_start < self.first_amap {
            return false;
        }
        let span = self.span_of(page_start);
        match (page_start - self.amap_at(span)) / self.page {
            0 => true,
            1 => self.has_pmap(span),
            2 => self.has_fmap(span),
            3 => self.has_fpmap(span),
            _ => false,
        }
    }

    pub fn amap_offsets(&self, end: u64) -> Vec<u64> {
        (0..)
            .map(|i| self.amap_at(i))
            .take_while(|&o| o < end)
            .collect()
    }

    pub fn pmap_offsets(&self, end: u64) -> Vec<u64> {
        match self.pmap {
            Some((first, span)) => (0..)
                .map(|i| first + i * span)
                .take_while(|&o| o < end)
                .collect(),
            None => Vec::new(),
        }
    }
}
