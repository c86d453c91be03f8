//! Discovery, keys and style: small read-only JSON documents.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::respond::json_error;
use super::{checked_site, SiteProblem};
use crate::oauth::discovery;
use crate::oauth::Site;
use crate::sandbox::Sandbox;

fn with_site(
    req: &HttpRequest,
    sandbox: &Sandbox,
    f: fn(&Site) -> serde_json::Value,
) -> HttpResponse {
    let site = match checked_site(req, sandbox) {
        Ok(s) => s,
        Err(p @ SiteProblem::UnknownRelease) => {
            return json_error(StatusCode::NOT_FOUND, "not_found", &p.to_string())
        }
        Err(p) => return json_error(StatusCode::BAD_REQUEST, "invalid_request", &p.to_string()),
    };
    HttpResponse::Ok().json(f(&site))
}

pub async fn smart_configuration(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    with_site(&req, &sandbox, discovery::smart_configuration)
}

pub async fn openid_configuration(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    with_site(&req, &sandbox, discovery::openid_configuration)
}

/// The JWKS with the id_token signing key (public members only).
pub async fn keys(sandbox: web::Data<Sandbox>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .json(sandbox.keys.jwks())
}

pub async fn smart_style() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .json(crate::style::smart_style())
}
