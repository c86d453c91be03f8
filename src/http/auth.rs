//! Authorize and token endpoints.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

use super::request::{self, Media, FORM};
use super::respond::{error_page, html, json_error, no_store, oauth_error};
use super::{limits, site, SiteProblem};
use crate::clock;
use crate::oauth::asymmetric::{jwks_url_to_fetch, RemoteJwks};
use crate::oauth::authorize::{authorize, AuthorizeDeps, AuthorizeOutcome};
use crate::oauth::token::{token as token_grant, TokenRequest};
use crate::oauth::{OAuthError, Params};
use crate::sandbox::Sandbox;

pub async fn authorize_get(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    match request::query(&req) {
        Ok(pairs) => run_authorize(&req, &sandbox, pairs),
        Err(e) => error_page(
            400,
            "Invalid authorization request",
            "The query string could not be read.",
            Some(e),
        ),
    }
}

/// OpenID Connect Core §3.1.2.1: authorize by form POST too (`authorize-post`).
pub async fn authorize_post(
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
    sandbox: web::Data<Sandbox>,
) -> HttpResponse {
    if !request::is_form(&req) {
        return error_page(
            415,
            "Unsupported content type",
            "Authorization requests by POST must be application/x-www-form-urlencoded.",
            None,
        );
    }
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let (status, msg) = request::body_refused(&e, limits::AUTH_BODY);
            return error_page(status.as_u16(), "Invalid authorization request", &msg, None);
        }
    };
    match request::form(&body) {
        Ok(pairs) => run_authorize(&req, &sandbox, pairs),
        Err(e) => error_page(
            400,
            "Invalid authorization request",
            "The form body could not be read.",
            Some(e),
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

/// RFC 6749 §3.2: form-encoded POST; a JSON object body is accepted too.
pub async fn token(
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
    sandbox: web::Data<Sandbox>,
) -> HttpResponse {
    let Some(site) = site(&req, &sandbox) else {
        return oauth_error(&OAuthError::invalid_request(
            SiteProblem::UnknownRelease.to_string(),
        ));
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let (status, msg) = request::body_refused(&e, limits::AUTH_BODY);
            return json_error(status, "invalid_request", &msg);
        }
    };
    let params = match request::media_type(&req) {
        Media::Absent => request::form_params(&body),
        Media::Type(t) if t == FORM => request::form_params(&body),
        Media::Type(t) if t == "application/json" => Params::from_json(&body),
        Media::Type(other) => Err(format!(
            "content type `{other}` is not supported; send {FORM}"
        )),
        Media::Malformed => Err(format!(
            "the Content-Type header cannot be read; send {FORM}"
        )),
    };
    let params = match params {
        Ok(p) => p,
        Err(e) => return oauth_error(&OAuthError::invalid_request(e)),
    };
    let authorization = match request::header(&req, "authorization") {
        Ok(a) => a,
        Err(e) => return oauth_error(&OAuthError::invalid_client(e)),
    };
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
