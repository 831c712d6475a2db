//! The allocator both programs use: mimalloc, in place of the C library's malloc.
//!
//! An export allocates and frees a few hundred small buffers per item (its values, rows
//! and blocks) on three threads, and the C library's malloc and free took a third of its
//! samples. With mimalloc, a 200,000-message export takes about a fifth less time and a
//! check the same (tests/bench/speed-vs-peers.sh).
//!
//! Two settings differ from mimalloc's own, so that memory is held no longer than the C
//! library held it: freed memory goes back to the system after 2 ms rather than a second
//! (with the default, a check of a 5 GB store peaked at 124 MB rather than 81), and its
//! first arena is not committed when it is reserved. They are set before `main`: the
//! runtime's first allocation already reserves that arena.

use libmimalloc_sys::{mi_option_set, mi_option_t};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_arena_eager_commit` and `mi_option_purge_delay` in the `mimalloc.h` of the
/// mimalloc 3 that libmimalloc-sys 0.1.49 builds (pinned in Cargo.toml), which its bindings
/// do not name. Checked against that header and against the `MIMALLOC_*` variables.
const ARENA_EAGER_COMMIT: mi_option_t = 4;
const PURGE_DELAY: mi_option_t = 15;

/// Milliseconds before freed memory goes back to the system: 0 made a check a tenth
/// slower (every free a system call), 10 held a 5 GB store's export at 90 MB, not 84.
const PURGE_DELAY_MS: i64 = 2;

extern "C" fn settings() {
    // SAFETY: setting an option is allowed at any time, from any thread.
    unsafe {
        mi_option_set(ARENA_EAGER_COMMIT, 0);
        mi_option_set(PURGE_DELAY, PURGE_DELAY_MS as _);
    }
}

/// Run by the loader before `main` and before any allocation (ELF's `.init_array`). A
/// system without it gets the settings from [`init`], at the start of `main`, after an
/// allocation or two: the same limits, with the first arena committed.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static SETTINGS_BEFORE_MAIN: extern "C" fn() = settings;

/// Makes sure the settings are in place; called first thing in `main`.
pub fn init() {
    #[cfg(not(target_os = "linux"))]
    settings();
}

/// The settings in force, as mimalloc reports them: (eager commit, purge delay).
#[cfg(test)]
fn in_force() -> (i64, i64) {
    // SAFETY: reading an option is allowed at any time, from any thread.
    unsafe {
        (
            libmimalloc_sys::mi_option_get(ARENA_EAGER_COMMIT) as i64,
            libmimalloc_sys::mi_option_get(PURGE_DELAY) as i64,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test harness's `main` is not ours, so on Linux only the loader can have set
    /// them; elsewhere `init` does.
    #[test]
    fn the_allocator_holds_freed_memory_briefly() {
        init();
        assert_eq!(in_force(), (0, PURGE_DELAY_MS));
    }
}
