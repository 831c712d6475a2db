//! The contract between the flows and the backend: every check, fix and statistics view
//! a flow may name, and every fact each check or fix reports, with its type.
//!
//! The loader rejects flows that name anything not listed here; the engine rejects a
//! backend answer that leaves out a listed fact, adds an unlisted one or gives one the
//! wrong type. A backend implements exactly these names.

use super::facts::{FactKind, FactValue, Facts};
use super::names::{Check, Fix, View};

/// One fact a check or fix reports.
#[derive(Debug)]
pub struct FactSpec {
    pub name: &'static str,
    pub kind: FactKind,
    /// For text facts and list items: the only values allowed. Empty: any value.
    pub values: &'static [&'static str],
    pub meaning: &'static str,
}

/// A named backend operation: a check (reads, changes nothing) or a fix (changes files).
#[derive(Debug)]
pub struct OperationSpec {
    pub name: &'static str,
    pub does: &'static str,
    /// The facts it reports, every one of them, every time it succeeds.
    pub facts: &'static [FactSpec],
}

/// A statistics view: something the UI renders from what a check found.
#[derive(Debug)]
pub struct ViewSpec {
    pub name: &'static str,
    pub shows: &'static str,
    /// The check whose findings the view shows; it must have run before the view.
    pub needs: &'static str,
}

const fn fact(
    name: &'static str,
    kind: FactKind,
    values: &'static [&'static str],
    meaning: &'static str,
) -> FactSpec {
    FactSpec {
        name,
        kind,
        values,
        meaning,
    }
}

use FactKind::{Bool, Int, List, Text};

/// Stable names of the Outlook messages a sync log or the user may report.
pub const SYNC_MESSAGES: &[&str] = &[
    "background_sync_error",
    "public_folder_server",
    "not_outlook_data_file",
    "different_mailbox",
];

pub static CHECKS: &[OperationSpec] = &[
    OperationSpec {
        name: Check::OpenStore.name(),
        does: "Opens the store file read-only and reads its header and folder tree.",
        facts: &[
            fact(
                "store.is_outlook_file",
                Bool,
                &[],
                "the header is that of an Outlook data file (.ost, .pst)",
            ),
            fact(
                "store.kind",
                Text,
                &["ost", "pst", "other"],
                "offline store, personal store, or anything else",
            ),
            fact(
                "store.format",
                Text,
                &["ansi", "unicode", "unicode_4k", "unknown"],
                "the on-disk format",
            ),
            fact("store.path", Text, &[], "the store's full path"),
            fact(
                "store.folder_count",
                Int,
                &[],
                "folders in the store (0 if it cannot be read)",
            ),
            fact(
                "store.item_count",
                Int,
                &[],
                "items in the store (0 if it cannot be read)",
            ),
            fact(
                "store.password_protected",
                Bool,
                &[],
                "Outlook asks for the store's password before it opens the file",
            ),
            fact("store.size_mb", Int, &[], "the file's size in MiB"),
            fact(
                "store.size_limit_mb",
                Int,
                &[],
                "where Outlook stops adding to a file of this format by default, in MiB \
                 (2,048 for ANSI, 51,200 for Unicode)",
            ),
            fact(
                "store.near_size_limit",
                Bool,
                &[],
                "the file has reached 95% of that limit",
            ),
        ],
    },
    OperationSpec {
        name: Check::CheckStoreStructure.name(),
        does: "Walks every page, block and table of the store and checks their checksums and links.",
        facts: &[
            fact(
                "store.damaged",
                Bool,
                &[],
                "at least one structure is broken",
            ),
            fact(
                "store.problems",
                List,
                &[],
                "one line per problem found, for people to read",
            ),
        ],
    },
    OperationSpec {
        name: Check::CompareWithServer.name(),
        does: "Counts the items in every folder of the store and of the mailbox on the server and compares them.",
        facts: &[
            fact(
                "compare.folders_compared",
                Int,
                &[],
                "folders the comparison could judge: in step, differing, or differing only by \
                 the sync window",
            ),
            fact(
                "compare.folders_differing",
                Int,
                &[],
                "folders whose offline count differs from the server count",
            ),
            fact(
                "compare.differing_folders",
                List,
                &[],
                "names of those folders",
            ),
            fact(
                "compare.folders_sync_window",
                Int,
                &[],
                "folders that differ only by items older than the period Outlook keeps offline \
                 (its cached-mode sync window): a setting, not a fault",
            ),
            fact(
                "compare.sync_window_folders",
                List,
                &[],
                "names of those folders",
            ),
            fact(
                "compare.only_inbox_differs",
                Bool,
                &[],
                "every folder is in step except the Inbox",
            ),
            fact(
                "compare.none_in_sync",
                Bool,
                &[],
                "no folder is in step (and at least one was compared)",
            ),
            fact(
                "compare.local_only_items",
                Int,
                &[],
                "items in the store that the server does not have (at least: where only counts were compared, the count difference)",
            ),
            fact(
                "compare.server_only_items",
                Int,
                &[],
                "items on the server that the store does not have (at least, as above)",
            ),
        ],
    },
    OperationSpec {
        name: Check::ReadSyncLogs.name(),
        does: "Reads the \"Synchronization Log:\" messages in Sync Issues and Deleted Items.",
        facts: &[
            fact("sync_log.count", Int, &[], "synchronization logs found"),
            fact(
                "sync_log.error_count",
                Int,
                &[],
                "errors the logs record, each code in each section once (0 for logs that only \
                 record a synchronization)",
            ),
            fact(
                "sync_log.codes",
                List,
                &[],
                "distinct error codes, eight upper-case hex digits (\"8004010F\")",
            ),
            fact(
                "sync_log.errors",
                List,
                &[],
                "where each code occurred, as \"section/CODE\"; sections: organization_forms, \
                 offline_address_book, hierarchy, public_folders, mailbox, other",
            ),
            fact(
                "sync_log.messages",
                List,
                SYNC_MESSAGES,
                "known Outlook messages found in the logs",
            ),
        ],
    },
    OperationSpec {
        name: Check::OutlookRunning.name(),
        does: "Looks for running programs that keep the store or Outlook's files open.",
        facts: &[
            fact(
                "outlook.running",
                Bool,
                &[],
                "Outlook, or Word used as Outlook's editor, is running",
            ),
            fact(
                "outlook.processes",
                List,
                &[],
                "the program names found (\"OUTLOOK.EXE\", \"WINWORD.EXE\")",
            ),
        ],
    },
    OperationSpec {
        name: Check::DetectCachedMode.name(),
        does: "Reads the Outlook profile to see whether Cached Exchange Mode is on, where the platform allows.",
        facts: &[
            fact(
                "profile.detected",
                Bool,
                &[],
                "the profile could be read on this platform",
            ),
            fact(
                "profile.cached_mode",
                Bool,
                &[],
                "Cached Exchange Mode is on (false when not detected)",
            ),
            fact(
                "profile.name",
                Text,
                &[],
                "the profile's name (empty when not detected)",
            ),
        ],
    },
    OperationSpec {
        name: Check::CheckStoreOwner.name(),
        does: "Compares the mailbox the store was made for with the mailbox of the account now in use.",
        facts: &[
            fact(
                "owner.known",
                Bool,
                &[],
                "both mailboxes could be determined",
            ),
            fact(
                "owner.matches",
                Bool,
                &[],
                "the store belongs to the account's mailbox (false when not known)",
            ),
            fact(
                "owner.store_mailbox",
                Text,
                &[],
                "the mailbox recorded in the store (empty when not known)",
            ),
            fact(
                "owner.store_known",
                Bool,
                &[],
                "the store records its mailbox, whether or not the account's is known",
            ),
            fact(
                "owner.account_mailbox",
                Text,
                &[],
                "the account's mailbox (empty when not known)",
            ),
            fact(
                "owner.dn_trailing_space",
                Bool,
                &[],
                "the Exchange address the store records ends with a space (Outlook then shows Disconnected)",
            ),
        ],
    },
    OperationSpec {
        name: Check::FindExchangeSupportFiles.name(),
        does: "Looks for Emsabp32.dll, Emsmdb32.dll and Emsui32.dll in Office's MAPI folders.",
        facts: &[
            fact(
                "support_files.count",
                Int,
                &[],
                "how many of the three files were found",
            ),
            fact(
                "support_files.found",
                List,
                &[],
                "full paths of the files found",
            ),
        ],
    },
];

pub static FIXES: &[OperationSpec] = &[
    OperationSpec {
        name: Fix::RenameStoreToOld.name(),
        does: "Renames the store to .old so that Outlook builds a new one from the server.",
        facts: &[fact(
            "rebuild.old_path",
            Text,
            &[],
            "where the old store now is",
        )],
    },
    OperationSpec {
        name: Fix::ExportLocalItems.name(),
        does: "Copies the items the server does not have into a new .pst file.",
        facts: &[
            fact("export.pst_path", Text, &[], "the .pst written"),
            fact("export.items", Int, &[], "items copied"),
            fact(
                "export.lost",
                Int,
                &[],
                "items and parts of items left out because they could not be read",
            ),
            fact(
                "export.losses",
                List,
                &[],
                "one line per item or part left out: folder, subject, what, why",
            ),
        ],
    },
    OperationSpec {
        name: Fix::ExportStoreToPst.name(),
        does: "Copies every item of the store into a new .pst file.",
        facts: &[
            fact("backup.pst_path", Text, &[], "the .pst written"),
            fact("backup.items", Int, &[], "items copied"),
            fact(
                "backup.lost",
                Int,
                &[],
                "items and parts of items left out because they could not be read",
            ),
            fact(
                "backup.losses",
                List,
                &[],
                "one line per item or part left out: folder, subject, what, why",
            ),
        ],
    },
    OperationSpec {
        name: Fix::RenameExchangeDlls.name(),
        does: "Renames Emsabp32.dll, Emsmdb32.dll and Emsui32.dll to .old so that an Office repair puts back fresh copies.",
        facts: &[fact(
            "dlls.renamed",
            List,
            &[],
            "full paths of the files renamed",
        )],
    },
    OperationSpec {
        name: Fix::ResyncFolder.name(),
        does: "Guides the person through Outlook's Clear Offline Items for each folder that differs from the server, so that Outlook downloads it again.",
        facts: &[fact(
            "resync.folders",
            List,
            &[],
            "the folders to clear in Outlook",
        )],
    },
    OperationSpec {
        name: Fix::UndoLastFix.name(),
        does: "Reverses the last rename this program made (store or support files).",
        facts: &[fact(
            "undo.restored",
            List,
            &[],
            "full paths of the files put back",
        )],
    },
];

pub static VIEWS: &[ViewSpec] = &[
    ViewSpec {
        name: View::FolderCounts.name(),
        shows: "each folder with its server count, offline count and last synchronization",
        needs: Check::CompareWithServer.name(),
    },
    ViewSpec {
        name: View::LocalOnlyItems.name(),
        shows: "the items that exist only in the store, by folder",
        needs: Check::CompareWithServer.name(),
    },
    ViewSpec {
        name: View::SyncLog.name(),
        shows: "the synchronization logs, errors first",
        needs: Check::ReadSyncLogs.name(),
    },
    ViewSpec {
        name: View::StoreProblems.name(),
        shows: "the structural problems found in the store",
        needs: Check::CheckStoreStructure.name(),
    },
];

pub fn check(name: &str) -> Option<&'static OperationSpec> {
    CHECKS.iter().find(|c| c.name == name)
}

pub fn fix(name: &str) -> Option<&'static OperationSpec> {
    FIXES.iter().find(|f| f.name == name)
}

pub fn view(name: &str) -> Option<&'static ViewSpec> {
    VIEWS.iter().find(|v| v.name == name)
}

/// A fact's declaration and the operation that reports it.
pub fn fact_spec(name: &str) -> Option<(&'static FactSpec, &'static OperationSpec)> {
    CHECKS.iter().chain(FIXES).find_map(|op| {
        op.facts
            .iter()
            .find(|f| f.name == name)
            .map(|spec| (spec, op))
    })
}

impl FactSpec {
    /// Whether `value` is allowed for this fact; `Err` says why not.
    pub fn admits(&self, value: &FactValue) -> Result<(), String> {
        if value.kind() != self.kind {
            return Err(format!(
                "`{}` must be {}, not {}",
                self.name,
                self.kind,
                value.kind()
            ));
        }
        let words: &[String] = match value {
            FactValue::Text(s) => std::slice::from_ref(s),
            FactValue::List(items) => items,
            _ => &[],
        };
        match words
            .iter()
            .find(|w| !self.values.is_empty() && !self.values.contains(&w.as_str()))
        {
            Some(bad) => Err(format!(
                "`{}` cannot be \"{bad}\"; it is one of: {}",
                self.name,
                self.values.join(", ")
            )),
            None => Ok(()),
        }
    }
}

impl OperationSpec {
    /// Checks a backend's answer against this declaration: every declared fact present
    /// with an allowed value, nothing undeclared.
    pub fn conform(&self, facts: &Facts) -> Result<(), String> {
        for spec in self.facts {
            match facts.get(spec.name) {
                None => return Err(format!("`{}` is missing", spec.name)),
                Some(value) => spec.admits(value)?,
            }
        }
        match facts
            .iter()
            .find(|(name, _)| !self.facts.iter().any(|s| s.name == *name))
        {
            Some((name, _)) => Err(format!("`{name}` is not one of its facts")),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    /// The catalogue describes every named check, fix and view, each once, in the
    /// enums' order: the names and their descriptions cannot drift apart.
    #[test]
    fn the_catalogue_describes_every_named_operation_and_view_once() {
        let names = |ops: &[OperationSpec]| ops.iter().map(|o| o.name).collect::<Vec<_>>();
        let checks: Vec<_> = Check::ALL.iter().map(|c| c.name()).collect();
        let fixes: Vec<_> = Fix::ALL.iter().map(|f| f.name()).collect();
        let views: Vec<_> = View::ALL.iter().map(|v| v.name()).collect();
        assert_eq!(names(CHECKS), checks);
        assert_eq!(names(FIXES), fixes);
        assert_eq!(VIEWS.iter().map(|v| v.name).collect::<Vec<_>>(), views);
        for view in VIEWS {
            assert!(
                Check::from_name(view.needs).is_some(),
                "{} needs {}",
                view.name,
                view.needs
            );
        }
        for check in Check::ALL {
            assert_eq!(Check::from_name(check.name()), Some(*check));
        }
        assert_eq!(Fix::from_name("no_such_fix"), None);
    }

    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique() {
        let mut ops = BTreeSet::new();
        let mut facts = BTreeSet::new();
        for op in CHECKS.iter().chain(FIXES) {
            assert!(ops.insert(op.name), "operation {} listed twice", op.name);
            for f in op.facts {
                assert!(facts.insert(f.name), "fact {} listed twice", f.name);
            }
        }
        let views: BTreeSet<_> = VIEWS.iter().map(|v| v.name).collect();
        assert_eq!(views.len(), VIEWS.len());
    }

    #[test]
    fn views_need_known_checks() {
        for v in VIEWS {
            assert!(
                check(v.needs).is_some(),
                "view {} needs {}",
                v.name,
                v.needs
            );
        }
    }

    #[test]
    fn conform_names_the_problem() {
        let op = check("outlook_running").unwrap();
        let good = Facts::new()
            .with("outlook.running", true)
            .with("outlook.processes", vec!["OUTLOOK.EXE".to_owned()]);
        assert_eq!(op.conform(&good), Ok(()));

        let missing = Facts::new().with("outlook.running", true);
        assert!(
            op.conform(&missing)
                .unwrap_err()
                .contains("outlook.processes")
        );

        let wrong = good.clone().with("outlook.running", 1);
        assert!(op.conform(&wrong).unwrap_err().contains("yes/no"));

        let extra = good.with("outlook.pid", 4);
        assert!(op.conform(&extra).unwrap_err().contains("outlook.pid"));
    }

    #[test]
    fn vocabulary_is_enforced() {
        let (spec, op) = fact_spec("store.kind").unwrap();
        assert_eq!(op.name, "open_store");
        assert!(spec.admits(&FactValue::Text("ost".into())).is_ok());
        assert!(spec.admits(&FactValue::Text("OST".into())).is_err());
        let (messages, _) = fact_spec("sync_log.messages").unwrap();
        assert!(
            messages
                .admits(&FactValue::List(vec!["different_mailbox".into()]))
                .is_ok()
        );
        assert!(
            messages
                .admits(&FactValue::List(vec!["typo".into()]))
                .is_err()
        );
    }
}
