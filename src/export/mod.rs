//! Writing store items out in the forms other programs read: RFC 5322 messages for IMAP
//! servers and mail programs. Used to put items back on a server and to fill test mailboxes
//! from real stores.

mod mime;
pub mod rfc822;

pub use rfc822::build_message;
