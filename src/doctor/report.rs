//! The session report a person can attach to a helpdesk ticket: what was found, what was
//! answered, what was done. JSON for tools, a self-contained HTML page for people.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::findings::Findings;
use super::log_words::{self, Since, is_error};
use crate::diagnose::knowledge::Diagnosis;
use crate::diagnose::sync_log::{Event, SyncLog};
use crate::time::{Timestamp, UtcOffset, Zone};
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
    summary: &'static str,
    way: &'static str,
    answered: &'static str,
    technical: &'static str,
    sync_log: &'static str,
    /// (one, other) with # for the number of logs, when there are several.
    sync_logs: (&'static str, &'static str),
    log_written: &'static str,
    log_age: &'static str,
    log_lines: &'static str,
    error_lines_heading: &'static str,
    whole_log: &'static str,
    log_problem: &'static str,
    /// Said after the time when the log's own clock ran in another zone.
    log_clock: &'static str,
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
    summary: "In short",
    way: "The way taken",
    answered: "your answer",
    technical: "Details for support staff",
    sync_log: "Synchronization log",
    sync_logs: ("Synchronization log (#)", "Synchronization logs (#)"),
    log_written: "Written",
    log_age: "Age",
    log_lines: "Lines",
    error_lines_heading: "The lines that report an error",
    whole_log: "The whole log",
    log_problem: "Not all of it could be read",
    log_clock: "the times in the log are in",
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
    summary: "In het kort",
    way: "De gevolgde weg",
    answered: "uw antwoord",
    technical: "Details voor de helpdesk",
    sync_log: "Synchronisatielogboek",
    sync_logs: ("Synchronisatielogboek (#)", "Synchronisatielogboeken (#)"),
    log_written: "Geschreven",
    log_age: "Leeftijd",
    log_lines: "Regels",
    error_lines_heading: "De regels die een fout melden",
    whole_log: "Het hele logboek",
    log_problem: "Niet alles kon worden gelezen",
    log_clock: "de tijden in het logboek zijn in",
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
    summary: "Em resumo",
    way: "O caminho seguido",
    answered: "sua resposta",
    technical: "Detalhes para o suporte",
    sync_log: "Log de sincronização",
    sync_logs: ("Log de sincronização (#)", "Logs de sincronização (#)"),
    log_written: "Gravado",
    log_age: "Idade",
    log_lines: "Linhas",
    error_lines_heading: "As linhas que indicam um erro",
    whole_log: "O log inteiro",
    log_problem: "Nem tudo pôde ser lido",
    log_clock: "os horários no log estão em",
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
    /// The last page's title and text, in the walk's language: on a result page, what was
    /// found, what was done and what is left to do, in the words the person read.
    pub page_title: String,
    pub page_text: String,
    /// How the walk ended, when it has.
    pub outcome: Option<String>,
    /// The pages passed through, by title, with the answer given on each question.
    pub way: Vec<WayStep>,
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
pub struct WayStep {
    pub title: String,
    /// The label of the answer chosen there, for a question.
    pub answer: Option<String>,
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
            page_title: view.title,
            page_text: view.text,
            outcome: engine.outcome().map(|o| o.to_string()),
            way: way(engine),
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

    /// The report as a page in the walk's language, its times in this computer's zone.
    pub fn to_html(&self) -> String {
        self.to_html_in(Zone::Local)
    }

    /// The report as a page in the walk's language: the page declares the language its
    /// words are in. Times are shown in `zone`, its offset named (the JSON keeps UTC).
    pub fn to_html_in(&self, zone: Zone) -> String {
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
        let created = local_time(&self.created, zone);
        for (k, v) in [
            (w.store, self.store.as_str()),
            (w.created, &created),
            (w.program, &self.program),
            (w.guide, &self.flow),
            (w.last_page, &self.page_title),
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
        let _ = write!(
            h,
            "<h2>{}</h2>\n<p class=\"summary\"><strong>{}</strong></p>\n",
            esc(w.summary),
            esc(&self.page_title)
        );
        for paragraph in self.page_text.split("\n").filter(|p| !p.trim().is_empty()) {
            let _ = writeln!(h, "<p>{}</p>", esc(paragraph));
        }
        self.write_actions(&mut h, w);
        self.write_losses(&mut h, w, lang);
        self.write_folders(&mut h, w);
        self.write_sync_logs(&mut h, w, lang, zone);
        self.write_way(&mut h, w);
        // Internal names and page ids: what support staff and tools need, folded away so
        // the person reads the report in words first.
        let _ = write!(
            h,
            "<details><summary>{}</summary>\n<h2>{}</h2>\n<table><tr><th>{}</th><th>{}</th></tr>",
            esc(w.technical),
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
        h.push_str("</ol>\n</details>\n</body></html>\n");
        h
    }

    /// Each synchronization log read: when it was written and how long before the report,
    /// where it is, how many lines it has; its error lines, each with what its code means
    /// where the knowledge base knows; the whole log folded away, the error lines marked.
    fn write_sync_logs(&self, h: &mut String, w: &Words, lang: Language, zone: Zone) {
        let Some(found) = &self.findings.sync_logs else {
            return;
        };
        let logs = &found.report.logs;
        if logs.is_empty() {
            return;
        }
        let heading = if logs.len() == 1 {
            w.sync_log.to_owned()
        } else {
            let (one, other) = w.sync_logs;
            lang.counted(logs.len() as i64, one, other)
        };
        let _ = writeln!(h, "<h2>{}</h2>", esc(&heading));
        let created = Timestamp::parse_rfc3339(&self.created);
        // Newest first: the last synchronization is the one a person asks about.
        let mut order: Vec<usize> = (0..logs.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(logs[i].time.clone()));
        for i in order {
            let log = &logs[i];
            let written = log.time.as_deref().and_then(Timestamp::parse_rfc3339);
            let errors: Vec<&Event> = log.events.iter().filter(|e| is_error(e)).collect();
            let lines = format!(
                "{}, {}",
                log_words::lines(lang, log.events.len()),
                log_words::error_lines(lang, errors.len())
            );
            h.push_str("<table class=\"meta\">");
            let mut rows = vec![
                (w.log_written, written_at(w, log, written, zone)),
                (
                    w.log_age,
                    match (written, created) {
                        (Some(t), Some(now)) => log_words::age(lang, now.0 - t.0, Since::Report),
                        _ => "-".to_owned(),
                    },
                ),
                (w.folder, log.folder.join("/")),
                (w.log_lines, lines),
            ];
            if let Some(problem) = &log.problem {
                rows.push((w.log_problem, problem.clone()));
            }
            for (k, v) in rows {
                let _ = write!(h, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v));
            }
            h.push_str("</table>\n");
            if !errors.is_empty() {
                let _ = write!(
                    h,
                    "<p><strong>{}</strong></p>\n<ul class=\"errors\">",
                    esc(w.error_lines_heading)
                );
                for e in &errors {
                    let _ = write!(h, "<li><code>{}</code>", esc(&line_of(e)));
                    if let Some(meaning) = meaning(e, i, &found.diagnoses, lang) {
                        let _ = write!(h, "<br><span class=\"meaning\">{}</span>", esc(&meaning));
                    }
                    h.push_str("</li>");
                }
                h.push_str("</ul>\n");
            }
            let _ = write!(
                h,
                "<details class=\"log\"><summary>{} ({})</summary><pre>",
                esc(w.whole_log),
                esc(&log_words::lines(lang, log.events.len()))
            );
            write_log_lines(h, log);
            h.push_str("</pre></details>\n");
        }
    }

    fn write_way(&self, h: &mut String, w: &Words) {
        if self.way.is_empty() {
            return;
        }
        let _ = write!(h, "<h2>{}</h2>\n<ol>", esc(w.way));
        for step in &self.way {
            match &step.answer {
                Some(answer) => {
                    let _ = write!(
                        h,
                        "<li>{} <span class=\"via\">({}: {})</span></li>",
                        esc(&step.title),
                        esc(w.answered),
                        esc(answer)
                    );
                }
                None => {
                    let _ = write!(h, "<li>{}</li>", esc(&step.title));
                }
            }
        }
        h.push_str("</ol>\n");
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

/// The pages of the walk by title, each with the answer given there, ending on the page
/// the walk stands on. A page left more than once (Try again) is listed each time.
fn way(engine: &Engine) -> Vec<WayStep> {
    let mut out: Vec<WayStep> = engine
        .trail()
        .iter()
        .map(|t| WayStep {
            title: engine.title_of(&t.from).unwrap_or_else(|| t.from.clone()),
            answer: match &t.via {
                crate::wizard::Via::Answer(id) => engine.answer_label(&t.from, id),
                _ => None,
            },
        })
        .collect();
    if let Some(last) = engine.trail().last() {
        out.push(WayStep {
            title: engine.title_of(&last.to).unwrap_or_else(|| last.to.clone()),
            answer: None,
        });
    }
    out
}

/// An RFC 3339 time in `zone`, its offset named; as it came when it is not one.
fn local_time(rfc3339: &str, zone: Zone) -> String {
    Timestamp::parse_rfc3339(rfc3339).map_or_else(|| rfc3339.to_owned(), |t| zone.minutes(t))
}

/// When a log was written, in `zone`; when the computer that wrote it kept another zone,
/// that zone too, since the log's own lines carry its clock.
fn written_at(w: &Words, log: &SyncLog, written: Option<Timestamp>, zone: Zone) -> String {
    let Some(t) = written else {
        return "-".to_owned();
    };
    let shown = zone.minutes(t);
    match log.utc_offset_minutes.map(|m| UtcOffset(m * 60)) {
        Some(clock) if clock != zone.offset_at(t) => {
            format!("{shown} ({} {})", w.log_clock, clock.name())
        }
        _ => shown,
    }
}

/// A log line as Outlook wrote it: its clock time, then its text.
fn line_of(e: &Event) -> String {
    match &e.time {
        Some(time) => format!("{time} {}", e.text),
        None => e.text.clone(),
    }
}

fn write_log_lines(h: &mut String, log: &SyncLog) {
    for e in &log.events {
        if is_error(e) {
            let _ = writeln!(h, "<mark class=\"error\">{}</mark>", esc(&line_of(e)));
        } else {
            let _ = writeln!(h, "{}", esc(&line_of(e)));
        }
    }
}

/// What an error line's code means, from the knowledge base's finding for its group in
/// log `log`: the code and its MAPI name, and the cause where an entry knows it. Lines
/// without a code are explained where an entry knows their words.
fn meaning(e: &Event, log: usize, diagnoses: &[Diagnosis], lang: Language) -> Option<String> {
    let in_log = |d: &&Diagnosis| d.error.logs.contains(&log);
    let found = match &e.vector {
        Some(v) => {
            let code = v.code()?;
            let d = diagnoses
                .iter()
                .filter(in_log)
                .find(|d| d.error.vectors.contains(&v.text))
                .or_else(|| {
                    diagnoses
                        .iter()
                        .filter(in_log)
                        .find(|d| d.error.code.as_deref() == Some(code.as_str()))
                });
            let named = match d.and_then(|d| d.finding.name.as_deref()) {
                Some(name) => format!("{code} ({name})"),
                None => code,
            };
            return Some(match d.filter(|d| d.finding.known) {
                Some(d) => format!("{named}: {}", d.finding.cause.get(lang.code())),
                None => named,
            });
        }
        None => diagnoses.iter().filter(in_log).find(|d| {
            d.finding.known
                && d.error.code.is_none()
                && (d.error.text == e.text || d.error.texts.contains(&e.text))
        })?,
    };
    Some(found.finding.cause.get(lang.code()).to_owned())
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
text-align:left}tr.differs td{background:#fde2e2}.meta th{background:#f2f2f2}.via{color:#666}\
ul.errors li{margin:.3em 0}ul.errors code{background:#fde2e2;padding:0 .2em}.meaning{color:#444}\
details.log pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:.9em}\
mark.error{background:#fde2e2;color:#a00000;font-weight:bold}";

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
            page_title: "The store was rebuilt".into(),
            page_text: "Outlook builds a new one.\nThe old one is kept.".into(),
            outcome: Some("fixed".into()),
            way: Vec::new(),
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

    /// The report's time in the person's zone with its offset named, in every language
    /// (the JSON keeps UTC for tools); the machine's own zone for `to_html`.
    #[test]
    fn the_report_says_its_time_in_the_persons_zone() {
        use crate::time::UtcOffset;
        let amsterdam = Zone::Fixed(UtcOffset(3600));
        let dutch = report("nl", 0).to_html_in(amsterdam);
        assert!(
            dutch.contains("<th>Gemaakt</th><td>2026-12-06 23:00 UTC+01:00</td>"),
            "{dutch}"
        );
        let sao_paulo = Zone::Fixed(UtcOffset(-3 * 3600));
        let portuguese = report("pt", 0).to_html_in(sao_paulo);
        assert!(
            portuguese.contains("<th>Criado</th><td>2026-12-06 19:00 UTC-03:00</td>"),
            "{portuguese}"
        );
        let english = report("en", 0).to_html_in(Zone::Fixed(UtcOffset(5 * 3600 + 45 * 60)));
        assert!(
            english.contains("<th>Created</th><td>2026-12-07 03:45 UTC+05:45</td>"),
            "{english}"
        );
        assert!(!english.contains("2026-12-06T22:00:00Z"));
        assert!(
            report("en", 0)
                .to_json()
                .contains("\"created\": \"2026-12-06T22:00:00Z\"")
        );
        let local = Zone::Local.minutes(Timestamp::parse_rfc3339("2026-12-06T22:00:00Z").unwrap());
        assert!(report("en", 0).to_html().contains(&local));
    }

    /// A walk's report reads in words first: the last page's title and text as the
    /// summary, the way taken by page titles with the answers as labelled, in the walk's
    /// language; page ids and fact names only under the details for support staff.
    #[test]
    fn the_report_tells_the_walk_in_the_words_the_person_read() {
        use crate::wizard::loader::load_sources;
        const FLOW: &str = r#"(
            title: (en: "Test", nl: "Test", pt: "Teste"),
            pages: [
                (
                    id: "ask",
                    title: (en: "Is Outlook closed?", nl: "Is Outlook gesloten?", pt: "O Outlook está fechado?"),
                    text: (en: "Close it first.", nl: "Sluit het eerst.", pt: "Feche-o primeiro."),
                    step: Question(answers: [
                        (id: "closed", label: (en: "It is closed", nl: "Het is gesloten", pt: "Está fechado"), next: "done"),
                    ]),
                ),
                (
                    id: "done",
                    title: (en: "All done", nl: "Alles klaar", pt: "Tudo pronto"),
                    text: (en: "Found this.\nDid that.", nl: "Dit gevonden.\nDat gedaan.", pt: "Achou isto.\nFez aquilo."),
                    step: Result(outcome: Fixed),
                ),
            ],
        )"#;
        let set = load_sources(vec![("walk.ron".into(), FLOW.into())]).unwrap();
        let mut engine = Engine::new(std::sync::Arc::new(set), "walk", Language::Dutch).unwrap();
        engine.answer("closed").unwrap();
        let now = Timestamp::from_utc(2026, 12, 7, 4, 30, 0).unwrap();
        let html =
            SessionReport::new(&engine, Path::new("a.ost"), &Findings::default(), now).to_html();
        let at = |text: &str| html.find(text).unwrap_or_else(|| panic!("{text}: {html}"));
        let summary = at("<h2>In het kort</h2>");
        assert!(summary < at("<strong>Alles klaar</strong>"));
        assert!(at("<p>Dit gevonden.</p>") < at("<p>Dat gedaan.</p>"));
        let way = at("<h2>De gevolgde weg</h2>");
        assert!(
            way < at(
                "<li>Is Outlook gesloten? <span class=\"via\">(uw antwoord: Het is gesloten)</span></li>"
            )
        );
        assert!(way < at("<li>Alles klaar</li>"));
        assert!(html.contains("<th>Laatste pagina</th><td>Alles klaar</td>"));
        // The page ids come only after the details for support staff begin.
        let details = at("<details><summary>Details voor de helpdesk</summary>");
        assert!(summary < details && way < details);
        assert!(at("walk/ask") > details);
    }
}
