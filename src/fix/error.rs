//! Why a fix did not run or did not finish. Every message names the file and says what the
//! person can do; none of them means something was lost.

use std::path::PathBuf;

use super::holders::Holder;
use crate::diagnose::GatherError;
use crate::store::{self, JobError};
use crate::work::Cancelled;

#[derive(Debug, thiserror::Error)]
pub enum FixError {
    /// Programs have the file open: renaming it now would fail (Windows) or leave them
    /// writing to a file that is no longer the store (elsewhere).
    #[error(
        "{} is in use by {}; close {} and try again (nothing was changed)",
        path.display(),
        Holder::list(holders),
        if holders.len() == 1 { "it" } else { "them" }
    )]
    InUse { path: PathBuf, holders: Vec<Holder> },
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// The fix would have to overwrite, delete or guess; it stops instead.
    #[error("{0}")]
    Refused(String),
    #[error("no fix with id {0:?} in the journal; `ostdoctor fix journal` lists them")]
    NoSuchEntry(String),
    #[error("the journal entry {} cannot be read: {detail}", path.display())]
    Journal { path: PathBuf, detail: String },
    #[error("cannot list running programs: {0}")]
    Processes(String),
    #[error("cancelled; nothing was kept")]
    Cancelled(#[from] Cancelled),
    #[error(transparent)]
    Store(#[from] store::Error),
    #[error(transparent)]
    Gather(#[from] GatherError),
}

impl FixError {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        FixError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

impl From<JobError> for FixError {
    fn from(e: JobError) -> Self {
        match e {
            JobError::Store(e) => FixError::Store(e),
            JobError::Cancelled(c) => FixError::Cancelled(c),
        }
    }
}

pub type Result<T, E = FixError> = std::result::Result<T, E>;
