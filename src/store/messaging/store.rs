//! The store as a whole: what kind of file it is, its own properties, and its folder tree.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;

use super::folder::{FolderInfo, table_row_ids};
use super::message::{Message, MessageSummary};
use super::tags;
use crate::store::error::{Error, ErrorKind, Result};
use crate::store::ltp::{Node, PropertyContext};
use crate::store::ndb::btree::nid_type;
use crate::store::ndb::{Ndb, Nid};

/// Folder trees deeper than this are damage (a loop the visited set missed cannot exist,
/// but a chain of thousands of folders would make every path unreadable).
const MAX_DEPTH: usize = 256;

/// A folder's parent during the walk: its id and path, the path shared by all its children.
type ParentRef = (Nid, std::rc::Rc<[String]>);

/// An open store. Read-only, `Send + Sync`: the GUI reads it from worker threads.
#[derive(Debug)]
pub struct Store {
    ndb: Ndb,
}

/// The store's own properties, including whatever identifies the mailbox it belongs to.
#[derive(Debug, Clone, Serialize, Default)]
pub struct StoreProperties {
    pub display_name: String,
    #[serde(serialize_with = "ser_hex")]
    pub record_key: Option<Vec<u8>>,
    pub mailbox_owner_name: Option<String>,
    #[serde(serialize_with = "ser_hex")]
    pub mailbox_owner_entry_id: Option<Vec<u8>>,
    /// The Exchange address (legacy DN, `/o=.../cn=Recipients/cn=...`) of the mailbox an
    /// offline store was made for: what "configured for use with a different mailbox" is
    /// about. Offline stores carry it in a blob on their root folder.
    pub mailbox_dn: Option<String>,
    /// The checksum of the store's password, when it has one: Outlook asks for the
    /// password before it opens the file. Never the password itself, which is not stored.
    #[serde(skip)]
    pub password_checksum: Option<u32>,
    pub password_protected: bool,
}

fn ser_hex<S: serde::Serializer>(
    v: &Option<Vec<u8>>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match v {
        Some(b) => s.serialize_str(&hex(b)),
        None => s.serialize_none(),
    }
}

/// A store entry id ([MS-PST] 2.4.3.2): 4 flag bytes, the store's record key, a node id.
/// `None` when the bytes are not one, or name another store than the one with `record_key`.
pub fn entry_id_nid(entry_id: &[u8], record_key: Option<&[u8]>) -> Option<Nid> {
    if entry_id.len() != 24 {
        return None;
    }
    if let Some(key) = record_key
        && key.len() == 16
        && entry_id[4..20] != *key
    {
        return None;
    }
    Some(Nid(u32::from_le_bytes(entry_id[20..24].try_into().ok()?)))
}

/// The first `/o=` address in a blob, up to its terminating NUL.
fn find_dn(b: &[u8]) -> Option<String> {
    let start = b.windows(3).position(|w| w.eq_ignore_ascii_case(b"/o="))?;
    let len = b[start..]
        .iter()
        .position(|&c| c == 0 || !c.is_ascii_graphic() && c != b' ')
        .unwrap_or(b.len() - start);
    Some(String::from_utf8_lossy(&b[start..start + len]).into_owned())
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Store {
    pub fn open(path: &Path) -> Result<Store> {
        Ok(Store {
            ndb: Ndb::open(path)?,
        })
    }

    /// Opens a store to copy out what it still holds (see [`Ndb::open_for_salvage`]): the
    /// exports use this, so a damaged header checksum costs nothing that is still readable.
    pub fn open_for_salvage(path: &Path) -> Result<Store> {
        Ok(Store {
            ndb: Ndb::open_for_salvage(path)?,
        })
    }

    /// A store over a node database opened by other means (the structural check opens it
    /// leniently).
    pub fn from_ndb(ndb: Ndb) -> Store {
        Store { ndb }
    }

    pub fn ndb(&self) -> &Ndb {
        &self.ndb
    }

    pub fn properties(&self) -> Result<StoreProperties> {
        let pc = PropertyContext::open(Node::open(&self.ndb, Nid::MESSAGE_STORE)?)?;
        // Only personal stores have a password: offline stores carry other values in the
        // same property (Outlook.com's 2013 store has one), and Outlook asks none for them.
        let password_checksum = match self.ndb.header().client {
            crate::store::ndb::ClientKind::Pst => pc.int(tags::PST_PASSWORD)?,
            _ => None,
        }
        .map(|v| v as u32)
        .filter(|&v| v != 0);
        Ok(StoreProperties {
            display_name: pc.text(tags::DISPLAY_NAME)?.unwrap_or_default(),
            record_key: pc.binary(tags::RECORD_KEY)?,
            mailbox_owner_name: pc.text(tags::MAILBOX_OWNER_NAME)?,
            mailbox_owner_entry_id: pc.binary(tags::MAILBOX_OWNER_ENTRY_ID)?,
            mailbox_dn: self.mailbox_dn()?,
            password_checksum,
            password_protected: password_checksum.is_some(),
        })
    }

    /// A special folder the message store object points to by entry id (0x35E0 IPM subtree,
    /// 0x35E3 Deleted Items, ...), when it points into this store.
    pub fn special_folder(&self, entry_id_tag: u16) -> Result<Option<Nid>> {
        let pc = PropertyContext::open(Node::open(&self.ndb, Nid::MESSAGE_STORE)?)?;
        let key = pc.binary(tags::RECORD_KEY)?;
        Ok(pc
            .binary(entry_id_tag)?
            .and_then(|e| entry_id_nid(&e, key.as_deref())))
    }

    /// The top of the mailbox (the IPM subtree) among `folders`: where the message store's
    /// entry id points; else, in offline stores that lack it, the one folder Exchange names
    /// `IPM_SUBTREE` under the root or under a mailbox root (not "Root - Public"; the name is
    /// never localized).
    pub fn ipm_subtree(&self, folders: &[FolderInfo]) -> Result<Option<Nid>> {
        // A store whose own properties are damaged still has its top by name.
        if let Some(nid) = self
            .special_folder(tags::IPM_SUBTREE_ENTRY_ID)
            .ok()
            .flatten()
            && folders.iter().any(|f| f.nid == nid)
        {
            return Ok(Some(nid));
        }
        let named: Vec<Nid> = folders
            .iter()
            .filter(|f| {
                let p = &f.path;
                p.last().is_some_and(|n| n == "IPM_SUBTREE")
                    && (p.len() == 1 || (p.len() == 2 && p[0] != "Root - Public"))
            })
            .map(|f| f.nid)
            .collect();
        Ok(match named[..] {
            [nid] => Some(nid),
            _ => None,
        })
    }

    fn mailbox_dn(&self) -> Result<Option<String>> {
        let root = PropertyContext::open(Node::open(&self.ndb, Nid::ROOT_FOLDER)?)?;
        Ok(root
            .binary(tags::REPLICATION_DATA)?
            .and_then(|b| find_dn(&b)))
    }

    /// Every folder reachable from the root through hierarchy tables, parents before
    /// children. A folder listed twice (a loop or a shared child) is reported, not followed.
    pub fn folders(&self) -> Result<Vec<FolderInfo>> {
        let mut out = Vec::new();
        self.walk_folders(|f| {
            out.push(f);
            Ok(())
        })?;
        Ok(out)
    }

    pub fn walk_folders(&self, mut visit: impl FnMut(FolderInfo) -> Result<()>) -> Result<()> {
        let mut seen = HashSet::new();
        let mut stack: Vec<(Nid, Option<ParentRef>)> = vec![(Nid::ROOT_FOLDER, None)];
        seen.insert(Nid::ROOT_FOLDER);
        while let Some((nid, parent)) = stack.pop() {
            let info = FolderInfo::read(
                &self.ndb,
                nid,
                parent.as_ref().map(|(p, path)| (*p, &path[..])),
            )?;
            let children = table_row_ids(&self.ndb, nid, nid_type::HIERARCHY_TABLE)?;
            let base: std::rc::Rc<[String]> = info.path.clone().into();
            visit(info)?;
            if base.len() >= MAX_DEPTH {
                return Err(self.ndb.ctx(
                    Error::out_of_range(
                        "folder tree",
                        "depth",
                        base.len() as u64,
                        MAX_DEPTH as u64,
                    )
                    .with_nid(nid.0),
                ));
            }
            // Reverse so the first child is visited first.
            for child in children.into_iter().rev() {
                if !seen.insert(child) {
                    return Err(self.ndb.ctx(
                        Error::new(
                            "folder tree",
                            ErrorKind::Cycle {
                                what: "a folder listed under more than one parent",
                            },
                        )
                        .with_nid(child.0),
                    ));
                }
                stack.push((child, Some((nid, base.clone()))));
            }
        }
        Ok(())
    }

    /// The messages a folder's contents table lists.
    pub fn message_nids(&self, folder: Nid) -> Result<Vec<Nid>> {
        table_row_ids(&self.ndb, folder, nid_type::CONTENTS_TABLE)
    }

    /// The folder's associated (hidden) items: views, rules, forms.
    pub fn associated_nids(&self, folder: Nid) -> Result<Vec<Nid>> {
        table_row_ids(&self.ndb, folder, nid_type::ASSOC_CONTENTS_TABLE)
    }

    pub fn message(&self, nid: Nid) -> Result<Message<'_>> {
        Message::open(&self.ndb, nid)
    }

    pub fn message_summaries(&self, folder: Nid) -> Result<Vec<MessageSummary>> {
        self.message_nids(folder)?
            .into_iter()
            .map(|nid| self.message(nid)?.summary())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn store_can_be_shared_with_worker_threads() {
        assert_send_sync::<Store>();
    }
}
