//! The row spill file: contents-table rows wait on disk, not in memory, until their folder's
//! table is written at the end. One file serves the whole store; each folder fills a small
//! buffer and appends it as a chunk when full, keeping only the chunks' places.
//!
//! The file sits beside the output's temporary file under a name derived from it, so crash
//! recovery, which knows the temporary file, finds a leftover spill file too.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::rows::{RowReader, encode_row};
use crate::store::error::{Error, ErrorKind, Result};

/// A folder's buffer is appended to the file once it holds this many bytes.
const CHUNK: usize = 16 * 1024;

/// The spill file kept beside the temporary file `temp` of an output being written.
pub fn spill_path_for(temp: &Path) -> PathBuf {
    super::out::spill_path_for(temp, "rows")
}

/// What a replay hands each row to: its id and cells.
pub type RowSink<'a> = dyn FnMut(u32, &[Option<&[u8]>]) -> Result<()> + 'a;

pub struct RowSpill {
    path: PathBuf,
    file: File,
    len: u64,
}

/// One folder's rows: the chunks already in the file and the rows still buffered.
#[derive(Default)]
pub struct SpilledRows {
    buf: Vec<u8>,
    chunks: Vec<(u64, u32)>,
    count: u64,
    last_id: Option<u32>,
    unordered: bool,
}

impl SpilledRows {
    pub fn len(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Whether every row came with a larger id than the one before, as a streamed table
    /// needs them.
    pub fn ordered(&self) -> bool {
        !self.unordered
    }
}

impl RowSpill {
    /// Creates the file, refusing to reuse one another writer may still be filling.
    pub fn create(path: &Path) -> Result<RowSpill> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| io_error(path, e))?;
        Ok(RowSpill {
            path: path.to_path_buf(),
            file,
            len: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Adds a row to `rows`, appending its buffer to the file when full.
    pub fn push(
        &mut self,
        rows: &mut SpilledRows,
        row_id: u32,
        cells: &[Option<&[u8]>],
        columns: usize,
    ) -> Result<()> {
        if rows.last_id.is_some_and(|last| last >= row_id) {
            rows.unordered = true;
        }
        rows.last_id = Some(row_id);
        rows.count += 1;
        encode_row(&mut rows.buf, row_id, cells, columns);
        if rows.buf.len() >= CHUNK {
            self.flush(rows)?;
        }
        Ok(())
    }

    fn flush(&mut self, rows: &mut SpilledRows) -> Result<()> {
        let len = u32::try_from(rows.buf.len()).map_err(|_| {
            Error::out_of_range(
                "row spill file",
                "chunk size",
                rows.buf.len() as u64,
                u32::MAX as u64,
            )
        })?;
        self.file
            .seek(SeekFrom::Start(self.len))
            .and_then(|_| self.file.write_all(&rows.buf))
            .map_err(|e| io_error(&self.path, e))?;
        rows.chunks.push((self.len, len));
        self.len += len as u64;
        rows.buf.clear();
        Ok(())
    }

    /// Hands every row of `rows` to `each` in the order they were pushed, reading one chunk
    /// at a time.
    pub fn replay(
        &mut self,
        rows: SpilledRows,
        columns: usize,
        each: &mut RowSink<'_>,
    ) -> Result<()> {
        let mut chunk = Vec::new();
        for &(offset, len) in &rows.chunks {
            chunk.resize(len as usize, 0);
            self.file
                .seek(SeekFrom::Start(offset))
                .and_then(|_| self.file.read_exact(&mut chunk))
                .map_err(|e| io_error(&self.path, e).at_offset(offset))?;
            self.replay_chunk(&chunk, Some(offset), columns, each)?;
        }
        self.replay_chunk(&rows.buf, None, columns, each)
    }

    /// Replays one chunk read from `offset` in the file, or the rows still in memory.
    fn replay_chunk(
        &self,
        chunk: &[u8],
        offset: Option<u64>,
        columns: usize,
        each: &mut RowSink<'_>,
    ) -> Result<()> {
        let mut reader = RowReader::new(chunk, columns);
        let mut cells = Vec::with_capacity(columns);
        loop {
            let at = reader.position() as u64;
            let row = reader.next_row(&mut cells).map_err(|e| match offset {
                Some(offset) => e
                    .in_file(&Arc::from(self.path.as_path()))
                    .at_offset(offset + at),
                None => e,
            })?;
            let Some(row_id) = row else { return Ok(()) };
            each(row_id, &cells)?;
        }
    }
}

impl Drop for RowSpill {
    fn drop(&mut self) {
        // The rows are only ever needed by the writer that spilled them.
        let _ = std::fs::remove_file(&self.path);
    }
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::new("row spill file", ErrorKind::Io(e)).in_file(&Arc::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> crate::temp::TempDir {
        crate::temp::TempDir::new(&format!("spill-{tag}"))
    }

    #[test]
    fn interleaved_folders_replay_their_own_rows_in_order() {
        let scratch = temp_dir("replay");
        let dir = scratch.path();
        let path = dir.join("x.rows");
        let mut spill = RowSpill::create(&path).unwrap();
        let (mut a, mut b) = (SpilledRows::default(), SpilledRows::default());
        let text = vec![b'q'; 300];
        for i in 0..500u32 {
            spill.push(&mut a, i, &[Some(&text), None], 2).unwrap();
            spill
                .push(&mut b, 1000 - i, &[None, Some(&i.to_le_bytes())], 2)
                .unwrap();
        }
        assert!(a.chunks.len() > 3 && a.ordered() && !b.ordered());
        assert_eq!(a.len(), 500);
        let mut seen = Vec::new();
        spill
            .replay(a, 2, &mut |id, cells| {
                assert_eq!(cells, &[Some(&text[..]), None]);
                seen.push(id);
                Ok(())
            })
            .unwrap();
        assert_eq!(seen, (0..500).collect::<Vec<_>>());
        let mut seen = Vec::new();
        spill
            .replay(b, 2, &mut |id, cells| {
                assert_eq!(cells[1], Some(&(1000 - id).to_le_bytes()[..]));
                seen.push(id);
                Ok(())
            })
            .unwrap();
        assert_eq!(seen.len(), 500);
        drop(spill);
        assert!(!path.exists(), "the spill file is removed with its writer");
    }

    #[test]
    fn a_damaged_spill_file_is_an_error_naming_file_and_offset() {
        let scratch = temp_dir("damaged");
        let dir = scratch.path();
        let path = dir.join("x.rows");
        let mut spill = RowSpill::create(&path).unwrap();
        let mut a = SpilledRows::default();
        let text = vec![b'q'; 2000];
        for i in 0..20u32 {
            spill.push(&mut a, i, &[Some(&text)], 1).unwrap();
        }
        // A length word in the first chunk now claims more than the chunk holds.
        spill.file.seek(SeekFrom::Start(4)).unwrap();
        spill.file.write_all(&0x7FFF_0000u32.to_le_bytes()).unwrap();
        let err = spill
            .replay(a, 1, &mut |_, _| Ok(()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("x.rows") && err.contains("cell value"),
            "{err}"
        );
        assert!(RowSpill::create(&path).is_err(), "an existing file is kept");
        drop(spill);
    }

    #[test]
    fn the_spill_file_is_named_after_the_temporary_file() {
        assert_eq!(
            spill_path_for(Path::new("/d/.a.pst.partial-42")),
            PathBuf::from("/d/.a.pst.partial-42.rows")
        );
    }
}
