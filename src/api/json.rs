//! The JSON body extractor and the query/path error handlers: every way a
//! request can be malformed ends as a problem that names the field.

use crate::error::AppError;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;

/// Largest accepted body, set once in app data.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body, deserialized with the path of any bad field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<BodyLimit>()
            .map(|l| l.0)
            .unwrap_or(64 * 1024);
        let content_type = media_type(req);
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            match content_type.as_deref() {
                Some("application/json") => {}
                Some(ct) if ct.starts_with("application/") && ct.ends_with("+json") => {}
                other => {
                    return Err(AppError::unsupported_media_type(format!(
                        "send the body as JSON with Content-Type: application/json (got {})",
                        other
                            .map(|s| format!("\"{s}\""))
                            .unwrap_or_else(|| "no Content-Type".into())
                    )))
                }
            }
            if declared_len.is_some_and(|n| n > limit) {
                return Err(AppError::payload_too_large(limit));
            }
            let body = read_body(&mut payload, limit, "a JSON object").await?;
            parse(&body).map(ApiJson)
        })
    }
}

/// The request's media type in lower case, without its parameters.
pub fn media_type(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|s| {
            s.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

/// The whole body, at most `limit` bytes; a blank one is `empty_body`,
/// telling the client to send `what`.
pub async fn read_body<S>(
    payload: &mut S,
    limit: usize,
    what: &str,
) -> Result<web::BytesMut, AppError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, actix_web::error::PayloadError>> + Unpin,
{
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            AppError::bad_request(
                "unreadable_body",
                format!("could not read the request body: {e}"),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::payload_too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::bad_request(
            "empty_body",
            format!("the request body is empty; send {what}"),
        ));
    }
    Ok(body)
}

pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        AppError::bad_request("malformed_json", format!("the body is not valid JSON: {e}"))
    })?;
    integral_floats_as_integers(&mut value);
    if let Some(field) = first_null(&value, String::new()) {
        return Err(AppError::invalid_field(
            &field,
            "must not be null; leave the field out instead",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        AppError::invalid_field(&field, e.into_inner().to_string())
    })
}

/// The spec marks no request field nullable: an optional field is left out,
/// never sent as `null`, so one absent value has one spelling.
fn first_null(v: &serde_json::Value, at: String) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::Null if !at.is_empty() => Some(at),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| first_null(x, format!("{at}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, x)| {
            let path = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            first_null(x, path)
        }),
        _ => None,
    }
}

/// JSON has one number type: `6.0` is the integer 6 to JSON Schema (and to
/// our spec), so it is accepted wherever an integer is.
fn integral_floats_as_integers(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64()) {
                // Below 2^53 every integral f64 is exact.
                if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                    *v = Value::from(f as i64);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        AppError::bad_request("invalid_query", format!("invalid query string: {err}")).into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| {
        AppError::not_found("not_found", format!("invalid path parameter: {err}")).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::ResponseError;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Option<Inner>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u8,
    }

    fn problem(e: AppError) -> (u16, serde_json::Value) {
        let res = e.error_response();
        let status = res.status().as_u16();
        let bytes = actix_web::body::MessageBody::try_into_bytes(res.into_body()).unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[test]
    fn wrong_types_name_the_field() {
        let (status, body) =
            problem(parse::<Body>(br#"{"name":"a","inner":{"count":300}}"#).unwrap_err());
        assert_eq!(status, 422);
        assert_eq!(body["errors"][0]["field"], "inner.count");
    }

    #[test]
    fn unknown_fields_and_syntax_errors() {
        let (status, body) = problem(parse::<Body>(br#"{"name":"a","nmae":"b"}"#).unwrap_err());
        assert_eq!(status, 422);
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("unknown field `nmae`"),
            "{body}"
        );
        let (status, _) = problem(parse::<Body>(br#"{"name": "#).unwrap_err());
        assert_eq!(status, 400);
    }

    #[test]
    fn integral_floats_count_as_integers_and_nulls_are_refused() {
        let b = parse::<Body>(br#"{"name":"a","inner":{"count":6.0}}"#).unwrap();
        assert_eq!(b.inner.unwrap().count, 6);
        let (status, body) =
            problem(parse::<Body>(br#"{"name":"a","inner":{"count":6.5}}"#).unwrap_err());
        assert_eq!(
            (status, body["errors"][0]["field"].as_str()),
            (422, Some("inner.count"))
        );
        let (status, body) = problem(parse::<Body>(br#"{"name":"a","inner":null}"#).unwrap_err());
        assert_eq!(
            (status, body["errors"][0]["field"].as_str()),
            (422, Some("inner"))
        );
        let (_, body) = problem(parse::<Body>(br#"{"name":"a","list":[1,null]}"#).unwrap_err());
        assert_eq!(body["errors"][0]["field"], "list[1]");
    }
}
