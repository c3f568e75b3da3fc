//! The PE portfolio: a member's recorded meetings (the learning record) as
//! a document for a certification body, as PDF or as CSV for spreadsheets,
//! in the member's language. Counterparts appear only as their domain and
//! profession, never by name or address: the document leaves the service.

mod csv;
mod document;
mod pdf;

use super::{now, AppState};
use crate::domain::{Domain, FieldProblem, Locale, MatchRole};
use crate::error::AppError;
use crate::mail::labels;
use crate::store;
use document::{Labels, Portfolio, Row};
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
    let today = crate::domain::time::amsterdam_day(now());
    let period = l.period_text(from.as_deref(), until.as_deref().unwrap_or(&today));
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
}
