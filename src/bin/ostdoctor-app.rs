//! The desktop app's own entry point, for shortcuts and double-clicks: on Windows it is a
//! GUI program, so no console window opens beside it. `ostdoctor` with no command opens
//! the same window from a terminal.
#![cfg_attr(windows, windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    match ostdoctor::ui::run(ostdoctor::ui::Prefill::default()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ostdoctor: cannot open the window: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
