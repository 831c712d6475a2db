//! References between blocks: nodes point at data and subnode blocks, data trees and
//! subnode trees point at more. Each reference is counted against the block index (every
//! block's reference count is the references to it plus one for the index itself), checked
//! for a block that exists, and checked for the kind of block it must lead to. Internal
//! blocks are decoded once, in file order, so a referenced block may be read after the
//! reference: kinds are checked at the end.

use std::collections::HashSet;

use super::finding::{Class, Finding, Severity};
use super::scan::{Scan, User};
use crate::store::ndb::Nid;
use crate::store::ndb::block::{
    DataTreeBlock, SubnodeBlock, parse_data_tree_block, parse_subnode_block,
};
use crate::store::ndb::btree::{bid_is_internal, bid_key};
use crate::work::Cancelled;

/// What a reference must lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A node's data: a data block or the root of a data tree.
    Data,
    /// A child of an XBLOCK: a data block.
    DataBlock,
    /// A child of an XXBLOCK: an XBLOCK.
    XBlock,
    /// A node's subnodes: an SLBLOCK or SIBLOCK.
    Subnodes,
    /// A child of an SIBLOCK: an SLBLOCK.
    SlBlock,
}

impl Expect {
    fn class(self) -> Class {
        match self {
            Expect::Data | Expect::DataBlock | Expect::XBlock => Class::DataTree,
            Expect::Subnodes | Expect::SlBlock => Class::SubnodeTree,
        }
    }

    fn wants(self) -> &'static str {
        match self {
            Expect::Data => "a data block or data tree",
            Expect::DataBlock => "a data block",
            Expect::XBlock => "an XBLOCK",
            Expect::Subnodes => "a subnode tree (SLBLOCK or SIBLOCK)",
            Expect::SlBlock => "an SLBLOCK",
        }
    }
}

/// Who holds a reference.
#[derive(Debug, Clone, Copy)]
pub enum From {
    Node(Nid),
    /// An internal block, with its position in `Scan::blocks` (known where it is read).
    Block {
        bid: u64,
        at: usize,
    },
    Subnode {
        block: u64,
        at: usize,
        nid: Nid,
    },
}

impl From {
    fn describe(self) -> String {
        match self {
            From::Node(nid) => format!("node {nid}"),
            From::Block { bid, .. } => format!("block 0x{bid:X}"),
            From::Subnode { block, nid, .. } => {
                format!("subnode {nid} listed in block 0x{block:X}")
            }
        }
    }

    fn nid(self) -> Option<u32> {
        match self {
            From::Node(nid) => Some(nid.0),
            _ => None,
        }
    }
}

/// What an internal block turned out to be, kept in its `BlockState` (a map beside the
/// block index took 17 MB on a 5 GB store).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// XBLOCK.
    X,
    /// XXBLOCK.
    Xx,
    /// SLBLOCK.
    Sl,
    /// SIBLOCK.
    Si,
}

impl Kind {
    pub fn code(self) -> u8 {
        match self {
            Kind::X => 1,
            Kind::Xx => 2,
            Kind::Sl => 3,
            Kind::Si => 4,
        }
    }

    pub fn from_code(code: u8) -> Option<Kind> {
        match code {
            1 => Some(Kind::X),
            2 => Some(Kind::Xx),
            3 => Some(Kind::Sl),
            4 => Some(Kind::Si),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::X => "an XBLOCK",
            Kind::Xx => "an XXBLOCK",
            Kind::Sl => "an SLBLOCK",
            Kind::Si => "an SIBLOCK",
        }
    }

    fn satisfies(self, expect: Expect) -> bool {
        matches!(
            (expect, self),
            (Expect::Data, Kind::X | Kind::Xx)
                | (Expect::XBlock, Kind::X)
                | (Expect::Subnodes, Kind::Sl | Kind::Si)
                | (Expect::SlBlock, Kind::Sl)
        )
    }
}

#[derive(Default)]
pub struct Refs {
    /// References to internal blocks not yet read when the reference was counted, checked
    /// once every block is read. Blocks are read in file order and nodes' references are
    /// counted after them, so these are few: a block listing one stored after it.
    pending: Vec<(u64, Expect, From)>,
    /// XXBLOCKs: (id, total, children), whose totals need their children's.
    xxblocks: Vec<(u64, u64, Vec<u64>)>,
}

impl Refs {
    /// Counts one reference to `bid` and checks what can be checked now.
    pub fn reference(&mut self, scan: &mut Scan, bid: u64, expect: Expect, from: From) {
        let Some(i) = scan.block_index(bid) else {
            let mut f = Finding::new(
                Class::MissingBlock,
                "block",
                format!(
                    "{} refers to block 0x{bid:X}, which is not in the block index",
                    from.describe()
                ),
            )
            .bid(bid);
            f.nid = from.nid();
            scan.report(f);
            return;
        };
        let state = &mut scan.block_state[i];
        state.uses = state.uses.saturating_add(1);
        if state.user() == User::None {
            let user = match from {
                From::Node(nid) => User::Node(nid),
                From::Block { at, .. } | From::Subnode { at, .. } => User::Block(at),
            };
            scan.block_state[i].set_user(user);
        }
        let internal = bid_is_internal(bid);
        let fits = match expect {
            Expect::Data => true,
            Expect::DataBlock => !internal,
            _ => internal,
        };
        if !fits {
            let found = if internal {
                "an internal block"
            } else {
                "a data block"
            };
            let mut f = Finding::new(
                expect.class(),
                "block",
                format!(
                    "{} refers to {found} 0x{bid:X} where {} belongs",
                    from.describe(),
                    expect.wants()
                ),
            )
            .bid(bid);
            f.nid = from.nid();
            scan.report(f);
        } else if internal {
            match Kind::from_code(scan.block_state[i].kind()) {
                Some(kind) => Self::check_kind(scan, bid_key(bid), kind, expect, from),
                None => self.pending.push((bid_key(bid), expect, from)),
            }
        }
    }

    /// Reports a reference to an internal block of the wrong kind.
    fn check_kind(scan: &mut Scan, bid: u64, kind: Kind, expect: Expect, from: From) {
        if kind.satisfies(expect) {
            return;
        }
        let mut f = Finding::new(
            expect.class(),
            "block",
            format!(
                "{} refers to {} 0x{bid:X} where {} belongs",
                from.describe(),
                kind.name(),
                expect.wants()
            ),
        )
        .bid(bid);
        f.nid = from.nid();
        scan.report(f);
    }

    /// Decodes internal block `bid`, at position `at` in `Scan::blocks` (already read and
    /// verified), and counts its references.
    pub fn internal_block(&mut self, scan: &mut Scan, at: usize, bid: u64, ib: u64, data: &[u8]) {
        let variant = scan.ndb().variant();
        let from = From::Block { bid, at };
        let set_kind = |scan: &mut Scan, kind: Kind| scan.block_state[at].set_kind(kind.code());
        let bad = |class: Class, detail: String| {
            Finding::new(class, "internal block", detail)
                .bid(bid)
                .offset(ib)
        };
        match data.first() {
            Some(0x01) => match parse_data_tree_block(variant, bid, data) {
                Ok(DataTreeBlock {
                    level,
                    total,
                    children,
                }) => {
                    self.repeated(scan, bid, ib, &children, Class::DataTree);
                    if level == 1 {
                        set_kind(scan, Kind::X);
                        let mut sum = Some(0u64);
                        for &c in &children {
                            self.reference(scan, c, Expect::DataBlock, from);
                            let size = scan
                                .block_index(c)
                                .map(|i| scan.blocks[i].cb_inflated as u64);
                            sum = sum.zip(size).map(|(s, n)| s + n);
                        }
                        if let Some(sum) = sum.filter(|&s| s != total) {
                            scan.report(bad(
                                Class::DataTree,
                                format!("the XBLOCK promises {total} bytes, its blocks hold {sum}"),
                            ));
                        }
                    } else {
                        set_kind(scan, Kind::Xx);
                        for &c in &children {
                            self.reference(scan, c, Expect::XBlock, from);
                        }
                        self.xxblocks.push((bid, total, children));
                    }
                }
                Err(e) => scan.report_error(&e.at_offset(ib), None),
            },
            Some(0x02) => match parse_subnode_block(variant, bid, data) {
                Ok(SubnodeBlock::Leaf(entries)) => {
                    set_kind(scan, Kind::Sl);
                    let nids: Vec<u64> = entries.iter().map(|e| e.nid.0 as u64).collect();
                    self.repeated(scan, bid, ib, &nids, Class::SubnodeTree);
                    for e in entries {
                        let from = From::Subnode {
                            block: bid,
                            at,
                            nid: e.nid,
                        };
                        if e.bid_data != 0 {
                            self.reference(scan, e.bid_data, Expect::Data, from);
                        }
                        if e.bid_sub != 0 {
                            self.reference(scan, e.bid_sub, Expect::Subnodes, from);
                        }
                    }
                }
                Ok(SubnodeBlock::Index(children)) => {
                    set_kind(scan, Kind::Si);
                    self.repeated(scan, bid, ib, &children, Class::SubnodeTree);
                    for c in children {
                        self.reference(scan, c, Expect::SlBlock, from);
                    }
                }
                Err(e) => scan.report_error(&e.at_offset(ib), None),
            },
            other => scan.report(bad(
                Class::DataTree,
                format!(
                    "an internal block of type {}, neither a data tree (1) nor a subnode tree (2)",
                    other.map_or("(empty)".to_string(), |t| t.to_string())
                ),
            )),
        }
    }

    /// Real trees never list one child twice; a repeat would count and read it twice.
    fn repeated(&self, scan: &mut Scan, bid: u64, ib: u64, ids: &[u64], class: Class) {
        let mut seen = HashSet::new();
        if let Some(&dup) = ids.iter().find(|&&c| !seen.insert(c)) {
            scan.report(
                Finding::new(
                    class,
                    "internal block",
                    format!("0x{dup:X} is listed twice in this block"),
                )
                .bid(bid)
                .offset(ib),
            );
        }
    }

    /// After every block is read: the kinds of referenced internal blocks, the totals of
    /// XXBLOCKs, and every block's reference count.
    pub fn finish(self, scan: &mut Scan) -> Result<(), Cancelled> {
        let total = (self.pending.len() + scan.blocks.len()) as u64;
        scan.begin(total, "Checking references")?;
        let mut done = 0;
        for &(bid, expect, from) in &self.pending {
            done += 1;
            scan.tick(done, total, "Checking references")?;
            // A block never read was reported when it failed its own checks.
            let kind = scan.block_index(bid).map(|i| scan.block_state[i].kind());
            if let Some(kind) = kind.and_then(Kind::from_code) {
                Self::check_kind(scan, bid, kind, expect, from);
            }
        }
        for (bid, total, children) in &self.xxblocks {
            // XXBLOCKs are rare (a node's data past some 8 MB): their XBLOCKs' totals are
            // read again rather than kept for every XBLOCK.
            let sum: Option<u64> = children
                .iter()
                .map(|&c| {
                    let i = scan.block_index(c)?;
                    if Kind::from_code(scan.block_state[i].kind()) != Some(Kind::X) {
                        return None;
                    }
                    let data = scan.ndb().block(c).ok()?;
                    parse_data_tree_block(scan.ndb().variant(), c, &data)
                        .ok()
                        .map(|x| x.total)
                })
                .sum();
            if let Some(sum) = sum.filter(|s| s != total) {
                scan.report(
                    Finding::new(
                        Class::DataTree,
                        "internal block",
                        format!("the XXBLOCK promises {total} bytes, its XBLOCKs hold {sum}"),
                    )
                    .bid(*bid),
                );
            }
        }
        for i in 0..scan.blocks.len() {
            done += 1;
            scan.tick(done, total, "Checking references")?;
            let b = scan.blocks[i];
            let uses = scan.block_state[i].uses as u64;
            let expected = uses + 1;
            let stored = b.refs as u64;
            if stored == expected {
                continue;
            }
            let (severity, why) = if stored < expected {
                (
                    Severity::Error,
                    "too low: Outlook could free this data while it is still used",
                )
            } else if uses == 0 {
                (
                    Severity::Warning,
                    "nothing uses this block any more; its space is wasted",
                )
            } else {
                (Severity::Warning, "too high; the block's space is wasted")
            };
            scan.report(
                Finding::new(
                    Class::Refcount,
                    "block",
                    format!(
                        "reference count {stored}, but {uses} {} it (expected {expected}): {why}",
                        if uses == 1 {
                            "reference uses"
                        } else {
                            "references use"
                        }
                    ),
                )
                .severity(severity)
                .bid(b.bid)
                .offset(b.ib),
            );
        }
        Ok(())
    }
}
