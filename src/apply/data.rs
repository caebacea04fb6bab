//! Reading data sources through the API: the [`DataReader`] the planner reads with, and the
//! reads the apply makes for data sources the plan deferred.
//!
//! The planner's hook and the executor's evaluations are synchronous (they run on blocking
//! threads: `block_in_place` for the plan, `spawn_blocking` for the apply's evaluations), so a
//! read blocks its thread on the runtime's handle for the duration of its API calls.
//!
//! Invariants: a data instance is read at most once per apply (later evaluations see the
//! cached object); nothing here prints.
//!
//! Depends on `api::resources::data`, `plan::data` and `model`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::events::{Event, Operation};
use crate::addr::InstanceAddr;
use crate::api::resources::{ApiContext, Attributes};
use crate::model::config::ResourceInstance;
use crate::model::value::Value;
use crate::plan::data::{DataRead, DataReader, config_known, read_failed};
use crate::schema::RawAttributes;

/// Reads data sources through the API.
#[derive(Debug, Clone)]
pub struct ApiDataReader {
    cx: Arc<ApiContext>,
    handle: tokio::runtime::Handle,
}

impl ApiDataReader {
    /// A reader over `cx`, blocking on the current runtime.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    #[must_use]
    pub fn new(cx: Arc<ApiContext>) -> Self {
        Self {
            cx,
            handle: tokio::runtime::Handle::current(),
        }
    }
}

/// The configured arguments of a data instance, in state form.
fn arguments(instance: &ResourceInstance) -> Attributes {
    instance
        .configured
        .keys()
        .filter_map(|name| {
            let value = instance.attributes.get(name)?;
            Some(((*name).to_owned(), value.to_json()))
        })
        .collect()
}

impl DataReader for ApiDataReader {
    fn read(&self, instance: &ResourceInstance) -> Result<RawAttributes, String> {
        let args = arguments(instance);
        let type_name = instance.schema.type_name;
        tracing::debug!(addr = %instance.addr, "reading data source");
        let defaults = self.cx.defaults_of(instance.provider.as_deref());
        self.handle.block_on(crate::api::resources::data::read_data(
            &self.cx, defaults, type_name, &args,
        ))
    }
}

/// The data sources of one apply: those the plan read, and those read since.
pub(super) struct DataReads {
    reader: ApiDataReader,
    /// Where `Reading...` / `Read complete` go for reads the apply makes.
    events: super::events::Events,
    reads: Mutex<BTreeMap<InstanceAddr, DataRead>>,
    /// Reads that failed, as diagnostics (reported once the apply ends).
    failures: Mutex<Vec<crate::diag::Diagnostic>>,
}

impl DataReads {
    pub(super) fn new(
        reader: ApiDataReader,
        read: &BTreeMap<InstanceAddr, DataRead>,
        events: super::events::Events,
    ) -> Self {
        Self {
            reader,
            events,
            reads: Mutex::new(read.clone()),
            failures: Mutex::new(Vec::new()),
        }
    }

    /// What expressions see for the data instance `instance`: its object once read (read now
    /// when its configuration has become known), else its configuration with unknowns.
    pub(super) fn value(&self, instance: &ResourceInstance) -> Value {
        if let Some(read) = self.lock_reads().get(&instance.addr) {
            return read.value.clone();
        }
        if !config_known(instance) {
            return instance.to_value();
        }
        self.events.send(Event::Started {
            addr: instance.addr.clone(),
            deposed: None,
            operation: Operation::Read,
            id: None,
        });
        let started = std::time::Instant::now();
        match self.reader.read(instance) {
            Ok(attributes) => {
                self.events.send(Event::Completed {
                    addr: instance.addr.clone(),
                    deposed: None,
                    operation: Operation::Read,
                    id: attributes
                        .get("id")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned),
                    elapsed: started.elapsed(),
                });
                let read = DataRead::new(instance.schema, attributes);
                let value = read.value.clone();
                self.lock_reads().insert(instance.addr.clone(), read);
                value
            }
            Err(message) => {
                self.events.send(Event::Failed {
                    addr: instance.addr.clone(),
                    deposed: None,
                    operation: Operation::Read,
                    message: message.clone(),
                });
                let failure = read_failed(instance, &message);
                let mut failures = self
                    .failures
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if !failures.iter().any(|d| d.summary == failure.summary) {
                    failures.push(failure);
                }
                Value::Unknown
            }
        }
    }

    fn lock_reads(&self) -> std::sync::MutexGuard<'_, BTreeMap<InstanceAddr, DataRead>> {
        self.reads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every data source read so far.
    pub(super) fn reads(&self) -> BTreeMap<InstanceAddr, DataRead> {
        self.lock_reads().clone()
    }

    /// Whether `addr` has been read.
    pub(super) fn is_read(&self, addr: &InstanceAddr) -> bool {
        self.lock_reads().contains_key(addr)
    }

    /// The reads that failed.
    pub(super) fn take_failures(&self) -> Vec<crate::diag::Diagnostic> {
        std::mem::take(
            &mut *self
                .failures
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

/// Shared between the runner and its evaluations.
pub(super) type SharedReads = Arc<DataReads>;
