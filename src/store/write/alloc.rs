//! Where things go in a new file: a bump allocator that steps around the map pages the
//! format fixes at regular offsets, and the bitmaps the allocation-map pages publish.
//!
//! The allocator only moves forward, so once it leaves an allocation-map span nothing
//! more is placed there and that span's bitmap is final. It is handed out then, and only
//! the open span's bits are kept: memory stays the same for a 50 MB or a 50 GB file.

use crate::store::ndb::layout::Layout;

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
    use crate::store::ndb::Variant;
    use crate::store::ndb::page::PageType;

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
