//! A copy is faithful: every property of every item, every recipient row and every
//! attachment of the real fixtures comes out of `export` as it went in, named properties by
//! name, except what `copy::REWRITTEN` documents the new store must compute itself. Both
//! sides are read with our reader, property by property and byte for byte. Items are paired
//! within their folder by what they hold, not by row: a copy writes a folder's items in
//! node id order, which need not be the order the source's table lists them in.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use common::{TempDir, fixture};
use ostdoctor::copy::REWRITTEN;
use ostdoctor::store::messaging::names::{self, NamedProperty};
use ostdoctor::store::{Message, Store};

/// A property's identity across stores: its id, or for a named one its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Id(u16),
    Named(String),
}

type Props = BTreeMap<(Key, u16), Vec<u8>>;

/// The objects of one store by node id, in words that are the same for an object and its
/// copy: entry ids inside items (a distribution list's members) are compared as what they
/// name, since the copy must re-point them to its own record key and node ids.
struct Objects {
    map: HashMap<u16, NamedProperty>,
    record_key: Vec<u8>,
    names: HashMap<u32, String>,
}

impl Objects {
    /// `b` with each entry id naming an object of the store written as `<that object>`.
    fn readable(&self, b: &[u8]) -> Vec<u8> {
        let k = self.record_key.len();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if k == 16 && b[i..].starts_with(&self.record_key) && i + k + 4 <= b.len() {
                let nid = u32::from_le_bytes(b[i + k..i + k + 4].try_into().unwrap());
                if let Some(name) = self.names.get(&nid) {
                    out.extend_from_slice(format!("<{name}>").as_bytes());
                    i += k + 4;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        out
    }
}

fn key(id: u16, map: &HashMap<u16, NamedProperty>) -> Option<Key> {
    if id < 0x8000 {
        return Some(Key::Id(id));
    }
    map.get(&id)
        .map(|n| Key::Named(format!("{:02x?}:{:?}", n.guid, n.name)))
}

fn props(values: impl IntoIterator<Item = (u16, u16, Vec<u8>)>, o: &Objects) -> Props {
    values
        .into_iter()
        .filter(|(id, t, _)| *t != 0x000D && !REWRITTEN.contains(id))
        .filter_map(|(id, t, b)| {
            let b = if t == 0x0102 || t == 0x1102 {
                o.readable(&b)
            } else {
                b
            };
            Some(((key(id, &o.map)?, t), b))
        })
        .collect()
}

/// Everything of one item our reader can show: its properties, its recipient rows, and
/// per attachment its properties and the item it holds, if it holds one.
struct Item {
    subject: String,
    props: Props,
    recipients: Vec<Props>,
    attachments: Vec<(Props, Option<Item>)>,
}

fn item(m: &Message, o: &Objects) -> Item {
    let pc = m.properties();
    let values = pc
        .tags()
        .map(|(id, t)| (id, t, pc.raw(id).unwrap().unwrap().1))
        .collect::<Vec<_>>();
    let mut attachments = Vec::new();
    for a in m.attachments().unwrap() {
        let values = m
            .attachment_properties(a.nid)
            .unwrap()
            .into_iter()
            .map(|v| (v.id, v.ptype, v.bytes.unwrap()));
        let inner = m.embedded(a.nid).unwrap().map(|inner| item(&inner, o));
        attachments.push((props(values, o), inner));
    }
    Item {
        subject: m.summary().unwrap().subject.unwrap_or_default(),
        props: props(values, o),
        recipients: m
            .recipients_with_rows()
            .unwrap()
            .into_iter()
            .map(|(_, row)| props(row, o))
            .collect(),
        attachments,
    }
}

/// Counts of what was compared: items (embedded ones too), recipients, attachments.
#[derive(Debug, Default)]
struct Compared {
    items: usize,
    embedded: usize,
    recipients: usize,
    attachments: usize,
}

/// Holds a copied item against its source, its attached items recursively, noting every
/// difference under `at`.
fn compare(s: &Item, c: &Item, at: &str, problems: &mut BTreeMap<String, usize>, n: &mut Compared) {
    assert_eq!(s.subject, c.subject, "{at}");
    fn note(problems: &mut BTreeMap<String, usize>, what: &str, lines: Vec<String>) {
        for l in lines {
            *problems.entry(format!("{what} {l}")).or_default() += 1;
        }
    }
    note(problems, "item", differences(&s.props, &c.props));
    assert_eq!(
        s.recipients.len(),
        c.recipients.len(),
        "{at}: {}",
        s.subject
    );
    for (a, b) in s.recipients.iter().zip(&c.recipients) {
        note(problems, "recipient", differences(a, b));
    }
    assert_eq!(
        s.attachments.len(),
        c.attachments.len(),
        "{at}: {}",
        s.subject
    );
    for ((a, inner_a), (b, inner_b)) in s.attachments.iter().zip(&c.attachments) {
        note(problems, "attachment", differences(a, b));
        match (inner_a, inner_b) {
            (Some(x), Some(y)) => {
                n.embedded += 1;
                compare(x, y, &format!("{at} / {}", s.subject), problems, n);
            }
            (None, None) => {}
            _ => panic!("{at}: {}: an attached item is not in the copy", s.subject),
        }
    }
    n.items += 1;
    n.recipients += s.recipients.len();
    n.attachments += s.attachments.len();
}

/// Per folder below the top of the mailbox, its items in order of subject and properties.
fn items(path: &Path) -> BTreeMap<Vec<String>, Vec<Item>> {
    let store = Store::open(path).unwrap();
    let map = names::read(store.ndb()).unwrap();
    let folders = store.folders().unwrap();
    let top = store.ipm_subtree(&folders).unwrap();
    let depth = top
        .and_then(|t| folders.iter().find(|f| f.nid == t))
        .map_or(0, |f| f.path.len());
    let mut names = HashMap::new();
    for f in &folders {
        let below = f.path.get(depth..).unwrap_or_default();
        names.insert(f.nid.0, format!("folder {below:?}"));
        if f.is_search_folder {
            continue;
        }
        for nid in store.message_nids(f.nid).unwrap() {
            let subject = store.message(nid).unwrap().summary().unwrap().subject;
            names.insert(nid.0, format!("item {below:?} {subject:?}"));
        }
    }
    let o = Objects {
        map,
        record_key: store.properties().unwrap().record_key.unwrap_or_default(),
        names,
    };
    let mut out = BTreeMap::new();
    for f in folders
        .iter()
        .filter(|f| !f.is_search_folder && f.path.len() > depth)
    {
        let list = store
            .message_nids(f.nid)
            .unwrap()
            .into_iter()
            .map(|nid| item(&store.message(nid).unwrap(), &o))
            .collect::<Vec<_>>();
        let list = by_content(list);
        if !list.is_empty() {
            out.insert(f.path[depth..].to_vec(), list);
        }
        // The folder's hidden items (views, rules, forms) travel with it.
        let hidden = store
            .associated_nids(f.nid)
            .unwrap()
            .into_iter()
            .map(|nid| item(&store.message(nid).unwrap(), &o))
            .collect::<Vec<_>>();
        let hidden = by_content(hidden);
        if !hidden.is_empty() {
            let mut path = f.path[depth..].to_vec();
            path.push("(hidden items)".into());
            out.insert(path, hidden);
        }
    }
    out
}

/// Items in an order that depends only on what they hold, so that a folder's items and
/// their copies line up whatever order either table lists them in.
fn by_content(mut list: Vec<Item>) -> Vec<Item> {
    list.sort_by(|a, b| (&a.subject, &a.props).cmp(&(&b.subject, &b.props)));
    list
}

/// What differs between two property sets, as "tag: what" lines.
fn differences(source: &Props, copy: &Props) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in source {
        match copy.get(k) {
            None => out.push(format!("{k:?} missing")),
            Some(c) if c != v => out.push(format!("{k:?} changed")),
            _ => {}
        }
    }
    for k in copy.keys() {
        if !source.contains_key(k) {
            out.push(format!("{k:?} added"));
        }
    }
    out
}

#[test]
fn every_property_recipient_and_attachment_of_the_real_stores_survives_an_export() {
    let mut compared = Compared::default();
    let mut hidden = 0;
    for name in [
        "ansi-32bit.pst",
        "enron.pst",
        "outlook-com-2013.ost",
        "dist-list.pst",
        "passworded.pst",
    ] {
        let Some(src) = fixture(name) else { continue };
        let dir = TempDir::new("faithful");
        let dest = dir.path().join("copy.pst");
        let source = Store::open(&src).unwrap();
        let summary = common::export_all(&source, &dest);
        assert!(!summary.lost_anything(), "{name}: {summary:?}");
        assert_eq!(summary.entry_ids_unresolved, 0, "{name}");
        if name == "dist-list.pst" {
            // The list's members and the contact that names the list.
            assert!(summary.entry_ids_repointed >= 2, "{summary:?}");
        }
        let before = items(&src);
        let after = items(&dest);
        let mut problems = BTreeMap::<String, usize>::new();
        hidden += before
            .iter()
            .filter(|(p, _)| p.last().is_some_and(|l| l == "(hidden items)"))
            .map(|(_, l)| l.len())
            .sum::<usize>();
        for (path, list) in &before {
            let copies = after
                .get(path)
                .unwrap_or_else(|| panic!("{name}: folder {path:?} missing from the copy"));
            assert_eq!(copies.len(), list.len(), "{name} {path:?}: items");
            for (s, c) in list.iter().zip(copies) {
                compare(
                    s,
                    c,
                    &format!("{name} {path:?}"),
                    &mut problems,
                    &mut compared,
                );
            }
        }
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
    eprintln!("compared {compared:?}, {hidden} hidden items");
    assert!(compared.items > 200 || !common::under_ci(), "{compared:?}");
    assert!(hidden >= 20 || !common::under_ci(), "{hidden} hidden items");
    assert!(
        compared.embedded >= 2 || !common::under_ci(),
        "{compared:?}"
    );
}

/// pypff's reading of every item: its folder path and its record set entries (type, value
/// type, bytes in hex), and those of each of its attachments, named properties (ids 0x8000
/// and up, which differ between stores) left out.
const PYPFF_ITEMS: &str = r#"
import json, sys
import pypff

out = []
def walk(folder, path):
    for m in folder.sub_messages:
        entries = []
        for rs in m.record_sets:
            for e in rs.entries:
                if e.entry_type < 0x8000:
                    entries.append([e.entry_type, e.value_type, (e.data or b"").hex()])
        # Each attachment's own properties, told apart by its place (k + 1) above the
        # 16 bits of the id; an object value names a subnode, which a copy renumbers.
        for k, a in enumerate(m.attachments):
            for rs in a.record_sets:
                for e in rs.entries:
                    if e.entry_type < 0x8000 and e.value_type != 0x0D:
                        entries.append([(k + 1) << 16 | e.entry_type, e.value_type, (e.data or b"").hex()])
        out.append({"path": path, "entries": sorted(entries)})
    for sub in folder.sub_folders:
        walk(sub, path + [sub.name or ""])

f = pypff.file()
f.open(sys.argv[1])
walk(f.get_root_folder(), [])
json.dump(out, sys.stdout)
"#;

/// One record set entry as pypff reads it: type, value type, bytes in hex.
type Entry = (u64, u64, String);

/// Folder path below the top of the mailbox -> the items' entries, in table order.
fn pypff_items(path: &Path) -> BTreeMap<Vec<String>, Vec<Vec<Entry>>> {
    let out = std::process::Command::new("/usr/bin/python3")
        .args(["-c", PYPFF_ITEMS])
        .arg(path)
        .output()
        .expect("python3 runs (tests/run.sh installs python3-pypff)");
    assert!(
        out.status.success(),
        "pypff on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tops = [
        "Top of Personal Folders",
        "Top of Outlook data file",
        "IPM_SUBTREE",
    ];
    let mut items: BTreeMap<Vec<String>, Vec<Vec<Entry>>> = BTreeMap::new();
    for item in json.as_array().unwrap() {
        let path: Vec<String> = item["path"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        let Some(top) = path.iter().position(|p| tops.contains(&p.as_str())) else {
            continue;
        };
        let entries = item["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let id = e[0].as_u64().unwrap();
                (
                    id,
                    e[1].as_u64().unwrap(),
                    e[2].as_str().unwrap().to_string(),
                )
            })
            .filter(|(id, _, _)| !REWRITTEN.contains(&(*id as u16)))
            .collect();
        items
            .entry(path[top + 1..].to_vec())
            .or_default()
            .push(entries);
    }
    items
}

#[test]
fn pypff_reads_every_property_of_every_item_of_a_copy_as_in_its_source() {
    let mut compared = 0;
    for name in [
        "ansi-32bit.pst",
        "enron.pst",
        "outlook-com-2013.ost",
        "dist-list.pst",
    ] {
        let Some(src) = fixture(name) else { continue };
        let dir = TempDir::new("faithful-pypff");
        let dest = dir.path().join("copy.pst");
        let summary = common::export_all(&Store::open(&src).unwrap(), &dest);
        assert!(!summary.lost_anything(), "{name}");
        let before = pypff_items(&src);
        let after = pypff_items(&dest);
        for (path, items) in &before {
            let copies = after
                .get(path)
                .unwrap_or_else(|| panic!("{name}: pypff finds no {path:?} in the copy"));
            assert_eq!(copies.len(), items.len(), "{name} {path:?}");
            // pypff lists a folder's items in the order of the table's row index, which in
            // the source need not be the order the rows are stored in (the order we copy).
            let (mut items, mut copies) = (items.clone(), copies.clone());
            items.sort();
            copies.sort();
            for (n, (s, c)) in items.iter().zip(&copies).enumerate() {
                let missing: Vec<_> = s.iter().filter(|e| !c.contains(e)).collect();
                let added: Vec<_> = c.iter().filter(|e| !s.contains(e)).collect();
                assert!(
                    missing.is_empty() && added.is_empty(),
                    "{name} {path:?} item {n}: missing {missing:?}, added {added:?}"
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 200 || !common::under_ci(), "{compared} items");
}
