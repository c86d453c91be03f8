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

mod fields;
#[cfg(test)]
mod tests;
mod v1;

use fields::set_field;
use v1::{decode_v1, is_v1};

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

/// Reads a `{sim}` path segment. Unlike a value pasted into the Decode box
/// (which [`decode`] trims), the segment is part of the FHIR base URL that
/// goes into tokens and `Location` headers, so it may hold base64
/// characters only: whitespace or control characters around an otherwise
/// valid value are an error, not something to forgive.
pub fn decode_segment(value: &str) -> Result<LaunchOptions, LaunchError> {
    let stray = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/' | '=')));
    if let Some(c) = stray {
        return Err(LaunchError::Base64(format!(
            "{c:?} is not a base64url character"
        )));
    }
    decode(value)
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
