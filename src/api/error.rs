//! Errors of the API client: Scaleway's error bodies ([`ApiError`]) and everything else that can
//! go wrong with a call ([`ClientError`]), with the classifications callers act on.
//!
//! Scaleway error bodies are JSON objects with a `message` and usually a `type` selecting extra
//! fields; legacy v1beta1 products answer 404 with a bare `{"message": ...}`, and the gateway's
//! 429 has no body at all. All of these parse; classification goes by HTTP status first.
//!
//! Invariant: no request header (so no secret) is ever copied into an error.
//! Depends on nothing else in the crate.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Deserialize;

/// One entry of an error's `details` (invalid arguments, denied permissions, quotas).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ErrorDetail {
    /// `invalid_arguments`: the argument.
    #[serde(default)]
    pub argument_name: Option<String>,
    /// `invalid_arguments`: `unknown`, `required`, `format` or `constraint`.
    #[serde(default)]
    pub reason: Option<String>,
    /// A hint from the API.
    #[serde(default)]
    pub help_message: Option<String>,
    /// `permissions_denied` / `quotas_exceeded`: the resource.
    #[serde(default)]
    pub resource: Option<String>,
    /// `permissions_denied`: the action (`read`, `write`...).
    #[serde(default)]
    pub action: Option<String>,
    /// Other fields (`quota`, `current`...).
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(arg) = &self.argument_name {
            parts.push(format!("argument `{arg}`"));
        }
        if let Some(resource) = &self.resource {
            parts.push(format!("resource `{resource}`"));
        }
        if let Some(action) = &self.action {
            parts.push(format!("action `{action}`"));
        }
        if let Some(reason) = &self.reason {
            parts.push(reason.clone());
        }
        if let Some(help) = &self.help_message {
            parts.push(help.clone());
        }
        for (k, v) in &self.other {
            parts.push(format!("{k}={v}"));
        }
        f.write_str(&parts.join(", "))
    }
}

#[derive(Deserialize, Default)]
struct Body {
    message: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    resource: Option<String>,
    resource_id: Option<String>,
    #[serde(default)]
    details: Vec<ErrorDetail>,
    precondition: Option<String>,
    help_message: Option<String>,
    current_state: Option<String>,
    method: Option<String>,
    reason: Option<String>,
}

/// An HTTP error answer from the API.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The request, as `METHOD /path` (no query, no headers).
    pub request: String,
    /// HTTP status code.
    pub status: u16,
    /// Scaleway's error `type` (`not_found`, `invalid_arguments`...), absent on legacy bodies.
    pub kind: Option<String>,
    /// Scaleway's `message`, or the HTTP status line when the body has none.
    pub message: String,
    /// The resource kind concerned.
    pub resource: Option<String>,
    /// The resource's ID.
    pub resource_id: Option<String>,
    /// Per-argument or per-permission details.
    pub details: Vec<ErrorDetail>,
    /// `precondition_failed`: which precondition.
    pub precondition: Option<String>,
    /// A hint from the API.
    pub help_message: Option<String>,
    /// `transient_state`: the resource's state.
    pub current_state: Option<String>,
    /// `denied_authentication`: the auth method.
    pub method: Option<String>,
    /// `denied_authentication`: why.
    pub reason: Option<String>,
    /// `X-Request-Id`, for Scaleway support.
    pub request_id: Option<String>,
    /// The `Retry-After` header, when present.
    pub retry_after: Option<Duration>,
    /// Refused for the rate limit: a 429, or any answer marked `X-Envoy-Ratelimited` (set by
    /// the client from the header).
    pub rate_limited: bool,
}

impl ApiError {
    /// Builds the error from a response's parts. `reason` is the status line's reason phrase.
    #[must_use]
    pub fn from_response(
        request: String,
        status: u16,
        reason: Option<&str>,
        request_id: Option<String>,
        retry_after: Option<Duration>,
        body: &[u8],
    ) -> Self {
        let status_line = match reason {
            Some(reason) => format!("{status} {reason}"),
            None => status.to_string(),
        };
        // Bodies that are not JSON objects (empty gateway answers, HTML pages) carry nothing we
        // can rely on; the status line says it all.
        let parsed: Body = serde_json::from_slice(body).unwrap_or_default();
        Self {
            request,
            status,
            kind: parsed.kind,
            message: parsed
                .message
                .filter(|m| !m.is_empty())
                .unwrap_or(status_line),
            resource: parsed.resource,
            resource_id: parsed.resource_id,
            details: parsed.details,
            precondition: parsed.precondition,
            help_message: parsed.help_message,
            current_state: parsed.current_state,
            method: parsed.method,
            reason: parsed.reason,
            request_id,
            retry_after,
            rate_limited: status == 429,
        }
    }

    /// A 404, whatever the body says (legacy products send no `type`), or a `not_found` type.
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        self.status == 404 || self.kind.as_deref() == Some("not_found")
    }

    /// Worth retrying later: 429, and 5xx except 501 (not implemented will not change).
    #[must_use]
    pub fn is_transient(&self) -> bool {
        self.rate_limited || self.status == 429 || (self.status >= 500 && self.status != 501)
    }

    /// Refused for the rate limit (429, or `X-Envoy-Ratelimited`): not carried out, and worth
    /// sending again once the pace allows.
    #[must_use]
    pub fn is_rate_limited(&self) -> bool {
        self.rate_limited
    }

    /// A 403 for missing permissions (not a quota), e.g. while IAM propagates after a project
    /// is created.
    #[must_use]
    pub fn is_permission_denied(&self) -> bool {
        self.status == 403 && matches!(self.kind.as_deref(), None | Some("permissions_denied"))
    }

    /// Answers that prove the server did not process the request (rate limited, unavailable), so
    /// even a create may be sent again.
    #[must_use]
    pub fn was_not_processed(&self) -> bool {
        self.rate_limited || matches!(self.status, 429 | 503)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed with HTTP {}", self.request, self.status)?;
        if let Some(kind) = &self.kind {
            write!(f, " ({kind})")?;
        }
        write!(f, ": {}", self.message)?;
        match (&self.resource, &self.resource_id) {
            (Some(r), Some(id)) => write!(f, " [{r} {id}]")?,
            (Some(r), None) => write!(f, " [{r}]")?,
            (None, Some(id)) => write!(f, " [{id}]")?,
            (None, None) => {}
        }
        if let Some(state) = &self.current_state {
            write!(f, "; current state: {state}")?;
        }
        if let Some(p) = &self.precondition {
            write!(f, "; precondition: {p}")?;
        }
        if let Some(reason) = &self.reason {
            write!(f, "; reason: {reason}")?;
        }
        if let Some(help) = &self.help_message {
            write!(f, "; {help}")?;
        }
        for detail in &self.details {
            write!(f, "; {detail}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// Everything an API call can end with other than success.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ClientError {
    /// The API answered with an error status.
    #[error("{0}")]
    #[diagnostic(code(scw::api::error))]
    Api(Box<ApiError>),
    /// No answer: the connection failed or broke (after any retries).
    #[error("{request} failed after {attempts} attempt(s): {message}")]
    #[diagnostic(code(scw::api::transport))]
    Transport {
        /// `METHOD /path`.
        request: String,
        /// What went wrong, with its causes.
        message: String,
        /// How many times the request was sent.
        attempts: u32,
    },
    /// No answer in time (after any retries).
    #[error("{request} timed out after {attempts} attempt(s)")]
    #[diagnostic(code(scw::api::timeout))]
    Timeout {
        /// `METHOD /path`.
        request: String,
        /// How many times the request was sent.
        attempts: u32,
    },
    /// A request that creates something may or may not have been carried out (the connection
    /// broke or timed out after it was sent, or a gateway error hid the answer). It was not
    /// repeated: look the object up (by name) before trying again.
    #[error(
        "{request}: the outcome is unknown ({cause}); the object may have been created, so it was not retried"
    )]
    #[diagnostic(
        code(scw::api::outcome_unknown),
        help("look the object up by name before creating it again")
    )]
    OutcomeUnknown {
        /// `METHOD /path`.
        request: String,
        /// What hid the outcome.
        cause: String,
    },
    /// A success answer whose body is not what was expected.
    #[error("{request}: cannot read the answer (HTTP {status}): {message}")]
    #[diagnostic(code(scw::api::decode))]
    Decode {
        /// `METHOD /path`.
        request: String,
        /// HTTP status.
        status: u16,
        /// What the JSON reader said.
        message: String,
    },
    /// The client could not be built or a request could not be formed.
    #[error("invalid API client setup: {0}")]
    #[diagnostic(code(scw::api::setup))]
    Setup(String),
    /// A wait for a resource to settle ran out of time.
    #[error("timeout after {waited:?} waiting for {what} (still {status})")]
    #[diagnostic(code(scw::api::wait_timeout))]
    WaitTimeout {
        /// What was waited for.
        what: String,
        /// How long.
        waited: Duration,
        /// The last status seen.
        status: String,
    },
}

impl From<ApiError> for ClientError {
    fn from(e: ApiError) -> Self {
        Self::Api(Box::new(e))
    }
}

impl ClientError {
    /// The API's error answer, if that is what this is.
    #[must_use]
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The object does not exist (HTTP 404).
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        self.api().is_some_and(ApiError::is_not_found)
    }

    /// Trying again later may succeed: 429, 5xx except 501, transport errors and timeouts.
    /// An [`OutcomeUnknown`](Self::OutcomeUnknown) is deliberately not transient.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Api(e) => e.is_transient(),
            Self::Transport { .. } | Self::Timeout { .. } => true,
            _ => false,
        }
    }

    /// A 403 for missing permissions.
    #[must_use]
    pub fn is_permission_denied(&self) -> bool {
        self.api().is_some_and(ApiError::is_permission_denied)
    }

    /// A create that may have happened; see [`OutcomeUnknown`](Self::OutcomeUnknown).
    #[must_use]
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Self::OutcomeUnknown { .. })
    }

    /// Refused for the rate limit; see [`ApiError::is_rate_limited`].
    #[must_use]
    pub fn is_rate_limited(&self) -> bool {
        self.api().is_some_and(ApiError::is_rate_limited)
    }

    /// The `Retry-After` the API asked for, if any.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.api().and_then(|e| e.retry_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(status: u16, body: &str) -> ApiError {
        ApiError::from_response(
            "GET /x".into(),
            status,
            Some("Reason"),
            None,
            None,
            body.as_bytes(),
        )
    }

    #[test]
    fn typed_not_found_bodies_keep_their_fields() {
        let e = parse(
            404,
            r#"{"message":"resource is not found","resource":"namespace","resource_id":"643b","type":"not_found"}"#,
        );
        assert!(e.is_not_found());
        assert_eq!(e.kind.as_deref(), Some("not_found"));
        assert_eq!(
            e.to_string(),
            "GET /x failed with HTTP 404 (not_found): resource is not found [namespace 643b]"
        );
    }

    #[test]
    fn legacy_and_empty_bodies_parse() {
        let e = parse(404, r#"{"message":"Token was not found"}"#);
        assert!(e.is_not_found());
        assert_eq!(e.kind, None);
        assert_eq!(e.message, "Token was not found");
        let e = parse(429, "");
        assert_eq!(e.message, "429 Reason");
        assert!(e.is_transient());
        let e = parse(502, "<html>bad gateway</html>");
        assert_eq!(e.message, "502 Reason");
    }

    #[test]
    fn details_and_preconditions_are_shown() {
        let e = parse(
            400,
            r#"{"details":[{"argument_name":"name","help_message":"too long","reason":"constraint"}],"message":"invalid argument(s)","type":"invalid_arguments"}"#,
        );
        assert_eq!(
            e.to_string(),
            "GET /x failed with HTTP 400 (invalid_arguments): invalid argument(s); argument `name`, constraint, too long"
        );
        let e = parse(
            412,
            r#"{"help_message":"retry later","message":"precondition is not respected","precondition":"resource_not_usable","type":"precondition_failed"}"#,
        );
        assert_eq!(e.precondition.as_deref(), Some("resource_not_usable"));
    }

    #[test]
    fn classification_follows_the_status() {
        assert!(!parse(501, "").is_transient());
        assert!(parse(500, "").is_transient());
        assert!(
            parse(
                403,
                r#"{"message":"insufficient permissions","type":"permissions_denied"}"#
            )
            .is_permission_denied()
        );
        assert!(
            !parse(403, r#"{"message":"quota","type":"quotas_exceeded"}"#).is_permission_denied()
        );
        assert!(parse(503, "").was_not_processed());
        assert!(!parse(502, "").was_not_processed());
    }
}
