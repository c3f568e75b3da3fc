//! Access tokens: HS256 JWTs with every registered claim required and checked.

use crate::domain::Role;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};

pub const AUDIENCE: &str = "buddymatch-api";

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: u64,
    pub exp: u64,
    pub role: Role,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    ttl_secs: u64,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid,
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str, ttl_secs: u64) -> anyhow::Result<JwtKeys> {
        anyhow::ensure!(
            secret.len() >= 32,
            "the signing key must be at least 32 bytes"
        );
        Ok(JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer: issuer.to_string(),
            ttl_secs,
        })
    }

    pub fn ttl_secs(&self) -> u64 {
        self.ttl_secs
    }

    pub fn issue(&self, user_id: &str, role: Role, now: u64) -> anyhow::Result<String> {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_string(),
            sub: user_id.to_string(),
            iat: now,
            exp: now + self.ttl_secs,
            role,
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        // Pinning the algorithm rules out "alg: none" and key-confusion tricks.
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[AUDIENCE]);
        v.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        v.leeway = 5;
        decode::<Claims>(token, &self.decoding, &v)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(&[7u8; 32], "http://test", 60).unwrap()
    }

    fn now() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    #[test]
    fn round_trip() {
        let t = keys().issue("u1", Role::Coordinator, now()).unwrap();
        let c = keys().verify(&t).unwrap();
        assert_eq!(c.sub, "u1");
        assert_eq!(c.role, Role::Coordinator);
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let old = keys().issue("u1", Role::Member, now() - 3600).unwrap();
        assert_eq!(keys().verify(&old).unwrap_err(), TokenError::Expired);

        let t = keys().issue("u1", Role::Member, now()).unwrap();
        let mut parts: Vec<String> = t.split('.').map(String::from).collect();
        parts[1] = parts[1].chars().rev().collect();
        assert_eq!(
            keys().verify(&parts.join(".")).unwrap_err(),
            TokenError::Invalid
        );

        let other = JwtKeys::new(&[8u8; 32], "http://test", 60).unwrap();
        assert_eq!(other.verify(&t).unwrap_err(), TokenError::Invalid);
        let other_issuer = JwtKeys::new(&[7u8; 32], "http://elsewhere", 60).unwrap();
        assert_eq!(other_issuer.verify(&t).unwrap_err(), TokenError::Invalid);
        assert!(JwtKeys::new(b"short", "x", 1).is_err());
    }
}
