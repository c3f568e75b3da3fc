//! The small pages links in email lead to when no web front end is
//! deployed: each shows what the link is about and acts only after a click
//! (a POST): mail scanners open every link they find. The signed token in
//! the link says whose page it is (auth/action.rs); the one-time tokens of
//! verification, reset and invitation links are handed to the same service
//! calls as the API's.
//!
//! A page answers in its member's language (the account's, or the
//! browser's for links without an account) and, on an error, a page with
//! the problem's status and words, or problem+json for a client that does
//! not ask for HTML (a mail client's one-click unsubscribe).

use crate::auth::action::Act;
use crate::domain::{time, Locale};
use crate::error::AppError;
use crate::service::email_links::{self, LinkMember};
use crate::service::matches::MatchCard;
use crate::service::{accounts, appointments, evidence, matches, programmes, reminders};
use crate::service::{blocking, AppState};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use std::collections::HashMap;

#[derive(serde::Deserialize)]
pub struct TokenQuery {
    token: String,
}

type Form = HashMap<String, String>;

fn form(body: &[u8]) -> Form {
    url::form_urlencoded::parse(body).into_owned().collect()
}

use crate::domain::markup::escape as esc;

fn t(l: Locale, nl: &'static str, en: &'static str) -> &'static str {
    match l {
        Locale::Nl => nl,
        Locale::En => en,
    }
}

/// The browser's language for pages without an account behind them.
fn browser_locale(req: &HttpRequest) -> Locale {
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.trim_start().to_ascii_lowercase().starts_with("en") {
        Locale::En
    } else {
        Locale::Nl
    }
}

fn html(status: actix_web::http::StatusCode, l: Locale, title: &str, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        // The address holds a token: not to be cached, framed or passed on.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ))
        .body(format!(
            "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{} · buddymatch</title></head>\
             <body style=\"font-family: sans-serif; line-height: 1.5; max-width: 40em; margin: 2em auto; padding: 0 1em\">\
             <main><h1>{}</h1>\n{body}\n</main></body></html>\n",
            l.code(),
            esc(title),
            esc(title)
        ))
}

fn ok(l: Locale, title: &str, body: &str) -> HttpResponse {
    html(actix_web::http::StatusCode::OK, l, title, body)
}

/// An error as a page for a person, or as problem+json for a program.
fn failed(req: &HttpRequest, l: Locale, e: AppError) -> HttpResponse {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if !wants_html || matches!(e, AppError::Internal(_)) {
        return e.error_response();
    }
    let detail = match &e {
        AppError::Problem(p) => {
            let mut d = p.detail.clone();
            for f in &p.errors {
                d.push_str(&format!("\n{}: {}", f.field, f.message));
            }
            d
        }
        AppError::Internal(_) => String::new(),
    };
    let body = format!("<p>{}</p>", esc(&detail).replace('\n', "<br>"));
    html(
        e.status_code(),
        l,
        t(l, "Dat lukte niet", "That did not work"),
        &body,
    )
}

fn button(label: &str, name: &str, value: &str) -> String {
    format!(
        "<button type=\"submit\" name=\"{}\" value=\"{}\">{}</button>",
        esc(name),
        esc(value),
        esc(label)
    )
}

/// A form posting back to this page's own address (token included).
fn post_form(req: &HttpRequest, inner: &str) -> String {
    let target = match req.uri().query() {
        Some(q) => format!("{}?{q}", req.path()),
        None => req.path().to_string(),
    };
    format!(
        "<form method=\"post\" action=\"{}\">{inner}</form>",
        esc(&target)
    )
}

async fn link_member(
    state: &web::Data<AppState>,
    token: &str,
    act: Act,
    obj: &str,
) -> Result<LinkMember, AppError> {
    let (s, token, obj) = (state.clone(), token.to_string(), obj.to_string());
    blocking(move || email_links::member(&s, &token, act, &obj)).await
}

// ----- one-click unsubscribe (RFC 8058) -----

pub async fn unsubscribe_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<TokenQuery>,
) -> HttpResponse {
    let l = browser_locale(&req);
    let claims = match email_links::claims(&state, &q.token, Act::Unsubscribe) {
        Ok(c) => c,
        Err(e) => return failed(&req, l, e),
    };
    let what = reminder_words(&claims.obj, l);
    ok(
        l,
        t(l, "Herinnering uitzetten", "Turn a reminder off"),
        &format!(
            "<p>{} <strong>{}</strong></p>{}",
            t(
                l,
                "Wil je deze herinneringen niet meer ontvangen?",
                "Stop receiving these reminders?"
            ),
            esc(what),
            post_form(
                &req,
                &button(t(l, "Ja, zet uit", "Yes, turn off"), "confirm", "1")
            )
        ),
    )
}

fn reminder_words(code: &str, l: Locale) -> &'static str {
    match code {
        "answer_pending" => t(
            l,
            "een antwoord op een match laat op zich wachten",
            "an answer to a match is still due",
        ),
        "no_meeting_yet" => t(
            l,
            "nog geen afspraak weken na een match",
            "no meeting weeks after a match",
        ),
        "reflection_due" => t(
            l,
            "vastleggen wat je leerde, de dag na een afspraak",
            "recording what you learned, the day after an appointment",
        ),
        "next_session" => t(
            l,
            "de volgende intervisiebijeenkomst",
            "the next intervision session",
        ),
        _ => "",
    }
}

/// The POST a mail client sends (`List-Unsubscribe=One-Click`) or the
/// page's button: either turns the reminder off, at once.
pub async fn unsubscribe(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<TokenQuery>,
) -> HttpResponse {
    let l = browser_locale(&req);
    let token = q.into_inner().token;
    let s = state.clone();
    match blocking(move || reminders::unsubscribe(&s, &token)).await {
        Ok(done)
            if req
                .headers()
                .get(header::ACCEPT)
                .is_some_and(|a| a.to_str().is_ok_and(|a| a.contains("text/html"))) =>
        {
            ok(
                l,
                t(l, "Herinnering uitgezet", "Reminder turned off"),
                &format!(
                    "<p>{} <strong>{}</strong>. {}</p>",
                    t(
                        l,
                        "Je krijgt geen herinneringen meer over",
                        "You no longer get reminders about"
                    ),
                    esc(reminder_words(done.reminder, l)),
                    t(
                        l,
                        "Je kunt dit altijd weer aanzetten bij je instellingen.",
                        "You can turn it on again in your settings at any time."
                    )
                ),
            )
        }
        Ok(done) => HttpResponse::Ok().json(done),
        Err(e) => failed(&req, l, e),
    }
}

// ----- notification settings -----

const SETTINGS: [(&str, &str, &str); 4] = [
    (
        "answer_pending",
        "Als mijn antwoord op een match nog ontbreekt",
        "When my answer to a match is still due",
    ),
    (
        "no_meeting_yet",
        "Als er weken na een match nog geen afspraak is",
        "When there is no meeting weeks after a match",
    ),
    (
        "reflection_due",
        "De dag na een afspraak: vastleggen wat ik leerde",
        "The day after an appointment: record what I learned",
    ),
    (
        "next_session",
        "Voor de volgende intervisiebijeenkomst",
        "Before the next intervision session",
    ),
];

fn settings_form(
    req: &HttpRequest,
    l: Locale,
    s: &reminders::NotificationSettings,
    saved: bool,
) -> HttpResponse {
    let on = |code: &str| match code {
        "answer_pending" => s.answer_pending,
        "no_meeting_yet" => s.no_meeting_yet,
        "reflection_due" => s.reflection_due,
        _ => s.next_session,
    };
    let mut inner = String::new();
    for (code, nl, en) in SETTINGS {
        inner.push_str(&format!(
            "<p><label><input type=\"checkbox\" name=\"{code}\" value=\"on\"{}> {}</label></p>",
            if on(code) { " checked" } else { "" },
            esc(t(l, nl, en))
        ));
    }
    inner.push_str(&button(t(l, "Opslaan", "Save"), "save", "1"));
    let note = if saved {
        format!("<p><strong>{}</strong></p>", t(l, "Opgeslagen.", "Saved."))
    } else {
        String::new()
    };
    ok(
        l,
        t(l, "Welke herinneringen wil je?", "Which reminders do you want?"),
        &format!(
            "{note}<p>{}</p>{}",
            t(
                l,
                "Berichten over je matches zelf (een nieuwe match, een afspraak) krijg je altijd.",
                "Messages about your matches themselves (a new match, an appointment) always reach you."
            ),
            post_form(req, &inner)
        ),
    )
}

pub async fn settings_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<TokenQuery>,
) -> HttpResponse {
    let l = browser_locale(&req);
    let who = match link_member(&state, &q.token, Act::Settings, "").await {
        Ok(w) => w,
        Err(e) => return failed(&req, l, e),
    };
    let s = state.clone();
    let id = who.user_id.clone();
    match blocking(move || reminders::settings(&s, &id)).await {
        Ok(current) => settings_form(&req, who.locale, &current, false),
        Err(e) => failed(&req, who.locale, e),
    }
}

pub async fn save_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<TokenQuery>,
    body: web::Bytes,
) -> HttpResponse {
    let l = browser_locale(&req);
    let who = match link_member(&state, &q.token, Act::Settings, "").await {
        Ok(w) => w,
        Err(e) => return failed(&req, l, e),
    };
    let f = form(&body);
    let new = reminders::NotificationSettings {
        answer_pending: f.contains_key("answer_pending"),
        no_meeting_yet: f.contains_key("no_meeting_yet"),
        reflection_due: f.contains_key("reflection_due"),
        next_session: f.contains_key("next_session"),
    };
    let s = state.clone();
    let id = who.user_id.clone();
    match blocking(move || reminders::save(&s, &id, new)).await {
        Ok(saved) => settings_form(&req, who.locale, &saved, true),
        Err(e) => failed(&req, who.locale, e),
    }
}

// ----- a match: answer it, then propose an appointment -----

fn match_page(req: &HttpRequest, l: Locale, m: &MatchCard, note: &str) -> HttpResponse {
    use crate::domain::Answer;
    let mut body = String::new();
    if !note.is_empty() {
        body.push_str(&format!("<p><strong>{}</strong></p>", esc(note)));
    }
    body.push_str(&format!(
        "<p>{} · {} {} · {} {}</p><ul>",
        esc(m.kind),
        t(l, "ronde", "round"),
        m.round,
        t(l, "jouw rol:", "your role:"),
        esc(m.role),
    ));
    for (name, job) in &m.people {
        let job = if job.is_empty() {
            String::new()
        } else {
            format!(", {}", esc(job))
        };
        body.push_str(&format!("<li>{}{job}</li>", esc(name)));
    }
    body.push_str("</ul>");
    match m.response {
        Answer::Pending => body.push_str(&post_form(
            req,
            &format!(
                "<p><label>{}<br><textarea name=\"reason\" rows=\"3\" cols=\"50\"></textarea></label></p>{} {}",
                t(l, "Weigeren? Je reden ziet alleen jij (niet verplicht):", "Declining? Only you see your reason (optional):"),
                button(t(l, "Accepteren", "Accept"), "answer", "accept"),
                button(t(l, "Weigeren", "Decline"), "answer", "decline"),
            ),
        )),
        Answer::Accepted => {
            body.push_str(&format!(
                "<p>{}</p><h2>{}</h2>",
                t(l, "Je hebt deze match geaccepteerd.", "You accepted this match."),
                t(l, "Een afspraak voorstellen", "Propose a meeting")
            ));
            body.push_str(&post_form(
                req,
                &format!(
                    "<p><label>{}<br><input type=\"datetime-local\" name=\"starts_at\" required></label> \
                     <label>{}<br><input type=\"number\" name=\"duration_minutes\" value=\"60\" min=\"15\" max=\"480\"></label></p>\
                     <p><label><input type=\"radio\" name=\"mode\" value=\"in_person\" checked> {}</label> \
                     <label><input type=\"radio\" name=\"mode\" value=\"online\"> online</label></p>\
                     <p><label>{}<br><input name=\"location\" size=\"40\"></label></p>\
                     <p><label>{}<br><input name=\"online_url\" size=\"40\" placeholder=\"https://\"></label></p>\
                     <p><label>{}<br><textarea name=\"note\" rows=\"2\" cols=\"50\"></textarea></label></p>{}",
                    t(l, "Wanneer (tijd in Nederland)", "When (Dutch time)"),
                    t(l, "Minuten", "Minutes"),
                    t(l, "op locatie", "in person"),
                    t(l, "Locatie", "Location"),
                    t(l, "Link voor online", "Link for online"),
                    t(l, "Toelichting", "Note"),
                    button(t(l, "Uitnodiging versturen", "Send the invitation"), "answer", "appointment"),
                ),
            ));
        }
        _ => body.push_str(&format!(
            "<p>{}</p>",
            t(l, "Deze match loopt niet (meer) voor jou.", "This match is no longer on for you.")
        )),
    }
    ok(l, t(l, "Je match", "Your match"), &body)
}

async fn my_match(
    state: &web::Data<AppState>,
    who: &LinkMember,
    id: &str,
) -> Result<MatchCard, AppError> {
    let (s, user, l, id) = (
        state.clone(),
        who.user_id.clone(),
        who.locale,
        id.to_string(),
    );
    blocking(move || matches::card(&s, &user, l, &id)).await
}

pub async fn match_view(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<TokenQuery>,
) -> HttpResponse {
    let l = browser_locale(&req);
    let id = path.into_inner();
    let who = match link_member(&state, &q.token, Act::Answer, &id).await {
        Ok(w) => w,
        Err(e) => return failed(&req, l, e),
    };
    match my_match(&state, &who, &id).await {
        Ok(m) => match_page(&req, who.locale, &m, ""),
        Err(e) => failed(&req, who.locale, e),
    }
}

pub async fn match_act(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<TokenQuery>,
    body: web::Bytes,
) -> HttpResponse {
    let l = browser_locale(&req);
    let id = path.into_inner();
    let who = match link_member(&state, &q.token, Act::Answer, &id).await {
        Ok(w) => w,
        Err(e) => return failed(&req, l, e),
    };
    let l = who.locale;
    let f = form(&body);
    let field = |k: &str| {
        f.get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let (s, user, mid) = (state.clone(), who.user_id.clone(), id.clone());
    let note = match f.get("answer").map(String::as_str) {
        Some("accept") => blocking(move || matches::respond(&s, &user, &mid, true, None))
            .await
            .map(|_| {
                t(
                    l,
                    "Je hebt de match geaccepteerd.",
                    "You accepted the match.",
                )
            }),
        Some("decline") => {
            let reason = field("reason");
            blocking(move || matches::respond(&s, &user, &mid, false, reason))
                .await
                .map(|_| t(l, "Je hebt de match geweigerd.", "You declined the match."))
        }
        Some("appointment") => {
            let starts_at = field("starts_at")
                .map(|v| time::amsterdam_local(&v).unwrap_or(v))
                .unwrap_or_default();
            let a = appointments::NewAppointment {
                starts_at,
                duration_minutes: field("duration_minutes")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
                mode: field("mode").unwrap_or_default(),
                location: field("location"),
                online_url: field("online_url"),
                note: field("note"),
            };
            blocking(move || appointments::propose(&s, &user, &mid, a))
                .await
                .map(|_| {
                    t(
                        l,
                        "De uitnodiging is verstuurd naar iedereen in de match.",
                        "The invitation went to everyone in the match.",
                    )
                })
        }
        _ => Err(AppError::invalid_field(
            "answer",
            "must be accept, decline or appointment",
        )),
    };
    let note = match note {
        Ok(n) => n,
        Err(e) => return failed(&req, l, e),
    };
    match my_match(&state, &who, &id).await {
        Ok(m) => match_page(&req, l, &m, note),
        Err(e) => failed(&req, l, e),
    }
}

// ----- an appointment: see it, then record the meeting -----

fn appointment_page(
    req: &HttpRequest,
    l: Locale,
    a: &appointments::Appointment,
    note: &str,
) -> HttpResponse {
    let mut body = String::new();
    if !note.is_empty() {
        body.push_str(&format!("<p><strong>{}</strong></p>", esc(note)));
    }
    let place = if a.mode == "online" {
        format!(
            "online{}",
            a.online_url
                .as_deref()
                .map(|u| format!(": {}", esc(u)))
                .unwrap_or_default()
        )
    } else {
        format!(
            "{}{}",
            t(l, "op locatie", "in person"),
            a.location
                .as_deref()
                .map(|u| format!(": {}", esc(u)))
                .unwrap_or_default()
        )
    };
    let people: Vec<String> = a.attendees.iter().map(|p| esc(&p.name)).collect();
    body.push_str(&format!(
        "<p>{} ({} {})<br>{place}<br>{} {}</p>",
        esc(&time::human_time(a.starts_at, l)),
        a.duration_minutes,
        t(l, "minuten", "minutes"),
        t(l, "Met:", "With:"),
        people.join(", "),
    ));
    if let Some(n) = &a.note {
        body.push_str(&format!("<p>{}</p>", esc(n)));
    }
    if a.status == "cancelled" {
        body.push_str(&format!(
            "<p>{}</p>",
            t(
                l,
                "Deze afspraak is geannuleerd.",
                "This appointment was cancelled."
            )
        ));
    } else if let Some(r) = &a.record_meeting {
        body.push_str(&format!(
            "<h2>{}</h2>",
            t(l, "Wat heb je geleerd?", "What did you learn?")
        ));
        body.push_str(&post_form(
            req,
            &format!(
                "<p><label>{}<br><input type=\"date\" name=\"date\" value=\"{}\"></label> \
                 <label>{}<br><input type=\"number\" name=\"hours\" value=\"{}\" min=\"1\" max=\"12\"></label></p>\
                 <p><label>{}<br><textarea name=\"reflection\" rows=\"6\" cols=\"60\" required></textarea></label></p>{}",
                t(l, "Datum", "Date"),
                esc(&r.date),
                t(l, "Uren", "Hours"),
                r.hours,
                t(l, "Je reflectie (voor je PE-portfolio)", "Your reflection (for your PE portfolio)"),
                button(t(l, "Vastleggen", "Record"), "record", "1"),
            ),
        ));
    }
    ok(l, t(l, "Je afspraak", "Your appointment"), &body)
}

async fn my_appointment(
    state: &web::Data<AppState>,
    who: &LinkMember,
    id: &str,
) -> Result<appointments::Appointment, AppError> {
    let (s, user, id) = (state.clone(), who.user_id.clone(), id.to_string());
    blocking(move || appointments::get(&s, &user, &id)).await
}

pub async fn appointment_view(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<TokenQuery>,
) -> HttpResponse {
    let l = browser_locale(&req);
    let id = path.into_inner();
    let who = match link_member(&state, &q.token, Act::Appointment, &id).await {
        Ok(w) => w,
        Err(e) => return failed(&req, l, e),
    };
    match my_appointment(&state, &who, &id).await {
        Ok(a) => appointment_page(&req, who.locale, &a, ""),
        Err(e) => failed(&req, who.locale, e),
    }
}

pub async fn appointment_record(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<TokenQuery>,
    body: web::Bytes,
) -> HttpResponse {
    let l = browser_locale(&req);
    let id = path.into_inner();
    let who = match link_member(&state, &q.token, Act::Appointment, &id).await {
        Ok(w) => w,
        Err(e) => return failed(&req, l, e),
    };
    let l = who.locale;
    let a = match my_appointment(&state, &who, &id).await {
        Ok(a) => a,
        Err(e) => return failed(&req, l, e),
    };
    let f = form(&body);
    let m = evidence::NewMeeting {
        date: f.get("date").cloned().unwrap_or_default(),
        hours: f
            .get("hours")
            .and_then(|h| h.trim().parse().ok())
            .unwrap_or(0),
        reflection: f.get("reflection").cloned().unwrap_or_default(),
    };
    let (s, user, match_id) = (state.clone(), who.user_id.clone(), a.match_id.clone());
    match blocking(move || evidence::record_meeting(&s, &user, &match_id, m)).await {
        Ok(_) => appointment_page(
            &req,
            l,
            &a,
            t(
                l,
                "Vastgelegd in je leerverslag.",
                "Recorded in your learning record.",
            ),
        ),
        Err(e) => failed(&req, l, e),
    }
}

// ----- one-time links: verify an address, reset a password, accept an invitation -----

pub async fn verify_email_page(req: HttpRequest, _q: web::Query<TokenQuery>) -> HttpResponse {
    let l = browser_locale(&req);
    ok(
        l,
        t(l, "E-mailadres bevestigen", "Confirm your email address"),
        &post_form(&req, &button(t(l, "Bevestigen", "Confirm"), "confirm", "1")),
    )
}

pub async fn verify_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<TokenQuery>,
) -> HttpResponse {
    let l = browser_locale(&req);
    let addr = super::client::address(&req, &state.trusted_proxies);
    let token = q.into_inner().token;
    match blocking(move || accounts::verify_email(&state, &token, addr)).await {
        Ok(u) => ok(
            u.locale,
            t(u.locale, "Bevestigd", "Confirmed"),
            t(
                u.locale,
                "<p>Je e-mailadres is bevestigd. Je doet mee in de volgende matchingsronde.</p>",
                "<p>Your email address is confirmed. You take part in the next matching round.</p>",
            ),
        ),
        Err(e) => failed(&req, l, e),
    }
}

fn password_form(req: &HttpRequest, l: Locale, with_name: bool) -> String {
    let name = if with_name {
        format!(
            "<p><label>{}<br><input name=\"display_name\" size=\"30\"></label></p>",
            t(
                l,
                "Je naam (alleen voor een nieuw account)",
                "Your name (only for a new account)"
            )
        )
    } else {
        String::new()
    };
    post_form(
        req,
        &format!(
            "{name}<p><label>{}<br><input type=\"password\" name=\"password\" autocomplete=\"new-password\" size=\"30\"></label></p>{}",
            t(l, "Wachtwoord (minstens 12 tekens)", "Password (at least 12 characters)"),
            button(t(l, "Doorgaan", "Continue"), "confirm", "1")
        ),
    )
}

pub async fn reset_password_page(req: HttpRequest, _q: web::Query<TokenQuery>) -> HttpResponse {
    let l = browser_locale(&req);
    ok(
        l,
        t(l, "Nieuw wachtwoord", "New password"),
        &password_form(&req, l, false),
    )
}

pub async fn reset_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<TokenQuery>,
    body: web::Bytes,
) -> HttpResponse {
    let l = browser_locale(&req);
    let addr = super::client::address(&req, &state.trusted_proxies);
    let token = q.into_inner().token;
    let password = form(&body).remove("password").unwrap_or_default();
    match blocking(move || accounts::reset_password(&state, &token, &password, addr)).await {
        Ok(()) => ok(
            l,
            t(l, "Wachtwoord gewijzigd", "Password changed"),
            t(
                l,
                "<p>Je nieuwe wachtwoord is ingesteld. Log opnieuw in op je apparaten.</p>",
                "<p>Your new password is set. Log in again on your devices.</p>",
            ),
        ),
        Err(e) => failed(&req, l, e),
    }
}

pub async fn invitation_page(req: HttpRequest, _q: web::Query<TokenQuery>) -> HttpResponse {
    let l = browser_locale(&req);
    ok(
        l,
        t(l, "Uitnodiging aannemen", "Accept the invitation"),
        &format!(
            "<p>{}</p>{}",
            t(
                l,
                "Heb je al een account met dit adres? Laat de velden dan leeg.",
                "Do you have an account with this address already? Then leave the fields empty."
            ),
            password_form(&req, l, true)
        ),
    )
}

pub async fn accept_invitation(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<TokenQuery>,
    body: web::Bytes,
) -> HttpResponse {
    let l = browser_locale(&req);
    let mut f = form(&body);
    let a = programmes::invitations::Acceptance {
        token: q.into_inner().token,
        password: f.remove("password").filter(|p| !p.is_empty()),
        display_name: f.remove("display_name").filter(|p| !p.trim().is_empty()),
    };
    match blocking(move || programmes::invitations::accept(&state, a)).await {
        Ok(done) => ok(
            l,
            t(l, "Welkom", "Welcome"),
            &format!(
                "<p>{} <strong>{}</strong>.</p>",
                t(
                    l,
                    "Je doet nu mee in het programma",
                    "You now take part in the programme"
                ),
                esc(&done.programme.name)
            ),
        ),
        Err(e) => failed(&req, l, e),
    }
}
