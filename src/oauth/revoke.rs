//! Token revocation (RFC 7009; SMART App Launch 2.2 recommends a
//! `revocation_endpoint`).
//!
//! Revoking an access token revokes that token (its `jti`). Revoking a
//! refresh token revokes the whole grant (its `gid`): RFC 7009 §2.1 says the
//! server SHOULD then also invalidate the access tokens of the same grant.
//! An unknown, invalid or expired token is not an error (§2.2: the client
//! cannot do anything about it), so a well-formed request is always 200.

use super::caller::Caller;
use super::error::{ErrorCode, OAuthError};
use super::revocations::{Revocations, RevocationsFull};
use super::tokens::{self, AccessClaims, RefreshClaims, TokenKind};
use crate::clock::UnixTime;
use crate::keys::Hs256;

/// What a revocation request did (for logs and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    AccessToken,
    Grant,
    /// Not a live sandbox access or refresh token: nothing to do.
    Nothing,
}

/// Revokes `token` for `caller`. A public client may revoke only tokens
/// issued to it (RFC 7009 §2.1 "verifies whether the token was issued to the
/// client making the revocation request").
pub fn revoke(
    token: Option<&str>,
    caller: &Caller,
    hs: &Hs256,
    revocations: &Revocations,
    now: UnixTime,
) -> Result<Revoked, OAuthError> {
    let token =
        token.ok_or_else(|| OAuthError::invalid_request("token is required (RFC 7009 §2.1)"))?;
    let owned_by = |client_id: &str| match caller {
        Caller::Public(id) if id != client_id => Err(OAuthError::invalid_client(format!(
            "the token was not issued to client `{id}`"
        ))),
        _ => Ok(()),
    };
    let full = |_: RevocationsFull| {
        OAuthError::new(
            ErrorCode::TemporarilyUnavailable,
            "too many revocations recorded recently; try again shortly",
        )
    };
    // The token_type_hint only speeds up a lookup (§2.1); both kinds are tried.
    if let Ok(c) = tokens::verify::<AccessClaims>(hs, token, TokenKind::Access, now) {
        owned_by(&c.grant.client_id)?;
        revocations.revoke_token(&c.jti, c.exp, now).map_err(full)?;
        return Ok(Revoked::AccessToken);
    }
    if let Ok(c) = tokens::verify::<RefreshClaims>(hs, token, TokenKind::Refresh, now) {
        owned_by(&c.grant.client_id)?;
        revocations.revoke_grant(&c.grant.gid, now).map_err(full)?;
        return Ok(Revoked::Grant);
    }
    Ok(Revoked::Nothing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::launch::ClientType;
    use crate::oauth::tokens::{new_id, Grant, LaunchContext, Registration};

    #[test]
    fn access_refresh_and_ownership() {
        let hs = Hs256::new(b"0123456789abcdef0123");
        let rev = Revocations::new(10, 1000);
        let grant = Grant {
            gid: new_id(),
            client_id: "app".into(),
            scope: "launch".into(),
            aud: "http://h/v/r4/fhir".into(),
            user: None,
            ctx: LaunchContext::default(),
        };
        let access = AccessClaims {
            tt: TokenKind::Access,
            jti: new_id(),
            iat: 0,
            exp: 100,
            grant: grant.clone(),
            sim_error: None,
        };
        let at = hs.sign(&access);
        let rt = hs.sign(&RefreshClaims {
            tt: TokenKind::Refresh,
            jti: new_id(),
            iat: 0,
            exp: 500,
            grant: grant.clone(),
            reg: Registration {
                client_type: ClientType::Public,
                secret_digest: None,
                auth_error: None,
                jwks_url: None,
                jwks_digest: None,
            },
        });
        let other = Caller::Public("other".into());
        assert_eq!(
            revoke(Some(&at), &other, &hs, &rev, 1)
                .unwrap_err()
                .status(),
            401
        );
        assert!(!rev.is_revoked(&access.jti, &grant.gid, 1));
        let me = Caller::Public("app".into());
        assert_eq!(
            revoke(Some(&at), &me, &hs, &rev, 1),
            Ok(Revoked::AccessToken)
        );
        assert!(rev.is_revoked(&access.jti, "x", 1));
        assert!(!rev.is_revoked("y", &grant.gid, 1));
        assert_eq!(
            revoke(Some(&rt), &Caller::Confidential("z".into()), &hs, &rev, 1),
            Ok(Revoked::Grant)
        );
        assert!(rev.is_revoked("y", &grant.gid, 1));
        assert_eq!(
            revoke(Some("junk"), &other, &hs, &rev, 1),
            Ok(Revoked::Nothing)
        );
        assert_eq!(revoke(None, &me, &hs, &rev, 1).unwrap_err().status(), 400);
    }
}
