//! Accounts, one concern a module: sign-up, the links sent by email
//! (address verification, password reset), sessions (login, token refresh,
//! logout, the password) and administration (roles, `admin create`). What
//! several of them read (the account's view, an address check) is in `user`,
//! which imports none of them.

mod admin;
mod links;
mod sessions;
mod signup;
mod user;

pub use admin::{create_or_promote, set_role};
pub use links::{
    request_password_reset, resend_verification, reset_password, send_reset_link, verify_email,
};
pub use sessions::{
    change_password, checked_role, confirm_password, current_role, login, logout, me, refresh,
    session_ended, Session,
};
pub use signup::{
    insert_verified_account, register, NewAccount, Registration, RegistrationAccepted,
    MAX_DISPLAY_NAME,
};
pub use user::{parse_address, UserView};
