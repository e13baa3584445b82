//! Access tokens (JWT, HS256 pinned, 15 minutes) and opaque random tokens (refresh tokens,
//! personal access tokens, email links), which are stored only as SHA-256 hashes.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::ApiError;

pub const ACCESS_TTL: Duration = Duration::from_secs(15 * 60);
pub const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Prefix of personal access tokens, so a leaked one is easy to grep for.
pub const PAT_PREFIX: &str = "hgr_";
const AUDIENCE: &str = "hangar-api";

/// The claims of an access token. Every one is required when decoding.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub iss: String,
    pub aud: String,
    pub jti: Uuid,
    pub role: String,
    /// The user's token version when the token was issued.
    pub tv: i32,
}

/// Signing and verification keys, built once from `JWT_SECRET`.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
}

impl JwtKeys {
    pub fn new(secret: &str, issuer: &str) -> Result<Self, ApiError> {
        let encoding = EncodingKey::from_secret(secret.as_bytes()).map_err(ApiError::internal)?;
        let decoding = DecodingKey::from_secret(secret.as_bytes()).map_err(ApiError::internal)?;
        // One algorithm, pinned: `alg: none` and every other algorithm are refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = 30;
        Ok(JwtKeys {
            encoding,
            decoding,
            validation,
            issuer: issuer.to_owned(),
        })
    }

    /// Issues an access token; returns it with its lifetime in seconds.
    pub fn issue(
        &self,
        user_id: Uuid,
        role: &str,
        token_version: i32,
    ) -> Result<(String, u64), ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            iat: now,
            nbf: now,
            exp: now + ACCESS_TTL.as_secs() as i64,
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            jti: Uuid::now_v7(),
            role: role.to_owned(),
            tv: token_version,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)?;
        Ok((token, ACCESS_TTL.as_secs()))
    }

    /// Verifies signature, algorithm and every claim; `None` for any invalid token.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// A fresh random token (256 bits, base64url) and its hash.
pub fn random_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// The stored form of an opaque token. A fast hash suffices: the tokens carry 256 bits of
/// entropy, so there is nothing to brute-force.
pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

    const SECRET: &str = "test-secret-that-is-long-enough-0123456789";

    fn keys() -> JwtKeys {
        JwtKeys::new(SECRET, "http://hangar.test").unwrap_or_else(|e| panic!("{e}"))
    }

    fn sign(alg: Algorithm, claims: serde_json::Value, secret: &str) -> String {
        let key = EncodingKey::from_secret(secret.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        jsonwebtoken::encode(&Header::new(alg), &claims, &key).unwrap_or_else(|e| panic!("{e}"))
    }

    fn claims(overrides: serde_json::Value) -> serde_json::Value {
        let now = chrono::Utc::now().timestamp();
        let mut c = serde_json::json!({
            "sub": Uuid::now_v7(), "exp": now + 600, "iat": now, "nbf": now,
            "iss": "http://hangar.test", "aud": "hangar-api", "jti": Uuid::now_v7(),
            "role": "user", "tv": 0
        });
        if let (Some(map), Some(o)) = (c.as_object_mut(), overrides.as_object()) {
            for (k, v) in o {
                if v.is_null() {
                    map.remove(k);
                } else {
                    map.insert(k.clone(), v.clone());
                }
            }
        }
        c
    }

    #[test]
    fn issued_tokens_verify() -> Result<(), ApiError> {
        let keys = keys();
        let id = Uuid::now_v7();
        let (token, ttl) = keys.issue(id, "admin", 3)?;
        assert_eq!(ttl, 900);
        let claims = keys
            .verify(&token)
            .ok_or_else(|| ApiError::internal("refused"))?;
        assert_eq!(
            (claims.sub, claims.role.as_str(), claims.tv),
            (id, "admin", 3)
        );
        Ok(())
    }

    #[test]
    fn forged_and_invalid_tokens_are_refused() {
        let keys = keys();
        let hs256 = Algorithm::HS256;
        let now = chrono::Utc::now().timestamp();
        let ok = sign(hs256, claims(serde_json::json!({})), SECRET);
        assert!(
            keys.verify(&ok).is_some(),
            "the forging helper itself is right"
        );
        let cases: Vec<(String, &str)> = vec![
            (
                format!(
                    "{}.{}.",
                    B64.encode(r#"{"alg":"none","typ":"JWT"}"#),
                    B64.encode(claims(serde_json::json!({})).to_string())
                ),
                "alg none",
            ),
            (
                sign(Algorithm::HS512, claims(serde_json::json!({})), SECRET),
                "another algorithm",
            ),
            (
                sign(
                    hs256,
                    claims(serde_json::json!({})),
                    "another-secret-that-is-long-enough-000",
                ),
                "another key",
            ),
            (
                sign(
                    hs256,
                    claims(serde_json::json!({"exp": now - 3600})),
                    SECRET,
                ),
                "expired",
            ),
            (
                sign(
                    hs256,
                    claims(serde_json::json!({"nbf": now + 3600})),
                    SECRET,
                ),
                "not yet valid",
            ),
            (
                sign(
                    hs256,
                    claims(serde_json::json!({"iss": "https://evil.test"})),
                    SECRET,
                ),
                "wrong issuer",
            ),
            (
                sign(
                    hs256,
                    claims(serde_json::json!({"aud": "other-api"})),
                    SECRET,
                ),
                "wrong audience",
            ),
            (
                sign(
                    hs256,
                    claims(serde_json::json!({"exp": (now + 600).to_string()})),
                    SECRET,
                ),
                "exp as a string",
            ),
            (
                sign(hs256, claims(serde_json::json!({"exp": null})), SECRET),
                "no exp",
            ),
            (
                sign(hs256, claims(serde_json::json!({"jti": null})), SECRET),
                "no jti",
            ),
            (
                sign(hs256, claims(serde_json::json!({"tv": null})), SECRET),
                "no token version",
            ),
            ("not-a-jwt".to_owned(), "garbage"),
            (random_token().0, "a refresh token"),
        ];
        for (token, why) in cases {
            assert!(keys.verify(&token).is_none(), "{why} must be refused");
        }
    }

    #[test]
    fn random_tokens_are_unique_and_hashed() {
        let (a, ha) = random_token();
        let (b, _) = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(ha, hash_token(&a));
        assert_eq!(ha.len(), 32);
    }
}
