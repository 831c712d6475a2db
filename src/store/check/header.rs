//! The file header: the damage the lenient parse found, and the partial checksum Unicode
//! files carry besides their full one (the reader relies on the full one only).

use super::finding::{Class, Finding};
use super::scan::Scan;
use crate::store::error::{Error, ErrorKind, NotOutlookReason};
use crate::store::ndb::crc::verify;
use crate::store::ndb::format::u32_at;

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
    if !variant.is_ansi() {
        match scan.ndb().file().read_vec("file header", 0, 8 + 471) {
            Ok(bytes) => {
                let stored = u32_at(&bytes, 4);
                if let Err(computed) = verify(stored, &bytes[8..]) {
                    scan.report(
                        Finding::new(
                            Class::Header,
                            "file header",
                            format!(
                                "partial checksum: stored 0x{stored:08X}, the header's first 471 bytes give 0x{computed:08X}"
                            ),
                        )
                        .offset(4),
                    );
                }
            }
            Err(e) => scan.report_error(&e, None),
        }
    }
    contents_readable
}
