//! Token lifecycle endpoints: introspection (RFC 7662), revocation
//! (RFC 7009), and the launch-id API for CDS Hooks style callers.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::respond::{no_store, oauth_error};
use super::site;
use crate::clock;
use crate::oauth::caller::{authenticate_caller, Unauthorized};
use crate::oauth::introspect::introspect as introspect_token;
use crate::oauth::launch_id::create_launch;
use crate::oauth::revoke::revoke as revoke_token;
use crate::oauth::{OAuthError, Params, Site};
use crate::sandbox::Sandbox;

/// Both endpoints take a form POST (RFC 7662 §2.1, RFC 7009 §2.1).
fn form_request(
    req: &HttpRequest,
    sandbox: &Sandbox,
    body: &[u8],
) -> Result<(Site, Params), OAuthError> {
    let site = site(req, sandbox)
        .ok_or_else(|| OAuthError::invalid_request("unknown FHIR release; use r2, r3 or r4"))?;
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !form {
        return Err(OAuthError::invalid_request(
            "send the parameters as application/x-www-form-urlencoded",
        ));
    }
    let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).map_err(|e| {
        OAuthError::invalid_request(format!("the form body could not be read: {e}"))
    })?;
    let params = Params::from_pairs(pairs)
        .map_err(|r| OAuthError::invalid_request(format!("parameter `{}` is repeated", r.0)))?;
    Ok((site, params))
}

fn authorization(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
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
    body: web::Bytes,
    sandbox: web::Data<Sandbox>,
) -> HttpResponse {
    let (site, params) = match form_request(&req, &sandbox, &body) {
        Ok(x) => x,
        Err(e) => return oauth_error(&e),
    };
    let now = clock::now();
    let caller = authenticate_caller(
        &site,
        authorization(&req),
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
    body: web::Bytes,
    sandbox: web::Data<Sandbox>,
) -> HttpResponse {
    let (site, params) = match form_request(&req, &sandbox, &body) {
        Ok(x) => x,
        Err(e) => return oauth_error(&e),
    };
    let now = clock::now();
    let caller = match authenticate_caller(
        &site,
        authorization(&req),
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

/// `POST /v/{release}/launch`: a `launch` value carrying arbitrary context.
pub async fn create(
    req: HttpRequest,
    body: web::Bytes,
    sandbox: web::Data<Sandbox>,
) -> HttpResponse {
    let Some(site) = site(&req, &sandbox) else {
        return oauth_error(&OAuthError::invalid_request(
            "unknown FHIR release; use r2, r3 or r4",
        ));
    };
    match create_launch(&site, &body) {
        Ok(v) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(v),
        Err(e) => HttpResponse::BadRequest().json(serde_json::json!({
            "error": "invalid_request",
            "error_description": e,
        })),
    }
}
