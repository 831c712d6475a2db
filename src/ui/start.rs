//! The start page: which store to examine (found in Outlook's folders, picked in a file
//! dialog, or typed), and optionally the mailbox to compare it with.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

use eframe::egui::{self, RichText};

use super::connection::ConnectionTest;
pub use super::mailbox::{MailboxForm, ServerChoice};
use super::words::Words;
use crate::doctor::ServerSettings;
use crate::doctor::discover::{FoundStore, outlook_folders, stores_in};
use crate::wizard::Language;

/// What the person chose: the walk starts with these.
pub struct StartChoice {
    pub store: PathBuf,
    pub server: Option<ServerSettings>,
    /// The form as filled in, which the walk keeps for changes on the way.
    pub mailbox: MailboxForm,
}

#[derive(Default)]
pub struct StartPage {
    pub found: Vec<FoundStore>,
    pub path: String,
    pub mailbox: MailboxForm,
    /// "Test connection" for the mailbox as typed.
    connection: ConnectionTest,
    picker: Option<Receiver<Option<PathBuf>>>,
    error: Option<String>,
    /// Whether the system can show a file dialog; a field so tests can say no.
    pub file_dialog: FileDialog,
    /// Set when Open store… had no dialog to show: the message stays up and the typed path
    /// field takes the focus once.
    no_dialog: bool,
    focus_path: bool,
    /// Enter was pressed in the path field.
    enter: bool,
}

/// How the start page learns whether a file dialog can be shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FileDialog {
    /// Ask the system (see [`file_dialog_available`]).
    #[default]
    System,
    /// There is none (tests).
    Unavailable,
}

/// Windows and macOS always have one. Elsewhere the dialog comes from the desktop portal
/// (xdg-desktop-portal over the session bus) or, failing that, from zenity; with
/// neither, the dialog library returns at once as if cancelled, and the person would see
/// nothing happen.
pub fn file_dialog_available() -> bool {
    if cfg!(any(windows, target_os = "macos")) {
        return true;
    }
    let on_path = |program: &str| {
        std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| dir.join(program).is_file())
        })
    };
    let portal = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        && [
            "/usr/libexec/xdg-desktop-portal",
            "/usr/lib/xdg-desktop-portal",
        ]
        .iter()
        .any(|p| std::path::Path::new(p).is_file());
    portal || on_path("zenity")
}

impl StartPage {
    pub fn new() -> Self {
        StartPage {
            found: stores_in(&outlook_folders()),
            mailbox: MailboxForm::new(),
            ..StartPage::default()
        }
    }

    /// Opens the system's file dialog on its own thread, so the window keeps drawing.
    /// Where there is no dialog service, it comes back empty, as if cancelled: the typed
    /// path is always there as well.
    fn open_picker(&mut self, ctx: &egui::Context) {
        let (send, recv) = channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let picked = rfd::FileDialog::new()
                .set_title("Open an Outlook data file")
                .add_filter("Outlook data files", &["ost", "pst"])
                .add_filter("All files", &["*"])
                .pick_file();
            let _ = send.send(picked);
            ctx.request_repaint();
        });
        self.picker = Some(recv);
    }

    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        words: &Words,
        lang: Language,
    ) -> Option<StartChoice> {
        if let Some(recv) = &self.picker
            && let Ok(picked) = recv.try_recv()
        {
            if let Some(path) = picked {
                self.path = path.display().to_string();
                self.error = None;
            }
            self.picker = None;
        }
        ui.heading(RichText::new(words.start_heading.get(lang)).size(24.0));
        ui.add_space(4.0);
        ui.label(RichText::new(words.start_intro.get(lang)).size(15.0));
        ui.add_space(14.0);
        egui::Frame::group(ui.style())
            .inner_margin(12)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                self.store_choice(ui, words, lang);
            });
        ui.add_space(14.0);
        egui::Frame::group(ui.style())
            .inner_margin(12)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                self.server_choice(ui, words, lang);
            });
        ui.add_space(14.0);
        if let Some(error) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        let start = ui.add(
            egui::Button::new(RichText::new(words.start.get(lang)).strong().size(16.0))
                .min_size(egui::vec2(120.0, 32.0)),
        );
        if start.clicked() || std::mem::take(&mut self.enter) {
            return self.choice(words, lang);
        }
        None
    }

    fn store_choice(&mut self, ui: &mut egui::Ui, words: &Words, lang: Language) {
        if self.found.is_empty() {
            ui.label(words.none_found.get(lang));
        } else {
            ui.label(RichText::new(words.found_stores.get(lang)).strong());
            for store in &self.found {
                let shown = store.path.display().to_string();
                let line = format!("{shown}   ({})", megabytes(store.size));
                if ui.selectable_label(self.path == shown, line).clicked() {
                    self.path = shown;
                    self.error = None;
                }
            }
        }
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let picking = self.picker.is_some();
            if ui
                .add_enabled(!picking, egui::Button::new(words.open_store.get(lang)))
                .clicked()
            {
                let available = match self.file_dialog {
                    FileDialog::System => file_dialog_available(),
                    FileDialog::Unavailable => false,
                };
                if available {
                    self.open_picker(ui.ctx());
                } else {
                    self.no_dialog = true;
                    self.focus_path = true;
                }
            }
            if picking {
                ui.spinner();
            }
        });
        if self.no_dialog {
            ui.label(RichText::new(words.no_file_dialog.get(lang)).strong());
        }
        ui.horizontal(|ui| {
            let label = ui.label(words.typed_path.get(lang));
            let field = ui
                .add(egui::TextEdit::singleline(&mut self.path).desired_width(560.0))
                .labelled_by(label.id);
            if std::mem::take(&mut self.focus_path) {
                field.request_focus();
            }
            // Enter in the path field starts, as the Start button does.
            if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                self.enter = true;
            }
        });
    }

    fn server_choice(&mut self, ui: &mut egui::Ui, words: &Words, lang: Language) {
        ui.label(RichText::new(words.mailbox_heading.get(lang)).strong());
        ui.label(words.mailbox_intro.get(lang));
        self.mailbox.show(ui, words, lang);
        ui.add_space(6.0);
        self.connection.show(ui, &self.mailbox, words, lang);
    }

    fn choice(&mut self, words: &Words, lang: Language) -> Option<StartChoice> {
        let path = PathBuf::from(self.path.trim());
        if self.path.trim().is_empty() {
            self.error = Some(words.choose_first.get(lang).to_owned());
            return None;
        }
        if !path.is_file() {
            self.error = Some(format!(
                "{} {}",
                words.no_such_file.get(lang),
                path.display()
            ));
            return None;
        }
        let server = match self.mailbox.settings(words, lang) {
            Ok(server) => server,
            Err(e) => {
                self.error = Some(e);
                return None;
            }
        };
        self.error = None;
        Some(StartChoice {
            store: path,
            server,
            mailbox: self.mailbox.clone(),
        })
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}
