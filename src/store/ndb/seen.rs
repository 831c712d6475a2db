//! Which blocks have been read whole, for the structural check: checked against their
//! trailer (size, id, checksum, signature) and, when compressed, inflated to the size the
//! index gives. The check's item pass reads most data blocks anyway, as it opens items;
//! so the block pass reads only the internal blocks (their references are counted), and
//! the data blocks no item read are read by a last pass: every block is read once.

use std::sync::atomic::{AtomicBool, Ordering};

/// One flag per entry of the block index the check holds (`Ndb::hold_blocks`), by its
/// position there: a byte per block, where a list of ids would take eight.
#[derive(Debug)]
pub struct Seen {
    read: Vec<AtomicBool>,
}

impl Seen {
    pub fn new(blocks: usize) -> Self {
        Seen {
            read: (0..blocks).map(|_| AtomicBool::new(false)).collect(),
        }
    }

    /// Notes that the block at `position` was read whole.
    pub fn note(&self, position: usize) {
        if let Some(flag) = self.read.get(position) {
            flag.store(true, Ordering::Relaxed);
        }
    }

    /// Whether the block at `position` was noted; false past the end.
    pub fn seen(&self, position: usize) -> bool {
        self.read
            .get(position)
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_only_the_positions_read() {
        let s = Seen::new(4);
        s.note(2);
        s.note(9);
        assert!(s.seen(2));
        assert!(!s.seen(0) && !s.seen(3) && !s.seen(9));
    }
}
