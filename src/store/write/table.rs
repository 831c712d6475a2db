//! Writing a table context ([MS-PST] 2.3.4) row by row in memory independent of its row
//! count: row-matrix blocks go to disk as each fills, variable-size cells go to the heap
//! (or subnodes), heap blocks go to disk as they close, and the row index is a BTH built
//! as rows arrive. Rows must therefore arrive in increasing row id; `TcBuilder` sorts
//! small tables whose rows do not.

use std::sync::Arc;

use super::bth::BthWriter;
use super::heap::{HeapBuilder, MAX_ALLOC};
use super::ltp::{NodeOut, Subnodes, place};
use super::ndb::NdbWriter;
use crate::store::error::{Error, Result};
use crate::store::ltp::heap::CLIENT_TC;
use crate::store::ltp::heap::HeapId;
use crate::store::ltp::prop::{fixed_size, ptype};

pub const ROW_ID: u32 = 0x67F2_0003;
pub const ROW_VER: u32 = 0x67F3_0003;

/// Cell size of a column in the row: fixed values up to 8 bytes inline, others by HNID.
fn cell_size(t: u16) -> usize {
    match fixed_size(t) {
        Some(n) if n <= 8 && t & ptype::MULTI == 0 => {
            if t == ptype::BOOLEAN {
                1
            } else {
                n
            }
        }
        _ => 4,
    }
}

/// Where each column sits in a row: row id and version first, then 8-, 4-, 2- and 1-byte
/// cells, the cell existence bitmap last; bits follow column order.
struct RowLayout {
    /// Column tags, row id and version first, then the caller's in their order.
    tags: Vec<u32>,
    offsets: Vec<usize>,
    end_4b: usize,
    end_2b: usize,
    end_1b: usize,
    row_size: usize,
    /// The table header with no row index and no rows yet (`info`).
    header: Vec<u8>,
}

/// Where the header's row index and row matrix references lie in it.
const HEADER_ROW_INDEX: usize = 10;
const HEADER_ROWS: usize = 14;

/// Layouts lately made on this thread, newest last: every message's recipient and
/// attachment tables have one of a few column sets, and laying one out anew for each
/// table was a twentieth of an export's writer thread.
const LAYOUTS_KEPT: usize = 8;

thread_local! {
    static LAYOUTS: std::cell::RefCell<Vec<Arc<RowLayout>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

impl RowLayout {
    /// The layout for `tags` (the caller's columns), made once for each column set.
    fn for_columns(tags: &[u32]) -> Arc<RowLayout> {
        LAYOUTS.with(|kept| {
            let mut kept = kept.borrow_mut();
            if let Some(at) = kept.iter().position(|l| l.tags[2..] == *tags) {
                let layout = kept.remove(at);
                kept.push(layout.clone());
                return layout;
            }
            let layout = Arc::new(RowLayout::new(tags));
            if kept.len() == LAYOUTS_KEPT {
                kept.remove(0);
            }
            kept.push(layout.clone());
            layout
        })
    }

    fn new(tags: &[u32]) -> Self {
        let cols: Vec<u32> = [ROW_ID, ROW_VER]
            .into_iter()
            .chain(tags.iter().copied())
            .collect();
        let mut order: Vec<usize> = (2..cols.len()).collect();
        order.sort_by_key(|&c| std::cmp::Reverse(cell_size(cols[c] as u16)));
        let mut offsets = vec![0usize; cols.len()];
        let mut at = 0;
        let mut ends = [0usize; 3];
        for c in [0, 1].into_iter().chain(order) {
            let size = cell_size(cols[c] as u16);
            offsets[c] = at;
            at += size;
            match size {
                8 | 4 => ends[0] = at,
                2 => ends[1] = at,
                _ => ends[2] = at,
            }
        }
        let end_4b = ends[0];
        let end_2b = ends[1].max(end_4b);
        let end_1b = ends[2].max(end_2b);
        let mut layout = RowLayout {
            offsets,
            end_4b,
            end_2b,
            end_1b,
            row_size: end_1b + cols.len().div_ceil(8),
            tags: cols,
            header: Vec::new(),
        };
        layout.header = layout.make_header();
        layout
    }

    /// TCINFO: the table header the heap's user root points at.
    fn info(&self, row_index: u32, rows_hnid: u32) -> Vec<u8> {
        let mut info = self.header.clone();
        info[HEADER_ROW_INDEX..HEADER_ROW_INDEX + 4].copy_from_slice(&row_index.to_le_bytes());
        info[HEADER_ROWS..HEADER_ROWS + 4].copy_from_slice(&rows_hnid.to_le_bytes());
        info
    }

    /// The header with its row index and row matrix references 0, filled in by `info`.
    fn make_header(&self) -> Vec<u8> {
        // TCINFO: 22 bytes, then 8 per column.
        let mut info = Vec::with_capacity(22 + 8 * self.tags.len());
        info.extend_from_slice(&[CLIENT_TC, self.tags.len() as u8]);
        for end in [self.end_4b, self.end_2b, self.end_1b, self.row_size] {
            info.extend_from_slice(&(end as u16).to_le_bytes());
        }
        debug_assert_eq!(
            (info.len(), HEADER_ROWS),
            (HEADER_ROW_INDEX, HEADER_ROW_INDEX + 4)
        );
        // The row index, the row matrix, and a deprecated reference always 0.
        info.extend_from_slice(&[0; 12]);
        let mut descs: Vec<(u32, usize, usize)> = (0..self.tags.len())
            .map(|c| (self.tags[c], self.offsets[c], c))
            .collect();
        descs.sort_by_key(|d| d.0);
        for (tag, offset, bit) in descs {
            info.extend_from_slice(&tag.to_le_bytes());
            info.extend_from_slice(&(offset as u16).to_le_bytes());
            info.push(cell_size(tag as u16) as u8);
            info.push(bit as u8);
        }
        info
    }
}

/// A table being written; see the module notes.
pub struct TableWriter {
    layout: Arc<RowLayout>,
    heap: HeapBuilder,
    /// Per heap block, once written: its BID and size, for the node's data tree.
    heap_blocks: Vec<(u64, u64)>,
    subs: Subnodes,
    index: BthWriter,
    /// Rows not yet written as a row-matrix block.
    matrix: Vec<u8>,
    rows_per_block: usize,
    /// Per row-matrix block written: its BID and size.
    matrix_blocks: Vec<(u64, u64)>,
    rows: u32,
    last_id: Option<u32>,
    /// The table header's place, allocated first (in the heap's first block, as Outlook
    /// puts it) and filled in at the end.
    info: HeapId,
}

impl TableWriter {
    /// `tags` must not include the row id and version columns; they come first on their own.
    /// `subs` may hold subnodes the caller already wrote for this node.
    pub fn new(w: &NdbWriter, tags: &[u32], subs: Subnodes) -> Result<Self> {
        if tags.len() + 2 > u8::MAX as usize {
            return Err(Error::out_of_range(
                "table context",
                "column count",
                tags.len() as u64 + 2,
                u8::MAX as u64,
            ));
        }
        let block = w.variant().max_block_data();
        let layout = RowLayout::for_columns(tags);
        let mut heap = HeapBuilder::new(CLIENT_TC, w.variant());
        let info = heap.alloc(&layout.header)?;
        Ok(TableWriter {
            // Whole rows per block, as readers expect.
            rows_per_block: block / layout.row_size,
            layout,
            heap,
            heap_blocks: Vec::new(),
            subs,
            index: BthWriter::new(4, 4),
            matrix: Vec::new(),
            matrix_blocks: Vec::new(),
            rows: 0,
            last_id: None,
            info,
        })
    }

    pub fn len(&self) -> usize {
        self.rows as usize
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Adds a row; `cells` follow the tags given to `new`, missing ones are absent.
    pub fn row(&mut self, w: &mut NdbWriter, row_id: u32, cells: &[Option<&[u8]>]) -> Result<()> {
        if let Some(last) = self.last_id.filter(|&last| last >= row_id) {
            return Err(Error::malformed(
                "table context",
                format!(
                    "row 0x{row_id:X} arrives after row 0x{last:X}; a streamed table takes rows in increasing id order"
                ),
            ));
        }
        let l = &self.layout;
        let start = self.matrix.len();
        self.matrix.resize(start + l.row_size, 0);
        self.matrix[start..start + 4].copy_from_slice(&row_id.to_le_bytes());
        self.matrix[start + l.end_1b] |= 0xC0;
        for (k, cell) in cells.iter().enumerate().take(l.tags.len() - 2) {
            let c = k + 2;
            let Some(value) = cell else { continue };
            let t = l.tags[c] as u16;
            let size = cell_size(t);
            let at = start + l.offsets[c];
            if size == 4 && !matches!(fixed_size(t), Some(4)) {
                let hnid = place(&mut self.heap, &mut self.subs, w, value)?;
                self.matrix[at..at + 4].copy_from_slice(&hnid.to_le_bytes());
            } else {
                let n = value.len().min(size);
                self.matrix[at..at + n].copy_from_slice(&value[..n]);
            }
            self.matrix[start + l.end_1b + c / 8] |= 0x80 >> (c % 8);
        }
        let mut rec = [0u8; 8];
        rec[..4].copy_from_slice(&row_id.to_le_bytes());
        rec[4..].copy_from_slice(&self.rows.to_le_bytes());
        self.index.push(&mut self.heap, &rec)?;
        self.rows = self.rows.checked_add(1).ok_or_else(|| {
            Error::out_of_range(
                "table context",
                "row count",
                u32::MAX as u64,
                u32::MAX as u64,
            )
        })?;
        self.last_id = Some(row_id);
        if self.matrix.len() >= self.rows_per_block * self.layout.row_size {
            self.flush_matrix(w)?;
        }
        self.write_ready(w)
    }

    fn flush_matrix(&mut self, w: &mut NdbWriter) -> Result<()> {
        let bid = w.write_block(&self.matrix, false)?;
        self.matrix_blocks.push((bid, self.matrix.len() as u64));
        self.matrix.clear();
        Ok(())
    }

    /// Writes the heap blocks no later allocation changes.
    fn write_ready(&mut self, w: &mut NdbWriter) -> Result<()> {
        for (i, block) in self.heap.take_ready() {
            let bid = w.write_block(&block, false)?;
            if self.heap_blocks.len() <= i {
                self.heap_blocks.resize(i + 1, (0, 0));
            }
            self.heap_blocks[i] = (bid, block.len() as u64);
        }
        Ok(())
    }

    /// Writes what is left: the row index's upper levels, the rest of the row matrix, the
    /// table header and the heap blocks held back.
    pub fn finish(mut self, w: &mut NdbWriter) -> Result<NodeOut> {
        let index = std::mem::replace(&mut self.index, BthWriter::new(4, 4));
        let row_index = index.finish(&mut self.heap)?;
        let rows_hnid = if self.matrix_blocks.is_empty() && self.matrix.len() <= MAX_ALLOC {
            if self.matrix.is_empty() {
                0
            } else {
                self.heap.alloc(&self.matrix)?.raw()
            }
        } else {
            if !self.matrix.is_empty() {
                self.flush_matrix(w)?;
            }
            let bid = w.write_data_tree(&self.matrix_blocks)?;
            self.subs.tree(bid)?.0
        };
        let info = self.layout.info(row_index.raw(), rows_hnid);
        self.heap.rewrite(self.info, &info)?;
        self.heap.set_user_root(self.info);
        self.write_ready(w)?;
        let heap = std::mem::replace(&mut self.heap, HeapBuilder::new(CLIENT_TC, w.variant()));
        for (i, block) in heap.finish() {
            let bid = w.write_block(&block, false)?;
            if self.heap_blocks.len() <= i {
                self.heap_blocks.resize(i + 1, (0, 0));
            }
            self.heap_blocks[i] = (bid, block.len() as u64);
        }
        let bid_data = w.write_data_tree(&self.heap_blocks)?;
        let bid_sub = self.subs.write(w)?;
        Ok(NodeOut { bid_data, bid_sub })
    }
}
