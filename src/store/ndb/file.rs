//! Positional, read-only access to the store file. Positional reads need no shared cursor,
//! so one open file serves every worker thread without a lock.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use crate::store::error::{Error, ErrorKind, Result};

#[derive(Debug)]
pub struct StoreFile {
    file: File,
    len: u64,
    path: Arc<Path>,
}

impl StoreFile {
    pub fn open(path: &Path) -> Result<Self> {
        let path: Arc<Path> = Arc::from(path);
        let io = |e| Error::new("file", ErrorKind::Io(e)).in_file(&path);
        // Looked at before opening: opening a FIFO for reading blocks until a writer comes,
        // so a named pipe given as the store would hang every command.
        let kind = std::fs::metadata(&path).map_err(io)?.file_type();
        if let Some(what) = not_a_regular_file(kind) {
            return Err(Error::malformed("file", what).in_file(&path));
        }
        let file = File::open(&path).map_err(io)?;
        let meta = file.metadata().map_err(io)?;
        Ok(StoreFile {
            len: meta.len(),
            file,
            path,
        })
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn path(&self) -> &Arc<Path> {
        &self.path
    }

    /// Fills `buf` from `offset`; a read past the end is reported as truncation, naming what
    /// was being read.
    pub fn read_exact_at(
        &self,
        structure: &'static str,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<()> {
        let end = offset.checked_add(buf.len() as u64);
        match end {
            Some(end) if end <= self.len => {}
            _ => {
                return Err(Error::new(
                    structure,
                    ErrorKind::Truncated {
                        needed: offset.saturating_add(buf.len() as u64),
                        file_len: self.len,
                    },
                )
                .at_offset(offset)
                .in_file(&self.path));
            }
        }
        platform::read_exact_at(&self.file, buf, offset).map_err(|e| {
            Error::new(structure, ErrorKind::Io(e))
                .at_offset(offset)
                .in_file(&self.path)
        })
    }

    pub fn read_vec(&self, structure: &'static str, offset: u64, len: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        self.read_exact_at(structure, offset, &mut buf)?;
        Ok(buf)
    }
}

#[cfg(unix)]
mod platform {
    use std::fs::File;
    use std::os::unix::fs::FileExt;

    pub fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        file.read_exact_at(buf, offset)
    }
}

#[cfg(windows)]
mod platform {
    use std::fs::File;
    use std::os::windows::fs::FileExt;

    pub fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
        while !buf.is_empty() {
            match file.seek_read(buf, offset) {
                Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    buf = &mut buf[n..];
                    offset += n as u64;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Why a file of this type cannot be a store: only regular files hold one.
fn not_a_regular_file(kind: std::fs::FileType) -> Option<&'static str> {
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("this is a folder, not a store file");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some(
                "this is a named pipe (FIFO), not a regular file: copy the store to a file first",
            );
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Some("this is a device, not a regular file: copy the store to a file first");
        }
        if kind.is_socket() {
            return Some("this is a socket, not a regular file");
        }
    }
    Some("this is not a regular file")
}
