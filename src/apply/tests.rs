//! Executor tests over an in-memory fake of the API mappings: ordering, value resolution,
//! batching of evaluations, failures, replacements and interruption. The real mappings against
//! the emulator are exercised end to end in `tests/it/e2e*.rs`.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;

use serde_json::json;

use super::*;
use crate::api::client::{Client, ClientConfig};
use crate::api::resources::{BoxFuture, Changed, Defaults, ResourceError, WaitSettings};
use crate::plan::tests::eval_text;
use crate::plan::{PlanOptions, plan};
use crate::state::backend::{Backend, BackendSpec, OpenOptions, open};
use crate::state::{DEFAULT_WORKSPACE, InstanceAddr};

/// An in-memory API for every resource type: objects by id, a call log, and failures on
/// demand (by object name).
#[derive(Default)]
struct Fake {
    objects: Mutex<BTreeMap<String, Attributes>>,
    log: Mutex<Vec<String>>,
    /// What each update was told changed, in call order.
    changed: Mutex<Vec<Vec<String>>>,
    fail_names: Mutex<Vec<String>>,
    /// Names whose delete is refused.
    fail_deletes: Mutex<Vec<String>>,
    /// Names whose create makes the object but then fails as a wait for it would.
    unready_names: Mutex<Vec<String>>,
    /// Names whose create makes the object but loses the answer, and finds every object of
    /// the same `project_id` as what it may have made.
    ambiguous_names: Mutex<Vec<String>>,
    next: Mutex<u32>,
    delay: Duration,
    /// Calls under way now, and the most there ever were at once.
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

/// Counts a call as under way until dropped (also when the call is cancelled).
struct InFlight<'a>(&'a Fake);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

struct FakeType {
    type_name: &'static str,
    fake: &'static Fake,
}

impl Fake {
    fn leak(delay: Duration) -> &'static Self {
        Box::leak(Box::new(Self {
            delay,
            ..Self::default()
        }))
    }

    fn lookup(&'static self) -> ApiLookup {
        let types: Vec<&'static FakeType> = crate::schema::type_names()
            .map(|t| -> &'static FakeType {
                Box::leak(Box::new(FakeType {
                    type_name: t,
                    fake: self,
                }))
            })
            .collect();
        Arc::new(move |name: &str| {
            types
                .iter()
                .find(|t| t.type_name == name)
                .copied()
                .map(|t| -> &'static dyn ResourceApi { t })
        })
    }

    /// The fake's latency, counted as a call in flight.
    async fn pause(&self) {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_flight.fetch_max(now, Ordering::SeqCst);
        let _call = InFlight(self);
        tokio::time::sleep(self.delay).await;
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().expect("no poison").clone()
    }

    fn fail(&self, name: &str) {
        self.fail_names
            .lock()
            .expect("no poison")
            .push(name.to_owned());
    }
}

/// A local backend keeping its default state in `dir/s.tfstate`.
fn local_backend(dir: &tempfile::TempDir) -> Backend {
    open(
        &BackendSpec::local("s.tfstate"),
        &OpenOptions::from_process(dir.path()),
    )
    .expect("a local backend")
}
fn name_of(a: &Attributes) -> String {
    a.get("name")
        .and_then(|v| v.as_str())
        .unwrap_or("?")
        .to_owned()
}

fn api_error(message: &str) -> ResourceError {
    ResourceError::InvalidAttribute {
        type_name: "fake",
        attribute: "name".into(),
        message: message.into(),
    }
}

impl ResourceApi for FakeType {
    fn type_name(&self) -> &'static str {
        self.type_name
    }

    fn create<'a>(
        &'a self,
        _cx: &'a ApiContext,
        desired: &'a Attributes,
    ) -> BoxFuture<'a, Result<Outcome, ResourceError>> {
        Box::pin(async move {
            self.fake.pause().await;
            let name = name_of(desired);
            self.fake
                .log
                .lock()
                .expect("no poison")
                .push(format!("create {name}"));
            if self
                .fake
                .fail_names
                .lock()
                .expect("no poison")
                .contains(&name)
            {
                return Err(api_error("is refused by the fake API"));
            }
            let n = {
                let mut next = self.fake.next.lock().expect("no poison");
                *next += 1;
                *next
            };
            let mut attrs = desired.clone();
            let id = if self.type_name == "scaleway_account_project" {
                format!("00000000-0000-0000-0000-{n:012}")
            } else {
                format!("fr-par/00000000-0000-0000-0000-{n:012}")
            };
            attrs.insert("id".into(), json!(id));
            if attrs.contains_key("secret_key") {
                attrs.insert("secret_key".into(), json!(format!("secret-{n}")));
            }
            for (k, v) in &mut attrs {
                if v.is_null() && k == "region" {
                    *v = json!("fr-par");
                }
            }
            self.fake
                .objects
                .lock()
                .expect("no poison")
                .insert(id.clone(), attrs.clone());
            if self
                .fake
                .ambiguous_names
                .lock()
                .expect("no poison")
                .contains(&name)
            {
                let candidates: Vec<Outcome> = self
                    .fake
                    .objects
                    .lock()
                    .expect("no poison")
                    .values()
                    .filter(|a| a.get("project_id") == attrs.get("project_id"))
                    .map(|a| Outcome {
                        attributes: a.clone(),
                        warnings: Vec::new(),
                    })
                    .collect();
                let found: Vec<String> = candidates
                    .iter()
                    .map(|c| c.attributes["id"].as_str().unwrap_or("?").to_owned())
                    .collect();
                return Err(ResourceError::Ambiguous {
                    type_name: self.type_name,
                    found: found.join(", "),
                    candidates,
                    cause: Box::new(crate::api::error::ClientError::OutcomeUnknown {
                        request: "POST /fake".into(),
                        cause: "the answer was lost".into(),
                    }),
                });
            }
            if self
                .fake
                .unready_names
                .lock()
                .expect("no poison")
                .contains(&name)
            {
                return Err(ResourceError::created_not_ready(
                    self.type_name,
                    attrs,
                    &crate::api::error::ClientError::Timeout {
                        request: format!("GET /fake/{id}"),
                        attempts: 1,
                    },
                ));
            }
            Ok(Outcome {
                attributes: attrs,
                warnings: Vec::new(),
            })
        })
    }

    fn read<'a>(
        &'a self,
        _cx: &'a ApiContext,
        prior: &'a Attributes,
    ) -> BoxFuture<'a, Result<Option<Outcome>, ResourceError>> {
        Box::pin(async move {
            let id = prior.get("id").and_then(|v| v.as_str()).unwrap_or("");
            Ok(self
                .fake
                .objects
                .lock()
                .expect("no poison")
                .get(id)
                .cloned()
                .map(|attributes| Outcome {
                    attributes,
                    warnings: Vec::new(),
                }))
        })
    }

    fn update<'a>(
        &'a self,
        _cx: &'a ApiContext,
        prior: &'a Attributes,
        desired: &'a Attributes,
        changed: &'a Changed,
    ) -> BoxFuture<'a, Result<Outcome, ResourceError>> {
        Box::pin(async move {
            self.fake.pause().await;
            self.fake
                .log
                .lock()
                .expect("no poison")
                .push(format!("update {}", name_of(prior)));
            self.fake
                .changed
                .lock()
                .expect("no poison")
                .push(changed.names().map(str::to_owned).collect());
            let mut attrs = desired.clone();
            attrs.insert("id".into(), prior["id"].clone());
            self.fake
                .objects
                .lock()
                .expect("no poison")
                .insert(prior["id"].as_str().unwrap_or("").to_owned(), attrs.clone());
            Ok(Outcome {
                attributes: attrs,
                warnings: vec!["a warning from the fake".into()],
            })
        })
    }

    fn delete<'a>(
        &'a self,
        _cx: &'a ApiContext,
        prior: &'a Attributes,
    ) -> BoxFuture<'a, Result<(), ResourceError>> {
        Box::pin(async move {
            self.fake.pause().await;
            self.fake
                .log
                .lock()
                .expect("no poison")
                .push(format!("delete {}", name_of(prior)));
            if self
                .fake
                .fail_deletes
                .lock()
                .expect("no poison")
                .contains(&name_of(prior))
            {
                return Err(api_error("cannot be deleted now, says the fake API"));
            }
            let id = prior.get("id").and_then(|v| v.as_str()).unwrap_or("");
            self.fake.objects.lock().expect("no poison").remove(id);
            Ok(())
        })
    }

    fn find<'a>(
        &'a self,
        _cx: &'a ApiContext,
        lookup: &'a Attributes,
    ) -> BoxFuture<'a, Result<Option<Vec<Outcome>>, ResourceError>> {
        Box::pin(async move {
            let name = name_of(lookup);
            // Projects have bare UUIDs, the other types regional IDs.
            let regional = self.type_name != "scaleway_account_project";
            Ok(Some(
                self.fake
                    .objects
                    .lock()
                    .expect("no poison")
                    .iter()
                    .filter(|(id, a)| id.contains('/') == regional && name_of(a) == name)
                    .map(|(_, a)| Outcome {
                        attributes: a.clone(),
                        warnings: Vec::new(),
                    })
                    .collect(),
            ))
        })
    }
}

fn input(text: &str) -> SharedInput {
    let text = text.to_owned();
    Arc::new(move |values: &dyn ResourceValues| eval_text(&text, values))
}

fn context() -> Arc<ApiContext> {
    let client = Client::new(ClientConfig::new("http://127.0.0.1:9", None)).expect("client");
    let mut cx = ApiContext::new(
        client,
        Defaults {
            organization_id: None,
            project_id: None,
            region: "fr-par".into(),
        },
    );
    cx.waits = WaitSettings::fast();
    Arc::new(cx)
}

struct Outcome2 {
    report: ApplyReport,
    state: State,
    writes: u64,
}

async fn run_apply(
    fake: &'static Fake,
    text: &str,
    state: State,
    options: PlanOptions,
    parallelism: usize,
    cancel: Cancel,
) -> Outcome2 {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = input(text);
    let plan = match plan(&*config, &state, &state, &options) {
        Ok(p) => p,
        Err(d) => panic!("plan failed: {d:?}"),
    };
    assert!(!plan.errored, "{:?}", plan.diagnostics);
    let backend = local_backend(&dir);
    let writer = StateWriter::start(Arc::new(backend.store(DEFAULT_WORKSPACE)), state);
    let journal = Arc::new(Journal::start(
        backend.journal(DEFAULT_WORKSPACE).expect("journal"),
    ));
    let report = apply(Apply {
        plan: &plan,
        input: config,
        cx: context(),
        lookup: fake.lookup(),
        writer: &writer,
        journal: Some(journal),
        options: ApplyOptions {
            parallelism,
            heartbeat: Duration::from_secs(3600),
        },
        events: Events::none(),
        cancel,
    })
    .await;
    let (last, writer_stats, saved) = writer.finish().await;
    saved.expect("state saved");
    Outcome2 {
        report,
        state: last,
        writes: writer_stats.writes,
    }
}

fn normal() -> PlanOptions {
    PlanOptions {
        refresh: true,
        ..PlanOptions::default()
    }
}

const PROJECT_AND_TOKENS: &str = r#"
resource "scaleway_account_project" "p" {
  name = "ppp"
}

resource "scaleway_cockpit_token" "t" {
  count      = 20
  project_id = scaleway_account_project.p.id
  name       = "tok${count.index}"
}

output "project" {
  value = scaleway_account_project.p.id
}
"#;

fn attr(state: &State, addr: &str, name: &str) -> serde_json::Value {
    let addr: InstanceAddr = addr.parse().expect("valid address");
    state
        .instance(&addr)
        .and_then(|i| i.attributes.get(name).cloned())
        .unwrap_or(serde_json::Value::Null)
}

#[tokio::test]
async fn created_ids_flow_into_dependents_with_one_evaluation_per_wave() {
    let fake = Fake::leak(Duration::from_millis(2));
    let out = run_apply(
        fake,
        PROJECT_AND_TOKENS,
        State::default(),
        normal(),
        10,
        Cancel::default(),
    )
    .await;
    assert!(out.report.succeeded(), "{:?}", out.report.failures);
    assert_eq!(out.report.added, 21);
    let log = fake.log();
    assert_eq!(log[0], "create ppp", "the project comes first: {log:?}");
    let project = attr(&out.state, "scaleway_account_project.p", "id");
    assert!(project.is_string());
    for i in 0..20 {
        assert_eq!(
            attr(
                &out.state,
                &format!("scaleway_cockpit_token.t[{i}]"),
                "project_id"
            ),
            project
        );
    }
    // One evaluation for the wave of 20 tokens, one for the outputs.
    assert_eq!(out.report.evaluations, 2);
    assert_eq!(out.state.outputs["project"].value, project);
    assert!(out.writes >= 1);
    // The secret returned at creation is recorded and marked sensitive.
    let token: InstanceAddr = "scaleway_cockpit_token.t[0]".parse().expect("address");
    let recorded = out.state.instance(&token).expect("recorded");
    assert!(recorded.attributes["secret_key"].is_string());
    assert!(!recorded.sensitive_attributes.is_empty());
    assert_eq!(recorded.dependencies.len(), 1);
}

/// Issue 9, item 1: a create whose call succeeded but whose wait for a ready status failed was
/// recorded nowhere (every later apply then collided with the object). It is recorded tainted,
/// as Terraform does, and the next apply replaces it.
#[tokio::test]
async fn issue_9_a_create_that_did_not_become_ready_is_recorded_tainted_and_replaced() {
    let fake = Fake::leak(Duration::ZERO);
    fake.unready_names
        .lock()
        .expect("no poison")
        .push("ppp".into());
    let first = run_apply(
        fake,
        PROJECT_AND_TOKENS,
        State::default(),
        normal(),
        4,
        Cancel::default(),
    )
    .await;
    assert_eq!(
        first.report.failures.len(),
        1,
        "{:?}",
        first.report.failures
    );
    assert!(
        first.report.failures[0]
            .message
            .contains("did not become ready"),
        "{}",
        first.report.failures[0].message
    );
    assert_eq!(first.report.added, 0);
    let project: InstanceAddr = "scaleway_account_project.p".parse().expect("address");
    let recorded = first
        .state
        .instance(&project)
        .expect("the project is recorded");
    assert_eq!(recorded.status.as_deref(), Some("tainted"));
    let first_id = recorded.attributes["id"].clone();
    assert_eq!(fake.objects.lock().expect("no poison").len(), 1);

    fake.unready_names.lock().expect("no poison").clear();
    let second = run_apply(
        fake,
        PROJECT_AND_TOKENS,
        first.state,
        normal(),
        4,
        Cancel::default(),
    )
    .await;
    assert!(second.report.succeeded(), "{:?}", second.report.failures);
    assert_eq!((second.report.added, second.report.destroyed), (21, 1));
    let log = fake.log();
    assert!(log.contains(&"delete ppp".to_owned()), "{log:?}");
    let recorded = second.state.instance(&project).expect("recorded");
    assert_eq!(recorded.status, None);
    assert_ne!(recorded.attributes["id"], first_id);
    // The tainted object was deleted, not left behind: one project and its 20 tokens.
    assert_eq!(fake.objects.lock().expect("no poison").len(), 21);
}

/// Issue 9, item 3: a create whose answer was lost and that may have made one of several
/// objects (alike ones made at the same time) takes the one no other step of the run recorded,
/// tainted; when more than one is left, none is taken (or deleted).
#[tokio::test]
async fn issue_9_an_ambiguous_create_takes_the_one_object_the_run_did_not_record() {
    let fake = Fake::leak(Duration::ZERO);
    fake.ambiguous_names
        .lock()
        .expect("no poison")
        .push("tok5".into());
    let first = run_apply(
        fake,
        PROJECT_AND_TOKENS,
        State::default(),
        normal(),
        3,
        Cancel::default(),
    )
    .await;
    assert_eq!(
        first.report.failures.len(),
        1,
        "{:?}",
        first.report.failures
    );
    assert!(
        first.report.failures[0]
            .message
            .contains("recorded tainted"),
        "{}",
        first.report.failures[0].message
    );
    let token: InstanceAddr = "scaleway_cockpit_token.t[5]".parse().expect("address");
    let recorded = first
        .state
        .instance(&token)
        .expect("the token it made is recorded");
    assert_eq!(recorded.status.as_deref(), Some("tainted"));
    assert_eq!(recorded.attributes["name"], "tok5");
    assert_eq!(fake.objects.lock().expect("no poison").len(), 21);

    fake.ambiguous_names.lock().expect("no poison").clear();
    let second = run_apply(
        fake,
        PROJECT_AND_TOKENS,
        first.state,
        normal(),
        3,
        Cancel::default(),
    )
    .await;
    assert!(second.report.succeeded(), "{:?}", second.report.failures);
    assert_eq!((second.report.added, second.report.destroyed), (1, 1));
    assert_eq!(fake.objects.lock().expect("no poison").len(), 21);
}

#[tokio::test]
async fn issue_9_an_ambiguous_create_with_an_object_nobody_recorded_takes_and_deletes_none() {
    let fake = Fake::leak(Duration::ZERO);
    fake.ambiguous_names
        .lock()
        .expect("no poison")
        .push("tok5".into());
    // Made by someone else in the project the run creates first (the fake's first id).
    fake.objects.lock().expect("no poison").insert(
        "fr-par/ffffffff-0000-0000-0000-000000000000".into(),
        serde_json::from_value(json!({
            "id": "fr-par/ffffffff-0000-0000-0000-000000000000",
            "name": "stranger",
            "project_id": "00000000-0000-0000-0000-000000000001",
        }))
        .expect("attributes"),
    );
    let out = run_apply(
        fake,
        PROJECT_AND_TOKENS,
        State::default(),
        normal(),
        3,
        Cancel::default(),
    )
    .await;
    assert_eq!(out.report.failures.len(), 1, "{:?}", out.report.failures);
    let message = &out.report.failures[0].message;
    assert!(
        message.contains("fr-par/ffffffff-0000-0000-0000-000000000000")
            && message.contains("none was taken over or deleted"),
        "{message}"
    );
    let token: InstanceAddr = "scaleway_cockpit_token.t[5]".parse().expect("address");
    assert!(out.state.instance(&token).is_none());
    assert!(!fake.log().iter().any(|l| l.starts_with("delete")));
    assert_eq!(fake.objects.lock().expect("no poison").len(), 22);
}

#[tokio::test]
async fn a_failure_skips_dependents_and_lets_independent_work_finish() {
    let fake = Fake::leak(Duration::from_millis(1));
    fake.fail("ppp");
    let text = r#"
resource "scaleway_account_project" "p" {
  name = "ppp"
}
resource "scaleway_account_project" "q" {
  name = "qqq"
}
resource "scaleway_cockpit_token" "t" {
  project_id = scaleway_account_project.p.id
  name       = "tok"
}
"#;
    let out = run_apply(fake, text, State::default(), normal(), 4, Cancel::default()).await;
    assert!(!out.report.succeeded());
    assert_eq!(out.report.failures.len(), 1);
    assert_eq!(
        out.report.failures[0].addr.to_string(),
        "scaleway_account_project.p"
    );
    assert!(
        out.report.failures[0]
            .message
            .contains("refused by the fake API")
    );
    assert_eq!(
        out.report.skipped,
        vec![(
            "scaleway_cockpit_token.t".parse().expect("addr"),
            Operation::Create
        )]
    );
    assert_eq!(out.report.added, 1);
    assert_eq!(out.state.addresses().len(), 1, "q is recorded");
    assert!(!fake.log().contains(&"create tok".to_owned()));
}

#[tokio::test]
async fn removed_resources_are_deleted_dependents_first() {
    let fake = Fake::leak(Duration::from_millis(1));
    let created = run_apply(
        fake,
        PROJECT_AND_TOKENS,
        State::default(),
        normal(),
        10,
        Cancel::default(),
    )
    .await;
    let out = run_apply(fake, "", created.state, normal(), 10, Cancel::default()).await;
    assert!(out.report.succeeded(), "{:?}", out.report.failures);
    assert_eq!(out.report.destroyed, 21);
    let log = fake.log();
    assert_eq!(
        log.last().map(String::as_str),
        Some("delete ppp"),
        "{log:?}"
    );
    assert!(out.state.resources.is_empty());
    assert!(out.state.outputs.is_empty());
}

#[tokio::test]
async fn create_before_destroy_creates_the_replacement_first() {
    let fake = Fake::leak(Duration::from_millis(1));
    let v1 = r#"
resource "scaleway_cockpit_token" "t" {
  name = "one"
  lifecycle {
    create_before_destroy = true
  }
}
"#;
    let created = run_apply(fake, v1, State::default(), normal(), 10, Cancel::default()).await;
    let old_id = attr(&created.state, "scaleway_cockpit_token.t", "id");
    let v2 = v1.replace("\"one\"", "\"two\"");
    let out = run_apply(fake, &v2, created.state, normal(), 10, Cancel::default()).await;
    assert!(out.report.succeeded(), "{:?}", out.report.failures);
    let log = fake.log();
    assert_eq!(&log[log.len() - 2..], ["create two", "delete one"]);
    let new_id = attr(&out.state, "scaleway_cockpit_token.t", "id");
    assert_ne!(new_id, old_id);
    let resource = &out.state.resources[0];
    assert_eq!(resource.instances.len(), 1, "the deposed object is gone");
    assert!(resource.instances[0].create_before_destroy);

    // Destroy-first is the default.
    let v3 = r#"
resource "scaleway_cockpit_token" "t" {
  name = "three"
}
"#;
    let out = run_apply(fake, v3, out.state, normal(), 10, Cancel::default()).await;
    let log = fake.log();
    assert_eq!(&log[log.len() - 2..], ["delete two", "create three"]);
    assert_eq!(out.report.added, 1);
    assert_eq!(out.report.destroyed, 1);
}

#[tokio::test]
async fn a_failed_delete_of_a_replaced_object_leaves_it_deposed_for_the_next_apply() {
    let fake = Fake::leak(Duration::from_millis(1));
    let v1 = r#"
resource "scaleway_cockpit_token" "t" {
  name = "old"
  lifecycle {
    create_before_destroy = true
  }
}
"#;
    let created = run_apply(fake, v1, State::default(), normal(), 10, Cancel::default()).await;
    let old_id = attr(&created.state, "scaleway_cockpit_token.t", "id");
    fake.fail_deletes
        .lock()
        .expect("no poison")
        .push("old".into());
    let v2 = v1.replace("\"old\"", "\"new\"");
    let out = run_apply(fake, &v2, created.state, normal(), 10, Cancel::default()).await;
    assert!(!out.report.succeeded());
    assert_eq!(out.report.added, 1);
    let failure = &out.report.failures[0];
    assert_eq!(failure.operation, Operation::Delete);
    let key = failure
        .deposed
        .clone()
        .expect("the failed delete names the deposed object");
    assert_eq!(key.len(), 8);
    assert_eq!(
        failure_diagnostic(failure).summary,
        format!("scaleway_cockpit_token.t (deposed object {key}) failed while deleting")
    );
    // The state keeps both: the new object as current, the old one deposed under its key.
    let instances = &out.state.resources[0].instances;
    assert_eq!(instances.len(), 2);
    let deposed = instances
        .iter()
        .find(|i| i.deposed.as_deref() == Some(key.as_str()))
        .expect("deposed object recorded");
    assert_eq!(deposed.attributes["id"], old_id);
    assert_ne!(attr(&out.state, "scaleway_cockpit_token.t", "id"), old_id);

    // The next apply deletes it (and only it).
    fake.fail_deletes.lock().expect("no poison").clear();
    let calls = fake.log().len();
    let again = run_apply(fake, &v2, out.state, normal(), 10, Cancel::default()).await;
    assert!(again.report.succeeded(), "{:?}", again.report.failures);
    assert_eq!(
        (
            again.report.added,
            again.report.changed,
            again.report.destroyed
        ),
        (0, 0, 1)
    );
    assert_eq!(fake.log()[calls..], ["delete old"]);
    let instances = &again.state.resources[0].instances;
    assert_eq!(instances.len(), 1);
    assert!(instances[0].deposed.is_none());
    assert!(
        !fake
            .objects
            .lock()
            .expect("no poison")
            .contains_key(old_id.as_str().expect("id"))
    );
}

#[tokio::test]
async fn refresh_reads_deposed_objects_and_drops_those_gone() {
    let fake = Fake::leak(Duration::from_millis(1));
    let text = "resource \"scaleway_cockpit_token\" \"t\" {\n  name = \"tok\"\n}\n";
    let created = run_apply(
        fake,
        text,
        State::default(),
        normal(),
        10,
        Cancel::default(),
    )
    .await;
    let mut state = created.state.clone();
    let current = state.resources[0].instances[0].clone();
    // One deposed object the API still has (the current one's id: a copy), one it no longer has.
    let mut kept = current.clone();
    kept.deposed = Some("aaaaaaaa".into());
    kept.attributes.insert("name".into(), json!("stale name"));
    let mut gone = current;
    gone.deposed = Some("bbbbbbbb".into());
    gone.attributes.insert(
        "id".into(),
        json!("fr-par/99999999-9999-9999-9999-999999999999"),
    );
    state.resources[0].instances.extend([kept, gone]);
    state.normalize();
    let report = refresh::refresh(&state, context(), &fake.lookup(), 5, &Events::none()).await;
    assert_eq!(report.calls, 3);
    assert_eq!(
        report.removed,
        ["scaleway_cockpit_token.t"
            .parse::<InstanceAddr>()
            .expect("addr")]
    );
    let instances = &report.state.resources[0].instances;
    let keys: Vec<Option<&str>> = instances.iter().map(|i| i.deposed.as_deref()).collect();
    assert_eq!(keys, [None, Some("aaaaaaaa")]);
    assert_eq!(instances[1].attributes["name"], json!("tok"), "read back");
}

#[tokio::test]
async fn an_interrupted_run_starts_nothing_new_and_records_what_finished() {
    let fake = Fake::leak(Duration::from_millis(20));
    let cancel = Cancel::default();
    let stop = cancel.stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(30)).await;
        stop.cancel();
    });
    let out = run_apply(
        fake,
        PROJECT_AND_TOKENS,
        State::default(),
        normal(),
        2,
        cancel,
    )
    .await;
    assert!(out.report.interrupted);
    assert!(!out.report.succeeded());
    assert!(
        out.report.added >= 1 && out.report.added < 21,
        "{}",
        out.report.added
    );
    assert_eq!(out.state.addresses().len(), out.report.added);
    assert_eq!(out.report.not_started.len(), 21 - out.report.added);
    assert!(out.report.failures.is_empty());
}

const TEN_TOKENS: &str = r#"
resource "scaleway_cockpit_token" "t" {
  count = 10
  name  = "tok${count.index}"
}
"#;

#[tokio::test]
async fn parallelism_bounds_the_calls_in_flight() {
    let fake = Fake::leak(Duration::from_millis(5));
    let out = run_apply(
        fake,
        TEN_TOKENS,
        State::default(),
        normal(),
        3,
        Cancel::default(),
    )
    .await;
    assert!(out.report.succeeded(), "{:?}", out.report.failures);
    assert_eq!(out.report.added, 10);
    assert_eq!(fake.most_in_flight.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_parallelism_one_steps_run_in_the_plans_order_every_time() {
    for _ in 0..5 {
        let fake = Fake::leak(Duration::from_millis(1));
        let out = run_apply(
            fake,
            TEN_TOKENS,
            State::default(),
            normal(),
            1,
            Cancel::default(),
        )
        .await;
        assert!(out.report.succeeded(), "{:?}", out.report.failures);
        let expected: Vec<String> = (0..10).map(|i| format!("create tok{i}")).collect();
        assert_eq!(fake.log(), expected);
    }
}

#[tokio::test]
async fn an_aborted_run_abandons_the_calls_in_flight_and_nothing_else() {
    let fake = Fake::leak(Duration::from_millis(200));
    let cancel = Cancel::default();
    let abort = cancel.abort.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        abort.cancel();
    });
    let out = run_apply(fake, TEN_TOKENS, State::default(), normal(), 3, cancel).await;
    assert!(out.report.interrupted);
    assert_eq!(out.report.added, 0);
    // The three calls under way are abandoned; the steps spawned ahead and waiting for a
    // permit never started, so they are reported as not started, like the rest.
    assert_eq!(out.report.abandoned.len(), 3, "{:?}", out.report.abandoned);
    assert_eq!(
        out.report.not_started.len(),
        7,
        "{:?}",
        out.report.not_started
    );
    assert!(fake.log().is_empty());
    assert!(out.state.addresses().is_empty());
}

#[tokio::test]
async fn updates_report_warnings_and_keep_ids() {
    let fake = Fake::leak(Duration::from_millis(1));
    let v1 = r#"
resource "scaleway_account_project" "p" {
  name        = "ppp"
  description = "one"
}
"#;
    let created = run_apply(fake, v1, State::default(), normal(), 10, Cancel::default()).await;
    let id = attr(&created.state, "scaleway_account_project.p", "id");
    let v2 = v1.replace("\"one\"", "\"two\"");
    let out = run_apply(fake, &v2, created.state, normal(), 10, Cancel::default()).await;
    assert!(out.report.succeeded(), "{:?}", out.report.failures);
    assert_eq!(out.report.changed, 1);
    assert_eq!(
        *fake.changed.lock().expect("no poison"),
        [["description"]],
        "the update is told what the plan found changed"
    );
    assert_eq!(out.report.warnings.len(), 1);
    assert_eq!(attr(&out.state, "scaleway_account_project.p", "id"), id);
    assert_eq!(
        attr(&out.state, "scaleway_account_project.p", "description"),
        json!("two")
    );
}

#[tokio::test]
async fn refresh_drops_objects_the_api_no_longer_has() {
    let fake = Fake::leak(Duration::from_millis(1));
    let created = run_apply(
        fake,
        PROJECT_AND_TOKENS,
        State::default(),
        normal(),
        10,
        Cancel::default(),
    )
    .await;
    let gone = attr(&created.state, "scaleway_cockpit_token.t[3]", "id");
    fake.objects
        .lock()
        .expect("no poison")
        .remove(gone.as_str().expect("id"));
    let report = refresh::refresh(
        &created.state,
        context(),
        &fake.lookup(),
        5,
        &Events::none(),
    )
    .await;
    assert_eq!(report.calls, 21);
    assert_eq!(
        report.removed,
        vec![
            "scaleway_cockpit_token.t[3]"
                .parse::<InstanceAddr>()
                .expect("addr")
        ]
    );
    assert!(report.errors.is_empty());
    assert_eq!(report.state.addresses().len(), 20);
}

#[tokio::test]
async fn long_operations_report_that_they_are_still_running() {
    let fake = Fake::leak(Duration::from_millis(60));
    let text = "resource \"scaleway_cockpit_token\" \"slow\" {\n  name = \"tok-slow\"\n}\n";
    let config = input(text);
    let empty = State::default();
    let planned = plan(&*config, &empty, &empty, &normal()).expect("plans");
    let dir = tempfile::tempdir().expect("temp dir");
    let writer = StateWriter::start(
        Arc::new(local_backend(&dir).store(DEFAULT_WORKSPACE)),
        empty,
    );
    let (events, mut rx) = Events::channel();
    let report = apply(Apply {
        plan: &planned,
        input: config,
        cx: context(),
        lookup: fake.lookup(),
        writer: &writer,
        journal: None,
        options: ApplyOptions {
            parallelism: 1,
            heartbeat: Duration::from_millis(15),
        },
        events,
        cancel: Cancel::default(),
    })
    .await;
    let _ = writer.finish().await;
    assert!(report.succeeded());
    let mut seen = Vec::new();
    while let Ok(e) = rx.try_recv() {
        seen.push(e);
    }
    assert!(matches!(
        seen.first(),
        Some(Event::Started {
            operation: Operation::Create,
            ..
        })
    ));
    assert!(
        seen.iter().any(|e| matches!(e, Event::StillRunning { .. })),
        "{seen:?}"
    );
    assert!(matches!(
        seen.last(),
        Some(Event::Completed { id: Some(_), .. })
    ));
}

/// A create intent of an earlier run that got no answer.
fn abandoned_create(addr: &str, name: &str) -> journal::Unreconciled {
    journal::Unreconciled {
        addr: addr.to_owned(),
        type_name: "scaleway_cockpit_token".to_owned(),
        operation: JournalOp::Create,
        id: None,
        lookup: [("name".to_owned(), json!(name))].into_iter().collect(),
        outcome: journal::Outcome::Unknown,
        at: jiff::Timestamp::now().to_string(),
    }
}

#[tokio::test]
async fn an_abandoned_create_is_adopted_only_when_one_unrecorded_object_bears_its_name() {
    use adopt::{Adoption, adopt};
    let fake = Fake::leak(Duration::ZERO);
    let cx = context();
    let lookup = fake.lookup();
    let api = lookup("scaleway_cockpit_token").expect("a mapping");
    let mut ids = Vec::new();
    // "one" was made by the abandoned call; "dup" twice (someone made another of that name);
    // "kept" exists but the state records it already; nothing is named "none"; "old" is an
    // unmanaged object made long before the call.
    for name in ["one", "dup", "dup", "kept", "old"] {
        let desired: Attributes = [("name".to_owned(), json!(name))].into_iter().collect();
        let made = api.create(&cx, &desired).await.expect("created");
        ids.push(made.attributes["id"].clone());
    }
    for (id, object) in fake.objects.lock().expect("no poison").iter_mut() {
        let created = if *id == ids[4] {
            "2024-01-01T00:00:00Z".to_owned()
        } else {
            jiff::Timestamp::now().to_string()
        };
        object.insert("created_at".into(), json!(created));
    }
    let schema = crate::schema::resource("scaleway_cockpit_token").expect("a schema");
    let mut state = State::default();
    let kept = fake.objects.lock().expect("no poison")[ids[3].as_str().expect("id")].clone();
    state.set_instance(
        &"scaleway_cockpit_token.kept".parse().expect("address"),
        values::instance_state(schema, kept, &[], false),
    );
    let adoptions = adopt(
        &[
            abandoned_create("scaleway_cockpit_token.t[0]", "one"),
            abandoned_create("scaleway_cockpit_token.t[1]", "none"),
            abandoned_create("scaleway_cockpit_token.t[2]", "dup"),
            abandoned_create("scaleway_cockpit_token.t[3]", "kept"),
            // The address is taken: nothing is looked for.
            abandoned_create("scaleway_cockpit_token.kept", "dup"),
            abandoned_create("scaleway_cockpit_token.t[4]", "old"),
        ],
        &mut state,
        &cx,
        &lookup,
    )
    .await;
    assert_eq!(
        adoptions,
        vec![
            Adoption::Adopted {
                addr: "scaleway_cockpit_token.t[0]".into(),
                id: ids[0].as_str().expect("id").to_owned(),
            },
            Adoption::NotCreated {
                addr: "scaleway_cockpit_token.t[1]".into(),
            },
            Adoption::Skipped {
                addr: "scaleway_cockpit_token.t[2]".into(),
                reason: "2 objects the state does not record match its name, so none is adopted: the plan creates a new one; delete those that are not wanted"
                    .into(),
            },
            Adoption::NotCreated {
                addr: "scaleway_cockpit_token.t[3]".into(),
            },
            // Made before the call (beyond any clock skew): never taken over.
            Adoption::NotCreated {
                addr: "scaleway_cockpit_token.t[4]".into(),
            },
        ]
    );
    assert_eq!(attr(&state, "scaleway_cockpit_token.t[0]", "id"), ids[0]);
    assert_eq!(
        attr(&state, "scaleway_cockpit_token.t[0]", "name"),
        json!("one")
    );
    assert_eq!(state.addresses().len(), 2);
}
