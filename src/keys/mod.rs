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
