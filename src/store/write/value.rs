//! Encoding values for writing, the inverse of the reader's decoding.

use crate::store::ltp::prop::ptype;

/// UTF-16LE, as Unicode strings are stored. Most text (bodies, headers, names) is ASCII,
/// which is widened byte by byte; the general encoder takes the rest.
pub fn utf16(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 2);
    if s.is_ascii() {
        for &b in s.as_bytes() {
            out.extend_from_slice(&[b, 0]);
        }
    } else {
        for u in s.encode_utf16() {
            out.extend_from_slice(&u.to_le_bytes());
        }
    }
    out
}

pub fn text(s: &str) -> (u16, Vec<u8>) {
    (ptype::UNICODE, utf16(s))
}

/// A multi-valued string: a count, one offset per string from the value's start, then the
/// strings, as [MS-PST] 2.3.3.4.2 lays out variable-size multi-values.
pub fn texts(items: &[String]) -> (u16, Vec<u8>) {
    let encoded: Vec<Vec<u8>> = items.iter().map(|s| utf16(s)).collect();
    let mut out = (items.len() as u32).to_le_bytes().to_vec();
    let mut at = 4 + 4 * items.len();
    for e in &encoded {
        out.extend_from_slice(&(at as u32).to_le_bytes());
        at += e.len();
    }
    for e in encoded {
        out.extend_from_slice(&e);
    }
    (ptype::UNICODE | ptype::MULTI, out)
}

pub fn int32(v: i32) -> (u16, Vec<u8>) {
    (ptype::INT32, v.to_le_bytes().to_vec())
}

pub fn int64(v: i64) -> (u16, Vec<u8>) {
    (ptype::INT64, v.to_le_bytes().to_vec())
}

pub fn boolean(v: bool) -> (u16, Vec<u8>) {
    (ptype::BOOLEAN, vec![v as u8])
}

pub fn time(filetime: i64) -> (u16, Vec<u8>) {
    (ptype::SYSTIME, filetime.to_le_bytes().to_vec())
}

pub fn binary(b: &[u8]) -> (u16, Vec<u8>) {
    (ptype::BINARY, b.to_vec())
}
