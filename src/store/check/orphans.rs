//! The node index against the folder tree: folders and items that exist in the file but
//! that Outlook cannot reach, items whose recorded folder is gone, and folders whose
//! recorded parents lead round in a circle.

use std::collections::HashMap;

use super::finding::{Class, Finding};
use super::folders::{Tree, is_folder, is_item};
use super::scan::Scan;
use crate::store::ndb::Nid;
use crate::work::Cancelled;

const DOING: &str = "Looking for lost folders and items";

pub fn check(scan: &mut Scan, tree: &Tree) -> Result<(), Cancelled> {
    parent_loops(scan)?;
    let total = scan.nodes.len() as u64;
    scan.begin(total, DOING)?;
    for i in 0..scan.nodes.len() {
        scan.tick(i as u64, total, DOING)?;
        let n = scan.nodes[i];
        if is_folder(n.nid) && !tree.folders.contains_key(&n.nid) {
            lost_folder(scan, tree, n.nid, n.nid_parent);
        } else if is_item(n.nid) {
            item(scan, tree, n.nid, n.nid_parent);
        }
    }
    Ok(())
}

fn lost_folder(scan: &mut Scan, tree: &Tree, nid: Nid, parent: Nid) {
    // A folder under a lost folder is lost with it; one finding for the topmost is enough.
    if scan.node(parent).is_some_and(|p| is_folder(p.nid)) && !tree.folders.contains_key(&parent) {
        return;
    }
    let why = if tree.folders.contains_key(&parent) {
        format!(
            "its recorded parent, {}, does not list it",
            tree.label(parent)
        )
    } else {
        format!("its recorded parent, {parent}, does not exist")
    };
    scan.report(
        Finding::new(
            Class::OrphanFolder,
            "folder",
            format!("folder {nid} cannot be reached from the root folder: {why}"),
        )
        .nid(nid.0),
    );
}

fn item(scan: &mut Scan, tree: &Tree, nid: Nid, parent: Nid) {
    let parent_exists = scan.node(parent).is_some_and(|p| is_folder(p.nid));
    let finding = match tree.listed.get(&nid) {
        Some(&folder) if folder == parent => return,
        Some(&folder) if !parent_exists => Finding::new(
            Class::OrphanMessage,
            "item",
            format!(
                "item {nid} records folder {parent}, which does not exist ({} lists it)",
                tree.label(folder)
            ),
        )
        .item(tree.label(folder)),
        Some(&folder) => Finding::new(
            Class::ParentMismatch,
            "item",
            format!(
                "item {nid} records folder {} but {} lists it",
                tree.label(parent),
                tree.label(folder)
            ),
        )
        .item(tree.label(folder)),
        None => match tree.folders.get(&parent) {
            // The folder's tables could not be read: that was reported, and says why.
            Some(r) if !r.tables_read => return,
            Some(_) => Finding::new(
                Class::OrphanMessage,
                "item",
                format!(
                    "item {nid} records folder {}, which does not list it: Outlook does not show it",
                    tree.label(parent)
                ),
            )
            .item(tree.label(parent)),
            // In a folder that is lost itself: reported once, for the folder.
            None if parent_exists => return,
            None => Finding::new(
                Class::OrphanMessage,
                "item",
                format!(
                    "item {nid} records folder {parent}, which does not exist, and no folder lists it"
                ),
            ),
        },
    };
    scan.report(finding.nid(nid.0));
}

/// Follows every folder's recorded parent up towards the root folder (its own parent); a
/// chain that comes back to a folder it passed is a loop, reported once.
fn parent_loops(scan: &mut Scan) -> Result<(), Cancelled> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        OnPath,
        Done,
    }
    let mut state: HashMap<Nid, State> = HashMap::new();
    let folders: Vec<(Nid, Nid)> = scan
        .nodes
        .iter()
        .filter(|n| is_folder(n.nid))
        .map(|n| (n.nid, n.nid_parent))
        .collect();
    let total = folders.len() as u64;
    scan.begin(total, DOING)?;
    for (i, &(start, _)) in folders.iter().enumerate() {
        scan.tick(i as u64, total, DOING)?;
        let mut path = Vec::new();
        let mut at = start;
        let looped = loop {
            match state.get(&at) {
                Some(State::Done) => break None,
                Some(State::OnPath) => break Some(at),
                None => {}
            }
            let Some(n) = scan.node(at).filter(|n| is_folder(n.nid)) else {
                break None;
            };
            state.insert(at, State::OnPath);
            path.push(at);
            if at == Nid::ROOT_FOLDER {
                break None;
            }
            at = n.nid_parent;
        };
        if let Some(again) = looped {
            let from = path.iter().position(|&n| n == again).unwrap_or(0);
            let circle: Vec<String> = path[from..]
                .iter()
                .chain([&again])
                .map(|n| n.to_string())
                .collect();
            scan.report(
                Finding::new(
                    Class::HierarchyLoop,
                    "folder",
                    format!(
                        "the folders' recorded parents go round in a circle: {}",
                        circle.join(" -> ")
                    ),
                )
                .nid(again.0),
            );
        }
        for n in path {
            state.insert(n, State::Done);
        }
    }
    Ok(())
}
