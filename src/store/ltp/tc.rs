//! The table context: the rows of a folder's hierarchy or contents table, a message's
//! recipients or attachments. Rows are fixed-size records with a cell-existence bitmap;
//! variable-size cells point into the heap or into subnodes.

use super::bth;
use super::heap::{CLIENT_TC, Heap, is_heap_ref};
use super::node::Node;
use super::pc::read_hnid;
use super::prop::{self, PropValue, fixed_size, ptype};
use crate::store::error::{Error, Result};
use crate::store::ndb::Nid;
use crate::store::ndb::format::{u16_at, u32_at};

const STRUCTURE: &str = "table context";

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub id: u16,
    pub ptype: u16,
    pub offset: usize,
    pub size: usize,
    pub cell_bit: usize,
}

pub struct TableContext<'a> {
    node: Node<'a>,
    heap: Heap,
    columns: Vec<Column>,
    row_size: usize,
    ceb_offset: usize,
    /// The row index: (row id, position in the row matrix), as stored.
    index: Vec<(u32, u32)>,
    /// The row matrix's whole rows, one after another (`row_size` bytes each): one buffer,
    /// not one per row, as a folder's contents table may have tens of thousands.
    matrix: Vec<u8>,
}

/// The fixed fields of a table header (TCINFO, [MS-PST] 2.3.4.1), read by both the full
/// open and the row count; the column descriptions follow them.
struct TcInfo {
    ncols: usize,
    ceb_offset: usize,
    row_size: usize,
    /// The row index's heap id, as stored.
    row_index: u32,
    /// Where the row matrix is: a heap id or a subnode id; 0 for none.
    rows_hnid: u32,
}

impl TcInfo {
    /// `None` when the bytes are too short or not a table header.
    fn parse(info: &[u8]) -> Option<TcInfo> {
        if info.len() < 22 || info[0] != CLIENT_TC {
            return None;
        }
        Some(TcInfo {
            ncols: info[1] as usize,
            ceb_offset: u16_at(info, 6) as usize,
            row_size: u16_at(info, 8) as usize,
            row_index: u32_at(info, 10),
            rows_hnid: u32_at(info, 14),
        })
    }
}

/// The rows of a table's row matrix, counted from its header and the sizes of its blocks
/// without reading a row: a folder's statistics then cost the same for 10 items as for
/// 100,000. `None` when the header is not where a cheap read finds it (not in the heap's
/// first block); [`TableContext::open`] then counts.
pub fn row_count(node: &Node) -> Result<Option<usize>> {
    let ndb = node.ndb;
    let ctx = |e: Error| ndb.ctx(e.with_nid(node.nid.0));
    if node.bid_data == 0 {
        return Ok(Some(0));
    }
    let first = ndb
        .first_data_block(node.bid_data)
        .map_err(|e| e.with_nid(node.nid.0))?;
    let heap = Heap::new(ndb.variant(), node.nid.0, vec![first]).map_err(ctx)?;
    heap.expect_client(CLIENT_TC, STRUCTURE).map_err(ctx)?;
    if heap.user_root.block() != 0 {
        return Ok(None);
    }
    let Some(TcInfo {
        row_size,
        rows_hnid,
        ..
    }) = TcInfo::parse(heap.get(heap.user_root).map_err(ctx)?)
    else {
        return Ok(None);
    };
    if rows_hnid == 0 {
        return Ok(Some(0));
    }
    if row_size < 4 {
        return Ok(None);
    }
    if is_heap_ref(rows_hnid) {
        let hid = heap.hid(rows_hnid);
        if hid.block() != 0 {
            return Ok(None);
        }
        return Ok(Some(heap.get(hid).map_err(ctx)?.len() / row_size));
    }
    // Rows never straddle blocks: each block of the row matrix holds whole rows.
    let matrix = node.subnode(Nid(rows_hnid))?;
    let sizes = ndb
        .data_block_sizes(matrix.bid_data)
        .map_err(|e| e.with_nid(node.nid.0))?;
    Ok(Some(sizes.iter().map(|s| s / row_size).sum()))
}

impl<'a> TableContext<'a> {
    pub fn open(node: Node<'a>) -> Result<Self> {
        let ctx = |e: Error| node.ndb.ctx(e.with_nid(node.nid.0));
        let heap = Heap::new(node.ndb.variant(), node.nid.0, node.data_blocks()?).map_err(ctx)?;
        heap.expect_client(CLIENT_TC, STRUCTURE).map_err(ctx)?;
        let info = heap.get(heap.user_root).map_err(ctx)?;
        let TcInfo {
            ncols,
            ceb_offset,
            row_size,
            row_index,
            rows_hnid,
        } = TcInfo::parse(info).ok_or_else(|| {
            ctx(Error::malformed(
                STRUCTURE,
                "the table header (TCINFO) is missing or too short",
            ))
        })?;
        let row_index = heap.hid(row_index);
        if info.len() < 22 + ncols * 8 {
            return Err(ctx(Error::out_of_range(
                STRUCTURE,
                "column count",
                ncols as u64,
                ((info.len() - 22) / 8) as u64,
            )));
        }
        let ceb_size = ncols.div_ceil(8);
        // Every row starts with its 4-byte row id.
        if rows_hnid != 0 && row_size < 4 {
            return Err(ctx(Error::mismatch(
                STRUCTURE,
                "row size",
                "at least 4 bytes (the row id)",
                row_size,
            )));
        }
        if ceb_offset + ceb_size > row_size {
            return Err(ctx(Error::malformed(
                STRUCTURE,
                format!("cell bitmap at {ceb_offset} does not fit a {row_size}-byte row"),
            )));
        }
        let mut columns = Vec::with_capacity(ncols);
        for i in 0..ncols {
            let d = &info[22 + i * 8..30 + i * 8];
            let tag = u32_at(d, 0);
            let col = Column {
                id: (tag >> 16) as u16,
                ptype: tag as u16,
                offset: u16_at(d, 4) as usize,
                size: d[6] as usize,
                cell_bit: d[7] as usize,
            };
            if col.offset + col.size > row_size
                || col.cell_bit >= ncols.max(1) * 8
                || col.cell_bit / 8 >= ceb_size
            {
                return Err(ctx(Error::malformed(
                    STRUCTURE,
                    format!("column 0x{tag:08X} lies outside the {row_size}-byte row"),
                )));
            }
            columns.push(col);
        }

        let index = if row_index.is_none() {
            Vec::new()
        } else {
            let h = bth::header(&heap, row_index).map_err(ctx)?;
            // [MS-PST] 2.3.4.3: row ids are 4-byte keys, row positions 2 or 4 bytes.
            if h.key_size != 4 || !matches!(h.data_size, 2 | 4) {
                return Err(ctx(Error::mismatch(
                    "BTH",
                    "row index record shape",
                    "4-byte keys, 2- or 4-byte data",
                    format!("{}-byte keys, {}-byte data", h.key_size, h.data_size),
                )));
            }
            bth::records(&heap, &h)
                .map_err(ctx)?
                .iter()
                .map(|r| {
                    let position = match h.data_size {
                        2 => u16_at(r, h.key_size) as u32,
                        _ => u32_at(r, h.key_size),
                    };
                    (u32_at(r, 0), position)
                })
                .collect()
        };

        // Rows never straddle blocks: each block of the row matrix holds whole rows.
        let mut matrix = Vec::new();
        if rows_hnid != 0 && row_size > 0 {
            let blocks = if is_heap_ref(rows_hnid) {
                vec![read_hnid(&node, &heap, rows_hnid)?]
            } else {
                node.subnode(Nid(rows_hnid))?.data_blocks()?
            };
            matrix.reserve(blocks.iter().map(Vec::len).sum());
            for block in blocks {
                matrix.extend_from_slice(&block[..block.len() / row_size * row_size]);
            }
        }
        Ok(TableContext {
            node,
            heap,
            columns,
            row_size,
            ceb_offset,
            index,
            matrix,
        })
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Rows the row index lists.
    pub fn index_rows(&self) -> usize {
        self.index.len()
    }

    /// Checks the table's parts against each other: the row index against the row
    /// matrix, row ids for repeats, and every variable-size cell's reference (heap
    /// allocation or subnode), without reading subnode data. At most `limit` errors.
    pub fn verify(&self, limit: usize) -> Vec<Error> {
        let ctx = |e: Error| self.node.ndb.ctx(e.with_nid(self.node.nid.0));
        let mut out = Vec::new();
        if self.index.len() != self.len() {
            out.push(ctx(Error::mismatch(
                STRUCTURE,
                "row count",
                format!("{} rows, as the row index lists", self.index.len()),
                format!("{} rows in the row matrix", self.len()),
            )));
        }
        for &(id, position) in &self.index {
            let at = ((position as usize) < self.len()).then(|| self.row_id(position as usize));
            if at != Some(id) {
                out.push(ctx(Error::malformed(
                    STRUCTURE,
                    format!(
                        "the row index puts row 0x{id:X} at position {position}, which holds {}",
                        at.map_or("no row".to_string(), |a| format!("row 0x{a:X}"))
                    ),
                )));
            }
        }
        let mut ids = std::collections::HashSet::new();
        for r in 0..self.len() {
            if !ids.insert(self.row_id(r)) {
                out.push(ctx(Error::malformed(
                    STRUCTURE,
                    format!("row id 0x{:X} appears twice", self.row_id(r)),
                )));
            }
        }
        for r in 0..self.len() {
            for col in &self.columns {
                if out.len() >= limit {
                    return out;
                }
                if self.is_inline(col) || col.size < 4 || !self.exists(r, col) {
                    continue;
                }
                let hnid = u32_at(&self.row(r)[col.offset..], 0);
                let found = if is_heap_ref(hnid) {
                    self.heap.get(self.heap.hid(hnid)).map(|_| ())
                } else {
                    self.node.subnode(Nid(hnid)).map(|_| ())
                };
                if let Err(e) = found {
                    out.push(ctx(e));
                }
            }
        }
        out.truncate(limit);
        out
    }

    fn is_inline(&self, col: &Column) -> bool {
        matches!(fixed_size(col.ptype), Some(n) if n <= 8) && col.ptype & ptype::MULTI == 0
    }

    fn exists(&self, row: usize, col: &Column) -> bool {
        self.row(row)[self.ceb_offset + col.cell_bit / 8] & (0x80 >> (col.cell_bit % 8)) != 0
    }

    /// Row `row`'s bytes in the matrix.
    fn row(&self, row: usize) -> &[u8] {
        &self.matrix[row * self.row_size..(row + 1) * self.row_size]
    }

    /// Rows present in the row matrix.
    pub fn len(&self) -> usize {
        self.matrix.len().checked_div(self.row_size).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn row_size(&self) -> usize {
        self.row_size
    }

    /// The row id (for hierarchy and contents tables: the child's node id).
    pub fn row_id(&self, row: usize) -> u32 {
        u32_at(self.row(row), 0)
    }

    fn column(&self, id: u16) -> Option<&Column> {
        self.columns.iter().find(|c| c.id == id)
    }

    /// A cell's type and stored bytes (inline values as their cell bytes).
    pub fn raw_cell(&self, row: usize, id: u16) -> Result<Option<(u16, Vec<u8>)>> {
        let Some(col) = self.column(id).copied() else {
            return Ok(None);
        };
        if !self.exists(row, &col) {
            return Ok(None);
        }
        let cell = &self.row(row)[col.offset..col.offset + col.size];
        if self.is_inline(&col) {
            return Ok(Some((col.ptype, cell.to_vec())));
        }
        let ctx = |e: Error| self.node.ndb.ctx(e.with_nid(self.node.nid.0));
        if cell.len() < 4 {
            return Err(ctx(Error::malformed(
                STRUCTURE,
                format!(
                    "column 0x{:04X} holds a {}-byte reference",
                    col.id,
                    cell.len()
                ),
            )));
        }
        let bytes = read_hnid(&self.node, &self.heap, u32_at(cell, 0)).map_err(ctx)?;
        Ok(Some((col.ptype, bytes)))
    }

    pub fn cell(&self, row: usize, id: u16) -> Result<Option<PropValue>> {
        let Some((t, bytes)) = self.raw_cell(row, id)? else {
            return Ok(None);
        };
        prop::decode(t, &bytes)
            .map(Some)
            .map_err(|e| self.node.ndb.ctx(e.with_nid(self.node.nid.0)))
    }

    pub fn text(&self, row: usize, id: u16) -> Result<Option<String>> {
        Ok(self.cell(row, id)?.and_then(|v| match v {
            PropValue::Text(s) => Some(s),
            _ => None,
        }))
    }

    pub fn int(&self, row: usize, id: u16) -> Result<Option<i64>> {
        Ok(self.cell(row, id)?.and_then(|v| v.as_i64()))
    }
}
