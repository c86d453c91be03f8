//! The authorization endpoint (RFC 6749 §4.1.1, SMART App Launch 2.2
//! "Obtain authorization code"). Parse, decide, answer: until `client_id`
//! and `redirect_uri` are validated an error is an HTML page (RFC 6749
//! §4.1.2.1 forbids redirecting to an unverified URI); after that it is a
//! redirect carrying `error`, `error_description` and the original `state`.

use url::Url;

use super::chain::Chain;
use super::code::{issue_code, CodeInput};
use super::error::ErrorCode;
use super::negotiate::negotiate;
use super::params::Params;
use super::pkce;
use super::prompt_none::{self, Prompt};
use super::scopes::ScopeSet;
use super::screen::{FlowState, ScreenRequest, SCREEN_FIELDS};
use super::site::{same_resource_server, Site};
use crate::clock::UnixTime;
use crate::directory::Directory;
use crate::keys::Hs256;
use crate::launch::{self, LaunchOptions, LaunchType, SimulatedError};

pub use super::code::error_redirect;

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
    match (launch_param, sim) {
        (Some(value), _) => launch::decode(value),
        (None, Some(segment)) => launch::decode_segment(segment),
        (None, None) => Ok(LaunchOptions {
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
    let code_challenge = match pkce::check_authorize_request(&params, opts.pkce) {
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
        browse: Default::default(),
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
                browse: chain.browse,
            }))
        }
    }
}
