//! The axum router: Scaleway paths (behind the fault layer) and the `/_emulator/` admin surface,
//! plus what every handler shares (authentication, bodies, JSON answers).

mod account;
mod admin;
mod cockpit;
mod containers;
mod functions;
mod namespaces;
mod tokens;

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::AppState;
use super::errors::{ApiError, json_response, status_message};
use super::faults::Decision;
use crate::api::types::OrganizationId;

pub(crate) type AppStateRef = State<Arc<AppState>>;

/// The whole application.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .merge(account::routes())
        .merge(cockpit::routes())
        .merge(containers::routes())
        .merge(tokens::routes())
        .merge(functions::routes())
        .fallback(unknown_route)
        .layer(middleware::from_fn_with_state(state.clone(), api_layer));
    Router::new()
        .nest("/_emulator", admin::routes())
        .merge(api)
        .layer(middleware::map_response(json_errors))
        .with_state(state)
}

/// Answers of axum's own (405 for a method a path does not take, 413 for a body over the
/// limit, 400 for an unreadable body) come as plain text or empty: give them a Scaleway-shaped
/// JSON body instead, keeping their status and headers (`Allow`). Answers that already have a
/// JSON body are left alone.
async fn json_errors(res: Response) -> Response {
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let status = res.status();
    let Some(message) = status_message(status).filter(|_| status.is_client_error() && !is_json)
    else {
        return res;
    };
    let (mut parts, _) = res.into_parts();
    let fixed = ApiError::Message(status, message).into_response();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    let (fixed_parts, body) = fixed.into_parts();
    parts.headers.extend(fixed_parts.headers);
    Response::from_parts(parts, body)
}

async fn unknown_route() -> ApiError {
    ApiError::Message(StatusCode::NOT_FOUND, "route not found")
}

/// Gateway behaviour: faults, then the standard response headers.
async fn api_layer(State(state): AppStateRef, req: Request, next: Next) -> Response {
    let key = req
        .headers()
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let (delay, decision) = state
        .faults
        .decide(req.method().as_str(), req.uri().path(), &key);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut res = match decision {
        Decision::Pass => next.run(req).await,
        Decision::Status(status) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let message = status_message(status).unwrap_or("injected fault");
            ApiError::Message(status, message).into_response()
        }
        Decision::RateLimited => {
            // The gateway's own 429: no body, no Content-Type, no Retry-After.
            let mut res = StatusCode::TOO_MANY_REQUESTS.into_response();
            res.headers_mut()
                .insert("x-envoy-ratelimited", HeaderValue::from_static("true"));
            res
        }
        Decision::Drop => return dropped(),
        Decision::CommitThenDrop => {
            let _ = next.run(req).await;
            return dropped();
        }
    };
    let headers = res.headers_mut();
    headers.insert(
        "server",
        HeaderValue::from_static("Scaleway API Gateway (scwform-emulator)"),
    );
    if let Ok(v) = HeaderValue::from_str(&request_id().to_string()) {
        headers.insert("x-request-id", v);
    }
    res
}

fn request_id() -> uuid::Uuid {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    uuid::Uuid::from_u128(0xe000_0000_0000_4000_8000_0000_0000_0000 | u128::from(n))
}

/// A response whose body fails at once: hyper then closes the connection before anything is
/// written, so the client sees the connection drop without an answer.
fn dropped() -> Response {
    Response::new(Body::new(FailingBody))
}

struct FailingBody;

impl http_body::Body for FailingBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "connection dropped by fault injection",
        ))))
    }
}

/// The authenticated caller.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller {
    pub(crate) org: OrganizationId,
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let Some(key) = parts
            .headers
            .get("x-auth-token")
            .and_then(|v| v.to_str().ok())
        else {
            return Err(ApiError::DeniedAuthentication("invalid_argument"));
        };
        if uuid::Uuid::parse_str(key).is_err() {
            return Err(ApiError::DeniedAuthentication("invalid_argument"));
        }
        state
            .read()
            .api_keys
            .get(key)
            .map(|k| Self {
                org: k.organization_id,
            })
            .ok_or(ApiError::DeniedAuthentication("not_found"))
    }
}

/// 200 with a JSON body.
pub(crate) fn ok<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => json_response(StatusCode::OK, bytes),
        Err(_) => ApiError::Message(StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
            .into_response(),
    }
}

/// 204 with no body.
pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}
