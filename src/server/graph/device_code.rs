//! OAuth2 device authorization grant (RFC 8628) against the Microsoft identity platform:
//! the app shows a code, the user enters it at a web page on any device, and the app polls
//! until the token arrives. Suits a desktop app and a CLI alike, with no redirect listener.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::http::{Http, RetryPolicy, status_error};
use crate::server::{Secret, ServerError, ServerErrorKind, TlsOptions};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Where and as whom to sign in. The endpoints are settable so tests can point them at a
/// loopback server.
#[derive(Debug, Clone)]
pub struct DeviceCodeConfig {
    /// The application (client) id registered in Microsoft Entra ID.
    pub client_id: String,
    pub scopes: Vec<String>,
    pub device_code_url: String,
    pub token_url: String,
    pub tls: TlsOptions,
    pub timeout: Duration,
}

impl DeviceCodeConfig {
    /// The Microsoft identity platform for `tenant` (`organizations`, `common`, a tenant id
    /// or domain), asking to read mail folders (`Mail.ReadBasic`) and to stay signed in.
    pub fn microsoft(client_id: impl Into<String>, tenant: &str) -> Self {
        let authority = format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0");
        DeviceCodeConfig {
            client_id: client_id.into(),
            scopes: vec!["Mail.ReadBasic".into(), "offline_access".into()],
            device_code_url: format!("{authority}/devicecode"),
            token_url: format!("{authority}/token"),
            tls: TlsOptions::default(),
            timeout: Duration::from_secs(30),
        }
    }
}

/// What to show the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCodePrompt {
    pub user_code: String,
    pub verification_uri: String,
    /// The service's own sentence telling the user what to do, when it sends one.
    pub message: Option<String>,
    pub expires_in: Duration,
}

/// The result of signing in. Held in memory only.
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub expires_in: Option<Duration>,
    pub scope: Option<String>,
}

/// One poll's outcome.
#[derive(Debug)]
pub enum Poll {
    Pending,
    Done(AccessToken),
}

/// A sign-in in progress.
pub struct DeviceCodeFlow {
    config: DeviceCodeConfig,
    http: Http,
    device_code: Secret,
    prompt: DeviceCodePrompt,
    interval: Duration,
    expires_at: Instant,
}

impl std::fmt::Debug for DeviceCodeFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCodeFlow")
            .field("prompt", &self.prompt)
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl DeviceCodeFlow {
    /// Ask for a device code.
    pub fn start(config: DeviceCodeConfig) -> Result<DeviceCodeFlow, ServerError> {
        // The flow's own wait takes Cancel between polls.
        let retry = RetryPolicy {
            max_retries: 3,
            max_wait: Duration::from_secs(30),
            cancel: crate::work::CancelToken::new(),
        };
        let mut http = Http::new(&config.device_code_url, &config.tls, config.timeout, retry)?;
        let scope = config.scopes.join(" ");
        let action = "device code request";
        let reply = http.post_form(
            &config.device_code_url,
            &[("client_id", &config.client_id), ("scope", &scope)],
            action,
        )?;
        if reply.status != 200 {
            return Err(http.error(action, status_error(reply.status, &reply.body)));
        }
        let body = &reply.body;
        let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
        let missing = |key: &str| {
            http.error(
                action,
                ServerErrorKind::Protocol(format!("the answer has no {key}")),
            )
        };
        let device_code = text("device_code").ok_or_else(|| missing("device_code"))?;
        let user_code = text("user_code").ok_or_else(|| missing("user_code"))?;
        let verification_uri = text("verification_uri")
            .or_else(|| text("verification_url"))
            .ok_or_else(|| missing("verification_uri"))?;
        let expires_in = Duration::from_secs(
            body.get("expires_in")
                .and_then(Value::as_u64)
                .unwrap_or(900),
        );
        // RFC 8628 3.2: five seconds when the service does not say; never busy-poll.
        let interval = Duration::from_secs(
            body.get("interval")
                .and_then(Value::as_u64)
                .unwrap_or(5)
                .max(1),
        );
        Ok(DeviceCodeFlow {
            prompt: DeviceCodePrompt {
                user_code,
                verification_uri,
                message: text("message"),
                expires_in,
            },
            device_code: Secret::new(device_code),
            interval,
            expires_at: Instant::now() + expires_in,
            http,
            config,
        })
    }

    pub fn prompt(&self) -> &DeviceCodePrompt {
        &self.prompt
    }

    /// The wait the service asked for between polls.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Ask once whether the user has finished.
    pub fn poll_once(&mut self) -> Result<Poll, ServerError> {
        let action = "token request";
        if Instant::now() >= self.expires_at {
            return Err(self
                .http
                .error(action, ServerErrorKind::SignIn("the code expired".into())));
        }
        let reply = self.http.post_form(
            &self.config.token_url,
            &[
                ("grant_type", DEVICE_GRANT),
                ("client_id", &self.config.client_id),
                ("device_code", self.device_code.expose()),
            ],
            action,
        )?;
        let body = &reply.body;
        if reply.status == 200 {
            let access = body
                .get("access_token")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    self.http
                        .error(action, ServerErrorKind::Protocol("no access_token".into()))
                })?;
            return Ok(Poll::Done(AccessToken {
                access_token: Secret::new(access),
                refresh_token: body
                    .get("refresh_token")
                    .and_then(Value::as_str)
                    .map(Secret::new),
                expires_in: body
                    .get("expires_in")
                    .and_then(Value::as_u64)
                    .map(Duration::from_secs),
                scope: body
                    .get("scope")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            }));
        }
        match body.get("error").and_then(Value::as_str) {
            Some("authorization_pending") => Ok(Poll::Pending),
            Some("slow_down") => {
                self.interval += Duration::from_secs(5);
                Ok(Poll::Pending)
            }
            Some("authorization_declined" | "access_denied") => Err(self
                .http
                .error(action, ServerErrorKind::SignIn("the user declined".into()))),
            Some("expired_token" | "code_expired") => Err(self
                .http
                .error(action, ServerErrorKind::SignIn("the code expired".into()))),
            _ => Err(self.http.error(action, status_error(reply.status, body))),
        }
    }

    /// Poll at the service's pace until the user finishes, declines, the code expires or
    /// `cancelled` returns true (checked often, so a Cancel button answers quickly).
    pub fn wait(&mut self, cancelled: impl Fn() -> bool) -> Result<AccessToken, ServerError> {
        loop {
            let next = Instant::now() + self.interval;
            while Instant::now() < next {
                if cancelled() {
                    return Err(self
                        .http
                        .error("sign-in", ServerErrorKind::SignIn("cancelled".into())));
                }
                std::thread::sleep(Duration::from_millis(50).min(next - Instant::now()));
            }
            if let Poll::Done(token) = self.poll_once()? {
                return Ok(token);
            }
        }
    }
}
