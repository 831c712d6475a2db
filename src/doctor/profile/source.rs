//! Where the current user's registry comes from: the one platform seam of the profile
//! check. Windows: `reg export` of the three keys that matter, read as text. Elsewhere:
//! the Wine prefix's `user.reg` (`$WINEPREFIX`, else `~/.wine`).

use std::path::Path;

use super::registry::{Registry, decode};

/// The keys the check reads, exported on Windows.
#[cfg(windows)]
const KEYS: [&str; 3] = [
    "HKCU\\Software\\Microsoft\\Office",
    "HKCU\\Software\\Policies\\Microsoft\\Office",
    "HKCU\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles",
];

#[cfg(windows)]
pub fn current_user() -> Option<Registry> {
    let dir = std::env::temp_dir().join(format!("ostdoctor-reg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let mut registry = Registry::default();
    for (i, key) in KEYS.iter().enumerate() {
        let file = dir.join(format!("{i}.reg"));
        // A key that does not exist makes reg.exe fail: that part is simply absent.
        let exported = std::process::Command::new("reg")
            .args(["export", key])
            .arg(&file)
            .arg("/y")
            .output()
            .is_ok_and(|o| o.status.success());
        if exported && let Ok(bytes) = std::fs::read(&file) {
            registry.merge(Registry::parse(&decode(&bytes)));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Some(registry)
}

#[cfg(not(windows))]
pub fn current_user() -> Option<Registry> {
    let prefix = match std::env::var_os("WINEPREFIX") {
        Some(prefix) => std::path::PathBuf::from(prefix),
        None => directories::BaseDirs::new()?.home_dir().join(".wine"),
    };
    wine_prefix(&prefix)
}

/// The registry of a Wine prefix's user, `None` when the prefix has none. (On Windows only
/// the tests use it.)
#[cfg_attr(windows, allow(dead_code))]
pub fn wine_prefix(prefix: &Path) -> Option<Registry> {
    let bytes = std::fs::read(prefix.join("user.reg")).ok()?;
    Some(Registry::parse(&decode(&bytes)))
}
