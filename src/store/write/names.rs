//! The name-to-id map ([MS-PST] 2.4.7): named properties (a property set GUID with a
//! number or a name) get ids from 0x8000 up, recorded in three streams and hash buckets.

use super::ltp::{NodeOut, PcBuilder, Subnodes};
use super::ndb::NdbWriter;
use super::value::{binary, int32};
use crate::store::error::{Error, Result};
use crate::store::messaging::tags;
use crate::store::ndb::crc::crc32;

/// {00062008-0000-0000-C000-000000000046}, the common property set, in stored byte order.
pub const PSETID_COMMON: [u8; 16] = [
    0x08, 0x20, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46,
];
/// PidLidReminderSet: every store Outlook creates names it.
pub const LID_REMINDER_SET: u32 = 0x8503;

const BUCKETS: u32 = 251;
/// Guid indexes 1 and 2 stand for PS_MAPI and PS_PUBLIC_STRINGS; the stream starts at 3.
const FIRST_STREAM_GUID: u16 = 3;

pub use crate::store::messaging::names::Name;

#[derive(Default)]
pub struct NameMapBuilder {
    guids: Vec<[u8; 16]>,
    names: Vec<([u8; 16], Name)>,
    strings: Vec<u8>,
    entries: Vec<[u8; 8]>,
}

impl NameMapBuilder {
    /// The property id for a named property, assigning the next one if new.
    pub fn id(&mut self, guid: [u8; 16], name: Name) -> Result<u16> {
        if let Some(i) = self.names.iter().position(|n| n.0 == guid && n.1 == name) {
            return Ok(0x8000 + i as u16);
        }
        let index = self.names.len();
        if index >= 0x7FFF {
            return Err(Error::out_of_range(
                "name-to-id map",
                "named property count",
                index as u64,
                0x7FFF,
            ));
        }
        let wguid = match self.guids.iter().position(|g| *g == guid) {
            Some(i) => FIRST_STREAM_GUID + i as u16,
            None => {
                self.guids.push(guid);
                FIRST_STREAM_GUID + self.guids.len() as u16 - 1
            }
        };
        let (value, kind) = match &name {
            Name::Id(lid) => (*lid, 0u16),
            Name::String(s) => {
                let offset = self.strings.len() as u32;
                let utf16 = super::value::utf16(s);
                self.strings
                    .extend_from_slice(&(utf16.len() as u32).to_le_bytes());
                self.strings.extend_from_slice(&utf16);
                while !self.strings.len().is_multiple_of(4) {
                    self.strings.push(0);
                }
                (offset, 1u16)
            }
        };
        let mut e = [0u8; 8];
        e[0..4].copy_from_slice(&value.to_le_bytes());
        e[4..6].copy_from_slice(&((wguid << 1) | kind).to_le_bytes());
        e[6..8].copy_from_slice(&(index as u16).to_le_bytes());
        self.entries.push(e);
        self.names.push((guid, name));
        Ok(0x8000 + index as u16)
    }

    pub fn write(self, w: &mut NdbWriter) -> Result<NodeOut> {
        let mut pc = PcBuilder::default();
        let (t, v) = int32(BUCKETS as i32);
        pc.set(tags::NAMEID_BUCKET_COUNT, t, v);
        let (t, _) = binary(&[]);
        pc.set(tags::NAMEID_STREAM_GUID, t, self.guids.concat());
        pc.set(tags::NAMEID_STREAM_ENTRY, t, self.entries.concat());
        pc.set(tags::NAMEID_STREAM_STRING, t, self.strings.clone());
        let mut buckets: Vec<Vec<u8>> = vec![Vec::new(); BUCKETS as usize];
        for (e, (_, name)) in self.entries.iter().zip(&self.names) {
            let hash = match name {
                Name::Id(lid) => *lid,
                Name::String(s) => crc32(&super::value::utf16(s)),
            };
            let guid_and_kind = u16::from_le_bytes([e[4], e[5]]) as u32;
            buckets[((hash ^ guid_and_kind) % BUCKETS) as usize].extend_from_slice(e);
        }
        for (i, b) in buckets
            .into_iter()
            .enumerate()
            .filter(|(_, b)| !b.is_empty())
        {
            pc.set(tags::NAMEID_FIRST_BUCKET + i as u16, t, b);
        }
        pc.write(w, Subnodes::default())
    }
}
