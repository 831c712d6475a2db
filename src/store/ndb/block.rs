//! Blocks: the units that hold node data. A block is checked against its trailer (size, id,
//! signature, CRC), inflated when the 4 KiB format compressed it, and decoded when the store
//! is encrypted. Internal blocks build the two kinds of trees above data: data trees
//! (XBLOCK/XXBLOCK) that join blocks into one stream, and subnode trees (SLBLOCK/SIBLOCK)
//! that give a node private child nodes.

use std::collections::HashSet;

use super::btree::{BbtEntry, Nid, bid_is_internal, bid_key};
use super::crc::{signature, verify};
use super::file::StoreFile;
use super::format::{Variant, id_at, u16_at, u32_at};
use super::header::Header;
use crate::store::error::{Error, ErrorKind, Result};

/// A block's trailer as stored ([MS-PST] 2.2.2.8.1): the reader, the writer and the scan
/// of a damaged file all go through this one description of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockTrailer {
    /// Bytes of data stored before the trailer.
    pub cb: u16,
    pub signature: u16,
    /// Over the stored data only: the trailer itself is unguarded.
    pub crc: u32,
    pub bid: u64,
    /// Bytes once inflated. 4 KiB stores keep it at byte 18 of their 24-byte trailer (as
    /// Outlook writes it, beside the block B-tree's copy); the other formats, which never
    /// compress, store nothing and this equals `cb`.
    pub cb_inflated: u16,
}

impl BlockTrailer {
    /// Reads the trailer from the first `variant.block_trailer_size()` bytes of `t`.
    pub fn parse(variant: Variant, t: &[u8]) -> BlockTrailer {
        let cb = u16_at(t, 0);
        match variant {
            Variant::Ansi => BlockTrailer {
                cb,
                signature: u16_at(t, 2),
                crc: u32_at(t, 8),
                bid: u32_at(t, 4) as u64,
                cb_inflated: cb,
            },
            Variant::Unicode | Variant::Unicode4k => BlockTrailer {
                cb,
                signature: u16_at(t, 2),
                crc: u32_at(t, 4),
                bid: id_at(variant, t, 8),
                cb_inflated: if variant == Variant::Unicode4k {
                    u16_at(t, 18)
                } else {
                    cb
                },
            },
        }
    }

    /// Writes the trailer into the first `variant.block_trailer_size()` bytes of `t`.
    pub fn write(&self, variant: Variant, t: &mut [u8]) {
        t[0..2].copy_from_slice(&self.cb.to_le_bytes());
        t[2..4].copy_from_slice(&self.signature.to_le_bytes());
        match variant {
            Variant::Ansi => {
                t[4..8].copy_from_slice(&(self.bid as u32).to_le_bytes());
                t[8..12].copy_from_slice(&self.crc.to_le_bytes());
            }
            Variant::Unicode | Variant::Unicode4k => {
                t[4..8].copy_from_slice(&self.crc.to_le_bytes());
                t[8..16].copy_from_slice(&self.bid.to_le_bytes());
                if variant == Variant::Unicode4k {
                    t[18..20].copy_from_slice(&self.cb_inflated.to_le_bytes());
                }
            }
        }
    }
}

/// Reads, checks, inflates and decodes the block a BBT entry describes.
pub fn read_block(file: &StoreFile, header: &Header, entry: &BbtEntry) -> Result<Vec<u8>> {
    read_block_signed_at(file, header, entry, entry.ib)
}

/// The same for a block found away from its place (see `rescue`): its signature, which
/// mixes its id with an offset, is checked against `signed_at`, the place it was written
/// for, rather than where it lies now.
pub fn read_block_signed_at(
    file: &StoreFile,
    header: &Header,
    entry: &BbtEntry,
    signed_at: u64,
) -> Result<Vec<u8>> {
    // The stored bytes are lent, not copied out: a compressed block is inflated straight
    // from the read-ahead window into its own buffer.
    with_stored(file, header, entry, signed_at, |stored| {
        let mut data = if is_compressed(entry) {
            inflate(stored, entry.cb_inflated as usize)?
        } else {
            stored.to_vec()
        };
        // The block layer compresses the bytes the encoding produced, so decoding comes
        // last.
        if !bid_is_internal(entry.bid) {
            header.crypt.decode(&mut data, entry.bid);
        }
        Ok(data)
    })
}

/// Calls `f` with a block's stored bytes, without the trailer, once they are checked
/// against it. The bytes are lent (see `StoreFile::with_bytes`). Whatever fails, reading,
/// checking or `f`, is named with the block and where it lies.
fn with_stored<R>(
    file: &StoreFile,
    header: &Header,
    entry: &BbtEntry,
    signed_at: u64,
    f: impl FnOnce(&[u8]) -> Result<R>,
) -> Result<R> {
    let variant = header.variant;
    let cb = entry.cb as usize;
    if cb > variant.max_block_data() {
        return Err(located(
            Error::out_of_range(
                "block",
                "stored size",
                cb as u64,
                variant.max_block_data() as u64,
            ),
            entry,
        ));
    }
    let disk = variant.block_disk_size(cb) as usize;
    file.with_bytes("block", entry.ib, disk, |raw| {
        check_trailer(variant, entry, signed_at, raw)?;
        f(&raw[..cb])
    })
    .and_then(|checked| checked)
    .map_err(|e| located(e, entry))
}

/// Names the block an error concerns, and where it lies.
fn located(e: Error, entry: &BbtEntry) -> Error {
    e.at_offset(entry.ib).with_bid(entry.bid)
}

/// Checks a block as stored (`raw`, trailer included) against its trailer.
fn check_trailer(variant: Variant, entry: &BbtEntry, signed_at: u64, raw: &[u8]) -> Result<()> {
    let cb = entry.cb as usize;
    let t = raw.len() - variant.block_trailer_size();
    let BlockTrailer {
        cb: t_cb,
        signature: t_sig,
        crc: t_crc,
        bid: t_bid,
        ..
    } = BlockTrailer::parse(variant, &raw[t..]);
    if t_cb as usize != cb {
        return Err(Error::mismatch("block trailer", "size", cb, t_cb));
    }
    if bid_key(t_bid) != bid_key(entry.bid) {
        return Err(Error::mismatch(
            "block trailer",
            "block id",
            format!("0x{:X}", entry.bid),
            format!("0x{t_bid:X}"),
        ));
    }
    if let Err(computed) = verify(t_crc, &raw[..cb]) {
        return Err(Error::new(
            "block",
            ErrorKind::Crc {
                expected: t_crc,
                computed,
            },
        ));
    }
    let sig = signature(signed_at, t_bid);
    if sig != t_sig {
        return Err(Error::mismatch(
            "block trailer",
            "signature",
            format!("0x{sig:04X}"),
            format!("0x{t_sig:04X}"),
        ));
    }
    Ok(())
}

/// Whether the index says the block is stored compressed (only 4 KiB stores compress).
pub fn is_compressed(entry: &BbtEntry) -> bool {
    entry.cb_inflated != entry.cb
}

thread_local! {
    /// One inflater per thread, reused from block to block: building one for each block
    /// cost more than inflating a typical block.
    static INFLATER: std::cell::RefCell<libdeflater::Decompressor> =
        std::cell::RefCell::new(libdeflater::Decompressor::new());
}

/// Inflates one block's zlib stream to exactly `expected` bytes. libdeflate inflates a
/// whole buffer at once, which is what a block is, at about twice the speed of a
/// streaming inflater (measured with tests/bench/speed-vs-peers.sh): inflating is most of
/// the work of reading a 4 KiB store.
fn inflate(stored: &[u8], expected: usize) -> Result<Vec<u8>> {
    let fail = |detail: String| Error::new("compressed block", ErrorKind::Decompress { detail });
    let mut out = vec![0u8; expected];
    let inflated = INFLATER.with(|d| d.borrow_mut().zlib_decompress(stored, &mut out));
    match inflated {
        Ok(n) if n == expected => Ok(out),
        Ok(n) => Err(fail(format!(
            "inflates to {n} bytes, the index promises {expected}"
        ))),
        Err(libdeflater::DecompressionError::InsufficientSpace) => Err(fail(format!(
            "inflates to more than {expected} bytes, the index promises {expected}"
        ))),
        Err(libdeflater::DecompressionError::BadData) => Err(fail(
            "its zlib stream is malformed or fails its own checksum".to_owned(),
        )),
    }
}

/// Header of an internal block, common to data trees and subnode trees.
struct InternalHeader {
    btype: u8,
    level: u8,
    count: usize,
}

fn internal_header(structure: &'static str, data: &[u8]) -> Result<InternalHeader> {
    if data.len() < 4 {
        return Err(Error::mismatch(
            structure,
            "size",
            "at least 4 bytes",
            data.len(),
        ));
    }
    Ok(InternalHeader {
        btype: data[0],
        level: data[1],
        count: u16_at(data, 2) as usize,
    })
}

fn check_fits(
    structure: &'static str,
    data: &[u8],
    start: usize,
    count: usize,
    size: usize,
) -> Result<()> {
    let needed = start + count * size;
    if needed > data.len() {
        return Err(Error::out_of_range(
            structure,
            "entry count",
            count as u64,
            ((data.len().saturating_sub(start)) / size) as u64,
        ));
    }
    Ok(())
}

/// An XBLOCK (level 1, children are data blocks) or XXBLOCK (level 2, children are
/// XBLOCKs), decoded but not followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataTreeBlock {
    pub level: u8,
    /// Bytes of data below this block.
    pub total: u64,
    pub children: Vec<u64>,
}

/// An SLBLOCK (the subnode entries themselves) or SIBLOCK (the SLBLOCKs below it), decoded
/// but not followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubnodeBlock {
    Leaf(Vec<SubnodeEntry>),
    Index(Vec<u64>),
}

/// Decodes data tree block `bid`, checking its type, level and that its entries fit. The
/// structural check reads every internal block this way once; the tree reader below uses
/// it for each block it follows.
pub fn parse_data_tree_block(variant: Variant, bid: u64, data: &[u8]) -> Result<DataTreeBlock> {
    let structure = "data tree block";
    let id = variant.id_size();
    let h = internal_header(structure, data).map_err(|e| e.with_bid(bid))?;
    if h.btype != 0x01 || !(h.level == 1 || h.level == 2) {
        return Err(Error::mismatch(
            structure,
            "type and level",
            "XBLOCK (1, level 1) or XXBLOCK (1, level 2)",
            format!("type {} level {}", h.btype, h.level),
        )
        .with_bid(bid));
    }
    if data.len() < 8 {
        return Err(
            Error::mismatch(structure, "size", "at least 8 bytes", data.len()).with_bid(bid),
        );
    }
    check_fits(structure, data, 8, h.count, id).map_err(|e| e.with_bid(bid))?;
    Ok(DataTreeBlock {
        level: h.level,
        total: u32_at(data, 4) as u64,
        children: (0..h.count)
            .map(|i| id_at(variant, data, 8 + i * id))
            .collect(),
    })
}

/// Decodes subnode tree block `bid`, checking its type, level and that its entries fit.
pub fn parse_subnode_block(variant: Variant, bid: u64, data: &[u8]) -> Result<SubnodeBlock> {
    let structure = "subnode tree block";
    let id = variant.id_size();
    let h = internal_header(structure, data).map_err(|e| e.with_bid(bid))?;
    if h.btype != 0x02 || h.level > 1 {
        return Err(Error::mismatch(
            structure,
            "type and level",
            "SLBLOCK (2, level 0) or SIBLOCK (2, level 1)",
            format!("type {} level {}", h.btype, h.level),
        )
        .with_bid(bid));
    }
    let start = variant.internal_block_header();
    if h.level == 0 {
        check_fits(structure, data, start, h.count, 3 * id).map_err(|e| e.with_bid(bid))?;
        Ok(SubnodeBlock::Leaf(
            (0..h.count)
                .map(|i| {
                    let at = start + i * 3 * id;
                    SubnodeEntry {
                        nid: Nid(id_at(variant, data, at) as u32),
                        bid_data: id_at(variant, data, at + id),
                        bid_sub: id_at(variant, data, at + 2 * id),
                    }
                })
                .collect(),
        ))
    } else {
        check_fits(structure, data, start, h.count, 2 * id).map_err(|e| e.with_bid(bid))?;
        Ok(SubnodeBlock::Index(
            (0..h.count)
                .map(|i| id_at(variant, data, start + i * 2 * id + id))
                .collect(),
        ))
    }
}

/// The blocks of a data tree, in order. `fetch` reads one block by id. A block id that
/// appears twice is damage (real trees never share blocks) and would multiply the data.
pub fn data_tree(
    variant: Variant,
    root_bid: u64,
    root: Vec<u8>,
    fetch: &dyn Fn(u64) -> Result<Vec<u8>>,
) -> Result<Vec<Vec<u8>>> {
    let mut blocks = Vec::new();
    visit_data_tree(variant, root_bid, root, fetch, &mut |_, data| {
        blocks.push(data);
        Ok(())
    })?;
    Ok(blocks)
}

/// The same, each data block handed to `visit` with its id as it is read and not kept:
/// a table's row matrix of many megabytes is then read a block at a time. The tree is
/// checked as `data_tree` checks it, and an error ends the walk.
pub fn visit_data_tree(
    variant: Variant,
    root_bid: u64,
    root: Vec<u8>,
    fetch: &dyn Fn(u64) -> Result<Vec<u8>>,
    visit: &mut dyn FnMut(u64, Vec<u8>) -> Result<()>,
) -> Result<()> {
    visit_inner(variant, root_bid, root, fetch, &mut HashSet::new(), visit)
}

fn visit_inner(
    variant: Variant,
    root_bid: u64,
    root: Vec<u8>,
    fetch: &dyn Fn(u64) -> Result<Vec<u8>>,
    seen: &mut HashSet<u64>,
    visit: &mut dyn FnMut(u64, Vec<u8>) -> Result<()>,
) -> Result<()> {
    if !bid_is_internal(root_bid) {
        return visit(root_bid, root);
    }
    let structure = "data tree block";
    let DataTreeBlock {
        level,
        total,
        children,
    } = parse_data_tree_block(variant, root_bid, &root)?;
    drop(root);
    let mut bytes: u64 = 0;
    // Counts each data block against the tree's total before it is handed on.
    let mut count = |bid: u64, part: Vec<u8>| -> Result<()> {
        bytes += part.len() as u64;
        if bytes > total {
            return Err(Error::mismatch(
                structure,
                "total size",
                total,
                format!("more than {total}"),
            )
            .with_bid(root_bid));
        }
        visit(bid, part)
    };
    for child in children {
        if !seen.insert(bid_key(child)) {
            return Err(Error::new(
                structure,
                ErrorKind::Cycle {
                    what: "a block listed twice in one data tree",
                },
            )
            .with_bid(child));
        }
        let data = fetch(child)?;
        if level == 2 {
            if !bid_is_internal(child) {
                return Err(Error::mismatch(
                    structure,
                    "child of XXBLOCK",
                    "an XBLOCK",
                    "a data block",
                )
                .with_bid(child));
            }
            let sub = internal_header(structure, &data).map_err(|e| e.with_bid(child))?;
            if sub.btype != 0x01 || sub.level != 1 {
                return Err(Error::mismatch(
                    structure,
                    "child of XXBLOCK",
                    "XBLOCK (type 1, level 1)",
                    format!("type {} level {}", sub.btype, sub.level),
                )
                .with_bid(child));
            }
            visit_inner(variant, child, data, fetch, seen, &mut count)?;
        } else {
            if bid_is_internal(child) {
                return Err(Error::mismatch(
                    structure,
                    "child of XBLOCK",
                    "a data block",
                    "an internal block",
                )
                .with_bid(child));
            }
            count(child, data)?;
        }
    }
    if bytes != total {
        return Err(Error::mismatch(structure, "total size", total, bytes).with_bid(root_bid));
    }
    Ok(())
}

/// One private child node of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubnodeEntry {
    pub nid: Nid,
    pub bid_data: u64,
    pub bid_sub: u64,
}

/// The entries of a subnode tree (SLBLOCK, or SIBLOCK over SLBLOCKs).
pub fn subnode_tree(
    variant: Variant,
    root_bid: u64,
    root: Vec<u8>,
    fetch: &dyn Fn(u64) -> Result<Vec<u8>>,
) -> Result<Vec<SubnodeEntry>> {
    let structure = "subnode tree block";
    if !bid_is_internal(root_bid) {
        return Err(
            Error::mismatch(structure, "block kind", "an internal block", "a data block")
                .with_bid(root_bid),
        );
    }
    match parse_subnode_block(variant, root_bid, &root)? {
        SubnodeBlock::Leaf(entries) => Ok(entries),
        SubnodeBlock::Index(children) => {
            let mut out = Vec::new();
            let mut seen = HashSet::new();
            for child in children {
                if !seen.insert(bid_key(child)) {
                    return Err(Error::new(
                        structure,
                        ErrorKind::Cycle {
                            what: "a block listed twice in one subnode tree",
                        },
                    )
                    .with_bid(child));
                }
                let data = fetch(child)?;
                let sub = internal_header(structure, &data).map_err(|e| e.with_bid(child))?;
                if sub.btype != 0x02 || sub.level != 0 {
                    return Err(Error::mismatch(
                        structure,
                        "child of SIBLOCK",
                        "SLBLOCK (type 2, level 0)",
                        format!("type {} level {}", sub.btype, sub.level),
                    )
                    .with_bid(child));
                }
                out.extend(subnode_tree(variant, child, data, fetch)?);
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// An XBLOCK (Unicode) listing `children`, promising `total` bytes.
    fn xblock(level: u8, children: &[u64], total: u32) -> Vec<u8> {
        let mut b = vec![0x01, level];
        b.extend_from_slice(&(children.len() as u16).to_le_bytes());
        b.extend_from_slice(&total.to_le_bytes());
        for c in children {
            b.extend_from_slice(&c.to_le_bytes());
        }
        b
    }

    fn fetcher(blocks: HashMap<u64, Vec<u8>>) -> impl Fn(u64) -> Result<Vec<u8>> {
        move |bid| {
            blocks
                .get(&bid)
                .cloned()
                .ok_or_else(|| Error::malformed("test", "no such block"))
        }
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(data).unwrap();
        z.finish().unwrap()
    }

    /// A block inflates to exactly the size its index entry gives, or is damaged, and says
    /// how: longer, shorter, or not a zlib stream that holds (its Adler-32 included).
    #[test]
    fn a_compressed_block_inflates_to_exactly_its_promised_size() {
        let data: Vec<u8> = (0..5000u32)
            .map(|i| (i % 251) as u8 ^ (i / 97) as u8)
            .collect();
        let stream = zlib(&data);
        assert_eq!(inflate(&stream, data.len()).unwrap(), data);
        let longer = inflate(&stream, data.len() - 1).unwrap_err().to_string();
        assert!(longer.contains("more than 4999 bytes"), "{longer}");
        let shorter = inflate(&stream, data.len() + 1).unwrap_err().to_string();
        assert!(
            shorter.contains("inflates to 5000 bytes, the index promises 5001"),
            "{shorter}"
        );
        let mut spoiled = stream.clone();
        let last = spoiled.len() - 1;
        spoiled[last] ^= 1; // the Adler-32 at the end
        assert!(matches!(
            inflate(&spoiled, data.len()).unwrap_err().kind,
            ErrorKind::Decompress { .. }
        ));
        let cut = inflate(&stream[..stream.len() / 2], data.len()).unwrap_err();
        assert!(matches!(cut.kind, ErrorKind::Decompress { .. }), "{cut}");
        assert!(inflate(&[0, 0, 0, 0], 10).is_err());
        assert!(inflate(&[], 10).is_err());
    }

    #[test]
    fn joins_the_blocks_of_a_data_tree_in_order() {
        let fetch = fetcher(HashMap::from([(4, vec![1; 10]), (8, vec![2; 5])]));
        let blocks = data_tree(Variant::Unicode, 0x22, xblock(1, &[4, 8], 15), &fetch).unwrap();
        assert_eq!(blocks, vec![vec![1; 10], vec![2; 5]]);
    }

    #[test]
    fn a_block_listed_twice_is_a_cycle_not_twice_the_data() {
        let fetch = fetcher(HashMap::from([(4, vec![1; 10])]));
        let e = data_tree(Variant::Unicode, 0x22, xblock(1, &[4, 4], 20), &fetch).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Cycle { .. }), "{e}");
        // The same through two XBLOCKs under an XXBLOCK sharing one child.
        let x = xblock(1, &[4], 10);
        let fetch = fetcher(HashMap::from([
            (4, vec![1; 10]),
            (0x26, x.clone()),
            (0x2A, x),
        ]));
        let e =
            data_tree(Variant::Unicode, 0x22, xblock(2, &[0x26, 0x2A], 20), &fetch).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Cycle { .. }), "{e}");
    }

    #[test]
    fn a_data_tree_must_deliver_exactly_its_total() {
        let fetch = fetcher(HashMap::from([(4, vec![1; 10])]));
        let short = data_tree(Variant::Unicode, 0x22, xblock(1, &[4], 11), &fetch).unwrap_err();
        assert!(
            short
                .to_string()
                .contains("total size: expected 11, found 10"),
            "{short}"
        );
        let long = data_tree(Variant::Unicode, 0x22, xblock(1, &[4], 9), &fetch).unwrap_err();
        assert!(matches!(long.kind, ErrorKind::Mismatch { .. }), "{long}");
    }

    #[test]
    fn an_entry_count_past_the_block_is_out_of_range() {
        let mut x = xblock(1, &[4], 10);
        x[2] = 200;
        let fetch = fetcher(HashMap::new());
        let e = data_tree(Variant::Unicode, 0x22, x, &fetch).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::OutOfRange { .. }), "{e}");
        let mut sl = vec![0x02, 0, 50, 0, 0, 0, 0, 0];
        sl.extend_from_slice(&[0; 24]);
        let e = subnode_tree(Variant::Unicode, 0x22, sl, &fetch).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::OutOfRange { .. }), "{e}");
    }
}
