//! The FHIR REST interactions as plain functions (FHIR R4 §3.1.0 "http"):
//! read, vread, history, search and `Patient/$everything`, each access
//! checked, each answering a [`Reply`] the HTTP layer writes as is. Errors
//! are OperationOutcomes.

use serde_json::Value;

use super::access::{authorize_request, AccessFilter, BearerProblem, Denied, Interaction};
use super::body::Body;
use super::bundle;
use super::listing;
use super::outcome::{error, outcome_list};
use super::search;
use super::search::parse::parse_query;
use super::store::{Data, Entry, Store, Version};
use crate::oauth::tokens::AccessClaims;
use crate::oauth::Release;

/// What the request addresses (below the FHIR base).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Read { ty: String, id: String },
    Vread { ty: String, id: String, vid: String },
    HistoryInstance { ty: String, id: String },
    HistoryType { ty: String },
    Search { ty: String },
    Everything { id: String },
}

pub struct Request {
    /// The FHIR base as the client addressed it (links and `fullUrl`s).
    pub fhir_base: String,
    pub release: Release,
    pub route: Route,
    /// Query string and (for `_search`) form body parameters, in order.
    pub params: Vec<(String, String)>,
    /// `Prefer: handling=strict` (R4 §3.1.1.3.1).
    pub strict: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: Body,
    /// `ETag: W/"versionId"` and `Last-Modified` (an HTTP-date) on reads.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// `WWW-Authenticate` (RFC 6750 §3).
    pub challenge: Option<String>,
}

impl Reply {
    pub fn ok(body: impl Into<Body>) -> Self {
        Reply {
            status: 200,
            body: body.into(),
            etag: None,
            last_modified: None,
            challenge: None,
        }
    }

    pub fn error(status: u16, code: &str, diagnostics: &str) -> Self {
        Reply {
            status,
            ..Reply::ok(error(code, diagnostics))
        }
    }
}

/// RFC 6750 §3.1: 401 with a Bearer challenge (`invalid_token` when a token
/// was sent), body an OperationOutcome.
pub fn unauthorized(problem: &BearerProblem) -> Reply {
    let challenge = match problem {
        BearerProblem::Missing => "Bearer realm=\"smart-sandbox\"".to_string(),
        other => format!(
            "Bearer realm=\"smart-sandbox\", error=\"invalid_token\", error_description=\"{}\"",
            other.description().replace(['"', '\\'], "'")
        ),
    };
    Reply {
        challenge: Some(challenge),
        ..Reply::error(401, "login", &problem.description())
    }
}

pub(super) fn denied(d: Denied) -> Reply {
    match d {
        Denied::Token(p) => unauthorized(&p),
        Denied::Forbidden(msg) => Reply {
            challenge: Some("Bearer realm=\"smart-sandbox\", error=\"insufficient_scope\"".into()),
            ..Reply::error(403, "forbidden", &msg)
        },
    }
}

/// RFC 7231 §7.1.1.1 HTTP-date of a FHIR instant.
pub fn http_date(instant: &str) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc3339(instant).ok()?;
    Some(
        t.with_timezone(&chrono::Utc)
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string(),
    )
}

fn resource_reply(v: &Version) -> Reply {
    let body = v
        .resource
        .clone()
        .map_or(Body::Json(Value::Null), Body::Shared);
    Reply {
        etag: Some(format!("W/\"{}\"", v.version_id)),
        last_modified: http_date(&v.last_updated),
        ..Reply::ok(body)
    }
}

fn known_type(data: &Data, ty: &str) -> bool {
    super::capability::served_types(data)
        .iter()
        .any(|t| t == ty)
}

fn not_found(ty: &str, id: &str) -> Reply {
    Reply::error(404, "not-found", &format!("{ty}/{id} is not known"))
}

/// Finds an entry the token reaches; anything else is the same 404, so
/// other patients' ids are not revealed (SMART 2.2; FHIR R4 §3.1.0.2).
pub(super) fn reachable<'a>(
    data: &'a Data,
    access: &AccessFilter,
    ty: &str,
    id: &str,
) -> Result<&'a Entry, Reply> {
    data.get(ty, id)
        .filter(|e| access.reaches(e))
        .ok_or_else(|| not_found(ty, id))
}

pub(super) fn outside_constraints(access: &AccessFilter, ty: &str, id: &str) -> Reply {
    denied(Denied::Forbidden(format!(
        "{ty}/{id} is outside what this token's scopes grant ({})",
        access.scopes().join(" ")
    )))
}

/// Serves one FHIR request for verified `claims`.
pub fn handle(store: &Store, claims: &AccessClaims, req: &Request) -> Reply {
    let data = store.read();
    let (ty, interaction) = match &req.route {
        Route::Read { ty, .. } => (ty.as_str(), Interaction::Read),
        Route::Vread { ty, .. } => (ty.as_str(), Interaction::Vread),
        Route::HistoryInstance { ty, .. } => (ty.as_str(), Interaction::HistoryInstance),
        Route::HistoryType { ty } => (ty.as_str(), Interaction::HistoryType),
        Route::Search { ty } => (ty.as_str(), Interaction::Search),
        Route::Everything { .. } => ("Patient", Interaction::Read),
    };
    if !known_type(&data, ty) {
        return Reply::error(
            404,
            "not-supported",
            &format!("resource type `{ty}` is not served here"),
        );
    }
    let access = match authorize_request(claims, interaction, ty, req.release) {
        Ok(a) => a,
        Err(d) => return denied(d),
    };
    let result = match &req.route {
        Route::Read { id, .. } => read(&data, &access, ty, id, None),
        Route::Vread { id, vid, .. } => read(&data, &access, ty, id, Some(vid)),
        Route::HistoryInstance { id, .. } => listing::history(&data, &access, req, ty, Some(id)),
        Route::HistoryType { .. } => listing::history(&data, &access, req, ty, None),
        Route::Search { .. } => search_type(&data, &access, claims, req, ty),
        Route::Everything { id } => listing::everything(&data, &access, claims, req, id),
    };
    result.unwrap_or_else(|r| r)
}

fn read(
    data: &Data,
    access: &AccessFilter,
    ty: &str,
    id: &str,
    vid: Option<&str>,
) -> Result<Reply, Reply> {
    let entry = reachable(data, access, ty, id)?;
    let version = match vid {
        None => entry.latest(),
        Some(v) => entry.version(v).ok_or_else(|| {
            Reply::error(404, "not-found", &format!("{ty}/{id} has no version {v}"))
        })?,
    };
    let Some(resource) = &version.resource else {
        return Err(Reply::error(
            410,
            "deleted",
            &format!("{ty}/{id} was deleted"),
        ));
    };
    if !access.allows(entry, resource) {
        return Err(outside_constraints(access, ty, id));
    }
    Ok(resource_reply(version))
}

/// The access filter of another type, for `_include`/`_revinclude`:
/// resources the token could not search are dropped.
pub(super) fn access_for(
    claims: &AccessClaims,
    release: Release,
    interaction: Interaction,
) -> impl FnMut(&str) -> Option<AccessFilter> + '_ {
    move |t: &str| authorize_request(claims, interaction, t, release).ok()
}

fn search_type(
    data: &Data,
    access: &AccessFilter,
    claims: &AccessClaims,
    req: &Request,
    ty: &str,
) -> Result<Reply, Reply> {
    let q = parse_query(ty, &req.params).map_err(|e| Reply::error(400, "invalid", &e))?;
    if req.strict && !q.ignored.is_empty() {
        return Err(Reply {
            status: 400,
            ..Reply::ok(outcome_list("error", "not-supported", &q.ignored))
        });
    }
    let page = search::run(
        data,
        ty,
        &q,
        access,
        &mut access_for(claims, req.release, Interaction::Search),
    );
    let path = format!("{}/{ty}", req.fhir_base);
    Ok(Reply::ok(bundle::searchset(
        &req.fhir_base,
        &path,
        &q,
        &page,
        &q.ignored,
    )))
}
