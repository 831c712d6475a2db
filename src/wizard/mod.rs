//! The repair wizard: flows of pages written in RON (`wizards/*.ron`), checked when
//! loaded, and walked by a UI-free state machine.
//!
//! - `schema`: the file format; `loader`: reading and checking files, with positions.
//! - `catalogue`: the checks, fixes, views and facts flows may name: the contract a
//!   backend implements through `backend::Backend`; `names`: their names, written once.
//! - `engine`: the walk itself (current page, answers, facts, going back).
//! - `script`: a walk driven by a script of answers, for the CLI and tests.

pub mod backend;
mod builtin;
pub mod catalogue;
pub mod condition;
mod describe;
pub mod engine;
pub mod facts;
mod graph;
pub mod language;
pub mod loader;
mod locate;
pub mod names;
mod placeholder;
pub mod schema;
pub mod script;
pub mod set;
mod validate;

pub use backend::{Action, Backend, BackendError, Cause, FixOutcome, FixPlan, Reply, Request};
pub use condition::Condition;
pub use engine::{AnswerRecord, Body, Choice, Engine, EngineError, PageView, Transition};
pub use facts::{FactKind, FactValue, Facts};
pub use language::Language;
pub use loader::{LoadError, LoadErrors, Problem, builtin, load_dir, load_sources};
pub use names::{Check, Fix, View};
pub use schema::{Outcome, Via};
pub use script::{Script, ScriptError, ScriptRun, run_script, walk_script};
pub use set::{NamedFlow, PageRef, WizardSet};
