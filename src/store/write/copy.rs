//! Copying folders and items from any readable store (an .ost included) into a new store:
//! the "export to .pst first" step of a rebuild, and the way a mailbox's items move to a
//! new profile.

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::messaging::{
    DELETED_ITEMS, IPM_SUBTREE, NewAttachment, NewMessage, NewRecipient, StoreWriter,
};
use super::ndb::Target;
use crate::store::error::Result;
use crate::store::ltp::PropValue;
use crate::store::ltp::prop::ptype;
use crate::store::messaging::names::NamedProperty;
use crate::store::messaging::tags;
use crate::store::ndb::{CryptMethod, Nid};
use crate::store::{FolderInfo, Message, Store};
use crate::work::{Cancelled, Work};

#[derive(Debug, Default, Clone, Serialize)]
pub struct ExportSummary {
    pub folders: usize,
    pub items: usize,
    pub attachments: usize,
    pub bytes: u64,
    pub skipped: Vec<Skipped>,
    /// Property values left out: embedded objects, and named properties the source's map
    /// does not name.
    pub properties_left_out: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub folder: String,
    pub subject: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub items_done: usize,
    pub items_total: usize,
}

/// Copies the user's folders of `source` (all, or the subtrees named in `only`, each a
/// path as `ostdoctor info` prints it, joined with '/', or relative to the IPM subtree)
/// into a new store at `dest`.
pub fn export(
    source: &Store,
    dest: &Path,
    target: Target,
    only: &[String],
    mut progress: impl FnMut(Progress),
) -> Result<ExportSummary> {
    let folders = source.folders()?;
    let root = source.ipm_subtree(&folders)?;
    let trash = source.special_folder(tags::IPM_WASTEBASKET_ENTRY_ID)?;
    let root_depth = root
        .and_then(|r| folders.iter().find(|f| f.nid == r))
        .map_or(0, |f| f.path.len());
    let selected = |f: &FolderInfo| {
        if f.is_search_folder || f.path.len() <= root_depth {
            return false;
        }
        let under_root = root.is_none_or(|r| is_under(&folders, f, r));
        let full = f.path.join("/");
        let relative = f.path[root_depth..].join("/");
        under_root
            && (only.is_empty()
                || only
                    .iter()
                    .any(|o| within(&full, o) || within(&relative, o)))
    };
    let chosen: Vec<&FolderInfo> = folders.iter().filter(|f| selected(f)).collect();
    let items_total: usize = chosen.iter().map(|f| f.contents_rows.unwrap_or(0)).sum();

    let (mut w, names) = new_store_for(source, dest, target)?;
    let mut summary = ExportSummary::default();
    let mut mapped: HashMap<Nid, Nid> = HashMap::new();
    if let Some(r) = root {
        mapped.insert(r, IPM_SUBTREE);
    }
    for f in &chosen {
        let parent = f
            .parent
            .and_then(|p| mapped.get(&p).copied())
            .unwrap_or(IPM_SUBTREE);
        // The new store has its own Deleted Items; the source's goes into it.
        let is_trash =
            Some(f.nid) == trash || (trash.is_none() && f.display_name == "Deleted Items");
        let nid = if is_trash && parent == IPM_SUBTREE {
            DELETED_ITEMS
        } else {
            w.add_folder(parent, &f.display_name, f.container_class.as_deref())?
        };
        mapped.insert(f.nid, nid);
        summary.folders += 1;
        for msg_nid in source.message_nids(f.nid)? {
            copy_message(source, &mut w, &names, nid, msg_nid, &f.path, &mut summary)?;
            progress(Progress {
                items_done: summary.items + summary.skipped.len(),
                items_total,
            });
        }
    }
    w.finish()?;
    Ok(summary)
}

/// One folder of the source store and the items of it to copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub folder: Nid,
    pub items: Vec<Nid>,
}

/// A folder of the new store and the subjects of the items written into it, in order:
/// what reading the new store back must find.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrittenFolder {
    /// Display names below the new store's top of personal folders.
    pub path: Vec<String>,
    pub subjects: Vec<String>,
}

/// Why a copy of chosen items stopped; the new file is then never created.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error(transparent)]
    Store(#[from] crate::store::Error),
    #[error("cancelled")]
    Cancelled,
}

impl From<Cancelled> for CopyError {
    fn from(_: Cancelled) -> Self {
        CopyError::Cancelled
    }
}

/// The new store an export of `source` writes into, named after it, and the source's
/// named properties, which every copied message maps through.
fn new_store_for(
    source: &Store,
    dest: &Path,
    target: Target,
) -> Result<(StoreWriter, HashMap<u16, NamedProperty>)> {
    let display = match source.properties()?.display_name {
        name if name.is_empty() => "Exported items".to_string(),
        name => name,
    };
    // Only the store's identity comes from it: two exports never share one.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let w = StoreWriter::create(dest, target, CryptMethod::None, &display, seed)?;
    Ok((w, crate::store::messaging::names::read(source.ndb())?))
}

/// Copies the chosen items of `source` into a new store at `dest`, each into a folder of
/// the same path below the top of the mailbox (parent folders are made as needed, holding
/// only what was chosen). Reports each item to `work`, and stops when it is cancelled.
pub fn export_items(
    source: &Store,
    dest: &Path,
    target: Target,
    chosen: &[Selection],
    work: &mut Work,
) -> std::result::Result<(ExportSummary, Vec<WrittenFolder>), CopyError> {
    let folders = source.folders()?;
    let by_nid: HashMap<Nid, &FolderInfo> = folders.iter().map(|f| (f.nid, f)).collect();
    let root = source.ipm_subtree(&folders)?;
    let trash = source.special_folder(tags::IPM_WASTEBASKET_ENTRY_ID)?;
    let (mut w, names) = new_store_for(source, dest, target)?;
    let mut summary = ExportSummary::default();
    // Source folder -> (new folder, its path in the new store).
    let mut mapped: HashMap<Nid, (Nid, Vec<String>)> = HashMap::new();
    // Items chosen from the top itself (or, in a store without one, from the root) go
    // into the new store's top.
    let top = root.or_else(|| folders.iter().find(|f| f.parent.is_none()).map(|f| f.nid));
    if let Some(top) = top {
        mapped.insert(top, (IPM_SUBTREE, Vec::new()));
    }
    let mut written: Vec<WrittenFolder> = Vec::new();
    let total: usize = chosen.iter().map(|s| s.items.len()).sum();
    let mut done = 0;
    for sel in chosen {
        // The folder and its ancestors below the top, top first.
        let mut chain = Vec::new();
        let mut cur = Some(sel.folder);
        while let Some(nid) = cur {
            if mapped.contains_key(&nid) || chain.len() > folders.len() {
                break;
            }
            let f = by_nid.get(&nid).ok_or_else(|| {
                crate::store::Error::malformed(
                    "export",
                    format!("folder {nid} is not in the store's folder tree"),
                )
            })?;
            chain.push(*f);
            cur = f.parent;
        }
        for f in chain.into_iter().rev() {
            let (parent, parent_path) = f
                .parent
                .and_then(|p| mapped.get(&p).cloned())
                .unwrap_or((IPM_SUBTREE, Vec::new()));
            let is_trash =
                Some(f.nid) == trash || (trash.is_none() && f.display_name == "Deleted Items");
            let (nid, name) = if is_trash && parent == IPM_SUBTREE {
                (DELETED_ITEMS, "Deleted Items".to_string())
            } else {
                let nid = w.add_folder(parent, &f.display_name, f.container_class.as_deref())?;
                (nid, f.display_name.clone())
            };
            summary.folders += 1;
            let mut path = parent_path;
            path.push(name);
            mapped.insert(f.nid, (nid, path));
        }
        let (nid, path) = mapped[&sel.folder].clone();
        let at = match written.iter().position(|x| x.path == path) {
            Some(i) => i,
            None => {
                written.push(WrittenFolder {
                    path: path.clone(),
                    subjects: Vec::new(),
                });
                written.len() - 1
            }
        };
        for &msg in &sel.items {
            if let Some(subject) =
                copy_message(source, &mut w, &names, nid, msg, &path, &mut summary)?
            {
                written[at].subjects.push(subject);
            }
            done += 1;
            work.step(done as u64, total as u64, "Copying items")?;
        }
    }
    w.finish()?;
    Ok((summary, written))
}

/// Copies one message into `folder` of the new store. A message that cannot be read is
/// listed in `summary.skipped` with the reason, and `None` is returned; errors writing the
/// new store stop the copy.
fn copy_message(
    source: &Store,
    w: &mut StoreWriter,
    names: &HashMap<u16, NamedProperty>,
    folder: Nid,
    msg_nid: Nid,
    folder_path: &[String],
    summary: &mut ExportSummary,
) -> Result<Option<String>> {
    let mut rename = |id: u16| -> Result<Option<u16>> {
        match names.get(&id) {
            Some(n) => w.named_property(n.guid, n.name.clone()).map(Some),
            None => Ok(None),
        }
    };
    let copied = source
        .message(msg_nid)
        .and_then(|m| to_new_message(&m, summary, &mut rename));
    match copied {
        Ok(m) => {
            summary.attachments += m.attachments.len();
            summary.bytes += m
                .attachments
                .iter()
                .map(|a| a.data.len() as u64)
                .sum::<u64>();
            w.add_message(folder, &m)?;
            summary.items += 1;
            Ok(Some(m.subject))
        }
        Err(e) => {
            summary.skipped.push(Skipped {
                folder: folder_path.join("/"),
                subject: source
                    .message(msg_nid)
                    .ok()
                    .and_then(|m| m.summary().ok())
                    .and_then(|s| s.subject),
                reason: e.to_string(),
            });
            Ok(None)
        }
    }
}

fn within(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_matches('/');
    path == prefix || path.starts_with(&format!("{prefix}/"))
}

fn is_under(folders: &[FolderInfo], f: &FolderInfo, root: Nid) -> bool {
    let mut cur = f.parent;
    for _ in 0..folders.len() {
        match cur {
            Some(p) if p == root => return true,
            Some(p) => cur = folders.iter().find(|x| x.nid == p).and_then(|x| x.parent),
            None => return false,
        }
    }
    false
}

/// Properties the writer sets itself from the interpreted fields.
const REWRITTEN: [u16; 6] = [
    tags::MESSAGE_SIZE,
    tags::DISPLAY_TO,
    tags::DISPLAY_CC,
    tags::DISPLAY_BCC,
    0x0E1B,
    0x0E1F,
];

/// Turns a source message into one to write. Named properties are carried over by name:
/// `rename` gives the destination's id for a source id (`None`: no name known for it).
pub fn to_new_message(
    m: &Message,
    summary: &mut ExportSummary,
    rename: &mut dyn FnMut(u16) -> Result<Option<u16>>,
) -> Result<NewMessage> {
    let s = m.summary()?;
    let pc = m.properties();
    let mut extra = Vec::new();
    for p in m.all_properties() {
        let id = if p.id >= 0x8000 {
            rename(p.id)?
        } else {
            Some(p.id)
        };
        let carried = p.ptype != ptype::OBJECT && !REWRITTEN.contains(&p.id);
        match (id, carried, pc.raw(p.id)?) {
            (Some(id), true, Some((t, bytes))) => extra.push((id, t, bytes)),
            _ => summary.properties_left_out += 1,
        }
    }
    let recipients = m
        .recipients()?
        .into_iter()
        .map(|r| NewRecipient {
            display_name: r.display_name.clone().unwrap_or_default(),
            email_address: r.smtp_address.or(r.email_address).unwrap_or_default(),
            address_type: r.address_type.unwrap_or_else(|| "SMTP".into()),
            kind: r.recipient_type.unwrap_or(1) as i32,
        })
        .collect();
    let mut attachments = Vec::new();
    for a in m.attachments()? {
        match a.data_size {
            Some(_) => attachments.push(NewAttachment {
                file_name: a
                    .file_name
                    .clone()
                    .or(a.display_name.clone())
                    .unwrap_or_else(|| "attachment".into()),
                mime_type: a.mime_type.clone(),
                data: m.attachment_data(a.nid)?,
            }),
            None => summary.properties_left_out += 1,
        }
    }
    Ok(NewMessage {
        message_class: s.message_class.unwrap_or_else(|| "IPM.Note".into()),
        subject: s.subject.unwrap_or_default(),
        sender_name: s.sender_name,
        sender_email: s.sender_email,
        sender_address_type: pc.text(0x0C1E)?,
        delivery_time: s.delivery_time,
        submit_time: s.submit_time,
        creation_time: s.creation_time,
        modification_time: s.modification_time,
        flags: s.flags.unwrap_or(1) as i32,
        internet_message_id: s.internet_message_id,
        body_text: m.body_text()?,
        body_html: match pc.get(tags::HTML)? {
            Some(PropValue::Binary(b)) => Some(b),
            Some(PropValue::Text(t)) => Some(t.into_bytes()),
            _ => None,
        },
        body_rtf_compressed: pc.binary(tags::RTF_COMPRESSED)?,
        transport_headers: pc.text(tags::TRANSPORT_MESSAGE_HEADERS)?,
        recipients,
        attachments,
        extra,
    })
}
