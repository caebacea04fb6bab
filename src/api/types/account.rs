//! Account v3: projects (`/account/v3/projects`, global).

use serde::{Deserialize, Serialize};

use super::common::{OrganizationId, ProjectId, rfc3339};

/// `POST /account/v3/projects`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateProjectRequest {
    /// 1–64 characters of `[a-zA-Z0-9._\- ]`.
    pub name: String,
    /// The organization that will own the project.
    pub organization_id: OrganizationId,
    /// Up to 200 characters; the Go SDK always sends it (`""`).
    #[serde(default)]
    pub description: Option<String>,
}

/// `PATCH /account/v3/projects/{project_id}`: absent fields are left unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateProjectRequest {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What a project is used for. Only the architecture type is modelled; other members of the
/// oneof are kept as raw JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Qualification {
    /// The declared architecture.
    pub architecture_type: ArchitectureType,
    /// Other members of the qualification oneof, as sent by the server.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// `qualification.architecture_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchitectureType {
    /// Object storage.
    ObjectStorage,
    /// Web hosting.
    WebHosting,
    /// Instances.
    Instances,
    /// Elastic Metal.
    ElasticMetal,
    /// Kubernetes.
    Kubernetes,
    /// Serverless.
    Serverless,
    /// Dedicated servers.
    DedicatedServer,
    /// Something else.
    OtherArchitectureType,
    /// Not declared (what every recorded project shows); also any value this version does not
    /// know.
    #[default]
    #[serde(rename = "unknown_architecture_type", other)]
    Unknown,
}

/// A project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// Its ID (the default project's ID equals the organization's).
    pub id: ProjectId,
    /// Its name.
    pub name: String,
    /// The owning organization.
    pub organization_id: OrganizationId,
    /// Creation time.
    #[serde(with = "rfc3339")]
    pub created_at: jiff::Timestamp,
    /// Last update time.
    #[serde(with = "rfc3339")]
    pub updated_at: jiff::Timestamp,
    /// `""` when unset.
    #[serde(default)]
    pub description: String,
    /// `null` in POST and PATCH responses, an object in GET and list responses; absent from
    /// responses recorded before 2025.
    #[serde(default)]
    pub qualification: Option<Qualification>,
}

/// `GET /account/v3/projects`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListProjectsResponse {
    /// Number of projects matching the filters (all pages).
    pub total_count: u64,
    /// This page.
    #[serde(default)]
    pub projects: Vec<Project>,
}
