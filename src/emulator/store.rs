//! The in-memory store: one table per object kind, each record holding its wire form plus what
//! the API never shows (plaintext secrets, the owning organization, the pending lifecycle step).
//!
//! Invariants: tables are `IndexMap`s in creation order, so dumps and ties in sorting are
//! deterministic; a record's `pending` step is applied only through [`Record::finish`].

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::api::types::account::Project;
use crate::api::types::{
    ContainerId, FunctionId, NamespaceId, OrganizationId, ProjectId, Secret, TokenId, cockpit,
    containers, functions, redacting,
};

/// Where a transient status leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Target {
    /// The kind's steady status (`ready`).
    Ready,
    /// `error` with this message.
    Error(String),
    /// The object disappears (end of a delete).
    Gone,
}

/// A transient status in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Pending {
    pub(crate) target: Target,
    /// Reads still answered with the transient status (deterministic mode).
    pub(crate) reads_left: u32,
    /// When the step completes (timed mode).
    pub(crate) due: jiff::Timestamp,
}

/// An API key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ApiKey {
    pub(crate) access_key: String,
    pub(crate) organization_id: OrganizationId,
}

/// A Cockpit token and its secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CockpitTokenRec {
    pub(crate) token: cockpit::Token,
    pub(crate) secret_key: Secret,
    pub(crate) organization_id: OrganizationId,
}

/// A containers v1 namespace.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct NamespaceRec {
    pub(crate) ns: containers::Namespace,
    pub(crate) secrets: BTreeMap<String, Secret>,
    pub(crate) pending: Option<Pending>,
}

/// A containers v1 container.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ContainerRec {
    pub(crate) container: containers::Container,
    pub(crate) secrets: BTreeMap<String, Secret>,
    pub(crate) organization_id: OrganizationId,
    pub(crate) project_id: ProjectId,
    pub(crate) pending: Option<Pending>,
}

/// A container or function token (v1beta1).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct TokenRec {
    pub(crate) id: TokenId,
    /// The container or function the token is scoped to, if any.
    pub(crate) scope_id: Option<uuid::Uuid>,
    pub(crate) namespace_id: NamespaceId,
    pub(crate) scoped_to_namespace: bool,
    pub(crate) organization_id: OrganizationId,
    pub(crate) project_id: ProjectId,
    pub(crate) region: String,
    pub(crate) status: containers::TokenStatus,
    pub(crate) description: String,
    pub(crate) expires_at: Option<jiff::Timestamp>,
    pub(crate) created_at: jiff::Timestamp,
    pub(crate) jwt: Secret,
    pub(crate) pending: Option<Pending>,
}

/// A functions namespace.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FnNamespaceRec {
    pub(crate) ns: functions::Namespace,
    pub(crate) secrets: BTreeMap<String, Secret>,
    pub(crate) pending: Option<Pending>,
}

/// A function.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FunctionRec {
    pub(crate) function: functions::Function,
    pub(crate) organization_id: OrganizationId,
    pub(crate) project_id: ProjectId,
    pub(crate) pending: Option<Pending>,
}

/// Everything the emulator knows.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Store {
    pub(crate) api_keys: IndexMap<String, ApiKey>,
    pub(crate) organizations: IndexMap<OrganizationId, jiff::Timestamp>,
    pub(crate) projects: IndexMap<ProjectId, Project>,
    pub(crate) cockpit_tokens: IndexMap<TokenId, CockpitTokenRec>,
    pub(crate) namespaces: IndexMap<NamespaceId, NamespaceRec>,
    pub(crate) containers: IndexMap<ContainerId, ContainerRec>,
    pub(crate) container_tokens: IndexMap<TokenId, TokenRec>,
    pub(crate) function_namespaces: IndexMap<NamespaceId, FnNamespaceRec>,
    pub(crate) functions: IndexMap<FunctionId, FunctionRec>,
    pub(crate) function_tokens: IndexMap<TokenId, TokenRec>,
}

impl std::fmt::Debug for Store {
    // The API keys are the map's keys: show counts only, never the keys.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("api_keys", &self.api_keys.len())
            .field("organizations", &self.organizations.len())
            .field("projects", &self.projects.len())
            .field("cockpit_tokens", &self.cockpit_tokens.len())
            .field("namespaces", &self.namespaces.len())
            .field("containers", &self.containers.len())
            .field("container_tokens", &self.container_tokens.len())
            .field("function_namespaces", &self.function_namespaces.len())
            .field("functions", &self.functions.len())
            .field("function_tokens", &self.function_tokens.len())
            .finish()
    }
}

impl Store {
    /// Adds an organization with its default project (named `default`, same UUID) if new, and
    /// the key.
    pub(crate) fn add_key(
        &mut self,
        secret_key: &str,
        access_key: &str,
        organization_id: OrganizationId,
        now: jiff::Timestamp,
    ) {
        self.api_keys.insert(
            secret_key.to_owned(),
            ApiKey {
                access_key: access_key.to_owned(),
                organization_id,
            },
        );
        if !self.organizations.contains_key(&organization_id) {
            self.organizations.insert(organization_id, now);
            let id = ProjectId(organization_id.0);
            self.projects.insert(
                id,
                Project {
                    id,
                    name: "default".to_owned(),
                    organization_id,
                    created_at: now,
                    updated_at: now,
                    description: String::new(),
                    qualification: None,
                },
            );
        }
    }

    /// The organization owning a project, if it exists.
    pub(crate) fn project_org(&self, id: ProjectId) -> Option<OrganizationId> {
        self.projects.get(&id).map(|p| p.organization_id)
    }

    /// Whether anything still lives in the project.
    pub(crate) fn project_in_use(&self, id: ProjectId) -> bool {
        self.cockpit_tokens
            .values()
            .any(|t| t.token.project_id == id)
            || self.namespaces.values().any(|n| n.ns.project_id == id)
            || self
                .function_namespaces
                .values()
                .any(|n| n.ns.project_id == id)
    }

    /// Removes a containers namespace's containers and tokens (the namespace itself goes
    /// through its own delete lifecycle).
    pub(crate) fn cascade_container_namespace(&mut self, id: NamespaceId) {
        let gone: Vec<ContainerId> = self
            .containers
            .iter()
            .filter(|(_, c)| c.container.namespace_id == id)
            .map(|(k, _)| *k)
            .collect();
        for c in &gone {
            self.containers.shift_remove(c);
        }
        self.container_tokens.retain(|_, t| {
            t.namespace_id != id && !t.scope_id.is_some_and(|s| gone.iter().any(|c| c.0 == s))
        });
    }

    /// Removes a functions namespace's functions and tokens.
    pub(crate) fn cascade_function_namespace(&mut self, id: NamespaceId) {
        self.functions.retain(|_, f| f.function.namespace_id != id);
        self.function_tokens.retain(|_, t| t.namespace_id != id);
    }

    /// The store as JSON with every secret replaced by `"<redacted>"`.
    pub(crate) fn redacted_dump(&self) -> serde_json::Value {
        let mut v = redacting(|| serde_json::to_value(self)).unwrap_or_default();
        if let Some(keys) = v.get_mut("api_keys").and_then(|k| k.as_object_mut()) {
            // The secret keys are the map's keys: show them by position only.
            let redacted: serde_json::Map<String, serde_json::Value> = keys
                .values()
                .enumerate()
                .map(|(i, k)| (format!("<redacted key {}>", i + 1), k.clone()))
                .collect();
            *keys = redacted;
        }
        v
    }

    /// Loads a store saved by [`Store::save`].
    pub(crate) fn load(path: &Path) -> std::io::Result<Self> {
        let bytes = std::fs::read(path)?;
        serde_json::from_slice(&bytes)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }

    /// Saves atomically: a temporary file in the same directory, fsync, rename.
    pub(crate) fn save(&self, path: &Path) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(self)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        tmp.write_all(&bytes)?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_organization_gets_its_default_project() {
        let mut s = Store::default();
        let org = OrganizationId(uuid::Uuid::from_u128(9));
        s.add_key("k", "SCWX", org, jiff::Timestamp::UNIX_EPOCH);
        let p = &s.projects[&ProjectId(org.0)];
        assert_eq!(p.name, "default");
        assert_eq!(s.project_org(p.id), Some(org));
    }

    /// The API keys are the one secret held as map keys rather than as [`Secret`]s; every
    /// kind of secret is checked end to end in `tests/it/resources.rs`
    /// (`the_store_dump_redacts_every_secret_kind`).
    #[test]
    fn dump_redacts_api_keys() {
        let mut s = Store::default();
        s.add_key(
            "top-secret-key",
            "SCWX",
            OrganizationId(uuid::Uuid::nil()),
            jiff::Timestamp::UNIX_EPOCH,
        );
        let dump = s.redacted_dump().to_string();
        assert!(!dump.contains("top-secret-key"), "{dump}");
    }

    #[test]
    fn save_and_load_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.json");
        let mut s = Store::default();
        s.add_key(
            "k",
            "SCWX",
            OrganizationId(uuid::Uuid::nil()),
            jiff::Timestamp::UNIX_EPOCH,
        );
        s.save(&path).unwrap();
        let back = Store::load(&path).unwrap();
        assert_eq!(back.projects.len(), 1);
        assert_eq!(back.api_keys.len(), 1);
    }
}
