//! `/_emulator/…`: the admin surface (no authentication; loopback use only). Separate from the
//! Scaleway paths and never subject to injected faults.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::{AppStateRef, no_content, ok};
use crate::api::types::error::InvalidArgumentReason as Reason;
use crate::api::types::{ContainerId, OrganizationId, ProjectId};
use crate::emulator::errors::ApiError;
use crate::emulator::faults::{FaultConfig, TargetedFault};
use crate::emulator::{AppState, Settle};

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/reset", post(reset))
        .route("/store", get(dump))
        .route("/faults", get(get_faults).put(put_faults))
        .route("/faults/targeted", post(add_targeted))
        .route("/faults/counts", get(get_fault_counts))
        .route("/settle", get(get_settle).put(put_settle))
        .route("/containers/{container_id}/error", post(force_error))
        .route("/api-keys", post(add_key))
}

fn bad_body(e: &serde_json::Error) -> ApiError {
    ApiError::invalid("body", Reason::Format, e.to_string())
}

fn parse<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| bad_body(&e))
}

async fn reset(State(st): AppStateRef) -> Response {
    st.reset();
    no_content()
}

async fn dump(State(st): AppStateRef) -> Response {
    ok(&st.read().redacted_dump())
}

async fn get_faults(State(st): AppStateRef) -> Response {
    ok(&st.faults.config())
}

async fn get_fault_counts(State(st): AppStateRef) -> Response {
    ok(&st.faults.counts())
}

async fn put_faults(State(st): AppStateRef, body: Bytes) -> Result<Response, ApiError> {
    let config: FaultConfig = parse(&body)?;
    st.faults.set(config);
    Ok(ok(&st.faults.config()))
}

async fn add_targeted(State(st): AppStateRef, body: Bytes) -> Result<Response, ApiError> {
    let fault: TargetedFault = parse(&body)?;
    st.faults.add_targeted(fault);
    Ok(ok(&st.faults.config()))
}

async fn get_settle(State(st): AppStateRef) -> Response {
    ok(&*st
        .settle
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner))
}

async fn put_settle(State(st): AppStateRef, body: Bytes) -> Result<Response, ApiError> {
    let settle: Settle = parse(&body)?;
    *st.settle
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = settle;
    Ok(ok(&settle))
}

#[derive(Deserialize)]
struct ForceError {
    #[serde(default = "default_error_message")]
    error_message: String,
}

fn default_error_message() -> String {
    "Container is unable to start OR is not listening on port 8080".to_owned()
}

async fn force_error(
    State(st): AppStateRef,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let cid: ContainerId = id
        .parse()
        .map_err(|_| ApiError::invalid("container_id", Reason::Format, "must be a UUID"))?;
    let req: ForceError = parse(&body)?;
    let now = st.now();
    let container = {
        let mut store = st.write();
        let rec = store
            .containers
            .get_mut(&cid)
            .ok_or_else(|| ApiError::NotFound {
                resource: "container",
                id: id.clone(),
            })?;
        rec.pending = None;
        rec.container.status = crate::api::types::containers::ContainerStatus::Error;
        rec.container.error_message = Some(req.error_message);
        rec.container.updated_at = now;
        rec.container.clone()
    };
    st.persist();
    Ok(ok(&container))
}

#[derive(Deserialize)]
struct NewKey {
    secret_key: Option<String>,
    access_key: Option<String>,
    organization_id: Option<OrganizationId>,
}

async fn add_key(State(st): AppStateRef, Json(req): Json<NewKey>) -> Result<Response, ApiError> {
    let secret = req
        .secret_key
        .unwrap_or_else(|| st.ids.next_id().to_string());
    if uuid::Uuid::parse_str(&secret).is_err() {
        return Err(ApiError::invalid(
            "secret_key",
            Reason::Format,
            "secret keys are UUIDs",
        ));
    }
    let org = req
        .organization_id
        .unwrap_or_else(|| OrganizationId(st.ids.next_id()));
    let access = req.access_key.unwrap_or_else(|| {
        let hex = org.0.simple().to_string().to_uppercase();
        format!("SCW{}", &hex[..17])
    });
    st.write().add_key(&secret, &access, org, st.now());
    st.persist();
    Ok(ok(&serde_json::json!({
        "secret_key": secret,
        "access_key": access,
        "organization_id": org,
        "default_project_id": ProjectId(org.0),
    })))
}
