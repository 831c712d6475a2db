//! Resynchronizing one folder: Outlook's "Clear Offline Items" empties the folder's
//! offline copy and "Update Folder" downloads it again. Only Outlook can do either, so
//! the fix guides the person through them and then compares that folder with the server.

use std::path::Path;

use super::error::{FixError, Result};
use crate::diagnose::{FolderReport, ItemScope, Options, ServerKind, compare, gather};
use crate::server::MailboxServer;
use crate::store::Store;

/// The steps in Outlook for `folder` (a path with `/` between levels).
pub fn resync_steps(folder: &str) -> Vec<String> {
    vec![
        format!("In Outlook, right-click the folder \"{folder}\" and choose Properties."),
        "On the General tab choose Clear Offline Items, then OK. Only the offline copy is \
         emptied; the items stay on the server."
            .into(),
        format!(
            "Select \"{folder}\", open the Send / Receive tab and choose Update Folder; wait \
             until the status bar says the folder is up to date."
        ),
        "Close Outlook so that the store is written, then check the folder again here.".into(),
    ]
}

/// The folder's comparison with the server after the resync, items included.
pub fn recheck_folder(
    store: &Path,
    server: &mut dyn MailboxServer,
    kind: ServerKind,
    folder: &str,
) -> Result<FolderReport> {
    let store = Store::open(store)?;
    let scope = ItemScope::Folder(folder.to_string());
    let (store_side, server_side) = gather(&store, server, kind, &scope)?;
    let report = compare(&store_side, &server_side, &Options::default());
    report
        .folders
        .into_iter()
        .find(|f| f.items.is_some())
        .ok_or_else(|| FixError::Refused(format!("no folder {folder:?} was compared")))
}
