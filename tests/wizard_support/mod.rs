//! A backend for tests whose every answer is scripted, and the walks of
//! `tests/wizard_walks.ron` that drive the shipped flows through it.

#![allow(dead_code)] // Each test file uses its own part of this.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ostdoctor::wizard::{
    self, Action, Backend, BackendError, Facts, FixOutcome, FixPlan, Language, Script, ScriptError,
    ScriptRun, WizardSet,
};
use serde::Deserialize;

/// One scripted reply to a check or to applying a fix.
#[derive(Clone, Debug, Deserialize)]
pub enum Scripted {
    /// Succeed with the baseline facts, these replacing some of them.
    Facts(Facts),
    /// Fail with this message.
    Fail(String),
    /// Stop as when the person presses Cancel while the work runs.
    Cancelled,
}

/// Answers from a baseline of complete facts per check and fix, overridden by queued
/// replies in call order. Records every call, so tests can tell what ran.
pub struct ScriptedBackend {
    baseline: BTreeMap<String, Facts>,
    queued: BTreeMap<String, VecDeque<Scripted>>,
    /// `"check NAME"`, `"plan NAME"`, `"apply NAME"`, in order.
    pub calls: Vec<String>,
}

impl ScriptedBackend {
    pub fn new(baseline: BTreeMap<String, Facts>) -> Self {
        ScriptedBackend {
            baseline,
            queued: BTreeMap::new(),
            calls: Vec::new(),
        }
    }

    pub fn queue(&mut self, name: &str, reply: Scripted) -> &mut Self {
        self.queued
            .entry(name.to_owned())
            .or_default()
            .push_back(reply);
        self
    }

    pub fn applied(&self) -> Vec<&str> {
        self.calls
            .iter()
            .filter_map(|c| c.strip_prefix("apply "))
            .collect()
    }

    fn reply(&mut self, name: &str) -> Result<Facts, BackendError> {
        let mut facts = self.baseline.get(name).cloned().unwrap_or_default();
        match self.queued.get_mut(name).and_then(VecDeque::pop_front) {
            None => Ok(facts),
            Some(Scripted::Facts(changes)) => {
                facts.merge(changes);
                Ok(facts)
            }
            Some(Scripted::Fail(message)) => Err(BackendError::new(message)),
            Some(Scripted::Cancelled) => Err(BackendError::cancelled("cancelled")),
        }
    }
}

impl Backend for ScriptedBackend {
    fn run_check(&mut self, name: &str, _facts: &Facts) -> Result<Facts, BackendError> {
        self.calls.push(format!("check {name}"));
        self.reply(name)
    }

    fn plan_fix(&mut self, name: &str, _facts: &Facts) -> Result<FixPlan, BackendError> {
        self.calls.push(format!("plan {name}"));
        Ok(FixPlan {
            actions: vec![Action::Rename {
                from: PathBuf::from(format!("{name}.ost")),
                to: PathBuf::from(format!("{name}.old")),
            }],
        })
    }

    fn apply_fix(
        &mut self,
        name: &str,
        plan: &FixPlan,
        _facts: &Facts,
    ) -> Result<FixOutcome, BackendError> {
        self.calls.push(format!("apply {name}"));
        Ok(FixOutcome {
            actions: plan.actions.clone(),
            facts: self.reply(name)?,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Walk {
    pub name: String,
    pub flow: String,
    #[serde(default)]
    pub replies: BTreeMap<String, Vec<Scripted>>,
    pub answers: Vec<String>,
    #[serde(default)]
    pub confirm: Vec<bool>,
    /// The result page the walk must end on, as `flow/page`.
    pub expect: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Walks {
    /// Complete facts for every check and fix: a mailbox where all is well.
    pub baseline: BTreeMap<String, Facts>,
    pub walks: Vec<Walk>,
}

pub fn shipped() -> Arc<WizardSet> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("wizards");
    Arc::new(wizard::load_dir(&dir).unwrap_or_else(|e| panic!("{e}")))
}

pub fn walks() -> Walks {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wizard_walks.ron");
    let text = std::fs::read_to_string(&path).unwrap();
    ron::from_str(&text).unwrap_or_else(|e| panic!("{}:{e}", path.display()))
}

impl Walks {
    pub fn backend(&self) -> ScriptedBackend {
        ScriptedBackend::new(self.baseline.clone())
    }

    /// Runs one walk through `run_script`, with the backend it used.
    pub fn run(
        &self,
        set: &Arc<WizardSet>,
        walk: &Walk,
        language: Language,
        out: &mut dyn std::io::Write,
    ) -> (Result<ScriptRun, ScriptError>, ScriptedBackend) {
        let mut backend = self.backend();
        for (name, replies) in &walk.replies {
            for reply in replies {
                backend.queue(name, reply.clone());
            }
        }
        let script = Script {
            flow: walk.flow.clone(),
            answers: walk.answers.clone(),
            confirm: walk.confirm.clone(),
        };
        let run = wizard::run_script(set, &script, &mut backend, language, out);
        (run, backend)
    }
}
