//! Who may call the introspection and revocation endpoints.
//!
//! RFC 7662 §2.1 requires some authorization for introspection; SMART App
//! Launch 2.2 ("Token Introspection") says a server that protects it SHALL
//! accept an active SMART access token as a bearer credential. RFC 7009 §2.1
//! has clients authenticate as at the token endpoint, and public clients
//! identify themselves with `client_id`. As everywhere in the sandbox, a
//! secret is checked only when the launch in the URL (`{sim}`) pins one;
//! otherwise any client_id and secret pair is welcome.

use subtle::ConstantTimeEq;

use super::bearer::{authenticate_bearer, BearerError, REALM};
use super::client_auth::read_credentials;
use super::params::Params;
use super::revocations::Revocations;
use super::site::Site;
use super::tokens::AccessClaims;
use crate::clock::UnixTime;
use crate::keys::Hs256;

/// An accepted caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Caller {
    /// Presented an active access token.
    Bearer(Box<AccessClaims>),
    /// Authenticated with client_id and secret.
    Confidential(String),
    /// Sent only `client_id` (RFC 7009 §2.1: may revoke its own tokens).
    Public(String),
}

/// A refused caller: 401 with this `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unauthorized {
    /// `invalid_token` for a bad bearer token, `invalid_client` otherwise.
    pub error: &'static str,
    pub description: String,
    pub challenge: String,
}

fn client_challenge() -> String {
    format!("Basic realm=\"{REALM}\", Bearer realm=\"{REALM}\"")
}

fn refuse(description: impl Into<String>) -> Unauthorized {
    Unauthorized {
        error: "invalid_client",
        description: description.into(),
        challenge: client_challenge(),
    }
}

/// Authenticates the caller of introspect or revoke.
pub fn authenticate_caller(
    site: &Site,
    authorization: Option<&str>,
    params: &Params,
    hs: &Hs256,
    revocations: &Revocations,
    now: UnixTime,
) -> Result<Caller, Unauthorized> {
    let is_bearer = authorization
        .map(str::trim_start)
        .and_then(|h| h.get(..7))
        .is_some_and(|p| p.eq_ignore_ascii_case("bearer "));
    if is_bearer {
        return authenticate_bearer(authorization, hs, revocations, now)
            .map(|c| Caller::Bearer(Box::new(c)))
            .map_err(|e: BearerError| Unauthorized {
                error: "invalid_token",
                description: e.message().to_string(),
                challenge: e.www_authenticate(),
            });
    }
    let creds = read_credentials(authorization, params).map_err(|e| refuse(e.description))?;
    let Some(client_id) = creds.client_id else {
        return Err(refuse(
            "authenticate with client credentials (HTTP Basic or client_secret_post) \
             or an active access token (Authorization: Bearer)",
        ));
    };
    let pinned = site
        .sim
        .as_deref()
        .and_then(|sim| crate::launch::decode_segment(sim).ok());
    if let Some(opts) = &pinned {
        if !opts.client_id.is_empty() && opts.client_id != client_id {
            return Err(refuse(format!(
                "client_id `{client_id}` is not the client registered by this launch"
            )));
        }
    }
    let Some(secret) = creds.secret else {
        return Ok(Caller::Public(client_id));
    };
    if let Some(expected) = pinned.map(|o| o.client_secret).filter(|s| !s.is_empty()) {
        if !bool::from(secret.as_bytes().ct_eq(expected.as_bytes())) {
            return Err(refuse("invalid client secret"));
        }
    }
    Ok(Caller::Confidential(client_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::launch::{encode, LaunchOptions};
    use crate::oauth::site::Release;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::from_pairs(
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn callers() {
        let hs = Hs256::new(b"0123456789abcdef0123");
        let rev = Revocations::new(10, 100);
        let open = Site::new("http://h", Release::R4, None);
        let auth = |site: &Site, h: Option<&str>, p: &[(&str, &str)]| {
            authenticate_caller(site, h, &params(p), &hs, &rev, 0)
        };
        assert_eq!(
            auth(&open, Some("Basic YTpi"), &[]),
            Ok(Caller::Confidential("a".into()))
        );
        assert_eq!(
            auth(&open, None, &[("client_id", "a")]),
            Ok(Caller::Public("a".into()))
        );
        assert_eq!(auth(&open, None, &[]).unwrap_err().error, "invalid_client");
        assert!(auth(&open, Some("Beareré x"), &[]).is_err());
        let e = auth(&open, Some("Bearer x"), &[]).unwrap_err();
        assert_eq!(e.error, "invalid_token");
        assert!(e.challenge.starts_with("Bearer"));

        let sim = encode(&LaunchOptions {
            client_id: "a".into(),
            client_secret: "b".into(),
            ..LaunchOptions::default()
        });
        let pinned = Site::new("http://h", Release::R4, Some(&sim));
        assert!(auth(&pinned, Some("Basic YTpi"), &[]).is_ok());
        assert!(auth(&pinned, Some("Basic YTpj"), &[]).is_err());
        assert!(auth(&pinned, None, &[("client_id", "z"), ("client_secret", "b")]).is_err());
    }
}
