//! Who is calling: passwords, tokens, roles and the failed-login throttle.

pub mod action;
pub mod caller;
pub mod jwt;
pub mod password;
pub mod throttle;
pub mod tokens;

pub use caller::{Admin, AuthUser, Coordinator};
pub use jwt::JwtKeys;
pub use throttle::LoginThrottle;

/// The credentials of an `Authorization` header with the Bearer scheme.
/// Auth schemes are case-insensitive (RFC 9110, section 11.1), so `bearer`
/// and `BEARER` count; the scheme is followed by one or more spaces.
pub fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, rest) = header.split_once(' ')?;
    let token = rest.trim_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for h in ["Bearer abc", "bearer abc", "BEARER abc", "bEaReR   abc "] {
            assert_eq!(super::bearer_token(h), Some("abc"), "{h}");
        }
        for h in [
            "Bearer",
            "Bearer ",
            "Basic abc",
            "Bearerabc",
            "Token abc",
            "",
        ] {
            assert_eq!(super::bearer_token(h), None, "{h}");
        }
    }
}
