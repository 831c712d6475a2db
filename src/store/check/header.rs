//! The file header: the damage the lenient parse found, and the partial checksum Unicode
//! files carry besides their full one (the reader relies on the full one only).

use super::finding::{Class, Finding};
use super::scan::Scan;
use crate::store::error::{Error, ErrorKind, NotOutlookReason};
use crate::store::ndb::crc::verify;
use crate::store::ndb::format::u32_at;
use crate::store::ndb::header::{CRC_FROM, HeaderLayout, PARTIAL_CRC_LEN};

/// Reports the header's damage. Returns false when the contents cannot be read at all
/// (protected by Windows Information Protection): only the file's structure is checked then.
pub fn check(scan: &mut Scan, damage: Vec<Error>) -> bool {
    let mut contents_readable = true;
    for e in &damage {
        if matches!(
            e.kind,
            ErrorKind::NotOutlookFile(NotOutlookReason::ProtectedContent)
        ) {
            contents_readable = false;
        }
        scan.report_error(e, None);
    }
    let variant = scan.ndb().variant();
    // ANSI files have no other checksum: the header's parse has checked this one already.
    let layout = HeaderLayout::of(variant);
    if layout.full_crc.is_some() {
        let at = layout.partial_crc;
        match scan
            .ndb()
            .file()
            .read_vec("file header", 0, CRC_FROM + PARTIAL_CRC_LEN)
        {
            Ok(bytes) => {
                let stored = u32_at(&bytes, at);
                if let Err(computed) = verify(stored, &bytes[CRC_FROM..]) {
                    scan.report(
                        Finding::new(
                            Class::Header,
                            "file header",
                            format!(
                                "partial checksum: stored 0x{stored:08X}, the header's first {PARTIAL_CRC_LEN} bytes give 0x{computed:08X}"
                            ),
                        )
                        .offset(at as u64),
                    );
                }
            }
            Err(e) => scan.report_error(&e, None),
        }
    }
    contents_readable
}
