//! TLS settings shared by every server: which certificate authorities to trust, and how
//! TLS and socket failures are put into words.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::{CertificateError, ClientConfig, RootCertStore};

use super::ErrorKind;

/// Which certificate authorities a connection trusts. Certificates are always verified;
/// there is deliberately no switch to turn verification off.
#[derive(Debug, Clone)]
pub struct TlsOptions {
    /// Trust the Mozilla root programme's authorities (the `webpki-root-certs` set).
    pub builtin_roots: bool,
    /// Extra authorities in PEM form, such as a company's own CA.
    pub extra_ca_pem: Vec<String>,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            builtin_roots: true,
            extra_ca_pem: Vec::new(),
        }
    }
}

impl TlsOptions {
    /// Trust one more authority, given as PEM text.
    pub fn with_extra_ca(mut self, pem: impl Into<String>) -> Self {
        self.extra_ca_pem.push(pem.into());
        self
    }

    pub(crate) fn extra_roots(&self) -> Result<Vec<CertificateDer<'static>>, ErrorKind> {
        let mut roots = Vec::new();
        for pem in &self.extra_ca_pem {
            let before = roots.len();
            for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                roots.push(
                    cert.map_err(|e| {
                        ErrorKind::Config(format!("extra certificate authority: {e}"))
                    })?,
                );
            }
            if roots.len() == before {
                return Err(ErrorKind::Config(
                    "extra certificate authority: no certificate in the PEM text".into(),
                ));
            }
        }
        Ok(roots)
    }

    /// Every authority to trust, built-in ones first.
    pub(crate) fn all_roots(&self) -> Result<Vec<CertificateDer<'static>>, ErrorKind> {
        let mut roots = Vec::new();
        if self.builtin_roots {
            roots.extend(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
        }
        roots.extend(self.extra_roots()?);
        if roots.is_empty() {
            return Err(ErrorKind::Config(
                "no certificate authority to trust: enable the built-in roots or add one".into(),
            ));
        }
        Ok(roots)
    }

    pub(crate) fn client_config(&self) -> Result<Arc<ClientConfig>, ErrorKind> {
        let mut store = RootCertStore::empty();
        if self.builtin_roots {
            // A built-in root the parser cannot use is skipped, as browsers do.
            store.add_parsable_certificates(
                webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned(),
            );
        }
        for cert in self.extra_roots()? {
            store
                .add(cert)
                .map_err(|e| ErrorKind::Config(format!("extra certificate authority: {e}")))?;
        }
        if store.is_empty() {
            return Err(ErrorKind::Config(
                "no certificate authority to trust: enable the built-in roots or add one".into(),
            ));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ErrorKind::Tls(e.to_string()))?
            .with_root_certificates(store)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }
}

/// Words for a TLS failure, separating certificate problems (which the user can act on:
/// wrong host name, company CA missing) from the rest.
pub(crate) fn tls_error_kind(error: &rustls::Error) -> ErrorKind {
    match error {
        rustls::Error::InvalidCertificate(cert) => ErrorKind::Certificate(match cert {
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
        other => ErrorKind::Tls(other.to_string()),
    }
}

/// Words for a socket failure. `timeout` is the bound that was in force, for the message.
pub(crate) fn io_error_kind(error: &io::Error, timeout: Duration) -> ErrorKind {
    if let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return tls_error_kind(tls);
    }
    match error.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ErrorKind::Timeout(timeout),
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => ErrorKind::Dropped,
        _ => ErrorKind::Io(error.to_string()),
    }
}
