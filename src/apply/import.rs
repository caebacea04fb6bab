//! Import: an object that already exists in Scaleway (made in the console, by Terraform, by
//! another tool) read through its API mapping and recorded at a resource address, as an apply
//! that created it would have recorded it.
//!
//! The read is the refresh's ([`ResourceApi::read`] from an object that has only its `id`,
//! then [`instance_state`]): there is no second mapping from API objects to attributes, so an
//! imported object and a refreshed one look alike, and when the configuration matches, the next
//! plan is empty.
//!
//! Secrets the API shows only once (a Cockpit token's `secret_key`, a serverless token's
//! `token`) cannot be read back: they are recorded null, as the provider's importers leave
//! them, and [`Imported::unreadable`] names them so the caller can say so. The planner never
//! plans a change for a computed-only attribute, so no replacement follows.
//!
//! Invariants: the given state is never changed (the caller records [`Imported::instance`]);
//! every check that needs no API call ([`check`]) runs before any read.
//!
//! Depends on `api::resources`, `schema` and `state`.

use super::ApiLookup;
use super::values::instance_state;
use crate::api::resources::{ApiContext, Attributes};
use crate::schema::ResourceSchema;
use crate::state::{InstanceAddr, InstanceState, Mode, State};

/// An object read for import.
#[derive(Debug)]
pub struct Imported {
    /// The object as the state records it (attributes, sensitive paths); the caller sets it
    /// at the address.
    pub instance: InstanceState,
    /// Its ID as the API gives it.
    pub id: String,
    /// Sensitive attributes the API never shows again, recorded null.
    pub unreadable: Vec<&'static str>,
    /// Warnings from the mapping (a container that settled in `error`).
    pub warnings: Vec<String>,
}

/// Why an object cannot be imported. Each leaves the state as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum ImportError {
    /// The address is not a managed resource of the root module, or its type is not one
    /// scwform manages.
    #[error("Invalid import address {addr}")]
    #[diagnostic(
        code(scw::import::invalid_address),
        help(
            "import targets a managed resource of the root module: TYPE.NAME, TYPE.NAME[0] or TYPE.NAME[\"key\"], of a type scwform manages"
        )
    )]
    InvalidAddress {
        /// The address.
        addr: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The ID does not have the type's form.
    #[error("Invalid import id {id:?} for {addr}: expected {expected}")]
    #[diagnostic(code(scw::import::malformed_id))]
    MalformedId {
        /// The address.
        addr: String,
        /// The ID given.
        id: String,
        /// The form expected.
        expected: &'static str,
    },
    /// The state already records an object at the address.
    #[error("Resource already managed by scwform")]
    #[diagnostic(
        code(scw::import::already_managed),
        help(
            "to import to this address, first remove the existing object from the state (`scwform state rm {addr}`)"
        )
    )]
    AlreadyManaged {
        /// The address.
        addr: String,
        /// The ID recorded there.
        recorded: String,
    },
    /// The state records the object at another address.
    #[error("Object {id} is already managed by scwform as {other}")]
    #[diagnostic(
        code(scw::import::managed_elsewhere),
        help(
            "one object must not be managed at two addresses: to manage it as {addr}, move it with `scwform state mv {other} {addr}`"
        )
    )]
    ManagedElsewhere {
        /// The address asked for.
        addr: String,
        /// The object's ID.
        id: String,
        /// Where the state records it.
        other: String,
    },
    /// No object has the ID.
    #[error("Cannot import non-existent remote object")]
    #[diagnostic(code(scw::import::not_found))]
    NotFound {
        /// The address.
        addr: String,
        /// The ID.
        id: String,
    },
    /// The read failed.
    #[error("{addr}: cannot read the object {id}")]
    #[diagnostic(code(scw::import::read_failed))]
    ReadFailed {
        /// The address.
        addr: String,
        /// The ID.
        id: String,
        /// The API's answer.
        message: String,
    },
}

impl ImportError {
    /// The diagnostic code (the same as the `miette` one).
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::InvalidAddress { .. } => "scw::import::invalid_address",
            Self::MalformedId { .. } => "scw::import::malformed_id",
            Self::AlreadyManaged { .. } => "scw::import::already_managed",
            Self::ManagedElsewhere { .. } => "scw::import::managed_elsewhere",
            Self::NotFound { .. } => "scw::import::not_found",
            Self::ReadFailed { .. } => "scw::import::read_failed",
        }
    }

    /// The longer explanation, as Terraform words it where it has the same error.
    #[must_use]
    pub fn detail(&self) -> String {
        match self {
            Self::InvalidAddress { reason, .. } => reason.clone(),
            Self::MalformedId { .. } => {
                "The ID is the one the provider records in state; the resource type's documentation (docs/resources.md, Import id) gives its form.".to_owned()
            }
            Self::AlreadyManaged { addr, recorded } => format!(
                "scwform is already managing a remote object for {addr} [id={recorded}]. To import to this address you must first remove the existing object from the state."
            ),
            Self::ManagedElsewhere { .. } => {
                "Importing it again would let two addresses manage one object: each apply could change or delete it under the other.".to_owned()
            }
            Self::NotFound { addr, id } => format!(
                "While attempting to import an existing object to \"{addr}\", the provider detected that no object exists with the given id ({id}). Only pre-existing objects can be imported; check that the id is correct and that it is associated with the provider's configured region or endpoint, or use \"scwform apply\" to create a new remote object for this resource."
            ),
            Self::ReadFailed { message, .. } => message.clone(),
        }
    }
}

/// The checks that need no API call: the address names a managed resource of a type scwform
/// manages, the ID has the type's form, the address is free and no other address records the
/// object. Gives the type's schema.
///
/// # Errors
/// The first check that fails.
pub fn check(
    state: &State,
    addr: &InstanceAddr,
    id: &str,
) -> Result<&'static ResourceSchema, ImportError> {
    let invalid = |reason: &str| ImportError::InvalidAddress {
        addr: addr.to_string(),
        reason: reason.to_owned(),
    };
    if addr.resource.mode != Mode::Managed {
        return Err(invalid("only managed resources can be imported"));
    }
    if !addr.resource.module.is_root() {
        return Err(invalid(
            "scwform imports into the root module only: modules are not supported yet",
        ));
    }
    let schema = crate::schema::resource(&addr.resource.type_name).ok_or_else(|| {
        invalid(&format!(
            "scwform does not manage the resource type {:?}",
            addr.resource.type_name
        ))
    })?;
    if !schema.id_form.accepts(id) {
        return Err(ImportError::MalformedId {
            addr: addr.to_string(),
            id: id.to_owned(),
            expected: schema.id_form.expected(),
        });
    }
    if let Some(instance) = state.instance(addr) {
        return Err(ImportError::AlreadyManaged {
            addr: addr.to_string(),
            recorded: instance.id().unwrap_or_default().to_owned(),
        });
    }
    managed_elsewhere(state, addr, id)?;
    Ok(schema)
}

/// Fails when an instance of the same type other than `addr` records the object `id`.
fn managed_elsewhere(state: &State, addr: &InstanceAddr, id: &str) -> Result<(), ImportError> {
    for resource in state
        .resources
        .iter()
        .filter(|r| r.mode == Mode::Managed && r.type_name == addr.resource.type_name)
    {
        for instance in resource.instances.iter().filter(|i| i.deposed.is_none()) {
            let other = resource.addr().instance(instance.index_key.clone());
            if other != *addr && instance.id().is_some_and(|i| i.eq_ignore_ascii_case(id)) {
                return Err(ImportError::ManagedElsewhere {
                    addr: addr.to_string(),
                    id: id.to_owned(),
                    other: other.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// Reads the object `id` for the address `addr` of `state`, after [`check`].
///
/// # Errors
/// A failed check, an object that does not exist, a read that failed.
pub async fn import(
    state: &State,
    addr: &InstanceAddr,
    id: &str,
    cx: &ApiContext,
    lookup: &ApiLookup,
) -> Result<Imported, ImportError> {
    let schema = check(state, addr, id)?;
    let Some(api) = lookup(schema.type_name) else {
        return Err(ImportError::InvalidAddress {
            addr: addr.to_string(),
            reason: format!("scwform has no API mapping for {}", schema.type_name),
        });
    };
    let prior = Attributes::from([("id".to_owned(), serde_json::Value::String(id.to_owned()))]);
    let outcome = match api.read(cx, &prior).await {
        Ok(Some(outcome)) => outcome,
        Ok(None) => {
            return Err(ImportError::NotFound {
                addr: addr.to_string(),
                id: id.to_owned(),
            });
        }
        Err(e) if e.is_not_found() => {
            return Err(ImportError::NotFound {
                addr: addr.to_string(),
                id: id.to_owned(),
            });
        }
        Err(e) => {
            return Err(ImportError::ReadFailed {
                addr: addr.to_string(),
                id: id.to_owned(),
                message: e.to_string(),
            });
        }
    };
    let read_id = outcome
        .attributes
        .get("id")
        .and_then(serde_json::Value::as_str)
        .unwrap_or(id)
        .to_owned();
    // The API's spelling of the ID may differ from the one given (upper-case hex).
    if !read_id.eq_ignore_ascii_case(id) {
        managed_elsewhere(state, addr, &read_id)?;
    }
    let unreadable = unreadable_secrets(schema, &outcome.attributes);
    let mut attributes = outcome.attributes;
    complete(schema, &mut attributes);
    Ok(Imported {
        instance: instance_state(schema, attributes, &[], false),
        id: read_id,
        unreadable,
        warnings: outcome.warnings,
    })
}

/// Gives every attribute of the schema a value, as the object an apply records has one for
/// each: what the read did not set is null (an attribute) or no block at all (`[]`), the
/// values a create records for what the configuration leaves unset.
fn complete(schema: &ResourceSchema, attributes: &mut Attributes) {
    for a in schema.attributes {
        attributes
            .entry(a.name.to_owned())
            .or_insert(serde_json::Value::Null);
    }
    for b in schema.blocks {
        let value = attributes
            .entry(b.name.to_owned())
            .or_insert(serde_json::Value::Null);
        if value.is_null() {
            *value = serde_json::Value::Array(Vec::new());
        }
    }
}

/// The sensitive attributes only the API's creation answer carries (computed, never
/// configured) that a read left unset.
fn unreadable_secrets(schema: &ResourceSchema, attributes: &Attributes) -> Vec<&'static str> {
    schema
        .attributes
        .iter()
        .filter(|a| a.sensitive && a.computed && !a.configurable())
        .filter(|a| {
            attributes
                .get(a.name)
                .is_none_or(serde_json::Value::is_null)
        })
        .map(|a| a.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const TOKEN: &str = "fr-par/11111111-1111-1111-1111-111111111111";

    fn addr(text: &str) -> InstanceAddr {
        text.parse().expect("a valid address")
    }

    fn state_with(at: &str, id: &str) -> State {
        let mut state = State::default();
        state.set_instance(
            &addr(at),
            InstanceState::new(BTreeMap::from([("id".to_owned(), serde_json::json!(id))])),
        );
        state
    }

    #[test]
    fn codes_are_mietttes() {
        let err = ImportError::NotFound {
            addr: "a".into(),
            id: "b".into(),
        };
        let code = miette::Diagnostic::code(&err).map(|c| c.to_string());
        assert_eq!(code.as_deref(), Some(err.code()));
    }

    #[test]
    fn ids_must_have_the_types_form() {
        let state = State::default();
        let token = addr("scaleway_cockpit_token.main");
        assert!(check(&state, &token, TOKEN).is_ok());
        for bad in [
            "11111111-1111-1111-1111-111111111111",
            "fr-par/nope",
            "FR-PAR/11111111-1111-1111-1111-111111111111",
            "",
        ] {
            let err = check(&state, &token, bad).expect_err(bad);
            assert!(
                matches!(&err, ImportError::MalformedId { expected, .. } if expected.contains("{region}/{uuid}")),
                "{err:?}"
            );
        }
        let project = addr("scaleway_account_project.p");
        assert!(check(&state, &project, "11111111-1111-1111-1111-111111111111").is_ok());
        assert!(matches!(
            check(&state, &project, TOKEN),
            Err(ImportError::MalformedId { .. })
        ));
    }

    #[test]
    fn only_managed_root_resources_of_known_types() {
        let state = State::default();
        for bad in [
            "scaleway_instance_server.x",
            "data.scaleway_cockpit_token.x",
            "module.m.scaleway_cockpit_token.x",
        ] {
            let err = check(&state, &addr(bad), TOKEN).expect_err(bad);
            assert!(matches!(err, ImportError::InvalidAddress { .. }), "{err:?}");
        }
    }

    #[test]
    fn a_taken_address_or_an_object_managed_elsewhere_is_refused() {
        let state = state_with("scaleway_cockpit_token.main", TOKEN);
        let err = check(&state, &addr("scaleway_cockpit_token.main"), TOKEN).unwrap_err();
        assert!(matches!(err, ImportError::AlreadyManaged { .. }), "{err:?}");
        let err = check(&state, &addr("scaleway_cockpit_token.other"), TOKEN).unwrap_err();
        assert_eq!(
            err,
            ImportError::ManagedElsewhere {
                addr: "scaleway_cockpit_token.other".into(),
                id: TOKEN.into(),
                other: "scaleway_cockpit_token.main".into(),
            }
        );
        let lower = "fr-par/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
        let state = state_with("scaleway_cockpit_token.main", lower);
        assert!(matches!(
            check(
                &state,
                &addr("scaleway_cockpit_token.x[0]"),
                &lower.to_uppercase().replace("FR-PAR", "fr-par")
            ),
            Err(ImportError::ManagedElsewhere { .. })
        ));
    }

    #[test]
    fn write_once_secrets_are_named_when_unread() {
        let schema = crate::schema::resource("scaleway_cockpit_token").expect("schema");
        assert_eq!(
            unreadable_secrets(schema, &Attributes::new()),
            ["secret_key"]
        );
        let container = crate::schema::resource("scaleway_container").expect("schema");
        assert!(unreadable_secrets(container, &Attributes::new()).is_empty());
    }
}
