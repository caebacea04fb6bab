//! Transient statuses: reading an object with a pending step may complete it (after the
//! configured time, or after N reads), and a completed delete removes the object.
//!
//! Invariant: the write lock is taken only when a visible object actually has a pending step,
//! so steady-state reads stay on the read lock.

use std::hash::Hash;

use indexmap::IndexMap;

use super::store::{
    ContainerRec, FnNamespaceRec, FunctionRec, NamespaceRec, Pending, Store, Target, TokenRec,
};
use super::{AppState, secrets, step_due};
use crate::api::types::{containers, functions};

/// A record with a lifecycle.
pub(crate) trait Lifecycle {
    fn pending(&self) -> Option<&Pending>;
    fn pending_mut(&mut self) -> &mut Option<Pending>;
    /// Moves to a steady status (never called with [`Target::Gone`]).
    fn finish(&mut self, target: Target, now: jiff::Timestamp, st: &AppState);
}

/// Advances a record by one read; `false` when it is gone.
fn advance<R: Lifecycle>(rec: &mut R, st: &AppState, now: jiff::Timestamp) -> bool {
    let Some(p) = rec.pending_mut() else {
        return true;
    };
    if !step_due(p, now) {
        return true;
    }
    let target = p.target.clone();
    *rec.pending_mut() = None;
    if target == Target::Gone {
        false
    } else {
        rec.finish(target, now, st);
        true
    }
}

/// Table accessors, so one helper serves every kind.
pub(crate) struct Table<K, R> {
    pub(crate) get: fn(&Store) -> &IndexMap<K, R>,
    pub(crate) get_mut: fn(&mut Store) -> &mut IndexMap<K, R>,
}

/// Reads one object, advancing its lifecycle; `None` when absent, invisible or just gone.
pub(crate) fn get<K: Hash + Eq, R: Lifecycle, T>(
    st: &AppState,
    table: &Table<K, R>,
    key: &K,
    visible: impl Fn(&R) -> bool,
    view: impl Fn(&R) -> T,
) -> Option<T> {
    {
        let store = st.read();
        let rec = (table.get)(&store).get(key).filter(|r| visible(r))?;
        if rec.pending().is_none() {
            return Some(view(rec));
        }
    }
    let now = st.now();
    let out = {
        let mut store = st.write();
        let tbl = (table.get_mut)(&mut store);
        let rec = tbl.get_mut(key).filter(|r| visible(r))?;
        if advance(rec, st, now) {
            Some(view(rec))
        } else {
            tbl.shift_remove(key);
            None
        }
    };
    st.persist();
    out
}

/// Lists the visible objects matching `keep`, advancing each one's lifecycle.
pub(crate) fn list<K: Hash + Eq + Clone, R: Lifecycle, T>(
    st: &AppState,
    table: &Table<K, R>,
    keep: impl Fn(&R) -> bool,
    view: impl Fn(&R) -> T,
) -> Vec<T> {
    {
        let store = st.read();
        let tbl = (table.get)(&store);
        if !tbl.values().any(|r| keep(r) && r.pending().is_some()) {
            return tbl.values().filter(|r| keep(r)).map(view).collect();
        }
    }
    let now = st.now();
    let out = {
        let mut store = st.write();
        let tbl = (table.get_mut)(&mut store);
        let keys: Vec<K> = tbl
            .iter()
            .filter(|(_, r)| keep(r))
            .map(|(k, _)| k.clone())
            .collect();
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            if let Some(rec) = tbl.get_mut(&k) {
                if advance(rec, st, now) {
                    out.push(view(rec));
                } else {
                    tbl.shift_remove(&k);
                }
            }
        }
        out
    };
    st.persist();
    out
}

impl Lifecycle for NamespaceRec {
    fn pending(&self) -> Option<&Pending> {
        self.pending.as_ref()
    }
    fn pending_mut(&mut self) -> &mut Option<Pending> {
        &mut self.pending
    }
    fn finish(&mut self, target: Target, _now: jiff::Timestamp, _st: &AppState) {
        match target {
            Target::Error(message) => {
                self.ns.status = containers::NamespaceStatus::Error;
                self.ns.error_message = Some(message);
            }
            _ => self.ns.status = containers::NamespaceStatus::Ready,
        }
    }
}

impl Lifecycle for ContainerRec {
    fn pending(&self) -> Option<&Pending> {
        self.pending.as_ref()
    }
    fn pending_mut(&mut self) -> &mut Option<Pending> {
        &mut self.pending
    }
    fn finish(&mut self, target: Target, now: jiff::Timestamp, _st: &AppState) {
        // The real API stamps the settle time with whole seconds.
        self.container.updated_at = now.round(jiff::Unit::Second).unwrap_or(now);
        if let Target::Error(message) = target {
            self.container.status = containers::ContainerStatus::Error;
            self.container.error_message = Some(message);
        } else {
            self.container.status = containers::ContainerStatus::Ready;
            self.container.error_message = Some(String::new());
        }
    }
}

impl Lifecycle for TokenRec {
    fn pending(&self) -> Option<&Pending> {
        self.pending.as_ref()
    }
    fn pending_mut(&mut self) -> &mut Option<Pending> {
        &mut self.pending
    }
    fn finish(&mut self, target: Target, _now: jiff::Timestamp, _st: &AppState) {
        self.status = match target {
            Target::Error(_) => containers::TokenStatus::Error,
            _ => containers::TokenStatus::Ready,
        };
    }
}

impl Lifecycle for FnNamespaceRec {
    fn pending(&self) -> Option<&Pending> {
        self.pending.as_ref()
    }
    fn pending_mut(&mut self) -> &mut Option<Pending> {
        &mut self.pending
    }
    fn finish(&mut self, target: Target, now: jiff::Timestamp, st: &AppState) {
        self.ns.updated_at = now;
        if let Target::Error(message) = target {
            self.ns.status = functions::NamespaceStatus::Error;
            self.ns.error_message = Some(message);
        } else {
            {
                self.ns.status = functions::NamespaceStatus::Ready;
                if self.ns.registry_namespace_id.is_empty() {
                    // The registry namespace is provisioned when the namespace first settles.
                    let suffix = secrets::random_suffix(&mut st.rng(), 8);
                    let name: String = self.ns.name.chars().filter(|c| *c != '-').collect();
                    self.ns.registry_endpoint =
                        format!("rg.{}.scw.cloud/funcscw{name}{suffix}", self.ns.region);
                    self.ns.registry_namespace_id = st.ids.next_id().to_string();
                }
            }
        }
    }
}

impl Lifecycle for FunctionRec {
    fn pending(&self) -> Option<&Pending> {
        self.pending.as_ref()
    }
    fn pending_mut(&mut self) -> &mut Option<Pending> {
        &mut self.pending
    }
    fn finish(&mut self, target: Target, _now: jiff::Timestamp, _st: &AppState) {
        if let Target::Error(message) = target {
            self.function.status = functions::FunctionStatus::Error;
            self.function.error_message = Some(message);
        }
    }
}
