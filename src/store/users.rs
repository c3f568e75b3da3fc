use super::schema::users;
use super::DbConnection;
use crate::domain::{Locale, Role};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub locale: Locale,
    pub role: Role,
    pub created_at: i64,
    pub updated_at: i64,
    pub email_verified_at: Option<i64>,
    pub erased_at: Option<i64>,
}

pub fn insert(conn: &mut DbConnection, row: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn set_role(conn: &mut DbConnection, id: &str, role: Role, now: i64) -> QueryResult<usize> {
    let changed = diesel::update(users::table.find(id))
        .set((users::role.eq(role), users::updated_at.eq(now)))
        .execute(conn)?;
    // After the statement: outside a transaction, a bump before it would
    // let a check read the old role and keep it under the new epoch.
    super::login_changes::changed(conn);
    Ok(changed)
}

pub fn set_password(conn: &mut DbConnection, id: &str, hash: &str, now: i64) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((users::password_hash.eq(hash), users::updated_at.eq(now)))
        .execute(conn)
}

pub fn mark_verified(conn: &mut DbConnection, id: &str, now: i64) -> QueryResult<usize> {
    diesel::update(
        users::table
            .find(id)
            .filter(users::email_verified_at.is_null()),
    )
    .set(users::email_verified_at.eq(now))
    .execute(conn)
}
