//! Signing keys: the RS256 key for id_tokens and the JWKS that publishes it
//! (OpenID Connect Core 1.0 §10.1), and the HS256 secret for the sandbox's
//! self-contained tokens.

mod hs256;
mod rsa_signer;

pub use hs256::Hs256;
pub use rsa_signer::{KeyError, RsaSigner};

use serde_json::{json, Value};

#[derive(Debug)]
pub struct Keys {
    pub rsa: RsaSigner,
    pub hs: Hs256,
}

impl Keys {
    /// The JSON Web Key Set served at `/keys`: public members only.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.rsa.public_jwk()] })
    }
}

/// `jwt` with the character at one picked position replaced by `with`, or
/// `None` when it is already `with`. Only characters inside a segment are
/// picked: a segment's last base64url character may carry spare bits a
/// decoder ignores, so changing it need not change the token.
#[cfg(test)]
pub(crate) fn tamper(jwt: &str, pick: proptest::sample::Index, with: u8) -> Option<String> {
    let bytes = jwt.as_bytes();
    let inner: Vec<usize> = (0..bytes.len())
        .filter(|&i| bytes[i] != b'.' && bytes.get(i + 1).is_some_and(|&n| n != b'.'))
        .collect();
    let i = inner[pick.index(inner.len())];
    if bytes[i] == with {
        return None;
    }
    let mut tampered = bytes.to_vec();
    tampered[i] = with;
    String::from_utf8(tampered).ok()
}
