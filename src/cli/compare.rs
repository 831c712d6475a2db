//! `ostdoctor compare`: like `stats`, and item by item: which items are only offline, only on
//! the server, or in both, for one folder or all. Nothing on either side is changed.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use ostdoctor::diagnose::{ItemScope, Options};
use ostdoctor::server::Timestamp;

use super::measure::compare_and_print;
use super::server_args::ServerArgs;

/// An average month, for a sync window given in months as Outlook's setting is.
const MONTH_SECONDS: i64 = 2_629_746;

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The .ost or .pst file.
    pub store: PathBuf,
    #[command(flatten)]
    pub server: ServerArgs,
    /// Compare the items of this folder only: its offline or server path, with `/` between
    /// levels (case does not matter). Without it, every mail folder's items are compared.
    #[arg(long, value_name = "PATH")]
    pub folder: Option<String>,
    /// Items with the same subject and no common Message-ID count as one when their times
    /// differ by at most this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub tolerance: u32,
    /// Outlook's cached-mode sync window ("Download email for the past N months"): older
    /// server-only items are an expected difference.
    #[arg(long, value_name = "MONTHS")]
    pub sync_window: Option<u32>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &CompareArgs, out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let scope = match &args.folder {
        Some(path) => ItemScope::Folder(path.clone()),
        None => ItemScope::All,
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let options = Options {
        time_tolerance_seconds: i64::from(args.tolerance),
        sync_window_start: args
            .sync_window
            .map(|months| Timestamp(now - i64::from(months) * MONTH_SECONDS)),
    };
    compare_and_print(&args.store, &args.server, &scope, &options, args.json, out)
}
