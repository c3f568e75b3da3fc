//! The domain's closed vocabularies as `Text` columns, on both backends and
//! through `MultiConnection`: a value is written as its code and read back
//! through its `FromStr`, so a code this program does not know fails the
//! query (an internal error, logged) instead of becoming some default.

use crate::domain::{
    Answer, Domain, GroupMeetingMode, LearningForm, Locale, MatchKind, MatchRole, MeetingMode,
    OutboxStatus, Profession, Province, Registration, Role, RoundStatus, TokenPurpose,
};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

/// For each type with `code()` and `FromStr`: `FromSql` and `ToSql` for
/// every backend whose strings diesel reads and writes (SQLite, PostgreSQL
/// and the `MultiBackend`), and what lets the type be compared with a column
/// and loaded as one.
macro_rules! stored_as_text {
    ($($ty:ty),+ $(,)?) => {$(
        const _: () = {
            // A stand-in the derives implement for: the domain type itself
            // must not know diesel (the engine builds without it).
            #[derive(diesel::AsExpression, diesel::FromSqlRow)]
            #[diesel(foreign_derive, sql_type = Text)]
            #[allow(dead_code)]
            struct Column($ty);

            impl<DB: Backend> FromSql<Text, DB> for $ty
            where
                String: FromSql<Text, DB>,
            {
                fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                    Ok(String::from_sql(bytes)?.parse::<$ty>()?)
                }
            }

            impl<DB: Backend> ToSql<Text, DB> for $ty
            where
                str: ToSql<Text, DB>,
            {
                fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                    <str as ToSql<Text, DB>>::to_sql(self.code(), out)
                }
            }
        };
    )+};
}

stored_as_text!(
    Answer,
    Domain,
    GroupMeetingMode,
    LearningForm,
    Locale,
    MatchKind,
    MatchRole,
    MeetingMode,
    OutboxStatus,
    Profession,
    Province,
    Registration,
    Role,
    RoundStatus,
    TokenPurpose,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::db::{pool, DatabaseUrl};
    use diesel::dsl::sql;
    use diesel::prelude::*;

    fn read(conn: &mut crate::store::DbConnection, raw: &str) -> QueryResult<RoundStatus> {
        diesel::select(sql::<Text>(&format!("'{raw}'"))).get_result(conn)
    }

    fn check(url: &str) {
        let pool = pool(&DatabaseUrl::parse(url).unwrap(), 1).unwrap();
        let mut conn = pool.get().unwrap();
        for s in RoundStatus::ALL {
            let back: RoundStatus = diesel::select((*s).into_sql::<Text>())
                .get_result(&mut *conn)
                .unwrap();
            assert_eq!(back, *s);
        }
        let err = read(&mut conn, "archived").unwrap_err();
        assert!(
            matches!(err, diesel::result::Error::DeserializationError(_)),
            "{err:?}"
        );
        // What the request's log line shows (the error's whole chain).
        let err = crate::error::AppError::from(err);
        assert_eq!(err.code(), "internal_error");
        assert!(
            err.to_string()
                .contains("unknown round status \"archived\""),
            "{err}"
        );
    }

    #[test]
    fn codes_round_trip_and_an_unknown_one_fails_the_query() {
        let dir = tempfile::tempdir().unwrap();
        check(&format!("sqlite://{}", dir.path().join("t.db").display()));
        // The API tests' server, when there is one.
        if let Ok(url) = std::env::var("TEST_POSTGRES_URL") {
            check(&url);
        }
    }
}
