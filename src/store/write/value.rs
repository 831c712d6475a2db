//! Encoding values for writing, the inverse of the reader's decoding.

use crate::store::ltp::prop::ptype;

pub fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

pub fn text(s: &str) -> (u16, Vec<u8>) {
    (ptype::UNICODE, utf16(s))
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
