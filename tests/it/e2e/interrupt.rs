//! Ctrl-C end to end: the `scwform apply` binary interrupted by SIGINT while API calls are in
//! flight (the emulator answers every request after a fixed latency), then run again.
//!
//! The tests wait for evidence on stderr (`Creating...` lines, the interrupt message) before each
//! signal, never for a fixed time, so that a slow machine only makes them slower.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::STATE;
use super::harness::{Api, Workdir};

/// Tokens in the configuration: independent of each other, so at `--parallelism 2` the apply
/// takes ten rounds of calls.
const TOKENS: usize = 20;

fn tokens_config() -> String {
    format!(
        "resource \"scaleway_cockpit_token\" \"t\" {{\n  count = {TOKENS}\n  name  = \"tok-${{count.index}}\"\n}}\n"
    )
}

fn is_creating(line: &str) -> bool {
    line.ends_with(": Creating...")
}

fn is_created(line: &str) -> bool {
    line.contains(": Creation complete after ")
}

fn is_interrupt(line: &str) -> bool {
    line.starts_with("Interrupt received.")
}

/// `text` with every run of whitespace made one space, so that a diagnostic wrapped at the
/// terminal width still contains its sentences.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The address at the start of a progress line.
fn addr(line: &str) -> &str {
    line.split_once(": ").map_or(line, |(a, _)| a)
}

/// The token IDs (UUIDs, no region) the emulator holds.
fn emulator_tokens(api: &Api) -> BTreeSet<String> {
    let store = api.store();
    let table = &store["cockpit_tokens"];
    table
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// The token IDs (UUIDs, no region) the state records; asserts that the state file is valid
/// Terraform state v4 JSON.
fn state_tokens(w: &Workdir) -> BTreeSet<String> {
    let state = w.state(STATE);
    assert_eq!(state["version"], 4, "{state:#}");
    let mut out = BTreeSet::new();
    for r in state["resources"].as_array().expect("resources") {
        assert_eq!(r["type"], "scaleway_cockpit_token", "{state:#}");
        for i in r["instances"].as_array().expect("instances") {
            let id = i["attributes"]["id"].as_str().expect("an id");
            let uuid = id.strip_prefix("fr-par/").expect("a regional id");
            assert!(out.insert(uuid.to_owned()), "{id} recorded twice");
        }
    }
    out
}

fn creates(requests: &[String]) -> usize {
    requests
        .iter()
        .filter(|r| *r == "POST /cockpit/v1/regions/fr-par/tokens")
        .count()
}

#[test]
fn one_interrupt_finishes_the_calls_in_flight_records_them_and_starts_nothing_new() {
    let api = Api::start();
    let w = Workdir::new();
    w.write(&tokens_config());
    api.faults(json!({"latency_ms": 300}));
    api.take_requests();
    let mut run = api.spawn(&w, &["apply", "--auto-approve", "--parallelism", "2"]);
    // The second round of calls has started (so the first round is recorded): interrupt while
    // those calls are in flight.
    run.wait_for_nth(4, is_creating);
    run.interrupt();
    run.wait_for_nth(1, is_interrupt);
    let run = run.finish();
    run.expect(130);
    let lines: Vec<&str> = run.stderr.lines().collect();
    let interrupted_at = lines
        .iter()
        .position(|l| is_interrupt(l))
        .expect("the interrupt line");
    assert!(
        lines[interrupted_at].contains("Gracefully shutting down"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("Interrupted: the state records everything that finished."),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Apply complete!"), "{}", run.stderr);

    // Every call that started finished, and nothing started once the interrupt was received.
    let creating: BTreeSet<&str> = lines
        .iter()
        .filter(|l| is_creating(l))
        .map(|l| addr(l))
        .collect();
    let created: BTreeSet<&str> = lines
        .iter()
        .filter(|l| is_created(l))
        .map(|l| addr(l))
        .collect();
    assert_eq!(creating, created, "{}", run.stderr);
    assert!(
        creating.len() >= 4 && creating.len() < TOKENS,
        "{}",
        run.stderr
    );
    assert!(
        !lines[interrupted_at..].iter().any(|l| is_creating(l)),
        "a call started after the interrupt:\n{}",
        run.stderr
    );
    assert!(
        lines[interrupted_at..].iter().any(|l| is_created(l)),
        "the calls in flight were waited for:\n{}",
        run.stderr
    );
    assert_eq!(creates(&api.take_requests()), creating.len());

    // The state is valid and records exactly what the emulator holds; no intent is left open.
    api.wait_idle();
    let recorded = state_tokens(&w);
    assert_eq!(recorded.len(), creating.len());
    assert_eq!(recorded, emulator_tokens(&api));
    assert!(!w.path().join(format!("{STATE}.journal")).exists());

    // The next apply creates the rest.
    api.faults(json!({}));
    let again = api.run(&w, &["apply", "--auto-approve"]);
    again.expect(0);
    assert!(
        again.stderr.contains(&format!(
            "Apply complete! Resources: {} added, 0 changed, 0 destroyed.",
            TOKENS - recorded.len()
        )),
        "{}",
        again.stderr
    );
    let recorded = state_tokens(&w);
    assert_eq!(recorded.len(), TOKENS);
    assert_eq!(recorded, emulator_tokens(&api));
    api.run(&w, &["plan", "--detailed-exitcode"]).expect(0);
}

#[test]
fn two_interrupts_exit_at_once_and_the_next_run_adopts_what_the_abandoned_calls_created() {
    // Long enough that the calls in flight cannot finish before the process exits.
    const LATENCY: Duration = Duration::from_secs(4);
    let api = Api::start();
    let w = Workdir::new();
    w.write(&tokens_config());
    api.faults(json!({"latency_ms": LATENCY.as_millis()}));
    let mut run = api.spawn(&w, &["apply", "--auto-approve", "--parallelism", "2"]);
    run.wait_for_nth(2, is_creating);
    // Both calls were sent after their line was printed, so neither can end before this + LATENCY.
    let in_flight_since = Instant::now();
    run.interrupt();
    run.wait_for_nth(1, is_interrupt);
    run.interrupt();
    let run = run.finish();
    let exited_after = in_flight_since.elapsed();
    run.expect(130);
    assert!(
        exited_after < LATENCY,
        "the run waited for the calls in flight ({exited_after:?}):\n{}",
        run.stderr
    );
    let lines: Vec<&str> = run.stderr.lines().collect();
    let abandoned: BTreeSet<&str> = lines
        .iter()
        .filter(|l| is_creating(l))
        .map(|l| addr(l))
        .collect();
    assert_eq!(abandoned.len(), 2, "{}", run.stderr);
    assert!(!lines.iter().any(|l| is_created(l)), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Two interrupts received. Exiting immediately"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Operations abandoned while running"),
        "{}",
        run.stderr
    );
    let said = flat(&run.stderr);
    let waited_for = said
        .split_once("The run stopped waiting for: ")
        .and_then(|(_, rest)| rest.split_once(". "))
        .map(|(list, _)| list)
        .expect("the abandoned operations are named");
    let named: BTreeSet<&str> = waited_for.split(", ").collect();
    assert_eq!(named, abandoned, "{}", run.stderr);

    // The state is valid and records nothing; the journal keeps the two open intents.
    assert!(state_tokens(&w).is_empty());
    let journal = std::fs::read_to_string(w.path().join(format!("{STATE}.journal")))
        .expect("the journal is kept");
    let intents: Vec<Value> = journal
        .lines()
        .map(|l| serde_json::from_str(l).expect("journal line"))
        .collect();
    assert_eq!(intents.len(), 2, "{journal}");
    assert!(intents.iter().all(|e| e["entry"] == "intent"), "{journal}");

    // The emulator carries the abandoned calls out, as the real API would.
    api.wait_idle();
    let orphans = emulator_tokens(&api);
    assert_eq!(orphans.len(), 2);

    // The next run reports them from the journal and adopts them, then creates the rest.
    api.faults(json!({}));
    let again = api.run(&w, &["apply", "--auto-approve"]);
    again.expect(0);
    assert!(
        again
            .stderr
            .contains("An earlier run may have left an object behind"),
        "{}",
        again.stderr
    );
    let said = flat(&again.stderr);
    for a in &abandoned {
        assert!(
            said.contains(&format!("{a}: adopted the object [id=fr-par/")),
            "{a} is adopted:\n{}",
            again.stderr
        );
    }
    assert!(
        again.stderr.contains(&format!(
            "Apply complete! Resources: {} added, 0 changed, 0 destroyed.",
            TOKENS - 2
        )),
        "{}",
        again.stderr
    );
    let recorded = state_tokens(&w);
    assert_eq!(recorded.len(), TOKENS, "{}", again.stderr);
    assert!(orphans.is_subset(&recorded), "{}", again.stderr);
    assert_eq!(recorded, emulator_tokens(&api));
    assert!(!w.path().join(format!("{STATE}.journal")).exists());
    api.run(&w, &["plan", "--detailed-exitcode"]).expect(0);
}
