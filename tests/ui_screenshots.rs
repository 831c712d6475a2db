//! Not a test: a mailbox for taking the README's screenshots by hand. Run with
//! `cargo test --test ui_screenshots -- --ignored --nocapture`; it starts Dovecot on
//! loopback holding the real OST's Inbox less two messages and its Sent Items, prints the
//! `ostdoctor gui` command to run against it under Xvfb, and stays up for ten minutes.

mod common;
mod rfc822;
mod support;

use std::time::Duration;

use common::fixture;
use ostdoctor::store::Store;
use rfc822::build_message;
use support::dovecot::{Dovecot, PASSWORD, USER};
use support::imap_writer::Writer;

#[test]
#[ignore = "serves a mailbox for screenshots; run by hand"]
fn serve_a_mailbox_for_screenshots() {
    let store_path = fixture("outlook-com-2013.ost").expect("the real OST");
    let store = Store::open(&store_path).unwrap();
    let dovecot = Dovecot::start();
    let mut w = Writer::login(dovecot.imap_port, USER, PASSWORD);
    let folders = store.folders().unwrap();
    for (offline, server, leave_out) in
        [("Inbox", "INBOX", 2), ("Sent Items", "Verzonden items", 0)]
    {
        let folder = folders
            .iter()
            .find(|f| f.display_name == offline && !f.is_search_folder)
            .unwrap();
        let nids = store.message_nids(folder.nid).unwrap();
        for nid in &nids[leave_out.min(nids.len())..] {
            let m = store.message(*nid).unwrap();
            w.append(
                server,
                "\\Seen",
                "01-Jan-2024 10:00:00 +0000",
                &build_message(&m).unwrap(),
            );
        }
    }
    let ca = std::env::temp_dir().join("ostdoctor-screenshots-ca.pem");
    std::fs::write(&ca, &dovecot.pki.ca_pem).unwrap();
    println!(
        "OSTDOCTOR_PASSWORD='{PASSWORD}' ostdoctor gui {} --imap imaps://{USER}@localhost:{} --ca-file {}",
        store_path.display(),
        dovecot.imaps_port,
        ca.display()
    );
    std::thread::sleep(Duration::from_secs(600));
}
