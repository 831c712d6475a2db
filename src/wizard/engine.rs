//! The wizard as a state machine: where the walk is, what has been answered and found,
//! and how to go back. No UI and no I/O: work for the backend is handed out as a
//! `Request` and its `Reply` brought back with `complete`.

use std::sync::Arc;

use thiserror::Error;

use super::backend::{Backend, BackendError, FixPlan, Reply, Request};
use super::catalogue;
use super::facts::Facts;
use super::language::Language;
use super::placeholder;
use super::schema::{Outcome, Step, Text, Via};
use super::set::{PageRef, WizardSet};

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum EngineError {
    #[error("no flow `{0}`")]
    UnknownFlow(String),
    #[error("page {page} is {kind}: cannot {action} here")]
    WrongPage {
        page: String,
        kind: &'static str,
        action: &'static str,
    },
    #[error("page {page} has no answer `{answer}`; its answers are: {choices}")]
    NoSuchAnswer {
        page: String,
        answer: String,
        choices: String,
    },
    #[error("the fix on page {page} has no plan to confirm yet")]
    NotPlanned { page: String },
    #[error("the fix on page {page} is being applied: wait for it to finish")]
    FixUnderWay { page: String },
    #[error("page {page} did not ask for {reply}")]
    UnexpectedReply { page: String, reply: &'static str },
    #[error("`{operation}` answered outside the catalogue: {problem}")]
    Contract { operation: String, problem: String },
    #[error("on page {page}: {problem}")]
    Condition { page: String, problem: String },
    #[error("page {page} leads to `{target}`, which does not exist")]
    BrokenLink { page: String, target: String },
}

/// An answer given on a page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerRecord {
    pub page: String,
    pub answer: String,
}

/// One move from page to page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub from: String,
    pub via: Via,
    pub to: String,
}

#[derive(Clone, Debug, PartialEq)]
enum FixStage {
    Unplanned,
    Planned(FixPlan),
    /// Confirmed and handed out for applying; nothing may undo the page until the
    /// backend's reply is in.
    Confirmed(FixPlan),
}

#[derive(Clone, Debug)]
struct State {
    at: PageRef,
    facts: Facts,
    answers: Vec<AnswerRecord>,
    trail: Vec<Transition>,
    fix: FixStage,
    error: Option<BackendError>,
    /// The check whose failure led here, which `retry` runs again.
    failed_check: Option<PageRef>,
}

/// A choice on a question page, in the current language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

/// What the current page asks of the person or the backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    Question {
        answers: Vec<Choice>,
    },
    /// The check is to be run (see `Engine::request`).
    Check {
        check: String,
    },
    /// Informational: the UI renders the named view; `Engine::go_on` leaves it.
    Statistics {
        view: String,
    },
    /// `plan` is `None` until the backend has planned; then the person confirms or
    /// cancels. `confirmed` while the fix is being applied.
    Fix {
        fix: String,
        plan: Option<Vec<String>>,
        confirmed: bool,
    },
    Result {
        outcome: Outcome,
    },
}

/// The current page, ready to show: text in the current language with facts filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageView {
    pub id: String,
    pub flow_title: String,
    pub title: String,
    pub text: String,
    /// Why the last check or fix on the way here (or on this page) could not be done.
    pub error: Option<String>,
    pub body: Body,
}

pub struct Engine {
    set: Arc<WizardSet>,
    language: Language,
    state: State,
    /// States of the pages the person left by their own choice, newest last.
    history: Vec<State>,
}

impl Engine {
    /// Starts a walk at the first page of `flow`.
    pub fn new(set: Arc<WizardSet>, flow: &str, language: Language) -> Result<Self, EngineError> {
        let at = set
            .start(flow)
            .ok_or_else(|| EngineError::UnknownFlow(flow.to_owned()))?;
        Ok(Engine {
            set,
            language,
            state: State {
                at,
                facts: Facts::new(),
                answers: Vec::new(),
                trail: Vec::new(),
                fix: FixStage::Unplanned,
                error: None,
                failed_check: None,
            },
            history: Vec::new(),
        })
    }

    pub fn wizards(&self) -> &Arc<WizardSet> {
        &self.set
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Changes the language of all text from now on; the walk itself is untouched.
    pub fn set_language(&mut self, language: Language) {
        self.language = language;
    }

    pub fn at(&self) -> PageRef {
        self.state.at
    }

    /// The current page as `flow/page`.
    pub fn page_id(&self) -> String {
        self.set.name(self.state.at)
    }

    pub fn facts(&self) -> &Facts {
        &self.state.facts
    }

    pub fn answers(&self) -> &[AnswerRecord] {
        &self.state.answers
    }

    /// Every move made so far on the way to the current page.
    pub fn trail(&self) -> &[Transition] {
        &self.state.trail
    }

    pub fn error(&self) -> Option<&BackendError> {
        self.state.error.as_ref()
    }

    /// How the walk ended, once it is on a result page.
    pub fn outcome(&self) -> Option<Outcome> {
        match self.set.page(self.state.at).step {
            Step::Result { outcome } => Some(outcome),
            _ => None,
        }
    }

    pub fn can_go_back(&self) -> bool {
        !self.history.is_empty() && !matches!(self.state.fix, FixStage::Confirmed(_))
    }

    pub fn view(&self) -> PageView {
        let page = self.set.page(self.state.at);
        let lang = self.language;
        let fill = |text: &Text| placeholder::fill(text.pick(lang), &self.state.facts, lang);
        let body = match &page.step {
            Step::Question { answers } => Body::Question {
                answers: answers
                    .iter()
                    .map(|a| Choice {
                        id: a.id.clone(),
                        label: fill(&a.label),
                    })
                    .collect(),
            },
            Step::Check { check, .. } => Body::Check {
                check: check.clone(),
            },
            Step::Statistics { view, .. } => Body::Statistics { view: view.clone() },
            Step::Fix { fix, .. } => {
                let (plan, confirmed) = match &self.state.fix {
                    FixStage::Unplanned => (None, false),
                    FixStage::Planned(plan) => (Some(plan), false),
                    FixStage::Confirmed(plan) => (Some(plan), true),
                };
                Body::Fix {
                    fix: fix.clone(),
                    plan: plan.map(|p| p.actions.iter().map(|a| a.describe(lang)).collect()),
                    confirmed,
                }
            }
            Step::Result { outcome } => Body::Result { outcome: *outcome },
        };
        PageView {
            id: self.page_id(),
            flow_title: fill(&self.set.flow_of(self.state.at).flow.title),
            title: fill(&page.title),
            text: fill(&page.text),
            error: self
                .state
                .error
                .as_ref()
                .map(|e| e.message_in(self.language).to_owned()),
            body,
        }
    }

    /// The title of the page called `flow/page`, in the walk's language, as the person
    /// read it there (placeholders filled from today's facts).
    pub fn title_of(&self, name: &str) -> Option<String> {
        let page = self.set.page(self.set.find(name)?);
        Some(placeholder::fill(
            page.title.pick(self.language),
            &self.state.facts,
            self.language,
        ))
    }

    /// The label of answer `id` on the page called `flow/page`, in the walk's language.
    pub fn answer_label(&self, name: &str, id: &str) -> Option<String> {
        let page = self.set.page(self.set.find(name)?);
        let Step::Question { answers } = &page.step else {
            return None;
        };
        let answer = answers.iter().find(|a| a.id == id)?;
        Some(placeholder::fill(
            answer.label.pick(self.language),
            &self.state.facts,
            self.language,
        ))
    }

    /// The work the backend must do before the walk can go on, if any.
    pub fn request(&self) -> Option<Request> {
        let facts = self.state.facts.clone();
        match (&self.set.page(self.state.at).step, &self.state.fix) {
            (Step::Check { check, .. }, _) => Some(Request::RunCheck {
                check: check.clone(),
                facts,
            }),
            (Step::Fix { fix, .. }, FixStage::Unplanned) => Some(Request::PlanFix {
                fix: fix.clone(),
                facts,
            }),
            (Step::Fix { fix, .. }, FixStage::Confirmed(plan)) => Some(Request::ApplyFix {
                fix: fix.clone(),
                plan: plan.clone(),
                facts,
            }),
            _ => None,
        }
    }

    /// Sends the pending request, if any, to `backend` and completes it. For callers
    /// that may block; a UI sends `request()` to a worker instead.
    pub fn run_backend(&mut self, backend: &mut dyn Backend) -> Result<Option<Reply>, EngineError> {
        let Some(request) = self.request() else {
            return Ok(None);
        };
        let reply = request.send(backend);
        self.complete(reply.clone())?;
        Ok(Some(reply))
    }

    /// Takes in the backend's reply to `request()`.
    pub fn complete(&mut self, reply: Reply) -> Result<(), EngineError> {
        let page = self.page_id();
        // A handle of its own, so the page can be read while the state changes.
        let set = Arc::clone(&self.set);
        let step = &set.page(self.state.at).step;
        let unexpected = |reply| EngineError::UnexpectedReply {
            page: page.clone(),
            reply,
        };
        match (step, reply) {
            (
                Step::Check {
                    check,
                    branches,
                    otherwise,
                    ..
                },
                Reply::Check(Ok(found)),
            ) => {
                if let Some(spec) = catalogue::check(check) {
                    spec.conform(&found)
                        .map_err(|problem| EngineError::Contract {
                            operation: check.clone(),
                            problem,
                        })?;
                }
                let mut facts = self.state.facts.clone();
                facts.merge(found);
                let mut taken = None;
                for (i, branch) in branches.iter().enumerate() {
                    let holds =
                        branch
                            .when
                            .holds(&facts)
                            .map_err(|problem| EngineError::Condition {
                                page: page.clone(),
                                problem,
                            })?;
                    if holds {
                        taken = Some((Via::Branch(i), branch.next.as_str()));
                        break;
                    }
                }
                let (via, target) = taken.unwrap_or((Via::Otherwise, otherwise.as_str()));
                self.state.facts = facts;
                self.go(via, target)
            }
            (Step::Check { on_error, .. }, Reply::Check(Err(error))) => {
                self.fail(Via::CheckFailed, on_error.as_deref(), error)
            }
            (Step::Fix { .. }, Reply::Plan(Ok(plan))) if self.state.fix == FixStage::Unplanned => {
                self.state.fix = FixStage::Planned(plan);
                self.state.error = None;
                Ok(())
            }
            (Step::Fix { cancelled, .. }, Reply::Plan(Err(error)))
                if self.state.fix == FixStage::Unplanned && error.cancelled =>
            {
                let cancelled = cancelled.clone();
                self.state.error = None;
                self.go(Via::FixCancelled, &cancelled)
            }
            (Step::Fix { failed, .. }, Reply::Plan(Err(error)))
                if self.state.fix == FixStage::Unplanned =>
            {
                self.fail(Via::FixFailed, failed.as_deref(), error)
            }
            (Step::Fix { fix, done, .. }, Reply::Applied(Ok(outcome))) => {
                let FixStage::Confirmed(_) = &self.state.fix else {
                    return Err(unexpected("an applied fix"));
                };
                // The files have changed: going back would show a world that is gone,
                // and nothing here may apply the fix a second time unasked.
                self.history.clear();
                self.state.fix = FixStage::Unplanned;
                if let Some(spec) = catalogue::fix(fix) {
                    spec.conform(&outcome.facts)
                        .map_err(|problem| EngineError::Contract {
                            operation: fix.clone(),
                            problem,
                        })?;
                }
                self.state.facts.merge(outcome.facts);
                self.go(Via::FixDone, done)
            }
            (Step::Fix { cancelled, .. }, Reply::Applied(Err(error))) if error.cancelled => {
                let FixStage::Confirmed(_) = &self.state.fix else {
                    return Err(unexpected("an applied fix"));
                };
                // Stopped half-way at the person's word: the fix put back what it had
                // begun (the journal says so), so this is the cancelled way out.
                self.state.fix = FixStage::Unplanned;
                self.state.error = None;
                let cancelled = cancelled.clone();
                self.go(Via::FixCancelled, &cancelled)
            }
            (Step::Fix { failed, .. }, Reply::Applied(Err(error))) => {
                let FixStage::Confirmed(plan) = &self.state.fix else {
                    return Err(unexpected("an applied fix"));
                };
                // Trying again needs a fresh confirmation.
                self.state.fix = FixStage::Planned(plan.clone());
                self.fail(Via::FixFailed, failed.as_deref(), error)
            }
            (_, Reply::Check(_)) => Err(unexpected("a check")),
            (_, Reply::Plan(_)) => Err(unexpected("a fix plan")),
            (_, Reply::Applied(_)) => Err(unexpected("an applied fix")),
        }
    }

    /// Chooses an answer on a question page.
    pub fn answer(&mut self, id: &str) -> Result<(), EngineError> {
        let Step::Question { answers } = &self.set.page(self.state.at).step else {
            return Err(self.wrong_page("answer"));
        };
        let Some(answer) = answers.iter().find(|a| a.id == id) else {
            return Err(EngineError::NoSuchAnswer {
                page: self.page_id(),
                answer: id.to_owned(),
                choices: answers
                    .iter()
                    .map(|a| a.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let next = answer.next.clone();
        let told = answer.sets.clone();
        self.remember();
        self.state.answers.push(AnswerRecord {
            page: self.page_id(),
            answer: id.to_owned(),
        });
        for (name, value) in told {
            self.state.facts.set(&name, value);
        }
        self.go(Via::Answer(id.to_owned()), &next)
    }

    /// Goes on from a statistics page.
    pub fn go_on(&mut self) -> Result<(), EngineError> {
        let Step::Statistics { next, .. } = &self.set.page(self.state.at).step else {
            return Err(self.wrong_page("go to the next page"));
        };
        let next = next.clone();
        self.remember();
        self.go(Via::Next, &next)
    }

    /// Confirms the planned fix; `request()` then hands it out for applying.
    pub fn confirm(&mut self) -> Result<(), EngineError> {
        if !matches!(self.set.page(self.state.at).step, Step::Fix { .. }) {
            return Err(self.wrong_page("confirm"));
        }
        match &self.state.fix {
            FixStage::Planned(plan) => {
                self.state.fix = FixStage::Confirmed(plan.clone());
                Ok(())
            }
            FixStage::Unplanned => Err(EngineError::NotPlanned {
                page: self.page_id(),
            }),
            FixStage::Confirmed(_) => Err(EngineError::FixUnderWay {
                page: self.page_id(),
            }),
        }
    }

    /// Leaves a fix page without applying anything.
    pub fn cancel(&mut self) -> Result<(), EngineError> {
        let Step::Fix { cancelled, .. } = &self.set.page(self.state.at).step else {
            return Err(self.wrong_page("cancel a fix"));
        };
        if matches!(self.state.fix, FixStage::Confirmed(_)) {
            return Err(EngineError::FixUnderWay {
                page: self.page_id(),
            });
        }
        let cancelled = cancelled.clone();
        self.remember();
        self.go(Via::FixCancelled, &cancelled)
    }

    /// Whether this page was reached because a check failed, so that the check can be run
    /// again (after the person has put right what it said: a password, a server).
    pub fn can_retry(&self) -> bool {
        self.state.failed_check.is_some()
    }

    /// Goes back to the check that failed and runs it again (`request()` hands it out).
    /// Back returns here.
    pub fn retry(&mut self) -> Result<(), EngineError> {
        let Some(check) = self.state.failed_check else {
            return Err(self.wrong_page("retry a check"));
        };
        self.remember();
        let from = self.page_id();
        self.state.at = check;
        self.state.fix = FixStage::Unplanned;
        self.state.error = None;
        self.state.failed_check = None;
        self.state.trail.push(Transition {
            from,
            via: Via::Retry,
            to: self.set.name(check),
        });
        Ok(())
    }

    /// Returns to the page last left by the person's choice, with the answers and
    /// facts as they were there. `false` when there is nowhere to go back to.
    pub fn back(&mut self) -> bool {
        if !self.can_go_back() {
            return false;
        }
        match self.history.pop() {
            Some(state) => {
                self.state = state;
                true
            }
            None => false,
        }
    }

    fn remember(&mut self) {
        let mut snapshot = self.state.clone();
        // A plan is made afresh on return: the world may have moved on.
        snapshot.fix = FixStage::Unplanned;
        snapshot.error = None;
        self.history.push(snapshot);
    }

    fn go(&mut self, via: Via, target: &str) -> Result<(), EngineError> {
        let from = self.page_id();
        let to = self
            .set
            .resolve(self.state.at, target)
            .map_err(|_| EngineError::BrokenLink {
                page: from.clone(),
                target: target.to_owned(),
            })?;
        self.state.at = to;
        self.state.fix = FixStage::Unplanned;
        self.state.error = None;
        self.state.failed_check = None;
        self.state.trail.push(Transition {
            from,
            via,
            to: self.set.name(to),
        });
        Ok(())
    }

    /// Follows the failure exit if the page has one, else stays to show the error.
    fn fail(
        &mut self,
        via: Via,
        target: Option<&str>,
        error: BackendError,
    ) -> Result<(), EngineError> {
        let at = self.state.at;
        if let Some(target) = target {
            self.go(via.clone(), target)?;
            if via == Via::CheckFailed {
                self.state.failed_check = Some(at);
            }
        }
        self.state.error = Some(error);
        Ok(())
    }

    fn wrong_page(&self, action: &'static str) -> EngineError {
        let kind = match self.set.page(self.state.at).step {
            Step::Question { .. } => "a question",
            Step::Check { .. } => "a check",
            Step::Statistics { .. } => "a statistics page",
            Step::Fix { .. } => "a fix",
            Step::Result { .. } => "a result",
        };
        EngineError::WrongPage {
            page: self.page_id(),
            kind,
            action,
        }
    }
}
