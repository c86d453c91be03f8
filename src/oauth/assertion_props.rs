//! Property tests for `private_key_jwt` client assertions (RFC 7523): any
//! string, any header (`alg: none`, HMAC, unknown algorithms, `crit`,
//! `jku`) and any claims are refused without a panic; a correctly signed
//! assertion is accepted, and changing any character of it is refused.

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use proptest::prelude::*;
use serde_json::{json, Value};

use super::client_assertion::{verify_assertion, AssertionCheck};
use super::replay::ExpiringSet;
use crate::keys::RsaSigner;

const NOW: i64 = 1_700_000_000;
const URL: &str = "http://h/v/r4/sim/x/auth/token";

/// The suite's fixed test key (generating one is slow in a debug build).
fn key() -> &'static RsaSigner {
    static KEY: OnceLock<RsaSigner> = OnceLock::new();
    KEY.get_or_init(|| {
        let pem = include_str!("../../tests/data/test-signing-key.pem");
        RsaSigner::from_pem(pem).expect("test key loads")
    })
}

fn jwks() -> Value {
    json!({"keys": [key().public_jwk()]})
}

fn verify(assertion: &str) -> Result<String, super::OAuthError> {
    let jwks = jwks();
    let used = ExpiringSet::new(1000);
    let c = AssertionCheck {
        assertion,
        client_id: Some("app"),
        token_url: URL,
        jwks: &jwks,
        jwks_url: None,
        used_jtis: &used,
        simulate_replay: false,
    };
    verify_assertion(&c, NOW)
}

fn claims(jti: &str) -> Value {
    json!({"iss": "app", "sub": "app", "aud": URL, "exp": NOW + 60, "jti": jti})
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

fn header() -> impl Strategy<Value = Value> {
    let alg = prop_oneof![
        Just(json!("none")),
        Just(json!("None")),
        Just(json!("HS256")),
        Just(json!("RS256")),
        Just(json!("ES384")),
        Just(json!("")),
        Just(Value::Null),
        any::<String>().prop_map(Value::from),
    ];
    let kid = prop_oneof![
        Just(json!(key().kid())),
        any::<String>().prop_map(Value::from),
        Just(json!(7)),
    ];
    let extra = prop_oneof![
        Just(json!({})),
        Just(json!({"typ": "JOSE"})),
        Just(json!({"crit": ["exp"]})),
        Just(json!({"jku": "https://evil.example/jwks"})),
        Just(json!({"typ": 1})),
    ];
    (alg, kid, extra).prop_map(|(alg, kid, mut extra)| {
        extra["alg"] = alg;
        extra["kid"] = kid;
        extra
    })
}

proptest! {
    #[test]
    fn arbitrary_strings_are_refused(s in any::<String>(), dots in "[A-Za-z0-9_-]{0,40}(\\.[A-Za-z0-9_-]{0,40}){0,4}") {
        prop_assert!(verify(&s).is_err());
        prop_assert!(verify(&dots).is_err());
    }

    /// Any header with a signature that is not the key's is refused.
    #[test]
    fn forged_headers_are_refused(h in header(), sig in prop::collection::vec(any::<u8>(), 0..300)) {
        let forged = format!("{}.{}.{}", b64(&h), b64(&claims("j")), URL_SAFE_NO_PAD.encode(sig));
        prop_assert_eq!(verify(&forged).map_err(|e| e.status()), Err(401));
    }

    /// HS256 keyed with the public key: the classic algorithm confusion.
    #[test]
    fn hmac_with_the_public_key_is_refused(jti in "[a-z0-9]{1,12}") {
        let secret = serde_json::to_vec(key().public_jwk()).unwrap();
        let mut h = Header::new(Algorithm::HS256);
        h.kid = Some(key().kid().to_string());
        let t = encode(&h, &claims(&jti), &EncodingKey::from_secret(&secret)).unwrap();
        prop_assert!(verify(&t).is_err());
    }

    #[test]
    fn signed_assertions_verify_and_tampered_ones_do_not(
        jti in "[a-z0-9]{1,12}",
        pick in any::<prop::sample::Index>(),
        with in "[A-Za-z0-9_-]",
    ) {
        let good = key().sign(&claims(&jti)).unwrap();
        let tampered = crate::keys::tamper(&good, pick, with.as_bytes()[0]);
        prop_assume!(tampered.is_some());
        prop_assert!(verify(&tampered.unwrap()).is_err());
        prop_assert_eq!(verify(&good).unwrap(), "app");
    }
}
