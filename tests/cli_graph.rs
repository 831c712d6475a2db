//! `ostdoctor stats --graph` as a user runs it: device-code sign-in, then the mailbox's
//! folders through Microsoft Graph, both served by a loopback HTTP server with the
//! documented JSON shapes (no real Microsoft tenant is used), compared with a real store.

mod common;
mod support;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::fixture;
use serde_json::{Value, json};
use support::http::{HttpServer, Reply, Request};
use support::with_deadline;

const TOKEN: &str = "graph-token-for-cli";

fn folder(id: &str, name: &str, children: u64, total: u64, hidden: bool) -> Value {
    json!({
        "id": id, "displayName": name, "parentFolderId": "root", "childFolderCount": children,
        "unreadItemCount": 0, "totalItemCount": total, "isHidden": hidden
    })
}

fn page(values: Vec<Value>) -> Reply {
    Reply::json(200, json!({ "value": values }).to_string())
}

/// A German mailbox: the well-known folders carry German names and are known by role only.
fn service(r: &Request) -> Reply {
    match (r.method.as_str(), r.path()) {
        ("POST", "/common/oauth2/v2.0/devicecode") => {
            if r.form("client_id").as_deref() != Some("app-123") {
                return Reply::json(400, r#"{"error":"invalid_client"}"#);
            }
            return Reply::json(
                200,
                r#"{"device_code":"dc-1","user_code":"WXYZ-1234","verification_uri":"https://microsoft.com/devicelogin","expires_in":60,"interval":1,"message":"To sign in, open https://microsoft.com/devicelogin and enter WXYZ-1234."}"#,
            );
        }
        ("POST", "/common/oauth2/v2.0/token") => {
            return Reply::json(
                200,
                json!({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600})
                    .to_string(),
            );
        }
        _ => {}
    }
    if r.headers.get("authorization").map(String::as_str) != Some(&format!("Bearer {TOKEN}")) {
        return Reply::json(
            401,
            r#"{"error":{"code":"InvalidAuthenticationToken","message":"no"}}"#,
        );
    }
    let well_known = [
        ("inbox", "inbox-id"),
        ("sentitems", "sent-id"),
        ("deleteditems", "deleted-id"),
        ("drafts", "drafts-id"),
        ("junkemail", "junk-id"),
        ("syncissues", "sync-id"),
    ];
    match r.path() {
        "/v1.0/me/mailFolders" => page(vec![
            folder("inbox-id", "Posteingang", 0, 12, false),
            folder("sent-id", "Gesendete Elemente", 0, 2, false),
            folder("deleted-id", "Gelöschte Elemente", 0, 1, false),
            folder("drafts-id", "Entwürfe", 0, 0, false),
            folder("junk-id", "Junk-E-Mail", 0, 0, false),
            folder("sync-id", "Synchronisierungsprobleme", 0, 1, false),
            folder("cas-id", "Conversation Action Settings", 0, 0, true),
            folder("old-id", "Alte Projekte", 0, 3, false),
        ]),
        path => match well_known
            .iter()
            .find(|(name, _)| path == format!("/v1.0/me/mailFolders/{name}"))
        {
            Some((_, id)) => Reply::json(200, json!({ "id": id }).to_string()),
            None => Reply::json(
                404,
                r#"{"error":{"code":"ErrorItemNotFound","message":"not found"}}"#,
            ),
        },
    }
}

#[test]
fn graph_counts_beside_offline_counts() {
    let Some(store) = fixture("outlook-com-2013.ost") else {
        return;
    };
    with_deadline(Duration::from_secs(60), move || {
        let http = HttpServer::start(service);
        let base = http.base();
        let out = Command::new(env!("CARGO_BIN_EXE_ostdoctor"))
            .args([
                "stats",
                store.to_str().unwrap(),
                "--graph",
                "--client-id",
                "app-123",
            ])
            .args([
                "--login-url",
                &base,
                "--graph-url",
                &format!("{base}/v1.0"),
                "--json",
            ])
            .stdin(Stdio::null())
            .output()
            .expect("run ostdoctor");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(
            stderr.contains("enter WXYZ-1234"),
            "the code is shown: {stderr}"
        );
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["server_kind"], "graph");
        assert_eq!(report["listing"], Value::Null);
        assert_eq!(report["server"], format!("Microsoft Graph at {base}/v1.0"));

        let rows: BTreeMap<String, &Value> = report["folders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let path = f["offline_path"].as_array().or(f["server_path"].as_array());
                let key: Vec<&str> = path.unwrap().iter().map(|p| p.as_str().unwrap()).collect();
                (key.join("/"), f)
            })
            .collect();
        let check = |path: &str, server: &str, verdict: &str, by: &str| {
            let row = rows[path];
            assert_eq!(row["server_path"], json!([server]), "{path}");
            assert_eq!(row["verdict"], verdict, "{path}: {row:#}");
            assert_eq!(row["matched_by"], by, "{path}");
        };
        check("Inbox", "Posteingang", "offline_behind", "role");
        check("Sent Items", "Gesendete Elemente", "equal", "role");
        check("Deleted Items", "Gelöschte Elemente", "equal", "role");
        check("Junk Email", "Junk-E-Mail", "equal", "role");
        check("Sync Issues", "Synchronisierungsprobleme", "equal", "role");
        check(
            "Conversation Action Settings",
            "Conversation Action Settings",
            "equal",
            "path",
        );
        assert_eq!(
            (
                &rows["Inbox"]["offline_count"],
                &rows["Inbox"]["server_count"]
            ),
            (&json!(10), &json!(12))
        );
        assert_eq!(rows["Calendar"]["expected"], "not_a_mail_folder");
        assert_eq!(rows["Yammer Root"]["expected"], "hidden_folder");
        assert_eq!(rows["Alte Projekte"]["verdict"], "missing_offline");
        assert_eq!(rows["Alte Projekte"]["server_count"], 3);
        // Outbox, Archive and the rest exist only offline in this mailbox.
        assert_eq!(rows["Outbox"]["verdict"], "missing_on_server");
        // Known: the three of the folder only the server has. Counted: the Inbox's 12 vs 10,
        // which says nothing of which items.
        assert_eq!(report["summary"]["items_only_on_server"], 3);
        assert_eq!(report["summary"]["count_surplus_on_server"], 2);

        let token_requests = http
            .requests()
            .iter()
            .filter(|r| r.path() == "/common/oauth2/v2.0/token")
            .count();
        assert_eq!(token_requests, 1);
    });
}
