//! `ostdoctor logs`: the synchronization logs in a store, briefly, then each error with
//! what the knowledge base says causes it and which wizard page fixes it.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use ostdoctor::diagnose::knowledge::{self, Diagnosis};
use ostdoctor::diagnose::sync_log::{Action, SyncLog, SyncLogReport, read_sync_logs};
use ostdoctor::store::Store;
use ostdoctor::wizard::Language;

/// Lines of each log shown in text; `--json` has them all.
const LINES_SHOWN: usize = 40;

#[derive(Args, Debug)]
pub struct LogsArgs {
    /// The .ost or .pst file.
    pub store: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Language of the explanations: en, nl or pt (default: the system's).
    #[arg(long, value_parser = ["en", "nl", "pt"])]
    pub lang: Option<String>,
}

/// The words of the text output, in each language the explanations come in.
struct Labels {
    file: &'static str,
    logs: &'static str,
    could_not_search: &'static str,
    no_time: &'static str,
    /// (one, other) forms of "N lines", "N error lines", "N times" and "N more lines".
    lines: (&'static str, &'static str),
    error_lines: (&'static str, &'static str),
    times: (&'static str, &'static str),
    problem: &'static str,
    more_lines: (&'static str, &'static str),
    no_errors: &'static str,
    errors: &'static str,
    no_code: &'static str,
    logged_as: &'static str,
    items: &'static str,
    cause: &'static str,
    not_known: &'static str,
    explanation: &'static str,
    fix: &'static str,
    wizard_page: &'static str,
}

const EN: Labels = Labels {
    file: "File",
    logs: "Logs",
    could_not_search: "Could not search",
    no_time: "(no time)",
    lines: ("# line", "# lines"),
    error_lines: ("# error line", "# error lines"),
    times: ("# time", "# times"),
    problem: "Problem",
    more_lines: (
        "# more line (--json shows all)",
        "# more lines (--json shows all)",
    ),
    no_errors: "No errors in the logs.",
    errors: "Errors",
    no_code: "no code",
    logged_as: "Logged as",
    items: "Items",
    cause: "Cause",
    not_known: "(not in the knowledge base)",
    explanation: "Explanation",
    fix: "Fix",
    wizard_page: "wizard page",
};

const NL: Labels = Labels {
    file: "Bestand",
    logs: "Logboeken",
    could_not_search: "Kon niet doorzoeken:",
    no_time: "(geen tijd)",
    lines: ("# regel", "# regels"),
    error_lines: ("# foutregel", "# foutregels"),
    times: ("# keer", "# keer"),
    problem: "Probleem",
    more_lines: (
        "nog # regel (--json toont alles)",
        "nog # regels (--json toont alles)",
    ),
    no_errors: "Geen fouten in de logboeken.",
    errors: "Fouten",
    no_code: "geen code",
    logged_as: "Gelogd als",
    items: "Items",
    cause: "Oorzaak",
    not_known: "(niet in de kennisbank)",
    explanation: "Uitleg",
    fix: "Oplossing",
    wizard_page: "wizardpagina",
};

const PT: Labels = Labels {
    file: "Arquivo",
    logs: "Logs",
    could_not_search: "Não foi possível pesquisar",
    no_time: "(sem hora)",
    lines: ("# linha", "# linhas"),
    error_lines: ("# linha de erro", "# linhas de erro"),
    times: ("# vez", "# vezes"),
    problem: "Problema",
    more_lines: (
        "mais # linha (--json mostra todas)",
        "mais # linhas (--json mostra todas)",
    ),
    no_errors: "Nenhum erro nos logs.",
    errors: "Erros",
    no_code: "sem código",
    logged_as: "Registrado como",
    items: "Itens",
    cause: "Causa",
    not_known: "(fora da base de conhecimento)",
    explanation: "Explicação",
    fix: "Solução",
    wizard_page: "página do assistente",
};

impl Labels {
    fn of(language: Language) -> &'static Labels {
        match language {
            Language::English => &EN,
            Language::Dutch => &NL,
            Language::Portuguese => &PT,
        }
    }
}

/// `n` in the form its language gives that count.
fn counted(language: Language, (one, other): (&str, &str), n: usize) -> String {
    language.counted(n as i64, one, other)
}

/// The JSON document: the wizard's facts first, then the logs and the diagnoses.
#[derive(Serialize)]
struct Output<'a> {
    file: String,
    count: i64,
    codes: Vec<String>,
    errors: Vec<String>,
    messages: Vec<String>,
    logs: &'a [SyncLog],
    diagnoses: &'a [Diagnosis],
    problems: &'a [String],
}

pub fn run(args: &LogsArgs, out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open(&args.store)?;
    let report = read_sync_logs(&store)?;
    let diagnoses = knowledge::diagnose(&report);
    if args.json {
        let output = Output {
            file: args.store.display().to_string(),
            count: report.count(),
            codes: report.codes(),
            errors: report.errors(),
            messages: report.messages(),
            logs: &report.logs,
            diagnoses: &diagnoses,
            problems: &report.problems,
        };
        serde_json::to_writer_pretty(&mut *out, &output)?;
        writeln!(out)?;
        return Ok(());
    }
    let lang = match args.lang.as_deref() {
        Some(code) => Language::ALL
            .into_iter()
            .find(|l| l.code() == code)
            .unwrap_or_default(),
        None => Language::from_system(),
    };
    write_text(args, &report, &diagnoses, lang, out)?;
    Ok(())
}

fn write_text(
    args: &LogsArgs,
    report: &SyncLogReport,
    diagnoses: &[Diagnosis],
    language: Language,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let w = Labels::of(language);
    let lang = language.code();
    writeln!(out, "{}: {}", w.file, args.store.display())?;
    writeln!(out, "{}: {}", w.logs, report.logs.len())?;
    for p in &report.problems {
        writeln!(out, "{} {p}", w.could_not_search)?;
    }
    for log in &report.logs {
        writeln!(out)?;
        write_log(log, language, out)?;
    }
    writeln!(out)?;
    if diagnoses.is_empty() {
        writeln!(out, "{}", w.no_errors)?;
        return Ok(());
    }
    writeln!(out, "{}: {}", w.errors, diagnoses.len())?;
    for d in diagnoses {
        let e = &d.error;
        let f = &d.finding;
        let code = match (&e.code, &f.name) {
            (Some(c), Some(n)) => format!("{c} {n}"),
            (Some(c), None) => c.clone(),
            (None, _) => w.no_code.to_string(),
        };
        writeln!(out)?;
        writeln!(
            out,
            "  {}  {code}  \"{}\"  ({})",
            e.section.key(),
            e.text,
            counted(language, w.times, e.occurrences)
        )?;
        // The labels are padded to one width, whatever the language.
        let label = |text: &str| format!("{text}:");
        let width = [w.logged_as, w.items, w.cause, w.explanation, w.fix]
            .iter()
            .map(|l| l.chars().count() + 1)
            .max()
            .unwrap_or(0);
        if !e.vectors.is_empty() {
            let vectors: Vec<String> = e.vectors.iter().map(|v| format!("[{v}]")).collect();
            writeln!(
                out,
                "    {:<width$} {}",
                label(w.logged_as),
                vectors.join(" ")
            )?;
        }
        if !e.items.is_empty() {
            writeln!(out, "    {:<width$} {}", label(w.items), e.items.join("; "))?;
        }
        let known = if f.known {
            String::new()
        } else {
            format!(" {}", w.not_known)
        };
        writeln!(
            out,
            "    {:<width$} {}{known}",
            label(w.cause),
            f.cause.get(lang)
        )?;
        writeln!(
            out,
            "    {:<width$} {}",
            label(w.explanation),
            f.explanation.get(lang)
        )?;
        writeln!(
            out,
            "    {:<width$} {} {}",
            label(w.fix),
            w.wizard_page,
            f.fix
        )?;
    }
    Ok(())
}

fn write_log(log: &SyncLog, language: Language, out: &mut dyn Write) -> std::io::Result<()> {
    let w = Labels::of(language);
    let errors = log
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.action,
                Action::ErrorVector | Action::Error | Action::ErrorItem | Action::Terminated
            )
        })
        .count();
    writeln!(
        out,
        "{}  \"{}\"  {}  {}, {}",
        log.folder.join("/"),
        log.subject.trim(),
        log.time.as_deref().unwrap_or(w.no_time),
        counted(language, w.lines, log.events.len()),
        counted(language, w.error_lines, errors)
    )?;
    if let Some(p) = &log.problem {
        writeln!(out, "  {}: {p}", w.problem)?;
    }
    for e in log.events.iter().take(LINES_SHOWN) {
        let mark = if e.action.is_progress() || e.action == Action::Text {
            ' '
        } else {
            '!'
        };
        let when = match (&e.date, &e.time) {
            (Some(d), Some(t)) => format!("{d} {t}"),
            (None, Some(t)) => t.clone(),
            _ => String::new(),
        };
        writeln!(out, "{mark} {when:<19}  {}", e.text)?;
    }
    if log.events.len() > LINES_SHOWN {
        let more = log.events.len() - LINES_SHOWN;
        writeln!(out, "  ... {}", counted(language, w.more_lines, more))?;
    }
    Ok(())
}
