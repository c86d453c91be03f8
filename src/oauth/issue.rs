//! Minting the token response of a grant: the access token, the refresh
//! token and the OpenID Connect id_token (RS256, OpenID Connect Core §2).

use serde::Serialize;

use super::error::OAuthError;
use super::scopes::ScopeSet;
use super::token::{TokenDeps, TokenResponse};
use super::tokens::{new_id, AccessClaims, Grant, RefreshClaims, Registration, TokenKind};
use crate::clock::UnixTime;
use crate::launch::SimulatedError;

/// OpenID Connect Core §2 claims, plus SMART's `fhirUser` (and `profile`,
/// its SMART 1.0 name).
#[derive(Serialize)]
struct IdTokenClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: UnixTime,
    iat: UnixTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    #[serde(rename = "fhirUser")]
    fhir_user: String,
    profile: String,
}

/// Mints the access token, the refresh token (only with `offline_access` or
/// `online_access`) and the id_token (with `openid` and a signed-in user).
/// `refresh_grant` is what the refresh token carries: on a narrowing refresh
/// it keeps the presented token's scope (RFC 6749 §6: "identical").
pub(crate) fn issue(
    grant: &Grant,
    refresh_grant: &Grant,
    reg: &Registration,
    nonce: Option<&str>,
    deps: &TokenDeps<'_>,
    now: UnixTime,
) -> Result<TokenResponse, OAuthError> {
    let hs = &deps.keys.hs;
    let scope = ScopeSet::parse(&grant.scope);
    let access = AccessClaims {
        tt: TokenKind::Access,
        jti: new_id(),
        iat: now,
        exp: now + deps.access_token_lifetime,
        grant: grant.clone(),
        sim_error: reg.auth_error.filter(|e| {
            matches!(
                e,
                SimulatedError::RequestInvalidToken | SimulatedError::RequestExpiredToken
            )
        }),
    };
    let refresh_token = ScopeSet::parse(&refresh_grant.scope)
        .wants_refresh()
        .then(|| {
            hs.sign(&RefreshClaims {
                tt: TokenKind::Refresh,
                jti: new_id(),
                iat: now,
                exp: now + deps.refresh_token_lifetime,
                grant: refresh_grant.clone(),
                reg: reg.clone(),
            })
        });
    let id_token = match (&grant.user, scope.has("openid")) {
        (Some(user), true) => {
            let fhir_user = format!("{}/{}", grant.aud, user);
            let claims = IdTokenClaims {
                iss: &grant.aud,
                sub: user,
                aud: &grant.client_id,
                exp: now + deps.access_token_lifetime,
                iat: now,
                nonce,
                profile: fhir_user.clone(),
                fhir_user,
            };
            Some(deps.keys.rsa.sign(&claims).map_err(|_| {
                OAuthError::new(super::ErrorCode::ServerError, "could not sign the id_token")
            })?)
        }
        _ => None,
    };
    Ok(TokenResponse {
        context: Some(grant.ctx.clone()),
        token_type: "Bearer",
        scope: grant.scope.clone(),
        expires_in: deps.access_token_lifetime,
        access_token: hs.sign(&access),
        refresh_token,
        id_token,
    })
}
