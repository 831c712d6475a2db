//! The flows' fixes, planned and applied through `crate::fix`, which journals every change
//! so that it can be undone and recovered after a crash. A plan is kept between planning
//! and applying, and applying refuses a plan that is not the one made here.

use std::path::Path;

use crate::diagnose::{Report, StoreSide};
use crate::fix::FixError;
use crate::fix::export::{FolderProblem, check_export_folder, check_export_room, export_path_in};
use crate::fix::holders::Holder;
use crate::fix::{
    ExportPlan, Journal, RenamePlan, apply_export, apply_renames, apply_undo, plan_export_all,
    plan_export_local, plan_rename_exchange_files, plan_rename_store, plan_renames, plan_undo,
    search_roots,
};
use crate::wizard::{Action, BackendError, Facts, Fix, FixPlan};
use crate::work::Work;

/// A plan as `crate::fix` made it, waiting for the person's yes.
pub enum Pending {
    Rename(RenamePlan),
    Export(ExportPlan),
    Resync(Vec<String>),
    /// Undo of the journal entry `id`; first the new store Outlook built under the old
    /// name is set aside (never overwritten), when there is one.
    Undo {
        set_aside: Option<RenamePlan>,
        id: String,
    },
}

fn err(e: impl std::fmt::Display) -> BackendError {
    BackendError::new(e.to_string())
}

/// A fix's error as the wizard hears it: a Cancel stays a Cancel.
fn fix_err(e: FixError) -> BackendError {
    match e {
        FixError::Cancelled(_) => BackendError::cancelled(e.to_string()),
        e => BackendError::new(e.to_string()),
    }
}

/// What the comparison found, for fixes that act on it.
pub struct Compared<'a> {
    pub report: &'a Report,
    pub store_side: &'a StoreSide,
}

fn renames(plan: &RenamePlan) -> Result<Vec<Action>, BackendError> {
    if plan.blocked() {
        let held: Vec<String> = plan
            .held
            .iter()
            .map(|(file, by)| format!("{} is in use by {}", file.display(), Holder::list(by)))
            .collect();
        return Err(BackendError::new(format!(
            "{}. Close {} and try again.",
            held.join("; "),
            if held.len() == 1 { "it" } else { "them" }
        )));
    }
    Ok(plan
        .renames
        .iter()
        .map(|r| Action::Rename {
            from: r.from.clone(),
            to: r.to.clone(),
        })
        .collect())
}

/// Why a folder cannot take an export, in every language.
pub fn folder_problem(problem: &FolderProblem) -> BackendError {
    match problem {
        FolderProblem::NotAbsolute(p) => {
            let p = p.display();
            BackendError::said(
                format!(
                    "\"{p}\" is not a full path to a folder; choose one from the top, such as C:\\Users\\you\\Documents or /home/you/Documents."
                ),
                format!(
                    "\"{p}\" is geen volledig pad naar een map; kies er een vanaf het begin, zoals C:\\Users\\u\\Documents of /home/u/Documents."
                ),
                format!(
                    "\"{p}\" não é um caminho completo de pasta; escolha um desde o início, como C:\\Users\\voce\\Documents ou /home/voce/Documents."
                ),
            )
        }
        FolderProblem::NotAFolder(p) => {
            let p = p.display();
            BackendError::said(
                format!("{p} is a file, not a folder; choose a folder for the copy."),
                format!("{p} is een bestand, geen map; kies een map voor de kopie."),
                format!("{p} é um arquivo, não uma pasta; escolha uma pasta para a cópia."),
            )
        }
        FolderProblem::NotWritable(p, why) => {
            let p = p.display();
            BackendError::said(
                format!(
                    "The copy cannot be saved in {p}: you may not write there ({why}). Choose another folder."
                ),
                format!(
                    "De kopie kan niet in {p} worden bewaard: u mag daar niet schrijven ({why}). Kies een andere map."
                ),
                format!(
                    "A cópia não pode ser salva em {p}: você não pode gravar ali ({why}). Escolha outra pasta."
                ),
            )
        }
        FolderProblem::NoSpace { folder, free, need } => {
            let (p, free, need) = (
                folder.display(),
                free.div_ceil(1_000_000),
                need.div_ceil(1_000_000),
            );
            BackendError::said(
                format!(
                    "The disk of {p} has {free} MB free, and the copy needs about {need} MB. Free some space or choose a folder on another disk."
                ),
                format!(
                    "De schijf van {p} heeft {free} MB vrij, en de kopie heeft ongeveer {need} MB nodig. Maak ruimte vrij of kies een map op een andere schijf."
                ),
                format!(
                    "O disco de {p} tem {free} MB livres, e a cópia precisa de cerca de {need} MB. Libere espaço ou escolha uma pasta em outro disco."
                ),
            )
        }
    }
}

/// About how many bytes the export will take: the store's size, or for some of its
/// items their share of it.
fn export_size(store: &Path, items: u64, of: Option<u64>) -> u64 {
    let size = std::fs::metadata(store).map_or(0, |m| m.len());
    match of {
        Some(total) if total > 0 => size.saturating_mul(items.min(total)) / total,
        _ => size,
    }
}

pub fn plan(
    name: &str,
    store: &Path,
    export_to: &Path,
    journal: &Journal,
    compared: Option<Compared<'_>>,
) -> Result<(FixPlan, Pending), BackendError> {
    let need_comparison = || {
        BackendError::said(
            "The store has not been compared with the server yet; compare first.",
            "Het bestand is nog niet met de server vergeleken; vergelijk eerst.",
            "O arquivo ainda não foi comparado com o servidor; compare antes.",
        )
    };
    // Exhaustive: a fix the catalogue names and this misses does not compile.
    let (actions, pending) = match Fix::from_name(name) {
        Some(Fix::RenameStoreToOld) => {
            let plan = plan_rename_store(store).map_err(err)?;
            (renames(&plan)?, Pending::Rename(plan))
        }
        Some(Fix::RenameExchangeDlls) => {
            let plan = plan_rename_exchange_files(&search_roots()).map_err(err)?;
            (renames(&plan)?, Pending::Rename(plan))
        }
        Some(Fix::ExportLocalItems) => {
            let c = compared.ok_or_else(need_comparison)?;
            check_export_folder(export_to).map_err(|p| folder_problem(&p))?;
            let dest = export_path_in(export_to, store, "local items");
            let plan = plan_export_local(store, &dest, c.store_side, c.report).map_err(err)?;
            let all = c.store_side.items.values().map(|i| i.len() as u64).sum();
            check_export_room(export_to, export_size(store, plan.items, Some(all)))
                .map_err(|p| folder_problem(&p))?;
            let action = Action::ExportToPst {
                items: plan.items,
                to: plan.dest.clone(),
            };
            (vec![action], Pending::Export(plan))
        }
        Some(Fix::ExportStoreToPst) => {
            check_export_folder(export_to).map_err(|p| folder_problem(&p))?;
            let dest = export_path_in(export_to, store, "backup");
            let plan = plan_export_all(store, &dest).map_err(err)?;
            check_export_room(export_to, export_size(store, plan.items, None))
                .map_err(|p| folder_problem(&p))?;
            let action = Action::ExportToPst {
                items: plan.items,
                to: plan.dest.clone(),
            };
            (vec![action], Pending::Export(plan))
        }
        Some(Fix::ResyncFolder) => {
            let c = compared.ok_or_else(need_comparison)?;
            let folders: Vec<String> = c
                .report
                .folders
                .iter()
                .filter(|r| r.verdict.is_difference() && r.offline_path.is_some())
                .map(|r| r.display_path())
                .collect();
            let actions = folders
                .iter()
                .map(|f| Action::ClearOfflineItems { folder: f.clone() })
                .collect();
            (actions, Pending::Resync(folders))
        }
        Some(Fix::UndoLastFix) => {
            let entry = journal.last_undoable().map_err(err)?.ok_or_else(|| {
                BackendError::said(
                    "There is no rename left to undo.",
                    "Er is geen hernoeming meer om ongedaan te maken.",
                    "Não resta nenhuma renomeação para desfazer.",
                )
            })?;
            // Outlook may have built a new store under the old name since.
            let taken: Vec<_> = entry
                .renames
                .iter()
                .filter(|r| r.done && std::fs::symlink_metadata(&r.from).is_ok())
                .map(|r| r.from.clone())
                .collect();
            let set_aside = if taken.is_empty() {
                None
            } else {
                Some(plan_renames(entry.fix, &taken).map_err(err)?)
            };
            let mut actions = match &set_aside {
                Some(plan) => renames(plan)?,
                None => Vec::new(),
            };
            if set_aside.is_none() {
                // Checks everything an undo needs, changing nothing.
                plan_undo(journal, Some(&entry.id)).map_err(err)?;
            }
            actions.extend(
                entry
                    .renames
                    .iter()
                    .filter(|r| r.done)
                    .map(|r| Action::Rename {
                        from: r.to.clone(),
                        to: r.from.clone(),
                    }),
            );
            let id = entry.id.clone();
            (actions, Pending::Undo { set_aside, id })
        }
        None => return Err(BackendError::new(format!("there is no fix named {name}"))),
    };
    Ok((FixPlan { actions }, pending))
}

fn paths(list: impl IntoIterator<Item = impl AsRef<Path>>) -> Vec<String> {
    list.into_iter()
        .map(|p| p.as_ref().display().to_string())
        .collect()
}

pub fn apply(
    name: &str,
    pending: Pending,
    journal: &Journal,
    work: &mut Work<'_>,
) -> Result<Facts, BackendError> {
    match (Fix::from_name(name), pending) {
        (Some(Fix::RenameStoreToOld), Pending::Rename(plan)) => {
            let done = apply_renames(&plan, journal).map_err(fix_err)?;
            let old = done.renames.first().map(|r| r.to.display().to_string());
            Ok(Facts::new().with("rebuild.old_path", old.unwrap_or_default()))
        }
        (Some(Fix::RenameExchangeDlls), Pending::Rename(plan)) => {
            let done = apply_renames(&plan, journal).map_err(fix_err)?;
            Ok(Facts::new().with("dlls.renamed", paths(done.renames.iter().map(|r| &r.from))))
        }
        (Some(kind @ (Fix::ExportLocalItems | Fix::ExportStoreToPst)), Pending::Export(plan)) => {
            let done = apply_export(&plan, journal, work).map_err(fix_err)?;
            if !done.verification.problems.is_empty() {
                return Err(BackendError::new(format!(
                    "{} was written, but reading it back found: {}",
                    done.dest.display(),
                    done.verification.problems.join("; ")
                )));
            }
            let prefix = if kind == Fix::ExportLocalItems {
                "export"
            } else {
                "backup"
            };
            let losses = done.summary.loss_lines();
            Ok(Facts::new()
                .with(
                    &format!("{prefix}.pst_path"),
                    done.dest.display().to_string(),
                )
                .with(&format!("{prefix}.items"), done.verification.items as i64)
                .with(&format!("{prefix}.lost"), losses.len() as i64)
                .with(&format!("{prefix}.losses"), losses))
        }
        (Some(Fix::ResyncFolder), Pending::Resync(folders)) => {
            Ok(Facts::new().with("resync.folders", folders))
        }
        (Some(Fix::UndoLastFix), Pending::Undo { set_aside, id }) => {
            if let Some(plan) = set_aside {
                apply_renames(&plan, journal).map_err(fix_err)?;
            }
            let plan = plan_undo(journal, Some(&id)).map_err(err)?;
            let done = apply_undo(journal, &plan).map_err(fix_err)?;
            Ok(Facts::new().with("undo.restored", paths(&done.restored)))
        }
        (_, _) => Err(BackendError::new(format!(
            "the plan for {name} was not made here; plan it again"
        ))),
    }
}

/// Opens the journal the fixes write to (see `crate::fix::data_dir`).
pub fn journal() -> Result<Journal, BackendError> {
    Journal::open_default().map_err(err)
}
