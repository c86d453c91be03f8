//! Discovery documents: SMART's `.well-known/smart-configuration` (SMART App
//! Launch 2.2 §"Conformance") and OpenID Connect Discovery 1.0's
//! `.well-known/openid-configuration`. Both list only what works.

use serde_json::{json, Value};

use super::jwks::SIGNING_ALGS;
use super::site::Site;

/// Scopes the sandbox understands and grants (SMART v1 and v2 syntax).
pub const SCOPES_SUPPORTED: &[&str] = &[
    "openid",
    "fhirUser",
    "profile",
    "launch",
    "launch/patient",
    "launch/encounter",
    "offline_access",
    "online_access",
    "patient/*.read",
    "patient/*.rs",
    "patient/*.cruds",
    "patient/*.*",
    "user/*.read",
    "user/*.rs",
    "user/*.cruds",
    "user/*.*",
    "system/*.read",
    "system/*.rs",
];

const CAPABILITIES: &[&str] = &[
    "launch-ehr",
    "launch-standalone",
    "authorize-post",
    "client-public",
    "client-confidential-symmetric",
    "client-confidential-asymmetric",
    "sso-openid-connect",
    "context-banner",
    "context-style",
    "context-ehr-patient",
    "context-ehr-encounter",
    "context-standalone-patient",
    "context-standalone-encounter",
    "permission-offline",
    "permission-online",
    "permission-patient",
    "permission-user",
    "permission-v1",
    "permission-v2",
];

const AUTH_METHODS: &[&str] = &[
    "client_secret_basic",
    "client_secret_post",
    "private_key_jwt",
    "none",
];

const GRANT_TYPES: &[&str] = &["authorization_code", "refresh_token", "client_credentials"];

/// `{fhir-base}/.well-known/smart-configuration`.
pub fn smart_configuration(site: &Site) -> Value {
    json!({
        "issuer": site.fhir_base(),
        "jwks_uri": site.jwks_url(),
        "authorization_endpoint": site.authorize_url(),
        "token_endpoint": site.token_url(),
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": SIGNING_ALGS,
        "grant_types_supported": GRANT_TYPES,
        "scopes_supported": SCOPES_SUPPORTED,
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "capabilities": CAPABILITIES,
        // RFC 7662 and RFC 7009 (RFC 8414 §2 metadata names).
        "introspection_endpoint": site.introspect_url(),
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint": site.revoke_url(),
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
    })
}

/// `{fhir-base}/.well-known/openid-configuration`; its `issuer` is the FHIR
/// base, byte-equal to the id_token's `iss`.
pub fn openid_configuration(site: &Site) -> Value {
    json!({
        "issuer": site.fhir_base(),
        "authorization_endpoint": site.authorize_url(),
        "token_endpoint": site.token_url(),
        "jwks_uri": site.jwks_url(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": SIGNING_ALGS,
        "grant_types_supported": GRANT_TYPES,
        "scopes_supported": SCOPES_SUPPORTED,
        "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nonce", "fhirUser", "profile"],
        "code_challenge_methods_supported": ["S256"],
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::site::Release;

    #[test]
    fn consistent_documents() {
        let site = Site::new("http://h:1", Release::R4, Some("abc"));
        let smart = smart_configuration(&site);
        let oidc = openid_configuration(&site);
        for k in [
            "issuer",
            "jwks_uri",
            "authorization_endpoint",
            "token_endpoint",
        ] {
            assert_eq!(smart[k], oidc[k], "{k}");
            assert!(
                smart[k].as_str().unwrap().starts_with("http://h:1/"),
                "{k} absolute"
            );
        }
        assert_eq!(smart["issuer"], "http://h:1/v/r4/sim/abc/fhir");
        let methods = smart["code_challenge_methods_supported"]
            .as_array()
            .unwrap();
        assert_eq!(methods, &vec![json!("S256")]);
        assert_eq!(
            smart["introspection_endpoint"],
            "http://h:1/v/r4/sim/abc/auth/introspect"
        );
        assert_eq!(
            smart["revocation_endpoint"],
            "http://h:1/v/r4/sim/abc/auth/revoke"
        );
    }
}
