//! The dependency graph: deterministic order, reverse order for deletes, and the DOT and
//! Mermaid exports through `scwform graph`.

use std::process::Command;

use scwform::graph::DependencyGraph;
use scwform::model::evaluate::{EvalOptions, NoPriorValues};
use scwform::model::load::{LoadOptions, load_path};

use crate::common;

fn graph_of(example: &str) -> (scwform::model::load::Loaded, DependencyGraph) {
    let options = LoadOptions {
        eval: EvalOptions {
            validate_only: true,
            ..EvalOptions::default()
        },
        ..LoadOptions::default()
    };
    let loaded = load_path(
        &common::repo_root().join("examples").join(example),
        &options,
        &NoPriorValues,
    );
    assert!(!loaded.diagnostics.has_errors(), "{:?}", loaded.diagnostics);
    let graph = DependencyGraph::new(&loaded.config);
    (loaded, graph)
}

#[test]
fn quickstart_order_creates_dependencies_first() {
    let (_, graph) = graph_of("quickstart");
    let order: Vec<String> = graph
        .order()
        .expect("acyclic")
        .iter()
        .map(ToString::to_string)
        .collect();
    insta::assert_snapshot!(order.join("\n"), @r"
    scaleway_account_project.quickstart
    scaleway_cockpit_token.metrics
    scaleway_container_namespace.apps
    scaleway_container.hello
    scaleway_container_token.hello
    scaleway_container_token.namespace
    ");
    let reverse: Vec<String> = graph
        .reverse_order()
        .expect("acyclic")
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut expected = order.clone();
    expected.reverse();
    assert_eq!(reverse, expected);
}

#[test]
fn every_dependency_comes_before_its_dependents() {
    let (loaded, graph) = graph_of("environments");
    let order = graph.order().expect("acyclic");
    let position =
        |a: &scwform::model::InstanceAddr| order.iter().position(|x| *x == a).expect("in order");
    for addr in loaded.config.instances.keys() {
        for dep in graph.dependencies(addr) {
            assert!(position(dep) < position(addr), "{dep} after {addr}");
        }
    }
    assert_eq!(order.len(), 8);
}

fn run_graph(args: &[&str]) -> (i32, String) {
    let out = Command::new(common::scwform_bin())
        .arg("graph")
        .args(args)
        .output()
        .expect("scwform runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn graph_prints_dot_by_default() {
    let dir = common::repo_root().join("examples/quickstart");
    let (code, stdout) = run_graph(&[dir.to_str().expect("utf-8")]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("graph_quickstart_dot", stdout);
}

#[test]
fn graph_prints_mermaid_on_request() {
    let dir = common::repo_root().join("examples/quickstart");
    let (code, stdout) = run_graph(&["--format", "mermaid", dir.to_str().expect("utf-8")]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("graph_quickstart_mermaid", stdout);
}

#[test]
fn graph_refuses_invalid_configurations() {
    let file = common::repo_root().join("tests/fixtures/errors/cycle.tf");
    let (code, stdout) = run_graph(&[file.to_str().expect("utf-8")]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
}
