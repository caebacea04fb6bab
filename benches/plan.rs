//! Planner and renderer benchmarks over generated configurations of N resources (the mix of
//! `gen_tf.py`: projects, cockpit tokens, container namespaces and container tokens, each
//! referring to an earlier object).
//!
//! Run: `cargo bench --bench plan`.

#![allow(missing_docs, clippy::format_push_string)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use scwform::model::config::Config;
use scwform::model::evaluate::ResourceValues;
use scwform::model::load::{LoadOptions, load_texts};
use scwform::plan::{Plan, PlanOptions, plan};
use scwform::render::{self, TextOptions};
use scwform::state::{InstanceState, Lineage, State};

fn config(n: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        let kind = i % 20;
        if i == 0 || kind < 3 {
            text.push_str(&format!(
                "resource \"scaleway_account_project\" \"p{i}\" {{\n  name = \"p{i}\"\n}}\n"
            ));
        } else if i == 1 || kind < 9 {
            let p = (i / 20) * 20;
            text.push_str(&format!("resource \"scaleway_container_namespace\" \"n{i}\" {{\n  project_id = scaleway_account_project.p{p}.id\n  name = \"n{i}\"\n}}\n"));
        } else if kind < 14 {
            let p = (i / 20) * 20;
            text.push_str(&format!("resource \"scaleway_cockpit_token\" \"t{i}\" {{\n  project_id = scaleway_account_project.p{p}.id\n  name = \"tok{i}\"\n}}\n"));
        } else {
            let ns = (i / 20) * 20 + 3;
            let ns = if ns < i { ns } else { 1 };
            text.push_str(&format!("resource \"scaleway_container_token\" \"k{i}\" {{\n  namespace_id = scaleway_container_namespace.n{ns}.id\n  description = \"k{i}\"\n}}\n"));
        }
    }
    text
}

fn run(text: &str, prior: &State) -> Plan {
    let input = |values: &dyn ResourceValues| -> (Config, scwform::diag::Diagnostics) {
        let loaded = load_texts(
            vec![("main.tf".to_owned(), text.to_owned())],
            &LoadOptions::default(),
            values,
        );
        (loaded.config, loaded.diagnostics)
    };
    let options = PlanOptions {
        refresh: true,
        ..PlanOptions::default()
    };
    plan(&input, prior, prior, &options).expect("the generated configuration is valid")
}

/// A state holding every planned object, unknowns filled with placeholders.
fn state_of(p: &Plan) -> State {
    let mut state = State::new(Lineage("bench".into()));
    for (i, c) in p.changes.iter().enumerate() {
        let mut attrs = BTreeMap::new();
        if let Some(after) = c.after.as_ref().and_then(|a| a.as_object()) {
            for (k, v) in after {
                let json = if v.is_unknown() {
                    serde_json::Value::String(format!("fr-par/{i:08}-0000-0000-0000-000000000000"))
                } else {
                    v.to_json()
                };
                attrs.insert(k.clone(), json);
            }
        }
        state.set_instance(&c.addr, InstanceState::new(attrs));
    }
    state
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    group.sample_size(10);
    for n in [1_000usize, 10_000] {
        let text = config(n);
        let empty = State::new(Lineage("bench".into()));
        group.bench_with_input(BenchmarkId::new("create", n), &text, |b, text| {
            b.iter(|| black_box(run(text, &empty)));
        });
        let created = run(&text, &empty);
        let state = state_of(&created);
        group.bench_with_input(BenchmarkId::new("delete_all", n), &state, |b, state| {
            b.iter(|| black_box(run("", state)));
        });
        group.bench_with_input(BenchmarkId::new("render_text", n), &created, |b, p| {
            b.iter(|| black_box(render::text::render(p, &TextOptions::default())));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
