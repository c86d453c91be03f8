//! Reading and writing launch values.
//!
//! A launch value is base64url JSON in one of three forms:
//!
//! * the SMART Health IT launcher v2 positional array, so that launch URLs
//!   made on launch.smarthealthit.org (and bookmarked by developers) keep
//!   working here;
//! * the SMART Health IT launcher v1 object with one-letter keys `a`..`l`
//!   (plus the smart.argo.run extensions `m`..`s`), for older bookmarks;
//! * a readable object keyed by [`LaunchOptions`] field names, because people
//!   write launch values by hand in CI configs, where a positional array is
//!   error-prone.
//!
//! Only the v2 array is ever written: it is the form every launcher reads.
//! Unlike the v2 launcher, [`encode`] writes fields exactly as given (no
//! empty-encounter-to-`AUTO` rewriting), so `decode(encode(x)) == x`.
//!
//! Decoding is strict about types and unknown names: a launch value is a test
//! fixture, and a typo silently turned into a default would make a test pass
//! for the wrong reason.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use serde_json::{Map, Value};

use super::model::{ClientType, LaunchOptions, LaunchType, PkcePolicy, SimulatedError};

/// Longest launch value accepted, in bytes. A URL segment this long is
/// already unusual; the cap keeps a hostile value from costing much work.
pub const MAX_LEN: usize = 16384;

/// Field names of the readable object form, in v2 slot order.
const FIELD_NAMES: [&str; 19] = [
    "launch_type",
    "patient",
    "provider",
    "encounter",
    "skip_login",
    "skip_auth",
    "sim_ehr",
    "scope",
    "redirect_uris",
    "client_id",
    "client_secret",
    "auth_error",
    "jwks_url",
    "jwks",
    "client_type",
    "pkce",
    "fhir_context",
    "intent",
    "tenant",
];

/// Why a launch value was rejected. The messages are shown to developers (on
/// the HTML error page and as OAuth `error_description`), so they name the
/// offending slot or key and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LaunchError {
    #[error("launch value is {len} bytes long; the limit is {max}")]
    TooLong { len: usize, max: usize },
    #[error("launch value is not valid base64url: {0}")]
    Base64(String),
    #[error("launch value does not decode to UTF-8 text (it must be base64url-encoded JSON)")]
    Utf8,
    #[error("launch value is not valid JSON after base64url decoding: {0}")]
    Json(String),
    #[error(
        "launch value must be a JSON array (launcher v2) or a JSON object \
         (launcher v1 or named options)"
    )]
    NotArrayOrObject,
    #[error("launch array is empty; slot 0 (launch_type) is required")]
    EmptyArray,
    #[error(
        "unknown launch type {0:?}; expected one of {list} (or its index 0-{last})",
        list = names(LaunchType::ALL.map(LaunchType::as_str)),
        last = LaunchType::ALL.len() - 1
    )]
    UnknownLaunchType(String),
    #[error("launch slot {index} ({name}) must be {expected}")]
    BadSlot {
        index: usize,
        name: &'static str,
        expected: &'static str,
    },
    #[error("launch option {key:?} must be {expected}")]
    BadKey { key: String, expected: &'static str },
    #[error("unknown launch option {0:?}; expected one of {list}", list = names(FIELD_NAMES))]
    UnknownKey(String),
    #[error(
        "unknown simulated error {0:?}; expected \"\" (none) or one of {list}",
        list = names(SimulatedError::ALL.map(SimulatedError::as_str))
    )]
    UnknownSimulatedError(String),
    #[error(
        "unknown client type {0:?}; expected one of {list} (or its index 0-{last})",
        list = names(ClientType::ALL.map(ClientType::as_str)),
        last = ClientType::ALL.len() - 1
    )]
    UnknownClientType(String),
    #[error(
        "unknown PKCE policy {0:?}; expected one of {list} (or its index 0-{last})",
        list = names(PkcePolicy::ALL.map(PkcePolicy::as_str)),
        last = PkcePolicy::ALL.len() - 1
    )]
    UnknownPkcePolicy(String),
    #[error("{0}")]
    FhirContext(String),
    #[error("CDS Hooks launches (launcher v1 key \"l\") are not supported by this simulator")]
    CdsHooksUnsupported,
}

fn names<const N: usize>(list: [&str; N]) -> String {
    list.join(", ")
}

/// Decodes the base64 leniently: launch values are copied by hand and
/// produced by other tools, which pad or use the standard alphabet. Trailing
/// bits are allowed for the same reason.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// Reads a launch value (the `{sim}` path segment or the `launch` parameter)
/// in any of the three forms described in the module documentation.
pub fn decode(value: &str) -> Result<LaunchOptions, LaunchError> {
    if value.len() > MAX_LEN {
        return Err(LaunchError::TooLong {
            len: value.len(),
            max: MAX_LEN,
        });
    }
    let text = value.trim().trim_end_matches('=');
    let normalized: String = text
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    let bytes = LENIENT
        .decode(normalized.as_bytes())
        .map_err(|e| LaunchError::Base64(e.to_string()))?;
    let json = std::str::from_utf8(&bytes).map_err(|_| LaunchError::Utf8)?;
    let parsed: Value = serde_json::from_str(json).map_err(|e| LaunchError::Json(e.to_string()))?;
    let opts = match parsed {
        Value::Array(slots) => decode_v2(&slots),
        Value::Object(map) if is_v1(&map) => decode_v1(&map),
        Value::Object(map) => decode_named(&map),
        _ => Err(LaunchError::NotArrayOrObject),
    }?;
    super::fhir_context::parse(&opts.fhir_context).map_err(LaunchError::FhirContext)?;
    Ok(opts)
}

/// Writes the full 17-slot launcher v2 array, base64url without padding, so
/// the value also works on launch.smarthealthit.org; slots 17 (`intent`) and
/// 18 (`tenant`) are appended only when set, and that launcher ignores them.
pub fn encode(opts: &LaunchOptions) -> String {
    let mut slots = vec![
        Value::from(opts.launch_type.index()),
        Value::from(opts.patient.as_str()),
        Value::from(opts.provider.as_str()),
        Value::from(opts.encounter.as_str()),
        Value::from(u8::from(opts.skip_login)),
        Value::from(u8::from(opts.skip_auth)),
        Value::from(u8::from(opts.sim_ehr)),
        Value::from(opts.scope.as_str()),
        Value::from(opts.redirect_uris.as_str()),
        Value::from(opts.client_id.as_str()),
        Value::from(opts.client_secret.as_str()),
        Value::from(opts.auth_error.map_or("", SimulatedError::as_str)),
        Value::from(opts.jwks_url.as_str()),
        Value::from(opts.jwks.as_str()),
        Value::from(opts.client_type.index()),
        Value::from(opts.pkce.index()),
        Value::from(opts.fhir_context.as_str()),
    ];
    if !opts.intent.is_empty() || !opts.tenant.is_empty() {
        slots.push(Value::from(opts.intent.as_str()));
        slots.push(Value::from(opts.tenant.as_str()));
    }
    URL_SAFE_NO_PAD.encode(Value::Array(slots).to_string())
}

/// Where a value came from, so type errors can name the slot or key.
#[derive(Clone, Copy)]
enum Loc<'a> {
    Slot(usize),
    Key(&'a str),
}

impl Loc<'_> {
    fn bad(self, expected: &'static str) -> LaunchError {
        match self {
            Loc::Slot(index) => LaunchError::BadSlot {
                index,
                name: FIELD_NAMES.get(index).copied().unwrap_or("unused"),
                expected,
            },
            Loc::Key(key) => LaunchError::BadKey {
                key: key.to_owned(),
                expected,
            },
        }
    }
}

fn string(v: &Value, loc: Loc) -> Result<String, LaunchError> {
    match v {
        Value::Null => Ok(String::new()),
        Value::String(s) => Ok(s.clone()),
        _ => Err(loc.bad("a string")),
    }
}

/// Lists are comma-separated strings in the model (as in the launchers);
/// arrays are accepted because the v1 extensions and hand-written configs
/// use them.
fn list(v: &Value, loc: Loc) -> Result<String, LaunchError> {
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
fn json_text(v: &Value, loc: Loc, allow_array: bool) -> Result<String, LaunchError> {
    match v {
        Value::Object(_) => Ok(v.to_string()),
        Value::Array(_) if allow_array => Ok(v.to_string()),
        Value::Null | Value::String(_) => string(v, loc),
        _ if allow_array => Err(loc.bad("a string or a JSON array or object")),
        _ => Err(loc.bad("a string or a JSON object")),
    }
}

/// The launchers write flags as 0/1 (v2) or "1" (v1); people write booleans.
fn flag(v: &Value, loc: Loc) -> Result<bool, LaunchError> {
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
fn index_or_name<T>(
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

fn launch_type(v: &Value, loc: Loc) -> Result<LaunchType, LaunchError> {
    let t = index_or_name(
        v,
        loc,
        LaunchType::from_index,
        LaunchType::parse,
        LaunchError::UnknownLaunchType,
    )?;
    Ok(t.unwrap_or(LaunchOptions::default().launch_type))
}

fn client_type(v: &Value, loc: Loc) -> Result<ClientType, LaunchError> {
    let t = index_or_name(
        v,
        loc,
        ClientType::from_index,
        ClientType::parse,
        LaunchError::UnknownClientType,
    )?;
    Ok(t.unwrap_or(LaunchOptions::default().client_type))
}

fn pkce(v: &Value, loc: Loc) -> Result<PkcePolicy, LaunchError> {
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
fn auth_error(v: &Value, loc: Loc) -> Result<Option<SimulatedError>, LaunchError> {
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
fn set_field(o: &mut LaunchOptions, name: &str, v: &Value, loc: Loc) -> Result<(), LaunchError> {
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

/// SMART Health IT launcher v2: slot `i` holds field `FIELD_NAMES[i]`.
/// Missing trailing slots take defaults and extra slots are ignored, so
/// values from older or newer launchers still decode.
fn decode_v2(slots: &[Value]) -> Result<LaunchOptions, LaunchError> {
    if slots.is_empty() {
        return Err(LaunchError::EmptyArray);
    }
    let mut o = LaunchOptions::default();
    for (i, (v, name)) in slots.iter().zip(FIELD_NAMES).enumerate() {
        set_field(&mut o, name, v, Loc::Slot(i))?;
    }
    Ok(o)
}

/// Readable form: keys are the [`LaunchOptions`] field names. Unknown keys
/// are errors because here they are almost always typos in a CI config.
fn decode_named(map: &Map<String, Value>) -> Result<LaunchOptions, LaunchError> {
    let mut o = LaunchOptions::default();
    for (key, v) in map {
        set_field(&mut o, key, v, Loc::Key(key))?;
    }
    Ok(o)
}

/// The v1 launcher used only single lowercase letters as keys; a readable
/// object never does, so this tells the two object forms apart.
fn is_v1(map: &Map<String, Value>) -> bool {
    map.keys()
        .all(|k| k.len() == 1 && k.as_bytes()[0].is_ascii_lowercase())
}

/// SMART Health IT launcher v1 (`a`..`l`) with the smart.argo.run additions
/// (`m`..`s`). Flags were written as the string "1" and omitted when off.
fn decode_v1(map: &Map<String, Value>) -> Result<LaunchOptions, LaunchError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn b64(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    fn dec(json: &str) -> Result<LaunchOptions, LaunchError> {
        decode(&b64(json))
    }

    // ---- v1 ----

    #[test]
    fn v1_seed_value_is_provider_standalone_with_skip_auth() {
        assert_eq!(b64(r#"{"h":"1","j":"1"}"#), "eyJoIjoiMSIsImoiOiIxIn0");
        let o = decode("eyJoIjoiMSIsImoiOiIxIn0").unwrap();
        let expected = LaunchOptions {
            launch_type: LaunchType::ProviderStandalone,
            skip_auth: true,
            ..LaunchOptions::default()
        };
        assert_eq!(o, expected);
    }

    #[test]
    fn v1_launch_type_combinations() {
        let lt = |j: &str| dec(j).unwrap().launch_type;
        assert_eq!(lt(r#"{}"#), LaunchType::ProviderEhr);
        assert_eq!(lt(r#"{"a":"1"}"#), LaunchType::ProviderEhr);
        assert_eq!(lt(r#"{"a":"1","k":"1"}"#), LaunchType::PatientPortal);
        assert_eq!(lt(r#"{"k":"1"}"#), LaunchType::PatientStandalone);
        assert_eq!(lt(r#"{"k":1}"#), LaunchType::PatientStandalone);
        assert_eq!(lt(r#"{"k":true,"a":true}"#), LaunchType::PatientPortal);
        assert_eq!(
            lt(r#"{"a":"1","k":"1","h":"1"}"#),
            LaunchType::ProviderStandalone
        );
    }

    #[test]
    fn v1_fields() {
        let o = dec(
            r#"{"b":"p1,p2","c":"enc1","e":"dr1","f":"1","i":"1","d":"2",
                "m":"1","n":"cc-sym","o":["https://a/cb","https://b/cb"],
                "p":"sec","q":"https://app/jwks","r":{"keys":[]},"s":"app","z":"ignored"}"#,
        )
        .unwrap();
        assert_eq!(o.patient, "p1,p2");
        assert_eq!(o.encounter, "enc1");
        assert_eq!(o.provider, "dr1");
        assert!(o.sim_ehr && o.skip_login && !o.skip_auth);
        assert_eq!(o.auth_error, Some(SimulatedError::AuthInvalidScope));
        assert_eq!(o.pkce, PkcePolicy::Always);
        assert_eq!(o.client_type, ClientType::ConfidentialSymmetric);
        assert_eq!(o.redirect_uris, "https://a/cb,https://b/cb");
        assert_eq!(o.client_secret, "sec");
        assert_eq!(o.jwks_url, "https://app/jwks");
        assert_eq!(o.jwks, r#"{"keys":[]}"#);
        assert_eq!(o.client_id, "app");
    }

    #[test]
    fn v1_auth_error_index_forms() {
        let err = |j: &str| dec(j).unwrap().auth_error;
        assert_eq!(err(r#"{"d":2}"#), Some(SimulatedError::AuthInvalidScope));
        assert_eq!(
            err(r#"{"d":"7"}"#),
            Some(SimulatedError::RequestExpiredToken)
        );
        assert_eq!(err(r#"{"d":""}"#), None);
        assert_eq!(
            err(r#"{"d":"token_invalid_jti"}"#),
            Some(SimulatedError::TokenInvalidJti)
        );
        assert_eq!(SimulatedError::V1_ORDER.len(), 8, "message says 0-7");
        for bad in [r#"{"d":"8"}"#, r#"{"d":-1}"#, r#"{"d":true}"#] {
            assert!(
                matches!(dec(bad), Err(LaunchError::BadKey { ref key, .. }) if key == "d"),
                "{bad}"
            );
        }
        assert_eq!(
            dec(r#"{"d":"nope"}"#),
            Err(LaunchError::UnknownSimulatedError("nope".into()))
        );
    }

    #[test]
    fn v1_client_types_and_encounter_picker() {
        let ct = |j: &str| dec(j).unwrap().client_type;
        assert_eq!(ct(r#"{"n":"public"}"#), ClientType::Public);
        assert_eq!(ct(r#"{"n":"cc-asym"}"#), ClientType::ConfidentialAsymmetric);
        assert_eq!(ct(r#"{"n":"backend-service"}"#), ClientType::BackendService);
        assert_eq!(
            dec(r#"{"n":"cc-x"}"#),
            Err(LaunchError::UnknownClientType("cc-x".into()))
        );
        assert_eq!(dec(r#"{"g":"1"}"#).unwrap().encounter, "MANUAL");
        assert_eq!(dec(r#"{"g":"1","c":"e9"}"#).unwrap().encounter, "e9");
        assert_eq!(dec(r#"{"c":""}"#).unwrap().encounter, "");
        assert_eq!(
            dec(r#"{"o":"https://x/cb"}"#).unwrap().redirect_uris,
            "https://x/cb"
        );
    }

    #[test]
    fn v1_cds_hooks_and_bad_flag() {
        assert_eq!(dec(r#"{"l":"1"}"#), Err(LaunchError::CdsHooksUnsupported));
        assert_eq!(dec(r#"{"l":"0"}"#).unwrap(), LaunchOptions::default());
        let e = dec(r#"{"j":"yes"}"#).unwrap_err();
        assert_eq!(e.to_string(), r#"launch option "j" must be 0 or 1"#);
    }

    // ---- v2 ----

    #[test]
    fn v2_real_value() {
        let json = r#"[0,"p1","dr1","AUTO",1,0,1,"patient/*.read","https://app/cb","my-app","s3cret","","","",1,2,""]"#;
        let o = dec(json).unwrap();
        assert_eq!(o.launch_type, LaunchType::ProviderEhr);
        assert_eq!(o.patient, "p1");
        assert_eq!(o.provider, "dr1");
        assert_eq!(o.encounter, "AUTO");
        assert!(o.skip_login && !o.skip_auth && o.sim_ehr);
        assert_eq!(o.scope, "patient/*.read");
        assert_eq!(o.redirect_uris, "https://app/cb");
        assert_eq!(o.client_id, "my-app");
        assert_eq!(o.client_secret, "s3cret");
        assert_eq!(o.auth_error, None);
        assert_eq!(o.jwks_url, "");
        assert_eq!(o.jwks, "");
        assert_eq!(o.client_type, ClientType::ConfidentialSymmetric);
        assert_eq!(o.pkce, PkcePolicy::Always);
        assert_eq!(o.fhir_context, "");
        // Encoding writes the same 17 slots back.
        assert_eq!(encode(&o), b64(json));
    }

    #[test]
    fn v2_short_null_extra_and_named_slots() {
        let o = dec(r#"[3,"p1"]"#).unwrap();
        assert_eq!(o.launch_type, LaunchType::PatientStandalone);
        assert_eq!(o.patient, "p1");
        assert_eq!(o.pkce, PkcePolicy::Auto);
        assert_eq!(dec("[null]").unwrap(), LaunchOptions::default());
        let o = dec(
            r#"["backend-service",null,null,null,true,"1","",null,["https://a","https://b"],
               null,null,"token_invalid_scope",null,{"keys":[]},"confidential-asymmetric","none",
               [{"reference":"Observation/1","role":"launch"}],"order-review","t1",{"future":1}]"#,
        )
        .unwrap();
        assert_eq!(o.launch_type, LaunchType::BackendService);
        assert!(o.skip_login && o.skip_auth && !o.sim_ehr);
        assert_eq!(o.redirect_uris, "https://a,https://b");
        assert_eq!(o.auth_error, Some(SimulatedError::TokenInvalidScope));
        assert_eq!(o.jwks, r#"{"keys":[]}"#);
        assert_eq!(o.client_type, ClientType::ConfidentialAsymmetric);
        assert_eq!(o.pkce, PkcePolicy::None);
        assert_eq!(
            o.fhir_context,
            r#"[{"reference":"Observation/1","role":"launch"}]"#
        );
        assert_eq!(o.intent, "order-review");
        assert_eq!(o.tenant, "t1");
    }

    #[test]
    fn v2_errors() {
        assert_eq!(dec("[]"), Err(LaunchError::EmptyArray));
        assert_eq!(dec("[9]"), Err(LaunchError::UnknownLaunchType("9".into())));
        assert_eq!(
            dec("[-1]"),
            Err(LaunchError::UnknownLaunchType("-1".into()))
        );
        assert_eq!(
            dec(r#"["provider"]"#),
            Err(LaunchError::UnknownLaunchType("provider".into()))
        );
        let e = dec(r#"[0,"","","",2]"#).unwrap_err();
        assert_eq!(
            e,
            LaunchError::BadSlot {
                index: 4,
                name: "skip_login",
                expected: "0 or 1"
            }
        );
        assert_eq!(e.to_string(), "launch slot 4 (skip_login) must be 0 or 1");
        assert!(matches!(
            dec(r#"[0,5]"#),
            Err(LaunchError::BadSlot {
                index: 1,
                name: "patient",
                ..
            })
        ));
        assert!(matches!(
            dec(r#"[{}]"#),
            Err(LaunchError::BadSlot { index: 0, .. })
        ));
        assert!(matches!(
            dec(r#"[0,"","","",0,0,0,"",[1]]"#),
            Err(LaunchError::BadSlot { index: 8, .. })
        ));
        assert!(matches!(
            dec(r#"[0,"","","",0,0,0,"","","","","","",[]]"#),
            Err(LaunchError::BadSlot {
                index: 13,
                name: "jwks",
                ..
            })
        ));
        assert_eq!(
            dec(r#"[0,"","","",0,0,0,"","","","","bogus"]"#),
            Err(LaunchError::UnknownSimulatedError("bogus".into()))
        );
        assert_eq!(
            dec(r#"[0,"","","",0,0,0,"","","","","","","",4]"#),
            Err(LaunchError::UnknownClientType("4".into()))
        );
        assert_eq!(
            dec(r#"[0,"","","",0,0,0,"","","","","","","",0,3]"#),
            Err(LaunchError::UnknownPkcePolicy("3".into()))
        );
    }

    // ---- readable object ----

    #[test]
    fn readable_object() {
        let o = dec(
            r#"{"launch_type":"patient-standalone","patient":["p1","p2"],"skip_login":true,
                "skip_auth":1,"scope":"openid fhirUser patient/*.rs","client_id":"ci",
                "redirect_uris":"http://localhost/cb","auth_error":null,
                "client_type":"confidential-symmetric","pkce":"always",
                "fhir_context":[{"reference":"Observation/1"}],"jwks":{"keys":[]}}"#,
        )
        .unwrap();
        assert_eq!(o.launch_type, LaunchType::PatientStandalone);
        assert_eq!(o.patient, "p1,p2");
        assert!(o.skip_login && o.skip_auth && !o.sim_ehr);
        assert_eq!(o.scope, "openid fhirUser patient/*.rs");
        assert_eq!(o.client_id, "ci");
        assert_eq!(o.redirect_uris, "http://localhost/cb");
        assert_eq!(o.auth_error, None);
        assert_eq!(o.client_type, ClientType::ConfidentialSymmetric);
        assert_eq!(o.pkce, PkcePolicy::Always);
        assert_eq!(o.fhir_context, r#"[{"reference":"Observation/1"}]"#);
        assert_eq!(o.jwks, r#"{"keys":[]}"#);
        assert_eq!(
            dec(r#"{"auth_error":"auth_invalid_client_id","encounter":"NONE"}"#).unwrap(),
            LaunchOptions {
                auth_error: Some(SimulatedError::AuthInvalidClientId),
                encounter: "NONE".into(),
                ..LaunchOptions::default()
            }
        );
    }

    #[test]
    fn readable_object_errors() {
        let e = dec(r#"{"launch_type":"provider-ehr","skip_logn":true}"#).unwrap_err();
        assert_eq!(e, LaunchError::UnknownKey("skip_logn".into()));
        assert!(e.to_string().contains("\"skip_logn\""));
        assert!(e.to_string().contains("skip_login"));
        // Mixing v1 letters with names is the readable form, so the letter is unknown.
        assert_eq!(
            dec(r#"{"a":"1","patient":"p"}"#),
            Err(LaunchError::UnknownKey("a".into()))
        );
        assert_eq!(
            dec(r#"{"pkce":"sometimes"}"#),
            Err(LaunchError::UnknownPkcePolicy("sometimes".into()))
        );
        assert_eq!(
            dec(r#"{"sim_ehr":"maybe"}"#),
            Err(LaunchError::BadKey {
                key: "sim_ehr".into(),
                expected: "0 or 1"
            })
        );
    }

    // ---- transport ----

    #[test]
    fn base64_tolerance() {
        let json = r#"{"s":"a?b>c~"}"#;
        let std = base64::engine::general_purpose::STANDARD.encode(json);
        assert!(std.contains('+') || std.contains('/') || std.ends_with('='));
        let expected = dec(json).unwrap();
        assert_eq!(expected.client_id, "a?b>c~");
        assert_eq!(decode(&std).unwrap(), expected);
        assert_eq!(decode(&format!("  {}==\n", b64(json))).unwrap(), expected);
    }

    #[test]
    fn transport_errors() {
        assert!(matches!(decode("not base64!"), Err(LaunchError::Base64(_))));
        assert!(matches!(decode("a"), Err(LaunchError::Base64(_))));
        assert_eq!(
            decode(&URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x80])),
            Err(LaunchError::Utf8)
        );
        assert!(matches!(dec("[0,"), Err(LaunchError::Json(_))));
        assert!(matches!(decode(""), Err(LaunchError::Json(_))));
        assert_eq!(dec("42"), Err(LaunchError::NotArrayOrObject));
        assert_eq!(dec(r#""x""#), Err(LaunchError::NotArrayOrObject));
        let long = "A".repeat(MAX_LEN + 1);
        assert_eq!(
            decode(&long),
            Err(LaunchError::TooLong {
                len: MAX_LEN + 1,
                max: MAX_LEN
            })
        );
        assert_eq!(
            decode("!").unwrap_err().to_string(),
            "launch value is not valid base64url: Invalid symbol 33, offset 0."
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert!(matches!(dec(&deep), Err(LaunchError::Json(_))));
    }

    #[test]
    fn messages_are_plain() {
        let e = LaunchError::UnknownLaunchType("9".into()).to_string();
        assert_eq!(
            e,
            "unknown launch type \"9\"; expected one of provider-ehr, patient-portal, \
             provider-standalone, patient-standalone, backend-service (or its index 0-4)"
        );
        assert!(LaunchError::UnknownSimulatedError("x".into())
            .to_string()
            .contains("request_expired_token"));
        assert!(LaunchError::UnknownPkcePolicy("x".into())
            .to_string()
            .contains("none, auto, always"));
    }

    #[test]
    fn encode_keeps_empty_encounter() {
        let o = LaunchOptions::default();
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(encode(&o)).unwrap()).unwrap();
        assert_eq!(text, r#"[0,"","","",0,0,0,"","","","","","","",0,1,""]"#);
        assert!(!encode(&o).contains('='));
    }

    // ---- properties ----

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => "[a-zA-Z0-9 ,:/._\\-]{0,20}",
            1 => any::<String>(),
        ]
    }

    /// Valid `fhir_context` values in each accepted form (invalid ones are
    /// refused by `decode`, see `fhir_context_is_validated`).
    fn fhir_context_text() -> impl Strategy<Value = String> {
        let reference = "(Observation|DiagnosticReport|ServiceRequest)/[a-z0-9.-]{1,8}";
        prop_oneof![
            Just(String::new()),
            prop::collection::vec(reference, 1..3).prop_map(|v| v.join(",")),
            prop::collection::vec(reference, 1..3).prop_map(|v| Value::from(v).to_string()),
            (reference, "[a-z:/.]{1,12}").prop_map(|(r, role)| {
                serde_json::json!([{ "reference": r, "role": role }]).to_string()
            }),
        ]
    }

    #[test]
    fn fhir_context_is_validated() {
        let e = dec(r#"{"fhir_context":[{"role":"launch"}]}"#).unwrap_err();
        assert!(matches!(e, LaunchError::FhirContext(_)));
        assert!(e.to_string().contains("reference, canonical or identifier"));
        let e = dec(r#"[0,"","","",0,0,0,"","","","","","","",0,1,"Observation"]"#).unwrap_err();
        assert!(e.to_string().contains("relative reference"), "{e}");
        let o = dec(r#"{"fhir_context":"Observation/1","intent":"i","tenant":"t"}"#).unwrap();
        assert_eq!((o.intent.as_str(), o.tenant.as_str()), ("i", "t"));
        assert_eq!(decode(&encode(&o)), Ok(o));
    }

    prop_compose! {
        fn options()(
            lt in prop::sample::select(LaunchType::ALL.to_vec()),
            strings in prop::collection::vec(text(), 13),
            fhir_context in fhir_context_text(),
            flags in any::<[bool; 3]>(),
            err in prop::option::of(prop::sample::select(SimulatedError::ALL.to_vec())),
            ct in prop::sample::select(ClientType::ALL.to_vec()),
            pk in prop::sample::select(PkcePolicy::ALL.to_vec()),
        ) -> LaunchOptions {
            let mut s = strings.into_iter();
            let mut next = || s.next().unwrap_or_default();
            LaunchOptions {
                launch_type: lt,
                patient: next(),
                provider: next(),
                encounter: next(),
                skip_login: flags[0],
                skip_auth: flags[1],
                sim_ehr: flags[2],
                scope: next(),
                redirect_uris: next(),
                client_id: next(),
                client_secret: next(),
                auth_error: err,
                jwks_url: next(),
                jwks: next(),
                client_type: ct,
                pkce: pk,
                fhir_context,
                intent: next(),
                tenant: next(),
            }
        }
    }

    fn json() -> impl Strategy<Value = Value> {
        let key = prop_oneof![
            "[a-z]",
            prop::sample::select(FIELD_NAMES.to_vec()).prop_map(String::from),
            any::<String>(),
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-3i64..20).prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            prop_oneof![Just("1".to_owned()), Just(String::new()), text()].prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 64, 20, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..20).prop_map(Value::Array),
                prop::collection::btree_map(key.clone(), inner, 0..20)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn roundtrip(o in options()) {
            prop_assert_eq!(decode(&encode(&o)), Ok(o));
        }

        #[test]
        fn never_panics_on_strings(s in any::<String>()) {
            let _ = decode(&s);
        }

        #[test]
        fn never_panics_on_base64_alphabet(s in "[A-Za-z0-9_+/=\\- ]{0,200}") {
            let _ = decode(&s);
        }

        #[test]
        fn never_panics_on_json(v in json()) {
            let _ = decode(&URL_SAFE_NO_PAD.encode(v.to_string()));
        }

        #[test]
        fn never_panics_on_bytes(b in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = decode(&URL_SAFE_NO_PAD.encode(b));
        }
    }
}
