//! The web front end: static files from `web/`, embedded in the binary so
//! the one-command start serves it with no build step. Every page address
//! the app knows answers `index.html`; the app itself (plain JavaScript
//! modules) reads the address and calls the public API like any client.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use std::sync::LazyLock;

/// The pages get their own policy: our own scripts, styles and images only
/// (blob: for pictures and downloads fetched with the login), nothing
/// inline. The API keeps `default-src 'none'` (super::security_headers).
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

struct Asset {
    path: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $mime:expr) => {
        Asset {
            path: $path,
            mime: $mime,
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/", $path)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

/// Every file under `web/` (a test keeps this list and the folder equal).
static ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("app.css", "text/css; charset=utf-8"),
    asset!("icon.svg", "image/svg+xml"),
    asset!("js/app.js", JS),
    asset!("js/api.js", JS),
    asset!("js/charts.js", JS),
    asset!("js/dom.js", JS),
    asset!("js/i18n.js", JS),
    asset!("js/ui.js", JS),
    asset!("js/views/admin.js", JS),
    asset!("js/views/coordinator.js", JS),
    asset!("js/views/member.js", JS),
    asset!("js/views/public.js", JS),
];

/// The first segment of every page the app draws (web/js/app.js routes);
/// any other address stays a problem+json 404.
const PAGES: &[&str] = &[
    "login",
    "register",
    "verify-email",
    "forgot-password",
    "reset-password",
    "invitations",
    "matches",
    "profile",
    "appointments",
    "record",
    "settings",
    "account",
    "programmes",
    "rounds",
    "network",
    "mail",
    "admin",
];

/// Content hashes, so a browser revalidates a file cheaply (304) and never
/// runs a stale script after an upgrade.
static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    use sha2::{Digest, Sha256};
    ASSETS
        .iter()
        .map(|a| {
            let d = Sha256::digest(a.body);
            let hex: String = d[..12].iter().map(|b| format!("{b:02x}")).collect();
            format!("\"{hex}\"")
        })
        .collect()
});

/// The patterns that take any address (the app's pages are decided in
/// [`page`]): a 404 through one of them is an address nothing serves,
/// counted as unmatched (api/metrics.rs).
const CATCH_ALL: [&str; 3] = ["/{first}", "/{first}/", "/{first}/{rest:.+}"];

pub(super) fn catches_all(pattern: &str) -> bool {
    CATCH_ALL.contains(&pattern)
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Any method, so that a POST to an address that is no page stays the
    // 404 it was before the front end (not a 405 naming GET).
    cfg.route("/", web::route().to(page))
        .route("/assets/{file:.+}", web::route().to(asset))
        .route(CATCH_ALL[0], web::route().to(page))
        .route(CATCH_ALL[1], web::route().to(page))
        .route(CATCH_ALL[2], web::route().to(page));
}

fn serve(req: &HttpRequest, i: usize) -> HttpResponse {
    let a = &ASSETS[i];
    let etag = &ETAGS[i];
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::ETAG, etag.as_str()));
    if fresh {
        return res.finish();
    }
    res.content_type(a.mime).body(a.body)
}

fn index() -> usize {
    ASSETS
        .iter()
        .position(|a| a.path == "index.html")
        .unwrap_or(0)
}

fn is_get(req: &HttpRequest) -> bool {
    // HEAD arrives as GET (super::head_as_get).
    req.method() == actix_web::http::Method::GET
}

async fn page(req: HttpRequest) -> HttpResponse {
    let first = req.match_info().get("first").unwrap_or("");
    if is_get(&req) && (first.is_empty() || PAGES.contains(&first)) {
        serve(&req, index())
    } else {
        // The app's default turns this into the usual problem+json 404.
        HttpResponse::NotFound().finish()
    }
}

async fn asset(req: HttpRequest) -> HttpResponse {
    let file = req.match_info().get("file").unwrap_or("");
    match ASSETS
        .iter()
        .position(|a| a.path == file && a.path != "index.html")
    {
        Some(i) if is_get(&req) => serve(&req, i),
        _ => HttpResponse::NotFound().finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files(&p, base, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }

    #[test]
    fn every_file_of_the_front_end_is_embedded() {
        let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
        let mut on_disk = Vec::new();
        files(&base, &base, &mut on_disk);
        on_disk.sort();
        let mut embedded: Vec<String> = ASSETS.iter().map(|a| a.path.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn every_route_of_the_app_is_served() {
        let app = include_str!("../../web/js/app.js");
        let mut firsts: Vec<&str> = app
            .lines()
            .filter_map(|l| l.trim().strip_prefix("['/"))
            .filter_map(|rest| rest.split(['\'', '/']).next())
            .filter(|s| !s.is_empty())
            .collect();
        firsts.sort();
        firsts.dedup();
        assert!(firsts.len() > 10, "{firsts:?}");
        for f in firsts {
            assert!(
                PAGES.contains(&f),
                "web/js/app.js routes /{f}, which is not served"
            );
        }
    }
}
