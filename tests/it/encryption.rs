//! Encryption at rest (issue 13): `terraform { encryption { … } }` and `TF_ENCRYPTION`,
//! OpenTofu's format, for local and pg states; a wrong passphrase fails clearly and overwrites
//! nothing; `fallback` rotates keys. The format is checked against an independent
//! implementation (Python's `cryptography`) when it is installed.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::e2e::harness::{Workdir, secrets};

const STATE: &str = ".scwform/sandbox.tfstate";
const PASSPHRASE: &str = "a passphrase of more than sixteen characters";
const OTHER: &str = "another passphrase, also long enough";

/// A key: the name of its key provider and method, and its passphrase (`unencrypted`: the
/// `unencrypted` method).
type Key<'a> = (&'a str, &'a str);

/// An `encryption` block: `primary` encrypts; `fallback`, when given, also decrypts.
fn encryption(primary: Key<'_>, fallback: Option<Key<'_>>) -> String {
    let mut text = String::from("terraform {\n  encryption {\n");
    let mut keys = vec![primary];
    keys.extend(fallback);
    for (name, passphrase) in &keys {
        if *passphrase == "unencrypted" {
            let _ = writeln!(text, "    method \"unencrypted\" \"{name}\" {{}}");
        } else {
            let _ = write!(
                text,
                "    key_provider \"pbkdf2\" \"{name}\" {{\n      passphrase = \"{passphrase}\"\n      iterations = 200000\n    }}\n    method \"aes_gcm\" \"{name}\" {{\n      keys = key_provider.pbkdf2.{name}\n    }}\n"
            );
        }
    }
    let method = |(name, p): Key<'_>| {
        if p == "unencrypted" {
            format!("method.unencrypted.{name}")
        } else {
            format!("method.aes_gcm.{name}")
        }
    };
    let _ = writeln!(text, "    state {{\n      method = {}", method(primary));
    if let Some(f) = fallback {
        let _ = writeln!(
            text,
            "      fallback {{\n        method = {}\n      }}",
            method(f)
        );
    }
    text.push_str("    }\n  }\n}\n");
    text
}

const RESOURCES: &str = r#"
resource "scaleway_account_project" "main" {
  name = "enc-project"
}

resource "scaleway_cockpit_token" "main" {
  project_id = scaleway_account_project.main.id
  name       = "enc-token"
}

output "token_secret" {
  value     = scaleway_cockpit_token.main.secret_key
  sensitive = true
}
"#;

fn configure(w: &Workdir, primary: Key<'_>, fallback: Option<Key<'_>>) {
    w.write(&format!("{}{RESOURCES}", encryption(primary, fallback)));
}

/// The decrypted state, as `state pull` prints it.
fn pulled(w: &Workdir) -> serde_json::Value {
    let run = w.sandbox(&["state", "pull"]);
    run.expect(0);
    serde_json::from_str(&run.stdout).expect("state pull prints a state")
}

fn assert_sealed(bytes: &[u8], secrets: &[String]) {
    let text = String::from_utf8_lossy(bytes);
    let envelope: serde_json::Value = serde_json::from_str(&text).expect("an envelope");
    assert_eq!(envelope["encryption_version"], "v0", "{text}");
    for clear in [
        "secret_key",
        "scaleway_cockpit_token",
        "enc-project",
        "enc-token",
        "token_secret",
        "resources",
    ] {
        assert!(!text.contains(clear), "{clear} in clear: {text}");
    }
    assert!(!secrets.is_empty());
    for secret in secrets {
        assert!(!text.contains(secret.as_str()), "a secret in clear");
    }
}

#[test]
fn an_encrypted_state_holds_nothing_in_clear_and_a_wrong_passphrase_overwrites_nothing() {
    let w = Workdir::new();
    configure(&w, ("main", PASSPHRASE), None);
    w.sandbox(&["apply", "--auto-approve"]).expect(0);
    let sealed = std::fs::read(w.path().join(STATE)).expect("state");
    let state = pulled(&w);
    assert_eq!(state["resources"].as_array().map(Vec::len), Some(2));
    assert_sealed(&sealed, &secrets(&state));
    // The backup beside it is sealed too.
    w.sandbox(&["plan", "--detailed-exitcode"]).expect(0);

    // A wrong passphrase: a clear error, and the state stays as it was.
    configure(&w, ("main", OTHER), None);
    for args in [
        &["plan"][..],
        &["apply", "--auto-approve"][..],
        &["state", "list"][..],
    ] {
        let run = w.sandbox(args);
        run.expect(1);
        assert!(run.stderr.contains("scw::state::decrypt"), "{}", run.stderr);
        assert!(run.stderr.contains("method.aes_gcm.main"), "{}", run.stderr);
        assert!(!run.all().contains(OTHER), "the passphrase is never shown");
    }
    assert_eq!(std::fs::read(w.path().join(STATE)).expect("state"), sealed);

    // Without an encryption block the state is refused, not taken for empty.
    w.write(RESOURCES);
    let plain = w.sandbox(&["plan"]);
    plain.expect(1);
    assert!(
        plain.stderr.contains("scw::state::encrypted"),
        "{}",
        plain.stderr
    );
    assert_eq!(std::fs::read(w.path().join(STATE)).expect("state"), sealed);
}

#[test]
fn a_fallback_rotates_the_key_and_an_unencrypted_fallback_migrates_a_plain_state() {
    let w = Workdir::new();
    // A plain state first.
    w.write(RESOURCES);
    w.sandbox(&["apply", "--auto-approve"]).expect(0);
    let plain = std::fs::read_to_string(w.path().join(STATE)).expect("state");
    assert!(plain.contains("scaleway_cockpit_token"));
    // Encryption alone refuses it; with the unencrypted fallback it is read and sealed.
    configure(&w, ("main", PASSPHRASE), None);
    let refused = w.sandbox(&["plan"]);
    refused.expect(1);
    assert!(
        refused.stderr.contains("scw::state::unencrypted"),
        "{}",
        refused.stderr
    );
    configure(&w, ("main", PASSPHRASE), Some(("migrate", "unencrypted")));
    w.sandbox(&["apply", "--auto-approve"]).expect(0);
    let first = std::fs::read(w.path().join(STATE)).expect("state");
    let state = pulled(&w);
    assert_sealed(&first, &secrets(&state));
    let serial = state["serial"].as_u64().expect("serial");

    // Rotation: the new passphrase encrypts, the old one still decrypts.
    configure(&w, ("next", OTHER), Some(("main", PASSPHRASE)));
    w.sandbox(&["apply", "--auto-approve"]).expect(0);
    let rotated = std::fs::read(w.path().join(STATE)).expect("state");
    assert_ne!(rotated, first, "re-encrypted with the new key");
    let state = pulled(&w);
    assert_eq!(state["serial"].as_u64(), Some(serial), "same content");
    // Only the new passphrase is needed now, and the old one alone is refused.
    configure(&w, ("next", OTHER), None);
    w.sandbox(&["plan", "--detailed-exitcode"]).expect(0);
    configure(&w, ("main", PASSPHRASE), None);
    w.sandbox(&["plan"]).expect(1);
}

#[test]
fn tf_encryption_configures_encryption_from_the_environment() {
    let w = Workdir::new();
    w.write(RESOURCES);
    let body = format!(
        "key_provider \"pbkdf2\" \"env\" {{\n  passphrase = \"{PASSPHRASE}\"\n  iterations = 200000\n}}\nmethod \"aes_gcm\" \"env\" {{\n  keys = key_provider.pbkdf2.env\n}}\nstate {{\n  method = method.aes_gcm.env\n}}\n"
    );
    let mut apply = w.command(&["apply", "--auto-approve", "--sandbox"]);
    apply.env("TF_ENCRYPTION", &body);
    w.run_with(apply).expect(0);
    let sealed = std::fs::read(w.path().join(STATE)).expect("state");
    assert!(scwform::state::crypto::is_encrypted(&sealed));
    let mut list = w.command(&["state", "list", "--sandbox"]);
    list.env("TF_ENCRYPTION", &body);
    let listed = w.run_with(list);
    listed.expect(0);
    assert!(
        listed.stdout.contains("scaleway_cockpit_token.main"),
        "{}",
        listed.stdout
    );
    w.sandbox(&["state", "list"]).expect(1);
}

/// Python 3 with `cryptography`, or a message saying why the test is skipped.
#[allow(clippy::print_stderr)] // says why it skips
fn python() -> Option<()> {
    let ok = Command::new("python3")
        .args(["-c", "import cryptography"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: Python 3 with the `cryptography` package is not installed");
    }
    ok.then_some(())
}

/// An independent implementation of OpenTofu's documented format (pbkdf2 key provider,
/// `aes_gcm` method, envelope v0), in Python with `cryptography`.
const OPENTOFU_FORMAT: &str = r#"
import base64, json, os, sys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

def key(passphrase, meta):
    hashes_by_name = {"sha256": hashes.SHA256(), "sha512": hashes.SHA512()}
    kdf = PBKDF2HMAC(algorithm=hashes_by_name[meta["hash_function"]], length=meta["key_length"],
                     salt=base64.b64decode(meta["salt"]), iterations=meta["iterations"])
    return kdf.derive(passphrase.encode())

mode, passphrase, meta_key, path = sys.argv[1:5]
if mode == "decrypt":
    envelope = json.load(open(path))
    assert envelope["encryption_version"] == "v0"
    meta = json.loads(base64.b64decode(envelope["meta"][meta_key]))
    data = base64.b64decode(envelope["encrypted_data"])
    plain = AESGCM(key(passphrase, meta)).decrypt(data[:12], data[12:], None)
    sys.stdout.write(plain.decode())
else:
    plain = open(path, "rb").read()
    meta = {"salt": base64.b64encode(os.urandom(32)).decode(), "iterations": 600000,
            "hash_function": "sha512", "key_length": 32}
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(key(passphrase, meta)).encrypt(nonce, plain, None)
    state = json.loads(plain)
    envelope = {"serial": state["serial"], "lineage": state["lineage"],
                "meta": {meta_key: base64.b64encode(json.dumps(meta).encode()).decode()},
                "encrypted_data": base64.b64encode(sealed).decode(), "encryption_version": "v0"}
    sys.stdout.write(json.dumps(envelope))
"#;

fn opentofu_format(mode: &str, passphrase: &str, path: &Path) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            OPENTOFU_FORMAT,
            mode,
            passphrase,
            "key_provider.pbkdf2.main",
        ])
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn the_format_is_opentofus_as_an_independent_implementation_reads_and_writes_it() {
    if python().is_none() {
        return;
    }
    // scwform writes; Python decrypts with OpenTofu's documented algorithm.
    let w = Workdir::new();
    configure(&w, ("main", PASSPHRASE), None);
    w.sandbox(&["apply", "--auto-approve"]).expect(0);
    let plain = opentofu_format("decrypt", PASSPHRASE, &w.path().join(STATE));
    let state: serde_json::Value = serde_json::from_str(&plain).expect("a state");
    assert_eq!(state["version"], 4);
    assert_eq!(state, pulled(&w));

    // Python writes a fixture (600 000 iterations of SHA-512, OpenTofu's defaults); scwform
    // reads it.
    let fixture = crate::common::repo_root().join("tests/fixtures/state/terraform-v4.tfstate");
    let sealed = opentofu_format("encrypt", PASSPHRASE, &fixture);
    let other = Workdir::new();
    other.write(&encryption(("main", PASSPHRASE), None));
    std::fs::create_dir_all(other.path().join(".scwform")).expect("dir");
    std::fs::write(other.path().join(STATE), &sealed).expect("write");
    let listed = other.sandbox(&["state", "list"]);
    listed.expect(0);
    assert!(
        listed.stdout.contains("scaleway_container.web"),
        "{}",
        listed.stdout
    );
}

/// Issue 13 (no passphrase in `Debug`): every type that holds an encryption passphrase, a key,
/// a variable's value or a backend setting (a `pg` password) on the way from the configuration
/// to the state layer formats it redacted.
#[test]
fn issue_13_debug_output_never_shows_a_passphrase() {
    use scwform::model::evaluate::NoPriorValues;
    use scwform::model::load::{LoadOptions, VarSource, load_texts};

    let from_env = "a passphrase given in TF_ENCRYPTION only";
    let config = format!(
        "{}variable \"token\" {{\n  type      = string\n  sensitive = true\n}}\nterraform {{\n  backend \"pg\" {{\n    conn_str = \"postgres://alice:pg-password-in-conn-str@db/tf\"\n  }}\n}}\n",
        encryption(("main", PASSPHRASE), Some(("old", OTHER)))
    );
    let options = LoadOptions {
        var_sources: vec![VarSource::Var("token=var-value-on-the-command-line".into())],
        env: vec![("other".into(), "env-value-of-a-variable".into())],
        encryption_env: Some(format!(
            "key_provider \"pbkdf2\" \"env\" {{\n  passphrase = \"{from_env}\"\n}}\n"
        )),
        ..LoadOptions::default()
    };
    let loaded = load_texts(
        vec![("main.tf".to_owned(), config)],
        &options,
        &NoPriorValues,
    );
    let block = loaded
        .settings
        .encryption
        .as_ref()
        .expect("an encryption block");
    let encryption = scwform::cli::encryption::encryption(block).expect("valid encryption");
    let sealed = encryption
        .state()
        .expect("states are encrypted")
        .encrypt(br#"{"serial":1,"lineage":"l"}"#)
        .expect("encrypts");
    let opened = encryption
        .state()
        .expect("states are encrypted")
        .decrypt(&sealed)
        .expect("decrypts");
    let shown = [
        format!("{options:?}"),
        format!("{loaded:?}"),
        format!("{:?}", loaded.settings),
        format!("{:?}", loaded.sources),
        format!("{encryption:?}"),
        format!("{encryption:#?}"),
        format!("{opened:?}"),
    ];
    for text in &shown {
        for secret in [
            PASSPHRASE,
            OTHER,
            from_env,
            "var-value-on-the-command-line",
            "env-value-of-a-variable",
            "pg-password-in-conn-str",
        ] {
            assert!(!text.contains(secret), "{secret} shown in {text}");
        }
    }
    assert!(
        shown[0].contains("TF_VAR_other"),
        "names are kept: {}",
        shown[0]
    );
    assert!(shown[4].contains("[REDACTED]"), "{}", shown[4]);
    assert!(shown[2].contains("conn_str"), "{}", shown[2]);
}

/// An `encryption` block that encrypts states and saved plans with one key.
fn state_and_plan_encryption(passphrase: &str) -> String {
    format!(
        "terraform {{\n  encryption {{\n    key_provider \"pbkdf2\" \"main\" {{\n      passphrase = \"{passphrase}\"\n      iterations = 200000\n    }}\n    method \"aes_gcm\" \"main\" {{\n      keys = key_provider.pbkdf2.main\n    }}\n    state {{\n      method = method.aes_gcm.main\n    }}\n    plan {{\n      method = method.aes_gcm.main\n    }}\n  }}\n}}\n"
    )
}

const EXTRA_TOKEN: &str = "\nresource \"scaleway_cockpit_token\" \"extra\" {\n  project_id = scaleway_account_project.main.id\n  name       = \"enc-extra\"\n}\n";

/// Issue 13: with a `plan { method = … }` target, `plan --out` writes the saved plan sealed in
/// OpenTofu's envelope (no attribute, name or secret in clear); `show FILE` and `apply FILE`
/// decrypt it with the configuration's key; a wrong key is a clear error that changes nothing;
/// without plan encryption configured the file is refused, never read as something else.
#[test]
fn issue_13_saved_plans_are_encrypted_with_the_plan_method() {
    let w = Workdir::new();
    let config = |passphrase: &str| {
        format!(
            "{}{RESOURCES}{EXTRA_TOKEN}",
            state_and_plan_encryption(passphrase)
        )
    };
    w.write(&format!(
        "{}{RESOURCES}",
        state_and_plan_encryption(PASSPHRASE)
    ));
    w.sandbox(&["apply", "--auto-approve"]).expect(0);
    let state = pulled(&w);
    w.write(&config(PASSPHRASE));
    let planned = w.sandbox(&["plan", "--out", "review.plan"]);
    planned.expect(0);
    assert!(
        planned.stdout.contains("Saved the plan to: review.plan"),
        "{}",
        planned.stdout
    );
    let sealed = std::fs::read(w.path().join("review.plan")).expect("plan file");
    // The prior state it holds carries the token's secret key: none of it is in clear.
    assert_sealed(&sealed, &secrets(&state));
    let text = String::from_utf8_lossy(&sealed);
    for clear in ["enc-extra", "scwform-plan", "plan_digest", "Plan:"] {
        assert!(!text.contains(clear), "{clear} in clear: {text}");
    }
    let envelope: serde_json::Value = serde_json::from_str(&text).expect("an envelope");
    assert!(
        envelope.get("serial").is_none(),
        "a plan envelope has no serial"
    );

    // `show FILE` decrypts it.
    let shown = w.run_with(w.command(&["show", "review.plan"]));
    shown.expect(0);
    assert!(
        shown
            .stdout
            .contains("scaleway_cockpit_token.extra will be created"),
        "{}",
        shown.stdout
    );

    // A wrong key: a clear error, the passphrase never shown, nothing changed.
    w.write(&config(OTHER));
    for args in [&["show", "review.plan"][..], &["apply", "review.plan"][..]] {
        let run = w.run_with(w.command(args));
        run.expect(1);
        assert!(run.stderr.contains("scw::state::decrypt"), "{}", run.stderr);
        assert!(run.stderr.contains("review.plan"), "{}", run.stderr);
        assert!(!run.all().contains(OTHER), "the passphrase is never shown");
    }
    // No plan encryption configured: the encrypted file is refused as such.
    w.write(&format!("{RESOURCES}{EXTRA_TOKEN}"));
    let run = w.run_with(w.command(&["show", "review.plan"]));
    run.expect(1);
    assert!(
        run.stderr.contains("scw::state::encrypted"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(w.path().join("review.plan")).expect("plan file"),
        sealed
    );
    assert_eq!(
        pulled_with(&w, &config(PASSPHRASE)),
        state,
        "nothing applied"
    );

    // The right key: `apply FILE` applies it.
    w.write(&config(PASSPHRASE));
    w.run_with(w.command(&["apply", "review.plan"])).expect(0);
    let after = pulled(&w);
    assert!(
        after["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .any(|r| r["name"] == "extra"),
        "{after}"
    );
}

/// The decrypted state, with `config` written first.
fn pulled_with(w: &Workdir, config: &str) -> serde_json::Value {
    w.write(config);
    pulled(w)
}
