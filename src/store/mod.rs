//! The MS-PST / OST file format, layered as the specification is: `ndb` (header, pages,
//! B-trees, blocks), `ltp` (heap, BTH, property and table contexts) and `messaging`
//! (store, folders, messages, attachments).

pub mod check;
pub mod error;
pub mod filetime;
pub mod ltp;
pub mod messaging;
pub mod ndb;
pub mod write;

pub use error::{Error, ErrorKind, JobError, NotOutlookReason, Result};
pub use messaging::{FolderInfo, Message, MessageSummary, Store};
