//! The folder tree as Outlook sees it: from the root folder down through hierarchy tables.
//! Each folder's properties and three tables are read with the reader's own LTP code and
//! checked against each other (the item count against the contents table); once the walk
//! is over, each item the contents tables list is checked (see `Walk::check_items`). A
//! folder that cannot be read is reported and its siblings are still walked.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::finding::{Class, Finding};
use super::items;
use super::parallel;
use super::scan::Scan;
use super::values;
use crate::store::ltp::{Node, PropertyContext, tc};
use crate::store::messaging::tags;
use crate::store::ndb::Nid;
use crate::store::ndb::btree::nid_type;
use crate::work::Cancelled;

/// Table problems listed per table before the rest are left unsaid.
const TABLE_LIMIT: usize = 20;

/// A folder the walk reached.
#[derive(Debug, Clone)]
pub struct Reached {
    pub parent: Option<Nid>,
    /// Display names from the root's children down.
    pub path: Vec<String>,
    /// Its contents tables could be read, so an item missing from them is truly unlisted.
    pub tables_read: bool,
}

/// What the walk found: the folders reached and which folder lists each item.
#[derive(Default)]
pub struct Tree {
    pub folders: BTreeMap<Nid, Reached>,
    pub listed: HashMap<Nid, Nid>,
}

impl Tree {
    /// How people know a folder: its path, or "the root folder".
    pub fn label(&self, nid: Nid) -> String {
        match self.folders.get(&nid) {
            Some(r) if r.path.is_empty() => "the root folder".to_string(),
            Some(r) => r.path.join("/"),
            None => format!("folder {nid}"),
        }
    }

    fn is_ancestor(&self, candidate: Nid, of: Nid) -> bool {
        let mut at = Some(of);
        let mut steps = 0;
        while let Some(nid) = at {
            if nid == candidate {
                return true;
            }
            steps += 1;
            if steps > self.folders.len() {
                return false;
            }
            at = self.folders.get(&nid).and_then(|r| r.parent);
        }
        false
    }
}

const DOING: &str = "Checking folders and items";

/// The walk's own state: the tree so far, the folders waiting, the items found listed,
/// and the progress total.
struct Walk {
    tree: Tree,
    queued: HashSet<Nid>,
    stack: Vec<(Nid, Option<Nid>)>,
    /// Each listed item once, with the folder that lists it (an index into `labels`).
    todo: Vec<(Nid, u32)>,
    labels: Vec<String>,
    total: u64,
}

pub fn walk(scan: &mut Scan) -> Result<Tree, Cancelled> {
    let total = scan
        .nodes
        .iter()
        .filter(|n| is_folder(n.nid) || is_item(n.nid))
        .count() as u64;
    scan.begin(total, DOING)?;
    let mut w = Walk {
        tree: Tree::default(),
        queued: HashSet::from([Nid::ROOT_FOLDER]),
        stack: vec![(Nid::ROOT_FOLDER, None)],
        todo: Vec::new(),
        labels: Vec::new(),
        total,
    };
    while let Some((nid, parent)) = w.stack.pop() {
        w.tick(scan)?;
        w.folder(scan, nid, parent);
    }
    w.check_items(scan)?;
    Ok(w.tree)
}

impl Walk {
    fn tick(&self, scan: &mut Scan) -> Result<(), Cancelled> {
        let done = scan.examined.folders + scan.examined.messages;
        scan.tick(done, self.total, DOING)
    }

    /// One folder: its properties, its tables, then its subfolders are queued and its
    /// items noted.
    fn folder(&mut self, scan: &mut Scan, nid: Nid, parent: Option<Nid>) {
        let Some(entry) = scan.node(nid).copied() else {
            let f = match parent {
                None => Finding::new(
                    Class::MissingFolder,
                    "folder",
                    "the root folder (node 0x122) is not in the node index",
                ),
                Some(p) => Finding::new(
                    Class::MissingNode,
                    "folder",
                    format!(
                        "{} lists subfolder {nid}, which is not in the file",
                        self.tree.label(p)
                    ),
                ),
            };
            scan.report(f.nid(nid.0));
            return;
        };
        scan.examined.folders += 1;
        let pc = PropertyContext::open(Node::from_nbt(scan.ndb(), &entry));
        let (name, count) = match &pc {
            Ok(pc) => (
                pc.text(tags::DISPLAY_NAME).ok().flatten(),
                pc.int(tags::CONTENT_COUNT).ok().flatten(),
            ),
            Err(_) => (None, None),
        };
        let path = match parent.and_then(|p| self.tree.folders.get(&p)) {
            None if parent.is_none() => Vec::new(),
            known => {
                let mut path = known.map(|r| r.path.clone()).unwrap_or_default();
                path.push(name.unwrap_or_else(|| format!("(folder {nid})")));
                path
            }
        };
        self.tree.folders.insert(
            nid,
            Reached {
                parent,
                path,
                tables_read: false,
            },
        );
        let label = self.tree.label(nid);
        match pc {
            Ok(pc) => {
                for (id, e) in pc.verify() {
                    scan.report_property_error(id, &e, Some(&label));
                }
                for f in values::mistyped_classes(&pc, nid.0, &label) {
                    scan.report(f);
                }
            }
            Err(e) => scan.report_error(&e, Some(&label)),
        }
        // Search folders keep their results elsewhere and have no subfolders.
        if nid.nid_type() == nid_type::SEARCH_FOLDER {
            return;
        }
        let children = table_rows(scan, nid, nid_type::HIERARCHY_TABLE, &label);
        let contents = table_rows(scan, nid, nid_type::CONTENTS_TABLE, &label);
        let assoc = table_rows(scan, nid, nid_type::ASSOC_CONTENTS_TABLE, &label);
        if let (Some(count), Some(rows)) = (count, &contents)
            && count != rows.len() as i64
        {
            scan.report(
                Finding::new(
                    Class::ContentCount,
                    "folder",
                    format!(
                        "the folder's item count is {count}, its contents table lists {}",
                        rows.len()
                    ),
                )
                .nid(nid.0)
                .item(label.clone()),
            );
        }
        if let Some(r) = self.tree.folders.get_mut(&nid) {
            r.tables_read = contents.is_some() && assoc.is_some();
        }
        self.subfolders(scan, nid, &label, children.unwrap_or_default());
        let listed: Vec<Nid> = contents.into_iter().chain(assoc).flatten().collect();
        self.items(scan, nid, label, listed);
    }

    /// Queues the subfolders a hierarchy table lists, reporting loops and repeats.
    fn subfolders(&mut self, scan: &mut Scan, nid: Nid, label: &str, children: Vec<Nid>) {
        // Reversed onto the stack, so the first subfolder is walked first.
        for child in children.into_iter().rev() {
            if !is_folder(child) {
                scan.report(table_finding(
                    nid,
                    label,
                    format!("the hierarchy table lists node {child}, which is not a folder"),
                ));
                continue;
            }
            if self.tree.is_ancestor(child, nid) {
                scan.report(
                    Finding::new(
                        Class::HierarchyLoop,
                        "hierarchy table",
                        format!(
                            "{label} lists {} as its subfolder, which contains {label}",
                            self.tree.label(child)
                        ),
                    )
                    .nid(nid.0)
                    .item(label.to_string()),
                );
                continue;
            }
            if !self.queued.insert(child) {
                scan.report(
                    Finding::new(
                        Class::ParentMismatch,
                        "hierarchy table",
                        format!("folder {child} is listed as a subfolder of more than one folder"),
                    )
                    .nid(child.0)
                    .item(label.to_string()),
                );
                continue;
            }
            if let Some(c) = scan.node(child)
                && c.nid_parent != nid
            {
                let recorded = c.nid_parent;
                scan.report(
                    Finding::new(
                        Class::ParentMismatch,
                        "folder",
                        format!(
                            "folder {child} records {recorded} as its parent, but {label} lists it"
                        ),
                    )
                    .nid(child.0)
                    .item(label.to_string()),
                );
            }
            self.stack.push((child, Some(nid)));
        }
    }

    /// Notes each item a folder's contents tables list, once, however often listed, to be
    /// checked once the walk is over.
    fn items(&mut self, scan: &mut Scan, nid: Nid, label: String, listed: Vec<Nid>) {
        let at = self.labels.len() as u32;
        for item in listed {
            if !is_item(item) {
                scan.report(table_finding(
                    nid,
                    &label,
                    format!("a contents table lists node {item}, which is not an item"),
                ));
                continue;
            }
            match self.tree.listed.insert(item, nid) {
                None => self.todo.push((item, at)),
                Some(other) if other != nid => scan.report(
                    Finding::new(
                        Class::ParentMismatch,
                        "contents table",
                        format!(
                            "item {item} is listed by both {} and {label}",
                            self.tree.label(other)
                        ),
                    )
                    .nid(item.0)
                    .item(label.clone()),
                ),
                // Listed twice by one table: the table's own check reported it.
                Some(_) => {}
            }
        }
        self.labels.push(label);
    }

    /// Checks every item the walk found, on several threads, in node id order rather than
    /// folder by folder: an item gets its node id and its blocks as it is written, so the
    /// reads go through the indexes a page at a time and through the file mostly forward
    /// (folders fill side by side, so one folder's items lie all over the file). Their
    /// findings are reported in that order, the same on every machine.
    fn check_items(&mut self, scan: &mut Scan) -> Result<(), Cancelled> {
        let mut todo = std::mem::take(&mut self.todo);
        todo.sort_unstable();
        let threads = parallel::workers();
        let labels = std::mem::take(&mut self.labels);
        for batch in todo.chunks(parallel::BATCH) {
            let ndb = scan.ndb();
            let checked = parallel::map(batch, threads, |&(item, at)| {
                items::check(ndb, item, &labels[at as usize])
            });
            for c in checked {
                self.tick(scan)?;
                scan.examined.messages += u64::from(c.examined);
                for f in c.findings {
                    scan.report(f);
                }
            }
        }
        Ok(())
    }
}

pub fn is_folder(nid: Nid) -> bool {
    matches!(
        nid.nid_type(),
        nid_type::NORMAL_FOLDER | nid_type::SEARCH_FOLDER
    )
}

pub fn is_item(nid: Nid) -> bool {
    matches!(
        nid.nid_type(),
        nid_type::NORMAL_MESSAGE | nid_type::ASSOC_MESSAGE
    )
}

fn table_name(table_type: u8) -> &'static str {
    match table_type {
        nid_type::HIERARCHY_TABLE => "hierarchy table",
        nid_type::CONTENTS_TABLE => "contents table",
        _ => "hidden-items table",
    }
}

fn table_finding(folder: Nid, label: &str, detail: String) -> Finding {
    Finding::new(Class::Table, "folder table", detail)
        .nid(folder.0)
        .item(label.to_string())
}

/// The row ids of one of a folder's tables, its problems reported; `None` when it cannot
/// be read.
fn table_rows(scan: &mut Scan, folder: Nid, table_type: u8, label: &str) -> Option<Vec<Nid>> {
    let name = table_name(table_type);
    let table_nid = folder.with_type(table_type);
    let Some(entry) = scan.node(table_nid).copied() else {
        scan.report(
            Finding::new(
                Class::MissingNode,
                name,
                format!("the folder's {name} (node {table_nid}) is not in the file"),
            )
            .nid(table_nid.0)
            .item(label.to_string()),
        );
        return None;
    };
    // Read a block at a time: a contents table of a folder of 200,000 items is tens of
    // megabytes, more than the rest of the check holds for the whole store.
    match tc::scan(Node::from_nbt(scan.ndb(), &entry), TABLE_LIMIT) {
        Ok(table) => {
            for e in &table.problems {
                scan.report_error(e, Some(label));
            }
            Some(table.ids.into_iter().map(Nid).collect())
        }
        Err(e) => {
            scan.report_error(&e, Some(label));
            None
        }
    }
}
