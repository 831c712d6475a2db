//! The wizard's backend for real: each check and fix the flows name, carried out on the
//! person's store and mailbox. Also what the statistics views and the session report show.
//!
//! A `Doctor` is driven one request at a time from a worker thread (the desktop app) or
//! inline (the CLI's scripted walk). Long work reports progress and stops when the
//! request's cancel token is set.

mod compare;
pub mod discover;
pub mod findings;
mod fixes;
pub mod link;
pub mod log_words;
pub mod logs;
mod open;
mod profile;
pub mod report;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnose::StoreSide;
use crate::diagnose::sync_log::SyncLogReport;
use crate::fix::Journal;
use crate::server::graph::DeviceCodePrompt;
use crate::wizard::{Backend, BackendError, Check, Facts, FixOutcome, FixPlan, Language};
use crate::work::{CancelToken, Step, Work};

use fixes::{Compared, Pending};

pub use findings::Findings;
pub use link::{Connection, ServerSettings};

/// Whether `folder` can take an export (a full path to a folder that exists or can be
/// made, and can be written in), with the reason in every language when it cannot.
pub fn check_export_folder(folder: &Path) -> Result<(), BackendError> {
    crate::fix::export::check_export_folder(folder).map_err(|p| fixes::folder_problem(&p))
}

/// Where progress goes: the desktop app's progress bar, the CLI's stderr.
pub type ProgressSink = Arc<dyn Fn(Step<'_>) + Send + Sync>;

pub struct Doctor {
    store: PathBuf,
    settings: Option<ServerSettings>,
    connection: Option<Connection>,
    findings: Findings,
    /// The store's side of the last comparison, which exports plan from.
    store_side: Option<StoreSide>,
    sync_logs: Option<SyncLogReport>,
    /// Where exports go; `None`: the default folder (see `crate::fix::export`).
    export_folder: Option<PathBuf>,
    /// The plan shown to the person, with what `crate::fix` needs to apply it.
    pending: Option<(String, FixPlan, Pending)>,
    journal: Option<Journal>,
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
            store_side: None,
            sync_logs: None,
            export_folder: None,
            pending: None,
            journal: None,
            cancel: CancelToken::new(),
            progress: Arc::new(|_| {}),
        }
    }

    pub fn with_server(mut self, settings: Option<ServerSettings>) -> Self {
        self.set_server(settings);
        self
    }

    /// Keeps the record of fixes (and what Undo reads) in `journal` instead of the one in
    /// the app's data folder: a helpdesk's own folder, or each test walk its own.
    pub fn with_journal(mut self, journal: Journal) -> Self {
        self.journal = Some(journal);
        self
    }

    /// Saves exports in `folder` instead of the default one.
    pub fn with_export_folder(mut self, folder: Option<PathBuf>) -> Self {
        self.export_folder = folder;
        self
    }

    /// Changes where the next planned export goes (a plan already made keeps its own).
    pub fn set_export_folder(&mut self, folder: Option<PathBuf>) {
        self.export_folder = folder;
    }

    /// The folder exports go to: the one chosen, else `Documents/OST Doctor`.
    pub fn export_folder(&self) -> PathBuf {
        self.export_folder
            .clone()
            .unwrap_or_else(crate::fix::export::default_export_folder)
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

    /// Progress and cancelling for work in `crate::store`, `crate::diagnose`, `crate::fix`.
    fn work(&self) -> Work<'static> {
        let progress = Arc::clone(&self.progress);
        Work::new(self.cancel.clone(), move |step| progress(step))
    }

    fn open_journal(&mut self) -> Result<(), BackendError> {
        if self.journal.is_none() {
            self.journal = Some(fixes::journal()?);
        }
        Ok(())
    }

    /// The address of the account now in use: the IMAP user name as set, or, for
    /// Microsoft 365, the address the server says the person signed in with (signing in
    /// first if need be). A sign-in that fails leaves the owner check to what the store
    /// records: the comparison page reports that failure in its own words.
    fn account_address(&mut self) -> Option<String> {
        match &self.settings {
            Some(ServerSettings::Graph { .. }) => {
                let mut connection = self.take_connection().ok()?;
                let address = match &mut connection {
                    Connection::Graph(graph) => graph.signed_in_address().ok().flatten(),
                    Connection::Imap(_) => None,
                };
                self.connection = Some(connection);
                address
            }
            settings => settings.as_ref().and_then(ServerSettings::user),
        }
    }

    /// The signed-in server, signing in first if need be. Taken out while in use and put
    /// back by the caller once it has served.
    fn take_connection(&mut self) -> Result<Connection, BackendError> {
        if let Some(connection) = self.connection.take() {
            return Ok(connection);
        }
        let settings = self.settings.clone().ok_or_else(|| {
            BackendError::said(
                "No mailbox server is set, so the server's counts cannot be read. \
                 Set the mailbox on the start page, or compare by hand.",
                "Er is geen postvakserver ingesteld, dus de aantallen op de server zijn niet \
                 te lezen. Stel het postvak in op de startpagina, of vergelijk met de hand.",
                "Nenhum servidor de caixa de correio foi definido, por isso as contagens do \
                 servidor não podem ser lidas. Defina a caixa na página inicial, ou compare \
                 manualmente.",
            )
            .with_cause(crate::wizard::Cause::NoServerSet)
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
        let connection = settings.connect(&mut show, &cancel)?;
        self.findings.server = Some(connection.describe());
        Ok(connection)
    }

    fn cancelled(&self) -> Result<(), BackendError> {
        if self.cancel.is_cancelled() {
            Err(BackendError::cancelled("Stopped: you pressed Cancel."))
        } else {
            Ok(())
        }
    }
}

impl Backend for Doctor {
    fn run_check(&mut self, name: &str, _facts: &Facts) -> Result<Facts, BackendError> {
        self.cancelled()?;
        // Exhaustive: a check the catalogue names and this misses does not compile.
        match Check::from_name(name) {
            Some(Check::OpenStore) => {
                self.report(0, 1, "Reading the store's header and folders");
                let (facts, summary) = open::open_store(&self.store)?;
                self.findings.store = Some(summary);
                Ok(facts)
            }
            Some(Check::CompareWithServer) => {
                let mut connection = self.take_connection()?;
                self.report(0, 0, "Reading folder counts and items on both sides");
                // A server that failed mid-way is signed in to afresh next time.
                let (facts, report, store_side) =
                    compare::compare_with_server(&self.store, &mut connection)?;
                self.connection = Some(connection);
                self.findings.comparison = Some(report);
                self.store_side = Some(store_side);
                self.cancelled()?;
                Ok(facts)
            }
            Some(Check::CheckStoreStructure) => {
                let scan = crate::store::check::check_store(&self.store, &mut self.work())
                    .map_err(|e| BackendError::new(e.to_string()))?;
                let facts = Facts::new()
                    .with("store.damaged", scan.is_damaged())
                    .with("store.problems", scan.problem_lines());
                self.findings.scan = Some(scan);
                Ok(facts)
            }
            Some(Check::DetectCachedMode) => Ok(profile::detect_cached_mode()),
            Some(Check::ReadSyncLogs) => {
                self.report(0, 0, "Reading the synchronization logs");
                let (facts, report, diagnoses) = logs::read_logs(&self.store, &mut self.work())?;
                self.cancelled()?;
                self.findings.sync_logs = Some(findings::SyncLogs {
                    report: report.clone(),
                    diagnoses,
                });
                self.sync_logs = Some(report);
                Ok(facts)
            }
            Some(Check::CheckStoreOwner) => {
                let account = self.account_address();
                logs::check_owner(&self.store, self.sync_logs.as_ref(), account)
            }
            Some(Check::OutlookRunning) => {
                let found =
                    crate::fix::outlook_running().map_err(|e| BackendError::new(e.to_string()))?;
                Ok(Facts::new()
                    .with("outlook.running", found.running)
                    .with("outlook.processes", found.processes))
            }
            Some(Check::FindExchangeSupportFiles) => {
                let found = crate::fix::find_exchange_support_files(&crate::fix::search_roots());
                let paths: Vec<String> = found
                    .found
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect();
                Ok(Facts::new()
                    .with("support_files.count", found.count as i64)
                    .with("support_files.found", paths))
            }
            None => Err(BackendError::new(format!("there is no check named {name}"))),
        }
    }

    fn plan_fix(&mut self, name: &str, _facts: &Facts) -> Result<FixPlan, BackendError> {
        self.cancelled()?;
        self.pending = None;
        self.report(0, 0, "Working out what the fix will do");
        self.open_journal()?;
        let Some(journal) = &self.journal else {
            return Err(BackendError::new("the journal of fixes is not open"));
        };
        let compared = match (&self.findings.comparison, &self.store_side) {
            (Some(report), Some(store_side)) => Some(Compared { report, store_side }),
            _ => None,
        };
        let export_to = self.export_folder();
        let (plan, pending) = fixes::plan(name, &self.store, &export_to, journal, compared)?;
        self.pending = Some((name.to_owned(), plan.clone(), pending));
        Ok(plan)
    }

    fn apply_fix(
        &mut self,
        name: &str,
        plan: &FixPlan,
        _facts: &Facts,
    ) -> Result<FixOutcome, BackendError> {
        let pending = match self.pending.take() {
            Some((planned, made, pending)) if planned == name && made == *plan => pending,
            _ => {
                return Err(BackendError::new(format!(
                    "the plan for {name} is not the one shown; plan it again"
                )));
            }
        };
        self.report(0, 0, "Applying the fix");
        let mut work = self.work();
        self.open_journal()?;
        let Some(journal) = &self.journal else {
            return Err(BackendError::new("the journal of fixes is not open"));
        };
        let facts = fixes::apply(name, pending, journal, &mut work)?;
        self.findings.actions.push(findings::ActionTaken {
            fix: name.to_owned(),
            actions: plan
                .actions
                .iter()
                .map(|a| a.describe(Language::English))
                .collect(),
        });
        Ok(FixOutcome {
            actions: plan.actions.clone(),
            facts,
        })
    }
}
