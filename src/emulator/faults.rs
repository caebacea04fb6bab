//! Fault injection: latency, random 5xx, per-key rate limits, dropped connections, "commit then
//! drop", the Cockpit permission window after a project is created, and targeted faults.
//!
//! Invariants: every random decision draws from one seeded PRNG, so a given seed and request
//! sequence gives the same faults; when nothing is switched on, the request path takes no lock.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::clock::SplitMix64;

/// The fault switches (also the JSON of `GET`/`PUT /_emulator/faults`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Fixed latency added to every API request.
    pub latency_ms: u64,
    /// Extra random latency, uniform in `[0, jitter_ms]`.
    pub jitter_ms: u64,
    /// Fraction of API requests answered with one of `error_statuses` (0 to 1).
    pub error_rate: f64,
    /// Statuses for `error_rate` (default 500, 502, 503).
    pub error_statuses: Vec<u16>,
    /// Requests per second allowed per secret key; 0 = unlimited.
    pub rate_limit: u32,
    /// Bucket size for the rate limit; 0 = same as `rate_limit`.
    pub rate_burst: u32,
    /// Fraction of API requests whose connection is closed without an answer.
    pub drop_rate: f64,
    /// Fraction of API requests that are carried out but whose answer is lost.
    pub commit_then_drop_rate: f64,
    /// How long after a project's creation Cockpit calls on it answer 403; 0 = never.
    pub cockpit_denied_after_project_ms: u64,
    /// One-shot faults for matching requests.
    pub targeted: Vec<TargetedFault>,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            jitter_ms: 0,
            error_rate: 0.0,
            error_statuses: vec![500, 502, 503],
            rate_limit: 0,
            rate_burst: 0,
            drop_rate: 0.0,
            commit_then_drop_rate: 0.0,
            cockpit_denied_after_project_ms: 0,
            targeted: Vec::new(),
        }
    }
}

impl FaultConfig {
    /// Whether any request-path switch is on.
    fn any(&self) -> bool {
        self.latency_ms > 0
            || self.jitter_ms > 0
            || self.error_rate > 0.0
            || self.rate_limit > 0
            || self.drop_rate > 0.0
            || self.commit_then_drop_rate > 0.0
            || !self.targeted.is_empty()
    }
}

/// "Fail the next `count` requests matching `method` and `path_prefix` with `action`".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetedFault {
    /// HTTP method to match (any when absent).
    #[serde(default)]
    pub method: Option<String>,
    /// Path prefix to match, such as `/containers/v1/regions/fr-par/containers`.
    pub path_prefix: String,
    /// How many matching requests to affect.
    #[serde(default = "one")]
    pub count: u32,
    /// What to do.
    #[serde(flatten)]
    pub action: FaultAction,
}

fn one() -> u32 {
    1
}

/// What a fault does to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer with this status and a JSON `{"message": …}` body (429: empty body and
    /// `X-Envoy-Ratelimited: true`), without carrying the request out.
    Status {
        /// The HTTP status.
        status: u16,
    },
    /// Close the connection without answering, without carrying the request out.
    Drop,
    /// Carry the request out, then close the connection without answering.
    CommitThenDrop,
}

/// The decision for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    Pass,
    Status(u16),
    RateLimited,
    Drop,
    CommitThenDrop,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

struct State {
    config: FaultConfig,
    rng: SplitMix64,
    buckets: HashMap<String, Bucket>,
    counts: FaultCounts,
}

/// How many API requests were seen while faults were on, and what was done to them (the JSON
/// of `GET /_emulator/faults/counts`; counted since the start or the last `PUT`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultCounts {
    /// Requests decided while some fault switch was on.
    pub requests: u64,
    /// Answered with an error status, by status.
    pub statuses: std::collections::BTreeMap<u16, u64>,
    /// Answered 429 by the rate limit (or a targeted 429).
    pub rate_limited: u64,
    /// Connections closed without carrying the request out.
    pub dropped: u64,
    /// Requests carried out whose answer was then dropped.
    pub committed_then_dropped: u64,
}

impl FaultCounts {
    fn count(&mut self, decision: &Decision) {
        self.requests += 1;
        match decision {
            Decision::Pass => {}
            Decision::Status(status) => *self.statuses.entry(*status).or_default() += 1,
            Decision::RateLimited => self.rate_limited += 1,
            Decision::Drop => self.dropped += 1,
            Decision::CommitThenDrop => self.committed_then_dropped += 1,
        }
    }
}

impl std::fmt::Debug for State {
    // Buckets are keyed by secret key: never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("config", &self.config)
            .field("buckets", &self.buckets.len())
            .finish_non_exhaustive()
    }
}

/// The live fault state.
#[derive(Debug)]
pub(crate) struct Faults {
    active: AtomicBool,
    state: Mutex<State>,
}

impl Faults {
    pub(crate) fn new(config: FaultConfig, seed: u64) -> Self {
        Self {
            active: AtomicBool::new(config.any()),
            state: Mutex::new(State {
                config,
                rng: SplitMix64::new(seed ^ 0xFA17_FA17),
                buckets: HashMap::new(),
                counts: FaultCounts::default(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn config(&self) -> FaultConfig {
        self.lock().config.clone()
    }

    pub(crate) fn set(&self, config: FaultConfig) {
        let mut s = self.lock();
        self.active.store(config.any(), Ordering::Release);
        s.config = config;
        s.buckets.clear();
        s.counts = FaultCounts::default();
    }

    pub(crate) fn counts(&self) -> FaultCounts {
        self.lock().counts.clone()
    }

    pub(crate) fn add_targeted(&self, fault: TargetedFault) {
        let mut s = self.lock();
        s.config.targeted.push(fault);
        self.active.store(true, Ordering::Release);
    }

    pub(crate) fn cockpit_window(&self) -> Duration {
        Duration::from_millis(self.lock().config.cockpit_denied_after_project_ms)
    }

    /// Decides what happens to a request, and how long to delay it first.
    pub(crate) fn decide(&self, method: &str, path: &str, key: &str) -> (Duration, Decision) {
        if !self.active.load(Ordering::Acquire) {
            return (Duration::ZERO, Decision::Pass);
        }
        let mut guard = self.lock();
        let (delay, decision) = self.decide_locked(&mut guard, method, path, key);
        guard.counts.count(&decision);
        (delay, decision)
    }

    fn decide_locked(
        &self,
        s: &mut State,
        method: &str,
        path: &str,
        key: &str,
    ) -> (Duration, Decision) {
        let mut delay = Duration::from_millis(s.config.latency_ms);
        if s.config.jitter_ms > 0 {
            let j = s.rng.next_u64() % (s.config.jitter_ms + 1);
            delay += Duration::from_millis(j);
        }
        if s.config.rate_limit > 0 {
            let rate = f64::from(s.config.rate_limit);
            let burst = if s.config.rate_burst == 0 {
                rate
            } else {
                f64::from(s.config.rate_burst)
            };
            let now = Instant::now();
            let bucket = s.buckets.entry(key.to_owned()).or_insert(Bucket {
                tokens: burst,
                last: now,
            });
            let elapsed = now.duration_since(bucket.last).as_secs_f64();
            bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
            bucket.last = now;
            if bucket.tokens < 1.0 {
                return (delay, Decision::RateLimited);
            }
            bucket.tokens -= 1.0;
        }
        if let Some(i) = s.config.targeted.iter().position(|t| {
            t.count > 0
                && path.starts_with(&t.path_prefix)
                && t.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
        }) {
            let t = &mut s.config.targeted[i];
            t.count -= 1;
            let action = t.action.clone();
            if t.count == 0 {
                s.config.targeted.remove(i);
            }
            self.active.store(s.config.any(), Ordering::Release);
            return (
                delay,
                match action {
                    FaultAction::Status { status: 429 } => Decision::RateLimited,
                    FaultAction::Status { status } => Decision::Status(status),
                    FaultAction::Drop => Decision::Drop,
                    FaultAction::CommitThenDrop => Decision::CommitThenDrop,
                },
            );
        }
        if s.config.error_rate > 0.0 && s.rng.next_f64() < s.config.error_rate {
            let statuses = &s.config.error_statuses;
            let status = if statuses.is_empty() {
                500
            } else {
                #[allow(clippy::cast_possible_truncation)]
                let i = (s.rng.next_u64() % statuses.len() as u64) as usize;
                statuses[i]
            };
            return (delay, Decision::Status(status));
        }
        if s.config.drop_rate > 0.0 && s.rng.next_f64() < s.config.drop_rate {
            return (delay, Decision::Drop);
        }
        if s.config.commit_then_drop_rate > 0.0 && s.rng.next_f64() < s.config.commit_then_drop_rate
        {
            return (delay, Decision::CommitThenDrop);
        }
        (delay, Decision::Pass)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inactive_faults_pass_everything() {
        let f = Faults::new(FaultConfig::default(), 1);
        assert_eq!(f.decide("GET", "/x", "k"), (Duration::ZERO, Decision::Pass));
    }

    #[test]
    fn targeted_fault_fires_count_times_then_disarms() {
        let f = Faults::new(FaultConfig::default(), 1);
        f.add_targeted(TargetedFault {
            method: Some("POST".into()),
            path_prefix: "/containers/".into(),
            count: 2,
            action: FaultAction::Status { status: 503 },
        });
        assert_eq!(f.decide("GET", "/containers/a", "k").1, Decision::Pass);
        assert_eq!(
            f.decide("POST", "/containers/a", "k").1,
            Decision::Status(503)
        );
        assert_eq!(
            f.decide("POST", "/containers/a", "k").1,
            Decision::Status(503)
        );
        assert_eq!(f.decide("POST", "/containers/a", "k").1, Decision::Pass);
    }

    #[test]
    fn error_rate_is_deterministic_for_a_seed() {
        let config = FaultConfig {
            error_rate: 0.5,
            ..FaultConfig::default()
        };
        let run = |seed| {
            let f = Faults::new(config.clone(), seed);
            (0..50)
                .map(|_| f.decide("GET", "/", "k").1)
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        let hits = run(7).iter().filter(|d| **d != Decision::Pass).count();
        assert!((10..40).contains(&hits), "{hits}");
    }

    #[test]
    fn rate_limit_allows_a_burst_then_refuses() {
        let f = Faults::new(
            FaultConfig {
                rate_limit: 3,
                ..FaultConfig::default()
            },
            1,
        );
        let decisions: Vec<_> = (0..4).map(|_| f.decide("GET", "/", "k").1).collect();
        assert_eq!(
            decisions[..3],
            [Decision::Pass, Decision::Pass, Decision::Pass]
        );
        assert_eq!(decisions[3], Decision::RateLimited);
        // Another key has its own bucket.
        assert_eq!(f.decide("GET", "/", "other").1, Decision::Pass);
    }

    #[test]
    fn targeted_fault_json_shape() {
        let t: TargetedFault = serde_json::from_str(
            r#"{"method":"POST","path_prefix":"/account/v3/projects","count":1,"action":"status","status":500}"#,
        )
        .unwrap();
        assert_eq!(t.action, FaultAction::Status { status: 500 });
        let d: TargetedFault =
            serde_json::from_str(r#"{"path_prefix":"/","action":"commit_then_drop"}"#).unwrap();
        assert_eq!((d.count, d.action), (1, FaultAction::CommitThenDrop));
    }
}
