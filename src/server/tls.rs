//! TLS settings shared by every server: which certificate authorities to trust, and how
//! TLS and socket failures are put into words.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{CertificateError, ClientConfig, RootCertStore};

use super::ServerErrorKind;
use super::trust::{ChosenTrust, Fingerprint, Refused};

/// Which certificate authorities a connection trusts. Certificates are always verified;
/// there is deliberately no switch to turn verification off.
#[derive(Debug, Clone)]
pub struct TlsOptions {
    /// Trust the Mozilla root programme's authorities (the `webpki-root-certs` set).
    pub builtin_roots: bool,
    /// Extra authorities in PEM form, such as a company's own CA. A server presenting one
    /// of these very certificates as its own (a self-signed certificate) is trusted too.
    pub extra_ca_pem: Vec<String>,
    /// Server certificates the person confirmed by their SHA-256 fingerprint.
    pub trusted_fingerprints: Vec<Fingerprint>,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            builtin_roots: true,
            extra_ca_pem: Vec::new(),
            trusted_fingerprints: Vec::new(),
        }
    }
}

impl TlsOptions {
    /// Trust one more authority, given as PEM text.
    pub fn with_extra_ca(mut self, pem: impl Into<String>) -> Self {
        self.extra_ca_pem.push(pem.into());
        self
    }

    /// Trust the server certificate with this fingerprint, whoever issued it.
    pub fn with_trusted_fingerprint(mut self, fingerprint: Fingerprint) -> Self {
        self.trusted_fingerprints.push(fingerprint);
        self
    }

    pub(crate) fn extra_roots(&self) -> Result<Vec<CertificateDer<'static>>, ServerErrorKind> {
        let mut roots = Vec::new();
        for pem in &self.extra_ca_pem {
            let before = roots.len();
            for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                roots.push(cert.map_err(|e| {
                    ServerErrorKind::Config(format!("extra certificate authority: {e}"))
                })?);
            }
            if roots.len() == before {
                return Err(ServerErrorKind::Config(
                    "extra certificate authority: no certificate in the PEM text".into(),
                ));
            }
        }
        Ok(roots)
    }

    /// Every authority to trust, built-in ones first.
    pub(crate) fn all_roots(&self) -> Result<Vec<CertificateDer<'static>>, ServerErrorKind> {
        let mut roots = Vec::new();
        if self.builtin_roots {
            roots.extend(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
        }
        roots.extend(self.extra_roots()?);
        if roots.is_empty() {
            return Err(ServerErrorKind::Config(
                "no certificate authority to trust: enable the built-in roots or add one".into(),
            ));
        }
        Ok(roots)
    }

    pub(crate) fn client_config(&self) -> Result<Arc<ClientConfig>, ServerErrorKind> {
        let mut store = RootCertStore::empty();
        if self.builtin_roots {
            // A built-in root the parser cannot use is skipped, as browsers do.
            store.add_parsable_certificates(
                webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned(),
            );
        }
        let given = self.extra_roots()?;
        for cert in &given {
            store.add(cert.clone()).map_err(|e| {
                ServerErrorKind::Config(format!("extra certificate authority: {e}"))
            })?;
        }
        if store.is_empty() && self.trusted_fingerprints.is_empty() {
            return Err(ServerErrorKind::Config(
                "no certificate authority to trust: enable the built-in roots or add one".into(),
            ));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let algorithms = provider.signature_verification_algorithms;
        let webpki = if store.is_empty() {
            None
        } else {
            Some(
                WebPkiServerVerifier::builder_with_provider(Arc::new(store), provider.clone())
                    .build()
                    .map_err(|e| ServerErrorKind::Tls(e.to_string()))?,
            )
        };
        let verifier =
            ChosenTrust::new(webpki, given, self.trusted_fingerprints.clone(), algorithms);
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ServerErrorKind::Tls(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        Ok(Arc::new(config))
    }
}

/// Words for a TLS failure, separating certificate problems (which the user can act on:
/// wrong host name, company CA missing) from the rest.
pub(crate) fn tls_error_kind(error: &rustls::Error) -> ServerErrorKind {
    match error {
        rustls::Error::InvalidCertificate(CertificateError::Other(other))
            if let Some(refused) = other.0.downcast_ref::<Refused>() =>
        {
            let words = match tls_error_kind(&refused.reason) {
                ServerErrorKind::Certificate(words) | ServerErrorKind::Tls(words) => words,
                other => other.to_string(),
            };
            ServerErrorKind::Certificate(format!(
                "{words}; the certificate's SHA-256 fingerprint is {}: if the server's owner \
                 confirms it, trust it by that fingerprint",
                refused.fingerprint
            ))
        }
        rustls::Error::InvalidCertificate(CertificateError::Other(other))
            if other.0.downcast_ref::<webpki::Error>()
                == Some(&webpki::Error::CaUsedAsEndEntity) =>
        {
            ServerErrorKind::Certificate(
                "the server presents a certificate authority's own certificate (a \
                 self-signed certificate)"
                    .into(),
            )
        }
        rustls::Error::InvalidCertificate(cert) => ServerErrorKind::Certificate(match cert {
            CertificateError::UnknownIssuer => {
                "issued by an unknown certificate authority".to_string()
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "issued for a different host name".to_string()
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "expired".to_string()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "not valid yet".to_string()
            }
            CertificateError::Revoked => "revoked".to_string(),
            CertificateError::BadSignature => "bad signature".to_string(),
            other => format!("{other:?}"),
        }),
        other => ServerErrorKind::Tls(other.to_string()),
    }
}

/// Words for a socket failure. `timeout` is the bound that was in force, for the message.
pub(crate) fn io_error_kind(error: &io::Error, timeout: Duration) -> ServerErrorKind {
    if let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return tls_error_kind(tls);
    }
    match error.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ServerErrorKind::Timeout(timeout),
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => ServerErrorKind::Dropped,
        // Nobody listens, or no route leads there: the same "could not connect" the IMAP
        // transport gives, so a person is told the same whichever server it was.
        io::ErrorKind::ConnectionRefused
        | io::ErrorKind::HostUnreachable
        | io::ErrorKind::NetworkUnreachable
        | io::ErrorKind::NetworkDown
        | io::ErrorKind::AddrNotAvailable => ServerErrorKind::Connect(error.to_string()),
        _ => ServerErrorKind::Io(error.to_string()),
    }
}
