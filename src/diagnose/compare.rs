//! The comparison of an offline store with its mailbox server, folder by folder and, where
//! the items were read, item by item: a pure function of the two sides.

use std::collections::HashMap;

use serde::Serialize;

use super::items::{ItemComparison, compare_items};
use super::mapping::{MatchedBy, Pair, map_folders};
use super::names::role_key;
use super::sides::{FolderKind, ServerKind, ServerSide, StoreSide};
use super::verdict::{Expected, ItemEvidence, Verdict, judge};
use crate::server::{Item, Timestamp};

/// Choices that change verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Two items with the same subject and no common message id are one item when their
    /// times differ by at most this many seconds.
    pub time_tolerance_seconds: i64,
    /// The oldest date Outlook is set to download (its cached-mode sync window), when known.
    pub sync_window_start: Option<Timestamp>,
}

impl Default for Options {
    /// Five minutes: copies made by different clients differ by seconds; distinct messages
    /// with the same subject rarely come within minutes of each other.
    fn default() -> Self {
        Options {
            time_tolerance_seconds: 300,
            sync_window_start: None,
        }
    }
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub server_kind: ServerKind,
    pub time_tolerance_seconds: i64,
    pub sync_window_start: Option<String>,
    pub summary: Summary,
    pub folders: Vec<FolderReport>,
}

/// Totals over all rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub folders: usize,
    pub equal: usize,
    /// Rows whose verdict needs attention (behind, ahead, diverged, missing on a side).
    pub differences: usize,
    pub expected: usize,
    pub unknown: usize,
    /// Items known to exist only offline: those listed where items were compared, and every
    /// item of a folder the server lacks. These are what a rebuild of the .ost would lose.
    pub items_only_offline: u64,
    /// Items known to exist only on the server, known the same way.
    pub items_only_on_server: u64,
    /// Where only counts were compared: by how much the offline counts exceed the server's,
    /// over those folders. At least this many items exist only offline there, maybe more
    /// (an item only offline and another only on the server leave the counts equal):
    /// counts alone cannot say which or how many.
    pub count_surplus_offline: u64,
    /// Where only counts were compared, by how much the server's counts exceed the
    /// offline ones.
    pub count_surplus_on_server: u64,
}

/// One row: a store folder, a server folder, or a pair of them.
#[derive(Debug, Clone, Serialize)]
pub struct FolderReport {
    /// Display names below the top of the mailbox, `None` when only the server has it.
    pub offline_path: Option<Vec<String>>,
    /// Display names on the server, `None` when only the store has it.
    pub server_path: Option<Vec<String>>,
    pub role: Option<String>,
    pub kind: Option<FolderKind>,
    pub matched_by: Option<MatchedBy>,
    /// "Offline folder contains".
    pub offline_count: Option<u64>,
    /// "Server folder contains".
    pub server_count: Option<u64>,
    pub offline_unread: Option<u64>,
    pub server_unread: Option<u64>,
    /// When the offline folder last changed (RFC 3339, UTC): the nearest the store records
    /// to the Synchronize tab's "Last synchronized".
    pub offline_last_modified: Option<String>,
    pub verdict: Verdict,
    pub expected: Option<Expected>,
    pub reason: String,
    /// Present where the items of this row were compared.
    pub items: Option<ItemComparison>,
}

impl FolderReport {
    /// How much this row matters (see [`Severity`]).
    pub fn severity(&self) -> crate::diagnose::Severity {
        crate::diagnose::Severity::of(self.verdict, self.offline_count, self.server_count)
    }

    /// The path to show: the offline one where there is one.
    pub fn display_path(&self) -> String {
        self.offline_path
            .as_ref()
            .or(self.server_path.as_ref())
            .map(|p| p.join("/"))
            .unwrap_or_default()
    }
}

/// Compare the two sides. Items are compared for a row when both sides carry its items, or
/// when one side has the folder alone and carries its items.
pub fn compare(store: &StoreSide, server: &ServerSide, options: &Options) -> Report {
    let pairs = map_folders(&store.folders, &server.folders);
    let folders: Vec<FolderReport> = pairs
        .iter()
        .map(|pair| row(pair, store, server, options))
        .collect();
    let mut summary = Summary {
        folders: folders.len(),
        ..Summary::default()
    };
    for f in &folders {
        match f.verdict {
            Verdict::Equal => summary.equal += 1,
            Verdict::ExpectedDifference => summary.expected += 1,
            Verdict::Unknown => summary.unknown += 1,
            v if v.is_difference() => summary.differences += 1,
            _ => {}
        }
        // Server counts are whatever the server says: a huge one must not wrap the sum.
        let one = one_sided(f);
        let add = |total: &mut u64, n: u64| *total = total.saturating_add(n);
        add(&mut summary.items_only_offline, one.known_offline);
        add(&mut summary.items_only_on_server, one.known_on_server);
        add(&mut summary.count_surplus_offline, one.surplus_offline);
        add(&mut summary.count_surplus_on_server, one.surplus_on_server);
    }
    Report {
        server_kind: server.kind,
        time_tolerance_seconds: options.time_tolerance_seconds,
        sync_window_start: options.sync_window_start.map(|t| t.to_string()),
        summary,
        folders,
    }
}

/// What a row says about items on one side only: known items, or count differences.
#[derive(Default)]
struct OneSided {
    known_offline: u64,
    known_on_server: u64,
    surplus_offline: u64,
    surplus_on_server: u64,
}

fn one_sided(f: &FolderReport) -> OneSided {
    if !f.verdict.is_difference() {
        return OneSided::default();
    }
    if let Some(items) = &f.items {
        return OneSided {
            known_offline: items.only_offline.len() as u64,
            known_on_server: items.only_on_server.len() as u64,
            ..OneSided::default()
        };
    }
    let offline = f.offline_count.unwrap_or(0);
    let online = f.server_count.unwrap_or(0);
    match f.verdict {
        // A folder one side lacks: every item in it is on the other side only.
        Verdict::MissingOnServer => OneSided {
            known_offline: offline,
            ..OneSided::default()
        },
        Verdict::MissingOffline => OneSided {
            known_on_server: online,
            ..OneSided::default()
        },
        _ => OneSided {
            surplus_offline: offline.saturating_sub(online),
            surplus_on_server: online.saturating_sub(offline),
            ..OneSided::default()
        },
    }
}

fn row(pair: &Pair, store: &StoreSide, server: &ServerSide, options: &Options) -> FolderReport {
    let s = pair.store.map(|i| &store.folders[i]);
    let v = pair.server.map(|i| &server.folders[i]);
    let offline_items = s.and_then(|s| store.items.get(&s.nid));
    let server_items = v.and_then(|v| server.items.get(&v.id));
    let comparable = match (s, v) {
        (Some(_), Some(_)) => offline_items.is_some() && server_items.is_some(),
        (Some(_), None) => offline_items.is_some(),
        (None, Some(_)) => server_items.is_some(),
        (None, None) => false,
    };
    let comparison = comparable.then(|| {
        compare_items(
            offline_items.map_or(&[][..], Vec::as_slice),
            server_items.map_or(&[][..], Vec::as_slice),
            options.time_tolerance_seconds,
        )
    });
    // Only a pair is judged by its items: a folder on one side alone is missing whatever
    // it holds, and its items are listed for the user to act on.
    let evidence = match (&comparison, s, v) {
        (Some(c), Some(_), Some(_)) => Some(ItemEvidence {
            comparison: c,
            server_only_times: server_only_times(c, server_items.map_or(&[][..], Vec::as_slice)),
            oldest_offline: offline_items
                .and_then(|items| items.iter().filter_map(|i| i.sent.or(i.received)).min()),
        }),
        _ => None,
    };
    let j = judge(
        s,
        v,
        evidence.as_ref(),
        server.kind,
        options.sync_window_start,
    );
    FolderReport {
        offline_path: s.map(|s| s.path.clone()),
        server_path: v.map(|v| v.path.clone()),
        role: pair.role.as_ref().map(role_key),
        kind: s.map(|s| s.kind),
        matched_by: pair.matched_by,
        offline_count: s.and_then(|s| s.count),
        server_count: v.and_then(|v| v.total),
        offline_unread: s.and_then(|s| s.unread),
        server_unread: v.and_then(|v| v.unread),
        offline_last_modified: s.and_then(|s| s.last_modified).map(|t| t.to_string()),
        verdict: j.verdict,
        expected: j.expected,
        reason: j.reason,
        items: comparison,
    }
}

fn server_only_times(c: &ItemComparison, items: &[Item]) -> Vec<Option<Timestamp>> {
    let by_id: HashMap<&str, &Item> = items.iter().map(|i| (i.server_id.as_str(), i)).collect();
    c.only_on_server
        .iter()
        .map(|r| by_id.get(r.id.as_str()).and_then(|i| i.sent.or(i.received)))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::diagnose::sides::StoreItem;
    use crate::diagnose::sides::testing::{server_folder, store_folder};
    use crate::server::{Folder, FolderId, FolderRole};
    use crate::store::ndb::Nid;

    fn find<'a>(r: &'a Report, path: &str) -> &'a FolderReport {
        r.folders
            .iter()
            .find(|f| f.display_path() == path)
            .unwrap_or_else(|| panic!("no row {path}"))
    }

    fn verdicts(r: &Report) -> Vec<(String, Verdict, Option<Expected>)> {
        r.folders
            .iter()
            .map(|f| (f.display_path(), f.verdict, f.expected))
            .collect()
    }

    #[test]
    fn counts_give_folder_verdicts() {
        let mut calendar = store_folder("Calendar", Some(FolderRole::Calendar), 9);
        calendar.kind = FolderKind::Calendar;
        let mut yammer = store_folder("Yammer Root", None, 0);
        yammer.hidden = true;
        let store = StoreSide {
            folders: vec![
                store_folder("Inbox", Some(FolderRole::Inbox), 10),
                store_folder("Sent Items", Some(FolderRole::Sent), 2),
                store_folder("Drafts", Some(FolderRole::Drafts), 1),
                store_folder("Projects", None, 4),
                store_folder("Empty here", None, 0),
                calendar,
                yammer,
            ],
            ..StoreSide::default()
        };
        let mut all = server_folder("All Mail", Some(FolderRole::All), Some(20));
        all.hidden = None;
        let server = ServerSide::new(
            ServerKind::Imap,
            vec![
                server_folder("INBOX", Some(FolderRole::Inbox), Some(10)),
                server_folder("Sent", Some(FolderRole::Sent), Some(3)),
                server_folder("Drafts", Some(FolderRole::Drafts), Some(0)),
                server_folder("Archive 2019", None, Some(40)),
                server_folder("Placeholder", None, None),
                all,
            ],
        );
        let r = compare(&store, &server, &Options::default());
        use Verdict::*;
        assert_eq!(
            verdicts(&r),
            [
                ("Inbox".into(), Equal, None),
                ("Sent Items".into(), OfflineBehind, None),
                ("Drafts".into(), OfflineAhead, None),
                ("Projects".into(), MissingOnServer, None),
                ("Empty here".into(), MissingOnServer, None),
                (
                    "Calendar".into(),
                    ExpectedDifference,
                    Some(Expected::NotVisibleOverImap)
                ),
                (
                    "Yammer Root".into(),
                    ExpectedDifference,
                    Some(Expected::HiddenFolder)
                ),
                ("Archive 2019".into(), MissingOffline, None),
                (
                    "Placeholder".into(),
                    ExpectedDifference,
                    Some(Expected::Placeholder)
                ),
                (
                    "All Mail".into(),
                    ExpectedDifference,
                    Some(Expected::VirtualFolder)
                ),
            ]
        );
        assert_eq!(
            find(&r, "Sent Items").server_path,
            Some(vec!["Sent".into()])
        );
        assert_eq!(find(&r, "Sent Items").role.as_deref(), Some("sent"));
        assert!(find(&r, "Drafts").reason.contains("would be lost"));
        assert!(
            find(&r, "Projects")
                .reason
                .contains("4 items would be lost")
        );
        assert_eq!(
            r.summary,
            Summary {
                folders: 10,
                equal: 1,
                differences: 5,
                expected: 4,
                unknown: 0,
                // Known: the folders one side lacks (Projects, Archive 2019).
                items_only_offline: 4,
                items_only_on_server: 40,
                // Counted only: Drafts 1 vs 0, Sent Items 2 vs 3.
                count_surplus_offline: 1,
                count_surplus_on_server: 1,
            }
        );
    }

    #[test]
    fn graph_reports_calendars_as_not_mail_and_hidden_server_folders_as_expected() {
        let mut contacts = store_folder("Contacts", Some(FolderRole::Contacts), 3);
        contacts.kind = FolderKind::Contacts;
        let store = StoreSide {
            folders: vec![contacts],
            ..StoreSide::default()
        };
        let mut hidden = server_folder("Conversation Action Settings", None, Some(2));
        hidden.hidden = Some(true);
        let server = ServerSide::new(ServerKind::Graph, vec![hidden]);
        let r = compare(&store, &server, &Options::default());
        assert_eq!(r.folders[0].expected, Some(Expected::NotAMailFolder));
        assert_eq!(r.folders[1].expected, Some(Expected::HiddenFolder));
        assert_eq!(r.summary.differences, 0);
    }

    pub(crate) fn offline(id: &str, mid: &str, t: i64) -> StoreItem {
        StoreItem {
            id: id.into(),
            internet_message_id: Some(mid.into()),
            subject: Some(format!("subject {id}")),
            sent: Some(Timestamp(t)),
            received: None,
            error: None,
        }
    }

    pub(crate) fn online(uid: u32, mid: &str, t: i64) -> Item {
        Item {
            server_id: uid.to_string(),
            internet_message_id: Some(mid.into()),
            subject: None,
            sent: Some(Timestamp(t)),
            received: None,
            size: None,
            unread: None,
        }
    }

    pub(crate) fn one_folder(offline_items: Vec<StoreItem>, server_items: Vec<Item>) -> Report {
        let mut inbox = store_folder("Inbox", Some(FolderRole::Inbox), offline_items.len() as u64);
        inbox.nid = Nid(0x2222);
        let folder: Folder = server_folder(
            "INBOX",
            Some(FolderRole::Inbox),
            Some(server_items.len() as u64),
        );
        let mut store = StoreSide {
            folders: vec![inbox],
            ..StoreSide::default()
        };
        store.items.insert(Nid(0x2222), offline_items);
        let mut server = ServerSide::new(ServerKind::Imap, vec![folder]);
        server.items.insert(FolderId("INBOX".into()), server_items);
        compare(&store, &server, &Options::default())
    }

    #[test]
    fn items_refine_equal_counts_into_divergence() {
        let r = one_folder(
            vec![offline("a", "<1@x>", 100), offline("b", "<2@x>", 200)],
            vec![online(1, "<1@x>", 100), online(7, "<3@x>", 300)],
        );
        let f = &r.folders[0];
        assert_eq!(f.offline_count, f.server_count, "same counts");
        assert_eq!(f.verdict, Verdict::Diverged);
        let items = f.items.as_ref().unwrap();
        assert_eq!(items.only_offline[0].id, "b");
        assert_eq!(items.only_on_server[0].id, "7");
        assert_eq!(
            (r.summary.items_only_offline, r.summary.items_only_on_server),
            (1, 1)
        );
    }

    #[test]
    fn old_server_only_items_are_the_sync_window() {
        let r = one_folder(
            vec![offline("a", "<1@x>", 5000)],
            vec![online(1, "<1@x>", 5000), online(2, "<old@x>", 10)],
        );
        assert_eq!(r.folders[0].expected, Some(Expected::SyncWindow));
        let r = one_folder(
            vec![offline("a", "<1@x>", 5000)],
            vec![online(1, "<1@x>", 5000), online(2, "<new@x>", 9000)],
        );
        assert_eq!(r.folders[0].verdict, Verdict::OfflineBehind);
        // With the window's start given, only items before it are expected.
        let options = Options {
            sync_window_start: Some(Timestamp(8000)),
            ..Options::default()
        };
        let store_items = vec![offline("a", "<1@x>", 5000)];
        let mut inbox = store_folder("Inbox", Some(FolderRole::Inbox), 1);
        inbox.nid = Nid(0x2222);
        let mut store = StoreSide {
            folders: vec![inbox],
            ..StoreSide::default()
        };
        store.items.insert(Nid(0x2222), store_items);
        let mut server = ServerSide::new(
            ServerKind::Imap,
            vec![server_folder("INBOX", Some(FolderRole::Inbox), Some(2))],
        );
        server.items.insert(
            FolderId("INBOX".into()),
            vec![online(1, "<1@x>", 5000), online(2, "<x@x>", 7000)],
        );
        let r = compare(&store, &server, &options);
        assert_eq!(r.folders[0].expected, Some(Expected::SyncWindow));
        assert!(r.folders[0].reason.contains("start of the sync window"));
    }

    #[test]
    fn huge_server_counts_saturate_instead_of_wrapping() {
        let server = ServerSide::new(
            ServerKind::Imap,
            vec![
                server_folder("A", None, Some(u64::MAX / 2 + 1)),
                server_folder("B", None, Some(u64::MAX / 2 + 1)),
            ],
        );
        let r = compare(&StoreSide::default(), &server, &Options::default());
        assert_eq!(r.summary.items_only_on_server, u64::MAX);
    }

    #[test]
    fn one_sided_folders_list_their_items_but_stay_missing() {
        let mut lost = store_folder("Lost", None, 1);
        lost.nid = Nid(0x42);
        let mut store = StoreSide {
            folders: vec![lost],
            ..StoreSide::default()
        };
        store
            .items
            .insert(Nid(0x42), vec![offline("a", "<1@x>", 1)]);
        let server = ServerSide::new(ServerKind::Imap, vec![]);
        let r = compare(&store, &server, &Options::default());
        assert_eq!(r.folders[0].verdict, Verdict::MissingOnServer);
        assert_eq!(r.folders[0].items.as_ref().unwrap().only_offline.len(), 1);
        assert_eq!(r.summary.items_only_offline, 1);
    }
}
