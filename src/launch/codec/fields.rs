//! Typed readers for one slot or key of a launch value, shared by the
//! three forms so each type error names where it happened.

use serde_json::Value;

use super::{LaunchError, Loc};
use crate::launch::model::{ClientType, LaunchOptions, LaunchType, PkcePolicy, SimulatedError};

pub(super) fn string(v: &Value, loc: Loc) -> Result<String, LaunchError> {
    match v {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s.clone()),
        _ => Err(loc.bad("a string")),
    }
}

/// Lists are comma-separated strings in the model (as in the launchers);
/// arrays are accepted because the v1 extensions and hand-written configs
/// use them.
pub(super) fn list(v: &Value, loc: Loc) -> Result<String, LaunchError> {
    const EXPECTED: &str = "a string or an array of strings";
    match v {
        Value::Array(items) => {
            let parts = items
                .iter()
                .map(|item| item.as_str().ok_or_else(|| loc.bad(EXPECTED)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(parts.join(","))
        }
        Value::Null | Value::String(_) => string(v, loc),
        _ => Err(loc.bad(EXPECTED)),
    }
}

/// JSON documents (JWKS, fhirContext) are stored as text; an inline JSON
/// value is accepted and kept in compact form.
pub(super) fn json_text(v: &Value, loc: Loc, allow_array: bool) -> Result<String, LaunchError> {
    match v {
        Value::Object(_) => Ok(v.to_string()),
        Value::Array(_) if allow_array => Ok(v.to_string()),
        Value::Null | Value::String(_) => string(v, loc),
        _ if allow_array => Err(loc.bad("a string or a JSON array or object")),
        _ => Err(loc.bad("a string or a JSON object")),
    }
}

/// The launchers write flags as 0/1 (v2) or "1" (v1); people write booleans.
pub(super) fn flag(v: &Value, loc: Loc) -> Result<bool, LaunchError> {
    match v {
        Value::Null => Ok(false),
        Value::Bool(b) => Ok(*b),
        Value::Number(n) => match n.as_u64() {
            Some(0) => Ok(false),
            Some(1) => Ok(true),
            _ => Err(loc.bad("0 or 1")),
        },
        Value::String(s) => match s.as_str() {
            "" | "0" | "false" => Ok(false),
            "1" | "true" => Ok(true),
            _ => Err(loc.bad("0 or 1")),
        },
        _ => Err(loc.bad("0 or 1")),
    }
}

/// An enum given by index (v2 array) or by name. `Ok(None)` means null.
pub(super) fn index_or_name<T>(
    v: &Value,
    loc: Loc,
    from_index: fn(usize) -> Option<T>,
    parse: fn(&str) -> Option<T>,
    unknown: fn(String) -> LaunchError,
) -> Result<Option<T>, LaunchError> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_u64()
            .and_then(|i| usize::try_from(i).ok())
            .and_then(from_index)
            .map(Some)
            .ok_or_else(|| unknown(n.to_string())),
        Value::String(s) => parse(s)
            .or_else(|| s.parse::<usize>().ok().and_then(from_index))
            .map(Some)
            .ok_or_else(|| unknown(s.clone())),
        _ => Err(loc.bad("an integer index or a name")),
    }
}

pub(super) fn launch_type(v: &Value, loc: Loc) -> Result<LaunchType, LaunchError> {
    let t = index_or_name(
        v,
        loc,
        LaunchType::from_index,
        LaunchType::parse,
        LaunchError::UnknownLaunchType,
    )?;
    Ok(t.unwrap_or(LaunchOptions::default().launch_type))
}

pub(super) fn client_type(v: &Value, loc: Loc) -> Result<ClientType, LaunchError> {
    let t = index_or_name(
        v,
        loc,
        ClientType::from_index,
        ClientType::parse,
        LaunchError::UnknownClientType,
    )?;
    Ok(t.unwrap_or(LaunchOptions::default().client_type))
}

pub(super) fn pkce(v: &Value, loc: Loc) -> Result<PkcePolicy, LaunchError> {
    let t = index_or_name(
        v,
        loc,
        PkcePolicy::from_index,
        PkcePolicy::parse,
        LaunchError::UnknownPkcePolicy,
    )?;
    Ok(t.unwrap_or(LaunchOptions::default().pkce))
}

/// `auth_error` by name; "" and null mean no simulated error.
pub(super) fn auth_error(v: &Value, loc: Loc) -> Result<Option<SimulatedError>, LaunchError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => SimulatedError::parse(s)
            .map(Some)
            .ok_or_else(|| LaunchError::UnknownSimulatedError(s.clone())),
        _ => Err(loc.bad("a simulated error name or \"\"")),
    }
}

/// Sets the field named `name` (a v2 slot name or a readable key) from `v`.
/// Shared by the v2 and readable forms, which carry the same fields.
pub(super) fn set_field(
    o: &mut LaunchOptions,
    name: &str,
    v: &Value,
    loc: Loc,
) -> Result<(), LaunchError> {
    match name {
        "launch_type" => o.launch_type = launch_type(v, loc)?,
        "patient" => o.patient = list(v, loc)?,
        "provider" => o.provider = list(v, loc)?,
        "encounter" => o.encounter = string(v, loc)?,
        "skip_login" => o.skip_login = flag(v, loc)?,
        "skip_auth" => o.skip_auth = flag(v, loc)?,
        "sim_ehr" => o.sim_ehr = flag(v, loc)?,
        "scope" => o.scope = string(v, loc)?,
        "redirect_uris" => o.redirect_uris = list(v, loc)?,
        "client_id" => o.client_id = string(v, loc)?,
        "client_secret" => o.client_secret = string(v, loc)?,
        "auth_error" => o.auth_error = auth_error(v, loc)?,
        "jwks_url" => o.jwks_url = string(v, loc)?,
        "jwks" => o.jwks = json_text(v, loc, false)?,
        "client_type" => o.client_type = client_type(v, loc)?,
        "pkce" => o.pkce = pkce(v, loc)?,
        "fhir_context" => o.fhir_context = json_text(v, loc, true)?,
        "intent" => o.intent = string(v, loc)?,
        "tenant" => o.tenant = string(v, loc)?,
        other => return Err(LaunchError::UnknownKey(other.to_owned())),
    }
    Ok(())
}
