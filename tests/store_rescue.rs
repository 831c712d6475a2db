//! The scan of a damaged file (`ndb::rescue`): what it finds in an intact store is exactly
//! what the indexes say, and what it finds in a damaged one brings back the items the
//! damaged index pages or block entries no longer reach.

mod common;
mod corrupt;

use std::path::{Path, PathBuf};

use common::{TempDir, all_fixtures};
use corrupt::Image;
use ostdoctor::store::Store;
use ostdoctor::store::ndb::btree::Tree;
use ostdoctor::store::ndb::crc::signature;
use ostdoctor::store::ndb::page::parse_trailer;
use ostdoctor::store::ndb::rescue::Rescue;
use ostdoctor::store::write::Target;
use ostdoctor::synthetic::{GenOptions, generate};

fn generated(dir: &TempDir, target: Target, name: &str, messages: usize) -> PathBuf {
    let path = dir.path().join(name);
    generate(
        &path,
        &GenOptions {
            target,
            folders: 6,
            messages,
            seed: 11,
            sync_log_lines: vec![],
            attachment_kb: Some(20),
        },
    )
    .unwrap();
    path
}

/// Every store to try: the real fixtures and a generated store per written format (the 4
/// KiB one has compressed blocks, whose trailers carry their inflated size).
fn stores(dir: &TempDir) -> Vec<PathBuf> {
    let mut out = all_fixtures();
    out.push(generated(dir, Target::Pst, "gen.pst", 120));
    out.push(generated(dir, Target::Ost4k, "gen.ost", 120));
    out
}

/// The subjects of every item the folders' contents tables list, sorted.
fn subjects(path: &Path) -> Vec<String> {
    let store = Store::open(path).unwrap();
    let mut out = Vec::new();
    for f in store
        .folders()
        .unwrap()
        .iter()
        .filter(|f| !f.is_search_folder)
    {
        for nid in store.message_nids(f.nid).unwrap() {
            let m = store.message(nid).unwrap();
            out.push(m.summary().unwrap().subject.unwrap_or_default());
        }
    }
    out.sort();
    out
}

/// Exports a damaged copy as `ostdoctor export` does, and reads back what the copy holds.
fn salvaged_subjects(damaged: &Path, dest: &Path) -> (Vec<String>, Vec<String>) {
    let store = Store::open_for_salvage(damaged).unwrap();
    let summary = common::export_all(&store, dest);
    let got = subjects(dest);
    (got, summary.source_damage)
}

#[test]
fn a_scan_of_an_intact_store_finds_every_block_where_the_index_says() {
    let dir = TempDir::new("rescue-intact");
    for path in stores(&dir) {
        let store = Store::open(&path).unwrap();
        let ndb = store.ndb();
        let rescue = Rescue::build(ndb.file(), ndb.header());
        assert!(
            rescue.lines().is_empty(),
            "{}: {:?}",
            path.display(),
            rescue.lines()
        );
        let mut listed = 0;
        ndb.walk_blocks(|e| {
            listed += 1;
            let (found, signed_at) = rescue
                .found_block(e.bid, None)
                .unwrap_or_else(|| panic!("{}: block 0x{:X} not found", path.display(), e.bid));
            assert_eq!(signed_at, e.ib);
            assert_eq!(
                (found.ib, found.cb, found.cb_inflated),
                (e.ib, e.cb, e.cb_inflated),
                "{}: block 0x{:X}",
                path.display(),
                e.bid
            );
            Ok(())
        })
        .unwrap();
        // Free space may hold older blocks; nothing else passes as a block.
        assert!(rescue.blocks_found() >= listed, "{}", path.display());
        println!(
            "{}: {listed} blocks listed, {} found by their trailers",
            path.display(),
            rescue.blocks_found()
        );
    }
}

/// A copy of `src` whose node index root page is zeroed, its leaves left intact.
fn node_root_zeroed(dir: &TempDir, src: &Path) -> PathBuf {
    let store = Store::open(src).unwrap();
    let mut img = Image::new(&store, std::fs::read(src).unwrap());
    let root = img.root_page(Tree::Node);
    assert!(
        img.leaf_pages(Tree::Node).len() > 1,
        "the tree must have levels"
    );
    let size = img.variant().page_size();
    img.bytes[root.ib as usize..root.ib as usize + size].fill(0);
    let damaged = dir.path().join("damaged.pst");
    std::fs::write(&damaged, &img.bytes).unwrap();
    damaged
}

/// Zeroing the node index's root page leaves every leaf below it intact: the scan finds
/// them, and every item comes out.
#[test]
fn a_lost_node_index_root_is_rebuilt_from_its_leaves() {
    let dir = TempDir::new("rescue-root");
    let src = generated(&dir, Target::Pst, "gen.pst", 400);
    let want = subjects(&src);
    let damaged = node_root_zeroed(&dir, &src);
    assert!(Store::open(&damaged).and_then(|s| s.folders()).is_err());

    let (got, damage) = salvaged_subjects(&damaged, &dir.path().join("copy.pst"));
    assert_eq!(got, want);
    assert!(
        damage.iter().any(|d| d.contains("node index is damaged")),
        "{damage:?}"
    );
}

/// Outlook writes a changed page anew and leaves the old one in free space. A leaf that
/// is destroyed in place is found again in such an older copy, and only the keys it held
/// are taken from it.
#[test]
fn a_destroyed_leaf_is_found_again_in_an_older_copy() {
    let dir = TempDir::new("rescue-copy");
    let src = generated(&dir, Target::Pst, "gen.pst", 400);
    let want = subjects(&src);
    let store = Store::open(&src).unwrap();
    let mut img = Image::new(&store, std::fs::read(&src).unwrap());
    let v = img.variant();
    let size = v.page_size();
    let leaves = img.leaf_pages(Tree::Node);
    let leaf = leaves[leaves.len() / 2] as usize;
    // The older copy: the same bytes at the end of the file, signed for its new place
    // (the checksum covers only the bytes before the trailer, which do not change).
    let page: Vec<u8> = img.bytes[leaf..leaf + size].to_vec();
    let at = img.bytes.len().div_ceil(size) * size;
    img.bytes.resize(at, 0);
    img.bytes.extend_from_slice(&page);
    let trailer = parse_trailer(v, &page);
    let mut moved = trailer;
    moved.signature = signature(at as u64, trailer.bid);
    moved.write(v, &mut img.bytes[at..at + size]);
    img.bytes[leaf..leaf + size].fill(0);
    let damaged = dir.path().join("damaged.pst");
    std::fs::write(&damaged, &img.bytes).unwrap();

    let (got, _) = salvaged_subjects(&damaged, &dir.path().join("copy.pst"));
    assert_eq!(got, want);

    // Without the copy, the items that leaf held are gone, and the copy says so.
    img.bytes.truncate(at);
    std::fs::write(&damaged, &img.bytes).unwrap();
    let (got, damage) = salvaged_subjects(&damaged, &dir.path().join("copy2.pst"));
    assert!(got.len() < want.len(), "{} of {}", got.len(), want.len());
    assert!(!damage.is_empty());
}

/// Two blocks of one size swapped, and a block entry pointing past the end of the file:
/// each block is read where the scan found it, so no item is lost.
#[test]
fn blocks_not_where_the_index_says_are_read_where_they_are() {
    let dir = TempDir::new("rescue-blocks");
    let src = generated(&dir, Target::Pst, "gen.pst", 120);
    let want = subjects(&src);
    let store = Store::open(&src).unwrap();
    let ndb = store.ndb();
    let blocks = {
        let img = Image::new(&store, Vec::new());
        img.blocks()
    };
    let img0 = Image::new(&store, std::fs::read(&src).unwrap());
    // Two data blocks of the same size on disk.
    let (a, b) = blocks
        .iter()
        .filter(|b| b.bid & 2 == 0)
        .find_map(|a| {
            let size = img0.block_range(a).len();
            let b = blocks
                .iter()
                .find(|b| b.bid != a.bid && b.bid & 2 == 0 && img0.block_range(b).len() == size)?;
            Some((*a, *b))
        })
        .expect("two blocks of one size");
    let want_a = ndb.block(a.bid).unwrap();

    let mut swapped = Image::new(&store, std::fs::read(&src).unwrap());
    let (ra, rb) = (swapped.block_range(&a), swapped.block_range(&b));
    let copy_a: Vec<u8> = swapped.bytes[ra.clone()].to_vec();
    swapped.bytes.copy_within(rb.clone(), ra.start);
    swapped.bytes[rb].copy_from_slice(&copy_a);
    let path = dir.path().join("swapped.pst");
    std::fs::write(&path, &swapped.bytes).unwrap();
    assert!(Store::open(&path).unwrap().ndb().block(a.bid).is_err());
    let salvage = Store::open_for_salvage(&path).unwrap();
    assert_eq!(salvage.ndb().block(a.bid).unwrap(), want_a);
    let (got, damage) = salvaged_subjects(&path, &dir.path().join("swapped-copy.pst"));
    assert_eq!(got, want);
    assert!(
        damage
            .iter()
            .any(|d| d.contains("not where the block index says")),
        "{damage:?}"
    );

    let mut past = Image::new(&store, std::fs::read(&src).unwrap());
    let end = (past.bytes.len() as u64 + 0x10000) / 4096 * 4096;
    let (ib, _, _) = past.bbt_fields();
    past.edit_block_entry(a.bid, |img, at| img.put_id(at + ib, end))
        .unwrap();
    let path = dir.path().join("past.pst");
    std::fs::write(&path, &past.bytes).unwrap();
    let salvage = Store::open_for_salvage(&path).unwrap();
    assert_eq!(salvage.ndb().block(a.bid).unwrap(), want_a);
}

/// `info` on a store whose node index root is lost still lists its folders and counts, and
/// says what it had to work around.
#[test]
fn info_lists_the_folders_of_a_store_whose_node_index_is_damaged() {
    let dir = TempDir::new("rescue-info");
    let src = generated(&dir, Target::Pst, "gen.pst", 400);
    let damaged = node_root_zeroed(&dir, &src);

    let whole = common::ostdoctor(&["info", src.to_str().unwrap(), "--json"]);
    let whole: serde_json::Value = serde_json::from_slice(&whole.stdout).unwrap();
    let out = common::ostdoctor(&["info", damaged.to_str().unwrap(), "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["folders"], whole["folders"]);
    let damage = got["damage"].to_string();
    assert!(damage.contains("node index is damaged"), "{damage}");
}

/// A table's row count read from its header and block sizes alone (what `info` uses) is the
/// count of the rows read one by one, for every table of every store, row matrices of many
/// blocks included.
#[test]
fn a_tables_row_count_without_its_rows_equals_its_rows() {
    use ostdoctor::store::ltp::{Node, TableContext, tc};
    use ostdoctor::store::ndb::btree::nid_type;
    let dir = TempDir::new("row-count");
    let mut paths = stores(&dir);
    paths.push(generated(&dir, Target::Pst, "big.pst", 6000));
    paths.push(generated(&dir, Target::Ost4k, "big.ost", 6000));
    let (mut tables, mut cheap, mut most) = (0, 0, 0);
    for path in paths {
        let store = Store::open(&path).unwrap();
        let ndb = store.ndb();
        let mut entries = Vec::new();
        ndb.walk_nodes(|e| {
            entries.push(e);
            Ok(())
        })
        .unwrap();
        for e in entries.iter().filter(|e| {
            matches!(
                e.nid.nid_type(),
                nid_type::HIERARCHY_TABLE
                    | nid_type::CONTENTS_TABLE
                    | nid_type::ASSOC_CONTENTS_TABLE
            )
        }) {
            let Ok(table) = TableContext::open(Node::from_nbt(ndb, e)) else {
                continue;
            };
            tables += 1;
            match tc::row_count(&Node::from_nbt(ndb, e)).unwrap() {
                Some(n) => {
                    assert_eq!(n, table.len(), "{}: table {}", path.display(), e.nid);
                    cheap += 1;
                }
                None => println!(
                    "{}: table {} ({} rows) counted by its rows",
                    path.display(),
                    e.nid,
                    table.len()
                ),
            }
            most = most.max(table.len());
        }
    }
    println!("{tables} tables, {cheap} counted without their rows, the largest {most} rows");
    assert_eq!(cheap, tables);
    assert!(most >= 1000, "no table large enough to span blocks");
}
