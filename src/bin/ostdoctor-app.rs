//! The desktop app's own entry point, for shortcuts and double-clicks: on Windows it is a
//! GUI program, so no console window opens beside it. `ostdoctor` with no command opens
//! the same window from a terminal. A file manager passes the store that was opened with
//! it as the one argument (the desktop entry's `%f`, Windows' "Open with").
#![cfg_attr(windows, windows_subsystem = "windows")]

#[path = "../allocator.rs"]
mod allocator;

fn main() -> std::process::ExitCode {
    allocator::init();
    let prefill = ostdoctor::ui::Prefill {
        store: std::env::args_os().nth(1).map(std::path::PathBuf::from),
        ..Default::default()
    };
    match ostdoctor::ui::run(prefill) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ostdoctor: cannot open the window: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
