//! Discovery, keys and style: small read-only JSON documents.

use actix_web::{web, HttpRequest, HttpResponse};

use super::site;
use crate::oauth::discovery;
use crate::oauth::Site;
use crate::sandbox::Sandbox;

fn with_site(
    req: &HttpRequest,
    sandbox: &Sandbox,
    f: fn(&Site) -> serde_json::Value,
) -> HttpResponse {
    let Some(site) = site(req, sandbox) else {
        return HttpResponse::NotFound().json(serde_json::json!({
            "error": "not_found",
            "error_description": "unknown FHIR release; use r2, r3 or r4",
        }));
    };
    if let Some(sim) = &site.sim {
        if let Err(e) = crate::launch::decode_segment(sim) {
            return HttpResponse::BadRequest().json(serde_json::json!({
                "error": "invalid_request",
                "error_description": format!("invalid launch options in the URL: {e}"),
            }));
        }
    }
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
