//! Which mailbox a store belongs to, and whether that is the mailbox the person now signs in
//! to: "configured for use with a different mailbox" is exactly a mismatch here.
//!
//! The store records its mailbox in several places, none of them always present: the
//! Exchange address (legacy DN) in its root folder's replication data, the mailbox owner's
//! name on the message store, the mailbox GUID in the entry ids of its special folders,
//! the SMTP address the server stamped on mail it delivered to that Exchange address, and
//! the mailbox name and id its synchronization logs mention. Only recorded facts are
//! compared; when none can be compared with what the account gives, the answer is "not
//! known", never a guess.

use std::collections::BTreeMap;

use serde::Serialize;

use super::names::role_from_name;
use super::sync_log::SyncLogReport;
use crate::server::FolderRole;
use crate::store::ltp::{Node, PropertyContext};
use crate::store::{FolderInfo, Store};

/// PidTagReceivedByEmailAddress and PidTagReceivedBySmtpAddress ([MS-OXPROPS]).
const RECEIVED_BY_EMAIL_ADDRESS: u16 = 0x0076;
const RECEIVED_BY_SMTP_ADDRESS: u16 = 0x5D07;
/// Special-folder entry ids the Inbox carries (PidTagIpmAppointmentEntryId to
/// PidTagIpmDraftsEntryId, [MS-OXOSFLD]).
const INBOX_SPECIAL_ENTRY_IDS: std::ops::RangeInclusive<u16> = 0x36D0..=0x36D7;
/// How many Inbox messages to read for the delivery address: enough to find one delivered
/// by the server, few enough to stay quick on a large Inbox.
const INBOX_SAMPLE: usize = 200;

/// What the store records about its mailbox.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StoreIdentity {
    /// The Exchange address, `/o=.../cn=Recipients/cn=...`.
    pub legacy_dn: Option<String>,
    /// The SMTP address the server delivered to, on mail addressed to `legacy_dn`.
    pub smtp_address: Option<String>,
    /// PidTagMailboxOwnerName.
    pub owner_name: Option<String>,
    /// The store's display name, when it has one.
    pub display_name: Option<String>,
    /// The Exchange mailbox GUID from the entry ids of the special folders.
    pub mailbox_guid: Option<String>,
    /// "Synchronizing Mailbox 'NAME'" in the logs.
    pub log_mailboxes: Vec<String>,
    /// `MailboxId=` of the server addresses in the logs (Outlook may cut them short).
    pub log_mailbox_ids: Vec<String>,
    /// The address in the file's name: Outlook 2010 and later name an offline store after
    /// the account's address (`name@domain.ost`, a second one `name@domain - 2.ost`).
    pub file_address: Option<String>,
}

/// The address an offline store's file name holds, as Outlook names it.
pub fn address_in_file_name(path: &std::path::Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?.trim();
    let ext = path.extension()?.to_str()?;
    if !ext.eq_ignore_ascii_case("ost") {
        return None;
    }
    // "name@domain - 2": a second store for the same address.
    let stem = match stem.rsplit_once(" - ") {
        Some((address, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => address,
        _ => stem,
    };
    let (local, domain) = stem.split_once('@')?;
    let plain = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace) && !s.contains('@');
    (plain(local) && plain(domain) && domain.contains('.')).then(|| stem.to_string())
}

/// The mailbox of the account now in use, as the server or the person gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    /// An e-mail address, or a user name without `@`.
    pub address: String,
    /// The account's Exchange address, where known.
    pub legacy_dn: Option<String>,
}

/// How the two were compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    LegacyDn,
    SmtpAddress,
    /// A user name against the last `cn=` of the store's Exchange address.
    Alias,
    /// The account's address against the one the file is named after. Only an equal one
    /// counts: a mailbox whose address changed keeps its old file name.
    FileName,
}

/// The answer the wizard's `check_store_owner` reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerCheck {
    /// Both mailboxes are known in a form that can be compared.
    pub known: bool,
    /// The store belongs to the account's mailbox (false when not known).
    pub matches: bool,
    /// The mailbox recorded in the store (empty when it records none).
    pub store_mailbox: String,
    /// The account's mailbox (empty when not given).
    pub account_mailbox: String,
    pub basis: Option<Basis>,
    /// Why the answer is what it is, for people to read.
    pub reason: String,
}

/// Reads what `store` records about its mailbox; `logs` adds what its sync logs say.
pub fn store_identity(
    store: &Store,
    logs: Option<&SyncLogReport>,
) -> crate::store::Result<StoreIdentity> {
    let props = store.properties()?;
    let folders = store.folders()?;
    let inbox = inbox(store, &folders)?;
    let mut id = StoreIdentity {
        legacy_dn: props.mailbox_dn.filter(|d| !d.trim().is_empty()),
        owner_name: props.mailbox_owner_name.filter(|n| !n.trim().is_empty()),
        display_name: Some(props.display_name).filter(|n| !n.trim().is_empty()),
        ..StoreIdentity::default()
    };
    if let Some(inbox) = inbox {
        id.mailbox_guid = mailbox_guid(store, &inbox)?;
        if let Some(dn) = &id.legacy_dn {
            id.smtp_address = delivered_to(store, &inbox, dn)?;
        }
    }
    for log in logs.map(|r| r.logs.as_slice()).unwrap_or_default() {
        if let Some(m) = &log.mailbox
            && !id.log_mailboxes.contains(m)
        {
            id.log_mailboxes.push(m.clone());
        }
        for m in &log.mailbox_ids {
            if !id.log_mailbox_ids.contains(m) {
                id.log_mailbox_ids.push(m.clone());
            }
        }
    }
    Ok(id)
}

/// The Inbox under the top of the mailbox, by name in any of the known languages.
fn inbox(store: &Store, folders: &[FolderInfo]) -> crate::store::Result<Option<FolderInfo>> {
    let top = store.ipm_subtree(folders)?;
    let found: Vec<&FolderInfo> = folders
        .iter()
        .filter(|f| top.is_none_or(|t| f.parent == Some(t)))
        .filter(|f| role_from_name(&f.display_name) == Some(FolderRole::Inbox))
        .collect();
    Ok(match found[..] {
        [one] => Some(one.clone()),
        _ => None,
    })
}

/// A folder entry id of a private mailbox ([MS-OXCDATA] 2.2.4.1) carries the mailbox GUID
/// as its provider id: 4 flag bytes, that GUID, a 2-byte folder type (1: private folder),
/// the database GUID, a 6-byte counter and 2 bytes of padding.
fn mailbox_guid(store: &Store, inbox: &FolderInfo) -> crate::store::Result<Option<String>> {
    let pc = PropertyContext::open(Node::open(store.ndb(), inbox.nid)?)?;
    for tag in INBOX_SPECIAL_ENTRY_IDS {
        if let Some(b) = pc.binary(tag)?
            && b.len() == 46
            && b[20..22] == [1, 0]
        {
            return Ok(Some(guid(&b[4..20])));
        }
    }
    Ok(None)
}

/// A GUID in its usual text form; the first three fields are stored little-endian.
fn guid(b: &[u8]) -> String {
    format!(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{}",
        b[3],
        b[2],
        b[1],
        b[0],
        b[5],
        b[4],
        b[7],
        b[6],
        b[8],
        b[9],
        b[10..16]
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    )
}

/// The SMTP address on Inbox mail the server delivered to the Exchange address `dn`: the
/// one most messages agree on.
fn delivered_to(
    store: &Store,
    inbox: &FolderInfo,
    dn: &str,
) -> crate::store::Result<Option<String>> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for nid in store
        .message_nids(inbox.nid)?
        .into_iter()
        .take(INBOX_SAMPLE)
    {
        // One unreadable message says nothing about the mailbox; the rest still do.
        let Ok(m) = store.message(nid) else { continue };
        let pc = m.properties();
        let (Ok(Some(to_dn)), Ok(Some(smtp))) = (
            pc.text(RECEIVED_BY_EMAIL_ADDRESS),
            pc.text(RECEIVED_BY_SMTP_ADDRESS),
        ) else {
            continue;
        };
        if to_dn.trim().eq_ignore_ascii_case(dn.trim()) && smtp.contains('@') {
            *seen.entry(smtp.trim().to_lowercase()).or_default() += 1;
        }
    }
    Ok(seen
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(address, _)| address))
}

/// The last `cn=` of an Exchange address: the alias on premises, `<id>-<alias>` online.
fn dn_alias(dn: &str) -> Option<&str> {
    let lower = dn.to_ascii_lowercase();
    let at = lower.rfind("/cn=")? + 4;
    Some(dn[at..].trim()).filter(|a| !a.is_empty())
}

impl StoreIdentity {
    /// Whether the store records anything about its mailbox.
    /// The recorded Exchange address ends with a space: the directory fault after which
    /// Outlook shows Disconnected and cannot synchronize, whatever is done to the store
    /// (comparisons trim it, so it must be looked for on its own).
    pub fn dn_ends_in_space(&self) -> bool {
        self.legacy_dn
            .as_deref()
            .is_some_and(|dn| dn.ends_with(char::is_whitespace))
    }

    pub fn is_empty(&self) -> bool {
        self.legacy_dn.is_none()
            && self.smtp_address.is_none()
            && self.owner_name.is_none()
            && self.mailbox_guid.is_none()
            && self.log_mailboxes.is_empty()
            && self.log_mailbox_ids.is_empty()
            && self.file_address.is_none()
    }

    /// The clearest single description: address, else Exchange address, else a name.
    pub fn describe(&self) -> String {
        self.smtp_address
            .clone()
            .or_else(|| self.legacy_dn.clone())
            .or_else(|| self.owner_name.clone())
            .or_else(|| self.log_mailboxes.first().cloned())
            .or_else(|| self.mailbox_guid.clone())
            .or_else(|| self.file_address.clone())
            .unwrap_or_default()
    }
}

/// Compares the store's mailbox with the account's.
pub fn compare_owner(store: &StoreIdentity, account: &Account) -> OwnerCheck {
    let address = account.address.trim();
    let account_dn = account
        .legacy_dn
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let account_mailbox = if address.is_empty() {
        account_dn.unwrap_or_default().to_string()
    } else {
        address.to_string()
    };
    let answer = |basis: Basis, store_side: &str, matches: bool, reason: String| OwnerCheck {
        known: true,
        matches,
        store_mailbox: store_side.to_string(),
        account_mailbox: account_mailbox.clone(),
        basis: Some(basis),
        reason,
    };
    if let (Some(ours), Some(theirs)) = (store.legacy_dn.as_deref(), account_dn) {
        let same = ours.trim().eq_ignore_ascii_case(theirs);
        return answer(
            Basis::LegacyDn,
            ours,
            same,
            format!(
                "the store's Exchange address {} the account's",
                if same { "is" } else { "differs from" }
            ),
        );
    }
    if address.contains('@')
        && let Some(ours) = store.smtp_address.as_deref()
    {
        let same = ours.eq_ignore_ascii_case(address);
        return answer(
            Basis::SmtpAddress,
            ours,
            same,
            format!(
                "the store's mail was delivered to {ours}, {} the account's address",
                if same { "which is" } else { "not" }
            ),
        );
    }
    if address.contains('@')
        && let Some(named) = store.file_address.as_deref()
        && named.eq_ignore_ascii_case(address)
    {
        return answer(
            Basis::FileName,
            named,
            true,
            format!("the store's file is named after the account's address {named}"),
        );
    }
    // A bare user name equal to the mailbox alias, or to the part before the @ of the
    // address the store's mail was delivered to, is the same mailbox; a different one
    // proves nothing, since sign-in names and aliases need not agree.
    if !address.is_empty() && !address.contains('@') {
        let user = address.to_lowercase();
        if let Some(dn) = store.legacy_dn.as_deref()
            && let Some(alias) = dn_alias(dn)
        {
            let lower = alias.to_lowercase();
            if lower == user || lower.ends_with(&format!("-{user}")) {
                return answer(
                    Basis::Alias,
                    dn,
                    true,
                    format!("the user name is the alias in the store's Exchange address {dn}"),
                );
            }
        }
        if let Some(smtp) = store.smtp_address.as_deref()
            && smtp
                .split_once('@')
                .is_some_and(|(local, _)| local.eq_ignore_ascii_case(&user))
        {
            return answer(
                Basis::Alias,
                smtp,
                true,
                format!(
                    "the user name is the name in the address {smtp} the store's mail was delivered to"
                ),
            );
        }
    }
    let reason = if account_mailbox.is_empty() {
        "the account's mailbox is not known".to_string()
    } else if store.is_empty() {
        "the store records no mailbox".to_string()
    } else {
        "what the store records cannot be compared with what the account gives".to_string()
    };
    OwnerCheck {
        known: false,
        matches: false,
        store_mailbox: store.describe(),
        account_mailbox,
        basis: None,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DN: &str =
        "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice";

    fn account(address: &str, dn: Option<&str>) -> Account {
        Account {
            address: address.into(),
            legacy_dn: dn.map(str::to_string),
        }
    }

    #[test]
    fn outlooks_file_names_hold_the_address() {
        use std::path::Path;
        let named = |p: &str| address_in_file_name(Path::new(p));
        assert_eq!(
            named("C:/Users/ana/AppData/Local/Microsoft/Outlook/ana@contoso.com.ost").as_deref(),
            Some("ana@contoso.com")
        );
        assert_eq!(
            named("/x/ana@contoso.com - 2.ost").as_deref(),
            Some("ana@contoso.com")
        );
        for not in [
            "/x/Outlook.ost",
            "/x/ana@contoso.com.pst",
            "/x/a b@c.com.ost",
            "/x/ana@local.ost",
        ] {
            assert_eq!(named(not), None, "{not}");
        }
        // Equal counts; a different one proves nothing (an address can change while the
        // file keeps its name).
        let store = StoreIdentity {
            file_address: Some("ana@contoso.com".into()),
            ..StoreIdentity::default()
        };
        let account = |a: &str| Account {
            address: a.into(),
            legacy_dn: None,
        };
        let same = compare_owner(&store, &account("Ana@Contoso.com"));
        assert!(same.known && same.matches);
        assert_eq!(same.basis, Some(Basis::FileName));
        let other = compare_owner(&store, &account("bo@contoso.com"));
        assert!(!other.known && !other.matches);
    }

    #[test]
    fn a_recorded_exchange_address_ending_in_a_space_is_told_apart() {
        let with = |dn: &str| StoreIdentity {
            legacy_dn: Some(dn.into()),
            ..StoreIdentity::default()
        };
        assert!(with("/o=Contoso/ou=First/cn=Recipients/cn=ana ").dn_ends_in_space());
        assert!(!with("/o=Contoso/ou=First/cn=Recipients/cn=ana").dn_ends_in_space());
        assert!(!StoreIdentity::default().dn_ends_in_space());
    }

    #[test]
    fn exchange_addresses_decide_first() {
        let store = StoreIdentity {
            legacy_dn: Some(DN.into()),
            smtp_address: Some("alice@contoso.com".into()),
            ..Default::default()
        };
        let same = compare_owner(
            &store,
            &account("bob@contoso.com", Some(&DN.to_uppercase())),
        );
        assert!(same.known && same.matches);
        assert_eq!(same.basis, Some(Basis::LegacyDn));
        let other = compare_owner(
            &store,
            &account(
                "",
                Some(
                    "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=bob",
                ),
            ),
        );
        assert!(other.known && !other.matches);
        assert_eq!(other.store_mailbox, DN);
    }

    #[test]
    fn addresses_compare_without_case() {
        let store = StoreIdentity {
            legacy_dn: Some(DN.into()),
            smtp_address: Some("alice@contoso.com".into()),
            ..Default::default()
        };
        let c = compare_owner(&store, &account("Alice@Contoso.com", None));
        assert!(c.known && c.matches);
        assert_eq!(c.store_mailbox, "alice@contoso.com");
        let c = compare_owner(&store, &account("bob@contoso.com", None));
        assert!(c.known && !c.matches);
        assert_eq!(c.account_mailbox, "bob@contoso.com");
    }

    #[test]
    fn a_user_name_matches_the_alias_but_never_refutes_it() {
        let store = StoreIdentity {
            legacy_dn: Some(DN.into()),
            ..Default::default()
        };
        let c = compare_owner(&store, &account("alice", None));
        assert!(c.known && c.matches);
        assert_eq!(c.basis, Some(Basis::Alias));
        let online = StoreIdentity {
            legacy_dn: Some("/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=5f3c0e2a9b7d4c1e8f6a2b3c4d5e6f70-alice".into()),
            ..Default::default()
        };
        assert!(compare_owner(&online, &account("ALICE", None)).matches);
        let c = compare_owner(&store, &account("asmith", None));
        assert!(!c.known && !c.matches);
        assert_eq!(c.store_mailbox, DN);
    }

    #[test]
    fn a_user_name_matches_the_name_in_the_delivered_address() {
        let store = StoreIdentity {
            smtp_address: Some("ana.souza@contoso.com".into()),
            ..Default::default()
        };
        let c = compare_owner(&store, &account("Ana.Souza", None));
        assert!(c.known && c.matches, "{}", c.reason);
        assert_eq!(c.store_mailbox, "ana.souza@contoso.com");
        // Another name says nothing: sign-in names and addresses need not agree.
        let c = compare_owner(&store, &account("asouza", None));
        assert!(!c.known && !c.matches);
        assert_eq!(c.store_mailbox, "ana.souza@contoso.com");
    }

    #[test]
    fn nothing_recorded_is_not_known() {
        let c = compare_owner(
            &StoreIdentity::default(),
            &account("alice@contoso.com", None),
        );
        assert!(!c.known && !c.matches);
        assert_eq!(c.store_mailbox, "");
        assert_eq!(c.reason, "the store records no mailbox");
        // An address with no delivered mail to compare it with.
        let store = StoreIdentity {
            legacy_dn: Some(DN.into()),
            ..Default::default()
        };
        let c = compare_owner(&store, &account("alice@contoso.com", None));
        assert!(!c.known);
        let c = compare_owner(&store, &account("  ", None));
        assert!(!c.known);
        assert_eq!(c.account_mailbox, "");
    }

    #[test]
    fn guid_text_form() {
        let b = [
            0xb1, 0x04, 0x36, 0x73, 0x66, 0x7a, 0xf1, 0x49, 0x81, 0x7c, 0x09, 0x18, 0x65, 0x2a,
            0xa1, 0xd1,
        ];
        assert_eq!(guid(&b), "733604b1-7a66-49f1-817c-0918652aa1d1");
    }
}
