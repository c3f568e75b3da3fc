//! Who is calling: passwords, tokens, roles and the failed-login throttle.

pub mod extract;
pub mod jwt;
pub mod password;
pub mod throttle;
pub mod tokens;

pub use extract::{Admin, AuthUser, Coordinator};
pub use jwt::JwtKeys;
pub use throttle::LoginThrottle;
