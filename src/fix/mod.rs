//! Fixes that lose nothing. Each fix is a plan, shown to the person first and changing
//! nothing, and an apply step that writes what it is about to do to a journal (under the
//! app's data directory) before doing it, and what it did after. Undo reverses a rename
//! from the journal; [`recover`], called at every start, finishes or rolls back a fix a
//! crash cut off.
//!
//! Nothing here deletes or overwrites a user's file: the store is put aside under a free
//! `.old` name on the same volume, exports go to a new file, and a rename or undo is
//! refused while a program holds the file or when its target name is taken.
//!
//! This module knows nothing of the wizard: plans and outcomes are plain data that the
//! wizard's backend maps onto its own actions and facts.

pub mod crash;
pub mod data_dir;
pub mod error;
pub mod exchange_files;
pub mod export;
pub mod fingerprint;
pub mod holders;
pub mod journal;
pub mod move_file;
pub mod old_name;
pub mod processes;
pub mod rebuild;
pub mod recover;
pub mod rename;
pub mod resync;
pub mod undo;

pub use error::FixError;
pub use exchange_files::{
    SupportFiles, find_exchange_support_files, plan_rename_exchange_files, search_roots,
};
pub use export::{
    ExportOutcome, ExportPlan, Verification, apply_export, export_path_beside, plan_export_all,
    plan_export_local,
};
pub use holders::{Holder, holders};
pub use journal::{Entry, FixKind, Journal, State};
pub use processes::{OutlookCheck, RunningProgram, outlook_running};
pub use rebuild::{
    RebuildMode, RebuildOutcome, RebuildPlan, apply_rebuild, plan_rebuild, verify_rebuilt,
};
pub use recover::{Recovered, recover, recover_in};
pub use rename::{
    PlannedRename, RenameOutcome, RenamePlan, apply_renames, plan_rename_store, plan_renames,
    wait_until_free,
};
pub use resync::{recheck_folder, resync_steps};
pub use undo::{UndoOutcome, UndoPlan, apply_undo, plan_undo};
