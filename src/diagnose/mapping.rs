//! Which store folder is which server folder. Well-known folders pair by role first, so a
//! Dutch server's "Verzonden items" meets Outlook's "Sent Items"; every other folder pairs by
//! its name under its already paired parent, so renamed well-known parents carry their
//! subfolders along. Each folder pairs at most once.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::names::{is_sync_issues_child, role_from_name};
use super::sides::StoreFolder;
use crate::server::{Folder, FolderRole};

/// How a pair was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// Both sides name the folder's purpose (Inbox, Sent, ...), whatever its display name.
    Role,
    /// The same name under the same (paired) parent.
    Path,
}

/// One row of the comparison: a store folder, a server folder, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// Index into the store side's folders.
    pub store: Option<usize>,
    /// Index into the server side's folders.
    pub server: Option<usize>,
    pub matched_by: Option<MatchedBy>,
    pub role: Option<FolderRole>,
}

/// Pair the folders of both sides. Rows come in store order, then the server's folders that
/// have no counterpart, in server order.
pub fn map_folders(store: &[StoreFolder], server: &[Folder]) -> Vec<Pair> {
    let server_roles = server_roles(server);
    let mut store_to_server: Vec<Option<(usize, MatchedBy)>> = vec![None; store.len()];
    let mut server_taken = vec![false; server.len()];

    // Roles present exactly once on each side pair up; a role found twice on a side is
    // ambiguous and left to the path pass.
    let mut store_by_role: HashMap<&FolderRole, Vec<usize>> = HashMap::new();
    for (si, folder) in store.iter().enumerate() {
        if let Some(role) = folder.role.as_ref().filter(|r| is_pairable_role(r)) {
            store_by_role.entry(role).or_default().push(si);
        }
    }
    let mut server_by_role: HashMap<&FolderRole, Vec<usize>> = HashMap::new();
    for (vi, role) in server_roles.iter().enumerate() {
        if let Some(role) = role.as_ref().filter(|r| is_pairable_role(r)) {
            server_by_role.entry(role).or_default().push(vi);
        }
    }
    for (role, store_indices) in &store_by_role {
        if let ([si], Some([vi])) = (
            store_indices.as_slice(),
            server_by_role.get(role).map(Vec::as_slice),
        ) {
            store_to_server[*si] = Some((*vi, MatchedBy::Role));
            server_taken[*vi] = true;
        }
    }

    // Store folders come parents first, so a parent's pairing is known before its children.
    let store_by_path: HashMap<&[String], usize> = store
        .iter()
        .enumerate()
        .map(|(si, f)| (f.path.as_slice(), si))
        .collect();
    let mut server_children: HashMap<&[String], Vec<usize>> = HashMap::new();
    for (vi, f) in server.iter().enumerate() {
        if let Some((_, parent)) = f.path.split_last() {
            server_children.entry(parent).or_default().push(vi);
        }
    }
    for si in 0..store.len() {
        if store_to_server[si].is_some() {
            continue;
        }
        let Some((name, parent)) = store[si].path.split_last() else {
            continue;
        };
        // Under the parent's partner when the parent is paired (a renamed well-known
        // folder), else under the same path.
        let server_parent: &[String] = match store_by_path.get(parent) {
            Some(&pi) => match store_to_server[pi] {
                Some((vi, _)) => &server[vi].path,
                None => parent,
            },
            None => parent,
        };
        let candidates = server_children
            .get(server_parent)
            .map_or(&[][..], Vec::as_slice);
        if let Some(vi) = find_child(server, candidates, &server_taken, name) {
            store_to_server[si] = Some((vi, MatchedBy::Path));
            server_taken[vi] = true;
        }
    }

    let mut pairs: Vec<Pair> = store
        .iter()
        .enumerate()
        .map(|(si, folder)| {
            let server_index = store_to_server[si].map(|(vi, _)| vi);
            Pair {
                store: Some(si),
                server: server_index,
                matched_by: store_to_server[si].map(|(_, by)| by),
                role: folder
                    .role
                    .clone()
                    .or_else(|| server_index.and_then(|vi| server_roles[vi].clone())),
            }
        })
        .collect();
    pairs.extend(
        (0..server.len())
            .filter(|&vi| !server_taken[vi])
            .map(|vi| Pair {
                store: None,
                server: Some(vi),
                matched_by: None,
                role: server_roles[vi].clone(),
            }),
    );
    pairs
}

/// Virtual IMAP folders (`\All`, `\Flagged`) show messages that live elsewhere; nothing in
/// Outlook is their counterpart.
fn is_pairable_role(role: &FolderRole) -> bool {
    !matches!(role, FolderRole::All | FolderRole::Flagged)
}

/// The server's roles, completed from names where the server declares none: a top-level
/// folder named like a well-known folder in any known language, and the sync-problem folders
/// under Sync Issues. A role the server declares anywhere is never also given by name.
pub fn server_roles(server: &[Folder]) -> Vec<Option<FolderRole>> {
    let declared: HashSet<&FolderRole> = server.iter().filter_map(|f| f.role.as_ref()).collect();
    let by_name = |name: &str| role_from_name(name).filter(|r| !declared.contains(r));
    let mut roles: Vec<Option<FolderRole>> = server.iter().map(|f| f.role.clone()).collect();
    for (i, folder) in server.iter().enumerate() {
        if let (None, [name]) = (&roles[i], folder.path.as_slice()) {
            roles[i] = by_name(name).filter(|r| !is_sync_issues_child(r));
        }
    }
    let sync_issues: HashSet<&str> = server
        .iter()
        .zip(&roles)
        .filter(|(f, r)| f.path.len() == 1 && **r == Some(FolderRole::SyncIssues))
        .map(|(f, _)| f.path[0].as_str())
        .collect();
    for (i, folder) in server.iter().enumerate() {
        if let (None, [parent, name]) = (&roles[i], folder.path.as_slice())
            && sync_issues.contains(parent.as_str())
        {
            roles[i] = by_name(name).filter(is_sync_issues_child);
        }
    }
    roles
}

/// The unpaired folder among `candidates` named `name`: the exact name first, then ignoring
/// case (IMAP's INBOX, servers that capitalize).
fn find_child(
    server: &[Folder],
    candidates: &[usize],
    taken: &[bool],
    name: &str,
) -> Option<usize> {
    let last = |vi: usize| server[vi].path.last().map_or("", String::as_str);
    let free = || candidates.iter().copied().filter(|&vi| !taken[vi]);
    free().find(|&vi| last(vi) == name).or_else(|| {
        let lower = name.to_lowercase();
        free().find(|&vi| last(vi).to_lowercase() == lower)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::sides::testing::{server_folder, store_folder};

    fn paths(store: &[StoreFolder], server: &[Folder], pairs: &[Pair]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|p| {
                (
                    p.store.map_or("-".into(), |i| store[i].path.join("/")),
                    p.server.map_or("-".into(), |i| server[i].path.join("/")),
                )
            })
            .collect()
    }

    #[test]
    fn roles_pair_across_languages_and_children_follow_their_parents() {
        let store = vec![
            store_folder("Inbox", Some(FolderRole::Inbox), 3),
            store_folder("Inbox/Projects", None, 2),
            store_folder("Sent Items", Some(FolderRole::Sent), 1),
            store_folder("Sent Items/Private", None, 1),
            store_folder("Deleted Items", Some(FolderRole::Deleted), 0),
            store_folder("Sync Issues", Some(FolderRole::SyncIssues), 1),
            store_folder("Sync Issues/Conflicts", Some(FolderRole::Conflicts), 0),
            store_folder("Kunden", None, 4),
            store_folder("Only here", None, 1),
        ];
        let server = vec![
            server_folder("INBOX", Some(FolderRole::Inbox), Some(3)),
            server_folder("INBOX/Projects", None, Some(2)),
            server_folder("Verzonden items", Some(FolderRole::Sent), Some(1)),
            server_folder("Verzonden items/Private", None, Some(1)),
            server_folder("Prullenbak", Some(FolderRole::Deleted), Some(0)),
            server_folder("Synchronisatieproblemen", None, Some(1)),
            server_folder("Synchronisatieproblemen/Conflicten", None, Some(0)),
            server_folder("kunden", None, Some(4)),
            server_folder("Only there", None, Some(0)),
        ];
        let pairs = map_folders(&store, &server);
        let got = paths(&store, &server, &pairs);
        let want = [
            ("Inbox", "INBOX"),
            ("Inbox/Projects", "INBOX/Projects"),
            ("Sent Items", "Verzonden items"),
            ("Sent Items/Private", "Verzonden items/Private"),
            ("Deleted Items", "Prullenbak"),
            ("Sync Issues", "Synchronisatieproblemen"),
            (
                "Sync Issues/Conflicts",
                "Synchronisatieproblemen/Conflicten",
            ),
            ("Kunden", "kunden"),
            ("Only here", "-"),
            ("-", "Only there"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got, want);
        assert_eq!(pairs[0].matched_by, Some(MatchedBy::Role));
        assert_eq!(pairs[1].matched_by, Some(MatchedBy::Path));
        assert_eq!(
            pairs[5].matched_by,
            Some(MatchedBy::Role),
            "Dutch name gave the role"
        );
        assert_eq!(pairs[7].matched_by, Some(MatchedBy::Path));
        assert_eq!(pairs[9].role, None);
    }

    #[test]
    fn declared_roles_win_over_names_and_ambiguity_falls_back_to_paths() {
        // The server declares \Sent on "Sent Messages"; its "Sent Items" is an ordinary folder.
        let server = vec![
            server_folder("Sent Items", None, Some(5)),
            server_folder("Sent Messages", Some(FolderRole::Sent), Some(7)),
            server_folder("Junk", None, Some(1)),
            server_folder("Spam", None, Some(2)),
            server_folder("Projects/Conflicts", None, Some(0)),
            server_folder("All Mail", Some(FolderRole::All), Some(99)),
        ];
        let roles = server_roles(&server);
        assert_eq!(roles[0], None);
        assert_eq!(roles[1], Some(FolderRole::Sent));
        assert_eq!(roles[2], Some(FolderRole::Junk));
        assert_eq!(roles[3], Some(FolderRole::Junk));
        assert_eq!(
            roles[4], None,
            "Conflicts means something only under Sync Issues"
        );

        let store = vec![
            store_folder("Sent Items", Some(FolderRole::Sent), 7),
            store_folder("Junk Email", Some(FolderRole::Junk), 1),
            store_folder("Spam", None, 2),
        ];
        let pairs = map_folders(&store, &server);
        let got = paths(&store, &server, &pairs);
        assert_eq!(got[0], ("Sent Items".into(), "Sent Messages".into()));
        // Two server folders look like Junk: no role pairing; "Junk Email" has no namesake.
        assert_eq!(got[1], ("Junk Email".into(), "-".into()));
        assert_eq!(got[2], ("Spam".into(), "Spam".into()));
        let virtual_row = pairs.iter().find(|p| p.server == Some(5)).unwrap();
        assert_eq!(virtual_row.store, None, "\\All pairs with nothing");
    }
}
