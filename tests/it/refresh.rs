//! Refresh through list endpoints (issue 15, stage 1): reading objects a list page at a time
//! finds exactly what one `GET` per object finds — the same refreshed state, the same objects
//! gone, the same plan, byte for byte — and an object is declared gone only when its own `GET`
//! answers 404, whatever its list said.
//!
//! Every test runs the library's refresh against the in-process emulator: objects are created
//! by a real apply of a generated configuration, changed or deleted through the API as someone
//! outside would, then refreshed both ways.

use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Value, json};

use scwform::api::client::{Client, ClientConfig};
use scwform::api::resources::{
    ApiContext, Attributes, BoxFuture, Changed, Defaults, Listing, Outcome, ResourceApi,
    ResourceError, WaitSettings, resource_api,
};
use scwform::api::retry::RetryPolicy;
use scwform::apply::events::Events;
use scwform::apply::refresh::{RefreshOptions, RefreshReport, refresh_with};
use scwform::apply::writer::StateWriter;
use scwform::apply::{ApiLookup, Apply, ApplyOptions, Cancel, SharedInput, api_lookup, apply};
use scwform::emulator::{BlockingEmulator, Emulator, EmulatorConfig, Settle};
use scwform::model::evaluate::ResourceValues;
use scwform::model::load::{LoadOptions, load_texts};
use scwform::plan::{PlanOptions, plan};
use scwform::render::TextOptions;
use scwform::state::backend::{BackendSpec, OpenOptions, open};
use scwform::state::{DEFAULT_WORKSPACE, State};

/// An emulator, a runtime to drive the library, and an API context for the emulator.
struct World {
    emulator: BlockingEmulator,
    rt: tokio::runtime::Runtime,
    cx: Arc<ApiContext>,
}

impl World {
    fn new() -> Self {
        let emulator = Emulator::start_blocking(EmulatorConfig {
            // A changed object shows its transient status to one read, then settles: list
            // items are then sometimes transient, and their objects are read on their own.
            settle: Settle::Reads { reads: 1 },
            ..EmulatorConfig::default()
        })
        .expect("emulator starts");
        let handle = emulator.handle();
        let client = Client::new(ClientConfig {
            retry: RetryPolicy::fast(),
            ..ClientConfig::new(
                handle.base_url(),
                Some(handle.secret_key().to_owned().into()),
            )
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
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        Self {
            emulator,
            rt,
            cx: Arc::new(cx),
        }
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

    /// Applies `text` to an empty state; gives the state.
    fn apply(&self, text: &str) -> State {
        let input = Self::input(text);
        let empty = State::default();
        let planned = plan(&*input, &empty, &empty, &PlanOptions::default()).expect("plans");
        let dir = tempfile::tempdir().expect("temp dir");
        let backend = open(
            &BackendSpec::local("scwform.tfstate"),
            &OpenOptions::from_process(dir.path()),
        )
        .expect("local backend");
        self.rt.block_on(async {
            let writer = StateWriter::start(Arc::new(backend.store(DEFAULT_WORKSPACE)), empty);
            let report = apply(Apply {
                plan: &planned,
                input: Arc::clone(&input),
                cx: Arc::clone(&self.cx),
                lookup: api_lookup(),
                writer: &writer,
                journal: None,
                options: ApplyOptions {
                    parallelism: 10,
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
        })
    }

    fn refresh(&self, state: &State, lists: bool, lookup: &ApiLookup) -> RefreshReport {
        self.rt.block_on(refresh_with(
            state,
            Arc::clone(&self.cx),
            lookup,
            RefreshOptions {
                parallelism: 10,
                lists,
            },
            &Events::none(),
        ))
    }

    /// A call as someone outside scwform would make it; its answer does not matter.
    /// Makes the call; whether the API accepted it (it refuses, for example, to delete a
    /// project that still holds namespaces).
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> bool {
        let client = &self.cx.client;
        self.rt.block_on(async {
            match (method, body) {
                ("PATCH", Some(body)) => client.patch::<_, Value>(path, &body).await.map(|_| ()),
                _ => client.delete_no_content(path).await,
            }
            .is_ok()
        })
    }

    /// Makes the next `count` requests whose path starts with `prefix` fail with `status`.
    fn fault(&self, prefix: &str, status: u16, count: u32) {
        let url = format!(
            "{}/_emulator/faults/targeted",
            self.emulator.handle().base_url()
        );
        let body =
            json!({"path_prefix": prefix, "count": count, "action": "status", "status": status});
        self.rt.block_on(async {
            let answer = reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .expect("admin API answers");
            assert!(answer.status().is_success());
        });
    }
}

/// The API path of a recorded object, from its type and `id`.
fn object_path(type_name: &str, id: &str) -> String {
    let (region, uuid) = id.split_once('/').unwrap_or(("", id));
    match type_name {
        "scaleway_account_project" => format!("/account/v3/projects/{uuid}"),
        "scaleway_cockpit_token" => format!("/cockpit/v1/regions/{region}/tokens/{uuid}"),
        "scaleway_container_namespace" => {
            format!("/containers/v1/regions/{region}/namespaces/{uuid}")
        }
        "scaleway_container" => format!("/containers/v1/regions/{region}/containers/{uuid}"),
        "scaleway_container_token" => {
            format!("/containers/v1beta1/regions/{region}/tokens/{uuid}")
        }
        "scaleway_function_namespace" => {
            format!("/functions/v1beta1/regions/{region}/namespaces/{uuid}")
        }
        "scaleway_function_token" => format!("/functions/v1beta1/regions/{region}/tokens/{uuid}"),
        other => panic!("no path for {other}"),
    }
}

/// Every recorded object: (type, id).
fn recorded(state: &State) -> Vec<(String, String)> {
    state
        .resources
        .iter()
        .flat_map(|r| {
            r.instances.iter().map(|i| {
                (
                    r.type_name.clone(),
                    i.attributes["id"].as_str().expect("id").to_owned(),
                )
            })
        })
        .collect()
}

/// A configuration of every managed type: `n` gives how many of each.
fn configuration(n: &Counts) -> String {
    format!(
        r#"
resource "scaleway_account_project" "p" {{
  count = {projects}
  name  = "refresh-p-${{count.index}}"
}}

resource "scaleway_cockpit_token" "t" {{
  count      = {cockpit}
  project_id = scaleway_account_project.p[count.index % {projects}].id
  name       = "t-${{count.index}}"
  region     = count.index % 2 == 0 ? "fr-par" : "nl-ams"
}}

resource "scaleway_container_namespace" "ns" {{
  count       = {namespaces}
  project_id  = scaleway_account_project.p[count.index % {projects}].id
  name        = "ns-${{count.index}}"
  description = "namespace ${{count.index}}"
}}

resource "scaleway_container" "c" {{
  count        = {containers}
  namespace_id = scaleway_container_namespace.ns[count.index % {namespaces}].id
  name         = "c-${{count.index}}"
  image        = "docker.io/library/nginx:latest"
  description  = "container ${{count.index}}"
}}

resource "scaleway_container_token" "nt" {{
  count        = {namespace_tokens}
  namespace_id = scaleway_container_namespace.ns[count.index % {namespaces}].id
  description  = "nt-${{count.index}}"
}}

resource "scaleway_container_token" "ct" {{
  count        = {container_tokens}
  container_id = scaleway_container.c[count.index % {containers}].id
}}

resource "scaleway_function_namespace" "fns" {{
  count       = {function_namespaces}
  project_id  = scaleway_account_project.p[count.index % {projects}].id
  name        = "fns-${{count.index}}"
  description = "functions ${{count.index}}"
}}

resource "scaleway_function_token" "ft" {{
  count        = {function_tokens}
  namespace_id = scaleway_function_namespace.fns[count.index % {function_namespaces}].id
}}
"#,
        projects = n.projects,
        cockpit = n.cockpit,
        namespaces = n.namespaces,
        containers = n.containers,
        namespace_tokens = n.namespace_tokens,
        container_tokens = if n.containers == 0 {
            0
        } else {
            n.container_tokens
        },
        function_namespaces = n.function_namespaces,
        function_tokens = n.function_tokens,
    )
}

#[derive(Debug, Clone)]
struct Counts {
    projects: usize,
    cockpit: usize,
    namespaces: usize,
    containers: usize,
    namespace_tokens: usize,
    container_tokens: usize,
    function_namespaces: usize,
    function_tokens: usize,
}

fn counts() -> impl Strategy<Value = Counts> {
    (
        1..3usize,
        0..6usize,
        1..3usize,
        0..5usize,
        0..5usize,
        0..3usize,
        1..3usize,
        0..5usize,
    )
        .prop_map(|t| Counts {
            projects: t.0,
            cockpit: t.1,
            namespaces: t.2,
            containers: t.3,
            namespace_tokens: t.4,
            container_tokens: t.5,
            function_namespaces: t.6,
            function_tokens: t.7,
        })
}

/// What someone outside does to one object.
#[derive(Debug, Clone, Copy)]
enum Edit {
    Delete,
    Change,
}

/// Makes `edit` to the object `(type_name, id)` through the API; whether the API accepted it.
fn make(world: &World, (type_name, id): &(String, String), edit: Edit) -> bool {
    let path = object_path(type_name, id);
    match edit {
        Edit::Delete => world.call("DELETE", &path, None),
        Edit::Change => {
            let body = match type_name.as_str() {
                "scaleway_account_project" => json!({"name": "renamed-outside"}),
                "scaleway_container" => json!({"description": "changed outside",
                    "privacy": "unknown_privacy", "protocol": "unknown_protocol",
                    "sandbox": "unknown_sandbox"}),
                "scaleway_container_namespace" | "scaleway_function_namespace" => {
                    json!({"description": "changed outside"})
                }
                // Tokens have no update call: someone outside can only delete them.
                _ => return world.call("DELETE", &path, None),
            };
            world.call("PATCH", &path, Some(body))
        }
    }
}

/// The plan's text for `refreshed`.
fn plan_text(text: &str, prior: &State, refreshed: &State) -> String {
    let input = World::input(text);
    let planned = plan(
        &*input,
        prior,
        refreshed,
        &PlanOptions {
            refresh: true,
            ..PlanOptions::default()
        },
    )
    .expect("plans");
    scwform::render::text::render(&planned, &TextOptions { width: 78 })
}

/// What `scwform drift` prints for `refreshed` (the refresh-only plan), and whether it found
/// anything.
fn drift_text(text: &str, prior: &State, refreshed: &State) -> (String, bool) {
    let input = World::input(text);
    let planned = plan(
        &*input,
        prior,
        refreshed,
        &PlanOptions {
            refresh: true,
            refresh_only: true,
            ..PlanOptions::default()
        },
    )
    .expect("plans");
    (
        scwform::render::text::render(&planned, &TextOptions { width: 78 }),
        !planned.drift.is_empty(),
    )
}

fn state_json(state: &State) -> Value {
    serde_json::from_str(&state.to_json()).expect("state is JSON")
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Issue 15: over random configurations of every type and random changes and deletions
    /// made outside, a refresh through lists finds exactly what one `GET` per object finds:
    /// the same refreshed state, the same objects gone, errors and warnings, the same plan and
    /// the same drift (what `scwform drift` prints).
    #[test]
    fn issue_15_list_refresh_finds_what_one_get_per_object_finds(
        n in counts(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::bool::ANY), 0..6),
    ) {
        let world = World::new();
        let text = configuration(&n);
        let state = world.apply(&text);
        let objects = recorded(&state);
        let mut edited = false;
        for (pick, delete) in &edits {
            let object = pick.get(&objects);
            edited |= make(&world, object, if *delete { Edit::Delete } else { Edit::Change });
        }
        let lookup = api_lookup();
        let by_get = world.refresh(&state, false, &lookup);
        let by_list = world.refresh(&state, true, &lookup);
        prop_assert_eq!(by_get.objects, objects.len());
        prop_assert_eq!(by_list.objects, objects.len());
        prop_assert_eq!(&by_list.removed, &by_get.removed);
        prop_assert_eq!(&by_list.errors, &by_get.errors);
        prop_assert_eq!(&by_list.warnings, &by_get.warnings);
        prop_assert_eq!(state_json(&by_list.state), state_json(&by_get.state));
        prop_assert_eq!(
            plan_text(&text, &state, &by_list.state),
            plan_text(&text, &state, &by_get.state)
        );
        // The drift `scwform drift` reports is the same either way, and there is some exactly
        // when the API accepted an edit made outside.
        let (listed_drift, drifted) = drift_text(&text, &state, &by_list.state);
        prop_assert_eq!(&listed_drift, &drift_text(&text, &state, &by_get.state).0);
        prop_assert_eq!(drifted, edited, "{}", listed_drift);
    }
}

/// A mapping whose list never shows its objects, as a list that lags behind the API would.
struct Lagging(&'static dyn ResourceApi);

impl ResourceApi for Lagging {
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }
    fn create<'a>(
        &'a self,
        cx: &'a ApiContext,
        desired: &'a Attributes,
    ) -> BoxFuture<'a, Result<Outcome, ResourceError>> {
        self.0.create(cx, desired)
    }
    fn read<'a>(
        &'a self,
        cx: &'a ApiContext,
        prior: &'a Attributes,
    ) -> BoxFuture<'a, Result<Option<Outcome>, ResourceError>> {
        self.0.read(cx, prior)
    }
    fn update<'a>(
        &'a self,
        cx: &'a ApiContext,
        prior: &'a Attributes,
        desired: &'a Attributes,
        changed: &'a Changed,
    ) -> BoxFuture<'a, Result<Outcome, ResourceError>> {
        self.0.update(cx, prior, desired, changed)
    }
    fn delete<'a>(
        &'a self,
        cx: &'a ApiContext,
        prior: &'a Attributes,
    ) -> BoxFuture<'a, Result<(), ResourceError>> {
        self.0.delete(cx, prior)
    }
    fn listing(&self, prior: &Attributes) -> Option<Listing> {
        self.0.listing(prior).map(|l| Listing {
            id: "00000000-0000-0000-0000-000000000000".into(),
            ..l
        })
    }
    fn read_listed(&self, prior: &Attributes, item: Value) -> Option<Outcome> {
        self.0.read_listed(prior, item)
    }
}

const TOKENS: &str = r#"
resource "scaleway_cockpit_token" "t" {
  count = 4
  name  = "t-${count.index}"
}
"#;

/// Issue 15: an object deleted outside is reported gone only after its own `GET` says 404 —
/// not because its list left it out (a list can lag), and not when that `GET` fails otherwise.
#[test]
fn issue_15_an_object_is_gone_only_when_its_get_says_404() {
    let world = World::new();
    let state = world.apply(TOKENS);
    let objects = recorded(&state);
    let deleted = state
        .resources
        .iter()
        .flat_map(|r| {
            r.instances
                .iter()
                .map(move |i| (r.addr().instance(i.index_key.clone()), i))
        })
        .find(|(addr, _)| addr.to_string() == "scaleway_cockpit_token.t[2]")
        .map(|(_, i)| i.attributes["id"].as_str().expect("id").to_owned())
        .expect("t[2] recorded");
    make(
        &world,
        &("scaleway_cockpit_token".to_owned(), deleted.clone()),
        Edit::Delete,
    );
    let gone = vec!["scaleway_cockpit_token.t[2]".parse().expect("address")];

    // Through the list: one page, then one confirming GET for the token it lacks.
    let listed = world.refresh(&state, true, &api_lookup());
    assert_eq!(listed.removed, gone);
    assert_eq!(listed.calls, 2, "one list page and one GET");
    assert_eq!(listed.state.addresses().len(), 3);

    // A list that shows none of them (lagging): every token is read with its own GET, and only
    // the one whose GET says 404 is gone.
    let lagging: &'static Lagging = Box::leak(Box::new(Lagging(
        resource_api("scaleway_cockpit_token").expect("mapping"),
    )));
    let lookup: ApiLookup = Arc::new(move |t: &str| {
        (t == "scaleway_cockpit_token").then_some(lagging as &'static dyn ResourceApi)
    });
    let lagged = world.refresh(&state, true, &lookup);
    assert_eq!(lagged.removed, gone);
    assert_eq!(lagged.calls, 5, "one list page and four GETs");
    assert_eq!(
        state_json(&lagged.state),
        state_json(&listed.state),
        "the same objects, read either way"
    );

    // Absent from its list, but its GET fails with something else than 404: not gone, an error.
    assert_eq!(objects.len(), 4);
    world.fault(&object_path("scaleway_cockpit_token", &deleted), 500, 100);
    let failed = world.refresh(&state, true, &api_lookup());
    assert!(failed.removed.is_empty(), "{:?}", failed.removed);
    assert_eq!(failed.errors.len(), 1, "{:?}", failed.errors);
    assert_eq!(failed.errors[0].0, gone[0]);
}

/// Issue 15: a list that fails leaves every object to its own read, which finds them.
#[test]
fn issue_15_a_failing_list_falls_back_to_one_get_per_object() {
    let world = World::new();
    let state = world.apply(TOKENS);
    world.fault("/cockpit/v1/regions/fr-par/tokens", 400, 1);
    let report = world.refresh(&state, true, &api_lookup());
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.removed.is_empty());
    assert_eq!(report.calls, 5, "the failed page, then four GETs");
    let by_get = world.refresh(&state, false, &api_lookup());
    assert_eq!(state_json(&report.state), state_json(&by_get.state));
}
