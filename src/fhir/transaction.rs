//! `POST [base]` with a `batch` or `transaction` Bundle (FHIR R4 §3.1.0.11
//! "batch/transaction"). Every entry is authorized on its own, as if sent
//! alone (SMART 2.2: access is per contained request). A transaction is
//! all or nothing: `urn:uuid:` `fullUrl`s are rewritten to the assigned
//! ids, then every entry is validated, authorized and planned under one
//! write lock before anything is journaled (one record) and applied; its
//! GETs run afterwards (R4 §3.1.0.11.2 processing order). A batch runs each
//! entry independently and reports each outcome.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::api::{self, Reply, Route};
use super::journal::Journal;
use super::write::{self, Kind, Return, WriteOp};
use super::Store;
use crate::oauth::tokens::AccessClaims;
use crate::oauth::Release;

pub const MAX_ENTRIES: usize = 1000;

/// What one entry asks for.
#[derive(Debug, Clone)]
pub enum Action {
    Write(WriteOp),
    Get(Route, Vec<(String, String)>),
}

fn invalid(n: usize, msg: &str) -> Reply {
    Reply::error(400, "invalid", &format!("entry {n}: {msg}"))
}

/// The route of a relative (or `base`-absolute) GET url.
fn get_route(url: &str) -> Option<(Route, Vec<(String, String)>)> {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let params = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let s = |x: &str| x.to_string();
    let route = match path.split('/').collect::<Vec<_>>().as_slice() {
        [ty] => Route::Search { ty: s(ty) },
        [ty, "_history"] => Route::HistoryType { ty: s(ty) },
        ["Patient", id, "$everything"] => Route::Everything { id: s(id) },
        [ty, id] => Route::Read {
            ty: s(ty),
            id: s(id),
        },
        [ty, id, "_history"] => Route::HistoryInstance {
            ty: s(ty),
            id: s(id),
        },
        [ty, id, "_history", vid] => Route::Vread {
            ty: s(ty),
            id: s(id),
            vid: s(vid),
        },
        _ => return None,
    };
    Some((route, params))
}

/// Parses one entry (`n` counts from 0, for messages).
fn action(n: usize, entry: &Value, base: &str) -> Result<Action, Reply> {
    let req = entry
        .get("request")
        .ok_or_else(|| invalid(n, "missing `request`"))?;
    let method = req["method"].as_str().unwrap_or("");
    let url = req["url"]
        .as_str()
        .ok_or_else(|| invalid(n, "missing `request.url`"))?;
    let url = url
        .strip_prefix(base)
        .map_or(url, |u| u.trim_start_matches('/'));
    if method == "GET" {
        let (route, params) = get_route(url).ok_or_else(|| invalid(n, "unsupported GET url"))?;
        return Ok(Action::Get(route, params));
    }
    if url.contains('?') {
        return Err(invalid(
            n,
            "conditional create/update/delete is not supported",
        ));
    }
    let parts: Vec<&str> = url.split('/').collect();
    let (kind, ty, id) = match (method, parts.as_slice()) {
        ("POST", [ty]) => (Kind::Create, *ty, write::new_id()),
        ("PUT", [ty, id]) => (Kind::Update, *ty, id.to_string()),
        ("DELETE", [ty, id]) => (Kind::Delete, *ty, id.to_string()),
        _ => return Err(invalid(n, &format!("unsupported request {method} {url}"))),
    };
    let resource = match kind {
        Kind::Delete => None,
        _ => Some(
            entry
                .get("resource")
                .cloned()
                .ok_or_else(|| invalid(n, "missing `resource`"))?,
        ),
    };
    Ok(Action::Write(WriteOp {
        kind,
        ty: ty.to_string(),
        id,
        resource,
        if_match: req["ifMatch"].as_str().map(str::to_string),
    }))
}

/// Rewrites every `reference` equal to a key of `map` (R4 §3.1.0.11.2
/// "resolving references in Bundles").
pub fn rewrite_references(v: &mut Value, map: &HashMap<String, String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                match x {
                    Value::String(s) if k == "reference" => {
                        if let Some(to) = map.get(s.as_str()) {
                            *s = to.clone();
                        }
                    }
                    _ => rewrite_references(x, map),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| rewrite_references(x, map)),
        _ => {}
    }
}

/// `urn:uuid:`/`urn:oid:` fullUrls of writes → `Type/id`.
fn placeholders(entries: &[Value], actions: &[Action]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for (e, a) in entries.iter().zip(actions) {
        if let (Some(full), Action::Write(op)) = (e["fullUrl"].as_str(), a) {
            if full.starts_with("urn:uuid:") || full.starts_with("urn:oid:") {
                map.insert(full.to_string(), format!("{}/{}", op.ty, op.id));
            }
        }
    }
    map
}

pub struct Ctx<'a> {
    pub store: &'a Store,
    pub journal: Option<&'a Journal>,
    pub claims: &'a AccessClaims,
    pub release: Release,
    pub base: &'a str,
}

fn response(w: write::Written, with_outcome: bool) -> Value {
    let r = w.reply;
    let mut resp = json!({"status": r.status.to_string()});
    if let Some(l) = &w.location {
        resp["location"] = json!(l);
    }
    if let Some(e) = &r.etag {
        resp["etag"] = json!(e);
    }
    let mut entry = json!({"response": resp});
    if r.status >= 400 && with_outcome {
        entry["response"]["outcome"] = r.body.into_value();
    } else if !r.body.is_null() {
        entry["resource"] = r.body.into_value();
    }
    entry
}

fn get(ctx: &Ctx, route: Route, params: Vec<(String, String)>) -> Value {
    let req = api::Request {
        fhir_base: ctx.base.to_string(),
        release: ctx.release,
        route,
        params,
        strict: false,
    };
    let reply = api::handle(ctx.store, ctx.claims, &req);
    response(
        write::Written {
            reply,
            location: None,
        },
        true,
    )
}

/// Serves `POST [base]` with a Bundle.
pub fn handle(ctx: &Ctx, bundle: &Value) -> Reply {
    if bundle["resourceType"] != "Bundle" {
        return Reply::error(
            400,
            "invalid",
            "POST [base] takes a Bundle of type batch or transaction",
        );
    }
    let transaction = match bundle["type"].as_str() {
        Some("transaction") => true,
        Some("batch") => false,
        _ => {
            return Reply::error(
                400,
                "invalid",
                "the Bundle's type must be batch or transaction",
            )
        }
    };
    let entries = bundle["entry"].as_array().cloned().unwrap_or_default();
    if entries.len() > MAX_ENTRIES {
        return Reply::error(
            413,
            "too-costly",
            &format!("a Bundle may have at most {MAX_ENTRIES} entries"),
        );
    }
    let parsed: Vec<Result<Action, Reply>> = entries
        .iter()
        .enumerate()
        .map(|(n, e)| action(n, e, ctx.base))
        .collect();
    let out = if transaction {
        match parsed.into_iter().collect::<Result<Vec<_>, _>>() {
            Ok(actions) => run_transaction(ctx, &entries, actions),
            Err(r) => return r,
        }
    } else {
        Ok(parsed.into_iter().map(|a| run_one(ctx, a)).collect())
    };
    match out {
        Ok(items) => Reply::ok(json!({
            "resourceType": "Bundle",
            "id": write::new_id(),
            "type": if transaction { "transaction-response" } else { "batch-response" },
            "entry": items,
        })),
        Err(r) => r,
    }
}

fn run_one(ctx: &Ctx, a: Result<Action, Reply>) -> Value {
    match a {
        Ok(Action::Write(op)) => response(
            write::write(
                ctx.store,
                ctx.journal,
                ctx.claims,
                ctx.release,
                ctx.base,
                op,
                Return::Representation,
            ),
            true,
        ),
        Ok(Action::Get(route, params)) => get(ctx, route, params),
        Err(reply) => response(
            write::Written {
                reply,
                location: None,
            },
            true,
        ),
    }
}

fn run_transaction(
    ctx: &Ctx,
    entries: &[Value],
    mut actions: Vec<Action>,
) -> Result<Vec<Value>, Reply> {
    let map = placeholders(entries, &actions);
    let mut seen = std::collections::HashSet::new();
    for (n, a) in actions.iter_mut().enumerate() {
        if let Action::Write(op) = a {
            if let Some(r) = op.resource.as_mut() {
                rewrite_references(r, &map);
            }
            if !seen.insert((op.ty.clone(), op.id.clone())) {
                return Err(invalid(
                    n,
                    &format!("{}/{} is written twice in one transaction", op.ty, op.id),
                ));
            }
        }
    }
    let at = write::now();
    let mut data = ctx.store.write();
    let mut changes = Vec::new();
    let mut statuses = Vec::new();
    for (n, a) in actions.iter_mut().enumerate() {
        let Action::Write(op) = a else { continue };
        let tag = |r: Reply| Reply {
            body: with_entry(r.body.into_value(), n).into(),
            ..r
        };
        write::validate(&data, op).map_err(tag)?;
        let access = write::authorize(&data, ctx.claims, ctx.release, op).map_err(tag)?;
        let (change, status) = write::plan(&data, &access, op, &at).map_err(tag)?;
        changes.extend(change);
        statuses.push(status);
    }
    write::commit(&mut data, ctx.journal, &changes)?;
    let mut statuses = statuses.into_iter();
    let writes: Vec<Option<Value>> = actions
        .iter()
        .map(|a| match a {
            Action::Write(op) => {
                let status = statuses.next().unwrap_or(200);
                Some(response(
                    write::written(&data, ctx.base, op, status, Return::Representation),
                    false,
                ))
            }
            Action::Get(..) => None,
        })
        .collect();
    drop(data);
    Ok(actions
        .into_iter()
        .zip(writes)
        .map(|(a, w)| match (a, w) {
            (_, Some(w)) => w,
            (Action::Get(route, params), None) => get(ctx, route, params),
            (Action::Write(_), None) => Value::Null,
        })
        .collect())
}

/// Prefixes an OperationOutcome's diagnostics with the entry number.
fn with_entry(mut outcome: Value, n: usize) -> Value {
    if let Some(d) = outcome.pointer_mut("/issue/0/diagnostics") {
        *d = json!(format!("entry {n}: {}", d.as_str().unwrap_or("")));
    }
    outcome
}

#[cfg(test)]
#[path = "transaction_tests.rs"]
mod tests;
