//! The offline store's side of the comparison: its mail-visible folders with their roles and
//! counts, and the items of a folder when asked.
//!
//! Only folders below the IPM subtree (the top of the mailbox the user sees) take part:
//! search folders and the store's own folders beside the subtree ("Finder", "Views",
//! "Common Views", "Root - Public", ...) have no counterpart on a server.
//!
//! A folder's role comes, most reliable first, from the entry ids that point at it (the
//! message store's, and the special-folder ids Outlook keeps on the Inbox and the mailbox
//! root), then from its name in any known language, then from its container class.

use std::collections::{HashMap, HashSet};

use super::names::{is_sync_issues_child, role_from_name};
use super::sides::{FolderKind, RoleSource, StoreFolder, StoreItem, StoreSide};
use crate::server::{FolderRole, Timestamp};
use crate::store::error::{Error, ErrorKind, Result};
use crate::store::ltp::{Node, PropValue, PropertyContext};
use crate::store::messaging::store::entry_id_nid;
use crate::store::ndb::Nid;
use crate::store::{FolderInfo, Store, filetime};

/// Property ids read here and nowhere else ([MS-OXPROPS], [MS-OXOSFLD]).
mod tag {
    pub const IPM_OUTBOX_ENTRY_ID: u16 = 0x35E2;
    pub const IPM_WASTEBASKET_ENTRY_ID: u16 = 0x35E3;
    pub const IPM_SENTMAIL_ENTRY_ID: u16 = 0x35E4;
    pub const IPM_APPOINTMENT_ENTRY_ID: u16 = 0x36D0;
    pub const IPM_CONTACT_ENTRY_ID: u16 = 0x36D1;
    pub const IPM_NOTE_ENTRY_ID: u16 = 0x36D3;
    pub const IPM_TASK_ENTRY_ID: u16 = 0x36D4;
    pub const IPM_DRAFTS_ENTRY_ID: u16 = 0x36D7;
    /// Multi-valued: Conflicts, Sync Issues, Local Failures, Server Failures, Junk Email.
    pub const ADDITIONAL_REN_ENTRY_IDS: u16 = 0x36D8;
    pub const ATTRIBUTE_HIDDEN: u16 = 0x10F4;
    /// An offline folder's Exchange folder id: replica id (2 bytes), global counter (6).
    pub const LONG_TERM_FOLDER_ID: u16 = 0x67F4;
}

const ADDITIONAL_REN_ROLES: [FolderRole; 5] = [
    FolderRole::Conflicts,
    FolderRole::SyncIssues,
    FolderRole::LocalFailures,
    FolderRole::ServerFailures,
    FolderRole::Junk,
];

/// What one folder says about itself beyond [`FolderInfo`].
struct Extra {
    hidden: bool,
    global_counter: Option<[u8; 6]>,
}

/// Give `role` to member `slot` unless the folder already has a role or another folder has
/// this one: the earlier, more reliable source wins.
fn assign(
    slot: Option<usize>,
    role: FolderRole,
    source: RoleSource,
    roles: &mut [Option<(FolderRole, RoleSource)>],
) {
    if let Some(m) = slot
        && roles[m].is_none()
        && !roles.iter().flatten().any(|(r, _)| *r == role)
    {
        roles[m] = Some((role, source));
    }
}

/// Read the store's mail-visible folders (no items).
pub fn read_store_side(store: &Store) -> Result<StoreSide> {
    let all = store.folders()?;
    let store_pc = PropertyContext::open(Node::open(store.ndb(), Nid::MESSAGE_STORE)?)?;
    let record_key = store_pc.binary(crate::store::messaging::tags::RECORD_KEY)?;
    let by_nid: HashMap<Nid, usize> = all.iter().enumerate().map(|(i, f)| (f.nid, i)).collect();

    let ipm = store
        .ipm_subtree(&all)?
        .and_then(|nid| by_nid.get(&nid).copied())
        .ok_or_else(|| {
            Error::new(
                "store",
                ErrorKind::NotFound {
                    what: "the top of the mailbox (IPM subtree): the store names no mail folders",
                },
            )
        })?;
    let ipm_depth = all[ipm].path.len();

    // Descendants of the subtree, parents first, without search folders.
    let mut inside: HashSet<Nid> = HashSet::from([all[ipm].nid]);
    let mut members: Vec<usize> = Vec::new();
    for (i, f) in all.iter().enumerate() {
        if i != ipm && !f.is_search_folder && f.parent.is_some_and(|p| inside.contains(&p)) {
            inside.insert(f.nid);
            members.push(i);
        }
    }
    let extras: Vec<Extra> = members
        .iter()
        .map(|&i| read_extra(store, all[i].nid))
        .collect::<Result<_>>()?;
    let resolver = Resolver {
        record_key: record_key.as_deref(),
        members: &members,
        all: &all,
        extras: &extras,
    };
    let mut roles: Vec<Option<(FolderRole, RoleSource)>> = vec![None; members.len()];

    // The message store's own pointers.
    for (id, role) in [
        (tag::IPM_OUTBOX_ENTRY_ID, FolderRole::Outbox),
        (tag::IPM_WASTEBASKET_ENTRY_ID, FolderRole::Deleted),
        (tag::IPM_SENTMAIL_ENTRY_ID, FolderRole::Sent),
    ] {
        if let Some(entry_id) = store_pc.binary(id)? {
            assign(
                resolver.resolve(&entry_id),
                role,
                RoleSource::EntryId,
                &mut roles,
            );
        }
    }

    // Outlook keeps the special-folder ids on the mailbox root and on the Inbox; a top-level
    // folder carrying them is therefore the Inbox, in any language.
    let top: Vec<usize> = (0..members.len())
        .filter(|&m| all[members[m]].path.len() == ipm_depth + 1)
        .collect();
    let carriers: Vec<usize> = top
        .iter()
        .copied()
        .filter(|&m| has_special_ids(store, all[members[m]].nid).unwrap_or(false))
        .collect();
    if let [inbox] = carriers[..] {
        assign(
            Some(inbox),
            FolderRole::Inbox,
            RoleSource::EntryId,
            &mut roles,
        );
    }
    let mut holders = vec![all[ipm].nid];
    if let Some(root) = all[ipm].parent {
        holders.push(root);
    }
    holders.extend(carriers.iter().map(|&m| all[members[m]].nid));
    for nid in holders {
        let pc = PropertyContext::open(Node::open(store.ndb(), nid)?)?;
        for (id, role) in [
            (tag::IPM_APPOINTMENT_ENTRY_ID, FolderRole::Calendar),
            (tag::IPM_CONTACT_ENTRY_ID, FolderRole::Contacts),
            (tag::IPM_NOTE_ENTRY_ID, FolderRole::Notes),
            (tag::IPM_TASK_ENTRY_ID, FolderRole::Tasks),
            (tag::IPM_DRAFTS_ENTRY_ID, FolderRole::Drafts),
        ] {
            if let Some(entry_id) = pc.binary(id)? {
                assign(
                    resolver.resolve(&entry_id),
                    role,
                    RoleSource::EntryId,
                    &mut roles,
                );
            }
        }
        if let Some(PropValue::Multi(ids)) = pc.get(tag::ADDITIONAL_REN_ENTRY_IDS)? {
            for (value, role) in ids.iter().zip(ADDITIONAL_REN_ROLES) {
                if let Some(entry_id) = value.as_bytes() {
                    assign(
                        resolver.resolve(entry_id),
                        role,
                        RoleSource::EntryId,
                        &mut roles,
                    );
                }
            }
        }
    }

    // Names, for the top level and for the sync-problem folders under Sync Issues.
    for m in 0..members.len() {
        let f = &all[members[m]];
        let depth = f.path.len() - ipm_depth;
        let named = role_from_name(&f.display_name).filter(|role| match depth {
            1 => !is_sync_issues_child(role),
            2 => {
                is_sync_issues_child(role)
                    && members
                        .iter()
                        .position(|&i| Some(all[i].nid) == f.parent)
                        .is_some_and(|p| matches!(roles[p], Some((FolderRole::SyncIssues, _))))
            }
            _ => false,
        });
        if let Some(role) = named {
            assign(Some(m), role, RoleSource::Name, &mut roles);
        }
    }

    // Container classes, where exactly one visible top-level folder has the kind.
    for (kind, role) in [
        (FolderKind::Calendar, FolderRole::Calendar),
        (FolderKind::Contacts, FolderRole::Contacts),
        (FolderKind::Tasks, FolderRole::Tasks),
        (FolderKind::Notes, FolderRole::Notes),
    ] {
        let of_kind: Vec<usize> = top
            .iter()
            .copied()
            .filter(|&m| {
                !extras[m].hidden
                    && FolderKind::from_container_class(all[members[m]].container_class.as_deref())
                        == kind
            })
            .collect();
        if let [only] = of_kind[..] {
            assign(Some(only), role, RoleSource::ContainerClass, &mut roles);
        }
    }

    let folders = members
        .iter()
        .enumerate()
        .map(|(m, &i)| {
            let f = &all[i];
            StoreFolder {
                nid: f.nid,
                path: f.path[ipm_depth..].to_vec(),
                role: roles[m].as_ref().map(|(r, _)| r.clone()),
                role_source: roles[m].as_ref().map(|(_, s)| *s),
                kind: FolderKind::from_container_class(f.container_class.as_deref()),
                container_class: f.container_class.clone(),
                count: f
                    .content_count
                    .and_then(|c| u64::try_from(c).ok())
                    .or(f.contents_rows.map(|r| r as u64)),
                unread: f.unread_count.and_then(|c| u64::try_from(c).ok()),
                hidden: extras[m].hidden,
                last_modified: f
                    .last_modified
                    .map(|ft| Timestamp(filetime::to_unix_seconds(ft))),
            }
        })
        .collect();
    Ok(StoreSide {
        folders,
        items: HashMap::new(),
    })
}

/// The items of one folder. A message that cannot be read is listed with the reason rather
/// than failing the folder: it is exactly what a user needs to hear about.
pub fn read_items(store: &Store, folder: &StoreFolder) -> Result<Vec<StoreItem>> {
    let to_time = |ft: Option<i64>| ft.map(|ft| Timestamp(filetime::to_unix_seconds(ft)));
    Ok(store
        .message_nids(folder.nid)?
        .into_iter()
        .map(|nid| match store.message(nid).and_then(|m| m.summary()) {
            Ok(s) => StoreItem {
                id: nid.to_string(),
                internet_message_id: s.internet_message_id,
                subject: s.subject,
                sent: to_time(s.submit_time),
                received: to_time(s.delivery_time.or(s.creation_time)),
                error: None,
            },
            Err(e) => StoreItem {
                id: nid.to_string(),
                internet_message_id: None,
                subject: None,
                sent: None,
                received: None,
                error: Some(e.to_string()),
            },
        })
        .collect())
}

fn read_extra(store: &Store, nid: Nid) -> Result<Extra> {
    let pc = PropertyContext::open(Node::open(store.ndb(), nid)?)?;
    let global_counter = pc
        .raw(tag::LONG_TERM_FOLDER_ID)?
        .and_then(|(_, b)| b.get(2..8).map(|g| g.try_into().expect("6 bytes")));
    Ok(Extra {
        hidden: pc.bool(tag::ATTRIBUTE_HIDDEN)?.unwrap_or(false),
        global_counter,
    })
}

fn has_special_ids(store: &Store, nid: Nid) -> Result<bool> {
    let pc = PropertyContext::open(Node::open(store.ndb(), nid)?)?;
    Ok(pc.has(tag::IPM_APPOINTMENT_ENTRY_ID) && pc.has(tag::IPM_DRAFTS_ENTRY_ID))
}

/// Entry ids to the folders below the subtree.
struct Resolver<'a> {
    record_key: Option<&'a [u8]>,
    members: &'a [usize],
    all: &'a [FolderInfo],
    extras: &'a [Extra],
}

impl Resolver<'_> {
    /// The member an entry id points at: a store entry id by node id, an Exchange folder
    /// entry id by its global counter, which offline folders keep in their long-term id.
    fn resolve(&self, entry_id: &[u8]) -> Option<usize> {
        if let Some(nid) = entry_id_nid(entry_id, self.record_key) {
            return self.members.iter().position(|&i| self.all[i].nid == nid);
        }
        let counter = exchange_entry_id_counter(entry_id)?;
        let hits: Vec<usize> = (0..self.members.len())
            .filter(|&m| self.extras[m].global_counter == Some(counter))
            .collect();
        match hits[..] {
            [m] => Some(m),
            _ => None,
        }
    }
}

/// An Exchange folder entry id ([MS-OXCDATA] 2.2.4.1): flags (4), provider (16), folder type
/// (2), database GUID (16), global counter (6), padding (2).
fn exchange_entry_id_counter(entry_id: &[u8]) -> Option<[u8; 6]> {
    if entry_id.len() != 46 {
        return None;
    }
    entry_id[38..44].try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_id_forms() {
        let key = [7u8; 16];
        let mut pst = vec![0u8; 4];
        pst.extend_from_slice(&key);
        pst.extend_from_slice(&0x8022u32.to_le_bytes());
        assert_eq!(entry_id_nid(&pst, Some(&key)), Some(Nid(0x8022)));
        assert_eq!(
            entry_id_nid(&pst, Some(&[8u8; 16])),
            None,
            "another store's id"
        );
        assert_eq!(entry_id_nid(&pst[..23], None), None);

        let mut exchange = vec![0u8; 38];
        exchange.extend_from_slice(&[0, 0, 0, 0, 0x1e, 0x26, 0, 0]);
        assert_eq!(
            exchange_entry_id_counter(&exchange),
            Some([0, 0, 0, 0, 0x1e, 0x26])
        );
        assert_eq!(exchange_entry_id_counter(&exchange[..45]), None);
    }
}
