//! Precise damage to a copy of a store, for the check's corruption corpus. The original is
//! opened with the reader to find where things are; the damage is made to the copy's bytes.
//! Structures guarded by a checksum are re-sealed after the change when the case wants the
//! deeper check to see it (a heap behind its block's CRC, an index entry behind its
//! page's CRC), so the check meets the damage itself and not only a bad checksum.

#![allow(dead_code)]

use std::io::Write as _;
use std::ops::Range;

use ostdoctor::store::Store;
use ostdoctor::store::ltp::heap::HeapId;
use ostdoctor::store::ndb::block::BlockTrailer;
use ostdoctor::store::ndb::btree::{
    BbtEntry, NbtEntry, Nid, Tree, bid_is_internal, bid_key, branch_ref, parse_bbt, parse_nbt,
};
use ostdoctor::store::ndb::crc::crc32;
use ostdoctor::store::ndb::format::{u16_at, u32_at};
use ostdoctor::store::ndb::header::BRef;
use ostdoctor::store::ndb::page::{BTreePage, parse_trailer};
use ostdoctor::store::ndb::{Ndb, Variant};

/// A copy of a store's bytes, with the original open for finding things.
pub struct Image<'a> {
    pub store: &'a Store,
    pub bytes: Vec<u8>,
}

impl<'a> Image<'a> {
    pub fn new(store: &'a Store, bytes: Vec<u8>) -> Self {
        Image { store, bytes }
    }

    pub fn ndb(&self) -> &'a Ndb {
        self.store.ndb()
    }

    pub fn variant(&self) -> Variant {
        self.ndb().variant()
    }

    fn id(&self) -> usize {
        self.variant().id_size()
    }

    pub fn put_u16(&mut self, at: usize, v: u16) {
        self.bytes[at..at + 2].copy_from_slice(&v.to_le_bytes());
    }

    pub fn put_u32(&mut self, at: usize, v: u32) {
        self.bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    /// Writes an id-width value: 4 bytes in ANSI files, 8 in Unicode ones.
    pub fn put_id(&mut self, at: usize, v: u64) {
        if self.variant().is_ansi() {
            self.put_u32(at, v as u32);
        } else {
            self.bytes[at..at + 8].copy_from_slice(&v.to_le_bytes());
        }
    }

    /// Recomputes the checksum of the page at `ib` after a change inside it.
    pub fn reseal_page(&mut self, ib: u64) {
        let v = self.variant();
        let page = &mut self.bytes[ib as usize..ib as usize + v.page_size()];
        let mut trailer = parse_trailer(v, page);
        trailer.crc = crc32(&page[..v.page_trailer_offset()]);
        trailer.write(v, page);
    }

    /// The leaf page holding `key` in one of the two indexes, and the entry's offset in
    /// the file.
    fn leaf_entry(&self, tree: Tree, key: u64) -> Option<(u64, usize)> {
        let ndb = self.ndb();
        let v = ndb.variant();
        let root = match tree {
            Tree::Node => ndb.header().nbt_root,
            Tree::Block => ndb.header().bbt_root,
        };
        let mut stack = vec![root];
        while let Some(bref) = stack.pop() {
            let page = BTreePage::read(ndb.file(), v, bref, tree.page_type()).ok()?;
            for i in 0..page.count {
                let e = page.entry(i);
                if page.level > 0 {
                    stack.push(branch_ref(v, e));
                    continue;
                }
                let k = match tree {
                    Tree::Node => parse_nbt(v, e).nid.0 as u64,
                    Tree::Block => bid_key(parse_bbt(v, e).bid),
                };
                if k == tree.normalize(key) {
                    return Some((bref.ib, bref.ib as usize + i * page.entry_size));
                }
            }
        }
        None
    }

    /// The offsets of every leaf page of an index, in key order.
    pub fn leaf_pages(&self, tree: Tree) -> Vec<u64> {
        let ndb = self.ndb();
        let v = ndb.variant();
        let root = match tree {
            Tree::Node => ndb.header().nbt_root,
            Tree::Block => ndb.header().bbt_root,
        };
        let mut out = Vec::new();
        let mut stack = vec![root];
        while let Some(bref) = stack.pop() {
            let Ok(page) = BTreePage::read(ndb.file(), v, bref, tree.page_type()) else {
                continue;
            };
            if page.level == 0 {
                out.push(bref.ib);
            }
            for i in (0..page.count).rev() {
                if page.level > 0 {
                    stack.push(branch_ref(v, page.entry(i)));
                }
            }
        }
        out
    }

    pub fn root_page(&self, tree: Tree) -> BRef {
        match tree {
            Tree::Node => self.ndb().header().nbt_root,
            Tree::Block => self.ndb().header().bbt_root,
        }
    }

    pub fn page(&self, tree: Tree, ib: u64) -> BTreePage {
        let bref = BRef {
            bid: self.page_bid(ib),
            ib,
        };
        BTreePage::read(self.ndb().file(), self.variant(), bref, tree.page_type()).unwrap()
    }

    fn page_bid(&self, ib: u64) -> u64 {
        parse_trailer(self.variant(), &self.bytes[ib as usize..]).bid
    }

    pub fn node(&self, nid: Nid) -> NbtEntry {
        self.ndb().node(nid).unwrap()
    }

    pub fn block(&self, bid: u64) -> BbtEntry {
        self.ndb().find_block(bid).unwrap().unwrap()
    }

    /// Changes a node's entry in the node index (then re-seals its page).
    pub fn edit_node(&mut self, nid: Nid, edit: impl FnOnce(&mut Self, usize)) -> Option<()> {
        let (page, at) = self.leaf_entry(Tree::Node, nid.0 as u64)?;
        edit(self, at);
        self.reseal_page(page);
        Some(())
    }

    /// Offset of the parent field in a node index entry.
    pub fn nbt_parent_field(&self) -> usize {
        3 * self.id()
    }

    /// Changes a block's entry in the block index (then re-seals its page).
    pub fn edit_block_entry(
        &mut self,
        bid: u64,
        edit: impl FnOnce(&mut Self, usize),
    ) -> Option<()> {
        let (page, at) = self.leaf_entry(Tree::Block, bid)?;
        edit(self, at);
        self.reseal_page(page);
        Some(())
    }

    /// Offsets within a block index entry: (offset, stored size, reference count).
    pub fn bbt_fields(&self) -> (usize, usize, usize) {
        let id = self.id();
        let refs = if self.variant() == Variant::Unicode4k {
            2 * id + 4
        } else {
            2 * id + 2
        };
        (id, 2 * id, refs)
    }

    /// The bytes a block occupies on disk.
    pub fn block_range(&self, e: &BbtEntry) -> Range<usize> {
        let disk = self.variant().block_disk_size(e.cb as usize) as usize;
        e.ib as usize..e.ib as usize + disk
    }

    /// Changes the decoded bytes of block `bid`, then stores them as the writer would
    /// (encoded, compressed when the original was) with a new trailer and checksum, and
    /// updates its index entry. `None` when the result no longer fits the block's place.
    pub fn edit_block(&mut self, bid: u64, edit: impl FnOnce(&mut Vec<u8>)) -> Option<()> {
        let v = self.variant();
        let e = self.block(bid);
        let mut data = self.ndb().block(bid).ok()?;
        edit(&mut data);
        let plain_len = data.len();
        if !bid_is_internal(bid) {
            self.ndb().header().crypt.encode(&mut data, bid);
        }
        let stored = if e.cb != e.cb_inflated {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(&data).unwrap();
            z.finish().unwrap()
        } else {
            data
        };
        let old = self.block_range(&e);
        let disk = v.block_disk_size(stored.len()) as usize;
        if disk > old.len() || stored.len() > v.max_block_data() {
            return None;
        }
        let start = old.start;
        let t = start + disk - v.block_trailer_size();
        let old_t = old.end - v.block_trailer_size();
        let mut trailer = BlockTrailer::parse(v, &self.bytes[old_t..old.end]);
        trailer.cb = stored.len() as u16;
        trailer.crc = crc32(&stored);
        trailer.cb_inflated = plain_len as u16;
        self.bytes[start..start + disk].fill(0);
        self.bytes[start..start + stored.len()].copy_from_slice(&stored);
        trailer.write(v, &mut self.bytes[t..]);
        let (_, cb, _) = self.bbt_fields();
        let cb_len = stored.len() as u16;
        self.edit_block_entry(bid, |img, at| {
            img.put_u16(at + cb, cb_len);
            if v == Variant::Unicode4k {
                img.put_u16(at + cb + 2, plain_len as u16);
            }
        })
    }

    /// The single data block of a node's data, when it has one (heaps of small nodes).
    pub fn single_data_block(&self, nid: Nid) -> Option<u64> {
        let n = self.ndb().find_node(nid).ok()??;
        (n.bid_data != 0 && !bid_is_internal(n.bid_data)).then_some(n.bid_data)
    }

    /// Every block in the block index, in id order.
    pub fn blocks(&self) -> Vec<BbtEntry> {
        let mut out = Vec::new();
        self.ndb()
            .walk_blocks(|b| {
                out.push(b);
                Ok(())
            })
            .unwrap();
        out
    }

    pub fn page_type(&self, ib: u64) -> u8 {
        self.bytes[ib as usize + self.variant().page_trailer_offset()]
    }
}

/// The bytes of heap allocation `hid` within a heap's first block (its decoded bytes).
pub fn heap_alloc(variant: Variant, block: &[u8], hid: u32) -> Range<usize> {
    let hid = HeapId::from_raw(variant, hid);
    assert_eq!(
        hid.block(),
        0,
        "an allocation outside the heap's first block"
    );
    let map = u16_at(block, 0) as usize;
    let index = hid.index();
    let offsets = map + 4;
    let start = u16_at(block, offsets + (index - 1) * 2) as usize;
    let end = u16_at(block, offsets + index * 2) as usize;
    start..end
}

/// The heap's user root (its BTH header, or a table's TCINFO).
pub fn heap_root(block: &[u8]) -> u32 {
    u32_at(block, 4)
}
