//! Which part of a synchronization an error belongs to. The same code means different
//! things in different parts: 8004010F while synchronizing Organization Forms points at
//! damaged Exchange support files, while downloading the offline address book it means
//! the book is not published.

use serde::{Deserialize, Serialize};

use super::words;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    OrganizationForms,
    OfflineAddressBook,
    Hierarchy,
    PublicFolders,
    Mailbox,
    Other,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Section::OrganizationForms,
        Section::OfflineAddressBook,
        Section::Hierarchy,
        Section::PublicFolders,
        Section::Mailbox,
        Section::Other,
    ];

    /// The name the wizard's facts use (`organization_forms/8004010F`).
    pub fn key(self) -> &'static str {
        match self {
            Section::OrganizationForms => "organization_forms",
            Section::OfflineAddressBook => "offline_address_book",
            Section::Hierarchy => "hierarchy",
            Section::PublicFolders => "public_folders",
            Section::Mailbox => "mailbox",
            Section::Other => "other",
        }
    }
}

/// The part an error's own words name ("Could not connect to public folder server"),
/// which wins over the step the log was in when it happened. In every log language.
pub fn named_in(text: &str) -> Option<Section> {
    let t = text.to_lowercase();
    [
        (&words::FORMS, Section::OrganizationForms),
        (&words::ADDRESS_BOOK, Section::OfflineAddressBook),
        (&words::PUBLIC_FOLDERS, Section::PublicFolders),
        (&words::HIERARCHY, Section::Hierarchy),
    ]
    .into_iter()
    .find(|(step, _)| step.named_in(&t))
    .map(|(_, section)| section)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_serialized_names() {
        for s in Section::ALL {
            assert_eq!(serde_json::to_value(s).unwrap(), s.key());
        }
    }

    #[test]
    fn error_texts_name_their_part() {
        assert_eq!(
            named_in("Could not connect to public folder server."),
            Some(Section::PublicFolders)
        );
        assert_eq!(
            named_in("Downloading Offline Address Book"),
            Some(Section::OfflineAddressBook)
        );
        assert_eq!(named_in("The client operation failed."), None);
    }
}
