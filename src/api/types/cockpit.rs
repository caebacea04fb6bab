//! Cockpit v1: regional tokens (`/cockpit/v1/regions/{region}/tokens`).

use serde::{Deserialize, Serialize};

use super::common::{ProjectId, Secret, TokenId, rfc3339};

/// What a Cockpit token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Read metrics.
    ReadOnlyMetrics,
    /// Push metrics.
    WriteOnlyMetrics,
    /// Manage metric rules.
    FullAccessMetricsRules,
    /// Read logs.
    ReadOnlyLogs,
    /// Push logs.
    WriteOnlyLogs,
    /// Manage log rules.
    FullAccessLogsRules,
    /// Manage the alert manager.
    FullAccessAlertManager,
    /// Read traces.
    ReadOnlyTraces,
    /// Push traces.
    WriteOnlyTraces,
    /// Not set; also any value this version does not know.
    #[serde(rename = "unknown_scope", other)]
    Unknown,
}

impl TokenScope {
    /// Every known scope except `unknown_scope`, in the API's declaration order.
    pub const ALL: [Self; 9] = [
        Self::ReadOnlyMetrics,
        Self::WriteOnlyMetrics,
        Self::FullAccessMetricsRules,
        Self::ReadOnlyLogs,
        Self::WriteOnlyLogs,
        Self::FullAccessLogsRules,
        Self::FullAccessAlertManager,
        Self::ReadOnlyTraces,
        Self::WriteOnlyTraces,
    ];

    /// The wire spelling.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown_scope",
            Self::ReadOnlyMetrics => "read_only_metrics",
            Self::WriteOnlyMetrics => "write_only_metrics",
            Self::FullAccessMetricsRules => "full_access_metrics_rules",
            Self::ReadOnlyLogs => "read_only_logs",
            Self::WriteOnlyLogs => "write_only_logs",
            Self::FullAccessLogsRules => "full_access_logs_rules",
            Self::FullAccessAlertManager => "full_access_alert_manager",
            Self::ReadOnlyTraces => "read_only_traces",
            Self::WriteOnlyTraces => "write_only_traces",
        }
    }
}

/// `POST /cockpit/v1/regions/{region}/tokens`. Note the request key `token_scopes`; responses
/// call it `scopes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateTokenRequest {
    /// The project the token belongs to.
    pub project_id: ProjectId,
    /// 3–50 characters of `[A-Za-z0-9-_]`.
    pub name: String,
    /// What the token may do.
    #[serde(default)]
    pub token_scopes: Vec<TokenScope>,
}

/// A Cockpit token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Token {
    /// Creation time.
    #[serde(with = "rfc3339")]
    pub created_at: jiff::Timestamp,
    /// Its ID.
    pub id: TokenId,
    /// Its name.
    pub name: String,
    /// Its project.
    pub project_id: ProjectId,
    /// Its region.
    pub region: String,
    /// What it may do (the server chooses the order).
    #[serde(default)]
    pub scopes: Vec<TokenScope>,
    /// The secret: only in the creation response, `null` afterwards.
    #[serde(default)]
    pub secret_key: Option<Secret>,
    /// Last update time.
    #[serde(with = "rfc3339")]
    pub updated_at: jiff::Timestamp,
}

/// `GET /cockpit/v1/regions/{region}/tokens`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListTokensResponse {
    /// Number of tokens matching the filters (all pages).
    pub total_count: u64,
    /// This page.
    #[serde(default)]
    pub tokens: Vec<Token>,
}
