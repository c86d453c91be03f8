//! Token introspection (RFC 7662; SMART App Launch 2.2 "Token
//! Introspection").
//!
//! Only access tokens are introspected: a refresh token, a code or anything
//! else is `{"active": false}`, with no other member (RFC 7662 §2.2: the
//! server SHOULD NOT say more about an inactive token, and Inferno warns on
//! extra members). An active answer carries what the token response
//! carried (scope, the launch context: `patient`, `encounter`,
//! `fhirContext`, `intent`, `tenant`, ...), and `iss`/`sub`/`fhirUser` equal
//! to the id_token's, never a secret, key set or PKCE value.

use serde_json::{json, Map, Value};

use super::bearer::check_access_token;
use super::revocations::Revocations;
use crate::clock::UnixTime;
use crate::keys::Hs256;

/// The RFC 7662 §2.2 response for `token`.
pub fn introspect(
    token: Option<&str>,
    hs: &Hs256,
    revocations: &Revocations,
    now: UnixTime,
) -> Value {
    let Some(claims) = token.and_then(|t| check_access_token(t, hs, revocations, now).ok()) else {
        return json!({ "active": false });
    };
    let grant = claims.grant;
    let mut out = Map::new();
    out.insert("active".into(), Value::Bool(true));
    out.insert("token_type".into(), json!("Bearer"));
    out.insert("scope".into(), json!(grant.scope));
    out.insert("client_id".into(), json!(grant.client_id));
    out.insert("exp".into(), json!(claims.exp));
    out.insert("iat".into(), json!(claims.iat));
    // SMART 2.2: `iss` and `sub` as in the id_token, `fhirUser` SHOULD.
    out.insert("iss".into(), json!(grant.aud));
    if let Some(user) = &grant.user {
        out.insert("sub".into(), json!(user));
        out.insert("fhirUser".into(), json!(format!("{}/{}", grant.aud, user)));
    }
    // SMART 2.2: every launch context parameter of the token response.
    if let Ok(Value::Object(ctx)) = serde_json::to_value(&grant.ctx) {
        out.extend(ctx);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::tokens::{
        new_id, AccessClaims, Grant, LaunchContext, RefreshClaims, Registration, TokenKind,
    };

    fn grant() -> Grant {
        Grant {
            gid: new_id(),
            client_id: "app".into(),
            scope: "openid patient/*.rs".into(),
            aud: "http://h/v/r4/fhir".into(),
            user: Some("Practitioner/dr".into()),
            ctx: LaunchContext {
                patient: Some("p1".into()),
                intent: Some("reconcile".into()),
                ..LaunchContext::default()
            },
        }
    }

    #[test]
    fn active_and_inactive() {
        let hs = Hs256::new(b"0123456789abcdef0123");
        let rev = Revocations::new(10, 1000);
        let access = AccessClaims {
            tt: TokenKind::Access,
            jti: new_id(),
            iat: 5,
            exp: 100,
            grant: grant(),
            sim_error: None,
        };
        let t = hs.sign(&access);
        let v = introspect(Some(&t), &hs, &rev, 10);
        assert_eq!(v["active"], true);
        assert_eq!(v["scope"], "openid patient/*.rs");
        assert_eq!(v["sub"], "Practitioner/dr");
        assert_eq!(v["fhirUser"], "http://h/v/r4/fhir/Practitioner/dr");
        assert_eq!(v["patient"], "p1");
        assert_eq!(v["intent"], "reconcile");
        assert_eq!(v["exp"], 100);
        assert!(v.get("gid").is_none() && v.get("jti").is_none());

        let inactive = json!({ "active": false });
        assert_eq!(introspect(Some(&t), &hs, &rev, 100), inactive);
        assert_eq!(introspect(Some("garbage"), &hs, &rev, 10), inactive);
        assert_eq!(introspect(None, &hs, &rev, 10), inactive);
        let refresh = hs.sign(&RefreshClaims {
            tt: TokenKind::Refresh,
            jti: new_id(),
            iat: 0,
            exp: 100,
            grant: grant(),
            reg: Registration {
                client_type: crate::launch::ClientType::Public,
                secret_digest: None,
                auth_error: None,
                jwks_url: None,
                jwks_digest: None,
            },
        });
        assert_eq!(introspect(Some(&refresh), &hs, &rev, 10), inactive);
        rev.revoke_token(&access.jti, access.exp, 10).unwrap();
        assert_eq!(introspect(Some(&t), &hs, &rev, 10), inactive);
    }
}
