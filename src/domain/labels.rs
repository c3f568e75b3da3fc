//! The words for a domain and a form of learning, in Dutch and English. They
//! live here, beneath the mail, because the pure network pictures
//! (`network::picture`) name domains too and must say them as the mails do.

use super::{Domain, Locale, MatchKind};

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

pub fn kind(k: MatchKind, l: Locale) -> &'static str {
    match k {
        MatchKind::Buddy => pick(l, "buddykoppel", "buddy pair"),
        MatchKind::Shadowing => pick(l, "meeloopbezoek", "shadowing visit"),
        MatchKind::Intervision => pick(l, "intervisiegroep", "intervision group"),
    }
}
