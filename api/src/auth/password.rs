//! Password hashing (Argon2id with the OWASP parameters of the `argon2` crate's defaults:
//! 19 MiB, t=2, p=1) and strength checks (zxcvbn). Hashing is slow on purpose, so callers run
//! it on the blocking pool ([`hash`] and [`verify`] do).

use std::sync::LazyLock;

use actix_web::web;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::{ApiError, FieldErrors};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

/// Verified when the account does not exist, so an unknown email costs as much time as a
/// wrong password and the two cannot be told apart.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now("dummy password for timing equalisation").unwrap_or_default());

/// Computes the dummy hash now, so the first login with an unknown email is not faster
/// than the others (which would tell that the email is unknown).
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

/// Hashes on the current thread (for the CLI; handlers use [`hash`]).
pub fn hash_sync(password: &str) -> Result<String, ApiError> {
    hash_now(password)
}

fn hash_now(password: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(ApiError::internal)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

fn verify_now(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Hashes on the blocking pool.
pub async fn hash(password: String) -> Result<String, ApiError> {
    web::block(move || hash_now(&password)).await?
}

/// Verifies on the blocking pool; `None` (no such account) still spends the time of a check.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    web::block(move || match stored {
        Some(stored) => verify_now(&password, &stored),
        None => {
            let _ = verify_now(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .map_err(ApiError::from)
}

/// Refuses passwords outside 10–128 characters or that zxcvbn scores below 3 (with the
/// user's own email and name counted as guessable). The messages carry zxcvbn's feedback.
pub fn check_strength(field: &str, password: &str, user_inputs: &[&str]) -> Result<(), ApiError> {
    let len = password.chars().count();
    let mut messages = Vec::new();
    if len < MIN_LEN {
        messages.push(format!("must be at least {MIN_LEN} characters"));
    } else if len > MAX_LEN {
        messages.push(format!("must be at most {MAX_LEN} characters"));
    } else {
        let inputs: Vec<&str> = user_inputs
            .iter()
            .flat_map(|s| s.split(|c: char| !c.is_alphanumeric()))
            .filter(|s| s.len() >= 3)
            .chain(user_inputs.iter().copied())
            .collect();
        let entropy = zxcvbn::zxcvbn(password, &inputs);
        if u8::from(entropy.score()) < 3 {
            messages.push("is too easy to guess".to_owned());
            if let Some(feedback) = entropy.feedback() {
                if let Some(warning) = feedback.warning() {
                    messages.push(warning.to_string());
                }
                messages.extend(feedback.suggestions().iter().map(ToString::to_string));
            } else {
                messages.push("Add more words or characters that are less common.".to_owned());
            }
        }
    }
    if messages.is_empty() {
        return Ok(());
    }
    let mut errors = FieldErrors::new();
    errors.insert(field.to_owned(), messages);
    Err(ApiError::validation(errors))
}

/// [`check_strength`]'s messages by field, empty when the password is acceptable.
pub fn strength_errors(field: &str, password: &str, user_inputs: &[&str]) -> FieldErrors {
    match check_strength(field, password, user_inputs) {
        Ok(()) => FieldErrors::new(),
        Err(err) => err.problem().errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_feedback() {
        let cases: &[(&str, bool, &str)] = &[
            ("short", false, "too short"),
            ("password123", false, "common password"),
            ("jean.dupont@example.fr", false, "the user's own email"),
            ("aaaaaaaaaaaa", false, "repeated characters"),
            (&"x".repeat(129), false, "too long"),
            (
                "Vol-de-nuit sur Robin DR400 au-dessus de Chartres!",
                true,
                "a long passphrase",
            ),
            ("tA9#kq2!Lm7$wz", true, "random characters"),
        ];
        for (password, ok, why) in cases {
            let result = check_strength(
                "password",
                password,
                &["jean.dupont@example.fr", "Jean Dupont"],
            );
            assert_eq!(result.is_ok(), *ok, "{why}");
            if let Err(err) = result {
                let problem = err.problem();
                assert!(!problem.errors["password"].is_empty(), "{why}");
            }
        }
    }

    #[test]
    fn hashes_verify_and_are_salted() -> Result<(), ApiError> {
        let a = hash_now("Vol de nuit sur Robin DR400")?;
        let b = hash_now("Vol de nuit sur Robin DR400")?;
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert!(verify_now("Vol de nuit sur Robin DR400", &a));
        assert!(!verify_now("vol de nuit sur robin dr400", &a));
        assert!(!verify_now("anything", "not a hash"));
        Ok(())
    }
}
