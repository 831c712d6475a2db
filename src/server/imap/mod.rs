//! IMAP (RFC 3501) as a [`MailboxServer`]: a small blocking client on `std::net` and
//! `rustls` that does only what the diagnosis needs, all of it read-only.
//!
//! TLS is on by default and certificates are always verified. Sign-in is by password
//! (AUTHENTICATE PLAIN, else LOGIN) or by OAuth2 access token (XOAUTH2, which Exchange Online
//! requires). Every read and write is bounded by the configured timeout, every response by
//! fixed size limits, and every operation (signing in, listing the folders, listing one
//! folder's items) by [`OperationLimits`]: a deadline, and caps on what the server sends.

mod folders;
mod header;
mod items;
mod response;
mod session;
mod transport;
mod url;
pub mod utf7;

use std::time::Duration;

pub use folders::ListingMethod;
pub use url::ImapUrl;

use super::{Folder, FolderId, Item, MailboxServer, Secret, ServerError, TlsOptions};
use session::Session;

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (port 993).
    Tls,
    /// Plain TCP upgraded with STARTTLS before signing in (port 143); fails if the server
    /// does not offer STARTTLS.
    StartTls,
    /// No TLS. Only allowed when the host is a loopback address.
    Plaintext,
}

/// How to sign in. The secret lives in memory only and is redacted in `Debug` output.
#[derive(Debug, Clone)]
pub enum ImapAuth {
    Password {
        user: String,
        password: Secret,
    },
    /// An OAuth2 access token sent with SASL XOAUTH2 (scope `IMAP.AccessAsUser.All` on
    /// Exchange Online).
    OAuth2 {
        user: String,
        access_token: Secret,
    },
}

impl ImapAuth {
    pub fn user(&self) -> &str {
        match self {
            ImapAuth::Password { user, .. } | ImapAuth::OAuth2 { user, .. } => user,
        }
    }
}

/// Bounds on one operation (signing in, listing the folders, listing one folder's items),
/// whatever the server sends: a hostile or broken server that trickles, or answers without
/// end, gets a clear error instead of holding the client or its memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationLimits {
    /// Wall-clock bound on the whole operation, however steadily the server answers.
    pub deadline: Duration,
    /// Answers (untagged responses) the server may send in one operation: one per item or
    /// two per folder are needed, the rest is noise.
    pub responses: u64,
    /// Bytes the server may send in one operation.
    pub bytes: u64,
}

impl Default for OperationLimits {
    fn default() -> Self {
        OperationLimits {
            // A folder of a million items over a slow link stays well inside it.
            deadline: Duration::from_secs(30 * 60),
            responses: 10_000_000,
            bytes: 2 << 30,
        }
    }
}

/// Everything needed to reach one IMAP mailbox.
#[derive(Debug, Clone)]
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub auth: ImapAuth,
    pub tls: TlsOptions,
    /// Bound on connecting and on each read and write; a server silent for longer is
    /// reported as a timeout.
    pub timeout: Duration,
    /// Use LIST-STATUS where the server offers it. Off forces one STATUS per folder.
    pub use_list_status: bool,
    pub limits: OperationLimits,
}

impl ImapConfig {
    pub fn new(host: impl Into<String>, port: u16, security: Security, auth: ImapAuth) -> Self {
        ImapConfig {
            host: host.into(),
            port,
            security,
            auth,
            tls: TlsOptions::default(),
            timeout: Duration::from_secs(30),
            use_list_status: true,
            limits: OperationLimits::default(),
        }
    }

    /// From an address and the secret typed separately: an access token when the address
    /// names `;AUTH=XOAUTH2`, a password otherwise.
    pub fn from_url(url: &ImapUrl, secret: Secret) -> Self {
        let user = url.user.clone();
        let auth = match url.auth_mechanism.as_deref() {
            Some("XOAUTH2") => ImapAuth::OAuth2 {
                user,
                access_token: secret,
            },
            _ => ImapAuth::Password {
                user,
                password: secret,
            },
        };
        ImapConfig::new(url.host.clone(), url.port, url.security, auth)
    }

    pub fn with_tls(mut self, tls: TlsOptions) -> Self {
        self.tls = tls;
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn with_limits(mut self, limits: OperationLimits) -> Self {
        self.limits = limits;
        self
    }

    pub fn with_list_status(mut self, use_list_status: bool) -> Self {
        self.use_list_status = use_list_status;
        self
    }

    /// The address without the secret, for messages.
    pub fn describe(&self) -> String {
        ImapUrl {
            user: self.auth.user().to_string(),
            host: self.host.clone(),
            port: self.port,
            security: self.security,
            auth_mechanism: None,
        }
        .to_string()
    }
}

/// An IMAP mailbox. Connects on first use and keeps the session; after a failure the next
/// call connects afresh.
pub struct ImapServer {
    config: ImapConfig,
    session: Option<Session>,
    last_method: Option<ListingMethod>,
    commands_sent: u64,
}

impl ImapServer {
    pub fn new(config: ImapConfig) -> Self {
        ImapServer {
            config,
            session: None,
            last_method: None,
            commands_sent: 0,
        }
    }

    /// Connect and sign in now, to check the settings.
    pub fn connect(&mut self) -> Result<(), ServerError> {
        self.session()?;
        Ok(())
    }

    /// Whether the open session runs over TLS (`None` when not connected).
    pub fn is_tls(&self) -> Option<bool> {
        self.session.as_ref().map(Session::is_tls)
    }

    /// Whether the server advertises a capability, such as `LIST-STATUS` (`None` when not
    /// connected).
    pub fn has_capability(&self, capability: &str) -> Option<bool> {
        self.session.as_ref().map(|s| s.has_capability(capability))
    }

    /// How the last folder list got its counts.
    pub fn last_listing_method(&self) -> Option<ListingMethod> {
        self.last_method
    }

    /// IMAP commands sent over all sessions so far, sign-in included: the round trips a
    /// listing cost.
    pub fn commands_sent(&self) -> u64 {
        self.commands_sent + self.session.as_ref().map_or(0, |s| s.commands_sent)
    }

    fn session(&mut self) -> Result<&mut Session, ServerError> {
        if self.session.is_none() {
            let session = Session::open(&self.config, &self.describe())?;
            self.session = Some(session);
        }
        Ok(self.session.as_mut().expect("session was just opened"))
    }

    /// Run `f` on the session, dropping the session if it fails so the next call starts
    /// clean (a failed command can leave the stream mid-response).
    fn with_session<T>(
        &mut self,
        f: impl FnOnce(&mut Session) -> Result<T, ServerError>,
    ) -> Result<T, ServerError> {
        let session = self.session()?;
        session.begin_operation();
        let result = f(session);
        if let Some(session) = self.session.as_mut() {
            session.end_operation();
        }
        if result.is_err()
            && let Some(session) = self.session.take()
        {
            self.commands_sent += session.commands_sent;
            session.logout();
        }
        result
    }
}

impl MailboxServer for ImapServer {
    fn describe(&self) -> String {
        self.config.describe()
    }

    fn list_folders(&mut self) -> Result<Vec<Folder>, ServerError> {
        let use_list_status = self.config.use_list_status;
        let (folders, method) = self.with_session(|s| folders::list_folders(s, use_list_status))?;
        self.last_method = Some(method);
        Ok(folders)
    }

    fn list_items(&mut self, folder: &FolderId) -> Result<Vec<Item>, ServerError> {
        self.with_session(|s| items::list_items(s, &folder.0))
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            session.logout();
        }
    }
}

impl std::fmt::Debug for ImapServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapServer")
            .field("config", &self.config)
            .field("connected", &self.session.is_some())
            .finish()
    }
}
