//! What the emulator makes up for secrets: argon2id hashes of secret variables, JWT-shaped
//! tokens and PEM-shaped public keys.
//!
//! Invariants: hashes are real argon2id PHC strings that verify against the plaintext (with the
//! configured, cheaper-than-production parameters); tokens and keys have the real shape but are
//! not signed with any real key.

use argon2::password_hash::{PasswordHasher, SaltString};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use super::clock::SplitMix64;

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashParams {
    /// Memory in KiB (production: 65536).
    pub memory_kib: u32,
    /// Passes (production: 3).
    pub iterations: u32,
    /// Lanes (production: 64).
    pub parallelism: u32,
}

impl Default for HashParams {
    /// Cheap parameters: a hash takes well under a millisecond in release builds.
    fn default() -> Self {
        Self {
            memory_kib: 256,
            iterations: 1,
            parallelism: 1,
        }
    }
}

/// Hashes a secret value into an argon2id PHC string with a salt drawn from `rng`.
pub(crate) fn hash_secret(value: &str, params: HashParams, rng: &mut SplitMix64) -> String {
    let mut salt = [0u8; 16];
    rng.fill(&mut salt);
    let hashed = SaltString::encode_b64(&salt).ok().and_then(|salt| {
        let params = argon2::Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .ok()?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        argon
            .hash_password(value.as_bytes(), &salt)
            .ok()
            .map(|h| h.to_string())
    });
    // Parameters are validated when the emulator starts, so hashing cannot fail here; the
    // fallback keeps the PHC shape rather than panicking on a request.
    hashed.unwrap_or_else(|| "$argon2id$v=19$m=256,t=1,p=1$invalid$invalid".to_owned())
}

/// Checks the parameters once, at start.
pub(crate) fn check_params(params: HashParams) -> Result<(), String> {
    argon2::Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        None,
    )
    .map(|_| ())
    .map_err(|e| format!("invalid argon2 parameters: {e}"))
}

/// What a serverless token is scoped to.
pub(crate) struct TokenClaims<'a> {
    pub(crate) token_id: &'a str,
    pub(crate) namespace_id: &'a str,
    pub(crate) application_id: &'a str,
    pub(crate) issued_at: i64,
    pub(crate) expires_at: Option<i64>,
}

/// A JWT-shaped token with the claims the real API puts in (see `docs/emulator.md`); the
/// signature is random bytes, not RS256.
pub(crate) fn make_jwt(claims: &TokenClaims<'_>, rng: &mut SplitMix64) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let mut body = serde_json::json!({
        "application_claim": [{
            "namespace_id": claims.namespace_id,
            "application_id": claims.application_id,
        }],
        "version": 2,
        "aud": "functions",
        "iss": "SCALEWAY",
        "sub": "token",
        "jti": claims.token_id,
        "iat": claims.issued_at,
        "nbf": claims.issued_at,
    });
    if let (Some(exp), Some(obj)) = (claims.expires_at, body.as_object_mut()) {
        obj.insert("exp".to_owned(), exp.into());
    }
    let body = URL_SAFE_NO_PAD.encode(body.to_string());
    let mut sig = [0u8; 64];
    rng.fill(&mut sig);
    format!("{header}.{body}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// A PEM-shaped `RSA PUBLIC KEY` block (random content of the right length, 64-column lines).
pub(crate) fn make_public_key(rng: &mut SplitMix64) -> String {
    let mut der = [0u8; 526];
    rng.fill(&mut der);
    // The DER header of a PKCS#1 4096-bit public key: SEQUENCE, then the modulus INTEGER.
    der[..9].copy_from_slice(&[0x30, 0x82, 0x02, 0x0a, 0x02, 0x82, 0x02, 0x01, 0x00]);
    let b64 = STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN RSA PUBLIC KEY-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END RSA PUBLIC KEY-----\n");
    pem
}

/// A random lowercase alphanumeric suffix (registry namespace names).
pub(crate) fn random_suffix(rng: &mut SplitMix64, len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| {
            #[allow(clippy::cast_possible_truncation)]
            let i = (rng.next_u64() % ALPHABET.len() as u64) as usize;
            char::from(ALPHABET[i])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;
    use argon2::password_hash::PasswordHash;

    #[test]
    fn hash_is_an_argon2id_phc_string_that_verifies() {
        let mut rng = SplitMix64::new(1);
        let h = hash_secret("value1", HashParams::default(), &mut rng);
        assert!(h.starts_with("$argon2id$v=19$m=256,t=1,p=1$"), "{h}");
        let parsed = PasswordHash::new(&h).unwrap();
        assert!(
            argon2::Argon2::default()
                .verify_password(b"value1", &parsed)
                .is_ok()
        );
    }

    #[test]
    fn jwt_has_three_parts_and_the_claims() {
        let mut rng = SplitMix64::new(1);
        let jwt = make_jwt(
            &TokenClaims {
                token_id: "t",
                namespace_id: "n",
                application_id: "",
                issued_at: 10,
                expires_at: Some(20),
            },
            &mut rng,
        );
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["jti"], "t");
        assert_eq!(claims["exp"], 20);
    }

    #[test]
    fn public_key_is_pem_shaped() {
        let pem = make_public_key(&mut SplitMix64::new(3));
        assert!(
            pem.starts_with("-----BEGIN RSA PUBLIC KEY-----\nMIICCgKCAgEA"),
            "{pem}"
        );
        assert!(pem.ends_with("-----END RSA PUBLIC KEY-----\n"));
    }
}
