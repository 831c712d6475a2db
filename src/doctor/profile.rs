//! The `detect_cached_mode` check. Outlook keeps its profiles in the Windows registry
//! (`HKCU\Software\Microsoft\Office\16.0\Outlook\Profiles`); where there is no such
//! registry this says so, and the flow asks the person instead of guessing.

use crate::wizard::Facts;

pub fn detect_cached_mode() -> Facts {
    let (detected, cached, name) = read_profile();
    Facts::new()
        .with("profile.detected", detected)
        .with("profile.cached_mode", cached)
        .with("profile.name", name)
}

/// This platform has no Outlook profile to read: not detected, so the flow asks.
fn read_profile() -> (bool, bool, String) {
    (false, false, String::new())
}
