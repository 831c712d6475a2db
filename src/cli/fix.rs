//! `ostdoctor fix ...`: the fixes that lose nothing, each shown as a plan first. A fix runs
//! only after a yes at the terminal, or with `--yes`; `--dry-run` shows the plan and stops.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use ostdoctor::diagnose::{ItemScope, Options, compare, gather};
use ostdoctor::fix::{self, FixError, Journal, RenamePlan, State};
use ostdoctor::store::Store;
use ostdoctor::work::{CancelToken, Work};
use serde::Serialize;

use super::exit::{Done, UsageError};
use super::server_args::ServerArgs;

#[derive(Subcommand, Debug)]
pub enum FixCommand {
    /// Put the store aside as NAME.old (or NAME.N.old) so that Outlook builds a new one.
    RenameOld {
        /// The .ost (or .pst) file.
        store: PathBuf,
        /// While a program holds the store, wait up to this many seconds for it to let go.
        #[arg(long, value_name = "SECONDS", default_value_t = 0)]
        wait: u64,
        #[command(flatten)]
        common: Common,
    },
    /// Copy the items only the store holds (compared with the server) into a new .pst; with
    /// --all instead of a server, every item.
    #[command(
        after_help = "Exit status: 0 when everything planned was copied, 5 when it finished but \
left items or parts of items out (each is listed with its folder, subject and why), 1 when it \
could not finish, 3 when the server refused the sign-in."
    )]
    ExportLocal(Box<ExportLocalArgs>),
    /// Put Emsabp32.dll, Emsmdb32.dll and Emsui32.dll aside as .old before an Office repair.
    ExchangeFiles {
        /// Search below this drive root instead of the system's (or Wine's) drive.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Reverse a rename: fix ID from `fix journal`, or the newest one that can be undone.
    Undo {
        id: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// List the fixes made, newest last.
    Journal {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct Common {
    /// Show what would be done, and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Do it without asking (for scripts; without a terminal a fix is never run otherwise).
    #[arg(long)]
    yes: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub struct ExportLocalArgs {
    /// The .ost or .pst file; it is only read.
    pub store: PathBuf,
    /// The new .pst; an existing file is never replaced.
    pub dest: PathBuf,
    /// Export every item, without asking a server which ones it lacks.
    // One of the server group: either a server or --all, never both.
    #[arg(long, group = "server")]
    pub all: bool,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    common: Common,
}

pub fn run(command: &FixCommand, out: &mut dyn Write) -> Result<Done, Box<dyn std::error::Error>> {
    let journal = Journal::open_default()?;
    match command {
        FixCommand::RenameOld {
            store,
            wait,
            common,
        } => {
            let plan = fix::plan_rename_store(store)?;
            rename(&plan, *wait, common, &journal, out).map(|()| Done::Complete)
        }
        FixCommand::ExchangeFiles { root, common } => {
            let roots = match root {
                Some(r) => vec![r.clone()],
                None => fix::search_roots(),
            };
            let found = fix::find_exchange_support_files(&roots);
            if found.found.is_empty() {
                let searched: Vec<String> = roots.iter().map(|r| r.display().to_string()).collect();
                return Err(Box::new(FixError::Refused(format!(
                    "none of {} was found below {}",
                    fix::exchange_files::SUPPORT_FILES.join(", "),
                    if searched.is_empty() {
                        "any drive (no Windows drive or Wine prefix here; give --root)".into()
                    } else {
                        searched.join(", ")
                    }
                ))));
            }
            let plan = fix::plan_rename_exchange_files(&roots)?;
            rename(&plan, 0, common, &journal, out)?;
            if !common.dry_run && !common.json {
                writeln!(out, "Now let Office put fresh copies back:")?;
                for (i, step) in fix::exchange_files::office_repair_steps()
                    .iter()
                    .enumerate()
                {
                    writeln!(out, "  {}. {step}", i + 1)?;
                }
            }
            Ok(Done::Complete)
        }
        FixCommand::ExportLocal(args) => export_local(args, &journal, out),
        FixCommand::Undo { id, common } => {
            let plan = fix::plan_undo(&journal, id.as_deref())?;
            if !common.json {
                writeln!(
                    out,
                    "Undo fix {} ({}):",
                    plan.journal_id,
                    plan.fix.describe()
                )?;
                for r in &plan.restores {
                    writeln!(out, "  put {} back as {}", r.from.display(), r.to.display())?;
                }
            }
            if !go_ahead(common, &plan, out)? {
                return Ok(Done::Complete);
            }
            let done = fix::apply_undo(&journal, &plan)?;
            emit(common.json, &done, out, |out| {
                writeln!(
                    out,
                    "Undone: {} file(s) back in place.",
                    done.restored.len()
                )
            })
            .map(|()| Done::Complete)
        }
        FixCommand::Journal { json } => {
            let entries = journal.entries()?;
            emit(*json, &entries, out, |out| {
                if entries.is_empty() {
                    writeln!(out, "No fixes recorded in {}.", journal.dir().display())?;
                }
                for e in &entries {
                    writeln!(
                        out,
                        "{}  {:<16} {}",
                        e.id,
                        state_word(e.state),
                        e.fix.describe()
                    )?;
                    for r in &e.renames {
                        if r.done {
                            writeln!(out, "    {} -> {}", r.from.display(), r.to.display())?;
                        } else {
                            writeln!(
                                out,
                                "    {} (under its own name; the fix's name for it: {})",
                                r.from.display(),
                                r.to.display()
                            )?;
                        }
                    }
                    if let Some(x) = &e.export {
                        writeln!(
                            out,
                            "    {} -> {} ({} items planned)",
                            x.source.display(),
                            x.dest.display(),
                            x.items_planned
                        )?;
                    }
                    for n in &e.notes {
                        writeln!(out, "    note: {n}")?;
                    }
                }
                Ok(())
            })
            .map(|()| Done::Complete)
        }
    }
}

fn state_word(s: State) -> &'static str {
    match s {
        State::Started => "started",
        State::Done => "done",
        State::Undoing => "undoing",
        State::Undone => "undone",
        State::RolledBack => "rolled back",
        State::NeedsAttention => "needs attention",
    }
}

/// Prints `value` as JSON, or as text through `text`.
fn emit<T: Serialize>(
    json: bool,
    value: &T,
    out: &mut dyn Write,
    text: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Box<dyn std::error::Error>> {
    if json {
        // As an I/O error, so that a reader who stops early is recognised as such.
        serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::from)?;
        writeln!(out)?;
    } else {
        text(out)?;
    }
    Ok(())
}

/// After the plan was shown: whether to carry it out. A dry run prints the plan as JSON
/// when asked and stops.
fn go_ahead<T: Serialize>(
    common: &Common,
    plan: &T,
    out: &mut dyn Write,
) -> Result<bool, Box<dyn std::error::Error>> {
    if common.dry_run {
        if common.json {
            serde_json::to_writer_pretty(&mut *out, plan)?;
            writeln!(out)?;
        } else {
            writeln!(out, "Dry run: nothing was changed.")?;
        }
        return Ok(false);
    }
    if common.yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Box::new(UsageError(
            "a fix runs only when confirmed: add --yes (or --dry-run to see the plan)".into(),
        )));
    }
    eprint!("Go ahead? [y/N] ");
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    let yes = matches!(answer.trim(), "y" | "Y" | "yes" | "Yes");
    if !yes {
        writeln!(out, "Nothing was changed.")?;
    }
    Ok(yes)
}

fn rename(
    plan: &RenamePlan,
    wait: u64,
    common: &Common,
    journal: &Journal,
    out: &mut dyn Write,
) -> Result<(), Box<dyn std::error::Error>> {
    if !common.json {
        writeln!(out, "Plan ({}):", plan.fix.describe())?;
        for r in &plan.renames {
            writeln!(out, "  rename {}", r.from.display())?;
            writeln!(out, "      to {}", r.to.display())?;
        }
        for (path, holders) in &plan.held {
            writeln!(
                out,
                "  held open by {}: {}",
                fix::Holder::list(holders),
                path.display()
            )?;
        }
        if !plan.outlook.processes.is_empty() {
            writeln!(out, "  running: {}", plan.outlook.processes.join(", "))?;
        }
    }
    if !go_ahead(common, plan, out)? {
        return Ok(());
    }
    if plan.blocked() && wait > 0 {
        let mut work = Work::new(CancelToken::new(), |s| {
            eprint!("\r{} ({} of {} s)   ", s.doing, s.done, s.total);
        });
        fix::wait_until_free(
            plan,
            Duration::from_secs(wait),
            Duration::from_millis(500),
            &mut work,
        )?;
        eprintln!();
    }
    let done = fix::apply_renames(plan, journal)?;
    emit(common.json, &done, out, |out| {
        for r in &done.renames {
            writeln!(out, "Renamed {} to {}", r.from.display(), r.to.display())?;
        }
        writeln!(
            out,
            "Fix {} recorded; `ostdoctor fix undo {}` puts it back.",
            done.journal_id, done.journal_id
        )
    })
}

fn export_local(
    args: &ExportLocalArgs,
    journal: &Journal,
    out: &mut dyn Write,
) -> Result<Done, Box<dyn std::error::Error>> {
    let plan = if args.all {
        fix::plan_export_all(&args.store, &args.dest)?
    } else {
        let server = &args.server;
        {
            let store = Store::open(&args.store)?;
            let mut connected = server.connect()?;
            let kind = connected.kind();
            let (store_side, server_side) =
                gather(&store, connected.server(), kind, &ItemScope::All)?;
            let report = compare(&store_side, &server_side, &Options::default());
            fix::plan_export_local(&args.store, &args.dest, &store_side, &report)?
        }
    };
    if !args.common.json {
        writeln!(
            out,
            "Plan: copy {} item(s) from {} into the new {}",
            plan.items,
            plan.source.display(),
            plan.dest.display()
        )?;
        for f in &plan.folders {
            writeln!(out, "  {}: {}", f.path.join("/"), f.items.len())?;
        }
        for f in &plan.not_compared {
            writeln!(out, "  {f}: items not compared; not included")?;
        }
    }
    if plan.items == 0 {
        if args.common.json && args.common.dry_run {
            serde_json::to_writer_pretty(&mut *out, &plan)?;
            writeln!(out)?;
        } else if !args.common.json && args.all {
            writeln!(out, "Nothing to export: the store holds no items.")?;
        } else if !args.common.json {
            writeln!(out, "Nothing to export: the server has every item.")?;
        }
        return Ok(Done::Complete);
    }
    if !go_ahead(&args.common, &plan, out)? {
        return Ok(Done::Complete);
    }
    let mut last = 0;
    let mut work = Work::new(CancelToken::new(), |s| {
        // One line, rewritten in place, at most every 1% (and at the end).
        if s.done - last >= (s.total / 100).max(1) || s.done == s.total {
            last = s.done;
            eprint!("\rExporting: {} of {} items", s.done, s.total);
        }
    });
    let done = fix::apply_export(&plan, journal, &mut work)?;
    eprintln!();
    emit(args.common.json, &done, out, |out| {
        writeln!(
            out,
            "Exported {} item(s) to {}",
            done.summary.items,
            done.dest.display()
        )?;
        writeln!(
            out,
            "Read back: {} item(s) in {} folder(s), as written.",
            done.verification.items, done.verification.folders
        )?;
        for s in &done.summary.skipped {
            writeln!(
                out,
                "  not copied: {} / {}: {}",
                s.folder,
                s.subject.as_deref().unwrap_or("(no subject)"),
                s.reason
            )?;
        }
        for p in &done.summary.parts_lost {
            writeln!(
                out,
                "  copied without {}: {} / {}: {}",
                p.part,
                p.folder,
                p.subject.as_deref().unwrap_or("(no subject)"),
                p.reason
            )?;
        }
        Ok(())
    })?;
    Ok(Done::from_losses(done.summary.lost_anything()))
}
