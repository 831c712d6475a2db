//! Writing the node database: blocks (encoded, compressed for 4 KiB files, sealed with
//! trailer and CRC), data trees and subnode trees over them, and at the end the two
//! B-trees, the allocation maps and the header.
//!
//! Blocks go to disk as they are written, and so do the allocation maps as each span
//! fills. The B-tree entries (tens of bytes per node and block) are parked in bounded runs
//! beside the output (`spill`) and streamed into the B-tree pages at `finish`, so memory
//! does not grow with the number of items or the size of the file.

use std::path::Path;

use flate2::{Compress, Compression, FlushCompress, Status};

use super::alloc::Allocator;
use super::btree_spill::{BlockSpill, NodeRuns, RUN_ENTRIES};
use super::maps::MapPages;
use super::out::{OutFile, spill_path_for};
use crate::store::error::{Error, Result};
use crate::store::ndb::block::BlockTrailer;
use crate::store::ndb::btree::{BbtEntry, NbtEntry, Nid, branch_key, branch_ref, write_branch};
use crate::store::ndb::crc::{crc32, signature};
use crate::store::ndb::header::NewHeader;
use crate::store::ndb::layout::Layout;
use crate::store::ndb::page::{Footer, PageTrailer};
use crate::store::ndb::{BRef, ClientKind, CryptMethod, SubnodeEntry, Variant};

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
    maps: MapPages,
    next_bid: u64,
    next_page_bid: u64,
    blocks: BlockSpill,
    nodes: NodeRuns,
    /// A node entry that could not be parked on disk, reported by the next call that can
    /// return an error (`add_node` cannot, to keep its callers simple).
    deferred: Option<Error>,
    /// Next free node index per node type, published in the header.
    nid_next: [u32; 32],
    /// Compresses 4 KiB stores' data blocks.
    deflate: Compress,
    /// A block as stored and the compressor's output, kept from block to block: every
    /// item writes several blocks, and a fresh buffer for each cost an allocation and a
    /// reallocation as it grew to the disk size.
    block_buf: Vec<u8>,
    packed_buf: Vec<u8>,
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
        let out = OutFile::create(path)?;
        let layout = Layout::of(target.variant());
        Ok(NdbWriter {
            blocks: BlockSpill::new(spill_path_for(out.temp_path(), "bbt"), RUN_ENTRIES),
            nodes: NodeRuns::new(spill_path_for(out.temp_path(), "nbt"), RUN_ENTRIES),
            out,
            target,
            variant: target.variant(),
            crypt,
            alloc: Allocator::new(layout),
            maps: MapPages::new(layout),
            next_bid: 1,
            next_page_bid: 1,
            deferred: None,
            nid_next,
            deflate: Compress::new(Compression::default(), true),
            block_buf: Vec::new(),
            packed_buf: Vec::new(),
        })
    }

    /// How many B-tree entries of each tree stay in memory before a run goes to disk
    /// (262,144 unless set). Only before anything is written: runs already parked keep
    /// their size.
    pub fn set_spill_run(&mut self, entries: usize) -> Result<()> {
        if !self.blocks.is_empty() || !self.nodes.is_empty() {
            return Err(Error::malformed(
                "store writer",
                "the spill run size is set before anything is written",
            ));
        }
        let temp = self.out.temp_path();
        self.blocks = BlockSpill::new(spill_path_for(temp, "bbt"), entries);
        self.nodes = NodeRuns::new(spill_path_for(temp, "nbt"), entries);
        Ok(())
    }

    /// Reserves file space and writes the map pages of any span that has just filled.
    fn place(&mut self, size: u64, align: u64) -> Result<u64> {
        let ib = self.alloc.alloc(size, align);
        self.write_closed_maps()?;
        Ok(ib)
    }

    fn write_closed_maps(&mut self) -> Result<()> {
        let closed = self.alloc.take_closed();
        if closed.is_empty() {
            return Ok(());
        }
        let mut pages = Vec::new();
        for span in closed {
            self.maps.span_closed(span, &mut pages);
        }
        self.write_map_pages(pages)
    }

    fn write_map_pages(&mut self, pages: Vec<super::maps::MapPage>) -> Result<()> {
        for p in pages {
            // Map pages carry their offset as id and no signature, as Outlook writes them.
            self.write_page(p.ib, p.ib, p.ptype as u8, p.body)?;
        }
        Ok(())
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
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        let bid = self.new_bid(internal);
        let mut plain = std::mem::take(&mut self.block_buf);
        plain.clear();
        plain.reserve(self.variant.block_disk_size(data.len()) as usize);
        plain.extend_from_slice(data);
        if !internal {
            self.crypt.encode(&mut plain, bid);
        }
        // 4 KiB stores compress a data block when that saves space, as Outlook does.
        // Internal blocks (data and subnode trees) stay uncompressed, which is as valid:
        // libpff cannot read a compressed XBLOCK ("invalid number of array entries value out
        // of bounds"), and the heap of a folder of 3,000 items already has one large enough
        // to compress. Outlook's own are mostly too small to compress.
        let plain_len = plain.len();
        let stored = if self.target == Target::Ost4k && plain_len > 64 && !internal {
            // One compressor for the whole store, reset per block: a new one per block
            // cost more than compressing it. Output that would not be smaller stops at
            // the plain size and the block is stored as it is.
            self.deflate.reset();
            let mut packed = std::mem::take(&mut self.packed_buf);
            packed.clear();
            packed.reserve(self.variant.block_disk_size(plain_len) as usize);
            match self
                .deflate
                .compress_vec(&plain, &mut packed, FlushCompress::Finish)
            {
                Ok(Status::StreamEnd) if packed.len() < plain_len => {
                    self.packed_buf = plain;
                    packed
                }
                _ => {
                    self.packed_buf = packed;
                    plain
                }
            }
        } else {
            plain
        };
        let cb = stored.len();
        let disk = self.variant.block_disk_size(cb);
        let ib = self.place(disk, self.variant.block_alignment())?;
        let mut buf = stored;
        buf.resize(disk as usize, 0);
        let t = disk as usize - self.variant.block_trailer_size();
        BlockTrailer {
            cb: cb as u16,
            signature: signature(ib, bid),
            crc: crc32(&buf[..cb]),
            bid,
            cb_inflated: plain_len as u16,
        }
        .write(self.variant, &mut buf[t..]);
        let written = self.out.write_at(ib, &buf);
        self.block_buf = buf;
        written?;
        self.blocks.push(BbtEntry {
            bid,
            ib,
            cb: cb as u16,
            cb_inflated: plain_len as u16,
            refs: 2,
        })?;
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
        let pushed = self.nodes.push(NbtEntry {
            nid,
            bid_data,
            bid_sub,
            nid_parent: parent,
        });
        if let Err(e) = pushed {
            self.deferred.get_or_insert(e);
        }
    }

    /// Seals and writes one page at `ib` with the given trailer type.
    fn write_page(&mut self, ib: u64, bid: u64, ptype: u8, mut page: Vec<u8>) -> Result<()> {
        page.resize(self.variant.page_size(), 0);
        PageTrailer::seal(self.variant, &page, ib, bid, ptype).write(self.variant, &mut page);
        self.out.write_at(ib, &page)
    }

    /// Builds one B-tree bottom-up from its leaf entries in key order, each appended to a
    /// page by `encode` (starting with its 8-byte key), and returns its root (bid, ib).
    /// Leaves are encoded straight into their pages as the entries stream in; only the
    /// branch entries (one per page below, 1/20 of the leaves) are held.
    fn write_btree<E>(
        &mut self,
        ptype: u8,
        leaf_size: usize,
        leaves: impl Iterator<Item = Result<E>>,
        encode: impl Fn(&E, &mut Vec<u8>),
    ) -> Result<(u64, u64)> {
        let cap = self.variant.btree_entries_size() / leaf_size;
        let mut branches = Vec::new();
        let mut page = Vec::with_capacity(self.variant.page_size());
        let mut n = 0;
        for entry in leaves {
            encode(&entry?, &mut page);
            n += 1;
            if n == cap {
                self.seal_btree_page(ptype, 0, leaf_size, n, &mut page, &mut branches)?;
                n = 0;
            }
        }
        // An empty tree is still one empty leaf page.
        if n > 0 || branches.is_empty() {
            self.seal_btree_page(ptype, 0, leaf_size, n, &mut page, &mut branches)?;
        }
        // A branch entry: the first key below it, the page's id and offset.
        let branch = self.variant.branch_entry_size();
        let mut level = 0u8;
        while branches.len() > branch {
            level += 1;
            let below = std::mem::take(&mut branches);
            let per_page = self.variant.btree_entries_size() / branch;
            for group in below.chunks(per_page * branch) {
                page.extend_from_slice(group);
                let n = group.len() / branch;
                self.seal_btree_page(ptype, level, branch, n, &mut page, &mut branches)?;
            }
        }
        let root = branch_ref(self.variant, &branches);
        Ok((root.bid, root.ib))
    }

    /// Adds the footer to a page of `n` entries, writes it, empties `page` for the next
    /// one and records the branch entry that points at it.
    fn seal_btree_page(
        &mut self,
        ptype: u8,
        level: u8,
        entry_size: usize,
        n: usize,
        page: &mut Vec<u8>,
        branches: &mut Vec<u8>,
    ) -> Result<()> {
        let area = self.variant.btree_entries_size();
        let page_size = self.variant.page_size() as u64;
        let cap = area / entry_size;
        // An empty tree's one leaf has no first key: it is filed under 0.
        let key = if n == 0 {
            0
        } else {
            branch_key(self.variant, page)
        };
        page.resize(area, 0);
        Footer {
            count: n,
            max: cap,
            entry_size,
            level,
        }
        .write(self.variant, page);
        let bid = self.next_page_bid;
        self.next_page_bid += 1;
        let ib = self.place(page_size, page_size)?;
        let full = std::mem::replace(page, Vec::with_capacity(page_size as usize));
        self.write_page(ib, bid, ptype, full)?;
        write_branch(self.variant, branches, key, BRef { bid, ib });
        Ok(())
    }

    /// Writes the B-trees, maps and header, then moves the file into place.
    pub fn finish(mut self) -> Result<()> {
        if let Some(e) = self.deferred.take() {
            return Err(e);
        }
        let nodes = std::mem::take(&mut self.nodes).into_sorted()?;
        let variant = self.variant;
        let nbt = self.write_btree(
            0x81,
            variant.nbt_entry_size(),
            nodes,
            |n: &NbtEntry, page| n.write(variant, page),
        )?;
        let blocks = std::mem::take(&mut self.blocks).into_sorted()?;
        let bbt = self.write_btree(
            0x80,
            variant.bbt_entry_size(),
            blocks,
            |b: &BbtEntry, page| b.write(variant, page),
        )?;

        let eof = self.alloc.finish();
        self.write_closed_maps()?;
        let mut pages = Vec::new();
        self.maps.finish(&mut pages);
        self.write_map_pages(pages)?;
        // The density list: no pages are partly free, so it has no entries.
        let dlist = self.alloc.layout().dlist;
        self.write_page(dlist, dlist, 0x86, vec![0; 8])?;

        let amap_last = self
            .maps
            .last_amap()
            .expect("the file reaches its first AMap");
        let amap_free = self.maps.amap_free();
        let header = self.header(eof, nbt, bbt, amap_last, amap_free);
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
        let (client, version, client_version) = match self.target {
            Target::Pst => (ClientKind::Pst, 23, 19),
            Target::Ost4k => (ClientKind::Ost, 36, 12),
        };
        NewHeader {
            client,
            version,
            client_version,
            crypt: self.crypt,
            next_bid: self.next_bid,
            next_page_bid: self.next_page_bid,
            nid_next: self.nid_next,
            file_eof: eof,
            amap_last,
            amap_free,
            nbt_root: BRef {
                bid: nbt.0,
                ib: nbt.1,
            },
            bbt_root: BRef {
                bid: bbt.0,
                ib: bbt.1,
            },
        }
        .encode()
    }
}
