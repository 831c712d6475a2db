//! `ostdoctor stats`: every folder's "Server folder contains" beside "Offline folder
//! contains", measured on the real mailbox server, with a verdict per folder.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use ostdoctor::diagnose::{ItemScope, Options, compare, gather};
use ostdoctor::store::Store;

use super::report::{Output, print};
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
    // The store first: a wrong path should not cost a sign-in.
    let store = Store::open(&args.store)?;
    let mut connected = args.server.connect()?;
    let kind = connected.kind();
    let (store_side, server_side) = gather(&store, connected.server(), kind, &ItemScope::None)?;
    let report = compare(&store_side, &server_side, &Options::default());
    let output = Output::new(
        &args.store,
        connected.describe(),
        connected.listing(),
        &report,
    );
    print(&output, args.json, out)?;
    Ok(())
}
