//! The HTTP client for the Scaleway API: base URL, `X-Auth-Token` authentication, JSON bodies,
//! timeouts, retries and list pagination, generic over the serde request/response types.
//!
//! Invariants:
//! - The secret key is held as a `SecretString`, put only into the `X-Auth-Token` header
//!   (marked sensitive), and never logged; `Client`'s `Debug` redacts it.
//! - Every call has a connect timeout and a total timeout.
//! - A create (`post`) is never blindly re-sent after the request may have reached the server;
//!   see [`Idempotency`].
//! - Every request goes through the client's [`Throttle`] (shared by its clones): at most
//!   `max_in_flight` at once, paced once the API has refused one for its rate limit. A refusal
//!   for the rate limit is sent again when the throttle allows, without spending the retry
//!   policy's attempts, for up to [`ThrottleConfig::patience`]: the limit slows calls down and
//!   does not fail them.
//!
//! Depends on `api::error`, `api::retry` and `api::throttle` only.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{ApiError, ClientError};
use super::retry::{Idempotency, RetryPolicy};
use super::throttle::{Throttle, ThrottleConfig, ThrottleStats};

/// The `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("scwform/", env!("CARGO_PKG_VERSION"));

/// How to build a [`Client`].
#[derive(Clone)]
pub struct ClientConfig {
    /// API base URL, e.g. `https://api.scaleway.com` (a trailing `/` is removed).
    pub api_url: String,
    /// The secret key sent as `X-Auth-Token`; `None` sends no auth header.
    pub secret_key: Option<SecretString>,
    /// Time allowed to establish a connection (default 10 s).
    pub connect_timeout: Duration,
    /// Time allowed for a whole request, answer included (default 60 s).
    pub timeout: Duration,
    /// Retries of transient failures.
    pub retry: RetryPolicy,
    /// Requests in flight and the pace learnt from rate-limit answers.
    pub throttle: ThrottleConfig,
}

impl ClientConfig {
    /// Defaults for `api_url` with this key.
    #[must_use]
    pub fn new(api_url: impl Into<String>, secret_key: Option<SecretString>) -> Self {
        Self {
            api_url: api_url.into(),
            secret_key,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            throttle: ThrottleConfig::default(),
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("api_url", &self.api_url)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "[REDACTED]"),
            )
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("throttle", &self.throttle)
            .finish()
    }
}

/// Query parameters, in order; a key may repeat (Scaleway's form for array filters).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// No parameters.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key=value`.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl fmt::Display) -> Self {
        self.0.push((key.to_owned(), value.to_string()));
        self
    }

    /// Adds `key=value` when there is a value.
    #[must_use]
    pub fn with_opt(self, key: &str, value: Option<impl fmt::Display>) -> Self {
        match value {
            Some(v) => self.with(key, v),
            None => self,
        }
    }

    /// Adds `key=v` once per value: `project_ids=a&project_ids=b`.
    #[must_use]
    pub fn with_all<V: fmt::Display>(
        mut self,
        key: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        for v in values {
            self.0.push((key.to_owned(), v.to_string()));
        }
        self
    }

    /// The pairs.
    #[must_use]
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    fn without(&self, keys: &[&str]) -> Self {
        Self(
            self.0
                .iter()
                .filter(|(k, _)| !keys.contains(&k.as_str()))
                .cloned()
                .collect(),
        )
    }
}

/// A Scaleway API client. Cheap to clone (the connection pool is shared).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    secret_key: Option<SecretString>,
    retry: RetryPolicy,
    /// The pace of requests, shared by clones.
    throttle: Throttle,
    /// HTTP requests sent by this client and its clones (every attempt counts).
    requests: Arc<AtomicU64>,
}

/// One page of a list answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPage {
    /// The page's items, as the API sent them.
    pub items: Vec<serde_json::Value>,
    /// `total_count`: how many items match the query over all pages (0 when absent).
    pub total: u64,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "[REDACTED]"),
            )
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// The raw successful answer of one request.
struct Answer {
    status: StatusCode,
    body: Vec<u8>,
}

impl Client {
    /// Builds a client.
    ///
    /// # Errors
    /// [`ClientError::Setup`] for a malformed base URL or a TLS setup failure.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let base = config.api_url.trim_end_matches('/').to_owned();
        let url = reqwest::Url::parse(&base)
            .map_err(|e| ClientError::Setup(format!("API URL {base:?}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ClientError::Setup(format!(
                "API URL {base:?}: expected http or https"
            )));
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout);
        // The local emulator must never be reached through a corporate proxy.
        if is_loopback(&url) {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::Setup(error_chain(&e)))?;
        Ok(Self {
            http,
            base,
            secret_key: config.secret_key,
            retry: config.retry,
            throttle: Throttle::new(config.throttle),
            requests: Arc::new(AtomicU64::new(0)),
        })
    }

    /// What the throttle has seen: rate-limit refusals (all sent again), decreases, the pace.
    #[must_use]
    pub fn throttle_stats(&self) -> ThrottleStats {
        self.throttle.stats()
    }

    /// How many HTTP requests this client (and every clone of it) has sent so far, retries and
    /// status polls included: what an API rate limit counts.
    #[must_use]
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// The base URL (no trailing slash).
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The retry policy.
    #[must_use]
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// `GET path` and decode the JSON answer.
    ///
    /// # Errors
    /// See [`ClientError`].
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &Query,
    ) -> Result<T, ClientError> {
        let answer = self
            .call(Method::GET, path, query, None, Idempotency::Idempotent)
            .await?;
        decode(&Method::GET, path, &answer)
    }

    /// `POST path` that creates something; retried only when the server surely did not process
    /// it, otherwise fails with [`ClientError::OutcomeUnknown`].
    ///
    /// # Errors
    /// See [`ClientError`].
    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        self.send_json(Method::POST, path, body, Idempotency::Create)
            .await
    }

    /// `POST path` for an action that is safe to repeat (e.g. a redeploy), retried like a GET.
    ///
    /// # Errors
    /// See [`ClientError`].
    pub async fn post_idempotent<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        self.send_json(Method::POST, path, body, Idempotency::Idempotent)
            .await
    }

    /// `PATCH path` with a JSON body.
    ///
    /// # Errors
    /// See [`ClientError`].
    pub async fn patch<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        self.send_json(Method::PATCH, path, body, Idempotency::Idempotent)
            .await
    }

    /// `DELETE path`, decoding the deleted object the API returns.
    ///
    /// # Errors
    /// See [`ClientError`].
    pub async fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let answer = self
            .call(
                Method::DELETE,
                path,
                &Query::new(),
                None,
                Idempotency::Idempotent,
            )
            .await?;
        decode(&Method::DELETE, path, &answer)
    }

    /// `DELETE path` for endpoints that answer 204 with no body (any body is ignored).
    ///
    /// # Errors
    /// See [`ClientError`].
    pub async fn delete_no_content(&self, path: &str) -> Result<(), ClientError> {
        self.call(
            Method::DELETE,
            path,
            &Query::new(),
            None,
            Idempotency::Idempotent,
        )
        .await
        .map(|_| ())
    }

    /// Reads every item of a paginated list: pages `1, 2, ...` of `page_size` items from
    /// `{"<items_key>": [...], "total_count": N}` answers, until `total_count` items are read or
    /// a page comes back empty. `query` must not contain `page`/`page_size` (they are replaced).
    ///
    /// # Errors
    /// See [`ClientError`]; [`ClientError::Decode`] when an answer lacks `items_key`.
    pub async fn list_all<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &Query,
        items_key: &str,
        page_size: u32,
    ) -> Result<Vec<T>, ClientError> {
        // A server that keeps answering full pages past its own total would loop forever; no
        // real list is this long.
        const MAX_PAGES: u32 = 10_000;
        let mut items: Vec<T> = Vec::new();
        for page in 1..=MAX_PAGES {
            let answer = self
                .list_page(path, query, items_key, page, page_size)
                .await?;
            let total = answer.total;
            let empty = answer.items.is_empty();
            for item in answer.items {
                items.push(
                    serde_json::from_value(item).map_err(|e| ClientError::Decode {
                        request: format!("GET {path}"),
                        status: 200,
                        message: e.to_string(),
                    })?,
                );
            }
            if empty || items.len() as u64 >= total {
                break;
            }
        }
        Ok(items)
    }

    /// Reads page `page` (1-based) of `page_size` items of a paginated list answering
    /// `{"<items_key>": [...], "total_count": N}`. `query` must not contain `page`/`page_size`
    /// (they are replaced).
    ///
    /// # Errors
    /// See [`ClientError`]; [`ClientError::Decode`] when the answer lacks `items_key`.
    pub async fn list_page(
        &self,
        path: &str,
        query: &Query,
        items_key: &str,
        page: u32,
        page_size: u32,
    ) -> Result<ListPage, ClientError> {
        let query = query
            .without(&["page", "page_size"])
            .with("page", page)
            .with("page_size", page_size);
        let answer = self
            .call(Method::GET, path, &query, None, Idempotency::Idempotent)
            .await?;
        let request = format!("GET {path}");
        let decode_error = |message: String| ClientError::Decode {
            request: request.clone(),
            status: answer.status.as_u16(),
            message,
        };
        let mut object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&answer.body).map_err(|e| decode_error(e.to_string()))?;
        let total = object
            .get("total_count")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        let items = match object.remove(items_key) {
            Some(serde_json::Value::Array(items)) => items,
            Some(_) => return Err(decode_error(format!("`{items_key}` is not a list"))),
            None => return Err(decode_error(format!("no `{items_key}` list in the answer"))),
        };
        Ok(ListPage { items, total })
    }

    async fn send_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
        idempotency: Idempotency,
    ) -> Result<T, ClientError> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| ClientError::Setup(format!("cannot encode the request body: {e}")))?;
        let answer = self
            .call(
                method.clone(),
                path,
                &Query::new(),
                Some(bytes),
                idempotency,
            )
            .await?;
        decode(&method, path, &answer)
    }

    /// One logical call: attempts under the retry policy.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &Query,
        body: Option<Vec<u8>>,
        idempotency: Idempotency,
    ) -> Result<Answer, ClientError> {
        let attempts = std::sync::atomic::AtomicU32::new(0);
        self.retry
            .run(|| self.paced(&method, path, query, body.as_ref(), idempotency, &attempts))
            .await
    }

    /// One attempt as the retry policy counts them: sent when the throttle allows, and sent
    /// again while the API refuses it for its rate limit (for up to the throttle's patience).
    async fn paced(
        &self,
        method: &Method,
        path: &str,
        query: &Query,
        body: Option<&Vec<u8>>,
        idempotency: Idempotency,
        attempts: &std::sync::atomic::AtomicU32,
    ) -> Result<Answer, ClientError> {
        let started = tokio::time::Instant::now();
        let patience = self.throttle.config().patience;
        loop {
            let ticket = self.throttle.acquire().await;
            let n = attempts.fetch_add(1, Ordering::Relaxed) + 1;
            let result = self
                .attempt(method.clone(), path, query, body.cloned(), idempotency, n)
                .await;
            match result {
                Err(e) if e.is_rate_limited() => {
                    self.throttle.refused(ticket, e.retry_after());
                    if started.elapsed() >= patience {
                        return Err(e);
                    }
                    tracing::debug!(request = %format!("{method} {path}"), "rate limited; sending again when the pace allows");
                }
                other => {
                    self.throttle.answered(ticket);
                    return other;
                }
            }
        }
    }

    async fn attempt(
        &self,
        method: Method,
        path: &str,
        query: &Query,
        body: Option<Vec<u8>>,
        idempotency: Idempotency,
        attempt: u32,
    ) -> Result<Answer, ClientError> {
        let request = format!("{method} {path}");
        let url = format!("{}{}", self.base, path);
        let mut builder = self.http.request(method.clone(), &url);
        if !query.pairs().is_empty() {
            builder = builder.query(query.pairs());
        }
        if let Some(key) = &self.secret_key {
            let mut value = HeaderValue::from_str(key.expose_secret()).map_err(|_| {
                ClientError::Setup(
                    "the secret key contains characters not allowed in a header".into(),
                )
            })?;
            // Keeps the value out of http's own Debug output.
            value.set_sensitive(true);
            builder = builder.header("X-Auth-Token", value);
        }
        if let Some(body) = body {
            builder = builder.header(CONTENT_TYPE, "application/json").body(body);
        }
        tracing::debug!(%request, attempt, "API request");
        self.requests.fetch_add(1, Ordering::Relaxed);
        let create = idempotency == Idempotency::Create;
        let response = match builder.send().await {
            Ok(response) => response,
            Err(e) => {
                // A connection that never opened carried nothing, so even a create is safe to
                // send again; anything later may have reached the server.
                if create && !e.is_connect() {
                    return Err(ClientError::OutcomeUnknown {
                        request,
                        cause: error_chain(&e),
                    });
                }
                return Err(if e.is_timeout() {
                    ClientError::Timeout {
                        request,
                        attempts: attempt,
                    }
                } else {
                    ClientError::Transport {
                        request,
                        message: error_chain(&e),
                        attempts: attempt,
                    }
                });
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(body) => body.to_vec(),
            Err(e) => {
                // The server answered, so it has seen the request.
                if create && status.is_success() {
                    return Err(ClientError::OutcomeUnknown {
                        request,
                        cause: error_chain(&e),
                    });
                }
                return Err(if e.is_timeout() {
                    ClientError::Timeout {
                        request,
                        attempts: attempt,
                    }
                } else {
                    ClientError::Transport {
                        request,
                        message: error_chain(&e),
                        attempts: attempt,
                    }
                });
            }
        };
        tracing::debug!(%request, status = status.as_u16(), "API answer");
        if status.is_success() {
            return Ok(Answer { status, body });
        }
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let mut error = ApiError::from_response(
            request.clone(),
            status.as_u16(),
            status.canonical_reason(),
            header("x-request-id"),
            header(RETRY_AFTER.as_str()).and_then(|v| parse_retry_after(&v)),
            &body,
        );
        // Envoy marks the answers of its rate limiter, whatever their status.
        error.rate_limited |= header("x-envoy-ratelimited").is_some();
        if create && error.is_transient() && !error.was_not_processed() {
            // 500/502/504 to a create: the object may exist now.
            return Err(ClientError::OutcomeUnknown {
                request,
                cause: error.to_string(),
            });
        }
        Err(error.into())
    }
}

fn decode<T: DeserializeOwned>(
    method: &Method,
    path: &str,
    answer: &Answer,
) -> Result<T, ClientError> {
    // Endpoints answering 204 decode as `()` or an empty object.
    let body: &[u8] = if answer.body.is_empty() {
        b"null"
    } else {
        &answer.body
    };
    serde_json::from_slice(body).map_err(|e| ClientError::Decode {
        request: format!("{method} {path}"),
        status: answer.status.as_u16(),
        message: e.to_string(),
    })
}

/// `Retry-After` as seconds or as an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = date.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// An error and its causes, joined: reqwest's top-level message alone says too little.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Whether a URL points at this machine (`localhost`, `127.0.0.0/8`, `[::1]`): the local
/// emulator, which is reached without a proxy and polled without the provider's long waits.
#[must_use]
pub fn is_loopback(url: &reqwest::Url) -> bool {
    url.host_str().is_some_and(|host| {
        host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn queries_repeat_keys_for_arrays() {
        let q = Query::new()
            .with("page", 1)
            .with_all("project_ids", ["a", "b"])
            .with_opt("name", None::<&str>);
        assert_eq!(
            q.pairs(),
            &[
                ("page".to_owned(), "1".to_owned()),
                ("project_ids".to_owned(), "a".to_owned()),
                ("project_ids".to_owned(), "b".to_owned()),
            ]
        );
        assert_eq!(q.without(&["page"]).pairs().len(), 2);
    }

    #[test]
    fn bad_base_urls_are_refused() {
        assert!(Client::new(ClientConfig::new("not a url", None)).is_err());
        assert!(Client::new(ClientConfig::new("ftp://x", None)).is_err());
        let client = Client::new(ClientConfig::new("http://127.0.0.1:1/", None)).expect("valid");
        assert_eq!(client.base_url(), "http://127.0.0.1:1");
    }
}
