//! The rate at which the client sends requests, learnt from the API's rate-limit answers.
//!
//! Scaleway limits requests per key and per second and answers `429 Too Many Requests`
//! (Envoy's, with `X-Envoy-Ratelimited: true`) past it. A fixed number of requests in flight
//! cannot hold a rate: at loopback latency one request in flight is a thousand a second. So the
//! [`Throttle`] paces requests, and learns the pace the way TCP learns a window:
//!
//! - until the first rate-limit answer, requests are not paced at all (only the number in
//!   flight is bounded, by `-parallelism`): an API that never limits costs nothing;
//! - on a rate-limit answer, multiplicative decrease: the rate becomes `decrease` times what it
//!   was (before the first answer: the rate requests were actually sent at over the last
//!   second). Answers to requests sent before the last decrease say nothing about the new rate
//!   and change nothing, so one burst of refusals is one decrease;
//! - on every other answer, additive increase: the rate grows by `increase / rate`, that is
//!   about `increase` requests/s for every second of answers;
//! - a `Retry-After` holds every request until it has passed.
//!
//! A refused request was not carried out, so the client sends it again when the throttle lets
//! it (see `Client`): the limit slows operations down and never fails them.
//!
//! Invariants: never more than `max_in_flight` requests at once; the rate stays within
//! [`ThrottleConfig::min_rate`] and [`ThrottleConfig::max_rate`]; send slots are handed out in
//! order, one every `1 / rate` seconds, so the rate holds however late the timers fire.
//!
//! Depends on nothing else in `api`; sleeps with tokio's clock (so tests may pause time).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// How a [`Throttle`] adapts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleConfig {
    /// Requests in flight at most (`-parallelism`; the default bounds nothing, leaving it to
    /// the callers).
    pub max_in_flight: usize,
    /// Additive increase: requests/s gained per second of answers that were not refused.
    pub increase: f64,
    /// Multiplicative decrease: the factor applied to the rate on a refusal (0 < `decrease` < 1).
    pub decrease: f64,
    /// The rate never falls below this (requests/s).
    pub min_rate: f64,
    /// The rate never grows above this (requests/s).
    pub max_rate: f64,
    /// How long one request keeps being sent again while the API refuses it for its rate
    /// limit, before the refusal is returned as an error.
    pub patience: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            max_in_flight: Semaphore::MAX_PERMITS,
            increase: 10.0,
            decrease: 0.8,
            min_rate: 0.5,
            max_rate: 10_000.0,
            patience: Duration::from_secs(15 * 60),
        }
    }
}

impl ThrottleConfig {
    /// The defaults, with at most `parallelism` requests in flight (at least one).
    #[must_use]
    pub fn with_parallelism(parallelism: usize) -> Self {
        Self {
            max_in_flight: parallelism.max(1),
            ..Self::default()
        }
    }
}

/// What a throttle has seen, for reports and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ThrottleStats {
    /// Answers that said the rate limit was reached (each was sent again).
    pub rate_limited: u64,
    /// Times the rate was decreased.
    pub decreases: u64,
    /// The current rate in requests/s (`None`: not paced, no refusal seen yet).
    pub rate: Option<f64>,
}

/// The shared pace of one client and all its clones.
#[derive(Debug, Clone)]
pub struct Throttle {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    config: ThrottleConfig,
    slots: Arc<Semaphore>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Requests/s; `None` until the first refusal.
    rate: Option<f64>,
    /// When paced: the earliest time the next request may go.
    next: Instant,
    /// No request goes before this (`Retry-After`).
    hold: Option<Instant>,
    /// Counts the decreases: a refusal of a request given leave before the last one does
    /// not decrease the rate again.
    generation: u64,
    /// When the requests of the last second went (while not paced), to start pacing from the
    /// rate actually reached.
    recent: VecDeque<Instant>,
    stats: ThrottleStats,
}

/// Leave to send one request; give it back with [`Throttle::answered`] or
/// [`Throttle::refused`] (dropping it only frees its place in flight).
#[derive(Debug)]
pub struct Ticket {
    generation: u64,
    _slot: OwnedSemaphorePermit,
}

/// How long the send rate is measured over before pacing starts.
const WINDOW: Duration = Duration::from_secs(1);

impl Throttle {
    /// A throttle that does not pace until the first refusal.
    #[must_use]
    pub fn new(config: ThrottleConfig) -> Self {
        let config = ThrottleConfig {
            max_in_flight: config.max_in_flight.clamp(1, Semaphore::MAX_PERMITS),
            decrease: config.decrease.clamp(0.01, 0.99),
            min_rate: config.min_rate.max(0.001),
            max_rate: config.max_rate.max(config.min_rate.max(0.001)),
            increase: config.increase.max(0.0),
            patience: config.patience,
        };
        Self {
            inner: Arc::new(Shared {
                config,
                slots: Arc::new(Semaphore::new(config.max_in_flight)),
                state: Mutex::new(State {
                    rate: None,
                    next: Instant::now(),
                    hold: None,
                    generation: 0,
                    recent: VecDeque::new(),
                    stats: ThrottleStats::default(),
                }),
            }),
        }
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> ThrottleConfig {
        self.inner.config
    }

    /// What it has seen so far.
    #[must_use]
    pub fn stats(&self) -> ThrottleStats {
        let state = self.lock();
        ThrottleStats {
            rate: state.rate,
            ..state.stats
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is a few numbers updated in one step: a panic elsewhere cannot leave it
        // half-written.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a place in flight and for the request's turn, and returns the leave to send.
    pub async fn acquire(&self) -> Ticket {
        let slot = Arc::clone(&self.inner.slots)
            .acquire_owned()
            .await
            // Invariant: the semaphore is never closed.
            .expect("throttle semaphore is never closed");
        let (at, generation) = {
            let mut state = self.lock();
            let now = Instant::now();
            let mut at = now;
            if let Some(hold) = state.hold {
                if hold > at {
                    at = hold;
                } else {
                    state.hold = None;
                }
            }
            if let Some(rate) = state.rate {
                at = at.max(state.next);
                state.next = at + Duration::from_secs_f64(1.0 / rate);
            } else {
                while state.recent.front().is_some_and(|t| now - *t > WINDOW) {
                    state.recent.pop_front();
                }
                state.recent.push_back(at);
            }
            (at, state.generation)
        };
        // Only a request that must wait touches the timer: a sleep that is already due still
        // waits for the timer's next tick (up to a millisecond), which unpaced requests must
        // not pay.
        if at > Instant::now() {
            tokio::time::sleep_until(at).await;
        }
        Ticket {
            generation,
            _slot: slot,
        }
    }

    /// The request was answered (anything but a rate-limit refusal): the rate grows.
    pub fn answered(&self, ticket: Ticket) {
        let config = self.inner.config;
        let mut state = self.lock();
        if let Some(rate) = state.rate {
            state.rate = Some((rate + config.increase / rate).min(config.max_rate));
        }
        drop(ticket);
    }

    /// The request was refused for the rate limit (`retry_after`: the wait the API asked for).
    /// The rate decreases unless the request was given leave before the last decrease.
    pub fn refused(&self, ticket: Ticket, retry_after: Option<Duration>) {
        let config = self.inner.config;
        let mut state = self.lock();
        let now = Instant::now();
        state.stats.rate_limited += 1;
        if let Some(after) = retry_after.filter(|d| !d.is_zero()) {
            let until = now + after;
            state.hold = Some(state.hold.map_or(until, |h| h.max(until)));
        }
        if ticket.generation != state.generation {
            return;
        }
        let base = state.rate.unwrap_or_else(|| {
            // Requests sent over the last second (or since the first one).
            let first = state.recent.front().copied().unwrap_or(now);
            let span = (now - first).max(Duration::from_millis(100)).min(WINDOW);
            #[allow(clippy::cast_precision_loss)]
            let sent = state.recent.len() as f64;
            sent / span.as_secs_f64()
        });
        let rate = (base * config.decrease).clamp(config.min_rate, config.max_rate);
        state.rate = Some(rate);
        state.recent.clear();
        state.generation += 1;
        state.next = state.next.max(now);
        state.stats.decreases += 1;
        drop(ticket);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(max_in_flight: usize) -> ThrottleConfig {
        ThrottleConfig {
            max_in_flight,
            ..ThrottleConfig::default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn an_api_that_never_refuses_is_not_paced() {
        let throttle = Throttle::new(config(4));
        let start = Instant::now();
        for _ in 0..1000 {
            let ticket = throttle.acquire().await;
            throttle.answered(ticket);
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert_eq!(throttle.stats(), ThrottleStats::default());
    }

    #[tokio::test(start_paused = true)]
    async fn requests_in_flight_are_bounded() {
        let throttle = Throttle::new(config(3));
        let held: Vec<Ticket> = futures_three(&throttle).await;
        assert_eq!(held.len(), 3);
        let fourth = tokio::time::timeout(Duration::from_secs(60), throttle.acquire()).await;
        assert!(
            fourth.is_err(),
            "a fourth request waits while three are in flight"
        );
        drop(held);
        let fourth = tokio::time::timeout(Duration::from_secs(1), throttle.acquire()).await;
        assert!(fourth.is_ok());
    }

    async fn futures_three(throttle: &Throttle) -> Vec<Ticket> {
        vec![
            throttle.acquire().await,
            throttle.acquire().await,
            throttle.acquire().await,
        ]
    }

    #[tokio::test(start_paused = true)]
    async fn a_refusal_paces_from_the_rate_reached_and_decreases_it_once_per_burst() {
        let throttle = Throttle::new(config(10));
        // 50 requests over half a second: 100/s.
        let mut tickets = Vec::new();
        for _ in 0..50 {
            let ticket = throttle.acquire().await;
            tickets.push(ticket);
            if tickets.len() == 10 {
                for t in tickets.drain(..9) {
                    throttle.answered(t);
                }
            }
            tokio::time::advance(Duration::from_millis(10)).await;
        }
        let last = tickets.pop().expect("one held");
        for t in tickets.drain(..) {
            throttle.answered(t);
        }
        throttle.refused(last, None);
        let rate = throttle.stats().rate.expect("paced now");
        assert!((rate - 80.0).abs() < 2.0, "0.8 × 100/s, got {rate}");
        // Another request sent before the decrease is refused: no second decrease.
        let stale = Ticket {
            generation: 0,
            _slot: Arc::clone(&throttle.inner.slots)
                .acquire_owned()
                .await
                .expect("open"),
        };
        throttle.refused(stale, None);
        assert_eq!(throttle.stats().decreases, 1);
        assert_eq!(throttle.stats().rate_limited, 2);
        // One sent after it is: the rate decreases again.
        tokio::time::advance(Duration::from_millis(1)).await;
        let fresh = throttle.acquire().await;
        throttle.refused(fresh, None);
        let again = throttle.stats().rate.expect("paced");
        assert!((again - rate * 0.8).abs() < 0.01, "{again}");
    }

    #[tokio::test(start_paused = true)]
    async fn answers_increase_the_rate_additively_and_requests_keep_the_pace() {
        let throttle = Throttle::new(config(10));
        let ticket = throttle.acquire().await;
        throttle.refused(ticket, None);
        let start_rate = throttle.stats().rate.expect("paced");
        assert!((start_rate - 8.0).abs() < 0.01, "{start_rate}");
        let start = Instant::now();
        let mut sent = 0_u32;
        while start.elapsed() < Duration::from_secs(10) {
            let ticket = throttle.acquire().await;
            throttle.answered(ticket);
            sent += 1;
        }
        let rate = throttle.stats().rate.expect("paced");
        // About +10/s every second: from 8/s to ~100/s in 10 s, not exponentially.
        assert!((90.0..=115.0).contains(&rate), "{rate}");
        // What was sent is the integral of the rate, give or take a request.
        assert!((500..=620).contains(&sent), "{sent}");
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_holds_every_request() {
        let throttle = Throttle::new(config(10));
        let ticket = throttle.acquire().await;
        let start = Instant::now();
        throttle.refused(ticket, Some(Duration::from_secs(3)));
        let next = throttle.acquire().await;
        assert!(start.elapsed() >= Duration::from_secs(3));
        throttle.answered(next);
    }

    #[tokio::test(start_paused = true)]
    async fn the_rate_stays_within_its_bounds() {
        let throttle = Throttle::new(ThrottleConfig {
            min_rate: 2.0,
            max_rate: 20.0,
            ..config(1)
        });
        for _ in 0..100 {
            let ticket = throttle.acquire().await;
            throttle.refused(ticket, None);
        }
        assert_eq!(throttle.stats().rate, Some(2.0));
        for _ in 0..10_000 {
            let ticket = throttle.acquire().await;
            throttle.answered(ticket);
        }
        assert_eq!(throttle.stats().rate, Some(20.0));
    }

    /// A server with Scaleway's kind of limit: a token bucket of `burst` refilled at `rate`/s;
    /// a refused request costs nothing.
    struct Bucket {
        rate: f64,
        burst: f64,
        tokens: f64,
        last: Instant,
    }

    impl Bucket {
        fn take(&mut self) -> bool {
            let now = Instant::now();
            self.tokens =
                (self.tokens + (now - self.last).as_secs_f64() * self.rate).min(self.burst);
            self.last = now;
            if self.tokens < 1.0 {
                return false;
            }
            self.tokens -= 1.0;
            true
        }
    }

    #[tokio::test(start_paused = true)]
    async fn under_a_token_bucket_limit_the_rate_is_used_and_refusals_are_few() {
        let throttle = Throttle::new(config(10));
        let bucket = Arc::new(Mutex::new(Bucket {
            rate: 100.0,
            burst: 20.0,
            tokens: 20.0,
            last: Instant::now(),
        }));
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for _ in 0..10 {
            let throttle = throttle.clone();
            let bucket = Arc::clone(&bucket);
            let done = Arc::clone(&done);
            tasks.spawn(async move {
                // Each worker sends requests until 1,000 went through, 1 ms each.
                while done.load(std::sync::atomic::Ordering::SeqCst) < 1000 {
                    let ticket = throttle.acquire().await;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    let ok = bucket.lock().expect("bucket").take();
                    if ok {
                        done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        throttle.answered(ticket);
                    } else {
                        throttle.refused(ticket, None);
                    }
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        let elapsed = start.elapsed().as_secs_f64();
        let stats = throttle.stats();
        // The limit alone allows 1,000 in (1,000 − 20) / 100 = 9.8 s.
        assert!(elapsed <= 11.0, "{elapsed} s, {stats:?}");
        // Without pacing, ten workers at 1 ms would be refused ~9 times in 10.
        assert!(stats.rate_limited < 200, "{stats:?}");
    }
}
