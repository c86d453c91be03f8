//! Server configuration: defaults, then a `--config` TOML file (see
//! [`file`]), then environment, then command-line flags (clap resolves the
//! last two). Validated once at start.

pub mod file;

use std::path::PathBuf;

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Interface to bind.
    pub host: String,
    /// Port to bind; 0 picks a free port (the real one is logged).
    pub port: u16,
    /// Public origin used in `iss`, discovery and `smart_style_url`. When
    /// unset, each request's `Host` header decides, so `localhost` and
    /// `127.0.0.1` both work for local development.
    pub base_url: Option<String>,
    /// PEM RSA private key for id_tokens; generated at start when absent.
    pub signing_key: Option<PathBuf>,
    /// HS256 secret for codes and tokens; generated at start when absent.
    pub secret: Option<String>,
    /// A rotated refresh token works once; its reuse is refused.
    pub strict_refresh_rotation: bool,
    /// Access token lifetime in seconds (`expires_in`).
    pub access_token_lifetime: i64,
    /// Refresh token lifetime in seconds.
    pub refresh_token_lifetime: i64,
    /// Upper bound on remembered single-use ids (used codes, rotated refresh
    /// tokens); see `oauth::replay`.
    pub replay_cache_capacity: usize,
    /// Upper bound on remembered revocations, for each of revoked access
    /// tokens and revoked grants; see `oauth::revocations`.
    pub revocation_cache_capacity: usize,
    /// Backend services (`client_credentials`) access token lifetime in
    /// seconds; SMART Backend Services: SHOULD NOT exceed 300.
    pub backend_token_lifetime: i64,
    /// Hosts (`host` or `host:port`) whose JWKS URLs may be fetched; empty
    /// allows any host. A public deployment should list its clients' hosts.
    pub jwks_allowed_hosts: Vec<String>,
    /// Folder of the user's own FHIR R4 Bundles and NDJSON files to serve
    /// (`--data`); see `fhir_data::import`.
    pub data_dir: Option<PathBuf>,
    /// Serve the built-in synthetic patients (off with `--no-fixtures`).
    pub fixtures: bool,
    /// The FHIR resources the embedded server serves.
    pub fhir_data: crate::fhir::FhirData,
    /// `--persist DIR`: journal every accepted FHIR write to
    /// `DIR/journal.ndjson` and replay it at start (`fhir::journal`).
    pub persist_dir: Option<PathBuf>,
    /// Upstream mode (`--fhir-server-r2/r3/r4`, as the SMART Health IT
    /// launcher names them): a real FHIR server whose requests for that
    /// release this one checks and forwards; see `fhir::proxy`.
    pub fhir_server_r2: Option<url::Url>,
    pub fhir_server_r3: Option<url::Url>,
    pub fhir_server_r4: Option<url::Url>,
    /// Total seconds one upstream request may take (`--upstream-timeout`).
    pub upstream_timeout: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            port: 8445,
            base_url: None,
            signing_key: None,
            secret: None,
            strict_refresh_rotation: false,
            access_token_lifetime: 3600,
            refresh_token_lifetime: 90 * 24 * 3600,
            replay_cache_capacity: 1_000_000,
            revocation_cache_capacity: 100_000,
            backend_token_lifetime: 300,
            jwks_allowed_hosts: Vec::new(),
            data_dir: None,
            fixtures: true,
            fhir_data: crate::fhir::FhirData::default(),
            persist_dir: None,
            fhir_server_r2: None,
            fhir_server_r3: None,
            fhir_server_r4: None,
            upstream_timeout: 30,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--base-url must be an absolute http(s) URL without query or fragment, got `{0}`")]
    BaseUrl(String),
    #[error("cannot read the signing key {path}: {source}")]
    ReadKey {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("signing key {path}: {source}")]
    BadKey {
        path: PathBuf,
        source: crate::keys::KeyError,
    },
    #[error("--secret must be at least 16 characters")]
    ShortSecret,
    #[error("--data {0}: not a readable folder")]
    DataDir(PathBuf),
    #[error("invalid FHIR data: {}", .0.join("; "))]
    FhirData(Vec<String>),
    #[error("{0} must be positive")]
    NotPositive(&'static str),
    #[error("{0}")]
    HttpClient(String),
    #[error("--persist: {0}")]
    Persist(String),
    #[error("--fhir-server-{0} must be an absolute http(s) URL without credentials, query or fragment, got `{1}`")]
    Upstream(&'static str, String),
}

impl Config {
    /// Checks values that clap cannot, and normalizes the base URL.
    pub fn validate(mut self) -> Result<Self, ConfigError> {
        if let Some(base) = &self.base_url {
            let trimmed = base.trim_end_matches('/').to_string();
            let ok = url::Url::parse(&trimmed).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host().is_some()
                    && u.query().is_none()
                    && u.fragment().is_none()
            });
            if !ok {
                return Err(ConfigError::BaseUrl(base.clone()));
            }
            self.base_url = Some(trimmed);
        }
        if self.secret.as_ref().is_some_and(|s| s.len() < 16) {
            return Err(ConfigError::ShortSecret);
        }
        if let Some(dir) = &self.data_dir {
            if std::fs::read_dir(dir).is_err() {
                return Err(ConfigError::DataDir(dir.clone()));
            }
        }
        if self.access_token_lifetime <= 0 {
            return Err(ConfigError::NotPositive("access token lifetime"));
        }
        if self.refresh_token_lifetime <= 0 {
            return Err(ConfigError::NotPositive("refresh token lifetime"));
        }
        if self.backend_token_lifetime <= 0 {
            return Err(ConfigError::NotPositive("backend token lifetime"));
        }
        for (name, server) in [
            ("r2", &self.fhir_server_r2),
            ("r3", &self.fhir_server_r3),
            ("r4", &self.fhir_server_r4),
        ] {
            if let Some(u) = server {
                let ok = matches!(u.scheme(), "http" | "https")
                    && u.host().is_some()
                    && u.username().is_empty()
                    && u.password().is_none()
                    && u.query().is_none()
                    && u.fragment().is_none();
                if !ok {
                    return Err(ConfigError::Upstream(name, u.to_string()));
                }
            }
        }
        if self.upstream_timeout == 0 {
            return Err(ConfigError::NotPositive("--upstream-timeout"));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_is_normalized_and_checked() {
        let c = Config {
            base_url: Some("http://localhost:9000/".into()),
            ..Config::default()
        };
        assert_eq!(
            c.validate().unwrap().base_url.as_deref(),
            Some("http://localhost:9000")
        );
        for bad in ["ftp://x", "not a url", "http://x/?q=1"] {
            let c = Config {
                base_url: Some(bad.into()),
                ..Config::default()
            };
            assert!(c.validate().is_err(), "{bad}");
        }
    }

    #[test]
    fn upstream_urls_are_checked() {
        let with = |u: &str| Config {
            fhir_server_r4: Some(url::Url::parse(u).unwrap()),
            ..Config::default()
        };
        assert!(with("http://hapi.local:8080/fhir/").validate().is_ok());
        for bad in [
            "ftp://x/fhir",
            "http://x/fhir?a=1",
            "http://x/fhir#f",
            "http://u:p@x/fhir",
        ] {
            assert!(
                matches!(with(bad).validate(), Err(ConfigError::Upstream("r4", _))),
                "{bad}"
            );
        }
    }

    #[test]
    fn short_secret_is_refused() {
        let c = Config {
            secret: Some("short".into()),
            ..Config::default()
        };
        assert!(matches!(c.validate(), Err(ConfigError::ShortSecret)));
    }

    #[test]
    fn data_dir_must_be_a_readable_folder() {
        let c = Config {
            data_dir: Some("/nonexistent/smart-sandbox-data".into()),
            ..Config::default()
        };
        assert!(matches!(c.validate(), Err(ConfigError::DataDir(_))));
        let c = Config {
            data_dir: Some(std::env::temp_dir()),
            ..Config::default()
        };
        assert!(c.validate().is_ok());
    }
}
