//! Error bodies. Every shape has `message`; `type` selects the rest. The v1beta1 products
//! (container tokens, everything under `/functions/v1beta1`) answer 404 with a bare
//! `{"message": …}`, so clients must classify by HTTP status first.

use serde::{Deserialize, Serialize};

/// Any error body, as a client reads it: every field optional so that unknown shapes parse.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Human-readable summary (always present in practice).
    #[serde(default)]
    pub message: String,
    /// The shape: `not_found`, `invalid_arguments`, `permissions_denied`, … (absent on legacy
    /// 404s).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The kind of resource concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The resource concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    /// `transient_state`: the state the resource is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// `precondition_failed`: which precondition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precondition: Option<String>,
    /// Extra help.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_message: Option<String>,
    /// `denied_authentication`: `api_key`, `jwt`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// `denied_authentication`: `invalid_argument`, `not_found`, `expired`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `invalid_arguments` / `permissions_denied` / `quotas_exceeded` details, kept raw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

/// One rejected argument of an `invalid_arguments` error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidArgument {
    /// The field (or query/path parameter) name.
    pub argument_name: String,
    /// Why, in words.
    pub help_message: String,
    /// Why, as a code.
    pub reason: InvalidArgumentReason,
}

/// Why an argument was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvalidArgumentReason {
    /// Missing.
    Required,
    /// Malformed (syntax, pattern, enum value).
    Format,
    /// Well-formed but out of range (length, bounds, combination).
    Constraint,
    /// Unspecified; also any value this version does not know.
    #[serde(other)]
    Unknown,
}

/// One denied permission of a `permissions_denied` error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionDenied {
    /// The action (`read`, `write`, …).
    pub action: String,
    /// The product or resource (`cockpit`, …).
    pub resource: String,
}
