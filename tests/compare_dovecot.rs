//! `ostdoctor stats` and `ostdoctor compare`, run as a user runs them, against a real Dovecot
//! on loopback filled from a real Outlook store: each mail folder's messages written as RFC
//! 5322 from the store and appended. First both sides must agree; then the server is changed
//! (items removed, one added, a folder deleted) and the tools must report exactly that.

mod common;
mod rfc822;
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{TempDir, fixture};
use ostdoctor::server::Timestamp;
use ostdoctor::store::ltp::{Node, PropertyContext};
use ostdoctor::store::{Store, filetime};
use rfc822::build_message;
use serde_json::{Value, json};
use support::dovecot::{Dovecot, Options, PASSWORD, USER};
use support::imap_writer::{Writer, message};
use support::with_deadline;

const DEADLINE: Duration = Duration::from_secs(120);

/// Where the test puts a store's top-level well-known folders on the server: Dovecot's own
/// special-use folders, one of them named in Dutch, so pairing must go by role.
const PLACED: [(&str, &str); 6] = [
    ("Inbox", "INBOX"),
    ("Sent Items", "Verzonden items"),
    ("Deleted Items", "Trash"),
    ("Drafts", "Drafts"),
    ("Junk Email", "Junk"),
    ("Archive", "Archive"),
];

/// Folders Dovecot creates by itself (see `support/dovecot.rs`).
const AUTO: [&str; 6] = [
    "INBOX",
    "Verzonden items",
    "Trash",
    "Drafts",
    "Junk",
    "Archive",
];

/// One store folder the test put on the server.
#[derive(Debug, Clone)]
struct Filled {
    server_path: String,
    count: usize,
    /// Message-ID, store node id, for messages that have an id.
    messages: Vec<(Option<String>, String)>,
}

/// A store folder below the top of the mailbox, as this test classifies it on its own.
struct Folder {
    path: Vec<String>,
    mail: bool,
    hidden: bool,
}

fn store_folders(store: &Store, top: &[&str]) -> Vec<(Folder, ostdoctor::store::FolderInfo)> {
    store
        .folders()
        .unwrap()
        .into_iter()
        .filter(|f| !f.is_search_folder && f.path.len() > top.len() && f.path[..top.len()] == *top)
        .map(|f| {
            let pc = PropertyContext::open(Node::open(store.ndb(), f.nid).unwrap()).unwrap();
            let hidden = pc.bool(0x10F4).unwrap().unwrap_or(false);
            let mail = f
                .container_class
                .as_deref()
                .is_none_or(|c| c.starts_with("IPF.Note"));
            (
                Folder {
                    path: f.path[top.len()..].to_vec(),
                    mail,
                    hidden,
                },
                f,
            )
        })
        .collect()
}

/// `17-Jul-1996 02:44:25 +0000` from a FILETIME.
fn internal_date(ft: Option<i64>) -> String {
    let t = Timestamp(ft.map_or(0, filetime::to_unix_seconds)).to_string();
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month: usize = t[5..7].parse().unwrap();
    format!(
        "{}-{}-{} {} +0000",
        &t[8..10],
        months[month - 1],
        &t[..4],
        &t[11..19]
    )
}

/// Put the store's visible mail folders on the server, every message built from the store.
/// Returns them by offline path.
fn fill(dovecot: &Dovecot, store: &Store, top: &[&str]) -> BTreeMap<String, Filled> {
    let mut w = Writer::login(dovecot.imap_port, USER, PASSWORD);
    let mut filled = BTreeMap::new();
    for (folder, info) in store_folders(store, top) {
        if !folder.mail || folder.hidden {
            continue;
        }
        let offline_path = folder.path.join("/");
        let server_path = match PLACED.iter().find(|(o, _)| *o == offline_path) {
            Some((_, s)) => s.to_string(),
            None => offline_path.clone(),
        };
        if !AUTO.contains(&server_path.as_str()) {
            w.create(&server_path);
        }
        let mut messages = Vec::new();
        for nid in store.message_nids(info.nid).unwrap() {
            let m = store.message(nid).unwrap();
            let s = m.summary().unwrap();
            let seen = if s.flags.unwrap_or(0) & 1 != 0 {
                "\\Seen"
            } else {
                ""
            };
            let date = internal_date(s.delivery_time.or(s.creation_time));
            w.append(&server_path, seen, &date, &build_message(&m).unwrap());
            messages.push((s.internet_message_id, nid.to_string()));
        }
        filled.insert(
            offline_path,
            Filled {
                server_path,
                count: messages.len(),
                messages,
            },
        );
    }
    filled
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        assert_eq!(self.status, 0, "stderr: {}", self.stderr);
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

fn ostdoctor(args: &[&str], password: Option<&str>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ostdoctor"));
    command
        .args(args)
        .stdin(Stdio::null())
        .env_remove("OSTDOCTOR_PASSWORD");
    if let Some(p) = password {
        command.env("OSTDOCTOR_PASSWORD", p);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("run ostdoctor");
    Run {
        status: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// The server's address and its test CA, as a user would pass them.
struct Target {
    url: String,
    ca_file: PathBuf,
    _dir: TempDir,
}

impl Target {
    fn new(dovecot: &Dovecot) -> Target {
        let dir = TempDir::new("compare-ca");
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, &dovecot.pki.ca_pem).unwrap();
        Target {
            url: format!("imaps://{USER}@localhost:{}", dovecot.imaps_port),
            ca_file,
            _dir: dir,
        }
    }

    fn run(&self, command: &str, store: &Path, extra: &[&str]) -> Run {
        let mut args = vec![
            command,
            store.to_str().unwrap(),
            "--imap",
            &self.url,
            "--ca-file",
            self.ca_file.to_str().unwrap(),
            "--timeout",
            "10",
        ];
        args.extend_from_slice(extra);
        ostdoctor(&args, Some(PASSWORD))
    }
}

/// Rows by display path (offline path where there is one).
fn rows(report: &Value) -> BTreeMap<String, Value> {
    report["folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = if f["offline_path"].is_null() {
                &f["server_path"]
            } else {
                &f["offline_path"]
            };
            let key = path
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect::<Vec<_>>()
                .join("/");
            (key, f.clone())
        })
        .collect()
}

fn path_value(path: &str) -> Value {
    json!(path.split('/').collect::<Vec<_>>())
}

/// What every row must say when both sides agree: filled folders equal with the same counts
/// on both sides, the rest expected for the reason that fits them.
fn assert_agreement(
    report: &Value,
    store: &Store,
    top: &[&str],
    filled: &BTreeMap<String, Filled>,
    server_only: &[&str],
) {
    let rows = rows(report);
    let folders = store_folders(store, top);
    assert_eq!(rows.len(), folders.len() + server_only.len(), "{rows:#?}");
    for (folder, _) in &folders {
        let key = folder.path.join("/");
        let row = &rows[&key];
        if let Some(f) = filled.get(&key) {
            assert_eq!(row["verdict"], "equal", "{key}: {row:#}");
            assert_eq!(row["server_path"], path_value(&f.server_path), "{key}");
            assert_eq!(row["offline_count"], f.count, "{key}");
            assert_eq!(row["server_count"], f.count, "{key}");
        } else {
            assert_eq!(row["verdict"], "expected_difference", "{key}: {row:#}");
            let why = if folder.hidden {
                "hidden_folder"
            } else {
                "not_visible_over_imap"
            };
            assert_eq!(row["expected"], why, "{key}");
            assert!(row["server_path"].is_null(), "{key}");
        }
    }
    for path in server_only {
        let row = &rows[*path];
        assert_eq!(row["verdict"], "missing_offline", "{path}");
        assert_eq!(row["server_count"], 0, "{path}");
    }
    assert_eq!(report["summary"]["differences"], server_only.len());
    assert_eq!(report["summary"]["items_only_offline"], 0);
    assert_eq!(report["summary"]["items_only_on_server"], 0);
}

/// Every row of `after` equals its row in `before`, except the rows named.
fn assert_unchanged_except(before: &Value, after: &Value, changed: &[&str]) {
    let before = rows(before);
    let after = rows(after);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (key, row) in &before {
        if !changed.contains(&key.as_str()) {
            assert_eq!(&after[key], row, "{key} changed");
        }
    }
}

fn ids(items: &Value) -> Vec<(String, String)> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["internet_message_id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn offline_store_against_its_server_before_and_after_changes() {
    let Some(path) = fixture("outlook-com-2013.ost") else {
        return;
    };
    with_deadline(DEADLINE, move || {
        let dovecot = Dovecot::start();
        let store = Store::open(&path).unwrap();
        let top = ["Root - Mailbox", "IPM_SUBTREE"];
        let filled = fill(&dovecot, &store, &top);
        assert_eq!(filled["Inbox"].count, 10);
        assert_eq!(filled["Sync Issues"].count, 1);
        let target = Target::new(&dovecot);

        // Both sides agree, whichever way the counts are read.
        let stats = target.run("stats", &path, &["--json"]).json();
        assert_eq!(stats["listing"], "list_status");
        assert_eq!(stats["server_kind"], "imap");
        assert_eq!(stats["server"], target.url);
        assert_agreement(&stats, &store, &top, &filled, &[]);
        let rows_before = rows(&stats);
        assert_eq!(rows_before["Sent Items"]["matched_by"], "role");
        assert_eq!(rows_before["Sent Items"]["role"], "sent");
        assert_eq!(rows_before["Sync Issues/Conflicts"]["matched_by"], "role");
        assert_eq!(rows_before["RSS Feeds"]["matched_by"], "path");
        let fallback = target
            .run("stats", &path, &["--json", "--no-list-status"])
            .json();
        assert_eq!(fallback["listing"], "status_per_folder");
        assert_eq!(fallback["folders"], stats["folders"]);

        let compared = target.run("compare", &path, &["--json"]).json();
        assert_agreement(&compared, &store, &top, &filled, &[]);
        for (key, row) in rows(&compared) {
            match filled.get(&key) {
                Some(f) => {
                    let items = &row["items"];
                    assert_eq!(items["in_both"], f.count, "{key}");
                    assert_eq!(items["only_offline"], json!([]), "{key}");
                    assert_eq!(items["only_on_server"], json!([]), "{key}");
                    let with_id = f.messages.iter().filter(|(id, _)| id.is_some()).count();
                    assert_eq!(items["matched_by_message_id"], with_id, "{key}");
                    assert_eq!(
                        items["matched_by_subject_and_time"],
                        f.count - with_id,
                        "{key}"
                    );
                }
                None => assert!(row["items"].is_null(), "{key}: hidden or not mail"),
            }
        }
        // Outlook's own sync log has no Message-ID: it pairs by subject and time.
        assert_eq!(
            rows(&compared)["Sync Issues"]["items"]["matched_by_subject_and_time"],
            1
        );

        // The server changes behind Outlook's back.
        let inbox = &filled["Inbox"].messages;
        let removed: Vec<(String, String)> = inbox
            .iter()
            .filter_map(|(id, nid)| Some((nid.clone(), id.clone()?)))
            .take(2)
            .collect();
        let mut w = Writer::login(dovecot.imap_port, USER, PASSWORD);
        let removed_ids: Vec<&str> = removed.iter().map(|(_, id)| id.as_str()).collect();
        w.delete_messages("INBOX", &removed_ids);
        let new_id = "<arrived-after-sync@example.com>";
        w.append(
            "INBOX",
            "",
            "03-Mar-2025 10:00:00 +0000",
            &message(
                new_id,
                "Arrived after the last sync",
                "Mon, 03 Mar 2025 10:00:00 +0000",
                "Only the server has this one.",
            ),
        );
        for folder in [
            "Sync Issues/Conflicts",
            "Sync Issues/Local Failures",
            "Sync Issues/Server Failures",
            "Sync Issues",
        ] {
            w.delete_mailbox(folder);
        }
        let deleted = [
            "Sync Issues",
            "Sync Issues/Conflicts",
            "Sync Issues/Local Failures",
            "Sync Issues/Server Failures",
        ];
        let mut changed = vec!["Inbox"];
        changed.extend(deleted);

        // Counts alone: the Inbox is one ahead (two gone, one new), the folders are gone.
        let stats_after = target.run("stats", &path, &["--json"]).json();
        assert_unchanged_except(&stats, &stats_after, &changed);
        let after = rows(&stats_after);
        let inbox_row = &after["Inbox"];
        assert_eq!(
            (&inbox_row["offline_count"], &inbox_row["server_count"]),
            (&json!(10), &json!(9))
        );
        assert_eq!(inbox_row["verdict"], "offline_ahead");
        for key in deleted {
            assert_eq!(after[key]["verdict"], "missing_on_server", "{key}");
            assert!(after[key]["server_path"].is_null(), "{key}");
        }
        assert!(
            after["Sync Issues"]["reason"]
                .as_str()
                .unwrap()
                .contains("1 item would be lost")
        );
        assert_eq!(stats_after["summary"]["differences"], 5);
        // Known: the Sync Issues item, whose folder the server lacks. The Inbox's counts
        // say only "one more offline" (the truth, below, is two gone and one new): never
        // given out as items.
        assert_eq!(stats_after["summary"]["items_only_offline"], 1);
        assert_eq!(stats_after["summary"]["count_surplus_offline"], 1);
        assert_eq!(stats_after["summary"]["items_only_on_server"], 0);
        assert_eq!(stats_after["summary"]["count_surplus_on_server"], 0);

        // Item by item: exactly the two removed, the one added, the one in the lost folder.
        let compared_after = target.run("compare", &path, &["--json"]).json();
        assert_unchanged_except(&compared, &compared_after, &changed);
        let after = rows(&compared_after);
        let inbox_row = &after["Inbox"];
        assert_eq!(inbox_row["verdict"], "diverged");
        let items = &inbox_row["items"];
        assert_eq!(items["in_both"], 8);
        assert_eq!(ids(&items["only_offline"]), removed);
        let only_server = items["only_on_server"].as_array().unwrap();
        assert_eq!(only_server.len(), 1);
        assert_eq!(only_server[0]["internet_message_id"], new_id);
        assert_eq!(only_server[0]["subject"], "Arrived after the last sync");
        assert_eq!(only_server[0]["time"], "2025-03-03T10:00:00Z");
        let sync = &after["Sync Issues"];
        assert_eq!(sync["verdict"], "missing_on_server");
        let lost = sync["items"]["only_offline"].as_array().unwrap();
        assert_eq!(lost.len(), 1);
        assert_eq!(lost[0]["id"], filled["Sync Issues"].messages[0].1);
        assert!(
            lost[0]["subject"]
                .as_str()
                .unwrap()
                .starts_with("Synchronization Log:")
        );
        for key in &deleted[1..] {
            assert_eq!(after[*key]["items"]["only_offline"], json!([]), "{key}");
        }
        assert_eq!(compared_after["summary"]["differences"], 5);
        assert_eq!(compared_after["summary"]["items_only_offline"], 2 + 1);
        assert_eq!(compared_after["summary"]["items_only_on_server"], 1);

        // One folder's items only, named as the server names it.
        let one = target
            .run("compare", &path, &["--json", "--folder", "inbox"])
            .json();
        for (key, row) in rows(&one) {
            if key == "Inbox" {
                assert_eq!(row["items"], inbox_row["items"]);
            } else {
                assert!(row["items"].is_null(), "{key}");
            }
        }

        // The text report: the Synchronize tab's two numbers side by side, marked.
        let text = target.run("stats", &path, &[]);
        assert_eq!(text.status, 0, "{}", text.stderr);
        let header = text.stdout.lines().find(|l| l.contains("Verdict")).unwrap();
        assert!(header.contains("Server folder contains"), "{header}");
        assert!(header.contains("Offline folder contains"), "{header}");
        let inbox_line = text
            .stdout
            .lines()
            .find(|l| l.starts_with("! Inbox "))
            .unwrap_or_else(|| panic!("{}", text.stdout));
        let numbers: Vec<&str> = inbox_line.split_whitespace().collect();
        assert_eq!(
            numbers,
            ["!", "Inbox", "INBOX", "9", "10", "offline", "ahead"],
            "{inbox_line}"
        );
        assert!(text.stdout.contains("~ Calendar"), "{}", text.stdout);
    });
}

#[test]
fn personal_store_against_a_server_with_extra_folders() {
    let Some(path) = fixture("enron.pst") else {
        return;
    };
    with_deadline(DEADLINE, move || {
        let dovecot = Dovecot::start();
        let store = Store::open(&path).unwrap();
        let top = ["Top of Personal Folders"];
        let filled = fill(&dovecot, &store, &top);
        assert_eq!(filled.len(), 7);
        assert_eq!(filled["Deleted Items"].server_path, "Trash");
        let target = Target::new(&dovecot);
        // The server's own special folders have no counterpart in this store.
        let server_only = ["INBOX", "Verzonden items", "Drafts", "Junk", "Archive"];

        let stats = target.run("stats", &path, &["--json"]).json();
        assert_agreement(&stats, &store, &top, &filled, &server_only);
        let compared = target.run("compare", &path, &["--json"]).json();
        assert_agreement(&compared, &store, &top, &filled, &server_only);
        assert_eq!(rows(&compared)["Deleted Items"]["matched_by"], "role");

        let personal = "lokay-m/MLOKAY (Non-Privileged)/Personal";
        let systems = "lokay-m/MLOKAY (Non-Privileged)/Systems";
        let removed: Vec<(String, String)> = filled[personal]
            .messages
            .iter()
            .rev()
            .filter_map(|(id, nid)| Some((nid.clone(), id.clone()?)))
            .take(2)
            .collect();
        let mut w = Writer::login(dovecot.imap_port, USER, PASSWORD);
        let removed_ids: Vec<&str> = removed.iter().map(|(_, id)| id.as_str()).collect();
        w.delete_messages(personal, &removed_ids);
        w.append(
            personal,
            "\\Seen",
            "04-Mar-2025 08:30:00 +0100",
            &message(
                "<written-on-the-web@example.com>",
                "Written on the web",
                "Tue, 04 Mar 2025 08:30:00 +0100",
                "Typed in a browser.",
            ),
        );
        w.delete_mailbox(systems);

        let after = target.run("compare", &path, &["--json"]).json();
        assert_unchanged_except(&compared, &after, &[personal, systems]);
        let rows_after = rows(&after);
        let row = &rows_after[personal];
        assert_eq!(row["verdict"], "diverged");
        assert_eq!(
            (&row["offline_count"], &row["server_count"]),
            (&json!(47), &json!(46))
        );
        let mut want = removed.clone();
        want.sort();
        let mut got = ids(&row["items"]["only_offline"]);
        got.sort();
        assert_eq!(got, want);
        assert_eq!(
            row["items"]["only_on_server"][0]["internet_message_id"],
            "<written-on-the-web@example.com>"
        );
        assert_eq!(
            row["items"]["only_on_server"][0]["time"],
            "2025-03-04T07:30:00Z"
        );
        let row = &rows_after[systems];
        assert_eq!(row["verdict"], "missing_on_server");
        let lost = ids(&row["items"]["only_offline"]);
        let want: Vec<(String, String)> = filled[systems]
            .messages
            .iter()
            .map(|(id, nid)| (nid.clone(), id.clone().unwrap_or_default()))
            .collect();
        assert_eq!(lost, want);
        assert_eq!(after["summary"]["items_only_offline"], 2 + 7);
        assert_eq!(after["summary"]["items_only_on_server"], 1);
        assert_eq!(after["summary"]["differences"], server_only.len() + 2);
    });
}

#[test]
fn refused_and_missing_credentials_are_clear_errors() {
    let Some(path) = fixture("enron.pst") else {
        return;
    };
    with_deadline(DEADLINE, move || {
        let dovecot = Dovecot::start();
        let target = Target::new(&dovecot);
        let store = path.to_str().unwrap();
        let base = [
            "stats",
            store,
            "--imap",
            &target.url,
            "--ca-file",
            target.ca_file.to_str().unwrap(),
        ];

        let wrong = "not-the-password-5e1f";
        let run = ostdoctor(&base, Some(wrong));
        assert_eq!(run.status, 3, "sign-in refused: {}", run.stderr);
        assert!(run.stderr.contains("sign-in refused"), "{}", run.stderr);
        assert!(run.stderr.contains(&target.url), "{}", run.stderr);
        assert!(run.stdout.is_empty());
        assert!(
            !run.stderr.contains(wrong),
            "the password must not be echoed"
        );

        // No password and no terminal to ask on: say how to give one, do not hang.
        let run = ostdoctor(&base, None);
        assert_eq!(run.status, 2, "{}", run.stderr);
        assert!(run.stderr.contains("OSTDOCTOR_PASSWORD"), "{}", run.stderr);

        // The server's certificate is checked: without its CA the connection is refused.
        let run = ostdoctor(&base[..4], Some(PASSWORD));
        assert_eq!(run.status, 1, "{}", run.stderr);
        assert!(run.stderr.contains("certificate"), "{}", run.stderr);

        let run = ostdoctor(
            &["compare", store, "--imap", "imaps://alice:pw@localhost"],
            Some(PASSWORD),
        );
        assert_eq!(run.status, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("do not put the password"),
            "{}",
            run.stderr
        );

        let mut folder = base.to_vec();
        folder[0] = "compare";
        folder.extend(["--folder", "No such folder"]);
        let run = ostdoctor(&folder, Some(PASSWORD));
        assert_eq!(run.status, 1, "{}", run.stderr);
        assert!(
            run.stderr.contains("no folder \"No such folder\""),
            "{}",
            run.stderr
        );
    });
}

/// A server with its own self-signed certificate, as a helpdesk meets it: `stats` refuses it
/// and prints the certificate's fingerprint; given back with --trust-fingerprint once the
/// owner confirmed it, the same command runs. The certificate file itself works as
/// --ca-file too.
#[test]
fn a_self_signed_server_is_reached_by_the_fingerprint_its_refusal_showed() {
    let Some(path) = fixture("enron.pst") else {
        return;
    };
    with_deadline(DEADLINE, move || {
        let dovecot = Dovecot::start_with(Options {
            self_signed: true,
            ..Options::default()
        });
        let store = path.to_str().unwrap();
        let url = format!("imaps://{USER}@localhost:{}", dovecot.imaps_port);
        let base = ["stats", store, "--imap", &url, "--timeout", "10"];

        let refused = ostdoctor(&base, Some(PASSWORD));
        assert_eq!(refused.status, 1, "{}", refused.stderr);
        let words = &refused.stderr;
        assert!(words.contains("certificate is not trusted"), "{words}");
        assert!(!words.contains("CaUsedAsEndEntity"), "{words}");
        let fingerprint = words
            .split("SHA-256 fingerprint is ")
            .nth(1)
            .and_then(|rest| {
                rest.split(':')
                    .take(32)
                    .collect::<Vec<_>>()
                    .join(":")
                    .into()
            })
            .filter(|fp: &String| fp.len() == 95)
            .unwrap_or_else(|| panic!("no fingerprint in {words}"));

        let mut trusted = base.to_vec();
        trusted.extend(["--trust-fingerprint", &fingerprint]);
        let run = ostdoctor(&trusted, Some(PASSWORD));
        assert_eq!(run.status, 0, "{}", run.stderr);
        assert!(run.stdout.contains("INBOX"), "{}", run.stdout);

        let dir = TempDir::new("self-signed");
        let cert = dir.path().join("server.pem");
        std::fs::write(&cert, &dovecot.pki.server_cert_pem).unwrap();
        let mut given = base.to_vec();
        given.extend(["--ca-file", cert.to_str().unwrap()]);
        let run = ostdoctor(&given, Some(PASSWORD));
        assert_eq!(run.status, 0, "{}", run.stderr);

        let mut wrong = base.to_vec();
        wrong.extend(["--trust-fingerprint", "00"]);
        let run = ostdoctor(&wrong, Some(PASSWORD));
        assert_eq!(run.status, 2, "{}", run.stderr);
        assert!(run.stderr.contains("--trust-fingerprint"), "{}", run.stderr);
    });
}
