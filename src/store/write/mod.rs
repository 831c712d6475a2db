//! Writing new stores, layered as the reader is: the node database (`ndb`), heaps and
//! property and table contexts (`heap`, `ltp`), and the store with its folders and messages
//! (`messaging`).

pub mod alloc;
pub mod bth;
pub mod btree_spill;
pub mod columns;
pub mod heap;
pub mod ltp;
pub mod maps;
pub mod messaging;
pub mod names;
pub mod ndb;
pub mod out;
pub mod rows;
pub mod spill;
pub mod table;
pub mod value;

pub use messaging::{NewAttachment, NewMessage, NewRecipient, StoreWriter};
pub use ndb::{NdbWriter, Target};
