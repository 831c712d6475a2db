//! The two sides of a comparison as plain data: what the offline store holds and what the
//! server holds. Reading them ([`super::store_side`], [`super::server_side`]) is separate
//! from comparing them ([`super::compare`]), so the comparison is testable without a store
//! file or a server.

use std::collections::HashMap;

use serde::Serialize;

use crate::server::{Folder, FolderId, FolderRole, Item, Timestamp};
use crate::store::ndb::Nid;

/// What kind of items a folder holds, from its container class (`IPF.Note`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FolderKind {
    Mail,
    Calendar,
    Contacts,
    Tasks,
    Notes,
    Journal,
    /// Configuration, files, chat and other folders that no mail protocol shows.
    Other,
}

impl FolderKind {
    /// A folder without a class holds mail: Outlook leaves the class off many mail folders.
    pub fn from_container_class(class: Option<&str>) -> FolderKind {
        let Some(class) = class else {
            return FolderKind::Mail;
        };
        let class = class.to_ascii_lowercase();
        let is = |prefix: &str| class == prefix || class.starts_with(&format!("{prefix}."));
        if class == "ipf" || is("ipf.note") {
            FolderKind::Mail
        } else if is("ipf.appointment") {
            FolderKind::Calendar
        } else if is("ipf.contact") {
            FolderKind::Contacts
        } else if is("ipf.task") {
            FolderKind::Tasks
        } else if is("ipf.stickynote") {
            FolderKind::Notes
        } else if is("ipf.journal") {
            FolderKind::Journal
        } else {
            FolderKind::Other
        }
    }

    /// A noun for messages: "calendar folders".
    pub fn plural(self) -> &'static str {
        match self {
            FolderKind::Mail => "mail folders",
            FolderKind::Calendar => "calendar folders",
            FolderKind::Contacts => "contact folders",
            FolderKind::Tasks => "task folders",
            FolderKind::Notes => "note folders",
            FolderKind::Journal => "journal folders",
            FolderKind::Other => "folders of this kind",
        }
    }
}

/// How the store says what a folder is for, most reliable first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleSource {
    /// An entry id the store keeps for the well-known folder points at it.
    EntryId,
    /// Its display name is a well-known folder's name in a known language.
    Name,
    /// It is the only visible top-level folder of its kind (calendar, contacts, ...).
    ContainerClass,
}

/// One folder of the offline store, below its top of mailbox (the IPM subtree).
#[derive(Debug, Clone, PartialEq)]
pub struct StoreFolder {
    pub nid: Nid,
    /// Display names below the IPM subtree: `["Inbox", "Projects"]`.
    pub path: Vec<String>,
    pub role: Option<FolderRole>,
    pub role_source: Option<RoleSource>,
    pub kind: FolderKind,
    pub container_class: Option<String>,
    /// "Offline folder contains": the folder's own count, else the rows of its contents
    /// table.
    pub count: Option<u64>,
    pub unread: Option<u64>,
    /// PidTagAttributeHidden: folders Outlook keeps for itself (Yammer, Files, settings).
    pub hidden: bool,
    /// When the folder last changed in the store (see `FolderInfo::last_modified`).
    pub last_modified: Option<Timestamp>,
}

/// One item of an offline folder, with what matching needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreItem {
    /// The message's node id, as `info` and the fixes name it.
    pub id: String,
    pub internet_message_id: Option<String>,
    pub subject: Option<String>,
    /// Submit time (the `Date:` header of received mail).
    pub sent: Option<Timestamp>,
    /// Delivery time, else creation time.
    pub received: Option<Timestamp>,
    /// Why the message could not be read, when it could not.
    pub error: Option<String>,
}

/// What the offline store holds: its mail-visible folders, and the items of the folders
/// whose items were read.
#[derive(Debug, Clone, Default)]
pub struct StoreSide {
    pub folders: Vec<StoreFolder>,
    pub items: HashMap<Nid, Vec<StoreItem>>,
}

/// Which protocol the server side came through: it decides which differences are expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerKind {
    Imap,
    Graph,
}

/// What the server holds: its folders with counts, and the items of the folders whose items
/// were listed.
#[derive(Debug, Clone)]
pub struct ServerSide {
    pub kind: ServerKind,
    pub folders: Vec<Folder>,
    pub items: HashMap<FolderId, Vec<Item>>,
}

impl ServerSide {
    pub fn new(kind: ServerKind, folders: Vec<Folder>) -> Self {
        ServerSide {
            kind,
            folders,
            items: HashMap::new(),
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A mail folder at a `/`-separated path.
    pub fn store_folder(path: &str, role: Option<FolderRole>, count: u64) -> StoreFolder {
        StoreFolder {
            nid: Nid(0),
            path: path.split('/').map(String::from).collect(),
            role,
            role_source: None,
            kind: FolderKind::Mail,
            container_class: Some("IPF.Note".into()),
            count: Some(count),
            unread: Some(0),
            hidden: false,
            last_modified: None,
        }
    }

    pub fn server_folder(path: &str, role: Option<FolderRole>, total: Option<u64>) -> Folder {
        Folder {
            id: FolderId(path.to_string()),
            path: path.split('/').map(String::from).collect(),
            total,
            unread: total.map(|_| 0),
            role,
            hidden: None,
            selectable: total.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_container_classes() {
        let cases = [
            (None, FolderKind::Mail),
            (Some("IPF.Note"), FolderKind::Mail),
            (Some("IPF.Note.OutlookHomepage"), FolderKind::Mail),
            (Some("IPF"), FolderKind::Mail),
            (Some("IPF.Appointment.Birthday"), FolderKind::Calendar),
            (Some("IPF.Contact.GalContacts"), FolderKind::Contacts),
            (Some("IPF.Task"), FolderKind::Tasks),
            (Some("IPF.StickyNote"), FolderKind::Notes),
            (Some("IPF.Journal"), FolderKind::Journal),
            (Some("IPF.Configuration"), FolderKind::Other),
            (Some("IPF.Notebook"), FolderKind::Other),
        ];
        for (class, kind) in cases {
            assert_eq!(FolderKind::from_container_class(class), kind, "{class:?}");
        }
    }
}
