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
        Some(code) => code,
        None => Language::from_system().code(),
    };
    write_text(args, &report, &diagnoses, lang, out)?;
    Ok(())
}

fn write_text(
    args: &LogsArgs,
    report: &SyncLogReport,
    diagnoses: &[Diagnosis],
    lang: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "File:   {}", args.store.display())?;
    writeln!(out, "Logs:   {}", report.logs.len())?;
    for p in &report.problems {
        writeln!(out, "Could not search {p}")?;
    }
    for log in &report.logs {
        writeln!(out)?;
        write_log(log, out)?;
    }
    writeln!(out)?;
    if diagnoses.is_empty() {
        writeln!(out, "No errors in the logs.")?;
        return Ok(());
    }
    writeln!(out, "Errors: {}", diagnoses.len())?;
    for d in diagnoses {
        let e = &d.error;
        let f = &d.finding;
        let code = match (&e.code, &f.name) {
            (Some(c), Some(n)) => format!("{c} {n}"),
            (Some(c), None) => c.clone(),
            (None, _) => "no code".to_string(),
        };
        writeln!(out)?;
        writeln!(
            out,
            "  {}  {code}  \"{}\"  ({} time{})",
            e.section.key(),
            e.text,
            e.occurrences,
            if e.occurrences == 1 { "" } else { "s" }
        )?;
        if !e.vectors.is_empty() {
            let vectors: Vec<String> = e.vectors.iter().map(|v| format!("[{v}]")).collect();
            writeln!(out, "    Logged as:   {}", vectors.join(" "))?;
        }
        if !e.items.is_empty() {
            writeln!(out, "    Items:       {}", e.items.join("; "))?;
        }
        let known = if f.known {
            ""
        } else {
            " (not in the knowledge base)"
        };
        writeln!(out, "    Cause:       {}{known}", f.cause.get(lang))?;
        writeln!(out, "    Explanation: {}", f.explanation.get(lang))?;
        writeln!(out, "    Fix:         wizard page {}", f.fix)?;
    }
    Ok(())
}

fn write_log(log: &SyncLog, out: &mut dyn Write) -> std::io::Result<()> {
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
        "{}  \"{}\"  {}  {} lines, {} error lines",
        log.folder.join("/"),
        log.subject.trim(),
        log.time.as_deref().unwrap_or("(no time)"),
        log.events.len(),
        errors
    )?;
    if let Some(p) = &log.problem {
        writeln!(out, "  Problem: {p}")?;
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
        writeln!(
            out,
            "  ... {} more lines (--json shows all)",
            log.events.len() - LINES_SHOWN
        )?;
    }
    Ok(())
}
