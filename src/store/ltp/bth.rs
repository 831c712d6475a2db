//! The B-tree-on-heap: sorted fixed-size records in heap allocations, used as the index of
//! property contexts (property id -> value) and of table rows (row id -> row index).

use super::heap::{CLIENT_BTH, HeapId, HeapRead};
use std::collections::HashSet;

use crate::store::error::{Error, ErrorKind, Result};
use crate::store::ndb::format::u32_at;

const STRUCTURE: &str = "BTH";

#[derive(Debug, Clone, Copy)]
pub struct BthHeader {
    pub key_size: usize,
    pub data_size: usize,
    pub levels: u8,
    pub root: HeapId,
}

pub fn header(heap: &(impl HeapRead + ?Sized), hid: HeapId) -> Result<BthHeader> {
    let h = heap.read(hid)?;
    if h.len() < 8 || h[0] != CLIENT_BTH {
        return Err(Error::malformed(
            STRUCTURE,
            format!(
                "the BTH header at heap id 0x{:X} is not a BTH header",
                hid.raw()
            ),
        )
        .with_nid(heap.nid()));
    }
    let header = BthHeader {
        key_size: h[1] as usize,
        data_size: h[2] as usize,
        levels: h[3],
        root: heap.hid(u32_at(&h, 4)),
    };
    if !matches!(header.key_size, 2 | 4 | 8 | 16) || header.data_size == 0 || header.data_size > 32
    {
        return Err(Error::malformed(
            STRUCTURE,
            format!(
                "key size {} / data size {} are not valid",
                header.key_size, header.data_size
            ),
        )
        .with_nid(heap.nid()));
    }
    Ok(header)
}

/// All leaf records (key bytes followed by data bytes), in stored order, for tests: the
/// readers use `for_each_record`, which keeps none.
#[cfg(test)]
pub fn records(heap: &(impl HeapRead + ?Sized), h: &BthHeader) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for_each_record(heap, h, &mut |rec| out.push(rec.to_vec()))?;
    Ok(out)
}

/// Each leaf record (key bytes followed by data bytes) handed to `f` in stored order and
/// not kept: a table's row index may have hundreds of thousands, and a property context
/// keeps only three numbers of each.
pub fn for_each_record(
    heap: &(impl HeapRead + ?Sized),
    h: &BthHeader,
    f: &mut dyn FnMut(&[u8]),
) -> Result<()> {
    if h.root.is_none() {
        return Ok(());
    }
    collect(heap, h, h.root, h.levels, &mut HashSet::new(), f)
}

fn collect(
    heap: &(impl HeapRead + ?Sized),
    h: &BthHeader,
    hid: HeapId,
    level: u8,
    seen: &mut HashSet<u32>,
    out: &mut dyn FnMut(&[u8]),
) -> Result<()> {
    // A real BTH never shares a record array; a repeat would multiply the walk. A BTH of
    // one level has one array, which nothing can repeat: no set is made for it (a
    // property context's, on every item).
    if h.levels > 0 && !seen.insert(hid.raw()) {
        return Err(Error::new(
            STRUCTURE,
            ErrorKind::Cycle {
                what: "a BTH record array",
            },
        )
        .with_nid(heap.nid()));
    }
    let bytes = heap.read(hid)?;
    let size = if level == 0 {
        h.key_size + h.data_size
    } else {
        h.key_size + 4
    };
    if bytes.len() % size != 0 {
        return Err(Error::malformed(
            STRUCTURE,
            format!(
                "a level-{level} record array of {} bytes is not a multiple of {size}",
                bytes.len()
            ),
        )
        .with_nid(heap.nid()));
    }
    for rec in bytes.chunks_exact(size) {
        if level == 0 {
            out(rec);
        } else {
            // Levels fall by one per step, so the recursion is bounded by the header's level count.
            collect(
                heap,
                h,
                heap.hid(u32_at(rec, h.key_size)),
                level - 1,
                seen,
                out,
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ltp::heap::Heap;

    /// One heap block holding `allocs` (HIDs 0x20, 0x40, ...), the first as its root.
    fn heap(allocs: &[Vec<u8>]) -> Heap {
        let variant = crate::store::ndb::format::Variant::Unicode;
        let mut b = crate::store::write::heap::HeapBuilder::new(CLIENT_BTH, variant);
        let hids: Vec<HeapId> = allocs.iter().map(|a| b.alloc(a).unwrap()).collect();
        b.set_user_root(hids[0]);
        Heap::new(variant, 0x21, b.finish().into_iter().map(|b| b.1).collect()).unwrap()
    }

    fn bth_header(levels: u8, root: u32) -> Vec<u8> {
        let mut h = vec![CLIENT_BTH, 2, 6, levels];
        h.extend_from_slice(&root.to_le_bytes());
        h
    }

    #[test]
    fn reads_leaf_records_through_an_index_level() {
        let leaf = vec![1, 0, 3, 0, 7, 0, 0, 0];
        let index = [1u8, 0, 0x60, 0, 0, 0].to_vec();
        let h = heap(&[bth_header(1, 0x40), index, leaf.clone()]);
        let header = header(&h, h.user_root).unwrap();
        assert_eq!(records(&h, &header).unwrap(), vec![leaf]);
    }

    #[test]
    fn an_index_that_repeats_a_child_is_a_cycle() {
        let leaf = vec![1, 0, 3, 0, 7, 0, 0, 0];
        let index = [1u8, 0, 0x60, 0, 0, 0, 2, 0, 0x60, 0, 0, 0].to_vec();
        let h = heap(&[bth_header(1, 0x40), index, leaf]);
        let header = header(&h, h.user_root).unwrap();
        let e = records(&h, &header).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Cycle { .. }), "{e}");
    }
}
