//! The allocation maps: pages at fixed places, one bit per slot of the file, set where
//! something is stored. Space a block or page uses but the map shows free is space Outlook
//! may hand out again, over that data. Pages are read in file order, one at a time.
//!
//! The other map pages (PMap, FMap, FPMap) are deprecated, but [MS-PST] still requires each
//! at its fixed place with a valid checksum for the file to stay valid for older clients:
//! every one the file's size calls for is read and its type and checksum verified.

use super::extents::{Extents, Owner};
use super::finding::{Class, Finding, Severity};
use super::scan::Scan;
use crate::store::error::ErrorKind;
use crate::store::ndb::crc::verify;
use crate::store::ndb::layout::Layout;
use crate::store::ndb::page::{PageType, parse_trailer};
use crate::work::Cancelled;

const DOING: &str = "Checking the allocation map";
const DOING_OTHERS: &str = "Checking the page and free maps";

/// The map page currently read: its offset, and its bytes when it passed its checks.
struct Current {
    ib: u64,
    page: Option<Vec<u8>>,
}

pub fn check(scan: &mut Scan, extents: &Extents) -> Result<(), Cancelled> {
    if scan.ndb().header().amap_valid == 0 {
        scan.report(
            Finding::new(
                Class::Amap,
                "file header",
                "the allocation map is marked as not valid; Outlook rebuilds it the next time it opens the file, so it was not checked",
            )
            .severity(Severity::Info),
        );
        return Ok(());
    }
    let variant = scan.ndb().variant();
    let layout = Layout::of(variant);
    let bits_at = if variant.is_ansi() { 4 } else { 0 };
    let span = layout.amap_span();
    let total = extents.len() as u64;
    scan.begin(total, DOING)?;
    let mut current: Option<Current> = None;
    for n in 0..extents.len() {
        scan.tick(n as u64, total, DOING)?;
        let e = extents.get(scan, n);
        let (start, end, owner) = (e.start, e.end, e.owner);
        if matches!(owner, Owner::Header) || start < layout.first_amap {
            continue;
        }
        let first_slot = start / layout.slot * layout.slot;
        for at in (first_slot..end).step_by(layout.slot as usize) {
            let page_ib = layout.first_amap + (at - layout.first_amap) / span * span;
            if current.as_ref().is_none_or(|c| c.ib != page_ib) {
                current = Some(Current {
                    ib: page_ib,
                    page: read_map_page(scan, page_ib, PageType::AMap),
                });
            }
            let Some(page) = current.as_ref().and_then(|c| c.page.as_ref()) else {
                break;
            };
            let bit = ((at - page_ib) / layout.slot) as usize;
            if page[bits_at + bit / 8] & (0x80 >> (bit % 8)) == 0 {
                let mut f = Finding::new(
                    Class::Amap,
                    "allocation map page",
                    format!(
                        "{} at 0x{start:X} uses bytes the allocation map at 0x{page_ib:X} shows as free (from 0x{at:X})",
                        describe(owner)
                    ),
                )
                .offset(start);
                if let Owner::Block(bid) = owner {
                    f = f.bid(bid);
                }
                scan.report(f);
                break;
            }
        }
    }
    check_other_map_pages(scan)
}

/// The PMap, FMap and FPMap pages below the end the header records. A file shorter than
/// that was reported from its header; the pages it lacks are not reported again (and a
/// damaged end far past the file does not make a list of pages that are not there).
fn check_other_map_pages(scan: &mut Scan) -> Result<(), Cancelled> {
    let layout = Layout::of(scan.ndb().variant());
    let eof = scan.ndb().header().file_eof.min(scan.ndb().file_len());
    let pages: Vec<(u64, PageType)> = layout
        .map_page_offsets(eof)
        .into_iter()
        .filter(|&(_, ptype)| ptype != PageType::AMap)
        .collect();
    if pages.is_empty() {
        return Ok(());
    }
    let total = pages.len() as u64;
    scan.begin(total, DOING_OTHERS)?;
    for (n, &(ib, ptype)) in pages.iter().enumerate() {
        scan.tick(n as u64, total, DOING_OTHERS)?;
        read_map_page(scan, ib, ptype);
    }
    Ok(())
}

fn describe(owner: Owner) -> String {
    match owner {
        Owner::Block(bid) => format!("block 0x{bid:X}"),
        Owner::Page { bid, .. } => format!("index page 0x{bid:X}"),
        Owner::MapPage => "a map page".to_string(),
        Owner::Header => "the header".to_string(),
    }
}

/// The map page of type `want` at `ib` when it is one; a damaged one is reported once.
fn read_map_page(scan: &mut Scan, ib: u64, want: PageType) -> Option<Vec<u8>> {
    let variant = scan.ndb().variant();
    let structure = want.structure();
    let page = match scan
        .ndb()
        .file()
        .read_vec(structure, ib, variant.page_size())
    {
        Ok(page) => page,
        // A file cut short was reported from its header.
        Err(e) if matches!(e.kind, ErrorKind::Truncated { .. }) => return None,
        Err(e) => {
            scan.report_error(&e, None);
            return None;
        }
    };
    let t = parse_trailer(variant, &page);
    let want = want as u8;
    let problem = if t.ptype != want || t.ptype_repeat != want {
        Some(format!(
            "page type: expected 0x{want:02X}, found 0x{:02X}/0x{:02X}",
            t.ptype, t.ptype_repeat
        ))
    } else {
        verify(t.crc, &page[..variant.page_trailer_offset()])
            .err()
            .map(|computed| {
                format!(
                    "checksum mismatch: stored CRC 0x{:08X}, bytes give 0x{computed:08X}",
                    t.crc
                )
            })
    };
    match problem {
        None => Some(page),
        Some(detail) => {
            scan.report(Finding::new(Class::Amap, structure, detail).offset(ib));
            None
        }
    }
}
