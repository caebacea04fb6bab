//! The emulator over real HTTP on loopback: error shapes, lifecycles, pagination, auth,
//! secrets, persistence and the admin surface. Shared helpers for the other `emulator_*`
//! modules live here too.

use std::sync::Arc;

use reqwest::Method;
use scwform::emulator::{Emulator, EmulatorConfig, EmulatorHandle, ManualClock, Settle};
use serde_json::{Value, json};

/// A running deterministic emulator and a client for it.
pub(crate) struct Env {
    pub(crate) emu: EmulatorHandle,
    pub(crate) client: reqwest::Client,
    pub(crate) clock: Arc<ManualClock>,
}

/// An answer: status, headers and JSON body (`Value::Null` when empty).
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
    pub(crate) raw: Vec<u8>,
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("a plain client always builds")
}

impl Env {
    /// Fixed clock, sequential IDs, transient statuses lasting one read.
    pub(crate) async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub(crate) async fn start_with(tweak: impl FnOnce(&mut EmulatorConfig)) -> Self {
        let (mut config, clock) = EmulatorConfig::deterministic();
        tweak(&mut config);
        let emu = Emulator::start(config).await.expect("emulator starts");
        Self {
            emu,
            client: client(),
            clock,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emu.base_url())
    }

    /// A call with the default key.
    pub(crate) async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let key = self.emu.secret_key().to_owned();
        self.call_as(Some(&key), method, path, body).await
    }

    /// A call with the given key (`None`: no `X-Auth-Token` header).
    pub(crate) async fn call_as(
        &self,
        key: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut req = self.client.request(method, self.url(path));
        if let Some(key) = key {
            req = req.header("X-Auth-Token", key);
        }
        if let Some(body) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let res = req.send().await.expect("the emulator answers");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let raw = res.bytes().await.expect("body reads").to_vec();
        let body = if raw.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&raw).unwrap_or(Value::Null)
        };
        Answer {
            status,
            headers,
            body,
            raw,
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    pub(crate) async fn patch(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub(crate) async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }

    pub(crate) async fn admin(&self, method: Method, path: &str, body: Value) -> Answer {
        self.call_as(None, method, &format!("/_emulator{path}"), Some(body))
            .await
    }

    pub(crate) fn org(&self) -> String {
        self.emu.organization_id().to_string()
    }

    /// Creates a ready containers namespace in the default project; returns its ID.
    pub(crate) async fn ready_namespace(&self, name: &str) -> String {
        let ns = self
            .post(
                "/containers/v1/regions/fr-par/namespaces",
                json!({"project_id": self.org(), "name": name}),
            )
            .await;
        assert_eq!(ns.status, 200, "{}", ns.body);
        let id = ns.body["id"].as_str().expect("id").to_owned();
        let path = format!("/containers/v1/regions/fr-par/namespaces/{id}");
        self.get(&path).await;
        assert_eq!(self.get(&path).await.body["status"], "ready");
        id
    }
}

const NS: &str = "/containers/v1/regions/fr-par/namespaces";
const CT: &str = "/containers/v1/regions/fr-par/containers";

#[tokio::test]
async fn missing_and_unknown_keys_are_denied_with_401() {
    let env = Env::start().await;
    let none = env
        .call_as(None, Method::GET, "/account/v3/projects", None)
        .await;
    assert_eq!(none.status, 401);
    assert_eq!(
        none.body,
        json!({"message": "authentication is denied", "method": "api_key",
               "reason": "invalid_argument", "type": "denied_authentication"})
    );
    let wrong = env
        .call_as(
            Some("99999999-9999-9999-9999-999999999999"),
            Method::GET,
            "/account/v3/projects",
            None,
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.body["reason"], "not_found");
}

#[tokio::test]
async fn objects_of_another_organization_are_invisible() {
    let env = Env::start().await;
    let ns = env.ready_namespace("mine").await;
    let other = env
        .admin(
            Method::POST,
            "/api-keys",
            json!({"secret_key": "33333333-3333-3333-3333-333333333333"}),
        )
        .await;
    assert_eq!(other.status, 200);
    let other_key = other.body["secret_key"].as_str().unwrap().to_owned();
    let seen = env
        .call_as(Some(&other_key), Method::GET, &format!("{NS}/{ns}"), None)
        .await;
    assert_eq!(seen.status, 404);
    assert_eq!(seen.body["type"], "not_found");
    let listed = env.call_as(Some(&other_key), Method::GET, NS, None).await;
    assert_eq!(listed.body["total_count"], 0);
    // The other organization has its own default project and cannot write into ours.
    let projects = env
        .call_as(Some(&other_key), Method::GET, "/account/v3/projects", None)
        .await;
    assert_eq!(projects.body["total_count"], 1);
    assert_eq!(projects.body["projects"][0]["name"], "default");
    let denied = env
        .call_as(
            Some(&other_key),
            Method::POST,
            NS,
            Some(json!({"project_id": env.org(), "name": "intruder"})),
        )
        .await;
    assert_eq!(denied.status, 403);
    assert_eq!(denied.body["type"], "permissions_denied");
}

#[tokio::test]
async fn project_lifecycle_and_qualification_asymmetry() {
    let env = Env::start().await;
    let created = env
        .post(
            "/account/v3/projects",
            json!({"name": "p1", "organization_id": env.org(), "description": "d"}),
        )
        .await;
    assert_eq!(created.status, 200);
    assert_eq!(created.body["qualification"], Value::Null);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("/account/v3/projects/{id}");
    let got = env.get(&path).await;
    assert_eq!(
        got.body["qualification"],
        json!({"architecture_type": "unknown_architecture_type"})
    );
    env.clock.advance(std::time::Duration::from_secs(5));
    let patched = env.patch(&path, json!({"name": "p2"})).await;
    assert_eq!(patched.body["name"], "p2");
    assert_eq!(patched.body["description"], "d");
    assert_eq!(patched.body["qualification"], Value::Null);
    assert_ne!(patched.body["updated_at"], created.body["updated_at"]);
    let deleted = env.delete(&path).await;
    assert_eq!((deleted.status, deleted.raw.len()), (204, 0));
    let gone = env.get(&path).await;
    assert_eq!(
        gone.body,
        json!({"message": "resource is not found", "resource": "project_id",
               "resource_id": id, "type": "not_found"})
    );
}

#[tokio::test]
async fn default_project_and_projects_in_use_cannot_be_deleted() {
    let env = Env::start().await;
    let default = env
        .delete(&format!("/account/v3/projects/{}", env.org()))
        .await;
    assert_eq!(default.status, 412);
    assert_eq!(default.body["precondition"], "protected_resource");
    let p = env
        .post(
            "/account/v3/projects",
            json!({"name": "busy", "organization_id": env.org()}),
        )
        .await;
    let pid = p.body["id"].as_str().unwrap().to_owned();
    let tok = env
        .post(
            "/cockpit/v1/regions/fr-par/tokens",
            json!({"project_id": pid, "name": "tok", "token_scopes": ["read_only_logs"]}),
        )
        .await;
    assert_eq!(tok.status, 200, "{}", tok.body);
    let refused = env.delete(&format!("/account/v3/projects/{pid}")).await;
    assert_eq!(refused.status, 412);
    assert_eq!(refused.body["type"], "precondition_failed");
    assert_eq!(refused.body["precondition"], "resource_still_in_use");
    let tid = tok.body["id"].as_str().unwrap();
    assert_eq!(
        env.delete(&format!("/cockpit/v1/regions/fr-par/tokens/{tid}"))
            .await
            .status,
        204
    );
    assert_eq!(
        env.delete(&format!("/account/v3/projects/{pid}"))
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn cockpit_token_secret_only_in_creation_answer_and_scopes_renamed() {
    let env = Env::start().await;
    let created = env
        .post(
            "/cockpit/v1/regions/fr-par/tokens",
            json!({"project_id": env.org(), "name": "tf_tok",
                   "token_scopes": ["read_only_metrics", "write_only_logs", "write_only_metrics"]}),
        )
        .await;
    assert_eq!(created.status, 200);
    assert!(
        created.body["secret_key"]
            .as_str()
            .is_some_and(|s| s.len() == 36)
    );
    assert_eq!(
        created.body["scopes"],
        json!(["write_only_metrics", "read_only_metrics", "write_only_logs"])
    );
    assert!(created.body.get("token_scopes").is_none());
    let id = created.body["id"].as_str().unwrap();
    let got = env
        .get(&format!("/cockpit/v1/regions/fr-par/tokens/{id}"))
        .await;
    assert_eq!(got.body["secret_key"], Value::Null);
    assert_eq!(got.body["region"], "fr-par");
    // Wrong region: invisible.
    let elsewhere = env
        .get(&format!("/cockpit/v1/regions/nl-ams/tokens/{id}"))
        .await;
    assert_eq!(elsewhere.status, 404);
    assert_eq!(elsewhere.body["resource"], "token");
}

#[tokio::test]
async fn invalid_arguments_list_every_bad_field() {
    let env = Env::start().await;
    let bad = env
        .post(
            CT,
            json!({"namespace_id": "nope", "name": "Bad_Name", "privacy": "secret",
                   "timeout": "5 minutes"}),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.body["type"], "invalid_arguments");
    assert_eq!(bad.body["message"], "invalid argument(s)");
    let mut names: Vec<&str> = bad.body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["argument_name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["image", "namespace_id", "privacy", "timeout"]);
    let detail = &bad.body["details"][0];
    assert!(detail["help_message"].is_string() && detail["reason"].is_string());

    let name = env
        .post(
            "/cockpit/v1/regions/fr-par/tokens",
            json!({"project_id": env.org(), "name": "a!", "token_scopes": ["nope"]}),
        )
        .await;
    assert_eq!(name.status, 400);
    assert_eq!(name.body["details"].as_array().unwrap().len(), 1);
    assert_eq!(name.body["details"][0]["argument_name"], "token_scopes");

    let region = env.get("/containers/v1/regions/us-east/namespaces").await;
    assert_eq!(region.status, 400);
    assert_eq!(region.body["details"][0]["argument_name"], "region");
    let uuid = env.get(&format!("{NS}/not-a-uuid")).await;
    assert_eq!(uuid.body["details"][0]["reason"], "format");
    let ts = env
        .post(
            "/containers/v1beta1/regions/fr-par/tokens",
            json!({"namespace_id": env.org(), "expires_at": "tomorrow"}),
        )
        .await;
    assert_eq!(ts.body["details"][0]["argument_name"], "expires_at");
    let missing = env
        .post(
            "/account/v3/projects",
            json!({"organization_id": env.org()}),
        )
        .await;
    assert_eq!(missing.body["details"][0]["reason"], "required");
    let long = env
        .post(
            "/account/v3/projects",
            json!({"organization_id": env.org(), "name": "x".repeat(65)}),
        )
        .await;
    assert_eq!(long.body["details"][0]["reason"], "constraint");
}

#[tokio::test]
async fn namespace_lifecycle_with_cascade() {
    let env = Env::start().await;
    let created = env
        .post(
            NS,
            json!({"project_id": env.org(), "name": "ns-one", "tags": null}),
        )
        .await;
    assert_eq!(created.body["status"], "creating");
    assert_eq!(created.body["tags"], json!([]));
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("{NS}/{id}");
    assert_eq!(env.get(&path).await.body["status"], "creating");
    assert_eq!(env.get(&path).await.body["status"], "ready");
    // Description-only PATCH stays ready; env PATCH goes through updating.
    let quiet = env.patch(&path, json!({"description": "x"})).await;
    assert_eq!(quiet.body["status"], "ready");
    let loud = env
        .patch(&path, json!({"environment_variables": {"A": "1"}}))
        .await;
    assert_eq!(loud.body["status"], "updating");
    let busy = env.patch(&path, json!({"description": "y"})).await;
    assert_eq!(busy.status, 409);
    assert_eq!(busy.body["type"], "transient_state");
    assert_eq!(busy.body["current_state"], "updating");
    assert_eq!(env.get(&path).await.body["status"], "ready");
    let c = env
        .post(
            CT,
            json!({"namespace_id": id, "name": "c1", "image": "nginx:latest"}),
        )
        .await;
    let cid = c.body["id"].as_str().unwrap().to_owned();
    let deleted = env.delete(&path).await;
    assert_eq!(deleted.body["status"], "deleting");
    assert_eq!(env.get(&format!("{CT}/{cid}")).await.status, 404);
    assert_eq!(env.get(&path).await.body["status"], "deleting");
    let gone = env.get(&path).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.body["resource"], "namespace");
}

#[tokio::test]
async fn container_defaults_endpoint_and_patch_semantics() {
    let env = Env::start().await;
    let ns = env.ready_namespace("tf-acctest-basic").await;
    let created = env
        .post(
            CT,
            json!({"namespace_id": ns, "name": "web", "image": "nginx:1.29", "port": 80,
                   "environment_variables": null, "secret_environment_variables": null,
                   "sandbox": "unknown_sandbox", "command": null}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let b = &created.body;
    assert_eq!(b["status"], "creating");
    assert!(b.get("error_message").is_none());
    for (k, v) in [
        ("min_scale", json!(0)),
        ("max_scale", json!(5)),
        ("memory_limit_bytes", json!(2_048_000_000_u64)),
        ("mvcpu_limit", json!(1000)),
        ("timeout", json!("300s")),
        ("privacy", json!("public")),
        ("protocol", json!("http1")),
        ("https_connections_only", json!(false)),
        ("sandbox", json!("v2")),
        ("local_storage_limit_bytes", json!(1_000_000_000)),
        (
            "scaling_option",
            json!({"concurrent_requests_threshold": 50}),
        ),
        (
            "liveness_probe",
            json!({"failure_threshold": 30, "interval": "10s", "timeout": "1s", "tcp": {}}),
        ),
        ("startup_probe", Value::Null),
        ("command", json!([])),
        ("secret_environment_variables", json!({})),
    ] {
        assert_eq!(b[k], v, "{k}");
    }
    let short = &ns[..8];
    assert_eq!(
        b["public_endpoint"],
        format!("https://tfacctestbasic{short}-web.functions.fnc.fr-par.scw.cloud")
    );
    let id = b["id"].as_str().unwrap().to_owned();
    let path = format!("{CT}/{id}");
    env.get(&path).await;
    let ready = env.get(&path).await;
    assert_eq!(
        (&ready.body["status"], &ready.body["error_message"]),
        (&json!("ready"), &json!(""))
    );
    let patched = env
        .patch(
            &path,
            json!({"privacy": "unknown_privacy", "protocol": "unknown_protocol",
                   "sandbox": "unknown_sandbox", "https_connection_only": true,
                   "timeout": "360.000000000s"}),
        )
        .await;
    assert_eq!(patched.body["status"], "updating");
    assert_eq!(patched.body["https_connections_only"], true);
    assert!(patched.body.get("https_connection_only").is_none());
    assert_eq!(patched.body["privacy"], "public");
    assert_eq!(patched.body["sandbox"], "v2");
    assert_eq!(patched.body["timeout"], "360s");
    env.get(&path).await;
    let tags = env
        .patch(&path, json!({"tags": ["a"], "sandbox": "unknown_sandbox"}))
        .await;
    assert_eq!(tags.body["status"], "ready");
    let forced = env
        .admin(
            Method::POST,
            &format!("/containers/{id}/error"),
            json!({"error_message": "Container is unable to start"}),
        )
        .await;
    assert_eq!(forced.status, 200);
    let err = env.get(&path).await;
    assert_eq!(err.body["status"], "error");
    assert_eq!(err.body["error_message"], "Container is unable to start");
    let del = env.delete(&path).await;
    assert_eq!(del.body["status"], "deleting");
    assert!(del.body.get("error_message").is_none());
    env.get(&path).await;
    assert_eq!(env.get(&path).await.status, 404);
}

#[tokio::test]
async fn v1_secrets_replace_the_map_and_empty_keeps() {
    let env = Env::start().await;
    let created = env
        .post(
            NS,
            json!({"project_id": env.org(), "name": "sec",
                   "secret_environment_variables": {"S1": "value1", "S2": "value2"}}),
        )
        .await;
    let h = &created.body["secret_environment_variables"];
    assert!(h["S1"].as_str().unwrap().starts_with("$argon2id$v=19$"));
    assert!(!created.raw.windows(6).any(|w| w == b"value1"));
    let id = created.body["id"].as_str().unwrap().to_owned();
    let path = format!("{NS}/{id}");
    env.get(&path).await;
    env.get(&path).await;
    let p1 = env
        .patch(
            &path,
            json!({"secret_environment_variables": {"S1": "", "S2": "s3cr3t-updated"}}),
        )
        .await;
    let h1 = &p1.body["secret_environment_variables"];
    assert_eq!(h1["S1"], h["S1"]);
    assert_ne!(h1["S2"], h["S2"]);
    env.get(&path).await;
    env.get(&path).await;
    let p2 = env
        .patch(
            &path,
            json!({"secret_environment_variables": {"S2": "", "K": "v"}}),
        )
        .await;
    let keys: Vec<&String> = p2.body["secret_environment_variables"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["K", "S2"]);
    // The admin dump never shows secret values.
    let dump = env.admin(Method::GET, "/store", Value::Null).await;
    let text = String::from_utf8_lossy(&dump.raw);
    assert!(
        !text.contains("s3cr3t-updated") && !text.contains("value1"),
        "{text}"
    );
    assert!(!text.contains(env.emu.secret_key()));
}

#[tokio::test]
async fn functions_secrets_merge_and_null_deletes() {
    let env = Env::start().await;
    let path = "/functions/v1beta1/regions/fr-par/namespaces";
    let created = env
        .post(
            path,
            json!({"name": "fns", "project_id": env.org(),
                   "secret_environment_variables": [{"key": "A", "value": "1"}, {"key": "B", "value": "2"}]}),
        )
        .await;
    assert_eq!(created.body["status"], "pending");
    assert_eq!(created.body["registry_endpoint"], "");
    assert_eq!(created.body["error_message"], Value::Null);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let one = format!("{path}/{id}");
    env.get(&one).await;
    let ready = env.get(&one).await;
    assert_eq!(ready.body["status"], "ready");
    assert!(
        ready.body["registry_endpoint"]
            .as_str()
            .unwrap()
            .starts_with("rg.fr-par.scw.cloud/funcscwfns")
    );
    let patched = env
        .patch(
            &one,
            json!({"secret_environment_variables": [{"key": "A", "value": null}, {"key": "C", "value": "3"}]}),
        )
        .await;
    assert_eq!(patched.body["status"], "pending");
    let keys: Vec<&str> = patched.body["secret_environment_variables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["B", "C"]);
    assert!(
        patched.body["secret_environment_variables"][0]["hashed_value"]
            .as_str()
            .unwrap()
            .starts_with("$argon2id$")
    );
    let missing = env.get(&format!("{path}/{}", env.org())).await;
    assert_eq!(
        (missing.status, missing.body.clone()),
        (404, json!({"message": "Namespace was not found"}))
    );
}

#[tokio::test]
async fn container_token_hidden_after_creation_and_blank_when_deleted() {
    let env = Env::start().await;
    let ns = env.ready_namespace("tok-ns").await;
    let path = "/containers/v1beta1/regions/fr-par/tokens";
    let created = env
        .post(
            path,
            json!({"namespace_id": ns, "expires_at": "2026-05-06T16:42:11+02:00"}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let b = &created.body;
    assert_eq!(b["status"], "creating");
    assert_eq!(b["expires_at"], "2026-05-06T14:42:11Z");
    assert_eq!(b["token"].as_str().unwrap().split('.').count(), 3);
    assert!(
        b["public_key"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN RSA PUBLIC KEY-----")
    );
    assert!(b.get("container_id").is_none());
    let id = b["id"].as_str().unwrap().to_owned();
    let one = format!("{path}/{id}");
    let got = env.get(&one).await;
    assert_eq!(
        (got.body["token"].as_str(), got.body["public_key"].as_str()),
        (Some("<hidden>"), Some(""))
    );
    assert_eq!(env.get(&one).await.body["status"], "ready");
    let both = env
        .post(path, json!({"namespace_id": ns, "container_id": ns}))
        .await;
    assert_eq!(both.status, 400);
    let deleted = env.delete(&one).await;
    assert_eq!(
        (
            deleted.body["status"].as_str(),
            deleted.body["token"].as_str()
        ),
        (Some("deleting"), Some(""))
    );
    let again = env.delete(&one).await;
    assert_eq!(
        (again.status, again.body.clone()),
        (404, json!({"message": "Token was not found"}))
    );
}

#[tokio::test]
async fn pagination_edges() {
    let env = Env::start().await;
    for i in 0..5 {
        let p = env
            .post(
                "/account/v3/projects",
                json!({"name": format!("p{i}"), "organization_id": env.org()}),
            )
            .await;
        assert_eq!(p.status, 200);
        env.clock.advance(std::time::Duration::from_secs(1));
    }
    let names = |a: &Answer| -> Vec<String> {
        a.body["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = env.get("/account/v3/projects?page=1&page_size=4").await;
    assert_eq!(first.body["total_count"], 6);
    assert_eq!(names(&first), ["default", "p0", "p1", "p2"]);
    let last = env.get("/account/v3/projects?page=2&page_size=4").await;
    assert_eq!(names(&last), ["p3", "p4"]);
    let past = env.get("/account/v3/projects?page=9&page_size=4").await;
    assert_eq!(
        (past.status, past.body["total_count"].clone()),
        (200, json!(6))
    );
    assert!(names(&past).is_empty());
    let desc = env
        .get("/account/v3/projects?order_by=name_desc&page_size=2")
        .await;
    assert_eq!(names(&desc), ["p4", "p3"]);
    let filtered = env.get("/account/v3/projects?name=p2").await;
    assert_eq!(names(&filtered), ["p2"]);
    for bad in [
        "page=0",
        "page_size=0",
        "page_size=101",
        "order_by=size",
        "page=x",
    ] {
        let a = env.get(&format!("/account/v3/projects?{bad}")).await;
        assert_eq!(a.status, 400, "{bad}");
        assert_eq!(a.body["type"], "invalid_arguments", "{bad}");
    }
    // Cockpit allows up to 1000 per page.
    assert_eq!(
        env.get("/cockpit/v1/regions/fr-par/tokens?page_size=1000")
            .await
            .status,
        200
    );
    assert_eq!(
        env.get("/cockpit/v1/regions/fr-par/tokens?page_size=1001")
            .await
            .status,
        400
    );
    // Repeated keys for array filters.
    let ids: Vec<String> = names(&first).iter().take(0).cloned().collect();
    assert!(ids.is_empty());
    let p0 = first.body["projects"][1]["id"].as_str().unwrap();
    let p1 = first.body["projects"][2]["id"].as_str().unwrap();
    let two = env
        .get(&format!(
            "/account/v3/projects?project_ids={p0}&project_ids={p1}"
        ))
        .await;
    assert_eq!(names(&two), ["p0", "p1"]);
}

#[tokio::test]
async fn timed_settle_mode_follows_the_clock() {
    let env = Env::start_with(|c| c.settle = Settle::Time { ms: 200 }).await;
    let created = env
        .post(NS, json!({"project_id": env.org(), "name": "timed"}))
        .await;
    let path = format!("{NS}/{}", created.body["id"].as_str().unwrap());
    for _ in 0..3 {
        assert_eq!(env.get(&path).await.body["status"], "creating");
    }
    env.clock.advance(std::time::Duration::from_millis(200));
    assert_eq!(env.get(&path).await.body["status"], "ready");
}

#[tokio::test]
async fn store_survives_a_restart_with_a_data_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("emulator.json");
    let env = Env::start_with(|c| c.data = Some(data.clone())).await;
    let ns = env.ready_namespace("kept").await;
    env.emu.shutdown().await;
    let again = Env::start_with(|c| c.data = Some(data.clone())).await;
    let got = again.get(&format!("{NS}/{ns}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["name"], "kept");
    // No temporary files are left next to the data file.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test]
async fn reset_restores_the_initial_store() {
    let env = Env::start().await;
    env.ready_namespace("temp").await;
    assert_eq!(
        env.admin(Method::POST, "/reset", Value::Null).await.status,
        204
    );
    assert_eq!(env.get(NS).await.body["total_count"], 0);
    assert_eq!(env.get("/account/v3/projects").await.body["total_count"], 1);
}

#[tokio::test]
async fn responses_carry_gateway_headers_and_unknown_routes_404() {
    let env = Env::start().await;
    let a = env.get("/account/v3/projects").await;
    assert_eq!(a.headers["content-type"], "application/json");
    assert!(a.headers.contains_key("x-request-id"));
    let unknown = env.get("/instance/v1/zones/fr-par-1/servers").await;
    assert_eq!(unknown.status, 404);
}

/// Sends `request_line` with a `Host` header over a fresh connection and returns everything
/// the emulator answers before it closes the connection.
async fn raw_request(env: &Env, request_line: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let addr = env.emu.base_url().trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    stream
        .write_all(format!("{request_line}\r\nHost: emulator\r\n\r\n").as_bytes())
        .await
        .expect("sends");
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("the emulator closes the connection")
    .expect("reads");
    String::from_utf8(answer).expect("UTF-8 answer")
}

/// Issue 9, item 7: the HTTP layer's own refusals (a method the path does not take, a body over
/// the limit, a request line over hyper's 65,534 bytes) were plain text or empty.
#[tokio::test]
async fn issue_9_http_layer_refusals_are_scaleway_shaped_json() {
    let env = Env::start().await;
    let json_error = |a: &Answer, status: u16, message: &str| {
        assert_eq!(a.status, status, "{}", String::from_utf8_lossy(&a.raw));
        assert_eq!(a.headers["content-type"], "application/json", "{status}");
        assert_eq!(a.body, json!({ "message": message }), "{status}");
    };
    let wrong_method = env.call(Method::PUT, NS, None).await;
    json_error(&wrong_method, 405, "method not allowed");
    assert!(wrong_method.headers.contains_key("allow"));

    let huge = json!({"project_id": env.org(), "name": "big", "description": "x".repeat(3 << 20)});
    json_error(&env.post(NS, huge).await, 413, "request entity too large");

    // Over hyper's 65,534 bytes (HTTP clients refuse to send such a URI: raw TCP).
    let answer = raw_request(
        &env,
        &format!("GET {NS}?name={} HTTP/1.1", "a".repeat(70_000)),
    )
    .await;
    let (head, body) = answer.split_once("\r\n\r\n").expect("a whole answer");
    assert!(head.starts_with("HTTP/1.1 414 "), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    let body: Value = serde_json::from_str(body).expect("a JSON body");
    assert_eq!(body, json!({ "message": "request URI too long" }));

    // The emulator still serves afterwards (each refusal closed only its own connection).
    assert_eq!(env.get(NS).await.status, 200);
}

#[test]
fn blocking_emulator_serves_without_a_runtime() {
    let (config, _clock) = EmulatorConfig::deterministic();
    let emu = Emulator::start_blocking(config).expect("starts");
    let url = format!("{}/account/v3/projects", emu.handle().base_url());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        client()
            .get(url)
            .header("X-Auth-Token", scwform::emulator::DEFAULT_SECRET_KEY)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
}

#[test]
fn cli_prints_the_scw_environment_and_serves() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let mut child = Command::new(crate::common::scwform_bin())
        .args(["emulator", "--listen", "127.0.0.1:0", "--seed", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let stdout = child.stdout.take().expect("piped");
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .take(6)
        .map(|l| l.expect("utf-8 line"))
        .collect();
    let get = |name: &str| {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} missing from {lines:?}"))
            .to_owned()
    };
    let url = get("SCW_API_URL");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(get("SCW_SECRET_KEY"), scwform::emulator::DEFAULT_SECRET_KEY);
    assert_eq!(get("SCW_ACCESS_KEY"), scwform::emulator::DEFAULT_ACCESS_KEY);
    assert_eq!(
        get("SCW_DEFAULT_ORGANIZATION_ID"),
        get("SCW_DEFAULT_PROJECT_ID")
    );
    assert_eq!(get("SCW_DEFAULT_REGION"), "fr-par");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body: Value = rt.block_on(async {
        client()
            .get(format!("{url}/account/v3/projects"))
            .header("X-Auth-Token", get("SCW_SECRET_KEY"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(body["projects"][0]["name"], "default");
}

#[tokio::test]
async fn duplicate_names_answer_409_already_exists() {
    let env = Env::start().await;
    let first = env.ready_namespace("twice").await;
    let again = env
        .post(NS, json!({"project_id": env.org(), "name": "twice"}))
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["type"], "already_exists");
    assert_eq!(again.body["resource"], "namespace");
    assert_eq!(again.body["resource_id"], first);
    // Another region is another place.
    let elsewhere = env
        .post(
            "/containers/v1/regions/nl-ams/namespaces",
            json!({"project_id": env.org(), "name": "twice"}),
        )
        .await;
    assert_eq!(elsewhere.status, 200);
}

#[tokio::test]
async fn function_token_scoped_to_a_function() {
    let env = Env::start().await;
    let base = "/functions/v1beta1/regions/fr-par";
    let ns = env
        .post(
            &format!("{base}/namespaces"),
            json!({"name": "fn-ns", "project_id": env.org()}),
        )
        .await;
    let ns_id = ns.body["id"].as_str().unwrap().to_owned();
    let f = env
        .post(
            &format!("{base}/functions"),
            json!({"name": "fn", "namespace_id": ns_id, "runtime": "node26", "memory_limit": 256}),
        )
        .await;
    assert_eq!(f.status, 200, "{}", f.body);
    assert_eq!(
        (f.body["status"].as_str(), f.body["cpu_limit"].as_u64()),
        (Some("created"), Some(140))
    );
    let fid = f.body["id"].as_str().unwrap().to_owned();
    let t = env
        .post(&format!("{base}/tokens"), json!({"function_id": fid}))
        .await;
    assert_eq!(t.status, 200, "{}", t.body);
    assert_eq!(t.body["function_id"], fid.as_str());
    assert!(t.body.get("namespace_id").is_none());
    assert_eq!(t.body["expires_at"], Value::Null);
    let listed = env.get(&format!("{base}/tokens?function_id={fid}")).await;
    assert_eq!(listed.body["total_count"], 1);
    assert_eq!(listed.body["tokens"][0]["token"], "<hidden>");
    // Deleting the namespace takes its functions and tokens with it.
    env.delete(&format!("{base}/namespaces/{ns_id}")).await;
    let gone = env.get(&format!("{base}/functions/{fid}")).await;
    assert_eq!(
        (gone.status, gone.body.clone()),
        (404, json!({"message": "Function was not found"}))
    );
    assert_eq!(
        env.get(&format!("{base}/tokens")).await.body["total_count"],
        0
    );
}
