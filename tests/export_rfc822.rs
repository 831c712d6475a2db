//! Messages written from real stores, read back by an independent MIME parser (Python's
//! `email` package): what a mail program shows must be what the store holds.

mod common;
mod rfc822;

use std::collections::HashMap;
use std::process::Command;

use common::{TempDir, fixture};
use ostdoctor::store::messaging::tags;
use ostdoctor::store::{Store, filetime};
use rfc822::build_message;
use rfc822::mime::{
    base64_lines, content_type, encode_body, encode_text, header, mailbox, parameter, phrase,
};
use rfc822::parse_fields;
use serde_json::Value;

/// What the store says about one message, to hold the parser's reading against.
struct Expected {
    subject: Option<String>,
    message_id: Option<String>,
    date: Option<i64>,
    text: String,
    has_html: bool,
    attachments: Vec<(String, usize)>,
    /// How many `Received:` fields the original transport headers have.
    received: usize,
}

fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n").trim_end().to_string()
}

fn check_store(name: &str, expected_messages: usize) {
    let Some(path) = fixture(name) else { return };
    let store = Store::open(&path).unwrap();
    let dir = TempDir::new("export");
    let mut expected: HashMap<String, Expected> = HashMap::new();
    for folder in store.folders().unwrap() {
        if folder.is_search_folder {
            continue;
        }
        for nid in store.message_nids(folder.nid).unwrap() {
            let message = store.message(nid).unwrap();
            let bytes = build_message(&message).unwrap();
            let file = dir.path().join(format!("{nid}.eml"));
            std::fs::write(&file, &bytes).unwrap();
            let s = message.summary().unwrap();
            let attachments = message
                .attachments()
                .unwrap()
                .into_iter()
                .filter(|a| a.is_file)
                .map(|a| {
                    (
                        a.file_name
                            .or(a.display_name)
                            .unwrap_or("attachment".into()),
                        a.data_size.unwrap(),
                    )
                })
                .collect();
            expected.insert(
                file.to_string_lossy().into_owned(),
                Expected {
                    subject: s.subject,
                    message_id: s.internet_message_id,
                    date: s
                        .submit_time
                        .or(s.delivery_time)
                        .or(s.creation_time)
                        .map(filetime::to_unix_seconds),
                    text: normalize(&message.best_text().unwrap().unwrap_or_default()),
                    has_html: message.body_html().unwrap().is_some(),
                    attachments,
                    received: message
                        .properties()
                        .text(tags::TRANSPORT_MESSAGE_HEADERS)
                        .unwrap()
                        .map_or(0, |h| {
                            h.lines()
                                .filter(|l| l.to_ascii_lowercase().starts_with("received:"))
                                .count()
                        }),
                },
            );
        }
    }
    assert_eq!(expected.len(), expected_messages, "messages in {name}");

    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/export/parse_messages.py"
    );
    let out = Command::new("python3")
        .arg(script)
        .args(expected.keys())
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parsed.len(), expected.len());

    let mut with_received = 0;
    for p in &parsed {
        let e = &expected[p["path"].as_str().unwrap()];
        let what = format!("{name} {}", p["path"]);
        assert_eq!(p["defects"], serde_json::json!([]), "{what}");
        // A header cannot keep trailing blanks; every reader drops them.
        assert_eq!(
            p["subject"].as_str(),
            e.subject.as_deref().map(str::trim_end),
            "{what}"
        );
        assert_eq!(p["message_id"].as_str(), e.message_id.as_deref(), "{what}");
        assert_eq!(p["date"].as_i64(), e.date, "{what}");
        assert_eq!(
            normalize(p["text"].as_str().unwrap_or("")),
            e.text,
            "{what}"
        );
        assert_eq!(p["has_html"].as_bool(), Some(e.has_html), "{what}");
        let attachments: Vec<(String, usize)> = p["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a[0].as_str().unwrap().to_string(),
                    a[1].as_u64().unwrap() as usize,
                )
            })
            .collect();
        assert_eq!(attachments, e.attachments, "{what}");
        assert!(p["from"].is_string(), "{what}: no From");
        assert_eq!(p["received"].as_u64(), Some(e.received as u64), "{what}");
        if e.received > 0 {
            with_received += 1;
        }
    }
    eprintln!(
        "{name}: {} messages, {with_received} with Received fields",
        parsed.len()
    );
    assert!(
        with_received > 0 || name.starts_with("ansi"),
        "{name}: no message kept its transport headers"
    );
}

#[test]
fn outlook_com_ost_messages_read_back() {
    check_store("outlook-com-2013.ost", 183);
}

#[test]
fn enron_pst_messages_read_back() {
    check_store("enron.pst", 71);
}

#[test]
fn ansi_pst_messages_read_back() {
    check_store("ansi-32bit.pst", 1);
}

// The message builder's own pieces: header words, addresses, folding, bodies.

#[test]
fn header_words() {
    assert_eq!(encode_text("Budget 2024"), "Budget 2024");
    assert_eq!(encode_text("Privé"), "=?UTF-8?B?UHJpdsOp?=");
    let long = "é".repeat(40);
    let encoded = encode_text(&long);
    assert!(encoded.split("\r\n ").all(|w| w.len() <= 75), "{encoded}");
    assert_eq!(encoded.split("\r\n ").count(), 2);
    assert_eq!(encode_text("a\r\nb\tc"), "a b c");
}

#[test]
fn names_and_addresses() {
    assert_eq!(phrase("Bob Smith"), "Bob Smith");
    assert_eq!(phrase("Smith, Bob"), "\"Smith, Bob\"");
    assert_eq!(phrase("a \"b\""), "\"a \\\"b\\\"\"");
    assert_eq!(
        mailbox(Some("Bob"), Some("bob@example.com")).unwrap(),
        "Bob <bob@example.com>"
    );
    assert_eq!(
        mailbox(Some("bob@example.com"), Some("bob@example.com")).unwrap(),
        "<bob@example.com>"
    );
    assert_eq!(
        mailbox(
            Some("Lokay, Michelle"),
            Some("/o=ENRON/cn=Recipients/cn=MLOKAY")
        )
        .unwrap(),
        "\"Lokay, Michelle\":;"
    );
    assert_eq!(
        mailbox(None, Some("'bob@example.com'")).unwrap(),
        "<bob@example.com>"
    );
    assert_eq!(mailbox(None, None), None);
}

#[test]
fn folding_and_bodies() {
    let many: Vec<String> = (0..10)
        .map(|i| format!("Person {i} <p{i}@example.com>"))
        .collect();
    let h = header("To", &many.join(", "));
    assert!(h.lines().all(|l| l.len() <= 78), "{h}");
    assert!(h.ends_with("\r\n"));
    assert_eq!(h.replace("\r\n ", " ").matches('@').count(), 10);

    let plain = encode_body(b"Hello\nworld", "=_b");
    assert_eq!(
        (plain.transfer_encoding, plain.body.as_str()),
        ("7bit", "Hello\r\nworld\r\n")
    );
    assert_eq!(
        encode_body("Olá".as_bytes(), "=_b").transfer_encoding,
        "base64"
    );
    assert_eq!(encode_body(b"x =_b y", "=_b").transfer_encoding, "base64");
    assert_eq!(base64_lines(&[0u8; 100]).lines().next().unwrap().len(), 76);
    assert_eq!(parameter("filename", "a b.pdf"), "filename=\"a b.pdf\"");
    assert_eq!(
        parameter("filename", "é.txt"),
        "filename*=UTF-8''%C3%A9.txt"
    );
    assert_eq!(content_type(Some("Image/JPEG")), "image/jpeg");
    assert_eq!(content_type(Some("bad type")), "application/octet-stream");
    assert_eq!(content_type(None), "application/octet-stream");
}

#[test]
fn transport_fields_keep_their_folding_and_stop_at_the_body() {
    let block = "Received: from a\r\n\tby b; Tue, 1 Jul 2003\r\nX-Bad line\r\n\
                 Subject: =?utf-8?q?x?=\nContent-Type: multipart/mixed;\r\n boundary=q\r\n\r\n\
                 body: not a header\r\n";
    let fields = parse_fields(block);
    let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Received", "Subject", "Content-Type"]);
    assert_eq!(
        fields[0].1,
        "Received: from a\r\n\tby b; Tue, 1 Jul 2003\r\n"
    );
    assert_eq!(fields[1].1, "Subject: =?utf-8?q?x?=\r\n");
}
