//! The window: a top bar (language, theme, size), then the start page or a walk. What
//! the person set is kept for the next run (see `remembered`).

use std::sync::Arc;

use eframe::egui::{self, RichText};

use super::page::{Bar, Edge};
use super::remembered::Remembered;
use super::start::{StartChoice, StartPage};
use super::walk::{Walk, WalkEvent};
use super::words::Words;
use crate::doctor::Doctor;
use crate::wizard::{Engine, Language, WizardSet};

/// The flow every walk starts with.
const ENTRY_FLOW: &str = "main";
pub const APP_ID: &str = "org.ostdoctor.OstDoctor";

pub enum Screen {
    /// Boxed, as the walk is: the screens differ much in size.
    Start(Box<StartPage>),
    Walk(Box<Walk>),
    /// The program cannot run: its own flows or words failed to load.
    Broken(String),
}

pub struct App {
    pub words: Option<Words>,
    pub wizards: Option<Arc<WizardSet>>,
    pub language: Language,
    pub dark: bool,
    pub zoom: f32,
    pub screen: Screen,
    /// Said once on the start page: fixes a crash cut off, settled at launch.
    pub notices: Vec<String>,
    /// Where the settings are kept between runs, and what was last written there. `None`
    /// (tests) keeps nothing.
    pub memory: Option<(std::path::PathBuf, Remembered)>,
}

impl App {
    pub fn new(ctx: &egui::Context) -> App {
        let mut app = App {
            words: None,
            wizards: None,
            language: Language::from_system(),
            dark: ctx.global_style().visuals.dark_mode,
            zoom: 1.0,
            screen: Screen::Start(Box::new(StartPage::new())),
            notices: Vec::new(),
            memory: None,
        };
        match (Words::builtin(), crate::wizard::builtin()) {
            (Ok(words), Ok(set)) => {
                app.words = Some(words);
                app.wizards = Some(Arc::new(set));
            }
            (Err(e), _) => app.screen = Screen::Broken(e),
            (_, Err(e)) => app.screen = Screen::Broken(e.to_string()),
        }
        app
    }

    /// Takes up what an earlier run kept in `path`, and keeps changes there from now on.
    pub fn remember_in(&mut self, path: std::path::PathBuf, kept: Remembered) {
        if let Some(language) = kept.language() {
            self.language = language;
        }
        if let Some(dark) = kept.dark {
            self.dark = dark;
        }
        if let Some(zoom) = kept.zoom.filter(|z| (0.5..=3.0).contains(z)) {
            self.zoom = zoom;
        }
        if let Screen::Start(page) = &mut self.screen {
            kept.fill_start(page);
        }
        self.memory = Some((path, kept));
    }

    /// Writes the settings when they changed: the language, theme and text size, the
    /// window's size once it is no longer being dragged, and the start page's choices
    /// when a walk begins.
    fn keep(&mut self, ctx: &egui::Context, starting: bool) {
        let Some((path, saved)) = &mut self.memory else {
            return;
        };
        let mut now = saved.clone();
        now.language = Some(self.language.code().to_owned());
        now.dark = Some(self.dark);
        now.zoom = Some(self.zoom);
        // The viewport reports its size in zoomed points; the window is opened in
        // unzoomed ones, so the size is kept unzoomed or a zoomed window would shrink
        // at every start.
        let zoom = ctx.zoom_factor();
        let (size, dragging) = ctx.input(|i| {
            (
                i.viewport()
                    .inner_rect
                    .map(|r| [(r.width() * zoom).round(), (r.height() * zoom).round()]),
                i.pointer.any_down(),
            )
        });
        if let Some(size) = size.filter(|_| !dragging) {
            now.window = Some(size);
        }
        if starting && let Screen::Start(page) = &self.screen {
            now.take_start(page);
        }
        if let Screen::Walk(walk) = &self.screen
            && let Some(folder) = walk.export_folder_chosen()
        {
            now.export_folder = Some(folder.display().to_string());
        }
        if now != *saved {
            if let Err(e) = now.save(path) {
                eprintln!("ostdoctor: {}: settings not kept: {e}", path.display());
            }
            *saved = now;
        }
    }

    /// Fills in the start page from the command line. The password comes from
    /// OSTDOCTOR_PASSWORD, as for the CLI, and is never shown.
    pub fn prefill(&mut self, prefill: super::Prefill) {
        if let Some(language) = prefill.language {
            self.language = language;
        }
        let Screen::Start(page) = &mut self.screen else {
            return;
        };
        if let Some(store) = prefill.store {
            page.path = store.display().to_string();
        }
        if let Some(url) = prefill.imap {
            page.mailbox.server = super::ServerChoice::Imap;
            page.mailbox.imap_url = url;
            page.mailbox.password = std::env::var("OSTDOCTOR_PASSWORD").unwrap_or_default();
        }
        if let Some(ca) = prefill.ca_file {
            page.mailbox.ca_file = ca.display().to_string();
        }
    }

    /// Begins a walk of the entry flow for the chosen store.
    pub fn start(&mut self, choice: StartChoice) {
        let Some(set) = &self.wizards else {
            return;
        };
        match Engine::new(Arc::clone(set), ENTRY_FLOW, self.language) {
            Ok(engine) => {
                let doctor = Doctor::new(choice.store).with_server(choice.server);
                // A folder chosen in an earlier run, while it can still hold a copy (a
                // disk taken away leaves the default).
                let export = self
                    .memory
                    .as_ref()
                    .and_then(|(_, kept)| kept.export_folder.as_ref())
                    .map(std::path::PathBuf::from)
                    .filter(|f| crate::doctor::check_export_folder(f).is_ok());
                let walk = Walk::new(engine, doctor, choice.mailbox).with_export_folder(export);
                self.screen = Screen::Walk(Box::new(walk));
            }
            Err(e) => self.screen = Screen::Broken(e.to_string()),
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        let Some(words) = &self.words else {
            return;
        };
        let lang = self.language;
        ui.horizontal(|ui| {
            ui.label(RichText::new("OST Doctor").strong().size(18.0));
            // The settings at the right end, laid out from left to right so that Tab visits
            // them in reading order: pushed right by the width they took last time.
            let id = egui::Id::unique("settings width");
            let width = ui.ctx().data(|d| d.get_temp::<f32>(id)).unwrap_or(0.0);
            ui.add_space((ui.available_width() - width).max(0.0));
            let settings = ui.horizontal(|ui| {
                let label = ui.label(words.language.get(lang));
                egui::ComboBox::from_id_salt("language")
                    .selected_text(self.language.native_name())
                    .show_ui(ui, |ui| {
                        for l in Language::ALL {
                            ui.selectable_value(&mut self.language, l, l.native_name());
                        }
                    })
                    .response
                    .labelled_by(label.id);
                ui.add_space(12.0);
                ui.label(words.theme.get(lang));
                ui.selectable_value(&mut self.dark, false, words.light.get(lang));
                ui.selectable_value(&mut self.dark, true, words.dark.get(lang));
                ui.add_space(12.0);
                let label = ui.label(words.text_size.get(lang));
                egui::ComboBox::from_id_salt("zoom")
                    .selected_text(format!("{}%", (self.zoom * 100.0).round()))
                    .show_ui(ui, |ui| {
                        for z in [1.0, 1.25, 1.5, 2.0] {
                            ui.selectable_value(&mut self.zoom, z, format!("{}%", z * 100.0));
                        }
                    })
                    .response
                    .labelled_by(label.id);
            });
            let drawn = settings.response.rect.width();
            if (drawn - width).abs() > 0.5 {
                ui.ctx().data_mut(|d| d.insert_temp(id, drawn));
                ui.ctx().request_discard("the settings' width changed");
            }
        });
    }

    /// Keyboard: Alt+Left goes back, Alt+Right goes on, as in a browser.
    fn keys(&mut self, ctx: &egui::Context) {
        let Screen::Walk(walk) = &mut self.screen else {
            return;
        };
        let (back, next) = ctx.input(|i| {
            (
                i.modifiers.alt && i.key_pressed(egui::Key::ArrowLeft),
                i.modifiers.alt && i.key_pressed(egui::Key::ArrowRight),
            )
        });
        if back {
            walk.back();
        }
        if next {
            walk.next();
        }
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        ctx.set_theme(if self.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        if (ctx.zoom_factor() - self.zoom).abs() > f32::EPSILON {
            ctx.set_zoom_factor(self.zoom);
        }
        self.keys(&ctx);
        // The page first and the bar above it after, for the keyboard's order (see Bar).
        let top_bar = Bar::reserve(ui, "top_bar", Edge::Top);
        let language = self.language;
        let mut choice = None;
        let mut start_over = false;
        top_bar.page(ui, |ui| match (&mut self.screen, &self.words) {
            (Screen::Start(page), Some(words)) => {
                let notices = &self.notices;
                super::page::central(ui, |ui| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        for notice in notices {
                            ui.colored_label(ui.visuals().warn_fg_color, notice);
                        }
                        choice = page.show(ui, words, language);
                    });
                });
            }
            (Screen::Walk(walk), Some(words)) => {
                walk.engine.set_language(language);
                start_over = matches!(walk.show(ui, words), Some(WalkEvent::StartOver));
                if walk.is_busy() {
                    // The spinner and the progress bar move while work runs.
                    ctx.request_repaint_after(std::time::Duration::from_millis(100));
                }
            }
            (Screen::Broken(message), _) => {
                let message = message.clone();
                super::page::central(ui, |ui| {
                    ui.colored_label(ui.visuals().error_fg_color, message);
                });
            }
            // Words missing means the screen is Broken (see `new`).
            (_, None) => {}
        });
        top_bar.show(ui, |ui| {
            ui.add_space(4.0);
            self.top_bar(ui);
            ui.add_space(4.0);
        });
        self.keep(&ctx, choice.is_some());
        if let Some(choice) = choice {
            self.start(choice);
        }
        if start_over {
            self.screen = Screen::Start(Box::new(StartPage::new()));
        }
    }
}
