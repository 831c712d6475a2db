//! Writing new stores: the node database first; property and table contexts and the
//! messaging layer build on it.

pub mod alloc;
pub mod heap;
pub mod ltp;
pub mod ndb;
pub mod out;

pub use ndb::{NdbWriter, Target};
