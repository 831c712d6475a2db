//! The shipped flows, walked end to end with a scripted backend: every walk reaches the
//! result it expects, and together the walks reach every result and take every exit
//! of every page, so a new result or branch without a walk fails here.

mod wizard_support;

use std::collections::BTreeSet;
use std::io;

use ostdoctor::wizard::{Language, Via, catalogue, schema::Step};

use wizard_support::{shipped, walks};

#[test]
fn every_walk_reaches_its_expected_result() {
    let set = shipped();
    let walks = walks();
    let mut failures = Vec::new();
    for walk in &walks.walks {
        match walks.run(&set, walk, Language::English, &mut io::sink()).0 {
            Ok(run) if run.result == walk.expect => {}
            Ok(run) => failures.push(format!(
                "{}: ended at {}, expected {}",
                walk.name, run.result, walk.expect
            )),
            Err(e) => failures.push(format!("{}: {e}", walk.name)),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_result_is_reached_by_a_walk() {
    let set = shipped();
    let walks = walks();
    let reached: BTreeSet<String> = walks
        .walks
        .iter()
        .filter_map(|w| {
            walks
                .run(&set, w, Language::English, &mut io::sink())
                .0
                .ok()
        })
        .map(|run| run.result)
        .collect();
    let results: BTreeSet<String> = set.results().into_iter().map(|r| set.name(r)).collect();
    assert!(results.len() >= 20, "only {} results", results.len());
    let missed: Vec<_> = results.difference(&reached).collect();
    assert!(missed.is_empty(), "results no walk reaches: {missed:?}");
}

#[test]
fn every_exit_of_every_page_is_taken_by_a_walk() {
    let set = shipped();
    let walks = walks();
    let taken: BTreeSet<(String, Via)> = walks
        .walks
        .iter()
        .filter_map(|w| {
            walks
                .run(&set, w, Language::English, &mut io::sink())
                .0
                .ok()
        })
        .flat_map(|run| run.trail)
        .map(|t| (t.from, t.via))
        .collect();
    let exits: BTreeSet<(String, Via)> = set
        .pages()
        .flat_map(|at| {
            let name = set.name(at);
            set.exits(at)
                .into_iter()
                .map(move |(via, _)| (name.clone(), via))
        })
        .collect();
    let missed: Vec<String> = exits
        .difference(&taken)
        .map(|(page, via)| format!("{page} by {via}"))
        .collect();
    assert!(
        missed.is_empty(),
        "exits no walk takes:\n{}",
        missed.join("\n")
    );
}

#[test]
fn walks_cover_every_page_in_three_languages_without_error() {
    // Text with facts filled in must render in each language along every walk.
    let set = shipped();
    let walks = walks();
    for language in Language::ALL {
        for walk in &walks.walks {
            let mut out = Vec::new();
            let (run, _) = walks.run(&set, walk, language, &mut out);
            run.unwrap_or_else(|e| panic!("{} in {language}: {e}", walk.name));
            let text = String::from_utf8(out).unwrap();
            assert!(
                !text.contains('{'),
                "{}: unfilled placeholder in\n{text}",
                walk.name
            );
        }
    }
}

#[test]
fn the_entry_flow_reaches_every_other_flow() {
    let set = shipped();
    let start = set.start("main").expect("a main flow");
    let mut seen = BTreeSet::from([start]);
    let mut todo = vec![start];
    while let Some(at) = todo.pop() {
        for (_, to) in set.exits(at) {
            if seen.insert(to) {
                todo.push(to);
            }
        }
    }
    let reached: BTreeSet<&str> = seen
        .iter()
        .map(|&at| set.flow_of(at).name.as_str())
        .collect();
    let all: BTreeSet<&str> = set.flows().iter().map(|f| f.name.as_str()).collect();
    assert_eq!(reached, all);
}

#[test]
fn every_catalogue_entry_is_used_by_a_shipped_flow() {
    let set = shipped();
    let mut used = BTreeSet::new();
    for at in set.pages() {
        match &set.page(at).step {
            Step::Check { check, .. } => used.insert(check.clone()),
            Step::Fix { fix, .. } => used.insert(fix.clone()),
            Step::Statistics { view, .. } => used.insert(view.clone()),
            _ => false,
        };
    }
    let listed = catalogue::CHECKS
        .iter()
        .chain(catalogue::FIXES)
        .map(|op| op.name)
        .chain(catalogue::VIEWS.iter().map(|v| v.name));
    let unused: Vec<&str> = listed.filter(|name| !used.contains(*name)).collect();
    assert!(
        unused.is_empty(),
        "catalogue entries no flow uses: {unused:?}"
    );
}

#[test]
fn walks_apply_only_confirmed_fixes() {
    let set = shipped();
    let walks = walks();
    for walk in &walks.walks {
        let (run, backend) = walks.run(&set, walk, Language::English, &mut io::sink());
        run.unwrap();
        let confirmed = walk.confirm.iter().filter(|c| **c).count();
        assert_eq!(
            backend.applied().len(),
            confirmed,
            "{}: {:?}",
            walk.name,
            backend.calls
        );
    }
}

/// A check that cannot run (no mailbox server set, a server that refuses sign-in, a
/// process list that cannot be read) must lead somewhere: a page that asks the person or
/// does without. Together with the walks taking every exit, this means no flow dead-ends
/// because something could not be measured.
#[test]
fn every_check_page_has_a_way_on_when_its_check_fails() {
    let set = shipped();
    let stuck: Vec<String> = set
        .pages()
        .filter(|&at| matches!(set.page(at).step, Step::Check { on_error: None, .. }))
        .map(|at| set.name(at))
        .collect();
    assert!(stuck.is_empty(), "check pages without on_error: {stuck:?}");
}
