//! Authorize and token endpoints.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

use super::respond::{error_page, html, no_store, oauth_error};
use super::site;
use crate::clock;
use crate::oauth::asymmetric::{jwks_url_to_fetch, RemoteJwks};
use crate::oauth::authorize::{authorize, AuthorizeDeps, AuthorizeOutcome};
use crate::oauth::token::{token as token_grant, TokenRequest};
use crate::oauth::{OAuthError, Params};
use crate::sandbox::Sandbox;

pub async fn authorize_get(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    match serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string()) {
        Ok(pairs) => run_authorize(&req, &sandbox, pairs),
        Err(e) => error_page(
            400,
            "Invalid authorization request",
            "The query string could not be read.",
            Some(e.to_string()),
        ),
    }
}

/// OpenID Connect Core §3.1.2.1: authorize by form POST too (`authorize-post`).
pub async fn authorize_post(
    req: HttpRequest,
    body: web::Bytes,
    sandbox: web::Data<Sandbox>,
) -> HttpResponse {
    if !is_form(&req) {
        return error_page(
            415,
            "Unsupported content type",
            "Authorization requests by POST must be application/x-www-form-urlencoded.",
            None,
        );
    }
    match serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) {
        Ok(pairs) => run_authorize(&req, &sandbox, pairs),
        Err(e) => error_page(
            400,
            "Invalid authorization request",
            "The form body could not be read.",
            Some(e.to_string()),
        ),
    }
}

fn run_authorize(
    req: &HttpRequest,
    sandbox: &Sandbox,
    pairs: Vec<(String, String)>,
) -> HttpResponse {
    let Some(site) = site(req, sandbox) else {
        return error_page(
            404,
            "Unknown FHIR release",
            "Use /v/r2, /v/r3 or /v/r4.",
            None,
        );
    };
    let deps = AuthorizeDeps {
        hs: &sandbox.keys.hs,
        directory: sandbox.directory.as_ref(),
        id_token_jwk: sandbox.keys.rsa.public_jwk(),
    };
    match authorize(&site, pairs, &deps, clock::now()) {
        AuthorizeOutcome::Redirect(url) => HttpResponse::Found()
            .insert_header((header::LOCATION, url))
            .insert_header(("Cache-Control", "no-store"))
            .finish(),
        AuthorizeOutcome::ErrorPage(e) => error_page(e.status, &e.title, &e.message, None),
        AuthorizeOutcome::Screen(screen) => html(
            StatusCode::OK,
            crate::pages::render_screen(&screen, sandbox.directory.as_ref()),
        ),
    }
}

fn content_type(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

fn is_form(req: &HttpRequest) -> bool {
    content_type(req).is_none_or(|c| c == "application/x-www-form-urlencoded")
}

/// RFC 6749 §3.2: form-encoded POST; a JSON object body is accepted too.
pub async fn token(
    req: HttpRequest,
    body: web::Bytes,
    sandbox: web::Data<Sandbox>,
) -> HttpResponse {
    let Some(site) = site(&req, &sandbox) else {
        return oauth_error(&OAuthError::invalid_request(
            "unknown FHIR release; use r2, r3 or r4",
        ));
    };
    let params = match content_type(&req).as_deref() {
        None | Some("application/x-www-form-urlencoded") => serde_urlencoded::from_bytes::<
            Vec<(String, String)>,
        >(&body)
        .map_err(|e| format!("the form body could not be read: {e}"))
        .and_then(|pairs| {
            Params::from_pairs(pairs).map_err(|r| format!("parameter `{}` is repeated", r.0))
        }),
        Some("application/json") => Params::from_json(&body),
        Some(other) => Err(format!(
            "content type `{other}` is not supported; send application/x-www-form-urlencoded"
        )),
    };
    let params = match params {
        Ok(p) => p,
        Err(e) => return oauth_error(&OAuthError::invalid_request(e)),
    };
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let now = clock::now();
    let remote_jwks = match jwks_url_to_fetch(&site, &params, &sandbox.keys.hs, now) {
        Some(url) => Some(RemoteJwks {
            result: sandbox.jwks_fetcher.get(&url).await,
            url,
        }),
        None => None,
    };
    let request = TokenRequest {
        site: &site,
        params: &params,
        authorization,
        remote_jwks: remote_jwks.as_ref(),
    };
    match token_grant(&request, &sandbox.token_deps(), now) {
        Ok(response) => {
            if let Some(grant) = params.get("grant_type") {
                sandbox.metrics.token_issued(grant);
            }
            no_store(HttpResponse::Ok()).json(response)
        }
        Err(e) => oauth_error(&e),
    }
}
