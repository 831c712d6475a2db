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
