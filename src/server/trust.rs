//! Which server certificates a connection accepts: those that chain to a trusted authority,
//! as always, and besides them exactly the certificates the person chose to trust, as mail
//! programs let one do for a server with its own self-signed certificate.
//!
//! A certificate made with `openssl req -x509` is marked as an authority (CA:TRUE), and the
//! WebPKI rules refuse an authority's certificate as a server's own, so giving it as an
//! extra authority alone can never work. Here a presented certificate that is byte for
//! byte one the person gave (in the extra-authority file), or whose SHA-256 fingerprint the
//! person confirmed, is accepted as it is; the handshake's signatures are still checked
//! against its key. Any other failure says why, and gives the presented certificate's
//! fingerprint, so that the person can compare it with what the server's owner says.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};

use super::ServerErrorKind;

/// A SHA-256 fingerprint, as mail programs and `openssl x509 -fingerprint -sha256` show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn of(certificate: &[u8]) -> Fingerprint {
        let digest = ring::digest::digest(&ring::digest::SHA256, certificate);
        let mut bytes = [0; 32];
        bytes.copy_from_slice(digest.as_ref());
        Fingerprint(bytes)
    }

    /// From 64 hexadecimal digits, with or without `:` or spaces between the pairs and
    /// with an optional `SHA256:` or `sha256 Fingerprint=` label in front, as copied.
    pub fn parse(text: &str) -> Result<Fingerprint, ServerErrorKind> {
        let bad = || {
            ServerErrorKind::Config(format!(
                "{text:?} is not a SHA-256 fingerprint (64 hexadecimal digits)"
            ))
        };
        let hex = text.rsplit(['=', '\u{a0}']).next().unwrap_or(text);
        let hex = hex
            .trim()
            .strip_prefix("SHA256:")
            .or_else(|| hex.trim().strip_prefix("sha256:"))
            .unwrap_or(hex.trim());
        let digits: Vec<u8> = hex
            .bytes()
            .filter(|b| !matches!(b, b':' | b' ' | b'-'))
            .collect();
        if digits.len() != 64 {
            return Err(bad());
        }
        let mut bytes = [0; 32];
        for (i, pair) in digits.chunks(2).enumerate() {
            let pair = std::str::from_utf8(pair).map_err(|_| bad())?;
            bytes[i] = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
        }
        Ok(Fingerprint(bytes))
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

/// Why the server's certificate was refused, with the certificate's fingerprint.
#[derive(Debug)]
pub(crate) struct Refused {
    pub reason: rustls::Error,
    pub fingerprint: Fingerprint,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (SHA-256 {})", self.reason, self.fingerprint)
    }
}

impl std::error::Error for Refused {}

#[derive(Debug)]
pub(crate) struct ChosenTrust {
    /// The authorities' rules; `None` when no authority is trusted, only chosen
    /// certificates.
    webpki: Option<Arc<WebPkiServerVerifier>>,
    /// Certificates the person gave, accepted when presented as the server's own.
    given: Vec<CertificateDer<'static>>,
    fingerprints: Vec<Fingerprint>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ChosenTrust {
    pub fn new(
        webpki: Option<Arc<WebPkiServerVerifier>>,
        given: Vec<CertificateDer<'static>>,
        fingerprints: Vec<Fingerprint>,
        algorithms: WebPkiSupportedAlgorithms,
    ) -> ChosenTrust {
        ChosenTrust {
            webpki,
            given,
            fingerprints,
            algorithms,
        }
    }

    fn chosen(&self, end_entity: &CertificateDer<'_>, fingerprint: Fingerprint) -> bool {
        self.given.iter().any(|c| c.as_ref() == end_entity.as_ref())
            || self.fingerprints.contains(&fingerprint)
    }
}

impl ServerCertVerifier for ChosenTrust {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let by_authorities = match &self.webpki {
            Some(webpki) => webpki.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ),
            None => Err(CertificateError::UnknownIssuer.into()),
        };
        match by_authorities {
            Ok(verified) => Ok(verified),
            // The person's choice stands for exactly this certificate, whatever its issuer,
            // name or dates: that is what choosing it means.
            Err(reason) => {
                // Hashed once: to compare with the chosen ones, and to show when refused.
                let fingerprint = Fingerprint::of(end_entity);
                if self.chosen(end_entity, fingerprint) {
                    return Ok(ServerCertVerified::assertion());
                }
                Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                    OtherError(Arc::new(Refused {
                        reason,
                        fingerprint,
                    })),
                )))
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_read_as_people_copy_them() {
        let fp = Fingerprint::of(b"certificate");
        let shown = fp.to_string();
        assert_eq!(shown.len(), 32 * 3 - 1);
        for text in [
            shown.clone(),
            shown.replace(':', ""),
            shown.replace(':', " ").to_lowercase(),
            format!("SHA256:{}", shown.replace(':', "")),
            format!("sha256 Fingerprint={shown}"),
        ] {
            assert_eq!(Fingerprint::parse(&text).unwrap(), fp, "{text}");
        }
        for bad in ["", "AB:CD", &shown[3..], &shown.replace('A', "G")] {
            assert!(Fingerprint::parse(bad).is_err(), "{bad}");
        }
    }
}
