//! The node B-tree (NBT: node id -> data block, subnode block, parent) and the block B-tree
//! (BBT: block id -> offset, size, reference count). Both are walked with the level of every
//! page checked against its parent's, which rules out cycles and bounds the depth.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, RwLock};

use super::file::StoreFile;
use super::format::{Variant, id_at, u16_at, u32_at};
use super::header::BRef;
use super::page::{BTreePage, PageType};
use crate::store::error::{Error, Result};

/// The deepest tree Outlook writes is far shallower; this only stops a damaged level byte
/// from sending a walk down thousands of pages.
pub const MAX_LEVEL: u8 = 16;

/// A node id: 5 bits of type, 27 bits of index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nid(pub u32);

impl Nid {
    pub const MESSAGE_STORE: Nid = Nid(0x21);
    pub const NAME_TO_ID_MAP: Nid = Nid(0x61);
    pub const ROOT_FOLDER: Nid = Nid(0x122);
    pub const RECIPIENT_TABLE: Nid = Nid(0x692);
    pub const ATTACHMENT_TABLE: Nid = Nid(0x671);
    /// The search queues and the table templates every store carries ([MS-PST] 2.4.1).
    pub const SEARCH_MANAGEMENT_QUEUE: Nid = Nid(0x1E1);
    pub const SEARCH_ACTIVITY_LIST: Nid = Nid(0x201);
    pub const HIERARCHY_TABLE_TEMPLATE: Nid = Nid(0x60D);
    pub const CONTENTS_TABLE_TEMPLATE: Nid = Nid(0x60E);
    pub const ASSOC_CONTENTS_TABLE_TEMPLATE: Nid = Nid(0x60F);
    pub const SEARCH_CONTENTS_TABLE_TEMPLATE: Nid = Nid(0x610);

    pub fn nid_type(self) -> u8 {
        (self.0 & 0x1F) as u8
    }

    pub fn index(self) -> u32 {
        self.0 >> 5
    }

    /// The node of the same index with another type: a folder's tables share its index.
    pub fn with_type(self, nid_type: u8) -> Nid {
        Nid((self.0 & !0x1F) | nid_type as u32)
    }
}

pub mod nid_type {
    pub const HID: u8 = 0x00;
    pub const INTERNAL: u8 = 0x01;
    pub const NORMAL_FOLDER: u8 = 0x02;
    pub const SEARCH_FOLDER: u8 = 0x03;
    pub const NORMAL_MESSAGE: u8 = 0x04;
    pub const ATTACHMENT: u8 = 0x05;
    pub const SEARCH_UPDATE_QUEUE: u8 = 0x06;
    pub const SEARCH_CRITERIA_OBJECT: u8 = 0x07;
    pub const ASSOC_MESSAGE: u8 = 0x08;
    pub const HIERARCHY_TABLE: u8 = 0x0D;
    pub const CONTENTS_TABLE: u8 = 0x0E;
    pub const ASSOC_CONTENTS_TABLE: u8 = 0x0F;
    pub const SEARCH_CONTENTS_TABLE: u8 = 0x10;
    pub const ATTACHMENT_TABLE: u8 = 0x11;
    pub const RECIPIENT_TABLE: u8 = 0x12;
}

impl std::fmt::Display for Nid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "0x{:X}", self.0)
    }
}

/// One leaf entry of the node B-tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NbtEntry {
    pub nid: Nid,
    pub bid_data: u64,
    pub bid_sub: u64,
    pub nid_parent: Nid,
}

/// One leaf entry of the block B-tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BbtEntry {
    pub bid: u64,
    pub ib: u64,
    /// Bytes stored on disk.
    pub cb: u16,
    /// Bytes once inflated; equal to `cb` unless the block is compressed (4 KiB files).
    pub cb_inflated: u16,
    pub refs: u16,
}

/// The lowest bit of a block id is reserved; readers must ignore it.
pub fn bid_key(bid: u64) -> u64 {
    bid & !1
}

/// Internal blocks (data trees, subnode trees) have the second bit set; they are never
/// encrypted.
pub fn bid_is_internal(bid: u64) -> bool {
    bid & 2 != 0
}

pub fn parse_nbt(variant: Variant, e: &[u8]) -> NbtEntry {
    let id = variant.id_size();
    NbtEntry {
        nid: Nid(id_at(variant, e, 0) as u32),
        bid_data: id_at(variant, e, id),
        bid_sub: id_at(variant, e, 2 * id),
        nid_parent: Nid(u32_at(e, 3 * id)),
    }
}

pub fn parse_bbt(variant: Variant, e: &[u8]) -> BbtEntry {
    let id = variant.id_size();
    let cb = u16_at(e, 2 * id);
    let (cb_inflated, refs) = match variant {
        Variant::Unicode4k => (u16_at(e, 2 * id + 2), u16_at(e, 2 * id + 4)),
        _ => (cb, u16_at(e, 2 * id + 2)),
    };
    BbtEntry {
        bid: id_at(variant, e, 0),
        ib: id_at(variant, e, id),
        cb,
        cb_inflated,
        refs,
    }
}

/// Appends an id-width field: 4 bytes in ANSI files, 8 in Unicode ones.
fn put_id(variant: Variant, out: &mut Vec<u8>, value: u64) {
    if variant.is_ansi() {
        out.extend_from_slice(&(value as u32).to_le_bytes());
    } else {
        out.extend_from_slice(&value.to_le_bytes());
    }
}

impl NbtEntry {
    /// Appends the entry as `parse_nbt` reads it, padding included.
    pub fn write(&self, variant: Variant, out: &mut Vec<u8>) {
        let start = out.len();
        put_id(variant, out, u64::from(self.nid.0));
        put_id(variant, out, self.bid_data);
        put_id(variant, out, self.bid_sub);
        out.extend_from_slice(&self.nid_parent.0.to_le_bytes());
        out.resize(start + variant.nbt_entry_size(), 0);
    }
}

impl BbtEntry {
    /// Appends the entry as `parse_bbt` reads it: 4 KiB files keep the inflated size
    /// between the stored size and the reference count.
    pub fn write(&self, variant: Variant, out: &mut Vec<u8>) {
        let start = out.len();
        put_id(variant, out, self.bid);
        put_id(variant, out, self.ib);
        out.extend_from_slice(&self.cb.to_le_bytes());
        if variant == Variant::Unicode4k {
            out.extend_from_slice(&self.cb_inflated.to_le_bytes());
        }
        out.extend_from_slice(&self.refs.to_le_bytes());
        out.resize(start + variant.bbt_entry_size(), 0);
    }
}

/// Appends a branch entry (the first key below it, and where its page is), as
/// `branch_key` and `branch_ref` read it.
pub fn write_branch(variant: Variant, out: &mut Vec<u8>, key: u64, page: BRef) {
    put_id(variant, out, key);
    put_id(variant, out, page.bid);
    put_id(variant, out, page.ib);
}

pub fn branch_key(variant: Variant, e: &[u8]) -> u64 {
    id_at(variant, e, 0)
}

pub fn branch_ref(variant: Variant, e: &[u8]) -> BRef {
    let id = variant.id_size();
    BRef {
        bid: id_at(variant, e, id),
        ib: id_at(variant, e, 2 * id),
    }
}

/// Which of the two trees, with how its keys are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tree {
    Node,
    Block,
}

impl Tree {
    pub fn page_type(self) -> PageType {
        match self {
            Tree::Node => PageType::Nbt,
            Tree::Block => PageType::Bbt,
        }
    }

    /// The part of a key that orders entries: node ids are 32 bits even where entries hold
    /// 64, and the lowest bit of a block id is reserved.
    pub fn normalize(self, key: u64) -> u64 {
        match self {
            Tree::Node => key & 0xFFFF_FFFF,
            Tree::Block => bid_key(key),
        }
    }
}

fn check_level(tree: Tree, page: &BTreePage, expected: Option<u8>, bref: BRef) -> Result<()> {
    let structure = tree.page_type().structure();
    let bad = match expected {
        Some(level) => page.level != level,
        None => page.level > MAX_LEVEL,
    };
    if bad {
        let want = expected.map_or(format!("at most {MAX_LEVEL}"), |l| l.to_string());
        return Err(Error::mismatch(structure, "tree level", want, page.level)
            .at_offset(bref.ib)
            .with_bid(bref.bid));
    }
    Ok(())
}

/// Validated B-tree pages by offset. Lookups descend the same few upper pages again and
/// again; keeping them saves most reads. Bounded, so a 50 GB store costs the same memory.
#[derive(Debug)]
pub struct PageCache {
    /// Read-locked for a lookup, which is nearly every use: with a plain mutex the check's
    /// threads spent more time waiting on each other than looking pages up.
    inner: RwLock<CacheInner>,
    /// Tells this cache's pages apart in a thread's memo (`near`) from another store's.
    id: u64,
}

impl Default for PageCache {
    fn default() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        PageCache {
            inner: RwLock::default(),
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }
}

/// The pages a thread used last, of one cache: a lookup goes through the same upper pages
/// as the one before it, and mostly to the same leaf, and finds them here without the
/// shared cache's lock or a reference count that the other threads change too (the shared
/// cache's lookup was 8% of an export reader's time on two cores). Slots are chosen by the
/// page's offset; a page is used only for the cache, offset, id and type it was read for.
/// A thread keeps at most `SLOTS` pages, and lets them go when it turns to another store.
mod near {
    use super::CachedPage;
    use std::cell::RefCell;
    use std::sync::Arc;

    pub const SLOTS: usize = 64;

    pub struct Memo {
        pub cache: u64,
        pub slots: [Option<(u64, Arc<CachedPage>)>; SLOTS],
    }

    thread_local! {
        pub static MEMO: RefCell<Memo> = const {
            RefCell::new(Memo {
                cache: 0,
                slots: [const { None }; SLOTS],
            })
        };
    }

    pub fn slot(ib: u64) -> usize {
        (ib.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOTS.trailing_zeros())) as usize
    }
}

#[derive(Debug, Default)]
struct CacheInner {
    pages: HashMap<u64, Arc<CachedPage>>,
    order: VecDeque<u64>,
}

/// A page as a lookup uses it: with whether its keys rise strictly from first to last,
/// found once when it is read, so that a lookup may search it by halves. A damaged page
/// whose keys do not rise is searched from first to last as before, with the same answer.
#[derive(Debug)]
struct CachedPage {
    page: BTreePage,
    ascending: bool,
}

impl CachedPage {
    fn new(page: BTreePage, variant: Variant, tree: Tree) -> Self {
        let key = |i| tree.normalize(branch_key(variant, page.entry(i)));
        let ascending = (1..page.count).all(|i| key(i - 1) < key(i));
        CachedPage { page, ascending }
    }

    /// Whether this page, cached by its offset, is the one `bref` names in a tree of
    /// `ptype`: a page cached for one tree or id must not answer for another.
    fn answers_for(&self, bref: BRef, ptype: PageType) -> bool {
        self.page.ptype == ptype && self.page.bid == bref.bid
    }

    /// The entry whose key the lookup follows: on a leaf, the one equal to `key`; on a
    /// branch, the last one not above it (the child whose range holds it).
    fn position(&self, variant: Variant, tree: Tree, key: u64) -> Option<usize> {
        let page = &self.page;
        let k = |i| tree.normalize(branch_key(variant, page.entry(i)));
        let leaf = page.level == 0;
        if self.ascending {
            let after = partition_point(page.count, |i| k(i) <= key);
            let last = after.checked_sub(1)?;
            return (!leaf || k(last) == key).then_some(last);
        }
        if leaf {
            return (0..page.count).find(|&i| k(i) == key);
        }
        (0..page.count).take_while(|&i| k(i) <= key).last()
    }
}

/// The first of `0..n` for which `below` is false, where it is true for some first part
/// and false for the rest.
fn partition_point(n: usize, below: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if below(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

const CACHE_PAGES: usize = 1024;

impl PageCache {
    /// Calls `f` with the validated page at `bref`, from this thread's memo when it holds
    /// it, else from the shared cache or the file (and then keeps it in the memo).
    fn with<R>(
        &self,
        file: &StoreFile,
        variant: Variant,
        bref: BRef,
        tree: Tree,
        f: impl FnOnce(&CachedPage) -> R,
    ) -> Result<R> {
        let ptype = tree.page_type();
        let slot = near::slot(bref.ib);
        let mut f = Some(f);
        let hit = near::MEMO.with(|memo| {
            // Borrowed already only if `f` itself looked a page up; the shared cache serves.
            let memo = memo.try_borrow().ok()?;
            let (ib, page) = memo.slots[slot].as_ref()?;
            let same = memo.cache == self.id && *ib == bref.ib && page.answers_for(bref, ptype);
            same.then(|| (f.take().expect("called once"))(page))
        });
        if let Some(r) = hit {
            return Ok(r);
        }
        let page = self.get(file, variant, bref, tree)?;
        near::MEMO.with(|memo| {
            if let Ok(mut memo) = memo.try_borrow_mut() {
                if memo.cache != self.id {
                    // Another store's pages are of no use here; let them go.
                    memo.cache = self.id;
                    memo.slots = [const { None }; near::SLOTS];
                }
                memo.slots[slot] = Some((bref.ib, page.clone()));
            }
        });
        Ok((f.take().expect("called once"))(&page))
    }

    fn get(
        &self,
        file: &StoreFile,
        variant: Variant,
        bref: BRef,
        tree: Tree,
    ) -> Result<Arc<CachedPage>> {
        let ptype = tree.page_type();
        let cached = self
            .inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .pages
            .get(&bref.ib)
            .cloned();
        if let Some(p) = cached.filter(|p| p.answers_for(bref, ptype)) {
            return Ok(p);
        }
        let page = BTreePage::read(file, variant, bref, ptype)?;
        let page = Arc::new(CachedPage::new(page, variant, tree));
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if inner.pages.insert(bref.ib, page.clone()).is_none() {
            inner.order.push_back(bref.ib);
        }
        while inner.order.len() > CACHE_PAGES {
            if let Some(old) = inner.order.pop_front() {
                inner.pages.remove(&old);
            }
        }
        Ok(page)
    }
}

/// Finds the leaf entry with `key`, descending from `root`, and parses it.
fn lookup<T>(
    file: &StoreFile,
    cache: &PageCache,
    variant: Variant,
    tree: Tree,
    root: BRef,
    key: u64,
    parse: impl FnOnce(&[u8]) -> T,
) -> Result<Option<T>> {
    let key = tree.normalize(key);
    let mut bref = root;
    let mut expected = None;
    let mut parse = Some(parse);
    loop {
        // Each step decided while the page is lent: the leaf's entry parsed, or the child
        // to go down to.
        let step = cache.with(file, variant, bref, tree, |cached| {
            let page = &cached.page;
            check_level(tree, page, expected, bref)?;
            let Some(i) = cached.position(variant, tree, key) else {
                return Ok(Step::Absent);
            };
            if page.level == 0 {
                let parse = parse.take().expect("a leaf ends the lookup");
                return Ok(Step::Found(parse(page.entry(i))));
            }
            Ok(Step::Down(
                branch_ref(variant, page.entry(i)),
                page.level - 1,
            ))
        })??;
        match step {
            Step::Absent => return Ok(None),
            Step::Found(found) => return Ok(Some(found)),
            Step::Down(child, level) => {
                bref = child;
                expected = Some(level);
            }
        }
    }
}

/// Where one page sends a lookup.
enum Step<T> {
    Absent,
    Found(T),
    Down(BRef, u8),
}

pub fn find_node(
    file: &StoreFile,
    cache: &PageCache,
    variant: Variant,
    root: BRef,
    nid: Nid,
) -> Result<Option<NbtEntry>> {
    lookup(file, cache, variant, Tree::Node, root, nid.0 as u64, |e| {
        parse_nbt(variant, e)
    })
}

pub fn find_block(
    file: &StoreFile,
    cache: &PageCache,
    variant: Variant,
    root: BRef,
    bid: u64,
) -> Result<Option<BbtEntry>> {
    lookup(file, cache, variant, Tree::Block, root, bid, |e| {
        parse_bbt(variant, e)
    })
}

/// What a full walk reports for each page, for the structural check.
#[derive(Debug, Clone, Copy)]
pub struct PageVisit {
    pub bref: BRef,
    pub level: u8,
    pub count: usize,
}

/// Visits every leaf entry in key order. Pages are visited once each: levels must fall by
/// one at each step down, so a damaged pointer cannot loop. `on_page` sees each page.
pub fn walk<F, P>(
    file: &StoreFile,
    variant: Variant,
    tree: Tree,
    root: BRef,
    mut on_page: P,
    mut on_entry: F,
) -> Result<()>
where
    F: FnMut(&[u8]) -> Result<()>,
    P: FnMut(PageVisit),
{
    let mut stack = vec![(root, None::<u8>)];
    while let Some((bref, expected)) = stack.pop() {
        let page = BTreePage::read(file, variant, bref, tree.page_type())?;
        check_level(tree, &page, expected, bref)?;
        on_page(PageVisit {
            bref,
            level: page.level,
            count: page.count,
        });
        if page.level == 0 {
            for i in 0..page.count {
                on_entry(page.entry(i))?;
            }
        } else {
            for i in (0..page.count).rev() {
                stack.push((branch_ref(variant, page.entry(i)), Some(page.level - 1)));
            }
        }
    }
    Ok(())
}

pub fn walk_nodes(
    file: &StoreFile,
    variant: Variant,
    root: BRef,
    mut f: impl FnMut(NbtEntry) -> Result<()>,
) -> Result<()> {
    walk(
        file,
        variant,
        Tree::Node,
        root,
        |_| {},
        |e| f(parse_nbt(variant, e)),
    )
}

pub fn walk_blocks(
    file: &StoreFile,
    variant: Variant,
    root: BRef,
    mut f: impl FnMut(BbtEntry) -> Result<()>,
) -> Result<()> {
    walk(
        file,
        variant,
        Tree::Block,
        root,
        |_| {},
        |e| f(parse_bbt(variant, e)),
    )
}

/// The keys a part of a tree covers, both ends included: what a page the walk could not
/// read would have answered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRange {
    pub first: u64,
    pub last: u64,
}

impl KeyRange {
    pub const ALL: KeyRange = KeyRange {
        first: 0,
        last: u64::MAX,
    };

    pub fn contains(&self, key: u64) -> bool {
        (self.first..=self.last).contains(&key)
    }
}

/// A part of a tree a lenient walk could not read: the keys it covered, and why.
#[derive(Debug)]
pub struct Hole {
    pub keys: KeyRange,
    pub error: Error,
}

/// Visits every leaf entry a damaged tree still gives, going round the pages it cannot
/// read; each of those is returned as the range of keys its parent says it held. Like
/// [`walk`], each page is read once and levels must fall by one, so damage cannot loop.
pub fn walk_lenient(
    file: &StoreFile,
    variant: Variant,
    tree: Tree,
    root: BRef,
    mut on_entry: impl FnMut(&[u8]),
) -> Vec<Hole> {
    let mut holes = Vec::new();
    let mut stack = vec![(root, None::<u8>, KeyRange::ALL)];
    // A damaged branch may name one page twice; read it once, or repeats could multiply
    // level by level.
    let mut seen = std::collections::HashSet::new();
    while let Some((bref, expected, keys)) = stack.pop() {
        if !seen.insert(bref.ib) {
            continue;
        }
        let page = BTreePage::read(file, variant, bref, tree.page_type())
            .and_then(|p| check_level(tree, &p, expected, bref).map(|()| p));
        let page = match page {
            Ok(page) => page,
            Err(error) => {
                holes.push(Hole { keys, error });
                continue;
            }
        };
        if page.level == 0 {
            for i in 0..page.count {
                on_entry(page.entry(i));
            }
            continue;
        }
        for i in (0..page.count).rev() {
            let first = tree.normalize(branch_key(variant, page.entry(i)));
            let last = match i + 1 < page.count {
                true => tree
                    .normalize(branch_key(variant, page.entry(i + 1)))
                    .saturating_sub(1),
                false => keys.last,
            };
            let child = KeyRange {
                first: first.max(keys.first),
                last: last.min(keys.last),
            };
            stack.push((
                branch_ref(variant, page.entry(i)),
                Some(page.level - 1),
                child,
            ));
        }
    }
    holes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page whose keys rise is searched by halves, any other from first to last; both
    /// must follow the same entry for every key, at a leaf and at a branch.
    #[test]
    fn a_page_searched_by_halves_follows_the_entry_a_scan_follows() {
        let variant = Variant::Unicode;
        let page_of = |keys: &[u64], level: u8| {
            let mut bytes = Vec::new();
            for &k in keys {
                write_branch(variant, &mut bytes, k, BRef { bid: k, ib: k });
            }
            BTreePage {
                ptype: PageType::Bbt,
                bid: 0x41,
                bytes,
                level,
                count: keys.len(),
                entry_size: variant.branch_entry_size(),
                ib: 0x4400,
            }
        };
        let rising: Vec<u64> = (1..60).map(|k| k * 8).collect();
        for level in [0, 1] {
            let halves = CachedPage::new(page_of(&rising, level), variant, Tree::Block);
            assert!(halves.ascending);
            let scan = CachedPage {
                ascending: false,
                ..CachedPage::new(page_of(&rising, level), variant, Tree::Block)
            };
            for key in 0..500 {
                let want = scan.position(variant, Tree::Block, key);
                assert_eq!(halves.position(variant, Tree::Block, key), want, "{key}");
            }
            assert_eq!(halves.position(variant, Tree::Block, 7), None);
            assert_eq!(halves.position(variant, Tree::Block, 472), Some(58));
            let past_the_last = (level == 1).then_some(58);
            assert_eq!(halves.position(variant, Tree::Block, 480), past_the_last);
        }
        assert_eq!(
            CachedPage::new(page_of(&rising, 1), variant, Tree::Block).position(
                variant,
                Tree::Block,
                20
            ),
            Some(1)
        );
        // Keys out of order (damage) are not searched by halves.
        let mixed = CachedPage::new(page_of(&[8, 40, 16, 64], 0), variant, Tree::Block);
        assert!(!mixed.ascending);
        assert_eq!(mixed.position(variant, Tree::Block, 16), Some(2));
        let repeated = CachedPage::new(page_of(&[8, 16, 16, 64], 1), variant, Tree::Block);
        assert!(!repeated.ascending);
        assert_eq!(repeated.position(variant, Tree::Block, 20), Some(2));
    }

    /// What the writer puts in a B-tree page the reader reads back as it was, in every
    /// variant: one description of each entry, not one per side.
    #[test]
    fn entries_written_read_back_in_every_variant() {
        for variant in [Variant::Ansi, Variant::Unicode, Variant::Unicode4k] {
            let node = NbtEntry {
                nid: Nid(0x0020_0024),
                bid_data: 0x1_0004,
                bid_sub: 0x2_0006,
                nid_parent: Nid(0x8022),
            };
            let block = BbtEntry {
                bid: 0x1_0004,
                ib: 0x4_4400,
                cb: 8176,
                cb_inflated: if variant == Variant::Unicode4k {
                    30000
                } else {
                    8176
                },
                refs: 2,
            };
            let (mut n, mut b, mut br) = (Vec::new(), Vec::new(), Vec::new());
            node.write(variant, &mut n);
            block.write(variant, &mut b);
            let page = BRef {
                bid: 0x41,
                ib: 0x6000,
            };
            write_branch(variant, &mut br, 0x122, page);
            assert_eq!(n.len(), variant.nbt_entry_size(), "{variant:?}");
            assert_eq!(b.len(), variant.bbt_entry_size(), "{variant:?}");
            assert_eq!(br.len(), variant.branch_entry_size(), "{variant:?}");
            assert_eq!(parse_nbt(variant, &n), node, "{variant:?}");
            assert_eq!(parse_bbt(variant, &b), block, "{variant:?}");
            assert_eq!(branch_key(variant, &br), 0x122);
            assert_eq!(branch_ref(variant, &br), page);
        }
    }

    /// Two files whose index pages lie at the same offset under the same id but hold
    /// different entries, looked up in turn on one thread: each answers from its own, as a
    /// thread's memo of pages serves only the cache (and so the file) it read them for.
    #[test]
    fn lookups_in_two_files_taken_in_turn_answer_each_from_its_own() {
        let scratch = crate::temp::TempDir::new("btree-two");
        let v = Variant::Unicode;
        let open = |name: &str, bid_data: u64| {
            // One leaf of the node index at 512 with one entry, node 0x21.
            let mut file = vec![0u8; 2 * 512];
            let page = &mut file[512..1024];
            page[0..8].copy_from_slice(&0x21u64.to_le_bytes());
            page[8..16].copy_from_slice(&bid_data.to_le_bytes());
            let at = v.btree_entries_size();
            page[at..at + 4].copy_from_slice(&[1, 1, v.nbt_entry_size() as u8, 0]);
            super::super::page::PageTrailer::seal(v, page, 512, 4, 0x81).write(v, page);
            let path = scratch.path().join(name);
            std::fs::write(&path, &file).unwrap();
            (StoreFile::open(&path).unwrap(), PageCache::default())
        };
        let (a, b) = (open("a", 0x100), open("b", 0x200));
        let root = BRef { bid: 4, ib: 512 };
        for _ in 0..3 {
            for ((file, cache), want) in [(&a, 0x100), (&b, 0x200)] {
                let found = find_node(file, cache, v, root, Nid(0x21)).unwrap();
                assert_eq!(found.map(|n| n.bid_data), Some(want));
            }
        }
    }

    /// A root whose two branch entries name the same leaf: the lenient walk reads the leaf
    /// once, so repeats cannot multiply level by level.
    #[test]
    fn a_page_named_twice_is_walked_once() {
        let scratch = crate::temp::TempDir::new("btree");
        let dir = scratch.path();
        let path = dir.join("pages.bin");
        let v = Variant::Unicode;
        let mut file = vec![0u8; 3 * 512];
        let seal = |file: &mut Vec<u8>, ib: usize, bid: u64, level: u8, count: u8, entry: usize| {
            let page = &mut file[ib..ib + 512];
            let at = v.btree_entries_size();
            page[at] = count;
            page[at + 1] = count;
            page[at + 2] = entry as u8;
            page[at + 3] = level;
            let t = super::super::page::PageTrailer::seal(v, page, ib as u64, bid, 0x81);
            t.write(v, page);
        };
        // The leaf at 1024 with one node entry; the root at 512 naming it twice.
        file[1024..1028].copy_from_slice(&0x21u32.to_le_bytes());
        seal(&mut file, 1024, 8, 0, 1, v.nbt_entry_size());
        for (i, key) in [0u64, 0x100].iter().enumerate() {
            let e = 512 + i * 24;
            file[e..e + 8].copy_from_slice(&key.to_le_bytes());
            file[e + 8..e + 16].copy_from_slice(&8u64.to_le_bytes());
            file[e + 16..e + 24].copy_from_slice(&1024u64.to_le_bytes());
        }
        seal(&mut file, 512, 4, 1, 2, v.branch_entry_size());
        std::fs::write(&path, &file).unwrap();
        let f = StoreFile::open(&path).unwrap();
        let mut entries = 0;
        let holes = walk_lenient(&f, v, Tree::Node, BRef { bid: 4, ib: 512 }, |_| {
            entries += 1
        });
        assert!(holes.is_empty(), "{holes:?}");
        assert_eq!(entries, 1);
    }
}
