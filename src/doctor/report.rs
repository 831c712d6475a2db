//! The session report a person can attach to a helpdesk ticket: what was found, what was
//! answered, what was done. JSON for tools, a self-contained HTML page for people.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::findings::Findings;
use crate::time::Timestamp;
use crate::wizard::{Engine, FactValue};

#[derive(Clone, Debug, Serialize)]
pub struct SessionReport {
    pub program: String,
    pub created: String,
    pub store: String,
    pub language: String,
    pub flow: String,
    pub page: String,
    /// How the walk ended, when it has.
    pub outcome: Option<String>,
    pub steps: Vec<StepTaken>,
    pub answers: Vec<AnswerGiven>,
    /// Each fact as a plain JSON value (yes/no, number, text, list of texts).
    pub facts: BTreeMap<String, serde_json::Value>,
    pub findings: Findings,
}

#[derive(Clone, Debug, Serialize)]
pub struct StepTaken {
    pub from: String,
    pub via: String,
    pub to: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct AnswerGiven {
    pub page: String,
    pub answer: String,
}

impl SessionReport {
    pub fn new(engine: &Engine, store: &Path, findings: &Findings, now: Timestamp) -> Self {
        let view = engine.view();
        SessionReport {
            program: format!("OST Doctor {}", env!("CARGO_PKG_VERSION")),
            created: now.to_string(),
            store: store.display().to_string(),
            language: engine.language().code().to_owned(),
            flow: view.flow_title,
            page: view.id,
            outcome: engine.outcome().map(|o| o.to_string()),
            steps: engine
                .trail()
                .iter()
                .map(|t| StepTaken {
                    from: t.from.clone(),
                    via: t.via.to_string(),
                    to: t.to.clone(),
                })
                .collect(),
            answers: engine
                .answers()
                .iter()
                .map(|a| AnswerGiven {
                    page: a.page.clone(),
                    answer: a.answer.clone(),
                })
                .collect(),
            facts: engine
                .facts()
                .iter()
                .map(|(name, value)| (name.to_owned(), plain(value)))
                .collect(),
            findings: findings.clone(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    pub fn to_html(&self) -> String {
        let mut h = String::new();
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
             <title>OST Doctor report</title><style>{STYLE}</style></head><body>\n\
             <h1>OST Doctor report</h1>\n<table class=\"meta\">",
            esc(&self.language)
        );
        let outcome = self.outcome.as_deref().unwrap_or("not finished");
        for (k, v) in [
            ("Store", self.store.as_str()),
            ("Created", &self.created),
            ("Program", &self.program),
            ("Guide", &self.flow),
            ("Last page", &self.page),
            ("Outcome", outcome),
        ] {
            let _ = write!(h, "<tr><th>{k}</th><td>{}</td></tr>", esc(v));
        }
        if let Some(server) = &self.findings.server {
            let _ = write!(h, "<tr><th>Server</th><td>{}</td></tr>", esc(server));
        }
        h.push_str("</table>\n");
        self.write_folders(&mut h);
        self.write_actions(&mut h);
        self.write_losses(&mut h);
        h.push_str("<h2>Facts</h2>\n<table><tr><th>Fact</th><th>Value</th></tr>");
        for (name, value) in &self.facts {
            let shown = match value {
                serde_json::Value::Bool(true) => "yes".to_owned(),
                serde_json::Value::Bool(false) => "no".to_owned(),
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            let _ = write!(h, "<tr><td>{}</td><td>{}</td></tr>", esc(name), esc(&shown));
        }
        h.push_str("</table>\n<h2>Steps</h2>\n<ol>");
        for s in &self.steps {
            let _ = write!(
                h,
                "<li>{} &rarr; {} <span class=\"via\">({})</span></li>",
                esc(&s.from),
                esc(&s.to),
                esc(&s.via)
            );
        }
        h.push_str("</ol>\n</body></html>\n");
        h
    }

    fn write_folders(&self, h: &mut String) {
        let Some(report) = &self.findings.comparison else {
            return;
        };
        h.push_str(
            "<h2>Folders</h2>\n<table><tr><th>Folder</th><th>Server folder contains</th>\
             <th>Offline folder contains</th><th>Verdict</th></tr>",
        );
        let num = |n: Option<u64>| n.map_or("-".to_owned(), |n| n.to_string());
        for row in &report.folders {
            let class = if row.verdict.is_difference() {
                " class=\"differs\""
            } else {
                ""
            };
            let _ = write!(
                h,
                "<tr{class}><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&row.display_path()),
                num(row.server_count),
                num(row.offline_count),
                esc(&row.reason)
            );
        }
        h.push_str("</table>\n");
    }

    fn write_actions(&self, h: &mut String) {
        h.push_str("<h2>Changes made</h2>\n");
        if self.findings.actions.is_empty() {
            h.push_str("<p>None: nothing on the computer or the server was changed.</p>\n");
            return;
        }
        h.push_str("<ul>");
        for taken in &self.findings.actions {
            for action in &taken.actions {
                let _ = write!(h, "<li>{}</li>", esc(action));
            }
        }
        h.push_str("</ul>\n");
    }

    /// What a copy left out (the facts `export.losses` and `backup.losses`), under a heading
    /// of its own: never only a line in the table of facts.
    fn write_losses(&self, h: &mut String) {
        let lines: Vec<&str> = ["export.losses", "backup.losses"]
            .iter()
            .filter_map(|f| self.facts.get(*f)?.as_array())
            .flatten()
            .filter_map(|l| l.as_str())
            .collect();
        if lines.is_empty() {
            return;
        }
        let _ = write!(
            h,
            "<h2>Left out of the copy ({})</h2>\n<p>The old store still holds these; they could not be read, so they are not in the new file.</p>\n<ul>",
            lines.len()
        );
        for line in lines {
            let _ = write!(h, "<li>{}</li>", esc(line));
        }
        h.push_str("</ul>\n");
    }

    /// Writes `NAME.html` and `NAME.json` into `dir`, never replacing a file: a number is
    /// added to the name until both are free.
    pub fn save(&self, dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(dir)?;
        let stem = format!("OST Doctor report {}", self.created.replace(':', "-"));
        for n in 0..1000 {
            let name = if n == 0 {
                stem.clone()
            } else {
                format!("{stem} ({n})")
            };
            let (html, json) = (
                dir.join(format!("{name}.html")),
                dir.join(format!("{name}.json")),
            );
            if html.exists() || json.exists() {
                continue;
            }
            write_new(&html, &self.to_html())?;
            write_new(&json, &self.to_json())?;
            return Ok((html, json));
        }
        Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("no free report name in {}", dir.display()),
        ))
    }
}

fn plain(value: &FactValue) -> serde_json::Value {
    match value {
        FactValue::Bool(b) => (*b).into(),
        FactValue::Int(n) => (*n).into(),
        FactValue::Text(t) => t.as_str().into(),
        FactValue::List(items) => items.clone().into(),
    }
}

fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}\
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #bbb;padding:.25em .6em;\
text-align:left}tr.differs td{background:#fde2e2}.meta th{background:#f2f2f2}.via{color:#666}";
