//! The store's structure, checked in the background as soon as a walk starts, whatever
//! symptom the person picks: a banner over every page says it is being checked, then that
//! it is sound, or that it is damaged and where (folders and items by name). Damage found
//! only on the rebuild path would otherwise stay unseen on every other path.
//!
//! The result lands between two frames, while the person may be aiming at an answer: were
//! the banner to grow then, everything under it would move down and a click meant for an
//! answer would land on the one above. So on the page the person looks at while the check
//! runs, the result takes the room the running check's line took, on one line (the whole
//! text on hover and for screen readers); from the next page on it is shown whole.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, channel};

use eframe::egui::{self, RichText};

use super::words::Words;
use crate::store::check::{ScanLog, check_store};
use crate::wizard::Language;
use crate::work::{CancelToken, Work};

/// How many damaged places the banner names before "and N more".
const NAMED: usize = 5;

pub struct Health {
    done: Receiver<Result<ScanLog, String>>,
    result: Option<Result<ScanLog, String>>,
    cancel: CancelToken,
    /// Progress in thousandths, for the banner while it runs.
    progress: Arc<AtomicU64>,
    /// The page last drawn while the check ran, and the height its line took there: the
    /// room the result is given on that page.
    running_on: Option<(String, f32)>,
}

impl Health {
    /// Starts the check on its own thread; the window is asked to redraw as it moves.
    pub fn start(store: PathBuf, ctx: &egui::Context) -> Health {
        let (send, done) = channel();
        let cancel = CancelToken::new();
        let progress = Arc::new(AtomicU64::new(0));
        let (token, shared, ctx) = (cancel.clone(), Arc::clone(&progress), ctx.clone());
        // Not joined: the walk may end first, and then the token stops the check.
        std::thread::spawn(move || {
            let redraw = ctx.clone();
            let mut last = 0;
            let mut work = Work::new(token, move |step| {
                if let Some(now) = (step.done.min(step.total) * 1000).checked_div(step.total) {
                    shared.store(now, Ordering::Relaxed);
                    // A redraw per percent, not per block.
                    if now / 10 != last / 10 {
                        last = now;
                        redraw.request_repaint();
                    }
                }
            });
            let result = check_store(&store, &mut work).map_err(|e| e.to_string());
            let _ = send.send(result);
            ctx.request_repaint();
        });
        Health {
            done,
            result: None,
            cancel,
            progress,
            running_on: None,
        }
    }

    /// The banner, over `page` (its id).
    pub fn show(&mut self, ui: &mut egui::Ui, page: &str, words: &Words, lang: Language) {
        if self.result.is_none()
            && let Ok(result) = self.done.try_recv()
        {
            self.result = Some(result);
        }
        // In a scope of its own: egui numbers the widgets that follow by how many came
        // before them in their Ui, and a click is matched to a widget by that number from
        // the frame before. Drawn straight into the page, a banner made of other widgets
        // when the result came renumbered every answer and button under it, and the click
        // of that frame (Use these settings, an answer) was lost; a scope counts as one.
        ui.scope(|ui| self.banner(ui, page, words, lang));
        ui.add_space(8.0);
    }

    fn banner(&mut self, ui: &mut egui::Ui, page: &str, words: &Words, lang: Language) {
        match (&self.result, &self.running_on) {
            (None, _) => {
                let per_mille = self.progress.load(Ordering::Relaxed);
                let line = ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(
                        RichText::new(format!(
                            "{} {}%",
                            words.health_checking.get(lang),
                            per_mille / 10
                        ))
                        .weak(),
                    );
                });
                self.running_on = Some((page.to_owned(), line.response.rect.height()));
            }
            (Some(result), Some((on, height))) if on == page => {
                in_room(ui, *height, result, words, lang);
            }
            (Some(Err(e)), _) => {
                self.running_on = None;
                ui.label(RichText::new(format!("{} {e}", words.health_failed.get(lang))).weak());
            }
            (Some(Ok(scan)), _) => {
                self.running_on = None;
                let (damaged, text) = describe(scan, words, lang);
                if damaged {
                    egui::Frame::group(ui.style())
                        .stroke(egui::Stroke::new(1.5, ui.visuals().error_fg_color))
                        .inner_margin(8)
                        .show(ui, |ui| {
                            ui.set_width(ui.available_width());
                            ui.label(RichText::new(text).color(ui.visuals().error_fg_color));
                        });
                } else {
                    ui.label(RichText::new(text).weak());
                }
            }
        }
    }
}

/// The result on one line in `height`, the room the running check's line took: nothing
/// under it moves. Damage is in the error colour with a line around it, as the whole
/// banner has; what does not fit is elided, and shown whole on hover.
fn in_room(
    ui: &mut egui::Ui,
    height: f32,
    result: &Result<ScanLog, String>,
    words: &Words,
    lang: Language,
) {
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), height),
        egui::Sense::hover(),
    );
    let (damaged, text) = match result {
        Ok(scan) => describe(scan, words, lang),
        Err(e) => (false, format!("{} {e}", words.health_failed.get(lang))),
    };
    let text = RichText::new(text);
    let text = if damaged {
        let color = ui.visuals().error_fg_color;
        ui.painter().rect_stroke(
            rect,
            2.0,
            egui::Stroke::new(1.5, color),
            egui::StrokeKind::Outside,
        );
        text.color(color).strong()
    } else {
        text.weak()
    };
    let margin = if damaged { 6.0 } else { 0.0 };
    let mut line = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect.shrink2(egui::vec2(margin, 0.0)))
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
    );
    line.add(egui::Label::new(text).truncate());
}

impl Drop for Health {
    fn drop(&mut self) {
        // A walk left mid-check stops its check.
        self.cancel.cancel();
    }
}

/// Sound, or damaged with the places named: (damaged, text).
pub fn describe(scan: &ScanLog, words: &Words, lang: Language) -> (bool, String) {
    if !scan.is_damaged() {
        let text = format!(
            "{} ({} {})",
            words.health_sound.get(lang),
            scan.examined.messages,
            words.health_items_read.get(lang)
        );
        return (false, text);
    }
    let mut places: Vec<&str> = Vec::new();
    for finding in scan
        .findings
        .iter()
        .filter(|f| f.severity == crate::store::check::Severity::Error)
    {
        let place = finding
            .item
            .as_deref()
            .unwrap_or(finding.structure.as_str());
        if !places.contains(&place) {
            places.push(place);
        }
    }
    let mut named: Vec<String> = places.iter().take(NAMED).map(|p| p.to_string()).collect();
    if places.len() > NAMED {
        named.push(
            words
                .health_and_more
                .get(lang)
                .replace('#', &(places.len() - NAMED).to_string()),
        );
    }
    let text = format!(
        "{} ({}): {}. {}",
        words.health_damaged.get(lang),
        scan.tally.errors,
        named.join("; "),
        words.health_damaged_next.get(lang)
    );
    (true, text)
}
