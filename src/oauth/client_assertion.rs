//! `private_key_jwt` client authentication: RFC 7523 §2.2 and §3 (JWT
//! client assertions), as profiled by SMART App Launch 2.2, "Client
//! Authentication: Asymmetric" (client-confidential-asymmetric), which SMART
//! Backend Services reuses.
//!
//! The checks are all done here with an injected `now`; the JOSE library only
//! verifies the signature, with the one algorithm the header names, so
//! `alg: none` and HMAC-with-the-public-key forgeries never reach it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::Validation;
use serde_json::Value;

use super::error::{ErrorCode, OAuthError};
use super::jwks::{select_key, SigningAlg, SIGNING_ALGS};
use super::replay::{ExpiringSet, Spent};
use crate::clock::UnixTime;

/// RFC 7523 §2.2: the only `client_assertion_type` defined for JWTs.
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Longest assertion accepted; real ones are well under 2 KiB.
pub const MAX_ASSERTION_BYTES: usize = 8 * 1024;

/// SMART 2.2: `exp` no more than five minutes in the future.
pub const MAX_LIFETIME: i64 = 300;

/// Tolerated clock difference between client and server, in seconds.
pub const CLOCK_SKEW: i64 = 60;

/// What an assertion is checked against.
pub struct AssertionCheck<'a> {
    pub assertion: &'a str,
    /// The client the assertion must name in `iss` and `sub`; `None` when
    /// nothing pins it (then `iss` itself is the client).
    pub client_id: Option<&'a str>,
    /// The token endpoint URL: the required `aud`.
    pub token_url: &'a str,
    /// The client's key set (RFC 7517 JSON).
    pub jwks: &'a Value,
    /// The registered JWKS URL: a `jku` header must equal it.
    pub jwks_url: Option<&'a str>,
    /// Seen `iss` + `jti` pairs.
    pub used_jtis: &'a ExpiringSet,
    /// The launch's `token_invalid_jti`: treat the `jti` as replayed.
    pub simulate_replay: bool,
}

fn fail(d: impl Into<String>) -> OAuthError {
    OAuthError::invalid_client(d)
}

/// Verifies a client assertion and returns the authenticated client_id.
/// Every failure is RFC 6749 §5.2 `invalid_client` (SMART 2.2: "the
/// authorization server SHALL respond with invalid_client").
pub fn verify_assertion(c: &AssertionCheck<'_>, now: UnixTime) -> Result<String, OAuthError> {
    if c.assertion.len() > MAX_ASSERTION_BYTES {
        return Err(fail(format!(
            "client_assertion is longer than {MAX_ASSERTION_BYTES} bytes"
        )));
    }
    let header = read_header(c.assertion)?;
    let alg_name = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let alg = SigningAlg::parse(alg_name).ok_or_else(|| {
        fail(format!(
            "client_assertion alg `{alg_name}` is not accepted; sign with one of {}",
            SIGNING_ALGS.join(", ")
        ))
    })?;
    if let Some(typ) = header.get("typ") {
        if !typ.as_str().is_some_and(|t| t.eq_ignore_ascii_case("JWT")) {
            return Err(fail("client_assertion header typ must be `JWT`"));
        }
    }
    if header.get("crit").is_some() {
        return Err(fail(
            "client_assertion header has `crit` extensions this server does not understand (RFC 7515 §4.1.11)",
        ));
    }
    let kid = header
        .get("kid")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| fail("client_assertion header needs a `kid` (SMART 2.2)"))?;
    if let Some(jku) = header.get("jku") {
        // SMART 2.2: a `jku` must match the registered JWKS URL exactly;
        // the server never fetches keys from a URL the client chose.
        if c.jwks_url.is_none() || jku.as_str() != c.jwks_url {
            return Err(fail(
                "client_assertion header jku is not the JWKS URL registered for this client",
            ));
        }
    }
    let key = select_key(c.jwks, kid, alg).map_err(fail)?;
    let mut validation = Validation::new(alg.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<Value>(c.assertion, &key, &validation)
        .map_err(|e| fail(format!("client_assertion signature does not verify: {e}")))?
        .claims;
    let client_id = check_claims(c, &claims, now)?;
    let jti = claims["jti"].as_str().unwrap_or_default();
    let exp = claims["exp"].as_i64().unwrap_or(now);
    if c.simulate_replay {
        return Err(fail(
            "simulated error: the client_assertion jti was already used",
        ));
    }
    // RFC 7523 §3 item 7, SMART 2.2: a `jti` is used once per `iss` while
    // an assertion carrying it could still be accepted.
    match c
        .used_jtis
        .use_once(&format!("{client_id}\n{jti}"), exp + CLOCK_SKEW, now)
    {
        Ok(()) => Ok(client_id),
        Err(Spent::AlreadyUsed) => Err(fail(
            "client_assertion jti was already used: every assertion needs a fresh jti",
        )),
        Err(Spent::Full) => Err(OAuthError::new(
            ErrorCode::TemporarilyUnavailable,
            "too many client assertions recently; try again shortly",
        )),
    }
}

/// The JOSE header, read by hand so an unknown `alg` gets a clear message.
fn read_header(assertion: &str) -> Result<Value, OAuthError> {
    let mut parts = assertion.split('.');
    let (Some(head), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(fail(
            "client_assertion is not a JWS in compact serialization (three dot-separated parts)",
        ));
    };
    URL_SAFE_NO_PAD
        .decode(head)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .filter(Value::is_object)
        .ok_or_else(|| fail("client_assertion header is not base64url JSON"))
}

/// RFC 7523 §3 items 1–5 with SMART 2.2's limits.
fn check_claims(
    c: &AssertionCheck<'_>,
    claims: &Value,
    now: UnixTime,
) -> Result<String, OAuthError> {
    let text = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or("");
    let (iss, sub) = (text("iss"), text("sub"));
    if iss.is_empty() || iss != sub {
        return Err(fail(
            "client_assertion iss and sub must both be the client_id (RFC 7523 §3)",
        ));
    }
    if let Some(expected) = c.client_id {
        if iss != expected {
            return Err(fail(format!(
                "client_assertion iss `{iss}` is not the client_id `{expected}`"
            )));
        }
    }
    let wanted = c.token_url.trim_end_matches('/');
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a.trim_end_matches('/') == wanted,
        Some(Value::Array(list)) => list.iter().any(|a| {
            a.as_str()
                .is_some_and(|a| a.trim_end_matches('/') == wanted)
        }),
        _ => false,
    };
    if !aud_ok {
        return Err(fail(format!(
            "client_assertion aud must be the token endpoint URL `{}`",
            c.token_url
        )));
    }
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(|| fail("client_assertion needs a numeric exp"))?;
    if exp <= now - CLOCK_SKEW {
        return Err(fail("client_assertion has expired"));
    }
    if exp > now + MAX_LIFETIME + CLOCK_SKEW {
        return Err(fail(
            "client_assertion exp is more than five minutes ahead (SMART 2.2)",
        ));
    }
    for name in ["nbf", "iat"] {
        if claims
            .get(name)
            .and_then(Value::as_i64)
            .is_some_and(|t| t > now + CLOCK_SKEW)
        {
            return Err(fail(format!("client_assertion {name} is in the future")));
        }
    }
    let jti = text("jti");
    if jti.is_empty() || jti.len() > 256 {
        return Err(fail(
            "client_assertion needs a jti (a unique id of at most 256 characters)",
        ));
    }
    Ok(iss.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: UnixTime = 1_700_000_000;
    const URL: &str = "http://h/v/r4/sim/x/auth/token";

    fn check(claims: Value, client_id: Option<&str>) -> Result<String, OAuthError> {
        let jwks = json!({"keys": []});
        let used = ExpiringSet::new(10);
        let c = AssertionCheck {
            assertion: "",
            client_id,
            token_url: URL,
            jwks: &jwks,
            jwks_url: None,
            used_jtis: &used,
            simulate_replay: false,
        };
        check_claims(&c, &claims, NOW)
    }

    fn claims(exp: i64) -> Value {
        json!({"iss": "c", "sub": "c", "aud": URL, "exp": exp, "jti": "j"})
    }

    #[test]
    fn exp_window_with_skew() {
        assert!(check(claims(NOW + 300), None).is_ok());
        assert!(check(claims(NOW + 360), None).is_ok());
        assert!(check(claims(NOW + 361), None).is_err());
        assert!(check(claims(NOW - 59), None).is_ok());
        assert!(check(claims(NOW - 60), None).is_err());
    }

    #[test]
    fn identity_and_audience() {
        assert_eq!(check(claims(NOW + 60), Some("c")).unwrap(), "c");
        assert!(check(claims(NOW + 60), Some("d")).is_err());
        let mut c = claims(NOW + 60);
        c["aud"] = json!(format!("{URL}/"));
        assert!(check(c.clone(), None).is_ok(), "trailing slash ignored");
        c["aud"] = json!("http://h/v/r4/auth/token");
        assert!(check(c, None).is_err());
    }

    #[test]
    fn header_shapes() {
        let jwks = json!({"keys": []});
        let used = ExpiringSet::new(10);
        let head = |h: Value| {
            format!(
                "{}.e30.c2ln",
                URL_SAFE_NO_PAD.encode(h.to_string().as_bytes())
            )
        };
        for (assertion, needle) in [
            (head(json!({"alg": "none", "kid": "k"})), "alg"),
            (head(json!({"alg": "HS256", "kid": "k"})), "alg"),
            (head(json!({"alg": "RS384"})), "kid"),
            (
                head(json!({"alg": "RS384", "kid": "k", "typ": "JOSE"})),
                "typ",
            ),
            (
                head(json!({"alg": "RS384", "kid": "k", "crit": ["x"]})),
                "crit",
            ),
            ("a.b".to_string(), "compact"),
            ("x".repeat(MAX_ASSERTION_BYTES + 1), "longer"),
        ] {
            let c = AssertionCheck {
                assertion: &assertion,
                client_id: None,
                token_url: URL,
                jwks: &jwks,
                jwks_url: None,
                used_jtis: &used,
                simulate_replay: false,
            };
            let e = verify_assertion(&c, NOW).unwrap_err();
            assert_eq!(e.status(), 401);
            assert!(e.description.contains(needle), "{needle}: {e}");
        }
    }
}
