//! What the passes share: the open store, the findings so far, what was examined, the two
//! indexes as read, and progress reporting. Ids are kept in sorted vectors, a few bytes per
//! node or block, so even a store of many gigabytes needs little memory.

use super::classify;
use super::collect::Findings;
use super::finding::Finding;
use super::log::Examined;
use crate::store::Store;
use crate::store::error::Error;
use crate::store::ndb::{BbtEntry, NbtEntry, Ndb, Nid};
use crate::work::{Cancelled, Work};

/// Progress is reported once per this many steps of a loop (cancellation is checked at
/// every step): often enough for a smooth bar, rarely enough to cost nothing.
const REPORT_EVERY: u64 = 64;

/// What the block pass learned about one block of the block index. One per block of the
/// store, millions in a large one: 8 bytes. The user is kept as a node id or as the
/// position of a block in `Scan::blocks` (never more than 2^32 blocks), its kind in two
/// bits beside the block's own kind, rather than in an enum that would take 24.
#[derive(Debug, Clone, Copy, Default)]
pub struct BlockState {
    /// The user's node id or block position (see `user`).
    user_id: u32,
    /// References found to it: from nodes, data trees and subnode trees. A block's stored
    /// count is 16 bits, so more would be damage however many.
    pub uses: u16,
    /// Bits 0-1: the user's kind (0 none, 1 a node, 2 a block); bits 2-4: what an
    /// internal block was read as (`refs::Kind::code`, 0 until read).
    tags: u8,
    /// Its bytes could not be used: outside the file, or failing a check when read.
    pub bad: bool,
}

impl BlockState {
    /// The first thing found referring to it, to name what a damaged block belongs to.
    pub fn user(&self) -> User {
        match self.tags & 0b11 {
            1 => User::Node(Nid(self.user_id)),
            2 => User::Block(self.user_id as usize),
            _ => User::None,
        }
    }

    pub fn set_user(&mut self, user: User) {
        let (kind, id) = match user {
            User::None => (0, 0),
            User::Node(nid) => (1, nid.0),
            User::Block(position) => (2, position as u32),
        };
        self.tags = (self.tags & !0b11) | kind;
        self.user_id = id;
    }

    /// What an internal block was read as (`refs::Kind::code`); 0 until read.
    pub fn kind(&self) -> u8 {
        self.tags >> 2
    }

    pub fn set_kind(&mut self, code: u8) {
        debug_assert!(code < 8);
        self.tags = (self.tags & 0b11) | (code << 2);
    }
}

/// Who refers to a block: a node directly, or another (internal) block, by its position
/// in `Scan::blocks`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum User {
    #[default]
    None,
    Node(Nid),
    Block(usize),
}

/// The store is borrowed, not owned, so what is read from it can be held while findings
/// are reported.
pub struct Scan<'s, 'w, 'a> {
    pub store: &'s Store,
    pub findings: Findings,
    pub examined: Examined,
    work: &'w mut Work<'a>,
    ticks: u64,
    /// The node index, sorted by node id, one entry per id; held by the store's `Ndb`
    /// (`Ndb::hold_nodes`), where lookups use it too.
    pub nodes: &'s [NbtEntry],
    /// The block index, sorted by block id, one entry per id; held the same way.
    pub blocks: &'s [BbtEntry],
    /// Beside `blocks`, one per entry.
    pub block_state: Vec<BlockState>,
    /// Every live index page: (offset, page id, true for the node index).
    pub pages: Vec<(u64, u64, bool)>,
}

impl<'s, 'w, 'a> Scan<'s, 'w, 'a> {
    pub fn new(store: &'s Store, work: &'w mut Work<'a>) -> Self {
        Scan {
            store,
            findings: Findings::default(),
            examined: Examined::default(),
            work,
            ticks: 0,
            nodes: &[],
            blocks: &[],
            block_state: Vec::new(),
            pages: Vec::new(),
        }
    }

    pub fn ndb(&self) -> &'s Ndb {
        self.store.ndb()
    }

    /// Called at every step of every loop: stops when cancelled, reports now and then.
    pub fn tick(&mut self, done: u64, total: u64, doing: &str) -> Result<(), Cancelled> {
        self.ticks += 1;
        if self.ticks.is_multiple_of(REPORT_EVERY) {
            self.work.step(done, total, doing)
        } else {
            self.work.checkpoint()
        }
    }

    /// Reports the start of a pass, so the bar moves on at once.
    pub fn begin(&mut self, total: u64, doing: &str) -> Result<(), Cancelled> {
        self.work.step(0, total, doing)
    }

    pub fn report(&mut self, f: Finding) {
        self.findings.push(f);
    }

    /// Reports a reader error as a finding, with what it concerns when known.
    pub fn report_error(&mut self, e: &Error, item: Option<&str>) {
        let mut f = classify::finding(e);
        if let Some(item) = item {
            f.item = Some(item.to_string());
        }
        self.findings.push(f);
    }

    /// Reports a property that cannot be read, naming the property.
    pub fn report_property_error(&mut self, id: u16, e: &Error, item: Option<&str>) {
        let mut f = classify::finding(e);
        f.detail = format!("property 0x{id:04X}: {}", f.detail);
        f.item = item.map(str::to_string);
        self.findings.push(f);
    }

    pub fn node(&self, nid: Nid) -> Option<&'s NbtEntry> {
        self.ndb().held_node(nid)
    }

    /// The position of block `bid` in `blocks`.
    pub fn block_index(&self, bid: u64) -> Option<usize> {
        self.ndb().held_block_position(bid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blocks_state_keeps_its_user_and_kind_in_eight_bytes() {
        assert_eq!(std::mem::size_of::<BlockState>(), 8);
        let mut s = BlockState::default();
        assert_eq!((s.user(), s.kind()), (User::None, 0));
        for (user, kind) in [
            (User::Node(Nid(0x0020_0024)), 1),
            (User::Node(Nid(u32::MAX)), 4),
            (User::Block(u32::MAX as usize), 2),
            (User::Block(0x48), 0),
            (User::None, 3),
        ] {
            s.set_kind(kind);
            s.set_user(user);
            assert_eq!((s.user(), s.kind()), (user, kind));
            s.set_kind(7 - kind);
            assert_eq!((s.user(), s.kind()), (user, 7 - kind));
        }
    }
}
