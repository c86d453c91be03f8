//! Token lifecycle endpoints: introspection (RFC 7662), revocation
//! (RFC 7009), and the launch-id API for CDS Hooks style callers.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

use super::request;
use super::respond::{json_error, no_store, oauth_error};
use super::{checked_site, limits, site, SiteProblem};
use crate::clock;
use crate::oauth::caller::{authenticate_caller, Unauthorized};
use crate::oauth::introspect::introspect as introspect_token;
use crate::oauth::launch_id::create_launch;
use crate::oauth::revoke::revoke as revoke_token;
use crate::oauth::{OAuthError, Params, Site};
use crate::sandbox::Sandbox;

/// Both endpoints take a form POST (RFC 7662 §2.1, RFC 7009 §2.1) at a
/// site whose launch options (`{sim}`) decode; `Err` is an
/// `invalid_request` with its status (400, or 413 for a body over the cap).
fn form_request(
    req: &HttpRequest,
    sandbox: &Sandbox,
    body: Result<web::Bytes, actix_web::Error>,
) -> Result<(Site, Params), (StatusCode, String)> {
    let bad = |e: String| (StatusCode::BAD_REQUEST, e);
    let site = checked_site(req, sandbox).map_err(|p| bad(p.to_string()))?;
    if !request::is_form(req) {
        return Err(bad(
            "send the parameters as application/x-www-form-urlencoded".into(),
        ));
    }
    let body = body.map_err(|e| request::body_refused(&e, limits::AUTH_BODY))?;
    let params = request::form_params(&body).map_err(bad)?;
    Ok((site, params))
}

/// The `Authorization` header; present but unreadable is a 401.
fn authorization(req: &HttpRequest) -> Result<Option<&str>, Unauthorized> {
    request::header(req, "authorization").map_err(|description| Unauthorized {
        error: "invalid_client",
        description,
        challenge: "Basic realm=\"smart-sandbox\", Bearer realm=\"smart-sandbox\"".into(),
    })
}

/// RFC 7662 §2.3 / RFC 6750 §3: 401 with a challenge.
fn unauthorized(e: Unauthorized) -> HttpResponse {
    no_store(HttpResponse::Unauthorized())
        .insert_header((header::WWW_AUTHENTICATE, e.challenge))
        .json(serde_json::json!({ "error": e.error, "error_description": e.description }))
}

/// `POST {prefix}/auth/introspect`.
pub async fn introspect(
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
    sandbox: web::Data<Sandbox>,
) -> HttpResponse {
    let (site, params) = match form_request(&req, &sandbox, body) {
        Ok(x) => x,
        Err((status, msg)) => return json_error(status, "invalid_request", &msg),
    };
    let authorization = match authorization(&req) {
        Ok(a) => a,
        Err(e) => return unauthorized(e),
    };
    let now = clock::now();
    let caller = authenticate_caller(
        &site,
        authorization,
        &params,
        &sandbox.keys.hs,
        &sandbox.revocations,
        now,
    );
    match caller {
        Err(e) => unauthorized(e),
        Ok(crate::oauth::caller::Caller::Public(_)) => unauthorized(Unauthorized {
            error: "invalid_client",
            description: "introspection needs client credentials or an access token".into(),
            challenge: "Basic realm=\"smart-sandbox\", Bearer realm=\"smart-sandbox\"".into(),
        }),
        Ok(_) => no_store(HttpResponse::Ok()).json(introspect_token(
            params.get("token"),
            &sandbox.keys.hs,
            &sandbox.revocations,
            now,
        )),
    }
}

/// `POST {prefix}/auth/revoke`: 200 with an empty body on success (RFC 7009 §2.2).
pub async fn revoke(
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
    sandbox: web::Data<Sandbox>,
) -> HttpResponse {
    let (site, params) = match form_request(&req, &sandbox, body) {
        Ok(x) => x,
        Err((status, msg)) => return json_error(status, "invalid_request", &msg),
    };
    let authorization = match authorization(&req) {
        Ok(a) => a,
        Err(e) => return unauthorized(e),
    };
    let now = clock::now();
    let caller = match authenticate_caller(
        &site,
        authorization,
        &params,
        &sandbox.keys.hs,
        &sandbox.revocations,
        now,
    ) {
        Ok(c) => c,
        Err(e) => return unauthorized(e),
    };
    match revoke_token(
        params.get("token"),
        &caller,
        &sandbox.keys.hs,
        &sandbox.revocations,
        now,
    ) {
        Ok(done) => {
            tracing::debug!(?done, "revocation");
            no_store(HttpResponse::Ok()).finish()
        }
        Err(e) => oauth_error(&e),
    }
}

/// `POST /v/{release}/launch`: a `launch` value carrying arbitrary context,
/// as a JSON object (`application/json`, or no content type).
pub async fn create(
    req: HttpRequest,
    body: Result<web::Bytes, actix_web::Error>,
    sandbox: web::Data<Sandbox>,
) -> HttpResponse {
    let Some(site) = site(&req, &sandbox) else {
        return oauth_error(&OAuthError::invalid_request(
            SiteProblem::UnknownRelease.to_string(),
        ));
    };
    let json =
        request::media_type(&req).absent_or(|t| t == "application/json" || t.ends_with("+json"));
    if !json {
        return json_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "invalid_request",
            "send the launch options as an application/json object",
        );
    }
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let (status, msg) = request::body_refused(&e, limits::AUTH_BODY);
            return json_error(status, "invalid_request", &msg);
        }
    };
    match create_launch(&site, &body) {
        Ok(v) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(v),
        Err(e) => json_error(StatusCode::BAD_REQUEST, "invalid_request", &e),
    }
}
