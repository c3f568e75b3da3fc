//! Invitations to a programme: a coordinator sends a CSV of addresses and
//! names; each good row becomes an invitation (a single-use link by email),
//! each bad one a line in the report, and a bad row never stops the others.
//! Accepting links the invitation to the account of its address, or makes
//! that account.

use super::{access, view_of, Via};
use crate::auth::{password, tokens, AuthUser};
use crate::domain::csv::{self, CsvError};
use crate::domain::{check_password, display_name, EmailAddress, FieldProblem, Locale};
use crate::error::AppError;
use crate::mail::notify::ProgrammeInvitation;
use crate::service::accounts::{insert_verified_account, NewAccount, MAX_DISPLAY_NAME};
use crate::service::audit::{self, Action};
use crate::service::mail::{letter, To};
use crate::service::{now, AppState};
use crate::store::db::write_tx;
use crate::store::programmes::{self as store, InvitationRow, MemberRow};
use crate::store::{outbox, users};
use std::collections::HashMap;

/// How long an invitation link stays good.
pub const INVITATION_VALID_DAYS: i64 = 30;

/// Largest invitation file, in bytes (10,000 rows take about 0.5 MB).
pub const MAX_CSV_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// An invitation is (or, on a dry run, would be) sent.
    Invited,
    AlreadyMember,
    Refused,
}

#[derive(Debug, serde::Serialize)]
pub struct RowReport {
    /// The line of the file the row starts on (the header is line 1).
    pub line: usize,
    pub outcome: Outcome,
    /// The address as read (normalised when valid).
    pub email: String,
    /// An earlier invitation to the address was pending and is sent again
    /// with a new link (the old one no longer works).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub renewed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<&'static str>,
    /// Why a row was refused: `invalid_address`, `duplicate_row`,
    /// `missing_field`, `invalid_locale`, `too_long`, `extra_fields`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct Totals {
    pub rows: usize,
    pub invited: usize,
    pub already_member: usize,
    pub refused: usize,
}

#[derive(Debug, serde::Serialize)]
pub struct ImportReport {
    pub programme_id: String,
    pub dry_run: bool,
    pub totals: Totals,
    pub rows: Vec<RowReport>,
}

const COLUMNS: [&str; 3] = ["email", "display_name", "locale"];

/// Where each known column is; a missing required column, an unknown or a
/// repeated one refuses the whole file (a typo in the header would
/// otherwise refuse every row).
fn columns(header: &[String]) -> Result<[Option<usize>; 3], AppError> {
    let mut at = [None; 3];
    let mut problems = Vec::new();
    for (i, h) in header.iter().enumerate() {
        match COLUMNS.iter().position(|c| c == h) {
            Some(k) if at[k].is_some() => problems.push(FieldProblem::because(
                "header",
                "repeated_column",
                format!("column {h:?} appears twice"),
            )),
            Some(k) => at[k] = Some(i),
            None => problems.push(FieldProblem::because(
                "header",
                "unknown_column",
                format!("unknown column {h:?}; the columns are email, display_name and locale"),
            )),
        }
    }
    for (k, c) in COLUMNS.iter().enumerate().take(2) {
        if at[k].is_none() {
            problems.push(FieldProblem::because(
                "header",
                "missing_column",
                format!("the first line must name the column {c:?}"),
            ));
        }
    }
    if problems.is_empty() {
        Ok(at)
    } else {
        Err(AppError::validation(problems))
    }
}

/// A row that passed every check.
struct Good {
    line: usize,
    email: EmailAddress,
    name: String,
    locale: Option<Locale>,
}

fn refused(
    line: usize,
    email: &str,
    column: &'static str,
    reason: &'static str,
    message: String,
) -> RowReport {
    RowReport {
        line,
        outcome: Outcome::Refused,
        email: email.to_string(),
        renewed: false,
        column: Some(column),
        reason: Some(reason),
        message: Some(message),
    }
}

/// Checks one row on its own (not against other rows or the database).
fn check_row(
    at: &[Option<usize>; 3],
    r: &csv::Record,
    width: usize,
) -> Result<Good, Box<RowReport>> {
    let field = |k: usize| at[k].and_then(|i| r.fields.get(i)).map(|s| s.trim());
    let raw_email = field(0).unwrap_or("");
    let fail =
        |column, reason, message| Box::new(refused(r.line, raw_email, column, reason, message));
    if r.fields.len() > width {
        return Err(fail(
            "",
            "extra_fields",
            format!("{} fields where the header names {width}", r.fields.len()),
        ));
    }
    if raw_email.is_empty() {
        return Err(fail("email", "missing_field", "no address".into()));
    }
    let email = EmailAddress::parse("email", raw_email)
        .and_then(|e| crate::mail::check_recipient("email", &e).map(|()| e))
        .map_err(|p| fail("email", p.reason.unwrap_or("invalid_address"), p.message))?;
    let raw_name = field(1).unwrap_or("");
    if raw_name.is_empty() {
        return Err(fail("display_name", "missing_field", "no name".into()));
    }
    let name = display_name("display_name", raw_name, MAX_DISPLAY_NAME).map_err(|p| {
        fail(
            "display_name",
            p.reason.unwrap_or("invalid_name"),
            p.message,
        )
    })?;
    let locale = match field(2).filter(|l| !l.is_empty()) {
        None => None,
        Some(l) => Some(l.to_ascii_lowercase().parse::<Locale>().map_err(|_| {
            fail(
                "locale",
                "invalid_locale",
                format!("{l:?} is not a language of the service; use nl or en"),
            )
        })?),
    };
    Ok(Good {
        line: r.line,
        email,
        name,
        locale,
    })
}

/// Reads the file, checks every row, and (unless `dry_run`) stores the
/// invitations and their emails in one transaction.
pub fn import(
    state: &AppState,
    actor: &AuthUser,
    programme_id: &str,
    body: &[u8],
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        AppError::invalid_field(
            "body",
            format!(
                "the file is not UTF-8 (byte {}); save it as CSV UTF-8",
                e.valid_up_to()
            ),
        )
    })?;
    let table = csv::parse(text).map_err(|e| match e {
        CsvError::Empty => AppError::validation(vec![FieldProblem::because(
            "header",
            "missing_column",
            e.to_string(),
        )]),
        CsvError::UnclosedQuote { .. } => AppError::invalid_field("body", e.to_string()),
    })?;
    let at = columns(&table.header)?;
    let width = table.header.len();
    let mut conn = state.conn()?;
    let programme = access::coordinated(&mut conn, actor, programme_id)?;

    // Each row on its own, then against the rows before it.
    let mut reports: Vec<RowReport> = Vec::with_capacity(table.records.len());
    let mut good: Vec<Good> = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    for r in &table.records {
        match check_row(&at, r, width) {
            Err(report) => reports.push(*report),
            Ok(g) => {
                if let Some(first) = first_line.get(g.email.as_str()) {
                    reports.push(refused(
                        g.line,
                        g.email.as_str(),
                        "email",
                        "duplicate_row",
                        format!("the same address as line {first}"),
                    ));
                } else {
                    first_line.insert(g.email.to_string(), g.line);
                    reports.push(RowReport {
                        line: g.line,
                        outcome: Outcome::Invited,
                        email: g.email.to_string(),
                        renewed: false,
                        column: None,
                        reason: None,
                        message: None,
                    });
                    good.push(g);
                }
            }
        }
    }
    let index: HashMap<usize, usize> = reports
        .iter()
        .enumerate()
        .map(|(i, r)| (r.line, i))
        .collect();

    let mc = state.mail_context();
    let programme_name = programme.name.clone();
    write_tx(&mut conn, |conn| {
        let members: HashMap<String, String> = store::member_emails(conn, programme_id)?
            .into_iter()
            .collect();
        let emails: Vec<String> = good.iter().map(|g| g.email.to_string()).collect();
        let accounts = store::accounts_by_email(conn, &emails)?;
        let mut pending = store::invitations(conn, programme_id)?;
        let t = now();
        let mut fresh = Vec::new();
        let mut letters = Vec::new();
        let mut mentions = Vec::new();
        for g in &good {
            let report = &mut reports[index[&g.line]];
            if members.contains_key(g.email.as_str()) {
                report.outcome = Outcome::AlreadyMember;
                continue;
            }
            let account = accounts
                .get(g.email.as_str())
                .filter(|(_, erased)| !erased)
                .map(|(id, _)| id.clone());
            let existing = pending.remove(g.email.as_str());
            report.renewed = existing.as_ref().is_some_and(|e| e.accepted_at.is_none());
            if dry_run {
                continue;
            }
            let token = tokens::new_token();
            let locale = g.locale.unwrap_or_default();
            let row = InvitationRow {
                id: existing
                    .as_ref()
                    .map_or_else(|| uuid::Uuid::new_v4().to_string(), |e| e.id.clone()),
                programme_id: programme_id.to_string(),
                email: g.email.to_string(),
                display_name: g.name.clone(),
                locale: locale.code().into(),
                token_hash: tokens::hash_token(&token),
                invited_by: actor.id.clone(),
                created_at: t,
                expires_at: t + INVITATION_VALID_DAYS * 24 * 3600,
                accepted_at: None,
            };
            let notice = ProgrammeInvitation {
                name: &g.name,
                programme: &programme_name,
                link: mc.link("/invitations/accept", &token),
                valid_days: INVITATION_VALID_DAYS,
                has_account: account.is_some(),
            };
            let to = To {
                user_id: account.as_deref().unwrap_or(""),
                email: g.email.as_str(),
                locale,
            };
            let mut l = letter(&mc, to, &notice, &[])?;
            // An address without an account is nobody's yet.
            if account.is_none() {
                l.row.user_id = None;
            }
            letters.push(l.row);
            mentions.extend(l.mentions);
            if existing.is_some() {
                store::renew_invitation(conn, &row)?;
            } else {
                fresh.push(row);
            }
        }
        if !dry_run {
            store::insert_invitations(conn, &fresh)?;
            outbox::enqueue_many(conn, &letters, &mentions)?;
            audit::record(
                conn,
                actor,
                Action::InvitationsSent,
                ("programme", programme_id),
                serde_json::json!({ "invited": letters.len() }),
            )?;
        }
        Ok::<_, AppError>(())
    })?;
    let mut totals = Totals {
        rows: reports.len(),
        ..Totals::default()
    };
    for r in &reports {
        match r.outcome {
            Outcome::Invited => totals.invited += 1,
            Outcome::AlreadyMember => totals.already_member += 1,
            Outcome::Refused => totals.refused += 1,
        }
    }
    Ok(ImportReport {
        programme_id: programme_id.to_string(),
        dry_run,
        totals,
        rows: reports,
    })
}

pub struct Acceptance {
    pub token: String,
    pub password: Option<String>,
    pub display_name: Option<String>,
}

#[derive(Debug, serde::Serialize)]
pub struct Accepted {
    pub user_id: String,
    /// A new account was made for the invited address (log in with it).
    pub account_created: bool,
    pub programme: super::ProgrammeView,
}

fn invalid(detail: &str) -> AppError {
    AppError::bad_request("invalid_invitation", detail.to_string())
}

/// Accepts an invitation: the account of its address joins the programme;
/// an address without one gets an account, verified, since the link
/// reached its inbox.
pub fn accept(state: &AppState, a: Acceptance) -> Result<Accepted, AppError> {
    let hash = tokens::hash_token(a.token.trim());
    let mut conn = state.conn()?;
    let inv = store::invitation_by_hash(&mut conn, &hash)?
        .ok_or_else(|| invalid("this invitation link is not known; ask for a new invitation"))?;
    if inv.accepted_at.is_some() {
        return Err(invalid(
            "this invitation was already accepted; log in instead",
        ));
    }
    if inv.expires_at <= now() {
        return Err(invalid(
            "this invitation has expired; ask its coordinator for a new one",
        ));
    }
    let account = users::by_email(&mut conn, &inv.email)?.filter(|u| u.erased_at.is_none());
    // A new account's password is hashed before the transaction (Argon2).
    let new_account = match &account {
        Some(_) => None,
        None => {
            let email = EmailAddress::parse("email", &inv.email)
                .map_err(|p| AppError::validation(vec![p]))?;
            let name = match a.display_name.as_deref() {
                Some(n) => display_name("display_name", n, MAX_DISPLAY_NAME),
                None => Ok(inv.display_name.clone()),
            };
            let Some(pw) = a.password.as_deref() else {
                return Err(AppError::invalid_field(
                    "password",
                    "required: no account has this address yet, so one is made with this password",
                ));
            };
            let personal = [inv.email.as_str(), inv.display_name.as_str()];
            let problems: Vec<FieldProblem> = [
                check_password("password", pw, &personal).err(),
                name.as_ref().err().cloned(),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !problems.is_empty() {
                return Err(AppError::validation(problems));
            }
            let acc = NewAccount {
                email,
                password: pw.to_string(),
                display_name: name.unwrap_or_default(),
                locale: inv.locale.parse().unwrap_or_default(),
                role: crate::domain::Role::Member,
            };
            let h = password::hash(pw)?;
            Some((acc, h))
        }
    };
    write_tx(&mut conn, |conn| {
        if !store::accept_invitation(conn, &inv.id, &hash, now())? {
            return Err(invalid(
                "this invitation was already accepted; log in instead",
            ));
        }
        let (user_id, created) = match (&account, new_account) {
            (Some(u), _) => (u.id.clone(), false),
            (None, Some((acc, h))) => (insert_verified_account(conn, &acc, h)?.id, true),
            (None, None) => return Err(AppError::Internal(anyhow::anyhow!("no account"))),
        };
        if !store::is_member(conn, &inv.programme_id, &user_id)? {
            store::add_members(
                conn,
                &[MemberRow {
                    programme_id: inv.programme_id.clone(),
                    user_id: user_id.clone(),
                    joined_at: now(),
                    via: Via::Invited.code().into(),
                }],
            )?;
        }
        let p = access::load(conn, &inv.programme_id)?;
        let m = store::of_member(conn, &user_id)?
            .into_iter()
            .find(|(p, _)| p.id == inv.programme_id)
            .map(|(_, m)| m);
        Ok(Accepted {
            programme: view_of(conn, p, false, m)?,
            user_id,
            account_created: created,
        })
    })
}
