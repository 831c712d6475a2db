//! The statistics views a flow's page can name (see the catalogue's VIEWS), drawn from
//! what the checks found.

use eframe::egui::{self, RichText};

use super::folder_table::TableState;
use super::words::Words;
use crate::diagnose::sync_log::SyncLog;
use crate::doctor::Findings;
use crate::doctor::log_words::{self, Since};
use crate::time::{Timestamp, Zone};
use crate::wizard::{Language, View};

pub fn show(
    ui: &mut egui::Ui,
    view: &str,
    findings: &Findings,
    table: &mut TableState,
    words: &Words,
    lang: Language,
) {
    // Exhaustive: a view the catalogue names and this misses does not compile.
    match View::from_name(view) {
        Some(View::FolderCounts) => match &findings.comparison {
            Some(report) => table.show(ui, report, words, lang),
            None => {
                ui.label(words.no_comparison.get(lang));
            }
        },
        Some(View::LocalOnlyItems) => local_only_items(ui, findings, words, lang),
        Some(View::SyncLog) => sync_log(ui, findings, words, lang),
        Some(View::StoreProblems) => store_problems(ui, findings, words, lang),
        // The loader refuses flows that name other views.
        None => {
            ui.label(format!("({view})"));
        }
    }
}

fn local_only_items(ui: &mut egui::Ui, findings: &Findings, words: &Words, lang: Language) {
    let Some(report) = &findings.comparison else {
        ui.label(words.no_comparison.get(lang));
        return;
    };
    ui.label(RichText::new(words.only_offline_heading.get(lang)).strong());
    let rows: Vec<_> = report
        .folders
        .iter()
        .filter_map(|r| {
            r.items
                .as_ref()
                .map(|i| (r.display_path(), &i.only_offline))
        })
        .filter(|(_, items)| !items.is_empty())
        .collect();
    if rows.is_empty() {
        ui.label(words.none_only_offline.get(lang));
        return;
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            egui::Grid::new("local_only_items")
                .striped(true)
                .num_columns(3)
                .spacing([18.0, 4.0])
                .show(ui, |ui| {
                    ui.label(RichText::new(words.folder.get(lang)).strong());
                    ui.label(RichText::new(words.subject.get(lang)).strong());
                    ui.label(RichText::new(words.date.get(lang)).strong());
                    ui.end_row();
                    for (folder, items) in rows {
                        for item in items {
                            ui.label(&folder);
                            ui.label(item.subject.as_deref().unwrap_or("–"));
                            ui.label(item.time.as_deref().unwrap_or("–"));
                            ui.end_row();
                        }
                    }
                });
        });
}

/// The logs' errors, each with what the knowledge base says: the cause, in words, and
/// where it happened; then the logs themselves, newest last.
fn sync_log(ui: &mut egui::Ui, findings: &Findings, words: &Words, lang: Language) {
    let Some(logs) = &findings.sync_logs else {
        ui.label(words.no_logs.get(lang));
        return;
    };
    if logs.report.logs.is_empty() {
        ui.label(words.no_logs.get(lang));
        return;
    }
    ui.label(RichText::new(words.logs_heading.get(lang)).strong());
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for d in &logs.diagnoses {
                ui.add_space(6.0);
                let code = d.error.code.as_deref().unwrap_or("");
                let title = match &d.finding.name {
                    Some(name) => format!("{code} {name}"),
                    None => code.to_owned(),
                };
                let heading = if title.trim().is_empty() {
                    d.error.text.clone()
                } else {
                    format!("{title}: {}", d.error.text)
                };
                ui.label(
                    RichText::new(heading)
                        .strong()
                        .color(ui.visuals().warn_fg_color),
                );
                ui.label(d.finding.cause.get(lang.code()));
                ui.label(RichText::new(d.finding.explanation.get(lang.code())).weak());
                if let Some(seen) = &d.error.first_seen {
                    ui.label(RichText::new(format!("{seen} · ×{}", d.error.occurrences)).small());
                }
            }
            ui.add_space(10.0);
            let now = Timestamp::now();
            for log in &logs.report.logs {
                log_summary(ui, log, now, lang);
            }
        });
}

/// One log on one line: when it was written (in this computer's zone) and how long ago,
/// how many lines it has, those that report an error in the warning colour, and where it
/// is. An old log may tell of a trouble long gone; a fresh one of today's.
fn log_summary(ui: &mut egui::Ui, log: &SyncLog, now: Timestamp, lang: Language) {
    let written = log.time.as_deref().and_then(Timestamp::parse_rfc3339);
    let errors = log.events.iter().filter(|e| log_words::is_error(e)).count();
    ui.horizontal_wrapped(|ui| {
        match written {
            Some(t) => {
                ui.label(RichText::new(Zone::Local.minutes(t)).strong());
                ui.label(log_words::age(lang, now.0 - t.0, Since::Now));
            }
            None => {
                ui.label(RichText::new(log.time.as_deref().unwrap_or("–")).strong());
            }
        }
        ui.label(log_words::lines(lang, log.events.len()));
        let said = RichText::new(log_words::error_lines(lang, errors));
        ui.label(if errors == 0 {
            said.weak()
        } else {
            said.color(ui.visuals().warn_fg_color)
        });
        ui.label(RichText::new(log.folder.join("/")).weak());
    });
}

/// The structural check's findings, errors first, each with its meaning in plain words and
/// where it is, for a helpdesk to read.
fn store_problems(ui: &mut egui::Ui, findings: &Findings, words: &Words, lang: Language) {
    use crate::store::check::Severity;
    let Some(scan) = &findings.scan else {
        ui.label(words.no_problems.get(lang));
        return;
    };
    let problems: Vec<_> = [Severity::Error, Severity::Warning]
        .iter()
        .flat_map(|&s| scan.findings.iter().filter(move |f| f.severity == s))
        .collect();
    if problems.is_empty() {
        ui.label(words.no_problems.get(lang));
        return;
    }
    ui.label(RichText::new(words.problems_heading.get(lang)).strong());
    egui::ScrollArea::vertical()
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for f in problems {
                ui.add_space(4.0);
                let color = match f.severity {
                    Severity::Error => ui.visuals().error_fg_color,
                    _ => ui.visuals().warn_fg_color,
                };
                let place = match (f.offset, &f.item) {
                    (Some(offset), _) => format!("{}, offset {offset:#x}", f.structure),
                    (None, Some(item)) => format!("{}, {item}", f.structure),
                    (None, None) => f.structure.clone(),
                };
                ui.label(RichText::new(&f.meaning).color(color).strong());
                ui.label(RichText::new(format!("{place}: {}", f.detail)).small());
            }
        });
}
