//! The folder tree of a damaged store, for copying out what it still holds. Where the
//! strict walk (`Store::folders`) stops at the first unreadable folder, this one goes on:
//! a folder whose properties cannot be read keeps the name its parent's hierarchy table
//! gives it, a hierarchy table that cannot be read is replaced by the node index (each
//! node entry names its parent), and a folder listed twice is walked once. What it had to
//! work around comes back as lines for people to read.

use std::collections::{HashMap, HashSet};

use super::folder::FolderInfo;
use super::store::Store;
use super::tags;
use crate::store::ltp::{Node, TableContext};
use crate::store::ndb::btree::nid_type;
use crate::store::ndb::{Ndb, Nid};

/// Deeper folder chains are damage; the strict walk refuses them too.
const MAX_DEPTH: usize = 256;

/// What a damaged store still holds, as far as its folder tree goes.
pub struct Found {
    /// Every folder that can be found, parents before children.
    pub folders: Vec<FolderInfo>,
    /// The normal items the node index files under each folder, in node id order: what a
    /// folder holds even when its contents table is damaged.
    pub items_by_folder: HashMap<Nid, Vec<Nid>>,
    /// What had to be worked around, for people to read.
    pub damage: Vec<String>,
}

/// Walks the folder tree going round what is damaged (see the module notes).
pub fn folders(store: &Store) -> Found {
    let ndb = store.ndb();
    let mut damage = Vec::new();
    let (filed, items_by_folder) = by_parent(ndb, &mut damage);
    let mut out: Vec<FolderInfo> = Vec::new();
    let mut seen = HashSet::from([Nid::ROOT_FOLDER]);
    // (folder, its parent's index in `out`, the name its parent's table gives it)
    let mut stack: Vec<(Nid, Option<usize>, Option<String>)> = vec![(Nid::ROOT_FOLDER, None, None)];
    while let Some((nid, parent, listed_name)) = stack.pop() {
        let parent_ref = parent.map(|i| (out[i].nid, out[i].path.clone()));
        let info = match FolderInfo::read_lenient(
            ndb,
            nid,
            parent_ref.as_ref().map(|(p, path)| (*p, &path[..])),
        ) {
            Ok(info) => info,
            Err(e) => {
                let name = listed_name
                    .clone()
                    .unwrap_or_else(|| format!("(folder {nid})"));
                damage.push(format!(
                    "folder \"{name}\": its properties could not be read: {e}"
                ));
                let path = match &parent_ref {
                    Some((_, p)) => p.iter().cloned().chain([name.clone()]).collect(),
                    None => Vec::new(),
                };
                FolderInfo::bare(nid, parent_ref.as_ref().map(|(p, _)| *p), path, name)
            }
        };
        let depth = info.path.len();
        let label = info.path.join("/");
        let at = out.len();
        out.push(info);
        if depth >= MAX_DEPTH || nid.nid_type() == nid_type::SEARCH_FOLDER {
            continue;
        }
        let children = match listed_children(ndb, nid) {
            Ok(children) => children,
            Err(e) => {
                damage.push(format!(
                    "folder \"{label}\": its list of subfolders could not be read, so the node index's was used: {e}"
                ));
                Vec::new()
            }
        };
        // The node index files a folder's subfolders under it even when its table is
        // damaged or leaves some out.
        let listed: HashSet<Nid> = children.iter().map(|c| c.0).collect();
        let extra = filed
            .get(&nid)
            .into_iter()
            .flatten()
            .filter(|c| !listed.contains(c))
            .map(|&c| (c, None));
        let all: Vec<(Nid, Option<String>)> = children.into_iter().chain(extra).collect();
        for (child, name) in all.into_iter().rev() {
            if seen.insert(child) {
                stack.push((child, Some(at), name));
            }
        }
    }
    Found {
        folders: out,
        items_by_folder,
        damage,
    }
}

/// The subfolders a folder's hierarchy table lists, with the names it gives them.
fn listed_children(ndb: &Ndb, folder: Nid) -> crate::store::Result<Vec<(Nid, Option<String>)>> {
    let Some(entry) = ndb.find_node(folder.with_type(nid_type::HIERARCHY_TABLE))? else {
        return Ok(Vec::new());
    };
    let table = TableContext::open(Node::from_nbt(ndb, &entry))?;
    Ok((0..table.len())
        .map(|r| {
            let name = table.text(r, tags::DISPLAY_NAME).ok().flatten();
            (Nid(table.row_id(r)), name)
        })
        .collect())
}

/// Folders and normal items by the parent their node entry names, in node id order, from
/// one walk of the node index.
type ByParent = HashMap<Nid, Vec<Nid>>;

fn by_parent(ndb: &Ndb, damage: &mut Vec<String>) -> (ByParent, ByParent) {
    let (mut folders, mut items): (ByParent, ByParent) = Default::default();
    let walked = ndb.walk_nodes(|e| {
        match e.nid.nid_type() {
            nid_type::NORMAL_FOLDER | nid_type::SEARCH_FOLDER if e.nid != e.nid_parent => {
                folders.entry(e.nid_parent).or_default().push(e.nid);
            }
            nid_type::NORMAL_MESSAGE => items.entry(e.nid_parent).or_default().push(e.nid),
            _ => {}
        }
        Ok(())
    });
    if let Err(e) = walked {
        damage.push(format!("the node index could not be read to the end: {e}"));
    }
    (folders, items)
}
