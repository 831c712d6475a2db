//! IMAP server addresses as users type them: `imaps://user@host:port`,
//! `imap://user@host:port?starttls`, with the RFC 5092 `;AUTH=` mechanism in the user part.

use std::fmt;

use super::Security;
use crate::server::ServerErrorKind;

/// A parsed IMAP address. It never holds a password: that comes separately, at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapUrl {
    pub user: String,
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// The `;AUTH=` mechanism, upper-cased, when the address names one (`XOAUTH2`, `PLAIN`).
    pub auth_mechanism: Option<String>,
}

impl ImapUrl {
    /// Parse an address.
    ///
    /// `imaps://` means TLS from the first byte (port 993 by default). `imap://` means
    /// STARTTLS (port 143 by default); `?starttls` says so explicitly, and `?plaintext` asks
    /// for no TLS at all, which connecting allows only to a loopback address.
    pub fn parse(text: &str) -> Result<ImapUrl, ServerErrorKind> {
        // Errors show the address as typed, but never a password typed into it.
        let shown = redacted(text);
        let bad = |why: &str| ServerErrorKind::Address(format!("IMAP address {shown:?}: {why}"));
        let (scheme, rest) = text
            .trim()
            .split_once("://")
            .ok_or_else(|| bad("expected imaps://user@host or imap://user@host"))?;
        let (mut security, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "imaps" => (Security::Tls, 993),
            "imap" => (Security::StartTls, 143),
            _ => return Err(bad("the scheme must be imaps or imap")),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        if let Some(query) = query {
            match (query.to_ascii_lowercase().as_str(), security) {
                ("starttls", Security::StartTls) => {}
                ("plaintext", Security::StartTls) => security = Security::Plaintext,
                ("starttls" | "plaintext", Security::Tls) => {
                    return Err(bad("imaps:// is already TLS; drop the ?option"));
                }
                _ => return Err(bad("the only options are ?starttls and ?plaintext")),
            }
        }
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains('/') {
            return Err(bad("a mailbox path is not expected here"));
        }
        let (userinfo, hostport) = rest
            .rsplit_once('@')
            .ok_or_else(|| bad("the user name is missing (user@host)"))?;
        // RFC 5092's user part has no ':' anywhere, ;AUTH= included: one is a password.
        if userinfo.contains(':') {
            return Err(bad("do not put the password in the address"));
        }
        let (user, auth_mechanism) = match userinfo.split_once(';') {
            Some((user, params)) => {
                let mech = params
                    .strip_prefix("AUTH=")
                    .or_else(|| params.strip_prefix("auth="))
                    .ok_or_else(|| bad("only ;AUTH= may follow the user name"))?;
                if mech.is_empty() || mech == "*" {
                    (user, None)
                } else {
                    (
                        user,
                        Some(
                            percent_decode(mech)
                                .ok_or_else(|| bad("bad %-escape"))?
                                .to_ascii_uppercase(),
                        ),
                    )
                }
            }
            None => (userinfo, None),
        };
        let user = percent_decode(user).ok_or_else(|| bad("bad %-escape in the user name"))?;
        if user.is_empty() {
            return Err(bad("the user name is empty"));
        }
        let (host, port) = split_host_port(hostport).ok_or_else(|| bad("bad host or port"))?;
        Ok(ImapUrl {
            user,
            host,
            port: port.unwrap_or(default_port),
            security,
            auth_mechanism,
        })
    }
}

/// `text` with whatever follows a `:` in its user part (a password) replaced by `***`.
fn redacted(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return text.to_string();
    };
    match rest[..at].split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[at..]),
        None => text.to_string(),
    }
}

impl fmt::Display for ImapUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.security {
            Security::Tls => "imaps",
            Security::StartTls | Security::Plaintext => "imap",
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let user = self.user.replace('%', "%25").replace('@', "%40");
        write!(f, "{scheme}://{user}@{host}:{}", self.port)?;
        match self.security {
            Security::StartTls => f.write_str("?starttls"),
            Security::Plaintext => f.write_str("?plaintext"),
            Security::Tls => Ok(()),
        }
    }
}

fn split_host_port(text: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (host, port)
    } else {
        match text.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (text, None),
        }
    };
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':');
    if host.is_empty() || !host.chars().all(valid) {
        return None;
    }
    let port = match port {
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n != 0 => Some(n),
            _ => return None,
        },
        None => None,
    };
    Some((host.to_ascii_lowercase(), port))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imaps_with_defaults() {
        let url = ImapUrl::parse("imaps://alice@Mail.Example.com").unwrap();
        assert_eq!(url.user, "alice");
        assert_eq!(url.host, "mail.example.com");
        assert_eq!(url.port, 993);
        assert_eq!(url.security, Security::Tls);
        assert_eq!(url.auth_mechanism, None);
        assert_eq!(url.to_string(), "imaps://alice@mail.example.com:993");
    }

    #[test]
    fn starttls_plaintext_and_mechanism() {
        let url =
            ImapUrl::parse("imap://bob%40example.com;AUTH=xoauth2@[::1]:1143?starttls").unwrap();
        assert_eq!(url.user, "bob@example.com");
        assert_eq!(url.host, "::1");
        assert_eq!(url.port, 1143);
        assert_eq!(url.security, Security::StartTls);
        assert_eq!(url.auth_mechanism.as_deref(), Some("XOAUTH2"));
        assert_eq!(
            url.to_string(),
            "imap://bob%40example.com@[::1]:1143?starttls"
        );

        let url = ImapUrl::parse("imap://carol@127.0.0.1:1430?plaintext").unwrap();
        assert_eq!(url.security, Security::Plaintext);
        assert_eq!(
            ImapUrl::parse("imap://carol@host/").unwrap().security,
            Security::StartTls
        );
    }

    #[test]
    fn rejects_bad_addresses() {
        for bad in [
            "",
            "mail.example.com",
            "http://alice@host",
            "imaps://host:993",
            "imaps://@host",
            "imaps://alice:pw@host",
            "imaps://alice@host:0",
            "imaps://alice@host:99999",
            "imaps://alice@host:993?starttls",
            "imap://alice@host?tls",
            "imaps://alice@host/INBOX",
            "imaps://alice@ho st",
            "imaps://al%2ice@host",
            "imaps://alice;X=1@host",
        ] {
            assert!(
                matches!(ImapUrl::parse(bad), Err(ServerErrorKind::Address(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_password_typed_into_the_address_is_never_shown_back() {
        for text in [
            "imaps://ana:hunter2@mail.example.com",
            "imap://ana:hunter2@mail.example.com:143?tls",
            "imaps://ana:hunter2@mail.example.com/INBOX",
            "imaps://ana;AUTH=PLAIN:hunter2@host",
        ] {
            let Err(ServerErrorKind::Address(message)) = ImapUrl::parse(text) else {
                panic!("{text}: accepted");
            };
            assert!(!message.contains("hunter2"), "{message}");
            assert!(message.contains(":***@"), "{message}");
        }
        assert_eq!(redacted("imaps://ana@host"), "imaps://ana@host");
        assert_eq!(redacted("not a url"), "not a url");
    }
}
