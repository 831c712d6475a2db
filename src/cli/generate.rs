//! `ostdoctor gen`: write a deterministic synthetic store for tests, benchmarks and demos.

use std::io::Write;
use std::path::Path;

use ostdoctor::store::write::Target;
use ostdoctor::store::write::synthetic::{GenOptions, generate};

pub fn run(
    dest: &Path,
    format: &str,
    folders: usize,
    messages: usize,
    seed: u64,
    sync_log: Vec<String>,
    out: &mut dyn Write,
) -> Result<(), Box<dyn std::error::Error>> {
    let target = match format {
        "pst" => Target::Pst,
        "ost" => Target::Ost4k,
        other => return Err(format!("--format must be pst or ost, not {other:?}").into()),
    };
    let started = std::time::Instant::now();
    let s = generate(
        dest,
        &GenOptions {
            target,
            folders,
            messages,
            seed,
            sync_log_lines: sync_log,
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
