//! Snapshots of the three plan renderings (text, JSON, Markdown) for each planner scenario of
//! `plan.rs`, and the rule that no rendering ever contains a secret value.

use scwform::plan::Plan;
use scwform::render::{self, JsonInput, MarkdownInput, TextOptions};
use scwform::state::State;

use crate::plan::{
    SECRETS, applied_state, create_scenario, delete_scenario, deposed_scenario, deposed_state,
    destroy_scenario, drift_scenario, empty_state, no_changes_scenario, outputs_scenario,
    replace_scenario, sensitive_scenario, update_scenario,
};

const TIMESTAMP: &str = "2026-01-01T00:00:00Z";

fn text(plan: &Plan) -> String {
    render::text::render(plan, &TextOptions::default())
}

fn json(plan: &Plan, prior: &State) -> String {
    let value = render::json::render(
        plan,
        &JsonInput {
            prior,
            timestamp: TIMESTAMP,
        },
    );
    serde_json::to_string_pretty(&value).expect("JSON values serialise")
}

fn markdown(plan: &Plan) -> String {
    let digest = render::plan_digest(
        &[("main.tf".to_owned(), crate::plan::quickstart())],
        "2b4b1c9e-7c0c-4f5e-9a53-3f1de6c2a001",
        7,
    );
    render::markdown::render(
        plan,
        &MarkdownInput {
            digest: Some(digest),
            ..MarkdownInput::default()
        },
    )
}

/// Snapshots all three renderings of one scenario.
macro_rules! scenario {
    ($name:ident, $plan:expr, $prior:expr) => {
        #[test]
        fn $name() {
            let plan = $plan;
            let prior = $prior;
            insta::assert_snapshot!(concat!(stringify!($name), "_text"), text(&plan));
            insta::assert_snapshot!(concat!(stringify!($name), "_json"), json(&plan, &prior));
            insta::assert_snapshot!(concat!(stringify!($name), "_markdown"), markdown(&plan));
        }
    };
}

scenario!(create_quickstart, create_scenario(), empty_state());
scenario!(update_in_place, update_scenario(), applied_state());
scenario!(replace_forced, replace_scenario(), applied_state());
scenario!(delete_removed, delete_scenario(), applied_state());
scenario!(drift, drift_scenario(), applied_state());
scenario!(destroy, destroy_scenario(), applied_state());
scenario!(no_changes, no_changes_scenario(), applied_state());
scenario!(outputs_only, outputs_scenario(), applied_state());
scenario!(sensitive_values, sensitive_scenario(), applied_state());
scenario!(deposed_object, deposed_scenario(), deposed_state());

#[test]
fn no_rendering_contains_a_secret() {
    let prior = applied_state();
    for plan in [
        create_scenario(),
        update_scenario(),
        replace_scenario(),
        delete_scenario(),
        drift_scenario(),
        destroy_scenario(),
        outputs_scenario(),
        sensitive_scenario(),
        deposed_scenario(),
    ] {
        for rendered in [
            text(&plan),
            json(&plan, &prior),
            json(&plan, &deposed_state()),
            markdown(&plan),
        ] {
            for secret in SECRETS {
                assert!(
                    !rendered.contains(secret),
                    "{secret} appears in:\n{rendered}"
                );
            }
        }
    }
}

#[test]
fn text_lines_of_prose_fit_in_78_columns() {
    for plan in [create_scenario(), drift_scenario(), no_changes_scenario()] {
        let t = text(&plan);
        for line in t
            .lines()
            .filter(|l| !l.starts_with(' ') && !l.starts_with(['+', '-', '~']))
        {
            assert!(line.chars().count() <= 78, "{line}");
        }
    }
}

#[test]
fn markdown_degrades_under_a_small_budget_without_cutting_blocks() {
    let plan = create_scenario();
    let full = markdown(&plan);
    let budget = full.len() / 2;
    let small = render::markdown::render(
        &plan,
        &MarkdownInput {
            digest: None,
            budget,
            ..MarkdownInput::default()
        },
    );
    assert!(small.chars().count() <= budget, "{small}");
    assert!(small.contains("left out to stay within GitHub's comment size limit"));
    // Every opened details section and fence is closed.
    assert_eq!(
        small.matches("<details>").count(),
        small.matches("</details>").count()
    );
    assert_eq!(small.matches("```").count() % 2, 0);
    // Destructive-first ordering and the summary survive.
    assert!(small.starts_with("## Plan: 6 to add, 0 to change, 0 to destroy"));
}
