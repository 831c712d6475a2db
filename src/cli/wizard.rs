//! `ostdoctor wizard --script ANSWERS.ron STORE`: walks a flow without a window, printing
//! each page, with the same checks and fixes as the desktop app. For helpdesk scripts
//! and tests.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use ostdoctor::doctor::Doctor;
use ostdoctor::doctor::report::SessionReport;
use ostdoctor::time::Timestamp;
use ostdoctor::wizard::{Engine, Language, Script, builtin, walk_script};

use super::exit::UsageError;
use super::server_args::ServerArgs;

#[derive(Args, Debug)]
pub struct WizardArgs {
    /// The answers and confirmations, in RON: (flow: "main", answers: [...], confirm: [...]).
    #[arg(long, value_name = "ANSWERS.ron")]
    pub script: PathBuf,
    /// The .ost or .pst file.
    pub store: PathBuf,
    #[command(flatten)]
    pub server: ServerArgs,
    /// The language of the pages: en, nl or pt (default: the system's).
    #[arg(long, value_parser = ["en", "nl", "pt"])]
    pub lang: Option<String>,
    /// Save the copies a fix makes before a rebuild (.pst) in this folder, made if need be
    /// (default: "OST Doctor" in the Documents folder, as the desktop app does).
    #[arg(long, value_name = "DIR")]
    pub export_to: Option<PathBuf>,
    /// Also write the session report (HTML and JSON) into this folder.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
}

pub fn run(args: &WizardArgs, out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let script = Script::read(&args.script)?;
    let language = match args.lang.as_deref() {
        Some(code) => Language::from_locale(code)
            .ok_or_else(|| UsageError(format!("no wizard text in {code}")))?,
        None => Language::from_system(),
    };
    let wizards = Arc::new(builtin()?);
    let export_to = match &args.export_to {
        Some(dir) => {
            let dir = std::path::absolute(dir)?;
            ostdoctor::doctor::check_export_folder(&dir)
                .map_err(|e| UsageError(format!("--export-to: {}", e.message_in(language))))?;
            Some(dir)
        }
        None => None,
    };
    let mut doctor = Doctor::new(&args.store)
        .with_server(args.server.settings()?)
        .with_export_folder(export_to);
    let mut engine = Engine::new(wizards, &script.flow, language)?;
    let walk = walk_script(&mut engine, &script, &mut doctor, out)?;
    writeln!(out, "outcome: {} at {}", walk.outcome, walk.result)?;
    if let Some(dir) = &args.report {
        let report = SessionReport::new(&engine, &args.store, doctor.findings(), Timestamp::now());
        let (html, json) = report.save(dir)?;
        writeln!(out, "report: {} {}", html.display(), json.display())?;
    }
    Ok(())
}
