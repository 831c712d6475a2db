//! What the checks found, beyond the facts the flows branch on: the rows and lists the
//! statistics views show and the session report records.

use serde::Serialize;

use crate::diagnose::Report;

/// The store as `open_store` found it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StoreSummary {
    pub path: String,
    pub kind: String,
    pub format: String,
    pub size: u64,
    pub display_name: String,
    pub mailbox: Option<String>,
    pub folders: Vec<OfflineFolder>,
    /// Why the folders could not be listed, when they could not.
    pub unreadable: Option<String>,
}

/// One folder with its "Offline folder contains" count.
#[derive(Clone, Debug, Serialize)]
pub struct OfflineFolder {
    pub path: Vec<String>,
    pub count: Option<i64>,
    pub unread: Option<i64>,
    pub is_search_folder: bool,
}

/// A fix that was applied, in plain words, for the report.
#[derive(Clone, Debug, Serialize)]
pub struct ActionTaken {
    pub fix: String,
    pub actions: Vec<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Findings {
    pub store: Option<StoreSummary>,
    /// The server as it was reached (`imaps://alice@host:993`), when it was.
    pub server: Option<String>,
    pub comparison: Option<Report>,
    pub actions: Vec<ActionTaken>,
}
