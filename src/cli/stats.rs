//! `ostdoctor stats`: every folder's "Server folder contains" beside "Offline folder
//! contains", measured on the real mailbox server, with a verdict per folder.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use ostdoctor::diagnose::{ItemScope, Options};

use super::measure::compare_and_print;
use super::server_args::ServerArgs;

#[derive(Args, Debug)]
pub struct StatsArgs {
    /// The .ost or .pst file.
    pub store: PathBuf,
    #[command(flatten)]
    pub server: ServerArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &StatsArgs, out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    compare_and_print(
        &args.store,
        &args.server,
        &ItemScope::None,
        &Options::default(),
        args.json,
        out,
    )
}
