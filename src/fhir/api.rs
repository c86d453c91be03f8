//! The FHIR REST interactions as plain functions (FHIR R4 §3.1.0 "http"):
//! read, vread, history, search and `Patient/$everything`, each access
//! checked, each answering a [`Reply`] the HTTP layer writes as is. Errors
//! are OperationOutcomes.

use serde_json::Value;

use super::access::{authorize_request, AccessFilter, BearerProblem, Denied, Interaction};
use super::bundle::{self, HistoryItem};
use super::compartment::is_compartment_type;
use super::outcome::{error, outcome_list};
use super::search::parse::{parse_query, DEFAULT_COUNT, MAX_COUNT};
use super::search::{self, params, Page};
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
    pub body: Value,
    /// `ETag: W/"versionId"` and `Last-Modified` (an HTTP-date) on reads.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// `WWW-Authenticate` (RFC 6750 §3).
    pub challenge: Option<String>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Reply {
            status: 200,
            body,
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

fn denied(d: Denied) -> Reply {
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
    let body = v.resource.as_deref().cloned().unwrap_or(Value::Null);
    Reply {
        etag: Some(format!("W/\"{}\"", v.version_id)),
        last_modified: http_date(&v.last_updated),
        ..Reply::ok(body)
    }
}

fn known_type(data: &Data, ty: &str) -> bool {
    params::TYPES.iter().any(|(t, _)| *t == ty) || data.type_slot(ty).is_some()
}

fn not_found(ty: &str, id: &str) -> Reply {
    Reply::error(404, "not-found", &format!("{ty}/{id} is not known"))
}

/// Finds an entry the token reaches; anything else is the same 404, so
/// other patients' ids are not revealed (SMART 2.2; FHIR R4 §3.1.0.2).
fn reachable<'a>(
    data: &'a Data,
    access: &AccessFilter,
    ty: &str,
    id: &str,
) -> Result<&'a Entry, Reply> {
    data.get(ty, id)
        .filter(|e| access.reaches(e))
        .ok_or_else(|| not_found(ty, id))
}

fn outside_constraints(access: &AccessFilter, ty: &str, id: &str) -> Reply {
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
        Route::HistoryInstance { id, .. } => history(&data, &access, req, ty, Some(id)),
        Route::HistoryType { .. } => history(&data, &access, req, ty, None),
        Route::Search { .. } => search_type(&data, &access, claims, req, ty),
        Route::Everything { id } => everything(&data, &access, claims, req, id),
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

/// `_count`/`_offset` of history and `$everything`; other parameters are
/// unknown here (strict: 400).
fn count_offset(req: &Request, allowed: &[&str]) -> Result<(usize, usize, Vec<String>), Reply> {
    let (mut count, mut offset, mut ignored) = (DEFAULT_COUNT, 0, Vec::new());
    for (k, v) in &req.params {
        let bad = || Reply::error(400, "invalid", &format!("`{k}={v}` is not a number"));
        match k.as_str() {
            "_count" => count = v.parse::<usize>().map_err(|_| bad())?.min(MAX_COUNT),
            "_offset" => offset = v.parse().map_err(|_| bad())?,
            "_format" | "_pretty" => {}
            other if allowed.contains(&other) => {}
            other => ignored.push(format!("parameter `{other}` is not supported here")),
        }
    }
    if req.strict && !ignored.is_empty() {
        return Err(Reply {
            status: 400,
            ..Reply::ok(outcome_list("error", "not-supported", &ignored))
        });
    }
    Ok((count, offset, ignored))
}

/// R4 §3.1.0.4 history, newest first; versions outside the token's scopes
/// are left out.
fn history(
    data: &Data,
    access: &AccessFilter,
    req: &Request,
    ty: &str,
    id: Option<&String>,
) -> Result<Reply, Reply> {
    let (count, offset, _) = count_offset(req, &[])?;
    let entries: Vec<&Entry> = match id {
        Some(id) => vec![reachable(data, access, ty, id)?],
        None => data
            .table(ty)
            .map(|t| t.entries.iter().filter(|e| access.reaches(e)).collect())
            .unwrap_or_default(),
    };
    let mut items: Vec<HistoryItem> = entries
        .iter()
        .flat_map(|e| {
            e.versions.iter().enumerate().filter_map(move |(i, v)| {
                let visible = v.resource.as_ref().is_none_or(|r| access.allows(e, r));
                visible.then(|| HistoryItem {
                    resource_type: ty.to_string(),
                    id: e.id.clone(),
                    version_id: v.version_id,
                    last_updated: v.last_updated.clone(),
                    resource: v.resource.clone(),
                    first: i == 0,
                })
            })
        })
        .collect();
    if id.is_some() && items.is_empty() {
        return Err(outside_constraints(access, ty, id.map_or("", |s| s)));
    }
    items.sort_by(|a, b| {
        b.last_updated
            .cmp(&a.last_updated)
            .then(b.version_id.cmp(&a.version_id))
    });
    let total = items.len();
    let page: Vec<HistoryItem> = items.into_iter().skip(offset).take(count).collect();
    let path = match id {
        Some(id) => format!("{}/{ty}/{id}/_history", req.fhir_base),
        None => format!("{}/{ty}/_history", req.fhir_base),
    };
    Ok(Reply::ok(bundle::history(
        &req.fhir_base,
        &path,
        &page,
        total,
        count,
        offset,
    )))
}

/// The access filter of another type, for `_include`/`_revinclude`:
/// resources the token could not search are dropped.
fn access_for(
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

/// `Patient/{id}/$everything` (R4 operation-patient-everything): the
/// patient and every resource of its compartment the token may read, in
/// store order, paged like a search. `_type` narrows the types.
fn everything(
    data: &Data,
    access: &AccessFilter,
    claims: &AccessClaims,
    req: &Request,
    id: &str,
) -> Result<Reply, Reply> {
    let (count, offset, ignored) = count_offset(req, &["_type"])?;
    let patient = reachable(data, access, "Patient", id)?;
    match patient.current() {
        Some(r) if access.allows(patient, r) => {}
        Some(_) => return Err(outside_constraints(access, "Patient", id)),
        None => {
            return Err(Reply::error(
                410,
                "deleted",
                &format!("Patient/{id} was deleted"),
            ))
        }
    }
    let wanted: Option<Vec<&str>> = req
        .params
        .iter()
        .find(|(k, _)| k == "_type")
        .map(|(_, v)| v.split(',').map(str::trim).collect());
    let mut hits: Vec<&std::sync::Arc<Value>> = Vec::new();
    if wanted.as_ref().is_none_or(|w| w.contains(&"Patient")) {
        hits.extend(patient.current());
    }
    let mut filter_for = access_for(claims, req.release, Interaction::Read);
    for ty in data
        .type_names()
        .filter(|t| *t != "Patient" && is_compartment_type(t))
    {
        if wanted.as_ref().is_some_and(|w| !w.contains(&ty)) {
            continue;
        }
        let (Some(f), Some(table)) = (filter_for(ty), data.table(ty)) else {
            continue;
        };
        for i in data.compartment(id, ty) {
            let e = &table.entries[i as usize];
            if let Some(r) = e.current().filter(|r| f.allows(e, r)) {
                hits.push(r);
            }
        }
    }
    let page = Page {
        total: hits.len(),
        matches: hits.into_iter().skip(offset).take(count).cloned().collect(),
        included: Vec::new(),
    };
    let mut q = parse_query("Patient", &[]).expect("no parameters parse");
    (q.count, q.offset) = (count, offset);
    q.echo = req
        .params
        .iter()
        .filter(|(k, _)| k == "_type")
        .cloned()
        .collect();
    let path = format!("{}/Patient/{id}/$everything", req.fhir_base);
    Ok(Reply::ok(bundle::searchset(
        &req.fhir_base,
        &path,
        &q,
        &page,
        &ignored,
    )))
}
