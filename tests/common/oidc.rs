//! An independent OpenID Connect client (the `openidconnect` crate) typed
//! for SMART: `fhirUser` in the id_token, launch context beside the token.

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    reqwest, AdditionalClaims, AuthType, Client, ClientId, ClientSecret, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, ExtraTokenFields, IdTokenFields, IssuerUrl, RedirectUrl,
    StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};

/// SMART's id_token claim (`profile` is a standard OIDC claim the crate
/// already reads).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct SmartClaims {
    #[serde(rename = "fhirUser")]
    pub fhir_user: Option<String>,
}
impl AdditionalClaims for SmartClaims {}

/// SMART launch context returned beside the access token.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct SmartFields {
    pub patient: Option<String>,
    pub encounter: Option<String>,
    pub need_patient_banner: Option<bool>,
    pub smart_style_url: Option<String>,
}
impl ExtraTokenFields for SmartFields {}

pub type SmartIdTokenFields = IdTokenFields<
    SmartClaims,
    SmartFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
pub type SmartTokenResponse = StandardTokenResponse<SmartIdTokenFields, CoreTokenType>;

pub type SmartClient = Client<
    SmartClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    SmartTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Discovers the server at `fhir_base` (openid-configuration and /keys) and
/// builds a client. With a secret, `auth` picks Basic or the request body.
pub async fn discover_client(
    http: &reqwest::Client,
    fhir_base: &str,
    client_id: &str,
    secret: Option<&str>,
    redirect: &str,
    auth: AuthType,
) -> (CoreProviderMetadata, SmartClient) {
    let metadata = CoreProviderMetadata::discover_async(
        IssuerUrl::new(fhir_base.to_string()).expect("issuer URL"),
        http,
    )
    .await
    .unwrap_or_else(|e| panic!("discovery of {fhir_base} failed: {e:?}"));
    let client = SmartClient::from_provider_metadata(
        metadata.clone(),
        ClientId::new(client_id.to_string()),
        secret.map(|s| ClientSecret::new(s.to_string())),
    )
    .set_redirect_uri(RedirectUrl::new(redirect.to_string()).expect("redirect URL"))
    .set_auth_type(auth);
    (metadata, client)
}
