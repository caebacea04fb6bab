//! Encryption at rest of state and plan files, compatible with OpenTofu's (1.7 and later):
//! the `pbkdf2` key provider, the `aes_gcm` and `unencrypted` methods, a primary method with
//! `fallback`s for key rotation, and OpenTofu's envelope, so that OpenTofu reads what scwform
//! writes and the other way round.
//!
//! This module is the one encrypt/decrypt API: the state layer calls [`Encryptor::encrypt`]
//! and [`Encryptor::decrypt`] on every state it writes and reads (every backend), and a saved
//! plan file goes through the same two calls with the [`Encryption::plan`] encryptor. The
//! configuration (`terraform { encryption { … } }` and `TF_ENCRYPTION`) is turned into
//! [`EncryptionConfig`] by the CLI; the rules on values (passphrase length, iterations, key
//! sizes) are checked here, once.
//!
//! The format, as OpenTofu's `internal/encryption` writes it:
//! - the envelope is a JSON object `{"meta": {KEY: base64(JSON metadata)}, "encrypted_data":
//!   base64(nonce ‖ ciphertext ‖ tag), "encryption_version": "v0"}`; a state's envelope also
//!   carries the plain `serial` and `lineage` in front;
//! - `KEY` is the key provider's `encrypted_metadata_alias`, else `key_provider.pbkdf2.NAME`,
//!   and its metadata is `{"salt": base64, "iterations": N, "hash_function": "sha512"|"sha256",
//!   "key_length": N}`: the key is PBKDF2 of the passphrase with that salt, count, hash and length;
//! - `aes_gcm` uses a random 12-byte nonce per encryption, a 16-byte tag, and the method's
//!   `aad` (empty by default) as additional data.
//!
//! Invariants: a payload is decrypted with the primary method first, then each fallback in
//! order; a plain payload is accepted only when an `unencrypted` method is configured (the
//! way into and out of encryption); a failure never returns partial plaintext. The passphrase
//! is a [`SecretString`] and never appears in errors or `Debug`. One salt (so one derived key)
//! is used for all the writes of one [`Encryptor`], as OpenTofu does for one run.
//!
//! Depends on `aws-lc-rs` (PBKDF2, AES-GCM, randomness), `base64`, `serde_json`, `secrecy`.
//! No I/O.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU32;
use std::sync::{Mutex, OnceLock, PoisonError};

use aws_lc_rs::aead::{AES_128_GCM, AES_192_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// The envelope version OpenTofu writes (and the only one it reads).
pub const ENVELOPE_VERSION: &str = "v0";

/// OpenTofu's minimum passphrase length for `pbkdf2`.
pub const MIN_PASSPHRASE_LENGTH: usize = 16;

/// OpenTofu's minimum number of PBKDF2 iterations.
pub const MIN_ITERATIONS: u32 = 200_000;

/// OpenTofu's defaults for the `pbkdf2` key provider.
pub const DEFAULT_ITERATIONS: u32 = 600_000;
/// Default derived key length in bytes (AES-256).
pub const DEFAULT_KEY_LENGTH: usize = 32;
/// Default salt length in bytes.
pub const DEFAULT_SALT_LENGTH: usize = 32;

/// The nonce length of AES-GCM as OpenTofu uses it (Go's default).
const NONCE_LENGTH: usize = 12;

/// What can go wrong configuring, encrypting or decrypting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// A setting that cannot be used (too short a passphrase, an unknown hash...).
    #[error("{subject}: {message}")]
    Config {
        /// The block (`key_provider.pbkdf2.main`, `method.aes_gcm.main`, `state`...).
        subject: String,
        /// What is wrong.
        message: String,
    },
    /// No configured method could decrypt the payload (a wrong passphrase, or damaged data).
    #[error("cannot decrypt the {target} with any configured method: {}", attempts.join("; "))]
    Decrypt {
        /// `state` or `plan`.
        target: &'static str,
        /// Each method tried and why it failed.
        attempts: Vec<String>,
    },
    /// An encrypted payload, but no encryption is configured for it.
    #[error(
        "the {target} is encrypted (OpenTofu's format), but the configuration has no encryption for it"
    )]
    Encrypted {
        /// `state` or `plan`.
        target: &'static str,
    },
    /// A plain payload, and no `unencrypted` method allows reading one.
    #[error("the {target} is not encrypted, and no `unencrypted` method is configured to read it")]
    Unencrypted {
        /// `state` or `plan`.
        target: &'static str,
    },
    /// An envelope that is not OpenTofu's (another version, missing fields, bad base64).
    #[error("the encrypted {target} is malformed: {message}")]
    Malformed {
        /// `state` or `plan`.
        target: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The system's random source or the cipher failed.
    #[error("encryption failed: {message}")]
    Failure {
        /// What failed.
        message: String,
    },
}

impl CryptoError {
    /// The diagnostic code, `scw::state::<kind>` (listed in `docs/errors.md`).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config { .. } => "scw::state::encryption_config",
            Self::Decrypt { .. } => "scw::state::decrypt",
            Self::Encrypted { .. } => "scw::state::encrypted",
            Self::Unencrypted { .. } => "scw::state::unencrypted",
            Self::Malformed { .. } => "scw::state::encrypted_malformed",
            Self::Failure { .. } => "scw::state::encrypt",
        }
    }

    /// What to do about it.
    #[must_use]
    pub fn help(&self) -> Option<&'static str> {
        Some(match self {
            Self::Decrypt { .. } => {
                "check the passphrase; after changing a key, keep the old one as a `fallback` method until every state is rewritten"
            }
            Self::Encrypted { .. } => {
                "configure the same `encryption` block (or TF_ENCRYPTION) that wrote it"
            }
            Self::Unencrypted { .. } => {
                "to encrypt an existing plain state, add `method \"unencrypted\" \"migrate\" {}` and name it in `fallback { method = method.unencrypted.migrate }`"
            }
            _ => return None,
        })
    }

    fn config(subject: &str, message: impl Into<String>) -> Self {
        Self::Config {
            subject: subject.to_owned(),
            message: message.into(),
        }
    }
}

/// The PBKDF2 hash function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HashFunction {
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512 (OpenTofu's default).
    Sha512,
}

impl HashFunction {
    /// The hash named as in OpenTofu's configuration (`sha256`, `sha512`).
    ///
    /// # Errors
    /// [`CryptoError::Config`] for another name.
    pub fn from_name(subject: &str, name: &str) -> Result<Self, CryptoError> {
        match name {
            "sha256" => Ok(Self::Sha256),
            "sha512" => Ok(Self::Sha512),
            other => Err(CryptoError::config(
                subject,
                format!(
                    "invalid hash function name \"{other}\" (expected \"sha256\" or \"sha512\")"
                ),
            )),
        }
    }

    fn algorithm(self) -> aws_lc_rs::pbkdf2::Algorithm {
        match self {
            Self::Sha256 => aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256,
            Self::Sha512 => aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA512,
        }
    }
}

/// What `Debug` shows in place of a passphrase or a key.
const REDACTED: &str = "[REDACTED]";

/// A `key_provider "pbkdf2" "NAME"` block. Its `Debug` shows the passphrase as
/// `[REDACTED]`.
#[derive(Clone)]
pub struct Pbkdf2 {
    name: String,
    passphrase: SecretString,
    key_length: usize,
    iterations: u32,
    hash: HashFunction,
    salt_length: usize,
    alias: Option<String>,
}

/// The optional settings of a `pbkdf2` key provider (OpenTofu's defaults when `None`).
#[derive(Debug, Clone, Default)]
pub struct Pbkdf2Options {
    /// `key_length`.
    pub key_length: Option<i64>,
    /// `iterations`.
    pub iterations: Option<i64>,
    /// `hash_function`.
    pub hash_function: Option<String>,
    /// `salt_length`.
    pub salt_length: Option<i64>,
    /// `encrypted_metadata_alias`.
    pub alias: Option<String>,
}

impl std::fmt::Debug for Pbkdf2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pbkdf2")
            .field("name", &self.name)
            .field("passphrase", &REDACTED)
            .field("key_length", &self.key_length)
            .field("iterations", &self.iterations)
            .field("hash", &self.hash)
            .field("salt_length", &self.salt_length)
            .field("alias", &self.alias)
            .finish()
    }
}

impl Pbkdf2 {
    /// A key provider, with OpenTofu's rules on its settings.
    ///
    /// # Errors
    /// [`CryptoError::Config`]: a passphrase shorter than 16 characters, fewer than 200 000
    /// iterations, a non-positive length, an unknown hash function.
    pub fn new(
        name: &str,
        passphrase: SecretString,
        options: &Pbkdf2Options,
    ) -> Result<Self, CryptoError> {
        let subject = format!("key_provider.pbkdf2.{name}");
        if passphrase.expose_secret().is_empty() {
            return Err(CryptoError::config(&subject, "no passphrase provided"));
        }
        if passphrase.expose_secret().len() < MIN_PASSPHRASE_LENGTH {
            return Err(CryptoError::config(
                &subject,
                format!("passphrase is too short (minimum {MIN_PASSPHRASE_LENGTH} characters)"),
            ));
        }
        let positive = |value: Option<i64>, default: usize, what: &str| match value {
            None => Ok(default),
            Some(v) if v > 0 => usize::try_from(v)
                .map_err(|_| CryptoError::config(&subject, format!("the {what} is too large"))),
            Some(_) => Err(CryptoError::config(
                &subject,
                format!("the {what} must be larger than zero"),
            )),
        };
        let key_length = positive(options.key_length, DEFAULT_KEY_LENGTH, "key length")?;
        let salt_length = positive(options.salt_length, DEFAULT_SALT_LENGTH, "salt length")?;
        let iterations = positive(
            options.iterations,
            DEFAULT_ITERATIONS as usize,
            "number of iterations",
        )?;
        let iterations = u32::try_from(iterations)
            .map_err(|_| CryptoError::config(&subject, "the number of iterations is too large"))?;
        if iterations < MIN_ITERATIONS {
            return Err(CryptoError::config(
                &subject,
                format!(
                    "the number of iterations is dangerously low (<{MIN_ITERATIONS}), refusing to generate key"
                ),
            ));
        }
        let hash = match &options.hash_function {
            None => HashFunction::Sha512,
            Some(name) => HashFunction::from_name(&subject, name)?,
        };
        Ok(Self {
            name: name.to_owned(),
            passphrase,
            key_length,
            iterations,
            hash,
            salt_length,
            alias: options.alias.clone(),
        })
    }

    /// The key under which its metadata is stored in an envelope.
    #[must_use]
    pub fn meta_key(&self) -> String {
        self.alias
            .clone()
            .unwrap_or_else(|| format!("key_provider.pbkdf2.{}", self.name))
    }

    fn derive(&self, meta: &KeyMeta) -> Vec<u8> {
        let mut key = vec![0; meta.key_length];
        let iterations = NonZeroU32::new(meta.iterations).unwrap_or(NonZeroU32::MIN);
        aws_lc_rs::pbkdf2::derive(
            meta.hash_function.algorithm(),
            iterations,
            &meta.salt,
            self.passphrase.expose_secret().as_bytes(),
            &mut key,
        );
        key
    }
}

/// A key provider's metadata in an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct KeyMeta {
    #[serde(with = "base64_bytes")]
    salt: Vec<u8>,
    iterations: u32,
    hash_function: HashFunction,
    key_length: usize,
}

mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

/// A `method` block.
#[derive(Debug, Clone)]
pub enum Method {
    /// `method "aes_gcm" "NAME" { keys = key_provider.pbkdf2.K  aad = … }`.
    AesGcm {
        /// The method's name.
        name: String,
        /// Its key provider.
        keys: Pbkdf2,
        /// Additional authenticated data (empty by default).
        aad: Vec<u8>,
    },
    /// `method "unencrypted" "NAME" {}`: plain payloads, to migrate into or out of encryption.
    Unencrypted {
        /// The method's name.
        name: String,
    },
}

impl Method {
    /// An `aes_gcm` method.
    ///
    /// # Errors
    /// [`CryptoError::Config`] when the key provider's key length is not 16, 24 or 32 bytes.
    pub fn aes_gcm(name: &str, keys: Pbkdf2, aad: Vec<u8>) -> Result<Self, CryptoError> {
        if !matches!(keys.key_length, 16 | 24 | 32) {
            return Err(CryptoError::config(
                &format!("method.aes_gcm.{name}"),
                format!(
                    "AES-GCM requires the key length to be one of 16, 24, 32, received {} bytes in the encryption key",
                    keys.key_length
                ),
            ));
        }
        Ok(Self::AesGcm {
            name: name.to_owned(),
            keys,
            aad,
        })
    }

    /// `method.TYPE.NAME`.
    #[must_use]
    pub fn address(&self) -> String {
        match self {
            Self::AesGcm { name, .. } => format!("method.aes_gcm.{name}"),
            Self::Unencrypted { name } => format!("method.unencrypted.{name}"),
        }
    }

    fn is_unencrypted(&self) -> bool {
        matches!(self, Self::Unencrypted { .. })
    }
}

/// A `state { … }` or `plan { … }` block: the method that encrypts, and the fallbacks that may
/// also decrypt.
#[derive(Debug, Clone)]
pub struct TargetConfig {
    /// The primary method, then each fallback in order.
    pub methods: Vec<Method>,
}

impl TargetConfig {
    /// A target; `enforced` refuses an `unencrypted` primary method, as OpenTofu does.
    ///
    /// # Errors
    /// [`CryptoError::Config`] for an enforced target whose primary method is `unencrypted`.
    pub fn new(target: &str, methods: Vec<Method>, enforced: bool) -> Result<Self, CryptoError> {
        if methods.is_empty() {
            return Err(CryptoError::config(target, "a method is required"));
        }
        if enforced && methods[0].is_unencrypted() {
            return Err(CryptoError::config(
                target,
                "encryption is enforced, but the method is unencrypted",
            ));
        }
        Ok(Self { methods })
    }
}

/// The encryption of a configuration: what encrypts states, and what encrypts plans.
#[derive(Debug, Default)]
pub struct Encryption {
    state: Option<Encryptor>,
    plan: Option<Encryptor>,
}

/// [`Encryption`] as configured.
#[derive(Debug, Clone, Default)]
pub struct EncryptionConfig {
    /// The `state` block.
    pub state: Option<TargetConfig>,
    /// The `plan` block.
    pub plan: Option<TargetConfig>,
}

impl Encryption {
    /// The encryption a configuration describes.
    #[must_use]
    pub fn new(config: EncryptionConfig) -> Self {
        Self {
            state: config.state.map(|t| Encryptor::new("state", t)),
            plan: config.plan.map(|t| Encryptor::new("plan", t)),
        }
    }

    /// The encryptor of state files, if states are encrypted.
    #[must_use]
    pub fn state(&self) -> Option<&Encryptor> {
        self.state.as_ref()
    }

    /// The encryptor of saved plan files, if plans are encrypted.
    #[must_use]
    pub fn plan(&self) -> Option<&Encryptor> {
        self.plan.as_ref()
    }
}

/// The plain bytes of a payload, and how they were read. Its `Debug` shows the length of the
/// plaintext, never the plaintext (a state holds secrets).
pub struct Decrypted {
    /// The plaintext.
    pub bytes: Vec<u8>,
    /// Read with a fallback method (or as plain data while the primary method encrypts): the
    /// next write re-encrypts it with the primary method.
    pub migrating: bool,
}

impl std::fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decrypted")
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("migrating", &self.migrating)
            .finish()
    }
}

/// The envelope's fields, as OpenTofu names them.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    serial: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lineage: Option<serde_json::Value>,
    #[serde(default)]
    meta: BTreeMap<String, String>,
    #[serde(default)]
    encrypted_data: Option<String>,
    #[serde(default)]
    encryption_version: Option<String>,
}

/// Whether `bytes` are an encrypted envelope (OpenTofu's test: a JSON object with a non-empty
/// `encryption_version`).
#[must_use]
pub fn is_encrypted(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Envelope>(bytes)
        .ok()
        .and_then(|e| e.encryption_version)
        .is_some_and(|v| !v.is_empty())
}

/// Encrypts and decrypts one kind of payload (states or plans) with a target's methods. Its
/// `Debug` shows the methods (passphrases redacted) and how many keys are derived, never a key.
pub struct Encryptor {
    target: &'static str,
    config: TargetConfig,
    /// The primary method's key and its metadata, made on first use (one salt per run).
    primary: OnceLock<(Vec<u8>, String, String)>,
    /// Keys derived for decryption, by method index and metadata (PBKDF2 is slow on purpose).
    derived: Mutex<HashMap<(usize, KeyMeta), Vec<u8>>>,
}

impl std::fmt::Debug for Encryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let derived = self
            .derived
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("Encryptor")
            .field("target", &self.target)
            .field("config", &self.config)
            .field(
                "primary",
                &self
                    .primary
                    .get()
                    .map(|(_, meta_key, _)| (meta_key, REDACTED)),
            )
            .field("derived_keys", &derived)
            .finish()
    }
}

impl Encryptor {
    /// An encryptor of `target` payloads (`state`, `plan`: for messages).
    #[must_use]
    pub fn new(target: &'static str, config: TargetConfig) -> Self {
        Self {
            target,
            config,
            primary: OnceLock::new(),
            derived: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the primary method writes plain payloads.
    #[must_use]
    pub fn writes_plain(&self) -> bool {
        self.config.methods[0].is_unencrypted()
    }

    /// Encrypts `plain` with the primary method (a state's `serial` and `lineage` are copied
    /// into the envelope in clear, as OpenTofu does). An `unencrypted` primary method returns
    /// `plain` as it is.
    ///
    /// # Errors
    /// [`CryptoError::Failure`] when the random source or the cipher fails.
    pub fn encrypt(&self, plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let Method::AesGcm { keys, aad, .. } = &self.config.methods[0] else {
            return Ok(plain.to_vec());
        };
        let (key, meta_key, meta) = self.primary_key(keys)?;
        let mut nonce = [0_u8; NONCE_LENGTH];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| CryptoError::Failure {
            message: "could not generate a nonce".into(),
        })?;
        let sealing = aes_key(key)?;
        let mut data = plain.to_vec();
        sealing
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad.as_slice()),
                &mut data,
            )
            .map_err(|_| CryptoError::Failure {
                message: "AES-GCM sealing failed".into(),
            })?;
        let mut payload = nonce.to_vec();
        payload.append(&mut data);
        let (serial, lineage) = if self.target == "state" {
            let plain: serde_json::Value = serde_json::from_slice(plain).unwrap_or_default();
            (
                Some(plain.get("serial").cloned().unwrap_or_default()),
                Some(plain.get("lineage").cloned().unwrap_or_default()),
            )
        } else {
            (None, None)
        };
        let envelope = Envelope {
            serial,
            lineage,
            meta: BTreeMap::from([(meta_key.clone(), meta.clone())]),
            encrypted_data: Some(BASE64.encode(payload)),
            encryption_version: Some(ENVELOPE_VERSION.to_owned()),
        };
        Ok(serde_json::to_vec(&envelope).expect("an envelope is plain JSON data"))
    }

    /// Decrypts `bytes`: with the primary method, else each fallback in order. A plain payload
    /// is returned as it is when an `unencrypted` method is configured.
    ///
    /// # Errors
    /// [`CryptoError::Decrypt`] naming each method tried (a wrong passphrase, damaged data),
    /// [`CryptoError::Unencrypted`], [`CryptoError::Malformed`].
    pub fn decrypt(&self, bytes: &[u8]) -> Result<Decrypted, CryptoError> {
        let envelope = serde_json::from_slice::<Envelope>(bytes)
            .ok()
            .filter(|e| e.encryption_version.as_ref().is_some_and(|v| !v.is_empty()));
        let Some(envelope) = envelope else {
            let position = self.config.methods.iter().position(Method::is_unencrypted);
            return match position {
                Some(i) => Ok(Decrypted {
                    bytes: bytes.to_vec(),
                    migrating: i != 0,
                }),
                None => Err(CryptoError::Unencrypted {
                    target: self.target,
                }),
            };
        };
        let malformed = |message: String| CryptoError::Malformed {
            target: self.target,
            message,
        };
        if envelope.encryption_version.as_deref() != Some(ENVELOPE_VERSION) {
            return Err(malformed(format!(
                "envelope version {:?}, expected \"{ENVELOPE_VERSION}\"",
                envelope.encryption_version.unwrap_or_default()
            )));
        }
        let data = BASE64
            .decode(envelope.encrypted_data.unwrap_or_default())
            .map_err(|e| malformed(format!("encrypted_data is not base64: {e}")))?;
        let mut attempts = Vec::new();
        for (i, method) in self.config.methods.iter().enumerate() {
            let Method::AesGcm { keys, aad, .. } = method else {
                continue;
            };
            match self.open(i, keys, aad, &envelope.meta, &data) {
                Ok(plain) => {
                    return Ok(Decrypted {
                        bytes: plain,
                        migrating: i != 0,
                    });
                }
                Err(why) => attempts.push(format!("{}: {why}", method.address())),
            }
        }
        Err(CryptoError::Decrypt {
            target: self.target,
            attempts,
        })
    }

    /// Opens `data` with one `aes_gcm` method: the reason it cannot, in words.
    fn open(
        &self,
        index: usize,
        keys: &Pbkdf2,
        aad: &[u8],
        meta: &BTreeMap<String, String>,
        data: &[u8],
    ) -> Result<Vec<u8>, String> {
        let meta_key = keys.meta_key();
        let encoded = meta
            .get(&meta_key)
            .ok_or_else(|| format!("the payload has no key metadata for {meta_key}"))?;
        let json = BASE64
            .decode(encoded)
            .map_err(|e| format!("the key metadata of {meta_key} is not base64: {e}"))?;
        let key_meta: KeyMeta = serde_json::from_slice(&json)
            .map_err(|e| format!("the key metadata of {meta_key} is malformed: {e}"))?;
        if key_meta.iterations == 0 || key_meta.salt.is_empty() {
            return Err(format!("the key metadata of {meta_key} is incomplete"));
        }
        if !matches!(key_meta.key_length, 16 | 24 | 32) {
            return Err(format!(
                "the key metadata of {meta_key} names a {}-byte key, which AES-GCM cannot use",
                key_meta.key_length
            ));
        }
        if data.len() < NONCE_LENGTH {
            return Err("the data is too short (damaged)".into());
        }
        let key = {
            let mut cache = self.derived.lock().unwrap_or_else(PoisonError::into_inner);
            cache
                .entry((index, key_meta.clone()))
                .or_insert_with(|| keys.derive(&key_meta))
                .clone()
        };
        let opening = aes_key(&key).map_err(|e| e.to_string())?;
        let (nonce, sealed) = data.split_at(NONCE_LENGTH);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| "bad nonce".to_owned())?;
        let mut buffer = sealed.to_vec();
        let plain = opening
            .open_in_place(nonce, Aad::from(aad), &mut buffer)
            .map_err(|_| {
                "authentication failed (a wrong passphrase, or damaged data)".to_owned()
            })?;
        Ok(plain.to_vec())
    }

    /// The primary method's key, metadata key and encoded metadata, made once.
    fn primary_key(&self, keys: &Pbkdf2) -> Result<&(Vec<u8>, String, String), CryptoError> {
        if let Some(made) = self.primary.get() {
            return Ok(made);
        }
        let mut salt = vec![0; keys.salt_length];
        aws_lc_rs::rand::fill(&mut salt).map_err(|_| CryptoError::Failure {
            message: format!("failed to obtain {} bytes of random data", keys.salt_length),
        })?;
        let meta = KeyMeta {
            salt,
            iterations: keys.iterations,
            hash_function: keys.hash,
            key_length: keys.key_length,
        };
        let key = keys.derive(&meta);
        let encoded =
            BASE64.encode(serde_json::to_vec(&meta).expect("key metadata is plain JSON data"));
        Ok(self.primary.get_or_init(|| (key, keys.meta_key(), encoded)))
    }
}

fn aes_key(key: &[u8]) -> Result<LessSafeKey, CryptoError> {
    let algorithm = match key.len() {
        16 => &AES_128_GCM,
        24 => &AES_192_GCM,
        32 => &AES_256_GCM,
        n => {
            return Err(CryptoError::Failure {
                message: format!("AES-GCM cannot use a {n}-byte key"),
            });
        }
    };
    let unbound = UnboundKey::new(algorithm, key).map_err(|_| CryptoError::Failure {
        message: "AES-GCM key setup failed".into(),
    })?;
    Ok(LessSafeKey::new(unbound))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSPHRASE: &str = "correct horse battery staple";

    fn provider(name: &str, passphrase: &str) -> Pbkdf2 {
        Pbkdf2::new(
            name,
            SecretString::from(passphrase.to_owned()),
            &Pbkdf2Options {
                iterations: Some(i64::from(MIN_ITERATIONS)),
                ..Pbkdf2Options::default()
            },
        )
        .expect("valid provider")
    }

    fn aes(name: &str, passphrase: &str) -> Method {
        Method::aes_gcm(name, provider(name, passphrase), Vec::new()).expect("valid method")
    }

    #[test]
    fn debug_never_shows_a_passphrase_a_key_or_a_plaintext() {
        let fallback = "an older passphrase, kept for rotation";
        let config = TargetConfig::new(
            "state",
            vec![aes("new", PASSPHRASE), aes("old", fallback)],
            false,
        )
        .expect("valid target");
        let encryption = Encryption::new(EncryptionConfig {
            state: Some(config.clone()),
            plan: Some(config.clone()),
        });
        let plain = br#"{"serial":1,"lineage":"l","secret":"hunter2-plaintext"}"#;
        let sealed = encryption
            .state()
            .expect("state target")
            .encrypt(plain)
            .expect("encrypts");
        let opened = encryption
            .state()
            .expect("state target")
            .decrypt(&sealed)
            .expect("decrypts");
        let (key, _, _) = encryption
            .state()
            .expect("state target")
            .primary
            .get()
            .expect("a key was derived");
        let key_text = format!("{key:?}");
        let key_bytes = format!("{:?}", &key[..4]);
        let shown = [
            format!("{:?}", provider("p", PASSPHRASE)),
            format!("{:?}", aes("m", PASSPHRASE)),
            format!("{config:?}"),
            format!(
                "{:?}",
                EncryptionConfig {
                    state: Some(config.clone()),
                    plan: None
                }
            ),
            format!("{encryption:?}"),
            format!("{:?}", encryption.state()),
            format!("{opened:?}"),
        ];
        for text in &shown {
            assert!(!text.contains(PASSPHRASE), "{text}");
            assert!(!text.contains(fallback), "{text}");
            assert!(!text.contains("hunter2"), "{text}");
            assert!(!text.contains(&key_text), "{text}");
            assert!(!text.contains(key_bytes.trim_end_matches(']')), "{text}");
        }
        assert!(shown[0].contains("[REDACTED]"), "{}", shown[0]);
        assert!(shown[4].contains("[REDACTED]"), "{}", shown[4]);
        assert!(
            shown[6].contains(&format!("<{} bytes>", plain.len())),
            "{}",
            shown[6]
        );
    }

    fn encryptor(methods: Vec<Method>) -> Encryptor {
        Encryptor::new(
            "state",
            TargetConfig::new("state", methods, false).expect("target"),
        )
    }

    const STATE: &[u8] =
        br#"{"version":4,"serial":7,"lineage":"abc","outputs":{"token":{"value":"s3cr3t-value"}}}"#;

    #[test]
    fn a_state_round_trips_and_its_envelope_holds_nothing_in_clear() {
        let e = encryptor(vec![aes("main", PASSPHRASE)]);
        let sealed = e.encrypt(STATE).expect("encrypt");
        let text = String::from_utf8(sealed.clone()).expect("JSON text");
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(!text.contains("outputs"), "{text}");
        let envelope: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(envelope["serial"], 7);
        assert_eq!(envelope["lineage"], "abc");
        assert_eq!(envelope["encryption_version"], "v0");
        assert!(envelope["meta"]["key_provider.pbkdf2.main"].is_string());
        assert!(is_encrypted(&sealed));
        let opened = e.decrypt(&sealed).expect("decrypt");
        assert_eq!(opened.bytes, STATE);
        assert!(!opened.migrating);
    }

    #[test]
    fn a_wrong_passphrase_is_a_decrypt_error_naming_the_method() {
        let sealed = encryptor(vec![aes("main", PASSPHRASE)])
            .encrypt(STATE)
            .expect("encrypt");
        let err = encryptor(vec![aes("main", "another passphrase entirely")])
            .decrypt(&sealed)
            .expect_err("wrong key");
        assert_eq!(err.code(), "scw::state::decrypt");
        let message = err.to_string();
        assert!(message.contains("method.aes_gcm.main"), "{message}");
        assert!(message.contains("authentication failed"), "{message}");
        assert!(!message.contains("another passphrase"), "{message}");
    }

    #[test]
    fn a_fallback_decrypts_after_rotation_and_marks_the_migration() {
        let sealed = encryptor(vec![aes("old", PASSPHRASE)])
            .encrypt(STATE)
            .expect("encrypt");
        let rotated = encryptor(vec![
            aes("new", "a brand new passphrase"),
            aes("old", PASSPHRASE),
        ]);
        let opened = rotated.decrypt(&sealed).expect("fallback");
        assert_eq!(opened.bytes, STATE);
        assert!(opened.migrating);
        let resealed = rotated.encrypt(&opened.bytes).expect("encrypt");
        let new_only = encryptor(vec![aes("new", "a brand new passphrase")]);
        assert_eq!(new_only.decrypt(&resealed).expect("new key").bytes, STATE);
    }

    #[test]
    fn plain_payloads_need_an_unencrypted_method() {
        let strict = encryptor(vec![aes("main", PASSPHRASE)]);
        assert_eq!(
            strict.decrypt(STATE).expect_err("plain").code(),
            "scw::state::unencrypted"
        );
        let migrating = encryptor(vec![
            aes("main", PASSPHRASE),
            Method::Unencrypted {
                name: "migrate".into(),
            },
        ]);
        assert!(migrating.decrypt(STATE).expect("plain allowed").migrating);
    }

    #[test]
    fn provider_settings_follow_opentofus_rules() {
        let short = Pbkdf2::new(
            "k",
            SecretString::from("short".to_owned()),
            &Pbkdf2Options::default(),
        );
        assert!(short.expect_err("short").to_string().contains("too short"));
        let weak = Pbkdf2::new(
            "k",
            SecretString::from(PASSPHRASE.to_owned()),
            &Pbkdf2Options {
                iterations: Some(1000),
                ..Pbkdf2Options::default()
            },
        );
        assert!(
            weak.expect_err("weak")
                .to_string()
                .contains("dangerously low")
        );
        let odd = Pbkdf2::new(
            "k",
            SecretString::from(PASSPHRASE.to_owned()),
            &Pbkdf2Options {
                key_length: Some(20),
                ..Pbkdf2Options::default()
            },
        )
        .expect("pbkdf2 takes any length");
        assert!(Method::aes_gcm("m", odd, Vec::new()).is_err());
        assert!(
            TargetConfig::new(
                "state",
                vec![Method::Unencrypted { name: "u".into() }],
                true
            )
            .is_err()
        );
    }
}
