//! The `client_credentials` grant (RFC 6749 §4.4) for SMART Backend
//! Services (SMART App Launch 2.2, "Backend Services"): a client
//! authenticates with a signed assertion (RFC 7523) and gets a short-lived
//! access token for `system/` scopes; no user, no refresh token.
//!
//! The client's registration (client_id, keys or secret, allowed scopes,
//! simulated error) is the launch in the token URL's `{sim}` segment, since
//! no earlier step carried it here. A client with a pinned secret may use
//! the symmetric form (HTTP Basic, as seed 003 does).

use subtle::ConstantTimeEq;

use super::asymmetric::{check_assertion_params, load_keys, uses_assertion};
use super::client_assertion::{verify_assertion, AssertionCheck};
use super::client_auth::ClientCredentials;
use super::error::{ErrorCode, OAuthError};
use super::scopes::ScopeSet;
use super::system_scopes::grant_system_scopes;
use super::token::{TokenDeps, TokenRequest, TokenResponse};
use super::tokens::{new_id, AccessClaims, Grant, LaunchContext, TokenKind};
use crate::clock::UnixTime;
use crate::launch::{self, ClientType, LaunchOptions, LaunchType, SimulatedError};

/// Handles `grant_type=client_credentials`.
pub fn client_credentials(
    req: &TokenRequest<'_>,
    creds: &ClientCredentials,
    deps: &TokenDeps<'_>,
    now: UnixTime,
) -> Result<TokenResponse, OAuthError> {
    let Some(sim) = req.site.sim.as_deref() else {
        return Err(OAuthError::invalid_request(
            "backend services need a launch: use /v/{release}/sim/{launch}/auth/token",
        ));
    };
    let opts = launch::decode_segment(sim).map_err(|e| {
        OAuthError::invalid_request(format!("invalid launch options in the URL: {e}"))
    })?;
    if opts.launch_type != LaunchType::BackendService
        && opts.client_type != ClientType::BackendService
    {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            format!(
                "this launch is a {} app launch; client_credentials needs a backend-service launch",
                opts.launch_type.as_str()
            ),
        ));
    }
    let client_id = authenticate_backend(req, creds, &opts, deps, now)?;
    if opts.auth_error == Some(SimulatedError::TokenInvalidScope) {
        return Err(OAuthError::invalid_scope(
            "simulated error: the requested scope is invalid",
        ));
    }
    let allowed = ScopeSet::parse(&opts.scope);
    let requested = match req.params.get("scope") {
        Some(s) => ScopeSet::parse(s),
        // RFC 6749 §3.3: without `scope`, use the pre-registered default.
        None if !allowed.is_empty() => allowed.clone(),
        None => {
            return Err(OAuthError::invalid_scope(
                "scope is required, e.g. system/*.rs (SMART Backend Services)",
            ))
        }
    };
    let granted = grant_system_scopes(&requested, &allowed);
    if granted.is_empty() {
        return Err(OAuthError::invalid_scope(
            "none of the requested scopes can be granted: backend services get system/ scopes (system/Patient.rs, system/*.read) within those the launch allows",
        ));
    }
    let lifetime = deps.backend_token_lifetime;
    let access = AccessClaims {
        tt: TokenKind::Access,
        jti: new_id(),
        iat: now,
        exp: now + lifetime,
        grant: Grant {
            gid: new_id(),
            client_id,
            scope: granted.to_string(),
            aud: req.site.fhir_base(),
            user: None,
            ctx: LaunchContext::default(),
        },
        sim_error: opts.auth_error.filter(|e| {
            matches!(
                e,
                SimulatedError::RequestInvalidToken | SimulatedError::RequestExpiredToken
            )
        }),
    };
    Ok(TokenResponse {
        context: None,
        token_type: "Bearer",
        scope: granted.to_string(),
        expires_in: lifetime,
        access_token: deps.keys.hs.sign(&access),
        refresh_token: None,
        id_token: None,
    })
}

/// Authenticates the backend client as its launch registers it and returns
/// its client_id: `private_key_jwt` with the pinned keys, or the pinned
/// secret. SMART 2.2 requires asymmetric authentication for backend
/// services; the symmetric form is a sandbox convenience for older clients.
fn authenticate_backend(
    req: &TokenRequest<'_>,
    creds: &ClientCredentials,
    opts: &LaunchOptions,
    deps: &TokenDeps<'_>,
    now: UnixTime,
) -> Result<String, OAuthError> {
    let pinned = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let pinned_id = pinned(&opts.client_id);
    let jwks_url = pinned(&opts.jwks_url);
    let jwks = pinned(&opts.jwks);
    if opts.auth_error == Some(SimulatedError::TokenExpiredRegistrationToken) {
        return Err(OAuthError::invalid_client(
            "simulated error: the client registration has expired",
        )
        .with_basic_challenge(creds.basic));
    }
    if uses_assertion(req.params) {
        let assertion = check_assertion_params(req.params, creds)?;
        let expected = pinned_id.as_deref().or(creds.client_id.as_deref());
        if let (Some(pin), Some(body)) = (pinned_id.as_deref(), creds.client_id.as_deref()) {
            if pin != body {
                return Err(OAuthError::invalid_client(format!(
                    "client_id `{body}` is not the client registered by this launch"
                )));
            }
        }
        let keys = load_keys(jwks_url.as_deref(), jwks.as_deref(), req.remote_jwks)?;
        return verify_assertion(
            &AssertionCheck {
                assertion,
                client_id: expected,
                token_url: &req.site.token_url(),
                jwks: &keys,
                jwks_url: jwks_url.as_deref(),
                used_jtis: deps.used_jtis,
                simulate_replay: opts.auth_error == Some(SimulatedError::TokenInvalidJti),
            },
            now,
        );
    }
    if opts.client_secret.is_empty() {
        let how = if jwks.is_some() || jwks_url.is_some() {
            "authenticate with private_key_jwt (client_assertion_type and client_assertion)"
        } else {
            "the launch pins no jwks, jwks_url or client_secret to authenticate it with"
        };
        return Err(OAuthError::invalid_client(format!(
            "backend services must authenticate: {how}"
        ))
        .with_basic_challenge(creds.basic));
    }
    let (Some(id), Some(secret)) = (creds.client_id.as_deref(), creds.secret.as_deref()) else {
        return Err(OAuthError::invalid_client(
            "this client authenticates with its client_secret (HTTP Basic) or private_key_jwt",
        )
        .with_basic_challenge(creds.basic));
    };
    if pinned_id.as_deref().is_some_and(|p| p != id) {
        return Err(OAuthError::invalid_client(format!(
            "client_id `{id}` is not the client registered by this launch"
        ))
        .with_basic_challenge(creds.basic));
    }
    let secret_ok = bool::from(secret.as_bytes().ct_eq(opts.client_secret.as_bytes()));
    if !secret_ok || opts.auth_error == Some(SimulatedError::AuthInvalidClientSecret) {
        let what = if secret_ok { "simulated error: " } else { "" };
        return Err(
            OAuthError::invalid_client(format!("{what}invalid client secret"))
                .with_basic_challenge(creds.basic),
        );
    }
    Ok(id.to_string())
}
