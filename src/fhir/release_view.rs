//! The R4 store answered as FHIR DSTU2 (1.0.2) or STU3 (3.0.2) under
//! `/v/r2/fhir` and `/v/r3/fhir`: the request is translated to R4 (type
//! names through `r4_type`, the search parameters whose names changed),
//! served by [`api::handle`] with the same access control, and every
//! resource of the answer is rendered with `to_release`.
//!
//! Why a view rather than a second store: the releases describe the same
//! patients, and keeping one store keeps ids, versions and access checks
//! identical across `/v/r2`, `/v/r3` and `/v/r4` (an app switching release
//! sees the same chart).
//!
//! Parameter names follow the search sections of the releases' resource
//! pages: DSTU2 hl7.org/fhir/DSTU2/medicationorder.html#search
//! (`datewritten`, `prescriber`), DSTU2 condition.html#search
//! (`clinicalstatus`, `date-recorded`, `onset`), STU3
//! hl7.org/fhir/STU3/{medicationrequest,observation,condition}.html#search
//! (`context`, `asserted-date`). Names R4 shares with the release pass as
//! they are, and R4 names are accepted too, so paging links re-run.

use serde_json::Value;

use super::api::{self, Reply, Request, Route};
use super::body::Body;
use super::store::Store;
use crate::fhir_data::release::{fhir_version, r4_type, served_types, to_release};
use crate::oauth::tokens::AccessClaims;
use crate::oauth::Release;

#[path = "release_links.rs"]
mod links;

/// (release, the release's type name, the release's parameter, R4's).
const RENAMED: &[(Release, &str, &str, &str)] = &[
    (Release::R2, "MedicationOrder", "datewritten", "authoredon"),
    (Release::R2, "MedicationOrder", "prescriber", "requester"),
    (
        Release::R2,
        "Condition",
        "clinicalstatus",
        "clinical-status",
    ),
    (Release::R2, "Condition", "date-recorded", "recorded-date"),
    (Release::R2, "Condition", "onset", "onset-date"),
    (Release::R3, "MedicationRequest", "context", "encounter"),
    (Release::R3, "Observation", "context", "encounter"),
    (Release::R3, "Condition", "context", "encounter"),
    (Release::R3, "Condition", "asserted-date", "recorded-date"),
];

/// The release's name of an R4 type (DSTU2 calls MedicationRequest
/// MedicationOrder); the inverse of `r4_type`.
pub fn release_type(r4: &str, release: Release) -> &str {
    match (release, r4) {
        (Release::R2, "MedicationRequest") => "MedicationOrder",
        _ => r4,
    }
}

/// The R4 parameter a release's search parameter of `ty` (release name) is.
pub fn r4_param<'a>(release: Release, ty: &str, name: &'a str) -> &'a str {
    RENAMED
        .iter()
        .find(|(r, t, from, _)| *r == release && *t == ty && *from == name)
        .map_or(name, |(_, _, _, to)| to)
}

/// The release's name of an R4 parameter of `ty` (release name).
pub fn release_param<'a>(release: Release, ty: &str, name: &'a str) -> &'a str {
    RENAMED
        .iter()
        .find(|(r, t, _, to)| *r == release && *t == ty && *to == name)
        .map_or(name, |(_, _, from, _)| from)
}

fn label(release: Release) -> String {
    let name = match release {
        Release::R2 => "DSTU2",
        Release::R3 => "STU3",
        Release::R4 => "R4",
    };
    format!("FHIR {name} ({})", fhir_version(release))
}

fn not_served(ty: &str, release: Release) -> Reply {
    Reply::error(
        404,
        "not-supported",
        &format!(
            "resource type `{ty}` is not served by {} here; it is R4 only (/v/r4/fhir)",
            label(release)
        ),
    )
}

/// Serves one read-side request at a FHIR base of `req.release`.
pub fn handle(store: &Store, claims: &AccessClaims, req: &Request) -> Reply {
    let release = req.release;
    if release == Release::R4 {
        return api::handle(store, claims, req);
    }
    let ty = match &req.route {
        Route::Read { ty, .. }
        | Route::Vread { ty, .. }
        | Route::HistoryInstance { ty, .. }
        | Route::HistoryType { ty }
        | Route::Search { ty } => ty.as_str(),
        Route::Everything { .. } => "Patient",
    };
    if !served_types(release).contains(&ty) {
        return not_served(ty, release);
    }
    let r4 = r4_type(ty).to_string();
    let route = match req.route.clone() {
        Route::Read { id, .. } => Route::Read { ty: r4, id },
        Route::Vread { id, vid, .. } => Route::Vread { ty: r4, id, vid },
        Route::HistoryInstance { id, .. } => Route::HistoryInstance { ty: r4, id },
        Route::HistoryType { .. } => Route::HistoryType { ty: r4 },
        Route::Search { .. } => Route::Search { ty: r4 },
        e @ Route::Everything { .. } => e,
    };
    let everything = matches!(route, Route::Everything { .. });
    let mut params = to_r4_params(release, ty, &req.params);
    // $everything: only the release's types, so `total` and paging count
    // what the client receives.
    let injected = everything && !params.iter().any(|(k, _)| k == "_type");
    if injected {
        let all: Vec<&str> = served_types(release).iter().map(|t| r4_type(t)).collect();
        params.push(("_type".into(), all.join(",")));
    }
    let r4_req = Request {
        fhir_base: req.fhir_base.clone(),
        release,
        route,
        params,
        strict: req.strict,
    };
    let mut reply = api::handle(store, claims, &r4_req);
    if reply.status != 200 {
        return reply;
    }
    // Rewritten for the release, so an owned copy.
    let mut body = std::mem::replace(&mut reply.body, Body::Json(Value::Null)).into_value();
    if body["resourceType"] == "Bundle" {
        render_bundle(&mut body, release, &req.fhir_base, injected);
        return Reply {
            body: body.into(),
            ..reply
        };
    }
    match to_release(&body, release) {
        Some(body) => Reply {
            body: body.into(),
            ..reply
        },
        None => not_served(body["resourceType"].as_str().unwrap_or(""), release),
    }
}

/// Type names and renamed parameters of a release's query, in R4 terms.
fn to_r4_params(release: Release, ty: &str, params: &[(String, String)]) -> Vec<(String, String)> {
    let types = |v: &str| -> String {
        v.split(',')
            .map(|t| r4_type(t.trim()))
            .collect::<Vec<_>>()
            .join(",")
    };
    params
        .iter()
        .map(|(k, v)| {
            let (name, modifier) = k
                .split_once(':')
                .map_or((k.as_str(), None), |(n, m)| (n, Some(m)));
            let v = match name {
                "_type" => types(v),
                "_include" | "_revinclude" => include(release, v),
                "_sort" => v
                    .split(',')
                    .map(|s| {
                        let (sign, n) = s.strip_prefix('-').map_or(("", s), |n| ("-", n));
                        format!("{sign}{}", r4_param(release, ty, n))
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                _ => links::r4_token_system(v),
            };
            let name = r4_param(release, ty, name);
            let k = modifier.map_or(name.to_string(), |m| format!("{name}:{}", r4_type(m)));
            (k, v)
        })
        .collect()
}

/// `Type:param[:Target]` of `_include`/`_revinclude` in R4 terms.
fn include(release: Release, v: &str) -> String {
    let mut parts = v.split(':');
    let ty = parts.next().unwrap_or("");
    let mut out = vec![r4_type(ty).to_string()];
    if let Some(p) = parts.next() {
        out.push(r4_param(release, ty, p).to_string());
    }
    out.extend(parts.map(|t| r4_type(t).to_string()));
    out.join(":")
}

/// Renders each entry's resource in `release`, dropping those it does not
/// serve (included resources of R4-only types); `fullUrl`, history
/// `request.url` and the paging links use the release's names.
fn render_bundle(bundle: &mut Value, release: Release, base: &str, injected: bool) {
    if let Some(Value::Array(entries)) = bundle.get_mut("entry") {
        entries.retain_mut(|e| links::render_entry(e, release, base));
        if entries.is_empty() {
            bundle.as_object_mut().map(|b| b.remove("entry"));
        }
    }
    if let Some(Value::Array(ls)) = bundle.get_mut("link") {
        for l in ls {
            if let Some(Value::String(url)) = l.get_mut("url") {
                *url = links::release_link(url, release, base, injected);
            }
        }
    }
}
