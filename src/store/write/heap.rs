//! Building a heap-on-node: allocations packed into blocks with their page maps, and the
//! HIDs that address them handed out as they are added.

use crate::store::error::{Error, Result};
use crate::store::ltp::heap::{Hid, SIG_HEAP};

/// Values larger than this go to subnodes ([MS-PST] 2.3.1.1).
pub const MAX_ALLOC: usize = 3580;
const MAX_ALLOCS_PER_BLOCK: usize = 2047;

/// Blocks fill up to the variant's block size: 8 KiB, or 64 KiB in 4 KiB-page stores, as
/// Outlook 2013 writes them. A heap that stays in its first block has HIDs that read the
/// same under every published HID layout, which matters because libpff splits 4 KiB-page
/// HIDs differently from the 512-byte ones.
pub struct HeapBuilder {
    client_sig: u8,
    block_size: usize,
    /// Per block, its allocations back to back and where each one ends; one buffer per
    /// block rather than one per allocation, since a large folder's contents table makes
    /// hundreds of thousands of small allocations.
    blocks: Vec<BlockAllocs>,
    user_root: Hid,
}

/// A block's header size: the first carries the heap header, every 128th after the 8th a
/// fill-level bitmap, the others a bare page-map offset.
fn header_size(block: usize) -> usize {
    match block {
        0 => 12,
        b if b >= 8 && (b - 8) % 128 == 0 => 66,
        _ => 2,
    }
}

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

impl HeapBuilder {
    pub fn new(client_sig: u8, block_size: usize) -> Self {
        HeapBuilder {
            client_sig,
            block_size,
            blocks: vec![BlockAllocs::default()],
            user_root: Hid(0),
        }
    }

    pub fn alloc(&mut self, bytes: Vec<u8>) -> Result<Hid> {
        if bytes.len() > MAX_ALLOC {
            return Err(Error::out_of_range(
                "heap",
                "allocation size",
                bytes.len() as u64,
                MAX_ALLOC as u64,
            ));
        }
        let last = self.blocks.len() - 1;
        let fits = used(last, &self.blocks[last], bytes.len()) <= self.block_size
            && self.blocks[last].ends.len() < MAX_ALLOCS_PER_BLOCK;
        if !fits {
            self.blocks.push(BlockAllocs::default());
        }
        let block = self.blocks.len() - 1;
        if block > 0xFFFF {
            return Err(Error::out_of_range(
                "heap",
                "block count",
                block as u64,
                0xFFFF,
            ));
        }
        let b = &mut self.blocks[block];
        b.data.extend_from_slice(&bytes);
        b.ends.push(b.data.len());
        let index = b.ends.len();
        Ok(Hid(((block as u32) << 16) | ((index as u32) << 5)))
    }

    pub fn set_user_root(&mut self, hid: Hid) {
        self.user_root = hid;
    }

    /// The heap's blocks, ready to be written as the node's data.
    pub fn finish(self) -> Vec<Vec<u8>> {
        let count = self.blocks.len();
        let mut fill = vec![0u8; count];
        let mut out = Vec::with_capacity(count);
        for (i, allocs) in self.blocks.iter().enumerate() {
            let h = header_size(i);
            let mut b = vec![0u8; h];
            let mut offsets = vec![h as u16];
            b.extend_from_slice(&allocs.data);
            offsets.extend(allocs.ends.iter().map(|&end| (h + end) as u16));
            if b.len() % 2 == 1 {
                b.push(0);
            }
            let map = b.len() as u16;
            b[0..2].copy_from_slice(&map.to_le_bytes());
            b.extend_from_slice(&(allocs.ends.len() as u16).to_le_bytes());
            b.extend_from_slice(&0u16.to_le_bytes());
            for o in offsets {
                b.extend_from_slice(&o.to_le_bytes());
            }
            fill[i] = fill_level(self.block_size.saturating_sub(b.len()));
            out.push(b);
        }
        out[0][2] = SIG_HEAP;
        out[0][3] = self.client_sig;
        out[0][4..8].copy_from_slice(&self.user_root.0.to_le_bytes());
        // Fill levels: 4 bits per block, for the first 8 blocks in the header and for the
        // next 128 in each bitmap header.
        for (i, level) in fill.iter().enumerate() {
            let (host, at, nibble) = if i < 8 {
                (0, 4, i)
            } else {
                (8 + (i - 8) / 128 * 128, 2, (i - 8) % 128)
            };
            let pos = if host == 0 {
                8 + nibble / 2
            } else {
                at + nibble / 2
            };
            out[host][pos] |= level << ((nibble % 2) * 4);
        }
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

    #[test]
    fn allocations_read_back_through_the_reader_across_blocks() {
        let mut b = HeapBuilder::new(0xBC, 8176);
        let mut hids = Vec::new();
        for i in 0..40u32 {
            let bytes: Vec<u8> = (0..(i as usize * 97 % 3000 + 1))
                .map(|k| (k as u32 + i) as u8)
                .collect();
            hids.push((b.alloc(bytes.clone()).unwrap(), bytes));
        }
        b.set_user_root(hids[0].0);
        let blocks = b.finish();
        assert!(blocks.len() > 3 && blocks.iter().all(|b| b.len() <= 8176));
        let heap = Heap::new(0x21, blocks).unwrap();
        assert_eq!(heap.client_sig, 0xBC);
        assert_eq!(heap.user_root, hids[0].0);
        for (hid, bytes) in &hids {
            assert_eq!(heap.get(*hid).unwrap(), &bytes[..]);
        }
    }

    #[test]
    fn empty_allocations_still_take_a_page_map_slot() {
        let mut b = HeapBuilder::new(0xBC, 8176);
        for i in 0..3000 {
            b.alloc(if i % 2 == 0 { Vec::new() } else { vec![7; 9] })
                .unwrap();
        }
        assert!(b.finish().iter().all(|block| block.len() <= 8176));
    }

    #[test]
    fn oversized_allocations_are_refused() {
        assert!(
            HeapBuilder::new(0xBC, 8176)
                .alloc(vec![0; MAX_ALLOC + 1])
                .is_err()
        );
        assert_eq!(fill_level(5000), 0);
        assert_eq!(fill_level(7), 15);
    }
}
