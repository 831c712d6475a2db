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

/// The window's edge a bar runs along.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    Top,
    Bottom,
}

/// A bar along an edge of the window (the settings above, Back and Next below) whose
/// widgets come after the page's in the keyboard's order: egui's Tab follows the order
/// widgets are made, so the bar's room is kept first, as high as the bar was drawn last
/// time, the page is drawn in the rest, and the bar after it. Tab then reaches the page's
/// own answers before the buttons under them and the settings above.
pub struct Bar {
    name: &'static str,
    edge: Edge,
    height: f32,
    /// Where the bar and the page are drawn together.
    whole: egui::Rect,
}

impl Bar {
    pub fn reserve(ui: &egui::Ui, name: &'static str, edge: Edge) -> Bar {
        let whole = ui.available_rect_before_wrap();
        let height = ui
            .ctx()
            .data(|d| d.get_temp::<f32>(Bar::id(name)))
            .unwrap_or(0.0)
            .min(whole.height());
        Bar {
            name,
            edge,
            height,
            whole,
        }
    }

    fn id(name: &str) -> egui::Id {
        egui::Id::unique(("bar height", name))
    }

    /// Draws the page in the room the bar leaves.
    pub fn page<R>(&self, ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
        let mut rest = self.whole;
        match self.edge {
            Edge::Top => rest.min.y += self.height,
            Edge::Bottom => rest.max.y -= self.height,
        }
        let builder = egui::UiBuilder::new()
            .id_salt((self.name, "page"))
            .max_rect(rest);
        ui.scope_builder(builder, add).inner
    }

    /// Draws the bar in its room. Where it came out higher or lower than the room kept
    /// (its first frame), the frame is drawn again before it is shown.
    pub fn show<R>(self, ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
        let mut bar = ui.new_child(
            egui::UiBuilder::new()
                .id_salt((self.name, "bar"))
                .max_rect(self.whole),
        );
        let panel = match self.edge {
            Edge::Top => egui::Panel::top(self.name),
            Edge::Bottom => egui::Panel::bottom(self.name),
        };
        let shown = panel.resizable(false).show(&mut bar, add);
        let height = shown.response.rect.height();
        if (height - self.height).abs() > 0.5 {
            ui.ctx()
                .data_mut(|d| d.insert_temp(Bar::id(self.name), height));
            ui.ctx().request_discard("a bar's height changed");
        }
        shown.inner
    }
}
