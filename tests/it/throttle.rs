//! Adaptive concurrency (issue 15): an apply against the emulator's rate limit, with the
//! client's throttle, completes with no failed operation and no refusal reaching the caller,
//! even with no retries at all for other errors.

use std::sync::Arc;
use std::time::Duration;

use scwform::api::client::{Client, ClientConfig};
use scwform::api::resources::{ApiContext, Defaults, WaitSettings};
use scwform::api::retry::RetryPolicy;
use scwform::api::throttle::ThrottleConfig;
use scwform::apply::events::Events;
use scwform::apply::writer::StateWriter;
use scwform::apply::{Apply, ApplyOptions, Cancel, SharedInput, api_lookup, apply};
use scwform::emulator::{Emulator, EmulatorConfig, FaultConfig, Settle};
use scwform::model::evaluate::ResourceValues;
use scwform::model::load::{LoadOptions, load_texts};
use scwform::plan::{PlanOptions, plan};
use scwform::state::backend::{BackendSpec, OpenOptions, open};
use scwform::state::{DEFAULT_WORKSPACE, State};

#[test]
fn issue_15_an_apply_under_the_rate_limit_completes_with_no_failure() {
    const TOKENS: usize = 120;
    let emulator = Emulator::start_blocking(EmulatorConfig {
        settle: Settle::Reads { reads: 0 },
        faults: FaultConfig {
            rate_limit: 40,
            rate_burst: 10,
            ..FaultConfig::default()
        },
        ..EmulatorConfig::default()
    })
    .expect("emulator starts");
    let handle = emulator.handle();
    let parallelism = 10;
    let client = Client::new(ClientConfig {
        // Nothing but the throttle stands between a refusal and a failed operation.
        retry: RetryPolicy::none(),
        throttle: ThrottleConfig::with_parallelism(parallelism),
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
    let text = format!(
        "resource \"scaleway_cockpit_token\" \"t\" {{\n  count = {TOKENS}\n  name  = \"tok-${{count.index}}\"\n}}\n"
    );
    let input: SharedInput = Arc::new(move |values: &dyn ResourceValues| {
        let loaded = load_texts(
            vec![("main.tf".into(), text.clone())],
            &LoadOptions::default(),
            values,
        );
        (loaded.config, loaded.diagnostics)
    });
    let empty = State::default();
    let planned = plan(&*input, &empty, &empty, &PlanOptions::default()).expect("plans");
    let dir = tempfile::tempdir().expect("temp dir");
    let backend = open(
        &BackendSpec::local("scwform.tfstate"),
        &OpenOptions::from_process(dir.path()),
    )
    .expect("local backend");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (report, state) = rt.block_on(async {
        let writer = StateWriter::start(Arc::new(backend.store(DEFAULT_WORKSPACE)), empty.clone());
        let report = apply(Apply {
            plan: &planned,
            input: Arc::clone(&input),
            cx: Arc::clone(&cx),
            lookup: api_lookup(),
            writer: &writer,
            journal: None,
            options: ApplyOptions {
                parallelism,
                heartbeat: Duration::from_secs(10),
            },
            events: Events::none(),
            cancel: Cancel::default(),
        })
        .await;
        let (state, _, saved) = writer.finish().await;
        saved.expect("state saved");
        (report, state)
    });
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.added, TOKENS);
    assert_eq!(state.addresses().len(), TOKENS);
    let throttled = cx.client.throttle_stats();
    assert!(
        throttled.rate_limited > 0,
        "the limit was reached (else this test proves nothing): {throttled:?}"
    );
    let rate = throttled.rate.expect("paced after the first refusal");
    assert!(
        rate < 100.0,
        "the pace came down towards 40/s: {throttled:?}"
    );
}
