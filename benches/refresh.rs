//! Refresh and plan of many objects against the emulator under Scaleway's order of rate limit,
//! through list endpoints and with one `GET` per object, in one run.
//!
//! The objects are made first by a real apply of a generated configuration (every managed
//! type, several projects, namespaces and regions) with no rate limit; then the emulator is
//! limited to `RATE` requests/s per key with a burst of `BURST`, and the same state is
//! refreshed and planned twice: with list refresh (the default) and without (`GET` per object,
//! as Terraform). Printed for each: wall time of refresh + plan, HTTP requests sent, 429s the
//! emulator answered, and objects found changed or gone (both must be 0: nothing changed).
//!
//! Run: `cargo bench --bench refresh`
//! (environment: `N` = 10000 objects, `RATE` = 100, `BURST` = 20, `PARALLELISM` = 10,
//! `GETS` = 1: also run the one-`GET`-per-object refresh, which takes minutes at 100/s).

#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use scwform::api::client::{Client, ClientConfig};
use scwform::api::resources::{ApiContext, Defaults, WaitSettings};
use scwform::api::retry::RetryPolicy;
use scwform::api::throttle::ThrottleConfig;
use scwform::apply::events::Events;
use scwform::apply::refresh::{RefreshOptions, refresh_with};
use scwform::apply::writer::StateWriter;
use scwform::apply::{Apply, ApplyOptions, Cancel, SharedInput, api_lookup, apply};
use scwform::emulator::{Emulator, EmulatorConfig, Settle};
use scwform::model::evaluate::ResourceValues;
use scwform::model::load::{LoadOptions, load_texts};
use scwform::plan::{PlanOptions, plan};
use scwform::state::backend::{BackendSpec, OpenOptions, open};
use scwform::state::{DEFAULT_WORKSPACE, State};

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// How many objects of each type make `n` in all: 10 projects, then shares of the rest.
fn configuration(n: usize) -> String {
    let projects = 10.min(n);
    let rest = n - projects;
    let namespaces = (rest / 100).max(1);
    let function_namespaces = (rest / 200).max(1);
    let rest = rest.saturating_sub(namespaces + function_namespaces);
    let cockpit = rest / 5;
    let containers = rest / 5;
    let container_tokens = rest / 5;
    let namespace_tokens = rest / 10;
    let function_tokens = rest - cockpit - containers - container_tokens - namespace_tokens;
    format!(
        r#"
resource "scaleway_account_project" "p" {{
  count = {projects}
  name  = "bench-p-${{count.index}}"
}}

resource "scaleway_cockpit_token" "t" {{
  count      = {cockpit}
  project_id = scaleway_account_project.p[count.index % {projects}].id
  name       = "t-${{count.index}}"
  region     = count.index % 2 == 0 ? "fr-par" : "nl-ams"
}}

resource "scaleway_container_namespace" "ns" {{
  count      = {namespaces}
  project_id = scaleway_account_project.p[count.index % {projects}].id
  name       = "ns-${{count.index}}"
  region     = count.index % 3 == 0 ? "pl-waw" : "fr-par"
}}

resource "scaleway_container" "c" {{
  count        = {containers}
  namespace_id = scaleway_container_namespace.ns[count.index % {namespaces}].id
  name         = "c-${{count.index}}"
  image        = "docker.io/library/nginx:latest"
}}

resource "scaleway_container_token" "ct" {{
  count        = {container_tokens}
  container_id = scaleway_container.c[count.index % {containers}].id
}}

resource "scaleway_container_token" "nt" {{
  count        = {namespace_tokens}
  namespace_id = scaleway_container_namespace.ns[count.index % {namespaces}].id
}}

resource "scaleway_function_namespace" "fns" {{
  count      = {function_namespaces}
  project_id = scaleway_account_project.p[count.index % {projects}].id
  name       = "fns-${{count.index}}"
}}

resource "scaleway_function_token" "ft" {{
  count        = {function_tokens}
  namespace_id = scaleway_function_namespace.fns[count.index % {function_namespaces}].id
}}
"#
    )
}

fn input(text: &str) -> SharedInput {
    let text = text.to_owned();
    Arc::new(move |values: &dyn ResourceValues| {
        let loaded = load_texts(
            vec![("main.tf".into(), text.clone())],
            &LoadOptions::default(),
            values,
        );
        (loaded.config, loaded.diagnostics)
    })
}

async fn admin(
    base: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> serde_json::Value {
    let mut request = reqwest::Client::new().request(method, format!("{base}/_emulator{path}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request
        .send()
        .await
        .expect("admin API answers")
        .json()
        .await
        .expect("JSON")
}

fn main() {
    let n: usize = env("N", 10_000);
    let rate: u32 = env("RATE", 100);
    let burst: u32 = env("BURST", 20);
    let parallelism: usize = env("PARALLELISM", 10);
    let gets: bool = env::<u8>("GETS", 1) != 0;
    let text = configuration(n);
    let emulator = Emulator::start_blocking(EmulatorConfig {
        settle: Settle::Reads { reads: 0 },
        ..EmulatorConfig::default()
    })
    .expect("emulator starts");
    let handle = emulator.handle();
    let base = handle.base_url();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = Client::new(ClientConfig {
        // What the CLI uses against an API on loopback.
        retry: RetryPolicy::fast(),
        throttle: ThrottleConfig::with_parallelism(parallelism),
        ..ClientConfig::new(base.clone(), Some(handle.secret_key().to_owned().into()))
    })
    .expect("client");
    let mut cx = ApiContext::new(
        client,
        Defaults {
            organization_id: Some(handle.organization_id()),
            project_id: Some(handle.default_project_id()),
            region: "fr-par".into(),
        },
    );
    cx.waits = WaitSettings::fast();
    let cx = Arc::new(cx);
    let input = input(&text);

    // The objects, made with no rate limit.
    let empty = State::default();
    let planned = plan(&*input, &empty, &empty, &PlanOptions::default()).expect("plans");
    let dir = tempfile::tempdir().expect("temp dir");
    let backend = open(
        &BackendSpec::local("scwform.tfstate"),
        &OpenOptions::from_process(dir.path()),
    )
    .expect("local backend");
    let started = Instant::now();
    let state = rt.block_on(async {
        let writer = StateWriter::start(Arc::new(backend.store(DEFAULT_WORKSPACE)), empty.clone());
        let report = apply(Apply {
            plan: &planned,
            input: Arc::clone(&input),
            cx: Arc::clone(&cx),
            lookup: api_lookup(),
            writer: &writer,
            journal: None,
            options: ApplyOptions {
                parallelism: 50,
                heartbeat: Duration::from_secs(10),
            },
            events: Events::none(),
            cancel: Cancel::default(),
        })
        .await;
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        let (state, _, saved) = writer.finish().await;
        saved.expect("state saved");
        state
    });
    let objects = state.addresses().len();
    println!(
        "refresh: {objects} objects made in {:.1} s (no rate limit); now {rate} requests/s, burst {burst}, parallelism {parallelism}",
        started.elapsed().as_secs_f64()
    );

    let modes: &[(bool, &str)] = if gets {
        &[(true, "list refresh"), (false, "GET per object")]
    } else {
        &[(true, "list refresh")]
    };
    for &(lists, name) in modes {
        rt.block_on(async {
            admin(
                &base,
                reqwest::Method::PUT,
                "/faults",
                Some(serde_json::json!({"rate_limit": rate, "rate_burst": burst})),
            )
            .await;
            // A full bucket to start from, as for a first run of the day.
            tokio::time::sleep(Duration::from_millis(500)).await;
        });
        let limited_before =
            rt.block_on(admin(&base, reqwest::Method::GET, "/faults/counts", None))["rate_limited"]
                .as_u64()
                .unwrap_or(0);
        let throttled_before = cx.client.throttle_stats();
        let started = Instant::now();
        let report = rt.block_on(refresh_with(
            &state,
            Arc::clone(&cx),
            &api_lookup(),
            RefreshOptions { parallelism, lists },
            &Events::none(),
        ));
        let refreshed_in = started.elapsed();
        let planned = plan(
            &*input,
            &state,
            &report.state,
            &PlanOptions {
                refresh: true,
                ..PlanOptions::default()
            },
        )
        .expect("plans");
        let wall = started.elapsed();
        let planned_in = wall.saturating_sub(refreshed_in);
        let throttled = cx.client.throttle_stats();
        let limited =
            rt.block_on(admin(&base, reqwest::Method::GET, "/faults/counts", None))["rate_limited"]
                .as_u64()
                .unwrap_or(0)
                - limited_before;
        println!(
            "  {name:<15}: refresh + plan {:.2} s (refresh {:.2} s, plan {:.2} s), {} HTTP requests ({} list pages and reads), {limited} answered 429 (all sent again; the pace went {} times down, to {}), {} errors, {} gone, plan has changes: {}",
            wall.as_secs_f64(),
            refreshed_in.as_secs_f64(),
            planned_in.as_secs_f64(),
            report.requests,
            report.calls,
            throttled.decreases - throttled_before.decreases,
            throttled
                .rate
                .map_or_else(|| "unpaced".to_owned(), |r| format!("{r:.0}/s")),
            report.errors.len(),
            report.removed.len(),
            planned.has_changes(),
        );
        rt.block_on(admin(
            &base,
            reqwest::Method::PUT,
            "/faults",
            Some(serde_json::json!({})),
        ));
    }
}
