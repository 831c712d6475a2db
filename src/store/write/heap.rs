//! Building a heap-on-node ([MS-PST] 2.3.1): allocations packed into blocks with their page
//! maps, and the HIDs that address them handed out as they are added.
//!
//! A block is closed as soon as the next one starts. Most closed blocks are final and can
//! be taken and written at once (`take_ready`), so a heap of any size holds only a few
//! blocks: the one being filled, block 0 (its header names the user root, known last, and
//! the fill levels of blocks 1 to 7), and the latest fill-level bitmap block, which waits
//! until the 127 blocks it describes are closed.

use crate::store::error::{Error, Result};
use crate::store::ltp::heap::{HeapId, HnHeader};
use crate::store::ndb::format::Variant;

/// Values larger than this go to subnodes ([MS-PST] 2.3.1.1).
pub const MAX_ALLOC: usize = 3580;

/// Blocks fill up to the variant's block size: 8 KiB, or 64 KiB in 4 KiB-page stores, as
/// Outlook 2013 writes them; the HIDs handed out follow the variant's layout, which in
/// 4 KiB-page stores numbers more allocations per block and fewer blocks.
pub struct HeapBuilder {
    client_sig: u8,
    variant: Variant,
    block_size: usize,
    /// The block being filled and its index.
    current: BlockAllocs,
    index: usize,
    /// Block 0 once closed.
    first: Option<Vec<u8>>,
    /// The latest fill-level bitmap block once closed, with its index.
    bitmap: Option<(usize, Vec<u8>)>,
    /// Closed blocks nothing will change any more, with their indexes.
    ready: Vec<(usize, Vec<u8>)>,
    user_root: HeapId,
}

fn is_bitmap_block(block: usize) -> bool {
    block >= 8 && (block - 8).is_multiple_of(128)
}

/// A block's header size: the first carries the heap header, every 128th after the 8th a
/// fill-level bitmap, the others a bare page-map offset.
fn header_size(block: usize) -> usize {
    match block {
        0 => HnHeader::SIZE,
        b if is_bitmap_block(b) => 66,
        _ => 2,
    }
}

/// A block's allocations back to back and where each one ends: one buffer per block
/// rather than one per allocation, since a large table makes many small allocations.
#[derive(Default)]
struct BlockAllocs {
    data: Vec<u8>,
    ends: Vec<usize>,
}

/// Bytes a block takes once one more allocation of `extra` bytes (possibly empty) is added.
fn used(block: usize, allocs: &BlockAllocs, extra: usize) -> usize {
    let data = allocs.data.len() + extra;
    let n = allocs.ends.len() + 1;
    // Page map: two counts and one offset more than allocations, 2-byte aligned.
    header_size(block) + data.next_multiple_of(2) + 4 + 2 * (n + 1)
}

/// A block's bytes: header space (filled in by its owner), allocations, page map.
fn encode(block: usize, allocs: &BlockAllocs) -> Vec<u8> {
    let h = header_size(block);
    let mut b = Vec::with_capacity(used(block, allocs, 0));
    b.resize(h, 0);
    b.extend_from_slice(&allocs.data);
    if b.len() % 2 == 1 {
        b.push(0);
    }
    let map = b.len() as u16;
    b[0..2].copy_from_slice(&map.to_le_bytes());
    b.extend_from_slice(&(allocs.ends.len() as u16).to_le_bytes());
    b.extend_from_slice(&0u16.to_le_bytes());
    b.extend_from_slice(&(h as u16).to_le_bytes());
    for &end in &allocs.ends {
        b.extend_from_slice(&((h + end) as u16).to_le_bytes());
    }
    b
}

impl HeapBuilder {
    pub fn new(client_sig: u8, variant: Variant) -> Self {
        HeapBuilder {
            client_sig,
            variant,
            block_size: variant.max_block_data(),
            current: BlockAllocs::default(),
            index: 0,
            first: None,
            bitmap: None,
            ready: Vec::new(),
            user_root: HeapId::none(variant),
        }
    }

    pub fn alloc(&mut self, bytes: &[u8]) -> Result<HeapId> {
        if bytes.len() > MAX_ALLOC {
            return Err(Error::out_of_range(
                "heap",
                "allocation size",
                bytes.len() as u64,
                MAX_ALLOC as u64,
            ));
        }
        let fits = used(self.index, &self.current, bytes.len()) <= self.block_size
            && self.current.ends.len() < self.variant.max_heap_allocations();
        if !fits {
            if self.index + 1 >= self.variant.max_heap_blocks() {
                return Err(Error::out_of_range(
                    "heap",
                    "block count",
                    self.index as u64 + 2,
                    self.variant.max_heap_blocks() as u64,
                ));
            }
            self.close_current();
            self.index += 1;
            if is_bitmap_block(self.index) {
                // The previous bitmap block's 128 blocks are all closed now.
                self.ready.extend(self.bitmap.take());
            }
        }
        let b = &mut self.current;
        if b.ends.capacity() == 0 {
            // Most heaps are one small block (a message's properties): a first guess saves
            // the run of doublings from a few bytes up.
            b.data.reserve(1024.min(self.block_size));
            b.ends.reserve(32);
        }
        b.data.extend_from_slice(bytes);
        b.ends.push(b.data.len());
        let index = b.ends.len();
        // Both bounds were kept just above, so the layout can number this allocation.
        Ok(HeapId::new(self.variant, self.index, index).expect("a heap id within the layout"))
    }

    /// Encodes the block being filled, files it by kind and records its fill level.
    fn close_current(&mut self) {
        let i = self.index;
        let bytes = encode(i, &self.current);
        // The next block is filled in the same buffers.
        self.current.data.clear();
        self.current.ends.clear();
        let level = fill_level(self.block_size.saturating_sub(bytes.len()));
        if i == 0 {
            self.first = Some(bytes);
        } else if is_bitmap_block(i) {
            self.bitmap = Some((i, bytes));
        } else {
            self.ready.push((i, bytes));
        }
        // 4 bits per block: the first 8 blocks in the heap header, each next 128 in the
        // bitmap block that starts them.
        let (host, at) = if i < 8 {
            (self.first.as_mut(), 8 + i / 2)
        } else {
            (
                self.bitmap.as_mut().map(|b| &mut b.1),
                2 + (i - 8) % 128 / 2,
            )
        };
        let nibble = if i < 8 { i } else { (i - 8) % 128 };
        if let Some(host) = host {
            host[at] |= level << ((nibble % 2) * 4);
        }
    }

    /// Closed blocks that are final, with their indexes; the caller writes them now.
    pub fn take_ready(&mut self) -> Vec<(usize, Vec<u8>)> {
        std::mem::take(&mut self.ready)
    }

    /// Replaces the bytes of an allocation of the block being filled or of the first block
    /// with as many others: what is known only at the end (a table's header) can still be
    /// allocated first, where readers that look at the first block find it.
    pub fn rewrite(&mut self, hid: HeapId, bytes: &[u8]) -> Result<()> {
        let i = hid.index();
        let wrong = || Error::malformed("heap", format!("allocation {hid:?} cannot be rewritten"));
        if hid.block() == self.index {
            let ends = &self.current.ends;
            let (start, end) = match i {
                0 => return Err(wrong()),
                1 => (0, *ends.first().ok_or_else(wrong)?),
                _ => (
                    *ends.get(i - 2).ok_or_else(wrong)?,
                    *ends.get(i - 1).ok_or_else(wrong)?,
                ),
            };
            if end - start != bytes.len() {
                return Err(wrong());
            }
            self.current.data[start..end].copy_from_slice(bytes);
            return Ok(());
        }
        // Block 0, already encoded: its page map gives the allocation's place.
        let first = match (hid.block(), self.first.as_mut()) {
            (0, Some(first)) => first,
            _ => return Err(wrong()),
        };
        let map = u16::from_le_bytes([first[0], first[1]]) as usize;
        let offset = |k: usize| -> Option<usize> {
            let at = map + 4 + 2 * k;
            Some(u16::from_le_bytes([*first.get(at)?, *first.get(at + 1)?]) as usize)
        };
        if i == 0 {
            return Err(wrong());
        }
        let (start, end) = (
            offset(i - 1).ok_or_else(wrong)?,
            offset(i).ok_or_else(wrong)?,
        );
        if end < start || end - start != bytes.len() {
            return Err(wrong());
        }
        first[start..end].copy_from_slice(bytes);
        Ok(())
    }

    pub fn set_user_root(&mut self, hid: HeapId) {
        self.user_root = hid;
    }

    /// Closes the heap: every block not taken yet, with its index, in index order.
    pub fn finish(mut self) -> Vec<(usize, Vec<u8>)> {
        self.close_current();
        let mut out = std::mem::take(&mut self.ready);
        out.extend(self.bitmap.take());
        let mut first = self.first.take().expect("block 0 is closed first");
        HnHeader {
            client_sig: self.client_sig,
            user_root: self.user_root.raw(),
        }
        .write(&mut first);
        out.push((0, first));
        out.sort_by_key(|b| b.0);
        out
    }
}

/// [MS-PST] 2.3.1.2: how full a block is, from 0 (3,584 or more bytes free) to 15 (under 8).
fn fill_level(free: usize) -> u8 {
    const STEPS: [usize; 15] = [
        3584, 2560, 2048, 1792, 1536, 1280, 1024, 768, 512, 256, 128, 64, 32, 16, 8,
    ];
    STEPS.iter().position(|&s| free >= s).unwrap_or(15) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ltp::heap::Heap;

    fn blocks(b: HeapBuilder) -> Vec<Vec<u8>> {
        b.finish().into_iter().map(|b| b.1).collect()
    }

    #[test]
    fn allocations_read_back_through_the_reader_across_blocks() {
        let mut b = HeapBuilder::new(0xBC, Variant::Unicode);
        let mut hids = Vec::new();
        for i in 0..40u32 {
            let bytes: Vec<u8> = (0..(i as usize * 97 % 3000 + 1))
                .map(|k| (k as u32 + i) as u8)
                .collect();
            hids.push((b.alloc(&bytes).unwrap(), bytes));
        }
        b.set_user_root(hids[0].0);
        let blocks = blocks(b);
        assert!(blocks.len() > 3 && blocks.iter().all(|b| b.len() <= 8176));
        let heap = Heap::new(Variant::Unicode, 0x21, blocks).unwrap();
        assert_eq!(heap.client_sig, 0xBC);
        assert_eq!(heap.user_root, hids[0].0);
        for (hid, bytes) in &hids {
            assert_eq!(heap.get(*hid).unwrap(), &bytes[..]);
        }
    }

    #[test]
    fn a_streamed_heap_holds_few_blocks_and_its_fill_levels_are_right() {
        let mut b = HeapBuilder::new(0x7C, Variant::Unicode);
        let mut taken = Vec::new();
        let mut hids = Vec::new();
        let mut most_held = 0;
        for i in 0..5000u32 {
            let bytes = vec![i as u8; 100 + (i as usize * 7) % 900];
            hids.push((b.alloc(&bytes).unwrap(), bytes));
            taken.extend(b.take_ready());
            let held = b.index + 1 - taken.len();
            most_held = most_held.max(held);
        }
        b.set_user_root(hids[5].0);
        taken.extend(b.finish());
        taken.sort_by_key(|t| t.0);
        let count = taken.len();
        assert!(count > 300, "spans more than two bitmap blocks: {count}");
        assert!(most_held <= 3, "held {most_held} blocks at once");
        assert!(taken.iter().enumerate().all(|(i, t)| t.0 == i));
        let blocks: Vec<Vec<u8>> = taken.into_iter().map(|t| t.1).collect();
        // Each block's fill level, as recorded in its host, matches its free space.
        for (i, block) in blocks.iter().enumerate() {
            let (host, at, nibble) = if i < 8 {
                (0, 8 + i / 2, i)
            } else {
                (
                    8 + (i - 8) / 128 * 128,
                    2 + (i - 8) % 128 / 2,
                    (i - 8) % 128,
                )
            };
            let level = (blocks[host][at] >> ((nibble % 2) * 4)) & 0xF;
            assert_eq!(level, fill_level(8176 - block.len()), "block {i}");
        }
        let heap = Heap::new(Variant::Unicode, 0x21, blocks).unwrap();
        assert_eq!(heap.user_root, hids[5].0);
        for (hid, bytes) in &hids {
            assert_eq!(heap.get(*hid).unwrap(), &bytes[..]);
        }
    }

    #[test]
    fn a_4k_page_heap_numbers_past_2047_allocations_in_a_block_and_spans_64k_blocks() {
        let variant = Variant::Unicode4k;
        let mut b = HeapBuilder::new(0x7C, variant);
        let mut hids = Vec::new();
        for i in 0..40_000u32 {
            let bytes = i.to_le_bytes()[..2].to_vec();
            hids.push((b.alloc(&bytes).unwrap(), bytes));
        }
        b.set_user_root(hids[0].0);
        let blocks = blocks(b);
        assert!(blocks.len() >= 3, "{} blocks", blocks.len());
        assert!(blocks.iter().all(|b| b.len() <= variant.max_block_data()));
        let most = hids.iter().map(|h| h.0.index()).max().unwrap();
        assert!(most > 2047, "block 0 numbers {most} allocations");
        assert!(hids.iter().any(|h| h.0.block() == 2));
        let heap = Heap::new(variant, 0x21, blocks).unwrap();
        for (hid, bytes) in &hids {
            assert_eq!(heap.get(*hid).unwrap(), &bytes[..]);
        }
    }

    #[test]
    fn empty_allocations_still_take_a_page_map_slot() {
        let mut b = HeapBuilder::new(0xBC, Variant::Unicode);
        for i in 0..3000 {
            b.alloc(if i % 2 == 0 { &[] } else { &[7; 9] }).unwrap();
        }
        assert!(blocks(b).iter().all(|block| block.len() <= 8176));
    }

    #[test]
    fn oversized_allocations_are_refused() {
        assert!(
            HeapBuilder::new(0xBC, Variant::Unicode)
                .alloc(&[0; MAX_ALLOC + 1])
                .is_err()
        );
        assert_eq!(fill_level(5000), 0);
        assert_eq!(fill_level(7), 15);
    }
}
