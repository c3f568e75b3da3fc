use super::schema::topics;
use super::DbConnection;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = topics)]
pub struct TopicRow {
    pub slug: String,
    pub label_nl: String,
    pub label_en: String,
}

pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<TopicRow>> {
    topics::table
        .order(topics::slug.asc())
        .select(TopicRow::as_select())
        .load(conn)
}
