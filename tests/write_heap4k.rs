//! Stores at the size people have them, in both 64-bit formats: a folder of 5,000 items, an
//! item with 300 properties and one with a 1 MiB body. Their heaps span several blocks, so
//! heap ids point past block 0, where the 4 KiB-page layout of a heap id differs from the
//! 512-byte one; the contents table's rows fill several row-matrix blocks and its row index
//! has two levels; a 9 MiB attachment needs a two-level data tree (an XXBLOCK) where blocks
//! hold 8 KiB. What we write must read back the same through our reader, libpff (pypff,
//! pffexport) and libpst (readpst).

mod common;
mod oracle;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::TempDir;
use oracle::agree::Tool;
use ostdoctor::store::Store;
use ostdoctor::store::filetime::from_unix_seconds;
use ostdoctor::store::ltp::heap::Heap;
use ostdoctor::store::ltp::{Node, bth};
use ostdoctor::store::ndb::btree::nid_type;
use ostdoctor::store::ndb::{CryptMethod, Ndb, Nid};
use ostdoctor::store::write::{NewAttachment, NewMessage, StoreWriter, Target, messaging};

const ITEMS: usize = 5_000;
const PROPERTIES: usize = 300;
/// Characters in the long body; stored as UTF-16, so twice as many bytes.
const BODY_CHARS: usize = 1 << 20;
const MANY: &str = "An item with 300 properties";
const LONG: &str = "An item with a 1 MiB body";
const BIG: &str = "An item with a 9 MiB attachment";
/// More blocks than one XBLOCK of a 512-byte-page store lists (1,021 of 8,176 bytes), so
/// its data tree there has two levels (an XXBLOCK).
const ATTACHMENT_BYTES: usize = 9 << 20;

fn item(i: usize) -> NewMessage {
    let t = from_unix_seconds(1_700_000_000 + i as i64 * 60);
    NewMessage {
        message_class: "IPM.Note".into(),
        subject: format!("Item {i:05} – relatório {}", "x".repeat(i % 40)),
        sender_name: Some(format!("Sender {}", i % 97)),
        sender_email: Some(format!("sender{}@example.com", i % 97)),
        delivery_time: Some(t),
        creation_time: Some(t),
        modification_time: Some(t),
        body_text: Some(format!("Body of item {i}.\r\n")),
        ..NewMessage::default()
    }
}

/// Bytes of each of the many-property item's values: enough for its heap to outgrow its
/// first block, a 64 KiB one in 4 KiB-page stores. In 512-byte-page stores the heap stays
/// within 8 blocks of 8 KiB: libpff 20180714 misreads a property context whose heap has
/// more (the record types it reports change from run to run, taken from other blocks'
/// bytes), while a table's heap of any size reads fine; our reader and readpst read both.
fn value_size(target: Target) -> usize {
    match target {
        Target::Ost4k => 300,
        _ => 150,
    }
}

/// Property `k` of the many-property item: binary and UTF-16 text by turns.
fn property(k: usize, size: usize) -> (u16, u16, Vec<u8>) {
    let id = 0x6900 + k as u16;
    if k.is_multiple_of(2) {
        (id, 0x0102, (0..size).map(|b| (b * 7 + k) as u8).collect())
    } else {
        let text = format!("{k:03} {}", "propriedade ".repeat(size / 20 + 1));
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        (id, 0x001F, utf16[..size].to_vec())
    }
}

fn properties(target: Target) -> Vec<(u16, u16, Vec<u8>)> {
    (0..PROPERTIES)
        .map(|k| property(k, value_size(target)))
        .collect()
}

fn long_body() -> String {
    let line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n";
    line.repeat(BODY_CHARS / line.len() + 1)[..BODY_CHARS].to_string()
}

/// Inbox with `ITEMS` items, "Large items" with the two large ones.
fn write(path: &Path, target: Target) {
    let mut w = StoreWriter::create(path, target, CryptMethod::None, "At scale", 11).unwrap();
    let inbox = w
        .add_folder(messaging::IPM_SUBTREE, "Inbox", Some("IPF.Note"))
        .unwrap();
    let large = w
        .add_folder(messaging::IPM_SUBTREE, "Large items", Some("IPF.Note"))
        .unwrap();
    for i in 0..ITEMS {
        w.add_message(inbox, &item(i)).unwrap();
    }
    let many = NewMessage {
        subject: MANY.into(),
        extra: properties(target),
        ..item(ITEMS)
    };
    w.add_message(large, &many).unwrap();
    let long = NewMessage {
        subject: LONG.into(),
        body_text: Some(long_body()),
        ..item(ITEMS + 1)
    };
    w.add_message(large, &long).unwrap();
    let big = NewMessage {
        subject: BIG.into(),
        attachments: vec![NewAttachment {
            file_name: "archive.bin".into(),
            mime_type: Some("application/octet-stream".into()),
            data: attachment_bytes(),
            extra: Vec::new(),
            embedded: None,
        }],
        ..item(ITEMS + 2)
    };
    w.add_message(large, &big).unwrap();
    w.finish().unwrap();
}

fn attachment_bytes() -> Vec<u8> {
    (0..ATTACHMENT_BYTES)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3])
        .collect()
}

/// The heap of node `nid` (a folder's table, an item).
fn heap(ndb: &Ndb, nid: Nid) -> Heap {
    let node = Node::open(ndb, nid).unwrap();
    Heap::new(ndb.variant(), nid.0, node.data_blocks().unwrap()).unwrap()
}

/// The shape this test is about, measured, so that it cannot quietly shrink: heap ids
/// past block 0 in the contents table and in the many-property item, several row-matrix
/// blocks, a two-level row index.
fn assert_shape(path: &Path) {
    let store = Store::open(path).unwrap();
    let folders = store.folders().unwrap();
    let find = |name: &str| folders.iter().find(|f| f.display_name == name).unwrap();
    let ndb = Ndb::open(path).unwrap();
    let variant = ndb.variant();

    let contents = find("Inbox").nid.with_type(nid_type::CONTENTS_TABLE);
    let table = heap(&ndb, contents);
    // The table header sits in the heap's first block, as Outlook puts it (so that a row
    // count needs that block only); the row index, written as the rows came, reaches past
    // it: heap ids beyond block 0.
    assert_eq!(table.user_root.block(), 0, "{variant:?}");
    let info = table.get(table.user_root).unwrap();
    let row_index = table.hid(u32::from_le_bytes(info[10..14].try_into().unwrap()));
    assert!(
        row_index.block() > 0,
        "{variant:?}: the contents table's heap is one block"
    );
    assert!(bth::header(&table, row_index).unwrap().levels >= 1);
    let rows = u32::from_le_bytes(info[14..18].try_into().unwrap());
    let node = Node::open(&ndb, contents).unwrap();
    let matrix = node.subnode(Nid(rows)).unwrap().data_blocks().unwrap();
    assert!(matrix.len() > 1, "{variant:?}: one row-matrix block");

    let many = store
        .message_summaries(find("Large items").nid)
        .unwrap()
        .into_iter()
        .find(|m| m.subject.as_deref() == Some(MANY))
        .unwrap();
    assert!(heap(&ndb, many.nid).user_root.block() > 0, "{variant:?}");

    // The 9 MiB attachment's data tree: two levels where blocks hold 8 KiB.
    let big = store
        .message_summaries(find("Large items").nid)
        .unwrap()
        .into_iter()
        .find(|m| m.subject.as_deref() == Some(BIG))
        .unwrap();
    let data = common::first_attachment_data(&ndb, big.nid);
    // [MS-PST] 2.2.2.8.3.2: an XBLOCK starts 01 01, an XXBLOCK 01 02.
    let top = ndb.block(data.bid_data).unwrap();
    let levels = if variant == ostdoctor::store::ndb::Variant::Unicode4k {
        1
    } else {
        2
    };
    assert_eq!(
        top[..2],
        [0x01, levels],
        "{variant:?}: the attachment's data tree"
    );
    eprintln!(
        "{variant:?}: contents heap {} blocks, row matrix {} blocks",
        node.data_blocks().unwrap().len(),
        matrix.len()
    );
}

/// Our reader: every subject in order, the 300 properties and the long body as written.
fn assert_ours(path: &Path, target: Target) {
    let store = Store::open(path).unwrap();
    let folders = store.folders().unwrap();
    let inbox = folders.iter().find(|f| f.display_name == "Inbox").unwrap();
    assert_eq!(inbox.content_count, Some(ITEMS as i64));
    let subjects: Vec<String> = store
        .message_summaries(inbox.nid)
        .unwrap()
        .into_iter()
        .map(|m| m.subject.unwrap())
        .collect();
    let want: Vec<String> = (0..ITEMS).map(|i| item(i).subject).collect();
    assert_eq!(subjects, want);

    let large = folders
        .iter()
        .find(|f| f.display_name == "Large items")
        .unwrap();
    for nid in store.message_nids(large.nid).unwrap() {
        let m = store.message(nid).unwrap();
        let pc = m.properties();
        match m.summary().unwrap().subject.as_deref() {
            Some(MANY) => {
                for (id, t, bytes) in properties(target) {
                    assert_eq!(pc.raw(id).unwrap(), Some((t, bytes)), "property 0x{id:04X}");
                }
            }
            Some(BIG) => {
                let a = m.attachments().unwrap();
                assert_eq!(a.len(), 1);
                assert!(m.attachment_data(a[0].nid).unwrap() == attachment_bytes());
            }
            Some(LONG) => {
                let text = pc.text(ostdoctor::store::messaging::tags::BODY).unwrap();
                assert!(
                    text.as_deref() == Some(long_body().as_str()),
                    "the long body"
                );
            }
            other => panic!("unexpected item {other:?}"),
        }
    }
}

/// pypff: each folder's subjects in table order, every property of the many-property
/// item with its type and bytes; the long body goes to the file named last.
const PYPFF_DUMP: &str = r#"
import json, sys
import pypff

out = {"folders": {}, "properties": {}}
def walk(folder, path):
    subjects = []
    for m in folder.sub_messages:
        subjects.append(m.subject)
        if m.subject == sys.argv[2]:
            for record_set in m.record_sets:
                for e in record_set.entries:
                    out["properties"]["%d" % e.entry_type] = [e.value_type, (e.data or b"").hex()]
        if m.subject == sys.argv[3]:
            with open(sys.argv[4], "wb") as f:
                f.write(m.plain_text_body)
    out["folders"]["/".join(path)] = subjects
    for sub in folder.sub_folders:
        walk(sub, path + [sub.name or ""])

store = pypff.file()
store.open(sys.argv[1])
walk(store.get_root_folder(), [])
json.dump(out, sys.stdout)
"#;

fn assert_pypff(path: &Path, target: Target, dir: &TempDir) {
    let body_file = dir.path().join("pypff-body.txt");
    let output = Command::new("/usr/bin/python3")
        .args(["-c", PYPFF_DUMP])
        .arg(path)
        .args([MANY, LONG])
        .arg(&body_file)
        .output()
        .expect("python3 runs (tests/run.sh installs python3-pypff)");
    assert!(
        output.status.success(),
        "pypff could not read {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let dump: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let subjects = |folder: &str| -> Vec<String> {
        dump["folders"][folder]
            .as_array()
            .unwrap_or_else(|| panic!("pypff has no folder {folder}"))
            .iter()
            .map(|s| s.as_str().unwrap_or_default().to_string())
            .collect()
    };
    let want: Vec<String> = (0..ITEMS).map(|i| item(i).subject).collect();
    assert_eq!(
        subjects("Top of Personal Folders/Inbox"),
        want,
        "pypff Inbox"
    );
    assert_eq!(
        subjects("Top of Personal Folders/Large items"),
        [MANY, LONG, BIG]
    );

    let props: BTreeMap<u32, (u64, String)> = dump["properties"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let value = (v[0].as_u64().unwrap(), v[1].as_str().unwrap().to_string());
            (k.parse().unwrap(), value)
        })
        .collect();
    for (id, t, bytes) in properties(target) {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            props.get(&u32::from(id)),
            Some(&(u64::from(t), hex)),
            "pypff property 0x{id:04X}"
        );
    }
    // pypff hands out the plain-text body as UTF-8.
    let want = long_body().into_bytes();
    let got = std::fs::read(&body_file).expect("pypff wrote the long body");
    assert!(
        got == want,
        "pypff body: {} bytes, want {}",
        got.len(),
        want.len()
    );
}

/// pffexport and readpst: every folder's items, with their bodies, as our reader reads them.
fn assert_tools(path: &Path) {
    let ours = oracle::agree::our_items(path);
    let pff = oracle::pffexport(path).unwrap_or_else(|e| panic!("pffexport: {e}"));
    let dirs = oracle::pffexport_paths(&ours.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>());
    let mut compared = 0;
    for (dir, (p, items)) in dirs.iter().zip(&ours) {
        let f = pff
            .iter()
            .find(|f| &f.path == dir)
            .unwrap_or_else(|| panic!("pffexport: {p:?} missing"));
        compared +=
            oracle::agree::assert_items_agree(Tool::Pffexport, &format!("{p:?}"), items, &f.items)
                .items;
    }
    assert_eq!(compared, ITEMS + 3, "pffexport");

    let pst = oracle::readpst(path).unwrap_or_else(|e| panic!("readpst: {e}"));
    let pst = oracle::prefixed(&pst, &["Top of Personal Folders"]);
    let mut compared = 0;
    for (p, items) in ours.iter().filter(|(_, items)| !items.is_empty()) {
        let f = pst
            .iter()
            .find(|f| &f.path == p)
            .unwrap_or_else(|| panic!("readpst: {p:?} missing"));
        compared +=
            oracle::agree::assert_items_agree(Tool::Readpst, &format!("{p:?}"), items, &f.items)
                .items;
    }
    assert_eq!(compared, ITEMS + 3, "readpst");
}

fn at_scale(target: Target, name: &str) {
    let dir = TempDir::new("heap4k");
    let path = dir.path().join(name);
    write(&path, target);
    assert_shape(&path);
    assert_ours(&path, target);
    assert_pypff(&path, target, &dir);
    assert_tools(&path);
}

#[test]
fn a_4k_page_ost_at_scale_reads_the_same_through_every_reader() {
    at_scale(Target::Ost4k, "scale.ost");
}

#[test]
fn a_unicode_pst_at_scale_reads_the_same_through_every_reader() {
    at_scale(Target::Pst, "scale.pst");
}
