//! The `detect_cached_mode` check: whether the Outlook profile in use keeps an offline copy
//! of the mailbox ("Use Cached Exchange Mode"), read from the current user's registry.
//!
//! Outlook 2013 and later keep their profiles under
//! `HKCU\Software\Microsoft\Office\<version>\Outlook\Profiles\<name>`, older ones under
//! `HKCU\Software\Microsoft\Windows NT\CurrentVersion\Windows Messaging Subsystem\Profiles`;
//! the default profile's name is the `DefaultProfile` value beside them. The Exchange
//! account's section of the profile holds `00036601` (PR_PROFILE_CONFIG_FLAGS, a 32-bit
//! flag set): bit 0x80 is Cached Exchange Mode (`84 19 00 00` on, `04 16 00 00` off). An
//! administrator's policy, `HKCU\Software\Policies\Microsoft\Office\<version>\Outlook\
//! Cached Mode` `Enable`, overrides the profile when set.
//!
//! One seam for the platform (`source`): Windows exports those keys with `reg export`;
//! elsewhere Outlook runs under Wine, whose prefix keeps the same registry as `user.reg`.
//! Both are read by one parser (`registry`). Where there is neither, or no Exchange
//! profile, the check says "not detected" and the flow asks the person.

mod registry;
mod source;

use registry::Registry;

use crate::wizard::Facts;

/// The bit of PR_PROFILE_CONFIG_FLAGS that is "Use Cached Exchange Mode".
const CACHED_MODE_BIT: u32 = 0x80;
const CONFIG_FLAGS: &str = "00036601";
/// Office versions whose Outlook keeps profiles under its own key, newest first.
const OFFICE_VERSIONS: [&str; 2] = ["16.0", "15.0"];
const MESSAGING_PROFILES: &str =
    "Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles";

pub fn detect_cached_mode() -> Facts {
    let found = source::current_user().and_then(|registry| cached_mode(&registry));
    facts(found.as_ref())
}

fn facts(found: Option<&Profile>) -> Facts {
    Facts::new()
        .with("profile.detected", found.is_some())
        .with("profile.cached_mode", found.is_some_and(|p| p.cached_mode))
        .with(
            "profile.name",
            found.map(|p| p.name.clone()).unwrap_or_default(),
        )
}

/// What the registry says of the profile Outlook opens.
#[derive(Debug, PartialEq, Eq)]
struct Profile {
    name: String,
    cached_mode: bool,
}

/// The default profile's cached mode, the policy applied; `None` when there is no
/// profile with an Exchange account to read.
fn cached_mode(registry: &Registry) -> Option<Profile> {
    let mut places: Vec<(String, Option<&str>)> = OFFICE_VERSIONS
        .iter()
        .map(|v| {
            (
                format!("Software\\Microsoft\\Office\\{v}\\Outlook"),
                Some(*v),
            )
        })
        .collect();
    places.push((MESSAGING_PROFILES.to_string(), None));
    for (outlook, version) in places {
        let profiles = if version.is_some() {
            format!("{outlook}\\Profiles")
        } else {
            outlook.clone()
        };
        let names = registry.subkeys(&profiles);
        if names.is_empty() {
            continue;
        }
        let default = registry
            .value(&outlook, "DefaultProfile")
            .and_then(|v| v.as_text());
        // The named default, or the only profile there is.
        let name = match default {
            Some(d) if names.iter().any(|n| n.eq_ignore_ascii_case(&d)) => d,
            _ if names.len() == 1 => names[0].clone(),
            _ => continue,
        };
        let flags: Vec<u32> = registry
            .keys_with(&format!("{profiles}\\{name}"), CONFIG_FLAGS)
            .into_iter()
            .filter_map(|(_, v)| v.as_u32())
            .collect();
        if flags.is_empty() {
            // A profile without an Exchange account (IMAP or POP only): nothing to say.
            continue;
        }
        let mut cached = flags.iter().any(|f| f & CACHED_MODE_BIT != 0);
        if let Some(forced) = version.and_then(|v| policy(registry, v)) {
            cached = forced;
        }
        return Some(Profile {
            name,
            cached_mode: cached,
        });
    }
    None
}

/// The administrator's setting, when there is one: on or off for every profile.
fn policy(registry: &Registry, version: &str) -> Option<bool> {
    let key = format!("Software\\Policies\\Microsoft\\Office\\{version}\\Outlook\\Cached Mode");
    registry
        .value(&key, "Enable")
        .and_then(|v| v.as_u32())
        .map(|n| n != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wizard::FactValue;

    /// A Wine prefix's `user.reg` as Outlook 2016 leaves it: two profiles, the default
    /// one with its Exchange section. `flags` is the `00036601` value's bytes.
    fn user_reg(default: &str, flags: &str, policy: Option<u32>) -> String {
        let mut text = format!(
            "WINE REGISTRY Version 2\n;; All keys relative to \\\\User\\\\S-1-5-21-1-2-3-1000\n\n\
             #arch=win64\n\n\
             [Software\\\\Microsoft\\\\Office\\\\16.0\\\\Outlook] 1733212345\n\
             \"DefaultProfile\"=\"{default}\"\n\n\
             [Software\\\\Microsoft\\\\Office\\\\16.0\\\\Outlook\\\\Profiles\\\\Outlook\\\\13dbb0c8aa05101a9bb000aa002fc45a] 1733212345\n\
             \"00036601\"=hex:{flags}\n\n\
             [Software\\\\Microsoft\\\\Office\\\\16.0\\\\Outlook\\\\Profiles\\\\Old\\\\13dbb0c8aa05101a9bb000aa002fc45a] 1733212345\n\
             \"00036601\"=hex:04,16,00,00\n"
        );
        if let Some(enable) = policy {
            text.push_str(&format!(
                "\n[Software\\\\Policies\\\\Microsoft\\\\Office\\\\16.0\\\\Outlook\\\\Cached Mode] 1733212345\n\
                 \"Enable\"=dword:{enable:08x}\n"
            ));
        }
        text
    }

    fn read(text: &str) -> Option<Profile> {
        cached_mode(&Registry::parse(text))
    }

    #[test]
    fn the_default_profiles_flag_says_whether_cached_mode_is_on() {
        let on = read(&user_reg("Outlook", "84,19,00,00", None)).unwrap();
        assert_eq!((on.name.as_str(), on.cached_mode), ("Outlook", true));
        let off = read(&user_reg("Outlook", "04,16,00,00", None)).unwrap();
        assert!(!off.cached_mode);
        // The other profile is off; the default one is read, whatever the case.
        let other = read(&user_reg("OLD", "84,19,00,00", None)).unwrap();
        assert_eq!((other.name.as_str(), other.cached_mode), ("OLD", false));
    }

    #[test]
    fn a_policy_overrides_the_profile() {
        assert!(
            read(&user_reg("Outlook", "04,16,00,00", Some(1)))
                .unwrap()
                .cached_mode
        );
        assert!(
            !read(&user_reg("Outlook", "84,19,00,00", Some(0)))
                .unwrap()
                .cached_mode
        );
    }

    #[test]
    fn no_profile_or_no_exchange_account_is_not_detected() {
        assert_eq!(read("WINE REGISTRY Version 2\n"), None);
        // An IMAP-only profile has no Exchange section.
        let imap_only = "WINE REGISTRY Version 2\n\
            [Software\\\\Microsoft\\\\Office\\\\16.0\\\\Outlook\\\\Profiles\\\\Mail\\\\9375CFF0413111d3B88A00104B2A6676] 1\n\
            \"Account Name\"=\"imap\"\n";
        assert_eq!(read(imap_only), None);
        // Two profiles and no default named: which one Outlook opens is not known.
        let text = user_reg("Gone", "84,19,00,00", None);
        assert_eq!(read(&text), None);
        let facts = facts(None);
        assert_eq!(facts.get("profile.detected"), Some(&FactValue::Bool(false)));
    }

    #[test]
    fn outlook_2010_profiles_under_windows_messaging() {
        let text = "Windows Registry Editor Version 5.00\r\n\r\n\
[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles]\r\n\
\"DefaultProfile\"=\"Work\"\r\n\r\n\
[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles\\Work\\13dbb0c8aa05101a9bb000aa002fc45a]\r\n\
\"00036601\"=hex:84,01,00,00\r\n";
        let found = read(text).unwrap();
        assert_eq!((found.name.as_str(), found.cached_mode), ("Work", true));
    }

    /// The check on a machine of Wine: `WINEPREFIX` names the prefix.
    #[cfg(not(windows))]
    #[test]
    fn the_check_reads_the_wine_prefix() {
        let scratch = crate::temp::TempDir::new("wine");
        let dir = scratch.path();
        std::fs::write(
            dir.join("user.reg"),
            user_reg("Outlook", "84,19,00,00", None),
        )
        .unwrap();
        let found = source::wine_prefix(dir)
            .and_then(|r| cached_mode(&r))
            .unwrap();
        let facts = facts(Some(&found));
        assert_eq!(
            facts.get("profile.cached_mode"),
            Some(&FactValue::Bool(true))
        );
        assert_eq!(
            facts.get("profile.name"),
            Some(&FactValue::Text("Outlook".into()))
        );
    }
}
