//! The seam between the wizard and the code that does the work.
//!
//! The wizard names checks and fixes (see `catalogue`); a `Backend` carries them out.
//! The engine never calls a backend by itself: it hands out a `Request`, and whoever
//! drives it (a UI worker thread, the script runner) sends that to the backend and
//! brings the `Reply` back, so that slow work never runs inside the engine.

use std::path::PathBuf;

use thiserror::Error;

use super::facts::Facts;
use super::language::Language;

/// Why the mailbox server could not be used, as a person can act on it: each cause has
/// its own headline on the failure page and its own field in the mailbox settings.
/// `crate::doctor::link::cause_of` tells it from the server's error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cause {
    /// No mailbox was given, so there is no server to ask.
    NoServerSet,
    /// The address is malformed, or its host name does not resolve.
    AddressNotFound,
    /// Nobody answers at the address: connection refused, unreachable, or timed out.
    ServerSilent,
    /// The server's certificate is not one this computer trusts.
    CertificateNotTrusted,
    /// The server refused the sign-in (a wrong password, an expired or missing sign-in).
    NotSignedIn,
    /// Any other failure of the server or the conversation with it.
    Other,
}

impl Cause {
    pub const ALL: [Cause; 6] = [
        Cause::NoServerSet,
        Cause::AddressNotFound,
        Cause::ServerSilent,
        Cause::CertificateNotTrusted,
        Cause::NotSignedIn,
        Cause::Other,
    ];
}

/// Why a check or fix could not be carried out (not a finding: "the store is damaged"
/// is a fact; "the store could not be read from disk" is this).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct BackendError {
    /// In English: what logs and the report's technical part keep.
    pub message: String,
    /// The same in Dutch and Portuguese, where the backend wrote it itself (not where it
    /// passes on a library's or a server's words).
    pub translated: Option<Box<[String; 2]>>,
    /// The person pressed Cancel while the work ran: not a failure. A fix page then
    /// leaves by its `cancelled` exit, never by `failed` (whose page would blame the disk
    /// or the network for what the person chose).
    pub cancelled: bool,
    /// Set where the mailbox server could not be used; `None` for every other failure
    /// (a store that cannot be read is no matter of mailbox settings).
    pub cause: Option<Cause>,
}

impl BackendError {
    pub fn new(message: impl Into<String>) -> Self {
        BackendError {
            message: message.into(),
            translated: None,
            cancelled: false,
            cause: None,
        }
    }

    /// An error in the backend's own words, in every language.
    pub fn said(en: impl Into<String>, nl: impl Into<String>, pt: impl Into<String>) -> Self {
        BackendError {
            message: en.into(),
            translated: Some(Box::new([nl.into(), pt.into()])),
            cancelled: false,
            cause: None,
        }
    }

    /// The message in `language`, English where there is no translation.
    pub fn message_in(&self, language: Language) -> &str {
        match (&self.translated, language) {
            (Some(t), Language::Dutch) => &t[0],
            (Some(t), Language::Portuguese) => &t[1],
            _ => &self.message,
        }
    }

    /// The same error, known to come from the mailbox server for `cause`.
    pub fn with_cause(mut self, cause: Cause) -> Self {
        self.cause = Some(cause);
        self
    }

    /// The work stopped because the person pressed Cancel.
    pub fn cancelled(message: impl Into<String>) -> Self {
        BackendError {
            message: message.into(),
            translated: None,
            cancelled: true,
            cause: None,
        }
    }
}

/// One change a fix will make (in a plan) or has made (in an outcome). Kept as data so
/// that the wizard can describe it in the person's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Rename { from: PathBuf, to: PathBuf },
    ExportToPst { items: u64, to: PathBuf },
    ClearOfflineItems { folder: String },
}

/// What a fix would do, shown to the person before they confirm.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixPlan {
    pub actions: Vec<Action>,
}

/// What a fix did, with the facts the catalogue declares for it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixOutcome {
    pub actions: Vec<Action>,
    pub facts: Facts,
}

/// Carries out the catalogue's checks and fixes. `name` is always a catalogue name;
/// `facts` are those known so far in the walk.
pub trait Backend {
    /// Runs a check. It must report exactly the facts the catalogue lists for it.
    fn run_check(&mut self, name: &str, facts: &Facts) -> Result<Facts, BackendError>;

    /// Works out what a fix would change, changing nothing.
    fn plan_fix(&mut self, name: &str, facts: &Facts) -> Result<FixPlan, BackendError>;

    /// Applies a fix the person has confirmed, as planned.
    fn apply_fix(
        &mut self,
        name: &str,
        plan: &FixPlan,
        facts: &Facts,
    ) -> Result<FixOutcome, BackendError>;
}

/// Work the engine needs done before it can go on. Owns its data, so it can be sent
/// to another thread.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    RunCheck {
        check: String,
        facts: Facts,
    },
    PlanFix {
        fix: String,
        facts: Facts,
    },
    ApplyFix {
        fix: String,
        plan: FixPlan,
        facts: Facts,
    },
}

/// A backend's answer to a `Request`.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    Check(Result<Facts, BackendError>),
    Plan(Result<FixPlan, BackendError>),
    Applied(Result<FixOutcome, BackendError>),
}

impl Request {
    pub fn send(&self, backend: &mut dyn Backend) -> Reply {
        match self {
            Request::RunCheck { check, facts } => Reply::Check(backend.run_check(check, facts)),
            Request::PlanFix { fix, facts } => Reply::Plan(backend.plan_fix(fix, facts)),
            Request::ApplyFix { fix, plan, facts } => {
                Reply::Applied(backend.apply_fix(fix, plan, facts))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_in_the_backends_own_words_is_read_in_the_pages_language() {
        let said = BackendError::said("No server.", "Geen server.", "Sem servidor.");
        assert_eq!(said.message_in(Language::English), "No server.");
        assert_eq!(said.message_in(Language::Dutch), "Geen server.");
        assert_eq!(said.message_in(Language::Portuguese), "Sem servidor.");
        // Words passed on from elsewhere stay as they came.
        let passed = BackendError::new("disk full");
        assert_eq!(passed.message_in(Language::Dutch), "disk full");
    }
}
