//! A table checked a block at a time (`tc::scan`, what the structural check uses for a
//! folder's tables) says what the table read whole says (`TableContext::open` and
//! `verify`): the same row ids in the same order and the same problems, on tables whose
//! heap and row matrix span many blocks, healthy and damaged.

mod common;
mod corrupt;

use std::path::{Path, PathBuf};

use common::TempDir;
use corrupt::{Image, heap_alloc, heap_root};
use ostdoctor::store::Store;
use ostdoctor::store::ltp::{Node, TableContext, tc};
use ostdoctor::store::ndb::btree::NbtEntry;
use ostdoctor::store::ndb::format::{u16_at, u32_at};
use ostdoctor::store::ndb::{Ndb, Variant};
use ostdoctor::store::write::Target;
use ostdoctor::synthetic::{GenOptions, generate};

const LIMIT: usize = 20;

fn generated(dir: &TempDir, target: Target, name: &str) -> PathBuf {
    let path = dir.path().join(name);
    let options = GenOptions {
        target,
        folders: 2,
        messages: 3000,
        seed: 11,
        sync_log_lines: Vec::new(),
        attachment_kb: None,
    };
    generate(&path, &options).unwrap();
    path
}

fn contents_tables(ndb: &Ndb) -> Vec<NbtEntry> {
    let mut out = Vec::new();
    ndb.walk_nodes(|n| {
        if n.nid.nid_type() == 0x0E {
            out.push(n);
        }
        Ok(())
    })
    .unwrap();
    out
}

/// Ids and problems (as text) both ways; the error of one is the error of the other.
fn both_ways(ndb: &Ndb, entry: &NbtEntry) -> (Result<Vec<u32>, String>, Vec<String>) {
    let whole = TableContext::open(Node::from_nbt(ndb, entry)).map(|t| {
        let ids = (0..t.len()).map(|r| t.row_id(r)).collect::<Vec<_>>();
        let problems = t.verify(LIMIT).iter().map(|e| e.to_string()).collect();
        (ids, problems)
    });
    let paged = tc::scan(Node::from_nbt(ndb, entry), LIMIT).map(|s| {
        (
            s.ids,
            s.problems.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        )
    });
    match (whole, paged) {
        (Ok((ids, problems)), Ok((paged_ids, paged_problems))) => {
            assert_eq!(paged_ids, ids, "row ids of {}", entry.nid);
            assert_eq!(paged_problems, problems, "problems of {}", entry.nid);
            (Ok(ids), problems)
        }
        (Err(whole), Err(paged)) => {
            assert_eq!(paged.to_string(), whole.to_string());
            (Err(whole.to_string()), Vec::new())
        }
        (whole, paged) => panic!(
            "{}: whole {:?}, paged {:?}",
            entry.nid,
            whole.map(|w| w.0.len()).map_err(|e| e.to_string()),
            paged.map(|p| p.0.len()).map_err(|e| e.to_string())
        ),
    }
}

/// The largest contents table, with its heap and row matrix each over several blocks.
fn largest(ndb: &Ndb) -> NbtEntry {
    let table = contents_tables(ndb)
        .into_iter()
        .max_by_key(|t| tc::scan(Node::from_nbt(ndb, t), LIMIT).unwrap().ids.len())
        .unwrap();
    let heap_blocks = ndb.data_block_sizes(table.bid_data).unwrap().len();
    let matrix = matrix_node(ndb, &table);
    let matrix_blocks = ndb.data_block_sizes(matrix.bid_data).unwrap().len();
    assert!(
        heap_blocks > 1 && matrix_blocks > 1,
        "the test needs a table over several blocks: heap {heap_blocks}, rows {matrix_blocks}"
    );
    table
}

/// The table's row matrix subnode, from its header (TCINFO) in the heap's first block.
fn matrix_node(ndb: &Ndb, table: &NbtEntry) -> ostdoctor::store::ndb::SubnodeEntry {
    let first = ndb.first_data_block(table.bid_data).unwrap();
    let info = heap_alloc(ndb.variant(), &first, heap_root(&first));
    let rows = u32_at(&first, info.start + 14);
    ndb.subnodes(table.bid_sub)
        .unwrap()
        .into_iter()
        .find(|s| s.nid.0 == rows)
        .expect("the row matrix is a subnode")
}

#[test]
fn a_large_table_read_a_block_at_a_time_says_what_the_whole_table_says() {
    let dir = TempDir::new("store-tables");
    for (target, name) in [(Target::Ost4k, "big.ost"), (Target::Pst, "big.pst")] {
        let path = generated(&dir, target, name);
        let store = Store::open(&path).unwrap();
        let ndb = store.ndb();
        let big = largest(ndb);
        for table in contents_tables(ndb) {
            let (ids, problems) = both_ways(ndb, &table);
            assert!(problems.is_empty(), "{name}: {problems:?}");
            if table.nid == big.nid {
                assert!(ids.unwrap().len() >= 1000, "{name}: a small largest table");
            }
        }
    }
}

/// Damage in the second block of a large table's row matrix: a row id repeated and a
/// cell pointing at a heap allocation that is not there. Both ways find both.
#[test]
fn damage_deep_in_a_large_table_is_found_both_ways() {
    let dir = TempDir::new("store-tables-damage");
    let path = generated(&dir, Target::Pst, "damaged.pst");
    let store = Store::open(&path).unwrap();
    let ndb = store.ndb();
    assert_eq!(ndb.variant(), Variant::Unicode);
    let table = largest(ndb);
    let first = ndb.first_data_block(table.bid_data).unwrap();
    let info = heap_alloc(ndb.variant(), &first, heap_root(&first)).start;
    let (ncols, ceb, row_size) = (
        first[info + 1] as usize,
        u16_at(&first, info + 6) as usize,
        u16_at(&first, info + 8) as usize,
    );
    // A Unicode string column held in the heap: 4-byte reference cells.
    let (offset, bit) = (0..ncols)
        .map(|i| &first[info + 22 + i * 8..info + 30 + i * 8])
        .find(|c| u16_at(c, 0) == 0x001F && c[6] == 4)
        .map(|c| (u16_at(c, 4) as usize, c[7] as usize))
        .expect("a string column");
    let mut matrix_bids = Vec::new();
    ndb.for_each_data_block(matrix_node(ndb, &table).bid_data, &mut |bid, _| {
        matrix_bids.push(bid);
        Ok(())
    })
    .unwrap();

    let mut img = Image::new(&store, std::fs::read(&path).unwrap());
    img.edit_block(matrix_bids[1], |d| {
        let (first_id, second) = (u32_at(d, 0), row_size);
        d[second..second + 4].copy_from_slice(&first_id.to_le_bytes());
        let third = 2 * row_size;
        assert!(
            d[third + ceb + bit / 8] & (0x80 >> (bit % 8)) != 0,
            "the cell is empty"
        );
        // Allocation 2000 of heap block 0: far past what the block holds.
        let hid = 2000u32 << 5;
        d[third + offset..third + offset + 4].copy_from_slice(&hid.to_le_bytes());
    })
    .expect("the edit fits the block");
    let damaged: &Path = &dir.path().join("damaged-edited.pst");
    std::fs::write(damaged, &img.bytes).unwrap();
    drop(img);

    let store = Store::open(damaged).unwrap();
    let (ids, problems) = both_ways(store.ndb(), &table);
    assert!(ids.is_ok());
    let text = problems.join("\n");
    assert!(text.contains("appears twice"), "{text}");
    assert!(text.contains("allocation index"), "{text}");
}

#[test]
fn a_table_that_cannot_be_read_fails_alike_both_ways() {
    let dir = TempDir::new("store-tables-broken");
    let path = generated(&dir, Target::Pst, "broken.pst");
    let store = Store::open(&path).unwrap();
    let table = largest(store.ndb());
    let mut img = Image::new(&store, std::fs::read(&path).unwrap());
    // The table header's column count past what it holds.
    let bid = img.single_data_block(table.nid).or_else(|| {
        let mut first = None;
        store
            .ndb()
            .for_each_data_block(table.bid_data, &mut |bid, _| {
                first.get_or_insert(bid);
                Ok(())
            })
            .unwrap();
        first
    });
    let v = img.variant();
    img.edit_block(bid.unwrap(), |d| {
        let r = heap_alloc(v, d, heap_root(d));
        d[r.start + 1] = 0xF0;
    })
    .unwrap();
    let broken = dir.path().join("broken-edited.pst");
    std::fs::write(&broken, &img.bytes).unwrap();
    drop(img);
    let store = Store::open(&broken).unwrap();
    let (ids, _) = both_ways(store.ndb(), &table);
    assert!(ids.unwrap_err().contains("column"));
}

/// A 9 MiB attachment in a 512-byte-page store has a two-level data tree: the check adds
/// its XBLOCKs' totals (read again at the end, as XXBLOCKs are rare) and finds nothing on
/// the healthy store, and the one total the XXBLOCK promises wrong once it is changed.
#[test]
fn an_xxblock_promising_more_than_its_xblocks_hold_is_found() {
    use ostdoctor::store::check::{Class, check_store};
    use ostdoctor::store::ndb::btree::bid_is_internal;
    use ostdoctor::work::Work;

    let dir = TempDir::new("store-tables-xxblock");
    let path = dir.path().join("big-attachment.pst");
    let options = GenOptions {
        target: Target::Pst,
        folders: 1,
        messages: 10,
        seed: 5,
        sync_log_lines: Vec::new(),
        attachment_kb: Some(9 * 1024),
    };
    generate(&path, &options).unwrap();
    let log = check_store(&path, &mut Work::quiet()).unwrap();
    assert!(log.findings.is_empty(), "{:?}", log.findings);

    let store = Store::open(&path).unwrap();
    let mut img = Image::new(&store, std::fs::read(&path).unwrap());
    let xx = img
        .blocks()
        .into_iter()
        .filter(|b| bid_is_internal(b.bid))
        .find(|b| {
            let d = store.ndb().block(b.bid).unwrap();
            d[0] == 0x01 && d[1] == 0x02
        })
        .expect("an XXBLOCK");
    img.edit_block(xx.bid, |d| {
        let total = u32_at(d, 4) + 1;
        d[4..8].copy_from_slice(&total.to_le_bytes());
    })
    .unwrap();
    let damaged = dir.path().join("xxblock-total.pst");
    std::fs::write(&damaged, &img.bytes).unwrap();
    drop(img);
    let log = check_store(&damaged, &mut Work::quiet()).unwrap();
    assert!(
        log.findings
            .iter()
            .any(|f| f.class == Class::DataTree && f.detail.contains("the XXBLOCK promises")),
        "{:?}",
        log.findings
    );
}
