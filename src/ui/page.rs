//! The frame every page is drawn in: a margin, and a column narrow enough to read at
//! 1280 pixels and still whole at 200%.

use eframe::egui;

const MARGIN: i8 = 24;
const COLUMN: f32 = 1000.0;

pub fn central<R>(ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    egui::CentralPanel::default()
        .frame(egui::Frame::central_panel(ui.style()).inner_margin(MARGIN))
        .show(ui, |ui| {
            // At 200% the window may be narrower than the column: text wraps to the window.
            ui.set_max_width(COLUMN.min(ui.available_width()));
            add(ui)
        })
        .inner
}
