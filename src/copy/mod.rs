//! Copying folders and items from any readable store (an .ost included) into a new store:
//! the "export to .pst first" step of a rebuild, and the way a mailbox's items move to a
//! new profile.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Serialize;

mod ahead;
mod repoint;

use crate::store::error::Result;
use crate::store::ltp::PropValue;
use crate::store::ltp::prop::ptype;
use crate::store::messaging::names::{Name, NamedProperty, PS_PUBLIC_STRINGS};
use crate::store::messaging::salvage;
use crate::store::messaging::tags;
use crate::store::ndb::{CryptMethod, Nid};
use crate::store::write::messaging::{
    DELETED_ITEMS, IPM_SUBTREE, NewAttachment, NewMessage, NewRecipient, StoreWriter,
};
use crate::store::write::ndb::Target;
use crate::store::{FolderInfo, JobError, Message, Store};
use crate::work::Work;
use repoint::Repoint;

#[derive(Debug, Default, Clone, Serialize)]
pub struct ExportSummary {
    pub folders: usize,
    /// Items the copy set out to copy: what the folders list, or the node index files
    /// under them where that is more.
    pub planned: usize,
    /// Items copied, whole or in part.
    pub items: usize,
    /// Of those, items copied without some part of them (each part is in `parts_lost`).
    pub items_in_part: usize,
    /// Folder-associated (hidden) items copied with their folders: views, rules, forms.
    pub associated: usize,
    /// Entry ids inside items (a distribution list's members, a folder an item names)
    /// rewritten to name the copies in the new store.
    pub entry_ids_repointed: usize,
    /// Entry ids naming an object of the source the copy does not hold: kept as they were,
    /// naming nothing in the new store.
    pub entry_ids_unresolved: usize,
    /// A password-protected source's password: kept in the copy, or dropped on request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<PasswordCopy>,
    pub attachments: usize,
    pub bytes: u64,
    /// Items not copied at all, each with why.
    pub skipped: Vec<Skipped>,
    /// Parts of copied items that could not be read and were left out, each with why:
    /// the rest of the item was copied.
    pub parts_lost: Vec<PartLost>,
    /// Items the source's folders count that the copy never found in the file (each such
    /// folder is in `skipped`).
    pub unreached: usize,
    /// Items the node index files under a folder that its contents table does not list (a
    /// damaged table, or one never brought up to date): copied into "Recovered items",
    /// below a folder of their folder's path.
    pub recovered: usize,
    /// Property values left out: embedded objects, and named properties the source's map
    /// does not name.
    pub properties_left_out: usize,
    /// What is wrong with the source file that did not stop the copy (a truncation):
    /// what lay past the damage is in `skipped`, `parts_lost` or `unreached`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source_damage: Vec<String>,
}

impl ExportSummary {
    /// An empty summary that carries the source's damage: the header's (a truncation) and
    /// the folders the walk went round.
    fn for_source(source: &Store, folder_damage: Vec<String>) -> ExportSummary {
        ExportSummary {
            source_damage: source
                .ndb()
                .damage_lines()
                .into_iter()
                .chain(folder_damage)
                .collect(),
            ..ExportSummary::default()
        }
    }

    /// Adds the source damage found only while copying (a scan of the file that a damaged
    /// block index called for once the items were being read).
    fn note_late_damage(&mut self, source: &Store) {
        for line in source.ndb().damage_lines() {
            if !self.source_damage.contains(&line) {
                self.source_damage.push(line);
            }
        }
    }

    /// Whether anything readable in principle did not make it into the copy.
    pub fn lost_anything(&self) -> bool {
        !self.skipped.is_empty() || !self.parts_lost.is_empty() || self.unreached > 0
    }

    /// One line per item or part left out, "folder / subject: what: why", for people.
    pub fn loss_lines(&self) -> Vec<String> {
        let subject = |s: &Option<String>| s.clone().unwrap_or_else(|| "(no subject)".into());
        let skipped = self.skipped.iter().map(|s| {
            format!(
                "{} / {}: the whole item: {}",
                s.folder,
                subject(&s.subject),
                s.reason
            )
        });
        let parts = self.parts_lost.iter().map(|p| {
            format!(
                "{} / {}: {}: {}",
                p.folder,
                subject(&p.subject),
                p.part,
                p.reason
            )
        });
        skipped.chain(parts).collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub folder: String,
    pub subject: Option<String>,
    pub reason: String,
}

impl Skipped {
    /// What a folder as a whole could not give.
    fn in_folder(f: &FolderInfo, reason: String) -> Skipped {
        Skipped {
            folder: f.path.join("/"),
            subject: None,
            reason,
        }
    }
}

/// One part of a copied item left out because it could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct PartLost {
    pub folder: String,
    pub subject: Option<String>,
    /// Which part, in words: "the plain-text body", "attachment \"report.pdf\"",
    /// "property 0x8005".
    pub part: String,
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
    options: CopyOptions,
    mut progress: impl FnMut(Progress),
) -> Result<ExportSummary> {
    // A damaged folder costs only itself: the walk goes round it (see `salvage`).
    let mut found = salvage::folders(source);
    let folders = std::mem::take(&mut found.folders);
    let folders = &folders;
    let root = source.ipm_subtree(folders)?;
    let trash = source
        .special_folder(tags::IPM_WASTEBASKET_ENTRY_ID)
        .unwrap_or(None);
    let root_depth = root
        .and_then(|r| folders.iter().find(|f| f.nid == r))
        .map_or(0, |f| f.path.len());
    let selected = |f: &FolderInfo| {
        if f.is_search_folder || f.path.len() <= root_depth {
            return false;
        }
        let under_root = root.is_none_or(|r| is_under(folders, f, r));
        let full = f.path.join("/");
        let relative = f.path[root_depth..].join("/");
        under_root
            && (only.is_empty()
                || only
                    .iter()
                    .any(|o| within(&full, o) || within(&relative, o)))
    };
    let chosen: Vec<&FolderInfo> = folders.iter().filter(|f| selected(f)).collect();
    let items_total: usize = chosen
        .iter()
        .map(|f| {
            let listed = f.contents_rows.unwrap_or(0);
            let filed = found.items_by_folder.get(&f.nid);
            listed.max(filed.map_or(0, Vec::len))
        })
        .sum();

    let (mut w, names, password) = new_store_for(source, dest, target, options)?;
    let labels = options.labels;
    let mut cx = Context::new(&names, labels, source, &w);
    let mut summary = ExportSummary::for_source(source, std::mem::take(&mut found.damage));
    summary.password = password;
    summary.planned = items_total;
    let mut recovered = RecoveredFolders {
        name: labels.recovered,
        made: HashMap::new(),
    };
    let mut mapped: HashMap<Nid, Nid> = HashMap::new();
    if let Some(r) = root {
        mapped.insert(r, IPM_SUBTREE);
        cx.repoint.map(r, IPM_SUBTREE);
    }
    // Every folder first, parents before children, so that items can then be copied in
    // node id order rather than folder by folder (see below).
    let mut made: Vec<Nid> = Vec::with_capacity(chosen.len());
    for f in &chosen {
        let parent = f
            .parent
            .and_then(|p| mapped.get(&p).copied())
            .unwrap_or(IPM_SUBTREE);
        let nid = make_folder(&mut w, f, parent, trash)?;
        mapped.insert(f.nid, nid);
        cx.repoint.map(f.nid, nid);
        made.push(nid);
        summary.folders += 1;
    }
    // Each folder's items, listed and unlisted, known before any is read (how many were
    // found, to set beside the count the folder gives).
    let mut jobs: Vec<Job> = Vec::with_capacity(items_total);
    let mut found_in: Vec<usize> = Vec::with_capacity(chosen.len());
    for (k, f) in chosen.iter().enumerate() {
        let listed = source.message_nids(f.nid).unwrap_or_else(|e| {
            summary.skipped.push(Skipped::in_folder(
                f,
                format!(
                    "the folder's list of items could not be read; the items the file files under it are copied into \"{}\": {e}",
                    labels.recovered
                ),
            ));
            Vec::new()
        });
        let known: HashSet<Nid> = listed.iter().copied().collect();
        let unlisted = found
            .items_by_folder
            .get(&f.nid)
            .into_iter()
            .flatten()
            .copied()
            .filter(|m| !known.contains(m));
        jobs.extend(listed.iter().map(|&nid| Job::new(nid, k, false)));
        let before = jobs.len();
        jobs.extend(unlisted.map(|nid| Job::new(nid, k, true)));
        found_in.push(known.len() + (jobs.len() - before));
    }
    // Items taken in node id order, across folders: an item gets its node id and its
    // blocks as it is written, so the reads go through the indexes a page at a time and
    // through the file mostly forward, where folder by folder they went back and forth
    // (folders fill side by side: an export of a 200,000-message store read index pages
    // 310,000 times for 57,000 distinct ones). Ties keep the folders' own order.
    jobs.sort_by_key(|j| j.nid);
    // What the node index files where is no longer needed: a few megabytes at 400,000 items.
    drop(found);
    let skipped_before = summary.skipped.len();
    let lost_before = summary.parts_lost.len();
    let old_key = cx.repoint.old_key();
    read_ahead(
        source,
        &names,
        old_key,
        &jobs,
        |j| j.nid,
        |ahead| -> Result<()> {
            for job in &jobs {
                let f = chosen[job.folder as usize];
                let into = if job.unlisted {
                    recovered.folder(&mut w, &f.path[root_depth.min(f.path.len())..])?
                } else {
                    made[job.folder as usize]
                };
                let prepared = ahead.next().ok_or_else(reader_died)?;
                let before = summary.items;
                let written = copy_message(
                    &mut w,
                    &mut cx,
                    into,
                    job.nid,
                    &f.path,
                    &mut summary,
                    prepared,
                )?;
                if let Some(m) = written {
                    ahead.recycle(Prepared::spent(m));
                }
                if job.unlisted {
                    summary.recovered += summary.items - before;
                }
                progress(Progress {
                    items_done: summary.items + summary.skipped.len(),
                    items_total,
                });
            }
            Ok(())
        },
    )?;
    // What was left out, listed folder by folder as people read it.
    let rank: HashMap<String, usize> = chosen
        .iter()
        .enumerate()
        .rev()
        .map(|(k, f)| (f.path.join("/"), k))
        .collect();
    let at = |folder: &String| rank.get(folder).copied().unwrap_or(usize::MAX);
    summary.skipped[skipped_before..].sort_by_key(|s| at(&s.folder));
    summary.parts_lost[lost_before..].sort_by_key(|p| at(&p.folder));
    for ((f, &nid), &reached) in chosen.iter().zip(&made).zip(&found_in) {
        copy_associated(source, &mut w, &mut cx, nid, f, &mut summary)?;
        // What the folder says it holds and the file does not: counted, never silent.
        let holds = f.content_count.map_or(0, |n| n.max(0) as usize);
        if holds > reached {
            summary.unreached += holds - reached;
            summary.skipped.push(Skipped::in_folder(
                f,
                format!(
                    "the folder counts {holds} items, but only {reached} could be found in the file"
                ),
            ));
        }
    }
    copy_deferred(source, &mut w, &mut cx, &mut summary)?;
    w.finish()?;
    summary.note_late_damage(source);
    Ok(summary)
}

/// Makes the copy's folder for the source's folder `f` below `parent`. The new store has
/// its own Deleted Items: the source's, at the top, goes into it, keeping its name.
fn make_folder(
    w: &mut StoreWriter,
    f: &FolderInfo,
    parent: Nid,
    trash: Option<Nid>,
) -> Result<Nid> {
    let is_trash = Some(f.nid) == trash || (trash.is_none() && f.display_name == "Deleted Items");
    if is_trash && parent == IPM_SUBTREE {
        w.rename_folder(DELETED_ITEMS, &f.display_name)?;
        Ok(DELETED_ITEMS)
    } else {
        w.add_folder(parent, &f.display_name, f.container_class.as_deref())
    }
}

/// One item an export copies: from which of the chosen folders, and whether its folder's
/// contents table lists it (an item only the node index files there goes into the
/// recovered-items folder).
struct Job {
    nid: Nid,
    folder: u32,
    unlisted: bool,
}

impl Job {
    fn new(nid: Nid, folder: usize, unlisted: bool) -> Job {
        Job {
            nid,
            folder: folder as u32,
            unlisted,
        }
    }
}

/// The names a copy writes into the new store, where the person reads them in Outlook, in
/// the language the front end speaks: the folder for items no contents table lists, and the
/// category that marks an item copied without some part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    pub recovered: &'static str,
    pub incomplete: &'static str,
}

impl Labels {
    pub const ENGLISH: Labels = Labels {
        recovered: "Recovered items",
        incomplete: "OST Doctor: copied in part",
    };
    pub const DUTCH: Labels = Labels {
        recovered: "Herstelde items",
        incomplete: "OST Doctor: deels gekopieerd",
    };
    pub const PORTUGUESE: Labels = Labels {
        recovered: "Itens recuperados",
        incomplete: "OST Doctor: copiado em parte",
    };

    /// The labels for a language code ("en", "nl", "pt"); English for any other.
    pub fn for_code(code: &str) -> Labels {
        match code {
            "nl" => Labels::DUTCH,
            "pt" => Labels::PORTUGUESE,
            _ => Labels::ENGLISH,
        }
    }
}

impl Default for Labels {
    fn default() -> Self {
        Labels::ENGLISH
    }
}

/// How a copy is made: the names it writes, and whether a password-protected source's
/// password protects the copy too (the default: a copy is no easier to open than its
/// source; `ostdoctor export --drop-password` turns it off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyOptions {
    pub labels: Labels,
    pub keep_password: bool,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            labels: Labels::ENGLISH,
            keep_password: true,
        }
    }
}

/// Where items no contents table lists go in the new store, in English (see [`Labels`]).
pub const RECOVERED: &str = Labels::ENGLISH.recovered;

/// The "Recovered items" folder of the new store and the folders made below it, by path.
struct RecoveredFolders {
    name: &'static str,
    made: HashMap<Vec<String>, Nid>,
}

impl RecoveredFolders {
    /// The folder for items of the source folder at `path` (below the top of the mailbox),
    /// made with its parents on first use.
    fn folder(&mut self, w: &mut StoreWriter, path: &[String]) -> Result<Nid> {
        let mut at: Vec<String> = Vec::new();
        let mut parent = IPM_SUBTREE;
        for name in std::iter::once(self.name).chain(path.iter().map(String::as_str)) {
            at.push(name.to_string());
            parent = match self.made.get(&at) {
                Some(&nid) => nid,
                None => {
                    let nid = w.add_folder(parent, name, Some("IPF.Note"))?;
                    self.made.insert(at.clone(), nid);
                    nid
                }
            };
        }
        Ok(parent)
    }
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

/// The new store an export of `source` writes into, named after it, and the source's
/// named properties, which every copied message maps through.
fn new_store_for(
    source: &Store,
    dest: &Path,
    target: Target,
    options: CopyOptions,
) -> Result<(
    StoreWriter,
    HashMap<u16, NamedProperty>,
    Option<PasswordCopy>,
)> {
    let props = source.properties().ok();
    let display = match props.as_ref().map(|p| p.display_name.clone()) {
        Some(name) if !name.is_empty() => name,
        _ => "Exported items".to_string(),
    };
    // Only the store's identity comes from it: two exports never share one.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut w = StoreWriter::create(dest, target, CryptMethod::None, &display, seed)?;
    let password = props.and_then(|p| p.password_checksum).map(|checksum| {
        if options.keep_password {
            w.set_password_checksum(checksum);
            PasswordCopy::Kept
        } else {
            PasswordCopy::Dropped
        }
    });
    // Without a readable name map, named properties are left out (and counted).
    let names = crate::store::messaging::names::read(source.ndb()).unwrap_or_default();
    Ok((w, names, password))
}

/// What became of a password-protected source's password in the copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PasswordCopy {
    /// The copy asks for the same password.
    Kept,
    /// Left off on request: the copy opens without one.
    Dropped,
}

/// Copies the chosen items of `source` into a new store at `dest`, each into a folder of
/// the same path below the top of the mailbox (parent folders are made as needed, holding
/// only what was chosen). Reports each item to `work`, and stops when it is cancelled.
pub fn export_items(
    source: &Store,
    dest: &Path,
    target: Target,
    chosen: &[Selection],
    options: CopyOptions,
    work: &mut Work,
) -> std::result::Result<(ExportSummary, Vec<WrittenFolder>), JobError> {
    let salvage::Found {
        folders,
        damage: folder_damage,
        ..
    } = salvage::folders(source);
    let by_nid: HashMap<Nid, &FolderInfo> = folders.iter().map(|f| (f.nid, f)).collect();
    let root = source.ipm_subtree(&folders)?;
    let trash = source
        .special_folder(tags::IPM_WASTEBASKET_ENTRY_ID)
        .unwrap_or(None);
    let (mut w, names, password) = new_store_for(source, dest, target, options)?;
    let labels = options.labels;
    let mut cx = Context::new(&names, labels, source, &w);
    let mut summary = ExportSummary::for_source(source, folder_damage);
    summary.password = password;
    // Source folder -> (new folder, its path in the new store).
    let mut mapped: HashMap<Nid, (Nid, Vec<String>)> = HashMap::new();
    // Items chosen from the top itself (or, in a store without one, from the root) go
    // into the new store's top.
    let top = root.or_else(|| folders.iter().find(|f| f.parent.is_none()).map(|f| f.nid));
    if let Some(top) = top {
        mapped.insert(top, (IPM_SUBTREE, Vec::new()));
        cx.repoint.map(top, IPM_SUBTREE);
    }
    let mut written: Vec<WrittenFolder> = Vec::new();
    let total: usize = chosen.iter().map(|s| s.items.len()).sum();
    summary.planned = total;
    let mut done = 0;
    let order: Vec<Nid> = chosen
        .iter()
        .flat_map(|s| s.items.iter().copied())
        .collect();
    let old_key = cx.repoint.old_key();
    read_ahead(
        source,
        &names,
        old_key,
        &order,
        |&nid| nid,
        |ahead| -> std::result::Result<(), JobError> {
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
                    let nid = make_folder(&mut w, f, parent, trash)?;
                    summary.folders += 1;
                    let mut path = parent_path;
                    path.push(f.display_name.clone());
                    cx.repoint.map(f.nid, nid);
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
                    let prepared = ahead.next().ok_or_else(reader_died)?;
                    if let Some(m) =
                        copy_message(&mut w, &mut cx, nid, msg, &path, &mut summary, prepared)?
                    {
                        written[at].subjects.push(m.subject);
                    }
                    done += 1;
                    work.step(done as u64, total as u64, "Copying items")?;
                }
            }
            Ok(())
        },
    )?;
    for (path, subject) in copy_deferred(source, &mut w, &mut cx, &mut summary)? {
        match written.iter_mut().find(|x| x.path == path) {
            Some(folder) => folder.subjects.push(subject),
            None => written.push(WrittenFolder {
                path,
                subjects: vec![subject],
            }),
        }
    }
    w.finish()?;
    summary.note_late_damage(source);
    Ok((summary, written))
}

/// What copying any item needs besides the item: the source's named-property map, the
/// names the new store is given, and the entry ids to re-point, with the items held back
/// until every item they may name has its node id in the copy.
struct Context<'a> {
    source: &'a Store,
    names: &'a HashMap<u16, NamedProperty>,
    labels: Labels,
    repoint: Repoint,
    /// While true, an item naming an object of the source is held back (see `deferred`).
    deferring: bool,
    /// Items held back: (folder in the copy, the item, its source folder's path).
    deferred: Vec<(Nid, Nid, Vec<String>)>,
    /// Node ids given out ahead to the items held back.
    reserved: HashMap<Nid, Nid>,
}

impl<'a> Context<'a> {
    fn new(
        names: &'a HashMap<u16, NamedProperty>,
        labels: Labels,
        source: &'a Store,
        w: &StoreWriter,
    ) -> Context<'a> {
        let old_key = source.properties().ok().and_then(|p| p.record_key);
        Context {
            source,
            names,
            labels,
            repoint: Repoint::new(old_key.as_deref(), w.record_key()),
            deferring: true,
            deferred: Vec::new(),
            reserved: HashMap::new(),
        }
    }
}

/// Copies a folder's associated (hidden) items, its views, rules and forms, into the same
/// folder of the copy. One that cannot be read is listed in `skipped` as such.
fn copy_associated(
    source: &Store,
    w: &mut StoreWriter,
    cx: &mut Context,
    folder: Nid,
    f: &FolderInfo,
    summary: &mut ExportSummary,
) -> Result<()> {
    let nids = match source.associated_nids(f.nid) {
        Ok(nids) => nids,
        Err(e) => {
            summary.skipped.push(Skipped::in_folder(
                f,
                format!("the folder's hidden items (views, rules) could not be listed: {e}"),
            ));
            return Ok(());
        }
    };
    for msg in nids {
        let prepared = prepare(source, cx.names, cx.repoint.old_key(), msg);
        let (copied, lost) = finish(prepared, w, cx, summary);
        match copied {
            Ok(mut m) if lost.is_empty() => {
                cx.repoint.apply(&mut m);
                let nid = w.add_associated_message(folder, &m)?;
                cx.repoint.map(msg, nid);
                summary.associated += 1;
            }
            // A view or rule without one of its parts would be a different one: left out.
            Ok(m) => summary.skipped.push(Skipped {
                folder: f.path.join("/"),
                subject: Some(format!("hidden item {}", m.message_class)),
                reason: lost
                    .iter()
                    .map(|(part, why)| format!("{part}: {why}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            }),
            Err(e) => summary.skipped.push(Skipped {
                folder: f.path.join("/"),
                subject: Some("hidden item".into()),
                reason: e.to_string(),
            }),
        }
    }
    Ok(())
}

/// Writes the items held back because they name other objects of the source (see
/// `repoint`): every one first gets its node id, so that they may name each other too.
/// Returns the path and subject of each item written.
fn copy_deferred(
    source: &Store,
    w: &mut StoreWriter,
    cx: &mut Context,
    summary: &mut ExportSummary,
) -> Result<Vec<(Vec<String>, String)>> {
    cx.deferring = false;
    let deferred = std::mem::take(&mut cx.deferred);
    for &(_, msg, _) in &deferred {
        let nid = w.new_message_nid();
        cx.reserved.insert(msg, nid);
        cx.repoint.map(msg, nid);
    }
    let mut out = Vec::new();
    for (folder, msg, path) in deferred {
        let prepared = prepare(source, cx.names, cx.repoint.old_key(), msg);
        if let Some(m) = copy_message(w, cx, folder, msg, &path, summary, prepared)? {
            out.push((path, m.subject));
        }
    }
    summary.entry_ids_repointed = cx.repoint.repointed;
    summary.entry_ids_unresolved = cx.repoint.unresolved;
    Ok(out)
}

/// A message of the source read as the copy will write it, on any thread: its named
/// properties still under the source's ids (see [`rename_named`]), with the parts that
/// could not be read (part, why) and the properties left out.
pub(crate) struct Prepared {
    copied: Result<NewMessage>,
    lost: Vec<(String, String)>,
    left_out: usize,
    /// The item names an object of the source (see `repoint`).
    names_source: bool,
}

impl Prepared {
    /// A message already written, handed back to be dropped (see `ahead::Ahead::recycle`).
    fn spent(m: NewMessage) -> Prepared {
        Prepared {
            copied: Ok(m),
            lost: Vec::new(),
            left_out: 0,
            names_source: false,
        }
    }

    /// Bytes the read item holds, for bounding how far reading runs ahead of writing.
    fn weight(&self) -> usize {
        self.copied.as_ref().map_or(0, weight_of)
    }
}

fn weight_of(m: &NewMessage) -> usize {
    let cells = |c: &[(u16, u16, Vec<u8>)]| c.iter().map(|(_, _, b)| b.len() + 8).sum::<usize>();
    m.body_text.as_ref().map_or(0, String::len)
        + m.body_html.as_ref().map_or(0, Vec::len)
        + m.body_rtf_compressed.as_ref().map_or(0, Vec::len)
        + m.transport_headers.as_ref().map_or(0, String::len)
        + cells(&m.extra)
        + m.recipients
            .iter()
            .map(|r| cells(&r.extra) + 64)
            .sum::<usize>()
        + m.attachments
            .iter()
            .map(|a| a.data.len() + cells(&a.extra) + a.embedded.as_deref().map_or(0, weight_of))
            .sum::<usize>()
        + 256
}

/// Runs `write` with the items of `order` (each naming its message by `nid`) read for the
/// copy on other threads, ahead of it and in order (see `ahead`).
fn read_ahead<T: Sync, X>(
    source: &Store,
    names: &HashMap<u16, NamedProperty>,
    old_key: Option<[u8; 16]>,
    order: &[T],
    nid: impl Fn(&T) -> Nid + Sync,
    write: impl FnOnce(&mut ahead::Ahead<'_, T, Prepared>) -> X,
) -> X {
    let read = |item: &T| prepare(source, names, old_key, nid(item));
    ahead::run(
        order,
        ahead::threads(),
        ahead::Bounds::DEFAULT,
        &read,
        Prepared::weight,
        write,
    )
}

/// A reader thread died (it panicked): the copy stops rather than wait for its items.
fn reader_died() -> crate::store::Error {
    crate::store::Error::malformed("export", "a thread reading the source stopped")
}

/// Reads a message of the source for the copy (see [`Prepared`]); `names` is the source's
/// named-property map, which says which named properties can be carried.
/// `old_key` is the source's record key, by which an item naming the source is known.
fn prepare(
    source: &Store,
    names: &HashMap<u16, NamedProperty>,
    old_key: Option<[u8; 16]>,
    msg: Nid,
) -> Prepared {
    let mut lost = Vec::new();
    let mut left_out = 0;
    let mut copied = source
        .message(msg)
        .and_then(|m| copy_item(&m, names, &mut left_out, &mut lost, 0));
    let names_source = match (&mut copied, old_key) {
        (Ok(m), Some(key)) => repoint::names(m, &key),
        _ => false,
    };
    Prepared {
        copied,
        lost,
        left_out,
        names_source,
    }
}

/// A prepared message made ready for the new store: its named properties renamed into the
/// new store's map (on the writer's thread, in the items' order, so that the new store's
/// map is the same however the reading was shared out).
fn finish(
    prepared: Prepared,
    w: &mut StoreWriter,
    cx: &Context,
    summary: &mut ExportSummary,
) -> (Result<NewMessage>, Vec<(String, String)>) {
    summary.properties_left_out += prepared.left_out;
    let copied = prepared.copied.and_then(|mut m| {
        rename_named(&mut m, &mut |id| match cx.names.get(&id) {
            Some(n) => w.named_property(n.guid, n.name.clone()),
            // `copy_item` keeps only the named properties the source names.
            None => Err(crate::store::Error::malformed(
                "export",
                format!("named property 0x{id:04X} has no name in the source"),
            )),
        })?;
        Ok(m)
    });
    (copied, prepared.lost)
}

/// Gives every named property of a message (ids from 0x8000 up: its own, its recipients',
/// its attachments' and its attached items') the id `rename` says, in the order the
/// message lists them.
fn rename_named(m: &mut NewMessage, rename: &mut dyn FnMut(u16) -> Result<u16>) -> Result<()> {
    rename_cells(&mut m.extra, rename)?;
    for r in &mut m.recipients {
        rename_cells(&mut r.extra, rename)?;
    }
    for a in &mut m.attachments {
        if let Some(inner) = a.embedded.as_deref_mut() {
            rename_named(inner, rename)?;
        }
        rename_cells(&mut a.extra, rename)?;
    }
    Ok(())
}

fn rename_cells(
    cells: &mut [(u16, u16, Vec<u8>)],
    rename: &mut dyn FnMut(u16) -> Result<u16>,
) -> Result<()> {
    for (id, _, _) in cells.iter_mut() {
        if *id >= 0x8000 {
            *id = rename(*id)?;
        }
    }
    Ok(())
}

/// Copies one message into `folder` of the new store, and returns it as written. A message
/// that cannot be read is listed in `summary.skipped` with the reason, and `None` is
/// returned; errors writing the new store stop the copy. One that names other objects of
/// the source is held back while `cx.deferring` (`None` too), and written by
/// `copy_deferred`.
fn copy_message(
    w: &mut StoreWriter,
    cx: &mut Context,
    folder: Nid,
    msg_nid: Nid,
    folder_path: &[String],
    summary: &mut ExportSummary,
    prepared: Prepared,
) -> Result<Option<NewMessage>> {
    if cx.deferring && prepared.names_source {
        cx.deferred.push((folder, msg_nid, folder_path.to_vec()));
        return Ok(None);
    }
    let (copied, lost) = finish(prepared, w, cx, summary);
    match copied {
        Ok(mut m) => {
            cx.repoint.apply(&mut m);
            if !lost.is_empty() {
                mark_incomplete(w, &mut m, cx.labels)?;
                summary.items_in_part += 1;
            }
            for (part, reason) in lost {
                summary.parts_lost.push(PartLost {
                    folder: folder_path.join("/"),
                    subject: Some(m.subject.clone()).filter(|s| !s.is_empty()),
                    part,
                    reason,
                });
            }
            summary.attachments += m.attachments.len();
            summary.bytes += m
                .attachments
                .iter()
                .map(|a| a.data.len() as u64)
                .sum::<u64>();
            match cx.reserved.get(&msg_nid) {
                Some(&nid) => w.add_message_as(folder, nid, &m)?,
                None => {
                    let nid = w.add_message(folder, &m)?;
                    cx.repoint.map(msg_nid, nid);
                }
            }
            summary.items += 1;
            Ok(Some(m))
        }
        Err(e) => {
            summary.skipped.push(Skipped {
                folder: folder_path.join("/"),
                subject: cx
                    .source
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

/// Adds the "copied in part" category to an item's categories (the named property
/// Keywords), so that the person finds in Outlook every item the copy lists as incomplete.
fn mark_incomplete(w: &mut StoreWriter, m: &mut NewMessage, labels: Labels) -> Result<()> {
    let id = w.named_property(PS_PUBLIC_STRINGS, Name::String("Keywords".into()))?;
    let mut categories: Vec<String> = Vec::new();
    if let Some(at) = m.extra.iter().position(|(i, _, _)| *i == id) {
        let (_, t, bytes) = m.extra.remove(at);
        if let Ok(PropValue::Multi(values)) = crate::store::ltp::prop::decode(t, &bytes) {
            categories.extend(
                values
                    .iter()
                    .filter_map(|v| v.as_text().map(str::to_string)),
            );
        }
    }
    if !categories.iter().any(|c| c == labels.incomplete) {
        categories.push(labels.incomplete.to_string());
    }
    let (t, bytes) = crate::store::write::value::texts(&categories);
    m.extra.push((id, t, bytes));
    Ok(())
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

/// What a copy changes, in one place (the README repeats it): the properties of an item the
/// new store computes from what it holds (its size, the display lists of its recipients,
/// whether it has attachments), and node ids, which are the new store's own (an embedded
/// item's object reference names its new subnode), with the store's record key: entry ids
/// inside items that name an object of the source are re-pointed to its copy (`repoint`). Links and OLE objects in attachments
/// keep their properties but not their object, counted in `properties_left_out`. A folder's
/// items are written in the order of their node ids in the source (see `export`), so its
/// table may list them in another order than the source's.
pub use crate::store::write::messaging::COMPUTED as REWRITTEN;

/// Properties of a recipient row or an attachment to carry into the copy: named ones by
/// name (left out, and counted, when the source does not name them), embedded objects and
/// the ids in `skip` left to the writer.
fn carry(
    props: Vec<(u16, u16, Vec<u8>)>,
    skip: &[u16],
    names: &HashMap<u16, NamedProperty>,
    left_out: &mut usize,
) -> Vec<(u16, u16, Vec<u8>)> {
    let mut out = Vec::with_capacity(props.len());
    for (id, t, bytes) in props {
        if skip.contains(&id) {
            continue;
        }
        // An OLE object's storage: its properties travel, the object does not; a named
        // property the source does not name cannot be named in the copy.
        if t == ptype::OBJECT || (id >= 0x8000 && !names.contains_key(&id)) {
            *left_out += 1;
            continue;
        }
        out.push((id, t, bytes));
    }
    out
}

fn note(lost: &mut Vec<(String, String)>, part: String, e: crate::store::Error) {
    lost.push((part, e.to_string()));
}

/// A message's property in words, for the list of parts a copy left out: the parts a
/// person knows by name, the rest by number.
fn part_name(id: u16) -> String {
    match id {
        tags::BODY => "the plain-text body".into(),
        tags::HTML => "the HTML body".into(),
        tags::RTF_COMPRESSED => "the RTF body".into(),
        tags::TRANSPORT_MESSAGE_HEADERS => "the internet headers".into(),
        tags::SENDER_ADDRESS_TYPE => "the sender's address type".into(),
        _ => format!("property 0x{id:04X}"),
    }
}

/// Items nested deeper than this (a message attached to a message attached to ...) are
/// left out and noted: real ones nest a few levels, and a damaged file must not recurse
/// without end.
const MAX_NESTING: usize = 16;

/// Turns a source message into one to write. Named properties keep the source's ids, and
/// are carried when the source names them (`names`): the writer renames them into the new
/// store's map ([`rename_named`]). Properties left out are counted in `left_out`.
///
/// A part that cannot be read (a property, the body, the recipients, one attachment) is
/// left out and named in `lost` with why; the rest of the message is still copied. Only a
/// message whose identity (its summary properties) cannot be read is an error.
fn copy_item(
    m: &Message,
    names: &HashMap<u16, NamedProperty>,
    left_out: &mut usize,
    lost: &mut Vec<(String, String)>,
    depth: usize,
) -> Result<NewMessage> {
    let s = m.heading()?;
    let pc = m.properties();
    let mut extra = Vec::with_capacity(pc.tags().size_hint().0);
    // By tag alone: each value is read once, as stored, not also decoded.
    for (id, t) in pc.tags() {
        // A named property the source does not name cannot be named in the copy.
        let carried = id < 0x8000 || names.contains_key(&id);
        // What the new store computes itself is not left out: it is rewritten.
        if REWRITTEN.contains(&id) {
            continue;
        }
        match (carried, t != ptype::OBJECT, pc.raw(id)) {
            (true, true, Ok(Some((t, bytes)))) => extra.push((id, t, bytes)),
            (_, _, Err(e)) => note(lost, part_name(id), e),
            (_, _, Ok(None)) => {}
            _ => *left_out += 1,
        }
    }
    let recipients = match m.recipients_with_rows() {
        Ok(rows) => {
            let mut out = Vec::with_capacity(rows.len());
            for (r, cells) in rows {
                out.push(NewRecipient {
                    display_name: r.display_name.clone().unwrap_or_default(),
                    email_address: r.email_address.or(r.smtp_address).unwrap_or_default(),
                    address_type: r.address_type.unwrap_or_else(|| "SMTP".into()),
                    kind: r.recipient_type.unwrap_or(1) as i32,
                    extra: carry(cells, &[], names, left_out),
                });
            }
            out
        }
        Err(e) => {
            note(lost, "the recipients".into(), e);
            Vec::new()
        }
    };
    let mut attachments = Vec::new();
    let listed = m.attachment_nids().unwrap_or_else(|e| {
        note(lost, "the attachments".into(), e);
        Vec::new()
    });
    for (n, nid) in listed.into_iter().enumerate() {
        // Each attachment read once, whole: one that cannot be opened costs only itself.
        let crate::store::messaging::message::Attachment {
            info: a,
            mut values,
        } = match m.attachment(nid) {
            Ok(read) => read,
            Err(e) => {
                note(lost, format!("attachment {}", n + 1), e);
                continue;
            }
        };
        let file_name = a
            .file_name
            .clone()
            .or(a.display_name.clone())
            .unwrap_or_else(|| "attachment".into());
        let file_data = values
            .iter()
            .position(|v| v.id == tags::ATTACH_DATA && v.ptype == ptype::BINARY);
        let (data, embedded) = if let Some(at) = file_data {
            match values.remove(at).bytes {
                Ok(data) => (data, None),
                Err(e) => {
                    note(lost, format!("attachment \"{file_name}\""), e);
                    continue;
                }
            }
        } else {
            let what = format!("attached item \"{file_name}\"");
            match m.embedded(a.nid) {
                // A link or an OLE object: its properties are carried (a link's path, an
                // object's name and picture); an OLE object's own storage is counted as
                // left out where its properties are carried.
                Ok(None) => (Vec::new(), None),
                Ok(Some(_)) if depth >= MAX_NESTING => {
                    lost.push((what, format!("nested more than {MAX_NESTING} levels deep")));
                    continue;
                }
                Ok(Some(inner)) => {
                    let mut inner_lost = Vec::new();
                    match copy_item(&inner, names, left_out, &mut inner_lost, depth + 1) {
                        Ok(item) => {
                            lost.extend(
                                inner_lost
                                    .into_iter()
                                    .map(|(part, why)| (format!("{part} of {what}"), why)),
                            );
                            (Vec::new(), Some(Box::new(item)))
                        }
                        Err(e) => {
                            note(lost, what, e);
                            continue;
                        }
                    }
                }
                Err(e) => {
                    note(lost, what, e);
                    continue;
                }
            }
        };
        let mut props = Vec::new();
        for v in values {
            match v.bytes {
                Ok(bytes) => props.push((v.id, v.ptype, bytes)),
                Err(e) => note(
                    lost,
                    format!("property 0x{:04X} of attachment \"{file_name}\"", v.id),
                    e,
                ),
            }
        }
        attachments.push(NewAttachment {
            file_name,
            mime_type: a.mime_type.clone(),
            data,
            extra: carry(props, &[tags::ATTACH_DATA], names, left_out),
            embedded,
        });
    }
    Ok(NewMessage {
        message_class: s.message_class.unwrap_or_else(|| "IPM.Note".into()),
        subject: s.subject.unwrap_or_default(),
        // The sender, the times, the bodies and the headers are in `extra` as stored, and
        // an exact copy writes them from there.
        sender_name: None,
        sender_email: None,
        sender_address_type: None,
        delivery_time: None,
        submit_time: None,
        creation_time: None,
        modification_time: None,
        flags: s.flags.unwrap_or(1) as i32,
        internet_message_id: None,
        body_text: None,
        body_html: None,
        body_rtf_compressed: None,
        transport_headers: None,
        recipients,
        attachments,
        extra,
        exact: true,
    })
}
