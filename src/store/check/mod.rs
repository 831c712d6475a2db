//! The structural check of a whole store, as Microsoft's scanpst and scanost do it, but
//! read-only: every index page and every block is read once (blocks in file order), then
//! the folder tree and every item the folders list, with findings collected all the way
//! rather than stopping at the first. What it cannot read it reports and skips.
//!
//! Passes, each in its own module: the header (`header`), the two indexes page by page
//! (`index`), where blocks lie (`extents`), the allocation map (`amap`), every block and the
//! references between them (`blocks`, `refs`), the folder tree and its items (`folders`,
//! `items`), what the tree does not reach (`orphans`), the objects every store needs
//! (`required`), and finally which folder or item each damaged block belongs to (`owners`).
//! A data block is read once, by whichever pass reads it first (the item pass, or
//! `blocks::read_rest` for what no item reads): reading, and on a 4 KiB store inflating,
//! is most of the check.

mod amap;
mod blocks;
mod classify;
mod collect;
mod extents;
pub mod finding;
mod folders;
mod header;
mod index;
mod items;
pub mod log;
mod orphans;
mod owners;
mod parallel;
mod refs;
mod required;
mod scan;
mod values;

use std::path::Path;

pub use finding::{Class, Finding, Severity};
pub use log::{Examined, ScanLog, Tally};

use crate::store::Store;
use crate::store::error::{Error, ErrorKind, JobError, NotOutlookReason};
use crate::store::ndb::Ndb;
use crate::work::Work;
use scan::Scan;

/// Checks the structure of the store at `path` and says what is wrong with it. Never
/// writes to the file. Progress goes to `work`, which can also stop the check.
pub fn check_store(path: &Path, work: &mut Work<'_>) -> Result<ScanLog, JobError> {
    let file = path.display().to_string();
    work.step(0, 0, "Opening the store")?;
    let (ndb, damage) = match Ndb::open_lenient(path) {
        Ok(opened) => opened,
        Err(e) => return too_short(file, e),
    };
    let header = ndb.header().clone();
    let size = ndb.file_len();
    let store = Store::from_ndb(ndb);
    let mut scan = Scan::new(&store, work);
    let contents_readable = header::check(&mut scan, damage);
    index::read_nodes(&mut scan)?;
    index::read_blocks(&mut scan)?;
    let extents = extents::check(&mut scan)?;
    amap::check(&mut scan, &extents)?;
    drop(extents);
    blocks::check(&mut scan)?;
    let tree = if contents_readable {
        let tree = folders::walk(&mut scan)?;
        orphans::check(&mut scan, &tree)?;
        Some(tree)
    } else {
        None
    };
    blocks::read_rest(&mut scan)?;
    if let Some(tree) = tree {
        owners::attach(&mut scan, &tree);
        required::check(&mut scan, &tree);
    }
    scan.begin(1, "Done")?;
    let password_protected = store.properties().is_ok_and(|p| p.password_protected);
    let mut log = ScanLog::new(
        file,
        Some(header.client.name()),
        Some(header.variant.name()),
        size,
        scan.examined,
        scan.findings.finish(),
    );
    log.password_protected = password_protected;
    Ok(log)
}

/// A file that starts like a store but ends inside its header still gets a scan log that
/// says so; anything else that cannot be opened has none.
fn too_short(file: String, e: Error) -> Result<ScanLog, JobError> {
    match e.kind {
        ErrorKind::NotOutlookFile(NotOutlookReason::TooShort { len }) if len >= 4 => {
            let f = Finding::new(
                Class::Truncated,
                "file header",
                format!(
                    "the file is only {len} bytes long and ends inside its own header; nothing in it can be read"
                ),
            )
            .offset(0);
            Ok(ScanLog::new(
                file,
                None,
                None,
                len,
                Examined::default(),
                vec![f],
            ))
        }
        _ => Err(JobError::Store(e)),
    }
}
