//! Which mailbox a store belongs to: the real OST's recorded mailbox against the account
//! it was made for and against another; stores that record none are "not known".

mod common;

use common::fixture;
use ostdoctor::diagnose::identity::{Account, Basis, compare_owner, store_identity};
use ostdoctor::diagnose::read_sync_logs;
use ostdoctor::doctor::logs::check_owner;
use ostdoctor::store::Store;
use ostdoctor::wizard::catalogue;

const OST_DN: &str = "/o=First Organization/ou=Exchange Administrative Group(FYDIBOHF23SPDLT)/cn=Recipients/cn=0003000040B2FAE2";

fn account(address: &str, legacy_dn: Option<&str>) -> Account {
    Account {
        address: address.into(),
        legacy_dn: legacy_dn.map(str::to_string),
    }
}

#[test]
fn the_real_ost_records_its_mailbox() {
    let Some(path) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let store = Store::open(&path).unwrap();
    let logs = read_sync_logs(&store).unwrap();
    let id = store_identity(&store, Some(&logs)).unwrap();
    assert_eq!(id.legacy_dn.as_deref(), Some(OST_DN));
    // Inbox mail the server delivered to that Exchange address names its SMTP address.
    assert_eq!(
        id.smtp_address.as_deref(),
        Some("pstextractortest@outlook.com")
    );
    // The provider id of its folders' entry ids.
    assert_eq!(
        id.mailbox_guid.as_deref(),
        Some("733604b1-7a66-49f1-817c-0918652aa1d1")
    );
    assert_eq!(id.log_mailboxes, ["Pst Extractor"]);
    assert_eq!(id.log_mailbox_ids, ["00030000-40"]);
    assert_eq!(id.owner_name, None);
    assert_eq!(id.display_name, None);
}

#[test]
fn the_real_ost_against_a_matching_and_another_account() {
    let Some(path) = fixture("outlook-com-2013.ost") else {
        return;
    };
    let store = Store::open(&path).unwrap();
    let id = store_identity(&store, None).unwrap();

    let same = compare_owner(&id, &account("PstExtractorTest@outlook.com", None));
    assert!(same.known && same.matches, "{same:?}");
    assert_eq!(same.basis, Some(Basis::SmtpAddress));
    assert_eq!(same.store_mailbox, "pstextractortest@outlook.com");
    assert_eq!(same.account_mailbox, "PstExtractorTest@outlook.com");

    let other = compare_owner(&id, &account("someone.else@outlook.com", None));
    assert!(other.known && !other.matches, "{other:?}");
    assert_eq!(other.store_mailbox, "pstextractortest@outlook.com");
    assert_eq!(other.account_mailbox, "someone.else@outlook.com");

    // What the wizard's check_store_owner reports, within its catalogue entry: a user
    // name without @ is compared too, and with no account at all the store's own mailbox
    // is still named, so the page that asks can say it.
    let check = catalogue::check("check_store_owner").unwrap();
    for (account, known, matches) in [
        (Some("PstExtractorTest@outlook.com"), true, true),
        (Some("someone.else@outlook.com"), true, false),
        (Some("pstextractortest"), true, true),
        (Some("someone"), false, false),
        (None, false, false),
    ] {
        let facts = check_owner(&path, None, account.map(str::to_string)).unwrap();
        assert_eq!(check.conform(&facts), Ok(()), "{account:?}");
        assert_eq!(facts.get("owner.known"), Some(&known.into()), "{account:?}");
        assert_eq!(
            facts.get("owner.matches"),
            Some(&matches.into()),
            "{account:?}"
        );
        assert_eq!(
            facts.get("owner.store_mailbox"),
            Some(&"pstextractortest@outlook.com".into()),
            "{account:?}"
        );
        assert_eq!(facts.get("owner.store_known"), Some(&true.into()));
        // Its Exchange address is sound: no trailing space.
        assert_eq!(facts.get("owner.dn_trailing_space"), Some(&false.into()));
    }

    // An Exchange address, where the account gives one, decides.
    let by_dn = compare_owner(&id, &account("", Some(&OST_DN.to_lowercase())));
    assert!(by_dn.known && by_dn.matches);
    assert_eq!(by_dn.basis, Some(Basis::LegacyDn));
    let moved = compare_owner(
        &id,
        &account(
            "pstextractortest@outlook.com",
            Some(
                "/o=First Organization/ou=Exchange Administrative Group(FYDIBOHF23SPDLT)/cn=Recipients/cn=00030000DEADBEEF",
            ),
        ),
    );
    assert!(moved.known && !moved.matches);
    assert_eq!(moved.store_mailbox, OST_DN);

    // A sign-in name that is not the alias proves nothing either way.
    let name = compare_owner(&id, &account("pst", None));
    assert!(!name.known && !name.matches);
}

#[test]
fn personal_stores_record_no_mailbox() {
    for name in ["enron.pst", "ansi-32bit.pst"] {
        let Some(path) = fixture(name) else {
            continue;
        };
        let store = Store::open(&path).unwrap();
        let id = store_identity(&store, None).unwrap();
        assert!(id.is_empty(), "{name}: {id:?}");
        let c = compare_owner(&id, &account("alice@contoso.com", None));
        assert!(!c.known && !c.matches);
        assert_eq!(c.store_mailbox, "");
        assert_eq!(c.account_mailbox, "alice@contoso.com");
        assert_eq!(c.reason, "the store records no mailbox");
    }
}
