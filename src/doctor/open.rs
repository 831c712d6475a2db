//! The `open_store` check: is this an Outlook data file, which kind, and what it holds.

use std::path::Path;

use super::findings::{OfflineFolder, StoreSummary};
use crate::store::Store;
use crate::wizard::{BackendError, Facts};

pub fn open_store(path: &Path) -> Result<(Facts, StoreSummary), BackendError> {
    let shown = path.display().to_string();
    let store = match Store::open(path) {
        Ok(store) => store,
        Err(e) if e.is_not_outlook_file() => {
            let facts = Facts::new()
                .with("store.is_outlook_file", false)
                .with("store.kind", "other")
                .with("store.format", "unknown")
                .with("store.path", shown.as_str())
                .with("store.folder_count", 0)
                .with("store.item_count", 0)
                .with("store.password_protected", false)
                .with("store.size_mb", 0)
                .with("store.size_limit_mb", 0)
                .with("store.near_size_limit", false);
            let summary = StoreSummary {
                path: shown,
                kind: "other".into(),
                format: "unknown".into(),
                unreadable: Some(e.to_string()),
                ..StoreSummary::default()
            };
            return Ok((facts, summary));
        }
        Err(e) => return Err(BackendError::new(e.to_string())),
    };
    let header = store.ndb().header();
    let limit = header.variant.default_size_limit();
    let kind = match header.client.name() {
        "ost" => "ost",
        "pst" => "pst",
        _ => "other",
    };
    let format = match header.variant.name() {
        "ansi" => "ansi",
        "unicode" => "unicode",
        _ => "unicode_4k",
    };
    let mut summary = StoreSummary {
        path: shown.clone(),
        kind: kind.into(),
        format: format.into(),
        size: store.ndb().file_len(),
        ..StoreSummary::default()
    };
    if let Ok(props) = store.properties() {
        summary.display_name = props.display_name;
        summary.mailbox = props.mailbox_dn.or(props.mailbox_owner_name);
        summary.password_protected = props.password_protected;
    }
    match store.folders() {
        Ok(folders) => {
            summary.folders = folders
                .iter()
                .map(|f| OfflineFolder {
                    path: f.path.clone(),
                    count: f.content_count,
                    unread: f.unread_count,
                    is_search_folder: f.is_search_folder,
                })
                .collect();
        }
        // A store whose header is sound but whose folders are not is still an Outlook
        // file: the structure check and the rebuild flow take it from here.
        Err(e) => summary.unreadable = Some(e.to_string()),
    }
    // Search folders list items that live elsewhere; counting them would count twice.
    let items: i64 = summary
        .folders
        .iter()
        .filter(|f| !f.is_search_folder)
        .filter_map(|f| f.count)
        .sum();
    let facts = Facts::new()
        .with("store.is_outlook_file", true)
        .with("store.kind", kind)
        .with("store.format", format)
        .with("store.path", shown.as_str())
        .with("store.folder_count", summary.folders.len() as i64)
        .with("store.item_count", items)
        .with("store.password_protected", summary.password_protected)
        .with("store.size_mb", (summary.size >> 20) as i64)
        .with("store.size_limit_mb", (limit >> 20) as i64)
        // Near the limit Outlook stops synchronizing new items, whatever else is wrong.
        .with("store.near_size_limit", summary.size >= limit / 100 * 95);
    Ok((facts, summary))
}
