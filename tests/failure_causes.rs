//! Why the mailbox could not be used, told from real servers' errors: a real Dovecot on
//! loopback refusing a password or presenting a certificate this computer does not trust,
//! and Microsoft Graph's 401 and 403 from a loopback HTTP server. The cause is what the
//! window's failure page names (see tests/ui_app.rs); here it is checked on the error the
//! comparison check hands the window.

mod common;
mod support;

use std::time::Duration;

use ostdoctor::doctor::link::cause_of;
use ostdoctor::doctor::{Doctor, ServerSettings};
use ostdoctor::server::graph::{GraphConfig, GraphServer};
use ostdoctor::server::{MailboxServer, Secret};
use ostdoctor::wizard::{Backend, BackendError, Cause, Facts};
use support::dovecot::{Dovecot, Options, PASSWORD, USER};
use support::http::{HttpServer, Reply};
use support::with_deadline;

const DEADLINE: Duration = Duration::from_secs(60);

fn imap(dovecot: &Dovecot, password: &str, extra_ca: Option<String>) -> ServerSettings {
    ServerSettings::Imap {
        url: format!("imaps://{USER}@localhost:{}", dovecot.imaps_port),
        password: Secret::new(password),
        extra_ca,
        trusted_fingerprint: None,
        list_status: true,
        timeout: Duration::from_secs(10),
    }
}

/// The comparison check's error against `settings`.
fn failure(settings: ServerSettings) -> BackendError {
    // Signing in comes before the store is opened, so no store is needed.
    let mut doctor = Doctor::new("no-store.ost").with_server(Some(settings));
    match doctor.run_check("compare_with_server", &Facts::new()) {
        Err(e) => e,
        Ok(facts) => panic!("the check went through: {facts:?}"),
    }
}

#[test]
fn a_refused_password_and_an_untrusted_certificate_from_a_real_dovecot() {
    with_deadline(DEADLINE, || {
        let dovecot = Dovecot::start_with(Options {
            no_penalty: true,
            ..Options::default()
        });
        let ca = Some(dovecot.pki.ca_pem.clone());

        let e = failure(imap(&dovecot, "not the password", ca.clone()));
        assert_eq!(e.cause, Some(Cause::NotSignedIn), "{e}");
        assert!(e.message.contains("AUTHENTICATIONFAILED"), "{e}");

        // Signed by an authority this computer does not know.
        let e = failure(imap(&dovecot, PASSWORD, None));
        assert_eq!(e.cause, Some(Cause::CertificateNotTrusted), "{e}");

        // The right password and authority: no failure at all, so the two above were
        // the password's and the certificate's doing.
        let mut doctor =
            Doctor::new("no-store.ost").with_server(Some(imap(&dovecot, PASSWORD, ca)));
        let e = doctor
            .run_check("compare_with_server", &Facts::new())
            .unwrap_err();
        assert_eq!(e.cause, None, "signed in, then the missing store: {e}");
    });
}

#[test]
fn a_self_signed_certificate_is_not_trusted() {
    with_deadline(DEADLINE, || {
        let dovecot = Dovecot::start_with(Options {
            self_signed: true,
            ..Options::default()
        });
        let e = failure(imap(&dovecot, PASSWORD, None));
        assert_eq!(e.cause, Some(Cause::CertificateNotTrusted), "{e}");
        assert!(e.message.contains("fingerprint"), "{e}");
    });
}

/// Graph refusing the token (401) or the account (403) is a sign-in to do again; any other
/// error status is not.
#[test]
fn graph_401_and_403_are_not_signed_in() {
    with_deadline(DEADLINE, || {
        for (status, code, cause) in [
            (401, "InvalidAuthenticationToken", Cause::NotSignedIn),
            (403, "ErrorAccessDenied", Cause::NotSignedIn),
            (500, "InternalServerError", Cause::Other),
        ] {
            let body = format!(r#"{{"error":{{"code":"{code}","message":"said so"}}}}"#);
            let http = HttpServer::start(move |_| Reply::json(status, body.clone()));
            let config = GraphConfig {
                base_url: format!("{}/v1.0", http.base()),
                timeout: Duration::from_secs(5),
                max_retry_wait: Duration::from_secs(1),
                ..GraphConfig::default()
            };
            let mut graph = GraphServer::new(config, Secret::new("token")).unwrap();
            let err = graph.list_folders().unwrap_err();
            assert_eq!(cause_of(&err.kind), cause, "{status}: {err}");
            let e = BackendError::from(err);
            assert_eq!(e.cause, Some(cause), "{e}");
        }
    });
}
