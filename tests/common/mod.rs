//! Shared by the integration tests: where the real fixtures are, scratch space, and the CLI.

#![allow(dead_code)]

mod temp;

#[allow(unused_imports)]
pub use temp::TempDir;

use std::path::{Path, PathBuf};

/// Where the real Outlook-written fixtures live (read-only, outside the repository).
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/real")
}

/// True under CI (`CI` set to anything but empty, `0` or `false`), where every fixture
/// must be present.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}

/// A real Outlook-written store beside the project. When it is missing, the test fails
/// under CI; elsewhere `None` comes back after a loud note and the test checks nothing.
pub fn fixture(name: &str) -> Option<PathBuf> {
    let path = fixtures_dir().join(name);
    if path.is_file() {
        return Some(path);
    }
    assert!(
        !under_ci(),
        "real fixture {} is missing, and under CI every fixture must be there",
        path.display()
    );
    eprintln!(
        "\n!!!!!!!! SKIPPED: real fixture {} is missing; this test checked nothing !!!!!!!!\n",
        path.display()
    );
    None
}

pub fn all_fixtures() -> Vec<PathBuf> {
    ["ansi-32bit.pst", "enron.pst", "outlook-com-2013.ost"]
        .iter()
        .filter_map(|n| fixture(n))
        .collect()
}

/// Runs the CLI built with the tests and returns whatever it did.
pub fn ostdoctor(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ostdoctor"))
        .args(args)
        .output()
        .expect("run ostdoctor")
}

/// Runs the CLI but gives up after `limit`: a command that hangs fails the test instead of
/// holding the whole suite.
pub fn ostdoctor_within(args: &[&str], limit: std::time::Duration) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ostdoctor"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run ostdoctor");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ostdoctor {args:?} still running after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// Where the bytes of a message's first attachment (by node id) are: the subnode of the
/// attachment that holds its data, for tests that look at or damage them on disk.
pub fn first_attachment_data(
    ndb: &ostdoctor::store::ndb::Ndb,
    message: ostdoctor::store::ndb::Nid,
) -> ostdoctor::store::ndb::SubnodeEntry {
    use ostdoctor::store::ltp::Node;
    let first = first_attachment(ndb, message);
    let attachment = Node::new(ndb, first.nid, first.bid_data, first.bid_sub);
    attachment.subnode_entries().unwrap()[0]
}

/// A message's first attachment (by node id): the subnode holding its properties.
pub fn first_attachment(
    ndb: &ostdoctor::store::ndb::Ndb,
    message: ostdoctor::store::ndb::Nid,
) -> ostdoctor::store::ndb::SubnodeEntry {
    use ostdoctor::store::ltp::Node;
    use ostdoctor::store::ndb::btree::nid_type;
    let node = Node::open(ndb, message).unwrap();
    node.subnode_entries()
        .unwrap()
        .iter()
        .filter(|e| e.nid.nid_type() == nid_type::ATTACHMENT)
        .min_by_key(|e| e.nid)
        .copied()
        .expect("the message has an attachment")
}

/// Which part of the first attachment [`store_with_damage_in_attachment`] damages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentPart {
    /// The block of its file data.
    Data,
    /// The block of its own properties (name, size, method): the attachment cannot be
    /// opened at all.
    Properties,
}

/// A .pst or a 4 KiB .ost of three items, the second with two attachments of 5.5 KB (each in a subnode of its own);
/// then the first attachment's data block is
/// damaged (one byte flipped, so its checksum fails).
pub fn store_with_a_damaged_attachment(
    dir: &Path,
    target: ostdoctor::store::write::Target,
) -> PathBuf {
    store_with_damage_in_attachment(dir, target, AttachmentPart::Data)
}

/// The store of [`store_with_a_damaged_attachment`], with `part` of the first attachment
/// damaged.
pub fn store_with_damage_in_attachment(
    dir: &Path,
    target: ostdoctor::store::write::Target,
    part: AttachmentPart,
) -> PathBuf {
    use ostdoctor::store::Store;
    use ostdoctor::store::ndb::{CryptMethod, Ndb};
    use ostdoctor::store::write::{NewAttachment, NewMessage, StoreWriter, Target, messaging};

    let path = dir.join(match target {
        Target::Pst => "damaged.pst",
        Target::Ost4k => "damaged.ost",
    });
    let mut w = StoreWriter::create(&path, target, CryptMethod::None, "Damaged", 3).unwrap();
    let inbox = w
        .add_folder(messaging::IPM_SUBTREE, "Inbox", Some("IPF.Note"))
        .unwrap();
    for (i, subject) in ["First", "Report with files", "Third"].iter().enumerate() {
        let attachments = if i == 1 {
            ["broken.bin", "intact.txt"]
                .iter()
                .map(|name| NewAttachment {
                    extra: Vec::new(),
                    embedded: None,
                    file_name: name.to_string(),
                    mime_type: None,
                    data: format!("{name} ").repeat(500).into_bytes(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let m = NewMessage {
            message_class: "IPM.Note".into(),
            subject: subject.to_string(),
            body_text: Some(format!("Body of {subject}")),
            attachments,
            ..NewMessage::default()
        };
        w.add_message(inbox, &m).unwrap();
    }
    w.finish().unwrap();

    let store = Store::open(&path).unwrap();
    let report = item_in(&store, "Inbox", "Report with files");
    let ib = {
        let ndb = Ndb::open(&path).unwrap();
        let bid = match part {
            AttachmentPart::Data => first_attachment_data(&ndb, report).bid_data,
            AttachmentPart::Properties => first_attachment(&ndb, report).bid_data,
        };
        ndb.find_block(bid).unwrap().unwrap().ib
    };
    drop(store);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[ib as usize + 5] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();
    path
}

/// The item with `subject` in the folder named `folder` (the first of either).
pub fn item_in(
    store: &ostdoctor::store::Store,
    folder: &str,
    subject: &str,
) -> ostdoctor::store::ndb::Nid {
    let f = store
        .folders()
        .unwrap()
        .into_iter()
        .find(|f| f.display_name == folder)
        .unwrap_or_else(|| panic!("no folder {folder:?}"));
    store
        .message_summaries(f.nid)
        .unwrap()
        .into_iter()
        .find(|m| m.subject.as_deref() == Some(subject))
        .unwrap_or_else(|| panic!("no item {subject:?} in {folder:?}"))
        .nid
}

/// Copies every folder of `source` into a new .pst at `dest`, as `ostdoctor export` does
/// with its defaults.
pub fn export_all(source: &ostdoctor::store::Store, dest: &Path) -> ostdoctor::copy::ExportSummary {
    use ostdoctor::copy::{CopyOptions, export};
    use ostdoctor::store::write::Target;
    export(
        source,
        dest,
        Target::Pst,
        &[],
        CopyOptions::default(),
        |_| {},
    )
    .unwrap_or_else(|e| panic!("export to {}: {e}", dest.display()))
}

/// A synchronization log as Outlook writes one, with one error in it (10 lines), for the
/// tests that show or report a store's logs.
pub const SYNC_LOG: &[&str] = &[
    "Synchronizer Version 16.0.4266",
    "Synchronizing Mailbox 'Ana Souza'",
    "Synchronizing Hierarchy",
    "Synchronizing Organization Forms",
    "Error synchronizing folder",
    "\t\t [8004010F-501-0-B20]",
    "\t\t The client operation failed.",
    "Synchronizing server changes in folder 'Inbox'",
    "3 item(s) updated in offline folder",
    "Done",
];
