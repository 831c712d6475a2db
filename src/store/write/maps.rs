//! The map pages of a new file, written as the allocator closes each AMap span: the AMap
//! itself, the PMap of every 8th span, and the deprecated FMap and FPMap pages, which
//! [MS-PST] still requires at their places with valid checksums.
//!
//! An FMap or FPMap page describes spans that come after it, so its bytes are gathered as
//! those spans close and the page is written once its last span closes or the file ends.
//! Only the one page of each kind being gathered is held.

use super::alloc::SpanMap;
use crate::store::ndb::layout::Layout;
use crate::store::ndb::page::PageType;

/// A map page body ready to be sealed with a trailer.
pub struct MapPage {
    pub ib: u64,
    pub ptype: PageType,
    pub body: Vec<u8>,
}

/// A free-map page still being filled.
struct Gathering {
    ib: u64,
    body: Vec<u8>,
}

pub struct MapPages {
    layout: Layout,
    amap_free: u64,
    last_amap: Option<u64>,
    fmap: Option<Gathering>,
    fpmap: Option<Gathering>,
}

impl MapPages {
    pub fn new(layout: Layout) -> MapPages {
        MapPages {
            layout,
            amap_free: 0,
            last_amap: None,
            fmap: None,
            fpmap: None,
        }
    }

    /// Free bytes all AMaps so far map, the header's `cbAMapFree`.
    pub fn amap_free(&self) -> u64 {
        self.amap_free
    }

    /// The last AMap page, the header's `ibAMapLast`.
    pub fn last_amap(&self) -> Option<u64> {
        self.last_amap
    }

    /// The pages a closed span completes: its AMap and PMap, and an FMap or FPMap page
    /// whose last entry it is.
    pub fn span_closed(&mut self, span: SpanMap, out: &mut Vec<MapPage>) {
        let l = self.layout;
        self.amap_free += span.free;
        self.last_amap = Some(span.amap);
        let index = span.index;
        out.push(MapPage {
            ib: span.amap,
            ptype: PageType::AMap,
            body: span.bits,
        });
        if l.map_pages(index).iter().any(|p| p.1 == PageType::PMap) {
            // Every page is marked taken: the density list is what finds free pages.
            out.push(MapPage {
                ib: span.amap + l.page,
                ptype: PageType::PMap,
                body: vec![0xFF; l.bitmap_bytes as usize],
            });
        }
        if let Some((ib, byte)) = l.fmap_entry(index) {
            let page = gather(&mut self.fmap, ib, &l, PageType::FMap, out);
            page.body[byte] = span.longest_free.min(255) as u8;
            if byte + 1 == l.bitmap_bytes as usize {
                emit(&mut self.fmap, PageType::FMap, out);
            }
        }
        if let Some((ib, bit)) = l.fpmap_entry(index) {
            let page = gather(&mut self.fpmap, ib, &l, PageType::FpMap, out);
            // Set: that PMap shows no free page, as all of ours do.
            page.body[bit / 8] |= 0x80 >> (bit % 8);
            if bit + 1 == l.bitmap_bytes as usize * 8 {
                emit(&mut self.fpmap, PageType::FpMap, out);
            }
        }
    }

    /// The free-map pages still being gathered when the file ends. Entries for AMaps and
    /// PMaps past the end stay 0: there is nothing there to describe.
    pub fn finish(&mut self, out: &mut Vec<MapPage>) {
        emit(&mut self.fmap, PageType::FMap, out);
        emit(&mut self.fpmap, PageType::FpMap, out);
    }
}

/// The page being gathered at `ib`, starting it (and emitting the one before) if needed.
fn gather<'a>(
    slot: &'a mut Option<Gathering>,
    ib: u64,
    l: &Layout,
    ptype: PageType,
    out: &mut Vec<MapPage>,
) -> &'a mut Gathering {
    if slot.as_ref().is_some_and(|g| g.ib != ib) {
        emit(slot, ptype, out);
    }
    slot.get_or_insert_with(|| Gathering {
        ib,
        body: vec![0; l.bitmap_bytes as usize],
    })
}

fn emit(slot: &mut Option<Gathering>, ptype: PageType, out: &mut Vec<MapPage>) {
    if let Some(g) = slot.take() {
        out.push(MapPage {
            ib: g.ib,
            ptype,
            body: g.body,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ndb::Variant;
    use crate::store::write::alloc::Allocator;

    #[test]
    fn the_first_fmap_describes_amaps_from_128_and_is_written_when_the_file_ends() {
        let l = Layout::of(Variant::Unicode);
        let mut a = Allocator::new(l);
        let mut maps = MapPages::new(l);
        let mut pages = Vec::new();
        // 8 KiB blocks up to the first one in span 130: each full span keeps a tail too
        // short for one more block.
        while a.alloc(8192, 64) < l.amap_at(130) {}
        let end = a.finish();
        for span in a.take_closed() {
            maps.span_closed(span, &mut pages);
        }
        maps.finish(&mut pages);
        assert_eq!(maps.last_amap(), Some(l.amap_at(130)));
        assert_eq!(end, l.amap_at(130) + 512 + 8192);
        let fmap = pages.iter().find(|p| p.ptype == PageType::FMap).unwrap();
        assert_eq!(fmap.ib, 0x1F0_4800);
        // Span 128: three map pages and 30 blocks leave 6,656 bytes; span 129: one map
        // page and 30 blocks leave 7,680; span 130 is nearly empty, so capped.
        assert_eq!(fmap.body[..3], [104, 120, 255]);
        assert!(fmap.body[3..].iter().all(|&b| b == 0));
        assert_eq!(
            pages.iter().filter(|p| p.ptype == PageType::PMap).count(),
            17
        );
        assert!(!pages.iter().any(|p| p.ptype == PageType::FpMap));
        // The tails: 16 spans with a PMap, 113 with only an AMap, span 128 with an FMap
        // too; nothing below the end in span 130.
        assert_eq!(maps.amap_free(), 16 * 7_168 + 113 * 7_680 + 6_656);
    }
}
