//! What the portfolio shows, in words: the leaf the renderers and the use
//! case share.

use crate::domain::{Locale, MatchKind, MatchRole, Registration};

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

    /// "1 januari 2026 tot en met 6 december 2026"; an open start is
    /// "from the first recorded meeting".
    pub fn period_text(&self, from: Option<&str>, until: &str) -> String {
        let from = from.map_or_else(|| self.from_start.to_string(), |f| self.date(f));
        format!("{from} {} {}", self.through, self.date(until))
    }

    /// `2026-12-06` as "6 december 2026" / "6 December 2026".
    pub fn date(&self, iso: &str) -> String {
        match crate::domain::time::parse_date(iso) {
            Some((y, m, d)) => format!("{d} {} {y}", self.months[(m as usize).clamp(1, 12) - 1]),
            None => iso.to_string(),
        }
    }

    pub fn registration_words(&self, r: Option<Registration>) -> &'static str {
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
    pub fn form(&self, kind: MatchKind, role: MatchRole) -> &'static str {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_words() {
        assert_eq!(NL.date("2026-12-06"), "6 december 2026");
        assert_eq!(EN.date("2027-01-15"), "15 January 2027");
        assert_eq!(NL.page_of(2, 3), "Pagina 2 van 3");
        assert_eq!(
            NL.period_text(Some("2026-01-01"), "2026-12-31"),
            "1 januari 2026 tot en met 31 december 2026"
        );
        assert_eq!(
            EN.period_text(None, "2026-12-31"),
            "from the first recorded meeting up to and including 31 December 2026"
        );
        assert_eq!(NL.short_date("2026-12-06"), "6-12-2026");
        assert_eq!(EN.short_date("2026-09-16"), "16 Sep 2026");
    }
}
