//! The per-type API mappings (`api::resources`) against the in-process emulator: for every
//! resource type, create → read → update (where it exists) → delete → read = gone, checking
//! the state-form attributes field by field; plus retries (403 window, 5xx), warnings and
//! secret hygiene.

use std::sync::Arc;
use std::time::Duration;

use scwform::api::client::{Client, ClientConfig};
use scwform::api::names::NameGenerator;
use scwform::api::resources::{
    ApiContext, Attributes, Changed, Defaults, Outcome, ResourceApi, ResourceError, WaitSettings,
    resource_api, secret_matches,
};
use scwform::api::retry::RetryPolicy;
use scwform::emulator::{Emulator, EmulatorConfig, EmulatorHandle, ManualClock};
use secrecy::SecretString;
use serde_json::{Value, json};

struct Env {
    emu: EmulatorHandle,
    clock: Arc<ManualClock>,
    cx: ApiContext,
    http: reqwest::Client,
}

/// The plan's decision, as the tests below state it.
fn changed<const N: usize>(names: [&str; N]) -> Changed {
    Changed::from_paths(names)
}

fn attrs(value: Value) -> Attributes {
    serde_json::from_value(value).expect("test attributes are an object")
}

fn api(type_name: &str) -> &'static dyn ResourceApi {
    resource_api(type_name).expect("every managed type has a mapping")
}

impl Env {
    async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    async fn start_with(tweak: impl FnOnce(&mut EmulatorConfig)) -> Self {
        let (mut config, clock) = EmulatorConfig::deterministic();
        tweak(&mut config);
        let emu = Emulator::start(config).await.expect("emulator starts");
        let mut client_config = ClientConfig::new(
            emu.base_url(),
            Some(SecretString::from(emu.secret_key().to_owned())),
        );
        client_config.retry = RetryPolicy {
            max_retries: 3,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            max_elapsed: Duration::from_secs(5),
            jitter: false,
        };
        let client = Client::new(client_config).expect("client builds");
        let cx = ApiContext {
            client,
            defaults: Defaults {
                organization_id: Some(emu.organization_id()),
                project_id: None,
                region: "fr-par".to_owned(),
            },
            waits: WaitSettings::fast(),
            names: NameGenerator::seeded(1),
            providers: std::collections::BTreeMap::new(),
        };
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("plain client builds");
        Self {
            emu,
            clock,
            cx,
            http,
        }
    }

    /// `POST /_emulator/<path>` with a JSON body.
    async fn admin(&self, path: &str, body: Value) {
        let res = self
            .http
            .post(format!("{}/_emulator{path}", self.emu.base_url()))
            .json(&body)
            .send()
            .await
            .expect("admin call answers");
        assert!(res.status().is_success(), "admin {path}: {}", res.status());
    }

    async fn put_faults(&self, body: Value) {
        let res = self
            .http
            .put(format!("{}/_emulator/faults", self.emu.base_url()))
            .json(&body)
            .send()
            .await
            .expect("admin call answers");
        assert!(res.status().is_success());
    }

    async fn create(&self, ty: &str, desired: Value) -> Outcome {
        api(ty)
            .create(&self.cx, &attrs(desired))
            .await
            .unwrap_or_else(|e| panic!("create {ty}: {e}"))
    }

    async fn read(&self, ty: &str, prior: &Attributes) -> Option<Outcome> {
        api(ty)
            .read(&self.cx, prior)
            .await
            .unwrap_or_else(|e| panic!("read {ty}: {e}"))
    }

    async fn delete(&self, ty: &str, prior: &Attributes) {
        api(ty)
            .delete(&self.cx, prior)
            .await
            .unwrap_or_else(|e| panic!("delete {ty}: {e}"));
    }

    /// Deletes, then checks the object reads as gone and a second delete is harmless.
    async fn delete_and_check_gone(&self, ty: &str, prior: &Attributes) {
        self.delete(ty, prior).await;
        assert!(self.read(ty, prior).await.is_none(), "{ty} is gone");
        self.delete(ty, prior).await;
    }
}

fn s<'a>(a: &'a Attributes, key: &str) -> &'a str {
    a.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("`{key}` is a string in {:?}", a.keys().collect::<Vec<_>>()))
}

fn assert_regional_id(value: &str, region: &str) -> uuid::Uuid {
    let (r, id) = value.split_once('/').expect("regional id");
    assert_eq!(r, region);
    uuid::Uuid::parse_str(id).expect("uuid part")
}

fn assert_timestamp(value: &str) {
    let parsed: Result<jiff::Timestamp, _> = value.parse();
    assert!(
        parsed.is_ok() && value.len() == 20 && value.ends_with('Z'),
        "RFC 3339 UTC whole seconds: {value}"
    );
}

fn assert_generated(name: &str, prefix: &str) {
    let rest = name
        .strip_prefix(&format!("tf-{prefix}-"))
        .unwrap_or_else(|| panic!("{name} starts with tf-{prefix}-"));
    let (adjective, surname) = rest.split_once('-').expect("adjective-surname");
    assert!(!adjective.is_empty() && !surname.is_empty() && !surname.contains('-'));
}

#[tokio::test]
async fn project_is_created_read_renamed_and_deleted() {
    let env = Env::start().await;
    let ty = "scaleway_account_project";
    let created = env
        .create(ty, json!({"name": null, "description": null}))
        .await;
    let a = &created.attributes;
    assert!(created.warnings.is_empty());
    uuid::Uuid::parse_str(s(a, "id")).expect("a project id is a bare uuid");
    assert_generated(s(a, "name"), "project");
    assert_eq!(
        s(a, "organization_id"),
        env.emu.organization_id().to_string()
    );
    assert_eq!(
        a["description"],
        json!(""),
        "an unset string is recorded as the provider does"
    );
    assert_timestamp(s(a, "created_at"));
    assert_timestamp(s(a, "updated_at"));

    let read = env.read(ty, a).await.expect("exists");
    assert_eq!(
        &read.attributes, a,
        "a read right after create changes nothing"
    );

    env.clock.advance(Duration::from_secs(3));
    let mut desired = a.clone();
    desired.insert("name".into(), json!("renamed"));
    desired.insert("description".into(), json!("now described"));
    let updated = api(ty)
        .update(&env.cx, a, &desired, &changed(["name", "description"]))
        .await
        .expect("projects update in place");
    let u = &updated.attributes;
    assert_eq!(s(u, "id"), s(a, "id"));
    assert_eq!(s(u, "name"), "renamed");
    assert_eq!(s(u, "description"), "now described");
    assert_ne!(s(u, "updated_at"), s(a, "updated_at"));
    let reread = env.read(ty, u).await.expect("exists");
    assert_eq!(s(&reread.attributes, "name"), "renamed");

    env.delete_and_check_gone(ty, u).await;
}

#[tokio::test]
async fn cockpit_token_maps_scopes_and_keeps_its_secret() {
    let env = Env::start().await;
    let project = env
        .create("scaleway_account_project", json!({"name": "p"}))
        .await;
    let project_id = s(&project.attributes, "id").to_owned();
    let ty = "scaleway_cockpit_token";

    let created = env
        .create(ty, json!({"name": "metrics", "project_id": project_id}))
        .await;
    let a = &created.attributes;
    assert_regional_id(s(a, "id"), "fr-par");
    assert_eq!(s(a, "region"), "fr-par");
    assert_eq!(s(a, "project_id"), project_id);
    assert_eq!(s(a, "name"), "metrics");
    assert_timestamp(s(a, "created_at"));
    let secret = s(a, "secret_key").to_owned();
    assert!(!secret.is_empty());
    assert_eq!(
        a["scopes"],
        json!([{
            "query_metrics": false, "write_metrics": true, "setup_metrics_rules": false,
            "query_logs": false, "write_logs": true, "setup_logs_rules": false,
            "setup_alerts": false, "query_traces": false, "write_traces": false
        }]),
        "no scopes block: the provider's defaults"
    );

    // The API never returns the secret again: a read keeps the recorded one.
    let read = env.read(ty, a).await.expect("exists");
    assert_eq!(s(&read.attributes, "secret_key"), secret);
    assert_eq!(read.attributes, *a);
    let mut without_secret = a.clone();
    without_secret.remove("secret_key");
    let read = env.read(ty, &without_secret).await.expect("exists");
    assert!(!read.attributes.contains_key("secret_key"));

    let err = api(ty)
        .update(&env.cx, a, a, &Changed::default())
        .await
        .expect_err("no update");
    assert!(matches!(err, ResourceError::UpdateUnsupported { .. }));

    let scoped = env
        .create(
            ty,
            json!({"name": "reader", "region": "nl-ams", "scopes": [{
                "query_metrics": true, "write_metrics": false, "query_logs": true,
                "write_logs": false, "write_traces": true
            }]}),
        )
        .await;
    let b = &scoped.attributes;
    assert_regional_id(s(b, "id"), "nl-ams");
    assert_eq!(
        s(b, "project_id"),
        env.emu.default_project_id().to_string(),
        "the default project when project_id is unset"
    );
    let booleans = &b["scopes"][0];
    assert_eq!(booleans["query_metrics"], json!(true));
    assert_eq!(booleans["query_logs"], json!(true));
    assert_eq!(booleans["write_traces"], json!(true));
    assert_eq!(booleans["write_metrics"], json!(false));
    assert_eq!(booleans["write_logs"], json!(false));
    assert_eq!(booleans["setup_alerts"], json!(false));

    env.delete_and_check_gone(ty, a).await;
    env.delete_and_check_gone(ty, b).await;
}

#[tokio::test]
async fn cockpit_calls_are_retried_while_a_new_project_propagates() {
    let env = Env::start().await;
    env.put_faults(json!({"cockpit_denied_after_project_ms": 1000}))
        .await;
    let project = env
        .create("scaleway_account_project", json!({"name": "fresh"}))
        .await;
    let project_id = s(&project.attributes, "id").to_owned();

    // Right after the project, Cockpit refuses: the window is real.
    let direct: Result<Value, _> = env
        .cx
        .client
        .get(
            "/cockpit/v1/regions/fr-par/tokens",
            &scwform::api::client::Query::new().with("project_id", &project_id),
        )
        .await;
    assert!(direct.is_err_and(|e| e.is_permission_denied()));

    // The window closes while the create is retrying.
    let clock = env.clock.clone();
    let opener = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        clock.advance(Duration::from_secs(2));
    });
    let started = std::time::Instant::now();
    let created = env
        .create(
            "scaleway_cockpit_token",
            json!({"name": "after-iam", "project_id": project_id}),
        )
        .await;
    opener.await.expect("clock task ends");
    assert!(started.elapsed() >= Duration::from_millis(50), "it waited");
    assert_eq!(s(&created.attributes, "project_id"), project_id);
}

#[tokio::test]
async fn container_namespace_round_trip_with_hashed_secrets() {
    let env = Env::start().await;
    let ty = "scaleway_container_namespace";
    let created = env
        .create(
            ty,
            json!({
                "description": "ns",
                "environment_variables": {"A": "1"},
                "secret_environment_variables": {"KEEP": "s3cret", "DROP": "gone"},
                "tags": ["x"]
            }),
        )
        .await;
    let a = &created.attributes;
    assert_regional_id(s(a, "id"), "fr-par");
    assert_generated(s(a, "name"), "ns");
    assert_eq!(s(a, "description"), "ns");
    assert_eq!(a["tags"], json!(["x"]));
    assert_eq!(a["environment_variables"], json!({"A": "1"}));
    assert_eq!(s(a, "project_id"), env.emu.default_project_id().to_string());
    assert_eq!(
        s(a, "organization_id"),
        env.emu.organization_id().to_string()
    );
    assert_eq!(s(a, "region"), "fr-par");
    assert_eq!(a["destroy_registry"], json!(false));
    assert_eq!(s(a, "registry_endpoint"), "");
    let keep_hash = a["secret_environment_variables"]["KEEP"]
        .as_str()
        .expect("a hash")
        .to_owned();
    assert!(keep_hash.starts_with("$argon2id$"), "state holds hashes");
    assert!(secret_matches("s3cret", &keep_hash));
    assert!(!secret_matches("other", &keep_hash));

    let read = env.read(ty, a).await.expect("exists");
    assert_eq!(read.attributes, *a);

    // Config holds plaintexts; KEEP is unchanged (its hash must survive), DROP goes, NEW comes.
    let mut desired = a.clone();
    desired.insert("description".into(), json!("changed"));
    desired.insert("tags".into(), Value::Null);
    desired.insert("environment_variables".into(), json!({"A": "2"}));
    desired.insert(
        "secret_environment_variables".into(),
        json!({"KEEP": "s3cret", "NEW": "fresh"}),
    );
    let updated = api(ty)
        .update(
            &env.cx,
            a,
            &desired,
            &changed([
                "description",
                "tags",
                "environment_variables",
                "secret_environment_variables",
            ]),
        )
        .await
        .expect("update");
    let u = &updated.attributes;
    assert_eq!(s(u, "description"), "changed");
    assert_eq!(u["tags"], Value::Null, "cleared tags stay unset");
    assert_eq!(u["environment_variables"], json!({"A": "2"}));
    let secrets = u["secret_environment_variables"]
        .as_object()
        .expect("hashes");
    assert_eq!(
        secrets.keys().collect::<Vec<_>>(),
        ["KEEP", "NEW"],
        "DROP was deleted"
    );
    assert_eq!(
        secrets["KEEP"],
        json!(keep_hash),
        "kept with \"\", not rehashed"
    );
    assert!(secret_matches(
        "fresh",
        secrets["NEW"].as_str().expect("hash")
    ));

    env.delete_and_check_gone(ty, u).await;
}

#[tokio::test]
async fn container_round_trip_with_defaults_and_in_place_update() {
    let env = Env::start().await;
    let ns = env
        .create("scaleway_container_namespace", json!({"name": "shop"}))
        .await;
    let ns_id = assert_regional_id(s(&ns.attributes, "id"), "fr-par");
    let ty = "scaleway_container";
    let created = env
        .create(
            ty,
            json!({
                // A bare UUID is accepted and recorded as region/uuid.
                "namespace_id": ns_id.to_string(),
                "privacy": "public",
                "protocol": "http1",
                "port": 8080,
                "secret_environment_variables": {"TOKEN": "abc"},
            }),
        )
        .await;
    assert!(created.warnings.is_empty(), "{:?}", created.warnings);
    let a = &created.attributes;
    assert_regional_id(s(a, "id"), "fr-par");
    assert_eq!(s(a, "namespace_id"), format!("fr-par/{ns_id}"));
    let name = s(a, "name").to_owned();
    assert_generated(&name, "co");
    assert_eq!(
        s(a, "image"),
        format!("rg.fr-par.scw.cloud/shop/{name}:latest"),
        "the default image"
    );
    assert_eq!(s(a, "registry_image"), s(a, "image"));
    assert_eq!(s(a, "status"), "ready");
    // Issue 9 item 11: the provider no longer sets `cron_status` (#4075).
    assert_eq!(a["cron_status"], Value::Null);
    assert_eq!(s(a, "region"), "fr-par");
    for (key, want) in [
        ("min_scale", json!(0)),
        ("max_scale", json!(5)),
        ("memory_limit_bytes", json!(2_048_000_000_u64)),
        ("memory_limit", json!(2048)),
        ("cpu_limit", json!(1000)),
        ("timeout", json!(300)),
        ("privacy", json!("public")),
        ("protocol", json!("http1")),
        ("port", json!(8080)),
        ("sandbox", json!("v2")),
        ("https_connections_only", json!(false)),
        ("http_option", json!("enabled")),
        ("local_storage_limit_bytes", json!(1_000_000_000_u64)),
        ("local_storage_limit", json!(1000)),
        ("environment_variables", json!({})),
        ("tags", Value::Null),
        ("command", Value::Null),
        ("startup_probe", Value::Null),
        ("private_network_id", json!("")),
        (
            "scaling_option",
            json!([{"concurrent_requests_threshold": 50, "cpu_usage_threshold": 0, "memory_usage_threshold": 0}]),
        ),
        (
            "liveness_probe",
            json!([{"failure_threshold": 30, "interval": "10s", "timeout": "1s", "tcp": true, "http": []}]),
        ),
        (
            "health_check",
            json!([{"failure_threshold": 30, "interval": "10s", "tcp": true, "http": []}]),
        ),
    ] {
        assert_eq!(a[key], want, "{key}");
    }
    let endpoint = s(a, "public_endpoint");
    assert!(endpoint.starts_with("https://") && endpoint.contains(&name));
    assert_eq!(format!("https://{}", s(a, "domain_name")), endpoint);
    let hash = a["secret_environment_variables"]["TOKEN"]
        .as_str()
        .expect("hash");
    assert!(hash.starts_with("$argon2id$") && secret_matches("abc", hash));

    let read = env.read(ty, a).await.expect("exists");
    assert_eq!(read.attributes, *a);

    let mut desired = a.clone();
    desired.insert("https_connections_only".into(), json!(true));
    desired.insert("timeout".into(), json!(60.0));
    desired.insert("memory_limit_bytes".into(), json!(1_024_000_000_u64));
    desired.insert(
        "secret_environment_variables".into(),
        json!({"TOKEN": "abc"}),
    );
    desired.insert(
        "liveness_probe".into(),
        json!([{"failure_threshold": 3, "interval": "1m30s", "timeout": "2s", "tcp": false, "http": [{"path": "/health"}]}]),
    );
    desired.insert(
        "scaling_option".into(),
        json!([{"cpu_usage_threshold": 70}]),
    );
    desired.insert("command".into(), json!(["serve"]));
    let updated = api(ty)
        .update(
            &env.cx,
            a,
            &desired,
            &changed([
                "https_connections_only",
                "timeout",
                "memory_limit_bytes",
                "liveness_probe",
                "scaling_option",
                "command",
            ]),
        )
        .await
        .expect("update");
    let u = &updated.attributes;
    assert_eq!(
        u["https_connections_only"],
        json!(true),
        "sent as https_connection_only in the PATCH"
    );
    assert_eq!(s(u, "http_option"), "redirected");
    assert_eq!(u["timeout"], json!(60));
    assert_eq!(u["memory_limit_bytes"], json!(1_024_000_000_u64));
    assert_eq!(u["memory_limit"], json!(1024));
    assert_eq!(
        u["liveness_probe"],
        json!([{"failure_threshold": 3, "interval": "1m30s", "timeout": "2s", "tcp": false, "http": [{"path": "/health"}]}])
    );
    assert_eq!(
        u["scaling_option"],
        json!([{"concurrent_requests_threshold": 0, "cpu_usage_threshold": 70, "memory_usage_threshold": 0}])
    );
    assert_eq!(u["command"], json!(["serve"]));
    assert_eq!(
        u["secret_environment_variables"]["TOKEN"],
        json!(hash),
        "an unchanged secret keeps its hash"
    );
    assert_eq!(s(u, "status"), "ready");
    assert_eq!(s(u, "image"), s(a, "image"));

    env.delete_and_check_gone(ty, u).await;
    env.delete_and_check_gone("scaleway_container_namespace", &ns.attributes)
        .await;
}

#[tokio::test]
async fn container_settled_in_error_is_a_warning() {
    let env = Env::start().await;
    let ns = env
        .create("scaleway_container_namespace", json!({"name": "broken"}))
        .await;
    let created = env
        .create(
            "scaleway_container",
            json!({"namespace_id": s(&ns.attributes, "id"), "name": "app", "image": "hello-world:latest"}),
        )
        .await;
    let id = assert_regional_id(s(&created.attributes, "id"), "fr-par");
    env.admin(
        &format!("/containers/{id}/error"),
        json!({"error_message": "Container is unable to start OR is not listening on port 8080"}),
    )
    .await;
    let read = env
        .read("scaleway_container", &created.attributes)
        .await
        .expect("still exists");
    assert_eq!(s(&read.attributes, "status"), "error");
    assert_eq!(
        s(&read.attributes, "error_message"),
        "Container is unable to start OR is not listening on port 8080"
    );
    assert_eq!(
        read.warnings,
        [
            "Container is not ready, but has status \"error\": Container is unable to start OR is not listening on port 8080"
        ]
    );
    env.delete_and_check_gone("scaleway_container", &read.attributes)
        .await;
}

#[tokio::test]
async fn container_tokens_record_their_secret_once_and_references_as_regional_ids() {
    let env = Env::start().await;
    let ns = env
        .create("scaleway_container_namespace", json!({"name": "tok"}))
        .await;
    let ns_id = s(&ns.attributes, "id").to_owned();
    let container = env
        .create(
            "scaleway_container",
            json!({"namespace_id": ns_id, "name": "app", "image": "nginx:latest"}),
        )
        .await;
    let container_uuid = assert_regional_id(s(&container.attributes, "id"), "fr-par");
    let ty = "scaleway_container_token";

    let by_namespace = env
        .create(
            ty,
            json!({"namespace_id": ns_id, "expires_at": "2036-05-06T16:42:11+02:00"}),
        )
        .await;
    let a = &by_namespace.attributes;
    assert_regional_id(s(a, "id"), "fr-par");
    assert_eq!(s(a, "namespace_id"), ns_id);
    assert_eq!(a["container_id"], json!(""));
    assert_eq!(
        s(a, "expires_at"),
        "2036-05-06T14:42:11Z",
        "normalised to UTC"
    );
    assert_eq!(a["description"], json!(""));
    assert_eq!(s(a, "region"), "fr-par");
    let token = s(a, "token").to_owned();
    assert!(!token.is_empty() && token != "<hidden>");
    let read = env.read(ty, a).await.expect("exists");
    assert_eq!(s(&read.attributes, "token"), token, "reads keep the secret");
    assert_eq!(read.attributes, *a);
    let mut forgotten = a.clone();
    forgotten.remove("token");
    let read = env.read(ty, &forgotten).await.expect("exists");
    assert!(
        !read.attributes.contains_key("token"),
        "the API's \"<hidden>\" placeholder never reaches state"
    );

    let by_container = env
        .create(
            ty,
            json!({"container_id": container_uuid.to_string(), "description": "ci"}),
        )
        .await;
    let b = &by_container.attributes;
    assert_eq!(s(b, "container_id"), format!("fr-par/{container_uuid}"));
    assert_eq!(b["namespace_id"], json!(""));
    assert_eq!(s(b, "description"), "ci");
    assert_eq!(b["expires_at"], json!(""));

    let both = api(ty)
        .create(
            &env.cx,
            &attrs(json!({"container_id": container_uuid.to_string(), "namespace_id": ns_id})),
        )
        .await;
    assert!(matches!(both, Err(ResourceError::InvalidAttribute { .. })));
    let elsewhere = api(ty)
        .create(
            &env.cx,
            &attrs(json!({"namespace_id": ns_id, "region": "nl-ams"})),
        )
        .await;
    assert!(matches!(
        elsewhere,
        Err(ResourceError::InvalidAttribute { .. })
    ));

    env.delete_and_check_gone(ty, a).await;
    env.delete_and_check_gone(ty, b).await;
}

#[tokio::test]
async fn function_namespace_and_tokens_round_trip() {
    let env = Env::start().await;
    let ty = "scaleway_function_namespace";
    let created = env
        .create(
            ty,
            json!({"secret_environment_variables": {"A": "1", "B": "2"}, "environment_variables": {"X": "y"}}),
        )
        .await;
    let a = &created.attributes;
    let region = "fr-par";
    let ns_uuid = assert_regional_id(s(a, "id"), region);
    assert_generated(s(a, "name"), "func");
    assert!(!s(a, "registry_endpoint").is_empty(), "set once ready");
    assert!(!s(a, "registry_namespace_id").is_empty());
    assert_eq!(a["environment_variables"], json!({"X": "y"}));
    let hash_a = a["secret_environment_variables"]["A"]
        .as_str()
        .expect("hash")
        .to_owned();
    assert!(secret_matches("1", &hash_a));
    assert_eq!(env.read(ty, a).await.expect("exists").attributes, *a);

    let mut desired = a.clone();
    desired.insert(
        "secret_environment_variables".into(),
        json!({"A": "1", "C": "3"}),
    );
    desired.insert("description".into(), json!("fn"));
    let updated = api(ty)
        .update(
            &env.cx,
            a,
            &desired,
            &changed(["secret_environment_variables", "description"]),
        )
        .await
        .expect("update");
    let u = &updated.attributes;
    let secrets = u["secret_environment_variables"].as_object().expect("map");
    assert_eq!(secrets.keys().collect::<Vec<_>>(), ["A", "C"]);
    assert_eq!(
        secrets["A"],
        json!(hash_a),
        "unchanged secrets are not sent"
    );
    assert!(secret_matches("3", secrets["C"].as_str().expect("hash")));
    assert_eq!(s(u, "description"), "fn");

    // A function for a function-scoped token.
    let function: scwform::api::types::functions::Function = env
        .cx
        .client
        .post(
            "/functions/v1beta1/regions/fr-par/functions",
            &json!({"name": "f", "namespace_id": ns_uuid.to_string(), "runtime": "node22"}),
        )
        .await
        .expect("function created");
    let tok = "scaleway_function_token";
    let by_function = env
        .create(
            tok,
            json!({"function_id": format!("fr-par/{}", function.id)}),
        )
        .await;
    let t = &by_function.attributes;
    assert_eq!(s(t, "function_id"), format!("fr-par/{}", function.id));
    assert_eq!(t["namespace_id"], json!(""));
    let secret = s(t, "token").to_owned();
    assert!(!secret.is_empty() && secret != "<hidden>");
    assert_eq!(
        s(&env.read(tok, t).await.expect("exists").attributes, "token"),
        secret
    );
    let by_namespace = env
        .create(tok, json!({"namespace_id": ns_uuid.to_string()}))
        .await;
    assert_eq!(
        s(&by_namespace.attributes, "namespace_id"),
        format!("fr-par/{ns_uuid}")
    );

    env.delete_and_check_gone(tok, t).await;
    env.delete_and_check_gone(tok, &by_namespace.attributes)
        .await;
    env.delete_and_check_gone(ty, u).await;
}

#[tokio::test]
async fn transient_server_errors_are_retried() {
    let env = Env::start().await;
    env.admin(
        "/faults/targeted",
        json!({"method": "POST", "path_prefix": "/account/v3/projects", "count": 1, "action": "status", "status": 503}),
    )
    .await;
    let project = env
        .create("scaleway_account_project", json!({"name": "retry"}))
        .await;
    env.admin(
        "/faults/targeted",
        json!({"method": "GET", "path_prefix": "/account/v3/projects", "count": 2, "action": "status", "status": 502}),
    )
    .await;
    let read = env
        .read("scaleway_account_project", &project.attributes)
        .await
        .expect("exists");
    assert_eq!(s(&read.attributes, "name"), "retry");
}

#[tokio::test]
async fn debug_output_holds_no_secret() {
    let env = Env::start().await;
    let key = env.emu.secret_key().to_owned();
    assert!(!format!("{:?}", env.cx).contains(&key));
    assert!(!format!("{:?}", env.cx.client).contains(&key));
    let token = env
        .create("scaleway_cockpit_token", json!({"name": "dbg"}))
        .await;
    let secret = s(&token.attributes, "secret_key").to_owned();
    let shown = format!("{token:?}");
    assert!(!shown.contains(&secret), "{shown}");
    assert!(shown.contains("<redacted>"));
}

#[tokio::test]
async fn malformed_attributes_are_errors_not_panics() {
    let env = Env::start().await;
    for (ty, prior) in [
        ("scaleway_container", json!({"id": "not-regional"})),
        (
            "scaleway_container",
            json!({"id": "../x/11111111-1111-1111-1111-111111111111"}),
        ),
        ("scaleway_account_project", json!({"id": 42})),
        ("scaleway_cockpit_token", json!({})),
    ] {
        let result = api(ty).read(&env.cx, &attrs(prior.clone())).await;
        assert!(
            matches!(result, Err(ResourceError::InvalidAttribute { .. })),
            "{ty} {prior}"
        );
    }
    let ns = env
        .create("scaleway_container_namespace", json!({"name": "bad"}))
        .await;
    let two_thresholds = api("scaleway_container")
        .create(
            &env.cx,
            &attrs(json!({
                "namespace_id": s(&ns.attributes, "id"),
                "scaling_option": [{"cpu_usage_threshold": 50, "memory_usage_threshold": 50}]
            })),
        )
        .await;
    assert!(matches!(
        two_thresholds,
        Err(ResourceError::InvalidAttribute { ref attribute, .. }) if attribute == "scaling_option"
    ));
}

#[tokio::test]
async fn project_delete_retries_while_the_project_is_not_usable() {
    use axum::http::{StatusCode, header::CONTENT_TYPE};
    use axum::response::IntoResponse;
    use std::sync::atomic::{AtomicU32, Ordering};

    // The emulator has no switch for this answer, so a two-line server plays the API.
    let attempts = Arc::new(AtomicU32::new(0));
    let counter = attempts.clone();
    let app = axum::Router::new().route(
        "/account/v3/projects/{id}",
        axum::routing::delete(move || {
            let counter = counter.clone();
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                    (
                        StatusCode::PRECONDITION_FAILED,
                        [(CONTENT_TYPE, "application/json")],
                        r#"{"help_message":"please retry later","message":"precondition is not respected","precondition":"resource_not_usable","type":"precondition_failed"}"#,
                    )
                        .into_response()
                } else {
                    StatusCode::NO_CONTENT.into_response()
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("bound");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let cx = ApiContext {
        client: Client::new(ClientConfig::new(format!("http://{addr}"), None))
            .expect("client builds"),
        defaults: Defaults::default(),
        waits: WaitSettings::fast(),
        names: NameGenerator::seeded(0),
        providers: std::collections::BTreeMap::new(),
    };
    api("scaleway_account_project")
        .delete(
            &cx,
            &attrs(json!({"id": "33333333-3333-3333-3333-333333333333"})),
        )
        .await
        .expect("deleted once usable");
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    server.abort();
}

#[tokio::test]
async fn project_still_in_use_is_not_retried() {
    let env = Env::start().await;
    let project = env
        .create("scaleway_account_project", json!({"name": "busy"}))
        .await;
    let ns = env
        .create(
            "scaleway_container_namespace",
            json!({"project_id": s(&project.attributes, "id")}),
        )
        .await;
    let err = api("scaleway_account_project")
        .delete(&env.cx, &project.attributes)
        .await
        .expect_err("a project with resources cannot go");
    let api_error = err.client().and_then(|c| c.api()).expect("an API error");
    assert_eq!(api_error.status, 412);
    assert_eq!(
        api_error.precondition.as_deref(),
        Some("resource_still_in_use")
    );
    env.delete_and_check_gone("scaleway_container_namespace", &ns.attributes)
        .await;
    env.delete_and_check_gone("scaleway_account_project", &project.attributes)
        .await;
}

/// The IDs of what `find` answers for `lookup` (`None`: the type cannot be searched).
async fn found_ids(env: &Env, type_name: &str, lookup: Value) -> Option<Vec<String>> {
    let found = api(type_name)
        .find(&env.cx, &attrs(lookup))
        .await
        .expect("the list calls succeed")?;
    Some(
        found
            .iter()
            .map(|o| s(&o.attributes, "id").to_owned())
            .collect(),
    )
}

#[tokio::test]
async fn projects_and_cockpit_tokens_are_found_by_their_exact_name() {
    let env = Env::start().await;
    let project = env
        .create("scaleway_account_project", json!({"name": "found"}))
        .await;
    env.create("scaleway_account_project", json!({"name": "found-too"}))
        .await;
    assert_eq!(
        found_ids(&env, "scaleway_account_project", json!({"name": "found"})).await,
        Some(vec![s(&project.attributes, "id").to_owned()])
    );

    let ty = "scaleway_cockpit_token";
    let first = env.create(ty, json!({"name": "tok"})).await;
    let second = env.create(ty, json!({"name": "tok"})).await;
    let elsewhere = env
        .create(ty, json!({"name": "tok", "region": "nl-ams"}))
        .await;
    env.create(ty, json!({"name": "tok-other"})).await;
    // Same defaults as a create: the default project and region.
    assert_eq!(
        found_ids(&env, ty, json!({"name": "tok"})).await,
        Some(vec![
            s(&first.attributes, "id").to_owned(),
            s(&second.attributes, "id").to_owned()
        ])
    );
    let found = api(ty)
        .find(&env.cx, &attrs(json!({"name": "tok", "region": "nl-ams"})))
        .await
        .expect("listed")
        .expect("searchable");
    assert_eq!(found.len(), 1);
    // What a create returns, but for the secret, which only the creation answer holds.
    let mut expected = elsewhere.attributes.clone();
    expected.remove("secret_key");
    assert_eq!(found[0].attributes, expected);
    assert_eq!(
        found_ids(&env, ty, json!({"name": "none"})).await,
        Some(vec![])
    );

    // Without a name, or for a type whose objects have none, there is nothing to look for.
    assert_eq!(found_ids(&env, ty, json!({})).await, None);
    assert_eq!(
        found_ids(
            &env,
            "scaleway_container_token",
            json!({"description": "x"})
        )
        .await,
        None
    );
}

#[tokio::test]
async fn namespaces_and_containers_are_found_by_their_exact_name() {
    let env = Env::start().await;
    for ty in [
        "scaleway_container_namespace",
        "scaleway_function_namespace",
    ] {
        let ns = env.create(ty, json!({"name": "apps"})).await;
        env.create(ty, json!({"name": "apps-two"})).await;
        env.create(ty, json!({"name": "apps", "region": "nl-ams"}))
            .await;
        assert_eq!(
            found_ids(&env, ty, json!({"name": "apps"})).await,
            Some(vec![s(&ns.attributes, "id").to_owned()]),
            "{ty}"
        );
        let found = api(ty)
            .find(&env.cx, &attrs(json!({"name": "apps"})))
            .await
            .expect("listed")
            .expect("searchable");
        assert_eq!(
            found[0].attributes, ns.attributes,
            "{ty}: what a create returns"
        );
        assert_eq!(
            found_ids(&env, ty, json!({"name": "none"})).await,
            Some(vec![])
        );
        assert_eq!(found_ids(&env, ty, json!({})).await, None);
    }

    let ns = env
        .create(
            "scaleway_container_namespace",
            json!({"name": "with-containers"}),
        )
        .await;
    let other = env
        .create("scaleway_container_namespace", json!({"name": "other"}))
        .await;
    let ns_id = s(&ns.attributes, "id").to_owned();
    let ty = "scaleway_container";
    let web = env
        .create(ty, json!({"name": "web", "namespace_id": ns_id}))
        .await;
    env.create(ty, json!({"name": "web-two", "namespace_id": ns_id}))
        .await;
    env.create(
        ty,
        json!({"name": "web", "namespace_id": s(&other.attributes, "id")}),
    )
    .await;
    assert_eq!(
        found_ids(&env, ty, json!({"name": "web", "namespace_id": ns_id})).await,
        Some(vec![s(&web.attributes, "id").to_owned()])
    );
    // Without the namespace there is nowhere to look.
    assert_eq!(found_ids(&env, ty, json!({"name": "web"})).await, None);
}

/// The request bodies an update would send for `changed`, for every type that has updates.
fn update_body(
    type_name: &str,
    prior: &Attributes,
    desired: &Attributes,
    changed: &Changed,
) -> Value {
    use scwform::api::resources::{account, containers, functions};
    let body = match type_name {
        "scaleway_account_project" => {
            serde_json::to_value(account::project_update_request(desired, changed).expect("valid"))
        }
        "scaleway_container_namespace" => serde_json::to_value(
            containers::namespace_update_request(prior, desired, changed).expect("valid"),
        ),
        "scaleway_container" => serde_json::to_value(
            containers::container_update_request(prior, desired, changed).expect("valid"),
        ),
        "scaleway_function_namespace" => serde_json::to_value(
            functions::namespace_update_request(prior, desired, changed).expect("valid"),
        ),
        other => panic!("{other} has updates but no request builder in this test"),
    };
    body.expect("serializes")
}

/// An object as recorded, and one where every attribute and block that can be updated differs.
fn update_fixture(type_name: &str) -> (Attributes, Attributes) {
    let object = |v: Value| -> Attributes { serde_json::from_value(v).expect("an object") };
    let id = "fr-par/11111111-1111-1111-1111-111111111111";
    let probe = json!([{"failure_threshold": 3, "interval": "20s", "timeout": "2s", "tcp": false, "http": [{"path": "/up"}]}]);
    match type_name {
        "scaleway_account_project" => (
            object(
                json!({"id": "11111111-1111-1111-1111-111111111111", "name": "a", "description": ""}),
            ),
            object(json!({"name": "b", "description": "d"})),
        ),
        "scaleway_container_namespace" | "scaleway_function_namespace" => (
            object(
                json!({"id": id, "name": "ns", "description": null, "tags": null, "environment_variables": {}, "secret_environment_variables": null}),
            ),
            object(
                json!({"id": id, "name": "ns", "description": "d", "tags": ["t"], "environment_variables": {"A": "1"}, "secret_environment_variables": {"S": "x"}, "destroy_registry": true}),
            ),
        ),
        "scaleway_container" => (
            object(json!({
                "id": id, "name": "app", "image": "nginx:latest", "registry_image": "nginx:latest",
                "privacy": "public", "protocol": "http1", "sandbox": "v2", "port": 80,
                "min_scale": 0, "max_scale": 5, "memory_limit_bytes": 2_048_000_000_u64,
                "memory_limit": 2048, "cpu_limit": 1000, "timeout": 300,
                "https_connections_only": false, "http_option": "enabled",
                "local_storage_limit_bytes": 1_000_000_000_u64, "local_storage_limit": 1000,
            })),
            object(json!({
                "id": id, "name": "app", "description": "d", "tags": ["t"],
                "environment_variables": {"A": "1"}, "secret_environment_variables": {"S": "x"},
                "min_scale": 1, "max_scale": 9, "memory_limit_bytes": 1_024_000_000_u64,
                "memory_limit": 512, "cpu_limit": 2000, "timeout": 60, "privacy": "private",
                "image": "img:2", "registry_image": "img:3", "registry_sha256": "abc",
                "protocol": "h2c", "port": 8080, "deploy": true, "https_connections_only": true,
                "http_option": "redirected", "sandbox": "v1",
                "local_storage_limit_bytes": 2_000_000_000_u64, "local_storage_limit": 3000,
                "command": ["serve"], "args": ["-v"],
                "private_network_id": "fr-par/33333333-3333-3333-3333-333333333333",
                "health_check": [{"failure_threshold": 4, "interval": "30s", "tcp": true, "http": []}],
                "liveness_probe": probe, "startup_probe": probe,
                "scaling_option": [{"cpu_usage_threshold": 70}],
            })),
        ),
        other => panic!("{other} has updates but no fixture in this test"),
    }
}

/// Issue 9 item 15: the planner alone decides what changed and the mappings send exactly that,
/// so every attribute and block the schema says can be updated in place must reach the update
/// request when the plan names it. A schema entry without a mapping would be an update that
/// reports success and changes nothing; attributes documented as having no effect are exempt.
#[test]
fn issue_9_every_updatable_attribute_reaches_the_update_request() {
    let mut checked = 0;
    for schema in scwform::schema::RESOURCES.iter().filter(|s| s.has_update()) {
        let (prior, desired) = update_fixture(schema.type_name);
        let nothing = update_body(schema.type_name, &prior, &desired, &Changed::default());
        let names = schema
            .attributes
            .iter()
            .filter(|a| a.updatable && a.deprecated.is_none_or(|d| !d.contains("no effect")))
            .map(|a| a.name)
            .chain(
                schema
                    .blocks
                    .iter()
                    .filter(|b| !b.force_new && b.attributes.iter().any(|a| a.updatable))
                    .map(|b| b.name),
            );
        for name in names {
            assert!(
                desired.contains_key(name),
                "the fixture of {} must change `{name}`",
                schema.type_name
            );
            let body = update_body(schema.type_name, &prior, &desired, &changed([name]));
            assert_ne!(
                body, nothing,
                "{}: a change of `{name}` sends nothing",
                schema.type_name
            );
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} attributes checked");
}

/// Issue 9 item 18: the emulator's store dump (`GET /_emulator/store`) hides every kind of
/// secret the store holds: the API key, a Cockpit token's secret key, the plaintext secret
/// environment variables of container namespaces, containers and function namespaces, and
/// the container and function tokens.
#[tokio::test]
async fn the_store_dump_redacts_every_secret_kind() {
    let env = Env::start().await;
    let project = env
        .create("scaleway_account_project", json!({"name": "p"}))
        .await;
    let cockpit = env
        .create(
            "scaleway_cockpit_token",
            json!({"name": "metrics", "project_id": s(&project.attributes, "id")}),
        )
        .await;
    let ns = env
        .create(
            "scaleway_container_namespace",
            json!({"name": "ns", "secret_environment_variables": {"K": "ns-plaintext-1"}}),
        )
        .await;
    let container = env
        .create(
            "scaleway_container",
            json!({
                "name": "co",
                "namespace_id": s(&ns.attributes, "id"),
                "secret_environment_variables": {"K": "co-plaintext-2"},
            }),
        )
        .await;
    let container_token = env
        .create(
            "scaleway_container_token",
            json!({"container_id": s(&container.attributes, "id")}),
        )
        .await;
    let fn_ns = env
        .create(
            "scaleway_function_namespace",
            json!({"name": "fns", "secret_environment_variables": {"K": "fn-plaintext-3"}}),
        )
        .await;
    let function_token = env
        .create(
            "scaleway_function_token",
            json!({"namespace_id": s(&fn_ns.attributes, "id")}),
        )
        .await;
    let secrets = [
        env.emu.secret_key(),
        s(&cockpit.attributes, "secret_key"),
        "ns-plaintext-1",
        "co-plaintext-2",
        "fn-plaintext-3",
        s(&container_token.attributes, "token"),
        s(&function_token.attributes, "token"),
    ];
    let dump = env
        .http
        .get(format!("{}/_emulator/store", env.emu.base_url()))
        .send()
        .await
        .expect("admin call answers")
        .text()
        .await
        .expect("a body");
    for name in ["metrics", "\"ns\"", "\"co\"", "\"fns\""] {
        assert!(dump.contains(name), "the dump holds {name}");
    }
    for secret in secrets {
        assert!(!secret.is_empty());
        assert!(!dump.contains(secret), "{secret:?} is in the dump");
    }
}
