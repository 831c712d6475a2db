//! The knowledge base: the shipped file loads, speaks every language, sends every error to
//! a wizard page that exists, and a broken file is reported with its line and column.

use std::path::Path;

use ostdoctor::diagnose::knowledge::{self, Knowledge, load_str};
use ostdoctor::diagnose::sync_log::{ErrorGroup, KnownMessage, Section};
use ostdoctor::wizard;

fn kb() -> Knowledge {
    knowledge::load_builtin().unwrap_or_else(|e| panic!("{e}"))
}

fn group(
    section: Section,
    code: Option<&str>,
    message: Option<KnownMessage>,
    text: &str,
) -> ErrorGroup {
    let g = serde_json::json!({
        "section": section, "code": code, "message": message, "text": text,
        "occurrences": 1, "vectors": [], "texts": [text], "folders": [], "items": [],
        "logs": [0], "first_seen": null,
    });
    serde_json::from_value(g).unwrap()
}

#[test]
fn shipped_file_loads_and_every_text_is_in_three_languages() {
    let kb = kb();
    assert!(kb.entries().len() >= 15, "{}", kb.entries().len());
    for e in kb.entries() {
        for (what, t) in [("cause", &e.cause), ("explanation", &e.explanation)] {
            for lang in ["en", "nl", "pt"] {
                assert!(!t.get(lang).trim().is_empty(), "{} {what} {lang}", e.id);
            }
            assert_ne!(t.en, t.nl, "{} {what}: Dutch is a copy of English", e.id);
            assert_ne!(
                t.en, t.pt,
                "{} {what}: Portuguese is a copy of English",
                e.id
            );
        }
    }
    // The program's own copy is the same file.
    assert_eq!(knowledge::builtin().entries().len(), kb.entries().len());
}

#[test]
fn every_fix_is_a_page_of_the_shipped_flows() {
    let flows = wizard::builtin().unwrap_or_else(|e| panic!("{e}"));
    kb().check_fixes(|page| flows.find(page).is_some())
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_missing_page_is_reported_where_it_is_written() {
    let flows = wizard::builtin().unwrap();
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("wizards/knowledge.ron"),
    )
    .unwrap();
    let broken = source.replacen("fix: \"rebuild/start\"", "fix: \"rebuild/nowhere\"", 1);
    let kb = load_str(Path::new("kb.ron"), &broken).unwrap();
    let errors = kb.check_fixes(|p| flows.find(p).is_some()).unwrap_err().0;
    assert_eq!(errors.len(), 1, "{errors:?}");
    let line = broken
        .lines()
        .position(|l| l.contains("rebuild/nowhere"))
        .unwrap()
        + 1;
    assert_eq!(
        (errors[0].line, errors[0].column),
        (line, 18),
        "{}",
        errors[0]
    );
    assert!(errors[0].to_string().starts_with(&format!(
        "kb.ron:{line}:18: no wizard page `rebuild/nowhere`"
    )));
}

#[test]
fn each_code_and_message_of_the_articles_has_its_entry() {
    let kb = kb();
    // Section, code, message, the error's words, the entry that must apply.
    type Case<'a> = (
        Section,
        Option<&'a str>,
        Option<KnownMessage>,
        &'a str,
        &'a str,
    );
    let cases: &[Case] = &[
        (
            Section::OrganizationForms,
            Some("8004010F"),
            None,
            "Terminated in error",
            "organization_forms_not_found",
        ),
        (
            Section::OfflineAddressBook,
            Some("8004010F"),
            None,
            "Error",
            "address_book_not_found",
        ),
        (
            Section::Mailbox,
            Some("8004010F"),
            None,
            "Error",
            "not_found",
        ),
        (
            Section::Mailbox,
            Some("80040600"),
            None,
            "Error",
            "corrupt_store",
        ),
        (
            Section::Mailbox,
            Some("80040115"),
            None,
            "Error",
            "network_error",
        ),
        (
            Section::Other,
            Some("80040119"),
            None,
            "Error",
            "extended_error",
        ),
        (
            Section::Mailbox,
            Some("8004011D"),
            None,
            "Error",
            "provider_failed",
        ),
        (
            Section::Mailbox,
            Some("80070005"),
            None,
            "Error",
            "access_denied",
        ),
        (
            Section::Hierarchy,
            Some("80004005"),
            None,
            "Error",
            "general_failure",
        ),
        (Section::Mailbox, Some("80040305"), None, "Error", "too_big"),
        (
            Section::Mailbox,
            Some("80070057"),
            None,
            "Error synchronizing message 'x'",
            "invalid_parameter",
        ),
        (
            Section::Hierarchy,
            None,
            Some(KnownMessage::BackgroundSyncError),
            "Background Synchronization Error",
            "background_sync_error",
        ),
        (
            Section::Other,
            None,
            Some(KnownMessage::DifferentMailbox),
            "configured for use with a different mailbox",
            "different_mailbox",
        ),
        (
            Section::Other,
            None,
            Some(KnownMessage::NotOutlookDataFile),
            "is not an Outlook data file",
            "not_outlook_data_file",
        ),
        (
            Section::PublicFolders,
            None,
            Some(KnownMessage::PublicFolderServer),
            "Could not connect to public folder server.",
            "public_folder_server",
        ),
        // A message says more than the code beside it.
        (
            Section::PublicFolders,
            Some("80040115"),
            Some(KnownMessage::PublicFolderServer),
            "Could not connect to public folder server.",
            "public_folder_server",
        ),
    ];
    for (section, code, message, text, want) in cases {
        let f = kb.explain(&group(*section, *code, *message, text));
        assert_eq!(&f.id, want, "{section:?} {code:?} {message:?}");
        assert!(f.known);
    }
    // The two meanings of 8004010F send the person to different pages.
    let forms = kb.entry("organization_forms_not_found").unwrap();
    let book = kb.entry("address_book_not_found").unwrap();
    assert_eq!(forms.fix, "support_files/start");
    assert_eq!(book.fix, "sync_errors/address_book");
    assert_ne!(forms.cause, book.cause);
}

#[test]
fn an_unknown_code_is_said_to_be_unknown_with_its_mapi_name() {
    let kb = kb();
    let f = kb.explain(&group(Section::Mailbox, Some("8004010B"), None, "Error"));
    assert!(!f.known);
    assert_eq!(f.id, "unknown");
    assert_eq!(f.name.as_deref(), Some("MAPI_E_BUSY"));
    assert_eq!(
        f.cause.en,
        "8004010B (MAPI_E_BUSY) is not in the knowledge base."
    );
    assert!(f.cause.nl.starts_with("8004010B (MAPI_E_BUSY)"));
    let f = kb.explain(&group(Section::Mailbox, Some("DEADBEEF"), None, "Error"));
    assert_eq!(f.name, None);
    assert!(f.cause.pt.starts_with("DEADBEEF não"));
    let f = kb.explain(&group(
        Section::Other,
        None,
        None,
        "Unable to open the thing",
    ));
    assert!(f.cause.en.starts_with("\"Unable to open the thing\""));
}

fn first_error(source: &str) -> (usize, usize, String) {
    let e = &load_str(Path::new("kb.ron"), source).unwrap_err().0[0];
    (e.line, e.column, e.problem.clone())
}

const SMALL: &str = r#"(
    names: {"8004010F": "MAPI_E_NOT_FOUND"},
    unknown: (
        cause: (en: "{error} unknown", nl: "{error} onbekend", pt: "{error} desconhecido"),
        explanation: (en: "e", nl: "n", pt: "p"),
        fix: "sync_errors/ask",
    ),
    entries: [
        (
            id: "not_found",
            when: (code: "8004010F"),
            cause: (en: "e", nl: "n", pt: "p"),
            explanation: (en: "e", nl: "n", pt: "p"),
            fix: "sync/start",
        ),
    ],
)
"#;

#[test]
fn malformed_files_name_line_and_column() {
    assert!(load_str(Path::new("kb.ron"), SMALL).is_ok());

    // A syntax error, at RON's own position.
    let (line, column, _) = first_error(&SMALL.replace("id: \"not_found\",", "id: \"not_found\""));
    assert_eq!((line, column), (11, 13));

    // A language missing.
    let (line, _, problem) = first_error(&SMALL.replace(
        "cause: (en: \"e\", nl: \"n\", pt: \"p\"),",
        "cause: (en: \"e\", nl: \"n\"),",
    ));
    assert_eq!(line, 12, "{problem}");
    assert!(problem.contains("pt"), "{problem}");

    // An empty translation.
    let (line, column, problem) = first_error(&SMALL.replace(
        "explanation: (en: \"e\", nl: \"n\", pt: \"p\"),\n            fix",
        "explanation: (en: \"e\", nl: \" \", pt: \"p\"),\n            fix",
    ));
    assert_eq!((line, column), (10, 17));
    assert_eq!(
        problem,
        "the explanation of `not_found` has no text for `nl`"
    );

    // A code that is not one.
    let (line, column, problem) =
        first_error(&SMALL.replace("code: \"8004010F\"", "code: \"8004010f\""));
    assert_eq!((line, column), (11, 26));
    assert!(problem.contains("eight upper-case hex digits"), "{problem}");

    // An unknown section.
    let (line, _, problem) = first_error(&SMALL.replace(
        "code: \"8004010F\"",
        "code: \"8004010F\", sections: [forms]",
    ));
    assert_eq!(line, 11, "{problem}");

    // An entry that applies to everything.
    let (line, column, problem) = first_error(&SMALL.replace("code: \"8004010F\"", ""));
    assert_eq!((line, column), (10, 17));
    assert!(problem.contains("applies to every error"), "{problem}");
}

#[test]
fn duplicates_and_hidden_entries_are_errors() {
    let entry = SMALL
        .split_once("entries: [\n")
        .unwrap()
        .1
        .rsplit_once("    ],")
        .unwrap()
        .0
        .to_string();
    let twice = SMALL.replace(&entry, &format!("{entry}{entry}"));
    let errors = load_str(Path::new("kb.ron"), &twice).unwrap_err().0;
    assert!(
        errors
            .iter()
            .any(|e| e.line == 17 && e.problem == "entry `not_found` is defined twice"),
        "{errors:?}"
    );

    // A narrower entry after a wider one never applies.
    let narrower = entry.replace("\"not_found\"", "\"forms\"").replace(
        "code: \"8004010F\"",
        "code: \"8004010F\", sections: [organization_forms]",
    );
    let hidden = SMALL.replace(&entry, &format!("{entry}{narrower}"));
    let (line, column, problem) = first_error(&hidden);
    assert_eq!((line, column), (17, 17));
    assert!(
        problem.contains("`forms` never applies: `not_found` comes first"),
        "{problem}"
    );
    // The other way round is how it should be written.
    assert!(
        load_str(
            Path::new("kb.ron"),
            &SMALL.replace(&entry, &format!("{narrower}{entry}"))
        )
        .is_ok()
    );
}
