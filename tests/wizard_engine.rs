//! The engine's own rules, on a small flow made for them: going back, fixes applied
//! only when confirmed, failures, the catalogue contract and the language switch.

mod wizard_support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use ostdoctor::wizard::{
    self, AnswerRecord, Body, Engine, EngineError, FactValue, Facts, FixPlan, Language, Reply,
    Request, WizardSet,
};

use wizard_support::{Scripted, ScriptedBackend};

const FLOW: &str = r#"(
    title: (en: "Test flow", nl: "Testflow", pt: "Fluxo de teste"),
    pages: [
        (
            id: "count",
            title: (en: "Counting", nl: "Tellen", pt: "Contando"),
            text: (en: "Counting.", nl: "Tellen.", pt: "Contando."),
            step: Check(check: "compare_with_server", otherwise: "table"),
        ),
        (
            id: "table",
            title: (en: "Counts", nl: "Aantallen", pt: "Contagens"),
            text: (
                en: "{compare.folders_differing} differ.",
                nl: "{compare.folders_differing} wijken af.",
                pt: "{compare.folders_differing} diferem.",
            ),
            step: Statistics(view: "folder_counts", next: "ask"),
        ),
        (
            id: "ask",
            title: (en: "Go on?", nl: "Doorgaan?", pt: "Continuar?"),
            text: (en: "Pick one.", nl: "Kies er een.", pt: "Escolha um."),
            step: Question(answers: [
                (id: "go", label: (en: "Go", nl: "Ga", pt: "Vai"), next: "look"),
                (id: "leave", label: (en: "Leave", nl: "Weg", pt: "Sair"), next: "stopped"),
            ]),
        ),
        (
            id: "look",
            title: (en: "Looking", nl: "Kijken", pt: "Olhando"),
            text: (en: "Looking.", nl: "Kijken.", pt: "Olhando."),
            step: Check(
                check: "outlook_running",
                branches: [(when: Is("outlook.running"), next: "busy")],
                otherwise: "rename",
            ),
        ),
        (
            id: "busy",
            title: (en: "Busy", nl: "Bezig", pt: "Ocupado"),
            text: (en: "Close {outlook.processes}.", nl: "Sluit {outlook.processes}.", pt: "Feche {outlook.processes}."),
            step: Question(answers: [
                (id: "closed", label: (en: "Closed", nl: "Gesloten", pt: "Fechado"), next: "look"),
            ]),
        ),
        (
            id: "rename",
            title: (en: "Rename", nl: "Hernoemen", pt: "Renomear"),
            text: (en: "Renaming.", nl: "Hernoemen.", pt: "Renomeando."),
            step: Fix(fix: "rename_store_to_old", done: "after", cancelled: "stopped"),
        ),
        (
            id: "after",
            title: (en: "After", nl: "Daarna", pt: "Depois"),
            text: (en: "Now {rebuild.old_path}.", nl: "Nu {rebuild.old_path}.", pt: "Agora {rebuild.old_path}."),
            step: Question(answers: [
                (id: "ok", label: (en: "OK", nl: "OK", pt: "OK"), next: "fixed"),
            ]),
        ),
        (
            id: "stopped",
            title: (en: "Stopped", nl: "Gestopt", pt: "Parado"),
            text: (en: "Stopped.", nl: "Gestopt.", pt: "Parado."),
            step: Result(outcome: Stopped),
        ),
        (
            id: "fixed",
            title: (en: "Fixed", nl: "Hersteld", pt: "Corrigido"),
            text: (en: "Fixed.", nl: "Hersteld.", pt: "Corrigido."),
            step: Result(outcome: Fixed),
        ),
    ],
)
"#;

fn set() -> Arc<WizardSet> {
    let set = wizard::load_sources(vec![(PathBuf::from("t.ron"), FLOW.to_owned())])
        .unwrap_or_else(|e| panic!("{e}"));
    Arc::new(set)
}

fn baseline() -> BTreeMap<String, Facts> {
    wizard_support::walks().baseline
}

fn backend() -> ScriptedBackend {
    ScriptedBackend::new(baseline())
}

fn engine() -> Engine {
    Engine::new(set(), "t", Language::English).unwrap()
}

fn running() -> Scripted {
    Scripted::Facts(
        Facts::new()
            .with("outlook.running", true)
            .with("outlook.processes", vec!["OUTLOOK.EXE".to_owned()]),
    )
}

/// Runs the pending backend request, which must exist.
fn run(engine: &mut Engine, backend: &mut ScriptedBackend) {
    engine
        .run_backend(backend)
        .unwrap()
        .expect("a pending request");
}

/// Walks to the fix page: count, table, ask (go), look (Outlook running), busy
/// (closed), look (not running), rename.
fn to_fix(engine: &mut Engine, backend: &mut ScriptedBackend) {
    backend.queue("outlook_running", running());
    run(engine, backend);
    engine.go_on().unwrap();
    engine.answer("go").unwrap();
    run(engine, backend);
    assert_eq!(engine.page_id(), "t/busy");
    engine.answer("closed").unwrap();
    run(engine, backend);
    assert_eq!(engine.page_id(), "t/rename");
}

#[test]
fn back_restores_page_answers_and_facts() {
    let (mut engine, mut backend) = (engine(), backend());
    backend.queue("outlook_running", running());
    assert!(!engine.can_go_back());
    run(&mut engine, &mut backend);
    assert_eq!(engine.page_id(), "t/table");
    engine.go_on().unwrap();
    engine.answer("go").unwrap();
    run(&mut engine, &mut backend);
    assert_eq!(engine.page_id(), "t/busy");
    engine.answer("closed").unwrap();
    assert_eq!(engine.page_id(), "t/look");

    assert!(engine.back());
    assert_eq!(engine.page_id(), "t/busy");
    assert_eq!(
        engine.answers(),
        [AnswerRecord {
            page: "t/ask".into(),
            answer: "go".into()
        }]
    );
    assert_eq!(
        engine.facts().get("outlook.running"),
        Some(&FactValue::Bool(true))
    );

    // Back skips the check page between ask and busy: it is not a place to stop.
    assert!(engine.back());
    assert_eq!(engine.page_id(), "t/ask");
    assert!(engine.answers().is_empty());
    assert_eq!(engine.facts().get("outlook.running"), None);
    assert!(engine.facts().get("compare.folders_differing").is_some());

    assert!(engine.back());
    assert_eq!(engine.page_id(), "t/table");
    assert!(!engine.can_go_back());
    assert!(!engine.back());
    assert_eq!(engine.page_id(), "t/table");

    // The walk goes on from there as before.
    engine.go_on().unwrap();
    engine.answer("leave").unwrap();
    assert_eq!(engine.page_id(), "t/stopped");
}

#[test]
fn cancel_on_a_fix_page_never_applies() {
    let (mut engine, mut backend) = (engine(), backend());
    to_fix(&mut engine, &mut backend);
    run(&mut engine, &mut backend);
    let Body::Fix {
        plan: Some(plan),
        confirmed: false,
        ..
    } = engine.view().body
    else {
        panic!("a plan to confirm: {:?}", engine.view());
    };
    assert_eq!(
        plan,
        ["Rename rename_store_to_old.ost to rename_store_to_old.old"]
    );
    assert_eq!(engine.request(), None, "nothing runs before a confirmation");
    engine.cancel().unwrap();
    assert_eq!(engine.page_id(), "t/stopped");
    assert!(backend.applied().is_empty(), "{:?}", backend.calls);
    assert!(
        backend
            .calls
            .contains(&"plan rename_store_to_old".to_owned())
    );
}

#[test]
fn cancel_before_planning_calls_nothing() {
    let (mut engine, mut backend) = (engine(), backend());
    to_fix(&mut engine, &mut backend);
    let calls = backend.calls.len();
    engine.cancel().unwrap();
    assert_eq!(engine.page_id(), "t/stopped");
    assert_eq!(backend.calls.len(), calls);
}

#[test]
fn confirm_needs_a_plan_and_locks_the_page_until_applied() {
    let (mut engine, mut backend) = (engine(), backend());
    to_fix(&mut engine, &mut backend);
    assert!(matches!(
        engine.confirm(),
        Err(EngineError::NotPlanned { .. })
    ));
    run(&mut engine, &mut backend);
    engine.confirm().unwrap();
    assert!(matches!(engine.request(), Some(Request::ApplyFix { .. })));
    assert!(matches!(
        engine.cancel(),
        Err(EngineError::FixUnderWay { .. })
    ));
    assert!(!engine.can_go_back());
    assert!(!engine.back());
    assert!(backend.applied().is_empty());

    run(&mut engine, &mut backend);
    assert_eq!(backend.applied(), ["rename_store_to_old"]);
    assert_eq!(engine.page_id(), "t/after");
    assert!(engine.view().text.ends_with("ana@example.com.old."));
    // The files have changed: no way back past the fix.
    assert!(!engine.can_go_back());
    engine.answer("ok").unwrap();
    assert_eq!(engine.page_id(), "t/fixed");
    assert_eq!(engine.outcome(), Some(wizard::Outcome::Fixed));
}

#[test]
fn a_failed_apply_needs_a_new_confirmation() {
    let (mut engine, mut backend) = (engine(), backend());
    backend.queue("rename_store_to_old", Scripted::Fail("file in use".into()));
    to_fix(&mut engine, &mut backend);
    run(&mut engine, &mut backend);
    engine.confirm().unwrap();
    run(&mut engine, &mut backend);
    assert_eq!(engine.page_id(), "t/rename");
    assert_eq!(engine.view().error.as_deref(), Some("file in use"));
    assert_eq!(engine.request(), None, "no retry without a confirmation");
    engine.confirm().unwrap();
    run(&mut engine, &mut backend);
    assert_eq!(engine.page_id(), "t/after");
    assert_eq!(backend.applied().len(), 2);
}

/// Cancel pressed while a fix runs is the person's choice, not a failure: the page's
/// `cancelled` exit is taken (never `failed`, whose page would blame the disk).
#[test]
fn a_cancel_during_a_fix_leaves_by_the_cancelled_exit() {
    let (mut engine, mut backend) = (engine(), backend());
    backend.queue("rename_store_to_old", Scripted::Cancelled);
    to_fix(&mut engine, &mut backend);
    run(&mut engine, &mut backend);
    engine.confirm().unwrap();
    run(&mut engine, &mut backend);
    assert_eq!(engine.page_id(), "t/stopped");
    assert_eq!(engine.view().error, None);
    assert_eq!(engine.outcome(), Some(wizard::Outcome::Stopped));
}

#[test]
fn a_failed_check_without_an_exit_stays_and_can_be_retried() {
    let (mut engine, mut backend) = (engine(), backend());
    backend.queue(
        "compare_with_server",
        Scripted::Fail("no connection".into()),
    );
    run(&mut engine, &mut backend);
    assert_eq!(engine.page_id(), "t/count");
    assert_eq!(engine.view().error.as_deref(), Some("no connection"));
    assert!(matches!(engine.request(), Some(Request::RunCheck { .. })));
    run(&mut engine, &mut backend);
    assert_eq!(engine.page_id(), "t/table");
    assert_eq!(engine.view().error, None);
}

#[test]
fn backend_answers_outside_the_catalogue_are_refused() {
    let mut engine = engine();
    let mut facts = baseline()["compare_with_server"].clone();
    facts.set("compare.folders_differing", "two");
    let error = engine.complete(Reply::Check(Ok(facts))).unwrap_err();
    assert!(
        matches!(&error, EngineError::Contract { operation, problem }
            if operation == "compare_with_server" && problem.contains("whole number")),
        "{error}"
    );
    assert_eq!(engine.page_id(), "t/count");
    assert!(engine.facts().is_empty());

    let missing = Facts::new().with("compare.folders_differing", 0);
    assert!(matches!(
        engine.complete(Reply::Check(Ok(missing))),
        Err(EngineError::Contract { .. })
    ));

    let extra = baseline()["compare_with_server"]
        .clone()
        .with("compare.colour", "blue");
    assert!(matches!(
        engine.complete(Reply::Check(Ok(extra))),
        Err(EngineError::Contract { .. })
    ));
}

#[test]
fn replies_and_actions_must_fit_the_page() {
    let mut engine = engine();
    assert!(matches!(
        engine.complete(Reply::Plan(Ok(FixPlan::default()))),
        Err(EngineError::UnexpectedReply { .. })
    ));
    assert!(matches!(
        engine.answer("go"),
        Err(EngineError::WrongPage { .. })
    ));
    assert!(matches!(engine.go_on(), Err(EngineError::WrongPage { .. })));
    assert!(matches!(
        engine.cancel(),
        Err(EngineError::WrongPage { .. })
    ));

    let mut backend = backend();
    run(&mut engine, &mut backend);
    engine.go_on().unwrap();
    let error = engine.answer("stay").unwrap_err();
    assert_eq!(
        error.to_string(),
        "page t/ask has no answer `stay`; its answers are: go, leave"
    );
    assert_eq!(engine.page_id(), "t/ask");
    assert!(matches!(
        Engine::new(set(), "nowhere", Language::English),
        Err(EngineError::UnknownFlow(_))
    ));
}

#[test]
fn language_switch_changes_text_not_state() {
    let (mut engine, mut backend) = (engine(), backend());
    run(&mut engine, &mut backend);
    engine.go_on().unwrap();
    let english = engine.view();
    let facts = engine.facts().clone();
    let trail = engine.trail().to_vec();

    engine.set_language(Language::Dutch);
    let dutch = engine.view();
    assert_eq!(dutch.title, "Doorgaan?");
    assert_eq!(dutch.flow_title, "Testflow");
    let Body::Question { answers } = &dutch.body else {
        panic!("a question");
    };
    let labels: Vec<_> = answers.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["Ga", "Weg"]);
    assert_eq!(dutch.id, english.id);
    assert_eq!(engine.facts(), &facts);
    assert_eq!(engine.trail(), trail);
    assert!(engine.can_go_back());

    engine.set_language(Language::Portuguese);
    assert_eq!(engine.view().title, "Continuar?");
    engine.set_language(Language::English);
    assert_eq!(engine.view(), english);

    // Facts are filled in whatever the language.
    engine.back();
    engine.set_language(Language::Dutch);
    assert_eq!(engine.view().text, "0 wijken af.");
}

/// Where a check could not measure and the person looked instead, the answer is what the
/// walk knows from then on (and what its report says); going back takes it back.
#[test]
fn what_an_answer_tells_becomes_a_fact_until_taken_back() {
    let set = wizard_support::shipped();
    let mut engine = Engine::new(set, "profile", Language::English).unwrap();
    let mut backend = backend_for_shipped();
    backend.queue("detect_cached_mode", Scripted::Fail("no registry".into()));
    run(&mut engine, &mut backend);
    assert_eq!(engine.page_id(), "profile/ask");
    assert_eq!(engine.facts().get("profile.cached_mode"), None);
    engine.answer("on").unwrap();
    assert_eq!(
        engine.facts().get("profile.cached_mode"),
        Some(&FactValue::Bool(true))
    );
    assert!(engine.back());
    assert_eq!(engine.facts().get("profile.cached_mode"), None);
    engine.answer("off").unwrap();
    assert_eq!(
        engine.facts().get("profile.cached_mode"),
        Some(&FactValue::Bool(false))
    );
}

fn backend_for_shipped() -> ScriptedBackend {
    wizard_support::walks().backend()
}

#[test]
fn an_answer_may_only_tell_facts_the_catalogue_knows_in_their_kind() {
    let flow = |sets: &str| {
        format!(
            r#"(
                title: (en: "T", nl: "T", pt: "T"),
                pages: [
                    (
                        id: "ask",
                        title: (en: "Ask", nl: "Vraag", pt: "Pergunta"),
                        text: (en: "?", nl: "?", pt: "?"),
                        step: Question(answers: [
                            (id: "a", label: (en: "A", nl: "A", pt: "A"), next: "end", sets: {sets}),
                        ]),
                    ),
                    (
                        id: "end",
                        title: (en: "End", nl: "Einde", pt: "Fim"),
                        text: (en: ".", nl: ".", pt: "."),
                        step: Result(outcome: Healthy),
                    ),
                ],
            )"#
        )
    };
    let load = |sets: &str| wizard::load_sources(vec![(PathBuf::from("a.ron"), flow(sets))]);
    assert!(load(r#"{"profile.cached_mode": Bool(true)}"#).is_ok());
    let unknown = load(r#"{"profile.nonsense": Bool(true)}"#)
        .unwrap_err()
        .to_string();
    assert!(
        unknown.contains("unknown fact `profile.nonsense`"),
        "{unknown}"
    );
    let wrong = load(r#"{"profile.cached_mode": Int(1)}"#)
        .unwrap_err()
        .to_string();
    assert!(wrong.contains("sets `profile.cached_mode`"), "{wrong}");
}
