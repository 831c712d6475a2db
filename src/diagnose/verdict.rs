//! The verdict on one folder pair, with a reason in plain words: the Synchronize tab's
//! "Server folder contains" against "Offline folder contains", refined by the items when
//! they were compared, and softened where the protocol or Outlook explains a difference.

use serde::Serialize;

use super::items::ItemComparison;
use super::sides::{FolderKind, ServerKind, StoreFolder};
use crate::server::{Folder, FolderRole, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Both sides hold the same items (or, without item lists, the same number).
    Equal,
    /// The server holds items the offline folder lacks: Outlook has not caught up.
    OfflineBehind,
    /// The offline folder holds items the server lacks: they would be lost with the .ost.
    OfflineAhead,
    /// Each side holds items the other lacks.
    Diverged,
    /// The folder exists only in the offline store.
    MissingOnServer,
    /// The folder exists only on the server.
    MissingOffline,
    /// The sides differ for a reason that is not a fault (see [`Expected`]).
    ExpectedDifference,
    /// A count is missing, so nothing can be said.
    Unknown,
}

impl Verdict {
    /// A difference that needs the user's attention.
    pub fn is_difference(self) -> bool {
        matches!(
            self,
            Verdict::OfflineBehind
                | Verdict::OfflineAhead
                | Verdict::Diverged
                | Verdict::MissingOnServer
                | Verdict::MissingOffline
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::Equal => "equal",
            Verdict::OfflineBehind => "offline behind",
            Verdict::OfflineAhead => "offline ahead",
            Verdict::Diverged => "diverged",
            Verdict::MissingOnServer => "missing on server",
            Verdict::MissingOffline => "missing offline",
            Verdict::ExpectedDifference => "expected",
            Verdict::Unknown => "unknown",
        }
    }
}

/// How much a folder's state matters to the person, worst first: what a technician sorts
/// and colours a table by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Items only the offline store holds: lost with the .ost unless saved first.
    AtRisk,
    /// The server holds items the offline store has not caught up with yet.
    Behind,
    /// A difference that loses nothing: an empty folder on one side only, the sync
    /// window, a folder one side cannot show, or counts that cannot be had.
    Harmless,
    InStep,
}

impl Severity {
    /// From a row's verdict and counts: a folder missing on one side matters as much as
    /// the items it holds.
    pub fn of(verdict: Verdict, offline: Option<u64>, server: Option<u64>) -> Severity {
        match verdict {
            Verdict::OfflineAhead | Verdict::Diverged => Severity::AtRisk,
            Verdict::MissingOnServer if offline != Some(0) => Severity::AtRisk,
            Verdict::OfflineBehind => Severity::Behind,
            Verdict::MissingOffline if server != Some(0) => Severity::Behind,
            Verdict::MissingOnServer
            | Verdict::MissingOffline
            | Verdict::ExpectedDifference
            | Verdict::Unknown => Severity::Harmless,
            Verdict::Equal => Severity::InStep,
        }
    }
}

/// Why a difference is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expected {
    /// Older items stay on the server by Outlook's cached-mode setting.
    SyncWindow,
    /// IMAP shows mail only; calendars, contacts, tasks and notes are not compared over it.
    NotVisibleOverImap,
    /// Microsoft Graph's mail folders leave out calendars, contacts and the like.
    NotAMailFolder,
    /// A hidden folder one side keeps for itself.
    HiddenFolder,
    /// An IMAP folder that shows messages kept in other folders (`\All`, `\Flagged`).
    VirtualFolder,
    /// An IMAP name that only holds subfolders and can hold no items.
    Placeholder,
}

/// What the item lists showed, where they were compared.
pub struct ItemEvidence<'a> {
    pub comparison: &'a ItemComparison,
    /// Times of the items found only on the server (`None` where an item has no time).
    pub server_only_times: Vec<Option<Timestamp>>,
    /// The oldest item in the offline folder.
    pub oldest_offline: Option<Timestamp>,
}

pub struct Judgement {
    pub verdict: Verdict,
    pub expected: Option<Expected>,
    pub reason: String,
}

fn judged(verdict: Verdict, reason: impl Into<String>) -> Judgement {
    Judgement {
        verdict,
        expected: None,
        reason: reason.into(),
    }
}

fn expected(why: Expected, reason: impl Into<String>) -> Judgement {
    Judgement {
        verdict: Verdict::ExpectedDifference,
        expected: Some(why),
        reason: reason.into(),
    }
}

fn items(n: u64) -> String {
    if n == 1 {
        "1 item".into()
    } else {
        format!("{n} items")
    }
}

/// Judge one row. `sync_window_start` is the oldest date Outlook is set to download, when
/// the user says so.
pub fn judge(
    store: Option<&StoreFolder>,
    server: Option<&Folder>,
    evidence: Option<&ItemEvidence>,
    kind: ServerKind,
    sync_window_start: Option<Timestamp>,
) -> Judgement {
    match (store, server) {
        (Some(s), None) => store_only(s, kind),
        (None, Some(v)) => server_only(v),
        (Some(s), Some(v)) => both(s, v, evidence, kind, sync_window_start),
        (None, None) => judged(Verdict::Unknown, "Nothing to compare."),
    }
}

/// Whether the protocol shows this kind of store folder at all.
fn not_shown(s: &StoreFolder, kind: ServerKind) -> Option<Judgement> {
    if s.kind == FolderKind::Mail {
        return None;
    }
    Some(match kind {
        ServerKind::Imap => expected(
            Expected::NotVisibleOverImap,
            format!(
                "IMAP shows mail only, so {} cannot be compared over it; this difference is \
                 expected.",
                s.kind.plural()
            ),
        ),
        ServerKind::Graph => expected(
            Expected::NotAMailFolder,
            format!(
                "Microsoft Graph lists mail folders only, not {}; this difference is expected.",
                s.kind.plural()
            ),
        ),
    })
}

fn store_only(s: &StoreFolder, kind: ServerKind) -> Judgement {
    if s.hidden {
        return expected(
            Expected::HiddenFolder,
            "A hidden folder Outlook keeps for its own use; the server does not list it.",
        );
    }
    if let Some(j) = not_shown(s, kind) {
        return j;
    }
    match s.count {
        Some(0) => judged(
            Verdict::MissingOnServer,
            "The folder exists only in the offline store; it holds no items.",
        ),
        Some(n) => judged(
            Verdict::MissingOnServer,
            format!(
                "The folder exists only in the offline store: its {} would be lost if the \
                 .ost were rebuilt. Export it to a .pst first.",
                items(n)
            ),
        ),
        None => judged(
            Verdict::MissingOnServer,
            "The folder exists only in the offline store, which keeps no count for it.",
        ),
    }
}

fn server_only(v: &Folder) -> Judgement {
    if matches!(v.role, Some(FolderRole::All | FolderRole::Flagged)) {
        return expected(
            Expected::VirtualFolder,
            "The server builds this folder from messages kept in other folders; Outlook has \
             no such folder.",
        );
    }
    if v.hidden == Some(true) {
        return expected(
            Expected::HiddenFolder,
            "A hidden folder on the server; Outlook does not download hidden folders.",
        );
    }
    if !v.selectable {
        return expected(
            Expected::Placeholder,
            "The server lists this name only to hold subfolders; it can hold no items.",
        );
    }
    let held = v
        .total
        .map_or(String::new(), |n| format!(" ({})", items(n)));
    judged(
        Verdict::MissingOffline,
        format!(
            "The folder exists on the server{held} but not in the offline store: Outlook has \
             not synchronized the folder list."
        ),
    )
}

fn both(
    s: &StoreFolder,
    v: &Folder,
    evidence: Option<&ItemEvidence>,
    kind: ServerKind,
    sync_window_start: Option<Timestamp>,
) -> Judgement {
    // A placeholder holds nothing; it agrees with an empty folder.
    let server_count = if v.selectable { v.total } else { Some(0) };
    if let Some(e) = evidence {
        return by_items(e, s, sync_window_start, kind);
    }
    let (Some(offline), Some(online)) = (s.count, server_count) else {
        let missing = if s.count.is_none() {
            "The offline store keeps no count for this folder."
        } else {
            "The server did not give a count for this folder."
        };
        return judged(Verdict::Unknown, missing);
    };
    if offline == online {
        return judged(Verdict::Equal, format!("Both hold {}.", items(offline)));
    }
    if let Some(j) = not_shown(s, kind) {
        return j;
    }
    if offline < online {
        judged(
            Verdict::OfflineBehind,
            format!(
                "The server holds {} more than the offline folder: Outlook has not downloaded \
                 {}. Compare the items to see which.",
                items(online - offline),
                if online - offline == 1 { "it" } else { "them" }
            ),
        )
    } else {
        let surplus = offline - online;
        judged(
            Verdict::OfflineAhead,
            format!(
                "The offline folder holds {} more than the server: {} may exist only in the \
                 .ost and would be lost if it were rebuilt. Compare the items to see which.",
                items(surplus),
                if surplus == 1 { "it" } else { "they" }
            ),
        )
    }
}

fn by_items(
    e: &ItemEvidence,
    s: &StoreFolder,
    sync_window_start: Option<Timestamp>,
    kind: ServerKind,
) -> Judgement {
    let c = e.comparison;
    let offline_only = c.only_offline.len() as u64;
    let server_only = c.only_on_server.len() as u64;
    if offline_only == 0 && server_only == 0 {
        return judged(
            Verdict::Equal,
            format!("Both hold the same {}.", items(c.in_both as u64)),
        );
    }
    if let Some(j) = not_shown(s, kind) {
        return j;
    }
    if offline_only > 0 && server_only > 0 {
        return judged(
            Verdict::Diverged,
            format!(
                "{} only in the offline folder and {} only on the server: the folder has not \
                 synchronized in either direction. Export the offline-only items to a .pst \
                 before rebuilding the .ost.",
                capitalize(&items(offline_only)),
                items(server_only)
            ),
        );
    }
    if offline_only > 0 {
        return judged(
            Verdict::OfflineAhead,
            format!(
                "{} only in the offline folder: {} would be lost if the .ost were rebuilt. \
                 Export {} to a .pst first.",
                capitalize(&items(offline_only)),
                if offline_only == 1 { "it" } else { "they" },
                if offline_only == 1 { "it" } else { "them" },
            ),
        );
    }
    if let Some(reason) = sync_window(e, sync_window_start) {
        return expected(Expected::SyncWindow, reason);
    }
    judged(
        Verdict::OfflineBehind,
        format!(
            "{} only on the server: Outlook has not downloaded {}.",
            capitalize(&items(server_only)),
            if server_only == 1 { "it" } else { "them" }
        ),
    )
}

/// Items missing offline that are all older than the window Outlook downloads are kept on
/// the server by design. Without the user's setting, the oldest offline item marks where the
/// window starts.
fn sync_window(e: &ItemEvidence, start: Option<Timestamp>) -> Option<String> {
    let (cutoff, source) = match (start, e.oldest_offline) {
        (Some(start), _) => (start, "the start of the sync window"),
        (None, Some(oldest)) => (oldest, "the oldest item in the offline folder"),
        (None, None) => return None,
    };
    let all_older = e
        .server_only_times
        .iter()
        .all(|t| t.is_some_and(|t| t < cutoff));
    let n = e.server_only_times.len() as u64;
    (all_older && n > 0).then(|| {
        format!(
            "The {} only on the server {} older than {source} ({cutoff}): Outlook's cached \
             mode keeps older mail on the server only (its sync window). Not a fault.",
            items(n),
            if n == 1 { "is" } else { "are all" },
        )
    })
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::sides::testing::{server_folder, store_folder};

    fn verdict(s: &StoreFolder, v: &Folder, kind: ServerKind) -> (Verdict, Option<Expected>) {
        let j = judge(Some(s), Some(v), None, kind, None);
        (j.verdict, j.expected)
    }

    #[test]
    fn severity_puts_items_at_risk_first_and_empty_folders_last() {
        use Severity::*;
        assert_eq!(
            Severity::of(Verdict::OfflineAhead, Some(5), Some(3)),
            AtRisk
        );
        assert_eq!(Severity::of(Verdict::Diverged, Some(5), Some(5)), AtRisk);
        assert_eq!(
            Severity::of(Verdict::MissingOnServer, Some(2), None),
            AtRisk
        );
        assert_eq!(
            Severity::of(Verdict::MissingOnServer, Some(0), None),
            Harmless
        );
        assert_eq!(
            Severity::of(Verdict::OfflineBehind, Some(1), Some(3)),
            Behind
        );
        assert_eq!(Severity::of(Verdict::MissingOffline, None, Some(4)), Behind);
        assert_eq!(
            Severity::of(Verdict::MissingOffline, None, Some(0)),
            Harmless
        );
        assert_eq!(
            Severity::of(Verdict::ExpectedDifference, Some(1), Some(9)),
            Harmless
        );
        assert_eq!(Severity::of(Verdict::Equal, Some(3), Some(3)), InStep);
        assert!(AtRisk < Behind && Behind < Harmless && Harmless < InStep);
    }

    #[test]
    fn pairs_by_count() {
        let imap = ServerKind::Imap;
        // A name that only holds subfolders agrees with an empty folder.
        let empty = store_folder("Projects", None, 0);
        let placeholder = server_folder("Projects", None, None);
        assert_eq!(verdict(&empty, &placeholder, imap), (Verdict::Equal, None));
        let full = store_folder("Projects", None, 2);
        assert_eq!(
            verdict(&full, &placeholder, imap),
            (Verdict::OfflineAhead, None)
        );

        let mut uncounted = store_folder("Inbox", None, 0);
        uncounted.count = None;
        let inbox = server_folder("INBOX", None, Some(3));
        assert_eq!(verdict(&uncounted, &inbox, imap), (Verdict::Unknown, None));

        // Exchange lists Calendar over IMAP, but not its items.
        let mut calendar = store_folder("Calendar", Some(FolderRole::Calendar), 9);
        calendar.kind = FolderKind::Calendar;
        let stub = server_folder("Calendar", Some(FolderRole::Calendar), Some(0));
        assert_eq!(
            verdict(&calendar, &stub, imap),
            (
                Verdict::ExpectedDifference,
                Some(Expected::NotVisibleOverImap)
            )
        );
        let j = judge(Some(&full), Some(&inbox), None, imap, None);
        assert_eq!(j.verdict, Verdict::OfflineBehind);
        assert!(j.reason.contains("1 item more"), "{}", j.reason);
        assert!(j.reason.contains("downloaded it"), "{}", j.reason);
    }
}
