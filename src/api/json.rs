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
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|s| {
                s.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            });
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
                    "the request body is empty; send a JSON object",
                ));
            }
            parse(&body).map(ApiJson)
        })
    }
}

pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize(de) {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            match inner.classify() {
                serde_json::error::Category::Data => {
                    // Drop serde's " at line 1 column 9": the field path says more.
                    let msg = inner.to_string();
                    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                    let field = if path == "." {
                        "body".to_string()
                    } else {
                        path
                    };
                    Err(AppError::invalid_field(&field, msg))
                }
                _ => Err(AppError::bad_request(
                    "malformed_json",
                    format!("the body is not valid JSON: {inner}"),
                )),
            }
        }
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
}
