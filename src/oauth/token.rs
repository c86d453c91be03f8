//! The token endpoint (RFC 6749 §3.2): the `authorization_code` grant
//! (§4.1.3) and the `refresh_token` grant (§6), with SMART App Launch 2.2's
//! launch context and OpenID Connect id_tokens in the response.

use serde::Serialize;

use super::asymmetric::{authenticate_registered, RemoteJwks};
use super::client_auth::{read_credentials, ClientCredentials};
use super::error::OAuthError;
use super::issue::issue;
use super::params::Params;
use super::pkce;
use super::replay::{ExpiringSet, Spent};
use super::revocations::Revocations;
use super::scopes::ScopeSet;
use super::site::Site;
use super::tokens::{
    self, CodeClaims, LaunchContext, RefreshClaims, Registration, TokenKind, TokenProblem,
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
    /// Revoked tokens and grants (RFC 7009, code reuse, refresh replay).
    pub revocations: &'a Revocations,
    /// `iss` + `jti` of accepted client assertions (RFC 7523 §3).
    pub used_jtis: &'a ExpiringSet,
    pub access_token_lifetime: i64,
    /// Backend services access token lifetime (SMART: at most 300 s).
    pub backend_token_lifetime: i64,
    pub refresh_token_lifetime: i64,
    pub strict_refresh_rotation: bool,
}

/// One token request as the HTTP layer read it.
pub struct TokenRequest<'a> {
    pub site: &'a Site,
    pub params: &'a Params,
    /// The `Authorization` header, if any.
    pub authorization: Option<&'a str>,
    /// The registered JWKS URL, fetched by the HTTP layer when needed
    /// (see [`super::asymmetric::jwks_url_to_fetch`]).
    pub remote_jwks: Option<&'a RemoteJwks>,
}

/// RFC 6749 §5.1 plus SMART launch context (flattened, as the seeds show).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TokenResponse {
    /// Absent for backend services, which have no launch context.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub context: Option<LaunchContext>,
    pub token_type: &'static str,
    pub scope: String,
    pub expires_in: i64,
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// Handles one token request.
pub fn token(
    req: &TokenRequest<'_>,
    deps: &TokenDeps<'_>,
    now: UnixTime,
) -> Result<TokenResponse, OAuthError> {
    if let Some(sim) = &req.site.sim {
        launch::decode_segment(sim).map_err(|e| {
            OAuthError::invalid_request(format!("invalid launch options in the URL: {e}"))
        })?;
    }
    let creds = read_credentials(req.authorization, req.params)?;
    match req.params.get("grant_type") {
        None => Err(OAuthError::invalid_request("grant_type is required")),
        Some("authorization_code") => authorization_code(req, &creds, deps, now),
        Some("refresh_token") => refresh(req, &creds, deps, now),
        Some("client_credentials") => {
            super::client_credentials::client_credentials(req, &creds, deps, now)
        }
        Some(other) => Err(OAuthError::new(
            super::ErrorCode::UnsupportedGrantType,
            format!("grant_type `{other}` is not supported here; use authorization_code, refresh_token or client_credentials"),
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
    req: &TokenRequest<'_>,
    creds: &ClientCredentials,
    deps: &TokenDeps<'_>,
    now: UnixTime,
) -> Result<TokenResponse, OAuthError> {
    let params = req.params;
    let code = params
        .get("code")
        .ok_or_else(|| OAuthError::invalid_request("code is required"))?;
    let claims: CodeClaims = tokens::verify(&deps.keys.hs, code, TokenKind::Code, now)
        .map_err(|p| token_problem("authorization code", p))?;
    authenticate_registered(req, creds, &claims.grant.client_id, &claims.reg, deps, now)?;
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
    // RFC 6749 §4.1.2: a reused code revokes what the first exchange produced.
    spend_once(
        deps.used_codes,
        &claims.jti,
        claims.exp,
        &claims.grant.gid,
        deps,
        now,
        "the authorization code was already used; the tokens issued for it are revoked",
    )?;
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
    req: &TokenRequest<'_>,
    creds: &ClientCredentials,
    deps: &TokenDeps<'_>,
    now: UnixTime,
) -> Result<TokenResponse, OAuthError> {
    let params = req.params;
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
    authenticate_registered(req, creds, &claims.grant.client_id, &claims.reg, deps, now)?;
    simulated_client_errors(&claims.reg, creds)?;
    if deps
        .revocations
        .is_revoked(&claims.jti, &claims.grant.gid, now)
    {
        return Err(OAuthError::invalid_grant(
            "the refresh token has been revoked",
        ));
    }
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
        // RFC 9700 §4.14.2: a replayed rotated refresh token may be stolen;
        // revoke the grant, the newest tokens included.
        spend_once(
            deps.used_refresh,
            &claims.jti,
            claims.exp,
            &claims.grant.gid,
            deps,
            now,
            "this refresh token was already rotated; the grant is revoked",
        )?;
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
        Some(SimulatedError::TokenExpiredRegistrationToken) => Err(OAuthError::invalid_client(
            "simulated error: the client registration has expired",
        )
        .with_basic_challenge(creds.basic)),
        Some(SimulatedError::TokenInvalidToken) => {
            Err(OAuthError::invalid_grant("simulated error: invalid token"))
        }
        Some(SimulatedError::TokenInvalidScope) => Err(OAuthError::invalid_scope(
            "simulated error: the requested scope is invalid",
        )),
        _ => Ok(()),
    }
}

/// Marks a single-use id as spent. A second use revokes the whole grant it
/// belongs to; a full set refuses (bounded memory) rather than forget.
fn spend_once(
    set: &ExpiringSet,
    jti: &str,
    exp: UnixTime,
    gid: &str,
    deps: &TokenDeps<'_>,
    now: UnixTime,
    replayed: &str,
) -> Result<(), OAuthError> {
    match set.use_once(jti, exp, now) {
        Ok(()) => Ok(()),
        Err(Spent::AlreadyUsed) => {
            let _ = deps.revocations.revoke_grant(gid, now);
            Err(OAuthError::invalid_grant(replayed))
        }
        Err(Spent::Full) => Err(OAuthError::new(
            super::ErrorCode::TemporarilyUnavailable,
            "too many single-use tokens redeemed recently; try again shortly",
        )),
    }
}
