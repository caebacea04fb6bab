//! Adoption: objects an earlier run created but did not record (it died between the API call
//! and the state write) are read back through the API, by the ID the journal kept, and recorded
//! at their address, instead of being left behind as orphans.
//!
//! Only creates with a known ID are adopted; intents with no outcome are reported, not guessed
//! (the API mappings look objects up by ID, not by name). An address that the state already
//! uses is never overwritten.
//!
//! Depends on `api::resources`, `state` and the journal.

use super::ApiLookup;
use super::journal::{JournalOp, Outcome, Unreconciled};
use super::values::instance_state;
use crate::api::resources::{ApiContext, Attributes};
use crate::state::{InstanceAddr, State};

/// What happened to one unreconciled intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adoption {
    /// The object was read back and recorded at its address.
    Adopted {
        /// The address.
        addr: String,
        /// Its ID.
        id: String,
    },
    /// The object no longer exists: nothing to adopt.
    Gone {
        /// The address.
        addr: String,
        /// Its ID.
        id: String,
    },
    /// Not adopted, and why.
    Skipped {
        /// The address.
        addr: String,
        /// The reason.
        reason: String,
    },
}

/// Adopts what can be adopted into `state`.
pub async fn adopt(
    unreconciled: &[Unreconciled],
    state: &mut State,
    cx: &ApiContext,
    lookup: &ApiLookup,
) -> Vec<Adoption> {
    let mut out = Vec::new();
    for u in unreconciled {
        let (JournalOp::Create, Outcome::CreatedNotRecorded, Some(id)) =
            (u.operation, u.outcome, &u.id)
        else {
            continue;
        };
        let skipped = |reason: &str| Adoption::Skipped {
            addr: u.addr.clone(),
            reason: reason.to_owned(),
        };
        let Ok(addr) = u.addr.parse::<InstanceAddr>() else {
            out.push(skipped("the journal's address is not valid"));
            continue;
        };
        if state.instance(&addr).is_some() {
            out.push(skipped(
                "the state already records another object at this address",
            ));
            continue;
        }
        let (Some(api), Some(schema)) =
            (lookup(&u.type_name), crate::schema::resource(&u.type_name))
        else {
            out.push(skipped("scwform does not manage this resource type"));
            continue;
        };
        let mut prior: Attributes = u.lookup.clone().into_iter().collect();
        prior.insert("id".into(), serde_json::Value::String(id.clone()));
        match api.read(cx, &prior).await {
            Ok(Some(outcome)) => {
                state.set_instance(
                    &addr,
                    instance_state(schema, outcome.attributes, &[], false),
                );
                out.push(Adoption::Adopted {
                    addr: u.addr.clone(),
                    id: id.clone(),
                });
            }
            Ok(None) => out.push(Adoption::Gone {
                addr: u.addr.clone(),
                id: id.clone(),
            }),
            Err(e) => out.push(skipped(&format!("reading it failed: {e}"))),
        }
    }
    out
}
