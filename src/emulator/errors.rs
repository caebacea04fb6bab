//! Scaleway-shaped error responses. Keys are written in alphabetical order, as the API does.
//!
//! Invariant: every error the emulator produces goes through [`ApiError`], so each shape is
//! defined once.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::api::types::error::{InvalidArgument, InvalidArgumentReason};

/// An error answer.
#[derive(Debug, Clone)]
pub(crate) enum ApiError {
    /// 404 `not_found` with `resource` / `resource_id` (account, cockpit, containers v1).
    NotFound { resource: &'static str, id: String },
    /// 404 with only a message (containers v1beta1 tokens, functions v1beta1).
    LegacyNotFound(&'static str),
    /// 400 `invalid_arguments`.
    InvalidArguments(Vec<InvalidArgument>),
    /// 403 `permissions_denied`.
    PermissionsDenied {
        resource: &'static str,
        action: &'static str,
    },
    /// 412 `precondition_failed`.
    PreconditionFailed {
        precondition: &'static str,
        help: String,
    },
    /// 409 `transient_state`.
    TransientState {
        resource: &'static str,
        id: String,
        state: String,
    },
    /// 409 `already_exists`.
    AlreadyExists {
        resource: &'static str,
        id: String,
        help: String,
    },
    /// 401 `denied_authentication` (`reason`: `invalid_argument` or `not_found`).
    DeniedAuthentication(&'static str),
    /// Any status with a bare message (injected faults, unknown routes).
    Message(StatusCode, &'static str),
}

impl ApiError {
    /// One invalid argument.
    pub(crate) fn invalid(
        argument: &str,
        reason: InvalidArgumentReason,
        help: impl Into<String>,
    ) -> Self {
        Self::InvalidArguments(vec![InvalidArgument {
            argument_name: argument.to_owned(),
            help_message: help.into(),
            reason,
        }])
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound { .. } | Self::LegacyNotFound(_) => StatusCode::NOT_FOUND,
            Self::InvalidArguments(_) => StatusCode::BAD_REQUEST,
            Self::PermissionsDenied { .. } => StatusCode::FORBIDDEN,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::TransientState { .. } | Self::AlreadyExists { .. } => StatusCode::CONFLICT,
            Self::DeniedAuthentication(_) => StatusCode::UNAUTHORIZED,
            Self::Message(status, _) => *status,
        }
    }

    /// The JSON body.
    pub(crate) fn body(&self) -> serde_json::Value {
        match self {
            Self::NotFound { resource, id } => json!({
                "message": "resource is not found",
                "resource": resource,
                "resource_id": id,
                "type": "not_found",
            }),
            Self::LegacyNotFound(message) | Self::Message(_, message) => {
                json!({ "message": message })
            }
            Self::InvalidArguments(details) => json!({
                "details": details,
                "message": "invalid argument(s)",
                "type": "invalid_arguments",
            }),
            Self::PermissionsDenied { resource, action } => json!({
                "details": [{ "action": action, "resource": resource }],
                "message": "insufficient permissions",
                "type": "permissions_denied",
            }),
            Self::PreconditionFailed { precondition, help } => json!({
                "help_message": help,
                "message": "precondition is not respected",
                "precondition": precondition,
                "type": "precondition_failed",
            }),
            Self::TransientState {
                resource,
                id,
                state,
            } => json!({
                "current_state": state,
                "message": "resource is in a transient state",
                "resource": resource,
                "resource_id": id,
                "type": "transient_state",
            }),
            Self::AlreadyExists { resource, id, help } => json!({
                "help_message": help,
                "message": "resource already exists",
                "resource": resource,
                "resource_id": id,
                "type": "already_exists",
            }),
            Self::DeniedAuthentication(reason) => json!({
                "message": "authentication is denied",
                "method": "api_key",
                "reason": reason,
                "type": "denied_authentication",
            }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status(), self.body().to_string().into_bytes())
    }
}

/// The message of an error answer that only has a status: those the HTTP layer gives (a
/// method a path does not take, a body, URI or headers too large, an unparsable request) and
/// the gateway's 5xx. `None` for other statuses.
pub(crate) fn status_message(status: StatusCode) -> Option<&'static str> {
    Some(match status.as_u16() {
        400 => "bad request",
        405 => "method not allowed",
        413 => "request entity too large",
        414 => "request URI too long",
        431 => "request header fields too large",
        500 => "internal server error",
        502 => "bad gateway",
        503 => "service unavailable",
        504 => "gateway timeout",
        _ => return None,
    })
}

/// A JSON response from already-serialized bytes.
pub(crate) fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_body_matches_the_recorded_shape() {
        let e = ApiError::NotFound {
            resource: "namespace",
            id: "643b8707-3a02-4327-9628-e7b41a628952".into(),
        };
        assert_eq!(
            e.body().to_string(),
            r#"{"message":"resource is not found","resource":"namespace","resource_id":"643b8707-3a02-4327-9628-e7b41a628952","type":"not_found"}"#
        );
        assert_eq!(e.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn legacy_not_found_has_no_type() {
        let e = ApiError::LegacyNotFound("Token was not found");
        assert_eq!(e.body().to_string(), r#"{"message":"Token was not found"}"#);
    }
}
