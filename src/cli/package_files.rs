//! `ostdoctor package-files DIR` (hidden): the manual pages and shell completions a package
//! installs, generated from the same clap definitions the program parses with, so they
//! cannot drift from the commands they describe.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// Writes `DIR/man/*.1` (one page per command) and `DIR/completions/` for bash, zsh and
/// fish under the names those shells look for.
pub fn run(dir: &Path, out: &mut dyn std::io::Write) -> Result<(), Box<dyn std::error::Error>> {
    let man = dir.join("man");
    let completions = dir.join("completions");
    for folder in [&man, &completions] {
        std::fs::create_dir_all(folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    }
    clap_mangen::generate_to(Cli::command(), &man)
        .map_err(|e| format!("cannot write the manual pages in {}: {e}", man.display()))?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let path =
            clap_complete::generate_to(shell, &mut Cli::command(), "ostdoctor", &completions)
                .map_err(|e| {
                    format!(
                        "cannot write the {shell} completions in {}: {e}",
                        completions.display()
                    )
                })?;
        writeln!(out, "{}", path.display())?;
    }
    let mut pages: Vec<_> = std::fs::read_dir(&man)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    pages.sort();
    for page in pages {
        writeln!(out, "{}", page.display())?;
    }
    Ok(())
}
