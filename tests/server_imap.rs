//! The IMAP client against a real Dovecot on 127.0.0.1 (see `support/dovecot.rs`), plus a
//! silent listener and small scripted servers for the failures Dovecot will not produce.

mod common;
mod support;

use std::io::Write;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use ostdoctor::server::imap::{
    ImapAuth, ImapConfig, ImapServer, ImapUrl, ListingMethod, OperationLimits, Security,
};
use ostdoctor::server::{
    Fingerprint, Folder, FolderId, FolderRole, MailboxServer, Secret, ServerError, ServerErrorKind,
    Timestamp, TlsOptions,
};
use support::dovecot::{Dovecot, Options, PASSWORD, USER};
use support::http::{HttpServer, Reply};
use support::imap_writer::{Writer, message};
use support::{scripted_imap, with_deadline};

const DEADLINE: Duration = Duration::from_secs(60);

fn test_ca(dovecot: &Dovecot) -> TlsOptions {
    TlsOptions {
        builtin_roots: false,
        extra_ca_pem: vec![dovecot.pki.ca_pem.clone()],
        ..TlsOptions::default()
    }
}

fn password_config(dovecot: &Dovecot, security: Security) -> ImapConfig {
    let port = match security {
        Security::Tls => dovecot.imaps_port,
        Security::StartTls | Security::Plaintext => dovecot.imap_port,
    };
    let auth = ImapAuth::Password {
        user: USER.into(),
        password: Secret::new(PASSWORD),
    };
    ImapConfig::new("localhost", port, security, auth)
        .with_tls(test_ca(dovecot))
        .with_timeout(Duration::from_secs(5))
}

/// The mailbox every folder test reads: nested folders, non-ASCII names, special-use
/// folders, a parent that exists only through its child, read and unread messages.
fn fill(dovecot: &Dovecot) {
    let mut w = Writer::login(dovecot.imap_port, USER, PASSWORD);
    for folder in [
        "INBOX/Projects",
        "Verzonden items/Privé",
        "Caixa de saída",
        "Projecten/2024",
        "Ελληνικά",
    ] {
        w.create(folder);
    }
    let seen = "\\Seen";
    w.append(
        "INBOX",
        seen,
        "01-Jan-2024 09:00:05 +0100",
        &message(
            "<inbox-1@example.com>",
            "Welcome",
            "Mon, 01 Jan 2024 09:00:00 +0100",
            "Hello.",
        ),
    );
    w.append(
        "INBOX",
        "",
        "02-Jan-2024 10:30:00 +0000",
        &message(
            "<inbox-2@example.com>",
            "=?UTF-8?B?UHJpdsOpIG1lZXRpbmc=?=",
            "Tue, 02 Jan 2024 10:29:00 +0000",
            "Agenda.",
        ),
    );
    w.append(
        "INBOX",
        seen,
        "03-Jan-2024 23:59:59 -0500",
        &message(
            "<inbox-3@example.com>",
            "Re: Budget",
            "Wed, 03 Jan 2024 23:59:00 -0500",
            "Ok.",
        ),
    );
    let date = "05-Jan-2024 12:00:00 +0000";
    let plain = |id: &str| message(id, "Note", "Fri, 05 Jan 2024 12:00:00 +0000", "x");
    w.append("INBOX/Projects", seen, date, &plain("<p-1@example.com>"));
    w.append("INBOX/Projects", "", date, &plain("<p-2@example.com>"));
    w.append("Verzonden items", seen, date, &plain("<s-1@example.com>"));
    w.append(
        "Verzonden items/Privé",
        seen,
        date,
        &plain("<v-1@example.com>"),
    );
    w.append(
        "Verzonden items/Privé",
        "",
        date,
        &plain("<v-2@example.com>"),
    );
    w.append("Caixa de saída", "", date, &plain("<c-1@example.com>"));
    w.append("Projecten/2024", seen, date, &plain("<pj-1@example.com>"));
    w.append("Trash", seen, date, &plain("<t-1@example.com>"));
}

/// Path, total, unread, role, selectable.
type Row<P> = (P, Option<u64>, Option<u64>, Option<FolderRole>, bool);

fn expected_folders() -> Vec<Row<&'static str>> {
    use FolderRole::*;
    vec![
        ("Archive", Some(0), Some(0), Some(Archive), true),
        ("Caixa de saída", Some(1), Some(1), None, true),
        ("Drafts", Some(0), Some(0), Some(Drafts), true),
        ("INBOX", Some(3), Some(1), Some(Inbox), true),
        ("INBOX/Projects", Some(2), Some(1), None, true),
        ("Junk", Some(0), Some(0), Some(Junk), true),
        ("Projecten", None, None, None, false),
        ("Projecten/2024", Some(1), Some(0), None, true),
        ("Trash", Some(1), Some(0), Some(Deleted), true),
        ("Verzonden items", Some(1), Some(0), Some(Sent), true),
        ("Verzonden items/Privé", Some(2), Some(1), None, true),
        ("Ελληνικά", Some(0), Some(0), None, true),
    ]
}

fn rows(folders: &[Folder]) -> Vec<Row<String>> {
    folders
        .iter()
        .map(|f| {
            (
                f.display_path(),
                f.total,
                f.unread,
                f.role.clone(),
                f.selectable,
            )
        })
        .collect()
}

fn assert_folders(folders: &[Folder]) {
    let expected: Vec<_> = expected_folders()
        .into_iter()
        .map(|(p, t, u, r, s)| (p.to_string(), t, u, r, s))
        .collect();
    assert_eq!(rows(folders), expected);
    assert!(folders.iter().all(|f| f.hidden.is_none()));
    let prive = folders
        .iter()
        .find(|f| f.path.last().unwrap() == "Privé")
        .unwrap();
    assert_eq!(prive.path, ["Verzonden items", "Privé"]);
    assert_eq!(prive.id, FolderId("Verzonden items/Priv&AOk-".into()));
}

#[test]
fn folders_and_counts_in_one_list_status_round_trip() {
    with_deadline(DEADLINE, || {
        let dovecot = Dovecot::start();
        fill(&dovecot);
        let mut server = ImapServer::new(password_config(&dovecot, Security::Tls));
        server.connect().unwrap();
        assert_eq!(server.has_capability("LIST-STATUS"), Some(true));
        let before = server.commands_sent();
        let folders = server.list_folders().unwrap();
        assert_eq!(
            server.commands_sent() - before,
            1,
            "one LIST for everything"
        );
        assert_eq!(
            server.last_listing_method(),
            Some(ListingMethod::ListStatus)
        );
        assert_folders(&folders);
    });
}

#[test]
fn folders_and_counts_through_the_status_fallback() {
    with_deadline(DEADLINE, || {
        let dovecot = Dovecot::start();
        fill(&dovecot);
        let config = password_config(&dovecot, Security::Tls).with_list_status(false);
        let mut server = ImapServer::new(config);
        server.connect().unwrap();
        let before = server.commands_sent();
        let folders = server.list_folders().unwrap();
        assert_eq!(
            server.last_listing_method(),
            Some(ListingMethod::StatusPerFolder)
        );
        // LIST, then one STATUS per selectable folder (11 of 12).
        assert_eq!(server.commands_sent() - before, 1 + 11);
        assert_folders(&folders);
    });
}

#[test]
fn items_of_a_folder() {
    with_deadline(DEADLINE, || {
        let dovecot = Dovecot::start();
        fill(&dovecot);
        let mut server = ImapServer::new(password_config(&dovecot, Security::Tls));
        let items = server.list_items(&FolderId("INBOX".into())).unwrap();
        let summary: Vec<_> = items
            .iter()
            .map(|i| {
                (
                    i.server_id.as_str(),
                    i.internet_message_id.as_deref(),
                    i.subject.as_deref(),
                    i.unread,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "1",
                    Some("<inbox-1@example.com>"),
                    Some("Welcome"),
                    Some(false)
                ),
                (
                    "2",
                    Some("<inbox-2@example.com>"),
                    Some("Privé meeting"),
                    Some(true)
                ),
                (
                    "3",
                    Some("<inbox-3@example.com>"),
                    Some("Re: Budget"),
                    Some(false)
                ),
            ]
        );
        let at = |s: &str| Some(Timestamp::parse_rfc3339(s).unwrap());
        assert_eq!(items[0].sent, at("2024-01-01T08:00:00Z"));
        assert_eq!(items[0].received, at("2024-01-01T08:00:05Z"));
        assert_eq!(items[2].sent, at("2024-01-04T04:59:00Z"));
        assert_eq!(items[2].received, at("2024-01-04T04:59:59Z"));
        let size = message(
            "<inbox-1@example.com>",
            "Welcome",
            "Mon, 01 Jan 2024 09:00:00 +0100",
            "Hello.",
        )
        .len() as u64;
        assert_eq!(items[0].size, Some(size));

        // A nested folder with a non-ASCII name, by the id the listing gave; and an empty one.
        let folders = server.list_folders().unwrap();
        let prive = folders
            .iter()
            .find(|f| f.display_path() == "Verzonden items/Privé")
            .unwrap();
        let items = server.list_items(&prive.id).unwrap();
        let ids: Vec<_> = items
            .iter()
            .filter_map(|i| i.internet_message_id.as_deref())
            .collect();
        assert_eq!(ids, ["<v-1@example.com>", "<v-2@example.com>"]);
        assert!(
            server
                .list_items(&FolderId("Drafts".into()))
                .unwrap()
                .is_empty()
        );

        // Listing is read-only: the unread message is still unread.
        let folders = server.list_folders().unwrap();
        let inbox = folders
            .iter()
            .find(|f| f.display_path() == "INBOX")
            .unwrap();
        assert_eq!(inbox.unread, Some(1));

        let err = server
            .list_items(&FolderId("No such folder".into()))
            .unwrap_err();
        assert_eq!(err.action, "EXAMINE");
        assert!(matches!(err.kind, ServerErrorKind::Refused(_)), "{err}");
    });
}

#[test]
fn wrong_password_is_refused_with_the_servers_words() {
    with_deadline(DEADLINE, || {
        let dovecot = Dovecot::start();
        let mut config = password_config(&dovecot, Security::Tls);
        config.auth = ImapAuth::Password {
            user: USER.into(),
            password: Secret::new("wrong"),
        };
        let err = ImapServer::new(config).connect().unwrap_err();
        assert_eq!(err.action, "AUTHENTICATE PLAIN");
        assert_eq!(
            err.server,
            format!("imaps://alice@localhost:{}", dovecot.imaps_port)
        );
        match &err.kind {
            ServerErrorKind::Authentication(text) => {
                assert!(text.contains("AUTHENTICATIONFAILED"), "{text}")
            }
            other => panic!("{other:?}"),
        }
        assert!(!err.to_string().contains("wrong"), "{err}");
    });
}

#[test]
fn tls_verifies_the_certificate() {
    with_deadline(DEADLINE, || {
        let dovecot = Dovecot::start();
        let mut server = ImapServer::new(password_config(&dovecot, Security::Tls));
        server.connect().unwrap();
        assert_eq!(server.is_tls(), Some(true));

        // Without the test CA: the built-in roots do not know it.
        let config = password_config(&dovecot, Security::Tls).with_tls(TlsOptions::default());
        let err = ImapServer::new(config).connect().unwrap_err();
        assert_eq!(err.action, "TLS handshake");
        let fingerprint = server_fingerprint(&dovecot);
        assert_eq!(
            err.kind,
            ServerErrorKind::Certificate(format!(
                "issued by an unknown certificate authority; the certificate's SHA-256 \
                 fingerprint is {fingerprint}: if the server's owner confirms it, trust it by \
                 that fingerprint"
            ))
        );

        // The certificate names localhost, not 127.0.0.1.
        let mut config = password_config(&dovecot, Security::Tls);
        config.host = "127.0.0.1".into();
        let err = ImapServer::new(config).connect().unwrap_err();
        let ServerErrorKind::Certificate(words) = &err.kind else {
            panic!("{err}")
        };
        assert!(
            words.starts_with("issued for a different host name; "),
            "{words}"
        );
    });
}

/// The SHA-256 fingerprint of the certificate the test server presents.
fn server_fingerprint(dovecot: &Dovecot) -> Fingerprint {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let der = CertificateDer::from_pem_slice(dovecot.pki.server_cert_pem.as_bytes()).unwrap();
    Fingerprint::of(&der)
}

/// A server with its own self-signed certificate, marked as an authority as `openssl req
/// -x509` makes it: refused in words (never `CaUsedAsEndEntity`), trusted once the person
/// gives that certificate or confirms its fingerprint, and only that one.
#[test]
fn a_self_signed_server_certificate_is_trusted_when_the_person_chooses_it() {
    with_deadline(DEADLINE, || {
        let dovecot = Dovecot::start_with(Options {
            self_signed: true,
            ..Options::default()
        });
        let fingerprint = server_fingerprint(&dovecot);
        let connect = |tls: TlsOptions| {
            let config = password_config(&dovecot, Security::Tls).with_tls(tls);
            let mut server = ImapServer::new(config);
            server
                .connect()
                .map(|()| server.list_folders().unwrap().len())
        };

        // Unknown: refused, with the fingerprint to compare.
        let err = connect(TlsOptions::default()).unwrap_err();
        let ServerErrorKind::Certificate(words) = &err.kind else {
            panic!("{err}")
        };
        assert!(words.contains(&fingerprint.to_string()), "{words}");
        assert!(!words.contains("CaUsedAsEndEntity"), "{words}");

        // The certificate itself given as the file to trust, as --ca-file does.
        let given = TlsOptions {
            builtin_roots: false,
            extra_ca_pem: vec![dovecot.pki.ca_pem.clone()],
            ..TlsOptions::default()
        };
        assert!(connect(given).unwrap() > 0);

        // Its fingerprint, confirmed; with the built-in authorities still on.
        assert!(connect(TlsOptions::default().with_trusted_fingerprint(fingerprint)).unwrap() > 0);

        // Another fingerprint trusts nothing.
        let mut other = fingerprint;
        other.0[0] ^= 1;
        let err = connect(TlsOptions::default().with_trusted_fingerprint(other)).unwrap_err();
        assert!(matches!(err.kind, ServerErrorKind::Certificate(_)), "{err}");
    });
}

#[test]
fn starttls_upgrades_before_sign_in() {
    with_deadline(DEADLINE, || {
        let dovecot = Dovecot::start();
        fill(&dovecot);
        let mut server = ImapServer::new(password_config(&dovecot, Security::StartTls));
        server.connect().unwrap();
        assert_eq!(server.is_tls(), Some(true));
        assert_eq!(server.list_folders().unwrap().len(), 12);

        let config = password_config(&dovecot, Security::StartTls).with_tls(TlsOptions::default());
        let err = ImapServer::new(config).connect().unwrap_err();
        assert!(matches!(err.kind, ServerErrorKind::Certificate(_)), "{err}");
    });
}

#[test]
fn address_forms_reach_the_server() {
    with_deadline(DEADLINE, || {
        let dovecot = Dovecot::start();
        for text in [
            format!("imaps://{USER}@localhost:{}", dovecot.imaps_port),
            format!("imap://{USER}@localhost:{}?starttls", dovecot.imap_port),
            format!("imap://{USER}@127.0.0.1:{}?plaintext", dovecot.imap_port),
        ] {
            let url = ImapUrl::parse(&text).unwrap();
            let config = ImapConfig::from_url(&url, Secret::new(PASSWORD))
                .with_tls(test_ca(&dovecot))
                .with_timeout(Duration::from_secs(5));
            let mut server = ImapServer::new(config);
            server.connect().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(
                server.is_tls(),
                Some(url.security != Security::Plaintext),
                "{text}"
            );
            assert_eq!(server.describe(), text);
        }
    });
}

#[test]
fn plaintext_only_to_loopback() {
    // Refused before any packet is sent: 192.0.2.1 is a documentation address.
    let auth = ImapAuth::Password {
        user: USER.into(),
        password: Secret::new(PASSWORD),
    };
    let config = ImapConfig::new("192.0.2.1", 143, Security::Plaintext, auth);
    let err = ImapServer::new(config).connect().unwrap_err();
    assert_eq!(err.action, "connect");
    assert!(matches!(err.kind, ServerErrorKind::Config(_)), "{err}");
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let auth = ImapAuth::OAuth2 {
        user: USER.into(),
        access_token: Secret::new("token-value-123"),
    };
    let config = ImapConfig::new("localhost", 993, Security::Tls, auth);
    let shown = format!("{config:?} {:?}", ImapServer::new(config.clone()));
    assert!(!shown.contains("token-value-123"), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
}

#[test]
fn a_killed_server_is_a_dropped_connection() {
    with_deadline(DEADLINE, || {
        let mut dovecot = Dovecot::start();
        let mut server = ImapServer::new(password_config(&dovecot, Security::Tls));
        server.list_folders().unwrap();
        dovecot.kill();
        let err = server.list_folders().unwrap_err();
        assert_eq!(err.action, "LIST");
        assert_eq!(err.kind, ServerErrorKind::Dropped, "{err}");
        // The next call tries a new connection, which nothing answers.
        let err = server.list_folders().unwrap_err();
        assert_eq!(err.action, "connect");
        assert!(matches!(err.kind, ServerErrorKind::Connect(_)), "{err}");
    });
}

#[test]
fn a_silent_server_times_out_within_the_bound() {
    with_deadline(DEADLINE, || {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        // Accept and hold the connection, never saying a word.
        let holder = std::thread::spawn(move || listener.accept().map(|(s, _)| s));
        let auth = ImapAuth::Password {
            user: USER.into(),
            password: Secret::new(PASSWORD),
        };
        let bound = Duration::from_millis(800);
        let config =
            ImapConfig::new("127.0.0.1", port, Security::Plaintext, auth).with_timeout(bound);
        let started = Instant::now();
        let err = ImapServer::new(config).connect().unwrap_err();
        let took = started.elapsed();
        assert_eq!(err.action, "greeting");
        assert_eq!(err.kind, ServerErrorKind::Timeout(bound));
        assert!(took >= bound && took < bound * 3, "took {took:?}");
        drop(holder.join());
    });
}

/// A scripted server (support/scripted_imap.rs) answering each command line with the
/// fixed text `reply(tag, command)`.
fn scripted(greeting: &'static str, reply: fn(&str, &str) -> String) -> u16 {
    scripted_imap::serve(greeting, move |tag, command, out| {
        out.write_all(reply(tag, command).as_bytes())
    })
}

fn scripted_error(
    greeting: &'static str,
    security: Security,
    reply: fn(&str, &str) -> String,
) -> ServerError {
    let port = scripted(greeting, reply);
    let auth = ImapAuth::Password {
        user: USER.into(),
        password: Secret::new(PASSWORD),
    };
    let config =
        ImapConfig::new("127.0.0.1", port, security, auth).with_timeout(Duration::from_secs(5));
    let mut server = ImapServer::new(config);
    server.list_folders().unwrap_err()
}

#[test]
fn starttls_missing_is_not_silently_skipped() {
    with_deadline(DEADLINE, || {
        let err = scripted_error(
            "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n",
            Security::StartTls,
            |_, _| String::new(),
        );
        assert_eq!(err.action, "STARTTLS");
        assert!(matches!(err.kind, ServerErrorKind::Unsupported(_)), "{err}");
    });
}

#[test]
fn hostile_answers_are_bounded_errors() {
    with_deadline(DEADLINE, || {
        // A literal far over the limit is refused before anything is allocated for it.
        let err = scripted_error(
            "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n",
            Security::Plaintext,
            |tag, command| {
                if command.starts_with("AUTHENTICATE") {
                    format!("{tag} OK [CAPABILITY IMAP4rev1] in\r\n")
                } else {
                    "* LIST () \"/\" {4000000000}\r\n".to_string()
                }
            },
        );
        assert_eq!(err.action, "LIST");
        assert!(matches!(err.kind, ServerErrorKind::TooLarge(_)), "{err}");

        // A line that never ends.
        let err = scripted_error(
            "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n",
            Security::Plaintext,
            |tag, command| {
                if command.starts_with("AUTHENTICATE") {
                    format!("{tag} OK [CAPABILITY IMAP4rev1] in\r\n")
                } else {
                    format!("* LIST () \"/\" \"{}", "x".repeat(1_100_000))
                }
            },
        );
        assert!(matches!(err.kind, ServerErrorKind::TooLarge(_)), "{err}");

        // Garbage is a protocol error carrying the server's line.
        let err = scripted_error(
            "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n",
            Security::Plaintext,
            |tag, command| {
                if command.starts_with("AUTHENTICATE") {
                    format!("{tag} OK [CAPABILITY IMAP4rev1] in\r\n")
                } else {
                    "* LIST (unclosed\r\n".to_string()
                }
            },
        );
        assert_eq!(
            err.kind,
            ServerErrorKind::Protocol("* LIST (unclosed".into())
        );

        // A BYE greeting.
        let err = scripted_error(
            "* BYE too many connections\r\n",
            Security::Plaintext,
            |_, _| String::new(),
        );
        assert_eq!(
            err.kind,
            ServerErrorKind::Bye("too many connections".into())
        );
    });
}

#[test]
fn xoauth2_through_dovecots_oauth2_passdb() {
    with_deadline(DEADLINE, || {
        // Dovecot asks this endpoint about each token (introspection_mode = get).
        let tokeninfo =
            HttpServer::start(|request| match request.query("access_token").as_deref() {
                Some("good-token") => {
                    Reply::json(200, format!(r#"{{"email":"{USER}","active":true}}"#))
                }
                _ => Reply::json(401, r#"{"error":"invalid_token"}"#),
            });
        let dovecot = Dovecot::start_with(Options {
            tokeninfo_url: Some(format!("{}/tokeninfo?access_token=", tokeninfo.base())),
            ..Options::default()
        });
        fill(&dovecot);
        let oauth = |token: &str| {
            let mut config = password_config(&dovecot, Security::Tls);
            config.auth = ImapAuth::OAuth2 {
                user: USER.into(),
                access_token: Secret::new(token),
            };
            ImapServer::new(config)
        };
        let mut server = oauth("good-token");
        assert_eq!(server.list_folders().unwrap().len(), 12);

        let err = oauth("expired-token").connect().unwrap_err();
        assert_eq!(err.action, "AUTHENTICATE XOAUTH2");
        match &err.kind {
            // Dovecot's JSON challenge is kept in the message.
            ServerErrorKind::Authentication(text) => {
                assert!(text.contains("\"status\":\"401\""), "{text}")
            }
            other => panic!("{other:?}"),
        }
        let seen: Vec<_> = tokeninfo
            .requests()
            .iter()
            .filter_map(|r| r.query("access_token"))
            .collect();
        assert_eq!(seen, ["good-token", "expired-token"]);
    });
}

/// A client of a scripted server on `port`, plaintext on loopback, with these bounds.
fn hostile_client(port: u16, timeout: Duration, limits: OperationLimits) -> ImapServer {
    let auth = ImapAuth::Password {
        user: USER.into(),
        password: Secret::new(PASSWORD),
    };
    ImapServer::new(
        ImapConfig::new("127.0.0.1", port, Security::Plaintext, auth)
            .with_timeout(timeout)
            .with_limits(limits),
    )
}

/// A server that answers LIST one byte every 100 ms, for ever, is never silent long
/// enough for the idle timeout: the operation's deadline ends it, on time.
#[test]
fn a_server_that_trickles_is_stopped_by_the_deadline() {
    with_deadline(DEADLINE, || {
        let port = scripted_imap::signed_in(|_, _, out| {
            for byte in b"* LIST () \"/\" INBOX".iter().cycle() {
                out.write_all(&[*byte])?;
                std::thread::sleep(Duration::from_millis(100));
            }
            Ok(())
        });
        let deadline = Duration::from_secs(2);
        let limits = OperationLimits {
            deadline,
            ..OperationLimits::default()
        };
        let mut server = hostile_client(port, Duration::from_secs(1), limits);
        let started = Instant::now();
        let err = server.list_folders().unwrap_err();
        let took = started.elapsed();
        assert_eq!(err.kind, ServerErrorKind::Deadline(deadline), "{err}");
        assert_eq!(err.action, "LIST");
        assert!(took >= deadline && took < deadline * 2, "took {took:?}");
        assert!(err.to_string().contains("answers too slowly"), "{err}");
    });
}

/// What listing the folders ends with when the server answers LIST with `line` for ever.
fn endless(line: Vec<u8>, limits: OperationLimits) -> ServerErrorKind {
    let port = scripted_imap::signed_in(move |_, _, out| {
        loop {
            out.write_all(&line)?;
        }
    });
    hostile_client(port, Duration::from_secs(5), limits)
        .list_folders()
        .unwrap_err()
        .kind
}

/// Endless `* OK` lines are cut at the operation's cap on answers, and nothing of them is
/// kept meanwhile.
#[test]
fn endless_untagged_answers_are_cut_at_the_cap() {
    with_deadline(DEADLINE, || {
        let limits = OperationLimits {
            responses: 20_000,
            ..OperationLimits::default()
        };
        assert_eq!(
            endless(b"* OK still here\r\n".to_vec(), limits),
            ServerErrorKind::TooLarge("more than 20000 answers to one request".into())
        );
    });
}

/// Answers under every per-line limit still add up: the operation's byte cap stops them.
#[test]
fn an_answer_past_the_byte_cap_is_refused() {
    with_deadline(DEADLINE, || {
        let limits = OperationLimits {
            bytes: 4 << 20,
            ..OperationLimits::default()
        };
        let line = format!("* OK {}\r\n", "x".repeat(60_000));
        assert_eq!(
            endless(line.into_bytes(), limits),
            ServerErrorKind::TooLarge("more than 4 MiB in answer to one request".into())
        );
    });
}

/// STATUS answers nobody asked for, each naming another mailbox, are a flood: refused past
/// one per folder a listing can hold, instead of kept.
#[test]
fn a_flood_of_unsolicited_status_answers_is_refused() {
    with_deadline(DEADLINE, || {
        let port = scripted_imap::signed_in(|tag, _, out| {
            let mut text = String::new();
            for n in 0..300_000 {
                text.push_str(&format!("* STATUS \"f{n}\" (MESSAGES 1 UNSEEN 0)\r\n"));
            }
            text.push_str(&format!("{tag} OK done\r\n"));
            out.write_all(text.as_bytes())
        });
        let err = hostile_client(port, Duration::from_secs(5), OperationLimits::default())
            .list_folders()
            .unwrap_err();
        assert_eq!(
            err.kind,
            ServerErrorKind::TooLarge("STATUS answers for over 250000 mailboxes".into())
        );
    });
}

/// A command with a short answer (CAPABILITY) padded with noise is refused early.
#[test]
fn a_padded_capability_answer_is_refused() {
    with_deadline(DEADLINE, || {
        // No capabilities in the greeting, so the client asks for them.
        let port = scripted_imap::serve("* OK hi\r\n", |tag, _, out| {
            let mut text = "* OK pad\r\n".repeat(5_000);
            text.push_str(&format!("{tag} OK done\r\n"));
            out.write_all(text.as_bytes())
        });
        let err = hostile_client(port, Duration::from_secs(5), OperationLimits::default())
            .connect()
            .unwrap_err();
        assert_eq!(err.action, "CAPABILITY");
        assert_eq!(
            err.kind,
            ServerErrorKind::TooLarge("more than 1000 answers to CAPABILITY".into())
        );
    });
}

/// A megabyte of subject per item is kept to the bound the comparison uses, and a
/// Message-ID longer than any header line can be is not kept at all.
#[test]
fn huge_subjects_are_kept_to_their_bound() {
    with_deadline(DEADLINE, || {
        let port = scripted_imap::signed_in(|tag, command, out| {
            if command.starts_with("EXAMINE") {
                return write!(out, "* 3 EXISTS\r\n{tag} OK [READ-ONLY] done\r\n");
            }
            let subject = "é".repeat(450_000);
            let long_id = format!("<{}@example.com>", "i".repeat(2_000));
            for uid in 1..=3 {
                let id = if uid == 3 {
                    long_id.as_str()
                } else {
                    "<ok@example.com>"
                };
                write!(
                    out,
                    "* {uid} FETCH (UID {uid} FLAGS () ENVELOPE (NIL \"{subject}\" NIL NIL NIL \
                     NIL NIL NIL NIL \"{id}\"))\r\n"
                )?;
            }
            write!(out, "{tag} OK done\r\n")
        });
        let items = hostile_client(port, Duration::from_secs(5), OperationLimits::default())
            .list_items(&FolderId("INBOX".into()))
            .unwrap();
        assert_eq!(items.len(), 3);
        for item in &items {
            let subject = item.subject.as_deref().unwrap();
            assert_eq!(
                subject.chars().count(),
                ostdoctor::server::MAX_SUBJECT_CHARS
            );
            assert!(subject.chars().all(|c| c == 'é'));
        }
        assert_eq!(
            items[0].internet_message_id.as_deref(),
            Some("<ok@example.com>")
        );
        assert_eq!(items[2].internet_message_id, None);
    });
}
