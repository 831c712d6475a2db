//! The store's side of the comparison read from real Outlook-written stores: which folders
//! take part, what each is for and how the store says so.

mod common;

use common::fixture;
use ostdoctor::diagnose::store_side::read_store_side;
use ostdoctor::diagnose::{FolderKind, RoleSource, StoreFolder};
use ostdoctor::server::FolderRole;
use ostdoctor::store::Store;

fn folders(name: &str) -> Option<Vec<StoreFolder>> {
    let path = fixture(name)?;
    let store = Store::open(&path).unwrap();
    Some(read_store_side(&store).unwrap().folders)
}

fn get<'a>(folders: &'a [StoreFolder], path: &str) -> &'a StoreFolder {
    folders
        .iter()
        .find(|f| f.path.join("/") == path)
        .unwrap_or_else(|| panic!("no folder {path}"))
}

#[test]
fn offline_store_roles_come_from_its_entry_ids() {
    let Some(folders) = folders("outlook-com-2013.ost") else {
        return;
    };
    // Only the IPM subtree's 36 folders: no root folders, no Finder, no search folders.
    assert_eq!(folders.len(), 36);
    for excluded in [
        "Finder",
        "Views",
        "Common Views",
        "Root - Public",
        "Reminders",
    ] {
        assert!(
            folders
                .iter()
                .all(|f| !f.path.iter().any(|p| p == excluded)),
            "{excluded} must not take part"
        );
    }
    use FolderRole::*;
    use RoleSource::*;
    let want = [
        ("Inbox", Inbox, EntryId),
        ("Calendar", Calendar, EntryId),
        ("Contacts", Contacts, EntryId),
        ("Tasks", Tasks, EntryId),
        ("Notes", Notes, EntryId),
        ("Drafts", Drafts, EntryId),
        ("Junk Email", Junk, EntryId),
        ("Sync Issues", SyncIssues, EntryId),
        ("Sync Issues/Conflicts", Conflicts, EntryId),
        ("Sync Issues/Local Failures", LocalFailures, EntryId),
        ("Sync Issues/Server Failures", ServerFailures, EntryId),
        // The offline store keeps no entry id for these: their names tell.
        ("Deleted Items", Deleted, Name),
        ("Sent Items", Sent, Name),
        ("Outbox", Outbox, Name),
        ("Archive", Archive, Name),
    ];
    for (path, role, source) in &want {
        let f = get(&folders, path);
        assert_eq!(
            (f.role.as_ref(), f.role_source),
            (Some(role), Some(*source)),
            "{path}"
        );
    }
    let roles = folders.iter().filter(|f| f.role.is_some()).count();
    assert_eq!(roles, want.len() + 1, "and Conversation History by name");

    let inbox = get(&folders, "Inbox");
    assert_eq!(
        (inbox.count, inbox.unread, inbox.hidden),
        (Some(10), Some(1), false)
    );
    assert_eq!(
        get(&folders, "Calendar/United States holidays").count,
        Some(160)
    );
    assert_eq!(get(&folders, "Calendar").kind, FolderKind::Calendar);
    assert!(get(&folders, "Yammer Root").hidden);
    assert!(get(&folders, "Quick Step Settings").hidden);
    assert_eq!(get(&folders, "Quick Step Settings").kind, FolderKind::Other);
}

#[test]
fn personal_store_roles_come_from_the_message_store() {
    let Some(folders) = folders("enron.pst") else {
        return;
    };
    let paths: Vec<String> = folders.iter().map(|f| f.path.join("/")).collect();
    assert_eq!(
        paths,
        [
            "Deleted Items",
            "lokay-m",
            "lokay-m/MLOKAY (Non-Privileged)",
            "lokay-m/MLOKAY (Non-Privileged)/TW-Commercial Group",
            "lokay-m/MLOKAY (Non-Privileged)/Systems",
            "lokay-m/MLOKAY (Non-Privileged)/Sent Items",
            "lokay-m/MLOKAY (Non-Privileged)/Personal",
        ]
    );
    let deleted = get(&folders, "Deleted Items");
    assert_eq!(
        (deleted.role.clone(), deleted.role_source),
        (Some(FolderRole::Deleted), Some(RoleSource::EntryId))
    );
    // A nested "Sent Items" is an ordinary folder, not the mailbox's sent mail.
    assert_eq!(
        get(&folders, "lokay-m/MLOKAY (Non-Privileged)/Sent Items").role,
        None
    );
    let total: u64 = folders.iter().filter_map(|f| f.count).sum();
    assert_eq!(total, 71);
}

#[test]
fn ansi_store_calendar_by_name() {
    let Some(folders) = folders("ansi-32bit.pst") else {
        return;
    };
    let calendar = get(&folders, "Calendar");
    assert_eq!(calendar.role, Some(FolderRole::Calendar));
    assert_eq!(calendar.kind, FolderKind::Calendar);
    assert_eq!(calendar.count, Some(1));
}
