//! Validation of written resources (FHIR R4 http.html §3.1.0.4 "update",
//! §3.1.0.8 "create"; R4 §2.1.1 "id"; binary.html): a bad body is a 400 or
//! 413 OperationOutcome, never a 500.

use base64::Engine;
use serde_json::Value;

use super::api::Reply;
use super::capability::served_types;
use super::store::{is_valid_id, Data};
use super::write::{Kind, WriteOp, MAX_BINARY, MAX_RESOURCE};

fn invalid(msg: String) -> Reply {
    Reply::error(400, "invalid", &msg)
}

/// Checks the op against the resource rules: a served type (the
/// CapabilityStatement's list), `resourceType` equal to the URL's, the id
/// rules (R4 §2.1.1 "id"; an update's body id must equal the URL's: R4
/// §3.1.0.4 "400"), size caps (413), a Binary's `contentType` and base64.
pub fn validate(data: &Data, op: &mut WriteOp) -> Result<(), Reply> {
    if !served_types(data).contains(&op.ty) {
        return Err(Reply::error(
            404,
            "not-supported",
            &format!("resource type `{}` is not served here", op.ty),
        ));
    }
    if !is_valid_id(&op.id) {
        return Err(invalid(format!(
            "`{}` is not a valid id (1-64 of A-Z a-z 0-9 - .)",
            op.id
        )));
    }
    let Some(r) = op.resource.as_mut() else {
        return Ok(());
    };
    let Some(obj) = r.as_object_mut() else {
        return Err(invalid(
            "the body must be a JSON object (a FHIR resource)".into(),
        ));
    };
    if obj.get("resourceType").and_then(Value::as_str) != Some(op.ty.as_str()) {
        return Err(invalid(format!(
            "`resourceType` must be `{}`, as in the URL",
            op.ty
        )));
    }
    match (op.kind, obj.get("id")) {
        (Kind::Update, Some(Value::String(id))) if *id == op.id => {}
        (Kind::Update, _) => {
            return Err(invalid(format!(
                "the body's `id` must be `{}`, as in the URL",
                op.id
            )))
        }
        _ => {}
    }
    obj.insert("id".into(), Value::String(op.id.clone()));
    let cap = if op.ty == "Binary" {
        MAX_BINARY / 3 * 4 + 64 * 1024
    } else {
        MAX_RESOURCE
    };
    if serde_json::to_vec(r).map_or(0, |b| b.len()) > cap {
        return Err(too_large(&op.ty));
    }
    if op.ty == "Binary" {
        binary_check(r)?;
    }
    Ok(())
}

pub fn too_large(ty: &str) -> Reply {
    let cap = if ty == "Binary" {
        "10 MiB of bytes"
    } else {
        "1 MiB"
    };
    Reply::error(413, "too-costly", &format!("a {ty} may be at most {cap}"))
}

fn binary_check(r: &Value) -> Result<(), Reply> {
    match r.get("contentType").and_then(Value::as_str) {
        None => return Err(invalid("a Binary needs a `contentType`".into())),
        Some(t) if !crate::media_type::is_header_safe(t) => {
            return Err(invalid(format!(
                "a Binary's `contentType` must be a media type such as application/pdf, not {t:?}"
            )))
        }
        Some(_) => {}
    }
    if let Some(d) = r.get("data") {
        let bytes = d
            .as_str()
            .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
            .ok_or_else(|| invalid("a Binary's `data` must be base64".into()))?;
        if bytes.len() > MAX_BINARY {
            return Err(too_large("Binary"));
        }
    }
    Ok(())
}
