//! Pages: fixed-size units (512 bytes or 4 KiB) with a trailer naming their type, id and
//! checksum. B-tree pages add a footer with the entry count, entry size and level.

use super::crc::{signature, verify};
use super::file::StoreFile;
use super::format::{Variant, id_at, u16_at, u32_at};
use super::header::BRef;
use crate::store::error::{Error, ErrorKind, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageType {
    Bbt = 0x80,
    Nbt = 0x81,
    FMap = 0x82,
    PMap = 0x83,
    AMap = 0x84,
    FpMap = 0x85,
    DList = 0x86,
}

impl PageType {
    pub fn structure(self) -> &'static str {
        match self {
            PageType::Bbt => "block B-tree page",
            PageType::Nbt => "node B-tree page",
            PageType::FMap => "free map page",
            PageType::PMap => "page map page",
            PageType::AMap => "allocation map page",
            PageType::FpMap => "free page map page",
            PageType::DList => "density list page",
        }
    }
}

/// The trailer fields of a page, as stored.
#[derive(Debug, Clone, Copy)]
pub struct PageTrailer {
    pub ptype: u8,
    pub ptype_repeat: u8,
    pub signature: u16,
    pub crc: u32,
    pub bid: u64,
}

impl PageTrailer {
    /// The trailer of a page of type `ptype` with id `bid`, its checksum over `page`'s
    /// bytes before the trailer. Only B-tree pages carry a signature.
    pub fn seal(variant: Variant, page: &[u8], ib: u64, bid: u64, ptype: u8) -> PageTrailer {
        let signed = ptype == PageType::Bbt as u8 || ptype == PageType::Nbt as u8;
        PageTrailer {
            ptype,
            ptype_repeat: ptype,
            signature: if signed { signature(ib, bid) } else { 0 },
            crc: super::crc::crc32(&page[..variant.page_trailer_offset()]),
            bid,
        }
    }

    /// Writes the trailer into its place in a whole page's bytes.
    pub fn write(&self, variant: Variant, page: &mut [u8]) {
        let t = variant.page_trailer_offset();
        page[t] = self.ptype;
        page[t + 1] = self.ptype_repeat;
        page[t + 2..t + 4].copy_from_slice(&self.signature.to_le_bytes());
        if variant.is_ansi() {
            page[t + 4..t + 8].copy_from_slice(&(self.bid as u32).to_le_bytes());
            page[t + 8..t + 12].copy_from_slice(&self.crc.to_le_bytes());
        } else {
            page[t + 4..t + 8].copy_from_slice(&self.crc.to_le_bytes());
            page[t + 8..t + 16].copy_from_slice(&self.bid.to_le_bytes());
        }
    }
}

pub fn parse_trailer(variant: Variant, page: &[u8]) -> PageTrailer {
    let t = variant.page_trailer_offset();
    let (crc, bid) = if variant.is_ansi() {
        (u32_at(page, t + 8), u32_at(page, t + 4) as u64)
    } else {
        (u32_at(page, t + 4), id_at(variant, page, t + 8))
    };
    PageTrailer {
        ptype: page[t],
        ptype_repeat: page[t + 1],
        signature: u16_at(page, t + 2),
        crc,
        bid,
    }
}

/// Reads the page at `bref` and checks its trailer: type, id, signature and CRC. Map pages
/// carry no signature, so only B-tree pages have theirs checked.
pub fn read_page(
    file: &StoreFile,
    variant: Variant,
    bref: BRef,
    ptype: PageType,
) -> Result<Vec<u8>> {
    let structure = ptype.structure();
    let size = variant.page_size();
    if !bref.ib.is_multiple_of(size as u64) {
        return Err(Error::mismatch(
            structure,
            "page alignment",
            format!("a multiple of {size}"),
            bref.ib,
        )
        .at_offset(bref.ib)
        .with_bid(bref.bid));
    }
    let page = file
        .read_vec_alone(structure, bref.ib, size)
        .map_err(|e| e.with_bid(bref.bid))?;
    check_page(variant, &page, bref, ptype).map_err(|e| e.at_offset(bref.ib).with_bid(bref.bid))?;
    Ok(page)
}

pub fn check_page(variant: Variant, page: &[u8], bref: BRef, ptype: PageType) -> Result<()> {
    let structure = ptype.structure();
    let trailer = parse_trailer(variant, page);
    if trailer.ptype != ptype as u8 || trailer.ptype_repeat != ptype as u8 {
        return Err(Error::mismatch(
            structure,
            "page type",
            format!("0x{:02X}", ptype as u8),
            format!("0x{:02X}/0x{:02X}", trailer.ptype, trailer.ptype_repeat),
        ));
    }
    if let Err(computed) = verify(trailer.crc, &page[..variant.page_trailer_offset()]) {
        return Err(Error::new(
            structure,
            ErrorKind::Crc {
                expected: trailer.crc,
                computed,
            },
        ));
    }
    if trailer.bid != bref.bid {
        return Err(Error::mismatch(
            structure,
            "page id",
            format!("0x{:X}", bref.bid),
            format!("0x{:X}", trailer.bid),
        ));
    }
    if matches!(ptype, PageType::Bbt | PageType::Nbt) {
        let expected = signature(bref.ib, bref.bid);
        if trailer.signature != expected {
            return Err(Error::mismatch(
                structure,
                "page signature",
                format!("0x{expected:04X}"),
                format!("0x{:04X}", trailer.signature),
            ));
        }
    }
    Ok(())
}

/// The footer of a B-tree page, as stored: entry count, capacity, entry size, level.
#[derive(Debug, Clone, Copy)]
pub struct Footer {
    pub count: usize,
    pub max: usize,
    pub entry_size: usize,
    pub level: u8,
}

impl Footer {
    /// Reads the footer of a whole page's bytes.
    pub fn parse(variant: Variant, page: &[u8]) -> Footer {
        let at = variant.btree_entries_size();
        if variant == Variant::Unicode4k {
            Footer {
                count: u16_at(page, at) as usize,
                max: u16_at(page, at + 2) as usize,
                entry_size: page[at + 4] as usize,
                level: page[at + 5],
            }
        } else {
            Footer {
                count: page[at] as usize,
                max: page[at + 1] as usize,
                entry_size: page[at + 2] as usize,
                level: page[at + 3],
            }
        }
    }

    /// Appends the footer to a page's entry area (`variant.btree_entries_size()` bytes):
    /// the inverse of `parse`.
    pub fn write(&self, variant: Variant, page: &mut Vec<u8>) {
        debug_assert_eq!(page.len(), variant.btree_entries_size());
        if variant == Variant::Unicode4k {
            page.extend_from_slice(&(self.count as u16).to_le_bytes());
            page.extend_from_slice(&(self.max as u16).to_le_bytes());
        } else {
            page.push(self.count as u8);
            page.push(self.max as u8);
        }
        page.push(self.entry_size as u8);
        page.push(self.level);
    }
}

/// A validated B-tree page: its entries and where they sit in the tree.
#[derive(Debug)]
pub struct BTreePage {
    pub ptype: PageType,
    pub bid: u64,
    pub bytes: Vec<u8>,
    pub level: u8,
    pub count: usize,
    pub entry_size: usize,
    pub ib: u64,
}

impl BTreePage {
    pub fn read(
        file: &StoreFile,
        variant: Variant,
        bref: BRef,
        ptype: PageType,
    ) -> Result<BTreePage> {
        let structure = ptype.structure();
        let bytes = read_page(file, variant, bref, ptype)?;
        let at = variant.btree_entries_size();
        let Footer {
            count,
            max,
            entry_size,
            level,
        } = Footer::parse(variant, &bytes);
        let wrap = |e: Error| e.at_offset(bref.ib).with_bid(bref.bid);
        let expected_size = match (level, ptype) {
            (0, PageType::Nbt) => variant.nbt_entry_size(),
            (0, _) => variant.bbt_entry_size(),
            _ => variant.branch_entry_size(),
        };
        if entry_size != expected_size {
            return Err(wrap(Error::mismatch(
                structure,
                "entry size",
                expected_size,
                entry_size,
            )));
        }
        let capacity = at / entry_size;
        if count > capacity || max > capacity {
            return Err(wrap(Error::out_of_range(
                structure,
                "entry count",
                count.max(max) as u64,
                capacity as u64,
            )));
        }
        Ok(BTreePage {
            ptype,
            bid: bref.bid,
            bytes,
            level,
            count,
            entry_size,
            ib: bref.ib,
        })
    }

    pub fn entry(&self, i: usize) -> &[u8] {
        &self.bytes[i * self.entry_size..(i + 1) * self.entry_size]
    }
}
