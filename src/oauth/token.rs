//! The token endpoint (RFC 6749 §3.2): the `authorization_code` grant
//! (§4.1.3) and the `refresh_token` grant (§6), with SMART App Launch 2.2's
//! launch context and OpenID Connect id_tokens in the response.

use serde::Serialize;

use super::client_auth::{authenticate, read_credentials, ClientCredentials};
use super::error::OAuthError;
use super::params::Params;
use super::pkce;
use super::replay::{ExpiringSet, Spent};
use super::scopes::ScopeSet;
use super::site::Site;
use super::tokens::{
    self, new_id, AccessClaims, CodeClaims, Grant, LaunchContext, RefreshClaims, Registration,
    TokenKind, TokenProblem,
};
use crate::clock::UnixTime;
use crate::keys::Keys;
use crate::launch::{self, ClientType, SimulatedError};

/// Server-wide settings and state the token endpoint needs.
pub struct TokenDeps<'a> {
    pub keys: &'a Keys,
    /// Ids of redeemed authorization codes.
    pub used_codes: &'a ExpiringSet,
    /// Ids of rotated refresh tokens, under strict rotation.
    pub used_refresh: &'a ExpiringSet,
    pub access_token_lifetime: i64,
    pub refresh_token_lifetime: i64,
    pub strict_refresh_rotation: bool,
}

/// One token request as the HTTP layer read it.
pub struct TokenRequest<'a> {
    pub site: &'a Site,
    pub params: &'a Params,
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
}

/// RFC 6749 §5.1 plus SMART launch context (flattened, as the seeds show).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TokenResponse {
    #[serde(flatten)]
    pub context: LaunchContext,
    pub token_type: &'static str,
    pub scope: String,
    pub expires_in: i64,
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

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

/// Handles one token request.
pub fn token(
    req: &TokenRequest<'_>,
    deps: &TokenDeps<'_>,
    now: UnixTime,
) -> Result<TokenResponse, OAuthError> {
    if let Some(sim) = &req.site.sim {
        launch::decode(sim).map_err(|e| {
            OAuthError::invalid_request(format!("invalid launch options in the URL: {e}"))
        })?;
    }
    let creds = read_credentials(req.authorization, req.params)?;
    match req.params.get("grant_type") {
        None => Err(OAuthError::invalid_request("grant_type is required")),
        Some("authorization_code") => authorization_code(req.params, &creds, deps, now),
        Some("refresh_token") => refresh(req.params, &creds, deps, now),
        Some(other) => Err(OAuthError::new(
            super::ErrorCode::UnsupportedGrantType,
            format!("grant_type `{other}` is not supported here; use authorization_code or refresh_token"),
        )),
    }
}

fn token_problem(kind: &str, p: TokenProblem) -> OAuthError {
    match p {
        TokenProblem::Invalid => OAuthError::invalid_grant(format!("the {kind} is invalid")),
        TokenProblem::Expired => OAuthError::invalid_grant(format!("the {kind} has expired")),
    }
}

/// RFC 6749 §4.1.3 and RFC 7636 §4.6.
fn authorization_code(
    params: &Params,
    creds: &ClientCredentials,
    deps: &TokenDeps<'_>,
    now: UnixTime,
) -> Result<TokenResponse, OAuthError> {
    let code = params
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code is required"))?;
    let claims: CodeClaims = tokens::verify(&deps.keys.hs, code, TokenKind::Code, now)
        .map_err(|p| token_problem("authorization code", p))?;
    authenticate(creds, &claims.grant.client_id, &claims.reg, &deps.keys.hs)?;
    simulated_client_errors(&claims.reg, creds)?;
    match params.get("redirect_uri") {
        Some(r) if r == claims.redirect_uri => {}
        Some(_) => {
            return Err(OAuthError::invalid_grant(
                "redirect_uri does not match the authorization request",
            ))
        }
        None => return Err(OAuthError::invalid_request("redirect_uri is required")),
    }
    if let Some(challenge) = &claims.code_challenge {
        match params.get("code_verifier") {
            None => {
                return Err(OAuthError::invalid_grant(
                    "code_verifier is required (PKCE)",
                ))
            }
            Some(v) if !pkce::verify_s256(v, challenge) => {
                return Err(OAuthError::invalid_grant(
                    "code_verifier does not match the code_challenge",
                ))
            }
            Some(_) => {}
        }
    }
    match deps.used_codes.use_once(&claims.jti, claims.exp, now) {
        Ok(()) => {}
        Err(Spent::AlreadyUsed) => {
            return Err(OAuthError::invalid_grant(
                "the authorization code was already used",
            ))
        }
        Err(Spent::Full) => {
            return Err(OAuthError::new(
                super::ErrorCode::TemporarilyUnavailable,
                "too many codes redeemed recently; try again shortly",
            ))
        }
    }
    issue(
        &claims.grant,
        &claims.grant,
        &claims.reg,
        claims.nonce.as_deref(),
        deps,
        now,
    )
}

/// RFC 6749 §6: same or narrower scope, bound to the client it was issued to.
fn refresh(
    params: &Params,
    creds: &ClientCredentials,
    deps: &TokenDeps<'_>,
    now: UnixTime,
) -> Result<TokenResponse, OAuthError> {
    let token = params
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
    let claims: RefreshClaims = tokens::verify(&deps.keys.hs, token, TokenKind::Refresh, now)
        .map_err(|p| token_problem("refresh token", p))?;
    // RFC 6749 §6 (and §3.2.1, which demands client_id only with the
    // authorization_code grant): a public client may refresh without naming
    // itself, and the official SMART JavaScript client does. The refresh
    // token names its client, so that client is assumed.
    let named;
    let creds = if creds.client_id.is_none()
        && claims.reg.secret_digest.is_none()
        && claims.reg.client_type == ClientType::Public
    {
        named = ClientCredentials {
            client_id: Some(claims.grant.client_id.clone()),
            ..creds.clone()
        };
        &named
    } else {
        creds
    };
    authenticate(creds, &claims.grant.client_id, &claims.reg, &deps.keys.hs)?;
    simulated_client_errors(&claims.reg, creds)?;
    if claims.reg.auth_error == Some(SimulatedError::TokenExpiredRefreshToken) {
        return Err(OAuthError::invalid_grant(
            "simulated error: the refresh token has expired",
        ));
    }
    let mut grant = claims.grant.clone();
    if let Some(scope) = params.get("scope") {
        let asked = ScopeSet::parse(scope);
        let original = ScopeSet::parse(&claims.grant.scope);
        if !asked.is_subset_of(&original) {
            return Err(OAuthError::invalid_scope(
                "a refresh may narrow the scope but never widen it (RFC 6749 §6)",
            ));
        }
        if asked.is_empty() {
            return Err(OAuthError::invalid_scope("scope is empty"));
        }
        grant.scope = asked.to_string();
    }
    if deps.strict_refresh_rotation {
        match deps.used_refresh.use_once(&claims.jti, claims.exp, now) {
            Ok(()) => {}
            Err(Spent::AlreadyUsed) => {
                return Err(OAuthError::invalid_grant(
                    "this refresh token was already rotated; use the newest one",
                ))
            }
            Err(Spent::Full) => {
                return Err(OAuthError::new(
                    super::ErrorCode::TemporarilyUnavailable,
                    "too many refreshes recently; try again shortly",
                ))
            }
        }
    }
    issue(&grant, &claims.grant, &claims.reg, None, deps, now)
}

/// The simulated errors that belong to the token step of a code or refresh.
fn simulated_client_errors(
    reg: &Registration,
    creds: &ClientCredentials,
) -> Result<(), OAuthError> {
    match reg.auth_error {
        Some(SimulatedError::AuthInvalidClientSecret) => Err(OAuthError::invalid_client(
            "simulated error: invalid client secret",
        )
        .with_basic_challenge(creds.basic)),
        Some(SimulatedError::TokenInvalidToken) => {
            Err(OAuthError::invalid_grant("simulated error: invalid token"))
        }
        _ => Ok(()),
    }
}

/// Mints the access token, the refresh token (only with `offline_access` or
/// `online_access`) and the id_token (with `openid` and a signed-in user).
/// `refresh_grant` is what the refresh token carries: on a narrowing refresh
/// it keeps the presented token's scope (RFC 6749 §6: "identical").
fn issue(
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
        context: grant.ctx.clone(),
        token_type: "Bearer",
        scope: grant.scope.clone(),
        expires_in: deps.access_token_lifetime,
        access_token: hs.sign(&access),
        refresh_token,
        id_token,
    })
}
