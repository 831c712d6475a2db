//! The names of the checks, fixes and statistics views, each written once. The catalogue
//! describes them, the flows name them, the doctor carries them out and the window draws
//! the views: each of those matches on these enums, so a name one of them misses does not
//! compile, and a name a flow gives that none of them knows is refused when loaded.

/// An enum of names with its spelling in the flows.
macro_rules! names {
    ($(#[$meta:meta])* $enum:ident { $($(#[$vmeta:meta])* $variant:ident = $name:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $enum {
            $($(#[$vmeta])* $variant,)*
        }

        impl $enum {
            /// Every one, in the catalogue's order.
            pub const ALL: &[$enum] = &[$($enum::$variant),*];

            /// As the flows write it.
            pub const fn name(self) -> &'static str {
                match self {
                    $($enum::$variant => $name,)*
                }
            }

            pub fn from_name(name: &str) -> Option<$enum> {
                match name {
                    $($name => Some($enum::$variant),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $enum {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

names!(
    /// A check: reads, changes nothing.
    Check {
        OpenStore = "open_store",
        CheckStoreStructure = "check_store_structure",
        CompareWithServer = "compare_with_server",
        ReadSyncLogs = "read_sync_logs",
        OutlookRunning = "outlook_running",
        DetectCachedMode = "detect_cached_mode",
        CheckStoreOwner = "check_store_owner",
        FindExchangeSupportFiles = "find_exchange_support_files",
    }
);

names!(
    /// A fix: planned, confirmed, journaled.
    Fix {
        RenameStoreToOld = "rename_store_to_old",
        ExportLocalItems = "export_local_items",
        ExportStoreToPst = "export_store_to_pst",
        RenameExchangeDlls = "rename_exchange_dlls",
        ResyncFolder = "resync_folder",
        UndoLastFix = "undo_last_fix",
    }
);

names!(
    /// A statistics view a page shows.
    View {
        FolderCounts = "folder_counts",
        LocalOnlyItems = "local_only_items",
        SyncLog = "sync_log",
        StoreProblems = "store_problems",
    }
);
