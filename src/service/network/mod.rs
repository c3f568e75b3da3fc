//! The learning network for coordinators: the history of a programme (or
//! all the caller coordinates) over a period, measured, as a matrix, as a
//! graph to export and per round. Scoped like the rest of the coordinator
//! API: a programme outside the caller's is "not found".

pub mod png;
pub mod report;

use super::programmes::access::{self, Scope};
use super::AppState;
use crate::auth::AuthUser;
use crate::domain::{time, Domain, Experience, Locale, Role};
use crate::error::AppError;
use crate::network::centrality::{self, Bridge};
use crate::network::export::{self, Identities};
use crate::network::matrix::{self, DomainMatrix};
use crate::network::measures::{self, RoundOutcome, Summary};
use crate::network::picture;
use crate::network::{Answered, History, LinkMeetings, Member, Round};
use crate::store::network as store;
use serde::Serialize;
use std::collections::HashMap;

/// How many bridging members a summary lists.
const BRIDGES: usize = 10;

/// What a coordinator asked for: one programme or all of theirs, and a
/// period of publication dates (both included, Amsterdam days).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Filters {
    pub programme: Option<String>,
    pub from: Option<String>,
    pub until: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ScopeView {
    /// `null`: every programme the caller coordinates.
    pub programme: Option<String>,
    pub from: Option<String>,
    pub until: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct SummaryView {
    pub scope: ScopeView,
    #[serde(flatten)]
    pub summary: Summary,
    /// Only for one programme (the `programme` filter): who bridges is
    /// shown within a programme, never across a coordinator's several.
    pub bridges: Option<Bridges>,
}

#[derive(Debug, Serialize)]
pub struct Bridges {
    pub method: centrality::Method,
    pub sources: usize,
    pub members: Vec<BridgeView>,
}

#[derive(Debug, Serialize)]
pub struct BridgeView {
    /// `null` for an erased member.
    pub user_id: Option<String>,
    pub display_name: Option<String>,
    pub domain: Option<Domain>,
    pub betweenness: f64,
    pub domains_met: usize,
}

#[derive(Debug, Serialize)]
pub struct MatrixView {
    pub scope: ScopeView,
    #[serde(flatten)]
    pub matrix: DomainMatrix,
}

#[derive(Debug, Serialize)]
pub struct RoundsView {
    pub scope: ScopeView,
    pub rounds: Vec<RoundOutcome>,
}

/// The network a request reaches, with what it was asked.
pub struct Network {
    pub scope: ScopeView,
    pub history: History,
    /// The programme's name when one was asked for.
    pub programme_name: Option<String>,
    /// The caller's language, for pictures and the report.
    pub locale: Locale,
}

impl Network {
    pub fn summary(&self, with_bridges: bool) -> SummaryView {
        let summary = measures::summarise(&self.history);
        let bridges = with_bridges.then(|| {
            let b = centrality::betweenness(&crate::network::met_graph(&self.history), 0);
            let members = centrality::bridges(&self.history, &b, BRIDGES)
                .into_iter()
                .map(
                    |Bridge {
                         member,
                         betweenness,
                         domains_met,
                     }| {
                        let m = &self.history.members[member];
                        BridgeView {
                            user_id: (!m.erased).then(|| m.id.clone()),
                            display_name: m.name.clone(),
                            domain: m.domain,
                            betweenness,
                            domains_met,
                        }
                    },
                )
                .collect();
            Bridges {
                method: b.method,
                sources: b.sources,
                members,
            }
        });
        SummaryView {
            scope: self.scope_view(),
            summary,
            bridges,
        }
    }

    pub fn matrix(&self) -> DomainMatrix {
        matrix::domain_matrix(&self.history)
    }

    pub fn rounds(&self) -> Vec<RoundOutcome> {
        measures::round_outcomes(&self.history)
    }

    pub fn scope_view(&self) -> ScopeView {
        ScopeView {
            programme: self.scope.programme.clone(),
            from: self.scope.from.clone(),
            until: self.scope.until.clone(),
        }
    }
}

/// The network `actor` may see under `filters`.
pub fn load(state: &AppState, actor: &AuthUser, filters: Filters) -> Result<Network, AppError> {
    super::portfolio::check_period(filters.from.as_deref(), filters.until.as_deref())?;
    // jiff's calendar ends in 9999: a day that late holds no round, so it
    // is an open end (`until`) or a period with nothing in it (`from`).
    const FAR: (i64, u32, u32) = (9000, 1, 1);
    let day = |d: &str| time::parse_date(d).expect("checked");
    let from = filters.from.as_deref().map(day).map(|d| {
        if d >= FAR {
            i64::MAX
        } else {
            time::amsterdam_midnight(d.0, d.1, d.2)
        }
    });
    // Until is a day included: up to the next day's midnight.
    let until = filters.until.as_deref().map(day).and_then(|d| {
        (d < FAR).then(|| {
            let next = time::add_days(d, 1);
            time::amsterdam_midnight(next.0, next.1, next.2)
        })
    });
    let mut conn = state.conn()?;
    let locale = crate::store::users::by_id(&mut conn, &actor.id)?.map_or(Locale::Nl, |u| u.locale);
    let (programmes, programme_name) = match &filters.programme {
        Some(id) => {
            let p = access::coordinated(&mut conn, actor, id)?;
            (Scope::Programmes(vec![p.id]), Some(p.name))
        }
        None => (access::scope(&mut conn, actor)?, None),
    };
    let rows = store::rows(
        &mut conn,
        &store::Scope {
            programmes: programmes.ids(),
            from,
            until,
            kept_out: &kept_out(),
        },
    )?;
    drop(conn);
    Ok(Network {
        scope: ScopeView {
            programme: filters.programme,
            from: filters.from,
            until: filters.until,
        },
        history: history(rows),
        programme_name,
        locale,
    })
}

/// The unmatched reasons that mean "not eligible", as stored.
pub fn kept_out() -> Vec<String> {
    crate::matching::outcome::UnmatchedReason::BEFORE_MATCHING
        .iter()
        .map(|x| x.code())
        .collect()
}

/// The network the rows make: members, rounds in order, links per match,
/// who was eligible where.
pub fn history(rows: store::Rows) -> History {
    let mut h = History::default();
    let mut member_at: HashMap<String, usize> = HashMap::with_capacity(rows.members.len());
    for m in rows.members {
        member_at.insert(m.id.clone(), h.members.len());
        let erased = m.erased_at.is_some();
        h.members.push(Member {
            id: m.id,
            name: (!erased).then_some(m.display_name),
            domain: m.domain,
            profession: m.profession,
            province: m.province,
            experience: m.domain.map(|_| match m.experience_years {
                None => Experience::InTraining.band(),
                Some(y) => Experience::Years(y.clamp(0, 255) as u8).band(),
            }),
            erased,
        });
    }
    let mut round_at: HashMap<String, usize> = HashMap::with_capacity(rows.rounds.len());
    for r in rows.rounds {
        round_at.insert(r.id.clone(), h.rounds.len());
        h.rounds.push(Round {
            id: r.id,
            programme_id: r.programme_id,
            number: u32::try_from(r.number).unwrap_or(0),
            kind: r.kind,
            published_at: r.published_at.unwrap_or(0),
        });
    }
    let mut recorded: HashMap<(&str, &str), LinkMeetings> = HashMap::new();
    for mt in &rows.meetings {
        let e = recorded
            .entry((mt.match_id.as_str(), mt.user_id.as_str()))
            .or_default();
        e.meetings += 1;
        e.hours += u32::try_from(mt.hours).unwrap_or(0);
    }
    // Seats come ordered by match; a match's links go in at once.
    let mut by_round: Vec<Vec<(usize, &str, crate::domain::MatchKind, Vec<_>)>> =
        vec![Vec::new(); h.rounds.len()];
    for seat in &rows.seats {
        let (Some(&r), Some(&m)) = (round_at.get(&seat.round_id), member_at.get(&seat.user_id))
        else {
            continue;
        };
        let answered = match seat.response {
            crate::domain::Answer::Accepted => Answered::Accepted,
            crate::domain::Answer::Declined => Answered::Declined,
            _ => Answered::Open,
        };
        let meetings = recorded
            .get(&(seat.match_id.as_str(), seat.user_id.as_str()))
            .copied()
            .unwrap_or_default();
        let list = &mut by_round[r];
        match list.last_mut() {
            Some(last) if last.1 == seat.match_id => last.3.push((m, answered, meetings)),
            _ => list.push((
                r,
                seat.match_id.as_str(),
                seat.kind,
                vec![(m, answered, meetings)],
            )),
        }
    }
    for (r, list) in by_round.into_iter().enumerate() {
        for (_, match_id, kind, seats) in list {
            h.add_match(r, match_id, kind, &seats);
        }
    }
    let mut eligible: Vec<(usize, usize)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for seat in &rows.seats {
        if let (Some(&r), Some(&m)) = (round_at.get(&seat.round_id), member_at.get(&seat.user_id)) {
            if seen.insert((r, m)) {
                eligible.push((r, m));
            }
        }
    }
    for (round, user) in &rows.unmatched {
        if let (Some(&r), Some(&m)) = (round_at.get(round), member_at.get(user)) {
            if seen.insert((r, m)) {
                eligible.push((r, m));
            }
        }
    }
    eligible.sort_unstable();
    h.eligible = eligible;
    h
}

/// Names in a graph export: an admin may ask for them; a coordinator gets
/// pseudonyms, fresh for each export.
pub fn identities(actor: &AuthUser, names: bool) -> Result<Identities, AppError> {
    if !names {
        return Ok(Identities::Pseudonyms {
            seed: rand::random(),
        });
    }
    if actor.role == Role::Admin {
        Ok(Identities::Names)
    } else {
        Err(AppError::forbidden_because(
            "names_not_allowed",
            "only an administrator may export the network with names; leave out `names` for pseudonyms",
        ))
    }
}

/// A response: JSON, or a file to download.
pub enum Output {
    Json(serde_json::Value),
    File(Download),
}

pub struct Download {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub filename: String,
}

#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatrixFormat {
    #[default]
    Json,
    Csv,
    Svg,
    Png,
}

#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GraphFormat {
    #[default]
    Json,
    Graphml,
    Gexf,
    /// The domain network as a picture (no members in it).
    Svg,
    Png,
}

impl GraphFormat {
    fn code(self) -> &'static str {
        match self {
            GraphFormat::Json => "json",
            GraphFormat::Graphml => "graphml",
            GraphFormat::Gexf => "gexf",
            GraphFormat::Svg => "svg",
            GraphFormat::Png => "png",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoundsFormat {
    #[default]
    Json,
    Pdf,
}

fn json(v: impl Serialize) -> Result<Output, AppError> {
    Ok(Output::Json(serde_json::to_value(v).map_err(|e| {
        AppError::Internal(anyhow::anyhow!("network view did not serialise: {e}"))
    })?))
}

/// A picture as SVG, or rendered to PNG.
fn picture(p: &picture::Picture, png: bool, name: &str) -> Output {
    let svg = picture::to_svg(p);
    if png {
        file(png::to_png(&svg), "image/png", name, "png")
    } else {
        file(svg, "image/svg+xml; charset=utf-8", name, "svg")
    }
}

fn file(bytes: impl Into<Vec<u8>>, content_type: &'static str, name: &str, ext: &str) -> Output {
    Output::File(Download {
        bytes: bytes.into(),
        content_type,
        filename: format!("{name}.{ext}"),
    })
}

pub fn summary(state: &AppState, actor: &AuthUser, f: Filters) -> Result<Output, AppError> {
    let with_bridges = f.programme.is_some();
    let n = load(state, actor, f)?;
    json(n.summary(with_bridges))
}

pub fn domains(
    state: &AppState,
    actor: &AuthUser,
    f: Filters,
    format: MatrixFormat,
) -> Result<Output, AppError> {
    let n = load(state, actor, f)?;
    let m = n.matrix();
    match format {
        MatrixFormat::Json => json(MatrixView {
            scope: n.scope_view(),
            matrix: m,
        }),
        MatrixFormat::Csv => Ok(file(
            matrix::to_csv(&m),
            "text/csv; charset=utf-8",
            "network-domains",
            "csv",
        )),
        MatrixFormat::Svg | MatrixFormat::Png => Ok(picture(
            &picture::heat_map(&m, n.locale),
            matches!(format, MatrixFormat::Png),
            "network-domains",
        )),
    }
}

pub fn graph_export(
    state: &AppState,
    actor: &AuthUser,
    f: Filters,
    format: GraphFormat,
    names: bool,
) -> Result<Output, AppError> {
    let ids = identities(actor, names)?;
    let n = load(state, actor, f)?;
    if let GraphFormat::Svg | GraphFormat::Png = format {
        // Domains and counts only: no member is in the picture.
        return Ok(picture(
            &picture::domain_network(&n.matrix(), n.locale),
            matches!(format, GraphFormat::Png),
            "network-domains-graph",
        ));
    }
    let g = export::graph(&n.history, ids);
    // Members' data leaving the service, pseudonymous or not.
    super::audit::record_read(
        state,
        actor,
        super::audit::Action::NetworkExported,
        ("programme", n.scope.programme.as_deref().unwrap_or("all")),
        serde_json::json!({
            "format": format.code(),
            "names": names,
            "shown": g.nodes.len(),
        }),
    )?;
    match format {
        GraphFormat::Json => json(g),
        GraphFormat::Graphml => Ok(file(
            export::to_graphml(&g),
            "application/graphml+xml; charset=utf-8",
            "learning-network",
            "graphml",
        )),
        GraphFormat::Gexf => Ok(file(
            export::to_gexf(&g),
            "application/gexf+xml; charset=utf-8",
            "learning-network",
            "gexf",
        )),
        GraphFormat::Svg | GraphFormat::Png => unreachable!("answered above"),
    }
}

pub fn rounds(
    state: &AppState,
    actor: &AuthUser,
    f: Filters,
    format: RoundsFormat,
) -> Result<Output, AppError> {
    let n = load(state, actor, f)?;
    match format {
        RoundsFormat::Json => json(RoundsView {
            scope: n.scope_view(),
            rounds: n.rounds(),
        }),
        RoundsFormat::Pdf => {
            let summary = measures::summarise(&n.history);
            let input = report::ReportInput {
                programme: n.programme_name.clone(),
                from: n.scope.from.clone(),
                until: n.scope.until.clone(),
                generated_on: Some(time::amsterdam_day(crate::runtime::now())),
                locale: n.locale,
                rounds: n.rounds(),
                headline: report::Headline::from(&summary),
                matrix: n.matrix(),
            };
            Ok(file(
                report::report_pdf(&input),
                "application/pdf",
                match n.locale {
                    Locale::Nl => "uitkomsten-rondes",
                    Locale::En => "round-outcomes",
                },
                "pdf",
            ))
        }
    }
}
