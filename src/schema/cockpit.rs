//! `scaleway_cockpit_token` (cockpit v1, regional).
//!
//! Data only; mirrors the provider's `internal/services/cockpit/token.go` (see
//! `provider-schema.md` §2). Every configurable field forces replacement: tokens have no
//! update call.

use super::{
    AttrType, AttributeSchema, BlockSchema, DefaultValue, ID, IdForm, PROJECT_ID, REGION,
    RawAttributes, ResourceSchema, StateUpgrader, Timeouts, Validation, timestamp,
    validation::is_uuid,
};

/// The region every token of the v1beta1 API lived in: the provider's 0 → 1 upgrader fills it
/// in.
const V0_REGION: &str = "fr-par";

/// The provider's upgrader from schema version 0 (tokens of the global v1beta1 API: a bare
/// UUID id, no region) to 1 (`{region}/{uuid}`): a missing `region` becomes `fr-par`, and a
/// bare UUID id becomes `fr-par/{uuid}`, as `cockpitTokenV1UpgradeFunc` does.
///
/// One addition: an id already in the `{region}/{uuid}` form is kept. The provider refuses
/// it, but it is what scwform releases before this one recorded under version 0 (the current
/// form with the wrong version), so such an object is already upgraded.
fn upgrade_token_v0(attributes: &mut RawAttributes) -> Result<(), String> {
    let id = match attributes.get("id") {
        Some(serde_json::Value::String(id)) => id.clone(),
        Some(other) => return Err(format!("expected the id to be a string, found {other}")),
        None => return Err("the object has no id".to_owned()),
    };
    let regional = id
        .split_once('/')
        .is_some_and(|(region, uuid)| crate::locality::is_region(region) && is_uuid(uuid));
    if !is_uuid(&id) && !regional {
        return Err(format!(
            "expected the id to be a UUID or {{region}}/{{uuid}}, found {id:?}"
        ));
    }
    attributes
        .entry("region".to_owned())
        .or_insert_with(|| V0_REGION.into());
    if !regional {
        attributes.insert("id".to_owned(), format!("{V0_REGION}/{id}").into());
    }
    Ok(())
}

const fn scope(name: &'static str, default: bool) -> AttributeSchema {
    AttributeSchema::new(name, AttrType::Bool)
        .optional()
        .force_new()
        .default(DefaultValue::Bool(default))
}

/// `scaleway_cockpit_token`.
pub(super) static TOKEN: ResourceSchema = ResourceSchema {
    type_name: "scaleway_cockpit_token",
    schema_version: 1,
    state_upgraders: &[StateUpgrader {
        from: 0,
        upgrade: upgrade_token_v0,
    }],
    attributes: &[
        ID,
        AttributeSchema::new("name", AttrType::String)
            .required()
            .force_new()
            .validate(Validation::Regex {
                pattern: "^[A-Za-z0-9_-]{3,50}$",
                description: "a cockpit token name is 3 to 50 letters, digits, `-` or `_`",
            }),
        AttributeSchema::new("secret_key", AttrType::String)
            .computed()
            .sensitive(),
        timestamp("created_at"),
        timestamp("updated_at"),
        PROJECT_ID,
        REGION,
    ],
    blocks: &[BlockSchema::single(
        "scopes",
        &[
            scope("query_metrics", false),
            scope("write_metrics", true),
            scope("setup_metrics_rules", false),
            scope("query_logs", false),
            scope("write_logs", true),
            scope("setup_logs_rules", false),
            scope("setup_alerts", false),
            scope("query_traces", false),
            scope("write_traces", false),
        ],
        &[],
    )
    .computed()
    .force_new()],
    id_form: IdForm::Regional,
    name_prefix: None,
    constraints: &[],
    timeouts: Timeouts::all(5 * 60, true),
    deprecated: None,
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attributes(value: serde_json::Value) -> RawAttributes {
        serde_json::from_value(value).expect("an object")
    }

    const UUID: &str = "11111111-2222-3333-4444-555555555555";

    #[test]
    fn upgrade_v0_prefixes_a_bare_uuid_with_fr_par_and_fills_the_region() {
        let mut raw = attributes(json!({"id": UUID, "name": "t"}));
        upgrade_token_v0(&mut raw).expect("upgrades");
        assert_eq!(
            raw,
            attributes(json!({"id": format!("fr-par/{UUID}"), "name": "t", "region": "fr-par"}))
        );
    }

    #[test]
    fn upgrade_v0_keeps_a_recorded_region_and_a_regional_id() {
        // The provider's upgrader prefixes with fr-par whatever the recorded region.
        let mut raw = attributes(json!({"id": UUID, "region": "nl-ams"}));
        upgrade_token_v0(&mut raw).expect("upgrades");
        assert_eq!(raw["id"], json!(format!("fr-par/{UUID}")));
        assert_eq!(raw["region"], "nl-ams");
        // What older scwform releases recorded under version 0: already the current form.
        let before = attributes(json!({"id": format!("pl-waw/{UUID}"), "region": "pl-waw"}));
        let mut raw = before.clone();
        upgrade_token_v0(&mut raw).expect("upgrades");
        assert_eq!(raw, before);
    }

    #[test]
    fn upgrade_v0_refuses_ids_the_provider_refuses() {
        for id in [
            json!("not-a-uuid"),
            json!(7),
            json!(format!("Paris/{UUID}")),
        ] {
            let mut raw = attributes(json!({ "id": id }));
            let error = upgrade_token_v0(&mut raw).expect_err("refused");
            assert!(error.contains("expected the id"), "{error}");
        }
        assert!(upgrade_token_v0(&mut RawAttributes::new()).is_err());
    }
}
