//! Independent readings of a .pst/.ost file by third-party tools (libpff's `pffexport` and
//! `pypff`, libpst's `readpst`), turned into one shape so that differential tests can hold our
//! own store reader against them.
//!
//! Each tool bends names and skips things in its own way; every function documents exactly
//! what it does, as measured on the real fixtures and on patched copies of them, so that a
//! test can normalize our side the same way instead of loosening its comparison.
//!
//! Shared by several integration-test crates, each of which uses only part of it.
#![allow(dead_code)]

pub mod agree;
mod mime;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

// Every crate that includes the oracle includes `common` too.
use crate::common::TempDir;

/// One folder as an oracle sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OracleFolder {
    /// Display names from the root folder's children down; the root folder itself is `[]`.
    /// See each oracle for where its root is and how faithful the names are.
    pub path: Vec<String>,
    /// Normal (contents-table) items in the order the oracle lists them.
    pub items: Vec<OracleItem>,
}

/// One item as an oracle sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OracleItem {
    pub subject: Option<String>,
    pub sender_name: Option<String>,
    /// The oracle's own word for the item's kind; see each oracle.
    pub kind: String,
    /// The bodies the oracle shows, in the order it writes them; which ones and how bent
    /// is documented per oracle (pypff fills none).
    pub bodies: Vec<OracleBody>,
    /// The attached files the oracle writes, as it names them; see each oracle (pypff
    /// fills none).
    pub attachments: Vec<OracleAttachment>,
}

/// A message body as an oracle writes it out.
#[derive(Clone, PartialEq, Eq)]
pub enum OracleBody {
    Text(String),
    /// HTML as bytes: the tools copy them without re-encoding, whatever charset they claim.
    Html(Vec<u8>),
    /// Decompressed RTF.
    Rtf(Vec<u8>),
}

impl std::fmt::Debug for OracleBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OracleBody::Text(t) => write!(f, "Text({t:?})"),
            OracleBody::Html(h) => write!(f, "Html({:?})", String::from_utf8_lossy(h)),
            OracleBody::Rtf(r) => write!(f, "Rtf({:?})", String::from_utf8_lossy(r)),
        }
    }
}

/// An attached file as an oracle writes it: the name it gives the file (see each oracle for
/// how that relates to the attachment's file name) and the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct OracleAttachment {
    pub name: String,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for OracleAttachment {
    // Attachments run to megabytes: a failing assertion shows their size and a digest.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sum = self
            .data
            .iter()
            .fold(0u32, |h, &b| h.rotate_left(5) ^ u32::from(b));
        write!(
            f,
            "{:?} ({} bytes, digest {sum:08x})",
            self.name,
            self.data.len()
        )
    }
}

// Re-exported for the crates that reach the fixtures through the oracles; not all do.
#[allow(unused_imports)]
pub use crate::common::fixture;

/// Returns a copy of `folders` with `prefix` put in front of every path, for oracles whose
/// root is not the store's root folder (readpst).
pub fn prefixed(folders: &[OracleFolder], prefix: &[&str]) -> Vec<OracleFolder> {
    folders
        .iter()
        .map(|f| OracleFolder {
            path: prefix
                .iter()
                .map(|s| s.to_string())
                .chain(f.path.iter().cloned())
                .collect(),
            items: f.items.clone(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// pffexport

/// Reads `store` with `pffexport -q -m items -f text` (Debian `pff-tools`, libpff 20180714).
///
/// Folders: every folder reachable from the root folder through the hierarchy tables, search
/// folders included ("Search Root", "SPAM Search Folder 2", "Finder", ...); the root folder
/// itself is the export directory and comes out as path `[]`, so the folder count includes
/// the root (ansi-32bit.pst: 5, enron.pst: 11, outlook-com-2013.ost: 57). A PST's tree sits
/// under "Top of Personal Folders", an OST's under "Root - Mailbox" / "Root - Public". Folders
/// are returned sorted by path: directories do not keep the store's sibling order.
///
/// Names are directory names, not display names:
/// - each of `! $ % & * + / : ; < > ? @ \ | ~`, U+0000..U+001F and U+007F becomes `_`
///   (space `"` `#` `'` `(` `)` `,` `-` `.` `=` `[` `]` `^` `` ` `` `{` `}`, C1 controls and all
///   other non-ASCII characters are kept; e.g. "~MAPISP(Internal)" -> "_MAPISP(Internal)");
/// - a folder whose name is empty, "." or "..", or whose sanitized name equals an earlier
///   sibling's, becomes `FolderNNNNN` (its 1-based index among its siblings, 5 digits);
/// - characters outside the BMP are decoded wrongly by libpff (U+1F600 comes out as U+1F201);
/// - a name longer than 255 bytes cannot be created: pffexport then drops that folder and
///   its subtree, says "Unable to export sub folder" and still exits 0; this function turns
///   that into an `Err`.
///
/// [`pffexport_paths`] maps display-name paths to these names.
///
/// Items: one directory `KindNNNNN` per contents-table item, NNNNN its 1-based position in the
/// table, so items are returned in table order. Associated (FAI) items, attachments and
/// embedded messages are not items. pffexport skips item types it does not handle and this
/// build prints nothing about it, so such items would vanish silently (none on the
/// fixtures: pypff, which lists every item, agrees). Orphan and recovered items
/// (`-m all`) live outside the folder tree and are not asked for. `kind` is the directory
/// prefix: "Message" (IPM.Note), "Meeting" (IPM.Schedule.Meeting.*), "Appointment"
/// (IPM.Appointment), and by the tool's vocabulary "Contact", "Task", "Note", "Activity",
/// "DistributionList", "Document", "Feed". A user folder named like an item directory
/// (e.g. "Message00001") is told apart only because folder directories hold no files.
///
/// `subject` and `sender_name` are the "Subject:" and "Sender name:" lines of the item's
/// `OutlookHeaders.txt` or `<Kind>.txt`, exactly as stored (prefixes such as "RE: " kept,
/// UTF-8, trailing spaces kept, an empty subject is `Some("")`, a missing property `None`).
/// A value with a line break goes on over the following lines up to the next "Label:\t"
/// line; a value that starts with a tab or holds an empty line cannot be read back exactly.
/// ANSI stores are decoded as windows-1252 (pffexport's default).
///
/// `bodies`: at most one file per item, the first the item has of `Message.txt` (the plain
/// text, written as UTF-8 byte for byte: CRLF kept, no newline added, an empty body an empty
/// file), `Message.html` (PR_HTML's bytes unchanged) and `Message.rtf` (the decompressed RTF
/// with a NUL after it, which is dropped here). Appointments get no body file at all (their
/// text is not in `Appointment.txt` either); meeting items get theirs.
///
/// `attachments`: the files of the item's `Attachments` directory, `N_name` with N the
/// 1-based attachment-table position zero-padded to the width of the count, returned in that
/// order and named without `N_`. `name` is the long file name, else the short one, with the
/// characters replaced that folder names have replaced; see [`pffexport_attachment_name`].
/// Empty files are written. Meeting requests and responses get no attachments (not on the
/// Outlook-written OST's meetings either). An attachment written as a directory (an embedded
/// item; none on the fixtures) is an `Err` until someone learns its layout.
pub fn pffexport(store: &Path) -> Result<Vec<OracleFolder>, String> {
    let tmp = TempDir::new("pffexport");
    let base = tmp.path().join("out");
    // `-m items`: the allocated tree only; `-m all` adds a recovery scan whose results are
    // written outside `.export` and would only cost time.
    let output = run(
        "pffexport",
        Command::new("pffexport")
            .arg("-q")
            .args(["-m", "items", "-f", "text", "-t"])
            .arg(&base)
            .arg(store),
        store,
    )?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let failures: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("Unable to"))
        .collect();
    if !failures.is_empty() {
        return Err(format!(
            "pffexport exported {} incompletely: {}\nstderr: {}",
            store.display(),
            failures.join("; "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let export = tmp.path().join("out.export");
    if !export.is_dir() {
        return Err(format!(
            "pffexport wrote no {} for {}\nstdout: {stdout}",
            export.display(),
            store.display()
        ));
    }
    let mut folders = Vec::new();
    walk_pffexport(&export, Vec::new(), &mut folders)?;
    folders.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(folders)
}

/// pffexport's directory prefix for a message class, as observed on the fixtures.
pub fn pffexport_kind(class: &str) -> &'static str {
    if class.starts_with("IPM.Schedule.Meeting") {
        "Meeting"
    } else if class.starts_with("IPM.Appointment") {
        "Appointment"
    } else if class.starts_with("IPM.Note") {
        "Message"
    } else {
        panic!("message class {class:?} is new to these tests: learn pffexport's name for it")
    }
}

/// Maps display-name paths (all folders of a store, siblings in store order, as our reader
/// or pypff lists them) to the paths pffexport writes, by the rules under [`pffexport`].
pub fn pffexport_paths(paths: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut mapped: HashMap<&[String], Vec<String>> = HashMap::new();
    // Per parent: names already taken and how many siblings came before.
    let mut siblings: HashMap<&[String], (HashSet<String>, usize)> = HashMap::new();
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let Some((name, parent)) = path.split_last() else {
            out.push(Vec::new());
            continue;
        };
        let (taken, count) = siblings.entry(parent.as_ref()).or_default();
        *count += 1;
        let mut dir = pffexport_sanitize(name);
        if dir.is_empty() || dir == "." || dir == ".." || taken.contains(&dir) {
            dir = format!("Folder{count:05}");
        }
        taken.insert(dir.clone());
        let mut full = mapped
            .get(parent)
            .cloned()
            .unwrap_or_else(|| parent.to_vec());
        full.push(dir);
        mapped.insert(path.as_slice(), full.clone());
        out.push(full);
    }
    out
}

fn pffexport_sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c < ' ' || c == '\x7f' || "!$%&*+/:;<>?@\\|~".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect()
}

fn walk_pffexport(
    dir: &Path,
    path: Vec<String>,
    folders: &mut Vec<OracleFolder>,
) -> Result<(), String> {
    let mut items = Vec::new();
    let mut subfolders = Vec::new();
    for (name, entry_path) in read_dir_sorted(dir)? {
        if !entry_path.is_dir() {
            continue;
        }
        match pffexport_item_name(&name) {
            Some((kind, index)) if dir_has_file(&entry_path)? => {
                items.push((index, read_pffexport_item(&entry_path, kind)?));
            }
            _ => subfolders.push((name, entry_path)),
        }
    }
    items.sort_by_key(|(index, _)| *index);
    folders.push(OracleFolder {
        path: path.clone(),
        items: items.into_iter().map(|(_, item)| item).collect(),
    });
    for (name, sub) in subfolders {
        let mut child = path.clone();
        child.push(name);
        walk_pffexport(&sub, child, folders)?;
    }
    Ok(())
}

/// `Message00012` -> ("Message", 12); `Folder00012` is pffexport's name for a folder.
fn pffexport_item_name(name: &str) -> Option<(&str, u32)> {
    let split = name.len().checked_sub(5)?;
    let (kind, digits) = (name.get(..split)?, name.get(split..)?);
    if kind.is_empty()
        || kind == "Folder"
        || !kind.chars().all(|c| c.is_ascii_alphabetic())
        || !digits.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    Some((kind, digits.parse().ok()?))
}

fn read_pffexport_item(dir: &Path, kind: &str) -> Result<OracleItem, String> {
    let mut item = OracleItem {
        subject: None,
        sender_name: None,
        kind: kind.to_string(),
        bodies: read_pffexport_bodies(dir)?,
        attachments: read_pffexport_attachments(dir)?,
    };
    for file in ["OutlookHeaders.txt".to_string(), format!("{kind}.txt")] {
        let file = dir.join(file);
        if file.is_file() {
            let bytes = fs::read(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
            let text = String::from_utf8_lossy(&bytes);
            item.subject = pffexport_field(&text, "Subject");
            item.sender_name = pffexport_field(&text, "Sender name");
            break;
        }
    }
    Ok(item)
}

/// `Message.txt` (UTF-8), `Message.html` or `Message.rtf` (a trailing NUL dropped), as found.
fn read_pffexport_bodies(dir: &Path) -> Result<Vec<OracleBody>, String> {
    let mut bodies = Vec::new();
    for (file, wrap) in [
        (
            "Message.txt",
            text_body as fn(Vec<u8>) -> Result<OracleBody, Vec<u8>>,
        ),
        ("Message.html", |b| Ok(OracleBody::Html(b))),
        ("Message.rtf", |mut b| {
            if b.last() == Some(&0) {
                b.pop();
            }
            Ok(OracleBody::Rtf(b))
        }),
    ] {
        let path = dir.join(file);
        if !path.is_file() {
            continue;
        }
        let bytes = fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        bodies.push(
            wrap(bytes).map_err(|bytes| {
                format!("{} is not UTF-8 ({} bytes)", path.display(), bytes.len())
            })?,
        );
    }
    Ok(bodies)
}

fn text_body(bytes: Vec<u8>) -> Result<OracleBody, Vec<u8>> {
    String::from_utf8(bytes)
        .map(OracleBody::Text)
        .map_err(|e| e.into_bytes())
}

/// The files in the item's `Attachments` directory, `N_name` with N the 1-based position
/// (zero-padded to the width of the count), in that order, named without the `N_`.
fn read_pffexport_attachments(dir: &Path) -> Result<Vec<OracleAttachment>, String> {
    let dir = dir.join("Attachments");
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for (name, path) in read_dir_sorted(&dir)? {
        if !path.is_file() {
            return Err(format!(
                "{}: an attachment written as a directory (an embedded item?) is new to these \
                 tests: learn how pffexport writes it",
                path.display()
            ));
        }
        let (index, rest) = name
            .split_once('_')
            .and_then(|(n, rest)| Some((n.parse::<usize>().ok()?, rest)))
            .ok_or_else(|| format!("{}: not named N_name", path.display()))?;
        let data = fs::read(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        found.push((
            index,
            OracleAttachment {
                name: rest.to_string(),
                data,
            },
        ));
    }
    found.sort_by_key(|(index, _)| *index);
    Ok(found.into_iter().map(|(_, a)| a).collect())
}

/// The name pffexport gives the file of an attachment called `name` (its long file name,
/// else its short one): the characters it replaces in folder names are replaced the same
/// way; without a name the file is "Attachment.txt" (measured with and without a MIME type,
/// no PR_ATTACH_EXTENSION).
pub fn pffexport_attachment_name(name: &str) -> String {
    if name.is_empty() {
        "Attachment.txt".to_string()
    } else {
        pffexport_sanitize(name)
    }
}

/// The value of `Label:\t\t...value` in the first section of a pffexport text file.
pub(crate) fn pffexport_field(text: &str, label: &str) -> Option<String> {
    let text = text.replace("\r\n", "\n");
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            // The first section ("Message:") ends at the first empty line.
            break;
        }
        let Some(rest) = line
            .strip_prefix(label)
            .and_then(|r| r.strip_prefix(':'))
            .filter(|r| r.is_empty() || r.starts_with('\t'))
        else {
            continue;
        };
        let mut value = rest.trim_start_matches('\t').to_string();
        while let Some(next) = lines.peek() {
            if next.is_empty() || is_pffexport_label(next) {
                break;
            }
            value.push('\n');
            value.push_str(next);
            lines.next();
        }
        return Some(value);
    }
    None
}

fn is_pffexport_label(line: &str) -> bool {
    let Some((label, rest)) = line.split_once(':') else {
        return false;
    };
    label.starts_with(|c: char| c.is_ascii_uppercase())
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " ()-".contains(c))
        && (rest.is_empty() || rest.starts_with('\t'))
}

// ---------------------------------------------------------------------------------------------
// readpst

/// Reads `store` with `readpst -j 0 -D -S` (Debian `pst-utils`, libpst 0.6.76).
///
/// Folders: only the IPM subtree, whose root ("Top of Personal Folders" in a PST,
/// "Root - Mailbox/IPM_SUBTREE" in an OST) is path `[]`: prefix the paths (see [`prefixed`])
/// before comparing. Search roots, "Finder", "Root - Public" and the rest outside it are not
/// seen (enron.pst: 8 folders, outlook-com-2013.ost: 37, subtree root included). Order is
/// depth-first in store order.
///
/// Names are exact display names (also outside the BMP, where libpff errs), read from the
/// progress log, which `-j 0` keeps in depth-first order. readpst writes directories only for
/// folders with at least one item or subfolder, with `/`, `\` and `:` turned into `_`, and
/// appends 1, 2, ... to a name already present (a second "Sent Items" is "Sent Items1", "."
/// is ".1"); the log tree is matched to them by those rules and every folder's
/// "N items done" (= subfolders + items written) is checked, so a mismatch is an `Err`, never
/// a silently wrong tree. readpst stops (an `Err` here) on an empty folder name or one longer
/// than 255 bytes.
///
/// Items: one file per contents-table item, in table order. Without `-D` readpst leaves out
/// what is in the Deleted Items folder; `-D` keeps it. Entries it does not export are only
/// counted as "skipped" in its log (the OST's Inbox: 10 written, 13 skipped; libpff lists 10,
/// so presumably its associated/FAI items). `kind`:
/// "Message" for any RFC 822 file (mail, meeting requests and responses, sync logs),
/// "Appointment" for a vCalendar VEVENT, "Task" for VTODO, "Journal" for VJOURNAL, "Contact"
/// for a vCard (none on the fixtures).
///
/// `subject`: for mail, the first Subject header, unfolded, RFC 2047 words in UTF-8,
/// US-ASCII or ISO-8859-1 decoded (others left as they are). When the message carries its
/// internet headers readpst copies them, so Subject and From are the original headers', which
/// can differ from the MAPI properties; otherwise readpst writes the subject itself. An empty
/// and a missing subject both read `Some("")`. For calendar items the SUMMARY, unescaped;
/// for vCards `None`. `sender_name`: the From header's display name (unquoted), or the whole
/// From value when it has no `<address>`. Because of the copied headers it can differ from
/// PR_SENDER_NAME (enron.pst: 4 of 71 mails, the OST: 1 of 14, where the From header names
/// the represented sender). `None` for calendar items and vCards.
///
/// `bodies`, for mail only: the text/plain and then the text/html part of the message
/// readpst writes (a multipart/alternative when both exist), as [`mime`] takes them out.
/// readpst removes every CR from both (a lone one too: "x\ry" becomes "xy") and copies the
/// rest of the bytes unchanged; the text is labelled "utf-8" when it is Unicode, else with
/// the store's code page or "us-ascii"/"iso-8859-1", read here as windows-1252. The HTML is
/// often labelled with a charset it is not in, so it stays bytes. An RTF body is no part but
/// the file `N-rtf-body.rtf` beside the item, listed with the attachments. Calendar items and
/// vCards show no body.
///
/// `attachments`, for mail only (readpst writes no attached files of calendar items): the
/// files `N-name` that `-S` writes beside item file `N`, sorted by file name. readpst writes
/// the RTF body first, as "rtf-body.rtf", then the attachments in reverse table order, each
/// as its long file name, else its short one (empty when there is none), unchanged
/// (`: ! # & ~` and non-ASCII kept); a name already written gets "-1", "-2", ... appended.
/// It silently leaves out empty attachments and any whose name holds a '/' (the file cannot
/// be created), and embedded items, which are not files.
pub fn readpst(store: &Path) -> Result<Vec<OracleFolder>, String> {
    let tmp = TempDir::new("readpst");
    let out_dir = tmp.path().join("out");
    fs::create_dir(&out_dir).map_err(|e| format!("creating {}: {e}", out_dir.display()))?;
    let output = run(
        "readpst",
        Command::new("readpst")
            .args(["-j", "0", "-D", "-S", "-o"])
            .arg(&out_dir)
            .arg(store),
        store,
    )?;
    let log = String::from_utf8_lossy(&output.stdout);
    let tree = ReadpstTree::from_log(&log).map_err(|e| {
        format!(
            "readpst log of {} not understood: {e}\n{log}",
            store.display()
        )
    })?;

    let top_dirs: Vec<(String, PathBuf)> = read_dir_sorted(&out_dir)?
        .into_iter()
        .filter(|(_, p)| p.is_dir())
        .collect();
    let root_dir = match top_dirs.as_slice() {
        [] => None,
        [(_, dir)] => Some(dir.clone()),
        _ => {
            return Err(format!(
                "readpst wrote several top directories for {}: {:?}",
                store.display(),
                top_dirs.iter().map(|(n, _)| n).collect::<Vec<_>>()
            ));
        }
    };
    let mut folders = Vec::new();
    tree.emit(0, Vec::new(), root_dir.as_deref(), &mut folders)
        .map_err(|e| format!("readpst output for {}: {e}", store.display()))?;
    Ok(folders)
}

#[derive(Debug)]
struct ReadpstNode {
    name: String,
    children: Vec<usize>,
    /// "N items done" from the log: subfolders plus items written; `None` when readpst
    /// printed no line (nothing in it, so no directory either).
    done: Option<usize>,
}

/// The folder tree rebuilt from readpst's log. Node 0 is the IPM subtree root.
#[derive(Debug)]
struct ReadpstTree {
    nodes: Vec<ReadpstNode>,
}

impl ReadpstTree {
    /// `Processing Folder "X"` opens a folder; `\t"X" - N items done, M items skipped.` closes
    /// one, but only if something was in it. So a folder still open when an ancestor closes
    /// was an empty leaf, and everything left above the closing folder on the stack is its
    /// child. The last close line without an open folder of its name is the subtree root's.
    fn from_log(log: &str) -> Result<Self, String> {
        let mut nodes = vec![ReadpstNode {
            name: String::new(),
            children: Vec::new(),
            done: None,
        }];
        let mut open: Vec<bool> = vec![false];
        let mut stack: Vec<usize> = Vec::new();
        for event in readpst_events(log)? {
            match event {
                LogEvent::Open(name) => {
                    nodes.push(ReadpstNode {
                        name,
                        children: Vec::new(),
                        done: None,
                    });
                    open.push(true);
                    stack.push(nodes.len() - 1);
                }
                LogEvent::Close(name, done) => {
                    let at = stack
                        .iter()
                        .rposition(|&n| open[n] && nodes[n].name == name);
                    match at {
                        Some(at) => {
                            let node = stack[at];
                            nodes[node].children = stack.split_off(at + 1);
                            nodes[node].done = Some(done);
                            open[node] = false;
                        }
                        None if nodes[0].done.is_none() => {
                            nodes[0].name = name;
                            nodes[0].done = Some(done);
                        }
                        None => return Err(format!("close of {name:?}, which is not open")),
                    }
                }
            }
        }
        nodes[0].children = stack;
        Ok(ReadpstTree { nodes })
    }

    fn emit(
        &self,
        node: usize,
        path: Vec<String>,
        dir: Option<&Path>,
        folders: &mut Vec<OracleFolder>,
    ) -> Result<(), String> {
        let n = &self.nodes[node];
        let shown = if path.is_empty() {
            "(subtree root)".to_string()
        } else {
            path.join("/")
        };
        let mut items = Vec::new();
        let mut child_dirs: Vec<Option<PathBuf>> = Vec::new();
        match dir {
            None => {
                if n.done.unwrap_or(0) > 0 {
                    return Err(format!(
                        "{shown}: log says {:?} done but no directory",
                        n.done
                    ));
                }
                child_dirs.resize(n.children.len(), None);
            }
            Some(dir) => {
                let entries = read_dir_sorted(dir)?;
                let mut files: Vec<(u64, PathBuf)> = entries
                    .iter()
                    .filter(|(name, p)| {
                        !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) && p.is_file()
                    })
                    .filter_map(|(name, p)| Some((name.parse().ok()?, p.clone())))
                    .collect();
                files.sort();
                // `-S` writes each attached file beside its item as `N-name`.
                let mut beside: HashMap<u64, Vec<(String, PathBuf)>> = HashMap::new();
                for (name, p) in &entries {
                    let Some((n, rest)) = name.split_once('-') else {
                        continue;
                    };
                    if let (Ok(n), true) = (n.parse::<u64>(), p.is_file()) {
                        beside
                            .entry(n)
                            .or_default()
                            .push((rest.to_string(), p.clone()));
                    }
                }
                for (n, file) in &files {
                    let mut item = read_readpst_item(file)?;
                    for (name, path) in beside.remove(n).unwrap_or_default() {
                        let data = fs::read(&path)
                            .map_err(|e| format!("reading {}: {e}", path.display()))?;
                        item.attachments.push(OracleAttachment { name, data });
                    }
                    items.push(item);
                }
                if let Some((n, files)) = beside.into_iter().next() {
                    return Err(format!(
                        "{shown}: files {:?} belong to no item {n}",
                        files.iter().map(|(name, _)| name).collect::<Vec<_>>()
                    ));
                }
                let mut unclaimed: HashSet<String> = entries
                    .iter()
                    .filter(|(_, p)| p.is_dir())
                    .map(|(name, _)| name.clone())
                    .collect();
                let mut taken: HashSet<String> = [".", ".."].map(String::from).into();
                for &child in &n.children {
                    let c = &self.nodes[child];
                    if c.done.unwrap_or(0) == 0 {
                        child_dirs.push(None);
                        continue;
                    }
                    let base = readpst_sanitize(&c.name);
                    let mut name = base.clone();
                    let mut k = 1;
                    while taken.contains(&name) {
                        name = format!("{base}{k}");
                        k += 1;
                    }
                    taken.insert(name.clone());
                    if !unclaimed.remove(&name) {
                        return Err(format!(
                            "{shown}: expected directory {name:?} for folder {:?}",
                            c.name
                        ));
                    }
                    child_dirs.push(Some(dir.join(&name)));
                }
                if !unclaimed.is_empty() {
                    return Err(format!(
                        "{shown}: directories not in the log: {unclaimed:?}"
                    ));
                }
            }
        }
        let expected = n.children.len() + items.len();
        if n.done.unwrap_or(0) != expected {
            return Err(format!(
                "{shown}: log says {:?} done, found {} subfolders + {} items",
                n.done,
                n.children.len(),
                items.len()
            ));
        }
        folders.push(OracleFolder {
            path: path.clone(),
            items,
        });
        for (&child, child_dir) in n.children.iter().zip(child_dirs) {
            let mut child_path = path.clone();
            child_path.push(self.nodes[child].name.clone());
            self.emit(child, child_path, child_dir.as_deref(), folders)?;
        }
        Ok(())
    }
}

/// A folder of readpst's log: its path and its "items done", if the log gives them.
pub(crate) type LogFolder = (Vec<String>, Option<usize>);

/// The folder tree readpst's log describes, in depth-first order.
pub(crate) fn readpst_log_tree(log: &str) -> Result<Vec<LogFolder>, String> {
    fn walk(tree: &ReadpstTree, node: usize, path: Vec<String>, out: &mut Vec<LogFolder>) {
        out.push((path.clone(), tree.nodes[node].done));
        for &child in &tree.nodes[node].children {
            let mut child_path = path.clone();
            child_path.push(tree.nodes[child].name.clone());
            walk(tree, child, child_path, out);
        }
    }
    let tree = ReadpstTree::from_log(log)?;
    let mut out = Vec::new();
    walk(&tree, 0, Vec::new(), &mut out);
    Ok(out)
}

enum LogEvent {
    Open(String),
    Close(String, usize),
}

/// Splits readpst's log into folder events; a name may hold line breaks, so a line that
/// does not end the way its kind of line ends is joined with the next.
fn readpst_events(log: &str) -> Result<Vec<LogEvent>, String> {
    const OPEN: &str = "Processing Folder \"";
    const CLOSE: &str = "\t\"";
    const CLOSE_END: &str = " items skipped.";
    let mut events = Vec::new();
    let mut lines = log.split('\n');
    while let Some(line) = lines.next() {
        let (start, end) = if line.starts_with(OPEN) {
            (OPEN, "\"")
        } else if line.starts_with(CLOSE) {
            (CLOSE, CLOSE_END)
        } else {
            continue;
        };
        let mut whole = line.to_string();
        while !(whole.ends_with(end) && whole.len() > start.len()) {
            match lines.next() {
                Some(next) => {
                    whole.push('\n');
                    whole.push_str(next);
                }
                None => return Err(format!("unterminated log line {whole:?}")),
            }
        }
        let body = &whole[start.len()..];
        if start == OPEN {
            events.push(LogEvent::Open(body[..body.len() - 1].to_string()));
        } else {
            let (name, counts) = body
                .rsplit_once("\" - ")
                .ok_or_else(|| format!("odd log line {whole:?}"))?;
            let done = counts
                .split_once(" items done")
                .and_then(|(n, _)| n.parse().ok())
                .ok_or_else(|| format!("odd log line {whole:?}"))?;
            events.push(LogEvent::Close(name.to_string(), done));
        }
    }
    Ok(events)
}

fn readpst_sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':') {
                '_'
            } else {
                c
            }
        })
        .collect()
}

fn read_readpst_item(file: &Path) -> Result<OracleItem, String> {
    let bytes = fs::read(file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
    let mut item = read_readpst_listing(&text);
    if item.kind == "Message" {
        item.bodies = mime::bodies(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    Ok(item)
}

fn read_readpst_listing(text: &str) -> OracleItem {
    if text.starts_with("BEGIN:VCALENDAR") {
        let lines = unfold_ical(text);
        let kind = lines
            .iter()
            .find_map(|l| match l.as_str() {
                "BEGIN:VEVENT" => Some("Appointment"),
                "BEGIN:VTODO" => Some("Task"),
                "BEGIN:VJOURNAL" => Some("Journal"),
                _ => None,
            })
            .unwrap_or("Calendar");
        let subject = lines.iter().find_map(|l| {
            let rest = l.strip_prefix("SUMMARY")?;
            if !(rest.starts_with(':') || rest.starts_with(';')) {
                return None;
            }
            Some(unescape_ical(rest.split_once(':')?.1))
        });
        return OracleItem {
            subject,
            sender_name: None,
            kind: kind.to_string(),
            bodies: Vec::new(),
            attachments: Vec::new(),
        };
    }
    if text.starts_with("BEGIN:VCARD") {
        return OracleItem {
            subject: None,
            sender_name: None,
            kind: "Contact".to_string(),
            bodies: Vec::new(),
            attachments: Vec::new(),
        };
    }
    let headers = mail_headers(text);
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    OracleItem {
        subject: header("Subject").map(decode_rfc2047),
        sender_name: header("From").map(from_display_name),
        kind: "Message".to_string(),
        bodies: Vec::new(),
        attachments: Vec::new(),
    }
}

/// Header fields up to the first empty line, unfolded (RFC 5322: a line starting with
/// white space continues the previous one, the line break is dropped).
fn mail_headers(text: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in text.split('\n') {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            let value = value.strip_prefix(' ').unwrap_or(value);
            headers.push((name.to_string(), value.to_string()));
        }
    }
    headers
}

fn from_display_name(value: &str) -> String {
    let value = value.trim();
    let name = match value.rfind('<') {
        Some(open) if value.ends_with('>') => {
            let name = value[..open].trim();
            if name.is_empty() {
                &value[open + 1..value.len() - 1]
            } else {
                name
            }
        }
        _ => value,
    };
    let name = if name.len() >= 2 && name.starts_with('"') && name.ends_with('"') {
        &name[1..name.len() - 1]
    } else {
        name
    };
    decode_rfc2047(name)
}

/// RFC 5545 unfolding: a line starting with one space or tab continues the previous one.
fn unfold_ical(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in text.split('\n') {
        match (line.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => lines.push(line.to_string()),
        }
    }
    lines
}

fn unescape_ical(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Decodes RFC 2047 encoded words in UTF-8, US-ASCII or ISO-8859-1; white space between two
/// encoded words is dropped, anything not decodable is kept as written.
pub fn decode_rfc2047(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut pending_space = String::new();
    let mut after_word = false;
    while !rest.is_empty() {
        if let Some((decoded, len)) = encoded_word(rest) {
            if !after_word {
                out.push_str(&pending_space);
            }
            pending_space.clear();
            out.push_str(&decoded);
            rest = &rest[len..];
            after_word = true;
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        rest = &rest[c.len_utf8()..];
        if after_word && (c == ' ' || c == '\t') {
            pending_space.push(c);
            continue;
        }
        out.push_str(&pending_space);
        pending_space.clear();
        out.push(c);
        after_word = false;
    }
    out.push_str(&pending_space);
    out
}

/// `=?charset?B|Q?text?=` at the start of `s`: the decoded text and the word's length.
fn encoded_word(s: &str) -> Option<(String, usize)> {
    let body = s.strip_prefix("=?")?;
    let (charset, body) = body.split_once('?')?;
    let (encoding, body) = body.split_once('?')?;
    let end = body.find("?=")?;
    let text = &body[..end];
    if text.contains(' ') {
        return None;
    }
    let len = 2 + charset.len() + 1 + encoding.len() + 1 + end + 2;
    let bytes = match encoding {
        "B" | "b" => base64_decode(text)?,
        "Q" | "q" => q_decode(text)?,
        _ => return None,
    };
    let charset = charset.split('*').next()?.to_ascii_lowercase();
    let decoded = match charset.as_str() {
        "utf-8" | "utf8" | "us-ascii" => String::from_utf8(bytes).ok()?,
        "iso-8859-1" | "latin1" => bytes.iter().map(|&b| b as char).collect(),
        _ => return None,
    };
    Some((decoded, len))
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter(|&c| c != b'=') {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

fn q_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// pypff

/// The script walks `sub_folders` from the root folder depth-first and lists `sub_messages`;
/// `ensure_ascii` keeps the output independent of the interpreter's locale.
const PYPFF_SCRIPT: &str = r#"
import json, sys
import pypff

def message_class(message):
    for record_set in message.record_sets:
        for entry in record_set.entries:
            if entry.entry_type == 0x001A:
                try:
                    return entry.data_as_string
                except Exception:
                    return None
    return None

def walk(folder, path, out):
    items = [{"subject": m.subject, "sender_name": m.sender_name, "kind": message_class(m)}
             for m in folder.sub_messages]
    out.append({"path": path, "items": items})
    for sub in folder.sub_folders:
        walk(sub, path + [sub.name or ""], out)

store = pypff.file()
store.open(sys.argv[1])
folders = []
walk(store.get_root_folder(), [], folders)
store.close()
json.dump(folders, sys.stdout, ensure_ascii=True)
"#;

/// Reads `store` with Debian's `python3-pypff` (libpff 20180714), the same library as
/// [`pffexport`] through another front end, so the two must agree exactly.
///
/// The interpreter is `$OSTDOCTOR_PYTHON` if set, else the first of `/usr/bin/python3` and
/// `python3` that can import pypff (a pyenv or venv python earlier on PATH usually cannot).
///
/// Folders: the root folder (path `[]`) and every folder under it via `sub_folders`, search
/// folders included, depth-first in store order; counts as for [`pffexport`]. Names are the
/// display names as libpff decodes them: exact within the BMP, wrong beyond it (U+1F600
/// comes out as U+1F201), an empty or missing name is "". No sanitizing.
///
/// Items: `sub_messages`, i.e. contents-table items in table order; no associated (FAI)
/// items, attachments or embedded messages. `subject` and `sender_name` are pypff's
/// `subject` / `sender_name` (PR_SUBJECT with any "RE: " prefix, PR_SENDER_NAME), `None`
/// when missing. `kind` is the item's PR_MESSAGE_CLASS verbatim ("IPM.Note",
/// "IPM.Appointment", "IPM.Schedule.Meeting.Request", ...), or "" when it has none.
/// `bodies` and `attachments` are left empty: pffexport already shows them through libpff.
pub fn pypff(store: &Path) -> Result<Vec<OracleFolder>, String> {
    let output = run_pypff(store)?;
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "pypff script output for {} is not JSON: {e}",
            store.display()
        )
    })?;
    let bad = |what: &str| format!("pypff script output for {}: {what}", store.display());
    let mut folders = Vec::new();
    for folder in json.as_array().ok_or_else(|| bad("not a list"))? {
        let path = folder["path"]
            .as_array()
            .ok_or_else(|| bad("folder without path"))?
            .iter()
            .map(|p| {
                p.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| bad("odd path"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let items = folder["items"]
            .as_array()
            .ok_or_else(|| bad("folder without items"))?
            .iter()
            .map(|item| OracleItem {
                subject: item["subject"].as_str().map(str::to_string),
                sender_name: item["sender_name"].as_str().map(str::to_string),
                kind: item["kind"].as_str().unwrap_or_default().to_string(),
                bodies: Vec::new(),
                attachments: Vec::new(),
            })
            .collect();
        folders.push(OracleFolder { path, items });
    }
    Ok(folders)
}

fn run_pypff(store: &Path) -> Result<Output, String> {
    let candidates: Vec<String> = match std::env::var("OSTDOCTOR_PYTHON") {
        Ok(python) => vec![python],
        Err(_) => vec!["/usr/bin/python3".into(), "python3".into()],
    };
    let mut tried = Vec::new();
    for python in &candidates {
        let result = Command::new(python)
            .arg("-c")
            .arg(PYPFF_SCRIPT)
            .arg(store)
            .stdin(Stdio::null())
            .output();
        match result {
            Ok(out) if out.status.success() => return Ok(out),
            Ok(out) => {
                let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
                let missing_module = stderr.contains("No module named 'pypff'");
                tried.push(format!("{python}: {}: {stderr}", out.status));
                if !missing_module {
                    break;
                }
            }
            Err(e) => tried.push(format!("{python}: {e}")),
        }
    }
    Err(format!(
        "pypff (Debian python3-pypff) could not read {}:\n{}",
        store.display(),
        tried.join("\n")
    ))
}

// ---------------------------------------------------------------------------------------------
// shared plumbing

fn run(tool: &str, command: &mut Command, store: &Path) -> Result<Output, String> {
    let output = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| match e.kind() {
            ErrorKind::NotFound => format!(
                "{tool} is not installed (tests/run.sh installs it), needed for {}",
                store.display()
            ),
            _ => format!("{tool} could not start for {}: {e}", store.display()),
        })?;
    if !output.status.success() {
        return Err(format!(
            "{tool} failed on {} ({}):\nstderr: {}\nstdout: {}",
            store.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout)
        ));
    }
    Ok(output)
}

/// Entries of `dir` as (UTF-8 name, path), sorted by name.
fn read_dir_sorted(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| format!("listing {}: {e}", dir.display()))? {
        let entry = entry.map_err(|e| format!("listing {}: {e}", dir.display()))?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|n| format!("non-UTF-8 name {n:?} in {}", dir.display()))?;
        entries.push((name, entry.path()));
    }
    entries.sort();
    Ok(entries)
}

fn dir_has_file(dir: &Path) -> Result<bool, String> {
    Ok(read_dir_sorted(dir)?.iter().any(|(_, p)| p.is_file()))
}

/// The subject of every item pffexport wrote anywhere below `dir` (its `.export`,
/// `.recovered` and `.orphans` trees alike), read leniently: what it got out of a damaged
/// store, however incomplete. An item with no subject counts as "".
pub fn pffexport_subjects(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = read_dir_sorted(dir) else {
        return out;
    };
    for (name, path) in entries.into_iter().filter(|(_, p)| p.is_dir()) {
        match pffexport_item_name(&name) {
            Some((kind, _)) if dir_has_file(&path).unwrap_or(false) => {
                let subject = ["OutlookHeaders.txt".to_string(), format!("{kind}.txt")]
                    .iter()
                    .map(|f| path.join(f))
                    .find(|f| f.is_file())
                    .and_then(|f| fs::read(f).ok())
                    .and_then(|b| pffexport_field(&String::from_utf8_lossy(&b), "Subject"));
                out.push(subject.unwrap_or_default());
            }
            _ => out.extend(pffexport_subjects(&path)),
        }
    }
    out
}

/// The subject of every item readpst (`-S`: one numbered file per item) wrote anywhere
/// below `dir`, read leniently, as for [`pffexport_subjects`].
pub fn readpst_subjects(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = read_dir_sorted(dir) else {
        return out;
    };
    for (name, path) in entries {
        if path.is_dir() {
            out.extend(readpst_subjects(&path));
        } else if !name.is_empty() && name.chars().all(|c| c.is_ascii_digit()) {
            let Ok(bytes) = fs::read(&path) else { continue };
            let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
            out.push(read_readpst_listing(&text).subject.unwrap_or_default());
        }
    }
    out
}
