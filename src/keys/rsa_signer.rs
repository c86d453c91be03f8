//! The RS256 key that signs id_tokens (OpenID Connect Core 1.0 §2, SMART App
//! Launch 2.2 "Scopes for requesting identity data": id_tokens are RS256).
//!
//! The key is parsed once at start and kept as an aws-lc-rs key pair: the
//! token endpoint is bound by RS256 signing, and re-parsing the key for every
//! signature (as `jsonwebtoken::EncodingKey` does) costs more than half of the
//! signing rate.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use aws_lc_rs::{digest, rsa};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use serde_json::{json, Value};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the signing key file is not PEM: {0}")]
    Pem(String),
    #[error("the signing key is not an RSA private key in PKCS#8 (BEGIN PRIVATE KEY) or PKCS#1 (BEGIN RSA PRIVATE KEY) form: {0}")]
    Rejected(String),
    #[error("the signing key must be at least 2048 bits, this one has {0}")]
    TooSmall(usize),
    #[error("could not generate an RSA key")]
    Generate,
    #[error("signing failed")]
    Sign,
}

/// An RSA private key with its public JWK and RFC 7638 thumbprint `kid`.
pub struct RsaSigner {
    key: KeyPair,
    rng: SystemRandom,
    kid: String,
    public_jwk: Value,
    /// `{"alg":"RS256","kid":...,"typ":"JWT"}` encoded once.
    header_b64: String,
}

impl std::fmt::Debug for RsaSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RsaSigner").field("kid", &self.kid).finish()
    }
}

impl RsaSigner {
    /// Loads a PEM private key: PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`.
    pub fn from_pem(pem_text: &str) -> Result<Self, KeyError> {
        let block = pem::parse(pem_text).map_err(|e| KeyError::Pem(e.to_string()))?;
        let key = match block.tag() {
            "PRIVATE KEY" => KeyPair::from_pkcs8(block.contents()),
            "RSA PRIVATE KEY" => KeyPair::from_der(block.contents()),
            other => {
                return Err(KeyError::Rejected(format!(
                    "unexpected PEM block `{other}`"
                )))
            }
        }
        .map_err(|e| KeyError::Rejected(e.to_string()))?;
        Self::from_key_pair(key)
    }

    /// A fresh 2048-bit key; tokens it signs do not survive a restart.
    pub fn generate() -> Result<Self, KeyError> {
        let key = KeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generate)?;
        Self::from_key_pair(key)
    }

    fn from_key_pair(key: KeyPair) -> Result<Self, KeyError> {
        let bits = key.public_modulus_len() * 8;
        if bits < 2048 {
            return Err(KeyError::TooSmall(bits));
        }
        let public = key.public_key();
        let components: rsa::PublicKeyComponents<Vec<u8>> = public.into();
        let n = URL_SAFE_NO_PAD.encode(strip_zeros(&components.n));
        let e = URL_SAFE_NO_PAD.encode(strip_zeros(&components.e));
        let kid = thumbprint(&n, &e);
        let public_jwk = json!({
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": kid,
            "n": n,
            "e": e,
        });
        let header = json!({"alg": "RS256", "kid": kid, "typ": "JWT"});
        let header_b64 = URL_SAFE_NO_PAD.encode(header.to_string());
        Ok(RsaSigner {
            key,
            rng: SystemRandom::new(),
            kid,
            public_jwk,
            header_b64,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public JWK: only `kty`, `alg`, `use`, `kid`, `n` and `e`.
    pub fn public_jwk(&self) -> &Value {
        &self.public_jwk
    }

    /// PKCS#8 PEM of the private key, for `keys generate`.
    pub fn to_pkcs8_pem(&self) -> Result<String, KeyError> {
        let der = self.key.as_der().map_err(|_| KeyError::Sign)?;
        Ok(pem::encode(&pem::Pem::new(
            "PRIVATE KEY",
            der.as_ref().to_vec(),
        )))
    }

    /// Signs `claims` as a compact JWS with RS256 (RFC 7515, RFC 7518 §3.3).
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, KeyError> {
        let payload = serde_json::to_vec(claims).map_err(|_| KeyError::Sign)?;
        let mut out = String::with_capacity(self.header_b64.len() + payload.len() * 4 / 3 + 350);
        out.push_str(&self.header_b64);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut out);
        let mut signature = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(&RSA_PKCS1_SHA256, &self.rng, out.as_bytes(), &mut signature)
            .map_err(|_| KeyError::Sign)?;
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut out);
        Ok(out)
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// RFC 7638 JWK thumbprint: SHA-256 over the required members in
/// lexicographic order, base64url.
fn thumbprint(n: &str, e: &str) -> String {
    let canonical = format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#);
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_KEY: &str = include_str!("../../tests/data/test-signing-key.pem");

    #[test]
    fn loads_pkcs8_and_signs_verifiable_rs256() {
        let signer = RsaSigner::from_pem(TEST_KEY).unwrap();
        let jwt = signer.sign(&json!({"sub": "x"})).unwrap();
        let jwk: jsonwebtoken::jwk::Jwk =
            serde_json::from_value(signer.public_jwk().clone()).unwrap();
        let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.required_spec_claims.clear();
        v.validate_exp = false;
        let data = jsonwebtoken::decode::<Value>(&jwt, &key, &v).unwrap();
        assert_eq!(data.claims["sub"], "x");
        assert_eq!(data.header.kid.as_deref(), Some(signer.kid()));
    }

    #[test]
    fn kid_is_stable_and_jwk_is_public_only() {
        let a = RsaSigner::from_pem(TEST_KEY).unwrap();
        let b = RsaSigner::from_pem(TEST_KEY).unwrap();
        assert_eq!(a.kid(), b.kid());
        let jwk = a.public_jwk().as_object().unwrap();
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(!jwk.contains_key(private));
        }
    }

    #[test]
    fn pem_round_trip() {
        let a = RsaSigner::from_pem(TEST_KEY).unwrap();
        let again = RsaSigner::from_pem(&a.to_pkcs8_pem().unwrap()).unwrap();
        assert_eq!(a.kid(), again.kid());
    }

    #[test]
    fn rejects_garbage() {
        assert!(matches!(RsaSigner::from_pem("nope"), Err(KeyError::Pem(_))));
        let bogus = pem::encode(&pem::Pem::new("PRIVATE KEY", vec![1, 2, 3]));
        assert!(matches!(
            RsaSigner::from_pem(&bogus),
            Err(KeyError::Rejected(_))
        ));
    }
}
