//! The bracketed error vector Outlook writes under a failed step, `[8004010F-501-0-B20]`:
//! hex fields separated by dashes. The first is the local MAPI result, the third (when
//! there are that many) the code the server answered with.

use serde::Serialize;

/// More fields than this is not an error vector but some other bracketed text.
const MAX_FIELDS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorVector {
    /// As written, without the brackets: `8004010F-501-0-B20`.
    pub text: String,
    /// The local result as eight upper-case hex digits; `None` when it is 0 (success).
    pub local: Option<String>,
    /// The server's code, eight upper-case hex digits; `None` when absent or 0.
    pub server: Option<String>,
    #[serde(skip)]
    fields: Vec<u32>,
}

impl ErrorVector {
    /// The first bracketed group in `line` that is an error vector.
    pub fn find(line: &str) -> Option<ErrorVector> {
        let mut rest = line;
        while let Some(open) = rest.find('[') {
            let after = &rest[open + 1..];
            let close = after.find(']')?;
            if let Some(v) = Self::parse_inner(&after[..close]) {
                return Some(v);
            }
            rest = &after[close..];
        }
        None
    }

    fn parse_inner(inner: &str) -> Option<ErrorVector> {
        let inner = inner.trim();
        let parts: Vec<&str> = inner.split('-').collect();
        if parts.len() < 2 || parts.len() > MAX_FIELDS {
            return None;
        }
        let fields = parts
            .iter()
            .map(|p| {
                let p = p.trim();
                if p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
                    None
                } else {
                    u32::from_str_radix(p, 16).ok()
                }
            })
            .collect::<Option<Vec<u32>>>()?;
        let nonzero = |i: usize| fields.get(i).copied().filter(|&c| c != 0).map(hex8);
        Some(ErrorVector {
            text: inner.to_string(),
            local: nonzero(0),
            server: nonzero(2),
            fields,
        })
    }

    /// The code the error is known by: the local result, else the server's.
    pub fn code(&self) -> Option<String> {
        self.local.clone().or_else(|| self.server.clone())
    }

    pub fn fields(&self) -> &[u32] {
        &self.fields
    }
}

/// Eight upper-case hex digits, as codes are written in logs and articles.
pub fn hex8(code: u32) -> String {
    format!("{code:08X}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_local_and_server_codes() {
        let v = ErrorVector::find("[80070057-501-80070057-322]").unwrap();
        assert_eq!(v.local.as_deref(), Some("80070057"));
        assert_eq!(v.server.as_deref(), Some("80070057"));
        assert_eq!(v.fields(), &[0x8007_0057, 0x501, 0x8007_0057, 0x322]);

        let v = ErrorVector::find("  [8004010F-501-0-B20]").unwrap();
        assert_eq!(v.code().as_deref(), Some("8004010F"));
        assert_eq!(v.server, None);
        assert_eq!(v.text, "8004010F-501-0-B20");
    }

    #[test]
    fn zero_vector_has_no_code() {
        let v = ErrorVector::find("[0-0]").unwrap();
        assert_eq!(v.code(), None);
        let v = ErrorVector::find("[0-501-80040115-0]").unwrap();
        assert_eq!(v.code().as_deref(), Some("80040115"));
    }

    #[test]
    fn other_brackets_are_not_vectors() {
        for s in [
            "[Inbox]",
            "[]",
            "[12]",
            "[123456789-0]",
            "[1-2-3-4-5-6-7-8-9]",
            "[8004010F-]",
            "[8004010F",
            "Synchronizing [",
        ] {
            assert_eq!(ErrorVector::find(s), None, "{s}");
        }
        let v = ErrorVector::find("Error [Inbox] [80040115-0]").unwrap();
        assert_eq!(v.local.as_deref(), Some("80040115"));
    }
}
