//! The screens an authorize request may pass through before the code is
//! issued (login, pickers, consent), and the signed state that carries the
//! user's choices from one screen to the next.

use serde::{Deserialize, Serialize};

use super::tokens::TokenKind;
use crate::clock::UnixTime;
use crate::keys::Hs256;

/// How long a person may take over the screens of one authorize request.
pub const FLOW_LIFETIME: i64 = 30 * 60;

/// Form fields the screens post back; they are not OAuth parameters and are
/// never re-posted as hidden inputs.
pub const SCREEN_FIELDS: [&str; 10] = [
    "_screen",
    "_flow",
    "patient",
    "provider",
    "encounter",
    "decision",
    "password",
    "_action",
    "_q",
    "_page",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Patient portal and patient standalone launches: choose who signs in.
    /// `choices` empty means every patient.
    PatientLogin {
        choices: Vec<String>,
    },
    /// Provider launches: choose the practitioner who signs in.
    ProviderLogin {
        choices: Vec<String>,
    },
    PatientPicker {
        choices: Vec<String>,
    },
    EncounterPicker {
        patient: String,
    },
    /// The "authorize app" screen of standalone and portal launches.
    Consent,
}

impl Screen {
    pub fn id(&self) -> &'static str {
        match self {
            Screen::PatientLogin { .. } => "patient-login",
            Screen::ProviderLogin { .. } => "provider-login",
            Screen::PatientPicker { .. } => "patient-picker",
            Screen::EncounterPicker { .. } => "encounter-picker",
            Screen::Consent => "consent",
        }
    }
}

/// What the HTTP layer needs to render a screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenRequest {
    pub screen: Screen,
    /// The authorize endpoint the form posts back to.
    pub action: String,
    /// The original authorize parameters, re-posted unchanged.
    pub hidden: Vec<(String, String)>,
    /// Signed [`FlowState`].
    pub flow: String,
    pub client_id: String,
    pub redirect_uri: String,
    /// The scopes that will be granted (shown on the consent screen).
    pub scopes: Vec<String>,
    /// The signed-in user so far, as `Patient/id` or `Practitioner/id`.
    pub user: Option<String>,
    pub patient: Option<String>,
    /// Why the previous submission was not accepted.
    pub error: Option<String>,
    /// What the person searched for and which page they are on, in the
    /// searchable login and picker lists.
    pub browse: Browse,
}

/// Search text and page offset of a searchable list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Browse {
    pub query: String,
    pub offset: usize,
}

/// Choices made so far on the screens of one authorize request. Signed so a
/// choice cannot be injected through the app's own authorize URL; bound to
/// the request so it cannot be replayed into another one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// An encounter id, or `NONE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encounter: Option<String>,
    #[serde(default)]
    pub consented: bool,
}

#[derive(Serialize, Deserialize)]
struct SignedFlow {
    tt: TokenKind,
    exp: UnixTime,
    bind: String,
    #[serde(flatten)]
    state: FlowState,
}

impl FlowState {
    pub fn sign(&self, hs: &Hs256, binding: &str, now: UnixTime) -> String {
        hs.sign(&SignedFlow {
            tt: TokenKind::Flow,
            exp: now + FLOW_LIFETIME,
            bind: binding.to_string(),
            state: self.clone(),
        })
    }

    /// The state in `token` if it is valid, unexpired and for this request.
    pub fn open(hs: &Hs256, token: &str, binding: &str, now: UnixTime) -> Option<FlowState> {
        let signed: SignedFlow = hs.verify(token)?;
        (signed.tt == TokenKind::Flow && signed.exp > now && same(&signed.bind, binding))
            .then_some(signed.state)
    }
}

/// Constant-time comparison of the flow binding.
fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_is_bound_and_expires() {
        let hs = Hs256::new(b"0123456789abcdef");
        let s = FlowState {
            patient: Some("p1".into()),
            ..Default::default()
        };
        let t = s.sign(&hs, "bind-a", 0);
        assert_eq!(FlowState::open(&hs, &t, "bind-a", 10), Some(s));
        assert_eq!(FlowState::open(&hs, &t, "bind-b", 10), None);
        assert_eq!(FlowState::open(&hs, &t, "bind-a", FLOW_LIFETIME), None);
        assert_eq!(FlowState::open(&hs, "x.y.z", "bind-a", 10), None);
    }
}
