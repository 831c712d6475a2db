//! Where things go in a new file: a bump allocator that steps around the map pages the
//! format fixes at regular offsets, and the bitmaps the allocation-map pages publish.
//!
//! The allocator only moves forward, so once it leaves an allocation-map span nothing
//! more is placed there and that span's bitmap is final. It is handed out then, and only
//! the open span's bits are kept: memory stays the same for a 50 MB or a 50 GB file.

use crate::store::ndb::Variant;
use crate::store::ndb::page::PageType;

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

    fn is_map_page(&self, page_start: u64) -> bool {
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

/// The final bitmap of one AMap span.
#[derive(Debug, Clone)]
pub struct SpanMap {
    pub index: u64,
    /// Where its AMap page goes.
    pub amap: u64,
    pub bits: Vec<u8>,
    /// Free bytes it maps below the end of the file.
    pub free: u64,
    /// The longest run of free slots, what an FMap byte records (before capping).
    pub longest_free: u64,
}

pub struct Allocator {
    layout: Layout,
    next: u64,
    /// The span whose bitmap is still open, and its bits: one per slot, set when allocated.
    open: u64,
    bits: Vec<u8>,
    /// Spans closed and not yet taken by the writer.
    closed: Vec<SpanMap>,
}

impl Allocator {
    pub fn new(layout: Layout) -> Allocator {
        Allocator {
            layout,
            next: layout.first_amap,
            open: 0,
            bits: vec![0; layout.bitmap_bytes as usize],
            closed: Vec::new(),
        }
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Reserves `size` bytes aligned to `align`, never overlapping a map page.
    pub fn alloc(&mut self, size: u64, align: u64) -> u64 {
        let page = self.layout.page;
        loop {
            let start = self.next.div_ceil(align) * align;
            let end = start + size;
            let first_page = start / page * page;
            let clash = (first_page..end)
                .step_by(page as usize)
                .find(|&p| self.layout.is_map_page(p));
            match clash {
                Some(p) => self.next = p + page,
                None => {
                    self.mark(start, size);
                    self.next = end;
                    return start;
                }
            }
        }
    }

    fn mark(&mut self, start: u64, size: u64) {
        let slot = self.layout.slot;
        let per_span = self.layout.bitmap_bytes * 8;
        let first = (start - self.layout.first_amap) / slot;
        let last = (start + size - self.layout.first_amap).div_ceil(slot);
        for s in first..last {
            while s / per_span > self.open {
                self.close(u64::MAX);
            }
            let i = s % per_span;
            self.bits[(i / 8) as usize] |= 0x80 >> (i % 8);
        }
    }

    /// Seals the open span's bitmap, counting free space only below `end`.
    fn close(&mut self, end: u64) {
        let l = self.layout;
        let amap = l.amap_at(self.open);
        let mut bits = std::mem::replace(&mut self.bits, vec![0; l.bitmap_bytes as usize]);
        for (ib, _) in l.map_pages(self.open) {
            for k in 0..l.page / l.slot {
                let i = (ib - amap) / l.slot + k;
                bits[(i / 8) as usize] |= 0x80 >> (i % 8);
            }
        }
        let (mut free, mut run, mut longest) = (0, 0, 0);
        for i in 0..l.bitmap_bytes * 8 {
            if bits[(i / 8) as usize] & (0x80 >> (i % 8)) != 0 {
                run = 0;
                continue;
            }
            run += 1;
            longest = longest.max(run);
            if amap + i * l.slot < end {
                free += l.slot;
            }
        }
        self.closed.push(SpanMap {
            index: self.open,
            amap,
            bits,
            free,
            longest_free: longest,
        });
        self.open += 1;
    }

    /// The spans closed since the last call, in file order.
    pub fn take_closed(&mut self) -> Vec<SpanMap> {
        std::mem::take(&mut self.closed)
    }

    /// The end of the file, in whole pages past everything allocated.
    pub fn end(&self) -> u64 {
        let l = &self.layout;
        let end = self.next.div_ceil(l.page) * l.page;
        end.max(l.first_amap + 2 * l.page)
    }

    /// Closes every span the file reaches and returns the file's end. Nothing may be
    /// allocated afterwards.
    pub fn finish(&mut self) -> u64 {
        let end = self.end();
        while self.layout.amap_at(self.open) < end {
            self.close(end);
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_step_around_map_pages_and_keep_alignment() {
        let mut a = Allocator::new(Layout::of(Variant::Unicode));
        assert_eq!(a.alloc(64, 64), 0x4800, "after the first AMap and PMap");
        assert_eq!(a.alloc(512, 512) % 512, 0);
        let second_amap = 0x4400 + a.layout().amap_span();
        a.next = second_amap - 32;
        assert_eq!(a.alloc(128, 64), second_amap + 512);
    }

    #[test]
    fn four_k_layout_starts_after_its_amap_page() {
        let mut a = Allocator::new(Layout::of(Variant::Unicode4k));
        assert_eq!(a.alloc(100, 512), 0x23000);
        assert_eq!(
            a.layout().amap_span(),
            16_678_912,
            "the real OST ends exactly one span after 0x22000"
        );
        assert!(
            a.layout()
                .map_page_offsets(1 << 40)
                .iter()
                .all(|p| p.1 == PageType::AMap)
        );
    }

    #[test]
    fn the_bitmap_marks_map_pages_and_allocations() {
        let mut a = Allocator::new(Layout::of(Variant::Unicode));
        a.alloc(128, 64);
        let end = a.finish();
        assert_eq!(end, 0x4800 + 512);
        let spans = a.take_closed();
        assert_eq!(spans.len(), 1);
        let bits = &spans[0].bits;
        assert_eq!(bits[0], 0xFF, "the AMap page itself");
        assert_eq!(bits[1], 0xFF, "the PMap page");
        assert_eq!(bits[2], 0xC0, "two 64-byte slots");
        assert_eq!(spans[0].free, 6 * 64, "the rest of the last page");
        assert_eq!(spans[0].longest_free, 496 * 8 - 18);
    }

    #[test]
    fn a_span_is_handed_out_once_the_allocator_leaves_it() {
        let l = Layout::of(Variant::Unicode);
        let mut a = Allocator::new(l);
        a.alloc(64, 64);
        assert!(a.take_closed().is_empty());
        a.next = l.amap_at(1) - 64;
        a.alloc(64, 64);
        assert!(a.take_closed().is_empty(), "the last slot of span 0");
        assert_eq!(a.alloc(64, 64), l.amap_at(1) + 512, "no PMap in span 1");
        let closed = a.take_closed();
        assert_eq!(closed.len(), 1);
        assert_eq!(closed[0].amap, 0x4400);
        assert_eq!(closed[0].bits[495], 0x01, "the slot just before span 1");
        a.next = l.amap_at(5);
        a.alloc(64, 64);
        let skipped: Vec<u64> = a.take_closed().iter().map(|s| s.index).collect();
        assert_eq!(skipped, [1, 2, 3, 4], "spans passed over are closed too");
    }

    #[test]
    fn free_maps_sit_in_fixed_slots_at_their_intervals() {
        let l = Layout::of(Variant::Unicode);
        let first_fmap = l.amap_at(128) + 0x400;
        assert_eq!(first_fmap, 0x1F0_4800);
        assert_eq!(
            l.map_pages(128),
            [
                (0x1F0_4400, PageType::AMap),
                (0x1F0_4600, PageType::PMap),
                (first_fmap, PageType::FMap)
            ]
        );
        assert_eq!(l.fmap_entry(127), None, "the header covers it");
        assert_eq!(l.fmap_entry(128), Some((first_fmap, 0)));
        assert_eq!(l.fmap_entry(623), Some((first_fmap, 495)));
        assert_eq!(l.fmap_entry(624), Some((l.amap_at(624) + 0x400, 0)));
        let first_fpmap = l.amap_at(8192) + 0x600;
        assert_eq!(first_fpmap, 0x7C00_4A00);
        assert!(l.map_pages(8192).contains(&(first_fpmap, PageType::FpMap)));
        assert!(!l.map_pages(8192).iter().any(|p| p.1 == PageType::FMap));
        assert_eq!(l.fpmap_entry(8184), None);
        assert_eq!(l.fpmap_entry(8192), Some((first_fpmap, 0)));
        assert_eq!(l.fpmap_entry(8192 + 31_744 - 8), Some((first_fpmap, 3967)));
        let second = l.amap_at(8192 + 31_744) + 0x600;
        assert!(
            l.map_pages(8192 + 31_744)
                .contains(&(second, PageType::FpMap))
        );
        let mut a = Allocator::new(l);
        a.next = first_fmap;
        assert_eq!(a.alloc(64, 64), first_fmap + 512, "steps over the FMap");
        a.next = first_fpmap - 512;
        assert_eq!(
            a.alloc(512, 512),
            first_fpmap - 512,
            "the slot FMaps use is free when there is none"
        );
        assert_eq!(a.alloc(64, 64), first_fpmap + 512, "steps over the FPMap");
    }
}
