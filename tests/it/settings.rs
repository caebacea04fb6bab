//! Settings resolution: every precedence layer, profiles, legacy variables, zone/region
//! inference and the errors a user sees.

use std::collections::BTreeMap;
use std::path::PathBuf;

use scwform::config::{ConfigFileSource, ProviderBlock, Resolved, SettingsError, Source, resolve};
use secrecy::ExposeSecret;

const FILE_SECRET: &str = "11111111-1111-1111-1111-111111111111";
const PROD_SECRET: &str = "22222222-2222-2222-2222-222222222222";
const PROVIDER_SECRET: &str = "33333333-3333-3333-3333-333333333333";
const ENV_SECRET: &str = "44444444-4444-4444-4444-444444444444";

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn file(contents: &str) -> ConfigFileSource {
    ConfigFileSource {
        path: PathBuf::from("/home/u/.config/scw/config.yaml"),
        contents: contents.to_owned(),
        mode: Some(0o600),
    }
}

const CONFIG: &str = "\
access_key: SCWFILEFILEFILEFILE0
secret_key: 11111111-1111-1111-1111-111111111111
default_organization_id: aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa
default_project_id: bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb
default_region: nl-ams
default_zone: nl-ams-2
profiles:
  prod:
    secret_key: 22222222-2222-2222-2222-222222222222
    default_region: pl-waw
    default_zone: pl-waw-1
  staging:
    default_project_id: cccccccc-cccc-cccc-cccc-cccccccccccc
";

fn ok(env: &BTreeMap<String, String>, f: Option<&ConfigFileSource>, p: &ProviderBlock) -> Resolved {
    match resolve(env, f, p) {
        Ok(r) => r,
        Err(e) => panic!("resolution failed: {:?}", e.errors),
    }
}

fn secret(r: &Resolved) -> &str {
    r.settings.secret_key.expose_secret()
}

#[test]
fn built_in_defaults_apply_when_nothing_else_is_set() {
    let r = ok(
        &env(&[("SCW_SECRET_KEY", ENV_SECRET)]),
        None,
        &ProviderBlock::default(),
    );
    assert_eq!(r.settings.region.as_str(), "fr-par");
    assert_eq!(r.settings.zone.as_str(), "fr-par-1");
    assert_eq!(r.settings.api_url, "https://api.scaleway.com");
    assert_eq!(r.settings.project_id, None);
    assert_eq!(r.sources["region"], Source::Default);
    assert!(r.warnings.is_empty());
}

#[test]
fn the_config_file_top_level_is_the_default_profile() {
    let f = file(CONFIG);
    let r = ok(&env(&[]), Some(&f), &ProviderBlock::default());
    assert_eq!(secret(&r), FILE_SECRET);
    assert_eq!(r.settings.region.as_str(), "nl-ams");
    assert_eq!(r.settings.zone.as_str(), "nl-ams-2");
    assert_eq!(
        r.settings.project_id.map(|p| p.to_string()).as_deref(),
        Some("bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb")
    );
    assert_eq!(r.settings.profile.as_deref(), Some("default"));
    assert!(
        matches!(&r.sources["secret_key"], Source::ConfigFile { profile, .. } if profile == "default")
    );
}

#[test]
fn active_profile_is_merged_over_the_top_level() {
    let f = file(&format!("active_profile: prod\n{CONFIG}"));
    let r = ok(&env(&[]), Some(&f), &ProviderBlock::default());
    assert_eq!(secret(&r), PROD_SECRET);
    assert_eq!(r.settings.region.as_str(), "pl-waw");
    // Inherited from the top level.
    assert_eq!(
        r.settings.access_key.as_deref(),
        Some("SCWFILEFILEFILEFILE0")
    );
    assert_eq!(
        r.settings.project_id.map(|p| p.to_string()).as_deref(),
        Some("bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb")
    );
    assert_eq!(r.settings.profile.as_deref(), Some("prod"));
}

#[test]
fn the_provider_profile_beats_active_profile() {
    let f = file(&format!("active_profile: prod\n{CONFIG}"));
    let provider = ProviderBlock {
        profile: Some("staging".into()),
        ..ProviderBlock::default()
    };
    let r = ok(&env(&[]), Some(&f), &provider);
    assert_eq!(r.settings.profile.as_deref(), Some("staging"));
    assert_eq!(
        r.settings.project_id.map(|p| p.to_string()).as_deref(),
        Some("cccccccc-cccc-cccc-cccc-cccccccccccc")
    );
    // `staging` inherits the top level's secret, which beats the active `prod`'s.
    assert_eq!(secret(&r), FILE_SECRET);
    let r = ok(
        &env(&[("SCW_PROFILE", "default")]),
        Some(&f),
        &ProviderBlock::default(),
    );
    assert_eq!(r.settings.profile.as_deref(), Some("default"));
    assert_eq!(secret(&r), FILE_SECRET);
}

/// Issue 9 item 12: with `profile = "prod"` in the provider block and `SCW_PROFILE=stage`, the
/// provider uses prod (`internal/meta/meta.go`: the active profile, chosen by `SCW_PROFILE`, is
/// the layer under the provider block's profile); `stage` only fills what prod leaves unset.
#[test]
fn issue_9_provider_block_profile_beats_scw_profile() {
    let f = file(
        "\
profiles:
  prod:
    secret_key: 22222222-2222-2222-2222-222222222222
    default_region: pl-waw
  stage:
    secret_key: 11111111-1111-1111-1111-111111111111
    default_region: nl-ams
    default_project_id: cccccccc-cccc-cccc-cccc-cccccccccccc
",
    );
    let provider = ProviderBlock {
        profile: Some("prod".into()),
        ..ProviderBlock::default()
    };
    let r = ok(&env(&[("SCW_PROFILE", "stage")]), Some(&f), &provider);
    assert_eq!(secret(&r), PROD_SECRET);
    assert_eq!(r.settings.region.as_str(), "pl-waw");
    assert_eq!(r.settings.profile.as_deref(), Some("prod"));
    assert!(
        matches!(&r.sources["secret_key"], Source::ConfigFile { profile, .. } if profile == "prod")
    );
    // What prod does not set comes from the active profile.
    assert_eq!(
        r.settings.project_id.map(|p| p.to_string()).as_deref(),
        Some("cccccccc-cccc-cccc-cccc-cccccccccccc")
    );
    assert!(
        matches!(&r.sources["project_id"], Source::ConfigFile { profile, .. } if profile == "stage")
    );
    // The environment still beats both.
    let r = ok(
        &env(&[("SCW_PROFILE", "stage"), ("SCW_SECRET_KEY", ENV_SECRET)]),
        Some(&f),
        &provider,
    );
    assert_eq!(secret(&r), ENV_SECRET);
}

#[test]
fn the_provider_block_beats_the_config_file() {
    let f = file(CONFIG);
    let provider = ProviderBlock {
        secret_key: Some(PROVIDER_SECRET.into()),
        region: Some("pl-waw".into()),
        zone: Some("pl-waw-2".into()),
        project_id: Some("dddddddd-dddd-dddd-dddd-dddddddddddd".into()),
        api_url: Some("http://127.0.0.1:8787/".into()),
        ..ProviderBlock::default()
    };
    let r = ok(&env(&[]), Some(&f), &provider);
    assert_eq!(secret(&r), PROVIDER_SECRET);
    assert_eq!(r.settings.region.as_str(), "pl-waw");
    assert_eq!(r.settings.zone.as_str(), "pl-waw-2");
    assert_eq!(
        r.settings.api_url, "http://127.0.0.1:8787",
        "trailing slash removed"
    );
    assert_eq!(r.sources["secret_key"], Source::ProviderBlock);
    // Not set in the block: still from the file.
    assert_eq!(
        r.settings.access_key.as_deref(),
        Some("SCWFILEFILEFILEFILE0")
    );
}

#[test]
fn environment_variables_beat_the_provider_block() {
    let f = file(CONFIG);
    let provider = ProviderBlock {
        secret_key: Some(PROVIDER_SECRET.into()),
        region: Some("pl-waw".into()),
        ..ProviderBlock::default()
    };
    let e = env(&[
        ("SCW_SECRET_KEY", ENV_SECRET),
        ("SCW_DEFAULT_REGION", "fr-par"),
        ("SCW_DEFAULT_ZONE", "fr-par-2"),
        (
            "SCW_DEFAULT_ORGANIZATION_ID",
            "eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee",
        ),
        ("SCW_API_URL", "https://api.example.test"),
    ]);
    let r = ok(&e, Some(&f), &provider);
    assert_eq!(secret(&r), ENV_SECRET);
    assert_eq!(r.settings.region.as_str(), "fr-par");
    assert_eq!(r.settings.zone.as_str(), "fr-par-2");
    assert_eq!(r.settings.api_url, "https://api.example.test");
    assert_eq!(
        r.settings.organization_id.map(|o| o.to_string()).as_deref(),
        Some("eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee")
    );
    assert_eq!(r.sources["secret_key"], Source::Env("SCW_SECRET_KEY"));
}

#[test]
fn empty_environment_variables_count_as_unset() {
    let e = env(&[("SCW_SECRET_KEY", ""), ("SCW_DEFAULT_REGION", " ")]);
    let provider = ProviderBlock {
        secret_key: Some(PROVIDER_SECRET.into()),
        ..ProviderBlock::default()
    };
    let r = ok(&e, None, &provider);
    assert_eq!(secret(&r), PROVIDER_SECRET);
    assert_eq!(r.settings.region.as_str(), "fr-par");
}

#[test]
fn legacy_variables_are_read_when_the_current_ones_are_unset() {
    let e = env(&[
        ("SCW_TOKEN", ENV_SECRET),
        ("SCW_ORGANIZATION", "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"),
        ("SCALEWAY_REGION", "ams1"),
    ]);
    let r = ok(&e, None, &ProviderBlock::default());
    assert_eq!(secret(&r), ENV_SECRET);
    assert_eq!(r.sources["secret_key"], Source::Env("SCW_TOKEN"));
    assert_eq!(
        r.settings.region.as_str(),
        "nl-ams",
        "legacy alias rewritten"
    );
    assert_eq!(r.sources["region"], Source::Env("SCALEWAY_REGION"));
    assert!(r.settings.organization_id.is_some());

    let e = env(&[
        ("SCALEWAY_TOKEN", ENV_SECRET),
        ("SCW_SECRET_KEY", PROD_SECRET),
    ]);
    let r = ok(&e, None, &ProviderBlock::default());
    assert_eq!(
        secret(&r),
        PROD_SECRET,
        "the current name wins over the legacy one"
    );

    // SCALEWAY_ACCESS_KEY holding a UUID is an old-style token.
    let r = ok(
        &env(&[("SCALEWAY_ACCESS_KEY", ENV_SECRET)]),
        None,
        &ProviderBlock::default(),
    );
    assert_eq!(secret(&r), ENV_SECRET);
}

#[test]
fn a_zone_alone_gives_its_region_and_a_region_alone_its_first_zone() {
    let base = [("SCW_SECRET_KEY", ENV_SECRET)];
    let r = ok(
        &env(&[base[0], ("SCW_DEFAULT_ZONE", "nl-ams-3")]),
        None,
        &ProviderBlock::default(),
    );
    assert_eq!(r.settings.region.as_str(), "nl-ams");
    assert_eq!(r.sources["region"], Source::Inferred);
    let r = ok(
        &env(&[base[0], ("SCW_DEFAULT_REGION", "pl-waw")]),
        None,
        &ProviderBlock::default(),
    );
    assert_eq!(r.settings.zone.as_str(), "pl-waw-1");
    let r = ok(
        &env(&[base[0], ("SCW_DEFAULT_ZONE", "par1")]),
        None,
        &ProviderBlock::default(),
    );
    assert_eq!(r.settings.zone.as_str(), "fr-par-1");
}

#[test]
fn a_missing_secret_key_names_every_way_to_give_one() {
    let errors = resolve(
        &env(&[("HOME", "/home/u")]),
        None,
        &ProviderBlock::default(),
    )
    .expect_err("no secret key anywhere")
    .errors;
    assert_eq!(errors.len(), 1);
    let error = &errors[0];
    assert!(matches!(error, SettingsError::MissingSecretKey { .. }));
    let help = miette::Diagnostic::help(error)
        .map(|h| h.to_string())
        .unwrap_or_default();
    insta::assert_snapshot!(format!("{error}\n{help}"), @r#"
    no Scaleway secret key is configured
    give one in any of these ways:
      - the environment variable SCW_SECRET_KEY
      - `secret_key` in the scw config file (/home/u/.config/scw/config.yaml or /home/u/.config/scw/config.yml)
      - `secret_key` in the provider "scaleway" block
    or run with --sandbox to use the local emulator instead of the real API
    "#);
}

#[test]
fn invalid_values_are_all_reported_without_echoing_the_secret() {
    let bad_secret = "not-a-uuid-but-secret-ish";
    let e = env(&[
        ("SCW_SECRET_KEY", bad_secret),
        ("SCW_ACCESS_KEY", "scwlowercase"),
        ("SCW_DEFAULT_PROJECT_ID", "nope"),
        ("SCW_DEFAULT_REGION", "Paris"),
        ("SCW_DEFAULT_ZONE", "fr-par-x"),
        ("SCW_API_URL", "ftp://x"),
    ]);
    let errors = resolve(&e, None, &ProviderBlock::default())
        .expect_err("everything is wrong")
        .errors;
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!(text.join("\n"), @r"
    the access key from the environment variable SCW_ACCESS_KEY is not valid: expected `SCW` followed by 17 upper-case letters or digits
    the secret key from the environment variable SCW_SECRET_KEY is not valid: expected a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)
    the project ID from the environment variable SCW_DEFAULT_PROJECT_ID is not valid: expected a UUID
    the zone from the environment variable SCW_DEFAULT_ZONE is not valid: expected a zone such as fr-par-1
    the region from the environment variable SCW_DEFAULT_REGION is not valid: expected a region such as fr-par
    the API URL from the environment variable SCW_API_URL is not valid: expected an http:// or https:// URL
    ");
    for t in &text {
        assert!(!t.contains(bad_secret));
    }
    assert!(!format!("{errors:?}").contains(bad_secret));
}

#[test]
fn unknown_profiles_are_errors_with_a_suggestion() {
    let f = file(CONFIG);
    let errors = resolve(
        &env(&[("SCW_PROFILE", "prdo")]),
        Some(&f),
        &ProviderBlock::default(),
    )
    .expect_err("no such profile")
    .errors;
    let help = miette::Diagnostic::help(&errors[0])
        .map(|h| h.to_string())
        .unwrap_or_default();
    assert_eq!(
        format!("{}\n{help}", errors[0]),
        "the profile `prdo` (from the environment variable SCW_PROFILE) is not defined in \
         /home/u/.config/scw/config.yaml\nDid you mean \"prod\"? Known profiles: default, prod, staging."
    );
    // A profile but no config file at all.
    let errors = resolve(
        &env(&[("SCW_PROFILE", "prod"), ("SCW_SECRET_KEY", ENV_SECRET)]),
        None,
        &ProviderBlock::default(),
    )
    .expect_err("no file")
    .errors;
    assert!(matches!(errors[0], SettingsError::UnknownProfile { .. }));
}

#[test]
fn a_config_file_readable_by_others_gives_a_warning() {
    let mut f = file(CONFIG);
    f.mode = Some(0o644);
    let r = ok(&env(&[]), Some(&f), &ProviderBlock::default());
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].code, "scw::config::permissions");
    assert_eq!(
        r.warnings[0].summary,
        "the scw config file /home/u/.config/scw/config.yaml is readable by other users (mode 0644)"
    );
    f.mode = Some(0o400);
    assert!(
        ok(&env(&[]), Some(&f), &ProviderBlock::default())
            .warnings
            .is_empty()
    );
}

#[test]
fn unknown_but_well_formed_regions_warn() {
    let r = ok(
        &env(&[
            ("SCW_SECRET_KEY", ENV_SECRET),
            ("SCW_DEFAULT_REGION", "de-fra"),
        ]),
        None,
        &ProviderBlock::default(),
    );
    assert_eq!(r.settings.region.as_str(), "de-fra");
    assert_eq!(r.warnings[0].code, "scw::config::unknown_region");
}

#[test]
fn a_malformed_config_file_is_reported() {
    let f = file("profiles: [oops");
    let errors = resolve(
        &env(&[("SCW_SECRET_KEY", ENV_SECRET)]),
        Some(&f),
        &ProviderBlock::default(),
    )
    .expect_err("bad YAML")
    .errors;
    assert!(matches!(errors[0], SettingsError::File { .. }));
}

#[test]
fn secrets_never_show_in_debug_output() {
    let provider = ProviderBlock {
        secret_key: Some(PROVIDER_SECRET.into()),
        ..ProviderBlock::default()
    };
    assert!(!format!("{provider:?}").contains(PROVIDER_SECRET));
    let f = file(CONFIG);
    let r = ok(&env(&[]), Some(&f), &provider);
    let debug = format!("{r:?}");
    assert!(!debug.contains(PROVIDER_SECRET), "{debug}");
    assert!(!debug.contains(FILE_SECRET));
}
