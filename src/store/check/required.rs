//! The objects every store needs: the message store object, the name-to-id map, the root
//! folder, the top of the mailbox (IPM subtree), the search root and, where the store
//! names one, Deleted Items.

use super::finding::{Class, Finding};
use super::folders::Tree;
use super::scan::Scan;
use crate::store::FolderInfo;
use crate::store::ltp::{Node, PropertyContext};
use crate::store::messaging::tags;
use crate::store::ndb::Nid;

pub fn check(scan: &mut Scan, tree: &Tree) {
    for (nid, what) in [
        (Nid::MESSAGE_STORE, "the message store object"),
        (Nid::NAME_TO_ID_MAP, "the map of named properties"),
    ] {
        if scan.node(nid).is_none() {
            scan.report(
                Finding::new(
                    Class::MissingNode,
                    "node",
                    format!("{what} (node {nid}) is not in the file"),
                )
                .nid(nid.0),
            );
        }
    }
    if !tree.folders.contains_key(&Nid::ROOT_FOLDER) {
        // Reported by the folder walk, which starts there.
        return;
    }
    let Some(store) = scan.node(Nid::MESSAGE_STORE).copied() else {
        return;
    };
    let pc = match PropertyContext::open(Node::from_nbt(scan.ndb(), &store)) {
        Ok(pc) => pc,
        Err(e) => {
            scan.report_error(&e, Some("the message store object"));
            return;
        }
    };
    let has = |tag| pc.has(tag);
    let (has_ipm, has_finder, has_deleted) = (
        has(tags::IPM_SUBTREE_ENTRY_ID),
        has(tags::FINDER_ENTRY_ID),
        has(tags::IPM_WASTEBASKET_ENTRY_ID),
    );
    drop(pc);

    let folders: Vec<FolderInfo> = tree
        .folders
        .iter()
        .map(|(&nid, r)| {
            let name = r.path.last().cloned().unwrap_or_default();
            FolderInfo::bare(nid, r.parent, r.path.clone(), name)
        })
        .collect();
    let ipm = match scan.store.ipm_subtree(&folders) {
        Ok(ipm) => ipm,
        Err(e) => {
            scan.report_error(&e, Some("the message store object"));
            return;
        }
    };
    let missing = |what: &str, detail: String| {
        Finding::new(
            Class::MissingFolder,
            "folder",
            format!("{what} is missing: {detail}"),
        )
    };
    match ipm {
        Some(_) => {}
        None if has_ipm => scan.report(missing(
            "the top of the mailbox (IPM subtree)",
            "the store names a folder that the folder tree does not hold".into(),
        )),
        None => scan.report(missing(
            "the top of the mailbox (IPM subtree)",
            "the store names none and no folder IPM_SUBTREE is under the root".into(),
        )),
    }

    for (tag, named, what) in [
        (tags::FINDER_ENTRY_ID, has_finder, "the search root"),
        (tags::IPM_WASTEBASKET_ENTRY_ID, has_deleted, "Deleted Items"),
    ] {
        if !named {
            continue;
        }
        match scan.store.special_folder(tag) {
            Ok(Some(nid)) if tree.folders.contains_key(&nid) => {}
            Ok(target) => scan.report(missing(
                what,
                match target {
                    Some(nid) => {
                        format!("the store names folder {nid}, which the folder tree does not hold")
                    }
                    None => {
                        "the store's reference to it is not a reference to a folder of this store"
                            .into()
                    }
                },
            )),
            Err(e) => scan.report_error(&e, Some("the message store object")),
        }
    }
    // Offline stores name no search root; Exchange keeps it as "Finder" beside the top of
    // the mailbox (the name is never translated).
    if !has_finder && let Some(ipm) = ipm {
        let beside = tree.folders.get(&ipm).and_then(|r| r.parent);
        let found = tree
            .folders
            .values()
            .any(|r| r.parent == beside && r.path.last().is_some_and(|n| n == "Finder"));
        if !found {
            scan.report(missing(
                "the search root",
                "the store names none and no folder Finder is beside the top of the mailbox".into(),
            ));
        }
    }
}
