//! One walk through the flows: the current page's text, and what it asks for (an answer,
//! a check in progress, a statistics view, a fix to confirm, a result), with Back, Next
//! and Cancel. The engine decides where to go; this only shows it and passes on choices.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use eframe::egui::{self, RichText};

use super::connection::ConnectionTest;
use super::export_folder::ExportFolder;
use super::folder_table::TableState;
use super::health::Health;
use super::job::Job;
use super::mailbox::{Field, MailboxForm};
use super::page::{Bar, Edge};
use super::views;
use super::words::Words;
use crate::doctor::report::SessionReport;
use crate::doctor::{Doctor, Findings};
use crate::time::Timestamp;
use crate::wizard::{Body, Cause, Engine, Fix, Outcome, PageView, Via};

/// Back, Next, Apply and Cancel are large enough to hit without aiming.
const BUTTON: egui::Vec2 = egui::vec2(96.0, 30.0);

/// What the person did on this frame that the app must act on.
pub enum WalkEvent {
    StartOver,
}

pub struct Walk {
    pub engine: Engine,
    doctor: Arc<Mutex<Doctor>>,
    store: PathBuf,
    job: Option<Job>,
    findings: Findings,
    chosen: Option<String>,
    table: TableState,
    /// A problem the walk itself ran into (not a backend finding), shown on the page.
    trouble: Option<String>,
    saved: Option<String>,
    /// The saved report's page, for Open report and Open folder.
    saved_html: Option<PathBuf>,
    /// Checks are run once on arrival; after a failure they wait for "Try again".
    held: bool,
    /// The mailbox settings as typed on the start page, changeable on every page.
    mailbox: MailboxForm,
    /// Said once new settings were taken.
    mailbox_note: Option<String>,
    /// "Test connection" for the settings as changed here, before they are used.
    connection: ConnectionTest,
    /// The mailbox settings are to unfold on the next frame (a failure page's button).
    open_mailbox: bool,
    /// The structure check started with the walk; `None` until the first frame.
    health: Option<Health>,
    /// The page whose first answer was given the keyboard, so that it is given once per
    /// visit: a person on the keyboard answers with Space and moves on with Tab, without
    /// first tabbing through the bar above the page.
    keyboard_on: Option<String>,
    /// Where a fix's copy is saved, changeable on the page that plans it.
    pub export: ExportFolder,
    /// The folder the doctor saves copies in now.
    export_to: PathBuf,
}

impl Walk {
    pub fn new(engine: Engine, doctor: Doctor, mailbox: MailboxForm) -> Self {
        let store = doctor.store_path().to_path_buf();
        let export_to = doctor.export_folder();
        Walk {
            engine,
            doctor: Arc::new(Mutex::new(doctor)),
            store,
            job: None,
            findings: Findings::default(),
            chosen: None,
            table: TableState::default(),
            trouble: None,
            saved: None,
            saved_html: None,
            held: false,
            mailbox,
            mailbox_note: None,
            connection: ConnectionTest::default(),
            open_mailbox: false,
            health: None,
            keyboard_on: None,
            export: ExportFolder::default(),
            export_to,
        }
    }

    /// Saves copies in `folder` (one chosen in an earlier run) instead of the default.
    pub fn with_export_folder(mut self, folder: Option<PathBuf>) -> Self {
        if let Some(folder) = folder {
            if let Ok(mut doctor) = self.doctor.lock() {
                doctor.set_export_folder(Some(folder.clone()));
            }
            self.export_to = folder.clone();
            self.export = ExportFolder::new(Some(folder));
        }
        self
    }

    /// The folder the person chose for copies, to keep for the next run.
    pub fn export_folder_chosen(&self) -> Option<&std::path::Path> {
        self.export.chosen.as_deref()
    }

    /// Takes a new folder for the copy and plans the fix again, so that the plan shown,
    /// and the one applied, name it. Leaving the fix page and coming back plans it
    /// afresh, and leaves no trace in the way taken.
    fn export_to(&mut self, folder: PathBuf) {
        if let Ok(mut doctor) = self.doctor.lock() {
            doctor.set_export_folder(Some(folder.clone()));
        }
        self.export_to = folder;
        if let Some(into) = self.failed_export() {
            // On the page a failed copy led to: back to the page before the copy's, and
            // the same move again, which plans the copy afresh.
            self.engine.back();
            let r = match into {
                Via::Answer(id) => self.engine.answer(&id),
                _ => self.engine.go_on(),
            };
            self.go(r);
            return;
        }
        match self.engine.cancel() {
            Ok(()) => {
                self.engine.back();
                self.go(Ok(()));
            }
            Err(e) => self.go(Err(e)),
        }
    }

    /// Whether the walk stands where a copy's failed plan or write led (a folder that
    /// filled up or went away): the move into the copy's page when so, so that the page
    /// can offer another folder and go back to the copy with it.
    fn failed_export(&self) -> Option<Via> {
        let [.., into, failed] = self.engine.trail() else {
            return None;
        };
        if failed.via != Via::FixFailed
            || failed.to != self.engine.page_id()
            || into.to != failed.from
            || !matches!(into.via, Via::Answer(_) | Via::Next)
            || !self.engine.can_go_back()
        {
            return None;
        }
        let set = self.engine.wizards();
        let page = set.page(set.find(&failed.from)?);
        let crate::wizard::schema::Step::Fix { fix, .. } = &page.step else {
            return None;
        };
        matches!(
            Fix::from_name(fix),
            Some(Fix::ExportLocalItems | Fix::ExportStoreToPst)
        )
        .then(|| into.via.clone())
    }

    /// The mailbox settings, folded away under the page: changed here, they serve the
    /// next comparison (a failed one offers Try again), and nothing else typed is lost.
    fn mailbox_settings(
        &mut self,
        ui: &mut egui::Ui,
        words: &Words,
        lang: crate::wizard::Language,
    ) {
        ui.add_space(18.0);
        // Unfolded when a failure page's button asks; otherwise left as the person left it.
        let open = std::mem::take(&mut self.open_mailbox).then_some(true);
        egui::CollapsingHeader::new(words.mailbox_settings.get(lang))
            .id_salt("mailbox_settings")
            .open(open)
            .show(ui, |ui| {
                self.mailbox.show(ui, words, lang);
                let idle = self.job.is_none();
                if ui
                    .add_enabled(idle, egui::Button::new(words.use_settings.get(lang)))
                    .clicked()
                {
                    match self.mailbox.settings(words, lang) {
                        Ok(server) => {
                            if let Ok(mut doctor) = self.doctor.lock() {
                                doctor.set_server(server);
                            }
                            self.mailbox_note = Some(words.settings_used.get(lang).to_owned());
                        }
                        Err(e) => self.mailbox_note = Some(e),
                    }
                }
                if let Some(note) = &self.mailbox_note {
                    ui.label(note);
                }
                ui.add_space(6.0);
                self.connection.show(ui, &self.mailbox, words, lang);
            });
    }

    pub fn is_busy(&self) -> bool {
        self.job.is_some()
    }

    pub fn findings(&self) -> &Findings {
        &self.findings
    }

    /// The answer chosen on the question the walk stands on, by its id, before Next.
    pub fn chosen(&self) -> Option<&str> {
        self.chosen.as_deref()
    }

    /// Starts the work the page needs, and takes in work that has ended.
    fn drive(&mut self, ctx: &egui::Context) {
        if let Some(job) = &self.job {
            // A cancelled check or plan need not be waited for (a server may take its
            // whole timeout to answer): the walk goes on as if it had failed.
            let reply = match job.poll() {
                None if job.is_cancelling() && job.detachable => {
                    Some(Ok(stopped(self.engine.request())))
                }
                other => other,
            };
            match reply {
                None => return,
                Some(Ok(done)) => {
                    if let Some(findings) = done.findings {
                        self.findings = findings;
                    }
                    let page = self.engine.at();
                    if let Err(e) = self.engine.complete(done.reply) {
                        self.trouble = Some(e.to_string());
                    }
                    // A failed check or plan with no exit for failure stays on its page
                    // until asked to retry; one that has an exit has moved on.
                    self.held = self.engine.at() == page && self.engine.error().is_some();
                }
                Some(Err(e)) => {
                    self.trouble = Some(e);
                    self.held = true;
                }
            }
            self.job = None;
            self.chosen = None;
        }
        if !self.held
            && let Some(request) = self.engine.request()
        {
            self.job = Some(Job::spawn(&self.doctor, request, ctx));
        }
    }

    fn go(&mut self, result: Result<(), crate::wizard::EngineError>) {
        match result {
            Ok(()) => {
                self.trouble = None;
                self.held = false;
                self.chosen = None;
                self.saved = None;
            }
            Err(e) => self.trouble = Some(e.to_string()),
        }
    }

    pub fn back(&mut self) {
        if !self.is_busy() && self.engine.back() {
            self.go(Ok(()));
        }
    }

    /// The page's forward move, when it has one that needs no further choice.
    pub fn next(&mut self) {
        if self.is_busy() {
            return;
        }
        match self.engine.view().body {
            Body::Question { .. } => {
                if let Some(id) = self.chosen.clone() {
                    let r = self.engine.answer(&id);
                    self.go(r);
                }
            }
            Body::Statistics { .. } => {
                let r = self.engine.go_on();
                self.go(r);
            }
            _ => {}
        }
    }

    pub fn show(&mut self, ui: &mut egui::Ui, words: &Words) -> Option<WalkEvent> {
        self.drive(ui.ctx());
        let lang = self.engine.language();
        let view = self.engine.view();
        let mut event = None;

        // Back and Next after the page, for the keyboard's order (see Bar).
        let buttons = Bar::reserve(ui, "walk_buttons", Edge::Bottom);
        if self.health.is_none() {
            self.health = Some(Health::start(self.store.clone(), ui.ctx()));
        }
        buttons.page(ui, |ui| {
            super::page::central(ui, |ui| {
                // The page scrolls where the window is too short for it (200% on a laptop);
                // each page from its top.
                egui::ScrollArea::vertical()
                    .id_salt(("page", view.id.as_str()))
                    .auto_shrink([false, true])
                    .show(ui, |ui| self.page(ui, &view, words));
            });
        });
        buttons.show(ui, |ui| {
            ui.add_space(10.0);
            ui.horizontal(|ui| {
                let back = ui.add_enabled(
                    self.engine.can_go_back() && !self.is_busy(),
                    egui::Button::new(format!("‹ {}", words.back.get(lang))).min_size(BUTTON),
                );
                if back.clicked() {
                    self.back();
                }
                // At the row's end, and in reading order for Tab (see row_end).
                event = super::row_end::at_end(ui, "walk_forward", |ui| {
                    self.forward_buttons(ui, &view, words)
                });
            });
            ui.add_space(10.0);
        });

        event
    }

    /// The page's own part: its text, what it asks for, and the mailbox settings.
    fn page(&mut self, ui: &mut egui::Ui, view: &PageView, words: &Words) {
        let lang = self.engine.language();
        if let Some(health) = &mut self.health {
            health.show(ui, &view.id, words, lang);
        }
        ui.label(RichText::new(&view.flow_title).weak());
        if let Some(cause) = self.failure_cause() {
            // A result page has no mailbox settings under it to send the person to.
            let settings_below = !matches!(view.body, Body::Result { .. });
            self.cause_headline(ui, cause, words, settings_below);
        }
        ui.heading(RichText::new(&view.title).size(24.0));
        ui.add_space(8.0);
        ui.label(RichText::new(&view.text).size(15.0));
        ui.add_space(14.0);
        if let Some(error) = view.error.as_ref().or(self.trouble.as_ref()) {
            ui.colored_label(ui.visuals().error_fg_color, error);
            ui.add_space(6.0);
        }
        // Reached because a check failed (a wrong password, a server down): once the
        // cause is put right, the check runs again from here.
        if self.job.is_none()
            && self.engine.can_retry()
            && ui.button(words.try_again.get(lang)).clicked()
        {
            let r = self.engine.retry();
            self.go(r);
        }
        if let Some(job) = &self.job {
            show_progress(ui, job, words, lang);
            return;
        }
        self.body(ui, view, words);
        if !matches!(view.body, Body::Result { .. }) {
            self.mailbox_settings(ui, words, lang);
        }
    }

    /// Why the mailbox server failed, on a page that offers Try again for it (reached
    /// through the failed check, or held on the check's own page).
    fn failure_cause(&self) -> Option<Cause> {
        if self.job.is_some() || !(self.engine.can_retry() || self.held) {
            return None;
        }
        self.engine.error().and_then(|e| e.cause)
    }

    /// The failure named at a glance, what to do about it, and a button to the field
    /// that puts it right.
    fn cause_headline(
        &mut self,
        ui: &mut egui::Ui,
        cause: Cause,
        words: &Words,
        settings_below: bool,
    ) {
        let lang = self.engine.language();
        let (headline, to_do) = words.cause(cause);
        ui.add_space(4.0);
        ui.label(
            RichText::new(headline.get(lang))
                .heading()
                .strong()
                .color(ui.visuals().error_fg_color),
        );
        ui.label(to_do.get(lang));
        let field = self.mailbox.field_for(cause);
        let label = field.map_or(&words.open_settings, |f| Field::button(f, words));
        if settings_below && ui.button(label.get(lang)).clicked() {
            self.open_mailbox = true;
            if let Some(field) = field {
                self.mailbox.focus(field);
            }
        }
        ui.add_space(10.0);
    }

    fn body(&mut self, ui: &mut egui::Ui, view: &PageView, words: &Words) {
        let lang = self.engine.language();
        match &view.body {
            Body::Question { answers } => {
                let arrived = self.keyboard_on.as_deref() != Some(view.id.as_str());
                for (i, choice) in answers.iter().enumerate() {
                    let picked = self.chosen.as_deref() == Some(choice.id.as_str());
                    let answer = ui.radio(picked, &choice.label);
                    if i == 0 && arrived {
                        answer.request_focus();
                        self.keyboard_on = Some(view.id.clone());
                    }
                    if answer.clicked() {
                        self.chosen = Some(choice.id.clone());
                    }
                }
                // A copy that failed for its folder: another folder, and the copy again.
                if self.failed_export().is_some()
                    && let Some(folder) = self.export.show(ui, &self.export_to, true, words, lang)
                {
                    self.export_to(folder);
                }
            }
            Body::Statistics { view: name } => {
                views::show(ui, name, &self.findings, &mut self.table, words, lang);
            }
            Body::Fix {
                fix,
                plan: Some(plan),
                confirmed,
            } => {
                ui.label(RichText::new(words.plan_heading.get(lang)).strong());
                if plan.is_empty() {
                    ui.label(words.plan_empty.get(lang));
                }
                for line in plan {
                    ui.label(format!("•  {line}"));
                }
                let copies = matches!(
                    Fix::from_name(fix),
                    Some(Fix::ExportLocalItems | Fix::ExportStoreToPst)
                );
                if copies
                    && !confirmed
                    && let Some(folder) = self.export.show(ui, &self.export_to, false, words, lang)
                {
                    self.export_to(folder);
                }
            }
            Body::Result { outcome } => {
                let word = match outcome {
                    Outcome::Healthy => &words.healthy,
                    Outcome::Fixed => &words.fixed,
                    Outcome::Stopped => &words.stopped,
                    Outcome::Unresolved => &words.unresolved,
                };
                ui.label(RichText::new(word.get(lang)).heading().strong());
                if let Some(saved) = &self.saved {
                    ui.add_space(8.0);
                    ui.label(format!("{} {saved}", words.report_saved.get(lang)));
                }
                if let Some(html) = self.saved_html.clone() {
                    ui.horizontal(|ui| {
                        if ui.button(words.open_report.get(lang)).clicked() {
                            self.open(&html, words, lang);
                        }
                        if let Some(folder) = html.parent()
                            && ui.button(words.open_folder.get(lang)).clicked()
                        {
                            self.open(folder, words, lang);
                        }
                    });
                }
            }
            Body::Check { .. } | Body::Fix { .. } => {}
        }
    }

    fn forward_buttons(
        &mut self,
        ui: &mut egui::Ui,
        view: &PageView,
        words: &Words,
    ) -> Option<WalkEvent> {
        let lang = self.engine.language();
        if let Some(job) = &self.job {
            let label = if job.is_cancelling() {
                words.stopping.get(lang)
            } else {
                words.cancel.get(lang)
            };
            if ui
                .add_enabled(
                    !job.is_cancelling(),
                    egui::Button::new(label).min_size(BUTTON),
                )
                .clicked()
            {
                job.cancel();
            }
            return None;
        }
        match &view.body {
            Body::Question { .. } => {
                let next = ui.add_enabled(
                    self.chosen.is_some(),
                    egui::Button::new(format!("{} ›", words.next.get(lang))).min_size(BUTTON),
                );
                if next.clicked() {
                    self.next();
                }
            }
            Body::Statistics { .. } => {
                if ui
                    .add(egui::Button::new(format!("{} ›", words.next.get(lang))).min_size(BUTTON))
                    .clicked()
                {
                    self.next();
                }
            }
            Body::Check { .. } => {
                if self.held
                    && ui
                        .add(egui::Button::new(words.try_again.get(lang)).min_size(BUTTON))
                        .clicked()
                {
                    self.go(Ok(()));
                }
            }
            Body::Fix {
                plan: Some(_),
                confirmed: false,
                ..
            } => {
                if ui
                    .add(egui::Button::new(words.cancel.get(lang)).min_size(BUTTON))
                    .clicked()
                {
                    let r = self.engine.cancel();
                    self.go(r);
                }
                let apply = egui::Button::new(RichText::new(words.apply.get(lang)).strong());
                if ui.add(apply.min_size(BUTTON)).clicked() {
                    let r = self.engine.confirm();
                    self.go(r);
                }
            }
            Body::Fix { .. } => {
                if self.held
                    && ui
                        .add(egui::Button::new(words.try_again.get(lang)).min_size(BUTTON))
                        .clicked()
                {
                    self.go(Ok(()));
                }
                if ui
                    .add(egui::Button::new(words.cancel.get(lang)).min_size(BUTTON))
                    .clicked()
                {
                    let r = self.engine.cancel();
                    self.go(r);
                }
            }
            Body::Result { .. } => {
                if ui
                    .add(egui::Button::new(words.save_report.get(lang)).min_size(BUTTON))
                    .clicked()
                {
                    self.save_report();
                }
                if ui
                    .add(egui::Button::new(words.start_over.get(lang)).min_size(BUTTON))
                    .clicked()
                {
                    return Some(WalkEvent::StartOver);
                }
            }
        }
        None
    }

    pub fn report(&self) -> SessionReport {
        SessionReport::new(&self.engine, &self.store, &self.findings, Timestamp::now())
    }

    /// Opens the report or its folder in the desktop's own program; says so when that
    /// cannot be started, naming the path, so the person can open it by hand.
    fn open(&mut self, path: &std::path::Path, words: &Words, lang: crate::wizard::Language) {
        self.trouble = super::open::open(path)
            .err()
            .map(|e| format!("{} {}: {e}", words.cannot_open.get(lang), path.display()));
    }

    fn save_report(&mut self) {
        let dir = report_folder();
        match self.report().save(&dir) {
            Ok((html, json)) => {
                self.saved = Some(format!("{}, {}", html.display(), json.display()));
                self.saved_html = Some(html);
                self.trouble = None;
            }
            Err(e) => self.trouble = Some(format!("{}: {e}", dir.display())),
        }
    }
}

/// The reply to a request the person cancelled; the findings stay as they were.
fn stopped(request: Option<crate::wizard::Request>) -> super::job::Done {
    use crate::wizard::{BackendError, Reply, Request};
    let error = BackendError::cancelled("Stopped: you pressed Cancel.");
    let reply = match request {
        Some(Request::PlanFix { .. }) => Reply::Plan(Err(error)),
        _ => Reply::Check(Err(error)),
    };
    super::job::Done {
        reply,
        findings: None,
    }
}

/// Reports go to Documents/OST Doctor (or the home folder), where a person finds them to
/// attach to a ticket; `OSTDOCTOR_REPORT_DIR` overrides it.
pub(super) fn report_folder() -> PathBuf {
    if let Some(dir) = std::env::var_os("OSTDOCTOR_REPORT_DIR") {
        return PathBuf::from(dir);
    }
    let user = directories::UserDirs::new();
    let base = user
        .as_ref()
        .and_then(|u| u.document_dir().map(|d| d.to_path_buf()))
        .or_else(|| user.as_ref().map(|u| u.home_dir().to_path_buf()))
        .unwrap_or_else(std::env::temp_dir);
    base.join("OST Doctor")
}

fn show_progress(ui: &mut egui::Ui, job: &Job, words: &Words, lang: crate::wizard::Language) {
    let progress = job.progress();
    ui.horizontal(|ui| {
        ui.spinner();
        let doing = if progress.doing.is_empty() {
            words.working.get(lang).to_owned()
        } else {
            words.progress_in(&progress.doing, lang)
        };
        ui.label(doing);
    });
    let bar = match progress.fraction {
        Some(f) => egui::ProgressBar::new(f).show_percentage(),
        None => egui::ProgressBar::new(0.0).animate(true),
    };
    ui.add(bar.desired_width(480.0));
}
