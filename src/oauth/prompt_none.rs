//! `prompt=none` (OpenID Connect Core 1.0 §3.1.2.1): silent
//! re-authorization. The server "MUST NOT display any authentication or
//! consent user interface pages"; when it cannot decide without them it
//! redirects with `login_required`, `consent_required`,
//! `account_selection_required` or `interaction_required` (§3.1.2.6).
//!
//! Who the user is comes from `id_token_hint`: an id_token this server
//! issued (RS256 with its own key) to this client (`aud`). Its `exp` is
//! ignored, as §3.1.2.1 allows an expired hint: the app is asking precisely
//! because its session aged.

use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;

use super::error::ErrorCode;
use super::screen::Screen;

/// The `prompt` parameter: space-separated values; `none` must stand alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// No `prompt`, or values the sandbox does not treat specially.
    Interactive,
    /// `prompt=none`.
    Silent,
}

/// Reads `prompt`; `Err` for `none` combined with another value (§3.1.2.1:
/// "If this parameter contains none with any other value, an error is
/// returned").
pub fn parse_prompt(value: Option<&str>) -> Result<Prompt, String> {
    let values: Vec<&str> = value.unwrap_or("").split_ascii_whitespace().collect();
    match (values.contains(&"none"), values.len()) {
        (false, _) => Ok(Prompt::Interactive),
        (true, 1) => Ok(Prompt::Silent),
        (true, _) => Err("prompt=none cannot be combined with other prompt values".into()),
    }
}

#[derive(Deserialize)]
struct HintClaims {
    sub: String,
}

/// The user (`Practitioner/id` or `Patient/id`) named by an `id_token_hint`
/// this server issued to `client_id`, verified with the server's public JWK.
/// `Err` explains why the hint cannot be used.
pub fn hint_subject(
    hint: Option<&str>,
    client_id: &str,
    public_jwk: &Value,
) -> Result<String, String> {
    let hint = hint.ok_or("prompt=none needs an id_token_hint to know who is signed in")?;
    let (n, e) = match (public_jwk["n"].as_str(), public_jwk["e"].as_str()) {
        (Some(n), Some(e)) => (n, e),
        _ => return Err("the server has no RSA public key".into()),
    };
    let key = DecodingKey::from_rsa_components(n, e).map_err(|e| format!("server key: {e}"))?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    validation.set_audience(&[client_id]);
    let data = decode::<HintClaims>(hint, &key, &validation).map_err(|e| {
        format!("id_token_hint is not an id_token this server issued to `{client_id}` ({e})")
    })?;
    Ok(data.claims.sub)
}

/// The error for the first screen a silent request would have needed.
pub fn screen_error(screen: &Screen) -> (ErrorCode, &'static str) {
    match screen {
        Screen::PatientLogin { .. } | Screen::ProviderLogin { .. } => (
            ErrorCode::LoginRequired,
            "prompt=none: the user would have to sign in",
        ),
        Screen::PatientPicker { .. } | Screen::EncounterPicker { .. } => (
            ErrorCode::InteractionRequired,
            "prompt=none: the user would have to choose a patient or an encounter",
        ),
        Screen::Consent => (
            ErrorCode::ConsentRequired,
            "prompt=none: the user would have to approve the app",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_values() {
        assert_eq!(parse_prompt(None), Ok(Prompt::Interactive));
        assert_eq!(parse_prompt(Some("login consent")), Ok(Prompt::Interactive));
        assert_eq!(parse_prompt(Some(" none ")), Ok(Prompt::Silent));
        assert!(parse_prompt(Some("none login")).is_err());
    }

    #[test]
    fn hints() {
        let jwk = serde_json::json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"});
        assert!(hint_subject(None, "app", &jwk)
            .unwrap_err()
            .contains("id_token_hint"));
        assert!(hint_subject(Some("x.y.z"), "app", &jwk).is_err());
        assert!(hint_subject(Some("a"), "app", &serde_json::json!({})).is_err());
        assert_eq!(screen_error(&Screen::Consent).0, ErrorCode::ConsentRequired);
    }
}
