//! The command line: a thin layer over the library for helpdesk scripts and tests.

mod check;
mod compare;
mod exit;
mod export;
mod fix;
mod generate;
mod info;
mod logs;
mod measure;
mod package_files;
mod password;
mod report;
mod server_args;
mod stats;
mod wizard;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "ostdoctor",
    version,
    about = "Diagnose and repair Outlook offline store (.ost) synchronization problems",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A store to open in the desktop app, as a file manager passes it (`ostdoctor
    /// Outlook.ost` is `ostdoctor gui Outlook.ost`).
    #[arg(value_name = "STORE")]
    pub store: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Describe a store: its format, name and folder tree with item counts.
    Info {
        /// The .ost or .pst file.
        store: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Check the structure of a store, as scanpst and scanost do: every index page, block,
    /// folder and item. Read-only; prints a scan log.
    #[command(
        after_help = "Exit status: 0 when no damage was found (warnings alone do not count), \
1 when the store is damaged or cannot be read at all, 2 for a wrong command line."
    )]
    Check {
        /// The .ost or .pst file.
        store: PathBuf,
        /// Print the scan log as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Copy folders and items from any readable store (.ost included) into a new .pst.
    #[command(
        after_help = "Exit status: 0 when everything was copied, 5 when it finished but left \
items or parts of items out (each is listed with its folder, subject and why), 1 when it \
could not finish, 2 for a wrong command line."
    )]
    Export {
        source: PathBuf,
        /// The new .pst; an existing file is never replaced.
        dest: PathBuf,
        /// Only this folder and its subfolders (a path as `info` prints it, joined with '/',
        /// or relative to the top of the mailbox). May be given more than once.
        #[arg(long = "folder", value_name = "PATH")]
        folders: Vec<String>,
        /// A password-protected source's copy asks for the same password; this leaves the
        /// password off, so that the copy opens without one.
        #[arg(long)]
        drop_password: bool,
        #[arg(long)]
        json: bool,
    },
    /// Write a deterministic synthetic store.
    Gen(generate::GenArgs),
    /// List the synchronization logs in a store and explain each error they report.
    Logs(logs::LogsArgs),
    /// Put each folder's "Server folder contains" beside "Offline folder contains", read
    /// from the mailbox server, with a verdict per folder.
    Stats(stats::StatsArgs),
    /// Compare folders and their items with the mailbox server: which items exist only
    /// offline, only on the server, or in both.
    Compare(compare::CompareArgs),
    /// Walk a repair flow without a window, answering from a script, and print each page.
    Wizard(wizard::WizardArgs),
    /// Open the desktop app (what running `ostdoctor` with no command does), optionally
    /// with the store and mailbox filled in.
    Gui {
        /// The .ost or .pst file to examine.
        store: Option<PathBuf>,
        /// The IMAP mailbox to compare with (password from OSTDOCTOR_PASSWORD).
        #[arg(long, value_name = "URL")]
        imap: Option<String>,
        /// Also trust this certificate authority (a PEM file) for --imap.
        #[arg(long, value_name = "FILE")]
        ca_file: Option<PathBuf>,
        /// The language: en, nl or pt (default: the system's).
        #[arg(long, value_parser = ["en", "nl", "pt"])]
        lang: Option<String>,
    },
    /// Fixes that lose nothing: rename the store to .old, export local-only items, put
    /// Exchange support files aside, undo, and the journal of what was done.
    #[command(subcommand)]
    Fix(fix::FixCommand),
    /// Write the manual pages and shell completions a package installs into DIR.
    #[command(hide = true)]
    PackageFiles { dir: PathBuf },
}

pub fn run(cli: Cli) -> ExitCode {
    recover_at_start();
    // Set by the commands that copy items when they had to leave some out.
    let mut losses = false;
    let mut copied = |done: exit::Done| losses = done == exit::Done::WithLosses;
    let result = match cli.command {
        Some(Command::Info { store, json }) => {
            info::run(&store, json, &mut std::io::stdout().lock())
        }
        Some(Command::Check { store, json }) => {
            match check::run(&store, json, &mut std::io::stdout().lock()) {
                Ok(true) => return ExitCode::from(exit::FAILURE),
                Ok(false) => Ok(()),
                Err(e) => Err(e),
            }
        }
        Some(Command::Export {
            source,
            dest,
            folders,
            drop_password,
            json,
        }) => export::run(
            &source,
            &dest,
            &folders,
            !drop_password,
            json,
            &mut std::io::stdout().lock(),
        )
        .map(&mut copied),
        Some(Command::Gen(args)) => generate::run(&args, &mut std::io::stdout().lock()),
        Some(Command::Logs(args)) => logs::run(&args, &mut std::io::stdout().lock()),
        Some(Command::Stats(args)) => stats::run(&args, &mut std::io::stdout().lock()),
        Some(Command::Compare(args)) => compare::run(&args, &mut std::io::stdout().lock()),
        Some(Command::Fix(command)) => {
            fix::run(&command, &mut std::io::stdout().lock()).map(&mut copied)
        }
        Some(Command::Wizard(args)) => wizard::run(&args, &mut std::io::stdout().lock()),
        Some(Command::PackageFiles { dir }) => {
            package_files::run(&dir, &mut std::io::stdout().lock())
        }
        Some(Command::Gui {
            store,
            imap,
            ca_file,
            lang,
        }) => open_window(store, imap, ca_file, lang),
        None => match cli.store {
            // A word that is neither a command nor a file is more likely a mistyped command
            // than a store to open.
            Some(store) if !store.exists() => {
                eprintln!(
                    "ostdoctor: {} is neither a command nor a file (see ostdoctor --help)",
                    store.display()
                );
                return ExitCode::from(exit::USAGE);
            }
            store => open_window(store, None, None, None),
        },
    };
    match result {
        Ok(()) if losses => ExitCode::from(exit::DONE_WITH_LOSSES),
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stops early (`| head`) is not an error worth reporting.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ostdoctor: {e}");
            ExitCode::from(exit::status_for(e.as_ref()))
        }
    }
}

/// Opens the desktop app with the start page filled in.
#[cfg(feature = "gui")]
fn open_window(
    store: Option<PathBuf>,
    imap: Option<String>,
    ca_file: Option<PathBuf>,
    lang: Option<String>,
) -> Result<(), Box<dyn std::error::Error>> {
    let prefill = ostdoctor::ui::Prefill {
        store,
        imap,
        ca_file,
        language: lang
            .as_deref()
            .and_then(ostdoctor::wizard::Language::from_locale),
    };
    ostdoctor::ui::run(prefill).map_err(|e| e.to_string().into())
}

/// A build without the `gui` feature is the command line alone: say so instead of
/// pretending to open a window.
#[cfg(not(feature = "gui"))]
fn open_window(
    _store: Option<PathBuf>,
    _imap: Option<String>,
    _ca_file: Option<PathBuf>,
    _lang: Option<String>,
) -> Result<(), Box<dyn std::error::Error>> {
    Err(exit::UsageError(
        "this build of ostdoctor has no window (it was built without the `gui` feature); \
         give it a command, see ostdoctor --help"
            .into(),
    )
    .into())
}

/// Finishes or rolls back any fix a crash cut off, and says so. A journal that cannot be
/// read does not stop other commands; `fix` commands then report it themselves.
fn recover_at_start() {
    match ostdoctor::fix::recover() {
        Ok(recovered) => {
            for r in recovered {
                eprintln!(
                    "ostdoctor: fix {} ({}) had been cut off: {}",
                    r.journal_id,
                    r.fix.describe(),
                    r.notes.join("; ")
                );
            }
        }
        Err(e) => eprintln!("ostdoctor: could not check for interrupted fixes: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_path_is_a_store_to_open_and_a_command_is_still_a_command() {
        let cli = Cli::try_parse_from(["ostdoctor", "/home/me/Outlook.ost"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.store, Some(PathBuf::from("/home/me/Outlook.ost")));

        let cli = Cli::try_parse_from(["ostdoctor", "info", "Outlook.ost"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Info { .. })));
        assert!(cli.store.is_none());

        let cli = Cli::try_parse_from(["ostdoctor"]).unwrap();
        assert!(cli.command.is_none() && cli.store.is_none());
        // A store and a command at once is not a command line.
        assert!(Cli::try_parse_from(["ostdoctor", "a.ost", "info", "b.ost"]).is_err());
    }
}
