//! The Terraform provider's acceptance steps for container health checks and probes
//! (`TestAccContainer_HealthCheck`, `TestAccContainer_Probes` in
//! `internal/services/container/container_test.go`), run against the emulator through the
//! binary. Configurations are written here from each test's intent. As the provider's test
//! framework does, every step applies its configuration, checks the recorded attributes, then
//! plans again and requires no change (the step converges).

use serde_json::Value;

use crate::e2e::harness::{Workdir, attributes};

const STATE: &str = ".scwform/sandbox.tfstate";
const IMAGE: &str = "nginx:1.29.4-alpine";

/// `resource.TestCheckResourceAttr`: the flattened `path` (`liveness_probe.0.http.0.path`,
/// `health_check.#`) of the container's recorded attributes has this value.
fn flat(attrs: &Value, path: &str) -> Option<String> {
    let mut at = attrs;
    let steps: Vec<&str> = path.split('.').collect();
    for (i, step) in steps.iter().enumerate() {
        if *step == "#" && i + 1 == steps.len() {
            return Some(at.as_array().map_or(0, Vec::len).to_string());
        }
        at = match step.parse::<usize>() {
            Ok(n) => at.as_array()?.get(n)?,
            Err(_) => at.get(step)?,
        };
    }
    match at {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// One step: apply `config`, check `(path, value)` pairs (`None`: no such attribute, as
/// `TestCheckNoResourceAttr`), then require an empty plan.
fn step(w: &Workdir, name: &str, config: &str, checks: &[(&str, Option<&str>)]) {
    w.write(config);
    let applied = w.sandbox(&["apply", "--auto-approve"]);
    assert_eq!(applied.code, 0, "{name}: apply\n{}", applied.all());
    let state = w.state(STATE);
    let container = attributes(&state, "scaleway_container", "main")
        .unwrap_or_else(|| panic!("{name}: recorded"));
    for (path, expected) in checks {
        assert_eq!(
            flat(&container, path).as_deref(),
            *expected,
            "{name}: {path} in {container:#}"
        );
    }
    let again = w.sandbox(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        again.code,
        0,
        "{name}: the step does not converge\n{}",
        again.all()
    );
}

fn config(namespace: &str, container_body: &str) -> String {
    format!(
        r#"
resource "scaleway_container_namespace" "main" {{
  name = "{namespace}"
}}

resource "scaleway_container" "main" {{
  namespace_id = scaleway_container_namespace.main.id
  image        = "{IMAGE}"
  port         = 80
{container_body}
}}
"#
    )
}

// https://github.com/scwform/scwform/issues/9 (item 8): a `health_check` changed after
// creation was dropped (the computed `liveness_probe`, unchanged, hid it) while apply reported
// success, so the plan never converged.
#[test]
fn issue_9_provider_acceptance_health_check_steps_pass() {
    let w = Workdir::new();
    step(
        &w,
        "health check, step 1 (API defaults)",
        &config("tf-acctest-healthcheck", "  deploy = false"),
        &[
            ("health_check.#", Some("1")),
            ("health_check.0.failure_threshold", Some("30")),
            ("health_check.0.interval", Some("10s")),
            ("liveness_probe.#", Some("1")),
            ("liveness_probe.0.failure_threshold", Some("30")),
            ("liveness_probe.0.interval", Some("10s")),
            ("liveness_probe.0.timeout", Some("1s")),
        ],
    );
    step(
        &w,
        "health check, step 2 (health_check set after creation)",
        &config(
            "tf-acctest-healthcheck",
            r#"  deploy = false

  health_check {
    http {
      path = "/test"
    }
    failure_threshold = 40
    interval          = "12s"
  }"#,
        ),
        &[
            ("health_check.#", Some("1")),
            ("health_check.0.http.0.path", Some("/test")),
            ("health_check.0.failure_threshold", Some("40")),
            ("health_check.0.interval", Some("12s")),
            ("liveness_probe.#", Some("1")),
            ("liveness_probe.0.http.0.path", Some("/test")),
            ("liveness_probe.0.failure_threshold", Some("40")),
            ("liveness_probe.0.interval", Some("12s")),
            ("liveness_probe.0.timeout", Some("1s")),
        ],
    );
}

// https://github.com/scwform/scwform/issues/9 (item 9): probe durations written `"1m"` are
// recorded `"1m0s"` (Go's spelling, as the provider records them) and diffed forever.
#[test]
fn issue_9_provider_acceptance_probe_steps_pass() {
    let w = Workdir::new();
    step(
        &w,
        "probes, step 1",
        &config(
            "tf-acctest-probes",
            r#"
  startup_probe {
    failure_threshold = 5
    interval          = "15s"
    timeout           = "1m"
    tcp               = true
  }

  liveness_probe {
    failure_threshold = 3
    interval          = "10s"
    timeout           = "30s"
    http {
      path = "/test"
    }
  }"#,
        ),
        &[
            ("startup_probe.0.failure_threshold", Some("5")),
            ("startup_probe.0.interval", Some("15s")),
            ("startup_probe.0.timeout", Some("1m0s")),
            ("startup_probe.0.tcp", Some("true")),
            ("startup_probe.0.http.0", None),
            ("liveness_probe.0.failure_threshold", Some("3")),
            ("liveness_probe.0.interval", Some("10s")),
            ("liveness_probe.0.timeout", Some("30s")),
            ("liveness_probe.0.http.0.path", Some("/test")),
            ("liveness_probe.0.tcp", Some("false")),
            ("health_check.#", Some("1")),
            ("health_check.0.failure_threshold", Some("3")),
            ("health_check.0.interval", Some("10s")),
            ("health_check.0.http.0.path", Some("/test")),
            ("health_check.0.tcp", Some("false")),
        ],
    );
    step(
        &w,
        "probes, step 2",
        &config(
            "tf-acctest-probes",
            r#"
  startup_probe {
    failure_threshold = 10
    interval          = "10s"
    timeout           = "15s"
    http {
      path = "/test"
    }
  }

  liveness_probe {
    failure_threshold = 5
    interval          = "10s"
    timeout           = "30s"
    tcp               = true
  }"#,
        ),
        &[
            ("startup_probe.0.failure_threshold", Some("10")),
            ("startup_probe.0.interval", Some("10s")),
            ("startup_probe.0.timeout", Some("15s")),
            ("startup_probe.0.http.0.path", Some("/test")),
            ("startup_probe.0.tcp", Some("false")),
            ("liveness_probe.0.failure_threshold", Some("5")),
            ("liveness_probe.0.interval", Some("10s")),
            ("liveness_probe.0.timeout", Some("30s")),
            ("liveness_probe.0.tcp", Some("true")),
            ("liveness_probe.0.http.0", None),
            ("health_check.#", Some("1")),
            ("health_check.0.failure_threshold", Some("5")),
            ("health_check.0.interval", Some("10s")),
            ("health_check.0.tcp", Some("true")),
            ("health_check.0.http.0", None),
        ],
    );
    // The same probes spelled differently (`"60s"` for the recorded `"1m0s"`) change nothing.
    let recorded = w.state(STATE);
    let spelled = config(
        "tf-acctest-probes",
        r#"
  startup_probe {
    failure_threshold = 10
    interval          = "0m10s"
    timeout           = "15000ms"
    http {
      path = "/test"
    }
  }

  liveness_probe {
    failure_threshold = 5
    interval          = "10s"
    timeout           = "0.5m"
    tcp               = true
  }"#,
    );
    w.write(&spelled);
    let plan = w.sandbox(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert_eq!(w.state(STATE)["serial"], recorded["serial"]);
}

// https://github.com/scwform/scwform/issues/9 (item 10): an unset optional string is recorded
// as the provider records it (`""`), so an interpolation of it works.
#[test]
fn issue_9_unset_optional_strings_are_recorded_as_the_provider_records_them() {
    let w = Workdir::new();
    w.write(
        r#"
resource "scaleway_account_project" "p" {
  name = "empties"
}

resource "scaleway_container_namespace" "ns" {
  name       = "empties"
  project_id = scaleway_account_project.p.id
}

resource "scaleway_container" "c" {
  namespace_id = scaleway_container_namespace.ns.id
  image        = "nginx:latest"
}

resource "scaleway_container_token" "t" {
  container_id = scaleway_container.c.id
}
"#,
    );
    w.sandbox(&["apply", "--auto-approve"]).expect(0);
    let state = w.state(STATE);
    for (type_name, name, attribute) in [
        ("scaleway_account_project", "p", "description"),
        ("scaleway_container_namespace", "ns", "description"),
        ("scaleway_container", "c", "description"),
        ("scaleway_container", "c", "private_network_id"),
        ("scaleway_container", "c", "error_message"),
        ("scaleway_container_token", "t", "description"),
        ("scaleway_container_token", "t", "expires_at"),
        ("scaleway_container_token", "t", "namespace_id"),
    ] {
        let attrs = attributes(&state, type_name, name).expect("recorded");
        assert_eq!(
            attrs[attribute],
            Value::String(String::new()),
            "{type_name}.{attribute}"
        );
    }
    // Interpolating them works, and nothing changes.
    let mut text = std::fs::read_to_string(w.path().join("main.tf")).expect("config");
    text.push_str(
        r#"
output "descriptions" {
  value = "[${scaleway_container_namespace.ns.description}|${scaleway_account_project.p.description}|${scaleway_container_token.t.expires_at}]"
}
"#,
    );
    w.write(&text);
    let applied = w.sandbox(&["apply", "--auto-approve"]);
    applied.expect(0);
    assert!(
        applied
            .all()
            .contains("Resources: 0 added, 0 changed, 0 destroyed"),
        "{}",
        applied.all()
    );
    let out = w.sandbox(&["output", "--raw", "descriptions"]);
    assert_eq!(out.stdout, "[||]", "{}", out.all());
    w.sandbox(&["plan", "--detailed-exitcode"]).expect(0);
}
