//! HTTP only: the route table, extractors and wire types.

mod accounts;
mod appointments;
mod client;
mod conflicts;
pub mod cors;
mod extract;
mod front_end;
mod health;
pub mod json;
pub mod logging;
pub mod metrics;
mod network;
mod notifications;
mod pages;
mod portfolio;
mod problems;
mod profile;
mod programmes;
mod rounds;

use actix_web::{web, HttpResponse};

/// `201 Created` with `Location: location` and `body`.
pub(crate) fn created(location: String, body: impl serde::Serialize) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .json(body)
}

/// The whole route table.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/api/v1/openapi.yaml").route(web::get().to(openapi)))
        .service(web::resource("/healthz").route(web::get().to(health::healthz)))
        .service(web::resource("/readyz").route(web::get().to(health::readyz)))
        .service(web::resource("/metrics").route(web::get().to(metrics::metrics)))
        .service(
            // service::mail::PAGES, written out for the contract test's reading.
            web::scope("/pages")
                .service(
                    web::resource("/unsubscribe")
                        .route(web::get().to(pages::unsubscribe_page))
                        .route(web::post().to(pages::unsubscribe)),
                )
                .service(
                    web::resource("/settings/notifications")
                        .route(web::get().to(pages::settings_page))
                        .route(web::post().to(pages::save_settings)),
                )
                .service(
                    web::resource("/matches/{id}")
                        .route(web::get().to(pages::match_view))
                        .route(web::post().to(pages::match_act)),
                )
                .service(
                    web::resource("/appointments/{id}")
                        .route(web::get().to(pages::appointment_view))
                        .route(web::post().to(pages::appointment_record)),
                )
                .service(
                    web::resource("/verify-email")
                        .route(web::get().to(pages::verify_email_page))
                        .route(web::post().to(pages::verify_email)),
                )
                .service(
                    web::resource("/reset-password")
                        .route(web::get().to(pages::reset_password_page))
                        .route(web::post().to(pages::reset_password)),
                )
                .service(
                    web::resource("/invitations/accept")
                        .route(web::get().to(pages::invitation_page))
                        .route(web::post().to(pages::accept_invitation)),
                ),
        )
        .service(
            web::scope("/api/v1")
                .service(web::resource("/auth/register").route(web::post().to(accounts::register)))
                .service(web::resource("/auth/login").route(web::post().to(accounts::login)))
                .service(web::resource("/auth/refresh").route(web::post().to(accounts::refresh)))
                .service(web::resource("/auth/logout").route(web::post().to(accounts::logout)))
                .service(
                    web::resource("/auth/verify-email")
                        .route(web::post().to(accounts::verify_email)),
                )
                .service(
                    web::resource("/auth/password-reset")
                        .route(web::post().to(accounts::request_password_reset)),
                )
                .service(
                    web::resource("/auth/password-reset/confirm")
                        .route(web::post().to(accounts::reset_password)),
                )
                .service(
                    web::resource("/me")
                        .route(web::get().to(accounts::me))
                        .route(web::delete().to(accounts::erase)),
                )
                .service(
                    web::resource("/me/password").route(web::post().to(accounts::change_password)),
                )
                .service(
                    web::resource("/me/sharing")
                        .route(web::get().to(accounts::sharing))
                        .route(web::put().to(accounts::set_sharing)),
                )
                .service(web::resource("/me/export").route(web::get().to(accounts::export)))
                .service(
                    web::resource("/me/verification-email")
                        .route(web::post().to(accounts::resend_verification)),
                )
                .service(
                    web::resource("/me/profile")
                        .route(web::get().to(profile::get))
                        .route(web::put().to(profile::put))
                        .route(web::patch().to(profile::patch)),
                )
                .service(web::resource("/topics").route(web::get().to(profile::topics)))
                .service(web::resource("/members").route(web::get().to(profile::list_members)))
                .service(
                    web::resource("/programmes")
                        .route(web::get().to(programmes::list))
                        .route(web::post().to(programmes::create)),
                )
                .service(
                    web::resource("/programmes/{id}")
                        .route(web::get().to(programmes::get))
                        .route(web::patch().to(programmes::update)),
                )
                .service(
                    web::resource("/programmes/{id}/coordinators/{user_id}")
                        .route(web::put().to(programmes::assign_coordinator))
                        .route(web::delete().to(programmes::remove_coordinator)),
                )
                .service(
                    web::resource("/programmes/{id}/members")
                        .route(web::get().to(programmes::members)),
                )
                .service(
                    web::resource("/programmes/{id}/join").route(web::post().to(programmes::join)),
                )
                .service(
                    web::resource("/programmes/{id}/membership")
                        .route(web::delete().to(programmes::leave)),
                )
                .service(
                    web::resource("/programmes/{id}/audit-log")
                        .route(web::get().to(programmes::audit_log)),
                )
                .service(
                    web::resource("/programmes/{id}/invitations")
                        .route(web::post().to(programmes::invite)),
                )
                .service(
                    web::resource("/invitations/accept")
                        .route(web::post().to(programmes::accept_invitation)),
                )
                .service(web::resource("/me/programmes").route(web::get().to(programmes::mine)))
                .service(
                    web::resource("/rounds")
                        .route(web::get().to(rounds::list))
                        .route(web::post().to(rounds::create)),
                )
                .service(web::resource("/rounds/{id}").route(web::get().to(rounds::detail)))
                .service(
                    web::resource("/rounds/{id}/preview").route(web::post().to(rounds::preview)),
                )
                .service(web::resource("/rounds/{id}/top-up").route(web::post().to(rounds::top_up)))
                .service(
                    web::resource("/rounds/{id}/overrides")
                        .route(web::get().to(rounds::overrides))
                        .route(web::put().to(rounds::set_overrides)),
                )
                .service(
                    web::resource("/rounds/{id}/readiness").route(web::get().to(rounds::readiness)),
                )
                .service(
                    web::resource("/rounds/{id}/publish").route(web::post().to(rounds::publish)),
                )
                .service(web::resource("/rounds/{id}/cancel").route(web::post().to(rounds::cancel)))
                .service(web::resource("/network/summary").route(web::get().to(network::summary)))
                .service(web::resource("/network/domains").route(web::get().to(network::domains)))
                .service(web::resource("/network/graph").route(web::get().to(network::graph)))
                .service(web::resource("/network/rounds").route(web::get().to(network::rounds)))
                .service(
                    web::resource("/conflicts")
                        .route(web::get().to(conflicts::list))
                        .route(web::post().to(conflicts::register)),
                )
                .service(
                    web::resource("/conflicts/{id}").route(web::delete().to(conflicts::remove)),
                )
                .service(web::resource("/mail/failed").route(web::get().to(rounds::failed_mail)))
                .service(web::resource("/me/matches").route(web::get().to(rounds::my_matches)))
                .service(
                    web::resource("/me/matches/{id}/meetings")
                        .route(web::post().to(rounds::record_meeting)),
                )
                .service(
                    web::resource("/me/matches/{id}/rating").route(web::put().to(rounds::rate)),
                )
                .service(
                    web::resource("/me/matches/{id}/appointments")
                        .route(web::post().to(appointments::propose)),
                )
                .service(web::resource("/me/appointments").route(web::get().to(appointments::mine)))
                .service(
                    web::resource("/me/appointments/{id}")
                        .route(web::get().to(appointments::get))
                        .route(web::patch().to(appointments::change))
                        .route(web::delete().to(appointments::cancel)),
                )
                .service(
                    web::resource("/me/calendar-feed")
                        .route(web::post().to(appointments::rotate_feed))
                        .route(web::delete().to(appointments::revoke_feed)),
                )
                .service(
                    web::resource("/calendar/{token}.ics").route(web::get().to(appointments::feed)),
                )
                .service(
                    web::resource("/me/learning-record")
                        .route(web::get().to(rounds::learning_record)),
                )
                .service(web::resource("/me/portfolio").route(web::get().to(portfolio::get)))
                .service(
                    web::resource("/me/learning-record/{id}")
                        .route(web::get().to(rounds::learning_record_entry)),
                )
                .service(
                    web::resource("/me/matches/{id}/accept").route(web::post().to(rounds::accept)),
                )
                .service(
                    web::resource("/me/matches/{id}/decline")
                        .route(web::post().to(rounds::decline)),
                )
                .service(
                    web::resource("/me/matches/{id}/convener")
                        .route(web::put().to(rounds::set_convener)),
                )
                .service(
                    web::resource("/me/notifications")
                        .route(web::get().to(notifications::get))
                        .route(web::put().to(notifications::put)),
                )
                .service(
                    web::resource("/admin/audit-log").route(web::get().to(accounts::audit_log)),
                )
                .service(
                    web::resource("/admin/users/{id}/role")
                        .route(web::put().to(accounts::set_role)),
                ),
        )
        // Last: its page addresses are the ones nothing above claims.
        .configure(front_end::routes);
}

pub use extract::settle_login_checks;
pub use problems::problem_responses;

/// Marks a request that came in as `HEAD` and is served as its `GET`.
#[derive(Debug, Clone, Copy)]
pub struct HeadRequest;

/// `HEAD` answers like `GET` without the body (RFC 9110, section 9.3.2) on
/// every route: the route table lists only `GET`, so a `HEAD` request is
/// routed as one. The body is never sent: actix's HTTP layer remembers the
/// method the request came with and writes only the status and headers.
pub async fn head_as_get(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::HttpMessage;
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
        req.extensions_mut().insert(HeadRequest);
    }
    next.call(req).await
}

/// The contract front ends build against, as committed in `api-spec/`.
pub const OPENAPI_YAML: &str = include_str!("../../api-spec/openapi.yaml");

async fn openapi() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("application/yaml")
        .body(OPENAPI_YAML)
}

/// Headers every response carries: a JSON API is never framed, sniffed,
/// cached by shared caches or allowed to leak its URLs in referrers, and is
/// reached over HTTPS only once a browser has seen it there (HSTS; browsers
/// ignore the header on plain HTTP, so local use is unaffected).
pub fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "no-referrer"))
        .add((
            "Content-Security-Policy",
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .add(("Cache-Control", "no-store"))
        .add((
            "Strict-Transport-Security",
            "max-age=31536000; includeSubDomains",
        ))
}
