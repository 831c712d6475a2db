//! Class names: a folder's container class and an item's message class. They are ASCII
//! identifiers ("IPF.Contact", "IPM.Note") that tell Outlook which form and view to use.
//!
//! Outlook has been seen storing one as 8-bit bytes in a property typed UTF-16: the
//! "Contact Search" folder of an Outlook.com store holds the bytes of "IPF.Contact" and a
//! NUL, which read as UTF-16 are "偉⹆潃瑮捡t" (libpff's format document lists the same
//! fault as "Unicode string which contains 16-bit extended ASCII string"). For these
//! properties only, what was meant can be told apart from real UTF-16 text: a class name
//! is ASCII, so a value whose UTF-16 reading is not ASCII while its bytes are printable
//! ASCII can only be the 8-bit name.

use crate::store::error::Result;
use crate::store::ltp::prop::{self, ptype};
use crate::store::ltp::{PropertyContext, TableContext};

/// A class name as read, and whether it was stored under the wrong type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassName {
    pub text: String,
    /// 8-bit text in a property typed UTF-16.
    pub mistyped: bool,
    /// What the value holds after a mistyped name's NUL, read as text: the Outlook.com
    /// store's value goes on with a UTF-16 "IPM.Microsoft.OSC.ContactSync". Kept so that a
    /// report can show it; empty when there is nothing.
    pub trailing: String,
}

/// Decodes a class name stored with type `t`; `None` when it is not text at all.
pub fn decode(t: u16, bytes: &[u8]) -> Option<ClassName> {
    let proper = |text| ClassName {
        text,
        mistyped: false,
        trailing: String::new(),
    };
    match t {
        ptype::UNICODE => {
            let text = prop::utf16(bytes);
            if text.is_ascii() {
                return Some(proper(text));
            }
            let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
            let (narrow, rest) = (&bytes[..end], bytes.get(end + 1..).unwrap_or(&[]));
            // Real UTF-16 class names have a NUL as their second byte; at least two
            // printable bytes before the first NUL is what 8-bit text looks like.
            if narrow.len() < 2 || !narrow.iter().all(|b| (0x20..0x7F).contains(b)) {
                return Some(proper(text));
            }
            let trailing = if rest.len() % 2 == 0 {
                prop::utf16(rest)
            } else {
                prop::cp1252(rest)
            };
            Some(ClassName {
                text: String::from_utf8_lossy(narrow).into_owned(),
                mistyped: true,
                trailing: trailing.trim_end_matches('\0').to_string(),
            })
        }
        ptype::STRING8 => Some(proper(prop::cp1252(bytes))),
        _ => None,
    }
}

/// The class name property `id` of a folder or item.
pub fn read(pc: &PropertyContext, id: u16) -> Result<Option<ClassName>> {
    Ok(pc.raw(id)?.and_then(|(t, bytes)| decode(t, &bytes)))
}

/// The class name column `id` of one table row.
pub fn read_cell(table: &TableContext, row: usize, id: u16) -> Result<Option<ClassName>> {
    Ok(table
        .raw_cell(row, id)?
        .and_then(|(t, bytes)| decode(t, &bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn eight_bit_text_typed_utf16_reads_as_what_outlook_meant() {
        // The bytes the Outlook.com store's "Contact Search" folder holds: an 8-bit name and
        // its NUL, then UTF-16 text.
        let mut stored = b"IPF.Contact\0".to_vec();
        stored.extend(utf16("IPM.Microsoft.OSC.ContactSync"));
        assert_eq!(
            prop::utf16(&stored),
            "偉⹆潃瑮捡tIPM.Microsoft.OSC.ContactSync"
        );
        assert_eq!(
            decode(ptype::UNICODE, &stored),
            Some(ClassName {
                text: "IPF.Contact".into(),
                mistyped: true,
                trailing: "IPM.Microsoft.OSC.ContactSync".into(),
            })
        );
        let plain = decode(ptype::UNICODE, b"IPF.Contact\0").unwrap();
        assert_eq!(
            (plain.text.as_str(), plain.mistyped, plain.trailing.as_str()),
            ("IPF.Contact", true, "")
        );
        // Odd length, no NUL: the last byte is not lost.
        assert_eq!(
            decode(ptype::UNICODE, b"IPF.Task1").unwrap().text,
            "IPF.Task1"
        );
    }

    #[test]
    fn proper_values_read_as_stored() {
        for s in ["IPF.Note", "IPM.Note.SMIME", ""] {
            let got = decode(ptype::UNICODE, &utf16(s)).unwrap();
            assert_eq!((got.text.as_str(), got.mistyped), (s, false));
        }
        assert_eq!(
            decode(ptype::STRING8, b"IPF.Appointment\0").unwrap(),
            ClassName {
                text: "IPF.Appointment".into(),
                mistyped: false,
                trailing: String::new(),
            }
        );
        // UTF-16 text that is not ASCII and whose bytes are not printable ASCII stays as it is.
        let got = decode(ptype::UNICODE, &utf16("IPF.Ñote")).unwrap();
        assert_eq!((got.text.as_str(), got.mistyped), ("IPF.Ñote", false));
        assert_eq!(decode(ptype::INT32, &[1, 0, 0, 0]), None);
    }
}
