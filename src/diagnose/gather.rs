//! Reading both sides for a comparison: the store's folders, the server's folders, and the
//! items of the rows the user asked about. Reading is the slow part (a server round trip per
//! folder's items), so only the rows asked for are listed.

use super::mapping::map_folders;
use super::sides::{FolderKind, ServerKind, ServerSide, StoreSide};
use super::store_side::{read_items, read_store_side};
use crate::server::{MailboxServer, ServerError};
use crate::store::{self, Store};

/// Which rows to compare item by item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemScope {
    /// Counts only, as the Synchronize tab shows them.
    None,
    /// The row whose offline or server path, joined with `/`, is this (case-insensitive).
    Folder(String),
    /// Every row that can hold mail.
    All,
}

#[derive(Debug, thiserror::Error)]
pub enum GatherError {
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error("no folder {wanted:?} on either side; folders are: {}", known.join(", "))]
    NoSuchFolder { wanted: String, known: Vec<String> },
}

/// Read both sides, with the items of the rows `scope` names.
pub fn gather(
    store: &Store,
    server: &mut dyn MailboxServer,
    kind: ServerKind,
    scope: &ItemScope,
) -> Result<(StoreSide, ServerSide), GatherError> {
    let mut store_side = read_store_side(store)?;
    let mut server_side = ServerSide::new(kind, server.list_folders()?);
    if *scope == ItemScope::None {
        return Ok((store_side, server_side));
    }
    let pairs = map_folders(&store_side.folders, &server_side.folders);
    let joined = |p: &[String]| p.join("/").to_lowercase();
    let chosen: Vec<_> = match scope {
        ItemScope::Folder(wanted) => {
            let wanted_key = wanted.trim_matches('/').to_lowercase();
            let hits: Vec<_> = pairs
                .iter()
                .filter(|p| {
                    p.store
                        .is_some_and(|i| joined(&store_side.folders[i].path) == wanted_key)
                        || p.server
                            .is_some_and(|i| joined(&server_side.folders[i].path) == wanted_key)
                })
                .collect();
            if hits.is_empty() {
                let known = store_side
                    .folders
                    .iter()
                    .map(|f| f.path.join("/"))
                    .collect();
                return Err(GatherError::NoSuchFolder {
                    wanted: wanted.clone(),
                    known,
                });
            }
            hits
        }
        // Folders that hold no mail are not compared item by item: the server shows none
        // of their items over IMAP, and Graph lists no such folder. Nor are hidden folders
        // the server does not show: Outlook keeps its own settings in them.
        _ => pairs
            .iter()
            .filter(|p| {
                p.store.is_none_or(|i| {
                    let f = &store_side.folders[i];
                    f.kind == FolderKind::Mail && (!f.hidden || p.server.is_some())
                })
            })
            .collect(),
    };
    for pair in chosen {
        if let Some(i) = pair.store {
            let folder = &store_side.folders[i];
            let items = read_items(store, folder)?;
            store_side.items.insert(folder.nid, items);
        }
        if let Some(i) = pair.server {
            let folder = &server_side.folders[i];
            if folder.selectable {
                let items = server.list_items(&folder.id)?;
                server_side.items.insert(folder.id.clone(), items);
            } else {
                server_side.items.insert(folder.id.clone(), Vec::new());
            }
        }
    }
    Ok((store_side, server_side))
}
