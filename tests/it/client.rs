//! The API client against a scripted local HTTP server: retries, backoff, `Retry-After`,
//! create-safety, error bodies, timeouts, pagination, waiting, and secret hygiene.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use scwform::api::client::{Client, ClientConfig, Query, USER_AGENT};
use scwform::api::error::ClientError;
use scwform::api::retry::{
    PropagationWait, RetryPolicy, WaitOptions, retry_on_permission_denied, wait_until_settled,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SECRET: &str = "5ec7e7ce-0000-4000-8000-5ec7e7000001";

/// One scripted answer.
#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    delay: Duration,
}

fn reply(status: u16, body: &Value) -> Reply {
    Reply {
        status,
        headers: vec![("content-type", "application/json".into())],
        body: body.to_string(),
        delay: Duration::ZERO,
    }
}

fn empty(status: u16) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: String::new(),
        delay: Duration::ZERO,
    }
}

/// What the server saw.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    query: String,
    token: Option<String>,
    user_agent: Option<String>,
    content_type: Option<String>,
    body: String,
}

type Handler = dyn Fn(usize, &Seen) -> Reply + Send + Sync;

#[derive(Clone)]
struct Shared {
    seen: Arc<Mutex<Vec<Seen>>>,
    handler: Arc<Handler>,
}

struct Server {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn requests(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .expect("no test thread panicked holding it")
            .clone()
    }

    fn count(&self) -> usize {
        self.requests().len()
    }
}

async fn handle(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let seen = Seen {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        token: header("x-auth-token"),
        user_agent: header("user-agent"),
        content_type: header("content-type"),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let index = {
        let mut all = shared
            .seen
            .lock()
            .expect("no test thread panicked holding it");
        all.push(seen.clone());
        all.len() - 1
    };
    let reply = (shared.handler)(index, &seen);
    tokio::time::sleep(reply.delay).await;
    let mut response = (
        StatusCode::from_u16(reply.status).expect("scripted statuses are valid"),
        reply.body,
    )
        .into_response();
    for (name, value) in reply.headers {
        response
            .headers_mut()
            .insert(name, value.parse().expect("scripted headers are valid"));
    }
    response
}

/// Serves `handler(request index, request)` on 127.0.0.1.
async fn serve(handler: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> Server {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let shared = Shared {
        seen: seen.clone(),
        handler: Arc::new(handler),
    };
    let app = axum::Router::new().fallback(handle).with_state(shared);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a local port");
    let base = format!("http://{}", listener.local_addr().expect("bound address"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server { base, seen }
}

/// Serves the replies in order, repeating the last one.
async fn script(replies: Vec<Reply>) -> Server {
    serve(move |i, _| replies[i.min(replies.len() - 1)].clone()).await
}

fn fast_retry(max_retries: usize) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        min_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(10),
        max_elapsed: Duration::from_secs(10),
        jitter: true,
    }
}

fn client_for(base: &str, retries: usize) -> Client {
    let mut config = ClientConfig::new(format!("{base}/"), Some(SecretString::from(SECRET)));
    config.retry = fast_retry(retries);
    config.timeout = Duration::from_secs(5);
    Client::new(config).expect("valid client config")
}

#[tokio::test]
async fn requests_carry_auth_user_agent_json_and_repeated_query_keys() {
    let server = script(vec![reply(200, &json!({"id": "p1"}))]).await;
    let client = client_for(&server.base, 3);
    let query = Query::new()
        .with("name", "main")
        .with_all("project_ids", ["a", "b"]);
    let got: Value = client
        .get("/account/v3/projects", &query)
        .await
        .expect("200 answer");
    assert_eq!(got, json!({"id": "p1"}));
    let created: Value = client
        .post("/account/v3/projects", &json!({"name": "x"}))
        .await
        .expect("200 answer");
    assert_eq!(created["id"], "p1");
    let seen = server.requests();
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].path, "/account/v3/projects", "no double slash");
    assert_eq!(seen[0].query, "name=main&project_ids=a&project_ids=b");
    assert_eq!(seen[0].token.as_deref(), Some(SECRET));
    assert_eq!(seen[0].user_agent.as_deref(), Some(USER_AGENT));
    assert_eq!(seen[1].content_type.as_deref(), Some("application/json"));
    assert_eq!(seen[1].body, r#"{"name":"x"}"#);
}

#[tokio::test]
async fn a_rate_limited_call_is_retried_until_it_succeeds() {
    let server = script(vec![
        empty(429),
        empty(429),
        reply(200, &json!({"ok": true})),
    ])
    .await;
    let client = client_for(&server.base, 3);
    let got: Value = client
        .get("/x", &Query::new())
        .await
        .expect("third try works");
    assert_eq!(got["ok"], true);
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn issue_15_rate_limit_refusals_do_not_spend_the_retry_budget() {
    // Five refusals, then an answer: with no retries at all the call still succeeds, because
    // a refusal for the rate limit is sent again when the pace allows.
    let mut replies = vec![empty(429); 3];
    let mut envoy = empty(503);
    envoy.headers.push(("x-envoy-ratelimited", "true".into()));
    replies.extend([envoy.clone(), envoy]);
    replies.push(reply(201, &json!({"id": "n1"})));
    let server = script(replies).await;
    let client = client_for(&server.base, 0);
    let created: Value = client
        .post("/x", &json!({"name": "n"}))
        .await
        .expect("sent again until answered");
    assert_eq!(created["id"], "n1");
    assert_eq!(server.count(), 6);
    let stats = client.throttle_stats();
    assert_eq!(
        stats.rate_limited, 5,
        "429s and Envoy-marked 503s: {stats:?}"
    );
    assert!(stats.rate.is_some(), "paced after a refusal");
    // An unmarked 503 is an ordinary transient error: the policy's retries (none) apply.
    let server = script(vec![empty(503), reply(200, &json!({}))]).await;
    let client = client_for(&server.base, 0);
    let error = client
        .get::<Value>("/x", &Query::new())
        .await
        .expect_err("no retries");
    assert!(!error.is_rate_limited());
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn issue_15_requests_in_flight_are_bounded_by_parallelism() {
    let mut slow = reply(200, &json!({}));
    slow.delay = Duration::from_millis(100);
    let server = script(vec![slow]).await;
    let mut config = ClientConfig::new(&server.base, None);
    config.throttle = scwform::api::throttle::ThrottleConfig::with_parallelism(2);
    let client = Client::new(config).expect("valid client config");
    let start = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let client = client.clone();
        calls.spawn(async move { client.get::<Value>("/x", &Query::new()).await });
    }
    while let Some(result) = calls.join_next().await {
        result.expect("joined").expect("answered");
    }
    // Six calls of 100 ms, two at a time: three rounds.
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(server.count(), 6);
}

#[tokio::test]
async fn retry_after_replaces_the_backoff_delay() {
    let mut unavailable = empty(503);
    unavailable.headers.push(("retry-after", "1".into()));
    let server = script(vec![unavailable, reply(200, &json!({}))]).await;
    let mut config = ClientConfig::new(&server.base, None);
    // The computed backoff would be 1 ms; Retry-After asks for 1 s, capped at 200 ms.
    config.retry = RetryPolicy {
        max_delay: Duration::from_millis(200),
        ..fast_retry(3)
    };
    let client = Client::new(config).expect("valid client config");
    let start = Instant::now();
    let _: Value = client
        .get("/x", &Query::new())
        .await
        .expect("second try works");
    assert!(
        start.elapsed() >= Duration::from_millis(200),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn server_errors_are_retried_a_bounded_number_of_times() {
    let server = script(vec![reply(500, &json!({"message": "internal error"}))]).await;
    let client = client_for(&server.base, 3);
    let error = client
        .get::<Value>("/x", &Query::new())
        .await
        .expect_err("always 500");
    assert_eq!(server.count(), 4, "one try and three retries");
    assert!(error.is_transient());
    assert_eq!(error.api().map(|e| e.status), Some(500));
}

#[tokio::test]
async fn not_implemented_and_client_errors_are_not_retried() {
    for status in [501, 400, 409] {
        let server = script(vec![reply(status, &json!({"message": "no"}))]).await;
        let client = client_for(&server.base, 3);
        let error = client
            .get::<Value>("/x", &Query::new())
            .await
            .expect_err("error");
        assert_eq!(server.count(), 1, "status {status}");
        assert!(!error.is_transient());
    }
}

#[tokio::test]
async fn an_empty_429_takes_its_message_from_the_status_line() {
    let mut limited = empty(429);
    limited.headers.push(("x-envoy-ratelimited", "true".into()));
    let server = script(vec![limited]).await;
    // No patience: the refusal is returned at once (and retried once by the policy).
    let mut config = ClientConfig::new(&server.base, None);
    config.retry = fast_retry(1);
    config.throttle.patience = Duration::ZERO;
    let client = Client::new(config).expect("valid client config");
    let error = client
        .get::<Value>("/x", &Query::new())
        .await
        .expect_err("429");
    let api = error.api().expect("an API error");
    assert_eq!(api.message, "429 Too Many Requests");
    assert_eq!(api.kind, None);
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_404_without_type_is_not_found() {
    let server = script(vec![reply(404, &json!({"message": "Token was not found"}))]).await;
    let client = client_for(&server.base, 3);
    let error = client
        .get::<Value>("/containers/v1beta1/regions/fr-par/tokens/t", &Query::new())
        .await
        .expect_err("404");
    assert!(error.is_not_found());
    assert_eq!(server.count(), 1);
    assert_eq!(
        error.to_string(),
        "GET /containers/v1beta1/regions/fr-par/tokens/t failed with HTTP 404: Token was not found"
    );
}

#[tokio::test]
async fn a_slow_answer_times_out_and_a_slow_create_is_not_repeated() {
    let mut slow = reply(200, &json!({}));
    slow.delay = Duration::from_millis(500);
    let server = script(vec![slow]).await;
    let mut config = ClientConfig::new(&server.base, None);
    config.timeout = Duration::from_millis(100);
    config.retry = fast_retry(1);
    let client = Client::new(config).expect("valid client config");
    let error = client
        .get::<Value>("/x", &Query::new())
        .await
        .expect_err("too slow");
    assert!(
        matches!(error, ClientError::Timeout { attempts: 2, .. }),
        "{error:?}"
    );
    assert_eq!(server.count(), 2);
    let error = client
        .post::<_, Value>("/x", &json!({"name": "n"}))
        .await
        .expect_err("too slow");
    assert!(error.is_outcome_unknown(), "{error:?}");
    assert!(!error.is_transient());
    assert_eq!(server.count(), 3, "the create was sent once");
}

#[tokio::test]
async fn a_create_is_retried_only_when_the_server_did_not_process_it() {
    let server = script(vec![
        empty(429),
        empty(503),
        reply(200, &json!({"id": "n1"})),
    ])
    .await;
    let client = client_for(&server.base, 3);
    let created: Value = client
        .post("/x", &json!({"name": "n"}))
        .await
        .expect("429 and 503 are safe to retry");
    assert_eq!(created["id"], "n1");
    assert_eq!(server.count(), 3);

    for status in [500, 502, 504] {
        let server = script(vec![empty(status), empty(status), reply(200, &json!({}))]).await;
        let client = client_for(&server.base, 3);
        let error = client
            .post::<_, Value>("/x", &json!({"name": "n"}))
            .await
            .expect_err("outcome unknown");
        assert!(error.is_outcome_unknown(), "{status}: {error:?}");
        assert_eq!(server.count(), 1, "status {status}: sent once");
        // The same status on a PATCH is retried.
        let _: Value = client
            .patch("/x", &json!({"description": "d"}))
            .await
            .expect("retried");
        assert_eq!(server.count(), 3, "status {status}");
    }
}

/// A server that reads each request and hangs up without answering.
async fn hang_up_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a local port");
    let base = format!("http://{}", listener.local_addr().expect("bound address"));
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buffer = [0u8; 4096];
            let _ = socket.read(&mut buffer).await;
            let _ = socket.shutdown().await;
        }
    });
    (base, connections)
}

#[tokio::test]
async fn a_lost_answer_to_a_create_is_reported_not_retried() {
    let (base, connections) = hang_up_server().await;
    let client = client_for(&base, 3);
    let error = client
        .post::<_, Value>("/x", &json!({"name": "n"}))
        .await
        .expect_err("no answer");
    assert!(error.is_outcome_unknown(), "{error:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    let error = client
        .get::<Value>("/x", &Query::new())
        .await
        .expect_err("no answer");
    assert!(
        matches!(error, ClientError::Transport { attempts: 4, .. }),
        "{error:?}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 5);
}

#[tokio::test]
async fn a_refused_connection_is_safe_to_retry_even_for_a_create() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("bound address"));
    drop(listener);
    let client = client_for(&base, 2);
    let error = client
        .post::<_, Value>("/x", &json!({"name": "n"}))
        .await
        .expect_err("nothing listens");
    assert!(
        matches!(error, ClientError::Transport { attempts: 3, .. }),
        "{error:?}"
    );
    assert!(error.is_transient());
}

#[tokio::test]
async fn list_all_walks_every_page() {
    let server = serve(|_, seen| {
        let page: usize = seen
            .query
            .split('&')
            .find_map(|kv| kv.strip_prefix("page="))
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        let all: Vec<Value> = (1..=5).map(|n| json!({"id": n})).collect();
        let items: Vec<Value> = all.iter().skip((page - 1) * 2).take(2).cloned().collect();
        reply(200, &json!({"projects": items, "total_count": 5}))
    })
    .await;
    let client = client_for(&server.base, 0);
    let query = Query::new().with("organization_id", "o").with("page", 9);
    let items: Vec<Value> = client
        .list_all("/account/v3/projects", &query, "projects", 2)
        .await
        .expect("three pages");
    assert_eq!(items.len(), 5);
    assert_eq!(items[4]["id"], 5);
    let queries: Vec<String> = server.requests().into_iter().map(|s| s.query).collect();
    assert_eq!(
        queries,
        vec![
            "organization_id=o&page=1&page_size=2",
            "organization_id=o&page=2&page_size=2",
            "organization_id=o&page=3&page_size=2",
        ]
    );
}

#[tokio::test]
async fn list_all_stops_at_an_empty_page() {
    // A server whose total_count overstates what it has.
    let server = serve(|i, _| {
        let items = if i == 0 {
            vec![json!({"id": 1})]
        } else {
            vec![]
        };
        reply(200, &json!({"tokens": items, "total_count": 10}))
    })
    .await;
    let client = client_for(&server.base, 0);
    let items: Vec<Value> = client
        .list_all("/t", &Query::new(), "tokens", 1)
        .await
        .expect("stops");
    assert_eq!(items.len(), 1);
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn deletes_accept_bodies_and_empty_204s() {
    let server = script(vec![
        reply(200, &json!({"id": "n", "status": "deleting"})),
        empty(204),
    ])
    .await;
    let client = client_for(&server.base, 0);
    let deleted: Value = client.delete("/ns/n").await.expect("200 body");
    assert_eq!(deleted["status"], "deleting");
    client.delete_no_content("/projects/p").await.expect("204");
    assert_eq!(server.requests()[1].method, "DELETE");
}

#[tokio::test]
async fn waiting_polls_until_settled_and_reports_disappearance() {
    let server = script(vec![
        reply(200, &json!({"status": "creating"})),
        reply(200, &json!({"status": "creating"})),
        reply(200, &json!({"status": "ready"})),
        reply(
            404,
            &json!({"message": "resource is not found", "type": "not_found"}),
        ),
    ])
    .await;
    let client = client_for(&server.base, 0);
    let options = WaitOptions {
        interval: Duration::from_millis(5),
        timeout: Duration::from_secs(5),
    };
    let no_query = Query::new();
    let transient = |v: &Value| {
        let status = v["status"].as_str().unwrap_or_default().to_owned();
        matches!(status.as_str(), "creating" | "deleting").then_some(status)
    };
    let ready = wait_until_settled(
        "namespace n",
        options,
        || client.get::<Value>("/ns/n", &no_query),
        transient,
    )
    .await
    .expect("settles");
    assert_eq!(ready["status"], "ready");
    assert_eq!(server.count(), 3);
    let gone = wait_until_settled(
        "namespace n",
        options,
        || client.get::<Value>("/ns/n", &no_query),
        transient,
    )
    .await
    .expect_err("404");
    assert!(gone.is_not_found());
}

#[tokio::test]
async fn permission_denied_is_retried_while_iam_propagates() {
    let denied = reply(
        403,
        &json!({"details": [{"action": "read", "resource": "cockpit"}], "message": "insufficient permissions", "type": "permissions_denied"}),
    );
    let server = script(vec![
        denied.clone(),
        denied,
        reply(200, &json!({"id": "t"})),
    ])
    .await;
    let client = client_for(&server.base, 3);
    let wait = PropagationWait {
        interval: Duration::from_millis(5),
        timeout: Duration::from_secs(5),
    };
    let body = json!({"name": "t"});
    let token: Value = retry_on_permission_denied(wait, || {
        client.post::<_, Value>("/cockpit/v1/regions/fr-par/tokens", &body)
    })
    .await
    .expect("works once IAM caught up");
    assert_eq!(token["id"], "t");
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn the_secret_key_never_shows_in_debug_or_errors() {
    let server = script(vec![reply(
        401,
        &json!({"message": "authentication is denied", "method": "api_key", "reason": "invalid_argument", "type": "denied_authentication"}),
    )])
    .await;
    let client = client_for(&server.base, 0);
    let mut config = ClientConfig::new(&server.base, Some(SecretString::from(SECRET)));
    config.retry = fast_retry(0);
    assert!(!format!("{config:?}").contains(SECRET));
    assert!(!format!("{client:?}").contains(SECRET));
    let error = client
        .get::<Value>("/x", &Query::new())
        .await
        .expect_err("401");
    assert_eq!(
        error.to_string(),
        "GET /x failed with HTTP 401 (denied_authentication): authentication is denied; reason: invalid_argument"
    );
    assert!(!format!("{error:?}").contains(SECRET));
    let (base, _) = hang_up_server().await;
    let error = client_for(&base, 0)
        .get::<Value>("/x", &Query::new())
        .await
        .expect_err("no answer");
    assert!(!error.to_string().contains(SECRET));
    assert!(!format!("{error:?}").contains(SECRET));
}

#[tokio::test]
async fn an_unexpected_success_body_is_a_decode_error() {
    let server = script(vec![Reply {
        status: 200,
        headers: Vec::new(),
        body: "<html>".into(),
        delay: Duration::ZERO,
    }])
    .await;
    let client = client_for(&server.base, 0);
    let error = client
        .get::<Value>("/x", &Query::new())
        .await
        .expect_err("not JSON");
    assert!(
        matches!(error, ClientError::Decode { status: 200, .. }),
        "{error:?}"
    );
}

/// A container token as the v1beta1 API answers it.
fn container_token(id: &str, namespace: &str, description: &str) -> Value {
    json!({
        "id": id, "token": "<hidden>", "namespace_id": namespace, "status": "ready",
        "description": description, "expires_at": null, "public_key": ""
    })
}

/// Creates a namespace token with `scaleway_container_token`'s mapping against a server
/// answering the parent's token list with `before` and then `after`, and the create with a
/// 502 (an answer hidden by the gateway: the create may have happened). Returns the result
/// and what the server saw.
async fn token_create_with_lost_answer(
    before: Vec<Value>,
    after: Vec<Value>,
) -> (
    Result<scwform::api::resources::Outcome, scwform::api::resources::ResourceError>,
    Vec<Seen>,
) {
    use scwform::api::resources::{ApiContext, Defaults, resource_api};
    let lists = Arc::new(AtomicUsize::new(0));
    let server = serve(move |_, seen| match seen.method.as_str() {
        "GET" => {
            let tokens = if lists.fetch_add(1, Ordering::SeqCst) == 0 {
                &before
            } else {
                &after
            };
            reply(200, &json!({"tokens": tokens, "total_count": tokens.len()}))
        }
        _ => empty(502),
    })
    .await;
    let cx = ApiContext::new(client_for(&server.base, 0), Defaults::default());
    let desired: scwform::api::resources::Attributes = serde_json::from_value(json!({
        "namespace_id": format!("fr-par/{NAMESPACE}"),
        "description": "deployments",
    }))
    .expect("attributes");
    let api = resource_api("scaleway_container_token").expect("mapping");
    let result = api.create(&cx, &desired).await;
    (result, server.requests())
}

const NAMESPACE: &str = "11111111-0000-4000-8000-000000000001";
const OLD: &str = "22222222-0000-4000-8000-000000000001";
const MADE: &str = "22222222-0000-4000-8000-000000000002";
const OTHER: &str = "22222222-0000-4000-8000-000000000003";

// https://github.com/scwform/scwform/issues/9 (item 3): tokens created by a call whose answer was
// lost are told apart by what the parent's tokens were before the call.
#[tokio::test]
async fn issue_9_the_one_token_a_lost_create_made_is_returned_tainted() {
    let old = container_token(OLD, NAMESPACE, "deployments");
    let made = container_token(MADE, NAMESPACE, "deployments");
    let unrelated = container_token(OTHER, NAMESPACE, "something else");
    let (result, seen) =
        token_create_with_lost_answer(vec![old.clone()], vec![old, made, unrelated]).await;
    let error = result.expect_err("the create did not finish");
    let created = error.created().expect("the token it made");
    assert_eq!(created.attributes["id"], format!("fr-par/{MADE}"));
    assert!(
        created.attributes["token"].is_null(),
        "the secret is unknown"
    );
    assert!(error.to_string().contains("recorded tainted"), "{error}");
    let methods: Vec<&str> = seen.iter().map(|s| s.method.as_str()).collect();
    assert_eq!(methods, ["GET", "POST", "GET"]);
    assert!(seen[0].query.contains(&format!("namespace_id={NAMESPACE}")));
}

#[tokio::test]
async fn issue_9_tokens_a_lost_create_may_have_made_are_listed_when_ambiguous_and_none_deleted() {
    let (result, seen) = token_create_with_lost_answer(
        Vec::new(),
        vec![
            container_token(MADE, NAMESPACE, "deployments"),
            container_token(OTHER, NAMESPACE, "deployments"),
        ],
    )
    .await;
    let error = result.expect_err("ambiguous");
    assert!(error.created().is_none());
    assert!(error.is_outcome_unknown(), "the intent stays open");
    let message = error.to_string();
    assert!(
        message.contains(&format!("fr-par/{MADE}")) && message.contains(&format!("fr-par/{OTHER}")),
        "{message}"
    );
    assert!(
        seen.iter().all(|s| s.method == "GET" || s.method == "POST"),
        "nothing deleted"
    );
    assert_eq!(seen.iter().filter(|s| s.method == "POST").count(), 1);
}

#[tokio::test]
async fn issue_9_a_lost_token_create_that_made_nothing_is_sent_again_then_given_up() {
    let (result, seen) = token_create_with_lost_answer(Vec::new(), Vec::new()).await;
    let error = result.expect_err("every attempt lost");
    assert!(error.is_outcome_unknown());
    assert!(error.created().is_none());
    let methods: Vec<&str> = seen.iter().map(|s| s.method.as_str()).collect();
    assert_eq!(
        methods,
        ["GET", "POST", "GET", "POST", "GET", "POST", "GET"]
    );
}
