//! `ostdoctor logs` as a helpdesk script runs it: the real Outlook log, and a store the
//! `gen` command wrote with log lines given on the command line.

mod common;

use common::{TempDir, fixture, ostdoctor};

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn real_log_json_explains_the_public_folder_server() {
    let Some(path) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let out = ostdoctor(&["logs", "--json", path.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(v["count"], 1);
    assert_eq!(v["codes"], serde_json::json!([]));
    assert_eq!(v["errors"], serde_json::json!([]));
    assert_eq!(v["messages"], serde_json::json!(["public_folder_server"]));
    let log = &v["logs"][0];
    assert_eq!(
        log["folder"],
        serde_json::json!(["Root - Mailbox", "IPM_SUBTREE", "Sync Issues"])
    );
    assert_eq!(log["place"], "sync_issues");
    assert_eq!(log["body"], "rtf");
    assert_eq!(log["events"].as_array().unwrap().len(), 9);
    assert_eq!(log["events"][6]["action"], "error");
    assert_eq!(log["events"][7]["vector"]["text"], "0-0");
    let d = &v["diagnoses"][0];
    assert_eq!(d["error"]["section"], "public_folders");
    assert_eq!(d["error"]["message"], "public_folder_server");
    assert_eq!(d["finding"]["id"], "public_folder_server");
    assert_eq!(d["finding"]["fix"], "sync_errors/public_folders");
    for lang in ["en", "nl", "pt"] {
        assert!(d["finding"]["explanation"][lang].as_str().unwrap().len() > 40);
    }
}

#[test]
fn real_log_text_lists_the_lines_then_the_cause() {
    let Some(path) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let text = ok(&ostdoctor(&[
        "logs",
        "--lang",
        "en",
        path.to_str().unwrap(),
    ]));
    assert!(text.contains("Logs: 1"), "{text}");
    assert!(
        text.contains("Root - Mailbox/IPM_SUBTREE/Sync Issues"),
        "{text}"
    );
    assert!(
        text.contains("! 2021-08-12 13:41:51  Could not connect to public folder server."),
        "{text}"
    );
    assert!(
        text.contains("Cause:       Outlook could not reach a server for public folders."),
        "{text}"
    );
    assert!(
        text.contains("Fix:         wizard page sync_errors/public_folders"),
        "{text}"
    );
    let dutch = ok(&ostdoctor(&[
        "logs",
        "--lang",
        "nl",
        path.to_str().unwrap(),
    ]));
    assert!(dutch.contains("openbare mappen"), "{dutch}");
    // The labels are Dutch too, not only the knowledge base's words.
    for words in [
        "Logboeken: 1",
        "Oorzaak:",
        "wizardpagina sync_errors/public_folders",
    ] {
        assert!(dutch.contains(words), "{words}: {dutch}");
    }
    for english in ["Logs:", "Cause:", "Explanation:", "wizard page", " lines,"] {
        assert!(!dutch.contains(english), "{english}: {dutch}");
    }
    let portuguese = ok(&ostdoctor(&[
        "logs",
        "--lang",
        "pt",
        path.to_str().unwrap(),
    ]));
    for words in [
        "Arquivo:",
        "Causa:",
        "página do assistente",
        "linhas de erro",
    ] {
        assert!(portuguese.contains(words), "{words}: {portuguese}");
    }
}

#[test]
fn generated_store_with_the_organization_forms_error() {
    let dir = TempDir::new("cli-logs");
    let store = dir.path().join("forms.ost");
    let store = store.to_str().unwrap();
    ok(&ostdoctor(&[
        "gen",
        store,
        "--format",
        "ost",
        "--folders",
        "4",
        "--messages",
        "20",
        "--sync-log",
        "Synchronizing Organization Forms",
        "--sync-log",
        "Terminated in error",
        "--sync-log",
        "[8004010F-501-0-B20]",
        "--sync-log",
        "the client operation failed.",
        "--sync-log",
        "Downloading Offline Address Book",
        "--sync-log",
        "\tError: [8004010F-0-0-0]",
        "--sync-log",
        "Done",
    ]));
    let v: serde_json::Value =
        serde_json::from_str(&ok(&ostdoctor(&["logs", "--json", store]))).unwrap();
    assert_eq!(v["count"], 1);
    assert_eq!(v["codes"], serde_json::json!(["8004010F"]));
    assert_eq!(
        v["errors"],
        serde_json::json!([
            "organization_forms/8004010F",
            "offline_address_book/8004010F"
        ])
    );
    let findings: Vec<(&str, &str)> = v["diagnoses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["finding"]["id"].as_str().unwrap(),
                d["finding"]["fix"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        findings,
        [
            ("organization_forms_not_found", "support_files/start"),
            ("address_book_not_found", "sync_errors/address_book")
        ]
    );
    assert_eq!(v["diagnoses"][0]["finding"]["name"], "MAPI_E_NOT_FOUND");
}

#[test]
fn no_logs_and_no_store() {
    let Some(path) = fixture("enron.pst") else {
        return;
    };
    let text = ok(&ostdoctor(&[
        "logs",
        "--lang",
        "en",
        path.to_str().unwrap(),
    ]));
    assert!(text.contains("Logs: 0"), "{text}");
    assert!(text.contains("No errors in the logs."), "{text}");

    let out = ostdoctor(&["logs", "/nonexistent/Outlook.ost"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nonexistent/Outlook.ost"), "{err}");
}

/// The log of Q198657: a synchronization that ran to its end. The doctor reports one log
/// and no error in it, so the flow says the logs record no errors instead of listing an
/// empty set of codes.
#[test]
fn a_log_without_errors_is_no_error_to_the_wizard() {
    use ostdoctor::doctor::Doctor;
    use ostdoctor::wizard::{Backend, FactValue, Facts};

    let dir = TempDir::new("cli-logs-clean");
    let store = dir.path().join("clean.ost");
    ok(&ostdoctor(&[
        "gen",
        store.to_str().unwrap(),
        "--format",
        "ost",
        "--sync-log",
        "Synchronizing Hierarchy",
        "--sync-log",
        "1 folder(s) added to offline store",
        "--sync-log",
        "Done",
    ]));
    let facts = Doctor::new(&store)
        .run_check("read_sync_logs", &Facts::new())
        .unwrap();
    assert_eq!(facts.get("sync_log.count"), Some(&FactValue::Int(1)));
    assert_eq!(facts.get("sync_log.error_count"), Some(&FactValue::Int(0)));
    assert_eq!(facts.get("sync_log.codes"), Some(&FactValue::List(vec![])));
}
