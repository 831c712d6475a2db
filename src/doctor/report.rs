//! The session report a person can attach to a helpdesk ticket: what was found, what was
//! answered, what was done. JSON for tools, a self-contained HTML page for people.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::findings::Findings;
use crate::time::Timestamp;
use crate::wizard::{Engine, FactValue, Language};

/// The report's own words in each language the walk can be in; the page titles, answers
/// and the knowledge base's text come in the walk's language already.
struct Words {
    title: &'static str,
    store: &'static str,
    created: &'static str,
    program: &'static str,
    guide: &'static str,
    last_page: &'static str,
    outcome: &'static str,
    not_finished: &'static str,
    /// healthy, fixed, stopped, unresolved.
    outcomes: [&'static str; 4],
    server: &'static str,
    folders: &'static str,
    folder: &'static str,
    server_contains: &'static str,
    offline_contains: &'static str,
    verdict: &'static str,
    changes: &'static str,
    no_changes: &'static str,
    /// (one, other) with # for the count.
    left_out: (&'static str, &'static str),
    left_out_why: &'static str,
    facts: &'static str,
    fact: &'static str,
    value: &'static str,
    yes: &'static str,
    no: &'static str,
    steps: &'static str,
}

const EN: Words = Words {
    title: "OST Doctor report",
    store: "Store",
    created: "Created",
    program: "Program",
    guide: "Guide",
    last_page: "Last page",
    outcome: "Outcome",
    not_finished: "not finished",
    outcomes: ["nothing is wrong", "fixed", "stopped", "not solved"],
    server: "Server",
    folders: "Folders",
    folder: "Folder",
    server_contains: "Server folder contains",
    offline_contains: "Offline folder contains",
    verdict: "Verdict",
    changes: "Changes made",
    no_changes: "None: nothing on the computer or the server was changed.",
    left_out: (
        "Left out of the copy (# item or part)",
        "Left out of the copy (# items or parts)",
    ),
    left_out_why: "The old store still holds these; they could not be read, so they are not in the new file.",
    facts: "Facts",
    fact: "Fact",
    value: "Value",
    yes: "yes",
    no: "no",
    steps: "Steps",
};

const NL: Words = Words {
    title: "OST Doctor-rapport",
    store: "Bestand",
    created: "Gemaakt",
    program: "Programma",
    guide: "Wizard",
    last_page: "Laatste pagina",
    outcome: "Uitkomst",
    not_finished: "niet afgerond",
    outcomes: ["er is niets mis", "verholpen", "gestopt", "niet opgelost"],
    server: "Server",
    folders: "Mappen",
    folder: "Map",
    server_contains: "Servermap bevat",
    offline_contains: "Offlinemap bevat",
    verdict: "Oordeel",
    changes: "Aangebrachte wijzigingen",
    no_changes: "Geen: er is niets op de computer of de server gewijzigd.",
    left_out: (
        "Weggelaten uit de kopie (# item of deel)",
        "Weggelaten uit de kopie (# items of delen)",
    ),
    left_out_why: "Het oude bestand bevat deze nog; ze waren niet te lezen en staan dus niet in het nieuwe bestand.",
    facts: "Gegevens",
    fact: "Gegeven",
    value: "Waarde",
    yes: "ja",
    no: "nee",
    steps: "Stappen",
};

const PT: Words = Words {
    title: "Relatório do OST Doctor",
    store: "Arquivo",
    created: "Criado",
    program: "Programa",
    guide: "Assistente",
    last_page: "Última página",
    outcome: "Resultado",
    not_finished: "não concluído",
    outcomes: [
        "nada está errado",
        "corrigido",
        "interrompido",
        "não resolvido",
    ],
    server: "Servidor",
    folders: "Pastas",
    folder: "Pasta",
    server_contains: "A pasta do servidor contém",
    offline_contains: "A pasta offline contém",
    verdict: "Avaliação",
    changes: "Alterações feitas",
    no_changes: "Nenhuma: nada foi alterado no computador nem no servidor.",
    left_out: (
        "Deixado de fora da cópia (# item ou parte)",
        "Deixados de fora da cópia (# itens ou partes)",
    ),
    left_out_why: "O arquivo antigo ainda os guarda; não puderam ser lidos, por isso não estão no novo arquivo.",
    facts: "Dados",
    fact: "Dado",
    value: "Valor",
    yes: "sim",
    no: "não",
    steps: "Passos",
};

impl Words {
    fn of(code: &str) -> &'static Words {
        match Language::ALL.into_iter().find(|l| l.code() == code) {
            Some(Language::Dutch) => &NL,
            Some(Language::Portuguese) => &PT,
            _ => &EN,
        }
    }

    fn outcome(&self, outcome: &str) -> &'static str {
        match outcome {
            "healthy" => self.outcomes[0],
            "fixed" => self.outcomes[1],
            "stopped" => self.outcomes[2],
            _ => self.outcomes[3],
        }
    }
}

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

    /// The report as a page in the walk's language: the page declares the language its
    /// words are in.
    pub fn to_html(&self) -> String {
        let w = Words::of(&self.language);
        let lang = Language::ALL
            .into_iter()
            .find(|l| l.code() == self.language)
            .unwrap_or_default();
        let mut h = String::new();
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
             <title>{}</title><style>{STYLE}</style></head><body>\n\
             <h1>{}</h1>\n<table class=\"meta\">",
            lang.code(),
            esc(w.title),
            esc(w.title)
        );
        let outcome = self
            .outcome
            .as_deref()
            .map_or(w.not_finished, |o| w.outcome(o));
        for (k, v) in [
            (w.store, self.store.as_str()),
            (w.created, &self.created),
            (w.program, &self.program),
            (w.guide, &self.flow),
            (w.last_page, &self.page),
            (w.outcome, outcome),
        ] {
            let _ = write!(h, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v));
        }
        if let Some(server) = &self.findings.server {
            let _ = write!(
                h,
                "<tr><th>{}</th><td>{}</td></tr>",
                esc(w.server),
                esc(server)
            );
        }
        h.push_str("</table>\n");
        self.write_folders(&mut h, w);
        self.write_actions(&mut h, w);
        self.write_losses(&mut h, w, lang);
        let _ = write!(
            h,
            "<h2>{}</h2>\n<table><tr><th>{}</th><th>{}</th></tr>",
            esc(w.facts),
            esc(w.fact),
            esc(w.value)
        );
        for (name, value) in &self.facts {
            let shown = match value {
                serde_json::Value::Bool(true) => w.yes.to_owned(),
                serde_json::Value::Bool(false) => w.no.to_owned(),
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
        let _ = write!(h, "</table>\n<h2>{}</h2>\n<ol>", esc(w.steps));
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

    fn write_folders(&self, h: &mut String, w: &Words) {
        let Some(report) = &self.findings.comparison else {
            return;
        };
        let _ = write!(
            h,
            "<h2>{}</h2>\n<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            esc(w.folders),
            esc(w.folder),
            esc(w.server_contains),
            esc(w.offline_contains),
            esc(w.verdict)
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

    fn write_actions(&self, h: &mut String, w: &Words) {
        let _ = writeln!(h, "<h2>{}</h2>", esc(w.changes));
        if self.findings.actions.is_empty() {
            let _ = writeln!(h, "<p>{}</p>", esc(w.no_changes));
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
    fn write_losses(&self, h: &mut String, w: &Words, lang: Language) {
        let lines: Vec<&str> = ["export.losses", "backup.losses"]
            .iter()
            .filter_map(|f| self.facts.get(*f)?.as_array())
            .flatten()
            .filter_map(|l| l.as_str())
            .collect();
        if lines.is_empty() {
            return;
        }
        let (one, other) = w.left_out;
        let heading = lang.counted(lines.len() as i64, one, other);
        let _ = write!(
            h,
            "<h2>{}</h2>\n<p>{}</p>\n<ul>",
            esc(&heading),
            esc(w.left_out_why)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn report(language: &str, lost: usize) -> SessionReport {
        let losses: Vec<serde_json::Value> = (0..lost)
            .map(|i| format!("Inbox / item {i}: attachment: checksum").into())
            .collect();
        SessionReport {
            program: "OST Doctor 0".into(),
            created: "2026-12-06T22:00:00Z".into(),
            store: "ana@example.com.ost".into(),
            language: language.into(),
            flow: "Rebuild".into(),
            page: "rebuild/rebuilt".into(),
            outcome: Some("fixed".into()),
            steps: Vec::new(),
            answers: Vec::new(),
            facts: BTreeMap::from([
                ("store.damaged".to_owned(), true.into()),
                ("export.losses".to_owned(), losses.into()),
            ]),
            findings: Findings::default(),
        }
    }

    #[test]
    fn the_report_is_in_the_walks_language_and_says_so() {
        let dutch = report("nl", 2).to_html();
        assert!(dutch.contains("<html lang=\"nl\">"), "{dutch}");
        for words in [
            "OST Doctor-rapport",
            "<th>Uitkomst</th><td>verholpen</td>",
            "Aangebrachte wijzigingen",
            "Weggelaten uit de kopie (2 items of delen)",
            "<td>store.damaged</td><td>ja</td>",
        ] {
            assert!(dutch.contains(words), "{words}: {dutch}");
        }
        let portuguese = report("pt", 1).to_html();
        assert!(portuguese.contains("<html lang=\"pt\">"));
        assert!(portuguese.contains("Deixado de fora da cópia (1 item ou parte)"));
        let english = report("en", 1).to_html();
        assert!(english.contains("<html lang=\"en\">"));
        assert!(english.contains("<th>Outcome</th><td>fixed</td>"));
        assert!(english.contains("Left out of the copy (1 item or part)"));
        // A language the report has no words for is English, and says so.
        assert!(report("de", 0).to_html().contains("<html lang=\"en\">"));
    }
}
