//! The two indexes (node B-tree and block B-tree), page by page. Unlike the reader's walk,
//! a bad page is reported and skipped and the walk goes on with its siblings; every page
//! is also checked for its place in the tree: its level, its keys' order, and that its
//! keys lie in the range its parent entry gives.

use std::collections::HashSet;

use super::finding::{Class, Finding};
use super::scan::Scan;
use crate::store::ndb::Variant;
use crate::store::ndb::btree::{
    MAX_LEVEL, Tree, bid_key, branch_key, branch_ref, parse_bbt, parse_nbt,
};
use crate::store::ndb::header::BRef;
use crate::store::ndb::page::{BTreePage, Footer};
use crate::work::Cancelled;

struct Pending {
    bref: BRef,
    /// The level the parent says this page has; `None` for the root.
    level: Option<u8>,
    /// Keys of this page must be at least `low` and below `high`.
    low: Option<u64>,
    high: Option<u64>,
}

/// Walks the node index into `scan.nodes`, sorted, one entry per node id.
pub fn read_nodes(scan: &mut Scan) -> Result<(), Cancelled> {
    let variant = scan.ndb().variant();
    let root = scan.ndb().header().nbt_root;
    let mut nodes = Vec::new();
    let whole = walk(scan, Tree::Node, root, |e| {
        nodes.push(parse_nbt(variant, e))
    })?;
    let twice = sort_unique_by(&mut nodes, |n| n.nid);
    for nid in twice.iter().map(|n| n.nid) {
        scan.report(
            Finding::new(
                Class::BtreeOrder,
                "node B-tree",
                format!("node {nid} is listed twice in the node index"),
            )
            .nid(nid.0),
        );
    }
    scan.examined.nodes = nodes.len() as u64;
    scan.nodes = scan
        .ndb()
        .hold_nodes(nodes, whole && twice.is_empty())
        .entries();
    Ok(())
}

/// Walks the block index into `scan.blocks`, sorted, one entry per block id.
pub fn read_blocks(scan: &mut Scan) -> Result<(), Cancelled> {
    let variant = scan.ndb().variant();
    let root = scan.ndb().header().bbt_root;
    let mut blocks = Vec::new();
    let whole = walk(scan, Tree::Block, root, |e| {
        blocks.push(parse_bbt(variant, e))
    })?;
    let twice = sort_unique_by(&mut blocks, |b| bid_key(b.bid));
    for bid in twice.iter().map(|b| b.bid) {
        scan.report(
            Finding::new(
                Class::BtreeOrder,
                "block B-tree",
                format!("block 0x{bid:X} is listed twice in the block index"),
            )
            .bid(bid),
        );
    }
    scan.block_state = vec![Default::default(); blocks.len()];
    scan.blocks = scan
        .ndb()
        .hold_blocks(blocks, whole && twice.is_empty())
        .entries();
    Ok(())
}

/// Sorts an index as read (stably: of two entries with one key, the first read is kept)
/// and drops the entries whose key repeats the one before, in place, returning those
/// dropped. The index of a large store is tens of megabytes, not to be held twice: its
/// room past the entries is given back first, and a stable sort's scratch space (half the
/// entries again) is taken only when the tree did not give them in order, as a healthy
/// tree does.
fn sort_unique_by<T: Copy, K: Ord>(entries: &mut Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    entries.shrink_to_fit();
    if !entries.is_sorted_by_key(&key) {
        entries.sort_by_key(&key);
    }
    let mut twice = Vec::new();
    entries.dedup_by(|later, kept| {
        let same = key(later) == key(kept);
        if same {
            twice.push(*later);
        }
        same
    });
    if !twice.is_empty() {
        entries.shrink_to_fit();
    }
    twice
}

/// Visits every entry of one index; says whether every page was read and found in its
/// place (nothing reported), when a lookup down the tree finds exactly the entries visited.
fn walk(
    scan: &mut Scan,
    tree: Tree,
    root: BRef,
    mut on_entry: impl FnMut(&[u8]),
) -> Result<bool, Cancelled> {
    let variant = scan.ndb().variant();
    let ptype = tree.page_type();
    let structure = ptype.structure();
    let page_size = variant.page_size() as u64;
    let file_len = scan.ndb().file_len();
    let doing = match tree {
        Tree::Node => "Checking the node index",
        Tree::Block => "Checking the block index",
    };
    scan.begin(0, doing)?;
    let mut seen = HashSet::new();
    let mut stack = vec![Pending {
        bref: root,
        level: None,
        low: None,
        high: None,
    }];
    let mut visited = 0u64;
    let reported_before = scan.findings.reported();
    while let Some(p) = stack.pop() {
        visited += 1;
        scan.tick(visited, 0, doing)?;
        let at = |f: Finding| f.offset(p.bref.ib).bid(p.bref.bid);
        if !seen.insert(p.bref.ib) {
            scan.report(at(Finding::new(
                Class::BtreePointer,
                structure,
                "this page is referred to a second time from within the same index",
            )));
            continue;
        }
        if p.bref.ib.saturating_add(page_size) > file_len {
            scan.report(at(Finding::new(
                Class::BtreePointer,
                structure,
                format!(
                    "the index points to a page at offset 0x{:X}, past the end of the file ({file_len} bytes)",
                    p.bref.ib
                ),
            )));
            continue;
        }
        let page = match BTreePage::read(scan.ndb().file(), variant, p.bref, ptype) {
            Ok(page) => page,
            Err(e) => {
                // A page at the wrong level has the wrong entry size for that level too;
                // the level is the cause worth naming.
                match wrong_level(scan, variant, p.bref.ib, p.level) {
                    Some(detail) => {
                        scan.report(at(Finding::new(Class::BtreeLevel, structure, detail)))
                    }
                    None => scan.report_error(&e, None),
                }
                continue;
            }
        };
        let level_ok = match p.level {
            Some(level) => page.level == level,
            None => page.level <= MAX_LEVEL,
        };
        if !level_ok {
            let want = p
                .level
                .map_or(format!("at most {MAX_LEVEL}"), |l| l.to_string());
            scan.report(at(Finding::new(
                Class::BtreeLevel,
                structure,
                format!("page level: expected {want}, found {}", page.level),
            )));
            continue;
        }
        scan.examined.pages += 1;
        scan.pages
            .push((p.bref.ib, p.bref.bid, matches!(tree, Tree::Node)));

        let keys: Vec<u64> = (0..page.count)
            .map(|i| tree.normalize(branch_key(variant, page.entry(i))))
            .collect();
        if let Some(problem) = order_problem(&keys, p.low, p.high) {
            scan.report(at(Finding::new(Class::BtreeOrder, structure, problem)));
        }
        if page.level == 0 {
            for i in 0..page.count {
                on_entry(page.entry(i));
            }
        } else {
            for i in (0..page.count).rev() {
                stack.push(Pending {
                    bref: branch_ref(variant, page.entry(i)),
                    level: Some(page.level - 1),
                    low: Some(keys[i]),
                    high: keys.get(i + 1).copied().or(p.high),
                });
            }
        }
    }
    Ok(scan.findings.reported() == reported_before)
}

/// When the page at `ib` is readable but its level is not the one its parent gives.
fn wrong_level(scan: &Scan, variant: Variant, ib: u64, want: Option<u8>) -> Option<String> {
    let want = want?;
    let bytes = scan
        .ndb()
        .file()
        .read_vec("B-tree page", ib, variant.page_size())
        .ok()?;
    let found = Footer::parse(variant, &bytes).level;
    (found != want).then(|| format!("page level: expected {want}, found {found}"))
}

/// The first way `keys` break the order of a B-tree page, if any: each key above the one
/// before, all within the parent's range.
fn order_problem(keys: &[u64], low: Option<u64>, high: Option<u64>) -> Option<String> {
    for (i, &k) in keys.iter().enumerate() {
        if i > 0 && keys[i - 1] >= k {
            return Some(format!(
                "entry {i} has key 0x{k:X}, not above the key 0x{:X} before it",
                keys[i - 1]
            ));
        }
        if low.is_some_and(|l| k < l) || high.is_some_and(|h| k >= h) {
            let range = |v: Option<u64>| v.map_or("-".to_string(), |v| format!("0x{v:X}"));
            return Some(format!(
                "entry {i} has key 0x{k:X}, outside the range {}..{} its parent entry gives",
                range(low),
                range(high)
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_dropped_in_place_and_returned() {
        let mut v = vec![(1, 'a'), (2, 'b'), (2, 'c'), (2, 'd'), (5, 'e'), (5, 'f')];
        let dropped = sort_unique_by(&mut v, |e| e.0);
        assert_eq!(v, [(1, 'a'), (2, 'b'), (5, 'e')]);
        assert_eq!(dropped, [(2, 'c'), (2, 'd'), (5, 'f')]);
    }

    /// Out of order, the first of two entries read with one key is still the one kept.
    #[test]
    fn entries_out_of_order_are_sorted_keeping_the_first_read() {
        let mut v = vec![(5, 'a'), (2, 'b'), (9, 'c'), (2, 'd'), (5, 'e'), (1, 'f')];
        let dropped = sort_unique_by(&mut v, |e| e.0);
        assert_eq!(v, [(1, 'f'), (2, 'b'), (5, 'a'), (9, 'c')]);
        assert_eq!(dropped, [(2, 'd'), (5, 'e')]);
        assert_eq!(v.capacity(), v.len());
    }

    #[test]
    fn keys_must_rise_and_stay_in_their_parents_range() {
        assert_eq!(order_problem(&[1, 2, 3], Some(1), Some(4)), None);
        assert!(
            order_problem(&[1, 3, 2], None, None)
                .unwrap()
                .contains("entry 2")
        );
        assert!(
            order_problem(&[1, 1], None, None)
                .unwrap()
                .contains("not above")
        );
        assert!(
            order_problem(&[5, 9], Some(5), Some(9))
                .unwrap()
                .contains("outside the range 0x5..0x9")
        );
        assert!(order_problem(&[4], Some(5), None).is_some());
    }
}
