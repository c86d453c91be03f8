//! The server's shared state: configuration, keys, the bounded single-use
//! sets, and the directory of people the screens list.

use std::sync::Arc;

use crate::config::{Config, ConfigError};
use crate::directory::Directory;
use crate::keys::{Hs256, Keys, RsaSigner};
use crate::oauth::jwks_fetch::JwksFetcher;
use crate::oauth::replay::ExpiringSet;
use crate::oauth::revocations::Revocations;
use crate::oauth::token::TokenDeps;

pub struct Sandbox {
    pub config: Config,
    pub keys: Keys,
    pub used_codes: ExpiringSet,
    pub used_refresh: ExpiringSet,
    /// Revoked access tokens and grants (RFC 7009).
    pub revocations: Revocations,
    /// `iss` + `jti` of accepted client assertions.
    pub used_jtis: ExpiringSet,
    /// Fetches and caches clients' registered JWKS URLs.
    pub jwks_fetcher: JwksFetcher,
    pub directory: Arc<dyn Directory>,
    pub metrics: crate::metrics::Metrics,
    /// Whether the keys were generated at start (tokens will not survive a
    /// restart); logged by the binary.
    pub generated_keys: Vec<&'static str>,
    /// The embedded FHIR store.
    pub fhir: Arc<crate::fhir::Store>,
    /// `--persist`: the journal of accepted writes (replayed at start).
    pub journal: Option<crate::fhir::journal::Journal>,
    /// Upstream mode: the real FHIR servers fronted (`--fhir-server-*`).
    pub upstream: Option<crate::fhir::proxy::Upstream>,
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
        let served = crate::fhir_data::served::build(&config).map_err(ConfigError::FhirData)?;
        let fhir = Arc::new(served.store);
        let journal = match &config.persist_dir {
            Some(dir) => {
                let (j, r) = crate::fhir::journal::Journal::open(dir, &mut fhir.write())
                    .map_err(ConfigError::Persist)?;
                if r.torn {
                    tracing::warn!(
                        "{}: dropped a torn last line (an unacknowledged write)",
                        j.path().display()
                    );
                }
                tracing::info!("{}: replayed {} writes", j.path().display(), r.records);
                Some(j)
            }
            None => None,
        };
        Ok(Sandbox {
            journal,
            keys: Keys {
                rsa,
                hs: Hs256::new(secret.as_bytes()),
            },
            used_codes: ExpiringSet::new(capacity),
            used_refresh: ExpiringSet::new(capacity),
            revocations: Revocations::new(
                config.revocation_cache_capacity,
                config
                    .refresh_token_lifetime
                    .max(config.access_token_lifetime)
                    .max(crate::oauth::tokens::CODE_LIFETIME),
            ),
            used_jtis: ExpiringSet::new(capacity),
            jwks_fetcher: JwksFetcher::new(&config.jwks_allowed_hosts)
                .map_err(ConfigError::HttpClient)?,
            directory: served.directory,
            metrics: crate::metrics::Metrics::default(),
            generated_keys: generated,
            fhir,
            upstream: crate::fhir::proxy::Upstream::from_config(&config)
                .map_err(ConfigError::HttpClient)?,
            config,
        })
    }

    pub fn token_deps(&self) -> TokenDeps<'_> {
        TokenDeps {
            keys: &self.keys,
            used_codes: &self.used_codes,
            used_refresh: &self.used_refresh,
            revocations: &self.revocations,
            used_jtis: &self.used_jtis,
            access_token_lifetime: self.config.access_token_lifetime,
            backend_token_lifetime: self.config.backend_token_lifetime,
            refresh_token_lifetime: self.config.refresh_token_lifetime,
            strict_refresh_rotation: self.config.strict_refresh_rotation,
        }
    }
}
