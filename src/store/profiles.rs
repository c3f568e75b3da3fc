//! Learning profiles as rows: the profile itself plus one child table per
//! list (languages, forms, meeting modes, topics) so they can be queried.

use super::db::MultiBackend;
use super::schema::{
    profile_forms as pf, profile_languages as pl, profile_meeting_modes as pm,
    profile_topics as pt, profiles as p, programme_members as pmem, users as u,
};
use super::users::UserRow;
use super::DbConnection;
use crate::domain::{
    Domain, Experience, LearningForm, LearningProfile, MeetingMode, Profession, Province,
    Registration,
};
use diesel::prelude::*;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = p)]
struct ProfileRow {
    user_id: String,
    domain: Domain,
    profession: Profession,
    experience_years: Option<i32>,
    registration: Registration,
    province: Province,
    host_capacity: i32,
    hours_per_month: i32,
    max_travel_km: i32,
    learning_goal: String,
    paused: bool,
    updated_at: i64,
    offers_to_convene: bool,
    organisation: Option<String>,
    team: Option<String>,
}

const WANTED: &str = "wanted";
const OFFERED: &str = "offered";

/// Makes concurrent writers of one member's profile take turns; call first
/// in the writing transaction. `save` deletes and re-inserts the rows, and
/// on PostgreSQL two such transactions at once would otherwise both insert
/// (a unique violation), and a PATCH could build on a profile another has
/// just replaced. SQLite's write transactions are serial already.
pub fn lock_owner(conn: &mut DbConnection, user_id: &str) -> QueryResult<()> {
    match conn {
        DbConnection::Postgres(c) => u::table
            .find(user_id)
            .select(u::id)
            .for_no_key_update()
            .execute(c)
            .map(|_| ()),
        DbConnection::Sqlite(_) => Ok(()),
    }
}

/// Replaces the member's profile with `profile`. Call inside a transaction.
pub fn save(
    conn: &mut DbConnection,
    user_id: &str,
    profile: &LearningProfile,
    now: i64,
) -> QueryResult<()> {
    diesel::delete(pl::table.filter(pl::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(pf::table.filter(pf::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(pm::table.filter(pm::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(pt::table.filter(pt::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(p::table.find(user_id)).execute(conn)?;

    let row = ProfileRow {
        user_id: user_id.to_string(),
        domain: profile.domain,
        profession: profile.profession,
        experience_years: match profile.experience {
            Experience::InTraining => None,
            Experience::Years(y) => Some(i32::from(y)),
        },
        registration: profile.registration,
        province: profile.province,
        host_capacity: i32::from(profile.host_capacity),
        hours_per_month: i32::from(profile.hours_per_month),
        max_travel_km: i32::from(profile.max_travel_km),
        learning_goal: profile.learning_goal.clone(),
        paused: profile.paused,
        updated_at: now,
        offers_to_convene: profile.offers_to_convene,
        organisation: profile.organisation.clone(),
        team: profile.team.clone(),
    };
    diesel::insert_into(p::table).values(&row).execute(conn)?;

    // One row per statement: MultiConnection has no multi-row INSERT, and
    // these lists are short (bounded by validation).
    for l in &profile.languages {
        diesel::insert_into(pl::table)
            .values((pl::user_id.eq(user_id), pl::language.eq(l)))
            .execute(conn)?;
    }
    for f in &profile.forms {
        diesel::insert_into(pf::table)
            .values((pf::user_id.eq(user_id), pf::form.eq(f)))
            .execute(conn)?;
    }
    for m in &profile.meeting_modes {
        diesel::insert_into(pm::table)
            .values((pm::user_id.eq(user_id), pm::mode.eq(m)))
            .execute(conn)?;
    }
    let topics = profile
        .topics_wanted
        .iter()
        .map(|t| (t, WANTED))
        .chain(profile.topics_offered.iter().map(|t| (t, OFFERED)));
    for (t, dir) in topics {
        diesel::insert_into(pt::table)
            .values((
                pt::user_id.eq(user_id),
                pt::topic.eq(t.as_str()),
                pt::direction.eq(dir),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// One member's profile in one statement (a member's own profile is read
/// on every visit to it, so a round trip saved here is one per request).
pub fn load(conn: &mut DbConnection, user_id: &str) -> QueryResult<Option<LearningProfile>> {
    let q = OneProfile { user_id };
    let rows: Vec<ProfileWithPart> = match conn {
        DbConnection::Sqlite(c) => q.load(c)?,
        DbConnection::Postgres(c) => q.load(c)?,
    };
    let mut parts = Vec::with_capacity(rows.len());
    let mut profile = None;
    for r in rows {
        if let (Some(part), Some(value), Some(direction)) = (r.part, r.value, r.direction) {
            parts.push((r.profile.user_id.clone(), part, value, direction));
        }
        profile.get_or_insert(r.profile);
    }
    Ok(from_parts(profile.into_iter().collect(), parts)?.remove(user_id))
}

/// The profile row once for each of its list items (or once with none),
/// each with the item: what [`load_many`] reads in two statements.
/// diesel's query builder has no join on a union, and its `sql_query` is
/// parsed anew on every call; this statement is the same text each time
/// (binds only), so both backends keep it prepared.
#[derive(Debug, Clone, Copy)]
struct OneProfile<'a> {
    user_id: &'a str,
}

#[derive(QueryableByName)]
struct ProfileWithPart {
    // Not `row`: the derive's own code has a variable of that name.
    #[diesel(embed)]
    profile: ProfileRow,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    part: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    value: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    direction: Option<String>,
}

impl diesel::query_builder::QueryId for OneProfile<'_> {
    type QueryId = OneProfile<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for OneProfile<'_> {
    type SqlType = diesel::sql_types::Untyped;
}

impl<C> RunQueryDsl<C> for OneProfile<'_> {}

impl<DB> diesel::query_builder::QueryFragment<DB> for OneProfile<'_>
where
    DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<diesel::sql_types::Text>,
    str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        use diesel::sql_types::Text;
        // The part names are LANGUAGE, FORM, MODE and TOPIC, as
        // `from_parts` reads them.
        out.push_sql(
            "SELECT p.*, x.part, x.value, x.direction FROM profiles p LEFT JOIN (\
             SELECT 'language' AS part, language AS value, '' AS direction \
             FROM profile_languages WHERE user_id = ",
        );
        out.push_bind_param::<Text, _>(self.user_id)?;
        out.push_sql(" UNION ALL SELECT 'form', form, '' FROM profile_forms WHERE user_id = ");
        out.push_bind_param::<Text, _>(self.user_id)?;
        out.push_sql(
            " UNION ALL SELECT 'mode', mode, '' FROM profile_meeting_modes WHERE user_id = ",
        );
        out.push_bind_param::<Text, _>(self.user_id)?;
        out.push_sql(
            " UNION ALL SELECT 'topic', topic, direction FROM profile_topics WHERE user_id = ",
        );
        out.push_bind_param::<Text, _>(self.user_id)?;
        out.push_sql(") x ON 1 = 1 WHERE p.user_id = ");
        out.push_bind_param::<Text, _>(self.user_id)?;
        Ok(())
    }
}

/// Loads several profiles, two queries per [`MANY_AT_ONCE`] of them: the
/// profile rows, and every language, form, meeting mode and topic of theirs
/// in one `UNION ALL` (one round trip instead of four on PostgreSQL, where
/// each costs more than the reading).
pub fn load_many(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<HashMap<String, LearningProfile>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(MANY_AT_ONCE) {
        out.extend(load_chunk(conn, chunk)?);
    }
    Ok(out)
}

/// Profiles per [`load_many`] statement: its union binds every id four
/// times, and SQLite takes at most 32,766 bound values a statement (a
/// publish of 10,000 members failed on it).
const MANY_AT_ONCE: usize = 8_000;

/// [`load_many`] for one chunk. MultiBackend has no UNION, so the union is
/// built for each backend.
fn load_chunk(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<HashMap<String, LearningProfile>> {
    use diesel::sql_types::Text;
    let rows: Vec<ProfileRow> = p::table
        .filter(p::user_id.eq_any(ids))
        .select(ProfileRow::as_select())
        .load(conn)?;
    macro_rules! parts {
        () => {
            pl::table
                .filter(pl::user_id.eq_any(ids))
                .select((
                    pl::user_id,
                    LANGUAGE.into_sql::<Text>(),
                    pl::language,
                    "".into_sql::<Text>(),
                ))
                .union_all(pf::table.filter(pf::user_id.eq_any(ids)).select((
                    pf::user_id,
                    FORM.into_sql::<Text>(),
                    pf::form,
                    "".into_sql::<Text>(),
                )))
                .union_all(pm::table.filter(pm::user_id.eq_any(ids)).select((
                    pm::user_id,
                    MODE.into_sql::<Text>(),
                    pm::mode,
                    "".into_sql::<Text>(),
                )))
                .union_all(pt::table.filter(pt::user_id.eq_any(ids)).select((
                    pt::user_id,
                    TOPIC.into_sql::<Text>(),
                    pt::topic,
                    pt::direction,
                )))
        };
    }
    let parts: Vec<Part> = match conn {
        DbConnection::Sqlite(c) => parts!().load(c)?,
        DbConnection::Postgres(c) => parts!().load(c)?,
    };
    from_parts(rows, parts)
}

fn from_parts(
    rows: Vec<ProfileRow>,
    parts: Vec<Part>,
) -> QueryResult<HashMap<String, LearningProfile>> {
    let (mut langs, mut forms, mut modes, mut topics) = (vec![], vec![], vec![], vec![]);
    for (id, part, value, direction) in parts {
        match part.as_str() {
            LANGUAGE => langs.push((id, value)),
            FORM => forms.push((id, value.parse().map_err(|_| unknown("form", &value))?)),
            MODE => modes.push((
                id,
                value.parse().map_err(|_| unknown("meeting mode", &value))?,
            )),
            _ => topics.push((id, value, direction)),
        }
    }
    assemble(rows, langs, forms, modes, topics)
}

/// One list item of a profile: user, which part, value, direction.
type Part = (String, String, String, String);
const LANGUAGE: &str = "language";
const FORM: &str = "form";
const MODE: &str = "mode";
const TOPIC: &str = "topic";

/// Every profile, for building a round's instance. Whole tables rather than
/// an id list: bind-parameter limits (SQLite 32,766) make huge IN lists fail.
pub fn load_all(conn: &mut DbConnection) -> QueryResult<HashMap<String, LearningProfile>> {
    let rows: Vec<ProfileRow> = p::table.select(ProfileRow::as_select()).load(conn)?;
    let langs: Vec<(String, String)> = pl::table.select((pl::user_id, pl::language)).load(conn)?;
    let forms: Vec<(String, LearningForm)> =
        pf::table.select((pf::user_id, pf::form)).load(conn)?;
    let modes: Vec<(String, MeetingMode)> = pm::table.select((pm::user_id, pm::mode)).load(conn)?;
    let topics: Vec<(String, String, String)> = pt::table
        .select((pt::user_id, pt::topic, pt::direction))
        .load(conn)?;
    assemble(rows, langs, forms, modes, topics)
}

fn assemble(
    rows: Vec<ProfileRow>,
    langs: Vec<(String, String)>,
    forms: Vec<(String, LearningForm)>,
    modes: Vec<(String, MeetingMode)>,
    topics: Vec<(String, String, String)>,
) -> QueryResult<HashMap<String, LearningProfile>> {
    let mut out = HashMap::with_capacity(rows.len());
    for r in rows {
        let profile = LearningProfile {
            domain: r.domain,
            profession: r.profession,
            experience: match r.experience_years {
                None => Experience::InTraining,
                Some(y) => Experience::Years(narrow(y)?),
            },
            registration: r.registration,
            province: r.province,
            languages: BTreeSet::new(),
            forms: BTreeSet::new(),
            host_capacity: narrow(r.host_capacity)?,
            hours_per_month: narrow(r.hours_per_month)?,
            meeting_modes: BTreeSet::new(),
            max_travel_km: narrow(r.max_travel_km)?,
            topics_wanted: BTreeSet::new(),
            topics_offered: BTreeSet::new(),
            learning_goal: r.learning_goal,
            paused: r.paused,
            offers_to_convene: r.offers_to_convene,
            organisation: r.organisation,
            team: r.team,
        };
        out.insert(r.user_id, profile);
    }
    for (id, l) in langs {
        if let Some(prof) = out.get_mut(&id) {
            prof.languages.insert(l);
        }
    }
    for (id, f) in forms {
        if let Some(prof) = out.get_mut(&id) {
            prof.forms.insert(f);
        }
    }
    for (id, m) in modes {
        if let Some(prof) = out.get_mut(&id) {
            prof.meeting_modes.insert(m);
        }
    }
    for (id, t, dir) in topics {
        if let Some(prof) = out.get_mut(&id) {
            match dir.as_str() {
                WANTED => prof.topics_wanted.insert(t),
                OFFERED => prof.topics_offered.insert(t),
                _ => return Err(unknown("topic direction", &dir)),
            };
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    pub domain: Option<Domain>,
    pub province: Option<Province>,
    pub profession: Option<Profession>,
    pub form: Option<LearningForm>,
    pub paused: Option<bool>,
    /// Only members of these programmes (`None`: everyone).
    pub programmes: Option<Vec<String>>,
}

type BoxedMembers<'a> =
    diesel::dsl::IntoBoxed<'a, diesel::dsl::InnerJoin<u::table, p::table>, MultiBackend>;

fn filtered(f: &MemberFilter) -> BoxedMembers<'_> {
    let mut q = u::table.inner_join(p::table).into_boxed::<MultiBackend>();
    if let Some(d) = &f.domain {
        q = q.filter(p::domain.eq(d));
    }
    if let Some(r) = &f.province {
        q = q.filter(p::province.eq(r));
    }
    if let Some(pr) = &f.profession {
        q = q.filter(p::profession.eq(pr));
    }
    if let Some(paused) = f.paused {
        q = q.filter(p::paused.eq(paused));
    }
    if let Some(form) = &f.form {
        q = q.filter(p::user_id.eq_any(pf::table.filter(pf::form.eq(form)).select(pf::user_id)));
    }
    if let Some(programmes) = &f.programmes {
        q = q.filter(
            p::user_id.eq_any(
                pmem::table
                    .filter(pmem::programme_id.eq_any(programmes))
                    .select(pmem::user_id),
            ),
        );
    }
    q
}

/// Members with a profile matching `filter`, by display name, and the total count.
pub fn list(
    conn: &mut DbConnection,
    filter: &MemberFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<(UserRow, LearningProfile)>, i64)> {
    let total: i64 = filtered(filter).count().get_result(conn)?;
    let users: Vec<UserRow> = filtered(filter)
        .order((u::display_name.asc(), u::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)?;
    let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    let mut profiles = load_many(conn, &ids)?;
    let items = users
        .into_iter()
        .filter_map(|u| profiles.remove(&u.id).map(|p| (u, p)))
        .collect();
    Ok((items, total))
}

/// A stored value this program does not know: the query fails.
fn unknown(what: &str, got: &str) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(format!("unknown {what} {got:?}").into())
}

fn narrow<T: TryFrom<i32>>(v: i32) -> QueryResult<T>
where
    T::Error: std::error::Error + Send + Sync + 'static,
{
    T::try_from(v).map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))
}
