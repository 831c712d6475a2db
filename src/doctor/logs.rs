//! The `read_sync_logs` and `check_store_owner` checks: what Outlook's Synchronization
//! Log messages say, and whether the store was made for the mailbox now in use.

use std::path::Path;

use crate::diagnose::identity::{Account, address_in_file_name, compare_owner, store_identity};
use crate::diagnose::knowledge::{Diagnosis, diagnose};
use crate::diagnose::sync_log::{SyncLogReport, read_sync_logs_with};
use crate::store::Store;
use crate::wizard::{BackendError, Facts};
use crate::work::Work;

fn open(path: &Path) -> Result<Store, BackendError> {
    Store::open(path).map_err(|e| BackendError::new(e.to_string()))
}

pub fn read_logs(
    path: &Path,
    work: &mut Work<'_>,
) -> Result<(Facts, SyncLogReport, Vec<Diagnosis>), BackendError> {
    let store = open(path)?;
    let report = read_sync_logs_with(&store, work).map_err(|e| BackendError::new(e.to_string()))?;
    let diagnoses = diagnose(&report);
    Ok((facts(&report), report, diagnoses))
}

/// The facts of the `read_sync_logs` check.
pub fn facts(report: &SyncLogReport) -> Facts {
    Facts::new()
        .with("sync_log.count", report.count())
        .with("sync_log.error_count", report.errors().len() as i64)
        .with("sync_log.codes", report.codes())
        .with("sync_log.errors", report.errors())
        .with("sync_log.messages", report.messages())
}

/// `account`: the user name or address the person signs in with, when known.
pub fn check_owner(
    path: &Path,
    logs: Option<&SyncLogReport>,
    account: Option<String>,
) -> Result<Facts, BackendError> {
    let store = open(path)?;
    let mut identity =
        store_identity(&store, logs).map_err(|e| BackendError::new(e.to_string()))?;
    identity.file_address = address_in_file_name(path);
    // What the store records is worth saying even when the account's mailbox is not
    // known: the person can hold it against what they know.
    let recorded = identity.describe();
    let (known, matches, store_mailbox, account_mailbox) = match account {
        Some(address) => {
            let check = compare_owner(
                &identity,
                &Account {
                    address,
                    legacy_dn: None,
                },
            );
            (
                check.known,
                check.matches,
                check.store_mailbox,
                check.account_mailbox,
            )
        }
        None => (false, false, String::new(), String::new()),
    };
    let store_mailbox = if store_mailbox.is_empty() {
        recorded
    } else {
        store_mailbox
    };
    Ok(Facts::new()
        .with("owner.known", known)
        .with("owner.store_known", !store_mailbox.is_empty())
        .with("owner.matches", matches)
        .with("owner.store_mailbox", store_mailbox)
        .with("owner.account_mailbox", account_mailbox)
        .with("owner.dn_trailing_space", identity.dn_ends_in_space()))
}
