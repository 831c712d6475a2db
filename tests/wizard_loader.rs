//! Loading wizard files: the shipped ones load cleanly; broken ones are reported with
//! file, line and column.

use std::fs;
use std::path::{Path, PathBuf};

use ostdoctor::wizard::{self, Language, LoadError, Problem};

fn wizards_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("wizards")
}

/// A two-page flow laid out one field per line, so that positions in the tests below
/// can be read off the text: line N is the N-th line of this string.
const TWO_PAGES: &str = r#"// A two-page flow for loader tests.
(
    title: (en: "T", nl: "T", pt: "T"),
    pages: [
        (
            id: "start",
            title: (en: "A", nl: "A", pt: "A"),
            text: (en: "a", nl: "a", pt: "a"),
            step: Question(answers: [
                (
                    id: "go",
                    label: (en: "Go", nl: "Ga", pt: "Vai"),
                    next: "end",
                ),
            ]),
        ),
        (
            id: "end",
            title: (en: "B", nl: "B", pt: "B"),
            text: (en: "b", nl: "b", pt: "b"),
            step: Result(outcome: Fixed),
        ),
    ],
)
"#;

/// Lines 9 to 15 of `TWO_PAGES` hold the start page's step; this swaps in another.
fn with_start_step(step: &str) -> String {
    let lines: Vec<&str> = TWO_PAGES.lines().collect();
    let mut out: Vec<&str> = lines[..8].to_vec();
    out.extend(step.lines());
    out.extend(&lines[15..]);
    out.join("\n") + "\n"
}

fn load(files: &[(&str, &str)]) -> Result<wizard::WizardSet, Vec<LoadError>> {
    let sources = files
        .iter()
        .map(|(name, text)| (PathBuf::from(name), (*text).to_owned()))
        .collect();
    wizard::load_sources(sources).map_err(|e| e.0)
}

/// The single error loading `files` gives.
fn only_error_in(files: &[(&str, &str)]) -> LoadError {
    let mut errors = load(files).expect_err("the flows should not load");
    assert_eq!(errors.len(), 1, "expected one error, got {errors:#?}");
    errors.remove(0)
}

/// The single error loading `text` as `flow.ron` gives.
fn only_error(text: &str) -> LoadError {
    only_error_in(&[("flow.ron", text)])
}

fn assert_at(error: &LoadError, file: &str, line: usize, column: usize) {
    assert_eq!(
        (error.file.as_path(), error.line, error.column),
        (Path::new(file), line, column),
        "{error}"
    );
}

#[test]
fn shipped_wizards_load_without_errors() {
    if let Err(errors) = wizard::load_dir(&wizards_dir()) {
        panic!("{errors}");
    }
}

#[test]
fn builtin_flows_are_exactly_the_shipped_files() {
    let set = wizard::builtin().unwrap_or_else(|e| panic!("{e}"));
    let mut built: Vec<String> = set.flows().iter().map(|f| f.name.clone()).collect();
    built.sort();
    let mut on_disk: Vec<String> = fs::read_dir(wizards_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| wizard::loader::is_flow_file(p))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert_eq!(
        built, on_disk,
        "src/wizard/builtin.rs lists other files than wizards/"
    );
}

#[test]
fn the_test_template_itself_loads() {
    load(&[("flow.ron", TWO_PAGES)]).unwrap();
}

/// Adds a third page (lines 23 to 28) after the end page.
fn with_third_page(id: &str) -> String {
    let page = format!(
        r#"        (
            id: "{id}",
            title: (en: "C", nl: "C", pt: "C"),
            text: (en: "c", nl: "c", pt: "c"),
            step: Result(outcome: Healthy),
        ),
"#
    );
    TWO_PAGES.replacen("    ],\n", &(page + "    ],\n"), 1)
}

const CHECK_STEP: &str = r#"            step: Check(
                check: "outlook_running",
                branches: [(when: Is("outlook.running"), next: "end")],
                otherwise: "end",
            ),"#;

// Syntax errors: RON's own position.

#[test]
fn syntax_error_names_file_line_and_column() {
    let text = TWO_PAGES.replace(r#"id: "end","#, r#"id: "end""#);
    let error = only_error(&text);
    assert_at(&error, "flow.ron", 19, 13);
    assert_eq!(error.problem, Problem::Syntax("Expected comma".into()));
    assert_eq!(error.to_string(), "flow.ron:19:13: Expected comma");
}

#[test]
fn unknown_field_and_variant_are_syntax_errors_with_positions() {
    let error = only_error(&TWO_PAGES.replace("step: Result", "stop: Result"));
    assert_at(&error, "flow.ron", 21, 13);
    assert!(error.to_string().contains("`stop`"), "{error}");

    let error = only_error(&TWO_PAGES.replace("Fixed", "Fixd"));
    assert_at(&error, "flow.ron", 21, 35);
    assert!(error.to_string().contains("`Fixd`"), "{error}");
}

#[test]
fn every_file_with_a_syntax_error_is_reported() {
    let broken = TWO_PAGES.replace(r#"id: "end","#, r#"id: "end""#);
    let errors = load(&[
        ("b.ron", &broken),
        ("a.ron", &broken),
        ("ok.ron", TWO_PAGES),
    ])
    .expect_err("two files are broken");
    let files: Vec<_> = errors.iter().map(|e| e.file.to_string_lossy()).collect();
    assert_eq!(files, ["a.ron", "b.ron"]);
}

// Links between pages.

#[test]
fn unknown_target_page() {
    let error = only_error(&TWO_PAGES.replace(r#"next: "end","#, r#"next: "ending","#));
    assert_eq!(error.problem, Problem::UnknownPage("ending".into()));
    assert_at(&error, "flow.ron", 13, 27);
}

#[test]
fn unknown_target_flow() {
    let error = only_error(&TWO_PAGES.replace(r#"next: "end","#, r#"next: "elsewhere/end","#));
    assert_eq!(error.problem, Problem::UnknownFlow("elsewhere".into()));
    assert_at(&error, "flow.ron", 13, 27);
}

const ONE_RESULT: &str = r#"(
    title: (en: "O", nl: "O", pt: "O"),
    pages: [
        (
            id: "start",
            title: (en: "O", nl: "O", pt: "O"),
            text: (en: "o", nl: "o", pt: "o"),
            step: Result(outcome: Healthy),
        ),
    ],
)
"#;

#[test]
fn targets_in_other_files_resolve() {
    let step = r#"            step: Question(answers: [
                (id: "here", label: (en: "H", nl: "H", pt: "H"), next: "end"),
                (id: "there", label: (en: "T", nl: "T", pt: "T"), next: "other/start"),
            ]),"#;
    let flow = with_start_step(step);
    let set = load(&[("flow.ron", &flow), ("other.ron", ONE_RESULT)]).unwrap();
    assert_eq!(set.results().len(), 2);

    let error = only_error_in(&[
        ("flow.ron", &flow.replace("other/start", "other/nowhere")),
        ("other.ron", ONE_RESULT),
    ]);
    assert_eq!(error.problem, Problem::UnknownPage("other/nowhere".into()));
    assert_at(&error, "flow.ron", 11, 73);
}

#[test]
fn each_flow_must_reach_its_pages_by_itself() {
    // `other`'s second page is linked only from `flow`: not enough.
    let other = with_third_page("second");
    let flow = TWO_PAGES.replace(r#"next: "end","#, r#"next: "other/second","#);
    let errors = load(&[("flow.ron", &flow), ("other.ron", &other)]).unwrap_err();
    let problems: Vec<_> = errors.iter().map(|e| (&e.file, &e.problem)).collect();
    assert_eq!(
        problems,
        [
            (
                &PathBuf::from("flow.ron"),
                &Problem::Unreachable("end".into())
            ),
            (
                &PathBuf::from("other.ron"),
                &Problem::Unreachable("second".into())
            ),
        ]
    );
}

#[test]
fn unreachable_page() {
    let error = only_error(&with_third_page("orphan"));
    assert_eq!(error.problem, Problem::Unreachable("orphan".into()));
    assert_at(&error, "flow.ron", 24, 17);
}

#[test]
fn duplicate_page() {
    let error = only_error(&with_third_page("end"));
    assert_eq!(error.problem, Problem::DuplicatePage("end".into()));
    assert_at(&error, "flow.ron", 24, 17);
}

#[test]
fn question_without_answers() {
    let error = only_error(&with_start_step("            step: Question(answers: []),"));
    assert_eq!(error.problem, Problem::NoAnswers);
    assert_at(&error, "flow.ron", 9, 28);
}

// Text in every language.

#[test]
fn missing_dutch_page_title() {
    let error = only_error(&TWO_PAGES.replace(
        r#"title: (en: "A", nl: "A", pt: "A"),"#,
        r#"title: (en: "A", pt: "A"),"#,
    ));
    assert_eq!(
        error.problem,
        Problem::MissingText {
            what: "the page's title".into(),
            language: Language::Dutch
        }
    );
    assert_at(&error, "flow.ron", 7, 13);
    assert_eq!(
        error.to_string(),
        "flow.ron:7:13: the page's title has no text for `nl`"
    );
}

#[test]
fn missing_dutch_answer_label() {
    let error = only_error(&TWO_PAGES.replace(r#"nl: "Ga", "#, ""));
    assert_eq!(
        error.problem,
        Problem::MissingText {
            what: "the label of answer `go`".into(),
            language: Language::Dutch
        }
    );
    assert_at(&error, "flow.ron", 12, 21);
}

#[test]
fn missing_dutch_flow_title() {
    let error = only_error(&TWO_PAGES.replace(r#"nl: "T", "#, ""));
    assert_eq!(
        error.problem,
        Problem::MissingText {
            what: "the flow's title".into(),
            language: Language::Dutch
        }
    );
    assert_at(&error, "flow.ron", 3, 5);
}

#[test]
fn empty_text_counts_as_missing() {
    let error = only_error(&TWO_PAGES.replace(r#"pt: "b""#, r#"pt: "  ""#));
    assert_eq!(
        error.problem,
        Problem::MissingText {
            what: "the page's text".into(),
            language: Language::Portuguese
        }
    );
    assert_at(&error, "flow.ron", 20, 13);
}

#[test]
fn malformed_placeholder() {
    let error = only_error(&TWO_PAGES.replace(r#"en: "a""#, r#"en: "a {oops""#));
    assert!(
        matches!(error.problem, Problem::Placeholder { .. }),
        "{error}"
    );
    assert_at(&error, "flow.ron", 8, 13);
}

// Names from the catalogue.

#[test]
fn unknown_check() {
    let step = CHECK_STEP.replace(r#""outlook_running""#, r#""outlook_runing""#);
    let error = only_error(&with_start_step(&step));
    assert_eq!(
        error.problem,
        Problem::UnknownCheck("outlook_runing".into())
    );
    assert_at(&error, "flow.ron", 10, 24);
}

#[test]
fn unknown_fact_in_a_condition() {
    let step = CHECK_STEP.replace(r#"Is("outlook.running")"#, r#"Is("outlook.runing")"#);
    let error = only_error(&with_start_step(&step));
    assert_eq!(error.problem, Problem::UnknownFact("outlook.runing".into()));
    assert_at(&error, "flow.ron", 11, 38);
}

#[test]
fn unknown_fact_in_text() {
    let error = only_error(&TWO_PAGES.replace(r#"nl: "b""#, r#"nl: "{store.colour}""#));
    assert_eq!(error.problem, Problem::UnknownFact("store.colour".into()));
    assert_at(&error, "flow.ron", 20, 13);
}

#[test]
fn unknown_fix() {
    let error = only_error(&with_start_step(
        r#"            step: Fix(fix: "rename_everything", done: "end", cancelled: "end"),"#,
    ));
    assert_eq!(
        error.problem,
        Problem::UnknownFix("rename_everything".into())
    );
    assert_at(&error, "flow.ron", 9, 28);
}

#[test]
fn unknown_view() {
    let error = only_error(&with_start_step(
        r#"            step: Statistics(view: "pie_chart", next: "end"),"#,
    ));
    assert_eq!(error.problem, Problem::UnknownView("pie_chart".into()));
    assert_at(&error, "flow.ron", 9, 36);
}

#[test]
fn fact_compared_as_the_wrong_type() {
    let step = CHECK_STEP.replace(
        r#"Is("outlook.running")"#,
        r#"Greater("outlook.running", 0)"#,
    );
    let error = only_error(&with_start_step(&step));
    assert!(matches!(error.problem, Problem::FactMisuse(_)), "{error}");
    assert!(error.to_string().contains("whole number"), "{error}");
    assert_at(&error, "flow.ron", 11, 43);
}

#[test]
fn fact_value_outside_its_vocabulary() {
    let step = CHECK_STEP
        .replace(r#""outlook_running""#, r#""open_store""#)
        .replace(
            r#"Is("outlook.running")"#,
            r#"Equals("store.kind", Text("OST"))"#,
        );
    let error = only_error(&with_start_step(&step));
    assert!(error.to_string().contains(r#"cannot be "OST""#), "{error}");
    assert_at(&error, "flow.ron", 11, 42);
}

// Facts and views used before the check behind them runs.

#[test]
fn condition_on_a_fact_of_a_check_not_run() {
    let step = CHECK_STEP.replace(r#"Is("outlook.running")"#, r#"Is("store.damaged")"#);
    let error = only_error(&with_start_step(&step));
    assert_eq!(
        error.problem,
        Problem::FactTooEarly {
            fact: "store.damaged".into(),
            producer: "check_store_structure".into()
        }
    );
    assert_at(&error, "flow.ron", 11, 38);
}

#[test]
fn text_naming_a_fact_of_a_check_not_run() {
    let error = only_error(&TWO_PAGES.replace(r#"en: "a""#, r#"en: "a {outlook.running}""#));
    assert!(
        matches!(error.problem, Problem::FactTooEarly { .. }),
        "{error}"
    );
    assert_at(&error, "flow.ron", 8, 13);
}

#[test]
fn fact_known_on_one_way_only_is_too_early() {
    // The end page can be reached through the check (fact known) or around it.
    let step = r#"            step: Question(answers: [
                (id: "check", label: (en: "C", nl: "C", pt: "C"), next: "check"),
                (id: "skip", label: (en: "S", nl: "S", pt: "S"), next: "end"),
            ]),"#;
    let text = with_start_step(step)
        .replace(r#"en: "b""#, r#"en: "b {outlook.processes}""#)
        .replacen(
            "    ],\n",
            r#"        (
            id: "check",
            title: (en: "C", nl: "C", pt: "C"),
            text: (en: "c", nl: "c", pt: "c"),
            step: Check(check: "outlook_running", otherwise: "end"),
        ),
    ],
"#,
            1,
        );
    let error = only_error(&text);
    assert_eq!(
        error.problem,
        Problem::FactTooEarly {
            fact: "outlook.processes".into(),
            producer: "outlook_running".into()
        }
    );
    // Taking the skip answer away makes the fact known on every way.
    let without_skip = text.replace(
        "                (id: \"skip\", label: (en: \"S\", nl: \"S\", pt: \"S\"), next: \"end\"),\n",
        "",
    );
    load(&[("flow.ron", &without_skip)]).unwrap();
}

#[test]
fn statistics_view_before_its_check() {
    let error = only_error(&with_start_step(
        r#"            step: Statistics(view: "folder_counts", next: "end"),"#,
    ));
    assert_eq!(
        error.problem,
        Problem::ViewTooEarly {
            view: "folder_counts".into(),
            check: "compare_with_server".into()
        }
    );
    assert_at(&error, "flow.ron", 9, 36);
}

// Files and folders.

#[test]
fn flow_names_come_from_file_names() {
    let error = only_error_named("Main Flow.ron", TWO_PAGES);
    assert_eq!(error.problem, Problem::BadName("Main Flow".into()));
    assert_at(&error, "Main Flow.ron", 1, 1);
}

fn only_error_named(name: &str, text: &str) -> LoadError {
    only_error_in(&[(name, text)])
}

#[test]
fn empty_and_missing_folders() {
    let dir = std::env::temp_dir().join(format!("ostdoctor-wizard-empty-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let errors = wizard::load_dir(&dir).unwrap_err().0;
    assert_eq!(errors[0].problem, Problem::NoFiles);
    fs::remove_dir(&dir).unwrap();
    let errors = wizard::load_dir(&dir).unwrap_err().0;
    assert!(matches!(errors[0].problem, Problem::Io(_)), "{errors:?}");
}

#[test]
fn every_problem_in_every_file_is_reported() {
    let a = TWO_PAGES.replace(r#"next: "end","#, r#"next: "ending","#);
    let b = TWO_PAGES
        .replace(r#"nl: "T", "#, "")
        .replace(r#"next: "end","#, r#"next: "a/nowhere","#);
    let errors = load(&[("a.ron", &a), ("b.ron", &b)]).unwrap_err();
    let found: Vec<(String, usize, usize)> = errors
        .iter()
        .map(|e| (e.file.to_string_lossy().into_owned(), e.line, e.column))
        .collect();
    assert_eq!(
        found,
        [
            ("a.ron".to_owned(), 13, 27),
            ("b.ron".to_owned(), 3, 5),
            ("b.ron".to_owned(), 13, 27)
        ]
    );
    assert_eq!(errors[2].problem, Problem::UnknownPage("a/nowhere".into()));
}
