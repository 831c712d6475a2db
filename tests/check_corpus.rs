//! The corruption corpus: precise damage made to copies of the real stores and of
//! generated ones, each checked under a time limit. Every case must finish, must not
//! panic (neither the check nor the reader), and must be reported with the finding class
//! that names that damage. Prints a table: per finding class, the cases aimed at it that
//! it caught, and all the cases that raised it (damage has consequences further on).
//!
//! `cargo test --test check_corpus -- --nocapture` shows the table.

mod common;
mod corrupt;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use common::{TempDir, fixture};
use corrupt::{Image, heap_alloc, heap_root};
use ostdoctor::store::check::{CheckError, Class, check_store};
use ostdoctor::store::ndb::Nid;
use ostdoctor::store::ndb::btree::{Tree, bid_is_internal};
use ostdoctor::store::ndb::format::{u16_at, u32_at};
use ostdoctor::store::write::Target;
use ostdoctor::store::write::alloc::Layout;
use ostdoctor::store::write::synthetic::{GenOptions, generate};
use ostdoctor::store::{FolderInfo, Store};
use ostdoctor::work::Work;

/// No case may take longer than this (a hang or a runaway allocation would).
const LIMIT: Duration = Duration::from_secs(10);

/// What the original store holds, found once with the reader.
struct Facts {
    folders: Vec<FolderInfo>,
    /// (folder, item) for every item in a normal folder's contents table.
    items: Vec<(Nid, Nid)>,
}

impl Facts {
    fn read(store: &Store) -> Facts {
        let folders = store.folders().unwrap();
        let mut items = Vec::new();
        for f in folders.iter().filter(|f| !f.is_search_folder) {
            for m in store.message_nids(f.nid).unwrap() {
                items.push((f.nid, m));
            }
        }
        Facts { folders, items }
    }

    /// A folder (not the root) with a subfolder: (folder, subfolder).
    fn folder_with_child(&self) -> Option<(Nid, Nid)> {
        self.folders.iter().find_map(|c| {
            let p = c.parent?;
            (p != Nid::ROOT_FOLDER).then_some((p, c.nid))
        })
    }

    fn folders_with_items(&self) -> impl Iterator<Item = Nid> + '_ {
        self.folders
            .iter()
            .filter(|f| !f.is_search_folder && f.contents_rows.unwrap_or(0) > 0)
            .map(|f| f.nid)
    }
}

type Damage = fn(&mut Image, &Facts) -> Option<()>;

/// (name, class the check must report, the damage). A damage that does not apply to a
/// store (it has no such structure) returns `None` and is not counted.
const CASES: &[(&str, Class, Damage)] = &[
    ("header: a byte flipped", Class::Header, |img, _| {
        img.bytes[0x30] ^= 0xFF;
        Some(())
    }),
    (
        "header: a byte flipped past the partial checksum",
        Class::Header,
        |img, _| {
            // ANSI headers guard only the first 479 bytes.
            (!img.variant().is_ansi()).then(|| img.bytes[500] ^= 0x01)
        },
    ),
    (
        "node index: root page bit flip",
        Class::PageCrc,
        |img, _| {
            let root = img.root_page(Tree::Node);
            img.bytes[root.ib as usize + 5] ^= 0x40;
            Some(())
        },
    ),
    (
        "block index: leaf page bit flip",
        Class::PageCrc,
        |img, _| {
            let leaf = img.leaf_pages(Tree::Block)[0];
            img.bytes[leaf as usize + 9] ^= 0x08;
            Some(())
        },
    ),
    (
        "node index: page type changed",
        Class::PageTrailer,
        |img, _| {
            let root = img.root_page(Tree::Node);
            let t = root.ib as usize + img.variant().page_trailer_offset();
            img.bytes[t] = 0x80;
            Some(())
        },
    ),
    ("node index: page zeroed", Class::PageTrailer, |img, _| {
        let leaf = *img.leaf_pages(Tree::Node).last()?;
        let size = img.variant().page_size();
        img.bytes[leaf as usize..leaf as usize + size].fill(0);
        Some(())
    }),
    (
        "node index: entries out of order",
        Class::BtreeOrder,
        |img, _| {
            let leaf = img.leaf_pages(Tree::Node)[0];
            let page = img.page(Tree::Node, leaf);
            if page.count < 2 {
                return None;
            }
            let size = page.entry_size;
            let at = leaf as usize;
            let first: Vec<u8> = img.bytes[at..at + size].to_vec();
            img.bytes.copy_within(at + size..at + 2 * size, at);
            img.bytes[at + size..at + 2 * size].copy_from_slice(&first);
            img.reseal_page(leaf);
            Some(())
        },
    ),
    (
        "node index: page at the wrong level",
        Class::BtreeLevel,
        |img, _| {
            let v = img.variant();
            let level_at = v.btree_entries_size() + if v.page_size() == 4096 { 5 } else { 3 };
            let root = img.root_page(Tree::Node);
            let leaves = img.leaf_pages(Tree::Node);
            // A leaf below the root claims to be a branch; a lone root claims an absurd depth.
            let (page, level) = match leaves.iter().find(|&&l| l != root.ib) {
                Some(&leaf) => (leaf, 1),
                None => (root.ib, 0x30),
            };
            img.bytes[page as usize + level_at] = level;
            img.reseal_page(page);
            Some(())
        },
    ),
    ("block: a byte flipped", Class::BlockCrc, |img, _| {
        let b = img.block(img.node(Nid::ROOT_FOLDER).bid_data);
        img.bytes[b.ib as usize + 3] ^= 0x10;
        Some(())
    }),
    (
        "block: trailer names another block",
        Class::BlockTrailer,
        |img, _| {
            let b = img.block(img.node(Nid::ROOT_FOLDER).bid_data);
            let end = img.block_range(&b).end;
            let v = img.variant();
            let t = end - v.block_trailer_size();
            let bid_at = if v.is_ansi() { t + 4 } else { t + 8 };
            img.bytes[bid_at + 1] ^= 0x01;
            Some(())
        },
    ),
    ("block: zeroed", Class::BlockTrailer, |img, _| {
        let b = img.block(img.node(Nid::ROOT_FOLDER).bid_data);
        let r = img.block_range(&b);
        img.bytes[r].fill(0);
        Some(())
    }),
    (
        "blocks: two of the same size swapped",
        Class::BlockTrailer,
        |img, facts| {
            let (_, item) = *facts.items.first()?;
            let a = img.block(img.single_data_block(item)?);
            let size = img.block_range(&a).len();
            let b = img.blocks().into_iter().find(|b| {
                b.bid != a.bid && !bid_is_internal(b.bid) && img.block_range(b).len() == size
            })?;
            let (ra, rb) = (img.block_range(&a), img.block_range(&b));
            let copy_a: Vec<u8> = img.bytes[ra.clone()].to_vec();
            img.bytes.copy_within(rb.clone(), ra.start);
            img.bytes[rb].copy_from_slice(&copy_a);
            Some(())
        },
    ),
    (
        "block index: entry points past the end",
        Class::BbtOutOfFile,
        |img, facts| {
            let (_, item) = *facts.items.first()?;
            let bid = img.node(item).bid_data;
            let past = (img.bytes.len() as u64 + 0x10000) / 4096 * 4096;
            let (ib, _, _) = img.bbt_fields();
            img.edit_block_entry(bid, |img, at| img.put_id(at + ib, past))
        },
    ),
    (
        "block index: two blocks on the same bytes",
        Class::BbtOverlap,
        |img, facts| {
            let (_, item) = *facts.items.first()?;
            let a = img.node(item).bid_data;
            let b = img.block(img.node(Nid::ROOT_FOLDER).bid_data);
            let (ib, _, _) = img.bbt_fields();
            img.edit_block_entry(a, |img, at| img.put_id(at + ib, b.ib))
        },
    ),
    (
        "block index: reference count lowered",
        Class::Refcount,
        |img, _| {
            let b = img.block(img.node(Nid::ROOT_FOLDER).bid_data);
            let (_, _, refs) = img.bbt_fields();
            img.edit_block_entry(b.bid, |img, at| img.put_u16(at + refs, 1))
        },
    ),
    (
        "block index: reference count raised",
        Class::Refcount,
        |img, _| {
            let b = img.block(img.node(Nid::ROOT_FOLDER).bid_data);
            let (_, _, refs) = img.bbt_fields();
            img.edit_block_entry(b.bid, |img, at| img.put_u16(at + refs, b.refs + 3))
        },
    ),
    (
        "allocation map: a used block shown free",
        Class::Amap,
        |img, _| {
            if img.ndb().header().amap_valid == 0 {
                return None;
            }
            let v = img.variant();
            let layout = Layout::of(v);
            let b = img.block(img.node(Nid::ROOT_FOLDER).bid_data);
            let span = layout.amap_span();
            let page = layout.first_amap + (b.ib - layout.first_amap) / span * span;
            let bit = ((b.ib - page) / layout.slot) as usize;
            let at = page as usize + if v.is_ansi() { 4 } else { 0 } + bit / 8;
            img.bytes[at] &= !(0x80 >> (bit % 8));
            img.reseal_page(page);
            Some(())
        },
    ),
    (
        "data tree: total size changed",
        Class::DataTree,
        |img, _| {
            let x = img.blocks().into_iter().find(|b| {
                bid_is_internal(b.bid) && img.ndb().block(b.bid).is_ok_and(|d| d[0] == 0x01)
            })?;
            img.edit_block(x.bid, |d| {
                let total = u32_at(d, 4) + 1;
                d[4..8].copy_from_slice(&total.to_le_bytes());
            })
        },
    ),
    (
        "subnode tree: entry points at a missing block",
        Class::MissingBlock,
        |img, _| {
            let sl = img.blocks().into_iter().find(|b| {
                bid_is_internal(b.bid)
                    && img
                        .ndb()
                        .block(b.bid)
                        .is_ok_and(|d| d[0] == 0x02 && d[1] == 0 && u16_at(&d, 2) > 0)
            })?;
            let v = img.variant();
            let (id, start) = (v.id_size(), v.internal_block_header());
            img.edit_block(sl.bid, |d| {
                let missing = 0x3FFF_FFF0u64;
                d[start + id..start + 2 * id].copy_from_slice(&missing.to_le_bytes()[..id]);
            })
        },
    ),
    ("heap: signature damaged", Class::Heap, |img, _| {
        let bid = img.single_data_block(Nid::ROOT_FOLDER)?;
        img.edit_block(bid, |d| d[2] = 0x6C)
    }),
    (
        "heap: page map offset damaged",
        Class::Heap,
        |img, facts| {
            let bid = facts
                .items
                .iter()
                .find_map(|&(_, m)| img.single_data_block(m))?;
            img.edit_block(bid, |d| {
                let past = (d.len() + 100) as u16;
                d[0..2].copy_from_slice(&past.to_le_bytes());
            })
        },
    ),
    ("BTH: header damaged", Class::Bth, |img, facts| {
        let v = img.variant();
        let bid = facts
            .items
            .iter()
            .find_map(|&(_, m)| img.single_data_block(m))?;
        img.edit_block(bid, |d| {
            let r = heap_alloc(v, d, heap_root(d));
            d[r.start + 1] = 3;
        })
    }),
    (
        "table: TCINFO column count damaged",
        Class::Table,
        |img, facts| {
            let v = img.variant();
            let bid = facts
                .folders_with_items()
                .find_map(|f| img.single_data_block(f.with_type(0x0E)))?;
            img.edit_block(bid, |d| {
                let r = heap_alloc(v, d, heap_root(d));
                d[r.start + 1] = 0xF0;
            })
        },
    ),
    (
        // Rows shorter than their row id once made reading row ids panic.
        "table: rows too short for a row id",
        Class::Table,
        |img, facts| {
            let v = img.variant();
            let bid = facts
                .folders_with_items()
                .find_map(|f| img.single_data_block(f.with_type(0x0E)))?;
            img.edit_block(bid, |d| {
                let r = heap_alloc(v, d, heap_root(d));
                // No columns, so no cell bitmap: only the row size is wrong.
                d[r.start + 1] = 0;
                d[r.start + 2..r.start + 10].copy_from_slice(&[0, 0, 0, 0, 0, 0, 2, 0]);
            })
        },
    ),
    (
        // A row index whose records are 5 bytes once made reading row positions panic in
        // info, check, logs and export alike. With a multiple of 5 rows the index's bytes
        // still split into whole 5-byte records, so only the record shape can tell.
        "table: row index BTH data size 1",
        Class::Bth,
        |img, facts| {
            let v = img.variant();
            let bid = facts
                .folders
                .iter()
                .filter(|f| f.contents_rows.is_some_and(|n| n > 0 && n % 5 == 0))
                .find_map(|f| img.single_data_block(f.nid.with_type(0x0E)))?;
            img.edit_block(bid, |d| {
                let info = heap_alloc(v, d, heap_root(d));
                let bth = heap_alloc(v, d, u32_at(d, info.start + 10));
                d[bth.start + 2] = 1;
            })
        },
    ),
    (
        "table: a row id changed in the row matrix",
        Class::Table,
        |img, facts| {
            let v = img.variant();
            let bid = facts.folders_with_items().find_map(|f| {
                let bid = img.single_data_block(f.with_type(0x0E))?;
                let d = img.ndb().block(bid).ok()?;
                let info = heap_alloc(v, &d, heap_root(&d));
                (u32_at(&d, info.start + 14) & 0x1F == 0).then_some(bid)
            })?;
            img.edit_block(bid, |d| {
                let info = heap_alloc(v, d, heap_root(d));
                let rows = heap_alloc(v, d, u32_at(d, info.start + 14));
                d[rows.start + 2] ^= 0x01;
            })
        },
    ),
    (
        "folder: item count changed",
        Class::ContentCount,
        |img, facts| {
            let v = img.variant();
            let (folder, bid) = facts
                .folders_with_items()
                .find_map(|f| Some((f, img.single_data_block(f)?)))?;
            let _ = folder;
            let d = img.ndb().block(bid).ok()?;
            let bth = heap_alloc(v, &d, heap_root(&d));
            if d[bth.start + 3] != 0 {
                return None;
            }
            let records = heap_alloc(v, &d, u32_at(&d, bth.start + 4));
            let at = records
                .clone()
                .step_by(8)
                .find(|&at| u16_at(&d, at) == 0x3602)?;
            img.edit_block(bid, |d| {
                let count = u32_at(d, at + 4) + 7;
                d[at + 4..at + 8].copy_from_slice(&count.to_le_bytes());
            })
        },
    ),
    (
        "item: parent changed to a folder that does not exist",
        Class::OrphanMessage,
        |img, facts| {
            let (_, item) = *facts.items.first()?;
            let field = img.nbt_parent_field();
            img.edit_node(item, |img, at| img.put_u32(at + field, 0x1FF_FFE2))
        },
    ),
    (
        "folder: made its own ancestor",
        Class::HierarchyLoop,
        |img, facts| {
            let (folder, child) = facts.folder_with_child()?;
            let field = img.nbt_parent_field();
            img.edit_node(folder, |img, at| img.put_u32(at + field, child.0))
        },
    ),
    (
        "folder: made its own parent",
        Class::HierarchyLoop,
        |img, facts| {
            let (folder, _) = facts.folder_with_child()?;
            let field = img.nbt_parent_field();
            img.edit_node(folder, |img, at| img.put_u32(at + field, folder.0))
        },
    ),
    (
        "folder: hierarchy table lists the root folder",
        Class::HierarchyLoop,
        |img, facts| {
            let v = img.variant();
            let (folder, child) = facts.folder_with_child()?;
            let bid = img.single_data_block(folder.with_type(0x0D))?;
            let d = img.ndb().block(bid).ok()?;
            let info = heap_alloc(v, &d, heap_root(&d));
            let rows_hid = u32_at(&d, info.start + 14);
            if rows_hid & 0x1F != 0 {
                return None;
            }
            let rows = heap_alloc(v, &d, rows_hid);
            let row_size = u16_at(&d, info.start + 8) as usize;
            let at = rows
                .step_by(row_size)
                .find(|&at| u32_at(&d, at) == child.0)?;
            img.edit_block(bid, |d| {
                d[at..at + 4].copy_from_slice(&Nid::ROOT_FOLDER.0.to_le_bytes())
            })
        },
    ),
    (
        "root folder: gone from the node index",
        Class::MissingFolder,
        |img, _| img.edit_node(Nid::ROOT_FOLDER, |img, at| img.put_u32(at, 0x123)),
    ),
    (
        "store: top of the mailbox points nowhere",
        Class::MissingFolder,
        |img, _| point_store_entry_id_nowhere(img, 0x35E0),
    ),
    (
        "store: Deleted Items points nowhere",
        Class::MissingFolder,
        |img, _| point_store_entry_id_nowhere(img, 0x35E3),
    ),
    ("truncated inside the header", Class::Truncated, |img, _| {
        img.bytes.truncate(300);
        Some(())
    }),
    (
        "truncated just after the header",
        Class::Truncated,
        |img, _| {
            img.bytes.truncate(1024);
            Some(())
        },
    ),
    ("truncated at half", Class::Truncated, |img, _| {
        let half = img.bytes.len() / 2;
        img.bytes.truncate(half);
        Some(())
    }),
    ("truncated near the end", Class::Truncated, |img, _| {
        let near = img.bytes.len() - 512;
        img.bytes.truncate(near);
        Some(())
    }),
];

/// Changes the folder a message store entry id (a 24-byte binary in the store's heap)
/// names to one that does not exist. Offline stores have no such entry ids.
fn point_store_entry_id_nowhere(img: &mut Image, tag: u16) -> Option<()> {
    let v = img.variant();
    let bid = img.single_data_block(Nid::MESSAGE_STORE)?;
    let d = img.ndb().block(bid).ok()?;
    let bth = heap_alloc(v, &d, heap_root(&d));
    if d[bth.start + 3] != 0 {
        return None;
    }
    let records = heap_alloc(v, &d, u32_at(&d, bth.start + 4));
    let at = records.step_by(8).find(|&at| u16_at(&d, at) == tag)?;
    let value = heap_alloc(v, &d, u32_at(&d, at + 4));
    if value.len() != 24 {
        return None;
    }
    img.edit_block(bid, |d| {
        d[value.start + 20..value.end].copy_from_slice(&0x1FF_FFC2u32.to_le_bytes())
    })
}

/// What the reader does with a store (as `info` and export read it); any error is fine.
fn read_all(path: &Path) {
    let Ok(store) = Store::open(path) else {
        return;
    };
    let _ = store.properties();
    let Ok(folders) = store.folders() else {
        return;
    };
    for f in folders.iter().filter(|f| !f.is_search_folder) {
        for nid in store.message_nids(f.nid).unwrap_or_default() {
            if let Ok(m) = store.message(nid) {
                let _ = m.summary();
                let _ = m.recipients();
                let _ = m.attachments();
            }
        }
    }
}

enum Outcome {
    Classes(BTreeSet<Class>),
    NotOpened(String),
    Panicked,
    TimedOut,
}

/// Checks and reads `path` on a thread of its own, within the time limit.
fn run(path: PathBuf) -> Outcome {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(|| {
            let log = check_store(&path, &mut Work::quiet());
            read_all(&path);
            log
        });
        let _ = tx.send(result);
    });
    match rx.recv_timeout(LIMIT) {
        Ok(Ok(Ok(log))) => Outcome::Classes(log.findings.iter().map(|f| f.class).collect()),
        Ok(Ok(Err(CheckError::Open(e)))) => Outcome::NotOpened(e.to_string()),
        Ok(Ok(Err(e))) => Outcome::NotOpened(e.to_string()),
        Ok(Err(_)) => Outcome::Panicked,
        Err(_) => Outcome::TimedOut,
    }
}

fn generated(dir: &TempDir, target: Target, name: &str) -> PathBuf {
    let path = dir.path().join(name);
    generate(
        &path,
        &GenOptions {
            target,
            folders: 10,
            messages: 60,
            seed: 5,
            sync_log_lines: vec!["10:00:00 Done".into()],
            attachment_kb: None,
        },
    )
    .unwrap();
    path
}

/// The stores the corpus damages: the real fixtures and a generated store per format.
fn sources(dir: &TempDir) -> Vec<(String, PathBuf)> {
    let mut sources: Vec<(String, PathBuf)> =
        ["ansi-32bit.pst", "enron.pst", "outlook-com-2013.ost"]
            .iter()
            .filter_map(|n| Some((n.to_string(), fixture(n)?)))
            .collect();
    sources.push((
        "generated.pst".into(),
        generated(dir, Target::Pst, "gen.pst"),
    ));
    sources.push((
        "generated.ost".into(),
        generated(dir, Target::Ost4k, "gen.ost"),
    ));
    sources
}

#[test]
fn every_kind_of_damage_is_reported_with_its_class() {
    let dir = TempDir::new("corpus");
    let sources = sources(&dir);

    let mut raised: BTreeMap<Class, usize> = BTreeMap::new();
    // Per class the damage was made for: (cases caught, cases made).
    let mut aimed: BTreeMap<Class, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut total = 0;
    for (name, src) in &sources {
        let store = Store::open(src).unwrap();
        let facts = Facts::read(&store);
        let original = std::fs::read(src).unwrap();
        for (i, &(case, expected, damage)) in CASES.iter().enumerate() {
            let mut img = Image::new(&store, original.clone());
            if damage(&mut img, &facts).is_none() {
                println!("{name:<22} {case:<55} not applicable");
                continue;
            }
            total += 1;
            let path = dir.path().join(format!("case-{i}-{name}"));
            std::fs::write(&path, &img.bytes).unwrap();
            let outcome = run(path.clone());
            let _ = std::fs::remove_file(&path);
            let (caught, got) = match &outcome {
                Outcome::Classes(classes) => {
                    for &c in classes {
                        *raised.entry(c).or_default() += 1;
                    }
                    let names: Vec<&str> = classes.iter().map(|c| c.name()).collect();
                    (classes.contains(&expected), names.join(","))
                }
                // Damage that leaves no recognizable header may stop the check at the door.
                Outcome::NotOpened(e) => (expected == Class::Header, format!("not opened: {e}")),
                Outcome::Panicked => (false, "PANIC".into()),
                Outcome::TimedOut => (false, format!("TIMED OUT after {LIMIT:?}")),
            };
            let tally = aimed.entry(expected).or_default();
            tally.0 += caught as usize;
            tally.1 += 1;
            println!(
                "{name:<22} {case:<55} {} {}: {got}",
                if caught { "caught" } else { "MISSED" },
                expected.name()
            );
            if !caught {
                failures.push(format!(
                    "{name}: {case}: expected {}, got {got}",
                    expected.name()
                ));
            }
        }
    }
    println!(
        "\n{:<20} {:>14} {:>14}",
        "finding class", "caught/aimed", "raised in"
    );
    let classes: BTreeSet<Class> = raised.keys().chain(aimed.keys()).copied().collect();
    for class in classes {
        let (caught, made) = aimed.get(&class).copied().unwrap_or_default();
        let aimed = if made > 0 {
            format!("{caught}/{made}")
        } else {
            "-".into()
        };
        let raised = raised.get(&class).copied().unwrap_or_default();
        println!("{:<20} {aimed:>14} {raised:>14}", class.name());
    }
    println!("{:<20} {total:>14}", "cases in total");
    assert!(total >= 5 * 25, "only {total} cases applied");
    assert!(
        failures.is_empty(),
        "{} of {total} cases missed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Items a tool got out of one damaged copy, or why none.
fn count_files(dir: &Path, keep: &dyn Fn(&str) -> bool) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        if keep(&name) && (path.is_dir() || path.is_file()) {
            n += 1;
        }
        if path.is_dir() {
            n += count_files(&path, keep);
        }
    }
    n
}

/// Runs a peer under a time limit; whatever it wrote before it finished, crashed or was
/// stopped is what it saved.
fn peer(program: &str, args: &[&str]) -> &'static str {
    let status = std::process::Command::new("timeout")
        .arg("20")
        .arg(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    match status.map(|s| s.code()) {
        Ok(Some(0)) => "",
        Ok(Some(124)) => " (timed out)",
        Ok(None) | Ok(Some(_)) => " (failed)",
        Err(_) => " (not installed)",
    }
}

/// A measurement, not a test (`cargo test --release --test check_corpus -- --ignored
/// --nocapture salvage`): every corpus case exported by us and by the peers, pffexport
/// (`-m all`, recovery included) and readpst, with the items each got out, per damage
/// family. Neither peer checks a CRC, so their counts include items whose bytes are corrupt.
#[test]
#[ignore]
fn salvage_against_peers() {
    let dir = TempDir::new("salvage");
    let sources = sources(&dir);
    // Per family: cases, items in the originals, and items saved by us, pffexport, readpst.
    let mut families: BTreeMap<String, [usize; 5]> = BTreeMap::new();
    for (name, src) in &sources {
        let store = Store::open(src).unwrap();
        let facts = Facts::read(&store);
        let items = facts.items.len();
        let original = std::fs::read(src).unwrap();
        for (i, &(case, _, damage)) in CASES.iter().enumerate() {
            let mut img = Image::new(&store, original.clone());
            if damage(&mut img, &facts).is_none() {
                continue;
            }
            let case_dir = dir.path().join(format!("case-{i}-{name}"));
            std::fs::create_dir_all(&case_dir).unwrap();
            let path = case_dir.join(name);
            std::fs::write(&path, &img.bytes).unwrap();

            let dest = case_dir.join("ours.pst");
            let ours = Store::open_for_salvage(&path)
                .ok()
                .and_then(|s| {
                    ostdoctor::store::write::copy::export(&s, &dest, Target::Pst, &[], |_| {}).ok()
                })
                .map_or(0, |summary| summary.items);

            let pff_out = case_dir.join("pff");
            let pff_note = peer(
                "pffexport",
                &[
                    "-q",
                    "-m",
                    "all",
                    "-t",
                    pff_out.to_str().unwrap(),
                    path.to_str().unwrap(),
                ],
            );
            let pff_dir = case_dir.join("pff.export");
            let is_item = |n: &str| {
                let digits = n.trim_start_matches(|c: char| c.is_ascii_alphabetic());
                digits.len() == 5 && digits.chars().all(|c| c.is_ascii_digit()) && n.len() > 5
            };
            let pff = count_files(&pff_dir, &is_item)
                + count_files(&case_dir.join("pff.recovered"), &is_item)
                + count_files(&case_dir.join("pff.orphans"), &is_item);

            let pst_out = case_dir.join("readpst");
            std::fs::create_dir_all(&pst_out).unwrap();
            let pst_note = peer(
                "readpst",
                &[
                    "-q",
                    "-S",
                    "-D",
                    "-o",
                    pst_out.to_str().unwrap(),
                    path.to_str().unwrap(),
                ],
            );
            let pst = count_files(&pst_out, &|n: &str| n.chars().all(|c| c.is_ascii_digit()));

            let family = case.split(':').next().unwrap_or(case).to_string();
            let f = families.entry(family).or_default();
            f[0] += 1;
            f[1] += items;
            f[2] += ours;
            f[3] += pff;
            f[4] += pst;
            println!(
                "{name:<22} {case:<55} items {items:>4}: ours {ours:>4}, pffexport {pff:>4}{pff_note}, readpst {pst:>4}{pst_note}"
            );
            let _ = std::fs::remove_dir_all(&case_dir);
        }
    }
    println!(
        "\n{:<28} {:>5} {:>7} {:>7} {:>9} {:>7}",
        "family", "cases", "items", "ours", "pffexport", "readpst"
    );
    let pct = |n: usize, of: usize| format!("{:.0}%", 100.0 * n as f64 / of.max(1) as f64);
    for (family, [cases, items, ours, pff, pst]) in &families {
        println!(
            "{family:<28} {cases:>5} {items:>7} {:>7} {:>9} {:>7}",
            pct(*ours, *items),
            pct(*pff, *items),
            pct(*pst, *items)
        );
    }
}
