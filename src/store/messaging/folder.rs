//! Folders: their properties, their place in the tree, and the rows of their tables.

use serde::Serialize;

use super::tags;
use crate::store::error::Result;
use crate::store::ltp::{Node, PropertyContext, TableContext};
use crate::store::ndb::btree::nid_type;
use crate::store::ndb::{Ndb, Nid};

/// What the store says about one folder, and what its contents table actually holds.
#[derive(Debug, Clone, Serialize)]
pub struct FolderInfo {
    #[serde(skip)]
    pub nid: Nid,
    #[serde(skip)]
    pub parent: Option<Nid>,
    /// Display names from the root folder's children down; the root itself has an empty path.
    pub path: Vec<String>,
    pub display_name: String,
    pub container_class: Option<String>,
    /// PidTagContentCount: the count Outlook shows as "Offline folder contains".
    pub content_count: Option<i64>,
    pub unread_count: Option<i64>,
    pub has_subfolders: Option<bool>,
    /// Rows actually present in the contents table (None for search folders, which keep
    /// their results elsewhere, or when the table is missing).
    pub contents_rows: Option<usize>,
    /// Rows in the associated (hidden) contents table: views, rules, forms.
    #[serde(skip)]
    pub assoc_rows: Option<usize>,
    pub is_search_folder: bool,
    /// PidTagLastModificationTime: when the folder itself last changed in this store. In an
    /// .ost that is when Outlook last wrote a synchronization into it.
    #[serde(serialize_with = "rfc3339")]
    pub last_modified: Option<i64>,
}

fn rfc3339<S: serde::Serializer>(ft: &Option<i64>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match ft {
        Some(ft) => s.serialize_some(&crate::store::filetime::to_rfc3339(*ft)),
        None => s.serialize_none(),
    }
}

impl FolderInfo {
    /// A folder known only by its place in the tree and a name, nothing read from it: for
    /// folders whose properties cannot be read.
    pub fn bare(nid: Nid, parent: Option<Nid>, path: Vec<String>, display_name: String) -> Self {
        FolderInfo {
            nid,
            parent,
            path,
            display_name,
            container_class: None,
            content_count: None,
            unread_count: None,
            has_subfolders: None,
            contents_rows: None,
            assoc_rows: None,
            is_search_folder: nid.nid_type() == nid_type::SEARCH_FOLDER,
            last_modified: None,
        }
    }

    /// Reads folder `nid`; `parent` is its parent folder and that folder's path, `None` for
    /// the root (whose path is empty).
    pub fn read(ndb: &Ndb, nid: Nid, parent: Option<(Nid, &[String])>) -> Result<FolderInfo> {
        Self::read_with(ndb, nid, parent, true)
    }

    /// As `read`, but a table that cannot be read counts as unknown (`None`) instead of
    /// failing the folder: for copying out of a damaged store.
    pub fn read_lenient(
        ndb: &Ndb,
        nid: Nid,
        parent: Option<(Nid, &[String])>,
    ) -> Result<FolderInfo> {
        Self::read_with(ndb, nid, parent, false)
    }

    fn read_with(
        ndb: &Ndb,
        nid: Nid,
        parent: Option<(Nid, &[String])>,
        strict: bool,
    ) -> Result<FolderInfo> {
        let rows = |table: u8| match table_rows(ndb, nid.with_type(table)) {
            Err(_) if !strict => Ok(None),
            other => other,
        };
        let pc = PropertyContext::open(Node::open(ndb, nid)?)?;
        let display_name = pc.text(tags::DISPLAY_NAME)?.unwrap_or_default();
        let is_search_folder = nid.nid_type() == nid_type::SEARCH_FOLDER;
        let path = match parent {
            Some((_, parent_path)) => parent_path
                .iter()
                .cloned()
                .chain([display_name.clone()])
                .collect(),
            None => Vec::new(),
        };
        Ok(FolderInfo {
            nid,
            parent: parent.map(|(p, _)| p),
            path,
            display_name,
            container_class: super::class::read(&pc, tags::CONTAINER_CLASS)?.map(|c| c.text),
            content_count: pc.int(tags::CONTENT_COUNT)?,
            unread_count: pc.int(tags::CONTENT_UNREAD_COUNT)?,
            has_subfolders: pc.bool(tags::SUBFOLDERS)?,
            contents_rows: if is_search_folder {
                None
            } else {
                rows(nid_type::CONTENTS_TABLE)?
            },
            assoc_rows: rows(nid_type::ASSOC_CONTENTS_TABLE)?,
            is_search_folder,
            last_modified: pc.time(tags::LAST_MODIFICATION_TIME)?,
        })
    }
}

fn table_rows(ndb: &Ndb, nid: Nid) -> Result<Option<usize>> {
    match ndb.find_node(nid)? {
        None => Ok(None),
        Some(e) => {
            let node = Node::from_nbt(ndb, &e);
            match crate::store::ltp::tc::row_count(&node)? {
                Some(rows) => Ok(Some(rows)),
                None => Ok(Some(TableContext::open(node)?.len())),
            }
        }
    }
}

/// Node ids listed by a folder's hierarchy table (its subfolders) or contents table (its
/// messages), in table order. A missing table means none.
pub fn table_row_ids(ndb: &Ndb, folder: Nid, table_type: u8) -> Result<Vec<Nid>> {
    let Some(entry) = ndb.find_node(folder.with_type(table_type))? else {
        return Ok(Vec::new());
    };
    let table = TableContext::open(Node::from_nbt(ndb, &entry))?;
    Ok((0..table.len()).map(|r| Nid(table.row_id(r))).collect())
}
