//! The intent journal: crash safety for applies.
//!
//! Before each API call that changes something, the executor appends an intent ("about to
//! create a `scaleway_cockpit_token` named `ci` in `fr-par` for `scaleway_cockpit_token.ci`");
//! after the call it appends the outcome ("created `fr-par/…`", or "failed"). Entries are
//! JSON objects, one per line, appended to the workspace's journal, which the backend keeps
//! beside the state ([`JournalLog`]: `<state>.journal` for a local state, rows of a table for
//! a PostgreSQL one).
//!
//! A run that ends normally (every intent settled and the state saved) removes the file. If a
//! run dies between an API call and the state write, the next run reads the journal:
//! - an object created with a known ID that the state does not hold is *adopted* (read back
//!   through the API and recorded at its address, see `apply::adopt`);
//! - an intent without an outcome (the process died mid-call, or the API's answer was lost)
//!   is reported as a warning naming the type, name, region and address, so that a person can
//!   look for the object.
//!
//! Invariants: each entry is appended whole before its API call starts (for a file: one
//! `write` call in append mode, no user-space buffering, so a process crash keeps every entry
//! written before it; an OS crash may lose the last ones, as entries are not fsynced one by
//! one, which would serialise the executor's calls behind the disk); lookup fields hold only
//! non-secret identifying values (names, regions, parent IDs), never attribute values in
//! general.
//!
//! Depends on `state` (the journal's storage, and to check what is recorded) and
//! `addr`.

use std::collections::BTreeMap;
use std::io;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::events::Operation;
use crate::addr::InstanceAddr;
use crate::schema::AttrType;
use crate::state::State;
use crate::state::storage::JournalLog;

/// The attributes of `type_name` copied into a create intent to find the object again: the
/// schema's configurable, non-sensitive string attributes (names, regions, parent ids,
/// descriptions...). None for a type scwform does not know.
fn lookup_attributes(type_name: &str) -> impl Iterator<Item = &'static str> {
    crate::schema::resource(type_name)
        .into_iter()
        .flat_map(|schema| schema.attributes)
        .filter(|a| a.configurable() && !a.sensitive && a.ty == AttrType::String)
        .map(|a| a.name)
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum Entry {
    /// About to call the API.
    Intent {
        /// The run that wrote it.
        run: String,
        /// When (RFC 3339).
        at: String,
        /// What is about to happen.
        operation: JournalOp,
        /// The instance.
        addr: String,
        /// The resource type.
        #[serde(rename = "type")]
        type_name: String,
        /// The object's ID when it has one (update, delete).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        /// Identifying values of the desired object (the schema's configurable, non-sensitive strings).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        lookup: BTreeMap<String, serde_json::Value>,
    },
    /// The API call succeeded.
    Done {
        /// The run.
        run: String,
        /// When.
        at: String,
        /// What happened.
        operation: JournalOp,
        /// The instance.
        addr: String,
        /// The object's ID afterwards (absent after a delete).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
    },
    /// The API call failed with a definite answer: nothing happened.
    Failed {
        /// The run.
        run: String,
        /// When.
        at: String,
        /// What was tried.
        operation: JournalOp,
        /// The instance.
        addr: String,
    },
}

/// The operations the journal records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalOp {
    /// Create.
    Create,
    /// Update in place.
    Update,
    /// Delete.
    Delete,
}

impl JournalOp {
    /// The journal operation of an executor operation (reads are not journaled).
    #[must_use]
    pub fn of(operation: Operation) -> Option<Self> {
        match operation {
            Operation::Create => Some(Self::Create),
            Operation::Update => Some(Self::Update),
            Operation::Delete => Some(Self::Delete),
            Operation::Read => None,
        }
    }
}

/// The journal a run appends to.
pub struct Journal {
    log: Box<dyn JournalLog>,
    run: String,
    /// Intents written and not yet settled, by (address, operation).
    open: Mutex<BTreeMap<(String, JournalOp), usize>>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("log", &self.log.location())
            .field("run", &self.run)
            .finish_non_exhaustive()
    }
}

impl Journal {
    /// Starts a new run's journal in `log` (the workspace's journal, from its backend).
    #[must_use]
    pub fn start(log: Box<dyn JournalLog>) -> Self {
        Self {
            log,
            run: uuid::Uuid::new_v4().to_string(),
            open: Mutex::new(BTreeMap::new()),
        }
    }

    /// Where the journal is kept, for messages.
    #[must_use]
    pub fn location(&self) -> String {
        self.log.location()
    }

    /// Records an intent before its API call.
    ///
    /// # Errors
    /// The entry could not be written: the caller must not make the call.
    pub fn intent(
        &self,
        operation: JournalOp,
        addr: &InstanceAddr,
        type_name: &str,
        id: Option<&str>,
        desired: Option<&BTreeMap<String, serde_json::Value>>,
    ) -> io::Result<()> {
        let lookup = desired
            .map(|d| {
                lookup_attributes(type_name)
                    .filter_map(|k| {
                        d.get(k)
                            .filter(|v| v.is_string())
                            .map(|v| (k.to_owned(), v.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let addr = addr.to_string();
        self.write(&Entry::Intent {
            run: self.run.clone(),
            at: now(),
            operation,
            addr: addr.clone(),
            type_name: type_name.to_owned(),
            id: id.map(str::to_owned),
            lookup,
        })?;
        *self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry((addr, operation))
            .or_default() += 1;
        Ok(())
    }

    /// Records that an intent's call succeeded.
    ///
    /// # Errors
    /// The entry could not be written.
    pub fn done(
        &self,
        operation: JournalOp,
        addr: &InstanceAddr,
        id: Option<&str>,
    ) -> io::Result<()> {
        let addr = addr.to_string();
        self.write(&Entry::Done {
            run: self.run.clone(),
            at: now(),
            operation,
            addr: addr.clone(),
            id: id.map(str::to_owned),
        })?;
        self.settle(addr, operation);
        Ok(())
    }

    /// Records that an intent's call failed with a definite answer (nothing happened).
    ///
    /// # Errors
    /// The entry could not be written.
    pub fn failed(&self, operation: JournalOp, addr: &InstanceAddr) -> io::Result<()> {
        let addr = addr.to_string();
        self.write(&Entry::Failed {
            run: self.run.clone(),
            at: now(),
            operation,
            addr: addr.clone(),
        })?;
        self.settle(addr, operation);
        Ok(())
    }

    fn settle(&self, addr: String, operation: JournalOp) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = open.get_mut(&(addr.clone(), operation)) {
            *n -= 1;
            if *n == 0 {
                open.remove(&(addr, operation));
            }
        }
    }

    /// Whether every intent of this run has an outcome.
    #[must_use]
    pub fn all_settled(&self) -> bool {
        self.open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_empty()
    }

    /// Ends the run: clears the journal when every intent is settled and `state_saved` (the
    /// outcomes are in the state), otherwise makes it durable and keeps it for the next run.
    /// Returns whether it was cleared.
    ///
    /// # Errors
    /// The journal could not be cleared or synced.
    pub fn finish(self, state_saved: bool) -> io::Result<bool> {
        if state_saved && self.all_settled() {
            self.log.clear()?;
            Ok(true)
        } else {
            self.log.sync()?;
            Ok(false)
        }
    }

    fn write(&self, entry: &Entry) -> io::Result<()> {
        // Serialising a plain enum of strings and JSON values cannot fail.
        let line = serde_json::to_string(entry).expect("journal entries are plain data");
        self.log.append(&line)
    }
}

fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// An intent of an earlier run that the state does not account for.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreconciled {
    /// The instance address, as written.
    pub addr: String,
    /// The resource type.
    pub type_name: String,
    /// What was being done.
    pub operation: JournalOp,
    /// The object's ID, when the journal knows it.
    pub id: Option<String>,
    /// Identifying values (name, region, parents).
    pub lookup: BTreeMap<String, serde_json::Value>,
    /// What is known about the outcome.
    pub outcome: Outcome,
    /// When the intent was written (RFC 3339), as the journal says.
    pub at: String,
}

/// What the journal says about an unreconciled intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The call may or may not have happened: no outcome was recorded.
    Unknown,
    /// The object was created (its ID is known) but the state does not record it.
    CreatedNotRecorded,
}

impl Unreconciled {
    /// A one-line description for people: `scaleway_cockpit_token.ci: create of a
    /// scaleway_cockpit_token named "ci" in fr-par (outcome unknown)`.
    #[must_use]
    pub fn describe(&self) -> String {
        use std::fmt::Write as _;
        let op = match self.operation {
            JournalOp::Create => "create",
            JournalOp::Update => "update",
            JournalOp::Delete => "delete",
        };
        let mut text = format!("{}: {op} of a {}", self.addr, self.type_name);
        if let Some(name) = self.lookup.get("name").and_then(|v| v.as_str()) {
            let _ = write!(text, " named {name:?}");
        }
        if let Some(region) = self.lookup.get("region").and_then(|v| v.as_str()) {
            let _ = write!(text, " in {region}");
        }
        if let Some(id) = &self.id {
            let _ = write!(text, " [id={id}]");
        }
        text.push_str(match self.outcome {
            Outcome::Unknown => " (outcome unknown: the run stopped during the call)",
            Outcome::CreatedNotRecorded => " (created, but not recorded in the state)",
        });
        text
    }
}

/// Reads the journal left by earlier runs and lists what the state does not account for.
///
/// Lines that do not parse (a torn last line) are skipped. Returns an empty list when there is
/// no journal.
///
/// # Errors
/// The journal exists but cannot be read.
pub fn unreconciled(log: &dyn JournalLog, state: &State) -> io::Result<Vec<Unreconciled>> {
    let mut intents: Vec<(String, Entry)> = Vec::new();
    let mut outcomes: Vec<Entry> = Vec::new();
    for line in log.entries()? {
        let Ok(entry) = serde_json::from_str::<Entry>(&line) else {
            continue;
        };
        match &entry {
            Entry::Intent { run, .. } => intents.push((run.clone(), entry)),
            Entry::Done { .. } | Entry::Failed { .. } => outcomes.push(entry),
        }
    }
    let recorded_ids: std::collections::HashSet<&str> = state
        .resources
        .iter()
        .flat_map(|r| r.instances.iter())
        .filter_map(|i| i.id())
        .collect();
    let mut out = Vec::new();
    // Outcomes settle intents of the same run, address and operation, first come first served.
    let mut used = vec![false; outcomes.len()];
    for (run, intent) in intents {
        let Entry::Intent {
            operation,
            addr,
            type_name,
            id,
            lookup,
            at,
            ..
        } = intent
        else {
            continue;
        };
        let settled = outcomes.iter().enumerate().position(|(i, o)| {
            !used[i]
                && match o {
                    Entry::Done {
                        run: r,
                        operation: op,
                        addr: a,
                        ..
                    }
                    | Entry::Failed {
                        run: r,
                        operation: op,
                        addr: a,
                        ..
                    } => *r == run && *op == operation && *a == addr,
                    Entry::Intent { .. } => false,
                }
        });
        match settled {
            Some(i) => {
                used[i] = true;
                if let Entry::Done {
                    id: Some(new_id), ..
                } = &outcomes[i]
                    && operation == JournalOp::Create
                    && !recorded_ids.contains(new_id.as_str())
                {
                    out.push(Unreconciled {
                        addr,
                        type_name,
                        operation,
                        id: Some(new_id.clone()),
                        lookup,
                        outcome: Outcome::CreatedNotRecorded,
                        at,
                    });
                }
            }
            None => {
                // A delete whose object is no longer recorded, or an update, with no outcome:
                // the next plan reads the object again and settles it, but say so.
                out.push(Unreconciled {
                    addr,
                    type_name,
                    operation,
                    id,
                    lookup,
                    outcome: Outcome::Unknown,
                    at,
                });
            }
        }
    }
    Ok(out)
}

/// Moves the entries of a journal that has been read and reported out of the way (a local
/// journal becomes `<journal>.previous`), so that the same warnings are not repeated on every
/// run and the new run starts afresh.
///
/// # Errors
/// The journal could not be changed.
pub fn retire(log: &dyn JournalLog) -> io::Result<()> {
    log.retire()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::many_single_char_names)]
    use super::*;
    use crate::state::backend::local::FileJournal;
    use crate::state::{InstanceAddr, InstanceState, Lineage};
    use serde_json::json;
    use std::io::Write;
    use std::path::PathBuf;

    fn file_journal(dir: &tempfile::TempDir) -> (PathBuf, Box<dyn JournalLog>) {
        let path = dir.path().join("s.tfstate.journal");
        (path.clone(), Box::new(FileJournal::new(path)))
    }

    fn addr(s: &str) -> InstanceAddr {
        s.parse().expect("valid address")
    }

    fn desired(name: &str) -> BTreeMap<String, serde_json::Value> {
        BTreeMap::from([
            ("name".to_owned(), json!(name)),
            ("region".to_owned(), json!("fr-par")),
            (
                "secret_environment_variables".to_owned(),
                json!({"K": "plaintext"}),
            ),
        ])
    }

    #[test]
    fn settled_runs_remove_the_journal_and_keep_no_secret() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (path, log) = file_journal(&dir);
        let j = Journal::start(log);
        let a = addr("scaleway_container_namespace.ns");
        j.intent(
            JournalOp::Create,
            &a,
            "scaleway_container_namespace",
            None,
            Some(&desired("ns")),
        )
        .expect("write");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("\"name\":\"ns\""), "{text}");
        assert!(
            !text.contains("plaintext"),
            "secrets never reach the journal: {text}"
        );
        assert!(!j.all_settled());
        j.done(JournalOp::Create, &a, Some("fr-par/1"))
            .expect("write");
        assert!(j.all_settled());
        assert!(j.finish(true).expect("finish"));
        assert!(!path.exists());
    }

    #[test]
    fn unfinished_intents_and_unrecorded_creates_are_reported() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (path, log) = file_journal(&dir);
        let j = Journal::start(log);
        let (a, b, c) = (
            addr("scaleway_cockpit_token.a"),
            addr("scaleway_cockpit_token.b"),
            addr("scaleway_cockpit_token.c"),
        );
        for x in [&a, &b, &c] {
            j.intent(
                JournalOp::Create,
                x,
                "scaleway_cockpit_token",
                None,
                Some(&desired("t")),
            )
            .expect("write");
        }
        j.done(JournalOp::Create, &a, Some("fr-par/aaa"))
            .expect("write");
        j.done(JournalOp::Create, &b, Some("fr-par/bbb"))
            .expect("write");
        assert!(!j.finish(false).expect("finish"), "kept for the next run");
        // A torn last line is ignored.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .expect("open");
        f.write_all(b"{\"entry\":\"do").expect("write");

        let mut state = State::new(Lineage("l".into()));
        state.set_instance(
            &InstanceAddr::managed("scaleway_cockpit_token", "a"),
            InstanceState::new(BTreeMap::from([("id".to_owned(), json!("fr-par/aaa"))])),
        );
        let log = FileJournal::new(path.clone());
        let found = unreconciled(&log, &state).expect("read");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].addr, "scaleway_cockpit_token.b");
        assert_eq!(found[0].outcome, Outcome::CreatedNotRecorded);
        assert_eq!(found[0].id.as_deref(), Some("fr-par/bbb"));
        assert_eq!(found[1].addr, "scaleway_cockpit_token.c");
        assert_eq!(found[1].outcome, Outcome::Unknown);
        assert_eq!(
            found[1].describe(),
            "scaleway_cockpit_token.c: create of a scaleway_cockpit_token named \"t\" in fr-par (outcome unknown: the run stopped during the call)"
        );
        retire(&log).expect("retire");
        assert!(unreconciled(&log, &state).expect("read").is_empty());
        assert!(path.with_extension("journal.previous").exists());
    }
}
