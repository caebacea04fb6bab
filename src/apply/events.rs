//! Progress events: what the executor and the refresh report while they run.
//!
//! Events are sent through an unbounded channel (a slow terminal must never slow the API calls
//! down) and rendered by the CLI in Terraform's words. They carry addresses, object IDs,
//! durations and API messages only: never attribute values, so no secret can reach the output
//! through them.
//!
//! Depends on `addr` only.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::addr::InstanceAddr;

/// What an operation does to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operation {
    /// Create a new object.
    Create,
    /// Update an object in place.
    Update,
    /// Delete an object.
    Delete,
    /// Read an object (refresh).
    Read,
}

/// One thing that happened. Events about an object carry its address and, for a deposed
/// object, its deposed key, so progress can name it as Terraform does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Refresh started reading a recorded object.
    Refreshing {
        /// The instance.
        addr: InstanceAddr,
        /// The deposed key when the object is a deposed one (`ADDR (deposed object KEY)`).
        deposed: Option<String>,
        /// Its recorded ID.
        id: Option<String>,
    },
    /// Refresh finished reading a recorded object (also when it is gone).
    Refreshed {
        /// The instance.
        addr: InstanceAddr,
        /// The deposed key when the object is a deposed one.
        deposed: Option<String>,
        /// Its ID as read (`None` when the object is gone).
        id: Option<String>,
    },
    /// An operation started.
    Started {
        /// The instance.
        addr: InstanceAddr,
        /// The deposed key when the object is a deposed one (`ADDR (deposed object KEY)`).
        deposed: Option<String>,
        /// What it does.
        operation: Operation,
        /// The object's ID, when it has one already (update, delete).
        id: Option<String>,
    },
    /// An operation is still running (sent every heartbeat, 10 s by default).
    StillRunning {
        /// The instance.
        addr: InstanceAddr,
        /// The deposed key when the object is a deposed one (`ADDR (deposed object KEY)`).
        deposed: Option<String>,
        /// What it does.
        operation: Operation,
        /// The object's ID, when known.
        id: Option<String>,
        /// Time since it started.
        elapsed: Duration,
    },
    /// An operation finished.
    Completed {
        /// The instance.
        addr: InstanceAddr,
        /// The deposed key when the object is a deposed one (`ADDR (deposed object KEY)`).
        deposed: Option<String>,
        /// What it did.
        operation: Operation,
        /// The object's ID afterwards (absent after a delete).
        id: Option<String>,
        /// How long it took.
        elapsed: Duration,
    },
    /// An operation failed; the message is the API's (or the executor's) explanation.
    Failed {
        /// The instance.
        addr: InstanceAddr,
        /// The deposed key when the object is a deposed one (`ADDR (deposed object KEY)`).
        deposed: Option<String>,
        /// What it tried.
        operation: Operation,
        /// Why it failed.
        message: String,
    },
    /// Something worth knowing that did not fail the operation (a container in `error`).
    Warning {
        /// The instance.
        addr: InstanceAddr,
        /// What the API or the executor said.
        message: String,
    },
    /// The run was interrupted: nothing new starts, running operations finish.
    Stopping,
    /// The run was interrupted again: running operations are abandoned.
    Aborting,
}

/// Where events go: a channel to the CLI, or nowhere.
#[derive(Debug, Clone, Default)]
pub struct Events {
    tx: Option<mpsc::UnboundedSender<Event>>,
}

impl Events {
    /// Events sent to this channel.
    #[must_use]
    pub fn to(tx: mpsc::UnboundedSender<Event>) -> Self {
        Self { tx: Some(tx) }
    }

    /// A channel and the sink feeding it.
    #[must_use]
    pub fn channel() -> (Self, mpsc::UnboundedReceiver<Event>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Self::to(tx), rx)
    }

    /// Events dropped on the floor.
    #[must_use]
    pub fn none() -> Self {
        Self { tx: None }
    }

    /// Sends an event; a closed receiver is not an error (nobody is watching any more).
    pub fn send(&self, event: Event) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(event);
        }
    }
}

/// A duration the way Terraform (Go) prints it, rounded to the second: `0s`, `4s`, `1m20s`,
/// `1h2m3s`.
#[must_use]
pub fn format_duration(d: Duration) -> String {
    let total = d.as_secs() + u64::from(d.subsec_millis() >= 500);
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

/// Terraform's elapsed-time field: `00m10s`, `01m20s` (minutes can exceed 59).
#[must_use]
pub fn format_elapsed(d: Duration) -> String {
    let total = d.as_secs();
    format!("{:02}m{:02}s", total / 60, total % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_like_terraform() {
        assert_eq!(format_duration(Duration::from_millis(300)), "0s");
        assert_eq!(format_duration(Duration::from_millis(4600)), "5s");
        assert_eq!(format_duration(Duration::from_secs(80)), "1m20s");
        assert_eq!(format_duration(Duration::from_secs(3723)), "1h2m3s");
        assert_eq!(format_elapsed(Duration::from_secs(10)), "00m10s");
        assert_eq!(format_elapsed(Duration::from_secs(80)), "01m20s");
    }
}
