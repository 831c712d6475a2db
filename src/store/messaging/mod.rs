//! The messaging layer: the store, its folders and messages, as Outlook presents them.

pub mod class;
pub mod folder;
pub mod message;
pub mod names;
pub mod rtf;
pub mod salvage;
pub mod store;
pub mod tags;

pub use folder::FolderInfo;
pub use message::{AttachmentInfo, Message, MessageSummary, Recipient};
pub use store::{Store, StoreProperties};
