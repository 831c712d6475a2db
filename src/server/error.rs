//! One error type for every server, saying which server, what was being done and what went
//! wrong, in words a user can act on.

use std::time::Duration;

use crate::work::Cancelled;

/// A failed conversation with a mailbox server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{server}: {action}: {kind}")]
pub struct ServerError {
    /// The server as [`super::MailboxServer::describe`] names it.
    pub server: String,
    /// The command or request under way, such as `LOGIN` or `GET /me/mailFolders`.
    pub action: String,
    pub kind: ServerErrorKind,
}

impl ServerError {
    pub fn new(
        server: impl Into<String>,
        action: impl Into<String>,
        kind: ServerErrorKind,
    ) -> Self {
        ServerError {
            server: server.into(),
            action: action.into(),
            kind,
        }
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerErrorKind {
    /// The settings or input cannot work (plaintext to a remote host, an unreadable
    /// certificate authority...).
    #[error("invalid settings: {0}")]
    Config(String),
    /// The server's address as written cannot be used (no host, a wrong scheme, a name
    /// no certificate can carry): the person typed it wrong.
    #[error("invalid address: {0}")]
    Address(String),
    /// The host name does not resolve: misspelt, or no name service is reachable.
    #[error("server not found: {0}")]
    NotFound(String),
    #[error("could not connect: {0}")]
    Connect(String),
    /// The server's certificate was refused; the reason says why (unknown issuer, wrong
    /// name, expired...).
    #[error("the server's certificate is not trusted: {0}")]
    Certificate(String),
    /// Any other TLS failure.
    #[error("TLS failed: {0}")]
    Tls(String),
    /// The server refused the credentials; carries the server's own words.
    #[error("sign-in refused: {0}")]
    Authentication(String),
    #[error("the server closed the connection")]
    Dropped,
    /// The server ended the session on purpose (`* BYE`), with its reason.
    #[error("the server ended the session: {0}")]
    Bye(String),
    /// No answer within the configured bound.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The server kept answering, but too slowly (or endlessly) for the whole request to
    /// finish within its overall bound.
    #[error("the request did not finish within {0:?}: the server answers too slowly")]
    Deadline(Duration),
    /// The server answered something that does not follow the protocol; carries its line.
    #[error("unexpected answer: {0}")]
    Protocol(String),
    /// The server understood the command and said no; carries its line.
    #[error("the server refused: {0}")]
    Refused(String),
    /// The server lacks something this client needs.
    #[error("not supported by the server: {0}")]
    Unsupported(String),
    /// The server sent more than this client accepts in one piece.
    #[error("answer too large: {0}")]
    TooLarge(String),
    /// An HTTP error status, with the service's error code and message where it gave one.
    #[error("HTTP {status}: {message}")]
    Http { status: u16, message: String },
    /// The service kept asking to slow down.
    #[error("still throttled after {attempts} attempts")]
    Throttled { attempts: u32 },
    /// The user did not finish signing in before the code expired, or declined.
    #[error("sign-in not completed: {0}")]
    SignIn(String),
    #[error("input/output error: {0}")]
    Io(String),
    /// The person pressed Cancel while the request waited.
    #[error(transparent)]
    Cancelled(#[from] Cancelled),
}
