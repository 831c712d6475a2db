//! `ostdoctor info`: what kind of store a file is and what its folders hold.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use ostdoctor::store::messaging::salvage;
use ostdoctor::store::messaging::store::hex;
use ostdoctor::store::{FolderInfo, Store};

#[derive(Serialize)]
struct InfoReport<'a> {
    file: String,
    format: &'static str,
    variant: &'static str,
    encryption: &'static str,
    size: u64,
    store_name: &'a str,
    record_key: Option<String>,
    mailbox_owner_name: Option<&'a str>,
    mailbox_dn: Option<&'a str>,
    password_protected: bool,
    /// What is wrong with the file that did not stop it from opening (a truncation).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    damage: Vec<String>,
    folders: &'a [FolderInfo],
}

pub fn run(path: &Path, json: bool, out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    // Opened as for a copy: a damaged index is read around (see `ndb::rescue`), and a
    // folder tree that cannot be walked strictly is walked round its damage; what had to
    // be worked around is shown as damage.
    let store = Store::open_for_salvage(path)?;
    let props = store.properties()?;
    let mut walked_round = Vec::new();
    let folders = match store.folders() {
        Ok(folders) => folders,
        Err(e) => {
            let found = salvage::folders(&store);
            walked_round.push(format!(
                "the folder tree could not be read as it stands: {e}"
            ));
            walked_round.extend(found.damage);
            found.folders
        }
    };
    let header = store.ndb().header();
    let report = InfoReport {
        file: path.display().to_string(),
        format: header.client.name(),
        variant: header.variant.name(),
        encryption: header.crypt.name(),
        size: store.ndb().file_len(),
        store_name: &props.display_name,
        record_key: props.record_key.as_deref().map(hex),
        mailbox_owner_name: props.mailbox_owner_name.as_deref(),
        mailbox_dn: props.mailbox_dn.as_deref(),
        password_protected: props.password_protected,
        damage: store
            .ndb()
            .damage_lines()
            .into_iter()
            .chain(walked_round)
            .collect(),
        folders: &folders,
    };
    if json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        write_text(&report, out)?;
    }
    Ok(())
}

fn write_text(r: &InfoReport, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "File:        {}", r.file)?;
    writeln!(
        out,
        "Format:      {} ({}), encryption {}, {} bytes",
        r.format, r.variant, r.encryption, r.size
    )?;
    let name = if r.store_name.is_empty() {
        "(none)"
    } else {
        r.store_name
    };
    writeln!(out, "Store name:  {name}")?;
    if let Some(owner) = r.mailbox_owner_name {
        writeln!(out, "Owner:       {owner}")?;
    }
    if let Some(dn) = r.mailbox_dn {
        writeln!(out, "Mailbox:     {dn}")?;
    }
    if r.password_protected {
        writeln!(
            out,
            "Password:    yes: Outlook asks for it before it opens the file"
        )?;
    }
    for d in &r.damage {
        writeln!(out, "Damaged:     {d}")?;
    }
    // Search folders list items that live elsewhere; counting them would count twice.
    let items: i64 = r
        .folders
        .iter()
        .filter(|f| !f.is_search_folder)
        .filter_map(|f| f.content_count)
        .sum();
    writeln!(out, "Folders:     {} ({} items)", r.folders.len(), items)?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<48} {:>7} {:>7} {:>7}  Class",
        "Folder", "Items", "Unread", "Rows"
    )?;
    for f in r.folders {
        let depth = f.path.len().saturating_sub(1);
        let name = if f.path.is_empty() {
            "(root)"
        } else {
            f.display_name.as_str()
        };
        let label = format!("{}{}", "  ".repeat(depth), name);
        let num = |v: Option<i64>| v.map_or("-".to_string(), |v| v.to_string());
        let rows = f.contents_rows.map_or("-".to_string(), |v| v.to_string());
        // A count that disagrees with the table it summarizes is worth a glance.
        let mark = match (f.content_count, f.contents_rows) {
            (Some(c), Some(rows)) if c != rows as i64 => " !",
            _ => "",
        };
        writeln!(
            out,
            "{label:<48} {:>7} {:>7} {rows:>7}  {}{mark}",
            num(f.content_count),
            num(f.unread_count),
            f.container_class.as_deref().unwrap_or("")
        )?;
    }
    Ok(())
}
