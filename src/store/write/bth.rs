//! Building a B-tree-on-heap ([MS-PST] 2.3.2) from records that arrive in key order: each
//! level keeps one record array being filled and hands it to the heap when full, so only
//! one array per level is ever held, however many records the tree gets.

use super::heap::{HeapBuilder, MAX_ALLOC};
use crate::store::error::{Error, Result};
use crate::store::ltp::heap::{CLIENT_BTH, HeapId};

pub struct BthWriter {
    key_size: usize,
    data_size: usize,
    /// Per level, from the leaves up: the record array being filled and whether an array
    /// of that level was already handed to the heap.
    levels: Vec<(Vec<u8>, bool)>,
    last_key: Option<u128>,
}

/// Keys are little-endian integers of up to 16 bytes, compared by value.
fn key_value(key: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    b[..key.len()].copy_from_slice(key);
    u128::from_le_bytes(b)
}

impl BthWriter {
    pub fn new(key_size: u8, data_size: u8) -> Self {
        BthWriter {
            key_size: key_size as usize,
            data_size: data_size as usize,
            levels: vec![(Vec::new(), false)],
            last_key: None,
        }
    }

    /// Adds a leaf record (key then data); keys must rise strictly.
    pub fn push(&mut self, heap: &mut HeapBuilder, record: &[u8]) -> Result<()> {
        if record.len() != self.key_size + self.data_size {
            return Err(Error::mismatch(
                "BTH",
                "record size",
                self.key_size + self.data_size,
                record.len(),
            ));
        }
        let key = key_value(&record[..self.key_size]);
        if let Some(last) = self.last_key.filter(|&last| last >= key) {
            return Err(Error::malformed(
                "BTH",
                format!("key 0x{key:X} arrives after key 0x{last:X}; keys must rise"),
            ));
        }
        self.last_key = Some(key);
        self.add(heap, 0, record)
    }

    fn record_size(&self, level: usize) -> usize {
        if level == 0 {
            self.key_size + self.data_size
        } else {
            self.key_size + 4
        }
    }

    /// Appends to a level's array, first handing a full array to the heap (and its first
    /// key and HID to the level above). Handing over only when one more record comes keeps
    /// a tree whose records fill exactly one array at a single level.
    fn add(&mut self, heap: &mut HeapBuilder, level: usize, record: &[u8]) -> Result<()> {
        let per = MAX_ALLOC / self.record_size(level);
        if self.levels[level].0.len() / self.record_size(level) >= per {
            self.hand_over(heap, level)?;
        }
        let array = &mut self.levels[level].0;
        if array.capacity() == 0 {
            // A property context's records, or a small table's, at once.
            array.reserve(32 * record.len());
        }
        array.extend_from_slice(record);
        Ok(())
    }

    fn hand_over(&mut self, heap: &mut HeapBuilder, level: usize) -> Result<()> {
        let array = std::mem::take(&mut self.levels[level].0);
        let hid = heap.alloc(&array)?;
        self.levels[level].1 = true;
        let mut entry = array[..self.key_size].to_vec();
        entry.extend_from_slice(&hid.raw().to_le_bytes());
        if self.levels.len() == level + 1 {
            self.levels.push((Vec::new(), false));
        }
        self.add(heap, level + 1, &entry)
    }

    /// Hands the remaining arrays to the heap and allocates the BTH header; returns its HID.
    pub fn finish(mut self, heap: &mut HeapBuilder) -> Result<HeapId> {
        let (mut root, mut depth) = (0u32, 0u8);
        let mut level = 0;
        while level < self.levels.len() {
            let top = level + 1 == self.levels.len();
            let (array, handed) = &self.levels[level];
            if top && !handed {
                if !array.is_empty() {
                    root = heap.alloc(array)?.raw();
                }
                // At most a handful of levels: each holds hundreds of times fewer records.
                depth = level as u8;
                break;
            }
            if !array.is_empty() {
                self.hand_over(heap, level)?;
            }
            level += 1;
        }
        let mut header = vec![CLIENT_BTH, self.key_size as u8, self.data_size as u8, depth];
        header.extend_from_slice(&root.to_le_bytes());
        heap.alloc(&header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ltp::bth::{header, records};
    use crate::store::ltp::heap::{CLIENT_TC, Heap};
    use crate::store::ndb::format::Variant;

    fn build(count: u32) -> (Heap, u8) {
        let mut heap = HeapBuilder::new(CLIENT_TC, Variant::Unicode);
        let mut bth = BthWriter::new(4, 4);
        for i in 0..count {
            let mut r = (i * 3 + 1).to_le_bytes().to_vec();
            r.extend_from_slice(&i.to_le_bytes());
            bth.push(&mut heap, &r).unwrap();
        }
        let root = bth.finish(&mut heap).unwrap();
        heap.set_user_root(root);
        let blocks = heap.finish().into_iter().map(|b| b.1).collect();
        let heap = Heap::new(Variant::Unicode, 0x21, blocks).unwrap();
        let levels = header(&heap, heap.user_root).unwrap().levels;
        (heap, levels)
    }

    #[test]
    fn every_record_reads_back_in_order_at_each_depth() {
        // 447 eight-byte records fill one array; 447 * 447 fill two levels.
        for (count, depth) in [
            (0, 0),
            (1, 0),
            (447, 0),
            (448, 1),
            (199_809, 1),
            (199_810, 2),
        ] {
            let (heap, levels) = build(count);
            assert_eq!(levels, depth, "{count} records");
            let h = header(&heap, heap.user_root).unwrap();
            let recs = records(&heap, &h).unwrap();
            assert_eq!(recs.len(), count as usize);
            for (i, r) in recs.iter().enumerate() {
                assert_eq!(r[..4], (i as u32 * 3 + 1).to_le_bytes());
                assert_eq!(r[4..], (i as u32).to_le_bytes());
            }
        }
    }

    #[test]
    fn keys_out_of_order_or_the_wrong_size_are_refused() {
        let mut heap = HeapBuilder::new(CLIENT_TC, Variant::Unicode);
        let mut bth = BthWriter::new(2, 6);
        bth.push(&mut heap, &[2, 0, 0, 0, 0, 0, 0, 0]).unwrap();
        let err = bth.push(&mut heap, &[2, 0, 1, 1, 1, 1, 1, 1]).unwrap_err();
        assert!(err.to_string().contains("keys must rise"), "{err}");
        assert!(bth.push(&mut heap, &[3, 0]).is_err());
    }
}
