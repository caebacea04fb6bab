//! When and how API calls are tried again.
//!
//! - [`RetryPolicy`]: exponential backoff with jitter for transport errors, 429 and 5xx except
//!   501, honouring `Retry-After`, bounded in attempts and in total time. The defaults are the
//!   Terraform provider's: 3 retries, 2 s minimum wait, 2 min cap.
//! - [`Idempotency`]: a create ([`Idempotency::Create`]) is retried only when the server surely
//!   did not process it (connection refused, 429, 503); otherwise the client reports
//!   [`ClientError::OutcomeUnknown`] so the caller looks the object up first.
//! - [`retry_on_permission_denied`]: Cockpit's "403 until IAM has propagated" loop.
//! - [`wait_until_settled`]: poll a resource until its status is no longer transient.
//!
//! Depends on `api::error` only; sleeps with tokio's clock (so tests may pause time).

use std::future::Future;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};

use super::error::ClientError;

/// Whether a request may be sent twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Sending it twice has the same effect as once (GET, PATCH, DELETE, actions).
    Idempotent,
    /// It creates something: sending it twice could create two.
    Create,
}

/// Backoff settings for transient failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: usize,
    /// The first wait; later waits double.
    pub min_delay: Duration,
    /// The longest single wait (also caps `Retry-After`).
    pub max_delay: Duration,
    /// The longest time spent retrying, from the first attempt; no retry starts after it.
    pub max_elapsed: Duration,
    /// Whether to add random jitter to each wait (so many clients do not retry in step).
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            min_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(120),
            max_elapsed: Duration::from_secs(300),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    #[must_use]
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Retries for an API on loopback (the emulator): waits from 25 ms instead of 2 s, as
    /// nothing is gained by backing off from a local server for long, and two more of them,
    /// so that the retries still span over a second (an emulator rate limit refills by then).
    #[must_use]
    pub fn fast() -> Self {
        Self {
            max_retries: 5,
            min_delay: Duration::from_millis(25),
            max_delay: Duration::from_secs(1),
            max_elapsed: Duration::from_secs(10),
            jitter: true,
        }
    }

    fn backoff(&self) -> ExponentialBuilder {
        let builder = ExponentialBuilder::new()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries)
            .with_total_delay(Some(self.max_elapsed));
        if self.jitter {
            builder.with_jitter()
        } else {
            builder
        }
    }

    /// Runs `attempt` until it succeeds, fails with a non-transient error, or the policy is
    /// exhausted. A `Retry-After` on the error replaces the computed wait (capped by
    /// `max_delay`). Errors carry no memory of earlier attempts; the last one is returned.
    pub async fn run<T, F, Fut>(&self, mut attempt: F) -> Result<T, ClientError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ClientError>>,
    {
        let start = tokio::time::Instant::now();
        let max_delay = self.max_delay;
        let max_elapsed = self.max_elapsed;
        (|| attempt())
            .retry(self.backoff())
            .sleep(tokio::time::sleep)
            .when(ClientError::is_transient)
            .adjust(move |error, delay| {
                let delay = error
                    .retry_after()
                    .map_or(delay, |after| delay.map(|_| after.min(max_delay)))?;
                // Never start a wait that would end past the overall budget.
                (start.elapsed() + delay <= max_elapsed).then_some(delay)
            })
            .notify(|error, delay| {
                tracing::debug!(%error, ?delay, "retrying API call");
            })
            .await
    }
}

/// How long to keep retrying calls refused with 403 while new permissions propagate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropagationWait {
    /// Time between attempts (default 2 s).
    pub interval: Duration,
    /// Give up after this long (default 2 min).
    pub timeout: Duration,
}

impl Default for PropagationWait {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(2),
            timeout: Duration::from_secs(120),
        }
    }
}

/// Runs `call` again every `wait.interval` while it fails with a permission-denied 403, for up
/// to `wait.timeout`; then returns the last result. Used for Cockpit calls made right after a
/// project is created, before IAM has caught up.
pub async fn retry_on_permission_denied<T, F, Fut>(
    wait: PropagationWait,
    mut call: F,
) -> Result<T, ClientError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
{
    let deadline = tokio::time::Instant::now() + wait.timeout;
    loop {
        match call().await {
            Err(e) if e.is_permission_denied() => {
                let now = tokio::time::Instant::now();
                if now + wait.interval > deadline {
                    return Err(e);
                }
                tracing::debug!(error = %e, "permission denied; waiting for IAM propagation");
                tokio::time::sleep(wait.interval).await;
            }
            other => return other,
        }
    }
}

/// How to poll a resource until it settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitOptions {
    /// Time between reads (the provider uses 5 s for containers).
    pub interval: Duration,
    /// Give up after this long.
    pub timeout: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(300),
        }
    }
}

/// Reads a resource until it is no longer in a transient status.
///
/// `fetch` reads it (at once, then every `interval`); `transient` returns `Some(status)` while
/// the resource is still changing (e.g. `creating`) and `None` once it has settled (including
/// terminal `error` statuses, which the caller judges). Any error from `fetch`, a 404 included,
/// ends the wait and is returned as is, so "gone" is seen with
/// [`ClientError::is_not_found`].
///
/// # Errors
/// `fetch`'s errors, or [`ClientError::WaitTimeout`] naming `what` and the last status.
pub async fn wait_until_settled<T, F, Fut, P>(
    what: &str,
    options: WaitOptions,
    mut fetch: F,
    transient: P,
) -> Result<T, ClientError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
    P: Fn(&T) -> Option<String>,
{
    let start = tokio::time::Instant::now();
    loop {
        let current = fetch().await?;
        let Some(status) = transient(&current) else {
            return Ok(current);
        };
        let waited = start.elapsed();
        let Some(left) = options.timeout.checked_sub(waited).filter(|d| !d.is_zero()) else {
            return Err(ClientError::WaitTimeout {
                what: what.to_owned(),
                waited,
                status,
            });
        };
        tokio::time::sleep(options.interval.min(left)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::ApiError;
    use std::cell::Cell;

    fn api_error(status: u16, body: &str) -> ClientError {
        ApiError::from_response("GET /x".into(), status, None, None, None, body.as_bytes()).into()
    }

    fn fast() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            max_elapsed: Duration::from_secs(5),
            jitter: true,
        }
    }

    #[tokio::test]
    async fn transient_errors_are_retried_up_to_the_limit() {
        let calls = Cell::new(0);
        let result: Result<(), _> = fast()
            .run(|| {
                calls.set(calls.get() + 1);
                async { Err(api_error(500, "")) }
            })
            .await;
        assert!(result.is_err());
        assert_eq!(calls.get(), 4, "one attempt and three retries");
    }

    #[tokio::test]
    async fn permanent_errors_are_not_retried() {
        let calls = Cell::new(0);
        let result: Result<(), _> = fast()
            .run(|| {
                calls.set(calls.get() + 1);
                async { Err(api_error(400, "")) }
            })
            .await;
        assert!(result.is_err());
        assert_eq!(calls.get(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_total_time_budget_stops_retries() {
        let policy = RetryPolicy {
            max_retries: 100,
            min_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(1),
            max_elapsed: Duration::from_millis(3500),
            jitter: false,
        };
        let calls = Cell::new(0);
        let _: Result<(), _> = policy
            .run(|| {
                calls.set(calls.get() + 1);
                async { Err(api_error(503, "")) }
            })
            .await;
        assert_eq!(
            calls.get(),
            4,
            "three 1 s waits fit in 3.5 s; a fourth does not"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn permission_denied_is_retried_until_it_clears() {
        let calls = Cell::new(0);
        let result = retry_on_permission_denied(PropagationWait::default(), || {
            calls.set(calls.get() + 1);
            let n = calls.get();
            async move {
                if n < 3 {
                    Err(api_error(
                        403,
                        r#"{"message":"insufficient permissions","type":"permissions_denied"}"#,
                    ))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(result.ok(), Some(3));
    }

    #[tokio::test(start_paused = true)]
    async fn permission_denied_gives_up_after_the_timeout() {
        let calls = Cell::new(0);
        let result: Result<(), _> = retry_on_permission_denied(PropagationWait::default(), || {
            calls.set(calls.get() + 1);
            async { Err(api_error(403, "")) }
        })
        .await;
        assert!(result.is_err_and(|e| e.is_permission_denied()));
        assert_eq!(calls.get(), 61, "every 2 s for 2 min, plus the first call");
    }

    #[tokio::test(start_paused = true)]
    async fn waits_end_when_the_status_settles_or_time_runs_out() {
        let calls = Cell::new(0);
        let options = WaitOptions {
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(60),
        };
        let settled = wait_until_settled(
            "namespace",
            options,
            || {
                calls.set(calls.get() + 1);
                let n = calls.get();
                async move { Ok(if n < 3 { "creating" } else { "ready" }) }
            },
            |s: &&str| (*s == "creating").then(|| (*s).to_owned()),
        )
        .await;
        assert_eq!(settled.ok(), Some("ready"));
        let stuck = wait_until_settled(
            "namespace",
            options,
            || async { Ok("deleting") },
            |s: &&str| Some((*s).to_owned()),
        )
        .await;
        assert_eq!(
            stuck.map_err(|e| e.to_string()).err().as_deref(),
            Some("timeout after 60s waiting for namespace (still deleting)")
        );
        let gone = wait_until_settled(
            "namespace",
            options,
            || async { Err::<&str, _>(api_error(404, r#"{"message":"Namespace was not found"}"#)) },
            |_| None,
        )
        .await;
        assert!(gone.is_err_and(|e| e.is_not_found()));
    }
}
