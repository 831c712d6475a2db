//! End to end against a real Dovecot: a store written with the writer holds some items the
//! server has and some only it has; `ostdoctor fix export-local` finds exactly the latter
//! through the comparison, writes them to a new .pst, and libpff (pffexport) and libpst
//! (readpst) read exactly those items from it. The store's bytes never change.

mod common;
mod oracle;
mod rfc822;
mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::TempDir;
use ostdoctor::diagnose::{ServerKind, Verdict};
use ostdoctor::fix;
use ostdoctor::server::imap::{ImapAuth, ImapConfig, ImapServer, Security};
use ostdoctor::server::{Secret, TlsOptions};
use ostdoctor::store::Store;
use ostdoctor::store::filetime::from_unix_seconds;
use ostdoctor::store::ndb::CryptMethod;
use ostdoctor::store::write::{NewMessage, StoreWriter, Target};
use rfc822::build_message;
use serde_json::Value;
use support::dovecot::{Dovecot, PASSWORD, USER};
use support::imap_writer::Writer;
use support::with_deadline;

const DEADLINE: Duration = Duration::from_secs(120);

/// (folder below the top, subject, Message-ID, on the server too)
const ITEMS: [(&str, &str, Option<&str>, bool); 7] = [
    (
        "Inbox",
        "Welcome aboard",
        Some("<welcome@example.com>"),
        true,
    ),
    ("Inbox", "Budget 2025", Some("<budget@example.com>"), true),
    ("Inbox", "Draft never sent", None, false),
    (
        "Inbox/Projects",
        "Kick-off",
        Some("<kickoff@example.com>"),
        true,
    ),
    (
        "Inbox/Projects",
        "Notes from the call",
        Some("<notes@example.com>"),
        false,
    ),
    (
        "Kept locally",
        "Receipt",
        Some("<receipt@example.com>"),
        false,
    ),
    (
        "Kept locally",
        "Old letter",
        Some("<letter@example.com>"),
        false,
    ),
];

fn message(subject: &str, id: Option<&str>, n: i64) -> NewMessage {
    let t = from_unix_seconds(1_735_000_000 + n * 3_600);
    NewMessage {
        message_class: "IPM.Note".into(),
        subject: subject.into(),
        sender_name: Some("Bob".into()),
        sender_email: Some("bob@example.com".into()),
        sender_address_type: Some("SMTP".into()),
        delivery_time: Some(t),
        submit_time: Some(t),
        creation_time: Some(t),
        modification_time: Some(t),
        flags: 1,
        internet_message_id: id.map(String::from),
        body_text: Some(format!("{subject}: the body.")),
        ..NewMessage::default()
    }
}

/// The store: Inbox, Inbox/Projects and "Kept locally", filled from `ITEMS`.
fn write_store(path: &Path) {
    let mut w = StoreWriter::create(path, Target::Pst, CryptMethod::None, "Alice", 7).unwrap();
    let top = ostdoctor::store::write::messaging::IPM_SUBTREE;
    let inbox = w.add_folder(top, "Inbox", Some("IPF.Note")).unwrap();
    let projects = w.add_folder(inbox, "Projects", Some("IPF.Note")).unwrap();
    let kept = w.add_folder(top, "Kept locally", Some("IPF.Note")).unwrap();
    for (n, (folder, subject, id, _)) in ITEMS.iter().enumerate() {
        let nid = match *folder {
            "Inbox" => inbox,
            "Inbox/Projects" => projects,
            _ => kept,
        };
        w.add_message(nid, &message(subject, *id, n as i64))
            .unwrap();
    }
    w.finish().unwrap();
}

/// The server: Inbox and Inbox/Projects, holding the store's items marked as shared, each
/// built from the store's own message.
fn fill_server(dovecot: &Dovecot, path: &Path) {
    let store = Store::open(path).unwrap();
    let folders = store.folders().unwrap();
    let mut w = Writer::login(dovecot.imap_port, USER, PASSWORD);
    w.create("INBOX/Projects");
    for (folder, server) in [("Inbox", "INBOX"), ("Inbox/Projects", "INBOX/Projects")] {
        let info = folders
            .iter()
            .find(|f| {
                f.path
                    .join("/")
                    .ends_with(&format!("Top of Personal Folders/{folder}"))
            })
            .unwrap();
        for nid in store.message_nids(info.nid).unwrap() {
            let m = store.message(nid).unwrap();
            let subject = m.summary().unwrap().subject.unwrap();
            let shared = ITEMS.iter().any(|i| i.1 == subject && i.3);
            if shared {
                w.append(
                    server,
                    "\\Seen",
                    "24-Dec-2024 00:26:40 +0000",
                    &build_message(&m).unwrap(),
                );
            }
        }
    }
}

fn hash(path: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::fs::read(path).unwrap().hash(&mut h);
    h.finish()
}

/// Subjects by folder path below "Top of Personal Folders", empty folders left out.
fn by_folder(folders: &[oracle::OracleFolder]) -> BTreeMap<String, Vec<String>> {
    let top = ["Top of Personal Folders".to_string()];
    folders
        .iter()
        .filter(|f| f.path.starts_with(&top) && !f.items.is_empty())
        .map(|f| {
            let mut subjects: Vec<String> = f
                .items
                .iter()
                .map(|i| i.subject.clone().unwrap_or_default())
                .collect();
            subjects.sort();
            (f.path[1..].join("/"), subjects)
        })
        .collect()
}

#[test]
fn local_only_items_are_found_exported_and_read_back_by_other_readers() {
    with_deadline(DEADLINE, || {
        let dir = TempDir::new("fix-export");
        let store = dir.path().join("alice.pst");
        write_store(&store);
        let dovecot = Dovecot::start();
        fill_server(&dovecot, &store);
        let before = hash(&store);

        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, &dovecot.pki.ca_pem).unwrap();
        let url = format!("imaps://{USER}@localhost:{}", dovecot.imaps_port);
        let dest = dir.path().join("alice - local items.pst");
        let run = |extra: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_ostdoctor"))
                .args(["fix", "export-local"])
                .arg(&store)
                .arg(&dest)
                .args(["--imap", &url, "--ca-file", ca.to_str().unwrap()])
                .args(["--timeout", "10", "--json"])
                .args(extra)
                .stdin(Stdio::null())
                .env("OSTDOCTOR_PASSWORD", PASSWORD)
                .env("OSTDOCTOR_DATA_DIR", dir.path().join("data"))
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(out.status.success(), "{stderr}");
            serde_json::from_slice::<Value>(&out.stdout).unwrap()
        };

        // The plan: exactly the items the server lacks, by folder, and nothing written.
        let plan = run(&["--dry-run"]);
        let planned: BTreeMap<String, usize> = plan["folders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let path: Vec<&str> = f["path"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap())
                    .collect();
                (path.join("/"), f["items"].as_array().unwrap().len())
            })
            .collect();
        let want_counts = BTreeMap::from([
            ("Inbox".to_string(), 1),
            ("Inbox/Projects".to_string(), 1),
            ("Kept locally".to_string(), 2),
        ]);
        assert_eq!(planned, want_counts);
        assert_eq!(plan["items"], 4);
        assert!(!dest.exists());
        assert_eq!(hash(&store), before);

        let done = run(&["--yes"]);
        assert_eq!(done["summary"]["items"], 4);
        assert_eq!(done["verification"]["items"], 4);
        assert_eq!(done["verification"]["problems"], serde_json::json!([]));
        assert_eq!(hash(&store), before, "the store is only read");

        let mut want: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (folder, subject, _, shared) in ITEMS {
            if !shared {
                want.entry(folder.to_string())
                    .or_default()
                    .push(subject.to_string());
            }
        }
        for subjects in want.values_mut() {
            subjects.sort();
        }
        let pff = oracle::pffexport(&dest).unwrap_or_else(|e| panic!("pffexport: {e}"));
        assert_eq!(by_folder(&pff), want, "pffexport");
        let pst = oracle::readpst(&dest).unwrap_or_else(|e| panic!("readpst: {e}"));
        let pst = oracle::prefixed(&pst, &["Top of Personal Folders"]);
        assert_eq!(by_folder(&pst), want, "readpst");

        // A folder's re-check after a resync: first the note is still only offline; once
        // the server has it too, the folder is equal.
        let mut server = ImapServer::new(
            ImapConfig::new(
                "localhost",
                dovecot.imaps_port,
                Security::Tls,
                ImapAuth::Password {
                    user: USER.into(),
                    password: Secret::new(PASSWORD),
                },
            )
            .with_tls(TlsOptions {
                builtin_roots: false,
                extra_ca_pem: vec![dovecot.pki.ca_pem.clone()],
                ..TlsOptions::default()
            })
            .with_timeout(Duration::from_secs(10)),
        );
        let row =
            fix::recheck_folder(&store, &mut server, ServerKind::Imap, "Inbox/Projects").unwrap();
        assert_eq!(row.verdict, Verdict::OfflineAhead);
        let only: Vec<_> = row.items.as_ref().unwrap().only_offline.iter().collect();
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].subject.as_deref(), Some("Notes from the call"));
        let copy = Store::open(&dest).unwrap();
        let note = copy
            .folders()
            .unwrap()
            .into_iter()
            .find(|f| f.display_name == "Projects")
            .unwrap();
        let nid = copy.message_nids(note.nid).unwrap()[0];
        let mut w = Writer::login(dovecot.imap_port, USER, PASSWORD);
        w.append(
            "INBOX/Projects",
            "\\Seen",
            "24-Dec-2024 00:26:40 +0000",
            &build_message(&copy.message(nid).unwrap()).unwrap(),
        );
        let row =
            fix::recheck_folder(&store, &mut server, ServerKind::Imap, "Inbox/Projects").unwrap();
        assert_eq!(row.verdict, Verdict::Equal, "{}", row.reason);

        // After a rebuild the new store's statistics are compared with the server: here
        // "Kept locally" is still missing there.
        let report = fix::verify_rebuilt(&store, &mut server, ServerKind::Imap).unwrap();
        let kept = report
            .folders
            .iter()
            .find(|f| f.display_path() == "Kept locally")
            .unwrap();
        assert_eq!(kept.verdict, Verdict::MissingOnServer);
        assert_eq!(hash(&store), before);
    });
}
