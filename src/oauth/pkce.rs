//! Proof Key for Code Exchange (RFC 7636). SMART App Launch 2.2 requires
//! `S256` and forbids `plain`.

use aws_lc_rs::digest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use subtle::ConstantTimeEq;

use super::error::OAuthError;
use super::params::Params;
use crate::launch::PkcePolicy;

/// RFC 7636 §4.1: 43 to 128 characters of `[A-Z a-z 0-9 - . _ ~]`.
pub fn is_valid_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// An S256 challenge is the base64url (no padding) of a SHA-256: 43 chars.
pub fn is_valid_s256_challenge(c: &str) -> bool {
    c.len() == 43
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// RFC 7636 §4.2: `BASE64URL(SHA256(ASCII(code_verifier)))`.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()))
}

/// RFC 7636 §4.6, compared in constant time.
pub fn verify_s256(verifier: &str, challenge: &str) -> bool {
    is_valid_verifier(verifier) && bool::from(s256(verifier).as_bytes().ct_eq(challenge.as_bytes()))
}

/// RFC 7636 per the launch's PKCE policy; returns the S256 challenge to bind
/// into the code. SMART App Launch 2.2 forbids `plain`.
pub fn check_authorize_request(
    params: &Params,
    policy: PkcePolicy,
) -> Result<Option<String>, OAuthError> {
    if policy == PkcePolicy::None {
        return Ok(None);
    }
    let method = params.get("code_challenge_method");
    let challenge = params.get("code_challenge");
    if method.is_none() && challenge.is_none() {
        return match policy {
            PkcePolicy::Always => Err(OAuthError::invalid_request(
                "this client must use PKCE: send code_challenge and code_challenge_method=S256",
            )),
            _ => Ok(None),
        };
    }
    match method {
        Some("S256") => {}
        Some("plain") => {
            return Err(OAuthError::invalid_request(
                "code_challenge_method `plain` is not supported; use S256",
            ))
        }
        Some(other) => {
            return Err(OAuthError::invalid_request(format!(
                "code_challenge_method `{other}` is not supported; use S256"
            )))
        }
        None => {
            return Err(OAuthError::invalid_request(
                "code_challenge_method=S256 is required with code_challenge",
            ))
        }
    }
    match challenge {
        Some(c) if is_valid_s256_challenge(c) => Ok(Some(c.to_string())),
        Some(_) => Err(OAuthError::invalid_request(
            "code_challenge must be the 43-character base64url SHA-256 of the code_verifier",
        )),
        None => Err(OAuthError::invalid_request(
            "code_challenge is required with code_challenge_method",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(s256(v), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!(verify_s256(
            v,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!verify_s256(v, v));
        assert!(!verify_s256("short", &s256("short")));
        assert!(is_valid_s256_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!is_valid_s256_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"
        ));
    }
}
