//! `ostdoctor wizard --script`: the flows walked headless with the real backend, as a
//! helpdesk script runs them, on real Outlook stores (or copies of them for fixes).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{TempDir, fixture};
use serde_json::Value;

fn wizard(script: &str, store: &Path, data: &Path, extra: &[&str]) -> Output {
    let file = data.join(format!("script-{}.ron", std::process::id()));
    std::fs::create_dir_all(data).unwrap();
    std::fs::write(&file, script).unwrap();
    Command::new(env!("CARGO_BIN_EXE_ostdoctor"))
        .args(["wizard", "--lang", "en", "--script"])
        .arg(&file)
        .arg(store)
        .args(extra)
        .env("OSTDOCTOR_DATA_DIR", data.join("journal"))
        .env("OSTDOCTOR_SEARCH_ROOT", data.join("no-office"))
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Runs a walk that must succeed and returns what it printed.
fn walk_ok(script: &str, store: &Path, data: &Path, extra: &[&str]) -> String {
    let out = wizard(script, store, data, extra);
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// The JSON session report the walk wrote into `dir`.
fn report_in(dir: &Path) -> Value {
    let json = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a JSON report");
    serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap()
}

#[test]
fn the_real_sync_log_leads_to_the_public_folder_page_and_a_report() {
    let Some(store) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let dir = TempDir::new("cli-wizard-logs");
    let reports = dir.path().join("reports");
    let text = walk_ok(
        r#"(flow: "main", answers: ["error_message", "no"])"#,
        &store,
        dir.path(),
        &["--report", reports.to_str().unwrap()],
    );
    assert!(
        text.contains("sync_log.messages = public_folder_server"),
        "{text}"
    );
    assert!(text.contains("[sync_errors/public_folders]"), "{text}");
    assert!(
        text.contains("outcome: healthy at sync_errors/public_folders_harmless"),
        "{text}"
    );

    let report = report_in(&reports);
    assert_eq!(report["outcome"], "healthy");
    assert_eq!(report["facts"]["store.kind"], "ost");
    assert_eq!(report["facts"]["store.item_count"], 183);
    let logs = &report["findings"]["sync_logs"]["report"]["logs"];
    assert_eq!(logs.as_array().map(Vec::len), Some(1));
    let html = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .expect("an HTML report");
    assert!(html.contains("<td>sync_log.messages</td><td>public_folder_server</td>"));
    assert!(html.contains("None: nothing on the computer or the server was changed."));
}

#[test]
fn a_confirmed_rebuild_renames_a_copy_to_old_and_undo_puts_it_back() {
    let Some(real) = fixture("enron.pst") else {
        return;
    };
    let dir = TempDir::new("cli-wizard-rebuild");
    let store = dir.path().join("Outlook.ost");
    std::fs::copy(&real, &store).unwrap();
    let original = std::fs::read(&store).unwrap();
    // A .old from an earlier rebuild is never overwritten.
    std::fs::write(dir.path().join("Outlook.ost.old"), b"an earlier rebuild").unwrap();

    let text = walk_ok(
        r#"(flow: "rebuild", answers: ["all_on_server", "solved"], confirm: [true])"#,
        &store,
        dir.path(),
        &[],
    );
    assert!(text.contains("outcome: fixed at rebuild/rebuilt"), "{text}");
    let old = dir.path().join("Outlook.ost.1.old");
    assert!(
        text.contains(&format!(
            "done: Rename {} to {}",
            store.display(),
            old.display()
        )),
        "{text}"
    );
    assert!(!store.exists());
    assert_eq!(std::fs::read(&old).unwrap(), original);
    assert_eq!(
        std::fs::read(dir.path().join("Outlook.ost.old")).unwrap(),
        b"an earlier rebuild"
    );

    // `fix undo` from the journal the walk wrote puts it back, byte for byte.
    let undone = Command::new(env!("CARGO_BIN_EXE_ostdoctor"))
        .args(["fix", "undo", "--yes"])
        .env("OSTDOCTOR_DATA_DIR", dir.path().join("journal"))
        .output()
        .unwrap();
    assert!(
        undone.status.success(),
        "{}",
        String::from_utf8_lossy(&undone.stderr)
    );
    assert_eq!(std::fs::read(&store).unwrap(), original);
    assert!(!old.exists());
}

#[test]
fn a_rebuild_that_did_not_help_is_undone_in_the_same_walk() {
    let Some(real) = fixture("enron.pst") else {
        return;
    };
    let dir = TempDir::new("cli-wizard-undo");
    let store = dir.path().join("Outlook.ost");
    std::fs::copy(&real, &store).unwrap();
    let original = std::fs::read(&store).unwrap();
    let text = walk_ok(
        r#"(flow: "rebuild", answers: ["all_on_server", "not_solved", "undo"], confirm: [true, true])"#,
        &store,
        dir.path(),
        &[],
    );
    assert!(
        text.contains("outcome: unresolved at rebuild/restored"),
        "{text}"
    );
    assert_eq!(std::fs::read(&store).unwrap(), original);
    assert!(!dir.path().join("Outlook.ost.old").exists());
}

#[test]
fn a_file_that_is_not_a_store_is_named_as_such() {
    let dir = TempDir::new("cli-wizard-not-store");
    let notes = dir.path().join("notes.ost");
    std::fs::write(&notes, "Dear diary, today Outlook said my file was broken.").unwrap();
    let text = walk_ok(r#"(answers: ["wrong_file"])"#, &notes, dir.path(), &[]);
    assert!(text.contains("store.is_outlook_file = no"), "{text}");
    assert!(text.contains("[main/not_a_data_file]"), "{text}");
    assert!(
        text.contains("outcome: stopped at main/wrong_file"),
        "{text}"
    );
}

/// A file that is not a store holds nothing to save: the walk says so and goes to setting
/// it aside, never offering to save "all its items" (an export bound to fail).
#[test]
fn a_file_that_is_not_a_store_is_set_aside_without_an_offer_to_save_it() {
    let dir = TempDir::new("cli-wizard-not-store-rebuild");
    let notes = dir.path().join("notes.ost");
    std::fs::write(&notes, "Dear diary, today Outlook said my file was broken.").unwrap();
    let text = walk_ok(
        r#"(answers: ["rebuild", "set_aside", "solved"], confirm: [true])"#,
        &notes,
        dir.path(),
        &[],
    );
    assert!(text.contains("[main/nothing_to_save]"), "{text}");
    assert!(!text.contains("rebuild/local_check"), "{text}");
    assert!(!text.contains("export_store_to_pst"), "{text}");
    assert!(text.contains("outcome: fixed at rebuild/rebuilt"), "{text}");
    assert!(!notes.exists(), "the file was set aside");
}

#[test]
fn a_script_that_runs_out_of_answers_fails_naming_the_page() {
    let Some(store) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let dir = TempDir::new("cli-wizard-short");
    let out = wizard(r#"(flow: "main", answers: [])"#, &store, dir.path(), &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("page main/symptom asks a question, but the script has no answers left"),
        "{err}"
    );
}

#[test]
fn a_damaged_store_shows_its_problems_before_the_rebuild() {
    let Some(real) = fixture("enron.pst") else {
        return;
    };
    let dir = TempDir::new("cli-wizard-damaged");
    let store = dir.path().join("Outlook.ost");
    let mut bytes = std::fs::read(&real).unwrap();
    // Inside a data block: its checksum no longer matches.
    bytes[5_000_000] ^= 0xFF;
    std::fs::write(&store, &bytes).unwrap();
    let reports = dir.path().join("reports");
    let text = walk_ok(
        r#"(flow: "rebuild", answers: ["all_on_server"], confirm: [false])"#,
        &store,
        dir.path(),
        &["--report", reports.to_str().unwrap()],
    );
    assert!(text.contains("store.damaged = yes"), "{text}");
    assert!(text.contains("[rebuild/damage]"), "{text}");
    assert!(text.contains("statistics: store_problems"), "{text}");
    assert!(
        text.contains("outcome: stopped at rebuild/stopped"),
        "{text}"
    );
    // The report carries the scan log: the damaged block, where it is.
    let report = report_in(&reports);
    let finding = &report["findings"]["scan"]["findings"][0];
    assert_eq!(finding["class"], "block_crc");
    assert_eq!(finding["offset"], 0x4C3600);
    assert_eq!(
        std::fs::read(&store).unwrap(),
        bytes,
        "the store was changed"
    );
}

#[test]
fn a_password_protected_pst_is_named_so() {
    let Some(store) = fixture("passworded.pst") else {
        return;
    };
    let dir = TempDir::new("cli-wizard-password");
    let text = walk_ok(r#"(answers: [])"#, &store, dir.path(), &[]);
    assert!(text.contains("store.password_protected = yes"), "{text}");
    assert!(
        text.contains("outcome: stopped at main/personal_store_password"),
        "{text}"
    );
}

/// `--export-to DIR`: the backup before a rebuild is written into that folder (made for
/// it), not beside the store; a folder that cannot hold it is refused before the walk.
#[test]
fn export_to_puts_the_backup_in_the_folder_given() {
    let Some(real) = fixture("enron.pst") else {
        return;
    };
    let dir = TempDir::new("cli-wizard-export-to");
    let store = dir.path().join("Outlook.ost");
    std::fs::copy(&real, &store).unwrap();
    let copies = dir.path().join("ticket 4711").join("copies");
    let text = walk_ok(
        r#"(flow: "rebuild", answers: ["save_all", "continue", "solved"], confirm: [true, true])"#,
        &store,
        dir.path(),
        &["--export-to", copies.to_str().unwrap()],
    );
    let backup = copies.join("Outlook - backup.pst");
    assert!(
        text.contains(&format!("Copy 71 items into {}", backup.display())),
        "{text}"
    );
    assert!(backup.is_file(), "{text}");
    assert!(!dir.path().join("Outlook - backup.pst").exists());

    let file = dir.path().join("not a folder");
    std::fs::write(&file, b"").unwrap();
    let refused = wizard(
        r#"(flow: "rebuild", answers: ["save_all"], confirm: [true])"#,
        &store,
        dir.path(),
        &["--export-to", file.to_str().unwrap()],
    );
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("--export-to:") && said.contains("is a file, not a folder"),
        "{said}"
    );
}
