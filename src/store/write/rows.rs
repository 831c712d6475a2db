//! The compact form table rows wait in before their table is written, in memory or in the
//! row spill file: the row id, then per column a 4-byte length (`ABSENT` for no value) and
//! the value's bytes. Per-cell allocations would cost several times the values themselves.

use crate::store::error::{Error, Result};

const ABSENT: u32 = u32::MAX;

/// Appends one row; cells beyond `columns` are dropped, missing ones read as absent.
pub fn encode_row(out: &mut Vec<u8>, row_id: u32, cells: &[Option<&[u8]>], columns: usize) {
    out.extend_from_slice(&row_id.to_le_bytes());
    for k in 0..columns {
        match cells.get(k).copied().flatten() {
            // Cell values are table cells (strings, binaries), far below 4 GiB.
            Some(v) => {
                out.extend_from_slice(&(v.len() as u32).to_le_bytes());
                out.extend_from_slice(v);
            }
            None => out.extend_from_slice(&ABSENT.to_le_bytes()),
        }
    }
}

/// Reads rows back from a buffer `encode_row` filled. The buffer may come back from disk,
/// so every length is checked against what is left.
pub struct RowReader<'a> {
    buf: &'a [u8],
    at: usize,
    columns: usize,
}

impl<'a> RowReader<'a> {
    pub fn new(buf: &'a [u8], columns: usize) -> Self {
        RowReader {
            buf,
            at: 0,
            columns,
        }
    }

    /// Where the next row starts, for error reports.
    pub fn position(&self) -> usize {
        self.at
    }

    fn word(&mut self) -> Result<u32> {
        let bytes = self
            .buf
            .get(self.at..self.at + 4)
            .ok_or_else(|| self.cut("a 4-byte length or row id"))?;
        self.at += 4;
        Ok(u32::from_le_bytes(bytes.try_into().expect("four bytes")))
    }

    fn cut(&self, expected: &str) -> Error {
        Error::malformed(
            "encoded table rows",
            format!(
                "expected {expected} at byte {} of a {}-byte buffer",
                self.at,
                self.buf.len()
            ),
        )
    }

    /// The next row's id, its cells left in `cells`; `None` at the end of the buffer.
    pub fn next_row(&mut self, cells: &mut Vec<Option<&'a [u8]>>) -> Result<Option<u32>> {
        cells.clear();
        if self.at == self.buf.len() {
            return Ok(None);
        }
        let row_id = self.word()?;
        for _ in 0..self.columns {
            let len = self.word()?;
            if len == ABSENT {
                cells.push(None);
                continue;
            }
            let end = self.at.saturating_add(len as usize);
            let value = self
                .buf
                .get(self.at..end)
                .ok_or_else(|| self.cut(&format!("a {len}-byte cell value")))?;
            self.at = end;
            cells.push(Some(value));
        }
        Ok(Some(row_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_back_with_absent_and_missing_cells() {
        let mut buf = Vec::new();
        encode_row(&mut buf, 7, &[Some(b"ab"), None, Some(b"")], 3);
        encode_row(&mut buf, 9, &[Some(b"x")], 3);
        let mut r = RowReader::new(&buf, 3);
        let mut cells = Vec::new();
        assert_eq!(r.next_row(&mut cells).unwrap(), Some(7));
        assert_eq!(cells, vec![Some(&b"ab"[..]), None, Some(&b""[..])]);
        assert_eq!(r.next_row(&mut cells).unwrap(), Some(9));
        assert_eq!(cells, vec![Some(&b"x"[..]), None, None]);
        assert_eq!(r.next_row(&mut cells).unwrap(), None);
    }

    #[test]
    fn a_cut_buffer_is_an_error_naming_the_byte() {
        let mut buf = Vec::new();
        encode_row(&mut buf, 7, &[Some(b"abcdef")], 1);
        buf.truncate(buf.len() - 2);
        let err = RowReader::new(&buf, 1)
            .next_row(&mut Vec::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("6-byte cell value at byte 8"), "{err}");
    }
}
