//! Reaching the mailbox server the person named: an IMAP address with a password, or a
//! Microsoft 365 / Outlook.com mailbox through Microsoft Graph with a device-code sign-in.
//! Shared by the desktop app and the CLI, so both sign in the same way.

use std::time::Duration;

use crate::diagnose::ServerKind;
use crate::server::graph::{
    DeviceCodeConfig, DeviceCodeFlow, DeviceCodePrompt, GraphConfig, GraphServer, RefreshGrant,
};
use crate::server::imap::{ImapConfig, ImapServer, ImapUrl, ListingMethod};
use crate::server::{Fingerprint, MailboxServer, Secret, ServerError, ServerErrorKind, TlsOptions};
use crate::wizard::{BackendError, Cause};
use crate::work::CancelToken;

/// Where the mailbox is and how to sign in. Secrets live in memory only.
#[derive(Clone, Debug)]
pub enum ServerSettings {
    Imap {
        /// `imaps://user@host[:port]`, or `imap://...` for STARTTLS.
        url: String,
        password: Secret,
        /// Also trust this certificate authority (PEM), such as a company's own, or the
        /// server's own self-signed certificate.
        extra_ca: Option<String>,
        /// Trust the server certificate with this SHA-256 fingerprint, as confirmed by
        /// the server's owner.
        trusted_fingerprint: Option<Fingerprint>,
        /// Count with LIST-STATUS where the server offers it.
        list_status: bool,
        timeout: Duration,
    },
    Graph {
        client_id: String,
        /// common, organizations, consumers, or a tenant id or domain.
        tenant: String,
        graph_url: String,
        login_url: String,
        extra_ca: Option<String>,
        timeout: Duration,
    },
}

pub const GRAPH_URL: &str = "https://graph.microsoft.com/v1.0";
pub const LOGIN_URL: &str = "https://login.microsoftonline.com";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// A signed-in server.
pub enum Connection {
    Imap(ImapServer),
    Graph(GraphServer),
}

impl Connection {
    pub fn server(&mut self) -> &mut dyn MailboxServer {
        match self {
            Connection::Imap(s) => s,
            Connection::Graph(s) => s,
        }
    }

    pub fn kind(&self) -> ServerKind {
        match self {
            Connection::Imap(_) => ServerKind::Imap,
            Connection::Graph(_) => ServerKind::Graph,
        }
    }

    /// How the folder counts were read, for IMAP.
    pub fn listing(&self) -> Option<&'static str> {
        match self {
            Connection::Imap(s) => s.last_listing_method().map(|m| match m {
                ListingMethod::ListStatus => "list_status",
                ListingMethod::StatusPerFolder => "status_per_folder",
            }),
            Connection::Graph(_) => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Connection::Imap(s) => s.describe(),
            Connection::Graph(s) => s.describe(),
        }
    }
}

impl ServerSettings {
    /// The account as people write it: `imaps://alice@mail.example.com` or `Microsoft 365`.
    pub fn account(&self) -> String {
        match self {
            ServerSettings::Imap { url, .. } => url.clone(),
            ServerSettings::Graph { tenant, .. } => format!("Microsoft 365 ({tenant})"),
        }
    }

    /// The user name the person signs in with, where the settings carry one.
    pub fn user(&self) -> Option<String> {
        match self {
            ServerSettings::Imap { url, .. } => ImapUrl::parse(url).ok().map(|u| u.user),
            ServerSettings::Graph { .. } => None,
        }
    }

    fn tls(extra_ca: &Option<String>) -> TlsOptions {
        match extra_ca {
            Some(pem) => TlsOptions::default().with_extra_ca(pem.clone()),
            None => TlsOptions::default(),
        }
    }

    /// Signs in. A Graph sign-in shows `prompt` (a code to enter on a web page) and waits
    /// for the person, until `cancel` says to stop; the same token ends a Graph
    /// throttling wait later on.
    pub fn connect(
        &self,
        prompt: &mut dyn FnMut(&DeviceCodePrompt),
        cancel: &CancelToken,
    ) -> Result<Connection, ServerError> {
        match self {
            ServerSettings::Imap {
                url,
                password,
                extra_ca,
                trusted_fingerprint,
                list_status,
                timeout,
            } => {
                let parsed = ImapUrl::parse(url)
                    .map_err(|kind| ServerError::new(url.clone(), "reading the address", kind))?;
                let mut tls = Self::tls(extra_ca);
                if let Some(fingerprint) = trusted_fingerprint {
                    tls = tls.with_trusted_fingerprint(*fingerprint);
                }
                let config = ImapConfig::from_url(&parsed, password.clone())
                    .with_tls(tls)
                    .with_timeout(*timeout)
                    .with_list_status(*list_status);
                let mut server = ImapServer::new(config);
                server.connect()?;
                Ok(Connection::Imap(server))
            }
            ServerSettings::Graph {
                client_id,
                tenant,
                graph_url,
                login_url,
                extra_ca,
                timeout,
            } => {
                if client_id.trim().is_empty() {
                    return Err(ServerError::new(
                        "Microsoft Graph",
                        "signing in",
                        ServerErrorKind::Config("no application (client) id is set".into()),
                    ));
                }
                let authority = format!("{}/{tenant}/oauth2/v2.0", login_url.trim_end_matches('/'));
                let sign_in = DeviceCodeConfig {
                    device_code_url: format!("{authority}/devicecode"),
                    token_url: format!("{authority}/token"),
                    tls: Self::tls(extra_ca),
                    timeout: *timeout,
                    ..DeviceCodeConfig::microsoft(client_id.clone(), tenant)
                };
                let mut flow = DeviceCodeFlow::start(sign_in.clone())?;
                prompt(flow.prompt());
                let token = flow.wait(|| cancel.is_cancelled())?;
                let config = GraphConfig {
                    base_url: graph_url.clone(),
                    tls: Self::tls(extra_ca),
                    timeout: *timeout,
                    cancel: cancel.clone(),
                    ..GraphConfig::default()
                };
                let mut server = GraphServer::new(config, token.access_token)?;
                // Kept in memory only, so that an hour-long session outlives its access
                // token without a second sign-in.
                if let Some(refresh_token) = token.refresh_token {
                    server = server.with_refresh(RefreshGrant {
                        token_url: sign_in.token_url,
                        client_id: sign_in.client_id,
                        scopes: sign_in.scopes,
                        refresh_token,
                        tls: sign_in.tls,
                        timeout: sign_in.timeout,
                    });
                }
                Ok(Connection::Graph(server))
            }
        }
    }
}

/// Why the server could not be used, as the person can act on it. Told from what the
/// server layer already distinguishes (the socket's error kind, the TLS verifier's verdict,
/// the server's NO to LOGIN, Graph's 401 and 403), never from the wording. No wildcard:
/// a new kind of server error must be placed here before it compiles.
pub fn cause_of(kind: &ServerErrorKind) -> Cause {
    match kind {
        ServerErrorKind::Address(_) | ServerErrorKind::NotFound(_) => Cause::AddressNotFound,
        ServerErrorKind::Connect(_) | ServerErrorKind::Timeout(_) => Cause::ServerSilent,
        ServerErrorKind::Certificate(_) => Cause::CertificateNotTrusted,
        // 403: signed in, but as someone the mailbox is not open to (or without consent to
        // read mail): signing in again, as the right person, is what helps.
        ServerErrorKind::Authentication(_)
        | ServerErrorKind::SignIn(_)
        | ServerErrorKind::Http {
            status: 401 | 403, ..
        } => Cause::NotSignedIn,
        // An answer came, so the address and the server are right; what went wrong is in
        // the server's words, shown under the headline.
        ServerErrorKind::Config(_)
        | ServerErrorKind::Tls(_)
        | ServerErrorKind::Dropped
        | ServerErrorKind::Bye(_)
        | ServerErrorKind::Deadline(_)
        | ServerErrorKind::Protocol(_)
        | ServerErrorKind::Refused(_)
        | ServerErrorKind::Unsupported(_)
        | ServerErrorKind::TooLarge(_)
        | ServerErrorKind::Http { .. }
        | ServerErrorKind::Throttled { .. }
        | ServerErrorKind::Io(_)
        | ServerErrorKind::Cancelled(_) => Cause::Other,
    }
}

impl From<ServerError> for BackendError {
    fn from(error: ServerError) -> Self {
        // Cancel pressed while the server was awaited is the person's choice, not a
        // server's failure: no cause, and a fix page leaves by its `cancelled` exit.
        if matches!(error.kind, ServerErrorKind::Cancelled(_)) {
            return BackendError::cancelled(error.to_string());
        }
        let cause = cause_of(&error.kind);
        BackendError::new(error.to_string()).with_cause(cause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Doctor;
    use crate::wizard::{Backend, Facts};

    fn imap(url: &str) -> ServerSettings {
        ServerSettings::Imap {
            url: url.to_owned(),
            password: Secret::new("pw"),
            extra_ca: None,
            trusted_fingerprint: None,
            list_status: true,
            timeout: Duration::from_secs(5),
        }
    }

    /// What the comparison check reports when it cannot reach `settings`: the error the
    /// failure page shows, as the window receives it.
    fn failure(settings: Option<ServerSettings>) -> BackendError {
        // Signing in comes before the store is opened, so no store is needed.
        let mut doctor = Doctor::new("no-store.ost").with_server(settings);
        match doctor.run_check("compare_with_server", &Facts::new()) {
            Err(e) => e,
            Ok(facts) => panic!("compared with no server: {facts:?}"),
        }
    }

    /// A port just freed: nothing listens there, and connecting is refused at once.
    fn freed_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap()
    }

    #[test]
    fn no_mailbox_given_is_no_server_set() {
        let e = failure(None);
        assert_eq!(e.cause, Some(Cause::NoServerSet), "{e}");
    }

    #[test]
    fn a_closed_port_is_a_silent_server() {
        let port = freed_port();
        let e = failure(Some(imap(&format!("imaps://alice@127.0.0.1:{port}"))));
        assert_eq!(e.cause, Some(Cause::ServerSilent), "{e}");
        assert!(!e.cancelled);
    }

    #[test]
    fn a_name_that_does_not_resolve_is_an_address_not_found() {
        // .invalid never resolves (RFC 6761), with or without a name server.
        let e = failure(Some(imap("imaps://alice@nonexistent.invalid")));
        assert_eq!(e.cause, Some(Cause::AddressNotFound), "{e}");
        assert!(e.message.contains("nonexistent.invalid"), "{e}");
    }

    #[test]
    fn a_malformed_address_is_an_address_not_found() {
        for url in [
            "",
            "alice@mail.example.com",
            "imaps://alice@",
            "pop3://alice@host",
        ] {
            let e = failure(Some(imap(url)));
            assert_eq!(e.cause, Some(Cause::AddressNotFound), "{url:?}: {e}");
        }
    }

    /// Microsoft's sign-in page unreachable (nothing listens where it is said to be): the
    /// socket's refusal reaches the person as for IMAP, not as an unnamed input error.
    #[test]
    fn a_closed_sign_in_service_is_a_silent_server() {
        let port = freed_port();
        let e = failure(Some(ServerSettings::Graph {
            client_id: "00000000-0000-0000-0000-000000000000".into(),
            tenant: "common".into(),
            graph_url: format!("http://127.0.0.1:{port}/v1.0"),
            login_url: format!("http://127.0.0.1:{port}"),
            extra_ca: None,
            timeout: Duration::from_secs(5),
        }));
        assert_eq!(e.cause, Some(Cause::ServerSilent), "{e}");
    }

    #[test]
    fn cancel_while_waiting_for_the_server_is_no_failure() {
        let e = BackendError::from(ServerError::new(
            "Microsoft Graph",
            "sign-in",
            ServerErrorKind::Cancelled(crate::work::Cancelled),
        ));
        assert!(e.cancelled);
        assert_eq!(e.cause, None);
    }
}
