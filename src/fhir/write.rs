//! The FHIR R4 write interactions as plain functions (http.html §3.1.0.4
//! "update", §3.1.0.7 "delete", §3.1.0.8 "create"): validate, authorize
//! (SMART 2.2 `c`/`u`/`d`, `patient/` compartment), plan against the
//! current version (`If-Match`, R4 §3.1.0.5 "version aware updates"),
//! journal, apply. Everything happens under the store's write lock, so the
//! journal order is the apply order.

use serde_json::Value;

use super::access::{authorize_request, AccessFilter, Interaction};
use super::api::{denied, http_date, Reply};
use super::body::Body;
use super::compartment::patients_of;
use super::journal::{Change, Journal};
use super::outcome::outcome;
use super::store::Data;
pub use super::validate::{too_large, validate};
use crate::oauth::tokens::AccessClaims;
use crate::oauth::Release;

/// 1 MiB per resource body; a Binary may hold 10 MiB of bytes.
pub const MAX_RESOURCE: usize = 1 << 20;
pub const MAX_BINARY: usize = 10 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Create,
    Update,
    Delete,
}

/// One write: from a REST call or a Bundle entry. For a create, `id` is
/// the id the server assigned.
#[derive(Debug, Clone)]
pub struct WriteOp {
    pub kind: Kind,
    pub ty: String,
    pub id: String,
    pub resource: Option<Value>,
    /// `If-Match` (`W/"3"`) or a Bundle entry's `request.ifMatch`.
    pub if_match: Option<String>,
}

/// R4 §3.1.0.8.1 `Prefer: return=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Return {
    Minimal,
    #[default]
    Representation,
    OperationOutcome,
}

/// A reply plus its `Location` header.
#[derive(Debug, Clone)]
pub struct Written {
    pub reply: Reply,
    pub location: Option<String>,
}

/// A server-assigned id (R4 §3.1.0.8: "the server SHALL ignore" a client id).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// The patients whose compartment the content is in (a Binary: its
/// `securityContext`'s).
fn compartment_of(data: &Data, ty: &str, r: &Value) -> Vec<String> {
    match ty {
        "Binary" => data.binary_patients(r),
        _ => patients_of(ty, r),
    }
}

/// SMART 2.2 "Scopes": the interaction's permission on the type, and for
/// new content, a granting scope that allows it (a `patient/` scope: only
/// inside the launch patient's compartment).
pub fn authorize(
    data: &Data,
    claims: &AccessClaims,
    release: Release,
    op: &WriteOp,
) -> Result<AccessFilter, Reply> {
    let interaction = match op.kind {
        Kind::Create => Interaction::Create,
        Kind::Update => Interaction::Update,
        Kind::Delete => Interaction::Delete,
    };
    let access = authorize_request(claims, interaction, &op.ty, release).map_err(denied)?;
    if let Some(r) = &op.resource {
        if !access.allows_write(&compartment_of(data, &op.ty, r), r) {
            return Err(forbidden(&access, op, "the new content"));
        }
    }
    Ok(access)
}

fn forbidden(access: &AccessFilter, op: &WriteOp, what: &str) -> Reply {
    denied(super::access::Denied::Forbidden(format!(
        "{what} of {}/{} is outside what this token's scopes grant ({}): patient/ scopes only write inside the launch patient's compartment",
        op.ty, op.id, access.scopes().join(" ")
    )))
}

/// The version id an `If-Match` names (`W/"3"`, `"3"` or `3`).
fn etag_version(etag: &str) -> &str {
    etag.trim().trim_start_matches("W/").trim_matches('"')
}

/// Decides what the op changes given the current state: the change (none
/// for deleting what is already deleted) and the status to answer.
pub fn plan(
    data: &Data,
    access: &AccessFilter,
    op: &WriteOp,
    at: &str,
) -> Result<(Option<Change>, u16), Reply> {
    let entry = data.get(&op.ty, &op.id);
    let current = entry.and_then(|e| e.current().map(|r| (e, r)));
    if let Some(tag) = &op.if_match {
        let have = current.map(|(e, _)| e.latest().version_id.to_string());
        if have.as_deref() != Some(etag_version(tag)) {
            let msg = format!(
                "If-Match {tag} does not match {}/{}: its current version is {}",
                op.ty,
                op.id,
                have.map_or("none".into(), |v| format!("W/\"{v}\""))
            );
            return Err(Reply::error(412, "conflict", &msg));
        }
    }
    if let Some((e, r)) = current {
        if op.kind != Kind::Create && !access.allows(e, r) {
            return Err(forbidden(access, op, "the current version"));
        }
    }
    let version_id = entry.map_or(1, |e| e.latest().version_id + 1);
    let last_updated = at.to_string();
    Ok(match (&op.resource, op.kind) {
        (Some(r), _) => {
            let change = Change::Put {
                resource: r.clone(),
                version_id,
                last_updated,
            };
            let status = if op.kind == Kind::Update && current.is_some() {
                200
            } else {
                201
            };
            (Some(change), status)
        }
        (None, _) if current.is_some() => {
            let change = Change::Delete {
                ty: op.ty.clone(),
                id: op.id.clone(),
                version_id,
                last_updated,
            };
            (Some(change), 204)
        }
        (None, _) if entry.is_some() => (None, 204),
        (None, _) => {
            return Err(Reply::error(
                404,
                "not-found",
                &format!("{}/{} is not known", op.ty, op.id),
            ))
        }
    })
}

/// Journals (when persisting) and then applies the changes; a journal
/// failure is a 503 and nothing is applied.
pub fn commit(data: &mut Data, journal: Option<&Journal>, changes: &[Change]) -> Result<(), Reply> {
    if changes.is_empty() {
        return Ok(());
    }
    if let Some(j) = journal {
        j.append(changes).map_err(|e| {
            Reply::error(
                503,
                "transient",
                &format!(
                    "the write could not be saved to {}: {e}; nothing was changed",
                    j.path().display()
                ),
            )
        })?;
    }
    for c in changes {
        c.apply(data)
            .map_err(|e| Reply::error(500, "exception", &e))?;
    }
    Ok(())
}

/// The answer after applying: status, `ETag`, `Last-Modified`, `Location`
/// (`[base]/[type]/[id]/_history/[vid]`, R4 §3.1.0.8) and the body the
/// `Prefer` header asks for.
pub fn written(data: &Data, base: &str, op: &WriteOp, status: u16, ret: Return) -> Written {
    let Some(v) = data.get(&op.ty, &op.id).map(|e| e.latest()) else {
        return Written {
            reply: Reply {
                status,
                ..Reply::ok(Value::Null)
            },
            location: None,
        };
    };
    let body = match (ret, &v.resource) {
        (_, None) | (Return::Minimal, _) => Body::Json(Value::Null),
        (Return::Representation, Some(r)) => Body::Shared(r.clone()),
        (Return::OperationOutcome, Some(_)) => Body::Json(outcome(
            "information",
            "informational",
            &format!(
                "{} {}/{} version {}",
                if status == 201 { "created" } else { "updated" },
                op.ty,
                op.id,
                v.version_id
            ),
        )),
    };
    let location = v
        .resource
        .as_ref()
        .map(|_| format!("{base}/{}/{}/_history/{}", op.ty, op.id, v.version_id));
    Written {
        reply: Reply {
            status,
            etag: Some(format!("W/\"{}\"", v.version_id)),
            last_modified: http_date(&v.last_updated),
            ..Reply::ok(body)
        },
        location,
    }
}

/// One REST write, start to finish.
pub fn write(
    store: &super::Store,
    journal: Option<&Journal>,
    claims: &AccessClaims,
    release: Release,
    base: &str,
    mut op: WriteOp,
    ret: Return,
) -> Written {
    let mut data = store.write();
    let result = (|| {
        validate(&data, &mut op)?;
        let access = authorize(&data, claims, release, &op)?;
        let (change, status) = plan(&data, &access, &op, &now())?;
        commit(&mut data, journal, change.as_slice())?;
        Ok(written(&data, base, &op, status, ret))
    })();
    result.unwrap_or_else(|reply| Written {
        reply,
        location: None,
    })
}

#[cfg(test)]
#[path = "write_tests.rs"]
mod tests;
