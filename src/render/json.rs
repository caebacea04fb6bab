//! The machine plan: Terraform's JSON plan format, `format_version` "1.2".
//!
//! One difference, on purpose: Terraform writes sensitive values in clear in `before` /
//! `after` and only flags them in `before_sensitive` / `after_sensitive`; scwform writes `null`
//! in their place (the flags stay), so a plan file or CI artifact never holds a secret.
//! Unknown values are left out of `after` objects (and are `null` in lists), and flagged in
//! `after_unknown`, as Terraform does.
//!
//! Invariant: the output is deterministic for a given plan, state and timestamp (objects are
//! `BTreeMap`s and every list is sorted by address or name).
//! Depends on `plan`, `state`, `schema` and `model::value`; pure.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use crate::addr::{InstanceAddr, InstanceKey, ModuleAddr, ResourceAddr};
use crate::diag::Span;
use crate::model::config::{Config, DependencyKind, ResourceInstance};
use crate::model::refs::{RefTarget, Reference};
use crate::model::value::Value;
use crate::plan::{Action, OutputChange, Plan, ResourceChange};
use crate::state::{SCALEWAY_PROVIDER, State, TERRAFORM_VERSION};

/// Whether `text` is a `MAJOR.MINOR.PATCH` version (with an optional `-pre` or `+build`).
fn is_version(text: &str) -> bool {
    let core = text.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The provider address as the JSON plan spells it.
pub const PROVIDER_NAME: &str = "registry.terraform.io/scaleway/scaleway";

/// What the JSON plan needs besides the plan.
#[derive(Debug, Clone, Copy)]
pub struct JsonInput<'a> {
    /// The state the plan was made against (refreshed), for `prior_state`.
    pub prior: &'a State,
    /// RFC 3339 time of planning (the caller reads the clock; tests pass a constant).
    pub timestamp: &'a str,
}

/// Renders the plan as a JSON document.
#[must_use]
pub fn render(plan: &Plan, input: &JsonInput<'_>) -> Json {
    let mut top = Map::new();
    top.insert("format_version".into(), "1.2".into());
    top.insert("terraform_version".into(), TERRAFORM_VERSION.into());
    top.insert("scwform_version".into(), env!("CARGO_PKG_VERSION").into());
    top.insert("variables".into(), variables(&plan.config));
    top.insert("planned_values".into(), planned_values(plan));
    top.insert(
        "resource_drift".into(),
        plan.drift.iter().map(resource_change).collect(),
    );
    top.insert(
        "resource_changes".into(),
        plan.changes.iter().map(resource_change).collect(),
    );
    top.insert(
        "output_changes".into(),
        plan.outputs
            .iter()
            .map(|o| (o.name.clone(), output_change(o)))
            .collect::<Map<_, _>>()
            .into(),
    );
    // Imported objects are read while planning but recorded only by the apply: as in
    // Terraform, the prior state does not hold them yet. Data sources read while planning are
    // in it, as Terraform's plan-time reads are.
    let adjusted;
    let prior = if plan.import_count() == 0 && plan.data.is_empty() {
        input.prior
    } else {
        let mut state = input.prior.clone();
        for c in plan.changes.iter().filter(|c| c.importing.is_some()) {
            state.remove_instance(&c.addr);
        }
        state.resources.retain(|r| !r.instances.is_empty());
        crate::plan::data::record_reads(&mut state, &plan.data);
        adjusted = state;
        &adjusted
    };
    top.insert("prior_state".into(), prior_state(prior));
    top.insert("configuration".into(), configuration(&plan.config));
    top.insert(
        "relevant_attributes".into(),
        relevant_attributes(&plan.config),
    );
    let checks = checks(plan);
    if checks.as_array().is_some_and(|c| !c.is_empty()) {
        top.insert("checks".into(), checks);
    }
    top.insert("timestamp".into(), input.timestamp.into());
    top.insert(
        "applyable".into(),
        (plan.has_changes() && !plan.errored).into(),
    );
    top.insert("complete".into(), true.into());
    top.insert("errored".into(), plan.errored.into());
    Json::Object(top)
}

fn variables(config: &Config) -> Json {
    config
        .variables
        .iter()
        .map(|(name, v)| (name.clone(), json!({ "value": known_json(v) })))
        .collect::<Map<_, _>>()
        .into()
}

/// JSON of a value with sensitive parts as `null` and unknown object attributes left out.
#[must_use]
pub fn known_json(v: &Value) -> Json {
    match v {
        Value::Null | Value::Unknown | Value::Sensitive(_) => Json::Null,
        Value::List(items) => items.iter().map(known_json).collect(),
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !v.is_unknown())
            .map(|(k, v)| (k.clone(), known_json(v)))
            .collect::<Map<_, _>>()
            .into(),
        other => other.to_json(),
    }
}

/// The shape of `v` with `true` where `pick` holds (leaves or whole subtrees); object
/// attributes and list elements where it does not are `false` (omitted in objects).
fn mask(v: &Value, pick: &dyn Fn(&Value) -> bool) -> Json {
    if pick(v) {
        return true.into();
    }
    match v {
        Value::List(items) => items.iter().map(|i| mask(i, pick)).collect(),
        Value::Object(map) => map
            .iter()
            .filter_map(|(k, v)| {
                let m = mask(v, pick);
                (m != Json::Bool(false)).then(|| (k.clone(), m))
            })
            .collect::<Map<_, _>>()
            .into(),
        _ => false.into(),
    }
}

fn unknown_mask(v: &Value) -> Json {
    match mask(v, &Value::is_unknown) {
        Json::Bool(false) => json!({}),
        m => m,
    }
}

fn sensitive_mask(v: Option<&Value>) -> Json {
    let Some(v) = v else {
        return false.into();
    };
    match mask(v, &|v| matches!(v, Value::Sensitive(_))) {
        Json::Bool(false) if matches!(v, Value::Object(_)) => json!({}),
        m => m,
    }
}

fn index_json(addr: &InstanceAddr) -> Option<Json> {
    addr.key.as_ref().map(|k| match k {
        InstanceKey::Int(i) => Json::from(*i),
        InstanceKey::Str(s) => Json::from(s.clone()),
    })
}

fn addressing(addr: &InstanceAddr, out: &mut Map<String, Json>) {
    out.insert("address".into(), addr.to_string().into());
    out.insert("mode".into(), json!(addr.resource.mode));
    out.insert("type".into(), addr.resource.type_name.clone().into());
    out.insert("name".into(), addr.resource.name.clone().into());
    if let Some(i) = index_json(addr) {
        out.insert("index".into(), i);
    }
    out.insert("provider_name".into(), PROVIDER_NAME.into());
}

/// `replace_paths`: each path as an array of steps (numbers for list indexes).
fn path_json(path: &str) -> Json {
    path.split('.')
        .map(|step| {
            step.parse::<u64>()
                .map_or_else(|_| Json::from(step), Json::from)
        })
        .collect()
}

fn change_json(
    action: Action,
    before: Option<&Value>,
    after: Option<&Value>,
    replace_paths: &[String],
) -> Json {
    let mut change = Map::new();
    change.insert(
        "actions".into(),
        action.json_actions().iter().copied().collect(),
    );
    change.insert("before".into(), before.map_or(Json::Null, known_json));
    change.insert("after".into(), after.map_or(Json::Null, known_json));
    change.insert(
        "after_unknown".into(),
        after.map_or_else(|| json!({}), unknown_mask),
    );
    change.insert("before_sensitive".into(), sensitive_mask(before));
    change.insert("after_sensitive".into(), sensitive_mask(after));
    if !replace_paths.is_empty() {
        change.insert(
            "replace_paths".into(),
            replace_paths.iter().map(|p| path_json(p)).collect(),
        );
    }
    Json::Object(change)
}

fn resource_change(c: &ResourceChange) -> Json {
    let mut out = Map::new();
    // Only changes name their module apart (Terraform's values list the full address only).
    if !c.addr.resource.module.is_root() {
        out.insert(
            "module_address".into(),
            c.addr.resource.module.to_string().into(),
        );
    }
    addressing(&c.addr, &mut out);
    if let Some(old) = &c.previous {
        out.insert("previous_address".into(), old.to_string().into());
    }
    if let Some(key) = &c.deposed {
        out.insert("deposed".into(), key.clone().into());
    }
    out.insert(
        "change".into(),
        change_json(
            c.action,
            c.before.as_ref(),
            c.after.as_ref(),
            &c.replace_paths,
        ),
    );
    if let (Some(id), Some(Json::Object(change))) = (&c.importing, out.get_mut("change")) {
        change.insert("importing".into(), json!({ "id": id }));
        if let Some(block) = &c.generated_config {
            change.insert("generated_config".into(), Json::String(block.clone()));
        }
    }
    if let Some(reason) = c.reason {
        out.insert("action_reason".into(), reason.as_str().into());
    }
    Json::Object(out)
}

fn output_change(o: &OutputChange) -> Json {
    let before = o.before.clone().map(|v| v.marked_if(o.sensitive));
    let after = o.after.clone().map(|v| v.marked_if(o.sensitive));
    let mut change = change_json(o.action, before.as_ref(), after.as_ref(), &[]);
    if let Json::Object(map) = &mut change {
        // Outputs are flagged as a whole: a plain `true` or `false` unless the value is a
        // collection.
        let unknown = match &o.after {
            Some(a) if a.is_unknown() => Some(true),
            Some(a) if a.as_list().is_none() && a.as_object().is_none() => Some(false),
            None => Some(false),
            Some(_) => None,
        };
        if let Some(u) = unknown {
            map.insert("after_unknown".into(), u.into());
        }
    }
    change
}

/// Terraform's module tree of `planned_values` and `prior_state`: the root module's resources,
/// and `child_modules` (by address, each with its own resources and children; a module without
/// resources of its own appears when a module it calls has some).
fn module_tree(resources: Vec<(ModuleAddr, Json)>) -> Json {
    let mut by_module: BTreeMap<ModuleAddr, Vec<Json>> = BTreeMap::new();
    by_module.insert(ModuleAddr::root(), Vec::new());
    for (module, r) in resources {
        // Every ancestor is a node of the tree.
        let mut ancestor = ModuleAddr::root();
        for step in module.steps() {
            ancestor = ancestor.child(step.name.clone(), step.key.clone());
            by_module.entry(ancestor.clone()).or_default();
        }
        by_module.entry(module).or_default().push(r);
    }
    Json::Object(module_node(&ModuleAddr::root(), &mut by_module))
}

/// One node of [`module_tree`]: `addr`'s resources and, recursively, its children.
fn module_node(
    addr: &ModuleAddr,
    by_module: &mut BTreeMap<ModuleAddr, Vec<Json>>,
) -> Map<String, Json> {
    let mut out = Map::new();
    let resources = by_module.remove(addr).unwrap_or_default();
    let depth = addr.steps().len();
    let children: Vec<ModuleAddr> = by_module
        .keys()
        .filter(|m| m.steps().len() == depth + 1 && addr.contains(m))
        .cloned()
        .collect();
    if addr.is_root() {
        out.insert("resources".into(), Json::Array(resources));
    } else {
        out.insert("address".into(), addr.to_string().into());
        if !resources.is_empty() {
            out.insert("resources".into(), Json::Array(resources));
        }
    }
    let mut children: Vec<(String, Json)> = children
        .iter()
        .map(|c| (c.to_string(), Json::Object(module_node(c, by_module))))
        .collect();
    // Terraform lists child modules by address.
    children.sort_by(|a, b| a.0.cmp(&b.0));
    if !children.is_empty() {
        out.insert(
            "child_modules".into(),
            Json::Array(children.into_iter().map(|(_, j)| j).collect()),
        );
    }
    out
}

fn planned_values(plan: &Plan) -> Json {
    let value = |addr: &InstanceAddr, after: &Value| {
        let mut r = Map::new();
        addressing(addr, &mut r);
        let version = crate::schema::resource(&addr.resource.type_name)
            .filter(|_| addr.resource.mode == crate::addr::Mode::Managed)
            .map_or(0, |s| s.schema_version);
        r.insert("schema_version".into(), version.into());
        r.insert("values".into(), known_json(after));
        r.insert("sensitive_values".into(), sensitive_mask(Some(after)));
        (addr.clone(), Json::Object(r))
    };
    let mut listed: Vec<(InstanceAddr, Json)> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::Delete)
        .filter_map(|c| Some(value(&c.addr, c.after.as_ref()?)))
        .chain(
            plan.data
                .iter()
                .map(|(addr, read)| value(addr, &read.value)),
        )
        .collect();
    // Data sources read while planning sort among the changes by address, as Terraform lists
    // them.
    listed.sort_by(|a, b| a.0.cmp(&b.0));
    let resources: Vec<(ModuleAddr, Json)> = listed
        .into_iter()
        .map(|(addr, r)| (addr.resource.module, r))
        .collect();
    let outputs: Map<String, Json> = plan
        .outputs
        .iter()
        .filter(|o| o.action != Action::Delete)
        .map(|o| {
            let mut v = Map::new();
            v.insert("sensitive".into(), o.sensitive.into());
            if let Some(a) = &o.after
                && !a.is_unknown()
                && !o.sensitive
            {
                v.insert("value".into(), known_json(a));
            }
            (o.name.clone(), Json::Object(v))
        })
        .collect();
    json!({ "outputs": outputs, "root_module": module_tree(resources) })
}

/// `prior_state` (also `show -json` of the state): the state's resources, sensitive values (by
/// schema and by the recorded `sensitive_attributes`) redacted. A deposed
/// object is listed under its instance's address with its `deposed_key`, as Terraform's JSON
/// state does.
#[must_use]
pub fn prior_state(state: &State) -> Json {
    let mut resources = Vec::new();
    for r in &state.resources {
        let schema = crate::schema::schema_of(r.mode == crate::addr::Mode::Data, &r.type_name);
        for i in &r.instances {
            let mut out = Map::new();
            let addr = r.addr().instance(i.index_key.clone());
            out.insert("address".into(), addr.to_string().into());
            out.insert("mode".into(), json!(r.mode));
            out.insert("type".into(), r.type_name.clone().into());
            out.insert("name".into(), r.name.clone().into());
            if let Some(k) = &i.index_key {
                out.insert("index".into(), json!(k));
            }
            // An aliased configuration (`….nl`) is the same provider.
            let provider = if r.provider == SCALEWAY_PROVIDER
                || r.provider
                    .strip_prefix(SCALEWAY_PROVIDER)
                    .is_some_and(|alias| alias.starts_with('.'))
            {
                PROVIDER_NAME.to_owned()
            } else {
                r.provider.clone()
            };
            out.insert("provider_name".into(), provider.into());
            if let Some(key) = &i.deposed {
                out.insert("deposed_key".into(), key.clone().into());
            }
            out.insert("schema_version".into(), i.schema_version.into());
            // Redacted as the plan's `before`: by schema and by the recorded
            // `sensitive_attributes`, at any depth.
            let object = crate::plan::sensitive::marked_object(
                schema,
                &i.attributes,
                &i.sensitive_attributes,
            );
            out.insert("values".into(), known_json(&object));
            out.insert("sensitive_values".into(), sensitive_mask(Some(&object)));
            resources.push((r.module.clone(), Json::Object(out)));
        }
    }
    let outputs: Map<String, Json> = state
        .outputs
        .iter()
        .map(|(name, o)| {
            let value = if o.sensitive {
                Json::Null
            } else {
                o.value.clone()
            };
            (
                name.clone(),
                json!({ "sensitive": o.sensitive, "value": value, "type": o.type_ }),
            )
        })
        .collect();
    // Terraform's own version when a state names none that parses (policy tools check it).
    let version = if is_version(&state.terraform_version) {
        state.terraform_version.as_str()
    } else {
        TERRAFORM_VERSION
    };
    json!({
        "format_version": "1.0",
        "terraform_version": version,
        "scwform_version": env!("CARGO_PKG_VERSION"),
        "values": { "outputs": outputs, "root_module": module_tree(resources) },
    })
}

/// Terraform's `references` for one reference: the whole static traversal, then each shorter
/// prefix down to the named object (`scaleway_container_namespace.ns["a"].id`,
/// `scaleway_container_namespace.ns["a"]`, `scaleway_container_namespace.ns`; `var.m["k"]`,
/// `var.m`), as Terraform 1.11 writes them.
fn reference_strings(r: &Reference) -> Vec<String> {
    let base = match &r.target {
        RefTarget::Variable(n) => format!("var.{n}"),
        RefTarget::Local(n) => format!("local.{n}"),
        RefTarget::Resource { type_name, name } => format!("{type_name}.{name}"),
        RefTarget::Module(name) => format!("module.{name}"),
        RefTarget::CountIndex => "count.index".to_owned(),
        RefTarget::EachKey => "each.key".to_owned(),
        RefTarget::EachValue => "each.value".to_owned(),
        RefTarget::Path(p) => format!("path.{p}"),
        RefTarget::Workspace => "terraform.workspace".to_owned(),
    };
    let mut prefixes = Vec::with_capacity(r.steps.len() + 1);
    let mut text = base;
    prefixes.push(text.clone());
    for step in &r.steps {
        text.push_str(step);
        prefixes.push(text.clone());
    }
    prefixes.reverse();
    prefixes
}

fn within(inner: Span, outer: Span) -> bool {
    inner.file == outer.file && inner.start >= outer.start && inner.end <= outer.end
}

/// An expression as Terraform's JSON configuration writes it: its `references` when it makes
/// some (in source order, repeated as often as they are made, as Terraform lists them), else
/// its `constant_value` when it has one (its value without variables or functions; sensitive
/// values as `null`), else nothing (`{}`: a function call such as `length(["a"])`).
fn expression<'r>(refs: impl Iterator<Item = &'r Reference>, constant: Option<&Value>) -> Json {
    let strings: Vec<String> = refs.flat_map(reference_strings).collect();
    if !strings.is_empty() {
        json!({ "references": strings })
    } else if let Some(value) = constant {
        json!({ "constant_value": known_json(value) })
    } else {
        json!({})
    }
}

/// One resource's configuration (from its first instance: every instance shares the block).
fn resource_configuration(first: &ResourceInstance) -> Json {
    let addr = &first.addr.resource;
    let mut out = Map::new();
    out.insert("address".into(), addr.to_string().into());
    out.insert("mode".into(), json!(addr.mode));
    out.insert("type".into(), first.addr.resource.type_name.clone().into());
    out.insert("name".into(), first.addr.resource.name.clone().into());
    // A root resource names its aliased configuration (`scaleway.nl`); a called module's
    // resources name the module's own default configuration.
    let key = match &first.provider {
        Some(alias) if addr.module.is_root() => format!("scaleway.{alias}"),
        _ => "scaleway".to_owned(),
    };
    out.insert("provider_config_key".into(), key.into());
    let mut expressions = Map::new();
    for (name, span) in &first.configured {
        let refs = first.references.iter().filter(|r| within(r.span, *span));
        // A sensitive attribute's constant is shown as its (redacted) value: the
        // configuration section holds no secret either.
        let evaluated = first.attributes.get(name);
        let constant = match evaluated {
            Some(v) if v.contains_sensitive() => first.expressions.constant(*span).and(Some(v)),
            _ => first.expressions.constant(*span),
        };
        expressions.insert((*name).to_owned(), expression(refs, constant));
    }
    for (name, blocks) in &first.blocks {
        let list: Vec<Json> = blocks
            .iter()
            .map(|b| {
                b.attributes
                    .iter()
                    .filter(|(_, v)| !v.is_null() && !v.is_unknown())
                    // Block attributes have no spans of their own: their values are shown.
                    .map(|(k, v)| ((*k).to_owned(), expression(std::iter::empty(), Some(v))))
                    .collect::<Map<_, _>>()
                    .into()
            })
            .collect();
        expressions.insert((*name).to_owned(), list.into());
    }
    out.insert("expressions".into(), expressions.into());
    out.insert("schema_version".into(), first.schema.schema_version.into());
    // References outside every attribute and block are those of `count` / `for_each` (and
    // `depends_on`, `lifecycle`).
    let depends_on: Vec<String> = first
        .dependencies
        .iter()
        .filter(|d| d.kind == DependencyKind::DependsOn)
        .map(|d| d.resource.to_string())
        .collect();
    let outside: Vec<&Reference> = first
        .references
        .iter()
        .filter(|r| {
            !first.configured.values().any(|s| within(r.span, *s))
                && !first
                    .blocks
                    .values()
                    .flatten()
                    .any(|b| within(r.span, b.span))
                && !matches!(&r.target, RefTarget::Resource { type_name, name }
                    if depends_on.contains(&format!("{type_name}.{name}")))
        })
        .collect();
    let meta = first
        .expressions
        .count
        .map(|s| ("count_expression", s))
        .or_else(|| {
            first
                .expressions
                .for_each
                .map(|s| ("for_each_expression", s))
        });
    if let Some((key, span)) = meta {
        let refs = outside.into_iter().filter(|r| within(r.span, span));
        let written = expression(refs, first.expressions.constant(span));
        // Terraform leaves out a `count` / `for_each` expression with nothing to show.
        if written.as_object().is_some_and(|m| !m.is_empty()) {
            out.insert(key.into(), written);
        }
    }
    if !depends_on.is_empty() {
        out.insert("depends_on".into(), depends_on.into());
    }
    Json::Object(out)
}

/// Terraform's `configuration`: the provider, each resource with its expressions (constant
/// values and references), `count` / `for_each` expressions and `depends_on`, the variables
/// and the outputs with their expressions.
fn configuration(config: &Config) -> Json {
    let mut firsts: std::collections::BTreeMap<&ResourceAddr, &ResourceInstance> =
        std::collections::BTreeMap::new();
    for i in config.instances.values() {
        firsts.entry(&i.addr.resource).or_insert(i);
    }
    let resources: Vec<Json> = firsts
        .values()
        .map(|first| resource_configuration(first))
        .collect();
    let outputs: Map<String, Json> = config
        .outputs
        .iter()
        .map(|(name, o)| {
            let mut v = Map::new();
            if o.sensitive {
                v.insert("sensitive".into(), true.into());
            }
            if let Some(d) = &o.description {
                v.insert("description".into(), d.clone().into());
            }
            v.insert(
                "expression".into(),
                expression(
                    o.references.iter(),
                    // As for attributes: a sensitive output's constant is its redacted value.
                    if o.value.contains_sensitive() {
                        o.constant.as_ref().and(Some(&o.value))
                    } else {
                        o.constant.as_ref()
                    },
                ),
            );
            (name.clone(), Json::Object(v))
        })
        .collect();
    let variables: Map<String, Json> = config
        .variable_decls
        .iter()
        .map(|(name, d)| {
            let mut v = Map::new();
            if d.has_default
                && let Some(value) = config.variables.get(name)
            {
                v.insert("default".into(), known_json(value));
            }
            if let Some(text) = &d.description {
                v.insert("description".into(), text.clone().into());
            }
            if d.sensitive {
                v.insert("sensitive".into(), true.into());
            }
            (name.clone(), Json::Object(v))
        })
        .collect();
    let provider_config = |alias: Option<&str>, values: &BTreeMap<&'static str, Value>| {
        let expressions: Map<String, Json> = values
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!({ "constant_value": known_json(v) })))
            .collect();
        let mut provider = Map::new();
        provider.insert("name".into(), "scaleway".into());
        provider.insert("full_name".into(), PROVIDER_NAME.into());
        if let Some(alias) = alias {
            provider.insert("alias".into(), alias.into());
        }
        if !expressions.is_empty() {
            provider.insert("expressions".into(), expressions.into());
        }
        Json::Object(provider)
    };
    let mut providers = Map::new();
    providers.insert("scaleway".into(), provider_config(None, &config.provider));
    for (alias, values) in &config.provider_aliases {
        providers.insert(
            format!("scaleway.{alias}"),
            provider_config(Some(alias), values),
        );
    }
    let mut root = Map::new();
    if !outputs.is_empty() {
        root.insert("outputs".into(), outputs.into());
    }
    root.insert("resources".into(), resources.into());
    if !variables.is_empty() {
        root.insert("variables".into(), variables.into());
    }
    json!({
        "provider_config": providers,
        "root_module": root,
    })
}

/// Terraform's `relevant_attributes`: every resource attribute the configuration reads (the
/// attributes whose changes outside may matter to the plan), sorted.
fn relevant_attributes(config: &Config) -> Json {
    let mut seen = std::collections::BTreeSet::new();
    let refs = config
        .instances
        .values()
        .flat_map(|i| i.references.iter())
        .chain(config.outputs.values().flat_map(|o| o.references.iter()));
    for r in refs {
        if let (RefTarget::Resource { type_name, name }, Some((attribute, _))) =
            (&r.target, &r.attribute)
        {
            seen.insert((format!("{type_name}.{name}"), attribute.clone()));
        }
    }
    seen.into_iter()
        .map(|(resource, attribute)| json!({ "resource": resource, "attribute": [attribute] }))
        .collect()
}

/// Terraform's `checks`: the result of each checkable object. scwform's are the variables'
/// `validation` blocks; a plan is only made when they pass.
fn checks(plan: &Plan) -> Json {
    let status = if plan.errored { "unknown" } else { "pass" };
    plan.config
        .variable_decls
        .iter()
        .filter(|(_, d)| d.validations > 0)
        .map(|(name, _)| {
            json!({
                "address": { "kind": "var", "name": name, "to_display": format!("var.{name}") },
                "status": status,
                "instances": [{
                    "address": { "to_display": format!("var.{name}") },
                    "status": status,
                }],
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn unknowns_leave_after_and_show_in_after_unknown() {
        let v = Value::Object(BTreeMap::from([
            ("id".to_owned(), Value::Unknown),
            ("name".to_owned(), Value::string("x")),
            ("token".to_owned(), Value::string("s3cret").mark_sensitive()),
        ]));
        assert_eq!(known_json(&v), json!({"name": "x", "token": null}));
        assert_eq!(unknown_mask(&v), json!({"id": true}));
        assert_eq!(sensitive_mask(Some(&v)), json!({"token": true}));
    }

    #[test]
    fn replace_paths_use_numbers_for_indexes() {
        assert_eq!(
            path_json("scopes.0.query_logs"),
            json!(["scopes", 0, "query_logs"])
        );
    }
}
