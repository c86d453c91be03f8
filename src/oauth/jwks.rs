//! JSON Web Key Sets of asymmetric clients (RFC 7517) and the choice of the
//! one key that verifies a client assertion.
//!
//! SMART App Launch 2.2, "Client Authentication: Asymmetric", step 3 of the
//! server's signature verification: among the client's keys, take those
//! whose `kid` equals the assertion header's `kid` and whose `kty` matches the
//! header's `alg`; if not exactly one remains, authentication fails. Keys are
//! read leniently (unknown members and unusable keys are skipped) so that one
//! odd key in a client's set does not break the others.

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::{json, Value};

/// Longest JWKS accepted, inline or fetched (bytes of JSON text).
pub const MAX_JWKS_BYTES: usize = 64 * 1024;

/// The assertion signing algorithms the sandbox verifies: SMART requires
/// RS384 and ES384; RS256 and ES256 are common and cost nothing extra.
pub const SIGNING_ALGS: [&str; 4] = ["RS384", "ES384", "RS256", "ES256"];

/// One of [`SIGNING_ALGS`] with the key type it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningAlg {
    pub alg: Algorithm,
    pub name: &'static str,
    /// `RSA` or `EC`.
    pub kty: &'static str,
    /// The curve for `EC` keys (RFC 7518 §3.4: ES256 uses P-256, ES384 P-384).
    pub crv: Option<&'static str>,
}

impl SigningAlg {
    pub fn parse(name: &str) -> Option<Self> {
        let (alg, name, kty, crv) = match name {
            "RS384" => (Algorithm::RS384, "RS384", "RSA", None),
            "RS256" => (Algorithm::RS256, "RS256", "RSA", None),
            "ES384" => (Algorithm::ES384, "ES384", "EC", Some("P-384")),
            "ES256" => (Algorithm::ES256, "ES256", "EC", Some("P-256")),
            _ => return None,
        };
        Some(SigningAlg {
            alg,
            name,
            kty,
            crv,
        })
    }
}

/// Parses JWKS text: a JSON object with a `keys` array (RFC 7517 §5).
pub fn parse_jwks(text: &str) -> Result<Value, String> {
    if text.len() > MAX_JWKS_BYTES {
        return Err(format!(
            "the JWKS is {} bytes; the limit is {MAX_JWKS_BYTES}",
            text.len()
        ));
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("the JWKS is not valid JSON: {e}"))?;
    if !value.get("keys").is_some_and(Value::is_array) {
        return Err("the JWKS must be a JSON object with a `keys` array (RFC 7517 §5)".into());
    }
    Ok(value)
}

/// Selects the key for `kid` and `alg`, and builds its verification key
/// from the public members only.
pub fn select_key(jwks: &Value, kid: &str, alg: SigningAlg) -> Result<DecodingKey, String> {
    let keys = jwks.get("keys").and_then(Value::as_array);
    let candidates: Vec<&Value> = keys
        .into_iter()
        .flatten()
        .filter(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
        .filter(|k| usable_for(k, alg))
        .collect();
    match candidates.as_slice() {
        [key] => decoding_key(key, alg),
        [] => Err(format!(
            "no key in the client's JWKS has kid `{kid}` and fits {} (kty {}{})",
            alg.name,
            alg.kty,
            alg.crv.map(|c| format!(", crv {c}")).unwrap_or_default()
        )),
        _ => Err(format!(
            "more than one key in the client's JWKS has kid `{kid}` and fits {}",
            alg.name
        )),
    }
}

/// Key type and curve match the algorithm; an `alg` member, if any, agrees;
/// a `use` member, if any, is `sig` (RFC 7517 §4.2, §4.4).
fn usable_for(key: &Value, alg: SigningAlg) -> bool {
    let member = |name: &str| key.get(name).and_then(Value::as_str);
    member("kty") == Some(alg.kty)
        && (alg.crv.is_none() || member("crv") == alg.crv)
        && member("alg").is_none_or(|a| a == alg.name)
        && member("use").is_none_or(|u| u == "sig")
}

/// Only the public members go to the JOSE library: private members (`d`,
/// `p`, ...) pasted by mistake are ignored, as are members it might reject.
fn decoding_key(key: &Value, alg: SigningAlg) -> Result<DecodingKey, String> {
    let text = |name: &str| {
        key.get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("the selected key has no `{name}` member"))
    };
    let public = if alg.kty == "RSA" {
        json!({"kty": "RSA", "n": text("n")?, "e": text("e")?})
    } else {
        json!({"kty": "EC", "crv": text("crv")?, "x": text("x")?, "y": text("y")?})
    };
    let jwk: Jwk = serde_json::from_value(public)
        .map_err(|e| format!("the selected key is malformed: {e}"))?;
    DecodingKey::from_jwk(&jwk).map_err(|e| format!("the selected key is unusable: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> Value {
        json!({"keys": [
            {"kty": "RSA", "kid": "r", "n": "sXch", "e": "AQAB", "alg": "RS384"},
            {"kty": "EC", "kid": "e", "crv": "P-384", "x": "AA", "y": "AA"},
            {"kty": "EC", "kid": "dup", "crv": "P-256", "x": "AA", "y": "AA"},
            {"kty": "EC", "kid": "dup", "crv": "P-256", "x": "AA", "y": "AA"},
            {"kty": "oct", "kid": "s", "k": "c2VjcmV0"}
        ]})
    }

    #[test]
    fn algorithms() {
        assert!(SigningAlg::parse("none").is_none());
        assert!(SigningAlg::parse("HS256").is_none());
        assert!(SigningAlg::parse("PS384").is_none());
        assert_eq!(SigningAlg::parse("ES384").unwrap().crv, Some("P-384"));
    }

    #[test]
    fn selection_by_kid_kty_and_curve() {
        let rs384 = SigningAlg::parse("RS384").unwrap();
        let rs256 = SigningAlg::parse("RS256").unwrap();
        let es384 = SigningAlg::parse("ES384").unwrap();
        let es256 = SigningAlg::parse("ES256").unwrap();
        assert!(select_key(&set(), "r", rs384).is_ok());
        // The key says alg RS384: not for RS256.
        assert!(select_key(&set(), "r", rs256).is_err());
        assert!(select_key(&set(), "r", es384).is_err());
        assert!(select_key(&set(), "e", es256).is_err());
        assert!(select_key(&set(), "missing", rs384).is_err());
        let dup = select_key(&set(), "dup", es256).err().unwrap();
        assert!(dup.contains("more than one"), "{dup}");
        assert!(select_key(&set(), "s", rs384).is_err());
    }

    #[test]
    fn parsing() {
        assert!(parse_jwks(r#"{"keys":[]}"#).is_ok());
        assert!(parse_jwks(r#"{"keys":{}}"#).is_err());
        assert!(parse_jwks("[]").is_err());
        assert!(parse_jwks("{").is_err());
        let big = format!(r#"{{"keys":[],"x":"{}"}}"#, "a".repeat(MAX_JWKS_BYTES));
        assert!(parse_jwks(&big).is_err());
    }
}
