//! Building property contexts and table contexts on heaps, with values too large for the
//! heap placed in subnodes, as the reader expects them.

use super::heap::{HeapBuilder, MAX_ALLOC};
use super::ndb::NdbWriter;
use crate::store::error::Result;
use crate::store::ltp::heap::{CLIENT_BTH, CLIENT_PC, CLIENT_TC, Hid};
use crate::store::ltp::prop::{fixed_size, ptype};
use crate::store::ndb::{Nid, SubnodeEntry};

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
        let nid = Nid((self.next << 5) | 0x1F);
        self.next += 1;
        let bid = w.write_data(data)?;
        self.entries.push(SubnodeEntry {
            nid,
            bid_data: bid,
            bid_sub: 0,
        });
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
fn place(
    heap: &mut HeapBuilder,
    subs: &mut Subnodes,
    w: &mut NdbWriter,
    data: &[u8],
) -> Result<u32> {
    if data.len() <= MAX_ALLOC {
        // An empty value is still an allocation, so the property exists.
        Ok(heap.alloc(data.to_vec())?.0)
    } else {
        Ok(subs.value(w, data)?.0)
    }
}

/// A B-tree on the heap over sorted (key, data) records; returns its header's HID.
fn bth(heap: &mut HeapBuilder, key_size: u8, data_size: u8, records: &[Vec<u8>]) -> Result<Hid> {
    let rec = key_size as usize + data_size as usize;
    let mut level = 0u8;
    let mut root = 0u32;
    if !records.is_empty() {
        let mut current: Vec<(Vec<u8>, Vec<u8>)> = records
            .iter()
            .map(|r| (r[..key_size as usize].to_vec(), r.clone()))
            .collect();
        loop {
            let size = if level == 0 {
                rec
            } else {
                key_size as usize + 4
            };
            let per = MAX_ALLOC / size;
            let mut parents = Vec::new();
            for group in current.chunks(per) {
                let bytes: Vec<u8> = group.iter().flat_map(|(_, r)| r.iter().copied()).collect();
                let hid = heap.alloc(bytes)?;
                let mut index = group[0].0.clone();
                index.extend_from_slice(&hid.0.to_le_bytes());
                parents.push((group[0].0.clone(), index, hid));
            }
            if parents.len() == 1 {
                root = parents[0].2.0;
                break;
            }
            current = parents.into_iter().map(|(k, r, _)| (k, r)).collect();
            level += 1;
        }
    }
    let mut header = vec![CLIENT_BTH, key_size, data_size, level];
    header.extend_from_slice(&root.to_le_bytes());
    heap.alloc(header)
}

/// Properties for one node, by id; values are encoded bytes of their stored type.
#[derive(Default)]
pub struct PcBuilder {
    props: Vec<(u16, u16, Vec<u8>)>,
}

impl PcBuilder {
    pub fn set(&mut self, id: u16, ptype: u16, value: Vec<u8>) -> &mut Self {
        self.props.retain(|p| p.0 != id);
        self.props.push((id, ptype, value));
        self
    }

    pub fn write(mut self, w: &mut NdbWriter, mut subs: Subnodes) -> Result<NodeOut> {
        self.props.sort_by_key(|p| p.0);
        let mut heap = HeapBuilder::new(CLIENT_PC, w.variant().max_block_data());
        let mut records = Vec::with_capacity(self.props.len());
        for (id, t, value) in &self.props {
            let inline = matches!(fixed_size(*t), Some(n) if n <= 4) && t & ptype::MULTI == 0;
            let hnid = if inline {
                let mut v = [0u8; 4];
                v[..value.len().min(4)].copy_from_slice(&value[..value.len().min(4)]);
                u32::from_le_bytes(v)
            } else {
                place(&mut heap, &mut subs, w, value)?
            };
            let mut r = id.to_le_bytes().to_vec();
            r.extend_from_slice(&t.to_le_bytes());
            r.extend_from_slice(&hnid.to_le_bytes());
            records.push(r);
        }
        let root = bth(&mut heap, 2, 6, &records)?;
        heap.set_user_root(root);
        finish(w, heap, subs)
    }
}

fn finish(w: &mut NdbWriter, heap: HeapBuilder, subs: Subnodes) -> Result<NodeOut> {
    let blocks = heap.finish();
    let parts: Vec<&[u8]> = blocks.iter().map(|b| b.as_slice()).collect();
    let bid_data = w.write_data_blocks(&parts)?;
    let bid_sub = subs.write(w)?;
    Ok(NodeOut { bid_data, bid_sub })
}

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

pub const ROW_ID: u32 = 0x67F2_0003;
pub const ROW_VER: u32 = 0x67F3_0003;

/// A table: its columns (tags) and rows of optional cell values, each row with its id.
///
/// Rows are kept encoded back to back in one buffer rather than as vectors of cells: a
/// folder with a million messages holds a million rows until the store is finished, and
/// per-cell allocations would cost several times the bytes of the values themselves.
pub struct TcBuilder {
    tags: Vec<u32>,
    /// Per row: its id and where its cells start in `cells`.
    rows: Vec<(u32, usize)>,
    /// Each cell as a 4-byte length (`ABSENT` when it has no value) and its bytes.
    cells: Vec<u8>,
}

const ABSENT: u32 = u32::MAX;

/// The cells of one row, read back from the buffer `TcBuilder::row` filled.
fn decode_cells(buf: &[u8], mut at: usize, count: usize) -> Vec<Option<&[u8]>> {
    let mut cells = Vec::with_capacity(count);
    for _ in 0..count {
        let len = u32::from_le_bytes(buf[at..at + 4].try_into().expect("four bytes"));
        at += 4;
        if len == ABSENT {
            cells.push(None);
        } else {
            cells.push(Some(&buf[at..at + len as usize]));
            at += len as usize;
        }
    }
    cells
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
        debug_assert_eq!(cells.len(), self.tags.len());
        self.rows.push((row_id, self.cells.len()));
        for cell in cells.iter().take(self.tags.len()) {
            match cell {
                // Cell values are table cells (strings, binaries), far below 4 GiB.
                Some(v) => {
                    self.cells
                        .extend_from_slice(&(v.len() as u32).to_le_bytes());
                    self.cells.extend_from_slice(v);
                }
                None => self.cells.extend_from_slice(&ABSENT.to_le_bytes()),
            }
        }
        // A short row reads as absent cells rather than running into the next one.
        for _ in cells.len()..self.tags.len() {
            self.cells.extend_from_slice(&ABSENT.to_le_bytes());
        }
    }

    pub fn write(self, w: &mut NdbWriter, mut subs: Subnodes) -> Result<NodeOut> {
        // Columns: row id and version first, then 8-, 4-, 2- and 1-byte cells; the cell
        // existence bitmap last. Bits follow column order.
        let mut cols: Vec<(u32, usize)> = vec![(ROW_ID, usize::MAX), (ROW_VER, usize::MAX)];
        cols.extend(self.tags.iter().enumerate().map(|(i, &t)| (t, i)));
        let mut order: Vec<usize> = (2..cols.len()).collect();
        order.sort_by_key(|&c| std::cmp::Reverse(cell_size(cols[c].0 as u16)));
        let layout_order: Vec<usize> = [0, 1].into_iter().chain(order).collect();
        let mut offsets = vec![0usize; cols.len()];
        let mut at = 0;
        let mut ends = [0usize; 3];
        for &c in &layout_order {
            let size = cell_size(cols[c].0 as u16);
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
        let row_size = end_1b + cols.len().div_ceil(8);

        let mut heap = HeapBuilder::new(CLIENT_TC, w.variant().max_block_data());
        let mut matrix = Vec::with_capacity(self.rows.len() * row_size);
        let mut index = Vec::with_capacity(self.rows.len());
        let mut sorted = self.rows;
        sorted.sort_by_key(|r| r.0);
        for (i, &(row_id, start)) in sorted.iter().enumerate() {
            let cells = decode_cells(&self.cells, start, self.tags.len());
            let mut row = vec![0u8; row_size];
            row[0..4].copy_from_slice(&row_id.to_le_bytes());
            row[end_1b] |= 0xC0;
            for (k, cell) in cells.iter().enumerate() {
                let c = k + 2;
                let Some(value) = cell else { continue };
                let t = cols[c].0 as u16;
                let size = cell_size(t);
                let bytes = if size == 4 && !matches!(fixed_size(t), Some(4)) {
                    place(&mut heap, &mut subs, w, value)?
                        .to_le_bytes()
                        .to_vec()
                } else {
                    let mut b = value.to_vec();
                    b.resize(size, 0);
                    b
                };
                row[offsets[c]..offsets[c] + size].copy_from_slice(&bytes);
                row[end_1b + c / 8] |= 0x80 >> (c % 8);
            }
            matrix.extend_from_slice(&row);
            let mut rec = row_id.to_le_bytes().to_vec();
            rec.extend_from_slice(&(i as u32).to_le_bytes());
            index.push(rec);
        }
        let row_index = bth(&mut heap, 4, 4, &index)?;
        let rows_hnid = if matrix.is_empty() {
            0
        } else if matrix.len() <= MAX_ALLOC {
            heap.alloc(matrix)?.0
        } else {
            // Whole rows per block, as readers expect.
            let per = w.variant().max_block_data() / row_size;
            let parts: Vec<&[u8]> = matrix.chunks(per * row_size).collect();
            let bid = w.write_data_blocks(&parts)?;
            let nid = Nid((subs.next << 5) | 0x1F);
            subs.next += 1;
            subs.add(SubnodeEntry {
                nid,
                bid_data: bid,
                bid_sub: 0,
            });
            nid.0
        };
        let mut info = vec![CLIENT_TC, cols.len() as u8];
        for end in [end_4b, end_2b, end_1b, row_size] {
            info.extend_from_slice(&(end as u16).to_le_bytes());
        }
        info.extend_from_slice(&row_index.0.to_le_bytes());
        info.extend_from_slice(&rows_hnid.to_le_bytes());
        info.extend_from_slice(&0u32.to_le_bytes());
        let mut descs: Vec<(u32, usize, usize)> = (0..cols.len())
            .map(|c| (cols[c].0, offsets[c], c))
            .collect();
        descs.sort_by_key(|d| d.0);
        for (tag, offset, bit) in descs {
            info.extend_from_slice(&tag.to_le_bytes());
            info.extend_from_slice(&(offset as u16).to_le_bytes());
            info.push(cell_size(tag as u16) as u8);
            info.push(bit as u8);
        }
        let info = heap.alloc(info)?;
        heap.set_user_root(info);
        finish(w, heap, subs)
    }
}
