//! Walks a flow without a person: answers and confirmations come from a script, work
//! from a backend, and every page is printed. The CLI's `wizard --script` runs this.
//!
//! A script is RON:
//!
//! ```ron
//! (
//!     flow: "main",                      // optional; "main" when left out
//!     answers: ["differs", "done"],      // one per question page, in order
//!     confirm: [true, false],            // optional; one per fix page, in order
//! )
//! ```
//!
//! A fix page with no confirmation left is cancelled: nothing is ever applied that the
//! script did not confirm.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use thiserror::Error;

use super::backend::{Backend, Reply};
use super::engine::{Body, Engine, EngineError, Transition};
use super::language::Language;
use super::schema::Outcome;
use super::set::WizardSet;

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    #[serde(default = "main_flow")]
    pub flow: String,
    pub answers: Vec<String>,
    #[serde(default)]
    pub confirm: Vec<bool>,
}

fn main_flow() -> String {
    "main".to_owned()
}

/// How a scripted walk ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptRun {
    /// The result page reached, as `flow/page`.
    pub result: String,
    pub outcome: Outcome,
    pub trail: Vec<Transition>,
}

#[derive(Debug, Error)]
pub enum ScriptError {
    #[error("{}:{line}:{column}: {message}", file.display())]
    Parse {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: {source}", file.display())]
    Read { file: PathBuf, source: io::Error },
    #[error("writing the walk: {0}")]
    Write(#[from] io::Error),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("page {page}: {message}")]
    Backend { page: String, message: String },
    #[error("page {page} asks a question, but the script has no answers left")]
    OutOfAnswers { page: String },
    #[error("the walk ended at {result} with answers left over: {}", left.join(", "))]
    AnswersLeft { result: String, left: Vec<String> },
    #[error("the walk ended at {result} with {left} confirmation(s) left over")]
    ConfirmationsLeft { result: String, left: usize },
    #[error("no result after {0} pages: the flow goes round in circles")]
    TooLong(usize),
}

impl Script {
    /// Parses a script's text; `file` only names it in errors.
    pub fn parse(file: &Path, text: &str) -> Result<Script, ScriptError> {
        ron::from_str(text).map_err(|e| ScriptError::Parse {
            file: file.to_owned(),
            line: e.span.start.line,
            column: e.span.start.col,
            message: e.code.to_string(),
        })
    }

    pub fn read(file: &Path) -> Result<Script, ScriptError> {
        let text = std::fs::read_to_string(file).map_err(|source| ScriptError::Read {
            file: file.to_owned(),
            source,
        })?;
        Script::parse(file, &text)
    }
}

/// Enough for any real flow; a walk longer than this is looping on checks alone.
const MAX_PAGES: usize = 1000;

/// Walks `script.flow` to a result, printing each page's title and text and the choice
/// taken on it to `out`.
pub fn run_script(
    wizards: &Arc<WizardSet>,
    script: &Script,
    backend: &mut dyn Backend,
    language: Language,
    out: &mut dyn Write,
) -> Result<ScriptRun, ScriptError> {
    let mut engine = Engine::new(Arc::clone(wizards), &script.flow, language)?;
    walk_script(&mut engine, script, backend, out)
}

/// Like `run_script`, on an engine the caller keeps, so that what the walk found (its
/// facts, answers and trail) can be reported afterwards. `script.flow` is not used: the
/// engine already stands where the walk begins.
pub fn walk_script(
    engine: &mut Engine,
    script: &Script,
    backend: &mut dyn Backend,
    out: &mut dyn Write,
) -> Result<ScriptRun, ScriptError> {
    let language = engine.language();
    let mut answers = script.answers.iter();
    let mut confirmations = script.confirm.iter();
    for _ in 0..MAX_PAGES {
        let view = engine.view();
        writeln!(out, "[{}] {}", view.id, view.title)?;
        for line in view.text.lines() {
            writeln!(out, "  {line}")?;
        }
        if let Some(error) = &view.error {
            writeln!(out, "  ! {error}")?;
        }
        match &view.body {
            Body::Result { outcome } => {
                writeln!(out, "  result: {outcome}")?;
                let left: Vec<String> = answers.cloned().collect();
                if !left.is_empty() {
                    return Err(ScriptError::AnswersLeft {
                        result: view.id,
                        left,
                    });
                }
                if confirmations.len() > 0 {
                    return Err(ScriptError::ConfirmationsLeft {
                        result: view.id,
                        left: confirmations.len(),
                    });
                }
                return Ok(ScriptRun {
                    result: view.id,
                    outcome: *outcome,
                    trail: engine.trail().to_vec(),
                });
            }
            Body::Question { answers: choices } => {
                let Some(id) = answers.next() else {
                    return Err(ScriptError::OutOfAnswers { page: view.id });
                };
                engine.answer(id)?;
                let label = choices
                    .iter()
                    .find(|c| &c.id == id)
                    .map_or("", |c| c.label.as_str());
                writeln!(out, "  answer: {id} ({label})")?;
            }
            Body::Statistics { view: name } => {
                writeln!(out, "  statistics: {name}")?;
                engine.go_on()?;
            }
            Body::Check { check } => {
                writeln!(out, "  check: {check}")?;
                if let Some(Reply::Check(Ok(facts))) = run(engine, backend)? {
                    for (name, value) in facts.iter() {
                        writeln!(out, "    {name} = {value}")?;
                    }
                }
            }
            Body::Fix { fix, .. } => {
                writeln!(out, "  fix: {fix}")?;
                let page = engine.at();
                run(engine, backend)?;
                if engine.at() == page {
                    if let Body::Fix {
                        plan: Some(plan), ..
                    } = engine.view().body
                    {
                        for line in &plan {
                            writeln!(out, "    plan: {line}")?;
                        }
                    }
                    if confirmations.next() == Some(&true) {
                        writeln!(out, "  confirmed")?;
                        engine.confirm()?;
                        if let Some(Reply::Applied(Ok(outcome))) = run(engine, backend)? {
                            for action in &outcome.actions {
                                writeln!(out, "    done: {}", action.describe(language))?;
                            }
                        }
                    } else {
                        writeln!(out, "  cancelled")?;
                        engine.cancel()?;
                    }
                }
            }
        }
        writeln!(out, "  -> {}", engine.page_id())?;
    }
    Err(ScriptError::TooLong(MAX_PAGES))
}

/// Runs the engine's pending request. A failure the page has no exit for would be
/// retried for ever by a person pressing "try again"; a script stops instead.
fn run(engine: &mut Engine, backend: &mut dyn Backend) -> Result<Option<Reply>, ScriptError> {
    let page = engine.at();
    let reply = engine.run_backend(backend)?;
    if engine.at() == page
        && let Some(error) = engine.error()
    {
        return Err(ScriptError::Backend {
            page: engine.page_id(),
            message: error.message.clone(),
        });
    }
    Ok(reply)
}
