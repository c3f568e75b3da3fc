//! Member-facing words for codes, in Dutch and English.

use crate::domain::{Domain, GroupMeetingMode, Locale, MatchKind, MatchRole, Profession};

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
            pick(l, "A&G-psycholoog", "work-and-health psychologist")
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

pub fn role(role: MatchRole, l: Locale) -> &'static str {
    match role {
        MatchRole::Host => pick(l, "gastheer/gastvrouw", "host"),
        MatchRole::Visitor => pick(l, "bezoeker", "visitor"),
        MatchRole::Member => pick(l, "groepslid", "group member"),
        MatchRole::Buddy => pick(l, "buddy", "buddy"),
    }
}

/// What an erased account is called wherever its name was shown.
pub fn former_member(l: Locale) -> &'static str {
    pick(l, "een voormalig lid", "a former member")
}

fn topic(slug: &str, l: Locale) -> String {
    crate::domain::Topic::by_slug(slug)
        .map(|t| pick(l, t.label_nl, t.label_en).to_string())
        .unwrap_or_else(|| slug.to_string())
}

/// One line of "why this match", e.g. "Verschillende domeinen (+40)".
/// `group`: the match is a group, so "both" would be wrong.
pub fn reason(component: &str, points: i64, topics: &[String], l: Locale, group: bool) -> String {
    let label = match component {
        "in_person" if group => pick(
            l,
            "Jullie wonen allemaal op reisafstand van elkaar",
            "All of you are within travel distance of each other",
        ),
        "online" if group => pick(
            l,
            "Jullie kunnen allemaal online afspreken",
            "All of you can meet online",
        ),
        "base" if group => pick(
            l,
            "Jullie passen als groep bij elkaar",
            "You fit together as a group",
        ),
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

/// Someone's job and workplace as one phrase: "verzekeringsarts bij UWV",
/// "zelfstandig arbeidsdeskundige", "case manager at a municipality".
pub fn job(p: Profession, d: Domain, l: Locale) -> String {
    let p = match p {
        Profession::Other => pick(l, "professional", "professional"),
        p => profession(p, l),
    };
    match (l, d) {
        (Locale::Nl, Domain::Uwv) => format!("{p} bij UWV"),
        (Locale::Nl, Domain::SelfEmployed) => format!("zelfstandig {p}"),
        (Locale::Nl, Domain::AdvisoryFirm) => format!("{p} bij een adviesbureau"),
        (Locale::Nl, Domain::Municipality) => format!("{p} bij een gemeente"),
        (Locale::Nl, Domain::OccupationalHealth) => {
            format!("{p} bij een arbodienst of re-integratiebedrijf")
        }
        (Locale::Nl, Domain::InHouseEmployer) => format!("{p} in dienst van een werkgever"),
        (Locale::Nl, Domain::Insurer) => format!("{p} bij een verzekeraar"),
        (Locale::En, Domain::Uwv) => format!("{p} at UWV"),
        (Locale::En, Domain::SelfEmployed) => format!("self-employed {p}"),
        (Locale::En, Domain::AdvisoryFirm) => format!("{p} at an advisory firm"),
        (Locale::En, Domain::Municipality) => format!("{p} at a municipality"),
        (Locale::En, Domain::OccupationalHealth) => {
            format!("{p} at an occupational health or re-integration company")
        }
        (Locale::En, Domain::InHouseEmployer) => format!("{p} employed in-house by an employer"),
        (Locale::En, Domain::Insurer) => format!("{p} at an insurer"),
        (_, Domain::Other) => p.to_string(),
    }
}

/// Why a member got no match this round, and what happens next, in words.
pub fn unmatched(
    r: crate::matching::outcome::UnmatchedReason,
    l: Locale,
) -> (&'static str, &'static str) {
    use crate::matching::outcome::UnmatchedReason as R;
    match r {
        R::Paused => (
            pick(l, "Je hebt je deelname gepauzeerd.", "You have paused your participation."),
            pick(l, "Zet de pauze uit in je profiel om weer mee te doen.", "Turn the pause off in your profile to take part again."),
        ),
        R::InsufficientHours => (
            pick(l, "Je maanduren zijn minder dan deze leervorm vraagt.", "Your monthly hours are fewer than this form of learning takes."),
            pick(l, "Verhoog je uren per maand in je profiel als je volgende ronde mee wilt doen.", "Raise your hours per month in your profile to take part in the next round."),
        ),
        R::HoursCommitted => (
            pick(l, "Je matches uit andere rondes in deze periode gebruiken je maanduren al.", "Your matches from other rounds in this period already use your monthly hours."),
            pick(l, "Je doet weer mee zodra er uren vrij zijn, of verhoog je uren per maand.", "You take part again once hours are free, or raise your hours per month."),
        ),
        R::NoHostCapacity => (
            pick(l, "Je wilt gastheer of gastvrouw zijn, maar je profiel biedt geen plaatsen voor bezoekers.", "You want to host, but your profile offers no places for visitors."),
            pick(l, "Geef in je profiel aan hoeveel bezoekers je kunt ontvangen.", "Set in your profile how many visitors you can receive."),
        ),
        R::NoCompatibleCandidate => (
            pick(l, "Niemand anders in deze ronde paste bij je wensen: regio, reisafstand, vorm van afspreken of taal.", "Nobody else in this round fitted your wishes: region, travel distance, meeting format or language."),
            pick(l, "Je doet vanzelf mee in de volgende ronde. Meer kans: sta ook online afspreken of een grotere reisafstand toe.", "You take part in the next round automatically. Better chances: allow online meetings or a longer travel distance."),
        ),
        R::OddOneOut => (
            pick(l, "Er deed een oneven aantal mensen mee en iedereen die bij je paste, had al een match.", "An odd number of people took part, and everyone who fitted you already had a match."),
            pick(l, "Je doet vanzelf mee in de volgende ronde; de coördinator kan ook een aanvullende ronde starten.", "You take part in the next round automatically; the coordinator can also start a top-up round."),
        ),
        R::HostCapacity => (
            pick(l, "Alle gastheren en gastvrouwen die bij je pasten, zaten al vol.", "Every host who fitted you was already full."),
            pick(l, "Je doet vanzelf mee in de volgende ronde.", "You take part in the next round automatically."),
        ),
        R::NoVisitor => (
            pick(l, "Geen bezoeker in deze ronde paste bij jouw praktijk.", "No visitor in this round fitted your practice."),
            pick(l, "Je plaatsen blijven staan voor de volgende ronde.", "Your places stay open for the next round."),
        ),
        R::LeftOutForScore => (
            pick(l, "Er was een intervisiegroep voor je mogelijk, maar de groepen die samen het beste pasten, lieten je buiten.", "A group was possible for you, but the groups that fitted best together left you out."),
            pick(l, "Je doet vanzelf mee in de volgende ronde; de coördinator kan ook een aanvullende ronde starten waarin iedereen een plek krijgt.", "You take part in the next round automatically; the coordinator can also start a top-up round that places everyone it can."),
        ),
        R::LeftOutForCoverageLimit => (
            pick(l, "Er was een intervisiegroep voor je mogelijk, maar je plaatsen had een ander zijn plek gekost.", "A group was possible for you, but placing you would have cost someone else their place."),
            pick(l, "Je doet vanzelf mee in de volgende ronde.", "You take part in the next round automatically."),
        ),
        R::LeftOutByRegionSplit => (
            pick(l, "Deze grote ronde is per regio ingedeeld, en alleen met mensen uit een andere regio was een groep mogelijk.", "This large round was grouped by region, and a group was only possible with people from another region."),
            pick(l, "Je doet vanzelf mee in de volgende ronde. Meer kans: sta ook online afspreken toe.", "You take part in the next round automatically. Better chances: allow online meetings."),
        ),
        R::NoFeasibleGroup => (
            pick(l, "Er was geen intervisiegroep mogelijk waarin je paste, gezien de anderen in deze ronde.", "No intervision group you could join was possible, given the others in this round."),
            pick(l, "Je doet vanzelf mee in de volgende ronde. Meer kans: sta ook online afspreken toe.", "You take part in the next round automatically. Better chances: allow online meetings."),
        ),
    }
}

/// How a group meets, in words.
pub fn meeting_mode(mode: GroupMeetingMode, l: Locale) -> &'static str {
    match mode {
        GroupMeetingMode::InPerson => pick(l, "op locatie", "in person"),
        GroupMeetingMode::Online => pick(l, "online", "online"),
        GroupMeetingMode::Mixed => pick(
            l,
            "gemengd: op locatie of online, per keer af te spreken",
            "mixed: in person or online, agreed each time",
        ),
    }
}
