//! "Test connection" beside the mailbox settings: signs in with the settings as typed, on a
//! worker thread, and says in place whether that worked (and how many folders the mailbox
//! shows) or, by its cause, why not, before a walk depends on it. A helpdesk puts a wrong
//! password or address right here instead of on a failure page halfway through.

use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::sync::{Arc, Mutex};

use eframe::egui::{self, RichText};

use super::mailbox::{MailboxForm, ServerChoice};
use super::words::Words;
use crate::doctor::ServerSettings;
use crate::doctor::link::cause_of;
use crate::server::graph::DeviceCodePrompt;
use crate::server::{ServerError, ServerErrorKind};
use crate::wizard::{Cause, Language};
use crate::work::CancelToken;

/// What the last test found.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    SignedIn {
        folders: usize,
    },
    /// The server could not be used: why, as the person can act on it, and the server
    /// layer's own words under it.
    Failed {
        cause: Cause,
        detail: String,
    },
    /// The settings themselves could not be used (a certificate file that cannot be read),
    /// already in the person's language.
    Unusable(String),
}

struct Running {
    done: Receiver<Option<Outcome>>,
    cancel: CancelToken,
    /// Microsoft's code and page, once its sign-in service has sent them.
    prompt: Arc<Mutex<Option<DeviceCodePrompt>>>,
}

#[derive(Default)]
pub struct ConnectionTest {
    running: Option<Running>,
    outcome: Option<Outcome>,
    /// The form as it stood when the test began: once it is edited, the test speaks of
    /// settings no longer shown, so it is dropped.
    tested: Option<MailboxForm>,
}

impl Drop for ConnectionTest {
    /// A page left while a test runs (Start pressed, the walk ended) stops the test; it
    /// is never waited for.
    fn drop(&mut self) {
        self.stop();
    }
}

impl ConnectionTest {
    /// The button, and under it the test's progress or result, for `form` as it is now.
    pub fn show(&mut self, ui: &mut egui::Ui, form: &MailboxForm, words: &Words, lang: Language) {
        self.take_in();
        let edited = self
            .tested
            .as_ref()
            .is_some_and(|tested| !tested.same_settings(form));
        if edited || form.server == ServerChoice::None {
            self.stop();
            self.outcome = None;
            self.tested = None;
        }
        if form.server == ServerChoice::None {
            return;
        }
        ui.horizontal(|ui| {
            if self.running.is_some() {
                ui.spinner();
                ui.label(words.testing_connection.get(lang));
                if ui.button(words.cancel.get(lang)).clicked() {
                    self.stop();
                    self.tested = None;
                }
            } else if ui.button(words.test_connection.get(lang)).clicked() {
                self.start(form, words, lang, ui.ctx());
            }
        });
        if let Some(running) = &self.running {
            let prompt = running.prompt.lock().map(|p| p.clone()).unwrap_or_default();
            if let Some(prompt) = prompt {
                show_prompt(ui, &prompt, words, lang);
            }
        }
        match &self.outcome {
            None => {}
            Some(Outcome::SignedIn { folders }) => {
                ui.label(
                    RichText::new(format!("{} {folders}", words.connection_works.get(lang)))
                        .strong(),
                );
            }
            Some(Outcome::Failed { cause, detail }) => {
                let (headline, to_do) = words.cause(*cause);
                ui.label(
                    RichText::new(headline.get(lang))
                        .strong()
                        .color(ui.visuals().error_fg_color),
                );
                ui.label(to_do.get(lang));
                ui.label(RichText::new(detail).weak());
            }
            Some(Outcome::Unusable(why)) => {
                ui.colored_label(ui.visuals().error_fg_color, why);
            }
        }
    }

    /// Signs in on a worker thread with the settings built as the walk builds them.
    fn start(&mut self, form: &MailboxForm, words: &Words, lang: Language, ctx: &egui::Context) {
        self.stop();
        self.tested = Some(form.clone());
        let settings = match form.settings(words, lang) {
            Ok(Some(settings)) => settings,
            // The form has no mailbox chosen: `show` offers no button then.
            Ok(None) => return,
            Err(why) => {
                self.outcome = Some(Outcome::Unusable(why));
                return;
            }
        };
        self.outcome = None;
        let (send, done) = channel();
        let cancel = CancelToken::new();
        let prompt = Arc::new(Mutex::new(None));
        let (token, shown, ctx) = (cancel.clone(), Arc::clone(&prompt), ctx.clone());
        std::thread::spawn(move || {
            let outcome = match sign_in(&settings, &shown, &token, &ctx) {
                Ok(folders) => Some(Outcome::SignedIn { folders }),
                // Stopped by the person: there is nothing to say.
                Err(e) if matches!(e.kind, ServerErrorKind::Cancelled(_)) => None,
                Err(e) => Some(Outcome::Failed {
                    cause: cause_of(&e.kind),
                    detail: e.to_string(),
                }),
            };
            // Nobody listens once the test was stopped; that is no failure.
            let _ = send.send(outcome);
            ctx.request_repaint();
        });
        self.running = Some(Running {
            done,
            cancel,
            prompt,
        });
    }

    /// Takes in a test that has ended.
    fn take_in(&mut self) {
        let Some(running) = &self.running else {
            return;
        };
        match running.done.try_recv() {
            Err(TryRecvError::Empty) => {}
            Ok(outcome) => {
                self.outcome = outcome;
                self.running = None;
            }
            // The worker died without a word (it cannot panic by design, but a window
            // must not wait for ever on it).
            Err(TryRecvError::Disconnected) => self.running = None,
        }
    }

    /// Stops a running test without waiting: an IMAP server that accepted and then says
    /// nothing holds its worker until the timeout, but no longer the window. Microsoft's
    /// sign-in stops waiting for the person at once.
    fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.cancel.cancel();
        }
    }
}

/// Signs in, and lists the folders: the one question every server answers, and proof
/// that the mailbox can be read, not only that the password was taken.
fn sign_in(
    settings: &ServerSettings,
    shown: &Mutex<Option<DeviceCodePrompt>>,
    cancel: &CancelToken,
    ctx: &egui::Context,
) -> Result<usize, ServerError> {
    let mut prompt = |p: &DeviceCodePrompt| {
        if let Ok(mut shown) = shown.lock() {
            *shown = Some(p.clone());
        }
        ctx.request_repaint();
    };
    let mut connection = settings.connect(&mut prompt, cancel)?;
    Ok(connection.server().list_folders()?.len())
}

/// Microsoft's code and where to enter it; the page and the code can be selected and copied.
fn show_prompt(ui: &mut egui::Ui, prompt: &DeviceCodePrompt, words: &Words, lang: Language) {
    ui.label(words.sign_in_code.get(lang));
    ui.horizontal(|ui| {
        ui.hyperlink(&prompt.verification_uri);
        ui.label(RichText::new(&prompt.user_code).strong().monospace());
    });
}
