//! The desktop app: egui only. Everything it shows comes from the wizard engine and the
//! doctor; long work runs on worker threads (see `job`), so the window never waits.

mod app;
mod connection;
mod export_folder;
mod folder_table;
mod health;
mod job;
mod mailbox;
mod open;
mod start;
mod views;
mod walk;
mod words;

mod page;
mod remembered;
mod row_end;

pub use app::{APP_ID, App, Screen};
pub use folder_table::{SortBy, TableState};
pub use remembered::{CONFIG_DIR_VARIABLE, Remembered};
pub use start::{FileDialog, ServerChoice, StartChoice, StartPage};
pub use walk::Walk;
pub use words::Words;

/// What the start page shows filled in, from the command line (`ostdoctor gui STORE
/// --imap URL`), so a helpdesk can hand a person a ready shortcut.
#[derive(Clone, Debug, Default)]
pub struct Prefill {
    pub store: Option<std::path::PathBuf>,
    pub imap: Option<String>,
    pub ca_file: Option<std::path::PathBuf>,
    pub language: Option<crate::wizard::Language>,
}

const WINDOW_ICON: &[u8] = include_bytes!("../../assets/icons/ostdoctor-256.png");

/// Opens the window and runs until it is closed. A fix a crash cut off is finished or
/// rolled back first, and the start page says so.
pub fn run(prefill: Prefill) -> eframe::Result {
    let notices: Vec<String> = match crate::fix::recover() {
        Ok(recovered) => recovered
            .iter()
            .map(|r| format!("{}: {}", r.fix.describe(), r.notes.join("; ")))
            .collect(),
        Err(e) => vec![format!("Could not check for interrupted fixes: {e}")],
    };
    let settings = Remembered::default_path();
    let kept = settings
        .as_deref()
        .map(Remembered::load)
        .unwrap_or_default();
    let size = kept
        .window
        .filter(|[w, h]| w.is_finite() && h.is_finite())
        .map_or([1280.0, 800.0], |[w, h]| [w.max(720.0), h.max(480.0)]);
    let mut viewport = eframe::egui::ViewportBuilder::default()
        .with_title("OST Doctor")
        .with_app_id(APP_ID)
        .with_inner_size(size)
        .with_min_inner_size([720.0, 480.0]);
    // The same picture as the menu's icon (assets/ostdoctor.svg, rendered by
    // packaging/icons.sh), for the title bar and the task switcher.
    match eframe::icon_data::from_png_bytes(WINDOW_ICON) {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(e) => eprintln!("ostdoctor: the window icon could not be read: {e}"),
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    eframe::run_native(
        "OST Doctor",
        options,
        Box::new(|cc| {
            let mut app = App::new(&cc.egui_ctx);
            app.notices = notices;
            // What the last run kept, then what the command line says over it.
            if let Some(path) = settings {
                app.remember_in(path, kept);
            }
            app.prefill(prefill);
            Ok(Box::new(app))
        }),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_window_icon_is_a_square_picture_the_window_can_show() {
        let icon = eframe::icon_data::from_png_bytes(super::WINDOW_ICON).expect("a PNG");
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
        // Not a blank square: the picture has opaque parts and transparent corners.
        assert_eq!(icon.rgba[3], 0, "the corner is transparent");
        assert!(icon.rgba.chunks(4).filter(|p| p[3] == 255).count() > 256 * 256 / 2);
    }
}
