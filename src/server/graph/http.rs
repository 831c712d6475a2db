//! HTTPS with the rules every Graph and sign-in request follows: bounded time and size,
//! throttling honoured (429/503 with Retry-After) a bounded number of times, and errors put
//! in words with the service's own code and message.

use std::io;
use std::time::Duration;

use serde_json::Value;
use ureq::Agent;
use ureq::http::Response;
use ureq::tls::{Certificate, RootCerts, TlsConfig};

use crate::server::tls::{io_error_kind, tls_error_kind};
use crate::server::{ErrorKind, Secret, ServerError, TlsOptions};

/// The largest JSON document accepted; a page of folders or messages is far smaller.
const MAX_BODY: u64 = 16 * 1024 * 1024;

/// Waits when the service throttles without saying how long.
const DEFAULT_BACKOFF: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    /// Retries after throttling before giving up.
    pub max_retries: u32,
    /// The longest single wait honoured; a longer Retry-After is cut to this.
    pub max_wait: Duration,
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

    pub fn error(&self, action: &str, kind: ErrorKind) -> ServerError {
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

    /// GET that treats 404 as "absent" rather than an error.
    pub fn get_json_optional(
        &mut self,
        url: &str,
        token: &Secret,
        action: &str,
    ) -> Result<Option<Value>, ServerError> {
        match self.get_json(url, token, action) {
            Ok(v) => Ok(Some(v)),
            Err(ServerError {
                kind: ErrorKind::Http { status: 404, .. },
                ..
            }) => Ok(None),
            Err(e) => Err(e),
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
            if status == 429 || status == 503 {
                if attempt >= self.retry.max_retries {
                    return Err(self.error(
                        action,
                        ErrorKind::Throttled {
                            attempts: attempt + 1,
                        },
                    ));
                }
                let wait = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs)
                    .unwrap_or(DEFAULT_BACKOFF * 2u32.saturating_pow(attempt))
                    .min(self.retry.max_wait);
                std::thread::sleep(wait);
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
                            ErrorKind::Protocol(format!("the answer is not JSON: {e}")),
                        ));
                    }
                }
            };
            return Ok(JsonReply { status, body });
        }
    }

    fn kind(&self, error: ureq::Error) -> ErrorKind {
        match error {
            ureq::Error::Timeout(_) => ErrorKind::Timeout(self.timeout),
            ureq::Error::Io(e) => io_error_kind(&e, self.timeout),
            ureq::Error::Rustls(e) => tls_error_kind(&e),
            ureq::Error::HostNotFound => ErrorKind::Connect("host not found".into()),
            ureq::Error::ConnectionFailed => ErrorKind::Connect("connection failed".into()),
            ureq::Error::BodyExceedsLimit(n) => {
                ErrorKind::TooLarge(format!("a body over {n} bytes"))
            }
            ureq::Error::LargeResponseHeader(n, _) => {
                ErrorKind::TooLarge(format!("headers over {n} bytes"))
            }
            ureq::Error::Tls(text) => ErrorKind::Tls(text.to_string()),
            ureq::Error::BadUri(text) => ErrorKind::Config(format!("bad address: {text}")),
            other => match std::error::Error::source(&other)
                .and_then(|s| s.downcast_ref::<io::Error>())
            {
                Some(io) => io_error_kind(io, self.timeout),
                None => ErrorKind::Protocol(other.to_string()),
            },
        }
    }
}

/// An error status in words: Graph's `{"error": {"code", "message"}}`, or OAuth2's
/// `{"error", "error_description"}`.
pub(crate) fn status_error(status: u16, body: &Value) -> ErrorKind {
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
        ErrorKind::Authentication(message)
    } else {
        ErrorKind::Http { status, message }
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
            ErrorKind::Http {
                status: 403,
                message: "ErrorAccessDenied: Access is denied.".into()
            }
        );
        let oauth = json!({"error": "invalid_grant", "error_description": "AADSTS70000"});
        assert_eq!(
            status_error(401, &oauth),
            ErrorKind::Authentication("invalid_grant: AADSTS70000".into())
        );
        assert_eq!(
            status_error(500, &Value::Null),
            ErrorKind::Http {
                status: 500,
                message: "no details".into()
            }
        );
    }

    #[test]
    fn encodes_components() {
        assert_eq!(encode_component("AAMk=/+ x"), "AAMk%3D%2F%2B%20x");
        assert_eq!(encode_component("é"), "%C3%A9");
    }
}
