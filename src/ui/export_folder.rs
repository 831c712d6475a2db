//! Where a fix's copy (.pst) is saved, on the page that plans it: the folder in full, a
//! Change… button for the system's folder dialog, and a typed path for when there is no
//! dialog (or the person prefers to paste one). A folder is taken only once it can hold
//! the copy; the walk then plans the fix again for it.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};

use eframe::egui::{self, RichText};

use super::start::{FileDialog, file_dialog_available};
use super::words::Words;
use crate::wizard::Language;

#[derive(Default)]
pub struct ExportFolder {
    /// The folder the person chose in this walk (kept for the next run), if any.
    pub chosen: Option<PathBuf>,
    /// The typed path, filled with the folder in use until the person changes it.
    typed: Option<String>,
    picker: Option<Receiver<Option<PathBuf>>>,
    /// Whether the system can show a folder dialog; a field so tests can say no.
    pub file_dialog: FileDialog,
    /// Change… had no dialog to show: the message stays and the typed field takes the
    /// keyboard once.
    no_dialog: bool,
    focus: bool,
    /// Why the folder last offered cannot hold the copy, in the page's language.
    problem: Option<String>,
}

impl ExportFolder {
    pub fn new(chosen: Option<PathBuf>) -> Self {
        ExportFolder {
            chosen,
            ..ExportFolder::default()
        }
    }

    fn open_picker(&mut self, ctx: &egui::Context, from: &Path) {
        let (send, recv) = channel();
        let ctx = ctx.clone();
        let from = from.to_path_buf();
        std::thread::spawn(move || {
            // A folder not made yet cannot be opened in the dialog: the one above it can.
            let start = from.ancestors().find(|d| d.is_dir()).map(Path::to_path_buf);
            let mut dialog =
                rfd::FileDialog::new().set_title("Choose the folder for the copy (.pst)");
            if let Some(start) = start {
                dialog = dialog.set_directory(start);
            }
            let _ = send.send(dialog.pick_folder());
            ctx.request_repaint();
        });
        self.picker = Some(recv);
    }

    /// Shows the folder in use (`current`) and the ways to change it. Returns a folder
    /// the person chose that can hold the copy; `current` itself only when `again` (after
    /// a failure, once space was freed).
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        current: &Path,
        again: bool,
        words: &Words,
        lang: Language,
    ) -> Option<PathBuf> {
        let mut offered = None;
        if let Some(recv) = &self.picker
            && let Ok(picked) = recv.try_recv()
        {
            offered = picked;
            self.picker = None;
        }
        ui.add_space(10.0);
        egui::Frame::group(ui.style())
            .inner_margin(10)
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(RichText::new(words.export_folder.get(lang)).strong());
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(current.display().to_string()).monospace());
                    let picking = self.picker.is_some();
                    if ui
                        .add_enabled(!picking, egui::Button::new(words.change_folder.get(lang)))
                        .clicked()
                    {
                        let available = match self.file_dialog {
                            FileDialog::System => file_dialog_available(),
                            FileDialog::Unavailable => false,
                        };
                        if available {
                            self.open_picker(ui.ctx(), current);
                        } else {
                            self.no_dialog = true;
                            self.focus = true;
                        }
                    }
                    if picking {
                        ui.spinner();
                    }
                });
                if self.no_dialog {
                    ui.label(RichText::new(words.no_folder_dialog.get(lang)).strong());
                }
                let typed = self
                    .typed
                    .get_or_insert_with(|| current.display().to_string());
                let mut enter = false;
                ui.horizontal(|ui| {
                    let label = ui.label(words.typed_folder.get(lang));
                    let field = ui
                        .add(egui::TextEdit::singleline(typed).desired_width(460.0))
                        .labelled_by(label.id);
                    if std::mem::take(&mut self.focus) {
                        field.request_focus();
                    }
                    enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    if ui.button(words.use_folder.get(lang)).clicked() || enter {
                        offered = Some(PathBuf::from(typed.trim()));
                    }
                });
                if let Some(problem) = &self.problem {
                    ui.colored_label(ui.visuals().error_fg_color, problem);
                }
            });
        let offered = offered?;
        if offered == current && !again {
            self.problem = None;
            return None;
        }
        match crate::doctor::check_export_folder(&offered) {
            Ok(()) => {
                self.problem = None;
                self.no_dialog = false;
                self.typed = Some(offered.display().to_string());
                self.chosen = Some(offered.clone());
                Some(offered)
            }
            Err(e) => {
                self.problem = Some(e.message_in(lang).to_owned());
                None
            }
        }
    }
}
