//! Member-facing words for codes, in Dutch and English.

use crate::domain::{Domain, Locale, MatchKind, Profession};

fn pick(locale: Locale, nl: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::Nl => nl,
        Locale::En => en,
    }
}

pub fn domain(d: Domain, l: Locale) -> &'static str {
    match d {
        Domain::Uwv => "UWV",
        Domain::SelfEmployed => pick(l, "zelfstandige", "self-employed"),
        Domain::AdvisoryFirm => pick(l, "adviesbureau", "advisory firm"),
        Domain::Municipality => pick(l, "gemeente", "municipality"),
        Domain::OccupationalHealth => pick(
            l,
            "arbodienst of re-integratiebedrijf",
            "occupational health or re-integration company",
        ),
        Domain::InHouseEmployer => pick(l, "werkgever (in dienst)", "in-house at an employer"),
        Domain::Insurer => pick(l, "verzekeraar", "insurer"),
        Domain::Other => pick(l, "overig", "other"),
    }
}

pub fn profession(p: Profession, l: Locale) -> &'static str {
    match p {
        Profession::LabourExpert => pick(l, "arbeidsdeskundige", "labour expert"),
        Profession::CompanyDoctor => pick(l, "bedrijfsarts", "company doctor"),
        Profession::InsurancePhysician => pick(l, "verzekeringsarts", "insurance physician"),
        Profession::CaseManager => pick(l, "casemanager", "case manager"),
        Profession::ReintegrationCoach => pick(l, "re-integratiecoach", "re-integration coach"),
        Profession::WorkHealthPsychologist => {
            pick(l, "A&O-psycholoog", "work-and-health psychologist")
        }
        Profession::Other => pick(l, "overig", "other"),
    }
}

pub fn kind(k: MatchKind, l: Locale) -> &'static str {
    match k {
        MatchKind::Buddy => pick(l, "een buddykoppel", "a buddy pair"),
        MatchKind::Shadowing => pick(l, "een meeloopbezoek", "a shadowing visit"),
        MatchKind::Intervision => pick(l, "een intervisiegroep", "an intervision group"),
    }
}

pub fn role(role: &str, l: Locale) -> &'static str {
    match role {
        "host" => pick(l, "gastheer/gastvrouw", "host"),
        "visitor" => pick(l, "bezoeker", "visitor"),
        "member" => pick(l, "groepslid", "group member"),
        _ => pick(l, "buddy", "buddy"),
    }
}

fn topic(slug: &str, l: Locale) -> String {
    crate::domain::Topic::by_slug(slug)
        .map(|t| pick(l, t.label_nl, t.label_en).to_string())
        .unwrap_or_else(|| slug.to_string())
}

/// One line of "why this match", e.g. "Verschillende domeinen (+40)".
pub fn reason(component: &str, points: i64, topics: &[String], l: Locale) -> String {
    let label = match component {
        "base" => pick(l, "Jullie passen bij elkaar", "You are compatible"),
        "cross_domain" => pick(
            l,
            "Verschillende domeinen: leren over de grenzen heen",
            "Different domains: learning across boundaries",
        ),
        "cross_profession" => pick(l, "Verschillende beroepen", "Different professions"),
        "complementary_experience" => {
            pick(l, "Ervaring die elkaar aanvult", "Complementary experience")
        }
        "topics" => pick(
            l,
            "Onderwerpen die jullie verbinden",
            "Topics that connect you",
        ),
        "in_person" => pick(
            l,
            "Op reisafstand om elkaar te zien",
            "Within travel distance to meet",
        ),
        "online" => pick(l, "Beiden kunnen online afspreken", "Both can meet online"),
        "hours_headroom" => pick(l, "Genoeg tijd beschikbaar", "Enough time available"),
        "shared_language" => pick(l, "Dezelfde voorkeurstaal", "Same preferred language"),
        other => other,
    };
    let topics: Vec<String> = topics.iter().map(|t| topic(t, l)).collect();
    if topics.is_empty() {
        format!("{label} (+{points})")
    } else {
        format!("{label}: {} (+{points})", topics.join(", "))
    }
}
