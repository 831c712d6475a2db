//! The statistics page's table: every folder with "Server folder contains" beside
//! "Offline folder contains", as Outlook's Synchronize tab shows them for one folder,
//! here for all at once, with the folders that differ marked, sortable and filterable.

use eframe::egui::{self, RichText};

use super::words::Words;
use crate::diagnose::{FolderReport, Report};
use crate::wizard::Language;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    #[default]
    Folder,
    Server,
    Offline,
    Difference,
}

#[derive(Clone, Debug, Default)]
pub struct TableState {
    pub sort: SortBy,
    pub descending: bool,
    pub only_differences: bool,
    pub filter: String,
}

impl TableState {
    /// The rows to show, in order.
    pub fn rows<'a>(&self, report: &'a Report) -> Vec<&'a FolderReport> {
        let needle = self.filter.trim().to_lowercase();
        let mut rows: Vec<&FolderReport> = report
            .folders
            .iter()
            .filter(|r| !self.only_differences || r.verdict.is_difference())
            .filter(|r| needle.is_empty() || r.display_path().to_lowercase().contains(&needle))
            .collect();
        let gap = |r: &FolderReport| match (r.server_count, r.offline_count) {
            (Some(s), Some(o)) => s.abs_diff(o),
            _ => 0,
        };
        rows.sort_by(|a, b| {
            let order = match self.sort {
                SortBy::Folder => a.display_path().cmp(&b.display_path()),
                SortBy::Server => a.server_count.cmp(&b.server_count),
                SortBy::Offline => a.offline_count.cmp(&b.offline_count),
                SortBy::Difference => gap(a)
                    .cmp(&gap(b))
                    .then(a.verdict.is_difference().cmp(&b.verdict.is_difference())),
            };
            if self.descending {
                order.reverse()
            } else {
                order
            }
        });
        rows
    }

    fn header(&mut self, ui: &mut egui::Ui, label: &str, sort: SortBy) {
        let sorted = self.sort == sort;
        // Room for the arrow, painted: the built-in fonts have no arrow glyphs.
        let text = if sorted {
            format!("{label}    ")
        } else {
            label.to_owned()
        };
        let button = ui.button(RichText::new(text).strong());
        if sorted {
            let r = button.rect;
            let c = egui::pos2(r.right() - 12.0, r.center().y);
            let (tip, base) = if self.descending {
                (4.0, -4.0)
            } else {
                (-4.0, 4.0)
            };
            let points = vec![
                egui::pos2(c.x - 5.0, c.y + base),
                egui::pos2(c.x + 5.0, c.y + base),
                egui::pos2(c.x, c.y + tip),
            ];
            let color = ui.visuals().strong_text_color();
            ui.painter().add(egui::Shape::convex_polygon(
                points,
                color,
                egui::Stroke::NONE,
            ));
        }
        if button.clicked() {
            if self.sort == sort {
                self.descending = !self.descending;
            } else {
                self.sort = sort;
                self.descending = sort != SortBy::Folder;
            }
        }
    }

    pub fn show(&mut self, ui: &mut egui::Ui, report: &Report, words: &Words, lang: Language) {
        ui.horizontal(|ui| {
            ui.checkbox(&mut self.only_differences, words.only_differences.get(lang));
            ui.add_space(16.0);
            let label = ui.label(words.filter.get(lang));
            ui.add(egui::TextEdit::singleline(&mut self.filter).desired_width(220.0))
                .labelled_by(label.id);
        });
        ui.add_space(6.0);
        let rows = self.rows(report);
        let warn = ui.visuals().warn_fg_color;
        // Both ways: at 200% the columns are wider than the window.
        egui::ScrollArea::both()
            .auto_shrink([false, true])
            .show(ui, |ui| {
                egui::Grid::new("folder_counts")
                    .striped(true)
                    .num_columns(5)
                    .spacing([18.0, 6.0])
                    .show(ui, |ui| {
                        self.header(ui, words.folder.get(lang), SortBy::Folder);
                        self.header(ui, words.server_contains.get(lang), SortBy::Server);
                        self.header(ui, words.offline_contains.get(lang), SortBy::Offline);
                        ui.label(RichText::new(words.last_synced.get(lang)).strong())
                            .on_hover_text(words.last_synced_hint.get(lang));
                        self.header(ui, words.verdict.get(lang), SortBy::Difference);
                        ui.end_row();
                        for row in rows {
                            let differs = row.verdict.is_difference();
                            let name = row.display_path();
                            let text = |s: String| {
                                let t = RichText::new(s);
                                if differs { t.color(warn).strong() } else { t }
                            };
                            let mark = if differs { "• " } else { "" };
                            ui.label(text(format!("{mark}{name}")));
                            ui.label(text(count(row.server_count)));
                            ui.label(text(count(row.offline_count)));
                            ui.label(short_time(row.offline_last_modified.as_deref()));
                            let finding = if differs {
                                format!("{}: {}", words.differs.get(lang), row.reason)
                            } else {
                                row.reason.clone()
                            };
                            // Long reasons stay on one line; the whole is on hover.
                            ui.add(egui::Label::new(text(finding.clone())).truncate())
                                .on_hover_text(finding);
                            ui.end_row();
                        }
                    });
            });
    }
}

fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "–".to_owned(), |n| n.to_string())
}

/// `2021-08-12T20:18:02Z` as `2021-08-12 20:18 UTC`.
fn short_time(rfc3339: Option<&str>) -> String {
    match rfc3339 {
        Some(t) if t.len() >= 16 => format!("{} {} UTC", &t[..10], &t[11..16]),
        Some(t) => t.to_owned(),
        None => "–".to_owned(),
    }
}
