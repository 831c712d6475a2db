//! The property context: a node's properties, as a BTH from property id to value. Values
//! are decoded only when asked for, so listing a message does not read its body.

use std::collections::BTreeMap;

use super::bth;
use super::heap::{CLIENT_PC, Heap, HeapRead, is_heap_ref};
use super::node::Node;
use super::prop::{self, PropValue, fixed_size, ptype};
use crate::store::error::{Error, Result};
use crate::store::ndb::Nid;
use crate::store::ndb::format::{u16_at, u32_at};

pub struct PropertyContext<'a> {
    node: Node<'a>,
    heap: Heap,
    records: BTreeMap<u16, (u16, u32)>,
}

/// Values of fixed types up to 4 bytes are stored in the record itself.
fn is_inline(t: u16) -> bool {
    matches!(fixed_size(t), Some(n) if n <= 4) && t & ptype::MULTI == 0
}

/// Reads a heap-or-subnode reference: HIDs have zero type bits, subnode NIDs do not.
pub fn read_hnid(node: &Node, heap: &impl HeapRead, hnid: u32) -> Result<Vec<u8>> {
    if is_heap_ref(hnid) {
        Ok(heap.read(heap.hid(hnid))?.into_owned())
    } else {
        node.subnode(Nid(hnid))?.data()
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
        let mut records = BTreeMap::new();
        for rec in bth::records(&heap, &header).map_err(ctx)? {
            records.insert(u16_at(&rec, 0), (u16_at(&rec, 2), u32_at(&rec, 4)));
        }
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
        self.records.iter().map(|(&id, &(t, _))| (id, t))
    }

    pub fn has(&self, id: u16) -> bool {
        self.records.contains_key(&id)
    }

    /// The raw stored bytes of a property (inline values as their 4 stored bytes).
    pub fn raw(&self, id: u16) -> Result<Option<(u16, Vec<u8>)>> {
        let Some(&(t, value)) = self.records.get(&id) else {
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
        for (&id, &(t, value)) in &self.records {
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
        let Some((t, bytes)) = self.raw(id)? else {
            return Ok(None);
        };
        prop::decode(t, &bytes)
            .map(Some)
            .map_err(|e| self.node.ndb.ctx(e.with_nid(self.node.nid.0)))
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
