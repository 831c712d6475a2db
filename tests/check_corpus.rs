//! The corruption corpus: precise damage made to copies of the real stores and of
//! generated ones, each checked under a time limit. Every case must finish, must not
//! panic (neither the check nor the reader), and must be reported with the finding class
//! that names that damage. Prints a table: per finding class, the cases aimed at it that
//! it caught, and all the cases that raised it (damage has consequences further on).
//!
//! `cargo test --test check_corpus -- --nocapture` shows the tables; the salvage one, items
//! saved by us and by the peers per damage family, is `tests/bench/salvage-vs-peers.sh`.

mod common;
mod corrupt;
mod oracle;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use common::{TempDir, fixture};
use corrupt::{Image, heap_alloc, heap_root};
use ostdoctor::store::JobError;
use ostdoctor::store::check::{Class, check_store};
use ostdoctor::store::ndb::Nid;
use ostdoctor::store::ndb::btree::{Tree, bid_is_internal};
use ostdoctor::store::ndb::format::{u16_at, u32_at};
use ostdoctor::store::ndb::header::{CRC_FROM, HeaderLayout, PARTIAL_CRC_LEN};
use ostdoctor::store::ndb::layout::Layout;
use ostdoctor::store::write::Target;
use ostdoctor::store::{FolderInfo, Store};
use ostdoctor::synthetic::{GenOptions, generate};
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
        // A byte of the node-id counters, which every checksum covers.
        let at = HeaderLayout::of(img.variant()).nid_next + 4;
        img.bytes[at] ^= 0xFF;
        Some(())
    }),
    (
        "header: a byte flipped past the partial checksum",
        Class::Header,
        |img, _| {
            // ANSI headers have only the partial checksum: nothing past it is guarded.
            let guarded_by_full = HeaderLayout::of(img.variant()).full_crc.is_some();
            guarded_by_full.then(|| img.bytes[CRC_FROM + PARTIAL_CRC_LEN + 21] ^= 0x01)
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
        Ok(Ok(Err(JobError::Store(e)))) => Outcome::NotOpened(e.to_string()),
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

/// Subjects, each with how many items carry it.
type Tally = HashMap<String, usize>;

fn tally(subjects: Vec<String>) -> Tally {
    let mut t = Tally::new();
    for s in subjects {
        *t.entry(s).or_default() += 1;
    }
    t
}

/// The items of `got` that stand for an item of `original`, each original item matched at
/// most once: a tool's recovery scan that writes one item twice, or bytes that no longer
/// read as the item's subject, count for nothing.
fn matched(got: &Tally, original: &Tally) -> usize {
    got.iter()
        .map(|(s, n)| (*n).min(original.get(s).copied().unwrap_or(0)))
        .sum()
}

/// Runs a command under a time and memory limit; whatever it wrote before it finished,
/// crashed or was stopped is what it saved. The note says how it ended, when not well.
fn limited(program: &Path, args: &[&str]) -> (Option<i32>, String) {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_KB}; exec timeout {} \"$0\" \"$@\"",
            PEER_LIMIT.as_secs()
        ))
        .arg(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    match status.map(|s| s.code()) {
        Ok(Some(0)) => (Some(0), String::new()),
        Ok(Some(124)) => (Some(124), " (timed out)".into()),
        Ok(Some(c)) => (Some(c), format!(" (exit {c})")),
        Ok(None) => (None, " (crashed)".into()),
        Err(e) => (None, format!(" (could not start: {e})")),
    }
}

/// Each command of a salvage run gets this long and this much memory.
const PEER_LIMIT: Duration = Duration::from_secs(60);
const MEMORY_KB: u64 = 4 << 20;

/// The subjects of every item in every folder of a store we wrote.
fn subjects_in(store: &Path) -> Vec<String> {
    let Ok(store) = Store::open(store) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in store.folders().unwrap_or_default() {
        if f.is_search_folder {
            continue;
        }
        for nid in store.message_nids(f.nid).unwrap_or_default() {
            let subject = store
                .message(nid)
                .and_then(|m| m.summary())
                .map(|s| s.subject.unwrap_or_default());
            out.push(subject.unwrap_or_default());
        }
    }
    out
}

/// What each tool got out of one store: the subjects of the items it wrote, and how it
/// ended when not well.
struct Saved {
    ours: Vec<String>,
    pff: Vec<String>,
    pst: Vec<String>,
    notes: [String; 3],
    /// Our export ended in a way that is a defect: a crash, a time-out, an exit status
    /// it does not document.
    ours_failed: bool,
}

fn salvage(path: &Path, work: &Path) -> Saved {
    std::fs::create_dir_all(work).unwrap();
    let p = path.to_str().unwrap();
    let dest = work.join("ours.pst");
    let (status, ours_note) = limited(
        Path::new(env!("CARGO_BIN_EXE_ostdoctor")),
        &["export", p, dest.to_str().unwrap(), "--json"],
    );
    // 0: all copied; 5: copied with losses, listed; 1 and 2: a clear error (the store
    // could not be opened at all).
    let ours_failed = !matches!(status, Some(0 | 1 | 2 | 5));
    let ours = subjects_in(&dest);

    let pff_base = work.join("pff");
    let (_, pff_note) = limited(
        Path::new("pffexport"),
        &[
            "-q",
            "-m",
            "all",
            "-f",
            "text",
            "-t",
            pff_base.to_str().unwrap(),
            p,
        ],
    );
    let pff: Vec<String> = ["pff.export", "pff.recovered", "pff.orphans"]
        .iter()
        .flat_map(|d| oracle::pffexport_subjects(&work.join(d)))
        .collect();

    let pst_out = work.join("readpst");
    std::fs::create_dir_all(&pst_out).unwrap();
    let (_, pst_note) = limited(
        Path::new("readpst"),
        &[
            "-q",
            "-j",
            "0",
            "-S",
            "-D",
            "-o",
            pst_out.to_str().unwrap(),
            p,
        ],
    );
    let pst = oracle::readpst_subjects(&pst_out);
    Saved {
        ours,
        pff,
        pst,
        notes: [ours_note, pff_note, pst_note],
        ours_failed,
    }
}

/// Per damage family: cases, and for us, pffexport and readpst (in that order) the items
/// saved and the items each got out of the undamaged originals.
#[derive(Default)]
struct FamilyTally {
    cases: usize,
    saved: [usize; 3],
    of: [usize; 3],
}

impl FamilyTally {
    fn share(&self, tool: usize) -> f64 {
        self.saved[tool] as f64 / self.of[tool].max(1) as f64
    }
}

/// Every corpus case of `sources` exported by us and by the peers, pffexport (`-m all`,
/// recovery included) and readpst, side by side in one run. Each tool's items are matched
/// by subject against what the same tool gets out of the undamaged original, so neither
/// its own way of counting nor a recovery scan that writes an item twice inflates it;
/// neither peer checks a checksum, so their counts may still hold corrupt bodies. Returns
/// the families and the defects found: our export crashing or hanging, or saving nothing
/// where a peer saves something.
fn salvage_against_peers(
    sources: &[(String, PathBuf)],
    dir: &TempDir,
) -> (BTreeMap<String, FamilyTally>, Vec<String>) {
    let mut families: BTreeMap<String, FamilyTally> = BTreeMap::new();
    let mut defects = Vec::new();
    for (name, src) in sources {
        let store = Store::open(src).unwrap();
        let facts = Facts::read(&store);
        let original = std::fs::read(src).unwrap();
        let whole = salvage(src, &dir.path().join(format!("whole-{name}")));
        let want: [Tally; 3] = [
            tally(whole.ours.clone()),
            tally(whole.pff.clone()),
            tally(whole.pst.clone()),
        ];
        let of = want.each_ref().map(|t| t.values().sum::<usize>());
        assert_eq!(of[0], facts.items.len(), "{name}: our copy of the original");
        for (i, &(case, _, damage)) in CASES.iter().enumerate() {
            let mut img = Image::new(&store, original.clone());
            if damage(&mut img, &facts).is_none() {
                continue;
            }
            let case_dir = dir.path().join(format!("case-{i}-{name}"));
            std::fs::create_dir_all(&case_dir).unwrap();
            let path = case_dir.join(name);
            std::fs::write(&path, &img.bytes).unwrap();
            let got = salvage(&path, &case_dir.join("out"));
            let saved = [
                matched(&tally(got.ours), &want[0]),
                matched(&tally(got.pff), &want[1]),
                matched(&tally(got.pst), &want[2]),
            ];
            let [on, pn, rn] = &got.notes;
            println!(
                "{name:<22} {case:<55} ours {:>4}/{}{on}, pffexport {:>4}/{}{pn}, readpst {:>4}/{}{rn}",
                saved[0], of[0], saved[1], of[1], saved[2], of[2]
            );
            if got.ours_failed {
                defects.push(format!("{name}: {case}: our export{on}"));
            }
            if saved[0] == 0 && (saved[1] > 0 || saved[2] > 0) {
                defects.push(format!(
                    "{name}: {case}: we saved nothing, pffexport {}, readpst {}",
                    saved[1], saved[2]
                ));
            }
            let family = case.split(':').next().unwrap_or(case).to_string();
            let f = families.entry(family).or_default();
            f.cases += 1;
            for t in 0..3 {
                f.saved[t] += saved[t];
                f.of[t] += of[t];
            }
            let _ = std::fs::remove_dir_all(&case_dir);
        }
    }
    println!(
        "\n{:<28} {:>5} {:>7} {:>9} {:>7}",
        "family", "cases", "ours", "pffexport", "readpst"
    );
    for (family, f) in &families {
        println!(
            "{family:<28} {:>5} {:>6.0}% {:>8.0}% {:>6.0}%",
            f.cases,
            100.0 * f.share(0),
            100.0 * f.share(1),
            100.0 * f.share(2)
        );
    }
    (families, defects)
}

/// In every damage family we save at least as many of the items as the better of the two
/// peers, and no case saves nothing where a peer saves something; our export never
/// crashes or hangs.
#[test]
fn salvage_saves_at_least_what_the_better_peer_saves() {
    let dir = TempDir::new("salvage");
    let (families, mut defects) = salvage_against_peers(&sources(&dir), &dir);
    for (family, f) in &families {
        let better = f.share(1).max(f.share(2));
        if f.share(0) < better {
            defects.push(format!(
                "{family}: we saved {:.1}% of the items, the better peer {:.1}%",
                100.0 * f.share(0),
                100.0 * better
            ));
        }
    }
    assert!(families.len() >= 8, "only {} families", families.len());
    assert!(defects.is_empty(), "{}", defects.join("\n"));
}
