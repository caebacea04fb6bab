//! The Terraform state v4 JSON document, read and written compatibly with Terraform.
//!
//! Invariants: a [`State`] always has `version == 4`; its serialised form is deterministic
//! (resources sorted by address, instances by key, attributes in `BTreeMap` order), pretty-printed
//! with two-space indentation and a final newline. Fields this code does not know (newer
//! Terraform additions such as `check_results` or instance `identity`) are kept verbatim, so a
//! state written by Terraform survives a read-write cycle.
//!
//! Depends only on serde, `uuid` for new lineages, the sibling [`address`](super::address)
//! module, and [`schema`](crate::schema) for each type's schema version and the provider's
//! state upgraders. No I/O here: backends read and write the bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::StateError;
use crate::addr::{InstanceAddr, InstanceKey, Mode, ModuleAddr, ResourceAddr};

/// The only state format version this code reads and writes.
pub const STATE_VERSION: u64 = 4;

/// The provider address Terraform records for the Scaleway provider.
pub const SCALEWAY_PROVIDER: &str = "provider[\"registry.terraform.io/scaleway/scaleway\"]";

/// The `terraform_version` scwform writes (Terraform refuses a state whose
/// `terraform_version` is not a version number; it reads one written by any release).
pub use crate::version::TERRAFORM_VERSION;

/// The top-level field naming the scwform release that last wrote the state (Terraform ignores
/// fields it does not know, and drops them when it writes).
pub const SCWFORM_VERSION_FIELD: &str = "scwform_version";

/// scwform's own version, written in [`SCWFORM_VERSION_FIELD`].
pub const SCWFORM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Unknown JSON fields kept verbatim for round trips.
pub type Extra = BTreeMap<String, serde_json::Value>;

/// A state's lineage: the identifier fixed when a state is first created and carried by every
/// later version of it, so two unrelated states are never mixed up.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Lineage(pub String);

impl Lineage {
    /// A fresh random lineage (a UUID v4, as Terraform makes them).
    #[must_use]
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }
}

impl std::fmt::Display for Lineage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The whole state document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Always [`STATE_VERSION`].
    pub version: u64,
    /// The tool and version that last wrote the state.
    pub terraform_version: String,
    /// Incremented by every write that changes the content.
    pub serial: u64,
    /// Fixed at creation.
    pub lineage: Lineage,
    /// Root module outputs.
    #[serde(default)]
    pub outputs: BTreeMap<String, OutputState>,
    /// Resources (kept sorted by address on write).
    #[serde(default)]
    pub resources: Vec<ResourceState>,
    /// Fields we do not interpret (`check_results`...), kept as they were.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One root module output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputState {
    /// The value, as JSON.
    pub value: serde_json::Value,
    /// Its type in Terraform's type JSON (`"string"`, `["list","string"]`...).
    #[serde(rename = "type")]
    pub type_: serde_json::Value,
    /// Whether the output is marked sensitive.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}

/// How a resource's instances are keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EachMode {
    /// `count`: integer keys.
    List,
    /// `for_each`: string keys.
    Map,
}

/// One resource block and its instances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceState {
    /// Module instance path (`module.app["a"]`), absent for the root module.
    #[serde(default, skip_serializing_if = "ModuleAddr::is_root")]
    pub module: ModuleAddr,
    /// Managed or data.
    pub mode: Mode,
    /// Resource type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Resource name.
    pub name: String,
    /// `count` or `for_each`, when used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each: Option<EachMode>,
    /// Provider configuration address, normally [`SCALEWAY_PROVIDER`].
    pub provider: String,
    /// The instances (kept sorted by key on write).
    #[serde(default)]
    pub instances: Vec<InstanceState>,
    /// Fields we do not interpret.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ResourceState {
    /// The resource's address.
    #[must_use]
    pub fn addr(&self) -> ResourceAddr {
        ResourceAddr {
            module: self.module.clone(),
            mode: self.mode,
            type_name: self.type_name.clone(),
            name: self.name.clone(),
        }
    }

    /// Whether this is the resource `addr`.
    #[must_use]
    pub fn matches(&self, addr: &ResourceAddr) -> bool {
        self.module == addr.module
            && self.mode == addr.mode
            && self.type_name == addr.type_name
            && self.name == addr.name
    }

    /// The current (not deposed) instance with this key.
    fn position(&self, key: Option<&InstanceKey>) -> Option<usize> {
        self.instances
            .iter()
            .position(|i| i.index_key.as_ref() == key && i.deposed.is_none())
    }
}

/// One step of an attribute path, in Terraform's JSON form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum PathStep {
    /// `.name`: `{"type":"get_attr","value":"name"}`.
    GetAttr(String),
    /// `[key]`: `{"type":"index","value":{"value":0,"type":"number"}}`.
    Index(serde_json::Value),
}

/// One instance of a resource: the recorded object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceState {
    /// The instance key, absent without `count`/`for_each`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_key: Option<InstanceKey>,
    /// `"tainted"` when the object must be replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Deposed object key (left over from a failed create-before-destroy replacement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
    /// The provider's schema version for this resource type: the schema's `schema_version`
    /// once read ([`State::upgrade`]) or recorded ([`State::set_instance`]).
    #[serde(default)]
    pub schema_version: u64,
    /// Attribute values by the provider's attribute names.
    #[serde(default)]
    pub attributes: BTreeMap<String, serde_json::Value>,
    /// Paths to sensitive values inside `attributes`.
    #[serde(default)]
    pub sensitive_attributes: Vec<Vec<PathStep>>,
    /// Provider-private data (base64), opaque to us.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<String>,
    /// Resources this instance depended on when it was last written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<ResourceAddr>,
    /// Whether replacement creates the new object first.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create_before_destroy: bool,
    /// Fields we do not interpret (`identity`...).
    #[serde(flatten)]
    pub extra: Extra,
}

impl InstanceState {
    /// An instance with these attributes and nothing else.
    #[must_use]
    pub fn new(attributes: BTreeMap<String, serde_json::Value>) -> Self {
        Self {
            index_key: None,
            status: None,
            deposed: None,
            schema_version: 0,
            attributes,
            sensitive_attributes: Vec::new(),
            private: None,
            dependencies: Vec::new(),
            create_before_destroy: false,
            extra: Extra::new(),
        }
    }

    /// Marks top-level attributes as sensitive (Terraform's `get_attr` paths).
    #[must_use]
    pub fn with_sensitive(mut self, names: &[&str]) -> Self {
        for name in names {
            let path = vec![PathStep::GetAttr((*name).to_owned())];
            if !self.sensitive_attributes.contains(&path) {
                self.sensitive_attributes.push(path);
            }
        }
        self
    }

    /// Adds sensitive paths (Terraform's `sensitive_attributes`), keeping the list sorted and
    /// without duplicates.
    #[must_use]
    pub fn with_sensitive_paths(mut self, paths: impl IntoIterator<Item = Vec<PathStep>>) -> Self {
        self.sensitive_attributes.extend(paths);
        self.sensitive_attributes
            .sort_by_key(|p| serde_json::to_string(p).unwrap_or_default());
        self.sensitive_attributes.dedup();
        self
    }

    /// The `id` attribute, when it is a string.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        self.attributes
            .get("id")
            .and_then(serde_json::Value::as_str)
    }
}

impl Default for State {
    fn default() -> Self {
        Self::new(Lineage::generate())
    }
}

impl State {
    /// Whether the state records nothing: no resource, no output.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.outputs.is_empty()
    }

    /// An empty state with this lineage and serial 0.
    #[must_use]
    pub fn new(lineage: Lineage) -> Self {
        let mut extra = Extra::new();
        // Terraform always writes this key; keeping it makes our files look like its own.
        extra.insert("check_results".into(), serde_json::Value::Null);
        Self {
            version: STATE_VERSION,
            terraform_version: TERRAFORM_VERSION.to_owned(),
            serial: 0,
            lineage,
            outputs: BTreeMap::new(),
            resources: Vec::new(),
            extra,
        }
    }

    /// Reads a state document.
    ///
    /// # Errors
    /// [`StateError::Parse`] when the text is not a state, [`StateError::UnsupportedVersion`] for
    /// any version other than 4. `origin` names the source in messages.
    pub fn from_json(text: &str, origin: &str) -> Result<Self, StateError> {
        Self::read(text, origin).map(|(state, _)| state)
    }

    /// Reads a state document as [`State::from_json`] does, saying whether objects recorded at
    /// an older schema version were upgraded ([`State::upgrade`]): the stored document then
    /// differs from what a save would write.
    ///
    /// # Errors
    /// As [`State::from_json`].
    pub fn read(text: &str, origin: &str) -> Result<(Self, bool), StateError> {
        let parse_error = |e: serde_json::Error| StateError::Parse {
            path: origin.to_owned(),
            message: e.to_string(),
        };
        // Look at the version first so an old or future file gets a version error rather than a
        // confusing complaint about some field that moved.
        let raw: serde_json::Value = serde_json::from_str(text).map_err(parse_error)?;
        match raw.get("version").and_then(serde_json::Value::as_u64) {
            Some(STATE_VERSION) => {}
            Some(found) => {
                return Err(StateError::UnsupportedVersion {
                    path: origin.to_owned(),
                    found: found.to_string(),
                });
            }
            None => {
                return Err(StateError::UnsupportedVersion {
                    path: origin.to_owned(),
                    found: raw
                        .get("version")
                        .map_or_else(|| "none".to_owned(), ToString::to_string),
                });
            }
        }
        let mut state: Self = serde_json::from_value(raw).map_err(parse_error)?;
        state.normalize();
        state.check_unique(origin)?;
        let upgraded = state.upgrade(origin)?;
        Ok((state, upgraded))
    }

    /// Brings every managed object recorded at an older schema version than its type's
    /// current one (the schema's `schema_version`) up to it, through the provider's state
    /// upgraders, as Terraform does when it reads such an object. Returns whether anything was
    /// upgraded. Types scwform does not manage are left as they are.
    ///
    /// # Errors
    /// [`StateError::NewerSchemaVersion`] for an object recorded by a newer provider than
    /// scwform knows, [`StateError::Upgrade`] for one the provider's upgrader refuses. `origin`
    /// names the state in messages.
    pub fn upgrade(&mut self, origin: &str) -> Result<bool, StateError> {
        let mut upgraded = false;
        for resource in &mut self.resources {
            if resource.mode != Mode::Managed {
                continue;
            }
            let Some(schema) = crate::schema::resource(&resource.type_name) else {
                continue;
            };
            let addr = resource.addr();
            for instance in &mut resource.instances {
                let address = || {
                    let address = addr.instance(instance.index_key.clone()).to_string();
                    match &instance.deposed {
                        Some(key) => format!("{address} (deposed object {key})"),
                        None => address,
                    }
                };
                if instance.schema_version > schema.schema_version {
                    return Err(StateError::NewerSchemaVersion {
                        path: origin.to_owned(),
                        address: address(),
                        found: instance.schema_version,
                        current: schema.schema_version,
                    });
                }
                while instance.schema_version < schema.schema_version {
                    let from = instance.schema_version;
                    let upgrade = schema
                        .state_upgraders
                        .iter()
                        .find(|u| u.from == from)
                        .map(|u| u.upgrade)
                        .ok_or_else(|| StateError::Upgrade {
                            path: origin.to_owned(),
                            address: address(),
                            from,
                            message: "the provider has no upgrader from this version".to_owned(),
                        })?;
                    upgrade(&mut instance.attributes).map_err(|message| StateError::Upgrade {
                        path: origin.to_owned(),
                        address: address(),
                        from,
                        message,
                    })?;
                    instance.schema_version = from + 1;
                    upgraded = true;
                }
            }
        }
        Ok(upgraded)
    }

    /// Refuses a document that records one resource, one current instance or one deposed
    /// object twice: which entry would win is unknowable, and writing it back would lose one.
    /// Expects a normalised state (equal entries are then adjacent).
    fn check_unique(&self, origin: &str) -> Result<(), StateError> {
        let duplicate = |address: String| StateError::Duplicate {
            path: origin.to_owned(),
            address,
        };
        for pair in self.resources.windows(2) {
            if pair[0].addr() == pair[1].addr() {
                return Err(duplicate(pair[0].addr().to_string()));
            }
        }
        for resource in &self.resources {
            for pair in resource.instances.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                if a.index_key == b.index_key && a.deposed == b.deposed {
                    let addr = resource.addr().instance(a.index_key.clone()).to_string();
                    return Err(duplicate(match &a.deposed {
                        Some(key) => format!("{addr} (deposed object {key})"),
                        None => addr,
                    }));
                }
            }
        }
        Ok(())
    }

    /// The deterministic JSON text: sorted, pretty-printed, ending with a newline.
    #[must_use]
    pub fn to_json(&self) -> String {
        let sorted;
        let state = if self.is_normalized() {
            self
        } else {
            let mut copy = self.clone();
            copy.normalize();
            sorted = copy;
            &sorted
        };
        // Serialising plain structs, maps and JSON values cannot fail.
        let mut text =
            serde_json::to_string_pretty(state).expect("state holds only JSON-representable data");
        text.push('\n');
        text
    }

    /// Whether [`State::normalize`] would leave this state as it is (cheap: no allocation).
    #[must_use]
    pub fn is_normalized(&self) -> bool {
        self.resources.is_sorted_by_key(ResourceState::addr)
            && self.resources.iter().all(|resource| {
                resource
                    .instances
                    .is_sorted_by(|a, b| (&a.index_key, &a.deposed) <= (&b.index_key, &b.deposed))
                    && resource
                        .instances
                        .iter()
                        .all(|instance| instance.dependencies.is_sorted_by(|a, b| a < b))
            })
    }

    /// Sorts resources by address and instances by key, and dependencies, so the same content
    /// always gives the same bytes.
    pub fn normalize(&mut self) {
        self.resources.sort_by_key(ResourceState::addr);
        for resource in &mut self.resources {
            resource.instances.sort_by(|a, b| {
                a.index_key
                    .cmp(&b.index_key)
                    .then_with(|| a.deposed.cmp(&b.deposed))
            });
            for instance in &mut resource.instances {
                instance.dependencies.sort();
                instance.dependencies.dedup();
            }
        }
    }

    /// Whether two states record the same things, ignoring the serial and the writers'
    /// versions.
    #[must_use]
    pub fn same_content(&self, other: &Self) -> bool {
        if self.is_normalized() && other.is_normalized() {
            // The usual case (states are normalised when read and when saved): no copies.
            return self.version == other.version
                && self.lineage == other.lineage
                && self.outputs == other.outputs
                && self.resources == other.resources
                && same_extra(&self.extra, &other.extra);
        }
        let strip = |s: &Self| {
            let mut s = s.clone();
            s.serial = 0;
            s.terraform_version.clear();
            s.extra.remove(SCWFORM_VERSION_FIELD);
            s.normalize();
            s
        };
        strip(self) == strip(other)
    }

    /// The resource with this address.
    #[must_use]
    pub fn resource(&self, addr: &ResourceAddr) -> Option<&ResourceState> {
        self.resources.iter().find(|r| r.matches(addr))
    }

    /// The current object of an instance.
    #[must_use]
    pub fn instance(&self, addr: &InstanceAddr) -> Option<&InstanceState> {
        let resource = self.resource(&addr.resource)?;
        resource
            .position(addr.key.as_ref())
            .map(|i| &resource.instances[i])
    }

    /// The current object of an instance, mutably.
    pub fn instance_mut(&mut self, addr: &InstanceAddr) -> Option<&mut InstanceState> {
        let resource = self
            .resources
            .iter_mut()
            .find(|r| r.matches(&addr.resource))?;
        let i = resource.position(addr.key.as_ref())?;
        Some(&mut resource.instances[i])
    }

    /// Records an instance, replacing the current object at that address if there is one, and
    /// returning it. The instance's `index_key` is set from the address, and its
    /// `schema_version` from its type's schema (for the types scwform manages). A new resource
    /// gets the Scaleway provider.
    pub fn set_instance(
        &mut self,
        addr: &InstanceAddr,
        mut instance: InstanceState,
    ) -> Option<InstanceState> {
        instance.index_key.clone_from(&addr.key);
        instance.deposed = None;
        // A current object is one scwform just wrote (or moved, already upgraded when read):
        // it is at its type's current schema version, which Terraform's provider expects.
        if addr.resource.mode == Mode::Managed
            && let Some(schema) = crate::schema::resource(&addr.resource.type_name)
        {
            instance.schema_version = schema.schema_version;
        }
        let resource = if let Some(i) = self
            .resources
            .iter()
            .position(|r| r.matches(&addr.resource))
        {
            &mut self.resources[i]
        } else {
            self.resources.push(ResourceState {
                module: addr.resource.module.clone(),
                mode: addr.resource.mode,
                type_name: addr.resource.type_name.clone(),
                name: addr.resource.name.clone(),
                each: None,
                provider: SCALEWAY_PROVIDER.to_owned(),
                instances: Vec::new(),
                extra: Extra::new(),
            });
            self.resources
                .last_mut()
                .expect("a resource was pushed just above")
        };
        resource.each = match (&addr.key, resource.each) {
            (Some(InstanceKey::Int(_)), _) => Some(EachMode::List),
            (Some(InstanceKey::Str(_)), _) => Some(EachMode::Map),
            (None, each) => each,
        };
        if let Some(i) = resource.position(addr.key.as_ref()) {
            Some(std::mem::replace(&mut resource.instances[i], instance))
        } else {
            resource.instances.push(instance);
            None
        }
    }

    /// Records which provider configuration `resource` belongs to, as Terraform writes it:
    /// `provider["registry.terraform.io/scaleway/scaleway"]`, with `.ALIAS` for an aliased
    /// configuration.
    pub fn set_provider(&mut self, resource: &ResourceAddr, alias: Option<&str>) {
        if let Some(r) = self.resources.iter_mut().find(|r| r.matches(resource)) {
            r.provider = match alias {
                Some(alias) => format!("{SCALEWAY_PROVIDER}.{alias}"),
                None => SCALEWAY_PROVIDER.to_owned(),
            };
        }
    }

    /// Forgets the current object of an instance, dropping its resource when nothing is left.
    pub fn remove_instance(&mut self, addr: &InstanceAddr) -> Option<InstanceState> {
        let r = self
            .resources
            .iter()
            .position(|r| r.matches(&addr.resource))?;
        let i = self.resources[r].position(addr.key.as_ref())?;
        let removed = self.resources[r].instances.remove(i);
        if self.resources[r].instances.is_empty() {
            self.resources.remove(r);
        }
        Some(removed)
    }

    /// Every current instance address, sorted.
    #[must_use]
    pub fn addresses(&self) -> Vec<InstanceAddr> {
        let mut out: Vec<InstanceAddr> = self
            .resources
            .iter()
            .flat_map(|r| {
                let addr = r.addr();
                r.instances
                    .iter()
                    .filter(|i| i.deposed.is_none())
                    .map(move |i| addr.instance(i.index_key.clone()))
            })
            .collect();
        out.sort();
        out
    }

    /// `state rm`: forgets an instance, or every instance of a resource when `addr` has no key
    /// and names a resource with keyed instances. Returns what was removed.
    ///
    /// # Errors
    /// [`StateError::NoSuchAddress`] when nothing matches.
    pub fn remove(&mut self, addr: &InstanceAddr) -> Result<Vec<InstanceAddr>, StateError> {
        if self.instance(addr).is_some() {
            self.remove_instance(addr);
            return Ok(vec![addr.clone()]);
        }
        if addr.key.is_none()
            && let Some(r) = self
                .resources
                .iter()
                .position(|r| r.matches(&addr.resource))
        {
            let resource = self.resources.remove(r);
            let base = resource.addr();
            return Ok(resource
                .instances
                .into_iter()
                .filter(|i| i.deposed.is_none())
                .map(|i| base.instance(i.index_key))
                .collect());
        }
        Err(StateError::NoSuchAddress {
            address: addr.to_string(),
        })
    }

    /// `state mv`: gives an instance (or, for an unkeyed address naming a keyed resource, the
    /// whole resource) a new address. The resource type cannot change.
    ///
    /// # Errors
    /// [`StateError::NoSuchAddress`] when the source is absent, [`StateError::AddressTaken`] when
    /// the destination exists, [`StateError::TypeMismatch`] when the types differ.
    pub fn move_to(&mut self, from: &InstanceAddr, to: &InstanceAddr) -> Result<(), StateError> {
        if from.resource.type_name != to.resource.type_name
            || from.resource.mode != to.resource.mode
        {
            return Err(StateError::TypeMismatch {
                from: from.to_string(),
                to: to.to_string(),
            });
        }
        if from == to {
            return Ok(());
        }
        if self.instance(from).is_some() {
            if self.instance(to).is_some() {
                return Err(StateError::AddressTaken {
                    address: to.to_string(),
                });
            }
            let instance = self
                .remove_instance(from)
                .expect("the instance was found just above");
            self.set_instance(to, instance);
            return Ok(());
        }
        let whole_resource = from.key.is_none() && to.key.is_none();
        if whole_resource && self.resource(&from.resource).is_some() {
            if self.resource(&to.resource).is_some() {
                return Err(StateError::AddressTaken {
                    address: to.to_string(),
                });
            }
            let resource = self
                .resources
                .iter_mut()
                .find(|r| r.matches(&from.resource))
                .expect("the resource was found just above");
            resource.module.clone_from(&to.resource.module);
            resource.name.clone_from(&to.resource.name);
            return Ok(());
        }
        Err(StateError::NoSuchAddress {
            address: from.to_string(),
        })
    }
}

/// Whether two sets of unknown fields are equal, ignoring which scwform release wrote them.
fn same_extra(a: &Extra, b: &Extra) -> bool {
    let relevant = |e: &'_ Extra| {
        e.iter()
            .filter(|(k, _)| k.as_str() != SCWFORM_VERSION_FIELD)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    if a.len() == b.len() && a == b {
        return true;
    }
    relevant(a) == relevant(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(id: &str) -> BTreeMap<String, serde_json::Value> {
        BTreeMap::from([("id".to_owned(), json!(id))])
    }

    #[test]
    fn new_states_serialise_like_terraform_empty_states() {
        let state = State::new(Lineage("l-1".into()));
        let text = state.to_json();
        assert!(text.ends_with("}\n"));
        let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(
            value,
            json!({
                "version": 4,
                "terraform_version": TERRAFORM_VERSION,
                "serial": 0,
                "lineage": "l-1",
                "outputs": {},
                "resources": [],
                "check_results": null
            })
        );
    }

    #[test]
    fn set_instance_creates_the_resource_and_keeps_it_sorted() {
        let mut state = State::new(Lineage("l".into()));
        let b = InstanceAddr::managed("scaleway_container", "b");
        let a1 = InstanceAddr::managed("scaleway_container", "a").with_key(InstanceKey::Int(1));
        let a0 = InstanceAddr::managed("scaleway_container", "a").with_key(InstanceKey::Int(0));
        assert!(
            state
                .set_instance(&b, InstanceState::new(attrs("b")))
                .is_none()
        );
        state.set_instance(&a1, InstanceState::new(attrs("a1")));
        state.set_instance(&a0, InstanceState::new(attrs("a0")));
        let old = state.set_instance(&a0, InstanceState::new(attrs("a0-new")));
        assert_eq!(old.as_ref().and_then(InstanceState::id), Some("a0"));
        assert_eq!(state.addresses(), vec![a0.clone(), a1.clone(), b.clone()]);
        assert_eq!(
            state.instance(&a0).and_then(InstanceState::id),
            Some("a0-new")
        );
        let reread = State::from_json(&state.to_json(), "memory").expect("own output reads back");
        assert_eq!(reread.resources[0].name, "a");
        assert_eq!(reread.resources[0].each, Some(EachMode::List));
        assert_eq!(reread.resources[0].provider, SCALEWAY_PROVIDER);
    }

    #[test]
    fn remove_drops_whole_resources_for_unkeyed_addresses() {
        let mut state = State::new(Lineage("l".into()));
        let base = InstanceAddr::managed("scaleway_container", "a");
        for k in ["x", "y"] {
            state.set_instance(
                &base.clone().with_key(InstanceKey::Str(k.into())),
                InstanceState::new(attrs(k)),
            );
        }
        let removed = state.remove(&base).expect("resource exists");
        assert_eq!(removed.len(), 2);
        assert!(state.resources.is_empty());
        assert!(matches!(
            state.remove(&base),
            Err(StateError::NoSuchAddress { .. })
        ));
    }

    #[test]
    fn move_renames_instances_and_refuses_conflicts() {
        let mut state = State::new(Lineage("l".into()));
        let a = InstanceAddr::managed("scaleway_container", "a");
        let b = InstanceAddr::managed("scaleway_container", "b");
        let other = InstanceAddr::managed("scaleway_container_namespace", "b");
        state.set_instance(&a, InstanceState::new(attrs("1")));
        state.set_instance(&b, InstanceState::new(attrs("2")));
        assert!(matches!(
            state.move_to(&a, &b),
            Err(StateError::AddressTaken { .. })
        ));
        assert!(matches!(
            state.move_to(&a, &other),
            Err(StateError::TypeMismatch { .. })
        ));
        state.remove_instance(&b);
        state.move_to(&a, &b).expect("b is free now");
        assert_eq!(state.instance(&b).and_then(InstanceState::id), Some("1"));
        assert!(state.instance(&a).is_none());
        let keyed = b.clone().with_key(InstanceKey::Int(0));
        state.move_to(&b, &keyed).expect("adding a key is a move");
        assert_eq!(state.addresses(), vec![keyed]);
    }

    #[test]
    fn same_content_ignores_serial_and_writer() {
        let mut a = State::new(Lineage("l".into()));
        let mut b = a.clone();
        b.serial = 7;
        b.terraform_version = "1.9.0".into();
        assert!(a.same_content(&b));
        a.set_instance(
            &InstanceAddr::managed("t", "n"),
            InstanceState::new(attrs("x")),
        );
        assert!(!a.same_content(&b));
    }

    #[test]
    fn same_content_and_json_do_not_depend_on_order() {
        let mut unsorted = State::new(Lineage("l".into()));
        let tokens = InstanceAddr::managed("t", "x");
        let single = InstanceAddr::managed("t", "y");
        let first = tokens.clone().with_key(InstanceKey::Int(0));
        let second = tokens.with_key(InstanceKey::Int(1));
        unsorted.set_instance(&single, InstanceState::new(attrs("y")));
        unsorted.set_instance(&second, InstanceState::new(attrs("x1")));
        unsorted.set_instance(&first, InstanceState::new(attrs("x0")));
        assert!(!unsorted.is_normalized());
        let mut sorted = unsorted.clone();
        sorted.normalize();
        assert!(sorted.is_normalized());
        assert_ne!(unsorted, sorted);
        // Unsorted against sorted (the copying path), and sorted against sorted (no copies).
        assert!(unsorted.same_content(&sorted) && sorted.same_content(&unsorted));
        assert!(sorted.same_content(&sorted.clone()));
        assert_eq!(unsorted.to_json(), sorted.to_json());
        let mut changed = sorted.clone();
        changed.set_instance(&single, InstanceState::new(attrs("changed")));
        assert!(changed.is_normalized());
        assert!(!changed.same_content(&sorted) && !unsorted.same_content(&changed));
    }

    const UUID: &str = "11111111-2222-3333-4444-555555555555";

    /// A state recording one object of `type_name` at `version`, as older scwform builds wrote
    /// them (every instance at version 0).
    fn recorded(type_name: &str, version: u64, attributes: &serde_json::Value) -> String {
        json!({
            "version": 4,
            "terraform_version": TERRAFORM_VERSION,
            "serial": 3,
            "lineage": "l",
            "outputs": {},
            "resources": [{
                "mode": "managed",
                "type": type_name,
                "name": "t",
                "provider": SCALEWAY_PROVIDER,
                "instances": [{"schema_version": version, "attributes": attributes}]
            }]
        })
        .to_string()
    }

    fn only_instance(state: &State) -> &InstanceState {
        &state.resources[0].instances[0]
    }

    #[test]
    fn cockpit_tokens_recorded_at_version_0_are_upgraded_as_the_provider_does() {
        // A bare UUID (the v1beta1 API's tokens): fr-par, as the provider's upgrader.
        let (state, upgraded) = State::read(
            &recorded("scaleway_cockpit_token", 0, &json!({"id": UUID})),
            "x",
        )
        .expect("upgrades");
        assert!(upgraded);
        let instance = only_instance(&state);
        assert_eq!(instance.schema_version, 1);
        assert_eq!(instance.attributes["id"], format!("fr-par/{UUID}"));
        assert_eq!(instance.attributes["region"], "fr-par");
        // What older scwform builds wrote: the current form under version 0.
        let id = format!("nl-ams/{UUID}");
        let (state, upgraded) = State::read(
            &recorded(
                "scaleway_cockpit_token",
                0,
                &json!({"id": id, "region": "nl-ams"}),
            ),
            "x",
        )
        .expect("upgrades");
        assert!(upgraded);
        assert_eq!(only_instance(&state).schema_version, 1);
        assert_eq!(only_instance(&state).attributes["id"], id);
        // Written back, it is current: nothing more to upgrade.
        let (again, upgraded) = State::read(&state.to_json(), "x").expect("reads");
        assert!(!upgraded);
        assert_eq!(again, state);
    }

    #[test]
    fn types_at_their_current_version_and_unknown_types_are_left_alone() {
        for (type_name, version) in [
            ("scaleway_container", 0),
            ("scaleway_cockpit_token", 1),
            ("null_resource", 3),
        ] {
            let text = recorded(type_name, version, &json!({"id": "x"}));
            let (state, upgraded) = State::read(&text, "x").expect("reads");
            assert!(!upgraded, "{type_name}");
            assert_eq!(only_instance(&state).schema_version, version);
            assert_eq!(only_instance(&state).attributes["id"], "x");
        }
    }

    #[test]
    fn newer_schema_versions_and_ids_the_upgrader_refuses_are_errors() {
        let newer = State::from_json(
            &recorded("scaleway_container", 1, &json!({"id": "x"})),
            "s.tfstate",
        );
        match newer {
            Err(e @ StateError::NewerSchemaVersion { .. }) => {
                assert_eq!(e.code(), "scw::state::schema_version");
                let message = e.to_string();
                assert!(message.contains("scaleway_container.t"), "{message}");
                assert!(message.contains("schema version 1"), "{message}");
            }
            other => panic!("expected a newer-version error, got {other:?}"),
        }
        let refused = State::from_json(
            &recorded("scaleway_cockpit_token", 0, &json!({"id": "garbage"})),
            "s.tfstate",
        );
        match refused {
            Err(e @ StateError::Upgrade { .. }) => {
                assert_eq!(e.code(), "scw::state::upgrade");
                let message = e.to_string();
                assert!(message.contains("scaleway_cockpit_token.t"), "{message}");
                assert!(message.contains("\"garbage\""), "{message}");
            }
            other => panic!("expected an upgrade error, got {other:?}"),
        }
    }

    #[test]
    fn recorded_instances_get_their_types_schema_version() {
        let mut state = State::new(Lineage("l".into()));
        let token = InstanceAddr::managed("scaleway_cockpit_token", "t");
        let container = InstanceAddr::managed("scaleway_container", "c");
        let other = InstanceAddr::managed("null_resource", "n");
        for addr in [&token, &container, &other] {
            let mut instance = InstanceState::new(attrs("x"));
            instance.schema_version = 7;
            state.set_instance(addr, instance);
        }
        let version = |addr| state.instance(addr).map(|i| i.schema_version);
        assert_eq!(version(&token), Some(1));
        assert_eq!(version(&container), Some(0));
        assert_eq!(
            version(&other),
            Some(7),
            "types scwform does not manage keep theirs"
        );
    }

    #[test]
    fn other_versions_are_refused() {
        for text in [r#"{"version":3}"#, r#"{"version":5}"#, r#"{"serial":1}"#] {
            assert!(matches!(
                State::from_json(text, "x"),
                Err(StateError::UnsupportedVersion { .. })
            ));
        }
        assert!(matches!(
            State::from_json("not json", "x"),
            Err(StateError::Parse { .. })
        ));
    }
}
