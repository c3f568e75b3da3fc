//! Opaque refresh tokens: 256 random bits, given to the client once and
//! stored only as a SHA-256 hash (a database leak yields no usable token).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let (a, b) = (super::new_token(), super::new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(super::hash_token(&a), super::hash_token(&a));
        assert_eq!(super::hash_token(&a).len(), 64);
    }
}
