//! Revoked tokens and grants: the in-memory state behind RFC 7009
//! revocation, RFC 6749 §4.1.2 ("if an authorization code is used more than
//! once, the authorization server ... SHOULD revoke all tokens previously
//! issued based on that authorization code") and refresh-token replay
//! detection under strict rotation (OAuth 2.0 Security BCP, RFC 9700 §4.14).
//!
//! Tokens are self-contained, so revocation is a deny list. It is bounded and
//! expiring: a revoked access token is remembered until its own `exp` (after
//! that it is dead anyway), a revoked grant id until the longest lifetime a
//! token of that grant can have.

use super::replay::{ExpiringSet, Spent};
use crate::clock::UnixTime;

/// The deny list is full of live entries: the revocation cannot be recorded.
/// Answered as `temporarily_unavailable` rather than silently forgetting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevocationsFull;

#[derive(Debug)]
pub struct Revocations {
    jtis: ExpiringSet,
    gids: ExpiringSet,
    /// How long a revoked grant id is kept: the longest lifetime of any token
    /// that may carry it (refresh tokens, usually).
    grant_ttl: i64,
}

impl Revocations {
    pub fn new(capacity: usize, grant_ttl: i64) -> Self {
        Revocations {
            jtis: ExpiringSet::new(capacity),
            gids: ExpiringSet::new(capacity),
            grant_ttl: grant_ttl.max(1),
        }
    }

    /// Revokes one access token (by `jti`) until it expires anyway.
    pub fn revoke_token(
        &self,
        jti: &str,
        exp: UnixTime,
        now: UnixTime,
    ) -> Result<(), RevocationsFull> {
        if exp <= now {
            return Ok(());
        }
        record(self.jtis.use_once(jti, exp, now))
    }

    /// Revokes a whole grant: the code, every access and refresh token that
    /// descends from it (they share the grant id `gid`).
    pub fn revoke_grant(&self, gid: &str, now: UnixTime) -> Result<(), RevocationsFull> {
        record(self.gids.use_once(gid, now + self.grant_ttl, now))
    }

    /// Whether a token with this `jti` in grant `gid` has been revoked.
    pub fn is_revoked(&self, jti: &str, gid: &str, now: UnixTime) -> bool {
        self.jtis.contains(jti, now) || self.gids.contains(gid, now)
    }
}

fn record(r: Result<(), Spent>) -> Result<(), RevocationsFull> {
    match r {
        Ok(()) | Err(Spent::AlreadyUsed) => Ok(()),
        Err(Spent::Full) => Err(RevocationsFull),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_grants() {
        let r = Revocations::new(10, 1000);
        assert!(!r.is_revoked("j1", "g1", 0));
        r.revoke_token("j1", 100, 0).unwrap();
        assert!(r.is_revoked("j1", "other", 50));
        assert!(!r.is_revoked("j1", "other", 100), "forgotten once expired");
        r.revoke_grant("g1", 0).unwrap();
        r.revoke_grant("g1", 10).unwrap();
        assert!(r.is_revoked("any", "g1", 999));
        assert!(!r.is_revoked("any", "g1", 1000));
        r.revoke_token("dead", 5, 10).unwrap();
        assert!(!r.is_revoked("dead", "x", 10));
    }

    #[test]
    fn bounded() {
        let r = Revocations::new(1, 1000);
        r.revoke_grant("a", 0).unwrap();
        assert_eq!(r.revoke_grant("b", 0), Err(RevocationsFull));
        assert!(r.is_revoked("x", "a", 1));
    }
}
