//! Buttons at the right end of a row, made from left to right. egui's Tab follows the
//! order widgets are made, and a right-to-left layout, the usual way to put buttons at a
//! row's end, makes the rightmost first: Tab reached Apply before the Cancel to its left.
//! Here the group comes after a gap as wide as the row's room less the group's width when
//! it was last drawn; where the width changed (its first frame, another page's buttons,
//! another language or size) the frame is drawn again before it is shown, as `page::Bar`
//! does for a bar's height.

use eframe::egui;

/// Draws `add`'s widgets left to right at the right end of the horizontal `ui`.
pub fn at_end<R>(ui: &mut egui::Ui, name: &'static str, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    let id = egui::Id::unique(("row end width", name));
    let last = ui.ctx().data(|d| d.get_temp::<f32>(id));
    // Not yet known: drawn where they fall, measured, and drawn again.
    let gap = last.map_or(0.0, |last| ui.available_width() - last);
    if gap > 0.0 {
        ui.add_space(gap);
    }
    // In the row itself, not a row of their own inside it, so that they stand level
    // with what is left of them.
    let start = ui.cursor().min.x;
    let inner = add(ui);
    let width = (ui.min_rect().right() - start).max(0.0);
    if last.is_none_or(|last| (last - width).abs() > 0.5) {
        ui.ctx().data_mut(|d| d.insert_temp(id, width));
        ui.ctx()
            .request_discard("the buttons at a row's end changed width");
    }
    inner
}
