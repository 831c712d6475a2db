//! The shape of a wizard file, as written in RON. See `wizards/README.md` for the
//! format with examples.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use super::condition::Condition;
use super::facts::FactValue;
use super::language::Language;

/// One wizard file: a flow of pages. The flow is named after its file (`rebuild.ron`
/// is the flow `rebuild`) and starts at its first page.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub title: Text,
    pub pages: Vec<Page>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub id: String,
    pub title: Text,
    pub text: Text,
    pub step: Step,
}

/// What a page does. Targets name a page of the same flow (`"close_outlook"`) or of
/// another flow (`"rebuild/close_outlook"`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Step {
    /// The person picks one answer.
    Question { answers: Vec<Answer> },
    /// The backend runs `check`; the first branch whose condition holds is taken, else
    /// `otherwise`. When the check itself fails, `on_error` is taken; without it the
    /// page stays, showing the error, and the check may be tried again.
    Check {
        check: String,
        #[serde(default)]
        branches: Vec<Branch>,
        otherwise: String,
        #[serde(default)]
        on_error: Option<String>,
    },
    /// An informational page showing a statistics view the UI renders.
    Statistics { view: String, next: String },
    /// The backend plans `fix`; the plan is shown and the fix applied only after the
    /// person confirms. `failed` is taken when planning or applying fails; without it
    /// the page stays, showing the error.
    Fix {
        fix: String,
        done: String,
        cancelled: String,
        #[serde(default)]
        failed: Option<String>,
    },
    /// The end of a walk.
    Result { outcome: Outcome },
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub id: String,
    pub label: Text,
    pub next: String,
    /// What the answer tells, as facts: where a check could not measure something and
    /// the person looked instead ("It is ticked"), the walk and its report then hold what
    /// the person saw, not the check's empty guess.
    #[serde(default)]
    pub sets: BTreeMap<String, FactValue>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    pub when: Condition,
    pub next: String,
}

/// How a walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Outcome {
    /// Nothing is wrong.
    Healthy,
    /// The problem was found and put right.
    Fixed,
    /// The person chose to stop; nothing more was changed.
    Stopped,
    /// The problem remains and needs someone else (an administrator, Office support).
    Unresolved,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Healthy => "healthy",
            Outcome::Fixed => "fixed",
            Outcome::Stopped => "stopped",
            Outcome::Unresolved => "unresolved",
        })
    }
}

/// Text in every wizard language. Each is optional here so that the loader can report
/// a missing one with its position instead of a bare parse error.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    #[serde(default)]
    pub en: Option<String>,
    #[serde(default)]
    pub nl: Option<String>,
    #[serde(default)]
    pub pt: Option<String>,
}

impl Text {
    pub fn get(&self, language: Language) -> Option<&str> {
        match language {
            Language::English => self.en.as_deref(),
            Language::Dutch => self.nl.as_deref(),
            Language::Portuguese => self.pt.as_deref(),
        }
    }

    /// The text in `language`; the loader guarantees every language is present, so the
    /// English fallback only serves hand-built flows.
    pub fn pick(&self, language: Language) -> &str {
        self.get(language)
            .or(self.en.as_deref())
            .unwrap_or_default()
    }
}

/// Which way a page was left: one page's exits are told apart by this.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Via {
    Answer(String),
    /// The branch at this index (from 0) of a check page.
    Branch(usize),
    Otherwise,
    CheckFailed,
    Next,
    FixDone,
    FixCancelled,
    FixFailed,
    /// Back to a check that failed, to run it again (not an exit of any page).
    Retry,
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Via::Answer(id) => write!(f, "answer {id}"),
            Via::Branch(i) => write!(f, "branch {}", i + 1),
            Via::Otherwise => f.write_str("otherwise"),
            Via::CheckFailed => f.write_str("on_error"),
            Via::Next => f.write_str("next"),
            Via::FixDone => f.write_str("done"),
            Via::FixCancelled => f.write_str("cancelled"),
            Via::FixFailed => f.write_str("failed"),
            Via::Retry => f.write_str("retry"),
        }
    }
}

impl Step {
    /// Every exit of the page with the target it leads to, as written.
    pub fn exits(&self) -> Vec<(Via, &str)> {
        match self {
            Step::Question { answers } => answers
                .iter()
                .map(|a| (Via::Answer(a.id.clone()), a.next.as_str()))
                .collect(),
            Step::Check {
                branches,
                otherwise,
                on_error,
                ..
            } => {
                let mut exits: Vec<_> = branches
                    .iter()
                    .enumerate()
                    .map(|(i, b)| (Via::Branch(i), b.next.as_str()))
                    .collect();
                exits.push((Via::Otherwise, otherwise));
                exits.extend(on_error.as_deref().map(|t| (Via::CheckFailed, t)));
                exits
            }
            Step::Statistics { next, .. } => vec![(Via::Next, next)],
            Step::Fix {
                done,
                cancelled,
                failed,
                ..
            } => {
                let mut exits = vec![
                    (Via::FixDone, done.as_str()),
                    (Via::FixCancelled, cancelled),
                ];
                exits.extend(failed.as_deref().map(|t| (Via::FixFailed, t)));
                exits
            }
            Step::Result { .. } => Vec::new(),
        }
    }
}
