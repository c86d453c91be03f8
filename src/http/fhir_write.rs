//! The FHIR write interactions over HTTP: `POST [type]`, `PUT [type]/[id]`,
//! `DELETE [type]/[id]`, `POST [base]` (batch/transaction), and `Binary`'s
//! native form (FHIR R4 binary.html "Serving Binary Resources using the
//! RESTful API"). Registered ahead of the read routes with method guards,
//! so other methods fall through to them. Handlers extract, call one plain
//! function in `fhir::write`/`fhir::transaction`, and write the answer.

use actix_web::http::StatusCode;
use actix_web::{guard, web, HttpRequest, HttpResponse};
use base64::Engine;
use serde_json::{json, Value};

use super::fhir::{claims, fhir_response, format_param, prefer, query_params, r4_site};
use super::request::{self, Media};
use crate::fhir::api::{self, Reply, Route};
use crate::fhir::format;
use crate::fhir::transaction::{self, Ctx};
use crate::fhir::write::{self, Kind, WriteOp, Written, MAX_BINARY};
use crate::oauth::tokens::AccessClaims;
use crate::oauth::Site;
use crate::sandbox::Sandbox;

/// The largest body read: a transaction Bundle or a JSON Binary.
const MAX_BODY: usize = super::limits::FHIR_WRITE_BODY;

pub fn routes(cfg: &mut web::ServiceConfig, prefix: &str) {
    cfg.service(web::resource(prefix).guard(guard::Post()).to(bundle))
        .service(
            web::resource(format!("{prefix}/Binary/{{id}}"))
                .guard(guard::Get())
                .to(binary_read),
        )
        .service(
            web::resource(format!("{prefix}/{{type}}"))
                .guard(guard::Post())
                .to(create),
        )
        .service(
            web::resource(format!("{prefix}/{{type}}/{{id}}"))
                .guard(guard::Any(guard::Put()).or(guard::Delete()))
                .route(web::put().to(update))
                .route(web::delete().to(delete)),
        );
}

fn respond(w: Written) -> HttpResponse {
    let r = w.reply;
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if !r.body.is_null() || r.status >= 400 {
        let mut resp = fhir_response(r);
        if let Some(Ok(v)) = w.location.map(|l| l.parse()) {
            resp.headers_mut()
                .insert(actix_web::http::header::LOCATION, v);
        }
        return resp;
    }
    let mut b = HttpResponse::build(status);
    if let Some(e) = r.etag {
        b.insert_header(("ETag", e));
    }
    if let Some(lm) = r.last_modified {
        b.insert_header(("Last-Modified", lm));
    }
    if let Some(l) = w.location {
        b.insert_header(("Location", l));
    }
    b.finish()
}

fn fail(reply: Reply) -> HttpResponse {
    fhir_response(reply)
}

/// The site and the verified token (RFC 6750), or the error answer.
fn authenticate(req: &HttpRequest, sandbox: &Sandbox) -> Result<(Site, AccessClaims), Reply> {
    let site = r4_site(req, sandbox)?;
    Ok((site, claims(req, sandbox)?))
}

/// An advisory header: unreadable reads as absent.
fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// A header the write depends on (`If-Match`, `X-Security-Context`):
/// unreadable is a 400, not "absent".
fn strict_header<'a>(req: &'a HttpRequest, name: &str) -> Result<Option<&'a str>, Reply> {
    request::header(req, name).map_err(|e| Reply::error(400, "invalid", &e))
}

/// Reads the body, refusing more than [`MAX_BODY`] with a 413 outcome.
async fn read_body(payload: web::Payload) -> Result<web::Bytes, Reply> {
    match payload.to_bytes_limited(MAX_BODY).await {
        Ok(Ok(b)) => Ok(b),
        Ok(Err(e)) => Err(Reply::error(
            400,
            "invalid",
            &format!("cannot read the body: {e}"),
        )),
        Err(_) => Err(Reply::error(
            413,
            "too-costly",
            "the body is larger than 16 MiB",
        )),
    }
}

/// The body's media type, `""` when none is named; a `Content-Type` that
/// cannot be read is a 415.
fn media(req: &HttpRequest) -> Result<String, Reply> {
    match request::media_type(req) {
        Media::Absent => Ok(String::new()),
        Media::Type(t) => Ok(t),
        Media::Malformed => Err(Reply::error(
            415,
            "not-supported",
            "the Content-Type header cannot be read: send application/fhir+json",
        )),
    }
}

/// A FHIR JSON media type, or `""` (none named, so JSON).
fn json_or_none(media: &str) -> bool {
    media.is_empty() || format::is_fhir_json(media)
}

/// The resource in the body: FHIR JSON, or for `Binary` any other content
/// type, kept as is (R4 binary.html; `X-Security-Context` names its
/// security context). Other types → 415.
fn resource(req: &HttpRequest, ty: &str, body: &[u8]) -> Result<Value, Reply> {
    let m = media(req)?;
    if json_or_none(&m) {
        if ty != "Binary" && body.len() > write::MAX_RESOURCE {
            return Err(write::too_large(ty));
        }
        return serde_json::from_slice(body)
            .map_err(|e| Reply::error(400, "invalid", &format!("the body is not JSON: {e}")));
    }
    if ty != "Binary" {
        return Err(Reply::error(
            415,
            "not-supported",
            &format!("Content-Type {m} is not supported: send application/fhir+json"),
        ));
    }
    if body.len() > MAX_BINARY {
        return Err(write::too_large("Binary"));
    }
    let mut b = json!({"resourceType": "Binary", "contentType": m,
        "data": base64::engine::general_purpose::STANDARD.encode(body)});
    if let Some(ctx) = strict_header(req, "x-security-context")? {
        b["securityContext"] = json!({"reference": ctx});
    }
    Ok(b)
}

fn seg(req: &HttpRequest, name: &str) -> String {
    req.match_info().get(name).unwrap_or("").to_string()
}

async fn run(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    payload: web::Payload,
    kind: Kind,
) -> HttpResponse {
    let (site, claims) = match authenticate(&req, &sandbox) {
        Ok(x) => x,
        Err(r) => return fail(r),
    };
    let ty = seg(&req, "type");
    let id = match kind {
        Kind::Create => write::new_id(),
        _ => seg(&req, "id"),
    };
    let resource = match kind {
        Kind::Delete => None,
        _ => {
            let body = match read_body(payload).await {
                Ok(b) => b,
                Err(r) => return fail(r),
            };
            match resource(&req, &ty, &body) {
                Ok(r) => Some(r),
                Err(r) => return fail(r),
            }
        }
    };
    let if_match = match strict_header(&req, "if-match") {
        Ok(v) => v.map(str::to_string),
        Err(r) => return fail(r),
    };
    let op = WriteOp {
        kind,
        ty,
        id,
        resource,
        if_match,
    };
    let base = site.fhir_base();
    let journal = sandbox.journal.as_ref();
    respond(write::write(
        &sandbox.fhir,
        journal,
        &claims,
        site.release,
        &base,
        op,
        prefer(&req).ret.unwrap_or_default(),
    ))
}

async fn create(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    payload: web::Payload,
) -> HttpResponse {
    run(req, sandbox, payload, Kind::Create).await
}

async fn update(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    payload: web::Payload,
) -> HttpResponse {
    run(req, sandbox, payload, Kind::Update).await
}

async fn delete(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    payload: web::Payload,
) -> HttpResponse {
    run(req, sandbox, payload, Kind::Delete).await
}

async fn bundle(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    payload: web::Payload,
) -> HttpResponse {
    let (site, claims) = match authenticate(&req, &sandbox) {
        Ok(x) => x,
        Err(r) => return fail(r),
    };
    let body = match read_body(payload).await {
        Ok(b) => b,
        Err(r) => return fail(r),
    };
    match media(&req) {
        Ok(m) if json_or_none(&m) => {}
        Ok(_) => {
            return fail(Reply::error(
                415,
                "not-supported",
                "POST [base] takes a FHIR JSON Bundle",
            ))
        }
        Err(r) => return fail(r),
    }
    let bundle: Value = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return fail(Reply::error(
                400,
                "invalid",
                &format!("the body is not JSON: {e}"),
            ))
        }
    };
    let base = site.fhir_base();
    let ctx = Ctx {
        store: &sandbox.fhir,
        journal: sandbox.journal.as_ref(),
        claims: &claims,
        release: site.release,
        base: &base,
    };
    fhir_response(transaction::handle(&ctx, &bundle))
}

/// Whether the client asked for FHIR JSON rather than the native bytes.
fn wants_json(req: &HttpRequest, params: &[(String, String)]) -> bool {
    format::asks_for_json(format_param(params), header(req, "accept").unwrap_or(""))
}

/// `GET [base]/Binary/[id]`: the Binary resource for FHIR JSON, else its
/// bytes with its own `Content-Type` (sandboxed: it is untrusted content).
async fn binary_read(req: HttpRequest, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let (site, claims) = match authenticate(&req, &sandbox) {
        Ok(x) => x,
        Err(r) => return fail(r),
    };
    let params = match query_params(&req) {
        Ok(p) => p,
        Err(r) => return fail(r),
    };
    let request = api::Request {
        fhir_base: site.fhir_base(),
        release: site.release,
        route: Route::Read {
            ty: "Binary".into(),
            id: seg(&req, "id"),
        },
        params: Vec::new(),
        strict: false,
    };
    let reply = api::handle(&sandbox.fhir, &claims, &request);
    if reply.status != 200 || wants_json(&req, &params) {
        return fhir_response(reply);
    }
    // Stored data (loaded from files, too) is served as a header only when
    // it is a media type.
    let ctype = reply.body["contentType"]
        .as_str()
        .filter(|t| crate::media_type::is_header_safe(t))
        .unwrap_or("application/octet-stream")
        .to_string();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(reply.body["data"].as_str().unwrap_or(""))
        .unwrap_or_default();
    let mut b = HttpResponse::Ok();
    b.insert_header(("Content-Type", ctype))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Content-Security-Policy", "sandbox"));
    if let Some(e) = reply.etag {
        b.insert_header(("ETag", e));
    }
    b.body(bytes)
}
