//! The server's shared state: configuration, keys, the bounded single-use
//! sets, and the directory of people the screens list.

use std::sync::Arc;

use crate::config::{Config, ConfigError};
use crate::directory::{BuiltinDirectory, Directory};
use crate::keys::{Hs256, Keys, RsaSigner};
use crate::oauth::replay::ExpiringSet;
use crate::oauth::token::TokenDeps;

pub struct Sandbox {
    pub config: Config,
    pub keys: Keys,
    pub used_codes: ExpiringSet,
    pub used_refresh: ExpiringSet,
    pub directory: Arc<dyn Directory>,
    /// Whether the keys were generated at start (tokens will not survive a
    /// restart); logged by the binary.
    pub generated_keys: Vec<&'static str>,
    /// The embedded FHIR store.
    pub fhir: Arc<crate::fhir::Store>,
}

impl Sandbox {
    /// Loads or generates the keys, as configured.
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        let mut generated = Vec::new();
        let rsa = match &config.signing_key {
            Some(path) => {
                let pem = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadKey {
                    path: path.clone(),
                    source,
                })?;
                RsaSigner::from_pem(&pem).map_err(|source| ConfigError::BadKey {
                    path: path.clone(),
                    source,
                })?
            }
            None => {
                generated.push("signing key");
                RsaSigner::generate().map_err(|source| ConfigError::BadKey {
                    path: "<generated>".into(),
                    source,
                })?
            }
        };
        let secret = match &config.secret {
            Some(s) => s.clone(),
            None => {
                generated.push("HS256 secret");
                Hs256::random_secret()
            }
        };
        let capacity = config.replay_cache_capacity;
        let fhir = Arc::new(config.fhir_data.load().map_err(ConfigError::FhirData)?);
        Ok(Sandbox {
            keys: Keys {
                rsa,
                hs: Hs256::new(secret.as_bytes()),
            },
            used_codes: ExpiringSet::new(capacity),
            used_refresh: ExpiringSet::new(capacity),
            directory: Arc::new(BuiltinDirectory::default()),
            generated_keys: generated,
            fhir,
            config,
        })
    }

    pub fn token_deps(&self) -> TokenDeps<'_> {
        TokenDeps {
            keys: &self.keys,
            used_codes: &self.used_codes,
            used_refresh: &self.used_refresh,
            access_token_lifetime: self.config.access_token_lifetime,
            refresh_token_lifetime: self.config.refresh_token_lifetime,
            strict_refresh_rotation: self.config.strict_refresh_rotation,
        }
    }
}
