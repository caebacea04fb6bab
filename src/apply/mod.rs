//! The executor: carries out a [`Plan`] through the API mappings, saving state as it goes.
//!
//! [`apply`] walks the plan's [`ActionOrder`](crate::plan::ActionOrder) with bounded
//! parallelism (a tokio `JoinSet` of step tasks, each calling the API only while it holds a
//! `Semaphore` permit): a step starts as soon as its prerequisites are done. Ready steps are
//! prepared and spawned ahead of free permits (up to [`AHEAD`] × parallelism tasks), so a
//! finishing call hands its permit straight to the next waiting task: the loop that records
//! results and prepares steps runs while calls are in flight, not between them. Before a create or update starts, its desired
//! attributes are resolved: the planned object, with every value that was unknown at plan time
//! taken from the configuration evaluated again with the results so far (a token's
//! `project_id` from the project just created). Evaluations run on a blocking thread, one at a
//! time, and each serves every step that became ready while the previous one ran, so 1,000
//! actions cost a handful of evaluations, not 1,000. Steps whose configured values were all
//! known at plan time need none.
//!
//! A replacement is a delete then a create, or under `create_before_destroy` a create (the old
//! object is then kept as *deposed* in the state) then a delete of the old object.
//!
//! Failures: a failed step's dependents never start, independent work finishes, and every
//! failure is reported with its address and the API's message. Interruption: after
//! [`Cancel::stop`] nothing new starts and running steps finish; after [`Cancel::abort`] the
//! running steps are abandoned (their journal intents stay open for the next run).
//!
//! State: every finished step changes the working state through the coalescing
//! [`writer::StateWriter`] (saved in the background, see there); every API call that changes
//! something is preceded by a [`journal`] intent.
//!
//! Invariants: no step starts before its prerequisites are done; a step's result is recorded
//! in the state before its dependents start; nothing here prints (progress goes out as
//! [`events::Event`]s) and no attribute value appears in an event or a message.
//!
//! Depends on `plan` (the plan and its order), `api::resources` (the mappings), `state`,
//! `model` (values, re-evaluation); never on `cli` or `render`.

pub mod adopt;
pub mod data;
pub mod discover;
pub mod events;
pub mod import;
pub mod journal;
pub mod refresh;
pub mod values;
pub mod writer;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{AcquireError, OwnedSemaphorePermit, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;

use crate::addr::InstanceAddr;
use crate::api::resources::{ApiContext, Attributes, Changed, Outcome, ResourceApi, resource_api};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::config::{Config, ResourceInstance};
use crate::model::evaluate::ResourceValues;
use crate::model::value::Value;
use crate::plan::{Action, ConfigInput, Plan, Progress, StepKind};
use crate::state::{self, State};

use events::{Event, Events, Operation};
use journal::{Journal, JournalOp};
use writer::StateWriter;

/// Finds the API mapping of a resource type (the real [`resource_api`], or fakes in tests).
pub type ApiLookup = Arc<dyn Fn(&str) -> Option<&'static dyn ResourceApi> + Send + Sync>;

/// The real API mappings.
#[must_use]
pub fn api_lookup() -> ApiLookup {
    Arc::new(resource_api)
}

/// A configuration that can be evaluated again from any thread.
pub type SharedInput = Arc<dyn ConfigInput + Send + Sync>;

/// How to run.
#[derive(Debug, Clone, Copy)]
pub struct ApplyOptions {
    /// How many API operations may run at once (at least 1).
    pub parallelism: usize,
    /// How often a running operation reports that it is still running.
    pub heartbeat: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            parallelism: 10,
            heartbeat: Duration::from_secs(10),
        }
    }
}

/// Interruption: `stop` (the first Ctrl-C) starts nothing new; `abort` (the second) stops
/// waiting for running operations.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    /// Start nothing new; let running operations finish.
    pub stop: CancellationToken,
    /// Abandon running operations.
    pub abort: CancellationToken,
}

/// A failed operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The instance.
    pub addr: InstanceAddr,
    /// The deposed key, when the operation was on a deposed object of the instance.
    pub deposed: Option<String>,
    /// What was tried.
    pub operation: Operation,
    /// The API's (or the executor's) message.
    pub message: String,
}

/// What an apply did.
#[derive(Debug, Default)]
pub struct ApplyReport {
    /// Objects created (a replacement counts here and in `destroyed`).
    pub added: usize,
    /// Objects updated in place.
    pub changed: usize,
    /// Objects deleted.
    pub destroyed: usize,
    /// Operations that failed, in the order they failed.
    pub failures: Vec<Failure>,
    /// Operations never started because something they wait for failed, sorted.
    pub skipped: Vec<(InstanceAddr, Operation)>,
    /// Operations never started because the run was interrupted, sorted.
    pub not_started: Vec<(InstanceAddr, Operation)>,
    /// Operations abandoned while running (second interrupt).
    pub abandoned: Vec<(InstanceAddr, Operation)>,
    /// The run was interrupted.
    pub interrupted: bool,
    /// Warnings from the API mappings (a container that settled in `error`), by instance.
    pub warnings: Vec<(InstanceAddr, String)>,
    /// Problems evaluating the configuration again.
    pub diagnostics: Diagnostics,
    /// How many times the configuration was evaluated.
    pub evaluations: usize,
}

impl ApplyReport {
    /// Whether everything planned was done.
    #[must_use]
    pub fn succeeded(&self) -> bool {
        self.failures.is_empty()
            && !self.interrupted
            && self.skipped.is_empty()
            && !self.diagnostics.has_errors()
    }
}

/// Everything an apply needs.
pub struct Apply<'a> {
    /// The plan to carry out (must not be `errored`).
    pub plan: &'a Plan,
    /// The configuration, to evaluate again as results arrive.
    pub input: SharedInput,
    /// The API context.
    pub cx: Arc<ApiContext>,
    /// The API mappings.
    pub lookup: ApiLookup,
    /// The working state (starting as the refreshed state), saved in the background.
    pub writer: &'a StateWriter,
    /// The intent journal, if any.
    pub journal: Option<Arc<Journal>>,
    /// Parallelism and heartbeat.
    pub options: ApplyOptions,
    /// Where progress goes.
    pub events: Events,
    /// Interruption.
    pub cancel: Cancel,
}

impl std::fmt::Debug for Apply<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Apply")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Why one step failed.
#[derive(Debug, Clone)]
struct StepError {
    message: String,
    /// The API answered: nothing happened (as opposed to a lost answer or a timeout), or
    /// exactly `created` did.
    definite: bool,
    /// The object a failed create made all the same (it never became ready): recorded
    /// tainted.
    created: Option<Outcome>,
    /// The objects a create whose answer was lost may have made (several alike): settled at
    /// the end of the run, once every other step has recorded what it made.
    candidates: Vec<Outcome>,
}

type StepResult = Result<Option<Outcome>, StepError>;

/// A running evaluation and the steps waiting for it.
type Evaluation = (Vec<usize>, JoinHandle<(Config, Diagnostics)>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Running,
    Done,
    Failed,
    Skipped,
    Abandoned,
}

/// The value every instance has so far: recorded, planned, or returned by the API; data
/// sources as read (by the plan, or now that their configuration is known).
struct Snapshot(Arc<HashMap<InstanceAddr, Value>>, data::SharedReads);

impl ResourceValues for Snapshot {
    fn instance(&self, instance: &ResourceInstance) -> Value {
        if crate::plan::data::is_data(&instance.addr) {
            return self.1.value(instance);
        }
        self.0
            .get(&instance.addr)
            .cloned()
            .unwrap_or_else(|| instance.to_value())
    }
}

fn operation_of(kind: StepKind) -> Operation {
    match kind {
        StepKind::Create => Operation::Create,
        StepKind::Update => Operation::Update,
        StepKind::Delete => Operation::Delete,
    }
}

/// Carries out `run.plan`. Never panics on API errors: everything that goes wrong is in the
/// report.
pub async fn apply(run: Apply<'_>) -> ApplyReport {
    record_refactoring(run.plan, run.writer);
    let mut runner = Runner::new(run);
    runner.record_data();
    runner.run().await;
    runner.finish().await
}

/// What `moved` and `removed` blocks do, recorded before any step runs and with no API call:
/// the objects moved (the plan's statements applied to the working state, which is the state
/// the plan moved too) and the objects forgotten.
fn record_refactoring(plan: &Plan, writer: &StateWriter) {
    let forgotten: Vec<InstanceAddr> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Forget)
        .map(|c| c.addr.clone())
        .collect();
    if plan.options.moves.is_empty() && forgotten.is_empty() {
        return;
    }
    writer.update(|state| {
        let _ = crate::plan::moves::apply_moves(&plan.options.moves, state);
        crate::plan::moves::forget(state, &forgotten);
    });
}

struct Runner<'a> {
    run: Apply<'a>,
    progress: Progress,
    status: Vec<Status>,
    /// Deposed keys of objects replaced create-first, by change index.
    deposed: HashMap<usize, String>,
    /// Failed creates that may have made one of several objects, by step index.
    ambiguous: Vec<(usize, Vec<Outcome>)>,
    /// Sensitive paths of objects whose configuration was evaluated again at apply time (a
    /// value unknown at plan time may come from a sensitive one), by step index.
    evaluated_marks: HashMap<usize, Vec<Vec<state::PathStep>>>,
    /// The data sources read (by the plan, then by this apply's evaluations).
    data: data::SharedReads,
    report: ApplyReport,
}

impl<'a> Runner<'a> {
    fn new(run: Apply<'a>) -> Self {
        let steps = run.plan.order.steps().len();
        Self {
            progress: run.plan.order.progress(),
            status: vec![Status::Pending; steps],
            deposed: HashMap::new(),
            ambiguous: Vec::new(),
            evaluated_marks: HashMap::new(),
            data: Arc::new(data::DataReads::new(
                data::ApiDataReader::new(Arc::clone(&run.cx)),
                &run.plan.data,
                run.events.clone(),
            )),
            report: ApplyReport::default(),
            run,
        }
    }

    /// The values to evaluate the configuration with, built when an evaluation needs them (most
    /// applies never do): the recorded objects (which include every result so far), overridden
    /// by the planned objects of the changes not carried out yet.
    fn values_now(&self) -> Arc<HashMap<InstanceAddr, Value>> {
        let plan = self.run.plan;
        let mut done = vec![false; plan.changes.len()];
        for (step, status) in plan.order.steps().iter().zip(&self.status) {
            if *status == Status::Done && step.kind != StepKind::Delete {
                done[step.change] = true;
            }
        }
        let mut values: HashMap<InstanceAddr, Value> = HashMap::new();
        self.run.writer.read(|s| {
            for resource in &s.resources {
                let Some(schema) = crate::schema::resource(&resource.type_name) else {
                    continue;
                };
                let base = resource.addr();
                for instance in resource.instances.iter().filter(|i| i.deposed.is_none()) {
                    if let Some(addr) =
                        crate::plan::model_addr(&base.instance(instance.index_key.clone()))
                    {
                        values.insert(addr, crate::plan::object_value(schema, instance));
                    }
                }
            }
        });
        for (change, done) in plan.changes.iter().zip(done) {
            if let Some(after) = &change.after
                && !done
            {
                values.insert(change.addr.clone(), after.clone());
            }
        }
        Arc::new(values)
    }

    /// Records the data sources read so far in the state, as Terraform does: the plan's reads
    /// and the apply's, replacing what earlier runs read (a data source no longer configured
    /// is forgotten). Only normal plans read data sources.
    fn record_data(&self) {
        let plan = self.run.plan;
        if plan.options.refresh_only {
            return;
        }
        // A destroy forgets every data source, as Terraform's does.
        let reads = if plan.options.destroy {
            BTreeMap::new()
        } else {
            self.data.reads()
        };
        self.run.writer.update(|s| {
            for r in &mut s.resources {
                if r.mode == state::Mode::Data {
                    let base = r.addr();
                    r.instances
                        .retain(|i| reads.contains_key(&base.instance(i.index_key.clone())));
                }
            }
            s.resources
                .retain(|r| r.mode != state::Mode::Data || !r.instances.is_empty());
            crate::plan::data::record_reads(s, &reads);
            for addr in reads.keys() {
                s.set_provider(&addr.resource, provider_alias(plan, addr));
            }
        });
    }

    fn step_addr(&self, i: usize) -> (&'a InstanceAddr, Operation) {
        let step = &self.run.plan.order.steps()[i];
        (&step.addr, operation_of(step.kind))
    }

    async fn run(&mut self) {
        let parallelism = self.run.options.parallelism.max(1);
        // Closed when stopping: tasks still waiting for a permit then end without starting.
        let semaphore = Arc::new(Semaphore::new(parallelism));
        let ahead = parallelism.saturating_mul(AHEAD);
        let mut tasks: JoinSet<(usize, Option<StepResult>)> = JoinSet::new();
        let mut task_steps: HashMap<tokio::task::Id, (usize, Arc<AtomicBool>)> = HashMap::new();
        let mut queue: VecDeque<(usize, Option<Attributes>)> = VecDeque::new();
        let mut waiting: Vec<usize> = Vec::new();
        // Ready, not routed yet.
        let mut ready: VecDeque<usize> = VecDeque::new();
        let mut evaluation: Option<Evaluation> = None;
        let mut stopping = false;
        let mut aborted = false;
        loop {
            if !stopping && !aborted {
                if self.run.writer.has_failed() {
                    // Saving the state failed: starting more work would risk losing track of
                    // what it creates.
                    stopping = true;
                    semaphore.close();
                }
                for i in self.progress.take_ready() {
                    self.status[i] = Status::Running;
                    ready.push_back(i);
                }
                // Ready steps are routed as tasks are needed first: with 1,000 steps ready at
                // the start, the first calls go out after routing a few.
                while tasks.len() < ahead {
                    let Some((i, desired)) = queue.pop_front() else {
                        let Some(i) = ready.pop_front() else {
                            break;
                        };
                        self.route(i, &mut queue, &mut waiting);
                        continue;
                    };
                    match self.job(i, desired) {
                        Ok(job) => {
                            let started = Arc::new(AtomicBool::new(false));
                            let handle = tasks.spawn(run_job(
                                job,
                                Admission::queue(&semaphore),
                                Arc::clone(&started),
                            ));
                            task_steps.insert(handle.id(), (i, started));
                        }
                        Err(e) => self.failed(i, &e),
                    }
                }
                // The rest are routed once the first calls are out, so that an evaluation
                // they need can run while those calls are in flight.
                while let Some(i) = ready.pop_front() {
                    self.route(i, &mut queue, &mut waiting);
                }
                if evaluation.is_none() && !waiting.is_empty() {
                    evaluation = Some(self.start_evaluation(std::mem::take(&mut waiting)));
                }
            }
            // Steps only become ready when others finish, so with nothing running and nothing
            // being evaluated there is nothing left that could start.
            if tasks.is_empty() && evaluation.is_none() {
                break;
            }
            tokio::select! {
                biased;
                () = self.run.cancel.abort.cancelled(), if !aborted => {
                    aborted = true;
                    stopping = true;
                    semaphore.close();
                    self.report.interrupted = true;
                    self.run.events.send(Event::Aborting);
                    tasks.abort_all();
                    if let Some((batch, handle)) = evaluation.take() {
                        handle.abort();
                        for i in batch {
                            self.status[i] = Status::Pending;
                        }
                    }
                }
                () = self.run.cancel.stop.cancelled(), if !stopping => {
                    stopping = true;
                    semaphore.close();
                    self.report.interrupted = true;
                    self.run.events.send(Event::Stopping);
                }
                Some(joined) = tasks.join_next_with_id(), if !tasks.is_empty() => {
                    self.joined(joined, &mut task_steps);
                    while let Some(more) = tasks.try_join_next_with_id() {
                        self.joined(more, &mut task_steps);
                    }
                }
                result = async {
                    match evaluation.as_mut() {
                        Some((_, handle)) => handle.await,
                        None => std::future::pending().await,
                    }
                }, if evaluation.is_some() => {
                    let (batch, _) = evaluation.take().expect("the branch runs only with an evaluation");
                    self.evaluated(batch, result, &mut queue);
                }
            }
        }
        // Nothing more will start: the last results can be saved now rather than paced.
        self.run.writer.hurry();
        // Whatever was ready or routed but never started.
        for (i, _) in queue {
            self.status[i] = Status::Pending;
        }
        for i in ready {
            self.status[i] = Status::Pending;
        }
        for i in waiting {
            self.status[i] = Status::Pending;
        }
    }

    /// Sends a ready step to the start queue, or to the next evaluation when its configured
    /// values were unknown at plan time.
    fn route(
        &mut self,
        i: usize,
        queue: &mut VecDeque<(usize, Option<Attributes>)>,
        waiting: &mut Vec<usize>,
    ) {
        let plan = self.run.plan;
        let step = &plan.order.steps()[i];
        let change = &plan.changes[step.change];
        if step.kind == StepKind::Delete {
            queue.push_back((i, None));
            return;
        }
        let Some(after) = &change.after else {
            self.failed(
                i,
                &internal("the plan has no planned object for this change"),
            );
            return;
        };
        let needs = plan
            .config
            .instances
            .get(&change.addr)
            .is_some_and(|instance| {
                values::needs_evaluation(
                    after,
                    instance
                        .configured
                        .keys()
                        .copied()
                        .chain(instance.blocks.keys().copied()),
                )
            });
        if needs {
            waiting.push(i);
        } else {
            queue.push_back((i, Some(values::desired_attributes(after, None))));
        }
    }

    fn start_evaluation(&mut self, batch: Vec<usize>) -> Evaluation {
        self.report.evaluations += 1;
        let input = Arc::clone(&self.run.input);
        let values = self.values_now();
        let reads = Arc::clone(&self.data);
        let handle = tokio::task::spawn_blocking(move || input.evaluate(&Snapshot(values, reads)));
        (batch, handle)
    }

    fn evaluated(
        &mut self,
        batch: Vec<usize>,
        result: Result<(Config, Diagnostics), tokio::task::JoinError>,
        queue: &mut VecDeque<(usize, Option<Attributes>)>,
    ) {
        self.record_data();
        let (config, diags) = match result {
            Ok(r) => r,
            Err(e) => {
                let error = internal(&format!("evaluating the configuration failed: {e}"));
                for i in batch {
                    self.failed(i, &error);
                }
                return;
            }
        };
        if diags.has_errors() {
            let first = diags
                .iter()
                .find(|d| d.is_error())
                .map_or_else(String::new, |d| d.summary.clone());
            if !self.report.diagnostics.has_errors() {
                self.report.diagnostics.extend(diags);
            }
            let error = internal(&format!(
                "the configuration could not be evaluated with the values known now: {first}"
            ));
            for i in batch {
                self.failed(i, &error);
            }
            return;
        }
        for i in batch {
            let plan = self.run.plan;
            let step = &plan.order.steps()[i];
            let change = &plan.changes[step.change];
            let (Some(after), Some(instance)) = (&change.after, config.instances.get(&change.addr))
            else {
                self.failed(
                    i,
                    &internal("the configuration no longer has this instance"),
                );
                continue;
            };
            let completed = values::fill_unknowns(after, &instance.to_value());
            self.evaluated_marks.insert(
                i,
                crate::plan::sensitive::marked_paths(change.schema, &completed),
            );
            let desired = values::desired_attributes(&completed, None);
            queue.push_back((i, Some(desired)));
        }
    }

    /// Prepares the task of a step.
    fn job(&mut self, i: usize, mut desired: Option<Attributes>) -> Result<Job, StepError> {
        let plan = self.run.plan;
        let step = &plan.order.steps()[i];
        let change = &plan.changes[step.change];
        // An object of an aliased provider configuration takes that configuration's region,
        // project and organization where it sets none (only creates use them).
        if step.kind == StepKind::Create
            && let Some(alias) = provider_alias(plan, &change.addr)
            && let Some(desired) = desired.as_mut()
        {
            self.run.cx.defaults_of(Some(alias)).fill(desired);
        }
        let type_name = change.schema.type_name;
        let api = (self.run.lookup)(type_name)
            .ok_or_else(|| internal(&format!("scwform has no API mapping for {type_name}")))?;
        let timeouts = plan
            .config
            .instances
            .get(&change.addr)
            .map_or(change.schema.timeouts, |i| i.timeouts);
        let operation = operation_of(step.kind);
        let addr = change.addr.clone();
        let deposed = self.deposed_key(i);
        let prior = match step.kind {
            StepKind::Create => None,
            StepKind::Update => Some(
                self.current(&addr)
                    .ok_or_else(|| internal("the state no longer records this object"))?,
            ),
            StepKind::Delete => {
                let recorded = match &deposed {
                    Some(key) => self.deposed_object(&addr, key),
                    None => self.current(&addr),
                };
                Some(recorded.ok_or_else(|| internal("the state no longer records this object"))?)
            }
        };
        let seconds = match step.kind {
            StepKind::Create => timeouts.create,
            StepKind::Update => timeouts.update,
            StepKind::Delete => timeouts.delete,
        };
        Ok(Job {
            index: i,
            addr: change.addr.clone(),
            deposed,
            operation,
            api,
            cx: Arc::clone(&self.run.cx),
            prior,
            desired,
            changed: Changed::from_paths(change.changed_paths.iter().map(String::as_str)),
            journal: self.run.journal.clone(),
            events: self.run.events.clone(),
            heartbeat: self.run.options.heartbeat,
            timeout: Duration::from_secs(u64::from(seconds.max(1))),
        })
    }

    /// The deposed object a delete step removes: one recorded before this run (the plan says
    /// which), or the old object of a create-first replacement this run deposed. `None` for
    /// steps on current objects.
    fn deposed_key(&self, i: usize) -> Option<String> {
        let step = &self.run.plan.order.steps()[i];
        if step.kind != StepKind::Delete {
            return None;
        }
        self.run.plan.changes[step.change]
            .deposed
            .clone()
            .or_else(|| self.deposed.get(&step.change).cloned())
    }

    fn current(&self, addr: &state::InstanceAddr) -> Option<Attributes> {
        self.run
            .writer
            .read(|s| s.instance(addr).map(|i| i.attributes.clone()))
    }

    fn deposed_object(&self, addr: &state::InstanceAddr, key: &str) -> Option<Attributes> {
        self.run.writer.read(|s| {
            s.resource(&addr.resource).and_then(|r| {
                r.instances
                    .iter()
                    .find(|i| i.index_key == addr.key && i.deposed.as_deref() == Some(key))
                    .map(|i| i.attributes.clone())
            })
        })
    }

    fn joined(
        &mut self,
        joined: Result<(tokio::task::Id, (usize, Option<StepResult>)), tokio::task::JoinError>,
        task_steps: &mut HashMap<tokio::task::Id, (usize, Arc<AtomicBool>)>,
    ) {
        match joined {
            Ok((id, (i, result))) => {
                task_steps.remove(&id);
                match result {
                    Some(Ok(outcome)) => self.succeeded(i, outcome),
                    Some(Err(e)) => self.failed(i, &e),
                    // Stopped before it could start.
                    None => self.status[i] = Status::Pending,
                }
            }
            Err(e) => {
                let Some((i, started)) = task_steps.remove(&e.id()) else {
                    return;
                };
                if e.is_cancelled() && !started.load(Ordering::Acquire) {
                    self.status[i] = Status::Pending;
                } else if e.is_cancelled() {
                    self.status[i] = Status::Abandoned;
                    let (addr, op) = self.step_addr(i);
                    self.report.abandoned.push((addr.clone(), op));
                } else {
                    self.failed(i, &internal(&format!("the operation crashed: {e}")));
                }
            }
        }
    }

    /// Records the object a create or update step returned (`tainted`: a create that failed
    /// after making it), deposing the current object first for a create-before-destroy
    /// replacement.
    fn record(&mut self, i: usize, outcome: Outcome, tainted: bool) {
        let plan = self.run.plan;
        let step = &plan.order.steps()[i];
        let change = &plan.changes[step.change];
        let addr = change.addr.clone();
        for w in &outcome.warnings {
            self.report.warnings.push((change.addr.clone(), w.clone()));
        }
        let create_before_destroy = plan
            .config
            .instances
            .get(&change.addr)
            .is_some_and(|i| i.lifecycle.create_before_destroy);
        // What configuration made sensitive stays so in state, as Terraform records it: the
        // marks of the planned object (and of its re-evaluation).
        let mut marks = change.after.as_ref().map_or_else(Vec::new, |after| {
            crate::plan::sensitive::marked_paths(change.schema, after)
        });
        marks.extend(self.evaluated_marks.remove(&i).unwrap_or_default());
        let mut instance = values::instance_state(
            change.schema,
            outcome.attributes,
            &change.dependencies,
            create_before_destroy,
        )
        .with_sensitive_paths(marks);
        if tainted {
            instance.status = Some("tainted".to_owned());
        }
        let depose = step.kind == StepKind::Create
            && change.action
                == (Action::Replace {
                    create_before_destroy: true,
                });
        let key = depose.then(new_deposed_key);
        self.run.writer.update(|s| {
            if let Some(key) = &key {
                depose_current(s, &addr, key);
            }
            s.set_instance(&addr, instance);
            s.set_provider(&addr.resource, provider_alias(plan, &addr));
        });
        if let Some(key) = key {
            self.deposed.insert(step.change, key);
        }
    }

    fn succeeded(&mut self, i: usize, outcome: Option<Outcome>) {
        let plan = self.run.plan;
        let step = &plan.order.steps()[i];
        let change = &plan.changes[step.change];
        let addr = change.addr.clone();
        match step.kind {
            StepKind::Create | StepKind::Update => {
                let Some(outcome) = outcome else {
                    self.failed(i, &internal("the API mapping returned no object"));
                    return;
                };
                self.record(i, outcome, false);
                if step.kind == StepKind::Create {
                    self.report.added += 1;
                } else {
                    self.report.changed += 1;
                }
                if let Some(message) = self.failed_postcondition(i, &addr) {
                    // As Terraform: the object stays recorded, what depends on it waits.
                    self.failed(
                        i,
                        &internal(&format!("Resource postcondition failed: {message}")),
                    );
                    return;
                }
            }
            StepKind::Delete => {
                let key = self.deposed_key(i);
                self.deposed.remove(&step.change);
                self.run.writer.update(|s| match &key {
                    Some(key) => remove_deposed(s, &addr, key),
                    None => {
                        s.remove_instance(&addr);
                    }
                });
                self.report.destroyed += 1;
            }
        }
        self.status[i] = Status::Done;
        self.progress.complete(i);
    }

    /// The `postcondition` of the object step `i` just recorded, evaluated with it as `self`
    /// (and every other object as it is now): its message when it fails.
    fn failed_postcondition(&mut self, i: usize, addr: &InstanceAddr) -> Option<String> {
        let plan = self.run.plan;
        if !plan
            .config
            .instances
            .get(addr)
            .is_some_and(|c| c.postconditions)
        {
            return None;
        }
        // The step's object is the recorded one now, not the planned one.
        let before = std::mem::replace(&mut self.status[i], Status::Done);
        let values = self.values_now();
        self.status[i] = before;
        self.report.evaluations += 1;
        let (config, diags) = self
            .run
            .input
            .evaluate(&Snapshot(values, Arc::clone(&self.data)));
        let message = config.failed_postconditions.get(addr).cloned()?;
        self.report.diagnostics.extend(
            diags
                .iter()
                .filter(|d| d.code == "scw::model::postcondition_failed")
                .filter(|d| d.labels.iter().any(|l| l.message == addr.to_string()))
                .cloned(),
        );
        Some(message)
    }

    fn failed(&mut self, i: usize, error: &StepError) {
        // A create that made its object before failing: the object is recorded (tainted, so
        // the next apply replaces it), never left for a later create to collide with.
        if let Some(created) = &error.created
            && self.run.plan.order.steps()[i].kind == StepKind::Create
        {
            self.record(i, created.clone(), true);
        }
        if !error.candidates.is_empty() {
            self.ambiguous.push((i, error.candidates.clone()));
        }
        let (addr, operation) = self.step_addr(i);
        let deposed = self.deposed_key(i);
        self.status[i] = Status::Failed;
        self.report.failures.push(Failure {
            addr: addr.clone(),
            deposed,
            operation,
            message: error.message.clone(),
        });
        for skipped in self.progress.fail(i) {
            self.status[skipped] = Status::Skipped;
        }
    }

    /// Settles the creates that may have made one of several objects: the objects the state
    /// now records (made by other steps of this run, or earlier) are set aside, and when
    /// exactly one is left it is what the create made, recorded tainted as for a create that
    /// did not finish. Otherwise nothing is taken or deleted, and the failure lists them.
    fn settle_ambiguous(&mut self) {
        for (i, candidates) in std::mem::take(&mut self.ambiguous) {
            let recorded: std::collections::HashSet<String> = self.run.writer.read(|s| {
                s.resources
                    .iter()
                    .flat_map(|r| r.instances.iter())
                    .filter_map(|i| i.id().map(str::to_owned))
                    .collect()
            });
            let mut left: Vec<Outcome> = candidates
                .into_iter()
                .filter(|c| id_of(Some(&c.attributes)).is_none_or(|id| !recorded.contains(&id)))
                .collect();
            if left.len() != 1 {
                continue;
            }
            let made = left.remove(0);
            let id = id_of(Some(&made.attributes));
            self.record(i, made, true);
            let (addr, _) = self.step_addr(i);
            if let Some(journal) = &self.run.journal {
                let _ = journal.done(JournalOp::Create, addr, id.as_deref());
            }
            if let Some(f) = self
                .report
                .failures
                .iter_mut()
                .find(|f| f.addr == *addr && f.operation == Operation::Create)
            {
                f.message = format!(
                    "{} was created, but the answer that alone carried its secret was lost; the other objects it might have been were made by this run: it is recorded tainted, and the next apply replaces it",
                    id.as_deref().unwrap_or("the object")
                );
            }
        }
    }

    async fn finish(mut self) -> ApplyReport {
        self.settle_ambiguous();
        let steps = self.run.plan.order.steps();
        let mut skipped = Vec::new();
        let mut not_started = Vec::new();
        for (i, status) in self.status.iter().enumerate() {
            let entry = (steps[i].addr.clone(), operation_of(steps[i].kind));
            match status {
                Status::Skipped => skipped.push(entry),
                Status::Pending | Status::Running => not_started.push(entry),
                Status::Done | Status::Failed | Status::Abandoned => {}
            }
        }
        skipped.sort();
        not_started.sort();
        self.report.skipped = skipped;
        self.report.not_started = not_started;
        if self.report.abandoned.is_empty() {
            self.record_outputs().await;
        }
        self.report
    }

    /// Records the root outputs in the state: cleared by a destroy, otherwise evaluated with
    /// every result (outputs whose value is still unknown keep their recorded value).
    async fn record_outputs(&mut self) {
        let plan = self.run.plan;
        if plan.options.destroy {
            if self.report.succeeded() {
                self.run.writer.update(|s| s.outputs.clear());
            }
            return;
        }
        let unread = plan
            .changes
            .iter()
            .any(|c| c.action == Action::Read && !self.data.is_read(&c.addr));
        if !unread
            && !plan.config.has_checks
            && plan.config.outputs.is_empty()
            && self.run.writer.read(|s| s.outputs.is_empty())
        {
            return;
        }
        self.report.evaluations += 1;
        let input = Arc::clone(&self.run.input);
        let values = self.values_now();
        let reads = Arc::clone(&self.data);
        let Ok((config, diags)) =
            tokio::task::spawn_blocking(move || input.evaluate(&Snapshot(values, reads))).await
        else {
            return;
        };
        self.record_data();
        self.report.diagnostics.extend(self.data.take_failures());
        // `check` assertions judged again with what the apply made (Terraform's warnings
        // after the apply; those unknown while planning are judged only now).
        self.report.diagnostics.extend(
            diags
                .iter()
                .filter(|d| d.code == "scw::model::check_failed")
                .cloned(),
        );
        if diags.has_errors() {
            if !self.report.diagnostics.has_errors() {
                self.report.diagnostics.extend(diags);
            }
            return;
        }
        self.run.writer.update(|s| {
            s.outputs
                .retain(|name, _| config.outputs.contains_key(name));
            for (name, output) in &config.outputs {
                if let Some(recorded) = values::output_state(output) {
                    s.outputs.insert(name.clone(), recorded);
                }
            }
        });
    }
}

/// The provider configuration alias the configured instance `addr` uses, if any.
fn provider_alias<'p>(plan: &'p Plan, addr: &InstanceAddr) -> Option<&'p str> {
    plan.config.provider_alias(addr)
}

fn internal(message: &str) -> StepError {
    StepError {
        message: message.to_owned(),
        definite: true,
        created: None,
        candidates: Vec::new(),
    }
}

/// A new deposed-object key: 8 hex digits, as Terraform writes them.
fn new_deposed_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()
}

/// Marks the current object at `addr` as deposed under `key`.
fn depose_current(state: &mut State, addr: &state::InstanceAddr, key: &str) {
    if let Some(resource) = state
        .resources
        .iter_mut()
        .find(|r| r.matches(&addr.resource))
        && let Some(instance) = resource
            .instances
            .iter_mut()
            .find(|i| i.index_key == addr.key && i.deposed.is_none())
    {
        instance.deposed = Some(key.to_owned());
    }
}

/// Forgets the deposed object `key` at `addr`.
pub(crate) fn remove_deposed(state: &mut State, addr: &state::InstanceAddr, key: &str) {
    if let Some(r) = state
        .resources
        .iter()
        .position(|r| r.matches(&addr.resource))
    {
        state.resources[r]
            .instances
            .retain(|i| !(i.index_key == addr.key && i.deposed.as_deref() == Some(key)));
        if state.resources[r].instances.is_empty() {
            state.resources.remove(r);
        }
    }
}

/// One operation, ready to run on its own task.
struct Job {
    index: usize,
    addr: InstanceAddr,
    /// The deposed key when the operation deletes a deposed object.
    deposed: Option<String>,
    operation: Operation,
    api: &'static dyn ResourceApi,
    cx: Arc<ApiContext>,
    prior: Option<Attributes>,
    desired: Option<Attributes>,
    /// For an update, what the plan decided changes.
    changed: Changed,
    journal: Option<Arc<Journal>>,
    events: Events,
    heartbeat: Duration,
    timeout: Duration,
}

fn id_of(attributes: Option<&Attributes>) -> Option<String> {
    attributes
        .and_then(|a| a.get("id"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
}

/// How many tasks per unit of parallelism may be spawned and waiting for a permit.
pub const AHEAD: usize = 2;

/// A step's place in the queue for a permit.
///
/// Steps take their permits in the order they were spawned (the plan's order), whatever the
/// threads that later poll them, so that runs are repeatable (at `--parallelism 1`, one after
/// the other in that order): the executor's loop queues each step on the semaphore as it
/// spawns it, by polling the acquisition once, before the task runs.
enum Admission {
    /// A permit was free at once (or the semaphore was closed).
    Now(Result<OwnedSemaphorePermit, AcquireError>),
    /// Queued behind the steps spawned before.
    Queued(Pin<Box<dyn Future<Output = Result<OwnedSemaphorePermit, AcquireError>> + Send>>),
}

impl Admission {
    fn queue(semaphore: &Arc<Semaphore>) -> Self {
        // Unconstrained: tokio's cooperative budget must not turn this first poll into a bare
        // `Pending` that queues nothing when the loop has just spawned many steps.
        let mut acquire = Box::pin(tokio::task::unconstrained(
            Arc::clone(semaphore).acquire_owned(),
        ));
        // Polling once takes a free permit or joins the semaphore's (first come, first served)
        // queue. Nothing needs waking here: the task polls again when it first runs, and a
        // permit handed over meanwhile is found then.
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match acquire.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(result) => Self::Now(result),
            std::task::Poll::Pending => Self::Queued(acquire),
        }
    }

    async fn permit(self) -> Result<OwnedSemaphorePermit, AcquireError> {
        match self {
            Self::Now(result) => result,
            Self::Queued(acquire) => acquire.await,
        }
    }
}

/// Waits for a permit, then carries out the step; `None` when the run stopped first (the
/// semaphore is closed), so the step never started.
async fn run_job(
    job: Job,
    admission: Admission,
    started: Arc<AtomicBool>,
) -> (usize, Option<StepResult>) {
    let Ok(permit) = admission.permit().await else {
        return (job.index, None);
    };
    started.store(true, Ordering::Release);
    let result = run_job_inner(&job).await;
    drop(permit);
    (job.index, Some(result))
}

async fn run_job_inner(job: &Job) -> StepResult {
    let empty = Attributes::new();
    let prior = job.prior.as_ref().unwrap_or(&empty);
    let desired = job.desired.as_ref().unwrap_or(&empty);
    let id = id_of(job.prior.as_ref());
    let journal_op = JournalOp::of(job.operation);
    if let (Some(journal), Some(op)) = (&job.journal, journal_op) {
        journal
            .intent(
                op,
                &job.addr,
                job.api.type_name(),
                id.as_deref(),
                job.desired.as_ref(),
            )
            .map_err(|e| internal(&format!("cannot write the journal: {e}")))?;
    }
    job.events.send(Event::Started {
        addr: job.addr.clone(),
        deposed: job.deposed.clone(),
        operation: job.operation,
        id: id.clone(),
    });
    let started = Instant::now();
    let call = async {
        match job.operation {
            Operation::Create => job.api.create(&job.cx, desired).await.map(Some),
            Operation::Update => job
                .api
                .update(&job.cx, prior, desired, &job.changed)
                .await
                .map(Some),
            Operation::Delete => job.api.delete(&job.cx, prior).await.map(|()| None),
            Operation::Read => job.api.read(&job.cx, prior).await,
        }
    };
    let timed = tokio::time::timeout(job.timeout, call);
    tokio::pin!(timed);
    let mut ticker =
        tokio::time::interval_at(tokio::time::Instant::now() + job.heartbeat, job.heartbeat);
    let result = loop {
        tokio::select! {
            r = &mut timed => break r,
            _ = ticker.tick() => job.events.send(Event::StillRunning {
                addr: job.addr.clone(),
                deposed: job.deposed.clone(),
                operation: job.operation,
                id: id.clone(),
                elapsed: started.elapsed(),
            }),
        }
    };
    let result: StepResult = match result {
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(e)) => Err(StepError {
            definite: e.created().is_some() || !e.is_outcome_unknown(),
            message: e.to_string(),
            created: e.created().cloned(),
            candidates: e.candidates().to_vec(),
        }),
        Err(_) => Err(StepError {
            message: format!("timed out after {}", events::format_duration(job.timeout)),
            definite: false,
            created: None,
            candidates: Vec::new(),
        }),
    };
    match &result {
        Ok(outcome) => {
            let new_id = match job.operation {
                Operation::Delete => None,
                _ => id_of(outcome.as_ref().map(|o| &o.attributes)).or(id),
            };
            if let (Some(journal), Some(op)) = (&job.journal, journal_op) {
                // The call happened: a journal that cannot record it is reported below as a
                // warning by the next run (the intent stays open), not as a failure here.
                let _ = journal.done(op, &job.addr, new_id.as_deref());
            }
            job.events.send(Event::Completed {
                addr: job.addr.clone(),
                deposed: job.deposed.clone(),
                operation: job.operation,
                id: new_id,
                elapsed: started.elapsed(),
            });
        }
        Err(e) => {
            if let (Some(journal), Some(op)) = (&job.journal, journal_op) {
                match &e.created {
                    // The object exists and is recorded next (tainted): the intent is done.
                    Some(created) => {
                        let _ = journal.done(
                            op,
                            &job.addr,
                            id_of(Some(&created.attributes)).as_deref(),
                        );
                    }
                    None if e.definite => {
                        let _ = journal.failed(op, &job.addr);
                    }
                    None => {}
                }
            }
            job.events.send(Event::Failed {
                addr: job.addr.clone(),
                deposed: job.deposed.clone(),
                operation: job.operation,
                message: e.message.clone(),
            });
        }
    }
    result
}

/// A diagnostic for a failed operation, for the CLI to show: `ADDR: the API's message`.
#[must_use]
pub fn failure_diagnostic(failure: &Failure) -> Diagnostic {
    let what = match failure.operation {
        Operation::Create => "creating",
        Operation::Update => "updating",
        Operation::Delete => "deleting",
        Operation::Read => "reading",
    };
    let object = match &failure.deposed {
        Some(key) => format!("{} (deposed object {key})", failure.addr),
        None => failure.addr.to_string(),
    };
    Diagnostic::error(
        "scw::apply::operation_failed",
        format!("{object} failed while {what}"),
    )
    .with_detail(failure.message.clone())
}

#[cfg(test)]
mod tests;
