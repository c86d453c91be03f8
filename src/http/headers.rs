//! Security headers on every response (a `from_fn` middleware).
//!
//! * HTML pages: a Content-Security-Policy that allows only this origin's
//!   scripts, styles and fetches (the templates and `static/*.js` use no
//!   inline script, inline style or event-handler attribute), any frame
//!   source (the EHR frame `/ehr` embeds whatever app is launched), and
//!   framing by this origin only (the EHR frame embeds the sample app and the
//!   authorize screens). The sample app follows the `iss` it is launched
//!   with, which may be another server, so its pages may fetch anywhere.
//! * Everything else (JSON, FHIR, static files): `default-src 'none';
//!   frame-ancestors 'none'`.
//! * Everywhere: `X-Content-Type-Options: nosniff`, `Referrer-Policy:
//!   no-referrer` (a page that carries a `code` or `launch` in its URL never
//!   leaks it through `Referer`), and `X-Frame-Options` for old browsers.
//!
//! A handler that sets one of these headers itself keeps its own value.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// CSP for the sandbox's HTML pages.
pub const PAGE_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
script-src 'self'; connect-src 'self'; frame-src *; frame-ancestors 'self'; \
base-uri 'none'; object-src 'none'";

/// CSP for the sample app's pages: as [`PAGE_CSP`], but it may call the FHIR
/// server and token endpoint of whatever `iss` launched it.
pub const SAMPLE_APP_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
script-src 'self'; connect-src *; frame-src *; frame-ancestors 'self'; \
base-uri 'none'; object-src 'none'";

/// CSP for everything that is not an HTML page.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let sample_app = req.path().starts_with("/sample-app");
    let mut res = next.call(req).await?;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let (csp, frame) = match (html, sample_app) {
        (true, true) => (SAMPLE_APP_CSP, "SAMEORIGIN"),
        (true, false) => (PAGE_CSP, "SAMEORIGIN"),
        (false, _) => (API_CSP, "DENY"),
    };
    let h = res.headers_mut();
    set_default(h, header::CONTENT_SECURITY_POLICY, csp);
    set_default(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set_default(h, header::REFERRER_POLICY, "no-referrer");
    set_default(h, header::X_FRAME_OPTIONS, frame);
    Ok(res)
}

fn set_default(h: &mut HeaderMap, name: HeaderName, value: &'static str) {
    if !h.contains_key(&name) {
        h.insert(name, HeaderValue::from_static(value));
    }
}
