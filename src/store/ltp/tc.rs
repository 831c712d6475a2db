//! The table context: the rows of a folder's hierarchy or contents table, a message's
//! recipients or attachments. Rows are fixed-size records with a cell-existence bitmap;
//! variable-size cells point into the heap or into subnodes.

use super::bth;
use super::heap::{CLIENT_TC, Heap, HeapId, HeapRead, PagedHeap, is_heap_ref};
use super::node::Node;
use super::pc::{hnid_bytes, read_hnid};
use super::prop::{self, PropValue, fixed_size, ptype};
use crate::store::error::{Error, Result};
use crate::store::ndb::Nid;
use crate::store::ndb::format::{u16_at, u32_at};
use std::borrow::Cow;

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
    layout: Layout,
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

/// What a table's header says of its rows: their size, where the cell bitmap is, the
/// columns, and where the row index and the row matrix are.
struct Layout {
    columns: Vec<Column>,
    row_size: usize,
    ceb_offset: usize,
    /// The row index's heap id, as stored.
    row_index: u32,
    /// Where the row matrix is: a heap id or a subnode id; 0 for none.
    rows_hnid: u32,
}

impl Layout {
    /// The header at the heap's user root, checked: every column and the cell bitmap
    /// within the row.
    fn read(heap: &impl HeapRead, root: HeapId) -> Result<Layout> {
        let info = heap.read(root)?;
        let TcInfo {
            ncols,
            ceb_offset,
            row_size,
            row_index,
            rows_hnid,
        } = TcInfo::parse(&info).ok_or_else(|| {
            Error::malformed(
                STRUCTURE,
                "the table header (TCINFO) is missing or too short",
            )
        })?;
        if info.len() < 22 + ncols * 8 {
            return Err(Error::out_of_range(
                STRUCTURE,
                "column count",
                ncols as u64,
                ((info.len() - 22) / 8) as u64,
            ));
        }
        let ceb_size = ncols.div_ceil(8);
        // Every row starts with its 4-byte row id.
        if rows_hnid != 0 && row_size < 4 {
            return Err(Error::mismatch(
                STRUCTURE,
                "row size",
                "at least 4 bytes (the row id)",
                row_size,
            ));
        }
        if ceb_offset + ceb_size > row_size {
            return Err(Error::malformed(
                STRUCTURE,
                format!("cell bitmap at {ceb_offset} does not fit a {row_size}-byte row"),
            ));
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
                return Err(Error::malformed(
                    STRUCTURE,
                    format!("column 0x{tag:08X} lies outside the {row_size}-byte row"),
                ));
            }
            columns.push(col);
        }
        Ok(Layout {
            columns,
            row_size,
            ceb_offset,
            row_index,
            rows_hnid,
        })
    }

    /// The row index: (row id, position in the row matrix), as stored.
    fn index(&self, heap: &impl HeapRead) -> Result<Vec<(u32, u32)>> {
        let root = heap.hid(self.row_index);
        if root.is_none() {
            return Ok(Vec::new());
        }
        let h = bth::header(heap, root)?;
        // [MS-PST] 2.3.4.3: row ids are 4-byte keys, row positions 2 or 4 bytes.
        if h.key_size != 4 || !matches!(h.data_size, 2 | 4) {
            return Err(Error::mismatch(
                "BTH",
                "row index record shape",
                "4-byte keys, 2- or 4-byte data",
                format!("{}-byte keys, {}-byte data", h.key_size, h.data_size),
            ));
        }
        let mut index = Vec::new();
        bth::for_each_record(heap, &h, &mut |r| {
            let position = match h.data_size {
                2 => u16_at(r, h.key_size) as u32,
                _ => u32_at(r, h.key_size),
            };
            index.push((u32_at(r, 0), position));
        })?;
        Ok(index)
    }

    fn is_inline(col: &Column) -> bool {
        matches!(fixed_size(col.ptype), Some(n) if n <= 8) && col.ptype & ptype::MULTI == 0
    }

    fn exists(&self, row: &[u8], col: &Column) -> bool {
        row[self.ceb_offset + col.cell_bit / 8] & (0x80 >> (col.cell_bit % 8)) != 0
    }

    /// Checks each variable-size cell's reference in `row` with `found` (the heap
    /// allocation or the subnode it names is there), adding errors while `out` holds fewer
    /// than `limit`.
    fn check_cells(
        &self,
        row: &[u8],
        found: &mut dyn FnMut(u32) -> Result<()>,
        out: &mut Vec<Error>,
        limit: usize,
    ) {
        for col in &self.columns {
            if out.len() >= limit {
                return;
            }
            if Self::is_inline(col) || col.size < 4 || !self.exists(row, col) {
                continue;
            }
            if let Err(e) = found(u32_at(&row[col.offset..], 0)) {
                out.push(e);
            }
        }
    }
}

/// The row index against the row ids by position, then the row ids for repeats: what
/// [`TableContext::verify`] and [`scan`] report before the cells, in that order. At most
/// `limit`: an index damaged throughout would otherwise make an error per row.
fn check_rows(index: &[(u32, u32)], ids: &[u32], limit: usize) -> Vec<Error> {
    let mut out = Vec::new();
    if index.len() != ids.len() {
        out.push(Error::mismatch(
            STRUCTURE,
            "row count",
            format!("{} rows, as the row index lists", index.len()),
            format!("{} rows in the row matrix", ids.len()),
        ));
    }
    for &(id, position) in index {
        let at = ids.get(position as usize).copied();
        if at != Some(id) && out.len() < limit {
            out.push(Error::malformed(
                STRUCTURE,
                format!(
                    "the row index puts row 0x{id:X} at position {position}, which holds {}",
                    at.map_or("no row".to_string(), |a| format!("row 0x{a:X}"))
                ),
            ));
        }
    }
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    for &id in ids {
        if !seen.insert(id) && out.len() < limit {
            out.push(Error::malformed(
                STRUCTURE,
                format!("row id 0x{id:X} appears twice"),
            ));
        }
    }
    out
}

/// Whether a cell's reference names something there: a heap allocation, or a subnode of
/// the table's node (whose data is not read).
fn cell_target(node: &Node, heap: &impl HeapRead, hnid: u32) -> Result<()> {
    if is_heap_ref(hnid) {
        heap.read(heap.hid(hnid)).map(|_| ())
    } else {
        node.subnode(Nid(hnid)).map(|_| ())
    }
}

/// A table checked without being held: its row ids in row-matrix order and its problems,
/// as [`TableContext::open`] and [`TableContext::verify`] give them.
pub struct Scanned {
    pub ids: Vec<u32>,
    pub problems: Vec<Error>,
}

/// Checks a table as `TableContext::open` then `verify` would, holding only its row ids
/// and index (8 and 4 bytes a row) and a few blocks: the heap is read a block at a time
/// ([`PagedHeap`]) and the row matrix a block at a time. A folder's contents table of
/// 200,000 items holds some 50 MB of rows and heap, which the structural check of a large
/// store would otherwise hold beside everything else it keeps.
pub fn scan(node: Node, limit: usize) -> Result<Scanned> {
    let ndb = node.ndb;
    let ctx = |e: Error| ndb.ctx(e.with_nid(node.nid.0));
    let heap = PagedHeap::open(ndb, node.nid.0, node.bid_data).map_err(ctx)?;
    heap.expect_client(CLIENT_TC, STRUCTURE).map_err(ctx)?;
    let layout = Layout::read(&heap, heap.user_root).map_err(ctx)?;
    let index = layout.index(&heap).map_err(ctx)?;
    let row_size = layout.row_size;
    let mut ids = Vec::with_capacity(index.len());
    let mut cells = Vec::new();
    let mut rows = |block: &[u8]| {
        for row in block.chunks_exact(row_size) {
            ids.push(u32_at(row, 0));
            let mut found = |hnid| cell_target(&node, &heap, hnid);
            layout.check_cells(row, &mut found, &mut cells, limit);
        }
    };
    if layout.rows_hnid != 0 && row_size > 0 {
        if is_heap_ref(layout.rows_hnid) {
            rows(&read_hnid(&node, &heap, layout.rows_hnid).map_err(ctx)?);
        } else {
            let matrix = node.subnode(Nid(layout.rows_hnid))?;
            ndb.for_each_data_block(matrix.bid_data, &mut |_, block| {
                rows(&block);
                Ok(())
            })
            .map_err(|e| e.with_nid(matrix.nid.0))?;
        }
    }
    let mut problems: Vec<Error> = check_rows(&index, &ids, limit)
        .into_iter()
        .map(ctx)
        .collect();
    for e in cells {
        if problems.len() >= limit {
            break;
        }
        problems.push(ctx(e));
    }
    problems.truncate(limit);
    Ok(Scanned { ids, problems })
}

impl<'a> TableContext<'a> {
    pub fn open(node: Node<'a>) -> Result<Self> {
        let ctx = |e: Error| node.ndb.ctx(e.with_nid(node.nid.0));
        let heap = Heap::new(node.ndb.variant(), node.nid.0, node.data_blocks()?).map_err(ctx)?;
        heap.expect_client(CLIENT_TC, STRUCTURE).map_err(ctx)?;
        let layout = Layout::read(&heap, heap.user_root).map_err(ctx)?;
        let index = layout.index(&heap).map_err(ctx)?;
        let row_size = layout.row_size;
        // Rows never straddle blocks: each block of the row matrix holds whole rows. The
        // blocks are added as they are read, so the matrix is never held twice.
        let mut matrix = Vec::new();
        if layout.rows_hnid != 0 && row_size > 0 {
            if is_heap_ref(layout.rows_hnid) {
                let block = read_hnid(&node, &heap, layout.rows_hnid).map_err(ctx)?;
                matrix.extend_from_slice(&block[..block.len() / row_size * row_size]);
            } else {
                let sub = node.subnode(Nid(layout.rows_hnid))?;
                node.ndb
                    .for_each_data_block(sub.bid_data, &mut |_, block| {
                        matrix.extend_from_slice(&block[..block.len() / row_size * row_size]);
                        Ok(())
                    })
                    .map_err(|e| e.with_nid(sub.nid.0))?;
            }
        }
        Ok(TableContext {
            node,
            heap,
            layout,
            index,
            matrix,
        })
    }

    pub fn columns(&self) -> &[Column] {
        &self.layout.columns
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
        let ids: Vec<u32> = (0..self.len()).map(|r| self.row_id(r)).collect();
        let mut out = check_rows(&self.index, &ids, limit);
        for r in 0..self.len() {
            let mut found = |hnid| cell_target(&self.node, &self.heap, hnid);
            self.layout
                .check_cells(self.row(r), &mut found, &mut out, limit);
        }
        out.truncate(limit);
        out.into_iter().map(ctx).collect()
    }

    fn is_inline(&self, col: &Column) -> bool {
        Layout::is_inline(col)
    }

    fn exists(&self, row: usize, col: &Column) -> bool {
        self.layout.exists(self.row(row), col)
    }

    /// Row `row`'s bytes in the matrix.
    fn row(&self, row: usize) -> &[u8] {
        &self.matrix[row * self.layout.row_size..(row + 1) * self.layout.row_size]
    }

    /// Rows present in the row matrix.
    pub fn len(&self) -> usize {
        self.matrix
            .len()
            .checked_div(self.layout.row_size)
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn row_size(&self) -> usize {
        self.layout.row_size
    }

    /// The row id (for hierarchy and contents tables: the child's node id).
    pub fn row_id(&self, row: usize) -> u32 {
        u32_at(self.row(row), 0)
    }

    fn column(&self, id: u16) -> Option<&Column> {
        self.layout.columns.iter().find(|c| c.id == id)
    }

    /// A cell's type and stored bytes (inline values as their cell bytes).
    pub fn raw_cell(&self, row: usize, id: u16) -> Result<Option<(u16, Vec<u8>)>> {
        Ok(self
            .cell_bytes(row, id)?
            .map(|(t, bytes)| (t, bytes.into_owned())))
    }

    /// A cell's type and stored bytes, borrowed where they lie in the row or the heap.
    fn cell_bytes(&self, row: usize, id: u16) -> Result<Option<(u16, Cow<'_, [u8]>)>> {
        let Some(col) = self.column(id).copied() else {
            return Ok(None);
        };
        if !self.exists(row, &col) {
            return Ok(None);
        }
        let cell = &self.row(row)[col.offset..col.offset + col.size];
        if self.is_inline(&col) {
            return Ok(Some((col.ptype, Cow::Borrowed(cell))));
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
        let bytes = hnid_bytes(&self.node, &self.heap, u32_at(cell, 0)).map_err(ctx)?;
        Ok(Some((col.ptype, bytes)))
    }

    pub fn cell(&self, row: usize, id: u16) -> Result<Option<PropValue>> {
        let Some((t, bytes)) = self.cell_bytes(row, id)? else {
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
