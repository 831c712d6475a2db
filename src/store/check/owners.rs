//! Names what each damaged block belongs to. A body or attachment block is read by the
//! last pass (`blocks::read_rest`), not as part of its item, so its finding would only
//! give a block id; following the first reference to it up to a node gives the folder or
//! item a helpdesk can recognize.

use super::folders::{Tree, is_folder, is_item};
use super::scan::{Scan, User};
use crate::store::ltp::{Node, PropertyContext};
use crate::store::messaging::message::clean_subject;
use crate::store::messaging::tags;
use crate::store::ndb::Nid;

/// Data trees are at most two levels and subnode trees nest a few deep; a longer chain
/// of references is damage and not worth following.
const MAX_STEPS: usize = 16;

pub fn attach(scan: &mut Scan, tree: &Tree) {
    let bad: Vec<(u64, User)> = scan
        .blocks
        .iter()
        .zip(&scan.block_state)
        .filter(|(_, s)| s.bad)
        .map(|(b, s)| (b.bid, s.user()))
        .collect();
    for (bid, user) in bad {
        let Some(nid) = owner(scan, user) else {
            continue;
        };
        let item = describe(scan, tree, nid);
        scan.findings.attach(bid, nid.0, item);
    }
}

fn owner(scan: &Scan, mut user: User) -> Option<Nid> {
    for _ in 0..MAX_STEPS {
        match user {
            User::None => return None,
            User::Node(nid) => return Some(nid),
            User::Block(position) => user = scan.block_state.get(position)?.user(),
        }
    }
    None
}

/// A folder by its path; an item by its folder and subject; anything else by its folder.
fn describe(scan: &Scan, tree: &Tree, nid: Nid) -> Option<String> {
    if is_folder(nid) {
        return tree.folders.contains_key(&nid).then(|| tree.label(nid));
    }
    if is_item(nid) {
        let folder = tree.label(*tree.listed.get(&nid)?);
        let subject = scan
            .node(nid)
            .and_then(|e| PropertyContext::open(Node::from_nbt(scan.ndb(), e)).ok())
            .and_then(|pc| pc.text(tags::SUBJECT).ok().flatten());
        return Some(match subject {
            Some(s) => format!("{folder}: \"{}\"", clean_subject(s)),
            None => format!("{folder}: item {nid}"),
        });
    }
    // A folder's tables share its index.
    let folder = nid.with_type(crate::store::ndb::btree::nid_type::NORMAL_FOLDER);
    tree.folders
        .contains_key(&folder)
        .then(|| tree.label(folder))
}
