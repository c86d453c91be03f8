//! History (FHIR R4 §3.1.0.4) and `Patient/$everything`
//! (R4 operation-patient-everything): the interactions that list versions
//! or a whole compartment rather than search one type.

use serde_json::Value;

use super::access::{AccessFilter, Interaction};
use super::api::{access_for, outside_constraints, reachable, Reply, Request};
use super::bundle::{self, HistoryItem};
use super::compartment::is_compartment_type;
use super::outcome::outcome_list;
use super::search::parse::{parse_query, DEFAULT_COUNT, MAX_COUNT};
use super::search::Page;
use super::store::{Data, Entry};
use crate::oauth::tokens::AccessClaims;

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
pub(super) fn history(
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

/// `Patient/{id}/$everything` (R4 operation-patient-everything): the
/// patient and every resource of its compartment the token may read, in
/// store order, paged like a search. `_type` narrows the types.
pub(super) fn everything(
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
