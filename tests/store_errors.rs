//! Damaged and foreign files give a specific, located error, never a panic.

mod common;

use std::path::{Path, PathBuf};

use common::{TempDir, fixture};
use ostdoctor::store::ndb::{Ndb, btree};
use ostdoctor::store::{Error, ErrorKind, NotOutlookReason, Store};

fn copy_with(dir: &TempDir, src: &Path, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(src).unwrap();
    edit(&mut bytes);
    let out = dir.path().join(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

/// Opens and reads everything the `info` command reads, returning the first error.
fn read_all(path: &Path) -> Result<usize, Error> {
    let store = Store::open(path)?;
    store.properties()?;
    let folders = store.folders()?;
    let mut n = 0;
    for f in &folders {
        if f.is_search_folder {
            continue;
        }
        for nid in store.message_nids(f.nid)? {
            store.message(nid)?.summary()?;
            n += 1;
        }
    }
    Ok(n)
}

fn message(e: &Error) -> String {
    e.to_string()
}

#[test]
fn a_text_file_is_not_an_outlook_data_file_because_of_its_magic() {
    let dir = TempDir::new("text");
    let p = dir.path().join("notes.ost");
    std::fs::write(&p, "Dear helpdesk, my Outlook is broken.\n").unwrap();
    let e = Store::open(&p).unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::NotOutlookFile(NotOutlookReason::WrongMagic { found }) if &found == b"Dear")
    );
    let m = message(&e);
    assert!(m.contains("notes.ost"), "{m}");
    assert!(
        m.contains("not an Outlook data file") && m.contains("!BDN") && m.contains("\"Dear\""),
        "{m}"
    );
}

#[test]
fn an_empty_file_is_too_short() {
    let dir = TempDir::new("empty");
    let p = dir.path().join("empty.pst");
    std::fs::write(&p, b"").unwrap();
    let e = Store::open(&p).unwrap_err();
    assert!(
        matches!(
            e.kind,
            ErrorKind::NotOutlookFile(NotOutlookReason::TooShort { len: 0 })
        ),
        "{e}"
    );
}

#[test]
fn an_unknown_version_is_named() {
    let Some(src) = fixture("enron.pst") else {
        return;
    };
    let dir = TempDir::new("version");
    let p = copy_with(&dir, &src, "v99.pst", |b| b[10] = 99);
    let e = Store::open(&p).unwrap_err();
    assert!(
        matches!(
            e.kind,
            ErrorKind::NotOutlookFile(NotOutlookReason::UnknownVersion { found: 99 })
        ),
        "{e}"
    );
    assert!(message(&e).contains("format version is 99"), "{e}");
}

#[test]
fn a_truncated_store_opens_and_says_so_with_both_lengths() {
    for name in ["ansi-32bit.pst", "enron.pst", "outlook-com-2013.ost"] {
        let Some(src) = fixture(name) else { continue };
        let dir = TempDir::new("trunc");
        let full = std::fs::metadata(&src).unwrap().len();
        let p = copy_with(&dir, &src, name, |b| b.truncate(b.len() / 2));
        // What lies before the cut can still be read: the store opens, with the damage.
        let store = Store::open(&p).unwrap();
        let [e] = store.ndb().damage() else {
            panic!("{name}: {:?}", store.ndb().damage());
        };
        match &e.kind {
            ErrorKind::NotOutlookFile(NotOutlookReason::Truncated {
                expected_len,
                actual_len,
            }) => {
                assert_eq!(*expected_len, full, "{name}");
                assert_eq!(*actual_len, full / 2, "{name}");
            }
            other => panic!("{name}: expected truncation, got {other}"),
        }
        assert!(message(e).contains("truncated"), "{e}");
    }
}

#[test]
fn a_flipped_byte_in_the_header_fails_its_checksum() {
    for (name, at) in [
        ("ansi-32bit.pst", 40usize),
        ("enron.pst", 100),
        ("outlook-com-2013.ost", 100),
    ] {
        let Some(src) = fixture(name) else { continue };
        let dir = TempDir::new("hdr");
        let p = copy_with(&dir, &src, name, |b| b[at] ^= 0x01);
        let e = Store::open(&p).unwrap_err();
        assert!(
            matches!(
                e.kind,
                ErrorKind::NotOutlookFile(NotOutlookReason::HeaderCrc { .. })
            ),
            "{name}: {e}"
        );
        assert!(message(&e).contains("header is damaged"), "{e}");
    }
}

#[test]
fn a_flipped_byte_in_a_btree_page_fails_its_crc_at_that_page() {
    for name in ["ansi-32bit.pst", "enron.pst", "outlook-com-2013.ost"] {
        let Some(src) = fixture(name) else { continue };
        let root = Ndb::open(&src).unwrap().header().nbt_root;
        let dir = TempDir::new("page");
        let p = copy_with(&dir, &src, name, |b| b[root.ib as usize + 5] ^= 0x40);
        let e = read_all(&p).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Crc { .. }), "{name}: {e}");
        assert_eq!(e.at.structure, "node B-tree page", "{name}");
        assert_eq!(e.at.offset, Some(root.ib), "{name}");
        let m = message(&e);
        assert!(
            m.contains(name) && m.contains(&format!("0x{:X}", root.ib)),
            "{m}"
        );
    }
}

#[test]
fn a_flipped_byte_in_a_block_fails_its_crc_at_that_block() {
    for name in ["ansi-32bit.pst", "enron.pst", "outlook-com-2013.ost"] {
        let Some(src) = fixture(name) else { continue };
        let ndb = Ndb::open(&src).unwrap();
        // The root folder's properties: every reader needs this block.
        let node = ndb.node(ostdoctor::store::ndb::Nid::ROOT_FOLDER).unwrap();
        let block = ndb.find_block(node.bid_data).unwrap().unwrap();
        drop(ndb);
        let dir = TempDir::new("block");
        let p = copy_with(&dir, &src, name, |b| b[block.ib as usize + 3] ^= 0x10);
        let e = read_all(&p).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Crc { .. }), "{name}: {e}");
        assert_eq!(e.at.structure, "block", "{name}");
        assert_eq!(e.at.offset, Some(block.ib), "{name}");
        assert_eq!(e.at.bid, Some(block.bid), "{name}");
    }
}

#[test]
fn a_compressed_block_that_lies_about_its_size_is_reported_not_inflated_blindly() {
    let Some(src) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let ndb = Ndb::open(&src).unwrap();
    let mut compressed = None;
    ndb.walk_blocks(|b| {
        if compressed.is_none() && b.cb != b.cb_inflated {
            compressed = Some(b);
        }
        Ok(())
    })
    .unwrap();
    let block = compressed.expect("the real OST has compressed blocks");
    assert_eq!(
        ndb.block(block.bid).unwrap().len(),
        block.cb_inflated as usize
    );
    // The live leaf page holding the entry (stale copies of old pages stay in the file).
    let current = std::cell::Cell::new(0u64);
    let mut page = None;
    btree::walk(
        ndb.file(),
        ndb.variant(),
        btree::Tree::Block,
        ndb.header().bbt_root,
        |visit| current.set(visit.bref.ib),
        |entry| {
            if entry[..8] == block.bid.to_le_bytes() {
                page = Some(current.get() as usize);
            }
            Ok(())
        },
    )
    .unwrap();
    let page = page.expect("leaf page holding the block");
    drop(ndb);

    // Promise one byte fewer in that entry, and re-seal the page's CRC so only the promise
    // is wrong.
    let dir = TempDir::new("inflate");
    let p = copy_with(&dir, &src, "lie.ost", |b| {
        let pg = &mut b[page..page + 4096];
        let count = u16::from_le_bytes([pg[4056], pg[4057]]) as usize;
        let i = (0..count)
            .find(|&i| pg[i * 24..i * 24 + 8] == block.bid.to_le_bytes())
            .unwrap();
        let fewer = (block.cb_inflated - 1).to_le_bytes();
        pg[i * 24 + 18..i * 24 + 20].copy_from_slice(&fewer);
        let crc = ostdoctor::store::ndb::crc::crc32(&pg[..4072]);
        pg[4076..4080].copy_from_slice(&crc.to_le_bytes());
    });
    let e = Ndb::open(&p).unwrap().block(block.bid).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Decompress { .. }), "{e}");
    assert_eq!(e.at.offset, Some(block.ib));
    assert!(
        message(&e).contains(&format!("promises {}", block.cb_inflated - 1)),
        "{e}"
    );
}

#[test]
fn every_byte_flip_across_the_first_pages_is_an_error_or_a_good_read_never_a_panic() {
    // A coarse sweep: flip one byte every 509 bytes through the whole file, one copy each.
    let Some(src) = fixture("ansi-32bit.pst") else {
        return;
    };
    let bytes = std::fs::read(&src).unwrap();
    let dir = TempDir::new("sweep");
    let p = dir.path().join("sweep.pst");
    let (mut errors, mut fine) = (0, 0);
    for at in (0..bytes.len()).step_by(509) {
        let mut copy = bytes.clone();
        copy[at] ^= 0xFF;
        std::fs::write(&p, &copy).unwrap();
        match read_all(&p) {
            Ok(_) => fine += 1,
            Err(e) => {
                errors += 1;
                assert!(message(&e).contains("sweep.pst"), "{e}");
            }
        }
    }
    assert!(
        errors > 0 && fine > 0,
        "errors {errors}, clean reads {fine}"
    );
}
