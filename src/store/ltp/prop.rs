//! Property types and values ([MS-OXCDATA] 2.11.1) as the LTP layer stores them.

use crate::store::error::{Error, Result};
use crate::store::ndb::format::{u16_at, u32_at, u64_at};

pub mod ptype {
    pub const INT16: u16 = 0x0002;
    pub const INT32: u16 = 0x0003;
    pub const FLOAT32: u16 = 0x0004;
    pub const FLOAT64: u16 = 0x0005;
    pub const CURRENCY: u16 = 0x0006;
    pub const APPTIME: u16 = 0x0007;
    pub const ERROR: u16 = 0x000A;
    pub const BOOLEAN: u16 = 0x000B;
    pub const OBJECT: u16 = 0x000D;
    pub const INT64: u16 = 0x0014;
    pub const STRING8: u16 = 0x001E;
    pub const UNICODE: u16 = 0x001F;
    pub const SYSTIME: u16 = 0x0040;
    pub const GUID: u16 = 0x0048;
    pub const SERVER_ID: u16 = 0x00FB;
    pub const RESTRICTION: u16 = 0x00FD;
    pub const RULE_ACTION: u16 = 0x00FE;
    pub const BINARY: u16 = 0x0102;
    pub const MULTI: u16 = 0x1000;
}

/// Size of a value of a fixed-size type, or `None` for variable-size ones.
pub fn fixed_size(t: u16) -> Option<usize> {
    use ptype::*;
    match t {
        INT16 => Some(2),
        INT32 | FLOAT32 | ERROR | BOOLEAN => Some(4),
        FLOAT64 | CURRENCY | APPTIME | INT64 | SYSTIME => Some(8),
        GUID => Some(16),
        _ => None,
    }
}

/// A decoded property value. Times are FILETIMEs (100 ns ticks since 1601-01-01 UTC).
#[derive(Debug, Clone, PartialEq)]
pub enum PropValue {
    I16(i16),
    I32(i32),
    F32(f32),
    F64(f64),
    Currency(i64),
    AppTime(f64),
    Error(u32),
    Bool(bool),
    I64(i64),
    Text(String),
    Time(i64),
    Guid([u8; 16]),
    Binary(Vec<u8>),
    /// An embedded object: the subnode holding it and its size.
    Object {
        nid: u32,
        size: u32,
    },
    Multi(Vec<PropValue>),
    /// A type this reader does not interpret, kept as stored.
    Raw {
        ptype: u16,
        bytes: Vec<u8>,
    },
}

impl PropValue {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            PropValue::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            PropValue::I16(v) => Some(v as i64),
            PropValue::I32(v) => Some(v as i64),
            PropValue::I64(v) | PropValue::Currency(v) => Some(v),
            PropValue::Bool(v) => Some(v as i64),
            PropValue::Error(v) => Some(v as i64),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            PropValue::Bool(v) => Some(v),
            _ => self.as_i64().map(|v| v != 0),
        }
    }

    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            PropValue::Binary(b) | PropValue::Raw { bytes: b, .. } => Some(b),
            _ => None,
        }
    }

    pub fn as_time(&self) -> Option<i64> {
        match *self {
            PropValue::Time(t) => Some(t),
            _ => None,
        }
    }
}

/// Whether `decode` would take these bytes, without building the value: a check reads
/// every property of every item, and most are text that would be decoded only to be
/// dropped.
pub fn validate(t: u16, b: &[u8]) -> Result<()> {
    // A single value of no fixed size (text, binary, object, a type not known) decodes
    // from any bytes.
    if t & ptype::MULTI == 0 && fixed_size(t).is_none() {
        return Ok(());
    }
    decode(t, b).map(|_| ())
}

/// Decodes a stored value of type `t` from exactly its bytes.
pub fn decode(t: u16, b: &[u8]) -> Result<PropValue> {
    use ptype::*;
    if t & MULTI != 0 {
        return decode_multi(t & !MULTI, b);
    }
    // Booleans take 4 bytes in a property context but 1 in a table row.
    let min = if t == BOOLEAN { Some(1) } else { fixed_size(t) };
    if let Some(size) = min
        && b.len() < size
    {
        return Err(Error::mismatch(
            "property value",
            "size",
            format!("{size} bytes for type 0x{t:04X}"),
            b.len(),
        ));
    }
    Ok(match t {
        INT16 => PropValue::I16(u16_at(b, 0) as i16),
        INT32 => PropValue::I32(u32_at(b, 0) as i32),
        FLOAT32 => PropValue::F32(f32::from_bits(u32_at(b, 0))),
        FLOAT64 => PropValue::F64(f64::from_bits(u64_at(b, 0))),
        CURRENCY => PropValue::Currency(u64_at(b, 0) as i64),
        APPTIME => PropValue::AppTime(f64::from_bits(u64_at(b, 0))),
        ERROR => PropValue::Error(u32_at(b, 0)),
        BOOLEAN => PropValue::Bool(b[0] != 0),
        INT64 => PropValue::I64(u64_at(b, 0) as i64),
        SYSTIME => PropValue::Time(u64_at(b, 0) as i64),
        GUID => PropValue::Guid(b[..16].try_into().expect("16 bytes")),
        UNICODE => PropValue::Text(utf16(b)),
        STRING8 => PropValue::Text(cp1252(b)),
        BINARY | SERVER_ID => PropValue::Binary(b.to_vec()),
        OBJECT if b.len() >= 8 => PropValue::Object {
            nid: u32_at(b, 0),
            size: u32_at(b, 4),
        },
        _ => PropValue::Raw {
            ptype: t,
            bytes: b.to_vec(),
        },
    })
}

fn decode_multi(t: u16, b: &[u8]) -> Result<PropValue> {
    if let Some(size) = fixed_size(t) {
        let items = b
            .chunks_exact(size)
            .map(|c| decode(t, c))
            .collect::<Result<_>>()?;
        return Ok(PropValue::Multi(items));
    }
    // Variable-size items: a count, then one offset per item, then the items.
    if b.len() < 4 {
        return Ok(PropValue::Multi(Vec::new()));
    }
    let count = u32_at(b, 0) as usize;
    if count > (b.len() - 4) / 4 {
        return Err(Error::out_of_range(
            "multi-valued property",
            "item count",
            count as u64,
            ((b.len() - 4) / 4) as u64,
        ));
    }
    let offsets: Vec<usize> = (0..count).map(|i| u32_at(b, 4 + i * 4) as usize).collect();
    let mut items = Vec::with_capacity(count);
    for i in 0..count {
        let start = offsets[i];
        let end = offsets.get(i + 1).copied().unwrap_or(b.len());
        if start > end || end > b.len() {
            return Err(Error::malformed(
                "multi-valued property",
                format!("item {i} spans {start}..{end} of {} bytes", b.len()),
            ));
        }
        items.push(decode(t, &b[start..end])?);
    }
    Ok(PropValue::Multi(items))
}

/// UTF-16LE text, without a trailing NUL; unpaired surrogates become U+FFFD.
pub fn utf16(b: &[u8]) -> String {
    let b = &b[..b.len() & !1];
    // Most text is ASCII: its leading run is narrowed byte by byte, the general decoder
    // takes over at the first other character.
    let ascii = b
        .chunks_exact(2)
        .position(|c| c[1] != 0 || c[0] >= 0x80)
        .unwrap_or(b.len() / 2);
    let mut s = String::with_capacity(b.len() / 2);
    s.extend(b[..ascii * 2].iter().step_by(2).map(|&c| c as char));
    let rest = b[ascii * 2..]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]));
    s.extend(char::decode_utf16(rest).map(|r| r.unwrap_or('\u{FFFD}')));
    while s.ends_with('\0') {
        s.pop();
    }
    s
}

/// 8-bit strings are in the writer's ANSI code page; Windows-1252 is by far the most common
/// and agrees with Latin-1 outside 0x80..0x9F.
pub fn cp1252(b: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{FFFD}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{FFFD}',
        '\u{017D}', '\u{FFFD}', '\u{FFFD}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}',
        '\u{2022}', '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}',
        '\u{0153}', '\u{FFFD}', '\u{017E}', '\u{0178}',
    ];
    let end = b.iter().rposition(|&c| c != 0).map_or(0, |i| i + 1);
    b[..end]
        .iter()
        .map(|&c| match c {
            0x80..=0x9F => HIGH[(c - 0x80) as usize],
            _ => c as char,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// `validate` takes what `decode` takes and refuses what it refuses, for every
        /// type, single and multi-valued, on any bytes.
        #[test]
        fn validate_agrees_with_decode(
            base in proptest::sample::select(vec![
                ptype::INT16, ptype::INT32, ptype::FLOAT32, ptype::FLOAT64, ptype::CURRENCY,
                ptype::APPTIME, ptype::ERROR, ptype::BOOLEAN, ptype::OBJECT, ptype::INT64,
                ptype::STRING8, ptype::UNICODE, ptype::SYSTIME, ptype::GUID, ptype::SERVER_ID,
                ptype::RESTRICTION, ptype::BINARY, 0x0999,
            ]),
            multi in proptest::bool::ANY,
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
        ) {
            let t = if multi { base | ptype::MULTI } else { base };
            proptest::prop_assert_eq!(validate(t, &bytes).is_ok(), decode(t, &bytes).is_ok());
        }

        /// The ASCII run read byte by byte gives what the general decoder gives, on text
        /// mostly ASCII (the case it is for) with anything mixed in: other characters,
        /// lone surrogates, NULs, an odd last byte.
        #[test]
        fn utf16_decodes_as_the_general_decoder_does(
            units in proptest::collection::vec(
                proptest::prop_oneof![
                    8 => 0x20u16..0x7F,
                    1 => proptest::num::u16::ANY,
                    1 => proptest::sample::select(vec![0u16, 0x7F, 0x80, 0xD800, 0xDC00, 0xFFFF]),
                ],
                0..60,
            ),
            odd in proptest::bool::ANY,
        ) {
            let mut b: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
            if odd {
                b.push(0x41);
            }
            let mut want: String = char::decode_utf16(units.iter().copied())
                .map(|r| r.unwrap_or('\u{FFFD}'))
                .collect();
            while want.ends_with('\0') {
                want.pop();
            }
            proptest::prop_assert_eq!(utf16(&b), want);
        }

        /// Written text reads back as it was.
        #[test]
        fn utf16_written_reads_back(text in "[a-z \u{e9}\u{4e2d}\u{1F600}]{0,40}") {
            proptest::prop_assert_eq!(utf16(&crate::store::write::value::utf16(&text)), text);
        }
    }

    #[test]
    fn decodes_fixed_and_text_values() {
        assert_eq!(
            decode(ptype::BOOLEAN, &[0]).unwrap(),
            PropValue::Bool(false)
        );
        assert_eq!(
            decode(ptype::INT32, &[1, 0, 0, 0]).unwrap(),
            PropValue::I32(1)
        );
        assert_eq!(
            decode(ptype::BOOLEAN, &[1, 0, 0, 0]).unwrap(),
            PropValue::Bool(true)
        );
        assert_eq!(
            decode(ptype::UNICODE, &[b'H', 0, b'i', 0, 0, 0]).unwrap(),
            PropValue::Text("Hi".into())
        );
        assert_eq!(
            decode(ptype::STRING8, &[0x80, b'5', 0]).unwrap(),
            PropValue::Text("€5".into())
        );
        assert!(decode(ptype::INT64, &[1, 2]).is_err());
    }

    #[test]
    fn decodes_multi_valued_strings_and_rejects_bad_offsets() {
        let mut b = vec![2, 0, 0, 0, 12, 0, 0, 0, 14, 0, 0, 0];
        b.extend_from_slice(&[b'a', 0, b'b', 0, b'c', 0]);
        let v = decode(ptype::UNICODE | ptype::MULTI, &b).unwrap();
        assert_eq!(
            v,
            PropValue::Multi(vec![
                PropValue::Text("a".into()),
                PropValue::Text("bc".into())
            ])
        );
        b[8] = 200;
        assert!(decode(ptype::UNICODE | ptype::MULTI, &b).is_err());
    }
}
