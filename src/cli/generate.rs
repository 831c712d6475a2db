//! `ostdoctor gen`: write a deterministic synthetic store for tests, benchmarks and demos.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use ostdoctor::store::write::Target;
use ostdoctor::synthetic::{GenOptions, generate};

#[derive(Args, Debug)]
pub struct GenArgs {
    pub dest: PathBuf,
    #[arg(long, default_value = "pst", value_parser = ["pst", "ost"])]
    pub format: String,
    #[arg(long, default_value_t = 10)]
    pub folders: usize,
    #[arg(long, default_value_t = 100)]
    pub messages: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// A line for a Synchronization Log message in Sync Issues. May be given more than once.
    #[arg(long = "sync-log", value_name = "LINE")]
    pub sync_log: Vec<String>,
    /// Make every attachment exactly this many KiB (one message in five has one), to
    /// build large stores for benchmarks.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub attachment_kb: Option<u32>,
}

pub fn run(args: &GenArgs, out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let target = match args.format.as_str() {
        "pst" => Target::Pst,
        "ost" => Target::Ost4k,
        other => return Err(format!("--format must be pst or ost, not {other:?}").into()),
    };
    let started = std::time::Instant::now();
    let dest = args.dest.as_path();
    let s = generate(
        dest,
        &GenOptions {
            target,
            folders: args.folders,
            messages: args.messages,
            seed: args.seed,
            sync_log_lines: args.sync_log.clone(),
            attachment_kb: args.attachment_kb.map(|kb| kb as usize),
        },
    )?;
    writeln!(
        out,
        "Wrote {}: {} folders, {} messages, {} attachments, {} synchronization logs in {:.1} s",
        dest.display(),
        s.folders,
        s.messages,
        s.attachments,
        s.sync_logs,
        started.elapsed().as_secs_f64()
    )?;
    Ok(())
}
