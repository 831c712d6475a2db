//! The heap-on-node: a node's data blocks carved into numbered allocations, addressed by
//! HIDs. Every LTP structure (BTH, property context, table context) lives in one.

use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use crate::store::error::{Error, Result};
use crate::store::ndb::Ndb;
use crate::store::ndb::format::{HID_TYPE_BITS, Variant, u16_at, u32_at};

pub const SIG_HEAP: u8 = 0xEC;
pub const CLIENT_BTH: u8 = 0xB5;
pub const CLIENT_TC: u8 = 0x7C;
pub const CLIENT_PC: u8 = 0xBC;

/// A heap id (HID): which allocation of which heap block. Its bits split differently in
/// 4 KiB-page stores, so it carries its variant and every reader, writer and check decodes
/// it through the one layout `Variant::hid_index_bits` gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeapId {
    raw: u32,
    variant: Variant,
}

/// True when a stored heap-or-node reference (HNID) names a heap allocation: heap ids
/// have zero type bits, subnode ids do not ([MS-PST] 2.3.3.2).
pub fn is_heap_ref(hnid: u32) -> bool {
    hnid & ((1 << HID_TYPE_BITS) - 1) == 0
}

impl HeapId {
    /// A heap id as stored in the file.
    pub fn from_raw(variant: Variant, raw: u32) -> HeapId {
        HeapId { raw, variant }
    }

    /// The id of allocation `index` (1-based) in block `block`, if the layout can hold it.
    pub fn new(variant: Variant, block: usize, index: usize) -> Option<HeapId> {
        if index == 0
            || index > variant.max_heap_allocations()
            || block >= variant.max_heap_blocks()
        {
            return None;
        }
        let raw = ((block as u32) << (HID_TYPE_BITS + variant.hid_index_bits()))
            | ((index as u32) << HID_TYPE_BITS);
        Some(HeapId { raw, variant })
    }

    /// No allocation: what an empty reference stores.
    pub fn none(variant: Variant) -> HeapId {
        HeapId { raw: 0, variant }
    }

    pub fn raw(self) -> u32 {
        self.raw
    }

    pub fn is_none(self) -> bool {
        self.raw == 0
    }

    /// The 1-based allocation index within its block.
    pub fn index(self) -> usize {
        ((self.raw >> HID_TYPE_BITS) & ((1 << self.variant.hid_index_bits()) - 1)) as usize
    }

    /// The 0-based index of the heap block the allocation is in.
    pub fn block(self) -> usize {
        (self.raw >> (HID_TYPE_BITS + self.variant.hid_index_bits())) as usize
    }
}

/// The header of a heap's first block ([MS-PST] 2.3.1.2, HNHDR) past its page-map offset:
/// the signature, the client's signature (what kind of heap: property or table context,
/// BTH) and the user root. The reader and the writer both go through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HnHeader {
    pub client_sig: u8,
    pub user_root: u32,
}

impl HnHeader {
    /// Bytes of the header, the page-map offset and the fill levels included.
    pub const SIZE: usize = 12;
    const SIGNATURE_AT: usize = 2;
    const CLIENT_AT: usize = 3;
    const USER_ROOT_AT: usize = 4;

    /// Reads the header from a first block at least `SIZE` bytes long; `Err` carries the
    /// signature found where `SIG_HEAP` should be.
    pub fn parse(first: &[u8]) -> std::result::Result<HnHeader, u8> {
        match first[Self::SIGNATURE_AT] {
            SIG_HEAP => Ok(HnHeader {
                client_sig: first[Self::CLIENT_AT],
                user_root: u32_at(first, Self::USER_ROOT_AT),
            }),
            other => Err(other),
        }
    }

    /// Writes the header into a first block whose page-map offset is already set.
    pub fn write(&self, first: &mut [u8]) {
        first[Self::SIGNATURE_AT] = SIG_HEAP;
        first[Self::CLIENT_AT] = self.client_sig;
        first[Self::USER_ROOT_AT..Self::USER_ROOT_AT + 4]
            .copy_from_slice(&self.user_root.to_le_bytes());
    }
}

pub struct Heap {
    blocks: Vec<Vec<u8>>,
    pub client_sig: u8,
    pub user_root: HeapId,
    nid: u32,
    variant: Variant,
}

const STRUCTURE: &str = "heap";

impl Heap {
    pub fn new(variant: Variant, nid: u32, blocks: Vec<Vec<u8>>) -> Result<Heap> {
        let bad = |detail: String| Error::malformed(STRUCTURE, detail).with_nid(nid);
        let first = blocks
            .first()
            .ok_or_else(|| bad("the node has no data".into()))?;
        if first.len() < HnHeader::SIZE {
            return Err(bad(format!(
                "first block is {} bytes, shorter than the heap header",
                first.len()
            )));
        }
        let header = HnHeader::parse(first).map_err(|found| {
            Error::mismatch(
                STRUCTURE,
                "heap signature",
                format!("0x{SIG_HEAP:02X}"),
                format!("0x{found:02X}"),
            )
            .with_nid(nid)
        })?;
        let heap = Heap {
            client_sig: header.client_sig,
            user_root: HeapId::from_raw(variant, header.user_root),
            blocks,
            nid,
            variant,
        };
        Ok(heap)
    }

    pub fn expect_client(&self, sig: u8, what: &'static str) -> Result<()> {
        expect_client(self.client_sig, sig, what, self.nid)
    }

    pub fn nid(&self) -> u32 {
        self.nid
    }

    /// A heap id read from this heap's structures, decoded by its store's layout.
    pub fn hid(&self, raw: u32) -> HeapId {
        HeapId::from_raw(self.variant, raw)
    }

    /// The bytes of one allocation. HID 0 means "no allocation" and gives an empty slice.
    pub fn get(&self, hid: HeapId) -> Result<&[u8]> {
        debug_assert_eq!(hid.variant, self.variant, "a heap id of another store");
        if hid.is_none() {
            return Ok(&[]);
        }
        check_ref(hid, self.nid)?;
        let block = self
            .blocks
            .get(hid.block())
            .ok_or_else(|| out_of_blocks(hid, self.blocks.len(), self.nid))?;
        Ok(&block[locate(block, hid, self.nid)?])
    }
}

/// A heap whose allocations are read through [`HeapRead`]: the heap held whole in memory
/// ([`Heap`]), or one read a block at a time ([`PagedHeap`]) for a table too large to hold.
/// The B-tree-on-heap and the table check read either alike.
pub trait HeapRead {
    fn nid(&self) -> u32;
    /// A heap id read from this heap's structures, decoded by its store's layout.
    fn hid(&self, raw: u32) -> HeapId;
    /// The bytes of one allocation, as [`Heap::get`] gives them.
    fn read(&self, hid: HeapId) -> Result<Cow<'_, [u8]>>;
}

impl HeapRead for Heap {
    fn nid(&self) -> u32 {
        self.nid
    }

    fn hid(&self, raw: u32) -> HeapId {
        Heap::hid(self, raw)
    }

    fn read(&self, hid: HeapId) -> Result<Cow<'_, [u8]>> {
        self.get(hid).map(Cow::Borrowed)
    }
}

/// A heap read a block at a time, keeping at most [`PagedHeap::CACHED`] blocks: a folder's
/// contents table of 200,000 items has a heap of tens of megabytes, which the structural
/// check reads from end to end and need not hold. Allocations are found and checked by the
/// same code as [`Heap::get`].
pub struct PagedHeap<'a> {
    ndb: &'a Ndb,
    nid: u32,
    variant: Variant,
    /// The node's data blocks, in order: the heap's block `i` is `bids[i]`.
    bids: Vec<u64>,
    /// Recently read blocks, the most recent last.
    cache: RefCell<Vec<(usize, Rc<Vec<u8>>)>>,
    pub client_sig: u8,
    pub user_root: HeapId,
}

impl<'a> PagedHeap<'a> {
    /// Blocks held at once. Rows' cells are mostly written in row order, so the blocks a
    /// run of rows refers to are few and near each other.
    pub const CACHED: usize = 8;

    /// Reads the node's data once, to list its blocks (each checked as it is read) and the
    /// heap's header in the first; none is kept.
    pub fn open(ndb: &'a Ndb, nid: u32, bid_data: u64) -> Result<PagedHeap<'a>> {
        let variant = ndb.variant();
        let mut bids = Vec::new();
        let mut first = None;
        ndb.for_each_data_block(bid_data, &mut |bid, bytes| {
            if first.is_none() {
                // Checked as `Heap::new` checks it.
                let h = Heap::new(variant, nid, vec![bytes])?;
                first = Some((h.client_sig, h.user_root));
            }
            bids.push(bid);
            Ok(())
        })
        .map_err(|e| e.with_nid(nid))?;
        let Some((client_sig, user_root)) = first else {
            // No data at all: said as `Heap::new` says it.
            return Err(Heap::new(variant, nid, Vec::new())
                .err()
                .expect("a heap without blocks is refused"));
        };
        Ok(PagedHeap {
            ndb,
            nid,
            variant,
            bids,
            cache: RefCell::new(Vec::with_capacity(Self::CACHED)),
            client_sig,
            user_root,
        })
    }

    pub fn expect_client(&self, sig: u8, what: &'static str) -> Result<()> {
        expect_client(self.client_sig, sig, what, self.nid)
    }

    fn block(&self, i: usize) -> Result<Rc<Vec<u8>>> {
        let mut cache = self.cache.borrow_mut();
        if let Some(at) = cache.iter().position(|(b, _)| *b == i) {
            let hit = cache.remove(at);
            let bytes = Rc::clone(&hit.1);
            cache.push(hit);
            return Ok(bytes);
        }
        let bytes = Rc::new(
            self.ndb
                .block(self.bids[i])
                .map_err(|e| e.with_nid(self.nid))?,
        );
        if cache.len() == Self::CACHED {
            cache.remove(0);
        }
        cache.push((i, Rc::clone(&bytes)));
        Ok(bytes)
    }
}

impl HeapRead for PagedHeap<'_> {
    fn nid(&self) -> u32 {
        self.nid
    }

    fn hid(&self, raw: u32) -> HeapId {
        HeapId::from_raw(self.variant, raw)
    }

    fn read(&self, hid: HeapId) -> Result<Cow<'_, [u8]>> {
        debug_assert_eq!(hid.variant, self.variant, "a heap id of another store");
        if hid.is_none() {
            return Ok(Cow::Borrowed(&[]));
        }
        check_ref(hid, self.nid)?;
        if hid.block() >= self.bids.len() {
            return Err(out_of_blocks(hid, self.bids.len(), self.nid));
        }
        let block = self.block(hid.block())?;
        Ok(Cow::Owned(block[locate(&block, hid, self.nid)?].to_vec()))
    }
}

fn expect_client(found: u8, sig: u8, what: &'static str, nid: u32) -> Result<()> {
    if found != sig {
        return Err(Error::mismatch(
            what,
            "heap client signature",
            format!("0x{sig:02X}"),
            format!("0x{found:02X}"),
        )
        .with_nid(nid));
    }
    Ok(())
}

fn check_ref(hid: HeapId, nid: u32) -> Result<()> {
    if !is_heap_ref(hid.raw) {
        return Err(
            Error::malformed(STRUCTURE, format!("0x{:X} is not a heap id", hid.raw)).with_nid(nid),
        );
    }
    Ok(())
}

fn out_of_blocks(hid: HeapId, blocks: usize, nid: u32) -> Error {
    Error::out_of_range(
        STRUCTURE,
        "heap block index",
        hid.block() as u64,
        blocks as u64,
    )
    .with_nid(nid)
}

/// Where allocation `hid` lies in its heap block `block`, from the block's page map, with
/// every offset checked against the block.
fn locate(block: &[u8], hid: HeapId, nid: u32) -> Result<Range<usize>> {
    let bad = |detail: String| Error::malformed(STRUCTURE, detail).with_nid(nid);
    if block.len() < 2 {
        return Err(bad(format!(
            "block {} is too short for a page map offset",
            hid.block()
        )));
    }
    let map = u16_at(block, 0) as usize;
    if map + 4 > block.len() {
        return Err(Error::out_of_range(
            STRUCTURE,
            "page map offset",
            map as u64,
            block.len() as u64,
        )
        .with_nid(nid));
    }
    let count = u16_at(block, map) as usize;
    let index = hid.index();
    if index == 0 || index > count {
        return Err(
            Error::out_of_range(STRUCTURE, "allocation index", index as u64, count as u64)
                .with_nid(nid),
        );
    }
    let offsets = map + 4;
    if offsets + (count + 1) * 2 > block.len() {
        return Err(bad(format!(
            "page map of block {} runs past the block",
            hid.block()
        )));
    }
    let start = u16_at(block, offsets + (index - 1) * 2) as usize;
    let end = u16_at(block, offsets + index * 2) as usize;
    if start > end || end > map {
        return Err(bad(format!(
            "allocation {index} of block {} spans {start}..{end}, outside the data before the page map at {map}",
            hid.block()
        )));
    }
    Ok(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One heap block: `header` bytes (the first block's 12-byte heap header, or the 2-byte
    /// page-map offset of a later one), one allocation, the page map.
    fn block(header: &[u8], alloc: &[u8]) -> Vec<u8> {
        let mut b = header.to_vec();
        let start = b.len() as u16;
        b.extend_from_slice(alloc);
        let map = b.len() as u16;
        b[0..2].copy_from_slice(&map.to_le_bytes());
        for v in [1u16, 0, start, map] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b
    }

    fn two_block_heap(variant: Variant) -> Heap {
        let first = [0, 0, SIG_HEAP, CLIENT_PC, 0x20, 0, 0, 0, 0, 0, 0, 0];
        let blocks = vec![block(&first, b"zero"), block(&[0, 0], b"one!")];
        Heap::new(variant, 0x21, blocks).unwrap()
    }

    /// [MS-PST] 2.3.1.1 HID: "hidType (5 bits) ... hidIndex (11 bits) ... hidBlockIndex
    /// (16 bits)". libpff's "Personal Folder File (PFF) format", section "64-bit 4k page
    /// table value reference": "0.0 5 bits The value reference type, 0.5 14 bits The value
    /// reference index, 2.3 13 bits The value reference array index". The same four bytes
    /// therefore name different allocations in the two layouts once the block index is not 0.
    #[test]
    fn heap_ids_decode_by_the_layout_of_their_variant() {
        // Bytes 20 00 08 00: type 0, then 0x4001 in bits 5..: index 1 of block 1 in a 4 KiB-page
        // store, index 1 of block 8 in a 512-byte-page one.
        let raw = u32::from_le_bytes([0x20, 0x00, 0x08, 0x00]);
        let k4 = HeapId::from_raw(Variant::Unicode4k, raw);
        assert_eq!((k4.block(), k4.index()), (1, 1));
        let small = HeapId::from_raw(Variant::Unicode, raw);
        assert_eq!((small.block(), small.index()), (8, 1));
        assert_eq!(HeapId::from_raw(Variant::Ansi, raw).block(), 8);

        // Bytes 20 00 01 00: block 1 index 1 in the 512-byte layout; a 4 KiB-page reader sees
        // index 2049 of block 0, which is what libpff reported for stores written with the
        // 512-byte layout throughout.
        let raw = u32::from_le_bytes([0x20, 0x00, 0x01, 0x00]);
        let small = HeapId::from_raw(Variant::Unicode, raw);
        assert_eq!((small.block(), small.index()), (1, 1));
        let k4 = HeapId::from_raw(Variant::Unicode4k, raw);
        assert_eq!((k4.block(), k4.index()), (0, 2049));

        // The widest ids each layout can hold: all 27 bits above the type set.
        let top = 0xFFFF_FFE0;
        let k4 = HeapId::from_raw(Variant::Unicode4k, top);
        assert_eq!((k4.block(), k4.index()), (8191, 16383));
        let small = HeapId::from_raw(Variant::Unicode, top);
        assert_eq!((small.block(), small.index()), (65535, 2047));
    }

    #[test]
    fn heap_ids_are_built_by_the_same_layout_they_are_read_by() {
        for variant in [Variant::Ansi, Variant::Unicode, Variant::Unicode4k] {
            let max_block = variant.max_heap_blocks() - 1;
            let max_index = variant.max_heap_allocations();
            for (block, index) in [(0, 1), (1, 1), (7, 300), (max_block, max_index)] {
                let hid = HeapId::new(variant, block, index).unwrap();
                let back = HeapId::from_raw(variant, hid.raw());
                assert_eq!((back.block(), back.index()), (block, index), "{variant:?}");
                assert!(is_heap_ref(hid.raw()));
            }
            assert_eq!(HeapId::new(variant, 0, 0), None, "index 0 is no allocation");
            assert_eq!(HeapId::new(variant, 0, max_index + 1), None);
            assert_eq!(HeapId::new(variant, max_block + 1, 1), None);
        }
        assert_eq!(
            HeapId::new(Variant::Unicode4k, 1, 1)
                .unwrap()
                .raw()
                .to_le_bytes(),
            [0x20, 0x00, 0x08, 0x00]
        );
        assert_eq!(
            HeapId::new(Variant::Unicode, 1, 1)
                .unwrap()
                .raw()
                .to_le_bytes(),
            [0x20, 0x00, 0x01, 0x00]
        );
    }

    #[test]
    fn an_allocation_in_a_later_block_is_found_by_its_variants_layout() {
        let heap = two_block_heap(Variant::Unicode4k);
        assert_eq!(heap.get(heap.hid(0x0000_0020)).unwrap(), b"zero");
        assert_eq!(heap.get(heap.hid(0x0008_0020)).unwrap(), b"one!");

        // The same bytes in a 512-byte-page store point at block 8, which this heap lacks.
        let heap = two_block_heap(Variant::Unicode);
        assert_eq!(heap.get(heap.hid(0x0001_0020)).unwrap(), b"one!");
        let err = heap.get(heap.hid(0x0008_0020)).unwrap_err().to_string();
        assert!(err.contains("heap block index"), "{err}");
    }
}
