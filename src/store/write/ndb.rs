//! Writing the node database: blocks (encoded, compressed for 4 KiB files, sealed with
//! trailer and CRC), data trees and subnode trees over them, and at the end the two
//! B-trees, the allocation maps and the header.
//!
//! Blocks go to disk as they are written; only the B-tree entries (tens of bytes per node
//! and block) stay in memory until `finish`.

use std::io::Write as _;
use std::path::Path;

use flate2::Compression;
use flate2::write::ZlibEncoder;

use super::alloc::{Allocator, Layout};
use super::out::OutFile;
use crate::store::error::{Error, Result};
use crate::store::ndb::btree::{BbtEntry, NbtEntry, Nid};
use crate::store::ndb::crc::{crc32, signature};
use crate::store::ndb::{CryptMethod, SubnodeEntry, Variant};

/// Which store to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A personal store (.pst): 512-byte pages, client signature `SM`, version 23.
    Pst,
    /// An offline store as Outlook 2013+ writes it: 4 KiB pages, zlib blocks, `SO`, version 36.
    Ost4k,
}

impl Target {
    pub fn variant(self) -> Variant {
        match self {
            Target::Pst => Variant::Unicode,
            Target::Ost4k => Variant::Unicode4k,
        }
    }
}

pub struct NdbWriter {
    out: OutFile,
    target: Target,
    variant: Variant,
    crypt: CryptMethod,
    alloc: Allocator,
    next_bid: u64,
    next_page_bid: u64,
    blocks: Vec<BbtEntry>,
    nodes: Vec<NbtEntry>,
    /// Next free node index per node type, published in the header.
    nid_next: [u32; 32],
}

/// Where Outlook starts each node type's index counter.
fn first_index(nid_type: u8) -> u32 {
    match nid_type {
        0x03 => 0x4000,
        0x04 => 0x10000,
        0x08 => 0x8000,
        _ => 0x400,
    }
}

impl NdbWriter {
    pub fn create(path: &Path, target: Target, crypt: CryptMethod) -> Result<NdbWriter> {
        if target == Target::Ost4k && crypt != CryptMethod::None {
            return Err(Error::malformed(
                "store writer",
                "4 KiB offline stores are written without encryption",
            ));
        }
        let mut nid_next = [0u32; 32];
        for (t, n) in nid_next.iter_mut().enumerate() {
            *n = first_index(t as u8);
        }
        Ok(NdbWriter {
            out: OutFile::create(path)?,
            target,
            variant: target.variant(),
            crypt,
            alloc: Allocator::new(Layout::of(target.variant())),
            next_bid: 1,
            next_page_bid: 1,
            blocks: Vec::new(),
            nodes: Vec::new(),
            nid_next,
        })
    }

    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// A fresh node id of `nid_type`.
    pub fn new_nid(&mut self, nid_type: u8) -> Nid {
        let index = self.nid_next[nid_type as usize];
        self.nid_next[nid_type as usize] += 1;
        Nid((index << 5) | nid_type as u32)
    }

    /// Marks a node id chosen by the caller (the fixed special folders) as used.
    pub fn reserve_nid(&mut self, nid: Nid) {
        let t = nid.nid_type() as usize;
        self.nid_next[t] = self.nid_next[t].max(nid.index() + 1);
    }

    fn new_bid(&mut self, internal: bool) -> u64 {
        let bid = (self.next_bid << 2) | if internal { 2 } else { 0 };
        self.next_bid += 1;
        bid
    }

    /// Writes one block of at most `max_block_data` bytes and returns its id.
    pub fn write_block(&mut self, data: &[u8], internal: bool) -> Result<u64> {
        if data.len() > self.variant.max_block_data() {
            return Err(Error::out_of_range(
                "block",
                "size",
                data.len() as u64,
                self.variant.max_block_data() as u64,
            ));
        }
        let bid = self.new_bid(internal);
        let mut plain = data.to_vec();
        if !internal {
            self.crypt.encode(&mut plain, bid);
        }
        // 4 KiB stores compress a block when that saves space, as Outlook does.
        let stored = if self.target == Target::Ost4k && plain.len() > 64 {
            let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
            z.write_all(&plain).expect("writing to memory");
            let packed = z.finish().expect("writing to memory");
            if packed.len() < plain.len() {
                packed
            } else {
                plain.clone()
            }
        } else {
            plain.clone()
        };
        let cb = stored.len();
        let disk = self.variant.block_disk_size(cb);
        let ib = self.alloc.alloc(disk, self.variant.block_alignment());
        let mut buf = stored;
        buf.resize(disk as usize, 0);
        let t = disk as usize - self.variant.block_trailer_size();
        buf[t..t + 2].copy_from_slice(&(cb as u16).to_le_bytes());
        buf[t + 2..t + 4].copy_from_slice(&signature(ib, bid).to_le_bytes());
        let crc = crc32(&buf[..cb]);
        buf[t + 4..t + 8].copy_from_slice(&crc.to_le_bytes());
        buf[t + 8..t + 16].copy_from_slice(&bid.to_le_bytes());
        if self.variant == Variant::Unicode4k {
            buf[t + 18..t + 20].copy_from_slice(&(plain.len() as u16).to_le_bytes());
        }
        self.out.write_at(ib, &buf)?;
        self.blocks.push(BbtEntry {
            bid,
            ib,
            cb: cb as u16,
            cb_inflated: plain.len() as u16,
            refs: 2,
        });
        Ok(bid)
    }

    /// Writes a node's data, split into blocks under a data tree when it does not fit one.
    pub fn write_data(&mut self, data: &[u8]) -> Result<u64> {
        if data.is_empty() {
            return Ok(0);
        }
        let max = self.variant.max_block_data();
        let chunks: Vec<&[u8]> = data.chunks(max).collect();
        self.write_data_blocks(&chunks)
    }

    /// Writes data whose block boundaries matter (heaps): each part becomes one block.
    pub fn write_data_blocks(&mut self, parts: &[&[u8]]) -> Result<u64> {
        match parts {
            [] => Ok(0),
            [one] => self.write_block(one, false),
            _ => {
                let mut bids = Vec::with_capacity(parts.len());
                for p in parts {
                    bids.push((self.write_block(p, false)?, p.len() as u64));
                }
                self.write_xtree(&bids)
            }
        }
    }

    /// A node's data over blocks already written, given in order with their sizes: the
    /// block itself when there is one, else a data tree. Lets a caller write blocks as
    /// they fill, or out of order, and list them at the end.
    pub fn write_data_tree(&mut self, blocks: &[(u64, u64)]) -> Result<u64> {
        match blocks {
            [] => Ok(0),
            [(bid, _)] => Ok(*bid),
            _ => self.write_xtree(blocks),
        }
    }

    fn xblock_capacity(&self) -> usize {
        (self.variant.max_block_data() - 8) / 8
    }

    fn xblock(&mut self, level: u8, bids: &[u64], total: u64) -> Result<u64> {
        let total = u32::try_from(total)
            .map_err(|_| Error::out_of_range("data tree", "total size", total, u32::MAX as u64))?;
        let mut b = vec![0x01, level];
        b.extend_from_slice(&(bids.len() as u16).to_le_bytes());
        b.extend_from_slice(&total.to_le_bytes());
        for bid in bids {
            b.extend_from_slice(&bid.to_le_bytes());
        }
        self.write_block(&b, true)
    }

    /// A data tree over blocks given with their sizes. Sizes are summed rather than
    /// assumed full: heaps and table rows split at their own boundaries, so blocks other
    /// than the last may be short.
    fn write_xtree(&mut self, blocks: &[(u64, u64)]) -> Result<u64> {
        let cap = self.xblock_capacity();
        let total: u64 = blocks.iter().map(|b| b.1).sum();
        let bids: Vec<u64> = blocks.iter().map(|b| b.0).collect();
        if bids.len() <= cap {
            return self.xblock(1, &bids, total);
        }
        if bids.len() > cap * cap {
            return Err(Error::out_of_range(
                "data tree",
                "block count",
                bids.len() as u64,
                (cap * cap) as u64,
            ));
        }
        // An XXBLOCK over XBLOCKs, each XBLOCK counting the bytes of its own blocks.
        let mut children = Vec::new();
        for group in blocks.chunks(cap) {
            let size = group.iter().map(|b| b.1).sum();
            let ids: Vec<u64> = group.iter().map(|b| b.0).collect();
            children.push(self.xblock(1, &ids, size)?);
        }
        self.xblock(2, &children, total)
    }

    /// Writes a subnode tree and returns its root block id (0 for none).
    pub fn write_subnodes(&mut self, entries: &[SubnodeEntry]) -> Result<u64> {
        if entries.is_empty() {
            return Ok(0);
        }
        let mut sorted = entries.to_vec();
        sorted.sort_by_key(|e| e.nid);
        let cap = (self.variant.max_block_data() - 8) / 24;
        let mut leaves = Vec::new();
        for group in sorted.chunks(cap) {
            let mut b = vec![0x02, 0];
            b.extend_from_slice(&(group.len() as u16).to_le_bytes());
            b.extend_from_slice(&[0; 4]);
            for e in group {
                b.extend_from_slice(&(e.nid.0 as u64).to_le_bytes());
                b.extend_from_slice(&e.bid_data.to_le_bytes());
                b.extend_from_slice(&e.bid_sub.to_le_bytes());
            }
            leaves.push((group[0].nid, self.write_block(&b, true)?));
        }
        if leaves.len() == 1 {
            return Ok(leaves[0].1);
        }
        let cap_si = (self.variant.max_block_data() - 8) / 16;
        if leaves.len() > cap_si {
            return Err(Error::out_of_range(
                "subnode tree",
                "leaf count",
                leaves.len() as u64,
                cap_si as u64,
            ));
        }
        let mut b = vec![0x02, 1];
        b.extend_from_slice(&(leaves.len() as u16).to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        for (nid, bid) in leaves {
            b.extend_from_slice(&(nid.0 as u64).to_le_bytes());
            b.extend_from_slice(&bid.to_le_bytes());
        }
        self.write_block(&b, true)
    }

    pub fn add_node(&mut self, nid: Nid, bid_data: u64, bid_sub: u64, parent: Nid) {
        self.nodes.push(NbtEntry {
            nid,
            bid_data,
            bid_sub,
            nid_parent: parent,
        });
    }

    fn page_geometry(&self) -> (usize, usize) {
        (self.variant.page_size(), self.variant.page_trailer_offset())
    }

    /// Seals and writes one page at `ib` with the given trailer type.
    fn write_page(
        &mut self,
        ib: u64,
        bid: u64,
        ptype: u8,
        mut page: Vec<u8>,
        signed: bool,
    ) -> Result<()> {
        let (size, t) = self.page_geometry();
        page.resize(size, 0);
        page[t] = ptype;
        page[t + 1] = ptype;
        let sig = if signed { signature(ib, bid) } else { 0 };
        page[t + 2..t + 4].copy_from_slice(&sig.to_le_bytes());
        let crc = crc32(&page[..t]);
        page[t + 4..t + 8].copy_from_slice(&crc.to_le_bytes());
        page[t + 8..t + 16].copy_from_slice(&bid.to_le_bytes());
        self.out.write_at(ib, &page)
    }

    /// Builds one B-tree bottom-up over `count` sorted leaf entries, each appended to a page
    /// by `leaf` (starting with its 8-byte key), and returns its root (bid, ib). Leaves are
    /// encoded straight into their pages, so millions of entries are never held twice.
    fn write_btree(
        &mut self,
        ptype: u8,
        leaf_size: usize,
        count: usize,
        leaf: &dyn Fn(usize, &mut Vec<u8>),
    ) -> Result<(u64, u64)> {
        let mut level = 0u8;
        let mut branches = self.write_btree_level(ptype, level, leaf_size, count, leaf)?;
        // A branch entry: the first key below it, the page's id and offset (24 bytes).
        while branches.len() > 24 {
            level += 1;
            let below = branches;
            branches = self.write_btree_level(ptype, level, 24, below.len() / 24, &|i, page| {
                page.extend_from_slice(&below[i * 24..i * 24 + 24])
            })?;
        }
        let word = |at: usize| u64::from_le_bytes(branches[at..at + 8].try_into().expect("8"));
        Ok((word(8), word(16)))
    }

    /// Writes one level of pages and returns the branch entries that point at them.
    fn write_btree_level(
        &mut self,
        ptype: u8,
        level: u8,
        entry_size: usize,
        count: usize,
        entry: &dyn Fn(usize, &mut Vec<u8>),
    ) -> Result<Vec<u8>> {
        let area = self.variant.btree_entries_size();
        let page_size = self.variant.page_size() as u64;
        let cap = area / entry_size;
        let mut branches = Vec::new();
        // An empty tree is still one empty leaf page.
        let starts: Vec<usize> = if count == 0 {
            vec![0]
        } else {
            (0..count).step_by(cap).collect()
        };
        for start in starts {
            let n = cap.min(count - start);
            let mut page = Vec::with_capacity(page_size as usize);
            for i in start..start + n {
                entry(i, &mut page);
            }
            let key: [u8; 8] = page.get(..8).map_or([0; 8], |k| k.try_into().expect("8"));
            page.resize(area, 0);
            if self.variant == Variant::Unicode4k {
                page.extend_from_slice(&(n as u16).to_le_bytes());
                page.extend_from_slice(&(cap as u16).to_le_bytes());
            } else {
                page.push(n as u8);
                page.push(cap as u8);
            }
            page.push(entry_size as u8);
            page.push(level);
            let bid = self.next_page_bid;
            self.next_page_bid += 1;
            let ib = self.alloc.alloc(page_size, page_size);
            self.write_page(ib, bid, ptype, page, true)?;
            branches.extend_from_slice(&key);
            branches.extend_from_slice(&bid.to_le_bytes());
            branches.extend_from_slice(&ib.to_le_bytes());
        }
        Ok(branches)
    }

    /// Writes the B-trees, maps and header, then moves the file into place.
    pub fn finish(mut self) -> Result<()> {
        let mut nodes = std::mem::take(&mut self.nodes);
        nodes.sort_by_key(|n| n.nid);
        if let Some(w) = nodes.windows(2).find(|w| w[0].nid == w[1].nid) {
            return Err(Error::malformed(
                "store writer",
                format!("node {} was written twice", w[0].nid),
            ));
        }
        let nbt = self.write_btree(0x81, 32, nodes.len(), &|i, page| {
            let n = &nodes[i];
            page.extend_from_slice(&(n.nid.0 as u64).to_le_bytes());
            page.extend_from_slice(&n.bid_data.to_le_bytes());
            page.extend_from_slice(&n.bid_sub.to_le_bytes());
            page.extend_from_slice(&n.nid_parent.0.to_le_bytes());
            page.extend_from_slice(&0u32.to_le_bytes());
        })?;
        drop(nodes);
        let blocks = std::mem::take(&mut self.blocks);
        let four_k = self.variant == Variant::Unicode4k;
        let bbt = self.write_btree(0x80, 24, blocks.len(), &|i, page| {
            let b = &blocks[i];
            page.extend_from_slice(&b.bid.to_le_bytes());
            page.extend_from_slice(&b.ib.to_le_bytes());
            page.extend_from_slice(&b.cb.to_le_bytes());
            if four_k {
                page.extend_from_slice(&b.cb_inflated.to_le_bytes());
                page.extend_from_slice(&b.refs.to_le_bytes());
                page.extend_from_slice(&[0; 2]);
            } else {
                page.extend_from_slice(&b.refs.to_le_bytes());
                page.extend_from_slice(&[0; 4]);
            }
        })?;
        drop(blocks);

        let layout = *self.alloc.layout();
        let eof = self.alloc.end().max(layout.first_amap + 2 * layout.page);
        let mut amap_free = 0u64;
        let amaps = layout.amap_offsets(eof);
        for &amap in &amaps {
            let (bits, free) = self.alloc.amap_bitmap(amap);
            amap_free += free;
            self.write_page(amap, amap, 0x84, bits, false)?;
        }
        for pmap in layout.pmap_offsets(eof) {
            self.write_page(pmap, pmap, 0x83, vec![0xFF; 496], false)?;
        }
        // The density list: no pages are partly free, so it has no entries.
        self.write_page(layout.dlist, layout.dlist, 0x86, vec![0; 8], false)?;

        let header = self.header(eof, nbt, bbt, *amaps.last().expect("one AMap"), amap_free);
        self.out.write_at(0, &header)?;
        self.out.commit(eof)
    }

    fn header(
        &self,
        eof: u64,
        nbt: (u64, u64),
        bbt: (u64, u64),
        amap_last: u64,
        amap_free: u64,
    ) -> Vec<u8> {
        let mut h = vec![0u8; 564];
        h[0..4].copy_from_slice(b"!BDN");
        let (client, ver, ver_client): (&[u8; 2], u16, u16) = match self.target {
            Target::Pst => (b"SM", 23, 19),
            Target::Ost4k => (b"SO", 36, 12),
        };
        h[8..10].copy_from_slice(client);
        h[10..12].copy_from_slice(&ver.to_le_bytes());
        h[12..14].copy_from_slice(&ver_client.to_le_bytes());
        h[14] = 1;
        h[15] = 1;
        h[32..40].copy_from_slice(&self.next_page_bid.to_le_bytes());
        h[40..44].copy_from_slice(&0x4F53_4444u32.to_le_bytes());
        for (i, n) in self.nid_next.iter().enumerate() {
            h[44 + i * 4..48 + i * 4].copy_from_slice(&n.to_le_bytes());
        }
        h[184..192].copy_from_slice(&eof.to_le_bytes());
        h[192..200].copy_from_slice(&amap_last.to_le_bytes());
        h[200..208].copy_from_slice(&amap_free.to_le_bytes());
        h[216..224].copy_from_slice(&nbt.0.to_le_bytes());
        h[224..232].copy_from_slice(&nbt.1.to_le_bytes());
        h[232..240].copy_from_slice(&bbt.0.to_le_bytes());
        h[240..248].copy_from_slice(&bbt.1.to_le_bytes());
        h[248] = 2;
        h[256..512].fill(0xFF);
        h[512] = 0x80;
        h[513] = match self.crypt {
            CryptMethod::None => 0,
            CryptMethod::Permute => 1,
            CryptMethod::Cyclic => 2,
        };
        h[516..524].copy_from_slice(&(self.next_bid << 2).to_le_bytes());
        let full = crc32(&h[8..8 + 516]);
        h[524..528].copy_from_slice(&full.to_le_bytes());
        let partial = crc32(&h[8..8 + 471]);
        h[4..8].copy_from_slice(&partial.to_le_bytes());
        h
    }
}
