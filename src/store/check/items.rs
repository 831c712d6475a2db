//! One item (message or hidden item) a folder lists: its properties, its subnode list, its
//! recipient table, its attachment table and each attachment's properties. Bodies and
//! attached files are not read here: their blocks are read by the last pass
//! (`blocks::read_rest`).

use super::classify;
use super::finding::{Class, Finding};
use super::values;
use crate::store::error::{Error, Result};
use crate::store::ltp::{Node, PropertyContext, TableContext};
use crate::store::messaging::message::clean_subject;
use crate::store::messaging::tags;
use crate::store::ndb::{Ndb, Nid};

/// Problems listed per recipient or attachment table before the rest are left unsaid.
const TABLE_LIMIT: usize = 20;

/// The item being checked, as findings name it. Its parts (tables, attachments) have node
/// ids of their own that mean nothing outside the item, so findings name the item's.
struct Item {
    nid: Nid,
    label: String,
}

impl Item {
    fn report(&self, out: &mut Vec<Finding>, e: &Error, part: Option<&str>) {
        let mut f = classify::finding(e);
        if let Some(part) = part {
            f.detail = format!("{part}: {}", f.detail);
        }
        f.nid = Some(self.nid.0);
        f.item = Some(self.label.clone());
        out.push(f);
    }
}

/// What checking one item found, to be folded into the scan in the order items are listed.
/// Checking needs only the store and the node index, so items are checked on several
/// threads at once (see `parallel`).
#[derive(Debug, Default)]
pub struct Checked {
    /// The item was in the node index, so it was examined.
    pub examined: bool,
    pub findings: Vec<Finding>,
}

/// Checks one item, found in the node index the check holds (`Ndb::held_node`).
pub fn check(ndb: &Ndb, nid: Nid, folder: &str) -> Checked {
    let mut out = Vec::new();
    let Some(entry) = ndb.held_node(nid).copied() else {
        out.push(
            Finding::new(
                Class::MissingNode,
                "contents table",
                format!("{folder} lists item {nid}, which is not in the file"),
            )
            .nid(nid.0)
            .item(folder.to_string()),
        );
        return Checked {
            examined: false,
            findings: out,
        };
    };
    let mut item = Item {
        nid,
        label: format!("{folder}: item {nid}"),
    };
    let pc = match PropertyContext::open(Node::from_nbt(ndb, &entry)) {
        Ok(pc) => pc,
        Err(e) => {
            item.report(&mut out, &e, None);
            return Checked {
                examined: true,
                findings: out,
            };
        }
    };
    if let Some(subject) = pc.text(tags::SUBJECT).ok().flatten() {
        item.label = format!("{folder}: \"{}\"", clean_subject(subject));
    }
    for (id, e) in pc.verify() {
        item.report(&mut out, &e, Some(&format!("property 0x{id:04X}")));
    }
    out.extend(values::mistyped_classes(&pc, nid.0, &item.label));
    if let Err(e) = parts(&mut out, &item, &pc) {
        item.report(&mut out, &e, Some("its list of parts"));
    }
    Checked {
        examined: true,
        findings: out,
    }
}

/// The item's recipients and attachments; an error that stops the reading of all of them
/// (the subnode list itself) is returned, the rest are reported.
fn parts(out: &mut Vec<Finding>, item: &Item, pc: &PropertyContext) -> Result<()> {
    let node = pc.node();
    node.subnode_entries()?;
    if let Some(recipients) = node.find_subnode(Nid::RECIPIENT_TABLE)? {
        let part = Some("recipient table");
        match TableContext::open(recipients) {
            Ok(t) => {
                for e in t.verify(TABLE_LIMIT) {
                    item.report(out, &e, part);
                }
            }
            Err(e) => item.report(out, &e, part),
        }
    }
    let Some(attachments) = node.find_subnode(Nid::ATTACHMENT_TABLE)? else {
        return Ok(());
    };
    let part = Some("attachment table");
    let table = match TableContext::open(attachments) {
        Ok(t) => t,
        Err(e) => {
            item.report(out, &e, part);
            return Ok(());
        }
    };
    for e in table.verify(TABLE_LIMIT) {
        item.report(out, &e, part);
    }
    for row in 0..table.len() {
        let attachment = Nid(table.row_id(row));
        let Some(sub) = node.find_subnode(attachment)? else {
            out.push(
                Finding::new(
                    Class::MissingNode,
                    "attachment table",
                    format!("the item lists attachment {attachment}, which is not among its parts"),
                )
                .nid(item.nid.0)
                .item(item.label.clone()),
            );
            continue;
        };
        let part = format!("attachment {attachment}");
        match PropertyContext::open(sub) {
            Ok(apc) => {
                for (id, e) in apc.verify() {
                    item.report(out, &e, Some(&format!("{part}, property 0x{id:04X}")));
                }
            }
            Err(e) => item.report(out, &e, Some(&part)),
        }
    }
    Ok(())
}
