//! Local modules beyond what the differential suite (`tests/fixtures/values/modules/`) shows:
//! sources that are not local are refused without any fetch, naming the source and its kind;
//! loops of calls and unreadable directories are diagnostics, not hangs or panics; a directory
//! called several times is read once; a run evaluates what it read at its start.

use std::path::Path;

use scwform::diag::Severity;
use scwform::model::evaluate::NoPriorValues;
use scwform::model::load::{LoadOptions, Loaded, load_path};

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create dir");
        std::fs::write(path, text).expect("write file");
    }
}

fn load(files: &[(&str, &str)]) -> (tempfile::TempDir, Loaded) {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), files);
    let loaded = load_path(dir.path(), &LoadOptions::default(), &NoPriorValues);
    (dir, loaded)
}

/// The errors' (code, summary, detail).
fn errors(loaded: &Loaded) -> Vec<(&str, &str, String)> {
    loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            (
                d.code,
                d.summary.as_str(),
                d.detail.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn sources_that_are_not_local_paths_are_refused_by_name_and_kind() {
    for (source, kind) in [
        ("terraform-aws-modules/vpc/aws", "a module registry address"),
        (
            "app.terraform.io/example/vpc/aws",
            "a module registry address",
        ),
        ("github.com/example/module", "a GitHub repository"),
        ("git::https://example.com/module.git", "a Git repository"),
        ("git@github.com:example/module.git", "a GitHub repository"),
        ("https://example.com/module.zip", "an HTTP URL"),
        (
            "s3::https://s3.amazonaws.com/bucket/module.zip",
            "an Amazon S3 bucket",
        ),
        (
            "gcs::https://www.googleapis.com/storage/v1/module",
            "a Google Cloud Storage bucket",
        ),
        ("bitbucket.org/example/module", "a Bitbucket repository"),
        ("/opt/modules/app", "an absolute path"),
    ] {
        let text =
            format!("module \"m\" {{\n  source = \"{source}\"\n}}\noutput \"o\" {{ value = 1 }}\n");
        let (_dir, loaded) = load(&[("main.tf", &text)]);
        let errors = errors(&loaded);
        assert!(
            errors.iter().any(
                |(code, summary, detail)| *code == "scw::model::module_source"
                    && *summary == "Unsupported module source"
                    && detail.contains(&format!("\"{source}\""))
                    && detail.contains(kind)
                    && detail.contains("never downloads")
            ),
            "{source}: {errors:?}"
        );
    }
}

#[test]
fn a_module_calling_itself_is_refused() {
    let (_dir, loaded) = load(&[
        ("main.tf", "module \"a\" {\n  source = \"./a\"\n}\n"),
        ("a/main.tf", "module \"b\" {\n  source = \"../b\"\n}\n"),
        ("b/main.tf", "module \"a\" {\n  source = \"../a\"\n}\n"),
    ]);
    let errors = errors(&loaded);
    assert!(
        errors
            .iter()
            .any(|(code, summary, _)| *code == "scw::model::module_cycle"
                && *summary == "Module calls itself"),
        "{errors:?}"
    );
}

#[test]
fn a_missing_or_empty_module_directory_is_a_diagnostic() {
    let (_dir, loaded) = load(&[
        (
            "main.tf",
            "module \"gone\" {\n  source = \"./nowhere\"\n}\nmodule \"empty\" {\n  source = \"./empty\"\n}\n",
        ),
        ("empty/README", "no configuration here"),
    ]);
    let errors = errors(&loaded);
    let unreadable: Vec<&String> = errors
        .iter()
        .filter(|(code, _, _)| *code == "scw::model::module_unreadable")
        .map(|(_, _, detail)| detail)
        .collect();
    assert_eq!(unreadable.len(), 2, "{errors:?}");
    assert!(unreadable.iter().any(|d| d.contains("\"gone\"")));
    assert!(
        unreadable
            .iter()
            .any(|d| d.contains("\"empty\"") && d.contains("no .tf or .tf.json files"))
    );
}

#[test]
fn a_directory_called_several_times_is_read_once() {
    let module = "variable \"v\" {}\noutput \"v\" { value = var.v }\n";
    let (_dir, loaded) = load(&[
        (
            "main.tf",
            "module \"a\" {\n  source = \"./m\"\n  v = 1\n}\nmodule \"b\" {\n  source = \"./m/\"\n  v = 2\n}\nmodule \"c\" {\n  source = \"./n\"\n}\noutput \"o\" { value = [module.a.v, module.b.v, module.c.v] }\n",
        ),
        ("m/main.tf", module),
        (
            "n/main.tf",
            "module \"again\" {\n  source = \"../m\"\n  v = 3\n}\noutput \"v\" { value = module.again.v }\n",
        ),
    ]);
    assert!(!loaded.diagnostics.has_errors(), "{:?}", loaded.diagnostics);
    let reads_of_m = loaded
        .sources
        .files()
        .filter(|(_, f)| f.name.ends_with("m/main.tf") && !f.name.ends_with("n/main.tf"))
        .count();
    assert_eq!(reads_of_m, 1, "m/main.tf is read and parsed once");
    assert_eq!(loaded.files.len(), 3, "one syntax tree per file");
    let o = &loaded.config.outputs["o"].value;
    assert_eq!(o.to_json(), serde_json::json!([1, 2, 3]));
}

/// What `scwform plan` and `apply` evaluate, again and again during one run (the planner, then
/// the executor once per step), is the configuration as it was read at the start: an edit of
/// a root file, a called module's file or a variables file during the run is not seen.
#[test]
fn the_configuration_of_a_run_is_read_once() {
    use scwform::cli::session::config_input;
    use scwform::model::load::parse_path;
    use scwform::plan::ConfigInput;
    use std::sync::Arc;

    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        &[
            (
                "main.tf",
                "variable \"n\" {}\nmodule \"m\" {\n  source = \"./m\"\n  v = var.n\n}\noutput \"o\" { value = \"root ${module.m.v}\" }\n",
            ),
            (
                "m/main.tf",
                "variable \"v\" {}\noutput \"v\" { value = \"m ${var.v}\" }\n",
            ),
            ("terraform.tfvars", "n = 1\n"),
        ],
    );
    let options = LoadOptions::default();
    let input = config_input(Arc::new(parse_path(dir.path(), &options)), &options);
    let output = |input: &dyn ConfigInput| {
        let (config, diags) = input.evaluate(&NoPriorValues);
        assert!(!diags.has_errors(), "{diags:?}");
        config.outputs["o"].value.to_json()
    };
    assert_eq!(output(&*input), serde_json::json!("root m 1"));
    write(
        dir.path(),
        &[
            (
                "main.tf",
                "variable \"n\" {}\nmodule \"m\" {\n  source = \"./m\"\n  v = var.n\n}\noutput \"o\" { value = \"edited ${module.m.v}\" }\n",
            ),
            (
                "m/main.tf",
                "variable \"v\" {}\noutput \"v\" { value = \"edited ${var.v}\" }\n",
            ),
            ("terraform.tfvars", "n = 2\n"),
        ],
    );
    assert_eq!(
        output(&*input),
        serde_json::json!("root m 1"),
        "the run's evaluations use what was read at its start"
    );
    let fresh = config_input(Arc::new(parse_path(dir.path(), &options)), &options);
    assert_eq!(output(&*fresh), serde_json::json!("edited edited 2"));
}

#[test]
fn a_computed_source_is_one_error_not_two() {
    let (_dir, loaded) = load(&[
        ("main.tf", "module \"a\" {\n  source = \"./${\"m\"}\"\n}\n"),
        ("m/main.tf", "output \"o\" { value = 1 }\n"),
    ]);
    let errors = errors(&loaded);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "scw::model::module_source");
    assert_eq!(errors[0].1, "Invalid module source");
}
