//! `run_script`: a flow walked from a script of answers, printed page by page.

mod wizard_support;

use std::io;
use std::path::Path;

use ostdoctor::wizard::{
    Engine, EngineError, Facts, Language, Outcome, Script, ScriptError, Transition, Via, run_script,
};

use wizard_support::{Scripted, ScriptedBackend, shipped, walks};

fn backend() -> ScriptedBackend {
    walks().backend()
}

fn script(text: &str) -> Script {
    Script::parse(Path::new("answers.ron"), text).unwrap()
}

#[test]
fn prints_each_page_and_the_choice_taken() {
    let set = shipped();
    let mut backend = backend();
    backend.queue(
        "check_store_structure",
        Scripted::Facts(Facts::new().with("store.damaged", true).with(
            "store.problems",
            vec!["block 0x2a: bad checksum".to_owned()],
        )),
    );
    backend.queue(
        "compare_with_server",
        Scripted::Facts(Facts::new().with("compare.local_only_items", 4)),
    );
    let script =
        script(r#"(flow: "rebuild", answers: ["continue", "solved"], confirm: [true, true])"#);
    let mut out = Vec::new();
    let run = run_script(&set, &script, &mut backend, Language::English, &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();

    assert_eq!(run.result, "rebuild/rebuilt");
    assert_eq!(run.outcome, Outcome::Fixed);
    assert_eq!(
        run.trail.first(),
        Some(&Transition {
            from: "rebuild/start".into(),
            via: Via::Branch(0),
            to: "rebuild/damage".into()
        })
    );
    let lines: Vec<&str> = out.lines().collect();
    let expected_in_order = [
        "[rebuild/start] Checking the store's structure",
        "  check: check_store_structure",
        "    store.damaged = yes",
        "    store.problems = block 0x2a: bad checksum",
        "  -> rebuild/damage",
        "[rebuild/damage] The store is damaged",
        "  statistics: store_problems",
        "[rebuild/local_items] Some items exist only here",
        "  4 items are in this store but not on the server. They are saved to a .pst file before the store is replaced.",
        "  statistics: local_only_items",
        "[rebuild/export] Save the local items",
        "  fix: export_local_items",
        "    plan: Rename export_local_items.ost to export_local_items.old",
        "  confirmed",
        "    done: Rename export_local_items.ost to export_local_items.old",
        "  -> rebuild/exported",
        "[rebuild/exported] Local items saved",
        "  answer: continue (Continue)",
        "  check: outlook_running",
        "    outlook.running = no",
        "  -> rebuild/rename",
        "  fix: rename_store_to_old",
        "  confirmed",
        "[rebuild/restart] Let Outlook build the new store",
        "  The old store is now C:\\Users\\ana\\AppData\\Local\\Microsoft\\Outlook\\ana@example.com.old. Start Outlook: it prepares for first use and downloads the mailbox, which can take a while for a large one. When it is done, check whether the problem is gone.",
        "  answer: solved (The problem is gone)",
        "  -> rebuild/rebuilt",
        "[rebuild/rebuilt] New offline store in place",
        "  result: fixed",
    ];
    let mut at = 0;
    for want in expected_in_order {
        match lines[at..].iter().position(|l| *l == want) {
            Some(i) => at += i + 1,
            None => panic!("missing, or out of order: {want:?}\n{out}"),
        }
    }
    assert_eq!(lines.last(), Some(&"  result: fixed"));
    assert_eq!(
        backend.applied(),
        ["export_local_items", "rename_store_to_old"]
    );
}

#[test]
fn prints_in_the_chosen_language() {
    let set = shipped();
    let mut out = Vec::new();
    let script = script(r#"(answers: ["differs"])"#);
    let run = run_script(&set, &script, &mut backend(), Language::Dutch, &mut out).unwrap();
    assert_eq!(run.result, "compare/healthy");
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("[main/start] Het offlinebestand openen"),
        "{out}"
    );
    assert!(
        out.contains(
            "  answer: differs (Outlook toont andere items dan de server of Outlook op het web)"
        ),
        "{out}"
    );
    assert!(
        out.contains("[compare/healthy] Synchronisatie werkt"),
        "{out}"
    );
}

#[test]
fn a_fix_without_a_confirmation_is_cancelled() {
    let set = shipped();
    let mut backend = backend();
    let mut out = Vec::new();
    let script = script(r#"(flow: "rebuild", answers: [])"#);
    let run = run_script(&set, &script, &mut backend, Language::English, &mut out).unwrap();
    assert_eq!(run.result, "rebuild/stopped");
    assert!(String::from_utf8(out).unwrap().contains("  cancelled\n"));
    assert!(backend.applied().is_empty(), "{:?}", backend.calls);
}

#[test]
fn script_mistakes_are_reported() {
    let set = shipped();
    let run = |text: &str| {
        run_script(
            &set,
            &script(text),
            &mut backend(),
            Language::English,
            &mut io::sink(),
        )
    };
    assert!(matches!(
        run(r#"(answers: [])"#),
        Err(ScriptError::OutOfAnswers { page }) if page == "main/symptom"
    ));
    let error = run(r#"(answers: ["differs", "more"])"#).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the walk ended at compare/healthy with answers left over: more"
    );
    assert!(matches!(
        run(r#"(answers: ["differs"], confirm: [true])"#),
        Err(ScriptError::ConfirmationsLeft { left: 1, .. })
    ));
    assert!(matches!(
        run(r#"(answers: ["sideways"])"#),
        Err(ScriptError::Engine(EngineError::NoSuchAnswer { .. }))
    ));
    assert!(matches!(
        run(r#"(flow: "nowhere", answers: [])"#),
        Err(ScriptError::Engine(EngineError::UnknownFlow(_)))
    ));
}

#[test]
fn a_backend_failure_with_no_way_on_stops_the_script() {
    // No shipped check page lacks a way on (wizard_flows holds them to that), so the
    // engine's own behaviour is shown on a flow made for it.
    const FLOW: &str = r#"(
        title: (en: "Test", nl: "Test", pt: "Teste"),
        pages: [
            (
                id: "look",
                title: (en: "Looking", nl: "Kijken", pt: "Olhando"),
                text: (en: "Looking.", nl: "Kijken.", pt: "Olhando."),
                step: Check(check: "outlook_running", otherwise: "done"),
            ),
            (
                id: "done",
                title: (en: "Done", nl: "Klaar", pt: "Pronto"),
                text: (en: "Done.", nl: "Klaar.", pt: "Pronto."),
                step: Result(outcome: Healthy),
            ),
        ],
    )"#;
    let set = std::sync::Arc::new(
        ostdoctor::wizard::load_sources(vec![(
            std::path::PathBuf::from("test.ron"),
            FLOW.to_owned(),
        )])
        .unwrap(),
    );
    let mut backend = backend();
    backend.queue("outlook_running", Scripted::Fail("no process list".into()));
    let script = script(r#"(flow: "test", answers: [])"#);
    let error = run_script(
        &set,
        &script,
        &mut backend,
        Language::English,
        &mut io::sink(),
    )
    .unwrap_err();
    assert_eq!(error.to_string(), "page test/look: no process list");
}

#[test]
fn script_files_parse_with_positions() {
    let parsed = script("// comment\n(answers: [\"a\"], confirm: [false])");
    assert_eq!(
        parsed,
        Script {
            flow: "main".into(),
            answers: vec!["a".into()],
            confirm: vec![false],
        }
    );
    let error = Script::parse(
        Path::new("answers.ron"),
        "(\n  answers: [\"a\",\n  confirm: [],\n)",
    )
    .unwrap_err();
    assert_eq!(error.to_string(), "answers.ron:3:3: Expected string");

    let error = Script::parse(Path::new("answers.ron"), "(answer: [])").unwrap_err();
    assert!(
        error.to_string().starts_with("answers.ron:1:2: "),
        "{error}"
    );

    let missing = Script::read(Path::new("/nonexistent/answers.ron")).unwrap_err();
    assert!(matches!(missing, ScriptError::Read { .. }), "{missing}");
}

#[test]
fn script_files_are_read_from_disk() {
    let path = std::env::temp_dir().join(format!("ostdoctor-answers-{}.ron", std::process::id()));
    std::fs::write(&path, r#"(flow: "compare", answers: [])"#).unwrap();
    let script = Script::read(&path);
    std::fs::remove_file(&path).unwrap();
    let run = run_script(
        &shipped(),
        &script.unwrap(),
        &mut backend(),
        Language::English,
        &mut io::sink(),
    )
    .unwrap();
    assert_eq!(run.result, "compare/healthy");
    assert_eq!(run.outcome, Outcome::Healthy);
}

/// The backed-up page of a rebuild without a server, in `language`, the export replying
/// `export` (the baseline facts when `None`).
fn backed_up_page(language: Language, export: Option<Facts>) -> String {
    let set = shipped();
    let script = script(
        r#"(flow: "rebuild", answers: ["save_all", "continue", "solved"], confirm: [true, true])"#,
    );
    let mut backend = backend();
    backend.queue(
        "compare_with_server",
        Scripted::Fail("no connection".into()),
    );
    if let Some(facts) = export {
        backend.queue("export_store_to_pst", Scripted::Facts(facts));
    }
    let mut out = Vec::new();
    run_script(&set, &script, &mut backend, language, &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    out.split("\n[")
        .find(|p| p.starts_with("rebuild/backed_up]"))
        .unwrap_or_else(|| panic!("no backed_up page: {out}"))
        .to_owned()
}

#[test]
fn a_backup_that_left_an_item_out_says_so_on_its_result_page() {
    for (language, words) in [
        (
            Language::English,
            "Left out because it could not be read (the old store keeps it): 1 item or part: ",
        ),
        (
            Language::Dutch,
            "Weggelaten omdat het onleesbaar was (het oude bestand houdt het): 1 item of deel: ",
        ),
        (
            Language::Portuguese,
            "Deixado de fora por não poder ser lido (o arquivo antigo o guarda): 1 item ou parte: ",
        ),
    ] {
        let page = backed_up_page(language, None);
        assert!(page.contains(words), "{language:?}: {page}");
        assert!(page.contains("attachment \"q3.xlsx\""), "{page}");
    }
}

/// A backup that left nothing out says nothing of what was left out: no "0 items or
/// parts" and no empty list, in any language.
#[test]
fn a_complete_backup_says_nothing_of_losses() {
    for (language, left_out) in [
        (Language::English, "Left out"),
        (Language::Dutch, "Weggelaten"),
        (Language::Portuguese, "Deixado"),
    ] {
        let complete = Facts::new()
            .with("backup.lost", 0)
            .with("backup.losses", Vec::<String>::new());
        let page = backed_up_page(language, Some(complete));
        assert!(!page.contains(left_out), "{language:?}: {page}");
        assert!(page.contains(".pst"), "{language:?}: {page}");
    }
}

/// Cancel pressed while the export runs leads to the page that says nothing was saved,
/// never to the one that blames the disk.
#[test]
fn a_cancel_during_the_export_is_not_reported_as_a_failed_save() {
    let set = shipped();
    let script = script(r#"(flow: "rebuild", answers: ["stop"], confirm: [true])"#);
    let mut backend = backend();
    backend.queue(
        "compare_with_server",
        Scripted::Facts(ostdoctor::wizard::Facts::new().with("compare.local_only_items", 4)),
    );
    backend.queue("export_local_items", Scripted::Cancelled);
    let mut out = Vec::new();
    run_script(&set, &script, &mut backend, Language::English, &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("[rebuild/unsaved]"), "{out}");
    assert!(!out.contains("save_failed"), "{out}");
}

/// A check that failed (a refused sign-in) leads to its failure page; once the person has
/// put the cause right, Try again runs the same check from there, and Back returns to the
/// failure page.
#[test]
fn a_failed_check_is_tried_again_from_the_page_it_led_to() {
    let set = shipped();
    let mut backend = backend();
    backend.queue(
        "compare_with_server",
        Scripted::Fail("sign-in refused".into()),
    );
    let mut engine = Engine::new(set, "compare", Language::Dutch).unwrap();
    assert!(!engine.can_retry());
    engine.run_backend(&mut backend).unwrap();
    assert_eq!(engine.page_id(), "compare/by_hand");
    assert!(engine.can_retry());
    assert_eq!(engine.view().error.as_deref(), Some("sign-in refused"));

    engine.retry().unwrap();
    assert_eq!(engine.page_id(), "compare/start");
    assert!(!engine.can_retry());
    assert_eq!(engine.view().error, None);
    assert_eq!(engine.trail().last().unwrap().via, Via::Retry);
    engine.run_backend(&mut backend).unwrap();
    assert_ne!(engine.page_id(), "compare/by_hand");
    assert_eq!(
        backend
            .calls
            .iter()
            .filter(|c| *c == "check compare_with_server")
            .count(),
        2
    );
    assert!(engine.back());
    assert_eq!(engine.page_id(), "compare/by_hand");
}
