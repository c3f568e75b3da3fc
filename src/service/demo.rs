//! A realistic demo population (drawn from the survey's distributions by
//! the synthetic generator) and a coordinator, so a newcomer can run rounds
//! of every kind within minutes.

use super::now;
use crate::auth::password;
use crate::domain::{Locale, MatchKind, Province, Role};
use crate::error::AppError;
use crate::offline::synthetic;
use crate::store::db::write_tx;
use crate::store::users::{self, UserRow};
use crate::store::{profiles, DbConnection};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub const COORDINATOR_EMAIL: &str = "coordinator@demo.buddymatch.nl";
/// Coordinates the regional programme only.
pub const REGION_COORDINATOR_EMAIL: &str = "noord@demo.buddymatch.nl";
/// The association-wide programme: the default programme, renamed.
pub const NATIONAL_PROGRAMME: &str = "NVvA landelijk";
pub const REGIONAL_PROGRAMME: &str = "Regio Noord";
const NORTH: [Province; 3] = [Province::Groningen, Province::Friesland, Province::Drenthe];
pub const DEMO_PASSWORD: &str = "demo-wachtwoord";

const FIRST: &[&str] = &[
    "Anna", "Bram", "Chantal", "Daan", "Eva", "Fatima", "Gijs", "Hanneke", "Ilse", "Jeroen", "Kim",
    "Lotte", "Mohamed", "Noor", "Olivier", "Priya", "Ruben", "Sanne", "Thijs", "Yara",
];
const LAST: &[&str] = &[
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Bos",
    "Yilmaz",
    "Peters",
    "Hendriks",
    "van Dijk",
    "Dekker",
    "El Amrani",
    "Kok",
    "Verhoeven",
    "Postma",
];

#[derive(Debug, serde::Serialize)]
pub struct DemoSummary {
    pub members: usize,
    pub coordinator: &'static str,
    pub password: &'static str,
    pub programmes: Vec<DemoProgramme>,
}

/// A demo programme, who coordinates it and how many members it has.
#[derive(Debug, serde::Serialize)]
pub struct DemoProgramme {
    pub id: String,
    pub name: &'static str,
    pub coordinator: &'static str,
    pub members: usize,
}

/// Loads `members` demo members (a third generated for each learning form)
/// and the demo coordinator. Refuses to load twice.
pub fn load(conn: &mut DbConnection, members: usize, seed: u64) -> Result<DemoSummary, AppError> {
    let hash = password::hash(DEMO_PASSWORD)?;
    let summary = write_tx(conn, |conn| {
        if users::by_email(conn, COORDINATOR_EMAIL)?.is_some() {
            return Err(AppError::conflict(
                "demo_loaded",
                "the demo population is already in this database",
            ));
        }
        let t = now();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let insert = |conn: &mut DbConnection,
                      id: String,
                      email: String,
                      name: String,
                      locale: Locale,
                      role: Role| {
            users::insert(
                conn,
                &UserRow {
                    id,
                    email,
                    password_hash: hash.clone(),
                    display_name: name,
                    locale,
                    role,
                    created_at: t,
                    updated_at: t,
                    email_verified_at: Some(t),
                    erased_at: None,
                },
            )
        };
        let national_coordinator = uuid::Uuid::new_v4().to_string();
        insert(
            conn,
            national_coordinator.clone(),
            COORDINATOR_EMAIL.into(),
            "Demo-coördinator".into(),
            Locale::Nl,
            Role::Coordinator,
        )?;
        let region_coordinator = uuid::Uuid::new_v4().to_string();
        insert(
            conn,
            region_coordinator.clone(),
            REGION_COORDINATOR_EMAIL.into(),
            "Coördinator Regio Noord".into(),
            Locale::Nl,
            Role::Coordinator,
        )?;
        let mut everyone = Vec::new();
        let mut north = Vec::new();
        let kinds = [
            MatchKind::Buddy,
            MatchKind::Intervision,
            MatchKind::Shadowing,
        ];
        let mut n = 0;
        for (i, kind) in kinds.iter().enumerate() {
            let share = members / 3 + usize::from(i < members % 3);
            for m in synthetic::instance(share, seed.wrapping_add(i as u64), *kind).members {
                n += 1;
                let first = FIRST[rng.random_range(0..FIRST.len())];
                let last = LAST[rng.random_range(0..LAST.len())];
                let email = format!(
                    "{}.{}{n}@demo.buddymatch.nl",
                    first.to_lowercase(),
                    last.replace(' ', "").to_lowercase()
                );
                let locale = if rng.random_bool(0.85) {
                    Locale::Nl
                } else {
                    Locale::En
                };
                let id = uuid::Uuid::new_v4().to_string();
                insert(
                    conn,
                    id.clone(),
                    email,
                    format!("{first} {last}"),
                    locale,
                    Role::Member,
                )?;
                let mut profile = m.to_profile();
                (profile.organisation, profile.team) = workplace(&profile, n);
                profiles::save(conn, &id, &profile, t)?;
                if NORTH.contains(&profile.province) {
                    north.push(id.clone());
                }
                everyone.push(id.clone());
                // Demo members chose, as members do: most share their
                // address and province, some share nothing at all.
                let shares = !id.ends_with(['0', '7']);
                crate::store::privacy::save_contact(
                    conn,
                    &crate::store::privacy::ContactRow {
                        user_id: id.clone(),
                        phone: None,
                        share_email: shares,
                        share_phone: false,
                        share_province: shares,
                        updated_at: t,
                    },
                )?;
            }
        }
        let programmes = programmes(
            conn,
            &everyone,
            &north,
            &national_coordinator,
            &region_coordinator,
        )?;
        Ok(DemoSummary {
            members: n,
            coordinator: COORDINATOR_EMAIL,
            password: DEMO_PASSWORD,
            programmes,
        })
    })?;
    crate::store::db::refresh_statistics(conn, &[]);
    Ok(summary)
}

/// The association-wide programme (the default one, renamed, with every
/// demo member) and a closed regional one for the three northern
/// provinces, each with a coordinator of its own: the regional coordinator
/// sees only the north's members and rounds.
fn programmes(
    conn: &mut DbConnection,
    everyone: &[String],
    north: &[String],
    national_coordinator: &str,
    region_coordinator: &str,
) -> Result<Vec<DemoProgramme>, AppError> {
    use super::programmes::{add_members, Via, DEFAULT_PROGRAMME_ID};
    use crate::store::programmes::{self as store, ProgrammeRow};
    let t = now();
    let mut national = store::get(conn, DEFAULT_PROGRAMME_ID)?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the default programme is missing")))?;
    national.name = NATIONAL_PROGRAMME.into();
    national.description = "Alle leden van de vereniging, in het hele land / every member of \
                            the association, nationwide"
        .into();
    national.updated_at = t;
    store::update(conn, &national)?;
    let regional = ProgrammeRow {
        id: uuid::Uuid::new_v4().to_string(),
        name: REGIONAL_PROGRAMME.into(),
        description: "Leden in Groningen, Fryslân en Drenthe / members in the three northern \
                      provinces"
            .into(),
        open: false,
        created_at: t,
        updated_at: t,
    };
    store::insert(conn, &regional)?;
    let mut all_in = everyone.to_vec();
    all_in.push(national_coordinator.to_string());
    all_in.push(region_coordinator.to_string());
    add_members(conn, DEFAULT_PROGRAMME_ID, &all_in, Via::Added)?;
    add_members(conn, &regional.id, north, Via::Added)?;
    store::add_coordinator(conn, DEFAULT_PROGRAMME_ID, national_coordinator, t)?;
    store::add_coordinator(conn, &regional.id, region_coordinator, t)?;
    Ok(vec![
        DemoProgramme {
            id: DEFAULT_PROGRAMME_ID.into(),
            name: NATIONAL_PROGRAMME,
            coordinator: COORDINATOR_EMAIL,
            members: everyone.len(),
        },
        DemoProgramme {
            id: regional.id,
            name: REGIONAL_PROGRAMME,
            coordinator: REGION_COORDINATOR_EMAIL,
            members: north.len(),
        },
    ])
}

/// Where a demo member works, so rounds have colleagues to keep apart (the
/// setting `conflicts`): UWV's insurance-medicine teams by province, a
/// municipality per province, three occupational health services; the
/// self-employed and advisers give none.
fn workplace(p: &crate::domain::LearningProfile, n: usize) -> (Option<String>, Option<String>) {
    use crate::domain::Domain;
    match p.domain {
        Domain::Uwv => (
            Some("UWV".into()),
            Some(format!("SMZ {}", p.province.name())),
        ),
        Domain::Municipality => (Some(format!("Gemeente regio {}", p.province.name())), None),
        Domain::OccupationalHealth => (
            Some(["ArboNed", "Arbo Unie", "HumanCapitalCare"][n % 3].into()),
            None,
        ),
        _ => (None, None),
    }
}
