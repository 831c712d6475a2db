//! Reads wizard files, parses them and checks them, reporting every problem with its
//! file, line and column.

use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::language::Language;
use super::locate::{Position, SourceMap};
use super::schema::Flow;
use super::set::{NamedFlow, WizardSet};
use super::validate;
use crate::ron_source::{self, Located, LocatedErrors};

/// What is wrong, without where.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Problem {
    #[error("cannot read: {0}")]
    Io(String),
    #[error("{0}")]
    Syntax(String),
    #[error("no wizard files (*.ron) here")]
    NoFiles,
    #[error("`{0}` is not a valid name: use lower-case letters, digits and `_`")]
    BadName(String),
    #[error("two flows are named `{0}`")]
    DuplicateFlow(String),
    #[error("page `{0}` is defined more than once in this flow")]
    DuplicatePage(String),
    #[error("answer `{0}` is given more than once on this page")]
    DuplicateAnswer(String),
    #[error("the flow has no pages")]
    NoPages,
    #[error("the question has no answers")]
    NoAnswers,
    #[error("no page `{0}` in this flow")]
    UnknownPage(String),
    #[error("no flow `{0}` (there is no wizard file of that name)")]
    UnknownFlow(String),
    #[error("page `{0}` cannot be reached from the start of its flow")]
    Unreachable(String),
    #[error("{what} has no text for `{}`", language.code())]
    MissingText { what: String, language: Language },
    #[error("unknown check `{0}`")]
    UnknownCheck(String),
    #[error("unknown fix `{0}`")]
    UnknownFix(String),
    #[error("unknown statistics view `{0}`")]
    UnknownView(String),
    #[error("unknown fact `{0}`")]
    UnknownFact(String),
    #[error("{0}")]
    FactMisuse(String),
    #[error(
        "fact `{fact}` may not be known here: `{producer}` does not run on every way to this page"
    )]
    FactTooEarly { fact: String, producer: String },
    #[error("view `{view}` needs check `{check}` to have run on every way to this page")]
    ViewTooEarly { view: String, check: String },
    #[error("in {what}: {problem}")]
    Placeholder { what: String, problem: String },
}

/// One problem in one file.
pub type LoadError = Located<Problem>;

/// Every problem found, ordered by file and position.
pub type LoadErrors = LocatedErrors<Problem>;

/// Parses one file's text; RON's own errors carry their position.
fn parse(file: &Path, source: &str) -> Result<Flow, LoadError> {
    ron_source::parse(source)
        .map_err(|(at, message)| LoadError::at(file, at, Problem::Syntax(message)))
}

/// Files in the wizard folder that are not flows: the knowledge base lives beside the
/// flows because its entries name their pages (`crate::diagnose::knowledge`); the
/// glossary of Outlook's labels because their texts must use it.
pub const NOT_FLOWS: &[&str] = &["knowledge.ron", "glossary.ron"];

/// A `*.ron` file that holds a flow.
pub fn is_flow_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "ron")
        && !path
            .file_name()
            .is_some_and(|n| NOT_FLOWS.iter().any(|x| n == *x))
}

/// Loads and checks every flow file (`*.ron` but `NOT_FLOWS`) in `dir`.
pub fn load_dir(dir: &Path) -> Result<WizardSet, LoadErrors> {
    let io = |e: std::io::Error| {
        LocatedErrors(vec![LoadError::at(
            dir,
            Position::START,
            Problem::Io(e.to_string()),
        )])
    };
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|p| is_flow_file(p))
        .collect();
    paths.sort();
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match fs::read_to_string(&path) {
            Ok(text) => sources.push((path, text)),
            Err(e) => errors.push(LoadError::at(
                &path,
                Position::START,
                Problem::Io(e.to_string()),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(LocatedErrors(errors));
    }
    if sources.is_empty() {
        return Err(LocatedErrors(vec![LoadError::at(
            dir,
            Position::START,
            Problem::NoFiles,
        )]));
    }
    load_sources(sources)
}

/// Loads and checks flows given as (file name, text); each flow is named after its
/// file's stem. All files are parsed first; checking needs them all, since pages refer
/// to other files' pages.
pub fn load_sources(sources: Vec<(PathBuf, String)>) -> Result<WizardSet, LoadErrors> {
    let mut errors = Vec::new();
    let mut flows = Vec::new();
    let mut maps = Vec::new();
    for (file, text) in &sources {
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match parse(file, text) {
            Ok(flow) => {
                flows.push(NamedFlow {
                    name,
                    file: file.clone(),
                    flow,
                });
                maps.push(SourceMap::new(text));
            }
            Err(e) => errors.push(e),
        }
    }
    // Checking half the files would report the broken ones' pages as missing.
    if errors.is_empty() {
        let set = WizardSet::new_unchecked(flows);
        for finding in validate::validate(&set) {
            let position = maps[finding.flow].find(&finding.locus);
            errors.push(LoadError::at(
                set.flows()[finding.flow].file.as_path(),
                position,
                finding.problem,
            ));
        }
        if errors.is_empty() {
            return Ok(set);
        }
    }
    errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    Err(LocatedErrors(errors))
}

/// The flows shipped inside the program (the files of `wizards/`), checked.
pub fn builtin() -> Result<WizardSet, LoadErrors> {
    let sources = super::builtin::FILES
        .iter()
        .map(|(name, text)| (Path::new("wizards").join(name), (*text).to_owned()))
        .collect();
    load_sources(sources)
}
