//! OST Doctor: reads Outlook offline and personal stores, compares them with the mailbox
//! server, diagnoses synchronization problems and applies fixes that lose nothing.
//!
//! Data flows one way: store / server -> diagnose -> fix -> doctor (the wizard's backend)
//! -> wizard -> ui / cli; ARCHITECTURE.md draws the layers. Front ends (the desktop app,
//! behind the `gui` feature, and the CLI) are thin layers over this library.

pub mod copy;
pub mod diagnose;
pub mod doctor;
pub mod fix;
pub mod ron_source;
pub mod server;
pub mod store;
pub mod synthetic;
pub mod time;
#[cfg(feature = "gui")]
pub mod ui;
pub mod wizard;
pub mod work;

/// The tests' scratch folders, one definition for the unit tests here and the integration
/// tests under `tests/`.
#[cfg(test)]
#[path = "../tests/common/temp.rs"]
mod temp;
