//! The wizard's backend for real: each check and fix the flows name, carried out on the
//! person's store and mailbox. Also what the statistics views and the session report show.
//!
//! A `Doctor` is driven one request at a time from a worker thread (the desktop app) or
//! inline (the CLI's scripted walk). Long work reports progress and stops when the
//! request's cancel token is set.

mod compare;
pub mod discover;
pub mod findings;
pub mod link;
mod open;
mod profile;
pub mod report;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::server::graph::DeviceCodePrompt;
use crate::wizard::{Backend, BackendError, Facts, FixOutcome, FixPlan};
use crate::work::{CancelToken, Step};

pub use findings::Findings;
pub use link::{Connection, ServerSettings};

/// Where progress goes: the desktop app's progress bar, the CLI's stderr.
pub type ProgressSink = Arc<dyn Fn(Step<'_>) + Send + Sync>;

pub struct Doctor {
    store: PathBuf,
    settings: Option<ServerSettings>,
    connection: Option<Connection>,
    findings: Findings,
    cancel: CancelToken,
    progress: ProgressSink,
}

impl Doctor {
    pub fn new(store: impl Into<PathBuf>) -> Self {
        Doctor {
            store: store.into(),
            settings: None,
            connection: None,
            findings: Findings::default(),
            cancel: CancelToken::new(),
            progress: Arc::new(|_| {}),
        }
    }

    pub fn with_server(mut self, settings: Option<ServerSettings>) -> Self {
        self.set_server(settings);
        self
    }

    /// Changes the mailbox to compare with; the next comparison signs in again.
    pub fn set_server(&mut self, settings: Option<ServerSettings>) {
        self.settings = settings;
        self.connection = None;
    }

    pub fn server(&self) -> Option<&ServerSettings> {
        self.settings.as_ref()
    }

    pub fn store_path(&self) -> &Path {
        &self.store
    }

    pub fn findings(&self) -> &Findings {
        &self.findings
    }

    pub fn set_progress(&mut self, progress: ProgressSink) {
        self.progress = progress;
    }

    /// The token the next request obeys; a front end keeps a clone to cancel with.
    pub fn begin(&mut self, cancel: CancelToken) {
        self.cancel = cancel;
    }

    fn report(&self, done: u64, total: u64, doing: &str) {
        (self.progress)(Step { done, total, doing });
    }

    /// The signed-in server, signing in first if need be. Taken out while in use and put
    /// back by the caller once it has served.
    fn take_connection(&mut self) -> Result<Connection, BackendError> {
        if let Some(connection) = self.connection.take() {
            return Ok(connection);
        }
        let settings = self.settings.clone().ok_or_else(|| {
            BackendError::new(
                "No mailbox server is set, so the server's counts cannot be read. \
                     Set the mailbox on the start page, or compare by hand.",
            )
        })?;
        self.report(0, 0, &format!("Signing in to {}", settings.account()));
        let progress = Arc::clone(&self.progress);
        let mut show = |p: &DeviceCodePrompt| {
            let text = p.message.clone().unwrap_or_else(|| {
                format!(
                    "To sign in, open {} and enter the code {}",
                    p.verification_uri, p.user_code
                )
            });
            progress(Step {
                done: 0,
                total: 0,
                doing: &text,
            });
        };
        let cancel = self.cancel.clone();
        let connection = settings
            .connect(&mut show, &|| cancel.is_cancelled())
            .map_err(|e| BackendError::new(e.to_string()))?;
        self.findings.server = Some(connection.describe());
        Ok(connection)
    }

    fn cancelled(&self) -> Result<(), BackendError> {
        if self.cancel.is_cancelled() {
            Err(BackendError::new("Stopped: you pressed Cancel."))
        } else {
            Ok(())
        }
    }
}

impl Backend for Doctor {
    fn run_check(&mut self, name: &str, _facts: &Facts) -> Result<Facts, BackendError> {
        self.cancelled()?;
        match name {
            "open_store" => {
                self.report(0, 1, "Reading the store's header and folders");
                let (facts, summary) = open::open_store(&self.store)?;
                self.findings.store = Some(summary);
                Ok(facts)
            }
            "compare_with_server" => {
                let mut connection = self.take_connection()?;
                self.report(0, 0, "Reading folder counts and items on both sides");
                // A server that failed mid-way is signed in to afresh next time.
                let (facts, report) = compare::compare_with_server(&self.store, &mut connection)?;
                self.connection = Some(connection);
                self.findings.comparison = Some(report);
                self.cancelled()?;
                Ok(facts)
            }
            "detect_cached_mode" => Ok(profile::detect_cached_mode()),
            other => Err(BackendError::new(format!(
                "the check {other} is not available"
            ))),
        }
    }

    fn plan_fix(&mut self, name: &str, _facts: &Facts) -> Result<FixPlan, BackendError> {
        Err(BackendError::new(format!(
            "the fix {name} is not available"
        )))
    }

    fn apply_fix(
        &mut self,
        name: &str,
        _plan: &FixPlan,
        _facts: &Facts,
    ) -> Result<FixOutcome, BackendError> {
        Err(BackendError::new(format!(
            "the fix {name} is not available"
        )))
    }
}
