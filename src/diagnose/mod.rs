//! Diagnosis: what is wrong between the offline store and the mailbox, in words a user can
//! act on. Reads from `store` and `server`; the wizard and the UI read from here.
//!
//! The folder comparison answers the Synchronize tab's question ("Server folder contains"
//! against "Offline folder contains") for every folder at once, and, like scanost did, says
//! which items differ.
//!
//! `sync_log` reads the logs Outlook writes when synchronization fails; `knowledge` says
//! what their errors mean and which wizard page fixes them; `identity` says whether the
//! store belongs to the mailbox the account signs in to.

pub mod compare;
pub mod gather;
pub mod identity;
pub mod items;
pub mod knowledge;
pub mod mapping;
pub mod names;
pub mod sides;
pub mod store_side;
pub mod sync_log;
pub mod verdict;

pub use compare::{FolderReport, Options, Report, Summary, compare};
pub use gather::{GatherError, ItemScope, gather};
pub use items::{ItemComparison, ItemRef};
pub use mapping::MatchedBy;
pub use sides::{
    FolderKind, RoleSource, ServerKind, ServerSide, StoreFolder, StoreItem, StoreSide,
};
pub use sync_log::{SyncLogReport, read_sync_logs};
pub use verdict::{Expected, Severity, Verdict};
