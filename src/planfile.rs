//! Saved plans (`plan -out FILE`, `apply FILE`, `show FILE`): the file format, its two
//! digests, and the bindings checked before a saved plan is applied.
//!
//! A plan file is three lines of JSON:
//!
//! 1. a header: `{"format":"scwform-plan","format_version":1,"plan_digest":…,"file_digest":…}`;
//! 2. the [`Binding`]: what the plan was made from and what it will do (the scwform and
//!    Terraform language versions, a SHA-256 of every configuration file, of the variable
//!    values, the git commit, the state's lineage and serial, the recorded and refreshed
//!    states, the options, and the planned changes with their values);
//! 3. the [`Rendered`] plan: the text, Markdown and JSON a reviewer saw.
//!
//! The *plan digest* is SHA-256 over line 2's bytes, the *file digest* over lines 2 and 3; both
//! are checked on reading, so any edit of the file is found. The plan digest is what the text
//! and Markdown plans print, so a reviewer can match a comment to what runs.
//!
//! The file holds the states (secrets included, as Terraform's plan files do): it is written
//! with mode 0600 by the CLI. With plan encryption configured (the `encryption` block's
//! `plan { method = … }`, OpenTofu's plan encryption), the whole text is sealed by
//! [`crypto`](crate::state::crypto)'s plan [`Encryptor`] into its envelope: [`encode`] and
//! [`decode`] are the only places that turn a plan into bytes and back, and they go through
//! that one encrypt/decrypt API.
//!
//! Invariants: pure (no I/O; the caller reads files and asks git); a refusal names the check
//! that failed and has its own exit code ([`Refusal::code`], documented in
//! `docs/commands.md`).
//!
//! Depends on `serde_json`, `sha2` and `state::crypto`; callers pass the plan's JSON forms and
//! the encryptor in.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::state::crypto::{self, CryptoError, Encryptor};

/// The `format` field of the header.
pub const FORMAT: &str = "scwform-plan";

/// The version of the file layout this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The header line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    format: String,
    format_version: u32,
    plan_digest: String,
    file_digest: String,
}

/// What a plan was made from and what it does: everything `apply FILE` checks and runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Binding {
    /// The scwform version that made the plan.
    pub scwform_version: String,
    /// The Terraform language version scwform implements.
    pub terraform_version: String,
    /// When the plan was made (RFC 3339).
    pub created_at: String,
    /// The configuration path as given to `plan` (relative to the working directory).
    pub configuration_path: String,
    /// SHA-256 of each configuration file, by file name.
    pub configuration_files: BTreeMap<String, String>,
    /// SHA-256 of the variable values (see [`variables_digest`]).
    pub variables_digest: String,
    /// The git commit checked out when the plan was made, if the configuration is in a
    /// repository.
    pub git_commit: Option<String>,
    /// The state's lineage when the plan was made.
    pub lineage: String,
    /// The state's serial when the plan was made.
    pub serial: u64,
    /// How the plan was made.
    pub options: SavedOptions,
    /// The recorded state the plan was made against (Terraform state JSON).
    pub prior_state: serde_json::Value,
    /// The state after refresh, which the planner compared the configuration with.
    pub refreshed_state: serde_json::Value,
    /// The planned changes with their values: the JSON plan's `resource_changes`,
    /// `output_changes` and `resource_drift`.
    pub changes: serde_json::Value,
}

/// The options of the `plan` run that `apply FILE` must use again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[allow(clippy::struct_excessive_bools)] // the flags of the command line, as given
pub struct SavedOptions {
    /// `--destroy`.
    pub destroy: bool,
    /// Whether the objects were read before planning.
    pub refresh: bool,
    /// `--refresh-only`.
    pub refresh_only: bool,
    /// `--target` addresses.
    pub targets: Vec<String>,
    /// `--replace` addresses.
    pub replace: Vec<String>,
    /// `--sandbox`.
    pub sandbox: bool,
    /// `--state FILE`.
    pub state_file: Option<String>,
}

/// The plan as the reviewer saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendered {
    /// Terraform's text layout.
    pub text: String,
    /// The Markdown comment.
    pub markdown: String,
    /// Terraform's JSON plan, one line.
    pub json: String,
}

/// A saved plan read back.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedPlan {
    /// What the plan was made from and does.
    pub binding: Binding,
    /// What the reviewer saw.
    pub rendered: Rendered,
    /// `sha256:<hex>` over the binding line.
    pub digest: String,
}

/// `sha256:<hex>` of some bytes.
#[must_use]
pub fn sha256(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in hash {
        use std::fmt::Write as _;
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The digest of the variable values (`name → JSON value`, sensitive values included: the
/// digest does not reveal them, and a change of a secret must be noticed too).
#[must_use]
pub fn variables_digest(values: &BTreeMap<String, serde_json::Value>) -> String {
    // A BTreeMap of JSON values serialises the same way every time.
    sha256(
        serde_json::to_string(values)
            .expect("JSON values serialise")
            .as_bytes(),
    )
}

/// The plan digest of a binding, as [`encode`] computes it.
#[must_use]
pub fn plan_digest(binding: &Binding) -> String {
    sha256(binding_line(binding).as_bytes())
}

fn binding_line(binding: &Binding) -> String {
    serde_json::to_string(binding).expect("plan bindings serialise")
}

/// The file's bytes: its text, sealed by `encryptor` when plans are encrypted.
///
/// # Errors
/// [`CryptoError`] when the cipher or the random source fails.
pub fn encode(
    binding: &Binding,
    rendered: &Rendered,
    encryptor: Option<&Encryptor>,
) -> Result<Vec<u8>, CryptoError> {
    let text = encode_text(binding, rendered);
    match encryptor {
        Some(encryptor) => encryptor.encrypt(text.as_bytes()),
        None => Ok(text.into_bytes()),
    }
}

/// Why a plan file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// It cannot be decrypted (a wrong passphrase, an encrypted plan without plan encryption
    /// configured, a plain plan while plans must be encrypted...).
    Crypto(CryptoError),
    /// It was read and refused.
    Refused(Refusal),
}

impl From<Refusal> for ReadError {
    fn from(refusal: Refusal) -> Self {
        Self::Refused(refusal)
    }
}

/// Reads a plan file's bytes, decrypting them with `encryptor` (plan encryption, when
/// configured; a plain file is read as it is only when an `unencrypted` method allows it).
///
/// # Errors
/// [`ReadError::Crypto`] when the file cannot be decrypted, or is encrypted while no plan
/// encryption is configured; [`ReadError::Refused`] as [`Refusal`] says.
pub fn decode(bytes: &[u8], encryptor: Option<&Encryptor>) -> Result<SavedPlan, ReadError> {
    let plain = match encryptor {
        Some(encryptor) => {
            std::borrow::Cow::Owned(encryptor.decrypt(bytes).map_err(ReadError::Crypto)?.bytes)
        }
        None if crypto::is_encrypted(bytes) => {
            return Err(ReadError::Crypto(CryptoError::Encrypted { target: "plan" }));
        }
        None => std::borrow::Cow::Borrowed(bytes),
    };
    let text = std::str::from_utf8(&plain).map_err(|_| Refusal::NotAPlan)?;
    Ok(decode_text(text)?)
}

/// The file's text.
fn encode_text(binding: &Binding, rendered: &Rendered) -> String {
    let line2 = binding_line(binding);
    let line3 = serde_json::to_string(rendered).expect("rendered plans serialise");
    let header = Header {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        plan_digest: sha256(line2.as_bytes()),
        file_digest: sha256(format!("{line2}\n{line3}").as_bytes()),
    };
    let header = serde_json::to_string(&header).expect("headers serialise");
    format!("{header}\n{line2}\n{line3}\n")
}

/// Reads a plan file's text: [`Refusal::NotAPlan`] for something else, [`Refusal::Altered`]
/// when a digest does not match (or the lines do not parse), [`Refusal::Format`] for another
/// layout version.
fn decode_text(text: &str) -> Result<SavedPlan, Refusal> {
    let mut parts = text.splitn(3, '\n');
    let header: Header = parts
        .next()
        .and_then(|l| serde_json::from_str(l).ok())
        .filter(|h: &Header| h.format == FORMAT)
        .ok_or(Refusal::NotAPlan)?;
    if header.format_version != FORMAT_VERSION {
        return Err(Refusal::Format {
            found: header.format_version,
        });
    }
    let bindings = parts.next().ok_or(Refusal::Altered {
        what: "the file is cut short",
    })?;
    let rendered_text = parts
        .next()
        .map(|l| l.strip_suffix('\n').unwrap_or(l))
        .ok_or(Refusal::Altered {
            what: "the file is cut short",
        })?;
    if sha256(bindings.as_bytes()) != header.plan_digest {
        return Err(Refusal::Altered {
            what: "the planned changes or their bindings do not match the plan digest",
        });
    }
    if sha256(format!("{bindings}\n{rendered_text}").as_bytes()) != header.file_digest {
        return Err(Refusal::Altered {
            what: "the rendered plan does not match the file digest",
        });
    }
    let binding: Binding = serde_json::from_str(bindings).map_err(|_| Refusal::Altered {
        what: "the bindings do not parse",
    })?;
    let rendered: Rendered = serde_json::from_str(rendered_text).map_err(|_| Refusal::Altered {
        what: "the rendered plan does not parse",
    })?;
    Ok(SavedPlan {
        binding,
        rendered,
        digest: header.plan_digest,
    })
}

/// What `apply FILE` finds now, to compare with a plan's [`Binding`].
#[derive(Debug, Clone)]
pub struct Current<'a> {
    /// This build's version.
    pub scwform_version: &'a str,
    /// SHA-256 of each configuration file now.
    pub configuration_files: &'a BTreeMap<String, String>,
    /// [`variables_digest`] of the values given now.
    pub variables_digest: &'a str,
    /// The commit checked out now, if in a repository.
    pub git_commit: Option<&'a str>,
    /// Whether the plan's commit is the current one or one of its ancestors (a merge of the
    /// reviewed commit); the caller asks git.
    pub commit_included: bool,
}

/// Checks everything but the state (which is read under the lock, see [`check_state`]).
///
/// # Errors
/// The first binding that does not hold.
pub fn check(binding: &Binding, now: &Current<'_>) -> Result<(), Refusal> {
    if binding.scwform_version != now.scwform_version {
        return Err(Refusal::Version {
            planned: binding.scwform_version.clone(),
            running: now.scwform_version.to_owned(),
        });
    }
    if &binding.configuration_files != now.configuration_files {
        let mut changed: Vec<String> = Vec::new();
        for (name, digest) in &binding.configuration_files {
            match now.configuration_files.get(name) {
                Some(d) if d == digest => {}
                Some(_) => changed.push(format!("{name} changed")),
                None => changed.push(format!("{name} removed")),
            }
        }
        for name in now.configuration_files.keys() {
            if !binding.configuration_files.contains_key(name) {
                changed.push(format!("{name} added"));
            }
        }
        return Err(Refusal::Configuration { changed });
    }
    if binding.variables_digest != now.variables_digest {
        return Err(Refusal::Variables);
    }
    if let Some(planned) = &binding.git_commit
        && !(now.git_commit == Some(planned.as_str()) || now.commit_included)
    {
        return Err(Refusal::Commit {
            planned: planned.clone(),
            now: now.git_commit.map(str::to_owned),
        });
    }
    Ok(())
}

/// Checks that the state is the one the plan was made against: same lineage and serial, and
/// the same content as the recorded state the file holds.
///
/// # Errors
/// [`Refusal::State`] naming what moved.
pub fn check_state(
    binding: &Binding,
    lineage: &str,
    serial: u64,
    same_content: bool,
) -> Result<(), Refusal> {
    if binding.lineage != lineage {
        return Err(Refusal::State {
            detail: format!(
                "the plan was made against lineage {}, the state now has lineage {lineage}",
                binding.lineage
            ),
        });
    }
    if binding.serial != serial {
        return Err(Refusal::State {
            detail: format!(
                "the plan was made against serial {}, the state is now at serial {serial}",
                binding.serial
            ),
        });
    }
    if !same_content {
        return Err(Refusal::State {
            detail: format!(
                "the state at serial {serial} is not the one the plan recorded (it was rewritten without a new serial)"
            ),
        });
    }
    Ok(())
}

/// Why a saved plan is not applied. Each has its own exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The file is not a plan file at all.
    NotAPlan,
    /// A digest does not match: the file was edited or damaged.
    Altered {
        /// What does not match.
        what: &'static str,
    },
    /// Another layout version.
    Format {
        /// The version found.
        found: u32,
    },
    /// Made by another scwform version.
    Version {
        /// The version that made the plan.
        planned: String,
        /// This build's version.
        running: String,
    },
    /// The state moved on since the plan was made.
    State {
        /// Lineage, serial or content.
        detail: String,
    },
    /// The configuration files are not the ones planned.
    Configuration {
        /// `NAME changed|added|removed`, sorted.
        changed: Vec<String>,
    },
    /// The variable values are not the ones planned.
    Variables,
    /// Another git commit is checked out, which does not include the planned one.
    Commit {
        /// The commit planned.
        planned: String,
        /// The commit now (none outside a repository).
        now: Option<String>,
    },
    /// Planning again from the recorded inputs does not give the recorded changes (the
    /// configuration calls something that changes on every run).
    NotReproducible,
}

impl Refusal {
    /// The check that failed, as the error's summary names it.
    #[must_use]
    pub fn check_name(&self) -> &'static str {
        match self {
            Self::NotAPlan => "not a saved plan",
            Self::Altered { .. } | Self::Format { .. } => "file altered",
            Self::Version { .. } => "other scwform version",
            Self::State { .. } => "state moved on",
            Self::Configuration { .. } => "configuration changed",
            Self::Variables => "variables changed",
            Self::Commit { .. } => "different commit",
            Self::NotReproducible => "plan not reproducible",
        }
    }

    /// The process exit code (`docs/commands.md`, Exit codes).
    #[must_use]
    pub fn code(&self) -> u8 {
        match self {
            Self::NotAPlan | Self::Altered { .. } | Self::Format { .. } => 10,
            Self::Version { .. } => 11,
            Self::State { .. } => 12,
            Self::Configuration { .. } => 13,
            Self::Variables => 14,
            Self::Commit { .. } => 15,
            Self::NotReproducible => 16,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAPlan => f.write_str("the file is not a plan saved by `scwform plan -out`"),
            Self::Altered { what } => write!(f, "the plan file was altered: {what}"),
            Self::Format { found } => write!(
                f,
                "the plan file has layout version {found}; this scwform reads version {FORMAT_VERSION}"
            ),
            Self::Version { planned, running } => write!(
                f,
                "the plan was made by scwform {planned}; this is scwform {running}"
            ),
            Self::State { detail } => write!(f, "the state moved on since the plan was made: {detail}"),
            Self::Configuration { changed } => write!(
                f,
                "the configuration is not the one planned: {}",
                changed.join(", ")
            ),
            Self::Variables => f.write_str(
                "the variable values (--var, --var-file, TF_VAR_*, .tfvars files) are not the ones planned",
            ),
            Self::Commit { planned, now } => match now {
                Some(now) => write!(
                    f,
                    "the plan was made at commit {planned}; the checkout is at {now}, which does not include it"
                ),
                None => write!(
                    f,
                    "the plan was made at commit {planned}; the configuration is no longer in a git repository"
                ),
            },
            Self::NotReproducible => f.write_str(
                "planning again from the recorded inputs gives other changes than the recorded ones",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding() -> Binding {
        Binding {
            scwform_version: "0.1.0".into(),
            terraform_version: crate::version::TERRAFORM_VERSION.into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            configuration_path: ".".into(),
            configuration_files: BTreeMap::from([("main.tf".into(), sha256(b"x"))]),
            variables_digest: variables_digest(&BTreeMap::new()),
            git_commit: None,
            lineage: "l".into(),
            serial: 3,
            options: SavedOptions::default(),
            prior_state: serde_json::json!({}),
            refreshed_state: serde_json::json!({}),
            changes: serde_json::json!({"resource_changes": []}),
        }
    }

    #[test]
    fn a_plan_file_reads_back_and_any_edit_is_found() {
        let text = encode_text(&binding(), &Rendered::default());
        let saved = decode_text(&text).expect("reads back");
        assert_eq!(saved.binding, binding());
        assert_eq!(saved.digest, plan_digest(&binding()));
        let edited = text.replace("\"serial\":3", "\"serial\":4");
        assert_eq!(decode_text(&edited).map(|_| ()).unwrap_err().code(), 10);
        let edited = text.replace("\"text\":\"\"", "\"text\":\"x\"");
        assert_eq!(decode_text(&edited).map(|_| ()).unwrap_err().code(), 10);
        assert_eq!(decode_text("{}\n").unwrap_err(), Refusal::NotAPlan);
        let bytes = encode(&binding(), &Rendered::default(), None).expect("encodes");
        assert_eq!(bytes, text.as_bytes(), "plain without plan encryption");
        assert_eq!(decode(&bytes, None).expect("reads back").binding, binding());
    }

    fn plan_encryptor(passphrase: &str) -> Encryptor {
        use crate::state::crypto::{Method, Pbkdf2, Pbkdf2Options, TargetConfig};
        let keys = Pbkdf2::new(
            "k",
            secrecy::SecretString::from(passphrase.to_owned()),
            &Pbkdf2Options {
                iterations: Some(200_000),
                ..Pbkdf2Options::default()
            },
        )
        .expect("valid provider");
        let method = Method::aes_gcm("k", keys, Vec::new()).expect("valid method");
        Encryptor::new(
            "plan",
            TargetConfig::new("plan", vec![method], false).expect("valid target"),
        )
    }

    #[test]
    fn an_encrypted_plan_file_holds_nothing_in_clear_and_needs_its_key() {
        let mut b = binding();
        b.changes =
            serde_json::json!({"resource_changes": [{"after": {"secret_key": "hunter2-key"}}]});
        let rendered = Rendered {
            text: "scaleway_cockpit_token.t will be created".into(),
            ..Rendered::default()
        };
        let right = plan_encryptor("a passphrase of sixteen or more");
        let bytes = encode(&b, &rendered, Some(&right)).expect("encrypts");
        let text = String::from_utf8_lossy(&bytes);
        for clear in [
            "hunter2-key",
            "secret_key",
            "scaleway_cockpit_token",
            FORMAT,
        ] {
            assert!(!text.contains(clear), "{clear} in clear: {text}");
        }
        let saved = decode(&bytes, Some(&right)).expect("decrypts");
        assert_eq!((saved.binding, saved.rendered), (b, rendered));
        let wrong = plan_encryptor("another passphrase, also long");
        assert!(matches!(
            decode(&bytes, Some(&wrong)),
            Err(ReadError::Crypto(CryptoError::Decrypt { .. }))
        ));
        assert!(matches!(
            decode(&bytes, None),
            Err(ReadError::Crypto(CryptoError::Encrypted { target: "plan" }))
        ));
        // A plain file is not taken while plans must be encrypted.
        let plain = encode(&binding(), &Rendered::default(), None).expect("encodes");
        assert!(matches!(
            decode(&plain, Some(&right)),
            Err(ReadError::Crypto(CryptoError::Unencrypted { .. }))
        ));
    }

    #[test]
    fn each_binding_has_its_own_refusal() {
        let b = binding();
        let files = b.configuration_files.clone();
        let now = Current {
            scwform_version: "0.1.0",
            configuration_files: &files,
            variables_digest: &b.variables_digest,
            git_commit: None,
            commit_included: false,
        };
        assert_eq!(check(&b, &now), Ok(()));
        let other = Current {
            scwform_version: "0.2.0",
            ..now.clone()
        };
        assert_eq!(check(&b, &other).unwrap_err().code(), 11);
        let changed = BTreeMap::from([("main.tf".into(), sha256(b"y"))]);
        let other = Current {
            configuration_files: &changed,
            ..now.clone()
        };
        assert_eq!(
            check(&b, &other).unwrap_err(),
            Refusal::Configuration {
                changed: vec!["main.tf changed".into()]
            }
        );
        let other = Current {
            variables_digest: "sha256:0",
            ..now.clone()
        };
        assert_eq!(check(&b, &other).unwrap_err().code(), 14);
        let with_commit = Binding {
            git_commit: Some("abc".into()),
            ..b.clone()
        };
        assert_eq!(check(&with_commit, &now).unwrap_err().code(), 15);
        let merged = Current {
            git_commit: Some("def"),
            commit_included: true,
            ..now.clone()
        };
        assert_eq!(check(&with_commit, &merged), Ok(()));
        assert_eq!(check_state(&b, "l", 3, true), Ok(()));
        assert_eq!(check_state(&b, "l", 4, true).unwrap_err().code(), 12);
        assert_eq!(check_state(&b, "m", 3, true).unwrap_err().code(), 12);
        assert_eq!(check_state(&b, "l", 3, false).unwrap_err().code(), 12);
    }
}
