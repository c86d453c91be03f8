//! An independent JOSE signer for the tests: client assertions are built by
//! hand (RFC 7515 compact JWS) and signed with RustCrypto's `rsa`, `p384`
//! and `p256`, never with the server's own `jsonwebtoken` code. Also a tiny
//! JWKS HTTP server that counts its requests.
#![allow(dead_code)]

mod http;
pub use http::*;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/clients/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn hex(s: &str) -> Vec<u8> {
    let s = s.trim();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A client's private key.
pub enum ClientKey {
    Rsa(rsa::RsaPrivateKey),
    P384(p384::ecdsa::SigningKey),
    P256(p256::ecdsa::SigningKey),
}

impl ClientKey {
    pub fn rsa() -> Self {
        use rsa::pkcs8::DecodePrivateKey;
        ClientKey::Rsa(rsa::RsaPrivateKey::from_pkcs8_pem(&data("rsa-client.pem")).unwrap())
    }

    pub fn p384() -> Self {
        ClientKey::P384(
            p384::ecdsa::SigningKey::from_slice(&hex(&data("p384-client.hex"))).unwrap(),
        )
    }

    /// A second key of the same kind as `for_alg(alg)`: the attacker's.
    pub fn other_for_alg(alg: &str) -> Self {
        use rsa::pkcs8::DecodePrivateKey;
        match alg {
            "ES384" => ClientKey::P384(
                p384::ecdsa::SigningKey::from_slice(&hex(&data("p384-other.hex"))).unwrap(),
            ),
            _ => {
                ClientKey::Rsa(rsa::RsaPrivateKey::from_pkcs8_pem(&data("rsa-other.pem")).unwrap())
            }
        }
    }

    pub fn p256() -> Self {
        ClientKey::P256(
            p256::ecdsa::SigningKey::from_slice(&hex(&data("p256-client.hex"))).unwrap(),
        )
    }

    /// The key for `alg` (RS* → RSA, ES384 → P-384, ES256 → P-256).
    pub fn for_alg(alg: &str) -> Self {
        match alg {
            "ES384" => Self::p384(),
            "ES256" => Self::p256(),
            _ => Self::rsa(),
        }
    }

    /// The public JWK (RFC 7518 §6.2 / §6.3), public members only.
    pub fn public_jwk(&self, kid: &str) -> Value {
        match self {
            ClientKey::Rsa(k) => {
                use rsa::traits::PublicKeyParts;
                json!({"kty": "RSA", "kid": kid, "n": b64(&k.n().to_bytes_be()),
                       "e": b64(&k.e().to_bytes_be())})
            }
            ClientKey::P384(k) => {
                let p = k.verifying_key().to_sec1_point(false);
                let b = p.as_bytes();
                json!({"kty": "EC", "kid": kid, "crv": "P-384",
                       "x": b64(&b[1..49]), "y": b64(&b[49..97])})
            }
            ClientKey::P256(k) => {
                let p = k.verifying_key().to_sec1_point(false);
                let b = p.as_bytes();
                json!({"kty": "EC", "kid": kid, "crv": "P-256",
                       "x": b64(&b[1..33]), "y": b64(&b[33..65])})
            }
        }
    }

    /// The raw signature over `input` for `alg`.
    pub fn sign_raw(&self, alg: &str, input: &[u8]) -> Vec<u8> {
        match self {
            ClientKey::Rsa(k) => {
                use rsa::signature::{SignatureEncoding, Signer};
                match alg {
                    "RS256" => rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(k.clone())
                        .sign(input)
                        .to_vec(),
                    "RS384" => rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha384>::new(k.clone())
                        .sign(input)
                        .to_vec(),
                    other => panic!("RSA key cannot sign {other}"),
                }
            }
            ClientKey::P384(k) => {
                use p384::ecdsa::signature::Signer;
                let sig: p384::ecdsa::Signature = k.sign(input);
                sig.to_bytes().to_vec()
            }
            ClientKey::P256(k) => {
                use p256::ecdsa::signature::Signer;
                let sig: p256::ecdsa::Signature = k.sign(input);
                sig.to_bytes().to_vec()
            }
        }
    }
}

/// `base64url(header).base64url(claims).base64url(signature)`.
pub fn sign_jws(key: &ClientKey, header: &Value, claims: &Value) -> String {
    let alg = header["alg"].as_str().unwrap_or("RS384").to_string();
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig = key.sign_raw(&alg, input.as_bytes());
    format!("{input}.{}", b64(&sig))
}

/// An HMAC-SHA256 JWS keyed with `secret`: the classic algorithm-confusion
/// forgery when `secret` is the server-known public key.
pub fn sign_hs256(secret: &[u8], header: &Value, claims: &Value) -> String {
    use rsa::sha2::{Digest, Sha256};
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    // HMAC (RFC 2104) by hand, to stay independent of the server's crates.
    let mut k = if secret.len() > 64 {
        Sha256::digest(secret).to_vec()
    } else {
        secret.to_vec()
    };
    k.resize(64, 0);
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(input.as_bytes())
        .finalize();
    let mac = Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize();
    format!("{input}.{}", b64(&mac))
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A fresh 64-hex-character jti, as Inferno sends.
pub fn jti() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The JWKS of `key` under `kid`.
pub fn jwks_of(key: &ClientKey, kid: &str) -> Value {
    json!({"keys": [key.public_jwk(kid)]})
}

/// The assertion header Inferno sends: `alg`, `kid`, `typ: JWT`.
pub fn header(alg: &str, kid: &str) -> Value {
    json!({"alg": alg, "kid": kid, "typ": "JWT"})
}

/// RFC 7523 claims for `client_id` at `aud`, expiring in five minutes.
pub fn claims(client_id: &str, aud: &str) -> Value {
    let now = now();
    json!({"iss": client_id, "sub": client_id, "aud": aud, "exp": now + 300,
           "iat": now, "jti": jti()})
}

/// The base64url launch value for `{sim}`.
pub fn sim(options: &Value) -> String {
    b64(options.to_string().as_bytes())
}
