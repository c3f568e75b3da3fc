//! Member-facing words for codes, in Dutch and English.

use crate::domain::{Domain, GroupMeetingMode, Locale, MatchRole, Profession};

// Shared with the pure network pictures, so they live in the domain layer.
pub use crate::domain::labels::{domain, kind};

fn pick(locale: Locale, nl: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::Nl => nl,
        Locale::En => en,
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

/// A domain as it reads after "verschillende domeinen:", e.g. "UWV en
/// zelfstandig".
fn domain_short(d: Domain, l: Locale) -> &'static str {
    match d {
        Domain::SelfEmployed => pick(l, "zelfstandig", "self-employed"),
        Domain::OccupationalHealth => pick(l, "arbo en re-integratie", "occupational health"),
        Domain::InHouseEmployer => pick(l, "bij een werkgever", "in-house"),
        d => domain(d, l),
    }
}

/// "A", "A en B", "A, B en C".
fn and_list(items: &[String], l: Locale) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {} {last}", init.join(", "), pick(l, "en", "and")),
    }
}

/// Someone in a match, as a reason speaks of them.
pub struct ReasonPerson<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
    pub domain: Domain,
    pub profession: Profession,
}

/// One line of "why this match" in words, from the recipient's side
/// (`me`, meeting `others`): "Jullie werken in verschillende domeinen: UWV
/// en zelfstandig", "Sanne weet veel van sociale zekerheid, wat jij wilt
/// leren". No points: they mean nothing to a member. `None` for a
/// component that says nothing a member can use.
///
/// Also names the member a line is about, if it is about one (a pair's
/// other side, a group member who wants to learn something), so that the
/// line can leave an email with them when they are erased. A group's
/// domains and professions are counted, not listed, for the same reason.
pub fn reason_in_words<'a>(
    component: &str,
    topics: &[String],
    learner: Option<&str>,
    me: &ReasonPerson<'_>,
    others: &[ReasonPerson<'a>],
    l: Locale,
) -> Option<(String, Option<&'a str>)> {
    let group = others.len() > 1;
    let pair_other = match others {
        [one] => Some(one.user_id),
        _ => None,
    };
    let count = |f: &dyn Fn(&ReasonPerson<'_>) -> String| {
        let mut v: Vec<String> = std::iter::once(me).chain(others).map(f).collect();
        v.sort();
        v.dedup();
        v.len()
    };
    let topic_list = and_list(&topics.iter().map(|t| topic(t, l)).collect::<Vec<_>>(), l);
    let distinct = |f: &dyn Fn(&ReasonPerson<'_>) -> String| {
        let mut v: Vec<String> = Vec::new();
        for p in std::iter::once(me).chain(others) {
            let x = f(p);
            if !v.contains(&x) {
                v.push(x);
            }
        }
        and_list(&v, l)
    };
    let line = match component {
        "cross_domain" if group => {
            let n = count(&|p| format!("{:?}", p.domain));
            match l {
                Locale::Nl => format!("Jullie groep komt uit {n} verschillende domeinen"),
                Locale::En => format!("Your group comes from {n} different domains"),
            }
        }
        "cross_domain" => {
            let list = distinct(&|p| domain_short(p.domain, l).to_string());
            match l {
                Locale::Nl => format!("Jullie werken in verschillende domeinen: {list}"),
                Locale::En => format!("You work in different domains: {list}"),
            }
        }
        "cross_profession" if group => {
            let n = count(&|p| format!("{:?}", p.profession));
            match l {
                Locale::Nl => format!("Jullie groep brengt {n} verschillende beroepen samen"),
                Locale::En => format!("Your group brings {n} different professions together"),
            }
        }
        "cross_profession" => {
            let list = distinct(&|p| profession(p.profession, l).to_string());
            match l {
                Locale::Nl => format!("Jullie hebben verschillende beroepen: {list}"),
                Locale::En => format!("You have different professions: {list}"),
            }
        }
        "topics" if topic_list.is_empty() => return None,
        "topics" => match (learner, others) {
            (Some(x), [other]) if x == me.user_id => match l {
                Locale::Nl => format!(
                    "{} weet veel van {topic_list}, wat jij wilt leren",
                    other.name
                ),
                Locale::En => format!(
                    "{} knows a lot about {topic_list}, which you want to learn",
                    other.name
                ),
            },
            (Some(x), _) if x == me.user_id => match l {
                Locale::Nl => format!("In de groep is kennis van {topic_list}, wat jij wilt leren"),
                Locale::En => {
                    format!("The group knows about {topic_list}, which you want to learn")
                }
            },
            (Some(x), _) => match others.iter().find(|o| o.user_id == x) {
                Some(o) if !group => match l {
                    Locale::Nl => {
                        format!("Jij weet veel van {topic_list}, wat {} wil leren", o.name)
                    }
                    Locale::En => format!(
                        "You know a lot about {topic_list}, which {} wants to learn",
                        o.name
                    ),
                },
                Some(o) => match l {
                    Locale::Nl => format!(
                        "{} wil leren over {topic_list}, en de groep heeft die kennis",
                        o.name
                    ),
                    Locale::En => format!(
                        "{} wants to learn about {topic_list}, and the group knows about it",
                        o.name
                    ),
                },
                None => match l {
                    Locale::Nl => format!("Jullie delen belangstelling voor {topic_list}"),
                    Locale::En => format!("You share an interest in {topic_list}"),
                },
            },
            (None, _) => match l {
                Locale::Nl => format!("Jullie delen belangstelling voor {topic_list}"),
                Locale::En => format!("You share an interest in {topic_list}"),
            },
        },
        // Which domain or profession is new to whom would tell a member
        // whom the others learned with before; the line says only that
        // the match widens the network.
        "novelty" if group => pick(
            l,
            "Deze groep verbreedt jullie leernetwerk: domeinen, beroepen of collega's waarmee jullie nog niet samen leerden",
            "This group widens your learning network: domains, professions or colleagues you have not learned with yet",
        )
        .into(),
        "novelty" => pick(
            l,
            "Deze match verbreedt jullie leernetwerk: een domein, beroep of kring waarmee minstens een van jullie nog niet leerde",
            "This match widens your learning network: a domain, profession or circle at least one of you has not learned with yet",
        )
        .into(),
        "complementary_experience" => pick(
            l,
            "Jullie ervaring vult elkaar aan: de een werkt al langer in het vak dan de ander",
            "Your experience is complementary: one of you has been in the field longer",
        )
        .into(),
        "in_person" if group => pick(
            l,
            "Jullie wonen allemaal op reisafstand van elkaar",
            "All of you live within travel distance of each other",
        )
        .into(),
        "in_person" => pick(
            l,
            "Jullie kunnen elkaar zonder lange reis ontmoeten",
            "You can meet without a long journey",
        )
        .into(),
        "online" if group => pick(
            l,
            "Jullie willen allemaal online afspreken",
            "All of you are happy to meet online",
        )
        .into(),
        "online" => pick(
            l,
            "Jullie willen allebei online afspreken",
            "Both of you are happy to meet online",
        )
        .into(),
        "hours_headroom" => pick(
            l,
            "Jullie hebben er allemaal tijd voor in je maanduren",
            "All of you have time for it in your monthly hours",
        )
        .into(),
        "shared_language" => pick(
            l,
            "Jullie spreken dezelfde taal het liefst",
            "You prefer the same language",
        )
        .into(),
        // "You fit" and anything newer says nothing a member can act on.
        _ => return None,
    };
    let about = match component {
        "cross_domain" | "cross_profession" | "topics" if !group => pair_other,
        "topics" => learner
            .and_then(|x| others.iter().find(|o| o.user_id == x))
            .map(|o| o.user_id),
        _ => None,
    };
    Some((line, about))
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
