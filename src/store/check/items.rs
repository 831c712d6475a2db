//! One item (message or hidden item) a folder lists: its properties, its subnode list, its
//! recipient table, its attachment table and each attachment's properties. Bodies and
//! attached files are not read here: their blocks were verified in the block pass.

use super::finding::{Class, Finding};
use super::scan::Scan;
use crate::store::error::Result;
use crate::store::ltp::{Node, PropertyContext, TableContext};
use crate::store::messaging::message::clean_subject;
use crate::store::messaging::tags;
use crate::store::ndb::Nid;

/// Problems listed per recipient or attachment table before the rest are left unsaid.
const TABLE_LIMIT: usize = 20;

pub fn check(scan: &mut Scan, nid: Nid, folder: &str) {
    let Some(entry) = scan.node(nid).copied() else {
        scan.report(
            Finding::new(
                Class::MissingNode,
                "contents table",
                format!("{folder} lists item {nid}, which is not in the file"),
            )
            .nid(nid.0)
            .item(folder.to_string()),
        );
        return;
    };
    scan.examined.messages += 1;
    let pc = match PropertyContext::open(Node::from_nbt(scan.ndb(), &entry)) {
        Ok(pc) => pc,
        Err(e) => {
            scan.report_error(&e, Some(&format!("{folder}: item {nid}")));
            return;
        }
    };
    let label = match pc.text(tags::SUBJECT).ok().flatten() {
        Some(subject) => format!("{folder}: \"{}\"", clean_subject(subject)),
        None => format!("{folder}: item {nid}"),
    };
    for (id, e) in pc.verify() {
        scan.report_property_error(id, &e, Some(&label));
    }
    if let Err(e) = parts(scan, &pc, &label) {
        scan.report_error(&e, Some(&label));
    }
}

/// The item's recipients and attachments; an error that stops the reading of all of them
/// (the subnode list itself) is returned, the rest are reported.
fn parts(scan: &mut Scan, pc: &PropertyContext, label: &str) -> Result<()> {
    let node = pc.node();
    node.subnode_entries()?;
    if let Some(recipients) = node.find_subnode(Nid::RECIPIENT_TABLE)? {
        match TableContext::open(recipients) {
            Ok(t) => {
                for e in t.verify(TABLE_LIMIT) {
                    scan.report_error(&e, Some(label));
                }
            }
            Err(e) => scan.report_error(&e, Some(label)),
        }
    }
    let Some(attachments) = node.find_subnode(Nid::ATTACHMENT_TABLE)? else {
        return Ok(());
    };
    let table = match TableContext::open(attachments) {
        Ok(t) => t,
        Err(e) => {
            scan.report_error(&e, Some(label));
            return Ok(());
        }
    };
    for e in table.verify(TABLE_LIMIT) {
        scan.report_error(&e, Some(label));
    }
    for row in 0..table.len() {
        let attachment = Nid(table.row_id(row));
        let Some(sub) = node.find_subnode(attachment)? else {
            scan.report(
                Finding::new(
                    Class::MissingNode,
                    "attachment table",
                    format!("the item lists attachment {attachment}, which is not among its parts"),
                )
                .nid(node.nid.0)
                .item(label.to_string()),
            );
            continue;
        };
        match PropertyContext::open(sub) {
            Ok(apc) => {
                for (id, e) in apc.verify() {
                    scan.report_property_error(id, &e, Some(label));
                }
            }
            Err(e) => scan.report_error(&e, Some(label)),
        }
    }
    Ok(())
}
