//! Checks the oracles themselves before any test trusts them: two readings of libpff
//! (pffexport, pypff) must agree exactly, libpst (readpst) must agree with them up to its
//! documented caveats, and all must give the figures known for the real fixtures.
//!
//! How the counts are defined (measured here, and what our reader must be normalized to):
//! pffexport and pypff list the root folder (path `[]`) and every folder reachable from it
//! through the hierarchy tables, search folders included, so their folder counts include the
//! root: 5 (ansi-32bit.pst), 11 (enron.pst), 57 (outlook-com-2013.ost). Their item counts are
//! contents-table items only (no associated/FAI items, attachments or embedded messages):
//! 1, 71 and 183. readpst sees only the IPM subtree (its root included): 3, 8 and 37 folders,
//! with the same 1, 71 and 183 items.

mod common;
mod oracle;

use oracle::{
    OracleFolder, fixture, pffexport, pffexport_kind, pffexport_paths, prefixed, pypff, readpst,
};
use std::path::Path;

const ANSI: &str = "ansi-32bit.pst";
const ENRON: &str = "enron.pst";
const OST: &str = "outlook-com-2013.ost";
const OST_SUBTREE: &[&str] = &["Root - Mailbox", "IPM_SUBTREE"];
const PST_SUBTREE: &[&str] = &["Top of Personal Folders"];

type Oracle = fn(&Path) -> Result<Vec<OracleFolder>, String>;

fn read(oracle: Oracle, store: &Path) -> Vec<OracleFolder> {
    oracle(store).unwrap_or_else(|e| panic!("{e}"))
}

fn item_count(folders: &[OracleFolder]) -> usize {
    folders.iter().map(|f| f.items.len()).sum()
}

fn folder<'a>(folders: &'a [OracleFolder], path: &[&str]) -> &'a OracleFolder {
    folders.iter().find(|f| f.path == path).unwrap_or_else(|| {
        let known: Vec<_> = folders.iter().map(|f| f.path.join("/")).collect();
        panic!("no folder {path:?}; the oracle has {known:#?}")
    })
}

fn under<'a>(folders: &'a [OracleFolder], prefix: &[&str]) -> Vec<&'a OracleFolder> {
    folders
        .iter()
        .filter(|f| f.path.len() >= prefix.len() && f.path[..prefix.len()] == *prefix)
        .collect()
}

/// readpst's kind for a message class: calendar items become vCalendar, everything seen on
/// the fixtures besides is written as mail.
fn readpst_kind(class: &str) -> &'static str {
    if class.starts_with("IPM.Appointment") {
        "Appointment"
    } else if class.starts_with("IPM.Note") || class.starts_with("IPM.Schedule.Meeting") {
        "Message"
    } else {
        panic!("message class {class:?} is new to these tests: learn readpst's kind for it")
    }
}

#[test]
fn pffexport_and_pypff_agree_on_every_fixture() {
    for name in [ANSI, ENRON, OST] {
        let Some(store) = fixture(name) else { continue };
        let exported = read(pffexport, &store);
        let listed = read(pypff, &store);
        assert_eq!(exported.len(), listed.len(), "{name}: folder counts differ");
        assert_eq!(
            item_count(&exported),
            item_count(&listed),
            "{name}: item counts"
        );

        let listed_paths: Vec<Vec<String>> = listed.iter().map(|f| f.path.clone()).collect();
        let as_exported = pffexport_paths(&listed_paths);
        let mut sorted = as_exported.clone();
        sorted.sort();
        let exported_paths: Vec<Vec<String>> = exported.iter().map(|f| f.path.clone()).collect();
        assert_eq!(sorted, exported_paths, "{name}: folder trees differ");

        for (path, py) in as_exported.iter().zip(&listed) {
            let pff = exported.iter().find(|f| &f.path == path).unwrap();
            assert_eq!(pff.items.len(), py.items.len(), "{name}: items in {path:?}");
            for (a, b) in pff.items.iter().zip(&py.items) {
                assert_eq!(a.subject, b.subject, "{name}: subject in {path:?}");
                assert_eq!(a.sender_name, b.sender_name, "{name}: sender in {path:?}");
                assert_eq!(a.kind, pffexport_kind(&b.kind), "{name}: {b:?} in {path:?}");
            }
        }
    }
}

#[test]
fn ost_figures_under_libpff() {
    let Some(store) = fixture(OST) else { return };
    for (tool, oracle) in [("pffexport", pffexport as Oracle), ("pypff", pypff)] {
        let folders = read(oracle, &store);
        assert_eq!(folders.len(), 57, "{tool}: folders, root included");
        assert_eq!(item_count(&folders), 183, "{tool}: items");
        let expected = [
            ("Inbox", 10),
            ("Calendar", 9),
            ("Calendar/United States holidays", 160),
            ("Sent Items", 2),
            ("Deleted Items", 1),
            ("Sync Issues", 1),
        ];
        for (sub, count) in expected {
            let path: Vec<&str> = OST_SUBTREE.iter().copied().chain(sub.split('/')).collect();
            assert_eq!(folder(&folders, &path).items.len(), count, "{tool}: {sub}");
        }
        let log = &folder(&folders, &[OST_SUBTREE[0], OST_SUBTREE[1], "Sync Issues"]).items[0];
        let subject = log.subject.as_deref().unwrap_or_default();
        assert!(
            subject.starts_with("Synchronization Log"),
            "{tool}: Sync Issues holds {log:?}"
        );
        let root = folder(&folders, &[]);
        assert!(
            root.items.is_empty(),
            "{tool}: the root folder holds no items"
        );
    }
}

#[test]
fn enron_figures_under_libpff() {
    let Some(store) = fixture(ENRON) else { return };
    for (tool, oracle) in [("pffexport", pffexport as Oracle), ("pypff", pypff)] {
        let folders = read(oracle, &store);
        assert_eq!(folders.len(), 11, "{tool}: folders, root included");
        assert_eq!(item_count(&folders), 71, "{tool}: messages");
        for item in folders.iter().flat_map(|f| &f.items) {
            assert!(
                ["Message", "IPM.Note"].contains(&item.kind.as_str()),
                "{tool}: {item:?}"
            );
            assert!(item.sender_name.is_some(), "{tool}: {item:?} has no sender");
        }
    }
}

#[test]
fn ansi_figures_under_libpff() {
    let Some(store) = fixture(ANSI) else { return };
    for (tool, oracle, kind) in [
        ("pffexport", pffexport as Oracle, "Appointment"),
        ("pypff", pypff, "IPM.Appointment"),
    ] {
        let folders = read(oracle, &store);
        assert_eq!(folders.len(), 5, "{tool}: folders, root included");
        assert_eq!(item_count(&folders), 1, "{tool}: items");
        let calendar = folder(&folders, &["Top of Personal Folders", "Calendar"]);
        assert_eq!(calendar.items.len(), 1, "{tool}: calendar items");
        assert_eq!(calendar.items[0].kind, kind, "{tool}");
        assert!(calendar.items[0].subject.is_some(), "{tool}: subject");
    }
}

#[test]
fn readpst_agrees_with_pffexport_on_enron() {
    let Some(store) = fixture(ENRON) else { return };
    let seen = prefixed(&read(readpst, &store), PST_SUBTREE);
    let exported = read(pffexport, &store);
    let exported = under(&exported, PST_SUBTREE);
    assert_eq!(
        seen.len(),
        8,
        "readpst: folders of the IPM subtree, its root included"
    );
    assert_eq!(seen.len(), exported.len(), "folder counts");

    // readpst has the display names, in store order: bring them to pffexport's spelling.
    let seen_paths: Vec<Vec<String>> = seen.iter().map(|f| f.path.clone()).collect();
    for (path, rp) in pffexport_paths(&seen_paths).iter().zip(&seen) {
        let pff = exported
            .iter()
            .find(|f| &f.path == path)
            .unwrap_or_else(|| panic!("readpst has {path:?}, pffexport does not"));
        let subjects = |f: &OracleFolder| -> Vec<Option<String>> {
            f.items.iter().map(|i| i.subject.clone()).collect()
        };
        assert_eq!(subjects(rp), subjects(pff), "subjects in {path:?}");
        for (a, b) in rp.items.iter().zip(&pff.items) {
            assert_eq!((a.kind.as_str(), b.kind.as_str()), ("Message", "Message"));
            assert!(a.sender_name.is_some(), "readpst: {a:?} has no From");
        }
    }
}

/// readpst's tree (exact names, store order) and items against pypff's under the IPM subtree.
fn assert_readpst_matches_pypff(name: &str, subtree: &[&str], folders: usize, items: usize) {
    let Some(store) = fixture(name) else { return };
    let seen = prefixed(&read(readpst, &store), subtree);
    let listed = read(pypff, &store);
    let listed = under(&listed, subtree);
    assert_eq!(seen.len(), folders, "{name}: readpst folders");
    assert_eq!(item_count(&seen), items, "{name}: readpst items");
    let paths = |fs: &mut dyn Iterator<Item = &OracleFolder>| -> Vec<Vec<String>> {
        fs.map(|f| f.path.clone()).collect()
    };
    assert_eq!(
        paths(&mut seen.iter()),
        paths(&mut listed.iter().copied()),
        "{name}: folder trees differ"
    );
    for (rp, py) in seen.iter().zip(&listed) {
        assert_eq!(
            rp.items.len(),
            py.items.len(),
            "{name}: items in {:?}",
            rp.path
        );
        for (a, b) in rp.items.iter().zip(&py.items) {
            assert_eq!(a.subject, b.subject, "{name}: subject in {:?}", rp.path);
            assert_eq!(
                a.kind,
                readpst_kind(&b.kind),
                "{name}: {b:?} in {:?}",
                rp.path
            );
        }
    }
}

#[test]
fn readpst_agrees_with_pypff_on_ost() {
    assert_readpst_matches_pypff(OST, OST_SUBTREE, 37, 183);
}

#[test]
fn readpst_agrees_with_pypff_on_enron() {
    assert_readpst_matches_pypff(ENRON, PST_SUBTREE, 8, 71);
}

#[test]
fn readpst_agrees_with_pypff_on_ansi() {
    assert_readpst_matches_pypff(ANSI, PST_SUBTREE, 3, 1);
}

#[test]
fn missing_store_is_an_error_naming_tool_and_file() {
    let missing = Path::new("/nonexistent/ostdoctor/none.pst");
    for (tool, oracle) in [
        ("pffexport", pffexport as Oracle),
        ("readpst", readpst),
        ("pypff", pypff),
    ] {
        let err = oracle(missing).expect_err(tool);
        assert!(err.contains(tool), "{tool}: {err}");
        assert!(err.contains("none.pst"), "{tool}: {err}");
    }
}

// The rules below were measured on patched copies of the real OST (names changed in place);
// these tests pin the code that reproduces them.

#[test]
fn pffexport_paths_follow_the_tools_naming() {
    let paths: Vec<Vec<String>> = [
        vec![],
        vec!["Root - Mailbox"],
        vec!["Root - Mailbox", "~MAPISP(Internal)"],
        vec!["Root - Mailbox", "A/b:c*d"],
        vec!["Root - Mailbox", "J?u\"n<k>|\\"],
        vec!["Root - Mailbox", "!$%&\t\n\x01~"],
        vec!["Root - Mailbox", "#+,;="],
        vec!["Root - Mailbox", "@[]^`'{}\u{85}"],
        vec!["Root - Mailbox", "Compañías"],
        vec!["Root - Mailbox", ""],
        vec!["Root - Mailbox", "."],
        vec!["Root - Mailbox", "..........."],
        vec!["Root - Mailbox", "#+,;="],
        vec!["Root - Mailbox", "A/b:c*d", "Inbox"],
        vec!["Root - Mailbox", "#+,;=", "Inbox"],
    ]
    .into_iter()
    .map(|p| p.into_iter().map(String::from).collect())
    .collect();
    let expected: Vec<Vec<&str>> = vec![
        vec![],
        vec!["Root - Mailbox"],
        vec!["Root - Mailbox", "_MAPISP(Internal)"],
        vec!["Root - Mailbox", "A_b_c_d"],
        vec!["Root - Mailbox", "J_u\"n_k___"],
        vec!["Root - Mailbox", "________"],
        vec!["Root - Mailbox", "#_,_="],
        vec!["Root - Mailbox", "_[]^`'{}\u{85}"],
        vec!["Root - Mailbox", "Compañías"],
        vec!["Root - Mailbox", "Folder00008"],
        vec!["Root - Mailbox", "Folder00009"],
        vec!["Root - Mailbox", "..........."],
        vec!["Root - Mailbox", "Folder00011"],
        vec!["Root - Mailbox", "A_b_c_d", "Inbox"],
        vec!["Root - Mailbox", "Folder00011", "Inbox"],
    ];
    assert_eq!(pffexport_paths(&paths), expected);
}

#[test]
fn readpst_log_becomes_a_tree() {
    let log = "Opening PST file and indexes...\n\
        Processing Folder \"Deleted Items\"\n\
        \t\"Deleted Items\" - 1 items done, 0 items skipped.\n\
        Processing Folder \"Outbox\"\n\
        Processing Folder \"Yammer Root\"\n\
        Processing Folder \"Inbound\"\n\
        Processing Folder \"Feeds\"\n\
        \t\"Yammer Root\" - 2 items done, 0 items skipped.\n\
        Processing Folder \"Calendar\"\n\
        Processing Folder \"Holidays \"2021\"\"\n\
        \t\"Holidays \"2021\"\" - 160 items done, 1 items skipped.\n\
        Processing Folder \"Birthdays\"\n\
        \t\"Calendar\" - 11 items done, 6 items skipped.\n\
        Processing Folder \".hid\tden\nname\"\n\
        \t\"store.ost\" - 5 items done, 0 items skipped.\n";
    let tree = oracle::readpst_log_tree(log).unwrap();
    let got: Vec<(String, Option<usize>)> = tree
        .into_iter()
        .map(|(path, done)| (path.join("/"), done))
        .collect();
    let expected = [
        ("", Some(5)),
        ("Deleted Items", Some(1)),
        ("Outbox", None),
        ("Yammer Root", Some(2)),
        ("Yammer Root/Inbound", None),
        ("Yammer Root/Feeds", None),
        ("Calendar", Some(11)),
        ("Calendar/Holidays \"2021\"", Some(160)),
        ("Calendar/Birthdays", None),
        (".hid\tden\nname", None),
    ]
    .map(|(p, d)| (p.to_string(), d));
    assert_eq!(got, expected);
}

#[test]
fn pffexport_values_may_span_lines() {
    let text = "Message:\nSize:\t\t\t\t\t53607\n\
        Subject:\t\t\t\tRE: r\u{e9}p\u{e8}te\tchaque\nlundi\n\
        Sender name:\t\t\t\tpst\n\nAppointment:\nLocation:\t\t\t\t\n";
    assert_eq!(
        oracle::pffexport_field(text, "Subject").as_deref(),
        Some("RE: r\u{e9}p\u{e8}te\tchaque\nlundi")
    );
    assert_eq!(
        oracle::pffexport_field(text, "Sender name").as_deref(),
        Some("pst")
    );
    assert_eq!(
        oracle::pffexport_field(text, "Location"),
        None,
        "only the first section"
    );
    let empty = "Message:\nSubject:\t\t\t\t\nSender name:\t\t\t\tGoradia\n";
    assert_eq!(
        oracle::pffexport_field(empty, "Subject").as_deref(),
        Some("")
    );
}

#[test]
fn encoded_words_are_decoded() {
    // As readpst wrote a non-ASCII subject it had no internet headers for.
    assert_eq!(
        oracle::decode_rfc2047("=?utf-8?B?w4RjY2VwdGVkOiBtw6lldGluZyDml6XmnKwgRWQhIQ==?="),
        "\u{c4}ccepted: m\u{e9}eting \u{65e5}\u{672c} Ed!!"
    );
    assert_eq!(
        oracle::decode_rfc2047("=?ISO-8859-1?Q?Caf=E9_au?= =?utf-8?q?_lait?= ok"),
        "Caf\u{e9} au lait ok"
    );
    assert_eq!(oracle::decode_rfc2047("plain =?x?"), "plain =?x?");
    assert_eq!(
        oracle::decode_rfc2047("=?koi8-r?B?5w==?="),
        "=?koi8-r?B?5w==?="
    );
}
