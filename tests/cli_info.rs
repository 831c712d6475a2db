//! `ostdoctor info` as a helpdesk script runs it: the process, its output and exit status.

mod common;

use common::{TempDir, fixture, ostdoctor, ostdoctor_within};

#[test]
fn json_has_the_documented_shape_and_the_real_counts() {
    let Some(path) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let out = ostdoctor(&["info", "--json", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "ost");
    assert_eq!(v["variant"], "unicode-4k");
    assert_eq!(v["encryption"], "none");
    assert_eq!(v["size"], 16_818_176);
    assert!(v["store_name"].is_string());
    let folders = v["folders"].as_array().unwrap();
    assert_eq!(folders.len(), 57);
    let inbox = folders
        .iter()
        .find(|f| f["path"] == serde_json::json!(["Root - Mailbox", "IPM_SUBTREE", "Inbox"]))
        .expect("Inbox");
    assert_eq!(inbox["content_count"], 10);
    assert_eq!(inbox["contents_rows"], 10);
    // One meeting request in the Inbox lacks the read flag (pffexport shows "Unread" on it).
    assert_eq!(inbox["unread_count"], 1);
    assert_eq!(inbox["container_class"], "IPF.Note");
    let holidays = folders
        .iter()
        .find(|f| {
            f["path"]
                == serde_json::json!([
                    "Root - Mailbox",
                    "IPM_SUBTREE",
                    "Calendar",
                    "United States holidays"
                ])
        })
        .unwrap();
    assert_eq!(holidays["content_count"], 160);
}

#[test]
fn text_output_names_the_format_and_indents_the_tree() {
    let Some(path) = fixture("enron.pst") else {
        return;
    };
    let out = ostdoctor(&["info", path.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Format:      pst (unicode), encryption permute, 13984768 bytes"),
        "{text}"
    );
    assert!(text.contains("Store name:  Personal folders"), "{text}");
    assert!(text.contains("Folders:     11 (71 items)"), "{text}");
    let personal = text
        .lines()
        .find(|l| l.trim_start().starts_with("Personal "))
        .expect("Personal row");
    assert!(personal.starts_with("      Personal"), "{personal:?}");
    assert!(
        personal.split_whitespace().nth(1) == Some("47"),
        "{personal:?}"
    );
}

#[test]
fn a_file_that_is_not_a_store_exits_non_zero_with_the_reason() {
    let dir = TempDir::new("cli");
    let p = dir.path().join("Outlook.ost");
    std::fs::write(&p, vec![0u8; 4096]).unwrap();
    let out = ostdoctor(&["info", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("Outlook.ost")
            && err.contains("not an Outlook data file")
            && err.contains("00 00 00 00"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_file_says_it_cannot_be_read() {
    let out = ostdoctor(&["info", "/nonexistent/Outlook.ost"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("/nonexistent/Outlook.ost") && err.contains("cannot read the file"),
        "{err}"
    );
}

#[test]
fn a_named_pipe_or_a_folder_is_refused_at_once_naming_the_file() {
    let dir = TempDir::new("not-regular");
    let fifo = dir.path().join("Outlook.ost");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo failed");
    let folder = dir.path().join("folder.pst");
    std::fs::create_dir(&folder).unwrap();
    for (path, what) in [(&fifo, "named pipe"), (&folder, "folder")] {
        let shown = path.to_str().unwrap();
        for command in ["info", "check", "logs"] {
            let out = ostdoctor_within(&[command, shown], std::time::Duration::from_secs(10));
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{command} {shown}: {stderr}");
            assert_ne!(out.status.code(), Some(101), "{command} panicked: {stderr}");
            assert!(
                stderr.contains(shown),
                "{command}: file not named: {stderr}"
            );
            assert!(stderr.contains(what), "{command}: {stderr}");
        }
    }
}
