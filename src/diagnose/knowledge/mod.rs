//! The knowledge base: what each error of a synchronization log means, why it happens,
//! and which wizard page fixes it. The entries are data (`wizards/knowledge.ron`), built
//! into the program; `diagnose` pairs every grouped error of a report with its entry.

mod load;
mod locate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

pub use load::{KnowledgeError, KnowledgeErrors, load_str};
pub use locate::Position;

use super::sync_log::{ErrorGroup, KnownMessage, Section, SyncLogReport};
use crate::ron_source::LocatedErrors;

/// The knowledge file shipped inside the program.
const BUILTIN: &str = include_str!("../../../wizards/knowledge.ron");
/// The name the knowledge file is reported under.
pub const BUILTIN_FILE: &str = "wizards/knowledge.ron";

/// Text in every language the wizard speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub en: String,
    pub nl: String,
    pub pt: String,
}

impl Text {
    /// The text for a language code (`en`, `nl`, `pt`); English for any other.
    pub fn get(&self, language: &str) -> &str {
        match language {
            "nl" => &self.nl,
            "pt" => &self.pt,
            _ => &self.en,
        }
    }

    fn map(&self, f: impl Fn(&str) -> String) -> Text {
        Text {
            en: f(&self.en),
            nl: f(&self.nl),
            pt: f(&self.pt),
        }
    }
}

/// When an entry applies: every condition given must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    /// The error's code, eight upper-case hex digits.
    #[serde(default)]
    pub code: Option<String>,
    /// Any of these sections; empty: any section.
    #[serde(default)]
    pub sections: Vec<Section>,
    #[serde(default)]
    pub message: Option<KnownMessage>,
    /// Words in the error's lines, compared without regard to case.
    #[serde(default)]
    pub text: Option<String>,
}

impl When {
    pub fn applies(&self, g: &ErrorGroup) -> bool {
        self.code
            .as_ref()
            .is_none_or(|c| g.code.as_ref() == Some(c))
            && (self.sections.is_empty() || self.sections.contains(&g.section))
            && self.message.is_none_or(|m| g.message == Some(m))
            && self.text.as_ref().is_none_or(|t| {
                let t = t.to_lowercase();
                std::iter::once(&g.text)
                    .chain(&g.texts)
                    .any(|line| line.to_lowercase().contains(&t))
            })
    }

    /// Whether this applies to every error `other` applies to.
    pub fn covers(&self, other: &When) -> bool {
        let code = self.code.is_none() || self.code == other.code;
        let sections = self.sections.is_empty()
            || (!other.sections.is_empty()
                && other.sections.iter().all(|s| self.sections.contains(s)));
        let message = self.message.is_none() || self.message == other.message;
        let text = match (&self.text, &other.text) {
            (None, _) => true,
            (Some(a), Some(b)) => b.to_lowercase().contains(&a.to_lowercase()),
            (Some(_), None) => false,
        };
        code && sections && message && text
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Stable, for scripts and tests.
    pub id: String,
    pub when: When,
    pub cause: Text,
    pub explanation: Text,
    /// The wizard page that fixes it: `flow/page`.
    pub fix: String,
}

/// What to say about an error no entry applies to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unknown {
    pub cause: Text,
    pub explanation: Text,
    pub fix: String,
}

#[derive(Debug, Clone)]
pub struct Knowledge {
    file: PathBuf,
    names: BTreeMap<String, String>,
    unknown: Unknown,
    entries: Vec<Entry>,
    fix_at: Vec<Position>,
    unknown_fix_at: Position,
}

/// What the knowledge base says about one error.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The entry's id; `unknown` when no entry applies.
    pub id: String,
    /// An entry applies.
    pub known: bool,
    /// The code's MAPI or COM name, where known.
    pub name: Option<String>,
    pub cause: Text,
    pub explanation: Text,
    /// The wizard page that fixes it: `flow/page`.
    pub fix: String,
}

/// One grouped error of a report with what the knowledge base says about it.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    pub error: ErrorGroup,
    pub finding: Finding,
}

impl Knowledge {
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The MAPI or COM name of a code (`8004010F`: `MAPI_E_NOT_FOUND`).
    pub fn name_of(&self, code: &str) -> Option<&str> {
        self.names.get(code).map(String::as_str)
    }

    /// The first entry that applies to `error`.
    pub fn find(&self, error: &ErrorGroup) -> Option<&Entry> {
        self.entries.iter().find(|e| e.when.applies(error))
    }

    pub fn explain(&self, error: &ErrorGroup) -> Finding {
        let name = error
            .code
            .as_deref()
            .and_then(|c| self.name_of(c))
            .map(str::to_string);
        match self.find(error) {
            Some(e) => Finding {
                id: e.id.clone(),
                known: true,
                name,
                cause: e.cause.clone(),
                explanation: e.explanation.clone(),
                fix: e.fix.clone(),
            },
            None => {
                let what = match (&error.code, &name) {
                    (Some(c), Some(n)) => format!("{c} ({n})"),
                    (Some(c), None) => c.clone(),
                    _ => format!("\"{}\"", error.text),
                };
                Finding {
                    id: "unknown".to_string(),
                    known: false,
                    name,
                    cause: self.unknown.cause.map(|t| t.replace("{error}", &what)),
                    explanation: self.unknown.explanation.clone(),
                    fix: self.unknown.fix.clone(),
                }
            }
        }
    }

    pub fn diagnose(&self, report: &SyncLogReport) -> Vec<Diagnosis> {
        report
            .groups
            .iter()
            .map(|g| Diagnosis {
                error: g.clone(),
                finding: self.explain(g),
            })
            .collect()
    }

    /// A knowledge base with no entries that says why: what the program falls back to if
    /// its own file could not be read (a test keeps that from shipping).
    fn broken(errors: &KnowledgeErrors) -> Knowledge {
        let says = |s: String| Text {
            en: s.clone(),
            nl: s.clone(),
            pt: s,
        };
        Knowledge {
            file: PathBuf::from(BUILTIN_FILE),
            names: BTreeMap::new(),
            unknown: Unknown {
                cause: says("{error}: the built-in knowledge base could not be read.".into()),
                explanation: says(errors.to_string()),
                fix: "sync_errors/ask".into(),
            },
            entries: Vec::new(),
            fix_at: Vec::new(),
            unknown_fix_at: Position::START,
        }
    }
}

/// Loads the knowledge file shipped inside the program, checked.
pub fn load_builtin() -> Result<Knowledge, KnowledgeErrors> {
    load_str(Path::new(BUILTIN_FILE), BUILTIN)
}

/// Reads and checks a knowledge file from disk.
pub fn load_file(path: &Path) -> Result<Knowledge, KnowledgeErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        LocatedErrors(vec![KnowledgeError::at(
            path,
            Position::START,
            format!("cannot read: {e}"),
        )])
    })?;
    load_str(path, &text)
}

/// The knowledge base shipped inside the program.
pub fn builtin() -> &'static Knowledge {
    static KB: LazyLock<Knowledge> =
        LazyLock::new(|| load_builtin().unwrap_or_else(|e| Knowledge::broken(&e)));
    &KB
}

/// Pairs each grouped error of `report` with what the built-in knowledge base says.
pub fn diagnose(report: &SyncLogReport) -> Vec<Diagnosis> {
    builtin().diagnose(report)
}
