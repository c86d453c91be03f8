//! Bearer access tokens at a protected resource (RFC 6750): the check the
//! FHIR API and the introspection/revocation endpoints share.
//!
//! An access token is usable when it is a sandbox access token (HS256, kind
//! `access`), not expired (SMART App Launch 2.2: expired tokens SHALL NOT be
//! accepted), not revoked (RFC 7009), and its launch did not ask to simulate
//! a bad or expired token (`request_invalid_token`, `request_expired_token`:
//! the launchers' simulated errors apply to app launches and backend services
//! alike).

use super::revocations::Revocations;
use super::tokens::{self, AccessClaims, TokenKind, TokenProblem};
use crate::clock::UnixTime;
use crate::keys::Hs256;
use crate::launch::SimulatedError;

/// The realm named in `WWW-Authenticate` challenges.
pub const REALM: &str = "smart-sandbox";

/// Why a request's bearer token was not accepted. Every variant is a 401.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BearerError {
    /// No `Authorization: Bearer` header.
    Missing,
    /// Not a token this server issued as an access token, or malformed.
    Invalid(String),
    Expired(String),
    Revoked(String),
}

impl BearerError {
    pub fn message(&self) -> &str {
        match self {
            BearerError::Missing => {
                "an access token is required: send Authorization: Bearer <token>"
            }
            BearerError::Invalid(m) | BearerError::Expired(m) | BearerError::Revoked(m) => m,
        }
    }

    /// The `WWW-Authenticate` value (RFC 6750 §3). Without any credentials
    /// the challenge carries no error code (§3.1: the client did not try);
    /// otherwise `error="invalid_token"` with a description.
    pub fn www_authenticate(&self) -> String {
        match self {
            BearerError::Missing => format!("Bearer realm=\"{REALM}\""),
            _ => format!(
                "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{}\"",
                quoted_safe(self.message())
            ),
        }
    }
}

/// An auth-param value may not contain `"` or `\` unescaped (RFC 9110
/// §5.6.4); RFC 6750 §3 further limits `error_description` to printable
/// ASCII without them.
fn quoted_safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if (' '..='~').contains(&c) => c,
            _ => '?',
        })
        .collect()
}

/// Reads `Authorization: Bearer <token>` (RFC 6750 §2.1; the scheme is
/// case-insensitive) and checks the token.
pub fn authenticate_bearer(
    authorization_header: Option<&str>,
    hs: &Hs256,
    revocations: &Revocations,
    now: UnixTime,
) -> Result<AccessClaims, BearerError> {
    let header = authorization_header
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .ok_or(BearerError::Missing)?;
    let (scheme, token) = header.split_once(' ').unwrap_or((header, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(BearerError::Missing);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(BearerError::Invalid("the Bearer token is empty".into()));
    }
    check_access_token(token, hs, revocations, now)
}

/// Checks a raw access token: kind, signature, expiry, revocation and the
/// launch's simulated `request_*` errors.
pub fn check_access_token(
    token: &str,
    hs: &Hs256,
    revocations: &Revocations,
    now: UnixTime,
) -> Result<AccessClaims, BearerError> {
    let claims: AccessClaims =
        tokens::verify(hs, token, TokenKind::Access, now).map_err(|p| match p {
            TokenProblem::Invalid => {
                BearerError::Invalid("the access token is not valid for this server".into())
            }
            TokenProblem::Expired => BearerError::Expired("the access token has expired".into()),
        })?;
    if revocations.is_revoked(&claims.jti, &claims.grant.gid, now) {
        return Err(BearerError::Revoked(
            "the access token has been revoked".into(),
        ));
    }
    match claims.sim_error {
        Some(SimulatedError::RequestInvalidToken) => Err(BearerError::Invalid(
            "simulated error: the access token is invalid".into(),
        )),
        Some(SimulatedError::RequestExpiredToken) => Err(BearerError::Expired(
            "simulated error: the access token has expired".into(),
        )),
        _ => Ok(claims),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::tokens::{new_id, Grant, LaunchContext};

    fn setup() -> (Hs256, Revocations) {
        (
            Hs256::new(b"0123456789abcdef0123"),
            Revocations::new(100, 10_000),
        )
    }

    fn access(sim_error: Option<SimulatedError>) -> AccessClaims {
        AccessClaims {
            tt: TokenKind::Access,
            jti: new_id(),
            iat: 0,
            exp: 100,
            grant: Grant {
                gid: new_id(),
                client_id: "app".into(),
                scope: "patient/*.rs".into(),
                aud: "http://h/v/r4/fhir".into(),
                user: None,
                ctx: LaunchContext::default(),
            },
            sim_error,
        }
    }

    fn bearer(hs: &Hs256, c: &AccessClaims) -> String {
        format!("Bearer {}", hs.sign(c))
    }

    #[test]
    fn valid_token_and_scheme_case() {
        let (hs, rev) = setup();
        let c = access(None);
        let h = bearer(&hs, &c).replace("Bearer", "bEaReR");
        assert_eq!(authenticate_bearer(Some(&h), &hs, &rev, 10), Ok(c));
    }

    #[test]
    fn missing_and_other_schemes() {
        let (hs, rev) = setup();
        for h in [None, Some(""), Some("Basic YTpi")] {
            let e = authenticate_bearer(h, &hs, &rev, 10).unwrap_err();
            assert_eq!(e, BearerError::Missing);
            assert_eq!(e.www_authenticate(), "Bearer realm=\"smart-sandbox\"");
        }
    }

    #[test]
    fn invalid_expired_revoked() {
        let (hs, rev) = setup();
        let e = authenticate_bearer(Some("Bearer nope"), &hs, &rev, 10).unwrap_err();
        assert!(matches!(e, BearerError::Invalid(_)));
        assert!(e.www_authenticate().contains("error=\"invalid_token\""));
        assert!(matches!(
            authenticate_bearer(Some("Bearer "), &hs, &rev, 10),
            Err(BearerError::Invalid(_))
        ));
        let other = Hs256::new(b"another-secret-0123456");
        let c = access(None);
        assert!(matches!(
            authenticate_bearer(Some(&bearer(&other, &c)), &hs, &rev, 10),
            Err(BearerError::Invalid(_))
        ));
        let e = authenticate_bearer(Some(&bearer(&hs, &c)), &hs, &rev, 100).unwrap_err();
        assert!(matches!(e, BearerError::Expired(_)));
        assert!(e.www_authenticate().contains("expired"));

        rev.revoke_token(&c.jti, c.exp, 10).unwrap();
        let e = authenticate_bearer(Some(&bearer(&hs, &c)), &hs, &rev, 10).unwrap_err();
        assert!(matches!(e, BearerError::Revoked(_)));
        let d = access(None);
        rev.revoke_grant(&d.grant.gid, 10).unwrap();
        assert!(matches!(
            authenticate_bearer(Some(&bearer(&hs, &d)), &hs, &rev, 10),
            Err(BearerError::Revoked(_))
        ));
    }

    #[test]
    fn simulated_request_errors() {
        let (hs, rev) = setup();
        let c = access(Some(SimulatedError::RequestInvalidToken));
        assert!(matches!(
            authenticate_bearer(Some(&bearer(&hs, &c)), &hs, &rev, 10),
            Err(BearerError::Invalid(m)) if m.contains("simulated")
        ));
        let c = access(Some(SimulatedError::RequestExpiredToken));
        assert!(matches!(
            authenticate_bearer(Some(&bearer(&hs, &c)), &hs, &rev, 10),
            Err(BearerError::Expired(m)) if m.contains("simulated")
        ));
        let c = access(Some(SimulatedError::TokenInvalidScope));
        assert!(authenticate_bearer(Some(&bearer(&hs, &c)), &hs, &rev, 10).is_ok());
    }

    #[test]
    fn challenge_is_header_safe() {
        let e = BearerError::Invalid("a \"quoted\" \\ é\n".into());
        assert_eq!(
            e.www_authenticate(),
            "Bearer realm=\"smart-sandbox\", error=\"invalid_token\", error_description=\"a 'quoted' ' ??\""
        );
    }
}
