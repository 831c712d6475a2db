//! Which compressed blocks have been inflated whole, for the structural check. Inflating
//! is most of the work of checking a 4 KiB store, and the check's item pass inflates most
//! blocks anyway, as it reads them: so the block pass checks every block as stored (size,
//! id, checksum, signature) and leaves the inflating to whoever reads the block first, the
//! item pass or, for the blocks no item reads, a last pass over what is left.

use std::sync::atomic::{AtomicBool, Ordering};

use super::btree::bid_key;
use super::sorted::Sorted;

/// Compressed blocks still to be seen inflating, and which of them have been.
#[derive(Debug)]
pub struct Inflated {
    /// Block keys, found as the check's held indexes are (see `sorted`): the item pass
    /// notes every block it inflates.
    keys: Sorted<u64>,
    /// Beside `keys`: inflated to the promised size by some read.
    seen: Vec<AtomicBool>,
}

impl Inflated {
    pub fn new(bids: impl IntoIterator<Item = u64>) -> Self {
        let mut keys: Vec<u64> = bids.into_iter().map(bid_key).collect();
        keys.sort_unstable();
        keys.dedup();
        let seen = keys.iter().map(|_| AtomicBool::new(false)).collect();
        Inflated {
            keys: Sorted::new(keys),
            seen,
        }
    }

    /// Notes that block `bid` was read and inflated whole.
    pub fn note(&self, bid: u64) {
        if let Some(i) = self.keys.position(bid_key(bid)) {
            self.seen[i].store(true, Ordering::Relaxed);
        }
    }

    /// Whether block `bid` was noted; false for a block not watched.
    pub fn seen(&self, bid: u64) -> bool {
        self.keys
            .position(bid_key(bid))
            .is_some_and(|i| self.seen[i].load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_only_the_blocks_watched() {
        let w = Inflated::new([0x48, 0x10, 0x24, 0x10]);
        w.note(0x24);
        w.note(0x99);
        assert!(w.seen(0x24));
        assert!(!w.seen(0x10) && !w.seen(0x48) && !w.seen(0x99));
    }
}
