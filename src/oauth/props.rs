//! Property tests for the parsers of what clients send the authorization
//! server: request parameters (form pairs, JSON bodies), `Authorization:
//! Basic` credentials and bearer access tokens. None may panic on any
//! input; what an encoder writes must read back; a tampered token must be
//! refused.

use std::collections::{BTreeMap, HashSet};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use proptest::prelude::*;
use serde_json::Value;

use super::bearer::authenticate_bearer;
use super::client_auth::read_credentials;
use super::params::Params;
use super::revocations::Revocations;
use super::tokens::{new_id, AccessClaims, Grant, LaunchContext, TokenKind};
use crate::keys::Hs256;

fn hs() -> Hs256 {
    Hs256::new(b"0123456789abcdef0123")
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Arbitrary JSON, nested a few levels.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(any::<String>(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn access(client_id: &str, scope: &str, exp: i64) -> AccessClaims {
    AccessClaims {
        tt: TokenKind::Access,
        jti: new_id(),
        iat: 0,
        exp,
        grant: Grant {
            gid: new_id(),
            client_id: client_id.into(),
            scope: scope.into(),
            aud: "http://h/v/r4/fhir".into(),
            user: None,
            ctx: LaunchContext::default(),
        },
        sim_error: None,
    }
}

/// Positions whose base64url character fully determines decoded bits: not
/// the last of a segment, where spare bits may be ignored.
fn inner_positions(token: &str) -> Vec<usize> {
    let bytes = token.as_bytes();
    (0..bytes.len())
        .filter(|&i| bytes[i] != b'.' && bytes.get(i + 1).is_some_and(|&n| n != b'.'))
        .collect()
}

proptest! {
    #[test]
    fn json_params_never_panic(body in prop::collection::vec(any::<u8>(), 0..200), v in json()) {
        let _ = Params::from_json(&body);
        let parsed = Params::from_json(v.to_string().as_bytes());
        prop_assert_eq!(parsed.is_ok(), v.as_object().is_some_and(|o| {
            o.values().all(|x| !x.is_array() && !x.is_object())
        }));
    }

    #[test]
    fn json_params_read_flat_objects(map in prop::collection::btree_map("[a-z_]{1,8}", "\\PC{0,12}", 0..6)) {
        let p = Params::from_json(&serde_json::to_vec(&map).unwrap()).unwrap();
        for (k, v) in &map {
            prop_assert_eq!(p.get(k), Some(v.as_str()).filter(|v| !v.is_empty()));
        }
    }

    #[test]
    fn repeated_names_and_only_they_are_refused(
        pairs in prop::collection::vec(("[a-c]{1,2}", "[a-z]{0,3}"), 0..8),
    ) {
        let mut seen = HashSet::new();
        let repeated = pairs.iter().any(|(k, _)| !seen.insert(k.clone()));
        let p = Params::from_pairs(pairs.clone());
        prop_assert_eq!(p.is_err(), repeated);
        if let Ok(p) = p {
            let order: Vec<(&str, &str)> = p.pairs().collect();
            let sent: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            prop_assert_eq!(order, sent);
        }
    }

    #[test]
    fn basic_credentials_never_panic(header in any::<String>(), id in prop::option::of("[a-z]{1,4}")) {
        let body: BTreeMap<&str, String> = id.into_iter().map(|i| ("client_id", i)).collect();
        let p = Params::from_pairs(body.into_iter().map(|(k, v)| (k.into(), v)).collect()).unwrap();
        let _ = read_credentials(Some(&header), &p);
        let _ = read_credentials(Some(&format!("Basic {header}")), &p);
        let b64 = STANDARD.encode(header.as_bytes());
        let _ = read_credentials(Some(&format!("Basic {b64}")), &p);
    }

    /// RFC 6749 §2.3.1: `base64(urlencode(id) ":" urlencode(secret))`.
    #[test]
    fn basic_credentials_round_trip(id in "\\PC{1,20}", secret in "\\PC{0,20}") {
        let raw = format!("{}:{}", enc(&id), enc(&secret));
        let header = format!("Basic {}", STANDARD.encode(raw));
        let c = read_credentials(Some(&header), &Params::default()).unwrap();
        prop_assert_eq!(c.client_id.as_deref(), Some(id.as_str()));
        prop_assert_eq!(c.secret.as_deref(), Some(secret.as_str()));
        prop_assert!(c.basic);
    }

    /// Percent-encoded bytes that are not UTF-8 are refused, not replaced.
    #[test]
    fn basic_credentials_refuse_what_is_not_utf8(id in "[a-z]{1,6}", byte in 0x80u8..=0xff) {
        let header = format!("Basic {}", STANDARD.encode(format!("{id}%{byte:02X}:s")));
        let e = read_credentials(Some(&header), &Params::default()).unwrap_err();
        prop_assert_eq!(e.status(), 401);
    }

    #[test]
    fn bearer_headers_never_panic_and_random_ones_fail(header in any::<String>(), token in "[A-Za-z0-9_.-]{0,300}") {
        let (hs, rev) = (hs(), Revocations::new(100, 10_000));
        prop_assert!(authenticate_bearer(Some(&header), &hs, &rev, 10).is_err());
        let bearer = format!("Bearer {token}");
        prop_assert!(authenticate_bearer(Some(&bearer), &hs, &rev, 10).is_err());
    }

    #[test]
    fn access_tokens_round_trip(client in "\\PC{0,20}", scope in "\\PC{0,40}") {
        let (hs, rev) = (hs(), Revocations::new(100, 10_000));
        let c = access(&client, &scope, 100);
        let header = format!("Bearer {}", hs.sign(&c));
        prop_assert_eq!(authenticate_bearer(Some(&header), &hs, &rev, 10), Ok(c));
    }

    #[test]
    fn tampered_access_tokens_are_refused(
        pick in any::<prop::sample::Index>(),
        with in "[A-Za-z0-9_-]",
    ) {
        let (hs, rev) = (hs(), Revocations::new(100, 10_000));
        let token = hs.sign(&access("app", "patient/*.rs", 100));
        let positions = inner_positions(&token);
        let i = positions[pick.index(positions.len())];
        let mut bytes = token.into_bytes();
        prop_assume!(bytes[i] != with.as_bytes()[0]);
        bytes[i] = with.as_bytes()[0];
        let tampered = String::from_utf8(bytes).unwrap();
        let header = format!("Bearer {tampered}");
        prop_assert!(authenticate_bearer(Some(&header), &hs, &rev, 10).is_err());
    }
}
