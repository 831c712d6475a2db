//! `ostdoctor check`: the structural check of a store (what scanpst and scanost do), as a
//! scan log on standard output and, on a terminal, a progress line on standard error.

use std::io::{IsTerminal, Write};
use std::path::Path;

use ostdoctor::store::check::check_store;
use ostdoctor::work::{CancelToken, Step, Work};

/// Runs the check and prints the scan log; returns whether the store is damaged.
pub fn run(
    path: &Path,
    json: bool,
    out: &mut dyn Write,
) -> Result<bool, Box<dyn std::error::Error>> {
    let show_progress = std::io::stderr().is_terminal();
    let mut last = (String::new(), u32::MAX);
    let mut work = Work::new(CancelToken::new(), move |s: Step<'_>| {
        if !show_progress {
            return;
        }
        // Rewritten in place, only when the text or the whole percentage changes.
        let percent = (s.fraction() * 100.0) as u32;
        if last.0 != s.doing || last.1 != percent {
            last = (s.doing.to_string(), percent);
            let shown = if s.total > 0 {
                format!("{}: {percent}%", s.doing)
            } else {
                s.doing.to_string()
            };
            eprint!("\r\x1b[K{shown}");
        }
    });
    let log = check_store(path, &mut work);
    if show_progress {
        eprint!("\r\x1b[K");
    }
    let log = log?;
    if json {
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", log.to_text())?;
    }
    Ok(log.is_damaged())
}
