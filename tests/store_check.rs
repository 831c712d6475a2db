//! The structural check on healthy stores (the real Outlook-written ones and generated
//! ones): no findings; its progress, cancellation, scan log and command line.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use common::{TempDir, all_fixtures, fixture, ostdoctor};
use ostdoctor::store::JobError;
use ostdoctor::store::check::{Class, ScanLog, Severity, check_store};
use ostdoctor::store::write::Target;
use ostdoctor::synthetic::{GenOptions, generate};
use ostdoctor::work::{CancelToken, Cancelled, Work};

fn check(path: &Path) -> ScanLog {
    check_store(path, &mut Work::quiet()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn generated(dir: &TempDir, target: Target, name: &str) -> PathBuf {
    let path = dir.path().join(name);
    generate(
        &path,
        &GenOptions {
            target,
            folders: 14,
            messages: 120,
            seed: 42,
            sync_log_lines: vec!["10:00:00 Synchronizing Mailbox 'Ana Souza'".into()],
            attachment_kb: None,
        },
    )
    .unwrap();
    path
}

fn assert_clean(log: &ScanLog) {
    let lines: Vec<String> = log.findings.iter().map(|f| f.location()).collect();
    assert!(
        log.findings.is_empty(),
        "{}: {} findings\n{}",
        log.file,
        log.findings.len(),
        log.to_text()
    );
    assert!(
        !log.is_damaged() && log.problem_lines().is_empty(),
        "{lines:?}"
    );
}

#[test]
fn the_real_outlook_stores_check_clean() {
    // Every block's reference count matches the references to it once references held
    // by blocks nothing uses any more are counted too: the real OST has 31 such blocks,
    // left behind by Outlook, and their counts are consistent.
    let expected = [
        ("ansi-32bit.pst", "pst", "ansi", 5, 1, 26),
        ("enron.pst", "pst", "unicode", 11, 71, 2274),
        // 183 messages and 31 hidden items (views, rules) in the folders' hidden tables.
        ("outlook-com-2013.ost", "ost", "unicode-4k", 57, 214, 1469),
    ];
    for (name, format, variant, folders, items, blocks) in expected {
        let Some(path) = fixture(name) else { continue };
        let mut log = check(&path);
        if name == "outlook-com-2013.ost" {
            // Its one inconsistency, which the next test looks at closely.
            log.findings.retain(|f| f.class != Class::MistypedValue);
            log.tally.warnings -= 1;
        }
        assert_clean(&log);
        assert_eq!(log.format, Some(format), "{name}");
        assert_eq!(log.variant, Some(variant), "{name}");
        assert_eq!(log.examined.folders, folders, "{name}");
        assert_eq!(log.examined.messages, items, "{name}");
        assert_eq!(log.examined.blocks, blocks, "{name}");
        assert!(log.examined.pages > 0 && log.examined.nodes > 0, "{name}");
    }
}

#[test]
fn the_outlook_com_contact_search_class_is_reported_mistyped_and_read_as_meant() {
    // Outlook.com wrote the Contact Search folder's container class as the 8-bit bytes of
    // "IPF.Contact" and a NUL, then UTF-16 text, in a property typed UTF-16: read as typed
    // it is "偉⹆潃瑮捡tIPM.Microsoft.OSC.ContactSync".
    let Some(path) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let log = check(&path);
    let mistyped: Vec<_> = log
        .findings
        .iter()
        .filter(|f| f.class == Class::MistypedValue)
        .collect();
    assert_eq!(mistyped.len(), 1, "{}", log.to_text());
    let f = mistyped[0];
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        f.item.as_deref(),
        Some("Root - Mailbox/Finder/Contact Search")
    );
    assert!(f.detail.contains("property 0x3613"), "{}", f.detail);
    assert!(f.detail.contains("\"IPF.Contact\""), "{}", f.detail);
    assert!(
        f.detail.contains("IPM.Microsoft.OSC.ContactSync"),
        "{}",
        f.detail
    );
    assert!(!log.is_damaged());

    let store = ostdoctor::store::Store::open(&path).unwrap();
    let folders = store.folders().unwrap();
    let search = folders
        .iter()
        .find(|f| f.display_name == "Contact Search")
        .expect("the Contact Search folder");
    assert_eq!(search.container_class.as_deref(), Some("IPF.Contact"));
}

#[test]
fn generated_stores_check_clean_in_both_formats() {
    let dir = TempDir::new("check-gen");
    for (target, name, variant) in [
        (Target::Pst, "gen.pst", "unicode"),
        (Target::Ost4k, "gen.ost", "unicode-4k"),
    ] {
        let path = generated(&dir, target, name);
        let log = check(&path);
        assert_clean(&log);
        assert_eq!(log.variant, Some(variant));
        // 14 folders asked for, plus the root, the top of the mailbox, the search root and
        // Sync Issues with its three subfolders; the synchronization log is an item too.
        assert!(log.examined.folders >= 17, "{}", log.examined.folders);
        assert_eq!(log.examined.messages, 121);
    }
}

#[test]
fn the_scan_log_is_the_same_every_time() {
    let Some(path) = fixture("ansi-32bit.pst") else {
        return;
    };
    let a = serde_json::to_string(&check(&path)).unwrap();
    let b = serde_json::to_string(&check(&path)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn progress_runs_through_the_passes_and_counts_bytes_for_blocks() {
    let Some(path) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let seen = Arc::new(Mutex::new(Vec::<(String, u64, u64)>::new()));
    let sink = seen.clone();
    let mut work = Work::new(CancelToken::new(), move |s| {
        sink.lock()
            .unwrap()
            .push((s.doing.to_string(), s.done, s.total));
    });
    check_store(&path, &mut work).unwrap();
    drop(work);
    let seen = seen.lock().unwrap();
    let doing: Vec<&str> = seen.iter().map(|(d, _, _)| d.as_str()).collect();
    for pass in [
        "Checking the node index",
        "Checking the block index",
        "Checking blocks",
        "Checking folders and items",
    ] {
        assert!(doing.contains(&pass), "{pass} missing from {doing:?}");
    }
    // The passes that read blocks count bytes of the file, each going through it in order:
    // the internal blocks first, then the data blocks no item read.
    let len = std::fs::metadata(&path).unwrap().len();
    let mut steps = 0;
    for pass in ["Checking blocks", "Checking the remaining blocks"] {
        let blocks: Vec<u64> = seen
            .iter()
            .filter(|(d, _, t)| d == pass && *t == len)
            .map(|(_, done, _)| *done)
            .collect();
        assert!(!blocks.is_empty(), "{pass}: no step");
        assert!(
            blocks.windows(2).all(|w| w[0] <= w[1]),
            "{pass}: file order"
        );
        steps += blocks.len();
    }
    assert!(steps > 10, "{steps} block steps");
}

#[test]
fn a_cancelled_check_stops_at_once_with_cancelled() {
    let Some(path) = fixture("outlook-com-2013.ost") else {
        return;
    };
    // Cancelled during the block pass: no step is reported after that.
    let cancel = CancelToken::new();
    let token = cancel.clone();
    let after = Arc::new(Mutex::new(0usize));
    let count = after.clone();
    let mut work = Work::new(cancel, move |s| {
        if token.is_cancelled() {
            *count.lock().unwrap() += 1;
        } else if s.doing == "Checking blocks" && s.done > 0 {
            token.cancel();
        }
    });
    let result = check_store(&path, &mut work);
    drop(work);
    assert!(
        matches!(result, Err(JobError::Cancelled(Cancelled))),
        "{result:?}"
    );
    assert_eq!(*after.lock().unwrap(), 0, "steps reported after cancelling");

    // Cancelled before it starts: nothing is read.
    let cancel = CancelToken::new();
    cancel.cancel();
    let mut work = Work::new(cancel, |_| {});
    assert!(matches!(
        check_store(&path, &mut work),
        Err(JobError::Cancelled(_))
    ));
}

#[test]
fn a_file_that_is_not_a_store_cannot_be_checked_but_one_cut_inside_its_header_can() {
    let dir = TempDir::new("check-open");
    let text = dir.path().join("notes.ost");
    std::fs::write(&text, "Dear helpdesk, my Outlook is broken.\n").unwrap();
    let e = check_store(&text, &mut Work::quiet()).unwrap_err();
    assert!(matches!(e, JobError::Store(_)), "{e}");
    assert!(e.to_string().contains("not an Outlook data file"), "{e}");
    let e = check_store(&dir.path().join("absent.ost"), &mut Work::quiet()).unwrap_err();
    assert!(matches!(e, JobError::Store(_)), "{e}");

    let Some(src) = fixture("enron.pst") else {
        return;
    };
    let cut = dir.path().join("cut.pst");
    std::fs::write(&cut, &std::fs::read(&src).unwrap()[..300]).unwrap();
    let log = check(&cut);
    assert!(log.is_damaged());
    assert_eq!(log.findings.len(), 1);
    assert_eq!(log.findings[0].class, Class::Truncated);
    assert!(
        log.findings[0].detail.contains("300 bytes"),
        "{}",
        log.findings[0].detail
    );
}

#[test]
fn the_command_exits_0_on_a_clean_store_and_1_on_a_damaged_one() {
    for path in all_fixtures() {
        let out = ostdoctor(&["check", path.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{text}");
        // The Outlook.com store's one warning (a mistyped class name) is no damage.
        let verdict = if path.ends_with("outlook-com-2013.ost") {
            "0 errors, 1 warning, 0 notes: no damage, but some inconsistencies"
        } else {
            "no problems found"
        };
        assert!(text.contains(verdict), "{text}");
        assert!(out.stderr.is_empty(), "no progress line off a terminal");
    }
    let Some(src) = fixture("ansi-32bit.pst") else {
        return;
    };
    let dir = TempDir::new("check-cli");
    let ndb = ostdoctor::store::ndb::Ndb::open(&src).unwrap();
    let root = ndb.node(ostdoctor::store::ndb::Nid::ROOT_FOLDER).unwrap();
    let block = ndb.find_block(root.bid_data).unwrap().unwrap();
    let mut bytes = std::fs::read(&src).unwrap();
    bytes[block.ib as usize + 2] ^= 0x20;
    let damaged = dir.path().join("damaged.pst");
    std::fs::write(&damaged, &bytes).unwrap();

    let out = ostdoctor(&["check", damaged.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("the store is damaged"), "{text}");
    assert!(text.contains("[block_crc] block"), "{text}");
    assert!(
        text.contains(&format!("at offset 0x{:X}", block.ib)),
        "{text}"
    );

    let out = ostdoctor(&["check", damaged.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["format"], "pst");
    assert_eq!(json["variant"], "ansi");
    assert_eq!(json["tally"]["errors"], 1);
    let finding = &json["findings"][0];
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["class"], "block_crc");
    assert_eq!(finding["offset"], block.ib);
    assert_eq!(finding["bid"], block.bid);
    assert_eq!(finding["nid"], 0x122);
    for key in ["structure", "item", "meaning", "detail"] {
        assert!(finding.get(key).is_some(), "{key} missing: {finding}");
    }

    let out = ostdoctor(&["check", "/nonexistent/Outlook.ost"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Outlook.ost"), "{err}");
}

#[test]
fn a_damaged_body_block_names_the_item_it_belongs_to() {
    let dir = TempDir::new("check-owner");
    let path = generated(&dir, Target::Pst, "owner.pst");
    let store = ostdoctor::store::Store::open(&path).unwrap();
    // An item whose parts live in subnodes (its body or an attachment), and one such block.
    let folders = store.folders().unwrap();
    let (folder, item, block) = folders
        .iter()
        .flat_map(|f| {
            let nids = store.message_nids(f.nid).unwrap();
            nids.into_iter().map(move |m| (f, m))
        })
        .find_map(|(f, m)| {
            let node = store.ndb().node(m).unwrap();
            let sub = store.ndb().subnodes(node.bid_sub).ok()?;
            let part = sub.iter().find(|s| s.bid_data != 0)?;
            Some((
                f.path.join("/"),
                m,
                store.ndb().find_block(part.bid_data).ok()??,
            ))
        })
        .expect("an item with subnodes");
    let subject = store
        .message(item)
        .unwrap()
        .summary()
        .unwrap()
        .subject
        .unwrap();
    drop(store);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[block.ib as usize + 1] ^= 0x80;
    std::fs::write(&path, &bytes).unwrap();

    let log = check(&path);
    let f = log
        .findings
        .iter()
        .find(|f| f.bid == Some(block.bid))
        .unwrap_or_else(|| panic!("{}", log.to_text()));
    assert_eq!(f.class, Class::BlockCrc);
    assert_eq!(f.nid, Some(item.0));
    let named = f.item.as_deref().unwrap_or_default();
    assert!(
        named.starts_with(&folder) && named.contains(&subject),
        "{named}"
    );
}

/// Makes a compressed block that holds as stored (its checksum rewritten to match) but no
/// longer inflates: the zlib header's first two bytes cleared.
fn spoil_compression(path: &Path, block: &ostdoctor::store::ndb::BbtEntry) {
    let variant = ostdoctor::store::ndb::Variant::Unicode4k;
    let mut bytes = std::fs::read(path).unwrap();
    let ib = block.ib as usize;
    let cb = block.cb as usize;
    bytes[ib] = 0;
    bytes[ib + 1] = 0;
    let crc = ostdoctor::store::ndb::crc::crc32(&bytes[ib..ib + cb]);
    let trailer = ib + variant.block_disk_size(cb) as usize - variant.block_trailer_size();
    bytes[trailer + 4..trailer + 8].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(path, &bytes).unwrap();
}

/// The check inflates each compressed block once, in whichever pass reads it first: the
/// item pass for an item's own properties, a last pass for what no item reads (an
/// attached file). A block that does not inflate is found either way, once, as damage
/// of compression, and named by the item it belongs to.
#[test]
fn a_compressed_block_that_does_not_inflate_is_found_whichever_pass_reads_it() {
    use ostdoctor::store::ndb::CryptMethod;
    use ostdoctor::store::write::{NewAttachment, NewMessage, StoreWriter, messaging};
    let dir = TempDir::new("check-inflate");
    let path = dir.path().join("inflate.ost");
    let mut w = StoreWriter::create(&path, Target::Ost4k, CryptMethod::None, "Inflate", 3).unwrap();
    let inbox = w
        .add_folder(messaging::IPM_SUBTREE, "Inbox", Some("IPF.Note"))
        .unwrap();
    let note = |subject: &str| NewMessage {
        message_class: "IPM.Note".into(),
        subject: subject.into(),
        body_text: Some(format!("{subject}: ").repeat(40)),
        ..NewMessage::default()
    };
    w.add_message(inbox, &note("Plain")).unwrap();
    // Text compresses, so its blocks are stored compressed; no item pass reads them.
    let report = NewMessage {
        attachments: vec![NewAttachment {
            file_name: "report.txt".into(),
            mime_type: Some("text/plain".into()),
            data: b"The quarterly figures, line by line.\r\n".repeat(2000),
            extra: Vec::new(),
            embedded: None,
        }],
        ..note("With a report")
    };
    w.add_message(inbox, &report).unwrap();
    w.finish().unwrap();
    let clean = check(&path);
    assert_clean(&clean);
    let store = ostdoctor::store::Store::open(&path).unwrap();
    let ndb = store.ndb();
    let compressed = |bid: u64| {
        ndb.find_block(bid)
            .ok()
            .flatten()
            .filter(|b| b.cb_inflated != b.cb)
    };
    let items: Vec<_> = store
        .folders()
        .unwrap()
        .iter()
        .flat_map(|f| store.message_nids(f.nid).unwrap())
        .collect();
    // An item's own properties, which the item pass reads.
    let (own_item, own) = items
        .iter()
        .find_map(|&m| Some((m, compressed(ndb.node(m).ok()?.bid_data)?)))
        .expect("an item whose properties are compressed");
    // A block of a subnode's data no item pass reads: an attached file's bytes.
    let (file_item, file) = items
        .iter()
        .filter(|&&m| m != own_item)
        .find_map(|&m| {
            let node = ndb.node(m).ok()?;
            let subs = ndb.subnodes(node.bid_sub).ok()?;
            let attachment = subs
                .iter()
                .find(|s| s.nid.nid_type() == ostdoctor::store::ndb::btree::nid_type::ATTACHMENT)?;
            let inner = ndb.subnodes(attachment.bid_sub).ok()?;
            // The attached file's blocks: a subnode of the attachment, its data one block or
            // a data tree over several.
            inner
                .iter()
                .find_map(|s| {
                    let leaves = if ostdoctor::store::ndb::btree::bid_is_internal(s.bid_data) {
                        let root = ndb.block(s.bid_data).ok()?;
                        ostdoctor::store::ndb::block::parse_data_tree_block(
                            ndb.variant(),
                            s.bid_data,
                            &root,
                        )
                        .ok()?
                        .children
                    } else {
                        vec![s.bid_data]
                    };
                    leaves.into_iter().find_map(compressed)
                })
                .map(|leaf| (m, leaf))
        })
        .expect("an attached file stored compressed");
    drop(store);
    spoil_compression(&path, &own);
    spoil_compression(&path, &file);

    let log = check(&path);
    for (block, item) in [(own, own_item), (file, file_item)] {
        let found: Vec<_> = log
            .findings
            .iter()
            .filter(|f| f.bid == Some(block.bid))
            .collect();
        assert_eq!(found.len(), 1, "{}", log.to_text());
        assert_eq!(found[0].class, Class::BlockCompressed, "{}", log.to_text());
        assert_eq!(found[0].nid, Some(item.0), "{}", log.to_text());
    }
    assert_eq!(log.examined.blocks, clean.examined.blocks - 2);
}

/// The first FMap page: in AMap 128's span, after its AMap and PMap pages ([MS-PST]
/// 2.2.2.7.5; the header's 128 bytes stand for AMaps 0 to 127).
const FIRST_FMAP: usize = 0x4400 + 253_952 * 128 + 0x400;

/// The longest run of clear bits in an AMap's 496 bytes, what an FMap byte records.
fn longest_free_run(bits: &[u8]) -> usize {
    let (mut run, mut longest) = (0, 0);
    for i in 0..bits.len() * 8 {
        if bits[i / 8] & (0x80 >> (i % 8)) == 0 {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

#[test]
fn a_store_past_32_mb_has_its_free_map_and_the_check_finds_it_damaged() {
    let dir = TempDir::new("check-fmap");
    let path = dir.path().join("big.pst");
    generate(
        &path,
        &GenOptions {
            target: Target::Pst,
            folders: 2,
            // One message in five has an attachment: about 40 of 1 MiB.
            messages: 200,
            seed: 5,
            sync_log_lines: Vec::new(),
            attachment_kb: Some(1024),
        },
    )
    .unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    assert_eq!(FIRST_FMAP, 0x1F0_4800);
    assert!(bytes.len() > FIRST_FMAP + 512, "{} bytes", bytes.len());
    let fmap = &bytes[FIRST_FMAP..FIRST_FMAP + 512];
    assert_eq!(fmap[496..498], [0x82, 0x82], "page type, twice");
    let crc = u32::from_le_bytes(fmap[500..504].try_into().unwrap());
    assert_eq!(crc, ostdoctor::store::ndb::crc::crc32(&fmap[..496]));
    let bid = u64::from_le_bytes(fmap[504..512].try_into().unwrap());
    assert_eq!(bid, FIRST_FMAP as u64, "map pages carry their offset as id");
    // Each byte from the AMap it describes: 128 + i, or 0 past the end of the file.
    let mut described = 0;
    for (i, &byte) in fmap[..496].iter().enumerate() {
        let amap = 0x4400 + 253_952 * (128 + i);
        let want = if amap < bytes.len() {
            assert_eq!(bytes[amap + 496], 0x84, "AMap {}", 128 + i);
            described += 1;
            longest_free_run(&bytes[amap..amap + 496]).min(255)
        } else {
            0
        };
        assert_eq!(byte as usize, want, "FMap byte {i} (AMap {})", 128 + i);
    }
    assert!(described >= 2, "{described} AMaps past the header's");
    assert_clean(&check(&path));

    // One byte of the FMap and the type of the second PMap changed, neither resealed.
    bytes[FIRST_FMAP + 1] ^= 0x10;
    let second_pmap = 0x4600 + 8 * 253_952;
    bytes[second_pmap + 496] = 0x84;
    let damaged = dir.path().join("damaged.pst");
    std::fs::write(&damaged, &bytes).unwrap();
    let log = check(&damaged);
    let found: Vec<(Class, &str, Option<u64>, &str)> = log
        .findings
        .iter()
        .map(|f| (f.class, f.structure.as_str(), f.offset, f.detail.as_str()))
        .collect();
    assert_eq!(found.len(), 2, "{}", log.to_text());
    assert_eq!(found[0].0, Class::Amap);
    assert_eq!(found[0].1, "page map page");
    assert_eq!(found[0].2, Some(second_pmap as u64));
    assert!(
        found[0].3.contains("expected 0x83, found 0x84"),
        "{}",
        found[0].3
    );
    assert_eq!(found[1].0, Class::Amap);
    assert_eq!(found[1].1, "free map page");
    assert_eq!(found[1].2, Some(FIRST_FMAP as u64));
    assert!(found[1].3.contains("checksum mismatch"), "{}", found[1].3);
}

#[test]
fn a_missing_fixture_fails_the_test_under_ci_and_skips_it_elsewhere() {
    let ci = common::under_ci();
    let got = std::panic::catch_unwind(|| fixture("no-such-store.pst"));
    if ci {
        assert!(
            got.is_err(),
            "under CI a missing fixture must fail the test"
        );
    } else {
        assert_eq!(got.ok(), Some(None));
    }
    assert!(fixture("enron.pst").is_some() || !ci);
}
