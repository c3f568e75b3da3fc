//! Access tokens: HS256 JWTs with every registered claim required and checked.

use crate::domain::Role;
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};

pub const AUDIENCE: &str = "buddymatch-api";

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub iat: u64,
    pub exp: u64,
    pub role: Role,
    /// The login (refresh-token family) the token was issued in; each
    /// request checks it is still on. Required: a token without one could
    /// not be ended before it expires.
    pub sid: String,
}

/// Tokens are signed with the current key and carry its key id (`kid`);
/// retired keys still verify the tokens they signed until those expire, so
/// rotating the key logs nobody out.
#[derive(Clone)]
pub struct JwtKeys {
    kid: String,
    encoding: EncodingKey,
    verifying: Vec<(String, DecodingKey)>,
    issuer: String,
    ttl_secs: u64,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("kid", &self.kid)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid,
}

/// Clock difference tolerated between instances, in seconds.
const LEEWAY_SECS: u64 = 5;

/// A key's public name: a hash prefix, which reveals nothing usable about
/// a key of 32 or more random bytes.
fn key_id(secret: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"buddymatch-jwt-kid:")
        .chain_update(secret)
        .finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn check_length(secret: &[u8]) -> anyhow::Result<()> {
    anyhow::ensure!(
        secret.len() >= 32,
        "a signing key must be at least 32 bytes"
    );
    Ok(())
}

impl JwtKeys {
    pub fn new(secret: &[u8], issuer: &str, ttl_secs: u64) -> anyhow::Result<JwtKeys> {
        check_length(secret)?;
        let kid = key_id(secret);
        Ok(JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            verifying: vec![(kid.clone(), DecodingKey::from_secret(secret))],
            kid,
            issuer: issuer.to_string(),
            ttl_secs,
        })
    }

    /// Also accepts tokens signed with these retired keys.
    pub fn with_previous<'a>(
        mut self,
        secrets: impl IntoIterator<Item = &'a [u8]>,
    ) -> anyhow::Result<JwtKeys> {
        for secret in secrets {
            check_length(secret)?;
            let kid = key_id(secret);
            if !self.verifying.iter().any(|(k, _)| *k == kid) {
                self.verifying.push((kid, DecodingKey::from_secret(secret)));
            }
        }
        Ok(self)
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn ttl_secs(&self) -> u64 {
        self.ttl_secs
    }

    pub fn issue(
        &self,
        user_id: &str,
        session_id: &str,
        role: Role,
        now: u64,
    ) -> anyhow::Result<String> {
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_string(),
            sub: user_id.to_string(),
            iat: now,
            exp: now + self.ttl_secs,
            role,
            sid: session_id.to_string(),
        };
        self.sign(&claims)
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Signs any claims with the current key (for tokens other than access
    /// tokens, which say what they are by their audience).
    pub(crate) fn sign<T: serde::Serialize>(&self, claims: &T) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        Ok(encode(&header, claims, &self.encoding)?)
    }

    /// Checks signature, issuer, audience and expiry of a token [`sign`]ed
    /// by this key or a retired one.
    pub(crate) fn check<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        audience: &str,
    ) -> Result<T, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Invalid)?;
        let key = header
            .kid
            .and_then(|kid| self.verifying.iter().find(|(k, _)| *k == kid))
            .map(|(_, key)| key)
            .ok_or(TokenError::Invalid)?;
        // Pinning the algorithm rules out "alg: none" and key-confusion tricks.
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[audience]);
        v.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        v.leeway = LEEWAY_SECS;
        decode::<T>(token, key, &v)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }

    pub fn verify(&self, token: &str, now: u64) -> Result<Claims, TokenError> {
        let claims: Claims = self.check(token, AUDIENCE)?;
        // A token from the future was not issued by a clock we trust, and a
        // lifetime longer than ours was not issued by us.
        if claims.iat > now + LEEWAY_SECS || claims.exp.saturating_sub(claims.iat) > self.ttl_secs {
            return Err(TokenError::Invalid);
        }
        Ok(claims)
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
        let t = keys().issue("u1", "s1", Role::Coordinator, now()).unwrap();
        let c = keys().verify(&t, now()).unwrap();
        assert_eq!(c.sub, "u1");
        assert_eq!(c.role, Role::Coordinator);
        assert_eq!(c.sid, "s1");
    }

    #[test]
    fn a_token_without_a_session_is_refused() {
        #[derive(serde::Serialize)]
        struct Old {
            iss: String,
            aud: String,
            sub: String,
            iat: u64,
            exp: u64,
            role: Role,
        }
        let claims = Old {
            iss: "http://test".into(),
            aud: AUDIENCE.into(),
            sub: "u1".into(),
            iat: now(),
            exp: now() + 60,
            role: Role::Member,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(keys().kid().to_string());
        let t = encode(&header, &claims, &EncodingKey::from_secret(&[7u8; 32])).unwrap();
        assert_eq!(keys().verify(&t, now()).unwrap_err(), TokenError::Invalid);
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let old = keys()
            .issue("u1", "s1", Role::Member, now() - 3600)
            .unwrap();
        assert_eq!(keys().verify(&old, now()).unwrap_err(), TokenError::Expired);

        let t = keys().issue("u1", "s1", Role::Member, now()).unwrap();
        let mut parts: Vec<String> = t.split('.').map(String::from).collect();
        parts[1] = parts[1].chars().rev().collect();
        assert_eq!(
            keys().verify(&parts.join("."), now()).unwrap_err(),
            TokenError::Invalid
        );

        let other = JwtKeys::new(&[8u8; 32], "http://test", 60).unwrap();
        assert_eq!(other.verify(&t, now()).unwrap_err(), TokenError::Invalid);
        let other_issuer = JwtKeys::new(&[7u8; 32], "http://elsewhere", 60).unwrap();
        assert_eq!(
            other_issuer.verify(&t, now()).unwrap_err(),
            TokenError::Invalid
        );
        assert!(JwtKeys::new(b"short", "x", 1).is_err());
    }

    #[test]
    fn rotation_keeps_old_tokens_valid_and_unknown_kids_out() {
        let old_key = [7u8; 32];
        let new_key = [9u8; 32];
        let before = keys().issue("u1", "s1", Role::Member, now()).unwrap();
        let rotated = JwtKeys::new(&new_key, "http://test", 60)
            .unwrap()
            .with_previous([&old_key[..]])
            .unwrap();
        assert_eq!(rotated.verify(&before, now()).unwrap().sub, "u1");
        let after = rotated.issue("u2", "s1", Role::Member, now()).unwrap();
        assert_eq!(rotated.verify(&after, now()).unwrap().sub, "u2");
        // The old key alone does not know the new kid.
        assert_eq!(
            keys().verify(&after, now()).unwrap_err(),
            TokenError::Invalid
        );
        assert_ne!(rotated.kid(), keys().kid());

        // Same secret, kid stripped: refused rather than guessed.
        let header = jsonwebtoken::Header::new(Algorithm::HS256);
        let claims = keys().verify(&before, now()).unwrap();
        let no_kid = encode(&header, &claims, &EncodingKey::from_secret(&old_key)).unwrap();
        assert_eq!(
            keys().verify(&no_kid, now()).unwrap_err(),
            TokenError::Invalid
        );
    }

    #[test]
    fn tokens_from_the_future_or_too_long_lived_are_refused() {
        let future = keys().issue("u1", "s1", Role::Member, now() + 600).unwrap();
        assert_eq!(
            keys().verify(&future, now()).unwrap_err(),
            TokenError::Invalid
        );
        let long = JwtKeys::new(&[7u8; 32], "http://test", 86_400)
            .unwrap()
            .issue("u1", "s1", Role::Member, now())
            .unwrap();
        assert_eq!(
            keys().verify(&long, now()).unwrap_err(),
            TokenError::Invalid
        );
    }
}
