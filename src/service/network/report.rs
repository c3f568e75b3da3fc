//! The round outcome report as an A4 PDF for a coordinator: the scope, the
//! headline figures, a table of the rounds, and the heat map and the domain
//! network drawn as vector graphics from the same display lists the SVG and
//! PNG pictures are made from.
//!
//! Pure: a [`ReportInput`] in, bytes out, the same bytes for the same input.

use crate::domain::labels;
use crate::domain::time::{amsterdam_date, parse_date};
use crate::domain::{Domain, Locale};
use crate::network::matrix::DomainMatrix;
use crate::network::measures::{RoundOutcome, Summary};
use crate::network::picture::{domain_network, heat_map};
use crate::service::pdf::fonts::{Fonts, Weight};
use crate::service::pdf::layout::{Align, Column, Layout, BODY, LEFT, PAD, RIGHT};
use crate::service::pdf::{write, Meta};

/// The figures at the top of the report: the network as it stands after the
/// last round in scope (README, "The learning network").
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    pub members: usize,
    pub members_reached: usize,
    pub links_proposed: usize,
    pub links_met: usize,
    /// Of the links with both domains known, 0..=1.
    pub cross_domain_share: f64,
    pub members_with_cross_domain_meeting: usize,
    pub domain_pairs_connected: usize,
    pub domain_pairs_possible: usize,
    pub isolated_members: usize,
    pub components: usize,
}

impl From<&Summary> for Headline {
    fn from(s: &Summary) -> Self {
        Headline {
            members: s.members,
            members_reached: s.members_reached,
            links_proposed: s.links.proposed,
            links_met: s.links.met,
            cross_domain_share: s.cross_domain.share,
            members_with_cross_domain_meeting: s.members_with_cross_domain_meeting,
            domain_pairs_connected: s.domain_pairs.connected,
            domain_pairs_possible: s.domain_pairs.possible,
            isolated_members: s.isolated_members,
            components: s.components.count,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportInput {
    /// The programme's name; `None` for all programmes.
    pub programme: Option<String>,
    /// The scope's first and last day (`YYYY-MM-DD`), each open if `None`.
    pub from: Option<String>,
    pub until: Option<String>,
    /// The day the report is drawn up (`YYYY-MM-DD`, Amsterdam), if it is
    /// to say so; left to the caller so the report itself reads no clock.
    pub generated_on: Option<String>,
    pub locale: Locale,
    /// Oldest first.
    pub rounds: Vec<RoundOutcome>,
    pub headline: Headline,
    pub matrix: DomainMatrix,
}

struct Words {
    lang: &'static str,
    title: &'static str,
    subtitle: &'static str,
    programme: &'static str,
    all_programmes: &'static str,
    period: &'static str,
    all_rounds: &'static str,
    from: &'static str,
    through: &'static str,
    generated: &'static str,
    headline: &'static str,
    figure: &'static str,
    value: &'static str,
    members: &'static str,
    reached: &'static str,
    links: &'static str,
    proposed_met: &'static str,
    cross_share: &'static str,
    met_across: &'static str,
    pairs: &'static str,
    isolated: &'static str,
    components: &'static str,
    rounds: &'static str,
    no_rounds: &'static str,
    round: &'static str,
    form: &'static str,
    eligible: &'static str,
    matched: &'static str,
    proposed: &'static str,
    accepted: &'static str,
    declined: &'static str,
    met: &'static str,
    across: &'static str,
    new_pairs: &'static str,
    new_pairs_heading: &'static str,
    domains: &'static str,
    of: &'static str,
    definitions: &'static str,
    pictures: &'static str,
    page: &'static str,
    months: [&'static str; 12],
}

const NL: Words = Words {
    lang: "nl",
    title: "Uitkomsten van de rondes",
    subtitle: "Het lerend netwerk in buddymatch: wie met wie in contact kwam, en over welke domeingrenzen heen",
    programme: "Programma",
    all_programmes: "alle programma's",
    period: "Periode",
    all_rounds: "alle gepubliceerde rondes",
    from: "vanaf",
    through: "tot en met",
    generated: "Opgesteld op",
    headline: "Kerncijfers",
    figure: "Kerncijfer",
    value: "Waarde",
    members: "Leden in deze selectie",
    reached: "Leden in minstens één voorgestelde koppeling",
    links: "Koppelingen",
    proposed_met: "voorgesteld, waarvan ontmoet",
    cross_share: "Aandeel koppelingen over domeingrenzen",
    met_across: "Leden die iemand uit een ander domein ontmoetten",
    pairs: "Paren van domeinen die elkaar ontmoetten",
    isolated: "Leden die nog niemand ontmoetten",
    components: "Losse delen van het netwerk",
    rounds: "Rondes",
    no_rounds: "Geen gepubliceerde rondes in deze selectie.",
    round: "Ronde",
    form: "Leervorm en datum",
    eligible: "Deel-\nnemers",
    matched: "Gekop-\npeld",
    proposed: "Voor-\ngesteld",
    accepted: "Aan-\nvaard",
    declined: "Afge-\nwezen",
    met: "Ont-\nmoet",
    across: "Over\ndomein-\ngrenzen",
    new_pairs: "Nieuwe\ndomein-\nparen",
    new_pairs_heading: "Paren van domeinen die elkaar voor het eerst ontmoetten",
    domains: "Domeinen",
    of: "van",
    definitions: "Een koppeling is één paar leden dat een ronde samenbracht: een buddykoppel of meeloopbezoek is één koppeling, een intervisiegroep van n leden n(n-1)/2. Ontmoet: er is minstens één bijeenkomst vastgelegd. Deelnemers: leden die in de ronde meededen aan het koppelen.",
    pictures: "Het netwerk in beeld",
    page: "Pagina",
    months: [
        "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
        "oktober", "november", "december",
    ],
};

const EN: Words = Words {
    lang: "en",
    title: "Round outcomes",
    subtitle: "The learning network in buddymatch: who came into contact with whom, and across which domain boundaries",
    programme: "Programme",
    all_programmes: "all programmes",
    period: "Period",
    all_rounds: "all published rounds",
    from: "from",
    through: "up to and including",
    generated: "Drawn up on",
    headline: "Headline figures",
    figure: "Figure",
    value: "Value",
    members: "Members in this selection",
    reached: "Members in at least one proposed link",
    links: "Links",
    proposed_met: "proposed, of which met",
    cross_share: "Share of links across domains",
    met_across: "Members who met someone from another domain",
    pairs: "Pairs of domains that met",
    isolated: "Members who have met nobody yet",
    components: "Separate parts of the network",
    rounds: "Rounds",
    no_rounds: "No published rounds in this selection.",
    round: "Round",
    form: "Form and date",
    eligible: "Eli-\ngible",
    matched: "Mat-\nched",
    proposed: "Pro-\nposed",
    accepted: "Ac-\ncepted",
    declined: "De-\nclined",
    met: "Met",
    across: "Across\ndo-\nmains",
    new_pairs: "New\ndo-\nmain\npairs",
    new_pairs_heading: "Pairs of domains that met for the first time",
    domains: "Domains",
    of: "of",
    definitions: "A link is one pair of members a round put together: a buddy pair or a shadowing visit is one link, an intervision group of n members n(n-1)/2. Met: at least one meeting was recorded. Eligible: members the round's matching took part in.",
    pictures: "The network in pictures",
    page: "Page",
    months: [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ],
};

impl Words {
    fn of(l: Locale) -> &'static Words {
        match l {
            Locale::Nl => &NL,
            Locale::En => &EN,
        }
    }

    /// "6 december 2026" / "6 December 2026".
    fn date(&self, (y, m, d): (i64, u32, u32)) -> String {
        format!("{d} {} {y}", self.months[(m as usize).clamp(1, 12) - 1])
    }

    /// "6-12-2026" / "6 Dec 2026", for the table.
    fn short_date(&self, (y, m, d): (i64, u32, u32)) -> String {
        if self.lang == "nl" {
            format!("{d}-{m}-{y}")
        } else {
            let month = self.months[(m as usize).clamp(1, 12) - 1];
            format!("{d} {} {y}", month.get(..3).unwrap_or(month))
        }
    }

    fn iso_date(&self, iso: &str) -> String {
        parse_date(iso).map_or_else(|| iso.to_string(), |d| self.date(d))
    }

    fn period(&self, from: Option<&str>, until: Option<&str>) -> String {
        match (from, until) {
            (None, None) => self.all_rounds.to_string(),
            (Some(f), None) => format!("{} {}", self.from, self.iso_date(f)),
            (None, Some(u)) => format!("{} {}", self.through, self.iso_date(u)),
            (Some(f), Some(u)) => {
                format!("{} {} {}", self.iso_date(f), self.through, self.iso_date(u))
            }
        }
    }

    fn percent(&self, share: f64) -> String {
        let p = (share * 100.0).round();
        if self.lang == "nl" {
            format!("{p:.0} %")
        } else {
            format!("{p:.0}%")
        }
    }
}

fn pair(d: [Domain; 2], l: Locale) -> String {
    format!("{} – {}", labels::domain(d[0], l), labels::domain(d[1], l))
}

fn column(title: &str, width: f32, align: Align) -> Column {
    Column {
        title: title.to_string(),
        width,
        align,
    }
}

/// The rounds table's columns: each but the form (with the date the round
/// was published under it) as wide as its widest value or title line
/// (titles break only where they say, at "\n"), the form taking the rest.
fn round_columns(fonts: &Fonts, w: &Words, rows: &[(Vec<String>, Weight)]) -> Vec<Column> {
    let titles = [
        w.round,
        w.form,
        w.eligible,
        w.matched,
        w.proposed,
        w.accepted,
        w.declined,
        w.met,
        w.across,
        w.new_pairs,
    ];
    let mut cols: Vec<Column> = titles
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let head = title.split('\n').map(|line| fonts.bold.width(line, BODY));
            let values = rows.iter().map(|r| fonts.regular.width(&r.0[i], BODY));
            let widest = head.chain(values).fold(0.0f32, f32::max);
            let align = if i == 1 { Align::Left } else { Align::Right };
            column(title, (widest + 2.0 * PAD + 1.0).ceil(), align)
        })
        .collect();
    cols[1].width = 0.0;
    cols[1].width = RIGHT - LEFT - cols.iter().map(|c| c.width).sum::<f32>();
    cols
}

/// Renders the report.
pub fn report_pdf(input: &ReportInput) -> Vec<u8> {
    let fonts = Fonts::new();
    let w = Words::of(input.locale);
    let l = input.locale;
    let h = &input.headline;
    let mut lay = Layout::new(&fonts);

    lay.paragraph(Weight::Bold, 18.0, w.title, 2.0);
    lay.paragraph(Weight::Regular, 10.0, w.subtitle, 8.0);
    lay.field(
        w.programme,
        input.programme.as_deref().unwrap_or(w.all_programmes),
    );
    lay.field(
        w.period,
        &w.period(input.from.as_deref(), input.until.as_deref()),
    );
    if let Some(day) = &input.generated_on {
        lay.field(w.generated, &w.iso_date(day));
    }
    lay.y -= 18.0;

    lay.paragraph(Weight::Bold, 12.0, w.headline, 6.0);
    let figures = [
        (w.members, h.members.to_string()),
        (w.reached, h.members_reached.to_string()),
        (
            w.links,
            format!("{} {}: {}", h.links_proposed, w.proposed_met, h.links_met),
        ),
        (w.cross_share, w.percent(h.cross_domain_share)),
        (
            w.met_across,
            h.members_with_cross_domain_meeting.to_string(),
        ),
        (
            w.pairs,
            format!(
                "{} {} {}",
                h.domain_pairs_connected, w.of, h.domain_pairs_possible
            ),
        ),
        (w.isolated, h.isolated_members.to_string()),
        (w.components, h.components.to_string()),
    ];
    let rows: Vec<(Vec<String>, Weight)> = figures
        .into_iter()
        .map(|(k, v)| (vec![k.to_string(), v], Weight::Regular))
        .collect();
    lay.table(
        &[
            column(w.figure, 300.0, Align::Left),
            column(w.value, 160.0, Align::Right),
        ],
        &rows,
    );

    lay.paragraph(Weight::Bold, 12.0, w.rounds, 6.0);
    if input.rounds.is_empty() {
        lay.paragraph(Weight::Regular, 10.0, w.no_rounds, 14.0);
    } else {
        let rows: Vec<(Vec<String>, Weight)> = input
            .rounds
            .iter()
            .map(|r| {
                (
                    vec![
                        r.round_number.to_string(),
                        format!(
                            "{}\n{}",
                            labels::kind(r.kind, l),
                            w.short_date(amsterdam_date(r.published_at))
                        ),
                        r.eligible.to_string(),
                        r.matched.to_string(),
                        r.links.proposed.to_string(),
                        r.links.accepted.to_string(),
                        r.links.declined.to_string(),
                        r.links.met.to_string(),
                        w.percent(r.cross_domain_share),
                        r.new_domain_pairs.len().to_string(),
                    ],
                    Weight::Regular,
                )
            })
            .collect();
        lay.table(&round_columns(&fonts, w, &rows), &rows);

        let firsts: Vec<(Vec<String>, Weight)> = input
            .rounds
            .iter()
            .filter(|r| !r.new_domain_pairs.is_empty())
            .map(|r| {
                let pairs: Vec<String> = r.new_domain_pairs.iter().map(|p| pair(*p, l)).collect();
                (
                    vec![r.round_number.to_string(), pairs.join("\n")],
                    Weight::Regular,
                )
            })
            .collect();
        if !firsts.is_empty() {
            lay.paragraph(Weight::Bold, 10.0, w.new_pairs_heading, 4.0);
            lay.table(
                &[
                    column(w.round, 40.0, Align::Right),
                    column(w.domains, RIGHT - LEFT - 40.0, Align::Left),
                ],
                &firsts,
            );
        }
    }
    lay.paragraph(Weight::Regular, 8.5, w.definitions, 14.0);

    lay.new_page();
    lay.paragraph(Weight::Bold, 12.0, w.pictures, 8.0);
    lay.picture(&heat_map(&input.matrix, l), 16.0);
    lay.picture(&domain_network(&input.matrix, l), 0.0);

    let title = match &input.programme {
        Some(p) => format!("{} · {p}", w.title),
        None => w.title.to_string(),
    };
    lay.footers(&title, |i, n| format!("{} {i} {} {n}", w.page, w.of));
    write(
        &fonts,
        &lay.pages,
        &Meta {
            lang: w.lang,
            title: &title,
            author: None,
        },
    )
}

#[cfg(test)]
mod tests;
