//! The property context: a node's properties, as a BTH from property id to value. Values
//! are decoded only when asked for, so listing a message does not read its body.

use super::bth;
use super::heap::{CLIENT_PC, Heap, HeapRead, is_heap_ref};
use super::node::Node;
use super::prop::{self, PropValue, fixed_size, ptype};
use crate::store::error::{Error, Result};
use crate::store::ndb::Nid;
use crate::store::ndb::format::{u16_at, u32_at};
use std::borrow::Cow;

pub struct PropertyContext<'a> {
    node: Node<'a>,
    heap: Heap,
    /// (id, type, value or reference), sorted by id, one per id: a BTH's records are
    /// stored in order, so this is filled in one pass (a map cost an allocation per few
    /// properties, on every item a check or a copy opens).
    records: Vec<(u16, u16, u32)>,
}

/// Sorts records by id, as a damaged BTH may not have them; of records with one id the
/// last stored is kept, as a map filled in stored order would keep it.
fn sort_records(records: &mut Vec<(u16, u16, u32)>) {
    if records.is_sorted_by(|a, b| a.0 < b.0) {
        return;
    }
    // Stable, so records with one id stay in stored order; `dedup_by` hands the later of
    // two as `later` and drops it, after its value has been moved to the one kept.
    records.sort_by_key(|r| r.0);
    records.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            *kept = *later;
        }
        same
    });
}

/// Values of fixed types up to 4 bytes are stored in the record itself.
fn is_inline(t: u16) -> bool {
    matches!(fixed_size(t), Some(n) if n <= 4) && t & ptype::MULTI == 0
}

/// Reads a heap-or-subnode reference: HIDs have zero type bits, subnode NIDs do not.
pub fn read_hnid(node: &Node, heap: &impl HeapRead, hnid: u32) -> Result<Vec<u8>> {
    hnid_bytes(node, heap, hnid).map(Cow::into_owned)
}

/// As [`read_hnid`], borrowing what lies in a heap held whole rather than copying it out:
/// a value only decoded, or only looked at, need not be copied first.
pub fn hnid_bytes<'h>(node: &Node, heap: &'h impl HeapRead, hnid: u32) -> Result<Cow<'h, [u8]>> {
    if is_heap_ref(hnid) {
        heap.read(heap.hid(hnid))
    } else {
        node.subnode(Nid(hnid))?.data().map(Cow::Owned)
    }
}

impl<'a> PropertyContext<'a> {
    pub fn open(node: Node<'a>) -> Result<Self> {
        let heap = Heap::new(node.ndb.variant(), node.nid.0, node.data_blocks()?)
            .map_err(|e| node.ndb.ctx(e))?;
        Self::from_heap(node, heap)
    }

    fn from_heap(node: Node<'a>, heap: Heap) -> Result<Self> {
        let ctx = |e: Error| node.ndb.ctx(e.with_nid(node.nid.0));
        heap.expect_client(CLIENT_PC, "property context")
            .map_err(ctx)?;
        let header = bth::header(&heap, heap.user_root).map_err(ctx)?;
        if header.key_size != 2 || header.data_size != 6 {
            return Err(ctx(Error::mismatch(
                "property context",
                "BTH record shape",
                "2-byte keys, 6-byte data",
                format!(
                    "{}-byte keys, {}-byte data",
                    header.key_size, header.data_size
                ),
            )));
        }
        // Room for a usual message's properties at once, rather than doubling up to it.
        let mut records = Vec::with_capacity(32);
        bth::for_each_record(&heap, &header, &mut |rec| {
            records.push((u16_at(rec, 0), u16_at(rec, 2), u32_at(rec, 4)));
        })
        .map_err(ctx)?;
        sort_records(&mut records);
        Ok(PropertyContext {
            node,
            heap,
            records,
        })
    }

    pub fn node(&self) -> &Node<'a> {
        &self.node
    }

    /// Every property present, as (id, type), in id order.
    pub fn tags(&self) -> impl Iterator<Item = (u16, u16)> + '_ {
        self.records.iter().map(|&(id, t, _)| (id, t))
    }

    fn record(&self, id: u16) -> Option<(u16, u32)> {
        let i = self.records.binary_search_by_key(&id, |r| r.0).ok()?;
        let (_, t, value) = self.records[i];
        Some((t, value))
    }

    pub fn has(&self, id: u16) -> bool {
        self.record(id).is_some()
    }

    /// The raw stored bytes of a property (inline values as their 4 stored bytes).
    pub fn raw(&self, id: u16) -> Result<Option<(u16, Vec<u8>)>> {
        let Some((t, value)) = self.record(id) else {
            return Ok(None);
        };
        let bytes = if is_inline(t) {
            value.to_le_bytes().to_vec()
        } else {
            read_hnid(&self.node, &self.heap, value)
                .map_err(|e| self.node.ndb.ctx(e.with_nid(self.node.nid.0)))?
        };
        Ok(Some((t, bytes)))
    }

    /// Checks that every property's value can be found and, when it lives in the heap,
    /// decoded. Values kept in subnodes are only looked up, not read, so checking a
    /// message does not read its body or attachments. One error per bad property, with
    /// its id.
    pub fn verify(&self) -> Vec<(u16, Error)> {
        let ctx = |e: Error| self.node.ndb.ctx(e.with_nid(self.node.nid.0));
        let mut out = Vec::new();
        for &(id, t, value) in &self.records {
            if is_inline(t) {
                continue;
            }
            let checked = if is_heap_ref(value) {
                self.heap
                    .get(self.heap.hid(value))
                    .and_then(|bytes| prop::validate(t, bytes))
            } else {
                self.node.subnode(Nid(value)).map(|_| ())
            };
            if let Err(e) = checked {
                out.push((id, ctx(e)));
            }
        }
        out
    }

    pub fn get(&self, id: u16) -> Result<Option<PropValue>> {
        let ctx = |e: Error| self.node.ndb.ctx(e.with_nid(self.node.nid.0));
        let Some((t, value)) = self.record(id) else {
            return Ok(None);
        };
        // Decoded from where the value lies, inline or in the heap, without copying it out
        // first: a copy or a listing decodes a few values of every item.
        let decoded = if is_inline(t) {
            prop::decode(t, &value.to_le_bytes())
        } else {
            hnid_bytes(&self.node, &self.heap, value).and_then(|bytes| prop::decode(t, &bytes))
        };
        decoded.map(Some).map_err(ctx)
    }

    pub fn text(&self, id: u16) -> Result<Option<String>> {
        Ok(self.get(id)?.and_then(|v| match v {
            PropValue::Text(s) => Some(s),
            _ => None,
        }))
    }

    pub fn int(&self, id: u16) -> Result<Option<i64>> {
        Ok(self.get(id)?.and_then(|v| v.as_i64()))
    }

    pub fn bool(&self, id: u16) -> Result<Option<bool>> {
        Ok(self.get(id)?.and_then(|v| v.as_bool()))
    }

    pub fn time(&self, id: u16) -> Result<Option<i64>> {
        Ok(self.get(id)?.and_then(|v| v.as_time()))
    }

    pub fn binary(&self, id: u16) -> Result<Option<Vec<u8>>> {
        Ok(self.get(id)?.and_then(|v| match v {
            PropValue::Binary(b) => Some(b),
            PropValue::Text(s) => Some(s.into_bytes()),
            _ => None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::sort_records;

    /// Records stored in order stay as they are; out of order they are sorted, and of two
    /// with one id the one stored last is kept, as a map filled in stored order keeps it.
    #[test]
    fn records_are_sorted_and_the_last_of_an_id_kept() {
        let mut in_order = vec![(0x0037, 0x001F, 0x20), (0x0E1D, 0x001F, 0x40)];
        let before = in_order.clone();
        sort_records(&mut in_order);
        assert_eq!(in_order, before);

        let mut damaged = vec![
            (0x0E1D, 0x001F, 0x40),
            (0x0037, 0x001F, 0x20),
            (0x0E1D, 0x0003, 7),
            (0x0001, 0x0003, 1),
            (0x0037, 0x001F, 0x60),
            (0x0E1D, 0x0003, 9),
        ];
        let mut map = std::collections::BTreeMap::new();
        for &(id, t, v) in &damaged {
            map.insert(id, (t, v));
        }
        sort_records(&mut damaged);
        let from_map: Vec<_> = map.into_iter().map(|(id, (t, v))| (id, t, v)).collect();
        assert_eq!(damaged, from_map);
        assert_eq!(
            damaged,
            vec![
                (0x0001, 0x0003, 1),
                (0x0037, 0x001F, 0x60),
                (0x0E1D, 0x0003, 9)
            ]
        );
    }
}
