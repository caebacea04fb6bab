//! Progress lines in Terraform's words (`ADDR: Creating...`, `ADDR: Still creating...
//! [00m10s elapsed]`, `ADDR: Creation complete after 2s [id=…]`), built from executor events.
//!
//! Pure text: [`super::printer`] writes them. Events carry no attribute values, so no secret
//! can appear here.

use crate::addr::InstanceAddr;
use crate::apply::events::{Event, Operation, format_duration, format_elapsed};

fn with_id(id: Option<&String>) -> String {
    id.map(|id| format!(" [id={id}]")).unwrap_or_default()
}

/// How Terraform names an object in progress lines: `ADDR`, or `ADDR (deposed object KEY)`.
fn object(addr: &InstanceAddr, deposed: Option<&String>) -> String {
    match deposed {
        Some(key) => format!("{addr} (deposed object {key})"),
        None => addr.to_string(),
    }
}

/// The line for one event (`None` for events that print nothing by themselves).
#[must_use]
pub fn line(event: &Event) -> Option<String> {
    Some(match event {
        Event::Refreshing { addr, deposed, id } => {
            let addr = object(addr, deposed.as_ref());
            format!("{addr}: Refreshing state...{}", with_id(id.as_ref()))
        }
        Event::Started {
            addr,
            deposed,
            operation,
            id,
        } => {
            let addr = object(addr, deposed.as_ref());
            match operation {
                Operation::Create => format!("{addr}: Creating..."),
                Operation::Update => format!("{addr}: Modifying...{}", with_id(id.as_ref())),
                Operation::Delete => format!("{addr}: Destroying...{}", with_id(id.as_ref())),
                Operation::Read => format!("{addr}: Reading..."),
            }
        }
        Event::StillRunning {
            addr,
            deposed,
            operation,
            id,
            elapsed,
        } => {
            let addr = object(addr, deposed.as_ref());
            let verb = match operation {
                Operation::Create => "creating",
                Operation::Update => "modifying",
                Operation::Delete => "destroying",
                Operation::Read => "reading",
            };
            let id = id.as_ref().map(|id| format!("id={id}, ")).unwrap_or_default();
            format!(
                "{addr}: Still {verb}... [{id}{} elapsed]",
                format_elapsed(*elapsed)
            )
        }
        Event::Completed {
            addr,
            deposed,
            operation,
            id,
            elapsed,
        } => {
            let addr = object(addr, deposed.as_ref());
            let after = format_duration(*elapsed);
            match operation {
                Operation::Create => {
                    format!("{addr}: Creation complete after {after}{}", with_id(id.as_ref()))
                }
                Operation::Update => format!(
                    "{addr}: Modifications complete after {after}{}",
                    with_id(id.as_ref())
                ),
                Operation::Delete => format!("{addr}: Destruction complete after {after}"),
                Operation::Read => {
                    format!("{addr}: Read complete after {after}{}", with_id(id.as_ref()))
                }
            }
        }
        // Terraform's text UI says nothing when a read finishes.
        Event::Failed { .. } | Event::Warning { .. } | Event::Refreshed { .. } => return None,
        Event::Stopping => {
            "Interrupt received. Gracefully shutting down: running operations will finish, nothing new starts (press Ctrl-C again to stop waiting)."
                .to_owned()
        }
        Event::Aborting => {
            "Two interrupts received. Exiting immediately: running operations are abandoned (the journal keeps them for the next run)."
                .to_owned()
        }
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn lines_use_terraforms_words() {
        let addr: crate::addr::InstanceAddr =
            "scaleway_cockpit_token.main".parse().expect("address");
        let id = Some("fr-par/1".to_owned());
        let cases = [
            (
                Event::Started {
                    addr: addr.clone(),
                    deposed: None,
                    operation: Operation::Create,
                    id: None,
                },
                "scaleway_cockpit_token.main: Creating...",
            ),
            (
                Event::StillRunning {
                    addr: addr.clone(),
                    deposed: None,
                    operation: Operation::Create,
                    id: None,
                    elapsed: Duration::from_secs(10),
                },
                "scaleway_cockpit_token.main: Still creating... [00m10s elapsed]",
            ),
            (
                Event::StillRunning {
                    addr: addr.clone(),
                    deposed: None,
                    operation: Operation::Delete,
                    id: id.clone(),
                    elapsed: Duration::from_secs(80),
                },
                "scaleway_cockpit_token.main: Still destroying... [id=fr-par/1, 01m20s elapsed]",
            ),
            (
                Event::Completed {
                    addr: addr.clone(),
                    deposed: None,
                    operation: Operation::Create,
                    id: id.clone(),
                    elapsed: Duration::from_secs(2),
                },
                "scaleway_cockpit_token.main: Creation complete after 2s [id=fr-par/1]",
            ),
            (
                Event::Started {
                    addr: addr.clone(),
                    deposed: None,
                    operation: Operation::Update,
                    id: id.clone(),
                },
                "scaleway_cockpit_token.main: Modifying... [id=fr-par/1]",
            ),
            (
                Event::Completed {
                    addr: addr.clone(),
                    deposed: None,
                    operation: Operation::Delete,
                    id: None,
                    elapsed: Duration::from_millis(100),
                },
                "scaleway_cockpit_token.main: Destruction complete after 0s",
            ),
            (
                Event::Refreshing {
                    addr: addr.clone(),
                    deposed: None,
                    id,
                },
                "scaleway_cockpit_token.main: Refreshing state... [id=fr-par/1]",
            ),
            (
                Event::Started {
                    addr: addr.clone(),
                    deposed: Some("1a2b3c4d".into()),
                    operation: Operation::Delete,
                    id: Some("fr-par/0".into()),
                },
                "scaleway_cockpit_token.main (deposed object 1a2b3c4d): Destroying... [id=fr-par/0]",
            ),
            (
                Event::Completed {
                    addr: addr.clone(),
                    deposed: Some("1a2b3c4d".into()),
                    operation: Operation::Delete,
                    id: None,
                    elapsed: Duration::from_secs(1),
                },
                "scaleway_cockpit_token.main (deposed object 1a2b3c4d): Destruction complete after 1s",
            ),
            (
                Event::Refreshing {
                    addr: addr.clone(),
                    deposed: Some("1a2b3c4d".into()),
                    id: Some("fr-par/0".into()),
                },
                "scaleway_cockpit_token.main (deposed object 1a2b3c4d): Refreshing state... [id=fr-par/0]",
            ),
        ];
        for (event, expected) in cases {
            assert_eq!(line(&event).as_deref(), Some(expected));
        }
    }
}
