//! Printing a comparison: a table with "Server folder contains" beside "Offline folder
//! contains", a mark on each folder that differs, then the reasons and the differing items;
//! or the same as JSON (documented in README.md).

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use ostdoctor::diagnose::{FolderReport, ItemRef, Report, ServerKind, Verdict};

/// The JSON document: where the two sides came from, then the report.
#[derive(Serialize)]
pub struct Output<'a> {
    pub store: String,
    pub server: String,
    /// How IMAP counts were read: `list_status` or `status_per_folder`; `null` for Graph.
    pub listing: Option<&'static str>,
    #[serde(flatten)]
    pub report: &'a Report,
}

impl<'a> Output<'a> {
    pub fn new(
        store: &Path,
        server: String,
        listing: Option<&'static str>,
        report: &'a Report,
    ) -> Self {
        Output {
            store: store.display().to_string(),
            server,
            listing,
            report,
        }
    }
}

/// Prints the report as JSON or as the side-by-side table.
pub fn print(output: &Output, json: bool, out: &mut dyn Write) -> io::Result<()> {
    if json {
        write_json(output, out)
    } else {
        write_text(output, out)
    }
}

fn write_json(output: &Output, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, output)?;
    writeln!(out)
}

const PATH_WIDTH: usize = 30;

/// `!` needs attention, `~` differs for a known reason, `?` cannot be told.
fn mark(verdict: Verdict) -> char {
    match verdict {
        Verdict::Equal => ' ',
        Verdict::ExpectedDifference => '~',
        Verdict::Unknown => '?',
        _ => '!',
    }
}

/// `text` cut or padded to `width` characters (not bytes: folder names are in any script).
fn cell(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count > width {
        let cut: String = text.chars().take(width - 1).collect();
        format!("{cut}…")
    } else {
        format!("{text}{}", " ".repeat(width - count))
    }
}

fn count(n: Option<u64>) -> String {
    n.map_or("-".into(), |n| n.to_string())
}

fn write_text(output: &Output, out: &mut dyn Write) -> io::Result<()> {
    let r = output.report;
    let how = match (r.server_kind, output.listing) {
        (ServerKind::Imap, Some("list_status")) => "IMAP, counts by LIST-STATUS",
        (ServerKind::Imap, Some(_)) => "IMAP, counts by STATUS per folder",
        (ServerKind::Imap, None) => "IMAP",
        (ServerKind::Graph, _) => "Microsoft Graph",
    };
    writeln!(out, "Store:   {}", output.store)?;
    writeln!(out, "Server:  {} ({how})", output.server)?;
    writeln!(out)?;
    writeln!(
        out,
        "  {} {} {:>22}  {:>23}  Verdict",
        cell("Offline folder", PATH_WIDTH),
        cell("Server folder", PATH_WIDTH),
        "Server folder contains",
        "Offline folder contains"
    )?;
    for f in &r.folders {
        let offline = f.offline_path.as_ref().map_or("-".into(), |p| p.join("/"));
        let server = f.server_path.as_ref().map_or("-".into(), |p| p.join("/"));
        writeln!(
            out,
            "{} {} {} {:>22}  {:>23}  {}",
            mark(f.verdict),
            cell(&offline, PATH_WIDTH),
            cell(&server, PATH_WIDTH),
            count(f.server_count),
            count(f.offline_count),
            f.verdict.label()
        )?;
    }

    let differing: Vec<&FolderReport> = r
        .folders
        .iter()
        .filter(|f| f.verdict.is_difference())
        .collect();
    if !differing.is_empty() {
        writeln!(out, "\nDifferences:")?;
        for f in differing {
            writeln!(out, "! {}: {}", f.display_path(), f.reason)?;
            if let Some(items) = &f.items {
                write_items(out, "only offline", &items.only_offline)?;
                write_items(out, "only on server", &items.only_on_server)?;
            }
        }
    }
    // Expected differences come in families (a dozen hidden folders): one reason, then
    // the folders it explains.
    let mut reasons: Vec<(char, &str, Vec<String>)> = Vec::new();
    for f in &r.folders {
        if !matches!(f.verdict, Verdict::ExpectedDifference | Verdict::Unknown) {
            continue;
        }
        match reasons
            .iter_mut()
            .find(|(_, reason, _)| *reason == f.reason)
        {
            Some((_, _, paths)) => paths.push(f.display_path()),
            None => reasons.push((mark(f.verdict), &f.reason, vec![f.display_path()])),
        }
    }
    if !reasons.is_empty() {
        writeln!(out, "\nNot counted as differences:")?;
        for (mark, reason, paths) in reasons {
            writeln!(out, "{mark} {reason}\n    {}", paths.join(", "))?;
        }
    }

    let s = &r.summary;
    writeln!(
        out,
        "\n{} folders: {} equal, {} differ, {} expected, {} unknown.",
        s.folders, s.equal, s.differences, s.expected, s.unknown
    )?;
    if s.items_only_offline > 0 {
        writeln!(
            out,
            "{} item(s) exist only in the offline store: they would be lost if the .ost were \
             rebuilt. Export them to a .pst first.",
            s.items_only_offline
        )?;
    }
    if s.items_only_on_server > 0 {
        writeln!(
            out,
            "{} item(s) exist only on the server.",
            s.items_only_on_server
        )?;
    }
    // Counts say by how much two folders differ, never which items: no item-level claim.
    if s.count_surplus_offline > 0 {
        writeln!(
            out,
            "Where only counts were compared, the offline counts exceed the server's by {}: at \
             least that many items exist only offline there. `ostdoctor compare` lists them.",
            s.count_surplus_offline
        )?;
    }
    if s.count_surplus_on_server > 0 {
        writeln!(
            out,
            "Where only counts were compared, the server's counts exceed the offline ones by {}.",
            s.count_surplus_on_server
        )?;
    }
    if r.folders.iter().any(|f| f.items.is_some()) {
        writeln!(
            out,
            "Items were matched by Message-ID, then by subject and a time within {} seconds.",
            r.time_tolerance_seconds
        )?;
    }
    Ok(())
}

fn write_items(out: &mut dyn Write, side: &str, items: &[ItemRef]) -> io::Result<()> {
    for item in items {
        writeln!(
            out,
            "    {side:<15} {:<10} {:<20}  {}{}{}",
            item.id,
            item.time.as_deref().unwrap_or("-"),
            item.subject.as_deref().unwrap_or("(no subject)"),
            item.internet_message_id
                .as_deref()
                .map_or(String::new(), |id| format!("  {id}")),
            item.error
                .as_deref()
                .map_or(String::new(), |e| format!("  (unreadable: {e})")),
        )?;
    }
    Ok(())
}
