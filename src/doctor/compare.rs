//! The `compare_with_server` check: every folder's "Server folder contains" beside its
//! "Offline folder contains", and item by item where the items could be read, so that
//! the items a rebuild would lose are known by name.

use std::path::Path;

use crate::diagnose::{ItemScope, Options, Report, StoreSide, Verdict, compare, gather};
use crate::store::Store;
use crate::wizard::{BackendError, Facts};

use super::link::Connection;

/// The comparison, and the store's side of it, which the export of local-only items
/// plans from.
pub fn compare_with_server(
    path: &Path,
    connection: &mut Connection,
) -> Result<(Facts, Report, StoreSide), BackendError> {
    let store = Store::open(path).map_err(|e| BackendError::new(e.to_string()))?;
    let kind = connection.kind();
    let (store_side, server_side) = gather(&store, connection.server(), kind, &ItemScope::All)
        .map_err(|e| BackendError::new(e.to_string()))?;
    let report = compare(&store_side, &server_side, &Options::default());
    Ok((facts_of(&report), report, store_side))
}

/// The facts the flows branch on, from a comparison.
pub fn facts_of(report: &Report) -> Facts {
    // Rows the comparison could judge: in step, or differing. Folders one side cannot
    // show (calendars over IMAP, hidden ones) are neither.
    let compared: Vec<_> = report
        .folders
        .iter()
        .filter(|r| r.verdict == Verdict::Equal || r.verdict.is_difference())
        .collect();
    let differing: Vec<_> = compared
        .iter()
        .copied()
        .filter(|r| r.verdict.is_difference())
        .collect();
    let only_inbox =
        !differing.is_empty() && differing.iter().all(|r| r.role.as_deref() == Some("inbox"));
    let none_in_sync = !compared.is_empty() && compared.iter().all(|r| r.verdict != Verdict::Equal);
    let s = &report.summary;
    let at_least =
        |known: u64, surplus: u64| i64::try_from(known.saturating_add(surplus)).unwrap_or(i64::MAX);
    Facts::new()
        .with("compare.folders_compared", compared.len() as i64)
        .with("compare.folders_differing", differing.len() as i64)
        .with(
            "compare.differing_folders",
            differing
                .iter()
                .map(|r| r.display_path())
                .collect::<Vec<_>>(),
        )
        .with("compare.only_inbox_differs", only_inbox)
        .with("compare.none_in_sync", none_in_sync)
        // At least these many: the known ones, and where only counts were compared the
        // count differences, which no fewer items can explain.
        .with(
            "compare.local_only_items",
            at_least(s.items_only_offline, s.count_surplus_offline),
        )
        .with(
            "compare.server_only_items",
            at_least(s.items_only_on_server, s.count_surplus_on_server),
        )
}
