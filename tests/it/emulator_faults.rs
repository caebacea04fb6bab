//! Each fault switch of the emulator, over real HTTP, at start and at run time.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::emulator::Env;
use scwform::emulator::FaultConfig;

const NS: &str = "/containers/v1/regions/fr-par/namespaces";

async fn set_faults(env: &Env, faults: Value) {
    let a = env.admin(Method::PUT, "/faults", faults).await;
    assert_eq!(a.status, 200, "{}", a.body);
}

async fn send_raw(
    env: &Env,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Result<reqwest::Response> {
    let mut req = env
        .client
        .request(method, env.url(path))
        .header("X-Auth-Token", env.emu.secret_key());
    if let Some(b) = body {
        req = req
            .header("Content-Type", "application/json")
            .body(b.to_string());
    }
    req.send().await
}

#[tokio::test]
async fn latency_is_added_to_api_calls_only() {
    let env = Env::start_with(|c| {
        c.faults = FaultConfig {
            latency_ms: 150,
            ..FaultConfig::default()
        };
    })
    .await;
    let t = Instant::now();
    env.get("/account/v3/projects").await;
    assert!(t.elapsed() >= Duration::from_millis(150));
    let t = Instant::now();
    env.admin(Method::GET, "/faults", Value::Null).await;
    assert!(t.elapsed() < Duration::from_millis(150));
}

#[tokio::test]
async fn error_rate_is_seeded_and_switchable_at_run_time() {
    let statuses = |seed| async move {
        let env = Env::start_with(|c| c.seed = seed).await;
        set_faults(
            &env,
            json!({"error_rate": 0.5, "error_statuses": [500, 502, 503]}),
        )
        .await;
        let mut out = Vec::new();
        for _ in 0..30 {
            out.push(env.get("/account/v3/projects").await.status);
        }
        set_faults(&env, json!({})).await;
        assert_eq!(env.get("/account/v3/projects").await.status, 200);
        out
    };
    let a = statuses(42).await;
    assert_eq!(a, statuses(42).await, "same seed, same faults");
    assert!(a.contains(&200));
    assert!(a.iter().any(|s| [500, 502, 503].contains(s)));
    assert!(a.iter().all(|s| [200, 500, 502, 503].contains(s)));
}

#[tokio::test]
async fn rate_limit_answers_429_with_an_empty_body_and_envoy_header() {
    let env = Env::start().await;
    set_faults(&env, json!({"rate_limit": 2})).await;
    let mut limited = None;
    for _ in 0..5 {
        let a = env.get("/account/v3/projects").await;
        if a.status == 429 {
            limited = Some(a);
            break;
        }
    }
    let a = limited.expect("the third call within a second is limited");
    assert!(a.raw.is_empty());
    assert_eq!(a.headers["x-envoy-ratelimited"], "true");
    assert!(!a.headers.contains_key("content-type"));
    assert!(!a.headers.contains_key("retry-after"));
    // Another key has its own bucket.
    let other = env.admin(Method::POST, "/api-keys", json!({})).await.body["secret_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = env
        .call_as(Some(&other), Method::GET, "/account/v3/projects", None)
        .await;
    assert_eq!(b.status, 200);
}

#[tokio::test]
async fn dropped_connection_gets_no_answer_and_changes_nothing() {
    let env = Env::start().await;
    env.admin(
        Method::POST,
        "/faults/targeted",
        json!({"method": "POST", "path_prefix": NS, "action": "drop"}),
    )
    .await;
    let res = send_raw(
        &env,
        Method::POST,
        NS,
        Some(json!({"project_id": env.org(), "name": "lost"})),
    )
    .await;
    assert!(res.is_err(), "expected a transport error, got {res:?}");
    assert_eq!(env.get(NS).await.body["total_count"], 0);
}

#[tokio::test]
async fn commit_then_drop_performs_the_write_but_loses_the_answer() {
    let env = Env::start().await;
    env.admin(
        Method::POST,
        "/faults/targeted",
        json!({"method": "POST", "path_prefix": NS, "action": "commit_then_drop"}),
    )
    .await;
    let res = send_raw(
        &env,
        Method::POST,
        NS,
        Some(json!({"project_id": env.org(), "name": "committed"})),
    )
    .await;
    assert!(res.is_err(), "expected a transport error, got {res:?}");
    let list = env.get(&format!("{NS}?name=committed")).await;
    assert_eq!(list.body["total_count"], 1);
}

#[tokio::test]
async fn random_drops_follow_drop_rate() {
    let env = Env::start().await;
    set_faults(&env, json!({"drop_rate": 1.0})).await;
    assert!(send_raw(&env, Method::GET, NS, None).await.is_err());
    set_faults(&env, json!({"commit_then_drop_rate": 1.0})).await;
    assert!(
        send_raw(
            &env,
            Method::POST,
            NS,
            Some(json!({"project_id": env.org(), "name": "ctd"}))
        )
        .await
        .is_err()
    );
    set_faults(&env, json!({})).await;
    assert_eq!(env.get(NS).await.body["total_count"], 1);
}

#[tokio::test]
async fn targeted_fault_fails_the_next_n_matching_requests() {
    let env = Env::start().await;
    let a = env
        .admin(
            Method::POST,
            "/faults/targeted",
            json!({"method": "POST", "path_prefix": "/containers/v1/", "count": 2,
                   "action": "status", "status": 503}),
        )
        .await;
    assert_eq!(a.body["targeted"][0]["count"], 2);
    // Other methods and paths are untouched.
    assert_eq!(env.get(NS).await.status, 200);
    let body = json!({"project_id": env.org(), "name": "retry-me"});
    let first = env.post(NS, body.clone()).await;
    assert_eq!(first.status, 503);
    assert_eq!(first.body, json!({"message": "service unavailable"}));
    assert_eq!(env.post(NS, body.clone()).await.status, 503);
    assert_eq!(env.post(NS, body).await.status, 200);
    assert_eq!(env.get(NS).await.body["total_count"], 1);
    assert_eq!(
        env.admin(Method::GET, "/faults", Value::Null).await.body["targeted"],
        json!([])
    );
}

#[tokio::test]
async fn cockpit_answers_403_right_after_a_project_is_created() {
    let env = Env::start().await;
    set_faults(&env, json!({"cockpit_denied_after_project_ms": 10000})).await;
    let p = env
        .post(
            "/account/v3/projects",
            json!({"name": "fresh", "organization_id": env.org()}),
        )
        .await;
    let pid = p.body["id"].as_str().unwrap().to_owned();
    let body = json!({"project_id": pid, "name": "tok", "token_scopes": ["read_only_logs"]});
    let denied = env
        .post("/cockpit/v1/regions/fr-par/tokens", body.clone())
        .await;
    assert_eq!(denied.status, 403);
    assert_eq!(
        denied.body,
        json!({"details": [{"action": "write", "resource": "cockpit"}],
               "message": "insufficient permissions", "type": "permissions_denied"})
    );
    env.clock.advance(Duration::from_secs(10));
    assert_eq!(
        env.post("/cockpit/v1/regions/fr-par/tokens", body)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn faults_can_be_set_at_start() {
    let env = Env::start_with(|c| {
        c.faults = FaultConfig {
            error_rate: 1.0,
            error_statuses: vec![502],
            ..FaultConfig::default()
        };
    })
    .await;
    let a = env.get("/account/v3/projects").await;
    assert_eq!(
        (a.status, a.body.clone()),
        (502, json!({"message": "bad gateway"}))
    );
}
