//! A draft round's pins and exclusions, stored as the JSON the service
//! checked (`service::rounds::overrides`).

use super::schema::round_overrides as ro;
use super::DbConnection;
use diesel::prelude::*;

/// (body, updated_by, updated_at)
pub fn get(conn: &mut DbConnection, round_id: &str) -> QueryResult<Option<(String, String, i64)>> {
    ro::table
        .find(round_id)
        .select((ro::body, ro::updated_by, ro::updated_at))
        .first(conn)
        .optional()
}

pub fn put(
    conn: &mut DbConnection,
    round_id: &str,
    body: &str,
    by: &str,
    at: i64,
) -> QueryResult<()> {
    diesel::delete(ro::table.find(round_id)).execute(conn)?;
    diesel::insert_into(ro::table)
        .values((
            ro::round_id.eq(round_id),
            ro::body.eq(body),
            ro::updated_by.eq(by),
            ro::updated_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}
