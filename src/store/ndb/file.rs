//! Positional, read-only access to the store file. Positional reads need no shared cursor,
//! so one open file serves every worker thread without a lock.
//!
//! A store is read in pieces of a few KiB (one block, one page), and a system call for each
//! cost more than the checks on what it read. Each thread therefore keeps read-ahead
//! windows (`window`): a read that goes on from where the last one ended fills a window
//! twice as long as the last, up to a quarter MiB, so a pass in file order makes a few
//! thousand calls; any other read fills a small window around itself, which serves the
//! item's parts written beside it and copies little when reads jump about the file.

use std::cell::RefCell;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::store::error::{Error, ErrorKind, Result};

#[derive(Debug)]
pub struct StoreFile {
    file: File,
    len: u64,
    path: Arc<Path>,
    /// Tells this open file's windows from another's: a number never given twice, unlike
    /// an address, which a file opened after this one is closed could take over.
    id: u64,
}

/// Numbers for `StoreFile::id`.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

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
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
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
        self.read_at(structure, offset, buf, true)
    }

    fn read_at(
        &self,
        structure: &'static str,
        offset: u64,
        buf: &mut [u8],
        through_window: bool,
    ) -> Result<()> {
        self.in_file(structure, offset, buf.len())?;
        if through_window && window::read(self, offset, buf) {
            return Ok(());
        }
        platform::read_exact_at(&self.file, buf, offset).map_err(|e| {
            Error::new(structure, ErrorKind::Io(e))
                .at_offset(offset)
                .in_file(&self.path)
        })
    }

    /// Calls `f` with the `len` bytes at `offset`, lent from this thread's read-ahead
    /// window where they are in one (no buffer of their own, nothing zeroed or copied
    /// twice), read into a buffer of their own otherwise. For what is checked or decoded
    /// once and then dropped: a block verified, inflated or decoded into its own output.
    /// `f` may read the file again: the window is then busy, and that read goes round it.
    pub fn with_bytes<R>(
        &self,
        structure: &'static str,
        offset: u64,
        len: usize,
        f: impl FnOnce(&[u8]) -> R,
    ) -> Result<R> {
        let mut f = Some(f);
        let mut result = None;
        if self.in_file(structure, offset, len).is_ok() {
            window::lend(self, offset, len, |bytes| {
                result = f.take().map(|f| f(bytes));
            });
        }
        match (result, f) {
            (Some(r), _) => Ok(r),
            (None, Some(f)) => Ok(f(&self.read_vec_alone(structure, offset, len)?)),
            (None, None) => unreachable!("`f` is called at most once, and then gives a result"),
        }
    }

    /// Whether `len` bytes at `offset` lie within the file; a read past the end is reported
    /// as truncation, naming what was being read.
    fn in_file(&self, structure: &'static str, offset: u64, len: usize) -> Result<()> {
        match offset.checked_add(len as u64) {
            Some(end) if end <= self.len => Ok(()),
            _ => Err(Error::new(
                structure,
                ErrorKind::Truncated {
                    needed: offset.saturating_add(len as u64),
                    file_len: self.len,
                },
            )
            .at_offset(offset)
            .in_file(&self.path)),
        }
    }

    pub fn read_vec(&self, structure: &'static str, offset: u64, len: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        self.read_exact_at(structure, offset, &mut buf)?;
        Ok(buf)
    }

    /// The same, past the read-ahead windows: for what is read once and kept (an index
    /// page, which the page cache holds), where a window's worth of bytes around it would
    /// only be copied to be thrown away.
    pub fn read_vec_alone(
        &self,
        structure: &'static str,
        offset: u64,
        len: usize,
    ) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        self.read_at(structure, offset, &mut buf, false)?;
        Ok(buf)
    }
}

/// The read-ahead windows of each thread (see the module's comment).
mod window {
    use super::*;

    /// The most a window holds, once reads have gone on in order for a while: a pass over
    /// a store makes a few thousand calls rather than millions, and each copy takes well
    /// under a millisecond.
    const STREAM: usize = 256 * 1024;

    /// Bytes a window holds around a read that does not go on from the last: an item's
    /// parts (its properties, subnodes, tables) are mostly written within a KiB or two of
    /// one another, and its next read may lie anywhere (the next item of a folder is
    /// often hundreds of KiB on). A larger window copied bytes nobody read: an export of
    /// a 200,000-message PST copied 5.3 GB out of the kernel for 0.9 GB it asked for.
    const AROUND: usize = 4 * 1024;

    /// How far before the read a window around it starts: an item's parts are often
    /// written just before the block that lists them, which is read first.
    const BEFORE: u64 = 1024;

    /// A read that starts at most this far past the end of the last read from a window
    /// goes on from it (blocks in file order have gaps of alignment or free space).
    const GAP: u64 = 64;

    /// Windows per thread: an item's parts may lie in a few places (its own blocks and
    /// the index pages that find them), and one window would be refilled at every turn.
    const SLOTS: usize = 4;

    /// Reads at most this long go through a window (a 4 KiB store's largest block); longer
    /// ones gain nothing from it.
    const MAX_READ: usize = 8 * 1024;

    /// Windows that go on in order begin on this boundary, as the file's pages do.
    const ALIGN: u64 = 4096;

    #[derive(Default)]
    struct Slot {
        start: u64,
        /// Only grows: bytes about to be overwritten by a read are not zeroed first.
        bytes: Vec<u8>,
        /// How many of `bytes` the last fill read; 0 when the slot holds nothing.
        filled: usize,
        /// When it last served a read, to refill the one least used.
        used: u64,
        /// Where the last read it served ended: a read that starts there goes on in order.
        next: u64,
    }

    impl Slot {
        fn end(&self) -> u64 {
            self.start + self.filled as u64
        }

        fn held(&self) -> &[u8] {
            &self.bytes[..self.filled]
        }
    }

    #[derive(Default)]
    struct Windows {
        /// The file the bytes are from (`StoreFile::id`); 0 when none.
        file: u64,
        slots: [Slot; SLOTS],
        clock: u64,
    }

    thread_local! {
        static WINDOWS: RefCell<Windows> = RefCell::new(Windows::default());
    }

    #[cfg(test)]
    thread_local! {
        /// Windows filled on this thread, and the bytes read into them.
        pub static FILLS: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
    }

    /// Fills `buf` from a window, filling one first; false when the caller should read
    /// directly (a long read, or a failed fill, whose error the direct read reports).
    pub fn read(file: &StoreFile, offset: u64, buf: &mut [u8]) -> bool {
        lend(file, offset, buf.len(), |bytes| buf.copy_from_slice(bytes))
    }

    /// Calls `f` with the `len` bytes at `offset` in a window, filling one first; false,
    /// without calling `f`, when the caller should read directly: a long read, a failed
    /// fill (whose error the direct read reports), or a read made from within `f`, while
    /// the windows are lent out. `offset + len` must lie within the file.
    pub fn lend(file: &StoreFile, offset: u64, len: usize, f: impl FnOnce(&[u8])) -> bool {
        if len > MAX_READ {
            return false;
        }
        WINDOWS.with(|w| {
            let Ok(mut w) = w.try_borrow_mut() else {
                return false;
            };
            let w = &mut *w;
            if w.file != file.id {
                w.file = file.id;
                for slot in &mut w.slots {
                    slot.filled = 0;
                }
            }
            w.clock += 1;
            let clock = w.clock;
            let end = offset + len as u64;
            if let Some(slot) = w
                .slots
                .iter_mut()
                .find(|s| offset >= s.start && end <= s.end())
            {
                let at = (offset - slot.start) as usize;
                slot.used = clock;
                slot.next = end;
                f(&slot.held()[at..at + len]);
                return true;
            }
            // A read that starts where the last read from a window ended, and runs past
            // that window's end, goes on in order: that window is refilled from here, twice
            // as long, as what it held was read through. Any other read gets a small
            // window around itself in the slot least used.
            let going_on = w.slots.iter().position(|s| {
                s.filled > 0 && offset >= s.next && offset - s.next <= GAP && offset <= s.end()
            });
            let (k, start, want) = match going_on {
                Some(k) => (
                    k,
                    offset & !(ALIGN - 1),
                    (2 * w.slots[k].filled).min(STREAM),
                ),
                None => {
                    let Some(k) = (0..SLOTS).min_by_key(|&k| w.slots[k].used) else {
                        return false;
                    };
                    (k, offset.saturating_sub(BEFORE), AROUND)
                }
            };
            let slot = &mut w.slots[k];
            // Stretched to the end of the read when it would stop short; `end` is within
            // the file's length (checked by the caller), so the window covers the read.
            let want = ((start + want as u64).max(end).min(file.len) - start) as usize;
            if slot.bytes.len() < want {
                slot.bytes.resize(want, 0);
            }
            slot.start = start;
            slot.used = clock;
            slot.filled = 0;
            #[cfg(test)]
            FILLS.with(|c| c.set((c.get().0 + 1, c.get().1 + want as u64)));
            if platform::read_exact_at(&file.file, &mut slot.bytes[..want], start).is_err() {
                return false;
            }
            slot.filled = want;
            slot.next = end;
            let at = (offset - start) as usize;
            f(&slot.held()[at..at + len]);
            true
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes that differ at every offset, so a read from the wrong place shows.
    fn pattern(len: usize) -> Vec<u8> {
        let mut x: u32 = 0x9E37_79B9;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect()
    }

    /// Whatever the order of the reads (in order, backwards, scattered, alternating between
    /// two files, longer than a window, at the very end), each gives the file's own bytes.
    #[test]
    fn reads_through_the_windows_give_the_files_bytes() {
        let scratch = crate::temp::TempDir::new("window");
        let dir = scratch.path();
        let (a_path, b_path) = (dir.join("a"), dir.join("b"));
        let a_bytes = pattern(1_300_003);
        let mut b_bytes = a_bytes.clone();
        b_bytes.reverse();
        std::fs::write(&a_path, &a_bytes).unwrap();
        std::fs::write(&b_path, &b_bytes).unwrap();
        let a = StoreFile::open(&a_path).unwrap();
        let b = StoreFile::open(&b_path).unwrap();
        // Copied out, or lent (every other read, so the two ways follow each other).
        let check = |f: &StoreFile, bytes: &[u8], offset: usize, len: usize| {
            let want = &bytes[offset..offset + len];
            if offset.is_multiple_of(2) {
                let got = f.read_vec("test", offset as u64, len).unwrap();
                assert_eq!(got, want, "{len} bytes at {offset}");
            } else {
                let same = f.with_bytes("test", offset as u64, len, |got| got == want);
                assert!(same.unwrap(), "{len} bytes lent at {offset}");
            }
        };
        let len = a_bytes.len();
        // In order, in reads of every size up to past the longest a window serves.
        let mut at = 0;
        for size in (1..70_000).step_by(997).cycle() {
            if at + size > len {
                break;
            }
            check(&a, &a_bytes, at, size);
            at += size;
        }
        // Backwards, a little before each earlier read, and alternating files.
        let mut at = len - 9000;
        while at > 9000 {
            check(&a, &a_bytes, at, 8192);
            check(&b, &b_bytes, len - at - 8192, 8192);
            at -= 7001;
        }
        // Scattered, and up to the last byte.
        let mut x = 12345usize;
        for _ in 0..2000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let size = 1 + (x >> 40) % 20_000;
            let offset = (x >> 8) % (len - size + 1);
            check(&a, &a_bytes, offset, size);
        }
        for size in [1, 100, 8192, 16_384] {
            check(&a, &a_bytes, len - size, size);
        }
        // Past the end: refused, naming the offset, whatever the windows hold.
        let e = a.read_vec("test", len as u64 - 10, 11).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { .. }), "{e}");
        let e = a
            .with_bytes("test", len as u64 - 10, 11, |_| ())
            .unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Truncated { .. }), "{e}");
        assert_eq!(e.at.offset, Some(len as u64 - 10));
        // Read again while the windows are lent out: the inner read goes round them, and
        // the outer bytes stay as they were.
        let nested = a.with_bytes("test", 5000, 3000, |outer| {
            let inner = a.read_vec("test", 700_000, 4000).unwrap();
            let lent = a.with_bytes("test", 900_000, 100, |b| b.to_vec()).unwrap();
            (outer.to_vec(), inner, lent)
        });
        let (outer, inner, lent) = nested.unwrap();
        assert_eq!(outer, a_bytes[5000..8000]);
        assert_eq!(inner, a_bytes[700_000..704_000]);
        assert_eq!(lent, a_bytes[900_000..900_100]);
        // On other threads too, each with windows of its own.
        std::thread::scope(|s| {
            for t in 0..3 {
                let (a, a_bytes) = (&a, &a_bytes);
                s.spawn(move || {
                    for k in 0..500 {
                        let offset = (k * 2477 + t * 100_003) % (len - 5000);
                        check(a, a_bytes, offset, 1 + k % 5000);
                    }
                });
            }
        });
        drop((a, b));
    }

    /// Reads in order fill windows that grow, so a pass makes few calls; reads that jump
    /// about fill small windows, so they copy little more than they ask for; reads that
    /// jump about and then go on in order grow again.
    #[test]
    fn windows_grow_for_reads_in_order_and_stay_small_for_scattered_ones() {
        let scratch = crate::temp::TempDir::new("grow");
        let dir = scratch.path();
        let path = dir.join("store");
        let bytes = pattern(8 << 20);
        std::fs::write(&path, &bytes).unwrap();
        let file = StoreFile::open(&path).unwrap();
        let fills = || window::FILLS.with(|c| c.replace((0, 0)));
        // Whole 8 MiB in blocks of 512 bytes: 16,384 reads.
        fills();
        for at in (0..bytes.len()).step_by(512) {
            let got = file.with_bytes("test", at as u64, 512, |b| b == &bytes[at..at + 512]);
            assert!(got.unwrap());
        }
        let (calls, read) = fills();
        // Growing from 4 KiB to 256 KiB takes 7 fills; the rest are 256 KiB each.
        assert!(calls <= 7 + 32, "{calls} fills for reads in order");
        assert!(read <= bytes.len() as u64 + 256 * 1024, "{read} bytes");
        // 1,000 reads of 600 bytes, 7,919 bytes apart (and so never going on in order).
        let mut at = 0;
        for _ in 0..1000 {
            at = (at + 7919) % (bytes.len() - 600);
            let got = file.with_bytes("test", at as u64, 600, |b| b == &bytes[at..at + 600]);
            assert!(got.unwrap());
        }
        let (calls, read) = fills();
        assert!(calls <= 1000);
        assert!(
            read <= 1000 * 4096,
            "{read} bytes copied for 600,000 asked for"
        );
        // Then 2 MiB in order again, from the middle: growing anew, 7 fills, then 8.
        let from = 3 << 20;
        for at in (from..from + (2 << 20)).step_by(512) {
            let got = file.with_bytes("test", at as u64, 512, |b| b == &bytes[at..at + 512]);
            assert!(got.unwrap());
        }
        let (calls, _) = fills();
        assert!(calls <= 7 + 8 + 1, "{calls} fills for 2 MiB read in order");
        drop(file);
    }
}
