//! The SMART Health IT launcher v1 object form.

use serde_json::{Map, Value};

use super::fields::*;
use super::{LaunchError, Loc};
use crate::launch::model::{ClientType, LaunchOptions, LaunchType, PkcePolicy, SimulatedError};

/// The v1 launcher used only single lowercase letters as keys; a readable
/// object never does, so this tells the two object forms apart.
pub(super) fn is_v1(map: &Map<String, Value>) -> bool {
    map.keys()
        .all(|k| k.len() == 1 && k.as_bytes()[0].is_ascii_lowercase())
}

/// SMART Health IT launcher v1 (`a`..`l`) with the smart.argo.run additions
/// (`m`..`s`). Flags were written as the string "1" and omitted when off.
pub(super) fn decode_v1(map: &Map<String, Value>) -> Result<LaunchOptions, LaunchError> {
    let get = |k: &str| map.get(k).unwrap_or(&Value::Null);
    let flag_of = |k: &'static str| flag(get(k), Loc::Key(k));
    let string_of = |k: &'static str| string(get(k), Loc::Key(k));

    if flag_of("l")? {
        return Err(LaunchError::CdsHooksUnsupported);
    }
    let mut o = LaunchOptions::default();

    let (ehr, pt, prov) = (flag_of("a")?, flag_of("k")?, flag_of("h")?);
    o.launch_type = match (prov, ehr, pt) {
        (true, _, _) => LaunchType::ProviderStandalone,
        (false, true, true) => LaunchType::PatientPortal,
        (false, false, true) => LaunchType::PatientStandalone,
        (false, _, false) => LaunchType::ProviderEhr,
    };

    o.patient = list(get("b"), Loc::Key("b"))?;
    o.encounter = string_of("c")?;
    if o.encounter.is_empty() && flag_of("g")? {
        o.encounter = "MANUAL".to_owned();
    }
    o.auth_error = v1_auth_error(get("d"))?;
    o.provider = list(get("e"), Loc::Key("e"))?;
    o.sim_ehr = flag_of("f")?;
    o.skip_login = flag_of("i")?;
    o.skip_auth = flag_of("j")?;

    if flag_of("m")? {
        o.pkce = PkcePolicy::Always;
    }
    o.client_type = match get("n") {
        Value::Null => o.client_type,
        Value::String(s) => match s.as_str() {
            "" => o.client_type,
            "cc-sym" => ClientType::ConfidentialSymmetric,
            "cc-asym" => ClientType::ConfidentialAsymmetric,
            other => ClientType::parse(other)
                .ok_or_else(|| LaunchError::UnknownClientType(other.to_owned()))?,
        },
        _ => return Err(Loc::Key("n").bad("\"public\", \"cc-sym\" or \"cc-asym\"")),
    };
    o.redirect_uris = list(get("o"), Loc::Key("o"))?;
    o.client_secret = string_of("p")?;
    o.jwks_url = string_of("q")?;
    o.jwks = json_text(get("r"), Loc::Key("r"), false)?;
    o.client_id = string_of("s")?;
    Ok(o)
}

/// v1 key `d`: an index into [`SimulatedError::V1_ORDER`], usually as a
/// numeric string. A name is accepted as well.
fn v1_auth_error(v: &Value) -> Result<Option<SimulatedError>, LaunchError> {
    const EXPECTED: &str = "an index 0-7 into the launcher v1 error list";
    let index = match v {
        Value::Null => return Ok(None),
        Value::String(s) if s.is_empty() => return Ok(None),
        Value::String(s) => match s.parse::<usize>() {
            Ok(i) => i,
            Err(_) => return auth_error(v, Loc::Key("d")),
        },
        Value::Number(n) => n
            .as_u64()
            .and_then(|i| usize::try_from(i).ok())
            .ok_or_else(|| Loc::Key("d").bad(EXPECTED))?,
        _ => return Err(Loc::Key("d").bad(EXPECTED)),
    };
    SimulatedError::V1_ORDER
        .get(index)
        .copied()
        .map(Some)
        .ok_or_else(|| Loc::Key("d").bad(EXPECTED))
}
