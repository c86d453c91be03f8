//! The HS256 secret that signs the sandbox's own tokens: authorization codes,
//! access tokens, refresh tokens and screen-flow state. They are
//! self-contained JWTs (RFC 7519) so the server keeps no session store;
//! replicas that share the secret accept each other's tokens.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub struct Hs256 {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    header: Header,
    secret: Vec<u8>,
}

impl std::fmt::Debug for Hs256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hs256(..)")
    }
}

impl Hs256 {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked by the protocol code against an injected `now`.
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        Hs256 {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            header: Header::new(Algorithm::HS256),
            secret: secret.to_vec(),
        }
    }

    /// 32 random bytes, base64url: what `--secret` would hold.
    pub fn random_secret() -> String {
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the system random generator works");
        URL_SAFE_NO_PAD.encode(bytes)
    }

    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        jsonwebtoken::encode(&self.header, claims, &self.encoding)
            .expect("HS256 over serializable claims cannot fail")
    }

    /// Verifies signature and algorithm (only HS256 is accepted, so
    /// `alg: none` and algorithm swaps fail) and deserializes the claims.
    pub fn verify<T: DeserializeOwned>(&self, token: &str) -> Option<T> {
        if token.len() > 16 * 1024 {
            return None;
        }
        jsonwebtoken::decode::<T>(token, &self.decoding, &self.validation)
            .ok()
            .map(|d| d.claims)
    }

    /// HMAC-SHA256 of `value` under the server secret, base64url. Lets a
    /// token prove which client secret was pinned without carrying it.
    pub fn digest(&self, value: &str) -> String {
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &self.secret);
        URL_SAFE_NO_PAD.encode(aws_lc_rs::hmac::sign(&key, value.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn round_trip_and_tamper() {
        let k = Hs256::new(b"secret");
        let t = k.sign(&json!({"a": 1}));
        assert_eq!(k.verify::<Value>(&t).unwrap()["a"], 1);
        let other = Hs256::new(b"other");
        assert!(other.verify::<Value>(&t).is_none());
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"a":2}"#);
        parts[1] = &forged;
        assert!(k.verify::<Value>(&parts.join(".")).is_none());
    }

    #[test]
    fn refuses_alg_none() {
        let k = Hs256::new(b"secret");
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(br#"{"a":1}"#);
        assert!(k.verify::<Value>(&format!("{header}.{body}.")).is_none());
    }

    #[test]
    fn digest_depends_on_secret_and_value() {
        let k = Hs256::new(b"secret");
        assert_eq!(k.digest("x"), k.digest("x"));
        assert_ne!(k.digest("x"), k.digest("y"));
        assert_ne!(k.digest("x"), Hs256::new(b"other").digest("x"));
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn claims() -> impl Strategy<Value = Value> {
            prop::collection::btree_map("[a-z]{1,6}", any::<String>(), 0..5).prop_map(|m| json!(m))
        }

        proptest! {
            #[test]
            fn never_panics(token in any::<String>(), parts in "([A-Za-z0-9_-]{0,30}\\.?){0,5}") {
                let k = Hs256::new(b"secret");
                prop_assert!(k.verify::<Value>(&token).is_none());
                prop_assert!(k.verify::<Value>(&parts).is_none());
            }

            #[test]
            fn round_trips(c in claims()) {
                let k = Hs256::new(b"secret");
                prop_assert_eq!(k.verify::<Value>(&k.sign(&c)), Some(c));
            }

            /// Any header with a junk or missing signature: `alg` values
            /// other than HS256 (`none` included) never verify.
            #[test]
            fn forged_headers_never_verify(
                alg in prop_oneof![Just("none"), Just("HS256"), Just("RS256"), Just("HS512"), Just("")],
                c in claims(),
                sig in "[A-Za-z0-9_-]{0,60}",
            ) {
                let k = Hs256::new(b"secret");
                let h = URL_SAFE_NO_PAD.encode(json!({"alg": alg, "typ": "JWT"}).to_string());
                let b = URL_SAFE_NO_PAD.encode(c.to_string());
                let (signed, unsigned) = (format!("{h}.{b}.{sig}"), format!("{h}.{b}."));
                prop_assert!(k.verify::<Value>(&signed).is_none());
                prop_assert!(k.verify::<Value>(&unsigned).is_none());
            }

            /// Changing any character (but a segment's last, whose spare
            /// bits may be ignored) breaks the signature.
            #[test]
            fn tampered_tokens_never_verify(
                c in claims(),
                pick in any::<prop::sample::Index>(),
                with in "[A-Za-z0-9_-]",
            ) {
                let k = Hs256::new(b"secret");
                let tampered = crate::keys::tamper(&k.sign(&c), pick, with.as_bytes()[0]);
                prop_assume!(tampered.is_some());
                prop_assert!(k.verify::<Value>(&tampered.unwrap()).is_none());
            }
        }
    }
}
