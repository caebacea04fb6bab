//! Conversions between the planner's values and the API's state-form attributes.
//!
//! - [`desired_attributes`]: the attributes a create or update sends: the planned object, with
//!   every value that was unknown at plan time taken from the configuration re-evaluated with
//!   the results so far, then in state form (still-unknown values become null: "not
//!   configured", for the API to fill in).
//! - [`instance_state`]: a returned object as a state instance (sensitive paths, dependencies).
//! - [`output_state`]: an evaluated output as the state records it (value, type, sensitivity).
//!
//! Pure; depends on `model::value`, `schema` and `state`.

use crate::addr::ResourceAddr;
use crate::api::resources::Attributes;
use crate::model::config::OutputValue;
use crate::model::value::Value;
use crate::schema::ResourceSchema;
use crate::state::{InstanceState, OutputState};

/// `planned` with every unknown part replaced by the same part of `evaluated` (which may
/// itself still be unknown).
#[must_use]
pub fn fill_unknowns(planned: &Value, evaluated: &Value) -> Value {
    let evaluated = evaluated.unmark().0;
    match planned {
        Value::Unknown => evaluated.clone(),
        Value::Sensitive(inner) => fill_unknowns(inner, evaluated).mark_sensitive(),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let e = evaluated
                        .as_object()
                        .and_then(|o| o.get(k))
                        .unwrap_or(&Value::Unknown);
                    (k.clone(), fill_unknowns(v, e))
                })
                .collect(),
        ),
        Value::List(items) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let e = evaluated
                        .as_list()
                        .and_then(|l| l.get(i))
                        .unwrap_or(&Value::Unknown);
                    fill_unknowns(v, e)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The attributes to send: `planned` (the plan's `after`) completed from `evaluated` (the
/// instance re-evaluated with the results so far, when there is one), in state form.
#[must_use]
pub fn desired_attributes(planned: &Value, evaluated: Option<&Value>) -> Attributes {
    let value = match evaluated {
        Some(e) => fill_unknowns(planned, e),
        None => planned.clone(),
    };
    match value.to_json() {
        serde_json::Value::Object(map) => map.into_iter().collect(),
        _ => Attributes::new(),
    }
}

/// Whether any configured part of the planned object was unknown at plan time, so that the
/// configuration must be evaluated again (with the results of what it depends on) before the
/// call. Unknown computed attributes that configuration does not set stay unknown whatever
/// happens and do not count.
#[must_use]
pub fn needs_evaluation<'a>(
    planned: &Value,
    configured: impl IntoIterator<Item = &'a str>,
) -> bool {
    let Some(object) = planned.as_object() else {
        return planned.contains_unknown();
    };
    configured
        .into_iter()
        .any(|name| object.get(name).is_some_and(Value::contains_unknown))
}

/// A returned object as a state instance: sensitive attributes listed, dependencies recorded.
#[must_use]
pub fn instance_state(
    schema: &ResourceSchema,
    attributes: Attributes,
    dependencies: &[ResourceAddr],
    create_before_destroy: bool,
) -> InstanceState {
    let sensitive = schema.sensitive_set(&attributes);
    let mut instance = InstanceState::new(attributes).with_sensitive(&sensitive);
    instance.dependencies = dependencies.to_vec();
    instance.create_before_destroy = create_before_destroy;
    instance
}

/// An evaluated output as the state records it (and `output --json` prints it): its value,
/// its type and whether it is sensitive (declared so, or holding a sensitive value). `None`
/// while the value is not wholly known (an apply records an output only once it is) and when
/// it is null (Terraform leaves null outputs out of the state).
#[must_use]
pub fn output_state(output: &OutputValue) -> Option<OutputState> {
    // Terraform records neither an output that is not known yet nor a null one.
    if !output.value.is_wholly_known() || output.value.is_null() {
        return None;
    }
    Some(OutputState {
        value: output.value.to_json(),
        type_: type_json(&output.value),
        sensitive: output.sensitive || output.value.contains_sensitive(),
    })
}

/// Terraform's type JSON of a value, as state outputs record it (`"string"`,
/// `["object",{"a":"number"}]`, `["tuple",[…]]`).
#[must_use]
pub fn type_json(value: &Value) -> serde_json::Value {
    value.ty().to_json()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn unknowns_are_filled_from_the_evaluated_configuration_only() {
        let planned = obj(&[
            ("id", Value::Unknown),
            ("name", Value::string("ci")),
            ("project_id", Value::Unknown),
            (
                "scopes",
                Value::List(vec![obj(&[("write_logs", Value::Bool(true))])]),
            ),
        ]);
        let evaluated = obj(&[
            ("id", Value::Unknown),
            // A value the plan already knew is never overridden (ignore_changes keeps the
            // recorded value in the plan).
            ("name", Value::string("other")),
            ("project_id", Value::string("p-1").mark_sensitive()),
        ]);
        let desired = desired_attributes(&planned, Some(&evaluated));
        assert_eq!(
            desired,
            Attributes::from([
                ("id".to_owned(), json!(null)),
                ("name".to_owned(), json!("ci")),
                ("project_id".to_owned(), json!("p-1")),
                ("scopes".to_owned(), json!([{"write_logs": true}])),
            ])
        );
        assert!(needs_evaluation(&planned, ["project_id", "name"]));
        assert!(!needs_evaluation(&planned, ["name", "scopes"]));
    }

    #[test]
    fn output_types_follow_terraform() {
        let v = obj(&[("a", Value::List(vec![Value::float(1.0)]))]);
        assert_eq!(
            type_json(&v),
            json!(["object", {"a": ["tuple", ["number"]]}])
        );
        assert_eq!(
            type_json(&Value::string("x").mark_sensitive()),
            json!("string")
        );
    }
}
