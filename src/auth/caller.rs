//! Who is calling, once the request's token and login were checked: the
//! types a handler's signature and a use case's `actor` speak of. Reading
//! them from a request is HTTP, so that is `api::extract`'s part.

use crate::domain::Role;

#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub role: Role,
}

/// A caller with the coordinator role or higher.
#[derive(Debug, Clone)]
pub struct Coordinator(pub AuthUser);

/// A caller with the admin role.
#[derive(Debug, Clone)]
pub struct Admin(pub AuthUser);
