//! Mailbox servers: the user's real mailbox, seen from outside Outlook.
//!
//! The diagnosis puts "Server folder contains: N items" next to "Offline folder contains: N
//! items" read from the store. Every kind of server (IMAP, Microsoft Graph) answers the same
//! two questions through [`MailboxServer`]: which folders exist with how many items, and which
//! items one folder holds. Nothing here changes the server.

mod error;
pub mod graph;
pub mod imap;
mod net;
mod secret;
mod tls;
mod trust;

pub use crate::time::Timestamp;
pub use error::{ServerError, ServerErrorKind};
pub use secret::Secret;
pub use tls::TlsOptions;
pub use trust::Fingerprint;

/// A mailbox server that can be asked about its folders and items.
///
/// Calls block; run them on a worker thread. Implementations keep their connection between
/// calls where the protocol has one, and reconnect on the next call after a failure.
pub trait MailboxServer: Send {
    /// A short description for messages, such as `imaps://alice@mail.example.com:993`.
    /// It never contains a password or token.
    fn describe(&self) -> String;

    /// Every folder of the mailbox, parents before their children.
    fn list_folders(&mut self) -> Result<Vec<Folder>, ServerError>;

    /// The items of one folder, in the server's order.
    fn list_items(&mut self, folder: &FolderId) -> Result<Vec<Item>, ServerError>;
}

/// The server's own handle for a folder: the raw mailbox name on IMAP, the folder id on
/// Graph. Opaque to callers; pass it back to [`MailboxServer::list_items`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FolderId(pub String);

/// One folder as the server reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    pub id: FolderId,
    /// Display names from the top of the mailbox down, already decoded (IMAP names are
    /// stored in modified UTF-7).
    pub path: Vec<String>,
    /// Number of items; `None` where the folder cannot hold items or the server would not
    /// say.
    pub total: Option<u64>,
    /// Number of unread items, with the same `None` rule as `total`.
    pub unread: Option<u64>,
    pub role: Option<FolderRole>,
    /// `Some(true)` for folders the server marks hidden; `None` where the protocol cannot
    /// tell (IMAP).
    pub hidden: Option<bool>,
    /// False for placeholders that only exist to hold children (IMAP `\Noselect`,
    /// `\NonExistent`).
    pub selectable: bool,
}

impl Folder {
    /// The path joined with `/`, for display and for matching against store folders.
    pub fn display_path(&self) -> String {
        self.path.join("/")
    }
}

/// What a folder is for, as far as the server says so.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FolderRole {
    Inbox,
    Sent,
    Drafts,
    /// Trash on IMAP, Deleted Items on Exchange.
    Deleted,
    Junk,
    Archive,
    Outbox,
    /// IMAP `\All`: a virtual folder showing every message.
    All,
    /// IMAP `\Flagged`: a virtual folder showing flagged messages.
    Flagged,
    Calendar,
    Contacts,
    Tasks,
    Notes,
    SyncIssues,
    Conflicts,
    LocalFailures,
    ServerFailures,
    ConversationHistory,
    /// A role the server names that has no variant here, kept verbatim.
    Other(String),
}

/// Subjects are kept to this many characters: far more than any two real subjects need to
/// be told apart, and a server cannot grow the client's memory through them. The comparison
/// with the store cuts the store's subjects the same way, so long ones still match.
pub const MAX_SUBJECT_CHARS: usize = 1_000;

/// RFC 5322 bounds a line at 998 bytes; a longer Message-ID is no header a mail program
/// wrote, and is not kept.
pub const MAX_MESSAGE_ID_BYTES: usize = 998;

/// A subject cut to [`MAX_SUBJECT_CHARS`].
pub fn bounded_subject(mut subject: String) -> String {
    if let Some((cut, _)) = subject.char_indices().nth(MAX_SUBJECT_CHARS) {
        subject.truncate(cut);
    }
    subject
}

/// A Message-ID, unless it is empty or longer than [`MAX_MESSAGE_ID_BYTES`].
pub fn bounded_message_id(id: &str) -> Option<String> {
    let id = id.trim();
    (!id.is_empty() && id.len() <= MAX_MESSAGE_ID_BYTES).then(|| id.to_string())
}

/// One item of a folder, with what a later comparison needs to match it against the store:
/// the internet message id first, then subject and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The server's handle within the folder: the UID on IMAP, the message id on Graph.
    pub server_id: String,
    /// The `Message-ID` header, with its angle brackets, as the store keeps it.
    pub internet_message_id: Option<String>,
    /// The subject, decoded from RFC 2047 encoded words where the charset is known.
    pub subject: Option<String>,
    /// The `Date` header (IMAP) or sent time (Graph).
    pub sent: Option<Timestamp>,
    /// When the server received the item (IMAP INTERNALDATE, Graph receivedDateTime).
    pub received: Option<Timestamp>,
    /// Size in bytes as the server counts it (RFC 822 size on IMAP, PR_MESSAGE_SIZE on
    /// Graph); the two are not comparable with each other or with the store.
    pub size: Option<u64>,
    pub unread: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both servers can be handed to a worker thread behind one trait object.
    #[test]
    fn servers_are_interchangeable_trait_objects() {
        fn boxed(server: impl MailboxServer + 'static) -> Box<dyn MailboxServer> {
            Box::new(server)
        }
        let imap = imap::ImapConfig::new(
            "localhost",
            993,
            imap::Security::Tls,
            imap::ImapAuth::Password {
                user: "alice".into(),
                password: Secret::new("pw"),
            },
        );
        let graph = graph::GraphConfig {
            base_url: "http://127.0.0.1:9/v1.0".into(),
            ..graph::GraphConfig::default()
        };
        let servers = [
            boxed(imap::ImapServer::new(imap)),
            boxed(graph::GraphServer::new(graph, Secret::new("t")).unwrap()),
        ];
        let names: Vec<String> = servers.iter().map(|s| s.describe()).collect();
        assert_eq!(
            names,
            [
                "imaps://alice@localhost:993",
                "Microsoft Graph at http://127.0.0.1:9/v1.0"
            ]
        );
        std::thread::spawn(move || drop(servers)).join().unwrap();
    }
}
