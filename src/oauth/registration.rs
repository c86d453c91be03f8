//! The client registration a launch pins, as carried inside codes and
//! refresh tokens: secrets and key sets travel as HMAC digests only
//! (design: "no secret, key set or private data goes inside a token").

use super::tokens::Registration;
use crate::keys::Hs256;
use crate::launch::{ClientType, LaunchOptions};

impl Registration {
    /// What the launch options pin about the client.
    pub fn from_launch(opts: &LaunchOptions, hs: &Hs256) -> Self {
        let pinned = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        Registration {
            client_type: opts.client_type,
            secret_digest: (!opts.client_secret.is_empty()).then(|| hs.digest(&opts.client_secret)),
            jwks_url: pinned(&opts.jwks_url),
            jwks_digest: pinned(&opts.jwks).map(|j| hs.digest(&j)),
            auth_error: opts.auth_error,
        }
    }

    /// The client authenticates with `private_key_jwt`: it is registered as
    /// confidential-asymmetric or a backend service, or it pinned keys.
    pub fn is_asymmetric(&self) -> bool {
        matches!(
            self.client_type,
            ClientType::ConfidentialAsymmetric | ClientType::BackendService
        ) || self.jwks_url.is_some()
            || self.jwks_digest.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_not_values() {
        let hs = Hs256::new(b"0123456789abcdef");
        let opts = LaunchOptions {
            client_secret: "s3cret".into(),
            jwks: r#"{"keys":[]}"#.into(),
            jwks_url: " https://app.example/jwks ".into(),
            client_type: ClientType::ConfidentialAsymmetric,
            ..LaunchOptions::default()
        };
        let reg = Registration::from_launch(&opts, &hs);
        assert_eq!(reg.jwks_url.as_deref(), Some("https://app.example/jwks"));
        assert_eq!(reg.jwks_digest, Some(hs.digest(r#"{"keys":[]}"#)));
        assert_eq!(reg.secret_digest, Some(hs.digest("s3cret")));
        let text = serde_json::to_string(&reg).unwrap();
        assert!(!text.contains("keys") && !text.contains("s3cret"), "{text}");
        assert!(reg.is_asymmetric());
        let public = Registration::from_launch(&LaunchOptions::default(), &hs);
        assert!(!public.is_asymmetric());
    }
}
