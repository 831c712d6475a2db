//! `ostdoctor export`: copy a store's folders and items into a new .pst.

use std::io::{IsTerminal, Write};
use std::path::Path;

use super::exit::Done;
use ostdoctor::copy::{CopyOptions, Labels, PasswordCopy, Progress, export};
use ostdoctor::store::Store;
use ostdoctor::store::write::Target;

pub fn run(
    source: &Path,
    dest: &Path,
    folders: &[String],
    keep_password: bool,
    json: bool,
    out: &mut dyn Write,
) -> Result<Done, Box<dyn std::error::Error>> {
    let store = Store::open_for_salvage(source)?;
    // The progress line is for a person at a terminal; scripts read the summary.
    let show_progress = std::io::stderr().is_terminal();
    let mut last = 0;
    let labels = Labels::for_code(ostdoctor::wizard::Language::from_system().code());
    let options = CopyOptions {
        labels,
        keep_password,
    };
    let summary = export(
        &store,
        dest,
        Target::Pst,
        folders,
        options,
        |p: Progress| {
            // One line, rewritten in place, at most every 1% (and at the end).
            let step = (p.items_total / 100).max(1);
            if show_progress && (p.items_done - last >= step || p.items_done == p.items_total) {
                last = p.items_done;
                eprint!("\rExporting: {} of {} items", p.items_done, p.items_total);
            }
        },
    )?;
    eprintln!();
    let done = Done::from_losses(summary.lost_anything());
    if json {
        serde_json::to_writer_pretty(&mut *out, &summary)?;
        writeln!(out)?;
        return Ok(done);
    }
    writeln!(out, "Exported to {}", dest.display())?;
    for d in &summary.source_damage {
        writeln!(out, "Source:       {d}")?;
    }
    match summary.password {
        Some(PasswordCopy::Kept) => writeln!(
            out,
            "Password:     kept: the copy asks for the source's password (--drop-password leaves it off)"
        )?,
        Some(PasswordCopy::Dropped) => writeln!(
            out,
            "Password:     left off (--drop-password): the copy opens without one"
        )?,
        None => {}
    }
    writeln!(out, "Folders:      {}", summary.folders)?;
    writeln!(out, "Planned:      {} items", summary.planned)?;
    writeln!(out, "Items:        {}", summary.items)?;
    if summary.associated > 0 {
        writeln!(
            out,
            "Hidden:       {} hidden items of those folders (views, rules, forms)",
            summary.associated
        )?;
    }
    if summary.items_in_part > 0 {
        writeln!(
            out,
            "In part:      {} of them copied without a part that could not be read (see \"Parts lost\")",
            summary.items_in_part
        )?;
    }
    if summary.recovered > 0 {
        writeln!(
            out,
            "Recovered:    {} of them no contents table listed, copied into \"{}\"",
            summary.recovered, labels.recovered
        )?;
    }
    writeln!(
        out,
        "Attachments:  {} ({} bytes)",
        summary.attachments, summary.bytes
    )?;
    if summary.entry_ids_repointed + summary.entry_ids_unresolved > 0 {
        writeln!(
            out,
            "Entry ids:    {} re-pointed to the copies (a distribution list's members), {} naming what the copy does not hold",
            summary.entry_ids_repointed, summary.entry_ids_unresolved
        )?;
    }
    writeln!(out, "Skipped:      {}", summary.skipped.len())?;
    for s in &summary.skipped {
        writeln!(
            out,
            "  {} / {}: {}",
            s.folder,
            s.subject.as_deref().unwrap_or("(no subject)"),
            s.reason
        )?;
    }
    if summary.unreached > 0 {
        writeln!(
            out,
            "Not reached:  {} items, in folders whose list of items could not be read",
            summary.unreached
        )?;
    }
    writeln!(out, "Parts lost:   {}", summary.parts_lost.len())?;
    for p in &summary.parts_lost {
        writeln!(
            out,
            "  {} / {}: {}: {}",
            p.folder,
            p.subject.as_deref().unwrap_or("(no subject)"),
            p.part,
            p.reason
        )?;
    }
    if summary.properties_left_out > 0 {
        writeln!(
            out,
            "Not copied:   {} property values (embedded objects, or named properties the source does not name)",
            summary.properties_left_out
        )?;
    }
    Ok(done)
}
