//! Turning protocol results into responses: RFC 6749 JSON errors with the
//! no-store headers, and HTML error pages.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::HttpResponse;
use askama::Template;

use crate::oauth::OAuthError;
use crate::pages::ErrorPage;

/// RFC 6749 §5.1: token responses and their errors are never cached.
pub fn no_store(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Pragma", "no-cache"));
    builder
}

/// RFC 6749 §5.2 error JSON; 401 with `WWW-Authenticate: Basic` when the
/// client authenticated with HTTP Basic.
pub fn oauth_error(e: &OAuthError) -> HttpResponse {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut builder = no_store(HttpResponse::build(status));
    if status == StatusCode::UNAUTHORIZED && e.basic_challenge {
        builder.insert_header(("WWW-Authenticate", "Basic realm=\"smart-sandbox\""));
    }
    builder.json(e.body())
}

/// An HTML error page (authorize errors that must not redirect).
pub fn error_page(status: u16, title: &str, message: &str, detail: Option<String>) -> HttpResponse {
    let page = ErrorPage {
        status,
        title: title.to_string(),
        message: message.to_string(),
        detail,
    };
    html(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        page.render(),
    )
}

pub fn html(status: StatusCode, rendered: Result<String, askama::Error>) -> HttpResponse {
    match rendered {
        Ok(body) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header(("Cache-Control", "no-store"))
            .body(body),
        Err(e) => {
            tracing::error!("template rendering failed: {e}");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("internal error: a page could not be rendered")
        }
    }
}

/// RFC 6749-style error JSON with any status (413, 415, 405 on the OAuth
/// endpoints), with the no-store headers.
pub fn json_error(status: StatusCode, error: &str, description: &str) -> HttpResponse {
    no_store(HttpResponse::build(status)).json(serde_json::json!({
        "error": error,
        "error_description": description,
    }))
}

fn not_allowed_text(method: &Method, allow: &str) -> String {
    format!("{method} is not allowed here; use {allow}")
}

/// RFC 9110 §15.5.6: 405 with `Allow`, as error JSON.
pub fn method_not_allowed_json(method: &Method, allow: &'static str) -> HttpResponse {
    let mut resp = json_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request",
        &not_allowed_text(method, allow),
    );
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    resp
}

/// 405 with `Allow`, as an HTML error page (pages, authorize).
pub fn method_not_allowed_page(method: &Method, allow: &'static str) -> HttpResponse {
    let mut resp = error_page(
        405,
        "Method not allowed",
        &not_allowed_text(method, allow),
        None,
    );
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    resp
}
