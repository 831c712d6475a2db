//! The checks a set of flows must pass beyond parsing: names, targets, texts in every
//! language, catalogue names and fact types. Reachability and the order of checks are
//! in `graph`.

use std::collections::BTreeSet;

use super::catalogue;
use super::condition::Condition;
use super::facts::FactKind;
use super::graph;
use super::language::Language;
use super::loader::Problem;
use super::locate::{Locus, Needle};
use super::placeholder;
use super::schema::{Page, Step, Text};
use super::set::{Unresolved, WizardSet};

/// A problem and where it is, before the position is looked up in the source.
#[derive(Debug)]
pub(super) struct Finding {
    pub flow: usize,
    pub locus: Locus,
    pub problem: Problem,
}

pub(super) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Collects findings for one flow.
struct Report<'a> {
    flow: usize,
    out: &'a mut Vec<Finding>,
}

impl Report<'_> {
    fn add(&mut self, locus: Locus, problem: Problem) {
        self.out.push(Finding {
            flow: self.flow,
            locus,
            problem,
        });
    }

    fn in_page(&mut self, page: &Page, needle: Needle, problem: Problem) {
        self.add(
            Locus::Page {
                page: page.id.clone(),
                needle,
            },
            problem,
        );
    }
}

pub(super) fn validate(set: &WizardSet) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (flow, named) in set.flows().iter().enumerate() {
        let mut report = Report {
            flow,
            out: &mut out,
        };
        if !valid_name(&named.name) {
            report.add(Locus::File, Problem::BadName(named.name.clone()));
        }
        if !seen.insert(named.name.as_str()) {
            report.add(Locus::File, Problem::DuplicateFlow(named.name.clone()));
        }
        if named.flow.pages.is_empty() {
            report.add(Locus::Flow(Needle::Field("pages")), Problem::NoPages);
        }
        for language in missing_languages(&named.flow.title) {
            report.add(
                Locus::Flow(Needle::Field("title")),
                Problem::MissingText {
                    what: "the flow's title".into(),
                    language,
                },
            );
        }
        let mut ids = BTreeSet::new();
        for page in &named.flow.pages {
            if !valid_name(&page.id) {
                report.in_page(page, Needle::PageId, Problem::BadName(page.id.clone()));
            }
            if !ids.insert(page.id.as_str()) {
                let nth = named.flow.pages.iter().filter(|p| p.id == page.id).count() - 1;
                report.add(
                    Locus::PageNth {
                        page: page.id.clone(),
                        nth,
                    },
                    Problem::DuplicatePage(page.id.clone()),
                );
                // Later findings about this page would point at its first copy.
                continue;
            }
            check_page(set, &mut report, page);
        }
    }
    // The graph checks need every target resolved and every name known.
    if out.is_empty() {
        out.extend(graph::unreachable(set));
        out.extend(graph::used_too_early(set));
    }
    out
}

fn missing_languages(text: &Text) -> impl Iterator<Item = Language> + '_ {
    Language::ALL
        .into_iter()
        .filter(|&l| text.get(l).is_none_or(|s| s.trim().is_empty()))
}

fn check_text(report: &mut Report, page: &Page, text: &Text, what: &str, needle: Needle) {
    for language in missing_languages(text) {
        report.in_page(
            page,
            needle.clone(),
            Problem::MissingText {
                what: what.to_owned(),
                language,
            },
        );
    }
    // A fact named in all three languages is one mistake, reported once.
    let mut named = BTreeSet::new();
    let mut counted = BTreeSet::new();
    for language in Language::ALL {
        let Some(s) = text.get(language) else {
            continue;
        };
        match placeholder::facts_named(s) {
            Err(problem) => report.in_page(
                page,
                needle.clone(),
                Problem::Placeholder {
                    what: format!("{what} ({})", language.code()),
                    problem,
                },
            ),
            Ok(names) => {
                named.extend(names);
                counted.extend(placeholder::facts_counted(s));
            }
        }
    }
    for name in named {
        match catalogue::fact_spec(name) {
            None => report.in_page(page, needle.clone(), Problem::UnknownFact(name.to_owned())),
            Some((spec, _))
                if counted.contains(name)
                    && !matches!(spec.kind, FactKind::Int | FactKind::List) =>
            {
                report.in_page(
                    page,
                    needle.clone(),
                    Problem::Placeholder {
                        what: what.to_owned(),
                        problem: format!(
                            "`{{{name}|…|…}}` chooses a form by count, but `{name}` is {}",
                            spec.kind
                        ),
                    },
                );
            }
            Some(_) => {}
        }
    }
}

/// Each text of a page, with where it is written and how an error names it.
pub(super) fn texts_of(page: &Page) -> Vec<(Needle, &Text, String)> {
    let mut texts = vec![
        (
            Needle::Field("title"),
            &page.title,
            "the page's title".to_owned(),
        ),
        (
            Needle::Field("text"),
            &page.text,
            "the page's text".to_owned(),
        ),
    ];
    if let Step::Question { answers } = &page.step {
        texts.extend(answers.iter().map(|a| {
            (
                Needle::After(a.id.clone(), "label"),
                &a.label,
                format!("the label of answer `{}`", a.id),
            )
        }));
    }
    texts
}

fn check_page(set: &WizardSet, report: &mut Report, page: &Page) {
    for (needle, text, what) in texts_of(page) {
        check_text(report, page, text, &what, needle);
    }
    let name = |s: &String| Needle::Str(s.clone());
    match &page.step {
        Step::Question { answers } => {
            if answers.is_empty() {
                report.in_page(page, Needle::Field("answers"), Problem::NoAnswers);
            }
            let mut ids = BTreeSet::new();
            for answer in answers {
                if !valid_name(&answer.id) {
                    report.in_page(page, name(&answer.id), Problem::BadName(answer.id.clone()));
                }
                if !ids.insert(answer.id.as_str()) {
                    report.in_page(
                        page,
                        name(&answer.id),
                        Problem::DuplicateAnswer(answer.id.clone()),
                    );
                }
                for (fact, value) in &answer.sets {
                    let needle = Needle::Str(fact.clone());
                    match catalogue::fact_spec(fact) {
                        None => report.in_page(page, needle, Problem::UnknownFact(fact.clone())),
                        Some((spec, _)) if spec.kind != value.kind() => report.in_page(
                            page,
                            needle,
                            Problem::FactMisuse(format!(
                                "answer `{}` sets `{fact}` to {}, but `{fact}` is {}",
                                answer.id,
                                value.kind(),
                                spec.kind
                            )),
                        ),
                        Some(_) => {}
                    }
                }
            }
        }
        Step::Check {
            check, branches, ..
        } => {
            if catalogue::check(check).is_none() {
                report.in_page(page, name(check), Problem::UnknownCheck(check.clone()));
            }
            for branch in branches {
                check_condition(report, page, &branch.when);
            }
        }
        Step::Statistics { view, .. } => {
            if catalogue::view(view).is_none() {
                report.in_page(page, name(view), Problem::UnknownView(view.clone()));
            }
        }
        Step::Fix { fix, .. } => {
            if catalogue::fix(fix).is_none() {
                report.in_page(page, name(fix), Problem::UnknownFix(fix.clone()));
            }
        }
        Step::Result { .. } => {}
    }
    let flow = report.flow;
    for (_, target) in page.step.exits() {
        let problem = match set.resolve_in(flow, target) {
            Ok(_) => continue,
            Err(Unresolved::Flow(f)) => Problem::UnknownFlow(f),
            Err(Unresolved::Page(p)) => Problem::UnknownPage(p),
        };
        report.in_page(page, Needle::Str(target.to_owned()), problem);
    }
}

fn check_condition(report: &mut Report, page: &Page, condition: &Condition) {
    for used in condition.uses() {
        let needle = Needle::Str(used.fact.to_owned());
        let Some((spec, _)) = catalogue::fact_spec(used.fact) else {
            report.in_page(page, needle, Problem::UnknownFact(used.fact.to_owned()));
            continue;
        };
        let problem = if spec.kind != used.needs {
            Some(format!(
                "`{}` compares with {}, but `{}` is {}",
                used.form, used.needs, spec.name, spec.kind
            ))
        } else {
            used.value.as_ref().and_then(|v| spec.admits(v).err())
        };
        if let Some(problem) = problem {
            report.in_page(page, needle, Problem::FactMisuse(problem));
        }
    }
}
