//! Adoption: objects an earlier run created but did not record (it died between the API call
//! and the state write) are read back through the API, by the ID the journal kept, and recorded
//! at their address, instead of being left behind as orphans.
//!
//! A create with a known ID is read back by that ID. A create whose call was abandoned (the
//! process was stopped or killed during it, so its answer and the new ID were lost) is looked
//! for through [`ResourceApi::find`]: the objects with the journal's name, parent and region
//! that no instance of the state records and that were not created before the call (allowing
//! [`CLOCK_SKEW`] between this machine and the API: an unmanaged object of the same name made
//! long ago is never taken over); exactly one is adopted, none means the call created nothing,
//! several are reported for a person to choose. Types that cannot be searched (no
//! name) and other operations are only reported. An address that the state already uses is
//! never overwritten.
//!
//! Depends on `api::resources`, `state` and the journal.

use std::collections::HashSet;

use super::ApiLookup;
use super::journal::{JournalOp, Outcome, Unreconciled};
use super::values::instance_state;
use crate::api::resources::{ApiContext, Attributes, ResourceApi, ResourceError};
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
    /// A create whose call was abandoned (no answer, so no ID) made nothing: no object the
    /// state does not record bears its name.
    NotCreated {
        /// The address.
        addr: String,
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
        if u.operation != JournalOp::Create {
            continue;
        }
        let skipped = |reason: &str| Adoption::Skipped {
            addr: u.addr.clone(),
            reason: reason.to_owned(),
        };
        let Ok(addr) = u.addr.parse::<InstanceAddr>() else {
            out.push(skipped("the journal's address is not valid"));
            continue;
        };
        let (Some(api), Some(schema)) =
            (lookup(&u.type_name), crate::schema::resource(&u.type_name))
        else {
            out.push(skipped("scwform does not manage this resource type"));
            continue;
        };
        let lookup_values: Attributes = u.lookup.clone().into_iter().collect();
        let found = match (u.outcome, &u.id) {
            (Outcome::CreatedNotRecorded, Some(id)) => {
                if state.instance(&addr).is_some() {
                    out.push(skipped(
                        "the state already records another object at this address",
                    ));
                    continue;
                }
                let mut prior = lookup_values;
                prior.insert("id".into(), serde_json::Value::String(id.clone()));
                match api.read(cx, &prior).await {
                    Ok(Some(outcome)) => outcome.attributes,
                    Ok(None) => {
                        out.push(Adoption::Gone {
                            addr: u.addr.clone(),
                            id: id.clone(),
                        });
                        continue;
                    }
                    Err(e) => {
                        out.push(skipped(&format!("reading it failed: {e}")));
                        continue;
                    }
                }
            }
            (Outcome::Unknown, _) => {
                // An address the state holds was created (or adopted) since: nothing to find.
                if state.instance(&addr).is_some() {
                    continue;
                }
                let since =
                    u.at.parse::<jiff::Timestamp>()
                        .ok()
                        .and_then(|at| at.checked_sub(CLOCK_SKEW).ok());
                match find_unrecorded(api, cx, &lookup_values, since, state).await {
                    Ok(Some(found)) => match <[_; 1]>::try_from(found) {
                        Ok([one]) => one,
                        Err(found) if found.is_empty() => {
                            out.push(Adoption::NotCreated {
                                addr: u.addr.clone(),
                            });
                            continue;
                        }
                        Err(found) => {
                            out.push(skipped(&format!(
                                "{} objects the state does not record match its name, so none is adopted: the plan creates a new one; delete those that are not wanted",
                                found.len()
                            )));
                            continue;
                        }
                    },
                    // This type cannot be searched: the warning about the intent stands.
                    Ok(None) => continue,
                    Err(e) => {
                        out.push(skipped(&format!("looking for it failed: {e}")));
                        continue;
                    }
                }
            }
            (Outcome::CreatedNotRecorded, None) => continue,
        };
        let id = found
            .get("id")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        state.set_instance(&addr, instance_state(schema, found, &[], false));
        out.push(Adoption::Adopted {
            addr: u.addr.clone(),
            id,
        });
    }
    out
}

/// How far the API's clock may be behind this machine's when telling whether an object was
/// created before an abandoned call.
pub const CLOCK_SKEW: std::time::Duration = std::time::Duration::from_secs(600);

/// The objects `api` finds for `lookup` that no instance of `state` records and that were not
/// created before `since` (objects whose creation time is unknown are kept).
async fn find_unrecorded(
    api: &dyn ResourceApi,
    cx: &ApiContext,
    lookup: &Attributes,
    since: Option<jiff::Timestamp>,
    state: &State,
) -> Result<Option<Vec<Attributes>>, ResourceError> {
    let Some(found) = api.find(cx, lookup).await? else {
        return Ok(None);
    };
    let recorded: HashSet<&str> = state
        .resources
        .iter()
        .flat_map(|r| r.instances.iter())
        .filter_map(|i| i.id())
        .collect();
    Ok(Some(
        found
            .into_iter()
            .map(|o| o.attributes)
            .filter(|a| {
                a.get("id")
                    .and_then(serde_json::Value::as_str)
                    .is_some_and(|id| !recorded.contains(id))
            })
            .filter(|a| {
                let created = a
                    .get("created_at")
                    .and_then(serde_json::Value::as_str)
                    .and_then(|t| t.parse::<jiff::Timestamp>().ok());
                match (since, created) {
                    (Some(since), Some(created)) => created >= since,
                    _ => true,
                }
            })
            .collect(),
    ))
}
