//! Microsoft Graph as a [`MailboxServer`]: the mailbox of the signed-in user, read through
//! `/me/mailFolders`. Sign-in is the OAuth2 device-code flow ([`DeviceCodeFlow`]); the
//! tokens it yields are held in memory only. When the access token expires (after an hour
//! or so) the refresh token renews it, so a long session needs no second sign-in.
//!
//! Graph counts what Exchange itself counts (`totalItemCount`, `unreadItemCount`), which is
//! what Outlook's "Server folder contains" shows, and it sees hidden folders that IMAP does
//! not. Calendars and contacts are not mail folders in Graph and are not listed here.

mod device_code;
mod folders;
mod http;
mod items;

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;

pub use device_code::{AccessToken, DeviceCodeConfig, DeviceCodeFlow, DeviceCodePrompt, Poll};

use super::net::is_loopback;
use super::{
    Folder, FolderId, FolderRole, Item, MailboxServer, Secret, ServerError, ServerErrorKind,
    TlsOptions,
};
use http::{Http, RetryPolicy};

/// How many pages one listing may follow; a loop of next links ends here.
const MAX_PAGES: usize = 10_000;

/// Where and how to reach Graph.
#[derive(Debug, Clone)]
pub struct GraphConfig {
    /// `https://graph.microsoft.com/v1.0` by default; `http://` is allowed only to a
    /// loopback address (tests).
    pub base_url: String,
    pub tls: TlsOptions,
    /// Bound on each request, connect to last byte.
    pub timeout: Duration,
    /// Retries after a 429 or 503 before giving up.
    pub max_retries: u32,
    /// The longest single Retry-After honoured.
    pub max_retry_wait: Duration,
    /// Ask for each well-known folder by name to learn the roles (about a dozen small
    /// requests).
    pub resolve_well_known: bool,
    /// Ask for each message's size (PR_MESSAGE_SIZE); needs the Mail.Read scope.
    pub item_sizes: bool,
    /// Ends a throttling wait, and the listing, as soon as it is set.
    pub cancel: crate::work::CancelToken,
}

impl GraphConfig {
    /// The retry rules every request to Graph and its token endpoint follows.
    fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_retries: self.max_retries,
            max_wait: self.max_retry_wait,
            cancel: self.cancel.clone(),
        }
    }
}

/// What renews an expired access token (the OAuth2 refresh-token grant): the sign-in's
/// token endpoint and application, and the refresh token, in memory only.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub token_url: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub refresh_token: Secret,
    pub tls: TlsOptions,
    pub timeout: Duration,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            base_url: "https://graph.microsoft.com/v1.0".into(),
            tls: TlsOptions::default(),
            timeout: Duration::from_secs(60),
            max_retries: 5,
            max_retry_wait: Duration::from_secs(120),
            resolve_well_known: true,
            item_sizes: false,
            cancel: crate::work::CancelToken::new(),
        }
    }
}

/// The signed-in user's mailbox through Microsoft Graph.
pub struct GraphServer {
    config: GraphConfig,
    token: Secret,
    http: Http,
    /// `scheme://host:port` of the base URL: next links must stay on it, or the token
    /// would go wherever a page pointed.
    origin: String,
    /// Roles of the well-known folders by id, once looked up.
    well_known: Option<HashMap<FolderId, FolderRole>>,
    refresh: Option<RefreshGrant>,
    /// Access tokens renewed so far.
    refreshes: u64,
}

impl std::fmt::Debug for GraphServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphServer")
            .field("config", &self.config)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

impl GraphServer {
    pub fn new(config: GraphConfig, access_token: Secret) -> Result<GraphServer, ServerError> {
        let base = config.base_url.trim_end_matches('/').to_string();
        let describe = format!("Microsoft Graph at {base}");
        let bad =
            |why: String| ServerError::new(&describe, "settings", ServerErrorKind::Config(why));
        let origin =
            origin_of(&base).ok_or_else(|| bad(format!("{base:?} is not an http(s) address")))?;
        if let Some(rest) = origin.strip_prefix("http://") {
            let host = host_of(rest);
            if !is_loopback(host, 80) {
                return Err(bad(format!(
                    "{base} is not HTTPS; plain HTTP is only allowed to a loopback address"
                )));
            }
        }
        let retry = config.retry_policy();
        let http = Http::new(&describe, &config.tls, config.timeout, retry)?;
        Ok(GraphServer {
            config: GraphConfig {
                base_url: base,
                ..config
            },
            token: access_token,
            http,
            origin,
            well_known: None,
            refresh: None,
            refreshes: 0,
        })
    }

    /// Renew the access token with this grant when the service says it has expired.
    pub fn with_refresh(mut self, grant: RefreshGrant) -> Self {
        self.refresh = Some(grant);
        self
    }

    /// Access tokens renewed so far by the refresh grant.
    pub fn refreshes(&self) -> u64 {
        self.refreshes
    }

    /// A request that, refused for an expired token, is sent once more with a renewed one.
    fn authorized<T>(
        &mut self,
        request: impl Fn(&mut Http, &Secret) -> Result<T, ServerError>,
    ) -> Result<T, ServerError> {
        match request(&mut self.http, &self.token) {
            Err(ServerError {
                kind: ServerErrorKind::Authentication(_),
                ..
            }) if self.refresh.is_some() => {
                self.renew_token()?;
                request(&mut self.http, &self.token)
            }
            other => other,
        }
    }

    /// The refresh-token grant (RFC 6749 6). The service may hand back a new refresh
    /// token; it replaces the old one.
    fn renew_token(&mut self) -> Result<(), ServerError> {
        let Some(grant) = self.refresh.clone() else {
            return Ok(());
        };
        let action = "renewing the sign-in";
        let retry = self.config.retry_policy();
        let mut http = Http::new(&grant.token_url, &grant.tls, grant.timeout, retry)?;
        let scope = grant.scopes.join(" ");
        let reply = http.post_form(
            &grant.token_url,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &grant.client_id),
                ("refresh_token", grant.refresh_token.expose()),
                ("scope", &scope),
            ],
            action,
        )?;
        self.http.requests += 1;
        let access = reply.body.get("access_token").and_then(Value::as_str);
        let (200, Some(access)) = (reply.status, access) else {
            // A refresh token that expired or was revoked: a new sign-in is needed.
            self.refresh = None;
            let why = http::status_error(reply.status, &reply.body);
            return Err(self.error(
                action,
                ServerErrorKind::Authentication(format!(
                    "the sign-in expired and could not be renewed ({why}); sign in again"
                )),
            ));
        };
        self.token = Secret::new(access);
        if let Some(rotated) = reply.body.get("refresh_token").and_then(Value::as_str)
            && let Some(grant) = self.refresh.as_mut()
        {
            grant.refresh_token = Secret::new(rotated);
        }
        self.refreshes += 1;
        Ok(())
    }

    fn get(&mut self, url: &str, action: &str) -> Result<Value, ServerError> {
        self.authorized(|http, token| http.get_json(url, token, action))
    }

    fn post(&mut self, url: &str, body: &Value, action: &str) -> Result<Value, ServerError> {
        self.authorized(|http, token| http.post_json(url, token, body, action))
    }

    /// The signed-in mailbox's address: its primary SMTP address (`mail`), else the
    /// sign-in name (`userPrincipalName`) when that is an address. What the owner check
    /// holds against the store, which Graph gives without asking the person.
    pub fn signed_in_address(&mut self) -> Result<Option<String>, ServerError> {
        let url = format!("{}/me?$select=mail,userPrincipalName", self.config.base_url);
        let me = self.get(&url, "reading the signed-in account")?;
        Ok(["mail", "userPrincipalName"].iter().find_map(|key| {
            me.get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|a| a.contains('@'))
                .map(str::to_owned)
        }))
    }

    /// Requests sent so far, retries included.
    pub fn requests_sent(&self) -> u64 {
        self.http.requests
    }

    fn error(&self, action: &str, kind: ServerErrorKind) -> ServerError {
        self.http.error(action, kind)
    }

    /// A GET whose 404 means "absent" rather than an error.
    fn get_optional(&mut self, url: &str, action: &str) -> Result<Option<Value>, ServerError> {
        match self.get(url, action) {
            Ok(v) => Ok(Some(v)),
            Err(ServerError {
                kind: ServerErrorKind::Http { status: 404, .. },
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every `value` element of a collection, following `@odata.nextLink`.
    fn get_all(&mut self, first: &str, action: &str) -> Result<Vec<Value>, ServerError> {
        let mut out = Vec::new();
        self.each_value(first, action, |v| {
            out.push(v);
            Ok(())
        })?;
        Ok(out)
    }

    /// Hands each `value` element of a collection to `each` as its page arrives, following
    /// `@odata.nextLink`: a long collection is never held as JSON all at once.
    fn each_value(
        &mut self,
        first: &str,
        action: &str,
        mut each: impl FnMut(Value) -> Result<(), ServerErrorKind>,
    ) -> Result<(), ServerError> {
        let mut next = Some(first.to_string());
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(self.error(
                    action,
                    ServerErrorKind::TooLarge(format!("over {MAX_PAGES} pages")),
                ));
            }
            let mut page = self.get(&url, action)?;
            let link = page
                .get("@odata.nextLink")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            match page.get_mut("value").map(Value::take) {
                Some(Value::Array(values)) => {
                    for value in values {
                        each(value).map_err(|kind| self.error(action, kind))?;
                    }
                }
                _ => {
                    return Err(self.error(
                        action,
                        ServerErrorKind::Protocol("a page without a value list".into()),
                    ));
                }
            }
            if let Some(link) = link {
                if origin_of(&link).as_deref() != Some(self.origin.as_str()) {
                    return Err(self.error(
                        action,
                        ServerErrorKind::Protocol(format!("a next link to another server: {link}")),
                    ));
                }
                next = Some(link);
            }
        }
        Ok(())
    }
}

impl MailboxServer for GraphServer {
    fn describe(&self) -> String {
        format!("Microsoft Graph at {}", self.config.base_url)
    }

    fn list_folders(&mut self) -> Result<Vec<Folder>, ServerError> {
        folders::list_folders(self)
    }

    fn list_items(&mut self, folder: &FolderId) -> Result<Vec<Item>, ServerError> {
        items::list_items(self, folder)
    }
}

/// `scheme://authority` of an http(s) URL, lower-cased.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    authority.split(':').next().unwrap_or(authority)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://Graph.Microsoft.com/v1.0/me?x=1").as_deref(),
            Some("https://graph.microsoft.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin_of("https://user@evil.example/"), None);
        assert_eq!(origin_of("ftp://x"), None);
        assert_eq!(host_of("[::1]:80"), "::1");
        assert_eq!(host_of("localhost:80"), "localhost");
    }

    #[test]
    fn plain_http_only_to_loopback() {
        let remote = GraphConfig {
            base_url: "http://192.0.2.1/v1.0".into(),
            ..GraphConfig::default()
        };
        let err = GraphServer::new(remote, Secret::new("t")).unwrap_err();
        assert!(matches!(err.kind, ServerErrorKind::Config(_)), "{err}");
        let local = GraphConfig {
            base_url: "http://127.0.0.1:9/v1.0/".into(),
            ..GraphConfig::default()
        };
        let server = GraphServer::new(local, Secret::new("t")).unwrap();
        assert_eq!(
            server.describe(),
            "Microsoft Graph at http://127.0.0.1:9/v1.0"
        );
    }
}
