//! Knowing a renamed file again: size, last-write time and a checksum of three samples
//! (start, middle, end).
//!
//! A hash of the whole file would also do, but stores run to tens of gigabytes and the
//! rename and its undo would each read all of it. A rename on one volume keeps the bytes
//! and the last-write time, so what needs catching is another file put in its place or
//! the file changed since; both change the size or the time, and Outlook rewrites the
//! header (with its own checksums) on every write, which the first sample covers.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{FixError, Result};
use crate::store::ndb::crc::crc32;

const SAMPLE: u64 = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub size: u64,
    /// Last write, seconds and nanoseconds since 1970 (absent where the system keeps none).
    pub modified: Option<(i64, u32)>,
    pub samples_crc: u32,
}

impl Fingerprint {
    pub fn of(path: &Path) -> Result<Fingerprint> {
        let fail = |e| FixError::io("read", path, e);
        let mut file = File::open(path).map_err(fail)?;
        let meta = file.metadata().map_err(fail)?;
        let size = meta.len();
        let modified =
            meta.modified()
                .ok()
                .map(|t| match t.duration_since(std::time::UNIX_EPOCH) {
                    Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
                    Err(before) => (-(before.duration().as_secs() as i64), 0),
                });
        let mut bytes = Vec::with_capacity(3 * SAMPLE as usize);
        for start in [
            0,
            size.saturating_sub(SAMPLE) / 2,
            size.saturating_sub(SAMPLE),
        ] {
            file.seek(SeekFrom::Start(start)).map_err(fail)?;
            (&mut file)
                .take(SAMPLE)
                .read_to_end(&mut bytes)
                .map_err(fail)?;
        }
        Ok(Fingerprint {
            size,
            modified,
            samples_crc: crc32(&bytes),
        })
    }

    /// What differs from `other`, in words; `None` when they are the same file.
    pub fn differs_from(&self, other: &Fingerprint) -> Option<String> {
        if self.size != other.size {
            Some(format!(
                "its size is {} bytes, not {}",
                other.size, self.size
            ))
        } else if self.modified != other.modified {
            Some("it was changed since (its last-write time differs)".into())
        } else if self.samples_crc != other.samples_crc {
            Some("its contents differ".into())
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_file_matches_and_a_changed_byte_does_not() {
        let scratch = crate::temp::TempDir::new("fp");
        let dir = scratch.path();
        let path = dir.join("a.bin");
        let mut data = vec![7u8; 300_000];
        std::fs::write(&path, &data).unwrap();
        let a = Fingerprint::of(&path).unwrap();
        assert_eq!(a.differs_from(&Fingerprint::of(&path).unwrap()), None);
        let time = std::fs::metadata(&path).unwrap().modified().unwrap();
        data[150_000] = 8;
        std::fs::write(&path, &data).unwrap();
        // Same size and time, different middle: the samples catch it.
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(time)
            .unwrap();
        let b = Fingerprint::of(&path).unwrap();
        assert_eq!(a.differs_from(&b).as_deref(), Some("its contents differ"));
    }
}
