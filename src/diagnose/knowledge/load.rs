//! Reads the knowledge file and checks it, reporting every problem with its file, line
//! and column, as the wizard loader does for flows.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use super::locate::{Position, SourceMap};
use super::{Entry, Knowledge, Text, Unknown};
use crate::ron_source::{self, Located, LocatedErrors};

/// One problem in the knowledge file.
pub type KnowledgeError = Located<String>;

/// Every problem found, in file order.
pub type KnowledgeErrors = LocatedErrors<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    names: BTreeMap<String, String>,
    unknown: Unknown,
    entries: Vec<Entry>,
}

fn error(file: &Path, at: Position, problem: impl Into<String>) -> KnowledgeError {
    Located::at(file, at, problem.into())
}

/// Parses and checks a knowledge file's text; `file` names it in errors.
pub fn load_str(file: &Path, source: &str) -> Result<Knowledge, KnowledgeErrors> {
    let parsed: File = ron_source::parse(source)
        .map_err(|(at, message)| LocatedErrors(vec![error(file, at, message)]))?;
    let map = SourceMap::new(source);
    let mut errors = Vec::new();
    let mut fix_at = Vec::new();

    for (code, name) in &parsed.names {
        let at = map.string_in("names", code).unwrap_or(Position::START);
        if !is_code(code) {
            errors.push(error(
                file,
                at,
                format!("`{code}` is not a code: write eight upper-case hex digits"),
            ));
        }
        if name.trim().is_empty() {
            errors.push(error(file, at, format!("`{code}` has an empty name")));
        }
    }

    let unknown_at = map.in_section("unknown", "fix").unwrap_or(Position::START);
    check_text(
        file,
        unknown_at,
        "the unknown error's cause",
        &parsed.unknown.cause,
        &mut errors,
    );
    check_text(
        file,
        unknown_at,
        "the unknown error's explanation",
        &parsed.unknown.explanation,
        &mut errors,
    );

    let mut ids = HashSet::new();
    for (n, e) in parsed.entries.iter().enumerate() {
        let token = map.entry(n);
        let id_at = token.map_or(Position::START, |t| map.at(t));
        let field = |name: &str| {
            token
                .and_then(|t| map.field_after(t, name))
                .unwrap_or(id_at)
        };
        fix_at.push(field("fix"));
        if e.id.is_empty()
            || !e
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            errors.push(error(
                file,
                id_at,
                format!(
                    "`{}` is not a valid id: use lower-case letters, digits and `_`",
                    e.id
                ),
            ));
        }
        if !ids.insert(e.id.as_str()) {
            errors.push(error(
                file,
                id_at,
                format!("entry `{}` is defined twice", e.id),
            ));
        }
        let w = &e.when;
        if w.code.is_none() && w.message.is_none() && w.text.is_none() {
            errors.push(error(
                file,
                id_at,
                format!(
                    "entry `{}` applies to every error: give a code, message or text",
                    e.id
                ),
            ));
        }
        if let Some(code) = &w.code
            && !is_code(code)
        {
            errors.push(error(
                file,
                field("code"),
                format!("`{code}` is not a code: write eight upper-case hex digits"),
            ));
        }
        if w.text.as_deref().is_some_and(|t| t.trim().is_empty()) {
            errors.push(error(file, field("text"), "the text to look for is empty"));
        }
        check_text(
            file,
            id_at,
            &format!("the cause of `{}`", e.id),
            &e.cause,
            &mut errors,
        );
        check_text(
            file,
            id_at,
            &format!("the explanation of `{}`", e.id),
            &e.explanation,
            &mut errors,
        );
        if let Some(earlier) = parsed.entries[..n].iter().find(|x| x.when.covers(&e.when)) {
            errors.push(error(
                file,
                id_at,
                format!(
                    "entry `{}` never applies: `{}` comes first and applies to every error it would",
                    e.id, earlier.id
                ),
            ));
        }
    }

    if !errors.is_empty() {
        errors.sort_by_key(|e| (e.line, e.column));
        return Err(LocatedErrors(errors));
    }
    Ok(Knowledge {
        file: file.to_owned(),
        names: parsed.names,
        unknown: parsed.unknown,
        entries: parsed.entries,
        fix_at,
        unknown_fix_at: unknown_at,
    })
}

fn is_code(s: &str) -> bool {
    s.len() == 8
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

fn check_text(
    file: &Path,
    at: Position,
    what: &str,
    text: &Text,
    errors: &mut Vec<KnowledgeError>,
) {
    for (code, value) in [("en", &text.en), ("nl", &text.nl), ("pt", &text.pt)] {
        if value.trim().is_empty() {
            errors.push(error(file, at, format!("{what} has no text for `{code}`")));
        }
    }
}

impl Knowledge {
    /// Checks that every fix names a wizard page; `exists` says whether `flow/page` does.
    /// The knowledge base does not depend on the wizard, so the caller brings the pages.
    pub fn check_fixes(&self, exists: impl Fn(&str) -> bool) -> Result<(), KnowledgeErrors> {
        let mut errors = Vec::new();
        let refs = std::iter::once((&self.unknown.fix, self.unknown_fix_at)).chain(
            self.entries
                .iter()
                .map(|e| &e.fix)
                .zip(self.fix_at.iter().copied()),
        );
        for (fix, at) in refs {
            if !exists(fix) {
                errors.push(error(
                    &self.file,
                    at,
                    format!("no wizard page `{fix}` (write `flow/page`)"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(LocatedErrors(errors))
        }
    }
}
