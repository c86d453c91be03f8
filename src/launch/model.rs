//! The launch model: what a launch (the `{sim}` path segment or the `launch`
//! parameter) pins about the simulated EHR session and the client registration.
//!
//! The slots follow the SMART Health IT launcher v2 positional array, so a
//! launch made here also works on launch.smarthealthit.org.

use serde::{Deserialize, Serialize};

/// How the app is launched (SMART App Launch 2.2, "Launch modes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LaunchType {
    /// EHR launch, the user is a practitioner.
    ProviderEhr,
    /// EHR launch from a patient portal, the user is the patient.
    PatientPortal,
    /// Standalone launch, the user is a practitioner.
    ProviderStandalone,
    /// Standalone launch, the user is the patient.
    PatientStandalone,
    /// SMART Backend Services (client_credentials), no user.
    BackendService,
}

impl LaunchType {
    /// Order of the v2 positional array's slot 0.
    pub const ALL: [LaunchType; 5] = [
        LaunchType::ProviderEhr,
        LaunchType::PatientPortal,
        LaunchType::ProviderStandalone,
        LaunchType::PatientStandalone,
        LaunchType::BackendService,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LaunchType::ProviderEhr => "provider-ehr",
            LaunchType::PatientPortal => "patient-portal",
            LaunchType::ProviderStandalone => "provider-standalone",
            LaunchType::PatientStandalone => "patient-standalone",
            LaunchType::BackendService => "backend-service",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub fn from_index(i: usize) -> Option<Self> {
        Self::ALL.get(i).copied()
    }

    /// EHR launches start from the EHR with a `launch` parameter.
    pub fn is_ehr(self) -> bool {
        matches!(self, LaunchType::ProviderEhr | LaunchType::PatientPortal)
    }

    pub fn is_standalone(self) -> bool {
        matches!(
            self,
            LaunchType::ProviderStandalone | LaunchType::PatientStandalone
        )
    }

    /// The signed-in user is the patient (patient portal and patient standalone).
    pub fn patient_is_user(self) -> bool {
        matches!(
            self,
            LaunchType::PatientPortal | LaunchType::PatientStandalone
        )
    }
}

/// The client registration the launch pins (SMART App Launch 2.2, "Client types").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientType {
    Public,
    ConfidentialSymmetric,
    ConfidentialAsymmetric,
    BackendService,
}

impl ClientType {
    /// Order of the v2 positional array's slot 14.
    pub const ALL: [ClientType; 4] = [
        ClientType::Public,
        ClientType::ConfidentialSymmetric,
        ClientType::ConfidentialAsymmetric,
        ClientType::BackendService,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClientType::Public => "public",
            ClientType::ConfidentialSymmetric => "confidential-symmetric",
            ClientType::ConfidentialAsymmetric => "confidential-asymmetric",
            ClientType::BackendService => "backend-service",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub fn from_index(i: usize) -> Option<Self> {
        Self::ALL.get(i).copied()
    }
}

/// When the authorization server demands PKCE (RFC 7636).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PkcePolicy {
    /// PKCE parameters are ignored.
    None,
    /// PKCE is verified when the app sends a code_challenge.
    Auto,
    /// Every authorize request must carry an S256 code_challenge.
    Always,
}

impl PkcePolicy {
    /// Order of the v2 positional array's slot 15.
    pub const ALL: [PkcePolicy; 3] = [PkcePolicy::None, PkcePolicy::Auto, PkcePolicy::Always];

    pub fn as_str(self) -> &'static str {
        match self {
            PkcePolicy::None => "none",
            PkcePolicy::Auto => "auto",
            PkcePolicy::Always => "always",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|t| *t == self).unwrap_or(1)
    }

    pub fn from_index(i: usize) -> Option<Self> {
        Self::ALL.get(i).copied()
    }
}

/// Errors the launch asks the server to simulate (the launchers' `auth_error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimulatedError {
    AuthInvalidClientId,
    AuthInvalidRedirectUri,
    AuthInvalidScope,
    AuthInvalidClientSecret,
    TokenInvalidToken,
    TokenExpiredRefreshToken,
    TokenInvalidScope,
    TokenExpiredRegistrationToken,
    TokenInvalidJti,
    RequestInvalidToken,
    RequestExpiredToken,
}

impl SimulatedError {
    pub const ALL: [SimulatedError; 11] = [
        SimulatedError::AuthInvalidClientId,
        SimulatedError::AuthInvalidRedirectUri,
        SimulatedError::AuthInvalidScope,
        SimulatedError::AuthInvalidClientSecret,
        SimulatedError::TokenInvalidToken,
        SimulatedError::TokenExpiredRefreshToken,
        SimulatedError::TokenInvalidScope,
        SimulatedError::TokenExpiredRegistrationToken,
        SimulatedError::TokenInvalidJti,
        SimulatedError::RequestInvalidToken,
        SimulatedError::RequestExpiredToken,
    ];

    /// The v1 launcher encoded `auth_error` (key `d`) as an index into this list.
    pub const V1_ORDER: [SimulatedError; 8] = [
        SimulatedError::AuthInvalidClientId,
        SimulatedError::AuthInvalidRedirectUri,
        SimulatedError::AuthInvalidScope,
        SimulatedError::AuthInvalidClientSecret,
        SimulatedError::TokenInvalidToken,
        SimulatedError::TokenExpiredRefreshToken,
        SimulatedError::RequestInvalidToken,
        SimulatedError::RequestExpiredToken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SimulatedError::AuthInvalidClientId => "auth_invalid_client_id",
            SimulatedError::AuthInvalidRedirectUri => "auth_invalid_redirect_uri",
            SimulatedError::AuthInvalidScope => "auth_invalid_scope",
            SimulatedError::AuthInvalidClientSecret => "auth_invalid_client_secret",
            SimulatedError::TokenInvalidToken => "token_invalid_token",
            SimulatedError::TokenExpiredRefreshToken => "token_expired_refresh_token",
            SimulatedError::TokenInvalidScope => "token_invalid_scope",
            SimulatedError::TokenExpiredRegistrationToken => "token_expired_registration_token",
            SimulatedError::TokenInvalidJti => "token_invalid_jti",
            SimulatedError::RequestInvalidToken => "request_invalid_token",
            SimulatedError::RequestExpiredToken => "request_expired_token",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Everything a launch value can carry. Lists (`patient`, `provider`,
/// `redirect_uris`) are comma-separated strings, as in the launchers, so the
/// v2 array round-trips exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchOptions {
    pub launch_type: LaunchType,
    /// Patient id(s): one pins the patient, several limit the picker.
    pub patient: String,
    /// Practitioner id(s): one pins the user, several limit the login list.
    pub provider: String,
    /// `AUTO` (or empty): the most recent encounter; `MANUAL`: show the
    /// picker; `NONE`: no encounter context; anything else: that encounter id.
    pub encounter: String,
    pub skip_login: bool,
    /// Skip the consent ("authorize app") screen.
    pub skip_auth: bool,
    /// Launched inside the simulated EHR frame: `need_patient_banner` is false.
    pub sim_ehr: bool,
    /// Scopes the client may be granted (space-separated); empty: anything.
    pub scope: String,
    /// Registered redirect URIs (comma-separated); empty: any.
    pub redirect_uris: String,
    /// Registered client_id; empty: any.
    pub client_id: String,
    /// Registered client secret; empty: none pinned.
    pub client_secret: String,
    pub auth_error: Option<SimulatedError>,
    pub jwks_url: String,
    /// Inline JWKS (a JSON string).
    pub jwks: String,
    pub client_type: ClientType,
    pub pkce: PkcePolicy,
    /// SMART 2.2 `fhirContext`: a JSON array, or comma-separated references
    /// (see `launch::fhir_context`).
    pub fhir_context: String,
    /// SMART `intent` returned with the token (slot 17; the v2 launcher
    /// ignores extra slots, so values stay compatible).
    pub intent: String,
    /// SMART 2.x `tenant` returned with the token (slot 18).
    pub tenant: String,
}

impl Default for LaunchOptions {
    fn default() -> Self {
        LaunchOptions {
            launch_type: LaunchType::ProviderEhr,
            patient: String::new(),
            provider: String::new(),
            encounter: String::new(),
            skip_login: false,
            skip_auth: false,
            sim_ehr: false,
            scope: String::new(),
            redirect_uris: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            auth_error: None,
            jwks_url: String::new(),
            jwks: String::new(),
            client_type: ClientType::Public,
            pkce: PkcePolicy::Auto,
            fhir_context: String::new(),
            intent: String::new(),
            tenant: String::new(),
        }
    }
}

fn split_list(s: &str) -> Vec<&str> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

impl LaunchOptions {
    pub fn patients(&self) -> Vec<&str> {
        split_list(&self.patient)
    }

    pub fn providers(&self) -> Vec<&str> {
        split_list(&self.provider)
    }

    pub fn redirect_uri_list(&self) -> Vec<&str> {
        split_list(&self.redirect_uris)
    }

    /// The encounter choice, with the empty string read as `AUTO`.
    pub fn encounter_choice(&self) -> EncounterChoice<'_> {
        match self.encounter.trim() {
            "" | "AUTO" => EncounterChoice::Auto,
            "MANUAL" => EncounterChoice::Manual,
            "NONE" => EncounterChoice::None,
            id => EncounterChoice::Id(id),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncounterChoice<'a> {
    Auto,
    Manual,
    None,
    Id(&'a str),
}
