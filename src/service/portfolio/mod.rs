//! The PE portfolio: a member's recorded meetings (the learning record) as
//! a document for a certification body, as PDF or as CSV for spreadsheets,
//! in the member's language. Counterparts appear only as their domain and
//! profession, never by name or address: the document leaves the service.

mod csv;
mod pdf;

use super::{now, AppState};
use crate::domain::{Domain, FieldProblem, Locale, MatchKind, MatchRole, Registration};
use crate::error::AppError;
use crate::mail::labels;
use crate::store;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Csv,
}

/// A rendered portfolio and how to send it.
pub struct Export {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub filename: String,
}

/// The words of the document in one language.
pub struct Labels {
    pub lang: &'static str,
    pub title: &'static str,
    pub subtitle: &'static str,
    pub name: &'static str,
    pub registration: &'static str,
    pub job: &'static str,
    pub period: &'static str,
    pub generated: &'static str,
    pub meetings: &'static str,
    pub none: &'static str,
    pub date: &'static str,
    pub form: &'static str,
    pub counterparts: &'static str,
    pub hours: &'static str,
    pub reflection: &'static str,
    pub totals: &'static str,
    pub per_form: &'static str,
    pub per_domain: &'static str,
    pub own_domain_only: &'static str,
    pub total: &'static str,
    pub domain_note: &'static str,
    pub statement: &'static str,
    page: &'static str,
    of: &'static str,
    months: [&'static str; 12],
    from_start: &'static str,
    through: &'static str,
}

const NL: Labels = Labels {
    lang: "nl",
    title: "Portfolio permanente educatie",
    subtitle: "Leren met vakgenoten via buddymatch: buddygesprekken, intervisie en meelopen",
    name: "Naam",
    registration: "Registratie",
    job: "Beroep en domein",
    period: "Periode",
    generated: "Opgesteld op",
    meetings: "Bijeenkomsten",
    none: "In deze periode zijn geen bijeenkomsten vastgelegd.",
    date: "Datum",
    form: "Leervorm",
    counterparts: "Gesprekspartners (domein, beroep)",
    hours: "Uren",
    reflection: "Reflectie: wat ik leerde",
    totals: "Totalen",
    per_form: "Uren per leervorm",
    per_domain: "Uren per domein van gesprekspartners buiten mijn eigen domein",
    own_domain_only: "alleen met vakgenoten uit mijn eigen domein",
    total: "Totaal",
    domain_note: "Een bijeenkomst met gesprekspartners uit meerdere domeinen telt bij elk van die domeinen mee; deze uren tellen daarom niet op tot het totaal.",
    statement: "Het lid heeft deze bijeenkomsten zelf vastgelegd in buddymatch, elk met een reflectie op wat het lid ervan leerde. Gesprekspartners staan hier alleen met hun domein en beroep, niet met hun naam.",
    page: "Pagina",
    of: "van",
    months: [
        "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
        "oktober", "november", "december",
    ],
    from_start: "vanaf de eerste vastgelegde bijeenkomst",
    through: "tot en met",
};

const EN: Labels = Labels {
    lang: "en",
    title: "Continuing education portfolio",
    subtitle: "Peer learning through buddymatch: buddy meetings, intervision and shadowing",
    name: "Name",
    registration: "Registration",
    job: "Profession and domain",
    period: "Period",
    generated: "Drawn up on",
    meetings: "Meetings",
    none: "No meetings were recorded in this period.",
    date: "Date",
    form: "Form of learning",
    counterparts: "Counterparts (domain, profession)",
    hours: "Hours",
    reflection: "Reflection: what I learned",
    totals: "Totals",
    per_form: "Hours per form of learning",
    per_domain: "Hours per counterparts' domain outside my own",
    own_domain_only: "only with peers from my own domain",
    total: "Total",
    domain_note: "A meeting with counterparts from several domains counts toward each of them, so these hours do not add up to the total.",
    statement: "The member recorded these meetings in buddymatch, each with a reflection on what they learned from it. Counterparts appear with their domain and profession only, not by name.",
    page: "Page",
    of: "of",
    months: [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ],
    from_start: "from the first recorded meeting",
    through: "up to and including",
};

impl Labels {
    pub fn of(locale: Locale) -> &'static Labels {
        match locale {
            Locale::Nl => &NL,
            Locale::En => &EN,
        }
    }

    pub fn page_of(&self, page: usize, pages: usize) -> String {
        format!("{} {page} {} {pages}", self.page, self.of)
    }

    /// `2026-12-06` as "6-12-2026" / "6 Dec 2026", for the table.
    pub fn short_date(&self, iso: &str) -> String {
        match crate::domain::time::parse_date(iso) {
            Some((y, m, d)) if self.lang == "nl" => format!("{d}-{m}-{y}"),
            Some((y, m, d)) => {
                let month = self.months[(m as usize).clamp(1, 12) - 1];
                format!("{d} {} {y}", month.get(..3).unwrap_or(month))
            }
            None => iso.to_string(),
        }
    }

    /// `2026-12-06` as "6 december 2026" / "6 December 2026".
    pub fn date(&self, iso: &str) -> String {
        match crate::domain::time::parse_date(iso) {
            Some((y, m, d)) => format!("{d} {} {y}", self.months[(m as usize).clamp(1, 12) - 1]),
            None => iso.to_string(),
        }
    }

    fn registration_words(&self, r: Option<Registration>) -> &'static str {
        let nl = self.lang == "nl";
        match (r, nl) {
            (Some(Registration::Certified), true) => "geregistreerd en gecertificeerd",
            (Some(Registration::Certified), false) => "registered and certified",
            (Some(Registration::Registered), true) => "geregistreerd (niet gecertificeerd)",
            (Some(Registration::Registered), false) => "registered (not certified)",
            (Some(Registration::None), true) => "niet geregistreerd of gecertificeerd",
            (Some(Registration::None), false) => "neither registered nor certified",
            (None, true) => "niet opgegeven (geen leerprofiel)",
            (None, false) => "not stated (no learning profile)",
        }
    }

    /// The form of learning as the member took part in it.
    fn form(&self, kind: MatchKind, role: MatchRole) -> &'static str {
        let nl = self.lang == "nl";
        match (kind, role, nl) {
            (MatchKind::Buddy, _, true) => "buddygesprek",
            (MatchKind::Buddy, _, false) => "buddy meeting",
            (MatchKind::Intervision, _, true) => "intervisie",
            (MatchKind::Intervision, _, false) => "intervision",
            (MatchKind::Shadowing, MatchRole::Host, true) => "meelopen (als gastheer/gastvrouw)",
            (MatchKind::Shadowing, MatchRole::Host, false) => "shadowing (as host)",
            (MatchKind::Shadowing, _, true) => "meelopen (als bezoeker)",
            (MatchKind::Shadowing, _, false) => "shadowing (as visitor)",
        }
    }
}

/// One meeting as the document shows it.
pub struct Row {
    /// `YYYY-MM-DD`, for the CSV.
    pub date: String,
    pub date_text: String,
    pub form: String,
    /// "domain, profession" per counterpart.
    pub counterparts: Vec<String>,
    pub hours: i32,
    pub reflection: String,
}

/// Everything the renderers show, in words.
pub struct Portfolio {
    pub labels: &'static Labels,
    pub name: String,
    pub registration: String,
    pub job: Option<String>,
    pub period: String,
    pub generated_on: String,
    pub rows: Vec<Row>,
    pub per_form: Vec<(String, i32)>,
    pub per_domain: Vec<(String, i32)>,
    pub total_hours: i32,
}

/// `from` and `until`: dates, either end open, `from` not after `until`.
pub fn check_period(from: Option<&str>, until: Option<&str>) -> Result<(), AppError> {
    let mut problems = Vec::new();
    for (field, v) in [("from", from), ("until", until)] {
        if let Some(v) = v {
            if !crate::domain::is_date(v) {
                problems.push(FieldProblem::new(
                    field,
                    format!(
                        "must be a date like 2026-01-31, not \"{}\"",
                        v.chars().take(40).collect::<String>()
                    ),
                ));
            }
        }
    }
    if let (Some(f), Some(u), true) = (from, until, problems.is_empty()) {
        if f > u {
            problems.push(FieldProblem::new(
                "until",
                format!("must not be before from ({f}): the period runs from `from` to `until`, both included"),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(problems))
    }
}

/// The caller's portfolio over a period (dates included; an open end takes
/// in every meeting on that side).
pub fn portfolio(
    state: &AppState,
    user_id: &str,
    format: Format,
    from: Option<String>,
    until: Option<String>,
) -> Result<Export, AppError> {
    check_period(from.as_deref(), until.as_deref())?;
    let mut conn = state.conn()?;
    let user = store::users::by_id(&mut conn, user_id)?
        .ok_or_else(|| AppError::not_found("user_not_found", "your account no longer exists"))?;
    let l = Labels::of(user.locale);
    let profile = store::profiles::load(&mut conn, user_id)?;
    let meetings =
        store::evidence::meetings_between(&mut conn, user_id, from.as_deref(), until.as_deref())?;
    let match_ids: Vec<String> = meetings.iter().map(|(m, _)| m.match_id.clone()).collect();
    let seats = store::evidence::seats_of_matches(&mut conn, &match_ids)?;
    let people: Vec<String> = seats.iter().map(|(_, s)| s.user_id.clone()).collect();
    let profiles = store::profiles::load_many(&mut conn, &people)?;
    drop(conn);

    let mut by_match: HashMap<&str, Vec<&store::rounds::Seat>> = HashMap::new();
    for (m, s) in &seats {
        by_match.entry(m.as_str()).or_default().push(s);
    }
    let own_domain = profile.as_ref().map(|p| p.domain);
    let mut rows = Vec::with_capacity(meetings.len());
    let mut per_form: BTreeMap<&'static str, i32> = BTreeMap::new();
    let mut per_domain: BTreeMap<Option<Domain>, i32> = BTreeMap::new();
    let mut total = 0;
    for (m, kind) in &meetings {
        let seats = by_match
            .get(m.match_id.as_str())
            .cloned()
            .unwrap_or_default();
        let my_role = seats
            .iter()
            .find(|s| s.user_id == user_id)
            .map_or(MatchRole::Buddy, |s| s.role);
        let mut counterparts = Vec::new();
        let mut domains = Vec::new();
        for s in seats.iter().filter(|s| {
            s.user_id != user_id
                && s.response == crate::domain::Answer::Accepted
                && super::evidence::meets(my_role, s.role)
        }) {
            match profiles.get(&s.user_id) {
                Some(p) => {
                    counterparts.push(format!(
                        "{}, {}",
                        labels::domain(p.domain, user.locale),
                        labels::profession(p.profession, user.locale)
                    ));
                    if Some(p.domain) != own_domain && !domains.contains(&p.domain) {
                        domains.push(p.domain);
                    }
                }
                None => counterparts.push(labels::former_member(user.locale).to_string()),
            }
        }
        let form = l.form(*kind, my_role);
        *per_form.entry(form).or_default() += m.hours;
        if domains.is_empty() {
            *per_domain.entry(None).or_default() += m.hours;
        }
        for d in domains {
            *per_domain.entry(Some(d)).or_default() += m.hours;
        }
        total += m.hours;
        rows.push(Row {
            date: m.met_on.clone(),
            date_text: l.short_date(&m.met_on),
            form: form.to_string(),
            counterparts,
            hours: m.hours,
            reflection: m.reflection.clone(),
        });
    }
    let today = crate::domain::time::date(now());
    let period = format!(
        "{} {} {}",
        from.as_deref()
            .map_or_else(|| l.from_start.to_string(), |f| l.date(f)),
        l.through,
        l.date(until.as_deref().unwrap_or(&today)),
    );
    let p = Portfolio {
        labels: l,
        name: user.display_name.clone(),
        registration: l
            .registration_words(profile.as_ref().map(|p| p.registration))
            .into(),
        job: profile
            .as_ref()
            .map(|p| labels::job(p.profession, p.domain, user.locale)),
        period,
        generated_on: l.date(&today),
        rows,
        per_form: per_form
            .into_iter()
            .map(|(f, h)| (f.to_string(), h))
            .collect(),
        // Domains in the vocabulary's order; "own domain only" last.
        per_domain: {
            let mut v: Vec<(String, i32)> = per_domain
                .iter()
                .filter_map(|(d, h)| d.map(|d| (labels::domain(d, user.locale).to_string(), *h)))
                .collect();
            if let Some(h) = per_domain.get(&None) {
                v.push((l.own_domain_only.to_string(), *h));
            }
            v
        },
        total_hours: total,
    };
    let stem = format!(
        "{}-{}-{}",
        if user.locale == Locale::Nl {
            "portfolio-pe"
        } else {
            "pe-portfolio"
        },
        from.as_deref().unwrap_or("start"),
        until.as_deref().unwrap_or(&today)
    );
    Ok(match format {
        Format::Pdf => Export {
            bytes: pdf::render(&p),
            content_type: "application/pdf",
            filename: format!("{stem}.pdf"),
        },
        Format::Csv => Export {
            bytes: csv::render(&p),
            content_type: "text/csv; charset=utf-8",
            filename: format!("{stem}.csv"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        assert!(check_period(None, None).is_ok());
        assert!(check_period(Some("2026-01-01"), Some("2026-01-01")).is_ok());
        let fields = |r: Result<(), AppError>| match r {
            Err(AppError::Problem(p)) => {
                p.errors.iter().map(|e| e.field.clone()).collect::<Vec<_>>()
            }
            _ => vec![],
        };
        assert_eq!(fields(check_period(Some("2026-02-30"), None)), ["from"]);
        assert_eq!(
            fields(check_period(Some("x"), Some("2026-13-01"))),
            ["from", "until"]
        );
        assert_eq!(
            fields(check_period(Some("2026-02-01"), Some("2026-01-31"))),
            ["until"]
        );
    }

    #[test]
    fn dates_in_words() {
        assert_eq!(NL.date("2026-12-06"), "6 december 2026");
        assert_eq!(EN.date("2027-01-15"), "15 January 2027");
        assert_eq!(NL.page_of(2, 3), "Pagina 2 van 3");
        assert_eq!(NL.short_date("2026-12-06"), "6-12-2026");
        assert_eq!(EN.short_date("2026-09-16"), "16 Sep 2026");
    }
}
