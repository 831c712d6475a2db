//! The heap-on-node: a node's data blocks carved into numbered allocations, addressed by
//! HIDs. Every LTP structure (BTH, property context, table context) lives in one.

use crate::store::error::{Error, Result};
use crate::store::ndb::format::{u16_at, u32_at};

pub const SIG_HEAP: u8 = 0xEC;
pub const CLIENT_BTH: u8 = 0xB5;
pub const CLIENT_TC: u8 = 0x7C;
pub const CLIENT_PC: u8 = 0xBC;

/// A heap id: 5 type bits (zero), an 11-bit allocation index and a 16-bit block index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hid(pub u32);

impl Hid {
    pub fn index(self) -> usize {
        ((self.0 >> 5) & 0x7FF) as usize
    }

    pub fn block(self) -> usize {
        (self.0 >> 16) as usize
    }
}

pub struct Heap {
    blocks: Vec<Vec<u8>>,
    pub client_sig: u8,
    pub user_root: Hid,
    nid: u32,
}

const STRUCTURE: &str = "heap";

impl Heap {
    pub fn new(nid: u32, blocks: Vec<Vec<u8>>) -> Result<Heap> {
        let bad = |detail: String| Error::malformed(STRUCTURE, detail).with_nid(nid);
        let first = blocks
            .first()
            .ok_or_else(|| bad("the node has no data".into()))?;
        if first.len() < 12 {
            return Err(bad(format!(
                "first block is {} bytes, shorter than the heap header",
                first.len()
            )));
        }
        if first[2] != SIG_HEAP {
            return Err(Error::mismatch(
                STRUCTURE,
                "heap signature",
                "0xEC",
                format!("0x{:02X}", first[2]),
            )
            .with_nid(nid));
        }
        let heap = Heap {
            client_sig: first[3],
            user_root: Hid(u32_at(first, 4)),
            blocks,
            nid,
        };
        Ok(heap)
    }

    pub fn expect_client(&self, sig: u8, what: &'static str) -> Result<()> {
        if self.client_sig != sig {
            return Err(Error::mismatch(
                what,
                "heap client signature",
                format!("0x{sig:02X}"),
                format!("0x{:02X}", self.client_sig),
            )
            .with_nid(self.nid));
        }
        Ok(())
    }

    pub fn nid(&self) -> u32 {
        self.nid
    }

    /// The bytes of one allocation. HID 0 means "no allocation" and gives an empty slice.
    pub fn get(&self, hid: Hid) -> Result<&[u8]> {
        if hid.0 == 0 {
            return Ok(&[]);
        }
        let bad = |detail: String| Error::malformed(STRUCTURE, detail).with_nid(self.nid);
        if hid.0 & 0x1F != 0 {
            return Err(bad(format!("0x{:X} is not a heap id", hid.0)));
        }
        let block = self.blocks.get(hid.block()).ok_or_else(|| {
            Error::out_of_range(
                STRUCTURE,
                "heap block index",
                hid.block() as u64,
                self.blocks.len() as u64,
            )
            .with_nid(self.nid)
        })?;
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
            .with_nid(self.nid));
        }
        let count = u16_at(block, map) as usize;
        let index = hid.index();
        if index == 0 || index > count {
            return Err(Error::out_of_range(
                STRUCTURE,
                "allocation index",
                index as u64,
                count as u64,
            )
            .with_nid(self.nid));
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
        Ok(&block[start..end])
    }
}
