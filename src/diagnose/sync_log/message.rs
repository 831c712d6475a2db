//! The Outlook messages a person meets on screen and may also find in a log, each known by
//! the stable name the wizard uses (`wizard::catalogue::SYNC_MESSAGES`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KnownMessage {
    BackgroundSyncError,
    PublicFolderServer,
    NotOutlookDataFile,
    DifferentMailbox,
}

/// Lower-case fragments of each message as Outlook words it. Only wordings seen in
/// Microsoft's own articles are listed (the Dutch, German and Portuguese versions of
/// "Synchronization issues occur in Outlook and in Outlook Web App" for the data file);
/// a guessed translation would match nothing real.
const PATTERNS: &[(KnownMessage, &[&str])] = &[
    (
        KnownMessage::BackgroundSyncError,
        &["background synchronization error"],
    ),
    (
        KnownMessage::PublicFolderServer,
        &["could not connect to public folder server"],
    ),
    (
        KnownMessage::NotOutlookDataFile,
        &[
            "is not an outlook data file",
            "is geen outlook-gegevensbestand",
            "ist keine outlook-datendatei",
            "não é um ficheiro de dados do outlook",
            "não é um arquivo de dados do outlook",
        ],
    ),
    (
        KnownMessage::DifferentMailbox,
        &["configured for use with a different mailbox"],
    ),
];

impl KnownMessage {
    pub const ALL: [KnownMessage; 4] = [
        KnownMessage::BackgroundSyncError,
        KnownMessage::PublicFolderServer,
        KnownMessage::NotOutlookDataFile,
        KnownMessage::DifferentMailbox,
    ];

    pub fn id(self) -> &'static str {
        match self {
            KnownMessage::BackgroundSyncError => "background_sync_error",
            KnownMessage::PublicFolderServer => "public_folder_server",
            KnownMessage::NotOutlookDataFile => "not_outlook_data_file",
            KnownMessage::DifferentMailbox => "different_mailbox",
        }
    }

    /// The known message `text` contains, if any.
    pub fn find(text: &str) -> Option<KnownMessage> {
        let t = text.to_lowercase();
        PATTERNS
            .iter()
            .find(|(_, pats)| pats.iter().any(|p| t.contains(p)))
            .map(|(m, _)| *m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_the_wizard_catalogue_names() {
        let ids: Vec<&str> = KnownMessage::ALL.iter().map(|m| m.id()).collect();
        assert_eq!(ids, crate::wizard::catalogue::SYNC_MESSAGES);
        for m in KnownMessage::ALL {
            assert_eq!(serde_json::to_value(m).unwrap(), m.id());
        }
    }

    #[test]
    fn finds_messages_in_any_case() {
        assert_eq!(
            KnownMessage::find("\t\t Could not connect to public folder server."),
            Some(KnownMessage::PublicFolderServer)
        );
        assert_eq!(
            KnownMessage::find(
                "The file C:\\x\\Outlook.ost cannot be accessed because it has been configured for use with a different mailbox."
            ),
            Some(KnownMessage::DifferentMailbox)
        );
        assert_eq!(
            KnownMessage::find("Het bestand c:\\a.ost is geen Outlook-gegevensbestand (ost)."),
            Some(KnownMessage::NotOutlookDataFile)
        );
        assert_eq!(
            KnownMessage::find("BACKGROUND SYNCHRONIZATION ERROR. See detailed logs"),
            Some(KnownMessage::BackgroundSyncError)
        );
        assert_eq!(KnownMessage::find("Done"), None);
    }
}
