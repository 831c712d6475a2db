//! B-tree entries parked on disk while a store is written, so the writer's memory stays
//! bounded however many nodes and blocks the store gets.
//!
//! Block ids are issued in increasing order as blocks are written, so block entries are
//! appended as they come and read back in that same order. Node entries arrive in any
//! order (a folder is finished after its messages), so they are sorted in runs of bounded
//! size and the runs are merged when the node index is written.
//!
//! The spill file is created only once a run fills, so small stores never touch the disk
//! for it. It lives beside the output's temporary file and is removed when dropped.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::store::error::{Error, ErrorKind, Result};
use crate::store::ndb::btree::{BbtEntry, NbtEntry, Nid};

/// Entries kept in memory before a run goes to disk: 6 MiB of records.
pub const RUN_ENTRIES: usize = 1 << 18;

const STRUCTURE: &str = "B-tree spill file";

/// A B-tree entry as a fixed-size record in a spill file.
pub trait Record: Copy {
    const SIZE: usize;
    fn encode(&self, out: &mut Vec<u8>);
    fn decode(bytes: &[u8]) -> Self;
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().expect("2 bytes"))
}

impl Record for BbtEntry {
    const SIZE: usize = 24;
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.bid.to_le_bytes());
        out.extend_from_slice(&self.ib.to_le_bytes());
        out.extend_from_slice(&self.cb.to_le_bytes());
        out.extend_from_slice(&self.cb_inflated.to_le_bytes());
        out.extend_from_slice(&self.refs.to_le_bytes());
        out.extend_from_slice(&[0; 2]);
    }
    fn decode(b: &[u8]) -> Self {
        BbtEntry {
            bid: u64_at(b, 0),
            ib: u64_at(b, 8),
            cb: u16_at(b, 16),
            cb_inflated: u16_at(b, 18),
            refs: u16_at(b, 20),
        }
    }
}

impl Record for NbtEntry {
    const SIZE: usize = 24;
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.nid.0.to_le_bytes());
        out.extend_from_slice(&self.nid_parent.0.to_le_bytes());
        out.extend_from_slice(&self.bid_data.to_le_bytes());
        out.extend_from_slice(&self.bid_sub.to_le_bytes());
    }
    fn decode(b: &[u8]) -> Self {
        NbtEntry {
            nid: Nid(u32_at(b, 0)),
            nid_parent: Nid(u32_at(b, 4)),
            bid_data: u64_at(b, 8),
            bid_sub: u64_at(b, 16),
        }
    }
}

/// An append-only file of records, created on first use and removed when dropped.
struct SpillFile {
    path: Arc<Path>,
    writer: Option<BufWriter<File>>,
    records: u64,
}

impl SpillFile {
    fn new(path: PathBuf) -> SpillFile {
        SpillFile {
            path: Arc::from(path),
            writer: None,
            records: 0,
        }
    }

    fn io(&self, offset: u64, e: std::io::Error) -> Error {
        Error::new(STRUCTURE, ErrorKind::Io(e))
            .at_offset(offset)
            .in_file(&self.path)
    }

    /// Appends `entries` and returns the index of the first.
    fn append<T: Record>(&mut self, entries: &[T]) -> Result<u64> {
        let start = self.records;
        let offset = start * T::SIZE as u64;
        if self.writer.is_none() {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&self.path)
                .map_err(|e| self.io(0, e))?;
            self.writer = Some(BufWriter::with_capacity(1 << 16, file));
        }
        let mut buf = Vec::with_capacity(entries.len() * T::SIZE);
        for e in entries {
            e.encode(&mut buf);
        }
        let w = self.writer.as_mut().expect("opened above");
        if let Err(e) = w.write_all(&buf) {
            return Err(self.io(offset, e));
        }
        self.records += entries.len() as u64;
        Ok(start)
    }

    fn flush(&mut self) -> Result<()> {
        let Some(w) = self.writer.as_mut() else {
            return Ok(());
        };
        if let Err(e) = w.flush() {
            return Err(self.io(self.records, e));
        }
        Ok(())
    }

    /// A reader over `count` records from record `start`.
    fn run<T: Record>(&self, start: u64, count: u64) -> Result<RunReader<T>> {
        let offset = start * T::SIZE as u64;
        let mut file = File::open(&self.path).map_err(|e| self.io(offset, e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| self.io(offset, e))?;
        Ok(RunReader {
            path: self.path.clone(),
            reader: BufReader::with_capacity(1 << 16, file),
            offset,
            left: count,
            _record: std::marker::PhantomData,
        })
    }
}

impl Drop for SpillFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Records read back from one stretch of a spill file.
struct RunReader<T> {
    path: Arc<Path>,
    reader: BufReader<File>,
    offset: u64,
    left: u64,
    _record: std::marker::PhantomData<T>,
}

impl<T: Record> RunReader<T> {
    fn next_record(&mut self) -> Option<Result<T>> {
        if self.left == 0 {
            return None;
        }
        let mut buf = [0u8; 32];
        let buf = &mut buf[..T::SIZE];
        if let Err(e) = self.reader.read_exact(buf) {
            let kind = if e.kind() == std::io::ErrorKind::UnexpectedEof {
                // Something shortened the file under us: say how much was expected.
                ErrorKind::Truncated {
                    needed: self.offset + T::SIZE as u64,
                    file_len: std::fs::metadata(&self.path).map_or(0, |m| m.len()),
                }
            } else {
                ErrorKind::Io(e)
            };
            self.left = 0;
            return Some(Err(Error::new(STRUCTURE, kind)
                .at_offset(self.offset)
                .in_file(&self.path)));
        }
        self.offset += T::SIZE as u64;
        self.left -= 1;
        Some(Ok(T::decode(buf)))
    }
}

/// Block entries in the order their ids were issued.
pub struct BlockSpill {
    file: SpillFile,
    mem: Vec<BbtEntry>,
    run: usize,
    last_bid: u64,
}

impl BlockSpill {
    pub fn new(path: PathBuf, run: usize) -> BlockSpill {
        BlockSpill {
            file: SpillFile::new(path),
            mem: Vec::new(),
            run: run.max(1),
            last_bid: 0,
        }
    }

    pub fn push(&mut self, entry: BbtEntry) -> Result<()> {
        // The index is written straight from this order, so it must be the ids' order.
        if entry.bid <= self.last_bid {
            return Err(Error::mismatch(
                "store writer",
                "block id order",
                format!("above 0x{:X}", self.last_bid),
                format!("0x{:X}", entry.bid),
            ));
        }
        self.last_bid = entry.bid;
        self.mem.push(entry);
        if self.mem.len() >= self.run {
            self.file.append(&self.mem)?;
            self.mem.clear();
        }
        Ok(())
    }

    pub fn len(&self) -> u64 {
        self.file.records + self.mem.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every entry, in block id order.
    pub fn into_sorted(mut self) -> Result<SortedBlocks> {
        self.file.flush()?;
        let disk = if self.file.records > 0 {
            Some(self.file.run(0, self.file.records)?)
        } else {
            None
        };
        Ok(SortedBlocks {
            disk,
            mem: std::mem::take(&mut self.mem).into_iter(),
            _file: self.file,
        })
    }
}

pub struct SortedBlocks {
    disk: Option<RunReader<BbtEntry>>,
    mem: std::vec::IntoIter<BbtEntry>,
    // Kept so the file is removed once the entries have been read.
    _file: SpillFile,
}

impl Iterator for SortedBlocks {
    type Item = Result<BbtEntry>;
    fn next(&mut self) -> Option<Self::Item> {
        if let Some(disk) = self.disk.as_mut() {
            match disk.next_record() {
                Some(r) => return Some(r),
                None => self.disk = None,
            }
        }
        self.mem.next().map(Ok)
    }
}

/// The empty stand-in left where entries were taken out to be read: it owns no file.
impl Default for BlockSpill {
    fn default() -> Self {
        BlockSpill::new(PathBuf::new(), RUN_ENTRIES)
    }
}

/// Node entries in any order, sorted in bounded runs.
pub struct NodeRuns {
    file: SpillFile,
    mem: Vec<NbtEntry>,
    run: usize,
    runs: Vec<(u64, u64)>,
}

impl NodeRuns {
    pub fn new(path: PathBuf, run: usize) -> NodeRuns {
        NodeRuns {
            file: SpillFile::new(path),
            mem: Vec::new(),
            run: run.max(1),
            runs: Vec::new(),
        }
    }

    pub fn push(&mut self, entry: NbtEntry) -> Result<()> {
        self.mem.push(entry);
        if self.mem.len() >= self.run {
            self.mem.sort_by_key(|n| n.nid);
            let start = self.file.append(&self.mem)?;
            self.runs.push((start, self.mem.len() as u64));
            self.mem.clear();
        }
        Ok(())
    }

    pub fn len(&self) -> u64 {
        self.file.records + self.mem.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every entry in node id order; a node id given twice ends the stream with an error.
    pub fn into_sorted(mut self) -> Result<SortedNodes> {
        self.file.flush()?;
        let mut mem = std::mem::take(&mut self.mem);
        mem.sort_by_key(|n| n.nid);
        let mut sources = Vec::with_capacity(self.runs.len() + 1);
        for &(start, count) in &self.runs {
            sources.push(Source::Disk(self.file.run(start, count)?));
        }
        sources.push(Source::Mem(mem.into_iter()));
        let mut merged = SortedNodes {
            heads: vec![None; sources.len()],
            heap: BinaryHeap::with_capacity(sources.len()),
            sources,
            last: None,
            failed: false,
            _file: self.file,
        };
        for i in 0..merged.sources.len() {
            merged.refill(i)?;
        }
        Ok(merged)
    }
}

/// The empty stand-in left where entries were taken out to be read: it owns no file.
impl Default for NodeRuns {
    fn default() -> Self {
        NodeRuns::new(PathBuf::new(), RUN_ENTRIES)
    }
}

enum Source {
    Disk(RunReader<NbtEntry>),
    Mem(std::vec::IntoIter<NbtEntry>),
}

impl Source {
    fn next(&mut self) -> Option<Result<NbtEntry>> {
        match self {
            Source::Disk(r) => r.next_record(),
            Source::Mem(m) => m.next().map(Ok),
        }
    }
}

/// A k-way merge of sorted runs: the heap holds the smallest unread node id of each run.
pub struct SortedNodes {
    sources: Vec<Source>,
    heads: Vec<Option<NbtEntry>>,
    heap: BinaryHeap<Reverse<(Nid, usize)>>,
    last: Option<Nid>,
    failed: bool,
    _file: SpillFile,
}

impl SortedNodes {
    fn refill(&mut self, i: usize) -> Result<()> {
        match self.sources[i].next() {
            Some(Ok(e)) => {
                self.heads[i] = Some(e);
                self.heap.push(Reverse((e.nid, i)));
            }
            Some(Err(e)) => return Err(e),
            None => self.heads[i] = None,
        }
        Ok(())
    }
}

impl Iterator for SortedNodes {
    type Item = Result<NbtEntry>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let Reverse((nid, i)) = self.heap.pop()?;
        let entry = self.heads[i].take().expect("a head for every heap entry");
        let step = self.refill(i).and_then(|()| {
            if self.last == Some(nid) {
                return Err(Error::malformed(
                    "store writer",
                    format!("node {nid} was written twice"),
                ));
            }
            Ok(())
        });
        self.last = Some(nid);
        match step {
            Ok(()) => Some(Ok(entry)),
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> crate::temp::TempDir {
        crate::temp::TempDir::new(&format!("spill-{name}"))
    }

    fn node(i: u32) -> NbtEntry {
        NbtEntry {
            nid: Nid(i),
            bid_data: i as u64 * 4,
            bid_sub: i as u64 * 8,
            nid_parent: Nid(i ^ 0x55),
        }
    }

    #[test]
    fn node_runs_merge_into_one_sorted_stream() {
        let d = dir("merge");
        let path = d.path().join("x.nbt");
        let mut runs = NodeRuns::new(path.clone(), 7);
        // A permutation of 0..1000 in a scattered order.
        let ids: Vec<u32> = (0..1000u32).map(|i| (i * 379) % 1000).collect();
        for &i in &ids {
            runs.push(node(i)).unwrap();
        }
        assert_eq!(runs.len(), 1000);
        assert!(path.exists(), "full runs went to disk");
        let out: Vec<NbtEntry> = runs.into_sorted().unwrap().map(|r| r.unwrap()).collect();
        assert_eq!(out, (0..1000).map(node).collect::<Vec<_>>());
        assert!(!path.exists(), "the spill file is removed once read");
    }

    #[test]
    fn a_node_given_twice_in_different_runs_is_refused() {
        let d = dir("dup");
        let mut runs = NodeRuns::new(d.path().join("x.nbt"), 4);
        for i in [9, 3, 5, 1, 8, 3, 2] {
            runs.push(node(i)).unwrap();
        }
        let results: Vec<Result<NbtEntry>> = runs.into_sorted().unwrap().collect();
        let err = results
            .iter()
            .find_map(|r| r.as_ref().err())
            .expect("refused");
        assert!(err.to_string().contains("was written twice"), "{err}");
        assert!(results.last().unwrap().is_err(), "the stream stops there");
    }

    #[test]
    fn small_stores_never_create_a_spill_file() {
        let d = dir("small");
        let path = d.path().join("x.bbt");
        let mut blocks = BlockSpill::new(path.clone(), 100);
        for i in 1..=10u64 {
            let e = BbtEntry {
                bid: i * 4,
                ib: i * 64,
                cb: 10,
                cb_inflated: 10,
                refs: 2,
            };
            blocks.push(e).unwrap();
        }
        assert!(!path.exists());
        assert_eq!(blocks.into_sorted().unwrap().count(), 10);
    }

    #[test]
    fn block_entries_come_back_in_order_across_the_file_and_memory() {
        let d = dir("blocks");
        let path = d.path().join("x.bbt");
        let mut blocks = BlockSpill::new(path.clone(), 16);
        let entry = |i: u64| BbtEntry {
            bid: i * 4 + 2 * (i % 2),
            ib: 0x4800 + i * 64,
            cb: (i % 8000) as u16,
            cb_inflated: (i % 7000) as u16,
            refs: 2,
        };
        for i in 1..=100 {
            blocks.push(entry(i)).unwrap();
        }
        let err = blocks.push(entry(3)).unwrap_err();
        assert!(err.to_string().contains("block id order"), "{err}");
        let out: Vec<BbtEntry> = blocks.into_sorted().unwrap().map(|r| r.unwrap()).collect();
        assert_eq!(out, (1..=100).map(entry).collect::<Vec<_>>());
        assert!(!path.exists());
    }

    #[test]
    fn a_spill_file_cut_short_is_an_error_naming_it() {
        let d = dir("cut");
        let path = d.path().join("x.bbt");
        let mut blocks = BlockSpill::new(path.clone(), 4);
        for i in 1..=8u64 {
            let e = BbtEntry {
                bid: i * 4,
                ib: i * 64,
                cb: 1,
                cb_inflated: 1,
                refs: 2,
            };
            blocks.push(e).unwrap();
        }
        blocks.file.flush().unwrap();
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(5 * 24 + 3).unwrap();
        let results: Vec<Result<BbtEntry>> = blocks.into_sorted().unwrap().collect();
        let err = results[5].as_ref().unwrap_err();
        let text = err.to_string();
        assert!(text.contains("truncated"), "{text}");
        assert_eq!(err.at.offset, Some(120));
        assert!(err.file_path().is_some_and(|p| p == path));
    }
}
