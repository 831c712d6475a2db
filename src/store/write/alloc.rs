//! Where things go in a new file: a bump allocator that steps around the allocation-map
//! pages the format fixes at regular offsets, and the bitmaps those pages publish.

use crate::store::ndb::Variant;

/// The fixed places of a variant. Unicode PST: the first allocation map (AMap) at 0x4400,
/// one every 253,952 bytes, each mapping its span in 64-byte slots; the deprecated page
/// map (PMap) at 0x4600 and then with every 8th AMap; the density list at 0x4200.
/// 4 KiB stores (as Outlook 2013 writes them): the density list at 0x21000, the first AMap
/// at 0x22000, each mapping 4,072 x 8 slots of 512 bytes, and no PMap.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub page: u64,
    pub dlist: u64,
    pub first_amap: u64,
    pub slot: u64,
    pub bitmap_bytes: u64,
    pub pmap: Option<(u64, u64)>,
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
            },
            _ => Layout {
                page: 512,
                dlist: 0x4200,
                first_amap: 0x4400,
                slot: 64,
                bitmap_bytes: 496,
                pmap: Some((0x4600, 496 * 8 * 512)),
            },
        }
    }

    pub fn amap_span(&self) -> u64 {
        self.bitmap_bytes * 8 * self.slot
    }

    fn is_map_page(&self, page_start: u64) -> bool {
        if page_start < self.first_amap {
            return false;
        }
        let amap = (page_start - self.first_amap).is_multiple_of(self.amap_span());
        let pmap = self.pmap.is_some_and(|(first, span)| {
            page_start >= first && (page_start - first).is_multiple_of(span)
        });
        amap || pmap
    }

    pub fn amap_offsets(&self, end: u64) -> Vec<u64> {
        (0..)
            .map(|i| self.first_amap + i * self.amap_span())
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

pub struct Allocator {
    layout: Layout,
    next: u64,
    /// One bit per slot from the first AMap, set when allocated.
    used: Vec<u8>,
}

impl Allocator {
    pub fn new(layout: Layout) -> Allocator {
        Allocator {
            layout,
            next: layout.first_amap,
            used: Vec::new(),
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
        let first = (start - self.layout.first_amap) / slot;
        let last = (start + size - self.layout.first_amap).div_ceil(slot);
        let need = (last as usize).div_ceil(8);
        if self.used.len() < need {
            self.used.resize(need, 0);
        }
        for s in first..last {
            self.used[(s / 8) as usize] |= 0x80 >> (s % 8);
        }
    }

    /// The end of the file, in whole pages past everything allocated.
    pub fn end(&self) -> u64 {
        self.next.div_ceil(self.layout.page) * self.layout.page
    }

    /// The bitmap of the AMap page at `amap`, and the free bytes it maps below the end.
    pub fn amap_bitmap(&self, amap: u64) -> (Vec<u8>, u64) {
        let l = &self.layout;
        let mut bits = vec![0u8; l.bitmap_bytes as usize];
        let base = (amap - l.first_amap) / l.slot;
        let mut free = 0u64;
        for i in 0..l.bitmap_bytes * 8 {
            let s = base + i;
            let offset = amap + i * l.slot;
            let used = l.is_map_page(offset / l.page * l.page)
                || self
                    .used
                    .get((s / 8) as usize)
                    .is_some_and(|b| b & (0x80 >> (s % 8)) != 0);
            if used {
                bits[(i / 8) as usize] |= 0x80 >> (i % 8);
            } else if offset < self.end() {
                free += l.slot;
            }
        }
        (bits, free)
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
    }

    #[test]
    fn the_bitmap_marks_map_pages_and_allocations() {
        let mut a = Allocator::new(Layout::of(Variant::Unicode));
        a.alloc(128, 64);
        let (bits, _) = a.amap_bitmap(0x4400);
        assert_eq!(bits[0], 0xFF, "the AMap page itself");
        assert_eq!(bits[1], 0xFF, "the PMap page");
        assert_eq!(bits[2], 0xC0, "two 64-byte slots");
    }
}
