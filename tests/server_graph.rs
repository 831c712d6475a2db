//! The Microsoft Graph client against a loopback HTTP server (`support/http.rs`) that serves
//! the documented JSON shapes of `/me/mailFolders`, `/childFolders`, `/messages` and the
//! device-code sign-in endpoints. No real Graph tenant or Microsoft sign-in is used.

mod common;
mod support;

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use ostdoctor::server::graph::{
    DeviceCodeConfig, DeviceCodeFlow, GraphConfig, GraphServer, Poll, RefreshGrant,
};
use ostdoctor::server::{
    FolderId, FolderRole, MailboxServer, Secret, ServerErrorKind, Timestamp, TlsOptions,
};
use ostdoctor::work::{CancelToken, Cancelled};
use serde_json::{Value, json};
use support::http::{HttpServer, Reply, Request};
use support::with_deadline;

const DEADLINE: Duration = Duration::from_secs(60);
const TOKEN: &str = "graph-token";

fn folder(id: &str, name: &str, children: u64, total: u64, unread: u64, hidden: bool) -> Value {
    json!({
        "id": id, "displayName": name, "parentFolderId": "root",
        "childFolderCount": children, "unreadItemCount": unread, "totalItemCount": total,
        "sizeInBytes": 1024, "isHidden": hidden
    })
}

fn page(base: &str, values: Vec<Value>, next: Option<&str>) -> Reply {
    let mut body = json!({
        "@odata.context": format!("{base}/v1.0/$metadata#users('me')/mailFolders"),
        "value": values
    });
    if let Some(next) = next {
        body["@odata.nextLink"] = json!(format!("{base}/v1.0{next}"));
    }
    Reply::json(200, body.to_string())
}

fn not_found() -> Reply {
    Reply::json(
        404,
        r#"{"error":{"code":"ErrorItemNotFound","message":"The specified object was not found in the store."}}"#,
    )
}

/// A mailbox: two pages of top-level folders, nested children, a hidden folder, and one
/// 429 with Retry-After on the way.
fn mailbox(throttled: Arc<AtomicU32>) -> impl Fn(&Request) -> Reply + Send + Sync {
    mailbox_at("http", throttled)
}

/// The same mailbox, its next links on `scheme`.
fn mailbox_at(
    scheme: &'static str,
    throttled: Arc<AtomicU32>,
) -> impl Fn(&Request) -> Reply + Send + Sync {
    move |r: &Request| mailbox_reply(scheme, &throttled, r)
}

/// `POST /$batch` (JSON batching): each request of the batch answered as if sent alone.
fn batch(scheme: &'static str, throttled: &AtomicU32, r: &Request) -> Reply {
    let body: Value = serde_json::from_str(&r.body).unwrap();
    let requests = body["requests"].as_array().unwrap();
    assert!(
        requests.len() <= 20,
        "Graph takes at most 20 requests in a batch"
    );
    let responses: Vec<Value> = requests
        .iter()
        .map(|inner| {
            assert_eq!(inner["method"], "GET");
            let one = Request {
                method: "GET".into(),
                target: format!("/v1.0{}", inner["url"].as_str().unwrap()),
                headers: r.headers.clone(),
                body: String::new(),
            };
            let reply = mailbox_reply(scheme, throttled, &one);
            json!({
                "id": inner["id"],
                "status": reply.status,
                "body": serde_json::from_str::<Value>(&reply.body).unwrap_or(Value::Null),
            })
        })
        .collect();
    Reply::json(200, json!({ "responses": responses }).to_string())
}

fn mailbox_reply(scheme: &'static str, throttled: &AtomicU32, r: &Request) -> Reply {
    {
        let host = r.headers.get("host").cloned().unwrap_or_default();
        let base = format!("{scheme}://{host}");
        if r.headers.get("authorization").map(String::as_str) != Some(&format!("Bearer {TOKEN}")) {
            return Reply::json(
                401,
                r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}"#,
            );
        }
        let target = r.target.replace("%24", "$");
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let hidden = query.contains("includeHiddenFolders=true");
        match path {
            "/v1.0/$batch" => batch(scheme, throttled, r),
            "/v1.0/me/mailFolders" if query.contains("$skip=3") => page(
                &base,
                [
                    Some(folder("deleted-id", "Deleted Items", 0, 1, 0, false)),
                    hidden.then(|| {
                        folder("hidden-id", "Conversation Action Settings", 0, 0, 0, true)
                    }),
                    Some(folder("sync-id", "Sync Issues", 1, 1, 1, false)),
                ]
                .into_iter()
                .flatten()
                .collect(),
                None,
            ),
            "/v1.0/me/mailFolders" => page(
                &base,
                vec![
                    folder("inbox-id", "Inbox", 2, 10, 3, false),
                    folder("sent-id", "Sent Items", 0, 4, 0, false),
                    folder("drafts-id", "Drafts", 0, 0, 0, false),
                ],
                Some("/me/mailFolders?includeHiddenFolders=true&$top=100&$skip=3"),
            ),
            "/v1.0/me/mailFolders/inbox-id/childFolders" => page(
                &base,
                vec![
                    folder("projects-id", "Projects", 1, 2, 1, false),
                    folder("prive-id", "Privé", 0, 5, 5, false),
                ],
                None,
            ),
            "/v1.0/me/mailFolders/projects-id/childFolders" => {
                // The first ask is throttled, as Graph does under load.
                if throttled.fetch_add(1, Ordering::SeqCst) == 0 {
                    return Reply::json(
                        429,
                        r#"{"error":{"code":"ApplicationThrottled","message":"Too many requests"}}"#,
                    )
                    .header("Retry-After", "1");
                }
                page(
                    &base,
                    vec![folder("y2024-id", "2024", 0, 7, 0, false)],
                    None,
                )
            }
            "/v1.0/me/mailFolders/sync-id/childFolders" => page(
                &base,
                vec![folder("conflicts-id", "Conflicts", 0, 0, 0, false)],
                None,
            ),
            "/v1.0/me/mailFolders/inbox" => Reply::json(200, r#"{"id":"inbox-id"}"#),
            "/v1.0/me/mailFolders/sentitems" => Reply::json(200, r#"{"id":"sent-id"}"#),
            "/v1.0/me/mailFolders/drafts" => Reply::json(200, r#"{"id":"drafts-id"}"#),
            "/v1.0/me/mailFolders/deleteditems" => Reply::json(200, r#"{"id":"deleted-id"}"#),
            "/v1.0/me/mailFolders/syncissues" => Reply::json(200, r#"{"id":"sync-id"}"#),
            "/v1.0/me/mailFolders/conflicts" => Reply::json(200, r#"{"id":"conflicts-id"}"#),
            "/v1.0/me/mailFolders/prive-id/messages" if query.contains("$skiptoken=2") => page(
                &base,
                vec![json!({
                    "id": "m3", "internetMessageId": "<m3@example.com>", "subject": "Derde",
                    "sentDateTime": "2024-03-01T10:00:00Z", "receivedDateTime": "2024-03-01T10:00:02Z",
                    "isRead": true
                })],
                None,
            ),
            "/v1.0/me/mailFolders/prive-id/messages" => page(
                &base,
                vec![
                    json!({
                        "id": "m1", "internetMessageId": "<m1@example.com>", "subject": "Eerste",
                        "sentDateTime": "2024-01-01T08:00:00Z", "receivedDateTime": "2024-01-01T08:00:05Z",
                        "isRead": false
                    }),
                    json!({
                        "id": "m2", "internetMessageId": "<m2@example.com>", "subject": "Tweede",
                        "sentDateTime": "2024-02-01T08:00:00Z", "receivedDateTime": "2024-02-01T08:00:05Z",
                        "isRead": true
                    }),
                ],
                Some("/me/mailFolders/prive-id/messages?$skiptoken=2"),
            ),
            _ => not_found(),
        }
    }
}

fn config(server: &HttpServer) -> GraphConfig {
    GraphConfig {
        base_url: format!("{}/v1.0", server.base()),
        timeout: Duration::from_secs(5),
        max_retry_wait: Duration::from_secs(5),
        ..GraphConfig::default()
    }
}

#[test]
fn folder_tree_with_paging_hidden_folders_roles_and_throttling() {
    with_deadline(DEADLINE, || {
        let throttled = Arc::new(AtomicU32::new(0));
        let http = HttpServer::start(mailbox(throttled.clone()));
        let mut graph = GraphServer::new(config(&http), Secret::new(TOKEN)).unwrap();
        let started = Instant::now();
        let folders = graph.list_folders().unwrap();
        let took = started.elapsed();
        let rows: Vec<_> = folders
            .iter()
            .map(|f| {
                (
                    f.display_path(),
                    f.total,
                    f.unread,
                    f.role.clone(),
                    f.hidden,
                )
            })
            .collect();
        use FolderRole::*;
        let s = |p: &str| p.to_string();
        assert_eq!(
            rows,
            [
                (s("Inbox"), Some(10), Some(3), Some(Inbox), Some(false)),
                (s("Inbox/Projects"), Some(2), Some(1), None, Some(false)),
                (
                    s("Inbox/Projects/2024"),
                    Some(7),
                    Some(0),
                    None,
                    Some(false)
                ),
                (s("Inbox/Privé"), Some(5), Some(5), None, Some(false)),
                (s("Sent Items"), Some(4), Some(0), Some(Sent), Some(false)),
                (s("Drafts"), Some(0), Some(0), Some(Drafts), Some(false)),
                (
                    s("Deleted Items"),
                    Some(1),
                    Some(0),
                    Some(Deleted),
                    Some(false)
                ),
                (
                    s("Conversation Action Settings"),
                    Some(0),
                    Some(0),
                    None,
                    Some(true)
                ),
                (
                    s("Sync Issues"),
                    Some(1),
                    Some(1),
                    Some(SyncIssues),
                    Some(false)
                ),
                (
                    s("Sync Issues/Conflicts"),
                    Some(0),
                    Some(0),
                    Some(Conflicts),
                    Some(false)
                ),
            ]
        );
        assert_eq!(folders[3].id, FolderId("prive-id".into()));
        assert!(folders.iter().all(|f| f.selectable));

        // The 429 was honoured: asked twice, a Retry-After second apart.
        assert_eq!(throttled.load(Ordering::SeqCst), 2);
        assert!(took >= Duration::from_secs(1), "took {took:?}");
        let requests = http.requests();
        let children: Vec<_> = requests
            .iter()
            .filter(|r| r.path() == "/v1.0/me/mailFolders/projects-id/childFolders")
            .collect();
        assert_eq!(children.len(), 2);
        // 2 top-level pages, 3 childFolders lists (+1 retry), the 13 well-known names in
        // one batch.
        assert_eq!(requests.len(), 2 + 3 + 1 + 1);
        assert_eq!(graph.requests_sent(), requests.len() as u64);
        let posts: Vec<_> = requests.iter().filter(|r| r.method == "POST").collect();
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0].path(), "/v1.0/$batch");

        // A second listing reuses the roles it learnt: 2 pages and 3 child lists.
        assert_eq!(graph.list_folders().unwrap(), folders);
        assert_eq!(http.requests().len() - requests.len(), 2 + 3);
    });
}

#[test]
fn messages_of_a_folder_across_pages() {
    with_deadline(DEADLINE, || {
        let http = HttpServer::start(mailbox(Arc::new(AtomicU32::new(1))));
        let mut graph = GraphServer::new(config(&http), Secret::new(TOKEN)).unwrap();
        let items = graph.list_items(&FolderId("prive-id".into())).unwrap();
        let rows: Vec<_> = items
            .iter()
            .map(|i| {
                (
                    i.server_id.as_str(),
                    i.internet_message_id.as_deref(),
                    i.subject.as_deref(),
                    i.unread,
                    i.received.map(|t| t.to_string()),
                )
            })
            .collect();
        let t = |s: &str| Some(s.to_string());
        assert_eq!(
            rows,
            [
                (
                    "m1",
                    Some("<m1@example.com>"),
                    Some("Eerste"),
                    Some(true),
                    t("2024-01-01T08:00:05Z")
                ),
                (
                    "m2",
                    Some("<m2@example.com>"),
                    Some("Tweede"),
                    Some(false),
                    t("2024-02-01T08:00:05Z")
                ),
                (
                    "m3",
                    Some("<m3@example.com>"),
                    Some("Derde"),
                    Some(false),
                    t("2024-03-01T10:00:02Z")
                ),
            ]
        );
        let first = &http.requests()[0];
        assert_eq!(
            first
                .query("$select")
                .or_else(|| first.query("%24select"))
                .as_deref(),
            Some("id,internetMessageId,subject,sentDateTime,receivedDateTime,isRead")
        );
    });
}

#[test]
fn throttling_gives_up_after_the_bounded_retries() {
    with_deadline(DEADLINE, || {
        let http = HttpServer::start(|_| Reply::json(429, "{}").header("Retry-After", "0"));
        let cfg = GraphConfig {
            max_retries: 2,
            ..config(&http)
        };
        let mut graph = GraphServer::new(cfg, Secret::new(TOKEN)).unwrap();
        let err = graph.list_folders().unwrap_err();
        assert_eq!(err.kind, ServerErrorKind::Throttled { attempts: 3 });
        assert_eq!(err.action, "GET /me/mailFolders");
        assert_eq!(http.requests().len(), 3);
    });
}

#[test]
fn a_rejected_token_is_an_authentication_error() {
    with_deadline(DEADLINE, || {
        let http = HttpServer::start(mailbox(Arc::new(AtomicU32::new(0))));
        let mut graph = GraphServer::new(config(&http), Secret::new("stale")).unwrap();
        let err = graph.list_folders().unwrap_err();
        assert_eq!(
            err.kind,
            ServerErrorKind::Authentication(
                "InvalidAuthenticationToken: Access token has expired or is not yet valid.".into()
            )
        );
        assert!(
            err.server
                .starts_with("Microsoft Graph at http://127.0.0.1:"),
            "{err}"
        );
        assert!(!format!("{err} {graph:?}").contains("stale"));
    });
}

#[test]
fn a_next_link_to_another_server_is_not_followed() {
    with_deadline(DEADLINE, || {
        let http = HttpServer::start(|_| {
            Reply::json(
                200,
                r#"{"value":[],"@odata.nextLink":"http://127.0.0.1:9/v1.0/me/mailFolders?page=2"}"#,
            )
        });
        let mut graph = GraphServer::new(config(&http), Secret::new(TOKEN)).unwrap();
        let err = graph.list_folders().unwrap_err();
        assert!(
            matches!(err.kind, ServerErrorKind::Protocol(ref m) if m.contains("another server")),
            "{err}"
        );
        assert_eq!(http.requests().len(), 1);
    });
}

#[test]
fn a_silent_server_times_out_within_the_bound() {
    with_deadline(DEADLINE, || {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let holder = std::thread::spawn(move || listener.accept().map(|(s, _)| s));
        let bound = Duration::from_millis(800);
        let cfg = GraphConfig {
            base_url: format!("http://127.0.0.1:{port}/v1.0"),
            timeout: bound,
            ..GraphConfig::default()
        };
        let mut graph = GraphServer::new(cfg, Secret::new(TOKEN)).unwrap();
        let started = Instant::now();
        let err = graph.list_folders().unwrap_err();
        let took = started.elapsed();
        assert_eq!(err.kind, ServerErrorKind::Timeout(bound), "{err}");
        assert!(took >= bound && took < bound * 3, "took {took:?}");
        drop(holder.join());
    });
}

#[test]
fn https_verifies_the_certificate() {
    with_deadline(DEADLINE, || {
        let pki = support::certs::generate();
        let http = HttpServer::start_tls(
            &pki.server_cert_pem,
            &pki.server_key_pem,
            mailbox_at("https", Arc::new(AtomicU32::new(1))),
        );
        let https = |tls: TlsOptions| GraphConfig {
            base_url: format!("https://localhost:{}/v1.0", http.port),
            timeout: Duration::from_secs(5),
            tls,
            ..GraphConfig::default()
        };
        let with_ca = TlsOptions::default().with_extra_ca(pki.ca_pem.clone());
        let mut graph = GraphServer::new(https(with_ca), Secret::new(TOKEN)).unwrap();
        assert_eq!(graph.list_folders().unwrap().len(), 10);

        let mut graph = GraphServer::new(https(TlsOptions::default()), Secret::new(TOKEN)).unwrap();
        let err = graph.list_folders().unwrap_err();
        assert_eq!(
            err.kind,
            ServerErrorKind::Certificate("issued by an unknown certificate authority".into()),
            "{err}"
        );
    });
}

/// The device-code endpoints: the first token poll is pending, the second succeeds, unless
/// `decline` is set.
fn sign_in_service(decline: bool) -> HttpServer {
    let polls = AtomicU32::new(0);
    HttpServer::start(move |r| match r.path() {
        "/tenant/oauth2/v2.0/devicecode" => {
            assert_eq!(r.method, "POST");
            assert_eq!(r.form("client_id").as_deref(), Some("client-123"));
            assert_eq!(
                r.form("scope").as_deref(),
                Some("Mail.ReadBasic offline_access")
            );
            Reply::json(
                200,
                r#"{"device_code":"dev-code-1","user_code":"ABCD-EFGH","verification_uri":"https://microsoft.com/devicelogin","expires_in":60,"interval":1,"message":"To sign in, enter ABCD-EFGH."}"#,
            )
        }
        "/tenant/oauth2/v2.0/token" => {
            assert_eq!(
                r.form("grant_type").as_deref(),
                Some("urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code")
            );
            assert_eq!(r.form("device_code").as_deref(), Some("dev-code-1"));
            if decline {
                return Reply::json(
                    400,
                    r#"{"error":"authorization_declined","error_description":"AADSTS70000: declined"}"#,
                );
            }
            if polls.fetch_add(1, Ordering::SeqCst) == 0 {
                Reply::json(
                    400,
                    r#"{"error":"authorization_pending","error_description":"AADSTS70016: pending"}"#,
                )
            } else {
                Reply::json(
                    200,
                    format!(
                        r#"{{"token_type":"Bearer","scope":"Mail.ReadBasic","expires_in":3599,"access_token":"{TOKEN}","refresh_token":"refresh-1"}}"#
                    ),
                )
            }
        }
        _ => not_found(),
    })
}

fn sign_in_config(service: &HttpServer) -> DeviceCodeConfig {
    let mut cfg = DeviceCodeConfig::microsoft("client-123", "tenant");
    cfg.device_code_url = format!("{}/tenant/oauth2/v2.0/devicecode", service.base());
    cfg.token_url = format!("{}/tenant/oauth2/v2.0/token", service.base());
    cfg.timeout = Duration::from_secs(5);
    cfg
}

#[test]
fn device_code_sign_in_then_folders() {
    with_deadline(DEADLINE, || {
        let service = sign_in_service(false);
        let mut flow = DeviceCodeFlow::start(sign_in_config(&service)).unwrap();
        assert_eq!(flow.prompt().user_code, "ABCD-EFGH");
        assert_eq!(
            flow.prompt().verification_uri,
            "https://microsoft.com/devicelogin"
        );
        assert_eq!(
            flow.prompt().message.as_deref(),
            Some("To sign in, enter ABCD-EFGH.")
        );
        assert_eq!(flow.interval(), Duration::from_secs(1));
        assert!(matches!(flow.poll_once().unwrap(), Poll::Pending));
        let token = flow.wait(|| false).unwrap();
        assert_eq!(token.access_token.expose(), TOKEN);
        assert_eq!(
            token.refresh_token.as_ref().map(Secret::expose),
            Some("refresh-1")
        );
        assert_eq!(token.expires_in, Some(Duration::from_secs(3599)));
        assert!(!format!("{token:?} {flow:?}").contains(TOKEN));

        let http = HttpServer::start(mailbox(Arc::new(AtomicU32::new(1))));
        let mut graph = GraphServer::new(config(&http), token.access_token).unwrap();
        assert_eq!(graph.list_folders().unwrap().len(), 10);
    });
}

#[test]
fn device_code_declined_or_cancelled() {
    with_deadline(DEADLINE, || {
        let service = sign_in_service(true);
        let mut flow = DeviceCodeFlow::start(sign_in_config(&service)).unwrap();
        let err = flow.poll_once().unwrap_err();
        assert_eq!(
            err.kind,
            ServerErrorKind::SignIn("the user declined".into())
        );

        let service = sign_in_service(false);
        let mut flow = DeviceCodeFlow::start(sign_in_config(&service)).unwrap();
        let cancel = AtomicBool::new(false);
        let started = Instant::now();
        let err = flow
            .wait(|| {
                cancel.store(true, Ordering::SeqCst);
                true
            })
            .unwrap_err();
        assert_eq!(err.kind, ServerErrorKind::SignIn("cancelled".into()));
        assert!(started.elapsed() < Duration::from_millis(500));
        // Cancelled before the first poll.
        assert_eq!(service.requests().len(), 1);
    });
}

/// A service that takes no batches: each well-known name is asked alone, and one that
/// fails with a 500 leaves its role unknown instead of failing the whole listing.
#[test]
fn without_batches_each_name_is_asked_alone_and_a_failing_one_is_skipped() {
    with_deadline(DEADLINE, || {
        let throttled = Arc::new(AtomicU32::new(1));
        let inner = mailbox(throttled);
        let http = HttpServer::start(move |r| match r.path() {
            "/v1.0/$batch" => not_found(),
            "/v1.0/me/mailFolders/sentitems" => Reply::json(
                500,
                r#"{"error":{"code":"ErrorInternalServerError","message":"try later"}}"#,
            ),
            _ => inner(r),
        });
        let mut graph = GraphServer::new(config(&http), Secret::new(TOKEN)).unwrap();
        let folders = graph.list_folders().unwrap();
        let role = |path: &str| {
            folders
                .iter()
                .find(|f| f.display_path() == path)
                .and_then(|f| f.role.clone())
        };
        assert_eq!(role("Inbox"), Some(FolderRole::Inbox));
        assert_eq!(role("Sent Items"), None, "its lookup failed");
        assert_eq!(role("Drafts"), Some(FolderRole::Drafts));
        let lookups = http
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.target.contains("select=id"))
            .count();
        assert_eq!(lookups, 13);
    });
}

/// A token endpoint that renews `refresh-1` into the mailbox's token and hands back a new
/// refresh token, and refuses any other.
fn token_service(renewals: Arc<AtomicU32>) -> impl Fn(&Request) -> Option<Reply> + Send + Sync {
    move |r: &Request| {
        if r.path() != "/tenant/oauth2/v2.0/token" {
            return None;
        }
        assert_eq!(r.form("grant_type").as_deref(), Some("refresh_token"));
        assert_eq!(r.form("client_id").as_deref(), Some("client-123"));
        renewals.fetch_add(1, Ordering::SeqCst);
        Some(if r.form("refresh_token").as_deref() == Some("refresh-1") {
            Reply::json(
                200,
                format!(
                    r#"{{"access_token":"{TOKEN}","refresh_token":"refresh-2","expires_in":3599}}"#
                ),
            )
        } else {
            Reply::json(
                400,
                r#"{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired."}"#,
            )
        })
    }
}

fn grant(http: &HttpServer, refresh_token: &str) -> RefreshGrant {
    RefreshGrant {
        token_url: format!("{}/tenant/oauth2/v2.0/token", http.base()),
        client_id: "client-123".into(),
        scopes: vec!["Mail.ReadBasic".into(), "offline_access".into()],
        refresh_token: Secret::new(refresh_token),
        tls: TlsOptions::default(),
        timeout: Duration::from_secs(5),
    }
}

/// The mailbox and its token endpoint on one server, and a client whose access token has
/// expired, holding `refresh_token`; with the count of renewals the endpoint answered.
fn expired_session(refresh_token: &str) -> (HttpServer, GraphServer, Arc<AtomicU32>) {
    let renewals = Arc::new(AtomicU32::new(0));
    let tokens = token_service(renewals.clone());
    let inner = mailbox(Arc::new(AtomicU32::new(1)));
    let http = HttpServer::start(move |r| tokens(r).unwrap_or_else(|| inner(r)));
    let graph = GraphServer::new(config(&http), Secret::new("expired"))
        .unwrap()
        .with_refresh(grant(&http, refresh_token));
    (http, graph, renewals)
}

/// The access token expired mid-session (Graph answers 401): the refresh token renews it
/// once, the request goes through, and later requests use the new token.
#[test]
fn an_expired_access_token_is_renewed_with_the_refresh_token() {
    with_deadline(DEADLINE, || {
        let (_http, mut graph, renewals) = expired_session("refresh-1");
        assert_eq!(graph.list_folders().unwrap().len(), 10);
        assert_eq!(graph.list_folders().unwrap().len(), 10);
        assert_eq!(renewals.load(Ordering::SeqCst), 1);
        assert_eq!(graph.refreshes(), 1);
        assert!(
            !format!("{graph:?}").contains("refresh-2"),
            "secrets stay out of Debug"
        );
    });
}

/// A refresh token that expired too: one try, then words that say to sign in again.
#[test]
fn a_refused_refresh_asks_for_a_new_sign_in() {
    with_deadline(DEADLINE, || {
        let (_http, mut graph, renewals) = expired_session("refresh-old");
        let err = graph.list_folders().unwrap_err();
        let ServerErrorKind::Authentication(words) = &err.kind else {
            panic!("{err}")
        };
        assert!(words.contains("could not be renewed"), "{words}");
        assert!(words.contains("AADSTS700082"), "{words}");
        assert!(words.contains("sign in again"), "{words}");
        assert!(!words.contains("refresh-old"), "{words}");
        // Not tried again on the next call: the grant is spent.
        assert!(graph.list_folders().is_err());
        assert_eq!(renewals.load(Ordering::SeqCst), 1);
    });
}

/// Retry-After as an HTTP date, and a 504 from a gateway, are waited out and retried.
#[test]
fn a_retry_after_date_and_a_gateway_timeout_are_waited_out() {
    with_deadline(DEADLINE, || {
        let calls = Arc::new(AtomicU32::new(0));
        let seen = calls.clone();
        let inner = mailbox(Arc::new(AtomicU32::new(1)));
        let http = HttpServer::start(move |r| {
            if r.path() == "/v1.0/me/mailFolders" && !r.target.contains("skip") {
                match seen.fetch_add(1, Ordering::SeqCst) {
                    0 => {
                        let at = Timestamp(Timestamp::now().0 + 2);
                        let date = at.to_rfc5322().replace("+0000", "GMT");
                        return Reply::json(503, "{}").header("Retry-After", &date);
                    }
                    1 => return Reply::json(504, "{}").header("Retry-After", "0"),
                    _ => {}
                }
            }
            inner(r)
        });
        let started = Instant::now();
        let mut graph = GraphServer::new(config(&http), Secret::new(TOKEN)).unwrap();
        assert_eq!(graph.list_folders().unwrap().len(), 10);
        let took = started.elapsed();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        // The date was one to two seconds ahead (whole seconds on both sides).
        assert!(took >= Duration::from_millis(900), "took {took:?}");
    });
}

/// Cancel ends a throttling wait at once, however long the service asked to wait.
#[test]
fn cancel_ends_a_throttling_wait_at_once() {
    with_deadline(DEADLINE, || {
        let http = HttpServer::start(|_| Reply::json(429, "{}").header("Retry-After", "100"));
        let cancel = CancelToken::new();
        let cfg = GraphConfig {
            max_retry_wait: Duration::from_secs(100),
            cancel: cancel.clone(),
            ..config(&http)
        };
        let mut graph = GraphServer::new(cfg, Secret::new(TOKEN)).unwrap();
        let presser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            cancel.cancel();
        });
        let started = Instant::now();
        let err = graph.list_folders().unwrap_err();
        assert_eq!(err.kind, ServerErrorKind::Cancelled(Cancelled));
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        presser.join().unwrap();
    });
}

/// The owner check's account for Microsoft 365: the primary address Graph gives for the
/// signed-in person, else a sign-in name that is an address, else none.
#[test]
fn the_signed_in_address_is_the_mail_then_the_sign_in_name() {
    with_deadline(DEADLINE, || {
        for (body, want) in [
            (
                r#"{"mail":"Ana.Souza@contoso.com","userPrincipalName":"ana@contoso.onmicrosoft.com"}"#,
                Some("Ana.Souza@contoso.com"),
            ),
            (
                r#"{"mail":null,"userPrincipalName":"ana@contoso.onmicrosoft.com"}"#,
                Some("ana@contoso.onmicrosoft.com"),
            ),
            (r#"{"mail":null,"userPrincipalName":"ana"}"#, None),
        ] {
            let http = HttpServer::start(move |r: &Request| {
                if r.path() == "/v1.0/me" {
                    Reply::json(200, body)
                } else {
                    Reply::json(404, "{}")
                }
            });
            let mut graph = GraphServer::new(config(&http), Secret::new(TOKEN)).unwrap();
            assert_eq!(
                graph.signed_in_address().unwrap().as_deref(),
                want,
                "{body}"
            );
            let asked = http.requests();
            assert_eq!(asked.len(), 1);
            assert_eq!(
                asked[0].query("$select").as_deref(),
                Some("mail,userPrincipalName")
            );
        }
    });
}
