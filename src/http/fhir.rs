//! The FHIR REST API over HTTP: `/v/{release}[/sim/{sim}]/fhir/...`.
//! Handlers extract the route, parameters and headers, check the format and
//! the bearer token, and hand one [`api::Request`] to `fhir::api::handle`.
//! Every response is `application/fhir+json` (FHIR R4 §3.1.0.1.x "http").

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::request;
use super::{checked_site, SiteProblem};
use crate::fhir::access::{bearer, BearerProblem};
use crate::fhir::api::{self, Reply, Route};
use crate::fhir::capability::capability_statement;
use crate::fhir::format;
use crate::fhir::outcome::error;
use crate::fhir::prefer::Prefer;
use crate::fhir::release_capability::release_statement;
use crate::fhir::release_view;
use crate::oauth::tokens::AccessClaims;
use crate::oauth::{Release, Site};
use crate::sandbox::Sandbox;

const FHIR_JSON: &str = "application/fhir+json; charset=utf-8";

pub fn routes(cfg: &mut web::ServiceConfig) {
    for prefix in ["/v/{release}/fhir", "/v/{release}/sim/{sim}/fhir"] {
        super::fhir_write::routes(cfg, prefix);
        let get = |path: &str, route: actix_web::Route| {
            web::resource(format!("{prefix}{path}"))
                .route(route)
                .route(web::route().to(method_not_allowed))
        };
        cfg.service(get("/metadata", web::get().to(metadata)))
            .service(get("/Patient/{id}/$everything", web::get().to(everything)))
            .service(
                web::resource(format!("{prefix}/{{type}}/_search"))
                    .route(web::post().to(search_post))
                    .route(web::route().to(method_not_allowed)),
            )
            .service(get("/{type}/_history", web::get().to(history_type)))
            .service(get("/{type}/{id}/_history/{vid}", web::get().to(vread)))
            .service(get(
                "/{type}/{id}/_history",
                web::get().to(history_instance),
            ))
            .service(get("/{type}/{id}", web::get().to(read)))
            .service(get("/{type}", web::get().to(search_get)))
            // `POST [base]` (a Bundle) is in `fhir_write`; nothing else is.
            .service(web::resource(prefix).route(web::route().to(method_not_allowed)));
    }
}

pub(super) fn fhir_response(reply: Reply) -> HttpResponse {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut b = HttpResponse::build(status);
    b.content_type(FHIR_JSON);
    if let Some(etag) = reply.etag {
        b.insert_header(("ETag", etag));
    }
    if let Some(lm) = reply.last_modified {
        b.insert_header(("Last-Modified", lm));
    }
    if let Some(c) = reply.challenge {
        b.insert_header(("WWW-Authenticate", c));
    }
    // `to_vec` writes bytes straight out; `Display` would go through
    // `fmt::Write` token by token (measurable on 17 kB searchsets).
    b.body(serde_json::to_vec(&reply.body).unwrap_or_default())
}

fn fail(status: u16, code: &str, msg: &str) -> HttpResponse {
    fhir_response(Reply::error(status, code, msg))
}

/// The site of an R4 FHIR base, or the error to answer: writes are R4
/// only, the r2/r3 views are read-only (405).
pub(super) fn r4_site(req: &HttpRequest, sandbox: &Sandbox) -> Result<Site, Reply> {
    let site = fhir_site(req, sandbox)?;
    if site.release != Release::R4 {
        return Err(Reply::error(
            405,
            "not-supported",
            &format!(
                "{} {} is not supported: /v/{}/fhir is a read-only view; write at /v/r4/fhir",
                req.method(),
                req.path(),
                site.release.as_str()
            ),
        ));
    }
    Ok(site)
}

/// The site of a FHIR base of any release (r2, r3, r4), or the error.
pub(super) fn fhir_site(req: &HttpRequest, sandbox: &Sandbox) -> Result<Site, Reply> {
    checked_site(req, sandbox).map_err(|p| match p {
        SiteProblem::UnknownRelease => Reply::error(404, "not-found", &p.to_string()),
        SiteProblem::BadLaunch(_) => Reply::error(400, "invalid", &p.to_string()),
    })
}

/// R4 §3.1.0.1.9 "content types" (`fhir::format::negotiate`): a format
/// other than JSON is a 406; an unreadable `Accept` reads as absent.
pub(super) fn check_format(req: &HttpRequest, params: &[(String, String)]) -> Result<(), Reply> {
    let accept = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    format::negotiate(format_param(params), accept)
        .map_err(|e| Reply::error(406, "not-supported", &e))
}

/// The `_format` parameter, if any.
pub(super) fn format_param(params: &[(String, String)]) -> Option<&str> {
    params
        .iter()
        .find(|(k, _)| k == "_format")
        .map(|(_, v)| v.as_str())
}

/// The client's `Prefer` header(s) (`fhir::prefer`); advisory, so an
/// unreadable value is ignored.
pub(super) fn prefer(req: &HttpRequest) -> Prefer {
    crate::fhir::prefer::parse(
        req.headers()
            .get_all("prefer")
            .filter_map(|v| v.to_str().ok()),
    )
}

/// The query's pairs; not UTF-8 is a 400 outcome.
pub(super) fn query_params(req: &HttpRequest) -> Result<Vec<(String, String)>, Reply> {
    request::query(req).map_err(|e| Reply::error(400, "invalid", &e))
}

/// The bearer token's claims: a missing or bad token, or an
/// `Authorization` header that cannot be read, is a 401 outcome.
pub(super) fn claims(req: &HttpRequest, sandbox: &Sandbox) -> Result<AccessClaims, Reply> {
    let authorization = request::header(req, "authorization")
        .map_err(|e| api::unauthorized(&BearerProblem::Invalid(e)))?;
    bearer(
        authorization,
        &sandbox.keys.hs,
        &sandbox.revocations,
        crate::clock::now(),
    )
    .map_err(|p| api::unauthorized(&p))
}

async fn metadata(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let site = match fhir_site(&req, &sandbox) {
        Ok(s) => s,
        Err(r) => return fhir_response(r),
    };
    if let Err(r) = query_params(&req).and_then(|p| check_format(&req, &p)) {
        return fhir_response(r);
    }
    let statement = release_statement(&site)
        .unwrap_or_else(|| capability_statement(&site, &sandbox.fhir.read()));
    fhir_response(Reply::ok(statement))
}

/// Parameters, format, token, then the interaction.
fn dispatch(
    req: &HttpRequest,
    sandbox: &Sandbox,
    route: Route,
    params: Result<Vec<(String, String)>, Reply>,
) -> HttpResponse {
    let site = match fhir_site(req, sandbox) {
        Ok(s) => s,
        Err(r) => return fhir_response(r),
    };
    let params = match params.and_then(|p| check_format(req, &p).map(|()| p)) {
        Ok(p) => p,
        Err(r) => return fhir_response(r),
    };
    let claims = match claims(req, sandbox) {
        Ok(c) => c,
        Err(r) => return fhir_response(r),
    };
    let request = api::Request {
        fhir_base: site.fhir_base(),
        release: site.release,
        route,
        params,
        strict: prefer(req).strict,
    };
    fhir_response(release_view::handle(&sandbox.fhir, &claims, &request))
}

fn seg(req: &HttpRequest, name: &str) -> String {
    req.match_info().get(name).unwrap_or("").to_string()
}

async fn read(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let route = Route::Read {
        ty: seg(&req, "type"),
        id: seg(&req, "id"),
    };
    dispatch(&req, &sandbox, route, query_params(&req))
}

async fn vread(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let route = Route::Vread {
        ty: seg(&req, "type"),
        id: seg(&req, "id"),
        vid: seg(&req, "vid"),
    };
    dispatch(&req, &sandbox, route, query_params(&req))
}

async fn history_instance(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let route = Route::HistoryInstance {
        ty: seg(&req, "type"),
        id: seg(&req, "id"),
    };
    dispatch(&req, &sandbox, route, query_params(&req))
}

async fn history_type(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let route = Route::HistoryType {
        ty: seg(&req, "type"),
    };
    dispatch(&req, &sandbox, route, query_params(&req))
}

async fn search_get(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let route = Route::Search {
        ty: seg(&req, "type"),
    };
    dispatch(&req, &sandbox, route, query_params(&req))
}

/// R4 §3.1.1.1: `POST [type]/_search` with a form body; query-string and
/// body parameters are combined.
async fn search_post(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    body: Result<web::Bytes, actix_web::Error>,
) -> HttpResponse {
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let (status, msg) = request::body_refused(&e, super::limits::DEFAULT_BODY);
            let code = if status.as_u16() == 413 {
                "too-costly"
            } else {
                "invalid"
            };
            return fail(status.as_u16(), code, &msg);
        }
    };
    let form = request::media_type(&req).essence() == Some(request::FORM);
    if !body.is_empty() && !form {
        return fail(
            415,
            "not-supported",
            "POST _search takes an application/x-www-form-urlencoded body",
        );
    }
    let params = query_params(&req).and_then(|mut params| {
        let body = request::form(&body).map_err(|e| Reply::error(400, "invalid", &e))?;
        params.extend(body);
        Ok(params)
    });
    let route = Route::Search {
        ty: seg(&req, "type"),
    };
    dispatch(&req, &sandbox, route, params)
}

async fn everything(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let route = Route::Everything {
        id: seg(&req, "id"),
    };
    dispatch(&req, &sandbox, route, query_params(&req))
}

async fn method_not_allowed(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    if let Err(r) = r4_site(&req, &sandbox) {
        return fhir_response(r);
    }
    let msg = format!(
        "{} is not supported here (FHIR R4 http.html: see the CapabilityStatement at [base]/metadata)",
        req.method()
    );
    fhir_response(Reply {
        status: 405,
        ..Reply::ok(error("not-supported", &msg))
    })
}
