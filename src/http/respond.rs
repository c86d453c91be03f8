//! Turning protocol results into responses: RFC 6749 JSON errors with the
//! no-store headers, and HTML error pages.

use actix_web::http::StatusCode;
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
