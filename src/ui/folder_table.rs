//! The statistics page's table: every folder with "Server folder contains" beside
//! "Offline folder contains", as Outlook's Synchronize tab shows them for one folder,
//! here for all at once. Worst first: items at risk, then folders behind, then harmless
//! differences, each in its own colour and word; a row opens the list of its differing
//! items; the table copies as text and saves as CSV for a ticket.

use eframe::egui::{self, Align, Color32, Layout, Rect, RichText, UiBuilder, pos2, vec2};

use super::words::Words;
use crate::diagnose::{FolderReport, Report, Severity};
use crate::time::{Timestamp, Zone};
use crate::wizard::Language;

/// Rows a short window still shows at once (200% on a laptop): the page scrolls to them.
const MIN_ROWS: f32 = 8.0;
/// Between columns, and between rows.
const GAP: egui::Vec2 = vec2(18.0, 6.0);
/// The folder names take at most this share of the table's width; a longer name is cut,
/// and whole on hover.
const NAMES_SHARE: f32 = 0.45;
/// A longer finding is cut, and whole on hover.
const LONGEST_FINDING: f32 = 720.0;
/// After a sorted column's name: room for the arrow, painted (the built-in fonts have no
/// arrow glyphs).
const ARROW_ROOM: &str = "    ";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortBy {
    /// Worst first, then by folder.
    #[default]
    Severity,
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
    /// The folder whose differing items are listed under the table.
    pub opened: Option<String>,
    /// Where the last CSV went, or why it could not be written.
    pub saved: Option<Result<std::path::PathBuf, String>>,
    /// The zone times are shown in: the person's own, unless a test fixes one.
    pub zone: Zone,
}

impl TableState {
    /// The rows to show, in order.
    pub fn rows<'a>(&self, report: &'a Report) -> Vec<&'a FolderReport> {
        let needle = self.filter.trim().to_lowercase();
        let mut rows: Vec<&FolderReport> = report
            .folders
            .iter()
            // Differences that need attention: an empty folder on one side only is one by
            // the verdict, but harmless.
            .filter(|r| {
                !self.only_differences
                    || matches!(r.severity(), Severity::AtRisk | Severity::Behind)
            })
            .filter(|r| needle.is_empty() || r.display_path().to_lowercase().contains(&needle))
            .collect();
        let gap = |r: &FolderReport| match (r.server_count, r.offline_count) {
            (Some(s), Some(o)) => s.abs_diff(o),
            _ => 0,
        };
        rows.sort_by(|a, b| {
            let order = match self.sort {
                SortBy::Severity => a
                    .severity()
                    .cmp(&b.severity())
                    .then_with(|| a.display_path().cmp(&b.display_path())),
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
        let text = if sorted {
            format!("{label}{ARROW_ROOM}")
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
                self.descending = !matches!(sort, SortBy::Folder | SortBy::Severity);
            }
        }
    }

    pub fn show(&mut self, ui: &mut egui::Ui, report: &Report, words: &Words, lang: Language) {
        // Wrapped, so that at 200% the buttons go on a second line, not off the window.
        ui.horizontal_wrapped(|ui| {
            ui.checkbox(&mut self.only_differences, words.only_differences.get(lang));
            ui.add_space(16.0);
            let label = ui.label(words.filter.get(lang));
            ui.add(egui::TextEdit::singleline(&mut self.filter).desired_width(220.0))
                .labelled_by(label.id);
            ui.add_space(16.0);
            if ui.button(words.copy_table.get(lang)).clicked() {
                ui.ctx()
                    .copy_text(table_text(&self.rows(report), words, lang, '\t', self.zone));
            }
            if ui.button(words.save_csv.get(lang)).clicked() {
                self.saved = Some(save_csv(&self.rows(report), words, lang, self.zone));
            }
        });
        match &self.saved {
            Some(Ok(path)) => {
                ui.label(format!("{} {}", words.saved_to.get(lang), path.display()));
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            None => {}
        }
        ui.add_space(6.0);
        let rows = self.rows(report);
        let shape = Shape::measure(ui, &rows, words, lang, self.zone);
        // The rest of the page, less room under the table for an opened folder's items or
        // else the mailbox settings' header.
        let below = if self.opened.is_some() { 190.0 } else { 48.0 };
        let rest = ui.available_height() - below;
        // A short window (200% on a laptop) leaves room for two or three rows under the
        // page's text: the table then keeps room for more, as much as the page shows at
        // once (its clip: the page's own scroll area) with what is under the table, and
        // the page scrolls to it.
        let least = ((MIN_ROWS + 1.0) * shape.row + 12.0).min(ui.clip_rect().height() - below);
        self.grid(ui, &rows, &shape, rest.max(least), words, lang);
        if let Some(row) = self
            .opened
            .as_deref()
            .and_then(|name| report.folders.iter().find(|r| r.display_path() == name))
        {
            items_of(ui, row, words, lang, self.zone);
        }
    }
}

impl TableState {
    /// The table in `height`: the header row stays on top when the rows scroll, and the
    /// folder names stay on the left when the counts scroll sideways, so that at 200% every
    /// row still says which folder it is and every column what it counts.
    fn grid(
        &mut self,
        ui: &mut egui::Ui,
        rows: &[&FolderReport],
        shape: &Shape,
        height: f32,
        words: &Words,
        lang: Language,
    ) {
        let dark = ui.visuals().dark_mode;
        let names_width = shape.names.min(ui.available_width() * NAMES_SHARE);
        let cut_names = names_width < shape.names;
        let size = vec2(
            names_width + shape.widths.iter().map(|w| w + GAP.x).sum::<f32>(),
            shape.row * (rows.len() + 1) as f32,
        );
        egui::ScrollArea::both()
            .id_salt("folder_counts")
            // Its height even where the page shows less at once (the page then scrolls),
            // less where there are fewer rows.
            .min_scrolled_height(height)
            .max_height(height)
            .auto_shrink([false, true])
            .show_viewport(ui, |ui, viewport| {
                ui.set_min_size(size);
                // The content's corner on the screen, and the part of it shown.
                let origin = ui.max_rect().min;
                let shown = viewport.translate(origin.to_vec2());
                let clip = ui.clip_rect();
                let head_bottom = shown.top() + shape.row;
                let split = shown.left() + names_width + GAP.x / 2.0;
                // Four parts, each clipped to its own: the header's corner stays put, the
                // other headers move sideways only, the names up and down only, and the
                // counts both ways, passing under the header and the names.
                let corner = Rect::from_min_max(shown.min, pos2(split, head_bottom));
                let heads =
                    Rect::from_min_max(pos2(split, shown.top()), pos2(shown.right(), head_bottom));
                let names = Rect::from_min_max(
                    pos2(shown.left(), head_bottom),
                    pos2(split, shown.bottom()),
                );
                let body = Rect::from_min_max(pos2(split, head_bottom), shown.max);
                let mut lefts = [0.0; 4];
                let mut x = origin.x + names_width + GAP.x;
                for (left, width) in lefts.iter_mut().zip(shape.widths) {
                    *left = x;
                    x += width + GAP.x;
                }
                let column = |i: usize, top: f32| {
                    Rect::from_min_size(pos2(lefts[i], top), vec2(shape.widths[i], shape.row))
                };
                let row_top = |i: usize| origin.y + shape.row * (i + 1) as f32;

                // Striped rows, under the names and the counts alike.
                let stripes = ui
                    .painter()
                    .with_clip_rect(names.union(body).intersect(clip));
                for i in (1..rows.len()).step_by(2) {
                    stripes.rect_filled(
                        Rect::from_min_size(
                            pos2(shown.left(), row_top(i)),
                            vec2(size.x.max(shown.width()), shape.row),
                        ),
                        0.0,
                        ui.visuals().faint_bg_color,
                    );
                }

                let folder = Rect::from_min_size(shown.min, vec2(names_width, shape.row));
                cell(ui, folder, corner.intersect(clip), |ui| {
                    self.header(ui, words.folder.get(lang), SortBy::Folder);
                });
                let heads = heads.intersect(clip);
                cell(ui, column(0, shown.top()), heads, |ui| {
                    self.header(ui, words.server_contains.get(lang), SortBy::Server);
                });
                cell(ui, column(1, shown.top()), heads, |ui| {
                    self.header(ui, words.offline_contains.get(lang), SortBy::Offline);
                });
                cell(ui, column(2, shown.top()), heads, |ui| {
                    ui.label(RichText::new(words.last_synced.get(lang)).strong())
                        .on_hover_text(words.last_synced_hint.get(lang));
                });
                cell(ui, column(3, shown.top()), heads, |ui| {
                    self.header(ui, words.verdict.get(lang), SortBy::Severity);
                });

                let (names, body) = (names.intersect(clip), body.intersect(clip));
                for (i, row) in rows.iter().enumerate() {
                    let top = row_top(i);
                    let severity = row.severity();
                    let name = row.display_path();
                    let text = |s: String| {
                        let t = RichText::new(s);
                        match colour(severity, dark) {
                            Some(c) if severity == Severity::Harmless => t.color(c),
                            Some(c) => t.color(c).strong(),
                            None => t,
                        }
                    };
                    let has_items = row.items.as_ref().is_some_and(|i| {
                        !i.only_offline.is_empty() || !i.only_on_server.is_empty()
                    });
                    let opened = self.opened.as_deref() == Some(name.as_str());
                    let place =
                        Rect::from_min_size(pos2(shown.left(), top), vec2(names_width, shape.row));
                    cell(ui, place, names, |ui| {
                        // Every name the same widget, so the column lines up; only a
                        // folder with differing items opens. (Not disabled where it cannot
                        // open: egui fades disabled text below a readable contrast.)
                        let mut link =
                            ui.add(egui::Button::selectable(opened, text(name.clone())).truncate());
                        if cut_names {
                            link = link.on_hover_text(&name);
                        }
                        if has_items && link.on_hover_text(words.open_items.get(lang)).clicked() {
                            self.opened = (!opened).then(|| name.clone());
                        }
                    });
                    cell(ui, column(0, top), body, |ui| {
                        ui.label(text(count(row.server_count)));
                    });
                    cell(ui, column(1, top), body, |ui| {
                        ui.label(text(count(row.offline_count)));
                    });
                    cell(ui, column(2, top), body, |ui| {
                        ui.label(short_time(row.offline_last_modified.as_deref(), self.zone));
                    });
                    cell(ui, column(3, top), body, |ui| {
                        let finding = finding(row, words, lang);
                        // A very long reason is cut; the whole is on hover.
                        ui.add(egui::Label::new(text(finding.clone())).truncate())
                            .on_hover_text(finding);
                    });
                }

                // Where the header ends, and where the names end once the counts have
                // moved under them.
                let line = ui.visuals().widgets.noninteractive.bg_stroke;
                let edges = ui.painter().with_clip_rect(clip);
                edges.hline(shown.x_range(), head_bottom, line);
                if viewport.left() > 0.0 {
                    edges.vline(split, shown.y_range(), line);
                }
            });
    }
}

/// The table's measures, from its text in the ui's fonts: each column as wide as its
/// widest cell (a finding at most `LONGEST_FINDING`), each row one line high.
struct Shape {
    /// The folder names' column, before it is held to its share of the width.
    names: f32,
    /// The server count, the offline count, the time and the finding.
    widths: [f32; 4],
    /// A row's height, the header's too, with the gap under it.
    row: f32,
}

impl Shape {
    fn measure(
        ui: &egui::Ui,
        rows: &[&FolderReport],
        words: &Words,
        lang: Language,
        zone: Zone,
    ) -> Shape {
        let size = |text: &str| {
            egui::WidgetText::from(text)
                .into_galley(
                    ui,
                    Some(egui::TextWrapMode::Extend),
                    f32::INFINITY,
                    egui::TextStyle::Body,
                )
                .size()
        };
        let pad = 2.0 * ui.spacing().button_padding;
        // Headers and names are buttons; a header keeps room for its sort arrow.
        let header = |label: &str| size(&format!("{label}{ARROW_ROOM}")).x + pad.x;
        let mut names = header(words.folder.get(lang));
        let mut widths = [
            header(words.server_contains.get(lang)),
            header(words.offline_contains.get(lang)),
            size(words.last_synced.get(lang)).x,
            header(words.verdict.get(lang)),
        ];
        for row in rows {
            names = names.max(size(&row.display_path()).x + pad.x);
            let cells = [
                count(row.server_count),
                count(row.offline_count),
                short_time(row.offline_last_modified.as_deref(), zone),
                finding(row, words, lang),
            ];
            for (width, cell) in widths.iter_mut().zip(cells) {
                *width = width.max(size(&cell).x);
            }
        }
        widths[3] = widths[3].min(LONGEST_FINDING);
        let line = (size("Ag").y + pad.y).max(ui.spacing().interact_size.y);
        Shape {
            names,
            widths,
            row: line + GAP.y,
        }
    }
}

/// One cell of the table at `rect`, drawn only within `clip`.
fn cell(ui: &mut egui::Ui, rect: Rect, clip: Rect, add: impl FnOnce(&mut egui::Ui)) {
    let mut cell = ui.new_child(
        UiBuilder::new()
            .max_rect(rect)
            .layout(Layout::left_to_right(Align::Center)),
    );
    cell.set_clip_rect(clip);
    add(&mut cell);
}

/// The severity's word and the row's reason.
fn finding(row: &FolderReport, words: &Words, lang: Language) -> String {
    let word = match row.severity() {
        Severity::AtRisk => words.at_risk.get(lang),
        Severity::Behind => words.behind.get(lang),
        Severity::Harmless if row.verdict.is_difference() || !row.reason.is_empty() => {
            words.harmless.get(lang)
        }
        Severity::Harmless | Severity::InStep => return row.reason.clone(),
    };
    format!("{word}: {}", row.reason)
}

/// Text colours that keep at least 4.5:1 against the theme's background (WCAG AA): egui's
/// own warning orange on white is 2.8:1.
pub fn colour(severity: Severity, dark: bool) -> Option<Color32> {
    match (severity, dark) {
        (Severity::AtRisk, false) => Some(Color32::from_rgb(176, 0, 32)),
        (Severity::AtRisk, true) => Some(Color32::from_rgb(255, 138, 138)),
        (Severity::Behind, false) => Some(Color32::from_rgb(138, 74, 0)),
        (Severity::Behind, true) => Some(Color32::from_rgb(255, 196, 102)),
        (Severity::Harmless, false) => Some(Color32::from_rgb(90, 90, 90)),
        (Severity::Harmless, true) => Some(Color32::from_rgb(176, 176, 176)),
        (Severity::InStep, _) => None,
    }
}

/// The differing items of one folder, under the table.
fn items_of(ui: &mut egui::Ui, row: &FolderReport, words: &Words, lang: Language, zone: Zone) {
    let Some(items) = &row.items else {
        return;
    };
    ui.add_space(8.0);
    ui.label(RichText::new(row.display_path()).strong());
    egui::ScrollArea::vertical()
        .id_salt("opened_items")
        .max_height(150.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new("opened_items_grid")
                .striped(true)
                .num_columns(3)
                .spacing([18.0, 4.0])
                .show(ui, |ui| {
                    ui.label(RichText::new(words.where_only.get(lang)).strong());
                    ui.label(RichText::new(words.subject.get(lang)).strong());
                    ui.label(RichText::new(words.date.get(lang)).strong());
                    ui.end_row();
                    for (side, list) in [
                        (words.only_offline.get(lang), &items.only_offline),
                        (words.only_server.get(lang), &items.only_on_server),
                    ] {
                        for item in list {
                            ui.label(side);
                            ui.label(item.subject.as_deref().unwrap_or("–"));
                            ui.label(short_time(item.time.as_deref(), zone));
                            ui.end_row();
                        }
                    }
                });
        });
}

/// The rows as text, one line each with a heading line, fields split by `separator`
/// (a tab to paste into a spreadsheet or a ticket, a comma for CSV, quoted as CSV quotes).
pub fn table_text(
    rows: &[&FolderReport],
    words: &Words,
    lang: Language,
    separator: char,
    zone: Zone,
) -> String {
    let field = |s: &str| {
        if separator == ',' && s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.replace(['\t', '\n'], " ")
        }
    };
    let mut out = String::new();
    let heading = [
        words.folder.get(lang),
        words.server_contains.get(lang),
        words.offline_contains.get(lang),
        words.last_synced.get(lang),
        words.verdict.get(lang),
    ];
    let line = |cells: &[&str]| {
        cells
            .iter()
            .map(|c| field(c))
            .collect::<Vec<_>>()
            .join(&separator.to_string())
    };
    out.push_str(&line(&heading));
    out.push('\n');
    for row in rows {
        let cells = [
            row.display_path(),
            count(row.server_count),
            count(row.offline_count),
            short_time(row.offline_last_modified.as_deref(), zone),
            finding(row, words, lang),
        ];
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        out.push_str(&line(&cells));
        out.push('\n');
    }
    out
}

/// Saves the rows as CSV beside the session reports.
fn save_csv(
    rows: &[&FolderReport],
    words: &Words,
    lang: Language,
    zone: Zone,
) -> Result<std::path::PathBuf, String> {
    let dir = super::walk::report_folder();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let path = dir.join(format!("folders-{stamp}.csv"));
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&path, table_text(rows, words, lang, ',', zone)))
        .map(|()| path.clone())
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "–".to_owned(), |n| n.to_string())
}

/// `2021-08-12T20:18:02Z` as `2021-08-12 22:18 UTC+02:00` in a zone two hours east: the
/// person's own clock, with the offset named so that a copied table is unambiguous. A time
/// that does not read as RFC 3339 is shown as it is.
fn short_time(rfc3339: Option<&str>, zone: Zone) -> String {
    match rfc3339 {
        Some(t) => Timestamp::parse_rfc3339(t).map_or_else(|| t.to_owned(), |t| zone.minutes(t)),
        None => "–".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::Verdict;
    use crate::time::UtcOffset;

    fn row(path: &str, verdict: Verdict, offline: u64, server: u64) -> FolderReport {
        FolderReport {
            offline_path: Some(path.split('/').map(str::to_owned).collect()),
            server_path: None,
            role: None,
            kind: None,
            matched_by: None,
            offline_count: Some(offline),
            server_count: Some(server),
            offline_unread: None,
            server_unread: None,
            offline_last_modified: Some("2024-05-01T09:30:00Z".into()),
            verdict,
            expected: None,
            reason: format!("{offline} offline, {server} on the server"),
            items: None,
        }
    }

    fn report(folders: Vec<FolderReport>) -> Report {
        Report {
            server_kind: crate::diagnose::ServerKind::Imap,
            time_tolerance_seconds: 0,
            sync_window_start: None,
            summary: Default::default(),
            folders,
        }
    }

    #[test]
    fn the_worst_rows_come_first() {
        let report = report(vec![
            row("Archive", Verdict::Equal, 3, 3),
            row("Empty", Verdict::MissingOnServer, 0, 0),
            row("Inbox", Verdict::OfflineBehind, 8, 10),
            row("Drafts", Verdict::OfflineAhead, 2, 0),
            row("Calendar", Verdict::ExpectedDifference, 4, 9),
        ]);
        let order: Vec<String> = TableState::default()
            .rows(&report)
            .iter()
            .map(|r| r.display_path())
            .collect();
        assert_eq!(order, ["Drafts", "Inbox", "Calendar", "Empty", "Archive"]);
    }

    #[test]
    fn the_table_copies_as_text_and_saves_as_csv_quoted() {
        let words = Words::builtin().unwrap();
        let report = report(vec![
            row("Inbox, old", Verdict::OfflineAhead, 2, 1),
            row("Sent \"x\"", Verdict::Equal, 1, 1),
        ]);
        let state = TableState::default();
        let rows = state.rows(&report);
        let zone = Zone::Fixed(UtcOffset(-3 * 3600));
        let tsv = table_text(&rows, &words, Language::English, '\t', zone);
        let lines: Vec<&str> = tsv.lines().collect();
        assert_eq!(
            lines[0],
            "Folder\tServer folder contains\tOffline folder contains\tLast changed offline (local time)\tFinding"
        );
        assert_eq!(
            lines[1],
            "Inbox, old\t1\t2\t2024-05-01 06:30 UTC-03:00\titems at risk: 2 offline, 1 on the server"
        );
        let csv = table_text(
            &rows,
            &words,
            Language::Dutch,
            ',',
            Zone::Fixed(UtcOffset(3600)),
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert!(
            lines[1].starts_with("\"Inbox, old\",1,2,2024-05-01 10:30 UTC+01:00,"),
            "{}",
            lines[1]
        );
        assert!(
            lines[0].contains("Laatst offline gewijzigd (lokale tijd)"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].ends_with("\"items in gevaar: 2 offline, 1 on the server\""),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].starts_with("\"Sent \"\"x\"\"\",1,1,"),
            "{}",
            lines[2]
        );
    }

    /// The table as drawn: the time in the zone given, its offset named, under a header
    /// that says the times are local; the UTC time is not shown.
    #[test]
    fn the_table_shows_local_time_with_the_offset_named() {
        use egui_kittest::kittest::Queryable;
        let words = Words::builtin().unwrap();
        let mut late = row("Inbox", Verdict::Equal, 1, 1);
        late.offline_last_modified = Some("2024-05-01T23:40:00Z".into());
        let report = report(vec![late]);
        let mut state = TableState {
            zone: Zone::Fixed(UtcOffset(3600)),
            ..TableState::default()
        };
        let harness = egui_kittest::Harness::new_ui(|ui| {
            state.show(ui, &report, &words, Language::Portuguese);
        });
        harness.get_by_label("Última alteração offline (hora local)");
        // Past midnight where the person is.
        harness.get_by_label("2024-05-02 00:40 UTC+01:00");
        assert!(harness.query_by_label_contains("23:40").is_none());
    }

    /// WCAG's contrast ratio of two colours.
    fn contrast(a: Color32, b: Color32) -> f32 {
        let lum = |c: Color32| {
            let ch = |v: u8| {
                let v = f32::from(v) / 255.0;
                if v <= 0.03928 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * ch(c.r()) + 0.7152 * ch(c.g()) + 0.0722 * ch(c.b())
        };
        let (x, y) = (lum(a), lum(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn every_severity_colour_reads_at_4_5_to_1_on_both_themes_and_striped_rows() {
        for dark in [false, true] {
            let visuals = if dark {
                egui::Visuals::dark()
            } else {
                egui::Visuals::light()
            };
            for severity in [Severity::AtRisk, Severity::Behind, Severity::Harmless] {
                let c = colour(severity, dark).unwrap();
                // A striped row lays the faint colour (premultiplied) over the panel.
                let over = |top: Color32, under: Color32| {
                    let keep = 1.0 - f32::from(top.a()) / 255.0;
                    let mix = |t: u8, u: u8| (f32::from(t) + f32::from(u) * keep).min(255.0) as u8;
                    Color32::from_rgb(
                        mix(top.r(), under.r()),
                        mix(top.g(), under.g()),
                        mix(top.b(), under.b()),
                    )
                };
                let striped = over(visuals.faint_bg_color, visuals.panel_fill);
                for background in [visuals.panel_fill, striped] {
                    let ratio = contrast(c, background);
                    assert!(
                        ratio >= 4.5,
                        "{severity:?} dark={dark}: {ratio:.2}:1 on {background:?}"
                    );
                }
            }
        }
    }
}
