//! A test hook: `OSTDOCTOR_CRASH_AT=POINT` makes the process stop dead at that point of a
//! fix, as a power cut or a killed process would: no destructor runs, no temp file is
//! cleaned up, the journal is left as it stands. The recovery tests run the real fix
//! code up to there and then check what the next start does.
//!
//! Only builds with debug assertions (the test and dev profiles) have it: in the release
//! and `dist` builds that ship, `point` does nothing, so no environment variable can stop
//! a person's fix half-way. The recovery tests therefore run in the test profile.

pub const CRASH_VARIABLE: &str = "OSTDOCTOR_CRASH_AT";

/// The exit status of a process stopped by the hook.
pub const CRASH_STATUS: i32 = 86;

/// The points: the journal says "started" and nothing changed yet; the first rename
/// was made and the journal not yet told; the export's first item was written to its
/// temporary file; the export was renamed into place and not yet read back; an undo was
/// written down and nothing put back yet.
pub const POINTS: &[&str] = &[
    "after_journal",
    "after_rename",
    "mid_export",
    "after_export",
    "undo_after_journal",
];

#[cfg(not(debug_assertions))]
pub(crate) fn point(_name: &str) {}

#[cfg(debug_assertions)]
pub(crate) fn point(name: &str) {
    assert!(POINTS.contains(&name), "no crash point {name}");
    if std::env::var(CRASH_VARIABLE).is_ok_and(|v| v == name) {
        eprintln!("ostdoctor: stopping here as {CRASH_VARIABLE}={name} asks");
        // `exit` runs no destructors of live values: a temp file stays, as after a crash.
        std::process::exit(CRASH_STATUS);
    }
}
