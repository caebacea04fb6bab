//! Comparing a configured secret with what state keeps of it.
//!
//! The Scaleway API never returns secret environment variables in clear: it returns an argon2id
//! hash (PHC string form, `$argon2id$v=19$m=…$salt$hash`), and the provider keeps that hash in
//! state. A configured plaintext is unchanged when it verifies against the stored hash, which is
//! what the provider's `dsf.CompareArgon2idPasswordAndHash` diff suppression does.
//!
//! Both the planner (diff suppression) and the API mappings (which secrets a PATCH may leave
//! as they are) ask this question, and they must agree, so it lives here, below both.
//!
//! Pure (no I/O); depends only on the `argon2` crate.

use argon2::password_hash::{PasswordHash, PasswordVerifier};

/// Whether the configured `plaintext` is the secret behind `stored`: either `stored` is an
/// argon2 hash the plaintext verifies against, or (a state written by hand or by a test) the
/// stored value is the plaintext itself.
#[must_use]
pub fn secret_matches(plaintext: &str, stored: &str) -> bool {
    if plaintext == stored {
        return true;
    }
    match PasswordHash::new(stored) {
        Ok(hash) => argon2::Argon2::default()
            .verify_password(plaintext.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, SaltString};

    use super::*;

    fn hash(plain: &str) -> String {
        let salt = SaltString::encode_b64(b"fixed-test-salt!").expect("16 bytes is a valid salt");
        argon2::Argon2::default()
            .hash_password(plain.as_bytes(), &salt)
            .expect("default parameters are valid")
            .to_string()
    }

    #[test]
    fn plaintext_verifies_against_its_argon2_hash() {
        let stored = hash("hunter2");
        assert!(stored.starts_with("$argon2id$"));
        assert!(secret_matches("hunter2", &stored));
        assert!(!secret_matches("hunter3", &stored));
    }

    #[test]
    fn non_hash_values_compare_as_text() {
        assert!(secret_matches("same", "same"));
        assert!(!secret_matches("a", "b"));
        assert!(!secret_matches("a", "$argon2id$garbage"));
    }
}
