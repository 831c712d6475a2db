//! Building property contexts and table contexts on heaps, with values too large for the
//! heap placed in subnodes, as the reader expects them.

use super::bth::BthWriter;
use super::heap::{HeapBuilder, MAX_ALLOC};
use super::ndb::NdbWriter;
use super::rows::{RowReader, encode_row};
use super::table::TableWriter;
pub use super::table::{ROW_ID, ROW_VER};
use crate::store::error::{Error, Result};
use crate::store::ltp::heap::CLIENT_PC;
use crate::store::ltp::prop::{fixed_size, ptype};
use crate::store::ndb::{Nid, SubnodeEntry};
use std::borrow::Cow;

/// Where a node's data and subnodes were written.
#[derive(Debug, Clone, Copy, Default)]
pub struct NodeOut {
    pub bid_data: u64,
    pub bid_sub: u64,
}

/// A node's private subnodes being collected while its heap is built.
pub struct Subnodes {
    entries: Vec<SubnodeEntry>,
    next: u32,
}

impl Default for Subnodes {
    fn default() -> Self {
        Subnodes {
            entries: Vec::new(),
            next: 1,
        }
    }
}

impl Subnodes {
    /// Stores `data` in a new subnode (type LTP, 0x1F) and returns its id.
    pub fn value(&mut self, w: &mut NdbWriter, data: &[u8]) -> Result<Nid> {
        let nid = self.next_ltp()?;
        let bid = w.write_data(data)?;
        self.entries.push(SubnodeEntry {
            nid,
            bid_data: bid,
            bid_sub: 0,
        });
        Ok(nid)
    }

    /// Adds a subnode over a data tree the caller wrote (a table's row matrix).
    pub fn tree(&mut self, bid_data: u64) -> Result<Nid> {
        let nid = self.next_ltp()?;
        self.entries.push(SubnodeEntry {
            nid,
            bid_data,
            bid_sub: 0,
        });
        Ok(nid)
    }

    /// A fresh subnode id of type LTP (0x1F).
    fn next_ltp(&mut self) -> Result<Nid> {
        self.next_nid(0x1F)
    }

    /// A fresh subnode id of `nid_type`, unique among this node's subnodes whatever their
    /// types; the index has 27 bits.
    pub fn next_nid(&mut self, nid_type: u8) -> Result<Nid> {
        if self.next >= 1 << 27 {
            return Err(Error::out_of_range(
                "subnode tree",
                "subnode count",
                self.next as u64,
                1 << 27,
            ));
        }
        let nid = Nid((self.next << 5) | u32::from(nid_type & 0x1F));
        self.next += 1;
        Ok(nid)
    }

    /// Adds a subnode written by the caller (recipient table, attachments).
    pub fn add(&mut self, entry: SubnodeEntry) {
        self.entries.push(entry);
    }

    pub fn write(self, w: &mut NdbWriter) -> Result<u64> {
        w.write_subnodes(&self.entries)
    }
}

/// Places a variable-size value: in the heap when small enough, else in a subnode.
pub(super) fn place(
    heap: &mut HeapBuilder,
    subs: &mut Subnodes,
    w: &mut NdbWriter,
    data: &[u8],
) -> Result<u32> {
    if data.len() <= MAX_ALLOC {
        // An empty value is still an allocation, so the property exists.
        Ok(heap.alloc(data)?.raw())
    } else {
        Ok(subs.value(w, data)?.0)
    }
}

/// Properties for one node, by id; values are encoded bytes of their stored type.
/// Values are owned or borrowed from what is being written (a copied item's properties,
/// which need not be copied again to be written).
#[derive(Default)]
pub struct PcBuilder<'a> {
    props: Vec<(u16, u16, Cow<'a, [u8]>)>,
}

impl<'a> PcBuilder<'a> {
    /// Room for `n` properties at once: a copied item's count is known before they come.
    pub fn with_capacity(n: usize) -> Self {
        PcBuilder {
            props: Vec::with_capacity(n),
        }
    }

    pub fn set(&mut self, id: u16, ptype: u16, value: Vec<u8>) -> &mut Self {
        self.put(id, ptype, Cow::Owned(value))
    }

    /// As [`PcBuilder::set`], with a value the caller keeps.
    pub fn set_borrowed(&mut self, id: u16, ptype: u16, value: &'a [u8]) -> &mut Self {
        self.put(id, ptype, Cow::Borrowed(value))
    }

    fn put(&mut self, id: u16, ptype: u16, value: Cow<'a, [u8]>) -> &mut Self {
        match self.props.iter_mut().find(|p| p.0 == id) {
            Some(p) => *p = (id, ptype, value),
            None => self.props.push((id, ptype, value)),
        }
        self
    }

    /// Keeps only the properties whose id `keep` accepts.
    pub fn retain(&mut self, keep: impl Fn(u16) -> bool) {
        self.props.retain(|p| keep(p.0));
    }

    /// The encoded value set for `id`, if any.
    pub fn value(&self, id: u16) -> Option<&[u8]> {
        self.props.iter().find(|p| p.0 == id).map(|p| &*p.2)
    }

    pub fn write(mut self, w: &mut NdbWriter, mut subs: Subnodes) -> Result<NodeOut> {
        self.props.sort_by_key(|p| p.0);
        let mut heap = HeapBuilder::new(CLIENT_PC, w.variant());
        let mut index = BthWriter::new(2, 6);
        for (id, t, value) in &self.props {
            let inline = matches!(fixed_size(*t), Some(n) if n <= 4) && t & ptype::MULTI == 0;
            let hnid = if inline {
                let mut v = [0u8; 4];
                v[..value.len().min(4)].copy_from_slice(&value[..value.len().min(4)]);
                u32::from_le_bytes(v)
            } else {
                place(&mut heap, &mut subs, w, value)?
            };
            let mut r = [0u8; 8];
            r[..2].copy_from_slice(&id.to_le_bytes());
            r[2..4].copy_from_slice(&t.to_le_bytes());
            r[4..].copy_from_slice(&hnid.to_le_bytes());
            index.push(&mut heap, &r)?;
        }
        let root = index.finish(&mut heap)?;
        heap.set_user_root(root);
        finish(w, heap, subs)
    }
}

fn finish(w: &mut NdbWriter, heap: HeapBuilder, subs: Subnodes) -> Result<NodeOut> {
    // A property context's heap is small: it is written whole at the end.
    let blocks = heap.finish();
    let parts: Vec<&[u8]> = blocks.iter().map(|b| b.1.as_slice()).collect();
    let bid_data = w.write_data_blocks(&parts)?;
    let bid_sub = subs.write(w)?;
    Ok(NodeOut { bid_data, bid_sub })
}

/// A table whose rows are all held until it is written, sorted by row id then: for small
/// tables (recipients, attachments, hierarchies) and rows that come in any order. Large
/// tables whose rows come in order go straight to a `TableWriter`.
pub struct TcBuilder {
    tags: Vec<u32>,
    /// Per row: its id and where its encoded cells start in `cells`.
    rows: Vec<(u32, usize)>,
    cells: Vec<u8>,
}

impl TcBuilder {
    /// `tags` must not include the row id and version columns; they come first on their own.
    pub fn new(tags: &[u32]) -> Self {
        TcBuilder {
            tags: tags.to_vec(),
            rows: Vec::new(),
            cells: Vec::new(),
        }
    }

    pub fn tags(&self) -> &[u32] {
        &self.tags
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds a row; `cells` follow `tags`.
    pub fn row(&mut self, row_id: u32, cells: Vec<Option<Vec<u8>>>) {
        let cells: Vec<Option<&[u8]>> = cells.iter().map(|c| c.as_deref()).collect();
        self.push(row_id, &cells);
    }

    /// Adds a row from borrowed cells.
    pub fn push(&mut self, row_id: u32, cells: &[Option<&[u8]>]) {
        self.rows.push((row_id, self.cells.len()));
        encode_row(&mut self.cells, row_id, cells, self.tags.len());
    }

    pub fn write(mut self, w: &mut NdbWriter, subs: Subnodes) -> Result<NodeOut> {
        self.rows.sort_by_key(|r| r.0);
        let mut table = TableWriter::new(w, &self.tags, subs)?;
        let mut cells = Vec::with_capacity(self.tags.len());
        for &(_, start) in &self.rows {
            let mut reader = RowReader::new(&self.cells[start..], self.tags.len());
            if let Some(row_id) = reader.next_row(&mut cells)? {
                table.row(w, row_id, &cells)?;
            }
        }
        table.finish(w)
    }
}
