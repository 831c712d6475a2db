//! The shipped flows, built into the program so that it never depends on finding
//! `wizards/` at run time. A test checks this list against the folder.

macro_rules! flows {
    ($($name:literal),* $(,)?) => {
        pub(super) const FILES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../../wizards/", $name)))),*
        ];
    };
}

flows!(
    "compare.ron",
    "main.ron",
    "moved_mailbox.ron",
    "profile.ron",
    "rebuild.ron",
    "support_files.ron",
    "sync.ron",
    "sync_errors.ron",
);
