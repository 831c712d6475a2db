//! Checks over the links between pages: every page can be reached, and every fact or
//! view is used only where the check behind it has run on every way there.

use std::collections::{BTreeMap, BTreeSet};

use super::catalogue;
use super::loader::Problem;
use super::locate::{Locus, Needle};
use super::placeholder;
use super::schema::{Step, Via};
use super::set::{PageRef, WizardSet};
use super::validate::{self, Finding};

fn finding(set: &WizardSet, at: PageRef, needle: Needle, problem: Problem) -> Finding {
    Finding {
        flow: WizardSet::flow_index(at),
        locus: Locus::Page {
            page: set.page(at).id.clone(),
            needle,
        },
        problem,
    }
}

/// Pages that cannot be reached from the start of their own flow by links inside that
/// flow. Each flow must stand on its own: any flow can be where a walk starts.
pub(super) fn unreachable(set: &WizardSet) -> Vec<Finding> {
    let mut out = Vec::new();
    for named in set.flows() {
        let Some(start) = set.start(&named.name) else {
            continue;
        };
        let flow = WizardSet::flow_index(start);
        let mut seen = BTreeSet::from([start]);
        let mut todo = vec![start];
        while let Some(at) = todo.pop() {
            for (_, to) in set.exits(at) {
                if WizardSet::flow_index(to) == flow && seen.insert(to) {
                    todo.push(to);
                }
            }
        }
        for at in set.pages().filter(|at| WizardSet::flow_index(*at) == flow) {
            if !seen.contains(&at) {
                let id = set.page(at).id.clone();
                out.push(finding(set, at, Needle::PageId, Problem::Unreachable(id)));
            }
        }
    }
    out
}

/// The checks and fixes that have run on every way from any flow's start to each page:
/// a forward data-flow analysis, intersecting over the ways in.
fn ran_before(set: &WizardSet) -> BTreeMap<PageRef, BTreeSet<&'static str>> {
    let mut ran: BTreeMap<PageRef, BTreeSet<&'static str>> = set
        .flows()
        .iter()
        .filter_map(|f| set.start(&f.name))
        .map(|start| (start, BTreeSet::new()))
        .collect();
    let mut changed = true;
    while changed {
        changed = false;
        for at in set.pages() {
            let Some(before) = ran.get(&at).cloned() else {
                continue;
            };
            for (via, to) in set.exits(at) {
                let mut after = before.clone();
                after.extend(gained(set, at, &via));
                let merged = match ran.get(&to) {
                    Some(old) => old.intersection(&after).copied().collect(),
                    None => after,
                };
                if ran.get(&to) != Some(&merged) {
                    ran.insert(to, merged);
                    changed = true;
                }
            }
        }
    }
    ran
}

/// The operation that has run when a page is left this way.
fn gained(set: &WizardSet, at: PageRef, via: &Via) -> Option<&'static str> {
    match (&set.page(at).step, via) {
        (Step::Check { check, .. }, Via::Branch(_) | Via::Otherwise) => {
            catalogue::check(check).map(|c| c.name)
        }
        (Step::Fix { fix, .. }, Via::FixDone) => catalogue::fix(fix).map(|f| f.name),
        _ => None,
    }
}

/// Facts and views used where what provides them may not have run.
pub(super) fn used_too_early(set: &WizardSet) -> Vec<Finding> {
    let ran = ran_before(set);
    let mut out = Vec::new();
    for (&at, before) in &ran {
        let page = set.page(at);
        let mut need = |fact: &str, ran: &BTreeSet<&str>, needle: Needle| {
            let Some((_, producer)) = catalogue::fact_spec(fact) else {
                return;
            };
            if !ran.contains(producer.name) {
                out.push(finding(
                    set,
                    at,
                    needle,
                    Problem::FactTooEarly {
                        fact: fact.to_owned(),
                        producer: producer.name.to_owned(),
                    },
                ));
            }
        };
        for (needle, text, _) in validate::texts_of(page) {
            // Text is shown on arrival, before the page's own check runs.
            let named: BTreeSet<&str> = [&text.en, &text.nl, &text.pt]
                .into_iter()
                .flatten()
                .flat_map(|s| placeholder::facts_named(s).unwrap_or_default())
                .collect();
            for fact in named {
                need(fact, before, needle.clone());
            }
        }
        match &page.step {
            Step::Check {
                check, branches, ..
            } => {
                let mut after = before.clone();
                after.extend(catalogue::check(check).map(|c| c.name));
                for branch in branches {
                    for used in branch.when.uses() {
                        need(used.fact, &after, Needle::Str(used.fact.to_owned()));
                    }
                }
            }
            Step::Statistics { view, .. } => {
                if let Some(spec) = catalogue::view(view)
                    && !before.contains(spec.needs)
                {
                    out.push(finding(
                        set,
                        at,
                        Needle::Str(view.clone()),
                        Problem::ViewTooEarly {
                            view: view.clone(),
                            check: spec.needs.to_owned(),
                        },
                    ));
                }
            }
            _ => {}
        }
    }
    out
}
