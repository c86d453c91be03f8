//! The authorization endpoint (RFC 6749 §4.1.1, SMART App Launch 2.2
//! "Obtain authorization code"). Parse, decide, answer: until `client_id`
//! and `redirect_uri` are validated an error is an HTML page (RFC 6749
//! §4.1.2.1 forbids redirecting to an unverified URI); after that it is a
//! redirect carrying `error`, `error_description` and the original `state`.

use url::Url;

use super::error::{ErrorCode, OAuthError};
use super::negotiate::negotiate;
use super::params::Params;
use super::pkce;
use super::prompt_none::{self, Prompt};
use super::scopes::ScopeSet;
use super::screen::{FlowState, Screen, ScreenRequest, SCREEN_FIELDS};
use super::site::{same_resource_server, Site};
use super::tokens::{
    new_id, CodeClaims, Grant, LaunchContext, Registration, TokenKind, CODE_LIFETIME,
};
use crate::clock::UnixTime;
use crate::directory::Directory;
use crate::keys::Hs256;
use crate::launch::{self, EncounterChoice, LaunchOptions, LaunchType, PkcePolicy, SimulatedError};

/// What the HTTP layer must do with an authorize request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeOutcome {
    /// 302 to this URL: the app's redirect_uri with a code or an error.
    Redirect(String),
    /// An HTML error page: the request cannot be redirected.
    ErrorPage(PageError),
    /// Show a login, picker or consent screen.
    Screen(Box<ScreenRequest>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError {
    pub status: u16,
    pub title: String,
    pub message: String,
}

fn page(title: &str, message: impl Into<String>) -> AuthorizeOutcome {
    AuthorizeOutcome::ErrorPage(PageError {
        status: 400,
        title: title.to_string(),
        message: message.into(),
    })
}

/// The services the authorize decision reads.
pub struct AuthorizeDeps<'a> {
    pub hs: &'a Hs256,
    pub directory: &'a dyn Directory,
    /// The public JWK of the id_token key, to verify `id_token_hint`.
    pub id_token_jwk: &'a serde_json::Value,
}

/// Decodes the launch options: the `launch` parameter wins over the `{sim}`
/// path segment; with neither, this is a plain standalone launch.
pub fn launch_options(
    launch_param: Option<&str>,
    sim: Option<&str>,
) -> Result<LaunchOptions, launch::LaunchError> {
    match launch_param.or(sim) {
        Some(value) => launch::decode(value),
        None => Ok(LaunchOptions {
            launch_type: LaunchType::ProviderStandalone,
            ..LaunchOptions::default()
        }),
    }
}

/// Handles one authorize request, GET or POST, including the screens' posts.
pub fn authorize(
    site: &Site,
    pairs: Vec<(String, String)>,
    deps: &AuthorizeDeps<'_>,
    now: UnixTime,
) -> AuthorizeOutcome {
    let params = match Params::from_pairs(pairs) {
        Ok(p) => p,
        Err(r) => {
            return page(
                "Invalid authorization request",
                format!(
                    "The parameter `{}` was sent more than once (RFC 6749 §3.1).",
                    r.0
                ),
            )
        }
    };
    let opts = match launch_options(params.get("launch"), site.sim.as_deref()) {
        Ok(o) => o,
        Err(e) => {
            return page(
                "Invalid launch options",
                format!("The launch value could not be read: {e}."),
            )
        }
    };

    // Steps that must not redirect: the client and its redirect_uri.
    let Some(client_id) = params.get("client_id") else {
        return page(
            "Missing client_id",
            "The authorization request has no client_id parameter.",
        );
    };
    if opts.auth_error == Some(SimulatedError::AuthInvalidClientId) {
        return page(
            "Invalid client_id",
            format!("Simulated error: the client_id `{client_id}` is not registered."),
        );
    }
    if !opts.client_id.is_empty() && opts.client_id != client_id {
        return page(
            "Unknown client_id",
            format!(
                "The client_id `{client_id}` does not match the client registered by this launch."
            ),
        );
    }
    let Some(redirect_uri) = params.get("redirect_uri") else {
        return page(
            "Missing redirect_uri",
            "The authorization request has no redirect_uri parameter.",
        );
    };
    if opts.auth_error == Some(SimulatedError::AuthInvalidRedirectUri) {
        return page(
            "Invalid redirect_uri",
            format!("Simulated error: `{redirect_uri}` is not a registered redirect URI."),
        );
    }
    let redirect = match Url::parse(redirect_uri) {
        Ok(u) if u.fragment().is_none() && !u.cannot_be_a_base() => u,
        _ => {
            return page(
                "Invalid redirect_uri",
                format!(
                    "`{redirect_uri}` is not an absolute URL without a fragment (RFC 6749 §3.1.2)."
                ),
            )
        }
    };
    let registered = opts.redirect_uri_list();
    if !registered.is_empty() && !registered.contains(&redirect_uri) {
        return page(
            "Unregistered redirect_uri",
            format!(
                "`{redirect_uri}` does not exactly match a redirect URI registered by this launch ({}).",
                registered.join(", ")
            ),
        );
    }

    let state = params.get("state");
    let fail = |code: ErrorCode, description: &str| {
        AuthorizeOutcome::Redirect(error_redirect(&redirect, code, description, state))
    };

    match params.get("response_type") {
        None => return fail(ErrorCode::InvalidRequest, "response_type is required"),
        Some("code") => {}
        Some(other) => {
            return fail(
                ErrorCode::UnsupportedResponseType,
                &format!("response_type `{other}` is not supported; use `code`"),
            )
        }
    }
    if state.is_none() {
        return fail(
            ErrorCode::InvalidRequest,
            "state is required (SMART App Launch)",
        );
    }
    let fhir_base = site.fhir_base();
    match params.get("aud") {
        None => {
            return fail(
                ErrorCode::InvalidRequest,
                "aud is required: the FHIR base URL of this server",
            )
        }
        Some(aud) if !same_resource_server(aud, &fhir_base) => {
            return fail(
                ErrorCode::InvalidRequest,
                &format!("aud `{aud}` is not this server's FHIR base URL `{fhir_base}`"),
            )
        }
        Some(_) => {}
    }
    if opts.launch_type == LaunchType::BackendService {
        return fail(
            ErrorCode::UnauthorizedClient,
            "a backend-service client gets tokens with grant_type=client_credentials at the token endpoint",
        );
    }
    let Some(requested) = params.get("scope").map(ScopeSet::parse) else {
        return fail(ErrorCode::InvalidScope, "scope is required");
    };
    if opts.auth_error == Some(SimulatedError::AuthInvalidScope) {
        return fail(
            ErrorCode::InvalidScope,
            "simulated error: the requested scope is invalid",
        );
    }
    let granted = negotiate(&requested, &ScopeSet::parse(&opts.scope));
    if granted.is_empty() {
        return fail(
            ErrorCode::InvalidScope,
            "none of the requested scopes is allowed for this client",
        );
    }
    let code_challenge = match check_pkce(&params, opts.pkce) {
        Ok(c) => c,
        Err(e) => return fail(e.code, &e.description),
    };

    let binding = deps.hs.digest(&format!(
        "{client_id}\n{redirect_uri}\n{}\n{}",
        state.unwrap_or_default(),
        params
            .get("launch")
            .or(site.sim.as_deref())
            .unwrap_or_default()
    ));
    let opened = params
        .get("_flow")
        .and_then(|t| FlowState::open(deps.hs, t, &binding, now));
    // Only a post from a screen this request rendered (its signed flow
    // state) counts as the user's choice; screen fields in the app's own
    // authorize URL are ignored.
    let from_screen = opened.is_some();
    let mut chain = Chain {
        params: &params,
        opts: &opts,
        scope: &granted,
        deps,
        flow: opened.unwrap_or_default(),
        error: None,
    };
    let prompt = match prompt_none::parse_prompt(params.get("prompt")) {
        Ok(p) => p,
        Err(e) => return fail(ErrorCode::InvalidRequest, &e),
    };
    if prompt == Prompt::Silent {
        let signed_in =
            prompt_none::hint_subject(params.get("id_token_hint"), client_id, deps.id_token_jwk)
                .and_then(|sub| chain.sign_in_as(&sub));
        if let Err(e) = signed_in {
            return fail(ErrorCode::LoginRequired, &format!("prompt=none: {e}"));
        }
    } else if from_screen {
        if let Err(denied) = chain.apply_submission() {
            return fail(ErrorCode::AccessDenied, denied);
        }
    }
    let decided = chain.decide();
    if let (Prompt::Silent, Err(screen)) = (prompt, &decided) {
        let (code, why) = prompt_none::screen_error(screen);
        return fail(code, why);
    }
    match decided {
        Ok(decision) => AuthorizeOutcome::Redirect(issue_code(
            &redirect,
            state,
            CodeInput {
                client_id,
                redirect_uri,
                fhir_base,
                site,
                opts: &opts,
                scope: &granted,
                decision,
                code_challenge,
                nonce: params.get("nonce"),
            },
            deps.hs,
            now,
        )),
        Err(screen) => {
            let flow = chain.flow.sign(deps.hs, &binding, now);
            AuthorizeOutcome::Screen(Box::new(ScreenRequest {
                screen,
                action: site.authorize_url(),
                hidden: params
                    .pairs()
                    .filter(|(k, _)| !SCREEN_FIELDS.contains(k))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                flow,
                client_id: client_id.to_string(),
                redirect_uri: redirect_uri.to_string(),
                scopes: granted.iter().map(String::from).collect(),
                user: chain.user(),
                patient: chain.flow.patient.clone(),
                error: chain.error,
            }))
        }
    }
}

/// RFC 7636 per the launch's PKCE policy; returns the S256 challenge to bind
/// into the code. SMART App Launch 2.2 forbids `plain`.
fn check_pkce(params: &Params, policy: PkcePolicy) -> Result<Option<String>, OAuthError> {
    if policy == PkcePolicy::None {
        return Ok(None);
    }
    let method = params.get("code_challenge_method");
    let challenge = params.get("code_challenge");
    if method.is_none() && challenge.is_none() {
        return match policy {
            PkcePolicy::Always => Err(OAuthError::invalid_request(
                "this client must use PKCE: send code_challenge and code_challenge_method=S256",
            )),
            _ => Ok(None),
        };
    }
    match method {
        Some("S256") => {}
        Some("plain") => {
            return Err(OAuthError::invalid_request(
                "code_challenge_method `plain` is not supported; use S256",
            ))
        }
        Some(other) => {
            return Err(OAuthError::invalid_request(format!(
                "code_challenge_method `{other}` is not supported; use S256"
            )))
        }
        None => {
            return Err(OAuthError::invalid_request(
                "code_challenge_method=S256 is required with code_challenge",
            ))
        }
    }
    match challenge {
        Some(c) if pkce::is_valid_s256_challenge(c) => Ok(Some(c.to_string())),
        Some(_) => Err(OAuthError::invalid_request(
            "code_challenge must be the 43-character base64url SHA-256 of the code_verifier",
        )),
        None => Err(OAuthError::invalid_request(
            "code_challenge is required with code_challenge_method",
        )),
    }
}

/// The choices the screens produced, ready for the code.
struct Decision {
    user: Option<String>,
    patient: Option<String>,
    encounter: Option<String>,
}

struct Chain<'a> {
    params: &'a Params,
    opts: &'a LaunchOptions,
    scope: &'a ScopeSet,
    deps: &'a AuthorizeDeps<'a>,
    flow: FlowState,
    error: Option<String>,
}

impl Chain<'_> {
    fn dir(&self) -> &dyn Directory {
        self.deps.directory
    }

    fn patient_allowed(&self, id: &str) -> bool {
        let list = self.opts.patients();
        if list.is_empty() {
            self.dir().patient(id).is_some()
        } else {
            list.contains(&id)
        }
    }

    fn provider_allowed(&self, id: &str) -> bool {
        let list = self.opts.providers();
        if list.is_empty() {
            self.dir().practitioner(id).is_some()
        } else {
            list.contains(&id)
        }
    }

    /// Applies what the previous screen posted. `Err` is a denial.
    fn apply_submission(&mut self) -> Result<(), &'static str> {
        let Some(screen) = self.params.get("_screen") else {
            return Ok(());
        };
        let value = |name: &str| self.params.get(name).map(str::to_string);
        match screen {
            "patient-login" | "patient-picker" => match value("patient") {
                Some(p) if self.patient_allowed(&p) => {
                    self.flow.patient = Some(p);
                    self.flow.encounter = None;
                }
                _ => self.error = Some("Please choose a patient from the list.".into()),
            },
            "provider-login" => match value("provider") {
                Some(p) if self.provider_allowed(&p) => self.flow.provider = Some(p),
                _ => self.error = Some("Please choose who signs in.".into()),
            },
            "encounter-picker" => {
                let patient = self.flow.patient.clone().unwrap_or_default();
                match value("encounter") {
                    Some(e) if e == "NONE" => self.flow.encounter = Some(e),
                    Some(e)
                        if self
                            .dir()
                            .encounter(&e)
                            .is_some_and(|enc| enc.patient_id == patient) =>
                    {
                        self.flow.encounter = Some(e)
                    }
                    _ => {
                        self.error = Some("Please choose an encounter, or \"No encounter\".".into())
                    }
                }
            }
            "consent" => match self.params.get("decision") {
                Some("approve") => self.flow.consented = true,
                Some("deny") => return Err("the user denied the authorization request"),
                _ => self.error = Some("Please allow or deny access.".into()),
            },
            _ => {}
        }
        Ok(())
    }

    /// `prompt=none`: the user named by a verified `id_token_hint` signs in
    /// without a screen, if this launch would let them sign in at all.
    fn sign_in_as(&mut self, sub: &str) -> Result<(), String> {
        let refused = || format!("`{sub}` cannot sign in to this launch");
        match sub.split_once('/') {
            Some(("Patient", id)) if self.opts.launch_type.patient_is_user() => {
                if !self.patient_allowed(id) {
                    return Err(refused());
                }
                self.flow.patient = Some(id.to_string());
            }
            Some(("Practitioner", id)) if !self.opts.launch_type.patient_is_user() => {
                if !self.provider_allowed(id) {
                    return Err(refused());
                }
                self.flow.provider = Some(id.to_string());
            }
            _ => return Err(refused()),
        }
        Ok(())
    }

    fn user(&self) -> Option<String> {
        if self.opts.launch_type.patient_is_user() {
            self.flow.patient.as_ref().map(|p| format!("Patient/{p}"))
        } else {
            self.flow
                .provider
                .as_ref()
                .map(|p| format!("Practitioner/{p}"))
        }
    }

    /// Walks the screens in order: login, patient picker, encounter picker,
    /// consent. `Err` names the first screen still needed.
    fn decide(&mut self) -> Result<Decision, Screen> {
        let opts = self.opts;
        let lt = opts.launch_type;
        let patients = opts.patients();
        let providers = opts.providers();
        let to_strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();

        if lt.patient_is_user() {
            if self.flow.patient.is_none() {
                if patients.len() == 1 && opts.skip_login {
                    self.flow.patient = Some(patients[0].to_string());
                } else {
                    return Err(Screen::PatientLogin {
                        choices: to_strings(&patients),
                    });
                }
            }
        } else {
            if self.flow.provider.is_none() && providers.len() == 1 {
                self.flow.provider = Some(providers[0].to_string());
            }
            let needs_user = self.scope.has("openid") || lt == LaunchType::ProviderStandalone;
            if self.flow.provider.is_none() && needs_user {
                return Err(Screen::ProviderLogin {
                    choices: to_strings(&providers),
                });
            }
            if self.flow.patient.is_none() && patients.len() == 1 {
                self.flow.patient = Some(patients[0].to_string());
            }
            if self.flow.patient.is_none() && self.needs_patient() {
                return Err(Screen::PatientPicker {
                    choices: to_strings(&patients),
                });
            }
        }

        let encounter = self.encounter()?;
        let needs_consent = !opts.skip_auth
            && matches!(
                lt,
                LaunchType::ProviderStandalone
                    | LaunchType::PatientStandalone
                    | LaunchType::PatientPortal
            );
        if needs_consent && !self.flow.consented {
            return Err(Screen::Consent);
        }
        let patient = self.flow.patient.clone().filter(|_| self.needs_patient());
        Ok(Decision {
            user: self.user(),
            patient,
            encounter,
        })
    }

    /// A patient in context: asked for with `launch/patient` (or `launch` in
    /// an EHR launch), and required by any `patient/` scope (SMART 2.2: a
    /// patient-level grant SHALL come with a patient).
    fn needs_patient(&self) -> bool {
        self.scope.has("launch/patient")
            || (self.opts.launch_type.is_ehr() && self.scope.has("launch"))
            || self.scope.has_patient_scope()
    }

    fn encounter(&self) -> Result<Option<String>, Screen> {
        let wants = self.scope.has("launch/encounter")
            || (self.opts.launch_type.is_ehr() && self.scope.has("launch"));
        let Some(patient) = self.flow.patient.as_deref().filter(|_| wants) else {
            return Ok(None);
        };
        if let Some(chosen) = &self.flow.encounter {
            return Ok((chosen != "NONE").then(|| chosen.clone()));
        }
        match self.opts.encounter_choice() {
            EncounterChoice::None => Ok(None),
            EncounterChoice::Id(id) => Ok(Some(id.to_string())),
            EncounterChoice::Auto => {
                Ok(self.dir().encounters(patient).first().map(|e| e.id.clone()))
            }
            EncounterChoice::Manual => Err(Screen::EncounterPicker {
                patient: patient.to_string(),
            }),
        }
    }
}

struct CodeInput<'a> {
    client_id: &'a str,
    redirect_uri: &'a str,
    fhir_base: String,
    site: &'a Site,
    opts: &'a LaunchOptions,
    scope: &'a ScopeSet,
    decision: Decision,
    code_challenge: Option<String>,
    nonce: Option<&'a str>,
}

fn issue_code(
    redirect: &Url,
    state: Option<&str>,
    input: CodeInput<'_>,
    hs: &Hs256,
    now: UnixTime,
) -> String {
    let opts = input.opts;
    let jti = new_id();
    let claims = CodeClaims {
        tt: TokenKind::Code,
        jti: jti.clone(),
        iat: now,
        exp: now + CODE_LIFETIME,
        grant: Grant {
            gid: jti,
            client_id: input.client_id.to_string(),
            scope: input.scope.to_string(),
            aud: input.fhir_base,
            user: input.decision.user,
            ctx: LaunchContext {
                need_patient_banner: !opts.sim_ehr,
                smart_style_url: input.site.smart_style_url(),
                patient: input.decision.patient,
                encounter: input.decision.encounter,
                // Validated when the launch value was decoded.
                fhir_context: launch::fhir_context::parse(&opts.fhir_context)
                    .ok()
                    .flatten(),
                intent: Some(opts.intent.clone()).filter(|s| !s.is_empty()),
                tenant: Some(opts.tenant.clone()).filter(|s| !s.is_empty()),
            },
        },
        redirect_uri: input.redirect_uri.to_string(),
        code_challenge: input.code_challenge,
        nonce: input.nonce.map(str::to_string),
        reg: Registration::from_launch(opts, hs),
    };
    let mut url = redirect.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("code", &hs.sign(&claims));
        if let Some(s) = state {
            q.append_pair("state", s);
        }
    }
    url.to_string()
}

/// RFC 6749 §4.1.2.1: the error travels in the redirect's query, with the
/// `state` the app sent, byte for byte.
pub fn error_redirect(
    redirect: &Url,
    code: ErrorCode,
    description: &str,
    state: Option<&str>,
) -> String {
    let mut url = redirect.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("error", code.as_str());
        q.append_pair("error_description", description);
        if let Some(s) = state {
            q.append_pair("state", s);
        }
    }
    url.to_string()
}
