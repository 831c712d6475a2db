//! Reading synchronization logs from stores: the real Outlook-written log in the real
//! OST, and stores written by our writer holding logs for every code and message the
//! knowledge base knows, in Sync Issues and its subfolders, Deleted Items and elsewhere,
//! with compressed-RTF, HTML and plain-text bodies.

mod common;

use std::path::Path;

use common::{TempDir, fixture};
use ostdoctor::diagnose::knowledge::{self, Diagnosis};
use ostdoctor::diagnose::sync_log::{BodyKind, Place, Section, SyncLogReport, read_sync_logs};
use ostdoctor::store::Store;
use ostdoctor::store::filetime::from_unix_seconds;
use ostdoctor::store::ndb::{CryptMethod, Nid};
use ostdoctor::store::write::messaging::{DELETED_ITEMS, IPM_SUBTREE};
use ostdoctor::store::write::{NewMessage, StoreWriter, Target};
use ostdoctor::synthetic::sync_log;
use ostdoctor::wizard::Facts;
use ostdoctor::wizard::catalogue;

/// The facts the wizard's `read_sync_logs` check reports, as the doctor builds them.
fn facts(report: &SyncLogReport) -> Facts {
    ostdoctor::doctor::logs::facts(report)
}

#[test]
fn the_real_log_says_it_could_not_connect_to_the_public_folder_server() {
    let Some(path) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let store = Store::open(&path).unwrap();
    let report = read_sync_logs(&store).unwrap();
    assert_eq!(report.count(), 1);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let log = &report.logs[0];
    assert_eq!(log.folder, ["Root - Mailbox", "IPM_SUBTREE", "Sync Issues"]);
    assert_eq!(log.place, Place::SyncIssues);
    assert_eq!(log.subject, "Synchronization Log: ");
    assert_eq!(log.body, BodyKind::Rtf);
    assert_eq!(log.time.as_deref(), Some("2021-08-12T20:41:51Z"));
    // The clock times are local: 13:41:51 against 20:41:51 UTC.
    assert_eq!(log.utc_offset_minutes, Some(-7 * 60));
    assert_eq!(log.mailbox.as_deref(), Some("Pst Extractor"));
    assert_eq!(log.synchronizer_version.as_deref(), Some("16.0.4266"));
    assert_eq!(log.mailbox_ids, ["00030000-40"]);
    assert_eq!(log.problem, None);
    let texts: Vec<&str> = log.events.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Synchronizer Version 16.0.4266",
            "Synchronizing Mailbox 'Pst Extractor'",
            "Synchronizing server changes in folder 'Calendar'",
            "Downloading from server 'https://outlook.office365.com/mapi/emsmdb/?MailboxId=00030000-40'",
            "1 item(s) updated in offline folder",
            "1 view(s)/form(s) added to offline folder",
            "Could not connect to public folder server.",
            "[0-0]",
            "Done",
        ]
    );
    assert!(
        log.events
            .iter()
            .all(|e| e.time.as_deref() == Some("13:41:51")
                && e.date.as_deref() == Some("2021-08-12"))
    );
    assert_eq!(log.events[4].count, Some(1));
    assert_eq!(log.events[4].folder.as_deref(), Some("Calendar"));

    // What the wizard's read_sync_logs check reports.
    let check = catalogue::check("read_sync_logs").unwrap();
    assert_eq!(check.conform(&facts(&report)), Ok(()));
    assert_eq!(report.codes(), Vec::<String>::new());
    assert_eq!(report.errors(), Vec::<String>::new());
    assert_eq!(report.messages(), ["public_folder_server"]);

    let diagnoses = knowledge::diagnose(&report);
    assert_eq!(diagnoses.len(), 1);
    let d = &diagnoses[0];
    assert_eq!(d.error.section, Section::PublicFolders);
    assert_eq!(d.error.vectors, ["0-0"]);
    assert_eq!(d.finding.id, "public_folder_server");
    assert!(d.finding.known);
    assert_eq!(d.finding.fix, "sync_errors/public_folders");
    assert!(
        d.finding.explanation.en.contains("Outlook.com"),
        "{}",
        d.finding.explanation.en
    );
}

/// Lines stamped with a clock time from `start` (seconds since midnight), one second apart.
fn stamped(lines: &[&str], start: u32) -> Vec<String> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let t = start + i as u32;
            format!("{}:{:02}:{:02} {l}", t / 3600, t / 60 % 60, t % 60)
        })
        .collect()
}

const DAY: i64 = 1_700_000_000 - 1_700_000_000 % 86_400;

fn log_message(subject: &str, at: i64) -> NewMessage {
    NewMessage {
        message_class: "IPM.Note".into(),
        subject: subject.into(),
        sender_name: Some("Test mailbox".into()),
        delivery_time: Some(from_unix_seconds(at)),
        submit_time: Some(from_unix_seconds(at)),
        creation_time: Some(from_unix_seconds(at)),
        modification_time: Some(from_unix_seconds(at)),
        flags: 1,
        ..NewMessage::default()
    }
}

/// A log with its body as compressed RTF, the way Outlook writes it (each line stamped
/// with the message's own time).
fn rtf_log(lines: &[&str], at: i64) -> NewMessage {
    let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    sync_log(&lines, from_unix_seconds(at)).unwrap()
}

fn text_log(lines: &[&str], start: u32) -> NewMessage {
    let mut m = log_message(
        "Synchronization Log:",
        DAY + start as i64 + lines.len() as i64,
    );
    m.body_text = Some(stamped(lines, start).join("\r\n"));
    m
}

fn html_log(lines: &[&str], start: u32) -> NewMessage {
    let mut m = log_message(
        "Synchronization Log:",
        DAY + start as i64 + lines.len() as i64,
    );
    let body: String = stamped(lines, start)
        .iter()
        .map(|l| {
            let l = l
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            if l.contains('[') || l.to_lowercase().contains("error") {
                format!("<p><font color=\"red\">{l}</font></p>\r\n")
            } else {
                format!("<p>{l}</p>\r\n")
            }
        })
        .collect();
    m.body_html = Some(
        format!("<html><head><style>p {{margin:0}}</style></head><body>\r\n{body}</body></html>")
            .into_bytes(),
    );
    m
}

struct Written {
    /// Where each log was put, in the order written, with its body form.
    placed: Vec<(&'static str, Place, BodyKind)>,
}

/// A store with a log for every code and message of the knowledge base.
fn write_store(path: &Path, target: Target) -> Written {
    let mut w = StoreWriter::create(path, target, CryptMethod::None, "Test mailbox", 7).unwrap();
    let inbox = w
        .add_folder(IPM_SUBTREE, "Inbox", Some("IPF.Note"))
        .unwrap();
    let sync = w
        .add_folder(IPM_SUBTREE, "Sync Issues", Some("IPF.Note"))
        .unwrap();
    let conflicts = w.add_folder(sync, "Conflicts", Some("IPF.Note")).unwrap();
    let local = w
        .add_folder(sync, "Local Failures", Some("IPF.Note"))
        .unwrap();
    let server = w
        .add_folder(sync, "Server Failures", Some("IPF.Note"))
        .unwrap();
    let mut placed = Vec::new();
    let mut add = |w: &mut StoreWriter, folder: Nid, name, place, kind, m: NewMessage| {
        w.add_message(folder, &m).unwrap();
        placed.push((name, place, kind));
    };

    // The Organization Forms failure of Q259795, as compressed RTF in Sync Issues.
    add(
        &mut w,
        sync,
        "forms",
        Place::SyncIssues,
        BodyKind::Rtf,
        rtf_log(
            &[
                "Synchronizer Version 16.0.4266",
                "Synchronizing Mailbox 'Ana Souza'",
                "Synchronizing Organization Forms",
                "Terminated in error",
                "[8004010F-501-0-B20]",
                "the client operation failed.",
                "Microsoft Exchange Server Information Store",
                "Done",
            ],
            DAY + 30_000,
        ),
    );
    // The offline address book missing, as HTML in Local Failures.
    add(
        &mut w,
        local,
        "address book",
        Place::LocalFailures,
        BodyKind::Html,
        html_log(
            &[
                "Synchronizer Version 16.0.4266",
                "Downloading Offline Address Book",
                "\tError: [8004010F-0-0-0]",
                "\tThe operation failed. An object could not be found.",
                "Done",
            ],
            31_000,
        ),
    );
    // Items the server refuses, as plain text in Server Failures.
    add(
        &mut w,
        server,
        "items",
        Place::ServerFailures,
        BodyKind::Text,
        text_log(
            &[
                "Synchronizer Version 16.0.4266",
                "Synchronizing Mailbox 'Ana Souza'",
                "Synchronizing local changes in folder 'Inbox'",
                "Uploading to server 'https://mail.contoso.com/mapi/emsmdb/?MailboxId=5f3c0e2a-9b7d-4c1e-8f6a-2b3c4d5e6f70@contoso.com'",
                "\tError synchronizing message 'Quarterly report'",
                "\t\t [80070057-501-80070057-322]",
                "\t\t The client operation failed.",
                "\tError synchronizing message 'Holiday pictures'",
                "\t\t [80040305-501-80040305-0]",
                "\t\t The client operation failed.",
                "\tError synchronizing message 'Budget review'",
                "\t\t [80070057-501-80070057-322]",
                "\t\t The client operation failed.",
                "\t1 item(s) updated on server",
                "Done",
            ],
            32_000,
        ),
    );
    // A corrupt store, as compressed RTF in Conflicts.
    add(
        &mut w,
        conflicts,
        "corrupt",
        Place::Conflicts,
        BodyKind::Rtf,
        rtf_log(
            &[
                "Synchronizing Mailbox 'Ana Souza'",
                "Synchronizing server changes in folder 'Calendar'",
                "\tError synchronizing folder",
                "\t[80040600-514-0-560]",
                "Done",
            ],
            DAY + 33_000,
        ),
    );
    // Outlook 98 after a server move (Q198657), as plain text in Deleted Items.
    add(
        &mut w,
        DELETED_ITEMS,
        "background",
        Place::DeletedItems,
        BodyKind::Text,
        text_log(
            &[
                "Synchronizing Mailbox 'testuser'",
                "Synchronizing Hierarchy",
                "Background Synchronization Error. See detailed logs in Deleted Items folder.",
                "      3 folder(s) added to offline store",
                "      1 folder(s) updated in offline store",
                "Done",
            ],
            34_000,
        ),
    );
    // The store of another mailbox (KB 289995), as compressed RTF in Deleted Items.
    add(
        &mut w,
        DELETED_ITEMS,
        "different mailbox",
        Place::DeletedItems,
        BodyKind::Rtf,
        rtf_log(
            &[
                "Synchronizing Mailbox 'Ana Souza'",
                "Error: The file C:\\Users\\ana\\AppData\\Local\\Microsoft\\Outlook\\ana@contoso.com.ost cannot be accessed because it has been configured for use with a different mailbox.",
                "Done",
            ],
            DAY + 35_000,
        ),
    );
    // Moved to the Inbox by the person, found by its subject: a damaged store and E_FAIL.
    add(
        &mut w,
        inbox,
        "not a data file",
        Place::Other,
        BodyKind::Html,
        html_log(
            &[
                "Synchronizing Mailbox 'Ana Souza'",
                "Synchronizing Hierarchy",
                "\tError: The file ana@contoso.com.ost is not an Outlook data file (.ost).",
                "\t[80004005-0-0-0]",
                "Done",
            ],
            36_000,
        ),
    );
    // The network and the server, as plain text in Sync Issues.
    add(
        &mut w,
        sync,
        "connection",
        Place::SyncIssues,
        BodyKind::Text,
        text_log(
            &[
                "Synchronizing Mailbox 'Ana Souza'",
                "Synchronizing server changes in folder 'Inbox'",
                "\tError synchronizing folder",
                "\t[80040115-514-0-0]",
                "\tThe connection to the Microsoft Exchange Server is unavailable.",
                "Synchronizing server changes in folder 'Shared Calendar'",
                "\tError synchronizing folder",
                "\t[80070005-50A-80070005-0]",
                "\tYou do not have sufficient permission to perform this operation.",
                "Synchronizing server changes in folder 'Tasks'",
                "\tError synchronizing folder",
                "\t[80040119-514-8004011D-0]",
                "\t[8004011D-526-80040115-0]",
                "\tThe server is not available.",
                "Done",
            ],
            37_000,
        ),
    );
    // A log Outlook wrote in Dutch: no English subject, found because it is in Sync Issues
    // and reads as a log.
    let mut dutch = text_log(
        &[
            "Synchronisatieversie 16.0.4266",
            "Postvak 'Ana Souza' synchroniseren",
            "Gereed",
        ],
        38_000,
    );
    dutch.subject = "Synchronisatielogboek:".into();
    add(
        &mut w,
        sync,
        "dutch",
        Place::SyncIssues,
        BodyKind::Text,
        dutch,
    );
    // A log whose compressed RTF is damaged.
    let mut garbled = log_message("Synchronization Log:", DAY + 39_000);
    garbled.body_rtf_compressed = Some(b"\x10\0\0\0\xff\xff\xff\x7fLZFu garbage!".to_vec());
    add(
        &mut w,
        sync,
        "garbled",
        Place::SyncIssues,
        BodyKind::None,
        garbled,
    );

    // Not logs: a conflict copy in Conflicts and ordinary mail.
    let mut conflict = log_message("Budget review", DAY + 40_000);
    conflict.body_text = Some("Hello,\r\nsee the attached budget.\r\n".into());
    w.add_message(conflicts, &conflict).unwrap();
    let mut mail = log_message("Synchronization of the project plans", DAY + 41_000);
    mail.body_text = Some("12:00:00 we meet\r\n13:00:00 we eat".into());
    w.add_message(inbox, &mail).unwrap();
    w.finish().unwrap();
    Written { placed }
}

fn diagnosis<'a>(diagnoses: &'a [Diagnosis], key: &str) -> &'a Diagnosis {
    diagnoses
        .iter()
        .find(|d| d.error.key().as_deref() == Some(key))
        .unwrap_or_else(|| panic!("no error {key}"))
}

fn check_written_store(report: &SyncLogReport, written: &Written) {
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.count() as usize, written.placed.len());
    for (name, place, kind) in &written.placed {
        assert!(
            report
                .logs
                .iter()
                .any(|l| l.place == *place && l.body == *kind),
            "log {name}: none in {place:?} with a {kind:?} body"
        );
    }
    let garbled = report
        .logs
        .iter()
        .find(|l| l.body == BodyKind::None)
        .unwrap();
    let problem = garbled.problem.as_deref().unwrap();
    assert!(problem.contains("RTF body"), "{problem}");
    assert!(garbled.events.is_empty());
    let dutch = report
        .logs
        .iter()
        .find(|l| l.subject == "Synchronisatielogboek:")
        .unwrap();
    assert_eq!(dutch.events.len(), 3);

    let mut errors = report.errors();
    errors.sort();
    assert_eq!(
        errors,
        [
            "hierarchy/80004005",
            "mailbox/80040115",
            "mailbox/80040119",
            "mailbox/8004011D",
            "mailbox/80040305",
            "mailbox/80040600",
            "mailbox/80070005",
            "mailbox/80070057",
            "offline_address_book/8004010F",
            "organization_forms/8004010F",
        ]
    );
    let mut codes = report.codes();
    codes.sort();
    assert_eq!(
        codes,
        [
            "80004005", "8004010F", "80040115", "80040119", "8004011D", "80040305", "80040600",
            "80070005", "80070057"
        ]
    );
    // Every known message but the public folder one, which none of these logs has.
    assert_eq!(
        report.messages(),
        [
            "background_sync_error",
            "not_outlook_data_file",
            "different_mailbox"
        ]
    );

    let check = catalogue::check("read_sync_logs").unwrap();
    assert_eq!(check.conform(&facts(report)), Ok(()));

    let diagnoses = knowledge::diagnose(report);
    for (key, entry, fix) in [
        (
            "organization_forms/8004010F",
            "organization_forms_not_found",
            "support_files/start",
        ),
        (
            "offline_address_book/8004010F",
            "address_book_not_found",
            "sync_errors/address_book",
        ),
        ("mailbox/80070057", "invalid_parameter", "sync/start"),
        ("mailbox/80040305", "too_big", "compare/start"),
        ("mailbox/80040600", "corrupt_store", "rebuild/start"),
        ("mailbox/80040115", "network_error", "sync/start"),
        ("mailbox/80070005", "access_denied", "compare/start"),
        ("mailbox/80040119", "extended_error", "sync/start"),
        ("mailbox/8004011D", "provider_failed", "sync/start"),
    ] {
        let d = diagnosis(&diagnoses, key);
        assert_eq!(d.finding.id, entry, "{key}");
        assert_eq!(d.finding.fix, fix, "{key}");
        assert!(d.finding.known);
    }
    // E_FAIL sits beside "not an Outlook data file": the message is what counts.
    let d = diagnosis(&diagnoses, "hierarchy/80004005");
    assert_eq!(d.finding.id, "not_outlook_data_file");
    assert_eq!(
        d.finding.name.as_deref(),
        Some("E_FAIL (MAPI_E_CALL_FAILED)")
    );

    let items = diagnosis(&diagnoses, "mailbox/80070057");
    assert_eq!(items.error.occurrences, 2);
    assert_eq!(items.error.items, ["Quarterly report", "Budget review"]);
    assert_eq!(items.error.folders, ["Inbox"]);
    assert_eq!(items.error.vectors, ["80070057-501-80070057-322"]);
    assert_eq!(
        diagnosis(&diagnoses, "organization_forms/8004010F")
            .error
            .texts,
        [
            "Terminated in error",
            "the client operation failed.",
            "Microsoft Exchange Server Information Store"
        ]
    );

    let by_message = |id: &str| {
        diagnoses
            .iter()
            .find(|d| d.error.code.is_none() && d.finding.id == id)
            .unwrap_or_else(|| panic!("no error for {id}"))
    };
    let background = by_message("background_sync_error");
    assert_eq!(background.error.section, Section::Hierarchy);
    assert_eq!(background.finding.fix, "moved_mailbox/start");
    assert_eq!(
        by_message("different_mailbox").finding.fix,
        "moved_mailbox/start"
    );
    // Every grouped error is explained by an entry.
    for d in &diagnoses {
        assert!(d.finding.known, "{:?}", d.error);
    }
}

#[test]
fn every_known_code_and_message_in_a_written_pst() {
    let dir = TempDir::new("synclog-pst");
    let path = dir.path().join("logs.pst");
    let written = write_store(&path, Target::Pst);
    let report = read_sync_logs(&Store::open(&path).unwrap()).unwrap();
    check_written_store(&report, &written);
}

#[test]
fn every_known_code_and_message_in_a_written_ost() {
    let dir = TempDir::new("synclog-ost");
    let path = dir.path().join("logs.ost");
    let written = write_store(&path, Target::Ost4k);
    let report = read_sync_logs(&Store::open(&path).unwrap()).unwrap();
    check_written_store(&report, &written);
}

#[test]
fn a_store_without_logs_reports_none() {
    for name in ["enron.pst", "ansi-32bit.pst"] {
        let Some(path) = fixture(name) else {
            continue;
        };
        let report = read_sync_logs(&Store::open(&path).unwrap()).unwrap();
        assert_eq!(report.count(), 0, "{name}");
        assert!(report.groups.is_empty());
        assert!(knowledge::diagnose(&report).is_empty());
    }
}

#[test]
fn sync_issues_found_by_its_name_in_other_languages() {
    let dir = TempDir::new("synclog-names");
    let path = dir.path().join("nl.pst");
    let mut w = StoreWriter::create(&path, Target::Pst, CryptMethod::None, "Postvak", 3).unwrap();
    w.add_folder(IPM_SUBTREE, "Postvak IN", Some("IPF.Note"))
        .unwrap();
    let sync = w
        .add_folder(IPM_SUBTREE, "Synchronisatieproblemen", Some("IPF.Note"))
        .unwrap();
    let local = w
        .add_folder(sync, "Lokale fouten", Some("IPF.Note"))
        .unwrap();
    let server = w
        .add_folder(sync, "Falhas do Servidor", Some("IPF.Note"))
        .unwrap();
    // Not a log by its subject: found only because Sync Issues is known by its name.
    let mut a = text_log(
        &["Synchronisatieversie 16.0", "[80040115-0-0-0]", "Gereed"],
        100,
    );
    a.subject = "Synchronisatielogboek:".into();
    w.add_message(local, &a).unwrap();
    w.add_message(server, &text_log(&["Synchronizing Hierarchy", "Done"], 200))
        .unwrap();
    w.finish().unwrap();
    let report = read_sync_logs(&Store::open(&path).unwrap()).unwrap();
    let places: Vec<Place> = report.logs.iter().map(|l| l.place).collect();
    assert_eq!(places, [Place::LocalFailures, Place::ServerFailures]);
    assert_eq!(report.errors(), ["other/80040115"]);
}
