//! The folder list: LIST with LIST-STATUS (RFC 5819) in one round trip where the server
//! offers it, else LIST and one STATUS per folder, pipelined.

use std::collections::{BTreeMap, HashMap};

use super::response::{Response, Status, Value};
use super::session::Session;
use super::utf7;
use crate::server::{Folder, FolderId, FolderRole, ServerError, ServerErrorKind};

/// How many STATUS commands are in flight at once: enough to hide latency, few enough that
/// neither side's socket buffer fills while the other is not reading.
const PIPELINE_DEPTH: usize = 32;

/// More folders than any real mailbox has (Exchange Online stops well short of it); beyond
/// it the server is broken. A folder costs a few hundred bytes here.
const MAX_FOLDERS: usize = 250_000;

/// How the counts were obtained, for tests and diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingMethod {
    ListStatus,
    StatusPerFolder,
}

struct Listed {
    raw: String,
    delimiter: Option<char>,
    /// Lower-cased attributes such as `\noselect`, `\sent`.
    attributes: Vec<String>,
}

impl Listed {
    fn has(&self, attribute: &str) -> bool {
        self.attributes.iter().any(|a| a == attribute)
    }

    fn selectable(&self) -> bool {
        !self.has("\\noselect") && !self.has("\\nonexistent")
    }
}

pub(crate) fn list_folders(
    session: &mut Session,
    use_list_status: bool,
) -> Result<(Vec<Folder>, ListingMethod), ServerError> {
    let special_use = session.has_capability("SPECIAL-USE");
    let extended = session.has_capability("LIST-EXTENDED");
    let list_status = use_list_status && session.has_capability("LIST-STATUS");
    // Dovecot leaves special-use attributes out of an extended LIST unless asked for them.
    let mut returns = Vec::new();
    if special_use && (extended || list_status) {
        returns.push("SPECIAL-USE");
    }
    if list_status {
        returns.push("STATUS (MESSAGES UNSEEN)");
    }
    let command = if returns.is_empty() {
        r#"LIST "" "*""#.to_string()
    } else {
        format!(r#"LIST "" "*" RETURN ({})"#, returns.join(" "))
    };

    let mut listed = Vec::new();
    let mut counts = HashMap::new();
    let mut bad = None;
    let tag = session.send(&command, "LIST")?;
    session.finish(&tag, "LIST", |response| {
        if let Response::Data(values) = response {
            match keyword(&values).as_deref() {
                Some("LIST") => match parse_list(&values) {
                    Some(entry) => {
                        if listed.len() >= MAX_FOLDERS {
                            bad = Some(ServerErrorKind::TooLarge(format!(
                                "over {MAX_FOLDERS} folders"
                            )));
                        } else {
                            listed.push(entry);
                        }
                    }
                    None => {
                        bad = Some(ServerErrorKind::Protocol(format!(
                            "bad LIST data: {values:?}"
                        )))
                    }
                },
                Some("STATUS") => {
                    if let Some((name, c)) = parse_status(&values) {
                        keep_count(&mut counts, name, c, &mut bad);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    })?;
    if let Some(kind) = bad {
        return Err(session.error("LIST", kind));
    }

    let method = if list_status {
        ListingMethod::ListStatus
    } else {
        let names: Vec<&str> = listed
            .iter()
            .filter(|l| l.selectable())
            .map(|l| l.raw.as_str())
            .collect();
        counts = status_each(session, &names)?;
        ListingMethod::StatusPerFolder
    };
    Ok((build(listed, &counts), method))
}

/// One STATUS per mailbox, `PIPELINE_DEPTH` at a time. A mailbox the server refuses to
/// report on (NO) is left without counts rather than failing the whole list.
fn status_each(
    session: &mut Session,
    names: &[&str],
) -> Result<HashMap<String, (u64, u64)>, ServerError> {
    let mut counts = HashMap::new();
    for chunk in names.chunks(PIPELINE_DEPTH) {
        let mut pending = Vec::with_capacity(chunk.len());
        for name in chunk {
            pending.push(session.send_with_string(
                "STATUS ",
                name,
                " (MESSAGES UNSEEN)",
                "STATUS",
            )?);
        }
        while !pending.is_empty() {
            match session.read("STATUS")? {
                Response::Tagged { tag, status, text } => {
                    let Some(i) = pending.iter().position(|t| *t == tag) else {
                        return Err(session.error(
                            "STATUS",
                            ServerErrorKind::Protocol(format!(
                                "result for an unknown command {tag}: {text}"
                            )),
                        ));
                    };
                    pending.swap_remove(i);
                    if status == Status::Bad {
                        return Err(session.error("STATUS", ServerErrorKind::Refused(text)));
                    }
                }
                Response::Data(values) => {
                    if keyword(&values).as_deref() == Some("STATUS")
                        && let Some((name, c)) = parse_status(&values)
                    {
                        let mut bad = None;
                        keep_count(&mut counts, name, c, &mut bad);
                        if let Some(kind) = bad {
                            return Err(session.error("STATUS", kind));
                        }
                    }
                }
                other => session.untagged_check("STATUS", &other)?,
            }
        }
    }
    Ok(counts)
}

/// Keeps one mailbox's counts. A server can send STATUS answers nobody asked for, each
/// for another name: beyond one per folder the listing can hold, that is not a mailbox
/// but a flood, and it is refused rather than kept.
fn keep_count(
    counts: &mut HashMap<String, (u64, u64)>,
    name: String,
    count: (u64, u64),
    bad: &mut Option<ServerErrorKind>,
) {
    if counts.len() < MAX_FOLDERS || counts.contains_key(&name) {
        counts.insert(name, count);
    } else if bad.is_none() {
        *bad = Some(ServerErrorKind::TooLarge(format!(
            "STATUS answers for over {MAX_FOLDERS} mailboxes"
        )));
    }
}

fn keyword(values: &[Value]) -> Option<String> {
    values.first()?.as_atom().map(|a| a.to_ascii_uppercase())
}

/// `LIST (attributes) delimiter name [extended data]`.
fn parse_list(values: &[Value]) -> Option<Listed> {
    let attributes = values
        .get(1)?
        .as_list()?
        .iter()
        .map(|a| a.as_atom().map(|s| s.to_ascii_lowercase()))
        .collect::<Option<Vec<_>>>()?;
    let delimiter = match values.get(2)? {
        Value::Nil => None,
        v => {
            let text = v.as_text()?;
            let mut chars = text.chars();
            let d = chars.next()?;
            if chars.next().is_some() {
                return None;
            }
            Some(d)
        }
    };
    let raw = normalize_inbox(values.get(3)?.as_text()?);
    Some(Listed {
        raw,
        delimiter,
        attributes,
    })
}

/// `STATUS name (MESSAGES n UNSEEN n)`.
fn parse_status(values: &[Value]) -> Option<(String, (u64, u64))> {
    let name = normalize_inbox(values.get(1)?.as_text()?);
    let items = values.get(2)?.as_list()?;
    let mut messages = None;
    let mut unseen = None;
    for pair in items.chunks(2) {
        let [key, value] = pair else { return None };
        match key.as_atom()?.to_ascii_uppercase().as_str() {
            "MESSAGES" => messages = value.as_number(),
            "UNSEEN" => unseen = value.as_number(),
            _ => {}
        }
    }
    Some((name, (messages?, unseen?)))
}

/// INBOX is case-insensitive (RFC 3501 5.1); other names are not.
fn normalize_inbox(name: String) -> String {
    if name.eq_ignore_ascii_case("INBOX") {
        "INBOX".to_string()
    } else {
        name
    }
}

fn split_path(raw: &str, delimiter: Option<char>) -> Vec<String> {
    let parts: Vec<&str> = match delimiter {
        Some(d) => raw.split(d).collect(),
        None => vec![raw],
    };
    parts
        .into_iter()
        .map(|p| utf7::decode(p).unwrap_or_else(|| p.to_string()))
        .collect()
}

/// The folder tree from a listing, in path order: one pass over the listing and one over
/// the folders, so that a mailbox of 100,000 folders takes no longer per folder than one of
/// 100. Two names that decode to the same path (a server may list both `a.b` under "." and
/// a name that decodes alike) are both kept, in listing order.
fn build(listed: Vec<Listed>, counts: &HashMap<String, (u64, u64)>) -> Vec<Folder> {
    // Without special-use attributes anywhere, fall back to the names Exchange and most
    // servers give their standard folders.
    let any_special_use = listed.iter().any(|l| special_use_role(l).is_some());
    let mut by_path: BTreeMap<Vec<String>, Vec<Folder>> = BTreeMap::new();
    // Each folder's delimiter, for naming the parents a listing leaves out.
    let mut delimiters: Vec<(Vec<String>, String, Option<char>)> = Vec::new();
    for entry in &listed {
        let path = split_path(&entry.raw, entry.delimiter);
        let role = if entry.raw == "INBOX" {
            Some(FolderRole::Inbox)
        } else if any_special_use {
            special_use_role(entry)
        } else if path.len() == 1 {
            role_from_name(&path[0])
        } else {
            None
        };
        let selectable = entry.selectable();
        let (total, unread) = match counts.get(&entry.raw) {
            Some(&(t, u)) if selectable => (Some(t), Some(u)),
            _ => (None, None),
        };
        delimiters.push((path.clone(), entry.raw.clone(), entry.delimiter));
        by_path.entry(path.clone()).or_default().push(Folder {
            id: FolderId(entry.raw.clone()),
            path,
            total,
            unread,
            role,
            hidden: None,
            selectable,
        });
    }
    // A server may list `a/b` without `a`; add the parent so the tree has no gaps.
    for (path, raw, delimiter) in delimiters {
        for depth in 1..path.len() {
            let parent = &path[..depth];
            if by_path.contains_key(parent) {
                continue;
            }
            let d = delimiter.map(String::from).unwrap_or_default();
            let id: Vec<&str> = raw.split(d.as_str()).take(depth).collect();
            by_path.insert(
                parent.to_vec(),
                vec![Folder {
                    id: FolderId(id.join(&d)),
                    path: parent.to_vec(),
                    total: None,
                    unread: None,
                    role: None,
                    hidden: None,
                    selectable: false,
                }],
            );
        }
    }
    by_path.into_values().flatten().collect()
}

fn special_use_role(entry: &Listed) -> Option<FolderRole> {
    let roles = [
        ("\\sent", FolderRole::Sent),
        ("\\drafts", FolderRole::Drafts),
        ("\\trash", FolderRole::Deleted),
        ("\\junk", FolderRole::Junk),
        ("\\archive", FolderRole::Archive),
        ("\\all", FolderRole::All),
        ("\\flagged", FolderRole::Flagged),
    ];
    roles
        .into_iter()
        .find(|(attr, _)| entry.has(attr))
        .map(|(_, role)| role)
}

fn role_from_name(name: &str) -> Option<FolderRole> {
    Some(match name.to_ascii_lowercase().as_str() {
        "sent" | "sent items" | "sent messages" => FolderRole::Sent,
        "drafts" => FolderRole::Drafts,
        "trash" | "deleted items" | "deleted messages" => FolderRole::Deleted,
        "junk" | "junk email" | "junk e-mail" | "spam" => FolderRole::Junk,
        "archive" => FolderRole::Archive,
        "outbox" => FolderRole::Outbox,
        "calendar" => FolderRole::Calendar,
        "contacts" => FolderRole::Contacts,
        "tasks" => FolderRole::Tasks,
        "notes" => FolderRole::Notes,
        "sync issues" => FolderRole::SyncIssues,
        "conversation history" => FolderRole::ConversationHistory,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::imap::response::{Limits, parse_response};

    fn data(line: &str) -> Vec<Value> {
        match parse_response(line.as_bytes(), &Limits::default()).unwrap() {
            Response::Data(v) => v,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn builds_tree_with_dot_delimiter_and_name_roles() {
        let lines = [
            r#"* LIST (\HasChildren) "." INBOX"#,
            r#"* LIST (\HasNoChildren) "." "INBOX.Sent Items""#,
            r#"* LIST (\HasNoChildren) "." "Sent Items""#,
            r#"* LIST (\HasNoChildren) "." "Calendar""#,
            r#"* LIST (\HasNoChildren) "." "Projects.2024.Q&AQE-""#,
        ];
        let listed: Vec<Listed> = lines
            .iter()
            .map(|l| parse_list(&data(l)).unwrap())
            .collect();
        let mut counts = HashMap::new();
        counts.insert("INBOX".to_string(), (5, 2));
        counts.insert("Sent Items".to_string(), (1, 0));
        let folders = build(listed, &counts);
        let paths: Vec<String> = folders.iter().map(|f| f.display_path()).collect();
        assert_eq!(
            paths,
            [
                "Calendar",
                "INBOX",
                "INBOX/Sent Items",
                "Projects",
                "Projects/2024",
                "Projects/2024/Qā",
                "Sent Items"
            ]
        );
        assert_eq!(folders[0].role, Some(FolderRole::Calendar));
        assert_eq!(folders[1].role, Some(FolderRole::Inbox));
        assert_eq!((folders[1].total, folders[1].unread), (Some(5), Some(2)));
        assert_eq!(folders[2].role, None, "only top-level names give a role");
        assert_eq!(folders[3].id, FolderId("Projects".into()));
        assert_eq!(folders[4].id, FolderId("Projects.2024".into()));
        assert!(!folders[3].selectable && folders[3].total.is_none());
        assert_eq!(folders[6].role, Some(FolderRole::Sent));
    }

    #[test]
    fn two_names_that_decode_to_one_path_are_both_kept() {
        let lines = [
            r#"* LIST (\HasNoChildren) "." "INBOX.Caf&AOk-""#,
            r#"* LIST (\HasNoChildren) "." "INBOX.Café""#,
            r#"* LIST (\HasChildren) "." INBOX"#,
        ];
        let listed: Vec<Listed> = lines
            .iter()
            .map(|l| parse_list(&data(l)).unwrap())
            .collect();
        let mut counts = HashMap::new();
        counts.insert("INBOX.Caf&AOk-".to_string(), (3, 0));
        counts.insert("INBOX.Café".to_string(), (4, 1));
        let folders = build(listed, &counts);
        let cafe: Vec<(&str, Option<u64>)> = folders
            .iter()
            .filter(|f| f.display_path() == "INBOX/Café")
            .map(|f| (f.id.0.as_str(), f.total))
            .collect();
        assert_eq!(cafe, [("INBOX.Caf&AOk-", Some(3)), ("INBOX.Café", Some(4))]);
    }

    #[test]
    fn a_listing_of_100_000_folders_builds_with_every_parent_once() {
        // Quadratic before: 36 s for this many in a release build. Lists children only, so
        // every parent is one the builder adds.
        let listed: Vec<Listed> = (0..100_000)
            .map(|i| Listed {
                raw: format!("Projects/{}/Folder {i}", i % 100),
                delimiter: Some('/'),
                attributes: Vec::new(),
            })
            .collect();
        let folders = build(listed, &HashMap::new());
        assert_eq!(folders.len(), 100_000 + 100 + 1);
        assert_eq!(folders[0].display_path(), "Projects");
        assert_eq!(folders[0].id.0, "Projects");
        assert!(!folders[0].selectable);
        let parents = folders.iter().filter(|f| f.path.len() == 2).count();
        assert_eq!(parents, 100);
    }

    #[test]
    fn status_and_list_parsing() {
        assert_eq!(
            parse_status(&data(r#"* STATUS "Priv&AOk-" (MESSAGES 3 UNSEEN 1)"#)),
            Some(("Priv&AOk-".to_string(), (3, 1)))
        );
        assert_eq!(parse_status(&data("* STATUS x (MESSAGES 3)")), None);
        assert_eq!(parse_status(&data("* STATUS x (MESSAGES)")), None);
        let l = parse_list(&data(r#"* LIST (\Noselect) NIL inbox"#)).unwrap();
        assert_eq!(
            (l.raw.as_str(), l.delimiter, l.selectable()),
            ("INBOX", None, false)
        );
        assert!(parse_list(&data(r#"* LIST (\X) "//" a"#)).is_none());
        assert!(parse_list(&data(r#"* LIST "x" "/" a"#)).is_none());
    }
}
