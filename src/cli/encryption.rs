//! The `encryption` block of the configuration (merged with `TF_ENCRYPTION` when the
//! configuration is loaded) turned into the state layer's [`Encryption`]: key providers,
//! methods, and the `state` and `plan` targets with their `fallback` chains, as OpenTofu reads
//! them.
//!
//! Only the shape is checked here (which blocks and attributes exist, what they refer to); the
//! rules on values (passphrase length, iterations, key sizes) live in [`crate::state::crypto`].
//! Every problem is reported at once, pointing at the setting.
//!
//! Depends on `model::settings` (the lowered block) and `state::crypto`.

use std::collections::BTreeMap;

use secrecy::SecretString;

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::settings::{SettingValue, SettingsAttribute, SettingsBlock};
use crate::state::crypto::{
    CryptoError, Encryption, EncryptionConfig, Method, Pbkdf2, Pbkdf2Options, TargetConfig,
};

/// The diagnostic code of every problem in an `encryption` block.
const CODE: &str = "scw::state::encryption_config";

/// The encryption an `encryption` block describes.
///
/// # Errors
/// Every problem found, each pointing at its setting.
pub fn encryption(block: &SettingsBlock) -> Result<Encryption, Diagnostics> {
    let mut reader = Reader::default();
    let mut providers = BTreeMap::new();
    for kp in block.blocks_of("key_provider") {
        if let Some((name, provider)) = reader.key_provider(kp) {
            providers.insert(name, provider);
        }
    }
    let mut methods = BTreeMap::new();
    for m in block.blocks_of("method") {
        if let Some((address, method)) = reader.method(m, &providers) {
            methods.insert(address, method);
        }
    }
    let mut config = EncryptionConfig::default();
    for target in &block.blocks {
        match target.kind.as_str() {
            "key_provider" | "method" => {}
            "state" | "plan" => {
                let slot = if target.kind == "state" {
                    &mut config.state
                } else {
                    &mut config.plan
                };
                if slot.is_some() {
                    reader.error(target.span, format!("Duplicate {} block", target.kind), "");
                    continue;
                }
                *slot = reader.target(target, &methods);
            }
            "remote_state_data_sources" => reader.error(
                target.span,
                "remote_state_data_sources is not supported".to_owned(),
                "scwform has no terraform_remote_state data source.",
            ),
            other => reader.error(
                target.span,
                format!("Unsupported block type \"{other}\" in encryption"),
                "An encryption block holds key_provider, method, state and plan blocks.",
            ),
        }
    }
    for attr in &block.attributes {
        reader.error(
            attr.span,
            format!("Unsupported argument \"{}\" in encryption", attr.name),
            "",
        );
    }
    if reader.diags.has_errors() {
        return Err(reader.diags);
    }
    Ok(Encryption::new(config))
}

#[derive(Default)]
struct Reader {
    diags: Diagnostics,
}

impl Reader {
    fn error(&mut self, span: Span, summary: String, detail: &str) {
        let mut d = Diagnostic::error(CODE, summary).with_primary(span, "here");
        if !detail.is_empty() {
            d = d.with_detail(detail.to_owned());
        }
        self.diags.push(d);
    }

    fn crypto(&mut self, span: Span, e: &CryptoError) {
        let mut d = Diagnostic::error(CODE, "Invalid encryption configuration")
            .with_primary(span, "here")
            .with_detail(e.to_string());
        if let Some(help) = e.help() {
            d = d.with_help(help);
        }
        self.diags.push(d);
    }

    /// Reports attributes and blocks of `block` not in `known`.
    fn only(&mut self, block: &SettingsBlock, known: &[&str], blocks: &[&str]) {
        let subject = format!("{} {}", block.kind, block.labels.join("."));
        for a in &block.attributes {
            if !known.contains(&a.name.as_str()) {
                self.error(
                    a.span,
                    format!("Unsupported argument \"{}\" in {subject}", a.name),
                    &format!("Expected one of: {}.", known.join(", ")),
                );
            }
        }
        for b in &block.blocks {
            if !blocks.contains(&b.kind.as_str()) {
                self.error(
                    b.span,
                    format!("Unsupported block \"{}\" in {subject}", b.kind),
                    "",
                );
            }
        }
    }

    fn labels<'a>(&mut self, block: &'a SettingsBlock) -> Option<(&'a str, &'a str)> {
        if let [kind, name] = block.labels.as_slice() {
            Some((kind, name))
        } else {
            self.error(
                block.span,
                format!("Invalid {} block", block.kind),
                &format!(
                    "A {} block has two labels: its type and its name.",
                    block.kind
                ),
            );
            None
        }
    }

    fn string(&mut self, attr: &SettingsAttribute) -> Option<String> {
        match &attr.value {
            SettingValue::Value(serde_json::Value::String(s)) => Some(s.clone()),
            SettingValue::Value(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => {
                self.error(
                    attr.span,
                    format!("Invalid value for \"{}\"", attr.name),
                    "A string known before apply is required.",
                );
                None
            }
        }
    }

    fn integer(&mut self, attr: &SettingsAttribute) -> Option<i64> {
        let value = match &attr.value {
            SettingValue::Value(serde_json::Value::Number(n)) => n.as_i64(),
            SettingValue::Value(serde_json::Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        if value.is_none() {
            self.error(
                attr.span,
                format!("Invalid value for \"{}\"", attr.name),
                "A whole number is required.",
            );
        }
        value
    }

    fn reference<'a>(&mut self, attr: &'a SettingsAttribute, root: &str) -> Option<&'a [String]> {
        match &attr.value {
            SettingValue::Reference(path) if path.len() == 3 && path[0] == root => Some(&path[1..]),
            _ => {
                self.error(
                    attr.span,
                    format!("Invalid value for \"{}\"", attr.name),
                    &format!("A reference to a {root} block is required: {root}.TYPE.NAME."),
                );
                None
            }
        }
    }

    fn key_provider(&mut self, block: &SettingsBlock) -> Option<((String, String), Pbkdf2)> {
        let (kind, name) = self.labels(block)?;
        if kind != "pbkdf2" {
            self.error(
                block.span,
                format!("Unsupported key_provider type \"{kind}\""),
                "scwform has the \"pbkdf2\" key provider (a passphrase).",
            );
            return None;
        }
        self.only(
            block,
            &[
                "passphrase",
                "key_length",
                "iterations",
                "hash_function",
                "salt_length",
                "encrypted_metadata_alias",
            ],
            &[],
        );
        let mut options = Pbkdf2Options::default();
        let mut passphrase = None;
        for attr in &block.attributes {
            match attr.name.as_str() {
                "passphrase" => passphrase = self.string(attr),
                "key_length" => options.key_length = self.integer(attr),
                "iterations" => options.iterations = self.integer(attr),
                "salt_length" => options.salt_length = self.integer(attr),
                "hash_function" => options.hash_function = self.string(attr),
                "encrypted_metadata_alias" => options.alias = self.string(attr),
                _ => {}
            }
        }
        let Some(passphrase) = passphrase else {
            if block.attribute("passphrase").is_none() {
                self.error(
                    block.span,
                    "Missing required argument \"passphrase\"".to_owned(),
                    "A pbkdf2 key provider derives its key from a passphrase.",
                );
            }
            return None;
        };
        match Pbkdf2::new(name, SecretString::from(passphrase), &options) {
            Ok(p) => Some(((kind.to_owned(), name.to_owned()), p)),
            Err(e) => {
                self.crypto(block.span, &e);
                None
            }
        }
    }

    fn method(
        &mut self,
        block: &SettingsBlock,
        providers: &BTreeMap<(String, String), Pbkdf2>,
    ) -> Option<((String, String), Method)> {
        let (kind, name) = self.labels(block)?;
        let address = (kind.to_owned(), name.to_owned());
        match kind {
            "unencrypted" => {
                self.only(block, &[], &[]);
                Some((
                    address,
                    Method::Unencrypted {
                        name: name.to_owned(),
                    },
                ))
            }
            "aes_gcm" => {
                self.only(block, &["keys", "aad"], &[]);
                let Some(keys) = block.attribute("keys") else {
                    self.error(
                        block.span,
                        "Missing required argument \"keys\"".to_owned(),
                        "An aes_gcm method takes its key from a key provider: keys = key_provider.pbkdf2.NAME.",
                    );
                    return None;
                };
                let target = self.reference(keys, "key_provider")?;
                let Some(provider) = providers.get(&(target[0].clone(), target[1].clone())) else {
                    self.error(
                        keys.span,
                        format!("Undefined key provider key_provider.{}", target.join(".")),
                        "Key providers are declared in the same encryption block.",
                    );
                    return None;
                };
                let aad = match block.attribute("aad") {
                    None => Vec::new(),
                    Some(attr) => self.aad(attr)?,
                };
                match Method::aes_gcm(name, provider.clone(), aad) {
                    Ok(m) => Some((address, m)),
                    Err(e) => {
                        self.crypto(block.span, &e);
                        None
                    }
                }
            }
            other => {
                self.error(
                    block.span,
                    format!("Unsupported method type \"{other}\""),
                    "scwform has the \"aes_gcm\" and \"unencrypted\" methods.",
                );
                None
            }
        }
    }

    /// `aad`: a string (its UTF-8 bytes) or a list of byte values.
    fn aad(&mut self, attr: &SettingsAttribute) -> Option<Vec<u8>> {
        let bytes = match &attr.value {
            SettingValue::Value(serde_json::Value::String(s)) => Some(s.as_bytes().to_vec()),
            SettingValue::Value(serde_json::Value::Array(items)) => items
                .iter()
                .map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok()))
                .collect(),
            _ => None,
        };
        if bytes.is_none() {
            self.error(
                attr.span,
                "Invalid value for \"aad\"".to_owned(),
                "A string or a list of byte values (0 to 255) is required.",
            );
        }
        bytes
    }

    /// A `state`/`plan` block (or a `fallback` inside one): its method, then its fallbacks.
    fn methods_of(
        &mut self,
        block: &SettingsBlock,
        methods: &BTreeMap<(String, String), Method>,
        out: &mut Vec<Method>,
    ) -> bool {
        let Some(attr) = block.attribute("method") else {
            self.error(
                block.span,
                "Missing required argument \"method\"".to_owned(),
                "Name the method: method = method.aes_gcm.NAME.",
            );
            return false;
        };
        let Some(target) = self.reference(attr, "method") else {
            return false;
        };
        let Some(method) = methods.get(&(target[0].clone(), target[1].clone())) else {
            self.error(
                attr.span,
                format!("Undefined method method.{}", target.join(".")),
                "Methods are declared in the same encryption block.",
            );
            return false;
        };
        out.push(method.clone());
        let mut fallbacks = block.blocks_of("fallback");
        if let Some(fallback) = fallbacks.next() {
            self.only(fallback, &["method"], &["fallback"]);
            if !self.methods_of(fallback, methods, out) {
                return false;
            }
        }
        for extra in fallbacks {
            self.error(extra.span, "Duplicate fallback block".to_owned(), "");
        }
        true
    }

    fn target(
        &mut self,
        block: &SettingsBlock,
        methods: &BTreeMap<(String, String), Method>,
    ) -> Option<TargetConfig> {
        self.only(block, &["method", "enforced"], &["fallback"]);
        let enforced = match block.attribute("enforced") {
            None => false,
            Some(attr) => {
                if let SettingValue::Value(serde_json::Value::Bool(b)) = &attr.value {
                    *b
                } else {
                    self.error(
                        attr.span,
                        "Invalid value for \"enforced\"".to_owned(),
                        "true or false is required.",
                    );
                    false
                }
            }
        };
        let mut chain = Vec::new();
        if !self.methods_of(block, methods, &mut chain) {
            return None;
        }
        match TargetConfig::new(&block.kind, chain, enforced) {
            Ok(t) => Some(t),
            Err(e) => {
                self.crypto(block.span, &e);
                None
            }
        }
    }
}
