//! What the window keeps between runs, in the app's config folder: the language, theme,
//! text size and window size, the last store, the mailbox settings and the folder for
//! copies. Never a
//! password. A file that cannot be read is ignored (the defaults come back), never fatal.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::start::{ServerChoice, StartPage};
use crate::wizard::Language;

/// `OSTDOCTOR_CONFIG_DIR` names another folder (tests, portable installs).
pub const CONFIG_DIR_VARIABLE: &str = "OSTDOCTOR_CONFIG_DIR";
const FILE_NAME: &str = "settings.ron";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Remembered {
    /// `en`, `nl` or `pt`.
    pub language: Option<String>,
    pub dark: Option<bool>,
    pub zoom: Option<f32>,
    /// The window's inner size in points.
    pub window: Option<[f32; 2]>,
    pub store: Option<String>,
    /// `imap`, `graph` or `none`.
    pub server: Option<String>,
    pub imap_url: Option<String>,
    pub ca_file: Option<String>,
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    /// The folder the person chose for the copies a fix saves (.pst).
    pub export_folder: Option<String>,
}

impl Remembered {
    /// Where the settings live: `$OSTDOCTOR_CONFIG_DIR/settings.ron`, else the system's
    /// config folder for the app (`~/.config/ostdoctor` on Linux, `%APPDATA%` on Windows).
    pub fn default_path() -> Option<PathBuf> {
        let dir = match std::env::var_os(CONFIG_DIR_VARIABLE).filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => directories::ProjectDirs::from("", "", "OST Doctor")?
                .config_dir()
                .to_path_buf(),
        };
        Some(dir.join(FILE_NAME))
    }

    /// The settings in `path`; the defaults when there are none or they cannot be read
    /// (said on stderr: a damaged settings file must not keep the app from starting).
    pub fn load(path: &Path) -> Remembered {
        match std::fs::read_to_string(path) {
            Ok(text) => ron::from_str(&text).unwrap_or_else(|e| {
                eprintln!(
                    "ostdoctor: {}: the saved settings could not be read ({e}); starting afresh",
                    path.display()
                );
                Remembered::default()
            }),
            Err(_) => Remembered::default(),
        }
    }

    /// Writes the settings next to their place and renames them over it, so a crash
    /// mid-write leaves the old ones.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default())
            .map_err(std::io::Error::other)?;
        let partial = path.with_extension("ron.partial");
        std::fs::write(&partial, text)?;
        std::fs::rename(&partial, path)
    }

    pub fn language(&self) -> Option<Language> {
        let code = self.language.as_deref()?;
        Language::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Takes what the start page holds (all but the password).
    pub fn take_start(&mut self, page: &StartPage) {
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        self.store = text(&page.path);
        self.server = Some(
            match page.mailbox.server {
                ServerChoice::None => "none",
                ServerChoice::Imap => "imap",
                ServerChoice::Graph => "graph",
            }
            .to_owned(),
        );
        self.imap_url = text(&page.mailbox.imap_url);
        self.ca_file = text(&page.mailbox.ca_file);
        self.tenant = text(&page.mailbox.tenant);
        self.client_id = text(&page.mailbox.client_id);
    }

    /// Fills the start page with what was kept.
    pub fn fill_start(&self, page: &mut StartPage) {
        if let Some(store) = &self.store {
            page.path = store.clone();
        }
        page.mailbox.server = match self.server.as_deref() {
            Some("imap") => ServerChoice::Imap,
            Some("graph") => ServerChoice::Graph,
            _ => page.mailbox.server,
        };
        for (kept, field) in [
            (&self.imap_url, &mut page.mailbox.imap_url),
            (&self.ca_file, &mut page.mailbox.ca_file),
            (&self.tenant, &mut page.mailbox.tenant),
            (&self.client_id, &mut page.mailbox.client_id),
        ] {
            if let Some(kept) = kept {
                field.clone_from(kept);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A settings file's place in a folder not made yet, inside a scratch folder.
    fn scratch(name: &str) -> (crate::temp::TempDir, PathBuf) {
        let dir = crate::temp::TempDir::new(&format!("remembered-{name}"));
        let path = dir.path().join("nested").join(FILE_NAME);
        (dir, path)
    }

    #[test]
    fn settings_come_back_as_saved_and_a_password_is_never_kept() {
        let (_scratch, path) = scratch("roundtrip");
        let mut page = StartPage::new();
        page.path = "/home/ana/ana@contoso.com.ost".into();
        page.mailbox.server = ServerChoice::Imap;
        page.mailbox.imap_url = "imaps://ana@mail.contoso.com".into();
        page.mailbox.password = "s3cret".into();
        let mut kept = Remembered {
            language: Some("nl".into()),
            dark: Some(false),
            zoom: Some(2.0),
            window: Some([1000.0, 700.0]),
            ..Remembered::default()
        };
        kept.take_start(&page);
        kept.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("s3cret"), "{text}");

        let back = Remembered::load(&path);
        assert_eq!(back, kept);
        assert_eq!(back.language(), Some(Language::Dutch));
        let mut fresh = StartPage::new();
        back.fill_start(&mut fresh);
        assert_eq!(fresh.path, page.path);
        assert_eq!(fresh.mailbox.server, ServerChoice::Imap);
        assert_eq!(fresh.mailbox.imap_url, page.mailbox.imap_url);
        assert_eq!(fresh.mailbox.password, "");
    }

    #[test]
    fn a_missing_or_damaged_file_gives_the_defaults() {
        let (_scratch, path) = scratch("damaged");
        assert_eq!(Remembered::load(&path), Remembered::default());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "(language: Some(\"nl\"), zoom: \"big\"").unwrap();
        assert_eq!(Remembered::load(&path), Remembered::default());
        // Fields it does not know (from a newer version) are no reason to forget the rest.
        std::fs::write(&path, "(language: Some(\"pt\"), future: 1)").unwrap();
        assert_eq!(
            Remembered::load(&path).language(),
            Some(Language::Portuguese)
        );
    }
}
