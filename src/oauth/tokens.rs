//! The sandbox's self-contained tokens. Authorization codes, access tokens and
//! refresh tokens are HS256 JWTs carrying what the next step needs, so no
//! session store is required. A `tt` claim names the kind, so one kind can
//! never be presented as another. No secret, key set or PKCE verifier goes
//! inside: a pinned client secret travels as an HMAC digest only.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::UnixTime;
use crate::keys::Hs256;
use crate::launch::{ClientType, SimulatedError};

/// Authorization codes live 5 minutes (RFC 6749 §4.1.2 recommends at most 10).
pub const CODE_LIFETIME: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Code,
    Access,
    Refresh,
    Flow,
}

/// The launch context returned beside the access token (SMART App Launch 2.2,
/// "Launch context arrives with your access_token").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LaunchContext {
    pub need_patient_banner: bool,
    pub smart_style_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encounter: Option<String>,
    #[serde(
        default,
        rename = "fhirContext",
        skip_serializing_if = "Option::is_none"
    )]
    pub fhir_context: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

/// What the launch pinned about the client, carried from authorize to the
/// token endpoint (the token URL of an EHR launch has no `{sim}` segment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub client_type: ClientType,
    /// HMAC digest of the pinned client secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_digest: Option<String>,
    /// The pinned JWKS URL of an asymmetric client (a URL is no secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_url: Option<String>,
    /// HMAC digest of the pinned inline JWKS text: the key set itself stays
    /// out of the token and is read again from the token URL's `{sim}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_error: Option<SimulatedError>,
}

/// Claims shared by codes, access and refresh tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    /// Grant id: shared by the code and every token descended from it, so
    /// revoking the grant (code reuse, RFC 6749 §4.1.2; refresh token
    /// revocation, RFC 7009 §2.1) reaches them all.
    pub gid: String,
    pub client_id: String,
    /// The granted scope, space-separated.
    pub scope: String,
    /// The FHIR base the grant is for: the `aud` of the authorize request and
    /// the `iss` of id_tokens.
    pub aud: String,
    /// The signed-in user as a relative reference (`Practitioner/123`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    pub ctx: LaunchContext,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeClaims {
    pub tt: TokenKind,
    pub jti: String,
    pub iat: UnixTime,
    pub exp: UnixTime,
    #[serde(flatten)]
    pub grant: Grant,
    pub redirect_uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub reg: Registration,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub tt: TokenKind,
    pub jti: String,
    pub iat: UnixTime,
    pub exp: UnixTime,
    #[serde(flatten)]
    pub grant: Grant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sim_error: Option<SimulatedError>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshClaims {
    pub tt: TokenKind,
    pub jti: String,
    pub iat: UnixTime,
    pub exp: UnixTime,
    #[serde(flatten)]
    pub grant: Grant,
    pub reg: Registration,
}

/// Why a presented token is not usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// Bad signature, wrong kind, not a JWT, or claims of the wrong shape.
    Invalid,
    Expired,
}

#[derive(Deserialize)]
struct KindOnly {
    tt: TokenKind,
    exp: UnixTime,
}

/// Verifies `token` as a sandbox token of `kind`, not expired at `now`.
pub fn verify<T: serde::de::DeserializeOwned>(
    hs: &Hs256,
    token: &str,
    kind: TokenKind,
    now: UnixTime,
) -> Result<T, TokenProblem> {
    let raw: Value = hs.verify(token).ok_or(TokenProblem::Invalid)?;
    let head = KindOnly::deserialize(&raw).map_err(|_| TokenProblem::Invalid)?;
    if head.tt != kind {
        return Err(TokenProblem::Invalid);
    }
    if head.exp <= now {
        return Err(TokenProblem::Expired);
    }
    T::deserialize(raw).map_err(|_| TokenProblem::Invalid)
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant() -> Grant {
        Grant {
            gid: "g".into(),
            client_id: "app".into(),
            scope: "launch".into(),
            aud: "http://x/v/r4/fhir".into(),
            user: None,
            ctx: LaunchContext::default(),
        }
    }

    #[test]
    fn kinds_are_not_interchangeable() {
        let hs = Hs256::new(b"0123456789abcdef");
        let access = AccessClaims {
            tt: TokenKind::Access,
            jti: new_id(),
            iat: 0,
            exp: 100,
            grant: grant(),
            sim_error: None,
        };
        let t = hs.sign(&access);
        assert_eq!(
            verify::<AccessClaims>(&hs, &t, TokenKind::Access, 10),
            Ok(access)
        );
        assert_eq!(
            verify::<CodeClaims>(&hs, &t, TokenKind::Code, 10),
            Err(TokenProblem::Invalid)
        );
        assert_eq!(
            verify::<AccessClaims>(&hs, &t, TokenKind::Access, 100),
            Err(TokenProblem::Expired)
        );
        assert_eq!(
            verify::<AccessClaims>(&hs, "garbage", TokenKind::Access, 10),
            Err(TokenProblem::Invalid)
        );
    }
}
