//! What the checks found, beyond the facts the flows branch on: the rows and lists the
//! statistics views show and the session report records.

use serde::Serialize;

use crate::diagnose::Report;
use crate::diagnose::knowledge::Diagnosis;
use crate::diagnose::sync_log::SyncLogReport;
use crate::store::check::ScanLog;

/// The store as `open_store` found it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StoreSummary {
    pub path: String,
    pub kind: String,
    pub format: String,
    pub size: u64,
    pub display_name: String,
    pub mailbox: Option<String>,
    /// Outlook asks for the store's password before it opens the file.
    pub password_protected: bool,
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
    pub sync_logs: Option<SyncLogs>,
    /// The structural check's scan log.
    pub scan: Option<ScanLog>,
    pub actions: Vec<ActionTaken>,
}

/// The synchronization logs and what the knowledge base says of their errors.
#[derive(Clone, Debug, Serialize)]
pub struct SyncLogs {
    pub report: SyncLogReport,
    pub diagnoses: Vec<Diagnosis>,
}
