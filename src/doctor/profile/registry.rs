//! The part of the current user's registry that holds Outlook's profiles, read from text:
//! on Windows from what `reg export` writes (the registry's own export format), elsewhere
//! from the Wine prefix's `user.reg`, which is the same user's registry kept as text. One
//! parser for both, so the Linux twin is the Windows path's test.
//!
//! Formats: `.reg` export ("Windows Registry Editor Version 5.00": `[HKEY_CURRENT_USER\Key]`
//! headers, UTF-16 with a byte-order mark) and Wine's `WINE REGISTRY Version 2` (key paths
//! relative to the user's hive with `\\` for each separator, a modification time after the
//! header). Values in both: `"name"="text"`, `"name"=dword:0000000a`, `"name"=hex:84,19,..`
//! and `hex(N):` for the other types, long hex lists continued with a trailing `\`.

use std::collections::BTreeMap;

/// One value as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Dword(u32),
    /// REG_BINARY and every `hex(N):` type, as bytes.
    Bytes(Vec<u8>),
}

impl Value {
    /// A 32-bit number: a DWORD, or the first four bytes of a binary value (how MAPI
    /// profile sections keep PT_LONG properties such as `00036601`).
    pub fn as_u32(&self) -> Option<u32> {
        match self {
            Value::Dword(n) => Some(*n),
            Value::Bytes(b) if b.len() >= 4 => Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            _ => None,
        }
    }

    /// Text, also from a UTF-16 `hex(1):`/`hex(2):` value or a binary one holding UTF-16
    /// (as MAPI keeps PT_UNICODE properties).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Text(t) => Some(t.clone()),
            Value::Bytes(b) if b.len() % 2 == 0 => {
                let units: Vec<u16> = b
                    .chunks(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .take_while(|&u| u != 0)
                    .collect();
                String::from_utf16(&units).ok()
            }
            _ => None,
        }
    }
}

/// Keys by path below HKEY_CURRENT_USER, compared without regard to case as Windows does
/// (stored lower-case, `\` between the parts), each with its values by lower-case name.
#[derive(Debug, Default)]
pub struct Registry {
    keys: BTreeMap<String, BTreeMap<String, Value>>,
}

impl Registry {
    /// Parses either text form; lines it cannot read are skipped, as regedit does.
    pub fn parse(text: &str) -> Registry {
        let wine = text.starts_with("WINE REGISTRY");
        let mut registry = Registry::default();
        let mut current: Option<String> = None;
        let mut lines = text.lines().peekable();
        while let Some(line) = lines.next() {
            let mut line = line.trim_end_matches('\r').to_string();
            // A value continued on the next lines (long hex lists).
            while line.ends_with('\\') && !line.starts_with('[') {
                line.pop();
                match lines.next() {
                    Some(next) => line.push_str(next.trim()),
                    None => break,
                }
            }
            let line = line.trim_start();
            if let Some(header) = line.strip_prefix('[') {
                current = key_path(header, wine);
                if let Some(key) = &current {
                    registry.keys.entry(key.clone()).or_default();
                }
                continue;
            }
            let (Some(key), Some(rest)) = (&current, line.strip_prefix('"')) else {
                continue;
            };
            if let Some((name, value)) = split_value(rest)
                && let Some(value) = parse_value(value)
            {
                registry
                    .keys
                    .get_mut(key)
                    .expect("the key was added with its header")
                    .insert(name.to_lowercase(), value);
            }
        }
        registry
    }

    /// Adds the keys of another export (the three parts `reg export` is asked for).
    #[cfg_attr(not(windows), allow(dead_code))]
    pub fn merge(&mut self, other: Registry) {
        for (key, values) in other.keys {
            self.keys.entry(key).or_default().extend(values);
        }
    }

    pub fn value(&self, key: &str, name: &str) -> Option<&Value> {
        self.keys
            .get(&key.to_lowercase())?
            .get(&name.to_lowercase())
    }

    /// The names of the keys directly below `key`, in their stored (lower) case.
    pub fn subkeys(&self, key: &str) -> Vec<String> {
        let prefix = format!("{}\\", key.to_lowercase());
        let mut names: Vec<String> = self
            .keys
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .map(|rest| rest.split('\\').next().unwrap_or(rest).to_string())
            .collect();
        names.dedup();
        names
    }

    /// Every key at or below `key` that holds a value called `name`.
    pub fn keys_with(&self, key: &str, name: &str) -> Vec<(&str, &Value)> {
        let key = key.to_lowercase();
        let below = format!("{key}\\");
        let name = name.to_lowercase();
        self.keys
            .iter()
            .filter(|(k, _)| **k == key || k.starts_with(&below))
            .filter_map(|(k, values)| values.get(&name).map(|v| (k.as_str(), v)))
            .collect()
    }
}

/// A header's key path, relative to HKEY_CURRENT_USER and lower-case; `None` for keys of
/// other hives (which a `.reg` export of HKCU never holds).
fn key_path(header: &str, wine: bool) -> Option<String> {
    let end = header.rfind(']')?;
    let raw = &header[..end];
    let path = if wine {
        raw.replace("\\\\", "\\")
    } else {
        let rest = raw
            .strip_prefix("HKEY_CURRENT_USER\\")
            .or_else(|| raw.strip_prefix("HKCU\\"))?;
        rest.to_string()
    };
    Some(path.to_lowercase())
}

/// `name"=value` into the unescaped name and the value text.
fn split_value(rest: &str) -> Option<(String, &str)> {
    let mut name = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => name.push(chars.next()?.1),
            '"' => return Some((name, rest[i + 1..].strip_prefix('=')?)),
            c => name.push(c),
        }
    }
    None
}

fn parse_value(text: &str) -> Option<Value> {
    if let Some(quoted) = text.strip_prefix('"') {
        return Some(Value::Text(unescape(quoted.strip_suffix('"')?)));
    }
    if let Some(hex) = text.strip_prefix("dword:") {
        return u32::from_str_radix(hex.trim(), 16).ok().map(Value::Dword);
    }
    // Wine writes strings of other types as str(N):"..."
    if let Some(rest) = text.strip_prefix("str(") {
        let quoted = rest.split_once("):\"")?.1;
        return Some(Value::Text(unescape(quoted.strip_suffix('"')?)));
    }
    let list = match text.strip_prefix("hex:") {
        Some(list) => list,
        None => text.strip_prefix("hex(")?.split_once("):")?.1,
    };
    let bytes: Option<Vec<u8>> = list
        .split(',')
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(|b| u8::from_str_radix(b, 16).ok())
        .collect();
    bytes.map(Value::Bytes)
}

/// `\\`, `\"`, `\n` and Wine's `\x1234` (a UTF-16 unit) in a quoted string.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some('x') => {
                let mut hex = String::new();
                while hex.len() < 4 && chars.peek().is_some_and(char::is_ascii_hexdigit) {
                    hex.push(chars.next().unwrap_or('0'));
                }
                let unit = u32::from_str_radix(&hex, 16).ok();
                out.extend(unit.and_then(char::from_u32));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Text as `reg export` writes it: UTF-16LE after a byte-order mark, or UTF-8.
pub fn decode(bytes: &[u8]) -> String {
    match bytes {
        [0xFF, 0xFE, rest @ ..] => {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As Wine 8 writes `user.reg` (trimmed), with a wrapped hex list and an escape.
    const WINE: &str = "WINE REGISTRY Version 2\n\
;; All keys relative to \\\\User\\\\S-1-5-21-0-0-0-1000\n\
\n\
#arch=win64\n\
\n\
[Software\\\\Microsoft\\\\Office\\\\16.0\\\\Outlook] 1733212345\n\
#time=1db45c2b8c1e2f0\n\
\"DefaultProfile\"=\"Outlook\"\n\
\n\
[Software\\\\Microsoft\\\\Office\\\\16.0\\\\Outlook\\\\Profiles\\\\Outlook\\\\13dbb0c8aa05101a9bb000aa002fc45a] 1733212345\n\
\"00036601\"=hex:84,19,00,00\n\
\"001f3001\"=hex:41,00,6c,00,69,00,63,00,65,00,\\\n\
  00,00\n\
\"Quote\"=\"say \\\"hi\\\" \\x00e9\"\n\
\"Limit\"=dword:0000000a\n";

    #[test]
    fn wine_user_reg() {
        let r = Registry::parse(WINE);
        let outlook = "Software\\Microsoft\\Office\\16.0\\Outlook";
        assert_eq!(
            r.value(outlook, "defaultprofile"),
            Some(&Value::Text("Outlook".into()))
        );
        let section = format!("{outlook}\\Profiles\\Outlook\\13dbb0c8aa05101a9bb000aa002fc45a");
        assert_eq!(
            r.value(&section, "00036601").and_then(Value::as_u32),
            Some(0x1984)
        );
        assert_eq!(
            r.value(&section, "001f3001")
                .and_then(Value::as_text)
                .as_deref(),
            Some("Alice")
        );
        assert_eq!(
            r.value(&section, "Quote"),
            Some(&Value::Text("say \"hi\" é".into()))
        );
        assert_eq!(r.value(&section, "Limit"), Some(&Value::Dword(10)));
        assert_eq!(r.subkeys(&format!("{outlook}\\Profiles")), ["outlook"]);
        assert_eq!(r.keys_with(outlook, "00036601").len(), 1);
    }

    #[test]
    fn reg_export_in_utf16() {
        let text = "Windows Registry Editor Version 5.00\r\n\r\n\
[HKEY_CURRENT_USER\\Software\\Policies\\Microsoft\\Office\\16.0\\Outlook\\Cached Mode]\r\n\
\"Enable\"=dword:00000001\r\n\r\n\
[HKEY_LOCAL_MACHINE\\Software\\Other]\r\n\
\"Ignored\"=dword:00000001\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let r = Registry::parse(&decode(&bytes));
        let key = "software\\policies\\microsoft\\office\\16.0\\outlook\\cached mode";
        assert_eq!(r.value(key, "ENABLE"), Some(&Value::Dword(1)));
        assert!(r.keys_with("software\\other", "ignored").is_empty());
    }

    #[test]
    fn broken_lines_are_skipped() {
        let r =
            Registry::parse("WINE REGISTRY Version 2\n[A] 1\n\"x\"=dword:zz\n\"y\n\"z\"=hex:4\n");
        assert_eq!(r.value("a", "x"), None);
        assert_eq!(r.value("a", "z"), Some(&Value::Bytes(vec![4])));
    }
}
