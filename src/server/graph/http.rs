//! HTTPS with the rules every Graph and sign-in request follows: bounded time and size,
//! throttling and passing outages honoured as Graph's guidance asks (429, 503 and 504, with
//! Retry-After in seconds or as a date) a bounded number of times, waits that Cancel ends,
//! and errors put in words with the service's own code and message.

use std::io;
use std::time::Duration;

use serde_json::Value;
use ureq::Agent;
use ureq::http::Response;
use ureq::tls::{Certificate, RootCerts, TlsConfig};

use crate::server::tls::{io_error_kind, tls_error_kind};
use crate::server::{Secret, ServerError, ServerErrorKind, Timestamp, TlsOptions};
use crate::work::CancelToken;

/// The largest JSON document accepted; a page of folders or messages is far smaller.
const MAX_BODY: u64 = 16 * 1024 * 1024;

/// Waits when the service throttles without saying how long.
const DEFAULT_BACKOFF: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub(crate) struct RetryPolicy {
    /// Retries after throttling before giving up.
    pub max_retries: u32,
    /// The longest single wait honoured; a longer Retry-After is cut to this.
    pub max_wait: Duration,
    /// Ends a wait (and the request it was for) as soon as it is set.
    pub cancel: CancelToken,
}

pub(crate) struct Http {
    agent: Agent,
    server: String,
    timeout: Duration,
    retry: RetryPolicy,
    /// Requests made, retries included.
    pub requests: u64,
}

/// What came back: the status and the JSON body (`Null` when empty or not JSON).
pub(crate) struct JsonReply {
    pub status: u16,
    pub body: Value,
}

impl Http {
    pub fn new(
        server: &str,
        tls: &TlsOptions,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Http, ServerError> {
        let fail = |kind| ServerError::new(server, "TLS settings", kind);
        let roots: Vec<Certificate<'static>> = tls
            .all_roots()
            .map_err(fail)?
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        let tls_config = TlsConfig::builder()
            .root_certs(RootCerts::new_with_certs(&roots))
            .build();
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            // Never follow a redirect with the bearer token to wherever it points.
            .max_redirects(0)
            .tls_config(tls_config)
            .user_agent(concat!("ostdoctor/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Http {
            agent,
            server: server.to_string(),
            timeout,
            retry,
            requests: 0,
        })
    }

    pub fn error(&self, action: &str, kind: ServerErrorKind) -> ServerError {
        ServerError::new(&self.server, action, kind)
    }

    /// GET a JSON document with a bearer token; any status but 2xx is an error.
    pub fn get_json(
        &mut self,
        url: &str,
        token: &Secret,
        action: &str,
    ) -> Result<Value, ServerError> {
        let reply = self.send(action, |agent| {
            agent
                .get(url)
                .header("Authorization", format!("Bearer {}", token.expose()))
                .header("Accept", "application/json")
                .call()
        })?;
        if (200..300).contains(&reply.status) {
            Ok(reply.body)
        } else {
            Err(self.error(action, status_error(reply.status, &reply.body)))
        }
    }

    /// POST a JSON document with a bearer token (Graph's `$batch`); any status but 2xx is
    /// an error.
    pub fn post_json(
        &mut self,
        url: &str,
        token: &Secret,
        body: &Value,
        action: &str,
    ) -> Result<Value, ServerError> {
        let text = body.to_string();
        let reply = self.send(action, |agent| {
            agent
                .post(url)
                .header("Authorization", format!("Bearer {}", token.expose()))
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .send(text.as_bytes())
        })?;
        if (200..300).contains(&reply.status) {
            Ok(reply.body)
        } else {
            Err(self.error(action, status_error(reply.status, &reply.body)))
        }
    }

    /// POST a form (OAuth2 endpoints); the caller reads the status, since those endpoints
    /// answer 400 for ordinary states such as "authorization pending".
    pub fn post_form(
        &mut self,
        url: &str,
        form: &[(&str, &str)],
        action: &str,
    ) -> Result<JsonReply, ServerError> {
        self.send(action, |agent| {
            agent
                .post(url)
                .header("Accept", "application/json")
                .send_form(form.iter().copied())
        })
    }

    fn send(
        &mut self,
        action: &str,
        request: impl Fn(&Agent) -> Result<Response<ureq::Body>, ureq::Error>,
    ) -> Result<JsonReply, ServerError> {
        let mut attempt = 0;
        loop {
            self.requests += 1;
            let mut response =
                request(&self.agent).map_err(|e| self.error(action, self.kind(e)))?;
            let status = response.status().as_u16();
            // Throttled, or a gateway or service briefly unavailable: Graph asks clients
            // to wait as told, or back off, and try again.
            if matches!(status, 429 | 503 | 504) {
                if attempt >= self.retry.max_retries {
                    return Err(self.error(
                        action,
                        ServerErrorKind::Throttled {
                            attempts: attempt + 1,
                        },
                    ));
                }
                let wait = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| retry_after(v, Timestamp::now()))
                    .unwrap_or(DEFAULT_BACKOFF * 2u32.saturating_pow(attempt))
                    .min(self.retry.max_wait);
                self.pause(wait).map_err(|kind| self.error(action, kind))?;
                attempt += 1;
                continue;
            }
            let bytes = response
                .body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_vec()
                .map_err(|e| self.error(action, self.kind(e)))?;
            let body = if bytes.is_empty() {
                Value::Null
            } else {
                match serde_json::from_slice(&bytes) {
                    Ok(v) => v,
                    Err(_) if !(200..300).contains(&status) => Value::Null,
                    Err(e) => {
                        return Err(self.error(
                            action,
                            ServerErrorKind::Protocol(format!("the answer is not JSON: {e}")),
                        ));
                    }
                }
            };
            return Ok(JsonReply { status, body });
        }
    }

    /// Waits `wait`, or less if Cancel is pressed meanwhile.
    fn pause(&self, wait: Duration) -> Result<(), ServerErrorKind> {
        let until = std::time::Instant::now() + wait;
        loop {
            self.retry.cancel.check()?;
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            std::thread::sleep(left.min(Duration::from_millis(50)));
        }
    }

    fn kind(&self, error: ureq::Error) -> ServerErrorKind {
        match error {
            ureq::Error::Timeout(_) => ServerErrorKind::Timeout(self.timeout),
            ureq::Error::Io(e) => io_error_kind(&e, self.timeout),
            ureq::Error::Rustls(e) => tls_error_kind(&e),
            ureq::Error::HostNotFound => ServerErrorKind::NotFound("host not found".into()),
            ureq::Error::ConnectionFailed => ServerErrorKind::Connect("connection failed".into()),
            ureq::Error::BodyExceedsLimit(n) => {
                ServerErrorKind::TooLarge(format!("a body over {n} bytes"))
            }
            ureq::Error::LargeResponseHeader(n, _) => {
                ServerErrorKind::TooLarge(format!("headers over {n} bytes"))
            }
            ureq::Error::Tls(text) => ServerErrorKind::Tls(text.to_string()),
            ureq::Error::BadUri(text) => ServerErrorKind::Config(format!("bad address: {text}")),
            other => match std::error::Error::source(&other)
                .and_then(|s| s.downcast_ref::<io::Error>())
            {
                Some(io) => io_error_kind(io, self.timeout),
                None => ServerErrorKind::Protocol(other.to_string()),
            },
        }
    }
}

/// A Retry-After value (RFC 9110 10.2.3): a number of seconds, or the date to wait until,
/// as seen from `now`. A date already past means no wait.
fn retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = Timestamp::parse_rfc5322(value)?;
    Some(Duration::from_secs(
        u64::try_from(at.0 - now.0).unwrap_or(0),
    ))
}

/// An error status in words: Graph's `{"error": {"code", "message"}}`, or OAuth2's
/// `{"error", "error_description"}`.
pub(crate) fn status_error(status: u16, body: &Value) -> ServerErrorKind {
    let (code, message) = match body.get("error") {
        Some(Value::Object(e)) => (
            e.get("code").and_then(Value::as_str),
            e.get("message").and_then(Value::as_str),
        ),
        Some(Value::String(code)) => (
            Some(code.as_str()),
            body.get("error_description").and_then(Value::as_str),
        ),
        _ => (None, None),
    };
    let message = match (code, message) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (Some(c), None) => c.to_string(),
        (None, Some(m)) => m.to_string(),
        (None, None) => "no details".to_string(),
    };
    if status == 401 {
        ServerErrorKind::Authentication(message)
    } else {
        ServerErrorKind::Http { status, message }
    }
}

/// Percent-encode one path segment or query value (RFC 3986 unreserved characters pass).
pub(crate) fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_bodies_in_words() {
        let graph = json!({"error": {"code": "ErrorAccessDenied", "message": "Access is denied."}});
        assert_eq!(
            status_error(403, &graph),
            ServerErrorKind::Http {
                status: 403,
                message: "ErrorAccessDenied: Access is denied.".into()
            }
        );
        let oauth = json!({"error": "invalid_grant", "error_description": "AADSTS70000"});
        assert_eq!(
            status_error(401, &oauth),
            ServerErrorKind::Authentication("invalid_grant: AADSTS70000".into())
        );
        assert_eq!(
            status_error(500, &Value::Null),
            ServerErrorKind::Http {
                status: 500,
                message: "no details".into()
            }
        );
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = Timestamp::parse_rfc5322("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-5", now), None);
    }

    #[test]
    fn encodes_components() {
        assert_eq!(encode_component("AAMk=/+ x"), "AAMk%3D%2F%2B%20x");
        assert_eq!(encode_component("é"), "%C3%A9");
    }
}
