//! Apply throughput against the emulator with injected latency.
//!
//! Applies N independent Cockpit tokens (one POST each) through the real executor, API
//! mappings, coalescing state writer and journal, against the in-process emulator answering
//! every request after `LATENCY_MS`, at several `--parallelism` values, and prints the wall
//! time as a ratio to the bound `ceil(N / parallelism) × calls per token × latency`.
//!
//! Then (issue 15) the same apply against the emulator's rate limit (`RATE` requests/s per
//! key, burst `BURST`, no latency) at parallelism 10, with the CLI's loopback client (its
//! retry policy and throttle): the wall time as a ratio to `N / RATE`, failed operations, and
//! refusals the throttle absorbed (none reach the caller unless an operation fails).
//!
//! Run: `cargo bench --bench apply`
//! (environment: `N` = 1000, `LATENCY_MS` = 20, `PARALLELISM` = "10,50", `REPEAT` = 5: each
//! setting runs that many times, each against a fresh emulator and state, and the median
//! ratio is reported with the range; `RATE` = 100, `BURST` = 0 (the emulator's default: one
//! second's worth), `RATE=0` skips the rate-limited runs).

#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use scwform::api::client::{Client, ClientConfig};
use scwform::api::resources::{ApiContext, Defaults, WaitSettings};
use scwform::api::retry::RetryPolicy;
use scwform::api::throttle::ThrottleConfig;
use scwform::apply::events::Events;
use scwform::apply::journal::Journal;
use scwform::apply::writer::StateWriter;
use scwform::apply::{Apply, ApplyOptions, Cancel, SharedInput, api_lookup, apply};
use scwform::emulator::{Emulator, EmulatorConfig, FaultConfig, Settle};
use scwform::model::evaluate::ResourceValues;
use scwform::model::load::{LoadOptions, load_texts};
use scwform::plan::{PlanOptions, plan};
use scwform::state::backend::{BackendSpec, OpenOptions, open};
use scwform::state::{DEFAULT_WORKSPACE, State};

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The same number of token creations sent straight through the API client with the same
/// concurrency: what the machine and the emulator allow, with no planning, state or journal.
async fn raw_floor(cx: &Arc<ApiContext>, n: usize, parallelism: usize) -> Duration {
    let semaphore = Arc::new(tokio::sync::Semaphore::new(parallelism));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let cx = Arc::clone(cx);
        let semaphore = Arc::clone(&semaphore);
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let body = serde_json::json!({
                "project_id": cx.defaults.project_id.map(|p| p.to_string()),
                "name": format!("floor-{i}"),
                "token_scopes": ["write_only_metrics"],
            });
            let _: Result<serde_json::Value, _> = cx
                .client
                .post("/cockpit/v1/regions/fr-par/tokens", &body)
                .await;
        });
    }
    while tasks.join_next().await.is_some() {}
    started.elapsed()
}

fn main() {
    let n: usize = env("N", 1000);
    let latency_ms: u64 = env("LATENCY_MS", 20);
    let parallelisms: Vec<usize> = std::env::var("PARALLELISM")
        .unwrap_or_else(|_| "10,50".into())
        .split(',')
        .filter_map(|p| p.trim().parse().ok())
        .collect();
    let text = format!(
        "resource \"scaleway_cockpit_token\" \"t\" {{\n  count = {n}\n  name  = \"tok-${{count.index}}\"\n}}\n"
    );
    let calls_per_token = 1;
    let repeat: usize = env("REPEAT", 5);
    println!("apply: {n} cockpit tokens, {latency_ms} ms latency per request");
    for p in parallelisms {
        let mut ratios = Vec::new();
        let mut floors = Vec::new();
        for _ in 0..repeat.max(1) {
            let (ratio, floor) = run_once(&text, n, latency_ms, calls_per_token, p);
            ratios.push(ratio);
            floors.push(floor);
        }
        ratios.sort_by(f64::total_cmp);
        floors.sort_by(f64::total_cmp);
        println!(
            "parallelism {p:>3}: median ratio {:.3} (range {:.3}-{:.3}, {} runs); bare-client floor median {:.3}",
            ratios[ratios.len() / 2],
            ratios[0],
            ratios[ratios.len() - 1],
            ratios.len(),
            floors[floors.len() / 2],
        );
    }
    let rate: u32 = env("RATE", 100);
    let burst: u32 = env("BURST", 0);
    if rate > 0 {
        let mut ratios = Vec::new();
        for _ in 0..repeat.max(1) {
            ratios.push(run_limited(&text, n, rate, burst, 10));
        }
        ratios.sort_by(f64::total_cmp);
        println!(
            "rate limit {rate}/s (burst {}), parallelism 10: median ratio {:.3} to {n} / {rate} s (range {:.3}-{:.3}, {} runs)",
            if burst == 0 { rate } else { burst },
            ratios[ratios.len() / 2],
            ratios[0],
            ratios[ratios.len() - 1],
            ratios.len(),
        );
    }
}

/// One apply of `n` tokens at parallelism `p` against a fresh emulator limited to `rate`
/// requests/s (bucket `burst`), with the CLI's loopback client; returns the wall time's ratio
/// to `n / rate`.
fn run_limited(text: &str, n: usize, rate: u32, burst: u32, p: usize) -> f64 {
    let emulator = Emulator::start_blocking(EmulatorConfig {
        settle: Settle::Reads { reads: 1 },
        faults: FaultConfig {
            rate_limit: rate,
            rate_burst: burst,
            ..FaultConfig::default()
        },
        ..EmulatorConfig::default()
    })
    .expect("emulator starts");
    let handle = emulator.handle();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let backend = open(
        &BackendSpec::local("scwform.tfstate"),
        &OpenOptions::from_process(dir.path()),
    )
    .expect("local backend");
    let input: SharedInput = {
        let text = text.to_owned();
        Arc::new(move |values: &dyn ResourceValues| {
            let loaded = load_texts(
                vec![("main.tf".into(), text.clone())],
                &LoadOptions::default(),
                values,
            );
            (loaded.config, loaded.diagnostics)
        })
    };
    let empty = State::default();
    let planned = plan(&*input, &empty, &empty, &PlanOptions::default()).expect("plans");
    // What the CLI builds for an API on loopback (`session::client`).
    let client = Client::new(ClientConfig {
        retry: RetryPolicy::fast(),
        throttle: ThrottleConfig::with_parallelism(p),
        ..ClientConfig::new(
            handle.base_url(),
            Some(handle.secret_key().to_owned().into()),
        )
    })
    .expect("client");
    let mut cx = ApiContext::new(
        client,
        Defaults {
            organization_id: Some(handle.organization_id()),
            project_id: Some(handle.default_project_id()),
            region: "fr-par".into(),
        },
    );
    cx.waits = WaitSettings::fast();
    let cx = Arc::new(cx);
    let (elapsed, report) = rt.block_on(async {
        let writer = StateWriter::start(Arc::new(backend.store(DEFAULT_WORKSPACE)), empty.clone());
        let journal = Arc::new(Journal::start(
            backend.journal(DEFAULT_WORKSPACE).expect("journal"),
        ));
        let started = Instant::now();
        let report = apply(Apply {
            plan: &planned,
            input: Arc::clone(&input),
            cx: Arc::clone(&cx),
            lookup: api_lookup(),
            writer: &writer,
            journal: Some(journal),
            options: ApplyOptions {
                parallelism: p,
                heartbeat: Duration::from_secs(10),
            },
            events: Events::none(),
            cancel: Cancel::default(),
        })
        .await;
        let elapsed = started.elapsed();
        let (_, _, saved) = writer.finish().await;
        saved.expect("state saved");
        (elapsed, report)
    });
    let stats = cx.client.throttle_stats();
    let bound = f64::from(u32::try_from(n).unwrap_or(u32::MAX)) / f64::from(rate);
    let seen = report
        .failures
        .iter()
        .filter(|f| format!("{f:?}").contains("429"))
        .count();
    println!(
        "  rate limit {rate}/s: {:>7.3} s  bound {bound:.3} s  ratio {:.3}  ({} added, {} failed operations, {seen} 429s seen by the caller; {} HTTP requests, {} refusals absorbed by the throttle, {} decreases, final pace {})",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() / bound,
        report.added,
        report.failures.len(),
        cx.client.requests(),
        stats.rate_limited,
        stats.decreases,
        stats
            .rate
            .map_or_else(|| "unpaced".to_owned(), |r| format!("{r:.0}/s")),
    );
    assert!(report.failures.is_empty(), "{:?}", report.failures.first());
    assert_eq!(report.added, n);
    elapsed.as_secs_f64() / bound
}

/// One apply of `n` tokens at parallelism `p` against a fresh emulator; returns the ratio to
/// the bound and the bare client's ratio.
fn run_once(text: &str, n: usize, latency_ms: u64, calls_per_token: usize, p: usize) -> (f64, f64) {
    {
        let emulator = Emulator::start_blocking(EmulatorConfig {
            settle: Settle::Reads { reads: 1 },
            faults: FaultConfig {
                latency_ms,
                ..FaultConfig::default()
            },
            ..EmulatorConfig::default()
        })
        .expect("emulator starts");
        let handle = emulator.handle();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let dir = tempfile::tempdir().expect("temp dir");
        let backend = open(
            &BackendSpec::local("scwform.tfstate"),
            &OpenOptions::from_process(dir.path()),
        )
        .expect("local backend");
        let input: SharedInput = {
            let text = text.to_owned();
            Arc::new(move |values: &dyn ResourceValues| {
                let loaded = load_texts(
                    vec![("main.tf".into(), text.clone())],
                    &LoadOptions::default(),
                    values,
                );
                (loaded.config, loaded.diagnostics)
            })
        };
        let empty = State::default();
        let planned = plan(
            &*input,
            &empty,
            &empty,
            &PlanOptions {
                refresh: true,
                ..PlanOptions::default()
            },
        )
        .expect("plans");
        let client = Client::new(ClientConfig {
            throttle: ThrottleConfig::with_parallelism(p),
            ..ClientConfig::new(
                handle.base_url(),
                Some(handle.secret_key().to_owned().into()),
            )
        })
        .expect("client");
        let mut cx = ApiContext::new(
            client,
            Defaults {
                organization_id: Some(handle.organization_id()),
                project_id: Some(handle.default_project_id()),
                region: "fr-par".into(),
            },
        );
        cx.waits = WaitSettings::fast();
        let cx = Arc::new(cx);
        let (elapsed, report, stats) = rt.block_on(async {
            let writer =
                StateWriter::start(Arc::new(backend.store(DEFAULT_WORKSPACE)), empty.clone());
            let journal = Arc::new(Journal::start(
                backend.journal(DEFAULT_WORKSPACE).expect("journal"),
            ));
            let started = Instant::now();
            let report = apply(Apply {
                plan: &planned,
                input: Arc::clone(&input),
                cx: Arc::clone(&cx),
                lookup: api_lookup(),
                writer: &writer,
                journal: Some(journal),
                options: ApplyOptions {
                    parallelism: p,
                    heartbeat: Duration::from_secs(10),
                },
                events: Events::none(),
                cancel: Cancel::default(),
            })
            .await;
            let executed = started.elapsed();
            let (_, stats, saved) = writer.finish().await;
            println!(
                "  parallelism {p:>3}: operations done after {:.3} s, last save {:.3} s",
                executed.as_secs_f64(),
                started.elapsed().saturating_sub(executed).as_secs_f64()
            );
            let elapsed = started.elapsed();
            saved.expect("state saved");
            (elapsed, report, stats)
        });
        let floor = rt.block_on(raw_floor(&cx, n, p));
        let floor_ratio = floor.as_secs_f64()
            / (Duration::from_millis(latency_ms)
                * u32::try_from(n.div_ceil(p)).unwrap_or(u32::MAX))
            .as_secs_f64();
        println!(
            "  parallelism {p:>3}: floor (same POSTs through the bare client, no executor) {:.3} s, ratio {floor_ratio:.3}",
            floor.as_secs_f64(),
        );
        assert!(report.succeeded(), "{:?}", report.failures.first());
        assert_eq!(report.added, n);
        let waves = n.div_ceil(p);
        let bound = Duration::from_millis(latency_ms)
            * u32::try_from(waves * calls_per_token).unwrap_or(u32::MAX);
        println!(
            "  parallelism {p:>3}: {:>7.3} s  bound {:>6.3} s  ratio {:.3}  (state writes {}, saving {:.3} s, evaluations {})",
            elapsed.as_secs_f64(),
            bound.as_secs_f64(),
            elapsed.as_secs_f64() / bound.as_secs_f64(),
            stats.writes,
            stats.save_time.as_secs_f64(),
            report.evaluations,
        );
        (elapsed.as_secs_f64() / bound.as_secs_f64(), floor_ratio)
    }
}
