//! Which items of a folder are on both sides, like scanost did: first by internet message id,
//! which both Outlook and every server keep verbatim; then, for items without one (drafts,
//! Outlook's own logs) or whose id differs, by subject and time within a tolerance.

use std::collections::{HashMap, VecDeque};

use serde::Serialize;

use super::sides::StoreItem;
use crate::server::{Item, Timestamp};

/// The items of one folder pair, sorted into three groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemComparison {
    pub in_both: usize,
    pub matched_by_message_id: usize,
    pub matched_by_subject_and_time: usize,
    pub only_offline: Vec<ItemRef>,
    pub only_on_server: Vec<ItemRef>,
}

/// An item named well enough for a user to find it in Outlook or on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemRef {
    /// The store's node id (offline) or the server's id (IMAP UID, Graph id).
    pub id: String,
    pub internet_message_id: Option<String>,
    pub subject: Option<String>,
    /// Sent time, else received time, RFC 3339 in UTC.
    pub time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ItemRef {
    fn offline(item: &StoreItem) -> Self {
        ItemRef {
            id: item.id.clone(),
            internet_message_id: item.internet_message_id.clone(),
            subject: item.subject.clone(),
            time: store_time(item).map(|t| t.to_string()),
            error: item.error.clone(),
        }
    }

    fn server(item: &Item) -> Self {
        ItemRef {
            id: item.server_id.clone(),
            internet_message_id: item.internet_message_id.clone(),
            subject: item.subject.clone(),
            time: server_time(item).map(|t| t.to_string()),
            error: None,
        }
    }
}

/// The time an item is matched on: when it was sent (the `Date:` header), else when it
/// arrived. Both sides take the same field first, so a copy made by either keeps it.
fn store_time(item: &StoreItem) -> Option<Timestamp> {
    item.sent.or(item.received)
}

fn server_time(item: &Item) -> Option<Timestamp> {
    item.sent.or(item.received)
}

/// Message ids compare without surrounding blanks and angle brackets, which some servers
/// drop; the id itself is case-sensitive (RFC 5322 3.6.4).
fn id_key(id: &str) -> Option<String> {
    let id = id.trim();
    let id = id.strip_prefix('<').unwrap_or(id);
    let id = id.strip_suffix('>').unwrap_or(id).trim();
    (!id.is_empty()).then(|| id.to_string())
}

/// Subjects compare ignoring case and runs of white space (folding differs between copies),
/// over the length a server's subject is kept to.
fn subject_key(subject: Option<&str>) -> String {
    crate::server::bounded_subject(subject.unwrap_or("").to_string())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Items of one side by time: (time, index).
type Timed = Vec<(Timestamp, usize)>;

/// Sort the items of one folder. `tolerance` is the largest time difference, in seconds, at
/// which two items with the same subject and no common message id count as one.
pub fn compare_items(offline: &[StoreItem], server: &[Item], tolerance: i64) -> ItemComparison {
    let mut offline_match: Vec<bool> = vec![false; offline.len()];
    let mut server_match: Vec<bool> = vec![false; server.len()];

    // Ids pair one to one, in order, so duplicates on one side stay visible as extras.
    let mut by_id: HashMap<String, VecDeque<usize>> = HashMap::new();
    for (vi, item) in server.iter().enumerate() {
        if let Some(key) = item.internet_message_id.as_deref().and_then(id_key) {
            by_id.entry(key).or_default().push_back(vi);
        }
    }
    let mut matched_by_message_id = 0;
    for (oi, item) in offline.iter().enumerate() {
        let Some(key) = item.internet_message_id.as_deref().and_then(id_key) else {
            continue;
        };
        if let Some(vi) = by_id.get_mut(&key).and_then(VecDeque::pop_front) {
            offline_match[oi] = true;
            server_match[vi] = true;
            matched_by_message_id += 1;
        }
    }

    // The rest by subject, then by time: within one subject, walk both sides in time order
    // and pair each offline item with the earliest unpaired server item in its window, which
    // pairs as many items as any assignment can.
    let mut groups: HashMap<String, (Timed, Timed)> = HashMap::new();
    for (oi, item) in offline.iter().enumerate() {
        if let (false, Some(t)) = (offline_match[oi], store_time(item)) {
            let key = subject_key(item.subject.as_deref());
            groups.entry(key).or_default().0.push((t, oi));
        }
    }
    for (vi, item) in server.iter().enumerate() {
        if let (false, Some(t)) = (server_match[vi], server_time(item)) {
            let key = subject_key(item.subject.as_deref());
            groups.entry(key).or_default().1.push((t, vi));
        }
    }
    let mut matched_by_subject_and_time = 0;
    for (mut offs, mut servs) in groups.into_values() {
        offs.sort();
        servs.sort();
        let mut j = 0;
        for (t, oi) in offs {
            while j < servs.len() && servs[j].0.0 < t.0 - tolerance {
                j += 1;
            }
            if j < servs.len() && servs[j].0.0 <= t.0 + tolerance {
                offline_match[oi] = true;
                server_match[servs[j].1] = true;
                matched_by_subject_and_time += 1;
                j += 1;
            }
        }
    }

    ItemComparison {
        in_both: matched_by_message_id + matched_by_subject_and_time,
        matched_by_message_id,
        matched_by_subject_and_time,
        only_offline: offline
            .iter()
            .zip(&offline_match)
            .filter(|(_, m)| !**m)
            .map(|(item, _)| ItemRef::offline(item))
            .collect(),
        only_on_server: server
            .iter()
            .zip(&server_match)
            .filter(|(_, m)| !**m)
            .map(|(item, _)| ItemRef::server(item))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offline(id: &str, mid: Option<&str>, subject: &str, sent: i64) -> StoreItem {
        StoreItem {
            id: id.into(),
            internet_message_id: mid.map(String::from),
            subject: Some(subject.into()),
            sent: Some(Timestamp(sent)),
            received: Some(Timestamp(sent + 5)),
            error: None,
        }
    }

    fn online(id: &str, mid: Option<&str>, subject: &str, sent: Option<i64>) -> Item {
        Item {
            server_id: id.into(),
            internet_message_id: mid.map(String::from),
            subject: Some(subject.into()),
            sent: sent.map(Timestamp),
            received: Some(Timestamp(1_000_000)),
            size: None,
            unread: None,
        }
    }

    fn ids(refs: &[ItemRef]) -> Vec<&str> {
        refs.iter().map(|r| r.id.as_str()).collect()
    }

    #[test]
    fn ids_first_then_subject_and_time() {
        let off = [
            offline("o1", Some("<a@x>"), "Hello", 1000),
            offline("o2", Some("<b@x>"), "Budget", 2000),
            offline("o3", None, "Synchronization Log:", 3000),
            offline("o4", None, "Draft", 4000),
            offline("o5", Some("<only-offline@x>"), "Old", 5000),
        ];
        let srv = [
            online("1", Some("a@x"), "Something else entirely", Some(99)),
            online("2", Some("<b@x>"), "Budget", Some(2000)),
            online("3", None, "synchronization   log:", Some(3000 + 240)),
            online("4", None, "Draft", Some(4000 + 301)),
            online("5", Some("<new@x>"), "New", Some(6000)),
        ];
        let c = compare_items(&off, &srv, 300);
        assert_eq!(
            c.matched_by_message_id, 2,
            "brackets do not matter, subjects do not"
        );
        assert_eq!(
            c.matched_by_subject_and_time, 1,
            "240 s is within 300, 301 is not"
        );
        assert_eq!(c.in_both, 3);
        assert_eq!(ids(&c.only_offline), ["o4", "o5"]);
        assert_eq!(ids(&c.only_on_server), ["4", "5"]);
        assert_eq!(
            c.only_on_server[1].time.as_deref(),
            Some("1970-01-01T01:40:00Z")
        );
    }

    /// The server side keeps subjects to `MAX_SUBJECT_CHARS`; a longer one in the store
    /// still pairs with its cut copy, and two that differ only past the cut pair too.
    #[test]
    fn a_subject_longer_than_the_servers_bound_still_pairs() {
        let long = "Quarterly figures ".repeat(100);
        let cut = crate::server::bounded_subject(long.clone());
        assert!(cut.chars().count() == crate::server::MAX_SUBJECT_CHARS && cut.len() < long.len());
        let off = [offline("o1", None, &long, 1000)];
        let srv = [online("1", None, &cut, Some(1000))];
        let c = compare_items(&off, &srv, 300);
        assert_eq!(c.matched_by_subject_and_time, 1);
        assert!(c.only_offline.is_empty() && c.only_on_server.is_empty());
    }

    #[test]
    fn duplicates_pair_one_to_one() {
        let off = [
            offline("o1", Some("<d@x>"), "Dup", 10),
            offline("o2", Some("<d@x>"), "Dup", 10),
            offline("o3", None, "Weekly", 100),
            offline("o4", None, "Weekly", 200),
        ];
        let srv = [
            online("1", Some("<d@x>"), "Dup", Some(10)),
            online("2", None, "Weekly", Some(150)),
        ];
        let c = compare_items(&off, &srv, 60);
        assert_eq!(c.in_both, 2);
        // The second copy with the same id and the second "Weekly" are offline only; the
        // copy of "Dup" never falls back to subject matching against another id.
        assert_eq!(ids(&c.only_offline), ["o2", "o4"]);
        assert!(c.only_on_server.is_empty());
    }

    #[test]
    fn received_time_stands_in_and_no_time_never_pairs() {
        let mut unsent = offline("o1", None, "", 0);
        unsent.sent = None;
        unsent.received = Some(Timestamp(1_000_010));
        let srv = [online("1", None, "", None)];
        let c = compare_items(&[unsent.clone()], &srv, 300);
        assert_eq!(c.in_both, 1, "both fall back to their arrival times");

        unsent.received = None;
        let c = compare_items(&[unsent], &srv, 300);
        assert_eq!(
            (c.in_both, c.only_offline.len(), c.only_on_server.len()),
            (0, 1, 1)
        );
    }
}
