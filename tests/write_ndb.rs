//! The node-database writer against our reader and libpff: every node written comes back
//! with the same data and subnodes, in each variant and encoding.

mod common;

use std::process::Command;

use common::TempDir;
use ostdoctor::store::ndb::{CryptMethod, Ndb, Nid, SubnodeEntry};
use ostdoctor::store::write::{NdbWriter, Target};

/// Deterministic filler that compresses somewhat, like real text.
fn data(seed: u32, len: usize) -> Vec<u8> {
    let words = [
        &b"sync "[..],
        b"offline ",
        b"folder ",
        b"mailbox ",
        b"item ",
    ];
    let mut x = seed.wrapping_mul(2654435761).max(1);
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.extend_from_slice(words[(x % 5) as usize]);
        out.push((x >> 8) as u8);
    }
    out.truncate(len);
    out
}

struct Written {
    nid: Nid,
    data: Vec<u8>,
    subnodes: Vec<(Nid, Vec<u8>)>,
}

fn write_store(
    path: &std::path::Path,
    target: Target,
    crypt: CryptMethod,
    big: usize,
) -> Vec<Written> {
    let mut w = NdbWriter::create(path, target, crypt).unwrap();
    let max = w.variant().max_block_data();
    let mut written = Vec::new();
    // Sizes around the block boundary, a multi-block node, and `big` bytes (XXBLOCK for PST).
    let sizes = [1, 100, max - 1, max, max + 1, 3 * max + 17, big];
    for (i, &len) in sizes.iter().enumerate() {
        let nid = w.new_nid(0x04);
        let d = data(i as u32, len);
        let bid = w.write_data(&d).unwrap();
        w.add_node(nid, bid, 0, Nid(0x122));
        written.push(Written {
            nid,
            data: d,
            subnodes: Vec::new(),
        });
    }
    // A node with enough subnodes for an SIBLOCK over several SLBLOCKs.
    let nid = w.new_nid(0x04);
    let d = data(99, 300);
    let mut subs = Vec::new();
    let mut entries = Vec::new();
    for k in 0..700u32 {
        let sub_nid = Nid((k + 1) << 5 | 0x1F);
        let sd = data(1000 + k, 20 + k as usize % 50);
        let bid = w.write_data(&sd).unwrap();
        entries.push(SubnodeEntry {
            nid: sub_nid,
            bid_data: bid,
            bid_sub: 0,
        });
        subs.push((sub_nid, sd));
    }
    let sub_bid = w.write_subnodes(&entries).unwrap();
    let bid = w.write_data(&d).unwrap();
    w.add_node(nid, bid, sub_bid, Nid(0x122));
    written.push(Written {
        nid,
        data: d,
        subnodes: subs,
    });
    // Thousands of small nodes: several levels in both B-trees.
    for k in 0..3000u32 {
        let nid = w.new_nid(0x02);
        let d = data(5000 + k, 10 + (k as usize % 200));
        let bid = w.write_data(&d).unwrap();
        w.add_node(nid, bid, 0, Nid(0x122));
        written.push(Written {
            nid,
            data: d,
            subnodes: Vec::new(),
        });
    }
    w.finish().unwrap();
    written
}

fn check(path: &std::path::Path, written: &[Written], target: Target, crypt: CryptMethod) {
    let ndb = Ndb::open(path).unwrap();
    assert_eq!(ndb.variant(), target.variant());
    assert_eq!(ndb.header().crypt, crypt);
    for w in written {
        let node = ndb.node(w.nid).unwrap();
        assert_eq!(ndb.data(node.bid_data).unwrap(), w.data, "node {}", w.nid);
        let subs = ndb.subnodes(node.bid_sub).unwrap();
        assert_eq!(subs.len(), w.subnodes.len(), "node {}", w.nid);
        for (nid, d) in &w.subnodes {
            let e = subs.iter().find(|s| s.nid == *nid).unwrap();
            assert_eq!(&ndb.data(e.bid_data).unwrap(), d, "subnode {nid}");
        }
    }
    let mut count = 0;
    ndb.walk_nodes(|_| {
        count += 1;
        Ok(())
    })
    .unwrap();
    assert_eq!(count, written.len());
    // Every block listed reads back clean (CRC, signature, inflation).
    let mut bids = Vec::new();
    ndb.walk_blocks(|b| {
        bids.push(b.bid);
        Ok(())
    })
    .unwrap();
    for bid in bids {
        ndb.block(bid).unwrap();
    }
}

fn pffinfo(path: &std::path::Path) -> String {
    let out = Command::new("pffinfo")
        .arg(path)
        .output()
        .expect("pffinfo (Debian pff-tools) runs");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn unicode_pst_round_trips_in_every_encoding() {
    for crypt in [CryptMethod::None, CryptMethod::Permute, CryptMethod::Cyclic] {
        let dir = TempDir::new("wndb");
        let path = dir.path().join("out.pst");
        // 1,100 full blocks: more than one XBLOCK holds, so an XXBLOCK.
        let written = write_store(&path, Target::Pst, crypt, 1100 * 8176 + 5);
        check(&path, &written, Target::Pst, crypt);
        let info = pffinfo(&path);
        assert!(
            info.contains("Personal Storage Tables (PST)") && info.contains("64-bit"),
            "{info}"
        );
    }
}

#[test]
fn four_k_ost_round_trips_with_compressed_blocks() {
    let dir = TempDir::new("wndb4k");
    let path = dir.path().join("out.ost");
    let written = write_store(&path, Target::Ost4k, CryptMethod::None, 5 * 65512 + 3);
    check(&path, &written, Target::Ost4k, CryptMethod::None);
    let ndb = Ndb::open(&path).unwrap();
    let mut compressed = 0;
    ndb.walk_blocks(|b| {
        compressed += (b.cb != b.cb_inflated) as usize;
        Ok(())
    })
    .unwrap();
    assert!(compressed > 100, "only {compressed} blocks compressed");
    let info = pffinfo(&path);
    assert!(
        info.contains("Offline Storage Tables (OST)") && info.contains("64-bit with 4k page"),
        "{info}"
    );
}

#[test]
fn an_interrupted_write_leaves_nothing_under_the_target_name() {
    let dir = TempDir::new("wabort");
    let path = dir.path().join("half.pst");
    {
        let mut w = NdbWriter::create(&path, Target::Pst, CryptMethod::None).unwrap();
        w.write_data(&data(1, 50_000)).unwrap();
        // Dropped without finish: the export was cancelled or the process failed.
    }
    assert!(!path.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "the temporary file is removed too"
    );
}

#[test]
fn an_existing_file_is_never_overwritten() {
    let dir = TempDir::new("wexists");
    let path = dir.path().join("keep.pst");
    std::fs::write(&path, b"precious").unwrap();
    let e = NdbWriter::create(&path, Target::Pst, CryptMethod::None)
        .err()
        .expect("refused");
    assert!(e.to_string().contains("exists already"), "{e}");
    // Created by someone else between start and finish: still refused, still intact.
    let late = dir.path().join("late.pst");
    let w = NdbWriter::create(&late, Target::Pst, CryptMethod::None).unwrap();
    std::fs::write(&late, b"theirs").unwrap();
    assert!(w.finish().is_err());
    assert_eq!(std::fs::read(&late).unwrap(), b"theirs");
    assert_eq!(std::fs::read(&path).unwrap(), b"precious");
}

#[test]
fn a_data_tree_of_more_than_one_xblock_of_short_blocks_sums_their_real_sizes() {
    // Table rows and heaps split at their own boundaries, so blocks are not full; past
    // 1,021 of them the tree needs an XXBLOCK whose XBLOCKs count what they really hold.
    let dir = TempDir::new("wxxshort");
    let path = dir.path().join("rows.pst");
    let mut w = NdbWriter::create(&path, Target::Pst, CryptMethod::None).unwrap();
    let whole = data(7, 1100 * 8000 + 123);
    let parts: Vec<&[u8]> = whole.chunks(8000).collect();
    let bid = w.write_data_blocks(&parts).unwrap();
    let nid = w.new_nid(0x04);
    w.add_node(nid, bid, 0, Nid(0x122));
    w.finish().unwrap();
    let ndb = Ndb::open(&path).unwrap();
    let node = ndb.node(nid).unwrap();
    assert_eq!(ndb.data(node.bid_data).unwrap(), whole);
    let info = pffinfo(&path);
    assert!(info.contains("Personal Storage Tables (PST)"), "{info}");
}

/// Writes `n` small nodes, handing their entries over in a scattered order, with B-tree
/// entries spilled to disk every `run` entries.
fn write_spilled(
    path: &std::path::Path,
    n: u32,
    run: usize,
    twice: Option<u32>,
) -> Result<Vec<Written>, String> {
    let mut w = NdbWriter::create(path, Target::Pst, CryptMethod::None).unwrap();
    w.set_spill_run(run).unwrap();
    let mut written = Vec::new();
    for k in 0..n {
        let nid = w.new_nid(0x04);
        let d = data(7000 + k, 10 + (k as usize % 300));
        let bid = w.write_data(&d).unwrap();
        written.push((nid, bid, d));
    }
    // A permutation of 0..n: folders are finished after their messages, so the node index
    // never receives its entries in order.
    let step = 7919 % n;
    for i in 0..n {
        let (nid, bid, _) = &written[((i * step) % n) as usize];
        w.add_node(*nid, *bid, 0, Nid(0x122));
    }
    if let Some(k) = twice {
        let (nid, bid, _) = &written[k as usize];
        w.add_node(*nid, *bid, 0, Nid(0x122));
    }
    w.finish().map_err(|e| e.to_string())?;
    Ok(written
        .into_iter()
        .map(|(nid, _, data)| Written {
            nid,
            data,
            subnodes: Vec::new(),
        })
        .collect())
}

#[test]
fn entries_spilled_in_runs_come_back_as_one_index() {
    let dir = TempDir::new("wspill");
    let path = dir.path().join("spilled.pst");
    let written = write_spilled(&path, 4001, 97, None).unwrap();
    check(&path, &written, Target::Pst, CryptMethod::None);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["spilled.pst"], "the spill files are removed");
}

#[test]
fn a_node_written_twice_across_spilled_runs_is_refused_and_leaves_nothing() {
    let dir = TempDir::new("wspill2");
    let path = dir.path().join("twice.pst");
    let err = write_spilled(&path, 1000, 64, Some(3))
        .err()
        .expect("refused");
    assert!(err.contains("was written twice"), "{err}");
    assert!(!path.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "temporary and spill files are removed"
    );
}

#[test]
fn spill_files_live_beside_the_temporary_file_and_go_with_it() {
    let dir = TempDir::new("wspill3");
    let path = dir.path().join("half.pst");
    {
        let mut w = NdbWriter::create(&path, Target::Pst, CryptMethod::None).unwrap();
        w.set_spill_run(8).unwrap();
        for k in 0..40 {
            let nid = w.new_nid(0x04);
            let bid = w.write_data(&data(k, 50)).unwrap();
            w.add_node(nid, bid, 0, Nid(0x122));
        }
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let temp = format!(".half.pst.partial-{}", std::process::id());
        assert_eq!(
            names,
            [temp.clone(), format!("{temp}.bbt"), format!("{temp}.nbt")]
        );
        assert!(w.set_spill_run(100).is_err(), "too late once entries exist");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
