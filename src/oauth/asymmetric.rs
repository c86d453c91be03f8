//! Where an asymmetric client's keys come from, and `private_key_jwt`
//! authentication for the grants that carry a [`Registration`]
//! (`authorization_code`, `refresh_token`).
//!
//! SMART App Launch 2.2, "Client Authentication: Asymmetric": a client
//! registers either a JWKS URL (preferred) or a JWKS. Tokens carry only the
//! URL and a digest of an inline set; the set itself is read again from the
//! token URL's `{sim}` segment. Fetching a URL is I/O, so the HTTP layer does
//! it first (see [`jwks_url_to_fetch`]) and hands the result in.

use std::sync::Arc;

use serde_json::Value;
use subtle::ConstantTimeEq;

use super::client_assertion::{verify_assertion, AssertionCheck, ASSERTION_TYPE};
use super::client_auth::{authenticate, ClientCredentials};
use super::error::OAuthError;
use super::jwks::parse_jwks;
use super::params::Params;
use super::site::Site;
use super::token::{TokenDeps, TokenRequest};
use super::tokens::{self, CodeClaims, RefreshClaims, Registration, TokenKind};
use crate::clock::UnixTime;
use crate::keys::Hs256;
use crate::launch::{self, SimulatedError};

/// A registered JWKS URL as fetched (or not) by the HTTP layer.
#[derive(Debug, Clone)]
pub struct RemoteJwks {
    pub url: String,
    /// The parsed key set, or why it could not be had.
    pub result: Result<Arc<Value>, String>,
}

/// The client chose `private_key_jwt` (RFC 7523 §2.2): it sent either of
/// the two assertion parameters.
pub fn uses_assertion(params: &Params) -> bool {
    params.get("client_assertion").is_some() || params.get("client_assertion_type").is_some()
}

/// The registered JWKS URL the token request needs, if any: read from the
/// launch in the URL (`client_credentials`) or from the presented code or
/// refresh token. `None` when no assertion was sent or nothing is pinned.
pub fn jwks_url_to_fetch(
    site: &Site,
    params: &Params,
    hs: &Hs256,
    now: UnixTime,
) -> Option<String> {
    if !uses_assertion(params) {
        return None;
    }
    let url = match params.get("grant_type")? {
        "client_credentials" => launch::decode_segment(site.sim.as_deref()?).ok()?.jwks_url,
        "authorization_code" => {
            tokens::verify::<CodeClaims>(hs, params.get("code")?, TokenKind::Code, now)
                .ok()?
                .reg
                .jwks_url?
        }
        "refresh_token" => {
            tokens::verify::<RefreshClaims>(
                hs,
                params.get("refresh_token")?,
                TokenKind::Refresh,
                now,
            )
            .ok()?
            .reg
            .jwks_url?
        }
        _ => return None,
    };
    let url = url.trim();
    (!url.is_empty()).then(|| url.to_string())
}

/// The client's key set: the fetched JWKS URL when one is registered
/// (SMART 2.2 prefers URLs), else the inline JWKS.
pub fn load_keys(
    jwks_url: Option<&str>,
    inline: Option<&str>,
    remote: Option<&RemoteJwks>,
) -> Result<Arc<Value>, OAuthError> {
    if let Some(url) = jwks_url {
        return match remote.filter(|r| r.url == url).map(|r| &r.result) {
            Some(Ok(keys)) => Ok(keys.clone()),
            Some(Err(why)) => Err(OAuthError::invalid_client(format!(
                "could not get the client's JWKS from {url}: {why}"
            ))),
            None => Err(OAuthError::invalid_client(format!(
                "the client's JWKS at {url} was not fetched"
            ))),
        };
    }
    match inline {
        Some(text) => parse_jwks(text)
            .map(Arc::new)
            .map_err(|e| OAuthError::invalid_client(format!("the launch's inline JWKS: {e}"))),
        None => Err(OAuthError::invalid_client(
            "this launch registers no JWKS or JWKS URL, so client assertions cannot be verified",
        )),
    }
}

/// The assertion parameters are complete and of the one defined type.
pub fn check_assertion_params<'p>(
    params: &'p Params,
    creds: &ClientCredentials,
) -> Result<&'p str, OAuthError> {
    match params.get("client_assertion_type") {
        Some(ASSERTION_TYPE) => {}
        Some(other) => {
            return Err(OAuthError::invalid_client(format!(
                "client_assertion_type `{other}` is not supported; use {ASSERTION_TYPE}"
            )))
        }
        None => {
            return Err(OAuthError::invalid_client(format!(
                "client_assertion_type is required with client_assertion; use {ASSERTION_TYPE}"
            )))
        }
    }
    if creds.basic || creds.secret.is_some() {
        return Err(OAuthError::invalid_request(
            "a client_assertion and a client secret were both sent; use one authentication method (RFC 6749 §2.3)",
        ));
    }
    params
        .get("client_assertion")
        .ok_or_else(|| OAuthError::invalid_client("client_assertion is required"))
}

/// Authenticates the client a code or refresh token was issued to: with
/// its assertion when it sent one or must send one, else as
/// [`authenticate`] does (secret or public client).
pub fn authenticate_registered(
    req: &TokenRequest<'_>,
    creds: &ClientCredentials,
    client_id: &str,
    reg: &Registration,
    deps: &TokenDeps<'_>,
    now: UnixTime,
) -> Result<(), OAuthError> {
    if !uses_assertion(req.params) {
        if reg.is_asymmetric() && reg.secret_digest.is_none() {
            return Err(OAuthError::invalid_client(
                "this client is confidential-asymmetric: authenticate with private_key_jwt (client_assertion_type and client_assertion)",
            ));
        }
        return authenticate(creds, client_id, reg, &deps.keys.hs);
    }
    let assertion = check_assertion_params(req.params, creds)?;
    if creds.client_id.as_deref().is_some_and(|id| id != client_id) {
        return Err(OAuthError::invalid_client(
            "client_id does not name the client this grant was issued to",
        ));
    }
    let inline = match &reg.jwks_digest {
        Some(digest) if reg.jwks_url.is_none() => Some(inline_jwks(req.site, digest, deps)?),
        _ => None,
    };
    let keys = load_keys(reg.jwks_url.as_deref(), inline.as_deref(), req.remote_jwks)?;
    verify_assertion(
        &AssertionCheck {
            assertion,
            client_id: Some(client_id),
            token_url: &req.site.token_url(),
            jwks: &keys,
            jwks_url: reg.jwks_url.as_deref(),
            used_jtis: deps.used_jtis,
            simulate_replay: reg.auth_error == Some(SimulatedError::TokenInvalidJti),
        },
        now,
    )
    .map(drop)
}

/// The inline JWKS the code was issued under, read from the token URL's
/// `{sim}` and checked against the digest the token carries.
fn inline_jwks(site: &Site, digest: &str, deps: &TokenDeps<'_>) -> Result<String, OAuthError> {
    let Some(sim) = site.sim.as_deref() else {
        return Err(OAuthError::invalid_client(
            "this client registered an inline JWKS, which tokens do not carry: post to the token endpoint under the launch (/v/{release}/sim/{launch}/auth/token) or register a jwks_url",
        ));
    };
    let opts = launch::decode_segment(sim).map_err(|e| {
        OAuthError::invalid_request(format!("invalid launch options in the URL: {e}"))
    })?;
    let text = opts.jwks.trim();
    let same = deps.keys.hs.digest(text);
    if text.is_empty() || !bool::from(same.as_bytes().ct_eq(digest.as_bytes())) {
        return Err(OAuthError::invalid_client(
            "the launch in the token URL does not pin the JWKS this grant was issued under",
        ));
    }
    Ok(text.to_string())
}
