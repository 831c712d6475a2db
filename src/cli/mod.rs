//! The command line: a thin layer over the library for helpdesk scripts and tests.

mod check;
mod compare;
mod exit;
mod export;
mod generate;
mod info;
mod password;
mod report;
mod server_args;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "ostdoctor",
    version,
    about = "Diagnose and repair Outlook offline store (.ost) synchronization problems"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
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
    Export {
        source: PathBuf,
        /// The new .pst; an existing file is never replaced.
        dest: PathBuf,
        /// Only this folder and its subfolders (a path as `info` prints it, joined with '/',
        /// or relative to the top of the mailbox). May be given more than once.
        #[arg(long = "folder", value_name = "PATH")]
        folders: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write a deterministic synthetic store.
    Gen {
        dest: PathBuf,
        #[arg(long, default_value = "pst", value_parser = ["pst", "ost"])]
        format: String,
        #[arg(long, default_value_t = 10)]
        folders: usize,
        #[arg(long, default_value_t = 100)]
        messages: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// A line for a Synchronization Log message in Sync Issues. May be given more than once.
        #[arg(long = "sync-log", value_name = "LINE")]
        sync_log: Vec<String>,
    },
    /// Put each folder's "Server folder contains" beside "Offline folder contains", read
    /// from the mailbox server, with a verdict per folder.
    Stats(stats::StatsArgs),
    /// Compare folders and their items with the mailbox server: which items exist only
    /// offline, only on the server, or in both.
    Compare(compare::CompareArgs),
}

pub fn run(cli: Cli) -> ExitCode {
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
            json,
        }) => export::run(
            &source,
            &dest,
            &folders,
            json,
            &mut std::io::stdout().lock(),
        ),
        Some(Command::Gen {
            dest,
            format,
            folders,
            messages,
            seed,
            sync_log,
        }) => generate::run(
            &dest,
            &format,
            folders,
            messages,
            seed,
            sync_log,
            &mut std::io::stdout().lock(),
        ),
        Some(Command::Stats(args)) => stats::run(&args, &mut std::io::stdout().lock()),
        Some(Command::Compare(args)) => compare::run(&args, &mut std::io::stdout().lock()),
        None => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            return ExitCode::SUCCESS;
        }
    };
    match result {
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
