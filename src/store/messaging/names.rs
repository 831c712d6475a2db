//! The name-to-id map ([MS-PST] 2.4.7): which named property (a property set GUID with a
//! number or a string) each id from 0x8000 up stands for in this store.

use std::collections::HashMap;

use crate::store::error::Result;
use crate::store::ltp::{Node, PropertyContext};
use crate::store::messaging::tags;
use crate::store::ndb::{Ndb, Nid};

/// {00020328-0000-0000-C000-000000000046}, stored byte order.
pub const PS_MAPI: [u8; 16] = [
    0x28, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
];
/// {00020329-0000-0000-C000-000000000046}, stored byte order.
pub const PS_PUBLIC_STRINGS: [u8; 16] = [
    0x29, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Name {
    Id(u32),
    String(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NamedProperty {
    pub guid: [u8; 16],
    pub name: Name,
}

/// Reads the map. A store without one (or with a damaged entry) simply names fewer ids.
pub fn read(ndb: &Ndb) -> Result<HashMap<u16, NamedProperty>> {
    let mut map = HashMap::new();
    let Some(entry) = ndb.find_node(Nid::NAME_TO_ID_MAP)? else {
        return Ok(map);
    };
    let pc = PropertyContext::open(Node::from_nbt(ndb, &entry))?;
    let guids = pc.binary(tags::NAMEID_STREAM_GUID)?.unwrap_or_default();
    let entries = pc.binary(tags::NAMEID_STREAM_ENTRY)?.unwrap_or_default();
    let strings = pc.binary(tags::NAMEID_STREAM_STRING)?.unwrap_or_default();
    for e in entries.chunks_exact(8) {
        let value = u32::from_le_bytes(e[0..4].try_into().expect("4 bytes"));
        let guid_and_kind = u16::from_le_bytes([e[4], e[5]]);
        let index = u16::from_le_bytes([e[6], e[7]]);
        let guid = match guid_and_kind >> 1 {
            1 => PS_MAPI,
            2 => PS_PUBLIC_STRINGS,
            g if g >= 3 => {
                let at = (g as usize - 3) * 16;
                match guids.get(at..at + 16) {
                    Some(b) => b.try_into().expect("16 bytes"),
                    None => continue,
                }
            }
            _ => continue,
        };
        let name = if guid_and_kind & 1 == 0 {
            Name::Id(value)
        } else {
            let at = value as usize;
            let Some(len) = strings
                .get(at..at + 4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
            else {
                continue;
            };
            let Some(text) = strings.get(at + 4..at + 4 + len) else {
                continue;
            };
            Name::String(crate::store::ltp::prop::utf16(text))
        };
        map.insert(0x8000u16.wrapping_add(index), NamedProperty { guid, name });
    }
    Ok(map)
}
