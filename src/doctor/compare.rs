//! The `compare_with_server` check: every folder's "Server folder contains" beside its
//! "Offline folder contains", and item by item where the items could be read, so that
//! the items a rebuild would lose are known by name.

use std::path::Path;

use crate::diagnose::verdict::Expected;
use crate::diagnose::{
    FolderReport, GatherError, ItemScope, Options, Report, StoreSide, Verdict, compare, gather,
};
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
        .map_err(|e| match e {
            // The server failing mid-way is told as a sign-in failure is: by its cause.
            GatherError::Server(server) => BackendError::from(server),
            other => BackendError::new(other.to_string()),
        })?;
    let report = compare(&store_side, &server_side, &Options::default());
    Ok((facts_of(&report), report, store_side))
}

/// The facts the flows branch on, from a comparison.
pub fn facts_of(report: &Report) -> Facts {
    // Rows the comparison could judge: in step, differing, or differing only by the sync
    // window. Folders one side cannot show (calendars over IMAP, hidden ones) are none.
    let window = |r: &&FolderReport| r.expected == Some(Expected::SyncWindow);
    let compared: Vec<_> = report
        .folders
        .iter()
        .filter(|r| r.verdict == Verdict::Equal || r.verdict.is_difference() || window(r))
        .collect();
    let by_window: Vec<_> = compared.iter().copied().filter(window).collect();
    let differing: Vec<_> = compared
        .iter()
        .copied()
        .filter(|r| r.verdict.is_difference())
        .collect();
    let only_inbox =
        !differing.is_empty() && differing.iter().all(|r| r.role.as_deref() == Some("inbox"));
    let none_in_sync = !differing.is_empty()
        && compared
            .iter()
            .all(|r| r.verdict != Verdict::Equal && !window(r));
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
        .with("compare.folders_sync_window", by_window.len() as i64)
        .with(
            "compare.sync_window_folders",
            by_window
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::compare::tests::{offline, one_folder, online};

    /// A folder whose only missing items are older than anything offline differs by the
    /// sync window: the wizard hears of it as such, not as "all 0 folders are in step".
    #[test]
    fn a_folder_short_only_of_old_mail_is_counted_as_the_sync_window() {
        let report = one_folder(
            vec![offline("a", "<1@x>", 5000)],
            vec![online(1, "<1@x>", 5000), online(2, "<old@x>", 10)],
        );
        let facts = facts_of(&report);
        let int = |name: &str| facts.get(name).cloned();
        assert_eq!(int("compare.folders_compared"), Some(1.into()));
        assert_eq!(int("compare.folders_differing"), Some(0.into()));
        assert_eq!(int("compare.folders_sync_window"), Some(1.into()));
        assert_eq!(
            int("compare.sync_window_folders"),
            Some(vec!["Inbox".to_owned()].into())
        );
        assert_eq!(int("compare.none_in_sync"), Some(false.into()));

        // A folder short of recent mail is a difference, not the window.
        let report = one_folder(
            vec![offline("a", "<1@x>", 5000)],
            vec![online(1, "<1@x>", 5000), online(2, "<new@x>", 9000)],
        );
        let facts = facts_of(&report);
        assert_eq!(
            facts.get("compare.folders_differing").cloned(),
            Some(1.into())
        );
        assert_eq!(
            facts.get("compare.folders_sync_window").cloned(),
            Some(0.into())
        );
        assert_eq!(
            facts.get("compare.none_in_sync").cloned(),
            Some(true.into())
        );
    }
}
