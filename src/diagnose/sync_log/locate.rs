//! Where the logs are. Outlook 2003 and later put them in Sync Issues (and its Conflicts,
//! Local Failures and Server Failures subfolders); older versions in Deleted Items; a
//! person may have moved them anywhere. Every folder's contents table is read for the
//! subject, which costs one table per folder rather than one message per item.

use std::collections::HashMap;

use serde::Serialize;

use crate::diagnose::names::role_from_name;
use crate::server::FolderRole;
use crate::store::JobError;
use crate::store::ltp::{Node, PropValue, PropertyContext, TableContext};
use crate::store::messaging::class;
use crate::store::messaging::message::clean_subject;
use crate::store::messaging::store::entry_id_nid;
use crate::store::messaging::tags;
use crate::store::ndb::Nid;
use crate::store::ndb::btree::nid_type;
use crate::store::{FolderInfo, Store};
use crate::work::Work;

/// What a log's subject starts with.
pub const SUBJECT_PREFIX: &str = "synchronization log";

/// PidTagAdditionalRenEntryIds, on the Inbox: entry ids of Conflicts, Sync Issues,
/// Local Failures, Server Failures and Junk E-mail, in that order ([MS-OXOSFLD]).
const ADDITIONAL_REN_ENTRY_IDS: u16 = 0x36D8;
const SYNC_ISSUES_INDEX: usize = 1;

/// The kind of folder a log was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    SyncIssues,
    Conflicts,
    LocalFailures,
    ServerFailures,
    DeletedItems,
    Other,
}

pub struct Candidate {
    pub nid: Nid,
    pub folder: Vec<String>,
    pub place: Place,
    /// Found by its subject; otherwise it sits in Sync Issues and is kept only if its
    /// body turns out to be a log (Outlook words the subject in the user's language).
    pub by_subject: bool,
}

/// The special folders logs are looked for in, by node id.
struct Special {
    sync_issues: Option<Nid>,
    deleted: Option<Nid>,
}

pub fn candidates(
    store: &Store,
    folders: &[FolderInfo],
    work: &mut Work<'_>,
    problems: &mut Vec<String>,
) -> Result<Vec<Candidate>, JobError> {
    let special = special_folders(store, folders)?;
    let by_nid: HashMap<Nid, &FolderInfo> = folders.iter().map(|f| (f.nid, f)).collect();
    let mut out = Vec::new();
    let total = folders.len() as u64;
    for (i, f) in folders.iter().enumerate() {
        work.step(i as u64, total, "Looking for synchronization logs")?;
        // Search folders list items that live in other folders, found there.
        if f.is_search_folder {
            continue;
        }
        let place = place_of(f, &by_nid, &special);
        let in_sync_issues = matches!(
            place,
            Place::SyncIssues | Place::Conflicts | Place::LocalFailures | Place::ServerFailures
        );
        match scan_folder(store, f.nid, in_sync_issues) {
            Ok(found) => out.extend(found.into_iter().map(|(nid, by_subject)| Candidate {
                nid,
                folder: f.path.clone(),
                place,
                by_subject,
            })),
            Err(e) => problems.push(format!("folder {}: {e}", f.path.join("/"))),
        }
    }
    work.step(total, total, "Looking for synchronization logs")?;
    Ok(out)
}

/// Messages of one folder that are, or in Sync Issues may be, logs.
fn scan_folder(
    store: &Store,
    folder: Nid,
    in_sync_issues: bool,
) -> crate::store::Result<Vec<(Nid, bool)>> {
    let ndb = store.ndb();
    let Some(entry) = ndb.find_node(folder.with_type(nid_type::CONTENTS_TABLE))? else {
        return Ok(Vec::new());
    };
    let table = TableContext::open(Node::from_nbt(ndb, &entry))?;
    let mut out = Vec::new();
    for row in 0..table.len() {
        let nid = Nid(table.row_id(row));
        // A table without the columns (not written by Outlook) means asking the message.
        let (subject, class) = if table.columns().iter().any(|c| c.id == tags::SUBJECT) {
            (
                table.text(row, tags::SUBJECT)?,
                class::read_cell(&table, row, tags::MESSAGE_CLASS)?.map(|c| c.text),
            )
        } else {
            let s = store.message(nid)?.summary()?;
            (s.subject, s.message_class)
        };
        let by_subject = subject
            .map(clean_subject)
            .is_some_and(|s| s.trim_start().to_lowercase().starts_with(SUBJECT_PREFIX));
        let note = class.is_none_or(|c| c.to_ascii_lowercase().starts_with("ipm.note"));
        if note && (by_subject || in_sync_issues) {
            out.push((nid, by_subject));
        }
    }
    Ok(out)
}

fn special_folders(store: &Store, folders: &[FolderInfo]) -> crate::store::Result<Special> {
    let exists = |nid: Nid| folders.iter().any(|f| f.nid == nid);
    let ipm = store.ipm_subtree(folders)?;
    let by_role = |role: FolderRole| {
        let matching: Vec<Nid> = folders
            .iter()
            .filter(|f| ipm.is_none_or(|top| f.parent == Some(top)))
            .filter(|f| role_from_name(&f.display_name).as_ref() == Some(&role))
            .map(|f| f.nid)
            .collect();
        // Two candidates by name and no entry id to tell them apart: trust neither.
        match matching[..] {
            [nid] => Some(nid),
            _ => None,
        }
    };
    let deleted = store
        .special_folder(tags::IPM_WASTEBASKET_ENTRY_ID)?
        .filter(|&n| exists(n))
        .or_else(|| by_role(FolderRole::Deleted));
    let inbox = by_role(FolderRole::Inbox);
    let sync_by_id = match inbox {
        Some(inbox) => sync_issues_entry_id(store, inbox)?.filter(|&n| exists(n)),
        None => None,
    };
    Ok(Special {
        sync_issues: sync_by_id.or_else(|| by_role(FolderRole::SyncIssues)),
        deleted,
    })
}

/// Sync Issues as the Inbox names it, when the entry id points into this store (a
/// personal store's entry id does; an offline store's names the server's folder).
fn sync_issues_entry_id(store: &Store, inbox: Nid) -> crate::store::Result<Option<Nid>> {
    let pc = PropertyContext::open(Node::open(store.ndb(), inbox)?)?;
    let record_key = store.properties()?.record_key;
    let Some(PropValue::Multi(ids)) = pc.get(ADDITIONAL_REN_ENTRY_IDS)? else {
        return Ok(None);
    };
    Ok(ids
        .get(SYNC_ISSUES_INDEX)
        .and_then(PropValue::as_bytes)
        .and_then(|b| entry_id_nid(b, record_key.as_deref())))
}

fn place_of(f: &FolderInfo, by_nid: &HashMap<Nid, &FolderInfo>, special: &Special) -> Place {
    let mut at = Some(f);
    let mut child: Option<&FolderInfo> = None;
    // Walk up: the nearest special ancestor decides, and for Sync Issues the child of it
    // the folder sits in.
    while let Some(folder) = at {
        if Some(folder.nid) == special.sync_issues {
            let role = child.and_then(|c| role_from_name(&c.display_name));
            return match role {
                Some(FolderRole::Conflicts) => Place::Conflicts,
                Some(FolderRole::LocalFailures) => Place::LocalFailures,
                Some(FolderRole::ServerFailures) => Place::ServerFailures,
                _ => Place::SyncIssues,
            };
        }
        if Some(folder.nid) == special.deleted {
            return Place::DeletedItems;
        }
        child = Some(folder);
        at = folder
            .parent
            .filter(|&p| p != folder.nid)
            .and_then(|p| by_nid.get(&p).copied());
    }
    Place::Other
}
