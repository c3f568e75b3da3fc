//! Turns the error responses actix makes on its own (unknown route, wrong
//! method) into problem+json, so clients see one error format everywhere.

use crate::error::{AppError, PROBLEM_JSON};
use actix_web::dev::ServiceResponse;
use actix_web::http::{header, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpMessage, ResponseError};
use yaml_rust2::YamlLoader;

pub fn problem_responses<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(to_problem)
}

fn to_problem<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // A problem already, or the error page a person's browser asked for
    // (api/pages.rs); actix's own errors are plain text.
    let already = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes() == PROBLEM_JSON.as_bytes() || v.as_bytes().starts_with(b"text/html")
    });
    if already {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (req, _) = res.into_parts();
    let detail = match status {
        StatusCode::NOT_FOUND => format!("there is no resource at {}", req.path()),
        StatusCode::METHOD_NOT_ALLOWED => {
            let method = if req.extensions().contains::<super::HeadRequest>() {
                "HEAD".to_string()
            } else {
                req.method().to_string()
            };
            format!("{method} is not allowed on {}", req.path())
        }
        s => s.canonical_reason().unwrap_or("request failed").to_string(),
    };
    let mut problem = AppError::from_status(status, detail).error_response();
    if status == StatusCode::METHOD_NOT_ALLOWED {
        // RFC 9110 §15.5.6: a 405 lists the methods the resource supports.
        if let Some(allow) = allowed_methods(req.path()) {
            if let Ok(v) = header::HeaderValue::from_str(&allow) {
                problem.headers_mut().insert(header::ALLOW, v);
            }
        }
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, problem).map_into_right_body(),
    ))
}

/// The methods served at `path`, read from the spec: the contract test
/// keeps the spec and the route table listing the same operations.
fn allowed_methods(path: &str) -> Option<String> {
    static TABLE: std::sync::LazyLock<Vec<(String, Vec<&'static str>)>> =
        std::sync::LazyLock::new(|| spec_methods(super::OPENAPI_YAML));
    let (_, methods) = TABLE
        .iter()
        .find(|(pattern, _)| path_matches(pattern, path))?;
    // Every GET also answers HEAD (super::head_as_get).
    let mut methods = methods.clone();
    if let Some(i) = methods.iter().position(|m| *m == "GET") {
        methods.insert(i + 1, "HEAD");
    }
    Some(methods.join(", "))
}

/// (path pattern, methods) from the spec's `paths:` section, in the spec's
/// order. The spec is embedded at build time and its unit test reads it, so
/// a spec that does not parse fails the tests, not a request.
fn spec_methods(spec: &str) -> Vec<(String, Vec<&'static str>)> {
    const METHODS: [(&str, &str); 5] = [
        ("get", "GET"),
        ("post", "POST"),
        ("put", "PUT"),
        ("patch", "PATCH"),
        ("delete", "DELETE"),
    ];
    let docs = YamlLoader::load_from_str(spec).unwrap_or_default();
    let Some(paths) = docs.first().and_then(|d| d["paths"].as_hash()) else {
        return Vec::new();
    };
    paths
        .iter()
        .filter_map(|(path, item)| {
            let methods = item
                .as_hash()?
                .keys()
                .filter_map(|k| METHODS.iter().find(|(m, _)| k.as_str() == Some(*m)))
                .map(|(_, m)| *m)
                .collect();
            Some((path.as_str()?.to_string(), methods))
        })
        .collect()
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let (mut p, mut q) = (pattern.split('/'), path.split('/'));
    loop {
        match (p.next(), q.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == b || (a.starts_with('{') && !b.is_empty()) => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_what_the_spec_serves() {
        assert_eq!(
            allowed_methods("/api/v1/me/profile").as_deref(),
            Some("GET, HEAD, PUT, PATCH")
        );
        assert_eq!(
            allowed_methods("/api/v1/me").as_deref(),
            Some("GET, HEAD, DELETE")
        );
        assert_eq!(
            allowed_methods("/api/v1/rounds/abc/publish").as_deref(),
            Some("POST")
        );
        assert_eq!(
            allowed_methods("/api/v1/rounds/abc").as_deref(),
            Some("GET, HEAD")
        );
        assert_eq!(allowed_methods("/api/v1/rounds//publish"), None);
        assert_eq!(allowed_methods("/nowhere"), None);
        let table = spec_methods(crate::api::OPENAPI_YAML);
        assert!(table.len() > 30, "{table:?}");
        assert!(table.iter().all(|(_, m)| !m.is_empty()), "{table:?}");
    }
}
